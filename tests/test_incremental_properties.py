"""Property tests of incremental re-verification (incremental.py): after a random edit of a
random network (an ACL line added or removed, a route, an interface, a NAT rule, a whole
device), every search the fingerprints let through equals the same search run from scratch
on the edited network -- the same delivered sets, key for key, the same devices reached (with
the same witnesses), and the same work (the fixpoint ran step for step as before).

CI runs a fixed, reproducible set of examples (derandomized, no example database).
Set NANKOKU_EXPLORE=1 to search fresh random examples, ten times as many, when hunting bugs.
"""

from __future__ import annotations

import copy

import pytest
import strategies as gen
from hypothesis import event, given, note
from hypothesis import strategies as st

from nankoku_netcheck.graph import Network, build_network
from nankoku_netcheck.incremental import Fingerprints, SearchKey, reusable_searches
from nankoku_netcheck.model import Acl, Device
from nankoku_netcheck.reach.engine import ReachEngine, ReachResult, Start
from nankoku_netcheck.reach.packets import PacketSet, PacketSpace
from nankoku_netcheck.reach.region import Region
from nankoku_netcheck.reach.repair import repair_region, repaired

EDITS = (
    "acl-opened",
    "acl-line-added",
    "acl-line-removed",
    "route-added",
    "route-removed",
    "interface-added",
    "interface-removed",
    "nat-rule-added",
    "nat-rule-removed",
    "device-added",
    "device-removed",
)
BUDGET = 5_000


@pytest.fixture(scope="module")
def space() -> PacketSpace:
    return PacketSpace("auto")


def _edit_acl(draw: st.DrawFn, device: Device, add: bool) -> bool:
    names = sorted(name for name, acl in device.acls.items() if add or acl.lines)
    if not names:
        return False
    name = draw(st.sampled_from(names))
    acl = device.acls[name]
    lines = list(acl.lines)
    if add:
        lines.insert(draw(st.integers(0, len(lines))), draw(gen.acl_lines(gen.NETWORK_ADDRESSES)))
    else:
        del lines[draw(st.integers(0, len(lines) - 1))]
    device.acls[name] = Acl(name=acl.name, lines=tuple(lines), source=acl.source)
    return True


def _open_acl(draw: st.DrawFn, device: Device, _: bool) -> bool:
    """An ACL replaced by "permit ip any any": on a device that dropped everything, a path opens."""
    if not device.acls:
        return False
    name = draw(st.sampled_from(sorted(device.acls)))
    device.acls[name] = Acl(name=name, lines=(gen.PERMIT_ANY,), source=device.acls[name].source)
    return True


def _edit_route(draw: st.DrawFn, device: Device, add: bool) -> bool:
    if add:
        device.routes.append(draw(gen.static_routes(list(device.interfaces), gen.ANY_NEXT_HOP)))
        return True
    if not device.routes:
        return False
    del device.routes[draw(st.integers(0, len(device.routes) - 1))]
    return True


def _edit_interface(draw: st.DrawFn, device: Device, add: bool) -> bool:
    if add:
        device.interfaces["Gi0/9"] = draw(gen.interfaces("Gi0/9"))
        return True
    # Only routers: a firewall's policy names its interfaces.
    if device.stateful or len(device.interfaces) < 2:
        return False
    del device.interfaces[draw(st.sampled_from(sorted(device.interfaces)))]
    return True


def _edit_nat(draw: st.DrawFn, device: Device, add: bool) -> bool:
    if not device.stateful:
        return False
    if add:
        named = sorted(name for name, interface in device.interfaces.items() if interface.properties)
        device.nat_rules.append(draw(gen.static_nat_rules(named, len(device.nat_rules))))
        return True
    if not device.nat_rules:
        return False
    del device.nat_rules[draw(st.integers(0, len(device.nat_rules) - 1))]
    return True


@st.composite
def edited(
    draw: st.DrawFn, by_name: dict[str, Device], entered: frozenset[str] = frozenset()
) -> tuple[str, dict[str, Device]]:
    """One random edit of a copy of the devices: (what was done, the edited devices). Half
    the time on a device some search `entered` (one it read whole) when there is one: the
    edits the fingerprints must catch."""
    after = copy.deepcopy(by_name)
    kind = draw(st.sampled_from(EDITS))
    if kind == "device-added":
        device = draw(gen.devices("R9"))
        device.routes = draw(st.lists(gen.static_routes(list(device.interfaces), gen.ANY_NEXT_HOP), max_size=3))
        after["R9"] = device
        return kind, after
    if kind == "device-removed":
        if len(after) > 1:
            del after[draw(st.sampled_from(sorted(after)))]
        return kind, after
    chosen = sorted(entered) if entered and gen.sometimes(draw, 50) else sorted(after)
    device = after[draw(st.sampled_from(chosen))]
    add = kind.endswith("-added")
    done = {
        "acl": _open_acl if kind == "acl-opened" else _edit_acl,
        "route": _edit_route,
        "interface": _edit_interface,
        "nat": _edit_nat,
    }[kind.split("-")[0]](draw, device, add)
    return (f"{kind} on {device.name}" if done else "nothing"), after


def _label(start: Start) -> str:
    return f"{start.segment}|{start.device}|{start.interface}"


def _valid(network: Network, start: Start) -> bool:
    if start.segment:
        return start.segment in network.segments
    return start.interface in network.devices.get(start.device, Device("", "", "")).interfaces


def _search(
    network: Network,
    boundary: frozenset[tuple[str, str]],
    space: PacketSpace,
    start: Start,
    routing: bool,
    packets: PacketSet | None = None,
    record_arrivals: bool = False,
    region: Region | None = None,
):  # type: ignore[no-untyped-def]
    kept = frozenset(ref for ref in boundary if ref[1] in network.devices.get(ref[0], Device("", "", "")).interfaces)
    engine = ReachEngine(network, space, kept, routing=routing, budget=BUDGET, record_arrivals=record_arrivals)
    if region is not None:
        engine = engine.within(region)
    return engine.reach([(start, space.valid if packets is None else packets)])


def assert_equal_results(got: ReachResult, want: ReachResult) -> None:
    assert sorted(got.delivered) == sorted(want.delivered)
    assert all(got.delivered[key] == want.delivered[key] for key in want.delivered)
    assert list(got.witnesses) == list(want.witnesses)
    assert all(got.witnesses[key] == want.witnesses[key] for key in want.witnesses)
    assert (got.work, got.exhausted, got.entered) == (want.work, want.exhausted, want.entered)


@gen.examples(60)
@given(data=st.data(), case=gen.mixed_networks())
def test_a_reused_search_equals_the_search_from_scratch(
    space: PacketSpace, data: st.DataObject, case: gen.NetworkCase
) -> None:
    points = data.draw(st.lists(st.sampled_from(case.starts), min_size=1, max_size=3, unique=True), label="starts")
    starts = [Start(segment, device, interface) for segment, device, interface in points]
    before_results: dict[SearchKey, ReachResult] = {}
    for start in starts:
        for routing in (True, False):
            before_results[_label(start), routing] = _search(case.network, case.boundary, space, start, routing)
    # Devices the searches read but none got past (dropped at the ingress filter) first.
    entered = frozenset(name for result in before_results.values() for name in result.entered)
    dropped = entered - {name for result in before_results.values() for name in result.visited_devices}
    entered = dropped or entered
    what, after_devices = data.draw(edited(case.network.devices, entered), label="edit")
    note(what)
    after = build_network(gen.empty_topology(), after_devices)
    reusable = reusable_searches(
        before_results, Fingerprints(case.network, space.backend, BUDGET), Fingerprints(after, space.backend, BUDGET)
    )
    event(f"re-used {len(reusable)} of {len(before_results)}")
    by_label = {_label(start): start for start in starts}
    for (label, routing), result in reusable.items():
        start = by_label[label]
        assert _valid(after, start)
        assert isinstance(result, ReachResult)  # no space given: no repairs
        assert_equal_results(result, _search(after, case.boundary, space, start, routing))


ACL_EDITS = ("acl-opened", "acl-line-added", "acl-line-removed")


@gen.examples(60)
@given(data=st.data(), case=gen.mixed_networks())
def test_a_repaired_search_equals_the_search_from_scratch(
    space: PacketSpace, data: st.DataObject, case: gen.NetworkCase
) -> None:
    """Edits of ACL lines (on one or two devices, mostly ones the searches entered): a search
    repaired from the changed packets (reach/repair.py) delivers exactly what the search from
    scratch does, reaches the same devices, each with a witness packet that does arrive there,
    and enters at least the devices it enters. The fresh search within the region of the edited
    lines (reach/region.py) equals the one with the whole filters."""
    points = data.draw(st.lists(st.sampled_from(case.starts), min_size=1, max_size=3, unique=True), label="starts")
    starts = [Start(segment, device, interface) for segment, device, interface in points]
    before_results = {
        (_label(start), routing): _search(case.network, case.boundary, space, start, routing)
        for start in starts
        for routing in (True, False)
    }
    entered = sorted({name for result in before_results.values() for name in result.entered})
    after_devices = copy.deepcopy(case.network.devices)
    for _ in range(data.draw(st.integers(1, 2), label="edits")):
        chosen = entered if entered and gen.sometimes(data.draw, 80) else sorted(after_devices)
        device = after_devices[data.draw(st.sampled_from(chosen), label="device")]
        kind = data.draw(st.sampled_from(ACL_EDITS), label="edit")
        edit = _open_acl if kind == "acl-opened" else _edit_acl
        note(f"{kind} on {device.name}: {edit(data.draw, device, kind.endswith('-added'))}")
    after = build_network(gen.empty_topology(), after_devices)
    reusable = reusable_searches(
        before_results,
        Fingerprints(case.network, space.backend, BUDGET),
        Fingerprints(after, space.backend, BUDGET),
        space,
    )
    by_label = {_label(start): start for start in starts}
    for (label, routing), found in reusable.items():
        start = by_label[label]
        want = _search(after, case.boundary, space, start, routing, record_arrivals=True)
        if isinstance(found, ReachResult):
            event("re-used whole")
            assert_equal_results(found, want)
            continue
        fresh = _search(after, case.boundary, space, start, routing, packets=space.valid & found.changed)
        # The search within the region of the edited lines (what `FlowContext` runs) is the same.
        region = repair_region(space, found, [space.valid & found.changed])
        event("within a region" if region is not None else "no region")
        if region is not None:
            within = _search(after, case.boundary, space, start, routing, space.valid & found.changed, region=region)
            assert_equal_results(within, fresh)
        got = repaired(space, found, fresh)
        event("repaired" if got is not None else "repair refused")
        if got is None:
            continue
        assert sorted(got.delivered) == sorted(want.delivered)
        assert all(got.delivered[key] == want.delivered[key] for key in want.delivered)
        assert sorted(got.witnesses) == sorted(want.witnesses)
        for device, witness in got.witnesses.items():
            arrived = space.union_of([packets for (name, _), packets in want.arrivals.items() if name == device])
            assert space.count(witness) == 1 and space.subset(witness, arrived)
        assert want.entered <= got.entered


@gen.examples(60)
@given(data=st.data(), case=gen.mixed_networks())
def test_a_search_is_the_union_of_the_searches_of_any_split_of_its_packets(
    space: PacketSpace, data: st.DataObject, case: gen.NetworkCase
) -> None:
    """What repairs rest on (reach/repair.py): no packet's fate depends on the packets that
    travel with it, NAT, relays, policies and reply checks included."""
    start = Start(*data.draw(st.sampled_from(case.starts), label="start"))
    part = space.line_match(data.draw(gen.acl_lines(gen.NETWORK_ADDRESSES), label="split by"))
    for routing in (True, False):
        whole = _search(case.network, case.boundary, space, start, routing, record_arrivals=True)
        inside = _search(case.network, case.boundary, space, start, routing, space.valid & part, True)
        outside = _search(case.network, case.boundary, space, start, routing, space.valid & ~part, True)
        if whole.exhausted or inside.exhausted or outside.exhausted:
            event("ran out of budget")
            continue
        for got_inside, got_outside, want in (
            (inside.delivered, outside.delivered, whole.delivered),
            (inside.arrivals, outside.arrivals, whole.arrivals),
        ):
            assert set(got_inside) | set(got_outside) == set(want)
            for key, packets in want.items():
                assert got_inside.get(key, space.false) | got_outside.get(key, space.false) == packets
        assert inside.entered | outside.entered == whole.entered
        assert set(inside.witnesses) | set(outside.witnesses) == set(whole.witnesses)
