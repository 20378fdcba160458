"""JUnit XML for CI test views: one test suite per rule that ran, one test case per zone
pair (zone rules), per device (device rules) or for the whole network, as the rule's
documentation page declares (rules/docs.py `scope`).

A violation of severity error or warning is a <failure>; an inconclusive finding is an
<error> (the property could not be established); an info finding leaves the test case
passing and is printed in its <system-out>. Findings a baseline accepts are printed in
<system-out> too; a test case with no other problem is <skipped> ("accepted (baseline)").
Every finding lands in some test case: one whose zones or device are outside the declared
scope gets a test case of its own.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import dataclass, field

from ..result import Finding, Result, RuleVerdict
from ..rules.docs import ANY, rule_doc
from .common import displayable, flow_text, hop_text, labels, permitting_lines, start_text

NETWORK_CASE = "network"


@dataclass
class _Case:
    name: str
    findings: list[Finding] = field(default_factory=list)


def render_junit(result: Result, lang: str = "en") -> str:
    result = displayable(result)
    suites = ET.Element("testsuites", name=f"{result.tool_name} {result.network_name}")
    totals = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
    for verdict in result.rules:
        suite = _suite(result, verdict, lang)
        suites.append(suite)
        for key in totals:
            totals[key] += int(suite.get(key, "0"))
    for key, value in totals.items():
        suites.set(key, str(value))
    suites.set("time", "0")
    ET.indent(suites)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(suites, encoding="unicode") + "\n"


def _suite(result: Result, verdict: RuleVerdict, lang: str) -> ET.Element:
    cases = junit_cases(result, verdict.rule)
    title = verdict.title_ja if lang == "ja" else verdict.title_en
    suite = ET.Element(
        "testsuite", name=f"{verdict.rule} {title}", timestamp=_junit_timestamp(result.generated_at), time="0"
    )
    properties = ET.SubElement(suite, "properties")
    for name, value in (
        ("rule", verdict.rule),
        ("severity", verdict.severity),
        ("clause", verdict.clause),
        ("guideline", verdict.guideline),
        ("verdict", verdict.verdict),
    ):
        ET.SubElement(properties, "property", name=name, value=value)
    failures = errors = skipped = 0
    classname = f"{result.tool_name}.{verdict.rule}"
    for case in cases:
        element = ET.SubElement(suite, "testcase", name=case.name, classname=classname, time="0")
        if not case.findings:
            continue  # most of a large city's cases (one per device and rule): a bare passing case
        counted = [f for f in case.findings if not f.accepted]
        failing = [f for f in counted if f.status == "violated" and f.severity in ("error", "warning")]
        inconclusive = [f for f in counted if f.status == "inconclusive"]
        accepted = [f for f in case.findings if f.accepted and f.severity != "info"]
        notes = [f for f in case.findings if f not in failing and f not in inconclusive]
        if failing:
            failures += 1
            _problem(element, "failure", failing, lang)
        elif inconclusive:
            errors += 1
            _problem(element, "error", inconclusive, lang)
        elif accepted:
            # Known and accepted: neither a pass nor a new failure.
            skipped += 1
            ET.SubElement(element, "skipped", message=labels(lang)["accepted_baseline"])
        if notes or (failing and inconclusive):
            shown = notes + (inconclusive if failing else [])
            ET.SubElement(element, "system-out").text = "\n\n".join(finding_text(f, lang) for f in shown)
    suite.set("tests", str(len(cases)))
    suite.set("failures", str(failures))
    suite.set("errors", str(errors))
    suite.set("skipped", str(skipped))
    return suite


def _problem(case: ET.Element, tag: str, findings: list[Finding], lang: str) -> None:
    element = ET.SubElement(
        case, tag, message=findings[0].message(lang), type=findings[0].severity if tag == "failure" else "inconclusive"
    )
    element.text = "\n\n".join(finding_text(f, lang) for f in findings)


def finding_text(finding: Finding, lang: str) -> str:
    words = labels(lang)
    accepted = f" ({words['accepted_baseline']})" if finding.accepted else ""
    lines = [f"{finding.rule} {words[finding.severity]}{accepted}: {finding.message(lang)}"]
    if finding.flow is not None:
        lines.append(f"{words['example']}: {flow_text(finding.flow)}")
    if finding.flow_start:
        lines.append(f"{words['flow_start']}: {start_text(finding, lang)}")
    for step in finding.path:
        lines.append(f"  {hop_text(step, lang)}")
    for evidence in permitting_lines(finding):
        lines.append(f"  {evidence.file}:{evidence.line}: {evidence.text}")
    return "\n".join(lines)


# --- test cases -----------------------------------------------------------------------------


def junit_cases(result: Result, rule_id: str) -> list[_Case]:
    """The rule's test cases in report order, each holding the findings it covers."""
    cases = {name: _Case(name) for name in _declared_cases(result, rule_id)}
    extra: dict[str, _Case] = {}
    for finding in result.findings:
        if finding.rule != rule_id:
            continue
        name = _case_name(finding)
        case = cases.get(name) or extra.setdefault(name, _Case(name))
        case.findings.append(finding)
    return [*cases.values(), *(extra[name] for name in sorted(extra))]


def _declared_cases(result: Result, rule_id: str) -> list[str]:
    doc = rule_doc(rule_id)
    scope = doc.scope if doc else "network"
    if scope == "device":
        return [device.name for device in result.network.devices] or [NETWORK_CASE]
    if scope == "zone-pair" and doc is not None:
        names = []
        for from_id, from_kind, _ in result.zones:
            for to_id, to_kind, _ in result.zones:
                if from_id != to_id and any(
                    _kind_matches(from_kind, a) and _kind_matches(to_kind, b) for a, b in doc.zone_pairs
                ):
                    names.append(_pair_name(from_id, to_id))
        return names or [NETWORK_CASE]
    return [NETWORK_CASE]


def _kind_matches(kind: str, pattern: str) -> bool:
    return pattern == ANY or kind == pattern


def _case_name(finding: Finding) -> str:
    if finding.from_zone or finding.to_zone:
        return _pair_name(finding.from_zone, finding.to_zone)
    return finding.device or NETWORK_CASE


def _pair_name(from_zone: str, to_zone: str) -> str:
    return f"{from_zone} → {to_zone}"


def _junit_timestamp(generated_at: str) -> str:
    """JUnit's timestamp has no zone designator."""
    return generated_at.removesuffix("Z")
