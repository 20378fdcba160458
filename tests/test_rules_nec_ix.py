"""The hardening rules on NEC UNIVERGE IX configurations, through the IX parser.

Pass and fail fixtures under tests/fixtures/rules/<RULE-ID>/nec_ix-pass|nec_ix-fail: the
rule's check runs as analyze() runs it, and the findings must be exactly those in the
fixture's expected.yaml, messages included (the IX command text of
vendors/nec_ix/remediation.py where the rule quotes one)."""

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
COVERED = ("MGMT-001", "MGMT-005", "MGMT-006", "MGMT-008", "MGMT-009", "MGMT-010", "PORT-001", "SVC-001")
CASES = sorted((folder.parent.name, folder.name) for folder in FIXTURES.glob("*/nec_ix-*"))


def test_every_covered_rule_has_its_ix_cases() -> None:
    assert set(CASES) == {(rule_id, f"nec_ix-{case}") for rule_id in COVERED for case in ("pass", "fail")}


@pytest.mark.parametrize(("rule_id", "case"), CASES)
def test_nec_ix_rule_fixture(rule_id: str, case: str) -> None:
    check_rule_fixture(RULES[rule_id], FIXTURES / rule_id / case)


@pytest.mark.parametrize("config", sorted(FIXTURES.glob("*/nec_ix-*/configs/*.cfg")), ids=str)
def test_fixtures_are_read_as_nec_ix(config: Path) -> None:
    device = parse_config(config.read_text(encoding="utf-8"), str(config))
    assert device.vendor == "nec_ix"
    assert device.forwarding_unknowns == []


def test_remediation_quotes_ix_commands() -> None:
    folder = FIXTURES / "MGMT-001" / "nec_ix-fail"
    messages = [finding.message_en for finding in RULES["MGMT-001"].check(rule_context(folder))]
    assert messages and all("no telnet-server ip enable" in message for message in messages)
