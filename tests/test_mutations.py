"""Single-line edits of the compliant sample (topologies/nankoku.yaml) must never pass when
the device they describe could have an open path.

Edits: (a) emptying each ACL (deleting its entries, or replacing them with one remark),
(b) a Unicode space (U+3000, U+00A0, U+2003) in place of an ASCII space in each line that
binds or defines filtering or forwarding, (c) deleting a line.

Oracle: the device's configuration after the edit, written in plain syntax the tool reads
without doubt (`device_view`): a line the device rejects is deleted (with the lines indented
under it), and a binding of an ACL with no entries is deleted (IOS permits everything
through it; on the ASA the binding of an undefined ACL is refused, and one with only
remarks is taken to permit everything, which can only be more than no binding). An edit
may yield "pass" only if its device view passes too. Only the ZONE rules and META-001 run,
and unchanged files keep their parsed devices, so that the suite stays fast. The binding
lines are edited exhaustively for (a) and (c), one Unicode space kind per line for (b)
(all three on access-group lines), and (c) also deletes a deterministic sample of the
other lines; NANKOKU_EXPLORE=1 tries every kind at every space and deletes every line.
"""

from __future__ import annotations

import os
import random
import re
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path

import pytest

from nankoku_netcheck.analyze import Loaded, applicable_rules, flow_context, load
from nankoku_netcheck.errors import InputError
from nankoku_netcheck.graph import build_network
from nankoku_netcheck.model import DeviceEntry
from nankoku_netcheck.parse import parse_config
from nankoku_netcheck.reach.packets import PacketSpace
from nankoku_netcheck.result import Result
from nankoku_netcheck.rules import ZONE_RULES, rule_by_id
from nankoku_netcheck.topology import check_references

ROOT = Path(__file__).resolve().parents[1]
TOPOLOGY = ROOT / "topologies" / "nankoku.yaml"
EXPLORE = os.environ.get("NANKOKU_EXPLORE") == "1"
RULES = (*ZONE_RULES, rule_by_id("META-001"))
SPACES = ("\u3000", "\u00a0", "\u2003")
SAMPLED_DELETIONS = 40  # other lines deleted per run outside explore mode

# Lines that bind or define filtering or forwarding (their first words, lower case).
_BINDING = re.compile(r"^(?:ip access-group|access-group|ip route|route|ip address|access-list|ip access-list) ")
_ACCESS_GROUP = re.compile(r"^(?:ip )?access-group ")
_IOS_BINDING = re.compile(r"^ip access-group (\S+) (?:in|out)$")
_ASA_BINDING = re.compile(r"^access-group (\S+) ")
_NAMED_ACL = re.compile(r"^ip access-list (?:standard|extended) (\S+)$")
_LISTED_ACL = re.compile(r"^access-list (\S+) (\S+)")


@dataclass(frozen=True)
class Mutation:
    kind: str  # empty-acl | remark-acl | unicode-space | delete
    file: str
    what: str
    lines: tuple[str, ...]  # the edited file
    rejected: tuple[int, ...] = ()  # indexes of lines the device rejects

    def __str__(self) -> str:
        return f"{self.kind} {self.file}: {self.what}"


def _depth(line: str) -> int:
    return len(line) - len(line.lstrip(" \t"))


def _block(lines: tuple[str, ...], index: int) -> list[int]:
    """`index` and the lines indented under it."""
    depth = _depth(lines[index])
    block = [index]
    for following in range(index + 1, len(lines)):
        text = lines[following]
        if text.strip(" \t") and _depth(text) <= depth:
            break
        block.append(following)
    return block


def _without(lines: tuple[str, ...], indexes: set[int]) -> tuple[str, ...]:
    return tuple(line for index, line in enumerate(lines) if index not in indexes)


def device_view(lines: tuple[str, ...], rejected: tuple[int, ...], firewall: bool) -> tuple[str, ...]:
    """What the device ends up with, in plain syntax (see the module docstring)."""
    dropped = {child for index in rejected for child in _block(lines, index)}
    lines = _without(lines, dropped)
    entries: dict[str, int] = {}  # ACL name → number of entries
    for index, line in enumerate(lines):
        stripped = line.strip(" \t")
        named = _NAMED_ACL.match(stripped)
        if named and not firewall:
            children = [lines[child].strip(" \t") for child in _block(lines, index)[1:]]
            count = sum(1 for child in children if child and not child.startswith(("remark", "!")))
            entries[named.group(1)] = entries.get(named.group(1), 0) + count
            continue
        listed = _LISTED_ACL.match(stripped)
        if listed and line == stripped:
            entries[listed.group(1)] = entries.get(listed.group(1), 0) + (listed.group(2).lower() != "remark")
    binding = _ASA_BINDING if firewall else _IOS_BINDING
    unbound = set()
    for index, line in enumerate(lines):
        match = binding.match(line.strip(" \t"))
        if match and not entries.get(match.group(1)):
            unbound.add(index)
    return _without(lines, unbound)


def _acl_mutations(file: str, lines: tuple[str, ...]) -> Iterator[Mutation]:
    names: dict[str, list[int]] = {}
    for index, line in enumerate(lines):
        named = _NAMED_ACL.match(line)
        if named:
            entries = [child for child in _block(lines, index)[1:] if lines[child].strip(" \t")]
            emptied = _without(lines, set(entries))
            yield Mutation("empty-acl", file, named.group(1), emptied)
            yield Mutation(
                "remark-acl", file, named.group(1), (*emptied[: index + 1], " remark emptied", *emptied[index + 1 :])
            )
            continue
        listed = _LISTED_ACL.match(line)
        if listed:
            names.setdefault(listed.group(1), []).append(index)
    for name, indexes in names.items():
        yield Mutation("empty-acl", file, name, _without(lines, set(indexes)))
        first = indexes[0]
        edited = list(_without(lines, set(indexes[1:])))
        edited[first] = f"access-list {name} remark emptied"
        yield Mutation("remark-acl", file, name, tuple(edited))


def _space_positions(line: str) -> list[int]:
    """Positions of ASCII spaces between two words."""
    return [
        i
        for i, c in enumerate(line)
        if c == " " and 0 < i < len(line) - 1 and line[i - 1] not in " \t" and line[i + 1] not in " \t"
    ]


def _space_mutations(file: str, lines: tuple[str, ...], serial: list[int]) -> Iterator[Mutation]:
    for index, line in enumerate(lines):
        if not _BINDING.match(line.strip(" \t")):
            continue
        positions = _space_positions(line)
        if EXPLORE:
            choices = [(space, position) for space in SPACES for position in positions]
        elif _ACCESS_GROUP.match(line.strip(" \t")):
            choices = [(space, positions[n % len(positions)]) for n, space in enumerate(SPACES)]
        else:
            serial[0] += 1
            choices = [(SPACES[serial[0] % len(SPACES)], positions[serial[0] % len(positions)])]
        for space, position in choices:
            edited = line[:position] + space + line[position + 1 :]
            yield Mutation(
                "unicode-space",
                file,
                f"line {index + 1}: {edited!r}",
                (*lines[:index], edited, *lines[index + 1 :]),
                (index,),
            )


def _deletions(file: str, lines: tuple[str, ...], chosen: set[int]) -> Iterator[Mutation]:
    for index in sorted(chosen):
        yield Mutation("delete", file, f"line {index + 1}: {lines[index]!r}", _without(lines, {index}))


@dataclass
class Sample:
    """The parsed sample and the verdicts of edited copies (an unchanged file keeps its device)."""

    loaded: Loaded = field(default_factory=lambda: load(str(TOPOLOGY)))
    space: PacketSpace = field(default_factory=PacketSpace)
    verdicts: dict[tuple[str, tuple[str, ...]], str] = field(default_factory=dict)

    def entry(self, file: str) -> DeviceEntry:
        return next(e for e in self.loaded.topology.devices if Path(e.config_path).name == file)

    def files(self) -> dict[str, tuple[str, ...]]:
        return {Path(e.config_path).name: self.loaded.configs[e.name].lines for e in self.loaded.topology.devices}

    def firewall(self, file: str) -> bool:
        return self.loaded.devices[self.entry(file).name].stateful

    def verdict(self, file: str, lines: tuple[str, ...]) -> str:
        key = (file, lines)
        if key not in self.verdicts:
            self.verdicts[key] = self._verdict(file, lines)
        return self.verdicts[key]

    def _verdict(self, file: str, lines: tuple[str, ...]) -> str:
        entry = self.entry(file)
        try:
            device = parse_config("\n".join(lines) + "\n", entry.config_display, entry.vendor)
        except InputError:
            return "input-error"
        device.name = entry.name
        devices = {**self.loaded.devices, entry.name: device}
        if check_references(self.loaded.topology, devices):
            return "input-error"
        loaded = replace(self.loaded, devices=devices, network=build_network(self.loaded.topology, devices))
        # The rules as analyze_loaded runs them, without the isolation certificates (half the
        # time of a run; they do not change the verdict).
        context = flow_context(loaded, self.space)
        findings = []
        for rule in applicable_rules(loaded.topology, RULES):
            context.rules_run.add(rule.id)
            findings.extend(rule.check(context))
        return Result("", "", "", "", "", "", "", (), tuple(findings), (), ()).verdict


def mutations(sample: Sample) -> list[Mutation]:
    result: list[Mutation] = []
    serial = [0]
    chooser = random.Random(13)
    for file, lines in sample.files().items():
        result.extend(_acl_mutations(file, lines))
        result.extend(_space_mutations(file, lines, serial))
        binding = {i for i, line in enumerate(lines) if _BINDING.match(line.strip(" \t"))}
        others = sorted(i for i, line in enumerate(lines) if i not in binding and line.strip(" \t"))
        if EXPLORE:
            chosen = binding | set(others)
        else:
            chosen = binding | set(chooser.sample(others, min(len(others), SAMPLED_DELETIONS // 9 + 1)))
        result.extend(_deletions(file, lines, chosen))
    return result


def wrong_passes(sample: Sample, tried: list[Mutation]) -> list[Mutation]:
    wrong = []
    for mutation in tried:
        if sample.verdict(mutation.file, mutation.lines) != "pass":
            continue
        truth = device_view(mutation.lines, mutation.rejected, sample.firewall(mutation.file))
        if sample.verdict(mutation.file, truth) != "pass":
            wrong.append(mutation)
    return wrong


@pytest.fixture(scope="module")
def sample() -> Sample:
    return Sample()


def test_the_unedited_sample_passes(sample: Sample) -> None:
    assert all(sample.verdict(file, lines) == "pass" for file, lines in sample.files().items())


def test_device_view_deletes_rejected_lines_and_bindings_of_empty_acls() -> None:
    ios = (
        "interface Gi0/1",
        " ip access-group A in",
        " ip access-group B out",
        "ip access-list extended A",
        " remark none yet",
        "ip access-list extended B",
        " deny ip any any",
    )
    assert device_view(ios, (), firewall=False) == tuple(line for line in ios if line != " ip access-group A in")
    assert device_view(ios, (5,), firewall=False) == ios[:1] + ios[3:5]
    asa = (
        "access-list IN remark later",
        "access-group IN in interface inside",
        "access-list OUT extended deny ip any any",
        "access-group OUT out interface inside",
        "access-group GONE in interface outside",
    )
    assert device_view(asa, (), firewall=True) == (asa[0], asa[2], asa[3])


def test_the_edits_cover_every_binding_line(sample: Sample) -> None:
    tried = mutations(sample)
    files = sample.files()
    binding = {
        (f, i) for f, lines in files.items() for i, line in enumerate(lines) if _BINDING.match(line.strip(" \t"))
    }
    spaced = {(m.file, m.rejected[0]) for m in tried if m.kind == "unicode-space"}
    deleted = {(m.file, int(m.what.split(":")[0].split()[1]) - 1) for m in tried if m.kind == "delete"}
    assert binding and binding <= spaced and binding <= deleted
    acls = {(m.file, m.what) for m in tried if m.kind == "empty-acl"}
    assert ("mn-gw.cfg", "MN-BB-IN") in acls and ("inet-fw.cfg", "BACKBONE_access_in") in acls
    assert {m.kind for m in tried} == {"empty-acl", "remark-acl", "unicode-space", "delete"}


def test_no_single_line_edit_passes_when_the_device_could_have_an_open_path(sample: Sample) -> None:
    tried = mutations(sample)
    wrong = wrong_passes(sample, tried)
    assert [str(m) for m in wrong] == []
