"""Vendor-neutral network model.

Every vendor parser produces these plain dataclasses; no vendor words live here.
Addresses are IPv4 integers so that later stages never re-parse text. Every object
that came from a config keeps its `Source` (file, line, text) so that findings can
point back at the line that caused them.

Every class is slotted: a parsed city holds millions of these objects for the whole run,
and an instance `__dict__` each was a third of them (979,029 dicts, 129 MiB at 1,000
devices). Nothing may add attributes to them later; codec.py fills the slots directly.
"""

from __future__ import annotations

import copyreg
import dataclasses
import enum
import operator
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

IPV4_MAX = 0xFFFFFFFF
PORT_MAX = 0xFFFF

PROTO_ICMP = 1
PROTO_TCP = 6
PROTO_UDP = 17


@dataclass(frozen=True, order=True, slots=True)
class Source:
    """Where an object came from: file path (as given), 1-based line number, raw text."""

    file: str
    line: int
    text: str

    def where(self) -> str:
        return f"{self.file}:{self.line}"


@dataclass(frozen=True, order=True, slots=True)
class Wildcard:
    """An address pattern: bits where `wildcard` is 1 are "don't care" (Cisco style).

    A prefix 10.1.0.0/16 is Wildcard(0x0A010000, 0x0000FFFF); a host is wildcard 0;
    `any` is Wildcard(0, 0xFFFFFFFF). Non-contiguous wildcards are allowed.
    """

    address: int
    wildcard: int

    @staticmethod
    def any() -> Wildcard:
        return Wildcard(0, IPV4_MAX)

    @staticmethod
    def host(address: int) -> Wildcard:
        return Wildcard(address, 0)

    @staticmethod
    def prefix(network: int, length: int) -> Wildcard:
        wildcard = (1 << (32 - length)) - 1 if length < 32 else 0
        return Wildcard(network & ~wildcard & IPV4_MAX, wildcard)

    def normalized(self) -> Wildcard:
        return Wildcard(self.address & ~self.wildcard & IPV4_MAX, self.wildcard)

    def matches(self, address: int) -> bool:
        return (address & ~self.wildcard) == (self.address & ~self.wildcard)


@dataclass(frozen=True, order=True, slots=True)
class PortRange:
    """Inclusive port range."""

    low: int
    high: int

    def contains(self, port: int) -> bool:
        return self.low <= port <= self.high


ANY_PORT = PortRange(0, PORT_MAX)


@dataclass(frozen=True, order=True, slots=True)
class IcmpMatch:
    """An ICMP type, optionally with a code (None = every code)."""

    icmp_type: int
    code: int | None = None


@dataclass(frozen=True, slots=True)
class Match:
    """One conjunction of header constraints. Each field is a union of values;
    `None` means "any value".

    - protocols: IP protocol numbers; None = any IP protocol.
    - src / dst: address patterns.
    - src_ports / dst_ports: only meaningful with protocols ⊆ {tcp, udp}; None = any.
    - established: True = only TCP packets with ACK or RST set.
    - icmp: ICMP types/codes; None = any (only meaningful with protocol icmp).
    """

    protocols: tuple[int, ...] | None = None
    src: tuple[Wildcard, ...] | None = None
    dst: tuple[Wildcard, ...] | None = None
    src_ports: tuple[PortRange, ...] | None = None
    dst_ports: tuple[PortRange, ...] | None = None
    established: bool = False
    icmp: tuple[IcmpMatch, ...] | None = None


class Action(enum.Enum):
    PERMIT = "permit"
    DENY = "deny"


@dataclass(frozen=True, slots=True)
class AclLine:
    """One ACL entry. It matches a packet if any of `matches` does (object-groups
    expand to several conjunctions).

    `understood` is False when the entry holds syntax the parser did not fully
    understand; `matches` is then an over-approximation for permit lines (it matches
    at least what the device matches) and the engine ignores the line if it is a deny
    line, so that the computed permit set can only grow.
    """

    action: Action
    matches: tuple[Match, ...]
    source: Source
    sequence: int | None = None
    understood: bool = True
    # Why `matches` is a superset of what the device matches although the line was
    # understood (e.g. "time-range ignored: the line is treated as always active").
    approximation: str = ""


@dataclass(frozen=True, slots=True)
class Acl:
    name: str
    lines: tuple[AclLine, ...]
    source: Source
    kind: str = "extended"  # standard | extended


@dataclass(frozen=True, slots=True)
class PolicyRule:
    """One entry of a stateful device's ordered policy between interfaces: a FortiGate
    `config firewall policy` entry, a PAN-OS security rule, an IOS zone-pair policy, and the
    ASA's access-groups and security levels as its plugin expresses them.

    A new connection entering interface `in` and leaving by `out` is decided by the rules
    that apply to that pair (`from_interfaces` holds `in` or is None = any interface;
    `to_interfaces` holds `out` or is None), in order: the first line (of the first rule
    that has a line matching the packet) decides with its action; a packet no line of a
    rule matches falls through to the next rule; after the last rule comes the implicit
    deny. A rule's lines are `lines`, or those of the named ACL `acl` in `Device.acls` when
    set (an undefined name counts as `Device.undefined_acl_permits` says). `source`: the
    line that defines the rule (FortiOS `edit 12`, ASA `access-group ... in interface x`);
    `name`: what reports call it ("policy 12", "access-group OUTSIDE_IN").
    """

    name: str
    source: Source
    from_interfaces: tuple[str, ...] | None = None
    to_interfaces: tuple[str, ...] | None = None
    lines: tuple[AclLine, ...] = ()
    acl: str | None = None
    # Whether the device logs the sessions this rule permits (FortiOS `logtraffic`), and the
    # line that says so when one does (None: the vendor default decides).
    logged: bool = True
    logged_source: Source | None = None
    # False: the rule states the device's built-in behaviour rather than an entry someone
    # wrote (the ASA's security levels and same-security gates); it decides packets all the
    # same, but the consistency rules (shadowed, over-broad, not logged) do not judge it.
    configured: bool = True


@dataclass(frozen=True, slots=True)
class PolicyRouteEntry:
    """One entry of a policy-routing table (IOS `route-map NAME permit|deny SEQ` used by
    `ip policy route-map NAME`). The contract the engine, the tracer and the test oracle
    implement (reach/pbr.py says it in full):

    - The entry matches a packet when `match_acls` is None (no match clause: every packet)
      or one of the named ACLs permits it (ACL semantics as for an interface; a deny line or
      the implicit deny is no match). An ACL name that is not in `Device.acls` may match or
      not: both outcomes are followed (an over-approximation: the device's behaviour with an
      undefined ACL in a policy-routing match is not documented).
    - A matching entry with `permit` False, or without any usable choice below, leaves the
      packet to normal routing.
    - A matching permit entry chooses, in this order (Cisco's documented precedence): the
      first usable address of `next_hops` (one inside a connected subnet of an interface
      that is up and forwards; with `verify` every usable one, and normal routing as well,
      since tracking decides at run time); the first usable interface of `interfaces` (up
      and forwarding: out of it towards the packet's own destination; one of kind "null"
      discards the packet); the first usable address of `default_next_hops`, then the
      first usable interface of `default_interfaces`, these two only for destinations
      without an explicit route (a route of prefix length > 0; a default route does not
      count; with dynamic routing any destination may have one, so normal routing applies
      as well).

    `set_sources` names the line of each set clause, so that paths show the line that
    chose a hop."""

    sequence: int
    permit: bool
    source: Source
    match_acls: tuple[str, ...] | None = None
    next_hops: tuple[int, ...] = ()
    default_next_hops: tuple[int, ...] = ()
    interfaces: tuple[str, ...] = ()
    default_interfaces: tuple[str, ...] = ()
    verify: bool = False
    # The line each set clause came from: (clause kind, Source), kind one of "next-hop",
    # "interface", "default next-hop", "default interface".
    set_sources: tuple[tuple[str, Source], ...] = ()

    def set_source(self, kind: str) -> Source:
        """The line of the `kind` set clause (the entry's own line when there is none)."""
        return next((source for found, source in self.set_sources if found == kind), self.source)


@dataclass(frozen=True, slots=True)
class PolicyRoute:
    """A policy-routing table: its entries are tried in `sequence` order, the first that
    matches decides (see PolicyRouteEntry); none matching leaves the packet to normal routing."""

    name: str
    source: Source
    entries: tuple[PolicyRouteEntry, ...] = ()

    def ordered(self) -> tuple[PolicyRouteEntry, ...]:
        return tuple(sorted(self.entries, key=lambda entry: entry.sequence))


@dataclass(frozen=True, slots=True)
class InterfaceAddress:
    address: int
    prefix_length: int
    secondary: bool = False

    @property
    def network(self) -> int:
        return self.address & prefix_mask(self.prefix_length)


@dataclass(frozen=True, slots=True)
class RelayTarget:
    """Where an interface relays UDP broadcasts (IOS `ip helper-address [vrf X | global] A`).
    `vrf` / `global_table`: the routing table the relayed packet is looked up in (None and
    False: the interface's own table)."""

    address: int
    source: Source
    vrf: str | None = None
    global_table: bool = False


@dataclass(frozen=True, slots=True)
class Interface:
    name: str
    source: Source
    addresses: tuple[InterfaceAddress, ...] = ()
    # First-hop redundancy (HSRP/VRRP/GLBP) virtual addresses this interface may own.
    virtual_addresses: tuple[int, ...] = ()
    shutdown: bool = False
    description: str = ""
    acl_in: str | None = None
    acl_out: str | None = None
    acl_in_source: Source | None = None
    acl_out_source: Source | None = None
    # L2 facts (switchports), kept for the graph and later device rules.
    switchport_mode: str | None = None  # access | trunk | None (routed)
    access_vlan: int | None = None
    trunk_vlans: tuple[int, ...] | None = None  # None = all VLANs
    encapsulation_vlan: int | None = None  # dot1Q subinterfaces
    kind: str = "physical"  # physical | svi | subinterface | port-channel | loopback | tunnel | null
    properties: tuple[tuple[str, str], ...] = ()  # extra vendor-neutral facts, e.g. ("nameif", "inside")
    # Takes packets to the device only: carries no through traffic and its routes are not
    # used for it (a firewall's management interface, with a routing table of its own).
    management_only: bool = False
    standby_addresses: tuple[int, ...] = ()
    # `ip directed-broadcast`: the subnet's broadcast (and network) address reaches its hosts (IOS default: off).
    directed_broadcast: bool = False
    # False: the interface neither forwards nor accepts packets although it is up (an ASA
    # interface without a `nameif`).
    passes_traffic: bool = True
    # The routing table (VRF) the interface belongs to; "" = the global table. A packet that
    # arrives here is routed in this table, and only the addresses of interfaces in this table
    # answer as the device's own (reach/fib.py).
    vrf: str = ""
    # Policy routing of packets arriving on this interface (`Device.policy_routes`); a name
    # not defined there leaves them to normal routing (IOS: the route-map has no entry).
    policy_route: str | None = None
    policy_route_source: Source | None = None
    # UDP broadcasts arriving here are relayed to these servers (reach/relay.py).
    relay_targets: tuple[RelayTarget, ...] = ()
    # Multicast routing forwards group traffic (224.0.0.0/4) between this interface and the
    # device's other multicast interfaces (IOS `ip multicast-routing` with PIM or DVMRP here;
    # reach/multicast.py).
    multicast: bool = False


@dataclass(frozen=True, slots=True)
class NatRule:
    """One address translation, as a header rewrite (ASA 8.3+ semantics).

    `section`: 1 = twice NAT (manual, before object NAT), 2 = object NAT, 3 = twice NAT
    `after-auto`. Within a section rules apply in `order`. Addresses are prefix lists;
    None = any. Static rules translate both ways (real → mapped leaving through
    `mapped_interface`, mapped → real arriving on it); dynamic rules only translate
    sessions started from the real side. `interface_pat` maps to the mapped interface's
    own address. A rewrite that cannot be expressed exactly (e.g. a range onto a pool of a
    different size) sets `approximation`: the engine then lets the mapped side be any
    address of the mapped set (an over-approximation).
    """

    source: Source
    section: int
    order: int
    kind: str  # static | dynamic
    real_interface: str | None  # interface name (Interface.name); None = any
    mapped_interface: str | None
    real_source: tuple[tuple[int, int], ...] | None
    mapped_source: tuple[tuple[int, int], ...] | None  # None = untranslated (identity)
    real_destination: tuple[tuple[int, int], ...] | None = None  # twice NAT only
    mapped_destination: tuple[tuple[int, int], ...] | None = None
    protocol: int | None = None  # service translation (static PAT)
    real_port: PortRange | None = None
    mapped_port: PortRange | None = None
    interface_pat: bool = False
    inactive: bool = False
    approximation: str = ""
    # `route-lookup`: the egress interface of an un-translated packet comes from the
    # routing table, not from the rule's interface.
    route_lookup: bool = False
    # Dynamic rules: the mapped addresses are shared by port (PAT; `interface_pat` implies
    # it). Only replies to a shared address are translated back (reach/nat.py); without it
    # any packet to a mapped address of a dynamic rule may reach a real host holding it.
    overload: bool = False
    # The route lookup sees the mapped address: a packet arriving on the mapped side is
    # routed on its mapped destination and un-translated as it leaves (a rule that
    # translates the addresses of hosts beyond the real side for the mapped side's view).
    routed_as_mapped: bool = False


@dataclass(frozen=True, slots=True)
class StaticArp:
    """A static ARP entry: pins the MAC address an IP address resolves to (ZONE-003)."""

    address: int
    mac: str  # normalized: lower-case, colon-separated
    interface: str | None
    source: Source


def normalize_mac(text: str) -> str | None:
    """'0000.5e00.5302', '00-00-5E-00-53-02' or '00:00:5e:00:53:02' → '00:00:5e:00:53:02'."""
    digits = "".join(character for character in text.lower() if character in "0123456789abcdef")
    if len(digits) != 12 or len(text) > 17:
        return None
    return ":".join(digits[i : i + 2] for i in range(0, 12, 2))


class RouteKind(enum.Enum):
    CONNECTED = "connected"
    STATIC = "static"
    DYNAMIC = "dynamic"  # over-approximated: any prefix from any neighbour of the process


@dataclass(frozen=True, slots=True)
class Route:
    prefix: int
    prefix_length: int
    kind: RouteKind
    source: Source
    next_hop: int | None = None
    interface: str | None = None  # exit interface; "Null0" style discard when `discard`
    distance: int = 1
    discard: bool = False
    # The table (VRF) the route is installed in; "" = the global table. Connected routes are
    # in their interface's table. An exit `interface` may belong to another table: the route
    # then leaks packets into it (IOS `ip route vrf A P M Vlan20` with Vlan20 in the global table).
    vrf: str = ""
    # Where `next_hop` resolves: "" = the global table (IOS `ip route vrf A P M N global`),
    # a VRF name, or None = the route's own table `vrf`.
    next_hop_vrf: str | None = None
    # Not a route of the table but a hop policy routing chose: what chose it
    # (e.g. "route-map PBR permit 10"); `describe` then says that instead of a prefix.
    chosen_by: str = ""

    def describe(self) -> str:
        text = f"{int_to_ip(self.prefix)}/{self.prefix_length}"
        if self.chosen_by:
            text = f"policy {self.chosen_by}:"
        if self.discard:
            return f"{text} → discard"
        parts = [text]
        if self.next_hop is not None:
            parts.append(f"via {int_to_ip(self.next_hop)}")
        if self.next_hop is not None and self.next_hop_vrf is not None and self.next_hop_vrf != self.vrf:
            parts.append(f"(in {'vrf ' + self.next_hop_vrf if self.next_hop_vrf else 'the global table'})")
        if self.interface:
            parts.append(f"dev {self.interface}")
        return " ".join(([f"vrf {self.vrf}"] if self.vrf else []) + parts)


@dataclass(frozen=True, slots=True)
class DynamicRouting:
    """A dynamic routing process that is not simulated. The engine over-approximates it:
    any destination may be forwarded out any of `interfaces` to a neighbour there."""

    protocol: str
    process: str
    interfaces: tuple[str, ...]
    source: Source
    # The table (VRF) the process installs its routes in ("" = global): its over-approximated
    # routes apply to packets routed in that table only.
    vrf: str = ""


class UnknownKind(enum.Enum):
    HARMLESS = "harmless"  # banners, comments, management-plane settings
    FORWARDING = "forwarding"  # might change forwarding or filtering: makes results inconclusive


@dataclass(frozen=True, slots=True)
class UnknownLine:
    source: Source
    kind: UnknownKind
    reason: str


class ToTheBox(enum.Enum):
    """What decides a packet addressed to one of the device's own addresses, arriving on
    interface I (reach/filters.py). The policy never decides it as through traffic: there is
    no interface out.

    - FILTERED: I's inbound ACL, as for any packet (IOS).
    - ARRIVAL_ONLY: only the addresses of I answer, unfiltered (management access rules
      decide, over-approximated as permitting everything); the device drops packets to its
      other interfaces' addresses (ASA).
    - ANY_ADDRESS: every address of the device answers, unfiltered.
    - VIA_POLICY: an address of I answers unfiltered; an address of another interface J
      answers only to what the policy permits from I to J, as if the packet went on through
      J (FortiOS).
    - SELF_POLICY: I's inbound ACL, and the policy from I to the pseudo-interface
      TO_THE_DEVICE, as if the packet left through it (IOS zone-based firewall, `self` zone).
    """

    FILTERED = "filtered"
    ARRIVAL_ONLY = "arrival-only"
    ANY_ADDRESS = "any-address"
    VIA_POLICY = "via-policy"
    SELF_POLICY = "self-policy"


# The pseudo-interface the policy names as `to_interfaces` for packets to the device itself
# (ToTheBox.SELF_POLICY); no vendor names an interface so.
TO_THE_DEVICE = "(the device itself)"


@dataclass(slots=True)
class Device:
    """A parsed device. Mutable while a parser builds it; treated as read-only after."""

    name: str
    vendor: str
    source_file: str
    hostname: str = ""
    interfaces: dict[str, Interface] = field(default_factory=dict)
    acls: dict[str, Acl] = field(default_factory=dict)
    routes: list[Route] = field(default_factory=list)
    dynamic_routing: list[DynamicRouting] = field(default_factory=list)
    unknown_lines: list[UnknownLine] = field(default_factory=list)
    # Raw config lines (decoded) so later stages can quote evidence.
    lines: tuple[str, ...] = ()
    # An interface that references an ACL that is not defined: IOS permits all.
    undefined_acl_permits: bool = True
    # Stateful inspection: a TCP packet with ACK/RST passes only as the reply of a connection
    # the device would pass the other way (reach/filters.py).
    stateful: bool = False
    nat_rules: list[NatRule] = field(default_factory=list)
    # Where NAT sits between the filters: False, filters see real addresses (a packet is
    # un-translated before the inbound ACL and translated after the outbound one); True,
    # each interface's ACL sees the packet as it is on that interface's wire (un-translated
    # after the inbound ACL, translated before the outbound ACL) and a packet may get a
    # source and a destination rewrite from two different rules (reach/nat.py).
    nat_between_filters: bool = False
    static_arp: list[StaticArp] = field(default_factory=list)
    # Ordered policy between interfaces (see PolicyRule); None: no policy, only the
    # interfaces' own ACLs filter.
    policy: tuple[PolicyRule, ...] | None = None
    # What decides packets addressed to one of the device's own addresses (see ToTheBox).
    to_the_box: ToTheBox = ToTheBox.FILTERED
    # Policy-routing tables by name, used by `Interface.policy_route` (see PolicyRouteEntry).
    policy_routes: dict[str, PolicyRoute] = field(default_factory=dict)
    # UDP destination ports the device relays to its interfaces' `relay_targets`.
    relayed_udp_ports: tuple[int, ...] = ()
    # Management-plane facts (hardening rules); defined at the end of this module.
    mgmt: MgmtSettings = field(default_factory=lambda: MgmtSettings())

    @property
    def forwarding_unknowns(self) -> list[UnknownLine]:
        return [u for u in self.unknown_lines if u.kind is UnknownKind.FORWARDING]


# --- topology (the one file a network admin writes by hand) ------------------------


class ZoneKind(enum.Enum):
    MYNUMBER = "mynumber"
    LGWAN = "lgwan"
    INTERNET = "internet"
    EXTERNAL = "external"
    OTHER = "other"


@dataclass(frozen=True, slots=True)
class Located:
    """Where a topology item was written: YAML file and 1-based line."""

    file: str
    line: int

    def where(self) -> str:
        return f"{self.file}:{self.line}"


@dataclass(frozen=True, slots=True)
class InterfaceRef:
    device: str
    interface: str
    at: Located

    def __str__(self) -> str:
        return f"{self.device}:{self.interface}"


@dataclass(frozen=True, slots=True)
class Zone:
    id: str
    kind: ZoneKind
    label: str
    prefixes: tuple[tuple[int, int], ...]
    upstream: tuple[InterfaceRef, ...]
    at: Located
    # Optional `availability:` (AVAIL-001): 2 = its segments need two node-disjoint paths.
    availability: int = 1


@dataclass(frozen=True, slots=True)
class FlowSpec:
    """A set of flows written in the topology: src/dst prefixes, protocol, ports.
    Empty src/dst means any; proto None means any IP protocol; ports None means any."""

    src: tuple[tuple[int, int], ...]
    dst: tuple[tuple[int, int], ...]
    proto: int | None
    sport: tuple[PortRange, ...] | None
    dport: tuple[PortRange, ...] | None
    at: Located


@dataclass(frozen=True, slots=True)
class ExternalPeer:
    id: str
    label: str
    addresses: tuple[tuple[int, int], ...]
    attach: InterfaceRef
    mac: tuple[str, ...]
    internet_connected: bool
    allow: tuple[FlowSpec, ...]
    at: Located


@dataclass(frozen=True, slots=True)
class Channel:
    id: str
    kind: str  # mail-text | screen-transfer | file-sanitize
    flow: FlowSpec
    at: Located


@dataclass(frozen=True, slots=True)
class PolicyException:
    rule: str
    flow: FlowSpec
    reason: str
    approved_by: str
    ref: str
    expires: str  # ISO date YYYY-MM-DD
    at: Located


@dataclass(frozen=True, slots=True)
class ZonePolicy:
    """Optional `zone_policy:` entry: which flows may go from one zone to another.
    `allow` is "none", "channels" (only inside declared channels) or "any"."""

    from_zone: str
    to_zone: str
    allow: str
    at: Located


@dataclass(frozen=True, slots=True)
class DeviceEntry:
    name: str
    config_path: str  # absolute path to the config file
    config_display: str  # as shown to users: relative to the cwd when inside it, else absolute
    vendor: str | None
    role: str | None
    at: Located
    # The virtual device inside the config (a FortiGate VDOM, an ASA context); None: the
    # config's only one.
    instance: str | None = None
    encoding: str | None = None  # the topology's `encoding:` (a Python codec name); None: detected


@dataclass(frozen=True, slots=True)
class Link:
    a: InterfaceRef
    b: InterfaceRef
    at: Located


@dataclass(frozen=True, slots=True)
class CustomProfile:
    """A city's own profile file (topology `policy: FILE.yaml`): a shipped profile (`base`,
    whose zone expectations it keeps) with its own rule selection, labels and clauses."""

    path: str  # as displayed
    base: str
    label_ja: str = ""
    label_en: str = ""
    families: tuple[str, ...] | None = None  # None = the base profile's
    exclude: tuple[str, ...] | None = None
    clauses: tuple[tuple[str, str], ...] = ()  # (rule ID, the city's clause), sorted


@dataclass(frozen=True, slots=True)
class Topology:
    path: str
    version: int
    name: str
    policy: str
    configs_dir: str
    devices: tuple[DeviceEntry, ...]
    links: tuple[Link, ...]
    zones: tuple[Zone, ...]
    external_peers: tuple[ExternalPeer, ...]
    channels: tuple[Channel, ...]
    exceptions: tuple[PolicyException, ...]
    zone_policy: tuple[ZonePolicy, ...] = ()
    # α' model (mic-alpha-prime): flows LGWAN terminals may send straight to approved clouds.
    cloud_destinations: tuple[FlowSpec, ...] = ()
    # The city's own clause per rule ID (topology `clauses:` file), sorted by rule ID.
    clauses: tuple[tuple[str, str], ...] = ()
    custom_profile: CustomProfile | None = None  # `policy` is then its base profile
    # Further files the topology names: (kind "clauses" | "profile", path read, path shown).
    extra_inputs: tuple[tuple[str, str, str], ...] = ()

    def zone(self, zone_id: str) -> Zone:
        for zone in self.zones:
            if zone.id == zone_id:
                return zone
        raise KeyError(zone_id)


# --- small address helpers shared by every stage --------------------------------------


def prefix_mask(length: int) -> int:
    return (IPV4_MAX << (32 - length)) & IPV4_MAX if length else 0


def is_decimal(text: str) -> bool:
    """A non-empty run of ASCII digits. str.isdigit alone also says yes to superscripts and
    circled digits, which int() then refuses (a crash on a one-character typo), and to
    full-width digits, which int() reads but no device's command line accepts."""
    return text.isascii() and text.isdigit()


# Four runs of one to three ASCII digits: ACL entries hold hundreds of thousands of
# addresses, read by one pattern in half the time of splitting and testing each part.
_DOTTED_QUAD = re.compile(r"([0-9]{1,3})\.([0-9]{1,3})\.([0-9]{1,3})\.([0-9]{1,3})")


def ip_to_int(text: str) -> int:
    found = _DOTTED_QUAD.fullmatch(text)
    if found is not None:
        a, b, c, d = (int(part) for part in found.groups())
        if a <= 255 and b <= 255 and c <= 255 and d <= 255:
            return (a << 24) | (b << 16) | (c << 8) | d
    raise ValueError(f"not an IPv4 address: {text!r}")


def int_to_ip(value: int) -> str:
    return ".".join(str((value >> shift) & 0xFF) for shift in (24, 16, 8, 0))


def mask_to_length(mask: int) -> int | None:
    """Prefix length of a contiguous netmask, None if the mask is not contiguous."""
    length = bin(mask).count("1")
    return length if prefix_mask(length) == mask else None


def parse_prefix(text: str) -> tuple[int, int]:
    """'10.1.0.0/16' → (network, length). Raises ValueError on bad input or host bits set."""
    if "/" not in text:
        raise ValueError(f"not a prefix (expected a.b.c.d/len): {text!r}")
    address_text, length_text = text.split("/", 1)
    if not is_decimal(length_text) or not 0 <= int(length_text) <= 32:
        raise ValueError(f"bad prefix length in {text!r}")
    address = ip_to_int(address_text)
    length = int(length_text)
    if address & ~prefix_mask(length) & IPV4_MAX:
        raise ValueError(
            f"host bits set in prefix {text!r} (did you mean {int_to_ip(address & prefix_mask(length))}/{length}?)"
        )
    return address, length


def format_prefix(network: int, length: int) -> str:
    return f"{int_to_ip(network)}/{length}"


# --- management plane (device hardening rules MGMT-, SVC-, PORT-, WLAN-, ACL-001/003) ---
#
# Facts a parser reads from the lines it classifies as management-plane settings. They
# never change forwarding; rules only read them. Every fact keeps the Source of the line
# it came from; a fact that holds because of a vendor default (nothing written) has
# `source=None` or `by_default=True`, so that findings can say "not configured".

# How a credential is stored (`Credential.scheme`). Strong: a salted, slow hash.
SECRET_STRONG = frozenset({"pbkdf2", "scrypt", "bcrypt", "sha512-crypt"})
# Hashed but breakable offline in practice (unsalted or fast).
SECRET_WEAK_HASH = frozenset({"md5", "sha256-unsalted"})
# Readable by anyone who sees the config: plaintext, reversible (Cisco type 7, type 6
# with the master key), or no password at all.
SECRET_READABLE = frozenset({"plaintext", "reversible", "none"})


@dataclass(frozen=True, slots=True)
class Credential:
    """One stored password or secret. `kind`: enable | user | line | secret (a key the
    device uses again, e.g. a VPN pre-shared key); `owner` names the user, line or secret
    ("" for enable). `scheme`: plaintext | reversible | md5 |
    sha256-unsalted | pbkdf2 | scrypt | bcrypt | sha512-crypt | none | unknown."""

    kind: str
    owner: str
    scheme: str
    source: Source
    level: int | None = None  # enable level / user privilege, when written on the line


@dataclass(frozen=True, slots=True)
class UserAccount:
    """A local account. `privilege` None = not written (vendor default, 1 on IOS); 15 = may
    do everything (a syntax with named roles maps its all-powerful role to 15).
    `allowed_from`: the prefixes the account may log in from, for a syntax that restricts
    each account on its own (FortiOS `trusthost1..10`); ((0, 0),) when such a syntax leaves
    the account unrestricted; None when the syntax has no per-account restriction."""

    name: str
    source: Source
    privilege: int | None = None
    allowed_from: tuple[tuple[int, int], ...] | None = None


@dataclass(frozen=True, slots=True)
class SessionLine:
    """Where interactive CLI sessions run: IOS `line con 0`, `line vty 0 4`, `line aux 0`;
    ASA console and ssh/telnet sessions. `idle_timeout` is in seconds as configured
    (0 = never); None = not configured, then `default_idle_timeout` applies (None = the
    vendor default is "never")."""

    kind: str  # console | aux | vty | tty | ssh | telnet
    name: str  # as written, e.g. "vty 0 4"
    source: Source
    # False: `no exec`, a vty with `transport input none`, or one nobody can log in to.
    accepts_sessions: bool = True
    idle_timeout: int | None = None
    idle_timeout_source: Source | None = None
    default_idle_timeout: int | None = 600


@dataclass(frozen=True, slots=True)
class RemoteAccess:
    """One way to administer the device over the network: a protocol a vty line accepts,
    the web server, ASA `ssh|telnet|http PREFIX IF`. `by_default` = enabled because
    nothing restricts it (e.g. a vty line without `transport input`). Source restriction:
    `access_list` (IOS access-class, `ip http access-class`) or `allowed_from` (ASA
    prefixes; None = this entry does not list prefixes)."""

    protocol: str  # telnet | ssh | http | https | rlogin | other
    source: Source
    by_default: bool = False
    access_list: str | None = None
    access_list_source: Source | None = None
    allowed_from: tuple[tuple[int, int], ...] | None = None
    interface: str | None = None


@dataclass(frozen=True, slots=True)
class Banner:
    kind: str  # motd | login | exec | incoming | asdm | ...
    source: Source


@dataclass(frozen=True, slots=True)
class HostReference:
    """A server the device sends to: NTP server, syslog host. `address` as written
    (an IPv4/IPv6 address or a host name)."""

    address: str
    source: Source


@dataclass(frozen=True, slots=True)
class SnmpCommunity:
    """SNMPv1/v2c community. `name` is a secret: rules compare it, never print it."""

    name: str
    access: str  # ro | rw
    source: Source
    access_list: str | None = None
    view: str | None = None


@dataclass(frozen=True, slots=True)
class SnmpGroup:
    name: str
    version: str  # 1 | 2c | 3
    source: Source
    security: str | None = None  # v3: noauth | auth | priv
    read_view: str | None = None
    write_view: str | None = None
    access_list: str | None = None


@dataclass(frozen=True, slots=True)
class SnmpUser:
    name: str
    group: str
    version: str  # 1 | 2c | 3
    source: Source
    authenticated: bool = False
    encrypted: bool = False
    access_list: str | None = None


@dataclass(frozen=True, slots=True)
class ServiceState:
    """A device service the hardening rules care about, e.g. http-server, https-server,
    tcp-small-servers, udp-small-servers, finger, bootp-server, source-route, cdp, pad.
    `source` None = the vendor default decides `enabled`."""

    name: str
    enabled: bool
    source: Source | None = None


@dataclass(frozen=True, slots=True)
class InterfaceMgmt:
    """Per-interface management and access-control facts (forwarding facts are on Interface)."""

    name: str
    source: Source
    cdp: bool | None = None  # None = not written: follows the device's global CDP state
    cdp_source: Source | None = None
    port_security: bool = False
    port_security_source: Source | None = None
    sticky_learning: bool = False  # MAC addresses are learned (first come), not pinned in advance
    sticky_macs: tuple[str, ...] = ()
    static_macs: tuple[str, ...] = ()
    dot1x: bool = False  # 802.1X port authentication enforced (port-control auto)
    mab: bool = False
    access_control_source: Source | None = None  # the line that enables dot1x/mab
    # Only settings that do not put the port to use (description, speed, shutdown, ...).
    bare: bool = True
    # The address is assigned at run time (DHCP, PPP negotiation, unnumbered): not in the model.
    address_unknown: bool = False


@dataclass(frozen=True, slots=True)
class Wlan:
    """A wireless network (IOS `dot11 ssid`, a controller's WLAN). `wpa_versions` empty =
    no WPA (open or WEP). `auth`: open | psk | sae | 8021x | unknown. `eap_methods`
    empty = not visible in the config (the RADIUS server decides)."""

    ssid: str
    source: Source
    vlan: int | None = None
    wpa_versions: tuple[int, ...] = ()
    auth: str = "open"
    eap_methods: tuple[str, ...] = ()
    evidence: tuple[Source, ...] = ()  # the lines that set security


@dataclass(frozen=True, slots=True)
class NamedObject:
    """A named definition other lines may use. `kind`: acl | ipv6-acl | mac-acl |
    object-group | object | route-map | class-map."""

    kind: str
    name: str
    source: Source


@dataclass(frozen=True, slots=True)
class NamedReference:
    """A use of a named definition. `context` says where (e.g. "line vty 0 4",
    "snmp-server community"); `mentioned` = found by name only (a use the parser does not
    know in detail), which counts as a use but is never reported as undefined."""

    kind: str
    name: str
    source: Source
    context: str = ""
    mentioned: bool = False


@dataclass(frozen=True, slots=True)
class PasswordPolicy:
    """The rules a device enforces on administrators' passwords (FortiOS `config system
    password-policy`). `source`: the line that turns it on or off (None: nothing written,
    the vendor default decides `enabled`); `min_length` None = not written and no default."""

    enabled: bool
    source: Source | None = None
    min_length: int | None = None
    min_length_source: Source | None = None


@dataclass(slots=True)
class MgmtSettings:
    """Management-plane facts of one device. Parsers fill what their syntax has; an
    empty field means "nothing configured" (with vendor defaults recorded where a rule
    needs them, see ServiceState and SessionLine)."""

    hostname_source: Source | None = None
    sessions: list[SessionLine] = field(default_factory=list)
    remote_access: list[RemoteAccess] = field(default_factory=list)
    login_failure_limits: list[Source] = field(default_factory=list)  # login block-for, max-fail
    # The device limits failed logins even when nothing is written (FortiOS: 3 attempts).
    login_failures_limited_by_default: bool = False
    aaa: list[Source] = field(default_factory=list)
    banners: list[Banner] = field(default_factory=list)
    users: list[UserAccount] = field(default_factory=list)
    credentials: list[Credential] = field(default_factory=list)
    password_encryption: Source | None = None  # IOS `service password-encryption`
    ntp_servers: list[HostReference] = field(default_factory=list)
    logging_hosts: list[HostReference] = field(default_factory=list)
    log_timestamps: str = "none"  # datetime | uptime | none
    log_timestamps_source: Source | None = None
    snmp_communities: list[SnmpCommunity] = field(default_factory=list)
    snmp_groups: list[SnmpGroup] = field(default_factory=list)
    snmp_users: list[SnmpUser] = field(default_factory=list)
    services: list[ServiceState] = field(default_factory=list)
    interfaces: dict[str, InterfaceMgmt] = field(default_factory=dict)
    wlans: list[Wlan] = field(default_factory=list)
    # None: the parser of this syntax records no password policy, and MGMT-011 does not apply.
    password_policy: PasswordPolicy | None = None
    definitions: list[NamedObject] = field(default_factory=list)
    references: list[NamedReference] = field(default_factory=list)

    def service(self, name: str) -> ServiceState | None:
        for state in self.services:
            if state.name == name:
                return state
        return None


# --- pickling -------------------------------------------------------------------------
#
# Parse workers send their devices, and the long ACLs' compiler its ACLs, by pickle. A frozen
# slotted dataclass pickles through dataclasses' own __getstate__/__setstate__, which call
# `fields()` for every object: on the 1,000-device city, twice the time of the model's pickles
# without slots. The reducers below read each class's slot names once instead.


def _restored(cls: type, values: tuple[object, ...]) -> Any:
    """A frozen model object from its fields' values in slot order (what `_reducer` wrote)."""
    obj: Any = object.__new__(cls)
    for setter, value in zip(_SLOT_SETTERS[cls], values, strict=True):
        setter(obj, value)
    return obj


def _reducer(cls: type) -> Callable[[Any], tuple[Callable[..., Any], tuple[Any, ...]]]:
    """What pickle writes of an instance of `cls`: `_restored` and its arguments."""
    values = operator.attrgetter(*cls.__slots__)  # type: ignore[attr-defined]
    return lambda obj: (_restored, (cls, values(obj)))


def _frozen(value: object) -> bool:
    """A frozen model class of two fields or more (attrgetter of one name gives no tuple:
    such a class would keep dataclasses' own pickling)."""
    params = getattr(value, "__dataclass_params__", None)
    return (
        isinstance(value, type)
        and dataclasses.is_dataclass(value)
        and params is not None
        and params.frozen
        and len(getattr(value, "__slots__", ())) >= 2
    )


# Each frozen class's slot setters, in slot order (a slot's own setter gets past the frozen
# class's __setattr__, as in codec.py).
_SLOT_SETTERS: dict[type, tuple[Callable[[Any, Any], None], ...]] = {}
for _class in [value for value in globals().values() if _frozen(value)]:
    _SLOT_SETTERS[_class] = tuple(vars(_class)[name].__set__ for name in _class.__slots__)
    copyreg.pickle(_class, _reducer(_class))
