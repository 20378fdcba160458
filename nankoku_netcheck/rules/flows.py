"""Zone-level flows: which packets get from each zone to each other zone, and how to
explain a set of violating packets as findings with concrete, replayed examples.

A *source class* is a zone id or `peer:<id>`; a *destination class* is a zone id,
`peer:<id>`, `transit` (an address no zone owns, inside the modelled network) or
`outside` (beyond an unmodelled neighbour, to an address no zone owns).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field

from ..graph import Network
from ..model import (
    PROTO_ICMP,
    PROTO_TCP,
    PROTO_UDP,
    FlowSpec,
    PolicyException,
    Source,
    ZoneKind,
    format_prefix,
    int_to_ip,
)
from ..reach.engine import Endpoint, ReachEngine, ReachResult, Start
from ..reach.filters import empty_acl_note
from ..reach.nat import new_rewrites
from ..reach.packets import Packet, PacketSet, PacketSpace, protocol_name
from ..reach.trace import Hop, TracePath, Tracer, path_caveats
from ..redact import redact
from ..result import AclRef, Evidence, Finding, FlowExample, PathStep

# (src label en, dst label en, src label ja, dst label ja, packet class, permitting lines) → (en, ja)
MessageBuilder = Callable[[str, str, str, str, str, str], tuple[str, str]]

TRANSIT = "transit"
OUTSIDE = "outside"
MAX_CLASSES_PER_PAIR = 8


class CrossCheckError(RuntimeError):
    """The concrete replay disagreed with the symbolic engine: a bug, never user error."""


@dataclass
class FlowContext:
    """Everything the zone rules share for one run; flows are computed once per source."""

    network: Network
    space: PacketSpace
    engine: ReachEngine
    tracer: Tracer
    today: dt.date = field(default_factory=lambda: dt.datetime.now(dt.UTC).date())
    rules_run: set[str] = field(default_factory=set)
    _reach: dict[tuple[str, bool], ReachResult] = field(default_factory=dict)
    _filter_only: tuple[ReachEngine, Tracer] | None = None
    _owned: dict[str, PacketSet] = field(default_factory=dict)
    exception_matches: dict[int, PacketSet] = field(default_factory=dict)
    # The searches (source class, routing) asked for since the last `used.clear()`: a rule
    # that used one that ran out of budget cannot pass (analyze.py).
    used: set[tuple[str, bool]] = field(default_factory=set)

    # --- approved exceptions (例外措置) --------------------------------------------------

    def exception_active(self, exception: PolicyException) -> bool:
        return dt.date.fromisoformat(exception.expires) >= self.today

    def exempt(self, rule: str, packets: PacketSet) -> PacketSet:
        """Remove the flows of active exceptions for `rule`, remembering what each matched."""
        for index, exception in enumerate(self.network.topology.exceptions):
            if exception.rule != rule or not self.exception_active(exception):
                continue
            exempted = packets & flow_set(self.space, exception.flow)
            if exempted != self.space.false:
                previous = self.exception_matches.get(index, self.space.false)
                self.exception_matches[index] = previous | exempted
                packets &= ~exempted
        return packets

    # --- address ownership -----------------------------------------------------------

    def zone_ids(self) -> list[str]:
        return [zone.id for zone in self.network.topology.zones]

    def zone_ids_of_kind(self, kind: ZoneKind) -> list[str]:
        return [zone.id for zone in self.network.topology.zones if zone.kind is kind]

    def owned(self, zone_id: str, field_name: str) -> PacketSet:
        """Addresses (in `field_name`: src or dst) whose longest zone prefix is zone_id's."""
        key = f"{field_name}:{zone_id}"
        if key not in self._owned:
            covered = self.space.false
            result = self.space.false
            for network, length, owner in self.network.zones.entries:
                prefix = self.space.field_prefix(field_name, network, length)
                if owner == zone_id:
                    result |= prefix & ~covered
                covered |= prefix
            self._owned[key] = result
        return self._owned[key]

    def peer_addresses(self, peer_id: str, field_name: str) -> PacketSet:
        peer = self._peer(peer_id)
        return self.space.prefixes(field_name, peer.addresses)

    def _peer(self, peer_id: str):  # type: ignore[no-untyped-def]
        for peer in self.network.topology.external_peers:
            if peer.id == peer_id:
                return peer
        raise KeyError(peer_id)

    def internet_zone(self) -> str | None:
        zones = self.zone_ids_of_kind(ZoneKind.INTERNET)
        return zones[0] if zones else None

    def label(self, klass: str, lang: str = "ja") -> str:
        if klass.startswith("public:"):
            return "インターネット (public)" if lang == "ja" else "the public internet"
        if klass.startswith("peer:"):
            peer = self._peer(klass[5:])
            return f"{peer.label} ({peer.id})"
        if klass == TRANSIT:
            return "中継区間 (transit)" if lang == "ja" else "transit (no zone)"
        if klass == OUTSIDE:
            return "モデル外のネットワーク (outside)" if lang == "ja" else "outside the modelled network"
        zone = self.network.topology.zone(klass)
        return f"{zone.label} ({zone.id})"

    # --- sources -------------------------------------------------------------------------

    def starts(self, source_class: str) -> list[tuple[Start, PacketSet]]:
        """Where packets of a source class enter the network, with their source addresses."""
        if source_class.startswith("peer:"):
            peer = self._peer(source_class[5:])
            device, interface = self.network.interface_ref(peer.attach)
            return [(Start(device=device, interface=interface), self.peer_addresses(peer.id, "src"))]
        public_only = source_class.startswith("public:")
        zone_id = source_class.removeprefix("public:")
        sources = self.owned(zone_id, "src")
        starts = [] if public_only else [
            (Start(segment=segment.id), sources)
            for segment in self.network.segments.values()
            if segment.zone == zone_id
        ]
        zone = self.network.topology.zone(zone_id)
        if zone.kind is ZoneKind.INTERNET and zone.upstream:
            public = self.space.valid
            for other in self.zone_ids():
                public &= ~self.owned(other, "src")
            for peer in self.network.topology.external_peers:
                public &= ~self.peer_addresses(peer.id, "src")
            for ref in zone.upstream:
                device, interface = self.network.interface_ref(ref)
                starts.append((Start(device=device, interface=interface), public))
        return starts

    def reach(self, source_class: str, routing: bool = True) -> ReachResult:
        key = (source_class, routing)
        self.used.add(key)
        if key not in self._reach:
            engine = self.engine if routing else self.filter_only()[0]
            self._reach[key] = engine.reach(self.starts(source_class))
        return self._reach[key]

    def filter_only(self) -> tuple[ReachEngine, Tracer]:
        """An engine and tracer that ignore routing: only filters decide (ZONE-008)."""
        if self._filter_only is None:
            engine = ReachEngine(self.network, self.space, self.engine.boundary, routing=False,
                                 share_with=self.engine, budget=self.engine.budget)
            self._filter_only = (engine, Tracer(engine))
        return self._filter_only

    def exhausted(self, keys: set[tuple[str, bool]] | None = None) -> list[tuple[str, bool, ReachResult]]:
        """The searches (of `keys`, default all run so far) that ran out of budget, in order."""
        chosen = self._reach.keys() if keys is None else keys
        return [(source, routing, self._reach[source, routing])
                for source, routing in sorted(chosen, key=lambda key: (key[0], not key[1]))
                if (source, routing) in self._reach and self._reach[source, routing].exhausted]

    # --- destinations ----------------------------------------------------------------------

    def classify(self, endpoint: Endpoint, packets: PacketSet) -> dict[str, PacketSet]:
        """Split packets delivered at an endpoint by destination class."""
        boundary = self._boundary_class(endpoint)
        if boundary is not None:
            return self._split_boundary(boundary, packets, endpoint)
        out: dict[str, PacketSet] = {}
        rest = packets
        for zone_id in self.zone_ids():
            part = packets & self.engine.pre(endpoint.translation, self.owned(zone_id, "dst"))
            if part != self.space.false:
                out[zone_id] = part
                rest &= ~part
        if rest != self.space.false:
            out[OUTSIDE if endpoint.kind == "exit" else TRANSIT] = rest
        return out

    def _boundary_class(self, endpoint: Endpoint) -> str | None:
        if endpoint.kind != "exit":
            return None
        key = (endpoint.device, endpoint.interface)
        for zone in self.network.topology.zones:
            for ref in zone.upstream:
                if self.network.interface_ref(ref) == key:
                    return zone.id
        for peer in self.network.topology.external_peers:
            if self.network.interface_ref(peer.attach) == key:
                return f"peer:{peer.id}"
        return None

    def _split_boundary(self, boundary: str, packets: PacketSet, endpoint: Endpoint) -> dict[str, PacketSet]:
        if not boundary.startswith("peer:"):
            return {boundary: packets}
        to_peer = packets & self.engine.pre(endpoint.translation, self.peer_addresses(boundary[5:], "dst"))
        out = {boundary: to_peer} if to_peer != self.space.false else {}
        rest = packets & ~to_peer
        if rest != self.space.false:
            out[OUTSIDE] = rest
        return out

    def classify_packet(self, endpoint: Endpoint, packet: Packet) -> str:
        for klass, packets in self.classify(endpoint, self.space.packet(packet)).items():
            if packets != self.space.false:
                return klass
        return OUTSIDE

    def flows(self, source_class: str, routing: bool = True) -> dict[str, PacketSet]:
        """Destination class → every packet from the source class delivered there."""
        out: dict[str, PacketSet] = {}
        delivered = self.reach(source_class, routing).delivered
        for endpoint in sorted(delivered):
            for klass, packets in self.classify(endpoint, delivered[endpoint]).items():
                out[klass] = out[klass] | packets if klass in out else packets
        return out

    # --- explaining violations ----------------------------------------------------------

    def explain(self, rule: str, severity: str, source_class: str, dest_class: str,
                violating: PacketSet, describe: MessageBuilder, endpoint: Endpoint | None = None) -> list[Finding]:
        """One finding per class of violating packets that share a path and deciding lines."""
        findings: list[Finding] = []
        remaining = violating
        while remaining != self.space.false and len(findings) < MAX_CLASSES_PER_PAIR:
            packet = self.pick_readable(remaining, source_class)
            path = self.replay(source_class, dest_class, packet, endpoint)
            klass = remaining & self.path_region(path)
            if klass == self.space.false or not self.space.contains(klass, packet):
                raise CrossCheckError(f"{rule}: replay of {packet.describe()} disagrees with the engine")
            remaining &= ~klass
            more = remaining != self.space.false and len(findings) + 1 == MAX_CLASSES_PER_PAIR
            findings.append(self.build_finding(rule, severity, source_class, dest_class, packet, klass, path,
                                               describe, more))
        return findings

    def replay(self, source_class: str, dest_class: str, packet: Packet,
               endpoint: Endpoint | None = None) -> TracePath:
        """A concrete path of `packet` from the source class to the destination class (and
        to `endpoint`, when given). Failing to find one means the engine was wrong."""
        def wanted(path: TracePath) -> bool:
            return (path.endpoint is not None and (endpoint is None or path.endpoint == endpoint)
                    and self.classify_packet(path.endpoint, packet) == dest_class)

        return self._first_path(source_class, packet, wanted, f"to {dest_class}")

    def replay_with(self, tracer: Tracer, source_class: str, dest_class: str, packet: Packet) -> TracePath:
        """Shortest concrete path with another tracer (e.g. routing ignored)."""
        starts = [start for start, sources in self.starts(source_class) if self.space.contains(sources, packet)]
        starts.sort(key=lambda start: (not self.start_holds(start, packet.src), start))
        for start in starts:
            path = tracer.shortest_path(start, packet, lambda p: p.endpoint is not None and self.classify_packet(
                p.endpoint, packet) == dest_class)
            if path is not None:
                return path
        raise CrossCheckError(f"no concrete path from {source_class} to {dest_class} for {packet.describe()}")

    def replay_any(self, source_class: str, packet: Packet) -> TracePath:
        """A concrete path of `packet` that delivers it inside the network (not an exit)."""
        return self._first_path(source_class, packet,
                                lambda path: path.endpoint is not None and path.endpoint.kind == "hosts",
                                "to a host")

    def _first_path(self, source_class: str, packet: Packet, wanted: Callable[[TracePath], bool],
                    what: str) -> TracePath:
        starts = [start for start, sources in self.starts(source_class) if self.space.contains(sources, packet)]
        starts.sort(key=lambda start: (not self.start_holds(start, packet.src), start))
        for start in starts:
            for path in self.tracer.trace(start, packet):
                if wanted(path):
                    return path
            if self.tracer.exhausted:
                # Enumeration stopped on its budget: the breadth-first search visits each
                # (device, interface, header) once, so it ends and still finds the path.
                path = self.tracer.shortest_path(start, packet, wanted)
                if path is not None:
                    return path
        raise CrossCheckError(f"no concrete path from {source_class} {what} for {packet.describe()}")

    def start_holds(self, start: Start, address: int) -> bool:
        return bool(start.segment) and self.network.segments[start.segment].contains(address)

    def path_region(self, path: TracePath) -> PacketSet:
        """Packets that every filter on `path` decides by the same line as the replayed
        packet. Routes are left out on purpose: one finding per set of permitting lines
        reads better than one per destination subnet."""
        region = self.space.valid
        for hop in path.hops:
            decided = self._decision_region(hop.device, hop.in_interface, "in", hop)
            if hop.egress is not None:
                decided &= self._decision_region(hop.device, hop.out_interface, "out", hop)
            region &= self.engine.pre(hop.translation, decided)
        return region

    def _decision_region(self, device_name: str, if_name: str, direction: str, hop: Hop) -> PacketSet:
        decision = hop.ingress if direction == "in" else hop.egress
        if decision is None or decision.reason or decision.acl is None or decision.line_index is None:
            # Firewall state and security levels: the class is not narrowed at this hop.
            return self.space.valid if (decision is None or decision.reason) else \
                self.engine.interface_filter(device_name, if_name, direction)
        return self.space.first_match_region(decision.acl, decision.line_index)

    def pick_readable(self, packets: PacketSet, source_class: str) -> Packet:
        """A packet of the set that a person reads easily: tcp/udp before other
        protocols, well-known destination ports, an ephemeral source port, and real host
        addresses of the source segments."""
        space = self.space
        chosen = packets
        chosen = _prefer(space, chosen, [space.protocol(p) for p in (PROTO_TCP, PROTO_UDP, PROTO_ICMP)])
        chosen = _prefer(space, chosen, [space.field_equals("est", 0)])
        chosen = _prefer(space, chosen, [space.field_equals("dport", p) for p in WELL_KNOWN_PORTS]
                         + [space.field_range("dport", 1, 1023)])
        ephemeral = [space.field_range("sport", 49152, 65535), space.field_range("sport", 1024, 65535)]
        chosen = _prefer(space, chosen, ephemeral)
        chosen = _prefer(space, chosen, [space.field_equals("icmp_type", 8) & space.field_equals("icmp_code", 0)])
        chosen = _prefer(space, chosen, [*self._source_host_candidates(source_class),
                                         space.field_equals("src", PUBLIC_EXAMPLE)])
        chosen = _prefer(space, chosen, [_block_host(space, chosen, "src")])
        chosen = _prefer(space, chosen, [*self._destination_host_candidates(),
                                         space.field_equals("dst", PUBLIC_EXAMPLE), _block_host(space, chosen, "dst")])
        packet = space.pick(chosen)
        assert packet is not None
        return packet

    def _source_host_candidates(self, source_class: str) -> list[PacketSet]:
        """Readable source hosts: a host address of each start segment, LANs before
        point-to-point links, never an address a device owns; then whole subnets."""
        subnets = sorted(
            {subnet for start, _ in self.starts(source_class) if start.segment
             for subnet in self.network.segments[start.segment].subnets},
            key=lambda subnet: (subnet[1], subnet[0]),
        )
        owned = self._device_addresses()
        hosts = [_readable_host(network, length) for network, length in subnets]
        candidates = [self.space.field_equals("src", host) for host in hosts if host not in owned]
        candidates += [self.space.field_prefix("src", network, length) for network, length in subnets]
        return candidates

    def _destination_host_candidates(self) -> list[PacketSet]:
        """Readable destinations: a host of each LAN-sized segment (never a device's own
        address; those are chosen only when nothing else is in the set)."""
        owned = self._device_addresses()
        subnets = sorted({subnet for segment in self.network.segments.values() for subnet in segment.subnets
                          if subnet[1] <= 29}, key=lambda subnet: (subnet[1], subnet[0]))
        hosts = [_readable_host(network, length) for network, length in subnets]
        return [self.space.field_equals("dst", host) for host in hosts if host not in owned]

    def _device_addresses(self) -> set[int]:
        return {
            address.address
            for device in self.network.devices.values()
            for interface in device.interfaces.values()
            for address in interface.addresses
        }

    def build_finding(self, rule: str, severity: str, source_class: str, dest_class: str, packet: Packet,
                 klass: PacketSet, path: TracePath, describe: MessageBuilder, more: bool) -> Finding:
        steps, evidence, notes, understood = self._path_steps(path, packet)
        description = self.describe_set(klass)
        status = "violated" if understood else "inconclusive"
        if more:
            notes = (*notes, "further packet classes between these zones are not listed separately")
        where = ", ".join(f"{e.file}:{e.line}" for e in evidence if e.role == "permits") or "no filter on the path"
        message_en, message_ja = describe(self.label(source_class, "en"), self.label(dest_class, "en"),
                                          self.label(source_class, "ja"), self.label(dest_class, "ja"),
                                          description, where)
        return Finding(
            rule=rule, severity=severity, status=status, message_en=message_en, message_ja=message_ja,
            from_zone=source_class, to_zone=dest_class, flow=flow_example(packet), flow_class=description,
            path=steps, evidence=evidence, notes=notes,
        )

    def _path_steps(self, path: TracePath, packet: Packet | None = None
                    ) -> tuple[tuple[PathStep, ...], tuple[Evidence, ...], tuple[str, ...], bool]:
        steps: list[PathStep] = []
        evidence: list[Evidence] = []
        notes: list[str] = []
        understood = True
        translation: tuple = ()
        # The same caveats `trace` prints at each hop (reach/trace.py `hop_caveats`).
        caveats = path_caveats(self.network, path, packet)
        for hop, hop_caveats in zip(path.hops, caveats, strict=True):
            device = self.network.devices[hop.device]
            if hop.translation != translation:
                for rewrite in new_rewrites(translation, hop.translation):
                    where = rewrite.rule.where() if rewrite.rule else hop.device
                    notes.append(f"{hop.device}: NAT rewrites {rewrite.field} to "
                                 f"{format_prefix(rewrite.network, rewrite.length)} ({where})")
                    if rewrite.rule is not None:
                        evidence.append(_evidence(rewrite.rule, "translates"))
                translation = hop.translation
            acl_in = self._acl_ref(hop.device, hop.in_interface, "in", hop, evidence, notes)
            acl_out = self._acl_ref(hop.device, hop.out_interface, "out", hop, evidence, notes) if hop.egress else None
            for decision in (hop.ingress, hop.egress):
                if decision is not None and decision.reason:
                    notes.append(f"{hop.device}: {decision.reason}")
                if decision is not None and decision.line is not None and not decision.line.understood:
                    understood = False
            notes += [f"{hop.device}: {caveat.where()}: {caveat.message_en}" for caveat in hop_caveats]
            route_text = ""
            if hop.next_hop is not None and hop.next_hop.any_neighbour:
                route_text = "any neighbour (routing ignored)"  # no route line: none was used
            elif hop.next_hop is not None:
                route = hop.next_hop.route
                route_text = route.describe() if hop.next_hop.dynamic is None else (
                    f"dynamic ({hop.next_hop.dynamic.protocol} {hop.next_hop.dynamic.process}, over-approximated)")
                if route.kind.value == "static" or hop.next_hop.dynamic is not None:
                    evidence.append(_evidence(route.source, "route"))
            elif path.endpoint is not None and path.endpoint.kind == "device":
                route_text = "local (addressed to the device)"
            steps.append(PathStep(device=device.name, in_interface=hop.in_interface,
                                  out_interface=hop.out_interface, route=route_text,
                                  acl=acl_in, acl_out=acl_out,
                                  note="; ".join(f"{c.where()}: {c.message_en}" for c in hop_caveats)))
        return tuple(steps), tuple(_dedupe(evidence)), tuple(dict.fromkeys(notes)), understood

    def _acl_ref(self, device_name: str, if_name: str, direction: str, hop: Hop,
                 evidence: list[Evidence], notes: list[str]) -> AclRef | None:
        decision = hop.ingress if direction == "in" else hop.egress
        device = self.network.devices[device_name]
        interface = device.interfaces[if_name]
        if decision is None or decision.acl_name is None:
            return None
        reference = interface.acl_in_source if direction == "in" else interface.acl_out_source
        if decision.undefined:
            if reference is not None:
                evidence.append(_evidence(reference, "permits"))
            return AclRef(decision.acl_name, reference.file if reference else "", reference.line if reference else 0,
                          redact(reference.text.strip()) if reference else "")
        if decision.empty and decision.acl is not None:
            if reference is not None:
                evidence.append(_evidence(reference, "permits"))
            evidence.append(_evidence(decision.acl.source, "permits"))
            notes.append(empty_acl_note(device_name, decision.acl_name))
            source = reference or decision.acl.source
            return AclRef(decision.acl_name, source.file, source.line, redact(source.text.strip()))
        if decision.line is None:
            return None
        evidence.append(_evidence(decision.line.source, "permits"))
        source = decision.line.source
        return AclRef(decision.acl_name, source.file, source.line, redact(source.text.strip()))

    # --- describing sets ----------------------------------------------------------------------

    def describe_set(self, packets: PacketSet) -> str:
        space = self.space
        parts = []
        protocols = space.protocols_in(packets)
        proto_text = _protocols_text(protocols)
        parts.append(proto_text)
        parts.append(_addresses_text(space, packets, "src") + " → " + _addresses_text(space, packets, "dst"))
        if set(protocols) <= {PROTO_TCP, PROTO_UDP} and protocols:
            dports, truncated = space.field_ranges(packets, "dport", 6)
            if not (len(dports) == 1 and dports[0].low == 0 and dports[0].high == 65535):
                parts.append("dport " + _ranges_text(dports, truncated))
            sports, truncated = space.field_ranges(packets, "sport", 6)
            if not (len(sports) == 1 and sports[0].low == 0 and sports[0].high == 65535):
                parts.append("sport " + _ranges_text(sports, truncated))
        if protocols == [PROTO_TCP]:
            established = space.project(packets, "est")
            if established == space.field_equals("est", 1):
                parts.append("established")
            elif established == space.field_equals("est", 0):
                parts.append("not established")
        return " ".join(parts)



PUBLIC_EXAMPLE = 0xC6336464  # 198.51.100.100 (TEST-NET-2): a readable public destination
WELL_KNOWN_PORTS = (443, 80, 22, 25, 3389, 53, 445, 23, 21, 123, 161, 514, 8080, 3306, 1433)


def _prefer(space: PacketSpace, packets: PacketSet, candidates: list[PacketSet]) -> PacketSet:
    for candidate in candidates:
        narrowed = packets & candidate
        if narrowed != space.false:
            return narrowed
    return packets


def _readable_host(network: int, length: int) -> int:
    if length <= 27:
        return network + 10
    if length <= 30:
        return network + 1
    return network


def _block_host(space: PacketSpace, packets: PacketSet, field_name: str) -> PacketSet:
    blocks, _ = space.field_prefixes(packets, field_name, 1)
    if not blocks:
        return space.false
    network, length = blocks[0]
    return space.field_equals(field_name, _readable_host(network, length)) if length < 32 else space.field_equals(
        field_name, network)


def _protocols_text(protocols: list[int]) -> str:
    if len(protocols) == 256:
        return "ip"
    if len(protocols) > 4:
        return f"{len(protocols)} protocols"
    return "/".join(protocol_name(p) for p in protocols)


def _addresses_text(space: PacketSpace, packets: PacketSet, field_name: str) -> str:
    values = space.project(packets, field_name)
    blocks, truncated = space.field_prefixes(values, field_name, 4)
    if blocks == [(0, 0)]:
        return "any"
    if truncated:
        missing, missing_truncated = space.field_prefixes(space.project(space.valid, field_name) & ~values,
                                                          field_name, 6)
        if not missing_truncated:
            return "any except " + ", ".join(format_prefix(network, length) for network, length in missing)
    text = ", ".join(format_prefix(network, length) for network, length in blocks)
    return text + (", …" if truncated else "")


def _ranges_text(ranges: list, truncated: bool) -> str:  # type: ignore[type-arg]
    text = ",".join(str(r.low) if r.low == r.high else f"{r.low}-{r.high}" for r in ranges)
    return text + (",…" if truncated else "")


def flow_example(packet: Packet) -> FlowExample:
    has_ports = packet.proto in (PROTO_TCP, PROTO_UDP)
    is_icmp = packet.proto == PROTO_ICMP
    return FlowExample(
        src=int_to_ip(packet.src), dst=int_to_ip(packet.dst), proto=protocol_name(packet.proto),
        sport=packet.sport if has_ports else None, dport=packet.dport if has_ports else None,
        established=packet.established,
        icmp_type=packet.icmp_type if is_icmp else None, icmp_code=packet.icmp_code if is_icmp else None,
    )


def _evidence(source: Source, role: str) -> Evidence:
    return Evidence(source.file, source.line, redact(source.text.strip()), role)


def _dedupe(items: list[Evidence]) -> list[Evidence]:
    seen: dict[tuple[str, int], Evidence] = {}
    for item in items:
        seen.setdefault((item.file, item.line), item)
    return list(seen.values())



def flow_set(space: PacketSpace, flow: FlowSpec) -> PacketSet:
    """The packets a topology flow spec names (empty src/dst = any)."""
    packets = space.valid
    if flow.src:
        packets &= space.prefixes("src", flow.src)
    if flow.dst:
        packets &= space.prefixes("dst", flow.dst)
    if flow.proto is not None:
        packets &= space.protocol(flow.proto)
    if flow.dport is not None:
        packets &= space.ports("dport", flow.dport)
    if flow.sport is not None:
        packets &= space.ports("sport", flow.sport)
    return packets


def reply_set(space: PacketSpace, flow: FlowSpec) -> PacketSet:
    """TCP replies of a flow spec: addresses and ports swapped, ACK/RST set. Empty for
    flows that are not TCP (a stateless filter cannot tell a UDP reply from a request)."""
    if flow.proto not in (None, PROTO_TCP):
        return space.false
    packets = space.tcp_established()
    if flow.src:
        packets &= space.prefixes("dst", flow.src)
    if flow.dst:
        packets &= space.prefixes("src", flow.dst)
    if flow.dport is not None:
        packets &= space.ports("sport", flow.dport)
    if flow.sport is not None:
        packets &= space.ports("dport", flow.sport)
    return packets
