"""The verify command end to end: exit codes, JSON contract, determinism, input errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import REPO

from nankoku_netcheck.cli import main

COMPLIANT = str(REPO / "topologies" / "nankoku.yaml")
BROKEN = str(REPO / "topologies" / "nankoku-broken.yaml")


def run(*args: str, env: dict[str, str] | None = None) -> tuple[int, str, str]:
    runner = CliRunner()
    result = runner.invoke(main, list(args), env=env or {})
    return result.exit_code, result.stdout, result.stderr


def test_compliant_sample_passes_with_exit_0() -> None:
    code, out, _ = run("verify", COMPLIANT, "--lang", "en")
    assert code == 0, out
    assert "VERDICT: PASS" in out


def test_broken_sample_fails_with_exit_1_and_names_lines() -> None:
    code, out, _ = run("verify", BROKEN, "--lang", "en")
    assert code == 1
    assert "VERDICT: FAIL" in out
    assert "mn-gw.cfg:" in out


def test_japanese_text_report() -> None:
    code, out, _ = run("verify", BROKEN, "--lang", "ja")
    assert code == 1
    assert "判定: 不合格" in out
    assert "マイナンバー利用事務系" in out


def test_lang_defaults_from_environment() -> None:
    _, out_ja, _ = run("verify", COMPLIANT, env={"LANG": "ja_JP.UTF-8"})
    _, out_en, _ = run("verify", COMPLIANT, env={"LANG": "C.UTF-8"})
    assert "判定" in out_ja and "VERDICT" in out_en


def test_json_contract() -> None:
    code, out, _ = run("verify", BROKEN, "--format", "json")
    assert code == 1
    record = json.loads(out)
    assert record["tool"] == {"name": "nankoku-netcheck", "version": record["tool"]["version"]}
    assert record["verdict"] == "fail"
    assert all(set(i) >= {"path", "sha256"} and len(i["sha256"]) == 64 for i in record["inputs"])
    assert len(record["inputs"]) == 10  # topology + 9 configs
    violated = [f for f in record["findings"] if f["status"] == "violated"]
    # The sample's ZONE-003/004/006 mistakes are declarations and MAC pins: no packet, but a line.
    declared = [f for f in violated if f["rule"] in ("ZONE-003", "ZONE-004", "ZONE-006")]
    assert declared and all(f["evidence"] and all(e["line"] > 0 for e in f["evidence"]) for f in declared)
    flows = [f for f in violated if f["rule"].startswith("ZONE-") and f not in declared]
    assert {f["rule"] for f in flows} == {"ZONE-001", "ZONE-002", "ZONE-005", "ZONE-007", "ZONE-008", "ZONE-009"}
    for finding in flows:
        assert set(finding) >= {"rule", "severity", "status", "message", "flow", "path", "evidence"}
        assert set(finding["flow"]) >= {"src", "dst", "proto"}
        for step in finding["path"]:
            assert set(step) >= {"device", "in_interface", "out_interface", "route", "acl"}
        permits = [e for e in finding["evidence"] if e["role"] == "permits"]
        assert permits and all(e["line"] > 0 and e["text"] for e in permits)
    assert record["summary"]["violated"] == len(violated)


def test_json_is_byte_identical_apart_from_the_timestamp() -> None:
    first = run("verify", BROKEN, "--format", "json")[1]
    second = run("verify", BROKEN, "--format", "json")[1]
    strip = [line for line in first.splitlines() if '"generated_at"' not in line]
    assert strip == [line for line in second.splitlines() if '"generated_at"' not in line]
    pinned = {"SOURCE_DATE_EPOCH": "1764000000"}
    assert (
        run("verify", BROKEN, "--format", "json", env=pinned)[1]
        == run("verify", BROKEN, "--format", "json", env=pinned)[1]
    )
    assert '"generated_at": "2025-11-24T16:00:00Z"' in run("verify", BROKEN, "--format", "json", env=pinned)[1]


def test_output_file(tmp_path: Path) -> None:
    target = tmp_path / "report.json"
    code, out, _ = run("verify", COMPLIANT, "--format", "json", "--output", str(target))
    assert code == 0 and out == ""
    assert json.loads(target.read_text(encoding="utf-8"))["verdict"] == "pass"


def test_fail_on_warning_counts_warnings(triangle) -> None:
    lg_out = "ip access-group LG-OUT out"
    acl = "ip access-list extended LG-OUT\n permit tcp 10.2.1.0 0.0.0.255 any established\n deny ip any any"
    block = "ip access-list extended BLOCK\n deny ip any any"
    topology = str(
        triangle(
            mn_iface="ip access-group BLOCK out\nip access-group BLOCK in",
            mn_extra=block,
            lg_iface=lg_out + "\nip access-group BLOCK in",
            lg_extra=acl + "\n" + block,
        )
    )
    assert run("verify", topology)[0] == 0
    assert run("verify", topology, "--fail-on", "warning")[0] == 1


@pytest.mark.parametrize(
    "content, expected",
    [
        ("version: 1\nzones: {}\ndevices: {}\nbogus: 1\n", "topology.yaml:4:"),
        ("version: 2\nzones: {}\ndevices: {}\n", "topology.yaml:1:"),
        (
            "version: 1\nzones:\n  lgwan: {kind: lgwan, label: x, prefixes: [10.2.0.0/33]}\ndevices: {}\n",
            "topology.yaml:3:",
        ),
    ],
)
def test_input_errors_exit_2_with_file_and_line(tmp_path: Path, content: str, expected: str) -> None:
    topology = tmp_path / "topology.yaml"
    topology.write_text(content, encoding="utf-8")
    code, out, err = run("verify", str(topology))
    assert code == 2
    assert out == ""
    assert expected in err
    assert "Traceback" not in err
    assert all(line.startswith("error: ") for line in err.strip().splitlines())


def test_missing_topology_file_is_an_input_error(tmp_path: Path) -> None:
    code, _, err = run("verify", str(tmp_path / "nope.yaml"))
    assert code == 2
    assert "nope.yaml" in err and "Traceback" not in err
