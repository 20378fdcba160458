"""What the filter rules need to know about a device's ordered policy (model.PolicyRule):
the interface pairs each rule decides, which pairs cross a zone boundary, and which earlier
rules a packet of a pair meets first.

A rule decides the new connections entering one of its `from` interfaces and leaving by
one of its `to` interfaces (None = any). Only interfaces that forward count: up, passing
traffic and not management-only. A pair crosses a zone boundary when its two interfaces
sit in different zones (a transit segment counts as outside every zone) or one of them is
an upstream or external-link interface; an interface on no segment (no address, not in
the topology) is nowhere, and a pair with such an interface is not counted as crossing.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from ..graph import Network
from ..model import AclLine, Device, PolicyRule, ZoneKind

# How a pair's end is described: a zone id, TRANSIT, or EDGE (an upstream or external-link
# interface, beyond which the modelled network ends).
TRANSIT = "transit"
EDGE = "outside"


def forwarding_interfaces(device: Device) -> tuple[str, ...]:
    return tuple(
        sorted(
            name
            for name, interface in device.interfaces.items()
            if not interface.shutdown and interface.passes_traffic and not interface.management_only
        )
    )


def rule_ends(device: Device, rule: PolicyRule) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The forwarding interfaces a rule takes connections from and sends them to."""
    forwarding = forwarding_interfaces(device)
    return _chosen(forwarding, rule.from_interfaces), _chosen(forwarding, rule.to_interfaces)


def _chosen(forwarding: tuple[str, ...], named: tuple[str, ...] | None) -> tuple[str, ...]:
    return forwarding if named is None else tuple(name for name in forwarding if name in named)


def written_lines(device: Device, rule: PolicyRule) -> tuple[AclLine, ...] | None:
    """The rule's lines: inline, or those of its named ACL; None when that ACL is not defined."""
    if rule.acl is None:
        return rule.lines
    acl = device.acls.get(rule.acl)
    return acl.lines if acl is not None else None


@dataclass(frozen=True)
class PairGroup:
    """Pairs a rule decides that meet the same earlier rules first (`earlier`: a bit mask,
    bit k = rule k of the policy), with one example pair."""

    earlier: int
    example: tuple[str, str]


def positions(mask: int) -> list[int]:
    """The rule positions a bit mask holds, in policy order."""
    found = []
    while mask:
        lowest = mask & -mask
        found.append(lowest.bit_length() - 1)
        mask ^= lowest
    return found


@dataclass(frozen=True)
class PolicyPairs:
    """Which rules of a device's policy take connections from (`from_masks`) and send them
    to (`to_masks`) each forwarding interface, as bit masks, so that the groups of one
    rule are found when asked for, without walking every rule's pairs."""

    device: Device
    from_masks: dict[str, int]
    to_masks: dict[str, int]

    def groups(self, position: int) -> list[PairGroup]:
        """The pairs rule `position` decides, grouped by the earlier rules that apply to them
        (empty: the rule decides no pair). The many pairs of an `any` rule share a handful
        of groups: interfaces that the same earlier rules take connections from (or send
        them to) behave alike, so one interface of each kind stands for the others."""
        ins, outs = rule_ends(self.device, (self.device.policy or ())[position])
        earlier = (1 << position) - 1
        in_kinds = {self.from_masks[name] & earlier: name for name in reversed(ins)}
        out_kinds = {self.to_masks[name] & earlier: name for name in reversed(outs)}
        groups: dict[int, tuple[str, str]] = {}
        for in_mask, in_example in sorted(in_kinds.items()):
            for out_mask, out_example in sorted(out_kinds.items()):
                groups.setdefault(in_mask & out_mask, (in_example, out_example))
        return [PairGroup(mask, example) for mask, example in sorted(groups.items())]


def pair_groups(device: Device) -> PolicyPairs:
    """The interface masks of the device's policy (see PolicyPairs)."""
    forwarding = forwarding_interfaces(device)
    from_masks = dict.fromkeys(forwarding, 0)
    to_masks = dict.fromkeys(forwarding, 0)
    for position, rule in enumerate(device.policy or ()):
        ins, outs = rule_ends(device, rule)
        for name in ins:
            from_masks[name] |= 1 << position
        for name in outs:
            to_masks[name] |= 1 << position
    return PolicyPairs(device, from_masks, to_masks)


def zones_behind(network: Network, device_name: str, interface: str, edges: set[tuple[str, str]]) -> tuple[str, ...]:
    """Where an interface leads, sorted: (EDGE,) beyond an upstream or external link; the
    segment's zone; for a transit segment, the zones of every segment reachable through it
    without passing back through the device, and EDGE when an upstream or external link is
    (a firewall on transit links to one switch per zone faces one zone per interface), or
    (TRANSIT,) when none; () when on no segment."""
    if (device_name, interface) in edges:
        return (EDGE,)
    segment = network.segment_of.get((device_name, interface))
    if segment is None:
        return ()
    zone = network.segments[segment].zone
    if zone is not None:
        return (zone,)
    graph = network.graph
    blocked = ("device", device_name)
    seen: set[tuple[str, ...]] = {blocked, ("segment", segment)}
    queue: list[tuple[str, ...]] = [("segment", segment)]
    found: set[str] = set()
    while queue:
        node = queue.pop()
        if node[0] == "segment" and network.segments[node[1]].zone is not None:
            found.add(network.segments[node[1]].zone or TRANSIT)
        elif node[0] == "interface" and (node[1], node[2]) in edges:
            found.add(EDGE)
        for neighbour in graph.neighbors(node):
            if neighbour not in seen:
                seen.add(neighbour)
                queue.append(neighbour)
    return tuple(sorted(found)) or (TRANSIT,)


def edge_interfaces(network: Network) -> set[tuple[str, str]]:
    """Upstream and external-link interfaces: beyond them the modelled network ends."""
    result: set[tuple[str, str]] = set()
    for zone in network.topology.zones:
        result.update(network.interface_ref(ref) for ref in zone.upstream if ref.device in network.devices)
    for peer in network.topology.external_peers:
        if peer.attach.device in network.devices:
            result.add(network.interface_ref(peer.attach))
    return result


class ZonesBehind:
    """`zones_behind` of one network, each interface's answer found once: a transit interface's
    is a search of the whole network, and the policy rules ask it for every rule of a device."""

    def __init__(self, network: Network) -> None:
        self.network = network
        self.edges = edge_interfaces(network)
        self._found: dict[tuple[str, str], tuple[str, ...]] = {}

    def of(self, device_name: str, interface: str) -> tuple[str, ...]:
        key = (device_name, interface)
        found = self._found.get(key)
        if found is None:
            found = self._found[key] = zones_behind(self.network, device_name, interface, self.edges)
        return found


def crossing_zone_pairs(
    network: Network, device_name: str, rule: PolicyRule, behind: ZonesBehind | None = None
) -> list[tuple[str, str]]:
    """(zone of `in`, zone of `out`) for each distinct way the rule's pairs cross a zone
    boundary, sorted; empty when none of its pairs does. `behind`: the network's answers so far
    (`FlowContext.zones_behind`)."""
    device = network.devices[device_name]
    if behind is None or behind.network is not network:
        behind = ZonesBehind(network)
    ins, outs = rule_ends(device, rule)
    found: set[tuple[str, str]] = set()
    in_zones = {zone for name in ins for zone in behind.of(device_name, name)}
    out_zones = {zone for name in outs for zone in behind.of(device_name, name)}
    for in_zone in in_zones:
        for out_zone in out_zones:
            if in_zone != out_zone or in_zone == EDGE:
                found.add((in_zone, out_zone))
    return sorted(found)


def open_sides(network: Network) -> frozenset[str]:
    """The sides whose addresses are anyone's: the internet and external zones, and EDGE
    (beyond the modelled network). "Any source" from there, or "any destination" there, is
    what such a side means, not a policy written too broadly."""
    kinds = (ZoneKind.INTERNET, ZoneKind.EXTERNAL)
    return frozenset({EDGE} | {zone.id for zone in network.topology.zones if zone.kind in kinds})


def judged(rule: PolicyRule) -> bool:
    """Consistency rules judge the rules someone wrote, not those stating the device's
    built-in behaviour (which still decide packets, and so still shadow later lines)."""
    return rule.configured


def describe_crossings(crossings: list[tuple[str, str]], limit: int = 3) -> tuple[str, str]:
    """'lgwan → internet, transit → lgwan' (and how many more), in English and Japanese."""
    shown = ", ".join(f"{source} → {destination}" for source, destination in crossings[:limit])
    more = len(crossings) - limit
    if more > 0:
        return f"{shown} and {more} more", f"{shown} ほか {more} 組"
    return shown, shown


def policy_devices(network: Network) -> Iterator[tuple[str, Device, tuple[PolicyRule, ...]]]:
    for name in sorted(network.devices):
        device = network.devices[name]
        if device.policy:
            yield name, device, device.policy


__all__ = [
    "EDGE",
    "TRANSIT",
    "PairGroup",
    "PolicyPairs",
    "ZonesBehind",
    "crossing_zone_pairs",
    "describe_crossings",
    "edge_interfaces",
    "forwarding_interfaces",
    "judged",
    "open_sides",
    "pair_groups",
    "policy_devices",
    "positions",
    "rule_ends",
    "written_lines",
    "zones_behind",
]
