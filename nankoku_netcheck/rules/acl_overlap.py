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
shapes against). How many lines share a line's destinations is bounded first by the sizes of
their prefix buckets, and the lines themselves are gathered only when the bound says they
may be too many, so the "too many" decision is the one counting distinct lines always made.

A firewall's ACL names a few hundred object groups of servers in tens of thousands of lines,
and the lines to one group differ in their services and sources: the lines are found by
destination class (the same prefixes) and tested a group of the same services and sources at
a time, where the test of one line against each line in the buckets made most of the cost
(`OverlapIndex`). The answers are those of the line-by-line test; tests/test_acl_overlap_index.py
holds the index this replaced and checks every answer against it.
"""

from __future__ import annotations

import bisect
from collections.abc import Sequence
from dataclasses import dataclass

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


def _pattern_sizes(patterns: Patterns) -> list[int] | None:
    """How many addresses each pattern holds (None: any address)."""
    if patterns is None:
        return None
    return [1 << (ADDRESS_BITS - care.bit_count()) for _, care in patterns]


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
    """`lines_overlap` on the lines' shapes: the same answer, for any two lines. A field
    either side takes whole (None) is passed over without a call: the index runs this on
    many lines whose ports or sources are any."""
    for protocols, destinations, sources, dst_ports, src_ports in a:
        for other_protocols, other_destinations, other_sources, other_dst_ports, other_src_ports in b:
            if protocols is not None and other_protocols is not None and protocols.isdisjoint(other_protocols):
                continue
            if dst_ports is not None and other_dst_ports is not None and not _ranges_meet(dst_ports, other_dst_ports):
                continue
            if src_ports is not None and other_src_ports is not None and not _ranges_meet(src_ports, other_src_ports):
                continue
            if sources is not None and other_sources is not None and not _patterns_meet(sources, other_sources):
                continue
            if destinations is None or other_destinations is None or _patterns_meet(destinations, other_destinations):
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


@dataclass(frozen=True, slots=True)
class _Query:
    """What the index reads of a line, made once per line: `keys` are the distinct enclosing
    prefixes of its destinations, `to_any` whether some match goes to any destination, `rest`
    the number of its shapes without their destinations (see `_Memo.rest`), `simple` whether
    it has a single match whose destinations are all prefixes (`OverlapIndex.candidates`)."""

    line: AclLine
    to_any: bool
    keys: tuple[tuple[int, int], ...]
    shapes: tuple[Shape, ...]
    rest: int
    simple: bool
    # the addresses the line's source patterns name (a sum: an upper bound), and of a line of a
    # single match the addresses its widest source pattern names (None on other lines)
    source_size: int | None
    widest_source: int | None


# In a bucket's groups, the lines that are not simple (each tested whole) are kept under this.
OTHERS = -1


class OverlapIndex:
    """Earlier lines, indexed by destination prefix. `candidates(line)` returns, in line
    order, every added line that may overlap `line`, or None when more than `limit`
    lines share its destinations (the caller then tests against all earlier lines)."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.lines: list[AclLine] = []
        self._shapes: list[tuple[Shape, ...]] = []
        # how many source addresses each line's matches name at most (None: some match takes any)
        self._source_sizes: list[int | None] = []
        self._any_destination: list[int] = []
        # length → sorted networks, and (length, network) → line numbers
        self._networks: dict[int, list[int]] = {}
        self._by_prefix: dict[tuple[int, int], list[int]] = {}
        # Lines with the same destination prefixes (a firewall's lines to one object group of
        # servers) sit in the same buckets: they are numbered as a class, found once however
        # many of their buckets are related to a line's. Within a class the lines are grouped
        # by the rest of their shapes (`_Memo.rest`), the lines that are not simple under
        # OTHERS. Two simple lines whose destination prefixes are related share a destination,
        # so they overlap exactly when the rest of their shapes meet: one test per group (kept
        # by `_Memo.meet`) instead of one per line.
        self._classes: dict[tuple[tuple[int, int], ...], int] = {}
        self._class_groups: list[dict[int, list[int]]] = []
        self._prefix_classes: dict[tuple[int, int], list[int]] = {}
        # the last line asked about: callers add the line they just asked about, and reading
        # a line is the index's own costliest step
        self._last: _Query | None = None
        # Every later line is tested against each line to any destination (a firewall ACL's
        # first block of bogon sources): while none of those has a match with destinations,
        # the test ignores the line's destinations, and the many lines to distinct servers
        # with the same protocols and ports get one answer, kept here by those fields with
        # how many of the lines to any destination it covers.
        self._any_hits: dict[int, tuple[int, list[int]]] = {}
        self._any_without_destinations = True
        # Shared with copies: what it keeps depends only on the lines it is asked about.
        self._memo = _Memo()

    def copy(self) -> OverlapIndex:
        """An index of the same lines that lines added to either leave the other without."""
        other = OverlapIndex(self.limit)
        other.lines = list(self.lines)
        other._shapes = list(self._shapes)
        other._source_sizes = list(self._source_sizes)
        other._any_destination = list(self._any_destination)
        other._networks = {length: list(networks) for length, networks in self._networks.items()}
        other._by_prefix = {key: list(numbers) for key, numbers in self._by_prefix.items()}
        other._classes = dict(self._classes)
        other._class_groups = [
            {group: list(numbers) for group, numbers in groups.items()} for groups in self._class_groups
        ]
        other._prefix_classes = {key: list(classes) for key, classes in self._prefix_classes.items()}
        other._last = self._last
        # the lists of hits are replaced, never extended in place: sharing them is safe
        other._any_hits = dict(self._any_hits)
        other._any_without_destinations = self._any_without_destinations
        other._memo = self._memo
        return other

    def add(self, line: AclLine) -> None:
        number = len(self.lines)
        self.lines.append(line)
        query = self._prepared(line)
        shapes = query.shapes
        self._shapes.append(shapes)
        self._source_sizes.append(query.source_size)
        if query.to_any:
            # once per line, however many of its matches go anywhere: the limit counts lines
            self._any_destination.append(number)
            self._any_without_destinations &= all(shape[1] is None for shape in shapes)
        if not query.keys:
            return
        by_prefix = self._by_prefix
        for key in query.keys:
            bucket = by_prefix.get(key)
            if bucket is None:
                by_prefix[key] = bucket = []
                bisect.insort(self._networks.setdefault(key[1], []), key[0])
            bucket.append(number)
        kind = self._classes.get(query.keys)
        if kind is None:
            kind = self._classes[query.keys] = len(self._class_groups)
            self._class_groups.append({})
            for key in query.keys:
                self._prefix_classes.setdefault(key, []).append(kind)
        self._class_groups[kind].setdefault(query.rest if query.simple else OTHERS, []).append(number)

    def candidates(self, line: AclLine) -> list[int] | None:
        if len(self._any_destination) > self.limit:
            return None
        query = self._prepared(line)
        if query.to_any:
            return None if len(self.lines) > self.limit else list(range(len(self.lines)))
        prefixes = self._related(query.keys)
        if self._too_many(prefixes):
            return None
        kinds: set[int] = set()
        prefix_classes = self._prefix_classes
        for prefix in prefixes:
            kinds.update(prefix_classes[prefix])
        found: set[int] = set()
        tested: set[int] = set()  # lines to test whole
        memo = self._memo
        meets, rest_protocols = memo.meets, memo.rest_protocols
        rest, simple, protocols = query.rest, query.simple, rest_protocols[query.rest]
        class_groups = self._class_groups
        for kind in kinds:
            for group, numbers in class_groups[kind].items():
                if group == OTHERS:
                    tested.update(numbers)
                    continue
                # the protocols first, as `shapes_overlap` would: most groups a TCP line meets are UDP
                others = rest_protocols[group]
                if others is not None and protocols is not None and others.isdisjoint(protocols):
                    continue
                known = meets.get((group, rest))
                if known is None:
                    known = memo.meet(group, rest)
                if known:
                    (found if simple else tested).update(numbers)
        if tested:
            own = self._shapes
            shapes = query.shapes
            found.update(number for number in tested if shapes_overlap(own[number], shapes))
        if self._any_destination:
            found.update(self._any_overlapping(query))
        return sorted(found)

    def sources_outnumber(self, line: AclLine, positions: list[int]) -> bool:
        """`line` has a single match, and one of its source patterns holds more addresses
        than the source patterns of every match of the lines at `positions` together: some
        source address of the match is in none of those lines."""
        query = self._prepared(line)
        if query.widest_source is None:
            return False
        total = 0
        sizes = self._source_sizes
        for position in positions:
            size = sizes[position]
            if size is None:
                return False
            total += size
        return query.widest_source > total

    def _any_overlapping(self, query: _Query) -> list[int]:
        """The lines to any destination that may overlap a line of this query."""
        own = self._shapes
        shapes = query.shapes
        if not self._any_without_destinations:
            return [number for number in self._any_destination if shapes_overlap(own[number], shapes)]
        # without destinations on the other side, `shapes_overlap` never reads this line's
        tested, hits = self._any_hits.get(query.rest, (0, []))
        if tested < len(self._any_destination):
            hits = hits + [number for number in self._any_destination[tested:] if shapes_overlap(own[number], shapes)]
            self._any_hits[query.rest] = len(self._any_destination), hits
        return hits

    def _prepared(self, line: AclLine) -> _Query:
        last = self._last
        if last is None or last.line is not line:
            self._last = last = self._memo.query(line)
        return last

    def _too_many(self, prefixes: list[tuple[int, int]]) -> bool:
        """More than `limit` lines are in the prefixes' buckets or go to any destination. A
        line to several destinations sits in several buckets, so the sum of the bucket sizes
        only bounds the count: the lines are counted one by one only when the bound is over."""
        by_prefix = self._by_prefix
        if len(self._any_destination) + sum(len(by_prefix[prefix]) for prefix in prefixes) <= self.limit:
            return False
        found = set(self._any_destination)
        for prefix in prefixes:
            found.update(by_prefix[prefix])
            if len(found) > self.limit:
                return True
        return False

    def containing(self, address: int) -> list[int]:
        """Every added line whose destinations may include `address`."""
        found = set(self._any_destination)
        for length in self._networks:
            found.update(self._by_prefix.get((address & MASKS[length], length), ()))
        return sorted(found)

    def _related(self, keys: tuple[tuple[int, int], ...]) -> list[tuple[int, int]]:
        """The indexed destination prefixes that contain or lie inside one of `keys` (a prefix
        related to two keys is listed twice: the callers count lines, not prefixes)."""
        by_prefix = self._by_prefix
        related: list[tuple[int, int]] = []
        for network, length in keys:
            for other_length, networks in self._networks.items():
                if other_length <= length:
                    prefix = (network & MASKS[other_length], other_length)
                    if prefix in by_prefix:
                        related.append(prefix)
                    continue
                last = network | (IPV4_MAX >> length)
                start = bisect.bisect_left(networks, network)
                end = bisect.bisect_right(networks, last, lo=start)
                related.extend((inside, other_length) for inside in networks[start:end])
        return related


class _Memo:
    """What the index works out of lines and keeps across them. A firewall's lines name the
    same object groups again and again: the patterns and prefixes of an address list, and
    the ranges of a port list, are made once per tuple, kept by its id with the tuple itself
    (so the id is not reused while it is kept). The rest of a line's shapes (each without its
    destinations) is numbered once per distinct value, and whether two such rests meet is
    kept by their numbers."""

    def __init__(self) -> None:
        self._addresses: dict[int, tuple[tuple[Wildcard, ...], Patterns, tuple[tuple[int, int], ...], bool]] = {}
        self._ranges: dict[int, tuple[tuple[PortRange, ...], Ranges]] = {}
        self._protocols: dict[tuple[int, ...], frozenset[int]] = {}
        self._rests: dict[tuple[Shape, ...], int] = {}
        self._rest_shapes: list[tuple[Shape, ...]] = []
        # every protocol some shape of a rest takes (None: one takes any), by its number
        self.rest_protocols: list[frozenset[int] | None] = []
        self.meets: dict[tuple[int, int], bool] = {}

    def query(self, line: AclLine) -> _Query:
        keys: dict[tuple[int, int], None] = {}
        shapes: list[Shape] = []
        to_any = False
        simple = len(line.matches) == 1
        for match in line.matches:
            if match.dst is None:
                to_any = True
                simple = False
                destinations: Patterns = None
            else:
                destinations, prefixes, all_prefixes = self._destinations(match.dst)
                keys.update(dict.fromkeys(prefixes))
                simple = simple and all_prefixes
            shapes.append(
                (
                    self._protocol_set(match.protocols),
                    destinations,
                    self._sources(match.src),
                    self._port_ranges(match.dst_ports),
                    self._port_ranges(match.src_ports),
                )
            )
        shaped = tuple(shapes)
        rest = self.rest(tuple((shape[0], None, shape[2], shape[3], shape[4]) for shape in shaped))
        sizes = [_pattern_sizes(shape[2]) for shape in shaped]
        source_size = None if any(size is None for size in sizes) else sum(sum(size or ()) for size in sizes)
        widest = None
        if len(sizes) == 1:
            widest = 1 << ADDRESS_BITS if sizes[0] is None else max(sizes[0], default=0)
        return _Query(line, to_any, tuple(keys), shaped, rest, simple, source_size, widest)

    def rest(self, shapes: tuple[Shape, ...]) -> int:
        """The number of these shapes (without destinations)."""
        number = self._rests.get(shapes)
        if number is None:
            number = self._rests[shapes] = len(self._rest_shapes)
            self._rest_shapes.append(shapes)
            self.rest_protocols.append(line_protocols(shapes))
        return number

    def meet(self, first: int, second: int) -> bool:
        """Whether the shapes numbered `first` and `second` overlap (`shapes_overlap`)."""
        key = (first, second)
        known = self.meets.get(key)
        if known is None:
            known = self.meets[key] = shapes_overlap(self._rest_shapes[first], self._rest_shapes[second])
        return known

    def _destinations(self, wildcards: tuple[Wildcard, ...]) -> tuple[Patterns, tuple[tuple[int, int], ...], bool]:
        """The patterns of the list, their enclosing prefixes, and whether each is its prefix."""
        known = self._addresses.get(id(wildcards))
        if known is None or known[0] is not wildcards:
            prefixes = tuple(enclosing_prefix(wildcard) for wildcard in wildcards)
            all_prefixes = all(wildcard.wildcard & (wildcard.wildcard + 1) == 0 for wildcard in wildcards)
            known = wildcards, _patterns(wildcards), prefixes, all_prefixes
            self._addresses[id(wildcards)] = known
        return known[1], known[2], known[3]

    def _sources(self, wildcards: tuple[Wildcard, ...] | None) -> Patterns:
        return None if wildcards is None else self._destinations(wildcards)[0]

    def _port_ranges(self, ranges: tuple[PortRange, ...] | None) -> Ranges:
        if ranges is None:
            return None
        known = self._ranges.get(id(ranges))
        if known is None or known[0] is not ranges:
            known = ranges, _ranges(ranges)
            self._ranges[id(ranges)] = known
        return known[1]

    def _protocol_set(self, protocols: tuple[int, ...] | None) -> frozenset[int] | None:
        if protocols is None:
            return None
        known = self._protocols.get(protocols)
        if known is None:
            known = self._protocols[protocols] = frozenset(protocols)
        return known
