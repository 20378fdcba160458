"""The forwarding tables and their regions built the faster way (issue #20) are the ones the
former code built, kept below as the oracle: `build_fib` resolving each recursive next hop
once per table (`_Tables.exits`) and skipping the choice for a prefix with one route, and
`ReachEngine.fib_regions` taking from an entry only the longer prefixes within it
(`nested_within`) instead of every longer prefix. Compared on a synthetic city (the
benchmark's shape, scaled down), on generated networks with VRFs and leaks, and on generated
tables with nested, repeated and unaligned prefixes."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
import strategies as gen
from hypothesis import given
from hypothesis import strategies as st

from nankoku_netcheck.analyze import load
from nankoku_netcheck.graph import Network, build_network, is_up
from nankoku_netcheck.model import Device, Route, RouteKind, Source, ip_to_int
from nankoku_netcheck.reach.engine import ReachEngine
from nankoku_netcheck.reach.fib import (
    Fib,
    FibEntry,
    NextHop,
    _dynamic_hops,
    _hop_order,
    _recursive_exits,
    _resolves_in,
    _Tables,
    build_fib,
    nested_within,
)
from nankoku_netcheck.reach.packets import PacketSet, PacketSpace
from nankoku_netcheck.synth import CitySpec, generate

# --- the former code ------------------------------------------------------------------------


def former_build_fib(network: Network, device_name: str, vrf: str = "") -> Fib:
    device = network.devices[device_name]
    tables = _Tables(device)
    connected = tables.connected(vrf)
    candidates: dict[tuple[int, int], list[tuple[int, NextHop]]] = {}
    for route in connected:
        candidates.setdefault((route.prefix, route.prefix_length), []).append(
            (0, NextHop(route=route, interface=route.interface or ""))
        )
    unresolved: list[Route] = []
    for route in device.routes:
        if route.vrf != vrf:
            continue
        exit_interface = device.interfaces.get(route.interface or "")
        if exit_interface is not None and exit_interface.management_only:
            continue
        resolved = former_resolve_static(device, route, tables)
        if resolved is None:
            unresolved.append(route)
            continue
        for hop in resolved:
            candidates.setdefault((route.prefix, route.prefix_length), []).append((route.distance, hop))
    entries = []
    for (network_address, length), options in candidates.items():
        best = min(distance for distance, _ in options)
        hops = tuple(sorted({hop for distance, hop in options if distance == best}, key=_hop_order))
        entries.append(FibEntry(network_address, length, hops))
    entries.sort(key=lambda entry: (-entry.length, entry.network))
    return Fib(device_name, tuple(entries), _dynamic_hops(network, device, vrf), tuple(unresolved))


def former_resolve_static(device: Device, route: Route, routes: _Tables) -> list[NextHop] | None:
    if route.discard:
        return [NextHop(route=route, discard=True)]
    if route.interface and route.next_hop is None:
        interface = device.interfaces.get(route.interface)
        if interface is None or not is_up(interface):
            return None
        return [NextHop(route=route, interface=route.interface)]
    if route.next_hop is None:
        return None
    if route.interface:
        interface = device.interfaces.get(route.interface)
        if interface is None or not is_up(interface):
            return None
        return [NextHop(route=route, interface=route.interface, address=route.next_hop)]
    exits = _recursive_exits(device, route.next_hop, routes.index(_resolves_in(route)), depth=0, seen=set())
    if not exits:
        return None
    return [NextHop(route=route, interface=interface, address=address) for interface, address in exits]


def former_fib_regions(space: PacketSpace, fib: Fib) -> list[tuple[PacketSet, tuple[NextHop, ...]]]:
    covered = space.false
    regions = []
    for entry in fib.entries:
        prefix = space.field_prefix("dst", entry.network, entry.length)
        region = prefix & ~covered
        covered |= prefix
        if region != space.false:
            regions.append((region, entry.next_hops))
    return regions


# --- comparisons ----------------------------------------------------------------------------


def tables_of(device: Device) -> list[str]:
    return sorted({""} | {i.vrf for i in device.interfaces.values()} | {r.vrf for r in device.routes})


def assert_same_tables(network: Network, space: PacketSpace) -> int:
    """Every table of every device: the same Fib, and the same regions; returns how many
    entries had a longer prefix within them (that the comparison met such entries)."""
    engine = ReachEngine(network, space)
    nested = 0
    for device_name in sorted(network.devices):
        for vrf in tables_of(network.devices[device_name]):
            fib = build_fib(network, device_name, vrf)
            assert fib == former_build_fib(network, device_name, vrf)
            assert engine.fibs.of(device_name, vrf) == fib
            assert engine.fib_regions(device_name, vrf) == former_fib_regions(space, fib)
            nested += sum(1 for within in nested_within(fib.entries) if within)
    return nested


@pytest.fixture(scope="module")
def space() -> PacketSpace:
    return PacketSpace()


def test_a_synthetic_citys_tables_and_regions_are_the_former_ones(space: PacketSpace, tmp_path: Path) -> None:
    network = load(str(generate(CitySpec(devices=24, acl_lines=400, seed=3), tmp_path))).network
    recursive = [
        route
        for device in network.devices.values()
        for route in device.routes
        if route.next_hop is not None and not route.interface
    ]
    assert len(recursive) > len({(route.vrf, route.next_hop) for route in recursive}), "next hops shared"
    assert assert_same_tables(network, space) > 0


TABLES = st.sampled_from(("", "", "A", "B"))
NEXT_HOP_TABLES = st.sampled_from((None, None, None, "", "A", "B"))


@st.composite
def vrf_networks(draw: st.DrawFn) -> Network:
    """As tests/test_vrf_properties.py: routers spread over the global table and VRFs A and B,
    some next hops resolving in another table."""
    network = draw(gen.networks()).network
    for device in network.devices.values():
        device.interfaces = {name: replace(i, vrf=draw(TABLES)) for name, i in device.interfaces.items()}
        device.routes = [
            replace(
                route,
                vrf=draw(TABLES),
                next_hop_vrf=draw(NEXT_HOP_TABLES) if route.next_hop is not None else None,
            )
            for route in device.routes
        ]
    return network


@gen.examples(80)
@given(network=st.one_of(gen.networks().map(lambda case: case.network), vrf_networks()))
def test_generated_networks_tables_and_regions_are_the_former_ones(space: PacketSpace, network: Network) -> None:
    assert_same_tables(network, space)


ADDRESSES = tuple(ip_to_int(a) for a in ("10.0.0.0", "10.0.0.1", "10.0.0.128", "10.0.1.0", "10.1.0.0", "0.0.0.0"))


@st.composite
def tables(draw: st.DrawFn) -> Fib:
    """A table sorted as build_fib sorts it, with prefixes nested in others, the same prefix
    twice (an unaligned network: host bits set) and prefixes sharing nothing."""
    source = Source("t.cfg", 1, "")
    keys = draw(st.lists(st.tuples(st.sampled_from(ADDRESSES), st.sampled_from((0, 8, 16, 24, 25, 32))), unique=True))
    entries = []
    for number, (network_address, length) in enumerate(keys):
        route = Route(prefix=network_address, prefix_length=length, kind=RouteKind.STATIC, source=source)
        entries.append(FibEntry(network_address, length, (NextHop(route=route, interface=f"Gi0/{number}"),)))
    entries.sort(key=lambda entry: (-entry.length, entry.network))
    return Fib("R1", tuple(entries), (), ())


@gen.examples(200)
@given(fib=tables())
def test_generated_tables_regions_are_the_former_ones(space: PacketSpace, fib: Fib) -> None:
    network = build_network(gen.empty_topology(), {})
    engine = ReachEngine(network, space)
    engine.fibs._built["R1"] = fib
    assert engine.fib_regions("R1") == former_fib_regions(space, fib)


def test_nested_within_names_the_longer_prefixes_inside_and_a_repeated_one() -> None:
    route = Route(prefix=0, prefix_length=0, kind=RouteKind.STATIC, source=Source("t.cfg", 1, ""))
    hop = (NextHop(route=route, interface="Gi0/0"),)
    host, aligned, unaligned, other, default = (
        FibEntry(ip_to_int("10.0.0.1"), 32, hop),
        FibEntry(ip_to_int("10.0.0.0"), 24, hop),
        FibEntry(ip_to_int("10.0.0.9"), 24, hop),
        FibEntry(ip_to_int("10.0.1.0"), 24, hop),
        FibEntry(0, 0, hop),
    )
    entries = (host, aligned, unaligned, other, default)
    assert nested_within(entries) == [(), (host,), (host, aligned), (), (host, aligned, unaligned, other)]
