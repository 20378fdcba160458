"""The AlliedWare Plus parser, one semantic at a time, with the exact model it builds:
hardware ACLs end with an implicit permit, software ACLs with the implicit deny; port
filters reach routed traffic through the VLAN interface; what the model cannot express
is META-001 at its own line."""

from __future__ import annotations

from pathlib import Path

from conftest import REPO

from nankoku_netcheck.inputs import read_input
from nankoku_netcheck.model import (
    PROTO_TCP,
    PROTO_UDP,
    AclLine,
    Action,
    Device,
    IcmpMatch,
    InterfaceAddress,
    Match,
    PortRange,
    Route,
    RouteKind,
    Source,
    ToTheBox,
    Wildcard,
    ip_to_int,
)
from nankoku_netcheck.parse import detect_vendor, parse_config


def parse(text: str) -> Device:
    assert detect_vendor(text) == "alliedware_plus"
    return parse_config(text, "sw.cfg")


def forwarding(device: Device) -> list[tuple[int, str]]:
    return [(unknown.source.line, unknown.reason) for unknown in device.forwarding_unknowns]


def src(text: str) -> Source:
    number, _, line = text.partition(":")
    return Source("sw.cfg", int(number), line)


def net(prefix: str) -> Wildcard:
    address, _, length = prefix.partition("/")
    return Wildcard.prefix(ip_to_int(address), int(length))


PERMIT_ALL = Match()

HARDWARE = """\
hostname sw1
!
access-list 3000 deny tcp 10.1.0.0/24 any eq 445
access-list 3000 permit ip 10.1.0.0 0.0.0.255 host 10.2.0.10
!
interface port1.0.1-1.0.2
 switchport
 switchport mode access
 switchport access vlan 10
 access-group 3000
!
interface vlan10
 ip address 10.1.0.1/24
!
end
"""


def test_numbered_hardware_acl_ends_with_an_implicit_permit_and_reaches_the_vlan_interface() -> None:
    device = parse(HARDWARE)
    acl = device.acls["3000"]
    assert acl.lines == (
        AclLine(
            Action.DENY,
            (Match(protocols=(PROTO_TCP,), src=(net("10.1.0.0/24"),), dst=None, dst_ports=(PortRange(445, 445),)),),
            src("3:access-list 3000 deny tcp 10.1.0.0/24 any eq 445"),
        ),
        AclLine(
            Action.PERMIT,
            (Match(src=(net("10.1.0.0/24"),), dst=(Wildcard.host(ip_to_int("10.2.0.10")),)),),
            src("4:access-list 3000 permit ip 10.1.0.0 0.0.0.255 host 10.2.0.10"),
        ),
        AclLine(Action.PERMIT, (PERMIT_ALL,), src("3:access-list 3000 deny tcp 10.1.0.0/24 any eq 445")),
    )
    assert sorted(device.interfaces) == ["Vlan10", "port1.0.1", "port1.0.2"]
    for name in ("port1.0.1", "port1.0.2", "Vlan10"):
        assert device.interfaces[name].acl_in == "3000"
    assert device.interfaces["Vlan10"].acl_in_source == src("10: access-group 3000")
    assert device.interfaces["port1.0.2"].access_vlan == 10
    assert device.interfaces["Vlan10"].addresses == (InterfaceAddress(ip_to_int("10.1.0.1"), 24),)
    assert (device.stateful, device.to_the_box, device.undefined_acl_permits) == (False, ToTheBox.FILTERED, True)
    assert forwarding(device) == []


def test_a_hardware_list_ending_in_a_match_all_gets_no_second_one() -> None:
    device = parse(
        HARDWARE.replace("!\ninterface port1.0.1", "access-list 3000 deny ip any any\n!\ninterface port1.0.1")
    )
    assert [line.source.line for line in device.acls["3000"].lines] == [3, 4, 5]


def test_named_software_acl_has_the_implicit_deny_and_named_hardware_acl_the_permit() -> None:
    device = parse(
        """\
access-list extended WEB
 10 permit tcp 10.1.0.0/24 range 1024 65535 10.2.0.0/16 ne 23
 20 permit udp any eq 53 host 10.2.0.53
 30 permit icmp any any icmp-type 8
 remark everything else is refused
access-list standard MGMT permit 10.9.0.0/24
access-list hardware HW
 permit proto 89 any any
interface port1.0.1
 access-group HW
interface vlan20
 ip address 10.2.0.1/24
 access-group WEB
"""
    )
    web = device.acls["WEB"]
    assert [(line.sequence, line.action, line.matches) for line in web.lines] == [
        (
            10,
            Action.PERMIT,
            (
                Match(
                    protocols=(PROTO_TCP,),
                    src=(net("10.1.0.0/24"),),
                    dst=(net("10.2.0.0/16"),),
                    src_ports=(PortRange(1024, 65535),),
                    dst_ports=(PortRange(0, 22), PortRange(24, 65535)),
                ),
            ),
        ),
        (
            20,
            Action.PERMIT,
            (
                Match(
                    protocols=(PROTO_UDP,),
                    dst=(Wildcard.host(ip_to_int("10.2.0.53")),),
                    src_ports=(PortRange(53, 53),),
                ),
            ),
        ),
        (30, Action.PERMIT, (Match(protocols=(1,), icmp=(IcmpMatch(8),)),)),
    ]
    assert [line.matches for line in device.acls["MGMT"].lines] == [(Match(src=(net("10.9.0.0/24"),)),)]
    assert device.acls["MGMT"].kind == "standard"
    assert [line.matches for line in device.acls["HW"].lines] == [(Match(protocols=(89,)),), (PERMIT_ALL,)]
    assert device.interfaces["Vlan20"].acl_in == "WEB"
    assert forwarding(device) == []


def test_several_access_groups_are_one_list_in_attach_order() -> None:
    device = parse(
        """\
access-list 3100 deny ip any host 10.2.0.9
access-list 3200 permit ip any host 10.2.0.9
interface port1.0.1
 access-group 3100
 access-group 3200
"""
    )
    port = device.interfaces["port1.0.1"]
    assert port.acl_in == "3100+3200"
    assert [(line.action, line.source.line) for line in device.acls["3100+3200"].lines] == [
        (Action.DENY, 1),
        (Action.PERMIT, 2),
        (Action.PERMIT, 4),
    ]


def test_ports_of_one_vlan_that_filter_differently_leave_the_vlan_unfiltered_and_say_so() -> None:
    text = HARDWARE.replace("interface port1.0.1-1.0.2", "interface port1.0.1").replace(
        "interface vlan10", "interface port1.0.3\n switchport access vlan 10\n!\ninterface vlan10"
    )
    device = parse(text)
    assert device.interfaces["Vlan10"].acl_in is None
    assert device.interfaces["port1.0.1"].acl_in == "3000"
    assert forwarding(device) == [
        (
            10,
            "port filter left out for traffic routed by Vlan10: "
            "the ports of VLAN 10 filter differently (more reachability)",
        )
    ]


def test_trunk_vlans_and_vrf_lite() -> None:
    device = parse(
        """\
ip vrf LGWAN
 rd 100:1
interface port1.0.24
 switchport mode trunk
 switchport trunk allowed vlan add 10,20-21
 switchport trunk native vlan none
interface vlan30
 ip vrf forwarding LGWAN
 ip address 10.3.0.1/24
ip route vrf LGWAN 0.0.0.0/0 10.3.0.254
"""
    )
    trunk = device.interfaces["port1.0.24"]
    assert (trunk.switchport_mode, trunk.trunk_vlans) == ("trunk", (10, 20, 21))
    assert forwarding(device) == []
    assert device.interfaces["Vlan30"].vrf == "LGWAN"
    assert [(route.vrf, route.next_hop_vrf, route.describe()) for route in device.routes] == [
        ("LGWAN", None, "vrf LGWAN 0.0.0.0/0 via 10.3.0.254")
    ]


def test_vrf_processes_leaks_and_unmodelled_vrf_forms() -> None:
    device = parse(
        """\
ip vrf LGWAN 1
 rd 100:1
 route-target both 100:1
 import map LEAK
ip vrf INET 2
interface vlan10
 ip vrf forwarding LGWAN
 ip address 10.2.0.1/24
interface vlan20
 ip vrf forwarding INET
 ip address 10.3.0.1/24
interface vlan30
 ip address 192.0.2.1/24
ip route vrf INET 10.2.0.0/24 vlan10
router ospf 1 LGWAN
 network 10.2.0.0/24 area 0
router bgp 65000
 address-family ipv4 vrf INET
 exit-address-family
vrf-leak something
"""
    )
    assert [(r.vrf, r.interface) for r in device.routes] == [("INET", "Vlan10")]
    assert [(p.protocol, p.process, p.interfaces, p.vrf) for p in device.dynamic_routing] == [
        ("ospf", "1", ("Vlan10",), "LGWAN"),
        ("bgp", "65000", ("Vlan30",), ""),
        ("bgp", "65000", ("Vlan20",), "INET"),
    ]
    assert [line for line, _ in forwarding(device)] == [3, 4, 20]
    assert "BGP may leak routes between VRFs" in dict(forwarding(device))[3]


def test_static_routes() -> None:
    device = parse(
        "interface vlan10\n ip address 10.1.0.1/24\n"
        "ip route 0.0.0.0/0 10.1.0.254\n"
        "ip route 10.8.0.0 255.255.0.0 vlan10 200\n"
        "ip route 10.9.0.0/16 null\n"
        "ip route 10.7.0.0/16 bogus\n"
    )
    assert device.routes == [
        Route(0, 0, RouteKind.STATIC, src("3:ip route 0.0.0.0/0 10.1.0.254"), next_hop=ip_to_int("10.1.0.254")),
        Route(
            ip_to_int("10.8.0.0"),
            16,
            RouteKind.STATIC,
            src("4:ip route 10.8.0.0 255.255.0.0 vlan10 200"),
            interface="Vlan10",
            distance=200,
        ),
        Route(
            ip_to_int("10.9.0.0"),
            16,
            RouteKind.STATIC,
            src("5:ip route 10.9.0.0/16 null"),
            interface="Null0",
            discard=True,
        ),
    ]
    assert forwarding(device) == [
        (6, "static route not understood: interface name 'bogus' is not an AlliedWare Plus interface")
    ]


def test_actions_and_vlan_conditions_that_do_not_fit_the_model() -> None:
    device = parse(
        """\
access-list 3000 copy-to-cpu ip any host 10.2.0.1
access-list 3000 send-to-vlan-port vlan 10 port1.0.5 ip any any
access-list 3000 deny ip any host 10.2.0.2 vlan 10
access-list 3000 permit tcp any any eq 80 vlan 10
access-list 3000 deny tcp any any established
"""
    )
    lines = device.acls["3000"].lines
    assert [(line.action, line.understood) for line in lines[:5]] == [
        (Action.PERMIT, True),
        (Action.PERMIT, False),
        (Action.DENY, False),
        (Action.PERMIT, True),
        (Action.DENY, False),
    ]
    assert lines[0].approximation == "copy-to-cpu forwards the packet as well: read as permit"
    assert lines[3].approximation == "the 802.1Q VLAN condition is not modelled"
    assert [line for line, _ in forwarding(device)] == [2, 3, 5]


def test_unknown_global_commands_and_utm_features_are_meta_001() -> None:
    device = parse(
        "interface port1.0.1\n switchport\n"
        "firewall\n protect\n"
        "nat\n enable\n"
        "ip policy-route 1 nexthop 10.0.0.1\n"
        "spanning-tree mode rstp\n"
        "url-filter\n protect\n"
    )
    assert forwarding(device) == [
        (7, "command 'ip policy-route' is not modelled"),
        (9, "AR-series NAT or UTM feature: not modelled yet"),
        (10, "AR-series NAT or UTM feature: not modelled yet"),
    ]
    assert device.nat_rules == []
    # A protecting firewall without rules drops every connection through the device.
    assert (device.policy, device.stateful) == ((), True)


FIREWALL = """\
zone private
 network lan
  ip subnet 10.2.0.0/24 interface vlan1
  host server
   ip address 10.2.0.10
zone public
 network wan
  ip subnet 0.0.0.0/0 interface eth1
application web8080
 protocol tcp
 dport 8080 to 8081
firewall
 rule 20 deny web8080 from private.lan to public
 rule 10 permit any from private to private
 rule 30 permit https from private.lan.server to public log
 rule 40 log any from public to private
 protect
interface eth1
 ip address 203.0.113.2/30
interface vlan1
 ip address 10.2.0.1/24
"""


def test_ar_firewall_rules_are_the_policy_in_rule_order() -> None:
    device = parse(FIREWALL)
    lan = (net("10.2.0.0/24"), Wildcard.host(ip_to_int("10.2.0.10")))
    assert device.stateful
    assert [
        (rule.name, rule.from_interfaces, rule.to_interfaces, rule.source.line, line.action, line.matches)
        for rule in device.policy or ()
        for line in rule.lines
    ] == [
        ("rule 10", None, None, 14, Action.PERMIT, (Match(src=lan, dst=lan),)),
        (
            "rule 20",
            ("Vlan1",),
            ("eth1",),
            13,
            Action.DENY,
            (Match(protocols=(PROTO_TCP,), src=lan, dst_ports=(PortRange(8080, 8081),)),),
        ),
        ("rule 30", None, None, 15, Action.PERMIT, (Match(src=(Wildcard.host(ip_to_int("10.2.0.10")),)),)),
    ]
    assert forwarding(device) == [(15, "application 'https' is predefined or not understood: read as any traffic")]
    assert [(u.source.line, u.reason) for u in device.unknown_lines if u.source.line == 16] == [
        (16, "a log rule decides nothing: the next rule does")
    ]


NAT = """\
zone public
 network wan
  ip subnet 0.0.0.0/0 interface eth1
  host eth1
   ip address 203.0.113.2
zone private
 network lan
  ip subnet 10.2.0.0/24 interface vlan1
  host web
   ip address 10.2.0.10
 network guest
  ip subnet 10.5.0.0/24
zone global
 network pub
  ip subnet 203.0.113.0/29
  host web
   ip address 203.0.113.3
application web8443
 protocol tcp
 dport 8443
nat
 rule 10 masq any from private.lan to public with src public.wan.eth1
 rule 20 portfwd web8443 from public to global.pub.web with dst private.lan.web dport 443
 rule 30 masq any from private.lan to any
 rule 40 netmap any from private to public with src global
 rule 50 masq any from private.lan to private.guest
 rule 60 portfwd any from public with dst private.lan.web
 rule 70 portfwd any from public to global.pub with dst private.lan.web
 enable
interface eth1
 ip address 203.0.113.2/29
interface vlan1
 ip address 10.2.0.1/24
"""


def test_ar_nat_masquerade_and_port_forward_become_nat_rules() -> None:
    device = parse(NAT)
    lan = ((ip_to_int("10.2.0.0"), 24), (ip_to_int("10.2.0.10"), 32))
    masq = (
        "every packet from the source entity leaving by the interface is translated (application and destination "
        "not matched)"
    )
    assert [
        (
            rule.source.line,
            rule.kind,
            rule.section,
            rule.order,
            rule.mapped_interface,
            rule.real_source,
            rule.mapped_source,
            rule.interface_pat,
            rule.protocol,
            rule.real_port,
            rule.mapped_port,
            rule.inactive,
        )
        for rule in device.nat_rules
    ] == [
        (
            23,
            "static",
            1,
            0,
            "eth1",
            ((ip_to_int("10.2.0.10"), 32),),
            ((ip_to_int("203.0.113.3"), 32),),
            False,
            PROTO_TCP,
            PortRange(443, 443),
            PortRange(8443, 8443),
            False,
        ),
        (22, "dynamic", 2, 1, "eth1", lan, ((ip_to_int("203.0.113.2"), 32),), False, None, None, None, False),
        (24, "dynamic", 2, 2, None, lan, None, True, None, None, None, False),
    ]
    assert device.nat_rules[0].approximation == (
        "every port and protocol of the outer address reaches the inner host (the engine matches no ports)"
    )
    assert device.nat_rules[1].approximation == masq
    assert forwarding(device) == [
        (25, "NAT rule not modelled: netmap (subnet mapping) is not modelled yet"),
        (
            26,
            "NAT rule not modelled: entity 'private.guest' is bound to no interface: the translated packets are "
            "unknown",
        ),
        (27, "NAT rule not modelled: a port forward without 'to' names no outer address"),
        (28, "NAT rule not modelled: entity 'global.pub' is not one host address"),
    ]


def test_ar_nat_without_enable_translates_nothing() -> None:
    device = parse(NAT.replace(" enable\n", ""))
    assert [(rule.source.line, rule.inactive) for rule in device.nat_rules] == [(23, True), (22, True), (24, True)]
    reason = "NAT is not enabled (no 'enable' under 'nat'): the rule translates nothing"
    assert [(u.source.line, u.reason) for u in device.unknown_lines if u.reason == reason] == [
        (22, reason),
        (23, reason),
        (24, reason),
    ]


def test_ar_firewall_without_protect_decides_nothing() -> None:
    device = parse(FIREWALL.replace(" protect\n", ""))
    assert (device.policy, device.stateful) == (None, False)


def test_cp932_config_with_japanese_descriptions(tmp_path: Path) -> None:
    text = (
        "hostname 本庁コアSW\r\n!\r\ninterface port1.0.1\r\n description ＬＧＷＡＮ系　端末ポート\r\n"
        " switchport access vlan 20\r\n!\r\ninterface vlan20\r\n description 住民情報系\r\n"
        " ip address 10.2.0.1/24\r\n!\r\nend\r\n"
    )
    path = tmp_path / "core.cfg"
    path.write_bytes(text.encode("cp932"))
    read = read_input(str(path), "core.cfg")
    device = parse_config(read.text, "core.cfg")
    assert read.encoding == "cp932"
    assert device.hostname == "本庁コアSW"
    assert device.interfaces["port1.0.1"].description == "ＬＧＷＡＮ系　端末ポート"
    assert device.interfaces["Vlan20"].description == "住民情報系"
    assert device.forwarding_unknowns == []


def test_management_facts() -> None:
    device = parse(
        """\
hostname sw1
service password-encryption
username manager privilege 15 password 8 $1$bJoVec4D$JwOJGPr7YqoExA0GVasdE0
username ops privilege 15 password plain-secret
no service telnet
service ssh
no service http
ntp server 10.9.0.1
ntp server 10.9.0.2
log host 10.9.0.5
snmp-server community public ro
banner motd 許可された者以外の接続を禁止します
line con 0
line vty 0 4
 exec-timeout 30
 access-class 10
access-list 10 permit 10.9.0.0/24
interface port1.0.1
 dot1x port-control auto
"""
    )
    mgmt = device.mgmt
    assert [(c.owner, c.scheme, c.source.line) for c in mgmt.credentials] == [
        ("manager", "md5", 3),
        ("ops", "plaintext", 4),
    ]
    assert [(u.name, u.privilege) for u in mgmt.users] == [("manager", 15), ("ops", 15)]
    assert [(s.name, s.enabled, s.source.line if s.source else None) for s in mgmt.services] == [
        ("telnet-server", False, 5),
        ("http-server", False, 7),
        ("ssh-server", True, 6),
        ("cdp", False, None),
    ]
    assert [(a.protocol, a.source.line, a.by_default, a.access_list) for a in mgmt.remote_access] == [
        ("ssh", 6, False, "10")
    ]
    assert [(s.kind, s.name, s.idle_timeout, s.default_idle_timeout) for s in mgmt.sessions] == [
        ("console", "con 0", None, 600),
        ("vty", "vty 0 4", 1800, 600),
    ]
    assert [server.address for server in mgmt.ntp_servers] == ["10.9.0.1", "10.9.0.2"]
    assert [host.address for host in mgmt.logging_hosts] == ["10.9.0.5"]
    assert [(c.access, c.source.line) for c in mgmt.snmp_communities] == [("ro", 11)]
    assert [b.kind for b in mgmt.banners] == ["motd"]
    assert mgmt.interfaces["port1.0.1"].dot1x
    assert forwarding(device) == []


def test_telnet_and_http_are_on_by_default() -> None:
    device = parse("hostname sw1\nline vty 0 4\ninterface port1.0.1\n switchport\n")
    assert [(a.protocol, a.source.line, a.by_default) for a in device.mgmt.remote_access] == [
        ("telnet", 2, True),
        ("http", 1, True),
    ]


def test_every_truncated_line_is_read_without_an_error() -> None:
    """Each line of the fixtures cut after each of its words still parses: a line the parser
    cannot read is an UnknownLine at its own number, never an exception."""
    text = HARDWARE + (REPO / "tests/fixtures/rules/MGMT-001/alliedware-fail/configs/sw1.cfg").read_text("utf-8")
    lines = text.splitlines()
    for index, line in enumerate(lines):
        words = line.split(" ")
        for cut in range(1, len(words)):
            truncated = "\n".join([*lines[:index], " ".join(words[:cut]), *lines[index + 1 :]])
            device = parse_config(truncated, "sw.cfg")
            assert device.vendor == "alliedware_plus"
