"""Which earlier ACL lines can overlap a line, found without building packet sets.

ACL-002 asks whether a line's packets are all matched by earlier lines. Only earlier lines
that overlap it can matter, so instead of one union of every earlier line (a BDD that
grows with the ACL and makes each test cost more than the last) each line is tested
against the union of the few earlier lines that can overlap it. `OverlapIndex` finds
those lines from the parsed matches alone: an index of destination prefixes for the
search, then a field-by-field test that is exact for address patterns and port ranges
and errs towards "overlaps" elsewhere, so no overlapping line is ever missed.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable

from ..model import IPV4_MAX, AclLine, Match, PortRange, Wildcard

ADDRESS_BITS = 32


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
        self._any_destination: list[int] = []
        # length → sorted networks, and (length, network) → line numbers
        self._networks: dict[int, list[int]] = {}
        self._by_prefix: dict[tuple[int, int], list[int]] = {}

    def add(self, line: AclLine) -> None:
        number = len(self.lines)
        self.lines.append(line)
        for key in self._destination_keys(line):
            if key is None:
                self._any_destination.append(number)
                continue
            bucket = self._by_prefix.get(key)
            if bucket is None:
                self._by_prefix[key] = bucket = []
                bisect.insort(self._networks.setdefault(key[1], []), key[0])
            if not bucket or bucket[-1] != number:
                bucket.append(number)

    def candidates(self, line: AclLine) -> list[int] | None:
        if len(self._any_destination) > self.limit:
            return None
        found: set[int] = set(self._any_destination)
        for key in self._destination_keys(line):
            if key is None:
                return None if len(self.lines) > self.limit else list(range(len(self.lines)))
            for number in self._related(*key):
                found.add(number)
                if len(found) > self.limit:
                    return None
        return sorted(number for number in found if lines_overlap(self.lines[number], line))

    def containing(self, address: int) -> list[int]:
        """Every added line whose destinations may include `address`."""
        found = set(self._any_destination)
        for length in self._networks:
            mask = (IPV4_MAX << (ADDRESS_BITS - length)) & IPV4_MAX
            found.update(self._by_prefix.get((address & mask, length), ()))
        return sorted(found)

    def _related(self, network: int, length: int) -> Iterable[int]:
        """Lines whose destination prefix contains or lies inside network/length."""
        for other_length, networks in self._networks.items():
            if other_length <= length:
                mask = (IPV4_MAX << (ADDRESS_BITS - other_length)) & IPV4_MAX
                yield from self._by_prefix.get((network & mask, other_length), ())
                continue
            last = network | (IPV4_MAX >> length if length else IPV4_MAX)
            start = bisect.bisect_left(networks, network)
            for inside in networks[start : bisect.bisect_right(networks, last, lo=start)]:
                yield from self._by_prefix[(inside, other_length)]

    @staticmethod
    def _destination_keys(line: AclLine) -> Iterable[tuple[int, int] | None]:
        for match in line.matches:
            if match.dst is None:
                yield None
                continue
            for wildcard in match.dst:
                yield enclosing_prefix(wildcard)
