"""Isolation certificates: for each isolated zone pair, the filter lines that together cut
every path, found as a minimum cut of the interface graph (of all minimum cuts, the one
nearest the destination: see `min_cut_sink_side`).

A filter point (an interface's inbound or outbound ACL; on a device with a policy, the
inbound point holds the inbound ACL and the policy from that interface to any other) can
be part of the cut when it drops *every* packet of the pair's forbidden class; all other
hops have infinite capacity. The filters of a device that does not filter traffic to the
box cannot cut traffic to its own addresses, so when it owns an address of the
destination zone its inbound points lead to the sink whatever the filter: every one when
any of its addresses answers, else the owning interface's (`Device.to_the_box`). On a
device whose other addresses answer through the policy, the inbound point also holds what
the policy from that interface lets through to them (the device node leads to the sink). Routing is
ignored, so a certificate holds whatever the routes are. When no
set of whole filters cuts every path (isolation rests on routing, or on several partial
filters together), the certificate says so instead of listing lines; and when the VRFs of some
devices alone part the zones (the same graph with one device node per VRF table, joined only
where a static route leaks from one table into another), it names those devices and VRFs.
With a cache folder, a pair's cut and lines are taken from the last run where they still hold
(rules/certificate_kept.py says when). When the searches ran over two processes, the search
worker reads the cut filters' lines it claims first while this process runs the rules
(`cited_lines_ahead`, rules/presearch.py): on the cold 1,000-device city it claimed all
three, and the stage took 0.7-0.9 s of CPU here instead of 3.0-3.6 s.
"""

from __future__ import annotations

import hashlib
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Protocol

from ..model import AclLine, Device, Interface, Source, ToTheBox, Wildcard
from ..profiles import CHANNELS, PairPolicy, pair_policies
from ..reach.filters import accepts, rule_lines
from ..reach.packets import PacketSet, PacketSpace
from ..redact import redact
from ..result import Evidence, IsolationCertificate
from .acl import MAX_OVERLAP_CANDIDATES
from .acl_overlap import OverlapIndex, addresses_overlap
from .certificate_kept import KeptCertificates, KeptPair
from .flows import FlowContext
from .zone import sanctioned_flows

# Nodes: SOURCE, SINK, ("segment", id), ("device", name), ("in" | "out", device, interface).
Node = tuple[str, ...]
SOURCE: Node = ("source",)
SINK: Node = ("sink",)
FilterPoint = tuple[str, str, str]  # (device, interface, "in" | "out")


class CutGraph:
    """The cut graph's edges: an edge standing for a filter point has capacity 1, any other is
    infinite. Adding an edge again keeps its filter point unless a new one is given (as a
    networkx DiGraph merges edge attributes), so the graph is the one the first version of
    this module built with networkx, and cuts the same (see `min_cut_sink_side`)."""

    def __init__(self) -> None:
        self.edges: dict[tuple[Node, Node], FilterPoint | None] = {}

    def add_edge(self, node_a: Node, node_b: Node, point: FilterPoint | None = None) -> None:
        if point is not None or (node_a, node_b) not in self.edges:
            self.edges[node_a, node_b] = point

    def has_path(self) -> bool:
        """Whether any path leads from SOURCE to SINK."""
        successors: dict[Node, list[Node]] = {}
        for node_a, node_b in self.edges:
            successors.setdefault(node_a, []).append(node_b)
        seen, todo = {SOURCE}, [SOURCE]
        while todo:
            for node in successors.get(todo.pop(), ()):
                if node == SINK:
                    return True
                if node not in seen:
                    seen.add(node)
                    todo.append(node)
        return False


def min_cut_sink_side(graph: CutGraph) -> set[Node] | None:
    """The nodes that reach SINK in the residual graph of a maximum flow (None: a path of infinite
    edges alone leads from SOURCE to SINK, the flow is unbounded). That set is the same for every
    maximum flow (it is the intersection of the sink sides of all minimum cuts), so this is the
    partition networkx's `minimum_cut` returns whatever its flow algorithm; edges are unit or
    infinite, so plain augmenting paths (one unit each) suffice: their number is the cut's size."""
    arcs = _Arcs.of(graph)
    sink_side = _min_cut(arcs)
    return None if sink_side is None else arcs.nodes_of(sink_side)


def _min_cut(arcs: _Arcs) -> set[int] | None:
    """`min_cut_sink_side` over node numbers; `arcs` holds the maximum flow afterwards."""
    if arcs.reaches_sink(lambda arc: arcs.decided_capacity(arc) == arcs.infinite):
        return None
    while arcs.augment():
        pass
    return arcs.sink_side()


def _forward(arc: int) -> bool:
    """An arc of an edge (not a reverse arc): paths of these are the graph's paths."""
    return arc % 2 == 0


class _Arcs:
    """The residual graph over node numbers (SOURCE 0, SINK 1): arc 2k is the k-th edge,
    arc 2k+1 its reverse (capacity 0 until flow passes). `infinite`: the capacity of an
    edge without a filter point, more than all the finite ones together, so that no finite
    flow saturates it (the cut it gives does not depend on how much more).

    An arc in `undecided` (a filter edge whose filter has not been tested yet) is infinite
    until `decided_capacity` asks `is_unit` about its key: only the arcs that the search for
    a path of infinite edges crosses and those flow passes through are tested, since an
    untested arc is unsaturated either way (capacity 1 or infinite, no flow), which is all
    the search for augmenting paths and the sink side read of it."""

    def __init__(self, infinite: int) -> None:
        self.nodes: dict[Node, int] = {SOURCE: 0, SINK: 1}
        self.heads: list[int] = []
        self.capacity: list[int] = []
        self.arcs_of: list[list[int]] = [[], []]
        self.infinite = infinite
        # Node numbers whose arc lists a copy shares (`copy`): replaced by their own before a change.
        self.shared: set[int] = set()
        self.undecided: dict[int, int] = {}  # arc -> the key `is_unit` is asked about
        self.is_unit: Callable[[int], bool] = lambda key: False
        self.units: list[int] = []  # the arcs found to have capacity 1, in the order they were

    @staticmethod
    def of(graph: CutGraph) -> _Arcs:
        arcs = _Arcs(sum(1 for point in graph.edges.values() if point is not None) + 1)
        for (node_a, node_b), point in graph.edges.items():
            arcs.add_edge(node_a, node_b, 1 if point is not None else arcs.infinite)
        return arcs

    def copy(self) -> _Arcs:
        """The same residual graph, which changes apart from this one: the arc lists are
        shared until either side adds an arc to one (a pair's graph adds a few to the shared
        part of every pair's, `_Skeleton`)."""
        other = _Arcs(self.infinite)
        other.nodes = dict(self.nodes)
        other.heads = list(self.heads)
        other.capacity = list(self.capacity)
        other.arcs_of = list(self.arcs_of)
        self.shared = set(range(len(self.arcs_of)))
        other.shared = set(self.shared)
        other.undecided = dict(self.undecided)
        other.is_unit = self.is_unit
        other.units = list(self.units)
        return other

    def decided_capacity(self, arc: int) -> int:
        """The arc's capacity, its filter tested first if it has not been (before any flow passes)."""
        key = self.undecided.pop(arc, None)
        if key is not None and self.is_unit(key):
            self.capacity[arc] = 1
            self.units.append(arc)
        return self.capacity[arc]

    def add_edge(self, node_a: Node, node_b: Node, capacity: int) -> int:
        """The new edge's arc (-1 for a loop, which carries no flow and is left out)."""
        if node_a == node_b:
            return -1
        return self._add(self._number(node_a), self._number(node_b), capacity)

    def nodes_of(self, numbers: set[int]) -> set[Node]:
        return {node for node, number in self.nodes.items() if number in numbers}

    def _number(self, node: Node) -> int:
        if node not in self.nodes:
            self.nodes[node] = len(self.nodes)
            self.arcs_of.append([])
        return self.nodes[node]

    def _add(self, tail: int, head: int, capacity: int) -> int:
        arc = len(self.heads)
        self._arcs_to_change(tail).append(arc)
        self.heads.append(head)
        self.capacity.append(capacity)
        self._arcs_to_change(head).append(arc + 1)
        self.heads.append(tail)
        self.capacity.append(0)
        return arc

    def _arcs_to_change(self, node: int) -> list[int]:
        if node in self.shared:
            self.shared.discard(node)
            self.arcs_of[node] = list(self.arcs_of[node])
        return self.arcs_of[node]

    def reaches_sink(self, usable: Callable[[int], bool]) -> bool:
        seen, todo = {0}, [0]
        while todo:
            for arc in self.arcs_of[todo.pop()]:
                head = self.heads[arc]
                if head not in seen and usable(arc):
                    if head == 1:
                        return True
                    seen.add(head)
                    todo.append(head)
        return False

    def augment(self) -> bool:
        """Push one unit along a shortest residual path from SOURCE to SINK, if there is one."""
        through: dict[int, int] = {0: -1}  # node -> the arc it was reached by
        todo = deque([0])
        while todo and 1 not in through:
            for arc in self.arcs_of[todo.popleft()]:
                head = self.heads[arc]
                if head not in through and self.capacity[arc] > 0:
                    through[head] = arc
                    todo.append(head)
        if 1 not in through:
            return False
        node = 1
        while node != 0:
            arc = through[node]
            self.capacity[arc] = self.decided_capacity(arc) - 1
            self.capacity[arc ^ 1] += 1
            node = self.heads[arc ^ 1]
        return True

    def sink_side(self) -> set[int]:
        seen, todo = {1}, [1]
        while todo:
            for arc in self.arcs_of[todo.pop()]:
                tail = self.heads[arc]  # the reverse of `arc` leads from `tail` to the popped node
                if tail not in seen and self.capacity[arc ^ 1] > 0:
                    seen.add(tail)
                    todo.append(tail)
        return seen


@dataclass(frozen=True)
class _FilterEdge:
    """An edge through a filter point; `number`: its place in `_Skeleton.filter_edges` (and `filters`)."""

    node_a: Node
    node_b: Node
    point: FilterPoint
    number: int


@dataclass(frozen=True)
class _Skeleton:
    """What the cut graphs of all pairs share (see `_cut_graph`): the edges between segments,
    interface points and device nodes. The pairs differ only in the edges from SOURCE and to
    SINK and in which filter edges carry their point (a filter that drops every forbidden
    packet), so each interface's filters are read at most once per run, and a pair tests each
    distinct filter once (most interfaces share one: no ACL; templated ACLs often do too).
    A filter is compiled only when a pair's search first tests its point (`_FilterSets`): the
    searches of a cold run compiled most of them in the other process, and the certificates'
    searches stop at the filters nearest the source that drop the forbidden packets (benchmark
    cities, cold: 8,007 of 14,000 points compiled at 1,000 devices, 24,007 of 42,000 at 3,000,
    where the pairs' searches took 4.0 s CPU before, 2.3 s after).
    `arcs`: these edges as a residual graph that each pair copies, every one infinite, the
    filter edges undecided (their key: the edge's number)."""

    filter_edges: tuple[_FilterEdge, ...]
    edge_of_arc: dict[int, _FilterEdge]  # the filter edges' arcs in `arcs`
    plain: tuple[tuple[Node, Node], ...]
    filters: _FilterSets
    hops: frozenset[tuple[str, str]]  # the interfaces in the graph
    answering: tuple[tuple[str, str], ...]  # those whose filters do not cover traffic to the box
    arcs: _Arcs

    @staticmethod
    def of(ctx: FlowContext, per_table: bool) -> _Skeleton:
        network = ctx.network
        plain = CutGraph()
        filter_edges: list[_FilterEdge] = []
        hops: list[tuple[str, str]] = []
        answering: list[tuple[str, str]] = []
        for device_name, device in sorted(network.devices.items()):
            if per_table:
                _add_leaks(plain, device)
            for if_name, interface in sorted(device.interfaces.items()):
                key = (device_name, if_name)
                segment_id = network.segment_of.get(key)
                if interface.shutdown or (segment_id is None and key not in ctx.engine.boundary):
                    continue
                hops.append(key)
                if device.to_the_box is not ToTheBox.FILTERED and accepts(interface):
                    answering.append(key)
                node = _table_node(device_name, interface, per_table)
                for node_a, node_b, direction in (
                    (("in", device_name, if_name), node, "in"),
                    (node, ("out", device_name, if_name), "out"),
                ):
                    point = (device_name, if_name, direction)
                    filter_edges.append(_FilterEdge(node_a, node_b, point, len(filter_edges)))
                if segment_id is not None:
                    plain.add_edge(("out", device_name, if_name), ("segment", segment_id))
                    if interface.addresses:
                        plain.add_edge(("segment", segment_id), ("in", device_name, if_name))
        arcs = _Arcs(len(filter_edges) + 1)
        edge_of_arc = {arcs.add_edge(edge.node_a, edge.node_b, arcs.infinite): edge for edge in filter_edges}
        arcs.undecided = {arc: edge.number for arc, edge in edge_of_arc.items()}
        for node_a, node_b in plain.edges:
            arcs.add_edge(node_a, node_b, arcs.infinite)
        return _Skeleton(
            tuple(filter_edges),
            edge_of_arc,
            tuple(plain.edges),
            _FilterSets(ctx, tuple(edge.point for edge in filter_edges)),
            frozenset(hops),
            tuple(answering),
            arcs,
        )

    def dropping_all(self, space: PacketSpace, forbidden: PacketSet) -> list[bool]:
        """Per filter edge: whether its filter drops every forbidden packet."""
        return [self.filters[edge.number] & forbidden == space.false for edge in self.filter_edges]


class _FilterSets:
    """What the filter of each point (by its edge's number) lets through (`_filter_set`), made
    when first asked for."""

    def __init__(self, ctx: FlowContext, points: Sequence[FilterPoint]) -> None:
        self.ctx, self.points = ctx, points
        self.known: dict[int, PacketSet] = {}

    def __getitem__(self, number: int) -> PacketSet:
        if number not in self.known:
            device_name, if_name, direction = self.points[number]
            device = self.ctx.network.devices[device_name]
            self.known[number] = _filter_set(self.ctx, device, if_name, direction)
        return self.known[number]


@dataclass(frozen=True)
class _Facts:
    """What every pair's graph asks of the network, found once: the zones each interface's
    addresses belong to, the interfaces with an address in each zone, the boundary interfaces
    whose upstream each zone is, and (when a pair first asks) the graphs' shared part."""

    interface_zones: dict[tuple[str, str], frozenset[str | None]]
    upstream_of: dict[str, frozenset[tuple[str, str]]]
    owners: dict[str, tuple[tuple[str, str], ...]]
    skeletons: dict[bool, _Skeleton]  # by `per_table`

    @staticmethod
    def of(ctx: FlowContext) -> _Facts:
        network = ctx.network
        zone_of = network.zones.zone_of
        interface_zones = {
            (device.name, if_name): frozenset(
                zone_of(address)
                for address in (*(a.address for a in interface.addresses), *interface.virtual_addresses)
            )
            for device in network.devices.values()
            for if_name, interface in device.interfaces.items()
        }
        owners: dict[str, list[tuple[str, str]]] = {}
        for key in sorted(interface_zones):
            for owned in interface_zones[key]:
                if owned is not None:
                    owners.setdefault(owned, []).append(key)
        upstream: dict[str, set[tuple[str, str]]] = {}
        for zone in network.topology.zones:
            refs = {network.interface_ref(ref) for ref in zone.upstream}
            upstream.setdefault(zone.id, set()).update(key for key in ctx.engine.boundary if key in refs)
        return _Facts(
            interface_zones,
            {zone: frozenset(keys) for zone, keys in upstream.items()},
            {zone: tuple(keys) for zone, keys in owners.items()},
            {},
        )

    def skeleton(self, ctx: FlowContext, per_table: bool) -> _Skeleton:
        if per_table not in self.skeletons:
            self.skeletons[per_table] = _Skeleton.of(ctx, per_table)
        return self.skeletons[per_table]


def forbidden_connections(ctx: FlowContext, policy: PairPolicy, sanctioned: PacketSet) -> PacketSet:
    """New connections the pair's policy forbids: from the source zone to the destination zone,
    less the sanctioned channels where the policy allows those."""
    forbidden = ctx.owned(policy.from_zone, "src") & ctx.owned(policy.to_zone, "dst")
    if policy.allow == CHANNELS:
        forbidden &= ~sanctioned
    return forbidden & ~ctx.space.tcp_established()


class LinesShare(Protocol):
    """The cut filters' lines read over two processes (rules/presearch.py): each claims a
    point before reading its lines (`take`: exactly one process gets it); the worker
    `deliver`s what it read, this process gets it by `lines` (None: the worker is gone
    without it, so the point is read here)."""

    def take(self, point: FilterPoint) -> bool: ...

    def deliver(self, point: FilterPoint, lines: dict[tuple[str, str], list[Evidence]]) -> None: ...

    def lines(self, point: FilterPoint) -> dict[tuple[str, str], list[Evidence]] | None: ...


def isolation_certificates(ctx: FlowContext, share: LinesShare | None = None) -> tuple[IsolationCertificate, ...]:
    """With a store (a cache folder), a pair's cut and lines are taken from the last run
    where they still hold (rules/certificate_kept.py), else found. `share`: the search
    worker reads some cut filters' lines (`cited_lines_ahead`)."""
    kept = KeptCertificates.open(ctx)
    found: list[_Outcome] = []
    sanctioned = sanctioned_flows(ctx)
    facts: _Facts | None = None
    for policy in pair_policies(ctx.network.topology):
        forbidden = forbidden_connections(ctx, policy, sanctioned)
        routed = ctx.flows(policy.from_zone).get(policy.to_zone, ctx.space.false)
        if routed & forbidden != ctx.space.false:
            continue  # not isolated: the violation is the finding, there is nothing to certify
        outcome = None if kept is None else _kept_outcome(ctx, kept, policy.from_zone, policy.to_zone, forbidden)
        if outcome is None:
            facts = facts or _Facts.of(ctx)
            outcome = _certified(ctx, facts, policy.from_zone, policy.to_zone, forbidden)
            ctx.space.tidy()  # a pair's cut compiles filters the searches did not (the worker's)
        found.append(outcome)
    cuts = [outcome.cut for outcome in found]
    cited = _cited_lines(cuts, ctx, kept, share)
    certificates = tuple(
        IsolationCertificate(cut.source, cut.dest, tuple(line for point in cut.points for line in cited[number, point]))
        if isinstance(cut, _Cut)
        else cut
        for number, cut in enumerate(cuts)
    )
    if kept is not None:
        kept.save([_kept_pair(outcome, number, cited) for number, outcome in enumerate(found)])
    return certificates


@dataclass(frozen=True)
class _Cut:
    """A pair's minimum cut: its filter points in the graph's edge order, their lines not yet read."""

    source: str
    dest: str
    forbidden: PacketSet
    points: tuple[FilterPoint, ...]


@dataclass(frozen=True)
class _Outcome:
    """A pair's certificate, or its cut with lines not yet read, and what it rests on: the filter
    points the search tested with their answers (drops every forbidden packet), and the digest of
    the VRF leaks when it read them ("" when not: rules/certificate_kept.py)."""

    cut: IsolationCertificate | _Cut
    tested: tuple[tuple[str, str, str, bool], ...]
    leaks: str


def _cited_lines(
    found: Sequence[IsolationCertificate | _Cut],
    ctx: FlowContext,
    kept: KeptCertificates | None = None,
    share: LinesShare | None = None,
) -> dict[tuple[int, FilterPoint], list[Evidence]]:
    """Each cut's lines per filter point, by (the cut's place in `found`, point): those `kept`
    holds for it, else read (here, or by the worker behind `share` when it claimed the point
    first). A filter in the cuts of several pairs (the firewall in front of a zone, for every
    other zone) is read once for all of them (`_dropping_lines_each`: each set's lines are the
    same whichever sets are read with it, so the worker's, read with its own pairs, are too)."""
    pairs_of, cited = _sharing(found, lambda number, point: _kept_lines(found[number], point, kept))
    elsewhere: list[FilterPoint] = []
    # The worker reads the points in this order: this process starts from the other end.
    for point, sharing in reversed(pairs_of.items()):
        if share is None or share.take(point):
            cited.update(_read_point(ctx, point, sharing))
        else:
            elsewhere.append(point)
    for point in elsewhere:
        delivered = (share.lines(point) if share is not None else None) or {}
        missing = []
        for number, forbidden in pairs_of[point]:
            lines = delivered.get(_pair_of(found[number]))
            if lines is None:
                missing.append((number, forbidden))
            else:
                cited[number, point] = lines
        if missing:
            cited.update(_read_point(ctx, point, missing))
    return cited


def _kept_lines(
    cut: IsolationCertificate | _Cut, point: FilterPoint, kept: KeptCertificates | None
) -> list[Evidence] | None:
    if kept is None or not isinstance(cut, _Cut):
        return None
    lines = kept.lines(cut.source, cut.dest, point)
    return None if lines is None else list(lines)


def _sharing(
    found: Sequence[IsolationCertificate | _Cut], known: Callable[[int, FilterPoint], list[Evidence] | None]
) -> tuple[dict[FilterPoint, list[tuple[int, PacketSet]]], dict[tuple[int, FilterPoint], list[Evidence]]]:
    """The cuts' points to read, each with the cuts (by place in `found`) and forbidden packets
    that share it, in the cuts' order; and the lines `known` has already, by (place, point)."""
    pairs_of: dict[FilterPoint, list[tuple[int, PacketSet]]] = {}
    known_lines: dict[tuple[int, FilterPoint], list[Evidence]] = {}
    for number, cut in enumerate(found):
        if isinstance(cut, _Cut):
            for point in dict.fromkeys(cut.points):
                lines = known(number, point)
                if lines is not None:
                    known_lines[number, point] = lines
                else:
                    pairs_of.setdefault(point, []).append((number, cut.forbidden))
    return pairs_of, known_lines


def _read_point(
    ctx: FlowContext, point: FilterPoint, sharing: Sequence[tuple[int, PacketSet]]
) -> dict[tuple[int, FilterPoint], list[Evidence]]:
    """The point's lines for each cut (by place) that shares it, the filter read once."""
    forbiddens = [forbidden for _, forbidden in sharing]
    read = _dropping_lines_each(ctx, *point, forbiddens)
    ctx.space.tidy()  # the lines' packet sets of a long filter, built for this point alone
    return {(number, point): lines for (number, _), lines in zip(sharing, read, strict=True)}


def cited_lines_ahead(ctx: FlowContext, share: LinesShare) -> None:
    """The search worker's part of the certificates (rules/presearch.py), while this process
    runs the rules: every pair's cut, found as `isolation_certificates` finds it (a pair the
    routed searches show not isolated is not known here; its cut, if any, is read for nothing),
    then the lines of each cut point it claims first, delivered by pair."""
    sanctioned = sanctioned_flows(ctx)
    facts = _Facts.of(ctx)
    cuts: list[IsolationCertificate | _Cut] = []
    for policy in pair_policies(ctx.network.topology):
        forbidden = forbidden_connections(ctx, policy, sanctioned)
        cuts.append(_certified(ctx, facts, policy.from_zone, policy.to_zone, forbidden).cut)
        ctx.space.tidy()
    pairs_of, _ = _sharing(cuts, lambda number, point: None)
    for point, sharing in pairs_of.items():
        if share.take(point):
            read = _read_point(ctx, point, sharing)
            share.deliver(point, {_pair_of(cuts[number]): lines for (number, _), lines in read.items()})


def _pair_of(cut: IsolationCertificate | _Cut) -> tuple[str, str]:
    return (cut.source, cut.dest) if isinstance(cut, _Cut) else (cut.from_zone, cut.to_zone)


def _kept_outcome(
    ctx: FlowContext, kept: KeptCertificates, source: str, dest: str, forbidden: PacketSet
) -> _Outcome | None:
    """The pair's outcome as the kept run found it, when the search would go step for step as it
    did: each point it tested on a device changed since gives the same answer now, and the VRF
    leaks it read (if any) are the same (rules/certificate_kept.py)."""
    pair = kept.pair(source, dest)
    if pair is None or (pair.leaks and pair.leaks != kept.leaks(lambda: _leak_digest(ctx))):
        return None
    for device_name, if_name, direction, drops in pair.tested:
        if kept.changed(device_name) and _drops_all(ctx, device_name, if_name, direction, forbidden) != drops:
            return None
    cut: IsolationCertificate | _Cut = (
        IsolationCertificate(source, dest, (), pair.notes)
        if pair.cut is None
        else _Cut(source, dest, forbidden, pair.cut)
    )
    return _Outcome(cut, pair.tested, pair.leaks)


def _drops_all(ctx: FlowContext, device_name: str, if_name: str, direction: str, forbidden: PacketSet) -> bool | None:
    """The answer `_DropsAll` gives for the point (None: the network has no such point)."""
    device = ctx.network.devices.get(device_name)
    if device is None or if_name not in device.interfaces:
        return None
    drops: bool = _filter_set(ctx, device, if_name, direction) & forbidden == ctx.space.false
    return drops


def _kept_pair(outcome: _Outcome, number: int, cited: dict[tuple[int, FilterPoint], list[Evidence]]) -> KeptPair:
    """What the next run needs of the pair `found[number]`."""
    cut = outcome.cut
    if isinstance(cut, _Cut):
        lines = tuple(tuple(cited[number, point]) for point in dict.fromkeys(cut.points))
        return KeptPair(cut.source, cut.dest, outcome.tested, cut.points, (), outcome.leaks, lines)
    return KeptPair(cut.from_zone, cut.to_zone, outcome.tested, None, cut.route_absences, outcome.leaks, ())


def _certificate(
    ctx: FlowContext, facts: _Facts, source: str, dest: str, forbidden: PacketSet
) -> IsolationCertificate | _Cut:
    return _certified(ctx, facts, source, dest, forbidden).cut


def _certified(ctx: FlowContext, facts: _Facts, source: str, dest: str, forbidden: PacketSet) -> _Outcome:
    """The pair's certificate (or cut), with the filter points the search tested: those it rests on."""
    arcs = _pair_arcs(ctx, facts, source, dest, forbidden, per_table=False)
    edge_of_arc = facts.skeleton(ctx, per_table=False).edge_of_arc
    if not arcs.reaches_sink(_forward):
        return _Outcome(IsolationCertificate(source, dest, (), ("no physical path between the zones",)), (), "")
    sink_side = _min_cut(arcs)
    units = set(arcs.units)
    tested = tuple((*edge.point, arc in units) for arc, edge in edge_of_arc.items() if arc not in arcs.undecided)
    if sink_side is None:
        separation = _vrf_separation(ctx, facts, source, dest, forbidden)
        notes = (
            "no set of whole filters cuts every path: isolation rests on routing or on several partial filters "
            "together (see ZONE-008)",
            *separation,
        )
        return _Outcome(
            IsolationCertificate(source, dest, (), notes), tested, _leak_digest(ctx) if _separated(ctx) else ""
        )
    # A filter edge from outside the sink side into it is saturated: flow passed, it was tested.
    cut = [
        edge_of_arc[arc] for arc in arcs.units if arcs.heads[arc ^ 1] not in sink_side and arcs.heads[arc] in sink_side
    ]
    return _Outcome(_Cut(source, dest, forbidden, tuple(edge.point for edge in sorted(cut, key=_edge_key))), tested, "")


def _edge_key(edge: _FilterEdge) -> tuple[Node, Node]:
    return edge.node_a, edge.node_b


def _vrf_separation(ctx: FlowContext, facts: _Facts, source: str, dest: str, forbidden: PacketSet) -> tuple[str, ...]:
    """A note naming the VRFs that part the zones, when the per-table graph has no path."""
    separated = _separated(ctx)
    if not separated or _pair_arcs(ctx, facts, source, dest, forbidden, per_table=True).reaches_sink(_forward):
        return ()
    tables = "; ".join(f"{device.name} ({_tables_of(device)})" for device in separated)
    return (f"{VRF_SEPARATION}{tables}",)


def _separated(ctx: FlowContext) -> list[Device]:
    """The devices with VRFs, by name: with none, the per-table graph is not read."""
    devices = sorted(ctx.network.devices.values(), key=lambda d: d.name)
    return [device for device in devices if any(i.vrf for i in device.interfaces.values())]


def _leak_digest(ctx: FlowContext) -> str:
    """The hash of every device's leaks between VRF tables (`_add_leaks`): what the per-table
    graph reads beyond the shared one's structure."""
    graph = CutGraph()
    for _, device in sorted(ctx.network.devices.items()):
        _add_leaks(graph, device)
    return hashlib.sha256(repr(list(graph.edges)).encode("utf-8")).hexdigest()


VRF_SEPARATION = "the VRF tables, with no static route leaking between them, of: "


def _tables_of(device: Device) -> str:
    return ", ".join(
        sorted(
            {
                f"vrf {i.vrf}" if i.vrf else "global"
                for i in device.interfaces.values()
                if i.addresses and not i.shutdown
            }
        )
    )


def _table_node(device_name: str, interface: Interface, per_table: bool) -> tuple[str, ...]:
    return ("device", device_name, interface.vrf) if per_table and interface.vrf else ("device", device_name)


def _add_leaks(graph: CutGraph, device: Device) -> None:
    """Per-table graph: a static route of one table out of an interface of another table, or
    with its next hop resolved in another table, joins the two tables' nodes."""
    for route in device.routes:
        exit_interface = device.interfaces.get(route.interface or "")
        into = {exit_interface.vrf} if exit_interface is not None else set()
        if route.next_hop_vrf is not None:
            into.add(route.next_hop_vrf)
        for table in sorted(into - {route.vrf}):
            graph.add_edge(
                ("device", device.name, route.vrf) if route.vrf else ("device", device.name),
                ("device", device.name, table) if table else ("device", device.name),
            )


def _cut_graph(
    ctx: FlowContext, facts: _Facts, source: str, dest: str, forbidden: PacketSet, per_table: bool = False
) -> CutGraph:
    """Nodes: segments, and per interface an inbound and an outbound point; edges without
    a filter point are infinite. `per_table`: one device node per VRF table (see `_vrf_separation`).
    The graph `_pair_arcs` gives as a residual graph."""
    skeleton = facts.skeleton(ctx, per_table)
    drops_all = skeleton.dropping_all(ctx.space, forbidden)
    graph = CutGraph()
    for edge in skeleton.filter_edges:
        graph.add_edge(edge.node_a, edge.node_b, edge.point if drops_all[edge.number] else None)
    for node_a, node_b in (*skeleton.plain, *_pair_edges(ctx, facts, skeleton, source, dest, per_table)):
        graph.add_edge(node_a, node_b)
    return graph


def _pair_arcs(ctx: FlowContext, facts: _Facts, source: str, dest: str, forbidden: PacketSet, per_table: bool) -> _Arcs:
    """The pair's cut graph (`_cut_graph`) as a residual graph, its filter edges tested when
    the search needs to know (`_Arcs`)."""
    skeleton = facts.skeleton(ctx, per_table)
    arcs = skeleton.arcs.copy()
    arcs.is_unit = _DropsAll(ctx.space, forbidden, skeleton.filters)
    for node_a, node_b in _pair_edges(ctx, facts, skeleton, source, dest, per_table):
        arcs.add_edge(node_a, node_b, arcs.infinite)
    return arcs


class _DropsAll:
    """Whether the filter of a number in `filters` drops every forbidden packet, tested once per
    distinct filter (most interfaces share one: no ACL; templated ones often do too)."""

    def __init__(self, space: PacketSpace, forbidden: PacketSet, filters: _FilterSets) -> None:
        self.space, self.forbidden, self.filters = space, forbidden, filters
        self.known: dict[PacketSet, bool] = {}

    def __call__(self, number: int) -> bool:
        permitted = self.filters[number]
        answer = self.known.get(permitted)
        if answer is None:
            answer = self.known[permitted] = permitted & self.forbidden == self.space.false
        return answer


def _pair_edges(
    ctx: FlowContext, facts: _Facts, skeleton: _Skeleton, source: str, dest: str, per_table: bool
) -> list[tuple[Node, Node]]:
    """The pair's own edges: from SOURCE to where its packets start, and to SINK from the
    destination zone's segments, the device nodes that own its addresses, the inbound points
    of devices whose filters cannot cut traffic to those addresses (see the module's
    docstring), and the outbound points of the boundary interfaces the zone is upstream of."""
    network = ctx.network
    edges: list[tuple[Node, Node]] = [
        (SOURCE, ("segment", start.segment) if start.segment else ("in", start.device, start.interface))
        for start, _ in ctx.starts(source)
    ]
    edges += [(("segment", segment.id), SINK) for segment in network.segments.values() if segment.zone == dest]
    owners = facts.owners.get(dest, ())
    for device_name, if_name in owners:
        edges.append((_table_node(device_name, network.devices[device_name].interfaces[if_name], per_table), SINK))
    owning = {device_name for device_name, _ in owners}
    for device_name, if_name in skeleton.answering:
        if network.devices[device_name].to_the_box is ToTheBox.ANY_ADDRESS:
            answers = device_name in owning
        else:
            answers = dest in facts.interface_zones[device_name, if_name]
        if answers:
            # Its filters do not apply to traffic to the box: they cannot cut it.
            edges.append((("in", device_name, if_name), SINK))
    boundary_sinks = facts.upstream_of.get(dest, frozenset())
    edges += [(("out", *key), SINK) for key in sorted(boundary_sinks) if key in skeleton.hops]
    return edges


def _filter_set(ctx: FlowContext, device: Device, if_name: str, direction: str) -> PacketSet:
    """What a filter point lets through (the graph's edges through it are cut when it drops
    every forbidden packet)."""
    if direction == "out" or (device.to_the_box is ToTheBox.FILTERED and device.policy is not None):
        # The policy does not filter traffic to the box of a device whose inbound ACL does.
        permitted = ctx.engine.interface_filter(device.name, if_name, direction)
    else:
        permitted = ctx.engine.entry_filter(device.name, if_name)
    if direction == "in" and device.to_the_box is ToTheBox.VIA_POLICY:
        # Its addresses on other interfaces answer to what the policy towards them permits.
        permitted |= ctx.engine.box_filter(device.name, if_name)
    return permitted


def _dropping_lines(
    ctx: FlowContext, device_name: str, if_name: str, direction: str, forbidden: PacketSet
) -> list[Evidence]:
    """The binding line, then the lines of the filter that drop the forbidden packets, those that
    drop the most of them first (ties in the filter's order)."""
    return _dropping_lines_each(ctx, device_name, if_name, direction, [forbidden])[0]


def _dropping_lines_each(
    ctx: FlowContext, device_name: str, if_name: str, direction: str, forbiddens: Sequence[PacketSet]
) -> list[list[Evidence]]:
    """`_dropping_lines` for each of several sets of forbidden packets, the filter read once."""
    device = ctx.network.devices[device_name]
    interface = device.interfaces[if_name]
    name = interface.acl_in if direction == "in" else interface.acl_out
    binding = interface.acl_in_source if direction == "in" else interface.acl_out_source
    evidence: list[list[Evidence]] = [[] for _ in forbiddens]
    if binding is not None:
        bound = Evidence(
            binding.file,
            binding.line,
            redact(binding.text.strip()),
            f"binds {name} ({direction}) on {device_name} {if_name}",
        )
        for lines in evidence:
            lines.append(bound)
    acl = device.acls.get(name) if name else None
    if direction == "in" and device.policy is not None:
        for lines, policy_lines in zip(
            evidence, _policy_dropping_lines(ctx, device_name, device, if_name, forbiddens), strict=True
        ):
            lines += policy_lines
    if acl is None:
        return evidence
    return [
        lines + dropped
        for lines, dropped in zip(evidence, _dropping_each(ctx, acl.lines, forbiddens, acl.source), strict=True)
    ]


def _policy_dropping_lines(
    ctx: FlowContext, device_name: str, device: Device, if_name: str, forbiddens: Sequence[PacketSet]
) -> list[list[Evidence]]:
    """The policy rules from `if_name` to any interface (and their lines that drop the
    forbidden packets); when none is that wide, every rule from `if_name`. One list per set
    of forbidden packets."""
    rules = [rule for rule in device.policy or () if rule.from_interfaces is None or if_name in rule.from_interfaces]
    wide = [rule for rule in rules if rule.to_interfaces is None]
    evidence = [
        Evidence(
            rule.source.file,
            rule.source.line,
            redact(rule.source.text.strip()),
            f"binds {rule.acl} (in) on {device_name} {if_name}"
            if rule.acl
            else f"{rule.name} on {device_name} {if_name}",
        )
        for rule in (wide or rules)
    ]
    if not wide:
        return [list(evidence) for _ in forbiddens]
    last = device.acls.get(wide[-1].acl or "")
    lines = [line for rule in wide for line in rule_lines(device, rule)]
    return [
        evidence + dropped
        for dropped in _dropping_each(ctx, lines, forbiddens, last.source if last is not None else None)
    ]


def _dropping_each(
    ctx: FlowContext, lines: Sequence[AclLine], forbiddens: Sequence[PacketSet], implicit: Source | None
) -> list[list[Evidence]]:
    """`_dropping` for each set of forbidden packets, in one pass over the lines: the packets a
    line is the first to match do not depend on which packets are asked about, so the regions
    are cut out of the union once and each set's share of a line is its part of the region."""
    if len(forbiddens) == 1:
        return [_dropping(ctx, lines, forbiddens[0], implicit)]
    space = ctx.space
    union = space.false
    for forbidden in forbiddens:
        union |= forbidden
    sources, destinations = (_address_blocks(ctx, union, field) for field in ("src", "dst"))
    regions = _FirstMatchShares(space, union)
    parts = [forbidden & space.valid for forbidden in forbiddens]
    left = [space.count(part) for part in parts]
    # Pairs that share a filter have disjoint forbidden packets (other sources or other
    # destinations): then the last one's share is what the others leave of the region.
    disjoint = all(parts[i] & parts[j] == space.false for i in range(len(parts)) for j in range(i + 1, len(parts)))
    dropping: list[list[tuple[int, int, Evidence]]] = [[] for _ in forbiddens]
    for line in lines:
        if not regions.left:
            break
        if not any(
            addresses_overlap(match.src, sources) and addresses_overlap(match.dst, destinations)
            for match in line.matches
        ):
            continue
        taken = regions.take_region(line)
        if taken is not None and not taken[1]:
            continue
        # a catch-all (no region built) takes whatever each set has left
        shares = list(left) if taken is None else _shares(space, taken[0], parts, disjoint, taken[1])
        text = redact(line.source.text.strip())
        for position, share in enumerate(shares):
            if share:
                left[position] -= share
                cited = dropping[position]
                cited.append((share, len(cited), Evidence(line.source.file, line.source.line, text, "drops")))
    if implicit is not None:
        text = redact(implicit.text.strip())
        for position, share in enumerate(left):
            if share:
                cited = dropping[position]
                cited.append(
                    (share, len(cited), Evidence(implicit.file, implicit.line, text, "implicit deny at the end"))
                )
    return [[line for _, _, line in sorted(cited, key=lambda item: (-item[0], item[1]))] for cited in dropping]


def _dropping(
    ctx: FlowContext, lines: Sequence[AclLine], forbidden: PacketSet, implicit: Source | None
) -> list[Evidence]:
    """The lines that drop some of the forbidden packets, and the implicit deny at `implicit`
    (the list's own line) when the forbidden packets no line matched are dropped there: those
    that drop the most first (ties in the filter's order), so a report can show those and count
    the rest. Only packets a header can carry count: a line whose share would hold none but
    impossible ones (ICMP fields on TCP, ...) decides nothing and is not cited."""
    # Lines whose addresses miss the forbidden packets' are passed over without a BDD.
    sources, destinations = (_address_blocks(ctx, forbidden, field) for field in ("src", "dst"))
    regions = _FirstMatchShares(ctx.space, forbidden)
    # (packets it drops first, position, line): the lines that drop most come first, so that a
    # report can show those and count the rest
    dropping: list[tuple[int, int, Evidence]] = []
    for line in lines:
        if not regions.left:
            break  # every forbidden packet is decided: no later line can drop one
        if not any(
            addresses_overlap(match.src, sources) and addresses_overlap(match.dst, destinations)
            for match in line.matches
        ):
            continue
        share = regions.take(line)
        if share is not None:
            text = redact(line.source.text.strip())
            dropping.append((share, len(dropping), Evidence(line.source.file, line.source.line, text, "drops")))
    if implicit is not None and regions.left:  # the implicit deny's share
        text = redact(implicit.text.strip())
        dropping.append(
            (
                regions.left,
                len(dropping),
                Evidence(implicit.file, implicit.line, text, "implicit deny at the end"),
            )
        )
    return [line for _, _, line in sorted(dropping, key=lambda item: (-item[0], item[1]))]


def _shares(
    space: PacketSpace, region: PacketSet, parts: Sequence[PacketSet], disjoint: bool, size: int | None = None
) -> list[int]:
    """How many packets of each part `region` (within their union) holds; `size`: the region's
    own count, when the caller has it."""
    if not disjoint:
        return [space.count(region & part) for part in parts]
    shares = [space.count(region & part) for part in parts[:-1]]
    return [*shares, (space.count(region) if size is None else size) - sum(shares)]


class _FirstMatchShares:
    """One pass over a filter's lines, in order: the forbidden packets each line is the first to
    match. A line's are its own forbidden packets less those of the earlier lines that can
    overlap it (`OverlapIndex`: a handful on long firewall ACLs), so each step is the size of
    one line's share, where a running "not yet matched" set would grow with every line cut out
    of it. The regions partition the forbidden packets: what is left is counted, not built."""

    def __init__(self, space: PacketSpace, forbidden: PacketSet) -> None:
        self.space = space
        # Packets no header can carry (ICMP fields on TCP, ...) are nobody's share: leaving them
        # out spares every share an AND with the (large) set of valid packets.
        self.forbidden = forbidden = forbidden & space.valid
        self.index = OverlapIndex(MAX_OVERLAP_CANDIDATES)
        self.earlier: list[PacketSet] = []  # the forbidden packets of each line in `index`
        self.covered, self.covered_upto = space.false, 0  # the union of `earlier`, built on demand
        self.left = space.count(forbidden)

    def take(self, line: AclLine) -> int | None:
        """How many valid forbidden packets `line` is the first to match (None: no packet at
        all); they are no longer left."""
        space = self.space
        mine = space.line_match(line) & self.forbidden
        if mine == space.false:
            return None
        if mine == self.forbidden:  # a catch-all: it matches whatever is left, no set needed
            share = self.left
        else:
            first = self._first_match(line, mine)
            self.index.add(line)
            self.earlier.append(mine)
            share = space.count(first)
        if not share:
            return None
        self.left -= share
        return share

    def take_region(self, line: AclLine) -> tuple[PacketSet, int] | None:
        """The valid forbidden packets `line` is the first to match and how many (false, 0:
        none), or None when it matches every one (a catch-all: whatever is left is its, no set
        is built); they are no longer left."""
        space = self.space
        mine = space.line_match(line) & self.forbidden
        if mine == space.false:
            return mine, 0
        if mine == self.forbidden:
            self.left = 0
            return None
        first = self._first_match(line, mine)
        self.index.add(line)
        self.earlier.append(mine)
        size = space.count(first)
        self.left -= size
        return first, size

    def _first_match(self, line: AclLine, mine: PacketSet) -> PacketSet:
        candidates = self.index.candidates(line)
        if candidates is None:  # too many earlier lines share its destinations: all of them
            for packets in self.earlier[self.covered_upto :]:
                self.covered |= packets
            self.covered_upto = len(self.earlier)
            return mine & ~self.covered
        for position in candidates:
            mine &= ~self.earlier[position]
        return mine


def _address_blocks(ctx: FlowContext, packets: PacketSet, field: str) -> tuple[Wildcard, ...] | None:
    """The addresses `field` takes in `packets` as prefixes, or None (any) when there are
    more than a few hundred."""
    blocks, truncated = ctx.space.field_prefixes(packets, field, limit=256)
    if truncated:
        return None
    return tuple(Wildcard(network, (1 << (32 - length)) - 1) for network, length in blocks)
