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
            text = redact(unknown.source.text.strip())
            findings.append(Finding(
                rule="META-001", severity="error", status="inconclusive", device=name,
                message_en=f"{unknown.source.where()}: not understood ({unknown.reason}): {text}",
                message_ja=f"{unknown.source.where()}: 解釈できない行です（{unknown.reason}）: {text}",
                evidence=(Evidence(unknown.source.file, unknown.source.line, text, "not understood"),),
            ))
    return findings
