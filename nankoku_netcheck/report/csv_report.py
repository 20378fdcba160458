"""CSV of findings, one row per finding, for spreadsheets: UTF-8 with a byte-order mark
and CRLF line ends, which Excel in Japanese needs to open the file without mojibake.

Cells that a spreadsheet would read as a formula (starting with = + - @) are prefixed with
an apostrophe: config lines are user input and must not run as formulas."""

from __future__ import annotations

import csv
import io

from ..result import Finding, Result
from .common import (
    clause_text,
    displayable,
    hop_text,
    labels,
    permitting_lines,
    rule_clauses,
    start_text,
    zone_name,
)

BOM = "\ufeff"
COLUMNS = (
    "rule",
    "severity",
    "status",
    "from_zone",
    "to_zone",
    "device",
    "message",
    "src",
    "dst",
    "proto",
    "sport",
    "dport",
    "flow_start",
    "flow_class",
    "file",
    "line",
    "text",
    "other_lines",
    "path",
    "baseline",
    "clause",
)
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def render_csv(result: Result, lang: str = "en") -> str:
    result = displayable(result)
    words = labels(lang)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([words[column] for column in COLUMNS])
    clauses = rule_clauses(result)
    for finding in result.findings:
        clause = clause_text(*clauses.get(finding.rule, ("", "")), lang)
        writer.writerow([_safe(cell) for cell in [*_row(result, finding, lang), clause]])
    return BOM + buffer.getvalue()


def _row(result: Result, finding: Finding, lang: str) -> list[str]:
    words = labels(lang)
    flow = finding.flow
    evidence = permitting_lines(finding)
    return [
        finding.rule,
        words[finding.severity],
        words["violated"] if finding.status == "violated" else words["status_inconclusive"],
        zone_name(result, finding.from_zone, lang) if finding.from_zone else "",
        zone_name(result, finding.to_zone, lang) if finding.to_zone else "",
        finding.device,
        finding.message(lang),
        flow.src if flow else "",
        flow.dst if flow else "",
        flow.proto if flow else "",
        _number(flow.sport) if flow else "",
        _number(flow.dport) if flow else "",
        start_text(finding, lang),
        finding.flow_class,
        evidence[0].file if evidence else "",
        str(evidence[0].line) if evidence else "",
        evidence[0].text if evidence else "",
        "\n".join(f"{e.file}:{e.line}: {e.text}" for e in evidence[1:]),
        "\n".join(hop_text(step, lang) for step in finding.path),
        _baseline_cell(finding, lang),
    ]


def _baseline_cell(finding: Finding, lang: str) -> str:
    """Empty without a baseline; else whether the baseline accepts the finding or it is new."""
    if not finding.baseline:
        return ""
    return labels(lang)["accepted_baseline" if finding.accepted else "new_baseline"]


def _number(value: int | None) -> str:
    return "" if value is None else str(value)


def _safe(cell: str) -> str:
    return "'" + cell if cell.startswith(_FORMULA_START) else cell
