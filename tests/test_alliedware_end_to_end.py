"""AlliedWare Plus semantics through analyze(): an AT-x core switch routes the LGWAN VLAN
(its access ports carry the filter) to an IOS router with the mynumber zone behind it. Each
semantic decides PASS vs a ZONE-001 violation, and a violation names the deciding AW+ line:
filter order, the hardware list's implicit permit against the software list's implicit deny,
and a filter that reaches routed traffic only when every port of the VLAN has it."""

from __future__ import annotations

from pathlib import Path

import pytest

from nankoku_netcheck.analyze import analyze
from nankoku_netcheck.result import Result

SWITCH = """\
hostname sw1
!
FILTERS
!
interface port1.0.1-1.0.4
 description LGWAN端末
 switchport
 switchport mode access
 switchport access vlan 20
 PORT_BINDING
!
interface port1.0.24
 switchport
 switchport mode access
 switchport access vlan 99
!
interface vlan20
 ip address 10.2.0.1/24
 VLAN_BINDING
!
interface vlan99
 ip address 10.9.0.1/30
!
ip route 0.0.0.0/0 10.9.0.2
!
end
"""

# The router keeps the mynumber segment off the LGWAN side (and off the switch itself).
ROUTER = """\
hostname r1
interface GigabitEthernet0/0
 ip address 10.9.0.2 255.255.255.252
interface GigabitEthernet0/1
 ip address 10.1.0.1 255.255.255.0
 ip access-group MN-IN in
ip route 10.2.0.0 255.255.255.0 10.9.0.1
ip access-list extended MN-IN
 deny ip any 10.2.0.0 0.0.0.255
 deny ip any 10.9.0.0 0.0.0.3
 permit ip any any
end
"""

TOPOLOGY = """\
version: 1
name: alliedware core switch
configs: configs
zones:
  mynumber:
    kind: mynumber
    label: マイナンバー利用事務系
    prefixes: [10.1.0.0/24]
  lgwan:
    kind: lgwan
    label: LGWAN接続系
    prefixes: [10.2.0.0/24]
devices:
  sw1: {config: sw1.cfg}
  r1: {config: r1.cfg}
links:
  - [sw1:port1.0.24, r1:GigabitEthernet0/0]
"""

HARDWARE_DENY = "access-list 3000 deny ip 10.2.0.0/24 10.1.0.0/24"
HARDWARE_PERMIT_ASP = "access-list 3000 permit ip 10.2.0.0/24 203.0.113.0/24"
SOFTWARE_PERMIT_ASP = "access-list extended LG-IN\n 10 permit ip 10.2.0.0/24 203.0.113.0/24"


def run(folder: Path, filters: str, port: str = "", vlan: str = "") -> Result:
    (folder / "configs").mkdir()
    switch = SWITCH.replace("FILTERS", filters).replace(" PORT_BINDING", port).replace(" VLAN_BINDING", vlan)
    (folder / "configs" / "sw1.cfg").write_text(switch, encoding="utf-8")
    (folder / "configs" / "r1.cfg").write_text(ROUTER, encoding="utf-8")
    (folder / "topology.yaml").write_text(TOPOLOGY, encoding="utf-8")
    return analyze(str(folder / "topology.yaml"))


def verdict(result: Result, rule: str) -> str:
    (found,) = [each for each in result.rules if each.rule == rule]
    return found.verdict


def deciding_lines(result: Result) -> set[tuple[str, int, str]]:
    return {
        (Path(evidence.file).name, evidence.line, evidence.text.strip())
        for finding in result.findings
        if finding.rule == "ZONE-001"
        for evidence in finding.evidence
        if evidence.file.endswith("sw1.cfg")
    }


def test_hardware_deny_on_every_lgwan_port_passes(tmp_path: Path) -> None:
    result = run(tmp_path, HARDWARE_DENY, port=" access-group 3000")
    assert verdict(result, "ZONE-001") == "pass"
    assert verdict(result, "META-001") == "pass"


def test_hardware_list_permits_what_no_entry_denies(tmp_path: Path) -> None:
    result = run(tmp_path, HARDWARE_PERMIT_ASP, port=" access-group 3000")
    assert verdict(result, "ZONE-001") == "fail"
    # The implicit permit is stated at the list's first line.
    assert ("sw1.cfg", 3, HARDWARE_PERMIT_ASP) in deciding_lines(result)


def test_software_list_on_the_vlan_interface_denies_what_no_entry_permits(tmp_path: Path) -> None:
    result = run(tmp_path, SOFTWARE_PERMIT_ASP, vlan=" access-group LG-IN")
    assert verdict(result, "ZONE-001") == "pass"
    assert verdict(result, "META-001") == "pass"


def test_first_match_decides(tmp_path: Path) -> None:
    filters = "access-list 3000 permit ip 10.2.0.0/16 any\naccess-list 3000 deny ip 10.2.0.0/24 10.1.0.0/24"
    result = run(tmp_path, filters, port=" access-group 3000")
    assert verdict(result, "ZONE-001") == "fail"
    assert ("sw1.cfg", 3, "access-list 3000 permit ip 10.2.0.0/16 any") in deciding_lines(result)


@pytest.mark.parametrize("binding", ["", " access-group 3999"])
def test_no_list_or_an_undefined_one_filters_nothing(tmp_path: Path, binding: str) -> None:
    result = run(tmp_path, HARDWARE_DENY, port=binding)
    assert verdict(result, "ZONE-001") == "fail"


# --- an AR-series firewall in place of the switch ---------------------------------------------

AR = """\
hostname sw1
!
zone private
 network lan
  ip subnet 10.2.0.0/24 interface vlan20
zone mn
 network net
  ip subnet 10.1.0.0/24 interface vlan99
zone public
 network asp
  ip subnet 203.0.113.0/24 interface vlan99
 network all
  ip subnet 0.0.0.0/0 interface vlan99
!
firewall
RULES
!
interface port1.0.1
 switchport
 switchport access vlan 20
interface port1.0.24
 switchport
 switchport access vlan 99
interface vlan20
 ip address 10.2.0.1/24
interface vlan99
 ip address 10.9.0.1/30
ip route 0.0.0.0/0 10.9.0.2
end
"""


def run_ar(folder: Path, rules: str) -> Result:
    (folder / "configs").mkdir()
    (folder / "configs" / "sw1.cfg").write_text(AR.replace("RULES", rules), encoding="utf-8")
    (folder / "configs" / "r1.cfg").write_text(ROUTER, encoding="utf-8")
    (folder / "topology.yaml").write_text(TOPOLOGY, encoding="utf-8")
    return analyze(str(folder / "topology.yaml"))


@pytest.mark.parametrize(
    "rules",
    [
        " rule 10 permit any from private to public.asp\n protect",
        " rule 10 deny any from private to mn\n rule 20 permit any from private to public.all\n protect",
    ],
)
def test_ar_firewall_that_keeps_lgwan_off_mynumber_passes(tmp_path: Path, rules: str) -> None:
    result = run_ar(tmp_path, rules)
    assert verdict(result, "ZONE-001") == "pass"
    assert verdict(result, "META-001") == "pass"


@pytest.mark.parametrize(
    ("rules", "line"),
    [
        (" rule 10 permit any from private to public.all\n protect", 16),
        (" rule 30 deny any from private to mn\n rule 20 permit any from private to public.all\n protect", 17),
    ],
)
def test_ar_firewall_rule_that_lets_lgwan_reach_mynumber_fails_at_its_line(
    tmp_path: Path, rules: str, line: int
) -> None:
    result = run_ar(tmp_path, rules)
    assert verdict(result, "ZONE-001") == "fail"
    assert line in {number for _, number, _ in deciding_lines(result)}


def test_ar_firewall_without_protect_filters_nothing(tmp_path: Path) -> None:
    result = run_ar(tmp_path, " rule 10 permit any from private to public.asp")
    assert verdict(result, "ZONE-001") == "fail"


# --- AR-series NAT: a port forward at the internet edge ------------------------------------------

AR_EDGE = """\
hostname ar1
zone public
 network wan
  ip subnet 0.0.0.0/0 interface eth1
zone private
 network lan
  ip subnet 10.2.0.0/24 interface vlan1
  host web
   ip address 10.2.0.10
zone global
 network pub
  ip subnet 203.0.113.0/30 interface eth1
  host ar
   ip address 203.0.113.2
firewall
 rule 10 permit any from public to private.lan.web
 protect
nat
FORWARD ENABLE
interface port1.0.1
 switchport
 switchport access vlan 1
interface vlan1
 ip address 10.2.0.1/24
interface eth1
 ip address 203.0.113.2/30
end
"""

INTERNET_EDGE = """\
hostname edge
interface GigabitEthernet0/0
 ip address 198.51.100.2 255.255.255.252
interface GigabitEthernet0/1
 ip address 203.0.113.1 255.255.255.252
interface GigabitEthernet0/2
 ip address 10.3.0.1 255.255.255.0
ip route 0.0.0.0 0.0.0.0 198.51.100.1
end
"""

EDGE_TOPOLOGY = """\
version: 1
name: an AR port forward at the internet edge
configs: configs
zones:
  lgwan: {kind: lgwan, label: LGWAN接続系, prefixes: [10.2.0.0/24]}
  internet:
    kind: internet
    label: インターネット接続系
    prefixes: [10.3.0.0/24]
    upstream: [edge:GigabitEthernet0/0]
devices:
  ar: {config: ar.cfg}
  edge: {config: edge.cfg}
links:
  - [ar:eth1, edge:GigabitEthernet0/1]
"""

FORWARD = " rule 20 portfwd any from public to global.pub.ar with dst private.lan.web\n"


def run_ar_edge(folder: Path, forward: str, enable: str = " enable") -> Result:
    (folder / "configs").mkdir()
    ar = AR_EDGE.replace("FORWARD", forward).replace(" ENABLE", enable)
    (folder / "configs" / "ar.cfg").write_text(ar, encoding="utf-8")
    (folder / "configs" / "edge.cfg").write_text(INTERNET_EDGE, encoding="utf-8")
    (folder / "topology.yaml").write_text(EDGE_TOPOLOGY, encoding="utf-8")
    return analyze(str(folder / "topology.yaml"))


def test_ar_port_forward_exposes_the_lgwan_host_at_its_line(tmp_path: Path) -> None:
    result = run_ar_edge(tmp_path, FORWARD)
    assert verdict(result, "ZONE-005") == "fail"
    assert verdict(result, "META-001") == "pass"
    (finding,) = [each for each in result.findings if each.rule == "ZONE-005"]
    assert finding.message_en.replace(f"{tmp_path}/", "") == (
        "インターネット接続系 (internet) → LGWAN接続系 (lgwan): ip any except 10.2.0.0/24 → 203.0.113.2/32 gets "
        "through outside every declared sanitised channel (permitted at configs/ar.cfg:16)."
    )
    assert ("ar.cfg", 19, FORWARD.strip()) in {
        (Path(evidence.file).name, evidence.line, evidence.text.strip()) for evidence in finding.evidence
    }


def test_ar_without_the_port_forward_keeps_the_internet_side_off_lgwan(tmp_path: Path) -> None:
    result = run_ar_edge(tmp_path, "")
    assert verdict(result, "ZONE-005") == "pass"
    assert verdict(result, "META-001") == "pass"


def test_ar_port_forward_without_nat_enable_translates_nothing(tmp_path: Path) -> None:
    result = run_ar_edge(tmp_path, FORWARD, enable="")
    assert verdict(result, "ZONE-005") == "pass"
    assert verdict(result, "META-001") == "pass"
