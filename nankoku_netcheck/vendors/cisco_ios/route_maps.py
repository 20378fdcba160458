"""IOS route-maps (`route-map NAME [permit|deny] [SEQ]` blocks) and their use by policy
routing (`ip policy route-map NAME` on an interface).

Every route-map is read into a `PolicyRoute` (model.PolicyRouteEntry is the contract). Its
lines stay HARMLESS as long as nothing routes packets by it (BGP and redistribution
route-maps decide routes, and dynamic routing is over-approximated anyway). For a
route-map an `ip policy` line names, the clauses policy routing reads are parsed lines:
`match ip address ACL...` (several lines add up to one list, as IOS merges them), `set ip
next-hop A...`, `set ip next-hop verify-availability [A SEQ track N]`, `set interface X...`,
`set ip default next-hop A...`, `set default interface X...`, and the marking clauses
(`set ip precedence|tos|dscp|df`, `set qos-group`), which do not change where a packet goes.
Any other clause in such a route-map makes the `ip policy` line a FORWARDING unknown naming
the clause; the entry is modelled without it (a match clause left out matches more).

Decisions where Cisco's documentation says nothing precise (the wider choice):
- `verify-availability` (CDP or object tracking): the state is known only at run time, so
  every listed usable next hop and normal routing are all possible.
- `set ip next-hop recursive`, `peer-address`, `dynamic dhcp`, and `set vrf` / `set ip vrf` /
  `set global` (VRF selection: VRFs are modelled by a separate change) are not modelled.
- An undefined route-map in `ip policy`: it has no entry, packets are routed normally.
- `set interface Null0` without an `interface Null0` in the file: the interface is unknown,
  so the entry is not usable and packets are routed normally (more reachable than a drop).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from nankoku_netcheck.model import PolicyRoute, PolicyRouteEntry, Source, UnknownKind, ip_to_int, is_decimal
from nankoku_netcheck.vendors.cisco_ios.interfaces import canonical_interface_name
from nankoku_netcheck.vendors.common import LineBook, descendants, is_ipv4

HARMLESS = UnknownKind.HARMLESS
FORWARDING = UnknownKind.FORWARDING

ROUTE_MAP = "route-map (its uses by PBR or NAT are reported there)"
VRF_SELECTION = "VRF selection by policy routing is not modelled yet"
# Set clauses that only mark packets (QoS): where the packet goes does not change.
_MARKING = (("ip", "precedence"), ("ip", "tos"), ("ip", "dscp"), ("ip", "df"), ("qos-group",), ("precedence",))
_DEFAULT_SEQUENCE = 10


@dataclass(frozen=True)
class RouteMapMatch:
    """What one entry matches, for the other readers of route-maps (NAT): its action, the ACLs
    of its `match ip address` lines, and whether it has match clauses of another kind."""

    permit: bool
    acls: tuple[str, ...]
    other_match: bool


@dataclass
class _EntryDraft:
    sequence: int
    permit: bool
    source: Source
    match_acls: list[str] | None = None
    other_match: bool = False
    next_hops: list[int] = field(default_factory=list)
    default_next_hops: list[int] = field(default_factory=list)
    interfaces: list[str] = field(default_factory=list)
    default_interfaces: list[str] = field(default_factory=list)
    verify: bool = False
    set_sources: dict[str, Source] = field(default_factory=dict)
    lines: list[int] = field(default_factory=list)  # the header and clause lines policy routing reads
    unmodelled: list[str] = field(default_factory=list)  # "line N: why"

    def freeze(self) -> PolicyRouteEntry:
        return PolicyRouteEntry(
            sequence=self.sequence,
            permit=self.permit,
            source=self.source,
            match_acls=None if self.match_acls is None else tuple(dict.fromkeys(self.match_acls)),
            next_hops=tuple(self.next_hops),
            default_next_hops=tuple(self.default_next_hops),
            interfaces=tuple(self.interfaces),
            default_interfaces=tuple(self.default_interfaces),
            verify=self.verify,
            set_sources=tuple(sorted(self.set_sources.items())),
        )


class _NotModelled(Exception):
    pass


class RouteMapReader:
    """The `route-map` blocks of one file, accounted for in `book`."""

    def __init__(self, book: LineBook) -> None:
        self.book = book
        self.maps: dict[str, dict[int, _EntryDraft]] = {}
        self.first_lines: dict[str, Source] = {}
        self.broken: dict[str, str] = {}  # route-maps with a header not understood: why

    def route_map(self, obj: Any, words: list[str]) -> None:
        """Reads one entry; its lines are HARMLESS until an `ip policy` line uses the map."""
        book = self.book
        index = obj.linenum
        book.mark_block(obj, HARMLESS, ROUTE_MAP)
        if len(words) < 2:
            return
        name = words[1]
        self.first_lines.setdefault(name, book.source(index))
        lowered = [word.lower() for word in words[2:]]
        action = lowered[0] if lowered else "permit"
        sequence_text = lowered[1] if len(lowered) > 1 else str(_DEFAULT_SEQUENCE)
        if action not in ("permit", "deny") or not is_decimal(sequence_text) or len(lowered) > 2:
            self.broken.setdefault(name, f"line {index + 1}: route-map entry not understood")
            return
        entries = self.maps.setdefault(name, {})
        draft = entries.get(int(sequence_text))
        if draft is None:
            draft = entries[int(sequence_text)] = _EntryDraft(
                int(sequence_text), action == "permit", book.source(index)
            )
        draft.lines.append(index)
        for child in descendants(obj):
            if not book.comment_or_blank(child.linenum):
                self.clause(draft, child.linenum)

    def clause(self, draft: _EntryDraft, index: int) -> None:
        words = self.book.words(index)
        lowered = [word.lower() for word in words]
        try:
            if lowered[0] == "description":
                pass
            elif lowered[0] == "match":
                self.match(draft, words, lowered)
            elif lowered[0] == "set":
                self.set_clause(draft, index, words, lowered)
            else:
                raise _NotModelled(f"'{' '.join(words[:2])}' is not modelled for policy routing")
        except _NotModelled as problem:
            draft.unmodelled.append(f"line {index + 1}: {problem}")
            return
        draft.lines.append(index)

    def match(self, draft: _EntryDraft, words: list[str], lowered: list[str]) -> None:
        if lowered[1:3] != ["ip", "address"] or len(words) < 4 or lowered[3] == "prefix-list":
            draft.other_match = True
            raise _NotModelled(f"'{' '.join(words[:4])}' is not modelled for policy routing")
        draft.match_acls = (draft.match_acls or []) + words[3:]

    def set_clause(self, draft: _EntryDraft, index: int, words: list[str], lowered: list[str]) -> None:
        source = self.book.source(index)
        rest, arguments = lowered[1:], words[1:]
        if any(tuple(rest[: len(marking)]) == marking for marking in _MARKING):
            return
        if rest[:2] == ["ip", "next-hop"]:
            self.next_hop(draft, source, arguments[2:], rest[2:])
        elif rest[:3] == ["ip", "default", "next-hop"]:
            draft.default_next_hops += _addresses(arguments[3:])
            draft.set_sources.setdefault("default next-hop", source)
        elif rest[:1] == ["interface"] and len(rest) > 1:
            draft.interfaces += [canonical_interface_name(name) for name in arguments[1:]]
            draft.set_sources.setdefault("interface", source)
        elif rest[:2] == ["default", "interface"] and len(rest) > 2:
            draft.default_interfaces += [canonical_interface_name(name) for name in arguments[2:]]
            draft.set_sources.setdefault("default interface", source)
        elif rest[:1] in (["vrf"], ["global"]) or rest[:2] in (["ip", "vrf"], ["ip", "global"]):
            raise _NotModelled(f"'{' '.join(words)}': {VRF_SELECTION}")
        else:
            raise _NotModelled(f"'{' '.join(words[:3])}' is not modelled for policy routing")

    def next_hop(self, draft: _EntryDraft, source: Source, arguments: list[str], lowered: list[str]) -> None:
        if lowered[:1] == ["verify-availability"]:
            # `verify-availability A SEQ track N` lists one tracked next hop per line.
            draft.verify = True
            if len(arguments) > 1:
                draft.next_hops += _addresses(arguments[1:2])
                draft.set_sources.setdefault("next-hop", source)
            return
        if lowered[:1] in (["recursive"], ["peer-address"], ["dynamic"], ["encapsulate"]):
            raise _NotModelled(f"'set ip next-hop {lowered[0]}' is not modelled")
        draft.next_hops += _addresses(arguments)
        draft.set_sources.setdefault("next-hop", source)

    def matches(self) -> dict[str, list[RouteMapMatch]]:
        """Each route-map's entries in sequence order, as NAT reads them."""
        return {
            name: [
                RouteMapMatch(
                    entries[sequence].permit, tuple(entries[sequence].match_acls or ()), entries[sequence].other_match
                )
                for sequence in sorted(entries)
            ]
            for name, entries in self.maps.items()
        }

    def policy_routes(self) -> dict[str, PolicyRoute]:
        return {
            name: PolicyRoute(
                name, self.first_lines[name], tuple(entries[sequence].freeze() for sequence in sorted(entries))
            )
            for name, entries in sorted(self.maps.items())
        }

    def account_uses(self, uses: list[tuple[int, str]]) -> None:
        """For each `ip policy route-map NAME` line (index, NAME): the clauses of NAME are
        parsed lines now; what policy routing cannot read makes the use a FORWARDING unknown."""
        book = self.book
        for index, name in uses:
            problems = [self.broken[name]] if name in self.broken else []
            for entry in self.maps.get(name, {}).values():
                for line in entry.lines:
                    book.parsed(line)
                problems += entry.unmodelled
            if problems:
                book.unknown(index, FORWARDING, f"route-map {name}: {'; '.join(problems)}")


def _addresses(words: list[str]) -> list[int]:
    if not words or not all(is_ipv4(word) for word in words):
        raise _NotModelled(f"next hop not understood: '{' '.join(words)}'")
    return [ip_to_int(word) for word in words]
