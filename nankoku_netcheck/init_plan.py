"""`init`, step 2: the address plan read from the configs, and the zone proposals.

Connected subnets are grouped by the most specific summary route covering them (a static route
shorter than the subnet, discard routes included: a summary route states the address plan);
subnets no summary covers are grouped by their natural block (a /16 of 10/8 and 172.16/12, a /24
elsewhere) and the group is the smallest prefix covering them. A group of point-to-point links
and loopbacks only is transit (no zone), unless a summary route leads out of the network to it
(address space beyond the folder's devices, such as 全国LGWAN behind a link). Each other group gets the kind
most config lines about it vote for (init_words.py); a tie or no vote leaves it TODO.

Per VRF: a subnet belongs to the VRF of the interfaces that carry it (the first VRF name among
them; a router on the other end of a link often has none), subnets of different VRFs are never
grouped together, and a summary route in a VRF summarises that VRF's subnets only (one in the
global table, any). A VRF name is a zone label someone chose on purpose: the line that puts an
interface in the VRF votes with more weight than other lines (LGWAN, INET, MYNUMBER...).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from nankoku_netcheck.init_read import ConfigFile
from nankoku_netcheck.init_words import UPSTREAM_WORDS, ZONE_WORDS
from nankoku_netcheck.model import AclLine, Action, Device, Interface, Route, RouteKind, Source, Wildcard, prefix_mask

Prefix = tuple[int, int]

_POINT_TO_POINT = 30
_MAX_BLOCK_LINES = 80
_PRIVATE = ((0x0A000000, 8), (0xAC100000, 12), (0xC0A80000, 16), (0x64400000, 10), (0xA9FE0000, 16), (0x7F000000, 8))


@dataclass(frozen=True)
class Vote:
    kind: str
    source: Source
    weight: int


@dataclass(frozen=True)
class Group:
    prefix: Prefix
    subnets: tuple[Prefix, ...]
    routed: bool  # a summary route defines it
    beyond: bool  # a summary route to it leads out of the network (next hop on no device)
    votes: tuple[Vote, ...]
    kind: str | None  # the proposal; None = TODO
    vrf: str = ""  # the VRF its subnets are in ("" = the global table)

    @property
    def transit(self) -> bool:
        return not self.beyond and all(length >= _POINT_TO_POINT for _, length in self.subnets)


@dataclass(frozen=True)
class Candidate:
    """An interface (`device:interface`) proposed for the user to confirm, with its reason."""

    ref: str
    source: Source
    strong: bool


@dataclass(frozen=True)
class PeerCandidate:
    prefix: Prefix
    attach: str
    source: Source


@dataclass(frozen=True)
class ChannelCandidate:
    src: Prefix
    dst: Prefix
    proto: int
    dport: int | None
    source: Source


def contains(outer: Prefix, inner: Prefix) -> bool:
    return outer[1] <= inner[1] and inner[0] & prefix_mask(outer[1]) == outer[0]


def is_private(address: int) -> bool:
    return any(contains(block, (address, 32)) for block in _PRIVATE)


def live_interfaces(device: Device) -> Iterator[Interface]:
    """Interfaces that carry traffic on a subnet (loopbacks hold no link to group)."""
    for name in sorted(device.interfaces):
        interface = device.interfaces[name]
        carries = interface.passes_traffic and not interface.shutdown and not interface.management_only
        if interface.addresses and carries and interface.kind != "loopback":
            yield interface


def subnets_of(configs: Iterable[ConfigFile]) -> dict[Prefix, list[tuple[ConfigFile, Interface]]]:
    found: dict[Prefix, list[tuple[ConfigFile, Interface]]] = {}
    for config in configs:
        for interface in live_interfaces(config.device):
            for address in interface.addresses:
                found.setdefault((address.network, address.prefix_length), []).append((config, interface))
    return found


def subnet_vrf(carriers: list[tuple[ConfigFile, Interface]]) -> str:
    """The VRF of a subnet: the first VRF name among the interfaces on it ("" = none)."""
    return next(iter(sorted(interface.vrf for _, interface in carriers if interface.vrf)), "")


def summary_routes(configs: Iterable[ConfigFile]) -> list[Route]:
    return [
        route
        for config in configs
        for route in config.device.routes
        if route.kind is RouteKind.STATIC and route.prefix_length >= 8
    ]


def plan_groups(configs: tuple[ConfigFile, ...]) -> list[Group]:
    subnets = subnets_of(configs)
    routes = summary_routes(configs)
    keyed: dict[tuple[str, Prefix, bool], list[Prefix]] = {}
    for subnet in sorted(subnets):
        vrf = subnet_vrf(subnets[subnet])
        summaries = {(route.prefix, route.prefix_length) for route in routes if route.vrf in ("", vrf)}
        summary = _longest_summary(subnet, summaries)
        key = (vrf, summary, True) if summary is not None else (vrf, _natural_block(subnet), False)
        keyed.setdefault(key, []).append(subnet)
    owned = device_addresses(configs)
    out = {(r.prefix, r.prefix_length) for r in routes if not r.discard and r.next_hop not in owned}
    groups = []
    for (vrf, block, routed), members in sorted(keyed.items(), key=lambda item: (item[0][1], item[0][2], item[0][0])):
        prefix = block if routed else _smallest_cover(members)
        votes = tuple(_votes(prefix, members, subnets, routes, configs))
        groups.append(Group(prefix, tuple(members), routed, routed and prefix in out, votes, _winner(votes), vrf))
    return groups


def _longest_summary(subnet: Prefix, summaries: set[Prefix]) -> Prefix | None:
    """The most specific summary route strictly shorter than `subnet` that covers it."""
    for length in range(subnet[1] - 1, 7, -1):
        candidate = (subnet[0] & prefix_mask(length), length)
        if candidate in summaries:
            return candidate
    return None


def _natural_block(subnet: Prefix) -> Prefix:
    length = 16 if contains((0x0A000000, 8), subnet) or contains((0xAC100000, 12), subnet) else 24
    length = min(length, subnet[1])
    return subnet[0] & prefix_mask(length), length


def _smallest_cover(members: list[Prefix]) -> Prefix:
    length = min(length for _, length in members)
    network = members[0][0]
    while length > 0 and any(subnet[0] & prefix_mask(length) != network & prefix_mask(length) for subnet in members):
        length -= 1
    return network & prefix_mask(length), length


def _votes(
    prefix: Prefix,
    members: list[Prefix],
    subnets: dict[Prefix, list[tuple[ConfigFile, Interface]]],
    routes: list[Route],
    configs: tuple[ConfigFile, ...],
) -> Iterator[Vote]:
    seen: set[tuple[str, int]] = set()
    lines: list[tuple[Source, int]] = []
    for subnet in members:
        for config, interface in subnets[subnet]:
            lines.extend((line, _VRF_WEIGHT) for line in _vrf_lines(config, interface))
            lines.extend((line, 2) for line in interface_block(config, interface))
            # Where the binding is not inside the interface's block (a firewall's access-group line).
            bindings = (interface.acl_in_source, interface.acl_out_source)
            lines.extend((binding, 2) for binding in bindings if binding is not None)
            hostname = config.device.mgmt.hostname_source
            if hostname is not None:
                lines.append((hostname, 1))
    lines.extend((route.source, 2) for route in routes if contains(prefix, (route.prefix, route.prefix_length)))
    for source, weight in lines:
        kind = kind_of(source.text)
        if kind is not None and (source.file, source.line) not in seen:
            seen.add((source.file, source.line))
            yield Vote(kind, source, weight)


_VRF_WEIGHT = 3


def _vrf_lines(config: ConfigFile, interface: Interface) -> list[Source]:
    """The lines of the interface's block that name its VRF (`vrf forwarding LGWAN`)."""
    if not interface.vrf:
        return []
    name = interface.vrf.casefold()
    return [line for line in interface_block(config, interface)[1:] if name in line.text.casefold().split()]


def interface_block(config: ConfigFile, interface: Interface) -> list[Source]:
    """The interface's header line and the lines indented under it (any vendor's block)."""
    lines = config.device.lines or config.source.lines
    start = interface.source.line
    if not 0 < start <= len(lines):
        return [interface.source]
    header = lines[start - 1]
    indent = len(header) - len(header.lstrip())
    block = [Source(config.display, start, header.strip())]
    for number in range(start + 1, min(len(lines), start + _MAX_BLOCK_LINES) + 1):
        text = lines[number - 1]
        if text.strip() and len(text) - len(text.lstrip()) <= indent:
            break
        if text.strip():
            block.append(Source(config.display, number, text.strip()))
    return block


def tokens(text: str) -> set[str]:
    folded = text.casefold()
    words = "".join(character if character.isascii() and character.isalnum() else " " for character in folded)
    return set(words.split())


def kind_of(text: str) -> str | None:
    folded = text.casefold()
    words = tokens(text)
    for entry in ZONE_WORDS:
        if words & entry.tokens or any(phrase in folded for phrase in entry.phrases):
            return entry.kind
    return None


def _winner(votes: tuple[Vote, ...]) -> str | None:
    scores: Counter[str] = Counter()
    for vote in votes:
        scores[vote.kind] += vote.weight
    ranked = scores.most_common()
    if not ranked or (len(ranked) > 1 and ranked[0][1] == ranked[1][1]):
        return None
    return ranked[0][0]


# --- candidates -----------------------------------------------------------------------------


def device_addresses(configs: Iterable[ConfigFile]) -> set[int]:
    owned: set[int] = set()
    for config in configs:
        for interface in config.device.interfaces.values():
            owned.update(address.address for address in interface.addresses)
            owned.update(interface.virtual_addresses)
    return owned


def egress(config: ConfigFile, route: Route) -> str | None:
    """The interface a route leaves by: its own, else the one whose subnet holds the next hop."""
    if route.interface and route.interface in config.device.interfaces:
        return f"{config.name}:{route.interface}"
    if route.next_hop is None:
        return None
    for interface in live_interfaces(config.device):
        if any(contains((a.network, a.prefix_length), (route.next_hop, 32)) for a in interface.addresses):
            return f"{config.name}:{interface.name}"
    return None


def routes_out(configs: tuple[ConfigFile, ...]) -> Iterator[tuple[ConfigFile, Route, str]]:
    """Static routes whose next hop no device of the folder owns: they lead out of the network."""
    owned = device_addresses(configs)
    for config in configs:
        for route in config.device.routes:
            if route.kind is not RouteKind.STATIC or route.discard or route.next_hop in owned:
                continue
            if route.next_hop is None and route.interface is None:
                continue
            ref = egress(config, route)
            if ref is not None:
                yield config, route, ref


def upstream_candidates(configs: tuple[ConfigFile, ...]) -> list[Candidate]:
    strong = {ref: route.source for _, route, ref in routes_out(configs) if route.prefix_length == 0}
    found = [Candidate(ref, source, True) for ref, source in sorted(strong.items())]
    subnets = subnets_of(configs)
    for config in configs:
        for interface in live_interfaces(config.device):
            ref = f"{config.name}:{interface.name}"
            if ref in strong or _faces_a_known_device(config, interface, subnets):
                continue
            reason = _weak_upstream_reason(config, interface)
            if reason is not None:
                found.append(Candidate(ref, reason, False))
    return found


def _faces_a_known_device(
    config: ConfigFile, interface: Interface, subnets: dict[Prefix, list[tuple[ConfigFile, Interface]]]
) -> bool:
    """Another device of the folder shares a subnet with it: the internet is not right beyond."""
    for address in interface.addresses:
        members = subnets.get((address.network, address.prefix_length), [])
        if any(other.name != config.name for other, _ in members):
            return True
    return False


def _weak_upstream_reason(config: ConfigFile, interface: Interface) -> Source | None:
    for line in interface_block(config, interface)[1:]:
        if tokens(line.text) & UPSTREAM_WORDS and not line.text.casefold().startswith("description"):
            return line
    # A public address on a point-to-point link: a line to a provider (on a LAN it is just public space).
    if any(not is_private(a.address) and a.prefix_length >= _POINT_TO_POINT for a in interface.addresses):
        return interface.source
    return None


def peer_candidates(configs: tuple[ConfigFile, ...], groups: list[Group]) -> list[PeerCandidate]:
    found: dict[Prefix, PeerCandidate] = {}
    for _, route, ref in routes_out(configs):
        prefix = (route.prefix, route.prefix_length)
        if route.prefix_length == 0 or any(contains(g.prefix, prefix) or contains(prefix, g.prefix) for g in groups):
            continue
        found.setdefault(prefix, PeerCandidate(prefix, ref, route.source))
    return [found[prefix] for prefix in sorted(found)]


def channel_candidates(configs: tuple[ConfigFile, ...], zones: dict[str, tuple[Prefix, ...]]) -> list[ChannelCandidate]:
    """Permits from a proposed LGWAN prefix to a proposed internet prefix, or back."""
    found: dict[tuple[Prefix, Prefix, int, int | None], ChannelCandidate] = {}
    sides = (zones.get("lgwan", ()), zones.get("internet", ()))
    for config in configs:
        for line in _permit_lines(config.device):
            for candidate in _line_candidates(line, sides):
                key = (candidate.src, candidate.dst, candidate.proto, candidate.dport)
                found.setdefault(key, candidate)
    return [found[key] for key in sorted(found, key=lambda k: (k[0], k[1], k[2], k[3] or 0))]


def _permit_lines(device: Device) -> Iterator[AclLine]:
    for name in sorted(device.acls):
        yield from device.acls[name].lines
    for rule in device.policy or ():
        yield from rule.lines


def _line_candidates(line: AclLine, sides: tuple[tuple[Prefix, ...], tuple[Prefix, ...]]) -> Iterator[ChannelCandidate]:
    if line.action is not Action.PERMIT:
        return
    for match in line.matches:
        if match.established or match.protocols is None or len(match.protocols) != 1 or not match.src or not match.dst:
            continue
        dport = None
        if (
            match.dst_ports is not None
            and len(match.dst_ports) == 1
            and match.dst_ports[0].low == match.dst_ports[0].high
        ):
            dport = match.dst_ports[0].low
        for src in filter(None, map(_as_prefix, match.src)):
            for dst in filter(None, map(_as_prefix, match.dst)):
                if _crosses(src, dst, sides):
                    yield ChannelCandidate(src, dst, match.protocols[0], dport, line.source)


def _as_prefix(wildcard: Wildcard) -> Prefix | None:
    if wildcard.wildcard & (wildcard.wildcard + 1):
        return None
    length = 32 - wildcard.wildcard.bit_length()
    return wildcard.address & prefix_mask(length), length


def _crosses(src: Prefix, dst: Prefix, sides: tuple[tuple[Prefix, ...], tuple[Prefix, ...]]) -> bool:
    def side(prefix: Prefix) -> int | None:
        for index, prefixes in enumerate(sides):
            if any(contains(zone, prefix) for zone in prefixes):
                return index
        return None

    a, b = side(src), side(dst)
    return a is not None and b is not None and a != b
