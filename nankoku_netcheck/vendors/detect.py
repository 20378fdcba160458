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
`HEAD_LINES` lines. That keeps detection a small fraction of parsing on large files.
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
from dataclasses import dataclass

THRESHOLD = 3
DECISIVE = 10
HEAD_LINES = 60

IP_PATTERN = r"\d{1,3}(?:\.\d{1,3}){3}"


@dataclass(frozen=True)
class Signature:
    """Lines that start (after indentation) with one of `words` and match `pattern` are
    evidence worth `weight`; no words: a header, searched in the first HEAD_LINES lines."""

    words: frozenset[str]
    pattern: re.Pattern[str]
    weight: int


Candidate = tuple[str, tuple[Signature, ...]]


def signatures(*rows: tuple[str, str, int]) -> tuple[Signature, ...]:
    """Signatures from (first words, pattern, weight) rows."""
    return tuple(
        Signature(frozenset(words.split()), re.compile(pattern, re.MULTILINE), weight)
        for words, pattern, weight in rows
    )


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
        if words not in self._joined:
            self._joined[words] = "\n".join(line for word in sorted(words) for line in self.by_word.get(word, ()))
        return self._joined[words]


def scores(text: str, supported: Sequence[Candidate]) -> dict[str, tuple[int, bool]]:
    """Each label's (score, decisive): the summed weights of its patterns found in the text,
    and whether one of them is worth DECISIVE points on its own."""
    lines = _Lines(text)
    found: dict[str, tuple[int, bool]] = {}
    labelled = [*supported, *FOREIGN_SIGNATURES.items()]
    for label, signatures in labelled:
        total = 0
        decisive = False
        for signature in signatures:
            if signature.pattern.search(lines.text_for(signature.words)):
                total += signature.weight
                decisive = decisive or signature.weight >= DECISIVE
        found[label] = (total, decisive)
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
    found = scores(text, supported)
    names = tuple(name for name, _ in supported)
    candidate = next((name for name in names if found[name][0] >= THRESHOLD), None)
    foreign = [label for label in FOREIGN if found[label][0] >= THRESHOLD]
    if not foreign:
        return Detection(candidate, supported=names)
    best = max(foreign, key=lambda label: (found[label][0], -FOREIGN.index(label)))
    if candidate is not None and found[candidate][1] and not any(found[label][1] for label in foreign):
        return Detection(candidate, supported=names)
    return Detection(None, best, names)
