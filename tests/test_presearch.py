"""The searches made over two processes before the rules (rules/presearch.py): the worker's
results, loaded here, equal the searches made here; the findings are byte-identical with and
without the worker; a worker that raises, is killed, or whose results do not load leaves
its searches to be made here."""

from __future__ import annotations

import itertools
import json
import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import REPO

from nankoku_netcheck.analyze import analyze, flow_context, load, packet_space
from nankoku_netcheck.cache import ParseCache
from nankoku_netcheck.reach.engine import ReachResult
from nankoku_netcheck.reach.packets import STORE_BACKENDS, PacketSpace
from nankoku_netcheck.report import render_json
from nankoku_netcheck.result import Evidence
from nankoku_netcheck.rules import REGISTRY, presearch
from nankoku_netcheck.rules.certificate import FilterPoint
from nankoku_netcheck.rules.flows import FlowContext
from nankoku_netcheck.synth import CitySpec, generate

pytestmark = pytest.mark.skipif(PacketSpace().backend not in STORE_BACKENDS, reason="the store needs CUDD or OxiDD")

ALL_RULES = [rule.id for rule in REGISTRY]


def failing_worker(*_: object) -> None:
    """Stands in for the worker's entry point (module level: the spawned process imports it)."""
    raise RuntimeError("worker failed")


def worker_dying_before_it_delivers(*arguments: object) -> None:
    """The worker, ended as it is about to deliver the first lines it read (so it claimed them)."""
    setattr(presearch.TransferredLines, "deliver", lambda *_: os._exit(1))  # noqa: B010 (its own process)
    presearch.search_worker(*arguments)  # type: ignore[arg-type]


@pytest.fixture
def worker_takes_odd(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """This process claims only every other search of its plan: the worker, however late it
    starts, gets the rest (the spawned worker runs the real `claim`)."""
    claim = presearch.claim
    calls = itertools.count()
    monkeypatch.setattr(presearch, "claim", lambda folder, search: next(calls) % 2 == 0 and claim(folder, search))
    monkeypatch.setattr(presearch, "PARALLEL_SEARCH_MIN_COST", 0)
    yield


@pytest.fixture(scope="module")
def city(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("city")
    return generate(CitySpec(devices=14, segments=12, seed=4, plant=("mynumber-to-lgwan-smb",)), folder)


def contexts(topology: Path, cache_dir: Path) -> tuple[FlowContext, FlowContext, ParseCache, list[str]]:
    """Two fresh contexts over one network in one packet space (so that sets compare)."""
    cache = ParseCache(cache_dir)
    loaded = load(str(topology), cache)
    space = packet_space("auto", cache)
    return flow_context(loaded, space), flow_context(loaded, space), cache, ALL_RULES


def recorded_presearches(monkeypatch: pytest.MonkeyPatch) -> list[presearch.Presearch]:
    """What each `search_with` that analyze makes from now on did, in order."""
    outcomes: list[presearch.Presearch] = []
    search_with = presearch.search_with

    def counted(context: FlowContext, worker: presearch.SearchWorker | None) -> presearch.Presearch:
        outcomes.append(search_with(context, worker))
        return outcomes[-1]

    monkeypatch.setattr("nankoku_netcheck.analyze.search_with", counted)
    return outcomes


def assert_same_searches(split: FlowContext, here: FlowContext, plan: list[tuple[str, bool]]) -> None:
    for source_class, routing in plan:
        got: ReachResult = split.reach(source_class, routing)
        want = here.reach(source_class, routing)
        assert list(got.delivered) == list(want.delivered), (source_class, routing)
        assert all(got.delivered[key] == want.delivered[key] for key in want.delivered), (source_class, routing)
        assert list(got.witnesses) == list(want.witnesses), (source_class, routing)
        assert all(got.witnesses[key] == want.witnesses[key] for key in want.witnesses), (source_class, routing)
        assert (got.work, got.exhausted, got.budget) == (want.work, want.exhausted, want.budget)


def test_planned_searches_follow_the_rules() -> None:
    topology = load(str(REPO / "topologies" / "nankoku.yaml")).topology
    assert presearch.planned_searches(topology, ALL_RULES) == [
        ("mynumber", True),
        ("lgwan", True),
        ("internet", True),
        ("zenkoku-lgwan", True),
        ("peer:chukan", True),
        ("public:internet", True),
        ("internet", False),
        ("lgwan", False),
        ("mynumber", False),
        ("zenkoku-lgwan", False),
    ]
    assert presearch.planned_searches(topology, ["ZONE-009"]) == [("public:internet", True)]
    assert presearch.planned_searches(topology, ["ZONE-003", "ACL-001"]) == []


@pytest.mark.usefixtures("worker_takes_odd")
def test_the_workers_results_equal_the_searches_made_here(city: Path, tmp_path: Path) -> None:
    split, here, cache, rules = contexts(city, tmp_path / "cache")
    plan = presearch.planned_searches(split.network.topology, rules)
    outcome = presearch.search_in_two_processes(split, load(str(city)).configs, rules, cache, 2)
    assert outcome.planned == len(plan) == 8
    assert outcome.from_worker >= 4 and outcome.here + outcome.from_worker == 8
    assert not list((cache.directory / "bdd").glob("searches-*")), "the transfer folder is removed"
    assert_same_searches(split, here, plan)


def report_json(topology: Path, cache_dir: Path | None, jobs: int) -> dict[str, object]:
    result = analyze(
        str(topology),
        cache=ParseCache(cache_dir) if cache_dir is not None else None,
        jobs=jobs,
        timestamp="2026-01-01T00:00:00Z",
    )
    record: dict[str, object] = json.loads(render_json(result, "en"))
    return record


@pytest.mark.usefixtures("worker_takes_odd")
@pytest.mark.parametrize("name", ["nankoku.yaml", "kitagawa-broken.yaml", "city"])
def test_findings_equal_with_and_without_the_worker(
    name: str, city: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    topology = city if name == "city" else REPO / "topologies" / name
    outcomes = recorded_presearches(monkeypatch)
    with_worker = report_json(topology, tmp_path / "cache", jobs=2)
    assert len(outcomes) == 1 and outcomes[0].from_worker >= 1
    assert with_worker == report_json(topology, None, jobs=1)
    if name != "nankoku.yaml":
        assert with_worker["findings"], "a case with findings"


@pytest.mark.usefixtures("worker_takes_odd")
@pytest.mark.parametrize("failure", ["raises", "killed", "unloadable"])
def test_a_failed_worker_leaves_its_searches_to_this_process(
    failure: str, city: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    if failure == "raises":
        monkeypatch.setattr(presearch, "search_worker", failing_worker)
    elif failure == "killed":
        start = presearch.start_search_worker

        def start_and_kill(*arguments: object) -> presearch.SearchWorker | None:
            worker = start(*arguments)  # type: ignore[arg-type]
            assert worker is not None
            worker.process.kill()
            return worker

        monkeypatch.setattr(presearch, "start_search_worker", start_and_kill)
    else:
        monkeypatch.setattr(presearch, "load_reach", lambda *_: None)
    split, here, cache, rules = contexts(city, tmp_path / "cache")
    plan = presearch.planned_searches(split.network.topology, rules)
    outcome = presearch.search_in_two_processes(split, load(str(city)).configs, rules, cache, 2)
    # This process took at most the even-numbered half; the rest is searched when asked.
    assert outcome.planned == 8 and outcome.here <= 4 and outcome.from_worker == 0
    assert_same_searches(split, here, plan)


def test_nothing_is_split_without_a_cache_a_second_job_or_enough_work(city: Path, tmp_path: Path) -> None:
    split, _, cache, rules = contexts(city, tmp_path / "cache")
    configs = load(str(city)).configs
    assert presearch.search_in_two_processes(split, configs, rules, None, 2) == presearch.Presearch()
    assert presearch.search_in_two_processes(split, configs, rules, cache, 1) == presearch.Presearch()
    # The small city is below the size where a second process pays.
    assert presearch.ordered_plan(split.network, rules) == []
    assert presearch.search_in_two_processes(split, configs, rules, cache, 2) == presearch.Presearch()
    assert split._reach == {}


def test_saved_searches_are_not_searched_again_by_the_worker(
    city: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A re-run whose searches all still hold (incremental.py) takes them from the store: no
    worker is started (it would be given none of them), and the findings equal a run from
    scratch; so after an edit of ACL lines, whose searches are all kept or repaired."""
    monkeypatch.setattr(presearch, "PARALLEL_SEARCH_MIN_COST", 0)
    folder = tmp_path / "city"
    shutil.copytree(city.parent, folder)
    topology = folder / city.name
    cache = tmp_path / "cache"
    report_json(topology, cache, jobs=2)
    outcomes = recorded_presearches(monkeypatch)
    # Past the whole-run result cache (result_cache.py), to the searches.
    result = analyze(
        str(topology), cache=ParseCache(cache), jobs=2, timestamp="2026-01-01T00:00:00Z", reuse_result=False
    )
    again = json.loads(render_json(result, "en"))
    assert outcomes == []  # no worker, so no presearch
    assert again == report_json(topology, None, jobs=1)
    # The benchmark's edit (benchmarks/run.py): one more deny line in an access switch's VLAN ACL.
    marker = "ip access-list extended VLAN10-IN\n"
    config = next(path for path in sorted((folder / "device_configs").rglob("*.cfg")) if marker in path.read_text())
    text = config.read_text(encoding="utf-8")
    config.write_text(text.replace(marker, marker + " deny tcp any host 10.200.0.9 eq 23\n", 1), encoding="utf-8")
    edited = analyze(
        str(topology), cache=ParseCache(cache), jobs=2, timestamp="2026-01-01T00:00:00Z", reuse_result=False
    )
    assert outcomes == []
    assert json.loads(render_json(edited, "en")) == report_json(topology, None, jobs=1)


def lines_asked(monkeypatch: pytest.MonkeyPatch) -> list[bool]:
    """This process claims no cut point (the worker, however late, gets them all); per point it
    asks the worker for, whether the worker delivered its lines."""
    delivered: list[bool] = []
    lines = presearch.TransferredLines.lines

    def asked(share: presearch.TransferredLines, point: FilterPoint) -> dict[tuple[str, str], list[Evidence]] | None:
        found = lines(share, point)
        delivered.append(bool(found))
        return found

    monkeypatch.setattr(presearch.TransferredLines, "take", lambda *_: False)
    monkeypatch.setattr(presearch.TransferredLines, "lines", asked)
    return delivered


@pytest.mark.usefixtures("worker_takes_odd")
@pytest.mark.parametrize("name", ["nankoku.yaml", "city"])
def test_the_cut_lines_the_worker_reads_equal_those_read_here(
    name: str, city: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    topology = city if name == "city" else REPO / "topologies" / name
    delivered = lines_asked(monkeypatch)
    with_worker = report_json(topology, tmp_path / "cache", jobs=2)
    assert delivered and all(delivered)
    alone = report_json(topology, None, jobs=1)
    assert with_worker == alone
    assert any(certificate["lines"] for certificate in alone["certificates"])  # type: ignore[attr-defined]


@pytest.mark.usefixtures("worker_takes_odd")
def test_cut_lines_a_dead_worker_claimed_are_read_here(
    city: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(presearch, "search_worker", worker_dying_before_it_delivers)
    delivered = lines_asked(monkeypatch)
    with_worker = report_json(city, tmp_path / "cache", jobs=2)
    assert delivered and not any(delivered)
    assert with_worker == report_json(city, None, jobs=1)


def test_lines_sent_by_the_worker_read_back_and_another_shape_is_refused() -> None:
    first, second = Evidence("a.cfg", 3, "deny ip any any", "drops"), Evidence("a.cfg", 1, "binds X", "binds")
    lines = {("lgwan", "internet"): [second, first], ("mynumber", "internet"): [first]}
    encoded = json.loads(json.dumps(presearch.encoded_lines(lines)))
    assert len(encoded["table"]) == 2
    assert presearch.decoded_lines(encoded) == lines
    assert presearch.decoded_lines(None) is None
    assert presearch.decoded_lines({"table": [["a.cfg", "3", "x", "y"]], "pairs": []}) is None
    assert presearch.decoded_lines({"table": [], "pairs": [["a", "b", [0]]]}) is None
