"""Hypothesis strategies for the engine's property tests.

Everything is drawn from small universes (a few subnets, a few hosts, a few ports) so
that random ACL lines, routes and packets actually hit each other; a uniformly random
address would almost never match a random wildcard. Optional features are drawn with
`sometimes`, which shrinks towards "off", so that failing examples shrink to small,
readable networks.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from dataclasses import replace as dc_replace
from typing import Any

import oracle
from hypothesis import HealthCheck, settings
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
    NatRule,
    PolicyRule,
    PortRange,
    Route,
    RouteKind,
    Source,
    Topology,
    ToTheBox,
    Wildcard,
    format_prefix,
    int_to_ip,
    ip_to_int,
    prefix_mask,
)
from nankoku_netcheck.reach.packets import Packet
from nankoku_netcheck.vendors.cisco_asa.policy import GlobalBinding, NamedInterface, asa_policy

PROTO_GRE = 47
PROTO_OSPF = 89

# --- address universes ---------------------------------------------------------------------

ACL_SUBNETS = tuple(ip_to_int(text) for text in ("10.0.0.0", "10.0.1.0", "192.168.10.0"))
HOST_OCTETS = (0, 1, 2, 3, 127, 128, 129, 254, 255)
ACL_ADDRESSES = tuple(subnet + octet for subnet in ACL_SUBNETS for octet in HOST_OCTETS)

# Contiguous and non-contiguous wildcard masks (0.0.255.0 style "any third octet" included).
WILDCARD_MASKS = (0, 0xFF, 0x7F, 0x03, 0xFFFF, IPV4_MAX, 0xFF00, 0x0F0F, 0x80, 0x00FF00FF, 0x01000001)

# Subnets the random networks put on interfaces; 10.0.0.0/25 overlaps 10.0.0.0/24 on purpose.
SUBNET_POOL = tuple(
    (ip_to_int(net), length)
    for net, length in (
        ("10.0.0.0", 24),
        ("10.0.1.0", 24),
        ("10.0.2.0", 24),
        ("10.0.0.0", 25),
        ("10.0.3.0", 30),
        ("10.0.4.0", 31),
        ("10.0.4.9", 32),
    )
)
VIRTUAL_OFFSET = 10  # first-hop-redundancy address: shared by every interface that has one there


def host_offsets(length: int) -> tuple[int, ...]:
    if length >= 31:
        return (0, 1) if length == 31 else (0,)
    return (1, 2) if length >= 30 else (1, 2, 3, 4)


OFF_NETWORK = tuple(
    ip_to_int(text)
    for text in ("10.0.5.1", "10.0.5.77", "10.0.6.9", "10.0.4.20", "10.0.2.200", "10.0.0.200", "8.8.8.8", "172.16.0.1")
)
NETWORK_ADDRESSES = tuple(
    sorted(
        {
            network + offset
            for network, length in SUBNET_POOL
            for offset in (
                *host_offsets(length),
                99 if length < 30 else 3,
                VIRTUAL_OFFSET if length < 30 else 1,
                0,
                (1 << (32 - length)) - 1,
            )  # network and broadcast addresses: no host's
        }
        | set(OFF_NETWORK)
    )
)

# Default routes three times over: most devices get one, so packets travel further.
ROUTE_PREFIXES = tuple(
    (ip_to_int(net), length)
    for net, length in (
        ("0.0.0.0", 0),
        ("0.0.0.0", 0),
        ("0.0.0.0", 0),
        ("10.0.0.0", 16),
        ("10.0.2.0", 24),
        ("10.0.2.128", 25),
        ("10.0.4.0", 23),
        ("10.0.5.0", 24),
        ("10.0.6.0", 24),
        ("8.8.8.8", 32),
        ("10.0.1.0", 24),
    )
)
NEXT_HOPS = tuple(
    sorted(
        {network + offset for network, length in SUBNET_POOL for offset in host_offsets(length)}
        | {ip_to_int(text) for text in ("10.0.0.10", "10.0.5.1", "10.0.6.1", "172.16.0.1", "8.8.8.8")}
    )
)

PORT_EDGES = (0, 1, 22, 23, 53, 80, 443, 1023, 1024, 8080, 65534, PORT_MAX)
PORT_VALUES = tuple(sorted({p + d for p in PORT_EDGES for d in (-1, 0, 1) if 0 <= p + d <= PORT_MAX}))
ICMP_TYPES = (0, 3, 8, 11)
ICMP_PACKET_TYPES = (0, 3, 5, 8, 11)
ICMP_CODES = (0, 1, 3, 4)
PROTOCOL_CHOICES: tuple[tuple[int, ...] | None, ...] = (
    None,
    (PROTO_TCP,),
    (PROTO_UDP,),
    (PROTO_TCP, PROTO_UDP),
    (PROTO_ICMP,),
    (PROTO_GRE,),
    (PROTO_ICMP, PROTO_GRE),
)
PACKET_PROTOCOLS = (PROTO_TCP, PROTO_UDP, PROTO_ICMP, PROTO_GRE, PROTO_OSPF)

SOURCE = Source("random.cfg", 1, "generated")


PERCENT = st.integers(0, 99)
ANY_ADDRESS = st.integers(0, IPV4_MAX)


def sometimes(draw: st.DrawFn, percent: int) -> bool:
    """True with about `percent` % probability; shrinks to False."""
    return draw(PERCENT) >= 100 - percent


# --- ACLs ----------------------------------------------------------------------------------
# Strategies are built once per universe and reused: building them inside every draw
# made generation, not checking, dominate the run time.


def addresses_in(universe: Sequence[int]) -> st.SearchStrategy[int]:
    """Mostly addresses from `universe`, sometimes any address at all."""
    if not universe:
        return ANY_ADDRESS
    known = st.sampled_from(universe)

    @st.composite
    def build(draw: st.DrawFn) -> int:
        return draw(ANY_ADDRESS) if sometimes(draw, 10) else draw(known)

    return build()


def wildcards(universe: Sequence[int] = ACL_ADDRESSES) -> st.SearchStrategy[Wildcard]:
    addresses = addresses_in(universe)
    masks = st.sampled_from(WILDCARD_MASKS)

    @st.composite
    def build(draw: st.DrawFn) -> Wildcard:
        address = draw(addresses)
        mask = draw(masks)
        if sometimes(draw, 20):
            # Parsers may keep address bits under the wildcard; they must not matter.
            address ^= draw(ANY_ADDRESS) & mask
        return Wildcard(address, mask)

    return build()


PORT_KINDS = st.sampled_from(("eq", "lt", "gt", "range", "neq", "several"))
EDGE_PORTS = st.sampled_from(PORT_EDGES)
SEVERAL_PORTS = st.lists(EDGE_PORTS, min_size=2, max_size=3, unique=True)


@st.composite
def port_unions(draw: st.DrawFn) -> tuple[PortRange, ...]:
    """eq / lt / gt / range / neq (two ranges) / several eq (object-group ports)."""
    kind = draw(PORT_KINDS)
    port = draw(EDGE_PORTS)
    if kind == "lt" and port > 0:
        return (PortRange(0, port - 1),)
    if kind == "gt" and port < PORT_MAX:
        return (PortRange(port + 1, PORT_MAX),)
    if kind == "range":
        other = draw(EDGE_PORTS)
        return (PortRange(min(port, other), max(port, other)),)
    if kind == "neq":
        ranges = []
        if port > 0:
            ranges.append(PortRange(0, port - 1))
        if port < PORT_MAX:
            ranges.append(PortRange(port + 1, PORT_MAX))
        return tuple(ranges)
    if kind == "several":
        return tuple(PortRange(p, p) for p in draw(SEVERAL_PORTS))
    return (PortRange(port, port),)


PORT_UNIONS = port_unions()
PROTOCOL_SETS = st.sampled_from(PROTOCOL_CHOICES)
ICMP_ENTRY_LISTS = st.lists(
    st.builds(IcmpMatch, st.sampled_from(ICMP_TYPES), st.one_of(st.none(), st.sampled_from(ICMP_CODES))),
    min_size=1,
    max_size=2,
).map(tuple)


def matches(universe: Sequence[int] = ACL_ADDRESSES) -> st.SearchStrategy[Match]:
    """A well-formed conjunction: ports only with protocols ⊆ {tcp, udp}, established only
    with tcp or any, ICMP types only with icmp or any."""
    address_sets = st.one_of(st.none(), st.lists(wildcards(universe), min_size=1, max_size=2).map(tuple))

    @st.composite
    def build(draw: st.DrawFn) -> Match:
        protocols = draw(PROTOCOL_SETS)
        src = draw(address_sets)
        dst = draw(address_sets)
        with_ports = protocols in ((PROTO_TCP,), (PROTO_UDP,), (PROTO_TCP, PROTO_UDP))
        src_ports = draw(PORT_UNIONS) if with_ports and sometimes(draw, 30) else None
        dst_ports = draw(PORT_UNIONS) if with_ports and sometimes(draw, 60) else None
        established = protocols in (None, (PROTO_TCP,)) and sometimes(draw, 25)
        icmp = draw(ICMP_ENTRY_LISTS) if protocols in (None, (PROTO_ICMP,)) and sometimes(draw, 40) else None
        return Match(
            protocols=protocols,
            src=src,
            dst=dst,
            src_ports=src_ports,
            dst_ports=dst_ports,
            established=established,
            icmp=icmp,
        )

    return build()


ACTIONS = st.sampled_from((Action.PERMIT, Action.DENY))


def acl_lines(universe: Sequence[int] = ACL_ADDRESSES) -> st.SearchStrategy[AclLine]:
    """Both actions, object-group style unions of conjunctions, some lines not fully
    understood and some approximated (the engine ignores such deny lines)."""
    conjunctions = st.lists(matches(universe), min_size=1, max_size=2).map(tuple)

    @st.composite
    def build(draw: st.DrawFn) -> AclLine:
        action = draw(ACTIONS)
        matched = draw(conjunctions)
        understood = not sometimes(draw, 15)
        approximation = "time-range ignored" if sometimes(draw, 10) else ""
        return AclLine(
            action=action, matches=matched, source=SOURCE, understood=understood, approximation=approximation
        )

    return build()


def acls(universe: Sequence[int] = ACL_ADDRESSES, max_lines: int = 6) -> st.SearchStrategy[Acl]:
    """Random ACLs named "A" (rename with dataclasses.replace)."""
    return st.lists(acl_lines(universe), max_size=max_lines).map(
        lambda lines: Acl(name="A", lines=tuple(lines), source=SOURCE)
    )


# --- packets -------------------------------------------------------------------------------

PACKET_PROTOCOL_CHOICES = st.sampled_from(PACKET_PROTOCOLS)
PORT_NUMBERS = st.one_of(st.sampled_from(PORT_VALUES), st.integers(0, PORT_MAX))
ICMP_PACKET_TYPE_CHOICES = st.sampled_from(ICMP_PACKET_TYPES)
ICMP_CODE_CHOICES = st.sampled_from(ICMP_CODES)


def packets(universe: Sequence[int] = ACL_ADDRESSES) -> st.SearchStrategy[Packet]:
    """A valid header: ports only on tcp/udp, ICMP fields only on icmp, established only on tcp."""
    addresses = addresses_in(universe)

    @st.composite
    def build(draw: st.DrawFn) -> Packet:
        proto = draw(PACKET_PROTOCOL_CHOICES)
        src = draw(addresses)
        dst = draw(addresses)
        if proto in (PROTO_TCP, PROTO_UDP):
            return Packet(
                src=src,
                dst=dst,
                proto=proto,
                sport=draw(PORT_NUMBERS),
                dport=draw(PORT_NUMBERS),
                established=proto == PROTO_TCP and draw(st.booleans()),
            )
        if proto == PROTO_ICMP:
            return Packet(
                src=src,
                dst=dst,
                proto=proto,
                icmp_type=draw(ICMP_PACKET_TYPE_CHOICES),
                icmp_code=draw(ICMP_CODE_CHOICES),
            )
        return Packet(src=src, dst=dst, proto=proto)

    return build()


# --- networks ------------------------------------------------------------------------------

StartPoint = tuple[str, str, str]  # (segment, device, interface); segment "" = enter the device


@dataclass(frozen=True)
class NetworkCase:
    network: Network
    boundary: frozenset[tuple[str, str]]
    starts: tuple[StartPoint, ...]
    addresses: tuple[int, ...]  # interface and virtual addresses, hosts on its subnets, a few beyond

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:
        # Hypothesis prints failing examples with this hook; the full dataclass dump is unreadable.
        printer.text("NetworkCase:\n" + describe_network(self))


ACL_REFERENCES = st.sampled_from((None, None, None, None, None, None, None, "A", "B", "UNDEFINED"))
SUBNETS = st.sampled_from(SUBNET_POOL)
HOST_OFFSETS = {length: st.sampled_from(host_offsets(length)) for _, length in SUBNET_POOL}


@st.composite
def interfaces(draw: st.DrawFn, name: str) -> Interface:
    """Mostly one address from the subnet pool; sometimes none (unnumbered), a secondary,
    a first-hop-redundancy address, shutdown, or ACLs in/out (some undefined)."""
    addresses: list[InterfaceAddress] = []
    virtual: tuple[int, ...] = ()
    if not sometimes(draw, 10):
        network, length = draw(SUBNETS)
        addresses.append(InterfaceAddress(network + draw(HOST_OFFSETS[length]), length))
        if length < 30 and sometimes(draw, 10):
            virtual = (network + VIRTUAL_OFFSET,)
        if sometimes(draw, 10):
            network, length = draw(SUBNETS)
            addresses.append(InterfaceAddress(network + draw(HOST_OFFSETS[length]), length, secondary=True))
    return Interface(
        name=name,
        source=SOURCE,
        addresses=tuple(addresses),
        virtual_addresses=virtual,
        shutdown=sometimes(draw, 10),
        acl_in=draw(ACL_REFERENCES),
        acl_out=draw(ACL_REFERENCES),
        directed_broadcast=sometimes(draw, 8),
        kind="loopback" if sometimes(draw, 12) else "physical",
    )


ROUTE_PREFIX_CHOICES = st.sampled_from(ROUTE_PREFIXES)
ROUTE_KINDS = st.sampled_from(("next-hop", "next-hop", "next-hop", "interface", "both", "null0"))
DISTANCES = st.sampled_from((1, 1, 1, 5))


def static_routes(interface_names: Sequence[str], next_hops: st.SearchStrategy[int]) -> st.SearchStrategy[Route]:
    """Next hop (recursive), interface, interface + next hop, or Null0; on overlapping
    prefixes, with equal or different distances; some never resolve (no route to the
    next hop, a shut or missing interface)."""
    exit_interfaces = st.sampled_from((*interface_names, "Serial9"))

    @st.composite
    def build(draw: st.DrawFn) -> Route:
        network, length = draw(ROUTE_PREFIX_CHOICES)
        kind = draw(ROUTE_KINDS)
        common = {
            "prefix": network,
            "prefix_length": length,
            "kind": RouteKind.STATIC,
            "source": SOURCE,
            "distance": draw(DISTANCES),
        }
        if kind == "null0":
            return Route(**common, interface="Null0", discard=True)
        if kind == "interface":
            return Route(**common, interface=draw(exit_interfaces))
        if kind == "both":
            return Route(**common, interface=draw(exit_interfaces), next_hop=draw(next_hops))
        return Route(**common, next_hop=draw(next_hops))

    return build()


NETWORK_ACLS = acls(NETWORK_ADDRESSES, max_lines=4)
PERMIT_ANY = AclLine(action=Action.PERMIT, matches=(Match(),), source=SOURCE)


@st.composite
def network_acls(draw: st.DrawFn, name: str) -> Acl:
    """Like `acls`, but often ending in "permit ip any any" so that some traffic gets through."""
    acl = draw(NETWORK_ACLS)
    lines = (*acl.lines, PERMIT_ANY) if sometimes(draw, 50) else acl.lines
    return Acl(name=name, lines=lines, source=SOURCE)


INTERFACE_COUNTS = st.integers(1, 4)


@st.composite
def devices(draw: st.DrawFn, name: str) -> Device:
    """A router without routes (they are drawn once every interface address is known)."""
    names = [f"Gi0/{index}" for index in range(draw(INTERFACE_COUNTS))]
    device = Device(name=name, vendor="cisco_ios", source_file=f"{name}.cfg", hostname=name)
    device.interfaces = {if_name: draw(interfaces(if_name)) for if_name in names}
    referenced = {n for i in device.interfaces.values() for n in (i.acl_in, i.acl_out)}
    device.acls = {acl_name: draw(network_acls(acl_name)) for acl_name in ("A", "B") if acl_name in referenced}
    device.undefined_acl_permits = not sometimes(draw, 5)
    return device


def neighbour_addresses(device: Device, by_name: dict[str, Device]) -> list[int]:
    """Other routers' addresses inside the subnets of `device`'s interfaces."""
    subnets = {(a.network, a.prefix_length) for i in device.interfaces.values() for a in i.addresses}
    return sorted(
        {
            a.address
            for other in by_name.values()
            if other is not device
            for interface in other.interfaces.values()
            for a in interface.addresses
            if any(a.address & prefix_mask(length) == network for network, length in subnets)
        }
    )


def empty_topology() -> Topology:
    return Topology(
        path="random.yaml",
        version=1,
        name="random",
        policy="test",
        configs_dir=".",
        devices=(),
        links=(),
        zones=(),
        external_peers=(),
        channels=(),
        exceptions=(),
    )


# Property tests run a fixed, reproducible set of examples; NANKOKU_EXPLORE=1 searches
# fresh ones, ten times as many, when hunting bugs.
EXPLORE = os.environ.get("NANKOKU_EXPLORE") == "1"


def examples(count: int) -> settings:
    return settings(
        max_examples=count * 10 if EXPLORE else count,
        deadline=None,
        derandomize=not EXPLORE,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )


# Static routes that can never be installed (exit interface shut or missing, next hop
# resolving nowhere) are generated too: routes depending on them must resolve through
# the next best installable route. False keeps only the routes the oracle installs.
GENERATE_UNUSABLE_ROUTES = True


def usable_routes(device: Device) -> list[Route]:
    """The routes the oracle installs. Dropping a route that loops may let another resolve
    or leave it resolving nowhere, hence the repetition."""
    routes = list(device.routes)
    while True:
        device.routes = routes
        kept = [route for route in routes if oracle.route_exits(device, route, None, ())]
        if kept == routes:
            return routes
        routes = kept


DEVICE_COUNTS = st.integers(2, 5)
ANY_NEXT_HOP = st.sampled_from(NEXT_HOPS)


@st.composite
def networks(draw: st.DrawFn) -> NetworkCase:
    """2–5 routers with 1–4 interfaces each on a few shared subnets, so segments form."""
    device_names = [f"R{index}" for index in range(1, draw(DEVICE_COUNTS) + 1)]
    by_name = {name: draw(devices(name)) for name in device_names}
    configured = sorted(
        {a.address for d in by_name.values() for i in d.interfaces.values() for a in i.addresses}
        | {v for d in by_name.values() for i in d.interfaces.values() for v in i.virtual_addresses}
    )
    for device in by_name.values():
        # Next hops are mostly neighbours' addresses so that multi-hop paths form.
        choices = [st.sampled_from(pool) for pool in (neighbour_addresses(device, by_name), configured) if pool]
        next_hops = st.one_of(*choices, ANY_NEXT_HOP)
        device.routes = draw(st.lists(static_routes(list(device.interfaces), next_hops), max_size=4))
        if not GENERATE_UNUSABLE_ROUTES:
            device.routes = usable_routes(device)
    network = build_network(empty_topology(), by_name)
    every_interface = [(d, i) for d in device_names for i in by_name[d].interfaces]
    boundary = frozenset(member for member in every_interface if sometimes(draw, 10))
    starts = [(segment_id, "", "") for segment_id in sorted(network.segments)]
    starts += [("", device_name, if_name) for device_name, if_name in every_interface]
    hosts = {
        network_ + offset
        for segment in network.segments.values()
        for network_, length in segment.subnets
        for offset in ((1, 2, 3) if length >= 30 else (3, 4, 99))
    }
    addresses = tuple(sorted(set(configured) | hosts | set(OFF_NETWORK)))
    return NetworkCase(network, boundary, tuple(starts), addresses)


# --- mixed IOS / ASA networks (stateful firewalls, static and twice NAT) ---------------------

ASA_NAMEIFS = ("outside", "dmz", "inside", "partner")
SECURITY_LEVEL_CHOICES = st.sampled_from((0, 0, 50, 50, 100))
ASA_ACL_IN = st.sampled_from((None, None, None, "A", "B"))
ASA_ACL_OUT = st.sampled_from((None, None, None, None, "B"))

# Static NAT maps one prefix onto one of the same length. Mapped prefixes lie off every
# interface subnet (routes lead there): proxy ARP for mapped addresses is not modelled.
NAT_REAL_PREFIXES = tuple(
    (ip_to_int(net), length)
    for net, length in (
        ("10.0.0.0", 24),
        ("10.0.1.0", 24),
        ("10.0.2.0", 24),
        ("10.0.0.0", 25),
        ("10.0.3.0", 30),
        ("10.0.0.3", 32),
        ("10.0.1.4", 32),
        ("10.0.2.99", 32),
        ("10.0.0.99", 32),
        ("10.0.3.1", 32),
        ("10.0.1.1", 32),
    )
)
NAT_MAPPED_PREFIXES = {
    length: tuple(ip_to_int(net) for net in nets)
    for length, nets in (
        (24, ("10.0.5.0", "10.0.6.0", "10.0.8.0")),
        (25, ("10.0.5.0", "10.0.5.128")),
        (30, ("10.0.5.8", "10.0.6.0")),
        (32, ("10.0.5.77", "10.0.6.9", "172.16.0.1", "8.8.8.8", "10.0.5.1", "10.0.4.20")),
    )
}
NAT_REAL_CHOICES = st.sampled_from(NAT_REAL_PREFIXES)
NAT_MAPPED_CHOICES = {length: st.sampled_from(nets) for length, nets in NAT_MAPPED_PREFIXES.items()}
NAT_ADDRESSES = tuple(
    sorted(
        {
            network + offset
            for length, nets in NAT_MAPPED_PREFIXES.items()
            for network in nets
            for offset in ((0,) if length == 32 else (1, 2, 3))
        }
    )
)


def asa_acl(acl: Acl) -> Acl:
    """ASA ACLs have no `established` keyword."""
    lines = tuple(
        dc_replace(line, matches=tuple(dc_replace(m, established=False) for m in line.matches)) for line in acl.lines
    )
    return dc_replace(acl, lines=lines)


@dataclass(frozen=True)
class AsaPort:
    """An ASA interface as its config says it: nameif (None: unnamed), level, inbound ACL."""

    nameif: str | None
    level: int
    acl_in: str | None = None


@st.composite
def asa_interfaces(draw: st.DrawFn, name: str, nameif: str) -> tuple[Interface, AsaPort]:
    """One address (no secondaries, no HSRP on an ASA), mostly with a nameif, a security
    level, sometimes management-only or shut; ACLs in (A, B) and out (B), never undefined."""
    base = draw(interfaces(name))
    interface = dc_replace(
        base,
        addresses=base.addresses[:1],
        virtual_addresses=(),
        management_only=sometimes(draw, 10),
        acl_in=None,
        acl_out=draw(ASA_ACL_OUT),
    )
    port = AsaPort(None if sometimes(draw, 10) else nameif, draw(SECURITY_LEVEL_CHOICES), draw(ASA_ACL_IN))
    return interface, port


def make_asa(
    device: Device,
    ports: Mapping[str, AsaPort],
    global_acl: str | None = None,
    inter: bool = False,
    intra: bool = False,
) -> Device:
    """Make `device` an ASA as its parser would: the ports' nameifs, levels and inbound
    ACLs, the global ACL and the same-security settings become its policy (the plugin's
    own translation, vendors/cisco_asa/policy.py)."""
    named = []
    for number, (name, port) in enumerate(sorted(ports.items()), start=1):
        interface = device.interfaces[name]
        properties = ((("nameif", port.nameif),) if port.nameif else ()) + interface.properties
        device.interfaces[name] = dc_replace(
            interface, passes_traffic=port.nameif is not None, acl_in=None, acl_in_source=None, properties=properties
        )
        if port.nameif is not None:
            level = Source(device.source_file, number * 10, f" security-level {port.level}")
            binding = Source(device.source_file, number * 10 + 1, f"access-group {port.acl_in} in interface x")
            named.append(NamedInterface(name, port.nameif, port.level, level, port.acl_in, binding))
    shared = GlobalBinding(global_acl, Source(device.source_file, 999, f"access-group {global_acl} global"))
    device.policy = asa_policy(named, device.acls, inter, intra, shared if global_acl else None)
    device.stateful = True
    device.to_the_box = ToTheBox.ARRIVAL_ONLY
    device.undefined_acl_permits = False
    return device


@st.composite
def static_nat_rules(draw: st.DrawFn, names: Sequence[str], order: int, twice: bool | None = None) -> NatRule:
    """A static object NAT rule, a source-only twice NAT rule or a twice NAT rule with a
    static destination; (real, mapped) interfaces named or `any`; sometimes `route-lookup`."""
    interfaces_ = st.sampled_from((*names, None))
    real, length = draw(NAT_REAL_CHOICES)
    mapped = draw(NAT_MAPPED_CHOICES[length])
    if twice is None:
        twice = draw(st.booleans())
    destination: dict[str, Any] = {}
    if twice and sometimes(draw, 80):
        real_destination, destination_length = draw(NAT_REAL_CHOICES)
        mapped_destination = real_destination if sometimes(draw, 15) else draw(NAT_MAPPED_CHOICES[destination_length])
        destination = {
            "real_destination": ((real_destination, destination_length),),
            "mapped_destination": ((mapped_destination, destination_length),),
        }
    return NatRule(
        source=Source("random.cfg", order, "nat"),
        section=(draw(st.sampled_from((1, 3))) if twice else 2),
        order=order,
        kind="static",
        real_interface=draw(interfaces_),
        mapped_interface=draw(interfaces_),
        real_source=((real, length),),
        mapped_source=((mapped, length),),
        **destination,
        route_lookup=sometimes(draw, 25),
    )


@st.composite
def asa_devices(draw: st.DrawFn, name: str, nat: bool = True) -> Device:
    """A firewall without routes: 2–4 interfaces, ACLs per interface and sometimes a global
    one, same-security settings, 0–3 static NAT rules."""
    names = [f"Gi0/{index}" for index in range(draw(st.integers(2, 4)))]
    device = Device(
        name=name,
        vendor="cisco_asa",
        source_file=f"{name}.cfg",
        hostname=name,
        stateful=True,
        undefined_acl_permits=False,
    )
    drawn = {if_name: draw(asa_interfaces(if_name, ASA_NAMEIFS[index])) for index, if_name in enumerate(names)}
    device.interfaces = {if_name: interface for if_name, (interface, _) in drawn.items()}
    ports = {if_name: port for if_name, (_, port) in drawn.items()}
    global_acl = "G" if sometimes(draw, 25) else None
    referenced = {i.acl_out for i in device.interfaces.values()} | {p.acl_in for p in ports.values()} | {global_acl}
    device.acls = {
        acl_name: asa_acl(draw(network_acls(acl_name))) for acl_name in ("A", "B", "G") if acl_name in referenced
    }
    make_asa(device, ports, global_acl, inter=sometimes(draw, 40), intra=sometimes(draw, 30))
    if nat:
        named = [name for name, port in sorted(ports.items()) if port.nameif]
        device.nat_rules = [draw(static_nat_rules(named, order)) for order in range(draw(st.integers(0, 3)))]
    return device


def asa_routes(interface_names: Sequence[str], next_hops: st.SearchStrategy[int]) -> st.SearchStrategy[Route]:
    """`route IF PREFIX MASK GATEWAY [DISTANCE]`, sometimes `route null0`."""
    exits = st.sampled_from(tuple(interface_names))

    @st.composite
    def build(draw: st.DrawFn) -> Route:
        network, length = draw(ROUTE_PREFIX_CHOICES)
        common = {
            "prefix": network,
            "prefix_length": length,
            "kind": RouteKind.STATIC,
            "source": SOURCE,
            "distance": draw(DISTANCES),
        }
        if sometimes(draw, 10):
            return Route(**common, interface="Null0", discard=True)
        return Route(**common, interface=draw(exits), next_hop=draw(next_hops))

    return build()


def network_case(by_name: dict[str, Device], draw: st.DrawFn, extra_addresses: Sequence[int] = ()) -> NetworkCase:
    """Segments, boundary, starts and the packet address universe of devices with routes."""
    network = build_network(empty_topology(), by_name)
    every_interface = [(d, i) for d in by_name for i in by_name[d].interfaces]
    boundary = frozenset(member for member in every_interface if sometimes(draw, 10))
    starts = [(segment_id, "", "") for segment_id in sorted(network.segments)]
    starts += [("", device_name, if_name) for device_name, if_name in every_interface]
    configured = {a.address for d in by_name.values() for i in d.interfaces.values() for a in i.addresses}
    hosts = {
        network_ + offset
        for segment in network.segments.values()
        for network_, length in segment.subnets
        for offset in ((1, 2, 3) if length >= 30 else (3, 4, 99))
    }
    addresses = tuple(sorted(configured | hosts | set(OFF_NETWORK) | set(extra_addresses)))
    return NetworkCase(network, boundary, tuple(starts), addresses)


@st.composite
def mixed_networks(draw: st.DrawFn, nat: bool = True) -> NetworkCase:
    """2–4 devices on shared subnets, 1–2 of them ASA firewalls (F1, F2), the rest IOS routers."""
    count = draw(st.integers(2, 4))
    firewalls = draw(st.integers(1, min(2, count)))
    by_name = {f"F{index}": draw(asa_devices(f"F{index}", nat)) for index in range(1, firewalls + 1)}
    by_name |= {f"R{index}": draw(devices(f"R{index}")) for index in range(1, count - firewalls + 1)}
    configured = sorted(
        {a.address for d in by_name.values() for i in d.interfaces.values() for a in i.addresses}
        | {v for d in by_name.values() for i in d.interfaces.values() for v in i.virtual_addresses}
    )
    for device in by_name.values():
        choices = [st.sampled_from(pool) for pool in (neighbour_addresses(device, by_name), configured) if pool]
        next_hops = st.one_of(*choices, ANY_NEXT_HOP)
        routes = (
            asa_routes(list(device.interfaces), next_hops)
            if device.stateful
            else static_routes(list(device.interfaces), next_hops)
        )
        device.routes = draw(st.lists(routes, max_size=4))
    return network_case(by_name, draw, NAT_ADDRESSES if nat else ())


# --- devices with an ordered policy between interfaces (zone-based firewalls) -----------------

POLICY_ACL_NAMES = ("P", "Q", "P", "UNDEFINED")
POLICY_LINES = st.lists(acl_lines(NETWORK_ADDRESSES), max_size=2)


def interface_sets(names: Sequence[str]) -> st.SearchStrategy[tuple[str, ...] | None]:
    """None (any interface) or a non-empty subset of `names` (sometimes naming one that does not exist)."""
    return st.one_of(
        st.none(),
        st.lists(st.sampled_from((*names, "Gi9/9")), min_size=1, max_size=3, unique=True).map(
            lambda chosen: tuple(sorted(chosen))
        ),
    )


@st.composite
def policy_rules(draw: st.DrawFn, names: Sequence[str], number: int) -> PolicyRule:
    """A rule between random interface sets with inline lines or a named ACL (some
    undefined, some with no entries), often ending in "permit ip any any"."""
    sets = interface_sets(names)
    source = Source("random.cfg", 100 + number, f"policy {number}")
    if sometimes(draw, 40):
        return PolicyRule(
            f"policy {number}", source, draw(sets), draw(sets), acl=draw(st.sampled_from(POLICY_ACL_NAMES))
        )
    lines = tuple(draw(POLICY_LINES))
    if sometimes(draw, 50):
        action = Action.PERMIT if sometimes(draw, 70) else Action.DENY
        lines += (AclLine(action=action, matches=(Match(),), source=source),)
    return PolicyRule(f"policy {number}", source, draw(sets), draw(sets), lines=lines)


@st.composite
def policy_devices(draw: st.DrawFn, name: str, nat: bool = True) -> Device:
    """A device with 2–4 interfaces (some passing no traffic or management-only), interface
    ACLs sometimes, 0–4 policy rules, stateful or not, any way of deciding traffic to the box
    (`ToTheBox`), sometimes static NAT."""
    names = [f"Gi0/{index}" for index in range(draw(st.integers(2, 4)))]
    device = Device(name=name, vendor="policy", source_file=f"{name}.cfg", hostname=name)
    device.interfaces = {}
    for if_name in names:
        base = draw(interfaces(if_name))
        device.interfaces[if_name] = dc_replace(
            base,
            acl_in=base.acl_in if sometimes(draw, 50) else None,
            acl_out=base.acl_out if sometimes(draw, 30) else None,
            passes_traffic=not sometimes(draw, 5),
            management_only=sometimes(draw, 5),
        )
    device.policy = tuple(draw(policy_rules(names, number)) for number in range(draw(st.integers(0, 4))))
    referenced = {n for i in device.interfaces.values() for n in (i.acl_in, i.acl_out)}
    referenced |= {rule.acl for rule in device.policy}
    device.acls = {
        acl_name: draw(network_acls(acl_name)) for acl_name in ("A", "B", "P", "Q") if acl_name in referenced
    }
    device.stateful = sometimes(draw, 70)
    # VIA_POLICY twice: its answers depend on the policy, the most to get wrong.
    device.to_the_box = draw(st.sampled_from([*ToTheBox, ToTheBox.VIA_POLICY]))
    if device.to_the_box is ToTheBox.VIA_POLICY and sometimes(draw, 50):
        # An administration rule from one interface to another (random rules seldom permit a pair).
        pair = tuple(draw(st.permutations(names))[:2])
        admin = PolicyRule(
            "policy admin",
            Source(device.source_file, 99, "policy admin"),
            None if sometimes(draw, 50) else pair[:1],
            None if sometimes(draw, 50) else pair[1:],
            lines=(AclLine(Action.PERMIT, (Match(),), Source(device.source_file, 99, "policy admin")),),
        )
        position = draw(st.integers(0, len(device.policy)))
        device.policy = (*device.policy[:position], admin, *device.policy[position:])
    device.undefined_acl_permits = sometimes(draw, 50)
    if nat and sometimes(draw, 30):
        device.nat_rules = [draw(static_nat_rules(names, order)) for order in range(draw(st.integers(1, 2)))]
    return device


def crossing_packets(case: NetworkCase, device_name: str) -> st.SearchStrategy[tuple[StartPoint, Packet]]:
    """Packets that enter `device_name` by one interface, addressed to a host on the subnet of
    another (or beyond it: any address of the universe), so that its filters between the two decide."""
    device = case.network.devices[device_name]
    numbered = sorted(name for name, interface in device.interfaces.items() if interface.addresses)
    if not numbered:
        return st.tuples(st.sampled_from(case.starts), packets(case.addresses))

    @st.composite
    def build(draw: st.DrawFn) -> tuple[StartPoint, Packet]:
        entering = draw(st.sampled_from(numbered))
        target = device.interfaces[draw(st.sampled_from(numbered))].addresses[0]
        segment = case.network.segment_of.get((device_name, entering))
        start: StartPoint = (segment, "", "") if segment and draw(st.booleans()) else ("", device_name, entering)
        packet = draw(packets(case.addresses))
        owned = {a.address for interface in device.interfaces.values() for a in interface.addresses}
        offsets = [o for o in ((3, 4, 99) if target.prefix_length < 30 else host_offsets(target.prefix_length))]
        hosts = [target.network + o for o in offsets if target.network + o not in owned]
        if sometimes(draw, 25):
            # To the box: mostly to the address of the other interface, which decides how it answers.
            mine = target.address if sometimes(draw, 60) else draw(st.sampled_from(sorted(owned)))
            packet = dc_replace(packet, dst=mine)
        elif hosts and sometimes(draw, 80):
            packet = dc_replace(packet, dst=draw(st.sampled_from(hosts)))
        if segment and start[0]:
            source = device.interfaces[entering].addresses[0]
            packet = dc_replace(packet, src=source.network + draw(st.sampled_from(host_offsets(source.prefix_length))))
        return start, packet

    return build()


@st.composite
def policy_networks(draw: st.DrawFn) -> NetworkCase:
    """2–4 devices on shared subnets: 1–2 policy devices (P1, P2), and IOS routers and ASA
    firewalls for the rest."""
    count = draw(st.integers(2, 4))
    with_policy = draw(st.integers(1, min(2, count)))
    by_name = {f"P{index}": draw(policy_devices(f"P{index}")) for index in range(1, with_policy + 1)}
    for index in range(1, count - with_policy + 1):
        by_name[f"X{index}"] = draw(asa_devices(f"X{index}")) if draw(st.booleans()) else draw(devices(f"X{index}"))
    configured = sorted(
        {a.address for d in by_name.values() for i in d.interfaces.values() for a in i.addresses}
        | {v for d in by_name.values() for i in d.interfaces.values() for v in i.virtual_addresses}
    )
    for device in by_name.values():
        choices = [st.sampled_from(pool) for pool in (neighbour_addresses(device, by_name), configured) if pool]
        next_hops = st.one_of(*choices, ANY_NEXT_HOP)
        device.routes = draw(st.lists(static_routes(list(device.interfaces), next_hops), max_size=4))
    return network_case(by_name, draw, NAT_ADDRESSES)


@st.composite
def nat_networks(draw: st.DrawFn, twice: bool) -> NetworkCase:
    """Firewall F1 (outside 10.0.0.1/24, inside 10.0.1.1/24, dmz 10.0.2.1/24) behind router R1
    (10.0.0.2, and a boundary link 10.0.3.1/30 to the rest of the world), 1–3 static NAT
    rules (object NAT, or twice NAT with `twice`), random levels, ACLs and routes on F1."""
    firewall = Device(
        name="F1", vendor="cisco_asa", source_file="F1.cfg", hostname="F1", stateful=True, undefined_acl_permits=False
    )
    layout = (
        ("Gi0/0", "outside", "10.0.0.1", 24),
        ("Gi0/1", "inside", "10.0.1.1", 24),
        ("Gi0/2", "dmz", "10.0.2.1", 24),
    )
    firewall.interfaces = {
        name: Interface(
            name=name,
            source=SOURCE,
            addresses=(InterfaceAddress(ip_to_int(address), length),),
            acl_out=draw(ASA_ACL_OUT),
        )
        for name, _, address, length in layout
    }
    ports = {name: AsaPort(nameif, draw(SECURITY_LEVEL_CHOICES), draw(ASA_ACL_IN)) for name, nameif, _, _ in layout}
    global_acl = "G" if sometimes(draw, 25) else None
    referenced = {i.acl_out for i in firewall.interfaces.values()} | {p.acl_in for p in ports.values()} | {global_acl}
    firewall.acls = {
        acl_name: asa_acl(draw(network_acls(acl_name))) for acl_name in ("A", "B", "G") if acl_name in referenced
    }
    make_asa(firewall, ports, global_acl, inter=sometimes(draw, 40))
    firewall.nat_rules = [
        draw(static_nat_rules(("Gi0/0", "Gi0/1", "Gi0/2"), order, twice)) for order in range(draw(st.integers(1, 3)))
    ]
    to_r1 = ip_to_int("10.0.0.2")
    firewall.routes = [
        Route(prefix=0, prefix_length=0, kind=RouteKind.STATIC, source=SOURCE, interface="Gi0/0", next_hop=to_r1)
    ]
    router = Device(name="R1", vendor="cisco_ios", source_file="R1.cfg", hostname="R1")
    router.interfaces = {
        "Gi0/0": Interface(name="Gi0/0", source=SOURCE, addresses=(InterfaceAddress(to_r1, 24),)),
        "Gi0/1": Interface(name="Gi0/1", source=SOURCE, addresses=(InterfaceAddress(ip_to_int("10.0.3.1"), 30),)),
    }
    # Mapped prefixes and the firewall's real networks lie behind F1, the rest of the world beyond Gi0/1.
    router.routes = [
        Route(
            prefix=network, prefix_length=length, kind=RouteKind.STATIC, source=SOURCE, next_hop=ip_to_int("10.0.0.1")
        )
        for network, length in ((ip_to_int("10.0.0.0"), 16), (ip_to_int("172.16.0.1"), 32), (ip_to_int("8.8.8.8"), 32))
    ]
    router.routes.append(
        Route(prefix=0, prefix_length=0, kind=RouteKind.STATIC, source=SOURCE, next_hop=ip_to_int("10.0.3.2"))
    )
    by_name = {"F1": firewall, "R1": router}
    network = build_network(empty_topology(), by_name)
    starts = [(segment_id, "", "") for segment_id in sorted(network.segments)] + [("", "R1", "Gi0/1")]
    hosts = {ip_to_int(f"10.0.{third}.{fourth}") for third in (0, 1, 2) for fourth in (1, 3, 4, 99)}
    addresses = tuple(
        sorted(
            hosts | set(NAT_ADDRESSES) | {network_ for network_, _ in NAT_REAL_PREFIXES} | {ip_to_int("198.51.100.7")}
        )
    )
    return NetworkCase(network, frozenset({("R1", "Gi0/1")}), tuple(starts), addresses)


# --- ASA config text with nested object-groups ---------------------------------------------

GroupMember = tuple[str, ...]  # ("host", A) | ("subnet", A, MASK) | ("object", NAME) | ("group", NAME)
AclEntry = tuple[str, str, str, GroupMember, GroupMember, GroupMember | None]  # acl, action, proto, src, dst, dport


@dataclass(frozen=True)
class GroupConfig:
    """Generated ASA config text and the structure it was written from (for an independent resolver)."""

    text: str
    objects: dict[str, GroupMember]  # object network NAME: ("host", A) | ("subnet", A, MASK)
    network_groups: dict[str, tuple[GroupMember, ...]]
    port_groups: dict[str, tuple[GroupMember, ...]]  # ("eq", P) | ("range", LO, HI) | ("group", NAME)
    entries: tuple[AclEntry, ...]


GROUP_HOSTS = tuple(f"10.0.{third}.{fourth}" for third in (0, 1, 2) for fourth in (3, 4, 99, 130, 200))
GROUP_SUBNETS = (
    ("10.0.1.0", "255.255.255.128"),
    ("10.0.2.128", "255.255.255.192"),
    ("10.0.0.192", "255.255.255.224"),
    ("10.0.1.96", "255.255.255.240"),
    ("10.0.2.0", "255.255.255.0"),
)
GROUP_PORTS = (22, 80, 443, 8080, 1000, 2000)


@st.composite
def address_members(draw: st.DrawFn) -> GroupMember:
    if draw(st.booleans()):
        return ("host", draw(st.sampled_from(GROUP_HOSTS)))
    return ("subnet", *draw(st.sampled_from(GROUP_SUBNETS)))


@st.composite
def group_configs(draw: st.DrawFn) -> GroupConfig:
    """A firewall (outside 10.0.0.1/24 level 0, inside 10.0.1.1/24 level 100, dmz 10.0.2.1/24
    level 50) whose ACLs use network and port object-groups nested up to four deep."""
    objects = {f"OBJ{index}": draw(address_members()) for index in range(draw(st.integers(0, 2)))}
    network_groups: dict[str, tuple[GroupMember, ...]] = {}
    for index in range(draw(st.integers(1, 4))):
        members: list[GroupMember] = [draw(address_members()) for _ in range(draw(st.integers(0, 2)))]
        if objects and sometimes(draw, 40):
            members.append(("object", draw(st.sampled_from(sorted(objects)))))
        earlier = [f"NET{i}" for i in range(index)]
        if earlier:
            members += [("group", name) for name in draw(st.lists(st.sampled_from(earlier), max_size=2, unique=True))]
        if not members:
            members.append(draw(address_members()))
        network_groups[f"NET{index}"] = tuple(members)
    port_groups: dict[str, tuple[GroupMember, ...]] = {}
    for index in range(draw(st.integers(0, 3))):
        ports: list[GroupMember] = []
        for _ in range(draw(st.integers(1, 2))):
            low, high = sorted(draw(st.lists(st.sampled_from(GROUP_PORTS), min_size=2, max_size=2)))
            ports.append(("eq", str(low)) if sometimes(draw, 60) else ("range", str(low), str(high)))
        earlier = [f"PORTS{i}" for i in range(index)]
        if earlier and sometimes(draw, 60):
            ports.append(("group", draw(st.sampled_from(earlier))))
        port_groups[f"PORTS{index}"] = tuple(ports)
    endpoints = st.one_of(
        st.just(("any",)),
        st.sampled_from(GROUP_HOSTS).map(lambda a: ("host", a)),
        st.sampled_from(sorted(network_groups)).map(lambda g: ("group", g)),
        *([st.sampled_from(sorted(objects)).map(lambda o: ("object", o))] if objects else []),
    )
    entries: list[AclEntry] = []
    for _ in range(draw(st.integers(1, 6))):
        acl = draw(st.sampled_from(("IN-OUTSIDE", "IN-INSIDE", "IN-DMZ", "GLOBAL")))
        proto = draw(st.sampled_from(("ip", "tcp", "udp", "icmp")))
        dport: GroupMember | None = None
        if proto in ("tcp", "udp") and sometimes(draw, 70):
            if port_groups and draw(st.booleans()):
                dport = ("group", draw(st.sampled_from(sorted(port_groups))))
            else:
                dport = ("eq", str(draw(st.sampled_from(GROUP_PORTS))))
        entries.append((acl, draw(st.sampled_from(("permit", "deny"))), proto, draw(endpoints), draw(endpoints), dport))
    bound = {entry[0] for entry in entries}

    def words(member: GroupMember) -> str:
        kind = member[0]
        return {
            "any": "any",
            "host": f"host {member[-1]}",
            "group": f"object-group {member[-1]}",
            "object": f"object {member[-1]}",
        }[kind]

    lines = ["ASA Version 9.8(4)", "hostname F1"]
    for index, (nameif, level, address) in enumerate(
        (("outside", 0, "10.0.0.1"), ("inside", 100, "10.0.1.1"), ("dmz", 50, "10.0.2.1"))
    ):
        lines += [
            f"interface GigabitEthernet0/{index}",
            f" nameif {nameif}",
            f" security-level {level}",
            f" ip address {address} 255.255.255.0",
        ]
    for name, member in objects.items():
        body = f" host {member[1]}" if member[0] == "host" else f" subnet {member[1]} {member[2]}"
        lines += [f"object network {name}", body]
    for name, members in network_groups.items():
        lines.append(f"object-group network {name}")
        for member in members:
            if member[0] == "group":
                lines.append(f" group-object {member[1]}")
            elif member[0] == "subnet":
                lines.append(f" network-object {member[1]} {member[2]}")
            else:
                lines.append(f" network-object {member[0]} {member[1]}")
    for name, members in port_groups.items():
        lines.append(f"object-group service {name} tcp-udp")
        for member in members:
            lines.append(f" group-object {member[1]}" if member[0] == "group" else f" port-object {' '.join(member)}")
    for acl, action, proto, src, dst, dport in entries:
        port = "" if dport is None else (f" eq {dport[1]}" if dport[0] == "eq" else f" object-group {dport[1]}")
        lines.append(f"access-list {acl} extended {action} {proto} {words(src)} {words(dst)}{port}")
    for acl, nameif in (("IN-OUTSIDE", "outside"), ("IN-INSIDE", "inside"), ("IN-DMZ", "dmz")):
        if acl in bound:
            lines.append(f"access-group {acl} in interface {nameif}")
    if "GLOBAL" in bound:
        lines.append("access-group GLOBAL global")
    lines.append("route outside 0.0.0.0 0.0.0.0 10.0.0.254")
    return GroupConfig("\n".join(lines) + "\n", objects, network_groups, port_groups, tuple(entries))


def describe_firewalls(case: NetworkCase) -> str:
    """What `describe_network` leaves out for stateful and policy devices: flags, interfaces
    that pass no traffic, the policy, NAT."""
    lines = []
    for device in case.network.devices.values():
        if not device.stateful and device.policy is None:
            continue
        lines.append(f"{device.name}: stateful={device.stateful} to_the_box={device.to_the_box.value}")
        for interface in device.interfaces.values():
            lines.append(
                f"  {interface.name} passes_traffic={interface.passes_traffic}"
                f"{' management-only' if interface.management_only else ''}"
            )
        for rule in device.policy or ():
            lines.append(
                f"  rule {rule.name!r} from={rule.from_interfaces} to={rule.to_interfaces} acl={rule.acl} "
                f"lines={describe_lines(rule.lines)}"
            )
        for rule in device.nat_rules:

            def prefixes(value: tuple[tuple[int, int], ...] | None) -> str:
                return "any" if value is None else ",".join(format_prefix(*p) for p in value)

            lines.append(
                f"  nat section {rule.section} ({rule.real_interface},{rule.mapped_interface}) source "
                f"{prefixes(rule.real_source)} -> {prefixes(rule.mapped_source)}"
                + (
                    f" destination {prefixes(rule.mapped_destination)} -> {prefixes(rule.real_destination)}"
                    if rule.real_destination is not None
                    else ""
                )
                + (" route-lookup" if rule.route_lookup else "")
            )
    return "\n".join(lines)


def describe_network(case: NetworkCase) -> str:
    """A compact text form of a generated network, for hypothesis' failure notes."""
    lines = []
    for device in case.network.devices.values():
        lines.append(f"{device.name} (undefined ACL permits: {device.undefined_acl_permits})")
        for interface in device.interfaces.values():
            addresses = (
                " ".join(
                    f"{int_to_ip(a.address)}/{a.prefix_length}{' sec' if a.secondary else ''}"
                    for a in interface.addresses
                )
                or "no address"
            )
            virtual = " ".join(f"vip {int_to_ip(a)}" for a in interface.virtual_addresses)
            state = " shutdown" if interface.shutdown else ""
            edge = " BOUNDARY" if (device.name, interface.name) in case.boundary else ""
            edge += f" vrf {interface.vrf}" if interface.vrf else ""
            lines.append(
                f"  {interface.name} {addresses} {virtual}{state}{edge} in={interface.acl_in} out={interface.acl_out}"
            )
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


def describe_lines(lines: Sequence[AclLine]) -> str:
    return "; ".join(
        f"{line.action.value}{'' if line.understood else ' NOT-UNDERSTOOD'}{' APPROX' if line.approximation else ''} "
        f"{describe_matches(line.matches)}"
        for line in lines
    )


def describe_matches(conjunctions: Sequence[Match]) -> str:
    parts = []
    for match in conjunctions:
        fields = [f"proto={match.protocols}"]
        for label, wildcards_ in (("src", match.src), ("dst", match.dst)):
            if wildcards_ is not None:
                fields.append(
                    f"{label}=" + ",".join(f"{int_to_ip(w.address)}/{int_to_ip(w.wildcard)}" for w in wildcards_)
                )
        for label, ranges in (("sport", match.src_ports), ("dport", match.dst_ports)):
            if ranges is not None:
                fields.append(f"{label}=" + ",".join(f"{r.low}-{r.high}" for r in ranges))
        if match.established:
            fields.append("established")
        if match.icmp is not None:
            fields.append("icmp=" + ",".join(f"{e.icmp_type}/{e.code}" for e in match.icmp))
        parts.append("(" + " ".join(fields) + ")")
    return " | ".join(parts)
