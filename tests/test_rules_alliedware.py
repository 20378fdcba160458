"""The hardening rules on AlliedWare Plus configurations, through the AlliedWare Plus parser.

Pass and fail fixtures under tests/fixtures/rules/<RULE-ID>/alliedware-pass|alliedware-fail
(the layout of the IOS, ASA and FortiOS cases): the rule's check runs as analyze() runs it,
and the findings must be exactly those in the fixture's expected.yaml, messages included
(the AW+ command text of vendors/alliedware_plus/remediation.py), each message starting
with the file and line of its first evidence.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import REPO, rule_context
from vendor_rule_fixtures import check_rule_fixture

from nankoku_netcheck.parse import parse_config
from nankoku_netcheck.rules.acl import ACL_RULES
from nankoku_netcheck.rules.device import DEVICE_RULES

FIXTURES = REPO / "tests" / "fixtures" / "rules"
RULES = {rule.id: rule for rule in DEVICE_RULES + ACL_RULES}
# MGMT-002 has no fail case: AW+ locks a local account out after 5 failed logins unless told
# otherwise (`aaa local authentication attempts max-fail`, default 5). MGMT-011 does not apply
# (no password policy is read).
COVERED = (*(f"MGMT-{number:03d}" for number in range(1, 11)), "SVC-001")
CASES = sorted(
    (folder.parent.name, folder.name) for folder in FIXTURES.glob("*/alliedware-*") if folder.parent.name in RULES
)


def test_every_covered_rule_has_its_cases() -> None:
    expected = {(rule_id, f"alliedware-{case}") for rule_id in COVERED for case in ("pass", "fail")}
    expected.discard(("MGMT-002", "alliedware-fail"))
    assert set(CASES) == expected


@pytest.mark.parametrize(("rule_id", "case"), CASES)
def test_alliedware_rule_fixture(rule_id: str, case: str) -> None:
    check_rule_fixture(RULES[rule_id], FIXTURES / rule_id / case)


@pytest.mark.parametrize("config", sorted(FIXTURES.glob("*/alliedware-*/configs/*.cfg")), ids=lambda path: path.name)
def test_fixtures_are_read_as_alliedware(config: Path) -> None:
    device = parse_config(config.read_text(encoding="utf-8"), str(config))
    assert device.vendor == "alliedware_plus"
    assert device.forwarding_unknowns == []


@pytest.mark.parametrize(("rule_id", "secret"), [("MGMT-006", "friend"), ("MGMT-010", "public")])
def test_secrets_never_reach_a_finding(rule_id: str, secret: str) -> None:
    findings = RULES[rule_id].check(rule_context(FIXTURES / rule_id / "alliedware-fail"))
    assert findings
    for finding in findings:
        shown = " ".join([finding.message_en, finding.message_ja, *(e.text for e in finding.evidence)])
        assert secret not in shown, finding
