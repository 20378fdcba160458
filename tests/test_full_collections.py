"""While `analyze` and `diff` analyse, full passes of the cyclic collector are rarer
(parse_worker.rare_full_collections: they walk every object the analysis made and free next to
nothing); the caller's thresholds are back afterwards, also when the run fails."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import REPO

from nankoku_netcheck import analyze as analyze_module
from nankoku_netcheck import diff_sides as diff_sides_module
from nankoku_netcheck.analyze import analyze
from nankoku_netcheck.diff import diff_topologies
from nankoku_netcheck.errors import InputError
from nankoku_netcheck.parse_worker import RARE_FULL_COLLECTIONS, rare_full_collections


@pytest.fixture
def thresholds() -> Iterator[tuple[int, int, int]]:
    """A caller's own thresholds (not the defaults), restored after the test."""
    saved = gc.get_threshold()
    gc.set_threshold(600, 9, 7)
    yield gc.get_threshold()
    gc.set_threshold(*saved)


def test_raised_inside_and_restored_after(thresholds: tuple[int, int, int]) -> None:
    with rare_full_collections():
        assert gc.get_threshold() == (600, 9, RARE_FULL_COLLECTIONS)
    assert gc.get_threshold() == thresholds
    with pytest.raises(RuntimeError), rare_full_collections():
        raise RuntimeError("a failing run")
    assert gc.get_threshold() == thresholds


def test_a_caller_with_rarer_passes_keeps_them(thresholds: tuple[int, int, int]) -> None:
    gc.set_threshold(600, 9, 5000)
    with rare_full_collections():
        assert gc.get_threshold()[2] == 5000


def seen_while(monkeypatch: pytest.MonkeyPatch, module: Any, name: str) -> list[tuple[int, int, int]]:
    """The thresholds each call of `module.name` runs under."""
    seen: list[tuple[int, int, int]] = []
    original = getattr(module, name)

    def recorded(*args: Any, **kwargs: Any) -> Any:
        seen.append(gc.get_threshold())
        return original(*args, **kwargs)

    monkeypatch.setattr(module, name, recorded)
    return seen


def test_analyze_and_diff_analyse_with_rare_full_passes(
    thresholds: tuple[int, int, int], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    topology = REPO / "topologies" / "nankoku.yaml"
    seen = seen_while(monkeypatch, analyze_module, "analyze_loaded")
    analyze(str(topology), cache=None)
    assert seen == [(600, 9, RARE_FULL_COLLECTIONS)]
    assert gc.get_threshold() == thresholds
    seen = seen_while(monkeypatch, diff_sides_module, "analyze_loaded")  # each side (diff_sides.analyse_side)
    diff_topologies(str(REPO / "topologies" / "nankoku-broken.yaml"), str(topology))
    assert seen == [(600, 9, RARE_FULL_COLLECTIONS)] * 2
    assert gc.get_threshold() == thresholds


def test_restored_after_bad_input(thresholds: tuple[int, int, int], tmp_path: Path) -> None:
    broken = tmp_path / "topology.yaml"
    broken.write_text("devices: [\n", encoding="utf-8")
    with pytest.raises(InputError):
        diff_topologies(str(broken), str(broken))
    assert gc.get_threshold() == thresholds
