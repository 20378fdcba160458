"""AlliedWare Plus running-config lines as commands with the lines indented under them.

`show running-config` prints global commands at column 0 and the commands of a mode
(`interface port1.0.1`, `access-list extended NAME`, `line vty 0 4`, `router ospf`) indented
under the line that opened it; `!` separates blocks. Line numbers are 0-based indexes here;
Sources carry the 1-based number.
"""

from __future__ import annotations

from dataclasses import dataclass

from nankoku_netcheck.model import Source, UnknownKind, UnknownLine
from nankoku_netcheck.vendors.common import split_lines, split_words


@dataclass(frozen=True)
class Command:
    """One command line: its index, its words, and the commands indented under it."""

    index: int
    words: tuple[str, ...]
    children: tuple[Command, ...] = ()

    @property
    def lowered(self) -> tuple[str, ...]:
        return tuple(word.lower() for word in self.words)


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" \t"))


def _is_comment(line: str) -> bool:
    stripped = line.strip()
    return not stripped or stripped.startswith("!") or stripped.startswith("#")


def read_commands(lines: list[str]) -> list[Command]:
    """Top-level commands; a line indented under another is its child (one level is all the
    running-config prints; deeper lines are children of the indented line above them)."""
    top: list[tuple[int, list[int]]] = []
    for index, line in enumerate(lines):
        if _is_comment(line):
            continue
        if _indent(line) == 0 or not top:
            top.append((index, []))
        else:
            top[-1][1].append(index)
    return [
        Command(index, tuple(split_words(lines[index])), tuple(Command(c, tuple(split_words(lines[c]))) for c in kids))
        for index, kids in top
    ]


class Ledger:
    """Where each line ended up: parsed (None) or an UnknownLine, as in the other plugins."""

    def __init__(self, text: str, path: str) -> None:
        self.path = path
        self.lines = split_lines(text)
        self.outcome: dict[int, UnknownLine | None] = {}

    def source(self, index: int) -> Source:
        return Source(self.path, index + 1, self.lines[index])

    def parsed(self, index: int) -> None:
        self.outcome.setdefault(index, None)

    def unknown(self, index: int, kind: UnknownKind, reason: str) -> None:
        self.outcome[index] = UnknownLine(self.source(index), kind, reason)

    def block(self, command: Command, kind: UnknownKind, reason: str) -> None:
        self.unknown(command.index, kind, reason)
        for child in command.children:
            self.unknown(child.index, kind, reason)

    def unknowns(self) -> list[UnknownLine]:
        comments = [
            UnknownLine(self.source(index), UnknownKind.HARMLESS, "comment")
            for index, line in enumerate(self.lines)
            if line.strip() and _is_comment(line) and index not in self.outcome
        ]
        found = [outcome for outcome in self.outcome.values() if outcome is not None]
        return sorted(found + comments, key=lambda unknown: unknown.source.line)
