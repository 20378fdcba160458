"""A line's packet set and an ACL's fold (reach/packets.py `match`, `lines_permit`) are the very
sets the first, plain construction gave: a reference copy of it is kept here (one cube a field
from its literals, ANDed from the top; the fold one line at a time) and compared, node for
node, on random lines and ACLs on every installed engine. Canonical BDDs: equal sets are the
same node, so `==` compares the functions exactly."""

from __future__ import annotations

import importlib
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nankoku_netcheck.model import (
    PROTO_ICMP,
    PROTO_TCP,
    PROTO_UDP,
    AclLine,
    Action,
    IcmpMatch,
    Match,
    PortRange,
    Source,
    Wildcard,
)
from nankoku_netcheck.reach.packets import FIELD_WIDTH, PacketSpace, counts_as_match, range_to_prefixes

SOURCE = Source("t.cfg", 1, "")


def installed(module: str) -> bool:
    try:
        importlib.import_module(module)
    except ImportError:
        return False
    return True


BACKENDS = [
    name
    for name, module in (("oxidd", "oxidd.bcdd"), ("cudd", "dd.cudd"), ("autoref", "dd.autoref"))
    if installed(module)
]


# --- the reference: the construction before the per-byte cubes, the bottom-up ANDs and the fold by runs


def ref_field_pattern(space: PacketSpace, field: str, value: int, dont_care: int) -> Any:
    width = FIELD_WIDTH[field]
    bits = space.bits[field]
    literals = {
        bits[i]: bool((value >> (width - 1 - i)) & 1) for i in range(width) if not (dont_care >> (width - 1 - i)) & 1
    }
    return space.bdd.cube(literals) if literals else space.bdd.true


def ref_field_equals(space: PacketSpace, field: str, value: int) -> Any:
    return ref_field_pattern(space, field, value, 0)


def ref_field_range(space: PacketSpace, field: str, low: int, high: int) -> Any:
    width = FIELD_WIDTH[field]
    result = space.bdd.false
    for value, length in range_to_prefixes(low, high, width):
        result |= ref_field_pattern(space, field, value, (1 << (width - length)) - 1 if length < width else 0)
    return result


def ref_valid(space: PacketSpace) -> Any:
    tcp = ref_field_equals(space, "proto", PROTO_TCP)
    udp = ref_field_equals(space, "proto", PROTO_UDP)
    icmp = ref_field_equals(space, "proto", PROTO_ICMP)
    no_ports = ref_field_equals(space, "sport", 0) & ref_field_equals(space, "dport", 0)
    no_icmp = ref_field_equals(space, "icmp_type", 0) & ref_field_equals(space, "icmp_code", 0)
    return (tcp | udp | no_ports) & (icmp | no_icmp) & (tcp | ref_field_equals(space, "est", 0))


def ref_match(space: PacketSpace, match: Match) -> Any:
    false = space.bdd.false
    result = ref_valid(space)
    if match.protocols is not None:
        chosen = false
        for proto in match.protocols:
            chosen |= ref_field_equals(space, "proto", proto)
        result &= chosen
    if match.src_ports is not None or match.dst_ports is not None:
        result &= ref_field_equals(space, "proto", PROTO_TCP) | ref_field_equals(space, "proto", PROTO_UDP)
    if match.established:
        result &= ref_field_equals(space, "proto", PROTO_TCP) & ref_field_equals(space, "est", 1)
    for field, wildcards in (("dst", match.dst), ("src", match.src)):
        if wildcards is not None:
            addresses = false
            for wildcard in wildcards:
                addresses |= ref_field_pattern(space, field, wildcard.address, wildcard.wildcard)
            result &= addresses
    for field, ranges in (("dport", match.dst_ports), ("sport", match.src_ports)):
        if ranges is not None:
            ports = false
            for port_range in ranges:
                ports |= ref_field_range(space, field, port_range.low, port_range.high)
            result &= ports
    if match.icmp is not None:
        icmp = false
        for entry in match.icmp:
            one = ref_field_equals(space, "icmp_type", entry.icmp_type)
            if entry.code is not None:
                one &= ref_field_equals(space, "icmp_code", entry.code)
            icmp |= one
        result &= icmp & ref_field_equals(space, "proto", PROTO_ICMP)
    return result


def ref_line_match(space: PacketSpace, line: AclLine) -> Any:
    result = space.bdd.false
    if counts_as_match(line):
        for match in line.matches:
            result |= ref_match(space, match)
    return result


def ref_lines_permit(space: PacketSpace, lines: tuple[AclLine, ...]) -> Any:
    permitted = space.bdd.false
    for line in reversed(lines):
        matched = ref_line_match(space, line)
        permitted = matched | permitted if line.action is Action.PERMIT else permitted & ~matched
    return permitted


# --- random lines: fields that share bytes and ports, so the caches are hit as well as missed

# Addresses from a few bytes: the per-byte cubes are re-used across patterns.
octets = st.sampled_from([0, 1, 10, 127, 128, 192, 254, 255])
addresses = st.tuples(octets, octets, octets, octets).map(lambda o: (o[0] << 24) | (o[1] << 16) | (o[2] << 8) | o[3])
# Wildcards of every kind: host, prefix, any, and non-contiguous masks.
wildcard_masks = st.one_of(
    st.sampled_from([0, 0xFF, 0xFFFF, 0xFFFFFF, 0xFFFFFFFF, 0x0000FF00, 0x00FF00FF, 0x80000001]),
    st.integers(0, 32).map(lambda length: (1 << (32 - length)) - 1),
    st.integers(0, 0xFFFFFFFF),
)
wildcards = st.builds(Wildcard, addresses, wildcard_masks)
ports = st.one_of(st.sampled_from([0, 1, 22, 23, 53, 80, 443, 1023, 1024, 8080, 65534, 65535]), st.integers(0, 65535))
port_ranges = st.tuples(ports, ports).map(lambda pair: PortRange(min(pair), max(pair)))
protocol_tuples = st.one_of(
    st.none(),
    st.lists(st.sampled_from([PROTO_TCP, PROTO_UDP, PROTO_ICMP, 47, 50, 0, 255]), min_size=1, max_size=3).map(tuple),
)
icmp_entries = st.builds(IcmpMatch, st.integers(0, 255), st.one_of(st.none(), st.integers(0, 255)))


def optional_tuple(elements: st.SearchStrategy[Any], most: int) -> st.SearchStrategy[Any]:
    return st.one_of(st.none(), st.lists(elements, min_size=1, max_size=most).map(tuple))


matches = st.builds(
    Match,
    protocols=protocol_tuples,
    src=optional_tuple(wildcards, 3),
    dst=optional_tuple(wildcards, 3),
    src_ports=optional_tuple(port_ranges, 2),
    dst_ports=optional_tuple(port_ranges, 2),
    established=st.booleans(),
    icmp=optional_tuple(icmp_entries, 2),
)
acl_lines = st.builds(
    AclLine,
    st.sampled_from([Action.PERMIT, Action.DENY]),
    st.lists(matches, min_size=1, max_size=2).map(tuple),
    st.just(SOURCE),
    understood=st.booleans(),
    approximation=st.sampled_from(["", "time-range ignored"]),
)


@pytest.fixture(scope="module", params=BACKENDS)
def space(request: pytest.FixtureRequest) -> Iterator[PacketSpace]:
    made = PacketSpace(str(request.param))
    yield made
    # dd's pure-Python manager asserts, when it is collected, that none of its sets is still
    # alive: the space's caches let go of theirs first.
    vars(made).clear()


def test_every_engine_is_compared() -> None:
    assert "autoref" in BACKENDS  # dd is a dependency: its pure-Python engine is always there


@settings(max_examples=150, deadline=None)
@given(match=matches)
def test_match_is_the_reference_construction(space: PacketSpace, match: Match) -> None:
    assert space.match(match) == ref_match(space, match)


@settings(max_examples=60, deadline=None)
@given(lines=st.lists(acl_lines, max_size=12).map(tuple))
def test_lines_permit_is_the_reference_fold(space: PacketSpace, lines: tuple[AclLine, ...]) -> None:
    assert space.lines_permit(lines) == ref_lines_permit(space, lines)


def ref_reversed_tcp(space: PacketSpace, permitted: Any) -> Any:
    """The reply check's reverse as it was built: the whole set reversed, then its TCP part."""
    return space.reversed_direction(permitted) & ref_field_equals(space, "proto", PROTO_TCP)


@settings(max_examples=60, deadline=None)
@given(lines=st.lists(acl_lines, max_size=12).map(tuple))
def test_reversed_tcp_is_the_tcp_part_of_the_whole_reverse(space: PacketSpace, lines: tuple[AclLine, ...]) -> None:
    permitted = space.lines_permit(lines)
    assert space.reversed_tcp(permitted) == ref_reversed_tcp(space, permitted)


def test_runs_of_one_action_fold_to_the_reference(space: PacketSpace) -> None:
    """A run of deny lines at the top, runs of each action and lines that match nothing (a deny
    the engine ignores, a contradictory match) between lines of one action."""

    def host_line(action: Action, field: str, address: int, understood: bool = True) -> AclLine:
        host = (Wildcard(address, 0),)
        match = Match(protocols=None, src=host) if field == "src" else Match(protocols=(PROTO_TCP,), dst=host)
        return AclLine(action, (match,), SOURCE, understood=understood)

    nothing = AclLine(Action.PERMIT, (Match(protocols=(PROTO_UDP,), established=True),), SOURCE)
    lines = (
        *(host_line(Action.DENY, "src", 0x64400000 + i) for i in range(16)),
        host_line(Action.PERMIT, "dst", 0x0A000001),
        nothing,
        host_line(Action.PERMIT, "dst", 0x0A000002),
        host_line(Action.DENY, "dst", 0x0A000001, understood=False),
        host_line(Action.PERMIT, "dst", 0x0A000003),
        host_line(Action.DENY, "dst", 0x0A000003),
        AclLine(Action.PERMIT, (Match(protocols=None),), SOURCE),
    )
    assert space.line_match(nothing) == space.false
    permitted = space.lines_permit(lines)
    assert permitted == ref_lines_permit(space, lines)
    assert permitted != space.false and permitted != space.valid
