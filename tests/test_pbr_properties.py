"""Policy routing (`Interface.policy_route`, `Device.policy_routes`): the symbolic engine and
the concrete tracer agree with the plain oracle on networks of IOS routers whose interfaces
carry random route-maps (sequences out of order, permit and deny entries, ACL matches with
undefined ACLs, next-hop lists with unusable addresses, verify-availability, set interface,
Null0, default next hops and interfaces), also with VRFs; and hand-made cases with the tracer's path naming the
route-map entry that chose the hop.

CI runs a fixed, reproducible set of examples (derandomized, no example database).
Set NANKOKU_EXPLORE=1 to search fresh random examples, ten times as many, when hunting bugs.
"""

from __future__ import annotations

from dataclasses import replace

import pytest
import strategies as gen
from engine_checks import NetworkRuns, check_network, check_tracer
from hypothesis import given
from hypothesis import strategies as st

from nankoku_netcheck.graph import build_network
from nankoku_netcheck.model import (
    Acl,
    AclLine,
    Action,
    Device,
    Interface,
    InterfaceAddress,
    Match,
    PolicyRoute,
    PolicyRouteEntry,
    Route,
    RouteKind,
    Source,
    Wildcard,
    ip_to_int,
)
from nankoku_netcheck.reach.engine import ReachEngine, Start
from nankoku_netcheck.reach.packets import Packet, PacketSpace
from nankoku_netcheck.reach.trace import Tracer

examples = gen.examples
MAP_SOURCE = Source("random.cfg", 2, "route-map PBR permit 10")
SEQUENCES = (5, 10, 20, 30)


@pytest.fixture(scope="module")
def space() -> PacketSpace:
    pytest.importorskip("dd.cudd", reason="dd was installed without its CUDD extension")
    return PacketSpace("cudd")


@st.composite
def entries(
    draw: st.DrawFn, sequence: int, interfaces: list[str], next_hops: st.SearchStrategy[int]
) -> PolicyRouteEntry:
    exits = st.sampled_from((*interfaces, "Serial9"))
    match_acls = (
        None
        if gen.sometimes(draw, 40)
        else tuple(draw(st.lists(st.sampled_from(("A", "P1", "NOPE")), min_size=1, max_size=2, unique=True)))
    )
    return PolicyRouteEntry(
        sequence=sequence,
        permit=not gen.sometimes(draw, 20),
        source=replace(MAP_SOURCE, text=f"route-map PBR permit {sequence}"),
        match_acls=match_acls,
        next_hops=tuple(draw(st.lists(next_hops, max_size=2))),
        default_next_hops=tuple(draw(st.lists(next_hops, max_size=1))),
        interfaces=tuple(draw(st.lists(exits, max_size=1))),
        default_interfaces=tuple(draw(st.lists(exits, max_size=1))),
        verify=gen.sometimes(draw, 15),
    )


@st.composite
def with_policy_routes(draw: st.DrawFn, device: Device, next_hops: st.SearchStrategy[int]) -> None:
    """Gives `device` a route-map PBR of one to three entries, on some of its interfaces (or
    an undefined one, MISSING), and the ACLs its matches name (but NOPE)."""
    if gen.sometimes(draw, 30):
        device.interfaces["Null0"] = Interface("Null0", gen.SOURCE, kind="null")
    names = sorted(device.interfaces)
    sequences = draw(st.permutations(SEQUENCES))[: draw(st.integers(1, 3))]
    table = PolicyRoute("PBR", MAP_SOURCE, tuple(draw(entries(sequence, names, next_hops)) for sequence in sequences))
    device.policy_routes = {"PBR": table}
    for acl_name in ("A", "P1"):
        if acl_name not in device.acls:
            device.acls[acl_name] = draw(gen.network_acls(acl_name))
    for name in names:
        if name != "Null0" and not gen.sometimes(draw, 10):
            chosen = "PBR" if not gen.sometimes(draw, 10) else "MISSING"
            device.interfaces[name] = replace(device.interfaces[name], policy_route=chosen)


@st.composite
def pbr_networks(draw: st.DrawFn) -> gen.NetworkCase:
    """2–4 IOS routers on shared subnets (as `strategies.networks`), one or two with route-maps."""
    count = draw(st.integers(2, 4))
    by_name = {f"R{index}": draw(gen.devices(f"R{index}")) for index in range(1, count + 1)}
    configured = sorted(
        {a.address for d in by_name.values() for i in d.interfaces.values() for a in i.addresses}
        | {v for d in by_name.values() for i in d.interfaces.values() for v in i.virtual_addresses}
    )
    for index, device in enumerate(by_name.values()):
        choices = [st.sampled_from(pool) for pool in (gen.neighbour_addresses(device, by_name), configured) if pool]
        next_hops = st.one_of(*choices, gen.ANY_NEXT_HOP)
        device.routes = draw(st.lists(gen.static_routes(list(device.interfaces), next_hops), max_size=4))
        if index == 0 or gen.sometimes(draw, 30):
            # Mostly neighbours: a next hop that is usable changes where packets go.
            neighbours = gen.neighbour_addresses(device, by_name)
            usable = st.sampled_from(neighbours) if neighbours else next_hops
            draw(with_policy_routes(device, st.one_of(usable, usable, next_hops)))
    return gen.network_case(by_name, draw)


@st.composite
def pbr_runs(draw: st.DrawFn) -> NetworkRuns:
    """A network with route-maps, a random run or two and three to five through R1."""
    case = draw(pbr_networks())
    runs = draw(st.lists(st.tuples(st.sampled_from(case.starts), gen.packets(case.addresses)), min_size=1, max_size=2))
    for _ in range(draw(st.integers(3, 5))):
        runs.append(draw(gen.crossing_packets(case, "R1")))
    return case, runs


TABLES = st.sampled_from(("", "", "A"))


@st.composite
def pbr_vrf_runs(draw: st.DrawFn) -> NetworkRuns:
    """`pbr_runs` with the interfaces and routes spread over the global table and VRF A:
    next hops and explicit routes are looked up in the arrival interface's table."""
    case, runs = draw(pbr_runs())
    for device in case.network.devices.values():
        device.interfaces = {name: replace(i, vrf=draw(TABLES)) for name, i in device.interfaces.items()}
        device.routes = [replace(route, vrf=draw(TABLES)) for route in device.routes]
    return case, runs


@examples(150)
@given(pbr_runs())
def test_engine_reach_agrees_with_oracle_with_policy_routing(space: PacketSpace, case_and_runs: NetworkRuns) -> None:
    check_network(space, *case_and_runs)


@examples(100)
@given(pbr_runs())
def test_tracer_agrees_with_oracle_with_policy_routing(space: PacketSpace, case_and_runs: NetworkRuns) -> None:
    check_tracer(space, *case_and_runs)


@examples(80)
@given(pbr_vrf_runs())
def test_engine_and_tracer_agree_with_oracle_with_policy_routing_in_vrfs(
    space: PacketSpace, case_and_runs: NetworkRuns
) -> None:
    check_network(space, *case_and_runs)
    check_tracer(space, *case_and_runs)


# --- hand-made cases ----------------------------------------------------------------------------
#
# R1: Gi0/0 10.0.0.1/24 (hosts, ip policy route-map PBR), Gi0/1 10.0.1.1/24 towards R2
# (10.0.1.2), Gi0/2 10.0.2.1/24 towards R3 (10.0.2.3). R1's only route: 10.9.0.0/16 via R2.
# R2 and R3 each have a boundary interface, so where a packet leaves tells which way it went.

S = Source("R1.cfg", 1, "x")


def ip(text: str) -> int:
    return ip_to_int(text)


def acl(name: str, *sources: str) -> Acl:
    lines = tuple(
        AclLine(Action.PERMIT, (Match(src=(Wildcard.prefix(ip(text), 24),)),), Source("R1.cfg", 50 + n, f"permit {n}"))
        for n, text in enumerate(sources)
    )
    return Acl(name, lines, Source("R1.cfg", 49, f"ip access-list extended {name}"))


def router(name: str, addresses: dict[str, str], routes: list[Route] | None = None) -> Device:
    device = Device(name=name, vendor="cisco_ios", source_file=f"{name}.cfg", hostname=name)
    for if_name, text in addresses.items():
        device.interfaces[if_name] = Interface(
            if_name, Source(f"{name}.cfg", 1, f"interface {if_name}"), (InterfaceAddress(ip(text), 24),)
        )
    device.routes = routes or []
    return device


def entry(sequence: int, line: int, **fields: object) -> PolicyRouteEntry:
    source = Source("R1.cfg", line, f"route-map PBR permit {sequence}")
    set_source = Source("R1.cfg", line + 2, "set ...")
    kinds = (("next_hops", "next-hop"), ("interfaces", "interface"), ("default_next_hops", "default next-hop"))
    sources = tuple((kind, set_source) for key, kind in kinds if fields.get(key))
    return PolicyRouteEntry(sequence=sequence, permit=True, source=source, set_sources=sources, **fields)  # type: ignore[arg-type]


def network_with(
    *table: PolicyRouteEntry, acls: tuple[Acl, ...] = (), policy: str = "PBR"
) -> tuple[ReachEngine, Tracer]:
    r1 = router(
        "R1",
        {"Gi0/0": "10.0.0.1", "Gi0/1": "10.0.1.1", "Gi0/2": "10.0.2.1"},
        [
            Route(
                ip("10.9.0.0"),
                16,
                RouteKind.STATIC,
                Source("R1.cfg", 90, "ip route 10.9.0.0 ..."),
                next_hop=ip("10.0.1.2"),
            )
        ],
    )
    r1.interfaces["Gi0/0"] = replace(r1.interfaces["Gi0/0"], policy_route=policy)
    r1.policy_routes = {"PBR": PolicyRoute("PBR", Source("R1.cfg", 10, "route-map PBR permit 10"), table)}
    r1.acls = {a.name: a for a in acls}
    r2 = router("R2", {"Gi0/0": "10.0.1.2", "Gi0/1": "10.0.7.2"}, [Route(0, 0, RouteKind.STATIC, S, interface="Gi0/1")])
    r3 = router("R3", {"Gi0/0": "10.0.2.3", "Gi0/1": "10.0.8.3"}, [Route(0, 0, RouteKind.STATIC, S, interface="Gi0/1")])
    network = build_network(gen.empty_topology(), {"R1": r1, "R2": r2, "R3": r3})
    space = PacketSpace("cudd")
    engine = ReachEngine(network, space, {("R2", "Gi0/1"), ("R3", "Gi0/1")})
    return engine, Tracer(engine)


def exits(engine: ReachEngine, packet: Packet) -> set[str]:
    start = Start(device="R1", interface="Gi0/0")
    result = engine.reach([(start, engine.space.packet(packet))])
    return {
        e.device for e in result.delivered if e.kind == "exit" and engine.space.contains(result.delivered[e], packet)
    }


TO_NINE = Packet(src=ip("10.0.0.5"), dst=ip("10.9.1.1"), proto=6, sport=1000, dport=443)
TO_ELSEWHERE = Packet(src=ip("10.0.0.5"), dst=ip("192.0.2.9"), proto=6, sport=1000, dport=443)


def test_next_hop_overrides_the_routing_table_and_the_path_names_the_entry(space: PacketSpace) -> None:
    engine, tracer = network_with(
        entry(10, 20, match_acls=("HOSTS",), next_hops=(ip("10.0.2.3"),)), acls=(acl("HOSTS", "10.0.0.0"),)
    )
    assert exits(engine, TO_NINE) == {"R3"}
    paths = tracer.trace(Start(device="R1", interface="Gi0/0"), TO_NINE)
    [path] = [p for p in paths if p.disposition == "delivered"]
    first = path.hops[0].next_hop
    assert first is not None
    assert first.route.describe() == "policy route-map PBR permit 10: via 10.0.2.3 dev Gi0/2"
    assert (first.route.source.file, first.route.source.line) == ("R1.cfg", 22)


def test_unusable_next_hop_falls_to_the_next_one_then_to_normal_routing(space: PacketSpace) -> None:
    engine, _ = network_with(entry(10, 20, next_hops=(ip("10.0.5.9"), ip("10.0.2.3"))))
    assert exits(engine, TO_NINE) == {"R3"}
    engine, _ = network_with(entry(10, 20, next_hops=(ip("10.0.5.9"),)))
    assert exits(engine, TO_NINE) == {"R2"}


def test_no_matching_entry_and_deny_entries_route_normally(space: PacketSpace) -> None:
    hosts = acl("OTHER", "10.0.3.0")
    engine, _ = network_with(entry(10, 20, match_acls=("OTHER",), next_hops=(ip("10.0.2.3"),)), acls=(hosts,))
    assert exits(engine, TO_NINE) == {"R2"}
    deny = replace(entry(5, 20), permit=False)
    engine, _ = network_with(entry(10, 30, next_hops=(ip("10.0.2.3"),)), deny)
    assert exits(engine, TO_NINE) == {"R2"}


def test_default_next_hop_applies_only_without_an_explicit_route(space: PacketSpace) -> None:
    engine, _ = network_with(entry(10, 20, default_next_hops=(ip("10.0.2.3"),)))
    assert exits(engine, TO_NINE) == {"R2"}
    assert exits(engine, TO_ELSEWHERE) == {"R3"}


def test_undefined_acl_may_match_or_not_and_undefined_map_routes_normally(space: PacketSpace) -> None:
    engine, _ = network_with(entry(10, 20, match_acls=("NOPE",), next_hops=(ip("10.0.2.3"),)))
    assert exits(engine, TO_NINE) == {"R2", "R3"}
    engine, _ = network_with(entry(10, 20, next_hops=(ip("10.0.2.3"),)), policy="MISSING")
    assert exits(engine, TO_NINE) == {"R2"}


def test_set_interface_and_verify_availability(space: PacketSpace) -> None:
    engine, _ = network_with(entry(10, 20, interfaces=("Gi0/2",)))
    # Off the subnet of Gi0/2: whoever answers ARP gets it (R3, or a neighbour not modelled).
    assert exits(engine, TO_NINE) == {"R1", "R3"}
    engine, _ = network_with(entry(10, 20, next_hops=(ip("10.0.2.3"),), verify=True))
    assert exits(engine, TO_NINE) == {"R2", "R3"}
