"""The fast `lines_within` (reach/region.py) and `policy_list` (reach/filters.py) against the
code they replaced, kept here as oracles: the same tuple of the same line objects, in the same
order (and the same rules as owners), on hypothesis-generated ACLs, regions and policies and on
a small generated city's own ACLs and policies.

CI runs a fixed, reproducible set of examples (derandomized, no example database).
"""

from __future__ import annotations

import dataclasses
import itertools
from collections.abc import Iterator
from pathlib import Path

import pytest
import strategies as gen
from hypothesis import event, given
from hypothesis import strategies as st

from nankoku_netcheck.analyze import load
from nankoku_netcheck.cache import ParseCache
from nankoku_netcheck.model import (
    IPV4_MAX,
    PROTO_ICMP,
    PROTO_TCP,
    PROTO_UDP,
    TO_THE_DEVICE,
    Acl,
    AclLine,
    Device,
    IcmpMatch,
    Match,
    PolicyRule,
    PortRange,
    Source,
    Wildcard,
)
from nankoku_netcheck.reach.filters import PolicyList, applicable_rules, policy_list, rule_lines
from nankoku_netcheck.reach.packets import counts_as_match
from nankoku_netcheck.reach.region import Bounds, Region, bounds_of, line_meets, lines_within, protocols_of
from nankoku_netcheck.synth import CitySpec, generate

SOURCE = Source("r1.cfg", 1, "")

# --- the oracles: the code before the speed-up, as it was ----------------------------------------


def _old_addresses_meet(line: tuple[Wildcard, ...] | None, box: tuple[tuple[int, int], ...] | None) -> bool:
    if line is None or box is None:
        return True
    return any((item.address ^ address) & ~item.wildcard & cared == 0 for item in line for address, cared in box)


def _old_ports_meet(line: tuple[PortRange, ...] | None, box: tuple[tuple[int, int], ...] | None) -> bool:
    if line is None or box is None:
        return True
    return any(item.low <= high and low <= item.high for item in line for low, high in box)


def _old_meets_beyond_destinations(match: Match, protocols: frozenset[int] | None, box: Bounds) -> bool:
    return (
        (protocols is None or box.protocols is None or not protocols.isdisjoint(box.protocols))
        and _old_addresses_meet(match.src, box.src)
        and _old_ports_meet(match.dst_ports, box.dst_ports)
        and _old_ports_meet(match.src_ports, box.src_ports)
    )


def _old_line_meets(line: AclLine, bounds: tuple[Bounds, ...]) -> bool:
    if not counts_as_match(line):
        return False
    for match in line.matches:
        boxes = [box for box in bounds if _old_addresses_meet(match.dst, box.dst)]
        if boxes:
            protocols = protocols_of(match)
            if any(_old_meets_beyond_destinations(match, protocols, box) for box in boxes):
                return True
    return False


def old_lines_within(acl: Acl, bounds: tuple[Bounds, ...]) -> tuple[AclLine, ...]:
    return tuple(line for line in acl.lines if _old_line_meets(line, bounds))


_ANY_PACKET = Match()


def _old_matches_everything(line: AclLine) -> bool:
    return counts_as_match(line) and _ANY_PACKET in line.matches


def old_policy_list(device: Device, indexes: tuple[int, ...]) -> PolicyList:
    rules = device.policy or ()
    lines: list[AclLine] = []
    owners: list[PolicyRule] = []
    for index in indexes:
        rule = rules[index]
        for line in rule_lines(device, rule):
            lines.append(line)
            owners.append(rule)
            if _old_matches_everything(line):
                return PolicyList(
                    Acl(name="policy", lines=tuple(lines), source=Source(device.source_file, 0, "")), tuple(owners)
                )
    return PolicyList(Acl(name="policy", lines=tuple(lines), source=Source(device.source_file, 0, "")), tuple(owners))


# --- comparisons ----------------------------------------------------------------------------------


def same_objects(found: tuple[object, ...], expected: tuple[object, ...]) -> bool:
    return len(found) == len(expected) and all(a is b for a, b in zip(found, expected, strict=True))


def check_lines_within(acl: Acl, bounds: tuple[Bounds, ...]) -> tuple[AclLine, ...]:
    found = lines_within(acl, bounds)
    assert same_objects(found, old_lines_within(acl, bounds))
    # What its docstring says: the lines the package's `line_meets` keeps.
    assert same_objects(found, tuple(line for line in acl.lines if line_meets(line, bounds)))
    return found


def check_policy_list(device: Device, indexes: tuple[int, ...]) -> PolicyList:
    found, expected = policy_list(device, indexes), old_policy_list(device, indexes)
    assert found == expected
    assert same_objects(found.owners, expected.owners)
    # The same line objects, but the permit line a rule naming an undefined ACL stands for is
    # made anew at each `rule_lines` call (by the oracle's as well): equal, from the same rule.
    for line, owner, other in zip(found.acl.lines, found.owners, expected.acl.lines, strict=True):
        assert line is other or (line == other and owner.acl is not None and owner.acl not in device.acls)
    return found


# --- generated ACLs, regions and policies ---------------------------------------------------------

UNIVERSE = gen.NETWORK_ADDRESSES
SOME_PATTERNS = st.lists(gen.wildcards(UNIVERSE), min_size=1, max_size=3).map(
    lambda items: tuple((item.address, ~item.wildcard & IPV4_MAX) for item in items)
)
PATTERNS = st.one_of(st.none(), st.just(()), SOME_PATTERNS)
RANGES = st.one_of(st.none(), gen.PORT_UNIONS.map(lambda ports: tuple((item.low, item.high) for item in ports)))
PROTOCOLS = st.one_of(st.none(), st.sampled_from(((PROTO_TCP,), (PROTO_UDP,), (PROTO_ICMP,), (PROTO_TCP, 47))))
PROTOCOL_SETS = PROTOCOLS.map(lambda chosen: None if chosen is None else frozenset(chosen))
BOUNDS = st.builds(Bounds, PROTOCOL_SETS, PATTERNS, PATTERNS, RANGES, RANGES)
# Boxes that all bound destinations (as an edited line's do): a match whose destinations meet
# none of them cannot meet the region, whatever the line's other matches do.
BOUNDED = st.builds(Bounds, PROTOCOL_SETS, SOME_PATTERNS, PATTERNS, RANGES, RANGES)


def _box(match: Match) -> Match:
    return dataclasses.replace(match, established=False, icmp=None)


REGIONS = st.lists(gen.matches(UNIVERSE).map(_box), max_size=3).map(lambda boxes: bounds_of(tuple(boxes)))


@st.composite
def bounds_lists(draw: st.DrawFn) -> tuple[Bounds, ...]:
    """Boxes as `bounds_of` makes them or drawn field by field (no destination, an empty union of
    addresses), all bounding destinations, none at all, and sometimes one twice (the same
    object or an equal one)."""
    bounds = list(draw(st.one_of(REGIONS, st.lists(BOUNDS, max_size=4), st.lists(BOUNDED, min_size=1, max_size=3))))
    if bounds and gen.sometimes(draw, 30):
        twice = draw(st.sampled_from(bounds))
        copy = twice if gen.sometimes(draw, 50) else dataclasses.replace(twice)
        bounds.insert(draw(st.integers(0, len(bounds))), copy)
    return tuple(bounds)


# Matches the generated lines seldom hold: an empty union of addresses, every packet (equal to
# `Match()` or not), and near it (one field set).
ODD_MATCHES = st.sampled_from(
    (
        Match(dst=()),
        Match(src=()),
        Match(),
        Match(protocols=None, src=None, dst=None),
        Match(established=True),
        Match(protocols=(PROTO_TCP,)),
        Match(icmp=(IcmpMatch(8, None),)),
        Match(dst_ports=(PortRange(23, 23),)),
        Match(src=(Wildcard.any(),)),
        Match(dst=(Wildcard.any(),)),
    )
)


@st.composite
def odd_lines(draw: st.DrawFn) -> AclLine:
    """Lines of one to three matches, some odd, either action, understood or not, approximated or not."""
    matches = draw(st.lists(st.one_of(ODD_MATCHES, gen.matches(UNIVERSE)), min_size=1, max_size=3))
    return AclLine(
        action=draw(gen.ACTIONS),
        matches=tuple(matches),
        source=SOURCE,
        understood=not gen.sometimes(draw, 25),
        approximation="time-range ignored" if gen.sometimes(draw, 25) else "",
    )


LINES = st.one_of(gen.acl_lines(UNIVERSE), odd_lines())
ACLS = st.lists(LINES, max_size=10).map(lambda lines: Acl(name="A", lines=tuple(lines), source=SOURCE))


@gen.examples(150)
@given(acl=ACLS, bounds=bounds_lists())
def test_lines_within_keeps_what_the_old_code_kept(acl: Acl, bounds: tuple[Bounds, ...]) -> None:
    kept = check_lines_within(acl, bounds)
    event(f"{len(kept)} of {len(acl.lines)} lines kept")


@st.composite
def catch_alls(draw: st.DrawFn) -> AclLine:
    """A line with a match of every packet (after another match or not): one that decides every
    packet unless it is a deny line not understood or approximated."""
    matches = [Match() if gen.sometimes(draw, 50) else _ANY_PACKET]
    if gen.sometimes(draw, 30):
        matches.insert(0, draw(gen.matches(UNIVERSE)))
    return AclLine(
        action=draw(gen.ACTIONS),
        matches=tuple(matches),
        source=SOURCE,
        understood=not gen.sometimes(draw, 30),
        approximation="time-range ignored" if gen.sometimes(draw, 30) else "",
    )


@st.composite
def policy_cases(draw: st.DrawFn) -> tuple[Device, tuple[int, ...]]:
    """A device whose rules hold lines (some deciding every packet, or looking as if they did)
    or name an ACL (defined, with no entries, undefined), and rule indexes in any order,
    repeated or not."""
    device = Device(name="P1", vendor="policy", source_file="P1.cfg")
    device.acls = {
        "P": Acl("P", tuple(draw(st.lists(LINES, max_size=4))), SOURCE),
        "E": Acl("E", (), SOURCE),
    }
    device.undefined_acl_permits = draw(st.booleans())
    rules = []
    for number in range(draw(st.integers(1, 4))):
        source = Source("P1.cfg", 10 + number, f"policy {number}")
        if gen.sometimes(draw, 30):
            rules.append(PolicyRule(f"policy {number}", source, None, None, acl=draw(st.sampled_from("PEU"))))
        else:
            lines = draw(st.lists(LINES, max_size=4))
            if gen.sometimes(draw, 60):
                lines.insert(draw(st.integers(0, len(lines))), draw(catch_alls()))
            rules.append(PolicyRule(f"policy {number}", source, None, None, lines=tuple(lines)))
    device.policy = tuple(rules)
    indexes = draw(st.lists(st.integers(0, len(rules) - 1), min_size=1, max_size=5))
    if gen.sometimes(draw, 50):
        indexes = sorted(set(indexes))
    return device, tuple(indexes)


@gen.examples(120)
@given(case=policy_cases())
def test_policy_list_is_the_old_list(case: tuple[Device, tuple[int, ...]]) -> None:
    device, indexes = case
    found = check_policy_list(device, indexes)
    ended = bool(found.acl.lines) and _old_matches_everything(found.acl.lines[-1])
    event("ends with a line deciding every packet" if ended else "no line decides every packet")
    rules = device.policy or ()
    listed = [line for index in indexes for line in rule_lines(device, rules[index])]
    event("cut" if len(found.acl.lines) < len(listed) else "whole")


@gen.examples(60)
@given(device=gen.policy_devices("P1"), pairs=st.data())
def test_policy_list_is_the_old_list_on_generated_policy_devices(device: Device, pairs: st.DataObject) -> None:
    names = [*device.interfaces, TO_THE_DEVICE]
    for in_if in names:
        for out_if in names:
            check_policy_list(device, applicable_rules(device, in_if, out_if))
    count = len(device.policy or ())
    check_policy_list(device, tuple(pairs.draw(st.lists(st.integers(0, count - 1), max_size=5)) if count else ()))


# --- a small generated city -----------------------------------------------------------------------


@pytest.fixture(scope="module")
def city_devices(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Device]:
    folder = tmp_path_factory.mktemp("city")
    topology = generate(CitySpec(devices=20, acl_lines=4000, seed=3), folder)
    return load(str(topology), ParseCache(Path(folder) / "cache")).devices


def _city_regions(devices: dict[str, Device]) -> Iterator[Region]:
    """Regions as an edit of the city's ACLs makes them: the boxes of one of its lines, of two."""
    lines = [line for device in devices.values() for acl in device.acls.values() for line in acl.lines]
    chosen = lines[:: max(1, len(lines) // 8)]
    for line in chosen:
        yield tuple(_box(match) for match in line.matches)
    for first, second in itertools.pairwise(chosen):
        yield tuple(dict.fromkeys(_box(match) for match in (*first.matches, *second.matches)))


def test_lines_within_keeps_what_the_old_code_kept_on_a_city(city_devices: dict[str, Device]) -> None:
    acls = [acl for device in city_devices.values() for acl in device.acls.values()]
    kept = 0
    for region in _city_regions(city_devices):
        reversed_region = tuple(
            Match(protocols=b.protocols, src=b.dst, dst=b.src, src_ports=b.dst_ports, dst_ports=b.src_ports)
            for b in region
        )
        for bounds in (bounds_of(region), bounds_of(reversed_region)):
            for acl in acls:
                kept += len(check_lines_within(acl, bounds))
    assert kept  # some lines of the city meet its own lines' boxes


def test_policy_list_is_the_old_list_on_a_city(city_devices: dict[str, Device]) -> None:
    firewalls = [device for device in city_devices.values() if device.policy]
    assert firewalls
    for device in firewalls:
        names = [*device.interfaces, TO_THE_DEVICE]
        for in_if in names:
            for out_if in names:
                check_policy_list(device, applicable_rules(device, in_if, out_if))
