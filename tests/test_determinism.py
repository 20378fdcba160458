"""Same input, same bytes: two runs of the same command with the same SOURCE_DATE_EPOCH give
identical files in every format, whatever the working directory; the one timestamp comes from
SOURCE_DATE_EPOCH. (The SARIF records the command line, output folder included: the runs give
the same relative --output-dir from different folders.)"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import REPO

from nankoku_netcheck.cli import main
from nankoku_netcheck.report import FILE_NAMES

BROKEN = REPO / "topologies" / "nankoku-broken.yaml"
EPOCH = "1764000000"  # 2025-11-24T16:00:00Z


def run_all_formats(folder: Path, env: dict[str, str]) -> dict[str, bytes]:
    """Run in `folder`, writing into its subfolder `reports`."""
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(folder)
        result = CliRunner().invoke(
            main,
            [
                "verify",
                str(BROKEN),
                "--format",
                ",".join(FILE_NAMES),
                "--output-dir",
                "reports",
                "--lang",
                "ja",
                "--quiet",
            ],
            env=env,
        )
    assert result.exit_code == 1, result.output
    return {path.name: path.read_bytes() for path in sorted((folder / "reports").iterdir())}


@pytest.fixture(scope="module")
def pinned_runs(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, bytes], dict[str, bytes]]:
    env = {"SOURCE_DATE_EPOCH": EPOCH}
    first = run_all_formats(tmp_path_factory.mktemp("first"), env)
    second = run_all_formats(tmp_path_factory.mktemp("second-elsewhere"), env)
    return first, second


def test_two_runs_are_byte_identical_in_every_format(pinned_runs: tuple[dict[str, bytes], dict[str, bytes]]) -> None:
    first, second = pinned_runs
    assert sorted(first) == sorted(FILE_NAMES.values())
    for name in first:
        assert first[name] == second[name], name


def test_the_timestamp_comes_from_source_date_epoch(pinned_runs: tuple[dict[str, bytes], dict[str, bytes]]) -> None:
    files = {name: data.decode("utf-8") for name, data in pinned_runs[0].items()}
    assert json.loads(files["report.json"])["generated_at"] == "2025-11-24T16:00:00Z"
    assert 'timestamp="2025-11-24T16:00:00"' in files["report.junit.xml"]
    for name in ("report.txt", "report.md", "report.html"):
        assert "2025-11-24T16:00:00Z" in files[name], name


def test_without_source_date_epoch_the_result_hash_is_still_stable(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    first = run_all_formats(tmp_path / "a", {})
    second = run_all_formats(tmp_path / "b", {})
    digests = {json.loads(run["report.json"])["result_sha256"] for run in (first, second)}
    assert len(digests) == 1
    assert first["report.csv"] == second["report.csv"]  # the CSV carries no timestamp at all
