"""End to end: one IOS router with a zone-based firewall between the internet and LGWAN
zones. The compliant variant inspects only the sanitised mail channel (relay → mail server,
SMTP) from INET to LGWAN; the broken ones pass class-default or inspect all of TCP, and the
ZONE-005 finding names the policy-map class that lets the packets through."""

from __future__ import annotations

from pathlib import Path

from conftest import write_network

from nankoku_netcheck.analyze import analyze
from nankoku_netcheck.model import AclLine, Action, ip_to_int
from nankoku_netcheck.parse import parse_config
from nankoku_netcheck.reach.filters import applicable_rules, policy_list
from nankoku_netcheck.reach.packets import Packet
from nankoku_netcheck.reach.trace import evaluate_acl
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
# The router's own addresses are kept out of reach by an inbound ACL: the `self` zone lets
# everything to the router through by default (self zone-pairs are not modelled). The path
# of a finding then cites that ACL's permitting line (the tracer names the policy only where
# no inbound ACL line decided), so the tests read the policy's deciding line from the device.
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
zone-pair security I2L source INET destination LGWAN
 service-policy type inspect INET-TO-LGWAN
interface GigabitEthernet0/0
 ip address 10.2.1.1 255.255.255.0
 ip access-group NOT-TO-BOX in
 zone-member security LGWAN
interface GigabitEthernet0/1
 ip address 10.3.1.1 255.255.255.0
 ip access-group NOT-TO-BOX in
 zone-member security INET
ip access-list extended RELAY-TO-MAIL
 permit ip host 10.3.1.25 host 10.2.1.25
ip access-list extended NOT-TO-BOX
 deny ip any host 10.2.1.1
 deny ip any host 10.3.1.1
 permit ip any any
end
"""


def run(folder: Path, chosen_class: str = "MAIL", default: str = "drop") -> tuple[Result, list[str]]:
    config = ROUTER.replace("CLASS", chosen_class).replace("DEFAULT", default)
    topology = write_network(folder, {"r-zbf": config}, CHANNELS, zones=ZONES)
    return analyze(str(topology)), config.splitlines()


def zone_findings(result: Result) -> list[Finding]:
    return [f for f in result.findings if f.rule.startswith("ZONE-") and f.status == "violated"]


def deciding_policy_line(lines: list[str], leak: Finding, in_if: str, out_if: str) -> tuple[str, AclLine]:
    """The policy rule and line that decide the leak's example packet from `in_if` to `out_if`."""
    flow = leak.flow
    assert flow is not None and flow.proto == "tcp" and flow.dport is not None
    parsed = parse_config("\n".join(lines), "r-zbf.cfg")
    packet = Packet(ip_to_int(flow.src), ip_to_int(flow.dst), 6, flow.sport or 0, flow.dport, flow.established)
    listed = policy_list(parsed, applicable_rules(parsed, in_if, out_if))
    permitted, index = evaluate_acl(listed.acl, packet)
    assert permitted and index is not None
    return listed.owners[index].name, listed.acl.lines[index]


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
    rule, line = deciding_policy_line(lines, leaks[0], "GigabitEthernet0/1", "GigabitEthernet0/0")
    assert (rule, line.action, line.source.line, line.source.text) == (
        "zone-pair I2L class-default (pass)",
        Action.PERMIT,
        lines.index(" class class-default") + 1,
        " class class-default",
    )


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
    rule, line = deciding_policy_line(lines, leaks[0], "GigabitEthernet0/1", "GigabitEthernet0/0")
    assert (rule, line.source.line) == ("zone-pair I2L class ALL-TCP (inspect)", match_line)
    rule, line = deciding_policy_line(lines, leaks[1], "GigabitEthernet0/0", "GigabitEthernet0/1")
    assert (rule, line.source.line) == ("replies of zone-pair I2L", match_line)
