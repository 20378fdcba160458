"""The hardening rules on YAMAHA RTX configurations, through the RTX parser.

Pass and fail fixtures under tests/fixtures/rules/<RULE-ID>/rtx-pass|rtx-fail: the rule's
check runs as analyze() runs it, and the findings must be exactly those in the fixture's
expected.yaml, messages included (the RTX command text of vendors/yamaha_rtx/remediation.py),
each message starting with the file and line of its first evidence.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import REPO, rule_context
from vendor_rule_fixtures import check_rule_fixture

from nankoku_netcheck.parse import parse_config
from nankoku_netcheck.rules.device import DEVICE_RULES

FIXTURES = REPO / "tests" / "fixtures" / "rules"
RULES = {rule.id: rule for rule in DEVICE_RULES}
# MGMT-009 has no pass case: the RTX's syslog messages are not known to carry the date and
# time (no command read here sets it), so the time-stamp finding stays on every RTX.
COVERED = ("MGMT-001", "MGMT-006", "MGMT-007", "MGMT-008", "MGMT-009", "MGMT-010")
CASES = sorted((folder.parent.name, folder.name) for folder in FIXTURES.glob("*/rtx-*"))


def test_every_covered_rule_has_its_rtx_cases() -> None:
    expected = {(rule_id, f"rtx-{case}") for rule_id in COVERED for case in ("pass", "fail")}
    expected.discard(("MGMT-009", "rtx-pass"))
    assert set(CASES) == expected


@pytest.mark.parametrize(("rule_id", "case"), CASES)
def test_rtx_rule_fixture(rule_id: str, case: str) -> None:
    check_rule_fixture(RULES[rule_id], FIXTURES / rule_id / case)


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
