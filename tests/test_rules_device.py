"""Device hardening rules (MGMT-, SVC-, PORT-, WLAN-, AVAIL-) and the IOS management facts
they read.

Each rule has a pass and a fail fixture under tests/fixtures/rules/<RULE-ID>/ (checkov
style): the rule's check runs on the fixture as analyze() would run it, and the findings
must be exactly those listed, with the reason for each, in the fixture's expected.yaml.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml
from conftest import REPO, rule_fixture_outcome

from nankoku_netcheck.analyze import load
from nankoku_netcheck.model import SECRET_READABLE, SECRET_STRONG, SECRET_WEAK_HASH
from nankoku_netcheck.reach.engine import ReachEngine, boundary_interfaces
from nankoku_netcheck.reach.packets import PacketSpace
from nankoku_netcheck.reach.trace import Tracer
from nankoku_netcheck.rules.acl import ACL_RULES
from nankoku_netcheck.rules.device import DEVICE_RULES, cdp_boundary_interfaces, zone_boundary_interfaces
from nankoku_netcheck.rules.docs_device import DEVICE_RULE_DOCS
from nankoku_netcheck.rules.flows import FlowContext
from nankoku_netcheck.vendors.cisco_ios.parser import parse

FIXTURES = REPO / "tests" / "fixtures" / "rules"
RULES = {rule.id: rule for rule in DEVICE_RULES}
RULES_MD = REPO.parent / "shared" / "design" / "rules.md"
# Every rule has an IOS pass and fail case; rules that apply to Cisco ASA also have
# asa-pass and asa-fail (SVC-001 only asa-pass: the ASA runs none of the services it checks).
# MGMT-011 applies only where a parser records a password policy, which the IOS and ASA
# parsers do not: its pass and fail cases are built by hand in test_rules_remediation.py.
CASES = [
    (rule_id, case)
    for rule_id in sorted(set(RULES) - {"MGMT-011"})
    for case in ("pass", "fail", "asa-pass", "asa-fail")
    if case in ("pass", "fail") or (FIXTURES / rule_id / case).is_dir()
]


@pytest.mark.parametrize(("rule_id", "case"), CASES)
def test_rule_fixture(rule_id: str, case: str) -> None:
    rule = RULES[rule_id]
    found, expected, findings = rule_fixture_outcome(rule, FIXTURES / rule_id / case)
    assert found == expected
    assert case.endswith("fail") == bool(expected), "a fail fixture must list findings, a pass fixture none"
    for finding in findings:
        assert (finding.rule, finding.severity, finding.status) == (rule_id, rule.severity, "violated")
        assert finding.message_en and finding.message_ja
        assert finding.message_en.startswith(f"{finding.evidence[0].file}:{finding.evidence[0].line}: ") or (
            rule_id == "AVAIL-001"
        )


def test_severities_and_clauses_follow_the_catalog() -> None:
    if not RULES_MD.is_file():
        pytest.skip(f"design note not found at {RULES_MD}")
    table = {}
    for line in RULES_MD.read_text(encoding="utf-8").splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if cells and re.fullmatch(r"[A-Z]+-\d{3}", cells[0]):
            table[cells[0]] = (cells[-1], cells[2] if len(cells) == 4 else "")
    for rule in DEVICE_RULES + ACL_RULES:
        if rule.id not in table:
            # Rules newer than the shared design note (its rows are the lead's to add).
            assert rule.id in ("ACL-006", "ACL-007", "MGMT-011"), rule.id
            continue
        severity, clause = table[rule.id]
        assert rule.severity == severity, rule.id
        if clause:
            assert clause.split(",")[0].split("(")[0] in rule.clause, rule.id


def test_every_rule_has_its_documentation() -> None:
    ids = {rule.id for rule in DEVICE_RULES + ACL_RULES}
    assert set(DEVICE_RULE_DOCS) == ids
    for rule_id, page in DEVICE_RULE_DOCS.items():
        assert set(page) == {"what_en", "what_ja", "why_en", "why_ja", "fix_en", "fix_ja", "example"}, rule_id
        assert all(text.strip() for text in page.values()), rule_id


SECRETS_IN_FIXTURES = {
    "MGMT-006": (
        "$1$mERr$hx5rVt7rPNoS4wqbXKX7m0",
        "0822455D0A16",
        "Nankoku2025",
        "Plain-Secret-1",
        "045802150C2E",
        "tnhtc92DXBhelxjYk8LWJrPV36S2i4ntXrpb4RFmfqY",
    ),
    "MGMT-010": ("public", "n0c-Wr1te", "PRIVATE"),
    "MGMT-005": ("$9$Aa1Bb2Cc3Dd4Ee",),
    "WLAN-001": ("Nankoku-LG-2025", "Nankoku-Old-2010"),
}


@pytest.mark.parametrize("rule_id", sorted(SECRETS_IN_FIXTURES))
def test_secrets_never_reach_a_finding(rule_id: str) -> None:
    _, _, findings = rule_fixture_outcome(RULES[rule_id], FIXTURES / rule_id / "fail")
    assert findings
    for finding in findings:
        shown = " ".join([finding.message_en, finding.message_ja, *(e.text for e in finding.evidence)])
        for secret in SECRETS_IN_FIXTURES[rule_id]:
            assert secret not in shown, f"{secret!r} shown by {rule_id}"
    if rule_id in ("MGMT-006", "MGMT-010"):
        quoted = [
            e.text
            for f in findings
            for e in f.evidence
            if "nopassword" not in e.text and " group " not in e.text and e.text != "no login"
        ]
        assert quoted and all("[REDACTED" in text for text in quoted)


def test_avail_names_the_single_point_of_failure() -> None:
    _, _, findings = rule_fixture_outcome(RULES["AVAIL-001"], FIXTURES / "AVAIL-001" / "fail")
    (finding,) = findings
    assert "10.1.20.0/24" in finding.message_en and "device r1" in finding.message_en
    roles = [(Path(e.file).name, e.role) for e in finding.evidence]
    assert roles == [("topology.yaml", "requires"), ("r1.cfg", "segment member")]


def test_acl_partly_restricting_a_vty_still_counts_as_unrestricted() -> None:
    _, _, findings = rule_fixture_outcome(RULES["MGMT-007"], FIXTURES / "MGMT-007" / "fail")
    by_acl = {e.text: f for f in findings for e in f.evidence if e.role == "source restriction"}
    undefined = by_acl["access-class NOT-DEFINED in"]
    assert "not defined" in undefined.message_en
    almost_any = by_acl["access-class ANY-OK in"]
    assert "ANY-OK" in almost_any.message_en and "nearly" in almost_any.message_en
    assert [e.role for e in almost_any.evidence] == ["management access", "source restriction"]


# --- the facts the IOS parser reads ------------------------------------------------------------

FACTS_CONFIG = """\
hostname sw1
service timestamps log datetime msec
service password-encryption
enable secret 9 $9$Aa1Bb2Cc3Dd4Ee$abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQ
username ope privilege 15 secret 5 $1$mERr$hx5rVt7rPNoS4wqbXKX7m0
no ip bootp server
ip http server
ip http access-class 10
no cdp run
login block-for 60 attempts 3 within 30
banner login ^C
Authorized use only.
line vty 0 4
^C
access-list 10 permit 10.0.99.0 0.0.0.255
snmp-server community Xk9-ro RO 10
snmp-server group G v3 priv read V access 10
snmp-server user u1 G v3 auth sha AuthPass1 priv aes 128 PrivPass1
ntp server vrf MGMT 10.0.99.11
logging host 10.0.99.10
interface GigabitEthernet1/0/1
 switchport access vlan 10
 switchport mode access
 switchport port-security
 switchport port-security mac-address sticky
 switchport port-security mac-address sticky 0000.5e00.5301
 no cdp enable
interface GigabitEthernet 1/0/2
 switchport port-security mac-address 0000.5E00.5302
 authentication port-control auto
 mab
interface GigabitEthernet1/0/3
 description spare
 speed 100
interface Vlan10
 ip address dhcp
line con 0
 exec-timeout 0 0
line vty 0 4
 access-class 10 in
 exec-timeout 5 30
line vty 5 15
 transport input none
aaa new-model
end
"""


@pytest.fixture(scope="module")
def facts():  # type: ignore[no-untyped-def]
    return parse(FACTS_CONFIG, "sw1.cfg").mgmt


def test_sessions_and_remote_access(facts) -> None:  # type: ignore[no-untyped-def]
    sessions = {s.name: (s.accepts_sessions, s.idle_timeout, s.source.line) for s in facts.sessions}
    assert sessions == {"con 0": (True, 0, 37), "vty 0 4": (True, 5 * 60 + 30, 39), "vty 5 15": (False, None, 42)}
    # vty 0 4 writes no transport: telnet and ssh by default, restricted by ACL 10; the web server
    # follows `ip http access-class`. The text "line vty 0 4" inside the banner is not a line block.
    access = sorted((a.protocol, a.by_default, a.access_list, a.source.line) for a in facts.remote_access)
    assert access == [("http", False, "10", 7), ("ssh", True, "10", 39), ("telnet", True, "10", 39)]
    assert [limit.line for limit in facts.login_failure_limits] == [10]
    assert [line.line for line in facts.aaa] == [44]
    assert [(b.kind, b.source.line) for b in facts.banners] == [("login", 11)]


def test_credentials_services_and_time(facts) -> None:  # type: ignore[no-untyped-def]
    assert [(c.kind, c.owner, c.scheme) for c in facts.credentials] == [
        ("enable", "", "scrypt"),
        ("user", "ope", "md5"),
    ]
    assert [(u.name, u.privilege) for u in facts.users] == [("ope", 15)]
    assert facts.password_encryption is not None and facts.password_encryption.line == 3
    states = {s.name: (s.enabled, s.source.line if s.source else None) for s in facts.services}
    assert states["bootp-server"] == (False, 6)
    assert states["http-server"] == (True, 7)
    assert states["cdp"] == (False, 9)
    assert states["source-route"] == (True, None)  # IOS default, nothing written
    assert (facts.log_timestamps, facts.log_timestamps_source.line) == ("datetime", 2)
    assert [h.address for h in facts.ntp_servers] == ["10.0.99.11"]
    assert [h.address for h in facts.logging_hosts] == ["10.0.99.10"]


def test_snmp_facts(facts) -> None:  # type: ignore[no-untyped-def]
    assert [(c.name, c.access, c.access_list) for c in facts.snmp_communities] == [("Xk9-ro", "ro", "10")]
    assert [(g.name, g.version, g.security, g.read_view, g.write_view, g.access_list) for g in facts.snmp_groups] == [
        ("G", "3", "priv", "V", None, "10")
    ]
    assert [(u.name, u.group, u.version, u.authenticated, u.encrypted) for u in facts.snmp_users] == [
        ("u1", "G", "3", True, True)
    ]


def test_interface_facts(facts) -> None:  # type: ignore[no-untyped-def]
    first = facts.interfaces["GigabitEthernet1/0/1"]
    assert (first.port_security, first.sticky_learning, first.sticky_macs, first.cdp) == (
        True,
        True,
        ("0000.5e00.5301",),
        False,
    )
    second = facts.interfaces["GigabitEthernet1/0/2"]  # "GigabitEthernet 1/0/2" as written
    assert (second.port_security, second.static_macs, second.dot1x, second.mab) == (
        False,
        ("0000.5e00.5302",),
        True,
        True,
    )
    assert facts.interfaces["GigabitEthernet1/0/3"].bare
    assert not first.bare
    assert facts.interfaces["Vlan10"].address_unknown


def test_acl_uses_are_recorded(facts) -> None:  # type: ignore[no-untyped-def]
    assert [(d.kind, d.name, d.source.line) for d in facts.definitions] == [("acl", "10", 15)]
    lines = sorted(r.source.line for r in facts.references if (r.kind, r.name) == ("acl", "10"))
    assert lines == [8, 16, 17, 40]  # ip http access-class, community, group, vty access-class


def test_wireless_facts() -> None:
    text = (REPO / "tests/fixtures/rules/WLAN-001/fail/configs/ap-inet.cfg").read_text(encoding="utf-8")
    wlans = {w.ssid: (w.vlan, w.wpa_versions, w.auth) for w in parse(text, "ap.cfg").mgmt.wlans}
    # INET-OLD writes WPA without a version and its VLAN's radio cipher list still has TKIP.
    assert wlans == {"INET-OPEN": (20, (), "open"), "INET-OLD": (30, (1, 2), "psk")}


def test_secret_schemes_are_classified_once() -> None:
    assert not (
        SECRET_STRONG & SECRET_WEAK_HASH or SECRET_STRONG & SECRET_READABLE or SECRET_WEAK_HASH & SECRET_READABLE
    )


# --- zone boundaries on the sample city ---------------------------------------------------------


def sample_context(topology: str) -> FlowContext:
    network = load(str(REPO / "topologies" / topology)).network
    space = PacketSpace()
    engine = ReachEngine(network, space, boundary_interfaces(network))
    return FlowContext(network, space, engine, Tracer(engine))


@pytest.fixture(scope="module")
def compliant() -> FlowContext:
    return sample_context("nankoku.yaml")


def test_zone_boundaries_of_the_sample(compliant: FlowContext) -> None:
    boundary = zone_boundary_interfaces(compliant.network)
    # mn-gw sits in one zone: its transit-facing ports are the boundary, its inside port is not.
    assert {i for d, i in boundary if d == "mn-gw"} == {"GigabitEthernet0/1", "GigabitEthernet0/2"}
    # bb-rtr is transit only: the ports facing a zone's gateway are the boundary; Gi0/2 faces
    # inet-fw, itself on transit links only (backbone and 192.168.253.0/30); the loopback is no port.
    assert {i for d, i in boundary if d == "bb-rtr"} == {"GigabitEthernet0/0", "GigabitEthernet0/1"}
    assert not {i for d, i in boundary if d in ("mn-core", "lg-core")}
    # inet-core meets inet-fw on a transit link (192.168.253.0/30): that leg leaves its zone.
    assert {i for d, i in boundary if d == "inet-core"} == {"GigabitEthernet1/0/24"}
    # edge-fw's three legs (outside, inside, dmz) are all internet-zone segments: none leaves the zone;
    # the zone's edge is edge-rtr's upstream interface.
    assert not {i for d, i in boundary if d == "edge-fw"}
    assert {i for d, i in boundary if d == "edge-rtr"} == {"GigabitEthernet0/0"}
    # lg-gw spans lgwan and the external zenkoku-lgwan zone: all its legs filter between zones,
    # but CDP only matters where the neighbour is outside the city's own zones.
    assert {i for d, i in boundary if d == "lg-gw"} == {
        "GigabitEthernet0/0",
        "GigabitEthernet0/1",
        "GigabitEthernet0/2",
    }
    assert {i for d, i in cdp_boundary_interfaces(compliant.network) if d == "lg-gw"} == {
        "GigabitEthernet0/1",
        "GigabitEthernet0/2",
    }


# --- the sample city: compliant state clean, broken state has the documented mistakes -----------


def test_compliant_sample_has_no_device_or_filter_findings(compliant: FlowContext) -> None:
    findings = [f for rule in DEVICE_RULES + ACL_RULES for f in rule.check(compliant)]
    assert [f.message_en for f in findings] == []


def test_broken_sample_has_exactly_the_documented_hardening_mistakes() -> None:
    context = sample_context("nankoku-broken.yaml")
    listed = yaml.safe_load((REPO / "samples" / "expected-hardening.yaml").read_text(encoding="utf-8"))
    expected = sorted((item["rule"], item["device"], item["file"], item["line"]) for item in listed)
    found = sorted(
        (f.rule, f.device, Path(f.evidence[0].file).resolve().relative_to(REPO).as_posix(), f.evidence[0].line)
        for rule in DEVICE_RULES + ACL_RULES
        for f in rule.check(context)
    )
    assert found == expected
    for item in listed:
        line = (REPO / item["file"]).read_text(encoding="utf-8").splitlines()[item["line"] - 1]
        assert line.strip() == item["text"], item
