"""Regions (reach/region.py): which ACL lines a repair skips, that the boxes of an ACL edit hold
what it changed, and that a search within a region equals the search with the whole filters.

CI runs a fixed, reproducible set of examples (derandomized, no example database).
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
import strategies as gen
from hypothesis import event, given, note
from hypothesis import strategies as st
from test_incremental import edit, reuse_stage, sample_copy, verified

from nankoku_netcheck.incremental import changed_acl_boxes, filter_difference
from nankoku_netcheck.model import (
    PROTO_ICMP,
    PROTO_TCP,
    PROTO_UDP,
    Acl,
    AclLine,
    Action,
    Device,
    IcmpMatch,
    Match,
    PortRange,
    Source,
    Wildcard,
    ip_to_int,
)
from nankoku_netcheck.reach.engine import ReachEngine, ReachResult, Start
from nankoku_netcheck.reach.packets import PacketSet, PacketSpace
from nankoku_netcheck.reach.region import (
    Region,
    bounds_of,
    box_set,
    changed_boxes,
    line_meets,
    lines_within,
    narrowed,
    prefix_meets,
    reversed_region,
)
from nankoku_netcheck.reach.repair import Repair, repair_region

SOURCE = Source("r1.cfg", 1, "")
BUDGET = 5_000


@pytest.fixture(scope="module")
def space() -> PacketSpace:
    return PacketSpace("auto")


def host(text: str) -> tuple[Wildcard, ...]:
    return (Wildcard.host(ip_to_int(text)),)


def pattern(address: str, wildcard: str) -> tuple[Wildcard, ...]:
    return (Wildcard(ip_to_int(address), ip_to_int(wildcard)),)


def line(match: Match, action: Action = Action.DENY, understood: bool = True) -> AclLine:
    return AclLine(action=action, matches=(match,), source=SOURCE, understood=understood)


TELNET = (PortRange(23, 23),)
# "deny tcp any host 10.0.0.5 eq 23": the edited line of the 1,000-device city, in small.
TELNET_TO_HOST = Match(protocols=(PROTO_TCP,), dst=host("10.0.0.5"), dst_ports=TELNET)

LINES = {
    "tcp any host 10.0.0.6 eq 23": (Match(protocols=(PROTO_TCP,), dst=host("10.0.0.6"), dst_ports=TELNET), False),
    "tcp any host 10.0.0.5 eq 22": (
        Match(protocols=(PROTO_TCP,), dst=host("10.0.0.5"), dst_ports=(PortRange(22, 22),)),
        False,
    ),
    "tcp any host 10.0.0.5 range 20 30": (
        Match(protocols=(PROTO_TCP,), dst=host("10.0.0.5"), dst_ports=(PortRange(20, 30),)),
        True,
    ),
    "tcp any host 10.0.0.5 gt 23": (
        Match(protocols=(PROTO_TCP,), dst=host("10.0.0.5"), dst_ports=(PortRange(24, 65535),)),
        False,
    ),
    "tcp any host 10.0.0.5 eq 23 (source port 1024-65535)": (
        Match(protocols=(PROTO_TCP,), dst=host("10.0.0.5"), src_ports=(PortRange(1024, 65535),), dst_ports=TELNET),
        True,
    ),
    "udp any any": (Match(protocols=(PROTO_UDP,)), False),
    "ip any any (protocol any)": (Match(), True),
    "icmp any any": (Match(protocols=(PROTO_ICMP,)), False),
    "ip any any echo (ICMP fields: ICMP only)": (Match(icmp=(IcmpMatch(8, None),)), False),
    "ip any any eq 23 (ports: TCP or UDP)": (Match(dst_ports=TELNET), True),
    "tcp any any established": (Match(protocols=(PROTO_TCP,), established=True), True),
    "ip any 10.0.0.4 0.0.0.1": (Match(dst=pattern("10.0.0.4", "0.0.0.1")), True),
    "ip any 10.0.0.1 0.0.255.0 (non-contiguous: 10.0.x.1)": (Match(dst=pattern("10.0.0.1", "0.0.255.0")), False),
    "ip any 10.0.0.5 0.255.0.0 (non-contiguous: 10.x.0.5)": (Match(dst=pattern("10.0.0.5", "0.255.0.0")), True),
    "ip any 10.7.0.5 0.255.0.0 (non-contiguous: 10.x.0.5)": (Match(dst=pattern("10.7.0.5", "0.255.0.0")), True),
    "ip any 10.7.0.4 0.255.0.0 (non-contiguous: 10.x.0.4)": (Match(dst=pattern("10.7.0.4", "0.255.0.0")), False),
    "ip 10.0.0.5 0.0.0.0 any (the box reversed only)": (Match(src=host("10.0.0.5")), True),
}


@pytest.mark.parametrize("name", sorted(LINES))
def test_a_line_that_cannot_match_a_packet_of_the_region_is_skipped(space: PacketSpace, name: str) -> None:
    match, kept = LINES[name]
    region: Region = (TELNET_TO_HOST,)
    assert line_meets(line(match), bounds_of(region)) is kept
    # The integer test agrees with the packet sets here (exact on these fields).
    assert (space.line_match(line(match)) & box_set(space, TELNET_TO_HOST) != space.false) is kept


def test_a_line_the_engine_ignores_is_skipped() -> None:
    """A deny line not understood matches nothing in the engine (packets.py `counts_as_match`)."""
    bounds = bounds_of((TELNET_TO_HOST,))
    assert not line_meets(line(Match(), understood=False), bounds)
    assert line_meets(line(Match(), Action.PERMIT, understood=False), bounds)


def test_a_region_of_boxes_with_ports_leaves_out_protocols_without_ports() -> None:
    """A box that tests a port holds TCP and UDP packets only, whatever its protocols say."""
    region = bounds_of((Match(dst_ports=TELNET),))
    assert not line_meets(line(Match(protocols=(PROTO_ICMP,))), region)
    assert line_meets(line(Match(protocols=(PROTO_UDP,))), region)
    assert not line_meets(line(Match(protocols=(47,))), region)


def test_lines_within_keeps_the_lines_in_order() -> None:
    lines = tuple(line(match, Action.PERMIT) for match, _ in LINES.values())
    acl = Acl("A", lines, SOURCE)
    expected = tuple(item for item, (_, kept) in zip(lines, LINES.values(), strict=True) if kept)
    assert lines_within(acl, bounds_of((TELNET_TO_HOST,))) == expected


def test_the_boxes_of_an_edit_are_those_of_the_lines_between_the_shared_ends() -> None:
    first, second, third = (line(Match(dst=host(f"10.0.0.{index}"))) for index in (1, 2, 3))
    added = line(TELNET_TO_HOST)
    before = Acl("A", (first, second, third), SOURCE)
    after = Acl("A", (first, added, second, third), SOURCE)
    boxed = Match(protocols=(PROTO_TCP,), dst=host("10.0.0.5"), dst_ports=TELNET)
    assert changed_boxes(before, after) == (boxed,)
    assert changed_boxes(after, before) == (boxed,)
    assert changed_boxes(before, before) == ()
    # A line replaced in the middle: the old and the new line's boxes.
    replaced = Acl("A", (first, added, third), SOURCE)
    assert changed_boxes(before, replaced) == (Match(dst=host("10.0.0.2")), boxed)
    # On a stateful device the reply check reverses ACLs: the reversed boxes too.
    reverse = Match(protocols=(PROTO_TCP,), src=host("10.0.0.5"), src_ports=TELNET)
    assert changed_acl_boxes(_device(before), _device(after)) == (boxed,)
    assert changed_acl_boxes(_device(before, True), _device(after, True)) == (boxed, reverse)


def test_a_narrowed_region_keeps_the_boxes_the_injected_packets_meet(space: PacketSpace) -> None:
    boxes = (TELNET_TO_HOST, *reversed_region((TELNET_TO_HOST,)))
    sources = space.field_prefix("src", ip_to_int("10.1.0.0"), 16)
    injected = sources & space.union_of([box_set(space, box) for box in boxes])
    # Sources in 10.1/16 only: the reversed box (from 10.0.0.5) holds none of them.
    assert narrowed(space, boxes, [injected]) == (
        Match(protocols=(PROTO_TCP,), src=pattern("10.1.0.0", "0.0.255.255"), dst=host("10.0.0.5"), dst_ports=TELNET),
    )
    # Packets the boxes do not hold: no region.
    assert narrowed(space, boxes, [injected | space.protocol(PROTO_UDP)]) is None
    # Injected packets of every kind bound nothing: no region.
    assert narrowed(space, (Match(),), [space.valid]) is None
    # A box of every packet narrowed to what is injected: a region.
    assert narrowed(space, (Match(),), [injected]) == narrowed(space, boxes, [injected])
    assert narrowed(space, boxes, [space.false]) == ()


def test_a_narrowed_box_of_packets_without_ports_tests_no_ports(space: PacketSpace) -> None:
    """ICMP packets have port 0; a box that tested it would hold TCP and UDP packets only."""
    boxes: Region = (Match(protocols=(PROTO_ICMP, PROTO_TCP), dst=host("10.0.0.5")),)
    region = narrowed(space, boxes, [space.valid & box_set(space, boxes[0])])
    assert region == (Match(protocols=(PROTO_ICMP, PROTO_TCP), dst=host("10.0.0.5")),)
    icmp_only = space.valid & box_set(space, boxes[0]) & space.protocol(PROTO_ICMP)
    assert narrowed(space, boxes, [icmp_only]) == (Match(protocols=(PROTO_ICMP,), dst=host("10.0.0.5")),)
    assert region is not None
    assert line_meets(line(Match(protocols=(PROTO_ICMP,), icmp=(IcmpMatch(3, None),))), bounds_of(region))


def test_a_repair_without_boxes_has_no_region(space: PacketSpace) -> None:
    repair = Repair(ReachResult(), space.valid)
    assert repair_region(space, repair, [space.valid]) is None


def _region_set(space: PacketSpace, region: Region) -> PacketSet:
    return space.union_of([box_set(space, box) for box in region])


def _box(match: Match) -> Match:
    return dataclasses.replace(match, established=False, icmp=None)


REGIONS = st.lists(gen.matches(gen.NETWORK_ADDRESSES).map(_box), min_size=1, max_size=3).map(tuple)


@gen.examples(200)
@given(acl=gen.acls(gen.NETWORK_ADDRESSES, max_lines=8), region=REGIONS)
def test_an_acl_of_the_lines_within_a_region_permits_what_the_acl_does_there(
    space: PacketSpace, acl: Acl, region: Region
) -> None:
    inside = _region_set(space, region)
    kept = lines_within(acl, bounds_of(region))
    event(f"{len(acl.lines) - len(kept)} of {len(acl.lines)} lines skipped")
    for each in acl.lines:
        if each not in kept:
            assert space.line_match(each) & inside == space.false
    assert space.lines_permit(kept) & inside == space.acl_permits(acl) & inside
    # The reverse (the reply check's): from the lines within the reversed region.
    backwards = lines_within(acl, bounds_of(reversed_region(region)))
    reverse = space.reversed_direction(space.lines_permit(backwards)) & inside
    assert reverse == space.reversed_direction(space.acl_permits(acl)) & inside
    assert reverse & space.protocol(PROTO_TCP) == space.acl_permits_reversed_tcp(acl) & inside


@st.composite
def edited_acls(draw: st.DrawFn) -> tuple[Acl, Acl]:
    """An ACL and a version with lines added, removed or replaced (1 to 3 edits)."""
    before = draw(gen.acls(gen.NETWORK_ADDRESSES, max_lines=6))
    lines = list(before.lines)
    for _ in range(draw(st.integers(1, 3))):
        kind = draw(st.sampled_from(("add", "remove", "replace")))
        if kind != "add" and lines:
            index = draw(st.integers(0, len(lines) - 1))
            if kind == "remove":
                del lines[index]
            else:
                lines[index] = draw(gen.acl_lines(gen.NETWORK_ADDRESSES))
        else:
            lines.insert(draw(st.integers(0, len(lines))), draw(gen.acl_lines(gen.NETWORK_ADDRESSES)))
    return before, Acl(before.name, tuple(lines), before.source)


def _device(acl: Acl, stateful: bool = False) -> Device:
    device = Device(name="R1", vendor="", source_file="r1.cfg", stateful=stateful)
    device.acls = {acl.name: acl}
    return device


@gen.examples(200)
@given(edit=edited_acls(), stateful=st.booleans())
def test_the_boxes_of_an_acl_edit_hold_every_packet_it_changes(
    space: PacketSpace, edit: tuple[Acl, Acl], stateful: bool
) -> None:
    before, after = edit
    changed = filter_difference(space, _device(before, stateful), _device(after, stateful))
    if changed is None:  # an ACL emptied: no repair at all
        event("not a repair")
        return
    boxes = changed_acl_boxes(_device(before, stateful), _device(after, stateful))
    note(f"boxes: {boxes}")
    assert changed & space.valid & ~_region_set(space, boxes) == space.false


def _engine(case: gen.NetworkCase, space: PacketSpace, routing: bool) -> ReachEngine:
    return ReachEngine(case.network, space, case.boundary, routing=routing, budget=BUDGET, record_arrivals=True)


def assert_same_search(got: ReachResult, want: ReachResult) -> None:
    assert sorted(got.delivered) == sorted(want.delivered)
    assert all(got.delivered[key] == want.delivered[key] for key in want.delivered)
    assert list(got.witnesses) == list(want.witnesses)
    assert all(got.witnesses[key] == want.witnesses[key] for key in want.witnesses)
    assert sorted(got.arrivals) == sorted(want.arrivals)
    assert all(got.arrivals[key] == want.arrivals[key] for key in want.arrivals)
    assert (got.work, got.exhausted, got.entered, got.translated_into) == (
        want.work,
        want.exhausted,
        want.entered,
        want.translated_into,
    )


CASES = st.one_of(gen.mixed_networks(), gen.policy_networks(), gen.nat_networks(twice=False))


@gen.examples(80)
@given(data=st.data(), case=CASES)
def test_a_search_within_a_region_equals_the_search_with_the_whole_filters(
    space: PacketSpace, data: st.DataObject, case: gen.NetworkCase
) -> None:
    """NAT (the whole filters for rewritten packets), policies and reply checks (reversed
    regions) included; routing and filters only."""
    start = Start(*data.draw(st.sampled_from(case.starts), label="start"))
    boxes = data.draw(REGIONS, label="boxes")
    boxes = tuple(dict.fromkeys([*boxes, *reversed_region(boxes)]))
    injected = data.draw(st.sampled_from(("the boxes", "a line's packets in them")), label="injected")
    packets = space.valid & _region_set(space, boxes)
    if injected != "the boxes":
        packets &= space.line_match(data.draw(gen.acl_lines(gen.NETWORK_ADDRESSES), label="line"))
    region = narrowed(space, boxes, [packets])
    if region is None:
        event("no region")
        return
    for routing in (True, False):
        whole = _engine(case, space, routing)
        want = whole.reach([(start, packets)])
        got = whole.within(region).reach([(start, packets)])
        event(f"translated: {bool(want.translated_into)}")
        assert_same_search(got, want)


def test_a_re_run_after_an_acl_edit_searches_within_regions_and_reports_what_a_run_from_scratch_does(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    topology = sample_copy(tmp_path)
    cache = tmp_path / "cache"
    verified(topology, cache)
    edit(topology, "acl-line")  # "access-list 10 deny host 10.2.99.7" on lg-core
    regions: list[Region] = []
    within = ReachEngine.within

    def recorded(engine: ReachEngine, region: Region) -> ReachEngine:
        regions.append(region)
        return within(engine, region)

    monkeypatch.setattr(ReachEngine, "within", recorded)
    stages: list[str] = []
    incremental = verified(topology, cache, stages)
    assert reuse_stage(stages) == "searches re-used: 4 of 10, 6 repaired after an ACL edit"
    # Each repaired search within the edited line's packets (a standard ACL: sources only).
    assert len(regions) == 6
    edited = Wildcard.host(ip_to_int("10.2.99.7"))
    assert all(box.src is not None and edited in box.src for region in regions for box in region)
    monkeypatch.undo()
    assert incremental == verified(topology, None)


@gen.examples(200)
@given(
    region=REGIONS,
    network=st.sampled_from(gen.NETWORK_ADDRESSES) | st.integers(0, 2**32 - 1),
    length=st.integers(0, 32),
)
def test_a_prefix_meets_a_region_when_some_destination_of_it_lies_in_a_box(
    space: PacketSpace, region: Region, network: int, length: int
) -> None:
    """`prefix_meets` (what a repair's forwarding tables keep) against the sets: the boxes'
    destinations alone, any other field aside."""
    destinations = space.union_of(
        [space.valid if box.dst is None else space.match(Match(dst=box.dst)) for box in region]
    )
    meets = space.field_prefix("dst", network, length) & destinations != space.false
    assert prefix_meets(network, length, bounds_of(region)) == meets
