"""SARIF 2.1.0 for GitHub code scanning (and any other SARIF viewer).

Each finding is one result located at the config line that permits the flow (further
permitting lines are related locations, the hop-by-hop path is a code flow). File URIs are
relative to the repository root (the git work tree holding the topology, else the topology's
folder), under the base id %SRCROOT%, whatever the working directory; `originalUriBaseIds`
describes that base without its absolute path, which would differ from machine to machine
(SARIF 2.1.0 §3.14.14 allows a base without `uri`). A file outside the root keeps a `file:` URI.

Rule help comes from the rule documentation pages (rules/docs.py), the same text
`nankoku-netcheck rules ID` prints. `helpUri` must be an absolute URI (§3.49.12): it is given
when the run knows where the rendered pages are published (`verify --docs-url`), as
`<docs url>/<RULE-ID>.md`, the layout of the repository's docs/rules/ folder; the help text
names that page in any case. `automationDetails.id` is `nankoku-netcheck/<topology path>/`:
the same for every run on the same topology (code scanning's "category"), no run instance.
`invocations[].commandLine` is the command line the run was started with; the command that
renders this one report again is kept in the run's properties.

With a baseline, every result has a `baselineState` (new or unchanged) and the accepted ones
carry an external, accepted suppression: viewers that honour suppressions show them as accepted,
not open (GitHub code scanning may not: there, dismiss the alerts or leave them to the exit code).
"""

from __future__ import annotations

from pathlib import PurePosixPath, PureWindowsPath
from typing import Any
from urllib.parse import quote

from ..baseline import ACCEPTED, FINGERPRINT_KEY, fingerprints, root_relative
from ..result import Evidence, Finding, PathStep, Result, RuleVerdict
from ..rules.docs import RuleDoc, rule_doc
from .common import clause_text, flow_text, hop_text, json_text, labels, permitting_lines, redacted, start_text
from .json_report import redacted_result_sha256

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
SOURCE_ROOT = "%SRCROOT%"
SOURCE_ROOT_DESCRIPTION = {
    "en": "The repository root: the git work tree holding the topology file, else the topology file's folder.",
    "ja": "リポジトリのルート: トポロジーファイルを含む git 作業ツリー（なければトポロジーファイルのフォルダ）。",
}

LEVELS = {"error": "error", "warning": "warning", "info": "note"}
# GitHub sorts alerts by this CVSS-like score: 7.0+ is "high", 4.0+ "medium", below "low".
SECURITY_SEVERITY = {"error": "8.0", "warning": "5.0", "info": "2.0"}


def render_sarif(result: Result, lang: str = "en", digest: str | None = None) -> str:
    """`digest`: the result's `result_sha256` when the caller already has it."""
    return json_text(sarif_log(result, lang, digest), indent=2) + "\n"


def sarif_log(result: Result, lang: str = "en", digest: str | None = None) -> dict[str, Any]:
    result = redacted(result)
    rule_index = {verdict.rule: index for index, verdict in enumerate(result.rules)}
    root = result.source_root
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
                        "rules": [_rule(verdict, lang, result.docs_url) for verdict in result.rules],
                    }
                },
                "automationDetails": {"id": automation_id(result)},
                "originalUriBaseIds": {SOURCE_ROOT: {"description": {"text": SOURCE_ROOT_DESCRIPTION[_lang(lang)]}}},
                "invocations": [_invocation(result)],
                "artifacts": [
                    {"location": artifact_location(record.path, root), "hashes": {"sha-256": record.sha256}}
                    for record in result.inputs
                ],
                "results": _results(result, rule_index, lang),
                "properties": {
                    "verdict": result.verdict,
                    "resultSha256": redacted_result_sha256(result) if digest is None else digest,
                    "network": result.network_name,
                    "policy": result.policy,
                    **({"reproduce": result.command} if result.command else {}),
                    **({"baseline": _baseline_properties(result)} if result.baseline else {}),
                },
            }
        ],
    }


def _lang(lang: str) -> str:
    return "ja" if lang == "ja" else "en"


def automation_id(result: Result) -> str:
    """`nankoku-netcheck/<topology path from the repository root>/`: stable across runs of one
    topology and distinct between topologies of one repository (the trailing slash: no instance id)."""
    topology = root_relative(result.topology, result.source_root) or PureWindowsPath(result.topology).as_posix()
    return f"{result.tool_name}/{topology}/"


def _invocation(result: Result) -> dict[str, Any]:
    command = result.invocation or result.command
    return {"executionSuccessful": True, **({"commandLine": command} if command else {})}


def _baseline_properties(result: Result) -> dict[str, Any]:
    assert result.baseline is not None
    use = result.baseline
    location = artifact_location(use.file, result.source_root)
    return {"file": location["uri"], "accepted": use.accepted, "new": use.new, "absent": use.absent}


# --- rules ----------------------------------------------------------------------------------


def _rule(verdict: RuleVerdict, lang: str, docs_url: str) -> dict[str, Any]:
    doc = rule_doc(verdict.rule)
    title = verdict.title_ja if lang == "ja" else verdict.title_en
    return {
        "id": verdict.rule,
        "shortDescription": {"text": title},
        "fullDescription": {"text": doc.what(lang) if doc else title},
        **({"helpUri": help_uri(docs_url, verdict.rule)} if docs_url else {}),
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
    "en": {
        "clause": "Policy clause",
        "why": "Why",
        "example": "Example violation",
        "fix": "Fix",
        "page": "Rule page: {page} in the nankoku-netcheck repository, or `nankoku-netcheck rules {rule}`",
    },
    "ja": {
        "clause": "根拠条項",
        "why": "理由",
        "example": "違反の例",
        "fix": "対処",
        "page": "ルールの説明: nankoku-netcheck リポジトリの {page}、または `nankoku-netcheck rules {rule}`",
    },
}
# Where the rendered rule pages live in the tool's repository (and under a published --docs-url).
RULE_PAGES = "docs/rules"


def help_uri(docs_url: str, rule: str) -> str:
    return f"{docs_url.rstrip('/')}/{quote(rule)}.md"


def _page_line(rule: str, lang: str) -> str:
    return _HELP_WORDS[_lang(lang)]["page"].format(page=f"{RULE_PAGES}/{rule}.md", rule=rule)


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
    return "\n\n".join([*parts, _page_line(verdict.rule, lang)])


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
    return "\n\n".join([*parts, _page_line(verdict.rule, lang)])


# --- results --------------------------------------------------------------------------------


def _results(result: Result, rule_index: dict[str, int], lang: str) -> list[dict[str, Any]]:
    found = fingerprints(result.findings, result.source_root)
    return [
        _result(result, finding, rule_index, fingerprint, lang)
        for finding, fingerprint in zip(result.findings, found, strict=True)
    ]


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
        "locations": [_location(primary, result.source_root) if primary else _fallback_location(result, finding)],
        "partialFingerprints": {FINGERPRINT_KEY: fingerprint},
        "properties": _properties(finding),
    }
    if finding.baseline:
        entry["baselineState"] = finding.baseline
    if finding.baseline == ACCEPTED and result.baseline is not None:
        entry["suppressions"] = [_suppression(result, lang)]
    if len(lines) > 1:
        entry["relatedLocations"] = [
            {"id": index, **_location(evidence, result.source_root)} for index, evidence in enumerate(lines[1:], 1)
        ]
    if finding.path:
        entry["codeFlows"] = [
            {"threadFlows": [{"locations": [{"location": _hop_location(result, step, lang)} for step in finding.path]}]}
        ]
    return entry


def _suppression(result: Result, lang: str) -> dict[str, Any]:
    assert result.baseline is not None
    words = labels(lang)
    return {
        "kind": "external",
        "status": "accepted",
        "justification": f"{words['accepted_baseline']}: {result.baseline.file}",
    }


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


def _location(evidence: Evidence, root: str) -> dict[str, Any]:
    physical: dict[str, Any] = {"artifactLocation": artifact_location(evidence.file, root)}
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
    root = result.source_root
    for device in result.network.devices:
        if device.name == finding.device and device.config:
            return {"physicalLocation": {"artifactLocation": artifact_location(device.config, root)}}
    return {
        "physicalLocation": {"artifactLocation": artifact_location(result.topology, root), "region": {"startLine": 1}}
    }


def _hop_location(result: Result, step: PathStep, lang: str) -> dict[str, Any]:
    acl = step.acl or step.acl_out
    if acl is not None:
        physical: dict[str, Any] = {"artifactLocation": artifact_location(acl.file, result.source_root)}
        if acl.line > 0:
            physical["region"] = {"startLine": acl.line, **({"snippet": {"text": acl.text}} if acl.text else {})}
    else:
        config = next((d.config for d in result.network.devices if d.name == step.device), "") or result.topology
        physical = {"artifactLocation": artifact_location(config, result.source_root)}
    return {"physicalLocation": physical, "message": {"text": hop_text(step, lang)}}


def artifact_location(path: str, root: str = "") -> dict[str, Any]:
    """A file under the repository root becomes a URI relative to %SRCROOT%; another absolute
    path a file: URI; a path that names no file here (a diff's `REV:path`) stays relative."""
    from_root = root_relative(path, root)
    if from_root is not None:
        return {"uri": quote(from_root), "uriBaseId": SOURCE_ROOT}
    if PurePosixPath(path).is_absolute():
        return {"uri": "file://" + quote(path)}
    if PureWindowsPath(path).is_absolute():
        return {"uri": "file:///" + quote(PureWindowsPath(path).as_posix())}
    return {"uri": quote(PureWindowsPath(path).as_posix()), "uriBaseId": SOURCE_ROOT}
