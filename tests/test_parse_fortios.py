"""FortiOS parser: per feature a small config and the exact model it gives."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from nankoku_netcheck.analyze import load
from nankoku_netcheck.cache import ParseCache
from nankoku_netcheck.errors import InputError
from nankoku_netcheck.model import (
    PROTO_ICMP,
    PROTO_TCP,
    PROTO_UDP,
    Action,
    Device,
    IcmpMatch,
    InterfaceAddress,
    Match,
    NatRule,
    PasswordPolicy,
    PolicyRule,
    PortRange,
    Route,
    RouteKind,
    Source,
    ToTheBox,
    UnknownKind,
    Wildcard,
    ip_to_int,
)
from nankoku_netcheck.parse import parse_config
from nankoku_netcheck.redact import redact
from nankoku_netcheck.vendors.fortios.parser import parse

INTERFACES = """\
config system interface
    edit "port1"
        set vdom "root"
        set ip 192.0.2.1 255.255.255.0
        set allowaccess ping https ssh
    next
    edit "port2"
        set vdom "root"
        set ip 10.1.0.1 255.255.255.0
    next
    edit "port3"
        set vdom "root"
        set ip 10.2.0.1 255.255.255.0
    next
end
"""


def fgt(body: str, instance: str | None = None) -> Device:
    return parse(body, "fgt.conf", instance)


def line_of(text: str, fragment: str) -> int:
    return next(number for number, line in enumerate(text.splitlines(), 1) if fragment in line)


def forwarding(device: Device) -> list[tuple[int, str]]:
    return [(unknown.source.line, unknown.reason) for unknown in device.forwarding_unknowns]


def host(text: str) -> Wildcard:
    return Wildcard.host(ip_to_int(text))


def net(text: str) -> Wildcard:
    address, _, length = text.partition("/")
    return Wildcard.prefix(ip_to_int(address), int(length))


def rule(device: Device, name: str) -> PolicyRule:
    assert device.policy is not None
    return next(candidate for candidate in device.policy if candidate.name == name)


# --- interfaces -----------------------------------------------------------------------


def test_interfaces_secondary_addresses_vlans_and_status_down() -> None:
    text = """\
config system interface
    edit "port2"
        set ip 10.1.0.1/24
        set secondary-IP enable
        config secondaryip
            edit 1
                set ip 10.1.1.1 255.255.255.0
            next
        end
    next
    edit "vlan10"
        set ip 10.10.0.1 255.255.255.0
        set interface "port2"
        set vlanid 10
        set type vlan
        set status down
    next
    edit "agg1"
        set type aggregate
        set member "port4" "port5"
    next
end
"""
    device = fgt(text)
    port2, vlan10, agg1 = device.interfaces["port2"], device.interfaces["vlan10"], device.interfaces["agg1"]
    assert port2.addresses == (
        InterfaceAddress(ip_to_int("10.1.0.1"), 24),
        InterfaceAddress(ip_to_int("10.1.1.1"), 24, secondary=True),
    )
    assert port2.source == Source("fgt.conf", 2, '    edit "port2"')
    assert (vlan10.kind, vlan10.encapsulation_vlan, vlan10.shutdown) == ("subinterface", 10, True)
    assert ("parent", "port2") in vlan10.properties
    assert agg1.kind == "port-channel" and agg1.addresses == ()
    assert not port2.shutdown
    assert forwarding(device) == []
    assert device.stateful and device.to_the_box is ToTheBox.VIA_POLICY and device.vendor == "fortios"


def test_an_address_obtained_at_run_time_is_forwarding_unknown() -> None:
    text = 'config system interface\n    edit "wan1"\n        set mode dhcp\n    next\nend\n'
    assert forwarding(fgt(text)) == [(3, "interface wan1: address obtained by 'dhcp' is not known")]


def test_an_interface_key_that_changes_forwarding_is_forwarding_unknown() -> None:
    text = 'config system interface\n    edit "port1"\n        set vrf 5\n        set snmp-index 1\n    next\nend\n'
    assert forwarding(fgt(text)) == [(3, "interface port1: 'vrf 5' is not modelled")]


# --- policies ---------------------------------------------------------------------------

POLICIES = (
    INTERFACES
    + """\
config system zone
    edit "lan"
        set interface "port2" "port3"
    next
end
config firewall address
    edit "srv"
        set subnet 10.1.0.10 255.255.255.255
    next
    edit "range"
        set type iprange
        set start-ip 10.1.0.1
        set end-ip 10.1.0.6
    next
end
config firewall addrgrp
    edit "grp"
        set member "srv" "range"
    next
end
config firewall policy
    edit 7
        set name "out"
        set srcintf "lan"
        set dstintf "port1"
        set srcaddr "grp"
        set dstaddr "all"
        set action accept
        set schedule "always"
        set service "HTTPS"
    next
    edit 3
        set srcintf "port1"
        set dstintf "any"
        set srcaddr "all"
        set dstaddr "srv"
        set dstaddr-negate enable
        set service "ALL"
        set logtraffic disable
    next
    edit 5
        set status disable
        set srcintf "port1"
        set dstintf "lan"
        set action accept
    next
    edit 1
        set srcintf "any"
        set dstintf "port2"
        set srcaddr "all"
        set dstaddr "all"
        set action accept
        set service "PING"
    next
    move 1 before 7
end
"""
)


def test_policy_order_is_the_file_order_after_moves_and_disabled_policies_are_left_out() -> None:
    device = fgt(POLICIES)
    assert device.policy is not None
    assert [candidate.name for candidate in device.policy] == ["policy 1", "policy 7 (out)", "policy 3"]
    assert forwarding(device) == []
    disabled = line_of(POLICIES, "edit 5")
    outcome = {unknown.source.line: unknown for unknown in device.unknown_lines}
    assert outcome[disabled].kind is UnknownKind.HARMLESS
    assert outcome[disabled].reason == "policy 5 is disabled (status disable)"


def test_policy_zones_expand_to_members_and_any_is_every_interface() -> None:
    device = fgt(POLICIES)
    out = rule(device, "policy 7 (out)")
    assert (out.from_interfaces, out.to_interfaces) == (("port2", "port3"), ("port1",))
    assert out.source == Source("fgt.conf", line_of(POLICIES, "edit 7"), "    edit 7")
    assert rule(device, "policy 1").from_interfaces is None
    assert rule(device, "policy 3").to_interfaces is None


def test_policy_matches_are_sources_destinations_and_services() -> None:
    (line,) = rule(fgt(POLICIES), "policy 7 (out)").lines
    sources = (host("10.1.0.10"), host("10.1.0.1"), net("10.1.0.2/31"), net("10.1.0.4/31"), host("10.1.0.6"))
    assert line.action is Action.PERMIT and line.understood and line.approximation == ""
    assert line.matches == (Match(protocols=(PROTO_TCP,), src=sources, dst=None, dst_ports=(PortRange(443, 443),)),)
    (ping,) = rule(fgt(POLICIES), "policy 1").lines
    assert ping.matches == (Match(protocols=(PROTO_ICMP,), icmp=(IcmpMatch(8),)),)


def test_negated_destination_is_the_exact_complement_and_deny_is_the_default_action() -> None:
    policy = rule(fgt(POLICIES), "policy 3")
    (line,) = policy.lines
    assert line.action is Action.DENY and line.understood
    (match,) = line.matches
    assert match.dst is not None
    server = ip_to_int("10.1.0.10")
    # Everything but one address: for each length, the prefix that differs from it in its last bit.
    expected = {Wildcard.prefix(server ^ (1 << (32 - length)), length) for length in range(1, 33)}
    assert set(match.dst) == expected and len(match.dst) == 32
    assert policy.logged is False


def test_unknown_address_is_any_and_the_use_is_meta_001() -> None:
    text = (
        INTERFACES
        + """\
config firewall address
    edit "www"
        set type fqdn
        set fqdn "www.example.jp"
    next
end
config firewall policy
    edit 4
        set srcintf "port1"
        set dstintf "port2"
        set srcaddr "www"
        set dstaddr "nowhere"
        set action accept
        set service "HTTPS"
    next
end
"""
    )
    device = fgt(text)
    (line,) = rule(device, "policy 4").lines
    assert not line.understood
    assert line.matches == (Match(protocols=(PROTO_TCP,), dst_ports=(PortRange(443, 443),)),)
    at = line_of(text, "set type fqdn")
    assert forwarding(device) == [
        (
            line_of(text, 'set srcaddr "www"'),
            f"policy 4: srcaddr firewall address 'www' (line {at}): address type 'fqdn' is resolved by the device "
            "at run time (read as any address)",
        ),
        (line_of(text, "set dstaddr"), "policy 4: dstaddr address 'nowhere' is not defined (read as any address)"),
    ]


def test_schedule_is_ignored_toward_more_reachability_and_a_scheduled_deny_is_not_used() -> None:
    text = (
        INTERFACES
        + """\
config firewall policy
    edit 1
        set srcintf "port1"
        set dstintf "port2"
        set srcaddr "all"
        set dstaddr "all"
        set action accept
        set service "ALL"
        set schedule "weekdays"
    next
    edit 2
        set srcintf "port1"
        set dstintf "port2"
        set srcaddr "all"
        set dstaddr "all"
        set service "ALL"
        set schedule "weekdays"
    next
end
"""
    )
    device = fgt(text)
    (accept,) = rule(device, "policy 1").lines
    (deny,) = rule(device, "policy 2").lines
    note = "schedule 'weekdays' is ignored: the policy is treated as always active"
    assert (accept.understood, accept.approximation) == (True, note)
    assert (deny.understood, deny.approximation) == (False, note)
    assert forwarding(device) == []


def test_internet_service_is_meta_001_and_reads_as_any_destination() -> None:
    text = (
        INTERFACES
        + """\
config firewall policy
    edit 1
        set srcintf "port2"
        set dstintf "port1"
        set srcaddr "all"
        set internet-service enable
        set internet-service-name "Google-Web"
        set action accept
        set service "ALL"
    next
end
"""
    )
    device = fgt(text)
    (line,) = rule(device, "policy 1").lines
    assert not line.understood and line.matches == (Match(),)
    assert [number for number, _ in forwarding(device)] == [
        line_of(text, "internet-service enable"),
        line_of(text, "internet-service-name"),
    ]


# --- services ---------------------------------------------------------------------------


def test_services_with_source_ports_icmp_and_protocol_numbers() -> None:
    text = (
        INTERFACES
        + """\
config firewall service custom
    edit "web"
        set tcp-portrange 80 443:1024-65535
        set udp-portrange 5000-5010:53
    next
    edit "unreach"
        set protocol ICMP
        set icmptype 3
        set icmpcode 4
    next
    edit "gre"
        set protocol IP
        set protocol-number 47
    next
end
config firewall service group
    edit "bundle"
        set member "web" "unreach" "gre" "SSH"
    next
end
config firewall policy
    edit 1
        set srcintf "port2"
        set dstintf "port1"
        set srcaddr "all"
        set dstaddr "all"
        set action accept
        set service "bundle"
    next
end
"""
    )
    (line,) = rule(fgt(text), "policy 1").lines
    assert line.matches == (
        Match(protocols=(PROTO_TCP,), dst_ports=(PortRange(80, 80),)),
        Match(protocols=(PROTO_TCP,), dst_ports=(PortRange(443, 443),), src_ports=(PortRange(1024, 65535),)),
        Match(protocols=(PROTO_UDP,), dst_ports=(PortRange(5000, 5010),), src_ports=(PortRange(53, 53),)),
        Match(protocols=(PROTO_ICMP,), icmp=(IcmpMatch(3, 4),)),
        Match(protocols=(47,)),
        Match(protocols=(PROTO_TCP,), dst_ports=(PortRange(22, 22),)),
    )


# --- NAT --------------------------------------------------------------------------------

NAT = (
    INTERFACES
    + """\
config firewall vip
    edit "web-vip"
        set extip 192.0.2.10
        set mappedip "10.2.0.10"
        set extintf "port1"
        set portforward enable
        set extport 443
        set mappedport 8443
    next
end
config firewall ippool
    edit "pool1"
        set startip 192.0.2.100
        set endip 192.0.2.103
    next
end
config firewall policy
    edit 1
        set srcintf "port1"
        set dstintf "port3"
        set srcaddr "all"
        set dstaddr "web-vip"
        set action accept
        set service "ALL"
    next
    edit 2
        set srcintf "port2"
        set dstintf "port1"
        set srcaddr "all"
        set dstaddr "all"
        set action accept
        set service "ALL"
        set nat enable
        set ippool enable
        set poolname "pool1"
    next
    edit 3
        set srcintf "port3"
        set dstintf "port1"
        set srcaddr "all"
        set dstaddr "all"
        set action accept
        set service "ALL"
        set nat enable
    next
end
"""
)
POLICY_NAT_NOTE = (
    "translates every packet from the policy's sources leaving this way, not only those the policy accepts"
)


def test_vip_is_a_static_rule_and_policies_match_its_mapped_address() -> None:
    device = fgt(NAT)
    vip = device.nat_rules[0]
    assert vip == NatRule(
        source=Source("fgt.conf", line_of(NAT, 'edit "web-vip"'), '    edit "web-vip"'),
        section=1,
        order=0,
        kind="static",
        real_interface=None,
        mapped_interface="port1",
        real_source=((ip_to_int("10.2.0.10"), 32),),
        mapped_source=((ip_to_int("192.0.2.10"), 32),),
        protocol=PROTO_TCP,
        real_port=PortRange(8443, 8443),
        mapped_port=PortRange(443, 443),
    )
    (line,) = rule(device, "policy 1").lines
    assert line.matches == (Match(dst=(host("10.2.0.10"),)),)
    assert forwarding(device) == []


def test_ip_pool_and_interface_nat_are_dynamic_rules_per_interface_pair() -> None:
    device = fgt(NAT)
    pool_rule, interface_rule = device.nat_rules[1:]
    assert pool_rule == NatRule(
        source=Source("fgt.conf", line_of(NAT, "edit 2"), "    edit 2"),
        section=2,
        order=0,
        kind="dynamic",
        real_interface="port2",
        mapped_interface="port1",
        real_source=None,
        mapped_source=((ip_to_int("192.0.2.100"), 30),),
        approximation=POLICY_NAT_NOTE,
        overload=True,  # an overload pool (the default type): sessions share its addresses by port
    )
    assert (interface_rule.order, interface_rule.real_interface, interface_rule.interface_pat) == (1, "port3", True)
    assert interface_rule.mapped_source is None


def test_central_nat_is_meta_001() -> None:
    text = "config system settings\n    set opmode nat\n    set central-nat enable\nend\n"
    assert forwarding(fgt(text)) == [(3, "system settings: 'central-nat enable' is not modelled")]


# --- routing ----------------------------------------------------------------------------


def test_static_routes_gateway_device_distance_blackhole_and_disabled() -> None:
    text = (
        INTERFACES
        + """\
config router static
    edit 1
        set gateway 192.0.2.254
        set device "port1"
    next
    edit 2
        set dst 10.99.0.0 255.255.0.0
        set blackhole enable
        set distance 254
    next
    edit 3
        set dst 10.98.0.0/16
        set gateway 10.1.0.254
        set device "port2"
        set status disable
    next
end
"""
    )
    device = fgt(text)
    assert device.routes == [
        Route(0, 0, RouteKind.STATIC, Source("fgt.conf", 17, "    edit 1"), ip_to_int("192.0.2.254"), "port1", 10),
        Route(
            ip_to_int("10.99.0.0"), 16, RouteKind.STATIC, Source("fgt.conf", 21, "    edit 2"), None, None, 254, True
        ),
    ]
    assert forwarding(device) == []


def test_policy_routes_are_meta_001() -> None:
    text = "config router policy\n    edit 1\n        set input-device port2\n        set gateway 192.0.2.253\n"
    text += "    next\nend\n"
    reason = "policy route (config router policy) is not modelled yet"
    assert forwarding(fgt(text)) == [(2, reason), (3, reason), (4, reason)]


def test_sdwan_is_dynamic_routing_over_members_and_its_zone_expands_in_policies() -> None:
    text = (
        INTERFACES
        + """\
config system sdwan
    set status enable
    config members
        edit 1
            set interface "port1"
            set gateway 192.0.2.254
        next
        edit 2
            set interface "port3"
        next
    end
end
config firewall policy
    edit 1
        set srcintf "port2"
        set dstintf "virtual-wan-link"
        set srcaddr "all"
        set dstaddr "all"
        set action accept
        set service "ALL"
    next
end
"""
    )
    device = fgt(text)
    assert [(d.protocol, d.interfaces) for d in device.dynamic_routing] == [("sdwan", ("port1", "port3"))]
    assert rule(device, "policy 1").to_interfaces == ("port1", "port3")


# --- VDOMs ------------------------------------------------------------------------------

VDOMS = """\
config vdom
edit root
next
edit dmz
next
end
config global
config system global
    set hostname "fgt-multi"
end
config system interface
    edit "port1"
        set vdom "root"
        set ip 192.0.2.1 255.255.255.0
    next
    edit "port2"
        set vdom "dmz"
        set ip 10.5.0.1 255.255.255.0
    next
end
end
config vdom
edit root
config firewall policy
    edit 1
        set srcintf "port1"
        set dstintf "port1"
        set srcaddr "all"
        set dstaddr "all"
        set action accept
        set service "ALL"
    next
end
next
edit dmz
config router static
    edit 1
        set gateway 10.5.0.254
        set device "port2"
    next
end
next
end
"""


def test_each_vdom_is_a_device_of_its_own() -> None:
    root, dmz = fgt(VDOMS, "root"), fgt(VDOMS, "dmz")
    assert (list(root.interfaces), list(dmz.interfaces)) == (["port1"], ["port2"])
    assert [candidate.name for candidate in root.policy or ()] == ["policy 1"]
    assert dmz.policy == () and len(dmz.routes) == 1 and root.routes == []
    assert (root.hostname, dmz.hostname) == ("fgt-multi/root", "fgt-multi/dmz")
    assert forwarding(root) == forwarding(dmz) == []
    other = {unknown.source.line: unknown.reason for unknown in root.unknown_lines}
    assert other[line_of(VDOMS, 'edit "port2"')] == "interface of VDOM 'dmz' (another device)"


def test_vdom_selection_errors_name_the_vdoms() -> None:
    with pytest.raises(InputError) as several:
        fgt(VDOMS)
    assert str(several.value.problems[0].message) == (
        "this config holds several VDOMs (root, dmz): name one with 'instance:' in the topology"
    )
    with pytest.raises(InputError) as missing:
        fgt(VDOMS, "lab")
    assert missing.value.problems[0].message == "instance 'lab': no such VDOM in this config (VDOMs: root, dmz)"
    with pytest.raises(InputError) as single:
        fgt(INTERFACES, "dmz")
    assert single.value.problems[0].message == (
        "instance 'dmz': this config has no VDOMs (its only virtual device is 'root')"
    )
    assert list(fgt(INTERFACES, "root").interfaces) == ["port1", "port2", "port3"]


def test_ios_refuses_an_instance() -> None:
    with pytest.raises(InputError) as refused:
        parse_config(
            "hostname r1\ninterface Loopback0\n ip address 10.0.0.1 255.255.255.255\n", "r1.cfg", "cisco_ios", "x"
        )
    assert refused.value.problems[0].message == ("instance 'x': this config type holds one device (remove 'instance:')")


# --- the tree reader --------------------------------------------------------------------


def test_multi_line_values_keep_line_numbers_and_unbalanced_blocks_are_meta_001() -> None:
    text = """\
config system replacemsg admin "pre_admin-disclaimer-text"
    set buffer "first line
second line \\"quoted\\"
third line"
end
config firewall policy
    edit 1
        set srcintf "port1"
end
end
config router static
    edit 1
"""
    device = fgt(text)
    outcome = {unknown.source.line: (unknown.kind, unknown.reason) for unknown in device.unknown_lines}
    assert outcome[3] == (UnknownKind.HARMLESS, "continues line 2")
    assert forwarding(device)[:1] == [(10, "'end' outside a 'config' block")]
    assert (11, "'config' block not closed before the end of the file (truncated?)") in forwarding(device)


# --- management facts and secrets ---------------------------------------------------------

MGMT = (
    INTERFACES
    + """\
config system global
    set hostname "fgt1"
    set admintimeout 30
    set admin-lockout-threshold 5
    set pre-login-banner enable
end
config system admin
    edit "admin"
        set accprofile "super_admin"
        set password ENC PB2abcdefghijklmnopqrstuvwxyz0123456789
        set trusthost1 10.9.0.0 255.255.255.0
    next
    edit "ops"
        set accprofile "prof_admin"
        set password plain-text-pass
    next
end
config system ntp
    set ntpsync enable
    set type custom
    config ntpserver
        edit 1
            set server "10.9.0.123"
        next
    end
end
config log syslogd setting
    set status enable
    set server "10.9.0.514"
end
config system snmp community
    edit 1
        set name "public"
    next
end
"""
)


def test_hardening_facts() -> None:
    mgmt = fgt(MGMT).mgmt
    # Each administrator is held to its own trusted hosts; the access paths list none.
    assert [(a.protocol, a.interface, a.allowed_from) for a in mgmt.remote_access] == [
        ("https", "port1", None),
        ("ssh", "port1", None),
    ]
    assert [(u.name, u.privilege, u.allowed_from) for u in mgmt.users] == [
        ("admin", 15, ((ip_to_int("10.9.0.0"), 24),)),
        ("ops", 1, ((0, 0),)),
    ]
    assert [
        (s.kind, s.name, s.source.line, s.idle_timeout, s.idle_timeout_source and s.idle_timeout_source.line)
        for s in mgmt.sessions
    ] == [("admin", "admintimeout", line_of(MGMT, "config system global"), 1800, line_of(MGMT, "admintimeout"))]
    assert mgmt.login_failures_limited_by_default
    assert [source.line for source in mgmt.login_failure_limits] == [line_of(MGMT, "admin-lockout-threshold")]
    assert [(b.kind, b.source.line) for b in mgmt.banners] == [("login", line_of(MGMT, "pre-login-banner"))]
    assert [(c.owner, c.scheme) for c in mgmt.credentials] == [("admin", "pbkdf2"), ("ops", "plaintext")]
    assert [h.address for h in mgmt.ntp_servers] == ["10.9.0.123"]
    assert [h.address for h in mgmt.logging_hosts] == ["10.9.0.514"]
    assert mgmt.log_timestamps == "datetime"
    assert [(c.name, c.access, c.source.text) for c in mgmt.snmp_communities] == [("public", "ro", "    edit 1")]
    assert [(s.name, s.enabled) for s in mgmt.services if s.name in ("cdp", "http-server", "https-server")] == [
        ("cdp", False),
        ("http-server", False),
        ("https-server", True),
    ]
    assert mgmt.password_policy == PasswordPolicy(False)
    assert mgmt.hostname_source is not None and mgmt.hostname_source.line == line_of(MGMT, "set hostname")


NAMES = (
    INTERFACES
    + """\
config firewall address
    edit "FIREWALL_AUTH_PORTAL_ADDRESS"
    next
    edit "gmail.com"
        set type fqdn
        set fqdn "gmail.com"
    next
    edit "LAN"
        set subnet 192.0.2.0 255.255.255.0
    next
    edit "SPARE"
        set subnet 192.0.2.128 255.255.255.128
    next
end
config firewall addrgrp
    edit "G Suite"
        set member "gmail.com"
    next
end
config firewall service custom
    edit "HTTPS"
        set tcp-portrange 443
    next
end
config firewall ippool
    edit "POOL1"
        set startip 198.51.100.10
        set endip 198.51.100.10
    next
end
config firewall policy
    edit 1
        set srcintf "port1"
        set dstintf "port2"
        set srcaddr "LAN"
        set dstaddr "all" "WEB"
        set action accept
        set schedule "always"
        set service "HTTPS" "WEB-8443"
    next
end
"""
)


def test_definitions_and_uses_of_firewall_objects() -> None:
    """Factory objects and built-in names are neither definitions nor undefined uses."""
    mgmt = fgt(NAMES).mgmt
    assert [(d.kind, d.name, d.source.line) for d in mgmt.definitions] == [
        ("address", "LAN", line_of(NAMES, 'edit "LAN"')),
        ("address", "SPARE", line_of(NAMES, 'edit "SPARE"')),
        ("ip pool", "POOL1", line_of(NAMES, 'edit "POOL1"')),
    ]
    assert [(r.kind, r.name, r.context, r.source.line, r.mentioned) for r in mgmt.references] == [
        ("address", "LAN", "policy 1 srcaddr", line_of(NAMES, 'srcaddr "LAN"'), False),
        ("address", "all", "policy 1 dstaddr", line_of(NAMES, "dstaddr"), True),
        ("address", "WEB", "policy 1 dstaddr", line_of(NAMES, "dstaddr"), False),
        ("service", "HTTPS", "policy 1 service", line_of(NAMES, 'service "HTTPS"'), True),
        ("service", "WEB-8443", "policy 1 service", line_of(NAMES, 'service "HTTPS"'), False),
        ("address", "gmail.com", "addrgrp G Suite member", line_of(NAMES, 'member "gmail.com"'), True),
    ]


def test_a_renamed_table_leaves_its_names_unsure() -> None:
    text = NAMES.replace("config firewall addrgrp\n", 'config firewall addrgrp\n    rename "G Suite" to "WEB"\n')
    mgmt = fgt(text).mgmt
    assert [(r.name, r.mentioned) for r in mgmt.references if r.kind == "address"] == [
        ("LAN", True),
        ("all", True),
        ("WEB", True),
        ("gmail.com", True),
    ]


def test_log_servers_switched_off_and_secrets_under_a_key_of_ones_own() -> None:
    text = (
        INTERFACES
        + """\
config system global
    set private-data-encryption enable
end
config user local
    edit "vpn1"
        set passwd ENC c2VjcmV0
    next
end
config log syslogd setting
    set status disable
    set server "192.0.2.10"
end
config log fortianalyzer setting
    set server "192.0.2.11"
end
"""
    )
    mgmt = fgt(text).mgmt
    assert [(c.kind, c.owner, c.scheme) for c in mgmt.credentials] == [("user", "vpn1", "unknown")]
    assert [(h.address, h.source.line) for h in mgmt.logging_hosts] == [
        ("192.0.2.10", line_of(text, '"192.0.2.10"')),
        ("192.0.2.11", line_of(text, '"192.0.2.11"')),
    ]
    (logging,) = [state for state in mgmt.services if state.name == "logging"]
    assert not logging.enabled and logging.source is not None
    assert logging.source.line == line_of(text, "status disable")


@pytest.mark.parametrize(
    "line, visible",
    [
        ("        set password ENC SH2FhRZLb0kARj4WsWV+pQekwQB6BDgeRNE2XJZ8QuXPc=", "set password"),
        ("        set psksecret ENC qwertyuiop1234567890==", "set psksecret ENC"),
        ("        set passwd ENC abcdef123456", "set passwd"),
        ("        set auth-pwd ENC xyz123456", "set auth-pwd ENC"),
        ("        set priv-pwd ENC y987654", "set priv-pwd ENC"),
        ("        set psk ENC abc12345", "set psk ENC"),
        ('        set psksecret "spaced secret phrase"', "set psksecret"),
        ("        set secondary-secret ENC zz123456", "set secondary-secret"),
    ],
)
def test_fortios_secrets_are_redacted(line: str, visible: str) -> None:
    redacted = redact(line)
    secret = line.split(visible, 1)[1].strip()
    assert secret not in redacted and "[REDACTED:" in redacted
    assert redacted.strip().startswith(visible)


# --- VDOMs through the topology --------------------------------------------------------

VDOM_TOPOLOGY = """\
version: 1
name: vdoms
configs: configs
zones:
  lgwan: {kind: lgwan, label: LGWAN, prefixes: [10.5.0.0/24]}
devices:
"""


def write_vdom_network(folder: Path, devices: str) -> str:
    (folder / "configs").mkdir()
    (folder / "configs" / "fgt.conf").write_text(VDOMS, encoding="utf-8")
    (folder / "topology.yaml").write_text(VDOM_TOPOLOGY + devices, encoding="utf-8")
    return str(folder / "topology.yaml")


def test_topology_instances_make_one_device_per_vdom(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    path = write_vdom_network(
        tmp_path, "  fw-root: {config: fgt.conf, instance: root}\n  fw-dmz: {config: fgt.conf, instance: dmz}\n"
    )
    loaded = load(path)
    assert [entry.instance for entry in loaded.topology.devices] == ["root", "dmz"]
    assert {name: list(device.interfaces) for name, device in loaded.devices.items()} == {
        "fw-root": ["port1"],
        "fw-dmz": ["port2"],
    }


def test_a_multi_vdom_config_without_instance_is_an_input_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    path = write_vdom_network(tmp_path, "  fw: {config: fgt.conf}\n")
    with pytest.raises(InputError) as refused:
        load(path)
    assert [(problem.file, problem.message) for problem in refused.value.problems] == [
        (
            os.path.join("configs", "fgt.conf"),
            "this config holds several VDOMs (root, dmz): name one with 'instance:' in the topology",
        )
    ]


def test_the_same_vdom_twice_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    path = write_vdom_network(
        tmp_path, "  a: {config: fgt.conf, instance: dmz}\n  b: {config: fgt.conf, instance: dmz}\n"
    )
    with pytest.raises(InputError) as refused:
        load(path)
    assert any("expected one config file per device" in problem.message for problem in refused.value.problems)


def test_the_cache_key_includes_the_instance() -> None:
    keys = {ParseCache.key("a" * 64, "fgt.conf", None, instance=instance) for instance in (None, "", "root", "dmz")}
    assert len(keys) == 4


def test_zone_members_in_the_fortios_6_0_table_form() -> None:
    text = (
        INTERFACES
        + """\
config system zone
    edit "lan"
        config interface
            edit "port2"
            next
            edit "port3"
            next
        end
        set intrazone allow
    next
end
"""
    )
    device = fgt(text)
    assert device.policy is not None
    (intrazone,) = device.policy
    assert intrazone.name == "zone lan (intrazone allow)"
    assert (intrazone.from_interfaces, intrazone.to_interfaces) == (("port2", "port3"), ("port2", "port3"))
    assert intrazone.source.line == line_of(text, "intrazone allow")
    assert forwarding(device) == []


EXCLUDING = (
    INTERFACES
    + """\
config firewall address
    edit "lan"
        set subnet 10.1.0.0 255.255.255.0
    next
    edit "srv"
        set subnet 10.1.0.10 255.255.255.255
    next
    edit "www"
        set type fqdn
        set fqdn "www.example.jp"
    next
end
config firewall addrgrp
    edit "lan-but-srv"
        set member "lan"
        set exclude enable
        set exclude-member "srv"
    next
    edit "lan-but-www"
        set member "lan"
        set exclude enable
        set exclude-member "www"
    next
end
config firewall policy
    edit 1
        set srcintf "port2"
        set dstintf "port1"
        set srcaddr "lan-but-srv"
        set dstaddr "all"
        set service "ALL"
    next
    edit 2
        set srcintf "port2"
        set dstintf "port1"
        set srcaddr "lan-but-www"
        set dstaddr "all"
        set service "ALL"
    next
end
"""
)


def test_group_exclusion_is_exact_and_an_unknown_exclusion_leaves_a_deny_unused() -> None:
    device = fgt(EXCLUDING)
    (exact,) = rule(device, "policy 1").lines
    assert exact.understood and exact.matches == (
        Match(
            src=(
                net("10.1.0.0/29"),
                net("10.1.0.8/31"),
                host("10.1.0.11"),
                net("10.1.0.12/30"),
                net("10.1.0.16/28"),
                net("10.1.0.32/27"),
                net("10.1.0.64/26"),
                net("10.1.0.128/25"),
            )
        ),
    )
    (unknown,) = rule(device, "policy 2").lines
    assert unknown.action is Action.DENY and not unknown.understood
    assert [number for number, _ in forwarding(device)] == [line_of(EXCLUDING, 'set srcaddr "lan-but-www"')]


def test_dynamic_routing_runs_over_the_interfaces_of_its_networks_and_neighbours() -> None:
    text = (
        INTERFACES
        + """\
config router ospf
    set router-id 10.1.0.1
    config network
        edit 1
            set prefix 10.1.0.0 255.255.0.0
        next
    end
end
config router bgp
    set as 65001
    config neighbor
        edit "192.0.2.2"
            set remote-as 65002
        next
    end
end
config router rip
end
"""
    )
    device = fgt(text)
    assert [(d.protocol, d.interfaces, d.source.line) for d in device.dynamic_routing] == [
        ("ospf", ("port2",), line_of(text, "config router ospf")),
        ("bgp", ("port1",), line_of(text, "config router bgp")),
    ]
    assert forwarding(device) == []


def test_a_bgp_neighbour_range_may_peer_on_any_addressed_interface() -> None:
    text = (
        INTERFACES
        + """\
config router bgp
    set as 65001
    config neighbor-range
        edit 1
            set prefix 10.2.0.0 255.255.255.0
            set neighbor-group "spokes"
        next
    end
end
"""
    )
    (bgp,) = fgt(text).dynamic_routing
    assert bgp.interfaces == ("port1", "port2", "port3")


def test_the_factory_admin_is_privileged_unless_its_profile_says_otherwise() -> None:
    text = """\
config system admin
    edit "admin"
    next
    edit "ops"
    next
    edit "audit"
        set accprofile "prof_admin"
    next
end
"""
    users = fgt(text).mgmt.users
    assert [(user.name, user.privilege, user.allowed_from) for user in users] == [
        ("admin", 15, ((0, 0),)),
        ("ops", 1, ((0, 0),)),
        ("audit", 1, ((0, 0),)),
    ]
