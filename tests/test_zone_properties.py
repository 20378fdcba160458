"""Property tests: ZONE-002 and ZONE-008 against the plain oracle (`oracle.py`, `oracle_zone.py`).

Networks are the random IOS routers of `strategies.networks`, given three zones (mynumber,
lgwan, internet) on their subnets, sometimes an internet upstream, and one external peer of
the mynumber zone attached to a random interface with random `allow` entries. The oracle
follows concrete packets; the rules see every packet, which no oracle can enumerate, so
the tests check the implications that concrete packets decide:

- ZONE-002, soundness: a packet the oracle shows crossing the link outside the allow entries
  makes the rule report a finding for that pair of classes; every counterexample packet the
  rule reports does cross the link (oracle) outside the allow entries.
- ZONE-008: the engine with routing ignored agrees with the oracle with routing ignored; a
  packet that gets from zone A to zone B with routing ignored but not with today's routes
  makes the rule warn about (A, B) (so does one that gets through when ZONE-001/005 find
  nothing for the pair); every packet and path the rule reports gets through with routing
  ignored, not with today's routes, and the path is one the oracle can walk.

Concrete cases at the end: two regressions of ZONE-008 fixes found on the way, and a strict
xfail on a known limit of "routing ignored" (no exits to unmodelled neighbours).

CI runs a fixed, reproducible set of examples; NANKOKU_EXPLORE=1 searches fresh ones (ten
times as many), as in test_engine_properties.py.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

import oracle
import oracle_zone as oz
import pytest
import strategies as gen
from engine_checks import NetworkRuns, as_start, as_tuple, runs_on
from hypothesis import event, given
from hypothesis import strategies as st

from nankoku_netcheck.graph import Network, build_network
from nankoku_netcheck.model import (
    PROTO_ICMP,
    PROTO_TCP,
    PROTO_UDP,
    ExternalPeer,
    FlowSpec,
    InterfaceRef,
    Located,
    PortRange,
    Zone,
    ZoneKind,
    format_prefix,
    ip_to_int,
)
from nankoku_netcheck.profiles import pair_policies
from nankoku_netcheck.reach.engine import ReachEngine, boundary_interfaces
from nankoku_netcheck.reach.packets import Packet, PacketSpace
from nankoku_netcheck.reach.trace import Tracer
from nankoku_netcheck.result import Finding, FlowExample, PathStep
from nankoku_netcheck.rules.flows import FlowContext
from nankoku_netcheck.rules.zone import check_zone_001, check_zone_002, check_zone_005, check_zone_008

examples = gen.examples


@pytest.fixture(scope="module")
def space() -> PacketSpace:
    return PacketSpace("auto")


# --- generated zoned networks ------------------------------------------------------------------

AT = Located("random.yaml", 1)
ZONE_PREFIX_POOL = tuple(
    (ip_to_int(net), length)
    for net, length in (
        ("10.0.0.0", 24),
        ("10.0.1.0", 24),
        ("10.0.2.0", 24),
        ("10.0.0.0", 25),
        ("10.0.3.0", 30),
        ("10.0.4.0", 23),
        ("10.0.0.0", 16),
    )
)
# Beyond every zone; 8.8.8.8/32 and 172.16.0.1 are route prefixes and next hops of the strategies.
PEER_PREFIX_POOL = tuple(
    (ip_to_int(net), length)
    for net, length in (("172.16.0.1", 32), ("8.8.8.8", 32), ("172.16.0.0", 24), ("192.0.2.10", 32))
)
ZONE_KINDS = ((ZoneKind.MYNUMBER, "mynumber"), (ZoneKind.LGWAN, "lgwan"), (ZoneKind.INTERNET, "internet"))
PEER_CLASS = "peer:peer1"


def hosts_of(prefixes: Sequence[tuple[int, int]]) -> list[int]:
    """A few addresses in each prefix: a /32 itself, else the first, second and a high host."""
    found: set[int] = set()
    for network, length in prefixes:
        size = 1 << (32 - length)
        found |= {network} if length == 32 else {network + 1, network + 2, network + min(size - 2, 99)}
    return sorted(found)


@dataclass(frozen=True)
class ZoneCase:
    network: Network
    addresses: tuple[int, ...]  # interface addresses, hosts of segments and zones, a few beyond

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:
        printer.text("ZoneCase:\n" + describe_zone_case(self))

    def owned_by(self, zone_id: str) -> list[int]:
        return [a for a in self.addresses if oz.zone_of(self.network.topology, a) == zone_id]

    def public(self) -> list[int]:
        return [a for a in self.addresses if oz.is_public(self.network.topology, a)]


def describe_zone_case(case: ZoneCase) -> str:
    topology = case.network.topology
    boundary = oz.rule_boundary(topology)
    text = gen.describe_network(gen.NetworkCase(case.network, boundary, (), ()))
    lines = [text]
    for zone in topology.zones:
        lines.append(
            f"zone {zone.id}: {', '.join(format_prefix(*p) for p in zone.prefixes)}"
            f" upstream={[str(r) for r in zone.upstream]}"
        )
    for peer in topology.external_peers:
        lines.append(f"peer {peer.id} at {peer.attach}: {', '.join(format_prefix(*p) for p in peer.addresses)}")
        for flow in peer.allow:
            lines.append(f"  allow {describe_flow(flow)}")
    return "\n".join(lines)


def describe_flow(flow: FlowSpec) -> str:
    def prefixes(items: tuple[tuple[int, int], ...]) -> str:
        return ",".join(format_prefix(*p) for p in items) or "any"

    def ports(ranges: tuple[PortRange, ...] | None) -> str:
        return "any" if ranges is None else ",".join(f"{r.low}-{r.high}" for r in ranges)

    return (
        f"proto={flow.proto} {prefixes(flow.src)} → {prefixes(flow.dst)} "
        f"sport={ports(flow.sport)} dport={ports(flow.dport)}"
    )


PREFIX_ORDERS = st.permutations(ZONE_PREFIX_POOL)
PREFIX_COUNTS = st.integers(1, 2)
PEER_PREFIXES = st.lists(st.sampled_from(PEER_PREFIX_POOL), min_size=1, max_size=2, unique=True)
FLOW_PROTOCOLS = st.sampled_from((None, PROTO_TCP, PROTO_TCP, PROTO_UDP, PROTO_ICMP))
EDGE_PORTS = st.sampled_from(gen.PORT_EDGES)


@st.composite
def allow_entries(draw: st.DrawFn, zone_side: Sequence[int], peer_side: Sequence[tuple[int, int]]) -> FlowSpec:
    """Zone → peer or peer → zone; hosts or whole prefixes or any; ports only with tcp/udp."""
    zone_prefixes = [(a, 32) for a in zone_side] + list(ZONE_PREFIX_POOL)
    near = draw(st.lists(st.sampled_from(zone_prefixes), max_size=2, unique=True)) if zone_prefixes else []
    far = draw(
        st.lists(st.sampled_from([(a, 32) for a in hosts_of(peer_side)] + list(peer_side)), max_size=2, unique=True)
    )
    src, dst = (near, far) if draw(st.booleans()) else (far, near)
    proto = draw(FLOW_PROTOCOLS)
    with_ports = proto in (PROTO_TCP, PROTO_UDP)
    dport = draw(gen.PORT_UNIONS) if with_ports and gen.sometimes(draw, 70) else None
    sport = draw(gen.PORT_UNIONS) if with_ports and gen.sometimes(draw, 15) else None
    return FlowSpec(src=tuple(src), dst=tuple(dst), proto=proto, sport=sport, dport=dport, at=AT)


@st.composite
def zoned_networks(draw: st.DrawFn, with_peer: bool) -> ZoneCase:
    """`strategies.networks` (sometimes with most routes removed) with three zones on their
    subnets, sometimes an internet upstream, and (with_peer) one external peer attached to
    another interface."""
    base = draw(gen.networks())
    devices = base.network.devices
    if gen.sometimes(draw, 50):
        # Fewer routes: more zone pairs kept apart by routing alone (what ZONE-008 is about).
        for device in devices.values():
            device.routes = [route for route in device.routes if gen.sometimes(draw, 30)]
    every_interface = [(d, i) for d in sorted(devices) for i in sorted(devices[d].interfaces)]
    order = draw(PREFIX_ORDERS)
    counts = [draw(PREFIX_COUNTS) for _ in ZONE_KINDS]
    upstream_at = draw(st.sampled_from(every_interface)) if gen.sometimes(draw, 30) else None
    zones = []
    taken = 0
    for (kind, zone_id), count in zip(ZONE_KINDS, counts, strict=True):
        upstream = (InterfaceRef(*upstream_at, AT),) if kind is ZoneKind.INTERNET and upstream_at else ()
        zones.append(Zone(zone_id, kind, zone_id, tuple(order[taken : taken + count]), upstream, AT))
        taken += count
    peers: tuple[ExternalPeer, ...] = ()
    if with_peer:
        free = [member for member in every_interface if member != upstream_at]
        attach = draw(st.sampled_from(free))
        addresses = tuple(draw(PEER_PREFIXES))
        zone_side = sorted({a for zone in zones for a in hosts_of(zone.prefixes)} | set(base.addresses))
        allow = tuple(draw(st.lists(allow_entries(zone_side, addresses), max_size=3)))
        peers = (ExternalPeer("peer1", "peer", addresses, InterfaceRef(*attach, AT), (), False, allow, AT),)
    topology = replace(gen.empty_topology(), policy="nankoku-2019", zones=tuple(zones), external_peers=peers)
    network = build_network(topology, devices)
    addresses = set(base.addresses) | {a for zone in zones for a in hosts_of(zone.prefixes)}
    addresses |= {a for peer in peers for a in hosts_of(peer.addresses)}
    return ZoneCase(network, tuple(sorted(addresses)))


def flow_context(space: PacketSpace, network: Network) -> FlowContext:
    """What analyze.flow_context builds, for a network that never was a file."""
    engine = ReachEngine(network, space, boundary_interfaces(network))
    return FlowContext(network, space, engine, Tracer(engine))


def packet_between(draw: st.DrawFn, sources: Sequence[int], destinations: Sequence[int]) -> Packet:
    """A random header (strategies.packets) with source and destination from the given lists."""
    template = draw(gen.packets(gen.ACL_ADDRESSES))
    return replace(template, src=draw(st.sampled_from(sources)), dst=draw(st.sampled_from(destinations)))


def as_packet(flow: FlowExample) -> Packet:
    proto = {"tcp": PROTO_TCP, "udp": PROTO_UDP, "icmp": PROTO_ICMP}.get(flow.proto)
    return Packet(
        src=ip_to_int(flow.src),
        dst=ip_to_int(flow.dst),
        proto=int(flow.proto) if proto is None else proto,
        sport=flow.sport or 0,
        dport=flow.dport or 0,
        established=flow.established,
        icmp_type=flow.icmp_type or 0,
        icmp_code=flow.icmp_code or 0,
    )


def pair_findings(findings: Sequence[Finding], rule: str) -> set[tuple[str, str]]:
    return {(f.from_zone, f.to_zone) for f in findings if f.rule == rule and f.flow is not None}


# --- ZONE-002 ---------------------------------------------------------------------------------

LinkRuns = tuple[ZoneCase, list[tuple[str, Packet]]]


@st.composite
def link_runs(draw: st.DrawFn) -> LinkRuns:
    """A network with a peer, and packets from the peer and to it (from a zone's address);
    some copied from an allow entry (or its reply) so that allowed packets occur."""
    case = draw(zoned_networks(with_peer=True))
    peer = case.network.topology.external_peers[0]
    peer_hosts = hosts_of(peer.addresses)
    sources = [zone.id for zone in case.network.topology.zones if case.owned_by(zone.id)]
    runs: list[tuple[str, Packet]] = []
    for _ in range(draw(st.integers(2, 10))):
        if sources and draw(st.booleans()):
            source = draw(st.sampled_from(sources))
            packet = packet_between(draw, case.owned_by(source), peer_hosts)
        else:
            source = PEER_CLASS
            packet = packet_between(draw, peer_hosts, case.addresses)
        if peer.allow and gen.sometimes(draw, 40):
            packet = inside_flow(draw, draw(st.sampled_from(peer.allow)), packet)
            source = (
                PEER_CLASS
                if oz.in_prefixes(peer.addresses, packet.src)
                else (oz.zone_of(case.network.topology, packet.src) or PEER_CLASS)
            )
        runs.append((source, packet))
    return case, runs


def inside_flow(draw: st.DrawFn, flow: FlowSpec, packet: Packet) -> Packet:
    """`packet` moved inside `flow` (or, for TCP, sometimes its reply), where the spec constrains it."""

    def pick(prefixes: tuple[tuple[int, int], ...], current: int) -> int:
        if not prefixes:
            return current
        network, length = draw(st.sampled_from(prefixes))
        return network if length == 32 else network + draw(st.integers(1, 3))

    def port(ranges: tuple[PortRange, ...] | None, current: int) -> int:
        return current if ranges is None else draw(st.sampled_from(ranges)).low

    proto = flow.proto if flow.proto is not None else packet.proto
    moved = Packet(
        src=pick(flow.src, packet.src),
        dst=pick(flow.dst, packet.dst),
        proto=proto,
        sport=port(flow.sport, packet.sport) if proto in (PROTO_TCP, PROTO_UDP) else 0,
        dport=port(flow.dport, packet.dport) if proto in (PROTO_TCP, PROTO_UDP) else 0,
        established=proto == PROTO_TCP and draw(st.booleans()),
        icmp_type=packet.icmp_type if proto == PROTO_ICMP else 0,
        icmp_code=packet.icmp_code if proto == PROTO_ICMP else 0,
    )
    if proto == PROTO_TCP and draw(st.booleans()):
        return replace(moved, src=moved.dst, dst=moved.src, sport=moved.dport, dport=moved.sport, established=True)
    return moved


@examples(100)
@given(link_runs())
def test_zone_002_against_oracle(space: PacketSpace, case_and_runs: LinkRuns) -> None:
    case, runs = case_and_runs
    network = case.network
    peer = network.topology.external_peers[0]
    findings = check_zone_002(flow_context(space, network))
    reported = pair_findings(findings, "ZONE-002")
    # (a) soundness: what the oracle shows crossing outside the allow entries is reported.
    for source, packet in runs:
        crossing = oz.crosses_link_outside_allow(network, peer, source, packet)
        event("ZONE-002 packet: " + ("crosses outside allow" if crossing else "does not cross outside allow"))
        for dest in crossing:
            assert (source, dest) in reported, f"{source} → {dest}: {packet.describe()} crosses, not reported"
    # (b) every reported counterexample crosses the link, outside the allow entries.
    for finding in findings:
        if finding.rule != "ZONE-002" or finding.flow is None:
            continue
        event("ZONE-002 counterexample checked")
        packet = as_packet(finding.flow)
        crossed = oz.crosses_link_outside_allow(network, peer, finding.from_zone, packet)
        assert finding.to_zone in crossed, (
            f"reported {finding.from_zone} → {finding.to_zone}: {packet.describe()}; oracle: {crossed}"
        )


# --- ZONE-008: routing ignored, engine against oracle ----------------------------------------------


@examples(120)
@given(runs_on(gen.networks))
def test_routing_ignored_engine_agrees_with_oracle(space: PacketSpace, case_and_runs: NetworkRuns) -> None:
    case, runs = case_and_runs
    engine = ReachEngine(case.network, space, case.boundary, routing=False)
    for start, packet in runs:
        result = engine.reach([(as_start(start), space.packet(packet))])
        delivered = {as_tuple(e) for e, packets in result.delivered.items() if space.contains(packets, packet)}
        expected = oz.endpoints(case.network, packet, start, case.boundary, routing=False)
        assert delivered == expected, f"start {start}, {packet.describe()}"
        event("routing ignored: delivered somewhere" if expected else "routing ignored: delivered nowhere")
        # Whatever the routes: routing ignored reaches every endpoint today's routes reach,
        # except exits to unmodelled neighbours (no route leads there with routing ignored).
        with_routes = oz.endpoints(case.network, packet, start, case.boundary)
        missing = {e for e in with_routes - expected if not (e[0] == "exit" and (e[1], e[2]) not in case.boundary)}
        assert not missing, f"start {start}, {packet.describe()}: only with routes {missing}"
    # Everything at once from one start: each delivered set holds only packets that really get there.
    start = runs[0][0]
    result = engine.reach([(as_start(start), space.valid)])
    for endpoint, packets in result.delivered.items():
        example = space.pick(packets)
        assert example is not None
        assert as_tuple(endpoint) in oz.endpoints(case.network, example, start, case.boundary, routing=False), (
            example.describe()
        )


# --- ZONE-008: the rule -------------------------------------------------------------------------

PairRuns = tuple[ZoneCase, list[tuple[str, str, Packet]]]


@st.composite
def pair_runs(draw: st.DrawFn) -> PairRuns:
    """Zoned networks (sometimes with a peer) and packets from one zone's addresses (or the
    public internet's, for an internet zone with an upstream) to another zone's."""
    case = draw(zoned_networks(with_peer=gen.sometimes(draw, 30)))
    topology = case.network.topology
    pairs = [(p.from_zone, p.to_zone) for p in pair_policies(topology) if case.owned_by(p.to_zone)]
    runs: list[tuple[str, str, Packet]] = []
    for _ in range(draw(st.integers(1, 12)) if pairs else 0):
        source, dest = draw(st.sampled_from(pairs))
        sources = case.owned_by(source)
        if topology.zone(source).upstream and (not sources or gen.sometimes(draw, 30)):
            sources = case.public() or [ip_to_int("198.51.100.7")]
        if sources:
            runs.append((source, dest, packet_between(draw, sources, case.owned_by(dest))))
    return case, runs


def path_walkable(network: Network, packet: Packet, source: str, dest: str, steps: Sequence[PathStep]) -> str:
    """Why the oracle, routing ignored, cannot walk `steps` from `source` to `dest` ('' = it can)."""
    topology = network.topology
    boundary = oz.rule_boundary(topology)
    if not steps:
        return "empty path"
    first = steps[0]
    simulation = oz.RoutingIgnored(network, packet, boundary)
    entry_ok = False
    for segment_id, device, interface in oz.class_starts(network, source, packet):
        if segment_id:
            segment = network.segments[segment_id]
            entry_ok |= (
                (first.device, first.in_interface) in segment.members
                and simulation.has_addresses((first.device, first.in_interface))
                and (
                    not oz.in_prefixes(segment.subnets, packet.dst) or simulation.device_owns(first.device, packet.dst)
                )
            )
        else:
            entry_ok |= (device, interface) == (first.device, first.in_interface)
    if not entry_ok:
        return f"{first.device}:{first.in_interface} is no start of {source}"
    for index, step in enumerate(steps):
        device = network.devices[step.device]
        interface = device.interfaces[step.in_interface]
        if interface.shutdown or not oracle.filter_permits(device, interface.acl_in, packet):
            return f"{step.device}:{step.in_interface} drops it inbound"
        last = index == len(steps) - 1
        if not step.out_interface:
            if not last or not simulation.device_owns(step.device, packet.dst):
                return f"{step.device} does not own the destination"
            endpoint: oracle.OracleEndpoint = ("device", step.device, "", "")
            break
        if simulation.device_owns(step.device, packet.dst):
            return f"{step.device} owns the destination but forwards"
        leaving = (step.device, step.out_interface)
        segment_id = network.segment_of.get(leaving)
        if not oracle.interface_up(device, step.out_interface) or not oracle.filter_permits(
            device, device.interfaces[step.out_interface].acl_out, packet
        ):
            return f"{step.device}:{step.out_interface} drops it outbound"
        if leaving in boundary:
            if not last:
                return f"{step.device}:{step.out_interface} is a boundary, the path goes on"
            endpoint = ("exit", step.device, step.out_interface, "")
            break
        if segment_id is None:
            return f"{step.device}:{step.out_interface} leads nowhere"
        segment = network.segments[segment_id]
        if last:
            if not oracle.is_host(network, segment, packet.dst):
                return f"hosts on {segment_id} do not receive it"
            endpoint = ("hosts", "", "", segment_id)
            break
        following = steps[index + 1]
        member = (following.device, following.in_interface)
        if member == leaving or member not in segment.members or not simulation.has_addresses(member):
            return f"{following.device}:{following.in_interface} is no neighbour on {segment_id}"
    klass = oz.destination_class(topology, endpoint, packet.dst)
    return "" if klass == dest else f"ends at {endpoint}, class {klass}"


@examples(120)
@given(pair_runs())
def test_zone_008_against_oracle(space: PacketSpace, case_and_runs: PairRuns) -> None:
    case, runs = case_and_runs
    network = case.network
    context = flow_context(space, network)
    findings = check_zone_008(context)
    warned = pair_findings(findings, "ZONE-008")
    isolation = pair_findings(check_zone_001(context), "ZONE-001") | pair_findings(check_zone_005(context), "ZONE-005")
    for source, dest, packet in runs:
        if oz.no_ones_address(network, packet.dst):
            continue  # ZONE-008 leaves these out: no route change delivers them to anyone
        ignored = dest in oz.reached_classes(network, source, packet, routing=False)
        routed = dest in oz.reached_classes(network, source, packet)
        event(f"ZONE-008 packet: routing ignored {ignored}, routed {routed}")
        if ignored and not routed:
            # The packet is one that only routing keeps apart: the rule must warn about the pair.
            assert (source, dest) in warned, f"{source} → {dest}: {packet.describe()} not warned"
        if ignored and (source, dest) not in isolation:
            assert (source, dest) in warned, f"{source} → {dest}: {packet.describe()}, no ZONE-001/005 nor 008"
    modelled = {segment.zone for segment in network.segments.values()}
    for finding in findings:
        if finding.flow is None:
            # The one ZONE-008 finding without a flow: a zone that no segment stands for.
            assert finding.status == "inconclusive"
            assert finding.from_zone not in modelled and "no modelled segment" in finding.message_en
            continue
        event("ZONE-008 finding checked")
        packet = as_packet(finding.flow)
        source, dest = finding.from_zone, finding.to_zone
        assert dest in oz.reached_classes(network, source, packet, routing=False), packet.describe()
        assert dest not in oz.reached_classes(network, source, packet), f"routed today: {packet.describe()}"
        why = path_walkable(network, packet, source, dest, finding.path)
        assert not why, f"{source} → {dest}: {packet.describe()}: {why}; path {finding.path}"
        # The example starts where the finding says, and a segment start is one that holds hosts.
        first = finding.path[0]
        if finding.flow_start_kind == "segment":
            segment = network.segments[finding.flow_start.split(" ", 1)[0]]
            assert (first.device, first.in_interface) in segment.members and oracle.holds_hosts(network, segment)
        else:
            assert finding.flow_start == f"{first.device}:{first.in_interface}"


# --- concrete cases -----------------------------------------------------------------------------


def two_routers_without_routes(classes: int) -> Network:
    """mynumber LAN — R1 — transit — R2 — lgwan LAN, no routes: only routing keeps the zones
    apart. R1's LAN ACL permits `classes` separate flows towards lgwan hosts, each its own class."""
    from nankoku_netcheck.model import Acl, AclLine, Action, Device, Interface, InterfaceAddress, Match, Wildcard

    def router(name: str, lan: str, transit: str, acl_in: str | None) -> Device:
        device = Device(name=name, vendor="cisco_ios", source_file=f"{name}.cfg", hostname=name)
        device.interfaces = {
            "Gi0/0": Interface("Gi0/0", gen.SOURCE, (InterfaceAddress(ip_to_int(lan), 24),), acl_in=acl_in),
            "Gi0/1": Interface("Gi0/1", gen.SOURCE, (InterfaceAddress(ip_to_int(transit), 30),)),
        }
        return device

    r1 = router("R1", "10.1.1.1", "192.168.0.1", "LAN-IN")
    web = (PortRange(80, 80),)
    lines = tuple(
        AclLine(
            Action.PERMIT,
            (Match(protocols=(PROTO_TCP,), dst=(Wildcard(ip_to_int("10.2.1.10") + i, 0),), dst_ports=web),),
            gen.SOURCE,
        )
        for i in range(classes)
    )
    r1.acls = {"LAN-IN": Acl("LAN-IN", lines, gen.SOURCE)}
    r2 = router("R2", "10.2.1.1", "192.168.0.2", None)
    zones = tuple(
        Zone(zone_id, kind, zone_id, ((ip_to_int(prefix), 16),), (), AT)
        for (kind, zone_id), prefix in zip(ZONE_KINDS, ("10.1.0.0", "10.2.0.0", "10.3.0.0"), strict=True)
    )
    topology = replace(gen.empty_topology(), policy="nankoku-2019", zones=zones)
    return build_network(topology, {"R1": r1, "R2": r2})


def test_zone_008_reports_every_pair_however_many_classes_another_has(space: PacketSpace) -> None:
    # Regression: the rule stopped after 32 findings in all, so that 40 classes from mynumber
    # to lgwan hid lgwan → mynumber, which no filter stops either.
    network = two_routers_without_routes(40)
    findings = check_zone_008(flow_context(space, network))
    packet = Packet(src=ip_to_int("10.2.1.10"), dst=ip_to_int("10.1.1.10"), proto=PROTO_UDP, sport=5000, dport=53)
    assert "mynumber" in oz.reached_classes(network, "lgwan", packet, routing=False)
    assert "mynumber" not in oz.reached_classes(network, "lgwan", packet)
    assert pair_findings(findings, "ZONE-008") == {("mynumber", "lgwan"), ("lgwan", "mynumber")}
    capped = [f for f in findings if (f.from_zone, f.to_zone) == ("mynumber", "lgwan")]
    assert len(capped) == 32 and "not listed separately" in " ".join(capped[-1].notes)


def test_zone_008_path_cites_no_route_when_routing_is_ignored(space: PacketSpace) -> None:
    # Regression: each hop showed the synthetic "0.0.0.0/0" route of routing-ignored mode and
    # cited line 0 of the device's config as route evidence.
    findings = check_zone_008(flow_context(space, two_routers_without_routes(1)))
    assert findings
    for finding in findings:
        assert all(step.route == "any neighbour (routing ignored)" for step in finding.path if step.out_interface)
        assert not [e for e in finding.evidence if e.role == "route"]


@pytest.mark.xfail(
    strict=True,
    reason=(
        "known limit, kept by choice: with routing ignored no packet exits to an unmodelled neighbour (a link in "
        "no zone with no modelled device on it), although one static route makes the routed engine send traffic "
        "out of such a line and ZONE-001 count it as reaching the zone owning the destination. Letting such links "
        "exit made ZONE-008 repeat every stray line already reported by ZONE-007 as a warning for every zone pair "
        "(tried 2026-11-26 on the sample city)"
    ),
)
def test_zone_008_warns_when_one_route_would_send_traffic_to_an_unmodelled_neighbour(space: PacketSpace) -> None:
    from nankoku_netcheck.model import Device, Interface, InterfaceAddress, Route, RouteKind

    def network(routes: list[Route]) -> Network:
        router = Device(name="R1", vendor="cisco_ios", source_file="R1.cfg", hostname="R1")
        router.interfaces = {  # a mynumber LAN and a forgotten line to an unmodelled ISP router, no filters
            "Gi0/0": Interface("Gi0/0", gen.SOURCE, (InterfaceAddress(ip_to_int("10.1.1.1"), 24),)),
            "Gi0/1": Interface("Gi0/1", gen.SOURCE, (InterfaceAddress(ip_to_int("198.51.100.1"), 30),)),
        }
        router.routes = routes
        zones = tuple(
            Zone(zone_id, kind, zone_id, ((ip_to_int(prefix), 16),), (), AT)
            for (kind, zone_id), prefix in zip(ZONE_KINDS, ("10.1.0.0", "10.2.0.0", "10.3.0.0"), strict=True)
        )
        return build_network(replace(gen.empty_topology(), policy="nankoku-2019", zones=zones), {"R1": router})

    default = Route(0, 0, RouteKind.STATIC, gen.SOURCE, next_hop=ip_to_int("198.51.100.2"))
    assert ("mynumber", "lgwan") in pair_findings(check_zone_001(flow_context(space, network([default]))), "ZONE-001")
    assert ("mynumber", "lgwan") in pair_findings(check_zone_008(flow_context(space, network([]))), "ZONE-008")
