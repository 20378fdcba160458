"""The HARMLESS tables of the parsers never swallow a line that can change which packets
pass: commands that forward, filter, translate, route or bind (and the `no` forms that
undo a modelled command) stay parsed or FORWARDING, and every HARMLESS entry is a
specific keyword, not a broad prefix such as `ip` or `switchport`."""

from __future__ import annotations

from collections.abc import Mapping

import pytest

from nankoku_netcheck.model import Device, UnknownKind
from nankoku_netcheck.vendors.cisco_asa import keywords as cisco_asa_keywords
from nankoku_netcheck.vendors.cisco_asa import parser as cisco_asa
from nankoku_netcheck.vendors.cisco_ios import keywords as cisco_ios_keywords
from nankoku_netcheck.vendors.cisco_ios import parser as cisco_ios

IOS_TOP_LEVEL = [
    "ip route 10.0.0.0 255.0.0.0 192.0.2.1",
    "ip route vrf BLUE 10.0.0.0 255.0.0.0 192.0.2.1",
    "no ip route 10.0.0.0 255.0.0.0 192.0.2.1",
    "ip default-network 10.0.0.0",
    "ip nat inside source static 10.0.0.1 192.0.2.1",
    "ip nat pool P 192.0.2.1 192.0.2.9 prefix-length 24",
    "ip forward-protocol spanning-tree",
    "ip forward-protocol turbo-flood",
    "ip vrf BLUE",
    "vrf definition BLUE",
    "ip multicast-routing",
    "router ospf 1",
    "access-list 10 permit any",
    "ip access-list extended X",
    "no access-list 10",
    "bridge irb",
    "monitor session 1 destination interface GigabitEthernet0/2",
]
IOS_INTERFACE = [
    "ip address 10.0.0.1 255.255.255.0",
    "ip address 10.0.1.1 255.255.255.0 secondary",
    "ip unnumbered Loopback0",
    "ip access-group X in",
    "ip access-group X out",
    "no ip access-group X in",
    "ip nat inside",
    "ip policy route-map PBR",
    "ip vrf forwarding BLUE",
    "vrf forwarding BLUE",
    "ip helper-address 10.0.0.9",
    "shutdown",
    "encapsulation dot1Q 10",
    "no encapsulation dot1Q 10",
    "switchport access vlan 10",
    "no switchport access vlan 10",
    "switchport trunk allowed vlan 10",
    "no switchport trunk allowed vlan",
    "switchport trunk native vlan 10",
    "no switchport trunk native vlan",
    "switchport mode trunk",
    "no switchport mode",
    "switchport voice vlan 20",
    "channel-group 1 mode active",
    "no channel-group",
    "standby 1 ip 10.0.0.254",
    "vrrp 1 ip 10.0.0.254",
    "glbp 1 ip 10.0.0.254",
    "tunnel destination 192.0.2.9",
    "tunnel source GigabitEthernet0/0",
    "crypto map VPN",
    "bridge-group 1",
    "xconnect 10.0.0.2 1 encapsulation mpls",
    "service-policy type epbr input X",
]
ASA_TOP_LEVEL = [
    "route outside 0.0.0.0 0.0.0.0 203.0.113.1",
    "no route outside 10.0.0.0 255.0.0.0 203.0.113.1",
    "access-group X in interface inside",
    "access-list X extended permit ip any any",
    "nat (inside,outside) source static any any",
    "static (inside,outside) 192.0.2.4 10.0.0.1",
    "global (outside) 1 interface",
    "same-security-traffic permit inter-interface",
    "no same-security-traffic permit inter-interface",
    "router ospf 1",
    "crypto map VPN interface outside",
    "dhcprelay server 10.0.0.9 inside",
    "multicast-routing",
    "firewall transparent",
]
ASA_INTERFACE = [
    "nameif dmz",
    "security-level 50",
    "ip address 10.0.0.1 255.255.255.0",
    "shutdown",
    "no shutdown",
    "vlan 10",
    "management-only",
    "no management-only",
    "bridge-group 1",
    "policy-route route-map PBR",
    "switchport access vlan 2",
    "no switchport access vlan 2",
    "channel-group 1 mode active",
    "no nameif",
    "no security-level",
]

ASA_HEAD = (
    "ASA Version 9.8(1)\nhostname fw\n"
    "interface GigabitEthernet0/0\n nameif inside\n security-level 100\n ip address 10.1.1.1 255.255.255.0\n"
    "interface GigabitEthernet0/1\n"
)  # the next line is line 8

# First words that cover both harmless and forwarding commands: never a HARMLESS key alone.
BROAD = frozenset(
    {
        "ip",
        "no",
        "interface",
        "switchport",
        "router",
        "route",
        "access-list",
        "access-group",
        "nat",
        "vrf",
        "ipv4",
        "tunnel",
        "mpls",
        "standby",
        "vrrp",
        "glbp",
        "encapsulation",
        "channel-group",
        "bridge-group",
        "policy-route",
        "static",
        "global",
        "object",
        "object-group",
        "xconnect",
        "monitor",
    }
)
# Modelled commands whose `no` form changes the model: a negated HARMLESS key must not cover them.
MODELLED = (
    ("switchport",),
    ("switchport", "access"),
    ("switchport", "trunk"),
    ("switchport", "mode"),
    ("route",),
    ("ip", "route"),
    ("ip", "access-group"),
    ("access-group",),
    ("encapsulation",),
    ("channel-group",),
    ("standby",),
    ("vrrp",),
    ("access-list",),
    ("ip", "access-list"),
)


def outcome(device: Device, line: int) -> str:
    unknown = next((u for u in device.unknown_lines if u.source.line == line), None)
    return "parsed" if unknown is None else unknown.kind.name


@pytest.mark.parametrize("line", IOS_TOP_LEVEL)
def test_ios_forwarding_command_is_not_harmless(line: str) -> None:
    assert outcome(cisco_ios.parse(f"hostname r1\n{line}\n", "r1.cfg"), 2) in ("parsed", "FORWARDING")


@pytest.mark.parametrize("line", IOS_INTERFACE)
def test_ios_forwarding_interface_command_is_not_harmless(line: str) -> None:
    device = cisco_ios.parse(f"hostname r1\ninterface GigabitEthernet0/1\n {line}\n", "r1.cfg")
    assert outcome(device, 3) in ("parsed", "FORWARDING")


@pytest.mark.parametrize("line", ASA_TOP_LEVEL)
def test_asa_forwarding_command_is_not_harmless(line: str) -> None:
    device = cisco_asa.parse(f"{ASA_HEAD} nameif outside\n security-level 0\n{line}\n", "fw.cfg")
    assert outcome(device, 10) in ("parsed", "FORWARDING")


@pytest.mark.parametrize("line", ASA_INTERFACE)
def test_asa_forwarding_interface_command_is_not_harmless(line: str) -> None:
    assert outcome(cisco_asa.parse(f"{ASA_HEAD} {line}\n", "fw.cfg"), 8) in ("parsed", "FORWARDING")


def test_misspelt_dtp_line_and_remote_management_lines_are_harmless() -> None:
    device = cisco_ios.parse(
        "hostname r1\ninterface GigabitEthernet0/1\n switchport nonnegotiate\n"
        "callhome\nssh server v2\ndomain name example.jp\nrole name ops\n",
        "r1.cfg",
    )
    assert [outcome(device, line) for line in range(3, 8)] == ["HARMLESS"] * 5


def harmless_keys() -> list[tuple[str, str, tuple[str, ...]]]:
    """(module, table, key) of every HARMLESS entry of the parsers' keyword tables."""
    keys = []
    for module in (cisco_ios_keywords, cisco_asa_keywords):
        for table_name in ("TOP_LEVEL_COMMANDS", "INTERFACE_COMMANDS"):
            table: Mapping[tuple[str, ...], tuple[UnknownKind, str]] = getattr(module, table_name)
            keys += [(module.__name__, table_name, k) for k, (kind, _) in table.items() if kind is UnknownKind.HARMLESS]
        for table_name in ("NEGATED_HARMLESS", "INTERFACE_NEGATED_HARMLESS"):
            keys += [(module.__name__, table_name, k) for k in getattr(module, table_name)]
    return keys


def test_every_harmless_entry_is_a_specific_keyword() -> None:
    keys = harmless_keys()
    assert len(keys) > 300
    # A negated entry such as `no mpls` only turns off something never modelled; those are
    # held by the next test instead.
    positive = [entry for entry in keys if "NEGATED" not in entry[1]]
    assert [entry for entry in positive if len(entry[2]) == 1 and entry[2][0] in BROAD] == []


def test_no_negated_harmless_entry_undoes_a_modelled_command() -> None:
    negated = [entry for entry in harmless_keys() if "NEGATED" in entry[1]]
    assert [entry for entry in negated if entry[2] in MODELLED] == []
