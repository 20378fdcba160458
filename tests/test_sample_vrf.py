"""The VRF variant of the sample city: one core switch (core-sw) carries the LGWAN and the
internet zones in two VRFs, and relays each zone's DHCP to a server of the same zone
(`ip helper-address` in the SVI's own VRF). Compliant: the VRFs keep the zones apart (verify
passes; ZONE-008 warns that the separation rests on the routing tables, which it does).
Broken: one static route leaks the INET VRF into the LGWAN VRF, and one planted relay
(`ip helper-address vrf INET 10.3.20.67` on the LGWAN terminals' SVI) sends LGWAN broadcasts
to the internet zone's server: the exact ZONE-005 findings, their paths naming the VRFs, and
the engine, the tracer and the oracle agree on the leaked and the relayed packets."""

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
        ("ZONE-005", "error", "lgwan", "internet"),
        ("ZONE-008", "warning", "internet", "lgwan"),
        ("ZONE-008", "warning", "lgwan", "internet"),
    ]
    finding = next(f for f in broken_result.findings if (f.rule, f.from_zone) == ("ZONE-005", "internet"))
    # The leaked route carries everything to the LGWAN server segment; the server's replies to the
    # planted relay (udp to the relay address 10.2.10.1) come back into LGWAN as well.
    assert finding.message_en.startswith("インターネット接続系 (internet) → LGWAN接続系 (lgwan): ip 10.3.0.0/16 → ")
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
        ("core-sw.cfg", 160, "ip route vrf INET 10.2.20.0 255.255.255.0 Vlan120 name TEMP-LGWAN-MAIL")
    ]


def test_broken_vrf_sample_reports_the_relay_to_the_wrong_zone(broken_result: Result) -> None:
    finding = next(f for f in broken_result.findings if (f.rule, f.from_zone) == ("ZONE-005", "lgwan"))
    # Only what the relay carries: UDP broadcasts of the LGWAN terminals to the relayed ports.
    assert finding.message_en.startswith(
        "LGWAN接続系 (lgwan) → インターネット接続系 (internet): udp 10.2.0.0/16 → 10.2.10.255/32, "
        "255.255.255.255/32 dport 37,42,49,53,67,69,"
    )
    assert [(s.device, s.in_interface, s.in_vrf, s.out_interface, s.out_vrf, s.route) for s in finding.path] == [
        ("core-sw", "Vlan110", "LGWAN", "Vlan220", "INET", "vrf INET 10.3.20.0/24 dev Vlan220")
    ]
    assert [note for note in finding.notes if "relayed" in note] == [
        "core-sw: relayed by the device (device_configs/nankoku-vrf-broken/core-sw.cfg:122: "
        "ip helper-address vrf INET 10.3.20.67)"
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
    finding = next(
        f for f in result_to_dict(broken_result)["findings"] if (f["rule"], f["from_zone"]) == ("ZONE-005", "internet")
    )
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


# A DHCP discover of an LGWAN terminal, its relayed copy, and the internet server's answer to the
# planted relay's address (giaddr 10.2.10.1), which the switch relays back to the LGWAN terminals.
DISCOVER = Packet(src=0, dst=ip_to_int("255.255.255.255"), proto=17, sport=68, dport=67)
OFFER = Packet(src=ip_to_int("10.3.20.67"), dst=ip_to_int("10.2.10.1"), proto=17, sport=67, dport=67)


def endpoints_by_all_three(topology: str, start_interface: str, packet: Packet) -> set[Endpoint]:
    network = load(topology).network
    boundary = boundary_interfaces(network)
    engine = ReachEngine(network, PacketSpace(), boundary)
    start = Start(segment=network.segment_of[("core-sw", start_interface)])
    delivered = engine.reach([(start, engine.space.packet(packet))]).delivered
    reached = {endpoint for endpoint, packets in delivered.items() if engine.space.contains(packets, packet)}
    traced = {path.endpoint for path in Tracer(engine).trace(start, packet) if path.disposition == "delivered"}
    found = oracle.reachable_endpoints(network, packet, segment=start.segment, boundary=boundary)
    assert {(e.kind, e.device, e.interface, e.segment) for e in reached} == found
    assert {(e.kind, e.device, e.interface, e.segment) for e in traced if e is not None} == found
    return {Endpoint(e.kind, device=e.device, interface=e.interface, segment=e.segment) for e in reached}


@pytest.mark.parametrize(("topology", "planted"), [(COMPLIANT, False), (BROKEN, True)])
def test_dhcp_relay_reaches_the_servers_the_configs_name(topology: str, planted: bool) -> None:
    network = load(topology).network
    lgwan_servers = network.segment_of[("core-sw", "Vlan120")]
    inet_servers = network.segment_of[("core-sw", "Vlan220")]
    lgwan_terminals = network.segment_of[("core-sw", "Vlan110")]
    segments = {e.segment for e in endpoints_by_all_three(topology, "Vlan110", DISCOVER) if e.kind == "hosts"}
    assert lgwan_servers in segments
    assert (inet_servers in segments) is planted
    answered = {e.segment for e in endpoints_by_all_three(topology, "Vlan220", OFFER) if e.kind == "hosts"}
    assert (lgwan_terminals in answered) is planted
