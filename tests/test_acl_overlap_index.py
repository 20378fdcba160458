"""The overlap index of ACL-002 and the isolation certificates (rules/acl_overlap.py) against
a copy of the index it replaced (`ReferenceIndex`, below, as it was before the lines were
grouped by destination class and by the rest of their shapes): the same answers to every
question the callers ask (`candidates`, `containing`, after `copy`), never missing a line
that shares a packet with the line asked about (BDD test), and the ACL-002 walk
(`unreachable_lines`, `unreachable_lines_of_each`) giving exactly the findings of the
walk it replaced, on random ACLs, on firewall-like ACLs whose lines share object groups,
and on the corpus.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable, Sequence
from dataclasses import replace

import pytest
import strategies
from conftest import CORPUS
from hypothesis import given, settings
from hypothesis import strategies as st

from nankoku_netcheck.model import (
    IPV4_MAX,
    PROTO_ICMP,
    PROTO_TCP,
    PROTO_UDP,
    Acl,
    AclLine,
    Action,
    Match,
    PortRange,
    Wildcard,
    ip_to_int,
)
from nankoku_netcheck.reach.packets import PacketSet, PacketSpace
from nankoku_netcheck.rules.acl import (
    MAX_OVERLAP_CANDIDATES,
    Unreachable,
    _cover_by_witnesses,
    covering_lines,
    exact,
    line_set,
    unreachable_lines,
    unreachable_lines_of_each,
)
from nankoku_netcheck.rules.acl_overlap import (
    MASKS,
    OverlapIndex,
    Patterns,
    Ranges,
    Shape,
    enclosing_prefix,
    line_shapes,
    shapes_overlap,
)
from nankoku_netcheck.vendors import parse_config

SPACE = PacketSpace()

# --- the index as it was (reference copy, not used by the package) ---------------------------


def reference_line_shapes(line: AclLine) -> tuple[Shape, ...]:
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


def reference_shapes_overlap(a: Sequence[Shape], b: Sequence[Shape]) -> bool:
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


class ReferenceIndex:
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

    def copy(self) -> ReferenceIndex:
        """An index of the same lines that lines added to either leave the other without."""
        other = ReferenceIndex(self.limit)
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
        hits = [number for number in found if reference_shapes_overlap(own[number], shapes)]
        return sorted(set(hits).union(self._any_overlapping(shapes)))

    def _any_overlapping(self, shapes: tuple[Shape, ...]) -> list[int]:
        """The lines to any destination that may overlap a line of these shapes."""
        own = self._shapes
        if not self._any_without_destinations:
            return [number for number in self._any_destination if reference_shapes_overlap(own[number], shapes)]
        # without destinations on the other side, `shapes_overlap` never reads this line's
        key = tuple((shape[0], shape[2], shape[3], shape[4]) for shape in shapes)
        tested, hits = self._any_hits.get(key, (0, []))
        if tested < len(self._any_destination):
            hits = hits + [
                number for number in self._any_destination[tested:] if reference_shapes_overlap(own[number], shapes)
            ]
            self._any_hits[key] = len(self._any_destination), hits
        return hits

    def _prepared(self, line: AclLine) -> tuple[list[tuple[int, int] | None], tuple[Shape, ...]]:
        if self._last is None or self._last[0] is not line:
            self._last = line, list(self._destination_keys(line)), reference_line_shapes(line)
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


def reference_unreachable_lines(space: PacketSpace, acl: Acl, limit: int) -> list[Unreachable]:
    """`unreachable_lines` as it was: the reference index, and the union test on every line."""
    index = ReferenceIndex(limit)
    earlier: list[tuple[int, PacketSet]] = []
    covered, covered_upto = space.false, 0
    found = []
    for number, line in enumerate(acl.lines):
        matched = line_set(space, line)
        candidates = index.candidates(line)
        if candidates is None:
            candidates = _cover_by_witnesses(space, matched, index, lambda position: earlier[position][1])  # type: ignore[arg-type]
        if candidates is None:
            for _, packets in earlier[covered_upto:]:
                covered |= packets
            covered_upto = len(earlier)
            union, overlapping = covered, earlier
        else:
            overlapping = [earlier[position] for position in candidates]
            union = space.false
            for _, packets in overlapping:
                union |= packets
        if space.subset(matched, union):
            empty = matched == space.false
            found.append(Unreachable(number, () if empty else covering_lines(space, matched, overlapping), empty))
        if exact(line):
            index.add(line)
            earlier.append((number, matched))
    return found


# --- firewall-like lines: a few object groups and services shared by many lines ----------------


def _host(text: str) -> Wildcard:
    return Wildcard(ip_to_int(text), 0)


def _net(text: str, length: int) -> Wildcard:
    return Wildcard.prefix(ip_to_int(text), length)


# Shared tuples, as the parser shares an object group's between the lines that name it: the
# index keeps what it made of a tuple by its id. Related prefixes on purpose (a /24, a /25
# inside it, hosts inside both), and a non-contiguous pattern (lines with one are tested whole).
SERVER_GROUPS: tuple[tuple[Wildcard, ...], ...] = (
    (_host("10.0.0.1"), _host("10.0.0.2")),
    (_host("10.0.0.2"), _host("10.0.0.3"), _host("10.0.0.200")),
    (_net("10.0.0.0", 25),),
    (_net("10.0.0.0", 24), _host("10.9.9.9")),
    (_host("10.0.0.130"),),
    (Wildcard(ip_to_int("10.0.0.1"), 0x00FF0000),),
    (_net("0.0.0.0", 0),),
)
BOGONS: tuple[tuple[Wildcard, ...], ...] = (
    (_host("100.64.0.1"),),
    (_net("100.64.0.0", 30),),
    (_host("10.0.0.1"), _net("192.168.0.0", 16)),
)
SERVICES: tuple[tuple[PortRange, ...], ...] = (
    (PortRange(443, 443),),
    (PortRange(25, 25), PortRange(587, 587)),
    (PortRange(0, 1023),),
    (PortRange(443, 443), PortRange(8443, 8443)),
)
PROTOCOLS: tuple[tuple[int, ...] | None, ...] = (
    (PROTO_TCP,),
    (PROTO_UDP,),
    (PROTO_TCP, PROTO_UDP),
    None,
    (PROTO_ICMP,),
)
SOURCE = strategies.SOURCE


@st.composite
def firewall_matches(draw: st.DrawFn) -> Match:
    """A service to a server group, a bogon source to anywhere, or one to a server group;
    sometimes ill-formed (ports on ICMP: a match of no packet)."""
    kind = draw(st.sampled_from(("service", "service", "service", "bogon", "bogon to servers")))
    protocols = draw(st.sampled_from(PROTOCOLS))
    if kind == "bogon":
        return Match(protocols=protocols, src=draw(st.sampled_from(BOGONS)))
    dst = draw(st.sampled_from(SERVER_GROUPS))
    if kind == "bogon to servers":
        return Match(protocols=protocols, src=draw(st.sampled_from(BOGONS)), dst=dst)
    ports = draw(st.sampled_from(SERVICES)) if protocols != (PROTO_UDP,) or draw(st.booleans()) else None
    return Match(protocols=protocols, dst=dst, dst_ports=ports)


@st.composite
def firewall_lines(draw: st.DrawFn) -> AclLine:
    matches = tuple(draw(st.lists(firewall_matches(), min_size=1, max_size=2)))
    understood = draw(st.integers(0, 9)) > 0
    return AclLine(
        action=draw(st.sampled_from((Action.PERMIT, Action.DENY))),
        matches=matches,
        source=SOURCE,
        understood=understood,
    )


def firewall_acls(max_lines: int) -> st.SearchStrategy[Acl]:
    return st.lists(firewall_lines(), max_size=max_lines).map(lambda lines: Acl("FW", tuple(lines), SOURCE))


ANY_LINES = st.one_of(strategies.acl_lines(), firewall_lines())
LIMITS = st.sampled_from([0, 1, 3, 256])


# --- the index answers as the reference -----------------------------------------------------------


@settings(max_examples=300, deadline=None)
@given(first=ANY_LINES, second=ANY_LINES)
def test_shapes_overlap_answers_as_before(first: AclLine, second: AclLine) -> None:
    assert shapes_overlap(line_shapes(first), line_shapes(second)) == reference_shapes_overlap(
        reference_line_shapes(first), reference_line_shapes(second)
    )


@settings(max_examples=200, deadline=None)
@given(
    lines=st.lists(st.tuples(ANY_LINES, st.sampled_from(("ask", "add", "ask and add", "copy"))), max_size=30),
    limit=LIMITS,
    addresses=st.lists(st.sampled_from([ip_to_int("10.0.0.2"), ip_to_int("10.0.0.129"), 0]), max_size=2),
)
def test_the_index_answers_every_question_as_the_reference(
    lines: list[tuple[AclLine, str]], limit: int, addresses: list[int]
) -> None:
    """The callers' questions in the callers' order (ask about a line, then add it), with
    copies taken part way (`unreachable_lines_of_each` copies at branch points): every
    answer is the reference's, and a copy's lines do not leak into the original."""
    index, reference = OverlapIndex(limit), ReferenceIndex(limit)
    kept: list[tuple[OverlapIndex, ReferenceIndex, AclLine]] = []
    for line, step in lines:
        if step == "copy":
            kept.append((index, reference, line))
            index, reference = index.copy(), reference.copy()
        if "ask" in step or step == "copy":
            assert index.candidates(line) == reference.candidates(line)
        if "add" in step or step == "copy":
            index.add(line)
            reference.add(line)
        for address in addresses:
            assert index.containing(address) == reference.containing(address)
    for old_index, old_reference, line in kept:
        assert old_index.candidates(line) == old_reference.candidates(line)
        assert len(old_index.lines) == len(old_reference.lines)


@settings(max_examples=200, deadline=None)
@given(acl=firewall_acls(max_lines=24), line=firewall_lines(), limit=LIMITS)
def test_the_index_holds_every_earlier_line_that_shares_a_packet(acl: Acl, line: AclLine, limit: int) -> None:
    """On lines sharing object groups (the classes and groups of the index at work): every
    added line sharing a packet with `line` (BDD test) is a candidate, in line order."""
    index = OverlapIndex(limit)
    for added in acl.lines:
        index.add(added)
    found = index.candidates(line)
    if found is None:
        return
    assert found == sorted(set(found))
    packets = line_set(SPACE, line)
    sharing = {number for number, added in enumerate(acl.lines) if line_set(SPACE, added) & packets != SPACE.false}
    assert sharing <= set(found)


@settings(max_examples=200, deadline=None)
@given(acl=firewall_acls(max_lines=12), line=ANY_LINES, chosen=st.lists(st.integers(0, 11), max_size=6))
def test_sources_outnumbering_the_lines_leave_a_packet_out(acl: Acl, line: AclLine, chosen: list[int]) -> None:
    """When `sources_outnumber` says so, the line (if it matches anything) has a packet in
    none of the lines: the ACL-002 walk skips the union test on that."""
    index = OverlapIndex(MAX_OVERLAP_CANDIDATES)
    for added in acl.lines:
        index.add(added)
    positions = sorted({number for number in chosen if number < len(acl.lines)})
    matched = line_set(SPACE, line)
    if matched == SPACE.false or not index.sources_outnumber(line, positions):
        return
    union = SPACE.false
    for position in positions:
        union |= line_set(SPACE, acl.lines[position])
    assert not SPACE.subset(matched, union)


def test_sources_outnumber_counts_the_addresses_of_every_source() -> None:
    index = OverlapIndex(MAX_OVERLAP_CANDIDATES)
    bogons = [AclLine(Action.DENY, (Match(src=(_host(f"100.64.0.{n}"),)),), SOURCE) for n in range(4)]
    for bogon in bogons:
        index.add(bogon)
    index.add(AclLine(Action.DENY, (Match(src=None),), SOURCE))
    quad = AclLine(Action.PERMIT, (Match(src=(_net("100.64.0.0", 30),)),), SOURCE)
    five = AclLine(Action.PERMIT, (Match(src=(_net("100.64.0.0", 29),)),), SOURCE)
    two = AclLine(Action.PERMIT, (Match(src=(_net("100.64.0.0", 30),)), Match(src=None)), SOURCE)
    assert not index.sources_outnumber(quad, [0, 1, 2, 3])  # four addresses, four hosts
    assert index.sources_outnumber(quad, [0, 1, 2])
    assert index.sources_outnumber(five, [0, 1, 2, 3])
    assert not index.sources_outnumber(five, [0, 4])  # line 4 takes any source
    assert not index.sources_outnumber(two, [0])  # two matches: not decided here


# --- the ACL-002 walk finds what it found ---------------------------------------------------


@settings(max_examples=150, deadline=None)
@given(acl=st.one_of(strategies.acls(max_lines=14), firewall_acls(max_lines=30)), limit=LIMITS)
def test_the_walk_finds_what_the_reference_walk_found(acl: Acl, limit: int) -> None:
    """Findings with their covers, whether the index answers or gives up (limits 0 to 3)."""
    assert unreachable_lines(SPACE, acl, limit) == reference_unreachable_lines(SPACE, acl, limit)


@settings(max_examples=60, deadline=None)
@given(
    stem=firewall_acls(max_lines=16),
    tails=st.lists(firewall_acls(max_lines=6), min_size=1, max_size=4),
    limit=LIMITS,
)
def test_the_walk_over_acls_sharing_lines_finds_what_the_reference_found(
    stem: Acl, tails: list[Acl], limit: int
) -> None:
    """ACLs that begin with the same lines share the scan of them (copies of the index):
    each ACL's findings are the reference walk's on that ACL alone."""
    acls = [replace(stem, lines=stem.lines + tail.lines) for tail in tails]
    found = unreachable_lines_of_each(SPACE, acls, limit)
    assert found == [reference_unreachable_lines(SPACE, acl, limit) for acl in acls]


def _corpus_acls() -> list[tuple[str, Acl]]:
    found: list[tuple[str, Acl]] = []
    for row in (CORPUS / "MANIFEST.tsv").read_text().splitlines()[1:]:
        path = CORPUS / row.split("\t")[0]
        try:
            device = parse_config(path.read_text(errors="replace"), str(path))
        except Exception:  # files of no known vendor: ACL-002 never sees them
            continue
        found.extend((f"{path}:{name}", acl) for name, acl in sorted(device.acls.items()) if len(acl.lines) > 1)
    return found


@pytest.mark.skipif(not (CORPUS / "MANIFEST.tsv").exists(), reason="no corpus")
def test_the_walk_finds_on_the_corpus_what_the_reference_walk_found() -> None:
    acls = _corpus_acls()
    assert len(acls) > 50
    for where, acl in acls:
        assert unreachable_lines(SPACE, acl) == reference_unreachable_lines(SPACE, acl, MAX_OVERLAP_CANDIDATES), where


def test_a_line_to_a_non_contiguous_pattern_is_tested_whole() -> None:
    """10.0.0.1 with any second octet sits in the bucket of 10.0.0.0/8 and meets the rest of
    a line to 10.0.0.2 (same service): only its destinations tell them apart."""
    https = (PortRange(443, 443),)
    index = OverlapIndex(MAX_OVERLAP_CANDIDATES)
    index.add(AclLine(Action.PERMIT, (Match((PROTO_TCP,), None, SERVER_GROUPS[5], None, https),), SOURCE))
    index.add(AclLine(Action.PERMIT, (Match((PROTO_TCP,), None, (_net("10.0.0.0", 8),), None, https),), SOURCE))
    to_host = AclLine(Action.PERMIT, (Match((PROTO_TCP,), None, (_host("10.0.0.2"),), None, https),), SOURCE)
    to_match = AclLine(Action.PERMIT, (Match((PROTO_TCP,), None, (_host("10.7.0.1"),), None, https),), SOURCE)
    assert index.candidates(to_host) == [1]
    assert index.candidates(to_match) == [0, 1]


def test_a_line_of_no_packet_after_lines_it_outnumbers_is_reported_empty() -> None:
    """Ports on ICMP match nothing: the walk must not take the line's sources outnumbering
    the bogon lines for a packet of its own."""
    bogon = AclLine(Action.DENY, (Match(src=(_host("100.64.0.1"),)),), SOURCE)
    nothing = AclLine(Action.PERMIT, (Match((PROTO_ICMP,), None, SERVER_GROUPS[0], None, SERVICES[0]),), SOURCE)
    service = AclLine(Action.PERMIT, (Match((PROTO_TCP,), None, SERVER_GROUPS[0], None, SERVICES[0]),), SOURCE)
    acl = Acl("FW", (bogon, nothing, service), SOURCE)
    assert unreachable_lines(SPACE, acl) == [Unreachable(1, (), True)]
