"""The YAMAHA RTX parser, one semantic at a time, with the exact model it builds."""

from __future__ import annotations

from nankoku_netcheck.model import (
    AclLine,
    Action,
    Credential,
    HostReference,
    IcmpMatch,
    InterfaceAddress,
    Match,
    NatRule,
    PortRange,
    Route,
    RouteKind,
    ServiceState,
    Source,
    UnknownKind,
    Wildcard,
    ip_to_int,
)
from nankoku_netcheck.vendors import detect_vendor, parse_config
from nankoku_netcheck.vendors.common import range_to_wildcards
from nankoku_netcheck.vendors.yamaha_rtx.filters import RESTRICT_NOTE
from nankoku_netcheck.vendors.yamaha_rtx.nat import ALL_PORTS

PATH = "rtx.cfg"


def parse(text: str):  # type: ignore[no-untyped-def]
    return parse_config(text, PATH, vendor="yamaha_rtx")


def src(line: int, text: str) -> Source:
    return Source(PATH, line, text)


def host(address: str) -> Wildcard:
    return Wildcard(ip_to_int(address), 0)


def forwarding(device) -> list[tuple[int, str]]:  # type: ignore[no-untyped-def]
    return [(u.source.line, u.reason) for u in device.unknown_lines if u.kind is UnknownKind.FORWARDING]


def test_lan_vlan_pp_and_tunnel_interfaces() -> None:
    text = """\
ip lan1 address 192.168.100.1/24
ip lan1 secondary address 192.168.101.1 255.255.255.0
vlan lan1/1 802.1q vid=10
ip lan1/1 address 10.0.10.1/24
description lan1/1 "住民情報系"
ip lan2 address dhcp
pp select 1
 description pp PRV/PPPoE
 ip pp address 203.0.113.9/32
 pp enable 1
pp select none
tunnel select 2
 ip tunnel address 172.16.0.1/30
tunnel select none
"""
    device = parse(text)
    assert sorted(device.interfaces) == ["lan1", "lan1/1", "lan2", "pp1", "tunnel2"]
    lan1 = device.interfaces["lan1"]
    assert lan1.addresses == (
        InterfaceAddress(ip_to_int("192.168.100.1"), 24),
        InterfaceAddress(ip_to_int("192.168.101.1"), 24, secondary=True),
    )
    vlan = device.interfaces["lan1/1"]
    assert (vlan.kind, vlan.encapsulation_vlan, vlan.description) == ("subinterface", 10, "住民情報系")
    assert device.interfaces["lan2"].addresses == ()
    pp1 = device.interfaces["pp1"]
    assert (pp1.kind, pp1.shutdown, pp1.description) == ("pp", False, "PRV/PPPoE")
    assert pp1.addresses == (InterfaceAddress(ip_to_int("203.0.113.9"), 32),)
    tunnel = device.interfaces["tunnel2"]
    # Never `tunnel enable 2`: the tunnel carries nothing.
    assert (tunnel.kind, tunnel.shutdown) == ("tunnel", True)
    assert forwarding(device) == []


def test_ip_pp_outside_pp_select_is_not_understood() -> None:
    device = parse("ip pp address 203.0.113.9/32\n")
    assert forwarding(device) == [(1, "not understood: 'ip pp' outside 'pp select N'")]


def test_static_filter_fields() -> None:
    text = """\
ip filter 10 pass 192.168.1.0/24 10.0.0.1-10.0.0.2 tcp,udp 1024- www,443
ip filter 11 reject 192.168.2.* * icmp 8
ip filter 12 restrict * * established
ip filter 13 pass * 10.1.0.0/255.255.0.0 tcpflag=0x0002/0x0fff * 80
ip filter 14 reject * * tcpfin
ip lan1 address 192.168.1.1/24
ip lan1 secure filter in 10 11 12 13 14 99
"""
    device = parse(text)
    acl = device.acls["lan1 secure filter in"]
    assert device.interfaces["lan1"].acl_in == "lan1 secure filter in"
    assert acl.lines == (
        AclLine(
            Action.PERMIT,
            (
                Match(
                    (6, 17),
                    (Wildcard(ip_to_int("192.168.1.0"), 255),),
                    (Wildcard(ip_to_int("10.0.0.1"), 0), Wildcard(ip_to_int("10.0.0.2"), 0)),
                    (PortRange(1024, 65535),),
                    (PortRange(80, 80), PortRange(443, 443)),
                ),
            ),
            src(1, "ip filter 10 pass 192.168.1.0/24 10.0.0.1-10.0.0.2 tcp,udp 1024- www,443"),
            10,
        ),
        AclLine(
            Action.DENY,
            (Match((1,), (Wildcard(ip_to_int("192.168.2.0"), 255),), None, icmp=(IcmpMatch(8),)),),
            src(2, "ip filter 11 reject 192.168.2.* * icmp 8"),
            11,
        ),
        AclLine(
            Action.PERMIT,
            (Match((6,), established=True),),
            src(3, "ip filter 12 restrict * * established"),
            12,
            approximation=RESTRICT_NOTE,
        ),
        AclLine(
            Action.PERMIT,
            (Match((6,), None, (Wildcard(ip_to_int("10.1.0.0"), 0xFFFF),), None, (PortRange(80, 80),)),),
            src(4, "ip filter 13 pass * 10.1.0.0/255.255.0.0 tcpflag=0x0002/0x0fff * 80"),
            13,
            approximation="TCP flag condition 'tcpflag=0x0002/0x0fff' read as matching more",
        ),
        AclLine(
            Action.DENY,
            (Match((6,)),),
            src(5, "ip filter 14 reject * * tcpfin"),
            14,
            understood=False,
            approximation="TCP flag condition 'tcpfin'",
        ),
    )
    # The reject the model cannot express is META-001; the wider pass is not.
    assert forwarding(device) == [(5, "filter not fully understood: TCP flag condition 'tcpfin'")]


def test_last_definition_of_a_filter_number_wins() -> None:
    device = parse("ip filter 1 reject * *\nip filter 1 pass * *\nip lan1 secure filter out 1\n")
    [line] = device.acls["lan1 secure filter out"].lines
    assert (line.action, line.source.line) == (Action.PERMIT, 2)
    assert device.interfaces["lan1"].acl_out == "lan1 secure filter out"


def test_dynamic_filters_open_sessions_and_let_replies_back() -> None:
    text = """\
ip filter 100 reject * *
ip filter 200 pass * *
ip filter dynamic 300 * * www
ip pp secure filter in 100
ip pp secure filter out 200 dynamic 300
pp select 1
 ip pp secure filter in 100
 ip pp secure filter out 200 dynamic 300
 pp enable 1
"""
    device = parse(text)
    dynamic = src(3, "ip filter dynamic 300 * * www")
    note = "(session state read as stateless permits)"
    assert device.acls["pp1 secure filter out"].lines == (
        AclLine(
            Action.PERMIT,
            (Match((6,), dst_ports=(PortRange(80, 80),)),),
            dynamic,
            300,
            True,
            f"dynamic filter 300 {note}",
        ),
        AclLine(Action.PERMIT, (Match(),), src(2, "ip filter 200 pass * *"), 200),
    )
    assert device.acls["pp1 secure filter in"].lines == (
        AclLine(
            Action.PERMIT,
            (Match((6,), src_ports=(PortRange(80, 80),)),),
            dynamic,
            300,
            True,
            f"replies of dynamic filter 300 {note}",
        ),
        AclLine(Action.DENY, (Match(),), src(1, "ip filter 100 reject * *"), 100),
    )
    # The two lines before `pp select 1` name no PP.
    assert forwarding(device) == [
        (4, "not understood: 'ip pp' outside 'pp select N'"),
        (5, "not understood: 'ip pp' outside 'pp select N'"),
    ]


def test_dynamic_filter_replies_lead_the_lists_of_the_other_interfaces() -> None:
    """Sessions leave by lan2; their replies come back in there and leave by lan1, whose
    `secure filter out` rejects everything else: the RTX's session table passes them."""
    text = """\
ip filter 10 reject * *
ip filter 20 pass * *
ip filter dynamic 30 * * www
ip lan1 secure filter out 10
ip lan2 secure filter out 20 dynamic 30
"""
    device = parse(text)
    replies = AclLine(
        Action.PERMIT,
        (Match((6,), src_ports=(PortRange(80, 80),)),),
        src(3, "ip filter dynamic 30 * * www"),
        30,
        True,
        "replies of dynamic filter 30 (session state read as stateless permits)",
    )
    reject = AclLine(Action.DENY, (Match(),), src(1, "ip filter 10 reject * *"), 10)
    assert device.acls["lan1 secure filter out"].lines == (replies, reject)
    # The list that opens the sessions gets no reply line of its own filter.
    assert [line.source.line for line in device.acls["lan2 secure filter out"].lines] == [3, 2]


def test_unknown_dynamic_protocol_is_any_packet_and_meta() -> None:
    device = parse("ip filter dynamic 5 * * h323\nip lan1 secure filter out dynamic 5\n")
    [line] = device.acls["lan1 secure filter out"].lines
    assert (line.action, line.matches, line.understood) == (Action.PERMIT, (Match(),), False)
    assert forwarding(device) == [
        (1, "filter not fully understood: dynamic filter protocol 'h323' read as any protocol")
    ]


def test_routes_with_gateways_pp_tunnel_dhcp_and_parameters() -> None:
    text = """\
ip route default gateway pp 1
ip route 10.0.0.0/8 gateway 192.168.1.254 metric 2 hide gateway tunnel 3
ip route 172.16.0.0/255.255.0.0 gateway dhcp lan2 filter 10 keepalive 1
ip route 198.51.100.0/24 gateway null
"""
    device = parse(text)
    lines = text.splitlines()
    assert device.routes == [
        Route(0, 0, RouteKind.STATIC, src(1, lines[0]), interface="pp1"),
        Route(ip_to_int("10.0.0.0"), 8, RouteKind.STATIC, src(2, lines[1]), next_hop=ip_to_int("192.168.1.254")),
        Route(ip_to_int("10.0.0.0"), 8, RouteKind.STATIC, src(2, lines[1]), interface="tunnel3"),
        Route(ip_to_int("172.16.0.0"), 16, RouteKind.STATIC, src(3, lines[2]), interface="lan2"),
        Route(ip_to_int("198.51.100.0"), 24, RouteKind.STATIC, src(4, lines[3]), interface="null", discard=True),
    ]
    assert forwarding(device) == []


def test_management_facts() -> None:
    text = """\
login password secret1
administrator password encrypted $1$abcdefgh$ijklmnop
login user ops encrypted XXXX
syslog host 192.168.1.20
schedule at 1 */* 00:00 * ntpdate 192.168.1.21 syslog
snmp community read-write private
telnetd host lan1
sshd service on
"""
    device = parse(text)
    mgmt = device.mgmt
    lines = text.splitlines()
    assert mgmt.credentials == [
        Credential("login", "", "plaintext", src(1, lines[0])),
        Credential("enable", "", "md5", src(2, lines[1])),
        Credential("user", "ops", "unknown", src(3, lines[2])),
    ]
    assert [user.name for user in mgmt.users] == ["ops"]
    assert mgmt.logging_hosts == [HostReference("192.168.1.20", src(4, lines[3]))]
    assert mgmt.ntp_servers == [HostReference("192.168.1.21", src(5, lines[4]))]
    assert [(c.name, c.access) for c in mgmt.snmp_communities] == [("private", "rw")]
    assert [(r.protocol, r.source.line, r.by_default, r.allowed_from) for r in mgmt.remote_access] == [
        ("telnet", 7, False, None),
        ("ssh", 8, False, None),
    ]
    assert mgmt.service("ssh-server") == ServiceState("ssh-server", True, src(8, lines[7]))
    assert mgmt.service("cdp") == ServiceState("cdp", False)


def test_remote_access_defaults_and_host_lists() -> None:
    text = "ip lan1 address 10.0.0.1/24\nsshd service on\nsshd host 10.0.0.10-10.0.0.11\nhttpd host any\n"
    mgmt = parse(text).mgmt
    assert [(r.protocol, r.source.line, r.by_default, r.allowed_from) for r in mgmt.remote_access] == [
        ("telnet", 1, True, None),
        ("ssh", 3, False, ((ip_to_int("10.0.0.10"), 31),)),
        ("http", 4, False, ((0, 0),)),
    ]
    assert parse("telnetd service off\n").mgmt.remote_access == []
    assert parse("telnetd host none\n").mgmt.remote_access == []


def test_scheduled_commands_other_than_ntpdate_are_meta() -> None:
    device = parse("schedule at 2 */* 08:00 * ip lan1 secure filter in 1\n")
    assert forwarding(device) == [(1, "a scheduled command may change forwarding")]


def test_unknown_commands_and_comments() -> None:
    device = parse("# RTX1210 Rev.14.01.38\nfoo bar\ndns server 8.8.8.8\n")
    assert [(u.source.line, u.kind) for u in device.unknown_lines] == [
        (1, UnknownKind.HARMLESS),
        (2, UnknownKind.FORWARDING),
        (3, UnknownKind.HARMLESS),
    ]


def test_cp932_config_with_japanese_descriptions(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from nankoku_netcheck.inputs import read_input

    text = '# RTX830 Rev.15.02.24\nip lan1 address 10.2.0.1/24\ndescription lan1 "ＬＧＷＡＮ接続系"\n'
    path = tmp_path / "rtx.cfg"
    path.write_bytes(text.encode("cp932"))
    read = read_input(str(path))
    assert detect_vendor(read.text) == "yamaha_rtx"
    device = parse_config(read.text, str(path))
    assert device.interfaces["lan1"].description == "ＬＧＷＡＮ接続系"


def test_nat_descriptor_masquerade_and_port_forward() -> None:
    text = """\
ip lan1 address 192.168.100.1/24
ip lan2 address 203.0.113.2/29
ip lan2 nat descriptor 1000
nat descriptor type 1000 masquerade
nat descriptor address outer 1000 203.0.113.3
nat descriptor address inner 1000 192.168.100.1-192.168.100.254
nat descriptor masquerade static 1000 1 192.168.100.10 tcp 8080=80
nat descriptor masquerade incoming 1000 reject
"""
    device = parse(text)
    lines = text.splitlines()
    inner = tuple(
        (w.address, 32 - w.wildcard.bit_length())
        for w in range_to_wildcards(ip_to_int("192.168.100.1"), ip_to_int("192.168.100.254"))
    )
    assert device.nat_rules == [
        NatRule(
            source=src(7, lines[6]),
            section=1,
            order=0,
            kind="static",
            real_interface=None,
            mapped_interface="lan2",
            real_source=((ip_to_int("192.168.100.10"), 32),),
            mapped_source=((ip_to_int("203.0.113.3"), 32),),
            protocol=6,
            real_port=PortRange(80, 80),
            mapped_port=PortRange(8080, 8080),
            approximation=ALL_PORTS,
        ),
        NatRule(
            source=src(3, lines[2]),
            section=2,
            order=1,
            kind="dynamic",
            real_interface=None,
            mapped_interface="lan2",
            real_source=inner,
            mapped_source=((ip_to_int("203.0.113.3"), 32),),
        ),
    ]
    assert forwarding(device) == []


def test_masquerade_on_the_interface_address_and_forwards_it_cannot_express() -> None:
    text = """\
ip lan1 address 192.168.100.1/24
pp select 1
 ip pp nat descriptor 1
 pp enable 1
pp select none
nat descriptor type 1 masquerade
nat descriptor address outer 1 ipcp
nat descriptor masquerade static 1 1 192.168.100.10 tcp www
nat descriptor static 2 1 198.51.100.1=192.168.100.20 4
"""
    device = parse(text)
    [rule] = device.nat_rules
    assert (rule.kind, rule.mapped_interface, rule.interface_pat, rule.real_source, rule.mapped_source) == (
        "dynamic",
        "pp1",
        True,
        None,
        None,
    )
    assert forwarding(device) == [
        (8, "port forwarding on an outer address not known from the config"),
        (9, "not understood: a static NAT block of several addresses is not modelled"),
    ]


def test_topology_may_name_pp_and_tunnel_as_the_cli_writes_them() -> None:
    from nankoku_netcheck.vendors import resolve_interface

    device = parse("pp select 1\n pp enable 1\npp select none\ntunnel select 2\ntunnel select none\n")
    assert resolve_interface(device, "pp 1") == "pp1"
    assert resolve_interface(device, "TUNNEL 2") == "tunnel2"
    assert resolve_interface(device, "pp 3") is None
