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
        return draw(st.sampled_from(BASES)) | draw(st.sampled_from((0, 1, 2, 3, 0x100, 0x1FF)))

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
