"""The FortiOS configuration tree: `config PATH` / `edit NAME` / `set|unset|append ...` /
`next` / `end`, with the line numbers of everything.

FortiOS prints one command per line, but a quoted value may span lines (replacement
messages, certificates, banners), quoted and unquoted parts of one word run together
(`"new"_zone1` is one word), and `#` starts a comment line. The reader never fails: lines
that do not fit the structure (a stray `next` or `end`, a block left open at the end of
the file) are returned as `problems` with their line, and the tree is built from the rest.

Settings of an entry are the result of applying its commands in order, as the device
does: `set` replaces, `append` and `select` add, `unselect` removes values, `unset`
removes the key (back to the default). An `edit` of a name already edited continues that
entry (the CLI edits the existing object), so several `config` blocks of one path merge.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field

from nankoku_netcheck.model import Source, UnknownKind, UnknownLine


@dataclass(frozen=True)
class Statement:
    """One command: its verb (lower-cased), its words (quotes removed), and the 0-based
    indexes of its first and last line (they differ for a multi-line quoted value)."""

    verb: str
    words: tuple[str, ...]
    first: int
    last: int


@dataclass
class Entry:
    """`edit NAME` ... `next`; `end`: the index of its `next` line (None when implicit)."""

    name: str
    first: int
    items: list[Node] = field(default_factory=list)
    end: int | None = None


@dataclass
class Section:
    """`config WORDS` ... `end`; `path`: the words lower-cased."""

    path: tuple[str, ...]
    first: int
    items: list[Node] = field(default_factory=list)
    end: int | None = None


Node = Statement | Entry | Section


@dataclass
class Tree:
    """What the reader made of a file: the top-level nodes, the lines that are comments,
    and the lines that did not fit the structure (index, reason)."""

    items: list[Node]
    comments: list[int]
    problems: list[tuple[int, str]]


def split_lines(text: str) -> list[str]:
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    lines = [line[:-1] if line.endswith("\r") else line for line in lines]
    if lines and lines[0].startswith("\ufeff"):
        lines[0] = lines[0][1:]
    return lines


def _commands(lines: Sequence[str]) -> Iterator[tuple[list[str], int, int]]:
    """(words, first line, last line) of each command; comment lines are yielded with no
    words. A quoted value runs to its closing quote, over as many lines as it takes."""
    index = 0
    while index < len(lines):
        line = lines[index]
        stripped = line.lstrip(" \t")
        if stripped.startswith("#"):
            yield [], index, index
            index += 1
            continue
        if '"' not in line and "'" not in line and "\\" not in line:
            yield line.split(), index, index
            index += 1
            continue
        words, last = _quoted_words(lines, index)
        yield words, index, last
        index = last + 1


def _quoted_words(lines: Sequence[str], first: int) -> tuple[list[str], int]:
    words: list[str] = []
    current: list[str] = []
    in_word = False
    quote = ""
    index = first
    text = lines[index]
    position = 0
    while True:
        if position >= len(text):
            if quote and index + 1 < len(lines):
                index += 1
                text = lines[index]
                position = 0
                current.append("\n")
                continue
            break
        character = text[position]
        position += 1
        if quote:
            if character == "\\" and position < len(text):
                current.append(text[position])
                position += 1
            elif character == quote:
                quote = ""
            else:
                current.append(character)
        elif character in " \t":
            if in_word:
                words.append("".join(current))
                current, in_word = [], False
        elif character in "\"'":
            quote, in_word = character, True
        elif character == "\\" and position < len(text):
            current.append(text[position])
            position += 1
            in_word = True
        else:
            current.append(character)
            in_word = True
    if in_word:
        words.append("".join(current))
    return words, index


def read_tree(lines: Sequence[str]) -> Tree:
    root: list[Node] = []
    stack: list[Section | Entry] = []
    comments: list[int] = []
    problems: list[tuple[int, str]] = []

    def container() -> list[Node]:
        return stack[-1].items if stack else root

    for words, first, last in _commands(lines):
        if not words:
            if lines[first].strip():
                comments.append(first)
            continue
        verb = words[0].lower()
        if verb == "config" and len(words) > 1:
            section = Section(tuple(word.lower() for word in words[1:]), first)
            container().append(section)
            stack.append(section)
        elif verb == "edit" and len(words) > 1 and stack and isinstance(stack[-1], Section):
            entry = Entry(" ".join(words[1:]), first)
            container().append(entry)
            stack.append(entry)
        elif verb == "next" and len(words) == 1:
            if stack and isinstance(stack[-1], Entry):
                stack.pop().end = first
            else:
                problems.append((first, "'next' outside an 'edit' block"))
        elif verb == "end" and len(words) == 1:
            if stack and isinstance(stack[-1], Entry):
                stack.pop()  # `end` also closes an `edit` left without `next`
            if stack:
                stack.pop().end = first
            else:
                problems.append((first, "'end' outside a 'config' block"))
        else:
            container().append(Statement(verb, tuple(words[1:]), first, last))
    for open_block in stack:
        what = "config" if isinstance(open_block, Section) else "edit"
        problems.append((open_block.first, f"'{what}' block not closed before the end of the file (truncated?)"))
    return Tree(root, comments, problems)


# --- the settings of one object --------------------------------------------------------


@dataclass
class Settings:
    """The net effect of an entry's (or a section's) commands: each key's values and the
    command that last set it; nested sections in order; commands other than
    set/unset/append/select/unselect in `others`."""

    values: dict[str, tuple[str, ...]] = field(default_factory=dict)
    where: dict[str, Statement] = field(default_factory=dict)
    sections: list[Section] = field(default_factory=list)
    others: list[Statement] = field(default_factory=list)
    statements: list[Statement] = field(default_factory=list)

    def get(self, key: str, default: str = "") -> str:
        values = self.values.get(key)
        return values[0] if values else default

    def words(self, key: str) -> tuple[str, ...]:
        return self.values.get(key, ())

    def lower(self, key: str, default: str = "") -> str:
        return self.get(key, default).lower()

    def line(self, key: str) -> int | None:
        statement = self.where.get(key)
        return statement.first if statement is not None else None


def settings_of(nodes: Iterable[Node]) -> Settings:
    result = Settings()
    for node in nodes:
        if isinstance(node, Section):
            result.sections.append(node)
            continue
        if isinstance(node, Entry):
            continue
        if not node.words and node.verb not in ("unset",):
            result.others.append(node)
            continue
        key = node.words[0].lower() if node.words else ""
        values = node.words[1:]
        if node.verb == "set":
            result.values[key] = values
        elif node.verb in ("append", "select"):
            result.values[key] = result.values.get(key, ()) + values
        elif node.verb == "unselect":
            result.values[key] = tuple(value for value in result.values.get(key, ()) if value not in values)
        elif node.verb == "unset":
            result.values.pop(key, None)
        else:
            result.others.append(node)
            continue
        result.where[key] = node
        result.statements.append(node)
    return result


@dataclass
class Record:
    """One named object of a table (`edit NAME`), however many `edit` blocks make it."""

    name: str
    entries: list[Entry]

    @property
    def first(self) -> int:
        return self.entries[0].first

    def settings(self) -> Settings:
        return settings_of(item for entry in self.entries for item in entry.items)


@dataclass
class Table:
    """The entries of every section of one path, merged by name, in the device's order.
    `applied`: commands that removed entries (`delete`, `purge`) or reordered them (`move`),
    already applied; `removed`: the entries they removed; `unsupported`: table commands not
    modelled (`rename`, `clone`, ...); `statements`: settings written on the table itself."""

    records: list[Record]
    applied: list[Statement] = field(default_factory=list)
    removed: list[tuple[Entry, Statement]] = field(default_factory=list)
    unsupported: list[Statement] = field(default_factory=list)
    statements: list[Statement] = field(default_factory=list)


def table_of(sections: Sequence[Section], ledger: Ledger | None = None, what: str = "") -> Table:
    """The merged table; with a `ledger`, the sections' frames, the table commands and the
    removed entries are accounted for (a command not modelled is FORWARDING)."""
    records: dict[str, Record] = {}
    table = Table([])
    for section in sections:
        for node in section.items:
            if isinstance(node, Entry):
                record = records.get(node.name)
                if record is None:
                    records[node.name] = Record(node.name, [node])
                else:
                    record.entries.append(node)
            elif isinstance(node, Statement):
                removed = _table_command(records, node)
                if removed is not None:
                    table.applied.append(node)
                    table.removed.extend((entry, node) for entry in removed)
                elif node.verb in ("set", "unset", "append", "select", "unselect"):
                    table.statements.append(node)
                else:
                    table.unsupported.append(node)
    table.records = list(records.values())
    if ledger is not None:
        _account_table(ledger, sections, table, what)
    return table


def _account_table(ledger: Ledger, sections: Sequence[Section], table: Table, what: str) -> None:
    for section in sections:
        ledger.frame(section)
    for statement in table.applied:
        ledger.statement(statement, None)
    for entry, statement in table.removed:
        ledger.mark(entry, UnknownKind.HARMLESS, f"removed by '{statement.verb}' at line {statement.first + 1}")
    for statement in table.unsupported:
        ledger.statement(statement, UnknownKind.FORWARDING, f"{what}: '{statement.verb}' is not modelled")
    for statement in table.statements:
        ledger.statement(statement, UnknownKind.FORWARDING, f"{what}: '{statement.verb}' outside an 'edit' block")


def _table_command(records: dict[str, Record], statement: Statement) -> list[Entry] | None:
    """Applies `delete NAME`, `purge` and `move A before|after B`: the entries removed;
    None for any other command."""
    words = statement.words
    if statement.verb == "delete" and len(words) == 1:
        record = records.pop(words[0], None)
        return record.entries if record is not None else []
    if statement.verb == "purge" and not words:
        removed = [entry for record in records.values() for entry in record.entries]
        records.clear()
        return removed
    if statement.verb == "move" and len(words) == 3 and words[1].lower() in ("before", "after"):
        moving, anchor = records.get(words[0]), records.get(words[2])
        if moving is None or anchor is None or moving is anchor:
            return []  # the device refuses the move: nothing changes
        order = [record for record in records.values() if record is not moving]
        position = order.index(anchor) + (1 if words[1].lower() == "after" else 0)
        order.insert(position, moving)
        records.clear()
        records.update((record.name, record) for record in order)
        return []
    return None


# --- line accounting -------------------------------------------------------------------


class Ledger:
    """Where each line ended up: parsed into the model (None) or an UnknownLine. The
    first outcome given to a line stands; `sweep` gives every line left a FORWARDING one."""

    def __init__(self, lines: Sequence[str], path: str) -> None:
        self.lines = lines
        self.path = path
        self.outcome: dict[int, UnknownLine | None] = {}

    def source(self, index: int) -> Source:
        return Source(self.path, index + 1, self.lines[index])

    def parsed(self, index: int | None) -> None:
        if index is not None and index not in self.outcome:
            self.outcome[index] = None

    def unknown(self, index: int, kind: UnknownKind, reason: str) -> None:
        if index not in self.outcome:
            self.outcome[index] = UnknownLine(self.source(index), kind, reason)

    def statement(self, statement: Statement, kind: UnknownKind | None, reason: str = "") -> None:
        """A command's lines (all of a multi-line value): parsed (kind None) or unknown."""
        for index in range(statement.first, statement.last + 1):
            if kind is None:
                self.parsed(index)
            elif index == statement.first:
                self.unknown(index, kind, reason)
            else:
                self.unknown(index, UnknownKind.HARMLESS, f"continues line {statement.first + 1}")

    def frame(self, node: Section | Entry) -> None:
        """The `config`/`edit` line and its closing line are structure: parsed."""
        self.parsed(node.first)
        self.parsed(node.end)

    def mark(self, node: Node, kind: UnknownKind, reason: str) -> None:
        """A node and everything under it (closing lines included) as one kind of unknown."""
        if isinstance(node, Statement):
            self.statement(node, kind, reason)
            return
        self.unknown(node.first, kind, reason)
        for child in node.items:
            self.mark(child, kind, reason)
        if node.end is not None:
            self.unknown(node.end, UnknownKind.HARMLESS, f"closes line {node.first + 1}")

    def sweep(self) -> None:
        for index, line in enumerate(self.lines):
            if index not in self.outcome and line.strip():
                self.unknown(index, UnknownKind.FORWARDING, "line outside any recognised block")

    def unknowns(self) -> list[UnknownLine]:
        return [unknown for _, unknown in sorted(self.outcome.items()) if unknown is not None]


def account_settings(
    ledger: Ledger,
    settings: Settings,
    what: str,
    modelled: Iterable[str],
    harmless: frozenset[str],
    safe_values: Mapping[str, frozenset[str]] | None = None,
) -> list[str]:
    """Accounts for the commands of one object: modelled keys are parsed, harmless keys
    HARMLESS, keys whose value is safe HARMLESS, anything else FORWARDING. Returns the
    reasons of the FORWARDING ones (the object is then not fully understood). Nested
    sections are left to the caller."""
    known = frozenset(modelled)
    problems: list[str] = []
    for statement in settings.statements + settings.others:
        key = statement.words[0].lower() if statement.words else ""
        if statement.verb not in ("set", "unset", "append", "select", "unselect"):
            reason = f"'{statement.verb}' in {what} is not modelled"
        elif key in known:
            ledger.statement(statement, None)
            continue
        elif key in harmless:
            ledger.statement(statement, UnknownKind.HARMLESS, f"{what}: '{key}' does not change forwarding")
            continue
        elif safe_values is not None and key in safe_values:
            value = " ".join(statement.words[1:]).lower()
            if statement.verb == "unset" or value in safe_values[key]:
                ledger.statement(statement, UnknownKind.HARMLESS, f"{what}: '{key} {value}' leaves forwarding as is")
                continue
            reason = f"{what}: '{key} {value}' is not modelled"
        else:
            reason = f"{what}: '{key}' is not modelled"
        ledger.statement(statement, UnknownKind.FORWARDING, reason)
        problems.append(f"line {statement.first + 1}: {reason}")
    return problems


def account_record_frames(ledger: Ledger, record: Record) -> None:
    for entry in record.entries:
        ledger.frame(entry)
