"""Finding the lines the device rejects looks only at the lines that are not printable ASCII:
the same lines, and the same reasons, as testing every line with the straightforward check it
replaced (kept here as the oracle)."""

from __future__ import annotations

import random
import unicodedata

import pytest

from nankoku_netcheck.model import UnknownLine
from nankoku_netcheck.vendors import common
from nankoku_netcheck.vendors.common import REASON_REJECTED, LineBook, split_words

_FREE_TEXT_WORDS = frozenset({"description", "remark", "banner"})
_FREE_TEXT_SECOND_WORDS = frozenset({"location", "contact"})


def oracle_foreign(character: str) -> bool:
    if character in " \t":
        return False
    return character.isspace() or unicodedata.category(character)[0] in ("C", "Z")


def oracle_rejected_character(line: str) -> str | None:
    if line.isascii() and line.replace("\t", " ").isprintable():
        return None
    words = split_words(line)
    for position, word in enumerate(words):
        bad = next((character for character in word if oracle_foreign(character)), None)
        if bad is not None:
            name = unicodedata.name(bad, "control character")
            return f"U+{ord(bad):04X} {name} in '{word}'; only ASCII space and tab separate words"
        lowered = word.lower()
        if lowered in _FREE_TEXT_WORDS or (
            position == 1 and lowered in _FREE_TEXT_SECOND_WORDS and words[0].lower() == "snmp-server"
        ):
            return None
    return None


def oracle_found(lines: list[str], skipped: set[int]) -> dict[int, str]:
    """What `claim_rejected_lines` found before: every line not skipped, checked."""
    return {
        index: why
        for index, line in enumerate(lines)
        if index not in skipped and (why := oracle_rejected_character(line)) is not None
    }


_PIECES = [
    "interface Gi0/1", " description 庁内 基幹", "ip access-group A in", " ip address 10.0.0.1 255.0.0.0",
    "snmp-server location 本庁\u3000舎", "remark x", "banner motd ^C", "hostname r1", "!", "",
]  # fmt: skip
_ODD = [
    "\u3000",
    "\u00a0",
    "\u2003",
    "\t",
    "\x00",
    "\x07",
    "\x1f",
    "\x7f",
    "\u200b",
    "\ufeff",
    "\r",
    "é",
    "庁",
    " ",
    "\x85",
]


def fuzzed_lines(rng: random.Random) -> list[str]:
    lines = []
    for _ in range(rng.randrange(0, 40)):
        line = rng.choice(_PIECES)
        for _ in range(rng.choice([0, 0, 0, 1, 2])):
            cut = rng.randrange(len(line) + 1)
            line = line[:cut] + rng.choice(_ODD) + line[cut:]
        lines.append(line)
    return lines


def claimed(lines: list[str], skipped: set[int]) -> dict[int, object]:
    book = LineBook("\n".join(lines) + "\n", "r1.cfg")
    book.lines = list(lines)  # exactly these lines (a \r or BOM would be trimmed by split_lines)
    book.claim_rejected_lines(list(lines), skipped, lambda retyped: {})
    return {index: book.outcome[index] for index in sorted(book.rejected) if index in book.outcome}


@pytest.mark.parametrize("seed", range(6))
def test_the_same_lines_are_found_with_the_same_reasons(seed: int) -> None:
    rng = random.Random(seed)
    for _ in range(500):
        lines = fuzzed_lines(rng)
        skipped = {index for index in range(len(lines)) if rng.random() < 0.1}
        expected = oracle_found(lines, skipped)
        for line in lines:
            assert common.rejected_character(line) == oracle_rejected_character(line)
        assert common._lines_not_plain(lines) == [
            index for index, line in enumerate(lines) if not (line.isascii() and line.replace("\t", " ").isprintable())
        ]
        first_rejected = {
            index: outcome.reason
            for index, outcome in claimed(lines, skipped).items()
            if isinstance(outcome, UnknownLine) and outcome.reason.startswith(REASON_REJECTED)
        }
        assert set(first_rejected) == set(expected)
        for index, why in expected.items():
            assert first_rejected[index].startswith(f"{REASON_REJECTED}: {why}")


def test_a_control_character_on_an_ascii_line_is_found_among_japanese_lines() -> None:
    lines = [" description 庁内", "hostname r1", "ip access-group\x07A in", "interface 庁"]
    assert common._lines_not_plain(lines) == [0, 2, 3]
    assert set(claimed(lines, set())) == {2}
