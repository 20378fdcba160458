"""Zone-level flows: which packets get from each zone to each other zone, and how to
explain a set of violating packets as findings with concrete, replayed examples.

A *source class* is a zone id or `peer:<id>`; a *destination class* is a zone id,
`peer:<id>`, `transit` (an address no zone owns, inside the modelled network) or
`outside` (beyond an unmodelled neighbour, to an address no zone owns).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from ..cache import source_fingerprint
from ..graph import Network
from ..incremental import Fingerprints
from ..model import (
    PROTO_ICMP,
    PROTO_TCP,
    PROTO_UDP,
    Device,
    FlowSpec,
    PolicyException,
    Source,
    ZoneKind,
    format_prefix,
    int_to_ip,
    prefix_mask,
)
from ..reach.engine import Endpoint, ReachEngine, ReachResult, Start
from ..reach.filters import empty_acl_note
from ..reach.nat import Translation, new_rewrites, rewritten_to
from ..reach.packets import Packet, PacketSet, PacketSpace, protocol_name
from ..reach.repair import Repair, repair_region, repaired
from ..reach.store import BddStore
from ..reach.trace import Hop, TracePath, Tracer, path_caveats
from ..redact import redact
from ..result import AclRef, Evidence, Finding, FlowExample, PathStep
from .policies import ZonesBehind

# (src label en, dst label en, src label ja, dst label ja, packet class, permitting lines) → (en, ja)
MessageBuilder = Callable[[str, str, str, str, str, str], tuple[str, str]]
# A search's earlier result by (source class, routing), or a repair of it (see `FlowContext.prior`).
Prior = Callable[[str, bool], ReachResult | Repair | None]

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
    _reserved_edges: dict[str, list[tuple[PacketSet, PacketSet]]] = field(default_factory=dict)
    _start_reach: dict[tuple[Start, bool], ReachResult] = field(default_factory=dict)
    _flows: dict[tuple[str, bool], dict[str, PacketSet]] = field(default_factory=dict)
    # A search's result from before an edit, when it still holds (incremental.py decides):
    # taken instead of searching; or a `Repair` of it, searched from the changed packets only.
    # `reused`: the searches taken whole.
    prior: Prior | None = None
    reused: set[tuple[str, bool]] = field(default_factory=set)
    # The searches brought up to date from an earlier one (reach/repair.py).
    repaired: set[tuple[str, bool]] = field(default_factory=set)
    # Each device's fingerprint and the structure's (incremental.py), with a store (a cache
    # folder): what rules keep results between runs by. None without a store.
    fingerprints: Fingerprints | None = None
    _zones_behind: ZonesBehind | None = None
    _reserved_destinations: PacketSet | None = None
    _zones: frozenset[str] | None = None

    def zones_behind(self) -> ZonesBehind:
        """Where each interface leads (rules/policies.py), found once a run."""
        if self._zones_behind is None:
            self._zones_behind = ZonesBehind(self.network)
        return self._zones_behind

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
        # Flows start where hosts sit (not on loopbacks, nor on links of devices only); a host
        # may send with any source address its zone owns (spoofing within the zone is kept).
        starts = (
            []
            if public_only
            else [
                (Start(segment=segment.id), sources)
                for segment in self.network.segments.values()
                if segment.zone == zone_id and segment.holds_hosts
            ]
        )
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
        if not self.reuse(source_class, routing):
            engine = self.engine if routing else self.filter_only()[0]
            self._reach[key] = engine.reach(self.starts(source_class))
            # What the search built and dropped is garbage now.
            self.space.tidy()
        return self._reach[key]

    def searches(self) -> dict[tuple[str, bool], ReachResult]:
        """The searches made (or re-used) so far, by (source class, routing)."""
        return dict(self._reach)

    def adopt_reach(self, source_class: str, routing: bool, result: ReachResult) -> None:
        """Take a search's result computed elsewhere (another process: rules/presearch.py);
        `reach` then returns it. It must be the same search over the same network."""
        self._reach.setdefault((source_class, routing), result)

    def reuse(self, source_class: str, routing: bool) -> bool:
        """Take the search from `prior` now, if it holds (incremental.py), or repair it (a search
        of the packets an edit changed only); True when its result is known here without a
        whole search."""
        key = (source_class, routing)
        if key in self._reach:
            return True
        earlier = self.prior(source_class, routing) if self.prior is not None else None
        if earlier is None:
            return False
        if isinstance(earlier, Repair):
            return self._repair(source_class, routing, earlier)
        self.reused.add(key)
        self._reach[key] = earlier
        return True

    def _repair(self, source_class: str, routing: bool, repair: Repair) -> bool:
        """Bring an earlier search up to date by searching from the changed packets only
        (reach/repair.py); True when done."""
        engine = self.engine if routing else self.filter_only()[0]
        injections = [(start, packets & repair.changed) for start, packets in self.starts(source_class)]
        region = repair_region(self.space, repair, [packets for _, packets in injections])
        if region is not None:
            # Filters compiled from the lines that can match its packets only (reach/region.py).
            engine = engine.within(region)
        fresh = engine.reach(injections)
        result = repaired(self.space, repair, fresh)
        self.space.tidy()
        if result is None:
            return False
        self.repaired.add((source_class, routing))
        self._reach[source_class, routing] = result
        return True

    def filter_only(self) -> tuple[ReachEngine, Tracer]:
        """An engine and tracer that ignore routing: only filters decide (ZONE-008)."""
        if self._filter_only is None:
            engine = ReachEngine(
                self.network,
                self.space,
                self.engine.boundary,
                routing=False,
                share_with=self.engine,
                budget=self.engine.budget,
            )
            self._filter_only = (engine, Tracer(engine))
        return self._filter_only

    def exhausted(self, keys: set[tuple[str, bool]] | None = None) -> list[tuple[str, bool, ReachResult]]:
        """The searches (of `keys`, default all run so far) that ran out of budget, in order."""
        chosen = self._reach.keys() if keys is None else keys
        return [
            (source, routing, self._reach[source, routing])
            for source, routing in sorted(chosen, key=lambda key: (key[0], not key[1]))
            if (source, routing) in self._reach and self._reach[source, routing].exhausted
        ]

    # --- destinations ----------------------------------------------------------------------

    def classify(self, endpoint: Endpoint, packets: PacketSet) -> dict[str, PacketSet]:
        """Split packets delivered at an endpoint by destination class."""
        boundary = self._boundary_class(endpoint)
        if boundary is not None:
            return self._split_boundary(boundary, packets, endpoint)
        guess = self._home_zone(endpoint)
        if guess is not None and packets != self.space.false and packets & self.owned(guess, "dst") == packets:
            # What the loop below gives: the zones' `owned` sets are disjoint (each address has
            # one longest zone prefix), so every other zone's part is empty and nothing is left.
            return {guess: packets}
        out: dict[str, PacketSet] = {}
        rest = packets
        # A destination rewritten to a pool (a reply to a dynamic translation) may be any of its
        # addresses; at a segment's hosts it is one of the segment's.
        within = None
        if endpoint.kind == "hosts" and any(r.pool and r.field == "dst" for r in endpoint.translation):
            within = self.engine.segment_destinations(self.network.segments[endpoint.segment])
        for zone_id in self.zone_ids():
            owned = self.owned(zone_id, "dst") if within is None else self.owned(zone_id, "dst") & within
            part = packets & self.engine.pre(endpoint.translation, owned)
            if part != self.space.false:
                out[zone_id] = part
                rest &= ~part
        if rest != self.space.false:
            out[OUTSIDE if endpoint.kind == "exit" else TRANSIT] = rest
        return out

    def _home_zone(self, endpoint: Endpoint) -> str | None:
        """The zone a segment's hosts most likely receive in (the segment's own), for untranslated
        packets: most endpoints' packets are all in it, one set operation instead of one per zone
        (the 12,017 endpoints the 1,000-device city's edit run classifies: 0.144 -> 0.090 s CPU,
        interleaved A/B on the same calls)."""
        if endpoint.kind != "hosts" or endpoint.translation:
            return None
        segment = self.network.segments.get(endpoint.segment)
        return segment.zone if segment is not None and segment.zone in self._zone_set() else None

    def _zone_set(self) -> frozenset[str]:
        if self._zones is None:
            self._zones = frozenset(self.zone_ids())
        return self._zones

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
        delivered = self.reach(source_class, routing).delivered  # asked for: `used` (the budget) sees it
        # A search is made once per run, so its flows are too (the rules ask for them ~30 times).
        out = self._flows.get((source_class, routing))
        if out is None:
            # Each class's parts joined once (`union_of`): thousands of endpoints add to a few
            # classes, and adding each part to a growing union would walk that union every time.
            parts: dict[str, list[PacketSet]] = {}
            for endpoint in sorted(delivered):
                for klass, packets in self.classify(endpoint, delivered[endpoint]).items():
                    parts.setdefault(klass, []).append(packets)
            out = self._flows[source_class, routing] = {
                klass: self.space.union_of(pieces) for klass, pieces in parts.items()
            }
        return dict(out)

    # --- explaining violations ----------------------------------------------------------

    def explain(
        self,
        rule: str,
        severity: str,
        source_class: str,
        dest_class: str,
        violating: PacketSet,
        describe: MessageBuilder,
        endpoint: Endpoint | None = None,
    ) -> list[Finding]:
        """One finding per class of violating packets that share a path and deciding lines."""
        findings: list[Finding] = []
        remaining = violating
        while remaining != self.space.false and len(findings) < MAX_CLASSES_PER_PAIR:
            packet, path, start = self.example(source_class, dest_class, remaining, endpoint=endpoint)
            klass = remaining & self.path_region(path)
            if klass == self.space.false or not self.space.contains(klass, packet):
                raise CrossCheckError(f"{rule}: replay of {packet.describe()} disagrees with the engine")
            remaining &= ~klass
            more = remaining != self.space.false and len(findings) + 1 == MAX_CLASSES_PER_PAIR
            findings.append(
                self.build_finding(rule, severity, source_class, dest_class, packet, klass, path, describe, more, start)
            )
        return findings

    def example(
        self,
        source_class: str,
        dest_class: str,
        packets: PacketSet,
        endpoint: Endpoint | None = None,
        routing: bool = True,
        to_hosts: bool = False,
    ) -> tuple[Packet, TracePath, Start]:
        """A readable packet of `packets` that one start of the source class really sends to
        the destination class (at `endpoint`, when given; to a host, with `to_hosts`), the
        concrete path it takes from there, and that start. The union of every start's
        packets is no example: a packet another segment may send (a spoofed source) can be
        blocked from the segment its source address belongs to. So a start is chosen first:
        its host addresses as sources when one of them violates from there, else any source
        it sends from. Failing to find one means the engine was wrong."""
        tracer = self.tracer if routing else self.filter_only()[1]

        def wanted(path: TracePath) -> bool:
            if path.endpoint is None or (endpoint is not None and path.endpoint != endpoint):
                return False
            if to_hosts:
                return path.endpoint.kind == "hosts"
            return self.classify_packet(path.endpoint, packet) == dest_class

        prefer = None if to_hosts else dest_class  # any host will do
        ordered = self._example_starts(source_class)
        for start, sources in ordered:
            candidates = packets & sources
            if start.segment:
                candidates &= self.host_sources(start.segment)
            if candidates == self.space.false:
                continue
            packet = self.pick_readable(candidates, source_class, prefer, start)
            path = self._path_from(tracer, start, packet, wanted, shortest=not routing)
            if path is not None:
                return packet, path, start
        # No host address of any start works: some start sends these packets only with
        # another source (hosts may spoof within their zone). Find it exactly.
        for start, sources in ordered:
            if (start, routing) not in self._start_reach:
                engine = self.engine if routing else self.filter_only()[0]
                self._start_reach[(start, routing)] = engine.reach([(start, sources)])
            result = self._start_reach[(start, routing)]
            from_here = packets & self._delivered(result, dest_class, endpoint, to_hosts)
            if from_here == self.space.false:
                continue
            packet = self.pick_readable(from_here, source_class, prefer, start)
            path = self._path_from(tracer, start, packet, wanted, shortest=not routing)
            if path is None:
                break
            return packet, path, start
        raise CrossCheckError(
            f"no concrete path from {source_class} to {dest_class} for a packet of {self.describe_set(packets)}"
        )

    def _delivered(self, result: ReachResult, dest_class: str, endpoint: Endpoint | None, to_hosts: bool) -> PacketSet:
        delivered = self.space.false
        for where, packets in result.delivered.items():
            if endpoint is not None and where != endpoint:
                continue
            if to_hosts:
                delivered |= packets if where.kind == "hosts" else self.space.false
            else:
                delivered |= self.classify(where, packets).get(dest_class, self.space.false)
        return delivered

    def _path_from(
        self, tracer: Tracer, start: Start, packet: Packet, wanted: Callable[[TracePath], bool], shortest: bool
    ) -> TracePath | None:
        if shortest:
            return tracer.shortest_path(start, packet, wanted)
        path = next((path for path in tracer.trace(start, packet) if wanted(path)), None)
        if path is None and tracer.exhausted:
            # Enumeration stopped on its budget: the breadth-first search visits each
            # (device, interface, header) once, so it ends and still finds the path.
            path = tracer.shortest_path(start, packet, wanted)
        return path

    def _example_starts(self, source_class: str) -> list[tuple[Start, PacketSet]]:
        """Starts in the order examples are taken from: LANs before point-to-point links
        (shortest prefix first), then where packets enter from outside."""
        starts = self.starts(source_class)

        def order(item: tuple[Start, PacketSet]) -> tuple[int, int, int, Start]:
            start = item[0]
            if not start.segment:
                return (1, 0, 0, start)
            network, length = self.network.segments[start.segment].subnets[0]
            return (0, length, network, start)

        return sorted(starts, key=order)

    def host_sources(self, segment_id: str) -> PacketSet:
        """Packets whose source is a host address of the segment."""
        key = f"hosts:{segment_id}"
        if key not in self._owned:
            segment = self.network.segments[segment_id]
            hosts = self.space.false
            if segment.holds_hosts:
                hosts = self.space.prefixes("src", segment.subnets)
                for address in sorted(segment.device_addresses | set(segment.reserved)):
                    if segment.contains(address):
                        hosts &= ~self.space.field_equals("src", address)
            self._owned[key] = hosts
        return self._owned[key]

    def start_text(self, start: Start) -> tuple[str, str]:
        """Where a flow starts, for people: (kind, place); kind is segment or interface."""
        if not start.segment:
            return "interface", f"{start.device}:{start.interface}"
        segment = self.network.segments[start.segment]
        members = ", ".join(f"{device}:{interface}" for device, interface in segment.members)
        return "segment", f"{segment.id} ({members})"

    def start_holds(self, start: Start, address: int) -> bool:
        return bool(start.segment) and self.network.segments[start.segment].contains(address)

    def path_region(self, path: TracePath) -> PacketSet:
        """Packets that every filter on `path` decides by the same line as the replayed
        packet. Routes are left out on purpose: one finding per set of permitting lines
        reads better than one per destination subnet."""
        region = self.space.valid
        for hop in path.hops:
            decided = self._decision_region(hop.device, hop.in_interface, "in", hop)
            if hop.ingress_translation is not None or hop.egress_translation is not None:
                # NAT between the filters: each decision saw the header of its own wire.
                seen = hop.translation if hop.ingress_translation is None else hop.ingress_translation
                region &= self.engine.pre(seen, decided)
                decided = self.space.valid
            if hop.egress is not None:
                out = self._decision_region(hop.device, hop.out_interface, "out", hop)
                if hop.egress_translation is not None:
                    region &= self.engine.pre(hop.egress_translation, out)
                else:
                    decided &= out
            region &= self.engine.pre(hop.translation, decided)
        return region

    def _decision_region(self, device_name: str, if_name: str, direction: str, hop: Hop) -> PacketSet:
        decision = hop.ingress if direction == "in" else hop.egress
        if decision is None or decision.reason or decision.acl is None or decision.line_index is None:
            # Firewall state and security levels: the class is not narrowed at this hop.
            return (
                self.space.valid
                if (decision is None or decision.reason)
                else self.engine.interface_filter(device_name, if_name, direction)
            )
        return self.space.first_match_region(decision.acl, decision.line_index)

    def pick_readable(
        self, packets: PacketSet, source_class: str, dest_class: str | None = None, start: Start | None = None
    ) -> Packet:
        """A packet of the set that a person reads easily: a destination inside the
        destination class, tcp/udp before other protocols, well-known destination ports,
        an ephemeral source port, and real host addresses (of `start`'s segment, when given)."""
        space = self.space
        chosen = packets
        if dest_class is not None:
            chosen = _prefer(space, chosen, [self.class_destinations(dest_class)])
        chosen = _prefer(space, chosen, [space.protocol(p) for p in (PROTO_TCP, PROTO_UDP, PROTO_ICMP)])
        chosen = _prefer(space, chosen, [space.field_equals("est", 0)])
        chosen = _prefer(
            space,
            chosen,
            [space.field_equals("dport", p) for p in WELL_KNOWN_PORTS] + [space.field_range("dport", 1, 1023)],
        )
        ephemeral = [space.field_range("sport", 49152, 65535), space.field_range("sport", 1024, 65535)]
        chosen = _prefer(space, chosen, ephemeral)
        chosen = _prefer(space, chosen, [space.field_equals("icmp_type", 8) & space.field_equals("icmp_code", 0)])
        chosen = _prefer(
            space,
            chosen,
            [*self._source_host_candidates(source_class, start), space.field_equals("src", PUBLIC_EXAMPLE)],
        )
        chosen = _prefer(space, chosen, [_block_host(space, chosen, "src")])
        chosen = _prefer(
            space,
            chosen,
            [
                *self._destination_host_candidates(),
                space.field_equals("dst", PUBLIC_EXAMPLE),
                _block_host(space, chosen, "dst"),
            ],
        )
        packet = space.pick(chosen)
        assert packet is not None
        return packet

    def class_destinations(self, dest_class: str) -> PacketSet:
        """Destinations inside a destination class: a zone's own addresses (for the internet
        zone also every address no zone or peer owns), a peer's, or no one's."""
        key = f"class:{dest_class}"
        if key not in self._owned:
            nobody = self.space.valid
            for zone_id in self.zone_ids():
                nobody &= ~self.owned(zone_id, "dst")
            for peer in self.network.topology.external_peers:
                nobody &= ~self.peer_addresses(peer.id, "dst")
            if dest_class.startswith("peer:"):
                result = self.peer_addresses(dest_class[5:], "dst")
            elif dest_class in (TRANSIT, OUTSIDE):
                result = nobody
            else:
                result = self.owned(dest_class, "dst")
                if self.network.topology.zone(dest_class).kind is ZoneKind.INTERNET:
                    result |= nobody
            self._owned[key] = result
        return self._owned[key]

    def _source_host_candidates(self, source_class: str, start: Start | None = None) -> list[PacketSet]:
        """Readable source hosts: a host address of each start segment (or of `start`'s),
        LANs before point-to-point links; then any host address of those segments."""
        if start is not None:
            segment_ids = [start.segment] if start.segment else []
        else:
            segment_ids = [s.segment for s, _ in self.starts(source_class) if s.segment]
        subnets = sorted(
            (length, network, segment_id)
            for segment_id in segment_ids
            for network, length in self.network.segments[segment_id].subnets
        )
        candidates = [
            self.space.field_equals("src", host)
            for length, network, segment_id in subnets
            if self.network.segments[segment_id].is_host_address(host := _readable_host(network, length))
        ]
        candidates += [self.host_sources(segment_id) for segment_id in dict.fromkeys(s[2] for s in subnets)]
        return candidates

    def _destination_host_candidates(self) -> list[PacketSet]:
        """Readable destinations: a host of each LAN-sized subnet (never a device's own
        address, nor a network or broadcast address)."""
        subnets = sorted(
            (length, network, segment.id)
            for segment in self.network.segments.values()
            for network, length in segment.subnets
            if length <= 29
        )
        return [
            self.space.field_equals("dst", host)
            for length, network, segment_id in subnets
            if self.network.segments[segment_id].is_host_address(host := _readable_host(network, length))
        ]

    def build_finding(
        self,
        rule: str,
        severity: str,
        source_class: str,
        dest_class: str,
        packet: Packet,
        klass: PacketSet,
        path: TracePath,
        describe: MessageBuilder,
        more: bool,
        start: Start | None = None,
    ) -> Finding:
        """`start`: where the example flow starts (named in the finding)."""
        steps, evidence, notes, understood = self._path_steps(path, packet)
        description = self.describe_set(klass)
        status = "violated" if understood else "inconclusive"
        if more:
            notes = (*notes, "further packet classes between these zones are not listed separately")
        where = ", ".join(f"{e.file}:{e.line}" for e in evidence if e.role == "permits") or "no filter on the path"
        message_en, message_ja = describe(
            self.label(source_class, "en"),
            self.label(dest_class, "en"),
            self.label(source_class, "ja"),
            self.label(dest_class, "ja"),
            description,
            where,
        )
        return Finding(
            rule=rule,
            severity=severity,
            status=status,
            message_en=message_en,
            message_ja=message_ja,
            from_zone=source_class,
            to_zone=dest_class,
            flow=flow_example(packet),
            flow_class=description,
            path=steps,
            evidence=evidence,
            notes=notes,
            **self._start_fields(start),
        )

    def _start_fields(self, start: Start | None) -> dict[str, str]:
        if start is None:
            return {}
        kind, place = self.start_text(start)
        return {"flow_start_kind": kind, "flow_start": place}

    def _path_steps(
        self, path: TracePath, packet: Packet | None = None
    ) -> tuple[tuple[PathStep, ...], tuple[Evidence, ...], tuple[str, ...], bool]:
        steps: list[PathStep] = []
        evidence: list[Evidence] = []
        notes: list[str] = []
        understood = True
        translation: Translation = ()
        # The same caveats `trace` prints at each hop (reach/trace.py `hop_caveats`).
        caveats = path_caveats(self.network, path, packet)
        for hop, hop_caveats in zip(path.hops, caveats, strict=True):
            device = self.network.devices[hop.device]
            if hop.translation != translation:
                for rewrite in new_rewrites(translation, hop.translation):
                    where = rewrite.rule.where() if rewrite.rule else hop.device
                    notes.append(f"{hop.device}: NAT rewrites {rewrite.field} to {rewritten_to(rewrite)} ({where})")
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
                route_text = (
                    route.describe()
                    if hop.next_hop.dynamic is None
                    else (
                        f"dynamic ({hop.next_hop.dynamic.protocol} {hop.next_hop.dynamic.process}, over-approximated)"
                    )
                )
                if route.kind.value == "static" or hop.next_hop.dynamic is not None:
                    evidence.append(_evidence(route.source, "route"))
            elif path.endpoint is not None and path.endpoint.kind == "device":
                route_text = "local (addressed to the device)"
            steps.append(
                PathStep(
                    device=device.name,
                    in_interface=hop.in_interface,
                    out_interface=hop.out_interface,
                    route=route_text,
                    acl=acl_in,
                    acl_out=acl_out,
                    note="; ".join(f"{c.where()}: {c.message_en}" for c in hop_caveats),
                    in_vrf=_vrf_of(device, hop.in_interface),
                    out_vrf=_vrf_of(device, hop.out_interface),
                )
            )
        return tuple(steps), tuple(_dedupe(evidence)), tuple(dict.fromkeys(notes)), understood

    def _acl_ref(
        self, device_name: str, if_name: str, direction: str, hop: Hop, evidence: list[Evidence], notes: list[str]
    ) -> AclRef | None:
        decision = hop.ingress if direction == "in" else hop.egress
        device = self.network.devices[device_name]
        interface = device.interfaces[if_name]
        if decision is None or decision.acl_name is None:
            return None
        reference = interface.acl_in_source if direction == "in" else interface.acl_out_source
        if decision.undefined:
            if reference is not None:
                evidence.append(_evidence(reference, "permits"))
            return AclRef(
                decision.acl_name,
                reference.file if reference else "",
                reference.line if reference else 0,
                redact(reference.text.strip()) if reference else "",
            )
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

    def _reserved(self, field_name: str) -> list[tuple[PacketSet, PacketSet]]:
        """(subnet, its network and broadcast addresses that are no host's) per segment subnet."""
        key = f"reserved:{field_name}"
        if key not in self._reserved_edges:
            pairs = []
            for segment in self.network.segments.values():
                for network, length in segment.subnets:
                    edges = self.space.false
                    for address in segment.reserved:
                        if address & prefix_mask(length) == network:
                            edges |= self.space.field_equals(field_name, address)
                    if edges != self.space.false:
                        pairs.append((self.space.field_prefix(field_name, network, length), edges))
            self._reserved_edges[key] = pairs
        return self._reserved_edges[key]

    def reserved_destinations(self) -> PacketSet:
        """Packets to a network or broadcast address of a segment's subnet: no host's, no device's.
        With a store, kept there by the structure fingerprint (which holds every segment's
        subnets and reserved addresses): on the 1,000-device city it is 10,000 one-address sets."""
        if self._reserved_destinations is not None:
            return self._reserved_destinations
        store = self.space.store
        key = None
        if store is not None and self.fingerprints is not None:
            code = source_fingerprint("rules/flows.py", "reach/packets.py")
            key = BddStore.key("reserved-destinations", (self.fingerprints.structure, code), self.space.layout)
            self._reserved_destinations = store.get(self.space.bdd, key)
        if self._reserved_destinations is None:
            self._reserved_destinations = _union(self.space, (edges for _, edges in self._reserved("dst")))
            if store is not None and key is not None:
                store.put(self.space.bdd, key, self._reserved_destinations)
        return self._reserved_destinations

    def describe_set(self, packets: PacketSet) -> str:
        space = self.space
        parts = []
        protocols = space.protocols_in(packets)
        proto_text = _protocols_text(protocols)
        parts.append(proto_text)
        parts.append(
            _addresses_text(space, packets, "src", self._reserved("src"))
            + " → "
            + _addresses_text(space, packets, "dst", self._reserved("dst"))
        )
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


def _union(space: PacketSpace, sets: Iterable[PacketSet]) -> PacketSet:
    result = space.false
    for packets in sets:
        result |= packets
    return result


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
    return (
        space.field_equals(field_name, _readable_host(network, length))
        if length < 32
        else space.field_equals(field_name, network)
    )


def _protocols_text(protocols: list[int]) -> str:
    if len(protocols) == 256:
        return "ip"
    if len(protocols) > 4:
        return f"{len(protocols)} protocols"
    return "/".join(protocol_name(p) for p in protocols)


def _addresses_text(
    space: PacketSpace, packets: PacketSet, field_name: str, reserved: list[tuple[PacketSet, PacketSet]]
) -> str:
    values = space.project(packets, field_name)
    blocks, truncated = space.field_prefixes(values, field_name, 4)
    if blocks == [(0, 0)]:
        return "any"
    if truncated:
        # Subnets without their network and broadcast addresses split into many blocks;
        # named as the subnets when exactly those addresses (all of them) are missing.
        edges = space.false
        for subnet, subnet_edges in reserved:
            if values & subnet != space.false:
                edges |= subnet_edges
        widened = values | edges
        whole, whole_truncated = space.field_prefixes(widened, field_name, 4)
        if edges != space.false and widened & ~values == edges:
            text = "any" if whole == [(0, 0)] else ", ".join(format_prefix(n, length) for n, length in whole)
            return text + (", …" if whole_truncated else "") + " (without network/broadcast addresses)"
        missing, missing_truncated = space.field_prefixes(
            space.project(space.valid, field_name) & ~values, field_name, 6
        )
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
        src=int_to_ip(packet.src),
        dst=int_to_ip(packet.dst),
        proto=protocol_name(packet.proto),
        sport=packet.sport if has_ports else None,
        dport=packet.dport if has_ports else None,
        established=packet.established,
        icmp_type=packet.icmp_type if is_icmp else None,
        icmp_code=packet.icmp_code if is_icmp else None,
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


def _vrf_of(device: Device, if_name: str) -> str:
    interface = device.interfaces.get(if_name) if if_name else None
    return interface.vrf if interface is not None else ""
