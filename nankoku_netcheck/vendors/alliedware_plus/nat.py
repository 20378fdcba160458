"""The AR-series (AlliedWare Plus UTM/VPN firewall) `nat` rules as NatRule header rewrites.

Syntax (AT-AR1050V/AR2050V Command Reference, "UTM / NAT", `rule` in NAT mode):
`nat` block holding `rule [ID] masq APP from SRC to DST [with src ADDR]`, `rule [ID] portfwd
APP from SRC [to DST] with dst ADDR [dport PORT]`, `rule [ID] netmap APP from SRC to DST with
dst|src NET`, and `enable` (without it no rule translates). SRC, DST, ADDR and NET are the
firewall's entities (`zone`, `zone.network`, `zone.network.host`, see firewall.py); a rule
naming an entity or application that is not defined is not in force (the reference says so).
The firewall's rules see the translated destination of a port forward (the vendor's examples
permit `from public to private.lan.web` for a forward to that host), which is the engine's
order too (un-translation before the filters).

Mapping, each choice toward more reachability where the documentation leaves one:
- `masq` → a dynamic rule: sources in SRC leaving by the interfaces DST is bound to (`any`:
  every interface) take ADDR's address (a host or a pool), or without `with src` the
  address of the interface they leave by. The application and the destinations inside DST
  are not matched (a dynamic rule has no such condition), and `approximation` says so. The
  reference makes `masq` of a single host onto a dedicated address a one-way static NAT
  ("内 → 外"), which is what a dynamic rule does: nothing arriving is un-translated.
  A DST bound to no interface (a subnet without `interface`) is META-001: which packets the
  rule translates cannot be expressed;
- `portfwd` → a static port forward (vendors/forwards.py): packets arriving on SRC's
  interfaces (any interface when SRC names none) for DST's address go to ADDR. DST and ADDR
  must each be one host address; otherwise (no `to`, a subnet) the rule is META-001, since
  un-translating a whole subnet would take every packet to it;
- `netmap` is META-001: not modelled yet.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace

from nankoku_netcheck.model import PROTO_TCP, PROTO_UDP, Interface, NatRule, PortRange, Source, UnknownKind, is_decimal
from nankoku_netcheck.vendors.alliedware_plus.blocks import Command, Ledger
from nankoku_netcheck.vendors.alliedware_plus.firewall import Firewall
from nankoku_netcheck.vendors.common import NotUnderstood, number
from nankoku_netcheck.vendors.forwards import Forward, forward_rules

FORWARDING = UnknownKind.FORWARDING
HARMLESS = UnknownKind.HARMLESS

MASQ_ANY_PACKET = (
    "every packet from the source entity leaving by the interface is translated (application and destination "
    "not matched)"
)
REASON_DISABLED = "NAT is not enabled (no 'enable' under 'nat'): the rule translates nothing"

Prefixes = tuple[tuple[int, int], ...]


@dataclass
class Nat:
    """The `nat` block, read as it comes; the rules are built once the entities are known."""

    ledger: Ledger
    rules: list[tuple[int, Command]] = field(default_factory=list)
    enabled: bool = False

    def nat(self, command: Command) -> None:
        ledger = self.ledger
        ledger.parsed(command.index)
        for child in command.children:
            lowered = child.lowered
            if lowered == ("enable",):
                self.enabled = True
                ledger.parsed(child.index)
            elif lowered[0] == "rule" and len(lowered) > 1:
                order = int(lowered[1]) if is_decimal(lowered[1]) else 65536 + len(self.rules)
                self.rules.append((order, child))
            else:
                ledger.unknown(child.index, FORWARDING, f"NAT command '{' '.join(lowered[:2])}' is not modelled")

    def nat_rules(self, firewall: Firewall, interfaces: Mapping[str, Interface]) -> list[NatRule]:
        """Static forwards first (section 1), then masquerades (section 2), each in rule order."""
        forwards: list[Forward] = []
        masquerades: list[NatRule] = []
        for _, command in sorted(self.rules, key=lambda pair: pair[0]):
            try:
                self._rule(command, firewall, interfaces, forwards, masquerades)
            except NotUnderstood as problem:
                self.ledger.unknown(command.index, FORWARDING, f"NAT rule not modelled: {problem}")
                continue
            self.ledger.parsed(command.index)
        rules = forward_rules(forwards, 0)
        rules += [replace(rule, order=len(rules) + offset) for offset, rule in enumerate(masquerades)]
        if self.enabled:
            return rules
        for _, command in self.rules:
            if self.ledger.outcome.get(command.index) is None:
                self.ledger.unknown(command.index, HARMLESS, REASON_DISABLED)
        return [replace(rule, inactive=True) for rule in rules]

    def _rule(
        self,
        command: Command,
        firewall: Firewall,
        interfaces: Mapping[str, Interface],
        forwards: list[Forward],
        masquerades: list[NatRule],
    ) -> None:
        words = list(command.words[1:])
        if words and is_decimal(words[0]):
            words.pop(0)
        lowered = [word.lower() for word in words]
        if len(lowered) < 4 or lowered[2] != "from":
            raise NotUnderstood("expected 'ACTION APP from SRC ...'")
        action, application = lowered[0], words[1]
        _application(firewall, application)
        source = self.ledger.source(command.index)
        if action == "masq":
            masquerades.extend(_masquerade(words, lowered, firewall, source))
        elif action == "portfwd":
            forwards.extend(_port_forward(words, lowered, firewall, source))
        elif action == "netmap":
            raise NotUnderstood("netmap (subnet mapping) is not modelled yet")
        else:
            raise NotUnderstood(f"action '{words[0]}'")


def _application(firewall: Firewall, name: str) -> None:
    if name.lower() != "any" and name in firewall.applications and firewall.applications[name] is None:
        raise NotUnderstood(f"application '{name}' not understood")


def _masquerade(words: list[str], lowered: list[str], firewall: Firewall, source: Source) -> list[NatRule]:
    """`masq APP from SRC to DST [with src ADDR]`."""
    if len(lowered) not in (6, 9) or lowered[4] != "to" or (len(lowered) == 9 and lowered[6:8] != ["with", "src"]):
        raise NotUnderstood("expected 'masq APP from SRC to DST [with src ADDR]'")
    real = _prefixes(firewall, words[3])
    mapped = _prefixes(firewall, words[8]) if len(lowered) == 9 else None
    if len(lowered) == 9 and mapped is None:
        raise NotUnderstood(f"entity '{words[8]}' holds no address to translate to")
    outward: list[str | None]
    if lowered[5] == "any":
        outward = [None]
    else:
        entity = firewall.entities.get(words[5])
        if entity is None or entity.unbound or not entity.interfaces:
            raise NotUnderstood(f"entity '{words[5]}' is bound to no interface: the translated packets are unknown")
        outward = [*sorted(entity.interfaces)]
    return [
        NatRule(
            source=source,
            section=2,
            order=0,
            kind="dynamic",
            real_interface=None,
            mapped_interface=interface,
            real_source=real,
            mapped_source=mapped,
            interface_pat=mapped is None,
            approximation=MASQ_ANY_PACKET,
        )
        for interface in outward
    ]


def _port_forward(words: list[str], lowered: list[str], firewall: Firewall, source: Source) -> list[Forward]:
    """`portfwd APP from SRC to DST with dst ADDR [dport PORT]`."""
    if len(lowered) not in (9, 11) or lowered[4] != "to" or lowered[6:8] != ["with", "dst"]:
        raise NotUnderstood("a port forward without 'to' names no outer address")
    if len(lowered) == 11 and lowered[9] != "dport":
        raise NotUnderstood(f"unexpected '{words[9]}'")
    outer, inner = _host(firewall, words[5]), _host(firewall, words[8])
    inner_port = number(lowered[10], 1, 65535, "port") if len(lowered) == 11 else None
    match = firewall.applications.get(words[1])
    protocol = match.protocols[0] if match is not None and match.protocols and len(match.protocols) == 1 else None
    outer_ports = match.dst_ports if match is not None and protocol in (PROTO_TCP, PROTO_UDP) else None
    outer_port = outer_ports[0] if outer_ports else None
    entity = firewall.entities.get(words[3])
    arriving: list[str | None] = [None]
    if entity is not None and not entity.unbound and entity.interfaces:
        arriving = [*sorted(entity.interfaces)]
    return [
        Forward(
            source,
            interface,
            outer,
            inner,
            protocol,
            outer_port,
            PortRange(inner_port, inner_port) if inner_port is not None else outer_port,
            selective=words[1].lower() != "any" or inner_port is not None,
        )
        for interface in arriving
    ]


def _prefixes(firewall: Firewall, name: str) -> Prefixes | None:
    """An entity's addresses as prefixes; None for `any`."""
    if name.lower() == "any":
        return None
    entity = firewall.entities.get(name)
    if entity is None or not entity.addresses:
        raise NotUnderstood(f"entity '{name}' is not defined or holds no address")
    return tuple(dict.fromkeys((item.address, 32 - item.wildcard.bit_length()) for item in entity.addresses))


def _host(firewall: Firewall, name: str) -> int:
    prefixes = _prefixes(firewall, name)
    if prefixes is None or len(prefixes) != 1 or prefixes[0][1] != 32:
        raise NotUnderstood(f"entity '{name}' is not one host address")
    return prefixes[0][0]
