"""reach/saved.py: a search result survives the store unchanged, on both engines with a file
format, and a damaged or foreign entry loads as nothing (never a traceback)."""

from __future__ import annotations

from pathlib import Path

import pytest

from nankoku_netcheck.analyze import flow_context, load
from nankoku_netcheck.model import Source
from nankoku_netcheck.reach.engine import Endpoint, ReachResult
from nankoku_netcheck.reach.nat import Rewrite
from nankoku_netcheck.reach.packets import PacketSpace
from nankoku_netcheck.reach.saved import load_reach, save_reach
from nankoku_netcheck.reach.store import BddStore

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = str(ROOT / "topologies" / "nankoku.yaml")
ENGINES = ("cudd", "oxidd")


def sample_result(space: PacketSpace) -> ReachResult:
    """A real search (every zone of the sample sends) plus a delivery through a NAT rewrite."""
    context = flow_context(load(SAMPLE), space)
    zone = context.network.topology.zones[0].id
    searched = context.reach(zone)
    rewrite = Rewrite("src", 0xC6336400, 24, pool=True, rule=Source("r1.cfg", 7, "ip nat"), rules=())
    nat_endpoint = Endpoint("exit", "r1", "Gi0/1", "", (rewrite,))
    delivered = {**searched.delivered, nat_endpoint: space.field_equals("proto", 6)}
    return ReachResult(
        delivered, dict(searched.witnesses), searched.work, searched.budget, exhausted=True, entered=searched.entered
    )


def assert_same(got: ReachResult | None, want: ReachResult) -> None:
    assert got is not None
    assert list(got.delivered) == list(want.delivered)
    assert list(got.witnesses) == list(want.witnesses)
    assert all(got.delivered[key] == want.delivered[key] for key in want.delivered)
    assert all(got.witnesses[key] == want.witnesses[key] for key in want.witnesses)
    assert (got.work, got.budget, got.exhausted, got.entered) == (want.work, want.budget, want.exhausted, want.entered)


@pytest.mark.parametrize("engine", ENGINES)
def test_a_search_result_round_trips_into_a_fresh_space(tmp_path: Path, engine: str) -> None:
    space = PacketSpace(engine)
    result = sample_result(space)
    assert len(result.witnesses) >= 2 and len(result.delivered) > 3
    save_reach(BddStore(tmp_path), "zone-a", result)
    fresh = PacketSpace(engine)
    loaded = load_reach(BddStore(tmp_path), fresh, "zone-a")
    assert loaded is not None
    assert fresh.count(next(iter(loaded.delivered.values()))) == space.count(next(iter(result.delivered.values())))
    # Sets of two managers compare once the fresh space's copy is saved and loaded back here.
    save_reach(BddStore(tmp_path), "copy", loaded)
    assert_same(load_reach(BddStore(tmp_path), space, "copy"), result)
    assert load_reach(BddStore(tmp_path), fresh, "other key") is None


@pytest.mark.parametrize("engine", ENGINES)
def test_an_empty_result_round_trips(tmp_path: Path, engine: str) -> None:
    save_reach(BddStore(tmp_path), "empty", ReachResult(work=3))
    loaded = load_reach(BddStore(tmp_path), PacketSpace(engine), "empty")
    assert loaded is not None
    assert (loaded.delivered, loaded.witnesses, loaded.work, loaded.exhausted) == ({}, {}, 3, False)


def test_another_engine_does_not_load_the_entry(tmp_path: Path) -> None:
    save_reach(BddStore(tmp_path), "k", sample_result(PacketSpace("oxidd")))
    assert load_reach(BddStore(tmp_path), PacketSpace("cudd"), "k") is None
    assert load_reach(BddStore(tmp_path), PacketSpace("oxidd"), "k") is not None


@pytest.mark.parametrize("suffix", [".blob", ".json"])
@pytest.mark.parametrize("engine", ENGINES)
def test_a_damaged_entry_loads_as_none(tmp_path: Path, engine: str, suffix: str) -> None:
    space = PacketSpace(engine)
    save_reach(BddStore(tmp_path), "k", sample_result(space))
    (entry,) = tmp_path.glob(f"*/*{suffix}")
    data = bytearray(entry.read_bytes())
    data[len(data) // 2] ^= 0x01
    entry.write_bytes(bytes(data))
    store = BddStore(tmp_path)
    assert load_reach(store, space, "k") is None
    assert store.rejected == 1
    assert not entry.exists()


@pytest.mark.parametrize("engine", ENGINES)
def test_a_blob_of_another_save_does_not_pair_with_the_record(tmp_path: Path, engine: str) -> None:
    """Both files are authentic, but from two saves under the same key: the record's hash of
    the blob tells them apart."""
    space = PacketSpace(engine)
    result = sample_result(space)
    save_reach(BddStore(tmp_path), "k", result)
    (blob,) = tmp_path.glob("*/*.blob")
    first = blob.read_bytes()
    smaller = ReachResult(dict(list(result.delivered.items())[:1]), {}, 1)
    save_reach(BddStore(tmp_path), "k", smaller)
    assert load_reach(BddStore(tmp_path), space, "k") is not None
    blob.write_bytes(first)
    assert load_reach(BddStore(tmp_path), space, "k") is None
