"""End to end: one IOS router with a zone-based firewall between the internet and LGWAN
zones. The compliant variant inspects only the sanitised mail channel (relay → mail server,
SMTP) from INET to LGWAN; the broken ones pass class-default or inspect all of TCP, and the
ZONE-005 finding names the policy-map class that lets the packets through."""

from __future__ import annotations

from pathlib import Path

from conftest import write_network

from nankoku_netcheck.analyze import analyze
from nankoku_netcheck.result import Finding, Result

ZONES = """\
zones:
  lgwan:
    kind: lgwan
    label: LGWAN接続系
    prefixes: [10.2.0.0/16]
  internet:
    kind: internet
    label: インターネット接続系
    prefixes: [10.3.0.0/16]
"""
CHANNELS = """\
channels:
  - {id: mail-text, kind: mail-text, src: [10.3.1.25/32], dst: [10.2.1.25/32], proto: tcp, dport: [25]}
"""
# Zone-pairs to `self` keep the router's own addresses out of reach (the self zone takes
# everything by default).
ROUTER = """\
hostname r-zbf
zone security LGWAN
 description LGWAN接続系
zone security INET
class-map type inspect match-all MAIL
 match access-group name RELAY-TO-MAIL
 match protocol smtp
class-map type inspect match-any ALL-TCP
 match protocol tcp
policy-map type inspect INET-TO-LGWAN
 class type inspect CLASS
  inspect
 class class-default
  DEFAULT
policy-map type inspect TO-SELF
 class class-default
  drop
zone-pair security I2L source INET destination LGWAN
 service-policy type inspect INET-TO-LGWAN
zone-pair security I2S source INET destination self
 service-policy type inspect TO-SELF
zone-pair security L2S source LGWAN destination self
 service-policy type inspect TO-SELF
interface GigabitEthernet0/0
 ip address 10.2.1.1 255.255.255.0
 zone-member security LGWAN
interface GigabitEthernet0/1
 ip address 10.3.1.1 255.255.255.0
 zone-member security INET
ip access-list extended RELAY-TO-MAIL
 permit ip host 10.3.1.25 host 10.2.1.25
end
"""


def run(folder: Path, chosen_class: str = "MAIL", default: str = "drop") -> tuple[Result, list[str]]:
    config = ROUTER.replace("CLASS", chosen_class).replace("DEFAULT", default)
    topology = write_network(folder, {"r-zbf": config}, CHANNELS, zones=ZONES)
    return analyze(str(topology)), config.splitlines()


def zone_findings(result: Result) -> list[Finding]:
    return [f for f in result.findings if f.rule.startswith("ZONE-") and f.status == "violated"]


def verdict_of(result: Result, rule: str) -> str:
    return next(v.verdict for v in result.rules if v.rule == rule)


def test_zone_pair_inspecting_only_the_mail_channel_passes(tmp_path: Path) -> None:
    result, _ = run(tmp_path)
    assert not [f for f in result.findings if f.rule == "META-001" and f.status != "pass"]
    assert zone_findings(result) == []
    assert verdict_of(result, "ZONE-005") == "pass"


def test_class_default_pass_is_the_zone_005_leak_at_the_class_default_line(tmp_path: Path) -> None:
    result, lines = run(tmp_path, default="pass")
    leaks = zone_findings(result)
    assert [(f.rule, f.from_zone, f.to_zone, f.severity) for f in leaks] == [("ZONE-005", "internet", "lgwan", "error")]
    step = leaks[0].path[0]
    assert (step.device, step.in_interface, step.out_interface) == ("r-zbf", "GigabitEthernet0/1", "GigabitEthernet0/0")
    assert step.acl is not None
    assert (step.acl.name, step.acl.line, step.acl.text) == (
        "zone-pair I2L class-default (pass)",
        lines.index(" class class-default") + 1,
        "class class-default",
    )
    assert [(e.line, e.role) for e in leaks[0].evidence] == [(lines.index(" class class-default") + 1, "permits")]


def test_inspecting_all_tcp_is_the_zone_005_leak_at_the_match_line(tmp_path: Path) -> None:
    result, lines = run(tmp_path, chosen_class="ALL-TCP")
    leaks = sorted(zone_findings(result), key=lambda f: f.severity)
    # The replies of the inspected connections are the established-only warning the other way.
    assert [(f.rule, f.from_zone, f.to_zone, f.severity) for f in leaks] == [
        ("ZONE-005", "internet", "lgwan", "error"),
        ("ZONE-005", "lgwan", "internet", "warning"),
    ]
    assert leaks[0].flow is not None and leaks[0].flow.proto == "tcp" and not leaks[0].flow.established
    assert leaks[1].flow is not None and leaks[1].flow.established
    match_line = lines.index(" match protocol tcp") + 1
    names = []
    for leak in leaks:
        acl = leak.path[0].acl
        assert acl is not None and acl.line == match_line
        names.append(acl.name)
    assert names == ["zone-pair I2L class ALL-TCP (inspect)", "replies of zone-pair I2L"]
