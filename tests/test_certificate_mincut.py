"""The isolation certificates' own minimum cut and look-ups give what the plain way gives:
networkx's `minimum_cut` on the same graph (any flow algorithm), `ZoneTable.zone_of`, and the
certificates `minimum_cut` would make on every shipped topology."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import networkx as nx
import pytest
from conftest import REPO
from hypothesis import given, settings
from hypothesis import strategies as st
from networkx.algorithms.flow import boykov_kolmogorov, edmonds_karp, preflow_push

from nankoku_netcheck.analyze import flow_context, load
from nankoku_netcheck.graph import ZoneTable
from nankoku_netcheck.model import prefix_mask
from nankoku_netcheck.profiles import pair_policies
from nankoku_netcheck.reach.packets import PacketSet, PacketSpace
from nankoku_netcheck.result import Evidence
from nankoku_netcheck.rules.certificate import (
    SINK,
    SOURCE,
    CutGraph,
    FilterPoint,
    Node,
    _certificate,
    _Cut,
    _cut_graph,
    _dropping_lines,
    _dropping_lines_each,
    _Facts,
    _shares,
    forbidden_connections,
    isolation_certificates,
    min_cut_sink_side,
)
from nankoku_netcheck.rules.zone import sanctioned_flows
from nankoku_netcheck.synth import CitySpec, generate

NODES: tuple[Node, ...] = (SOURCE, SINK, *((f"n{i}",) for i in range(6)))


def networkx_graph(graph: CutGraph) -> nx.DiGraph[Node]:
    """The graph as the first version of certificate.py built it: filter edges have capacity 1."""
    plain: nx.DiGraph[Node] = nx.DiGraph()
    plain.add_nodes_from((SOURCE, SINK))
    for (node_a, node_b), point in graph.edges.items():
        if point is None:
            plain.add_edge(node_a, node_b)
        else:
            plain.add_edge(node_a, node_b, capacity=1, filter=point)
    return plain


def networkx_sink_side(graph: CutGraph, flow_func: Callable[..., Any] = boykov_kolmogorov) -> set[Node] | None:
    plain = networkx_graph(graph)
    try:
        value, (_, sink_side) = nx.minimum_cut(plain, SOURCE, SINK, flow_func=flow_func)
    except nx.NetworkXUnbounded:
        return None
    return None if value == float("inf") else set(sink_side)


edges = st.lists(
    st.tuples(st.sampled_from(NODES), st.sampled_from(NODES), st.booleans()),
    max_size=24,
)


@settings(max_examples=300, deadline=None)
@given(edges)
def test_the_cut_is_the_one_networkx_finds_whatever_its_flow_algorithm(added: list[tuple[Node, Node, bool]]) -> None:
    graph = CutGraph()
    for position, (node_a, node_b, is_filter) in enumerate(added):
        graph.add_edge(node_a, node_b, ("device", f"if{position}", "in") if is_filter else None)
    plain = networkx_graph(graph)
    assert graph.has_path() == nx.has_path(plain, SOURCE, SINK)
    if not graph.has_path():
        return
    ours = min_cut_sink_side(graph)
    for flow_func in (boykov_kolmogorov, edmonds_karp, preflow_push):
        assert ours == networkx_sink_side(graph, flow_func)


def test_an_edge_added_again_keeps_its_filter_unless_a_new_one_is_given() -> None:
    point: FilterPoint = ("fw", "ge0", "in")
    graph = CutGraph()
    graph.add_edge(SOURCE, SINK, point)
    graph.add_edge(SOURCE, SINK)
    assert graph.edges == {(SOURCE, SINK): point}
    graph.add_edge(SINK, SOURCE)
    graph.add_edge(SINK, SOURCE, point)
    assert graph.edges[SINK, SOURCE] == point


def test_two_filters_in_a_row_are_cut_at_the_one_nearer_the_sink() -> None:
    # Both single filters are minimum cuts; networkx's partition (and so ours) takes the one
    # whose sink side is smallest.
    graph = CutGraph()
    graph.add_edge(SOURCE, ("a",), ("fw1", "ge0", "in"))
    graph.add_edge(("a",), ("b",), ("fw2", "ge0", "in"))
    graph.add_edge(("b",), SINK)
    assert min_cut_sink_side(graph) == {("b",), SINK}
    graph.add_edge(SOURCE, ("b",))
    assert min_cut_sink_side(graph) is None


def test_the_zone_lookup_is_the_first_entry_whose_prefix_holds_the_address() -> None:
    # Sorted (longest first, as from_zones makes it): two zones claiming the same prefix, the
    # first listed wins; not sorted: still the first entry that holds the address, as a scan.
    table = ZoneTable(
        (
            (0x0A010100, 24, "a"),
            (0x0A010100, 24, "b"),
            (0x0A010000, 16, "c"),
            (0x0A000000, 8, "d"),
        )
    )
    unsorted = ZoneTable(((0x0A000000, 8, "d"), (0x0A010100, 24, "a")))

    def scan(zones: ZoneTable, address: int) -> str | None:
        return next((zone for network, length, zone in zones.entries if address & prefix_mask(length) == network), None)

    addresses = (0x0A010105, 0x0A0102FF, 0x0A7F0001, 0x0B000001, 0)
    assert [table.zone_of(address) for address in addresses] == ["a", "c", "d", None, None]
    assert [table.zone_of(address) for address in addresses] == [scan(table, a) for a in addresses]
    assert [unsorted.zone_of(address) for address in addresses] == ["d", "d", "d", None, None]
    assert [unsorted.zone_of(address) for address in addresses] == [scan(unsorted, a) for a in addresses]


TOPOLOGIES = sorted(path.name for path in (REPO / "topologies").glob("*.yaml"))


@pytest.mark.parametrize("name", TOPOLOGIES)
def test_every_shipped_topology_gets_the_certificates_networkx_would_give(name: str) -> None:
    loaded = load(str(REPO / "topologies" / name))
    ctx = flow_context(loaded, PacketSpace("auto"))
    facts = _Facts.of(ctx)
    sanctioned = sanctioned_flows(ctx)
    for address_owner in loaded.network.devices.values():
        for if_name, interface in address_owner.interfaces.items():
            zones = {loaded.network.zones.zone_of(a.address) for a in interface.addresses}
            zones |= {loaded.network.zones.zone_of(address) for address in interface.virtual_addresses}
            assert facts.interface_zones[address_owner.name, if_name] == zones
    expected: list[tuple[str, str, tuple[Evidence, ...] | None]] = []
    for policy in pair_policies(loaded.topology):
        forbidden = forbidden_connections(ctx, policy, sanctioned)
        routed = ctx.flows(policy.from_zone).get(policy.to_zone, ctx.space.false)
        if routed & forbidden != ctx.space.false:
            continue
        graph = _cut_graph(ctx, facts, policy.from_zone, policy.to_zone, forbidden)
        plain = networkx_graph(graph)
        if not nx.has_path(plain, SOURCE, SINK):
            expected.append((policy.from_zone, policy.to_zone, None))
            continue
        sink_side = networkx_sink_side(graph)
        if sink_side is None:
            expected.append((policy.from_zone, policy.to_zone, None))
            continue
        lines: list[Evidence] = []
        for node_a, node_b in sorted(plain.edges()):
            point = plain.edges[node_a, node_b].get("filter")
            if point and node_a not in sink_side and node_b in sink_side:
                device_name, if_name, direction = point
                lines += _dropping_lines(ctx, device_name, if_name, direction, forbidden)
        expected.append((policy.from_zone, policy.to_zone, tuple(lines)))
    certificates = isolation_certificates(ctx)
    assert [(c.from_zone, c.to_zone) for c in certificates] == [(source, dest) for source, dest, _ in expected]
    for certificate, (_, _, cut) in zip(certificates, expected, strict=True):
        if cut is None:  # no path, or no set of whole filters: a note and no lines
            assert certificate.lines == () and certificate.route_absences
        else:
            assert certificate.lines == cut


def test_the_shipped_topologies_have_cuts_of_every_kind() -> None:
    """The comparison above covers a cut of filters and a pair no set of whole filters parts."""
    kinds = set()
    for name in TOPOLOGIES:
        loaded = load(str(REPO / "topologies" / name))
        for certificate in isolation_certificates(flow_context(loaded, PacketSpace("auto"))):
            kinds.add("lines" if certificate.lines else "note")
    assert kinds == {"lines", "note"}


def test_a_filter_cut_for_several_pairs_is_read_once_with_the_same_lines_as_pair_by_pair(tmp_path: Path) -> None:
    """The 30-device city's zone firewalls are each in the cuts of two pairs (applies: one pass
    for both) and the pass for a single pair is `_dropping` itself (does not apply)."""
    loaded = load(str(generate(CitySpec(devices=30, acl_lines=6000, seed=1), tmp_path)))
    ctx = flow_context(loaded, PacketSpace("auto"))
    facts = _Facts.of(ctx)
    sanctioned = sanctioned_flows(ctx)
    sharing: dict[FilterPoint, list[PacketSet]] = {}
    for policy in pair_policies(loaded.topology):
        forbidden = forbidden_connections(ctx, policy, sanctioned)
        cut = _certificate(ctx, facts, policy.from_zone, policy.to_zone, forbidden)
        assert isinstance(cut, _Cut)
        for point in cut.points:
            sharing.setdefault(point, []).append(forbidden)
    assert sorted(len(forbiddens) for forbiddens in sharing.values()) == [2, 2, 2]
    for point, forbiddens in sharing.items():
        together = _dropping_lines_each(ctx, *point, forbiddens)
        one_by_one = [_dropping_lines(ctx, *point, forbidden) for forbidden in forbiddens]
        assert together == one_by_one
        assert all(len(lines) > 100 for lines in together)
        assert _dropping_lines_each(ctx, *point, forbiddens[:1]) == one_by_one[:1]
        # Overlapping sets (no pair makes them, but the pass must not assume it): each counted apart.
        overlapping = [forbiddens[0], forbiddens[0] | forbiddens[1]]
        assert _dropping_lines_each(ctx, *point, overlapping) == [
            _dropping_lines(ctx, *point, forbidden) for forbidden in overlapping
        ]


def test_a_regions_shares_of_disjoint_parts_are_its_count_less_the_others() -> None:
    space = PacketSpace("auto")
    ten, eleven = space.field_prefix("src", 0x0A000000, 8), space.field_prefix("src", 0x0B000000, 8)
    region = space.field_prefix("src", 0x0A000000, 7) & space.field_prefix("dst", 0xC0A80000, 16) & space.valid
    expected = [space.count(region & ten), space.count(region & eleven)]
    assert expected[0] == expected[1] > 0
    assert _shares(space, region, [ten & space.valid, eleven & space.valid], disjoint=True) == expected
    # Overlapping parts (not disjoint): each part counted on its own.
    wide = space.field_prefix("src", 0x0A000000, 7)
    assert _shares(space, region, [ten, wide], disjoint=False) == [expected[0], 2 * expected[0]]
