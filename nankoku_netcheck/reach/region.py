"""Regions: unions of boxes of packets known without BDDs, and the ACL lines that can meet them.

A repair (reach/repair.py) searches again from the packets an edit changed only. Every packet
it carries lies, as injected, in a region R that holds the changed packets; wherever packets
are still untranslated a filter F is only ever intersected with them, so F can be replaced by
any set that agrees with F on R. Under first match, a line that matches no packet of R decides
nothing in R: compiled from only the lines that can match a packet of R (the implicit deny
stays), an ACL's set agrees with the whole ACL's on R (`lines_within`). That skips most lines
of most ACLs a repair meets (an edited line names one host and port: the access switches' VLAN
ACLs name others).

A box is a `Match` without an established bit or ICMP fields (any value there): a union of
values per field, its valid packets being their product (as `PacketSpace.match` reads it: a
box that tests ports holds TCP and UDP packets only). Whether a line can meet a box is decided
per field in integers (address patterns with any wildcard, port ranges, protocols): "no" only
when some field's values are disjoint, so a line that can match a packet of the box is never
skipped. Boxes never bound the ACK bit: the reply check quantifies it (reach/engine.py
`reply_filter`), which a region closed under flipping it leaves exact.

Where the boxes come from (`changed_boxes`): an edit that changes an ACL's lines changes the
fate of packets that some line between the common first and common last lines of both versions
matches (a packet matched by none of those is decided by the same line before and after, or by
the implicit deny in both), and on a stateful device in either direction (its reply check
reverses ACLs: incremental.py `filter_difference`). `narrowed` checks that the boxes do hold
the injected packets (BDD subset tests, before and after: nothing rests on that reasoning
alone) and shrinks each box to the values the injected packets inside it take, field by field
(projections): the starts' source addresses cut a reversed box away when the edited host lies
outside the source zone. A change that bounds nothing (a line of every packet, too many boxes):
no region, and the repair compiles the whole filters as before.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from ..model import (
    IPV4_MAX,
    PORT_MAX,
    PROTO_ICMP,
    PROTO_TCP,
    PROTO_UDP,
    Acl,
    AclLine,
    Action,
    Match,
    PortRange,
    Wildcard,
    prefix_mask,
)
from .packets import PacketSet, PacketSpace, counts_as_match

Region = tuple[Match, ...]

# More boxes than this and testing every line against each costs more than it saves.
MAX_BOXES = 32
# Values of a field a narrowed box lists at most (prefix blocks, port or protocol ranges); more,
# and the box keeps what it said of the field before.
MAX_VALUES = 16
_TCP_UDP = frozenset({PROTO_TCP, PROTO_UDP})
_PROTOCOLS = 256


def protocols_of(match: Match) -> frozenset[int] | None:
    """The protocols `match` can match (None: any): a port test holds for TCP and UDP only
    (packets.py `_header_kind`), `established` for TCP, ICMP fields for ICMP."""
    found = None if match.protocols is None else frozenset(match.protocols)
    for needed, limit in (
        (match.src_ports is not None or match.dst_ports is not None, _TCP_UDP),
        (match.established, frozenset({PROTO_TCP})),
        (match.icmp is not None, frozenset({PROTO_ICMP})),
    ):
        if needed:
            found = limit if found is None else found & limit
    return found


# A field's values in a box as plain ints: address patterns as (address, bits cared about),
# ports as (low, high); None = any. Made once per region: every line of every ACL is tested.
_Patterns = tuple[tuple[int, int], ...] | None
_Ranges = tuple[tuple[int, int], ...] | None


@dataclass(frozen=True)
class Bounds:
    """One box of a region as plain ints (`bounds_of`)."""

    protocols: frozenset[int] | None
    dst: _Patterns
    src: _Patterns
    dst_ports: _Ranges
    src_ports: _Ranges


def bounds_of(region: Region) -> tuple[Bounds, ...]:
    return tuple(
        Bounds(
            protocols_of(box),
            _patterns(box.dst),
            _patterns(box.src),
            _ranges(box.dst_ports),
            _ranges(box.src_ports),
        )
        for box in region
    )


def _patterns(wildcards: tuple[Wildcard, ...] | None) -> _Patterns:
    return None if wildcards is None else tuple((item.address, ~item.wildcard & IPV4_MAX) for item in wildcards)


def _ranges(ports: tuple[PortRange, ...] | None) -> _Ranges:
    return None if ports is None else tuple((item.low, item.high) for item in ports)


def _addresses_meet(line: tuple[Wildcard, ...] | None, box: _Patterns) -> bool:
    if line is None or box is None:
        return True
    # Two patterns share an address when they agree on every bit both care about.
    return any((item.address ^ address) & ~item.wildcard & cared == 0 for item in line for address, cared in box)


def _ports_meet(line: tuple[PortRange, ...] | None, box: _Ranges) -> bool:
    if line is None or box is None:
        return True
    return any(item.low <= high and low <= item.high for item in line for low, high in box)


def _meets_beyond_destinations(match: Match, protocols: frozenset[int] | None, box: Bounds) -> bool:
    """False only when no packet matches both `match` (whose `protocols_of` is `protocols`)
    and the box, destinations aside."""
    return (
        (protocols is None or box.protocols is None or not protocols.isdisjoint(box.protocols))
        and _addresses_meet(match.src, box.src)
        and _ports_meet(match.dst_ports, box.dst_ports)
        and _ports_meet(match.src_ports, box.src_ports)
    )


def line_meets(line: AclLine, bounds: tuple[Bounds, ...]) -> bool:
    """Whether the engine lets `line` match some packet of the region (`counts_as_match`).
    Destinations first: what sets most lines of a city's ACLs apart from an edited line's
    packets, so the other fields of most lines are never looked at."""
    if not counts_as_match(line):
        return False
    for match in line.matches:
        boxes = [box for box in bounds if _addresses_meet(match.dst, box.dst)]
        if boxes:
            protocols = protocols_of(match)
            if any(_meets_beyond_destinations(match, protocols, box) for box in boxes):
                return True
    return False


def prefix_meets(network: int, length: int, bounds: tuple[Bounds, ...]) -> bool:
    """Whether some destination in `network`/`length` (host bits ignored, as a route's prefix)
    lies in a box of `bounds`, the boxes' other fields aside: "no" only when every box's
    destinations are disjoint from the prefix."""
    mask = prefix_mask(length)
    return any(
        box.dst is None or any((network ^ address) & mask & cared == 0 for address, cared in box.dst) for box in bounds
    )


def lines_within(acl: Acl, bounds: tuple[Bounds, ...]) -> tuple[AclLine, ...]:
    """The lines of `acl` that can match a packet of the region `bounds` describes, in order:
    the ACL they make permits, within the region, exactly what `acl` does.

    The lines `line_meets` keeps (tests/test_region_speed_oracle.py holds the two equal), with
    its tests inlined: an edit run asks this of 3,300 ACLs, 114,000 lines, of which about 7,500
    meet the region; a call per line, a list per match and `counts_as_match` for each line (two
    thirds of a city's lines are deny lines, which it reads three fields of) took 0.123 s of CPU
    for them, this 0.074 s (medians of 7, interleaved, on the arguments recorded in an edit run of
    the 1,000-device city). The destinations of every box are flattened once per call; the
    engine's own test of a line comes last, as only the lines that meet the region need it."""
    open_boxes = [box for box in bounds if box.dst is None]
    patterns = [(address, cared, box) for box in bounds if box.dst is not None for address, cared in box.dst]
    kept = []
    boxes: tuple[Bounds, ...] | list[Bounds]
    for line in acl.lines:
        for match in line.matches:
            if match.dst is None:
                boxes = bounds
            else:
                # `_addresses_meet(match.dst, box.dst)`, for every box at once.
                boxes = open_boxes
                for item in match.dst:
                    address, wildcard = item.address, item.wildcard
                    for box_address, cared, box in patterns:
                        if (address ^ box_address) & ~wildcard & cared == 0:
                            if boxes is open_boxes:
                                boxes = [*open_boxes]
                            boxes.append(box)
                if not boxes:
                    continue
            protocols = protocols_of(match)
            if any(_meets_beyond_destinations(match, protocols, box) for box in boxes):
                if counts_as_match(line):
                    kept.append(line)
                break
    return tuple(kept)


def reversed_box(box: Match) -> Match:
    """The box with sources and destinations (addresses and ports) swapped."""
    return Match(protocols=box.protocols, src=box.dst, dst=box.src, src_ports=box.dst_ports, dst_ports=box.src_ports)


def reversed_region(region: Region) -> Region:
    return tuple(reversed_box(box) for box in region)


def _box_of(match: Match) -> Match:
    """A box holding `match`'s packets: its fields, but any ACK bit and ICMP field."""
    return Match(
        protocols=match.protocols,
        src=match.src,
        dst=match.dst,
        src_ports=match.src_ports,
        dst_ports=match.dst_ports,
    )


def _read(acl: Acl) -> list[tuple[Action, tuple[Match, ...]]]:
    """The lines as the engine reads them: those that count, by action and matches."""
    return [(line.action, line.matches) for line in acl.lines if counts_as_match(line)]


def changed_boxes(before: Acl, after: Acl) -> Region:
    """Boxes holding every packet (ACK bit either way) whose fate `before` and `after` decide
    otherwise, as a permit set or through the union of what their lines match: the boxes of the
    lines between the lines both versions begin and end with (the reverse: `reversed_region`)."""
    first, second = _read(before), _read(after)
    shorter = min(len(first), len(second))
    start = 0
    while start < shorter and first[start] == second[start]:
        start += 1
    end = 0
    while end < shorter - start and first[-1 - end] == second[-1 - end]:
        end += 1
    middle = [*first[start : len(first) - end], *second[start : len(second) - end]]
    return tuple(dict.fromkeys(_box_of(match) for _, matches in middle for match in matches))


def unbounded(box: Match) -> bool:
    """Whether the box holds every packet (nothing to skip a line by)."""
    return protocols_of(box) is None and box.src is None and box.dst is None


def box_set(space: PacketSpace, box: Match) -> PacketSet:
    """The box's valid packets (the ACK bit either way)."""
    return space.match(box)


def narrowed(space: PacketSpace, boxes: Region, injected: Iterable[PacketSet]) -> Region | None:
    """A region holding every packet of `injected`: each box cut to the values the injected
    packets inside it take, empty ones left out; None when the boxes do not hold them all, are
    too many, or bound nothing."""
    if len(boxes) > MAX_BOXES:
        return None
    packets = space.union_of(list(injected)) & space.valid
    sets = [box_set(space, box) for box in boxes]
    if packets & ~space.union_of(sets) != space.false:
        return None
    region = []
    for box, inside in zip(boxes, sets, strict=True):
        inside &= packets
        if inside != space.false:
            region.append(_bounds(space, inside, box))
    if any(unbounded(box) for box in region):
        return None
    # Checked, not only argued: a region that misses an injected packet would change the search.
    if packets & ~space.union_of([box_set(space, box) for box in region]) != space.false:
        return None
    return tuple(dict.fromkeys(region))


def _bounds(space: PacketSpace, packets: PacketSet, box: Match) -> Match:
    """The product of the values each field of `packets` (inside `box`) takes. Ports only when
    every protocol has them: a box that tests ports holds TCP and UDP packets only (`Match`),
    and a packet without ports has port 0."""
    protocols = _protocols(space, packets, box.protocols)
    ported = protocols is not None and set(protocols) <= _TCP_UDP
    return Match(
        protocols=protocols,
        src=_addresses(space, packets, "src", box.src),
        dst=_addresses(space, packets, "dst", box.dst),
        src_ports=_ports(space, packets, "sport", box.src_ports) if ported else None,
        dst_ports=_ports(space, packets, "dport", box.dst_ports) if ported else None,
    )


def _protocols(space: PacketSpace, packets: PacketSet, known: tuple[int, ...] | None) -> tuple[int, ...] | None:
    ranges, truncated = space.field_ranges(packets, "proto", MAX_VALUES)
    if truncated:
        return known
    values = tuple(value for item in ranges for value in range(item.low, item.high + 1))
    return None if len(values) == _PROTOCOLS else values


def _addresses(
    space: PacketSpace, packets: PacketSet, field: str, known: tuple[Wildcard, ...] | None
) -> tuple[Wildcard, ...] | None:
    blocks, truncated = space.field_prefixes(packets, field, MAX_VALUES)
    if truncated:
        return known
    if blocks == [(0, 0)]:
        return None
    return tuple(Wildcard.prefix(value, length) for value, length in blocks)


def _ports(
    space: PacketSpace, packets: PacketSet, field: str, known: tuple[PortRange, ...] | None
) -> tuple[PortRange, ...] | None:
    ranges, truncated = space.field_ranges(packets, field, MAX_VALUES)
    if truncated:
        return known
    if ranges == [PortRange(0, PORT_MAX)]:
        return None
    return tuple(ranges)
