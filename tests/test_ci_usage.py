"""What CI users rely on: the README's example loads, English counts take their plural, and a
run that writes its reports to files still prints the verdict and the files it wrote."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

from click.testing import CliRunner
from conftest import REPO

from nankoku_netcheck.analyze import load
from nankoku_netcheck.cli import main
from nankoku_netcheck.report.text import render_text
from nankoku_netcheck.result import Finding, Result
from nankoku_netcheck.wording import count_of

BROKEN = REPO / "topologies" / "nankoku-broken.yaml"
COMPLIANT = REPO / "topologies" / "nankoku.yaml"


def test_the_readme_yaml_example_loads(tmp_path: Path) -> None:
    examples = re.findall(r"```yaml\n(.*?)```", (REPO / "README.md").read_text(encoding="utf-8"), re.S)
    assert len(examples) == 1
    # Where the example says it lives: topologies/, next to ../device_configs/nankoku.
    (tmp_path / ".git").mkdir()
    shutil.copytree(REPO / "device_configs" / "nankoku", tmp_path / "device_configs" / "nankoku")
    (tmp_path / "topologies").mkdir()
    example = tmp_path / "topologies" / "readme.yaml"
    example.write_text(examples[0], encoding="utf-8")
    loaded = load(str(example))
    assert sorted(loaded.devices) == ["edge-rtr", "inet-fw", "mn-core"]
    assert [zone.id for zone in loaded.topology.zones] == ["mynumber", "lgwan", "internet"]
    assert [channel.id for channel in loaded.topology.channels] == ["mail-text"]


def test_count_of_takes_the_plural_from_two_on() -> None:
    assert [count_of(n, "error") for n in (0, 1, 2)] == ["0 errors", "1 error", "2 errors"]
    assert count_of(1, "topology", "topologies") == "1 topology"
    assert count_of(3, "topology", "topologies") == "3 topologies"


def test_the_text_report_counts_in_the_singular_and_the_plural() -> None:
    result = CliRunner().invoke(main, ["verify", str(BROKEN), "--lang", "en", "--quiet"])
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert re.fullmatch(r"inputs: 10 files \(9 devices, \d+ config lines, 0 not understood\)", lines[2])
    assert lines[-2] == "28 violated, 0 inconclusive (17 errors, 11 warnings)"


def test_one_error_and_one_warning_are_singular() -> None:
    findings = (
        Finding("ZONE-001", "error", "violated", "a", "a"),
        Finding("ZONE-008", "warning", "violated", "b", "b"),
    )
    result = Result("nankoku-netcheck", "0", "t.yaml", "n", "p", "2026-01-01T00:00:00Z", "bdd", (), findings, (), ())
    assert render_text(result, "en").splitlines()[-2:] == [
        "2 violated, 0 inconclusive (1 error, 1 warning)",
        "VERDICT: FAIL",
    ]
    assert render_text(result, "ja").splitlines()[-2] == "違反 2 件、判定不能 0 件（エラー 1 件、警告 1 件）"


def test_the_output_dir_run_prints_the_files_written_and_the_verdict(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        main, ["verify", str(COMPLIANT), "--format", "json,text", "--output-dir", str(tmp_path), "--lang", "en"]
    )
    assert result.exit_code == 0 and result.stdout == ""
    assert result.stderr.splitlines()[-4:] == [
        f"json: {tmp_path / 'report.json'}",
        f"text: {tmp_path / 'report.txt'}",
        "0 violated, 0 inconclusive (0 errors, 0 warnings)",
        "VERDICT: PASS",
    ]


def test_the_verdict_follows_the_language_and_quiet_silences_it(tmp_path: Path) -> None:
    japanese = CliRunner().invoke(main, ["verify", str(BROKEN), "--output", str(tmp_path / "r.txt"), "--lang", "ja"])
    assert japanese.exit_code == 1
    assert japanese.stderr.splitlines()[-1] == "判定: 不合格"
    quiet = CliRunner().invoke(main, ["verify", str(BROKEN), "--output", str(tmp_path / "r.txt"), "--quiet"])
    assert quiet.exit_code == 1 and quiet.stderr == ""
