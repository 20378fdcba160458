"""Small helpers shared by the Cisco-style parsers: a word cursor, address and port
arithmetic, and block-walking utilities. Nothing here knows a vendor's syntax."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import PurePath, PureWindowsPath
from typing import Any

from nankoku_netcheck.model import IPV4_MAX, PORT_MAX, PortRange, Wildcard, ip_to_int


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
    if not word.isdigit() or not low <= int(word) <= high:
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
        if self.done():
            raise NotUnderstood(f"missing {what}")
        word = self.words[self.position]
        self.position += 1
        return word

    def take_lower(self, what: str) -> str:
        return self.take(what).lower()

    def rest(self) -> list[str]:
        words = list(self.words[self.position:])
        self.position = len(self.words)
        return words

    def expect_end(self) -> None:
        if not self.done():
            raise NotUnderstood(f"unexpected '{self.words[self.position]}'")


def file_stem(path: str) -> str:
    return PureWindowsPath(path).stem if "\\" in path else PurePath(path).stem


def descendants(obj: Any) -> Iterator[Any]:
    """Every line nested under a ciscoconfparse2 object, depth first, in file order."""
    for child in obj.children:
        yield child
        yield from descendants(child)
