"""The JSON record: the contract CI and auditors build on. Deterministic: same input,
same bytes, apart from `generated_at` (and `command`, which names the output format).

`result_sha256` is the SHA-256 of the canonical result: the English record without
`generated_at`, `command` and `result_sha256`, serialised as JSON with sorted keys, no
whitespace and UTF-8 text. The HTML report prints the same value, so an auditor can check
that an HTML and a JSON file describe the same result, and can recompute it from an
English JSON record (see README, "Outputs")."""

from __future__ import annotations

import functools
import hashlib
import json
from dataclasses import asdict, fields
from typing import Any

from ..baseline import fingerprints
from ..result import Evidence, Finding, NetworkSummary, Result
from .common import CutFilter, cut_filters, json_text, redacted

# Keys that describe the run rather than the result; the integrity hash leaves them out.
RUN_KEYS = ("generated_at", "command", "result_sha256")

# The version of the record's layout, checked by data/report.schema.json (`nankoku-netcheck schema`):
# a new optional key keeps it, a removed or changed key raises it.
SCHEMA_VERSION = 1


def result_to_dict(result: Result, lang: str = "en") -> dict[str, Any]:
    """The JSON record without `result_sha256` (see `render_json`)."""
    return redacted_result_to_dict(redacted(result), lang)


def redacted_result_to_dict(result: Result, lang: str = "en") -> dict[str, Any]:
    """`result_to_dict` of a Result already passed through `redacted` (redacting is
    idempotent, and on a city the certificates alone hold some 50,000 quoted lines, so a
    renderer that has the redacted Result does not redact it again)."""
    found = fingerprints(result.findings, result.source_root)
    return {
        "schema_version": SCHEMA_VERSION,
        "tool": {"name": result.tool_name, "version": result.tool_version},
        "verdict": result.verdict,
        "generated_at": result.generated_at,
        "command": result.command,
        "network": {
            "name": result.network_name,
            "topology": result.topology,
            "policy": result.policy,
            **network_to_dict(result.network),
        },
        "engine": result.engine,
        "inputs": [
            {
                "path": record.path,
                "sha256": record.sha256,
                "kind": record.kind,
                "lines": record.lines,
                **(
                    {
                        "device": record.device,
                        "vendor": record.vendor,
                        "unrecognised_forwarding_lines": record.unknown_forwarding,
                        "unrecognised_harmless_lines": record.unknown_harmless,
                    }
                    if record.kind == "config"
                    else {}
                ),
            }
            for record in result.inputs
        ],
        "zones": [{"id": zone_id, "kind": kind, "label": label} for zone_id, kind, label in result.zones],
        "rules": [
            {
                "id": v.rule,
                "severity": v.severity,
                "clause": v.clause,
                "guideline": v.guideline,
                "title": v.title_ja if lang == "ja" else v.title_en,
                "verdict": v.verdict,
                "violated": v.violated,
                "inconclusive": v.inconclusive,
            }
            for v in result.rules
        ],
        "findings": [
            {**finding_to_dict(f, lang), "fingerprint": fingerprint}
            for f, fingerprint in zip(result.findings, found, strict=True)
        ],
        "certificates": [
            {
                "from_zone": c.from_zone,
                "to_zone": c.to_zone,
                "lines": [evidence_dict(e) for e in c.lines],
                "filters": [cut_filter_to_dict(cut) for cut in cut_filters(c)],
                "route_absences": list(c.route_absences),
            }
            for c in result.certificates
        ],
        "exceptions": [plain_dict(record) for record in result.exceptions],
        "assumptions": list(result.assumptions),
        **({"baseline": plain_dict(result.baseline)} if result.baseline is not None else {}),
        "summary": summary(result),
    }


# The values `dataclasses.asdict` returns as they are (its deep copy of them is the value itself).
_PLAIN_VALUES = (str, int, bool, float, type(None))


def plain_dict(record: Any) -> dict[str, Any]:
    """`dataclasses.asdict(record)` for a record of plain values (Evidence, AclRef, …) without
    its recursive deep copy: the JSON record of a large city holds tens of thousands of them.
    Any other record goes to asdict."""
    cls: type = type(record)
    out = {name: getattr(record, name) for name in _field_names(cls)}
    if all(type(value) in _PLAIN_VALUES for value in out.values()):
        return out
    return asdict(record)


@functools.cache
def _field_names(cls: type) -> tuple[str, ...]:
    return tuple(item.name for item in fields(cls))


def evidence_dict(evidence: Evidence) -> dict[str, Any]:
    """`plain_dict` of an Evidence, its fields named (a certificate cites thousands of lines;
    tests/test_report_fast_paths.py checks that these are its fields)."""
    return {"file": evidence.file, "line": evidence.line, "text": evidence.text, "role": evidence.role}


def cut_filter_to_dict(cut: CutFilter) -> dict[str, Any]:
    """One filter of a certificate's cut, in the order of `lines`: where it is bound and how many
    of the lines after its binding line are its, numbered `first_line` to `last_line`."""
    return {
        "device": cut.device,
        "interface": cut.interface,
        "acl": cut.acl,
        "direction": cut.direction,
        "lines": cut.cited,
        "first_line": cut.first_line,
        "last_line": cut.last_line,
    }


def network_to_dict(network: NetworkSummary) -> dict[str, Any]:
    return {
        "devices": [plain_dict(device) for device in network.devices],
        "segments": [
            {"id": s.id, "zone": s.zone, "subnets": list(s.subnets), "members": list(s.members)}
            for s in network.segments
        ],
        "upstreams": list(network.upstreams),
        "external_attach": [{"peer": peer, "interface": where} for peer, where in network.external_attach],
    }


def canonical_result_bytes(result: Result) -> bytes:
    """The bytes `result_sha256` is computed over (language-independent: always English)."""
    return _canonical_bytes(result_to_dict(result, "en"))


def _canonical_bytes(english: dict[str, Any]) -> bytes:
    record = {key: value for key, value in english.items() if key not in RUN_KEYS}
    return json.dumps(record, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode("utf-8")


def result_sha256(result: Result) -> str:
    return hashlib.sha256(canonical_result_bytes(result)).hexdigest()


def redacted_result_sha256(result: Result) -> str:
    """`result_sha256` of a Result already passed through `redacted`."""
    return hashlib.sha256(_canonical_bytes(redacted_result_to_dict(result, "en"))).hexdigest()


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
        flow = plain_dict(finding.flow)
        out["flow"] = {
            key: value for key, value in flow.items() if value is not None and not (key == "established" and not value)
        }
        out["flow_class"] = finding.flow_class
    if finding.flow_start:
        out["flow_start"] = {"kind": finding.flow_start_kind, "at": finding.flow_start}
    if finding.path:
        out["path"] = [
            {
                "device": step.device,
                "in_interface": step.in_interface,
                "out_interface": step.out_interface,
                "route": step.route,
                "acl": plain_dict(step.acl) if step.acl else None,
                **({"acl_out": plain_dict(step.acl_out)} if step.acl_out else {}),
                **({"note": step.note} if step.note else {}),
                **({"in_vrf": step.in_vrf} if step.in_vrf else {}),
                **({"out_vrf": step.out_vrf} if step.out_vrf else {}),
            }
            for step in finding.path
        ]
    out["evidence"] = [evidence_dict(e) for e in finding.evidence]
    if finding.notes:
        out["notes"] = list(finding.notes)
    if finding.baseline:
        out["baseline"] = finding.baseline
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


def render_json(result: Result, lang: str = "en", digest: str | None = None) -> str:
    """`digest`: the result's `result_sha256` when the caller already has it (several
    formats of one result hash it once)."""
    shown = redacted(result)
    record = redacted_result_to_dict(shown, lang)
    if digest is None:
        english = record if lang == "en" else redacted_result_to_dict(shown, "en")
        digest = hashlib.sha256(_canonical_bytes(english)).hexdigest()
    record["result_sha256"] = digest
    return json_text(record, indent=2) + "\n"
