"""Which syntax a configuration is written in, decided positively from its own lines.

A config is only parsed when it is recognised as a supported vendor (a plugin in the registry).
Anything else is refused with one line that names what it looks like: reading a Junos or
PAN-OS file with the IOS parser gives nonsense findings and, worse, zone verdicts built on
nothing (a file whose every line is unknown models no segment at all).

How a file is scored
--------------------
`SIGNATURES` maps a vendor label to patterns, each with a weight. A pattern counts once
however often it matches (a 5,000-line config is not surer than a 50-line one), and a
label's score is the sum of the weights of its patterns that match somewhere in the text
(patterns are anchored to whole lines, so headers around the config — `Building
configuration...`, CLI prompt lines, RANCID comments — only add evidence, never hide it).
Each pattern names the first words of the lines it can match, and only those lines are
searched; a pattern without first words is a header and is looked for in the first
`HEAD_LINES` lines. That keeps detection a small fraction of parsing on large files. The rows
of one table with the same first words are first searched as one alternation (one failed
search settles them all), and only what the decision below reads is scored: every foreign
label, then the supported ones up to the first recognised.
A label is *recognised* at `THRESHOLD` points; a single pattern worth `DECISIVE` points
(a version header such as `ASA Version 9.8(4)` or `version 15.7`, `#config-version=`,
`!! IOS XR`, ...) settles the question for its label on its own.

Deciding
--------
1. The supported candidate is the first plugin, in the registry's order, that scores at
   least `THRESHOLD` (ASA text also carries IOS-like lines such as `hostname` and
   `interface`, so the registry asks ASA before IOS).
2. No foreign label recognised: the supported candidate, or "not a recognised network
   config" when there is none.
3. A foreign label recognised as well (the ambiguous case): the file is refused, naming
   the best-scoring foreign label — unless the supported candidate's evidence is decisive
   and no foreign evidence is. Guessing wrong costs more than asking the user to say
   `vendor:` in the topology, which always overrides detection.
Ties between foreign labels go to the one listed first in `SIGNATURES`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

THRESHOLD = 3
DECISIVE = 10
HEAD_LINES = 60

IP_PATTERN = r"\d{1,3}(?:\.\d{1,3}){3}"


@dataclass(frozen=True)
class Signature:
    """Lines that start (after indentation) with one of `words` and match `pattern` are
    evidence worth `weight`; no words: a header, searched in the first HEAD_LINES lines.
    `any_of`: a pattern that matches wherever this one or another of its table with the same
    words does (see `signatures`), so that one failed search rules them all out."""

    words: frozenset[str]
    pattern: re.Pattern[str]
    weight: int
    any_of: re.Pattern[str] | None = field(default=None, compare=False, repr=False)
    # Whether the pattern finds anything in an empty text (none of the tables' patterns does,
    # so a file without lines of the right first words is not searched at all).
    matches_empty_text: bool = field(init=False, compare=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "matches_empty_text", self.pattern.search("") is not None)


Candidate = tuple[str, tuple[Signature, ...]]


def signatures(*rows: tuple[str, str, int]) -> tuple[Signature, ...]:
    """Signatures from (first words, pattern, weight) rows; the rows with the same first words
    share one `any_of` pattern (most of a table's evidence is absent from a file of another
    syntax, and one search per group of rows then settles the whole group)."""
    by_words: dict[frozenset[str], list[str]] = {}
    for words, pattern, _ in rows:
        by_words.setdefault(frozenset(words.split()), []).append(pattern)
    any_of = {words: alternation(patterns) for words, patterns in by_words.items()}
    return tuple(
        Signature(frozenset(words.split()), re.compile(pattern, re.MULTILINE), weight, any_of[frozenset(words.split())])
        for words, pattern, weight in rows
    )


def alternation(patterns: Sequence[str]) -> re.Pattern[str] | None:
    """One pattern that matches exactly where one of `patterns` (MULTILINE, like each
    signature) does; None for a single pattern (nothing to save) or when an alternation could
    change a pattern's meaning: capturing groups (renumbered backreferences) or flags of its
    own (a global inline flag would apply to every branch)."""
    compiled = [re.compile(pattern, re.MULTILINE) for pattern in patterns]
    plain = re.compile("", re.MULTILINE).flags
    if len(compiled) < 2 or any(each.groups or each.flags != plain for each in compiled):
        return None
    return re.compile("|".join(f"(?:{pattern})" for pattern in patterns), re.MULTILINE)


# Foreign label → signatures (first words, pattern, weight): syntaxes no plugin reads, so
# that a refusal can say what a file looks like. Supported vendors' signatures live in their
# plugins. Foreign labels are listed in the order that breaks ties.
FOREIGN_SIGNATURES: Mapping[str, tuple[Signature, ...]] = {
    "Junos": signatures(
        ("", r"^#?\s*RANCID-CONTENT-TYPE: juniper", DECISIVE),
        ("set version", r"^(?:set )?version \d+\.\d+[RXDI]\d", DECISIVE),
        ("##", r"^## Last (?:commit|changed): ", 5),
        (
            "system interfaces routing-options protocols policy-options firewall security "
            "routing-instances snmp chassis",
            r"^(?:system|interfaces|routing-options|protocols|policy-options|firewall|security|"
            r"routing-instances|snmp|chassis) \{\s*$",
            3,
        ),
        ("host-name", r"^[ \t]+host-name \S+;\s*$", 3),
        ("family", r"^[ \t]+family (?:inet6?|mpls|ethernet-switching) (?:\{|;)", 3),
        (
            "set",
            r"^set (?:system|interfaces|routing-options|protocols|policy-options|firewall|security|"
            r"routing-instances|snmp|chassis|groups|apply-groups|vlans|forwarding-options|class-of-service) ",
            3,
        ),
        ("set", r"^set interfaces \S+ unit \d+ family ", 3),
        ("deactivate", r"^deactivate \S", 2),
    ),
    "PAN-OS": signatures(
        ("", r"<config version=\"[^\"]*\" urldb=", DECISIVE),
        ("set", r"^set deviceconfig system ", 5),
        ("set", r"^set network (?:interface|virtual-router|zone) ", 3),
        ("set", r"^set (?:rulebase|vsys|zone|address|address-group|service|mgt-config|shared) ", 2),
        ("", r"<deviceconfig>|<devices>|<vsys>|<rulebase>", 3),
    ),
    "NX-OS": signatures(
        ("boot", r"^boot nxos ", DECISIVE),
        ("", r"^!Command: show running-config", DECISIVE),
        ("feature", r"^feature \S", 3),
        ("vdc", r"^vdc \S", 3),
        ("vrf", r"^vrf context \S", 3),
        ("version", r"^version \d+\.\d+\(\d+\)\S*", 3),
        ("username", r"^username \S+ .*role network-(?:admin|operator)", 2),
        ("ip", rf"^[ \t]+ip address {IP_PATTERN}/\d+", 1),
        ("interface", r"^interface Ethernet\d+/\d+", 1),
    ),
    "IOS-XR": signatures(
        ("!!", r"^!! IOS XR", DECISIVE),
        ("", r"^RP/\d+/\S+:\S+#", DECISIVE),
        ("interface", r"^interface \S+?\d+/\d+/\d+/\d+", 3),
        ("ipv4", rf"^[ \t]+ipv4 address {IP_PATTERN}", 3),
        ("router", r"^router static\s*$", 3),
        (
            "route-policy end-policy prefix-set end-set",
            r"^(?:route-policy \S|end-policy\s*$|prefix-set \S|end-set\s*$)",
            3,
        ),
        ("commit", r"^commit\b", 1),
    ),
    "Arista EOS": signatures(
        ("!", r"^! device: \S+ \(.*EOS", DECISIVE),
        ("", r"^!RANCID-CONTENT-TYPE: arista", DECISIVE),
        ("transceiver", r"^transceiver qsfp ", 3),
        ("daemon", r"^daemon TerminAttr\b", 3),
        ("management", r"^management api http-commands\b", 3),
        ("service", r"^service routing protocols model ", 3),
        ("ip", rf"^[ \t]+ip address {IP_PATTERN}/\d+", 1),
    ),
}

FOREIGN: tuple[str, ...] = tuple(FOREIGN_SIGNATURES)


class _Lines:
    """The text's lines grouped by first word, joined per group of words on demand."""

    def __init__(self, text: str) -> None:
        lines = text.lstrip("\ufeff").split("\n")
        self.head = "\n".join(lines[:HEAD_LINES])
        self.by_word: dict[str, list[str]] = {}
        for line in lines:
            words = line.split(None, 1)
            if words:
                self.by_word.setdefault(words[0], []).append(line)
        self._joined: dict[frozenset[str], str] = {}

    def text_for(self, words: frozenset[str]) -> str:
        if not words:
            return self.head
        if self.by_word.keys().isdisjoint(words):
            return ""
        if words not in self._joined:
            self._joined[words] = "\n".join(line for word in sorted(words) for line in self.by_word.get(word, ()))
        return self._joined[words]


def _score(lines: _Lines, signatures: Sequence[Signature], enough: int | None = None) -> tuple[int, bool]:
    """A label's (score, decisive) as `scores` computes it; with `enough`, the search may stop
    as soon as the score reaches it (the decisive flag is then incomplete)."""
    total = 0
    decisive = False
    ruled_out: set[int] = set()  # ids of `any_of` patterns found nowhere in their text
    for signature in signatures:
        any_of = signature.any_of
        if any_of is not None and id(any_of) in ruled_out:
            continue
        text = lines.text_for(signature.words)
        if not text and not signature.matches_empty_text:
            continue
        if any_of is not None and any_of.search(text) is None:
            ruled_out.add(id(any_of))
            continue
        if signature.pattern.search(text):
            total += signature.weight
            decisive = decisive or signature.weight >= DECISIVE
            if enough is not None and total >= enough:
                break
    return total, decisive


def scores(text: str, supported: Sequence[Candidate]) -> dict[str, tuple[int, bool]]:
    """Each label's (score, decisive): the summed weights of its patterns found in the text,
    and whether one of them is worth DECISIVE points on its own."""
    lines = _Lines(text)
    found: dict[str, tuple[int, bool]] = {}
    labelled = [*supported, *FOREIGN_SIGNATURES.items()]
    for label, signatures in labelled:
        found[label] = _score(lines, signatures)
    return found


@dataclass(frozen=True)
class Detection:
    """`vendor`: the supported parser to use, or None when the file is refused; `looks_like`:
    the foreign label it was refused as ("" when it matched no vendor at all)."""

    vendor: str | None
    looks_like: str = ""
    supported: tuple[str, ...] = ()

    def message(self) -> str:
        supported = ", ".join(sorted(self.supported))
        if self.looks_like:
            return f"looks like {self.looks_like} (not supported yet; supported: {supported})"
        return f"not a recognised network config (supported: {supported})"


def classify(text: str, supported: Sequence[Candidate]) -> Detection:
    """The decision described in the module docstring; `supported`: the plugins' (name,
    signatures) in the order they are asked."""
    names = tuple(name for name, _ in supported)
    if len(set(names)) != len(names) or not FOREIGN_SIGNATURES.keys().isdisjoint(names):
        return _decide(scores(text, supported), names)  # (names that shadow each other's scores)
    # Only what the decision reads is scored: the foreign labels in full, then the supported
    # ones in order up to the first recognised (the candidate), whose score need only reach
    # THRESHOLD unless a foreign label is recognised too (then its decisive flag counts).
    lines = _Lines(text)
    found = {label: _score(lines, signatures) for label, signatures in FOREIGN_SIGNATURES.items()}
    enough = None if any(found[label][0] >= THRESHOLD for label in FOREIGN) else THRESHOLD
    for name, signatures in supported:
        found[name] = _score(lines, signatures, enough)
        if found[name][0] >= THRESHOLD:
            break
    return _decide(found, names)


def _decide(found: Mapping[str, tuple[int, bool]], names: tuple[str, ...]) -> Detection:
    """The decision from the scores of the foreign labels and of the supported ones up to the
    first recognised (in `names` order)."""
    candidate = next((name for name in names if found[name][0] >= THRESHOLD), None)
    foreign = [label for label in FOREIGN if found[label][0] >= THRESHOLD]
    if not foreign:
        return Detection(candidate, supported=names)
    best = max(foreign, key=lambda label: (found[label][0], -FOREIGN.index(label)))
    if candidate is not None and found[candidate][1] and not any(found[label][1] for label in foreign):
        return Detection(candidate, supported=names)
    return Detection(None, best, names)
