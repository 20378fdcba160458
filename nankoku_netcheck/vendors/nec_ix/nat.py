"""NEC UNIVERGE IX address translation on an interface, as NatRule header rewrites.

Read (interface mode, the lines as `show running-config` prints them):
- `ip napt enable`: the sources of sessions leaving by the interface become its address
  (interface PAT, a dynamic rule);
- `ip napt static HOST PROTO [PORT [PORT]]` (HOST an IPv4 address; PROTO `tcp`, `udp`,
  `icmp` or a protocol number; PORT a number or `A-B`): packets arriving for the
  interface's own address go to HOST (static NAPT, port forwarding). The engine matches no
  ports (vendors/forwards.py), so which of two ports is the inside one changes no result;
  the first is kept as the inside port, the second as the outside one;
- `ip napt static INTERFACE PROTO [PORT]` (INTERFACE not an address): the packets go to the
  router itself (IKE, ESP and NAT-T to an IPsec router behind NAPT); a packet to the
  router's address already reaches the router in the model, so the line adds nothing;
- `ip nat enable` and `ip nat static INSIDE OUTSIDE` (addresses, or prefixes `A/LEN` of one
  length): static one-to-one NAT, translating both ways on the interface.

Choices, each stated where the documentation available here is not explicit:
- a static entry on an interface without `ip napt enable` (`ip nat enable` for `ip nat
  static`) translates nothing: a public IX2106 walkthrough gives `ip nat enable` as what turns
  NAT on for the interface, and the same is taken of `ip napt enable` for static NAPT. The
  rule is kept, inactive, and the line says so (HARMLESS);
- a port forward needs the outer address: an interface whose address is negotiated at run
  time (`ip address dhcp`/`ipcp`, `ip unnumbered`) or absent makes the forward META-001,
  since the engine cannot un-translate an address it does not know;
- a forward un-translates every port of the interface address, so packets to the router's
  own address on other ports are taken to the inner host rather than the router (the YAMAHA
  RTX plugin's port forwards do the same); the hosts behind the router can only gain
  reachability from this;
- dynamic NAT (`ip nat inside list`, pools) and the other `ip napt` options stay META-001
  (parser.py): their binding syntax is not established here, and without it the sources the
  far side sees are unknown;
- whether the IX's `in` filter sees a packet before or after the static entries un-translate
  it is not established here; the engine un-translates first (as for every vendor). When the
  interface's `in` filter has an entry that tells the outer address from the inside one (a
  destination matching one and not the other), the order decides and the entry's NAT line is
  META-001 (`order_notes`); a filter written with `dest any`, or about other addresses,
  decides alike either way.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace

from nankoku_netcheck.model import (
    PORT_MAX,
    PROTO_ICMP,
    PROTO_TCP,
    PROTO_UDP,
    Acl,
    Interface,
    NatRule,
    PortRange,
    Source,
    UnknownKind,
    Wildcard,
    is_decimal,
    prefix_mask,
)
from nankoku_netcheck.vendors.common import NotUnderstood, ipv4, is_ipv4, number
from nankoku_netcheck.vendors.forwards import Forward, forward_rules

_PROTOCOLS = {"tcp": PROTO_TCP, "udp": PROTO_UDP, "icmp": PROTO_ICMP}

REASON_TO_ROUTER = "forwards to the router itself: packets to the router's address already reach it"
REASON_NAPT_OFF = "no 'ip napt enable' on this interface: the entry translates nothing"
REASON_NAT_OFF = "no 'ip nat enable' on this interface: the entry translates nothing"
REASON_NO_ADDRESS = (
    "port forwarding on an interface whose address is negotiated at run time or absent: "
    "the outer address is not in the config"
)

Note = tuple[Source, UnknownKind, str]


@dataclass
class InterfaceNat:
    """The NAT lines of one interface block, in file order."""

    napt_enable: Source | None = None
    nat_enable: Source | None = None
    napt_static: list[tuple[Source, list[str]]] = field(default_factory=list)
    nat_static: list[tuple[Source, list[str]]] = field(default_factory=list)

    def read(self, lowered: tuple[str, ...], words: list[str], source: Source) -> bool:
        """Takes the line when it is one of the NAT lines this module reads."""
        if lowered == ("ip", "napt", "enable"):
            self.napt_enable = source
        elif lowered == ("ip", "nat", "enable"):
            self.nat_enable = source
        elif lowered[:3] == ("ip", "napt", "static"):
            self.napt_static.append((source, words[3:]))
        elif lowered[:3] == ("ip", "nat", "static"):
            self.nat_static.append((source, words[3:]))
        else:
            return False
        return True


def interface_rules(nat: InterfaceNat, interface: Interface, first_order: int) -> tuple[list[NatRule], list[Note]]:
    """The rules of one interface's NAT lines (numbered from `first_order`), and the lines
    that are not turned into an active rule, with why."""
    notes: list[Note] = []
    forwards: list[Forward] = []
    outer = _outer_address(interface)
    for source, words in nat.napt_static:
        try:
            forward = _forward(words, source, interface.name, outer)
        except NotUnderstood as problem:
            notes.append((source, UnknownKind.FORWARDING, f"'ip napt static' not understood: {problem}"))
            continue
        if forward is None:
            notes.append((source, UnknownKind.HARMLESS, REASON_TO_ROUTER))
        elif outer is None:
            notes.append((source, UnknownKind.FORWARDING, REASON_NO_ADDRESS))
        else:
            forwards.append(forward)
    rules = forward_rules(forwards, first_order)
    if nat.napt_enable is None:
        rules = [_inactive(rule) for rule in rules]
        notes.extend((rule.source, UnknownKind.HARMLESS, REASON_NAPT_OFF) for rule in rules)
    for source, words in nat.nat_static:
        try:
            rule = _static(words, source, interface.name, first_order + len(rules))
        except NotUnderstood as problem:
            notes.append((source, UnknownKind.FORWARDING, f"'ip nat static' not understood: {problem}"))
            continue
        if nat.nat_enable is None:
            rule = _inactive(rule)
            notes.append((source, UnknownKind.HARMLESS, REASON_NAT_OFF))
        rules.append(rule)
    if nat.napt_enable is not None:
        rules.append(_interface_pat(nat.napt_enable, interface.name, first_order + len(rules)))
    return rules, notes


REASON_ORDER = (
    "the interface's 'in' filter tells the outer address from the inside one, and whether it sees packets before "
    "or after this entry un-translates them is not established (the model un-translates first)"
)


def order_notes(rules: Sequence[NatRule], in_filter: Acl | None) -> list[Note]:
    """META-001 for the active static entries whose translation the `in` filter can tell apart."""
    if in_filter is None:
        return []
    destinations = [match.dst for line in in_filter.lines for match in line.matches if match.dst is not None]
    notes: list[Note] = []
    for rule in rules:
        if rule.kind != "static" or rule.inactive or rule.real_source is None or rule.mapped_source is None:
            continue
        sides = (*rule.real_source, *rule.mapped_source)
        if any(_tells_apart(wildcards, sides) for wildcards in destinations):
            notes.append((rule.source, UnknownKind.FORWARDING, REASON_ORDER))
    return notes


def _tells_apart(wildcards: tuple[Wildcard, ...], sides: Sequence[tuple[int, int]]) -> bool:
    """Whether a destination condition can match an address of one side and not of another
    (exact for host addresses; any condition counts for a wider prefix)."""
    if any(length != 32 for _, length in sides):
        return True
    hits = {any(wildcard.matches(address) for wildcard in wildcards) for address, _ in sides}
    return len(hits) > 1


def _outer_address(interface: Interface) -> int | None:
    primary = [address for address in interface.addresses if not address.secondary]
    return primary[0].address if primary else None


def _forward(words: Sequence[str], source: Source, interface: str, outer: int | None) -> Forward | None:
    """`HOST|INTERFACE PROTO [PORT [PORT]]`; None for a forward to the router itself."""
    if len(words) < 2 or len(words) > 4:
        raise NotUnderstood("expected 'HOST PROTOCOL [PORT [PORT]]'")
    protocol = _protocol(words[1])
    ports = [_port_range(word) for word in words[2:]]
    if ports and protocol not in (PROTO_TCP, PROTO_UDP):
        raise NotUnderstood("ports given for a protocol without ports")
    if not is_ipv4(words[0]):
        if not words[0][:1].isalpha():
            raise NotUnderstood(f"'{words[0]}' is neither an address nor an interface")
        return None
    inner_port = ports[0] if ports else None
    outer_port = ports[1] if len(ports) > 1 else inner_port
    return Forward(source, interface, outer or 0, ipv4(words[0]), protocol, outer_port, inner_port)


def _protocol(word: str) -> int:
    lowered = word.lower()
    if lowered in _PROTOCOLS:
        return _PROTOCOLS[lowered]
    return number(lowered, 0, 255, "protocol")


def _port_range(word: str) -> PortRange:
    low_text, separator, high_text = word.partition("-")
    low = number(low_text, 0, PORT_MAX, "port")
    high = number(high_text, low, PORT_MAX, "port range") if separator else low
    return PortRange(low, high)


def _prefix(word: str) -> tuple[int, int]:
    address_text, separator, length_text = word.partition("/")
    address = ipv4(address_text)
    if not separator:
        return address, 32
    if not is_decimal(length_text) or int(length_text) > 32:
        raise NotUnderstood(f"bad prefix length in '{word}'")
    length = int(length_text)
    if address & ~prefix_mask(length) & 0xFFFFFFFF:
        raise NotUnderstood(f"host bits set in '{word}'")
    return address, length


def _static(words: Sequence[str], source: Source, interface: str, order: int) -> NatRule:
    """`INSIDE OUTSIDE`, each an address or a prefix; both of one size."""
    if len(words) != 2:
        raise NotUnderstood("expected 'INSIDE OUTSIDE'")
    inside, outside = _prefix(words[0]), _prefix(words[1])
    if inside[1] != outside[1]:
        raise NotUnderstood("the inside and outside prefixes differ in length")
    return NatRule(
        source=source,
        section=1,
        order=order,
        kind="static",
        real_interface=None,
        mapped_interface=interface,
        real_source=(inside,),
        mapped_source=(outside,),
    )


def _interface_pat(source: Source, interface: str, order: int) -> NatRule:
    return NatRule(
        source=source,
        section=2,
        order=order,
        kind="dynamic",
        real_interface=None,
        mapped_interface=interface,
        real_source=None,
        mapped_source=None,
        interface_pat=True,
    )


def _inactive(rule: NatRule) -> NatRule:
    return replace(rule, inactive=True)
