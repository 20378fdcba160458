"""The AR-series (AlliedWare Plus UTM/VPN firewall) `firewall` rules as the device's policy.

Syntax (AR2050V Command Reference, "Firewall Commands" and "Application and Entity
Commands"): entities are `zone Z` blocks holding `network N` with `ip subnet A/LEN
[interface IF]` and `host H` with `ip address A`, named `Z`, `Z.N` or `Z.N.H`; custom
applications are `application A` blocks with `protocol`, `sport`/`dport P [to Q]` and
`icmp-type`; rules are `rule [ID] permit|deny|reject|log APP from SRC to DST
[no-state-enforcement] [log]` under `firewall`, checked in ID order, and `protect` turns the
firewall on (without it the rules decide nothing). A connection no rule permits is dropped
(the implicit deny; the guide's examples add `permit any from private to private` for that
reason), and the firewall is stateful.

How it is mapped, toward more reachability where the documentation leaves a choice:
- an entity is its addresses (the subnets and hosts under it); whether the device also
  requires the `interface` of `ip subnet` is not stated, so a permit rule applies on every
  interface pair and a deny rule only between the interfaces its entities name (a deny
  rule whose entities name no interface applies on every pair);
- `log` rules decide nothing (the connection goes on to the next rule); `reject` drops as
  `deny` does; `no-state-enforcement` is ignored;
- a predefined application (anything but `any` and the `application` blocks) is not in the
  config: a permit rule reads it as every packet, a deny rule that names one is not
  understood (ignored), and either is META-001; so is an entity that is not defined.
NAT (`nat` rules) reads the same entities (nat.py).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from nankoku_netcheck.model import (
    PORT_MAX,
    PROTO_ICMP,
    PROTO_TCP,
    PROTO_UDP,
    AclLine,
    Action,
    IcmpMatch,
    Match,
    PolicyRule,
    PortRange,
    UnknownKind,
    Wildcard,
    is_decimal,
)
from nankoku_netcheck.vendors.alliedware_plus.blocks import Command, Ledger
from nankoku_netcheck.vendors.alliedware_plus.names import expand
from nankoku_netcheck.vendors.common import NotUnderstood, ipv4, number, union_or_any

FORWARDING = UnknownKind.FORWARDING
HARMLESS = UnknownKind.HARMLESS
_PROTOCOLS = {"tcp": PROTO_TCP, "udp": PROTO_UDP, "icmp": PROTO_ICMP}


@dataclass
class Entity:
    addresses: list[Wildcard] = field(default_factory=list)
    interfaces: set[str] = field(default_factory=set)
    unbound: bool = False  # holds a subnet without `interface`


@dataclass
class Firewall:
    """What `zone`, `application` and `firewall` blocks say, read as they come."""

    ledger: Ledger
    entities: dict[str, Entity] = field(default_factory=dict)
    applications: dict[str, Match | None] = field(default_factory=dict)  # None: not understood
    rules: list[tuple[int, Command]] = field(default_factory=list)
    protected: bool = False
    seen: bool = False

    def zone(self, command: Command) -> None:
        ledger = self.ledger
        zone = command.words[1]
        path = [zone]
        self.entities.setdefault(zone, Entity())
        ledger.parsed(command.index)
        for child in command.children:
            lowered = child.lowered
            try:
                if lowered[0] in ("network", "host") and len(lowered) == 2:
                    path = [zone, child.words[1]] if lowered[0] == "network" else [*path[:2], child.words[1]]
                    self.entities.setdefault(".".join(path), Entity())
                elif lowered[:2] in (("ip", "subnet"), ("ip", "address")) and len(lowered) >= 3:
                    self._address(path, child)
                else:
                    raise NotUnderstood(f"'{' '.join(lowered[:2])}'")
            except NotUnderstood as problem:
                ledger.unknown(child.index, FORWARDING, f"firewall entity not understood: {problem}")
                continue
            ledger.parsed(child.index)

    def _address(self, path: list[str], child: Command) -> None:
        words = child.lowered
        text = child.words[2]
        if "/" in text:
            address_text, _, length_text = text.partition("/")
            wildcard = Wildcard.prefix(ipv4(address_text), number(length_text, 0, 32, "prefix length"))
        else:
            wildcard = Wildcard.host(ipv4(text))
        interfaces: list[str] = []
        if len(words) == 5 and words[3] == "interface":
            interfaces = expand(child.words[4])
        elif len(words) != 3:
            raise NotUnderstood(f"unexpected '{' '.join(child.words[3:])}'")
        for depth in range(1, len(path) + 1):
            entity = self.entities[".".join(path[:depth])]
            entity.addresses.append(wildcard)
            entity.interfaces.update(interfaces)
            # A host's address sits in its network's subnet, behind that subnet's interface.
            entity.unbound = entity.unbound or (words[1] == "subnet" and not interfaces)

    def application(self, command: Command) -> None:
        ledger = self.ledger
        name = command.words[1]
        ledger.parsed(command.index)
        try:
            match = _application(command)
        except NotUnderstood as problem:
            self.applications[name] = None
            ledger.block(command, FORWARDING, f"application not understood: {problem}")
            return
        self.applications[name] = match
        for child in command.children:
            ledger.parsed(child.index)

    def firewall(self, command: Command) -> None:
        self.seen = True
        ledger = self.ledger
        ledger.parsed(command.index)
        for child in command.children:
            lowered = child.lowered
            if lowered == ("protect",):
                self.protected = True
                ledger.parsed(child.index)
            elif lowered[0] == "rule" and len(lowered) > 1:
                order = int(lowered[1]) if is_decimal(lowered[1]) else 65536 + len(self.rules)
                self.rules.append((order, child))
            else:
                ledger.unknown(child.index, FORWARDING, f"firewall command '{' '.join(lowered[:2])}' is not modelled")

    def policy(self) -> tuple[PolicyRule, ...] | None:
        """The rules in ID order when the firewall protects, else None (and the rules decide nothing)."""
        rules: list[PolicyRule] = []
        for _, command in sorted(self.rules, key=lambda pair: pair[0]):
            rule = self._rule(command)
            if rule is not None and self.protected:
                rules.append(rule)
        return tuple(rules) if self.protected else None

    def _rule(self, command: Command) -> PolicyRule | None:
        ledger = self.ledger
        source = ledger.source(command.index)
        words = list(command.words[1:])
        if words and is_decimal(words[0]):
            words.pop(0)
        lowered = [word.lower() for word in words]
        while lowered and lowered[-1] in ("log", "no-state-enforcement"):
            lowered.pop()
        if len(lowered) != 6 or lowered[2] != "from" or lowered[4] != "to" or lowered[0] not in _ACTIONS:
            ledger.unknown(command.index, FORWARDING, "firewall rule not understood")
            return None
        if lowered[0] == "log":
            ledger.unknown(command.index, HARMLESS, "a log rule decides nothing: the next rule does")
            return None
        action = Action.PERMIT if lowered[0] == "permit" else Action.DENY
        problems: list[str] = []
        match = self._match(words[1], words[3], words[5], problems)
        if problems:
            ledger.unknown(command.index, FORWARDING, "; ".join(problems))
        else:
            ledger.parsed(command.index)
        understood = not problems or action is Action.PERMIT
        line = AclLine(action, (match,), source, understood=understood, approximation="; ".join(problems))
        rule_name = f"rule {command.words[1]}" if is_decimal(command.words[1]) else f"rule at line {source.line}"
        if action is Action.PERMIT:
            return PolicyRule(rule_name, source, lines=(line,))
        return PolicyRule(
            rule_name,
            source,
            from_interfaces=self._interfaces(words[3]),
            to_interfaces=self._interfaces(words[5]),
            lines=(line,),
        )

    def _match(self, application: str, source: str, destination: str, problems: list[str]) -> Match:
        base = Match()
        if application.lower() != "any":
            found = self.applications.get(application)
            if found is None:
                problems.append(f"application '{application}' is predefined or not understood: read as any traffic")
            else:
                base = found
        return Match(
            protocols=base.protocols,
            src=self._addresses(source, problems),
            dst=self._addresses(destination, problems),
            src_ports=base.src_ports,
            dst_ports=base.dst_ports,
            icmp=base.icmp,
        )

    def _addresses(self, name: str, problems: list[str]) -> tuple[Wildcard, ...] | None:
        if name.lower() == "any":
            return None
        entity = self.entities.get(name)
        if entity is None or not entity.addresses:
            problems.append(f"entity '{name}' is not defined or holds no address: read as any address")
            return None
        return union_or_any(entity.addresses)

    def _interfaces(self, name: str) -> tuple[str, ...] | None:
        entity = self.entities.get(name)
        if entity is None or entity.unbound or not entity.interfaces:
            return None
        return tuple(sorted(entity.interfaces))


_ACTIONS = frozenset({"permit", "deny", "reject", "log"})


def _application(command: Command) -> Match:
    protocols: tuple[int, ...] | None = None
    src_ports: tuple[PortRange, ...] | None = None
    dst_ports: tuple[PortRange, ...] | None = None
    icmp: tuple[IcmpMatch, ...] | None = None
    for child in command.children:
        lowered = child.lowered
        if lowered[0] == "protocol" and len(lowered) == 2:
            word = lowered[1]
            protocols = (_PROTOCOLS[word],) if word in _PROTOCOLS else (number(word, 0, 255, "protocol"),)
        elif lowered[0] in ("sport", "dport") and len(lowered) in (2, 4):
            low = number(lowered[1], 0, PORT_MAX, "port")
            high = number(lowered[3], low, PORT_MAX, "port") if len(lowered) == 4 and lowered[2] == "to" else low
            if len(lowered) == 4 and lowered[2] != "to":
                raise NotUnderstood(f"'{' '.join(lowered)}'")
            if lowered[0] == "sport":
                src_ports = (PortRange(low, high),)
            else:
                dst_ports = (PortRange(low, high),)
        elif lowered[0] == "icmp-type" and len(lowered) == 2:
            icmp = (IcmpMatch(number(lowered[1], 0, 255, "ICMP type")),)
        else:
            raise NotUnderstood(f"'{' '.join(lowered)}'")
    if protocols is None:
        raise NotUnderstood("no protocol")
    return Match(protocols=protocols, src_ports=src_ports, dst_ports=dst_ports, icmp=icmp)
