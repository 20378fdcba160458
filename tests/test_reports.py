"""The report formats and the CLI around them: JUnit, Markdown, CSV, JSON integrity, the
multi-format run, the `rules` command and its documentation pages, terminal behaviour."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
import time
import xml.etree.ElementTree as ET
from dataclasses import replace
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import REPO
from rich.console import Console

from nankoku_netcheck.analyze import analyze
from nankoku_netcheck.cli import main
from nankoku_netcheck.cli.common import ProgressBar, colour_wanted, progress_bar
from nankoku_netcheck.report import (
    FILE_NAMES,
    RENDERERS,
    render,
    render_csv,
    render_html,
    render_json,
    render_junit,
    render_markdown,
    render_text,
    result_sha256,
    shared_digest,
)
from nankoku_netcheck.report.common import common_folder, relative_files
from nankoku_netcheck.report.markdown import MAX_FINDINGS
from nankoku_netcheck.result import Evidence, ExceptionRecord, Result
from nankoku_netcheck.rules import PLANNED, REGISTRY
from nankoku_netcheck.rules.docs import RULE_DOCS, rule_doc
from nankoku_netcheck.rules.pages import PAGES

BROKEN = REPO / "topologies" / "nankoku-broken.yaml"
COMPLIANT = REPO / "topologies" / "nankoku.yaml"

# Every rule ID of the design note rules.md, plus ZONE-010 (zone_policy, added with the policy profiles)
# and ACL-006, ACL-007, MGMT-011 (zone-based firewall policies and password policy, issue #15).
DESIGNED_IDS = {
    *(f"ZONE-{n:03d}" for n in range(1, 11)),
    *(f"ACL-{n:03d}" for n in range(1, 8)),
    "RT-001",
    *(f"MGMT-{n:03d}" for n in range(1, 12)),
    "SVC-001",
    "PORT-001",
    "PORT-002",
    "WLAN-001",
    "AVAIL-001",
    "META-001",
    "META-002",
    "META-003",
}
# The catalogue order is the registry's (the run and report order), then the planned rules.
CATALOG_IDS = [rule.id for rule in (*REGISTRY, *PLANNED)]


@pytest.fixture(scope="module")
def broken() -> Result:
    return analyze(str(BROKEN), timestamp="2025-11-24T16:00:00Z")


@pytest.fixture(scope="module")
def compliant() -> Result:
    return analyze(str(COMPLIANT), timestamp="2025-11-24T16:00:00Z")


def invoke(*args: str, env: dict[str, str] | None = None) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args), env=env or {})
    return result.exit_code, result.stdout, result.stderr


# --- every renderer -----------------------------------------------------------------------------


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_a_digest_shared_between_formats_renders_what_each_format_computes(
    broken: Result, compliant: Result, lang: str
) -> None:
    """`verify --output-dir` hashes the result once for every format that prints the digest
    (the command differs between formats, and the digest leaves it out): each format reads
    exactly as when it hashes the result itself."""
    for result in (broken, compliant):
        digest = shared_digest(result, FILE_NAMES)
        assert digest == result_sha256(result)
        for name in FILE_NAMES:
            stamped = replace(result, command=f"nankoku-netcheck verify --format {name}")
            assert render(stamped, name, lang, digest) == RENDERERS[name](stamped, lang), name
    assert shared_digest(broken, ["json", "text"]) is None


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_every_renderer_takes_the_same_result(broken: Result, compliant: Result, lang: str) -> None:
    for name, renderer in RENDERERS.items():
        for result in (broken, compliant):
            rendered = renderer(result, lang)
            assert rendered.strip(), name
            assert rendered == renderer(result, lang), f"{name} is not deterministic"


# --- JUnit ----------------------------------------------------------------------------------------


def test_junit_has_a_failure_per_violating_zone_pair(broken: Result) -> None:
    root = ET.fromstring(render_junit(broken, "en"))
    suites = {suite.find("properties/property[@name='rule']").get("value"): suite for suite in root.iter("testsuite")}
    assert list(suites) == [verdict.rule for verdict in broken.rules]

    def failing(rule: str) -> set[str]:
        return {case.get("name") for case in suites[rule].iter("testcase") if case.find("failure") is not None}

    # samples/expected-broken.yaml: three ZONE-001 crossings and three ZONE-005 ones (two internet → lgwan)
    assert failing("ZONE-001") == {"mynumber → lgwan", "mynumber → internet", "lgwan → mynumber"}
    assert failing("ZONE-005") == {"lgwan → internet", "internet → lgwan"}
    zone_001_cases = {case.get("name") for case in suites["ZONE-001"].iter("testcase")}
    assert "internet → mynumber" in zone_001_cases  # a pair that holds is a passing test case
    assert "lgwan → internet" not in zone_001_cases  # ZONE-001 does not cover this pair
    internet_to_lgwan = next(c for c in suites["ZONE-005"].iter("testcase") if c.get("name") == "internet → lgwan")
    failure = internet_to_lgwan.find("failure")
    assert failure.get("type") == "error"
    assert failure.text.count("ZONE-005 error:") == 2
    assert "permit" in failure.text and ".cfg:" in failure.text
    # META-001 is a device rule: one test case per device, all passing in the sample
    meta = suites["META-001"]
    assert len(list(meta.iter("testcase"))) == 9 and meta.get("failures") == "0"
    assert int(root.get("failures")) == sum(int(s.get("failures")) for s in suites.values())
    assert int(root.get("tests")) == sum(len(list(s.iter("testcase"))) for s in suites.values())


def test_junit_marks_inconclusive_findings_as_errors(broken: Result) -> None:
    unknown = replace(
        broken.findings[0],
        rule="META-001",
        severity="error",
        status="inconclusive",
        from_zone="",
        to_zone="",
        device="bb-rtr",
        flow=None,
        path=(),
    )
    root = ET.fromstring(render_junit(replace(broken, findings=(unknown,)), "en"))
    meta = next(s for s in root.iter("testsuite") if s.get("name").startswith("META-001"))
    case = next(c for c in meta.iter("testcase") if c.get("name") == "bb-rtr")
    assert case.find("error") is not None and case.find("failure") is None
    assert meta.get("errors") == "1"


# --- Markdown -------------------------------------------------------------------------------------


def test_markdown_summary(broken: Result) -> None:
    text = render_markdown(broken, "en")
    assert text.startswith("## ❌ nankoku-netcheck: FAIL")
    for verdict in broken.rules:
        assert re.search(rf"^\| {verdict.rule} \|", text, re.M)
    assert text.count("<details><summary><b>") == len(broken.findings)
    assert text.count("</details>") == len(broken.findings) + len(broken.certificates) > len(broken.findings)
    assert result_sha256(broken) in text
    japanese = render_markdown(broken, "ja")
    assert "不合格" in japanese and "検出事項" in japanese


def test_markdown_is_cut_for_long_results(broken: Result) -> None:
    many = replace(broken, findings=broken.findings * 10)
    text = render_markdown(many, "en")
    assert text.count("<details><summary><b>") == MAX_FINDINGS
    assert f"{len(many.findings) - MAX_FINDINGS} more" in text


# --- CSV ------------------------------------------------------------------------------------------


def test_csv_opens_in_japanese_excel(broken: Result) -> None:
    text = render_csv(broken, "ja")
    assert text.startswith("\ufeff") and text.endswith("\r\n")
    body = text.removeprefix("\ufeff")
    rows = list(csv.reader(io.StringIO(body, newline="")))
    assert body.startswith(",".join(rows[0]) + "\r\n")  # records end in CRLF
    assert rows[0][0] == "ルール"
    assert len(rows) == 1 + len(broken.findings)
    index, first = next((i, f) for i, f in enumerate(broken.findings, 1) if f.flow is not None)
    assert rows[index][0] == first.rule and rows[index][7] == first.flow.src


def test_csv_cells_cannot_run_as_formulas(broken: Result) -> None:
    finding = replace(broken.findings[0], evidence=(Evidence("x.cfg", 3, '=HYPERLINK("x")', "permits"),))
    rows = list(csv.reader(io.StringIO(render_csv(replace(broken, findings=(finding,)), "en").lstrip("\ufeff"))))
    text_cell = rows[1][rows[0].index("Config line")]
    assert text_cell == '\'=HYPERLINK("x")'


# --- JSON integrity -------------------------------------------------------------------------------


def test_result_sha256_can_be_recomputed_from_the_english_record(broken: Result) -> None:
    record = json.loads(render_json(broken, "en"))
    claimed = record.pop("result_sha256")
    for key in ("generated_at", "command"):
        record.pop(key)
    canonical = json.dumps(record, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode("utf-8")
    assert hashlib.sha256(canonical).hexdigest() == claimed


def test_result_sha256_ties_json_and_html_together(broken: Result, compliant: Result) -> None:
    later = replace(broken, generated_at="2030-01-01T00:00:00Z", command="nankoku-netcheck verify x --format html")
    digest = json.loads(render_json(broken, "ja"))["result_sha256"]
    assert digest == result_sha256(later)  # run metadata does not change it
    assert digest in render_html(later, "ja")
    assert digest != result_sha256(compliant)
    assert digest != result_sha256(replace(broken, findings=broken.findings[1:]))


def test_json_record_carries_certificates_exceptions_and_network(broken: Result) -> None:
    record = json.loads(render_json(broken, "en"))
    assert {d["name"] for d in record["network"]["devices"]} == {
        "mn-core",
        "mn-gw",
        "lg-core",
        "lg-gw",
        "bb-rtr",
        "inet-fw",
        "inet-core",
        "edge-fw",
        "edge-rtr",
    }
    assert len(record["certificates"]) == len(broken.certificates)
    # the one exception of the broken topology, expired (samples/expected-segmentation.yaml, META-002)
    assert [(e["rule"], e["ref"], e["expires"], e["state"]) for e in record["exceptions"]] == [
        ("ZONE-005", "R6-情セ-027", "2025-03-31", "expired")
    ]


# --- exceptions and certificates are rendered when present -------------------------------------


def test_exception_register_is_rendered(broken: Result) -> None:
    register = (
        ExceptionRecord(
            rule="ZONE-005",
            flow="tcp 10.2.10.5/32 → 203.0.113.80/32 dport 443",
            reason="税務システム更新 (期限付き)",
            approved_by="CISO 山田",
            ref="R7-情報-015",
            expires="2026-03-31",
            state="active",
            matched="tcp 10.2.10.5/32 → … dport 443",
            file="topologies/nankoku-broken.yaml",
            line=60,
        ),
    )
    result = replace(broken, exceptions=register)
    html = render_html(result, "ja")
    # the packets it matched in the report's language (the JSON keeps the analysis' notation)
    for value in ("CISO 山田", "R7-情報-015", "2026-03-31", "税務システム更新", "tcp 10.2.10.5/32 → … 宛先ポート 443"):
        assert value in html
    assert "tcp 10.2.10.5/32 → … dport 443" in render_html(result, "en")
    assert "R7-情報-015" in render_text(result, "en")
    assert json.loads(render_json(result, "en"))["exceptions"][0]["approved_by"] == "CISO 山田"


def test_isolation_certificates_are_rendered(broken: Result) -> None:
    assert broken.certificates, "the sample's isolated pairs carry certificates"
    line = broken.certificates[0].lines[0]
    assert f"{line.file}:{line.line}" in render_text(broken, "en") and line.text in render_text(broken, "en")
    # the HTML names files relative to the folder that holds every input (if any), and names that folder
    html = render_html(broken, "ja")
    folder = common_folder(broken)
    assert not folder or f"<code>{folder}</code>" in html
    assert f"{line.file.removeprefix(folder)}:{line.line}" in html and line.text in html


def test_html_names_files_relative_to_the_folder_holding_every_input(broken: Result) -> None:
    moved = relative_files(broken, "")  # unchanged without a folder
    assert moved is broken
    rooted = replace(
        broken,
        inputs=tuple(replace(record, path="/srv/audit/" + record.path.lstrip("/")) for record in broken.inputs),
    )
    assert common_folder(rooted) == "/srv/audit/"
    finding = next(f for f in broken.findings if f.evidence)
    evidence = finding.evidence[0]
    absolute = replace(
        rooted, findings=(replace(finding, evidence=(replace(evidence, file="/srv/audit/" + evidence.file),)),)
    )
    html = render_html(absolute, "en")
    assert f"{evidence.file}:{evidence.line}" in html and f"/srv/audit/{evidence.file}:" not in html
    assert "<code>/srv/audit/</code>" in html


# --- the CLI: formats and outputs -----------------------------------------------------------------


def test_one_run_writes_every_format(tmp_path: Path) -> None:
    code, out, err = invoke(
        "verify", str(BROKEN), "--format", ",".join(FILE_NAMES), "--output-dir", str(tmp_path / "out")
    )
    assert code == 1 and out == ""
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == sorted(FILE_NAMES.values())
    assert all(f"{name}: " in err for name in FILE_NAMES)
    ET.parse(tmp_path / "out" / "report.junit.xml")
    assert json.loads((tmp_path / "out" / "report.sarif").read_text(encoding="utf-8"))["version"] == "2.1.0"


def test_single_format_to_a_file_and_quiet(tmp_path: Path) -> None:
    target = tmp_path / "r.sarif"
    code, out, err = invoke("verify", str(COMPLIANT), "--format", "sarif", "--output", str(target), "--quiet")
    assert code == 0 and out == "" and err == ""
    assert json.loads(target.read_text(encoding="utf-8"))["runs"][0]["results"] == []


@pytest.mark.parametrize(
    "args, message",
    [
        (["--format", "json,html"], "--output-dir"),
        (["--format", "json", "--output", "a.json", "--output-dir", "d"], "not both"),
        (["--format", "pdf"], "unknown format 'pdf'"),
    ],
)
def test_format_usage_errors_exit_2(args: list[str], message: str) -> None:
    code, out, err = invoke("verify", str(COMPLIANT), *args)
    assert code == 2 and out == ""
    assert message in err


def test_reproducing_command_is_recorded_per_format(tmp_path: Path) -> None:
    invoke(
        "verify",
        str(COMPLIANT),
        "--format",
        "json,md",
        "--output-dir",
        str(tmp_path),
        "--lang",
        "en",
        env={"SOURCE_DATE_EPOCH": "1764000000"},
    )
    record = json.loads((tmp_path / "report.json").read_text(encoding="utf-8"))
    assert (
        record["command"] == f"SOURCE_DATE_EPOCH=1764000000 nankoku-netcheck verify {COMPLIANT} --format json --lang en"
    )
    assert "--format md --lang en" in (tmp_path / "report.md").read_text(encoding="utf-8")


# --- the rules command and the documentation pages ------------------------------------------------


def test_every_catalog_rule_has_a_complete_page_in_both_languages() -> None:
    assert [doc.id for doc in RULE_DOCS] == CATALOG_IDS
    assert set(CATALOG_IDS) == DESIGNED_IDS and len(CATALOG_IDS) == len(DESIGNED_IDS)
    for doc in RULE_DOCS:
        assert doc.page is not None, doc.id
        for field in ("what", "why", "fix"):
            for lang in ("ja", "en"):
                assert getattr(doc.page, f"{field}_{lang}").strip(), (doc.id, field, lang)
        assert doc.title_en.strip() and doc.title_ja.strip(), doc.id
        assert doc.example.strip() and doc.example_pass.strip() and doc.clause and doc.guideline, doc.id
        assert doc.severity in ("error", "warning", "info"), doc.id
        assert re.search(r"[ぁ-んァ-ン一-龯]", doc.what("ja")), doc.id


def test_every_rule_has_exactly_one_page_and_every_page_a_rule() -> None:
    assert sorted(PAGES) == sorted(CATALOG_IDS)
    for rule in (*REGISTRY, *PLANNED):
        assert rule.page is PAGES[rule.id], rule.id


def test_planned_rules_never_run() -> None:
    assert [rule.id for rule in PLANNED] == ["ACL-005"]
    assert not {rule.id for rule in PLANNED} & {rule.id for rule in REGISTRY}


def test_rules_catalog_and_page() -> None:
    code, out, _ = invoke("rules", "--lang", "en")
    assert code == 0
    assert [
        line.split()[1] if line.startswith("*") else line.split()[0]
        for line in out.splitlines()
        if re.match(r"^[* ] [A-Z]+-\d{3}", line)
    ] == CATALOG_IDS
    code, page, _ = invoke("rules", "zone-001", "--lang", "ja")
    assert code == 0
    doc = rule_doc("ZONE-001")
    assert doc is not None
    for part in (doc.title_ja, doc.clause, doc.guideline, "違反の例", "対処", doc.example.splitlines()[0]):
        assert part in page
    code, english, _ = invoke("rules", "MGMT-006", "--lang", "en")
    assert code == 0 and "Why:" in english and "Fix:" in english


def test_unknown_rule_id_exits_2_with_suggestions() -> None:
    code, out, err = invoke("rules", "ZONE-05", "--lang", "en")
    assert code == 2 and out == ""
    assert "ZONE-005" in err


# --- terminal behaviour ----------------------------------------------------------------------------


def test_progress_bar_only_for_runs_longer_than_the_delay() -> None:
    slow, fast = io.StringIO(), io.StringIO()
    with ProgressBar(4, console=Console(file=slow, force_terminal=True, width=80), delay=0.05) as bar:
        bar("reach")
        time.sleep(0.4)
    with ProgressBar(4, console=Console(file=fast, force_terminal=True, width=80), delay=5.0) as bar:
        bar("reach")
    assert "reach" in slow.getvalue()
    assert fast.getvalue() == ""


def test_no_progress_bar_when_quiet_or_not_a_terminal() -> None:
    assert progress_bar(quiet=True) is None
    assert progress_bar(quiet=False) is None  # pytest's stderr is not a terminal


def test_no_color_is_honoured(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("NO_COLOR", raising=False)
    assert colour_wanted(True) and not colour_wanted(False)
    monkeypatch.setenv("NO_COLOR", "1")
    assert not colour_wanted(True)
