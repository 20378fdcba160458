"""Pass and fail fixtures for the segmentation rules beyond ZONE-001/005 (checkov style:
one small network per case), exceptions and policy profiles."""

from __future__ import annotations

import datetime as dt
import textwrap

from nankoku_netcheck.analyze import analyze
from nankoku_netcheck.result import Finding, Result

BLOCK = "ip access-list extended BLOCK\n deny ip any any\n"
BOTH_BLOCKED = "ip access-group BLOCK out\nip access-group BLOCK in"
ISOLATED = {"mn_iface": BOTH_BLOCKED, "lg_iface": BOTH_BLOCKED}

PEER_INTERFACE = """\
interface GigabitEthernet0/2
 ip address 198.18.0.1 255.255.255.252
 ip access-group TO-PEER out
 ip access-group FROM-PEER in
ip route 192.0.2.10 255.255.255.255 198.18.0.2
ip access-list extended FROM-PEER
 permit tcp host 192.0.2.10 eq 443 host 10.1.1.5 established
 deny ip any any
"""
PEER = """\
external_peers:
  chukan:
    label: 中間サーバー
    addresses: [192.0.2.10/32]
    attach: r-mn:GigabitEthernet0/2
    mac: []
    internet_connected: {connected}
    allow:
      - {{src: [{allow_src}], dst: [192.0.2.10/32], proto: tcp, dport: [443]}}
"""


def run(topology, **options) -> Result:  # type: ignore[no-untyped-def]
    return analyze(str(topology), **options)


def violated(result: Result, rule: str) -> list[Finding]:
    return [f for f in result.findings if f.rule == rule and f.status == "violated"]


def peer_city(triangle, to_peer_line: str, connected: str = "false", allow_src: str = "10.1.1.5/32"):  # type: ignore[no-untyped-def]
    mn_extra = BLOCK + PEER_INTERFACE + f"ip access-list extended TO-PEER\n {to_peer_line}\n deny ip any any\n"
    return triangle(
        topology_tail=PEER.format(connected=connected, allow_src=allow_src),
        mn_extra=mn_extra,
        lg_extra=BLOCK,
        **ISOLATED,
    )


# --- ZONE-002 -----------------------------------------------------------------------------


def test_zone_002_pass_only_declared_host_flows(triangle) -> None:
    result = run(peer_city(triangle, "permit tcp host 10.1.1.5 host 192.0.2.10 eq 443"))
    assert not violated(result, "ZONE-002")
    assert result.verdict == "pass"


def test_zone_002_fail_subnet_where_a_host_is_declared(triangle) -> None:
    topology = peer_city(triangle, "permit tcp 10.1.1.0 0.0.0.255 host 192.0.2.10 eq 443")
    leaks = violated(run(topology), "ZONE-002")
    assert [(f.from_zone, f.to_zone) for f in leaks] == [("mynumber", "peer:chukan")]
    assert leaks[0].flow is not None and leaks[0].flow.src != "10.1.1.5" and leaks[0].flow.dport == 443
    config = (topology.parent / "configs" / "r-mn.cfg").read_text().splitlines()
    line = config.index(" permit tcp 10.1.1.0 0.0.0.255 host 192.0.2.10 eq 443") + 1
    assert ("r-mn.cfg", line) in {(e.file.rsplit("/", 1)[-1], e.line) for e in leaks[0].evidence}


def test_zone_002_fail_broad_allow_declaration(triangle) -> None:
    topology = peer_city(triangle, "permit tcp host 10.1.1.5 host 192.0.2.10 eq 443", allow_src="10.1.1.0/24")
    leaks = violated(run(topology), "ZONE-002")
    assert any(
        "broader than host level" in f.message_en and f.evidence[0].file.endswith("topology.yaml") for f in leaks
    )


# --- ZONE-004 ---------------------------------------------------------------------------------


def test_zone_004_pass_and_fail_on_declaration(triangle) -> None:
    good = run(peer_city(triangle, "permit tcp host 10.1.1.5 host 192.0.2.10 eq 443"))
    assert not violated(good, "ZONE-004")
    bad = run(peer_city(triangle, "permit tcp host 10.1.1.5 host 192.0.2.10 eq 443", connected="true"))
    assert [f.to_zone for f in violated(bad, "ZONE-004")] == ["peer:chukan"]


# --- ZONE-006 ---------------------------------------------------------------------------------

SCREEN_FROM_INTERNET = """\
channels:
  - {id: screen, kind: screen-transfer, src: [10.3.1.0/24], dst: [10.2.1.0/24], proto: tcp, dport: [3389]}
"""


def test_zone_006_direction_depends_on_the_profile(triangle) -> None:
    topology = triangle(topology_tail=SCREEN_FROM_INTERNET, mn_extra=BLOCK, lg_extra=BLOCK, **ISOLATED)
    alpha = run(topology)
    assert [f.evidence[0].line for f in violated(alpha, "ZONE-006")] == [
        topology.read_text().splitlines().index(SCREEN_FROM_INTERNET.splitlines()[1]) + 1
    ]
    text = topology.read_text().replace("name: test city\n", "name: test city\npolicy: mic-beta\n")
    topology.write_text(text)
    assert not violated(run(topology), "ZONE-006")


# --- ZONE-007 ---------------------------------------------------------------------------------


def test_zone_007_second_exit_is_reported_and_upstream_alone_passes(triangle) -> None:
    assert not violated(run(triangle(mn_extra=BLOCK, lg_extra=BLOCK, **ISOLATED)), "ZONE-007")
    forgotten_isp = BLOCK + textwrap.dedent("""\
        interface GigabitEthernet0/3
         description old ISP line
         ip address 198.51.100.1 255.255.255.252
        ip route 0.0.0.0 0.0.0.0 198.51.100.2
        """)
    result = run(triangle(mn_extra=BLOCK, lg_extra=forgotten_isp, **ISOLATED))
    exits = violated(result, "ZONE-007")
    assert exits and {f.from_zone for f in exits} == {"lgwan"}
    assert all(f.path[-1].device == "r-lg" and f.path[-1].out_interface == "GigabitEthernet0/3" for f in exits)


# --- ZONE-009 ---------------------------------------------------------------------------------


def test_zone_009_published_server_needs_a_firewall(triangle) -> None:
    assert not violated(run(triangle(mn_extra=BLOCK, lg_extra=BLOCK, **ISOLATED)), "ZONE-009")
    published = "ip access-list extended FROM-CLOUD\n permit tcp any host 10.3.1.80 eq www\n"
    topology = triangle(mn_extra=BLOCK, lg_extra=BLOCK, inet_extra=published, **ISOLATED)
    exposed = violated(run(topology), "ZONE-009")
    assert [(f.flow.dst, f.flow.dport) for f in exposed if f.flow] == [("10.3.1.80", 80)]
    text = topology.read_text().replace("r-inet: {config: r-inet.cfg}", "r-inet: {config: r-inet.cfg, role: firewall}")
    topology.write_text(text)
    assert not violated(run(topology), "ZONE-009")


def test_zone_009_says_when_it_stops_listing_classes(triangle, monkeypatch) -> None:
    from nankoku_netcheck.rules import zone

    published = (
        "ip access-list extended FROM-CLOUD\n permit tcp any host 10.3.1.80 eq www\n"
        " permit tcp any host 10.3.1.81 eq 443\n"
    )
    topology = triangle(mn_extra=BLOCK, lg_extra=BLOCK, inet_extra=published, **ISOLATED)
    assert len(violated(run(topology), "ZONE-009")) == 2
    monkeypatch.setattr(zone, "MAX_EXPOSED_CLASSES_PER_ZONE", 1)
    (listed,) = violated(run(topology), "ZONE-009")
    assert any("not listed separately" in note for note in listed.notes)


# --- ZONE-010 ---------------------------------------------------------------------------------

NAIBU_ZONE = """\
  naibu:
    kind: other
    label: 内部情報系
    prefixes: [10.4.0.0/16]
"""


def test_zone_010_zone_policy_between_additional_zones(triangle) -> None:
    naibu_lan = BLOCK + "interface GigabitEthernet0/3\n ip address 10.4.1.1 255.255.255.0\n"
    topology = triangle(mn_extra=BLOCK, lg_extra=naibu_lan, **ISOLATED)
    text = topology.read_text().replace(
        "    upstream: [r-inet:GigabitEthernet0/2]\n", "    upstream: [r-inet:GigabitEthernet0/2]\n" + NAIBU_ZONE
    )
    topology.write_text(text)
    assert not violated(run(topology), "ZONE-010")  # no zone_policy: other zones are unrestricted
    topology.write_text(text + "zone_policy:\n  - {from: lgwan, to: naibu, allow: none}\n")
    leaks = violated(run(topology), "ZONE-010")
    assert {(f.from_zone, f.to_zone) for f in leaks} == {("lgwan", "naibu")}


# --- exceptions and META-002 ------------------------------------------------------------------

TWO_LEAKS = """\
ip access-list extended LG-OUT
 permit udp host 10.2.1.30 host 10.3.1.40 eq ntp
 permit tcp host 10.2.1.31 host 10.3.1.41 eq 22
 deny ip any any
"""
EXCEPTION = """\
exceptions:
  - rule: ZONE-005
    flow: {src: [10.2.1.30/32], dst: [10.3.1.40/32], proto: udp, dport: [123]}
    reason: 時刻同期の暫定経路
    approved_by: CISO
    ref: 2026-情セ-012
    expires: 2027-03-31
"""


def test_exception_removes_exactly_its_flow_until_it_expires(triangle) -> None:
    topology = triangle(
        topology_tail=EXCEPTION,
        mn_extra=BLOCK,
        lg_extra=BLOCK + TWO_LEAKS,
        mn_iface=BOTH_BLOCKED,
        lg_iface="ip access-group LG-OUT out\nip access-group BLOCK in",
    )
    before = run(topology, today=dt.date(2026, 11, 25))
    flows = {(f.flow.src, f.flow.dport) for f in violated(before, "ZONE-005") if f.flow}
    assert flows == {("10.2.1.31", 22)}
    assert not violated(before, "META-002")
    assert [(e.state, e.ref) for e in before.exceptions] == [("active", "2026-情セ-012")]
    assert "10.2.1.30/32" in before.exceptions[0].matched

    after = run(topology, today=dt.date(2027, 4, 1))
    flows = {(f.flow.src, f.flow.dport) for f in violated(after, "ZONE-005") if f.flow}
    assert flows == {("10.2.1.31", 22), ("10.2.1.30", 123)}
    assert [f.rule for f in violated(after, "META-002")] == ["META-002"]
    assert after.exceptions[0].state == "expired"


def test_unused_exception_is_reported(triangle) -> None:
    topology = triangle(topology_tail=EXCEPTION, mn_extra=BLOCK, lg_extra=BLOCK, **ISOLATED)
    result = run(topology, today=dt.date(2026, 11, 25))
    assert "matched nothing" in violated(result, "META-002")[0].message_en
    assert result.exceptions[0].state == "unused"


# --- profiles -------------------------------------------------------------------------------

CLOUD = """\
cloud_destinations:
  - {src: [10.2.1.0/24], dst: [198.51.100.50/32], proto: tcp, dport: [443]}
"""


def test_alpha_prime_allows_declared_cloud_breakout_only(triangle) -> None:
    lg = BLOCK + "ip access-list extended LG-OUT\n permit tcp 10.2.1.0 0.0.0.255 host 198.51.100.50 eq 443\n"
    topology = triangle(
        topology_tail=CLOUD,
        mn_extra=BLOCK,
        lg_extra=lg,
        mn_iface=BOTH_BLOCKED,
        lg_iface="ip access-group LG-OUT out\nip access-group BLOCK in",
    )
    assert [f.flow.dst for f in violated(run(topology), "ZONE-005") if f.flow] == ["198.51.100.50"]
    topology.write_text(topology.read_text().replace("name: test city\n", "name: test city\npolicy: mic-alpha-prime\n"))
    assert not violated(run(topology), "ZONE-005")


# --- ZONE-008 and isolation certificates ------------------------------------------------------


def test_zone_008_warns_when_isolation_rests_on_routing(triangle) -> None:
    # Filters on both zone routers: isolation holds whatever the routes.
    filtered = run(triangle(mn_extra=BLOCK, lg_extra=BLOCK, **ISOLATED))
    assert not violated(filtered, "ZONE-008")
    # No filter at all toward the mynumber LAN, and no route to it on the core: today's
    # routing isolates it, one `ip route` would not.
    no_route = """\
        ip route 0.0.0.0 0.0.0.0 192.168.0.2
        """
    topology = triangle(lg_iface=BOTH_BLOCKED, lg_extra=BLOCK, mn_extra=no_route)
    text = (
        (topology.parent / "configs" / "r-core.cfg")
        .read_text()
        .replace("ip route 10.1.0.0 255.255.0.0 192.168.0.1\n", "")
    )
    (topology.parent / "configs" / "r-core.cfg").write_text(text)
    result = run(topology)
    inbound = [f for f in violated(result, "ZONE-008") if f.to_zone == "mynumber"]
    assert inbound and all(f.severity == "warning" for f in inbound)
    assert not [f for f in violated(result, "ZONE-001") if f.to_zone == "mynumber"]
    assert inbound[0].path[-1].device == "r-mn"


def test_certificate_lists_the_lines_that_cut_every_path(triangle) -> None:
    topology = triangle(mn_extra=BLOCK, lg_extra=BLOCK, **ISOLATED)
    result = run(topology)
    certificate = next(c for c in result.certificates if (c.from_zone, c.to_zone) == ("mynumber", "lgwan"))
    assert certificate.lines and not certificate.route_absences
    roles = {e.role for e in certificate.lines}
    assert "drops" in roles and any(role.startswith("binds BLOCK") for role in roles)
    dropped_at = {e.file.rsplit("/", 1)[-1] for e in certificate.lines if e.role == "drops"}
    assert dropped_at <= {"r-mn.cfg", "r-lg.cfg"} and len(dropped_at) == 1  # one filter cuts every path
    # Without filters there is nothing to certify: the pair is not isolated.
    assert not [c for c in run(triangle()).certificates if (c.from_zone, c.to_zone) == ("mynumber", "lgwan")]


TWO_ZONES = """\
zones:
  mynumber: {kind: mynumber, label: マイナンバー利用事務系, prefixes: [10.1.0.0/16]}
  lgwan: {kind: lgwan, label: LGWAN接続系, prefixes: [10.2.0.0/16]}
"""
ROUTER_TO_FIREWALL = """\
hostname r-mn
interface GigabitEthernet0/0
 ip address 10.1.1.1 255.255.255.0
interface GigabitEthernet0/1
 ip address 192.168.0.1 255.255.255.252
{extra}
"""
FIREWALL_OWNING_LGWAN = """\
ASA Version 9.8(4)
hostname fw
interface GigabitEthernet0/0
 nameif transit
 security-level 0
 ip address 192.168.0.2 255.255.255.252
interface GigabitEthernet0/1
 nameif inside
 security-level 100
 ip address 10.2.1.1 255.255.255.0
access-list DENY-ALL extended deny ip any any
access-group DENY-ALL in interface transit
route transit 10.1.0.0 255.255.0.0 192.168.0.1
"""


def test_a_firewall_acl_cuts_through_traffic_but_not_traffic_to_its_arrival_address(tmp_path) -> None:
    """The firewall owns an lgwan address (10.2.1.1, inside). Its inbound ACL on transit drops
    all through traffic; an ASA drops packets to another interface's address, so the ACL
    certifies mynumber → lgwan isolation. When lgwan also owns the transit address itself
    (192.168.0.2), packets to it reach the box whatever the ACL (management access needs no
    access rule): ZONE-001 reports it, and no certificate credits the ACL."""
    from conftest import write_network

    def result_for(zones: str, folder: str):  # type: ignore[no-untyped-def]
        (tmp_path / folder).mkdir()
        configs = {
            "r-mn": ROUTER_TO_FIREWALL.format(extra="ip route 10.2.0.0 255.255.0.0 192.168.0.2"),
            "fw": FIREWALL_OWNING_LGWAN,
        }
        return run(write_network(tmp_path / folder, configs, zones=zones))

    far_only = result_for(TWO_ZONES, "far")  # (replies of lgwan's connections pass: a warning at most)
    assert not [f for f in violated(far_only, "ZONE-001") if f.to_zone == "lgwan" and f.severity == "error"]
    certificate = next(c for c in far_only.certificates if (c.from_zone, c.to_zone) == ("mynumber", "lgwan"))
    assert {e.file.rsplit("/", 1)[-1] for e in certificate.lines} == {"fw.cfg"}
    assert any("DENY-ALL" in e.text for e in certificate.lines)

    arrival_owned = result_for(
        TWO_ZONES.replace("prefixes: [10.2.0.0/16]", "prefixes: [10.2.0.0/16, 192.168.0.2/32]"), "arrival"
    )
    to_box = [f for f in violated(arrival_owned, "ZONE-001") if f.to_zone == "lgwan" and f.severity == "error"]
    assert to_box and all(f.flow is not None and f.flow.dst == "192.168.0.2" for f in to_box)
    assert not [c for c in arrival_owned.certificates if (c.from_zone, c.to_zone) == ("mynumber", "lgwan")]


# --- ZONE-003 -----------------------------------------------------------------------------------


def mac_city(triangle, pin: str, declared: str):  # type: ignore[no-untyped-def]
    topology = peer_city(triangle, "permit tcp host 10.1.1.5 host 192.0.2.10 eq 443")
    config = topology.parent / "configs" / "r-mn.cfg"
    config.write_text(config.read_text() + pin + "\n")
    topology.write_text(topology.read_text().replace("    mac: []", f'    mac: ["{declared}"]'))
    return topology


def test_zone_003_pinned_mac_passes(triangle) -> None:
    topology = mac_city(triangle, "arp 198.18.0.2 0000.5e00.5302 ARPA", "00:00:5e:00:53:02")
    assert not violated(run(topology), "ZONE-003")


def test_zone_003_missing_pin_and_foreign_pin_fail(triangle) -> None:
    missing = violated(run(mac_city(triangle, "!", "00:00:5e:00:53:02")), "ZONE-003")
    assert [f.evidence[0].role for f in missing] == ["declared"] and "00:00:5e:00:53:02" in missing[0].message_en
    foreign = violated(run(mac_city(triangle, "arp 198.18.0.2 0000.5e00.53ff ARPA", "00:00:5e:00:53:02")), "ZONE-003")
    assert sorted(f.evidence[0].role for f in foreign) == ["declared", "pins"]
