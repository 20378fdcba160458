"""`FlowContext.classify` tries a hosts endpoint's own zone first (rules/flows.py `_home_zone`):
the classes it returns are those of the loop over every zone, kept here as the oracle, for the
packets the samples' searches deliver and for random subsets of them."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nankoku_netcheck.analyze import flow_context, load
from nankoku_netcheck.reach.engine import Endpoint
from nankoku_netcheck.reach.packets import PacketSet, PacketSpace
from nankoku_netcheck.rules.flows import OUTSIDE, TRANSIT, FlowContext

ROOT = Path(__file__).resolve().parent.parent


def classified_by_every_zone(ctx: FlowContext, endpoint: Endpoint, packets: PacketSet) -> dict[str, PacketSet]:
    """classify as it was: each zone's part in zone order, the rest as transit or outside."""
    boundary = ctx._boundary_class(endpoint)
    if boundary is not None:
        return ctx._split_boundary(boundary, packets, endpoint)
    out: dict[str, PacketSet] = {}
    rest = packets
    within = None
    if endpoint.kind == "hosts" and any(r.pool and r.field == "dst" for r in endpoint.translation):
        within = ctx.engine.segment_destinations(ctx.network.segments[endpoint.segment])
    for zone_id in ctx.zone_ids():
        owned = ctx.owned(zone_id, "dst") if within is None else ctx.owned(zone_id, "dst") & within
        part = packets & ctx.engine.pre(endpoint.translation, owned)
        if part != ctx.space.false:
            out[zone_id] = part
            rest &= ~part
    if rest != ctx.space.false:
        out[OUTSIDE if endpoint.kind == "exit" else TRANSIT] = rest
    return out


@pytest.fixture(scope="module", params=["nankoku", "nankoku-vrf", "otoyo-broken"])
def delivered(request: pytest.FixtureRequest) -> tuple[FlowContext, list[tuple[Endpoint, PacketSet]]]:
    loaded = load(str(ROOT / "topologies" / f"{request.param}.yaml"))
    ctx = flow_context(loaded, PacketSpace())
    found: list[tuple[Endpoint, PacketSet]] = []
    for zone_id in ctx.zone_ids():
        for routing in (True, False):
            found += sorted(ctx.reach(zone_id, routing).delivered.items())
    return ctx, found


def test_the_delivered_packets_get_the_classes_of_the_loop_over_every_zone(
    delivered: tuple[FlowContext, list[tuple[Endpoint, PacketSet]]],
) -> None:
    ctx, found = delivered
    hosts = [endpoint for endpoint, _ in found if ctx._home_zone(endpoint) is not None]
    assert hosts, "no endpoint takes the shortcut: the test would not test it"
    for endpoint, packets in found:
        got = ctx.classify(endpoint, packets)
        assert list(got) == list(classified_by_every_zone(ctx, endpoint, packets))
        assert got == classified_by_every_zone(ctx, endpoint, packets)


@settings(max_examples=60, deadline=None)
@given(data=st.data())
def test_random_parts_of_them_too(
    delivered: tuple[FlowContext, list[tuple[Endpoint, PacketSet]]], data: st.DataObject
) -> None:
    ctx, found = delivered
    endpoint, packets = data.draw(st.sampled_from(found))
    space = ctx.space
    # A part of the delivered packets, plus packets to another zone's addresses or to none.
    zone = data.draw(st.sampled_from(ctx.zone_ids()))
    cut = space.field_prefix("dst", data.draw(st.integers(0, 2**32 - 1)), data.draw(st.integers(0, 32)))
    extra = ctx.owned(zone, "dst") & space.field_prefix("src", data.draw(st.integers(0, 2**32 - 1)), 8)
    for part in (packets & cut, packets & ~cut, (packets & cut) | extra, space.false, extra):
        assert ctx.classify(endpoint, part) == classified_by_every_zone(ctx, endpoint, part)
        assert list(ctx.classify(endpoint, part)) == list(classified_by_every_zone(ctx, endpoint, part))
