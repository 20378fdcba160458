"""Cisco IOS / IOS-XE configuration parser: `parse(text, path) -> Device`.

Block structure comes from ciscoconfparse2; everything inside a block (ACL entries,
addresses, routes) is tokenised here. The parser walks the top-level blocks once and
dispatches on their first words, so its cost grows with the number of lines only.

Accounting: every non-blank line of the file ends up in exactly one of three states:
parsed into the model, a HARMLESS UnknownLine (comments, banners, management-plane
settings, things that can only drop packets) or a FORWARDING UnknownLine (anything that
might change forwarding or filtering and is not modelled; also any command we do not
recognise). Blank lines are the only lines not recorded. Line numbers are 1-based and
count lines exactly as in the given text (a trailing `\\r` is stripped, nothing is
renumbered).

Soundness choices (the engine may only ever see *more* reachability than the device):

- An ACL entry that cannot be fully interpreted gets `understood=False` and
  `matches=(Match(),)`: the engine treats it as permit-everything when it is a permit
  line and ignores it when it is a deny line.
- Qualifiers that only narrow an entry (`dscp`, `precedence`, `tos`, `ttl`,
  `time-range`, `option`, TCP flags, IGMP types, `packet-length`) are dropped and the
  entry's `approximation` says so: its matches are then a superset of what the device
  matches. `fragments` keeps only the layer-3 part (no ports, flags or ICMP types).
  On a *deny* entry a superset would hide traffic, so the engine treats approximated
  deny entries as matching nothing; the parser still stores the superset there.
- `no ip routing` is recorded as a HARMLESS unknown: the device is then modelled as a
  router, which can only add paths. `ip default-gateway` is HARMLESS too: IOS uses it
  only for the device's own traffic when it does not route.
- Dynamic routing processes are over-approximated (see `DynamicRouting`): OSPF, EIGRP
  and RIP `network` statements are matched against every address of an interface
  (primary and secondary); a wildcard that looks like a netmask is also tried as a
  netmask. BGP runs on the interfaces whose subnets hold a neighbour, or on every
  addressed interface as soon as one neighbour is not directly connected, is iBGP or
  has an unknown remote AS.
- Switchports with a negotiated (DTP) or unset mode are modelled as trunks carrying
  their allowed VLANs, with a ("switchport_negotiation", ...) property.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import partial
from types import MappingProxyType
from typing import Any

from ciscoconfparse2 import CiscoConfParse
from loguru import logger

from nankoku_netcheck.model import (
    IPV4_MAX,
    PROTO_ICMP,
    PROTO_TCP,
    PROTO_UDP,
    Acl,
    AclLine,
    Action,
    Device,
    DynamicRouting,
    IcmpMatch,
    Interface,
    InterfaceAddress,
    Match,
    PortRange,
    Route,
    RouteKind,
    Source,
    StaticArp,
    UnknownKind,
    UnknownLine,
    Wildcard,
    ip_to_int,
    is_decimal,
    mask_to_length,
    normalize_mac,
    prefix_mask,
)
from nankoku_netcheck.vendors.cisco_ios.mgmt import read_management
from nankoku_netcheck.vendors.cisco_ios.names import (
    ICMP_NAMES,
    IGMP_NAMES,
    INTERFACE_ABBREVIATIONS,
    INTERFACE_TYPES,
    PROTOCOL_NAMES,
    TCP_PORT_NAMES,
    UDP_PORT_NAMES,
)
from nankoku_netcheck.vendors.common import (
    INTERFACE_KINDS,
    REASON_DROP_ONLY,
    REASON_MGMT,
    REASON_MONITORING,
    REASON_PLATFORM,
    REASON_ROUTING_POLICY,
    REASON_USED_ELSEWHERE,
    Cursor,
    Dialect,
    LineBook,
    NotUnderstood,
    RoutingDraft,
    bgp_interfaces,
    classful_length,
    descendants,
    file_stem,
    group_of_kind,
    interface_kind,
    ipv4,
    is_ipv4,
    lookup_prefix,
    number,
    port_names_for,
    protocol_numbers,
    range_to_wildcards,
    read_icmp_type,
    read_port_operator,
    read_routing_process,
    required_ports,
    split_words,
    strip_blanks,
    union_or_any,
    vlan_list,
)

VENDOR = "cisco_ios"

HARMLESS = UnknownKind.HARMLESS
FORWARDING = UnknownKind.FORWARDING

# IOS keyword tables; `eq` and `neq` take a list of ports (`eq www 443`).
_DIALECT = Dialect(
    protocol_names=PROTOCOL_NAMES,
    tcp_port_names=TCP_PORT_NAMES,
    udp_port_names=UDP_PORT_NAMES,
    icmp_names=ICMP_NAMES,
    several_ports_per_operator=True,
)

# --- vendor detection -------------------------------------------------------------


# --- interface names --------------------------------------------------------------

_INTERFACE_TYPES_BY_LOWER: Mapping[str, str] = {name.lower(): name for name in INTERFACE_TYPES}


def _interface_type_for(type_text: str) -> str | None:
    lowered = type_text.lower()
    if lowered in _INTERFACE_TYPES_BY_LOWER:
        return _INTERFACE_TYPES_BY_LOWER[lowered]
    if lowered in INTERFACE_ABBREVIATIONS:
        return INTERFACE_ABBREVIATIONS[lowered]
    candidates = [name for low, name in _INTERFACE_TYPES_BY_LOWER.items() if low.startswith(lowered)]
    return candidates[0] if len(candidates) == 1 else None


def _split_interface_name(name: str) -> tuple[str, str]:
    index = 0
    while index < len(name) and (name[index].isalpha() or name[index] == "-"):
        index += 1
    return name[:index], name[index:]


def canonical_interface_name(name: str) -> str:
    """Full IOS interface name for an abbreviation (Gi0/1 → GigabitEthernet0/1,
    po1 → Port-channel1); case-insensitive. Unknown names are returned as given."""
    type_text, number = _split_interface_name(name.strip())
    if not type_text or not number or not is_decimal(number[0]):
        return name
    full_type = _interface_type_for(type_text)
    return full_type + number if full_type else name


# IOS also has bridge-domain interfaces.
_INTERFACE_KINDS: Mapping[str, str] = MappingProxyType({**INTERFACE_KINDS, "BDI": "svi"})


def _interface_kind(canonical: str) -> str:
    type_text, number = _split_interface_name(canonical)
    return interface_kind(type_text, "." in number, _INTERFACE_KINDS)


# --- services and object-groups ------------------------------------------------------


@dataclass(frozen=True)
class _Service:
    """Protocol part of an ACL entry: one conjunction of protocol, ports and ICMP type."""

    protocols: tuple[int, ...] | None
    src_ports: tuple[PortRange, ...] | None = None
    dst_ports: tuple[PortRange, ...] | None = None
    icmp: tuple[IcmpMatch, ...] | None = None
    approximation: str = ""


def _read_service_entry(cursor: Cursor) -> _Service:
    """One `object-group service` entry: `tcp|udp|tcp-udp [source OP ...] [OP ...]`,
    `icmp [type [code]]`, or a bare protocol."""
    word = cursor.take_lower("protocol")
    if word in ("tcp", "udp", "tcp-udp"):
        protocols = {"tcp": (PROTO_TCP,), "udp": (PROTO_UDP,), "tcp-udp": (PROTO_TCP, PROTO_UDP)}[word]
        names = port_names_for(_DIALECT, protocols)
        src_ports = None
        if cursor.peek() == "source":
            cursor.take("source")
            src_ports = required_ports(cursor, names, _DIALECT, "source")
        dst_ports = read_port_operator(cursor, names, _DIALECT)
        return _Service(protocols, src_ports, dst_ports)
    if word == "icmp":
        return _Service((PROTO_ICMP,), icmp=read_icmp_type(cursor, _DIALECT))
    return _Service(protocol_numbers(word, _DIALECT))


@dataclass
class _GroupDraft:
    """An object-group as written; members are resolved lazily (they may nest)."""

    kind: str  # network | service
    name: str
    source: Source
    wildcards: list[Wildcard] = field(default_factory=list)
    services: list[_Service] = field(default_factory=list)
    includes_any: bool = False
    nested: list[str] = field(default_factory=list)
    problem: str = ""  # non-empty: an entry was not understood


# --- ACL drafts ---------------------------------------------------------------------

_STANDARD_ACL_NUMBERS = ((1, 99), (1300, 1999))
_EXTENDED_ACL_NUMBERS = ((100, 199), (2000, 2699))
_OPTION_KEYWORDS = frozenset(
    {
        "log",
        "log-input",
        "established",
        "dscp",
        "precedence",
        "tos",
        "ttl",
        "time-range",
        "fragments",
        "option",
        "ack",
        "fin",
        "psh",
        "rst",
        "syn",
        "urg",
        "match-all",
        "match-any",
        "reflect",
        "packet-length",
    }
)
_TCP_FLAGS = frozenset({"ack", "fin", "psh", "rst", "syn", "urg"})


def _numbered_acl_kind(number: int) -> str | None:
    if any(low <= number <= high for low, high in _STANDARD_ACL_NUMBERS):
        return "standard"
    if any(low <= number <= high for low, high in _EXTENDED_ACL_NUMBERS):
        return "extended"
    return None


@dataclass
class _AclDraft:
    name: str
    kind: str
    source: Source
    entries: dict[int, AclLine] = field(default_factory=dict)
    highest: int = 0  # the largest sequence number in `entries` (kept, not searched: ACLs get long)

    def next_sequence(self) -> int:
        return self.highest + 10

    def add(self, sequence: int, line: AclLine) -> None:
        self.entries[sequence] = line
        self.highest = max(self.highest, sequence)

    def freeze(self) -> Acl:
        ordered = tuple(self.entries[sequence] for sequence in sorted(self.entries))
        return Acl(name=self.name, lines=ordered, source=self.source, kind=self.kind)


# --- interface drafts ---------------------------------------------------------------


@dataclass
class _InterfaceDraft:
    name: str
    source: Source
    kind: str
    primary: InterfaceAddress | None = None
    secondaries: list[InterfaceAddress] = field(default_factory=list)
    virtual_addresses: list[int] = field(default_factory=list)
    shutdown: bool = False
    description: str = ""
    acl_in: str | None = None
    acl_out: str | None = None
    acl_in_source: Source | None = None
    acl_out_source: Source | None = None
    layer2: bool = False
    switchport_mode: str | None = None
    negotiation: str = ""
    access_vlan: int | None = None
    trunk_vlans: tuple[int, ...] | None = None
    encapsulation_vlan: int | None = None
    properties: list[tuple[str, str]] = field(default_factory=list)
    ospf_processes: list[tuple[str, Source]] = field(default_factory=list)
    runs_isis: bool = False
    routed: bool = False  # explicit `no switchport`
    no_autostate: bool = False
    autostate_exclude: bool = False
    directed_broadcast: bool = False

    def may_carry_vlan(self, vlan: int) -> bool:
        """Whether this port may be an up layer-2 port of `vlan` (autostate). When unsure,
        yes: a port with neither switchport nor address lines may be a switchport by the
        platform's default (Catalyst: dynamic, so a trunk of every VLAN)."""
        if self.shutdown or self.autostate_exclude or self.kind not in ("physical", "port-channel"):
            return False
        if not self.layer2:
            return not self.routed and not self.addresses() and self.encapsulation_vlan is None
        if self.switchport_mode == "access":
            voice = [value for key, value in self.properties if key == "voice_vlan"]
            return vlan == (self.access_vlan or 1) or str(vlan) in voice
        return self.trunk_vlans is None or vlan in self.trunk_vlans

    def addresses(self) -> tuple[InterfaceAddress, ...]:
        return ((self.primary,) if self.primary else ()) + tuple(self.secondaries)

    def freeze(self) -> Interface:
        mode = self.switchport_mode
        properties = list(self.properties)
        if self.layer2 and mode is None:
            mode = "trunk"
            properties.append(("switchport_negotiation", self.negotiation or "dynamic (mode not configured)"))
        return Interface(
            name=self.name,
            source=self.source,
            addresses=self.addresses(),
            virtual_addresses=tuple(dict.fromkeys(self.virtual_addresses)),
            shutdown=self.shutdown,
            description=self.description,
            acl_in=self.acl_in,
            acl_out=self.acl_out,
            acl_in_source=self.acl_in_source,
            acl_out_source=self.acl_out_source,
            switchport_mode=mode if self.layer2 else None,
            access_vlan=self.access_vlan,
            trunk_vlans=self.trunk_vlans,
            encapsulation_vlan=self.encapsulation_vlan,
            kind=self.kind,
            properties=tuple(properties),
            directed_broadcast=self.directed_broadcast,
        )


# --- command classification tables ----------------------------------------------------
# Keys are lower-case word prefixes; the longest matching prefix wins. Reasons that the
# other Cisco parser gives in the same words are the REASON_* constants of common.py.

_L2_CONTROL = "layer-2 control protocol setting"
_QOS = "QoS setting (can only delay or drop packets)"
_VOICE = "voice or telephony setting"
_WIRELESS = "wireless setting (checked by later wireless rules)"
_IPV6_SETTING = "IPv6 setting (IPv6 forwarding is reported at 'ipv6 unicast-routing')"
_DEVICE_ONLY = "affects only traffic of the device itself"

_NAT = "NAT is not modelled"
_PBR = "policy-based routing is not modelled"
_ZBF = "zone-based firewall is not modelled"
_VRF = "VRFs are not modelled"
_MULTICAST = "multicast routing is not modelled"
_TUNNEL = "tunnel option is not modelled"
_BRIDGING = "bridging / layer-2 transport is not modelled"

# Global commands the parser models itself (see `top_level`; LineBook.global_forwarding_starts).
_GLOBAL_FORWARDING_STARTS: frozenset[tuple[str, ...]] = frozenset(
    {
        ("interface",),
        ("int",),
        ("access-list",),
        ("router",),
        ("arp",),
        ("ip", "access-list"),
        ("ip", "route"),
        ("ip", "routing"),
        ("ipv6", "route"),
        ("ipv6", "unicast-routing"),
    }
)

_TOP_LEVEL_COMMANDS: Mapping[tuple[str, ...], tuple[UnknownKind, str]] = {
    # headers, footers and markers
    ("building",): (HARMLESS, "show command output header"),
    ("current", "configuration"): (HARMLESS, "show command output header"),
    ("last", "configuration"): (HARMLESS, "show command output header"),
    ("nvram", "config"): (HARMLESS, "show command output header"),
    ("using",): (HARMLESS, "show command output footer"),
    ("end",): (HARMLESS, "end of configuration"),
    ("exit",): (HARMLESS, "configuration mode navigation"),
    ("version",): (HARMLESS, "software version"),
    ("boot",): (HARMLESS, REASON_PLATFORM),
    ("boot-start-marker",): (HARMLESS, REASON_PLATFORM),
    ("boot-end-marker",): (HARMLESS, REASON_PLATFORM),
    ("config-register",): (HARMLESS, REASON_PLATFORM),
    # management plane
    ("service",): (HARMLESS, REASON_MGMT),
    ("logging",): (HARMLESS, REASON_MGMT),
    ("ntp",): (HARMLESS, REASON_MGMT),
    ("sntp",): (HARMLESS, REASON_MGMT),
    ("clock",): (HARMLESS, REASON_MGMT),
    ("snmp-server",): (HARMLESS, REASON_MGMT),
    ("snmp",): (HARMLESS, REASON_MGMT),
    ("aaa",): (HARMLESS, REASON_MGMT),
    ("username",): (HARMLESS, REASON_MGMT),
    ("enable",): (HARMLESS, REASON_MGMT),
    ("password",): (HARMLESS, REASON_MGMT),
    ("privilege",): (HARMLESS, REASON_MGMT),
    ("login",): (HARMLESS, REASON_MGMT),
    ("security",): (HARMLESS, REASON_MGMT),
    ("line",): (HARMLESS, REASON_MGMT),
    ("tacacs-server",): (HARMLESS, REASON_MGMT),
    ("tacacs",): (HARMLESS, REASON_MGMT),
    ("radius-server",): (HARMLESS, REASON_MGMT),
    ("radius",): (HARMLESS, REASON_MGMT),
    ("archive",): (HARMLESS, REASON_MGMT),
    ("alias",): (HARMLESS, REASON_MGMT),
    ("menu",): (HARMLESS, REASON_MGMT),
    ("call-home",): (HARMLESS, REASON_MGMT),
    ("callhome",): (HARMLESS, REASON_MGMT),
    ("ssh", "server"): (HARMLESS, REASON_MGMT),
    ("domain", "name"): (HARMLESS, REASON_MGMT),
    ("domain", "name-server"): (HARMLESS, REASON_MGMT),
    ("domain", "lookup"): (HARMLESS, REASON_MGMT),
    ("domain", "vrf"): (HARMLESS, REASON_MGMT),
    ("role", "name"): (HARMLESS, REASON_MGMT),
    ("file",): (HARMLESS, REASON_MGMT),
    ("hostname",): (HARMLESS, REASON_MGMT),
    ("netconf",): (HARMLESS, REASON_MGMT),
    ("netconf-yang",): (HARMLESS, REASON_MGMT),
    ("restconf",): (HARMLESS, REASON_MGMT),
    ("gnxi",): (HARMLESS, REASON_MGMT),
    ("telemetry",): (HARMLESS, REASON_MGMT),
    ("xml",): (HARMLESS, REASON_MGMT),
    ("wsma",): (HARMLESS, REASON_MGMT),
    ("tftp-server",): (HARMLESS, REASON_MGMT),
    ("ip", "domain"): (HARMLESS, REASON_MGMT),
    ("ip", "domain-name"): (HARMLESS, REASON_MGMT),
    ("ip", "domain-list"): (HARMLESS, REASON_MGMT),
    ("ip", "domain-lookup"): (HARMLESS, REASON_MGMT),
    ("ip", "name-server"): (HARMLESS, REASON_MGMT),
    ("ip", "host"): (HARMLESS, REASON_MGMT),
    ("ip", "ssh"): (HARMLESS, REASON_MGMT),
    ("ip", "scp"): (HARMLESS, REASON_MGMT),
    ("ip", "http"): (HARMLESS, REASON_MGMT),
    ("ip", "ftp"): (HARMLESS, REASON_MGMT),
    ("ip", "tftp"): (HARMLESS, REASON_MGMT),
    ("ip", "rcmd"): (HARMLESS, REASON_MGMT),
    ("ip", "telnet"): (HARMLESS, REASON_MGMT),
    ("ip", "radius"): (HARMLESS, REASON_MGMT),
    ("ip", "tacacs"): (HARMLESS, REASON_MGMT),
    ("ip", "finger"): (HARMLESS, REASON_MGMT),
    ("ip", "bootp"): (HARMLESS, REASON_MGMT),
    ("ip", "sla"): (HARMLESS, REASON_MGMT),
    ("ip", "default-gateway"): (HARMLESS, "used only for the device's own traffic when it does not route"),
    ("crypto",): (HARMLESS, "crypto definition (VPN effects are reported where it is bound to an interface)"),
    ("key",): (HARMLESS, REASON_MGMT),
    ("track",): (HARMLESS, "object tracking (routes that use it are reported)"),
    ("time-range",): (HARMLESS, "time range (ACL entries that use it are approximated)"),
    ("rmon",): (HARMLESS, REASON_MONITORING),
    ("flow",): (HARMLESS, REASON_MONITORING),
    ("sampler",): (HARMLESS, REASON_MONITORING),
    ("ip", "flow-export"): (HARMLESS, REASON_MONITORING),
    ("ip", "flow-cache"): (HARMLESS, REASON_MONITORING),
    ("ip", "flow-top-talkers"): (HARMLESS, REASON_MONITORING),
    ("ip", "flow-aggregation"): (HARMLESS, REASON_MONITORING),
    ("ip", "accounting-threshold"): (HARMLESS, REASON_MONITORING),
    ("ip", "accounting-list"): (HARMLESS, REASON_MONITORING),
    ("ip", "nbar"): (HARMLESS, REASON_MONITORING),
    ("monitor", "capture"): (HARMLESS, REASON_MONITORING),
    ("monitor", "event-trace"): (HARMLESS, REASON_MONITORING),
    ("monitor", "session"): (FORWARDING, "SPAN copies traffic to another port; not modelled"),
    ("event",): (FORWARDING, "EEM applets can change the configuration at run time; not modelled"),
    ("kron",): (FORWARDING, "scheduled commands can change the configuration; not modelled"),
    # platform
    ("platform",): (HARMLESS, REASON_PLATFORM),
    ("license",): (HARMLESS, REASON_PLATFORM),
    ("memory",): (HARMLESS, REASON_PLATFORM),
    ("redundancy",): (HARMLESS, REASON_PLATFORM),
    ("diagnostic",): (HARMLESS, REASON_PLATFORM),
    ("hw-module",): (HARMLESS, REASON_PLATFORM),
    ("card",): (HARMLESS, REASON_PLATFORM),
    ("module",): (HARMLESS, REASON_PLATFORM),
    ("power",): (HARMLESS, REASON_PLATFORM),
    ("environment",): (HARMLESS, REASON_PLATFORM),
    ("exception",): (HARMLESS, REASON_PLATFORM),
    ("scheduler",): (HARMLESS, REASON_PLATFORM),
    ("process-max-time",): (HARMLESS, REASON_PLATFORM),
    ("buffers",): (HARMLESS, REASON_PLATFORM),
    ("transceiver",): (HARMLESS, REASON_PLATFORM),
    ("controller",): (HARMLESS, REASON_PLATFORM),
    ("switch",): (HARMLESS, REASON_PLATFORM),
    ("stack-mac",): (HARMLESS, REASON_PLATFORM),
    ("system",): (HARMLESS, REASON_PLATFORM),
    ("network-clock-participate",): (HARMLESS, REASON_PLATFORM),
    ("network-clock",): (HARMLESS, REASON_PLATFORM),
    ("control-plane",): (HARMLESS, "control-plane policing (traffic to the device only)"),
    ("multilink",): (HARMLESS, REASON_PLATFORM),
    ("subscriber",): (HARMLESS, REASON_PLATFORM),
    ("mmi",): (HARMLESS, REASON_PLATFORM),
    ("virtual-service",): (HARMLESS, REASON_PLATFORM),
    ("vstack",): (HARMLESS, REASON_PLATFORM),
    ("energywise",): (HARMLESS, REASON_PLATFORM),
    ("ip", "cef"): (HARMLESS, "switching path setting"),
    ("ip", "ospf"): (HARMLESS, REASON_MGMT),
    ("spd",): (HARMLESS, REASON_PLATFORM),
    ("ip", "classless"): (HARMLESS, "classless routing (default behaviour)"),
    ("ip", "subnet-zero"): (HARMLESS, "address configuration check"),
    ("ip", "spd"): (HARMLESS, REASON_PLATFORM),
    ("ip", "adjacency"): (HARMLESS, REASON_PLATFORM),
    # layer 2 control
    ("spanning-tree",): (HARMLESS, _L2_CONTROL),
    ("vtp",): (HARMLESS, _L2_CONTROL),
    ("cdp",): (HARMLESS, _L2_CONTROL),
    ("lldp",): (HARMLESS, _L2_CONTROL),
    ("udld",): (HARMLESS, _L2_CONTROL),
    ("errdisable",): (HARMLESS, _L2_CONTROL),
    ("port-channel",): (HARMLESS, _L2_CONTROL),
    ("lacp",): (HARMLESS, _L2_CONTROL),
    ("pagp",): (HARMLESS, _L2_CONTROL),
    ("vlan",): (HARMLESS, "VLAN database entry (only makes VLANs usable)"),
    ("mac", "address-table"): (HARMLESS, "MAC address table setting (MAC pinning is checked separately)"),
    ("mac-address-table",): (HARMLESS, "MAC address table setting (MAC pinning is checked separately)"),
    ("arp",): (HARMLESS, "static ARP entry (MAC pinning is checked separately)"),
    ("ip", "arp"): (HARMLESS, REASON_DROP_ONLY),
    ("ip", "dhcp"): (HARMLESS, "DHCP server / snooping setting"),
    ("ip", "device"): (HARMLESS, REASON_DROP_ONLY),
    ("device-tracking",): (HARMLESS, REASON_DROP_ONLY),
    ("dot1x",): (HARMLESS, REASON_DROP_ONLY),
    ("authentication",): (HARMLESS, REASON_DROP_ONLY),
    ("access-session",): (HARMLESS, REASON_DROP_ONLY),
    ("cts",): (HARMLESS, REASON_DROP_ONLY),
    ("ip", "admission"): (HARMLESS, REASON_DROP_ONLY),
    ("ip", "auth-proxy"): (HARMLESS, REASON_DROP_ONLY),
    ("ip", "ips"): (HARMLESS, REASON_DROP_ONLY),
    ("ip", "audit"): (HARMLESS, REASON_DROP_ONLY),
    ("ip", "options"): (HARMLESS, REASON_DROP_ONLY),
    ("ip", "icmp"): (HARMLESS, _DEVICE_ONLY),
    ("ip", "tcp"): (HARMLESS, _DEVICE_ONLY),
    ("ip", "gratuitous-arps"): (HARMLESS, _DEVICE_ONLY),
    # Which broadcasts `ip helper-address` relays (`nd` is in every default config);
    # `spanning-tree` / `turbo-flood` flood broadcasts without a helper address: FORWARDING.
    ("ip", "forward-protocol", "udp"): (HARMLESS, "broadcast forwarding needs 'ip helper-address', reported there"),
    ("ip", "forward-protocol", "nd"): (HARMLESS, "broadcast forwarding needs 'ip helper-address', reported there"),
    ("ip", "forward-protocol", "sdns"): (HARMLESS, "broadcast forwarding needs 'ip helper-address', reported there"),
    ("ip", "local", "pool"): (HARMLESS, "address pool for VPN clients (VPN bindings are reported)"),
    ("ip", "explicit-path"): (HARMLESS, REASON_ROUTING_POLICY),
    # routing policy and definitions used elsewhere
    ("route-map",): (HARMLESS, "route-map (its uses by PBR or NAT are reported there)"),
    ("ip", "prefix-list"): (HARMLESS, REASON_ROUTING_POLICY),
    ("ip", "as-path"): (HARMLESS, REASON_ROUTING_POLICY),
    ("ip", "community-list"): (HARMLESS, REASON_ROUTING_POLICY),
    ("ip", "extcommunity-list"): (HARMLESS, REASON_ROUTING_POLICY),
    ("ip", "bgp-community"): (HARMLESS, REASON_ROUTING_POLICY),
    ("class-map",): (HARMLESS, REASON_USED_ELSEWHERE),
    ("policy-map",): (HARMLESS, REASON_USED_ELSEWHERE),
    ("parameter-map",): (HARMLESS, REASON_USED_ELSEWHERE),
    ("table-map",): (HARMLESS, _QOS),
    ("ip", "inspect"): (HARMLESS, REASON_USED_ELSEWHERE),
    ("dialer-list",): (HARMLESS, REASON_USED_ELSEWHERE),
    ("chat-script",): (HARMLESS, REASON_USED_ELSEWHERE),
    ("mls",): (HARMLESS, _QOS),
    ("qos",): (HARMLESS, _QOS),
    ("auto",): (HARMLESS, _QOS),
    ("wrr-queue",): (HARMLESS, _QOS),
    ("priority-queue",): (HARMLESS, _QOS),
    ("ip", "igmp"): (HARMLESS, "IGMP setting (multicast routing is reported at 'ip multicast-routing')"),
    ("ip", "pim"): (HARMLESS, "PIM setting (multicast routing is reported at 'ip multicast-routing')"),
    ("ip", "msdp"): (HARMLESS, "MSDP setting (multicast routing is reported at 'ip multicast-routing')"),
    ("ip", "mroute"): (HARMLESS, "multicast RPF route (multicast routing is reported)"),
    ("mpls", "label"): (HARMLESS, "label distribution setting"),
    ("mpls", "ldp"): (HARMLESS, "label distribution setting"),
    # voice and wireless
    ("voice",): (HARMLESS, _VOICE),
    ("voice-card",): (HARMLESS, _VOICE),
    ("voice-port",): (HARMLESS, _VOICE),
    ("dial-peer",): (HARMLESS, _VOICE),
    ("telephony-service",): (HARMLESS, _VOICE),
    ("sip-ua",): (HARMLESS, _VOICE),
    ("stcapp",): (HARMLESS, _VOICE),
    ("sccp",): (HARMLESS, _VOICE),
    ("ephone",): (HARMLESS, _VOICE),
    ("ephone-dn",): (HARMLESS, _VOICE),
    ("ephone-template",): (HARMLESS, _VOICE),
    ("ephone-dn-template",): (HARMLESS, _VOICE),
    ("call-manager-fallback",): (HARMLESS, _VOICE),
    ("gatekeeper",): (HARMLESS, _VOICE),
    ("dspfarm",): (HARMLESS, _VOICE),
    ("application",): (HARMLESS, _VOICE),
    ("dot11",): (HARMLESS, _WIRELESS),
    ("wlccp",): (HARMLESS, _WIRELESS),
    # forwarding features that are not modelled
    ("ip", "nat"): (FORWARDING, _NAT),
    ("ip", "local", "policy"): (FORWARDING, _PBR),
    ("zone", "security"): (FORWARDING, _ZBF),
    ("zone-pair",): (FORWARDING, _ZBF),
    ("vrf",): (FORWARDING, _VRF),
    ("ip", "vrf"): (FORWARDING, _VRF),
    ("ip", "multicast-routing"): (FORWARDING, _MULTICAST),
    ("ip", "default-network"): (FORWARDING, "candidate default network is not modelled"),
    ("ip", "source-route"): (FORWARDING, "IP source routing lets packets choose their path; not modelled"),
    ("ip", "wccp"): (FORWARDING, "WCCP traffic redirection is not modelled"),
    ("bridge",): (FORWARDING, _BRIDGING),
    ("bridge-domain",): (FORWARDING, _BRIDGING),
    ("l2tp-class",): (FORWARDING, _BRIDGING),
    ("pseudowire-class",): (FORWARDING, _BRIDGING),
    ("vpdn",): (FORWARDING, "VPDN tunnels are not modelled"),
    ("vpdn-group",): (FORWARDING, "VPDN tunnels are not modelled"),
}

# `no <command>` lines that are harmless although <command> itself is not in the
# harmless table (disabling a forwarding feature only removes paths).
_NEGATED_HARMLESS: Mapping[tuple[str, ...], str] = {
    ("ip", "source-route"): "source routing disabled",
    ("ip", "multicast-routing"): "multicast routing disabled",
    ("ip", "wccp"): "WCCP disabled",
    ("ipv6", "unicast-routing"): "IPv6 routing disabled",
    ("ipv6", "cef"): "switching path setting",
    ("mpls",): "MPLS feature disabled",
    ("ip", "nat", "service"): "NAT application-level gateway setting",
    ("bridge",): "bridging disabled",
    ("network-clock-participate",): REASON_PLATFORM,
    ("monitor", "session"): "SPAN session removed",
    ("event",): "EEM setting disabled",
}

_INTERFACE_COMMANDS: Mapping[tuple[str, ...], tuple[UnknownKind, str]] = {
    ("speed",): (HARMLESS, REASON_PLATFORM),
    ("duplex",): (HARMLESS, REASON_PLATFORM),
    ("full-duplex",): (HARMLESS, REASON_PLATFORM),
    ("half-duplex",): (HARMLESS, REASON_PLATFORM),
    ("negotiation",): (HARMLESS, REASON_PLATFORM),
    ("mtu",): (HARMLESS, REASON_PLATFORM),
    ("media-type",): (HARMLESS, REASON_PLATFORM),
    ("flowcontrol",): (HARMLESS, REASON_PLATFORM),
    ("carrier-delay",): (HARMLESS, REASON_PLATFORM),
    ("clock",): (HARMLESS, REASON_PLATFORM),
    ("transceiver",): (HARMLESS, REASON_PLATFORM),
    ("hold-queue",): (HARMLESS, _QOS),
    ("tx-ring-limit",): (HARMLESS, _QOS),
    ("tx-queue",): (HARMLESS, _QOS),
    ("fair-queue",): (HARMLESS, _QOS),
    ("max-reserved-bandwidth",): (HARMLESS, _QOS),
    ("shape",): (HARMLESS, _QOS),
    ("priority-queue",): (HARMLESS, _QOS),
    ("srr-queue",): (HARMLESS, _QOS),
    ("wrr-queue",): (HARMLESS, _QOS),
    ("rcv-queue",): (HARMLESS, _QOS),
    ("priority-flow-control",): (HARMLESS, _QOS),
    ("service-policy",): (HARMLESS, _QOS),
    ("qos",): (HARMLESS, _QOS),
    ("mls", "qos"): (HARMLESS, _QOS),
    ("auto", "qos"): (HARMLESS, _QOS),
    ("bandwidth",): (HARMLESS, "routing metric / QoS reference"),
    ("delay",): (HARMLESS, "routing metric"),
    ("load-interval",): (HARMLESS, REASON_MONITORING),
    ("keepalive",): (HARMLESS, "link keepalive"),
    ("encapsulation", "ppp"): (HARMLESS, "serial encapsulation"),
    ("encapsulation", "hdlc"): (HARMLESS, "serial encapsulation"),
    ("ppp",): (HARMLESS, "PPP link setting"),
    ("dialer-group",): (HARMLESS, "dial-on-demand trigger"),
    ("cdp",): (HARMLESS, _L2_CONTROL),
    ("lldp",): (HARMLESS, _L2_CONTROL),
    ("spanning-tree",): (HARMLESS, _L2_CONTROL),
    ("udld",): (HARMLESS, _L2_CONTROL),
    ("lacp",): (HARMLESS, _L2_CONTROL),
    ("pagp",): (HARMLESS, _L2_CONTROL),
    ("vtp",): (HARMLESS, _L2_CONTROL),
    ("storm-control",): (HARMLESS, REASON_DROP_ONLY),
    ("authentication",): (HARMLESS, REASON_DROP_ONLY),
    ("access-session",): (HARMLESS, REASON_DROP_ONLY),
    ("dot1x",): (HARMLESS, REASON_DROP_ONLY),
    ("mab",): (HARMLESS, REASON_DROP_ONLY),
    ("device-tracking",): (HARMLESS, REASON_DROP_ONLY),
    ("cts",): (HARMLESS, REASON_DROP_ONLY),
    ("power",): (HARMLESS, REASON_PLATFORM),
    ("macro",): (HARMLESS, "smartport macro description"),
    ("snmp",): (HARMLESS, REASON_MGMT),
    ("logging",): (HARMLESS, REASON_MGMT),
    ("ntp",): (HARMLESS, REASON_MGMT),
    ("mop",): (HARMLESS, REASON_MGMT),
    ("arp",): (HARMLESS, "ARP setting"),
    ("bfd",): (HARMLESS, "failure detection timer"),
    ("isis",): (HARMLESS, "IS-IS interface setting (routing is over-approximated)"),
    ("ospfv3",): (HARMLESS, "OSPFv3 interface setting (the OSPFv3 process is reported)"),
    ("bgp-policy",): (HARMLESS, _QOS),
    ("h323-gateway",): (HARMLESS, _VOICE),
    ("ethernet", "oam"): (HARMLESS, "link OAM"),
    ("dsl",): (HARMLESS, REASON_PLATFORM),
    ("ssid",): (HARMLESS, _WIRELESS),
    ("encryption",): (HARMLESS, _WIRELESS),
    ("broadcast-key",): (HARMLESS, _WIRELESS),
    ("rts",): (HARMLESS, _WIRELESS),
    ("channel",): (HARMLESS, _WIRELESS),
    ("station-role",): (HARMLESS, _WIRELESS),
    ("antenna",): (HARMLESS, _WIRELESS),
    ("dfs",): (HARMLESS, _WIRELESS),
    ("stbc",): (HARMLESS, _WIRELESS),
    ("world-mode",): (HARMLESS, _WIRELESS),
    ("clns",): (HARMLESS, "CLNS setting"),
    ("autostate",): (HARMLESS, REASON_PLATFORM),
    ("exit",): (HARMLESS, "configuration mode navigation"),
    ("ip", "mtu"): (HARMLESS, REASON_PLATFORM),
    ("ip", "tcp"): (HARMLESS, "TCP MSS / header compression setting"),
    ("ip", "redirects"): (HARMLESS, _DEVICE_ONLY),
    ("ip", "unreachables"): (HARMLESS, _DEVICE_ONLY),
    ("ip", "mask-reply"): (HARMLESS, _DEVICE_ONLY),
    ("ip", "proxy-arp"): (HARMLESS, "proxy ARP (same-subnet reachability is assumed anyway)"),
    ("ip", "local-proxy-arp"): (HARMLESS, "proxy ARP (same-subnet reachability is assumed anyway)"),
    ("ip", "verify"): (HARMLESS, REASON_DROP_ONLY),
    ("ip", "arp"): (HARMLESS, REASON_DROP_ONLY),
    ("ip", "dhcp"): (HARMLESS, "DHCP snooping / relay option setting"),
    ("ip", "route-cache"): (HARMLESS, "switching path setting"),
    ("ip", "mroute-cache"): (HARMLESS, "switching path setting"),
    ("ip", "cef"): (HARMLESS, "switching path setting"),
    ("ip", "load-sharing"): (HARMLESS, "switching path setting"),
    ("ip", "virtual-reassembly"): (HARMLESS, "fragment reassembly"),
    ("ip", "virtual-reassembly-out"): (HARMLESS, "fragment reassembly"),
    ("ip", "flow"): (HARMLESS, REASON_MONITORING),
    ("ip", "accounting"): (HARMLESS, REASON_MONITORING),
    ("ip", "nbar"): (HARMLESS, REASON_MONITORING),
    ("ip", "sticky-arp"): (HARMLESS, "ARP setting"),
    ("ip", "ospf"): (HARMLESS, "OSPF interface setting (routing is over-approximated)"),
    ("ip", "rip"): (HARMLESS, "RIP interface setting (routing is over-approximated)"),
    ("ip", "split-horizon"): (HARMLESS, "routing protocol setting (routing is over-approximated)"),
    ("ip", "summary-address"): (HARMLESS, "routing protocol setting (routing is over-approximated)"),
    ("ip", "authentication"): (HARMLESS, "routing protocol setting (routing is over-approximated)"),
    ("ip", "hello-interval"): (HARMLESS, "routing protocol setting (routing is over-approximated)"),
    ("ip", "hold-time"): (HARMLESS, "routing protocol setting (routing is over-approximated)"),
    ("ip", "bandwidth-percent"): (HARMLESS, "routing protocol setting (routing is over-approximated)"),
    ("ip", "passive-interface"): (HARMLESS, "routing protocol setting (routing is over-approximated)"),
    ("ip", "igmp"): (HARMLESS, "IGMP setting (multicast routing is reported at 'ip multicast-routing')"),
    ("ip", "pim"): (HARMLESS, "PIM setting (multicast routing is reported at 'ip multicast-routing')"),
    ("ip", "multicast"): (HARMLESS, "multicast setting (multicast routing is reported)"),
    ("ip", "mfib"): (HARMLESS, "multicast setting (multicast routing is reported)"),
    ("ip", "sap"): (HARMLESS, "multicast setting (multicast routing is reported)"),
    ("ip", "rtp"): (HARMLESS, _QOS),
    ("ip", "nhrp"): (FORWARDING, "NHRP (DMVPN) is not modelled"),
    ("ip", "nat"): (FORWARDING, _NAT),
    ("ip", "policy"): (FORWARDING, _PBR),
    ("ip", "vrf"): (FORWARDING, _VRF),
    ("ip", "helper-address"): (FORWARDING, "DHCP/UDP broadcast relay (ip helper-address) is not modelled"),
    ("ip", "unnumbered"): (FORWARDING, "unnumbered interfaces are not modelled"),
    ("ip", "inspect"): (FORWARDING, "CBAC inspection opens return traffic dynamically; not modelled"),
    ("ip", "wccp"): (FORWARDING, "WCCP traffic redirection is not modelled"),
    ("ip", "traffic-export"): (FORWARDING, "traffic export copies packets to another port; not modelled"),
    ("vrf",): (FORWARDING, _VRF),
    ("zone-member",): (FORWARDING, _ZBF),
    ("crypto", "map"): (FORWARDING, "crypto map (IPsec VPN) on an interface is not modelled"),
    ("bridge-group",): (FORWARDING, _BRIDGING),
    ("xconnect",): (FORWARDING, _BRIDGING),
    ("service", "instance"): (FORWARDING, _BRIDGING),
    ("l2protocol-tunnel",): (FORWARDING, _BRIDGING),
    ("mpls", "ip"): (HARMLESS, "label switching along IGP routes (routing is over-approximated)"),
    ("mpls", "label"): (HARMLESS, "label distribution setting"),
    ("mpls", "mtu"): (HARMLESS, REASON_PLATFORM),
    ("switchport", "nonegotiate"): (HARMLESS, _L2_CONTROL),
    # A misspelling IOS rejects; either way DTP can only fail to form a trunk the model already assumes.
    ("switchport", "nonnegotiate"): (HARMLESS, _L2_CONTROL),
    ("switchport", "port-security"): (HARMLESS, "port security (MAC pinning is checked separately)"),
    ("switchport", "trunk", "encapsulation"): (HARMLESS, _L2_CONTROL),
    ("switchport", "trunk", "pruning"): (HARMLESS, _L2_CONTROL),
    ("switchport", "protected"): (HARMLESS, REASON_DROP_ONLY),
    ("switchport", "block"): (HARMLESS, REASON_DROP_ONLY),
    ("switchport", "backup"): (HARMLESS, "flex-link backup (the physical link is modelled)"),
    ("switchport", "host"): (HARMLESS, _L2_CONTROL),
    ("switchport", "private-vlan"): (FORWARDING, "private VLANs are not modelled"),
    ("switchport", "capture"): (FORWARDING, "capture ports receive copies of traffic; not modelled"),
    ("switchport", "mode", "private-vlan"): (FORWARDING, "private VLANs are not modelled"),
    ("switchport", "mode", "dot1q-tunnel"): (FORWARDING, "802.1Q tunnelling is not modelled"),
}

_INTERFACE_NEGATED_HARMLESS: Mapping[tuple[str, ...], str] = {
    ("ip", "address"): "",
    ("shutdown",): "",
    # No ("switchport",): `no switchport access vlan` or `no switchport trunk allowed vlan`
    # widen what the port carries; the negation is classified like the command it undoes.
    ("switchport", "dot1q", "ethertype"): "default 802.1Q ethertype",
    ("switchport", "monitor"): "SPAN destination disabled",
    ("switchport", "priority"): "voice priority setting disabled",
    ("mpls",): "MPLS feature disabled",
    ("ip", "pim"): "multicast setting disabled",
    ("ip", "nat"): "NAT disabled",
    ("ip", "wccp"): "WCCP disabled",
    ("ip", "inspect"): "inspection disabled",
    ("bridge-group",): "bridging disabled",
    ("nameif",): "interface name removed",
    ("security-level",): "security level removed",
    ("description",): "no description",
    ("ip", "helper-address"): "no relay",
    ("ip", "policy"): "no PBR",
    ("crypto", "map"): "no crypto map",
}


_BANNER_TYPES = frozenset(
    {
        "motd",
        "login",
        "exec",
        "incoming",
        "slip-ppp",
        "prompt-timeout",
        "config-save",
    }
)
_CLI_PROMPT = re.compile(
    r"^[A-Za-z0-9_.\-@]+(?:\([a-z0-9\-]+\))?[#>][ \t]*"
    r"(?:(?:sh|show|more|term|terminal|wr|write|copy|conf|configure|en|enable)\b.*)?$"
)


def _find_banner_end(lines: Sequence[str], start: int) -> int:
    """Index of the last line of the banner that begins at `start` (IOS: the banner runs
    to the next occurrence of its delimiter). Without a closing delimiter only the
    first line is taken, so that the rest of the file is still read as configuration."""
    text = lines[start].lstrip(" \t")[len("banner") :].lstrip(" \t")
    first, _, rest = text.partition(" ")
    if first.lower() in _BANNER_TYPES:
        text = rest.lstrip(" \t") if rest else ""
    if not text:
        return start
    delimiter = "^C" if text.startswith("^C") else text[0]
    if delimiter in text[len(delimiter) :]:
        return start
    for index in range(start + 1, len(lines)):
        if delimiter in lines[index]:
            return index
    return start


def _find_macro_end(lines: Sequence[str], start: int) -> int:
    for index in range(start + 1, len(lines)):
        if strip_blanks(lines[index]) == "@":
            return index
    return start


# --- the parser -------------------------------------------------------------------------


class _IosParser(LineBook):
    """Builds one Device; the state of one file."""

    global_forwarding_starts = _GLOBAL_FORWARDING_STARTS

    def __init__(self, text: str, path: str) -> None:
        super().__init__(text, path)
        self.hostname = ""
        self.interfaces: dict[str, _InterfaceDraft] = {}
        self.acls: dict[str, _AclDraft] = {}
        self.groups: dict[str, _GroupDraft] = {}
        self.resolved_networks: dict[str, tuple[Wildcard, ...] | None] = {}
        self.resolved_services: dict[str, tuple[_Service, ...]] = {}
        self.routes: list[Route] = []
        self.routing: list[RoutingDraft] = []
        self.ipv6_routing_lines: list[int] = []
        self.ipv6_interface_lines: list[int] = []
        self.multiline_blocks: list[tuple[int, int, str]] = []  # banner / macro text: (first, last, reason)
        self.static_arps: list[StaticArp] = []

    # -- driver

    def run(self) -> Device:
        structure_lines = self.claim_multiline_blocks()
        free_text = {index for first, last, _ in self.multiline_blocks for index in range(first, last + 1)}
        self.claim_rejected_lines(structure_lines, free_text, self.outcome_as_typed)
        top_level = [obj for obj in block_tree(structure_lines) if obj.parent is obj]
        for obj in top_level:
            if obj.linenum not in self.outcome and self.first_word(obj.linenum) == "object-group":
                self.object_group(obj)
        for obj in top_level:
            if obj.linenum not in self.outcome:
                self.top_level(obj)
        self.classify_ipv6()
        return self.build_device()

    def outcome_as_typed(self, lines: list[str]) -> dict[int, UnknownLine | None]:
        """Every line's outcome when the file is `lines` (see `claim_rejected_lines`)."""
        copy = _IosParser("", self.path)
        copy.lines = lines
        copy.run()
        return dict(copy.outcome)

    def first_word(self, index: int) -> str:
        words = self.words(index)
        return words[0].lower() if words else ""

    def claim_multiline_blocks(self) -> list[str]:
        """Banners and smartport macros are free text up to a delimiter; they are marked
        here and hidden from ciscoconfparse2 (as comments) so that no text inside them is
        ever read as configuration and line numbers stay those of the file."""
        structure = list(self.lines)
        index = 0
        while index < len(self.lines):
            line = self.lines[index]
            # Cheap prefix test first: this loop sees every line of the file.
            words = split_words(line) if line[:6].lower() in ("banner", "macro ") else []
            first = words[0].lower() if words else ""
            if first == "banner":
                end, reason = _find_banner_end(self.lines, index), "banner text"
            elif first == "macro" and len(words) > 1 and words[1].lower() == "name":
                end, reason = _find_macro_end(self.lines, index), "smartport macro definition"
            else:
                index += 1
                continue
            for banner_index in range(index, end + 1):
                self.unknown(banner_index, HARMLESS, reason)
                structure[banner_index] = "!"
            self.multiline_blocks.append((index, end, reason))
            index = end + 1
        return structure

    # -- top level

    def top_level(self, obj: Any) -> None:
        index = obj.linenum
        if self.comment_or_blank(index):
            return
        words = self.words(index)
        lowered = [word.lower() for word in words[:4]]
        first = lowered[0]
        second = lowered[1] if len(lowered) > 1 else ""
        if first == "hostname" and len(words) > 1:
            self.hostname = words[1].strip('"')
            self.parsed(index)
            self.unexpected_children(obj)
        elif first == "ip" and second == "routing":
            self.parsed(index)
            self.unexpected_children(obj)
        elif first in ("interface", "int"):
            self.interface(obj, words)
        elif first == "access-list":
            self.numbered_acl_entry(obj, words)
        elif first == "ip" and second == "access-list":
            self.named_acl(obj, words)
        elif first == "ip" and second == "route":
            self.static_route(obj, words)
        elif first == "arp":
            self.static_arp_entry(index, words)
            self.classify_top_level(obj, words, lowered)
        elif first == "router":
            self.routing_process(obj, words)
        elif first == "ipv6":
            if second == "unicast-routing":
                self.ipv6_routing_lines.append(index)
            self.mark_block(obj, HARMLESS, _IPV6_SETTING)
        elif first == "no":
            self.negated_top_level(obj, lowered)
        else:
            self.classify_top_level(obj, words, lowered)

    def classify_top_level(self, obj: Any, words: list[str], lowered: list[str]) -> None:
        entry = lookup_prefix(_TOP_LEVEL_COMMANDS, lowered)
        if entry is not None:
            self.mark_block(obj, entry[0], entry[1])
        elif _CLI_PROMPT.match(strip_blanks(self.lines[obj.linenum])):
            self.mark_block(obj, HARMLESS, "CLI prompt or command echo")
        else:
            self.mark_block(obj, FORWARDING, f"unrecognised command '{' '.join(words[:2])}'")

    def negated_top_level(self, obj: Any, lowered: list[str]) -> None:
        rest = lowered[1:]
        if rest[:2] == ["ip", "routing"]:
            self.mark_block(
                obj, HARMLESS, "device does not route IPv4; it is modelled as a router (over-approximation)"
            )
            return
        if rest and rest[0] == "ipv6":
            self.mark_block(obj, HARMLESS, _IPV6_SETTING)
            return
        negated_reason = lookup_prefix(_NEGATED_HARMLESS, rest)
        entry = lookup_prefix(_TOP_LEVEL_COMMANDS, rest)
        if negated_reason is not None:
            self.mark_block(obj, HARMLESS, negated_reason)
        elif entry is not None and entry[0] is HARMLESS:
            self.mark_block(obj, HARMLESS, entry[1])
        else:
            words = self.words(obj.linenum)
            self.mark_block(obj, FORWARDING, f"unrecognised command '{' '.join(words[:3])}'")

    # -- interfaces

    def interface(self, obj: Any, words: list[str]) -> None:
        index = obj.linenum
        name_words = words[1:]
        split_number = len(name_words) >= 2 and is_decimal(name_words[1][:1])
        if split_number and not any(is_decimal(character) for character in name_words[0]):
            name_words = [name_words[0] + name_words[1], *name_words[2:]]
        extra = [word.lower() for word in name_words[1:]]
        if not name_words or extra not in ([], ["point-to-point"], ["multipoint"]):
            self.mark_block(obj, FORWARDING, f"interface declaration not understood: '{' '.join(words)}'")
            return
        name = canonical_interface_name(name_words[0])
        draft = self.interfaces.get(name)
        if draft is None:
            draft = _InterfaceDraft(name=name, source=self.source(index), kind=_interface_kind(name))
            self.interfaces[name] = draft
        self.parsed(index)
        for child in obj.children:
            self.interface_command(draft, child)

    def interface_command(self, draft: _InterfaceDraft, obj: Any) -> None:
        index = obj.linenum
        if self.comment_or_blank(index):
            return
        words = self.words(index)
        lowered = [word.lower() for word in words]
        handled = self.interface_command_known(draft, obj, words, lowered)
        if handled:
            return
        if lowered[0] == "no":
            self.negated_interface_command(obj, lowered[1:])
            return
        entry = lookup_prefix(_INTERFACE_COMMANDS, lowered)
        if entry is None:
            self.mark_block(obj, FORWARDING, f"interface command '{' '.join(words[:2])}' is not modelled")
        else:
            self.mark_block(obj, entry[0], entry[1])

    def interface_command_known(self, draft: _InterfaceDraft, obj: Any, words: list[str], lowered: list[str]) -> bool:
        """Commands that feed the model; False when the command is classified by table."""
        index = obj.linenum
        first = lowered[0]
        second = lowered[1] if len(lowered) > 1 else ""
        if first == "description":
            draft.description = strip_blanks(strip_blanks(self.lines[index])[len(words[0]) :])
        elif first == "shutdown" and len(lowered) == 1:
            draft.shutdown = True
        elif lowered[:2] == ["no", "shutdown"]:
            draft.shutdown = False
        elif lowered[:3] == ["no", "ip", "address"]:
            draft.primary, draft.secondaries = None, []
        elif lowered[:2] == ["ip", "directed-broadcast"]:
            # With an ACL argument only matching broadcasts are forwarded; taken as all of them.
            draft.directed_broadcast = True
        elif lowered[:3] == ["no", "ip", "directed-broadcast"]:
            draft.directed_broadcast = False
        elif lowered[:2] == ["no", "switchport"] and len(lowered) == 2:
            draft.layer2, draft.switchport_mode, draft.routed = False, None, True
        elif lowered in (["autostate"], ["no", "autostate"]):
            draft.no_autostate = first == "no"
        elif first == "ip" and second == "address":
            return self.interface_address(draft, obj, words, lowered)
        elif first == "ip" and second == "access-group":
            return self.interface_access_group(draft, obj, words, lowered)
        elif first == "ip" and second == "ospf" and len(lowered) >= 5 and lowered[3] == "area":
            draft.ospf_processes.append((words[2], self.source(index)))
        elif first == "ip" and second == "router" and len(lowered) >= 3 and lowered[2] == "isis":
            draft.runs_isis = True
        elif first in ("standby", "vrrp", "glbp"):
            self.first_hop_redundancy(draft, obj, words, lowered)
            return True
        elif first == "switchport" and not self.is_table_switchport(lowered):
            return self.switchport(draft, obj, words, lowered)
        elif first == "encapsulation" and second == "dot1q":
            return self.dot1q(draft, obj, words, lowered)
        elif first == "channel-group" and len(words) >= 2:
            draft.properties.append(("channel_group", words[1]))
        elif first == "tunnel":
            return self.tunnel_command(draft, obj, words, lowered)
        elif first == "ipv6":
            if second in ("address", "enable"):
                self.ipv6_interface_lines.append(index)
            self.mark_block(obj, HARMLESS, _IPV6_SETTING)
            return True
        elif first == "service-policy" and "epbr" in lowered:
            self.mark_block(obj, FORWARDING, _PBR)
            return True
        else:
            return False
        self.parsed(index)
        self.unexpected_children(obj)
        return True

    @staticmethod
    def is_table_switchport(lowered: list[str]) -> bool:
        return lookup_prefix(_INTERFACE_COMMANDS, lowered) is not None

    def negated_interface_command(self, obj: Any, rest: list[str]) -> None:
        reason = lookup_prefix(_INTERFACE_NEGATED_HARMLESS, rest)
        entry = lookup_prefix(_INTERFACE_COMMANDS, rest)
        if rest and rest[0] == "ipv6":
            self.mark_block(obj, HARMLESS, _IPV6_SETTING)
        elif reason is not None:
            self.mark_block(obj, HARMLESS, reason or "feature disabled")
        elif entry is not None and entry[0] is HARMLESS:
            self.mark_block(obj, HARMLESS, entry[1])
        else:
            words = self.words(obj.linenum)
            self.mark_block(obj, FORWARDING, f"interface command '{' '.join(words[:3])}' is not modelled")

    def interface_address(self, draft: _InterfaceDraft, obj: Any, words: list[str], lowered: list[str]) -> bool:
        """`ip address A M [secondary]` (also `A/len`, as IOS-XE prints it on some trains)."""
        index = obj.linenum
        if len(words) >= 3 and lowered[2] in ("dhcp", "negotiated", "pool"):
            self.mark_block(obj, FORWARDING, f"address obtained by '{lowered[2]}' is not known")
            return True
        arguments = words[2:]
        secondary = bool(arguments) and arguments[-1].lower() == "secondary"
        if secondary:
            arguments = arguments[:-1]
        address = _interface_address(arguments, secondary)
        if address is None:
            self.mark_block(obj, FORWARDING, f"interface address not understood: '{' '.join(words[2:])}'")
            return True
        if secondary:
            draft.secondaries.append(address)
        else:
            draft.primary = address
        self.parsed(index)
        self.unexpected_children(obj)
        return True

    def interface_access_group(self, draft: _InterfaceDraft, obj: Any, words: list[str], lowered: list[str]) -> bool:
        index = obj.linenum
        if len(words) != 4 or lowered[3] not in ("in", "out"):
            self.mark_block(obj, FORWARDING, "ACL binding without a clear direction is not modelled")
            return True
        if lowered[3] == "in":
            draft.acl_in, draft.acl_in_source = words[2], self.source(index)
        else:
            draft.acl_out, draft.acl_out_source = words[2], self.source(index)
        self.parsed(index)
        self.unexpected_children(obj)
        return True

    def first_hop_redundancy(self, draft: _InterfaceDraft, obj: Any, words: list[str], lowered: list[str]) -> None:
        """`standby|vrrp|glbp [N] ip A [secondary]` and VRRPv3 `address A` give virtual
        addresses; every other FHRP setting only decides who owns them."""
        index = obj.linenum
        position = 1
        if position < len(lowered) and is_decimal(lowered[position]):
            position += 1
        if lowered[position : position + 1] == ["ip"] and position + 1 < len(words):
            if not is_ipv4(words[position + 1]):
                self.mark_block(obj, FORWARDING, "first-hop redundancy address not understood")
                return
            draft.virtual_addresses.append(ip_to_int(words[position + 1]))
            self.parsed(index)
        else:
            self.unknown(index, HARMLESS, "first-hop redundancy setting")
        for child in descendants(obj):
            child_words = self.words(child.linenum)
            if self.comment_or_blank(child.linenum):
                continue
            if child_words[0].lower() == "address" and len(child_words) >= 2 and is_ipv4(child_words[1]):
                draft.virtual_addresses.append(ip_to_int(child_words[1]))
                self.parsed(child.linenum)
            else:
                self.unknown(child.linenum, HARMLESS, "first-hop redundancy setting")

    def switchport(self, draft: _InterfaceDraft, obj: Any, words: list[str], lowered: list[str]) -> bool:
        index = obj.linenum
        try:
            self.apply_switchport(draft, words, lowered)
        except NotUnderstood as problem:
            self.mark_block(obj, FORWARDING, f"switchport command not understood: {problem}")
            return True
        self.parsed(index)
        self.unexpected_children(obj)
        return True

    def apply_switchport(self, draft: _InterfaceDraft, words: list[str], lowered: list[str]) -> None:
        draft.layer2 = True
        rest = lowered[1:]
        if not rest:
            return
        if rest[0] == "mode" and len(rest) >= 2:
            if rest[1] in ("access", "trunk"):
                draft.switchport_mode = rest[1]
            elif rest[1] == "dynamic":
                draft.switchport_mode = None
                draft.negotiation = " ".join(rest[1:])
            else:
                raise NotUnderstood(f"mode '{rest[1]}'")
        elif rest[:2] == ["access", "vlan"] and len(rest) == 3:
            draft.access_vlan = number(rest[2], 1, 4094, "VLAN")
        elif rest[:3] == ["trunk", "allowed", "vlan"] and len(rest) >= 4:
            draft.trunk_vlans = _allowed_vlans(draft.trunk_vlans, rest[3:])
        elif rest[:3] == ["trunk", "native", "vlan"] and len(rest) == 4:
            draft.properties.append(("trunk_native_vlan", str(number(rest[3], 1, 4094, "VLAN"))))
        elif rest[:2] == ["voice", "vlan"] and len(rest) == 3:
            draft.properties.append(("voice_vlan", words[3]))
        elif rest == ["autostate", "exclude"]:
            draft.autostate_exclude = True
        else:
            raise NotUnderstood(f"'{' '.join(words[1:3])}'")

    def dot1q(self, draft: _InterfaceDraft, obj: Any, words: list[str], lowered: list[str]) -> bool:
        index = obj.linenum
        if (
            len(lowered) in (3, 4)
            and is_decimal(lowered[2])
            and 1 <= int(lowered[2]) <= 4094
            and (len(lowered) == 3 or lowered[3] == "native")
        ):
            draft.encapsulation_vlan = int(lowered[2])
            if len(lowered) == 4:
                draft.properties.append(("dot1q_native", "yes"))
            self.parsed(index)
            self.unexpected_children(obj)
        else:
            self.mark_block(obj, FORWARDING, f"encapsulation not modelled: '{self.lines[index].strip()}'")
        return True

    def tunnel_command(self, draft: _InterfaceDraft, obj: Any, words: list[str], lowered: list[str]) -> bool:
        index = obj.linenum
        if len(words) == 3 and lowered[1] in ("source", "destination"):
            value = words[2] if lowered[1] == "destination" else canonical_interface_name(words[2])
            draft.properties.append((f"tunnel_{lowered[1]}", value))
        elif lowered[1:] == ["mode", "gre", "ip"]:
            draft.properties.append(("tunnel_mode", "gre ip"))
        else:
            self.mark_block(obj, FORWARDING, f"{_TUNNEL}: '{' '.join(words[:3])}'")
            return True
        self.parsed(index)
        self.unexpected_children(obj)
        return True

    # -- object-groups

    def object_group(self, obj: Any) -> None:
        index = obj.linenum
        words = self.words(index)
        kind = words[1].lower() if len(words) > 1 else ""
        if kind not in ("network", "service") or len(words) != 3:
            self.mark_block(obj, FORWARDING, f"object-group type '{kind}' is not modelled")
            return
        group = _GroupDraft(kind=kind, name=words[2], source=self.source(index))
        if words[2] in self.groups:
            group = self.groups[words[2]]
            if group.kind != kind:
                self.mark_block(obj, FORWARDING, f"object-group '{words[2]}' defined with two types")
                return
        self.groups[words[2]] = group
        self.parsed(index)
        for child in obj.children:
            self.object_group_entry(group, child)

    def object_group_entry(self, group: _GroupDraft, obj: Any) -> None:
        if self.comment_or_blank(obj.linenum):
            return
        reason = self.definition_line(obj.linenum, group, "object-group entry", partial(self.group_words, group))
        if reason is None:
            self.unexpected_children(obj)
        else:
            self.mark_block(obj, FORWARDING, reason)

    def group_words(self, group: _GroupDraft, words: list[str]) -> None:
        first = words[0].lower()
        if first == "group-object" and len(words) == 2:
            group.nested.append(words[1])
        elif group.kind == "network":
            self.network_group_entry(group, words)
        else:
            cursor = Cursor(words)
            group.services.append(_read_service_entry(cursor))
            if not cursor.done():
                raise NotUnderstood(f"unexpected '{cursor.take('word')}'")

    @staticmethod
    def network_group_entry(group: _GroupDraft, words: list[str]) -> None:
        first = words[0].lower()
        if first == "any" and len(words) == 1:
            group.includes_any = True
        elif first == "host" and len(words) == 2:
            group.wildcards.append(Wildcard.host(ipv4(words[1])))
        elif first == "range" and len(words) == 3:
            low, high = ipv4(words[1]), ipv4(words[2])
            if high < low:
                raise NotUnderstood(f"empty range {words[1]}-{words[2]}")
            group.wildcards.extend(range_to_wildcards(low, high))
        elif "/" in words[0] and len(words) == 1:
            address, _, length = words[0].partition("/")
            group.wildcards.append(Wildcard.prefix(ipv4(address), number(length, 0, 32, "prefix length")))
        elif len(words) == 2 and words[1].startswith("/"):
            length = number(words[1][1:], 0, 32, "prefix length")
            group.wildcards.append(Wildcard.prefix(ipv4(words[0]), length))
        elif len(words) == 2:
            length = mask_to_length(ipv4(words[1]))
            if length is None:
                raise NotUnderstood(f"'{words[1]}' is not a netmask")
            group.wildcards.append(Wildcard.prefix(ipv4(words[0]) & prefix_mask(length), length))
        else:
            raise NotUnderstood(f"'{' '.join(words)}'")

    def network_group(self, name: str, trail: tuple[str, ...] = ()) -> tuple[Wildcard, ...] | None:
        if name in self.resolved_networks and not trail:
            return self.resolved_networks[name]
        group = group_of_kind(self.groups, name, "network", trail)
        members: list[Wildcard] = list(group.wildcards)
        if group.includes_any:
            members.append(Wildcard.any())
        for nested in group.nested:
            resolved = self.network_group(nested, (*trail, name))
            members.extend(resolved if resolved is not None else (Wildcard.any(),))
        result = union_or_any(members)
        if not trail:
            self.resolved_networks[name] = result
        return result

    def service_group(self, name: str, trail: tuple[str, ...] = ()) -> tuple[_Service, ...]:
        if name in self.resolved_services and not trail:
            return self.resolved_services[name]
        group = group_of_kind(self.groups, name, "service", trail)
        services = list(group.services)
        for nested in group.nested:
            services.extend(self.service_group(nested, (*trail, name)))
        result = tuple(dict.fromkeys(services))
        if not trail:
            self.resolved_services[name] = result
        return result

    # -- ACLs

    def acl_draft(self, name: str, kind: str, index: int) -> _AclDraft:
        draft = self.acls.get(name)
        if draft is None:
            draft = _AclDraft(name=name, kind=kind, source=self.source(index))
            self.acls[name] = draft
        return draft

    def numbered_acl_entry(self, obj: Any, words: list[str]) -> None:
        index = obj.linenum
        if len(words) < 3 or not is_decimal(words[1]):
            if len(words) >= 2 and words[1].lower() in ("compiled", "rate-limit", "dynamic-extended"):
                self.mark_block(obj, HARMLESS, "ACL engine setting")
            else:
                reason = f"access-list command not understood: '{' '.join(words[:3])}'"
                self.mark_block(obj, FORWARDING, reason)
            return
        kind = _numbered_acl_kind(int(words[1]))
        if kind is None:
            self.mark_block(obj, HARMLESS, "non-IP access list (not used for IPv4 filtering)")
            return
        draft = self.acl_draft(words[1], kind, index)
        self.acl_entry(draft, obj, words[2:], sequence=None)

    def named_acl(self, obj: Any, words: list[str]) -> None:
        index = obj.linenum
        lowered = [word.lower() for word in words]
        if len(words) == 4 and lowered[2] in ("standard", "extended"):
            draft = self.acl_draft(words[3], lowered[2], index)
            if draft.kind != lowered[2]:
                self.mark_block(obj, FORWARDING, f"ACL '{words[3]}' defined as both standard and extended")
                return
            self.parsed(index)
            for child in obj.children:
                self.named_acl_child(draft, child)
        elif len(words) >= 3 and lowered[2] in ("logging", "log-update", "resequence"):
            self.mark_block(obj, HARMLESS, "ACL logging or numbering setting")
        elif len(words) >= 3 and lowered[2] == "role-based":
            self.mark_block(obj, HARMLESS, REASON_DROP_ONLY)
        else:
            self.mark_block(obj, FORWARDING, f"access list type '{' '.join(words[2:3])}' is not modelled")

    def named_acl_child(self, draft: _AclDraft, obj: Any) -> None:
        index = obj.linenum
        if self.comment_or_blank(index):
            return
        words = self.words(index)
        sequence = None
        if is_decimal(words[0]):
            sequence, words = int(words[0]), words[1:]
        if words and words[0].lower() == "statistics":
            self.mark_block(obj, HARMLESS, REASON_MONITORING)
            return
        self.acl_entry(draft, obj, words, sequence)

    def acl_entry(self, draft: _AclDraft, obj: Any, words: list[str], sequence: int | None) -> None:
        """One `[seq] permit|deny|remark|evaluate|dynamic ...` entry of `draft`."""
        index = obj.linenum
        keyword = words[0].lower() if words else ""
        if keyword == "remark":
            self.parsed(index)
            self.unexpected_children(obj)
            return
        if sequence is not None and sequence in draft.entries:
            self.mark_block(obj, FORWARDING, f"duplicate sequence number {sequence}: IOS rejects this entry")
            return
        effective_sequence = sequence if sequence is not None else draft.next_sequence()
        if keyword in ("permit", "deny"):
            action = Action.PERMIT if keyword == "permit" else Action.DENY
            line = self.acl_line(draft.kind, action, words[1:], index, effective_sequence)
        elif keyword in ("evaluate", "dynamic"):
            what = "reflexive ACL evaluation" if keyword == "evaluate" else "lock-and-key dynamic entry"
            line = self.not_understood_line(Action.PERMIT, index, effective_sequence, f"{what} is not modelled")
        else:
            line = self.not_understood_line(
                Action.PERMIT, index, effective_sequence, f"ACL entry not understood: unexpected '{keyword}'"
            )
        draft.add(effective_sequence, line)
        if index not in self.outcome:
            self.parsed(index)
        self.unexpected_children(obj)

    def not_understood_line(self, action: Action, index: int, sequence: int, reason: str) -> AclLine:
        self.unknown(index, FORWARDING, reason)
        return AclLine(
            action=action, matches=(Match(),), source=self.source(index), sequence=sequence, understood=False
        )

    def acl_line(self, kind: str, action: Action, words: list[str], index: int, sequence: int) -> AclLine:
        cursor = Cursor(words)
        try:
            if kind == "standard":
                matches, approximation = self.standard_entry(cursor), ""
            else:
                matches, approximation = self.extended_entry(cursor)
        except NotUnderstood as problem:
            return self.not_understood_line(action, index, sequence, f"ACL entry not understood: {problem}")
        return AclLine(
            action=action, matches=matches, source=self.source(index), sequence=sequence, approximation=approximation
        )

    def address(self, cursor: Cursor) -> tuple[Wildcard, ...] | None:
        word = cursor.take("address")
        lowered = word.lower()
        if lowered == "any":
            return None
        if lowered == "host":
            return (Wildcard.host(ipv4(cursor.take("host address"))),)
        if lowered == "object-group":
            return self.network_group(cursor.take("object-group name"))
        address = ipv4(word)
        wildcard = ipv4(cursor.take("wildcard"))
        return union_or_any([Wildcard(address, wildcard).normalized()])

    def standard_entry(self, cursor: Cursor) -> tuple[Match, ...]:
        word = cursor.peek()
        if word in ("any", "host"):
            source = self.address(cursor)
        else:
            address = ipv4(cursor.take("address"))
            following = cursor.peek()
            if following is not None and is_ipv4(following):
                source = union_or_any([Wildcard(address, ip_to_int(cursor.take("wildcard"))).normalized()])
            else:
                source = (Wildcard.host(address),)
        _skip_logging(cursor)
        if not cursor.done():
            raise NotUnderstood(f"unexpected '{cursor.take('word')}'")
        return (Match(src=source),)

    def extended_entry(self, cursor: Cursor) -> tuple[tuple[Match, ...], str]:
        protocol_word = cursor.take("protocol")
        from_group = protocol_word.lower() == "object-group"
        single_protocol: tuple[int, ...] | None = None
        if from_group:
            # An empty service group leaves no services: the entry then matches nothing.
            services = self.service_group(cursor.take("object-group name"))
        else:
            single_protocol = protocol_numbers(protocol_word, _DIALECT)
        takes_ports = single_protocol in ((PROTO_TCP,), (PROTO_UDP,))
        names = port_names_for(_DIALECT, single_protocol) if takes_ports and single_protocol else {}
        source = self.address(cursor)
        src_ports = read_port_operator(cursor, names, _DIALECT) if takes_ports else None
        destination = self.address(cursor)
        dst_ports = read_port_operator(cursor, names, _DIALECT) if takes_ports else None
        icmp = read_icmp_type(cursor, _DIALECT) if single_protocol == (PROTO_ICMP,) else None
        notes: list[str] = []
        if (
            single_protocol == (2,)
            and cursor.peek() is not None
            and (cursor.peek() in IGMP_NAMES or is_decimal(cursor.peek() or ""))
        ):
            notes.append(f"IGMP type '{cursor.take('IGMP type')}' ignored")
        if not from_group:
            services = (_Service(single_protocol, src_ports, dst_ports, icmp),)
        options = _read_options(cursor, services)
        notes.extend(options.notes)
        matches = tuple(
            dict.fromkeys(
                _service_match(service, source, destination, options.established, options.fragments)
                for service in services
            )
        )
        return matches, "; ".join(notes)

    # -- static routes

    def static_route(self, obj: Any, words: list[str]) -> None:
        index = obj.linenum
        lowered = [word.lower() for word in words]
        if len(lowered) > 2 and lowered[2] == "vrf":
            self.mark_block(obj, FORWARDING, _VRF)
            return
        try:
            route, tracked = self.read_static_route(words, index)
        except NotUnderstood as problem:
            self.mark_block(obj, FORWARDING, f"static route not understood: {problem}")
            return
        self.routes.append(route)
        if tracked is None:
            self.parsed(index)
        else:
            self.unknown(
                index,
                FORWARDING,
                f"route depends on 'track {tracked}' and may be withdrawn; object tracking is not modelled",
            )
        self.unexpected_children(obj)

    def read_static_route(self, words: list[str], index: int) -> tuple[Route, str | None]:
        """`ip route P M {NEXTHOP | IFACE [NEXTHOP]} [AD] [tag N] [name X] [permanent] [track N]`."""
        cursor = Cursor(words[2:])
        prefix = ipv4(cursor.take("prefix"))
        mask = ipv4(cursor.take("netmask"))
        length = mask_to_length(mask)
        if length is None:
            raise NotUnderstood(f"non-contiguous netmask {words[3]}")
        if prefix & ~mask & IPV4_MAX:
            raise NotUnderstood(f"{words[2]} has bits outside netmask {words[3]} (IOS rejects it)")
        first = cursor.take("next hop")
        next_hop: int | None = None
        interface: str | None = None
        if is_ipv4(first):
            next_hop = ip_to_int(first)
        else:
            # IOS accepts "Tunnel 1" as well as "Tunnel1": a type name has no digit, so a
            # number after it is the interface number, never a distance.
            if not any(is_decimal(character) for character in first) and re.fullmatch(
                r"\d+(/\d+)*(\.\d+)?", cursor.peek() or ""
            ):
                first += cursor.take("interface number")
            interface = canonical_interface_name(first)
            if cursor.peek() is not None and is_ipv4(cursor.peek() or ""):
                next_hop = ip_to_int(cursor.take("next hop"))
        distance, tracked = 1, None
        while not cursor.done():
            word = cursor.take_lower("route option")
            if is_decimal(word):
                distance = number(word, 1, 255, "administrative distance")
            elif word in ("tag", "name"):
                cursor.take(word)
            elif word == "permanent":
                pass
            elif word == "track":
                tracked = cursor.take("track number")
            elif word == "dhcp":
                raise NotUnderstood("next hop learned by DHCP")
            else:
                raise NotUnderstood(f"unexpected '{cursor.words[cursor.position - 1]}'")
        discard = interface is not None and interface.startswith("Null")
        route = Route(
            prefix=prefix,
            prefix_length=length,
            kind=RouteKind.STATIC,
            source=self.source(index),
            next_hop=next_hop,
            interface=interface,
            distance=distance,
            discard=discard,
        )
        return route, tracked

    # -- dynamic routing

    def routing_process(self, obj: Any, words: list[str]) -> None:
        lowered = [word.lower() for word in words]
        protocol = lowered[1] if len(lowered) > 1 else ""
        if protocol not in ("ospf", "eigrp", "rip", "bgp", "isis", "odr"):
            self.mark_block(obj, FORWARDING, f"routing protocol '{' '.join(words[1:2])}' is not modelled")
            return
        if "vrf" in lowered[2:]:
            self.mark_block(obj, FORWARDING, _VRF)
            return
        self.routing.append(read_routing_process(self, obj, protocol, words, _routing_network))

    def resolve_routing(self) -> list[DynamicRouting]:
        drafts = list(self.interfaces.values())
        addressed = [draft.name for draft in drafts if draft.addresses()]
        result: list[DynamicRouting] = []
        ospf_processes = {routing.process for routing in self.routing if routing.protocol == "ospf"}
        for routing in self.routing:
            if routing.protocol in ("ospf", "eigrp", "rip"):
                names = [
                    draft.name
                    for draft in drafts
                    if any(
                        _network_covers(network, address.address)
                        for network in routing.networks
                        for address in draft.addresses()
                    )
                    or (
                        routing.protocol == "ospf"
                        and any(process == routing.process for process, _ in draft.ospf_processes)
                    )
                ]
            elif routing.protocol == "isis":
                names = [draft.name for draft in drafts if draft.runs_isis]
            elif routing.protocol == "bgp":
                names = bgp_interfaces(routing, [(draft.name, draft.addresses()) for draft in drafts], addressed)
            else:
                names = addressed
            result.append(DynamicRouting(routing.protocol, routing.process, tuple(names), routing.source))
        for draft in drafts:
            for process, source in draft.ospf_processes:
                if process not in ospf_processes:
                    ospf_processes.add(process)
                    names = [other.name for other in drafts if any(p == process for p, _ in other.ospf_processes)]
                    result.append(DynamicRouting("ospf", process, tuple(names), source))
        return result

    # -- results

    def classify_ipv6(self) -> None:
        """IPv6 forwarding needs both `ipv6 unicast-routing` and an IPv6 interface; only
        then can IPv6 paths bypass the IPv4 filters we check."""
        active = bool(self.ipv6_routing_lines) and bool(self.ipv6_interface_lines)
        for index in self.ipv6_routing_lines:
            if active:
                self.unknown(index, FORWARDING, "IPv6 forwarding is not modelled")
            else:
                self.unknown(index, HARMLESS, "IPv6 routing enabled but no interface has IPv6")
        for index in self.ipv6_interface_lines:
            if active:
                self.unknown(index, FORWARDING, "IPv6 forwarding is not modelled")
            else:
                self.unknown(index, HARMLESS, "IPv6 address on a device that does not route IPv6")

    def static_arp_entry(self, index: int, words: list[str]) -> None:
        """`arp [vrf V] IP MAC ARPA [interface]`: kept for MAC pinning (forwarding is unchanged)."""
        arguments = words[1:]
        if arguments[:1] and arguments[0].lower() == "vrf":
            return  # a VRF's ARP table: VRFs are reported as not understood anyway
        if len(arguments) < 2 or not is_ipv4(arguments[0]):
            return
        mac = normalize_mac(arguments[1])
        if mac is None:
            return
        interface = canonical_interface_name(arguments[3]) if len(arguments) > 3 else None
        self.static_arps.append(StaticArp(ip_to_int(arguments[0]), mac, interface, self.source(index)))

    def autostate(self) -> None:
        """An SVI is up only while an up layer-2 port carries its VLAN (autostate; `no
        autostate` on the SVI keeps it up). A running-config lists every port, unconfigured
        ones included, so when no listed port can carry the VLAN the SVI is down. A config
        listing no physical port at all (an excerpt) says nothing: its SVIs stay up."""
        ports = [draft for draft in self.interfaces.values() if draft.kind in ("physical", "port-channel")]
        if not ports:
            return
        for name, draft in self.interfaces.items():
            number_text = name[len("Vlan") :]
            if not name.startswith("Vlan") or not is_decimal(number_text) or draft.shutdown or draft.no_autostate:
                continue
            vlan = int(number_text)
            if not any(port.may_carry_vlan(vlan) for port in ports):
                draft.shutdown = True
                draft.properties.extend(
                    (
                        ("link", f"down: autostate: no port in the config carries VLAN {vlan}"),
                        ("link_ja", f"autostate: VLAN {vlan} を運ぶポートが設定にない"),
                    )
                )

    def build_device(self) -> Device:
        self.autostate()
        self.sweep_unvisited_lines()
        return Device(
            name=self.hostname or file_stem(self.path),
            vendor=VENDOR,
            source_file=self.path,
            hostname=self.hostname,
            interfaces={name: draft.freeze() for name, draft in self.interfaces.items()},
            acls={name: draft.freeze() for name, draft in self.acls.items()},
            routes=list(self.routes),
            dynamic_routing=self.resolve_routing(),
            unknown_lines=[unknown for _, unknown in sorted(self.outcome.items()) if unknown is not None],
            lines=tuple(self.lines),
            static_arp=list(self.static_arps),
            # Management-plane facts: a separate read-only pass over the same lines.
            mgmt=read_management(self.command_lines(), self.path, self.multiline_blocks, canonical_interface_name),
        )


def parse(text: str, path: str) -> Device:
    """Parse an IOS / IOS-XE configuration. `path` is the display path used in every Source."""
    return _IosParser(text, path).run()


def _interface_address(arguments: list[str], secondary: bool) -> InterfaceAddress | None:
    if len(arguments) == 1 and "/" in arguments[0]:
        address_text, _, length_text = arguments[0].partition("/")
        if is_ipv4(address_text) and is_decimal(length_text) and int(length_text) <= 32:
            return InterfaceAddress(ip_to_int(address_text), int(length_text), secondary)
        return None
    if len(arguments) != 2 or not is_ipv4(arguments[0]) or not is_ipv4(arguments[1]):
        return None
    length = mask_to_length(ip_to_int(arguments[1]))
    if length is None:
        return None
    return InterfaceAddress(ip_to_int(arguments[0]), length, secondary)


def _classful_wildcard(address: int) -> tuple[int, int]:
    mask = prefix_mask(classful_length(address))
    return address & mask, ~mask & IPV4_MAX


def _routing_network(words: list[str]) -> tuple[int, int]:
    """`network A [W] [area X]` → (address, wildcard). A statement we cannot read
    covers every address (the process may run anywhere)."""
    if len(words) < 2 or not is_ipv4(words[1]):
        return 0, IPV4_MAX
    address = ip_to_int(words[1])
    if len(words) >= 3 and is_ipv4(words[2]):
        return address, ip_to_int(words[2])
    return _classful_wildcard(address)


def _network_covers(network: tuple[int, int], address: int) -> bool:
    """Wildcard match; a "wildcard" that looks like a netmask is also tried as one,
    because some IOS versions accept and convert it."""
    base, wildcard = network
    if Wildcard(base, wildcard).matches(address):
        return True
    looks_like_mask = wildcard & 0x80000000 and mask_to_length(wildcard) is not None
    return bool(looks_like_mask) and Wildcard(base, ~wildcard & IPV4_MAX).matches(address)


@dataclass
class _Options:
    established: bool = False
    fragments: bool = False
    notes: list[str] = field(default_factory=list)


def _skip_logging(cursor: Cursor) -> None:
    """`log` / `log-input`, optionally followed by a cookie word; they do not change matching."""
    while cursor.peek() in ("log", "log-input"):
        cursor.take("log")
        following = cursor.peek()
        if following is not None and following not in _OPTION_KEYWORDS:
            cursor.take("log cookie")


def _read_options(cursor: Cursor, services: Sequence[_Service]) -> _Options:
    options = _Options()
    all_tcp = all(service.protocols == (PROTO_TCP,) for service in services)
    while not cursor.done():
        _skip_logging(cursor)
        if cursor.done():
            break
        word = cursor.take_lower("option")
        if word == "established":
            if not all_tcp:
                raise NotUnderstood("'established' on a non-TCP entry")
            options.established = True
        elif word in ("dscp", "precedence", "tos", "time-range", "option"):
            value = cursor.take(word)
            options.notes.append(f"'{word} {value}' ignored: the entry is treated as matching any value")
        elif word in ("ttl", "packet-length"):
            operator = cursor.take_lower(f"{word} operator")
            values = [cursor.take(word)] + ([cursor.take(word)] if operator == "range" else [])
            options.notes.append(f"'{word} {operator} {' '.join(values)}' ignored")
        elif word == "fragments":
            options.fragments = True
            options.notes.append("'fragments': only the layer-3 part of the entry is kept")
        elif word in _TCP_FLAGS:
            if not all_tcp:
                raise NotUnderstood(f"TCP flag '{word}' on a non-TCP entry")
            options.notes.append(f"TCP flag '{word}' ignored")
        elif word in ("match-all", "match-any"):
            flags = []
            while cursor.peek() is not None and (cursor.peek() or "")[:1] in ("+", "-"):
                flags.append(cursor.take("flag"))
            if not flags or not all_tcp:
                raise NotUnderstood(f"'{word}' without TCP flags")
            options.notes.append(f"TCP flags '{word} {' '.join(flags)}' ignored")
        elif word == "reflect":
            cursor.take("reflexive ACL name")
            if cursor.peek() == "timeout":
                cursor.take("timeout")
                cursor.take("timeout value")
        else:
            raise NotUnderstood(f"unexpected '{cursor.words[cursor.position - 1]}'")
    return options


def _service_match(
    service: _Service,
    source: tuple[Wildcard, ...] | None,
    destination: tuple[Wildcard, ...] | None,
    established: bool,
    fragments: bool,
) -> Match:
    if fragments:
        return Match(protocols=service.protocols, src=source, dst=destination)
    return Match(
        protocols=service.protocols,
        src=source,
        dst=destination,
        src_ports=service.src_ports,
        dst_ports=service.dst_ports,
        established=established,
        icmp=service.icmp,
    )


_ALL_VLANS = frozenset(range(1, 4095))


def _allowed_vlans(current: tuple[int, ...] | None, words: list[str]) -> tuple[int, ...] | None:
    """`switchport trunk allowed vlan ...`; None = every VLAN."""
    verb = words[0]
    if verb == "all":
        return None
    if verb == "none":
        return ()
    if verb in ("add", "remove", "except") and len(words) == 2:
        listed = vlan_list(words[1])
        existing = set(current) if current is not None else set(_ALL_VLANS)
        if verb == "add":
            return None if current is None else tuple(sorted(existing | listed))
        if verb == "remove":
            return tuple(sorted(existing - listed))
        return tuple(sorted(_ALL_VLANS - listed))
    if len(words) == 1:
        return tuple(sorted(vlan_list(verb)))
    raise NotUnderstood(f"'{' '.join(words)}'")


# --- block structure ---------------------------------------------------------------------------
#
# ciscoconfparse2 builds the parent/child tree from indentation. Building its objects
# costs about ten times more than reading the file, so the same tree is built here with
# its exact rules (`ConfigList.bootstrap`: the parent cache, the backward walk, the
# comment exception), for every text without the two constructs it post-processes:
# banner-like lines (`_banner_mark_regex`, which includes `aaa authentication
# fail-message` anywhere in a line) and `macro name` lines. Those texts still go
# through ciscoconfparse2. tests/test_scale.py checks that both builders agree.

_CCP_BANNER = re.compile(
    "|".join(
        [rf"^(set\s+)*banner\s+{kind}" for kind in ("login", "motd", "incoming", "exec", "telnet", "lcd")]
        + ["aaa authentication fail-message"]
    )
)


class BlockLine:
    """One line of the block tree: `linenum` (0-based), `parent` (itself at top level),
    `children` in file order."""

    __slots__ = ("children", "indent", "is_comment", "is_config_line", "linenum", "parent")

    def __init__(self, linenum: int, text: str) -> None:
        stripped = text.lstrip()
        self.linenum = linenum
        self.indent = len(text) - len(stripped)
        self.is_comment = stripped[:1] == "!"
        self.is_config_line = bool(stripped) and not self.is_comment
        self.parent: BlockLine = self
        self.children: list[BlockLine] = []


def block_tree(lines: Sequence[str]) -> list[Any]:
    """Every line as an object with `linenum`, `parent` and `children`, exactly as
    ciscoconfparse2 (syntax ios) would build them."""
    if any(_CCP_BANNER.search(line) or line[:11] == "macro name " for line in lines):
        logger.disable("ciscoconfparse2")
        return list(CiscoConfParse(config=list(lines), ignore_blank_lines=False).objs)
    return build_block_tree(lines)


def build_block_tree(lines: Sequence[str]) -> list[BlockLine]:
    """ciscoconfparse2's `ConfigList.bootstrap` parent/child assignment, without banners
    and macros (see `block_tree`)."""
    objs: list[BlockLine] = []
    parents_cache: dict[int, BlockLine] = {}
    max_indent = 0
    for linenum, text in enumerate(lines):
        obj = BlockLine(linenum, text)
        indent = obj.indent
        parent: BlockLine | None = None
        if obj.is_config_line and indent < max_indent:
            for cached in [level for level in parents_cache if level >= indent]:
                del parents_cache[cached]
        else:
            parent = parents_cache.get(indent)
        if indent > 0:
            if parent is None:
                for candidate in reversed(objs):
                    if candidate.indent < indent and candidate.is_config_line:
                        parent = parents_cache[indent] = candidate
                        break
            if parent is not None and not (obj.is_comment and objs[-1].indent > indent):
                parent.children.append(obj)
                obj.parent = parent
        if indent == 0 and obj.is_config_line:
            max_indent = 0
        elif indent > max_indent:
            max_indent = indent
        objs.append(obj)
    return objs
