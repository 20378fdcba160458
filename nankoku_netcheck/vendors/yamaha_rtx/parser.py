"""YAMAHA RTX configuration parser (`show config` output of RTX830/1210/1220/1300/3510):
`parse(text, path) -> Device`.

The RTX config is a flat list of commands; `pp select N` and `tunnel select N` make the
following `ip pp ...` / `ip tunnel ...` / `pp ...` lines apply to PP N or tunnel N until the
next select (`none` ends it). Interfaces: `lanN`, VLAN interfaces `lanN/M` (`vlan lanN/M
802.1q vid=V`), `vlanN`, `bridgeN`, `loopbackN`, `ppN`, `tunnelN`. PP (PPPoE) and tunnels are
interfaces whose far side the topology declares (a link); their addresses, when negotiated
(`ipcp`), are run-time facts.

Every non-blank line ends up parsed into the model, a HARMLESS UnknownLine (comments,
settings that never change forwarding), or a FORWARDING UnknownLine (META-001): a line
whose first words are not known, or a known command this parser cannot read. Filters and
their binding: filters.py (with how the RTX semantics map onto the engine's). Routes:
`ip route` (every gateway of a line is a route; `filter` conditions, `hide` and `keepalive`
only narrow when a gateway is used, so ignoring them gives more reachability); RIP, OSPF
and BGP are over-approximated as dynamic routing on every interface. NAT descriptors:
nat.py.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field, replace

from nankoku_netcheck.model import (
    Acl,
    Device,
    DynamicRouting,
    Interface,
    InterfaceAddress,
    InterfaceMgmt,
    MgmtSettings,
    Route,
    RouteKind,
    Source,
    ToTheBox,
    UnknownKind,
    UnknownLine,
    mask_to_length,
)
from nankoku_netcheck.vendors.common import NotUnderstood, file_stem, ipv4, number, split_lines
from nankoku_netcheck.vendors.yamaha_rtx import filters as f
from nankoku_netcheck.vendors.yamaha_rtx.mgmt import MGMT_STARTS, read_mgmt
from nankoku_netcheck.vendors.yamaha_rtx.nat import NatBook

VENDOR = "yamaha_rtx"

_INTERFACE = re.compile(r"^(?:lan\d+(?:/\d+)?|vlan\d+|bridge\d+|loopback\d+|tunnel\d+|pp|tunnel)$", re.IGNORECASE)

# First words (one or two) of commands that never change how packets are forwarded or filtered.
_HARMLESS: frozenset[tuple[str, ...]] = frozenset(
    {
        ("console",),
        ("timezone",),
        ("dns",),
        ("dhcp",),
        ("alarm",),
        ("statistics",),
        ("security",),
        ("switch",),
        ("analog",),
        ("sip",),
        ("queue",),
        ("ppp",),
        ("pppoe",),
        ("l2tp",),
        ("ipsec",),
        ("ipv6",),
        ("lan", "type"),
        ("lan", "port-mirroring"),
        ("lan", "port", "type"),
        ("description",),
        ("operation",),
        ("show",),
        ("save",),
        ("administrator",),
        ("login",),
        ("user",),
        ("external-memory",),
        ("usbhost",),
        ("sd",),
        ("bridge",),
        ("netvolante-dns",),
        ("upnp",),
        ("ip", "host"),
        ("ip", "filter", "source-route"),
        ("ip", "filter", "directed-broadcast"),
        ("pp", "auth"),
        ("pp", "always-on"),
        ("pp", "keepalive"),
        ("pp", "name"),
        ("pp", "bind"),
        ("tunnel", "encapsulation"),
        ("tunnel", "endpoint"),
        ("tunnel", "name"),
        ("tunnel", "template"),
        ("ip", "icmp"),
        ("ip", "keepalive"),
        ("ip", "routing"),
        ("ip", "route", "change"),
        ("system",),
        ("lan-map",),
        ("speed",),
        ("ngn",),
        ("switching-hub",),
        ("ap",),
        ("account",),
    }
)
_DYNAMIC = {"rip": "rip", "ospf": "ospf", "bgp": "bgp"}
_IF_HARMLESS = {"mtu", "proxyarp", "intrusion", "tcp", "forward", "traffic", "routing", "remote", "rip", "ospf"}


class Ledger:
    """Where each line ended up: parsed (no entry) or an UnknownLine."""

    def __init__(self, text: str, path: str) -> None:
        self.path = path
        self.lines = split_lines(text)
        self.unknowns: list[UnknownLine] = []

    def source(self, index: int) -> Source:
        return Source(self.path, index + 1, self.lines[index])

    def unknown(self, index: int, kind: UnknownKind, reason: str) -> None:
        self.unknowns.append(UnknownLine(self.source(index), kind, reason))


@dataclass
class _Iface:
    name: str
    source: Source
    kind: str
    addresses: list[InterfaceAddress] = field(default_factory=list)
    address_unknown: bool = False
    shutdown: bool = False
    description: str = ""
    vlan: int | None = None
    used: bool = False  # a filter list, NAT descriptor or VLAN puts it to use


@dataclass
class _Reader:
    ledger: Ledger
    interfaces: dict[str, _Iface] = field(default_factory=dict)
    statics: dict[int, f.StaticFilter] = field(default_factory=dict)
    dynamics: dict[int, f.DynamicFilter] = field(default_factory=dict)
    bindings: dict[tuple[str, str], f.Binding] = field(default_factory=dict)
    routes: list[Route] = field(default_factory=list)
    dynamic_routing: list[tuple[str, Source]] = field(default_factory=list)
    mgmt_lines: list[int] = field(default_factory=list)
    nat: NatBook = field(default_factory=NatBook)
    context: tuple[str, str] | None = None  # ("pp" | "tunnel", "N") after `pp select N`; "anonymous" too

    def read(self) -> None:
        for index, line in enumerate(self.ledger.lines):
            stripped = line.strip()
            if not stripped:
                continue
            if stripped.startswith("#"):
                self.ledger.unknown(index, UnknownKind.HARMLESS, "comment")
                continue
            words = stripped.split()
            try:
                self.command(index, words)
            except NotUnderstood as problem:
                self.ledger.unknown(index, UnknownKind.FORWARDING, f"not understood: {problem}")

    def command(self, index: int, words: list[str]) -> None:
        lowered = [word.lower() for word in words]
        source = self.ledger.source(index)
        first = lowered[0]
        if first in {"pppoe", "bridge"}:
            # `pppoe use lan2`, `bridge member bridge1 lan1 ...` put LAN ports to use.
            for word in lowered[1:]:
                if re.match(r"^lan\d+$", word):
                    self.iface(word, source, "physical").used = True
        if first in {"pp", "tunnel"} and len(lowered) >= 3 and lowered[1] in {"select", "enable", "disable"}:
            self.select_or_enable(first, lowered[1], lowered[2], source)
        elif first == "vlan" and len(lowered) >= 4 and lowered[2] == "802.1q":
            self.vlan(words, source)
        elif first == "ip" and len(lowered) >= 3 and lowered[1] == "filter" and lowered[2] == "dynamic":
            dynamic = f.read_dynamic(words[3:], source, self.statics)
            self.dynamics[dynamic.number] = dynamic
            self.note_inexact(index, dynamic.understood, dynamic.approximation)
        elif first == "ip" and len(lowered) >= 3 and lowered[1] == "filter" and lowered[2][:1].isdigit():
            static = f.read_static(words[2:], source)
            self.statics[static.number] = static
            self.note_inexact(index, static.line.understood, static.line.approximation)
        elif first == "ip" and len(lowered) >= 3 and lowered[1] == "route" and lowered[2] != "change":
            self.route(words[2:], source)
        elif first == "ip" and len(lowered) >= 3 and _INTERFACE.match(lowered[1]):
            self.interface_command(index, words[1], lowered[2:], words[2:], source)
        elif first in _DYNAMIC and len(lowered) >= 3 and lowered[1] == "use" and lowered[2] == "on":
            self.dynamic_routing.append((_DYNAMIC[first], source))
        elif first in _DYNAMIC:
            self.ledger.unknown(index, UnknownKind.HARMLESS, "dynamic routing detail (over-approximated)")
        elif first == "nat" and len(lowered) >= 2 and lowered[1] == "descriptor":
            note = self.nat.read(words[2:], source)
            if note is not None:
                self.ledger.unknown(index, UnknownKind.HARMLESS, note)
        elif first == "description" and len(words) >= 3 and _INTERFACE.match(lowered[1]):
            self.iface(self.resolve(lowered[1]), source, _kind_of(self.resolve(lowered[1]))).description = _text(
                self.ledger.lines[index], words[1]
            )
        elif first == "lan" and len(lowered) >= 3 and lowered[1] == "shutdown" and _INTERFACE.match(lowered[2]):
            self.iface(lowered[2], source, _kind_of(lowered[2])).shutdown = True
        elif first == "schedule" and "ntpdate" in lowered:
            self.mgmt_lines.append(index)
        elif first == "schedule":
            self.ledger.unknown(index, UnknownKind.FORWARDING, "a scheduled command may change forwarding")
        elif first in MGMT_STARTS:
            self.mgmt_lines.append(index)
        elif (first,) in _HARMLESS or tuple(lowered[:2]) in _HARMLESS or tuple(lowered[:3]) in _HARMLESS:
            self.ledger.unknown(index, UnknownKind.HARMLESS, f"'{' '.join(words[:2])}' does not affect forwarding")
        else:
            self.ledger.unknown(index, UnknownKind.FORWARDING, f"unknown command '{' '.join(words[:3])}'")

    def note_inexact(self, index: int, understood: bool, why: str) -> None:
        """A line the model cannot express exactly is META-001 unless it is a permit read wider."""
        if not understood:
            self.ledger.unknown(index, UnknownKind.FORWARDING, f"filter not fully understood: {why}")

    def select_or_enable(self, kind: str, verb: str, which: str, source: Source) -> None:
        if verb == "select":
            if which == "none":
                self.context = None
                return
            if kind == "pp" and which == "anonymous":
                self.context = (kind, which)
            else:
                self.context = (kind, str(number(which, 0, 65535, f"{kind} number")))
            self.iface(f"{kind}{self.context[1]}", source, kind)
            return
        if which == "all":
            for iface in self.interfaces.values():
                if iface.kind == kind:
                    iface.shutdown = verb == "disable"
            return
        if kind == "pp" and which == "anonymous":
            self.iface("ppanonymous", source, kind).shutdown = verb == "disable"
            return
        for part in which.split(","):
            low, _, high = part.partition("-")
            for item in range(number(low, 0, 65535, kind), number(high or low, 0, 65535, kind) + 1):
                iface = self.iface(f"{kind}{item}", source, kind if kind == "tunnel" else "pp")
                iface.shutdown = verb == "disable"

    def iface(self, name: str, source: Source, kind: str) -> _Iface:
        if name not in self.interfaces:
            # A PP or tunnel is down until `pp enable` / `tunnel enable` names it.
            down = kind in {"pp", "tunnel"}
            self.interfaces[name] = _Iface(name, source, kind, shutdown=down)
        return self.interfaces[name]

    def resolve(self, written: str) -> str:
        lowered = written.lower()
        if lowered in {"pp", "tunnel"}:
            if self.context is None or self.context[0] != lowered:
                raise NotUnderstood(f"'ip {lowered}' outside '{lowered} select N'")
            return f"{lowered}{self.context[1]}"
        return lowered

    def vlan(self, words: Sequence[str], source: Source) -> None:
        name = words[1].lower()
        if not re.match(r"^lan\d+/\d+$", name):
            raise NotUnderstood(f"VLAN interface '{words[1]}'")
        vid = next((word.split("=", 1)[1] for word in words[3:] if word.lower().startswith("vid=")), None)
        if vid is None:
            raise NotUnderstood("no 'vid='")
        iface = self.iface(name, source, "subinterface")
        iface.vlan = number(vid, 1, 4094, "VLAN ID")
        parent = name.split("/", 1)[0]
        self.iface(parent, source, "physical").used = True

    def interface_command(self, index: int, written: str, lowered: list[str], words: list[str], source: Source) -> None:
        name = self.resolve(written)
        iface = self.iface(name, source, _kind_of(name))
        iface.used = iface.used or lowered[0] not in {"address", "secondary"}
        if lowered[0] == "address":
            self.address(iface, words[1:], secondary=False)
        elif lowered[:2] == ["secondary", "address"]:
            self.address(iface, words[2:], secondary=True)
        elif lowered[:2] == ["secure", "filter"]:
            binding = f.read_binding(name, words[2:], source)
            self.bindings[(name, binding.direction)] = binding
        elif lowered[:2] == ["nat", "descriptor"]:
            self.nat.bind(name, words[2:], source)
        elif lowered[0] in _IF_HARMLESS:
            self.ledger.unknown(index, UnknownKind.HARMLESS, f"'ip {written} {words[0]}' does not affect forwarding")
        else:
            raise NotUnderstood(f"interface command 'ip {written} {words[0]}'")

    def address(self, iface: _Iface, words: Sequence[str], secondary: bool) -> None:
        if not words:
            raise NotUnderstood("no address")
        if words[0].lower() in {"dhcp", "ipcp"}:
            iface.address_unknown = True
            return
        address_text, _, mask_text = words[0].partition("/")
        if not mask_text and len(words) >= 2:
            mask_text = words[1]
        if not mask_text:
            length = 32
        elif "." in mask_text:
            found = mask_to_length(ipv4(mask_text))
            if found is None:
                raise NotUnderstood(f"non-contiguous mask '{mask_text}'")
            length = found
        else:
            length = number(mask_text, 0, 32, "prefix length")
        iface.addresses.append(InterfaceAddress(ipv4(address_text), length, secondary))

    def route(self, words: Sequence[str], source: Source) -> None:
        if len(words) < 3 or words[1].lower() != "gateway":
            raise NotUnderstood("expected 'ip route DEST gateway GW ...'")
        prefix, length = _destination(words[0])
        rest = [word.lower() for word in words[2:]]
        found = False
        position = 0
        while position < len(rest):
            word = rest[position]
            if word == "gateway":
                position += 1
                continue
            target = self.gateway(rest, position, prefix, length, source)
            if target is not None:
                route, used = target
                self.routes.append(route)
                position += used
                found = True
            else:
                position += 1
        if not found:
            raise NotUnderstood("no gateway understood")

    def gateway(
        self, rest: list[str], position: int, prefix: int, length: int, source: Source
    ) -> tuple[Route, int] | None:
        """The route one gateway word (with its argument) makes, and the words it used; None for
        a parameter (`metric N`, `hide`, `filter N ...`, `keepalive N`, `weight N`), which only
        narrows when the gateway is used."""
        word = rest[position]
        following = rest[position + 1] if position + 1 < len(rest) else None
        if word in {"pp", "tunnel"} and following is not None and following.isdigit():
            name = f"{word}{following}"
            self.iface(name, source, word)
            return Route(prefix, length, RouteKind.STATIC, source, interface=name), 2
        if word == "dhcp" and following is not None and _INTERFACE.match(following):
            return Route(prefix, length, RouteKind.STATIC, source, interface=following), 2
        if word in {"null", "discard"}:
            return Route(prefix, length, RouteKind.STATIC, source, interface="null", discard=True), 1
        if word.count(".") == 3 and all(part.isdigit() for part in word.split(".")):
            previous = rest[position - 1] if position else ""
            if previous in {"metric", "weight", "keepalive", "filter", "distance"}:
                return None
            return Route(prefix, length, RouteKind.STATIC, source, next_hop=ipv4(word)), 1
        if word in {"loopback", "lan"}:
            raise NotUnderstood(f"gateway '{word}'")
        return None

    def device(self, mgmt: MgmtSettings) -> Device:
        device = Device(
            name=file_stem(self.ledger.path),
            vendor=VENDOR,
            source_file=self.ledger.path,
            lines=tuple(self.ledger.lines),
            undefined_acl_permits=True,
            stateful=False,
            to_the_box=ToTheBox.FILTERED,
            mgmt=mgmt,
        )
        for name, draft in sorted(self.interfaces.items()):
            device.interfaces[name] = self.interface(draft)
            # A port only described (no address, filter or NAT on it) is bare: PORT-001 judges it.
            bare = not draft.addresses and not draft.address_unknown and not draft.used
            mgmt.interfaces[name] = InterfaceMgmt(name, draft.source, bare=bare, address_unknown=draft.address_unknown)
        for (name, direction), binding in sorted(self.bindings.items()):
            if name not in device.interfaces:
                continue
            opposite = self.bindings.get((name, "out" if direction == "in" else "in"))
            acl_name = f"{name} secure filter {direction}"
            elsewhere = [other for (other_name, _), other in sorted(self.bindings.items()) if other_name != name]
            lines = f.acl_lines(binding, opposite, self.statics, self.dynamics, elsewhere)
            device.acls[acl_name] = Acl(acl_name, lines, binding.source)
            interface = device.interfaces[name]
            if direction == "in":
                interface = replace(interface, acl_in=acl_name, acl_in_source=binding.source)
            else:
                interface = replace(interface, acl_out=acl_name, acl_out_source=binding.source)
            device.interfaces[name] = interface
        device.routes = list(self.routes)
        device.nat_rules, problems = self.nat.rules(device.interfaces)
        for source, reason in problems:
            self.ledger.unknowns.append(UnknownLine(source, UnknownKind.FORWARDING, reason))
        everywhere = tuple(sorted(device.interfaces))
        device.dynamic_routing = [
            DynamicRouting(protocol, protocol, everywhere, source) for protocol, source in self.dynamic_routing
        ]
        device.unknown_lines = sorted(self.ledger.unknowns, key=lambda unknown: unknown.source.line)
        return device

    @staticmethod
    def interface(draft: _Iface) -> Interface:
        return Interface(
            name=draft.name,
            source=draft.source,
            addresses=tuple(draft.addresses),
            shutdown=draft.shutdown,
            description=draft.description,
            kind=draft.kind,
            encapsulation_vlan=draft.vlan,
        )


def _text(line: str, after: str) -> str:
    """The rest of `line` after the word `after`, without surrounding quotes."""
    rest = line.split(after, 1)[1].strip()
    return rest[1:-1] if len(rest) >= 2 and rest[0] == rest[-1] == '"' else rest


def _kind_of(name: str) -> str:
    if name.startswith("pp"):
        return "pp"
    if name.startswith("tunnel"):
        return "tunnel"
    if name.startswith("loopback"):
        return "loopback"
    if "/" in name:
        return "subinterface"
    if name.startswith(("vlan", "bridge")):
        return "svi"
    return "physical"


def _destination(word: str) -> tuple[int, int]:
    if word.lower() == "default":
        return 0, 0
    address_text, _, mask_text = word.partition("/")
    address = ipv4(address_text)
    if not mask_text:
        return address, 32
    if "." in mask_text:
        length = mask_to_length(ipv4(mask_text))
        if length is None:
            raise NotUnderstood(f"non-contiguous mask '{mask_text}'")
    else:
        length = number(mask_text, 0, 32, "prefix length")
    mask = (0xFFFFFFFF << (32 - length)) & 0xFFFFFFFF if length else 0
    return address & mask, length


def parse(text: str, path: str) -> Device:
    """Parse a YAMAHA RTX configuration; `path` is the display path used in every Source."""
    ledger = Ledger(text, path)
    reader = _Reader(ledger)
    reader.read()
    mgmt = read_mgmt(ledger, reader.mgmt_lines)
    return reader.device(mgmt)
