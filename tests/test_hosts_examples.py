"""Hosts only where they can be (network/broadcast addresses, links of devices only,
loopbacks) and examples a reader can trust (the example starts on the segment whose
hosts really send it, and ends inside the class the finding names)."""

from __future__ import annotations

import json
from pathlib import Path

from conftest import rule_context

from nankoku_netcheck.analyze import analyze
from nankoku_netcheck.model import ip_to_int
from nankoku_netcheck.reach.engine import Endpoint, Start
from nankoku_netcheck.reach.packets import Packet
from nankoku_netcheck.report import render_csv, render_json, render_markdown, render_sarif, render_text
from nankoku_netcheck.result import Finding, Result

BLOCK = "ip access-list extended BLOCK\n deny ip any any\n"
BOTH_BLOCKED = "ip access-group BLOCK out\nip access-group BLOCK in"
ISOLATED = {"mn_iface": BOTH_BLOCKED, "lg_iface": BOTH_BLOCKED}


def violated(result: Result, rule: str) -> list[Finding]:
    return [f for f in result.findings if f.rule == rule and f.status == "violated"]


def add_device(topology: Path, name: str, config: str) -> None:
    (topology.parent / "configs" / f"{name}.cfg").write_text(config, encoding="utf-8")
    text = topology.read_text(encoding="utf-8").replace("devices:\n", f"devices:\n  {name}: {{config: {name}.cfg}}\n")
    topology.write_text(text, encoding="utf-8")


def dmz_city(triangle, mask: str, interface_extra: str = "") -> Path:  # type: ignore[no-untyped-def]
    """The internet router publishes ssh to a small internet-zone subnet 10.3.2.0 on which a
    second router r-dmz sits at 10.3.2.2; no firewall anywhere."""
    wildcard = ".".join(str(255 - int(octet)) for octet in mask.split("."))
    inet_extra = (
        f"interface GigabitEthernet0/3\n ip address 10.3.2.1 {mask}\n{interface_extra}"
        f"ip access-list extended FROM-CLOUD\n permit tcp any 10.3.2.0 {wildcard} eq 22\n"
    )
    topology = triangle(mn_extra=BLOCK, lg_extra=BLOCK, inet_extra=inet_extra, **ISOLATED)
    add_device(topology, "r-dmz", f"hostname r-dmz\ninterface GigabitEthernet0/0\n ip address 10.3.2.2 {mask}\n")
    return topology


# --- no hosts where none can be ------------------------------------------------------------------


def test_transit_30_of_two_routers_holds_no_host_and_gives_no_zone_009(triangle) -> None:
    topology = dmz_city(triangle, "255.255.255.252")
    result = analyze(str(topology))
    assert violated(result, "ZONE-009") == []
    segment = rule_context(topology.parent).network.segments["10.3.2.0/30"]
    assert not segment.holds_hosts
    assert segment.reserved == (ip_to_int("10.3.2.0"), ip_to_int("10.3.2.3"))


def test_29_with_free_addresses_gives_one_zone_009_finding(triangle) -> None:
    result = analyze(str(dmz_city(triangle, "255.255.255.248")))
    (finding,) = violated(result, "ZONE-009")
    assert (finding.from_zone, finding.to_zone) == ("public:internet", "internet")
    assert finding.flow is not None
    assert (finding.flow.proto, finding.flow.dst, finding.flow.dport) == ("tcp", "10.3.2.3", 22)
    # .0 and .7 are network and broadcast, .1 and .2 the routers': only .3-.6 are hosts.
    assert finding.flow_class == (
        "tcp any except 10.1.0.0/16, 10.2.0.0/15 → 10.3.2.3/32, 10.3.2.4/31, 10.3.2.6/32 dport 22 not established"
    )
    assert (finding.flow_start_kind, finding.flow_start) == ("interface", "r-inet:GigabitEthernet0/2")
    assert [step.device for step in finding.path] == ["r-inet"]


def test_directed_broadcast_delivers_the_broadcast_address_to_hosts(triangle) -> None:
    topology = dmz_city(triangle, "255.255.255.248", interface_extra=" ip directed-broadcast\n")
    ctx = rule_context(topology.parent)
    assert ctx.network.devices["r-inet"].interfaces["GigabitEthernet0/3"].directed_broadcast
    segment = ctx.network.segments["10.3.2.0/29"]
    hosts = ctx.engine.host_destinations(segment)
    expected = ctx.space.false
    for last in (0, 3, 4, 5, 6, 7):  # network and broadcast addresses deliverable, .1/.2 the routers'
        expected |= ctx.space.field_equals("dst", ip_to_int(f"10.3.2.{last}"))
    assert hosts == expected
    (finding,) = violated(analyze(str(topology)), "ZONE-009")
    assert finding.flow_class == (
        "tcp any except 10.1.0.0/16, 10.2.0.0/15 → 10.3.2.0/32, 10.3.2.3/32, 10.3.2.4/30 dport 22 not established"
    )


def test_no_ip_directed_broadcast_is_modelled_not_unknown(triangle) -> None:
    topology = dmz_city(triangle, "255.255.255.248", interface_extra=" no ip directed-broadcast\n")
    ctx = rule_context(topology.parent)
    assert not ctx.network.devices["r-inet"].interfaces["GigabitEthernet0/3"].directed_broadcast
    assert (
        ctx.engine.host_destinations(ctx.network.segments["10.3.2.0/29"])
        & ctx.space.field_equals("dst", ip_to_int("10.3.2.7"))
        == ctx.space.false
    )


def test_loopbacks_hold_no_hosts_start_no_flow_and_still_receive_traffic(triangle) -> None:
    loopbacks = (
        "interface Loopback0\n ip address 10.2.99.1 255.255.255.255\n"
        "interface Loopback1\n ip address 10.2.98.1 255.255.255.0\n"
    )
    topology = triangle(lg_extra=loopbacks)
    ctx = rule_context(topology.parent)
    for segment_id in ("10.2.99.1/32", "10.2.98.0/24"):
        assert not ctx.network.segments[segment_id].holds_hosts
    assert [start.segment for start, _ in ctx.starts("lgwan")] == ["10.2.1.0/24"]
    delivered = ctx.reach("mynumber").delivered
    assert {e.segment for e in delivered if e.kind == "hosts"} == {"10.1.1.0/24", "10.2.1.0/24", "10.3.1.0/24"}
    to_loopback = Packet(src=ip_to_int("10.1.1.10"), dst=ip_to_int("10.2.99.1"), proto=6, sport=49152, dport=22)
    (path,) = ctx.tracer.trace(Start(segment="10.1.1.0/24"), to_loopback)
    assert path.endpoint == Endpoint("device", device="r-lg")
    beyond = Packet(src=ip_to_int("10.1.1.10"), dst=ip_to_int("10.2.98.5"), proto=6, sport=49152, dport=22)
    assert [(p.disposition, p.endpoint) for p in ctx.tracer.trace(Start(segment="10.1.1.0/24"), beyond)] == [
        ("no-host", None)
    ]


# --- examples a reader can trust -----------------------------------------------------------------

# r-lg gets a second LAN, 10.2.0.0/24 on Gi0/3 (terminals), whose hosts may reach only the
# mynumber and lgwan zones; the LAN 10.2.1.0/24 on Gi0/0 (management) is not filtered.
TERMINALS = """\
interface GigabitEthernet0/3
 ip address 10.2.0.1 255.255.255.0
 ip access-group TERM-IN in
ip access-list extended TERM-IN
 permit ip any 10.1.0.0 0.0.255.255
 permit ip any 10.2.0.0 0.0.255.255
 deny ip any any
"""


def test_a_leak_only_from_management_is_shown_from_management(triangle) -> None:
    topology = triangle(mn_iface=BOTH_BLOCKED, mn_extra=BLOCK, lg_extra=TERMINALS)
    result = analyze(str(topology))
    leaks = [f for f in violated(result, "ZONE-005") if (f.from_zone, f.to_zone) == ("lgwan", "internet")]
    assert leaks
    for finding in leaks:
        assert (finding.flow_start_kind, finding.flow_start) == ("segment", "10.2.1.0/24 (r-lg:GigabitEthernet0/0)")
        assert finding.path[0].device == "r-lg" and finding.path[0].in_interface == "GigabitEthernet0/0"
    first = leaks[0]
    assert first.flow is not None
    assert (first.flow.src, first.flow.dst, first.flow.dport) == ("10.2.1.10", "10.3.1.10", 443)
    text = render_text(result, "en")
    assert "from segment 10.2.1.0/24 (r-lg:GigabitEthernet0/0)" in text
    assert "セグメント 10.2.1.0/24 (r-lg:GigabitEthernet0/0) から" in render_text(result, "ja")
    reported = [
        f
        for f in json.loads(render_json(result, "en"))["findings"]
        if f["rule"] == "ZONE-005" and f.get("from_zone") == "lgwan" and f.get("to_zone") == "internet"
    ]
    assert reported[0]["flow_start"] == {"kind": "segment", "at": "10.2.1.0/24 (r-lg:GigabitEthernet0/0)"}
    for render in (render_markdown, render_sarif, render_csv):
        assert "from segment 10.2.1.0/24 (r-lg:GigabitEthernet0/0)" in render(result, "en")


def test_a_leak_only_with_a_spoofed_source_names_the_segment_that_sends_it(triangle) -> None:
    # Management hosts get out only with a terminal address as source; terminals not at all.
    spoofing = TERMINALS + (
        "interface GigabitEthernet0/0\n ip access-group MGMT-IN in\n"
        "ip access-list extended MGMT-IN\n permit ip 10.2.0.0 0.0.0.255 any\n"
    )
    result = analyze(str(triangle(mn_iface=BOTH_BLOCKED, mn_extra=BLOCK, lg_extra=spoofing)))
    leaks = [f for f in violated(result, "ZONE-005") if (f.from_zone, f.to_zone) == ("lgwan", "internet")]
    assert leaks
    assert {(f.flow_start, f.flow.src if f.flow else "") for f in leaks} == {
        ("10.2.1.0/24 (r-lg:GigabitEthernet0/0)", "10.2.0.10")
    }


def test_zone_008_example_ends_inside_the_named_zone(triangle) -> None:
    # The core has no route towards the internet zone: lgwan → internet rests on routing alone.
    # With routing ignored, packets to any address leave by the upstream (class internet), those
    # to a mynumber address included; the example must not be one of those.
    topology = triangle(mn_iface=BOTH_BLOCKED, mn_extra=BLOCK)
    core = topology.parent / "configs" / "r-core.cfg"
    text = (
        core.read_text()
        .replace("ip route 10.3.0.0 255.255.0.0 192.168.0.10\n", "")
        .replace("ip route 0.0.0.0 0.0.0.0 192.168.0.10\n", "")
    )
    core.write_text(text)
    result = analyze(str(topology))
    assert not [f for f in violated(result, "ZONE-005") if f.from_zone == "lgwan"]
    warnings = [f for f in violated(result, "ZONE-008") if (f.from_zone, f.to_zone) == ("lgwan", "internet")]
    assert warnings
    first = warnings[0]
    assert first.flow is not None
    assert (first.flow.src, first.flow.dst) == ("10.2.1.10", "10.3.1.10")
    assert first.flow_start == "10.2.1.0/24 (r-lg:GigabitEthernet0/0)"
    ctx = rule_context(topology.parent)
    for finding in warnings:
        assert finding.flow is not None
        assert ctx.network.zones.zone_of(ip_to_int(finding.flow.dst)) in ("internet", None)


def test_packet_class_names_a_subnet_without_its_network_and_broadcast_addresses(triangle) -> None:
    only_snmp = "ip access-list extended MN-IN\n permit udp host 10.2.1.10 10.1.1.0 0.0.0.255 eq 161\n"
    result = analyze(str(triangle(mn_iface="ip access-group MN-IN in", mn_extra=only_snmp)))
    (finding,) = [f for f in violated(result, "ZONE-001") if (f.from_zone, f.to_zone) == ("lgwan", "mynumber")]
    # 10.1.1.1 (r-mn's own address) is in it; 10.1.1.0 and 10.1.1.255 reach no one.
    assert finding.flow_class == "udp 10.2.1.10/32 → 10.1.1.0/24 (without network/broadcast addresses) dport 161"
    assert finding.flow is not None and (finding.flow.src, finding.flow.dst) == ("10.2.1.10", "10.1.1.10")


def test_trace_to_a_broadcast_address_ends_with_no_host(triangle) -> None:
    ctx = rule_context(triangle().parent)
    broadcast = Packet(src=ip_to_int("10.1.1.10"), dst=ip_to_int("10.2.1.255"), proto=17, sport=49152, dport=137)
    (path,) = ctx.tracer.trace(Start(segment="10.1.1.0/24"), broadcast)
    assert (path.disposition, path.endpoint) == ("no-host", None)
    assert [(hop.device, hop.out_interface) for hop in path.hops] == [
        ("r-mn", "GigabitEthernet0/1"),
        ("r-core", "GigabitEthernet0/1"),
        ("r-lg", "GigabitEthernet0/0"),
    ]
