"""Hypothesis strategies for the engine's property tests.

Everything is drawn from small universes (a few subnets, a few hosts, a few ports) so
that random ACL lines, routes and packets actually hit each other; a uniformly random
address would almost never match a random wildcard. Optional features are drawn with
`sometimes`, which shrinks towards "off", so that failing examples shrink to small,
readable networks.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from hypothesis import strategies as st

from nankoku_netcheck.graph import Network, build_network
from nankoku_netcheck.model import (
    IPV4_MAX,
    PORT_MAX,
    PROTO_ICMP,
    PROTO_TCP,
    PROTO_UDP,
    Acl,
    AclLine,
    Action,
    Device,
    IcmpMatch,
    Interface,
    InterfaceAddress,
    Match,
    PortRange,
    Route,
    RouteKind,
    Source,
    Topology,
    Wildcard,
    format_prefix,
    int_to_ip,
    ip_to_int,
)
from nankoku_netcheck.reach.packets import Packet

PROTO_GRE = 47
PROTO_OSPF = 89

# --- address universes ---------------------------------------------------------------------

ACL_SUBNETS = tuple(ip_to_int(text) for text in ("10.0.0.0", "10.0.1.0", "192.168.10.0"))
HOST_OCTETS = (0, 1, 2, 3, 127, 128, 129, 254, 255)
ACL_ADDRESSES = tuple(subnet + octet for subnet in ACL_SUBNETS for octet in HOST_OCTETS)

# Contiguous and non-contiguous wildcard masks (0.0.255.0 style "any third octet" included).
WILDCARD_MASKS = (0, 0xFF, 0x7F, 0x03, 0xFFFF, IPV4_MAX, 0xFF00, 0x0F0F, 0x80, 0x00FF00FF, 0x01000001)

# Subnets the random networks put on interfaces; 10.0.0.0/25 overlaps 10.0.0.0/24 on purpose.
SUBNET_POOL = tuple((ip_to_int(net), length) for net, length in (
    ("10.0.0.0", 24), ("10.0.1.0", 24), ("10.0.2.0", 24), ("10.0.0.0", 25), ("10.0.3.0", 30)))
VIRTUAL_OFFSET = 10  # first-hop-redundancy address: shared by every interface that has one there


def host_offsets(length: int) -> tuple[int, ...]:
    return (1, 2) if length >= 30 else (1, 2, 3, 4)


OFF_NETWORK = tuple(ip_to_int(text) for text in (
    "10.0.5.1", "10.0.5.77", "10.0.6.9", "10.0.4.20", "10.0.2.200", "10.0.0.200", "8.8.8.8", "172.16.0.1"))
NETWORK_ADDRESSES = tuple(sorted({
    network + offset
    for network, length in SUBNET_POOL
    for offset in (*host_offsets(length), 99 if length < 30 else 3, VIRTUAL_OFFSET if length < 30 else 1)
} | set(OFF_NETWORK)))

ROUTE_PREFIXES = tuple((ip_to_int(net), length) for net, length in (
    ("0.0.0.0", 0), ("10.0.0.0", 16), ("10.0.2.0", 24), ("10.0.2.128", 25), ("10.0.4.0", 23),
    ("10.0.5.0", 24), ("10.0.6.0", 24), ("8.8.8.8", 32), ("10.0.1.0", 24)))
NEXT_HOPS = tuple(sorted({
    network + offset for network, length in SUBNET_POOL for offset in host_offsets(length)
} | {ip_to_int(text) for text in ("10.0.0.10", "10.0.5.1", "10.0.6.1", "172.16.0.1", "8.8.8.8")}))

PORT_EDGES = (0, 1, 22, 23, 53, 80, 443, 1023, 1024, 8080, 65534, PORT_MAX)
PORT_VALUES = tuple(sorted({p + d for p in PORT_EDGES for d in (-1, 0, 1) if 0 <= p + d <= PORT_MAX}))
ICMP_TYPES = (0, 3, 8, 11)
ICMP_PACKET_TYPES = (0, 3, 5, 8, 11)
ICMP_CODES = (0, 1, 3, 4)
PROTOCOL_CHOICES: tuple[tuple[int, ...] | None, ...] = (
    None, (PROTO_TCP,), (PROTO_UDP,), (PROTO_TCP, PROTO_UDP), (PROTO_ICMP,), (PROTO_GRE,), (PROTO_ICMP, PROTO_GRE))
PACKET_PROTOCOLS = (PROTO_TCP, PROTO_UDP, PROTO_ICMP, PROTO_GRE, PROTO_OSPF)

SOURCE = Source("random.cfg", 1, "generated")


def sometimes(draw: st.DrawFn, percent: int) -> bool:
    """True with about `percent` % probability; shrinks to False."""
    return draw(st.integers(0, 99)) >= 100 - percent


# --- ACLs ----------------------------------------------------------------------------------


def addresses_in(universe: Sequence[int]) -> st.SearchStrategy[int]:
    return st.one_of(st.sampled_from(universe), st.integers(0, IPV4_MAX)) if universe else st.integers(0, IPV4_MAX)


@st.composite
def wildcards(draw: st.DrawFn, universe: Sequence[int] = ACL_ADDRESSES) -> Wildcard:
    address = draw(st.sampled_from(universe)) if not sometimes(draw, 10) else draw(st.integers(0, IPV4_MAX))
    mask = draw(st.sampled_from(WILDCARD_MASKS))
    if sometimes(draw, 20):
        # Parsers may keep address bits under the wildcard; they must not matter.
        address ^= draw(st.integers(0, IPV4_MAX)) & mask
    return Wildcard(address, mask)


@st.composite
def port_unions(draw: st.DrawFn) -> tuple[PortRange, ...]:
    """eq / lt / gt / range / neq (two ranges) / several eq (object-group ports)."""
    kind = draw(st.sampled_from(("eq", "lt", "gt", "range", "neq", "several")))
    port = draw(st.sampled_from(PORT_EDGES))
    if kind == "lt" and port > 0:
        return (PortRange(0, port - 1),)
    if kind == "gt" and port < PORT_MAX:
        return (PortRange(port + 1, PORT_MAX),)
    if kind == "range":
        other = draw(st.sampled_from(PORT_EDGES))
        return (PortRange(min(port, other), max(port, other)),)
    if kind == "neq":
        ranges = []
        if port > 0:
            ranges.append(PortRange(0, port - 1))
        if port < PORT_MAX:
            ranges.append(PortRange(port + 1, PORT_MAX))
        return tuple(ranges)
    if kind == "several":
        ports = draw(st.lists(st.sampled_from(PORT_EDGES), min_size=2, max_size=3, unique=True))
        return tuple(PortRange(p, p) for p in ports)
    return (PortRange(port, port),)


icmp_entries = st.builds(IcmpMatch, st.sampled_from(ICMP_TYPES), st.one_of(st.none(), st.sampled_from(ICMP_CODES)))


@st.composite
def matches(draw: st.DrawFn, universe: Sequence[int] = ACL_ADDRESSES) -> Match:
    """A well-formed conjunction: ports only with protocols ⊆ {tcp, udp}, established only
    with tcp or any, ICMP types only with icmp or any."""
    protocols = draw(st.sampled_from(PROTOCOL_CHOICES))
    address_sets = st.one_of(st.none(), st.lists(wildcards(universe), min_size=1, max_size=2).map(tuple))
    src = draw(address_sets)
    dst = draw(address_sets)
    with_ports = protocols in ((PROTO_TCP,), (PROTO_UDP,), (PROTO_TCP, PROTO_UDP))
    src_ports = draw(port_unions()) if with_ports and sometimes(draw, 30) else None
    dst_ports = draw(port_unions()) if with_ports and sometimes(draw, 60) else None
    established = protocols in (None, (PROTO_TCP,)) and sometimes(draw, 25)
    icmp = None
    if protocols in (None, (PROTO_ICMP,)) and sometimes(draw, 40):
        icmp = tuple(draw(st.lists(icmp_entries, min_size=1, max_size=2)))
    return Match(protocols=protocols, src=src, dst=dst, src_ports=src_ports, dst_ports=dst_ports,
                 established=established, icmp=icmp)


@st.composite
def acl_lines(draw: st.DrawFn, universe: Sequence[int] = ACL_ADDRESSES) -> AclLine:
    action = draw(st.sampled_from((Action.PERMIT, Action.DENY)))
    conjunctions = tuple(draw(st.lists(matches(universe), min_size=1, max_size=2)))
    understood = not sometimes(draw, 15)
    approximation = "time-range ignored" if sometimes(draw, 10) else ""
    return AclLine(action=action, matches=conjunctions, source=SOURCE, understood=understood,
                   approximation=approximation)


@st.composite
def acls(draw: st.DrawFn, universe: Sequence[int] = ACL_ADDRESSES, name: str = "A",
         max_lines: int = 6) -> Acl:
    lines = tuple(draw(st.lists(acl_lines(universe), max_size=max_lines)))
    return Acl(name=name, lines=lines, source=SOURCE)


# --- packets -------------------------------------------------------------------------------


@st.composite
def packets(draw: st.DrawFn, universe: Sequence[int] = ACL_ADDRESSES) -> Packet:
    """A valid header: ports only on tcp/udp, ICMP fields only on icmp, established only on tcp."""
    proto = draw(st.sampled_from(PACKET_PROTOCOLS))
    src = draw(addresses_in(universe))
    dst = draw(addresses_in(universe))
    port_values = st.one_of(st.sampled_from(PORT_VALUES), st.integers(0, PORT_MAX))
    if proto in (PROTO_TCP, PROTO_UDP):
        return Packet(src=src, dst=dst, proto=proto, sport=draw(port_values), dport=draw(port_values),
                      established=proto == PROTO_TCP and draw(st.booleans()))
    if proto == PROTO_ICMP:
        return Packet(src=src, dst=dst, proto=proto, icmp_type=draw(st.sampled_from(ICMP_PACKET_TYPES)),
                      icmp_code=draw(st.sampled_from(ICMP_CODES)))
    return Packet(src=src, dst=dst, proto=proto)


network_packets = packets(NETWORK_ADDRESSES)


# --- networks ------------------------------------------------------------------------------

StartPoint = tuple[str, str, str]  # (segment, device, interface); segment "" = enter the device


@dataclass(frozen=True)
class NetworkCase:
    network: Network
    boundary: frozenset[tuple[str, str]]
    starts: tuple[StartPoint, ...]

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:
        # Hypothesis prints failing examples with this hook; the full dataclass dump is unreadable.
        printer.text("NetworkCase:\n" + describe_network(self))


ACL_REFERENCES = (None, None, None, None, None, None, "A", "A", "B", "UNDEFINED")


@st.composite
def interfaces(draw: st.DrawFn, name: str) -> Interface:
    addresses: list[InterfaceAddress] = []
    virtual: tuple[int, ...] = ()
    if not sometimes(draw, 10):
        network, length = draw(st.sampled_from(SUBNET_POOL))
        addresses.append(InterfaceAddress(network + draw(st.sampled_from(host_offsets(length))), length))
        if length < 30 and sometimes(draw, 10):
            virtual = (network + VIRTUAL_OFFSET,)
        if sometimes(draw, 10):
            network, length = draw(st.sampled_from(SUBNET_POOL))
            offset = draw(st.sampled_from(host_offsets(length)))
            addresses.append(InterfaceAddress(network + offset, length, secondary=True))
    return Interface(name=name, source=SOURCE, addresses=tuple(addresses), virtual_addresses=virtual,
                     shutdown=sometimes(draw, 15), acl_in=draw(st.sampled_from(ACL_REFERENCES)),
                     acl_out=draw(st.sampled_from(ACL_REFERENCES)))


@st.composite
def static_routes(draw: st.DrawFn, interface_names: Sequence[str]) -> Route:
    """Next hop (recursive), interface, interface + next hop, or Null0; some never resolve."""
    network, length = draw(st.sampled_from(ROUTE_PREFIXES))
    kind = draw(st.sampled_from(("next-hop", "next-hop", "next-hop", "interface", "both", "null0")))
    distance = draw(st.sampled_from((1, 1, 1, 5)))
    exit_interface = draw(st.sampled_from((*interface_names, "Serial9")))
    next_hop = draw(st.sampled_from(NEXT_HOPS))
    common = {"prefix": network, "prefix_length": length, "kind": RouteKind.STATIC, "source": SOURCE,
              "distance": distance}
    if kind == "null0":
        return Route(**common, interface="Null0", discard=True)
    if kind == "interface":
        return Route(**common, interface=exit_interface)
    if kind == "both":
        return Route(**common, interface=exit_interface, next_hop=next_hop)
    return Route(**common, next_hop=next_hop)


@st.composite
def devices(draw: st.DrawFn, name: str) -> Device:
    names = [f"Gi0/{index}" for index in range(draw(st.integers(1, 4)))]
    device = Device(name=name, vendor="cisco_ios", source_file=f"{name}.cfg", hostname=name)
    device.interfaces = {if_name: draw(interfaces(if_name)) for if_name in names}
    device.acls = {acl_name: draw(acls(NETWORK_ADDRESSES, acl_name, max_lines=4)) for acl_name in ("A", "B")}
    device.routes = draw(st.lists(static_routes(names), max_size=4))
    device.default_permit_without_acl = not sometimes(draw, 5)
    device.undefined_acl_permits = not sometimes(draw, 5)
    return device


def empty_topology() -> Topology:
    return Topology(path="random.yaml", version=1, name="random", policy="test", configs_dir=".",
                    devices=(), links=(), zones=(), external_peers=(), channels=(), exceptions=())


@st.composite
def networks(draw: st.DrawFn) -> NetworkCase:
    """2–5 routers with 1–4 interfaces each on a few shared subnets, so segments form."""
    device_names = [f"R{index}" for index in range(1, draw(st.integers(2, 5)) + 1)]
    by_name = {name: draw(devices(name)) for name in device_names}
    network = build_network(empty_topology(), by_name)
    every_interface = [(d, i) for d in device_names for i in by_name[d].interfaces]
    boundary = frozenset(member for member in every_interface if sometimes(draw, 10))
    starts = [(segment_id, "", "") for segment_id in sorted(network.segments)]
    starts += [("", device_name, if_name) for device_name, if_name in every_interface]
    return NetworkCase(network, boundary, tuple(starts))


def describe_network(case: NetworkCase) -> str:
    """A compact text form of a generated network, for hypothesis' failure notes."""
    lines = []
    for device in case.network.devices.values():
        lines.append(f"{device.name} (no-acl permits={device.default_permit_without_acl}, "
                     f"undefined-acl permits={device.undefined_acl_permits})")
        for interface in device.interfaces.values():
            addresses = " ".join(f"{int_to_ip(a.address)}/{a.prefix_length}{' sec' if a.secondary else ''}"
                                 for a in interface.addresses) or "no address"
            virtual = " ".join(f"vip {int_to_ip(a)}" for a in interface.virtual_addresses)
            state = " shutdown" if interface.shutdown else ""
            edge = " BOUNDARY" if (device.name, interface.name) in case.boundary else ""
            lines.append(f"  {interface.name} {addresses} {virtual}{state}{edge} "
                         f"in={interface.acl_in} out={interface.acl_out}")
        for route in device.routes:
            lines.append(f"  route {route.describe()} distance {route.distance}")
        for acl in device.acls.values():
            for line in acl.lines:
                flags = ("" if line.understood else " NOT-UNDERSTOOD") + (" APPROX" if line.approximation else "")
                lines.append(f"  acl {acl.name}: {line.action.value}{flags} {describe_matches(line.matches)}")
    for segment in case.network.segments.values():
        subnets = ", ".join(format_prefix(*subnet) for subnet in segment.subnets)
        lines.append(f"segment {segment.id} [{subnets}]: {segment.members}")
    return "\n".join(lines)


def describe_matches(conjunctions: Sequence[Match]) -> str:
    parts = []
    for match in conjunctions:
        fields = [f"proto={match.protocols}"]
        for label, wildcards_ in (("src", match.src), ("dst", match.dst)):
            if wildcards_ is not None:
                fields.append(f"{label}=" + ",".join(f"{int_to_ip(w.address)}/{int_to_ip(w.wildcard)}"
                                                     for w in wildcards_))
        for label, ranges in (("sport", match.src_ports), ("dport", match.dst_ports)):
            if ranges is not None:
                fields.append(f"{label}=" + ",".join(f"{r.low}-{r.high}" for r in ranges))
        if match.established:
            fields.append("established")
        if match.icmp is not None:
            fields.append("icmp=" + ",".join(f"{e.icmp_type}/{e.code}" for e in match.icmp))
        parts.append("(" + " ".join(fields) + ")")
    return " | ".join(parts)
