"""What several renderers share: redaction of the whole Result, words in ja/en, and small
formatting helpers. Presentation only: nothing here decides whether something is a finding."""

from __future__ import annotations

from dataclasses import replace

from ..redact import redact
from ..result import (
    AclRef,
    Evidence,
    ExceptionRecord,
    Finding,
    FlowExample,
    IsolationCertificate,
    PathStep,
    Result,
)

# Default output file name per format, used with --output-dir.
FILE_NAMES: dict[str, str] = {
    "text": "report.txt",
    "json": "report.json",
    "sarif": "report.sarif",
    "junit": "report.junit.xml",
    "md": "report.md",
    "csv": "report.csv",
    "html": "report.html",
}

_LABELS: dict[str, dict[str, str]] = {
    "en": {
        "pass": "PASS", "fail": "FAIL", "inconclusive": "INCONCLUSIVE", "warn": "WARN",
        "violated": "violated", "status_inconclusive": "inconclusive",
        "error": "error", "warning": "warning", "info": "info",
        "rule": "Rule", "title": "Title", "clause": "Clause", "severity": "Severity", "verdict": "Verdict",
        "violated_count": "Violated", "inconclusive_count": "Inconclusive", "status": "Status",
        "from_zone": "From zone", "to_zone": "To zone", "device": "Device", "message": "Message",
        "src": "Source", "dst": "Destination", "proto": "Protocol", "sport": "Source port",
        "dport": "Destination port", "flow_start": "Flow starts", "flow_class": "Packet class", "file": "File",
        "line": "Line",
        "text": "Config line", "other_lines": "Other lines", "path": "Path", "no_acl": "no ACL", "local": "(local)",
        "findings": "Findings", "none": "No findings.", "example": "Example packet",
        "permitting": "Permitting lines", "evidence": "Evidence", "notes": "Notes",
        "rules": "Rules", "network": "Network", "policy": "Policy profile", "generated": "Generated",
        "engine": "Engine", "tool": "Tool", "command": "Reproduce with", "integrity": "Result SHA-256",
        "more": "… {count} more (see the JSON or HTML report)",
    },
    "ja": {
        "pass": "合格", "fail": "不合格", "inconclusive": "判定不能", "warn": "警告あり",
        "violated": "違反", "status_inconclusive": "判定不能",
        "error": "エラー", "warning": "警告", "info": "情報",
        "rule": "ルール", "title": "名称", "clause": "根拠条項", "severity": "重大度", "verdict": "判定",
        "violated_count": "違反", "inconclusive_count": "判定不能", "status": "状態",
        "from_zone": "送信元の領域", "to_zone": "宛先の領域", "device": "機器", "message": "内容",
        "src": "送信元", "dst": "宛先", "proto": "プロトコル", "sport": "送信元ポート",
        "dport": "宛先ポート", "flow_start": "通信の始点", "flow_class": "該当パケット", "file": "ファイル",
        "line": "行",
        "text": "設定行", "other_lines": "その他の行", "path": "経路", "no_acl": "ACLなし", "local": "（自機宛）",
        "findings": "検出事項", "none": "検出事項はありません。", "example": "例示パケット",
        "permitting": "許可している行", "evidence": "根拠", "notes": "注記",
        "rules": "ルール", "network": "ネットワーク", "policy": "ポリシー", "generated": "生成日時",
        "engine": "エンジン", "tool": "ツール", "command": "再現コマンド", "integrity": "結果の SHA-256",
        "more": "… ほか {count} 件（JSON または HTML レポートを参照）",
    },
}


def labels(lang: str) -> dict[str, str]:
    return _LABELS["ja" if lang == "ja" else "en"]


def status_label(finding: Finding, lang: str) -> str:
    words = labels(lang)
    return words["violated"] if finding.status == "violated" else words["status_inconclusive"]


# --- redaction ---------------------------------------------------------------------------


def redacted(result: Result) -> Result:
    """The Result with every piece of text that may quote a config passed through `redact`.

    Rules already redact the lines they quote; doing it again here means a renderer can never
    print a secret even when a rule forgot to."""
    return replace(
        result,
        findings=tuple(_redacted_finding(f) for f in result.findings),
        certificates=tuple(_redacted_certificate(c) for c in result.certificates),
        exceptions=tuple(_redacted_exception(e) for e in result.exceptions),
        command=redact(result.command),
    )


def _redacted_finding(finding: Finding) -> Finding:
    return replace(
        finding,
        message_en=redact(finding.message_en),
        message_ja=redact(finding.message_ja),
        flow_class=redact(finding.flow_class),
        path=tuple(_redacted_step(step) for step in finding.path),
        evidence=tuple(_redacted_evidence(e) for e in finding.evidence),
        notes=tuple(redact(note) for note in finding.notes),
    )


def _redacted_step(step: PathStep) -> PathStep:
    return replace(step, route=redact(step.route), acl=_redacted_acl(step.acl), acl_out=_redacted_acl(step.acl_out),
                   note=redact(step.note))


def _redacted_acl(acl: AclRef | None) -> AclRef | None:
    return None if acl is None else replace(acl, text=redact(acl.text))


def _redacted_evidence(evidence: Evidence) -> Evidence:
    return replace(evidence, text=redact(evidence.text))


def _redacted_certificate(certificate: IsolationCertificate) -> IsolationCertificate:
    return replace(certificate, lines=tuple(_redacted_evidence(e) for e in certificate.lines),
                   route_absences=tuple(redact(text) for text in certificate.route_absences))


def _redacted_exception(record: ExceptionRecord) -> ExceptionRecord:
    return replace(record, flow=redact(record.flow), reason=redact(record.reason), matched=redact(record.matched))


# --- formatting --------------------------------------------------------------------------


def start_text(finding: Finding, lang: str) -> str:
    """Where the example flow starts: `from segment 10.2.5.0/24 (lg-core:Vlan50)`, or
    `enters at inet-rtr:Gi0/0`; "" when the finding has no example flow."""
    if not finding.flow_start:
        return ""
    if finding.flow_start_kind == "segment":
        return f"セグメント {finding.flow_start} から" if lang == "ja" else f"from segment {finding.flow_start}"
    return f"{finding.flow_start} から流入" if lang == "ja" else f"enters at {finding.flow_start}"


def flow_text(flow: FlowExample) -> str:
    """`tcp 10.1.20.30:49152 → 10.3.10.10:80`, with ICMP type/code and the established flag."""
    if flow.dport is not None:
        text = f"{flow.proto} {flow.src}:{flow.sport} → {flow.dst}:{flow.dport}"
    else:
        text = f"{flow.proto} {flow.src} → {flow.dst}"
    if flow.icmp_type is not None:
        text += f" type {flow.icmp_type}" + (f" code {flow.icmp_code}" if flow.icmp_code is not None else "")
    if flow.established:
        text += " established"
    return text


def permitting_lines(finding: Finding) -> tuple[Evidence, ...]:
    """The lines that let the finding's packets through; for findings without such lines
    (unknown lines, device rules) its evidence, the entries with a line number first choice."""
    permits = tuple(e for e in finding.evidence if e.role == "permits")
    if permits:
        return permits
    on_a_line = tuple(e for e in finding.evidence if e.line > 0)
    return on_a_line or finding.evidence


def zone_name(result: Result, zone_id: str, lang: str) -> str:
    """The zone's label with its id (`LGWAN接続系 (lgwan)`); the id alone for unknown zones."""
    for candidate, _kind, label in result.zones:
        if candidate == zone_id:
            return f"{label} ({zone_id})" if label and label != zone_id else zone_id
    return zone_id


def zone_kind(result: Result, zone_id: str) -> str:
    for candidate, kind, _label in result.zones:
        if candidate == zone_id:
            return kind
    return ""


def hop_text(step: PathStep, lang: str) -> str:
    words = labels(lang)
    text = f"{step.device}: {step.in_interface or '-'} → {step.out_interface or words['local']}"
    if step.route:
        text += f" [{step.route}]"
    acls = [f"in {step.acl.name} ({step.acl.file}:{step.acl.line})" if step.acl else ""]
    if step.acl_out:
        acls.append(f"out {step.acl_out.name} ({step.acl_out.file}:{step.acl_out.line})")
    shown = [a for a in acls if a]
    return text + (" " + ", ".join(shown) if shown else f" {words['no_acl']}")
