"""docs/first-run.md works as written: its commands, run in order on a copy of the Kitagawa
sample's configs in a fresh git repository, draft a topology, verify it once edited as the page
says, write a baseline and pass with it."""

from __future__ import annotations

import re
import shlex
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import REPO, git

from nankoku_netcheck.cli import main

DOC = REPO / "docs" / "first-run.md"


def commands() -> list[list[str]]:
    """The nankoku-netcheck commands of the page's sh blocks, in order."""
    blocks = re.findall(r"```sh\n(.*?)```", DOC.read_text(encoding="utf-8"), re.DOTALL)
    lines = [line for block in blocks for line in block.splitlines()]
    return [shlex.split(line)[1:] for line in lines if line.startswith("nankoku-netcheck ")]


def edit_as_the_page_says(path: Path) -> None:
    """Step 3: uncomment upstream under the internet zone and the channels."""
    text = path.read_text(encoding="utf-8")
    text = re.sub(r"    # (upstream: \[[^\]]*\]) .*\n", r"    \1\n", text, count=1)
    text = re.sub(r"^# (channels:)\n", r"\1\n", text, flags=re.MULTILINE)
    text = re.sub(r"^#   (- \{id: channel-\d+, .*\})   # .*$", r"  \1", text, flags=re.MULTILINE)
    path.write_text(text, encoding="utf-8")


def test_the_page_lists_init_verify_baseline_in_order() -> None:
    assert [command[0] for command in commands()] == ["init", "verify", "verify", "verify", "verify"]
    assert "--write-baseline" in commands()[2] and "--baseline" in commands()[3]


def test_the_commands_of_the_page_work_on_a_sample(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    git(tmp_path, "init", "-q")
    (tmp_path / "topologies").mkdir()
    shutil.copytree(REPO / "device_configs" / "kitagawa", tmp_path / "device_configs" / "city")
    monkeypatch.chdir(tmp_path)
    runner = CliRunner()
    init, verify, write, accept, ci = commands()
    result = runner.invoke(main, init, env={"LANG": "C"})
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[-2] == (
        "verify (proposals, upstream and channel candidates applied; TODO zones left out): pass"
    )
    edit_as_the_page_says(tmp_path / "topologies" / "city.yaml")
    assert runner.invoke(main, verify, env={"LANG": "C"}).exit_code == 0
    assert runner.invoke(main, write, env={"LANG": "C"}).exit_code == 0
    assert (tmp_path / "topologies" / "city.baseline.json").is_file()
    assert runner.invoke(main, accept, env={"LANG": "C"}).exit_code == 0
    assert runner.invoke(main, ci, env={"LANG": "C"}).exit_code == 0
    assert (tmp_path / "netcheck-report" / "report.sarif").is_file()
