"""The isolation certificates compile an interface's filter only when a pair's search tests its
point (rules/certificate.py `_FilterSets`): the cuts and the tested points are those of the
graph with every filter read (`_cut_graph`, which the other certificate tests compare with a
graph built pair by pair)."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import REPO

from nankoku_netcheck.analyze import flow_context, load
from nankoku_netcheck.profiles import pair_policies
from nankoku_netcheck.reach.packets import PacketSpace
from nankoku_netcheck.rules.certificate import (
    _certified,
    _Cut,
    _cut_graph,
    _Facts,
    forbidden_connections,
    isolation_certificates,
    min_cut_sink_side,
)
from nankoku_netcheck.rules.flows import FlowContext
from nankoku_netcheck.rules.zone import sanctioned_flows
from nankoku_netcheck.synth import CitySpec, generate


def points_read(ctx: FlowContext) -> tuple[set[tuple[str, str, str]], set[tuple[str, str, str]], int]:
    """The points the pairs' searches tested, those whose filters were compiled, and how many
    points the graph has; each pair's cut is checked against the graph with every filter read."""
    facts = _Facts.of(ctx)
    sanctioned = sanctioned_flows(ctx)
    tested: set[tuple[str, str, str]] = set()
    for policy in pair_policies(ctx.network.topology):
        forbidden = forbidden_connections(ctx, policy, sanctioned)
        outcome = _certified(ctx, facts, policy.from_zone, policy.to_zone, forbidden)
        tested |= {(device, interface, direction) for device, interface, direction, _ in outcome.tested}
        graph = _cut_graph(ctx, _Facts.of(ctx), policy.from_zone, policy.to_zone, forbidden)
        for device, interface, direction, drops in outcome.tested:
            edges = [point for point in graph.edges.values() if point == (device, interface, direction)]
            assert bool(edges) == drops
        if isinstance(outcome.cut, _Cut):
            sink_side = min_cut_sink_side(graph)
            assert sink_side is not None
            assert outcome.cut.points == tuple(
                point
                for (node_a, node_b), point in sorted(graph.edges.items())
                if point is not None and node_a not in sink_side and node_b in sink_side
            )
    skeleton = facts.skeletons[False]
    compiled = {skeleton.filter_edges[number].point for number in skeleton.filters.known}
    return tested, compiled, len(skeleton.filter_edges)


@pytest.mark.parametrize("seed", [1, 2])
def test_a_citys_certificates_compile_only_the_filters_their_searches_test(seed: int, tmp_path: Path) -> None:
    loaded = load(str(generate(CitySpec(devices=24, acl_lines=400, seed=seed), tmp_path)))
    tested, compiled, points = points_read(flow_context(loaded, PacketSpace("auto")))
    assert compiled == tested
    # the searches stop at the zone firewalls: the points behind them are never read
    assert 0 < len(compiled) < points


TOPOLOGIES = sorted(path.name for path in (REPO / "topologies").glob("*.yaml"))


@pytest.mark.parametrize("name", TOPOLOGIES)
def test_a_shipped_topologys_certificates_compile_only_the_filters_their_searches_test(name: str) -> None:
    loaded = load(str(REPO / "topologies" / name))
    tested, compiled, _ = points_read(flow_context(loaded, PacketSpace("auto")))
    assert compiled == tested


def test_the_certificates_are_the_same_whichever_filters_were_compiled_before(tmp_path: Path) -> None:
    """A filter the search compiled (or the engine had) gives the answer a fresh one gives."""
    path = str(generate(CitySpec(devices=24, acl_lines=400, seed=3), tmp_path))
    fresh = isolation_certificates(flow_context(load(path), PacketSpace("auto")))
    ctx = flow_context(load(path), PacketSpace("auto"))
    for device_name, device in sorted(ctx.network.devices.items()):
        for if_name in sorted(device.interfaces):
            ctx.engine.entry_filter(device_name, if_name)
            ctx.engine.interface_filter(device_name, if_name, "out")
    assert isolation_certificates(ctx) == fresh
    assert any(certificate.lines for certificate in fresh)
