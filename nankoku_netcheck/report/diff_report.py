"""Renderers for a change review (`diff`): plain text and JSON."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from ..diff import DiffResult
from ..result import Finding
from .common import displayable_value, json_text, severity_label
from .json_report import SCHEMA_VERSION, finding_to_dict
from .wording import fate_text, localized_finding, packet_class_text


def render_diff_text(diff: DiffResult, lang: str = "en") -> str:
    ja = lang == "ja"
    diff = displayable_value(diff)
    lines: list[str] = []
    words = {"allowed": "新たに許可" if ja else "NEWLY ALLOWED", "blocked": "新たに遮断" if ja else "NEWLY BLOCKED"}
    for side, source, routing in diff.exhausted:
        if ja:
            when, how = "変更前" if side == "before" else "変更後", "経路どおり" if routing else "経路を無視"
            lines.append(
                f"判定不能: {when}の {source} からの探索（{how}）が作業量の上限に達しました。"
                "変化の一部しか示せていません（META-003、--budget を参照）。"
            )
        else:
            how = "routing followed" if routing else "routing ignored"
            lines.append(
                f"INCONCLUSIVE: the search from {source} ({how}) {side} the change ran out of budget: "
                "the changes below may be incomplete (see META-003, --budget)."
            )
    if not diff.changes and not diff.exhausted:
        lines.append("ゾーン間の通信に変化はありません" if ja else "No change in what crosses between zones.")
    for change in diff.changes:
        before = "変更前" if ja else "before"
        after = "変更後" if ja else "after"
        lines.append(
            f"{words[change.change]:<14} {change.from_label} → {change.to_label}  "
            f"{packet_class_text(change.flow_class, lang)}  "
            f"({before}: {fate_text(change.before, lang)}; {after}: {fate_text(change.after, lang)})"
        )
        lines.append(
            f"    {'例' if ja else 'example'}: {change.example.proto} {change.example.src} → "
            f"{change.example.dst}" + (f":{change.example.dport}" if change.example.dport is not None else "")
        )
        if change.violates:
            lines.append(f"    {'違反' if ja else 'violates'}: {', '.join(change.violates)}")
        for evidence in change.responsible:
            side = {"before": "変更前" if ja else "before", "after": "変更後" if ja else "after"}.get(
                evidence.role, evidence.role
            )
            lines.append(f"    {side} {evidence.file}:{evidence.line}  {evidence.text}")
    for title_en, title_ja, items in (
        ("devices added", "追加された機器", diff.devices_added),
        ("devices removed", "削除された機器", diff.devices_removed),
        ("segments added", "追加されたセグメント", diff.segments_added),
        ("segments removed", "削除されたセグメント", diff.segments_removed),
    ):
        if items:
            lines.append(f"{title_ja if ja else title_en}: {', '.join(items)}")
    lines.append("")
    for title_en, title_ja, findings in (
        ("new findings", "新たな検出事項", diff.new_findings),
        ("fixed findings", "解消した検出事項", diff.fixed_findings),
    ):
        lines.append(f"{title_ja if ja else title_en}: {len(findings)}")
        shown = [localized_finding(f, lang) for f in findings]
        lines += [f"  {f.rule} {severity_label(f.severity, lang)} {f.message(lang)}" for f in shown]
    lines.append(f"{'変化なしの検出事項' if ja else 'unchanged findings'}: {len(diff.unchanged_findings)}")
    return "\n".join(lines) + "\n"


def diff_to_dict(diff: DiffResult, lang: str = "en") -> dict[str, Any]:
    def findings(items: tuple[Finding, ...]) -> list[dict[str, Any]]:
        return [finding_to_dict(f, lang) for f in items]

    return {
        "schema_version": SCHEMA_VERSION,
        "tool": {"name": diff.after.tool_name, "version": diff.after.tool_version},
        "generated_at": diff.after.generated_at,
        "before": {
            "topology": diff.before.topology,
            "verdict": diff.before.verdict,
            "inputs": [{"path": i.path, "sha256": i.sha256} for i in diff.before.inputs],
        },
        "after": {
            "topology": diff.after.topology,
            "verdict": diff.after.verdict,
            "inputs": [{"path": i.path, "sha256": i.sha256} for i in diff.after.inputs],
        },
        "changes": [
            {
                **{k: v for k, v in asdict(change).items() if k not in ("example", "responsible")},
                "example": {k: v for k, v in asdict(change.example).items() if v is not None},
                "responsible": [asdict(e) for e in change.responsible],
            }
            for change in diff.changes
        ],
        "devices_added": list(diff.devices_added),
        "devices_removed": list(diff.devices_removed),
        "segments_added": list(diff.segments_added),
        "segments_removed": list(diff.segments_removed),
        "exhausted_searches": [
            {"side": side, "from": source, "routing": routing} for side, source, routing in diff.exhausted
        ],
        "findings": {
            "new": findings(diff.new_findings),
            "fixed": findings(diff.fixed_findings),
            "unchanged": len(diff.unchanged_findings),
        },
    }


def render_diff_json(diff: DiffResult, lang: str = "en") -> str:
    return json_text(diff_to_dict(diff, lang), indent=2) + "\n"


def render_diff_sarif(diff: DiffResult, lang: str = "en") -> str:
    """SARIF of the state after the change, each result with its `baselineState` against
    the state before: new, unchanged, or absent (fixed by the change)."""
    from dataclasses import replace

    from .sarif import sarif_log

    states = (
        ["new"] * len(diff.new_findings)
        + ["unchanged"] * len(diff.unchanged_findings)
        + ["absent"] * len(diff.fixed_findings)
    )
    combined = replace(diff.after, findings=diff.new_findings + diff.unchanged_findings + diff.fixed_findings)
    log = sarif_log(combined, lang)
    for result, state in zip(log["runs"][0]["results"], states, strict=True):
        result["baselineState"] = state
    return json_text(log, indent=2) + "\n"
