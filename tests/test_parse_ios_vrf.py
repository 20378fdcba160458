"""The IOS parser's VRF-lite: VRF blocks, interfaces in VRFs, per-VRF static routes and leaks,
and routing processes per VRF."""

from __future__ import annotations

from nankoku_netcheck.model import Device, DynamicRouting, Route, RouteKind, Source, UnknownKind, ip_to_int
from nankoku_netcheck.vendors.cisco_ios.parser import parse

PATH = "configs/core1.cfg"

CORE = (
    "hostname core1",
    "vrf definition LGWAN",
    " rd 65000:1",
    " route-target both 65000:1",
    " address-family ipv4",
    " exit-address-family",
    "ip vrf INET",
    " rd 65000:2",
    " description internet zone",
    "interface Vlan10",
    " vrf forwarding LGWAN",
    " ip address 10.1.0.1 255.255.255.0",
    "interface Vlan20",
    " ip vrf forwarding INET",
    " ip address 10.2.0.1 255.255.255.0",
    "interface GigabitEthernet0/1",
    " ip address 192.0.2.1 255.255.255.0",
    "router ospf 1 vrf LGWAN",
    " network 10.1.0.0 0.0.0.255 area 0",
    "router ospf 2",
    " network 0.0.0.0 255.255.255.255 area 0",
    "ip route vrf INET 0.0.0.0 0.0.0.0 192.0.2.254 global name to-isp",
    "ip route vrf LGWAN 10.9.0.0 255.255.0.0 10.1.0.254 250 tag 5 permanent",
    "ip route vrf LGWAN 10.8.0.0 255.255.0.0 GigabitEthernet0/1 192.0.2.9",
    "ip route 10.2.0.0 255.255.255.0 Vlan20",
    "arp vrf INET 10.2.0.5 0000.1111.2222 ARPA",
)


def parse_lines(*lines: str) -> Device:
    return parse("\n".join(lines) + "\n", PATH)


def source(line: int) -> Source:
    return Source(PATH, line, CORE[line - 1])


def test_interfaces_take_their_vrf() -> None:
    device = parse_lines(*CORE)
    assert {name: i.vrf for name, i in device.interfaces.items()} == {
        "Vlan10": "LGWAN",
        "Vlan20": "INET",
        "GigabitEthernet0/1": "",
    }


def test_static_routes_per_vrf_and_leaks() -> None:
    device = parse_lines(*CORE)
    assert device.routes == [
        Route(ip_to_int("0.0.0.0"), 0, RouteKind.STATIC, source(22), next_hop=ip_to_int("192.0.2.254"), vrf="INET",
              next_hop_vrf=""),
        Route(ip_to_int("10.9.0.0"), 16, RouteKind.STATIC, source(23), next_hop=ip_to_int("10.1.0.254"), distance=250,
              vrf="LGWAN"),
        Route(ip_to_int("10.8.0.0"), 16, RouteKind.STATIC, source(24), next_hop=ip_to_int("192.0.2.9"),
              interface="GigabitEthernet0/1", vrf="LGWAN"),
        Route(ip_to_int("10.2.0.0"), 24, RouteKind.STATIC, source(25), interface="Vlan20"),
    ]  # fmt: skip
    assert device.routes[0].describe() == "vrf INET 0.0.0.0/0 via 192.0.2.254 (in the global table)"


def test_routing_processes_run_in_their_table_only() -> None:
    device = parse_lines(*CORE)
    assert device.dynamic_routing == [
        DynamicRouting("ospf", "1", ("Vlan10",), source(18), vrf="LGWAN"),
        # `network 0.0.0.0 255.255.255.255` covers every address, yet only the global table's interfaces.
        DynamicRouting("ospf", "2", ("GigabitEthernet0/1",), source(20)),
    ]


def test_address_family_vrf_sections_are_processes_of_their_vrf() -> None:
    device = parse_lines(
        "interface Vlan20",
        " vrf forwarding INET",
        " ip address 10.2.0.1 255.255.255.0",
        "interface Gi0/1",
        " ip address 192.0.2.1 255.255.255.0",
        "router bgp 65000",
        " neighbor 192.0.2.2 remote-as 65001",
        " address-family ipv4 vrf INET",
        "  neighbor 10.2.0.2 remote-as 65002",
        " exit-address-family",
    )
    assert [(p.protocol, p.interfaces, p.vrf, p.source.line) for p in device.dynamic_routing] == [
        ("bgp", ("GigabitEthernet0/1",), "", 6),
        ("bgp", ("Vlan20",), "INET", 8),
    ]
    assert device.forwarding_unknowns == []


def test_vrf_blocks_are_understood_and_route_targets_inert_without_bgp() -> None:
    device = parse_lines(*CORE)
    assert device.forwarding_unknowns == []
    reasons = {u.source.line: u.reason for u in device.unknown_lines}
    assert reasons[4] == "route-target without BGP on the device: no routes are imported or exported"
    assert reasons[3].startswith("route distinguisher")
    assert len(device.static_arp) == 1 and device.static_arp[0].address == ip_to_int("10.2.0.5")


def test_route_targets_with_bgp_stay_inconclusive() -> None:
    device = parse_lines(*CORE, "router bgp 65000", " neighbor 192.0.2.2 remote-as 65001")
    assert [(u.source.line, u.kind) for u in device.forwarding_unknowns] == [(4, UnknownKind.FORWARDING)]
    assert "inter-VRF route leaking" in device.forwarding_unknowns[0].reason


def test_a_quoted_route_name_may_hold_spaces() -> None:
    device = parse_lines('ip route vrf management 0.0.0.0 0.0.0.0 1.2.3.4 name "mgmt vrf default route" 5')
    assert device.forwarding_unknowns == []
    assert [(r.vrf, r.next_hop, r.distance) for r in device.routes] == [("management", ip_to_int("1.2.3.4"), 5)]
