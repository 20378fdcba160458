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
            findings.append(
                Finding(
                    rule="META-001",
                    severity="error",
                    status="inconclusive",
                    device=name,
                    message_en=f"{unknown.source.where()}: not understood ({reason}): {text}",
                    message_ja=f"{unknown.source.where()}: 解釈できない行です（{reason}）: {text}",
                    evidence=(Evidence(unknown.source.file, unknown.source.line, text, "not understood"),),
                )
            )
    return findings


def _search_names(ctx: FlowContext, source: str, routing: bool) -> tuple[str, str]:
    """(en, ja) naming one search: its source class and whether routing was followed."""
    return (
        f"the search from {ctx.label(source, 'en')} ({'routing followed' if routing else 'routing ignored'})",
        f"{ctx.label(source, 'ja')} からの探索（{'経路どおり' if routing else '経路を無視'}）",
    )


def check_meta_003(ctx: FlowContext) -> list[Finding]:
    """META-003: a search ran out of its work budget, so what rests on it is not proven."""
    findings = []
    for source, routing, result in ctx.exhausted():
        name_en, name_ja = _search_names(ctx, source, routing)
        findings.append(
            Finding(
                rule="META-003",
                severity="error",
                status="inconclusive",
                from_zone=source,
                message_en=(
                    f"{name_en[0].upper()}{name_en[1:]} ran out of budget after {result.work} of "
                    f"{result.budget} work units; every result that rests on it is inconclusive. "
                    f"Raise --budget or simplify the network."
                ),
                message_ja=(
                    f"{name_ja}が作業量の上限に達しました（{result.work} / {result.budget}）。この探索に基づく"
                    f"結果はすべて判定不能です。--budget を引き上げるか、構成を簡素化してください。"
                ),
            )
        )
    return findings


def budget_findings(rule: str, severity: str, ctx: FlowContext, used: set[tuple[str, bool]]) -> list[Finding]:
    """One inconclusive finding of `rule` per search it used that ran out of budget: a rule
    whose search stopped early has not seen every packet, so it must not pass."""
    findings = []
    for source, routing, result in ctx.exhausted(used):
        name_en, name_ja = _search_names(ctx, source, routing)
        findings.append(
            Finding(
                rule=rule,
                severity=severity,
                status="inconclusive",
                from_zone=source,
                message_en=(
                    f"{rule} cannot be proven: {name_en} ran out of budget ({result.work} of {result.budget} "
                    f"work units; see META-003)."
                ),
                message_ja=(
                    f"{rule} を証明できません: {name_ja}が作業量の上限に達しました（{result.work} / "
                    f"{result.budget}、META-003 を参照）。"
                ),
            )
        )
    return findings


def check_meta_002(ctx: FlowContext) -> list[Finding]:
    """META-002: an exception has expired, or matched nothing while its rule ran."""
    findings = []
    for index, exception in enumerate(ctx.network.topology.exceptions):
        evidence = (
            Evidence(exception.at.file, exception.at.line, f"rule: {exception.rule} ref: {exception.ref}", "declared"),
        )
        if not ctx.exception_active(exception):
            findings.append(
                Finding(
                    rule="META-002",
                    severity="warning",
                    status="violated",
                    evidence=evidence,
                    message_en=(
                        f"Exception {exception.ref} for {exception.rule} expired on {exception.expires}; "
                        f"the flows it covered are reported again."
                    ),
                    message_ja=(
                        f"例外措置 {exception.ref}（{exception.rule}）は {exception.expires} に期限切れです。"
                        f"対象の通信は再び検出事項として報告されます。"
                    ),
                )
            )
        elif exception.rule in ctx.rules_run and index not in ctx.exception_matches:
            findings.append(
                Finding(
                    rule="META-002",
                    severity="warning",
                    status="violated",
                    evidence=evidence,
                    message_en=(
                        f"Exception {exception.ref} for {exception.rule} matched nothing; remove it or fix its flow."
                    ),
                    message_ja=f"例外措置 {exception.ref}（{exception.rule}）はどの通信にも該当しませんでした。"
                    f"削除するか対象を見直してください。",
                )
            )
    return findings
