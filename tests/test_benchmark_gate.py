"""The CI speed gate of benchmarks/run.py: its comparison with the committed table (no timing here)."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

RUN_PY = Path(__file__).resolve().parents[1] / "benchmarks" / "run.py"


@pytest.fixture(scope="module")
def bench() -> ModuleType:
    spec = importlib.util.spec_from_file_location("benchmarks_run", RUN_PY)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def size(
    cpu_s: float, devices: int = 100, engine: str | None = "cudd", date: str | None = "2026-12-01"
) -> dict[str, Any]:
    run = {"stages": [], "total": {"stage": "total", "wall_s": cpu_s * 3, "cpu_s": cpu_s, "peak_rss_mib": 1.0}}
    entry: dict[str, Any] = {"devices": devices, "runs": {"cold": run}}
    if engine is not None:
        entry["engine"] = engine
    if date is not None:
        entry["date"] = date
    return entry


def test_within_twice_the_committed_cpu_time_passes(bench: ModuleType) -> None:
    assert bench.speed_gate(size(22.0), [size(11.0)]) is None


def test_over_twice_fails_naming_both_times_and_the_table(bench: ModuleType) -> None:
    assert bench.speed_gate(size(22.1, date="2026-12-06"), [size(11.0)]) == (
        "speed gate: the 100-device city's cold verify took 22.1 s of CPU with cudd, 2.0× the committed "
        "11.0 s (benchmarks/results.json, 2026-12-01); more than 2× fails"
    )


def test_compares_with_the_newest_row_of_the_same_engine(bench: ModuleType) -> None:
    committed = [size(5.0, date="2026-11-01"), size(20.0, date="2026-12-01"), size(1.0, engine="oxidd")]
    assert bench.speed_gate(size(30.0), committed) is None
    assert bench.speed_gate(size(3.0, engine="oxidd"), committed) is not None


def test_rows_without_engine_and_date_are_the_old_cudd_rows(bench: ModuleType) -> None:
    committed = [size(11.158, engine=None, date=None)]
    failure = bench.speed_gate(size(30.0), committed)
    assert failure is not None and "committed 11.2 s (benchmarks/results.json, 2026-11-26)" in failure


def test_nothing_to_compare_passes(bench: ModuleType) -> None:
    assert bench.speed_gate(size(99.0, engine="oxidd"), [size(1.0)]) is None
    assert bench.speed_gate(size(99.0, devices=300), [size(1.0, devices=300)]) is None


def test_a_cold_run_that_did_not_finish_fails(bench: ModuleType) -> None:
    measured = {"devices": 100, "engine": "cudd", "runs": {"cold": {"timed_out_s": 60}}}
    assert bench.speed_gate(measured, [size(11.0)]) == "speed gate: the 100-device cold run did not finish"


def test_the_committed_table_has_a_gate_row_for_the_default_engine(bench: ModuleType) -> None:
    from nankoku_netcheck.reach.packets import chosen_backend

    assert bench.gate_reference(bench.committed_sizes(), chosen_backend("auto")) is not None
