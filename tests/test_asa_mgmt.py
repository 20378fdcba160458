"""The management-plane facts the ASA parser reads (parse/asa_mgmt.py) for the device and
filter-consistency rules; the rules themselves are checked on the asa-pass / asa-fail
fixtures by test_rules_device.py and test_rules_acl.py."""

from __future__ import annotations

import pytest
from conftest import REPO, rule_fixture_outcome

from nankoku_netcheck.model import MgmtSettings, UnknownKind, ip_to_int
from nankoku_netcheck.rules.acl import ACL_RULES
from nankoku_netcheck.rules.device import DEVICE_RULES
from nankoku_netcheck.vendors.cisco_asa.parser import parse

FIXTURES = REPO / "tests" / "fixtures" / "rules"
RULES = {rule.id: rule for rule in DEVICE_RULES + ACL_RULES}

FACTS_CONFIG = """\
ASA Version 9.8(4)
hostname fw1
enable password 8Ry2YjIyt7RRXU24 encrypted
passwd 2KFQnbNIdI.2KYOU encrypted
names
name 10.0.99.0 mgmt-net
interface GigabitEthernet0/0
 nameif outside
 security-level 0
 ip address dhcp setroute
interface GigabitEthernet0/1
 nameif inside
 security-level 100
 ip address 10.0.1.1 255.255.255.0
interface GigabitEthernet0/2
 description spare
 shutdown
 no nameif
username ope password $sha512$5000$abcdefgh$ijklmnopqrstuvwx pbkdf2 privilege 15
username view password Plain1 privilege 5
username nopw nopassword
username ope attributes
 service-type admin
banner login Authorized use only.
banner login Second line.
banner asdm ASDM users only.
aaa authentication ssh console LOCAL
aaa local authentication attempts max-fail 3
logging enable
logging timestamp
logging trap informational
logging host inside 10.0.99.10
logging host inside 10.0.99.11 6/1470
ntp server 10.0.99.11 key 1 source inside prefer
snmp-server community 0 Xk9-ro
snmp-server host inside 10.0.99.20 community Xk9-host version 2c
snmp-server group G v3 priv
snmp-server user u1 G v3 auth sha AuthPass1 priv aes 128 PrivPass1
http server enable
http server idle-timeout 5
http mgmt-net 255.255.255.0 inside
ssh mgmt-net 255.255.255.0 inside
ssh 2001:db8::/32 inside
ssh undefined-name 255.255.255.0 inside
ssh timeout 10
telnet timeout 5
console timeout 0
command-alias exec sacl show access-list NOT-AN-ACL
: end
"""


@pytest.fixture(scope="module")
def facts() -> MgmtSettings:
    return parse(FACTS_CONFIG, "fw1.cfg").mgmt


def test_sessions_follow_the_asa_timeouts_and_defaults(facts: MgmtSettings) -> None:
    sessions = {
        s.kind: (s.accepts_sessions, s.idle_timeout, s.default_idle_timeout, s.source.line) for s in facts.sessions
    }
    # Minutes become seconds. No telnet line admits anyone, so telnet sessions cannot start.
    assert sessions == {
        "console": (True, 0, None, 47),
        "ssh": (True, 600, 300, 45),
        "telnet": (False, 300, 300, 46),
        "https": (True, 300, 1200, 40),
    }


def test_remote_access_lists_each_source_line(facts: MgmtSettings) -> None:
    mgmt_net = ((ip_to_int("10.0.99.0"), 24),)
    access = [(a.protocol, a.allowed_from, a.interface, a.source.line) for a in facts.remote_access]
    # ASDM is HTTPS; the name resolves; an IPv6 prefix holds no IPv4 source; an undefined name
    # is refused by the ASA, so that line admits nobody.
    assert access == [
        ("https", mgmt_net, "GigabitEthernet0/1", 41),
        ("ssh", mgmt_net, "GigabitEthernet0/1", 42),
        ("ssh", (), "GigabitEthernet0/1", 43),
    ]
    assert [line.line for line in facts.login_failure_limits] == [28]
    assert [line.line for line in facts.aaa] == [27, 28]


def test_banners_count_once_per_kind(facts: MgmtSettings) -> None:
    assert [(b.kind, b.source.line) for b in facts.banners] == [("login", 24), ("asdm", 26)]


def test_credentials_and_accounts(facts: MgmtSettings) -> None:
    assert [(c.kind, c.owner, c.scheme, c.level) for c in facts.credentials] == [
        ("enable", "", "none", None),  # the stored form of an empty password
        ("login", "", "md5", None),
        ("user", "ope", "pbkdf2", 15),
        ("user", "view", "plaintext", 5),
        ("user", "nopw", "none", None),
    ]
    # `username ope attributes` changes settings of the account, not its privilege.
    assert [(u.name, u.privilege, u.source.line) for u in facts.users] == [
        ("ope", 15, 19),
        ("view", 5, 20),
        ("nopw", None, 21),
    ]


def test_time_logging_and_snmp(facts: MgmtSettings) -> None:
    assert [h.address for h in facts.ntp_servers] == ["10.0.99.11"]
    assert [h.address for h in facts.logging_hosts] == ["10.0.99.10", "10.0.99.11"]
    assert (facts.log_timestamps, facts.log_timestamps_source and facts.log_timestamps_source.line) == ("datetime", 30)
    assert [(c.name, c.access, c.source.line) for c in facts.snmp_communities] == [
        ("Xk9-ro", "ro", 35),
        ("Xk9-host", "ro", 36),
    ]
    assert [(g.name, g.version, g.security) for g in facts.snmp_groups] == [("G", "3", "priv")]
    assert [(u.name, u.group, u.version, u.authenticated, u.encrypted) for u in facts.snmp_users] == [
        ("u1", "G", "3", True, True)
    ]


def test_services_record_asa_defaults(facts: MgmtSettings) -> None:
    states = {s.name: (s.enabled, s.source.line if s.source else None) for s in facts.services}
    assert states["https-server"] == (True, 39)
    assert states["logging"] == (True, 29)
    assert states["logging-trap"] == (True, 31)
    # Nothing written: the ASA has no CDP, no plain-HTTP server and drops source-routed packets.
    for service in ("cdp", "http-server", "source-route", "bootp-server", "finger"):
        assert states[service] == (False, None), service


def test_interface_facts(facts: MgmtSettings) -> None:
    summary = {name: (i.bare, i.address_unknown) for name, i in facts.interfaces.items()}
    assert summary == {
        "GigabitEthernet0/0": (False, True),
        "GigabitEthernet0/1": (False, False),
        "GigabitEthernet0/2": (True, False),
    }


def test_hostname_and_no_false_uses(facts: MgmtSettings) -> None:
    assert facts.hostname_source is not None and facts.hostname_source.line == 2
    # A command alias quoting 'show access-list X' does not use an ACL.
    assert facts.definitions == [] and facts.references == []


USES_CONFIG = """\
ASA Version 9.8(4)
hostname fw1
command-alias exec sacl show access-list INSIDE_IN
interface GigabitEthernet0/1
 nameif inside
 security-level 100
 ip address 10.0.1.1 255.255.255.0
object network SRV
 host 10.0.1.10
 nat (inside,outside) static SRV-PUB
object network SRV-PUB
 host 203.0.113.10
object-group network GRP
 network-object object SRV
object-group network POOL
 network-object 203.0.113.0 255.255.255.0
access-list INSIDE_IN extended permit ip object-group GRP any
access-list 101 extended permit ip any any
access-group INSIDE_IN in interface inside
nat (inside,outside) after-auto source dynamic any pat-pool POOL
nat (inside) 0 access-list 101
route-map RM permit 10
 match ip address INSIDE_IN
router ospf 1
 redistribute static route-map RM
: end
"""


def test_definitions_and_uses() -> None:
    mgmt = parse(USES_CONFIG, "fw1.cfg").mgmt
    assert [(d.kind, d.name, d.source.line) for d in mgmt.definitions] == [
        ("object", "SRV", 8),
        ("object", "SRV-PUB", 11),
        ("object-group", "GRP", 13),
        ("object-group", "POOL", 15),
        ("acl", "INSIDE_IN", 17),
        ("acl", "101", 18),
        ("route-map", "RM", 22),
    ]
    uses = sorted((r.kind, r.name, r.source.line, r.mentioned) for r in mgmt.references)
    assert uses == sorted(
        [
            ("object", "SRV", 10, False),  # its own object NAT rule
            ("object", "SRV-PUB", 10, False),  # the mapped object
            ("object", "SRV", 14, False),
            ("object-group", "GRP", 17, False),
            ("acl", "INSIDE_IN", 19, False),
            ("object-group", "POOL", 20, False),  # a PAT pool given by an object-group
            ("acl", "101", 21, False),  # pre-8.3 NAT exemption
            ("acl", "INSIDE_IN", 23, False),
            ("route-map", "RM", 25, False),
        ]
    )


PIX_CONFIG = """\
PIX Version 6.3(5)
nameif ethernet0 outside security0
nameif ethernet1 inside security100
hostname pix1
interface ethernet0 auto
interface ethernet1 auto
interface ethernet2 auto
ip address outside dhcp setroute
ip address inside 10.1.1.1 255.255.255.0
logging on
logging trap notifications
logging host inside 10.1.1.10
logging host 10.1.1.11
"""


def test_pix_forms() -> None:
    device = parse(PIX_CONFIG, "pix1.cfg")
    mgmt = device.mgmt
    # `nameif` and `ip address` are top-level commands on PIX 6: named ports are in use.
    summary = {name: (i.bare, i.address_unknown) for name, i in mgmt.interfaces.items()}
    assert summary == {"Ethernet0": (False, True), "Ethernet1": (False, False), "Ethernet2": (True, False)}
    assert [h.address for h in mgmt.logging_hosts] == ["10.1.1.10", "10.1.1.11"]
    assert mgmt.service("logging") is not None and mgmt.service("logging").enabled  # type: ignore[union-attr]


def test_management_lines_stay_harmless() -> None:
    """Reading the facts does not change how the forwarding parser accounts for the lines."""
    device = parse(FACTS_CONFIG, "fw1.cfg")
    kinds = {u.source.line: u.kind for u in device.unknown_lines}
    for line in (24, 27, 29, 35, 39, 41, 42, 47):
        assert kinds[line] is UnknownKind.HARMLESS, line


ASA_SECRETS = {
    "MGMT-006": ("8Ry2YjIyt7RRXU24", "2KFQnbNIdI.2KYOU", "Plain-Secret-1", "dXRTaA5wrZ3OL8gz", "kGmbk5OYoQa"),
    "MGMT-010": ("public", "PRIVATE"),
    "MGMT-005": ("kGmbk5OYoQa", "Y2Fub2tvQ2l0eTIwMjU"),
}


@pytest.mark.parametrize("rule_id", sorted(ASA_SECRETS))
def test_asa_secrets_never_reach_a_finding(rule_id: str) -> None:
    _, _, findings = rule_fixture_outcome(RULES[rule_id], FIXTURES / rule_id / "asa-fail")
    assert findings
    for finding in findings:
        shown = " ".join([finding.message_en, finding.message_ja, *(e.text for e in finding.evidence)])
        for secret in ASA_SECRETS[rule_id]:
            assert secret not in shown, f"{secret!r} shown by {rule_id}"


def test_asa_wording_names_asa_commands() -> None:
    by_rule = {
        rule_id: rule_fixture_outcome(RULES[rule_id], FIXTURES / rule_id / "asa-fail")[2]
        for rule_id in ("MGMT-006", "MGMT-009", "ACL-001")
    }
    md5 = [f.message_en for f in by_rule["MGMT-006"] if f.evidence[0].role == "md5"]
    assert md5 and all("'encrypted'" in text and "type 5" not in text for text in md5)
    logging = " ".join(f.message_en for f in by_rule["MGMT-009"])
    assert "(logging timestamp)" in logging and "service timestamps" not in logging
    assert "logging trap" in logging and "logging enable" in logging
    refused = [f for f in by_rule["ACL-001"] if "'MISSING'" in f.message_en]
    assert refused and "refuses the binding" in refused[0].message_en
