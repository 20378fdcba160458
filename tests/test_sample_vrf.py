"""The VRF variant of the sample city: one core switch (core-sw) carries the LGWAN and the
internet zones in two VRFs. Compliant: the VRFs keep the zones apart (verify passes; ZONE-008
warns that the separation rests on the routing tables, which it does). Broken: one static route
leaks the INET VRF into the LGWAN VRF: the exact ZONE-005 finding, its path naming the VRFs,
and the engine, the tracer and the oracle agree on the leaked packet."""

from __future__ import annotations

from pathlib import Path

import oracle
import pytest
from conftest import REPO

from nankoku_netcheck.analyze import analyze, load
from nankoku_netcheck.model import ip_to_int
from nankoku_netcheck.reach.engine import Endpoint, ReachEngine, Start, boundary_interfaces
from nankoku_netcheck.reach.packets import Packet, PacketSpace
from nankoku_netcheck.reach.trace import Tracer
from nankoku_netcheck.report.html import render_html
from nankoku_netcheck.report.json_report import result_to_dict
from nankoku_netcheck.report.text import render_text
from nankoku_netcheck.result import PathStep, Result

COMPLIANT = str(REPO / "topologies" / "nankoku-vrf.yaml")
BROKEN = str(REPO / "topologies" / "nankoku-vrf-broken.yaml")
# An internet-zone terminal to the LGWAN mail server segment, which only the planted leak carries.
LEAKED = Packet(src=ip_to_int("10.3.10.10"), dst=ip_to_int("10.2.20.25"), proto=6, sport=49152, dport=25)


@pytest.fixture(scope="module")
def compliant_result() -> Result:
    return analyze(COMPLIANT)


@pytest.fixture(scope="module")
def broken_result() -> Result:
    return analyze(BROKEN)


def zone_findings(result: Result) -> list[tuple[str, str, str, str]]:
    return sorted(
        (f.rule, f.severity, f.from_zone, f.to_zone)
        for f in result.findings
        if f.rule.startswith("ZONE") and f.status == "violated"
    )


def test_compliant_vrf_sample_passes(compliant_result: Result) -> None:
    assert compliant_result.verdict == "pass"
    assert [f for f in compliant_result.findings if f.rule == "META-001"] == []
    # Nothing but the honest warning: the zones share a switch and only the VRF tables part them.
    assert zone_findings(compliant_result) == [
        ("ZONE-008", "warning", "internet", "lgwan"),
        ("ZONE-008", "warning", "lgwan", "internet"),
    ]
    warned = next(f for f in compliant_result.findings if (f.rule, f.from_zone) == ("ZONE-008", "internet"))
    assert [(s.device, s.in_interface, s.in_vrf, s.out_interface, s.out_vrf) for s in warned.path] == [
        ("core-sw", "Vlan210", "INET", "Vlan110", "LGWAN")
    ]


def test_broken_vrf_sample_reports_the_leak_with_its_path(broken_result: Result) -> None:
    assert broken_result.verdict == "fail"
    assert zone_findings(broken_result) == [
        ("ZONE-005", "error", "internet", "lgwan"),
        ("ZONE-008", "warning", "internet", "lgwan"),
        ("ZONE-008", "warning", "lgwan", "internet"),
    ]
    finding = next(f for f in broken_result.findings if f.rule == "ZONE-005")
    assert finding.message_en == (
        "インターネット接続系 (internet) → LGWAN接続系 (lgwan): ip 10.3.0.0/16 → 10.2.20.0/32, 10.2.20.2/31, "
        "10.2.20.4/30, 10.2.20.8/29, … (without network/broadcast addresses) gets through outside every declared "
        "sanitised channel (permitted at no filter on the path)."
    )
    assert finding.path == (
        PathStep(
            device="core-sw",
            in_interface="Vlan210",
            out_interface="Vlan120",
            route="vrf INET 10.2.20.0/24 dev Vlan120",
            acl=None,
            in_vrf="INET",
            out_vrf="LGWAN",
        ),
    )
    assert [(Path(e.file).name, e.line, e.text) for e in finding.evidence] == [
        ("core-sw.cfg", 157, "ip route vrf INET 10.2.20.0 255.255.255.0 Vlan120 name TEMP-LGWAN-MAIL")
    ]


VRF_NOTE = "the VRF tables, with no static route leaking between them, of: core-sw (vrf INET, vrf LGWAN)"


def test_certificates_name_the_vrfs_that_part_the_zones(compliant_result: Result, broken_result: Result) -> None:
    assert {(c.from_zone, c.to_zone, c.route_absences[-1]) for c in compliant_result.certificates} == {
        ("lgwan", "internet", VRF_NOTE),
        ("internet", "lgwan", VRF_NOTE),
    }
    # The leak runs from INET into LGWAN only: the other direction stays certified by the VRFs.
    assert [(c.from_zone, c.to_zone, c.route_absences[-1]) for c in broken_result.certificates] == [
        ("lgwan", "internet", VRF_NOTE)
    ]
    assert "次の機器の VRF の経路表の分離（VRF 間をつなぐ静的経路がないこと）: core-sw (vrf INET, vrf LGWAN)" in (
        render_text(compliant_result, "ja")
    )


def test_reports_name_the_vrfs_of_the_leaking_hop(broken_result: Result) -> None:
    hop = "core-sw: Vlan210 (vrf INET) → Vlan120 (vrf LGWAN)"
    assert hop in render_text(broken_result, "en")
    assert hop in render_text(broken_result, "ja")
    assert "Vlan210 (vrf INET)<br>→ Vlan120 (vrf LGWAN)" in render_html(broken_result, "ja")
    finding = next(f for f in result_to_dict(broken_result)["findings"] if f["rule"] == "ZONE-005")
    assert [(s["in_interface"], s["in_vrf"], s["out_interface"], s["out_vrf"]) for s in finding["path"]] == [
        ("Vlan210", "INET", "Vlan120", "LGWAN")
    ]


@pytest.mark.parametrize(("topology", "leaks"), [(COMPLIANT, False), (BROKEN, True)])
def test_engine_tracer_and_oracle_agree_on_the_leaked_packet(topology: str, leaks: bool) -> None:
    network = load(topology).network
    boundary = boundary_interfaces(network)
    engine = ReachEngine(network, PacketSpace(), boundary)
    start = Start(segment=network.segment_of[("core-sw", "Vlan210")])
    servers = Endpoint("hosts", segment=network.segment_of[("core-sw", "Vlan120")])
    delivered = engine.reach([(start, engine.space.packet(LEAKED))]).delivered
    reached = {endpoint for endpoint, packets in delivered.items() if engine.space.contains(packets, LEAKED)}
    traced = {path.endpoint for path in Tracer(engine).trace(start, LEAKED) if path.disposition == "delivered"}
    found = oracle.reachable_endpoints(network, LEAKED, segment=start.segment, boundary=boundary)
    assert (servers in reached, servers in traced, ("hosts", "", "", servers.segment) in found) == (leaks,) * 3
    assert {(e.kind, e.device, e.interface, e.segment) for e in reached} == found
