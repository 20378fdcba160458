"""Hand-built networks with endpoints worked out by hand.

Each scenario is checked three ways — the symbolic engine, the package's concrete
tracer and the test oracle — against the same expected endpoints, which also keeps the
oracle honest on cases a reader can verify.

The base network (two routers, three segments):

    LAN A 10.0.1.0/24 ── Gi0/0 R1 Gi0/1 ── 10.0.12.0/30 ── Gi0/0 R2 Gi0/1 ── LAN C 10.0.3.0/24
"""

from __future__ import annotations

import oracle
import pytest

from nankoku_netcheck.graph import Network, build_network
from nankoku_netcheck.model import (
    PROTO_ICMP,
    PROTO_TCP,
    Acl,
    AclLine,
    Action,
    Device,
    Interface,
    InterfaceAddress,
    Match,
    PortRange,
    Route,
    RouteKind,
    Source,
    Topology,
    Wildcard,
    ip_to_int,
    parse_prefix,
)
from nankoku_netcheck.reach.engine import ReachEngine, Start
from nankoku_netcheck.reach.packets import Packet, PacketSpace
from nankoku_netcheck.reach.trace import Tracer
from nankoku_netcheck.report import trace_report

SOURCE = Source("unit.cfg", 1, "unit")
Endpoint = tuple[str, str, str, str]  # (kind, device, interface, segment), as in the oracle

# --- building blocks ------------------------------------------------------------------------


def port(name: str, cidr: str | None = None, *, acl_in: str | None = None, shutdown: bool = False) -> Interface:
    addresses = ()
    if cidr is not None:
        address, length = cidr.split("/")
        addresses = (InterfaceAddress(ip_to_int(address), int(length)),)
    return Interface(name=name, source=SOURCE, addresses=addresses, acl_in=acl_in, shutdown=shutdown)


def via(prefix: str, next_hop: str | None = None, *, interface: str | None = None, distance: int = 1) -> Route:
    network, length = parse_prefix(prefix)
    return Route(
        prefix=network,
        prefix_length=length,
        kind=RouteKind.STATIC,
        source=SOURCE,
        next_hop=ip_to_int(next_hop) if next_hop else None,
        interface=interface,
        distance=distance,
    )


def null0(prefix: str) -> Route:
    network, length = parse_prefix(prefix)
    return Route(
        prefix=network, prefix_length=length, kind=RouteKind.STATIC, source=SOURCE, interface="Null0", discard=True
    )


def router(name: str, *interfaces: Interface, routes: tuple[Route, ...] = (), acls: tuple[Acl, ...] = ()) -> Device:
    device = Device(name=name, vendor="cisco_ios", source_file=f"{name}.cfg", hostname=name)
    device.interfaces = {interface.name: interface for interface in interfaces}
    device.routes = list(routes)
    device.acls = {acl.name: acl for acl in acls}
    return device


def network_of(*devices: Device) -> Network:
    topology = Topology(
        path="unit.yaml",
        version=1,
        name="unit",
        policy="test",
        configs_dir=".",
        devices=(),
        links=(),
        zones=(),
        external_peers=(),
        channels=(),
        exceptions=(),
    )
    return build_network(topology, {device.name: device for device in devices})


NO_TELNET_TO_LAN_C = Acl(
    "NO-TELNET",
    (
        AclLine(
            Action.DENY,
            (
                Match(
                    protocols=(PROTO_TCP,), dst=(Wildcard(ip_to_int("10.0.3.0"), 0xFF),), dst_ports=(PortRange(23, 23),)
                ),
            ),
            SOURCE,
        ),
        AclLine(Action.PERMIT, (Match(),), SOURCE),
    ),
    SOURCE,
)


def r1(*extra_routes: Route, uplink_shutdown: bool = False) -> Device:
    return router(
        "R1",
        port("Gi0/0", "10.0.1.1/24"),
        port("Gi0/1", "10.0.12.1/30", shutdown=uplink_shutdown),
        routes=(via("10.0.3.0/24", "10.0.12.2"), *extra_routes),
    )


def r2(acl_in: str | None = None, *, lan_shutdown: bool = False, acls: tuple[Acl, ...] = ()) -> Device:
    return router(
        "R2",
        port("Gi0/0", "10.0.12.2/30", acl_in=acl_in),
        port("Gi0/1", "10.0.3.1/24", shutdown=lan_shutdown),
        routes=(via("10.0.1.0/24", "10.0.12.1"),),
        acls=acls,
    )


def tcp(src: str, dst: str, dport: int) -> Packet:
    return Packet(ip_to_int(src), ip_to_int(dst), PROTO_TCP, sport=40000, dport=dport)


def ping(src: str, dst: str) -> Packet:
    return Packet(ip_to_int(src), ip_to_int(dst), PROTO_ICMP, icmp_type=8)


def hosts(segment: str) -> Endpoint:
    return ("hosts", "", "", segment)


def device(name: str) -> Endpoint:
    return ("device", name, "", "")


def exit_(name: str, interface: str) -> Endpoint:
    return ("exit", name, interface, "")


LAN_A = Start(segment="10.0.1.0/24")
LAN_C = Start(segment="10.0.3.0/24")


@pytest.fixture(scope="module")
def space() -> PacketSpace:
    return PacketSpace()


def assert_reaches(
    space: PacketSpace,
    network: Network,
    start: Start,
    packet: Packet,
    expected: set[Endpoint],
    boundary: tuple[tuple[str, str], ...] = (),
) -> None:
    engine = ReachEngine(network, space, boundary)
    result = engine.reach([(start, space.packet(packet))])
    by_engine = {
        (e.kind, e.device, e.interface, e.segment)
        for e, packets in result.delivered.items()
        if space.contains(packets, packet)
    }
    by_tracer = {
        (p.endpoint.kind, p.endpoint.device, p.endpoint.interface, p.endpoint.segment)
        for p in Tracer(engine).trace(start, packet)
        if p.disposition == "delivered" and p.endpoint
    }
    by_oracle = oracle.reachable_endpoints(
        network, packet, segment=start.segment, device=start.device, interface=start.interface, boundary=boundary
    )
    assert by_oracle == expected, "oracle"
    assert by_engine == expected, "engine"
    assert by_tracer == expected, "tracer"


# --- scenarios ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "packet", "expected"),
    [
        (LAN_A, tcp("10.0.1.10", "10.0.3.20", 80), {hosts("10.0.3.0/24")}),
        (LAN_A, tcp("10.0.1.10", "10.0.3.20", 23), set()),  # denied entering R2
        (LAN_A, tcp("10.0.1.10", "10.0.1.20", 23), {hosts("10.0.1.0/24")}),  # same segment: no router involved
        (LAN_A, tcp("10.0.1.10", "8.8.8.8", 443), set()),  # R1 has no route
        (LAN_C, tcp("10.0.3.20", "10.0.1.10", 23), {hosts("10.0.1.0/24")}),  # the ACL is inbound from R1 only
        (Start(device="R1", interface="Gi0/0"), tcp("10.0.1.10", "10.0.3.20", 80), {hosts("10.0.3.0/24")}),
    ],
)
def test_two_routers_three_segments_with_a_deny_acl(
    space: PacketSpace, start: Start, packet: Packet, expected: set[Endpoint]
) -> None:
    network = network_of(r1(), r2("NO-TELNET", acls=(NO_TELNET_TO_LAN_C,)))
    assert sorted(network.segments) == ["10.0.1.0/24", "10.0.12.0/30", "10.0.3.0/24"]
    assert_reaches(space, network, start, packet, expected)


def test_an_undefined_acl_permits_everything(space: PacketSpace) -> None:
    network = network_of(r1(), r2("NOT-DEFINED"))
    assert_reaches(space, network, LAN_A, tcp("10.0.1.10", "10.0.3.20", 23), {hosts("10.0.3.0/24")})


def test_an_undefined_acl_can_be_declared_to_deny(space: PacketSpace) -> None:
    strict = r2("NOT-DEFINED")
    strict.undefined_acl_permits = False
    assert_reaches(space, network_of(r1(), strict), LAN_A, tcp("10.0.1.10", "10.0.3.20", 80), set())


def test_a_shut_interface_blocks(space: PacketSpace) -> None:
    # R2's LAN port is down: no connected route, no segment, and its address is not owned.
    network = network_of(r1(), r2(lan_shutdown=True))
    assert "10.0.3.0/24" not in network.segments
    assert_reaches(space, network, LAN_A, tcp("10.0.1.10", "10.0.3.20", 80), set())
    assert_reaches(space, network, LAN_A, ping("10.0.1.10", "10.0.3.1"), set())
    # R1's uplink is down: nothing leaves LAN A, not even to R2's transit address.
    network = network_of(r1(uplink_shutdown=True), r2())
    assert_reaches(space, network, LAN_A, ping("10.0.1.10", "10.0.12.2"), set())


def test_null0_drops_only_its_prefix(space: PacketSpace) -> None:
    network = network_of(r1(null0("10.0.3.128/25")), r2())
    assert_reaches(space, network, LAN_A, tcp("10.0.1.10", "10.0.3.200", 80), set())
    assert_reaches(space, network, LAN_A, tcp("10.0.1.10", "10.0.3.20", 80), {hosts("10.0.3.0/24")})


def ecmp_network(backup_distance: int) -> Network:
    """R1 has two default routes, via R2 and via R3; each sends 0/0 to an ISP router that
    is not modelled (nobody owns its address), so packets exit there."""
    edge = router(
        "R1",
        port("Gi0/0", "10.0.1.1/24"),
        port("Gi0/1", "10.0.12.1/30"),
        port("Gi0/2", "10.0.13.1/30"),
        routes=(via("0.0.0.0/0", "10.0.12.2"), via("0.0.0.0/0", "10.0.13.2", distance=backup_distance)),
    )
    isp_a = router(
        "R2",
        port("Gi0/0", "10.0.12.2/30"),
        port("Gi0/1", "198.51.100.1/30"),
        routes=(via("0.0.0.0/0", "198.51.100.2"),),
    )
    isp_b = router(
        "R3",
        port("Gi0/0", "10.0.13.2/30"),
        port("Gi0/1", "198.51.100.5/30"),
        routes=(via("0.0.0.0/0", "198.51.100.6"),),
    )
    return network_of(edge, isp_a, isp_b)


def test_equal_cost_routes_reach_both_exits(space: PacketSpace) -> None:
    assert_reaches(
        space,
        ecmp_network(backup_distance=1),
        LAN_A,
        tcp("10.0.1.10", "8.8.8.8", 443),
        {exit_("R2", "Gi0/1"), exit_("R3", "Gi0/1")},
    )


def test_a_floating_static_route_is_not_used(space: PacketSpace) -> None:
    assert_reaches(
        space, ecmp_network(backup_distance=5), LAN_A, tcp("10.0.1.10", "8.8.8.8", 443), {exit_("R2", "Gi0/1")}
    )


def test_a_boundary_interface_ends_the_network(space: PacketSpace) -> None:
    # Declared boundary: the packet exits at R1 even though R2 is modelled behind it.
    assert_reaches(
        space,
        network_of(r1(), r2()),
        LAN_A,
        tcp("10.0.1.10", "10.0.3.20", 80),
        {exit_("R1", "Gi0/1")},
        boundary=(("R1", "Gi0/1"),),
    )


def test_packets_to_a_router_address_are_delivered_to_the_router(space: PacketSpace) -> None:
    network = network_of(r1(), r2())
    assert_reaches(space, network, LAN_A, ping("10.0.1.10", "10.0.3.1"), {device("R2")})
    assert_reaches(space, network, LAN_A, ping("10.0.1.10", "10.0.12.1"), {device("R1")})
    assert_reaches(space, network, LAN_A, ping("10.0.1.10", "10.0.1.1"), {device("R1")})


def test_a_routing_loop_terminates(space: PacketSpace) -> None:
    network = network_of(
        r1(via("0.0.0.0/0", "10.0.12.2")),
        router("R2", port("Gi0/0", "10.0.12.2/30"), routes=(via("0.0.0.0/0", "10.0.12.1"),)),
    )
    packet = tcp("10.0.1.10", "8.8.8.8", 443)
    assert_reaches(space, network, LAN_A, packet, set())
    paths = Tracer(ReachEngine(network, space)).trace(LAN_A, packet)
    assert [path.disposition for path in paths] == ["loop"]


# --- next hops resolve through installed routes only ------------------------------------------


def recursion_network(unusable_route: Route, fallback: Route) -> Network:
    """R1 reaches 10.0.5.0/24 via 10.0.6.1. The most specific route to 10.0.6.1 cannot be
    installed, so 10.0.6.1 resolves through `fallback`, towards R2, whose LAN is 10.0.5.0/24."""
    edge = router(
        "R1",
        port("Gi0/0", "10.0.1.1/24"),
        port("Gi0/1", "10.0.12.1/30"),
        port("Gi0/2", "10.0.2.1/24", shutdown=True),
        routes=(unusable_route, via("10.0.5.0/24", "10.0.6.1"), fallback),
    )
    far = router("R2", port("Gi0/0", "10.0.12.2/30"), port("Gi0/1", "10.0.5.1/24"))
    return network_of(edge, far)


@pytest.mark.parametrize(
    ("unusable_route", "fallback"),
    [
        (via("10.0.6.0/24", interface="Gi0/2"), via("10.0.4.0/22", "10.0.12.2")),  # exit interface is shut
        (via("10.0.6.0/24", "172.16.0.1"), via("10.0.6.0/23", "10.0.12.2")),  # its own next hop resolves nowhere
    ],
)
def test_next_hops_resolve_through_installed_routes_only(
    space: PacketSpace, unusable_route: Route, fallback: Route
) -> None:
    assert_reaches(
        space,
        recursion_network(unusable_route, fallback),
        LAN_A,
        tcp("10.0.1.10", "10.0.5.9", 80),
        {hosts("10.0.5.0/24")},
    )


def test_an_acl_with_no_entries_permits_everything(space: PacketSpace) -> None:
    empty = Acl(name="EMPTY", lines=(), source=Source("r2.cfg", 9, "ip access-list extended EMPTY"))
    network = network_of(r1(), r2("EMPTY", acls=(empty,)))
    assert_reaches(space, network, LAN_A, tcp("10.0.1.10", "10.0.3.20", 23), {hosts("10.0.3.0/24")})


def test_a_trace_through_an_acl_with_no_entries_says_why_it_passed(space: PacketSpace) -> None:
    empty = Acl(name="EMPTY", lines=(), source=Source("r2.cfg", 9, "ip access-list extended EMPTY"))
    engine = ReachEngine(network_of(r1(), r2("EMPTY", acls=(empty,))), space)
    paths = Tracer(engine).trace(LAN_A, tcp("10.0.1.10", "10.0.3.20", 23))
    decisions = [hop.ingress for path in paths for hop in path.hops if hop.ingress.acl_name == "EMPTY"]
    assert decisions and all(d.permitted and d.empty and d.line is None for d in decisions)
    assert trace_report._decision(decisions[0]) == {
        "acl": "EMPTY",
        "permitted": True,
        "note": "no entries (permits everything)",
    }
