"""A deliberately plain concrete packet simulator: the oracle for the engine's property tests.

One packet at a time, plain loops, nothing imported from `nankoku_netcheck.reach`: ACLs
are walked line by line, routes found by scanning every route of the device, and every
equal-cost branch followed, under the rules of the module docstring of `reach/engine.py`.
Each (device, in-interface, header) is entered at most once per packet: a second arrival
with the same header reaches nothing new (per-path loop detection gives the same endpoints
but enumerates exponentially many paths when routers proxy-ARP on a shared segment).

Every device follows the vendor-neutral semantics of `reach/filters.py`: interfaces that
pass traffic, management-only interfaces (to the box only, their routes out of the data
table), inbound ACL, the ordered policy between interfaces (`Device.policy`) and outbound
ACL, stateful inspection (TCP ACK/RST packets pass only as the reply of a connection the
device would open the other way), what filters traffic to the box, and static NAT as exact
header rewrites (object NAT and twice NAT, both directions; filters see real addresses; or,
with `nat_between_filters`, filters see the addresses on their own wire, IOS order).
See the section "filters and NAT" below for the exact rules.

Endpoints are (kind, device, interface, segment) tuples, the field order of
`reach.engine.Endpoint`. Dynamic routing, dynamic NAT/PAT and NAT proxy ARP are not
simulated.

VRF-lite: each device has one routing table per VRF name ("" = global). A packet is routed
in the table of the interface it arrived by; a table holds the connected routes of its own
interfaces and the static routes whose `vrf` names it. A static route's exit interface is
used whatever table that interface is in, and its next hop is looked up in the table
`next_hop_vrf` names (None: the route's own). A packet is for the device only when the
address belongs to an interface in the arrival interface's table; otherwise it is routed.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from typing import Protocol

from nankoku_netcheck.graph import Network, Segment
from nankoku_netcheck.model import (
    TO_THE_DEVICE,
    Acl,
    AclLine,
    Action,
    Device,
    Interface,
    Match,
    NatRule,
    PolicyRouteEntry,
    RelayTarget,
    Route,
    RouteKind,
    ToTheBox,
    prefix_mask,
)

TCP, UDP, ICMP = 6, 17, 1
ALL_BITS = 0xFFFFFFFF

OracleEndpoint = tuple[str, str, str, str]


class PacketLike(Protocol):
    # Read-only: the engine's Packet and the oracle's Header are frozen dataclasses.
    @property
    def src(self) -> int: ...
    @property
    def dst(self) -> int: ...
    @property
    def proto(self) -> int: ...
    @property
    def sport(self) -> int: ...
    @property
    def dport(self) -> int: ...
    @property
    def established(self) -> bool: ...
    @property
    def icmp_type(self) -> int: ...
    @property
    def icmp_code(self) -> int: ...


@dataclass(frozen=True)
class Header:
    """The oracle's own copy of a packet header (NAT makes new ones)."""

    src: int
    dst: int
    proto: int
    sport: int = 0
    dport: int = 0
    established: bool = False
    icmp_type: int = 0
    icmp_code: int = 0


def header_of(packet: PacketLike) -> Header:
    return Header(
        packet.src,
        packet.dst,
        packet.proto,
        packet.sport,
        packet.dport,
        packet.established,
        packet.icmp_type,
        packet.icmp_code,
    )


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
        and (
            match.icmp is None
            or (
                packet.proto == ICMP
                and any(
                    entry.icmp_type == packet.icmp_type and entry.code in (None, packet.icmp_code)
                    for entry in match.icmp
                )
            )
        )
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
    if not acl.lines:
        return True  # bound with no entries (only remarks or none): no implicit deny yet
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


def management_only(device: Device, if_name: str | None) -> bool:
    return if_name in device.interfaces and device.interfaces[if_name].management_only


def all_routes(device: Device, vrf: str = "") -> list[Route]:
    """The data routing table `vrf`. A firewall's management-only interfaces route in a table of
    their own (ASA 9.5+): neither their connected nor their static routes carry through traffic."""
    routes = [route for route in device.routes if not management_only(device, route.interface) and route.vrf == vrf]
    for name, interface in device.interfaces.items():
        if interface.shutdown or management_only(device, name) or interface.vrf != vrf:
            continue
        for address in interface.addresses:
            routes.append(
                Route(
                    prefix=address.network,
                    prefix_length=address.prefix_length,
                    kind=RouteKind.CONNECTED,
                    source=interface.source,
                    interface=name,
                    distance=0,
                )
            )
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
    table = route.vrf if route.next_hop_vrf is None else route.next_hop_vrf
    return best_exits(device, route.next_hop, route.next_hop, (*chain, route), table)


def best_exits(
    device: Device, address: int, target: int | None, chain: tuple[Route, ...], vrf: str = ""
) -> list[Exit] | None:
    """Routes covering `address`: longest prefix, then lowest distance, ties all apply (ECMP).
    Routes that can never be installed are passed over, and so are loops when forwarding
    (IOS withdraws a route that resolves through itself); while resolving a next hop
    (non-empty `chain`) a best match that loops fails the resolution, and Null0 is ignored."""
    outcomes: dict[tuple[int, int], list[list[Exit] | None]] = {}
    for route in all_routes(device, vrf):
        if address & prefix_mask(route.prefix_length) == route.prefix and not (route.discard and chain):
            outcomes.setdefault((route.prefix_length, -route.distance), []).append(
                route_exits(device, route, target, chain)
            )
    for rank in sorted(outcomes, reverse=True):
        exits = [exit_ for found in outcomes[rank] if found for exit_ in found]
        if exits:
            return exits
        if chain and None in outcomes[rank]:
            return None
    return []


def forwarding_exits(device: Device, destination: int, vrf: str = "") -> list[Exit]:
    return best_exits(device, destination, None, (), vrf) or []


def exits_via(device: Device, destination: int, interface: str, vrf: str = "") -> list[Exit]:
    """The egress interface fixed beforehand (ASA NAT): per prefix length, longest first,
    the installed routes (lowest distance with an exit) that leave by `interface`; with
    none, `interface` as if the destination were directly connected to it."""
    outcomes: dict[int, dict[int, list[Exit]]] = {}
    for route in all_routes(device, vrf):
        if destination & prefix_mask(route.prefix_length) == route.prefix:
            found = route_exits(device, route, None, ())
            by_distance = outcomes.setdefault(route.prefix_length, {})
            by_distance.setdefault(route.distance, []).extend(found or [])
    for length in sorted(outcomes, reverse=True):
        installed = next((exits for _, exits in sorted(outcomes[length].items()) if exits), [])
        through = [exit_ for exit_ in installed if exit_.interface == interface and not exit_.discard]
        if through:
            return through
    return [Exit(interface, None)]


# --- forwarding --------------------------------------------------------------------------


def in_subnets(subnets: Iterable[tuple[int, int]], address: int) -> bool:
    return any(address & prefix_mask(length) == network for network, length in subnets)


# --- hosts ---------------------------------------------------------------------------------
#
# A host may have an address of a segment's subnet unless it is the subnet's network or
# broadcast address (prefix length up to 30; the broadcast address is a host address when
# an up member interface configuring that subnet has `ip directed-broadcast`, taken to
# cover the network address too), or the subnet is a /32; a /31 has two host addresses.
# An address an up member interface owns (virtual ones too) is a device's. A segment
# holds hosts unless all its members are loopbacks or no unicast address is left for one.
# Packets to a segment's address that is neither a host's nor a device's are dropped.


def member_interfaces(network: Network, segment: Segment) -> list:  # type: ignore[type-arg]
    return [network.devices[d].interfaces[i] for d, i in segment.members]


def owned_by_member(network: Network, segment: Segment, address: int) -> bool:
    return any(
        not interface.shutdown
        and (address in interface.virtual_addresses or any(a.address == address for a in interface.addresses))
        for interface in member_interfaces(network, segment)
    )


def usable_in(network: Network, segment: Segment, subnet: tuple[int, int], address: int, unicast: bool) -> bool:
    base, length = subnet
    if address & prefix_mask(length) != base or length == 32:
        return False
    if length == 31:
        return True
    last = base + (1 << (32 - length)) - 1
    if address not in (base, last):
        return True
    return not unicast and any(
        not interface.shutdown
        and interface.directed_broadcast
        and any((a.network, a.prefix_length) == subnet for a in interface.addresses)
        for interface in member_interfaces(network, segment)
    )


def holds_hosts(network: Network, segment: Segment) -> bool:
    interfaces = member_interfaces(network, segment)
    if interfaces and all(interface.kind == "loopback" for interface in interfaces):
        return False
    for subnet in segment.subnets:
        size = 1 << (32 - subnet[1])
        taken = {
            address
            for interface in interfaces
            if not interface.shutdown
            for address in (*interface.virtual_addresses, *(a.address for a in interface.addresses))
            if usable_in(network, segment, subnet, address, unicast=True)
        }
        usable = 0 if size == 1 else size if size == 2 else size - 2
        if len(taken) < usable:
            return True
    return False


def is_host(network: Network, segment: Segment, address: int) -> bool:
    return (
        holds_hosts(network, segment)
        and not owned_by_member(network, segment, address)
        and any(usable_in(network, segment, subnet, address, unicast=False) for subnet in segment.subnets)
    )


class Simulation:
    """Follows one packet from one start; `endpoints` collects where it can end up."""

    def __init__(self, network: Network, packet: PacketLike, boundary: frozenset[tuple[str, str]]) -> None:
        self.network = network
        self.packet = header_of(packet)
        self.boundary = boundary
        self.endpoints: set[OracleEndpoint] = set()
        self.entered: set[tuple[str, str, Header]] = set()

    def interface_owns(self, device_name: str, if_name: str, address: int) -> bool:
        interface = self.network.devices[device_name].interfaces[if_name]
        return not interface.shutdown and (
            address in interface.virtual_addresses or any(a.address == address for a in interface.addresses)
        )

    def device_owns(self, device_name: str, address: int) -> bool:
        return any(
            self.interface_owns(device_name, name, address) for name in self.network.devices[device_name].interfaces
        )

    def owns_in_table(self, device_name: str, if_name: str, address: int) -> bool:
        """The address is the device's own for a packet arriving by `if_name` (same VRF)."""
        interfaces = self.network.devices[device_name].interfaces
        for name in interfaces:
            if interfaces[name].vrf == interfaces[if_name].vrf and self.interface_owns(device_name, name, address):
                return True
        return False

    def has_addresses(self, member: tuple[str, str]) -> bool:
        return bool(self.network.devices[member[0]].interfaces[member[1]].addresses)

    def owners(self, segment: Segment, address: int, leaving: tuple[str, str]) -> list[tuple[str, str]]:
        return [m for m in segment.members if m != leaving and self.interface_owns(m[0], m[1], address)]

    def start_on_segment(self, segment_id: str) -> None:
        segment = self.network.segments[segment_id]
        dst = self.packet.dst
        on_segment = in_subnets(segment.subnets, dst)
        if is_host(self.network, segment, dst):
            self.endpoints.add(("hosts", "", "", segment_id))
        for member in segment.members:
            takes = (
                not on_segment
                or self.owns_in_table(member[0], member[1], dst)
                or relays_request(member[0], self, member[1])
            )
            if self.has_addresses(member) and takes:
                self.enter(member[0], member[1], self.packet)

    def enter(self, device_name: str, if_name: str, packet: Header) -> None:
        # NAT changes the header: an interface entered again with another header may lead elsewhere.
        if (device_name, if_name, packet) in self.entered:
            return
        self.entered.add((device_name, if_name, packet))
        device_enter(self, device_name, self.network.devices[device_name], if_name, packet)

    def hand_over(self, device_name: str, exit_: Exit, packet: Header) -> None:
        """`packet` leaves through `exit_`: to the next device, the segment's hosts, or out."""
        leaving = (device_name, exit_.interface)
        exit_endpoint = ("exit", device_name, exit_.interface, "")
        segment_id = self.network.segment_of.get(leaving)
        if leaving in self.boundary or segment_id is None:
            self.endpoints.add(exit_endpoint)
            return
        segment = self.network.segments[segment_id]
        dst = packet.dst
        if exit_.address is not None or in_subnets(segment.subnets, dst):
            owners = self.owners(segment, dst if exit_.address is None else exit_.address, leaving)
            if not owners and exit_.address is not None:
                self.endpoints.add(exit_endpoint)
            elif not owners and is_host(self.network, segment, dst):
                self.endpoints.add(("hosts", "", "", segment_id))
            for owner in owners:
                self.enter(owner[0], owner[1], packet)
            return
        # Off-subnet destination on an interface route: proxy ARP, anyone may answer.
        self.endpoints.add(exit_endpoint)
        for member in segment.members:
            if member != leaving and self.has_addresses(member):
                self.enter(member[0], member[1], packet)


# --- filters and NAT ---------------------------------------------------------------------------
#
# Written from the semantics of reach/filters.py, one packet at a time:
# - An interface that is shut or does not pass traffic takes no packet at all; a
#   management-only one takes packets to the box only and its routes are not used for
#   through traffic.
# - NAT first (un-NAT): a packet to a mapped address is rewritten to the real one before
#   the filters and the route lookup (filters name real addresses). Twice NAT binds both
#   ends of the connection; object NAT translates source and destination independently.
# - A new connection entering I and leaving O passes when I's inbound ACL permits it, the
#   policy (if the device has one) permits it from I to O, and O's outbound ACL permits it.
#   The policy: the rules whose from-set holds I (or is None) and whose to-set holds O (or
#   is None), in order; the first line of them that matches decides; a rule naming an
#   undefined ACL permits when undefined ACLs permit, else is passed over; an implicit deny.
# - With stateful inspection a TCP packet with ACK/RST is never a new connection: it passes
#   iff its reverse (the real-address header, reversed) would pass as a new connection from
#   O to I. Without it every packet is a new connection.
# - To the box (after un-NAT): with ARRIVAL_ONLY only an address of the interface it comes
#   in by answers, another interface's address is dropped; an ACK/RST is dropped on a
#   stateful device (it opened nothing); otherwise FILTERED: the inbound ACL decides;
#   VIA_POLICY: an address of the arrival interface is delivered, another one when the policy
#   from the arrival interface to some interface holding it permits the packet; SELF_POLICY:
#   the inbound ACL and the policy from the arrival interface to TO_THE_DEVICE; else delivered.
# - A packet un-translated by a rule that names the interface on the far side leaves by that
#   interface (configuration guide, "Determining the Egress Interface"), unless the rule
#   says `route-lookup`: the longest installed route through it, or the interface as if
#   directly connected when none goes through it.
# - Source translation on the way out. Static rewrites only: one prefix onto one prefix
#   of the same length, host bits kept. Dynamic NAT/PAT is not simulated.


def nat_order(device: Device) -> list[NatRule]:
    """Twice NAT (section 1), object NAT (2), after-auto twice NAT (3); file order within."""
    return sorted((rule for rule in device.nat_rules if not rule.inactive), key=lambda r: (r.section, r.order))


def nat_on(rule_interface: str | None, if_name: str | None) -> bool:
    return rule_interface is None or rule_interface == if_name


def within(prefixes: tuple[tuple[int, int], ...] | None, address: int) -> bool:
    return prefixes is None or in_subnets(prefixes, address)


def mapped_address(
    address: int, origin: tuple[tuple[int, int], ...] | None, target: tuple[tuple[int, int], ...] | None
) -> int:
    """`address` (inside `origin`) moved onto `target`: prefix bits replaced, host bits kept."""
    assert origin is not None and target is not None and len(origin) == len(target) == 1, "static 1:1 only"
    (_, length), (network, target_length) = origin[0], target[0]
    assert length == target_length, "static 1:1 only"
    mask = prefix_mask(length)
    return (network & mask) | (address & ~mask & ALL_BITS)


def has_destination(rule: NatRule) -> bool:
    return rule.real_destination is not None and rule.mapped_destination is not None


def untranslate(device: Device, if_name: str | None, packet: Header) -> tuple[Header, NatRule | None, str]:
    """Arrival: the header the firewall decides on, the twice NAT rule that now owns the
    connection (None: none does) and its direction (forward: from the real side)."""
    header, rule, direction, _ = untranslate_and_divert(device, if_name, packet)
    return header, rule, direction


def untranslate_and_divert(
    device: Device, if_name: str | None, packet: Header
) -> tuple[Header, NatRule | None, str, str | None]:
    """`untranslate`, and the if_name the matching rule makes the packet leave by: the
    rule's interface on the far side, unless the rule says `route-lookup` (None: routing)."""
    for rule in nat_order(device):
        if rule.kind != "static" or rule.mapped_source is None or rule.interface_pat:
            continue
        if has_destination(rule):
            if (
                nat_on(rule.real_interface, if_name)
                and within(rule.real_source, packet.src)
                and within(rule.mapped_destination, packet.dst)
            ):
                dst = mapped_address(packet.dst, rule.mapped_destination, rule.real_destination)
                return replace(packet, dst=dst), rule, "forward", divert(rule, rule.mapped_interface)
            if (
                nat_on(rule.mapped_interface, if_name)
                and within(rule.real_destination, packet.src)
                and within(rule.mapped_source, packet.dst)
            ):
                return (
                    replace(packet, dst=mapped_address(packet.dst, rule.mapped_source, rule.real_source)),
                    rule,
                    "reverse",
                    divert(rule, rule.real_interface),
                )
        elif nat_on(rule.mapped_interface, if_name) and within(rule.mapped_source, packet.dst):
            # Object NAT (or source-only twice NAT) from the mapped side: un-NAT the destination.
            return (
                replace(packet, dst=mapped_address(packet.dst, rule.mapped_source, rule.real_source)),
                None,
                "",
                divert(rule, rule.real_interface),
            )
    return packet, None, "", None


def divert(rule: NatRule, if_name: str | None) -> str | None:
    return None if rule.route_lookup else if_name


def translate_source(
    device: Device,
    rule: NatRule | None,
    direction: str,
    in_if_name: str | None,
    out_if_name: str | None,
    packet: Header,
) -> Header:
    """Departure: the source rewrite of the connection's twice NAT rule, or else of the first
    static source rule from the real to the mapped interface."""
    if rule is not None:
        if direction == "forward" and nat_on(rule.mapped_interface, out_if_name):
            return replace(packet, src=mapped_address(packet.src, rule.real_source, rule.mapped_source))
        if direction == "reverse" and nat_on(rule.real_interface, out_if_name):
            return replace(packet, src=mapped_address(packet.src, rule.real_destination, rule.mapped_destination))
        return packet
    for candidate in nat_order(device):
        if (
            candidate.kind == "static"
            and candidate.mapped_source is not None
            and not candidate.interface_pat
            and not has_destination(candidate)
            and nat_on(candidate.real_interface, in_if_name)
            and nat_on(candidate.mapped_interface, out_if_name)
            and within(candidate.real_source, packet.src)
        ):
            return replace(packet, src=mapped_address(packet.src, candidate.real_source, candidate.mapped_source))
    return packet


def is_reply(packet: Header) -> bool:
    return packet.proto == TCP and packet.established


def reversed_header(packet: Header) -> Header:
    return Header(packet.dst, packet.src, packet.proto, packet.dport, packet.sport, False)


def policy_permits(device: Device, in_if: str, out_if: str, packet: PacketLike) -> bool:
    if device.policy is None:
        return True
    for rule in device.policy:
        if rule.from_interfaces is not None and in_if not in rule.from_interfaces:
            continue
        if rule.to_interfaces is not None and out_if not in rule.to_interfaces:
            continue
        lines = rule.lines
        if rule.acl is not None:
            acl = device.acls.get(rule.acl)
            if acl is None:
                if device.undefined_acl_permits:
                    return True
                continue
            lines = acl.lines
        for line in lines:
            if line_may_match(line) and any(match_hits(m, packet) for m in line.matches):
                return line.action is Action.PERMIT
    return False


def connection_permitted(device: Device, in_if: str, out_if: str, packet: PacketLike) -> bool:
    return (
        filter_permits(device, device.interfaces[in_if].acl_in, packet)
        and policy_permits(device, in_if, out_if, packet)
        and filter_permits(device, device.interfaces[out_if].acl_out, packet)
    )


def carries_through_traffic(device: Device, if_name: str) -> bool:
    interface = device.interfaces.get(if_name)
    return (
        interface is not None and not interface.shutdown and interface.passes_traffic and not interface.management_only
    )


def box_accepts(simulation: Simulation, name: str, device: Device, if_name: str, packet: Header) -> bool:
    """Whether a packet to one of the device's addresses, arriving on `if_name`, reaches it."""
    on_arrival = simulation.interface_owns(name, if_name, packet.dst)
    if device.to_the_box is ToTheBox.ARRIVAL_ONLY and not on_arrival:
        return False
    if device.stateful and is_reply(packet):
        return False  # the device opened no connection
    if device.to_the_box is ToTheBox.FILTERED:
        return filter_permits(device, device.interfaces[if_name].acl_in, packet)
    if device.to_the_box is ToTheBox.SELF_POLICY:
        return filter_permits(device, device.interfaces[if_name].acl_in, packet) and policy_permits(
            device, if_name, TO_THE_DEVICE, packet
        )
    if device.to_the_box is ToTheBox.VIA_POLICY and not on_arrival:
        return any(
            simulation.interface_owns(name, other, packet.dst) and policy_permits(device, if_name, other, packet)
            for other in device.interfaces
            if other != if_name and device.interfaces[other].vrf == device.interfaces[if_name].vrf
        )
    return True


# --- policy routing ----------------------------------------------------------------------------
#
# Written from model.PolicyRouteEntry, one packet at a time: entries in sequence order; one
# matches when it has no match clause or one of its ACLs permits the packet (interface ACL
# semantics); an ACL the device lacks may match or not (both followed). The first surely
# matching entry decides; none: normal routing. A permit entry sends the packet to its first
# next hop inside a connected subnet of an up interface of the arrival interface's table (VRF)
# carrying through traffic (every such
# one plus normal routing with `verify`), else out of its first such interface towards the
# destination (a null interface drops it), else, when no route of prefix length > 0 is
# installed for the destination in that table, to the first such default next hop, then default interface
# (normal routing too when the device runs dynamic routing); else, and for a deny entry,
# normal routing.


def connected_exits(device: Device, address: int, vrf: str) -> list[Exit]:
    return [
        Exit(name, address)
        for name, interface in device.interfaces.items()
        if carries_through_traffic(device, name)
        and interface.vrf == vrf
        and any(address & prefix_mask(a.prefix_length) == a.network for a in interface.addresses)
    ]


def towards_destination(device: Device, name: str) -> Exit:
    """Out of `name` to the packet's own destination; a null interface drops the packet."""
    return Exit("", None, discard=True) if device.interfaces[name].kind == "null" else Exit(name, None)


def has_explicit_route(device: Device, destination: int, vrf: str) -> bool:
    return any(
        route.prefix_length > 0
        and destination & prefix_mask(route.prefix_length) == route.prefix
        and route_exits(device, route, None, ())
        for route in all_routes(device, vrf)
    )


def entry_outcome(device: Device, entry: PolicyRouteEntry, packet: Header, vrf: str) -> tuple[list[Exit], bool]:
    """(exits the entry chooses for a packet that arrived in table `vrf`, whether normal
    routing applies too)."""
    if not entry.permit:
        return [], True
    usable = [exits for exits in (connected_exits(device, a, vrf) for a in entry.next_hops) if exits]
    if usable and entry.verify:
        return [exit_ for exits in usable for exit_ in exits], True
    if usable:
        return usable[0], False
    for name in entry.interfaces:
        if carries_through_traffic(device, name):
            return [towards_destination(device, name)], False
    if has_explicit_route(device, packet.dst, vrf):
        return [], True
    for address in entry.default_next_hops:
        if connected_exits(device, address, vrf):
            return connected_exits(device, address, vrf), bool(device.dynamic_routing)
    for name in entry.default_interfaces:
        if carries_through_traffic(device, name):
            return [towards_destination(device, name)], bool(device.dynamic_routing)
    return [], True


def routing_exits(device: Device, if_name: str, packet: Header) -> list[Exit]:
    """Normal routing, after the policy route of `if_name` if it has one."""
    vrf = device.interfaces[if_name].vrf
    normal = forwarding_exits(device, packet.dst, vrf)
    name = device.interfaces[if_name].policy_route
    table = device.policy_routes.get(name) if name is not None else None
    if table is None:
        return normal
    exits: list[Exit] = []
    for entry in sorted(table.entries, key=lambda e: e.sequence):
        names = entry.match_acls
        surely = names is None or any(n in device.acls and filter_permits(device, n, packet) for n in names)
        maybe = names is not None and any(n not in device.acls for n in names)
        if not (surely or maybe):
            continue
        chosen, also_normal = entry_outcome(device, entry, packet, vrf)
        exits += chosen + (normal if also_normal else [])
        if surely:
            return exits
    return exits + normal


# NAT between the filters (`Device.nat_between_filters`, IOS order of operation), static
# rules only:
# - The inbound ACL sees the packet as it arrives. Then the first static rule whose mapped
#   side is the arrival interface and whose mapped addresses hold the destination rewrites it
#   to the real address, unless the rule is `routed_as_mapped`. Then the box, then routing.
# - Per exit: a `routed_as_mapped` rule from the arrival interface (mapped side) to the exit
#   (real side) rewrites a mapped destination to the real one; then the first static rule from
#   the arrival interface (real side) to the exit (mapped side) whose real addresses hold the
#   source rewrites it; the outbound ACL sees the result.


def device_enter_between_filters(
    simulation: Simulation, name: str, device: Device, if_name: str, arriving: Header
) -> None:
    interface = device.interfaces[if_name]
    if not filter_permits(device, interface.acl_in, arriving):
        return
    statics = [rule for rule in nat_order(device) if rule.kind == "static" and rule.mapped_source is not None]
    packet = arriving
    for rule in statics:
        if (
            not rule.routed_as_mapped
            and nat_on(rule.mapped_interface, if_name)
            and within(rule.mapped_source, packet.dst)
        ):
            packet = replace(packet, dst=mapped_address(packet.dst, rule.mapped_source, rule.real_source))
            break
    if simulation.owns_in_table(name, if_name, packet.dst):
        simulation.endpoints.add(("device", name, "", ""))
        return
    if interface.management_only:
        return
    for exit_ in routing_exits(device, if_name, packet):
        out = exit_.interface
        if exit_.discard or not carries_through_traffic(device, out):
            continue
        leaving = packet
        for rule in statics:
            if (
                rule.routed_as_mapped
                and nat_on(rule.mapped_interface, if_name)
                and nat_on(rule.real_interface, out)
                and within(rule.mapped_source, leaving.dst)
            ):
                leaving = replace(leaving, dst=mapped_address(leaving.dst, rule.mapped_source, rule.real_source))
                break
        for rule in statics:
            if (
                nat_on(rule.real_interface, if_name)
                and nat_on(rule.mapped_interface, out)
                and within(rule.real_source, leaving.src)
            ):
                leaving = replace(leaving, src=mapped_address(leaving.src, rule.real_source, rule.mapped_source))
                break
        if filter_permits(device, device.interfaces[out].acl_out, leaving):
            simulation.hand_over(name, exit_, leaving)


def device_enter(simulation: Simulation, name: str, device: Device, if_name: str, arriving: Header) -> None:
    interface = device.interfaces[if_name]
    if interface.shutdown or not interface.passes_traffic:
        return
    if device.nat_between_filters and device.nat_rules:
        device_enter_between_filters(simulation, name, device, if_name, arriving)
        return
    packet, rule, direction, egress = untranslate_and_divert(device, if_name, arriving)
    reply = device.stateful and is_reply(packet)
    if simulation.owns_in_table(name, if_name, packet.dst):
        if box_accepts(simulation, name, device, if_name, packet):
            simulation.endpoints.add(("device", name, "", ""))
            relay_reply(simulation, name, device, if_name, packet)
        return
    if not reply and not filter_permits(device, interface.acl_in, packet):
        return
    if interface.management_only:
        return
    table = interface.vrf
    relay_request(simulation, name, device, if_name, packet)
    relay_reply(simulation, name, device, if_name, packet)  # to a relay interface of another VRF
    if interface.multicast and packet.dst >> 28 == 0xE:
        multicast_forward(simulation, name, device, if_name, packet, reply)
    exits = (
        exits_via(device, packet.dst, egress, table)
        if egress in device.interfaces
        else routing_exits(device, if_name, packet)
    )
    for exit_ in exits:
        if exit_.discard or not carries_through_traffic(device, exit_.interface):
            continue
        if reply:
            passes = connection_permitted(device, exit_.interface, if_name, reversed_header(packet))
        else:
            passes = connection_permitted(device, if_name, exit_.interface, packet)
        if passes:
            simulation.hand_over(
                name, exit_, translate_source(device, rule, direction, if_name, exit_.interface, packet)
            )


def reachable_endpoints(
    network: Network,
    packet: PacketLike,
    *,
    segment: str = "",
    device: str = "",
    interface: str = "",
    boundary: Iterable[tuple[str, str]] = (),
) -> set[OracleEndpoint]:
    """Where `packet` can end up when it starts on `segment`, or enters `device` via `interface`."""
    simulation = Simulation(network, packet, frozenset(boundary))
    if segment:
        simulation.start_on_segment(segment)
    else:
        simulation.enter(device, interface, simulation.packet)
    return simulation.endpoints


# --- UDP broadcast relay (DHCP relay agent) ------------------------------------------------
#
# - A UDP packet to a port in `Device.relayed_udp_ports`, to 255.255.255.255 or to the
#   directed broadcast of a subnet (shorter than /31) of the interface it arrives by, which
#   has relay targets and a primary address, once its inbound ACL admits it (and the
#   interface carries through traffic): one packet per target, to the target, routed by
#   the device with no outbound ACL. Port 67: from the interface's primary address, ports
#   67 → 67. Other ports: the destination only, and also with the source set to the primary
#   address. The packet is forwarded as usual as well. On its start segment such a
#   broadcast to the segment's subnet goes to the relaying member too.
# - A UDP packet to port 67 the device accepts at an address of an interface with relay
#   targets (up, carrying through traffic, with a primary address) goes to the hosts of that
#   interface's segment (when it holds any), or out of the network when the interface ends it.


def primary_of(device: Device, if_name: str) -> int | None:
    addresses = [a.address for a in device.interfaces[if_name].addresses if not a.secondary]
    return addresses[0] if addresses else None


def relays_request(name: str, simulation: Simulation, if_name: str) -> bool:
    device = simulation.network.devices[name]
    interface = device.interfaces[if_name]
    packet = simulation.packet
    if packet.proto != UDP or packet.dport not in device.relayed_udp_ports:
        return False
    if not interface.relay_targets or primary_of(device, if_name) is None:
        return False
    if not carries_through_traffic(device, if_name):
        return False
    broadcasts = {ALL_BITS}
    for address in interface.addresses:
        if address.prefix_length < 31:
            broadcasts.add(address.network | (ALL_BITS >> address.prefix_length))
    return packet.dst in broadcasts


def relay_table(interface: Interface, target: RelayTarget) -> str:
    """The VRF a request relayed to `target` is routed in: the target's, global, else the interface's."""
    if target.vrf is not None:
        return target.vrf
    return "" if target.global_table else interface.vrf


def has_a_host(simulation: Simulation, segment: Segment) -> bool:
    """Some address of the segment's subnets (the first 4,096 of each) is a host's."""
    return any(
        is_host(simulation.network, segment, address)
        for network, length in segment.subnets
        for address in range(network, network + min(1 << (32 - length), 4096))
    )


def relay_request(simulation: Simulation, name: str, device: Device, if_name: str, packet: Header) -> None:
    interface = device.interfaces[if_name]
    own = primary_of(device, if_name)
    if own is None or not interface.relay_targets or packet.proto != UDP:
        return
    if packet.dport not in device.relayed_udp_ports:
        return
    broadcasts = {ALL_BITS} | {
        a.network | (ALL_BITS >> a.prefix_length) for a in interface.addresses if a.prefix_length < 31
    }
    if packet.dst not in broadcasts:
        return
    for target in interface.relay_targets:
        if packet.dport == 67:
            headers = [replace(packet, src=own, dst=target.address, sport=67)]
        else:
            headers = [replace(packet, dst=target.address), replace(packet, src=own, dst=target.address)]
        table = relay_table(interface, target)
        for exit_ in forwarding_exits(device, target.address, table):
            if exit_.discard or not carries_through_traffic(device, exit_.interface):
                continue
            for header in headers:
                simulation.hand_over(name, exit_, header)


def relay_reply(simulation: Simulation, name: str, device: Device, arrival: str, packet: Header) -> None:
    if packet.proto != UDP or packet.dport != 67:
        return
    arrival_table = device.interfaces[arrival].vrf
    for if_name, interface in device.interfaces.items():
        if not interface.relay_targets or primary_of(device, if_name) is None:
            continue
        tables = {interface.vrf}
        for target in interface.relay_targets:
            tables.add(relay_table(interface, target))
        if arrival_table not in tables:
            continue
        if not carries_through_traffic(device, if_name):
            continue
        if not any(a.address == packet.dst for a in interface.addresses):
            continue
        segment_id = simulation.network.segment_of.get((name, if_name))
        if (name, if_name) in simulation.boundary or segment_id is None:
            simulation.endpoints.add(("exit", name, if_name, ""))
            continue
        segment = simulation.network.segments[segment_id]
        if has_a_host(simulation, segment):
            simulation.endpoints.add(("hosts", "", "", segment_id))


# --- multicast routing ---------------------------------------------------------------------
#
# - A packet to 224.0.0.0/4 admitted on an interface with `multicast` (carrying through
#   traffic) leaves by every other such interface whose filters pass it as a forwarded
#   packet; its unicast forwarding stays as it is.
# - Beyond it: out of the network at a boundary or unlinked interface; else the segment's
#   hosts (when it holds any) and every other member interface with `multicast`.


def multicast_forward(
    simulation: Simulation, name: str, device: Device, if_name: str, packet: Header, reply: bool
) -> None:
    for out in sorted(device.interfaces):
        interface = device.interfaces[out]
        if out == if_name or not interface.multicast or not carries_through_traffic(device, out):
            continue
        if reply:
            passes = connection_permitted(device, out, if_name, reversed_header(packet))
        else:
            passes = connection_permitted(device, if_name, out, packet)
        if not passes:
            continue
        segment_id = simulation.network.segment_of.get((name, out))
        if (name, out) in simulation.boundary or segment_id is None:
            simulation.endpoints.add(("exit", name, out, ""))
            continue
        segment = simulation.network.segments[segment_id]
        if has_a_host(simulation, segment):
            simulation.endpoints.add(("hosts", "", "", segment_id))
        for member in segment.members:
            if member != (name, out) and simulation.network.devices[member[0]].interfaces[member[1]].multicast:
                simulation.enter(member[0], member[1], packet)
