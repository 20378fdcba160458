"""SARIF 2.1.0 for GitHub code scanning (and any other SARIF viewer).

Each finding is one result located at the config line that permits the flow (further
permitting lines are related locations, the hop-by-hop path is a code flow). File URIs are
the paths the tool reports, relative to the working directory, so run the tool from the
repository root for code scanning to match them to files. Rule help comes from the rule
documentation pages (rules/docs.py), the same text `nankoku-netcheck rules ID` prints.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from pathlib import PurePosixPath, PureWindowsPath
from typing import Any
from urllib.parse import quote

from ..result import Evidence, Finding, PathStep, Result, RuleVerdict
from ..rules.docs import RuleDoc, rule_doc
from .common import clause_text, flow_text, hop_text, json_text, labels, permitting_lines, redacted, start_text
from .json_report import result_sha256

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
SOURCE_ROOT = "%SRCROOT%"

LEVELS = {"error": "error", "warning": "warning", "info": "note"}
# GitHub sorts alerts by this CVSS-like score: 7.0+ is "high", 4.0+ "medium", below "low".
SECURITY_SEVERITY = {"error": "8.0", "warning": "5.0", "info": "2.0"}


def render_sarif(result: Result, lang: str = "en") -> str:
    return json_text(sarif_log(result, lang), indent=2) + "\n"


def sarif_log(result: Result, lang: str = "en") -> dict[str, Any]:
    result = redacted(result)
    rule_index = {verdict.rule: index for index, verdict in enumerate(result.rules)}
    return {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": result.tool_name,
                        "version": result.tool_version,
                        "semanticVersion": result.tool_version,
                        "rules": [_rule(verdict, lang) for verdict in result.rules],
                    }
                },
                "invocations": [
                    {"executionSuccessful": True, **({"commandLine": result.command} if result.command else {})}
                ],
                "artifacts": [
                    {"location": artifact_location(record.path), "hashes": {"sha-256": record.sha256}}
                    for record in result.inputs
                ],
                "results": _results(result, rule_index, lang),
                "properties": {
                    "verdict": result.verdict,
                    "resultSha256": result_sha256(result),
                    "network": result.network_name,
                    "policy": result.policy,
                },
            }
        ],
    }


# --- rules ----------------------------------------------------------------------------------


def _rule(verdict: RuleVerdict, lang: str) -> dict[str, Any]:
    doc = rule_doc(verdict.rule)
    title = verdict.title_ja if lang == "ja" else verdict.title_en
    return {
        "id": verdict.rule,
        "shortDescription": {"text": title},
        "fullDescription": {"text": doc.what(lang) if doc else title},
        "help": {"text": help_text(verdict, doc, lang), "markdown": help_markdown(verdict, doc, lang)},
        "defaultConfiguration": {"level": LEVELS.get(verdict.severity, "warning")},
        "properties": {
            "security-severity": SECURITY_SEVERITY.get(verdict.severity, "5.0"),
            "tags": ["security", "network-segmentation", verdict.rule.split("-")[0].lower()],
            "clause": verdict.clause,
            "guideline": verdict.guideline,
            "precision": "very-high",
        },
    }


_HELP_WORDS = {
    "en": {"clause": "Policy clause", "why": "Why", "example": "Example violation", "fix": "Fix"},
    "ja": {"clause": "根拠条項", "why": "理由", "example": "違反の例", "fix": "対処"},
}


def help_text(verdict: RuleVerdict, doc: RuleDoc | None, lang: str) -> str:
    words = _HELP_WORDS["ja" if lang == "ja" else "en"]
    clause = clause_text(verdict.clause, verdict.guideline, lang)
    parts = [f"{verdict.rule}: {doc.title(lang) if doc else verdict.title_en}", f"{words['clause']}: {clause}"]
    if doc:
        parts += [
            doc.what(lang),
            f"{words['why']}: {doc.why(lang)}",
            f"{words['example']}:\n{doc.example}",
            f"{words['fix']}: {doc.fix(lang)}",
        ]
    return "\n\n".join(parts)


def help_markdown(verdict: RuleVerdict, doc: RuleDoc | None, lang: str) -> str:
    words = _HELP_WORDS["ja" if lang == "ja" else "en"]
    parts = [
        f"**{verdict.rule}** — {doc.title(lang) if doc else verdict.title_en}",
        f"**{words['clause']}:** {clause_text(verdict.clause, verdict.guideline, lang)}",
    ]
    if doc:
        parts += [
            doc.what(lang),
            f"**{words['why']}:** {doc.why(lang)}",
            f"**{words['example']}:**\n\n```\n{doc.example}\n```",
            f"**{words['fix']}:** {doc.fix(lang)}",
        ]
    return "\n\n".join(parts)


# --- results --------------------------------------------------------------------------------


def _results(result: Result, rule_index: dict[str, int], lang: str) -> list[dict[str, Any]]:
    seen: Counter[str] = Counter()
    out = []
    for finding in result.findings:
        fingerprint = finding_fingerprint(finding)
        seen[fingerprint] += 1
        if seen[fingerprint] > 1:
            fingerprint = f"{fingerprint}:{seen[fingerprint]}"
        out.append(_result(result, finding, rule_index, fingerprint, lang))
    return out


def _result(
    result: Result, finding: Finding, rule_index: dict[str, int], fingerprint: str, lang: str
) -> dict[str, Any]:
    lines = permitting_lines(finding)
    primary = lines[0] if lines else None
    entry: dict[str, Any] = {
        "ruleId": finding.rule,
        **({"ruleIndex": rule_index[finding.rule]} if finding.rule in rule_index else {}),
        "level": LEVELS.get(finding.severity, "warning"),
        "message": {"text": _message(finding, lang)},
        "locations": [_location(primary) if primary else _fallback_location(result, finding)],
        "partialFingerprints": {"nankokuFinding/v1": fingerprint},
        "properties": _properties(finding),
    }
    if len(lines) > 1:
        entry["relatedLocations"] = [
            {"id": index, **_location(evidence)} for index, evidence in enumerate(lines[1:], 1)
        ]
    if finding.path:
        entry["codeFlows"] = [
            {"threadFlows": [{"locations": [{"location": _hop_location(result, step, lang)} for step in finding.path]}]}
        ]
    return entry


def _message(finding: Finding, lang: str) -> str:
    words = labels(lang)
    text = finding.message(lang)
    if finding.flow is not None:
        text += f"\n{words['example']}: {flow_text(finding.flow)}"
    if finding.flow_start:
        text += f"\n{words['flow_start']}: {start_text(finding, lang)}"
    if finding.path:
        text += f"\n{words['path']}: " + " ⇒ ".join(step.device for step in finding.path)
    return text


def _properties(finding: Finding) -> dict[str, Any]:
    properties: dict[str, Any] = {"status": finding.status, "severity": finding.severity}
    if finding.from_zone or finding.to_zone:
        properties["fromZone"] = finding.from_zone
        properties["toZone"] = finding.to_zone
    if finding.device:
        properties["device"] = finding.device
    if finding.flow_class:
        properties["packetClass"] = finding.flow_class
    if finding.flow_start:
        properties["flowStart"] = {"kind": finding.flow_start_kind, "at": finding.flow_start}
    return properties


def _location(evidence: Evidence) -> dict[str, Any]:
    physical: dict[str, Any] = {"artifactLocation": artifact_location(evidence.file)}
    if evidence.line > 0:
        region: dict[str, Any] = {"startLine": evidence.line}
        if evidence.text:
            region["snippet"] = {"text": evidence.text}
        physical["region"] = region
    location: dict[str, Any] = {"physicalLocation": physical}
    if evidence.role:
        location["message"] = {"text": evidence.role}
    return location


def _fallback_location(result: Result, finding: Finding) -> dict[str, Any]:
    """A finding with no line to point at is shown on its device's config, else the topology."""
    for device in result.network.devices:
        if device.name == finding.device and device.config:
            return {"physicalLocation": {"artifactLocation": artifact_location(device.config)}}
    return {"physicalLocation": {"artifactLocation": artifact_location(result.topology), "region": {"startLine": 1}}}


def _hop_location(result: Result, step: PathStep, lang: str) -> dict[str, Any]:
    acl = step.acl or step.acl_out
    if acl is not None:
        physical: dict[str, Any] = {"artifactLocation": artifact_location(acl.file)}
        if acl.line > 0:
            physical["region"] = {"startLine": acl.line, **({"snippet": {"text": acl.text}} if acl.text else {})}
    else:
        config = next((d.config for d in result.network.devices if d.name == step.device), "") or result.topology
        physical = {"artifactLocation": artifact_location(config)}
    return {"physicalLocation": physical, "message": {"text": hop_text(step, lang)}}


def artifact_location(path: str) -> dict[str, Any]:
    """A relative path becomes a URI under %SRCROOT%; an absolute one a file: URI."""
    if PurePosixPath(path).is_absolute():
        return {"uri": "file://" + quote(path)}
    if PureWindowsPath(path).is_absolute():
        return {"uri": "file:///" + quote(PureWindowsPath(path).as_posix())}
    return {"uri": quote(PureWindowsPath(path).as_posix()), "uriBaseId": SOURCE_ROOT}


def finding_fingerprint(finding: Finding) -> str:
    """Stable across line moves: rule, zones, device and the text (not the number) of the
    lines that permit the flow."""
    lines = sorted({(e.file, " ".join(e.text.split())) for e in permitting_lines(finding)})
    key = json.dumps([finding.rule, finding.from_zone, finding.to_zone, finding.device, lines], ensure_ascii=False)
    return hashlib.sha256(key.encode("utf-8")).hexdigest()
