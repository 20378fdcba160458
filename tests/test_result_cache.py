"""The whole-run result cache (result_cache.py): an identical re-run returns the stored
Result without parsing or searching; any change to what the Result depends on recomputes
it; a damaged or foreign entry is never trusted."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import re
import warnings
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from conftest import REPO, NetworkWriter

from nankoku_netcheck import analyze as analyze_module
from nankoku_netcheck import parse_worker as parse_worker_module
from nankoku_netcheck import result_cache as result_cache_module
from nankoku_netcheck import topology as topology_module
from nankoku_netcheck.analyze import analyze
from nankoku_netcheck.baseline import baseline_text
from nankoku_netcheck.cache import ParseCache
from nankoku_netcheck.cli import main
from nankoku_netcheck.errors import InputWarning
from nankoku_netcheck.result import Result
from nankoku_netcheck.rules import REGISTRY

BROKEN = str(REPO / "topologies" / "nankoku-broken.yaml")
COMPLIANT = str(REPO / "topologies" / "nankoku.yaml")
LATER = "2031-01-02T03:04:05Z"
# One violation, so that a baseline has something to accept.
PLANTED = {"lg_extra": "ip route 10.3.0.0 255.255.0.0 192.168.0.5"}
CLAUSES = "ZONE-001: 第5条第2項\n"


@pytest.fixture
def city(triangle: NetworkWriter, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The four-router city with a clause map (a file the topology names); the cwd is its folder."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "clauses.yaml").write_text(CLAUSES, encoding="utf-8")
    return triangle("clauses: clauses.yaml\n", **PLANTED)


Counter = dict[str, int]


@pytest.fixture
def loads(monkeypatch: pytest.MonkeyPatch) -> Counter:
    """How many times `analyze` loaded (parsed) the network."""
    calls = {"load": 0}
    real = analyze_module.load_network

    def counted(*args: Any, **kwargs: Any) -> Any:
        calls["load"] += 1
        return real(*args, **kwargs)

    monkeypatch.setattr(analyze_module, "load_network", counted)
    return calls


def forbid_work(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every stage after the topology's loading raises: a hit must need none of them."""

    def refuse(*_args: object, **_kwargs: object) -> Any:
        raise AssertionError("parsed or searched on a cache hit")

    for name in (
        "load",
        "load_network",
        "parse_devices",
        "parse_many",
        "packet_space",
        "analyze_loaded",
    ):
        monkeypatch.setattr(analyze_module, name, refuse)
    monkeypatch.setattr(parse_worker_module, "parse_config", refuse)
    monkeypatch.setattr(analyze_module, "ReachEngine", refuse)


def entries(cache: Path) -> list[Path]:
    return sorted((cache / "results").glob("*.json"))


def run(topology: Path | str, cache: Path, **options: Any) -> Result:
    return analyze(str(topology), cache=ParseCache(cache), timestamp=LATER, **options)


# --- a hit ------------------------------------------------------------------------------------------


def test_an_identical_rerun_returns_the_result_without_parsing_or_searching(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = analyze(BROKEN, cache=ParseCache(tmp_path / "cache"), timestamp="2030-01-01T00:00:00Z")
    assert first.exit_code() == 1 and len(entries(tmp_path / "cache")) == 1
    forbid_work(monkeypatch)
    second = analyze(BROKEN, cache=ParseCache(tmp_path / "cache"), timestamp=LATER)
    assert second == replace(first, generated_at=LATER)
    assert second.exit_code() == 1


def test_a_hit_without_a_timestamp_is_stamped_now(city: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    run(city, tmp_path / "cache")
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1900000000")
    forbid_work(monkeypatch)
    assert analyze(str(city), cache=ParseCache(tmp_path / "cache")).generated_at == "2030-03-17T17:46:40Z"


def test_a_hit_issues_the_runs_input_warnings_again(
    triangle: NetworkWriter, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    topology = triangle()
    config = topology.parent / "configs" / "r-lg.cfg"
    config.write_text(config.read_text(encoding="utf-8").replace("hostname r-lg", "hostname r-mn"), encoding="utf-8")

    def warned() -> tuple[Result, list[str]]:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", InputWarning)
            result = run(topology, tmp_path / "cache")
        return result, [str(w.message) for w in caught if isinstance(w.message, InputWarning)]

    cold, cold_warnings = warned()
    assert len(cold_warnings) == 1 and "hostname 'r-mn' is also the hostname" in cold_warnings[0]
    forbid_work(monkeypatch)
    assert warned() == (cold, cold_warnings)


# --- misses -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("changed", ["topology.yaml", "clauses.yaml", "configs/r-core.cfg", "configs/r-inet.cfg"])
def test_a_one_byte_change_to_any_input_recomputes(city: Path, tmp_path: Path, loads: Counter, changed: str) -> None:
    cold = run(city, tmp_path / "cache")
    assert loads["load"] == 1
    target = tmp_path / changed
    target.write_bytes(target.read_bytes() + b"\n")
    warm = run(city, tmp_path / "cache")
    assert loads["load"] == 2
    assert warm.inputs != cold.inputs  # the new file's hash, not the stored one's
    assert warm == replace(run(city, tmp_path / "fresh"), generated_at=LATER)
    assert run(city, tmp_path / "cache") == warm and loads["load"] == 3  # (the fresh run) the new result is kept


@pytest.mark.parametrize(
    "options",
    [
        {"today": dt.date(2031, 1, 3)},
        {"budget": 123_456},
        {"rules": [rule for rule in REGISTRY if rule.id != "MGMT-001"]},
        {"backend": "autoref"},
        {"reuse_result": False},
    ],
    ids=["today", "budget", "rules", "engine", "bypassed"],
)
def test_another_date_budget_rule_selection_or_engine_recomputes(
    city: Path, tmp_path: Path, loads: Counter, options: dict[str, Any]
) -> None:
    run(city, tmp_path / "cache", today=dt.date(2031, 1, 2))
    assert loads["load"] == 1
    other = {"today": dt.date(2031, 1, 2), **options}
    run(city, tmp_path / "cache", **other)
    assert loads["load"] == 2
    run(city, tmp_path / "cache", **other)
    assert loads["load"] == (3 if options == {"reuse_result": False} else 2)


def test_the_engine_chosen_by_the_environment_is_in_the_key(
    city: Path, tmp_path: Path, loads: Counter, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NANKOKU_BDD", "python")
    assert run(city, tmp_path / "cache").engine == "bdd:autoref"
    monkeypatch.setenv("NANKOKU_BDD", "oxidd")
    assert run(city, tmp_path / "cache").engine == "bdd:oxidd"
    assert loads["load"] == 2


def test_another_working_directory_recomputes(city: Path, tmp_path: Path, loads: Counter) -> None:
    """Reports show paths relative to it."""
    run(city, tmp_path / "cache")
    (tmp_path / "elsewhere").mkdir()
    os.chdir(tmp_path / "elsewhere")  # the city fixture's monkeypatch restores it
    moved = run(tmp_path / "topology.yaml", tmp_path / "cache")
    assert loads["load"] == 2
    assert moved.inputs[0].path == str(tmp_path / "topology.yaml")


def test_a_rule_not_in_the_registry_is_never_cached(city: Path, tmp_path: Path, loads: Counter) -> None:
    stand_in = replace(REGISTRY[0], check=lambda _context: [])
    run(city, tmp_path / "cache", rules=[stand_in])
    run(city, tmp_path / "cache", rules=[stand_in])
    assert loads["load"] == 2 and entries(tmp_path / "cache") == []


def test_an_input_that_changes_during_the_run_is_not_kept(
    city: Path, tmp_path: Path, loads: Counter, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The clause map is hashed for the key and read again for the report: edited in between,
    the report's record is not the key's. (A config is hashed from the very bytes the run parses:
    see the next test.)"""
    real = result_cache_module.file_sha256
    monkeypatch.setattr(
        result_cache_module, "file_sha256", lambda path: "0" * 64 if path.endswith("clauses.yaml") else real(path)
    )
    run(city, tmp_path / "cache")
    assert entries(tmp_path / "cache") == []


def test_a_run_reads_each_config_once_and_keys_it_by_the_bytes_it_parsed(
    city: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    read: list[str] = []
    real = topology_module.read_input

    def counted(path: str, *args: Any, **kwargs: Any) -> Any:
        read.append(os.path.basename(path))
        return real(path, *args, **kwargs)

    monkeypatch.setattr(topology_module, "read_input", counted)
    hashed: list[str] = []
    real_hash = result_cache_module.file_sha256

    def counted_hash(path: str) -> str | None:
        hashed.append(os.path.basename(path))
        return real_hash(path)

    monkeypatch.setattr(result_cache_module, "file_sha256", counted_hash)
    result = run(city, tmp_path / "cache")
    on_disk = {
        path.name: hashlib.sha256(path.read_bytes()).hexdigest() for path in (city.parent / "configs").glob("*.cfg")
    }
    assert sorted(name for name in read if name.endswith(".cfg")) == sorted(on_disk)
    assert [name for name in hashed if name.endswith(".cfg")] == []
    assert {os.path.basename(r.path): r.sha256 for r in result.inputs if r.kind == "config"} == on_disk
    assert len(entries(tmp_path / "cache")) == 1


def test_one_entry_per_topology(city: Path, tmp_path: Path) -> None:
    for day in range(1, 6):
        run(city, tmp_path / "cache", today=dt.date(2031, 1, day))
    run(BROKEN, tmp_path / "cache")
    assert len(entries(tmp_path / "cache")) == 2


# --- entries not to be trusted ----------------------------------------------------------------------


def damage_flip(entry: Path, _other: Path) -> None:
    data = bytearray(entry.read_bytes())
    data[len(data) // 2] ^= 0x01
    entry.write_bytes(bytes(data))


def damage_truncate(entry: Path, _other: Path) -> None:
    entry.write_bytes(entry.read_bytes()[:100])


def damage_foreign(entry: Path, other: Path) -> None:
    """Another topology's authentic entry put in this one's place."""
    entry.write_bytes(other.read_bytes())


def damage_link(entry: Path, other: Path) -> None:
    entry.unlink()
    entry.symlink_to(other)


def damage_folder(entry: Path, _other: Path) -> None:
    entry.unlink()
    entry.mkdir()


@pytest.mark.parametrize("damage", [damage_flip, damage_truncate, damage_foreign, damage_link, damage_folder])
def test_a_damaged_or_foreign_entry_is_recomputed(
    city: Path, tmp_path: Path, loads: Counter, damage: Callable[[Path, Path], None]
) -> None:
    cache = tmp_path / "cache"
    expected = run(city, cache)
    (entry,) = entries(cache)
    run(COMPLIANT, cache)
    (other,) = [path for path in entries(cache) if path != entry]
    damage(entry, other)
    assert run(city, cache) == expected
    assert loads["load"] == 3


def test_an_entry_sealed_with_another_key_is_recomputed(city: Path, tmp_path: Path, loads: Counter) -> None:
    """Someone who can write the folder but not read the key cannot plant a result."""
    cache = tmp_path / "cache"
    expected = run(city, cache)
    (entry,) = entries(cache)
    planted = ParseCache(tmp_path / "attacker", secret=b"k" * 32)
    analyze(str(city), cache=planted, timestamp=LATER, rules=[r for r in REGISTRY if r.id.startswith("MGMT")])
    (forged,) = entries(tmp_path / "attacker")
    entry.write_bytes(forged.read_bytes())
    assert run(city, cache) == expected and loads["load"] == 3


# --- baseline ---------------------------------------------------------------------------------------


def test_a_baseline_is_applied_to_a_cached_result(city: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    baseline = tmp_path / "baseline.json"
    unaccepted = run(city, tmp_path / "cache")
    assert unaccepted.exit_code() == 1
    baseline.write_text(baseline_text(unaccepted), encoding="utf-8")
    expected = analyze(str(city), timestamp=LATER, baseline=str(baseline))
    assert expected.exit_code() == 0
    forbid_work(monkeypatch)
    assert run(city, tmp_path / "cache", baseline=str(baseline)) == expected
    baseline.write_text(baseline_text(replace(unaccepted, findings=())), encoding="utf-8")
    assert run(city, tmp_path / "cache", baseline=str(baseline)).exit_code() == 1


# --- the command line -------------------------------------------------------------------------------


def cli(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args), env={"LANG": "C", "SOURCE_DATE_EPOCH": ""})
    return result.exit_code, result.stdout


def without_moment(text: str) -> str:
    moments = re.findall(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", text)
    assert moments, "the text report names the moment it was made"
    return re.sub(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", "<moment>", text)


def without_timestamp(report: str) -> dict[str, Any]:
    data = json.loads(report)
    del data["generated_at"]
    return data  # type: ignore[no-any-return]


def test_verify_twice_reports_the_same_and_exits_the_same(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    cache = str(tmp_path / "cache")
    code, report = cli("verify", BROKEN, "--format", "json", "--quiet", "--cache-dir", cache)
    assert code == 1
    with monkeypatch.context() as patched:
        forbid_work(patched)
        again = cli("verify", BROKEN, "--format", "json", "--quiet", "--cache-dir", cache)
    assert (again[0], without_timestamp(again[1])) == (1, without_timestamp(report))
    code, text = cli("verify", BROKEN, "--quiet", "--cache-dir", cache)
    # The text names the moment of each run (whole seconds): the two may straddle a second.
    assert code == 1 and without_moment(text) == without_moment(cli("verify", BROKEN, "--quiet", "--no-cache")[1])


def test_verify_no_result_cache_recomputes(tmp_path: Path, loads: Counter) -> None:
    cache = str(tmp_path / "cache")
    assert cli("verify", COMPLIANT, "--quiet", "--cache-dir", cache)[0] == 0
    assert cli("verify", COMPLIANT, "--quiet", "--cache-dir", cache, "--no-result-cache")[0] == 0
    assert loads["load"] == 2
    assert cli("verify", COMPLIANT, "--quiet", "--cache-dir", cache)[0] == 0
    assert loads["load"] == 2


def test_diff_exit_codes_are_unchanged_by_a_warm_result_cache(tmp_path: Path) -> None:
    cache = str(tmp_path / "cache")
    for topology in (COMPLIANT, BROKEN):
        cli("verify", topology, "--quiet", "--cache-dir", cache)
    cold = cli("diff", COMPLIANT, BROKEN, "--no-cache")
    assert cold[0] == 1
    assert cli("diff", COMPLIANT, BROKEN, "--cache-dir", cache) == cold
    assert cli("diff", COMPLIANT, COMPLIANT, "--cache-dir", cache)[0] == 0


def test_verify_help_says_what_is_cached_and_how_to_bypass_it() -> None:
    text = " ".join(CliRunner().invoke(main, ["verify", "--help"], terminal_width=200).output.split())
    assert "parsed configs, compiled long ACLs and the last result of each topology" in text
    assert "--no-result-cache Verify anew even when the cache holds the result of an identical run" in text
