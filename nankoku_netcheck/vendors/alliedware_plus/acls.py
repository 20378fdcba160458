"""AlliedWare Plus access lists: hardware ACLs (port filters) and software ACLs.

Which kind a list is decides what happens to a packet no entry matches (AT-x Command
Reference, "IPv4 Hardware/Software Access Control List (ACL) Commands"):

- hardware ACLs, numbered `access-list <3000-3699> ...` or named `access-list hardware
  NAME`: "Hardware ACLs will permit access unless explicitly denied" — the list ends with an
  implicit *permit*. The parser states that as a last synthetic `permit` line (sourced at the
  list's first line) so that the engine's implicit deny never applies;
- software ACLs, numbered `access-list <1-199|1300-2699>` or named `access-list standard|
  extended NAME`: "Software ACLs will deny access unless explicitly permitted" — the engine's
  implicit deny, as for IOS.

Entries: `[SEQ] ACTION PROTO SRC [SPORTS] DST [DPORTS] [icmp-type N] [vlan N] [log]` with
ACTION permit | deny | copy-to-cpu | copy-to-mirror | send-to-cpu | send-to-mirror |
send-to-vlan-port; PROTO ip | tcp | udp | icmp | proto N | N; addresses `any`, `host A`,
`A/LEN`, `A REVERSE-MASK`; ports `eq|ne|lt|gt P`, `range P Q`. Standard lists take one
source address. How the parts that do not fit the model are read (always toward more
reachability):

- the copy/send actions forward the packet (copy) or divert it: read as `permit` with an
  `approximation` (a match never drops), and `send-to-vlan-port` is also META-001, since the
  packet leaves by a port the routing table does not choose;
- `vlan N` (the packet's 802.1Q tag) is not in the packet model: a permit line ignores it
  (matches more); a deny line that names it is not understood (the engine ignores it);
- anything else not understood: the line is not understood (a permit line then matches
  every packet of its protocol, a deny line is ignored) and the line is META-001.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from nankoku_netcheck.model import (
    IPV4_MAX,
    PORT_MAX,
    PROTO_ICMP,
    PROTO_TCP,
    PROTO_UDP,
    Acl,
    AclLine,
    Action,
    IcmpMatch,
    Match,
    PortRange,
    Source,
    Wildcard,
    is_decimal,
)
from nankoku_netcheck.vendors.common import Cursor, NotUnderstood, ipv4, is_ipv4, number

HARDWARE = "hardware"
STANDARD = "standard"
EXTENDED = "extended"

_PROTOCOLS = {"tcp": PROTO_TCP, "udp": PROTO_UDP, "icmp": PROTO_ICMP}
_DIVERTING = {
    "copy-to-cpu": "copy-to-cpu forwards the packet as well: read as permit",
    "copy-to-mirror": "copy-to-mirror forwards the packet as well: read as permit",
    "send-to-cpu": "send-to-cpu diverts the packet: read as permit (more reachability)",
    "send-to-mirror": "send-to-mirror diverts the packet: read as permit (more reachability)",
    "send-to-vlan-port": "send-to-vlan-port redirects the packet: read as permit (more reachability)",
}
ACTIONS = frozenset({"permit", "deny", *_DIVERTING})
# The action whose packets leave by a port the model cannot tell: META-001 as well.
REDIRECT = "send-to-vlan-port"


def numbered_kind(number_text: str) -> str | None:
    """The kind of a numbered list, None when the number is no IPv4 list (MAC lists 4000-4699)."""
    if not is_decimal(number_text):
        return None
    value = int(number_text)
    if 3000 <= value <= 3699:
        return HARDWARE
    if 1 <= value <= 99 or 1300 <= value <= 1999:
        return STANDARD
    if 100 <= value <= 199 or 2000 <= value <= 2699:
        return EXTENDED
    return None


@dataclass(frozen=True)
class Entry:
    """One entry as read: the model line and whether it redirects (META-001)."""

    line: AclLine
    redirects: bool = False


def read_address(cursor: Cursor) -> Wildcard:
    word = cursor.take_lower("address")
    if word == "any":
        return Wildcard.any()
    if word == "host":
        return Wildcard.host(ipv4(cursor.take("host address")))
    if "/" in word:
        address_text, _, length_text = word.partition("/")
        return Wildcard.prefix(ipv4(address_text), number(length_text, 0, 32, "prefix length"))
    address = ipv4(word)
    mask_word = cursor.peek()
    if mask_word is not None and is_ipv4(mask_word):
        return Wildcard(address, ipv4(cursor.take("reverse mask"))).normalized()
    raise NotUnderstood(f"address '{word}' needs a prefix length or a reverse mask")


def _port(word: str) -> int:
    return number(word, 0, PORT_MAX, "port")


def read_ports(cursor: Cursor) -> tuple[PortRange, ...] | None:
    """`eq|ne|lt|gt P` or `range P Q`; None when no operator follows (any port)."""
    operator = cursor.peek()
    if operator not in ("eq", "ne", "neq", "lt", "gt", "range"):
        return None
    cursor.take("port operator")
    first = _port(cursor.take("port"))
    if operator == "eq":
        return (PortRange(first, first),)
    if operator in ("ne", "neq"):
        ranges = (PortRange(0, first - 1), PortRange(first + 1, PORT_MAX))
        return tuple(r for r in ranges if r.low <= r.high)
    if operator == "lt":
        return (PortRange(0, first - 1),) if first > 0 else ()
    if operator == "gt":
        return (PortRange(first + 1, PORT_MAX),) if first < PORT_MAX else ()
    last = _port(cursor.take("port"))
    if last < first:
        raise NotUnderstood(f"port range {first}-{last} is empty")
    return (PortRange(first, last),)


def _protocol(cursor: Cursor) -> tuple[int, ...] | None:
    word = cursor.take_lower("protocol")
    if word == "ip":
        return None
    if word in _PROTOCOLS:
        return (_PROTOCOLS[word],)
    if word == "proto":
        return (number(cursor.take("protocol number"), 0, 255, "protocol number"),)
    if is_decimal(word):
        return (number(word, 0, 255, "protocol number"),)
    raise NotUnderstood(f"unknown protocol '{word}'")


@dataclass(frozen=True)
class _Tail:
    vlan: bool = False


def _tail(cursor: Cursor, icmp: bool) -> tuple[tuple[IcmpMatch, ...] | None, _Tail]:
    icmp_types: tuple[IcmpMatch, ...] | None = None
    vlan = False
    while not cursor.done():
        word = cursor.take_lower("option")
        if word == "icmp-type" and icmp:
            icmp_types = (IcmpMatch(number(cursor.take("ICMP type"), 0, 255, "ICMP type")),)
        elif word == "vlan":
            number(cursor.take("VLAN"), 1, 4094, "VLAN")
            vlan = True
        elif word == "log":
            continue
        else:
            raise NotUnderstood(f"unexpected '{word}'")
    return icmp_types, _Tail(vlan)


def _match(cursor: Cursor, kind: str) -> tuple[Match, _Tail]:
    if kind == STANDARD:
        source = read_address(cursor)
        tail = _tail(cursor, icmp=False)[1]
        return Match(src=_addresses(source)), tail
    protocols = _protocol(cursor)
    ported = protocols in ((PROTO_TCP,), (PROTO_UDP,))
    source = read_address(cursor)
    source_ports = read_ports(cursor) if ported else None
    destination = read_address(cursor)
    destination_ports = read_ports(cursor) if ported else None
    icmp_types, tail = _tail(cursor, icmp=protocols == (PROTO_ICMP,))
    match = Match(
        protocols=protocols,
        src=_addresses(source),
        dst=_addresses(destination),
        src_ports=source_ports,
        dst_ports=destination_ports,
        icmp=icmp_types,
    )
    return match, tail


def _addresses(wildcard: Wildcard) -> tuple[Wildcard, ...] | None:
    return None if wildcard.wildcard == IPV4_MAX else (wildcard,)


def _fallback(words: Sequence[str], kind: str) -> Match:
    """What a line not understood matches: every packet of its protocol, when that is clear."""
    lowered = [word.lower() for word in words]
    if kind != STANDARD and lowered and lowered[0] in _PROTOCOLS:
        return Match(protocols=(_PROTOCOLS[lowered[0]],))
    return Match()


def read_entry(words: Sequence[str], kind: str, source: Source) -> Entry:
    """One entry from its words after the list name (`[SEQ] ACTION ...`). Raises
    NotUnderstood only when the action itself is unknown; an entry whose match is not
    understood comes back with `understood=False` and the reason in `approximation`."""
    cursor = Cursor(words)
    sequence = None
    if cursor.peek() is not None and is_decimal(cursor.peek() or ""):
        sequence = int(cursor.take("sequence"))
    action_word = cursor.take_lower("action")
    if action_word not in ACTIONS:
        raise NotUnderstood(f"unknown action '{action_word}'")
    action = Action.DENY if action_word == "deny" else Action.PERMIT
    approximation = _DIVERTING.get(action_word, "")
    rest = cursor.rest()
    try:
        match, tail = _match(Cursor(rest), kind)
    except NotUnderstood as problem:
        line = AclLine(action, (_fallback(rest, kind),), source, sequence, understood=False, approximation=str(problem))
        return Entry(line)
    understood = True
    if tail.vlan:
        if action is Action.DENY:
            understood = False
        approximation = "; ".join(filter(None, (approximation, "the 802.1Q VLAN condition is not modelled")))
    line = AclLine(action, (match,), source, sequence, understood, approximation)
    return Entry(line, redirects=action_word == REDIRECT)


def implicit_permit(source: Source) -> AclLine:
    return AclLine(Action.PERMIT, (Match(),), source)


def _matches_everything(line: AclLine) -> bool:
    return line.understood and not line.approximation and Match() in line.matches


@dataclass
class AclDraft:
    """A list while its entries are read (in the order the running-config prints them,
    which is sequence order); `finish` adds a hardware list's implicit permit unless its
    last entry already matches every packet."""

    name: str
    kind: str
    source: Source
    lines: list[AclLine]

    def finish(self) -> Acl:
        lines = list(self.lines)
        if self.kind == HARDWARE and not (lines and _matches_everything(lines[-1])):
            lines.append(implicit_permit(self.source))
        return Acl(self.name, tuple(lines), self.source, STANDARD if self.kind == STANDARD else EXTENDED)


__all__ = ["EXTENDED", "HARDWARE", "STANDARD", "AclDraft", "Entry", "numbered_kind", "read_entry"]
