"""Replies to dynamic NAT/PAT come from a peer the translated session was opened to: only
sources the device may route out of the rule's mapped side are translated back
(reach/nat.py `routed_out`), and any source where routing cannot bound them."""

from __future__ import annotations

from nankoku_netcheck.model import ip_to_int
from nankoku_netcheck.reach.nat import routed_out
from nankoku_netcheck.vendors import parse_config


def prefix(text: str) -> tuple[int, int]:
    address, length = text.split("/")
    return ip_to_int(address), int(length)


def router(*lines: str) -> str:
    return "\n".join(
        [
            "hostname r1",
            "interface GigabitEthernet0/0",
            " ip address 203.0.113.2 255.255.255.252",
            "interface GigabitEthernet0/1",
            " ip address 10.2.0.1 255.255.255.0",
            "interface GigabitEthernet0/2",
            " ip address 192.0.2.1 255.255.255.0",
            *lines,
            "",
        ]
    )


def outside_peers(*lines: str) -> tuple[tuple[int, int], ...] | None:
    device = parse_config(router(*lines), "r1.cfg", "cisco_ios")
    return routed_out(device, device.interfaces["GigabitEthernet0/0"])


def test_connected_subnet_and_routes_that_leave_by_the_interface() -> None:
    assert outside_peers() == (prefix("203.0.113.0/30"),)
    assert outside_peers(
        "ip route 198.51.100.0 255.255.255.0 203.0.113.1",
        "ip route 172.16.0.0 255.240.0.0 GigabitEthernet0/0",
        "ip route 10.9.0.0 255.255.0.0 192.0.2.254",  # leaves by Gi0/2
    ) == (prefix("203.0.113.0/30"), prefix("198.51.100.0/24"), prefix("172.16.0.0/12"))


def test_a_recursive_next_hop_may_leave_by_the_interface() -> None:
    assert outside_peers("ip route 198.51.100.0 255.255.255.0 100.64.0.1") == (
        prefix("203.0.113.0/30"),
        prefix("198.51.100.0/24"),
    )


def test_any_peer_with_a_default_route_dynamic_routing_or_policy_routing_out_of_it() -> None:
    assert outside_peers("ip route 0.0.0.0 0.0.0.0 203.0.113.1") is None
    assert outside_peers("router ospf 1", " network 203.0.113.0 0.0.0.3 area 0") is None
    assert (
        outside_peers(
            "interface GigabitEthernet0/1",
            " ip policy route-map PBR",
            "route-map PBR permit 10",
            " set ip next-hop 203.0.113.1",
        )
        is None
    )
