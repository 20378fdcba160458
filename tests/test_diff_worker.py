"""diff with its before side in a second process (diff_worker.py) gives the one-process diff.

The worker is used only for networks of WORKER_MIN_DEVICES devices or more whose searches the
store keeps; the tests lower the threshold so the bundled samples take that path, and check
that they did (the one-process path is made to fail).
"""

from __future__ import annotations

import datetime as dt
import shutil
import warnings
from pathlib import Path

import pytest

import nankoku_netcheck.diff as diff_module
from nankoku_netcheck.analyze import analyze, packet_space
from nankoku_netcheck.cache import ParseCache
from nankoku_netcheck.diff import DiffResult, diff_topologies
from nankoku_netcheck.diff_worker import RemoteSide
from nankoku_netcheck.errors import InputError, InputWarning
from nankoku_netcheck.reach.saved import load_sets, save_sets
from nankoku_netcheck.report.diff_report import render_diff_json, render_diff_text

REPO = Path(__file__).resolve().parents[1]
TODAY = dt.date(2026, 1, 1)


def _rendered(result: DiffResult) -> str:
    text = render_diff_text(result, "en") + render_diff_json(result, "ja")
    return text.replace(result.after.generated_at, "<now>").replace(result.before.generated_at, "<now>")


def _kept_cache(tmp_path: Path, after: str, name: str) -> ParseCache:
    """A cache holding the searches of a verify of `after` (what the worker needs to be used)."""
    folder = tmp_path / name
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", InputWarning)  # the diffs' warnings are what the tests read
        analyze(after, cache=ParseCache(folder), today=TODAY, allow_paths=[str(tmp_path)])
    return ParseCache(folder)


def _one_process_fails(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*_args: object) -> DiffResult:
        raise AssertionError("the diff was done in one process")

    monkeypatch.setattr(diff_module._Sides, "here", refuse)


@pytest.fixture
def small_worker_threshold(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(diff_module, "WORKER_MIN_DEVICES", 1)


@pytest.mark.parametrize(
    ("before", "after"),
    [("nankoku", "nankoku-broken"), ("nankoku-broken", "nankoku"), ("kitagawa", "kitagawa-broken")],
)
@pytest.mark.usefixtures("small_worker_threshold")
def test_two_processes_give_the_one_process_diff(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, before: str, after: str
) -> None:
    before_path, after_path = str(REPO / "topologies" / f"{before}.yaml"), str(REPO / "topologies" / f"{after}.yaml")
    alone = diff_topologies(
        before_path, after_path, cache=_kept_cache(tmp_path, after_path, "one"), today=TODAY, jobs=1
    )
    cache = _kept_cache(tmp_path, after_path, "two")
    with monkeypatch.context() as patched:
        _one_process_fails(patched)
        beside = diff_topologies(before_path, after_path, cache=cache, today=TODAY, jobs=2)
    # The explanations went through the worker: the changes are there, both ways when both.
    assert alone.changes, "a change between a compliant and a broken sample"
    assert _rendered(beside) == _rendered(alone)
    assert beside.changes == alone.changes
    assert beside.before.findings == alone.before.findings


@pytest.mark.usefixtures("small_worker_threshold")
def test_a_revision_export_labelled_as_git_shows_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """`diff --base-ref`: the before side is a folder shown as 'HEAD:' (its paths relabelled by the worker)."""
    root = tmp_path / "export"
    shutil.copytree(REPO / "topologies", root / "topologies")
    shutil.copytree(REPO / "device_configs", root / "device_configs")
    # Broken before, fixed after: the blocked classes are explained by the worker, citing its lines.
    before_path, after_path = (
        str(root / "topologies" / "nankoku-broken.yaml"),
        str(REPO / "topologies" / "nankoku.yaml"),
    )
    options = {"today": TODAY, "before_display": (str(root), "HEAD:"), "before_root": str(root)}
    alone = diff_topologies(before_path, after_path, cache=_kept_cache(tmp_path, after_path, "one"), jobs=1, **options)
    with monkeypatch.context() as patched:
        _one_process_fails(patched)
        beside = diff_topologies(
            before_path, after_path, cache=_kept_cache(tmp_path, after_path, "two"), jobs=2, **options
        )
    assert any(e.file.startswith("HEAD:") for change in alone.changes for e in change.responsible)
    assert any(change.change == "blocked" for change in alone.changes)
    assert _rendered(beside) == _rendered(alone)


@pytest.mark.usefixtures("small_worker_threshold")
def test_a_worker_that_dies_leaves_the_diff_to_this_process(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    before_path = str(REPO / "topologies" / "nankoku.yaml")
    after_path = str(REPO / "topologies" / "nankoku-broken.yaml")
    alone = diff_topologies(
        before_path, after_path, cache=_kept_cache(tmp_path, after_path, "one"), today=TODAY, jobs=1
    )
    analysed = RemoteSide.analysed
    killed: list[int] = []

    def die_first(self: RemoteSide, space: object) -> None:
        self.process.kill()
        self.process.join()
        killed.append(1)
        analysed(self, space)  # type: ignore[arg-type]

    monkeypatch.setattr(RemoteSide, "analysed", die_first)
    beside = diff_topologies(
        before_path, after_path, cache=_kept_cache(tmp_path, after_path, "two"), today=TODAY, jobs=2
    )
    assert killed == [1]
    assert _rendered(beside) == _rendered(alone)


def _city_copy(root: Path, duplicate: tuple[str, str] | None = None, broken: str | None = None) -> str:
    """The nankoku sample in `root`; `duplicate`: (device, hostname it is given), `broken`: a
    device whose config is made unreadable."""
    shutil.copytree(REPO / "topologies", root / "topologies")
    shutil.copytree(REPO / "device_configs", root / "device_configs")
    configs = root / "device_configs" / "nankoku"
    if duplicate is not None:
        device, hostname = duplicate
        config = configs / f"{device}.cfg"
        config.write_text(config.read_text().replace(f"hostname {device}\n", f"hostname {hostname}\n"))
    if broken is not None:
        (configs / f"{broken}.cfg").write_text("this is no router configuration\n")
    return str(root / "topologies" / "nankoku.yaml")


def _diff_warnings(before: str, after: str, cache: ParseCache, jobs: int) -> tuple[DiffResult, list[str]]:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = diff_topologies(
            before, after, cache=cache, today=TODAY, jobs=jobs, allow_paths=[str(Path(before).parents[2])]
        )
    return result, [str(record.message.problem) for record in caught if isinstance(record.message, InputWarning)]


@pytest.mark.usefixtures("small_worker_threshold")
def test_warnings_of_both_sides_arrive_in_the_one_process_order(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = _city_copy(tmp_path / "before", duplicate=("mn-gw", "mn-core"))
    after = _city_copy(tmp_path / "after", duplicate=("lg-gw", "lg-core"))
    alone, said_alone = _diff_warnings(before, after, _kept_cache(tmp_path, after, "one"), jobs=1)
    with monkeypatch.context() as patched:
        _one_process_fails(patched)
        beside, said_beside = _diff_warnings(before, after, _kept_cache(tmp_path, after, "two"), jobs=2)
    assert [("mn-core" in said, "lg-core" in said) for said in said_alone] == [(True, False), (False, True)]
    assert said_beside == said_alone
    assert _rendered(beside) == _rendered(alone)


@pytest.mark.usefixtures("small_worker_threshold")
def test_the_before_sides_input_problems_come_first(tmp_path: Path) -> None:
    """One process reads the before side first: its problems are the ones raised, relabelled."""
    after = str(REPO / "topologies" / "nankoku.yaml")
    for jobs in (1, 2):
        root = tmp_path / f"export-{jobs}"
        before = _city_copy(root, broken="lg-gw")
        with pytest.raises(InputError) as raised:
            diff_topologies(
                before,
                after,
                cache=_kept_cache(tmp_path, after, f"cache-{jobs}"),
                today=TODAY,
                jobs=jobs,
                before_display=(str(root), "HEAD:"),
                before_root=str(root),
            )
        files = {problem.file for problem in raised.value.problems}
        assert files == {"HEAD:device_configs/nankoku/lg-gw.cfg"}, files


def test_packet_sets_handed_over_load_equal_and_a_tampered_blob_loads_none(tmp_path: Path) -> None:
    cache = ParseCache(tmp_path / "cache")
    space = packet_space("oxidd", cache)
    assert space.store is not None
    sets = [space.valid, space.false, space.field_range("dport", 22, 23) & space.valid]
    assert save_sets(space.store, "k", sets)
    other = packet_space("oxidd", cache)
    assert other.store is not None
    loaded = load_sets(other.store, other, "k")
    assert loaded is not None and len(loaded) == 3
    assert loaded[1] == other.false and loaded[0] == other.valid
    assert loaded[2] == other.field_range("dport", 22, 23) & other.valid
    assert load_sets(other.store, other, "absent") is None
    blobs = list(space.store.directory.rglob("*.blob"))
    assert blobs
    for blob in blobs:
        blob.write_bytes(blob.read_bytes()[:-3] + b"xyz")
    assert load_sets(packet_space("oxidd", cache).store, other, "k") is None  # type: ignore[arg-type]


@pytest.mark.usefixtures("small_worker_threshold")
def test_a_failing_diff_ends_its_worker_and_leaves_no_transfer_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    before_path = str(REPO / "topologies" / "nankoku.yaml")
    after_path = str(REPO / "topologies" / "nankoku-broken.yaml")
    cache = _kept_cache(tmp_path, after_path, "cache")
    started: list[RemoteSide] = []
    start = diff_module.start_before_side

    def recorded(*args: object) -> RemoteSide | None:
        remote = start(*args)  # type: ignore[arg-type]
        assert remote is not None
        started.append(remote)
        return remote

    def fail(*_args: object) -> None:
        raise RuntimeError("a bug on the after side")

    monkeypatch.setattr(diff_module, "start_before_side", recorded)
    monkeypatch.setattr(diff_module._Sides, "analyse", fail)
    with pytest.raises(RuntimeError, match="a bug on the after side"):
        diff_topologies(before_path, after_path, cache=cache, today=TODAY, jobs=2)
    assert len(started) == 1
    assert not started[0].process.is_alive()
    assert not list((tmp_path / "cache" / "bdd").glob("diff-*"))


@pytest.mark.usefixtures("small_worker_threshold")
def test_cli_diff_jobs_gives_the_same_report_either_way(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from click.testing import CliRunner

    from nankoku_netcheck.cli import main

    before_path = str(REPO / "topologies" / "nankoku-broken.yaml")
    after_path = str(REPO / "topologies" / "nankoku.yaml")
    outputs = []
    for jobs in ("1", "2"):
        cache = tmp_path / f"cache-{jobs}"
        _kept_cache(tmp_path, after_path, cache.name)
        arguments = ["diff", before_path, after_path, "--cache-dir", str(cache), "--jobs", jobs, "--format", "json"]
        with monkeypatch.context() as patched:
            if jobs == "2":
                _one_process_fails(patched)
            run = CliRunner().invoke(main, arguments)
        assert run.exit_code == 0, run.output
        outputs.append(run.output)
    stamp = '"generated_at": "'
    assert _without_stamps(outputs[0], stamp) == _without_stamps(outputs[1], stamp)
    assert '"blocked"' in outputs[0]  # the worker explained the changes it passes
    refused = CliRunner().invoke(main, ["diff", before_path, after_path, "--jobs", "0"])
    assert refused.exit_code == 2 and "--jobs" in refused.output


def _without_stamps(text: str, stamp: str) -> str:
    return "\n".join(line for line in text.splitlines() if stamp not in line and '"invocation"' not in line)


@pytest.mark.usefixtures("small_worker_threshold")
def test_searches_out_of_budget_are_listed_alike(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A budget too small for any search: both sides' exhausted searches (META-003) listed as by one process."""
    before_path = str(REPO / "topologies" / "nankoku.yaml")
    after_path = str(REPO / "topologies" / "nankoku-broken.yaml")
    options = {"today": TODAY, "budget": 2}
    alone = diff_topologies(before_path, after_path, cache=_kept_cache(tmp_path, after_path, "one"), jobs=1, **options)
    with monkeypatch.context() as patched:
        _one_process_fails(patched)
        beside = diff_topologies(
            before_path, after_path, cache=_kept_cache(tmp_path, after_path, "two"), jobs=2, **options
        )
    assert {side for side, _, _ in alone.exhausted} == {"before", "after"}
    assert beside.exhausted == alone.exhausted
    assert _rendered(beside) == _rendered(alone)
