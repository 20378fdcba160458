"""What the Cisco-style parsers (IOS, ASA) share: a word cursor, address and port
arithmetic, the protocol/port/ICMP readers of ACL entries, line accounting, object-group
lookup, routing-process reading, the management readers' block split and
block-walking utilities.

Nothing here belongs to one vendor alone. Where the vendors differ (keyword tables, how
many ports one operator takes, which interface types exist) the difference is passed in
as data (a `Dialect`, a table), so that each quirk is stated once in the vendor module
instead of living in a second copy of the reader."""

from __future__ import annotations

import operator
import unicodedata
from collections.abc import Callable, Collection, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import compress
from pathlib import PurePath, PureWindowsPath
from types import MappingProxyType
from typing import Any, Protocol, TypeVar

from nankoku_netcheck.model import (
    IPV4_MAX,
    PORT_MAX,
    PROTO_TCP,
    PROTO_UDP,
    Credential,
    IcmpMatch,
    InterfaceAddress,
    PortRange,
    Source,
    UnknownKind,
    UnknownLine,
    UserAccount,
    Wildcard,
    ip_to_int,
    is_decimal,
    prefix_mask,
)

# Reasons of HARMLESS unknown lines that both vendors give in the same words.
REASON_MGMT = "management-plane setting (does not forward or filter transit traffic)"
REASON_PLATFORM = "platform or hardware setting"
REASON_ROUTING_POLICY = "routing policy object (dynamic routing is over-approximated)"
REASON_DROP_ONLY = "security feature that can only drop packets (ignoring it over-approximates)"
REASON_USED_ELSEWHERE = "definition that matters only where it is bound (bindings are checked there)"
REASON_MONITORING = "monitoring or accounting setting"


REASON_REJECTED = "the device rejects this line"


def split_words(line: str) -> list[str]:
    """The words of a command line. The devices' CLI separates words by ASCII space and tab
    only (Python's `str.split()` also splits on U+3000, NBSP and friends, which the device
    keeps inside a word and then rejects the line, see `rejected_character`)."""
    if line.isascii() and line.isprintable():
        # No tab, control or foreign character: the space is the only separator left, and
        # `str.split()` cuts at runs of it in a third less time (every line comes here, some twice).
        return line.split()
    if "\t" in line:
        line = line.replace("\t", " ")
    return [word for word in line.split(" ") if word]


def strip_blanks(text: str) -> str:
    """`text` without leading and trailing ASCII spaces and tabs (the only blanks the CLI skips)."""
    return text.strip(" \t")


# Words after which the rest of the line is free text the device stores as written
# (Japanese descriptions with full-width spaces are accepted).
_FREE_TEXT_WORDS = frozenset({"description", "remark", "banner"})
# `snmp-server location|contact TEXT`: free text after the second word.
_FREE_TEXT_SECOND_WORDS = frozenset({"location", "contact"})


def _foreign(character: str) -> bool:
    """A character the CLI does not accept between or inside command words: any whitespace
    but ASCII space and tab, and control or format characters (zero-width space, BOM)."""
    if character in " \t":
        return False
    return character.isspace() or unicodedata.category(character)[0] in ("C", "Z")


def rejected_character(line: str) -> str | None:
    """Why the device rejects `line`, None when it does not: a command word holds a
    whitespace, control or format character other than ASCII space and tab (e.g.
    `ip access-group\\u3000NAME in` typed with a Japanese input method). The line is split
    on ASCII space and tab; words after `description`, `remark` or `banner` (and after
    `snmp-server location|contact`) are free text and may hold anything."""
    if line.isascii() and line.replace("\t", " ").isprintable():
        return None  # the common case, checked without looking at each character
    words = split_words(line)
    for position, word in enumerate(words):
        # A word of printable ASCII has no foreign character (it holds no space: split on it).
        bad = None if word.isascii() and word.isprintable() else next(filter(_foreign, word), None)
        if bad is not None:
            name = unicodedata.name(bad, "control character")
            return f"U+{ord(bad):04X} {name} in '{word}'; only ASCII space and tab separate words"
        lowered = word.lower()
        if lowered in _FREE_TEXT_WORDS or (
            position == 1 and lowered in _FREE_TEXT_SECOND_WORDS and words[0].lower() == "snmp-server"
        ):
            return None
    return None


# The characters of a plain line: printable ASCII and tab (as bytes: deleting them from the
# encoded ASCII lines is a fifth of the time `str.isprintable` takes over the same text).
_PLAIN_ASCII = bytes(range(0x20, 0x7F)) + b"\t"


def _lines_not_plain(lines: Sequence[str]) -> list[int]:
    """The indexes, in order, of the lines that are not printable ASCII (tab allowed): only
    those can be rejected (`rejected_character` passes any other at once). Found with a few
    passes over the whole file instead of a test per line: a file with Japanese descriptions
    has a few such lines among hundreds."""
    ascii_flags = list(map(str.isascii, lines))  # (O(1) per line: a string knows its width)
    foreign = list(compress(range(len(lines)), map(operator.not_, ascii_flags)))
    ascii_bytes = "".join(compress(lines, ascii_flags)).encode("ascii")
    if not ascii_bytes.translate(None, _PLAIN_ASCII):
        return foreign  # the common case: no control character on an ASCII line
    unprintable = [
        index
        for index, (line, is_ascii) in enumerate(zip(lines, ascii_flags, strict=True))
        if is_ascii and not line.replace("\t", " ").isprintable()
    ]
    return sorted([*foreign, *unprintable])


def normalized_command(line: str) -> str:
    """`line` with every foreign character replaced by an ASCII space: what the command
    would have been if typed with ordinary spaces (used only to classify a rejected line)."""
    return "".join(" " if _foreign(character) else character for character in line)


class NotUnderstood(Exception):
    """Raised while reading one command; the message names what was not understood."""


def ipv4(word: str) -> int:
    try:
        return ip_to_int(word)
    except ValueError:
        raise NotUnderstood(f"'{word}' is not an IPv4 address") from None


def is_ipv4(word: str) -> bool:
    try:
        ip_to_int(word)
    except ValueError:
        return False
    return True


def looks_like_ipv6(word: str) -> bool:
    """True for IPv6 addresses and prefixes (`2001:db8::1`, `2001::/64`); only the shape is checked."""
    return ":" in word and all(part in "0123456789abcdefABCDEF:./" for part in word)


def number(word: str, low: int, high: int, what: str) -> int:
    if not is_decimal(word) or not low <= int(word) <= high:
        raise NotUnderstood(f"'{word}' is not a valid {what}")
    return int(word)


def union_or_any(wildcards: Sequence[Wildcard]) -> tuple[Wildcard, ...] | None:
    """None (= any address) when one member covers everything; else the distinct members."""
    if any(w.wildcard == IPV4_MAX for w in wildcards):
        return None
    return tuple(dict.fromkeys(wildcards))


def range_to_wildcards(first: int, last: int) -> list[Wildcard]:
    """The fewest prefixes covering exactly [first, last]."""
    result: list[Wildcard] = []
    while first <= last:
        size = first & -first if first else 1 << 32
        while size > last - first + 1:
            size >>= 1
        result.append(Wildcard(first, size - 1))
        first += size
    return result


def classful_length(address: int) -> int:
    """Prefix length of the address's class (A, B, C; 32 beyond), for classful `network` lines."""
    first_octet = address >> 24
    return 8 if first_octet < 128 else 16 if first_octet < 192 else 24 if first_octet < 224 else 32


def vlan_list(text: str) -> set[int]:
    """`1,5-7,10` → {1, 5, 6, 7, 10}."""
    vlans: set[int] = set()
    for part in text.split(","):
        low_text, _, high_text = part.partition("-")
        low = number(low_text, 1, 4094, "VLAN")
        high = number(high_text, 1, 4094, "VLAN") if high_text else low
        if high < low:
            raise NotUnderstood(f"VLAN range '{part}'")
        vlans.update(range(low, high + 1))
    return vlans


# Interface kinds by type name (the part before the number) that both vendors use.
INTERFACE_KINDS: Mapping[str, str] = MappingProxyType(
    {
        "Vlan": "svi",
        "BVI": "svi",
        "Port-channel": "port-channel",
        "Loopback": "loopback",
        "Tunnel": "tunnel",
        "Null": "null",
    }
)


def interface_kind(type_text: str, subinterface: bool, kinds: Mapping[str, str]) -> str:
    return "subinterface" if subinterface else kinds.get(type_text, "physical")


def complement_ports(ports: set[int]) -> tuple[PortRange, ...]:
    """Every port except `ports`, as sorted ranges."""
    ranges: list[PortRange] = []
    start = 0
    for port in sorted(ports):
        if port > start:
            ranges.append(PortRange(start, port - 1))
        start = port + 1
    if start <= PORT_MAX:
        ranges.append(PortRange(start, PORT_MAX))
    return tuple(ranges)


class Cursor:
    """Reads the words of one command left to right."""

    def __init__(self, words: Sequence[str]) -> None:
        self.words = words
        self.position = 0

    def done(self) -> bool:
        return self.position >= len(self.words)

    def peek(self, ahead: int = 0) -> str | None:
        """The lower-cased word `ahead` places after the current one, None past the end."""
        index = self.position + ahead
        return self.words[index].lower() if index < len(self.words) else None

    def peek_word(self, ahead: int = 0) -> str | None:
        """Like `peek`, but as written (names are case-sensitive)."""
        index = self.position + ahead
        return self.words[index] if index < len(self.words) else None

    def take(self, what: str) -> str:
        position = self.position
        if position >= len(self.words):  # (`done`, inlined: every word of every entry comes through here)
            raise NotUnderstood(f"missing {what}")
        self.position = position + 1
        return self.words[position]

    def take_lower(self, what: str) -> str:
        return self.take(what).lower()

    def rest(self) -> list[str]:
        words = list(self.words[self.position :])
        self.position = len(self.words)
        return words

    def expect_end(self) -> None:
        if not self.done():
            raise NotUnderstood(f"unexpected '{self.words[self.position]}'")


# --- protocols, ports and ICMP types ----------------------------------------------------


@dataclass(frozen=True)
class Dialect:
    """The keyword tables and quirks of one vendor's ACL protocol syntax."""

    protocol_names: Mapping[str, int]
    tcp_port_names: Mapping[str, int]
    udp_port_names: Mapping[str, int]
    icmp_names: Mapping[str, IcmpMatch]
    # IOS reads `eq 80 443` / `neq 80 443` as a list; the ASA takes one port per operator.
    several_ports_per_operator: bool


PORT_OPERATORS = frozenset({"eq", "neq", "lt", "gt", "range"})


def port_names_for(dialect: Dialect, protocols: tuple[int, ...]) -> Mapping[str, int]:
    """Port names valid for `protocols`; for tcp-udp only names that mean the same port in both."""
    if protocols == (PROTO_TCP,):
        return dialect.tcp_port_names
    if protocols == (PROTO_UDP,):
        return dialect.udp_port_names
    udp = dialect.udp_port_names
    return {name: port for name, port in dialect.tcp_port_names.items() if udp.get(name) == port}


def is_port_word(word: str, names: Mapping[str, int]) -> bool:
    return (is_decimal(word) and int(word) <= PORT_MAX) or word.lower() in names


def port_number(word: str, names: Mapping[str, int]) -> int:
    if is_decimal(word) and int(word) <= PORT_MAX:
        return int(word)
    if word.lower() in names:
        return names[word.lower()]
    raise NotUnderstood(f"unknown port '{word}'")


def read_port_operator(cursor: Cursor, names: Mapping[str, int], dialect: Dialect) -> tuple[PortRange, ...] | None:
    """Reads `eq|neq|lt|gt P` or `range P Q` if present (`eq`/`neq` take a list where the
    dialect allows it); None when there is no operator (any port)."""
    operator = cursor.peek()
    if operator not in PORT_OPERATORS:
        return None
    cursor.take("port operator")
    first = port_number(cursor.take("port"), names)
    if operator in ("eq", "neq"):
        ports = {first}
        while dialect.several_ports_per_operator and not cursor.done() and is_port_word(cursor.peek() or "", names):
            ports.add(port_number(cursor.take("port"), names))
        if operator == "eq":
            # Nearly every entry names one port.
            return (PortRange(first, first),) if len(ports) == 1 else tuple(PortRange(p, p) for p in sorted(ports))
        return complement_ports(ports)
    if operator == "lt":
        return (PortRange(0, first - 1),) if first > 0 else ()
    if operator == "gt":
        return (PortRange(first + 1, PORT_MAX),) if first < PORT_MAX else ()
    last = port_number(cursor.take("port"), names)
    if last < first:
        raise NotUnderstood(f"port range {first}-{last} is empty")
    return (PortRange(first, last),)


def required_ports(cursor: Cursor, names: Mapping[str, int], dialect: Dialect, what: str) -> tuple[PortRange, ...]:
    """A port operator that must follow the keyword `what` (`source`, `port-object`)."""
    ports = read_port_operator(cursor, names, dialect)
    if ports is None:
        raise NotUnderstood(f"missing port operator after '{what}'")
    return ports


def read_icmp_type(cursor: Cursor, dialect: Dialect) -> tuple[IcmpMatch, ...] | None:
    """`NAME` or `TYPE [CODE]` if present; None when absent (every type)."""
    word = cursor.peek()
    if word is None:
        return None
    if word in dialect.icmp_names:
        cursor.take("ICMP type")
        return (dialect.icmp_names[word],)
    if is_decimal(word):
        icmp_type = number(cursor.take("ICMP type"), 0, 255, "ICMP type")
        code_word = cursor.peek()
        if code_word is not None and is_decimal(code_word):
            return (IcmpMatch(icmp_type, number(cursor.take("ICMP code"), 0, 255, "ICMP code")),)
        return (IcmpMatch(icmp_type),)
    return None


def protocol_numbers(word: str, dialect: Dialect) -> tuple[int, ...] | None:
    """Protocol keyword or number → protocol numbers; None for `ip` (every protocol)."""
    lowered = word.lower()
    if lowered == "ip":
        return None
    if lowered in dialect.protocol_names:
        return (dialect.protocol_names[lowered],)
    if is_decimal(word) and int(word) <= 255:
        return (int(word),)
    raise NotUnderstood(f"unknown protocol '{word}'")


# --- lines and blocks -------------------------------------------------------------------


def split_lines(text: str) -> list[str]:
    """The lines of `text` as IOS counts them (\\n separated, a trailing \\r removed)."""
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    lines = [line[:-1] if line.endswith("\r") else line for line in lines]
    if lines and lines[0].startswith("\ufeff"):
        lines[0] = lines[0][1:]
    return lines


class LineBook:
    """Where each line of one file ended up: parsed into the model (None) or an
    UnknownLine. Both vendor parsers keep this account the same way, so it lives here."""

    # First words (one or two) of the global commands a vendor's parser models because they
    # forward or filter. The device reads an indented line in the current mode and falls back
    # to the global mode for a command the mode does not know, so such a line indented under
    # a harmless command (`ntp server`, a one-line banner, `line vty`) is still a global
    # command: it is never harmless by inheritance (see `mark_block`).
    global_forwarding_starts: frozenset[tuple[str, ...]] = frozenset()

    def __init__(self, text: str, path: str) -> None:
        self.path = path
        self.lines = split_lines(text)
        self.outcome: dict[int, UnknownLine | None] = {}
        # Lines the device rejects (see `claim_rejected_lines`), with the lines indented under them.
        self.rejected: set[int] = set()
        # Each line's words, split once: the forwarding pass and the management pass read
        # most lines, some several times. The lists are shared: no reader changes its words.
        self.split: dict[int, list[str]] = {}

    def source(self, index: int) -> Source:
        return Source(self.path, index + 1, self.lines[index])

    def parsed(self, index: int) -> None:
        self.outcome[index] = None

    def unknown(self, index: int, kind: UnknownKind, reason: str) -> None:
        self.outcome[index] = UnknownLine(self.source(index), kind, reason)

    def words(self, index: int) -> list[str]:
        """The words of line `index` (a list shared by every caller: not to be changed)."""
        words = self.split.get(index)
        if words is None:
            words = self.split[index] = split_words(self.lines[index])
        return words

    def command_words(self, index: int) -> list[str]:
        """The words of line `index` of `command_lines()`: none for a line the device rejects."""
        return [] if index in self.rejected else self.words(index)

    def replace_lines(self, lines: list[str]) -> None:
        """Reads `lines` instead of the file's (a copy of the file retyped, see `claim_rejected_lines`)."""
        self.lines = lines
        self.split.clear()

    def mark_block(self, obj: Any, kind: UnknownKind, reason: str) -> None:
        self.unknown(obj.linenum, kind, reason)
        for child in descendants(obj):
            if child.linenum in self.outcome:
                continue
            if kind is UnknownKind.HARMLESS and self.reads_as_global_command(child.linenum):
                first_words = " ".join(self.words(child.linenum)[:2])
                self.unknown(
                    child.linenum,
                    UnknownKind.FORWARDING,
                    f"global command '{first_words}' indented under a line that opens no block for it",
                )
            else:
                self.mark_plain_line(child.linenum, kind, reason)

    def reads_as_global_command(self, index: int) -> bool:
        lowered = tuple(word.lower() for word in self.words(index)[:2])
        return lowered[:1] in self.global_forwarding_starts or lowered in self.global_forwarding_starts

    def mark_plain_line(self, index: int, kind: UnknownKind, reason: str) -> None:
        """Comments and blank lines keep their own classification inside any block."""
        if self.comment_or_blank(index):
            return
        self.unknown(index, kind, reason)

    def unexpected_children(self, obj: Any) -> None:
        """Lines indented under a one-line command: neither IOS nor the ASA prints any,
        so they are not understood."""
        if not obj.children:  # the common case, without starting a generator
            return
        for child in descendants(obj):
            if child.linenum not in self.outcome:
                self.mark_plain_line(child.linenum, UnknownKind.FORWARDING, "unexpected indented line")

    def definition_line(
        self, index: int, definition: Definition, what: str, read: Callable[[list[str]], None]
    ) -> str | None:
        """One line inside an object or object-group: `description` says nothing, `read`
        interprets any other line (raising NotUnderstood). A line not understood is a
        FORWARDING unknown and taints its definition, so that every use of the definition
        is reported too. Returns that unknown's reason, None when the line was understood."""
        words = self.words(index)
        try:
            if words[0].lower() != "description":
                read(words)
        except NotUnderstood as problem:
            definition.problem = definition.problem or f"line {index + 1}: {problem}"
            reason = f"{what} not understood: {problem}"
            self.unknown(index, UnknownKind.FORWARDING, reason)
            return reason
        self.parsed(index)
        return None

    def sweep_unvisited_lines(self) -> None:
        """A safety net: any line no handler visited is still accounted for."""
        for index in range(len(self.lines)):
            if index not in self.outcome and not self.comment_or_blank(index):
                self.unknown(index, UnknownKind.FORWARDING, "line outside any recognised block")

    def claim_rejected_lines(
        self,
        structure: list[str],
        skipped: Collection[int],
        classify: Callable[[list[str]], Mapping[int, UnknownLine | None]],
    ) -> None:
        """Finds the lines the device rejects (`rejected_character`; `skipped` lines, banner
        text, are free text) and accounts for them before anything is parsed: the device
        does not have them, so neither does the model. The lines indented under a rejected
        line go with it (the device would read them in whatever mode it was left in, which
        is not modelled). Each is reported as the parser reports the same line typed with
        ASCII spaces (`classify` parses such a copy of the file and returns every line's
        outcome): HARMLESS when that copy's line is harmless, FORWARDING otherwise. The
        lines of `structure`, from which the block structure is built, are blanked."""
        found = {
            index: why
            for index in _lines_not_plain(self.lines)
            if index not in skipped and (why := rejected_character(self.lines[index])) is not None
        }
        if not found:
            return
        origin: dict[int, int] = {}
        for index in found:
            origin[index] = index
            for child in self._indented_under(index, skipped):
                origin.setdefault(child, index)
        retyped = [normalized_command(line) if index in origin else line for index, line in enumerate(self.lines)]
        outcome = classify(retyped)
        for index, first in sorted(origin.items()):
            if index == first:
                reason = f"{REASON_REJECTED}: {found[first]}"
            else:
                reason = f"indented under line {first + 1}, which the device rejects: {found[first]}"
            as_typed = outcome.get(index)
            words = [word.lower() for word in split_words(retyped[index])]
            if not words:
                self.unknown(index, UnknownKind.HARMLESS, f"{reason}; harmless anyway: blank")
            elif isinstance(as_typed, UnknownLine) and as_typed.kind is UnknownKind.HARMLESS:
                self.unknown(index, UnknownKind.HARMLESS, f"{reason}; harmless anyway: {as_typed.reason}")
            elif words[:1] in (["description"], ["hostname"]) or "remark" in words[:3]:
                self.unknown(index, UnknownKind.HARMLESS, f"{reason}; harmless anyway: free text")
            else:
                self.unknown(index, UnknownKind.FORWARDING, reason)
            structure[index] = ""
        self.rejected = set(origin)

    def _indented_under(self, index: int, skipped: Collection[int]) -> list[int]:
        """The lines after `index` indented deeper than it (blank lines, comments and
        `skipped` lines are passed over without ending the block)."""
        line = self.lines[index]
        depth = len(line) - len(line.lstrip())
        children: list[int] = []
        for following in range(index + 1, len(self.lines)):
            text = self.lines[following]
            stripped = text.lstrip()
            if following in skipped or not stripped or (stripped.startswith("!") and text[:1] in " \t"):
                continue
            if len(text) - len(stripped) <= depth:
                break
            children.append(following)
        return children

    def command_lines(self) -> list[str]:
        """The file's lines with those the device rejects blanked (for the management readers)."""
        if not self.rejected:
            return list(self.lines)
        return ["" if index in self.rejected else line for index, line in enumerate(self.lines)]

    def comment_or_blank(self, index: int) -> bool:
        if index in self.rejected:
            return True  # already accounted for by claim_rejected_lines
        stripped = self.lines[index].strip()
        if not stripped:
            return True
        if stripped.startswith("!"):
            self.unknown(index, UnknownKind.HARMLESS, "comment")
            return True
        return False


EntryT = TypeVar("EntryT")


def lookup_prefix(table: Mapping[tuple[str, ...], EntryT], lowered_words: Sequence[str]) -> EntryT | None:
    """The entry of the longest word prefix (at most four words) of a command in `table`."""
    for length in range(min(4, len(lowered_words)), 0, -1):
        entry = table.get(tuple(lowered_words[:length]))
        if entry is not None:
            return entry
    return None


# --- objects and object-groups -----------------------------------------------------------


class Definition(Protocol):
    """An object or object-group as written; `problem` names its first line not understood."""

    problem: str


class Group(Definition, Protocol):
    kind: str


GroupT = TypeVar("GroupT", bound=Group)


def group_of_kind(groups: Mapping[str, GroupT], name: str, kind: str, trail: tuple[str, ...]) -> GroupT:
    """The object-group `name` for a use that needs `kind`; `trail` is the chain of groups
    being resolved (a group in its own trail contains itself). A group with a line that
    was not understood cannot be used: its members are not known."""
    group = groups.get(name)
    if group is None or group.kind != kind:
        raise NotUnderstood(f"{kind} object-group '{name}' is not defined")
    if name in trail:
        raise NotUnderstood(f"object-group '{name}' contains itself")
    if group.problem:
        raise NotUnderstood(f"object-group '{name}' has an entry that was not understood")
    return group


# --- dynamic routing processes -----------------------------------------------------------


@dataclass
class RoutingDraft:
    """A routing process as written; its interfaces are decided once every address is known."""

    protocol: str
    process: str
    source: Source
    # (address, second value as written): an IOS wildcard or an ASA netmask.
    networks: list[tuple[int, int]] = field(default_factory=list)
    bgp_neighbors: list[tuple[int, str | None]] = field(default_factory=list)  # (address, remote AS)
    vrf: str = ""  # the table the process routes in ("" = global; see DynamicRouting.vrf)


def read_routing_process(
    book: LineBook,
    obj: Any,
    protocol: str,
    words: list[str],
    routing_network: Callable[[list[str]], tuple[int, int]],
    children: Sequence[Any] | None = None,
) -> RoutingDraft:
    """A `router PROTOCOL [PROCESS]` block whose protocol the vendor models: its `network`
    lines (read by the vendor's `routing_network`) and BGP neighbours. Every child is
    parsed: the rest of a process can only narrow where it runs. `children`: the lines of
    the block that belong to this process (default: all; IOS splits off its per-VRF
    address families)."""
    draft = RoutingDraft(protocol, words[2] if len(words) > 2 else "", book.source(obj.linenum))
    book.parsed(obj.linenum)
    peer_group_as: dict[str, str] = {}
    neighbor_as: dict[int, str | None] = {}
    neighbor_group: dict[int, str] = {}
    for child in descendants(obj) if children is None else children:
        if book.comment_or_blank(child.linenum):
            continue
        book.parsed(child.linenum)
        child_words = book.words(child.linenum)
        keyword = child_words[0].lower()
        if keyword == "network" and protocol in ("ospf", "eigrp", "rip"):
            draft.networks.append(routing_network(child_words))
        elif keyword == "neighbor" and protocol == "bgp" and len(child_words) >= 3:
            _note_bgp_neighbor(child_words, peer_group_as, neighbor_as, neighbor_group)
    for address, remote_as in neighbor_as.items():
        group_as = peer_group_as.get(neighbor_group.get(address, ""))
        draft.bgp_neighbors.append((address, remote_as or group_as))
    return draft


def bgp_interfaces(
    routing: RoutingDraft, interfaces: Sequence[tuple[str, Sequence[InterfaceAddress]]], addressed: list[str]
) -> list[str]:
    """Interfaces (name, addresses) on the neighbours' subnets; every addressed interface
    as soon as one neighbour's routes may resolve elsewhere (not connected, iBGP, unknown AS)."""
    names: set[str] = set()
    for neighbor, remote_as in routing.bgp_neighbors:
        if remote_as is None or remote_as == routing.process:
            return addressed
        connected = [
            name
            for name, addresses in interfaces
            if any((neighbor & prefix_mask(address.prefix_length)) == address.network for address in addresses)
        ]
        if not connected:
            return addressed
        names.update(connected)
    return [name for name, _ in interfaces if name in names]


def _note_bgp_neighbor(
    words: list[str],
    peer_group_as: dict[str, str],
    neighbor_as: dict[int, str | None],
    neighbor_group: dict[int, str],
) -> None:
    """`neighbor A remote-as N`, `neighbor A peer-group G` or `neighbor G remote-as N`."""
    target, setting = words[1], words[2].lower()
    if not is_ipv4(target):
        if setting == "remote-as" and len(words) >= 4:
            peer_group_as[target] = words[3]
        return
    address = ip_to_int(target)
    neighbor_as.setdefault(address, None)
    if setting == "remote-as" and len(words) >= 4:
        neighbor_as[address] = words[3]
    elif setting == "peer-group" and len(words) >= 4:
        neighbor_group[address] = words[3]


# --- management-plane readers -------------------------------------------------------------


@dataclass
class TextBlock:
    """A top-level line and the indented lines under it (0-based line indexes)."""

    header: int
    children: list[int] = field(default_factory=list)


def text_blocks(
    lines: Sequence[str], comment_starts: tuple[str, ...], skipped: Collection[int] = frozenset()
) -> list[TextBlock]:
    """The file's lines grouped by indentation alone (no ciscoconfparse2: the management
    readers only need one level). A top-level comment closes the current block, so the
    indented lines after it belong to none; `skipped` lines (banner text) are passed over."""
    result: list[TextBlock] = []
    current: TextBlock | None = None
    for index, line in enumerate(lines):
        if index in skipped or not line.strip():
            continue
        if line[0] in " \t":
            if current is not None:
                current.children.append(index)
            continue
        current = None if line.startswith(comment_starts) else TextBlock(index)
        if current is not None:
            result.append(current)
    return result


def record_user(
    users: dict[str, UserAccount],
    credentials: list[Credential],
    account: UserAccount,
    scheme: str | None,
) -> None:
    """One `username` line: `account` holds the privilege it sets (None: not set there),
    `scheme` how its secret is stored (None: no secret on the line)."""
    existing = users.get(account.name)
    if existing is None or account.privilege is not None:
        # The line that grants the privilege is the one a finding should quote.
        users[account.name] = account
    if scheme is not None:
        privilege = account.privilege
        level = privilege if privilege is not None else (existing.privilege if existing else None)
        credentials.append(Credential("user", account.name, scheme, account.source, level))


def file_stem(path: str) -> str:
    return PureWindowsPath(path).stem if "\\" in path else PurePath(path).stem


def descendants(obj: Any) -> Iterator[Any]:
    """Every line nested under a ciscoconfparse2 object, depth first, in file order."""
    for child in obj.children:
        yield child
        yield from descendants(child)
