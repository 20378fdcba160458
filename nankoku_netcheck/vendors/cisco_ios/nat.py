"""IOS NAT (`ip nat ...`) as vendor-neutral NatRules.

Interfaces take part with `ip nat inside` / `ip nat outside` (classic NAT) or `ip nat enable`
(NAT Virtual Interface, NVI). A rule of classic NAT translates between every inside and every
outside interface; one of NVI (`ip nat source ...`) between every two NVI interfaces. Each
(inside, outside) pair gets its own NatRule, so that the engine's real/mapped interfaces are
plain names.

Order of operations (Cisco, "NAT Order of Operation"): inside to outside, the inbound ACL,
routing, then translation, then the outbound ACL (it sees global addresses); outside to
inside, the inbound ACL (global addresses), translation, routing, then the outbound ACL (local
addresses). The router routes on local addresses both ways: the Device says
`nat_between_filters`, inside rules are un-translated before routing, and `ip nat outside
source` rules are `routed_as_mapped` (routed on the outside-local address, un-translated as
the packet leaves) unless they say `add-route` (IOS then adds the route that makes the local
address route as the global one; routing on the global address is the same).

Rules: `ip nat inside source static` is bidirectional (section 1: IOS prefers static
entries). `... source list ACL | route-map RM` with `pool P [overload]` or `interface X
[overload]` is dynamic (section 2): only inside sources are translated on the way out; replies
to the pool or interface address are translated back (reach/nat.py; `overload` and `interface`
share addresses by port: replies only). `ip nat outside source` mirrors these with the
outside interface as the real side. `ip nat inside destination list ACL pool P` (TCP load
balancing over a rotary pool) is a static rule from the ACL's addresses to the pool's, every
pool address a possible target (an over-approximation).

Decisions toward reachability (each noted in the rule's `approximation`):
- ACL sources: the sources the ACL's permit lines may match, less those an earlier exact
  line decided; lines that also test other fields (extended ACLs, policy NAT) count with
  their sources only. An undefined ACL or route-map translates every source (an undefined
  ACL permits everything on IOS interfaces too).
- Route-maps: `match ip address` of the permit entries; other match clauses are ignored
  (every packet of the entry counts) and deny entries are ignored.
- Static port translation (`tcp|udp L lport G gport`) translates the whole address, every
  protocol and port (the engine's NAT steps match addresses only). Where G is the router's
  own address (`interface X`), packets to it then go to L, not to the router: the one place
  where this is not an over-approximation (the router's own services on G are missed).
- Not modelled, META-001: `vrf` (NAT inside a VRF), an undefined pool, `interface X` whose
  address is not in the config, `type rotary` pools outside `inside destination`,
  `ip nat settings`, `ip nat route`, anything else not listed here.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from nankoku_netcheck.model import (
    IPV4_MAX,
    PROTO_TCP,
    PROTO_UDP,
    Acl,
    Action,
    NatRule,
    PortRange,
    Source,
    UnknownKind,
    Wildcard,
    mask_to_length,
    prefix_mask,
)
from nankoku_netcheck.vendors.cisco_ios.interfaces import InterfaceDraft, canonical_interface_name
from nankoku_netcheck.vendors.cisco_ios.route_maps import RouteMapMatch
from nankoku_netcheck.vendors.common import Cursor, LineBook, NotUnderstood, ipv4, range_to_wildcards

Prefixes = tuple[tuple[int, int], ...]
Interval = tuple[int, int]

NAT_ROLE = "nat"  # InterfaceDraft.properties key: inside | outside | enable
_HARMLESS_SETTINGS = ("translation", "log", "service", "create", "stateful", "switchover", "piggyback-support")
# Options that do not change which addresses map to which.
_NEUTRAL_OPTIONS = ("extendable", "no-alias", "no-payload", "reversible", "mapping-id", "portmap")


@dataclass
class _Pool:
    prefixes: Prefixes
    rotary: bool
    source: Source


@dataclass
class _Rule:
    """One `ip nat` translation line, read; interfaces are resolved at the end."""

    index: int
    side: str  # inside | outside | nvi
    kind: str  # static | dynamic
    real: Prefixes | None
    mapped: Prefixes | None
    overload: bool = False
    interface_pat: str | None = None  # `interface X`: the mapped address is X's
    add_route: bool = False
    egress: str | None = None  # `egress-interface X`: translated only on the way out of X
    protocol: int | None = None
    real_port: PortRange | None = None
    mapped_port: PortRange | None = None
    notes: list[str] = field(default_factory=list)


class NatReader:
    """Collects the `ip nat` lines of one file; `rules` builds the NatRules (route-maps as read by
    route_maps.py)."""

    def __init__(self, book: LineBook) -> None:
        self.book = book
        self.lines: list[Any] = []
        self.route_maps: Mapping[str, list[RouteMapMatch]] = {}

    def collect(self, obj: Any) -> None:
        self.lines.append(obj)

    def rules(
        self, drafts: dict[str, InterfaceDraft], acls: dict[str, Acl], route_maps: Mapping[str, list[RouteMapMatch]]
    ) -> list[NatRule]:
        self.route_maps = route_maps
        pools = self._pools()
        result: list[NatRule] = []
        roles = _roles(drafts)
        for obj in self.lines:
            index = obj.linenum
            if index in self.book.outcome:
                continue
            try:
                rule = self._translation(index, pools, acls)
            except NotUnderstood as problem:
                self.book.mark_block(obj, UnknownKind.FORWARDING, f"NAT not modelled: {problem}")
                continue
            if rule is None:
                continue
            try:
                built = _nat_rules(rule, roles, drafts, self.book.source(index), len(result))
            except NotUnderstood as problem:
                self.book.mark_block(obj, UnknownKind.FORWARDING, f"NAT not modelled: {problem}")
                continue
            result.extend(built)
            self.book.parsed(index)
            self.book.unexpected_children(obj)
        return result

    # -- pools and settings

    def _pools(self) -> dict[str, _Pool]:
        pools: dict[str, _Pool] = {}
        for obj in self.lines:
            words = self.book.words(obj.linenum)
            lowered = [word.lower() for word in words]
            if lowered[2:3] == ["pool"]:
                try:
                    pools[words[3] if len(words) > 3 else ""] = self._pool(obj, words, lowered)
                except NotUnderstood as problem:
                    self.book.mark_block(obj, UnknownKind.FORWARDING, f"NAT pool not understood: {problem}")
            elif lowered[2:3] and lowered[2] in _HARMLESS_SETTINGS:
                self.book.mark_block(obj, UnknownKind.HARMLESS, "NAT timer or logging setting")
        return pools

    def _pool(self, obj: Any, words: list[str], lowered: list[str]) -> _Pool:
        """`ip nat pool P START END (netmask M | prefix-length N) [type T]`, or the same
        without START END and `address A B` lines under it."""
        cursor = Cursor(words[4:])
        ranges: list[Interval] = []
        if cursor.peek() not in ("netmask", "prefix-length"):
            ranges.append((ipv4(cursor.take("start address")), ipv4(cursor.take("end address"))))
        _pool_mask(cursor)
        rotary = False
        if cursor.peek() == "type":
            cursor.take("type")
            pool_type = cursor.take_lower("pool type")
            if pool_type not in ("rotary", "match-host"):
                raise NotUnderstood(f"pool type '{pool_type}'")
            rotary = pool_type == "rotary"
        cursor.expect_end()
        for child in obj.children:
            child_words = self.book.words(child.linenum)
            if len(child_words) == 3 and child_words[0].lower() == "address":
                ranges.append((ipv4(child_words[1]), ipv4(child_words[2])))
                self.book.parsed(child.linenum)
        if not ranges or any(first > last for first, last in ranges):
            raise NotUnderstood("no address range")
        prefixes = tuple(
            (wildcard.address, 32 - wildcard.wildcard.bit_length())
            for first, last in ranges
            for wildcard in range_to_wildcards(first, last)
        )
        self.book.parsed(obj.linenum)
        return _Pool(prefixes, rotary, self.book.source(obj.linenum))

    # -- translation lines

    def _translation(self, index: int, pools: dict[str, _Pool], acls: dict[str, Acl]) -> _Rule | None:
        words = self.book.words(index)
        lowered = [word.lower() for word in words]
        if any(word == "vrf" for word in lowered):
            raise NotUnderstood("NAT inside a VRF")
        if lowered[2:4] in (["inside", "source"], ["outside", "source"]) or lowered[2:3] == ["source"]:
            side = "nvi" if lowered[2] == "source" else lowered[2]
            cursor = Cursor(words[4:] if side != "nvi" else words[3:])
            if cursor.peek() == "static":
                cursor.take("static")
                return _static(index, side, cursor)
            return self._dynamic(index, side, cursor, pools, acls)
        if lowered[2:4] == ["inside", "destination"]:
            return self._destination(index, Cursor(words[4:]), pools, acls)
        raise NotUnderstood(f"'{' '.join(words[:4])}'")

    def _dynamic(self, index: int, side: str, cursor: Cursor, pools: dict[str, _Pool], acls: dict[str, Acl]) -> _Rule:
        selector = cursor.take_lower("list or route-map")
        name = cursor.take("name")
        notes: list[str] = []
        if selector == "list":
            real = self._acl_sources(name, acls, notes)
        elif selector == "route-map":
            real = self._route_map_sources(name, acls, notes)
        else:
            raise NotUnderstood(f"'{selector}'")
        rule = _Rule(index, side, "dynamic", real, None, notes=notes)
        target = cursor.take_lower("pool or interface")
        if target == "pool":
            pool = pools.get(cursor.take("pool name"))
            if pool is None:
                raise NotUnderstood("the pool is not defined")
            rule.mapped = pool.prefixes
        elif target == "interface" and side != "outside":
            rule.interface_pat = canonical_interface_name(cursor.take("interface"))
            rule.overload = True
        else:
            raise NotUnderstood(f"'{target}'")
        while not cursor.done():
            option = cursor.take_lower("option")
            if option == "overload":
                rule.overload = True
            elif option == "add-route":
                rule.add_route = True
            elif option == "egress-interface":
                rule.egress = canonical_interface_name(cursor.take("interface"))
            elif option not in _NEUTRAL_OPTIONS:
                raise NotUnderstood(f"option '{option}'")
        return rule

    def _destination(self, index: int, cursor: Cursor, pools: dict[str, _Pool], acls: dict[str, Acl]) -> _Rule:
        """`ip nat inside destination list ACL pool P`: the ACL names the virtual addresses."""
        if cursor.take_lower("list") != "list":
            raise NotUnderstood("inside destination without 'list'")
        notes = ["TCP load balancing: a packet to a virtual address may reach any address of the rotary pool"]
        virtual = self._acl_sources(cursor.take("access list"), acls, notes)
        if cursor.take_lower("pool") != "pool":
            raise NotUnderstood("inside destination without 'pool'")
        pool = pools.get(cursor.take("pool name"))
        if pool is None:
            raise NotUnderstood("the pool is not defined")
        cursor.expect_end()
        return _Rule(index, "inside", "static", pool.prefixes, virtual or ((0, 0),), protocol=PROTO_TCP, notes=notes)

    def _acl_sources(self, name: str, acls: dict[str, Acl], notes: list[str]) -> Prefixes | None:
        acl = acls.get(name)
        if acl is None:
            notes.append(f"access list {name} is not defined: every source is translated")
            return None
        return acl_sources(acl, notes)

    def _route_map_sources(self, name: str, acls: dict[str, Acl], notes: list[str]) -> Prefixes | None:
        entries = self.route_maps.get(name)
        if entries is None:
            notes.append(f"route-map {name} is not defined: every source is translated")
            return None
        prefixes: list[tuple[int, int]] = []
        for entry in entries:
            if not entry.permit:
                notes.append(f"route-map {name}: deny entries are ignored")
                continue
            if entry.other_match:
                notes.append(f"route-map {name}: match clauses other than 'match ip address' are ignored")
            if not entry.acls:
                return None
            for acl_name in entry.acls:
                sources = self._acl_sources(acl_name, acls, notes)
                if sources is None:
                    return None
                prefixes.extend(sources)
        return tuple(dict.fromkeys(prefixes))


def _pool_mask(cursor: Cursor) -> None:
    keyword = cursor.take_lower("netmask or prefix-length")
    value = cursor.take("mask")
    if keyword == "netmask":
        if mask_to_length(ipv4(value)) is None:
            raise NotUnderstood(f"netmask {value}")
    elif keyword != "prefix-length" or not value.isdecimal() or int(value) > 32:
        raise NotUnderstood(f"'{keyword} {value}'")


def _static(index: int, side: str, cursor: Cursor) -> _Rule:
    """`static [tcp|udp] L [lport] G [gport] | static network L G /len|mask | static L interface X`;
    for `outside`, the first address is the outside global one."""
    protocol: int | None = None
    length = 32
    if cursor.peek() in ("tcp", "udp"):
        protocol = PROTO_TCP if cursor.take_lower("protocol") == "tcp" else PROTO_UDP
    network = cursor.peek() == "network"
    if network:
        cursor.take("network")
    first = ipv4(cursor.take("local address"))
    first_port = _port(cursor) if protocol is not None else None
    rule = _Rule(index, side, "static", None, None)
    if cursor.peek() == "interface":
        cursor.take("interface")
        rule.interface_pat = canonical_interface_name(cursor.take("interface"))
        second = 0
    else:
        second = ipv4(cursor.take("global address"))
    second_port = _port(cursor) if protocol is not None else None
    if network:
        length = _network_length(cursor.take("prefix length or mask"))
    rule.real = ((first & prefix_mask(length), length),)
    rule.mapped = ((second & prefix_mask(length), length),)
    if protocol is not None and first_port is not None and second_port is not None:
        # The engine translates the whole address (every protocol and port): more than IOS does.
        rule.protocol, rule.real_port, rule.mapped_port = protocol, first_port, second_port
    while not cursor.done():
        option = cursor.take_lower("option")
        if option == "add-route":
            rule.add_route = True
        elif option in ("route-map", "redundancy"):
            # A route-map only narrows which packets are translated; redundancy groups
            # decide which router of a pair holds the entry: the address mapping stays.
            cursor.take(option)
        elif option not in _NEUTRAL_OPTIONS:
            raise NotUnderstood(f"option '{option}'")
    return rule


def _port(cursor: Cursor) -> PortRange:
    word = cursor.take("port")
    if not word.isdecimal() or int(word) > 65535:
        raise NotUnderstood(f"port '{word}'")
    return PortRange(int(word), int(word))


def _network_length(word: str) -> int:
    if word.startswith("/") and word[1:].isdecimal() and int(word[1:]) <= 32:
        return int(word[1:])
    length = mask_to_length(ipv4(word))
    if length is None:
        raise NotUnderstood(f"mask {word}")
    return length


# --- ACLs as source prefixes ------------------------------------------------------------


def acl_sources(acl: Acl, notes: list[str]) -> Prefixes | None:
    """The sources the ACL's permit lines may match, less those decided by an earlier line
    that tests the source only; None = every source."""
    decided: list[Interval] = []
    permitted: list[Interval] = []
    for line in acl.lines:
        for match in line.matches:
            exact = (
                line.understood
                and not line.approximation
                and match.protocols is None
                and match.dst is None
                and match.src_ports is None
                and match.dst_ports is None
                and match.icmp is None
            )
            intervals = _intervals(match.src)
            if any(not contiguous for _, contiguous in intervals):
                exact = False
            if line.action is Action.PERMIT:
                if not exact:
                    notes.append(f"access list {acl.name}: only the sources of its lines are read")
                for interval, _ in intervals:
                    permitted.extend(_subtract(interval, decided))
            if exact:
                decided.extend(interval for interval, _ in intervals)
    if not permitted:
        return ()
    prefixes = tuple(
        (wildcard.address, 32 - wildcard.wildcard.bit_length())
        for low, high in _merged(permitted)
        for wildcard in range_to_wildcards(low, high)
    )
    return None if prefixes == ((0, 0),) else prefixes


def _intervals(sources: tuple[Wildcard, ...] | None) -> list[tuple[Interval, bool]]:
    """Each source as its covering address range, and whether that range is exact."""
    if sources is None:
        return [((0, IPV4_MAX), True)]
    result = []
    for wildcard in sources:
        low = wildcard.address & ~wildcard.wildcard & IPV4_MAX
        high = low | wildcard.wildcard
        result.append(((low, high), wildcard.wildcard & (wildcard.wildcard + 1) == 0))
    return result


def _subtract(interval: Interval, taken: list[Interval]) -> list[Interval]:
    pieces = [interval]
    for low, high in taken:
        next_pieces = []
        for first, last in pieces:
            if high < first or low > last:
                next_pieces.append((first, last))
                continue
            if first < low:
                next_pieces.append((first, low - 1))
            if last > high:
                next_pieces.append((high + 1, last))
        pieces = next_pieces
    return pieces


def _merged(intervals: list[Interval]) -> list[Interval]:
    result: list[Interval] = []
    for low, high in sorted(intervals):
        if result and low <= result[-1][1] + 1:
            result[-1] = (result[-1][0], max(result[-1][1], high))
        else:
            result.append((low, high))
    return result


# --- interfaces ------------------------------------------------------------------------------


def _roles(drafts: dict[str, InterfaceDraft]) -> dict[str, list[str]]:
    roles: dict[str, list[str]] = {"inside": [], "outside": [], "enable": []}
    for name in sorted(drafts):
        for key, value in drafts[name].properties:
            if key == NAT_ROLE and name not in roles[value]:
                roles[value].append(name)
    return roles


def _pairs(side: str, roles: dict[str, list[str]]) -> list[tuple[str, str]]:
    """(real interface, mapped interface) for every pair the rule translates between."""
    if side == "nvi":
        return [(a, b) for a in roles["enable"] for b in roles["enable"] if a != b]
    inside_outside = [(a, b) for a in roles["inside"] for b in roles["outside"]]
    if side == "outside":
        return [(b, a) for a, b in inside_outside]
    return inside_outside


def _nat_rules(
    rule: _Rule, roles: dict[str, list[str]], drafts: dict[str, InterfaceDraft], source: Source, order: int
) -> list[NatRule]:
    mapped = rule.mapped
    interface_pat = False
    outward = roles["outside"] + roles["enable"]
    if rule.interface_pat is not None:
        draft = drafts.get(rule.interface_pat)
        if draft is not None and draft.primary is not None:
            mapped = ((draft.primary.address, 32),)
        elif rule.kind == "dynamic" and rule.interface_pat in outward:
            interface_pat = True  # the address comes at run time (DHCP, PPP): the interface's own
        else:
            raise NotUnderstood(f"the address of interface {rule.interface_pat} is not in the config")
    result: list[NatRule] = []
    for real_interface, mapped_interface in _pairs(rule.side, roles):
        if rule.kind == "dynamic" and rule.interface_pat in outward and mapped_interface != rule.interface_pat:
            continue  # translated only on the way out of the interface it names
        if rule.egress is not None and mapped_interface != rule.egress:
            continue
        result.append(
            NatRule(
                source=source,
                section=1 if rule.kind == "static" else 2,
                order=order + len(result),
                kind=rule.kind,
                real_interface=real_interface,
                mapped_interface=mapped_interface,
                real_source=rule.real,
                mapped_source=mapped,
                protocol=rule.protocol,
                real_port=rule.real_port,
                mapped_port=rule.mapped_port,
                interface_pat=interface_pat,
                approximation="; ".join(dict.fromkeys(rule.notes)),
                route_lookup=True,
                overload=rule.overload,
                routed_as_mapped=rule.side == "outside" and not rule.add_route,
            )
        )
    return result
