"""A search worker whose parent is gone (killed outright, so its `finally` never stopped the
worker) stops: it claims no further search and no further cut point (rules/presearch.py
`orphaned`). Run in this process with the parent's liveness stood in for; a live parent's
worker still does its share, so the test would see a worker that ignored its parent."""

from __future__ import annotations

import multiprocessing
from pathlib import Path

import pytest
from test_presearch import city  # noqa: F401 (a fixture)

from nankoku_netcheck.analyze import load
from nankoku_netcheck.cache import ParseCache
from nankoku_netcheck.reach.packets import STORE_BACKENDS, PacketSpace
from nankoku_netcheck.reach.store import BddStore
from nankoku_netcheck.rules import presearch

pytestmark = pytest.mark.skipif(PacketSpace().backend not in STORE_BACKENDS, reason="the store needs CUDD or OxiDD")


class Parent:
    def __init__(self, alive: bool) -> None:
        self.alive = alive

    def is_alive(self) -> bool:
        return self.alive


def run_worker(topology: Path, tmp_path: Path, alive: bool, monkeypatch: pytest.MonkeyPatch) -> Path:
    """`search_worker` as a spawned worker runs it, its parent alive or not; the transfer folder."""
    monkeypatch.setattr(presearch.multiprocessing, "parent_process", lambda: Parent(alive))
    cache = ParseCache(tmp_path / "cache")
    loaded = load(str(topology), cache)
    folder = tmp_path / f"transfer-{alive}"
    folder.mkdir()
    ready, searched = multiprocessing.Event(), multiprocessing.Event()
    ready.set()
    plan = presearch.planned_searches(loaded.topology, presearch.EVERY_ZONE_ROUTED)[:2]
    assert plan
    presearch.search_worker(
        ready, str(folder), cache.secret, str(cache.directory), "auto", 10**9,
        loaded.topology, loaded.configs, plan, searched, certify=True,
    )  # fmt: skip
    return folder


def test_an_orphaned_worker_claims_nothing(city: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:  # noqa: F811
    folder = run_worker(city, tmp_path, alive=False, monkeypatch=monkeypatch)
    assert list(folder.iterdir()) == []


def test_a_worker_with_its_parent_searches_and_reads_lines(
    city: Path,  # noqa: F811
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    folder = run_worker(city, tmp_path, alive=True, monkeypatch=monkeypatch)
    claims = [path.name for path in folder.iterdir() if path.name.startswith("claim-")]
    assert len(claims) > 2  # the two searches and at least one cut point
    assert any(path.is_dir() for path in folder.iterdir())  # saved results and lines


def test_the_share_refuses_points_once_the_parent_is_gone(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    share = presearch.TransferredLines(tmp_path, BddStore(tmp_path))
    monkeypatch.setattr(presearch.multiprocessing, "parent_process", lambda: Parent(True))
    assert share.take(("fw", "Gi0/0", "in"))
    monkeypatch.setattr(presearch.multiprocessing, "parent_process", lambda: Parent(False))
    assert not share.take(("fw", "Gi0/1", "in"))
    # This process's own side (the parent's) never asks: it reads what is left.
    monkeypatch.setattr(presearch.multiprocessing, "parent_process", lambda: None)
    assert share.take(("fw", "Gi0/2", "in"))
