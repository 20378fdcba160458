"""Baselines: the findings a team accepts while adopting the tool, so that CI fails only on new ones.

A finding is known by its fingerprint, the value SARIF carries in `partialFingerprints`: the
rule, the zones, the device and the text (not the line numbers) of the lines that let the
packets through, with file paths taken relative to the repository root (the git work tree
holding the topology, else its folder), so that it does not change when lines move or when
the tool runs from another folder. Findings that share a fingerprint are told apart by their
order (`…:2`, `…:3`).

The baseline file is JSON (schema: data/baseline.schema.json), written sorted and without a
timestamp so that a re-recorded baseline differs from the old one exactly where findings came
or went. A baselined finding still appears in every report, marked "accepted (baseline)"; only
the exit code leaves it out. Accepting a *flow* for good remains the job of an exception
(approver, expiry) in the topology: a baseline is for adopting the tool on a network that is
not yet clean.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, replace
from pathlib import PurePath
from typing import Any

from .errors import InputError
from .inputs import find_work_tree, is_inside, read_input
from .redact import redact
from .result import BaselineUse, Finding, Result

BASELINE_SCHEMA_VERSION = 1
# The SARIF partialFingerprints key; a change to what the fingerprint covers needs a new one.
FINGERPRINT_KEY = "nankokuFinding/v1"

ACCEPTED = "unchanged"  # SARIF's baselineState for a finding found in the baseline
NEW = "new"


# --- fingerprints -----------------------------------------------------------------------------


def source_root(topology_path: str) -> str:
    """The repository root of a topology: the git work tree holding it, else its folder."""
    folder = os.path.realpath(os.path.dirname(os.path.abspath(topology_path)))
    return find_work_tree(folder) or folder


def root_relative(path: str, root: str) -> str | None:
    """`path` as reports show it (relative to the working directory, or absolute) as a POSIX
    path relative to `root`; None when it lies outside, is no file (a `REV:path` label of a
    diff) or no root is known."""
    if not root or not path:
        return None
    folder, name = os.path.split(os.path.abspath(path))
    # The folder resolved as the root is, the file itself not: a linked file stays where it is shown.
    resolved = os.path.join(os.path.realpath(folder), name)
    if not is_inside(resolved, root) or not os.path.isfile(resolved):
        return None
    return PurePath(os.path.relpath(resolved, root)).as_posix()


def fingerprint_lines(finding: Finding, root: str = "") -> list[tuple[str, str]]:
    """What a fingerprint covers of the finding's lines: (file from the root, text with runs of
    blanks as one space), sorted, without repeats."""
    from .report.common import permitting_lines  # the report's choice of the lines that let packets through

    return sorted(
        {(root_relative(e.file, root) or e.file, " ".join(redact(e.text).split())) for e in permitting_lines(finding)}
    )


def finding_fingerprint(finding: Finding, root: str = "") -> str:
    """Stable across line moves and working directories (see the module docstring)."""
    lines = fingerprint_lines(finding, root)
    key = json.dumps([finding.rule, finding.from_zone, finding.to_zone, finding.device, lines], ensure_ascii=False)
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def fingerprints(findings: Iterable[Finding], root: str = "") -> list[str]:
    """Each finding's fingerprint, in order; a repeated one gets `:2`, `:3`… in order of appearance."""
    seen: Counter[str] = Counter()
    out = []
    for finding in findings:
        fingerprint = finding_fingerprint(finding, root)
        seen[fingerprint] += 1
        out.append(fingerprint if seen[fingerprint] == 1 else f"{fingerprint}:{seen[fingerprint]}")
    return out


# --- the baseline file ------------------------------------------------------------------------


@dataclass(frozen=True)
class BaselineEntry:
    fingerprint: str
    rule: str
    severity: str = ""
    status: str = ""
    where: str = ""  # "from → to" zones, or the device
    lines: tuple[str, ...] = ()  # "file: text" of the lines the fingerprint covers, for reviewers


@dataclass(frozen=True)
class Baseline:
    path: str  # as given, for messages and reports
    sha256: str
    lines: int
    entries: tuple[BaselineEntry, ...]

    @property
    def fingerprints(self) -> frozenset[str]:
        return frozenset(entry.fingerprint for entry in self.entries)


def read_baseline(path: str) -> Baseline:
    """Read a baseline file; raise InputError (with file and line) for anything that is not one."""
    source = read_input(path, what="baseline file")
    try:
        record = json.loads(source.text)
    except json.JSONDecodeError as error:
        raise InputError.single(path, error.lineno, f"not valid JSON: {error.msg} (expected a baseline file)") from None
    except (ValueError, RecursionError):  # an integer too long to convert, nesting too deep
        raise InputError.single(path, 0, "not a baseline file: a value cannot be read") from None
    return Baseline(path, source.sha256, len(source.lines), _entries(record, path))


def _entries(record: Any, path: str) -> tuple[BaselineEntry, ...]:
    if not isinstance(record, dict):
        raise _bad(path, "not a baseline file: expected a JSON object")
    version = record.get("schema_version")
    if type(version) is not int or version != BASELINE_SCHEMA_VERSION:
        raise _bad(path, f"unsupported baseline schema_version {_shown(version)} (this version reads 1)")
    if record.get("fingerprint") != FINGERPRINT_KEY:
        raise _bad(path, f'fingerprint must be "{FINGERPRINT_KEY}", not {_shown(record.get("fingerprint"))}')
    findings = record.get("findings")
    if not isinstance(findings, list):
        raise _bad(path, "findings must be a list")
    return tuple(_entry(item, f"findings[{index}]", path) for index, item in enumerate(findings))


def _entry(item: Any, where: str, path: str) -> BaselineEntry:
    if not isinstance(item, dict) or not _is_text(item.get("fingerprint")) or not _is_text(item.get("rule")):
        raise _bad(path, f"{where} needs a text fingerprint and rule")
    fields = {key: item.get(key, "") for key in ("severity", "status", "where")}
    lines = item.get("lines", [])
    if not all(isinstance(value, str) for value in fields.values()):
        raise _bad(path, f"{where}: severity, status and where must be text")
    if not isinstance(lines, list) or not all(isinstance(line, str) for line in lines):
        raise _bad(path, f"{where}: lines must be a list of text")
    return BaselineEntry(item["fingerprint"], item["rule"], lines=tuple(lines), **fields)


def _bad(path: str, message: str) -> InputError:
    return InputError.single(path, 0, message + " (write one with verify --write-baseline FILE)")


def _shown(value: Any) -> str:
    """A JSON value quoted in a message, cut short: the file may hold anything."""
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= 40 else text[:40] + "…"


def _is_text(value: Any) -> bool:
    return isinstance(value, str) and bool(value)


def baseline_record(result: Result) -> dict[str, Any]:
    """The baseline that accepts every finding of `result`, as a JSON-ready record."""
    entries = [
        {
            "fingerprint": fingerprint,
            "rule": finding.rule,
            "severity": finding.severity,
            "status": finding.status,
            "where": _where(finding),
            "lines": [f"{file}: {text}" for file, text in fingerprint_lines(finding, result.source_root)],
        }
        for finding, fingerprint in zip(result.findings, fingerprints(result.findings, result.source_root), strict=True)
    ]
    return {
        "schema_version": BASELINE_SCHEMA_VERSION,
        "fingerprint": FINGERPRINT_KEY,
        "tool": {"name": result.tool_name, "version": result.tool_version},
        "network": result.network_name,
        "findings": sorted(entries, key=lambda entry: (entry["fingerprint"], entry["rule"])),
    }


def _where(finding: Finding) -> str:
    if finding.from_zone or finding.to_zone:
        return f"{finding.from_zone or '?'} → {finding.to_zone or '?'}"
    return finding.device


def baseline_text(result: Result) -> str:
    from .report.common import json_text

    return json_text(baseline_record(result), indent=2, sort_keys=True) + "\n"


def apply_baseline(result: Result, baseline: Baseline) -> Result:
    """`result` with each finding marked accepted (in the baseline) or new, and the count of
    baseline entries that no longer occur."""
    known = baseline.fingerprints
    found = fingerprints(result.findings, result.source_root)
    marked = tuple(
        replace(finding, baseline=ACCEPTED if fingerprint in known else NEW)
        for finding, fingerprint in zip(result.findings, found, strict=True)
    )
    use = BaselineUse(
        file=baseline.path,
        accepted=sum(1 for finding in marked if finding.baseline == ACCEPTED),
        new=sum(1 for finding in marked if finding.baseline == NEW),
        absent=len(known - set(found)),
    )
    return replace(result, findings=marked, baseline=use)
