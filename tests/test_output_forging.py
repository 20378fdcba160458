"""Outputs a config cannot forge: control characters, markup and file names with line breaks in
the input are shown as visible escapes (text, Markdown, CSV, HTML, JUnit, terminal), stay exact but
escaped in JSON and SARIF, and every output still parses."""

from __future__ import annotations

import csv
import io
import json
import re
import textwrap
import xml.etree.ElementTree as ET
from pathlib import Path
from xml.dom import minidom

import jsonschema
import pytest
import yaml
from click.testing import CliRunner
from conftest import REPO, SLOTS, TRIANGLE, ZONES_YAML

from nankoku_netcheck.cli import main
from nankoku_netcheck.report import FILE_NAMES
from nankoku_netcheck.report.common import json_text, shown_path, visible

SCHEMA = REPO.parent / "shared" / "schemas" / "sarif-schema-2.1.0.json"

# A line the IOS parser does not know: META-001 quotes it, and so does every hop caveat.
HOSTILE_LINE = "frobnicate \x1b[2J\x1b]0;pwned\x07 <script>alert(1)</script></testcase> [bold]x[/bold] \x7f\x9b end"
HOSTILE_DESCRIPTION = " description </testcase><script>alert(2)</script>\x1b[31m"
# `\r` ends a config line when the file is read (the rest is a line of its own, quoted by META-001);
# NEL and LINE SEPARATOR stay inside the line and are line breaks to some viewers.
BROKEN_LINE = "frobnicate2 \rVERDICT: PASS \x85VERDICT: PASS \u2028VERDICT: PASS"
HOSTILE_FILE = "r-lg\nVERDICT: PASS.cfg"
DEVICES = {"r-mn": "r-mn[red]", "r-lg": "r-lg", "r-core": "r-core", "r-inet": "r-inet"}
FILES = {"r-mn": "r-mn[red].cfg", "r-lg": HOSTILE_FILE, "r-core": "r-core.cfg", "r-inet": "r-inet.cfg"}
# Every character `visible` escapes, as found raw in an output.
RAW_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def _city(folder: Path, hostile: bool) -> Path:
    (folder / "configs").mkdir(parents=True)
    devices = {}
    for name, template in TRIANGLE.items():
        text = textwrap.dedent(template)
        for slot in SLOTS:
            text = text.replace("{" + slot + "}", "!")
        if hostile and name == "r-mn":
            text = text.replace(
                "interface GigabitEthernet0/0\n", f"interface GigabitEthernet0/0\n{HOSTILE_DESCRIPTION}\n"
            )
            text += f"{HOSTILE_LINE}\n{BROKEN_LINE}\n"
        (folder / "configs" / FILES[name]).write_text(text, encoding="utf-8")
        devices[DEVICES[name]] = {"config": FILES[name]}
    topology = {
        "version": 1,
        "name": "hostile \x1b[2J city",
        "configs": "configs",
        "devices": devices,
        "zones": yaml.safe_load(ZONES_YAML)["zones"],
    }
    # YAML reads JSON: the device and file names keep their brackets and line breaks exactly
    (folder / "topology.yaml").write_text(json.dumps(topology, ensure_ascii=False) + "\n", encoding="utf-8")
    return folder / "topology.yaml"


@pytest.fixture(scope="module")
def outputs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    before = _city(tmp_path_factory.mktemp("clean"), hostile=False)
    after = _city(tmp_path_factory.mktemp("hostile"), hostile=True)
    out = tmp_path_factory.mktemp("reports")
    runner = CliRunner()
    texts: dict[str, str] = {}
    result = runner.invoke(
        main,
        [
            "verify",
            str(after),
            "--no-cache",
            "--format",
            ",".join(FILE_NAMES),
            "--output-dir",
            str(out),
            "--lang",
            "en",
        ],
    )
    assert result.exit_code == 1, result.output
    texts |= {path.name: path.read_text(encoding="utf-8") for path in out.iterdir()}
    for lang in ("en", "ja"):
        terminal = runner.invoke(main, ["verify", str(after), "--no-cache", "--lang", lang])
        assert terminal.exit_code == 1
        texts[f"terminal-{lang}"] = terminal.stdout
        texts[f"terminal-{lang}-stderr"] = terminal.stderr
    for output_format in ("text", "json", "sarif"):
        diff = runner.invoke(
            main, ["diff", str(before), str(after), "--no-cache", "--lang", "en", "--format", output_format]
        )
        assert diff.exit_code in (0, 1), diff.output
        texts[f"diff-{output_format}"] = diff.stdout
    for output_format in ("text", "json"):
        trace = runner.invoke(
            main,
            ["trace", str(after), "--src", "10.1.1.10", "--dst", "10.2.1.10", "--no-cache", "--format", output_format],
        )
        assert trace.exit_code == 0, trace.output
        texts[f"trace-{output_format}"] = trace.stdout
    return texts


HUMAN = [
    "report.txt",
    "report.md",
    "report.csv",
    "report.html",
    "report.junit.xml",
    "terminal-en",
    "terminal-ja",
    "diff-text",
    "trace-text",
]


@pytest.mark.parametrize("name", HUMAN)
def test_human_readable_outputs_show_the_hostile_line_escaped(outputs: dict[str, str], name: str) -> None:
    text = outputs[name]
    assert RAW_CONTROL.findall(text) == []
    # diff lists each new finding's message, and META-001's names the last line not understood
    shown = (
        "VERDICT: PASS \\x85VERDICT: PASS \\u2028VERDICT: PASS"
        if name == "diff-text"
        else ("frobnicate \\x1b[2J\\x1b]0;pwned\\x07")
    )
    assert shown in text.replace("\\[", "[")


@pytest.mark.parametrize("name", ["report.txt", "terminal-en", "terminal-ja", "diff-text", "trace-text"])
def test_no_forged_line_in_plain_text(outputs: dict[str, str], name: str) -> None:
    lines = outputs[name].splitlines()
    verdicts = [line for line in lines if line.startswith(("VERDICT", "判定"))]
    assert verdicts == (
        {"report.txt": ["VERDICT: FAIL"], "terminal-en": ["VERDICT: FAIL"], "terminal-ja": ["判定: 不合格"]}.get(
            name, []
        )
    )
    # the file name with a line break is one quoted name wherever evidence names it
    if name in ("report.txt", "terminal-en", "terminal-ja"):
        assert [line for line in lines if re.search(r'  "[^"]*/configs/r-lg\\nVERDICT: PASS\.cfg":\d+  ip route', line)]
    # rich markup in a device name prints as written
    assert "r-mn[red]" in outputs[name]


def test_a_fake_verdict_after_a_line_break_in_a_config_line_never_starts_a_line(
    outputs: dict[str, str],
) -> None:
    quoted = [line for line in outputs["report.txt"].splitlines() if "VERDICT: PASS" in line]
    assert quoted
    assert all(not line.startswith("VERDICT") for line in quoted)


def test_junit_parses_as_xml_and_keeps_the_markup_as_text(outputs: dict[str, str]) -> None:
    document = outputs["report.junit.xml"]
    root = ET.fromstring(document.encode("utf-8"))
    minidom.parseString(document.encode("utf-8"))
    texts = [element.text or "" for element in root.iter() if element.tag in ("failure", "error", "system-out")]
    assert any("<script>alert(1)</script></testcase>" in text and "\\x1b[2J" in text for text in texts)
    assert len(root.findall(".//testcase")) == sum(int(suite.get("tests", "0")) for suite in root.findall("testsuite"))


def test_sarif_is_valid_and_keeps_the_exact_text(outputs: dict[str, str]) -> None:
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    for name in ("report.sarif", "diff-sarif"):
        log = json.loads(outputs[name])
        jsonschema.validate(log, schema)
        assert RAW_CONTROL.findall(outputs[name]) == []
    messages = [r["message"]["text"] for r in json.loads(outputs["report.sarif"])["runs"][0]["results"]]
    assert any(HOSTILE_LINE in message for message in messages)


@pytest.mark.parametrize("name", ["report.json", "diff-json", "trace-json"])
def test_json_outputs_escape_every_control_character_and_keep_values_exact(outputs: dict[str, str], name: str) -> None:
    assert RAW_CONTROL.findall(outputs[name]) == []
    exact = "VERDICT: PASS \x85VERDICT: PASS \u2028VERDICT: PASS" if name == "diff-json" else HOSTILE_LINE
    assert [text for text in _strings(json.loads(outputs[name])) if exact in text]


def _strings(value: object) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [text for item in value.values() for text in _strings(item)]
    if isinstance(value, list):
        return [text for item in value for text in _strings(item)]
    return []


def test_html_escapes_markup_and_controls(outputs: dict[str, str]) -> None:
    page = outputs["report.html"]
    assert "<script>alert(1)</script>" not in page and "</testcase>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;&lt;/testcase&gt;" in page
    assert RAW_CONTROL.findall(page) == []


def test_csv_parses_into_one_row_per_finding(outputs: dict[str, str]) -> None:
    rows = list(csv.reader(io.StringIO(outputs["report.csv"].removeprefix("\ufeff"))))
    findings = json.loads(outputs["report.json"])["findings"]
    assert len(rows) == 1 + len(findings)
    assert {len(row) for row in rows} == {len(rows[0])}
    # cells hold several lines (the path's hops) only where the renderer puts them
    assert not [cell for row in rows for cell in row if RAW_CONTROL.search(cell)]
    assert [cell for row in rows for cell in row if "frobnicate \\x1b[2J" in cell]


def test_markdown_escapes_html(outputs: dict[str, str]) -> None:
    # inside a code span HTML is shown as written; outside one it must be escaped
    outside_code = re.sub(r"``.*?``|`[^`\n]*`", "", outputs["report.md"])
    assert "<script>" not in outside_code and "</testcase>" not in outside_code
    assert "<script>alert(1)</script>" in outputs["report.md"]


def test_input_errors_name_a_hostile_file_on_one_line(tmp_path: Path) -> None:
    topology = _city(tmp_path, hostile=False)
    (tmp_path / "configs" / HOSTILE_FILE).write_bytes(b"hostname r-lg\n\x00\x1b[2J\n")
    result = CliRunner().invoke(main, ["verify", str(topology), "--no-cache"])
    assert result.exit_code == 2
    assert RAW_CONTROL.findall(result.stderr) == []
    [line] = result.stderr.splitlines()
    assert line.startswith("error: ") and "r-lg\\nVERDICT: PASS.cfg" in line


def test_visible_and_shown_path() -> None:
    assert visible("a\x1b[2J\r\n\x00\x85\u2028\u202e\tb") == "a\\x1b[2J\\r\\n\\x00\\x85\\u2028\\u202e\tb"
    assert visible("設定 permit ip any any") == "設定 permit ip any any"
    assert shown_path("configs/r-mn.cfg") == "configs/r-mn.cfg"
    assert shown_path("configs/r-lg\nVERDICT: PASS.cfg") == '"configs/r-lg\\nVERDICT: PASS.cfg"'
    assert shown_path("a.cfg:12") == '"a.cfg:12"'
    assert shown_path('say "hi".cfg') == '"say \\"hi\\".cfg"'
    assert json.loads(json_text({"k": "\x1b\x85\u2028"})) == {"k": "\x1b\x85\u2028"}
    assert json_text({"k": "\x85\u2028"}) == '{"k": "\\u0085\\u2028"}'


def test_progress_bar_prints_markup_literally() -> None:
    from rich.console import Console
    from rich.text import Text

    from nankoku_netcheck.cli.common import ProgressBar

    bar = ProgressBar(total=2, console=Console(file=io.StringIO()))
    bar("r-mn[red] \x1b[2J")
    [task] = bar._progress.tasks
    assert Text.from_markup(task.description).plain == "r-mn[red] \\x1b[2J"
