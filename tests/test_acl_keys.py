"""The keys of long ACLs' store entries (reach/packets.py `line_form`, `PacketSpace.lines_digest`):
equal exactly when the lines that decide packets and actions are equal, in order, whichever
objects hold them; the ACL-002 key (rules/acl.py) also tells exact lines from inexact ones."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest

from nankoku_netcheck.model import Acl, AclLine, Action, IcmpMatch, Match, PortRange, Source, Wildcard
from nankoku_netcheck.reach.packets import REVERSED_KIND, STORE_BACKENDS, STORE_MIN_LINES, PacketSpace, line_form
from nankoku_netcheck.reach.store import BddStore
from nankoku_netcheck.rules.acl import _shadow_key

SOURCE = Source("r1.cfg", 1, "permit ...")

MATCH = Match(
    protocols=(6, 17),
    src=(Wildcard(0x0A000000, 0xFF), Wildcard(0x0A000100, 0)),
    dst=(Wildcard(0xC0A80000, 0xFFFF),),
    src_ports=(PortRange(1024, 65535),),
    dst_ports=(PortRange(443, 443), PortRange(8000, 8080)),
    established=False,
    icmp=(IcmpMatch(3, 4),),
)

# Another value of each field of the classes a line's matches are made of. A field added to
# one of them and missing here fails `test_every_field_is_covered`: add it to `line_form` too.
OTHER_MATCH_VALUES: dict[str, Any] = {
    "protocols": (6,),
    "src": (Wildcard(0x0A000000, 0xFF),),
    "dst": None,
    "src_ports": (PortRange(1024, 65534),),
    "dst_ports": (PortRange(443, 443),),
    "established": True,
    "icmp": (IcmpMatch(3, None),),
}
NESTED: dict[type, dict[str, Any]] = {
    Wildcard: {"address": 0x0A000001, "wildcard": 0x7F},
    PortRange: {"low": 1023, "high": 65534},
    IcmpMatch: {"icmp_type": 11, "code": 0},
}
FIELD_OF: dict[type, str] = {Wildcard: "src", PortRange: "dst_ports", IcmpMatch: "icmp"}
# The line's other fields: what decides its packets and action, or why it does not.
LINE_FIELDS_IN_KEY = {"action", "matches"}
LINE_FIELDS_AS_FLAG = {"understood", "approximation"}  # through `counts_as_match` / `exact`
LINE_FIELDS_NOT_IN_KEY = {"source", "sequence"}  # where the line is written, not what it does


def line(action: Action = Action.PERMIT, match: Match = MATCH, **changes: Any) -> AclLine:
    return dataclasses.replace(AclLine(action, (match, Match(protocols=(1,))), SOURCE), **changes)


def acl(*lines: AclLine) -> Acl:
    return Acl("A", tuple(lines), SOURCE)


def base_lines() -> list[AclLine]:
    return [line(), line(Action.DENY), line(match=Match(dst=(Wildcard.host(7),)))]


def digest(lines: list[AclLine]) -> str:
    return PacketSpace().lines_digest(acl(*lines))


def test_every_field_is_covered() -> None:
    assert {field.name for field in dataclasses.fields(Match)} == set(OTHER_MATCH_VALUES)
    for cls, values in NESTED.items():
        assert {field.name for field in dataclasses.fields(cls)} == set(values), cls
    assert {field.name for field in dataclasses.fields(AclLine)} == (
        LINE_FIELDS_IN_KEY | LINE_FIELDS_AS_FLAG | LINE_FIELDS_NOT_IN_KEY
    )


def test_equal_lines_in_other_objects_give_equal_keys() -> None:
    lines = base_lines()
    copies = [dataclasses.replace(item, matches=tuple(dataclasses.replace(m) for m in item.matches)) for item in lines]
    assert all(copy is not item and copy == item for copy, item in zip(copies, lines, strict=True))
    assert digest(copies) == digest(lines)
    # Nor does it matter which equal objects a line shares (marshal's version 2 writes no
    # back-references; version 4 would write the address's second use as one).
    address, twin = int("167772161"), int("167772161")
    assert address is not twin
    shared = line(match=Match(src=(Wildcard(address, 0),), dst=(Wildcard(address, 0),)))
    apart = line(match=Match(src=(Wildcard(address, 0),), dst=(Wildcard(twin, 0),)))
    assert line_form(shared) == line_form(apart)
    # Where a line is written is no part of what it does.
    moved = [dataclasses.replace(item, source=Source("r2.cfg", 9, "x"), sequence=10) for item in lines]
    assert digest(moved) == digest(lines)


@pytest.mark.parametrize("name", sorted(OTHER_MATCH_VALUES))
def test_a_changed_match_field_changes_the_key(name: str) -> None:
    lines = base_lines()
    changed = dataclasses.replace(MATCH, **{name: OTHER_MATCH_VALUES[name]})
    assert changed != MATCH
    assert digest([*lines[:1], line(Action.DENY, changed), *lines[2:]]) != digest(lines)


@pytest.mark.parametrize(("cls", "name"), [(cls, name) for cls, values in NESTED.items() for name in values])
def test_a_changed_nested_field_changes_the_key(cls: type, name: str) -> None:
    field = FIELD_OF[cls]
    items = getattr(MATCH, field)
    changes: dict[str, Any] = {field: (dataclasses.replace(items[0], **{name: NESTED[cls][name]}),)}
    changed = dataclasses.replace(MATCH, **changes)
    lines = base_lines()
    assert digest([line(match=changed), *lines[1:]]) != digest(lines)


def test_action_order_and_length_change_the_key() -> None:
    lines = base_lines()
    assert digest([line(Action.DENY), *lines[1:]]) != digest(lines)
    assert digest([lines[1], lines[0], lines[2]]) != digest(lines)
    assert digest([*lines, line()]) != digest(lines)
    assert digest(lines[:-1]) != digest(lines)
    assert digest([]) != digest(lines[:1])


def test_the_flag_and_the_salt_change_the_key() -> None:
    space = PacketSpace()
    exact = acl(line(), line(Action.DENY))
    # A deny line the engine ignores (not understood) compiles differently: another key.
    ignored = acl(line(), line(Action.DENY, understood=False))
    assert space.lines_digest(ignored) != space.lines_digest(exact)
    # A permit line that is only approximated compiles the same: the engine's key is the same,
    # one that asks whether lines are exact is not.
    approximated = acl(line(approximation="time-range ignored"), line(Action.DENY))
    assert space.lines_digest(approximated) == space.lines_digest(exact)

    def is_exact(item: AclLine) -> bool:
        return item.understood and not item.approximation

    assert space.lines_digest(approximated, is_exact) != space.lines_digest(exact, is_exact)
    assert space.lines_digest(exact, is_exact) == space.lines_digest(exact)  # every line exact: the same flags
    assert space.lines_digest(exact, salt="a") != space.lines_digest(exact)
    assert space.lines_digest(exact, salt="a") != space.lines_digest(exact, salt="b")


def test_the_digest_is_kept_per_object_and_per_view() -> None:
    space = PacketSpace()
    first = acl(*base_lines())
    assert space.lines_digest(first) is space.lines_digest(first)
    assert space.lines_digest(first, salt="x") != space.lines_digest(first)
    # Another space (the worker process that fills the store has its own) finds the same.
    assert PacketSpace().lines_digest(first) == space.lines_digest(first)


@pytest.mark.skipif(PacketSpace().backend not in STORE_BACKENDS, reason="the store needs CUDD or OxiDD")
def test_store_keys_of_the_engine_and_of_acl_002(tmp_path: Any) -> None:
    space = PacketSpace(store=BddStore(tmp_path))
    lines = [line(match=Match(dst=(Wildcard.host(number),))) for number in range(STORE_MIN_LINES)]
    long = acl(*lines)
    twin = acl(*[dataclasses.replace(item) for item in lines])
    approximated = acl(dataclasses.replace(lines[0], approximation="time-range ignored"), *lines[1:])
    assert space.acl_store_key("permits", long) == space.acl_store_key("permits", twin)
    assert space.acl_store_key("permits", long) == space.acl_store_key("permits", approximated)
    assert space.acl_store_key("permits", long) != space.acl_store_key(REVERSED_KIND, long)
    shadow = _shadow_key(space, long)
    assert shadow is not None and shadow == _shadow_key(space, twin)
    assert shadow not in (_shadow_key(space, approximated), space.acl_store_key("acl-002", long))
    assert _shadow_key(space, acl(*lines[1:])) is None  # short: not stored
