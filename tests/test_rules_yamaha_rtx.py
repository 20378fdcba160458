"""The hardening rules on YAMAHA RTX configurations, through the RTX parser.

Pass and fail fixtures under tests/fixtures/rules/<RULE-ID>/rtx-pass|rtx-fail: the rule's
check runs as analyze() runs it, and the findings must be exactly those in the fixture's
expected.yaml, messages included (the RTX command text of vendors/yamaha_rtx/remediation.py),
each message starting with the file and line of its first evidence.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from conftest import REPO, rule_context

from nankoku_netcheck.parse import parse_config
from nankoku_netcheck.result import Finding
from nankoku_netcheck.rules.device import DEVICE_RULES

FIXTURES = REPO / "tests" / "fixtures" / "rules"
RULES = {rule.id: rule for rule in DEVICE_RULES}
# MGMT-009 has no pass case: the RTX's syslog messages are not known to carry the date and
# time (no command read here sets it), so the time-stamp finding stays on every RTX.
COVERED = ("MGMT-001", "MGMT-006", "MGMT-007", "MGMT-008", "MGMT-009", "MGMT-010")
CASES = sorted((folder.parent.name, folder.name) for folder in FIXTURES.glob("*/rtx-*"))

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


def test_every_covered_rule_has_its_rtx_cases() -> None:
    expected = {(rule_id, f"rtx-{case}") for rule_id in COVERED for case in ("pass", "fail")}
    expected.discard(("MGMT-009", "rtx-pass"))
    assert set(CASES) == expected


@pytest.mark.parametrize(("rule_id", "case"), CASES)
def test_rtx_rule_fixture(rule_id: str, case: str) -> None:
    rule = RULES[rule_id]
    folder = FIXTURES / rule_id / case
    findings = rule.check(rule_context(folder))
    expected = expected_rows(folder)
    assert found_rows(findings) == expected
    assert case.endswith("fail") == bool(expected), "a fail fixture must list findings, a pass fixture none"
    for finding in findings:
        assert (finding.rule, finding.severity, finding.status) == (rule_id, rule.severity, "violated")


@pytest.mark.parametrize("config", sorted(FIXTURES.glob("*/rtx-*/configs/*.cfg")), ids=lambda path: path.name)
def test_fixtures_are_read_as_rtx(config: Path) -> None:
    device = parse_config(config.read_text(encoding="utf-8"), str(config))
    assert device.vendor == "yamaha_rtx"


@pytest.mark.parametrize(
    ("rule_id", "secrets"), [("MGMT-006", ("Plain-Pass-2025", "Admin-Plain-2025")), ("MGMT-010", ("private",))]
)
def test_secrets_never_reach_a_finding(rule_id: str, secrets: tuple[str, ...]) -> None:
    findings = RULES[rule_id].check(rule_context(FIXTURES / rule_id / "rtx-fail"))
    assert findings
    for finding in findings:
        shown = " ".join([finding.message_en, finding.message_ja, *(e.text for e in finding.evidence)])
        for secret in secrets:
            assert secret not in shown, (secret, finding)
