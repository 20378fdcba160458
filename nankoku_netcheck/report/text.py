"""Plain-text report for terminals and logs (ja / en)."""

from __future__ import annotations

from ..result import Finding, Result
from ..wording import count_of
from .common import (
    certificate_more,
    certificate_view,
    clause_text,
    cut_filter_title,
    cut_more,
    displayable,
    interface_text,
    labels,
    severity_label,
    start_text,
    verdict_label,
    zone_name,
)
from .wording import absence_text, localized, role_text, state_text

_WORDS = {
    "en": {
        "title": "nankoku-netcheck {version} — {name}",
        "policy": "policy profile: {policy}   engine: {engine}   generated: {when}",
        "inputs": "inputs: {count} ({devices}, {lines}, {unknown} not understood)",
        "rules": "Rules",
        "findings": "Findings",
        "none": "no findings",
        "flow": "example packet",
        "class": "packet class",
        "path": "path",
        "evidence": "evidence",
        "note": "note",
        "verdict": "VERDICT: {verdict}",
        "summary": "{violated} violated, {inconclusive} inconclusive ({errors}, {warnings})",
        "errors": "{count} error|{count} errors",
        "warnings": "{count} warning|{count} warnings",
        "local": "(local)",
        "route": "route",
        "in": "in",
        "out": "out",
        "pass": "PASS",
        "fail": "FAIL",
        "inconclusive": "INCONCLUSIVE",
        "warn": "WARN",
        "violated": "violated",
        "no_acl": "no ACL",
        "certificates": "Isolation certificates (filter lines that cut every path; per filter, the lines that drop "
        "the most first)",
        "exceptions": "Exception register",
        "exception": "  {rule} {state}: {flow} — approved by {approved_by}, ref {ref}, expires {expires}",
        "matched": "      matched: {matched}",
        "absences": "      also rests on: {absences}",
        "baseline": "baseline {file}: {accepted} accepted (baseline), {new}, {absent} no longer found; "
        "only new findings decide the exit code",
    },
    "ja": {
        "title": "nankoku-netcheck {version} — {name}",
        "policy": "ポリシー: {policy}   エンジン: {engine}   生成日時: {when}",
        "inputs": "入力: {count} ファイル（機器 {devices} 台、設定 {lines} 行、未解釈 {unknown} 行）",
        "rules": "ルール",
        "findings": "検出事項",
        "none": "検出事項はありません",
        "flow": "例示パケット",
        "class": "該当パケット",
        "path": "経路",
        "evidence": "根拠",
        "note": "注記",
        "verdict": "判定: {verdict}",
        "summary": "違反 {violated} 件、判定不能 {inconclusive} 件（{errors}、{warnings}）",
        "errors": "エラー {count} 件|エラー {count} 件",
        "warnings": "警告 {count} 件|警告 {count} 件",
        "local": "（自機宛）",
        "route": "経路",
        "in": "入力",
        "out": "出力",
        "pass": "合格",
        "fail": "不合格",
        "inconclusive": "判定不能",
        "warn": "警告",
        "violated": "違反",
        "no_acl": "ACLなし",
        "certificates": "分離の証明（すべての経路を断つフィルタ行。フィルタごとに、多く遮断している行から順に表示）",
        "exceptions": "例外措置の登録簿",
        "exception": "  {rule} {state}: {flow} — 承認者 {approved_by}、文書番号 {ref}、有効期限 {expires}",
        "matched": "      一致した通信: {matched}",
        "absences": "      経路の不在にも依存: {absences}",
        "baseline": "ベースライン {file}: 受入済み（ベースライン） {accepted} 件、新規 {new} 件、"
        "見つからなくなったもの {absent} 件。終了コードは新規の検出事項だけで決まります",
    },
}


def words(lang: str) -> dict[str, str]:
    return _WORDS["ja" if lang == "ja" else "en"]


def _plural(template: str, count: int) -> str:
    one, many = template.split("|")
    return (one if count == 1 else many).format(count=count)


def render_text(result: Result, lang: str = "en") -> str:
    result = localized(displayable(result), lang)
    w = words(lang)
    lines = [
        w["title"].format(version=result.tool_version, name=result.network_name),
        w["policy"].format(policy=result.policy, engine=result.engine, when=result.generated_at),
        w["inputs"].format(
            count=_counted(lang, len(result.inputs), "file"),
            devices=_counted(lang, result.stats.get("devices", 0), "device"),
            lines=_counted(lang, result.stats.get("config_lines", 0), "config line"),
            unknown=sum(record.unknown_forwarding for record in result.inputs),
        ),
        "",
        w["rules"],
    ]
    for verdict in result.rules:
        title = verdict.title_ja if lang == "ja" else verdict.title_en
        clause = clause_text(verdict.clause, verdict.guideline, lang)
        verdict_text = verdict_label(result, verdict, lang) if verdict.verdict == "warn" else w[verdict.verdict]
        severity = severity_label(verdict.severity, lang)
        lines.append(f"  {verdict.rule:<9} {verdict_text:<8} {severity:<8} {title}  [{clause}]")
    lines += ["", w["findings"]]
    if not result.findings:
        lines.append(f"  {w['none']}")
    for index, finding in enumerate(result.findings, 1):
        lines += _finding_lines(index, finding, lang)
    lines += _certificate_lines(result, lang) + _exception_lines(result, lang)
    lines += ["", *verdict_lines(result, lang)]
    return "\n".join(lines) + "\n"


def verdict_lines(result: Result, lang: str = "en") -> list[str]:
    """The closing lines of the text report: the counts and the verdict (also printed when the
    reports go to files)."""
    w = words(lang)
    violated = [f for f in result.findings if f.status == "violated"]
    return [
        *_baseline_lines(result, lang),
        w["summary"].format(
            violated=len(violated),
            inconclusive=sum(1 for f in result.findings if f.status == "inconclusive"),
            errors=_plural(w["errors"], sum(1 for f in violated if f.severity == "error")),
            warnings=_plural(w["warnings"], sum(1 for f in violated if f.severity == "warning")),
        ),
        w["verdict"].format(verdict=w[result.verdict]),
    ]


def _baseline_lines(result: Result, lang: str) -> list[str]:
    use = result.baseline
    if use is None:
        return []
    return [
        words(lang)["baseline"].format(
            file=use.file,
            accepted=use.accepted,
            new=use.new if lang == "ja" else count_of(use.new, "new finding"),
            absent=use.absent if lang == "ja" else count_of(use.absent, "entry", "entries"),
        )
    ]


def _counted(lang: str, count: int, noun: str) -> str:
    """The number alone for Japanese (its template holds the counter word), with the noun in English."""
    return str(count) if lang == "ja" else count_of(count, noun)


def _finding_lines(index: int, finding: Finding, lang: str) -> list[str]:
    w = words(lang)
    status = w["violated"] if finding.status == "violated" else w["inconclusive"]
    severity = severity_label(finding.severity, lang)
    accepted = f" — {labels(lang)['accepted_baseline']}" if finding.accepted else ""
    lines = ["", f"  [{index}] {finding.rule} {severity} {status}{accepted}", f"      {finding.message(lang)}"]
    if finding.flow is not None:
        flow = finding.flow
        ports = f" {flow.sport} → {flow.dport}" if flow.dport is not None else ""
        icmp = f" type {flow.icmp_type} code {flow.icmp_code}" if flow.icmp_type is not None else ""
        flags = " established" if flow.established else ""
        lines.append(f"      {w['flow']}: {flow.proto} {flow.src} → {flow.dst}{ports}{icmp}{flags}")
        if finding.flow_start:
            lines.append(f"      {labels(lang)['flow_start']}: {start_text(finding, lang)}")
        lines.append(f"      {w['class']}: {finding.flow_class}")
    if finding.path:
        lines.append(f"      {w['path']}:")
        for step in finding.path:
            acl = f"{step.acl.name} {step.acl.file}:{step.acl.line}" if step.acl else w["no_acl"]
            hop = (
                f"        {step.device}: {interface_text(step.in_interface, step.in_vrf)} → "
                f"{interface_text(step.out_interface, step.out_vrf) or w['local']}"
            )
            if step.route:
                hop += f"  {w['route']} {step.route}"
            hop += f"  {w['in']}: {acl}"
            if step.acl_out:
                hop += f"  {w['out']}: {step.acl_out.name} {step.acl_out.file}:{step.acl_out.line}"
            lines.append(hop)
            if step.note:
                lines.append(f"          ! {step.note}")
    if finding.evidence:
        lines.append(f"      {w['evidence']}:")
        for evidence in finding.evidence[:12]:
            text = f"  {evidence.text}" if evidence.text else ""
            where = (
                f"{evidence.file}:{evidence.line}"
                if evidence.line
                else f"{evidence.file} ({role_text(evidence.role, lang)})"
            )
            lines.append(f"        {where}{text}")
        if len(finding.evidence) > 12:
            lines.append(f"        … (+{len(finding.evidence) - 12})")
    for note in finding.notes:
        lines.append(f"      {w['note']}: {note}")
    return lines


def _certificate_lines(result: Result, lang: str) -> list[str]:
    if not result.certificates:
        return []
    w = words(lang)
    lines = ["", w["certificates"]]
    for certificate in result.certificates:
        pair = f"{zone_name(result, certificate.from_zone, lang)} → {zone_name(result, certificate.to_zone, lang)}"
        lines.append(f"  {pair}")
        view = certificate_view(certificate)
        for cut in view.filters:
            lines.append(f"    {cut_filter_title(cut, lang)}")
            for evidence in (cut.binding, *cut.shown) if cut.binding else cut.shown:
                lines.append(
                    f"      {evidence.file}:{evidence.line}  {evidence.text}  ({role_text(evidence.role, lang)})"
                )
            if cut.more:
                lines.append(f"      {cut_more(cut, lang)}")
        if view.more_filters:
            lines.append(f"    {certificate_more(view, lang)}")
        if certificate.route_absences:
            absences = "; ".join(absence_text(a, lang) for a in certificate.route_absences)
            lines.append(w["absences"].format(absences=absences))
    return lines


def _exception_lines(result: Result, lang: str) -> list[str]:
    if not result.exceptions:
        return []
    w = words(lang)
    lines = ["", w["exceptions"]]
    for record in result.exceptions:
        lines.append(
            w["exception"].format(
                rule=record.rule,
                state=state_text(record.state, lang),
                flow=record.flow,
                approved_by=record.approved_by,
                ref=record.ref,
                expires=record.expires,
            )
        )
        if record.matched:
            lines.append(w["matched"].format(matched=record.matched))
    return lines
