"""The cut graphs of all pairs share one part built once per run (`_Skeleton`): a pair's graph
made from it has the edges and filter points of the graph built for that pair alone, the way
certificate.py built it before (`reference_graph` below), and the cut found on the shared residual
graph (`_certificate`) is the one `min_cut_sink_side` finds on the graph built alone."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import REPO

from nankoku_netcheck.analyze import flow_context, load
from nankoku_netcheck.model import ToTheBox
from nankoku_netcheck.profiles import pair_policies
from nankoku_netcheck.reach.filters import accepts
from nankoku_netcheck.reach.packets import PacketSet, PacketSpace
from nankoku_netcheck.rules.certificate import (
    SINK,
    SOURCE,
    CutGraph,
    FilterPoint,
    _add_leaks,
    _certificate,
    _Cut,
    _cut_graph,
    _Facts,
    _table_node,
    forbidden_connections,
    min_cut_sink_side,
)
from nankoku_netcheck.rules.flows import FlowContext
from nankoku_netcheck.rules.zone import sanctioned_flows
from nankoku_netcheck.synth import CitySpec, generate


def reference_graph(
    ctx: FlowContext, facts: _Facts, source: str, dest: str, forbidden: PacketSet, per_table: bool
) -> CutGraph:
    """The pair's graph built for it alone, every interface's filter asked of the engine."""
    network, engine = ctx.network, ctx.engine
    graph = CutGraph()
    for start, _ in ctx.starts(source):
        graph.add_edge(SOURCE, ("segment", start.segment) if start.segment else ("in", start.device, start.interface))
    for segment in network.segments.values():
        if segment.zone == dest:
            graph.add_edge(("segment", segment.id), SINK)
    boundary_sinks = facts.upstream_of.get(dest, frozenset())
    for device_name, device in sorted(network.devices.items()):
        zones = {if_name: facts.interface_zones[device_name, if_name] for if_name in device.interfaces}
        owns_dest = any(dest in owned for owned in zones.values())
        for if_name, interface in device.interfaces.items():
            if dest in zones[if_name]:
                graph.add_edge(_table_node(device_name, interface, per_table), SINK)
        if per_table:
            _add_leaks(graph, device)
        for if_name, interface in sorted(device.interfaces.items()):
            key = (device_name, if_name)
            segment_id = network.segment_of.get(key)
            if interface.shutdown or (segment_id is None and key not in engine.boundary):
                continue
            node = _table_node(device_name, interface, per_table)
            inbound = engine.entry_filter(device_name, if_name)
            if device.to_the_box is ToTheBox.FILTERED and device.policy is not None:
                inbound = engine.interface_filter(device_name, if_name, "in")
            if device.to_the_box is ToTheBox.VIA_POLICY:
                inbound |= engine.box_filter(device_name, if_name)
            outbound = engine.interface_filter(device_name, if_name, "out")
            for node_a, node_b, direction, permitted in (
                (("in", device_name, if_name), node, "in", inbound),
                (node, ("out", device_name, if_name), "out", outbound),
            ):
                point: FilterPoint = (device_name, if_name, direction)
                graph.add_edge(node_a, node_b, point if permitted & forbidden == ctx.space.false else None)
            answers = owns_dest if device.to_the_box is ToTheBox.ANY_ADDRESS else dest in zones[if_name]
            if device.to_the_box is not ToTheBox.FILTERED and accepts(interface) and answers:
                graph.add_edge(("in", device_name, if_name), SINK)
            if key in boundary_sinks:
                graph.add_edge(("out", device_name, if_name), SINK)
            if segment_id is not None:
                graph.add_edge(("out", device_name, if_name), ("segment", segment_id))
                if interface.addresses:
                    graph.add_edge(("segment", segment_id), ("in", device_name, if_name))
    return graph


def assert_shared_graphs_are_the_pairs_own(ctx: FlowContext) -> int:
    """Every pair (isolated or not), per device and per VRF table; returns how many cuts of filters it compared."""
    facts = _Facts.of(ctx)
    sanctioned = sanctioned_flows(ctx)
    cuts = 0
    for policy in pair_policies(ctx.network.topology):
        forbidden = forbidden_connections(ctx, policy, sanctioned)
        for per_table in (False, True):
            alone = reference_graph(ctx, facts, policy.from_zone, policy.to_zone, forbidden, per_table)
            shared = _cut_graph(ctx, facts, policy.from_zone, policy.to_zone, forbidden, per_table)
            assert shared.edges == alone.edges
        alone = reference_graph(ctx, facts, policy.from_zone, policy.to_zone, forbidden, per_table=False)
        certificate = _certificate(ctx, facts, policy.from_zone, policy.to_zone, forbidden)
        sink_side = min_cut_sink_side(alone) if alone.has_path() else None
        if isinstance(certificate, _Cut):
            assert sink_side is not None
            expected = tuple(
                point
                for (node_a, node_b), point in sorted(alone.edges.items())
                if point is not None and node_a not in sink_side and node_b in sink_side
            )
            assert certificate.points == expected
            cuts += 1
        else:
            assert sink_side is None
            assert certificate.lines == ()
            no_path = certificate.route_absences == ("no physical path between the zones",)
            assert no_path == (not alone.has_path())
    return cuts


TOPOLOGIES = sorted(path.name for path in (REPO / "topologies").glob("*.yaml"))


@pytest.mark.parametrize("name", TOPOLOGIES)
def test_a_shipped_topologys_pairs_get_the_graph_and_cut_of_their_own(name: str) -> None:
    loaded = load(str(REPO / "topologies" / name))
    assert_shared_graphs_are_the_pairs_own(flow_context(loaded, PacketSpace("auto")))


@pytest.mark.parametrize("seed", [1, 2])
def test_a_synthetic_citys_pairs_get_the_graph_and_cut_of_their_own(seed: int, tmp_path: Path) -> None:
    loaded = load(str(generate(CitySpec(devices=24, acl_lines=400, seed=seed), tmp_path)))
    assert assert_shared_graphs_are_the_pairs_own(flow_context(loaded, PacketSpace("auto"))) == 6
