"""Cisco ASA semantics in the engine and the tracer: security levels, same-security
traffic, management-only, global ACL, stateful replies, static and twice NAT."""

from __future__ import annotations

import textwrap
from pathlib import Path

from conftest import write_network

from nankoku_netcheck.analyze import analyze, load
from nankoku_netcheck.model import ip_to_int
from nankoku_netcheck.reach.engine import Endpoint, ReachEngine, Start, boundary_interfaces
from nankoku_netcheck.reach.packets import Packet, PacketSpace
from nankoku_netcheck.reach.trace import Tracer

ZONES = """\
zones:
  lgwan: {kind: lgwan, label: LGWAN接続系, prefixes: [10.2.0.0/16]}
  internet: {kind: internet, label: インターネット接続系, prefixes: [10.3.0.0/16], upstream: [fw:outside]}
  other: {kind: other, label: DMZ, prefixes: [10.9.0.0/16]}
"""

FIREWALL = """\
ASA Version 9.8(4)
hostname fw
interface GigabitEthernet0/0
 nameif outside
 security-level 0
 ip address 203.0.113.2 255.255.255.252
interface GigabitEthernet0/1
 nameif inside
 security-level 100
 ip address 10.2.0.1 255.255.255.0
interface GigabitEthernet0/2
 nameif dmz
 security-level {dmz_level}
 ip address 10.9.0.1 255.255.255.0
interface GigabitEthernet0/3
 nameif inet
 security-level 50
 ip address 10.3.0.1 255.255.255.0
interface Management0/0
 nameif management
 security-level 100
 management-only
 ip address 10.2.99.1 255.255.255.0
route outside 0.0.0.0 0.0.0.0 203.0.113.1
{extra}
"""


class Firewall:
    def __init__(self, tmp_path: Path, dmz_level: int = 50, extra: str = "") -> None:
        text = FIREWALL.replace("{dmz_level}", str(dmz_level)).replace("{extra}", textwrap.dedent(extra))
        self.topology = write_network(tmp_path, {"fw": text}, zones=ZONES)
        self.loaded = load(str(self.topology))
        network = self.loaded.network
        self.space = PacketSpace()
        self.engine = ReachEngine(network, self.space, boundary_interfaces(network))
        self.tracer = Tracer(self.engine)

    def endpoints(
        self, src: str, dst: str, dport: int = 443, established: bool = False, start: Start | None = None
    ) -> set[Endpoint]:
        packet = Packet(
            ip_to_int(src),
            ip_to_int(dst),
            6,
            49152 if not established else 443,
            dport if not established else 49152,
            established,
        )
        if start is None:
            segment = next(s for s in self.loaded.network.segments.values() if s.contains(packet.src))
            start = Start(segment=segment.id)
        delivered = self.engine.reach([(start, self.space.packet(packet))]).delivered
        symbolic = {e for e, packets in delivered.items() if self.space.contains(packets, packet)}
        concrete = {p.endpoint for p in self.tracer.trace(start, packet) if p.endpoint is not None}
        assert symbolic == concrete, (symbolic, concrete)
        return symbolic


def hosts(network_id: str) -> Endpoint:
    return Endpoint("hosts", segment=network_id)


def test_security_levels_without_acl(tmp_path: Path) -> None:
    fw = Firewall(tmp_path)
    assert fw.endpoints("10.2.0.10", "10.3.0.10") == {hosts("10.3.0.0/24")}  # 100 → 50 passes
    assert fw.endpoints("10.3.0.10", "10.2.0.10") == set()  # 50 → 100 dropped
    assert fw.endpoints("10.3.0.10", "10.9.0.10") == set()  # 50 → 50 dropped by default


def test_same_security_traffic(tmp_path: Path) -> None:
    fw = Firewall(tmp_path, extra="same-security-traffic permit inter-interface\n")
    assert fw.endpoints("10.3.0.10", "10.9.0.10") == {hosts("10.9.0.0/24")}


def test_management_only_interface_carries_no_through_traffic(tmp_path: Path) -> None:
    fw = Firewall(tmp_path)
    assert fw.endpoints("10.2.99.10", "10.3.0.10") == set()
    assert fw.endpoints("10.2.99.10", "10.2.99.1") == {Endpoint("device", device="fw")}  # to the box is fine


def test_interface_acl_alone_decides_then_global(tmp_path: Path) -> None:
    fw = Firewall(
        tmp_path,
        dmz_level=70,
        extra="""\
        access-list INET-IN extended permit tcp any host 10.2.0.10 eq 443
        access-group INET-IN in interface inet
        access-list GLOBAL extended permit tcp any host 10.9.0.10 eq 443
        access-group GLOBAL global
        """,
    )
    # A lower level reaches a higher one because the ACL permits it.
    assert fw.endpoints("10.3.0.10", "10.2.0.10") == {hosts("10.2.0.0/24")}
    # Not in INET-IN but in the global ACL.
    assert fw.endpoints("10.3.0.10", "10.9.0.10") == {hosts("10.9.0.0/24")}
    # With an access rule in force, security levels no longer permit 100 → 50 by default.
    assert fw.endpoints("10.2.0.10", "10.3.0.10") == set()


def test_stateful_replies_pass_only_for_connections_the_firewall_would_open(tmp_path: Path) -> None:
    fw = Firewall(tmp_path)
    # Reply from inet (50) to inside (100): the connection inside → inet is permitted.
    assert fw.endpoints("10.3.0.10", "10.2.0.10", established=True) == {hosts("10.2.0.0/24")}
    # "Reply" from inside to inet: no connection inet → inside could exist.
    assert fw.endpoints("10.2.0.10", "10.3.0.10", established=True) == set()


def test_static_nat_publishes_a_server(tmp_path: Path) -> None:
    extra = """\
        object network WEB
         host 10.9.0.80
         nat (dmz,outside) static 203.0.113.80
        access-list OUTSIDE-IN extended permit tcp any object WEB eq www
        access-group OUTSIDE-IN in interface outside
        """
    fw = Firewall(tmp_path, extra=extra)
    start = Start(device="fw", interface="GigabitEthernet0/0")
    reached = fw.endpoints("198.51.100.7", "203.0.113.80", dport=80, start=start)
    assert [(e.kind, e.segment) for e in reached] == [("hosts", "10.9.0.0/24")]
    assert [r.field for e in reached for r in e.translation] == ["dst"]
    assert fw.endpoints("198.51.100.7", "203.0.113.80", dport=22, start=start) == set()
    # The verifier reports the exposure (no device has role firewall here).
    result = analyze(str(fw.topology))
    assert any(f.rule == "ZONE-009" and f.flow and f.flow.dst == "203.0.113.80" for f in result.findings)


# Twice NAT between inside and dmz: LAN hosts appear in dmz as 192.0.2.0/24, the dmz
# peer 10.9.0.5 appears inside as 10.2.200.5; TWICE_NAT also lets the peer answer on 443.
TWICE_NAT_RULE = textwrap.dedent("""\
    object network LAN
     subnet 10.2.0.0 255.255.255.0
    object network LAN-MAPPED
     subnet 192.0.2.0 255.255.255.0
    object network PEER-MAPPED
     host 10.2.200.5
    object network PEER-REAL
     host 10.9.0.5
    nat (inside,dmz) source static LAN LAN-MAPPED destination static PEER-MAPPED PEER-REAL
    """)
TWICE_NAT = TWICE_NAT_RULE + textwrap.dedent("""\
    access-list DMZ-IN extended permit tcp host 10.9.0.5 10.2.0.0 255.255.255.0 eq 443
    access-group DMZ-IN in interface dmz
    """)


def test_twice_nat_translates_source_and_destination(tmp_path: Path) -> None:
    fw = Firewall(tmp_path, extra=TWICE_NAT_RULE)
    reached = fw.endpoints("10.2.0.10", "10.2.200.5")
    assert [(e.kind, e.segment) for e in reached] == [("hosts", "10.9.0.0/24")]
    [endpoint] = reached
    assert {(r.field, r.length) for r in endpoint.translation} == {("src", 24), ("dst", 32)}


def test_twice_nat_reverse_direction_is_untranslated(tmp_path: Path) -> None:
    fw = Firewall(tmp_path, extra=TWICE_NAT)
    # The peer answers to the mapped address of a LAN host; the ACL matches real addresses.
    reached = fw.endpoints("10.9.0.5", "192.0.2.10")
    assert [(e.kind, e.segment) for e in reached] == [("hosts", "10.2.0.0/24")]


def test_twice_nat_leaves_packets_to_the_real_destination_alone(tmp_path: Path) -> None:
    """A twice NAT rule matches the original packet as it arrives: real source and *mapped*
    destination (ASA configuration guide, "Original Packet": "the real source address and
    the mapped destination address"), and for the static reverse direction the real
    destination as source and the mapped source as destination. A packet sent to the real
    destination directly matches neither: its source is not translated, either way."""
    fw = Firewall(tmp_path, extra=TWICE_NAT)
    # inside (100) → dmz (50), addressed to the peer's real address: no rewrite.
    assert fw.endpoints("10.2.0.10", "10.9.0.5") == {hosts("10.9.0.0/24")}
    # Through the rule (to the mapped address) both ends are still translated.
    [through] = fw.endpoints("10.2.0.10", "10.2.200.5")
    assert {(r.field, r.length) for r in through.translation} == {("src", 24), ("dst", 32)}
    # dmz → inside, from the peer straight to a LAN host's real address: no rewrite.
    assert fw.endpoints("10.9.0.5", "10.2.0.10") == {hosts("10.2.0.0/24")}
    # The oracle's firewall NAT agrees: neither packet is owned by the rule.
    import oracle

    firewall = fw.loaded.network.devices["fw"]
    assert {rule.real_interface for rule in firewall.nat_rules} <= set(firewall.interfaces)
    for src, dst, in_if, out_if in (
        ("10.2.0.10", "10.9.0.5", "GigabitEthernet0/1", "GigabitEthernet0/2"),
        ("10.9.0.5", "10.2.0.10", "GigabitEthernet0/2", "GigabitEthernet0/1"),
    ):
        header = oracle.Header(ip_to_int(src), ip_to_int(dst), 6, 49152, 443)
        arrived, rule, direction = oracle.untranslate(firewall, in_if, header)
        assert (arrived, rule) == (header, None)
        assert oracle.translate_source(firewall, rule, direction, in_if, out_if, arrived) == header


def test_same_security_rule_holds_even_when_an_acl_permits(tmp_path: Path) -> None:
    """Cisco ASA command reference, same-security-traffic: interfaces of equal security
    level communicate, and traffic enters and exits the same interface ("which is normally
    not allowed"), only with the command; an interface ACL that permits the traffic does not
    lift that (same-security and intra-interface are checked whatever the ACL says)."""
    acl = textwrap.dedent("""\
        access-list INET-IN extended permit ip any any
        access-group INET-IN in interface inet
        route inet 10.30.0.0 255.255.0.0 10.3.0.254
        """)
    fw = Firewall(tmp_path, extra=acl)
    assert fw.endpoints("10.3.0.10", "10.9.0.10") == set()  # inet 50 → dmz 50, ACL permits
    assert fw.endpoints("10.3.0.10", "10.2.0.10") == {hosts("10.2.0.0/24")}  # 50 → 100: the ACL decides
    assert fw.endpoints("10.3.0.10", "10.30.0.10") == set()  # hairpin: in and out by inet
    allowed = Firewall(
        tmp_path / "allowed",
        extra=acl + "same-security-traffic permit inter-interface\nsame-security-traffic permit intra-interface\n",
    )
    assert allowed.endpoints("10.3.0.10", "10.9.0.10") == {hosts("10.9.0.0/24")}
    assert allowed.endpoints("10.3.0.10", "10.30.0.10") == {
        Endpoint("exit", device="fw", interface="GigabitEthernet0/3")
    }
    # A reply is checked against the reverse connection, same-security rule included.
    assert fw.endpoints("10.9.0.10", "10.3.0.10", established=True) == set()
    assert allowed.endpoints("10.9.0.10", "10.3.0.10", established=True) == {hosts("10.3.0.0/24")}


def test_a_nat_rule_naming_its_interfaces_chooses_the_egress_interface(tmp_path: Path) -> None:
    """ASA configuration guide, "Determining the Egress Interface" (routed mode): when the
    NAT rule names the interface, "the ASA uses the NAT rule to determine the egress
    interface" instead of the route lookup; `route-lookup` restores the route lookup. On
    that interface the longest route through it gives the next hop."""
    twice = TWICE_NAT_RULE.replace("host 10.9.0.5", "host 10.50.0.5") + textwrap.dedent("""\
        route dmz 10.50.0.0 255.255.0.0 10.9.0.254
        route outside 10.50.0.0 255.255.255.0 203.0.113.1
        """)
    fw = Firewall(tmp_path, extra=twice)
    # To the mapped destination: out by dmz (the rule's mapped interface) although the
    # routing table's best route for 10.50.0.5 leaves by outside.
    [diverted] = fw.endpoints("10.2.0.10", "10.2.200.5")
    assert (diverted.kind, diverted.interface) == ("exit", "GigabitEthernet0/2")
    # Straight to the real destination no rule applies: the route lookup decides.
    [routed] = fw.endpoints("10.2.0.10", "10.50.0.5")
    assert (routed.kind, routed.interface, routed.translation) == ("exit", "GigabitEthernet0/0", ())
    published = textwrap.dedent("""\
        object network WEB
         host 10.9.0.80
         nat (dmz,outside) static 203.0.113.80
        access-list OUTSIDE-IN extended permit tcp any host 10.9.0.80 eq www
        access-group OUTSIDE-IN in interface outside
        route inet 10.9.0.80 255.255.255.255 10.3.0.254
        """)
    start = Start(device="fw", interface="GigabitEthernet0/0")
    web = Firewall(tmp_path / "web", extra=published)
    # Un-NAT on the mapped side: out by dmz, the rule's real interface, not by the host route via inet.
    assert [(e.kind, e.segment) for e in web.endpoints("198.51.100.7", "203.0.113.80", dport=80, start=start)] == [
        ("hosts", "10.9.0.0/24")
    ]
    lookup = Firewall(
        tmp_path / "lookup", extra=published.replace("static 203.0.113.80", "static 203.0.113.80 route-lookup")
    )
    assert [(e.kind, e.interface) for e in lookup.endpoints("198.51.100.7", "203.0.113.80", dport=80, start=start)] == [
        ("exit", "GigabitEthernet0/3")
    ]
