"""A deliberately plain concrete packet simulator: the oracle for the engine's property tests.

One packet at a time, plain loops, nothing imported from `nankoku_netcheck.reach`: ACLs
are walked line by line, routes found by scanning every route of the device, and every
equal-cost branch followed, under the rules of the module docstring of `reach/engine.py`.
Each (device, in-interface) is entered at most once per packet: the header never changes,
so a second arrival reaches nothing new (per-path loop detection gives the same endpoints
but enumerates exponentially many paths when routers proxy-ARP on a shared segment).

Endpoints are (kind, device, interface, segment) tuples, the field order of
`reach.engine.Endpoint`. Dynamic routing, NAT and stateful firewalls are not simulated.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Protocol

from nankoku_netcheck.graph import Network, Segment
from nankoku_netcheck.model import Acl, AclLine, Action, Device, Match, Route, RouteKind, prefix_mask

TCP, UDP, ICMP = 6, 17, 1
ALL_BITS = 0xFFFFFFFF

OracleEndpoint = tuple[str, str, str, str]


class PacketLike(Protocol):
    src: int
    dst: int
    proto: int
    sport: int
    dport: int
    established: bool
    icmp_type: int
    icmp_code: int


# --- ACLs ------------------------------------------------------------------------------


def match_hits(match: Match, packet: PacketLike) -> bool:
    has_ports = packet.proto in (TCP, UDP)  # port constraints never match other protocols
    return (
        (match.protocols is None or packet.proto in match.protocols)
        and (match.src is None or any((packet.src ^ w.address) & ~w.wildcard & ALL_BITS == 0 for w in match.src))
        and (match.dst is None or any((packet.dst ^ w.address) & ~w.wildcard & ALL_BITS == 0 for w in match.dst))
        and (match.src_ports is None or (has_ports and any(r.low <= packet.sport <= r.high for r in match.src_ports)))
        and (match.dst_ports is None or (has_ports and any(r.low <= packet.dport <= r.high for r in match.dst_ports)))
        and (not match.established or (packet.proto == TCP and packet.established))
        and (match.icmp is None or (packet.proto == ICMP and any(
            entry.icmp_type == packet.icmp_type and entry.code in (None, packet.icmp_code) for entry in match.icmp)))
    )


def line_may_match(line: AclLine) -> bool:
    # Over-approximation: a deny line that is not fully understood must not drop anything.
    return line.action is Action.PERMIT or (line.understood and not line.approximation)


def first_match(acl: Acl, packet: PacketLike) -> int | None:
    """Index of the line that decides `packet`, None for the implicit deny."""
    for index, line in enumerate(acl.lines):
        if line_may_match(line) and any(match_hits(m, packet) for m in line.matches):
            return index
    return None


def acl_permits(acl: Acl, packet: PacketLike) -> bool:
    index = first_match(acl, packet)
    return index is not None and acl.lines[index].action is Action.PERMIT


def filter_permits(device: Device, acl_name: str | None, packet: PacketLike) -> bool:
    if acl_name is None:
        return True  # IOS: an interface without an ACL filters nothing
    acl = device.acls.get(acl_name)
    if acl is None:
        return device.undefined_acl_permits
    return acl_permits(acl, packet)


# --- routing ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Exit:
    """Out `interface` towards `address` (None = the packet's own destination), or drop."""

    interface: str
    address: int | None
    discard: bool = False


def interface_up(device: Device, name: str | None) -> bool:
    return name is not None and name in device.interfaces and not device.interfaces[name].shutdown


def all_routes(device: Device) -> list[Route]:
    routes = list(device.routes)
    for name, interface in device.interfaces.items():
        if interface.shutdown:
            continue
        for address in interface.addresses:
            routes.append(Route(prefix=address.network, prefix_length=address.prefix_length,
                                kind=RouteKind.CONNECTED, source=interface.source, interface=name,
                                distance=0))
    return routes


def route_exits(device: Device, route: Route, target: int | None, chain: tuple[Route, ...]) -> list[Exit] | None:
    """Exits of `route` used to reach `target` (None = the packet's destination): [] when it
    can never be installed (exit interface shut or missing, next hop resolving nowhere),
    None when resolving its next hop leads back to a route of `chain` (a recursion loop)."""
    if route in chain:
        return None
    if route.discard:
        return [Exit("", None, discard=True)]
    if route.interface:
        if not interface_up(device, route.interface):
            return []
        if route.kind is RouteKind.STATIC and route.next_hop is not None:
            return [Exit(route.interface, route.next_hop)]
        return [Exit(route.interface, target)]
    if route.next_hop is None:
        return []
    return best_exits(device, route.next_hop, route.next_hop, (*chain, route))


def best_exits(device: Device, address: int, target: int | None, chain: tuple[Route, ...]) -> list[Exit] | None:
    """Routes covering `address`: longest prefix, then lowest distance, ties all apply (ECMP).
    Routes that can never be installed are passed over, and so are loops when forwarding
    (IOS withdraws a route that resolves through itself); while resolving a next hop
    (non-empty `chain`) a best match that loops fails the resolution, and Null0 is ignored."""
    outcomes: dict[tuple[int, int], list[list[Exit] | None]] = {}
    for route in all_routes(device):
        if address & prefix_mask(route.prefix_length) == route.prefix and not (route.discard and chain):
            outcomes.setdefault((route.prefix_length, -route.distance), []).append(
                route_exits(device, route, target, chain))
    for rank in sorted(outcomes, reverse=True):
        exits = [exit_ for found in outcomes[rank] if found for exit_ in found]
        if exits:
            return exits
        if chain and None in outcomes[rank]:
            return None
    return []


def forwarding_exits(device: Device, destination: int) -> list[Exit]:
    return best_exits(device, destination, None, ()) or []


# --- forwarding --------------------------------------------------------------------------


def in_subnets(subnets: Iterable[tuple[int, int]], address: int) -> bool:
    return any(address & prefix_mask(length) == network for network, length in subnets)


class Simulation:
    """Follows one packet from one start; `endpoints` collects where it can end up."""

    def __init__(self, network: Network, packet: PacketLike, boundary: frozenset[tuple[str, str]]) -> None:
        self.network = network
        self.packet = packet
        self.boundary = boundary
        self.endpoints: set[OracleEndpoint] = set()
        self.entered: set[tuple[str, str]] = set()

    def interface_owns(self, device_name: str, if_name: str, address: int) -> bool:
        interface = self.network.devices[device_name].interfaces[if_name]
        return not interface.shutdown and (
            address in interface.virtual_addresses or any(a.address == address for a in interface.addresses))

    def device_owns(self, device_name: str, address: int) -> bool:
        return any(self.interface_owns(device_name, name, address)
                   for name in self.network.devices[device_name].interfaces)

    def has_addresses(self, member: tuple[str, str]) -> bool:
        return bool(self.network.devices[member[0]].interfaces[member[1]].addresses)

    def owners(self, segment: Segment, address: int, leaving: tuple[str, str]) -> list[tuple[str, str]]:
        return [m for m in segment.members if m != leaving and self.interface_owns(m[0], m[1], address)]

    def start_on_segment(self, segment_id: str) -> None:
        segment = self.network.segments[segment_id]
        dst = self.packet.dst
        on_segment = in_subnets(segment.subnets, dst)
        if on_segment and not self.owners(segment, dst, ("", "")):
            self.endpoints.add(("hosts", "", "", segment_id))
        for member in segment.members:
            if self.has_addresses(member) and (not on_segment or self.device_owns(member[0], dst)):
                self.enter(member[0], member[1])

    def enter(self, device_name: str, if_name: str) -> None:
        if (device_name, if_name) in self.entered:
            return
        self.entered.add((device_name, if_name))
        device = self.network.devices[device_name]
        interface = device.interfaces[if_name]
        if interface.shutdown or not filter_permits(device, interface.acl_in, self.packet):
            return
        if self.device_owns(device_name, self.packet.dst):
            self.endpoints.add(("device", device_name, "", ""))
            return
        for exit_ in forwarding_exits(device, self.packet.dst):
            self.send(device_name, exit_)

    def send(self, device_name: str, exit_: Exit) -> None:
        device = self.network.devices[device_name]
        if exit_.discard or not interface_up(device, exit_.interface):
            return
        if not filter_permits(device, device.interfaces[exit_.interface].acl_out, self.packet):
            return
        leaving = (device_name, exit_.interface)
        exit_endpoint = ("exit", device_name, exit_.interface, "")
        segment_id = self.network.segment_of.get(leaving)
        if leaving in self.boundary or segment_id is None:
            self.endpoints.add(exit_endpoint)
            return
        segment = self.network.segments[segment_id]
        dst = self.packet.dst
        if exit_.address is not None or in_subnets(segment.subnets, dst):
            owners = self.owners(segment, dst if exit_.address is None else exit_.address, leaving)
            if not owners:
                self.endpoints.add(exit_endpoint if exit_.address is not None else ("hosts", "", "", segment_id))
            for owner in owners:
                self.enter(owner[0], owner[1])
            return
        # Off-subnet destination on an interface route: proxy ARP, anyone may answer.
        self.endpoints.add(exit_endpoint)
        for member in segment.members:
            if member != leaving and self.has_addresses(member):
                self.enter(member[0], member[1])


def reachable_endpoints(network: Network, packet: PacketLike, *, segment: str = "", device: str = "",
                        interface: str = "", boundary: Iterable[tuple[str, str]] = ()) -> set[OracleEndpoint]:
    """Where `packet` can end up when it starts on `segment`, or enters `device` via `interface`."""
    simulation = Simulation(network, packet, frozenset(boundary))
    if segment:
        simulation.start_on_segment(segment)
    else:
        simulation.enter(device, interface)
    return simulation.endpoints
