"""ASA command classification: the frozen tables that say what a line the parser does not
model is (HARMLESS or FORWARDING, and why), the keyword dialect, and the reasons that
later stages may look for."""

from __future__ import annotations

import re
from collections.abc import Mapping

from nankoku_netcheck.model import UnknownKind
from nankoku_netcheck.vendors.cisco_asa.names import ICMP_NAMES, PROTOCOL_NAMES, TCP_PORT_NAMES, UDP_PORT_NAMES
from nankoku_netcheck.vendors.common import (
    REASON_DROP_ONLY,
    REASON_MGMT,
    REASON_MONITORING,
    REASON_PLATFORM,
    REASON_ROUTING_POLICY,
    REASON_USED_ELSEWHERE,
    Dialect,
)

HARMLESS = UnknownKind.HARMLESS
FORWARDING = UnknownKind.FORWARDING

PROTO_SCTP = 132

# ASA keyword tables; unlike IOS, each port operator takes exactly one port.
DIALECT = Dialect(
    protocol_names=PROTOCOL_NAMES,
    tcp_port_names=TCP_PORT_NAMES,
    udp_port_names=UDP_PORT_NAMES,
    icmp_names=ICMP_NAMES,
    several_ports_per_operator=False,
)

# Reasons that later stages may look for.
STATIC_ARP_REASON = "static ARP entry (MAC pinning is checked separately)"
FQDN_REASON = "FQDN objects resolve at run time"


# --- command classification tables ----------------------------------------------------
# Keys are lower-case word prefixes; the longest matching prefix wins. Reasons that the
# other Cisco parser gives in the same words are the REASON_* constants of common.py.

HEADER = "show running-config header or footer"
INSPECTION = "inspection / connection setting (can only drop packets or open related connections)"
TO_THE_BOX = "affects only traffic to or from the device itself"
VPN_DEFINITION = "VPN definition (VPN termination is reported where it is enabled on an interface)"
IPV6_SETTING = "IPv6 setting (IPv6 forwarding is reported at the interfaces' IPv6 addresses)"
PRE_83_NAT = "pre-8.3 NAT syntax is not modelled"

MANAGEMENT_COMMANDS: Mapping[tuple[str, ...], str] = {
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
    ("management-access",): TO_THE_BOX,
    ("user-identity",): REASON_MGMT,
    ("tftp-server",): REASON_MGMT,
    ("rest-api",): REASON_MGMT,
    ("email",): REASON_MGMT,
}

TOP_LEVEL_COMMANDS: Mapping[tuple[str, ...], tuple[UnknownKind, str]] = {
    ("asa", "version"): (HARMLESS, "software version"),
    ("pix", "version"): (HARMLESS, "software version"),
    ("fwsm", "version"): (HARMLESS, "software version"),
    ("end",): (HARMLESS, HEADER),
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
    ("service-policy",): (HARMLESS, INSPECTION),
    ("class-map",): (HARMLESS, INSPECTION),
    ("regex",): (HARMLESS, INSPECTION),
    ("tcp-map",): (HARMLESS, INSPECTION),
    ("http-map",): (HARMLESS, INSPECTION),
    ("ftp-map",): (HARMLESS, INSPECTION),
    ("gtp-map",): (HARMLESS, INSPECTION),
    ("mgcp-map",): (HARMLESS, INSPECTION),
    ("snmp-map",): (HARMLESS, INSPECTION),
    ("dns-map",): (HARMLESS, INSPECTION),
    ("fixup",): (HARMLESS, INSPECTION),
    ("hpm",): (HARMLESS, INSPECTION),
    ("sysopt",): (HARMLESS, "system option (VPN bypass matters only where VPN is enabled, reported there)"),
    ("service",): (HARMLESS, INSPECTION),
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
    ("tunnel-group",): (HARMLESS, VPN_DEFINITION),
    ("tunnel-group-map",): (HARMLESS, VPN_DEFINITION),
    ("dynamic-access-policy-record",): (HARMLESS, VPN_DEFINITION),
    ("isakmp",): (HARMLESS, VPN_DEFINITION),
    ("ca",): (HARMLESS, VPN_DEFINITION),
    ("vpn-addr-assign",): (HARMLESS, VPN_DEFINITION),
    ("ipv6-vpn-addr-assign",): (HARMLESS, VPN_DEFINITION),
    ("vpn-sessiondb",): (HARMLESS, VPN_DEFINITION),
    ("vpn",): (HARMLESS, VPN_DEFINITION),
    ("tls-proxy",): (HARMLESS, REASON_USED_ELSEWHERE),
    ("phone-proxy",): (HARMLESS, "voice proxy setting"),
    ("media-termination",): (HARMLESS, "voice proxy setting"),
    ("ctl-file",): (HARMLESS, "voice proxy setting"),
    ("ctl-provider",): (HARMLESS, "voice proxy setting"),
    ("uc-ime",): (HARMLESS, "voice proxy setting"),
    ("scansafe",): (HARMLESS, REASON_USED_ELSEWHERE),
    ("crypto",): (HARMLESS, "crypto definition (VPN effects are reported where a crypto map is bound)"),
    # forwarding features that are not modelled
    ("static",): (FORWARDING, PRE_83_NAT),
    ("global",): (FORWARDING, PRE_83_NAT),
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
NEGATED_HARMLESS: Mapping[tuple[str, ...], str] = {
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
    ("ipv6",): IPV6_SETTING,
    # No ("route",): the device then forwards by another route, which the model would not.
}

INTERFACE_COMMANDS: Mapping[tuple[str, ...], tuple[UnknownKind, str]] = {
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

INTERFACE_NEGATED_HARMLESS: Mapping[tuple[str, ...], str] = {
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
    ("ipv6",): IPV6_SETTING,
    ("dhcp",): "DHCP client option",
}

CLI_PROMPT = re.compile(
    r"^[A-Za-z0-9_.\-@/]+(?:\([a-z0-9\-]+\))?[#>][ \t]*"
    r"(?:(?:sh|show|more|term|terminal|wr|write|copy|conf|configure|en|enable)\b.*)?$",
    re.IGNORECASE,
)
PIX_INTERFACE_SETTING = re.compile(r"^(?:auto|aui|bnc|shutdown|\d+(?:base\w*|full|half|auto|sxfull)?)$", re.IGNORECASE)
OBJECT_NAT_OPTIONS = frozenset(
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


# Global commands the parser models itself (see parser.top_level; LineBook.global_forwarding_starts).
GLOBAL_FORWARDING_STARTS: frozenset[tuple[str, ...]] = frozenset(
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
