"""Vendor detection gives exactly the decision (and scores) of the straightforward scorer it
replaced: every signature searched in the text of its first words, every label scored in full.
That scorer is kept here as the oracle; fuzzed texts mix the signatures' own lines with the
characters that could make a grouped or short-circuited search differ (blank lines, Unicode
spaces, carriage returns, BOMs, quotes that a pattern could follow across lines)."""

from __future__ import annotations

import random
import re
from collections.abc import Sequence
from pathlib import Path

import pytest
from conftest import CORPUS

from nankoku_netcheck.vendors import _CANDIDATES, detect
from nankoku_netcheck.vendors.detect import (
    DECISIVE,
    FOREIGN,
    FOREIGN_SIGNATURES,
    HEAD_LINES,
    THRESHOLD,
    Candidate,
    Detection,
    Signature,
)

REPO = Path(__file__).resolve().parents[1]


class _OracleLines:
    def __init__(self, text: str) -> None:
        lines = text.lstrip("\ufeff").split("\n")
        self.head = "\n".join(lines[:HEAD_LINES])
        self.by_word: dict[str, list[str]] = {}
        for line in lines:
            words = line.split(None, 1)
            if words:
                self.by_word.setdefault(words[0], []).append(line)

    def text_for(self, words: frozenset[str]) -> str:
        if not words:
            return self.head
        return "\n".join(line for word in sorted(words) for line in self.by_word.get(word, ()))


def oracle_scores(text: str, supported: Sequence[Candidate]) -> dict[str, tuple[int, bool]]:
    lines = _OracleLines(text)
    found: dict[str, tuple[int, bool]] = {}
    for label, signatures in [*supported, *FOREIGN_SIGNATURES.items()]:
        total = 0
        decisive = False
        for signature in signatures:
            if signature.pattern.search(lines.text_for(signature.words)):
                total += signature.weight
                decisive = decisive or signature.weight >= DECISIVE
        found[label] = (total, decisive)
    return found


def oracle_classify(text: str, supported: Sequence[Candidate]) -> Detection:
    found = oracle_scores(text, supported)
    names = tuple(name for name, _ in supported)
    candidate = next((name for name in names if found[name][0] >= THRESHOLD), None)
    foreign = [label for label in FOREIGN if found[label][0] >= THRESHOLD]
    if not foreign:
        return Detection(candidate, supported=names)
    best = max(foreign, key=lambda label: (found[label][0], -FOREIGN.index(label)))
    if candidate is not None and found[candidate][1] and not any(found[label][1] for label in foreign):
        return Detection(candidate, supported=names)
    return Detection(None, best, names)


def same_as_oracle(text: str, supported: Sequence[Candidate] = _CANDIDATES) -> None:
    assert detect.classify(text, supported) == oracle_classify(text, supported)
    assert detect.scores(text, supported) == oracle_scores(text, supported)


def config_files() -> list[Path]:
    roots = [REPO / "device_configs", REPO / "samples", REPO / "tests" / "fixtures", CORPUS]
    return sorted(path for root in roots if root.is_dir() for path in root.rglob("*") if path.is_file())


def test_every_stored_config_is_detected_as_before() -> None:
    files = config_files()
    assert len(files) > 40
    for path in files:
        data = path.read_bytes()
        if b"\0" in data:
            continue
        same_as_oracle(data.decode("utf-8", errors="replace"))


# Lines that carry evidence for every label, and their near misses.
_EVIDENCE = [
    "version 15.2",
    "version 17.3R1.10",
    "set version 20.4R3.8",
    "version 9.3(8)",
    "ASA Version 9.8(4)",
    "boot-start-marker",
    "hostname R1",
    "hostname R1 extra",
    "!",
    "end",
    "interface GigabitEthernet0/1",
    "interface port1.0.1",
    "interface vlan10",
    "interface Ethernet1/1",
    "interface GigaEthernet0.0",
    "interface Gi0/0/0/1",
    " ip address 10.0.0.1 255.255.255.0",
    " ip address 10.0.0.1/24",
    " ipv4 address 10.0.0.1 255.0.0.0",
    "ip route 0.0.0.0 0.0.0.0 10.0.0.2",
    "ip route default gateway pp 1",
    "ip route 10.0.0.0/8 Null0",
    "access-list 101 permit ip any any",
    "access-list 3000 permit ip any any",
    "access-list OUT extended permit ip any any",
    "access-list hardware ACL1",
    " permit tcp any any",
    " nameif inside",
    " security-level 100",
    "access-group OUT in interface outside",
    ": Saved",
    "#config-version=FG100F-7.0.12",
    "config system interface",
    '    edit "port1"',
    "    edit 1",
    "        set ip 10.0.0.1 255.255.255.0",
    "    next",
    "ip lan1 address 192.168.0.1/24",
    "pp select 1",
    "ip filter 100 pass * * * * *",
    "nat descriptor type 1 masquerade",
    "! NEC Portable Internetwork Core Operating System Software",
    "ip ufs-cache enable",
    "   ip napt enable",
    "timezone +09 00",
    "awplus#show running-config",
    "stack virtual-chassis enable",
    "ip dhcp-snooping",
    "service ssh",
    "feature bgp",
    "vrf context management",
    "boot nxos bootflash:nxos.bin",
    "!Command: show running-config",
    "!! IOS XR Configuration 6.1.3",
    "RP/0/RP0/CPU0:xr#",
    "router static",
    "route-policy PASS",
    "end-policy",
    "commit",
    "! device: sw1 (DCS-7050, EOS-4.20)",
    "daemon TerminAttr",
    "transceiver qsfp default-mode 4x10G",
    "system {",
    "interfaces {",
    "    host-name r1;",
    "    family inet {",
    "set system host-name r1",
    "set interfaces ge-0/0/0 unit 0 family inet",
    "deactivate system",
    "## Last commit: 2020-01-01",
    "set deviceconfig system hostname fw",
    "set network interface ethernet1/1",
    "set rulebase security",
    '<config version="9.1.0" urldb="paloaltonetworks">',
    "<devices>",
    "#RANCID-CONTENT-TYPE: juniper",
    "!RANCID-CONTENT-TYPE: cisco",
    "!RANCID-CONTENT-TYPE: arista",
    "Current configuration : 1234 bytes",
    "username admin password 0 x role network-admin",
    "username u password hash abc",
    "control-plane",
    "route-map RM permit 10",
    "line vty 0 4",
    "enable secret 5 x",
    "snmp-server community x",
    "object network OBJ",
    "nat (inside,outside) dynamic interface",
    "same-security-traffic permit inter",
    "route outside 0.0.0.0 0.0.0.0 10.0.0.1 1",
    "logging subsystem all",
    "ipsec autokey-map m",
    "ssh-server ip enable",
    "console character ascii",
    "dns server 8.8.8.8",
    "user attribute x",
    "l2tp service on",
    "# RTX1210 Rev.14.01.38",
    "log host 10.0.0.1",
    "no service telnet",
]
# Fragments that glue, split or disguise lines (a pattern's `\s`, `[^"]` may run across lines).
_NOISE = ["", " ", "\t", "\u3000", "\r", "\ufeff", '"', "edit ", 'edit "x', 'y"', "set ", "  ", "x", "\x0b"]


def fuzzed_text(rng: random.Random) -> str:
    lines: list[str] = []
    for _ in range(rng.randrange(0, 90)):
        roll = rng.random()
        if roll < 0.6:
            line = rng.choice(_EVIDENCE)
        elif roll < 0.8:
            line = rng.choice(_EVIDENCE)
            cut = rng.randrange(len(line) + 1)
            line = line[:cut] + rng.choice(_NOISE) + line[cut:]
        else:
            line = "".join(rng.choice(_NOISE) for _ in range(rng.randrange(4)))
        lines.append(rng.choice(["", "", " ", "\t", "\u3000"]) + line if rng.random() < 0.2 else line)
    text = "\n".join(lines)
    return rng.choice(["", "", "\ufeff", "\ufeff\ufeff"]) + text + rng.choice(["", "\n", "\r\n"])


@pytest.mark.parametrize("seed", range(8))
def test_fuzzed_texts_are_detected_as_before(seed: int) -> None:
    rng = random.Random(seed)
    for _ in range(400):
        same_as_oracle(fuzzed_text(rng))


def test_only_some_candidates_or_names_shadowing_each_other() -> None:
    rng = random.Random(99)
    foreign_named: list[Candidate] = [("Junos", _CANDIDATES[-1][1]), *_CANDIDATES]
    twice: list[Candidate] = [*_CANDIDATES, _CANDIDATES[0]]
    hand_made: list[Candidate] = [("plain", (Signature(frozenset({"hostname"}), re.compile(r"^hostname"), 3),))]
    for supported in (_CANDIDATES[::-1], _CANDIDATES[4:], foreign_named, twice, hand_made, ()):
        for _ in range(150):
            same_as_oracle(fuzzed_text(rng), supported)


def test_a_group_search_rules_out_only_what_cannot_match() -> None:
    """The oracle itself must tell the cases apart: one line of each table's evidence is found."""
    detections = {oracle_classify(line + "\n", _CANDIDATES).vendor for line in _EVIDENCE}
    assert {"cisco_ios", "cisco_asa", "fortios"} <= detections


def test_decisive_evidence_after_the_threshold_still_counts_against_foreign_evidence() -> None:
    """The candidate's score stops early only when no foreign label is recognised: here its
    decisive row comes after the threshold is reached, and a Junos label is recognised too."""
    supported: list[Candidate] = [
        ("mine", detect.signatures(("hostname", r"^hostname", 3), ("end", r"^end", DECISIVE)))
    ]
    text = "hostname r1\nset system host-name r1\nend\n"
    assert oracle_classify(text, supported).vendor == "mine"
    same_as_oracle(text, supported)
