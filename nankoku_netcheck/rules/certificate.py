"""Isolation certificates: for each isolated zone pair, the filter lines that together cut
every path, found as a minimum cut of the interface graph.

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
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TypeAlias

import networkx as nx
from networkx.algorithms.flow import boykov_kolmogorov

from ..graph import Network
from ..model import AclLine, Device, Interface, Source, ToTheBox, Wildcard
from ..profiles import CHANNELS, pair_policies
from ..reach.filters import accepts, rule_lines
from ..reach.packets import PacketSet, PacketSpace
from ..redact import redact
from ..result import Evidence, IsolationCertificate
from .acl import MAX_OVERLAP_CANDIDATES
from .acl_overlap import OverlapIndex, addresses_overlap
from .flows import FlowContext
from .zone import sanctioned_flows

SOURCE, SINK = ("source",), ("sink",)
# Nodes: SOURCE, SINK, ("segment", id), ("device", name), ("in" | "out", device, interface).
CutGraph: TypeAlias = "nx.DiGraph[tuple[str, ...]]"


def isolation_certificates(ctx: FlowContext) -> tuple[IsolationCertificate, ...]:
    certificates = []
    sanctioned = sanctioned_flows(ctx)
    for policy in pair_policies(ctx.network.topology):
        forbidden = ctx.owned(policy.from_zone, "src") & ctx.owned(policy.to_zone, "dst")
        if policy.allow == CHANNELS:
            forbidden &= ~sanctioned
        forbidden &= ~ctx.space.tcp_established()
        routed = ctx.flows(policy.from_zone).get(policy.to_zone, ctx.space.false)
        if routed & forbidden != ctx.space.false:
            continue  # not isolated: the violation is the finding, there is nothing to certify
        certificates.append(_certificate(ctx, policy.from_zone, policy.to_zone, forbidden))
    return tuple(certificates)


def _certificate(ctx: FlowContext, source: str, dest: str, forbidden: PacketSet) -> IsolationCertificate:
    graph = _cut_graph(ctx, source, dest, forbidden)
    if not nx.has_path(graph, SOURCE, SINK):
        return IsolationCertificate(source, dest, (), ("no physical path between the zones",))
    try:
        value, (reachable, _) = nx.minimum_cut(graph, SOURCE, SINK, flow_func=boykov_kolmogorov)
    except nx.NetworkXUnbounded:
        value, reachable = float("inf"), set()
    if value == float("inf"):
        return IsolationCertificate(
            source,
            dest,
            (),
            (
                "no set of whole filters cuts every path: isolation rests on routing or on several partial filters "
                "together (see ZONE-008)",
                *_vrf_separation(ctx, source, dest, forbidden),
            ),
        )
    lines: list[Evidence] = []
    for node_a, node_b in sorted(graph.edges()):
        if node_a in reachable and node_b not in reachable and graph.edges[node_a, node_b].get("filter"):
            device_name, if_name, direction = graph.edges[node_a, node_b]["filter"]
            lines += _dropping_lines(ctx, device_name, if_name, direction, forbidden)
    return IsolationCertificate(source, dest, tuple(lines))


def _vrf_separation(ctx: FlowContext, source: str, dest: str, forbidden: PacketSet) -> tuple[str, ...]:
    """A note naming the VRFs that part the zones, when the per-table graph has no path."""
    separated = [device for device in ctx.network.devices.values() if any(i.vrf for i in device.interfaces.values())]
    if not separated or nx.has_path(_cut_graph(ctx, source, dest, forbidden, per_table=True), SOURCE, SINK):
        return ()
    tables = "; ".join(f"{device.name} ({_tables_of(device)})" for device in sorted(separated, key=lambda d: d.name))
    return (f"{VRF_SEPARATION}{tables}",)


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


def _cut_graph(ctx: FlowContext, source: str, dest: str, forbidden: PacketSet, per_table: bool = False) -> CutGraph:
    """Nodes: segments, and per interface an inbound and an outbound point; edges without
    `capacity` are infinite. `per_table`: one device node per VRF table (see `_vrf_separation`)."""
    network = ctx.network
    engine = ctx.engine
    graph: CutGraph = nx.DiGraph()
    graph.add_nodes_from((SOURCE, SINK))
    for start, _ in ctx.starts(source):
        graph.add_edge(SOURCE, ("segment", start.segment) if start.segment else ("in", start.device, start.interface))
    for segment in network.segments.values():
        if segment.zone == dest:
            graph.add_edge(("segment", segment.id), SINK)
    boundary_sinks = {(d, i) for d, i in engine.boundary if _boundary_reaches(ctx, d, i, dest)}
    for device_name, device in sorted(network.devices.items()):
        owns_dest = any(_owns_address_in(network, interface, dest) for interface in device.interfaces.values())
        for interface in device.interfaces.values():
            if _owns_address_in(network, interface, dest):
                graph.add_edge(_table_node(device_name, interface, per_table), SINK)
        if per_table:
            _add_leaks(graph, device)
        for if_name, interface in sorted(device.interfaces.items()):
            if interface.shutdown:
                continue
            node = _table_node(device_name, interface, per_table)
            key = (device_name, if_name)
            segment_id = network.segment_of.get(key)
            if segment_id is None and key not in engine.boundary:
                continue
            _add_filter_edge(ctx, graph, ("in", device_name, if_name), node, key, "in", forbidden)
            answers = (
                owns_dest if device.to_the_box is ToTheBox.ANY_ADDRESS else _owns_address_in(network, interface, dest)
            )
            if device.to_the_box is not ToTheBox.FILTERED and accepts(interface) and answers:
                # Its filters do not apply to traffic to the box: they cannot cut it.
                graph.add_edge(("in", device_name, if_name), SINK)
            _add_filter_edge(ctx, graph, node, ("out", device_name, if_name), key, "out", forbidden)
            if key in boundary_sinks:
                graph.add_edge(("out", device_name, if_name), SINK)
            if segment_id is not None:
                graph.add_edge(("out", device_name, if_name), ("segment", segment_id))
                if interface.addresses:
                    graph.add_edge(("segment", segment_id), ("in", device_name, if_name))
    return graph


def _owns_address_in(network: Network, interface: Interface, zone: str) -> bool:
    return any(
        network.zones.zone_of(address) == zone
        for address in (*(a.address for a in interface.addresses), *interface.virtual_addresses)
    )


def _add_filter_edge(
    ctx: FlowContext,
    graph: CutGraph,
    node_a: tuple[str, ...],
    node_b: tuple[str, ...],
    key: tuple[str, str],
    direction: str,
    forbidden: PacketSet,
) -> None:
    device = ctx.network.devices[key[0]]
    if direction == "out" or (device.to_the_box is ToTheBox.FILTERED and device.policy is not None):
        # The policy does not filter traffic to the box of a device whose inbound ACL does.
        permitted = ctx.engine.interface_filter(key[0], key[1], direction)
    else:
        permitted = ctx.engine.entry_filter(key[0], key[1])
    if direction == "in" and device.to_the_box is ToTheBox.VIA_POLICY:
        # Its addresses on other interfaces answer to what the policy towards them permits.
        permitted |= ctx.engine.box_filter(key[0], key[1])
    if permitted & forbidden == ctx.space.false:
        graph.add_edge(node_a, node_b, capacity=1, filter=(key[0], key[1], direction))
    else:
        graph.add_edge(node_a, node_b)


def _boundary_reaches(ctx: FlowContext, device_name: str, if_name: str, dest: str) -> bool:
    for zone in ctx.network.topology.zones:
        if zone.id == dest and any(ctx.network.interface_ref(ref) == (device_name, if_name) for ref in zone.upstream):
            return True
    return False


def _dropping_lines(
    ctx: FlowContext, device_name: str, if_name: str, direction: str, forbidden: PacketSet
) -> list[Evidence]:
    """The binding line, then the lines of the filter that drop the forbidden packets, those that
    drop the most of them first (ties in the filter's order)."""
    device = ctx.network.devices[device_name]
    interface = device.interfaces[if_name]
    name = interface.acl_in if direction == "in" else interface.acl_out
    binding = interface.acl_in_source if direction == "in" else interface.acl_out_source
    evidence = []
    if binding is not None:
        evidence.append(
            Evidence(
                binding.file,
                binding.line,
                redact(binding.text.strip()),
                f"binds {name} ({direction}) on {device_name} {if_name}",
            )
        )
    acl = device.acls.get(name) if name else None
    if direction == "in" and device.policy is not None:
        evidence += _policy_dropping_lines(ctx, device_name, device, if_name, forbidden)
    if acl is None:
        return evidence
    return evidence + _dropping(ctx, acl.lines, forbidden, acl.source)


def _policy_dropping_lines(
    ctx: FlowContext, device_name: str, device: Device, if_name: str, forbidden: PacketSet
) -> list[Evidence]:
    """The policy rules from `if_name` to any interface (and their lines that drop the
    forbidden packets); when none is that wide, every rule from `if_name`."""
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
        return evidence
    last = device.acls.get(wide[-1].acl or "")
    lines = [line for rule in wide for line in rule_lines(device, rule)]
    return evidence + _dropping(ctx, lines, forbidden, last.source if last is not None else None)


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
