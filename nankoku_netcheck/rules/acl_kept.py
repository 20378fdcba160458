"""What the ACL rules keep between runs (issue #20): the answers of a rule about one device
whose findings depend on that device's model alone, so that a re-run after an edit of one
device costs these rules (almost) nothing for the others.

One record per rule in the packet space's store (reach/store.py: authenticated like every
other record), keyed by the rule and the source of the whole package (any change of code
recomputes everything), holding for each device its fingerprint (`Fingerprints.device`:
the hash of its whole model, its own config path left out), its config path (findings
quote it: an answer is re-used only under the same path) and its answers by question; and
the entry before it of another model or path (`ENTRIES_PER_DEVICE`: `diff` reads one side
under the revision's paths, the other under the working tree's).
One record rather than one per device: a thousand files cost more to read than one.

An answer is re-used only when the device's fingerprint and path are the ones it was
computed for — but for "no findings", which holds under any path for the same model (see
`findings_of_each`), and for the answers of a rule that keeps no paths (`any_path`); a
record or an answer of the wrong shape is never read (the caller recomputes). Without a
store or fingerprints nothing is kept and everything is computed.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ..cache import PACKAGE, source_fingerprint
from ..codec import Codec, DecodeError, EncodeError
from ..model import Device
from ..reach.store import BddStore
from ..result import Finding
from .flows import FlowContext

RECORD_KIND = "acl-kept"


@functools.cache
def code_fingerprint() -> str:
    """Every source file of the package: what the kept answers were computed by."""
    return source_fingerprint(*sorted(path.relative_to(PACKAGE).as_posix() for path in PACKAGE.rglob("*.py")))


@dataclass(frozen=True)
class KeptFindings:
    """A device's findings of one rule, in parts (ACL-002: those on ACLs, those on policies)."""

    parts: tuple[tuple[Finding, ...], ...]


@functools.cache
def _findings_codec() -> Codec:
    return Codec(KeptFindings)


# A device's entry: (fingerprint, config path, answers by question).
Entry = tuple[str, str, dict[str, Any]]
# How many entries a device keeps: the one of this run and the one before it of another
# model or path, so that `diff`, whose two sides show the same unchanged config under two
# paths (the revision's export and the working tree), finds both sides' answers.
ENTRIES_PER_DEVICE = 2


class DeviceKept:
    """One rule's kept answers: read once when made, written by `save` when anything changed."""

    def __init__(self, ctx: FlowContext, rule: str, by_structure: bool = False, any_path: bool = False) -> None:
        """`by_structure`: the answers rest on the network's structure too (where a device's
        interfaces lead): kept only while the structure fingerprint is the same. `any_path`: the
        answers name no path (indexes into the device's model, as ACL-004's), so an entry of the
        same model under another path is read as this run's (`diff`'s first side after a
        `verify` would otherwise compute every device again, about a second on the 1,000-device
        city, hashing the firewalls' long lists)."""
        self._store = ctx.space.store if ctx.fingerprints is not None else None
        self._key = ""
        self._entries: dict[str, Entry] = {}
        # Per device, the entries kept besides this run's (of other models or paths).
        self._others: dict[str, list[Entry]] = {}
        self._changed = False
        if self._store is None or ctx.fingerprints is None:
            return
        structure = ctx.fingerprints.structure if by_structure else ""
        self._key = BddStore.key(RECORD_KIND, (rule, code_fingerprint(), structure), ctx.space.layout)
        old = _entries(self._store.get_record(self._key))
        self._changed = old is None or not set(old) <= set(ctx.network.devices)
        for name, device in ctx.network.devices.items():
            found = ctx.fingerprints.device(name)
            if found is None:
                continue
            kept = (old or {}).get(name, [])
            same = [entry for entry in kept if entry[0] == found and entry[1] == device.source_file]
            if not same and any_path:
                # Left under its path: the record is not written again for a path alone.
                same = [entry for entry in kept if entry[0] == found]
            if same:
                self._entries[name] = same[0]
            else:
                self._entries[name] = (found, device.source_file, {})
                self._changed = True
            others = [entry for entry in kept if entry is not self._entries[name]]
            self._others[name] = others[: ENTRIES_PER_DEVICE - 1]

    def empty_elsewhere(self, name: str, question: str, empty: Any) -> bool:
        """Whether the device's model, under the other path kept, answered `empty` (no
        findings): then it has none under this path either (`findings_of_each`)."""
        entry = self._entries.get(name)
        return entry is not None and any(
            other[0] == entry[0] and other[2].get(question) == empty for other in self._others.get(name, [])
        )

    def get(self, name: str, question: str) -> Any | None:
        """The answer kept for the device (as JSON), None when there is none."""
        entry = self._entries.get(name)
        return None if entry is None else entry[2].get(question)

    def put(self, name: str, question: str, answer: Any) -> None:
        entry = self._entries.get(name)
        if entry is not None:
            entry[2][question] = answer
            self._changed = True

    def save(self) -> None:
        if self._store is not None and self._changed:
            record = {
                name: [list(entry), *(list(other) for other in self._others.get(name, []))]
                for name, entry in sorted(self._entries.items())
            }
            self._store.put_record(self._key, record)
            self._changed = False


def _entries(record: object) -> dict[str, list[Entry]] | None:
    if not isinstance(record, dict):
        return None
    found: dict[str, list[Entry]] = {}
    for name, entries in record.items():
        if not isinstance(entries, list) or not 1 <= len(entries) <= ENTRIES_PER_DEVICE:
            return None
        for entry in entries:
            if not (
                isinstance(entry, list)
                and len(entry) == 3
                and isinstance(entry[0], str)
                and isinstance(entry[1], str)
                and isinstance(entry[2], dict)
            ):
                return None
        found[name] = [(entry[0], entry[1], entry[2]) for entry in entries]
    return found


FINDINGS = "findings"


def read_findings(answer: Any, parts: int) -> list[list[Finding]] | None:
    """Findings `write_findings` wrote, None for anything else."""
    if answer is None:
        return None
    if answer == _no_findings(parts):
        # most devices have none: their answer is not run through the codec
        return [[] for _ in range(parts)]
    try:
        kept: KeptFindings = _findings_codec().loads(json.dumps(answer).encode("utf-8"))
    except DecodeError:
        return None
    if len(kept.parts) != parts:
        return None
    return [list(part) for part in kept.parts]


@functools.cache
def _no_findings(parts: int) -> Any:
    return write_findings([[] for _ in range(parts)])


def write_findings(found: list[list[Finding]]) -> Any | None:
    """The JSON form of a device's findings; None when they cannot be written (then not kept)."""
    try:
        return json.loads(_findings_codec().dumps(KeptFindings(tuple(tuple(part) for part in found))))
    except EncodeError:
        return None


# The devices (sorted by name) not kept -> their findings in parts.
Compute = Callable[[list[tuple[str, Device]]], dict[str, list[list[Finding]]]]


def findings_of_each(
    ctx: FlowContext, rule: str, parts: int, compute: Compute, by_structure: bool = False
) -> list[list[list[Finding]]]:
    """Each device's findings of `rule` (sorted by device name), in `parts` parts: kept ones
    read back, the others computed together by `compute` (and kept). `by_structure`: see
    `DeviceKept`."""
    kept = DeviceKept(ctx, rule, by_structure)
    names = sorted(ctx.network.devices)
    found: dict[str, list[list[Finding]]] = {}
    for name in names:
        read = read_findings(kept.get(name, FINDINGS), parts)
        if read is None and kept.empty_elsewhere(name, FINDINGS, _no_findings(parts)):
            # The rules read a device's config path only to quote it (and, within the device,
            # to compare sources, all of which a move to another path moves alike): a model
            # with no findings under one path has none under another. So the first `diff`
            # after a `verify` checks only the revision's devices that have findings.
            read = [[] for _ in range(parts)]
            kept.put(name, FINDINGS, _no_findings(parts))
        if read is not None:
            found[name] = read
    missing = [(name, ctx.network.devices[name]) for name in names if name not in found]
    computed = compute(missing) if missing else {}
    for name, _ in missing:
        found[name] = computed.get(name) or [[] for _ in range(parts)]
        answer = write_findings(found[name])
        if answer is not None:
            kept.put(name, FINDINGS, answer)
    kept.save()
    return [found[name] for name in names]


def flattened(each: list[list[list[Finding]]], part: int) -> list[Finding]:
    return [finding for parts in each for finding in parts[part]]
