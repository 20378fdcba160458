"""YAMAHA RTX filter semantics, property-tested: random `ip filter` lists written as text,
bound with `ip lan1 secure filter in`, parsed by the plugin, and run through the symbolic
engine, the concrete tracer and the oracle; an evaluator written here from the RTX
command reference (first matching filter decides, `restrict` passes, a packet no filter
matches is discarded once a list is bound, undefined numbers in the list are skipped)
decides independently whether each random packet from lan1 reaches the hosts on lan2.

Lines the model reads wider on purpose (reject with `established`, TCP flag keywords,
ports with protocol `*`) are not generated: they are approximations, tested by hand in
test_parse_yamaha_rtx.py.
"""

from __future__ import annotations

from dataclasses import dataclass

import oracle
import pytest
import strategies as gen
from engine_checks import as_tuple
from hypothesis import given
from hypothesis import strategies as st

from nankoku_netcheck.graph import build_network
from nankoku_netcheck.model import ip_to_int
from nankoku_netcheck.reach.engine import ReachEngine, Start
from nankoku_netcheck.reach.packets import Packet, PacketSpace
from nankoku_netcheck.reach.trace import Tracer
from nankoku_netcheck.vendors import parse_config

LAN, WAN = "10.0.1.0/24", "10.0.2.0/24"
DELIVERED = {("hosts", "", "", WAN)}
HOSTS = ("10.0.1.5", "10.0.1.200", "10.0.2.9", "10.0.2.77", "192.168.0.1")
PORT_NAMES = {"www": 80, "https": 443, "domain": 53}
PORTS = (53, 80, 443, 1024, 5000, 65535)


@pytest.fixture(scope="module")
def space() -> PacketSpace:
    pytest.importorskip("dd.cudd", reason="dd was installed without its CUDD extension")
    return PacketSpace()


# --- the evaluator: each spec knows its text and which values it matches -----------------


def as_int(text: str) -> int:
    return ip_to_int(text)


@dataclass(frozen=True)
class Spec:
    text: str
    values: frozenset[int] | None  # None: any value; else the matched values among those tested

    def matches(self, value: int) -> bool:
        return self.values is None or value in self.values


def address_specs() -> st.SearchStrategy[Spec]:
    everything = st.just(Spec("*", None))
    single = st.sampled_from(HOSTS).map(lambda h: Spec(h, frozenset({as_int(h)})))
    ranged = st.sampled_from([("10.0.1.1", "10.0.1.100"), ("10.0.2.10", "10.0.2.80"), ("10.0.1.5", "10.0.2.9")]).map(
        lambda pair: Spec(
            f"{pair[0]}-{pair[1]}",
            frozenset(as_int(h) for h in HOSTS if as_int(pair[0]) <= as_int(h) <= as_int(pair[1])),
        )
    )
    prefix = st.sampled_from(["10.0.1.0/24", "10.0.0.0/16", "10.0.2.64/26", "192.168.0.0/255.255.255.0"]).map(
        lambda text: Spec(text, frozenset(as_int(h) for h in HOSTS if _in_prefix(h, text)))
    )
    star = st.sampled_from(["10.0.2.*", "192.168.*.*"]).map(
        lambda text: Spec(text, frozenset(as_int(h) for h in HOSTS if _star(h, text)))
    )
    one = st.one_of(everything, single, ranged, prefix, star)
    return st.lists(one, min_size=1, max_size=2).map(_comma)


def _comma(specs: list[Spec]) -> Spec:
    if any(spec.values is None for spec in specs):
        return Spec(",".join(spec.text for spec in specs), None)
    return Spec(",".join(spec.text for spec in specs), frozenset().union(*(spec.values or () for spec in specs)))


def _in_prefix(host: str, text: str) -> bool:
    network, mask = text.split("/")
    bits = sum(bin(int(octet)).count("1") for octet in mask.split(".")) if "." in mask else int(mask)
    shift = 32 - bits
    return as_int(host) >> shift == as_int(network) >> shift


def _star(host: str, text: str) -> bool:
    return all(want == "*" or want == got for want, got in zip(text.split("."), host.split("."), strict=True))


def port_specs() -> st.SearchStrategy[Spec]:
    return st.one_of(
        st.just(Spec("*", None)),
        st.sampled_from(PORTS).map(lambda p: Spec(str(p), frozenset({p}))),
        st.sampled_from(sorted(PORT_NAMES)).map(lambda name: Spec(name, frozenset({PORT_NAMES[name]}))),
        st.sampled_from([(80, 443), (1024, 65535)]).map(
            lambda r: Spec(f"{r[0]}-{r[1]}", frozenset(p for p in PORTS if r[0] <= p <= r[1]))
        ),
        st.just(Spec("1024-", frozenset(p for p in PORTS if p >= 1024))),
        st.just(Spec("53,443", frozenset({53, 443}))),
    )


@dataclass(frozen=True)
class Filter:
    number: int
    action: str
    src: Spec
    dst: Spec
    proto: str
    sport: Spec
    dport: Spec

    def text(self) -> str:
        fields = (self.src.text, self.dst.text, self.proto, self.sport.text, self.dport.text)
        return f"ip filter {self.number} {self.action} {' '.join(fields)}"

    def matches(self, packet: Packet) -> bool:
        if not (self.src.matches(packet.src) and self.dst.matches(packet.dst)):
            return False
        if self.proto == "*":
            return True
        if self.proto == "established":
            return packet.proto == 6 and packet.established
        if self.proto == "icmp":
            return packet.proto == 1 and self.sport.matches(packet.icmp_type) and self.dport.matches(packet.icmp_code)
        allowed = {"tcp": {6}, "udp": {17}, "tcp,udp": {6, 17}}[self.proto]
        return packet.proto in allowed and self.sport.matches(packet.sport) and self.dport.matches(packet.dport)

    def passes(self) -> bool:
        return self.action.startswith(("pass", "restrict"))


@st.composite
def filters(draw: st.DrawFn, number: int) -> Filter:
    action = draw(st.sampled_from(["pass", "pass-log", "reject", "reject-nolog", "restrict"]))
    protos = ["*", "tcp", "udp", "tcp,udp", "icmp"] + ([] if action.startswith("reject") else ["established"])
    proto = draw(st.sampled_from(protos))
    star = Spec("*", None)
    if proto in {"tcp", "udp", "tcp,udp"}:
        sport, dport = draw(port_specs()), draw(port_specs())
    elif proto == "icmp":
        icmp = st.one_of(st.just(star), st.sampled_from([0, 3, 8]).map(lambda t: Spec(str(t), frozenset({t}))))
        sport = draw(icmp)
        dport = (
            draw(st.just(star))
            if sport.values is None
            else draw(st.one_of(st.just(star), st.sampled_from([0, 1]).map(lambda c: Spec(str(c), frozenset({c})))))
        )
    else:
        sport = dport = star
    return Filter(number, action, draw(address_specs()), draw(address_specs()), proto, sport, dport)


@st.composite
def packets(draw: st.DrawFn) -> Packet:
    proto = draw(st.sampled_from([6, 17, 1, 47]))
    src = as_int(draw(st.sampled_from(HOSTS)))
    dst = as_int(draw(st.sampled_from(["10.0.2.9", "10.0.2.77"])))
    if proto in (6, 17):
        return Packet(
            src,
            dst,
            proto,
            draw(st.sampled_from(PORTS)),
            draw(st.sampled_from(PORTS)),
            proto == 6 and draw(st.booleans()),
        )
    if proto == 1:
        return Packet(src, dst, 1, icmp_type=draw(st.sampled_from([0, 3, 8])), icmp_code=draw(st.sampled_from([0, 1])))
    return Packet(src, dst, proto)


@st.composite
def cases(draw: st.DrawFn) -> tuple[list[Filter], list[int], list[Packet]]:
    count = draw(st.integers(1, 5))
    defined = [draw(filters(10 * (index + 1))) for index in range(count)]
    order = draw(st.permutations([f.number for f in defined]))
    listed = list(order) + ([999] if draw(st.booleans()) else [])
    return defined, listed, draw(st.lists(packets(), min_size=1, max_size=6))


def expected_pass(defined: list[Filter], listed: list[int], packet: Packet) -> bool:
    by_number = {f.number: f for f in defined}
    for number in listed:
        found = by_number.get(number)
        if found is not None and found.matches(packet):
            return found.passes()
    return False


@gen.examples(150)
@given(cases())
def test_rtx_filter_lists_agree_with_the_reference_evaluator(
    space: PacketSpace, case: tuple[list[Filter], list[int], list[Packet]]
) -> None:
    defined, listed, sent = case
    text = "\n".join(
        [
            "ip lan1 address 10.0.1.1/24",
            "ip lan2 address 10.0.2.1/24",
            *(f.text() for f in defined),
            f"ip lan1 secure filter in {' '.join(map(str, listed))}",
        ]
    )
    device = parse_config(text + "\n", "R1.cfg", vendor="yamaha_rtx")
    assert [u for u in device.unknown_lines] == []
    network = build_network(gen.empty_topology(), {"R1": device})
    engine = ReachEngine(network, space)
    for packet in sent:
        result = engine.reach([(Start(segment=LAN), space.packet(packet))])
        found = {as_tuple(e) for e, packets in result.delivered.items() if space.contains(packets, packet)}
        want = DELIVERED if expected_pass(defined, listed, packet) else set()
        assert found == want, (text, packet)
        assert oracle.reachable_endpoints(network, packet, segment=LAN) == want
        traced = Tracer(engine).trace(Start(segment=LAN), packet)
        assert {as_tuple(p.endpoint) for p in traced if p.disposition == "delivered" and p.endpoint} == want
