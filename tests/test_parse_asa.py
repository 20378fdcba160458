"""Unit tests of the Cisco ASA parser: one small inline config per construct."""

from __future__ import annotations

import pytest

from nankoku_netcheck.model import (
    PORT_MAX,
    Action,
    Device,
    DynamicRouting,
    IcmpMatch,
    Interface,
    InterfaceAddress,
    Match,
    PolicyRule,
    PortRange,
    RouteKind,
    Source,
    ToTheBox,
    UnknownKind,
    UnknownLine,
    Wildcard,
    ip_to_int,
)
from nankoku_netcheck.parse import DETECTION_ORDER, VENDORS, detect_vendor, parse_config
from nankoku_netcheck.vendors import classify, resolve_interface
from nankoku_netcheck.vendors.cisco_asa.keywords import FQDN_REASON, STATIC_ARP_REASON
from nankoku_netcheck.vendors.cisco_asa.parser import parse

PATH = "configs/fw1.cfg"
HARMLESS = UnknownKind.HARMLESS
FORWARDING = UnknownKind.FORWARDING

INTERFACES = (
    "interface GigabitEthernet0/0",
    " nameif outside",
    " security-level 0",
    " ip address 203.0.113.2 255.255.255.0",
    "interface GigabitEthernet0/1",
    " nameif inside",
    " security-level 100",
    " ip address 10.1.1.1 255.255.255.0",
)  # lines 1-8


def config(*lines: str) -> str:
    return "\n".join(lines) + "\n"


def parse_lines(*lines: str) -> Device:
    return parse(config(*lines), PATH)


def with_interfaces(*lines: str) -> Device:
    """The two interfaces above (lines 1-8) followed by `lines` (from line 9)."""
    return parse_lines(*INTERFACES, *lines)


def ip(text: str) -> int:
    return ip_to_int(text)


def nameif(interface: Interface) -> str | None:
    """The interface's nameif, as the topology reads it; None for one that passes no traffic."""
    named = dict(interface.properties).get("nameif")
    assert (named is not None) == interface.passes_traffic
    return named


def level(device: Device, name: str) -> int | None:
    """The security level of an interface without ACL, as its rule in the policy says."""
    rules = [
        rule
        for rule in device.policy or ()
        if rule.from_interfaces == (name,) and rule.name.startswith("security-level ")
    ]
    return int(rules[0].name.split()[1]) if rules else None


def bindings(device: Device) -> list[tuple[str | None, tuple[str, ...] | None, int]]:
    """(ACL, from interfaces, line) of the policy rules that name an ACL."""
    return [(rule.acl, rule.from_interfaces, rule.source.line) for rule in device.policy or () if rule.acl]


def host(text: str) -> Wildcard:
    return Wildcard(ip(text), 0)


def prefix(text: str) -> Wildcard:
    address, length = text.split("/")
    return Wildcard.prefix(ip(address), int(length))


def unknown_at(device: Device, line: int) -> UnknownLine | None:
    found = [unknown for unknown in device.unknown_lines if unknown.source.line == line]
    assert len(found) <= 1
    return found[0] if found else None


def kind_at(device: Device, line: int) -> UnknownKind | None:
    unknown = unknown_at(device, line)
    return unknown.kind if unknown else None


def only_line(device: Device, name: str = "ACL"):
    (line,) = device.acls[name].lines
    return line


def only_match(device: Device, name: str = "ACL") -> Match:
    (match,) = only_line(device, name).matches
    return match


# --- registry and detection -----------------------------------------------------------


def test_registry_tries_asa_before_ios():
    assert VENDORS["cisco_asa"].name == "cisco_asa"
    assert DETECTION_ORDER.index("cisco_asa") < DETECTION_ORDER.index("cisco_ios")


@pytest.mark.parametrize("header", ["ASA Version 9.8(4)", "PIX Version 6.3(5)", "FWSM Version 4.1(4) <context>"])
def test_version_header_selects_asa_and_ios_refuses_it(header: str):
    text = config(": Saved", header, "hostname fw1", "interface GigabitEthernet0/0")
    assert detect_vendor(text) == "cisco_asa"
    assert classify(text).vendor != "cisco_ios"


def test_asa_without_header_is_detected_by_nameif_and_security_level():
    text = config("hostname fw1", *INTERFACES)
    assert detect_vendor(text) == "cisco_asa"


def test_asa_binding_alone_is_detected():
    assert detect_vendor(config("hostname fw1", "access-group A in interface inside")) == "cisco_asa"


def test_ios_text_is_not_taken_for_asa():
    text = config("hostname r1", "interface GigabitEthernet0/0", " ip address 10.0.0.1 255.255.255.0")
    assert detect_vendor(text) == "cisco_ios"


def test_vendor_can_be_forced():
    assert parse_config("hostname fw9\n", PATH, vendor="cisco_asa").vendor == "cisco_asa"


# --- device, lines, sources -------------------------------------------------------------


def test_device_carries_firewall_semantics():
    device = parse_lines("ASA Version 9.8(4)", "hostname edge-fw")
    assert device.vendor == "cisco_asa"
    assert device.name == device.hostname == "edge-fw"
    assert device.stateful is True
    assert device.undefined_acl_permits is False
    assert device.to_the_box is ToTheBox.ARRIVAL_ONLY
    assert device.policy == ()
    assert parse("names\n", "configs/branch-fw.cfg").name == "branch-fw"


def test_crlf_input_keeps_line_numbers_and_strips_carriage_returns():
    text = "hostname fw1\r\n!\r\ninterface GigabitEthernet0/1\r\n nameif inside\r\n ip address 10.0.0.1 255.0.0.0\r\n"
    device = parse(text, PATH)
    assert device.lines == (
        "hostname fw1",
        "!",
        "interface GigabitEthernet0/1",
        " nameif inside",
        " ip address 10.0.0.1 255.0.0.0",
    )
    interface = device.interfaces["GigabitEthernet0/1"]
    assert interface.source == Source(PATH, 3, "interface GigabitEthernet0/1")
    assert interface.addresses == (InterfaceAddress(ip("10.0.0.1"), 8),)
    assert unknown_at(device, 2) == UnknownLine(Source(PATH, 2, "!"), HARMLESS, "comment")


def test_unknown_lines_are_in_line_order_although_definitions_are_read_first():
    device = parse_lines(
        "access-list ACL extended permit ip any object LATER",  # 1: uses an object defined below
        "frobnicate now",  # 2
        "object network LATER",  # 3
        " host 10.9.9.9",  # 4
        "crypto map VPN interface outside",  # 5
    )
    assert [(u.source.line, u.kind) for u in device.unknown_lines] == [(2, FORWARDING), (5, FORWARDING)]
    assert device.unknown_lines[0].source == Source(PATH, 2, "frobnicate now")
    assert only_match(device).dst == (host("10.9.9.9"),)
    assert only_line(device).source == Source(PATH, 1, "access-list ACL extended permit ip any object LATER")


# --- interfaces -------------------------------------------------------------------------


def test_interface_firewall_facts():
    device = parse_lines(
        "interface GigabitEthernet0/1",
        " description Office LAN",
        " nameif inside",
        " security-level 90",
        " ip address 10.1.1.1 255.255.255.0 standby 10.1.1.2",
        "interface Management0/0",
        " nameif management",
        " security-level 100",
        " ip address 192.168.0.1 255.255.255.0",
        " management-only",
        "interface GigabitEthernet0/2",
        " shutdown",
        " no nameif",
        " no security-level",
        " no ip address",
    )
    inside = device.interfaces["GigabitEthernet0/1"]
    assert (nameif(inside), level(device, "GigabitEthernet0/1"), inside.description) == ("inside", 90, "Office LAN")
    assert inside.addresses == (InterfaceAddress(ip("10.1.1.1"), 24),)
    assert inside.standby_addresses == (ip("10.1.1.2"),)
    assert ("nameif", "inside") in inside.properties
    assert not inside.management_only and not inside.shutdown
    management = device.interfaces["Management0/0"]
    assert management.management_only and nameif(management) == "management"
    unnamed = device.interfaces["GigabitEthernet0/2"]
    assert (nameif(unnamed), level(device, "GigabitEthernet0/2"), unnamed.addresses, unnamed.shutdown) == (
        None,
        None,
        (),
        True,
    )
    assert device.unknown_lines == []


def test_interface_without_nameif_is_not_marked_shut():
    device = parse_lines("interface GigabitEthernet0/3", " ip address 10.3.3.1 255.255.255.0")
    interface = device.interfaces["GigabitEthernet0/3"]
    assert nameif(interface) is None and not interface.passes_traffic
    assert interface.shutdown is False


def test_default_security_level_follows_the_name_inside():
    device = parse_lines(
        "interface GigabitEthernet0/1",
        " nameif inside",
        "interface GigabitEthernet0/2",
        " nameif dmz",
    )
    assert level(device, "GigabitEthernet0/1") == 100
    assert level(device, "GigabitEthernet0/2") == 0
    # With no `security-level` line, the rule cites the `nameif` line that set the default.
    assert [rule.source.line for rule in device.policy or () if rule.name.startswith("security-level ")] == [2, 4]


def test_vlan_subinterface():
    device = parse_lines(
        "interface GigabitEthernet0/1.10",
        " vlan 10",
        " nameif staff",
        " security-level 80",
        " ip address 10.10.0.1 255.255.0.0",
    )
    interface = device.interfaces["GigabitEthernet0/1.10"]
    assert (interface.kind, interface.encapsulation_vlan, nameif(interface)) == ("subinterface", 10, "staff")


def test_topology_resolves_an_interface_by_its_nameif():
    device = with_interfaces()
    assert resolve_interface(device, "inside") == "GigabitEthernet0/1"
    assert resolve_interface(device, "OUTSIDE") == "GigabitEthernet0/0"
    assert resolve_interface(device, "Gi0/1") == "GigabitEthernet0/1"


def test_address_learnt_by_dhcp_is_a_forwarding_unknown():
    device = parse_lines("interface GigabitEthernet0/0", " nameif outside", " ip address dhcp setroute")
    assert device.interfaces["GigabitEthernet0/0"].addresses == ()
    assert kind_at(device, 3) is FORWARDING


def test_duplicate_nameif_is_rejected_like_the_asa_does():
    device = parse_lines(
        "interface GigabitEthernet0/1",
        " nameif inside",
        "interface GigabitEthernet0/2",
        " nameif inside",
    )
    assert nameif(device.interfaces["GigabitEthernet0/1"]) == "inside"
    assert nameif(device.interfaces["GigabitEthernet0/2"]) is None
    assert kind_at(device, 4) is FORWARDING


def test_switch_ports_of_a_5505_style_model():
    device = parse_lines(
        "interface Ethernet0/0",
        " switchport access vlan 2",
        "interface Ethernet0/1",
        "interface Ethernet0/2",
        " switchport mode trunk",
        " switchport trunk allowed vlan 1-3",
        "interface Vlan1",
        " nameif inside",
        " ip address 192.168.1.1 255.255.255.0",
        "interface Vlan2",
        " nameif outside",
        " ip address 198.51.100.2 255.255.255.0",
    )
    assert (device.interfaces["Ethernet0/0"].switchport_mode, device.interfaces["Ethernet0/0"].access_vlan) == (
        "access",
        2,
    )
    # An unconfigured switch port belongs to VLAN 1 on these models.
    assert (device.interfaces["Ethernet0/1"].switchport_mode, device.interfaces["Ethernet0/1"].access_vlan) == (
        "access",
        1,
    )
    assert device.interfaces["Ethernet0/2"].switchport_mode == "trunk"
    assert device.interfaces["Ethernet0/2"].trunk_vlans == (1, 2, 3)
    assert device.interfaces["Vlan1"].kind == "svi"


def test_routed_ethernet_ports_are_left_alone_without_vlan_interfaces():
    device = parse_lines("interface Ethernet0/1")
    assert device.interfaces["Ethernet0/1"].switchport_mode is None


def test_pix6_interface_syntax():
    device = parse_lines(
        "PIX Version 6.3(5)",
        "interface ethernet0 auto",
        "interface ethernet1 100full shutdown",
        "nameif ethernet0 outside security0",
        "nameif ethernet1 inside security100",
        "ip address outside 198.51.100.2 255.255.255.0",
        "ip address inside 10.0.0.1 255.255.255.0",
        "failover ip address inside 10.0.0.2",
    )
    outside, inside = device.interfaces["Ethernet0"], device.interfaces["Ethernet1"]
    assert (nameif(outside), level(device, "Ethernet0"), outside.shutdown) == ("outside", 0, False)
    assert outside.addresses == (InterfaceAddress(ip("198.51.100.2"), 24),)
    assert (nameif(inside), level(device, "Ethernet1"), inside.shutdown) == ("inside", 100, True)
    assert inside.standby_addresses == (ip("10.0.0.2"),)
    assert [u.source.line for u in device.unknown_lines] == [1]


def test_ipv6_is_forwarding_only_between_two_named_interfaces():
    one = parse_lines("interface GigabitEthernet0/1", " nameif inside", " ipv6 address 2001:db8::1/64")
    assert kind_at(one, 3) is HARMLESS
    two = parse_lines(
        "interface GigabitEthernet0/1",
        " nameif inside",
        " ipv6 address 2001:db8::1/64",
        "interface GigabitEthernet0/2",
        " nameif dmz",
        " ipv6 enable",
    )
    assert kind_at(two, 3) is FORWARDING
    assert kind_at(two, 6) is FORWARDING


def test_unknown_interface_command_is_forwarding_and_policy_route_too():
    device = parse_lines(
        "interface GigabitEthernet0/1", " nameif inside", " policy-route route-map PBR", " frobnicate", " speed 100"
    )
    assert [kind_at(device, line) for line in (3, 4, 5)] == [FORWARDING, FORWARDING, HARMLESS]


# --- names and network objects ---------------------------------------------------------------


def test_names_resolve_in_acl_entries_and_routes():
    device = with_interfaces(
        "names",
        "name 10.1.1.10 web-server description Intranet web",
        "name 203.0.113.1 isp-gw",
        "access-list ACL extended permit tcp any host web-server eq www",
        "access-list ACL extended permit ip web-server 255.255.255.255 any",
        "route outside 0.0.0.0 0.0.0.0 isp-gw 1",
    )
    first, second = device.acls["ACL"].lines
    assert first.matches == (Match(protocols=(6,), src=None, dst=(host("10.1.1.10"),), dst_ports=(PortRange(80, 80),)),)
    assert second.matches == (Match(protocols=None, src=(host("10.1.1.10"),), dst=None),)
    assert device.routes[0].next_hop == ip("203.0.113.1")
    assert device.unknown_lines == []


def test_network_objects_host_subnet_and_range():
    device = parse_lines(
        "object network H",
        " host 10.0.0.9",
        "object network S",
        " subnet 10.2.0.0 255.255.0.0",
        " description branch",
        "object network R",
        " range 10.0.0.1 10.0.0.6",
        "access-list ACL extended permit ip object H object-group G",
        "object-group network G",
        " network-object object S",
        " network-object object R",
    )
    match = only_match(device)
    assert match.src == (host("10.0.0.9"),)
    # 10.0.0.1-10.0.0.6 is exactly .1/32, .2/31, .4/31, .6/32.
    assert match.dst == (
        prefix("10.2.0.0/16"),
        prefix("10.0.0.1/32"),
        prefix("10.0.0.2/31"),
        prefix("10.0.0.4/31"),
        prefix("10.0.0.6/32"),
    )


def test_nested_groups_expand_and_any_member_means_any():
    device = parse_lines(
        "object-group network INNER",
        " network-object 10.1.0.0 255.255.0.0",
        "object-group network OUTER",
        " network-object host 10.9.9.9",
        " group-object INNER",
        "object-group network WIDE",
        " group-object OUTER",
        " network-object 0.0.0.0 0.0.0.0",
        "access-list ACL extended permit ip object-group OUTER object-group WIDE",
    )
    match = only_match(device)
    assert match.src == (host("10.9.9.9"), prefix("10.1.0.0/16"))
    assert match.dst is None


def test_group_cycle_is_reported_and_the_entry_is_not_understood():
    device = parse_lines(
        "object-group network A",
        " group-object B",
        "object-group network B",
        " group-object A",
        "access-list ACL extended deny ip object-group A any",
    )
    line = only_line(device)
    assert line.understood is False and line.matches == (Match(),)
    unknown = unknown_at(device, 5)
    assert unknown.kind is FORWARDING and "contains itself" in unknown.reason


def test_undefined_group_makes_the_entry_not_understood():
    device = parse_lines("access-list ACL extended permit ip object-group NOPE any")
    assert only_line(device).understood is False
    assert kind_at(device, 1) is FORWARDING


def test_fqdn_object_widens_its_side_to_any():
    device = parse_lines(
        "object network UPDATES",
        " fqdn v4 updates.example.com",
        "access-list ACL extended permit tcp host 10.1.1.5 object UPDATES eq https",
    )
    line = only_line(device)
    assert line.understood is False
    assert line.matches == (Match(protocols=(6,), src=(host("10.1.1.5"),), dst=None, dst_ports=(PortRange(443, 443),)),)
    unknown = unknown_at(device, 3)
    assert unknown.kind is FORWARDING and FQDN_REASON in unknown.reason
    assert unknown_at(device, 2) is None


def test_ipv6_members_are_dropped_and_ipv6_only_entries_are_harmless():
    device = parse_lines(
        "object network V6",
        " host 2001:db8::5",
        "object-group network MIXED",
        " network-object host 10.0.0.5",
        " network-object 2001:db8::/32",
        "access-list ACL extended permit ip object-group MIXED any",
        "access-list ACL extended permit ip any6 any6",
        "access-list ACL extended permit ip object V6 any",
        "access-list ACL extended permit icmp6 any any",
    )
    line = only_line(device)
    assert line.matches == (Match(src=(host("10.0.0.5"),)),)
    assert line.sequence == 1
    assert [kind_at(device, n) for n in (7, 8, 9)] == [HARMLESS] * 3


def test_host_bits_outside_the_netmask_are_refused():
    device = parse_lines("access-list ACL extended deny ip 10.1.1.1 255.255.255.0 any")
    assert only_line(device).understood is False
    assert kind_at(device, 1) is FORWARDING


# --- services and ports -------------------------------------------------------------------


def test_service_group_expands_into_one_match_per_service():
    device = parse_lines(
        "object-group service SVC",
        " service-object tcp destination eq https",
        " service-object tcp-udp destination eq domain",
        " service-object tcp source range 1024 65535 destination eq ssh",
        " service-object icmp echo",
        " service-object esp",
        "access-list ACL extended permit object-group SVC any host 10.0.0.1",
    )
    destination = (host("10.0.0.1"),)
    assert only_line(device).matches == (
        Match(protocols=(6,), dst=destination, dst_ports=(PortRange(443, 443),)),
        Match(protocols=(6, 17), dst=destination, dst_ports=(PortRange(53, 53),)),
        Match(protocols=(6,), dst=destination, src_ports=(PortRange(1024, PORT_MAX),), dst_ports=(PortRange(22, 22),)),
        Match(protocols=(1,), dst=destination, icmp=(IcmpMatch(8),)),
        Match(protocols=(50,), dst=destination),
    )


def test_port_groups_in_source_and_destination_positions():
    device = parse_lines(
        "object-group service WEB tcp",
        " port-object eq www",
        " port-object range 8000 8080",
        "object-group service HIGH tcp-udp",
        " port-object gt 1023",
        "access-list ACL extended permit tcp any object-group HIGH host 10.0.0.1 object-group WEB",
    )
    match = only_match(device)
    assert match.src is None
    assert match.src_ports == (PortRange(1024, PORT_MAX),)
    assert match.dst == (host("10.0.0.1"),)
    assert match.dst_ports == (PortRange(80, 80), PortRange(8000, 8080))


def test_a_tcp_port_group_cannot_serve_udp():
    device = parse_lines(
        "object-group service WEB tcp",
        " port-object eq www",
        "access-list ACL extended permit udp any any object-group WEB",
    )
    assert only_line(device).understood is False


def test_protocol_and_icmp_type_groups_and_nesting():
    device = parse_lines(
        "object-group protocol TUNNELS",
        " protocol-object gre",
        " protocol-object esp",
        "object-group icmp-type PINGS",
        " icmp-object echo-reply",
        "object-group icmp-type DIAG",
        " icmp-object echo",
        " group-object PINGS",
        " icmp-object 3",
        "access-list ACL extended permit object-group TUNNELS any any",
        "access-list ACL extended permit icmp any any object-group DIAG",
    )
    tunnels, diag = device.acls["ACL"].lines
    assert tunnels.matches == (Match(protocols=(47, 50)),)
    assert diag.matches == (Match(protocols=(1,), icmp=(IcmpMatch(8), IcmpMatch(3), IcmpMatch(0))),)


def test_service_objects_and_predefined_ones():
    device = parse_lines(
        "object service ALT-HTTPS",
        " service tcp destination eq 8443",
        "access-list ACL extended permit object ALT-HTTPS any any",
        "access-list ACL extended permit object icmp-echo any any",
        "access-list ACL extended permit object ospf any any",
    )
    first, second, third = device.acls["ACL"].lines
    assert first.matches == (Match(protocols=(6,), dst_ports=(PortRange(8443, 8443),)),)
    assert second.matches == (Match(protocols=(1,), icmp=(IcmpMatch(8),)),)
    assert third.matches == (Match(protocols=(89,)),)


@pytest.mark.parametrize(
    ("ports", "expected"),
    [
        ("eq https", (PortRange(443, 443),)),
        ("eq sqlnet", (PortRange(1521, 1521),)),
        ("eq ldap", (PortRange(389, 389),)),
        ("lt 1024", (PortRange(0, 1023),)),
        ("gt 1023", (PortRange(1024, PORT_MAX),)),
        ("neq 23", (PortRange(0, 22), PortRange(24, PORT_MAX))),
        ("range ftp-data ftp", (PortRange(20, 21),)),
    ],
)
def test_tcp_port_operators_and_asa_port_names(ports: str, expected: tuple[PortRange, ...]):
    device = parse_lines(f"access-list ACL extended permit tcp any host 10.0.0.1 {ports}")
    assert only_match(device).dst_ports == expected


def test_udp_names_differ_from_tcp_names():
    device = parse_lines(
        "access-list ACL extended permit udp any any eq domain",
        "access-list ACL extended permit udp any any eq radius",
        "access-list ACL extended permit udp any any eq https",
    )
    domain, radius, https = device.acls["ACL"].lines
    assert domain.matches[0].dst_ports == (PortRange(53, 53),)
    assert radius.matches[0].dst_ports == (PortRange(1645, 1645),)
    # `https` is a TCP name only on the ASA.
    assert https.understood is False


def test_icmp_type_and_code():
    device = parse_lines(
        "access-list ACL extended permit icmp any any unreachable",
        "access-list ACL extended permit icmp any any 3 4",
        "access-list ACL extended permit icmp any4 any4",
    )
    unreachable, frag_needed, every = device.acls["ACL"].lines
    assert unreachable.matches[0].icmp == (IcmpMatch(3),)
    assert frag_needed.matches[0].icmp == (IcmpMatch(3, 4),)
    assert every.matches == (Match(protocols=(1,)),)


# --- ACL entries ---------------------------------------------------------------------------


def test_address_forms():
    device = with_interfaces(
        "access-list ACL extended permit ip any4 host 10.1.1.20",
        "access-list ACL extended permit ip 10.1.0.0 255.255.0.0 any",
        "access-list ACL extended permit tcp any interface outside eq ssh",
    )
    first, second, third = device.acls["ACL"].lines
    assert first.matches == (Match(dst=(host("10.1.1.20"),)),)
    assert second.matches == (Match(src=(prefix("10.1.0.0/16"),)),)
    assert third.matches == (Match(protocols=(6,), dst=(host("203.0.113.2"),), dst_ports=(PortRange(22, 22),)),)


def test_interface_with_unknown_address_widens_the_entry():
    device = parse_lines(
        "interface GigabitEthernet0/0",
        " nameif outside",
        " ip address dhcp",
        "access-list ACL extended permit tcp any interface outside eq https",
    )
    line = only_line(device)
    assert line.understood is False
    assert line.matches == (Match(protocols=(6,), dst=None, dst_ports=(PortRange(443, 443),)),)
    assert kind_at(device, 4) is FORWARDING


def test_inactive_entries_stay_out_and_sequences_are_asa_line_numbers():
    device = parse_lines(
        "access-list ACL remark allow the web proxy",
        "access-list ACL extended permit tcp host 10.0.0.5 any eq www",
        "access-list ACL extended deny ip any any inactive",
        "access-list ACL extended deny ip any any log",
    )
    lines = device.acls["ACL"].lines
    assert [(line.action, line.sequence) for line in lines] == [(Action.PERMIT, 2), (Action.DENY, 4)]
    assert kind_at(device, 3) is HARMLESS
    assert [kind_at(device, n) for n in (1, 2, 4)] == [None, None, None]


def test_line_option_inserts_before_the_numbered_entry():
    device = parse_lines(
        "access-list ACL extended permit ip host 10.0.0.1 any",
        "access-list ACL extended permit ip host 10.0.0.2 any",
        "access-list ACL line 1 extended deny ip host 10.0.0.3 any",
    )
    sources = [line.matches[0].src for line in device.acls["ACL"].lines]
    assert sources == [(host("10.0.0.3"),), (host("10.0.0.1"),), (host("10.0.0.2"),)]
    assert [line.sequence for line in device.acls["ACL"].lines] == [1, 2, 3]


def test_log_options_are_ignored_and_time_range_is_an_approximation():
    device = parse_lines(
        "access-list ACL extended permit tcp any any eq www log 6 interval 300",
        "access-list ACL extended permit tcp any any eq 8080 log disable",
        "access-list ACL extended permit ip any any time-range WORKHOURS",
    )
    logged, silent, timed = device.acls["ACL"].lines
    assert logged.approximation == silent.approximation == ""
    assert timed.understood is True
    assert "time-range 'WORKHOURS' ignored" in timed.approximation
    assert timed.matches == (Match(),)


def test_standard_acl_matches_destinations():
    device = parse_lines(
        "access-list SPLIT standard permit 192.0.2.0 255.255.255.0",
        "access-list SPLIT standard deny any4",
    )
    acl = device.acls["SPLIT"]
    assert acl.kind == "standard"
    assert [line.matches for line in acl.lines] == [(Match(dst=(prefix("192.0.2.0/24"),)),), (Match(),)]


def test_pix_entries_without_the_extended_keyword():
    device = parse_lines("access-list outside_in permit tcp any host 10.0.0.10 eq smtp")
    assert device.acls["outside_in"].kind == "extended"
    assert only_match(device, "outside_in").dst_ports == (PortRange(25, 25),)


def test_non_ip_acls_are_harmless_and_not_modelled():
    device = parse_lines(
        "access-list ETH ethertype permit bpdu",
        "access-list WEB webtype permit url http://intranet/*",
    )
    assert device.acls == {}
    assert [kind_at(device, n) for n in (1, 2)] == [HARMLESS, HARMLESS]


def test_standard_and_extended_entries_cannot_share_a_name():
    device = parse_lines(
        "access-list X standard permit any4",
        "access-list X extended permit ip any any",
    )
    assert len(device.acls["X"].lines) == 1
    assert kind_at(device, 2) is FORWARDING


def test_not_understood_deny_entry_is_kept_as_not_understood():
    device = parse_lines("access-list ACL extended deny tcp any any eq no-such-port")
    line = only_line(device)
    assert (line.action, line.understood, line.matches) == (Action.DENY, False, (Match(),))


# --- bindings -----------------------------------------------------------------------------


def test_access_groups_bind_by_nameif_and_global():
    device = with_interfaces(
        "access-list IN extended permit ip any any",
        "access-list OUT extended deny ip any any",
        "access-list ALL extended permit icmp any any",
        "access-group IN in interface inside",
        "access-group OUT out interface outside",
        "access-group ALL global",
    )
    inside, outside = device.interfaces["GigabitEthernet0/1"], device.interfaces["GigabitEthernet0/0"]
    assert (inside.acl_in, inside.acl_in_source) == (None, None)  # a policy rule: the global ACL follows it
    rule = PolicyRule(
        "access-group IN", Source(PATH, 12, "access-group IN in interface inside"), ("GigabitEthernet0/1",), acl="IN"
    )
    assert rule in (device.policy or ())
    assert bindings(device) == [("IN", ("GigabitEthernet0/1",), 12), ("ALL", None, 14)]
    assert (outside.acl_out, outside.acl_out_source.line) == ("OUT", 13)
    assert device.unknown_lines == []


def test_binding_an_undefined_acl_is_rejected():
    device = with_interfaces("access-group MISSING in interface inside", "access-group MISSING global")
    assert bindings(device) == []
    assert [kind_at(device, n) for n in (9, 10)] == [FORWARDING, FORWARDING]
    assert "not defined" in unknown_at(device, 9).reason


def test_binding_to_an_unknown_nameif_and_control_plane():
    device = with_interfaces(
        "access-list A extended permit ip any any",
        "access-group A in interface dmz",
        "access-group A in interface outside control-plane",
    )
    assert kind_at(device, 10) is FORWARDING
    assert kind_at(device, 11) is HARMLESS
    assert bindings(device) == []


def test_acl_with_only_remarks_is_defined():
    device = with_interfaces("access-list EMPTY remark nothing yet", "access-group EMPTY in interface inside")
    assert device.acls["EMPTY"].lines == ()
    assert bindings(device) == [("EMPTY", ("GigabitEthernet0/1",), 10)]


def test_same_security_traffic_flags():
    def gates(*lines: str) -> list[str]:
        device = with_interfaces("interface GigabitEthernet0/2", " nameif dmz", " security-level 0", *lines)
        assert device.unknown_lines == []
        return [rule.name for rule in device.policy or () if rule.name.startswith("same-security")]

    intra = [f"same-security-traffic: not permitted intra-interface ({name})" for name in ("outside", "inside", "dmz")]
    inter = "same-security-traffic: not permitted between level 0 interfaces"
    assert gates() == [intra[0], inter, intra[1], intra[2], inter]
    assert (
        gates(
            "same-security-traffic permit inter-interface",
            "same-security-traffic permit intra-interface",
            "no same-security-traffic permit intra-interface",
        )
        == intra
    )


# --- routes -------------------------------------------------------------------------------


def test_static_routes_exit_through_the_interface_carrying_the_nameif():
    device = with_interfaces(
        "route outside 0.0.0.0 0.0.0.0 203.0.113.1 1",
        "route inside 10.0.0.0 255.0.0.0 10.1.1.254 5",
        "route outside 0 0 203.0.113.9 10",
    )
    default, internal, pix_style = device.routes
    assert (default.prefix, default.prefix_length, default.kind) == (0, 0, RouteKind.STATIC)
    assert (default.interface, default.next_hop, default.distance) == ("GigabitEthernet0/0", ip("203.0.113.1"), 1)
    assert (internal.prefix, internal.prefix_length, internal.interface, internal.distance) == (
        ip("10.0.0.0"),
        8,
        "GigabitEthernet0/1",
        5,
    )
    assert (pix_style.prefix_length, pix_style.next_hop, pix_style.distance) == (0, ip("203.0.113.9"), 10)
    assert default.source == Source(PATH, 9, "route outside 0.0.0.0 0.0.0.0 203.0.113.1 1")


def test_tunneled_tracked_and_unknown_interface_routes():
    device = with_interfaces(
        "route inside 0.0.0.0 0.0.0.0 10.1.1.254 tunneled",
        "route outside 198.51.100.0 255.255.255.0 203.0.113.1 1 track 3",
        "route dmz 192.0.2.0 255.255.255.0 192.0.2.1 1",
    )
    assert [route.prefix for route in device.routes] == [ip("198.51.100.0")]
    assert [kind_at(device, n) for n in (9, 10, 11)] == [FORWARDING, FORWARDING, FORWARDING]


def test_ospf_network_statements_use_netmasks():
    device = parse_lines(
        *INTERFACES,
        "interface GigabitEthernet0/2",
        " ip address 10.1.2.1 255.255.255.0",
        "router ospf 1",
        " network 10.1.0.0 255.255.0.0 area 0",
        " passive-interface default",
    )
    # Gi0/2 is in the network but has no nameif: it carries nothing on an ASA.
    assert device.dynamic_routing == [
        DynamicRouting("ospf", "1", ("GigabitEthernet0/1",), Source(PATH, 11, "router ospf 1"))
    ]
    assert all(kind_at(device, n) is None for n in (11, 12, 13))


def test_bgp_runs_on_the_interface_of_a_connected_ebgp_neighbour():
    device = with_interfaces(
        "router bgp 65001",
        " address-family ipv4 unicast",
        "  neighbor 203.0.113.1 remote-as 65000",
        "  neighbor 203.0.113.1 activate",
    )
    (bgp,) = device.dynamic_routing
    assert (bgp.protocol, bgp.process, bgp.interfaces) == ("bgp", "65001", ("GigabitEthernet0/0",))


# --- NAT ------------------------------------------------------------------------------------


def test_object_static_nat():
    device = with_interfaces(
        "object network WEB",
        " host 10.1.1.10",
        " nat (inside,outside) static 203.0.113.10 service tcp www 8080",
    )
    (rule,) = device.nat_rules
    assert (rule.section, rule.order, rule.kind) == (2, 1, "static")
    assert (rule.real_interface, rule.mapped_interface) == ("GigabitEthernet0/1", "GigabitEthernet0/0")
    assert rule.real_source == ((ip("10.1.1.10"), 32),)
    assert rule.mapped_source == ((ip("203.0.113.10"), 32),)
    assert (rule.protocol, rule.real_port, rule.mapped_port) == (6, PortRange(80, 80), PortRange(8080, 8080))
    assert rule.approximation == "" and rule.interface_pat is False
    assert rule.source == Source(PATH, 11, " nat (inside,outside) static 203.0.113.10 service tcp www 8080")


def test_object_nat_inline_address_keeps_the_real_netmask():
    device = with_interfaces(
        "object network LAN",
        " subnet 10.1.1.0 255.255.255.0",
        " nat (inside,outside) static 198.51.100.77",
    )
    assert device.nat_rules[0].mapped_source == ((ip("198.51.100.0"), 24),)
    assert device.nat_rules[0].approximation == ""


def test_object_dynamic_nat_to_interface_and_to_a_pool():
    device = with_interfaces(
        "object network POOL",
        " range 203.0.113.100 203.0.113.103",
        "object network LAN",
        " subnet 10.1.0.0 255.255.0.0",
        " nat (inside,outside) dynamic interface",
        "object network GUESTS",
        " subnet 10.2.0.0 255.255.0.0",
        " nat (inside,outside) dynamic POOL interface",
    )
    lan, guests = device.nat_rules
    assert (lan.kind, lan.interface_pat, lan.mapped_source) == ("dynamic", True, None)
    assert (guests.kind, guests.interface_pat) == ("dynamic", True)
    assert guests.mapped_source == ((ip("203.0.113.100"), 30),)
    assert (lan.order, guests.order) == (1, 2)


def test_object_nat_order_is_static_first_then_size_then_address():
    device = with_interfaces(
        "object network A",
        " subnet 10.5.0.0 255.255.255.0",
        " nat (inside,outside) dynamic interface",
        "object network B",
        " subnet 10.9.0.0 255.255.255.0",
        " nat (inside,outside) static 198.51.100.0",
        "object network C",
        " host 10.7.7.7",
        " nat (inside,outside) static 198.51.100.200",
        "object network D",
        " subnet 10.3.0.0 255.255.255.0",
        " nat (inside,outside) static 192.0.2.0",
    )
    order = {rule.real_source[0][0]: rule.order for rule in device.nat_rules}
    assert order == {ip("10.7.7.7"): 1, ip("10.3.0.0"): 2, ip("10.9.0.0"): 3, ip("10.5.0.0"): 4}


def test_twice_nat_sections_positions_and_destination():
    device = with_interfaces(
        "object network SRV",
        " host 10.1.1.10",
        "object network PUB",
        " host 203.0.113.10",
        "object network PARTNER",
        " subnet 198.51.100.0 255.255.255.0",
        "object service HTTP",
        " service tcp destination eq www",
        "object service ALT",
        " service tcp destination eq 8080",
        "nat (inside,outside) source static SRV PUB destination static PARTNER PARTNER service ALT HTTP",
        "nat (inside,outside) after-auto source dynamic any interface",
        "nat (any,any) 1 source static SRV SRV inactive",
    )
    first, second, after = device.nat_rules
    assert (first.section, first.order, first.real_interface, first.mapped_interface) == (1, 1, None, None)
    assert first.inactive is True and first.source.line == 21
    assert (second.section, second.order) == (1, 2)
    assert second.real_source == ((ip("10.1.1.10"), 32),) and second.mapped_source == ((ip("203.0.113.10"), 32),)
    assert second.real_destination == second.mapped_destination == ((ip("198.51.100.0"), 24),)
    # `service ALT HTTP`: ALT is the mapped, HTTP the real destination port.
    assert (second.protocol, second.real_port, second.mapped_port) == (6, PortRange(80, 80), PortRange(8080, 8080))
    assert (after.section, after.order, after.kind, after.interface_pat) == (3, 1, "dynamic", True)
    assert after.real_source is None and after.mapped_source is None
    assert device.unknown_lines == []


def test_twice_nat_port_forward_to_the_interface_address():
    device = with_interfaces(
        "object network SRV",
        " host 10.1.1.10",
        "object service WWW",
        " service tcp destination eq www",
        "nat (outside,inside) source static any any destination static interface SRV service WWW WWW",
    )
    (rule,) = device.nat_rules
    assert rule.mapped_destination == ((ip("203.0.113.2"), 32),)
    assert rule.real_destination == ((ip("10.1.1.10"), 32),)


def test_static_nat_that_is_not_prefix_to_prefix_is_approximated():
    device = with_interfaces(
        "object network RANGE",
        " range 10.1.1.10 10.1.1.12",
        "object network ONE",
        " host 203.0.113.50",
        "nat (inside,outside) source static RANGE ONE unidirectional",
    )
    (rule,) = device.nat_rules
    assert "not one prefix onto a prefix of the same size" in rule.approximation
    assert "unidirectional" in rule.approximation


@pytest.mark.parametrize(
    "line",
    [
        "static (inside,outside) 203.0.113.5 10.1.1.5 netmask 255.255.255.255",
        "global (outside) 1 interface",
        "nat (inside) 1 0.0.0.0 0.0.0.0",
        "nat (inside) 0 access-list NO_NAT",
    ],
)
def test_pre_8_3_nat_is_a_forwarding_unknown(line: str):
    device = with_interfaces(line)
    assert device.nat_rules == []
    unknown = unknown_at(device, 9)
    assert unknown.kind is FORWARDING and "pre-8.3" in unknown.reason


def test_nat_with_undefined_object_or_interface_is_not_modelled():
    device = with_interfaces(
        "object network SRV",
        " host 10.1.1.10",
        "nat (inside,outside) source static SRV MISSING",
        "nat (inside,dmz) source static SRV SRV",
    )
    assert device.nat_rules == []
    assert [kind_at(device, n) for n in (11, 12)] == [FORWARDING, FORWARDING]


# --- other lines --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("line", "kind"),
    [
        (": Saved", HARMLESS),
        (": end", HARMLESS),
        ("ASA Version 9.8(4)", HARMLESS),
        ("Cryptochecksum:0123456789abcdef", HARMLESS),
        ("terminal width 511", HARMLESS),
        ("pager lines 24", HARMLESS),
        ("mtu outside 1500", HARMLESS),
        ("icmp unreachable rate-limit 1 burst-size 1", HARMLESS),
        ("icmp permit any outside", HARMLESS),
        ("arp timeout 14400", HARMLESS),
        ("no arp permit-nonconnected", HARMLESS),
        ("ssh 10.0.0.0 255.0.0.0 inside", HARMLESS),
        ("telnet 10.0.0.0 255.0.0.0 inside", HARMLESS),
        ("http 10.0.0.0 255.0.0.0 inside", HARMLESS),
        ("http server enable", HARMLESS),
        ("ssh version 2", HARMLESS),
        ("console timeout 10", HARMLESS),
        ("username admin password x encrypted privilege 15", HARMLESS),
        ("enable password x encrypted", HARMLESS),
        ("aaa authentication ssh console LOCAL", HARMLESS),
        ("logging host inside 10.0.0.50", HARMLESS),
        ("ntp server 10.0.0.51", HARMLESS),
        ("snmp-server community public", HARMLESS),
        ("banner motd Authorised use only", HARMLESS),
        ("failover lan unit primary", HARMLESS),
        ("threat-detection basic-threat", HARMLESS),
        ("service-policy global_policy global", HARMLESS),
        ("dhcpd address 10.1.1.100-10.1.1.200 inside", HARMLESS),
        ("crypto ipsec ikev1 transform-set TS esp-aes esp-sha-hmac", HARMLESS),
        ("crypto map VPN 10 match address CRYPTO", HARMLESS),
        ("tunnel-group 198.51.100.1 type ipsec-l2l", HARMLESS),
        ("nat-control", HARMLESS),
        ("crypto map VPN interface outside", FORWARDING),
        ("firewall transparent", FORWARDING),
        ("mode multiple", FORWARDING),
        ("dhcprelay server 10.0.0.1 outside", FORWARDING),
        ("multicast-routing", FORWARDING),
        ("conduit permit tcp host 198.51.100.5 eq www any", FORWARDING),
        ("frobnicate everything", FORWARDING),
    ],
)
def test_line_classification(line: str, kind: UnknownKind):
    device = parse_lines(line)
    assert kind_at(device, 1) is kind


def test_static_arp_entries_are_harmless_and_recognisable():
    device = parse_lines("arp inside 10.1.1.50 0011.2233.4455")
    assert unknown_at(device, 1) == UnknownLine(
        Source(PATH, 1, "arp inside 10.1.1.50 0011.2233.4455"), HARMLESS, STATIC_ARP_REASON
    )


def test_vpn_blocks_report_only_what_forwards():
    device = parse_lines(
        "webvpn",
        " enable outside",
        " anyconnect enable",
        "group-policy STAFF attributes",
        " vpn-filter value STAFF_FILTER",
        " vpn-filter none",
        "context admin",
        " allocate-interface GigabitEthernet0/1",
    )
    kinds = [kind_at(device, n) for n in range(1, 9)]
    assert kinds == [HARMLESS, FORWARDING, HARMLESS, HARMLESS, FORWARDING, HARMLESS, FORWARDING, FORWARDING]


def test_clear_configure_is_harmless_only_before_what_it_clears():
    device = parse_lines(
        "clear configure access-list",
        "access-list A extended permit ip any any",
        "clear configure access-list",
    )
    assert kind_at(device, 1) is HARMLESS
    assert kind_at(device, 3) is FORWARDING


def test_every_line_of_a_full_config_is_accounted_for():
    text = config(
        ": Saved",
        "ASA Version 9.12(4)",
        "hostname fw1",
        "names",
        "name 10.1.1.10 web",
        *INTERFACES,
        "object network WEB",
        " host 10.1.1.10",
        " nat (inside,outside) static 203.0.113.10",
        "access-list OUTSIDE_IN extended permit tcp any object WEB eq https",
        "access-group OUTSIDE_IN in interface outside",
        "route outside 0.0.0.0 0.0.0.0 203.0.113.1 1",
        "ssh 10.1.1.0 255.255.255.0 inside",
        "Cryptochecksum:abc",
        ": end",
    )
    device = parse(text, PATH)
    unknown = {u.source.line for u in device.unknown_lines}
    assert unknown == {1, 2, 20, 21, 22}
    assert all(u.kind is HARMLESS for u in device.unknown_lines)
    assert only_match(device, "OUTSIDE_IN").dst == (host("10.1.1.10"),)
    assert ("OUTSIDE_IN", ("GigabitEthernet0/0",)) in [binding[:2] for binding in bindings(device)]


def test_a_redundant_interface_without_members_is_down() -> None:
    """A redundant interface takes its link from its active member; with no
    `member-interface` (or only members that are shut down) it has none: down, and so
    are its subinterfaces. A member the config does not show counts as up."""
    device = parse_lines(
        "interface Redundant1",
        " nameif dmz",
        " security-level 50",
        " ip address 10.9.0.1 255.255.255.0",
        "interface Redundant1.20",
        " vlan 20",
        " nameif dmz20",
        " security-level 50",
        " ip address 10.9.20.1 255.255.255.0",
        "interface Redundant2",
        " member-interface GigabitEthernet0/2",
        " member-interface GigabitEthernet0/3",
        " nameif inside",
        " security-level 100",
        " ip address 10.1.1.1 255.255.255.0",
        "interface GigabitEthernet0/2",
        " shutdown",
        "interface GigabitEthernet0/3",
        " no nameif",
        "interface Redundant3",
        " member-interface GigabitEthernet0/4",
        " nameif lan3",
        " ip address 10.3.1.1 255.255.255.0",
        "interface GigabitEthernet0/4",
        " shutdown",
        "interface Redundant4",
        " member-interface GigabitEthernet0/7",
        " nameif lan4",
        " ip address 10.4.1.1 255.255.255.0",
    )
    down = {name for name, interface in device.interfaces.items() if interface.shutdown}
    assert down == {"Redundant1", "Redundant1.20", "GigabitEthernet0/2", "GigabitEthernet0/4", "Redundant3"}
    assert ("link", "down: redundant interface without member-interface") in device.interfaces["Redundant1"].properties
    assert ("link", "down: every member-interface is shut down") in device.interfaces["Redundant3"].properties


def test_protocol_group_with_an_icmp_type_group() -> None:
    """`permit object-group PROTOCOLS any any object-group ICMP-TYPES`: every protocol of
    the group, the ICMP types restricting ICMP only."""
    device = parse_lines(
        "object-group protocol PROTOS",
        " protocol-object icmp",
        " protocol-object gre",
        "object-group icmp-type TYPES",
        " icmp-object echo",
        " icmp-object time-exceeded",
        "object-group protocol ALL",
        " protocol-object ip",
        "access-list ACL extended permit object-group PROTOS any host 10.1.1.1 object-group TYPES",
        "access-list ALL extended deny object-group ALL any any object-group TYPES",
    )
    assert device.unknown_lines == [] or all(u.kind is HARMLESS for u in device.unknown_lines)
    line = only_line(device)
    assert line.understood and not line.approximation
    icmp = (IcmpMatch(8, None), IcmpMatch(11, None))
    assert line.matches == (
        Match(protocols=(1,), dst=(host("10.1.1.1"),), icmp=icmp),
        Match(protocols=(47,), dst=(host("10.1.1.1"),)),
    )
    everything = only_line(device, "ALL")
    assert everything.understood
    assert everything.matches == (
        Match(protocols=(1,), icmp=icmp),
        Match(protocols=tuple(p for p in range(256) if p != 1)),
    )


def test_nat_route_lookup_is_recorded() -> None:
    device = with_interfaces(
        "object network SERVER",
        " host 10.1.1.5",
        " nat (inside,outside) static 10.1.1.5 route-lookup",
        "object network PEER",
        " host 198.51.100.5",
        "nat (inside,outside) source static SERVER SERVER destination static PEER PEER route-lookup",
        "nat (inside,outside) source static SERVER SERVER destination static PEER PEER",
    )
    assert [rule.route_lookup for rule in device.nat_rules] == [True, False, True]
    assert all(u.kind is HARMLESS for u in device.unknown_lines)


def test_a_global_command_indented_under_a_one_line_command_is_never_harmless() -> None:
    # The ASA reads an indented line as a global command after a one-line command such as
    # `ntp server`: its route and access-group must not be inherited as harmless.
    text = (
        "ASA Version 9.8(2)\n"
        "hostname fw1\n"
        "ntp server 10.0.0.1\n"
        " route outside 0.0.0.0 0.0.0.0 192.168.0.2\n"
        "logging host inside 10.0.0.5\n"
        " access-group OUT in interface outside\n"
    )
    device = parse(text, "fw1.cfg")
    kinds = {unknown.source.line: (unknown.kind, unknown.reason) for unknown in device.unknown_lines}
    assert kinds[4] == (FORWARDING, "global command 'route outside' indented under a line that opens no block for it")
    assert kinds[6] == (
        FORWARDING,
        "global command 'access-group OUT' indented under a line that opens no block for it",
    )
    assert kinds[3][0] is HARMLESS and kinds[5][0] is HARMLESS
    assert device.routes == [] and bindings(device) == []
