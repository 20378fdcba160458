"""The third bundled sample, Otoyo (大豊町): a small town on domestic gear (a YAMAHA RTX at the
internet edge, a NEC UNIVERGE IX towards the prefecture's LGWAN router, AlliedWare Plus core
switches), against its hand analysis (samples/expected-otoyo*.yaml).

Every device here filters statelessly, so each hand-traced packet is checked by the test
oracle as well as by the tracer (which names the deciding filter line) and the engine. Every
planted mistake of the broken state (one vendor semantic each) must be reported by its rule,
with its path or its line; the compliant state keeps only the documented plugin gaps.
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
from nankoku_netcheck.reach.engine import Endpoint
from nankoku_netcheck.reach.trace import Hop
from nankoku_netcheck.report import render_html
from nankoku_netcheck.result import Finding, Result

EXPECTED = yaml.safe_load((REPO / "samples" / "expected-otoyo.yaml").read_text(encoding="utf-8"))
EXPECTED_BROKEN = yaml.safe_load((REPO / "samples" / "expected-otoyo-broken.yaml").read_text(encoding="utf-8"))
FLOW_RULES = {"ZONE-001", "ZONE-005", "ZONE-007"}
CP932_FILE = "edge-rtx.cfg"


def file_lines(relative: str) -> list[str]:
    """A sample config's lines; the RTX configs are saved in CP932 with CRLF."""
    data = (REPO / relative).read_bytes()
    text = data.decode("cp932") if Path(relative).name == CP932_FILE else data.decode("utf-8")
    return text.splitlines()


@pytest.fixture(scope="module")
def compliant() -> Sample:
    return Sample("otoyo.yaml")


@pytest.fixture(scope="module")
def broken() -> Sample:
    return Sample("otoyo-broken.yaml")


@pytest.fixture(scope="module")
def compliant_result() -> Result:
    return analyze(str(REPO / "topologies" / "otoyo.yaml"), timestamp="2026-12-06T00:00:00Z")


@pytest.fixture(scope="module")
def broken_result() -> Result:
    return analyze(str(REPO / "topologies" / "otoyo-broken.yaml"), timestamp="2026-12-06T00:00:00Z")


def verify(topology: str, monkeypatch: pytest.MonkeyPatch, lang: str = "en") -> tuple[int, str]:
    monkeypatch.chdir(REPO)
    result = CliRunner().invoke(main, ["verify", f"topologies/{topology}", "--lang", lang, "--no-cache"], env={})
    return result.exit_code, result.stdout


def evidence_of(finding: Finding, role: str | None = None) -> set[tuple[str, int]]:
    return {(Path(e.file).name, e.line) for e in finding.evidence if role is None or e.role == role}


def test_the_rtx_configs_are_cp932_and_the_others_utf8() -> None:
    for folder in ("otoyo", "otoyo-broken"):
        rtx = (REPO / "device_configs" / folder / CP932_FILE).read_bytes()
        with pytest.raises(UnicodeDecodeError):
            rtx.decode("utf-8")
        assert "自治体情報セキュリティクラウド 接続回線" in rtx.decode("cp932")
        assert b"\r\n" in rtx
        for name in ("core-sw.cfg", "inet-sw.cfg", "lg-ix.cfg"):
            (REPO / "device_configs" / folder / name).read_bytes().decode("utf-8")


def test_compliant_otoyo_verifies_with_exit_0(monkeypatch: pytest.MonkeyPatch) -> None:
    code, out = verify("otoyo.yaml", monkeypatch)
    assert "inputs: 5 files (4 devices, 378 config lines, 0 not understood)" in out
    for rule in ("ZONE-001", "ZONE-005", "ZONE-007", "ZONE-008", "ZONE-009", "META-001", "MGMT-001", "MGMT-006"):
        assert f"  {rule:<9} PASS" in out, rule
    assert "6 violated, 0 inconclusive (0 errors, 4 warnings)" in out
    assert out.rstrip().endswith("VERDICT: PASS")
    assert code == 0, out


def test_compliant_otoyo_keeps_only_the_documented_plugin_gaps(compliant_result: Result) -> None:
    found = sorted((f.rule, f.device, f.severity) for f in compliant_result.findings)
    expected = sorted((k["rule"], k["device"], k["severity"]) for k in EXPECTED["known_findings"])
    assert found == expected


def test_compliant_otoyo_isolation_certificates_name_each_vendors_line(monkeypatch: pytest.MonkeyPatch) -> None:
    _, out = verify("otoyo.yaml", monkeypatch)
    assert "device_configs/otoyo/edge-rtx.cfg:41  ip filter 3099 reject * * * * *  (drops)" in out
    assert "device_configs/otoyo/core-sw.cfg:26  20 deny ip any any  (drops)" in out
    assert "device_configs/otoyo/lg-ix.cfg:40  ip filter LG-TO-ASP 100 in  (implicit deny at the end)" in out


@pytest.mark.parametrize("item", EXPECTED["permitted"], ids=lambda item: item["id"])
def test_otoyo_permitted_packets_arrive_by_the_hand_traced_path(compliant: Sample, item: dict[str, Any]) -> None:
    assert_arrives_by_hand_traced_path(compliant, item)


def deciding_drop(hop: Hop, disposition: str) -> tuple[str | None, tuple[str, int] | None]:
    decision = hop.egress if disposition == "denied-out" else hop.ingress
    assert decision is not None and not decision.permitted
    line = None if decision.line is None else (Path(decision.line.source.file).name, decision.line.source.line)
    return decision.acl_name, line


@pytest.mark.parametrize("item", EXPECTED["denied"], ids=lambda item: item["id"])
def test_otoyo_denied_packets_are_dropped_by_the_hand_traced_line(compliant: Sample, item: dict[str, Any]) -> None:
    packet = packet_of(item["packet"])
    start = compliant.start(item, packet)
    stays = Endpoint("hosts", segment=start.segment)
    assert compliant.oracle_endpoints(start, packet) <= {stays}
    space = compliant.engine.space
    delivered = compliant.engine.reach([(start, space.packet(packet))]).delivered
    assert not [e for e, packets in delivered.items() if space.contains(packets, packet) and e != stays]
    paths = compliant.tracer.trace(start, packet)
    assert paths and all(p.disposition.startswith("denied") for p in paths)
    assert [hop.device for hop in paths[0].hops] == item["path"]
    acl_name, line = deciding_drop(paths[0].hops[-1], paths[0].disposition)
    if "implicit_deny" in item["dropped_by"]:
        assert (acl_name, line) == (item["dropped_by"]["implicit_deny"], None)
    else:
        assert line == line_keys([item["dropped_by"]])[0]


def unfiltered_hop(hops: tuple[Hop, ...], where: dict[str, str]) -> Hop:
    [hop] = [h for h in hops if h.device == where["device"]]
    interface = hop.out_interface if where["direction"] == "out" else hop.in_interface
    assert interface == where["interface"]
    return hop


def filter_of(hop: Hop, direction: str) -> str | None:
    decision = hop.egress if direction == "out" else hop.ingress
    return None if decision is None else decision.acl_name


@pytest.mark.parametrize("item", EXPECTED_BROKEN["flows"], ids=lambda item: item["id"])
def test_every_planted_flow_mistake_is_reported_with_its_path(
    broken_result: Result, broken: Sample, compliant: Sample, item: dict[str, Any]
) -> None:
    packet = packet_of(item["packet"])
    start = broken.start(item, packet)
    expected = broken.endpoint(item["delivered"])
    assert expected in broken.oracle_endpoints(start, packet)
    assert expected not in compliant.oracle_endpoints(compliant.start(item, packet), packet)
    matching = [
        f
        for f in broken_result.findings
        if (f.rule, f.status, f.severity) == (item["rule"], "violated", "error")
        and (f.from_zone, f.to_zone if item["to_zone"] else None) == (item["from_zone"], item["to_zone"])
        and [step.device for step in f.path] == item["path"]
    ]
    assert matching, f"{item['id']} not reported"
    permits = evidence_of(matching[0], "permits")
    if item["permitted_by"] is None:
        assert not permits  # no filter is left on the path: nothing to quote but the path
    else:
        assert line_keys([item["permitted_by"]])[0] in permits
    paths = [p for p in broken.tracer.trace(start, packet) if broken.endpoints_reached([p.endpoint]) == {expected}]
    assert paths and [hop.device for hop in paths[0].hops] == item["path"]
    if "unfiltered" in item:
        where = item["unfiltered"]
        assert filter_of(unfiltered_hop(paths[0].hops, where), where["direction"]) is None
        # The compliant state filters that hop, and drops the packet there.
        [dropped] = compliant.tracer.trace(compliant.start(item, packet), packet)
        assert dropped.disposition.startswith("denied") and dropped.hops[-1].device == where["device"]
        assert filter_of(unfiltered_hop(dropped.hops, where), where["direction"]) is not None


@pytest.mark.parametrize("item", EXPECTED_BROKEN["flows"], ids=lambda item: item["id"])
def test_side_effects_of_the_planted_flow_mistakes_are_reported(broken_result: Result, item: dict[str, Any]) -> None:
    for other in item["also_reports"]:
        line = line_keys([other])[0]
        assert [
            f
            for f in broken_result.findings
            if (f.rule, f.severity, f.status) == (other["rule"], other["severity"], "violated")
            and f.evidence
            and (Path(f.evidence[0].file).name, f.evidence[0].line) == line
        ], other


def test_broken_otoyo_reports_no_flow_beyond_the_planted_mistakes(broken_result: Result) -> None:
    found = sorted(
        (f.rule, f.severity, f.from_zone) for f in broken_result.findings if f.rule in FLOW_RULES | {"ZONE-008"}
    )
    flows = EXPECTED_BROKEN["flows"]
    side_effects = [other for item in flows for other in item["also_reports"] if other["rule"] in FLOW_RULES]
    expected = [(item["rule"], "error", item["from_zone"]) for item in flows]
    expected += [(other["rule"], other["severity"], other["from_zone"]) for other in side_effects]
    assert found == sorted(expected)


@pytest.mark.parametrize("item", EXPECTED_BROKEN["config"], ids=lambda item: item["id"])
def test_every_planted_config_mistake_is_reported_with_its_line(
    broken_result: Result, compliant_result: Result, item: dict[str, Any]
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
    assert matching[0].evidence[0].text.strip() == item["evidence_text"]
    device = matching[0].device
    assert not [f for f in compliant_result.findings if (f.rule, f.device) == (item["rule"], device)]


def test_broken_otoyo_documented_lines_are_in_the_files() -> None:
    items = [*EXPECTED_BROKEN["flows"], *EXPECTED_BROKEN["config"]]
    for item in items:
        if "text" in item:
            assert file_lines(item["file"])[item["line"] - 1].strip() == item["text"], item["id"]
        was = item["was"]
        if was is not None:
            before = [line.strip() for line in file_lines(was["file"])]
            assert before[was["line"] - 1] == was["text"], item["id"]
            after = [line.strip() for line in file_lines(was["file"].replace("/otoyo/", "/otoyo-broken/"))]
            assert after.count(was["text"]) == before.count(was["text"]) - 1, item["id"]


def test_broken_otoyo_leaves_the_internet_zone_switch_alone() -> None:
    name = "inet-sw.cfg"
    compliant = (REPO / "device_configs" / "otoyo" / name).read_bytes()
    assert (REPO / "device_configs" / "otoyo-broken" / name).read_bytes() == compliant


def test_broken_otoyo_fails_and_never_shows_the_planted_password(
    broken_result: Result, monkeypatch: pytest.MonkeyPatch
) -> None:
    code, out = verify("otoyo-broken.yaml", monkeypatch)
    assert code == 1
    assert "inputs: 5 files (4 devices, 378 config lines, 0 not understood)" in out
    [secret] = [item["secret"] for item in EXPECTED_BROKEN["config"] if "secret" in item]
    assert secret not in out
    assert secret not in render_html(broken_result, "ja")
    assert secret not in render_html(broken_result, "en")


def test_cp932_rtx_description_reaches_the_html_report_intact(broken_result: Result) -> None:
    [spare] = [f for f in broken_result.findings if f.rule == "PORT-001"]
    assert spare.device == "edge-rtx"
    assert spare.message_ja == (
        "device_configs/otoyo-broken/edge-rtx.cfg:25: インターフェース lan4 は説明が「未使用」のに、"
        "shutdown されていません。"
    )
    html = render_html(broken_result, "ja")
    assert (
        '<code>device_configs/otoyo-broken/edge-rtx.cfg:25</code> <span class="muted">未閉鎖</span> '
        '<code class="config">description lan4 &#34;予備ポート（未使用）&#34;</code>'
    ) in html
