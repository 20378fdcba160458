"""IOS ACLs and what they refer to: numbered and named access lists, `object-group
network` / `object-group service` definitions, and the entries' options."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from nankoku_netcheck.model import (
    PROTO_ICMP,
    PROTO_TCP,
    PROTO_UDP,
    Acl,
    AclLine,
    Action,
    IcmpMatch,
    Match,
    PortRange,
    Source,
    UnknownKind,
    Wildcard,
    ip_to_int,
    is_decimal,
    mask_to_length,
    prefix_mask,
)
from nankoku_netcheck.vendors.cisco_ios.names import (
    ICMP_NAMES,
    IGMP_NAMES,
    PROTOCOL_NAMES,
    TCP_PORT_NAMES,
    UDP_PORT_NAMES,
)
from nankoku_netcheck.vendors.common import (
    REASON_DROP_ONLY,
    REASON_MONITORING,
    Cursor,
    Dialect,
    LineBook,
    NotUnderstood,
    group_of_kind,
    ipv4,
    is_ipv4,
    number,
    port_names_for,
    protocol_numbers,
    range_to_wildcards,
    read_icmp_type,
    read_port_operator,
    required_ports,
    union_or_any,
)

HARMLESS = UnknownKind.HARMLESS
FORWARDING = UnknownKind.FORWARDING

# IOS keyword tables; `eq` and `neq` take a list of ports (`eq www 443`).
_DIALECT = Dialect(
    protocol_names=PROTOCOL_NAMES,
    tcp_port_names=TCP_PORT_NAMES,
    udp_port_names=UDP_PORT_NAMES,
    icmp_names=ICMP_NAMES,
    several_ports_per_operator=True,
)

# --- services and object-groups ------------------------------------------------------


@dataclass(frozen=True)
class _Service:
    """Protocol part of an ACL entry: one conjunction of protocol, ports and ICMP type."""

    protocols: tuple[int, ...] | None
    src_ports: tuple[PortRange, ...] | None = None
    dst_ports: tuple[PortRange, ...] | None = None
    icmp: tuple[IcmpMatch, ...] | None = None
    approximation: str = ""


def _read_service_entry(cursor: Cursor) -> _Service:
    """One `object-group service` entry: `tcp|udp|tcp-udp [source OP ...] [OP ...]`,
    `icmp [type [code]]`, or a bare protocol."""
    word = cursor.take_lower("protocol")
    if word in ("tcp", "udp", "tcp-udp"):
        protocols = {"tcp": (PROTO_TCP,), "udp": (PROTO_UDP,), "tcp-udp": (PROTO_TCP, PROTO_UDP)}[word]
        names = port_names_for(_DIALECT, protocols)
        src_ports = None
        if cursor.peek() == "source":
            cursor.take("source")
            src_ports = required_ports(cursor, names, _DIALECT, "source")
        dst_ports = read_port_operator(cursor, names, _DIALECT)
        return _Service(protocols, src_ports, dst_ports)
    if word == "icmp":
        return _Service((PROTO_ICMP,), icmp=read_icmp_type(cursor, _DIALECT))
    return _Service(protocol_numbers(word, _DIALECT))


@dataclass
class _GroupDraft:
    """An object-group as written; members are resolved lazily (they may nest)."""

    kind: str  # network | service
    name: str
    source: Source
    wildcards: list[Wildcard] = field(default_factory=list)
    services: list[_Service] = field(default_factory=list)
    includes_any: bool = False
    nested: list[str] = field(default_factory=list)
    problem: str = ""  # non-empty: an entry was not understood


class ObjectGroups:
    """The object-groups of one file, accounted for in `book`, and their resolved members."""

    def __init__(self, book: LineBook) -> None:
        self.book = book
        self.groups: dict[str, _GroupDraft] = {}
        self.resolved_networks: dict[str, tuple[Wildcard, ...] | None] = {}
        self.resolved_services: dict[str, tuple[_Service, ...]] = {}

    def object_group(self, obj: Any) -> None:
        book = self.book
        index = obj.linenum
        words = book.words(index)
        kind = words[1].lower() if len(words) > 1 else ""
        if kind not in ("network", "service") or len(words) != 3:
            book.mark_block(obj, FORWARDING, f"object-group type '{kind}' is not modelled")
            return
        group = _GroupDraft(kind=kind, name=words[2], source=book.source(index))
        if words[2] in self.groups:
            group = self.groups[words[2]]
            if group.kind != kind:
                book.mark_block(obj, FORWARDING, f"object-group '{words[2]}' defined with two types")
                return
        self.groups[words[2]] = group
        book.parsed(index)
        for child in obj.children:
            self.entry(group, child)

    def entry(self, group: _GroupDraft, obj: Any) -> None:
        book = self.book
        if book.comment_or_blank(obj.linenum):
            return
        reason = book.definition_line(obj.linenum, group, "object-group entry", partial(_group_words, group))
        if reason is None:
            book.unexpected_children(obj)
        else:
            book.mark_block(obj, FORWARDING, reason)

    def network_group(self, name: str, trail: tuple[str, ...] = ()) -> tuple[Wildcard, ...] | None:
        if name in self.resolved_networks and not trail:
            return self.resolved_networks[name]
        group = group_of_kind(self.groups, name, "network", trail)
        members: list[Wildcard] = list(group.wildcards)
        if group.includes_any:
            members.append(Wildcard.any())
        for nested in group.nested:
            resolved = self.network_group(nested, (*trail, name))
            members.extend(resolved if resolved is not None else (Wildcard.any(),))
        result = union_or_any(members)
        if not trail:
            self.resolved_networks[name] = result
        return result

    def service_group(self, name: str, trail: tuple[str, ...] = ()) -> tuple[_Service, ...]:
        if name in self.resolved_services and not trail:
            return self.resolved_services[name]
        group = group_of_kind(self.groups, name, "service", trail)
        services = list(group.services)
        for nested in group.nested:
            services.extend(self.service_group(nested, (*trail, name)))
        result = tuple(dict.fromkeys(services))
        if not trail:
            self.resolved_services[name] = result
        return result


def _group_words(group: _GroupDraft, words: list[str]) -> None:
    first = words[0].lower()
    if first == "group-object" and len(words) == 2:
        group.nested.append(words[1])
    elif group.kind == "network":
        _network_group_entry(group, words)
    else:
        cursor = Cursor(words)
        group.services.append(_read_service_entry(cursor))
        if not cursor.done():
            raise NotUnderstood(f"unexpected '{cursor.take('word')}'")


def _network_group_entry(group: _GroupDraft, words: list[str]) -> None:
    first = words[0].lower()
    if first == "any" and len(words) == 1:
        group.includes_any = True
    elif first == "host" and len(words) == 2:
        group.wildcards.append(Wildcard.host(ipv4(words[1])))
    elif first == "range" and len(words) == 3:
        low, high = ipv4(words[1]), ipv4(words[2])
        if high < low:
            raise NotUnderstood(f"empty range {words[1]}-{words[2]}")
        group.wildcards.extend(range_to_wildcards(low, high))
    elif "/" in words[0] and len(words) == 1:
        address_text, _, length_text = words[0].partition("/")
        group.wildcards.append(Wildcard.prefix(ipv4(address_text), number(length_text, 0, 32, "prefix length")))
    elif len(words) == 2 and words[1].startswith("/"):
        group.wildcards.append(Wildcard.prefix(ipv4(words[0]), number(words[1][1:], 0, 32, "prefix length")))
    elif len(words) == 2:
        mask_length = mask_to_length(ipv4(words[1]))
        if mask_length is None:
            raise NotUnderstood(f"'{words[1]}' is not a netmask")
        group.wildcards.append(Wildcard.prefix(ipv4(words[0]) & prefix_mask(mask_length), mask_length))
    else:
        raise NotUnderstood(f"'{' '.join(words)}'")


# --- ACL drafts ---------------------------------------------------------------------

_STANDARD_ACL_NUMBERS = ((1, 99), (1300, 1999))
_EXTENDED_ACL_NUMBERS = ((100, 199), (2000, 2699))
_OPTION_KEYWORDS = frozenset(
    {
        "log",
        "log-input",
        "established",
        "dscp",
        "precedence",
        "tos",
        "ttl",
        "time-range",
        "fragments",
        "option",
        "ack",
        "fin",
        "psh",
        "rst",
        "syn",
        "urg",
        "match-all",
        "match-any",
        "reflect",
        "packet-length",
    }
)
_TCP_FLAGS = frozenset({"ack", "fin", "psh", "rst", "syn", "urg"})


def _numbered_acl_kind(number: int) -> str | None:
    if any(low <= number <= high for low, high in _STANDARD_ACL_NUMBERS):
        return "standard"
    if any(low <= number <= high for low, high in _EXTENDED_ACL_NUMBERS):
        return "extended"
    return None


@dataclass
class _AclDraft:
    name: str
    kind: str
    source: Source
    entries: dict[int, AclLine] = field(default_factory=dict)
    highest: int = 0  # the largest sequence number in `entries` (kept, not searched: ACLs get long)

    def next_sequence(self) -> int:
        return self.highest + 10

    def add(self, sequence: int, line: AclLine) -> None:
        self.entries[sequence] = line
        self.highest = max(self.highest, sequence)

    def freeze(self) -> Acl:
        ordered = tuple(self.entries[sequence] for sequence in sorted(self.entries))
        return Acl(name=self.name, lines=ordered, source=self.source, kind=self.kind)


# --- ACLs ---------------------------------------------------------------------------


class AclReader:
    """The access lists of one file, accounted for in `book`; object-groups come from `groups`
    (read before any ACL, since an ACL may use a group defined below it)."""

    def __init__(self, book: LineBook, groups: ObjectGroups) -> None:
        self.book = book
        self.groups = groups
        self.drafts: dict[str, _AclDraft] = {}

    def frozen(self) -> dict[str, Acl]:
        return {name: draft.freeze() for name, draft in self.drafts.items()}

    def acl_draft(self, name: str, kind: str, index: int) -> _AclDraft:
        draft = self.drafts.get(name)
        if draft is None:
            draft = _AclDraft(name=name, kind=kind, source=self.book.source(index))
            self.drafts[name] = draft
        return draft

    def numbered_acl_entry(self, obj: Any, words: list[str]) -> None:
        book = self.book
        index = obj.linenum
        if len(words) < 3 or not is_decimal(words[1]):
            if len(words) >= 2 and words[1].lower() in ("compiled", "rate-limit", "dynamic-extended"):
                book.mark_block(obj, HARMLESS, "ACL engine setting")
            else:
                reason = f"access-list command not understood: '{' '.join(words[:3])}'"
                book.mark_block(obj, FORWARDING, reason)
            return
        kind = _numbered_acl_kind(int(words[1]))
        if kind is None:
            book.mark_block(obj, HARMLESS, "non-IP access list (not used for IPv4 filtering)")
            return
        draft = self.acl_draft(words[1], kind, index)
        self.acl_entry(draft, obj, words[2:], sequence=None)

    def named_acl(self, obj: Any, words: list[str]) -> None:
        book = self.book
        index = obj.linenum
        lowered = [word.lower() for word in words]
        if len(words) == 4 and lowered[2] in ("standard", "extended"):
            draft = self.acl_draft(words[3], lowered[2], index)
            if draft.kind != lowered[2]:
                book.mark_block(obj, FORWARDING, f"ACL '{words[3]}' defined as both standard and extended")
                return
            book.parsed(index)
            for child in obj.children:
                self.named_acl_child(draft, child)
        elif len(words) >= 3 and lowered[2] in ("logging", "log-update", "resequence"):
            book.mark_block(obj, HARMLESS, "ACL logging or numbering setting")
        elif len(words) >= 3 and lowered[2] == "role-based":
            book.mark_block(obj, HARMLESS, REASON_DROP_ONLY)
        else:
            book.mark_block(obj, FORWARDING, f"access list type '{' '.join(words[2:3])}' is not modelled")

    def named_acl_child(self, draft: _AclDraft, obj: Any) -> None:
        book = self.book
        index = obj.linenum
        if book.comment_or_blank(index):
            return
        words = book.words(index)
        sequence = None
        if is_decimal(words[0]):
            sequence, words = int(words[0]), words[1:]
        if words and words[0].lower() == "statistics":
            book.mark_block(obj, HARMLESS, REASON_MONITORING)
            return
        self.acl_entry(draft, obj, words, sequence)

    def acl_entry(self, draft: _AclDraft, obj: Any, words: list[str], sequence: int | None) -> None:
        """One `[seq] permit|deny|remark|evaluate|dynamic ...` entry of `draft`."""
        book = self.book
        index = obj.linenum
        keyword = words[0].lower() if words else ""
        if keyword == "remark":
            book.parsed(index)
            book.unexpected_children(obj)
            return
        if sequence is not None and sequence in draft.entries:
            book.mark_block(obj, FORWARDING, f"duplicate sequence number {sequence}: IOS rejects this entry")
            return
        effective_sequence = sequence if sequence is not None else draft.next_sequence()
        if keyword in ("permit", "deny"):
            action = Action.PERMIT if keyword == "permit" else Action.DENY
            line = self.acl_line(draft.kind, action, words[1:], index, effective_sequence)
        elif keyword in ("evaluate", "dynamic"):
            what = "reflexive ACL evaluation" if keyword == "evaluate" else "lock-and-key dynamic entry"
            line = self.not_understood_line(Action.PERMIT, index, effective_sequence, f"{what} is not modelled")
        else:
            line = self.not_understood_line(
                Action.PERMIT, index, effective_sequence, f"ACL entry not understood: unexpected '{keyword}'"
            )
        draft.add(effective_sequence, line)
        if index not in book.outcome:
            book.parsed(index)
        book.unexpected_children(obj)

    def not_understood_line(self, action: Action, index: int, sequence: int, reason: str) -> AclLine:
        self.book.unknown(index, FORWARDING, reason)
        return AclLine(
            action=action, matches=(Match(),), source=self.book.source(index), sequence=sequence, understood=False
        )

    def acl_line(self, kind: str, action: Action, words: list[str], index: int, sequence: int) -> AclLine:
        cursor = Cursor(words)
        try:
            if kind == "standard":
                matches, approximation = self.standard_entry(cursor), ""
            else:
                matches, approximation = self.extended_entry(cursor)
        except NotUnderstood as problem:
            return self.not_understood_line(action, index, sequence, f"ACL entry not understood: {problem}")
        return AclLine(
            action=action,
            matches=matches,
            source=self.book.source(index),
            sequence=sequence,
            approximation=approximation,
        )

    def address(self, cursor: Cursor) -> tuple[Wildcard, ...] | None:
        word = cursor.take("address")
        lowered = word.lower()
        if lowered == "any":
            return None
        if lowered == "host":
            return (Wildcard.host(ipv4(cursor.take("host address"))),)
        if lowered == "object-group":
            return self.groups.network_group(cursor.take("object-group name"))
        address = ipv4(word)
        wildcard = ipv4(cursor.take("wildcard"))
        return union_or_any([Wildcard(address, wildcard).normalized()])

    def standard_entry(self, cursor: Cursor) -> tuple[Match, ...]:
        word = cursor.peek()
        if word in ("any", "host"):
            source = self.address(cursor)
        else:
            address = ipv4(cursor.take("address"))
            following = cursor.peek()
            if following is not None and is_ipv4(following):
                source = union_or_any([Wildcard(address, ip_to_int(cursor.take("wildcard"))).normalized()])
            else:
                source = (Wildcard.host(address),)
        _skip_logging(cursor)
        if not cursor.done():
            raise NotUnderstood(f"unexpected '{cursor.take('word')}'")
        return (Match(src=source),)

    def extended_entry(self, cursor: Cursor) -> tuple[tuple[Match, ...], str]:
        protocol_word = cursor.take("protocol")
        from_group = protocol_word.lower() == "object-group"
        single_protocol: tuple[int, ...] | None = None
        if from_group:
            # An empty service group leaves no services: the entry then matches nothing.
            services = self.groups.service_group(cursor.take("object-group name"))
        else:
            single_protocol = protocol_numbers(protocol_word, _DIALECT)
        takes_ports = single_protocol in ((PROTO_TCP,), (PROTO_UDP,))
        names = port_names_for(_DIALECT, single_protocol) if takes_ports and single_protocol else {}
        source = self.address(cursor)
        src_ports = read_port_operator(cursor, names, _DIALECT) if takes_ports else None
        destination = self.address(cursor)
        dst_ports = read_port_operator(cursor, names, _DIALECT) if takes_ports else None
        icmp = read_icmp_type(cursor, _DIALECT) if single_protocol == (PROTO_ICMP,) else None
        notes: list[str] = []
        if (
            single_protocol == (2,)
            and cursor.peek() is not None
            and (cursor.peek() in IGMP_NAMES or is_decimal(cursor.peek() or ""))
        ):
            notes.append(f"IGMP type '{cursor.take('IGMP type')}' ignored")
        if cursor.done() and not notes and not from_group:
            # Nearly every entry: one service, no options, nothing approximated (`_service_match`
            # of that one service).
            match = Match(
                protocols=single_protocol,
                src=source,
                dst=destination,
                src_ports=src_ports,
                dst_ports=dst_ports,
                icmp=icmp,
            )
            return (match,), ""
        if not from_group:
            services = (_Service(single_protocol, src_ports, dst_ports, icmp),)
        options = _read_options(cursor, services)
        notes.extend(options.notes)
        matches = _distinct(
            [
                _service_match(service, source, destination, options.established, options.fragments)
                for service in services
            ]
        )
        return matches, "; ".join(notes)


# --- entry options ------------------------------------------------------------------


@dataclass
class _Options:
    established: bool = False
    fragments: bool = False
    notes: list[str] = field(default_factory=list)


def _skip_logging(cursor: Cursor) -> None:
    """`log` / `log-input`, optionally followed by a cookie word; they do not change matching."""
    while cursor.peek() in ("log", "log-input"):
        cursor.take("log")
        following = cursor.peek()
        if following is not None and following not in _OPTION_KEYWORDS:
            cursor.take("log cookie")


def _read_options(cursor: Cursor, services: Sequence[_Service]) -> _Options:
    options = _Options()
    all_tcp = all(service.protocols == (PROTO_TCP,) for service in services)
    while not cursor.done():
        _skip_logging(cursor)
        if cursor.done():
            break
        word = cursor.take_lower("option")
        if word == "established":
            if not all_tcp:
                raise NotUnderstood("'established' on a non-TCP entry")
            options.established = True
        elif word in ("dscp", "precedence", "tos", "time-range", "option"):
            value = cursor.take(word)
            options.notes.append(f"'{word} {value}' ignored: the entry is treated as matching any value")
        elif word in ("ttl", "packet-length"):
            operator = cursor.take_lower(f"{word} operator")
            values = [cursor.take(word)] + ([cursor.take(word)] if operator == "range" else [])
            options.notes.append(f"'{word} {operator} {' '.join(values)}' ignored")
        elif word == "fragments":
            options.fragments = True
            options.notes.append("'fragments': only the layer-3 part of the entry is kept")
        elif word in _TCP_FLAGS:
            if not all_tcp:
                raise NotUnderstood(f"TCP flag '{word}' on a non-TCP entry")
            options.notes.append(f"TCP flag '{word}' ignored")
        elif word in ("match-all", "match-any"):
            flags = []
            while cursor.peek() is not None and (cursor.peek() or "")[:1] in ("+", "-"):
                flags.append(cursor.take("flag"))
            if not flags or not all_tcp:
                raise NotUnderstood(f"'{word}' without TCP flags")
            options.notes.append(f"TCP flags '{word} {' '.join(flags)}' ignored")
        elif word == "reflect":
            cursor.take("reflexive ACL name")
            if cursor.peek() == "timeout":
                cursor.take("timeout")
                cursor.take("timeout value")
        else:
            raise NotUnderstood(f"unexpected '{cursor.words[cursor.position - 1]}'")
    return options


def _distinct(matches: list[Match]) -> tuple[Match, ...]:
    """`matches` without repeats, in order. Hashing a Match hashes every address pattern in
    it; most entries have one service, so one Match, with nothing to compare."""
    return tuple(matches) if len(matches) < 2 else tuple(dict.fromkeys(matches))


def _service_match(
    service: _Service,
    source: tuple[Wildcard, ...] | None,
    destination: tuple[Wildcard, ...] | None,
    established: bool,
    fragments: bool,
) -> Match:
    if fragments:
        return Match(protocols=service.protocols, src=source, dst=destination)
    return Match(
        protocols=service.protocols,
        src=source,
        dst=destination,
        src_ports=service.src_ports,
        dst_ports=service.dst_ports,
        established=established,
        icmp=service.icmp,
    )
