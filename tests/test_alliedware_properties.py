"""AlliedWare Plus filter semantics as a property: random access lists written as *text*
(numbered hardware lists and named software lists), parsed by the plugin, decide random
packets exactly as an evaluator written here from the Command Reference does: entries in
order, first match decides, a packet no entry matches is permitted by a hardware list and
denied by a software list. The parsed model is judged with the test oracle."""

from __future__ import annotations

from dataclasses import dataclass

import oracle
from hypothesis import given
from hypothesis import strategies as st
from strategies import examples

from nankoku_netcheck.parse import parse_config

BASES = (0x0A020000, 0x0A020100, 0x0A010000, 0xC0A80000)
PORTS = (0, 22, 23, 53, 80, 443, 1023, 1024, 65535)
PROTOCOLS = {"tcp": 6, "udp": 17, "icmp": 1}


@dataclass(frozen=True)
class Address:
    form: str  # any | host | prefix | mask
    address: int = 0
    length: int = 0
    mask: int = 0

    def text(self) -> str:
        dotted = _dotted(self.address)
        return {
            "any": "any",
            "host": f"host {dotted}",
            "prefix": f"{dotted}/{self.length}",
            "mask": f"{dotted} {_dotted(self.mask)}",
        }[self.form]

    def hits(self, value: int) -> bool:
        if self.form == "any":
            return True
        if self.form == "host":
            return value == self.address
        if self.form == "prefix":
            shift = 32 - self.length
            return (value >> shift) == (self.address >> shift) if shift < 32 else True
        return (value ^ self.address) & ~self.mask & 0xFFFFFFFF == 0


@dataclass(frozen=True)
class Ports:
    operator: str  # "" | eq | ne | lt | gt | range
    low: int = 0
    high: int = 0

    def text(self) -> str:
        if not self.operator:
            return ""
        return f" range {self.low} {self.high}" if self.operator == "range" else f" {self.operator} {self.low}"

    def hits(self, port: int) -> bool:
        return {
            "": True,
            "eq": port == self.low,
            "ne": port != self.low,
            "lt": port < self.low,
            "gt": port > self.low,
            "range": self.low <= port <= self.high,
        }[self.operator]


@dataclass(frozen=True)
class Entry:
    action: str
    protocol: str  # ip | tcp | udp | icmp | proto N
    source: Address
    destination: Address
    source_ports: Ports
    destination_ports: Ports
    icmp_type: int | None

    def text(self) -> str:
        icmp = f" icmp-type {self.icmp_type}" if self.icmp_type is not None else ""
        return (
            f"{self.action} {self.protocol} {self.source.text()}{self.source_ports.text()} "
            f"{self.destination.text()}{self.destination_ports.text()}{icmp}"
        )

    def hits(self, packet: Probe) -> bool:
        if self.protocol.startswith("proto "):
            wanted: int | None = int(self.protocol.split()[1])
        else:
            wanted = PROTOCOLS.get(self.protocol)
        return (
            (wanted is None or packet.proto == wanted)
            and self.source.hits(packet.src)
            and self.destination.hits(packet.dst)
            and self.source_ports.hits(packet.sport)
            and self.destination_ports.hits(packet.dport)
            and (self.icmp_type is None or packet.icmp_type == self.icmp_type)
        )


@dataclass
class Probe:
    """A packet as the oracle reads it (a plain record: the oracle's protocol wants settable fields)."""

    src: int
    dst: int
    proto: int
    sport: int
    dport: int
    established: bool
    icmp_type: int
    icmp_code: int = 0


def _dotted(value: int) -> str:
    return ".".join(str((value >> shift) & 0xFF) for shift in (24, 16, 8, 0))


@st.composite
def addresses(draw: st.DrawFn) -> Address:
    form = draw(st.sampled_from(("any", "host", "prefix", "mask")))
    base = draw(st.sampled_from(BASES)) | draw(st.integers(0, 3))
    if form == "prefix":
        length = draw(st.sampled_from((8, 16, 23, 24, 30, 32)))
        return Address(form, base & ((0xFFFFFFFF << (32 - length)) & 0xFFFFFFFF), length)
    if form == "mask":
        return Address(form, base, mask=draw(st.sampled_from((0xFF, 0x1FF, 0xFFFF, 0x00FF00FF, 3))))
    return Address(form, base)


@st.composite
def ports(draw: st.DrawFn) -> Ports:
    operator = draw(st.sampled_from(("", "eq", "ne", "lt", "gt", "range")))
    low = draw(st.sampled_from(PORTS[1:-1]))
    high = draw(st.sampled_from([port for port in PORTS if port >= low]))
    return Ports(operator, low, high)


@st.composite
def entries(draw: st.DrawFn) -> Entry:
    protocol = draw(st.sampled_from(("ip", "tcp", "udp", "icmp", "proto 89")))
    ported = protocol in ("tcp", "udp")
    return Entry(
        draw(st.sampled_from(("permit", "deny"))),
        protocol,
        draw(addresses()),
        draw(addresses()),
        draw(ports()) if ported else Ports(""),
        draw(ports()) if ported else Ports(""),
        draw(st.sampled_from((0, 8))) if protocol == "icmp" and draw(st.booleans()) else None,
    )


@st.composite
def packets(draw: st.DrawFn) -> Probe:
    def address() -> int:
        return draw(st.sampled_from(BASES)) | draw(st.sampled_from((0, 1, 2, 3, 10, 0x100, 0x1FF)))

    proto = draw(st.sampled_from((1, 6, 17, 89)))
    ported = proto in (6, 17)
    return Probe(
        address(),
        address(),
        proto,
        draw(st.sampled_from(PORTS)) if ported else 0,
        draw(st.sampled_from(PORTS)) if ported else 0,
        False,
        draw(st.sampled_from((0, 8, 3))) if proto == 1 else 0,
    )


def written(hardware: bool, listed: list[Entry]) -> str:
    if hardware:
        body = "".join(f"access-list 3000 {entry.text()}\n" for entry in listed)
        name = "3000"
    else:
        body = "access-list extended LIST\n" + "".join(f" {entry.text()}\n" for entry in listed)
        name = "LIST"
    return f"hostname sw1\n{body}interface port1.0.1\n access-group {name}\n"


def expected(hardware: bool, listed: list[Entry], packet: Probe) -> bool:
    for entry in listed:
        if entry.hits(packet):
            return entry.action == "permit"
    return hardware


@examples(150)
@given(st.booleans(), st.lists(entries(), min_size=1, max_size=6), st.lists(packets(), min_size=1, max_size=12))
def test_parsed_lists_decide_packets_as_the_documented_semantics(
    hardware: bool, listed: list[Entry], sample: list[Probe]
) -> None:
    device = parse_config(written(hardware, listed), "sw1.cfg")
    assert device.forwarding_unknowns == []
    acl = device.interfaces["port1.0.1"].acl_in
    for packet in sample:
        assert oracle.filter_permits(device, acl, packet) == expected(hardware, listed, packet), (packet, listed)


# --- AR-series firewall rules ---------------------------------------------------------------

# Entity → (addresses as (network, length), the interface its subnets name).
ENTITIES = {
    "private": ((0x0A020000, 24), "Vlan20"),
    "private.lan": ((0x0A020000, 24), "Vlan20"),
    "private.lan.srv": ((0x0A02000A, 32), "Vlan20"),
    "mn": ((0x0A010000, 24), "Vlan99"),
    "public": ((0, 0), "Vlan99"),
}
ZONES = """\
zone private
 network lan
  ip subnet 10.2.0.0/24 interface vlan20
  host srv
   ip address 10.2.0.10
zone mn
 network net
  ip subnet 10.1.0.0/24 interface vlan99
zone public
 network wan
  ip subnet 0.0.0.0/0 interface vlan99
application app-tcp
 protocol tcp
 dport 80 to 443
application app-udp
 protocol udp
 dport 53
interface vlan20
 ip address 10.2.0.1/24
interface vlan99
 ip address 10.9.0.1/30
"""
APPLICATIONS = {"any": None, "app-tcp": (6, 80, 443), "app-udp": (17, 53, 53)}


@dataclass(frozen=True)
class Rule:
    rule_id: int
    action: str  # permit | deny | reject | log
    application: str
    source: str
    destination: str

    def text(self) -> str:
        return f" rule {self.rule_id} {self.action} {self.application} from {self.source} to {self.destination}\n"

    def hits(self, packet: Probe, in_if: str, out_if: str) -> bool:
        application = APPLICATIONS[self.application]
        if application is not None:
            protocol, low, high = application
            if packet.proto != protocol or not low <= packet.dport <= high:
                return False
        if not (_inside(ENTITIES[self.source][0], packet.src) and _inside(ENTITIES[self.destination][0], packet.dst)):
            return False
        # Chosen reading (firewall.py): deny rules only between their entities' interfaces.
        if self.action in ("deny", "reject"):
            return ENTITIES[self.source][1] == in_if and ENTITIES[self.destination][1] == out_if
        return True


def _inside(prefix: tuple[int, int], address: int) -> bool:
    network, length = prefix
    return length == 0 or (address >> (32 - length)) == (network >> (32 - length))


@st.composite
def rule_sets(draw: st.DrawFn) -> list[Rule]:
    identifiers = draw(st.lists(st.integers(1, 200), min_size=0, max_size=6, unique=True))
    return [
        Rule(
            identifier,
            draw(st.sampled_from(("permit", "deny", "reject", "log"))),
            draw(st.sampled_from(sorted(APPLICATIONS))),
            draw(st.sampled_from(sorted(ENTITIES))),
            draw(st.sampled_from(sorted(ENTITIES))),
        )
        for identifier in identifiers
    ]


def firewall_expected(rules: list[Rule], packet: Probe, in_if: str, out_if: str) -> bool:
    for rule in sorted(rules, key=lambda each: each.rule_id):
        if rule.action != "log" and rule.hits(packet, in_if, out_if):
            return rule.action == "permit"
    return False


@examples(150)
@given(
    rule_sets(),
    st.lists(packets(), min_size=1, max_size=12),
    st.sampled_from((("Vlan20", "Vlan99"), ("Vlan99", "Vlan20"))),
)
def test_ar_firewall_rules_decide_connections_as_documented(
    rules: list[Rule], sample: list[Probe], pair: tuple[str, str]
) -> None:
    text = "hostname ar1\n" + ZONES + "firewall\n" + "".join(rule.text() for rule in rules) + " protect\n"
    device = parse_config(text, "ar1.cfg")
    assert device.forwarding_unknowns == []
    in_if, out_if = pair
    for packet in sample:
        decided = oracle.policy_permits(device, in_if, out_if, packet)
        assert decided == firewall_expected(rules, packet, in_if, out_if), (packet, rules)
