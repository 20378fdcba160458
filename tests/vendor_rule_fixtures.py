"""The shared check of a vendor's rule fixtures (tests/fixtures/rules/<RULE>/<vendor>-pass|fail):
the rule's findings on the fixture, as (device, file, line, message en, message ja) rows, must be
exactly those its expected.yaml lists — none for a pass fixture, some for a fail fixture."""

from __future__ import annotations

from pathlib import Path

import yaml
from conftest import rule_context

from nankoku_netcheck.result import Finding
from nankoku_netcheck.rules.base import Rule

Row = tuple[str, str, int, str, str]


def found_rows(findings: list[Finding]) -> list[Row]:
    rows = []
    for finding in findings:
        first = finding.evidence[0]
        prefix = f"{first.file}:{first.line}: "
        assert finding.message_en.startswith(prefix) and finding.message_ja.startswith(prefix), finding
        en, ja = finding.message_en[len(prefix) :], finding.message_ja[len(prefix) :]
        rows.append((finding.device, Path(first.file).name, first.line, en, ja))
    return sorted(rows)


def expected_rows(folder: Path) -> list[Row]:
    listed = yaml.safe_load((folder / "expected.yaml").read_text(encoding="utf-8")) or []
    return sorted(
        (item["device"], item["file"], item["line"], item["message_en"], item["message_ja"]) for item in listed
    )


def check_rule_fixture(rule: Rule, folder: Path) -> None:
    findings = rule.check(rule_context(folder))
    expected = expected_rows(folder)
    assert found_rows(findings) == expected
    assert folder.name.endswith("fail") == bool(expected), "a fail fixture must list findings, a pass fixture none"
    for finding in findings:
        assert (finding.rule, finding.severity, finding.status) == (rule.id, rule.severity, "violated")
