"""The network graph: devices, interfaces and segments (broadcast domains), with zones
tagged on segments.

L3 adjacency is inferred from interfaces whose addresses share a subnet; the
topology's explicit `links` join two interfaces into one segment as well (an L2 port
on an access VLAN joins that VLAN's SVI). The graph knows nothing of policy: it only
says which interfaces can hand packets to each other and which zone owns an address.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cached_property
from typing import TypeAlias

import networkx as nx

from .model import Device, Interface, InterfaceRef, Topology, Zone, format_prefix, prefix_mask

# Nodes are tuples of strings: ("device", name), ("segment", id), ...
NetworkGraph: TypeAlias = "nx.MultiGraph[tuple[str, ...]]"


@dataclass(frozen=True)
class Segment:
    """A broadcast domain: the interfaces on it and the subnets configured there."""

    id: str
    subnets: tuple[tuple[int, int], ...]
    members: tuple[tuple[str, str], ...]  # (device, interface), sorted
    zone: str | None  # zone id owning the primary subnet; None = transit
    # Addresses in the subnets that no host can have: network and broadcast addresses
    # (unless `ip directed-broadcast` on a member configuring the subnet delivers both to
    # every host: the network address as the old all-zeros broadcast, an over-approximation), sorted.
    reserved: tuple[int, ...] = ()
    # Addresses of the up member interfaces (virtual ones included): the devices', not hosts'.
    device_addresses: frozenset[int] = frozenset()
    # False when no host can sit here: a loopback, or every usable address is a device's.
    holds_hosts: bool = True

    def contains(self, address: int) -> bool:
        return any(address & prefix_mask(length) == network for network, length in self.subnets)

    def is_host_address(self, address: int) -> bool:
        """Packets to `address` on this segment go to its hosts (not to a device, not dropped)."""
        return (
            self.holds_hosts
            and self.contains(address)
            and address not in self.device_addresses
            and address not in self.reserved
        )


@dataclass(frozen=True)
class ZoneTable:
    """Which zone owns an address: longest matching zone prefix."""

    entries: tuple[tuple[int, int, str], ...]  # (network, length, zone id), longest first

    @staticmethod
    def from_zones(zones: Iterable[Zone]) -> ZoneTable:
        entries = [(network, length, zone.id) for zone in zones for network, length in zone.prefixes]
        entries.sort(key=lambda entry: (-entry[1], entry[0], entry[2]))
        return ZoneTable(tuple(entries))

    def zone_of(self, address: int) -> str | None:
        """The zone of the first entry whose prefix holds `address` (entries longest first:
        the longest match), by one dictionary look-up per run of entries of one length."""
        for mask, owners in self._runs:
            zone_id = owners.get(address & mask)
            if zone_id is not None:
                return zone_id
        return None

    @cached_property
    def _runs(self) -> tuple[tuple[int, dict[int, str]], ...]:
        """The entries in runs of equal length, in order; within a run the first entry of a
        network wins. Two entries of one length cannot both hold an address unless they name
        the same network, so this finds what a scan of the entries finds, in any order."""
        runs: list[tuple[int, int, dict[int, str]]] = []
        for network, length, zone_id in self.entries:
            if not runs or runs[-1][0] != length:
                runs.append((length, prefix_mask(length), {}))
            runs[-1][2].setdefault(network, zone_id)
        return tuple((mask, owners) for _, mask, owners in runs)

    def zone_of_subnet(self, network: int, length: int) -> str | None:
        """The zone whose longest prefix contains the whole subnet; None = transit."""
        for zone_network, zone_length, zone_id in self.entries:
            if zone_length <= length and network & prefix_mask(zone_length) == zone_network:
                return zone_id
        return None


@dataclass
class Network:
    topology: Topology
    devices: dict[str, Device]
    segments: dict[str, Segment]
    segment_of: dict[tuple[str, str], str]
    zones: ZoneTable

    @cached_property
    def graph(self) -> NetworkGraph:
        """Devices, interfaces and segments as a graph, built when first asked for: few rules
        walk it, and a run that re-uses its searches often asks for it not at all."""
        return _to_networkx(self.devices, self.segments)

    def interface(self, device: str, name: str) -> Interface:
        return self.devices[device].interfaces[name]

    def interface_ref(self, ref: InterfaceRef) -> tuple[str, str]:
        """(device, canonical interface name) of a topology reference; references were
        checked when the topology was loaded against the configs."""
        return ref.device, resolve_interface_name(self.devices[ref.device], ref.interface) or ref.interface


def resolve_interface_name(device: Device, name: str) -> str | None:
    # Local import keeps graph independent of the parser package at import time.
    from .vendors import resolve_interface

    return resolve_interface(device, name)


def is_up(interface: Interface) -> bool:
    return not interface.shutdown


class _UnionFind:
    def __init__(self) -> None:
        self.parent: dict[tuple[str, str], tuple[str, str]] = {}

    def add(self, item: tuple[str, str]) -> None:
        self.parent.setdefault(item, item)

    def find(self, item: tuple[str, str]) -> tuple[str, str]:
        self.add(item)
        root = item
        while self.parent[root] != root:
            root = self.parent[root]
        while self.parent[item] != root:
            self.parent[item], item = root, self.parent[item]
        return root

    def union(self, a: tuple[str, str], b: tuple[str, str]) -> None:
        root_a, root_b = self.find(a), self.find(b)
        if root_a != root_b:
            self.parent[max(root_a, root_b)] = min(root_a, root_b)


def build_network(topology: Topology, devices: Mapping[str, Device]) -> Network:
    zones = ZoneTable.from_zones(topology.zones)
    groups = _UnionFind()
    by_subnet: dict[tuple[int, int], tuple[str, str]] = {}
    for device_name in sorted(devices):
        device = devices[device_name]
        for if_name in sorted(device.interfaces):
            interface = device.interfaces[if_name]
            if not is_up(interface) or not interface.addresses:
                continue
            member = (device_name, if_name)
            groups.add(member)
            for address in interface.addresses:
                key = (address.network, address.prefix_length)
                if key in by_subnet:
                    groups.union(by_subnet[key], member)
                else:
                    by_subnet[key] = member
    for link in topology.links:
        ends = [_link_end(devices, ref) for ref in (link.a, link.b)]
        if all(end is not None for end in ends):
            groups.union(ends[0], ends[1])  # type: ignore[arg-type]

    members_by_root: dict[tuple[str, str], list[tuple[str, str]]] = {}
    for member in list(groups.parent):
        members_by_root.setdefault(groups.find(member), []).append(member)

    segments: dict[str, Segment] = {}
    segment_of: dict[tuple[str, str], str] = {}
    for members in sorted(sorted(m) for m in members_by_root.values()):
        subnets = _segment_subnets(devices, members)
        base_id = format_prefix(*subnets[0]) if subnets else f"l2:{members[0][0]}:{members[0][1]}"
        segment_id = _unique_id(segments, base_id)
        zone = zones.zone_of_subnet(*subnets[0]) if subnets else None
        reserved, device_addresses, holds_hosts = _host_facts(devices, members, subnets)
        segments[segment_id] = Segment(
            segment_id, tuple(subnets), tuple(members), zone, reserved, device_addresses, holds_hosts
        )
        for member in members:
            segment_of[member] = segment_id

    return Network(
        topology=topology,
        devices=dict(devices),
        segments=segments,
        segment_of=segment_of,
        zones=zones,
    )


def _link_end(devices: Mapping[str, Device], ref: InterfaceRef) -> tuple[str, str] | None:
    device = devices.get(ref.device)
    if device is None:
        return None
    name = resolve_interface_name(device, ref.interface)
    if name is None:
        return None
    interface = device.interfaces[name]
    if interface.switchport_mode == "access" and interface.access_vlan is not None:
        svi = f"Vlan{interface.access_vlan}"
        if svi in device.interfaces and is_up(device.interfaces[svi]):
            return ref.device, svi
    return ref.device, name


def _segment_subnets(devices: Mapping[str, Device], members: list[tuple[str, str]]) -> list[tuple[int, int]]:
    """Primary subnets first (in member order), then secondaries; no duplicates."""
    primary: list[tuple[int, int]] = []
    secondary: list[tuple[int, int]] = []
    for device_name, if_name in members:
        for address in devices[device_name].interfaces[if_name].addresses:
            key = (address.network, address.prefix_length)
            target = secondary if address.secondary else primary
            if key not in primary and key not in secondary:
                target.append(key)
    return primary + secondary


def _host_facts(
    devices: Mapping[str, Device], members: list[tuple[str, str]], subnets: list[tuple[int, int]]
) -> tuple[tuple[int, ...], frozenset[int], bool]:
    """(reserved addresses, device addresses, whether hosts can sit here) of a segment.

    Usable host addresses of a subnet: all but the network and broadcast addresses for
    prefix lengths up to 30, both for a /31 (RFC 3021), none for a /32. An address usable
    in any subnet of the segment is a host address unless a device owns it."""
    interfaces = [devices[d].interfaces[i] for d, i in members]
    up = [interface for interface in interfaces if is_up(interface)]
    device_addresses = frozenset(
        {a.address for interface in up for a in interface.addresses}
        | {address for interface in up for address in interface.virtual_addresses}
    )
    directed = {
        (a.network, a.prefix_length) for interface in up if interface.directed_broadcast for a in interface.addresses
    }

    def usable(address: int) -> bool:
        for network, length in subnets:
            if address & prefix_mask(length) != network or length == 32:
                continue
            if length == 31 or (network, length) in directed or address not in (network, _broadcast(network, length)):
                return True
        return False

    candidates = {
        edge for network, length in subnets if length <= 30 for edge in (network, _broadcast(network, length))
    }
    reserved = tuple(sorted(address for address in candidates if not usable(address)))
    loopback = bool(interfaces) and all(interface.kind == "loopback" for interface in interfaces)
    holds_hosts = not loopback and any(
        len({a for a in device_addresses if _unicast_host_of(a, network, length)}) < _usable_count(length)
        for network, length in subnets
    )
    return reserved, device_addresses, holds_hosts


def _broadcast(network: int, length: int) -> int:
    return network | (~prefix_mask(length) & 0xFFFFFFFF)


def _unicast_host_of(address: int, network: int, length: int) -> bool:
    if address & prefix_mask(length) != network or length == 32:
        return False
    return length == 31 or address not in (network, _broadcast(network, length))


def _usable_count(length: int) -> int:
    """Unicast host addresses of a subnet (a directed broadcast address is no host's)."""
    if length == 32:
        return 0
    if length == 31:
        return 2
    return (1 << (32 - length)) - 2


def _unique_id(existing: Mapping[str, Segment], base: str) -> str:
    if base not in existing:
        return base
    counter = 2
    while f"{base}#{counter}" in existing:
        counter += 1
    return f"{base}#{counter}"


def _to_networkx(devices: Mapping[str, Device], segments: Mapping[str, Segment]) -> NetworkGraph:
    graph: NetworkGraph = nx.MultiGraph()
    for device_name in sorted(devices):
        device = devices[device_name]
        graph.add_node(("device", device_name), kind="device", vendor=device.vendor)
        for if_name in sorted(device.interfaces):
            graph.add_node(("interface", device_name, if_name), kind="interface", up=is_up(device.interfaces[if_name]))
            graph.add_edge(("device", device_name), ("interface", device_name, if_name))
    for segment in segments.values():
        graph.add_node(("segment", segment.id), kind="segment", zone=segment.zone, subnets=segment.subnets)
        for device_name, if_name in segment.members:
            graph.add_edge(("interface", device_name, if_name), ("segment", segment.id))
    return graph
