"""Which earlier ACL lines can overlap a line, found without building packet sets.

ACL-002 asks whether a line's packets are all matched by earlier lines. Only earlier lines
that overlap it can matter, so instead of one union of every earlier line (a BDD that
grows with the ACL and makes each test cost more than the last) each line is tested
against the union of the few earlier lines that can overlap it. `OverlapIndex` finds
those lines from the parsed matches alone: an index of destination prefixes for the
search, then a field-by-field test that is exact for address patterns and port ranges
and errs towards "overlaps" elsewhere, so no overlapping line is ever missed.

The index tests each line it finds through a `Shape` of every match: the same fields as
plain ints and frozensets, made once per line when it is added, because the city-sized
ACLs run this test hundreds of thousands of times and the dataclass walk of `matches_overlap`
cost most of ACL-002 (`lines_overlap` stays the reference the property tests check the
shapes against), and only the lines of a bucket whose protocols meet the line's are tested.
How many lines share a line's destinations is bounded first by the sizes of
their prefix buckets, and the lines themselves are gathered only when the bound says they
may be too many, so the "too many" decision is the one counting distinct lines always made.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable, Sequence

from ..model import IPV4_MAX, AclLine, Match, PortRange, Wildcard

ADDRESS_BITS = 32
# The network mask of each prefix length.
MASKS = tuple((IPV4_MAX << (ADDRESS_BITS - length)) & IPV4_MAX for length in range(ADDRESS_BITS + 1))

# One match as plain values: protocols, destination and source patterns as (address bits
# cared about, mask of the bits cared about), destination and source port ranges as
# (low, high); None = any, as in `Match`.
Patterns = tuple[tuple[int, int], ...] | None
Ranges = tuple[tuple[int, int], ...] | None
Shape = tuple[frozenset[int] | None, Patterns, Patterns, Ranges, Ranges]


def wildcards_overlap(a: Wildcard, b: Wildcard) -> bool:
    """Some address matches both patterns: they agree on every bit both care about."""
    return (a.address ^ b.address) & ~(a.wildcard | b.wildcard) & IPV4_MAX == 0


def addresses_overlap(a: tuple[Wildcard, ...] | None, b: tuple[Wildcard, ...] | None) -> bool:
    if a is None or b is None:
        return True
    return any(wildcards_overlap(x, y) for x in a for y in b)


def _ports_overlap(a: tuple[PortRange, ...] | None, b: tuple[PortRange, ...] | None) -> bool:
    if a is None or b is None:
        return True
    return any(x.low <= y.high and y.low <= x.high for x in a for y in b)


def matches_overlap(a: Match, b: Match) -> bool:
    """False only when no packet can match both (established bits and ICMP fields are
    not looked at: they can only make two matches disjoint, never overlapping)."""
    if a.protocols is not None and b.protocols is not None and not set(a.protocols) & set(b.protocols):
        return False
    return (
        addresses_overlap(a.dst, b.dst)
        and addresses_overlap(a.src, b.src)
        and _ports_overlap(a.dst_ports, b.dst_ports)
        and _ports_overlap(a.src_ports, b.src_ports)
    )


def lines_overlap(a: AclLine, b: AclLine) -> bool:
    return any(matches_overlap(x, y) for x in a.matches for y in b.matches)


def line_shapes(line: AclLine) -> tuple[Shape, ...]:
    return tuple(match_shape(match) for match in line.matches)


def match_shape(match: Match) -> Shape:
    protocols = None if match.protocols is None else frozenset(match.protocols)
    return protocols, _patterns(match.dst), _patterns(match.src), _ranges(match.dst_ports), _ranges(match.src_ports)


def _patterns(wildcards: tuple[Wildcard, ...] | None) -> Patterns:
    if wildcards is None:
        return None
    return tuple((w.address & ~w.wildcard & IPV4_MAX, ~w.wildcard & IPV4_MAX) for w in wildcards)


def _ranges(ranges: tuple[PortRange, ...] | None) -> Ranges:
    return None if ranges is None else tuple((r.low, r.high) for r in ranges)


def line_protocols(shapes: Sequence[Shape]) -> frozenset[int] | None:
    """Every protocol some match of the line takes; None when one takes any."""
    found: frozenset[int] = frozenset()
    for shape in shapes:
        if shape[0] is None:
            return None
        found |= shape[0]
    return found


def shapes_overlap(a: Sequence[Shape], b: Sequence[Shape]) -> bool:
    """`lines_overlap` on the lines' shapes: the same answer, for any two lines."""
    for x in a:
        for y in b:
            if x[0] is not None and y[0] is not None and x[0].isdisjoint(y[0]):
                continue
            if (
                _patterns_meet(x[1], y[1])
                and _patterns_meet(x[2], y[2])
                and _ranges_meet(x[3], y[3])
                and _ranges_meet(x[4], y[4])
            ):
                return True
    return False


def _patterns_meet(a: Patterns, b: Patterns) -> bool:
    if a is None or b is None:
        return True
    for address, care in a:
        for other_address, other_care in b:
            if not (address ^ other_address) & care & other_care:
                return True
    return False


def _ranges_meet(a: Ranges, b: Ranges) -> bool:
    if a is None or b is None:
        return True
    for low, high in a:
        for other_low, other_high in b:
            if low <= other_high and other_low <= high:
                return True
    return False


def enclosing_prefix(wildcard: Wildcard) -> tuple[int, int]:
    """(network, length) of the shortest prefix holding every address of the pattern."""
    length = ADDRESS_BITS - wildcard.wildcard.bit_length()
    mask = (IPV4_MAX << (ADDRESS_BITS - length)) & IPV4_MAX
    return wildcard.address & mask, length


class OverlapIndex:
    """Earlier lines, indexed by destination prefix. `candidates(line)` returns, in line
    order, every added line that may overlap `line`, or None when more than `limit`
    lines share its destinations (the caller then tests against all earlier lines)."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.lines: list[AclLine] = []
        self._shapes: list[tuple[Shape, ...]] = []
        self._any_destination: list[int] = []
        # length → sorted networks, and (length, network) → line numbers
        self._networks: dict[int, list[int]] = {}
        self._by_prefix: dict[tuple[int, int], list[int]] = {}
        # the same line numbers split by the line's protocols (None: some match takes any):
        # on a firewall's ACL a TCP line need not be tested against the UDP lines to its servers
        self._by_protocols: dict[tuple[int, int], dict[frozenset[int] | None, list[int]]] = {}
        # the last line asked about, with its destination keys and shapes: callers add the
        # line they just asked about, and the two are the index's own costliest steps
        self._last: tuple[AclLine, list[tuple[int, int] | None], tuple[Shape, ...]] | None = None
        # Every later line is tested against each line to any destination (a firewall ACL's
        # first block of bogon sources): while none of those has a match with destinations,
        # the test ignores the line's destinations, and the many lines to distinct servers
        # with the same protocols and ports get one answer, kept here by those fields with
        # how many of the lines to any destination it covers.
        self._any_hits: dict[tuple[object, ...], tuple[int, list[int]]] = {}
        self._any_without_destinations = True

    def copy(self) -> OverlapIndex:
        """An index of the same lines that lines added to either leave the other without."""
        other = OverlapIndex(self.limit)
        other.lines = list(self.lines)
        other._shapes = list(self._shapes)
        other._any_destination = list(self._any_destination)
        other._networks = {length: list(networks) for length, networks in self._networks.items()}
        other._by_prefix = {key: list(numbers) for key, numbers in self._by_prefix.items()}
        other._by_protocols = {
            key: {group: list(numbers) for group, numbers in groups.items()}
            for key, groups in self._by_protocols.items()
        }
        other._last = self._last
        # the lists of hits are replaced, never extended in place: sharing them is safe
        other._any_hits = dict(self._any_hits)
        other._any_without_destinations = self._any_without_destinations
        return other

    def add(self, line: AclLine) -> None:
        number = len(self.lines)
        self.lines.append(line)
        keys, shapes = self._prepared(line)
        self._shapes.append(shapes)
        for key in keys:
            if key is None:
                # once per line, however many of its matches go anywhere: the limit counts lines
                if not self._any_destination or self._any_destination[-1] != number:
                    self._any_destination.append(number)
                    self._any_without_destinations &= all(shape[1] is None for shape in shapes)
                continue
            bucket = self._by_prefix.get(key)
            if bucket is None:
                self._by_prefix[key] = bucket = []
                self._by_protocols[key] = {}
                bisect.insort(self._networks.setdefault(key[1], []), key[0])
            if not bucket or bucket[-1] != number:
                bucket.append(number)
                self._by_protocols[key].setdefault(line_protocols(shapes), []).append(number)

    def candidates(self, line: AclLine) -> list[int] | None:
        if len(self._any_destination) > self.limit:
            return None
        keys, shapes = self._prepared(line)
        if None in keys:
            return None if len(self.lines) > self.limit else list(range(len(self.lines)))
        prefixes = [prefix for key in set(keys) if key is not None for prefix in self._related(*key)]
        if self._too_many([self._by_prefix[prefix] for prefix in prefixes]):
            return None
        protocols = line_protocols(shapes)
        found: set[int] = set()
        for prefix in prefixes:
            for group, numbers in self._by_protocols[prefix].items():
                if group is None or protocols is None or not group.isdisjoint(protocols):
                    found.update(numbers)
        own = self._shapes
        hits = [number for number in found if shapes_overlap(own[number], shapes)]
        return sorted(set(hits).union(self._any_overlapping(shapes)))

    def _any_overlapping(self, shapes: tuple[Shape, ...]) -> list[int]:
        """The lines to any destination that may overlap a line of these shapes."""
        own = self._shapes
        if not self._any_without_destinations:
            return [number for number in self._any_destination if shapes_overlap(own[number], shapes)]
        # without destinations on the other side, `shapes_overlap` never reads this line's
        key = tuple((shape[0], shape[2], shape[3], shape[4]) for shape in shapes)
        tested, hits = self._any_hits.get(key, (0, []))
        if tested < len(self._any_destination):
            hits = hits + [number for number in self._any_destination[tested:] if shapes_overlap(own[number], shapes)]
            self._any_hits[key] = len(self._any_destination), hits
        return hits

    def _prepared(self, line: AclLine) -> tuple[list[tuple[int, int] | None], tuple[Shape, ...]]:
        if self._last is None or self._last[0] is not line:
            self._last = line, list(self._destination_keys(line)), line_shapes(line)
        return self._last[1], self._last[2]

    def _too_many(self, buckets: list[list[int]]) -> bool:
        """More than `limit` lines are in the buckets or go to any destination. A line to
        several destinations sits in several buckets, so the sum of the bucket sizes only
        bounds the count: the lines are counted one by one only when the bound is over."""
        if len(self._any_destination) + sum(len(bucket) for bucket in buckets) <= self.limit:
            return False
        found = set(self._any_destination)
        for bucket in buckets:
            found.update(bucket)
            if len(found) > self.limit:
                return True
        return False

    def containing(self, address: int) -> list[int]:
        """Every added line whose destinations may include `address`."""
        found = set(self._any_destination)
        for length in self._networks:
            found.update(self._by_prefix.get((address & MASKS[length], length), ()))
        return sorted(found)

    def _related(self, network: int, length: int) -> Iterable[tuple[int, int]]:
        """The indexed destination prefixes that contain or lie inside network/length."""
        for other_length, networks in self._networks.items():
            if other_length <= length:
                prefix = (network & MASKS[other_length], other_length)
                if prefix in self._by_prefix:
                    yield prefix
                continue
            last = network | (IPV4_MAX >> length if length else IPV4_MAX)
            start = bisect.bisect_left(networks, network)
            for inside in networks[start : bisect.bisect_right(networks, last, lo=start)]:
                yield inside, other_length

    @staticmethod
    def _destination_keys(line: AclLine) -> Iterable[tuple[int, int] | None]:
        for match in line.matches:
            if match.dst is None:
                yield None
                continue
            for wildcard in match.dst:
                yield enclosing_prefix(wildcard)
