"""Baselines: record today's findings, fail only on new ones; accepted findings stay visible in
every format; bad baseline files are input errors; SARIF locations and fingerprints do not
depend on the working directory."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from click.testing import Result as Invocation
from conftest import REPO

from nankoku_netcheck.analyze import analyze
from nankoku_netcheck.cli import main
from nankoku_netcheck.report import FILE_NAMES
from nankoku_netcheck.result import Finding, Result

BROKEN = REPO / "topologies" / "nankoku-broken.yaml"
FINDINGS = 28  # the broken sample's findings (17 errors, 11 warnings)


def verify(*arguments: str, cwd: Path | None = None) -> Invocation:
    with pytest.MonkeyPatch.context() as patch:
        if cwd is not None:
            patch.chdir(cwd)
        return CliRunner().invoke(main, ["verify", *arguments])


@pytest.fixture(scope="module")
def recorded(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("baseline") / "baseline.json"
    run = verify(str(BROKEN), "--write-baseline", str(path), "--quiet")
    assert run.exit_code == 1, run.output  # writing a baseline does not accept anything yet
    return path


def test_the_baseline_file_is_sorted_versioned_and_without_timestamp(recorded: Path) -> None:
    record = json.loads(recorded.read_text(encoding="utf-8"))
    assert sorted(record) == ["findings", "fingerprint", "network", "schema_version", "tool"]
    assert record["schema_version"] == 1 and record["fingerprint"] == "nankokuFinding/v1"
    assert record["tool"] == {"name": "nankoku-netcheck", "version": "0.1.0"}
    fingerprints = [entry["fingerprint"] for entry in record["findings"]]
    assert len(fingerprints) == FINDINGS and fingerprints == sorted(fingerprints)
    entry = next(e for e in record["findings"] if e["rule"] == "ZONE-001")
    assert entry["where"] == "lgwan → mynumber" and entry["severity"] == "error"
    # Lines by their path from the repository root, not the working directory.
    assert all(line.startswith("device_configs/nankoku-broken/") for line in entry["lines"])
    assert "2026" not in recorded.read_text(encoding="utf-8") and "generated" not in recorded.read_text(
        encoding="utf-8"
    )


def test_the_baseline_does_not_depend_on_the_working_directory(recorded: Path, tmp_path: Path) -> None:
    again = tmp_path / "again.json"
    run = verify(str(BROKEN), "--write-baseline", str(again), "--quiet", cwd=REPO / "samples")
    assert run.exit_code == 1
    assert again.read_bytes() == recorded.read_bytes()


def test_every_accepted_finding_leaves_the_exit_code_but_stays_in_every_report(recorded: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    run = verify(str(BROKEN), "--baseline", str(recorded), "--format", ",".join(FILE_NAMES), "--output-dir", str(out))
    assert run.exit_code == 0, run.output
    assert run.stderr.splitlines()[-3:] == [
        f"baseline {recorded}: 28 accepted (baseline), 0 new findings, 0 entries no longer found; "
        "only new findings decide the exit code",
        "28 violated, 0 inconclusive (17 errors, 11 warnings)",
        "VERDICT: FAIL",  # the network still violates: the verdict says so
    ]
    text = (out / "report.txt").read_text(encoding="utf-8")
    assert text.count("— accepted (baseline)") == FINDINGS
    record = json.loads((out / "report.json").read_text(encoding="utf-8"))
    assert [f["baseline"] for f in record["findings"]] == ["unchanged"] * FINDINGS
    assert record["baseline"] == {"file": str(recorded), "accepted": FINDINGS, "new": 0, "absent": 0}
    assert {"kind": "baseline", "path": str(recorded)}.items() <= record["inputs"][-1].items()
    sarif = json.loads((out / "report.sarif").read_text(encoding="utf-8"))["runs"][0]["results"]
    assert {r["baselineState"] for r in sarif} == {"unchanged"}
    assert all(
        r["suppressions"][0]["kind"] == "external" and r["suppressions"][0]["status"] == "accepted" for r in sarif
    )
    assert (out / "report.md").read_text(encoding="utf-8").count(", accepted (baseline))") == FINDINGS
    assert (out / "report.csv").read_text(encoding="utf-8-sig").count("accepted (baseline)") == FINDINGS
    html = (out / "report.html").read_text(encoding="utf-8")  # Japanese unless --lang says otherwise
    assert html.count("受入済み（ベースライン）") == FINDINGS
    junit = (out / "report.junit.xml").read_text(encoding="utf-8")
    assert "<failure" not in junit and '<skipped message="accepted (baseline)"' in junit


def test_japanese_reports_say_accepted_in_japanese(recorded: Path) -> None:
    run = verify(str(BROKEN), "--baseline", str(recorded), "--lang", "ja", "--quiet")
    assert run.exit_code == 0
    assert run.stdout.count("受入済み（ベースライン）") == FINDINGS + 1  # each finding and the summary line


def test_a_finding_missing_from_the_baseline_fails_and_is_marked_new(recorded: Path, tmp_path: Path) -> None:
    record = json.loads(recorded.read_text(encoding="utf-8"))
    dropped = next(e for e in record["findings"] if e["rule"] == "ZONE-001")
    record["findings"].remove(dropped)
    record["findings"].append({"fingerprint": "0" * 64, "rule": "ZONE-005"})  # fixed since
    partial = tmp_path / "partial.json"
    partial.write_text(json.dumps(record), encoding="utf-8")
    run = verify(str(BROKEN), "--baseline", str(partial), "--format", "json", "--lang", "en")
    assert run.exit_code == 1
    findings = json.loads(run.stdout)["findings"]
    new = [f for f in findings if f["baseline"] == "new"]
    assert [(f["rule"], f["fingerprint"]) for f in new] == [("ZONE-001", dropped["fingerprint"])]
    assert json.loads(run.stdout)["baseline"] == {"file": str(partial), "accepted": 27, "new": 1, "absent": 1}


def test_the_baseline_is_also_a_library_parameter(recorded: Path) -> None:
    result = analyze(str(BROKEN), baseline=str(recorded))
    assert result.baseline is not None and (result.baseline.accepted, result.baseline.new) == (FINDINGS, 0)
    assert result.exit_code() == 0 and result.verdict == "fail"


def test_accepted_inconclusive_findings_do_not_make_exit_code_3() -> None:
    def result_of(*findings: Finding) -> Result:
        return Result("nankoku-netcheck", "0", "t.yaml", "n", "p", "2026-01-01T00:00:00Z", "bdd", (), findings, (), ())

    inconclusive = Finding("ZONE-001", "error", "inconclusive", "a", "a")
    assert result_of(inconclusive).exit_code() == 3
    assert result_of(Finding("ZONE-001", "error", "inconclusive", "a", "a", baseline="unchanged")).exit_code() == 0
    assert result_of(Finding("ZONE-001", "error", "violated", "a", "a", baseline="new")).exit_code() == 1


@pytest.mark.parametrize(
    "content, message",
    [
        ('{"schema_version": 1,\n "findings": [}', "bad.json:2: not valid JSON: Expecting value"),
        ("[]", "bad.json: not a baseline file: expected a JSON object"),
        ('{"schema_version": 2}', "bad.json: unsupported baseline schema_version 2 (this version reads 1)"),
        (
            '{"schema_version": 1, "fingerprint": "other/v9", "findings": []}',
            'bad.json: fingerprint must be "nankokuFinding/v1", not "other/v9"',
        ),
        (
            '{"schema_version": 1, "fingerprint": "nankokuFinding/v1", "findings": [{"rule": "ZONE-001"}]}',
            "bad.json: findings[0] needs a text fingerprint and rule",
        ),
        (
            '{"schema_version": 1, "fingerprint": "nankokuFinding/v1", "findings": {}}',
            "bad.json: findings must be a list",
        ),
        (
            '{"schema_version": 1, "fingerprint": "nankokuFinding/v1", "findings": [{"fingerprint": "f", '
            '"rule": "ZONE-001", "lines": 3}]}',
            "bad.json: findings[0]: lines must be a list of text",
        ),
        ('{"schema_version": true}', "bad.json: unsupported baseline schema_version true"),
        ("[" * 100_000 + "]" * 100_000, "bad.json: not a baseline file: a value cannot be read"),
        ('{"schema_version": ' + "9" * 5000 + "}", "bad.json: not a baseline file: a value cannot be read"),
    ],
    ids=["syntax", "array", "version", "fingerprint", "entry", "findings", "lines", "boolean", "deep", "long-int"],
)
def test_a_bad_baseline_is_an_input_error(tmp_path: Path, content: str, message: str) -> None:
    (tmp_path / "bad.json").write_text(content, encoding="utf-8")
    run = verify(str(BROKEN), "--baseline", "bad.json", cwd=tmp_path)
    assert run.exit_code == 2 and run.stdout == ""
    assert run.stderr.startswith(f"error: {message}")
    assert "Traceback" not in run.output


def test_a_missing_baseline_and_several_topologies_are_refused(tmp_path: Path) -> None:
    missing = verify(str(BROKEN), "--baseline", str(tmp_path / "none.json"))
    assert missing.exit_code == 2 and f"{tmp_path / 'none.json'}: baseline file not found" in missing.stderr
    several = verify(str(BROKEN), str(BROKEN), "--output-dir", str(tmp_path), "--baseline", "b.json")
    assert several.exit_code == 2 and "--baseline and --write-baseline take one topology" in several.stderr


# --- SARIF: locations from the repository root, automation id, command line, help ----------------


def sarif_run(*extra: str, cwd: Path) -> dict[str, Any]:
    run = verify(str(BROKEN), "--format", "sarif", "--lang", "en", *extra, cwd=cwd)
    assert run.exit_code == 1, run.output
    document: dict[str, Any] = json.loads(run.stdout)
    return document["runs"][0]


def locations(run: dict[str, Any]) -> list[tuple[str, str]]:
    return [
        (
            location["physicalLocation"]["artifactLocation"]["uri"],
            location["physicalLocation"]["artifactLocation"]["uriBaseId"],
        )
        for result in run["results"]
        for location in result["locations"]
    ]


def test_sarif_locations_are_relative_to_the_repository_root_from_any_folder(tmp_path: Path) -> None:
    from_root = sarif_run(cwd=REPO)
    from_subfolder = sarif_run(cwd=REPO / "samples")
    from_outside = sarif_run(cwd=tmp_path)
    assert locations(from_root) == locations(from_subfolder) == locations(from_outside)
    assert {uri.split("/")[0] for uri, _ in locations(from_subfolder)} <= {"device_configs", "topologies"}
    assert all((REPO / uri).is_file() and base == "%SRCROOT%" for uri, base in locations(from_subfolder))
    artifacts = [artifact["location"] for artifact in from_subfolder["artifacts"]]
    assert artifacts[0] == {"uri": "topologies/nankoku-broken.yaml", "uriBaseId": "%SRCROOT%"}
    fingerprints = [[r["partialFingerprints"] for r in run["results"]] for run in (from_root, from_outside)]
    assert fingerprints[0] == fingerprints[1]
    assert "description" in from_subfolder["originalUriBaseIds"]["%SRCROOT%"]
    assert "uri" not in from_subfolder["originalUriBaseIds"]["%SRCROOT%"]  # no machine's absolute path


def test_sarif_automation_id_and_command_line(tmp_path: Path) -> None:
    run = sarif_run(cwd=REPO / "samples")
    assert run["automationDetails"] == {"id": "nankoku-netcheck/topologies/nankoku-broken.yaml/"}
    assert run["invocations"][0]["commandLine"] == f"nankoku-netcheck verify {BROKEN} --format sarif --lang en"
    assert run["properties"]["reproduce"] == f"nankoku-netcheck verify {BROKEN} --format sarif --lang en"
    out = tmp_path / "out"
    written = verify(str(BROKEN), "--format", "json,sarif", "--output-dir", str(out), "--quiet", cwd=tmp_path)
    assert written.exit_code == 1
    recorded = json.loads((out / "report.sarif").read_text(encoding="utf-8"))["runs"][0]["invocations"][0]
    assert recorded["commandLine"] == f"nankoku-netcheck verify {BROKEN} --format json,sarif --output-dir {out} --quiet"


def test_sarif_help_uri_with_docs_url_and_the_page_named_without() -> None:
    without = sarif_run(cwd=REPO)["tool"]["driver"]["rules"]
    assert all("helpUri" not in rule for rule in without)
    assert "Rule page: docs/rules/ZONE-001.md" in without[0]["help"]["text"]
    given = sarif_run("--docs-url", "https://docs.example.org/netcheck/rules/", cwd=REPO)["tool"]["driver"]["rules"]
    assert [rule["helpUri"] for rule in given][:1] == ["https://docs.example.org/netcheck/rules/ZONE-001.md"]
    assert all(rule["helpUri"].endswith(f"/{rule['id']}.md") for rule in given)


@pytest.mark.parametrize("url", ["docs/rules", "https://", "www.example.org/rules"])
def test_a_docs_url_that_is_not_absolute_is_a_usage_error(url: str) -> None:
    run = verify(str(BROKEN), "--format", "sarif", "--docs-url", url)
    assert run.exit_code == 2 and "is not an absolute URL" in run.stderr


def test_baselined_sarif_validates_against_the_official_schema(recorded: Path) -> None:
    jsonschema = pytest.importorskip("jsonschema", reason="jsonschema is in the test extra")
    schema_file = REPO.parent / "shared" / "schemas" / "sarif-schema-2.1.0.json"
    if not schema_file.exists():
        pytest.skip(f"the SARIF schema is not at {schema_file} (it lives in ../shared, outside the repository)")
    run = verify(str(BROKEN), "--format", "sarif", "--baseline", str(recorded), "--docs-url", "https://example.org/r")
    assert run.exit_code == 0
    schema = json.loads(schema_file.read_text(encoding="utf-8"))
    validator = jsonschema.Draft4Validator(schema, format_checker=jsonschema.FormatChecker())
    assert sorted(validator.iter_errors(json.loads(run.stdout)), key=str) == []


def test_the_diff_sarif_records_its_command_line() -> None:
    compliant = REPO / "topologies" / "nankoku.yaml"
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(REPO)
        run = CliRunner().invoke(main, ["diff", str(compliant), str(BROKEN), "--format", "sarif"])
    assert run.exit_code == 1, run.output
    invocation = json.loads(run.stdout)["runs"][0]["invocations"][0]
    assert invocation["commandLine"] == f"nankoku-netcheck diff {compliant} {BROKEN} --format sarif"
