"""Cisco ASA (also PIX 6/7 and FWSM) configuration parser: `parse(text, path) -> Device`.

Block structure comes from ciscoconfparse2, as for IOS; everything inside a block is
tokenised here. Definitions are read before their uses, whatever their order in the
file, so that `show running-config` output and hand-edited files read the same:
`names`, then interfaces, then objects and object-groups, then access lists, then
everything else (bindings, routes, NAT, routing processes, management lines).

Accounting is the one of the IOS parser: every non-blank line ends up parsed into the
model, a HARMLESS UnknownLine or a FORWARDING UnknownLine; line numbers are 1-based
and exact.

Modelling choices (the engine may only ever see *more* reachability than the device):

- Interfaces are keyed by their hardware name (`GigabitEthernet0/1.10`); `nameif` (as the
  ("nameif", NAME) property the topology resolves), standby address, `management-only` and
  the sub-interface `vlan` are kept. An interface without `nameif` forwards nothing on an
  ASA: `passes_traffic=False` (it is not marked shut).
- Access rules (policy.py): the security levels (ASA default when absent: 100 for
  `inside`, else 0), `same-security-traffic`, `access-group ... in interface` and
  `access-group ... global` become the ordered `Device.policy`; `access-group ... out`
  stays `Interface.acl_out`.
  On a switch-port model (ASA 5505 style: the config has `interface VlanN`), an
  Ethernet port with no configuration is an access port of VLAN 1, as on the device.
- ACL entries: names, objects and object-groups (nested, cycles reported) are expanded;
  ranges become the exact prefixes covering them. IPv6 members are dropped (they match
  no IPv4 packet); an entry left with no IPv4 match is a HARMLESS unknown and is kept out
  of `Acl.lines`, as are `inactive` entries. `sequence` is the ASA line number of the
  entry (remarks and inactive entries count, as in `show access-list`). FQDN objects and
  `interface X` of an interface whose address is not known widen that address to "any":
  the entry gets `understood=False` (a superset for permit entries; the engine ignores
  such deny entries) and a FORWARDING unknown says why. `time-range` is dropped with an
  `approximation` note, as in the IOS parser.
- `access-group` of an ACL that is not defined is rejected by the ASA: the binding is
  not made and the line is a FORWARDING unknown.
- NAT (8.3+ syntax) becomes NatRule header rewrites; see `NatRule` in the model (its
  interfaces are the hardware names the nameifs resolve to). Twice
  NAT is section 1 (or 3 with `after-auto`) in file order; object NAT is section 2,
  ordered as the ASA does (static before dynamic, then fewer real addresses first, then
  lower address, then object name). `interface_pat` means "the mapped interface's own
  address" (alone, or as the fallback of a pool). Ports: `real_port` is the port on the
  real address and `mapped_port` the port on the mapped one. For object NAT and for
  twice NAT without a destination clause they are source ports of the real/mapped
  source; for twice NAT with a destination clause they are destination ports of the
  real/mapped destination (`service A B`: A holds the mapped, B the real destination
  port). A static rewrite that is not one prefix onto one prefix of the same size sets
  `approximation`; `unidirectional` is ignored (translating both ways only adds
  reachability) and noted there. Pre-8.3 NAT (`static`, `global`, `nat (if) N`) is a
  FORWARDING unknown.
- Dynamic routing processes are over-approximated like the IOS parser does; ASA
  `network` statements take a netmask (a wildcard-looking value is tried both ways).
- PIX 6 top-level `interface hw0 auto`, `nameif hw0 NAME securityN` and
  `ip address NAME A M` are read as the interface blocks of later versions.
- Management-plane lines are HARMLESS; their facts (`Device.mgmt`) come from
  asa_mgmt.read_management. Static `arp` entries are HARMLESS with STATIC_ARP_REASON.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import partial
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
    NatRule,
    PolicyRule,
    PortRange,
    Route,
    RouteKind,
    Source,
    StaticArp,
    ToTheBox,
    UnknownKind,
    UnknownLine,
    Wildcard,
    int_to_ip,
    ip_to_int,
    is_decimal,
    mask_to_length,
    normalize_mac,
    prefix_mask,
)
from nankoku_netcheck.vendors.cisco_asa.mgmt import read_management
from nankoku_netcheck.vendors.cisco_asa.names import (
    ICMP_NAMES,
    LOG_LEVELS,
    PROTO_ICMP6,
    PROTOCOL_NAMES,
    TCP_PORT_NAMES,
    UDP_PORT_NAMES,
)
from nankoku_netcheck.vendors.cisco_asa.policy import GlobalBinding, NamedInterface, asa_policy
from nankoku_netcheck.vendors.cisco_ios.parser import canonical_interface_name
from nankoku_netcheck.vendors.common import (
    INTERFACE_KINDS,
    PORT_OPERATORS,
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
    looks_like_ipv6,
    lookup_prefix,
    number,
    port_names_for,
    port_number,
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

VENDOR = "cisco_asa"

HARMLESS = UnknownKind.HARMLESS
FORWARDING = UnknownKind.FORWARDING

PROTO_SCTP = 132

# ASA keyword tables; unlike IOS, each port operator takes exactly one port.
_DIALECT = Dialect(
    protocol_names=PROTOCOL_NAMES,
    tcp_port_names=TCP_PORT_NAMES,
    udp_port_names=UDP_PORT_NAMES,
    icmp_names=ICMP_NAMES,
    several_ports_per_operator=False,
)

# Reasons that later stages may look for.
STATIC_ARP_REASON = "static ARP entry (MAC pinning is checked separately)"
FQDN_REASON = "FQDN objects resolve at run time"

# --- vendor detection -------------------------------------------------------------


# --- address sets and services -------------------------------------------------------


@dataclass(frozen=True)
class _Addresses:
    """An IPv4 address set as a union of patterns; `wildcards` None = every address.

    `ipv6` records that IPv6 members were left out (they match no IPv4 packet).
    `problem` is set when the set was widened to every address because the device
    decides it at run time (FQDN objects, an interface address learnt by DHCP).
    """

    wildcards: tuple[Wildcard, ...] | None
    ipv6: bool = False
    problem: str = ""


_EVERY_ADDRESS = _Addresses(None)
_IPV6_ONLY = _Addresses((), ipv6=True)


def _exact(wildcards: Sequence[Wildcard]) -> _Addresses:
    return _Addresses(union_or_any(wildcards))


def _union(parts: Sequence[_Addresses]) -> _Addresses:
    members: list[Wildcard] = []
    everything = False
    for part in parts:
        if part.wildcards is None:
            everything = True
        else:
            members.extend(part.wildcards)
    problems = dict.fromkeys(part.problem for part in parts if part.problem)
    return _Addresses(
        wildcards=None if everything else union_or_any(members),
        ipv6=any(part.ipv6 for part in parts),
        problem="; ".join(problems),
    )


def _prefixes(addresses: _Addresses) -> tuple[tuple[int, int], ...] | None:
    """The set as (network, length) prefixes; None = every address."""
    if addresses.wildcards is None:
        return None
    result = []
    for wildcard in addresses.wildcards:
        length = mask_to_length(~wildcard.wildcard & IPV4_MAX)
        if length is None:
            raise NotUnderstood("a non-contiguous mask cannot be translated")
        result.append((wildcard.address, length))
    return tuple(result)


@dataclass(frozen=True)
class _Service:
    """Protocol part of an ACL entry: one conjunction of protocol, ports and ICMP type.
    `ipv6_only` services (icmp6) match no IPv4 packet."""

    protocols: tuple[int, ...] | None
    src_ports: tuple[PortRange, ...] | None = None
    dst_ports: tuple[PortRange, ...] | None = None
    icmp: tuple[IcmpMatch, ...] | None = None
    ipv6_only: bool = False


def _read_service(cursor: Cursor) -> _Service:
    """The body of `service ...` / `service-object ...`:
    `tcp|udp|tcp-udp|sctp [source OP] [destination OP]` (an operator without `source` or
    `destination` is a destination port, the pre-8.3 form), `icmp [TYPE [CODE]]`,
    `icmp6 ...`, `ip`, or another protocol."""
    word = cursor.take_lower("protocol")
    if word in ("tcp", "udp", "tcp-udp", "sctp"):
        protocols = {
            "tcp": (PROTO_TCP,),
            "udp": (PROTO_UDP,),
            "tcp-udp": (PROTO_TCP, PROTO_UDP),
            "sctp": (PROTO_SCTP,),
        }[word]
        names = port_names_for(_DIALECT, protocols) if word != "sctp" else {}
        src_ports = dst_ports = None
        while not cursor.done():
            direction = cursor.peek()
            if direction == "source":
                cursor.take("source")
                src_ports = required_ports(cursor, names, _DIALECT, "source")
            elif direction == "destination":
                cursor.take("destination")
                dst_ports = required_ports(cursor, names, _DIALECT, "destination")
            elif direction in PORT_OPERATORS:
                dst_ports = read_port_operator(cursor, names, _DIALECT)
            else:
                break
        if word == "sctp" and (src_ports is not None or dst_ports is not None):
            raise NotUnderstood("SCTP ports are not modelled")
        return _Service(protocols, src_ports, dst_ports)
    if word == "icmp":
        return _Service((PROTO_ICMP,), icmp=read_icmp_type(cursor, _DIALECT))
    if word == "icmp6":
        cursor.rest()
        return _Service((PROTO_ICMP6,), ipv6_only=True)
    protocols = protocol_numbers(word, _DIALECT)
    if protocols == (PROTO_ICMP6,):
        return _Service(protocols, ipv6_only=True)
    return _Service(protocols)


# --- drafts -------------------------------------------------------------------------


@dataclass
class _InterfaceDraft:
    name: str
    source: Source
    kind: str
    nameif: str | None = None
    nameif_index: int | None = None
    security_level: int | None = None
    level_index: int | None = None  # the line that set `security_level`
    address: InterfaceAddress | None = None
    address_unknown: bool = False  # learnt by DHCP / PPPoE
    standby: int | None = None
    shutdown: bool = False
    description: str = ""
    management_only: bool = False
    vlan: int | None = None
    switchport: bool = False
    switchport_mode: str | None = None
    access_vlan: int | None = None
    trunk_vlans: tuple[int, ...] | None = None
    acl_in: str | None = None
    acl_out: str | None = None
    acl_in_source: Source | None = None
    acl_out_source: Source | None = None
    properties: list[tuple[str, str]] = field(default_factory=list)

    def effective_security_level(self) -> int | None:
        if self.nameif is None:
            return self.security_level
        if self.security_level is not None:
            return self.security_level
        # The ASA sets these when `nameif` is entered without a level.
        return 100 if self.nameif.lower() == "inside" else 0

    def freeze(self) -> Interface:
        properties = list(self.properties)
        if self.nameif is not None:
            properties.insert(0, ("nameif", self.nameif))
        return Interface(
            name=self.name,
            source=self.source,
            addresses=(self.address,) if self.address else (),
            shutdown=self.shutdown,
            description=self.description,
            acl_out=self.acl_out,
            acl_out_source=self.acl_out_source,
            switchport_mode=self.switchport_mode if self.switchport else None,
            access_vlan=self.access_vlan if self.switchport else None,
            trunk_vlans=self.trunk_vlans,
            encapsulation_vlan=self.vlan,
            kind=self.kind,
            properties=tuple(properties),
            management_only=self.management_only,
            passes_traffic=self.nameif is not None,
            standby_addresses=(self.standby,) if self.standby is not None else (),
        )


@dataclass
class _NetworkObject:
    """`object network NAME`: one host, subnet, range or FQDN (the last definition wins)."""

    name: str
    source: Source
    value: _Addresses | None = None
    # IPv4 [first, last] for host, subnet and range objects (NAT ordering, inline maps).
    interval: tuple[int, int] | None = None
    problem: str = ""


@dataclass
class _ServiceObject:
    name: str
    source: Source
    service: _Service | None = None
    problem: str = ""


@dataclass
class _Group:
    """An object-group as written; members are resolved lazily (they may nest)."""

    kind: str  # network | service | port (service group with a protocol) | protocol | icmp-type
    name: str
    source: Source
    port_protocols: tuple[int, ...] = ()
    addresses: list[_Addresses] = field(default_factory=list)
    network_objects: list[str] = field(default_factory=list)
    services: list[_Service] = field(default_factory=list)
    service_objects: list[str] = field(default_factory=list)
    ports: list[PortRange] = field(default_factory=list)
    protocols: list[int | None] = field(default_factory=list)  # None = ip (every protocol)
    icmp: list[IcmpMatch] = field(default_factory=list)
    nested: list[str] = field(default_factory=list)
    problem: str = ""


@dataclass
class _AclDraft:
    name: str
    source: Source
    kind: str | None = None  # standard | extended; None while only remarks were seen
    # One slot per ASA line (remarks and inactive entries included, as None).
    entries: list[AclLine | None] = field(default_factory=list)

    def insert(self, position: int | None, line: AclLine | None) -> None:
        if position is None or position > len(self.entries):
            self.entries.append(line)
        else:
            self.entries.insert(position - 1, line)

    def freeze(self) -> Acl:
        lines = tuple(
            replace(line, sequence=position) for position, line in enumerate(self.entries, start=1) if line is not None
        )
        return Acl(name=self.name, lines=lines, source=self.source, kind=self.kind or "extended")


@dataclass
class _ObjectNat:
    """An object NAT rule before its order among object NAT rules is known."""

    rule: NatRule
    sort_key: tuple[int, int, int, str]


@dataclass
class _Entry:
    """An ACL entry read from the text, before it becomes an AclLine."""

    matches: tuple[Match, ...]
    approximation: str = ""
    widened: str = ""  # non-empty: matches were widened (understood=False)
    no_ipv4: str = ""  # non-empty: the entry matches no IPv4 packet, and why
    inactive: bool = False


# --- command classification tables ----------------------------------------------------
# Keys are lower-case word prefixes; the longest matching prefix wins. Reasons that the
# other Cisco parser gives in the same words are the REASON_* constants of common.py.

_HEADER = "show running-config header or footer"
_INSPECTION = "inspection / connection setting (can only drop packets or open related connections)"
_TO_THE_BOX = "affects only traffic to or from the device itself"
_VPN_DEFINITION = "VPN definition (VPN termination is reported where it is enabled on an interface)"
_IPV6_SETTING = "IPv6 setting (IPv6 forwarding is reported at the interfaces' IPv6 addresses)"
_PRE_83_NAT = "pre-8.3 NAT syntax is not modelled"

_MANAGEMENT_COMMANDS: Mapping[tuple[str, ...], str] = {
    ("ssh",): "SSH management access setting",
    ("telnet",): "Telnet management access setting",
    ("http",): "HTTPS (ASDM) management access setting",
    ("console",): REASON_MGMT,
    ("username",): REASON_MGMT,
    ("enable",): REASON_MGMT,
    ("passwd",): REASON_MGMT,
    ("password",): REASON_MGMT,
    ("password-policy",): REASON_MGMT,
    ("privilege",): REASON_MGMT,
    ("aaa",): REASON_MGMT,
    ("aaa-server",): REASON_MGMT,
    ("auth-prompt",): REASON_MGMT,
    ("logging",): REASON_MGMT,
    ("ntp",): REASON_MGMT,
    ("snmp-server",): REASON_MGMT,
    ("snmp",): REASON_MGMT,
    ("clock",): REASON_MGMT,
    ("domain-name",): REASON_MGMT,
    ("dns",): REASON_MGMT,
    ("dns-guard",): REASON_MGMT,
    ("dns-group",): REASON_MGMT,
    ("dns-group-map",): REASON_MGMT,
    ("banner",): "banner text",
    ("prompt",): REASON_MGMT,
    ("pager",): REASON_MGMT,
    ("terminal",): REASON_MGMT,
    ("asdm",): REASON_MGMT,
    ("pdm",): REASON_MGMT,
    ("command-alias",): REASON_MGMT,
    ("ftp",): REASON_MGMT,
    ("smtp-server",): REASON_MGMT,
    ("ssl",): REASON_MGMT,
    ("call-home",): REASON_MGMT,
    ("auto-update",): REASON_MGMT,
    ("management-access",): _TO_THE_BOX,
    ("user-identity",): REASON_MGMT,
    ("tftp-server",): REASON_MGMT,
    ("rest-api",): REASON_MGMT,
    ("email",): REASON_MGMT,
}

_TOP_LEVEL_COMMANDS: Mapping[tuple[str, ...], tuple[UnknownKind, str]] = {
    ("asa", "version"): (HARMLESS, "software version"),
    ("pix", "version"): (HARMLESS, "software version"),
    ("fwsm", "version"): (HARMLESS, "software version"),
    ("end",): (HARMLESS, _HEADER),
    ("exit",): (HARMLESS, "configuration mode navigation"),
    ("boot",): (HARMLESS, REASON_PLATFORM),
    ("license",): (HARMLESS, REASON_PLATFORM),
    ("feature",): (HARMLESS, REASON_PLATFORM),
    ("jumbo-frame",): (HARMLESS, REASON_PLATFORM),
    ("mac-address",): (HARMLESS, REASON_PLATFORM),
    ("mac-address-table",): (HARMLESS, REASON_PLATFORM),
    ("hw-module",): (HARMLESS, REASON_PLATFORM),
    ("sw-module",): (HARMLESS, REASON_PLATFORM),
    ("service-module",): (HARMLESS, REASON_PLATFORM),
    ("crashinfo",): (HARMLESS, REASON_PLATFORM),
    ("coredump",): (HARMLESS, REASON_PLATFORM),
    ("cluster",): (HARMLESS, REASON_PLATFORM),
    ("power-supply",): (HARMLESS, REASON_PLATFORM),
    ("failover",): (HARMLESS, "failover setting (the standby unit takes over the same configuration)"),
    ("monitor-interface",): (HARMLESS, "failover setting"),
    ("mtu",): (HARMLESS, REASON_PLATFORM),
    ("timeout",): (HARMLESS, "connection timeout"),
    ("icmp",): (HARMLESS, "ICMP to the device's own interfaces (to-the-box traffic only)"),
    ("arp",): (HARMLESS, "ARP setting"),
    ("threat-detection",): (HARMLESS, REASON_DROP_ONLY),
    ("shun",): (HARMLESS, REASON_DROP_ONLY),
    ("dynamic-filter",): (HARMLESS, REASON_DROP_ONLY),
    ("filter",): (HARMLESS, REASON_DROP_ONLY),
    ("url-server",): (HARMLESS, REASON_DROP_ONLY),
    ("url-block",): (HARMLESS, REASON_DROP_ONLY),
    ("url-cache",): (HARMLESS, REASON_DROP_ONLY),
    ("floodguard",): (HARMLESS, REASON_DROP_ONLY),
    ("ip", "verify"): (HARMLESS, REASON_DROP_ONLY),
    ("ip", "audit"): (HARMLESS, REASON_DROP_ONLY),
    ("ip", "local"): (HARMLESS, "address pool for VPN clients (VPN termination is reported where enabled)"),
    ("virtual",): (HARMLESS, "cut-through proxy authentication (can only drop packets)"),
    ("service-policy",): (HARMLESS, _INSPECTION),
    ("class-map",): (HARMLESS, _INSPECTION),
    ("regex",): (HARMLESS, _INSPECTION),
    ("tcp-map",): (HARMLESS, _INSPECTION),
    ("http-map",): (HARMLESS, _INSPECTION),
    ("ftp-map",): (HARMLESS, _INSPECTION),
    ("gtp-map",): (HARMLESS, _INSPECTION),
    ("mgcp-map",): (HARMLESS, _INSPECTION),
    ("snmp-map",): (HARMLESS, _INSPECTION),
    ("dns-map",): (HARMLESS, _INSPECTION),
    ("fixup",): (HARMLESS, _INSPECTION),
    ("hpm",): (HARMLESS, _INSPECTION),
    ("sysopt",): (HARMLESS, "system option (VPN bypass matters only where VPN is enabled, reported there)"),
    ("service",): (HARMLESS, _INSPECTION),
    ("xlate",): (HARMLESS, "NAT session setting"),
    ("nat-control",): (HARMLESS, "NAT control can only drop packets without a translation"),
    ("object-group-search",): (HARMLESS, "ACL lookup optimisation (same matches)"),
    ("dhcpd",): (HARMLESS, "DHCP server for attached hosts"),
    ("dhcp-client",): (HARMLESS, "DHCP client option"),
    ("time-range",): (HARMLESS, "time range (ACL entries that use it are approximated)"),
    ("route-map",): (HARMLESS, "route-map (its uses by policy routing are reported)"),
    ("prefix-list",): (HARMLESS, REASON_ROUTING_POLICY),
    ("community-list",): (HARMLESS, REASON_ROUTING_POLICY),
    ("as-path",): (HARMLESS, REASON_ROUTING_POLICY),
    ("policy-list",): (HARMLESS, REASON_ROUTING_POLICY),
    ("sla",): (HARMLESS, "IP SLA monitor (routes tracked by it are reported)"),
    ("track",): (HARMLESS, "object tracking (routes tracked by it are reported)"),
    ("pim",): (HARMLESS, "multicast setting (multicast routing is reported at 'multicast-routing')"),
    ("igmp",): (HARMLESS, "multicast setting (multicast routing is reported at 'multicast-routing')"),
    ("flow-export",): (HARMLESS, REASON_MONITORING),
    ("netflow",): (HARMLESS, REASON_MONITORING),
    ("quota",): (HARMLESS, "VPN / management session quota"),
    ("tunnel-group",): (HARMLESS, _VPN_DEFINITION),
    ("tunnel-group-map",): (HARMLESS, _VPN_DEFINITION),
    ("dynamic-access-policy-record",): (HARMLESS, _VPN_DEFINITION),
    ("isakmp",): (HARMLESS, _VPN_DEFINITION),
    ("ca",): (HARMLESS, _VPN_DEFINITION),
    ("vpn-addr-assign",): (HARMLESS, _VPN_DEFINITION),
    ("ipv6-vpn-addr-assign",): (HARMLESS, _VPN_DEFINITION),
    ("vpn-sessiondb",): (HARMLESS, _VPN_DEFINITION),
    ("vpn",): (HARMLESS, _VPN_DEFINITION),
    ("tls-proxy",): (HARMLESS, REASON_USED_ELSEWHERE),
    ("phone-proxy",): (HARMLESS, "voice proxy setting"),
    ("media-termination",): (HARMLESS, "voice proxy setting"),
    ("ctl-file",): (HARMLESS, "voice proxy setting"),
    ("ctl-provider",): (HARMLESS, "voice proxy setting"),
    ("uc-ime",): (HARMLESS, "voice proxy setting"),
    ("scansafe",): (HARMLESS, REASON_USED_ELSEWHERE),
    ("crypto",): (HARMLESS, "crypto definition (VPN effects are reported where a crypto map is bound)"),
    # forwarding features that are not modelled
    ("static",): (FORWARDING, _PRE_83_NAT),
    ("global",): (FORWARDING, _PRE_83_NAT),
    ("alias",): (FORWARDING, "PIX 'alias' (DNS doctoring by address translation) is not modelled"),
    ("conduit",): (FORWARDING, "PIX 'conduit' access rules are not modelled"),
    ("outbound",): (FORWARDING, "PIX 'outbound' access rules are not modelled"),
    ("apply",): (FORWARDING, "PIX 'outbound' access rules are not modelled"),
    ("established",): (FORWARDING, "PIX 'established' opens return connections; not modelled"),
    ("dhcprelay",): (FORWARDING, "DHCP relay forwards broadcasts between interfaces; not modelled"),
    ("multicast-routing",): (FORWARDING, "multicast routing is not modelled"),
    ("wccp",): (FORWARDING, "WCCP traffic redirection is not modelled"),
    ("zone",): (FORWARDING, "traffic zones (load-shared interfaces) are not modelled"),
    ("firewall", "transparent"): (FORWARDING, "transparent (layer-2) firewall mode is not modelled"),
    ("mode",): (FORWARDING, "multiple context mode: each context must be checked on its own configuration"),
    ("context",): (FORWARDING, "security context definition: interfaces are allocated to contexts"),
    ("admin-context",): (FORWARDING, "security context definition: interfaces are allocated to contexts"),
    ("vpdn",): (FORWARDING, "VPDN (PPPoE / L2TP / PPTP) is not modelled"),
    ("nve",): (FORWARDING, "VXLAN overlay is not modelled"),
    ("vxlan",): (FORWARDING, "VXLAN overlay is not modelled"),
    ("mac-learn",): (FORWARDING, "bridging is not modelled"),
}

# `no <command>` lines that only remove or disable a feature.
_NEGATED_HARMLESS: Mapping[tuple[str, ...], str] = {
    ("failover",): "failover disabled",
    ("nat-control",): "NAT control disabled",
    ("multicast-routing",): "multicast routing disabled",
    ("firewall", "transparent"): "routed firewall mode",
    ("wccp",): "WCCP disabled",
    ("dhcprelay",): "DHCP relay disabled",
    ("crypto",): "crypto setting removed",
    ("sysopt",): "system option disabled",
    ("same-security-traffic",): "",
    ("names",): "name aliases disabled (names were resolved where used)",
    ("established",): "no return connections opened",
    ("vpdn",): "VPDN disabled",
    ("ipv6",): _IPV6_SETTING,
    # No ("route",): the device then forwards by another route, which the model would not.
}

_INTERFACE_COMMANDS: Mapping[tuple[str, ...], tuple[UnknownKind, str]] = {
    ("speed",): (HARMLESS, REASON_PLATFORM),
    ("duplex",): (HARMLESS, REASON_PLATFORM),
    ("flowcontrol",): (HARMLESS, REASON_PLATFORM),
    ("media-type",): (HARMLESS, REASON_PLATFORM),
    ("mac-address",): (HARMLESS, REASON_PLATFORM),
    ("mtu",): (HARMLESS, REASON_PLATFORM),
    ("delay",): (HARMLESS, "routing metric (routing is over-approximated)"),
    ("lacp",): (HARMLESS, "link aggregation setting"),
    ("port-channel",): (HARMLESS, "link aggregation setting"),
    ("nve-only",): (HARMLESS, REASON_PLATFORM),
    ("ospf",): (HARMLESS, "OSPF interface setting (routing is over-approximated)"),
    ("authentication",): (HARMLESS, "routing protocol setting (routing is over-approximated)"),
    ("hello-interval",): (HARMLESS, "routing protocol setting (routing is over-approximated)"),
    ("hold-time",): (HARMLESS, "routing protocol setting (routing is over-approximated)"),
    ("summary-address",): (HARMLESS, "routing protocol setting (routing is over-approximated)"),
    ("split-horizon",): (HARMLESS, "routing protocol setting (routing is over-approximated)"),
    ("rip",): (HARMLESS, "routing protocol setting (routing is over-approximated)"),
    ("pim",): (HARMLESS, "multicast setting (multicast routing is reported at 'multicast-routing')"),
    ("igmp",): (HARMLESS, "multicast setting (multicast routing is reported at 'multicast-routing')"),
    ("dhcp",): (HARMLESS, "DHCP client option"),
    ("ddns",): (HARMLESS, REASON_MGMT),
    ("pppoe",): (HARMLESS, "PPPoE client setting (the address is reported at 'ip address pppoe')"),
    ("exit",): (HARMLESS, "configuration mode navigation"),
    ("switchport", "protected"): (HARMLESS, REASON_DROP_ONLY),
    ("switchport", "monitor"): (FORWARDING, "SPAN copies traffic to another port; not modelled"),
    ("dhcprelay",): (FORWARDING, "DHCP relay forwards broadcasts between interfaces; not modelled"),
    ("bridge-group",): (FORWARDING, "bridge groups (layer-2 forwarding) are not modelled"),
    ("policy-route",): (FORWARDING, "policy-based routing is not modelled"),
    ("zone-member",): (FORWARDING, "traffic zones (load-shared interfaces) are not modelled"),
    ("tunnel",): (FORWARDING, "tunnel (VTI) interfaces are not modelled"),
    ("vlan", "secondary"): (FORWARDING, "secondary VLANs are not modelled"),
}

_INTERFACE_NEGATED_HARMLESS: Mapping[tuple[str, ...], str] = {
    ("shutdown",): "",
    ("nameif",): "",
    ("security-level",): "",
    ("ip", "address"): "",
    ("management-only",): "",
    ("description",): "no description",
    # No ("switchport",): `no switchport access vlan` changes what the port carries.
    ("policy-route",): "no policy routing",
    ("bridge-group",): "no bridging",
    ("dhcprelay",): "no relay",
    ("pim",): "multicast setting disabled",
    ("igmp",): "multicast setting disabled",
    ("ospf",): "OSPF interface setting (routing is over-approximated)",
    ("rip",): "RIP interface setting (routing is over-approximated)",
    ("split-horizon",): "routing protocol setting",
    ("speed",): REASON_PLATFORM,
    ("duplex",): REASON_PLATFORM,
    ("ipv6",): _IPV6_SETTING,
    ("dhcp",): "DHCP client option",
}

# Interface types of ASA hardware that exist on switch-port models only as VLAN members.
_SWITCH_PORT_TYPES = ("Ethernet",)


_CLI_PROMPT = re.compile(
    r"^[A-Za-z0-9_.\-@/]+(?:\([a-z0-9\-]+\))?[#>][ \t]*"
    r"(?:(?:sh|show|more|term|terminal|wr|write|copy|conf|configure|en|enable)\b.*)?$",
    re.IGNORECASE,
)


def _interface_kind(name: str) -> str:
    return interface_kind(name.rstrip("0123456789/.:"), "." in name, INTERFACE_KINDS)


# Top-level commands, by first word, read in this order (definitions before uses).
_PHASE_NAMES = 0
_PHASE_INTERFACES = 1
_PHASE_DEFINITIONS = 2
_PHASE_ACCESS_LISTS = 3
_PHASE_REST = 4


def _phase_of(lowered: Sequence[str]) -> int:
    first = lowered[0] if lowered else ""
    if first in ("name", "names"):
        return _PHASE_NAMES
    if first in ("interface", "nameif", "hostname"):
        return _PHASE_INTERFACES
    if first in ("object", "object-group") or lowered[:2] == ["ip", "address"]:
        return _PHASE_DEFINITIONS
    if first == "access-list":
        return _PHASE_ACCESS_LISTS
    return _PHASE_REST


class _LegacyNat(NotUnderstood):
    """A pre-8.3 NAT command (`nat (inside) 1 ...`)."""


_PIX_INTERFACE_SETTING = re.compile(r"^(?:auto|aui|bnc|shutdown|\d+(?:base\w*|full|half|auto|sxfull)?)$", re.IGNORECASE)
_OBJECT_NAT_OPTIONS = frozenset(
    {
        "dns",
        "route-lookup",
        "no-proxy-arp",
        "net-to-net",
        "round-robin",
        "extended",
        "flat",
        "include-reserve",
        "block-allocation",
    }
)


# --- the parser -------------------------------------------------------------------------


# Global commands the parser models itself (see `top_level`; LineBook.global_forwarding_starts).
_GLOBAL_FORWARDING_STARTS: frozenset[tuple[str, ...]] = frozenset(
    {
        ("interface",),
        ("access-list",),
        ("access-group",),
        ("route",),
        ("nat",),
        ("static",),
        ("global",),
        ("object",),
        ("object-group",),
        ("router",),
        ("same-security-traffic",),
        ("arp",),
        ("ipv6", "route"),
    }
)


class _AsaParser(LineBook):
    """Builds one Device; the state of one file."""

    global_forwarding_starts = _GLOBAL_FORWARDING_STARTS

    def __init__(self, text: str, path: str) -> None:
        super().__init__(text, path)
        self.hostname = ""
        self.static_arps: list[StaticArp] = []
        self.names: dict[str, int | None] = {}  # alias → IPv4 address; None for an IPv6 alias
        self.interfaces: dict[str, _InterfaceDraft] = {}
        self.network_objects: dict[str, _NetworkObject] = {}
        self.service_objects: dict[str, _ServiceObject] = {}
        self.groups: dict[str, _Group] = {}
        self.resolved: dict[tuple[str, str], Any] = {}
        self.acls: dict[str, _AclDraft] = {}
        self.non_ip_acls: set[str] = set()
        self.routes: list[Route] = []
        self.routing: list[RoutingDraft] = []
        self.object_nat_lines: list[tuple[str, int]] = []  # (object name, line index)
        self.object_nats: list[_ObjectNat] = []
        self.twice_nats: dict[int, list[NatRule]] = {1: [], 3: []}
        self.same_security_inter = False
        self.same_security_intra = False
        self.global_acl: str | None = None
        self.global_acl_source: Source | None = None
        self.ipv6_lines: list[tuple[int, str | None]] = []  # (line index, interface or None)
        self.top_level_firsts: list[tuple[int, str]] = []

    # -- driver

    def run(self) -> Device:
        logger.disable("ciscoconfparse2")
        structure = list(self.lines)
        self.claim_rejected_lines(structure, (), self.outcome_as_typed)
        tree = CiscoConfParse(config=structure, ignore_blank_lines=False, loguru=False)
        top_level = [obj for obj in tree.objs if obj.parent is obj]
        phased: list[tuple[int, Any]] = []
        for obj in top_level:
            lowered = [word.lower() for word in split_words(structure[obj.linenum])[:2]]
            phased.append((_phase_of(lowered), obj))
            if lowered:
                self.top_level_firsts.append((obj.linenum, lowered[0]))
        for phase in (_PHASE_NAMES, _PHASE_INTERFACES, _PHASE_DEFINITIONS, _PHASE_ACCESS_LISTS, _PHASE_REST):
            for obj_phase, obj in phased:
                if obj_phase == phase and obj.linenum not in self.outcome:
                    self.top_level(obj)
            if phase == _PHASE_INTERFACES:
                self.reject_duplicate_nameifs()
        for object_name, index in self.object_nat_lines:
            self.object_nat(object_name, index)
        self.classify_ipv6()
        return self.build_device()

    def outcome_as_typed(self, lines: list[str]) -> dict[int, UnknownLine | None]:
        """Every line's outcome when the file is `lines` (see `claim_rejected_lines`)."""
        copy = _AsaParser("", self.path)
        copy.lines = lines
        copy.run()
        return dict(copy.outcome)

    # -- top level

    def top_level(self, obj: Any) -> None:
        index = obj.linenum
        if self.comment_or_blank(index):
            return
        words = self.words(index)
        lowered = [word.lower() for word in words]
        first = lowered[0]
        second = lowered[1] if len(lowered) > 1 else ""
        if words[0].startswith(":") or first.startswith("cryptochecksum:"):
            self.mark_block(obj, HARMLESS, _HEADER)
        elif first == "hostname" and len(words) == 2:
            self.hostname = words[1].strip('"')
            self.parsed(index)
            self.unexpected_children(obj)
        elif first == "names" and len(words) == 1:
            self.parsed(index)
            self.unexpected_children(obj)
        elif first == "name":
            self.name_alias(obj, words)
        elif first == "interface":
            self.interface(obj, words)
        elif first == "nameif":
            self.pix_nameif(obj, words)
        elif first == "ip" and second == "address":
            self.pix_ip_address(obj, words)
        elif first == "object":
            self.object_definition(obj, words)
        elif first == "object-group":
            self.object_group(obj, words)
        elif first == "access-list":
            self.access_list(obj, words)
        elif first == "access-group":
            self.access_group(obj, words)
        elif first == "route":
            self.static_route(obj, words)
        elif first == "nat":
            self.twice_nat(obj, words)
        elif first == "router":
            self.routing_process(obj, words)
        elif first == "same-security-traffic":
            self.same_security(obj, lowered, enabled=True)
        else:
            self.other_top_level(obj, words, lowered)

    def other_top_level(self, obj: Any, words: list[str], lowered: list[str]) -> None:
        index = obj.linenum
        first = lowered[0]
        second = lowered[1] if len(lowered) > 1 else ""
        if first == "failover" and lowered[1:3] == ["ip", "address"]:
            self.failover_address(obj, words)
        elif first == "crypto" and second == "map" and len(lowered) >= 5 and lowered[3] == "interface":
            self.mark_block(obj, FORWARDING, f"crypto map (IPsec VPN) bound to interface '{words[4]}' is not modelled")
        elif first == "webvpn":
            self.webvpn(obj)
        elif first == "group-policy":
            self.group_policy(obj)
        elif first == "policy-map":
            self.policy_map(obj)
        elif first == "ipv6":
            self.mark_block(obj, HARMLESS, _IPV6_SETTING)
            if second == "route":
                # Classified with the interfaces' IPv6 lines once every interface is known.
                self.ipv6_lines.append((index, None))
        elif first == "clear":
            self.clear(obj, lowered)
        elif first == "arp" and len(words) >= 4 and is_ipv4(words[2]):
            self.mark_block(obj, HARMLESS, STATIC_ARP_REASON)
            mac = normalize_mac(words[3])
            if mac is not None:  # `arp IFNAME IP MAC`: kept for MAC pinning (ZONE-003)
                draft = self.interface_by_nameif(words[1])
                self.static_arps.append(
                    StaticArp(ip_to_int(words[2]), mac, draft.name if draft else None, self.source(index))
                )
        elif first == "no":
            self.negated_top_level(obj, words, lowered)
        elif self._parse_mgmt_line(obj, lowered):
            pass
        else:
            entry = lookup_prefix(_TOP_LEVEL_COMMANDS, lowered)
            if entry is not None:
                self.mark_block(obj, entry[0], entry[1])
            elif _CLI_PROMPT.match(strip_blanks(self.lines[index])):
                self.mark_block(obj, HARMLESS, "CLI prompt or command echo")
            else:
                self.mark_block(obj, FORWARDING, f"unrecognised command '{' '.join(words[:2])}'")

    def _parse_mgmt_line(self, obj: Any, lowered: list[str]) -> bool:
        """Management-plane commands (remote access sources, AAA, logging, time, SNMP,
        `no` forms included). They do not forward transit traffic: HARMLESS. Their facts
        are read into `Device.mgmt` by asa_mgmt.read_management, a separate read-only pass
        over the whole file (definitions and uses of named objects span every section)."""
        command = lowered[1:] if lowered[:1] == ["no"] else lowered
        reason = lookup_prefix(_MANAGEMENT_COMMANDS, command)
        if reason is None:
            return False
        self.mark_block(obj, HARMLESS, reason)
        return True

    def negated_top_level(self, obj: Any, words: list[str], lowered: list[str]) -> None:
        rest = lowered[1:]
        if rest[:1] == ["same-security-traffic"]:
            self.same_security(obj, rest, enabled=False)
            return
        if self._parse_mgmt_line(obj, lowered):
            return
        reason = lookup_prefix(_NEGATED_HARMLESS, rest)
        entry = lookup_prefix(_TOP_LEVEL_COMMANDS, rest)
        if reason is not None:
            self.mark_block(obj, HARMLESS, reason or "feature disabled")
        elif entry is not None and entry[0] is HARMLESS:
            self.mark_block(obj, HARMLESS, entry[1])
        else:
            self.mark_block(obj, FORWARDING, f"unrecognised command '{' '.join(words[:3])}'")

    def same_security(self, obj: Any, lowered: list[str], enabled: bool) -> None:
        index = obj.linenum
        if lowered[1:2] == ["permit"] and len(lowered) == 3 and lowered[2] in ("inter-interface", "intra-interface"):
            if lowered[2] == "inter-interface":
                self.same_security_inter = enabled
            else:
                self.same_security_intra = enabled
            self.parsed(index)
            self.unexpected_children(obj)
        else:
            self.mark_block(obj, FORWARDING, "same-security-traffic command not understood")

    def clear(self, obj: Any, lowered: list[str]) -> None:
        """`clear configure X` in a script removes X. It is harmless when nothing of X was
        configured earlier in this file (the usual form: clear, then define)."""
        index = obj.linenum
        if len(lowered) < 3 or lowered[1] not in ("configure", "config"):
            self.mark_block(obj, HARMLESS, "clears run-time state (no configuration change)")
            return
        target = lowered[2]
        ignored = {"clear", "asa", "pix", "fwsm", "names", "hostname", "exit", "!"}
        earlier = [
            first
            for line, first in self.top_level_firsts
            if line < index
            and first not in ignored
            and not first.startswith((":", "!", "cryptochecksum"))
            and (target == "all" or first == target)
        ]
        if earlier:
            self.mark_block(
                obj,
                FORWARDING,
                f"'clear configure {target}' removes configuration defined earlier in this file; not modelled",
            )
        else:
            self.mark_block(obj, HARMLESS, "clears configuration loaded before this file's lines")

    def webvpn(self, obj: Any) -> None:
        self.unknown(obj.linenum, HARMLESS, _VPN_DEFINITION)
        for child in descendants(obj):
            if self.comment_or_blank(child.linenum):
                continue
            words = self.words(child.linenum)
            if words[0].lower() == "enable" and len(words) >= 2:
                self.unknown(
                    child.linenum,
                    FORWARDING,
                    f"remote-access SSL VPN enabled on interface '{words[1]}': VPN client traffic is not modelled",
                )
            else:
                self.unknown(child.linenum, HARMLESS, _VPN_DEFINITION)

    def group_policy(self, obj: Any) -> None:
        self.unknown(obj.linenum, HARMLESS, _VPN_DEFINITION)
        for child in descendants(obj):
            if self.comment_or_blank(child.linenum):
                continue
            lowered = [word.lower() for word in self.words(child.linenum)]
            if lowered[0] == "vpn-filter" and lowered[1:2] != ["none"]:
                self.unknown(child.linenum, FORWARDING, "VPN filter for VPN client traffic is not modelled")
            else:
                self.unknown(child.linenum, HARMLESS, _VPN_DEFINITION)

    def policy_map(self, obj: Any) -> None:
        self.unknown(obj.linenum, HARMLESS, _INSPECTION)
        for child in descendants(obj):
            if self.comment_or_blank(child.linenum):
                continue
            lowered = [word.lower() for word in self.words(child.linenum)]
            if lowered[:2] == ["inspect", "scansafe"]:
                self.unknown(child.linenum, FORWARDING, "redirection to cloud web security is not modelled")
            else:
                self.unknown(child.linenum, HARMLESS, _INSPECTION)

    # -- names

    def name_alias(self, obj: Any, words: list[str]) -> None:
        """`name ADDRESS ALIAS [description TEXT]`."""
        index = obj.linenum
        if len(words) < 3 or (len(words) > 3 and words[3].lower() != "description"):
            self.mark_block(obj, FORWARDING, "name command not understood")
            return
        if is_ipv4(words[1]):
            self.names[words[2]] = ip_to_int(words[1])
        elif looks_like_ipv6(words[1]):
            self.names[words[2]] = None
        else:
            self.mark_block(obj, FORWARDING, f"name command not understood: '{words[1]}' is not an address")
            return
        self.parsed(index)
        self.unexpected_children(obj)

    def ipv4_or_name(self, word: str) -> int:
        if is_ipv4(word):
            return ip_to_int(word)
        value = self.names.get(word)
        if value is not None:
            return value
        if word in self.names:
            raise NotUnderstood(f"name '{word}' is an IPv6 address")
        raise NotUnderstood(f"'{word}' is neither an IPv4 address nor a defined name")

    def is_ipv6_word(self, word: str) -> bool:
        return looks_like_ipv6(word) or (word in self.names and self.names[word] is None)

    # -- interfaces

    def interface_draft(self, name: str, index: int) -> _InterfaceDraft:
        draft = self.interfaces.get(name)
        if draft is None:
            draft = _InterfaceDraft(name=name, source=self.source(index), kind=_interface_kind(name))
            self.interfaces[name] = draft
        return draft

    def interface_by_nameif(self, nameif: str) -> _InterfaceDraft | None:
        exact = [draft for draft in self.interfaces.values() if draft.nameif == nameif]
        if exact:
            return exact[0]
        folded = nameif.casefold()
        same = [draft for draft in self.interfaces.values() if draft.nameif and draft.nameif.casefold() == folded]
        return same[0] if len(same) == 1 else None

    def interface(self, obj: Any, words: list[str]) -> None:
        index = obj.linenum
        if len(words) < 2:
            self.mark_block(obj, FORWARDING, "interface declaration not understood")
            return
        extra = words[2:]
        # PIX 6 declares hardware settings on the interface line itself.
        if extra and (obj.children or not all(_PIX_INTERFACE_SETTING.match(word) for word in extra)):
            self.mark_block(obj, FORWARDING, f"interface declaration not understood: '{' '.join(words)}'")
            return
        draft = self.interface_draft(canonical_interface_name(words[1]), index)
        if any(word.lower() == "shutdown" for word in extra):
            draft.shutdown = True
        self.parsed(index)
        for child in descendants(obj):
            self.interface_command(draft, child.linenum)

    def interface_command(self, draft: _InterfaceDraft, index: int) -> None:
        if self.comment_or_blank(index):
            return
        words = self.words(index)
        lowered = [word.lower() for word in words]
        try:
            handled = self.interface_command_known(draft, index, words, lowered)
        except NotUnderstood as problem:
            self.unknown(index, FORWARDING, f"interface command not understood: {problem}")
            return
        if handled:
            return
        if lowered[0] == "no":
            reason = lookup_prefix(_INTERFACE_NEGATED_HARMLESS, lowered[1:])
            entry = lookup_prefix(_INTERFACE_COMMANDS, lowered[1:])
            if reason is not None or (entry is not None and entry[0] is HARMLESS):
                self.unknown(index, HARMLESS, reason or (entry[1] if entry else "") or "feature disabled")
            else:
                self.unknown(index, FORWARDING, f"interface command '{' '.join(words[:3])}' is not modelled")
            return
        entry = lookup_prefix(_INTERFACE_COMMANDS, lowered)
        if entry is None:
            self.unknown(index, FORWARDING, f"interface command '{' '.join(words[:2])}' is not modelled")
        else:
            self.unknown(index, entry[0], entry[1])

    def interface_command_known(self, draft: _InterfaceDraft, index: int, words: list[str], lowered: list[str]) -> bool:
        """Commands that feed the model; False when the command is classified by table."""
        first = lowered[0]
        second = lowered[1] if len(lowered) > 1 else ""
        if first == "description":
            draft.description = strip_blanks(strip_blanks(self.lines[index])[len(words[0]) :])
        elif first == "nameif" and len(words) == 2:
            draft.nameif, draft.nameif_index = words[1], index
        elif first == "security-level" and len(words) == 2:
            draft.security_level = number(words[1], 0, 100, "security level")
            draft.level_index = index
        elif first == "ip" and second == "address":
            self.interface_address(draft, index, words)
            return True
        elif first == "shutdown" and len(words) == 1:
            draft.shutdown = True
        elif first == "management-only" and len(words) == 1:
            draft.management_only = True
        elif first == "vlan" and len(words) == 2:
            draft.vlan = number(words[1], 1, 4094, "VLAN")
        elif first == "switchport" and lookup_prefix(_INTERFACE_COMMANDS, lowered) is None:
            self.switchport(draft, lowered)
        elif first == "channel-group" and len(words) >= 2:
            draft.properties.append(("channel_group", words[1]))
        elif first == "member-interface" and len(words) == 2:
            draft.properties.append(("redundant_member", canonical_interface_name(words[1])))
        elif first == "ipv6":
            if second in ("address", "enable"):
                self.ipv6_lines.append((index, draft.name))
            else:
                self.unknown(index, HARMLESS, _IPV6_SETTING)
            return True
        elif (
            first == "no"
            and len(lowered) == 2
            and second in ("nameif", "security-level", "shutdown", "management-only", "switchport")
        ):
            self.negated_interface_state(draft, second)
        elif lowered[:3] == ["no", "ip", "address"]:
            draft.address, draft.standby, draft.address_unknown = None, None, False
        else:
            return False
        self.parsed(index)
        return True

    @staticmethod
    def negated_interface_state(draft: _InterfaceDraft, command: str) -> None:
        if command == "nameif":
            draft.nameif, draft.nameif_index = None, None
        elif command == "security-level":
            draft.security_level, draft.level_index = None, None
        elif command == "shutdown":
            draft.shutdown = False
        elif command == "management-only":
            draft.management_only = False
        else:
            draft.switchport, draft.switchport_mode = False, None
            draft.properties.append(("routed_port", "yes"))

    def interface_address(self, draft: _InterfaceDraft, index: int, words: list[str]) -> None:
        """`ip address A M [standby S] [cluster-pool P]`; `ip address dhcp|pppoe [setroute]`."""
        arguments = words[2:]
        if arguments and arguments[0].lower() in ("dhcp", "pppoe"):
            draft.address, draft.standby, draft.address_unknown = None, None, True
            self.unknown(index, FORWARDING, f"address obtained by '{arguments[0].lower()}' is not known")
            return
        cursor = Cursor(arguments)
        address = self.ipv4_or_name(cursor.take("address"))
        mask = ipv4(cursor.take("netmask"))
        length = mask_to_length(mask)
        if length is None:
            raise NotUnderstood(f"'{int_to_ip(mask)}' is not a netmask")
        standby = None
        while not cursor.done():
            option = cursor.take_lower("option")
            if option == "standby":
                standby = self.ipv4_or_name(cursor.take("standby address"))
            elif option == "cluster-pool":
                draft.properties.append(("cluster_pool", cursor.take("pool name")))
            else:
                raise NotUnderstood(f"unexpected '{cursor.words[cursor.position - 1]}'")
        draft.address, draft.standby, draft.address_unknown = InterfaceAddress(address, length), standby, False
        self.parsed(index)

    def switchport(self, draft: _InterfaceDraft, lowered: list[str]) -> None:
        """Switch ports of ASA models with a built-in switch (5505, Firepower 1010)."""
        rest = lowered[1:]
        draft.switchport = True
        if not rest:
            return
        if rest[:2] == ["access", "vlan"] and len(rest) == 3:
            draft.access_vlan = number(rest[2], 1, 4094, "VLAN")
            draft.switchport_mode = draft.switchport_mode or "access"
        elif rest[0] == "mode" and len(rest) == 2 and rest[1] in ("access", "trunk"):
            draft.switchport_mode = rest[1]
        elif rest[:3] == ["trunk", "allowed", "vlan"] and len(rest) == 4:
            draft.trunk_vlans = tuple(sorted(vlan_list(rest[3])))
        elif rest[:3] == ["trunk", "native", "vlan"] and len(rest) == 4:
            draft.properties.append(("trunk_native_vlan", str(number(rest[3], 1, 4094, "VLAN"))))
        else:
            raise NotUnderstood(f"switchport command '{' '.join(rest)}'")

    def pix_nameif(self, obj: Any, words: list[str]) -> None:
        """PIX 6: `nameif HARDWARE NAME securityN`."""
        index = obj.linenum
        level_text = words[3].lower() if len(words) == 4 else ""
        if not level_text.startswith("security") or not is_decimal(level_text[8:]) or int(level_text[8:]) > 100:
            self.mark_block(obj, FORWARDING, "nameif command not understood")
            return
        draft = self.interface_draft(canonical_interface_name(words[1]), index)
        draft.nameif, draft.nameif_index = words[2], index
        draft.security_level, draft.level_index = int(level_text[8:]), index
        self.parsed(index)
        self.unexpected_children(obj)

    def pix_ip_address(self, obj: Any, words: list[str]) -> None:
        """PIX 6: `ip address NAMEIF A M` or `ip address NAMEIF dhcp [setroute]`."""
        index = obj.linenum
        draft = self.interface_by_nameif(words[2]) if len(words) >= 3 else None
        if draft is None:
            self.mark_block(obj, FORWARDING, "ip address for an interface that has no such nameif")
            return
        try:
            self.interface_address(draft, index, ["ip", "address", *words[3:]])
        except NotUnderstood as problem:
            self.mark_block(obj, FORWARDING, f"interface address not understood: {problem}")
            return
        self.unexpected_children(obj)

    def failover_address(self, obj: Any, words: list[str]) -> None:
        """PIX / ASA 7: `failover ip address NAMEIF A` is the standby unit's address."""
        index = obj.linenum
        draft = self.interface_by_nameif(words[3]) if len(words) == 5 else None
        if draft is None or not is_ipv4(words[4]):
            self.mark_block(obj, HARMLESS, "failover setting (the standby unit takes over the same configuration)")
            return
        draft.standby = ip_to_int(words[4])
        self.parsed(index)
        self.unexpected_children(obj)

    def reject_duplicate_nameifs(self) -> None:
        owners: dict[str, str] = {}
        for draft in sorted(self.interfaces.values(), key=lambda d: d.nameif_index or 0):
            if draft.nameif is None:
                continue
            owner = owners.get(draft.nameif.casefold())
            if owner is None:
                owners[draft.nameif.casefold()] = draft.name
                continue
            if draft.nameif_index is not None:
                self.unknown(
                    draft.nameif_index,
                    FORWARDING,
                    f"nameif '{draft.nameif}' is already used by {owner}: the ASA rejects it",
                )
            draft.nameif = None

    def default_switch_ports(self) -> None:
        """On a switch-port model (VLAN interfaces exist) an Ethernet port without any
        layer-3 or switch setting is an access port of VLAN 1."""
        if not any(draft.name.startswith("Vlan") for draft in self.interfaces.values()):
            return
        for draft in self.interfaces.values():
            untouched = (
                draft.kind == "physical"
                and draft.name.startswith(_SWITCH_PORT_TYPES)
                and not draft.switchport
                and draft.nameif is None
                and draft.address is None
                and not draft.address_unknown
                and not any(key in ("routed_port", "channel_group") for key, _ in draft.properties)
            )
            if untouched:
                draft.switchport, draft.switchport_mode, draft.access_vlan = True, "access", 1
                draft.properties.append(("switchport_default", "access VLAN 1 (switch-port model default)"))
            elif draft.switchport and draft.switchport_mode is None:
                draft.switchport_mode = "access"
                draft.access_vlan = draft.access_vlan or 1

    def link_redundant_members(self) -> None:
        for draft in list(self.interfaces.values()):
            for key, member in draft.properties:
                if key == "redundant_member" and member in self.interfaces:
                    self.interfaces[member].properties.append(("redundant_group", draft.name))
        self.redundant_without_link()

    def redundant_without_link(self) -> None:
        """A redundant interface forwards over its active member: with no `member-interface`
        there is no physical link (ASA configuration guide, redundant interfaces: the
        logical interface uses the link of its active member), nor when every member is shut
        down. Its subinterfaces go down with it. A member the config does not show
        (a partial config) counts as up: the sound side for isolation is "more reachable"."""
        for name, draft in list(self.interfaces.items()):
            if not name.lower().startswith("redundant") or "." in name or draft.shutdown:
                continue
            members = [member for key, member in draft.properties if key == "redundant_member"]
            if not members:
                reason = "down: redundant interface without member-interface"
                reason_ja = "member-interface のない冗長インターフェース"
            elif all(member in self.interfaces and self.interfaces[member].shutdown for member in members):
                reason = "down: every member-interface is shut down"
                reason_ja = "member-interface がすべて shutdown"
            else:
                continue
            for other_name, other in self.interfaces.items():
                if other_name == name or other_name.startswith(name + "."):
                    other.shutdown = True
                    other.properties.extend((("link", reason), ("link_ja", reason_ja)))

    # -- objects

    def object_definition(self, obj: Any, words: list[str]) -> None:
        index = obj.linenum
        kind = words[1].lower() if len(words) > 1 else ""
        if len(words) != 3 or kind not in ("network", "service"):
            self.mark_block(
                obj, HARMLESS, f"object type '{kind}' is used only where referenced (uses are reported there)"
            )
            return
        name = words[2]
        self.parsed(index)
        if kind == "network":
            network = self.network_objects.setdefault(name, _NetworkObject(name, self.source(index)))
            for child in descendants(obj):
                self.network_object_line(network, child.linenum)
        else:
            service = self.service_objects.setdefault(name, _ServiceObject(name, self.source(index)))
            for child in descendants(obj):
                self.service_object_line(service, child.linenum)

    def network_object_line(self, network: _NetworkObject, index: int) -> None:
        if self.comment_or_blank(index):
            return
        if self.words(index)[0].lower() == "nat":
            # Translations need every object and interface: read after all definitions.
            self.object_nat_lines.append((network.name, index))
            return
        self.definition_line(index, network, "network object line", partial(self.network_object_words, network))

    def network_object_words(self, network: _NetworkObject, words: list[str]) -> None:
        first = words[0].lower()
        if first == "host" and len(words) == 2:
            self.set_host_object(network, words[1])
        elif first == "subnet" and len(words) in (2, 3):
            self.set_subnet_object(network, words[1:])
        elif first == "range" and len(words) == 3:
            self.set_range_object(network, words[1], words[2])
        elif first == "fqdn" and len(words) in (2, 3):
            if len(words) == 3 and words[1].lower() == "v6":
                network.value, network.interval = _IPV6_ONLY, None
            else:
                network.value = _Addresses(None, problem=f"{FQDN_REASON} (object '{network.name}', {words[-1]})")
                network.interval = None
        else:
            raise NotUnderstood(f"'{' '.join(words)}'")

    def set_host_object(self, network: _NetworkObject, word: str) -> None:
        if self.is_ipv6_word(word):
            network.value, network.interval = _IPV6_ONLY, None
            return
        address = self.ipv4_or_name(word)
        network.value, network.interval = _exact([Wildcard.host(address)]), (address, address)

    def set_subnet_object(self, network: _NetworkObject, words: list[str]) -> None:
        if len(words) == 1:
            if not self.is_ipv6_word(words[0]):
                raise NotUnderstood(f"'subnet {words[0]}' without a netmask")
            network.value, network.interval = _IPV6_ONLY, None
            return
        wildcard = self.prefix_wildcard(self.ipv4_or_name(words[0]), ipv4(words[1]))
        network.value = _exact([wildcard])
        network.interval = (wildcard.address, wildcard.address | wildcard.wildcard)

    def set_range_object(self, network: _NetworkObject, first_word: str, last_word: str) -> None:
        if self.is_ipv6_word(first_word) and self.is_ipv6_word(last_word):
            network.value, network.interval = _IPV6_ONLY, None
            return
        first, last = self.ipv4_or_name(first_word), self.ipv4_or_name(last_word)
        if last < first:
            raise NotUnderstood(f"empty range {first_word}-{last_word}")
        network.value = _exact(range_to_wildcards(first, last))
        network.interval = (first, last)

    @staticmethod
    def prefix_wildcard(address: int, mask: int) -> Wildcard:
        """An ASA address with its netmask; host bits outside the mask are refused, as the ASA does."""
        length = mask_to_length(mask)
        if length is None:
            raise NotUnderstood(f"'{int_to_ip(mask)}' is not a netmask")
        if address & ~mask & IPV4_MAX:
            raise NotUnderstood(f"{int_to_ip(address)} has bits outside netmask {int_to_ip(mask)}")
        return Wildcard.prefix(address, length)

    def service_object_line(self, service: _ServiceObject, index: int) -> None:
        if self.comment_or_blank(index):
            return
        self.definition_line(index, service, "service object line", partial(_service_object_words, service))

    def network_object(self, name: str) -> _Addresses:
        network = self.network_objects.get(name)
        if network is None:
            raise NotUnderstood(f"network object '{name}' is not defined")
        if network.problem:
            raise NotUnderstood(f"network object '{name}' has a line that was not understood")
        if network.value is None:
            raise NotUnderstood(f"network object '{name}' has no address")
        return network.value

    def service_object(self, name: str) -> _Service:
        service = self.service_objects.get(name)
        if service is None:
            builtin = _builtin_service(name)
            if builtin is None:
                raise NotUnderstood(f"service object '{name}' is not defined")
            return builtin
        if service.problem:
            raise NotUnderstood(f"service object '{name}' has a line that was not understood")
        if service.service is None:
            raise NotUnderstood(f"service object '{name}' has no service")
        return service.service

    # -- object-groups

    def object_group(self, obj: Any, words: list[str]) -> None:
        index = obj.linenum
        lowered = [word.lower() for word in words]
        declared = lowered[1] if len(lowered) > 1 else ""
        port_protocols: tuple[int, ...] = ()
        if declared == "service" and len(words) == 4 and lowered[3] in ("tcp", "udp", "tcp-udp"):
            kind = "port"
            port_protocols = {"tcp": (PROTO_TCP,), "udp": (PROTO_UDP,), "tcp-udp": (PROTO_TCP, PROTO_UDP)}[lowered[3]]
        elif declared in ("network", "service", "protocol", "icmp-type") and len(words) == 3:
            kind = declared
        else:
            self.mark_block(
                obj,
                HARMLESS,
                f"object-group type '{' '.join(words[1:2])}' is used only where referenced (uses are reported there)",
            )
            return
        name = words[2]
        group = self.groups.get(name)
        if group is None:
            group = _Group(kind=kind, name=name, source=self.source(index), port_protocols=port_protocols)
            self.groups[name] = group
        elif group.kind != kind or group.port_protocols != port_protocols:
            self.mark_block(obj, FORWARDING, f"object-group '{name}' defined with two types: the ASA rejects this")
            return
        self.parsed(index)
        for child in descendants(obj):
            self.group_entry(group, child.linenum)

    def group_entry(self, group: _Group, index: int) -> None:
        if self.comment_or_blank(index):
            return
        self.definition_line(index, group, "object-group entry", partial(self.group_words, group))

    def group_words(self, group: _Group, words: list[str]) -> None:
        first = words[0].lower()
        if first == "group-object" and len(words) == 2:
            group.nested.append(words[1])
        elif first == "network-object" and group.kind == "network":
            self.network_group_entry(group, words[1:])
        elif first == "port-object" and group.kind == "port":
            cursor = Cursor(words[1:])
            names = port_names_for(_DIALECT, group.port_protocols)
            group.ports.extend(required_ports(cursor, names, _DIALECT, "port-object"))
            cursor.expect_end()
        elif first == "service-object" and group.kind == "service":
            if len(words) == 3 and words[1].lower() == "object":
                group.service_objects.append(words[2])
            else:
                cursor = Cursor(words[1:])
                group.services.append(_read_service(cursor))
                cursor.expect_end()
        elif first == "protocol-object" and group.kind == "protocol" and len(words) == 2:
            protocols = protocol_numbers(words[1], _DIALECT)
            group.protocols.append(protocols[0] if protocols else None)
        elif first == "icmp-object" and group.kind == "icmp-type" and len(words) == 2:
            icmp = read_icmp_type(Cursor(words[1:]), _DIALECT)
            if icmp is None:
                raise NotUnderstood(f"unknown ICMP type '{words[1]}'")
            group.icmp.extend(icmp)
        else:
            raise NotUnderstood(f"'{' '.join(words)}' in a {group.kind} group")

    def network_group_entry(self, group: _Group, words: list[str]) -> None:
        """`network-object host A | A MASK | object NAME | IPV6/LEN`."""
        if len(words) == 2 and words[0].lower() == "host":
            if self.is_ipv6_word(words[1]):
                group.addresses.append(_IPV6_ONLY)
            else:
                group.addresses.append(_exact([Wildcard.host(self.ipv4_or_name(words[1]))]))
        elif len(words) == 2 and words[0].lower() == "object":
            group.network_objects.append(words[1])
        elif len(words) == 1 and self.is_ipv6_word(words[0]):
            group.addresses.append(_IPV6_ONLY)
        elif len(words) == 2:
            group.addresses.append(_exact([self.prefix_wildcard(self.ipv4_or_name(words[0]), ipv4(words[1]))]))
        else:
            raise NotUnderstood(f"'network-object {' '.join(words)}'")

    def network_group(self, name: str, trail: tuple[str, ...] = ()) -> _Addresses:
        key = ("network", name)
        if key in self.resolved:
            return self.resolved[key]
        group = group_of_kind(self.groups, name, "network", trail)
        parts = list(group.addresses)
        parts.extend(self.network_object(member) for member in group.network_objects)
        parts.extend(self.network_group(nested, (*trail, name)) for nested in group.nested)
        result = _union(parts) if parts else _Addresses(())
        self.resolved[key] = result
        return result

    def service_group(self, name: str, trail: tuple[str, ...] = ()) -> tuple[_Service, ...]:
        key = ("service", name)
        if key in self.resolved:
            return self.resolved[key]
        group = group_of_kind(self.groups, name, "service", trail)
        services = list(group.services)
        services.extend(self.service_object(member) for member in group.service_objects)
        for nested in group.nested:
            services.extend(self.service_group(nested, (*trail, name)))
        result = tuple(dict.fromkeys(services))
        self.resolved[key] = result
        return result

    def port_group(self, name: str, trail: tuple[str, ...] = ()) -> tuple[tuple[int, ...], tuple[PortRange, ...]]:
        key = ("port", name)
        if key in self.resolved:
            return self.resolved[key]
        group = group_of_kind(self.groups, name, "port", trail)
        ports = list(group.ports)
        for nested in group.nested:
            ports.extend(self.port_group(nested, (*trail, name))[1])
        result = (group.port_protocols, tuple(sorted(set(ports))))
        self.resolved[key] = result
        return result

    def protocol_group(self, name: str, trail: tuple[str, ...] = ()) -> tuple[int, ...] | None:
        key = ("protocol", name)
        if key in self.resolved:
            return self.resolved[key]
        group = group_of_kind(self.groups, name, "protocol", trail)
        protocols = list(group.protocols)
        for nested in group.nested:
            nested_protocols = self.protocol_group(nested, (*trail, name))
            protocols.extend(nested_protocols if nested_protocols is not None else (None,))
        result = None if None in protocols else tuple(sorted(set(p for p in protocols if p is not None)))
        self.resolved[key] = result
        return result

    def icmp_group(self, name: str, trail: tuple[str, ...] = ()) -> tuple[IcmpMatch, ...]:
        key = ("icmp-type", name)
        if key in self.resolved:
            return self.resolved[key]
        group = group_of_kind(self.groups, name, "icmp-type", trail)
        icmp = list(group.icmp)
        for nested in group.nested:
            icmp.extend(self.icmp_group(nested, (*trail, name)))
        result = tuple(dict.fromkeys(icmp))
        self.resolved[key] = result
        return result

    def group_kind(self, name: str | None) -> str | None:
        group = self.groups.get(name) if name is not None else None
        return group.kind if group is not None else None

    # -- access lists

    def acl_draft(self, name: str, index: int) -> _AclDraft:
        draft = self.acls.get(name)
        if draft is None:
            draft = _AclDraft(name=name, source=self.source(index))
            self.acls[name] = draft
        return draft

    def access_list(self, obj: Any, words: list[str]) -> None:
        """`access-list NAME [line N] {remark | extended | standard | webtype | ethertype} ...`;
        PIX 6 omits `extended`."""
        index = obj.linenum
        lowered = [word.lower() for word in words]
        if len(words) >= 2 and lowered[1] in ("alert-interval", "deny-flow-max"):
            self.mark_block(obj, HARMLESS, "ACL logging setting")
            return
        if len(words) < 3:
            self.mark_block(obj, FORWARDING, "access-list command not understood")
            return
        name, rest = words[1], words[2:]
        position: int | None = None
        if rest[0].lower() == "line" and len(rest) >= 2 and is_decimal(rest[1]):
            position, rest = max(1, int(rest[1])), rest[2:]
        keyword = rest[0].lower() if rest else ""
        self.unexpected_children(obj)
        if keyword == "remark":
            self.acl_draft(name, index).insert(position, None)
            self.parsed(index)
        elif keyword in ("webtype", "ethertype"):
            self.non_ip_acls.add(name)
            reason = (
                "EtherType ACL: filters only non-IP frames (transparent mode)"
                if keyword == "ethertype"
                else "WebVPN ACL: filters clientless VPN sessions only (VPN is reported where enabled)"
            )
            self.unknown(index, HARMLESS, reason)
        elif keyword in ("extended", "standard", "permit", "deny"):
            kind = keyword if keyword in ("extended", "standard") else "extended"
            body = rest[1:] if keyword in ("extended", "standard") else rest
            draft = self.acl_draft(name, index)
            if draft.kind is not None and draft.kind != kind:
                self.unknown(
                    index, FORWARDING, f"ACL '{name}' is already a {draft.kind} ACL: the ASA rejects this entry"
                )
                return
            draft.kind = kind
            draft.insert(position, self.acl_line(kind, body, index))
        else:
            self.unknown(index, FORWARDING, f"access list type '{keyword}' is not modelled")

    def acl_line(self, kind: str, words: list[str], index: int) -> AclLine | None:
        """The entry as an AclLine; None when it can match no IPv4 packet (the line is
        then recorded as HARMLESS)."""
        action_word = words[0].lower() if words else ""
        if action_word not in ("permit", "deny"):
            return self.not_understood_line(
                Action.PERMIT, index, f"ACL entry not understood: expected permit or deny, found '{action_word}'"
            )
        action = Action.PERMIT if action_word == "permit" else Action.DENY
        cursor = Cursor(words[1:])
        try:
            entry = self.standard_entry(cursor) if kind == "standard" else self.extended_entry(cursor)
        except NotUnderstood as problem:
            return self.not_understood_line(action, index, f"ACL entry not understood: {problem}")
        if entry.inactive:
            self.unknown(index, HARMLESS, "inactive entry: it matches no packet")
            return None
        if entry.no_ipv4:
            self.unknown(index, HARMLESS, entry.no_ipv4)
            return None
        if entry.widened:
            self.unknown(index, FORWARDING, f"ACL entry widened to any address: {entry.widened}")
        else:
            self.parsed(index)
        return AclLine(
            action=action,
            matches=entry.matches,
            source=self.source(index),
            understood=not entry.widened,
            approximation=entry.approximation,
        )

    def not_understood_line(self, action: Action, index: int, reason: str) -> AclLine:
        self.unknown(index, FORWARDING, reason)
        return AclLine(action=action, matches=(Match(),), source=self.source(index), understood=False)

    def standard_entry(self, cursor: Cursor) -> _Entry:
        """`any4 | any | host A | A MASK`: standard ACLs match destinations."""
        word = cursor.peek()
        if word == "any6":
            return _Entry((), no_ipv4="IPv6-only entry: matches no IPv4 packet")
        if word in ("any", "any4"):
            cursor.take("address")
            destination = _EVERY_ADDRESS
        elif word == "host":
            cursor.take("host")
            destination = self.host_addresses(cursor.take("host address"))
        else:
            address = self.ipv4_or_name(cursor.take("address"))
            destination = _exact([self.prefix_wildcard(address, ipv4(cursor.take("netmask")))])
        cursor.expect_end()
        if destination.wildcards == ():
            return _Entry((), no_ipv4="IPv6-only entry: matches no IPv4 packet")
        return _Entry((Match(dst=destination.wildcards),))

    def extended_entry(self, cursor: Cursor) -> _Entry:
        services, port_protocols, takes_icmp = self.acl_protocol(cursor)
        if services and all(service.ipv6_only for service in services):
            # Whatever follows (IPv6 addresses, ICMPv6 types) cannot make it match IPv4.
            return _Entry((), no_ipv4="IPv6-only entry (icmp6): matches no IPv4 packet")
        self.refuse_identity_qualifier(cursor)
        source = self.acl_address(cursor)
        src_ports = self.acl_ports(cursor, port_protocols) if port_protocols else None
        self.refuse_identity_qualifier(cursor)
        destination = self.acl_address(cursor)
        dst_ports = self.acl_ports(cursor, port_protocols) if port_protocols else None
        if takes_icmp == _ICMP_GROUP_ONLY:
            icmp = self.acl_icmp_group(cursor)
        else:
            icmp = self.acl_icmp(cursor) if takes_icmp else None
        notes, inactive = _read_acl_options(cursor)
        if inactive:
            return _Entry((), inactive=True)
        if port_protocols:
            services = tuple(replace(service, src_ports=src_ports, dst_ports=dst_ports) for service in services)
        if takes_icmp == _ICMP_GROUP_ONLY:
            if icmp is not None:
                services = _icmp_types_on_icmp_only(services[0].protocols, icmp)
        elif takes_icmp:
            services = tuple(replace(service, icmp=icmp) for service in services)
        # Deduplicated here, not as Matches: hashing a Match hashes every address pattern.
        ipv4_services = list(dict.fromkeys(service for service in services if not service.ipv6_only))
        if source.wildcards == () or destination.wildcards == () or not ipv4_services:
            ipv6 = source.ipv6 or destination.ipv6 or any(service.ipv6_only for service in services)
            reason = (
                "IPv6-only entry: matches no IPv4 packet" if ipv6 else "entry matches no packet (empty object-group)"
            )
            return _Entry((), no_ipv4=reason)
        matches = tuple(
            Match(
                protocols=service.protocols,
                src=source.wildcards,
                dst=destination.wildcards,
                src_ports=service.src_ports,
                dst_ports=service.dst_ports,
                icmp=service.icmp,
            )
            for service in ipv4_services
        )
        widened = "; ".join(dict.fromkeys(problem for problem in (source.problem, destination.problem) if problem))
        return _Entry(matches, approximation="; ".join(notes), widened=widened)

    def acl_protocol(self, cursor: Cursor) -> tuple[tuple[_Service, ...], tuple[int, ...], bool | str]:
        """(services, protocols that take port operators, whether an ICMP type may follow:
        True, False or _ICMP_GROUP_ONLY after a protocol object-group)."""
        word = cursor.take("protocol")
        lowered = word.lower()
        if lowered == "object-group":
            name = cursor.take("object-group name")
            kind = self.group_kind(name)
            if kind == "protocol":
                protocols = self.protocol_group(name)
                takes_ports = protocols is not None and bool(protocols) and set(protocols) <= {PROTO_TCP, PROTO_UDP}
                return (_Service(protocols),), (protocols or ()) if takes_ports else (), _ICMP_GROUP_ONLY
            if kind == "service":
                return self.service_group(name), (), False
            raise NotUnderstood(f"protocol or service object-group '{name}' is not defined")
        if lowered == "object":
            return (self.service_object(cursor.take("service object name")),), (), False
        if lowered == "icmp6":
            return (_Service((PROTO_ICMP6,), ipv6_only=True),), (), False
        protocols = protocol_numbers(word, _DIALECT)
        if protocols in ((PROTO_TCP,), (PROTO_UDP,)):
            return (_Service(protocols),), protocols or (), False
        return (_Service(protocols),), (), protocols == (PROTO_ICMP,)

    @staticmethod
    def refuse_identity_qualifier(cursor: Cursor) -> None:
        word = cursor.peek()
        if word in ("user", "user-group", "object-group-user", "security-group", "object-group-security"):
            raise NotUnderstood(f"identity / TrustSec qualifier '{word}' is not modelled")

    def acl_address(self, cursor: Cursor) -> _Addresses:
        word = cursor.take("address")
        lowered = word.lower()
        if lowered in ("any", "any4"):
            return _EVERY_ADDRESS
        if lowered == "any6":
            return _IPV6_ONLY
        if lowered == "host":
            return self.host_addresses(cursor.take("host address"))
        if lowered == "object":
            return self.network_object(cursor.take("network object name"))
        if lowered == "object-group":
            return self.network_group(cursor.take("network object-group name"))
        if lowered == "interface":
            return self.interface_addresses(cursor.take("interface name"))
        if self.is_ipv6_word(word):
            return _IPV6_ONLY
        address = self.ipv4_or_name(word)
        return _exact([self.prefix_wildcard(address, ipv4(cursor.take("netmask")))])

    def host_addresses(self, word: str) -> _Addresses:
        if self.is_ipv6_word(word):
            return _IPV6_ONLY
        return _exact([Wildcard.host(self.ipv4_or_name(word))])

    def interface_addresses(self, nameif: str) -> _Addresses:
        draft = self.interface_by_nameif(nameif)
        if draft is None:
            raise NotUnderstood(f"no interface is named '{nameif}'")
        if draft.address is None:
            return _Addresses(None, problem=f"the address of interface '{nameif}' is not known")
        return _exact([Wildcard.host(draft.address.address)])

    def acl_ports(self, cursor: Cursor, protocols: tuple[int, ...]) -> tuple[PortRange, ...] | None:
        if cursor.peek() in PORT_OPERATORS:
            return read_port_operator(cursor, port_names_for(_DIALECT, protocols), _DIALECT)
        name = cursor.peek_word(1)
        if cursor.peek() == "object-group" and self.group_kind(name) == "port" and name is not None:
            cursor.take("object-group")
            cursor.take("port object-group name")
            group_protocols, ports = self.port_group(name)
            if not set(protocols) <= set(group_protocols):
                raise NotUnderstood(f"port object-group '{name}' is not for this protocol")
            return ports
        return None

    def acl_icmp(self, cursor: Cursor) -> tuple[IcmpMatch, ...] | None:
        name = cursor.peek_word(1)
        if cursor.peek() == "object-group" and self.group_kind(name) == "icmp-type" and name is not None:
            cursor.take("object-group")
            cursor.take("icmp-type object-group name")
            return self.icmp_group(name)
        return read_icmp_type(cursor, _DIALECT)

    def acl_icmp_group(self, cursor: Cursor) -> tuple[IcmpMatch, ...] | None:
        """After a protocol object-group only an icmp-type object-group may follow."""
        name = cursor.peek_word(1)
        if cursor.peek() == "object-group" and self.group_kind(name) == "icmp-type" and name is not None:
            cursor.take("object-group")
            cursor.take("icmp-type object-group name")
            return self.icmp_group(name)
        return None

    def access_group(self, obj: Any, words: list[str]) -> None:
        """`access-group NAME in|out interface IF [per-user-override | control-plane]` or
        `access-group NAME global`."""
        index = obj.linenum
        lowered = [word.lower() for word in words]
        self.unexpected_children(obj)
        name = words[1] if len(words) > 1 else ""
        if len(words) == 3 and lowered[2] == "global":
            if self.undefined_acl(index, name):
                return
            self.global_acl, self.global_acl_source = name, self.source(index)
            self.parsed(index)
            return
        options = lowered[5:]
        if (
            len(words) < 5
            or lowered[2] not in ("in", "out")
            or lowered[3] != "interface"
            or options not in ([], ["per-user-override"], ["control-plane"])
        ):
            self.unknown(index, FORWARDING, "access-group command not understood")
            return
        if options == ["control-plane"]:
            self.unknown(index, HARMLESS, "control-plane ACL: filters traffic to the device itself")
            return
        draft = self.interface_by_nameif(words[4])
        if draft is None:
            self.unknown(index, FORWARDING, f"no interface is named '{words[4]}': the ASA rejects this access-group")
            return
        if name in self.non_ip_acls and name not in self.acls:
            self.unknown(index, HARMLESS, "binding of a non-IP (EtherType / WebVPN) ACL")
            return
        if self.undefined_acl(index, name):
            return
        if lowered[2] == "in":
            draft.acl_in, draft.acl_in_source = name, self.source(index)
        else:
            draft.acl_out, draft.acl_out_source = name, self.source(index)
        if options == ["per-user-override"]:
            self.unknown(
                index,
                FORWARDING,
                "per-user-override: per-user ACLs downloaded for VPN users replace "
                "this ACL for their traffic; not modelled",
            )
        else:
            self.parsed(index)

    def undefined_acl(self, index: int, name: str) -> bool:
        if name in self.acls:
            return False
        self.unknown(
            index, FORWARDING, f"ACL '{name}' is not defined: the ASA rejects this access-group, so no ACL is bound"
        )
        return True

    # -- static routes

    def static_route(self, obj: Any, words: list[str]) -> None:
        index = obj.linenum
        self.unexpected_children(obj)
        if len(words) >= 3 and self.is_ipv6_word(words[2]):
            self.ipv6_lines.append((index, None))
            return
        try:
            route, option = self.read_static_route(words, index)
        except NotUnderstood as problem:
            self.unknown(index, FORWARDING, f"static route not understood: {problem}")
            return
        if option == "tunneled":
            self.unknown(index, FORWARDING, "'tunneled' default route for VPN traffic is not modelled")
            return
        self.routes.append(route)
        if option:
            self.unknown(
                index,
                FORWARDING,
                f"route depends on 'track {option}' and may be withdrawn; object tracking is not modelled",
            )
        else:
            self.parsed(index)

    def read_static_route(self, words: list[str], index: int) -> tuple[Route, str]:
        """`route IF PREFIX MASK GATEWAY [DISTANCE] [track N | tunneled]` (PIX accepts `0`
        for 0.0.0.0); `route null0 PREFIX MASK [DISTANCE]` discards. Returns the route and
        the tracked object, "tunneled" or ""."""
        cursor = Cursor(words[1:])
        interface_name = cursor.take("interface name")
        prefix = self.route_address(cursor.take("prefix"))
        mask = self.route_address(cursor.take("netmask"))
        length = mask_to_length(mask)
        if length is None:
            raise NotUnderstood(f"'{int_to_ip(mask)}' is not a netmask")
        if prefix & ~mask & IPV4_MAX:
            raise NotUnderstood(f"{int_to_ip(prefix)} has bits outside netmask {int_to_ip(mask)}")
        discard = interface_name.lower() == "null0"
        exit_name = "Null0"
        if not discard:
            draft = self.interface_by_nameif(interface_name)
            if draft is None:
                raise NotUnderstood(f"no interface is named '{interface_name}'")
            exit_name = draft.name
        gateway: int | None = None
        following = cursor.peek_word()
        if not discard or (following is not None and (is_ipv4(following) or self.names.get(following) is not None)):
            gateway = self.ipv4_or_name(cursor.take("gateway"))
        distance, option = 1, ""
        while not cursor.done():
            word = cursor.take_lower("route option")
            if is_decimal(word):
                distance = number(word, 1, 255, "administrative distance")
            elif word == "track":
                option = cursor.take("track number")
            elif word == "tunneled":
                option = "tunneled"
            else:
                raise NotUnderstood(f"unexpected '{cursor.words[cursor.position - 1]}'")
        route = Route(
            prefix=prefix,
            prefix_length=length,
            kind=RouteKind.STATIC,
            source=self.source(index),
            next_hop=gateway,
            interface=exit_name,
            distance=distance,
            discard=discard,
        )
        return route, option

    def route_address(self, word: str) -> int:
        return 0 if word == "0" else self.ipv4_or_name(word)

    # -- dynamic routing

    def routing_process(self, obj: Any, words: list[str]) -> None:
        lowered = [word.lower() for word in words]
        protocol = lowered[1] if len(lowered) > 1 else ""
        if protocol not in ("ospf", "eigrp", "rip", "bgp"):
            self.mark_block(obj, FORWARDING, f"routing protocol '{' '.join(words[1:2])}' is not modelled")
            return
        self.routing.append(read_routing_process(self, obj, protocol, words, _routing_network))

    def resolve_routing(self) -> list[DynamicRouting]:
        """Routing runs on named interfaces only (an unnamed ASA interface forwards nothing)."""
        named = [draft for draft in self.interfaces.values() if draft.nameif is not None]
        addressed = [draft.name for draft in named if draft.address is not None]
        result: list[DynamicRouting] = []
        for routing in self.routing:
            if routing.protocol == "bgp":
                interfaces = [(draft.name, (draft.address,) if draft.address is not None else ()) for draft in named]
                names = bgp_interfaces(routing, interfaces, addressed)
            else:
                names = [
                    draft.name
                    for draft in named
                    if draft.address is not None
                    and any(_network_covers(network, draft.address.address) for network in routing.networks)
                ]
            result.append(DynamicRouting(routing.protocol, routing.process, tuple(names), routing.source))
        return result

    # -- NAT

    def nat_interfaces(self, cursor: Cursor) -> tuple[str | None, str | None]:
        """`(real,mapped)` if present (None = any); a single interface is pre-8.3 syntax."""
        word = cursor.peek_word()
        if word is None or not word.startswith("("):
            return None, None
        text = cursor.take("interfaces")
        while not text.endswith(")") and not cursor.done():
            text += cursor.take("interfaces")
        if not text.endswith(")"):
            raise NotUnderstood(f"unclosed interface list '{text}'")
        inner = text[1:-1]
        if "," not in inner:
            raise _LegacyNat(_PRE_83_NAT)
        real, mapped = (part.strip() for part in inner.split(",", 1))
        return self.nat_interface(real), self.nat_interface(mapped)

    def nat_interface(self, name: str) -> str | None:
        if name.lower() == "any":
            return None
        draft = self.interface_by_nameif(name)
        if draft is None or draft.nameif is None:
            raise NotUnderstood(f"no interface is named '{name}'")
        return draft.name

    def nat_addresses(self, word: str) -> tuple[tuple[int, int], ...] | None:
        """A twice-NAT operand: `any`, a network object or a network object-group."""
        if word.lower() == "any":
            return None
        if word in self.network_objects:
            addresses = self.network_object(word)
        elif self.group_kind(word) == "network":
            addresses = self.network_group(word)
        else:
            raise NotUnderstood(f"network object or object-group '{word}' is not defined")
        return _nat_prefixes(addresses)

    def interface_prefixes(self, name: str | None, role: str) -> tuple[tuple[int, int], ...]:
        if name is None:
            raise NotUnderstood(f"'interface' as {role} needs a named interface, not 'any'")
        draft = self.interfaces.get(name)
        if draft is None or draft.address is None:
            raise NotUnderstood(f"the address of interface '{draft.nameif if draft else name}' is not known")
        return ((draft.address.address, 32),)

    def nat_not_understood(self, index: int, problem: NotUnderstood) -> None:
        """Pre-8.3 NAT syntax has its own reason: it is not modelled at all."""
        reason = _PRE_83_NAT if isinstance(problem, _LegacyNat) else f"NAT rule not understood: {problem}"
        self.unknown(index, FORWARDING, reason)

    def twice_nat(self, obj: Any, words: list[str]) -> None:
        index = obj.linenum
        self.unexpected_children(obj)
        try:
            section, position, rule = self.read_twice_nat(words[1:], index)
        except NotUnderstood as problem:
            self.nat_not_understood(index, problem)
            return
        rules = self.twice_nats[section]
        if position is None or position > len(rules):
            rules.append(rule)
        else:
            rules.insert(position - 1, rule)
        self.parsed(index)

    def read_twice_nat(self, words: list[str], index: int) -> tuple[int, int | None, NatRule]:
        """`nat [(real,mapped)] [N] [after-auto [N]] source static|dynamic REAL MAPPED [interface]
        [destination static MAPPED_DST REAL_DST] [service A B] [options] [inactive]
        [description TEXT]`."""
        cursor = Cursor(words)
        real_if, mapped_if = self.nat_interfaces(cursor)
        section, position = 1, None
        if is_decimal(cursor.peek() or ""):
            position = max(1, int(cursor.take("rule number")))
        if cursor.peek() == "after-auto":
            cursor.take("after-auto")
            section = 3
            if is_decimal(cursor.peek() or ""):
                position = max(1, int(cursor.take("rule number")))
        if cursor.peek() != "source":
            raise NotUnderstood(f"expected 'source', found '{cursor.peek_word() or ''}'")
        cursor.take("source")
        kind = cursor.take_lower("static or dynamic")
        if kind not in ("static", "dynamic"):
            raise NotUnderstood(f"unknown translation type '{kind}'")
        real_source = self.nat_addresses(cursor.take("real source"))
        mapped_source, interface_pat = self.twice_nat_mapped(cursor, kind, mapped_if)
        real_destination = mapped_destination = None
        has_destination = False
        services: tuple[str, str] | None = None
        notes: list[str] = []
        inactive = route_lookup = False
        while not cursor.done():
            word = cursor.take_lower("option")
            if word == "destination":
                if cursor.take_lower("destination type") != "static":
                    raise NotUnderstood("destination translation is always 'static'")
                mapped_word, real_word = cursor.take("mapped destination"), cursor.take("real destination")
                has_destination = True
                real_destination = self.nat_addresses(real_word)
                mapped_destination = (
                    self.interface_prefixes(real_if, "mapped destination")
                    if mapped_word.lower() == "interface"
                    else self.nat_addresses(mapped_word)
                )
            elif word == "service":
                services = (cursor.take("real service"), cursor.take("mapped service"))
            elif word == "inactive":
                inactive = True
            elif word == "unidirectional":
                notes.append("'unidirectional' ignored: the rule is also applied from the mapped side")
            elif word == "description":
                cursor.rest()
            elif word == "route-lookup":
                route_lookup = True
            elif word not in _OBJECT_NAT_OPTIONS:
                raise NotUnderstood(f"unexpected '{cursor.words[cursor.position - 1]}'")
        protocol = real_port = mapped_port = None
        if services is not None:
            protocol, real_port, mapped_port = self.twice_nat_service(*services, destination=has_destination)
        if kind == "static":
            notes.extend(_static_notes(real_source, mapped_source, interface_pat, "source"))
            notes.extend(_static_notes(real_destination, mapped_destination, False, "destination"))
        rule = NatRule(
            source=self.source(index),
            section=section,
            order=0,
            kind=kind,
            real_interface=real_if,
            mapped_interface=mapped_if,
            real_source=real_source,
            mapped_source=mapped_source,
            real_destination=real_destination,
            mapped_destination=mapped_destination,
            protocol=protocol,
            real_port=real_port,
            mapped_port=mapped_port,
            interface_pat=interface_pat,
            inactive=inactive,
            approximation="; ".join(notes),
            route_lookup=route_lookup,
        )
        return section, position, rule

    def twice_nat_mapped(
        self, cursor: Cursor, kind: str, mapped_if: str | None
    ) -> tuple[tuple[tuple[int, int], ...] | None, bool]:
        word = cursor.take("mapped source")
        if kind == "dynamic" and word.lower() == "pat-pool":
            word = cursor.take("PAT pool")
        if word.lower() == "interface":
            self.require_mapped_interface(cursor, mapped_if)
            return None, True
        mapped = self.nat_addresses(word)
        interface_pat = False
        if kind == "dynamic" and cursor.peek() == "interface":
            cursor.take("interface")
            self.require_mapped_interface(cursor, mapped_if)
            interface_pat = True
        return mapped, interface_pat

    @staticmethod
    def require_mapped_interface(cursor: Cursor, mapped_if: str | None) -> None:
        if cursor.peek() == "ipv6":
            raise NotUnderstood("translation to an IPv6 interface address is not modelled")
        if mapped_if is None:
            raise NotUnderstood("interface PAT needs a named mapped interface, not 'any'")

    def twice_nat_service(
        self, first_name: str, second_name: str, destination: bool
    ) -> tuple[int, PortRange | None, PortRange | None]:
        """Source port translation: `service REAL MAPPED` with source ports; destination port
        translation (with a destination clause): `service MAPPED REAL` with destination ports."""
        first, second = self.service_object(first_name), self.service_object(second_name)
        if first.protocols != second.protocols or first.protocols not in ((PROTO_TCP,), (PROTO_UDP,)):
            raise NotUnderstood("NAT services must both be TCP or both UDP")
        protocol = first.protocols[0]
        if destination:
            if first.src_ports is not None or second.src_ports is not None:
                raise NotUnderstood("source ports in a destination port translation are not modelled")
            return protocol, _single_range(second.dst_ports), _single_range(first.dst_ports)
        if first.dst_ports is not None or second.dst_ports is not None:
            raise NotUnderstood("destination port translation without a destination clause is not modelled")
        return protocol, _single_range(first.src_ports), _single_range(second.src_ports)

    def object_nat(self, object_name: str, index: int) -> None:
        try:
            pending = self.read_object_nat(object_name, self.words(index)[1:], index)
        except NotUnderstood as problem:
            self.nat_not_understood(index, problem)
            return
        self.object_nats.append(pending)
        self.parsed(index)

    def read_object_nat(self, object_name: str, words: list[str], index: int) -> _ObjectNat:
        """Inside `object network NAME`: `nat [(real,mapped)] static MAPPED|IP|interface
        [service PROTO REAL MAPPED] [options]` or `nat [(real,mapped)] dynamic [pat-pool]
        MAPPED|IP|interface [interface] [options]`."""
        network = self.network_objects[object_name]
        real_source = _nat_prefixes(self.network_object(object_name))
        if network.interval is None:
            raise NotUnderstood(f"object '{object_name}' has no IPv4 address to translate")
        cursor = Cursor(words)
        real_if, mapped_if = self.nat_interfaces(cursor)
        kind = cursor.take_lower("static or dynamic")
        if kind not in ("static", "dynamic"):
            raise NotUnderstood(f"unknown translation type '{kind}'")
        word = cursor.take("mapped address")
        if kind == "dynamic" and word.lower() == "pat-pool":
            word = cursor.take("PAT pool")
        interface_pat = False
        mapped_source: tuple[tuple[int, int], ...] | None = None
        if word.lower() == "interface":
            self.require_mapped_interface(cursor, mapped_if)
            interface_pat = True
        elif is_ipv4(word) or self.names.get(word) is not None:
            mapped_source = _inline_mapping(network.interval, self.ipv4_or_name(word), kind)
        else:
            mapped_source = self.nat_addresses(word)
        protocol = real_port = mapped_port = None
        route_lookup = False
        while not cursor.done():
            option = cursor.take_lower("option")
            if option == "route-lookup":
                route_lookup = True
            elif option == "interface" and kind == "dynamic" and not interface_pat:
                self.require_mapped_interface(cursor, mapped_if)
                interface_pat = True
            elif option == "service" and kind == "static":
                protocol, real_port, mapped_port = _object_nat_service(cursor)
            elif option not in _OBJECT_NAT_OPTIONS:
                raise NotUnderstood(f"unexpected '{cursor.words[cursor.position - 1]}'")
        notes = _static_notes(real_source, mapped_source, interface_pat, "object") if kind == "static" else []
        rule = NatRule(
            source=self.source(index),
            section=2,
            order=0,
            kind=kind,
            real_interface=real_if,
            mapped_interface=mapped_if,
            real_source=real_source,
            mapped_source=mapped_source,
            protocol=protocol,
            real_port=real_port,
            mapped_port=mapped_port,
            interface_pat=interface_pat,
            approximation="; ".join(notes),
            route_lookup=route_lookup,
        )
        first, last = network.interval
        return _ObjectNat(rule, (0 if kind == "static" else 1, last - first + 1, first, object_name))

    def nat_rules(self) -> list[NatRule]:
        rules: list[NatRule] = []
        rules.extend(replace(rule, order=order) for order, rule in enumerate(self.twice_nats[1], start=1))
        ordered = sorted(self.object_nats, key=lambda pending: pending.sort_key)
        rules.extend(replace(pending.rule, order=order) for order, pending in enumerate(ordered, start=1))
        rules.extend(replace(rule, order=order) for order, rule in enumerate(self.twice_nats[3], start=1))
        return rules

    # -- results

    def classify_ipv6(self) -> None:
        """IPv6 is forwarded as soon as two named interfaces have IPv6; only then can IPv6
        paths bypass the IPv4 filters we check."""
        named = {draft.name for draft in self.interfaces.values() if draft.nameif is not None}
        ipv6_interfaces = {name for _, name in self.ipv6_lines if name in named}
        active = len(ipv6_interfaces) >= 2
        for index, _ in self.ipv6_lines:
            if active:
                self.unknown(index, FORWARDING, "IPv6 forwarding is not modelled")
            else:
                self.unknown(
                    index, HARMLESS, "IPv6 setting on a device that does not forward IPv6 between named interfaces"
                )

    def policy(self, acls: Mapping[str, Acl]) -> tuple[PolicyRule, ...]:
        named = [
            NamedInterface(
                draft.name,
                draft.nameif,
                draft.effective_security_level() or 0,
                self.source(draft.level_index if draft.level_index is not None else draft.nameif_index or 0),
                draft.acl_in,
                draft.acl_in_source,
            )
            for draft in self.interfaces.values()
            if draft.nameif is not None
        ]
        shared = None
        if self.global_acl is not None and self.global_acl_source is not None:
            shared = GlobalBinding(self.global_acl, self.global_acl_source)
        return asa_policy(named, acls, self.same_security_inter, self.same_security_intra, shared)

    def build_device(self) -> Device:
        self.default_switch_ports()
        self.link_redundant_members()
        self.sweep_unvisited_lines()
        interfaces = {name: draft.freeze() for name, draft in self.interfaces.items()}
        acls = {name: draft.freeze() for name, draft in self.acls.items()}
        return Device(
            name=self.hostname or file_stem(self.path),
            vendor=VENDOR,
            source_file=self.path,
            hostname=self.hostname,
            interfaces=interfaces,
            acls=acls,
            routes=list(self.routes),
            dynamic_routing=self.resolve_routing(),
            unknown_lines=[unknown for _, unknown in sorted(self.outcome.items()) if unknown is not None],
            lines=tuple(self.lines),
            default_permit_without_acl=False,
            undefined_acl_permits=False,
            stateful=True,
            policy=self.policy(acls),
            to_the_box=ToTheBox.ARRIVAL_ONLY,
            nat_rules=self.nat_rules(),
            static_arp=list(self.static_arps),
            mgmt=read_management(self.command_lines(), self.path, self.names, interfaces),
        )


def parse(text: str, path: str) -> Device:
    """Parse an ASA / PIX / FWSM configuration. `path` is the display path used in every Source."""
    return _AsaParser(text, path).run()


# --- helpers ----------------------------------------------------------------------------


def _service_object_words(service: _ServiceObject, words: list[str]) -> None:
    if words[0].lower() == "service" and len(words) >= 2:
        cursor = Cursor(words[1:])
        service.service = _read_service(cursor)
        cursor.expect_end()
    else:
        raise NotUnderstood(f"'{' '.join(words)}'")


def _builtin_service(name: str) -> _Service | None:
    """The ASA's predefined service objects that name a protocol (`ospf`, `icmp`) or an
    ICMP type (`icmp-echo`); used only when no object of that name is configured."""
    lowered = name.lower()
    if lowered.startswith("icmp-") and lowered[5:] in ICMP_NAMES:
        return _Service((PROTO_ICMP,), icmp=(ICMP_NAMES[lowered[5:]],))
    if lowered == "ip":
        return _Service(None)
    if lowered in PROTOCOL_NAMES:
        protocol = PROTOCOL_NAMES[lowered]
        return _Service((protocol,), ipv6_only=protocol == PROTO_ICMP6)
    return None


_ICMP_GROUP_ONLY = "icmp-type object-group"


def _icmp_types_on_icmp_only(protocols: tuple[int, ...] | None, icmp: tuple[IcmpMatch, ...]) -> tuple[_Service, ...]:
    """A protocol object-group followed by an icmp-type object-group: the ICMP types
    restrict the group's ICMP member only; its other protocols match whatever they carry.
    `protocols` None (the group holds `ip`): ICMP with those types, every other protocol."""
    others = tuple(p for p in (protocols if protocols is not None else range(256)) if p != PROTO_ICMP)
    services = []
    if protocols is None or PROTO_ICMP in protocols:
        services.append(_Service((PROTO_ICMP,), icmp=icmp))
    if others:
        services.append(_Service(others))
    return tuple(services)


def _read_acl_options(cursor: Cursor) -> tuple[list[str], bool]:
    """`log [LEVEL] [interval N] | log disable | log default`, `time-range NAME`,
    `inactive`; returns approximation notes and whether the entry is inactive."""
    notes: list[str] = []
    inactive = False
    while not cursor.done():
        word = cursor.take_lower("option")
        if word == "log":
            following = cursor.peek()
            if following in ("disable", "default"):
                cursor.take("log setting")
                continue
            if following in LOG_LEVELS:
                cursor.take("log level")
            if cursor.peek() == "interval":
                cursor.take("interval")
                number(cursor.take("log interval"), 1, 3600, "log interval")
        elif word == "time-range":
            name = cursor.take("time-range name")
            notes.append(f"time-range '{name}' ignored: the entry is treated as always active")
        elif word == "inactive":
            inactive = True
        else:
            raise NotUnderstood(f"unexpected '{cursor.words[cursor.position - 1]}'")
    return notes, inactive


def _nat_prefixes(addresses: _Addresses) -> tuple[tuple[int, int], ...] | None:
    if addresses.problem:
        raise NotUnderstood(addresses.problem)
    if addresses.ipv6:
        raise NotUnderstood("NAT involving IPv6 addresses is not modelled")
    return _prefixes(addresses)


def _static_notes(
    real: tuple[tuple[int, int], ...] | None,
    mapped: tuple[tuple[int, int], ...] | None,
    interface_pat: bool,
    what: str,
) -> list[str]:
    """An approximation note unless the static rewrite is exact: identity, or one prefix
    onto one prefix of the same size (a host onto the interface address included)."""
    if interface_pat:
        if real is not None and len(real) == 1 and real[0][1] == 32:
            return []
    elif real == mapped or (
        real is not None and mapped is not None and len(real) == len(mapped) == 1 and real[0][1] == mapped[0][1]
    ):
        return []
    return [
        f"static {what} translation is not one prefix onto a prefix of the same size: any mapped address is assumed"
    ]


def _inline_mapping(interval: tuple[int, int], address: int, kind: str) -> tuple[tuple[int, int], ...]:
    """Object NAT to an inline address: dynamic maps to that one address; static keeps the
    real object's size (a subnet keeps its mask, a range its length)."""
    if kind == "dynamic":
        return ((address, 32),)
    first, last = interval
    covering = range_to_wildcards(first, last)
    if len(covering) == 1:
        length = mask_to_length(~covering[0].wildcard & IPV4_MAX) or 0
        return ((address & prefix_mask(length), length),)
    size = last - first + 1
    if address + size - 1 > IPV4_MAX:
        raise NotUnderstood("the mapped range runs past 255.255.255.255")
    return tuple(
        (wildcard.address, mask_to_length(~wildcard.wildcard & IPV4_MAX) or 0)
        for wildcard in range_to_wildcards(address, address + size - 1)
    )


def _object_nat_service(cursor: Cursor) -> tuple[int, PortRange, PortRange]:
    """`service tcp|udp|sctp REAL_PORT MAPPED_PORT`."""
    protocol_word = cursor.take_lower("protocol")
    protocols = {"tcp": (PROTO_TCP,), "udp": (PROTO_UDP,), "sctp": (PROTO_SCTP,)}.get(protocol_word)
    if protocols is None:
        raise NotUnderstood(f"NAT service protocol '{protocol_word}'")
    names = port_names_for(_DIALECT, protocols) if protocols != (PROTO_SCTP,) else {}
    real = port_number(cursor.take("real port"), names)
    mapped = port_number(cursor.take("mapped port"), names)
    return protocols[0], PortRange(real, real), PortRange(mapped, mapped)


def _single_range(ports: tuple[PortRange, ...] | None) -> PortRange | None:
    if ports is None:
        return None
    if len(ports) != 1:
        raise NotUnderstood("a NAT service must name one port or one port range")
    return ports[0]


def _classful_mask(address: int) -> int:
    return prefix_mask(classful_length(address))


def _routing_network(words: list[str]) -> tuple[int, int]:
    """`network A [MASK] [area X]` → (address, mask); classful without a mask. A statement
    that cannot be read covers every address (the process may run anywhere)."""
    if len(words) < 2 or not is_ipv4(words[1]):
        return 0, 0
    address = ip_to_int(words[1])
    if len(words) >= 3 and is_ipv4(words[2]):
        return address, ip_to_int(words[2])
    return address, _classful_mask(address)


def _network_covers(network: tuple[int, int], address: int) -> bool:
    """The ASA reads a netmask; a value that looks like an IOS wildcard is also tried as one
    (over-approximation: the process runs on the union)."""
    base, mask = network
    if (address & mask) == (base & mask):
        return True
    looks_like_wildcard = not mask & 0x80000000 and mask_to_length(~mask & IPV4_MAX) is not None
    return looks_like_wildcard and Wildcard(base, mask).matches(address)
