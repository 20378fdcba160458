"""The hardening and filter rules on FortiGate configurations, through the FortiOS parser.

Pass and fail fixtures under tests/fixtures/rules/<RULE-ID>/fortios-pass|fortios-fail (the
layout of the IOS and ASA cases): the rule's check runs as analyze() runs it, and the
findings must be exactly those in the fixture's expected.yaml, messages included (the
FortiOS command text of vendors/fortios/remediation.py), each message starting with the
file and line of its first evidence.
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
# Every FortiOS hardening rule has a pass and a fail case, except MGMT-002: FortiOS always
# limits failed logins (admin-lockout-threshold has a default and no "off"), so it cannot fail.
COVERED = (
    *(f"MGMT-{number:03d}" for number in range(1, 12)),
    "SVC-001",
    "ACL-001",
    "ACL-002",
    "ACL-004",
    "ACL-006",
    "ACL-007",
)
CASES = sorted(
    (folder.parent.name, folder.name) for folder in FIXTURES.glob("*/fortios-*") if folder.parent.name in RULES
)


def test_every_rule_that_applies_to_fortios_has_its_cases() -> None:
    expected = {(rule_id, f"fortios-{case}") for rule_id in COVERED for case in ("pass", "fail")}
    expected.discard(("MGMT-002", "fortios-fail"))
    assert set(CASES) == expected


@pytest.mark.parametrize(("rule_id", "case"), CASES)
def test_fortios_rule_fixture(rule_id: str, case: str) -> None:
    check_rule_fixture(RULES[rule_id], FIXTURES / rule_id / case)


@pytest.mark.parametrize("config", sorted(FIXTURES.glob("*/fortios-*/configs/*.cfg")), ids=lambda path: path.name)
def test_fixtures_are_read_as_fortios(config: Path) -> None:
    device = parse_config(config.read_text(encoding="utf-8"), str(config))
    assert device.vendor == "fortios"


def test_an_undefined_name_is_reported_and_read_as_any() -> None:
    """ACL-001 on FortiOS: each undefined name is a finding at the line that uses it, and the
    policy line that depends on it is META-001 (the policy reads the name as any address or
    every service)."""
    folder = FIXTURES / "ACL-001" / "fortios-fail"
    reported = {finding.evidence[0].line for finding in RULES["ACL-001"].check(rule_context(folder))}
    config = folder / "configs" / "fgt1.cfg"
    device = parse_config(config.read_text(encoding="utf-8"), "fgt1.cfg")
    # The undefined group member is reported at the group (line 58) and read as any where a
    # policy uses the group (its dstaddr, line 71); the other names at the policy's own lines.
    assert reported == {58, 79, 83, 86}
    assert {unknown.source.line for unknown in device.forwarding_unknowns} == {71, 79, 83, 86}
    (policy_2,) = [rule for rule in device.policy or () if rule.name == "policy 2"]
    (line,) = policy_2.lines
    assert [(match.src, match.protocols, match.dst_ports) for match in line.matches] == [(None, None, None)]


@pytest.mark.parametrize(
    ("rule_id", "secrets"),
    [
        (
            "MGMT-006",
            ("Ops-Plain-2025", "Zm9ydGlvcy1yZXZlcnNpYmxlLWV4YW1wbGU=", "cHNrLWV4YW1wbGUtbm90LWEtcmVhbC1rZXk="),
        ),
        ("MGMT-010", ("public",)),
    ],
)
def test_secrets_never_reach_a_finding(rule_id: str, secrets: tuple[str, ...]) -> None:
    findings = RULES[rule_id].check(rule_context(FIXTURES / rule_id / "fortios-fail"))
    assert findings
    for finding in findings:
        shown = " ".join([finding.message_en, finding.message_ja, *(e.text for e in finding.evidence)])
        for secret in secrets:
            assert secret not in shown, (secret, finding)
