"""Oracle extensions for the zone rules ZONE-002 and ZONE-008, on top of `oracle.py`.

Still one packet at a time, plain loops, nothing imported from `nankoku_netcheck.reach`:

- `RoutingIgnored`: the oracle with routing ignored (ZONE-008), written from the
  definition in `reach/engine.py` (module docstring, `any_neighbour_hops`, `NextHop.any_neighbour`
  in `fib.py`): a device forwards a packet it does not own out of every up interface
  that leads somewhere known, i.e. is a boundary (upstream, external link attach) or lies
  on a segment, the one it came in by included. Filters and interface state still apply.
  Through a boundary the packet exits the network. On a segment the hosts receive it when
  its destination lies in the segment's subnets and no member owns that address, and every
  other member with an address receives it, whatever its destination (any neighbour may be
  the next hop). Starting on a segment is unchanged: hosts do not route.
  Interfaces on no segment (no address, no link) are not used, so with routing ignored no
  packet exits to an unmodelled neighbour; `oracle.Simulation` does exit there when a route
  says so (see the note on `RoutingIgnored`).
- source and destination classes of the zone rules (a zone id, `peer:<id>`, `transit`,
  `outside`), as `rules/flows.py` documents them, and a plain reading of topology flow
  specs (`allow` entries and their TCP replies).

Stateless devices only (the IOS routers of `strategies.networks`).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import oracle
from oracle import OracleEndpoint, PacketLike, filter_permits, in_subnets, interface_up

from nankoku_netcheck.graph import Network
from nankoku_netcheck.model import ExternalPeer, FlowSpec, InterfaceRef, PortRange, Topology, Zone, ZoneKind

TRANSIT = "transit"
OUTSIDE = "outside"

StartPoint = tuple[str, str, str]  # (segment, device, interface); segment "" = enter the device


# --- routing ignored -------------------------------------------------------------------------


class RoutingIgnored:
    """Follows one packet from one start with routing ignored; `endpoints` collects where it
    can end up. Self-contained (only `oracle`'s filter helpers), so that it does not depend
    on how `oracle.Simulation` threads headers through NAT.

    Definition (the engine's): with routing ignored a packet may leave by any up interface
    to any modelled neighbour there. Unlike a route to an unmodelled next hop, it never exits
    to an unmodelled neighbour (a link in no zone where no modelled device sits): see the
    strict xfail at the end of test_zone_properties.py for what that leaves out."""

    def __init__(self, network: Network, packet: PacketLike, boundary: frozenset[tuple[str, str]]) -> None:
        self.network = network
        self.packet = packet
        self.boundary = boundary
        self.endpoints: set[OracleEndpoint] = set()
        self.entered: set[tuple[str, str]] = set()

    def interface_owns(self, device_name: str, if_name: str, address: int) -> bool:
        interface = self.network.devices[device_name].interfaces[if_name]
        return not interface.shutdown and (
            address in interface.virtual_addresses or any(a.address == address for a in interface.addresses)
        )

    def device_owns(self, device_name: str, address: int) -> bool:
        return any(
            self.interface_owns(device_name, name, address) for name in self.network.devices[device_name].interfaces
        )

    def has_addresses(self, member: tuple[str, str]) -> bool:
        return bool(self.network.devices[member[0]].interfaces[member[1]].addresses)

    def owned_on(self, segment_id: str, address: int) -> bool:
        return any(self.interface_owns(d, i, address) for d, i in self.network.segments[segment_id].members)

    def start_on_segment(self, segment_id: str) -> None:
        """Hosts deliver on-subnet packets themselves and hand the rest to any router."""
        segment = self.network.segments[segment_id]
        dst = self.packet.dst
        on_segment = in_subnets(segment.subnets, dst)
        if oracle.is_host(self.network, segment, dst):
            self.endpoints.add(("hosts", "", "", segment_id))
        for member in segment.members:
            if self.has_addresses(member) and (not on_segment or self.device_owns(member[0], dst)):
                self.enter(*member)

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
        for out in sorted(device.interfaces):
            self.send_anywhere(device_name, out)

    def send_anywhere(self, device_name: str, out: str) -> None:
        device = self.network.devices[device_name]
        leaving = (device_name, out)
        segment_id = self.network.segment_of.get(leaving)
        if not interface_up(device, out) or (leaving not in self.boundary and segment_id is None):
            return
        if not filter_permits(device, device.interfaces[out].acl_out, self.packet):
            return
        if leaving in self.boundary or segment_id is None:
            self.endpoints.add(("exit", device_name, out, ""))
            return
        segment = self.network.segments[segment_id]
        if oracle.is_host(self.network, segment, self.packet.dst):
            self.endpoints.add(("hosts", "", "", segment_id))
        for member in segment.members:
            if member != leaving and self.has_addresses(member):
                self.enter(*member)


def endpoints(
    network: Network, packet: PacketLike, start: StartPoint, boundary: Iterable[tuple[str, str]], routing: bool = True
) -> set[OracleEndpoint]:
    """Where `packet` can end up from `start`, with today's routes or with routing ignored."""
    segment, device, interface = start
    if routing:
        return oracle.reachable_endpoints(
            network, packet, segment=segment, device=device, interface=interface, boundary=boundary
        )
    simulation = RoutingIgnored(network, packet, frozenset(boundary))
    if segment:
        simulation.start_on_segment(segment)
    else:
        simulation.enter(device, interface)
    return simulation.endpoints


def no_ones_address(network: Network, address: int) -> bool:
    """A network or broadcast address of a segment's subnet that no subnet of that segment
    gives to a host: with routing, packets to it stop on its segment."""
    for segment in network.segments.values():
        for base, length in segment.subnets:
            last = base + (1 << (32 - length)) - 1
            if (
                length <= 30
                and address in (base, last)
                and not any(
                    oracle.usable_in(network, segment, subnet, address, unicast=False) for subnet in segment.subnets
                )
            ):
                return True
    return False


# --- zones, peers and classes ---------------------------------------------------------------


def in_prefixes(prefixes: Iterable[tuple[int, int]], address: int) -> bool:
    return in_subnets(prefixes, address)


def zone_of(topology: Topology, address: int) -> str | None:
    """The zone with the longest prefix containing `address`."""
    best: tuple[int, str] | None = None
    for zone in topology.zones:
        for network, length in zone.prefixes:
            if in_prefixes([(network, length)], address) and (best is None or length > best[0]):
                best = (length, zone.id)
    return best[1] if best else None


def ref_key(ref: InterfaceRef) -> tuple[str, str]:
    return ref.device, ref.interface  # the generated topologies spell interface names exactly


def rule_boundary(topology: Topology) -> frozenset[tuple[str, str]]:
    """Upstream interfaces and external link attaches: where the modelled network ends."""
    return frozenset(
        {ref_key(ref) for zone in topology.zones for ref in zone.upstream}
        | {ref_key(peer.attach) for peer in topology.external_peers}
    )


def peer_by_class(topology: Topology, klass: str) -> ExternalPeer:
    return next(peer for peer in topology.external_peers if f"peer:{peer.id}" == klass)


def is_public(topology: Topology, address: int) -> bool:
    """An address of the public internet: no zone and no external peer owns it."""
    return zone_of(topology, address) is None and not any(
        in_prefixes(peer.addresses, address) for peer in topology.external_peers
    )


def class_starts(network: Network, source_class: str, packet: PacketLike) -> list[StartPoint]:
    """Where a packet of `source_class` with this source address may enter the network."""
    topology = network.topology
    if source_class.startswith("peer:"):
        peer = peer_by_class(topology, source_class)
        return [("", *ref_key(peer.attach))] if in_prefixes(peer.addresses, packet.src) else []
    zone: Zone = topology.zone(source_class)
    starts: list[StartPoint] = []
    if zone_of(topology, packet.src) == zone.id:
        # Flows start where hosts can sit: not on loopbacks, not on links of devices only.
        starts += [
            (segment.id, "", "")
            for segment in network.segments.values()
            if segment.zone == zone.id and oracle.holds_hosts(network, segment)
        ]
    if zone.kind is ZoneKind.INTERNET and is_public(topology, packet.src):
        starts += [("", *ref_key(ref)) for ref in zone.upstream]
    return starts


def destination_class(topology: Topology, endpoint: OracleEndpoint, dst: int) -> str:
    """The class a packet delivered at `endpoint` counts as reaching."""
    kind, device, interface, _ = endpoint
    if kind == "exit":
        for zone in topology.zones:
            if (device, interface) in {ref_key(ref) for ref in zone.upstream}:
                return zone.id
        for peer in topology.external_peers:
            if (device, interface) == ref_key(peer.attach):
                return f"peer:{peer.id}" if in_prefixes(peer.addresses, dst) else OUTSIDE
    owner = zone_of(topology, dst)
    if owner is not None:
        return owner
    return OUTSIDE if kind == "exit" else TRANSIT


def reached_classes(network: Network, source_class: str, packet: PacketLike, routing: bool = True) -> set[str]:
    """Every destination class `packet` reaches from any start of `source_class`."""
    topology = network.topology
    boundary = rule_boundary(topology)
    found: set[str] = set()
    for start in class_starts(network, source_class, packet):
        for endpoint in endpoints(network, packet, start, boundary, routing):
            found.add(destination_class(topology, endpoint, packet.dst))
    return found


# --- topology flow specs ----------------------------------------------------------------------


def in_ports(ranges: Sequence[PortRange] | None, port: int) -> bool:
    return ranges is None or any(r.low <= port <= r.high for r in ranges)


def flow_contains(flow: FlowSpec, packet: PacketLike) -> bool:
    """The packet is one of the flows the spec names (empty src/dst = any)."""
    return (
        (not flow.src or in_prefixes(flow.src, packet.src))
        and (not flow.dst or in_prefixes(flow.dst, packet.dst))
        and (flow.proto is None or packet.proto == flow.proto)
        and in_ports(flow.dport, packet.dport)
        and in_ports(flow.sport, packet.sport)
    )


def reply_contains(flow: FlowSpec, packet: PacketLike) -> bool:
    """The packet is a TCP reply (ACK/RST set) of one of the spec's flows."""
    return (
        flow.proto in (None, oracle.TCP)
        and packet.proto == oracle.TCP
        and packet.established
        and (not flow.src or in_prefixes(flow.src, packet.dst))
        and (not flow.dst or in_prefixes(flow.dst, packet.src))
        and in_ports(flow.dport, packet.sport)
        and in_ports(flow.sport, packet.dport)
    )


def link_allows(peer: ExternalPeer, packet: PacketLike) -> bool:
    return any(flow_contains(flow, packet) or reply_contains(flow, packet) for flow in peer.allow)


def crosses_link_outside_allow(network: Network, peer: ExternalPeer, source_class: str, packet: PacketLike) -> set[str]:
    """ZONE-002 for one packet: the destination classes through which it crosses the link
    outside the allow entries. From the peer: every class it reaches. To the peer: the peer,
    when the packet leaves through the attach interface to one of the peer's addresses
    (leaving there to another address is an exit, ZONE-001/007's business). Packets from the
    peer to the city's end of the link (the attach interface's own addresses) are the link
    itself and never count."""
    if link_allows(peer, packet):
        return set()
    klass = f"peer:{peer.id}"
    reached = reached_classes(network, source_class, packet)
    if source_class == klass:
        device_name, if_name = network.interface_ref(peer.attach)
        attach = network.devices[device_name].interfaces[if_name]
        if packet.dst in attach.virtual_addresses or any(a.address == packet.dst for a in attach.addresses):
            return set()
        return reached - {klass}
    return reached & {klass}
