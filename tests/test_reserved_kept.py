"""The segments' network and broadcast destinations (`FlowContext.reserved_destinations`)
kept in the store by the structure fingerprint: taken back equal to what is computed, and
made anew when the structure changes."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from conftest import REPO

from nankoku_netcheck.analyze import fingerprints, flow_context, load, packet_space
from nankoku_netcheck.cache import ParseCache
from nankoku_netcheck.model import ip_to_int
from nankoku_netcheck.reach.packets import PROTO_TCP, Packet
from nankoku_netcheck.rules.flows import FlowContext

SAMPLE = REPO / "topologies" / "nankoku.yaml"


def _context(topology: Path, cache: Path, kept: bool) -> FlowContext:
    parse_cache = ParseCache(cache)
    loaded = load(str(topology), cache=parse_cache)
    space = packet_space("oxidd", parse_cache)
    ctx = flow_context(loaded, space)
    if kept:
        ctx.fingerprints = fingerprints(loaded, space, 1000)
    return ctx


def _computed_in(ctx: FlowContext) -> object:
    """The set computed from the segments, in `ctx`'s packet space (no store asked)."""
    fresh = FlowContext(ctx.network, ctx.space, ctx.engine, ctx.tracer)
    return fresh.reserved_destinations()


def test_kept_reserved_destinations_equal_the_computed_ones(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    cache = tmp_path / "cache"
    first = _context(SAMPLE, cache, kept=True)
    made = first.reserved_destinations()
    assert made != first.space.false
    assert made == _computed_in(first)

    again = _context(SAMPLE, cache, kept=True)
    computed = _computed_in(again)

    def refuse(self: FlowContext, field_name: str) -> object:
        raise AssertionError("computed, not taken from the store")

    monkeypatch.setattr(FlowContext, "_reserved", refuse)
    assert again.reserved_destinations() == computed


def test_another_structure_does_not_take_them(tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    original = _context(SAMPLE, cache, kept=True)
    original.reserved_destinations()
    copy = tmp_path / "copy"
    shutil.copytree(REPO / "device_configs" / "nankoku", copy / "device_configs" / "nankoku")
    topology = copy / SAMPLE.name
    topology.write_text(
        SAMPLE.read_text(encoding="utf-8").replace("../device_configs/nankoku", "device_configs/nankoku"),
        encoding="utf-8",
    )
    config = copy / "device_configs" / "nankoku" / "mn-core.cfg"
    text = config.read_text(encoding="utf-8")
    line = " ip address 10.1.20.1 255.255.255.0\n"
    assert line in text
    # A /25 instead of a /24: the segment's broadcast address is another one.
    config.write_text(text.replace(line, " ip address 10.1.20.1 255.255.255.128\n"), encoding="utf-8")
    changed = _context(topology, cache, kept=True)
    assert changed.fingerprints is not None and original.fingerprints is not None
    assert changed.fingerprints.structure != original.fingerprints.structure
    found = changed.reserved_destinations()
    assert found == _computed_in(changed)
    assert changed.space.contains(found, _to("10.1.20.127")) and not changed.space.contains(found, _to("10.1.20.255"))


def _to(address: str) -> Packet:
    return Packet(ip_to_int("10.1.10.5"), ip_to_int(address), PROTO_TCP, 40000, 443, False)
