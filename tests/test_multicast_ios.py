"""IOS multicast routing (issue #17 item 6): `ip multicast-routing` with PIM or DVMRP
interfaces lets group traffic cross between them, and the zone rules see it arrive at the
hosts of the segments beyond."""

from __future__ import annotations

from pathlib import Path

from conftest import write_network

from nankoku_netcheck.analyze import analyze
from nankoku_netcheck.model import UnknownKind
from nankoku_netcheck.result import Finding, Result
from nankoku_netcheck.vendors.cisco_ios.parser import parse

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

# Only group traffic may enter from the LGWAN side, nothing from the internet side; no route
# leads anywhere but the two LANs.
ROUTER = """\
hostname r-edge
{routing}
interface GigabitEthernet0/0
 ip address 10.2.1.1 255.255.255.0
 ip access-group ONLY-GROUPS in
 {lgwan_side}
interface GigabitEthernet0/1
 ip address 10.3.1.1 255.255.255.0
 ip access-group NOTHING in
 {internet_side}
ip access-list extended ONLY-GROUPS
 permit udp any 239.0.0.0 0.255.255.255
 deny ip any any
ip access-list extended NOTHING
 deny ip any any
"""


def city(tmp_path: Path, routing: str, lgwan_side: str, internet_side: str) -> Path:
    config = ROUTER.format(routing=routing, lgwan_side=lgwan_side, internet_side=internet_side)
    return write_network(tmp_path, {"r-edge": config}, zones=ZONES)


def zone_leaks(result: Result) -> list[Finding]:
    return [f for f in result.findings if f.rule == "ZONE-005" and f.status == "violated"]


def test_multicast_routing_without_a_second_pim_interface_passes(tmp_path: Path) -> None:
    result = analyze(str(city(tmp_path, "ip multicast-routing\nip cgmp", "ip pim sparse-mode", "ip cgmp")))
    assert zone_leaks(result) == []
    assert [f for f in result.findings if f.rule == "META-001" and f.status != "pass"] == []
    assert result.verdict == "pass"


def test_pim_lines_without_multicast_routing_forward_nothing(tmp_path: Path) -> None:
    result = analyze(str(city(tmp_path, "!", "ip pim sparse-mode", "ip dvmrp unicast-routing")))
    assert zone_leaks(result) == []
    assert result.verdict == "pass"


def test_group_traffic_between_pim_interfaces_is_the_finding(tmp_path: Path) -> None:
    result = analyze(str(city(tmp_path, "ip multicast-routing", "ip pim sparse-mode", "ip pim sparse-mode")))
    leaks = zone_leaks(result)
    assert [(f.from_zone, f.to_zone) for f in leaks] == [("lgwan", "internet")]
    leak = leaks[0]
    assert leak.flow is not None
    assert (leak.flow.proto, leak.flow.dst) == ("udp", "239.0.0.10")
    assert [(s.device, s.in_interface, s.out_interface) for s in leak.path] == [
        ("r-edge", "GigabitEthernet0/0", "GigabitEthernet0/1")
    ]
    assert leak.message_en == (
        "LGWAN接続系 (lgwan) → インターネット接続系 (internet): udp 10.2.0.0/16 → 239.0.0.0/8 gets through outside "
        f"every declared sanitised channel (permitted at {tmp_path}/configs/r-edge.cfg:12)."
    )


def test_a_dvmrp_interface_counts_as_a_multicast_interface(tmp_path: Path) -> None:
    result = analyze(str(city(tmp_path, "ip multicast-routing", "ip pim dense-mode", "ip dvmrp unicast-routing")))
    assert [(f.from_zone, f.to_zone) for f in zone_leaks(result)] == [("lgwan", "internet")]


MULTICAST_CONFIG = """\
hostname m
{routing}
ip dvmrp route-limit 7000
interface GigabitEthernet0/0
 ip address 10.2.1.1 255.255.255.0
 ip pim sparse-dense-mode
 ip cgmp
interface GigabitEthernet0/1
 ip address 10.3.1.1 255.255.255.0
 ip dvmrp unicast-routing
interface GigabitEthernet0/2
 ip address 10.4.1.1 255.255.255.0
 ip pim query-interval 5
"""


def test_parser_marks_pim_and_dvmrp_interfaces_only_with_multicast_routing() -> None:
    on = parse(MULTICAST_CONFIG.format(routing="ip multicast-routing"), "m.cfg")
    assert {name: i.multicast for name, i in on.interfaces.items()} == {
        "GigabitEthernet0/0": True,
        "GigabitEthernet0/1": True,
        "GigabitEthernet0/2": False,
    }
    assert [u for u in on.unknown_lines if u.kind is UnknownKind.FORWARDING] == []
    off = parse(MULTICAST_CONFIG.format(routing="!"), "m.cfg")
    assert not any(i.multicast for i in off.interfaces.values())
    assert [u for u in off.unknown_lines if u.kind is UnknownKind.FORWARDING] == []
    in_vrf = parse(MULTICAST_CONFIG.format(routing="ip multicast-routing vrf BLUE"), "m.cfg")
    assert [(u.source.line, u.reason) for u in in_vrf.unknown_lines if u.kind is UnknownKind.FORWARDING] == [
        (2, "multicast routing is not modelled")
    ]
