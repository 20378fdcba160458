"""The second bundled city, Kitagawa, whose zones meet at one FortiGate, against its hand
analysis (samples/expected-kitagawa*.yaml).

Hand-traced packets of the compliant state go through the tracer (which names the deciding
policy's `edit N` line) and the engine, and through the test oracle unless their fate depends
on connection state or NAT. Every planted mistake of the broken state must be reported by its
rule, with a path and the FortiOS line that decides it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner
from conftest import REPO
from test_sample import Sample, assert_arrives_by_hand_traced_path, line_keys, packet_of

from nankoku_netcheck.analyze import analyze
from nankoku_netcheck.cli import main
from nankoku_netcheck.reach.engine import Endpoint, Start
from nankoku_netcheck.result import Finding, Result

EXPECTED = yaml.safe_load((REPO / "samples" / "expected-kitagawa.yaml").read_text(encoding="utf-8"))
EXPECTED_BROKEN = yaml.safe_load((REPO / "samples" / "expected-kitagawa-broken.yaml").read_text(encoding="utf-8"))
FLOW_RULES = {"ZONE-001", "ZONE-005"}


def pending(item: dict[str, Any]) -> Any:
    marks = [pytest.mark.xfail(strict=True, reason=item["pending"])] if item.get("pending") else []
    return pytest.param(item, id=item["id"], marks=marks)


def on_start(start: Start) -> Endpoint:
    """The hosts of the segment a packet starts on (where a dropped packet stays)."""
    return Endpoint("hosts", segment=start.segment)


@pytest.fixture(scope="module")
def compliant() -> Sample:
    return Sample("kitagawa.yaml")


@pytest.fixture(scope="module")
def broken() -> Sample:
    return Sample("kitagawa-broken.yaml")


@pytest.fixture(scope="module")
def broken_result() -> Result:
    return analyze(str(REPO / "topologies" / "kitagawa-broken.yaml"))


def verify(topology: str, monkeypatch: pytest.MonkeyPatch) -> tuple[int, str]:
    monkeypatch.chdir(REPO)
    result = CliRunner().invoke(main, ["verify", f"topologies/{topology}", "--lang", "en", "--no-cache"], env={})
    return result.exit_code, result.stdout


def test_compliant_kitagawa_verifies_pass(monkeypatch: pytest.MonkeyPatch) -> None:
    code, out = verify("kitagawa.yaml", monkeypatch)
    assert "inputs: 6 files (5 devices, 1142 config lines, 0 not understood)" in out
    assert "Findings\n  no findings\n" in out
    assert out.rstrip().endswith("VERDICT: PASS")
    assert code == 0, out


def test_compliant_kitagawa_isolation_rests_on_the_deny_all_policy(monkeypatch: pytest.MonkeyPatch) -> None:
    _, out = verify("kitagawa.yaml", monkeypatch)
    assert "device_configs/kitagawa/kita-fgt.conf:239  edit 999  (policy 999 (deny-all) on kita-fgt internal1)" in out


def test_broken_kitagawa_changes_only_the_fortigate() -> None:
    for name in ("mn-sw.cfg", "lg-sw.cfg", "inet-sw.cfg", "edge-rtr.cfg"):
        compliant = (REPO / "device_configs" / "kitagawa" / name).read_bytes()
        assert (REPO / "device_configs" / "kitagawa-broken" / name).read_bytes() == compliant, name


@pytest.mark.parametrize("item", EXPECTED["permitted"], ids=lambda item: item["id"])
def test_kitagawa_permitted_packets_arrive_by_the_hand_traced_path(compliant: Sample, item: dict[str, Any]) -> None:
    assert_arrives_by_hand_traced_path(compliant, item)


def denied_param(item: dict[str, Any]) -> Any:
    return pytest.param(item, id=item["id"])


@pytest.mark.parametrize("item", [denied_param(item) for item in EXPECTED["denied"]])
def test_kitagawa_denied_packets_are_dropped_by_the_hand_traced_line(compliant: Sample, item: dict[str, Any]) -> None:
    packet = packet_of(item["packet"])
    start = compliant.start(item, packet)
    if not item.get("firewall_semantics"):
        assert compliant.oracle_endpoints(start, packet) <= {on_start(start)}
    space = compliant.engine.space
    delivered = compliant.engine.reach([(start, space.packet(packet))]).delivered
    assert not [e for e, packets in delivered.items() if space.contains(packets, packet) and e != on_start(start)]
    paths = compliant.tracer.trace(start, packet)
    assert paths and [hop.device for hop in paths[0].hops] == item["path"]
    assert all(p.disposition.startswith("denied") for p in paths)
    last = paths[0].hops[-1]
    decision = last.egress if paths[0].disposition == "denied-out" else last.ingress
    assert decision is not None and decision.line is not None
    assert (Path(decision.line.source.file).name, decision.line.source.line) == line_keys([item["dropped_by"]])[0]


def evidence_of(finding: Finding, role: str | None = None) -> set[tuple[str, int]]:
    return {(Path(e.file).name, e.line) for e in finding.evidence if role is None or e.role == role}


@pytest.mark.parametrize("item", EXPECTED_BROKEN["flows"], ids=lambda item: item["id"])
def test_every_planted_fortigate_flow_mistake_is_reported_with_its_line(
    broken_result: Result, broken: Sample, compliant: Sample, item: dict[str, Any]
) -> None:
    packet = packet_of(item["packet"])
    start = broken.start(item, packet)
    expected = broken.endpoint(item["delivered"])
    if not item.get("firewall_semantics"):
        assert expected in broken.oracle_endpoints(start, packet)
    permitted_by = line_keys([item["permitted_by"]])[0]
    matching = [
        f
        for f in broken_result.findings
        if f.rule == item["rule"]
        and f.status == "violated"
        and f.severity == "error"
        and (f.from_zone, f.to_zone) == (item["from_zone"], item["to_zone"])
        and permitted_by in evidence_of(f, "permits")
    ]
    assert matching, f"{item['id']} not reported"
    finding = matching[0]
    assert finding.flow is not None and [hop.device for hop in finding.path] == item["path"]
    if "nat_line" in item:
        assert line_keys([item["nat_line"]])[0] in evidence_of(finding)
    # The tracer delivers the packet by the hand-traced path, the added policy permitting it;
    # the compliant state does not deliver it.
    paths = [p for p in broken.tracer.trace(start, packet) if broken.endpoints_reached([p.endpoint]) == {expected}]
    assert paths and [hop.device for hop in paths[0].hops] == item["path"]
    deciding = {
        (Path(d.line.source.file).name, d.line.source.line)
        for hop in paths[0].hops
        for d in (hop.ingress, hop.egress)
        if d is not None and d.line is not None
    }
    assert permitted_by in deciding
    assert not [
        p
        for p in compliant.tracer.trace(compliant.start(item, packet), packet)
        if p.endpoint is not None
        and compliant.endpoints_reached([p.endpoint]) == {compliant.endpoint(item["delivered"])}
    ]


@pytest.mark.parametrize("item", EXPECTED_BROKEN["flows"], ids=lambda item: item["id"])
def test_side_effects_of_the_planted_fortigate_mistakes_are_reported(
    broken_result: Result, item: dict[str, Any]
) -> None:
    for other in item["also_reports"]:
        line = line_keys([other["line"]])[0]
        assert [
            f
            for f in broken_result.findings
            if (f.rule, f.severity, f.status) == (other["rule"], other["severity"], "violated")
            and (f.from_zone, f.to_zone) == (other["from_zone"], other["to_zone"])
            and line in evidence_of(f, "permits")
        ], other


def test_broken_kitagawa_reports_no_flow_beyond_the_planted_mistakes(broken_result: Result) -> None:
    expected = sorted(
        [(item["rule"], "error", item["from_zone"], item["to_zone"]) for item in EXPECTED_BROKEN["flows"]]
        + [
            (other["rule"], other["severity"], other["from_zone"], other["to_zone"])
            for item in EXPECTED_BROKEN["flows"]
            for other in item["also_reports"]
            if other["rule"] in FLOW_RULES
        ]
    )
    found = sorted(
        (f.rule, f.severity, f.from_zone, f.to_zone)
        for f in broken_result.findings
        if f.rule in FLOW_RULES and f.status == "violated"
    )
    assert found == expected


@pytest.mark.parametrize("item", [pending(item) for item in EXPECTED_BROKEN["config"]])
def test_every_planted_fortigate_config_mistake_is_reported_with_its_line(
    broken_result: Result, item: dict[str, Any]
) -> None:
    line = line_keys([item])[0]
    matching = [
        f
        for f in broken_result.findings
        if (f.rule, f.severity, f.status) == (item["rule"], item["severity"], "violated")
        and f.evidence
        and (Path(f.evidence[0].file).name, f.evidence[0].line) == line
    ]
    assert matching, f"{item['id']} not reported"
    assert matching[0].evidence[0].text.strip() == item["text"]
    compliant_result = analyze(str(REPO / "topologies" / "kitagawa.yaml"))
    assert not [f for f in compliant_result.findings if f.rule == item["rule"]]


def test_broken_kitagawa_config_lines_are_the_documented_ones() -> None:
    for item in EXPECTED_BROKEN["config"]:
        lines = (REPO / item["file"]).read_text(encoding="utf-8").splitlines()
        assert lines[item["line"] - 1].strip() == item["text"], item["id"]
        if item["was"] is not None:
            before = (REPO / item["file"].replace("kitagawa-broken", "kitagawa")).read_text(encoding="utf-8")
            assert before.splitlines()[item["was"]["line"] - 1].strip() == item["was"]["text"], item["id"]


def test_broken_kitagawa_cli_quotes_the_management_lines(monkeypatch: pytest.MonkeyPatch) -> None:
    code, out = verify("kitagawa-broken.yaml", monkeypatch)
    assert "inputs: 6 files (5 devices, 1195 config lines, 0 not understood)" in out
    assert "device_configs/kitagawa-broken/kita-fgt.conf:39  set allowaccess ping https ssh http telnet" in out
    assert "  MGMT-001  FAIL" in out
    assert code == 1


def test_broken_kitagawa_cli_quotes_each_deciding_policy_line(monkeypatch: pytest.MonkeyPatch) -> None:
    _, out = verify("kitagawa-broken.yaml", monkeypatch)
    findings = out.split("\n  [")[1:]
    for item in EXPECTED_BROKEN["flows"]:
        where = f"{item['permitted_by']['file']}:{item['permitted_by']['line']}"
        quoted = [text for text in findings if text.split(" ", 2)[1] == item["rule"] and f"{where}  edit " in text]
        assert quoted, item["id"]
        assert "\n      path:\n" in quoted[0]
