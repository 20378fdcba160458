"""The JSON record: the contract CI and auditors build on. Deterministic: same input,
same bytes, apart from `generated_at`."""

from __future__ import annotations

import json
from dataclasses import asdict
from typing import Any

from ..result import Finding, Result


def result_to_dict(result: Result, lang: str = "en") -> dict[str, Any]:
    return {
        "tool": {"name": result.tool_name, "version": result.tool_version},
        "verdict": result.verdict,
        "generated_at": result.generated_at,
        "network": {"name": result.network_name, "topology": result.topology, "policy": result.policy},
        "engine": result.engine,
        "inputs": [
            {"path": record.path, "sha256": record.sha256, "kind": record.kind, "lines": record.lines,
             **({"device": record.device, "vendor": record.vendor,
                 "unrecognised_forwarding_lines": record.unknown_forwarding,
                 "unrecognised_harmless_lines": record.unknown_harmless} if record.kind == "config" else {})}
            for record in result.inputs
        ],
        "zones": [{"id": zone_id, "kind": kind, "label": label} for zone_id, kind, label in result.zones],
        "rules": [
            {"id": v.rule, "severity": v.severity, "clause": v.clause,
             "title": v.title_ja if lang == "ja" else v.title_en, "verdict": v.verdict,
             "violated": v.violated, "inconclusive": v.inconclusive}
            for v in result.rules
        ],
        "findings": [finding_to_dict(f, lang) for f in result.findings],
        "assumptions": list(result.assumptions),
        "summary": summary(result),
    }


def finding_to_dict(finding: Finding, lang: str) -> dict[str, Any]:
    out: dict[str, Any] = {
        "rule": finding.rule,
        "severity": finding.severity,
        "status": finding.status,
        "message": finding.message(lang),
    }
    if finding.from_zone or finding.to_zone:
        out["from_zone"] = finding.from_zone
        out["to_zone"] = finding.to_zone
    if finding.device:
        out["device"] = finding.device
    if finding.flow is not None:
        flow = asdict(finding.flow)
        out["flow"] = {key: value for key, value in flow.items()
                       if value is not None and not (key == "established" and not value)}
        out["flow_class"] = finding.flow_class
    if finding.path:
        out["path"] = [
            {"device": step.device, "in_interface": step.in_interface, "out_interface": step.out_interface,
             "route": step.route,
             "acl": asdict(step.acl) if step.acl else None,
             **({"acl_out": asdict(step.acl_out)} if step.acl_out else {})}
            for step in finding.path
        ]
    out["evidence"] = [asdict(e) for e in finding.evidence]
    if finding.notes:
        out["notes"] = list(finding.notes)
    return out


def summary(result: Result) -> dict[str, Any]:
    counts: dict[str, int] = {"violated": 0, "inconclusive": 0, "error": 0, "warning": 0, "info": 0}
    for finding in result.findings:
        counts[finding.status] += 1
        if finding.status == "violated":
            counts[finding.severity] += 1
    return {
        "findings": len(result.findings),
        **counts,
        "rules_passed": sum(1 for v in result.rules if v.verdict == "pass"),
        "rules_failed": sum(1 for v in result.rules if v.verdict == "fail"),
        "rules_inconclusive": sum(1 for v in result.rules if v.verdict == "inconclusive"),
        **result.stats,
    }


def render_json(result: Result, lang: str = "en") -> str:
    return json.dumps(result_to_dict(result, lang), ensure_ascii=False, indent=2) + "\n"
