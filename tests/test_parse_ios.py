"""Unit tests of the Cisco IOS parser: one small inline config per construct."""

from __future__ import annotations

import pytest

from nankoku_netcheck.errors import InputError
from nankoku_netcheck.model import (
    PORT_MAX,
    Action,
    Device,
    IcmpMatch,
    InterfaceAddress,
    Match,
    PortRange,
    RouteKind,
    Source,
    UnknownKind,
    UnknownLine,
    Wildcard,
    ip_to_int,
)
from nankoku_netcheck.parse import SUPPORTED, VENDORS, detect_vendor, parse_config
from nankoku_netcheck.vendors.cisco_ios.parser import canonical_interface_name, parse

PATH = "configs/r1.cfg"
HARMLESS = UnknownKind.HARMLESS
FORWARDING = UnknownKind.FORWARDING


def config(*lines: str) -> str:
    return "\n".join(lines) + "\n"


def parse_lines(*lines: str) -> Device:
    return parse(config(*lines), PATH)


def ip(text: str) -> int:
    return ip_to_int(text)


def host(text: str) -> tuple[Wildcard, ...]:
    return (Wildcard(ip(text), 0),)


def net(address: str, wildcard: str) -> tuple[Wildcard, ...]:
    return (Wildcard(ip(address), ip(wildcard)),)


def unknown_at(device: Device, line: int) -> UnknownLine | None:
    found = [unknown for unknown in device.unknown_lines if unknown.source.line == line]
    assert len(found) <= 1
    return found[0] if found else None


def kind_at(device: Device, line: int) -> UnknownKind | None:
    unknown = unknown_at(device, line)
    return unknown.kind if unknown else None


def only_acl_line(device: Device, name: str = "101"):
    (line,) = device.acls[name].lines
    return line


def only_match(device: Device, name: str = "101") -> Match:
    (match,) = only_acl_line(device, name).matches
    return match


# --- registry and detection -----------------------------------------------------------


def test_registry_lists_cisco_ios():
    assert VENDORS["cisco_ios"].name == "cisco_ios"


def test_detects_ios_but_not_asa():
    assert detect_vendor(config("hostname r1", "interface GigabitEthernet0/0")) == "cisco_ios"
    assert detect_vendor(config("ASA Version 9.8(2)", "hostname fw1", "interface GigabitEthernet0/0")) == "cisco_asa"


def test_unknown_vendor_name_is_an_input_error():
    with pytest.raises(InputError) as raised:
        parse_config("hostname r1\n", PATH, vendor="no_such_vendor")
    assert raised.value.problems[0].file == PATH
    assert "no_such_vendor" in raised.value.problems[0].message


def test_unrecognised_text_is_refused_not_parsed_as_ios():
    with pytest.raises(InputError) as raised:
        parse_config("something odd\n", PATH)
    assert [str(problem) for problem in raised.value.problems] == [
        f"{PATH}: not a recognised network config (supported: {', '.join(sorted(SUPPORTED))})"
    ]


def test_unrecognised_text_is_parsed_as_ios_when_the_topology_says_so():
    device = parse_config("something odd\n", PATH, vendor="cisco_ios")
    assert device.vendor == "cisco_ios"
    assert unknown_at(device, 1).kind is FORWARDING


# --- names, lines, sources ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("short", "full"),
    [
        ("Gi0/1", "GigabitEthernet0/1"),
        ("gi1/0/24", "GigabitEthernet1/0/24"),
        ("Fa0/1", "FastEthernet0/1"),
        ("Te1/1/1", "TenGigabitEthernet1/1/1"),
        ("Twe1/0/1", "TwentyFiveGigE1/0/1"),
        ("Hu1/0/49", "HundredGigE1/0/49"),
        ("Eth1/1", "Ethernet1/1"),
        ("Po10", "Port-channel10"),
        ("port-channel10", "Port-channel10"),
        ("Lo0", "Loopback0"),
        ("Vl100", "Vlan100"),
        ("VLAN100", "Vlan100"),
        ("Tu5", "Tunnel5"),
        ("Se0/0/0", "Serial0/0/0"),
        ("Gi0/0.100", "GigabitEthernet0/0.100"),
        ("GigabitEthernet0/0", "GigabitEthernet0/0"),
        ("mgmt0", "mgmt0"),
        ("Wibble3", "Wibble3"),
    ],
)
def test_canonical_interface_name(short: str, full: str):
    assert canonical_interface_name(short) == full


def test_device_name_is_hostname_or_file_stem():
    assert parse_lines("hostname core-rt1").name == "core-rt1"
    assert parse("interface Loopback0\n", "configs/branch-sw.cfg").name == "branch-sw"


def test_crlf_input_keeps_line_numbers_and_strips_carriage_returns():
    text = "hostname r1\r\n!\r\ninterface Gi0/1\r\n ip address 10.0.0.1 255.255.255.0\r\n"
    device = parse(text, PATH)
    assert device.lines == ("hostname r1", "!", "interface Gi0/1", " ip address 10.0.0.1 255.255.255.0")
    interface = device.interfaces["GigabitEthernet0/1"]
    assert interface.source == Source(PATH, 3, "interface Gi0/1")
    assert interface.addresses == (InterfaceAddress(ip("10.0.0.1"), 24),)


def test_unknown_lines_are_in_line_order_with_exact_sources():
    device = parse_lines("!", "service timestamps", "ip nat inside source list 1 interface Gi0/0 overload")
    assert [u.source.line for u in device.unknown_lines] == [1, 2, 3]
    nat_line = "ip nat inside source list 1 interface Gi0/0 overload"
    assert device.unknown_lines[2].source == Source(PATH, 3, nat_line)


# --- banners and harmless lines ----------------------------------------------------------


def test_banner_with_caret_c_delimiter_is_harmless_and_does_not_shift_lines():
    device = parse_lines(
        "banner motd ^C",
        "ip route 0.0.0.0 0.0.0.0 10.9.9.9",
        "interface Gi0/1",
        "^C",
        "interface Gi0/2",
        " ip address 10.0.2.1 255.255.255.0",
    )
    for line in (1, 2, 3, 4):
        assert unknown_at(device, line) == UnknownLine(
            Source(PATH, line, device.lines[line - 1]), HARMLESS, "banner text"
        )
    assert device.routes == []
    assert list(device.interfaces) == ["GigabitEthernet0/2"]
    assert device.interfaces["GigabitEthernet0/2"].source.line == 5


def test_banner_with_raw_control_c_and_text_after_the_delimiter():
    device = parse_lines(
        "banner login \x03",
        "Authorised use only",
        "\x03 trailing words",
        "hostname r9",
    )
    assert [kind_at(device, line) for line in (1, 2, 3)] == [HARMLESS] * 3
    assert device.hostname == "r9"
    assert unknown_at(device, 4) is None


def test_single_line_banner_and_unterminated_banner():
    device = parse_lines("banner exec #Hello#", "hostname r2", "banner motd %", "ip nat pool P 1.1.1.1 1.1.1.2")
    assert kind_at(device, 1) is HARMLESS
    assert device.hostname == "r2"
    # Without a closing delimiter only the banner line is taken: the rest is still configuration.
    assert kind_at(device, 3) is HARMLESS
    assert kind_at(device, 4) is FORWARDING


@pytest.mark.parametrize(
    "line",
    [
        "Building configuration...",
        "Current configuration : 1234 bytes",
        "version 15.2",
        "service password-encryption",
        "logging host 10.1.1.1",
        "ntp server 10.1.1.2",
        "snmp-server community s3cret RO",
        "aaa new-model",
        "username admin privilege 15 secret 9 $9$abc",
        "enable secret 9 $9$abc",
        "clock timezone JST 9 0",
        "boot system flash:c2900.bin",
        "spanning-tree mode rapid-pvst",
        "vtp mode transparent",
        "cdp run",
        "lldp run",
        "ip domain name example.jp",
        "ip name-server 10.1.1.53",
        "ip ssh version 2",
        "no ip http server",
        "no ip domain lookup",
        "ip cef",
        "ip dhcp snooping",
        "mac address-table static 0011.2233.4455 vlan 10 interface Gi0/1",
        "license udi pid ISR4331/K9 sn FDO1",
        "end",
        "R1#show running-config",
        "no ip routing",
        "ip default-gateway 10.0.0.254",
    ],
)
def test_harmless_top_level_lines(line: str):
    device = parse_lines(line)
    assert unknown_at(device, 1).kind is HARMLESS


def test_harmless_blocks_cover_their_children():
    device = parse_lines(
        "line vty 0 4",
        " transport input ssh",
        " access-class 10 in",
        "crypto pki certificate chain TP-self-signed-1",
        " certificate self-signed 01",
        "  3082022B 30820194",
        "  \tquit",
        "ip dhcp pool LAN",
        " network 10.0.0.0 255.255.255.0",
        " default-router 10.0.0.1",
        "route-map RM permit 10",
        " match ip address 10",
        "control-plane",
        " service-policy input COPP",
    )
    assert all(unknown.kind is HARMLESS for unknown in device.unknown_lines)
    assert [unknown.source.line for unknown in device.unknown_lines] == list(range(1, 15))


def test_comments_are_harmless_and_blank_lines_are_not_recorded():
    device = parse_lines("! a comment", "", "interface Gi0/1", " !", " shutdown")
    assert unknown_at(device, 1).reason == "comment"
    assert unknown_at(device, 2) is None
    assert unknown_at(device, 4).kind is HARMLESS
    assert unknown_at(device, 5) is None


# --- forwarding unknowns -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("lines", "line", "reason_word"),
    [
        (("ip nat inside source list 1 interface Gi0/0 overload",), 1, "NAT"),
        (("interface Gi0/0", " ip nat allow-static-host"), 2, "NAT"),
        (
            ("interface Gi0/0", " ip policy route-map PBR", "route-map PBR", " set ip next-hop recursive 10.9.9.9"),
            2,
            "recursive",
        ),
        (("ip local policy route-map PBR",), 1, "ip local policy"),
        (("vrf definition A", " route-target both 65000:1", "router bgp 65000"), 2, "route-target with BGP"),
        (("ip vrf A", " import map RM"), 2, "route-target"),
        (("vrf definition A", " address-family ipv4", "  import ipv4 unicast map RM"), 3, "route leaking"),
        (("vrf definition A", " mdt default 239.1.1.1"), 2, "multicast VPN"),
        (("vrf definition A", " frobnicate"), 2, "VRF setting 'frobnicate'"),
        (("interface Gi0/0", " ip vrf receive MGMT"), 2, "ip vrf receive"),
        (("interface Gi0/0", " ip vrf select source"), 2, "ip vrf select"),
        (("interface Gi0/0", " ip vrf forwarding MGMT downstream X"), 2, "VRF form"),
        (("interface Tunnel1", " tunnel vrf MGMT"), 2, "tunnel vrf"),
        (("router isis A vrf X",), 1, "routing process form"),
        (("interface Gi0/0", " crypto map VPN"), 2, "crypto map"),
        (("interface Vlan10", " ip helper-address 10.1.1.1 extra"), 2, "helper address"),
        (("interface Gi0/0", " ip address dhcp"), 2, "dhcp"),
        (("interface Dialer1", " ip address negotiated"), 2, "negotiated"),
        (("interface Tunnel1", " ip unnumbered Loopback0"), 2, "unnumbered"),
        (("interface Tunnel1", " tunnel protection ipsec profile P"), 2, "tunnel"),
        (("interface Tunnel1", " tunnel mode ipsec ipv4"), 2, "tunnel"),
        (("frobnicate all the things",), 1, "frobnicate"),
        (("interface Gi0/0", " frobnicate on"), 2, "frobnicate"),
        (("ip multicast-routing vrf BLUE",), 1, "multicast"),
        (("monitor session 1 destination interface Gi0/2",), 1, "SPAN"),
        (("ip route vrf",), 1, "missing VRF name"),
        (("ip route vrf MGMT 0.0.0.0 0.0.0.0 10.0.0.1 vrf X",), 1, "unexpected 'vrf'"),
    ],
)
def test_forwarding_unknowns(lines: tuple[str, ...], line: int, reason_word: str):
    device = parse_lines(*lines)
    unknown = unknown_at(device, line)
    assert unknown is not None
    assert unknown.kind is FORWARDING
    assert reason_word.lower() in unknown.reason.lower()
    assert unknown.source == Source(PATH, line, lines[line - 1])


def test_gre_tunnel_commands_are_understood():
    device = parse_lines(
        "interface Tunnel1",
        " ip address 172.16.0.1 255.255.255.252",
        " tunnel source Gi0/0",
        " tunnel destination 203.0.113.2",
        " tunnel mode gre ip",
    )
    assert device.unknown_lines == []
    tunnel = device.interfaces["Tunnel1"]
    assert tunnel.kind == "tunnel"
    assert dict(tunnel.properties) == {
        "tunnel_source": "GigabitEthernet0/0",
        "tunnel_destination": "203.0.113.2",
        "tunnel_mode": "gre ip",
    }


def test_ipv6_is_forwarding_only_when_the_device_routes_ipv6_between_two_up_interfaces():
    routed = parse_lines(
        "ipv6 unicast-routing",
        "interface Gi0/0",
        " ipv6 address 2001:db8::1/64",
        "interface Gi0/1",
        " ipv6 address 2001:db8:1::1/64",
    )
    assert [kind_at(routed, line) for line in (1, 3, 5)] == [FORWARDING, FORWARDING, FORWARDING]
    one_interface = parse_lines("ipv6 unicast-routing", "interface Gi0/0", " ipv6 address 2001:db8::1/64")
    assert [kind_at(one_interface, line) for line in (1, 3)] == [HARMLESS, HARMLESS]
    second_shut = parse_lines(
        "ipv6 unicast-routing",
        "interface Gi0/0",
        " ipv6 address 2001:db8::1/64",
        "interface Gi0/1",
        " ipv6 address 2001:db8:1::1/64",
        " shutdown",
    )
    assert [kind_at(second_shut, line) for line in (1, 3, 5)] == [HARMLESS, HARMLESS, HARMLESS]
    host_only = parse_lines(
        "interface Gi0/0", " ipv6 address 2001:db8::1/64", "interface Gi0/1", " ipv6 address 2001:db8:1::1/64"
    )
    assert [kind_at(host_only, line) for line in (2, 4)] == [HARMLESS, HARMLESS]
    no_interfaces = parse_lines("ipv6 unicast-routing")
    assert kind_at(no_interfaces, 1) is HARMLESS


def test_route_map_is_harmless_but_nat_using_it_is_not():
    device = parse_lines(
        "route-map NAT permit 10", " match ip address 1", "ip nat inside source route-map NAT interface Gi0/0 overload"
    )
    assert [kind_at(device, line) for line in (1, 2, 3)] == [HARMLESS, HARMLESS, FORWARDING]


# --- interfaces --------------------------------------------------------------------------


def test_routed_interface_facts():
    device = parse_lines(
        "interface GigabitEthernet0/1",
        " description Uplink to LGWAN",
        " no switchport",
        " ip address 10.1.1.1 255.255.255.0",
        " ip address 10.2.2.1 255.255.255.128 secondary",
        " ip access-group FROM-LGWAN in",
        " ip access-group 150 out",
        " shutdown",
        " speed 1000",
        " duplex full",
    )
    interface = device.interfaces["GigabitEthernet0/1"]
    assert interface.description == "Uplink to LGWAN"
    assert interface.kind == "physical"
    assert interface.switchport_mode is None
    assert interface.addresses == (
        InterfaceAddress(ip("10.1.1.1"), 24),
        InterfaceAddress(ip("10.2.2.1"), 25, secondary=True),
    )
    assert interface.shutdown is True
    assert (interface.acl_in, interface.acl_out) == ("FROM-LGWAN", "150")
    assert interface.acl_in_source == Source(PATH, 6, " ip access-group FROM-LGWAN in")
    assert interface.acl_out_source == Source(PATH, 7, " ip access-group 150 out")
    assert [u.source.line for u in device.unknown_lines] == [9, 10]
    assert all(u.kind is HARMLESS for u in device.unknown_lines)


def test_no_ip_address_and_no_shutdown():
    device = parse_lines("interface Gi0/2", " no ip address", " no shutdown")
    interface = device.interfaces["GigabitEthernet0/2"]
    assert interface.addresses == ()
    assert interface.shutdown is False


def test_non_contiguous_netmask_is_forwarding_unknown():
    device = parse_lines("interface Gi0/2", " ip address 10.0.0.1 255.0.255.0")
    assert device.interfaces["GigabitEthernet0/2"].addresses == ()
    assert kind_at(device, 2) is FORWARDING


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("Vlan10", "svi"),
        ("GigabitEthernet0/0.100", "subinterface"),
        ("Port-channel1", "port-channel"),
        ("Loopback0", "loopback"),
        ("Tunnel0", "tunnel"),
        ("Null0", "null"),
        ("Serial0/0/0", "physical"),
    ],
)
def test_interface_kinds(name: str, kind: str):
    assert parse_lines(f"interface {name}").interfaces[name].kind == kind


def test_subinterface_vlan_and_split_interface_name():
    device = parse_lines("interface Gi0/0.20", " encapsulation dot1Q 20", "interface Vlan 30")
    assert device.interfaces["GigabitEthernet0/0.20"].encapsulation_vlan == 20
    assert "Vlan30" in device.interfaces


def test_access_and_trunk_switchports():
    device = parse_lines(
        "interface Gi1/0/1",
        " switchport access vlan 10",
        " switchport mode access",
        " switchport nonegotiate",
        " switchport port-security",
        " spanning-tree portfast",
        "interface Gi1/0/48",
        " switchport trunk encapsulation dot1q",
        " switchport trunk allowed vlan 10,20-22",
        " switchport trunk allowed vlan add 30",
        " switchport trunk allowed vlan remove 21",
        " switchport mode trunk",
        " channel-group 1 mode active",
    )
    access = device.interfaces["GigabitEthernet1/0/1"]
    assert (access.switchport_mode, access.access_vlan, access.trunk_vlans) == ("access", 10, None)
    trunk = device.interfaces["GigabitEthernet1/0/48"]
    assert trunk.switchport_mode == "trunk"
    assert trunk.trunk_vlans == (10, 20, 22, 30)
    assert ("channel_group", "1") in trunk.properties
    assert device.forwarding_unknowns == []


def test_trunk_allowed_vlan_except_and_all():
    device = parse_lines(
        "interface Gi1/0/47",
        " switchport mode trunk",
        " switchport trunk allowed vlan except 2-4094",
        "interface Gi1/0/46",
        " switchport mode trunk",
        " switchport trunk allowed vlan all",
    )
    assert device.interfaces["GigabitEthernet1/0/47"].trunk_vlans == (1,)
    assert device.interfaces["GigabitEthernet1/0/46"].trunk_vlans is None


def test_switchport_without_mode_is_modelled_as_trunk():
    device = parse_lines("interface Gi1/0/2", " switchport access vlan 20")
    interface = device.interfaces["GigabitEthernet1/0/2"]
    assert interface.switchport_mode == "trunk"
    assert interface.access_vlan == 20
    assert dict(interface.properties)["switchport_negotiation"] == "dynamic (mode not configured)"


def test_first_hop_redundancy_virtual_addresses():
    device = parse_lines(
        "interface Vlan10",
        " ip address 10.10.0.2 255.255.255.0",
        " standby 1 ip 10.10.0.1",
        " standby 1 priority 110",
        "interface Vlan20",
        " vrrp 2 ip 10.20.0.1",
        "interface Vlan30",
        " vrrp 3 address-family ipv4",
        "  address 10.30.0.1 primary",
        "  priority 120",
    )
    assert device.interfaces["Vlan10"].virtual_addresses == (ip("10.10.0.1"),)
    assert device.interfaces["Vlan20"].virtual_addresses == (ip("10.20.0.1"),)
    assert device.interfaces["Vlan30"].virtual_addresses == (ip("10.30.0.1"),)
    assert kind_at(device, 4) is HARMLESS
    assert kind_at(device, 10) is HARMLESS
    assert device.forwarding_unknowns == []


def test_undefined_acl_reference_is_kept_and_not_unknown():
    device = parse_lines("interface Gi0/1", " ip access-group NOT-DEFINED in")
    assert device.interfaces["GigabitEthernet0/1"].acl_in == "NOT-DEFINED"
    assert "NOT-DEFINED" not in device.acls
    assert device.unknown_lines == []


# --- standard ACLs -----------------------------------------------------------------------


def test_numbered_standard_acl():
    device = parse_lines(
        "access-list 10 remark management hosts",
        "access-list 10 permit 192.168.1.7",
        "access-list 10 permit 10.1.1.1 0.0.0.255",
        "access-list 10 deny   any log",
        "access-list 1300 permit host 172.16.0.1",
    )
    acl = device.acls["10"]
    assert acl.kind == "standard"
    assert acl.source.line == 1
    assert [line.action for line in acl.lines] == [Action.PERMIT, Action.PERMIT, Action.DENY]
    assert [line.sequence for line in acl.lines] == [10, 20, 30]
    assert acl.lines[0].matches == (Match(src=host("192.168.1.7")),)
    # Host bits under the wildcard are cleared, as IOS does.
    assert acl.lines[1].matches == (Match(src=net("10.1.1.0", "0.0.0.255")),)
    assert acl.lines[2].matches == (Match(),)
    assert acl.lines[2].source == Source(PATH, 4, "access-list 10 deny   any log")
    assert device.acls["1300"].kind == "standard"
    assert device.unknown_lines == []


def test_named_standard_acl():
    device = parse_lines("ip access-list standard MGMT", " permit 10.0.0.0 0.255.255.255", " deny any")
    acl = device.acls["MGMT"]
    assert acl.kind == "standard"
    assert acl.lines[0].matches == (Match(src=net("10.0.0.0", "0.255.255.255")),)
    assert acl.lines[1].action is Action.DENY


# --- extended ACLs -----------------------------------------------------------------------


def ace(text: str, number: str = "101") -> Device:
    return parse_lines(f"access-list {number} {text}")


def test_extended_tcp_with_named_port():
    match = only_match(ace("permit tcp 10.1.0.0 0.0.255.255 host 10.2.0.5 eq www"))
    assert match == Match(
        protocols=(6,),
        src=net("10.1.0.0", "0.0.255.255"),
        dst=host("10.2.0.5"),
        dst_ports=(PortRange(80, 80),),
    )


def test_extended_acl_number_ranges():
    assert ace("permit ip any any", "2000").acls["2000"].kind == "extended"
    assert ace("permit ip any any", "199").acls["199"].kind == "extended"


@pytest.mark.parametrize(
    ("entry", "dst_ports"),
    [
        ("permit tcp any any eq 22", (PortRange(22, 22),)),
        ("permit tcp any any eq 443 80 smtp", (PortRange(25, 25), PortRange(80, 80), PortRange(443, 443))),
        ("permit tcp any any neq telnet", (PortRange(0, 22), PortRange(24, PORT_MAX))),
        ("permit tcp any any lt 1024", (PortRange(0, 1023),)),
        ("permit tcp any any gt 1023", (PortRange(1024, PORT_MAX),)),
        ("permit tcp any any range ftp-data ftp", (PortRange(20, 21),)),
        ("permit udp any any eq domain", (PortRange(53, 53),)),
        ("permit udp any any range bootps bootpc", (PortRange(67, 68),)),
        (
            "permit udp any any eq ntp snmp syslog",
            (PortRange(123, 123), PortRange(161, 161), PortRange(514, 514)),
        ),
        ("permit tcp any any eq cmd", (PortRange(514, 514),)),
        ("permit tcp any any eq ssh", (PortRange(22, 22),)),
    ],
)
def test_destination_port_operators(entry: str, dst_ports: tuple[PortRange, ...]):
    match = only_match(ace(entry))
    assert match.dst_ports == dst_ports
    assert match.src_ports is None


def test_source_port_and_established():
    match = only_match(ace("permit tcp any eq 80 10.0.0.0 0.0.0.255 established"))
    assert match.src_ports == (PortRange(80, 80),)
    assert match.dst == net("10.0.0.0", "0.0.0.255")
    assert match.established is True


def test_udp_and_tcp_port_names_are_separate():
    device = parse_lines("access-list 101 permit udp any any eq www", "access-list 102 permit tcp any any eq snmp")
    for name, line in (("101", 1), ("102", 2)):
        acl_line = only_acl_line(device, name)
        assert acl_line.understood is False
        assert acl_line.matches == (Match(),)
        assert kind_at(device, line) is FORWARDING


def test_established_on_udp_is_not_understood():
    assert only_acl_line(ace("permit udp any any established")).understood is False


@pytest.mark.parametrize(
    ("entry", "icmp"),
    [
        ("permit icmp any any echo", (IcmpMatch(8),)),
        ("permit icmp any any echo-reply", (IcmpMatch(0),)),
        ("permit icmp any any port-unreachable", (IcmpMatch(3, 3),)),
        ("permit icmp any any host-unreachable", (IcmpMatch(3, 1),)),
        ("permit icmp any any unreachable", (IcmpMatch(3),)),
        ("permit icmp any any ttl-exceeded", (IcmpMatch(11, 0),)),
        ("permit icmp any any time-exceeded", (IcmpMatch(11),)),
        ("permit icmp any any packet-too-big", (IcmpMatch(3, 4),)),
        ("permit icmp any any administratively-prohibited", (IcmpMatch(3, 13),)),
        ("permit icmp any any redirect", (IcmpMatch(5),)),
        ("permit icmp any any 3 13", (IcmpMatch(3, 13),)),
        ("permit icmp any any 8 log", (IcmpMatch(8),)),
        ("permit icmp any any", None),
    ],
)
def test_icmp_types(entry: str, icmp: tuple[IcmpMatch, ...] | None):
    match = only_match(ace(entry))
    assert match.protocols == (1,)
    assert match.icmp == icmp


@pytest.mark.parametrize(
    ("protocol", "number"),
    [
        ("gre", 47),
        ("esp", 50),
        ("ahp", 51),
        ("eigrp", 88),
        ("ospf", 89),
        ("pim", 103),
        ("igmp", 2),
        ("ipinip", 4),
        ("112", 112),
    ],
)
def test_protocols_by_name_and_number(protocol: str, number: int):
    assert only_match(ace(f"permit {protocol} any any")).protocols == (number,)


def test_ip_protocol_means_any_and_any_address_is_none():
    assert only_match(ace("permit ip any any")) == Match()


def test_non_contiguous_wildcard_is_kept_and_normalised():
    match = only_match(ace("deny ip 10.1.5.7 0.0.255.0 any"))
    assert match.src == (Wildcard(ip("10.1.0.7"), ip("0.0.255.0")),)


def test_log_keywords_are_ignored():
    line = only_acl_line(ace("deny tcp any any eq telnet log-input"))
    assert line.understood is True
    assert line.approximation == ""
    assert line.matches[0].dst_ports == (PortRange(23, 23),)


@pytest.mark.parametrize(
    "qualifier",
    ["dscp ef", "precedence critical", "tos 4", "ttl eq 1", "time-range WORKHOURS", "option any-options"],
)
def test_narrowing_qualifiers_are_dropped_and_marked(qualifier: str):
    device = parse_lines(
        f"access-list 101 permit tcp any host 10.0.0.1 eq 443 {qualifier}",
        f"access-list 102 deny tcp any host 10.0.0.1 eq 443 {qualifier}",
    )
    for name in ("101", "102"):
        line = only_acl_line(device, name)
        assert line.understood is True
        assert line.approximation != ""
        expected = Match(protocols=(6,), dst=host("10.0.0.1"), dst_ports=(PortRange(443, 443),))
        assert line.matches == (expected,)
    assert device.unknown_lines == []


def test_fragments_keeps_only_the_layer3_part():
    line = only_acl_line(ace("permit tcp any host 10.0.0.1 eq 80 fragments"))
    assert line.matches == (Match(protocols=(6,), dst=host("10.0.0.1")),)
    assert "fragments" in line.approximation


def test_tcp_flags_are_approximated():
    line = only_acl_line(ace("deny tcp any any syn"))
    assert line.matches == (Match(protocols=(6,)),)
    assert "syn" in line.approximation


def test_unknown_token_makes_the_line_not_understood():
    device = ace("permit tcp any any eq 80 bogus-keyword")
    line = only_acl_line(device)
    assert line.understood is False
    assert line.matches == (Match(),)
    assert line.action is Action.PERMIT
    unknown = unknown_at(device, 1)
    assert unknown.kind is FORWARDING
    assert "bogus-keyword" in unknown.reason


def test_named_extended_acl_with_sequence_numbers_and_remarks():
    device = parse_lines(
        "ip access-list extended EDGE-IN",
        " remark allow web",
        " 20 permit tcp any host 10.0.0.80 eq 80",
        " 10 deny ip host 192.0.2.1 any",
        " permit icmp any any echo",
        " 15 deny udp any any",
    )
    acl = device.acls["EDGE-IN"]
    assert acl.kind == "extended"
    assert acl.source == Source(PATH, 1, "ip access-list extended EDGE-IN")
    # IOS orders entries by sequence number; an entry without one goes after the highest (20 + 10).
    assert [line.sequence for line in acl.lines] == [10, 15, 20, 30]
    assert [line.source.line for line in acl.lines] == [4, 6, 3, 5]
    assert device.unknown_lines == []


def test_duplicate_sequence_number_is_forwarding_unknown():
    device = parse_lines("ip access-list extended A", " 10 permit ip any any", " 10 deny ip any any")
    assert [line.action for line in device.acls["A"].lines] == [Action.PERMIT]
    assert kind_at(device, 3) is FORWARDING


def test_reflexive_evaluate_is_a_permit_everything_line():
    device = parse_lines("ip access-list extended IN", " evaluate MIRROR", " deny ip any any")
    first = device.acls["IN"].lines[0]
    assert (first.action, first.understood, first.matches) == (Action.PERMIT, False, (Match(),))
    assert kind_at(device, 2) is FORWARDING


def test_non_ip_numbered_acl_is_harmless():
    device = parse_lines("access-list 700 permit 0011.2233.4455 0000.0000.0000")
    assert device.acls == {}
    assert kind_at(device, 1) is HARMLESS


# --- object-groups -----------------------------------------------------------------------


OBJECT_GROUPS = (
    "object-group network SERVERS",
    " description web servers",
    " host 10.0.0.10",
    " 10.0.1.0 255.255.255.0",
    "object-group network CLIENTS",
    " range 192.168.0.5 192.168.0.12",
    " group-object SERVERS",
    "object-group service WEB",
    " tcp eq 80",
    " tcp eq 443",
    "object-group service MIXED",
    " udp range 1 5",
    " tcp-udp eq 53",
    " icmp echo",
    " esp",
    " tcp source eq 1024 eq 22",
    " group-object WEB",
)


def test_network_object_groups_with_range_and_nesting():
    device = parse_lines(*OBJECT_GROUPS, "access-list 101 permit ip object-group CLIENTS object-group SERVERS")
    match = only_match(device)
    assert match.dst == (Wildcard(ip("10.0.0.10"), 0), Wildcard(ip("10.0.1.0"), 255))
    # 192.168.0.5-12 is exactly .5/32, .6/31, .8/30, .12/32.
    assert match.src == (
        Wildcard(ip("192.168.0.5"), 0),
        Wildcard(ip("192.168.0.6"), 1),
        Wildcard(ip("192.168.0.8"), 3),
        Wildcard(ip("192.168.0.12"), 0),
        Wildcard(ip("10.0.0.10"), 0),
        Wildcard(ip("10.0.1.0"), 255),
    )
    assert device.unknown_lines == []


def test_network_group_with_any_matches_everything():
    device = parse_lines("object-group network ALL", " any", "access-list 101 deny ip object-group ALL any")
    assert only_match(device) == Match()


def test_service_object_group_in_protocol_position_expands_to_several_matches():
    device = parse_lines(*OBJECT_GROUPS, "access-list 101 permit object-group MIXED host 10.9.9.9 any")
    src = host("10.9.9.9")
    assert set(only_acl_line(device).matches) == {
        Match(protocols=(17,), src=src, dst_ports=(PortRange(1, 5),)),
        Match(protocols=(6, 17), src=src, dst_ports=(PortRange(53, 53),)),
        Match(protocols=(1,), src=src, icmp=(IcmpMatch(8),)),
        Match(protocols=(50,), src=src),
        Match(protocols=(6,), src=src, src_ports=(PortRange(1024, 1024),), dst_ports=(PortRange(22, 22),)),
        Match(protocols=(6,), src=src, dst_ports=(PortRange(80, 80),)),
        Match(protocols=(6,), src=src, dst_ports=(PortRange(443, 443),)),
    }
    assert len(only_acl_line(device).matches) == 7


def test_service_and_network_groups_combine():
    device = parse_lines(
        *OBJECT_GROUPS,
        "ip access-list extended X",
        " permit object-group WEB object-group CLIENTS object-group SERVERS",
    )
    line = only_acl_line(device, "X")
    assert len(line.matches) == 2
    assert {match.dst_ports for match in line.matches} == {(PortRange(80, 80),), (PortRange(443, 443),)}
    assert all(len(match.src) == 6 and len(match.dst) == 2 for match in line.matches)


def test_undefined_object_group_makes_the_line_not_understood():
    device = parse_lines("access-list 101 permit ip object-group NOPE any", "access-list 101 deny ip any any")
    first = device.acls["101"].lines[0]
    assert (first.understood, first.matches) == (False, (Match(),))
    unknown = unknown_at(device, 1)
    assert unknown.kind is FORWARDING
    assert "NOPE" in unknown.reason
    assert device.acls["101"].lines[1].understood is True


def test_object_group_with_bad_entry_poisons_its_users():
    device = parse_lines(
        "object-group network BAD", " host 10.0.0.300", "access-list 101 permit ip object-group BAD any"
    )
    assert kind_at(device, 2) is FORWARDING
    assert only_acl_line(device).understood is False


# --- static routes -----------------------------------------------------------------------


def test_static_routes():
    device = parse_lines(
        "ip route 0.0.0.0 0.0.0.0 203.0.113.1",
        "ip route 10.20.0.0 255.255.0.0 Gi0/1",
        "ip route 10.30.0.0 255.255.255.0 GigabitEthernet0/2 10.0.2.2 250 name BACKUP tag 7 permanent",
        "ip route 192.168.0.0 255.255.0.0 Null0",
    )
    default, via_interface, floating, discard = device.routes
    assert (default.prefix, default.prefix_length, default.next_hop, default.interface) == (
        0,
        0,
        ip("203.0.113.1"),
        None,
    )
    assert default.kind is RouteKind.STATIC
    assert default.source == Source(PATH, 1, "ip route 0.0.0.0 0.0.0.0 203.0.113.1")
    assert (via_interface.prefix, via_interface.prefix_length) == (ip("10.20.0.0"), 16)
    assert (via_interface.interface, via_interface.next_hop) == ("GigabitEthernet0/1", None)
    assert (floating.interface, floating.next_hop) == ("GigabitEthernet0/2", ip("10.0.2.2"))
    assert floating.distance == 250
    assert discard.discard is True
    assert device.unknown_lines == []


def test_tracked_route_is_kept_but_reported():
    device = parse_lines("ip route 0.0.0.0 0.0.0.0 198.51.100.1 track 10")
    assert len(device.routes) == 1
    unknown = unknown_at(device, 1)
    assert unknown.kind is FORWARDING
    assert "track" in unknown.reason


def test_route_with_host_bits_outside_mask_is_not_understood():
    device = parse_lines("ip route 10.0.0.1 255.255.255.0 10.1.1.1")
    assert device.routes == []
    assert kind_at(device, 1) is FORWARDING


# --- dynamic routing ---------------------------------------------------------------------


ROUTED_INTERFACES = (
    "interface Gi0/0",
    " ip address 10.0.0.1 255.255.255.0",
    "interface Gi0/1",
    " ip address 172.16.5.1 255.255.255.0",
    "interface Gi0/2",
    " ip address 192.168.7.1 255.255.255.0",
    " ip ospf 5 area 0",
    "interface Gi0/3",
)


def routing(device: Device, protocol: str):
    (process,) = [entry for entry in device.dynamic_routing if entry.protocol == protocol]
    return process


def test_ospf_network_statements_and_interface_areas():
    device = parse_lines(
        *ROUTED_INTERFACES,
        "router ospf 5",
        " network 10.0.0.0 0.0.0.255 area 0",
        " passive-interface default",
        " redistribute static subnets",
    )
    process = routing(device, "ospf")
    assert process.process == "5"
    assert process.interfaces == ("GigabitEthernet0/0", "GigabitEthernet0/2")
    assert process.source.line == 9
    assert device.unknown_lines == []


def test_eigrp_and_rip_classful_networks():
    eigrp = routing(parse_lines(*ROUTED_INTERFACES, "router eigrp 10", " network 172.16.0.0"), "eigrp")
    assert eigrp.interfaces == ("GigabitEthernet0/1",)
    rip = routing(parse_lines(*ROUTED_INTERFACES, "router rip", " version 2", " network 10.0.0.0"), "rip")
    assert rip.interfaces == ("GigabitEthernet0/0",)


def test_eigrp_wildcard_network():
    device = parse_lines(*ROUTED_INTERFACES, "router eigrp 10", " network 192.168.7.0 0.0.0.255")
    assert routing(device, "eigrp").interfaces == ("GigabitEthernet0/2",)


def test_bgp_runs_on_the_neighbour_subnet():
    device = parse_lines(
        *ROUTED_INTERFACES,
        "router bgp 65001",
        " neighbor 172.16.5.2 remote-as 65002",
        " address-family ipv4",
        "  neighbor 172.16.5.2 activate",
    )
    assert routing(device, "bgp").interfaces == ("GigabitEthernet0/1",)


@pytest.mark.parametrize("neighbor", ["neighbor 10.99.0.1 remote-as 65002", "neighbor 10.0.0.2 remote-as 65001"])
def test_bgp_with_remote_or_internal_neighbour_runs_everywhere(neighbor: str):
    device = parse_lines(*ROUTED_INTERFACES, "router bgp 65001", f" {neighbor}")
    addressed = ("GigabitEthernet0/0", "GigabitEthernet0/1", "GigabitEthernet0/2")
    assert routing(device, "bgp").interfaces == addressed


def test_unsupported_routing_protocol_is_forwarding_unknown():
    device = parse_lines("router lisp", " locator-set X")
    assert kind_at(device, 1) is FORWARDING
    assert kind_at(device, 2) is FORWARDING
    assert device.dynamic_routing == []


# --- accounting ----------------------------------------------------------------------------


def test_every_non_blank_line_is_accounted_for():
    lines = (
        "Building configuration...",
        "",
        "hostname edge",
        "!",
        "banner motd ^C",
        "  Authorised access only",
        "^C",
        "interface Gi0/0",
        " ip address 10.0.0.1 255.255.255.0",
        " ip nat inside",
        " load-interval 30",
        "access-list 1 permit 10.0.0.0 0.0.0.255",
        "ip route 0.0.0.0 0.0.0.0 10.0.0.254",
        "snmp-server community x RO 1",
        "weird-command 1",
        "end",
    )
    device = parse_lines(*lines)
    parsed_lines = {3, 8, 9, 10, 12, 13}
    unknown_lines = {unknown.source.line for unknown in device.unknown_lines}
    non_blank = {number for number, text in enumerate(lines, start=1) if text.strip()}
    assert unknown_lines == non_blank - parsed_lines
    assert {u.source.line for u in device.forwarding_unknowns} == {15}


def test_empty_service_group_matches_nothing():
    device = parse_lines("object-group service EMPTY", "access-list 101 permit object-group EMPTY any any")
    assert only_acl_line(device).matches == ()
    assert only_acl_line(device).understood is True


def test_smartport_macro_body_is_harmless():
    device = parse_lines("macro name ACCESS", "switchport mode access", "@", "hostname sw1")
    assert [kind_at(device, line) for line in (1, 2, 3)] == [HARMLESS] * 3
    assert device.hostname == "sw1"


def test_abbreviated_interface_keyword_and_slash_address():
    device = parse_lines("int Gi0/3", " ip address 10.3.3.1/30")
    assert device.interfaces["GigabitEthernet0/3"].addresses == (InterfaceAddress(ip("10.3.3.1"), 30),)


def test_indented_line_under_a_one_line_command_is_not_understood():
    device = parse_lines("interface Gi0/1", " ip address 10.0.0.1 255.255.255.0", "  weird continuation")
    assert kind_at(device, 3) is FORWARDING


def test_static_route_interface_name_with_a_space_is_one_interface():
    device = parse_lines(
        "interface Tunnel1", " ip address 10.9.9.1 255.255.255.252", "ip route 10.8.0.0 255.255.0.0 tunnel 1"
    )
    [route] = device.routes
    assert route.interface == "Tunnel1"
    assert route.distance == 1


def test_icmp_types_in_a_service_object_group() -> None:
    """IOS `object-group service`: `icmp NAME` and `icmp TYPE [CODE]` entries restrict ICMP
    to those types; a bare `icmp` is every ICMP packet."""
    device = parse_lines(
        "object-group service PINGS",
        " icmp echo",
        " icmp echo-reply",
        " icmp 3 4",
        "object-group service ANY-ICMP",
        " icmp",
        "ip access-list extended A",
        " permit object-group PINGS any host 10.0.0.1",
        " deny object-group ANY-ICMP any any",
    )
    assert [u for u in device.unknown_lines if u.kind is not UnknownKind.HARMLESS] == []
    permit, deny = device.acls["A"].lines
    destination = (Wildcard.host(ip_to_int("10.0.0.1")),)
    assert permit.understood and deny.understood
    assert permit.matches == tuple(
        Match(protocols=(1,), dst=destination, icmp=(icmp,)) for icmp in (IcmpMatch(8), IcmpMatch(0), IcmpMatch(3, 4))
    )
    assert deny.matches == (Match(protocols=(1,)),)


def _svi_switch(*ports: str) -> Device:
    return parse_lines(
        "hostname sw1",
        *(f"interface Vlan{vlan}\n ip address 10.0.{vlan}.1 255.255.255.0" for vlan in (10, 20, 30, 40, 50, 60)),
        "interface Vlan60",
        " no autostate",
        *ports,
    )


def test_svi_autostate_is_down_without_a_port_carrying_its_vlan() -> None:
    """Autostate: an SVI is up only while a layer-2 port carrying its VLAN is up (access
    port in the VLAN, voice VLAN, trunk allowing it); `no autostate` keeps it up. A
    running-config lists every port, so a VLAN no listed port can carry has its SVI down.
    Unsure cases keep the SVI up: a physical port without switchport or address lines may
    be a switchport by the platform's default (dynamic, any VLAN)."""
    device = _svi_switch(
        "interface GigabitEthernet1/0/1",
        " switchport mode access",
        " switchport access vlan 10",
        " switchport voice vlan 40",
        "interface GigabitEthernet1/0/2",
        " switchport mode trunk",
        " switchport trunk allowed vlan 20,30",
        "interface GigabitEthernet1/0/3",
        " switchport mode access",
        " switchport access vlan 30",
        " switchport autostate exclude",
        "interface GigabitEthernet1/0/4",
        " switchport access vlan 50",
        " shutdown",
        "interface GigabitEthernet1/0/5",
        " no switchport",
        " ip address 192.0.2.1 255.255.255.252",
    )
    down = {name for name, interface in device.interfaces.items() if interface.shutdown}
    assert down == {"Vlan50", "GigabitEthernet1/0/4"}
    assert ("link", "down: autostate: no port in the config carries VLAN 50") in device.interfaces["Vlan50"].properties
    assert [u for u in device.unknown_lines if u.kind is not UnknownKind.HARMLESS] == []
    # Only the trunk carries VLAN 30 (Gi1/0/3 is excluded from autostate): shut it, and Vlan30 goes down.
    trunk_shut = _svi_switch(
        "interface GigabitEthernet1/0/2",
        " switchport mode trunk",
        " switchport trunk allowed vlan 30",
        " shutdown",
        "interface GigabitEthernet1/0/3",
        " switchport access vlan 30",
        " switchport autostate exclude",
    )
    assert {name for name, i in trunk_shut.interfaces.items() if i.shutdown and name.startswith("Vlan")} == {
        "Vlan10",
        "Vlan20",
        "Vlan30",
        "Vlan40",
        "Vlan50",
    }


def test_svi_stays_up_when_the_config_is_unsure() -> None:
    # A bare port may be a dynamic switchport (any VLAN): every SVI stays up.
    bare = _svi_switch(
        "interface GigabitEthernet1/0/1",
        "interface GigabitEthernet1/0/2",
        " switchport access vlan 10",
        " switchport mode access",
    )
    assert [name for name, i in bare.interfaces.items() if i.shutdown] == []
    # No physical port in the config at all (an excerpt): nothing is known, SVIs stay up.
    excerpt = _svi_switch()
    assert [name for name, i in excerpt.interfaces.items() if i.shutdown] == []
    # A dynamic (DTP) port can become a trunk carrying any allowed VLAN.
    dynamic = _svi_switch(
        "interface GigabitEthernet1/0/1", " switchport mode dynamic desirable", " switchport trunk allowed vlan 10-50"
    )
    assert [name for name, i in dynamic.interfaces.items() if i.shutdown] == []


def test_a_global_command_indented_under_a_one_line_command_is_never_harmless() -> None:
    # IOS reads an indented line in the current mode: after `ntp server` and a one-line banner
    # this `ip route` is a global command, which the parser must not inherit as harmless.
    text = (
        "hostname r1\n"
        "ntp server 10.0.0.1\n"
        "banner motd ^C Authorized only ^C\n"
        " ip route 10.9.0.0 255.255.0.0 192.168.0.2\n"
        " ip access-list extended X\n"
        "logging host 10.0.0.2\n"
        " interface GigabitEthernet0/1\n"
        "interface GigabitEthernet0/0\n"
        " ip address 192.168.0.1 255.255.255.0\n"
        "line vty 0 4\n"
        " transport input ssh\n"
    )
    device = parse(text, "r1.cfg")
    kinds = {unknown.source.line: (unknown.kind, unknown.reason) for unknown in device.unknown_lines}
    assert kinds[4] == (
        UnknownKind.FORWARDING,
        "global command 'ip route' indented under a line that opens no block for it",
    )
    assert kinds[5] == (
        UnknownKind.FORWARDING,
        "global command 'ip access-list' indented under a line that opens no block for it",
    )
    assert kinds[7] == (
        UnknownKind.FORWARDING,
        "global command 'interface GigabitEthernet0/1' indented under a line that opens no block for it",
    )
    assert kinds[2][0] is UnknownKind.HARMLESS and kinds[6][0] is UnknownKind.HARMLESS
    assert 11 not in kinds or kinds[11][0] is UnknownKind.HARMLESS  # a real sub-mode line stays as it was
    assert not [route for route in device.routes if route.kind.value == "static"]
