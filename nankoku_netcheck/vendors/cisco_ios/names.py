"""Name tables of Cisco IOS / IOS-XE, as frozen data.

The port tables are the names IOS itself accepts after `eq`, `lt`, ... in an ACL
entry (as listed by `?` on IOS 15 and IOS-XE 16/17); TCP and UDP have separate
tables because IOS keeps them apart (e.g. `syslog` is UDP 514, `cmd` is TCP 514,
`www` is TCP only). A name that is not here is not guessed: the ACL entry becomes
"not understood".
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from nankoku_netcheck.model import IcmpMatch

TCP_PORT_NAMES: Mapping[str, int] = MappingProxyType(
    {
        "bgp": 179,
        "chargen": 19,
        "cmd": 514,
        "daytime": 13,
        "discard": 9,
        "domain": 53,
        "drip": 3949,
        "echo": 7,
        "exec": 512,
        "finger": 79,
        "ftp": 21,
        "ftp-data": 20,
        "gopher": 70,
        "hostname": 101,
        "ident": 113,
        "irc": 194,
        "klogin": 543,
        "kshell": 544,
        "login": 513,
        "lpd": 515,
        "msrpc": 135,
        "nntp": 119,
        "onep-plain": 15001,
        "onep-tls": 15002,
        "pim-auto-rp": 496,
        "pop2": 109,
        "pop3": 110,
        "smtp": 25,
        # Not a name on older IOS trains; accepted because its meaning is unambiguous.
        "ssh": 22,
        "sunrpc": 111,
        "syslog": 514,
        "tacacs": 49,
        "talk": 517,
        "telnet": 23,
        "time": 37,
        "uucp": 540,
        "whois": 43,
        "www": 80,
    }
)

UDP_PORT_NAMES: Mapping[str, int] = MappingProxyType(
    {
        "biff": 512,
        "bootpc": 68,
        "bootps": 67,
        "discard": 9,
        "dnsix": 195,
        "domain": 53,
        "echo": 7,
        "isakmp": 500,
        "mobile-ip": 434,
        "nameserver": 42,
        "netbios-dgm": 138,
        "netbios-ns": 137,
        "netbios-ss": 139,
        "non500-isakmp": 4500,
        "ntp": 123,
        "pim-auto-rp": 496,
        "rip": 520,
        "ripv6": 521,
        "snmp": 161,
        "snmptrap": 162,
        "sunrpc": 111,
        "syslog": 514,
        "tacacs": 49,
        "talk": 517,
        "tftp": 69,
        "time": 37,
        "who": 513,
        "xdmcp": 177,
    }
)

# IP protocol keywords of an IOS ACL entry. `ip` (any protocol) is handled by the parser.
PROTOCOL_NAMES: Mapping[str, int] = MappingProxyType(
    {
        "icmp": 1,
        "igmp": 2,
        "ipinip": 4,
        "tcp": 6,
        "igrp": 9,
        "udp": 17,
        "gre": 47,
        "esp": 50,
        "ahp": 51,
        "eigrp": 88,
        "ospf": 89,
        "nos": 94,
        "pim": 103,
        "pcp": 108,
        "sctp": 132,
    }
)

# ICMP message names of an IOS ACL entry: a name with a code matches that code only.
ICMP_NAMES: Mapping[str, IcmpMatch] = MappingProxyType(
    {
        "administratively-prohibited": IcmpMatch(3, 13),
        "alternate-address": IcmpMatch(6),
        "conversion-error": IcmpMatch(31),
        "dod-host-prohibited": IcmpMatch(3, 10),
        "dod-net-prohibited": IcmpMatch(3, 9),
        "echo": IcmpMatch(8),
        "echo-reply": IcmpMatch(0),
        "general-parameter-problem": IcmpMatch(12, 0),
        "host-isolated": IcmpMatch(3, 8),
        "host-precedence-unreachable": IcmpMatch(3, 14),
        "host-redirect": IcmpMatch(5, 1),
        "host-tos-redirect": IcmpMatch(5, 3),
        "host-tos-unreachable": IcmpMatch(3, 12),
        "host-unknown": IcmpMatch(3, 7),
        "host-unreachable": IcmpMatch(3, 1),
        "information-reply": IcmpMatch(16),
        "information-request": IcmpMatch(15),
        "mask-reply": IcmpMatch(18),
        "mask-request": IcmpMatch(17),
        "mobile-redirect": IcmpMatch(32),
        "net-redirect": IcmpMatch(5, 0),
        "net-tos-redirect": IcmpMatch(5, 2),
        "net-tos-unreachable": IcmpMatch(3, 11),
        "net-unreachable": IcmpMatch(3, 0),
        "network-unknown": IcmpMatch(3, 6),
        "no-room-for-option": IcmpMatch(12, 2),
        "option-missing": IcmpMatch(12, 1),
        "packet-too-big": IcmpMatch(3, 4),
        "parameter-problem": IcmpMatch(12),
        "port-unreachable": IcmpMatch(3, 3),
        "precedence-unreachable": IcmpMatch(3, 15),
        "protocol-unreachable": IcmpMatch(3, 2),
        "reassembly-timeout": IcmpMatch(11, 1),
        "redirect": IcmpMatch(5),
        "router-advertisement": IcmpMatch(9),
        "router-solicitation": IcmpMatch(10),
        "source-quench": IcmpMatch(4),
        "source-route-failed": IcmpMatch(3, 5),
        "time-exceeded": IcmpMatch(11),
        "timestamp-reply": IcmpMatch(14),
        "timestamp-request": IcmpMatch(13),
        "traceroute": IcmpMatch(30),
        "ttl-exceeded": IcmpMatch(11, 0),
        "unreachable": IcmpMatch(3),
    }
)

# IGMP message names: the model has no IGMP type field, so a line using one is
# approximated (the type constraint is dropped).
IGMP_NAMES: frozenset[str] = frozenset(
    {
        "dvmrp",
        "host-query",
        "host-report",
        "mtrace-resp",
        "mtrace-route",
        "pim",
        "trace",
        "v2-leave",
        "v2-report",
        "v3-report",
    }
)

# Full IOS interface type names, as `show running-config` prints them.
INTERFACE_TYPES: tuple[str, ...] = (
    "AppGigabitEthernet",
    "ATM",
    "Async",
    "BDI",
    "BVI",
    "Cellular",
    "Dialer",
    "Dot11Radio",
    "Embedded-Service-Engine",
    "Ethernet",
    "FastEthernet",
    "FiftyGigE",
    "FiveGigabitEthernet",
    "FortyGigabitEthernet",
    "GigabitEthernet",
    "HundredGigE",
    "Loopback",
    "Multilink",
    "Null",
    "Port-channel",
    "Serial",
    "TenGigabitEthernet",
    "Tunnel",
    "TwentyFiveGigE",
    "TwoGigabitEthernet",
    "TwoHundredGigE",
    "Virtual-Access",
    "Virtual-Template",
    "VirtualPortGroup",
    "Vlan",
    "FourHundredGigE",
)

# Short forms whose expansion is not decided by a unique prefix (or that are used so
# often that they should not depend on the list above): lower-case key.
INTERFACE_ABBREVIATIONS: Mapping[str, str] = MappingProxyType(
    {
        "e": "Ethernet",
        "et": "Ethernet",
        "eth": "Ethernet",
        "f": "FastEthernet",
        "fa": "FastEthernet",
        "fas": "FastEthernet",
        "g": "GigabitEthernet",
        "gi": "GigabitEthernet",
        "gig": "GigabitEthernet",
        "te": "TenGigabitEthernet",
        "ten": "TenGigabitEthernet",
        "tengig": "TenGigabitEthernet",
        "tw": "TwoGigabitEthernet",
        "two": "TwoGigabitEthernet",
        "twe": "TwentyFiveGigE",
        "fi": "FiveGigabitEthernet",
        "fo": "FortyGigabitEthernet",
        "fou": "FourHundredGigE",
        "hu": "HundredGigE",
        "po": "Port-channel",
        "port": "Port-channel",
        "portchannel": "Port-channel",
        "lo": "Loopback",
        "vl": "Vlan",
        "vlan": "Vlan",
        "tu": "Tunnel",
        "se": "Serial",
        "nu": "Null",
        "di": "Dialer",
        "mu": "Multilink",
        "vi": "Virtual-Access",
        "vt": "Virtual-Template",
        "at": "ATM",
        "as": "Async",
        "ce": "Cellular",
    }
)
