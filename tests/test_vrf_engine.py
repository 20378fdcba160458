"""VRF-lite in the engine, the tracer and the oracle, on small parsed IOS configs: each table
routes its own packets, addresses of another VRF are not the device's for them, and static
leaks (an exit interface in another VRF, `global`) join tables."""

from __future__ import annotations

import oracle
from handbuilt import context

from nankoku_netcheck.model import ip_to_int
from nankoku_netcheck.reach.engine import Endpoint, Start
from nankoku_netcheck.reach.packets import Packet
from nankoku_netcheck.rules.acl import check_rt_001
from nankoku_netcheck.rules.flows import FlowContext
from nankoku_netcheck.vendors.cisco_ios.parser import parse

R1 = """hostname r1
vrf definition A
 address-family ipv4
vrf definition B
 address-family ipv4
interface GigabitEthernet0/2
 vrf forwarding A
 ip address 10.10.0.1 255.255.255.0
interface GigabitEthernet0/3
 vrf forwarding B
 ip address 10.20.0.1 255.255.255.0
interface GigabitEthernet0/1
 ip address 192.0.2.1 255.255.255.252
ip route 0.0.0.0 0.0.0.0 192.0.2.2
"""
R2 = """hostname r2
interface GigabitEthernet0/1
 ip address 192.0.2.2 255.255.255.252
interface GigabitEthernet0/2
 ip address 198.51.100.1 255.255.255.0
"""


def network(*extra_r1_lines: str) -> FlowContext:
    r1 = parse(R1 + "".join(line + "\n" for line in extra_r1_lines), "r1.conf")
    return context([r1, parse(R2, "r2.conf")])


def endpoints(ctx: FlowContext, src: str, dst: str) -> set[tuple[str, str, str, str]]:
    """Where a TCP packet from the hosts of `src`'s segment ends up: engine, tracer and oracle agree."""
    packet = Packet(src=ip_to_int(src), dst=ip_to_int(dst), proto=6, sport=40000, dport=443)
    segment = next(s.id for s in ctx.network.segments.values() if s.contains(packet.src))
    start = Start(segment=segment)
    space = ctx.space
    reached = ctx.engine.reach([(start, space.packet(packet))]).delivered
    found = {(e.kind, e.device, e.interface, e.segment) for e, p in reached.items() if space.contains(p, packet)}
    traced = {path.endpoint for path in ctx.tracer.trace(start, packet) if path.disposition == "delivered"}
    assert {(e.kind, e.device, e.interface, e.segment) for e in traced if isinstance(e, Endpoint)} == found
    assert oracle.reachable_endpoints(ctx.network, packet, segment=segment, boundary=ctx.engine.boundary) == found
    return found


def hosts(ctx: FlowContext, device: str, interface: str) -> tuple[str, str, str, str]:
    return ("hosts", "", "", ctx.network.segment_of[(device, interface)])


def test_vrfs_without_a_leak_reach_nothing_beyond_their_own_table() -> None:
    ctx = network()
    assert endpoints(ctx, "10.10.0.9", "10.20.0.9") == set()  # no route in A to B's subnet
    assert endpoints(ctx, "10.10.0.9", "198.51.100.9") == set()  # the default route is the global table's
    assert endpoints(ctx, "10.10.0.9", "10.10.0.1") == {("device", "r1", "", "")}


def test_an_address_of_another_vrf_is_routed_not_received() -> None:
    # IOS routes a packet in its arrival VRF: r1's address in B is not r1's for a packet in A.
    assert endpoints(network(), "10.10.0.9", "10.20.0.1") == set()
    assert endpoints(network(), "10.20.0.9", "10.20.0.1") == {("device", "r1", "", "")}


def test_a_route_out_of_an_interface_of_another_vrf_leaks_into_it() -> None:
    ctx = network("ip route vrf A 10.20.0.0 255.255.255.0 GigabitEthernet0/3")
    assert endpoints(ctx, "10.10.0.9", "10.20.0.9") == {hosts(ctx, "r1", "GigabitEthernet0/3")}
    assert endpoints(ctx, "10.20.0.9", "10.10.0.9") == set()  # one way: B has no route back


def test_a_global_next_hop_leaks_into_the_global_table() -> None:
    ctx = network("ip route vrf A 0.0.0.0 0.0.0.0 192.0.2.2 global")
    assert endpoints(ctx, "10.10.0.9", "198.51.100.9") == {hosts(ctx, "r2", "GigabitEthernet0/2")}
    # Without `global` the next hop resolves in A, where nothing holds it: the route is not installed.
    assert endpoints(network("ip route vrf A 0.0.0.0 0.0.0.0 192.0.2.2"), "10.10.0.9", "198.51.100.9") == set()


def test_rt_001_resolves_a_next_hop_in_the_table_of_its_route() -> None:
    wrong_table = network("ip route vrf A 10.99.0.0 255.255.0.0 192.0.2.2")
    assert [f.message_en for f in check_rt_001(wrong_table)] == [
        "r1.conf:15: static route vrf A 10.99.0.0/16 via 192.0.2.2: next hop 192.0.2.2 is on no connected subnet "
        "and no other route leads to it; the route is never installed."
    ]
    assert check_rt_001(network("ip route vrf A 10.99.0.0 255.255.0.0 192.0.2.2 global")) == []
