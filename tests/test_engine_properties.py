"""Property tests: the symbolic engine agrees with the plain oracle in `oracle.py`.

CI runs a fixed, reproducible set of examples (derandomized, no example database).
Set NANKOKU_EXPLORE=1 to search fresh random examples, ten times as many, when hunting bugs.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence

import oracle
import pytest
import strategies as gen
from engine_checks import NetworkRuns, check_network, check_tracer, runs_on
from hypothesis import given
from hypothesis import strategies as st

from nankoku_netcheck.model import Acl, Action
from nankoku_netcheck.reach.packets import Packet, PacketSpace

examples = gen.examples


@pytest.fixture(scope="module")
def native_space() -> PacketSpace:
    """The default engine, or the one NANKOKU_BDD names (cudd, oxidd): CI runs these tests on each."""
    return PacketSpace()


@pytest.fixture(scope="module")
def autoref_space() -> PacketSpace:
    return PacketSpace("autoref")


# --- (a) ACLs ------------------------------------------------------------------------------


def check_acl(space: PacketSpace, acl: Acl, packets: Sequence[Packet]) -> None:
    permitted = space.acl_permits(acl)
    for packet in packets:
        assert space.contains(permitted, packet) == oracle.acl_permits(acl, packet), packet.describe()
    # Packets the BDD itself proposes probe regions random packets may miss.
    example_permitted = space.pick(permitted)
    if example_permitted is not None:
        assert oracle.acl_permits(acl, example_permitted), example_permitted.describe()
    example_denied = space.pick(space.valid & ~permitted)
    if example_denied is not None:
        assert not oracle.acl_permits(acl, example_denied), example_denied.describe()
    for index in range(len(acl.lines)):
        decided_here = space.pick(space.first_match_region(acl, index))
        if decided_here is not None:
            assert oracle.first_match(acl, decided_here) == index, decided_here.describe()


acl_cases = {"acl": gen.acls(), "packets": st.lists(gen.packets(), min_size=1, max_size=8)}


@examples(400)
@given(**acl_cases)
def test_acl_permits_agrees_with_first_match_native(native_space: PacketSpace, acl: Acl, packets: list[Packet]) -> None:
    check_acl(native_space, acl, packets)


@examples(60)
@given(**acl_cases)
def test_acl_permits_agrees_with_first_match_autoref(
    autoref_space: PacketSpace, acl: Acl, packets: list[Packet]
) -> None:
    check_acl(autoref_space, acl, packets)


# --- (b) networks ----------------------------------------------------------------------------


@examples(250)
@given(runs_on(gen.networks))
def test_engine_reach_agrees_with_oracle_native(native_space: PacketSpace, case_and_runs: NetworkRuns) -> None:
    check_network(native_space, *case_and_runs)


@examples(40)
@given(runs_on(gen.networks))
def test_engine_reach_agrees_with_oracle_autoref(autoref_space: PacketSpace, case_and_runs: NetworkRuns) -> None:
    check_network(autoref_space, *case_and_runs)


# --- (c) the package's concrete tracer --------------------------------------------------------


@examples(200)
@given(runs_on(gen.networks))
def test_tracer_agrees_with_oracle(native_space: PacketSpace, case_and_runs: NetworkRuns) -> None:
    check_tracer(native_space, *case_and_runs)


# --- (d) reading sets back ------------------------------------------------------------------


@examples(60)
@given(acl=gen.acls())
def test_pick_returns_a_valid_member(native_space: PacketSpace, acl: Acl) -> None:
    permitted = native_space.acl_permits(acl)
    example = native_space.pick(permitted)
    if not any(line.action is Action.PERMIT for line in acl.lines):
        assert example is None
    if example is None:
        assert native_space.is_empty(permitted)
        return
    assert native_space.contains(permitted, example)
    assert native_space.contains(native_space.valid, example)
    assert oracle.acl_permits(acl, example)


prefix_lists = st.lists(
    st.tuples(gen.addresses_in(gen.ACL_ADDRESSES), st.sampled_from((0, 8, 16, 23, 24, 25, 30, 31, 32))),
    max_size=6,
)


@examples(60)
@given(prefixes=prefix_lists)
def test_field_prefixes_round_trip(native_space: PacketSpace, prefixes: list[tuple[int, int]]) -> None:
    normalized = [(network & ~((1 << (32 - length)) - 1) & gen.IPV4_MAX, length) for network, length in prefixes]
    # Another field constrained as well: projection must quantify it away.
    original = native_space.prefixes("dst", normalized) & native_space.field_equals("dport", 80)
    blocks, truncated = native_space.field_prefixes(original, "dst", limit=10_000)
    assert not truncated
    assert native_space.prefixes("dst", blocks) == native_space.project(original, "dst")
    starts = [network for network, _ in blocks]
    assert starts == sorted(starts)
    ends = [network + (1 << (32 - length)) - 1 for network, length in blocks]
    assert all(end < next_start for end, next_start in zip(ends, starts[1:], strict=False))
    for network, length in blocks:
        # Maximal: the aligned sibling block is never listed too (they would have merged).
        if length:
            assert (network ^ (1 << (32 - length)), length) not in blocks
    if not normalized:
        assert blocks == []


@examples(60)
@given(ranges=st.lists(st.tuples(st.integers(0, 65535), st.integers(0, 65535)), max_size=4))
def test_field_ranges_round_trip(native_space: PacketSpace, ranges: list[tuple[int, int]]) -> None:
    wanted: set[int] = set()
    original = native_space.false
    for a, b in ranges:
        low, high = min(a, b), max(a, b)
        wanted |= set(range(low, high + 1))
        original |= native_space.field_range("sport", low, high)
    merged, truncated = native_space.field_ranges(original, "sport", limit=10_000)
    assert not truncated
    got = {port for r in merged for port in range(r.low, r.high + 1)}
    assert got == wanted
    # Merged: neither overlapping nor touching.
    assert all(left.high + 1 < right.low for left, right in itertools.pairwise(merged))
