"""The JSON Schema shipped in the package describes every JSON document the tool writes: the
report of both samples (English and Japanese, with and without a baseline), a change review and
a baseline file. Its objects admit no undeclared key, so a new key must be declared there."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from conftest import REPO

from nankoku_netcheck.cli import main
from nankoku_netcheck.cli.schema_cmd import schema_text

jsonschema = pytest.importorskip("jsonschema", reason="jsonschema is in the test extra")

BROKEN = REPO / "topologies" / "nankoku-broken.yaml"
COMPLIANT = REPO / "topologies" / "nankoku.yaml"


@pytest.fixture(scope="module")
def validator() -> Any:
    schema = json.loads(schema_text())
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


def run(*arguments: str) -> str:
    result = CliRunner().invoke(main, list(arguments))
    assert result.exit_code in (0, 1), result.output
    return result.stdout


def errors(validator: Any, document: Any) -> list[str]:
    return sorted(f"{list(error.absolute_path)}: {error.message}" for error in validator.iter_errors(document))


def test_the_schema_command_prints_the_shipped_file() -> None:
    shipped = REPO / "nankoku_netcheck" / "data" / "schema" / "netcheck.schema.json"
    assert run("schema") == shipped.read_text(encoding="utf-8")
    assert json.loads(run("schema"))["$schema"] == "https://json-schema.org/draft/2020-12/schema"


@pytest.mark.parametrize("topology", [COMPLIANT, BROKEN], ids=["compliant", "broken"])
@pytest.mark.parametrize("lang", ["en", "ja"])
def test_the_report_of_each_sample_validates(validator: Any, topology: Path, lang: str) -> None:
    record = json.loads(run("verify", str(topology), "--format", "json", "--lang", lang, "--quiet"))
    assert record["schema_version"] == 1
    assert errors(validator, record) == []


def test_a_baselined_report_and_the_baseline_file_validate(validator: Any, tmp_path: Path) -> None:
    baseline = tmp_path / "baseline.json"
    run("verify", str(BROKEN), "--write-baseline", str(baseline), "--quiet")
    assert errors(validator, json.loads(baseline.read_text(encoding="utf-8"))) == []
    record = json.loads(run("verify", str(BROKEN), "--format", "json", "--baseline", str(baseline)))
    assert record["baseline"]["accepted"] == len(record["findings"])
    assert errors(validator, record) == []


def test_a_change_review_validates(validator: Any) -> None:
    record = json.loads(run("diff", str(COMPLIANT), str(BROKEN), "--format", "json", "--lang", "en"))
    assert record["schema_version"] == 1 and record["changes"] and record["findings"]["new"]
    assert errors(validator, record) == []


def test_the_schema_rejects_what_the_tool_does_not_write(validator: Any) -> None:
    record = json.loads(run("verify", str(COMPLIANT), "--format", "json", "--quiet"))
    assert errors(validator, {**record, "schema_version": 2}) != []
    assert errors(validator, {**record, "surprise": True}) != []
    finding = {"rule": "ZONE-001", "severity": "fatal", "status": "violated", "message": "m", "evidence": []}
    assert errors(validator, {**record, "findings": [{**finding, "fingerprint": "0" * 64}]}) != []
