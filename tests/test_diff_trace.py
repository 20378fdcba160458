"""Change review (`diff`) and single-packet `trace` on the sample city."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner
from conftest import REPO, git

from nankoku_netcheck.analyze import load
from nankoku_netcheck.cli import main
from nankoku_netcheck.diff import diff_topologies
from nankoku_netcheck.tracing import make_packet, trace_packet

COMPLIANT = str(REPO / "topologies" / "nankoku.yaml")
BROKEN = str(REPO / "topologies" / "nankoku-broken.yaml")
PLANTED = yaml.safe_load((REPO / "samples" / "expected-broken.yaml").read_text(encoding="utf-8"))
# The other planted flow mistakes that change what today's routes deliver between two classes
# (ZONE-008's needs a route change to matter; ZONE-009's starts beyond the upstream, which the
# diff does not take as a source).
SEGMENTATION = [
    item
    for item in yaml.safe_load((REPO / "samples" / "expected-segmentation.yaml").read_text(encoding="utf-8"))
    if "packet" in item and item.get("routing") != "ignored" and not item["from_zone"].startswith("public:")
]


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args), env={"LANG": "C"})
    return result.exit_code, result.stdout, result.stderr


def test_diff_compliant_to_broken_reports_every_planted_violation_as_newly_allowed() -> None:
    diff = diff_topologies(COMPLIANT, BROKEN)
    allowed = [c for c in diff.changes if c.change == "allowed"]
    for item in PLANTED:
        permitted_by = (item["permitted_by"]["file"], item["permitted_by"]["line"])
        matching = [
            c
            for c in allowed
            if (c.from_zone, c.to_zone) == (item["from_zone"], item["to_zone"])
            and item["rule"] in c.violates
            and permitted_by in {(e.file, e.line) for e in c.responsible if e.role == "after"}
        ]
        assert matching, f"{item['id']} not reported as newly allowed with its edited line"
        assert "denied at" in matching[0].before
    for item in SEGMENTATION:
        assert [
            c
            for c in allowed
            if (c.from_zone, c.to_zone) == (item["from_zone"], item["to_zone"])
            and item["rule"] in c.violates
            and (item["file"], item["line"]) in {(e.file, e.line) for e in c.responsible if e.role == "after"}
        ], f"{item['id']} not reported as newly allowed with its edited line"
    assert not [c for c in diff.changes if c.change == "blocked"]
    assert diff.exit_code() == 1


def test_diff_broken_to_compliant_reports_newly_blocked_and_exits_0() -> None:
    diff = diff_topologies(BROKEN, COMPLIANT)
    assert not [c for c in diff.changes if c.change == "allowed"]
    blocked = {(c.from_zone, c.to_zone) for c in diff.changes if c.change == "blocked"}
    assert blocked == {(i["from_zone"], i["to_zone"]) for i in PLANTED + SEGMENTATION}
    assert len(diff.fixed_findings) >= len(PLANTED) and not diff.new_findings
    assert diff.exit_code() == 0


def test_diff_of_a_state_with_itself_reports_nothing() -> None:
    code, out, _ = run("diff", BROKEN, BROKEN)
    assert code == 0
    assert "No change" in out
    record = json.loads(run("diff", BROKEN, BROKEN, "--format", "json")[1])
    assert record["changes"] == [] and record["findings"]["new"] == [] and record["findings"]["fixed"] == []


@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
def test_diff_against_a_git_revision(tmp_path: Path) -> None:
    repo = tmp_path / "netrepo"
    (repo / "topologies").mkdir(parents=True)
    shutil.copytree(REPO / "device_configs" / "nankoku", repo / "device_configs" / "nankoku")
    shutil.copy(REPO / "topologies" / "nankoku.yaml", repo / "topologies" / "city.yaml")
    git(repo, "init", "-q")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "compliant")
    # The edit: the LGWAN monitoring server may now poll mynumber servers (one line, as in the broken sample).
    mn_gw = repo / "device_configs" / "nankoku" / "mn-gw.cfg"
    lines = mn_gw.read_text(encoding="utf-8").splitlines(keepends=True)
    broken = (
        (REPO / "device_configs" / "nankoku-broken" / "mn-gw.cfg").read_text(encoding="utf-8").splitlines(keepends=True)
    )
    lines[121] = broken[121]
    mn_gw.write_text("".join(lines), encoding="utf-8")
    git(repo, "commit", "-q", "-am", "allow snmp polling")
    code, out, err = run(
        "diff", str(repo / "topologies" / "city.yaml"), "--base-ref", "HEAD~1", "--no-cache", "--format", "json"
    )
    assert code == 1, err
    record = json.loads(out)
    [change] = record["changes"]
    assert (change["change"], change["from_zone"], change["to_zone"]) == ("allowed", "lgwan", "mynumber")
    sides = {(e["role"], e["file"].split("/")[-1], e["line"]) for e in change["responsible"]}
    assert ("after", "mn-gw.cfg", 122) in sides
    assert "HEAD~1:" in change["before"]  # the old side's lines are shown as REV:path
    assert (
        subprocess.run(["git", "-C", str(repo), "status", "--porcelain"], capture_output=True, text=True).stdout == ""
    )  # nothing the user gave was modified


def test_diff_needs_after_or_base_ref() -> None:
    code, _, err = run("diff", COMPLIANT)
    assert code == 2 and "either AFTER or --base-ref" in err


def test_trace_shows_the_permitting_and_denying_lines() -> None:
    packet = make_packet("10.1.10.21", "10.2.20.30", "tcp", None, 445, False)
    broken = trace_packet(load(BROKEN), packet)
    [path] = broken.paths
    assert path.disposition == "delivered"
    assert [hop.device for hop in path.hops] == ["mn-core", "mn-gw", "bb-rtr", "lg-gw", "lg-core"]
    compliant = trace_packet(load(COMPLIANT), packet)
    [path] = compliant.paths
    assert path.disposition == "denied-out"
    decision = path.hops[-1].egress
    assert decision is not None and decision.line is not None and decision.line.source.line == 125


def test_trace_cli_json_and_input_errors() -> None:
    code, out, _ = run(
        "trace", COMPLIANT, "--src", "10.3.20.25", "--dst", "10.2.20.25", "--dport", "25", "--format", "json"
    )
    assert code == 0
    record = json.loads(out)
    assert record["paths"][0]["disposition"] == "delivered" and record["paths"][0]["zone"] == "lgwan"
    code, _, err = run("trace", COMPLIANT, "--src", "10.9.9.9", "--dst", "10.2.20.25")
    assert code == 2 and "no segment" in err
    code, _, err = run("trace", COMPLIANT, "--src", "300.1.1.1", "--dst", "10.2.20.25")
    assert code == 2 and "Traceback" not in err
    code, out, _ = run(
        "trace",
        COMPLIANT,
        "--src",
        "203.0.113.18",
        "--dst",
        "10.3.10.20",
        "--sport",
        "8080",
        "--dport",
        "49152",
        "--established",
        "--enters",
        "edge-rtr:GigabitEthernet0/0",
    )
    assert code == 0 and "delivered" in out


def test_diff_sarif_marks_baseline_states() -> None:
    import jsonschema

    schema_path = REPO.parent / "shared" / "schemas" / "sarif-schema-2.1.0.json"
    code, out, _ = run("diff", COMPLIANT, BROKEN, "--format", "sarif")
    assert code == 1
    log = json.loads(out)
    states = [r["baselineState"] for r in log["runs"][0]["results"]]
    assert states and set(states) == {"new"}
    back = json.loads(run("diff", BROKEN, COMPLIANT, "--format", "sarif")[1])
    assert {r["baselineState"] for r in back["runs"][0]["results"]} == {"absent"}
    if schema_path.exists():
        jsonschema.validate(log, json.loads(schema_path.read_text(encoding="utf-8")))


def test_a_diff_certifies_neither_side_and_shows_what_it_would_with_certificates(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Isolation certificates (a third of a large city's rule time) appear in no diff output:
    `diff` does not make them, and renders exactly what it would from certified analyses."""
    import nankoku_netcheck.analyze as analyze_module
    from nankoku_netcheck.analyze import analyze_loaded, packet_space
    from nankoku_netcheck.diff import compare
    from nankoku_netcheck.report.diff_report import render_diff_json, render_diff_sarif, render_diff_text

    certify = analyze_module.isolation_certificates
    calls: list[str] = []

    def counted(ctx, share=None):  # type: ignore[no-untyped-def]
        calls.append(ctx.network.topology.path)
        return certify(ctx, share)

    monkeypatch.setattr(analyze_module, "isolation_certificates", counted)
    diff = diff_topologies(COMPLIANT, BROKEN)
    assert calls == [] and diff.before.certificates == () and diff.after.certificates == ()
    space = packet_space("auto", None)
    stamp = diff.after.generated_at
    certified = compare(
        analyze_loaded(load(COMPLIANT), space, timestamp=stamp), analyze_loaded(load(BROKEN), space, timestamp=stamp)
    )
    assert len(calls) == 2 and certified.before.certificates
    for render in (render_diff_json, render_diff_text):
        for lang in ("en", "ja"):
            assert render(diff, lang) == render(certified, lang)
    # SARIF's resultSha256 is the digest of the whole after-state result, certificates included.
    sarif, sarif_certified = json.loads(render_diff_sarif(diff, "en")), json.loads(render_diff_sarif(certified, "en"))
    for log in (sarif, sarif_certified):
        for run_record in log["runs"]:
            run_record.get("properties", {}).pop("resultSha256", None)
    assert sarif == sarif_certified
