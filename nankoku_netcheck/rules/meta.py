"""Meta rules: what the verifier itself could not establish."""

from __future__ import annotations

from ..redact import redact
from ..result import Evidence, Finding
from .flows import FlowContext


def check_meta_001(ctx: FlowContext) -> list[Finding]:
    """META-001: every line that may affect forwarding or filtering and was not understood."""
    findings = []
    for name in sorted(ctx.network.devices):
        for unknown in ctx.network.devices[name].forwarding_unknowns:
            # Both the line and the parser's reason (which quotes words of it) are config text.
            text, reason = redact(unknown.source.text.strip()), redact(unknown.reason)
            findings.append(Finding(
                rule="META-001", severity="error", status="inconclusive", device=name,
                message_en=f"{unknown.source.where()}: not understood ({reason}): {text}",
                message_ja=f"{unknown.source.where()}: 解釈できない行です（{reason}）: {text}",
                evidence=(Evidence(unknown.source.file, unknown.source.line, text, "not understood"),),
            ))
    return findings


def check_meta_002(ctx: FlowContext) -> list[Finding]:
    """META-002: an exception has expired, or matched nothing while its rule ran."""
    findings = []
    for index, exception in enumerate(ctx.network.topology.exceptions):
        evidence = (Evidence(exception.at.file, exception.at.line, f"rule: {exception.rule} ref: {exception.ref}",
                             "declared"),)
        if not ctx.exception_active(exception):
            findings.append(Finding(
                rule="META-002", severity="warning", status="violated", evidence=evidence,
                message_en=(f"Exception {exception.ref} for {exception.rule} expired on {exception.expires}; "
                            f"the flows it covered are reported again."),
                message_ja=(f"例外措置 {exception.ref}（{exception.rule}）は {exception.expires} に期限切れです。"
                            f"対象の通信は再び検出事項として報告されます。"),
            ))
        elif exception.rule in ctx.rules_run and index not in ctx.exception_matches:
            findings.append(Finding(
                rule="META-002", severity="warning", status="violated", evidence=evidence,
                message_en=(f"Exception {exception.ref} for {exception.rule} matched nothing; "
                            f"remove it or fix its flow."),
                message_ja=f"例外措置 {exception.ref}（{exception.rule}）はどの通信にも該当しませんでした。"
                           f"削除するか対象を見直してください。",
            ))
    return findings
