"""Markdown summary for a merge-request comment or `$GITHUB_STEP_SUMMARY`: verdict, the
rule table and each finding folded in a <details> block. Long results are cut at
MAX_FINDINGS so the comment stays within the host's size limit; the cut is stated."""

from __future__ import annotations

import html

from ..result import Finding, Result
from ..wording import count_of
from .common import (
    certificate_more,
    certificate_view,
    clause_text,
    cut_filter_title,
    cut_filters,
    cut_more,
    displayable_of_redacted,
    flow_text,
    hop_text,
    labels,
    permitting_lines,
    redacted,
    severity_label,
    start_text,
    verdict_label,
    zone_name,
)
from .json_report import redacted_result_sha256, result_sha256
from .wording import absence_text, localized, role_text

MAX_FINDINGS = 50
MAX_LINES_PER_FINDING = 12

_ICONS = {"pass": "✅", "fail": "❌", "inconclusive": "⚠️", "warn": "⚠️"}

_WORDS = {
    "en": {
        "summary": "**{violated}** violated, **{inconclusive}** inconclusive",
        "unknown": "{count} not understood (META-001)",
        "baseline": "baseline `{file}`: **{accepted}** accepted (baseline), **{new}** new, {absent} no longer found",
        "certificates": "Isolation certificates",
    },
    "ja": {
        "summary": "違反 **{violated}** 件、判定不能 **{inconclusive}** 件",
        "certificates": "分離の証明",
        "cut_summary": "フィルタ {filters} 個、{lines} 行",
        "unknown": "解釈できない設定行 {count} 行（META-001）",
        "baseline": "ベースライン `{file}`: 受入済み（ベースライン） **{accepted}** 件、新規 **{new}** 件、"
        "見つからなくなったもの {absent} 件",
    },
}


def render_markdown(result: Result, lang: str = "en", digest: str | None = None) -> str:
    """`digest`: the result's `result_sha256` when the caller already has it."""
    # the digest is of the result as analysed, not as translated for display
    exact = redacted(result)
    display = displayable_of_redacted(exact)
    if display != exact:
        digest = result_sha256(display)
    elif digest is None:
        digest = redacted_result_sha256(exact)
    result = localized(display, lang)
    words = labels(lang)
    extra = _WORDS["ja" if lang == "ja" else "en"]
    violated = sum(1 for f in result.findings if f.status == "violated")
    inconclusive = sum(1 for f in result.findings if f.status == "inconclusive")
    out = [
        f"## {_ICONS[result.verdict]} {result.tool_name}: {words[result.verdict]} — {_inline(result.network_name)}",
        "",
        " · ".join(
            [
                extra["summary"].format(violated=violated, inconclusive=inconclusive),
                f"{words['policy']} `{result.policy}`",
                f"{result.tool_name} {result.tool_version}",
                result.generated_at,
            ]
        ),
        "",
    ]
    if result.baseline is not None:
        use = result.baseline
        shown = extra["baseline"].format(
            file=use.file.replace("`", "'"), accepted=use.accepted, new=use.new, absent=use.absent
        )
        out += [f"> {shown}", ""]
    unknown = sum(record.unknown_forwarding for record in result.inputs)
    if unknown:
        shown = str(unknown) if lang == "ja" else count_of(unknown, "config line")
        out += [f"> {extra['unknown'].format(count=shown)}", ""]
    out += [
        f"| {words['rule']} | {words['verdict']} | {words['violated_count']} | {words['inconclusive_count']} "
        f"| {words['title']} | {words['clause']} |",
        "|---|---|--:|--:|---|---|",
    ]
    for verdict in result.rules:
        title = verdict.title_ja if lang == "ja" else verdict.title_en
        clause = clause_text(verdict.clause, verdict.guideline, lang)
        out.append(
            f"| {verdict.rule} | {_ICONS[verdict.verdict]} {verdict_label(result, verdict, lang)} | {verdict.violated} "
            f"| {verdict.inconclusive} | {_cell(title)} | {_cell(clause)} |"
        )
    out += ["", f"### {words['findings']}", ""]
    if not result.findings:
        out.append(words["none"])
    for finding in result.findings[:MAX_FINDINGS]:
        out += _finding(result, finding, lang)
    if len(result.findings) > MAX_FINDINGS:
        out.append(words["more"].format(count=len(result.findings) - MAX_FINDINGS))
    out += _certificates(result, lang)
    out += ["", f"<sub>{words['integrity']}: <code>{digest}</code></sub>"]
    if result.command:
        out += ["", f"<sub>{words['command']}: <code>{html.escape(result.command)}</code></sub>"]
    return "\n".join(out) + "\n"


def _finding(result: Result, finding: Finding, lang: str) -> list[str]:
    words = labels(lang)
    where = ""
    if finding.from_zone or finding.to_zone:
        where = (
            f" · {html.escape(zone_name(result, finding.from_zone, lang))} → "
            f"{html.escape(zone_name(result, finding.to_zone, lang))}"
        )
    elif finding.device:
        where = f" · {html.escape(finding.device)}"
    status = words["violated"] if finding.status == "violated" else words["status_inconclusive"]
    if finding.accepted:
        status += f", {words['accepted_baseline']}"
    lines = [
        f"<details><summary><b>{finding.rule}</b> {severity_label(finding.severity, lang)} ({status}){where}</summary>",
        "",
        _inline(finding.message(lang)),
        "",
    ]
    if finding.flow is not None:
        lines.append(f"- {words['example']}: {_code(flow_text(finding.flow))}")
    if finding.flow_start:
        lines.append(f"- {words['flow_start']}: {html.escape(start_text(finding, lang))}")
    if finding.path:
        lines.append(f"- {words['path']}:")
        lines += [f"  - {_code(hop_text(step, lang))}" for step in finding.path]
    evidence = permitting_lines(finding)
    if evidence:
        lines.append(f"- {words['permitting'] if finding.flow else words['evidence']}:")
        for item in evidence[:MAX_LINES_PER_FINDING]:
            lines.append(f"  - {_code(f'{item.file}:{item.line}')} {_code(item.text) if item.text else ''}".rstrip())
        if len(evidence) > MAX_LINES_PER_FINDING:
            lines.append(f"  - … (+{len(evidence) - MAX_LINES_PER_FINDING})")
    lines += ["", "</details>", ""]
    return lines


def _certificates(result: Result, lang: str) -> list[str]:
    """Each isolated pair folded in a <details> block: the filters of its cut as the text
    report lists them (at most CUT_LINES_PER_PAIR lines; the JSON report has every line)."""
    if not result.certificates:
        return []
    extra = _WORDS["ja" if lang == "ja" else "en"]
    lines = ["", f"### {extra['certificates']}", ""]
    for certificate in result.certificates:
        view = certificate_view(certificate)
        cuts = cut_filters(certificate)
        pair = f"{zone_name(result, certificate.from_zone, lang)} → {zone_name(result, certificate.to_zone, lang)}"
        cited = (
            extra["cut_summary"].format(filters=len(cuts), lines=len(certificate.lines))
            if lang == "ja"
            else f"{count_of(len(cuts), 'filter')}, {count_of(len(certificate.lines), 'line')}"
        )
        lines += [f"<details><summary>{html.escape(pair)} · {cited}</summary>", ""]
        for cut in view.filters:
            lines.append(f"- {_inline(cut_filter_title(cut, lang))}")
            for item in (cut.binding, *cut.shown) if cut.binding else cut.shown:
                where = _code(f"{item.file}:{item.line}")
                lines.append(f"  - {where} {_code(item.text)} ({_inline(role_text(item.role, lang))})")
            if cut.more:
                lines.append(f"  - {_inline(cut_more(cut, lang))}")
        if view.more_filters:
            lines.append(f"- {_inline(certificate_more(view, lang))}")
        if certificate.route_absences:
            absences = "; ".join(absence_text(a, lang) for a in certificate.route_absences)
            lines.append(f"- {_inline(absences)}")
        lines += ["", "</details>", ""]
    return lines


def _code(text: str) -> str:
    """An inline code span that survives backticks in the text."""
    fence = "``" if "`" in text else "`"
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def _inline(text: str) -> str:
    """Plain text in Markdown: HTML and emphasis characters escaped."""
    escaped = html.escape(text, quote=False)
    for character in "\\`*_[]|":
        escaped = escaped.replace(character, "\\" + character)
    return escaped.replace("\n", "  \n")


def _cell(text: str) -> str:
    return _inline(text)
