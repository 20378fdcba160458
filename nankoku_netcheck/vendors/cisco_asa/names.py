"""Name tables of Cisco ASA (and PIX / FWSM) software, as frozen data.

ASA port names differ from IOS ones: `https`, `ldap`, `sqlnet` (1521, not the IANA
port), `radius` (1645) and `http` exist; `www` and `http` are both 80. TCP and UDP
keep separate tables as in the "TCP and UDP Ports" reference of the ASA configuration
guides (`show running-config` prints these names instead of numbers, e.g. `udp eq 443`
stays a number because `https` is TCP only). A name that is not listed is not guessed:
the command using it becomes "not understood".
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from nankoku_netcheck.model import IcmpMatch

_BOTH: Mapping[str, int] = {
    "cifs": 3020,
    "discard": 9,
    "domain": 53,
    "echo": 7,
    "http": 80,
    "kerberos": 750,
    "nfs": 2049,
    "pim-auto-rp": 496,
    "sip": 5060,
    "sunrpc": 111,
    "tacacs": 49,
    "talk": 517,
    "www": 80,
}

TCP_PORT_NAMES: Mapping[str, int] = MappingProxyType(
    {
        **_BOTH,
        "aol": 5190,
        "bgp": 179,
        "chargen": 19,
        "citrix-ica": 1494,
        "cmd": 514,
        "ctiqbe": 2748,
        "daytime": 13,
        "diameter": 3868,
        "exec": 512,
        "finger": 79,
        "ftp": 21,
        "ftp-data": 20,
        "gopher": 70,
        "h323": 1720,
        "hostname": 101,
        "https": 443,
        "ident": 113,
        "imap4": 143,
        "irc": 194,
        "klogin": 543,
        "kshell": 544,
        "ldap": 389,
        "ldaps": 636,
        "login": 513,
        "lotusnotes": 1352,
        "lpd": 515,
        "netbios-ssn": 139,
        "nntp": 119,
        "pcanywhere-data": 5631,
        "pop2": 109,
        "pop3": 110,
        "pptp": 1723,
        "rsh": 514,
        "rtsp": 554,
        "smtp": 25,
        "sqlnet": 1521,
        "ssh": 22,
        "telnet": 23,
        "uucp": 540,
        "whois": 43,
    }
)

UDP_PORT_NAMES: Mapping[str, int] = MappingProxyType(
    {
        **_BOTH,
        "biff": 512,
        "bootpc": 68,
        "bootps": 67,
        "dnsix": 195,
        "isakmp": 500,
        "mobile-ip": 434,
        "nameserver": 42,
        "netbios-dgm": 138,
        "netbios-ns": 137,
        "ntp": 123,
        "pcanywhere-status": 5632,
        "radius": 1645,
        "radius-acct": 1646,
        "rip": 520,
        "secureid-udp": 5510,
        "snmp": 161,
        "snmptrap": 162,
        "syslog": 514,
        "tftp": 69,
        "time": 37,
        "vxlan": 4789,
        "who": 513,
        "xdmcp": 177,
    }
)

# IP protocol keywords of an ASA ACL entry and of `protocol-object`; `ip` (every
# protocol) is handled by the parser. `ipsec` is ESP and `pptp` is GRE on the ASA.
PROTOCOL_NAMES: Mapping[str, int] = MappingProxyType(
    {
        "ah": 51,
        "eigrp": 88,
        "esp": 50,
        "gre": 47,
        "icmp": 1,
        "icmp6": 58,
        "igmp": 2,
        "igrp": 9,
        "ipinip": 4,
        "ipsec": 50,
        "nos": 94,
        "ospf": 89,
        "pcp": 108,
        "pim": 103,
        "pptp": 47,
        "sctp": 132,
        "snp": 109,
        "tcp": 6,
        "udp": 17,
    }
)

PROTO_ICMP6 = 58

# ICMP type names of the ASA: each names a whole type (every code).
ICMP_NAMES: Mapping[str, IcmpMatch] = MappingProxyType(
    {
        "echo-reply": IcmpMatch(0),
        "unreachable": IcmpMatch(3),
        "source-quench": IcmpMatch(4),
        "redirect": IcmpMatch(5),
        "alternate-address": IcmpMatch(6),
        "echo": IcmpMatch(8),
        "router-advertisement": IcmpMatch(9),
        "router-solicitation": IcmpMatch(10),
        "time-exceeded": IcmpMatch(11),
        "parameter-problem": IcmpMatch(12),
        "timestamp-request": IcmpMatch(13),
        "timestamp-reply": IcmpMatch(14),
        "information-request": IcmpMatch(15),
        "information-reply": IcmpMatch(16),
        "mask-request": IcmpMatch(17),
        "mask-reply": IcmpMatch(18),
        "traceroute": IcmpMatch(30),
        "conversion-error": IcmpMatch(31),
        "mobile-redirect": IcmpMatch(32),
    }
)

# Syslog levels accepted after `log` in an ACL entry.
LOG_LEVELS: frozenset[str] = frozenset(
    {
        "0",
        "1",
        "2",
        "3",
        "4",
        "5",
        "6",
        "7",
        "emergencies",
        "alerts",
        "critical",
        "errors",
        "warnings",
        "notifications",
        "informational",
        "debugging",
    }
)
