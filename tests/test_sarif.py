"""SARIF 2.1.0 output: valid against the official schema, rules carry their documentation,
results point at the config line that permits the flow, fingerprints survive line moves."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from conftest import REPO

from nankoku_netcheck.cli import main
from nankoku_netcheck.rules.docs import rule_doc

SCHEMA = REPO.parent / "shared" / "schemas" / "sarif-schema-2.1.0.json"
BROKEN = REPO / "topologies" / "nankoku-broken.yaml"


def sarif_of(topology: Path, *extra: str) -> dict[str, Any]:
    result = CliRunner().invoke(main, ["verify", str(topology), "--format", "sarif", *extra])
    assert result.exit_code in (0, 1, 3), result.output
    return json.loads(result.stdout)


@pytest.fixture(scope="module")
def broken_sarif() -> dict[str, Any]:
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(REPO)  # URIs are from the repository root whatever the folder (test_baseline.py checks)
        return sarif_of(Path("topologies/nankoku-broken.yaml"), "--lang", "en")


def test_validates_against_the_official_schema(broken_sarif: dict[str, Any]) -> None:
    jsonschema = pytest.importorskip("jsonschema", reason="jsonschema is in the test extra")
    if not SCHEMA.exists():
        pytest.skip(f"the SARIF schema is not at {SCHEMA} (it lives in ../shared, outside the repository)")
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    errors = sorted(jsonschema.Draft4Validator(schema).iter_errors(broken_sarif), key=str)
    assert errors == []


def test_rules_carry_documentation_clause_and_severity(broken_sarif: dict[str, Any]) -> None:
    run = broken_sarif["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    assert [rule["id"] for rule in rules][:1] == ["ZONE-001"]
    levels = {"error": "error", "warning": "warning", "info": "note"}
    for rule in rules:
        doc = rule_doc(rule["id"])
        assert doc is not None, rule["id"]
        assert rule["shortDescription"]["text"]
        assert rule["fullDescription"]["text"] == doc.what("en")
        assert doc.clause in rule["help"]["text"] and doc.clause in rule["help"]["markdown"]
        assert doc.fix_en in rule["help"]["text"]
        assert rule["defaultConfiguration"]["level"] == levels[doc.severity]
        score = float(rule["properties"]["security-severity"])
        assert 0.0 < score <= 10.0
    scores = {rule["id"]: float(rule["properties"]["security-severity"]) for rule in rules}
    assert scores["ZONE-001"] > scores["ZONE-008"]  # an error outranks a warning in code scanning


def test_results_point_at_the_permitting_config_line(broken_sarif: dict[str, Any]) -> None:
    results = broken_sarif["runs"][0]["results"]
    zone_results = [r for r in results if r["ruleId"] in ("ZONE-001", "ZONE-005")]
    # the sample's six planted crossings, and the replies the stateful inet-fw lets back for one
    # of them: an established-only warning (samples/expected-broken.yaml, also_reports)
    assert sorted(r["level"] for r in zone_results) == ["error"] * 6 + ["warning"]
    for result in zone_results:
        assert result["message"]["text"]
        location = result["locations"][0]["physicalLocation"]
        uri = location["artifactLocation"]["uri"]
        assert location["artifactLocation"]["uriBaseId"] == "%SRCROOT%"
        assert not uri.startswith("/") and (REPO / uri).is_file()
        line = location["region"]["startLine"]
        text = (REPO / uri).read_text(encoding="utf-8").splitlines()[line - 1]
        assert "permit" in text
        assert location["region"]["snippet"]["text"] == text.strip()


def test_fingerprints_are_unique_and_do_not_depend_on_line_numbers(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()  # a checkout: the topology reads ../device_configs from its work tree
    shutil.copytree(REPO / "topologies", tmp_path / "topologies")
    shutil.copytree(REPO / "device_configs" / "nankoku-broken", tmp_path / "device_configs" / "nankoku-broken")
    before = sarif_of(tmp_path / "topologies" / "nankoku-broken.yaml")["runs"][0]["results"]
    for config in (tmp_path / "device_configs" / "nankoku-broken").glob("*.cfg"):
        config.write_text(
            "!\n! three comment lines move every line down\n!\n" + config.read_text(encoding="utf-8"), encoding="utf-8"
        )
    after = sarif_of(tmp_path / "topologies" / "nankoku-broken.yaml")["runs"][0]["results"]

    def fingerprints(results: list[dict[str, Any]]) -> list[str]:
        return [r["partialFingerprints"]["nankokuFinding/v1"] for r in results]

    assert len(set(fingerprints(before))) == len(before)
    assert fingerprints(before) == fingerprints(after)

    def lines(results: list[dict[str, Any]]) -> list[tuple[str, int]]:
        return [
            (
                r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
                r["locations"][0]["physicalLocation"]["region"]["startLine"],
            )
            for r in results
        ]

    # Config lines moved down by three; the topology file (declarations, exceptions) did not change.
    assert lines(after) == [(uri, line + 3 if uri.endswith(".cfg") else line) for uri, line in lines(before)]
    assert any(uri.endswith(".yaml") for uri, _ in lines(before))


def test_artifacts_list_every_input_with_its_hash(broken_sarif: dict[str, Any]) -> None:
    artifacts = broken_sarif["runs"][0]["artifacts"]
    assert len(artifacts) == 10  # topology + 9 configs
    for artifact in artifacts:
        assert len(artifact["hashes"]["sha-256"]) == 64
