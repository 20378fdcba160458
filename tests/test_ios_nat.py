"""IOS NAT (vendors/cisco_ios/nat.py) and how the engine runs it: the NatRules a config gives,
what stays META-001, the IOS order of operation (the ACL on the outside sees global addresses,
the one on the inside local ones), replies to dynamic NAT and PAT addresses, and an edge router
end to end: PAT of the internet zone passes, a static NAT exposing an LGWAN host fails."""

from __future__ import annotations

from pathlib import Path

import pytest

from nankoku_netcheck.analyze import analyze, load
from nankoku_netcheck.model import (
    PROTO_TCP,
    PROTO_UDP,
    Acl,
    AclLine,
    Action,
    Match,
    Source,
    Wildcard,
    ip_to_int,
)
from nankoku_netcheck.reach.engine import ReachEngine, Start, boundary_interfaces
from nankoku_netcheck.reach.packets import Packet, PacketSpace
from nankoku_netcheck.reach.trace import Tracer
from nankoku_netcheck.vendors import parse_config
from nankoku_netcheck.vendors.cisco_ios.nat import acl_sources


def ip(text: str) -> int:
    return ip_to_int(text)


INTERFACES = """\
hostname edge
interface GigabitEthernet0/0
 ip address 203.0.113.2 255.255.255.252
 ip nat outside
interface GigabitEthernet0/1
 ip address 10.3.0.1 255.255.255.0
 ip nat inside
"""


def parse(lines: str) -> tuple[list[tuple[object, ...]], list[tuple[int, str, str]]]:
    device = parse_config(INTERFACES + lines, "edge.cfg", "cisco_ios")
    rules = [
        (
            rule.source.line,
            rule.kind,
            rule.real_interface,
            rule.mapped_interface,
            rule.real_source,
            rule.mapped_source,
            rule.interface_pat,
            rule.overload,
            rule.routed_as_mapped,
        )
        for rule in device.nat_rules
    ]
    unknowns = [(u.source.line, u.kind.value, u.reason) for u in device.unknown_lines if u.source.line > 7]
    return rules, unknowns


OUT, IN = "GigabitEthernet0/0", "GigabitEthernet0/1"


def test_static_inside_and_outside_rules() -> None:
    rules, unknowns = parse(
        "ip nat inside source static 10.3.0.5 198.51.100.5 extendable\n"
        "ip nat inside source static network 10.3.0.0 198.51.100.0 /28 no-alias\n"
        "ip nat outside source static 192.0.2.7 10.9.0.7\n"
        "ip nat outside source static 192.0.2.8 10.9.0.8 add-route\n"
    )
    assert rules == [
        (8, "static", IN, OUT, ((ip("10.3.0.5"), 32),), ((ip("198.51.100.5"), 32),), False, False, False),
        (9, "static", IN, OUT, ((ip("10.3.0.0"), 28),), ((ip("198.51.100.0"), 28),), False, False, False),
        # Outside rules: the outside interface is the real side, routed on the outside-local address.
        (10, "static", OUT, IN, ((ip("192.0.2.7"), 32),), ((ip("10.9.0.7"), 32),), False, False, True),
        (11, "static", OUT, IN, ((ip("192.0.2.8"), 32),), ((ip("10.9.0.8"), 32),), False, False, False),
    ]
    assert unknowns == []


def test_dynamic_rules_with_pools_acls_and_route_maps() -> None:
    rules, unknowns = parse(
        "ip access-list standard INSIDE\n"
        " deny 10.3.0.128 0.0.0.127\n"
        " permit 10.3.0.0 0.0.0.255\n"
        "ip nat pool P 198.51.100.1 198.51.100.2 netmask 255.255.255.248\n"
        "ip nat inside source list INSIDE pool P\n"
        "ip nat inside source list INSIDE interface GigabitEthernet0/0 overload\n"
        "route-map RM permit 10\n"
        " match ip address INSIDE\n"
        "ip nat inside source route-map RM pool P overload\n"
        "ip nat inside source list MISSING pool P\n"
        "ip nat translation timeout 300\n"
    )
    half = ((ip("10.3.0.0"), 25),)  # the deny line takes the upper half first
    pool = ((ip("198.51.100.1"), 32), (ip("198.51.100.2"), 32))
    assert rules == [
        (12, "dynamic", IN, OUT, half, pool, False, False, False),
        (13, "dynamic", IN, OUT, half, ((ip("203.0.113.2"), 32),), False, True, False),
        (16, "dynamic", IN, OUT, half, pool, False, True, False),
        (17, "dynamic", IN, OUT, None, pool, False, False, False),  # an undefined ACL: every source
    ]
    assert unknowns == [
        (14, "harmless", "route-map (its uses by PBR or NAT are reported there)"),
        (15, "harmless", "route-map (its uses by PBR or NAT are reported there)"),
        (18, "harmless", "NAT timer or logging setting"),
    ]


@pytest.mark.parametrize(
    ("line", "reason"),
    [
        ("ip nat inside source static 10.3.0.5 198.51.100.5 vrf BLUE", "NAT not modelled: NAT inside a VRF"),
        ("ip nat inside source list 1 pool NOPE", "NAT not modelled: the pool is not defined"),
        ("ip nat pool R 10.0.0.9 10.0.0.1 netmask 255.255.255.0", "NAT pool not understood: no address range"),
        ("ip nat settings central-policy", "NAT not modelled: 'ip nat settings central-policy'"),
        (
            "ip nat inside source static tcp 10.3.0.5 22 interface Dialer1 2222",
            "NAT not modelled: the address of interface Dialer1 is not in the config",
        ),
    ],
)
def test_what_stays_meta_001(line: str, reason: str) -> None:
    rules, unknowns = parse(line + "\n")
    assert rules == []
    assert unknowns == [(8, "forwarding", reason)]


def test_acl_sources_reads_permits_after_earlier_exact_lines() -> None:
    source = Source("a", 1, "x")

    def line(action: Action, address: str, wildcard: str, **more: object) -> AclLine:
        match = Match(src=(Wildcard(ip(address), ip(wildcard)),), **more)  # type: ignore[arg-type]
        return AclLine(action, (match,), source)

    notes: list[str] = []
    acl = Acl(
        "A",
        (
            line(Action.DENY, "10.0.0.0", "0.0.0.255"),
            line(Action.PERMIT, "10.0.0.0", "0.0.1.255"),
            # Tests the protocol too: its sources count, and it decides nothing for later lines.
            line(Action.DENY, "10.0.2.0", "0.0.0.255", protocols=(PROTO_TCP,)),
            line(Action.PERMIT, "10.0.2.0", "0.0.0.255"),
        ),
        source,
    )
    assert acl_sources(acl, notes) == ((ip("10.0.1.0"), 24), (ip("10.0.2.0"), 24))
    assert notes == []


# --- the engine: order of operation and replies -------------------------------------------------

ZONES = """\
zones:
  lgwan: {kind: lgwan, label: LGWAN接続系, prefixes: [10.2.0.0/24]}
  internet:
    kind: internet
    label: インターネット接続系
    prefixes: [10.3.0.0/16]
    upstream: [edge:GigabitEthernet0/0]
"""

EDGE = """\
hostname edge
interface GigabitEthernet0/0
 description to the internet provider
 ip address 203.0.113.2 255.255.255.252
 ip nat outside
 ip access-group FROM-ISP in
interface GigabitEthernet0/1
 description internet-zone LAN
 ip address 10.3.0.1 255.255.255.0
 ip nat inside
 ip access-group INET-IN in
interface GigabitEthernet0/2
 description LGWAN LAN
 ip address 10.2.0.1 255.255.255.0
{lgwan_nat} ip access-group LGWAN-IN in
ip route 0.0.0.0 0.0.0.0 203.0.113.1
access-list 10 permit 10.3.0.0 0.0.0.255
ip nat inside source list 10 interface GigabitEthernet0/0 overload
{static}ip access-list extended FROM-ISP
 deny ip any 10.0.0.0 0.255.255.255
 permit ip any any
ip access-list extended INET-IN
 deny ip any 10.2.0.0 0.0.0.255
 permit ip any any
ip access-list extended LGWAN-IN
 permit ip 10.2.0.0 0.0.0.255 10.2.0.0 0.0.0.255
 deny ip any any
end
"""
EXPOSED = "ip nat inside source static 10.2.0.10 198.51.100.10\n"


def write(tmp_path: Path, exposed: bool) -> Path:
    (tmp_path / ".git").mkdir(exist_ok=True)
    (tmp_path / "configs").mkdir()
    config = EDGE.format(lgwan_nat=" ip nat inside\n" if exposed else "", static=EXPOSED if exposed else "")
    (tmp_path / "configs" / "edge.cfg").write_text(config, encoding="utf-8")
    topology = tmp_path / "topology.yaml"
    topology.write_text(
        "version: 1\nname: ios nat edge\nconfigs: configs\n"
        + ZONES
        + "devices:\n  edge: {config: edge.cfg, role: firewall}\n",
        encoding="utf-8",
    )
    return topology


def reach(topology: Path, packet: Packet, start: Start) -> set[tuple[str, str]]:
    """(kind, segment or interface) of each endpoint the packet reaches, engine and tracer agreeing."""
    loaded = load(str(topology))
    space = PacketSpace()
    engine = ReachEngine(loaded.network, space, boundary_interfaces(loaded.network))
    found = {
        e
        for e, packets in engine.reach([(start, space.packet(packet))]).delivered.items()
        if space.contains(packets, packet)
    }
    traced = {p.endpoint for p in Tracer(engine).trace(start, packet) if p.endpoint is not None}
    assert found == traced, (found, traced)
    return {(e.kind, e.segment or e.interface) for e in found}


UPSTREAM = Start(device="edge", interface="GigabitEthernet0/0")


def test_the_inside_source_leaves_as_the_interface_address(tmp_path: Path) -> None:
    topology = write(tmp_path, exposed=False)
    packet = Packet(ip("10.3.0.10"), ip("192.0.2.1"), PROTO_TCP, 49152, 443)
    assert reach(topology, packet, Start(segment="10.3.0.0/24")) == {("exit", "GigabitEthernet0/0")}


@pytest.mark.parametrize(
    ("proto", "established", "reaches"),
    [
        (PROTO_TCP, True, True),  # a TCP reply (ACK) to the PAT address goes back inside
        (PROTO_UDP, False, True),  # UDP: a reply cannot be told from a new flow; let it through
        (PROTO_TCP, False, False),  # a new TCP connection to a PAT address is not translated
    ],
)
def test_replies_to_the_pat_address_go_back_inside(
    tmp_path: Path, proto: int, established: bool, reaches: bool
) -> None:
    topology = write(tmp_path, exposed=False)
    packet = Packet(ip("192.0.2.1"), ip("203.0.113.2"), proto, 443, 49152, established)
    found = reach(topology, packet, UPSTREAM)
    assert (("hosts", "10.3.0.0/24") in found) is reaches
    # Only the inside sources the rule translates: never the LGWAN.
    assert ("hosts", "10.2.0.0/24") not in found


def test_the_inbound_acl_sees_the_global_address(tmp_path: Path) -> None:
    """FROM-ISP denies every 10.0.0.0/8 destination, but it sees 198.51.100.10, before the
    router un-translates it to the LGWAN host 10.2.0.10."""
    topology = write(tmp_path, exposed=True)
    packet = Packet(ip("192.0.2.1"), ip("198.51.100.10"), PROTO_TCP, 49152, 443)
    assert reach(topology, packet, UPSTREAM) == {("hosts", "10.2.0.0/24")}
    direct = Packet(ip("192.0.2.1"), ip("10.2.0.10"), PROTO_TCP, 49152, 443)
    assert reach(topology, direct, UPSTREAM) == set()


def test_edge_router_natting_the_internet_zone_passes(tmp_path: Path) -> None:
    result = analyze(str(write(tmp_path, exposed=False)))
    verdicts = {v.rule: v.verdict for v in result.rules}
    assert (verdicts["ZONE-005"], verdicts["META-001"]) == ("pass", "pass")


def test_static_nat_exposing_an_lgwan_host_fails_at_the_nat_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write(tmp_path, exposed=True)
    monkeypatch.chdir(tmp_path)
    result = analyze("topology.yaml")
    [finding] = [f for f in result.findings if f.rule == "ZONE-005"]
    assert (finding.status, finding.from_zone, finding.to_zone) == ("violated", "internet", "lgwan")
    assert finding.message_en == (
        "インターネット接続系 (internet) → LGWAN接続系 (lgwan): ip any except 10.2.0.0/24, 10.3.0.0/16 → "
        "198.51.100.10/32 gets through outside every declared sanitised channel (permitted at configs/edge.cfg:23)."
    )
    [step] = finding.path
    assert (step.device, step.in_interface, step.out_interface) == ("edge", "GigabitEthernet0/0", "GigabitEthernet0/2")
    nat_line = "ip nat inside source static 10.2.0.10 198.51.100.10"
    assert [(e.line, e.text, e.role) for e in finding.evidence if e.role == "translates"] == [
        (20, nat_line, "translates")
    ]
    assert "edge: NAT rewrites dst to 10.2.0.10/32 (configs/edge.cfg:20)" in finding.notes


def test_nvi_static_and_rotary_inside_destination() -> None:
    device = parse_config(
        "hostname r\n"
        "interface Gi0/0\n ip address 203.0.113.2 255.255.255.252\n ip nat enable\n ip nat outside\n"
        "interface Gi0/1\n ip address 10.3.0.1 255.255.255.0\n ip nat enable\n ip nat inside\n"
        "access-list 5 permit 203.0.113.80\n"
        "ip nat pool WEB 10.3.0.20 10.3.0.21 prefix-length 24 type rotary\n"
        "ip nat inside destination list 5 pool WEB\n"
        "ip nat source static 10.3.0.9 203.0.113.9\n",
        "r.cfg",
        "cisco_ios",
    )
    assert not device.forwarding_unknowns
    rows = [
        (r.source.line, r.kind, r.real_interface, r.mapped_interface, r.real_source, r.mapped_source, r.protocol)
        for r in device.nat_rules
    ]
    outside, inside = "GigabitEthernet0/0", "GigabitEthernet0/1"
    web, virtual = ((ip("10.3.0.20"), 31),), ((ip("203.0.113.80"), 32),)
    local, global_ = ((ip("10.3.0.9"), 32),), ((ip("203.0.113.9"), 32),)
    assert rows == [
        # TCP load balancing: the virtual address onto the rotary pool (any of its addresses).
        (12, "static", inside, outside, web, virtual, PROTO_TCP),
        # NVI: between every two interfaces with `ip nat enable`, both ways.
        (13, "static", outside, inside, local, global_, None),
        (13, "static", inside, outside, local, global_, None),
    ]
    assert device.nat_rules[0].approximation
