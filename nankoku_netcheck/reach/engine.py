"""Symbolic reachability: push packet sets through the network to a fixpoint.

Forwarding semantics (the concrete tracer in `trace.py` and the test oracle follow
the same rules, one packet at a time):

- Hosts: the host addresses of a segment are the usable addresses of its subnets (all
  but the network and broadcast addresses up to /30, both of a /31, none of a /32; the
  network and broadcast addresses too with `ip directed-broadcast`, the network address
  as the old all-zeros broadcast: an over-approximation) that no member device owns
  (`graph.Segment.is_host_address`). A loopback segment, or one whose usable addresses
  all belong to devices, holds no hosts. Packets to a segment's other addresses (network,
  broadcast) reach no host: they are dropped there.
- Packets start on a segment that can hold hosts (its hosts send them, with any source
  address their zone owns: spoofing within the zone is kept), or enter a device through
  a boundary interface. On a start segment, packets to a host address of the segment are
  delivered to its hosts; every other packet whose destination lies outside the
  segment's subnets may be sent to any routing member (hosts may use any gateway), and a
  member also takes packets addressed to any of its own addresses.
- Entering a device through interface I, leaving by O: the filters of `filters.py` (I's
  inbound ACL, the device's policy from I to O, O's outbound ACL; stateful inspection;
  what applies to packets to the box). Packets addressed to one of the device's own
  addresses are delivered to the device as `Device.to_the_box` says (ASA: only the address
  of I answers; its `management-access`, which lifts that for VPN clients only, is not
  modelled: no VPN is; FortiOS: another interface's address through the policy).
  The rest are forwarded by longest prefix match; equal-cost next hops all apply;
  over-approximated dynamic routes apply to every destination. Before that, the policy
  route of the arrival interface (`Interface.policy_route`, reach/pbr.py) may choose other
  hops: routing then depends on the arrival interface.
- VRF-lite: a packet is routed in the table (`Interface.vrf`) of the interface it arrived
  by (fib.py: per-table connected, static and dynamic routes, and static leaks between
  tables). Only the addresses of the interfaces in that table are the device's own for it:
  a packet arriving in VRF A to the address of an interface in VRF B is routed in A, as
  IOS does, not received (exact).
- Leaving through interface O: through a boundary interface (upstream, external link
  attach), packets exit the network.
  With a next hop address, the member device owning that address on O's segment
  receives them; if none does, they exit to an unmodelled neighbour. Directly
  connected destinations are delivered to the member owning the address, else to
  the segment's hosts when the address is a host address, else dropped.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from typing import Protocol

from ..graph import Network, Segment, is_up
from ..model import TO_THE_DEVICE, Acl, Device, Interface, RelayTarget, Route, RouteKind, Source, ToTheBox
from .budget import DEFAULT_BUDGET
from .fib import Fib, FibEntry, NextHop, build_fib, interface_hop, nested_within
from .filters import (
    accepts,
    applicable_rules,
    decides_per_pair,
    egress_acl,
    forwards,
    ingress_acl,
    permits_everything_when_empty,
    policy_acl,
)
from .multicast import GROUPS, delivered_to, multicasting
from .nat import NatStep, Owner, Translation, compose, inbound_steps, late_steps, outbound_steps, preimage, step_set
from .packets import PacketSet, PacketSpace
from .pbr import entry_choice, matched_acls
from .region import Bounds, Region, bounds_of, lines_within, prefix_meets, reversed_region
from .relay import (
    DHCP_SERVER_PORT,
    broadcast_addresses,
    relay_table,
    relaying,
    relays,
    reply_client,
    reply_rewrites,
    request_rewrites,
    takes_reply,
)

# Work units between checks that the BDD table has room (`PacketSpace.tidy`): one search on
# the 1,000-device city adds up to 10 million nodes over some 2,500 units.
TIDY_EVERY = 256


class Enqueue(Protocol):
    """Queues packets arriving at a device's interface (with the translation they carry)."""

    def __call__(self, device_name: str, if_name: str, packets: PacketSet, translation: Translation = ()) -> None: ...


# Records packets delivered at an endpoint; routes a stateless device's gathered packets once.
Deliver = Callable[["Endpoint", PacketSet], None]
RouteLater = Callable[[str, str, PacketSet, Translation], None]


@dataclass(frozen=True, order=True)
class Endpoint:
    """Where packets end up. kind: 'hosts' (hosts of `segment`), 'device' (the device
    itself), 'exit' (leave the modelled network through device:interface)."""

    kind: str
    device: str = ""
    interface: str = ""
    segment: str = ""
    # Rewrites (NAT) the packets went through; delivered sets stay in original headers.
    translation: Translation = ()

    def describe(self) -> str:
        if self.kind == "hosts":
            return f"hosts on {self.segment}"
        if self.kind == "device":
            return f"device {self.device}"
        return f"exit {self.device}:{self.interface}"


@dataclass(frozen=True, order=True)
class Start:
    """A start point: a segment, or a device entered through an interface."""

    segment: str = ""
    device: str = ""
    interface: str = ""


@dataclass
class ReachResult:
    delivered: dict[Endpoint, PacketSet] = field(default_factory=dict)
    # Device -> one packet (as a one-packet set) that arrived at it past its ingress checks: which
    # devices the search's packets reached, with a proof that a repair can check (reach/repair.py).
    # Not the whole sets: nothing reads them, and they were 95 % of a saved search.
    witnesses: dict[str, PacketSet] = field(default_factory=dict)
    work: int = 0  # packet sets that entered a device (the unit of the budget)
    budget: int = DEFAULT_BUDGET
    # The budget ran out: `delivered` is only part of what is reachable, never a proof.
    exhausted: bool = False
    # Devices packets were handed to, admitted or not: whose model the search read
    # (`visited_devices` misses a device whose filters dropped everything; incremental.py).
    entered: set[str] = field(default_factory=set)
    # Devices handed packets with a rewrite (NAT, relay): where a packet's header differs from
    # the one it started with (reach/repair.py).
    translated_into: set[str] = field(default_factory=set)

    # (device, interface) -> every packet that arrived there past the ingress checks: kept only
    # by an engine made with `record_arrivals` (the tests look into the path with it).
    arrivals: dict[tuple[str, str], PacketSet] = field(default_factory=dict)

    @property
    def visited_devices(self) -> set[str]:
        return set(self.witnesses)


def _except(skipped: tuple[str, str], enqueue: Enqueue) -> Enqueue:
    """`enqueue`, but nothing for the interface `skipped`."""

    def onward(device_name: str, if_name: str, packets: PacketSet, translation: Translation = ()) -> None:
        if (device_name, if_name) != skipped:
            enqueue(device_name, if_name, packets, translation)

    return onward


def acl_for(device: Device, name: str | None) -> Acl | None:
    return device.acls.get(name) if name else None


class Fibs:
    """Each device's forwarding table, built on first use: a filter-only engine and a
    search that never reaches a device do not pay for its routes."""

    def __init__(self, network: Network) -> None:
        self.network = network
        self._built: dict[str, Fib] = {}
        self._built_vrf: dict[tuple[str, str], Fib] = {}

    def __getitem__(self, device_name: str) -> Fib:
        fib = self._built.get(device_name)
        if fib is None:
            fib = self._built[device_name] = build_fib(self.network, device_name)
        return fib

    def of(self, device_name: str, vrf: str) -> Fib:
        """The device's table `vrf` ("" = the global table, `self[device_name]`)."""
        if not vrf:
            return self[device_name]
        fib = self._built_vrf.get((device_name, vrf))
        if fib is None:
            fib = self._built_vrf[(device_name, vrf)] = build_fib(self.network, device_name, vrf)
        return fib


@dataclass
class Compiled:
    """Packet sets that depend on the network and the packet space only (filters,
    addresses, segments), never on routing: the routing and the filter-only engines of
    one analysis share them."""

    local: dict[str, PacketSet] = field(default_factory=dict)
    iface_addresses: dict[tuple[str, str], PacketSet] = field(default_factory=dict)
    acl_in: dict[tuple[str, str], PacketSet] = field(default_factory=dict)
    acl_out: dict[tuple[str, str], PacketSet] = field(default_factory=dict)
    entry: dict[tuple[str, str], PacketSet] = field(default_factory=dict)
    box: dict[tuple[str, str], PacketSet] = field(default_factory=dict)
    admission: dict[tuple[str, str], PacketSet] = field(default_factory=dict)
    # A pair's policy: the rules that apply, and per (device, rules, reversed) their set.
    pair_rules: dict[tuple[str, str, str], tuple[int, ...]] = field(default_factory=dict)
    policies: dict[tuple[str, tuple[int, ...], bool], PacketSet] = field(default_factory=dict)
    segment_dst: dict[str, PacketSet] = field(default_factory=dict)
    segment_member_dst: dict[str, PacketSet] = field(default_factory=dict)
    segment_host_dst: dict[str, PacketSet] = field(default_factory=dict)
    sessions: dict[tuple[str, str, str], PacketSet] = field(default_factory=dict)
    replies: dict[tuple[str, str, str], PacketSet] = field(default_factory=dict)
    routing_members: dict[str, list[tuple[str, str]]] = field(default_factory=dict)
    owners: dict[str, dict[int, list[tuple[str, str]]]] = field(default_factory=dict)
    # Per (device, arrival interface): the device's own addresses in the interface's table.
    table_local: dict[tuple[str, str], PacketSet] = field(default_factory=dict)
    # Per region: the filters of the engines `within` it (routing or not: filters do not route).
    regions: dict[Region, RegionFilters] = field(default_factory=dict)
    # The set of an ACL of these lines (reversed or not), for engines within any region: many
    # ACLs keep the same few lines, in one region and the next.
    kept_lines: dict[tuple[tuple[object, ...], bool], PacketSet] = field(default_factory=dict)


@dataclass
class RegionFilters:
    """The filters of engines `within` one region (`ReachEngine.within`), apart from the whole
    ones: sets that agree with them inside the region only."""

    compiled: Compiled
    bounds: tuple[Bounds, ...]
    reversed_bounds: tuple[Bounds, ...]
    # An ACL's set by ACL object (kept alive here, so its id is not reused).
    of_object: dict[tuple[int, bool], tuple[Acl, PacketSet]] = field(default_factory=dict)
    # Per (device, table): the routed destinations of the entries that meet the region
    # (`ReachEngine.fib_regions_within`).
    fib: dict[tuple[str, str], list[tuple[PacketSet, tuple[NextHop, ...]]]] = field(default_factory=dict)


@dataclass
class _Visited:
    """What one search has processed: per (device, interface, translation) the packets
    that entered (where `ReachEngine._checks_seen` asks for the check); per (device, translation)
    of a stateless device without NAT the packets
    it routed (past its ingress filter its forwarding does not depend on the interface,
    so routing them again would only add the same packets downstream)."""

    seen: dict[tuple[str, str, Translation], PacketSet]
    # Keyed (device, table, translation): a device routes in the table of the arrival interface.
    routed: dict[tuple[str, str, Translation], PacketSet]
    # Packets such a device has yet to route, per table, gathered from every interface they
    # entered by until the queue reaches them: one routing pass instead of one per arrival (a
    # core switch receives pieces of the same flows on dozens of interfaces).
    # Kept as lists, joined once by the pass (`PacketSpace.union_of`): a core switch gathers
    # hundreds of small sets, and adding each to a growing union would walk it every time.
    to_route: dict[tuple[str, Translation], dict[str, list[PacketSet]]] = field(default_factory=dict)
    # Routed keys whose gathered packets still hold some already routed: arrivals that joined a
    # pending pass add theirs unchecked, and the pass takes `routed` out once for all of them.
    unchecked: set[tuple[str, str, Translation]] = field(default_factory=set)
    # Interfaces the search's starts handed packets to: what arrives there may not come from
    # the link's other end (`_stub_link`).
    injected: set[tuple[str, str]] = field(default_factory=set)


class ReachEngine:
    """Holds the per-device compiled state for one network; `reach` runs one search."""

    def __init__(
        self,
        network: Network,
        space: PacketSpace,
        boundary: Iterable[tuple[str, str]] = (),
        routing: bool = True,
        share_with: ReachEngine | None = None,
        budget: int = DEFAULT_BUDGET,
        record_arrivals: bool = False,
        region: Region | None = None,
    ) -> None:
        """`share_with`: an engine over the same network and space whose compiled filters
        this one reuses (and adds to). `budget`: work units one `reach` may spend (a
        safety net: the search space is finite, see nat.compose). `record_arrivals`: keep
        `ReachResult.arrivals` (costly: for tests). `region` (with `share_with`): every packet
        this engine's searches inject lies in it; see `within`."""
        self.network = network
        self.budget = budget
        self.record_arrivals = record_arrivals
        self.space = space
        self.boundary = frozenset(boundary)
        # With routing off, a device may send a packet out of any interface: what remains
        # reachable is what the filters alone allow (ZONE-008).
        self.routing = routing
        self.fibs: Fibs = share_with.fibs if share_with is not None else Fibs(network)
        self._fib_regions: dict[tuple[str, str], list[tuple[PacketSet, tuple[NextHop, ...]]]] = (
            share_with._fib_regions if share_with is not None else {}
        )
        compiled: Compiled = share_with.compiled if share_with is not None else Compiled()
        # With a region: filters of its own, which agree with the shared ones inside it only;
        # `share_with`'s (whole) filters test packets carrying a rewrite (`_filters`).
        self._whole: ReachEngine | None = None
        self._in_region: RegionFilters | None = None
        if region is not None and share_with is not None:
            self._whole = share_with
            found = compiled.regions.get(region)
            if found is None:
                bounds = bounds_of(region), bounds_of(reversed_region(region))
                found = compiled.regions[region] = RegionFilters(_without_filters(compiled), *bounds)
            self._in_region = found
            compiled = found.compiled
        self.compiled: Compiled = compiled
        self._local = compiled.local
        self._iface_addresses = compiled.iface_addresses
        self._acl_in = compiled.acl_in
        self._acl_out = compiled.acl_out
        self._entry = compiled.entry
        self._box = compiled.box
        self._admission = compiled.admission
        self._pair_rules = compiled.pair_rules
        self._policies = compiled.policies
        self._segment_dst = compiled.segment_dst
        self._segment_member_dst = compiled.segment_member_dst
        self._segment_host_dst = compiled.segment_host_dst
        self._sessions = compiled.sessions
        self._replies = compiled.replies
        self._routing_members = compiled.routing_members
        self._owners = compiled.owners
        self._table_local = compiled.table_local
        self._egress_regions: dict[tuple[str, str, Source, str], list[tuple[PacketSet, tuple[NextHop, ...]]]] = {}
        self._policy_routes: dict[
            tuple[str, str, str], tuple[list[tuple[PacketSet, tuple[NextHop, ...]]], PacketSet]
        ] = {}
        self._relaying_devices: dict[str, bool] = {}
        self._stub_links: dict[tuple[str, str], tuple[str, str] | None] = {}
        self._passing: dict[str, bool] = {}
        self._relay_requests: dict[tuple[str, str, int], PacketSet] = {}
        # Per segment: every search takes these out of the hosts' packets at its end.
        self._reserved_dst: dict[str, PacketSet] = {}
        if self._whole is not None:
            # What no filter decides, the engine within a region takes from the whole one.
            self._egress_regions = self._whole._egress_regions
            self._relaying_devices = self._whole._relaying_devices
            self._stub_links = self._whole._stub_links
            self._passing = self._whole._passing
            self._relay_requests = self._whole._relay_requests
            self._reserved_dst = self._whole._reserved_dst

    # --- compiled pieces (lazily, so untouched devices cost nothing) ------------------

    def interface_filter(self, device_name: str, if_name: str, direction: str) -> PacketSet:
        """What the interface's own ACL lets through in `direction` (the policy, which
        depends on the pair of interfaces, is applied when sending)."""
        cache = self._acl_in if direction == "in" else self._acl_out
        key = (device_name, if_name)
        if key not in cache:
            device = self.network.devices[device_name]
            chosen = ingress_acl(device, if_name) if direction == "in" else egress_acl(device, if_name)
            cache[key] = self._filter_set(device, chosen)
        return cache[key]

    def entry_filter(self, device_name: str, if_name: str) -> PacketSet:
        """New connections that may pass the device entering by `if_name`: its inbound ACL,
        and with a policy, the union over every interface out of the pair's policy. Packets
        to the box are not told apart here (see `_enter`)."""
        key = (device_name, if_name)
        if key not in self._entry:
            device = self.network.devices[device_name]
            permitted = self.interface_filter(device_name, if_name, "in")
            if device.policy is not None and permitted != self.space.false:
                union = self.space.false
                for out in sorted(device.interfaces):
                    if forwards(device.interfaces[out]):
                        union |= self.policy_filter(device_name, if_name, out)
                permitted &= union
            self._entry[key] = permitted
        return self._entry[key]

    def admission(self, device_name: str, if_name: str) -> PacketSet:
        """New connections the device takes in by `if_name`: through it as `entry_filter`
        says, to itself as `box_filter` says."""
        key = (device_name, if_name)
        if key not in self._admission:
            device = self.network.devices[device_name]
            entry = self.entry_filter(device_name, if_name)
            if device.to_the_box is not ToTheBox.FILTERED or device.policy is not None:
                # Without a policy a filtering device's entry filter already decides both.
                local = self.table_addresses(device_name, if_name)
                entry = (entry & ~local) | self.box_filter(device_name, if_name)
            self._admission[key] = entry
        return self._admission[key]

    def box_filter(self, device_name: str, if_name: str) -> PacketSet:
        """Packets to the device's own addresses that it takes in by `if_name` as new
        connections (`Device.to_the_box`, see filters.py)."""
        key = (device_name, if_name)
        if key not in self._box:
            self._box[key] = self._box_set(device_name, if_name)
        return self._box[key]

    def _box_set(self, device_name: str, if_name: str) -> PacketSet:
        mode = self.network.devices[device_name].to_the_box
        if mode is ToTheBox.FILTERED:
            return self.table_addresses(device_name, if_name) & self.interface_filter(device_name, if_name, "in")
        if mode is ToTheBox.ANY_ADDRESS:
            return self.table_addresses(device_name, if_name)
        if mode is ToTheBox.SELF_POLICY:
            filtered = self.table_addresses(device_name, if_name) & self.interface_filter(device_name, if_name, "in")
            return filtered & self.policy_filter(device_name, if_name, TO_THE_DEVICE)
        answered = self.interface_addresses(device_name, if_name)
        if mode is ToTheBox.VIA_POLICY:
            interfaces = self.network.devices[device_name].interfaces
            for owner in sorted(interfaces):
                if owner != if_name and interfaces[owner].vrf == interfaces[if_name].vrf:
                    owned = self.interface_addresses(device_name, owner)
                    if owned != self.space.false:
                        answered |= owned & self.policy_filter(device_name, if_name, owner)
        return answered

    def policy_filter(self, device_name: str, in_if: str, out_if: str, reverse: bool = False) -> PacketSet:
        """What the device's policy permits from `in_if` to `out_if` (everything without a
        policy). Pairs to which the same rules apply share one set."""
        device = self.network.devices[device_name]
        if device.policy is None:
            return self.space.valid
        pair = (device_name, in_if, out_if)
        rules = self._pair_rules.get(pair)
        if rules is None:
            rules = self._pair_rules[pair] = applicable_rules(device, in_if, out_if)
        key = (device_name, rules, reverse)
        if key not in self._policies:
            acl = policy_acl(self.space, device, rules)
            self._policies[key] = self._acl_set(acl, reverse) if acl.lines else self.space.false
        return self._policies[key]

    def _filter_set(self, device: Device, chosen: Acl | str | None, reverse: bool = False) -> PacketSet:
        """`reverse`: the same filter with sources and destinations swapped (every set
        but a compiled ACL is its own reverse: `valid` treats both directions alike)."""
        if chosen is None:
            return self.space.valid
        if isinstance(chosen, str):
            return self.space.valid if device.undefined_acl_permits else self.space.false
        if permits_everything_when_empty(chosen):
            return self.space.valid
        return self._acl_set(chosen, reverse)

    def _acl_set(self, acl: Acl, reverse: bool) -> PacketSet:
        """What `acl` permits (reversed if asked): the whole ACL's set, or with a region, the set
        of its lines that can match a packet of the region (the reverse: of the reversed region)."""
        region = self._in_region
        if region is None:
            return self.space.acl_permits_reversed_tcp(acl) if reverse else self.space.acl_permits(acl)
        known = region.of_object.get((id(acl), reverse))
        if known is not None and known[0] is acl:
            return known[1]
        lines = lines_within(acl, region.reversed_bounds if reverse else region.bounds)
        key = (tuple([(line.action, line.matches) for line in lines]), reverse)
        permitted = self.compiled.kept_lines.get(key)
        if permitted is None:
            permitted = self.space.lines_permit(lines)
            permitted = self.space.reversed_direction(permitted) if reverse else permitted
            self.compiled.kept_lines[key] = permitted
        region.of_object[id(acl), reverse] = (acl, permitted)
        return permitted

    def within(self, region: Region) -> ReachEngine:
        """This engine for searches whose injected packets all lie in `region`. Such a search
        only intersects, subtracts and unites sets of its packets (kept as injected), and tests
        untranslated ones against a filter only by intersecting: a set that agrees with the
        filter on `region` gives the same result, step for step. So each ACL is compiled from
        the lines that can match a packet of `region` (reach/region.py), the reversed ones
        from those that can match one of the reversed region (the reply check quantifies the
        ACK bit away, which regions never bound). A packet carrying a rewrite is tested
        against a filter by its rewritten header, which need not lie in `region`: there the
        whole filters apply. The sets are kept apart from the whole ones other searches share,
        for the engines within the same region (`Compiled.regions`)."""
        return ReachEngine(
            self.network,
            self.space,
            self.boundary,
            routing=self.routing,
            share_with=self,
            budget=self.budget,
            record_arrivals=self.record_arrivals,
            region=region,
        )

    def _filters(self, translation: Translation) -> ReachEngine:
        """The engine whose filters test packets carrying `translation`: with a rewrite, the
        whole filters (see `within`)."""
        if translation and self._whole is not None:
            return self._whole
        return self

    def session_filter(self, device_name: str, in_if: str, out_if: str) -> PacketSet:
        """New connections the device passes from `in_if` to `out_if` (on a stateful device,
        no TCP packet with ACK/RST is one)."""
        key = (device_name, in_if, out_if)
        if key not in self._sessions:
            self._sessions[key] = self._session(device_name, in_if, out_if, reverse=False)
        return self._sessions[key]

    def _session(self, device_name: str, in_if: str, out_if: str, reverse: bool) -> PacketSet:
        device = self.network.devices[device_name]
        permitted = self.policy_filter(device_name, in_if, out_if, reverse)
        if permitted == self.space.false:
            return permitted
        permitted &= self._filter_set(device, ingress_acl(device, in_if), reverse)
        permitted &= self._filter_set(device, egress_acl(device, out_if), reverse)
        return permitted & ~self.space.tcp_established() if device.stateful else permitted

    def reply_filter(self, device_name: str, in_if: str, out_if: str) -> PacketSet:
        """TCP replies a stateful device passes from `in_if` to `out_if`: packets with
        ACK/RST whose reverse is a connection it would pass from `out_if` to `in_if`.
        The reverse of that session filter is built from the reversed ACLs (reversal
        distributes over & and ~, and leaves the ACK bit alone)."""
        key = (device_name, in_if, out_if)
        if key not in self._replies:
            reverse = self._session(device_name, out_if, in_if, reverse=True)
            self._replies[key] = self.space.bdd.exist(self.space.bits["est"], reverse & self.space.protocol(6)) & (
                self.space.tcp_established()
            )
        return self._replies[key]

    def _through_pair(
        self, device_name: str, in_if: str, out_if: str, packets: PacketSet, translation: Translation
    ) -> PacketSet:
        """`packets & pre(translation, session_filter | reply_filter)` without the union of
        the two filters, which on a long ACL is far larger than either (one is keyed on
        destinations, the other, reversed, on sources)."""
        filters = self._filters(translation)
        passed = packets & self.pre(translation, filters.session_filter(device_name, in_if, out_if))
        if not self.network.devices[device_name].stateful:
            return passed
        replies = packets & self.pre(translation, self.space.tcp_established())
        if replies == self.space.false:
            return passed
        return passed | (replies & self.pre(translation, filters.reply_filter(device_name, in_if, out_if)))

    def fib_regions(self, device_name: str, vrf: str = "") -> list[tuple[PacketSet, tuple[NextHop, ...]]]:
        """Per entry of the table, longest prefix first, the destinations it routes (`_routed`)."""
        key = (device_name, vrf)
        regions = self._fib_regions.get(key)
        if regions is None:
            regions = self._fib_regions[key] = self._routed(self.fibs.of(device_name, vrf).entries, None)
        return regions

    def fib_regions_within(
        self, region: RegionFilters, device_name: str, vrf: str = ""
    ) -> list[tuple[PacketSet, tuple[NextHop, ...]]]:
        """`fib_regions` for untranslated packets of an engine `within` a region: the entries
        whose prefix meets the region (`prefix_meets`), each less the longer ones within it that
        do. Each set agrees with the whole table's inside the region, and an entry left out
        routes no packet of it: `_route` intersects them with packets of the region only, so it
        sends the same packets to the same hops. A repair's packets (one edited line's: one host
        and port) meet one or two entries of a table of hundreds; the whole tables of the devices
        a repair enters cost the 1,000-device city's edit run 664 tables' sets."""
        key = (device_name, vrf)
        regions = region.fib.get(key)
        if regions is None:
            regions = region.fib[key] = self._routed(self.fibs.of(device_name, vrf).entries, region.bounds)
        return regions

    def _routed(
        self, entries: tuple[FibEntry, ...], bounds: tuple[Bounds, ...] | None
    ) -> list[tuple[PacketSet, tuple[NextHop, ...]]]:
        """Each entry's prefix less the longer prefixes within it (`nested_within`), the entries
        it has no such prefix for without any set operation; with `bounds`, only the entries
        whose prefix meets them, less those of them within it. The edit run of the 1,000-device
        city, 8,604 entries over 664 whole tables, each table's first call (what a run pays: the
        BDD operations are new to the manager), CPU, median of 10 runs: 0.087 -> 0.058 s against
        subtracting every longer prefix. Called again on the same tables, with the manager's
        caches warm, the integer work costs more than it saves (0.022 -> 0.033 s)."""
        space = self.space
        regions = []
        for entry, within in zip(entries, nested_within(entries), strict=True):
            if bounds is not None:
                if not prefix_meets(entry.network, entry.length, bounds):
                    continue
                within = tuple(inner for inner in within if prefix_meets(inner.network, inner.length, bounds))
            routed = space.field_prefix("dst", entry.network, entry.length)
            if within:
                routed &= ~space.union_of(space.field_prefix("dst", inner.network, inner.length) for inner in within)
            if routed != space.false:
                regions.append((routed, entry.next_hops))
        return regions

    def egress_regions(
        self, device_name: str, out: str, rule: Source, vrf: str = ""
    ) -> list[tuple[PacketSet, tuple[NextHop, ...]]]:
        """`fib_regions` when the NAT line `rule` fixes the egress interface to `out`
        (`Fib.lookup_via`)."""
        key = (device_name, out, rule, vrf)
        if key not in self._egress_regions:
            fib = self.fibs.of(device_name, vrf)
            dynamic = tuple(hop for hop in fib.dynamic if hop.interface == out)
            regions = []
            covered = self.space.false
            for entry in fib.entries:
                hops = tuple(hop for hop in entry.next_hops if hop.interface == out and not hop.discard)
                if not hops:
                    continue
                prefix = self.space.field_prefix("dst", entry.network, entry.length)
                region = prefix & ~covered
                covered |= prefix
                if region != self.space.false:
                    regions.append((region, hops + dynamic))
            rest = self.space.valid & ~covered
            if rest != self.space.false:
                regions.append((rest, (interface_hop(out, rule), *dynamic)))
            self._egress_regions[key] = regions
        return self._egress_regions[key]

    def interface_addresses(self, device_name: str, if_name: str) -> PacketSet:
        key = (device_name, if_name)
        if key not in self._iface_addresses:
            interface = self.network.devices[device_name].interfaces[if_name]
            result = self.space.false
            if is_up(interface):
                for address in interface.addresses:
                    result |= self.space.field_equals("dst", address.address)
                for virtual in interface.virtual_addresses:
                    result |= self.space.field_equals("dst", virtual)
            self._iface_addresses[key] = result
        return self._iface_addresses[key]

    def table_addresses(self, device_name: str, if_name: str) -> PacketSet:
        """The device's own addresses for a packet arriving by `if_name`: those of the
        interfaces in its table (every address on a device without VRFs)."""
        key = (device_name, if_name)
        if key not in self._table_local:
            interfaces = self.network.devices[device_name].interfaces
            if not any(interface.vrf for interface in interfaces.values()):
                self._table_local[key] = self.local_addresses(device_name)
            else:
                result = self.space.false
                for name, interface in interfaces.items():
                    if interface.vrf == interfaces[if_name].vrf:
                        result |= self.interface_addresses(device_name, name)
                self._table_local[key] = result
        return self._table_local[key]

    def vrf_of(self, device_name: str, if_name: str) -> str:
        return self.network.devices[device_name].interfaces[if_name].vrf

    def local_addresses(self, device_name: str) -> PacketSet:
        if device_name not in self._local:
            result = self.space.false
            for if_name in self.network.devices[device_name].interfaces:
                result |= self.interface_addresses(device_name, if_name)
            self._local[device_name] = result
        return self._local[device_name]

    def segment_destinations(self, segment: Segment) -> PacketSet:
        if segment.id not in self._segment_dst:
            self._segment_dst[segment.id] = self.space.prefixes("dst", segment.subnets)
        return self._segment_dst[segment.id]

    def segment_member_addresses(self, segment: Segment) -> PacketSet:
        if segment.id not in self._segment_member_dst:
            result = self.space.false
            for device_name, if_name in segment.members:
                result |= self.interface_addresses(device_name, if_name)
            self._segment_member_dst[segment.id] = result
        return self._segment_member_dst[segment.id]

    def host_destinations(self, segment: Segment) -> PacketSet:
        """Packets addressed to a host of the segment (graph.Segment.is_host_address)."""
        return self._to_hosts_or_reserved(segment) & ~self.reserved_destinations(segment)

    def _to_hosts_or_reserved(self, segment: Segment) -> PacketSet:
        """Packets to a host of the segment or to one of its network and broadcast addresses:
        the search delivers these, and `reach` takes the latter out at the end, once per
        endpoint, which keeps the sets it pushes around smaller."""
        if segment.id not in self._segment_host_dst:
            hosts = self.space.false
            if segment.holds_hosts:
                hosts = self.segment_destinations(segment) & ~self.segment_member_addresses(segment)
            self._segment_host_dst[segment.id] = hosts
        return self._segment_host_dst[segment.id]

    def reserved_destinations(self, segment: Segment) -> PacketSet:
        """Packets to the segment's network and broadcast addresses that no host has."""
        found = self._reserved_dst.get(segment.id)
        if found is None:
            found = self.space.false
            for address in segment.reserved:
                found |= self.space.field_equals("dst", address)
            self._reserved_dst[segment.id] = found
        return found

    def routing_members(self, segment: Segment) -> list[tuple[str, str]]:
        members = self._routing_members.get(segment.id)
        if members is None:
            members = [
                (device_name, if_name)
                for device_name, if_name in segment.members
                if self.network.devices[device_name].interfaces[if_name].addresses
            ]
            self._routing_members[segment.id] = members
        return members

    def owners(self, segment: Segment, address: int, exclude: tuple[str, str]) -> list[tuple[str, str]]:
        """Members of the segment (up, other than `exclude`) that own `address`."""
        table = self._owners.get(segment.id)
        if table is None:
            table = {}
            for member in segment.members:
                interface = self.network.devices[member[0]].interfaces[member[1]]
                if not is_up(interface):
                    continue
                for owned in (*interface.virtual_addresses, *(a.address for a in interface.addresses)):
                    table.setdefault(owned, [])
                    if member not in table[owned]:
                        table[owned].append(member)
            self._owners[segment.id] = table
        return [member for member in table.get(address, ()) if member != exclude]

    # --- the search ---------------------------------------------------------------------

    def pre(self, translation: Translation, packets: PacketSet) -> PacketSet:
        """`packets` (a test on the current header) seen from the original headers."""
        return preimage(self.space, translation, packets) if translation else packets

    def reach(self, injections: Iterable[tuple[Start, PacketSet]]) -> ReachResult:
        result = ReachResult(budget=self.budget)
        pending: dict[tuple[str, str, Translation], PacketSet] = {}
        # An entry with interface "" routes what `visited.to_route` holds for its device.
        queue: deque[tuple[str, str, Translation]] = deque()
        visited = _Visited({}, {})

        def route_later(device_name: str, vrf: str, packets: PacketSet, translation: Translation) -> None:
            key = (device_name, translation)
            tables = visited.to_route.get(key)
            if tables is None:
                visited.to_route[key] = {vrf: [packets]}
                queue.append((device_name, "", translation))
            else:
                tables.setdefault(vrf, []).append(packets)

        def enqueue(device_name: str, if_name: str, packets: PacketSet, translation: Translation = ()) -> None:
            if packets == self.space.false:
                return
            key = (device_name, if_name, translation)
            if key in pending:
                pending[key] = pending[key] | packets
            else:
                pending[key] = packets
                queue.append(key)

        # Each endpoint's pieces are joined once, at the end (`union_of`): joined as they came, an
        # endpoint many sources reach (a core's box, an exit) walked its growing set every time.
        arrived: dict[Endpoint, list[PacketSet]] = {}

        def deliver(endpoint: Endpoint, packets: PacketSet) -> None:
            if packets == self.space.false:
                return
            pieces = arrived.get(endpoint)
            if pieces is None:
                arrived[endpoint] = [packets]
            else:
                pieces.append(packets)

        def inject(device_name: str, if_name: str, packets: PacketSet, translation: Translation = ()) -> None:
            visited.injected.add((device_name, if_name))
            enqueue(device_name, if_name, packets, translation)

        for start, packets in injections:
            packets = packets & self.space.valid
            if start.segment:
                self._inject_on_segment(self.network.segments[start.segment], packets, inject, deliver)
            else:
                inject(start.device, start.interface, packets)

        while queue:
            if result.work >= self.budget:
                result.exhausted = True
                break
            if result.work % TIDY_EVERY == 0:
                self.space.tidy()
            key = queue.popleft()
            device_name, if_name, translation = key
            if not if_name:
                for vrf, pieces in sorted(visited.to_route.pop((device_name, translation)).items()):
                    gathered = self._not_yet_routed(
                        visited, (device_name, vrf, translation), self.space.union_of(pieces)
                    )
                    if gathered != self.space.false:
                        self._route(device_name, "", gathered, translation, enqueue, deliver, None, vrf=vrf)
                continue
            packets = pending.pop(key)
            self._enter(key, packets, result, visited, enqueue, deliver, route_later)
        result.delivered = {endpoint: self.space.union_of(pieces) for endpoint, pieces in arrived.items()}
        for endpoint in sorted(result.delivered):
            # Hosts never receive packets to a network or broadcast address (see host_destinations).
            # (Not after a rewrite of the destination to a pool: it may pick a host's address.)
            pooled = any(rewrite.pool and rewrite.field == "dst" for rewrite in endpoint.translation)
            if endpoint.kind == "hosts" and self.network.segments[endpoint.segment].reserved and not pooled:
                reserved = self.pre(
                    endpoint.translation, self.reserved_destinations(self.network.segments[endpoint.segment])
                )
                kept = result.delivered[endpoint] & ~reserved
                if kept == self.space.false:
                    del result.delivered[endpoint]
                else:
                    result.delivered[endpoint] = kept
        return result

    def _not_yet_routed(
        self, visited: _Visited, routed_key: tuple[str, str, Translation], gathered: PacketSet
    ) -> PacketSet:
        """What a routing pass of a stateless device routes of the packets it gathered: those
        not routed before (`_Visited.routed`), which join them."""
        unchecked = routed_key in visited.unchecked
        visited.unchecked.discard(routed_key)
        done = visited.routed.get(routed_key)
        if done is None:
            visited.routed[routed_key] = gathered
            return gathered
        if unchecked:
            gathered &= ~done
            if gathered == self.space.false:
                return gathered
        visited.routed[routed_key] = done | gathered
        return gathered

    def _inject_on_segment(self, segment: Segment, packets: PacketSet, enqueue: Enqueue, deliver: Deliver) -> None:
        on_segment = self.segment_destinations(segment)
        deliver(Endpoint("hosts", segment=segment.id), packets & self._to_hosts_or_reserved(segment))
        off_segment = packets & ~on_segment
        for device_name, if_name in self.routing_members(segment):
            mine = packets & self.table_addresses(device_name, if_name)
            if self.network.devices[device_name].relayed_udp_ports:
                # A broadcast to the segment's own subnet reaches a member that relays it.
                mine |= packets & self.relay_broadcasts(device_name, if_name)
            enqueue(device_name, if_name, off_segment | mine)

    def _enter(
        self,
        key: tuple[str, str, Translation],
        packets: PacketSet,
        result: ReachResult,
        visited: _Visited,
        enqueue: Enqueue,
        deliver: Deliver,
        route_later: RouteLater,
        untranslated: bool = False,
        arrival: Owner | None = None,
        egress: str | None = None,
        egress_rule: Source | None = None,
    ) -> None:
        """`arrival`: the twice NAT rule that matched the packets on arrival (see nat.py);
        `egress`: the interface the NAT line `egress_rule` makes them leave by (None: the route lookup)."""
        device_name, if_name, translation = key
        result.work += 1
        result.entered.add(device_name)
        if translation:
            result.translated_into.add(device_name)
        device = self.network.devices[device_name]
        interface = device.interfaces[if_name]
        if not accepts(interface):
            return
        between = device.nat_between_filters and bool(device.nat_rules)
        if between and not untranslated:
            # The inbound filter sees the packet as it arrives, before un-translation.
            packets = self._admitted(device_name, if_name, packets, translation)
        if device.nat_rules and not untranslated:
            # Static NAT: a packet to a mapped address continues as one to the real address.
            for step in inbound_steps(device, interface, self.routing):
                matched = packets & self.pre(translation, step_set(self.space, step))
                if matched != self.space.false:
                    if not step.alternative:
                        packets &= ~matched
                    self._enter(
                        (device_name, if_name, compose(translation, step.rewrites)),
                        matched,
                        result,
                        visited,
                        enqueue,
                        deliver,
                        route_later,
                        untranslated=True,
                        arrival=step.owner,
                        egress=step.egress,
                        egress_rule=step.rule,
                    )
        pre = self.pre
        local = pre(translation, self.table_addresses(device_name, if_name))
        if device.to_the_box is ToTheBox.ARRIVAL_ONLY:
            # Its other addresses do not answer at all, not even to be refused by the state check.
            packets &= ~local | pre(translation, self.interface_addresses(device_name, if_name))
        if not between:
            packets = self._admitted(device_name, if_name, packets, translation)
        if self._checks_seen(device, interface):
            already = visited.seen.get(key)
            new = packets if already is None else packets & ~already
            if new == self.space.false:
                return
            visited.seen[key] = new if already is None else already | new
        elif packets == self.space.false:
            return
        else:
            new = packets
        if device_name not in result.witnesses:
            result.witnesses[device_name] = self._witness(new)
        if self.record_arrivals:
            arrived = result.arrivals.get((device_name, if_name), self.space.false)
            result.arrivals[(device_name, if_name)] = arrived | new
        # The state check drops replies to connections the device never saw, to itself included.
        mine = new & local
        to_box = mine & ~self.space.tcp_established() if device.stateful else mine
        deliver(Endpoint("device", device=device_name, translation=translation), to_box)
        if not translation and mine == self.space.false:
            # Nothing for the device: taking its addresses out would rebuild `new` unchanged.
            forwarded = new
        else:
            # pre(~local), not ~pre(local): after a rewrite to a pool both may hold.
            not_local = pre(translation, ~self.table_addresses(device_name, if_name)) if translation else ~local
            forwarded = new & not_local
        if self._relaying(device_name):
            # A reply to a relay interface of another table arrives here as forwarded (relay.py).
            replies = to_box | forwarded if forwards(interface) else to_box
            self._relay(device_name, if_name, forwarded, replies, translation, enqueue, deliver)
        if interface.multicast and forwards(interface) and multicasting(device):
            self._multicast(device_name, if_name, forwarded, translation, enqueue, deliver)
        if forwarded == self.space.false or not forwards(interface):
            return
        if self._routes_later(device, interface):
            vrf = interface.vrf
            peer = self._stub_link(device_name, if_name)
            if peer is not None and (device_name, if_name) not in visited.injected:
                # Packets from the only neighbour of a stub: delivered here at once, never sent back
                # (the neighbour routed them already) and without the large differences against
                # what this device routed before (see `_stub_link`).
                self._route(device_name, "", forwarded, translation, _except(peer, enqueue), deliver, None, vrf=vrf)
                return
            routed_key = (device_name, vrf, translation)
            if (device_name, translation) in visited.to_route:
                # A pass is pending: it routes once whatever arrives before it, so the check
                # against what was routed waits for it (one difference instead of one an arrival).
                visited.unchecked.add(routed_key)
            else:
                # No pass pending: only packets not routed yet may queue one.
                done = visited.routed.get(routed_key)
                if done is not None:
                    forwarded &= ~done
                    if forwarded == self.space.false:
                        return
            # Its forwarding depends neither on the arrival interface nor on a NAT rule.
            route_later(device_name, vrf, forwarded, translation)
            return
        self._route(device_name, if_name, forwarded, translation, enqueue, deliver, arrival, egress, egress_rule)

    def _checks_seen(self, device: Device, interface: Interface) -> bool:
        """Whether arrivals by `interface` are checked against what entered by it before. Not on
        a device that routes later and neither relays nor forwards multicast: its routing pass
        takes out what it routed before (`_Visited.routed`), and delivering to the box again adds
        nothing; a large difference and a large union less on every re-entry."""
        return not (
            forwards(interface)
            and self._routes_later(device, interface)
            and not self._relaying(device.name)
            and not (interface.multicast and multicasting(device))
        )

    def _stub_link(self, device_name: str, if_name: str) -> tuple[str, str] | None:
        """The neighbour (device, interface) at the other end of `if_name` when the device is a
        stub behind it: the link is a segment of the two of them without hosts, the neighbour
        routes everything it forwards in routing passes of one table (`_routes_later` on every
        interface, no VRF, no relay, no multicast), and every other interface of this device
        leads to hosts or out of the network only. Packets such a device receives by `if_name`
        the neighbour routed already, so sending them back would add nothing there; and this
        device can hand them on to nobody else: it may deliver them at once."""
        key = (device_name, if_name)
        if key not in self._stub_links:
            self._stub_links[key] = self._find_stub_link(device_name, if_name)
        return self._stub_links[key]

    def _find_stub_link(self, device_name: str, if_name: str) -> tuple[str, str] | None:
        network = self.network
        segment_id = network.segment_of.get((device_name, if_name))
        if (device_name, if_name) in self.boundary or segment_id is None:
            return None
        link = network.segments[segment_id]
        others = [member for member in link.members if member[0] != device_name]
        if link.holds_hosts or len(others) != 1 or len(link.members) != 2:
            return None
        if not (self._passes_only(device_name) and self._passes_only(others[0][0])):
            return None
        for name in network.devices[device_name].interfaces:
            segment = network.segment_of.get((device_name, name))
            if name == if_name or (device_name, name) in self.boundary or segment is None:
                continue
            if any(member[0] != device_name for member in network.segments[segment].members):
                return None
        return others[0]

    def _passes_only(self, device_name: str) -> bool:
        """Whether the device forwards only in routing passes of its one table. Once per device:
        a core switch is every access switch's neighbour, and has hundreds of interfaces."""
        known = self._passing.get(device_name)
        if known is None:
            known = self._passing[device_name] = self._find_passes_only(device_name)
        return known

    def _find_passes_only(self, device_name: str) -> bool:
        device = self.network.devices[device_name]
        return (
            not self._relaying(device_name)
            and not multicasting(device)
            and all(
                self._routes_later(device, interface) and not interface.vrf for interface in device.interfaces.values()
            )
        )

    @staticmethod
    def _routes_later(device: Device, interface: Interface) -> bool:
        """Whether what the device forwards from `interface` is routed in one pass with what
        its other interfaces received (`route_later`): its forwarding depends neither on the
        arrival interface nor on a NAT rule."""
        return not decides_per_pair(device) and not device.nat_rules and interface.policy_route is None

    def relay_requests(self, device_name: str, if_name: str, port: int) -> PacketSet:
        """UDP broadcasts to `port` the device relays when they arrive by `if_name` (relay.py)."""
        key = (device_name, if_name, port)
        if key not in self._relay_requests:
            self._relay_requests[key] = self._relay_request_set(device_name, if_name, port)
        return self._relay_requests[key]

    def _relay_request_set(self, device_name: str, if_name: str, port: int) -> PacketSet:
        device = self.network.devices[device_name]
        interface = device.interfaces[if_name]
        if port not in device.relayed_udp_ports or not relays(interface) or not forwards(interface):
            return self.space.false
        broadcasts = self.space.false
        for address in broadcast_addresses(interface):
            broadcasts |= self.space.field_equals("dst", address)
        return broadcasts & self.space.protocol(17) & self.space.field_equals("dport", port)

    def _relaying(self, device_name: str) -> bool:
        known = self._relaying_devices.get(device_name)
        if known is None:
            known = self._relaying_devices[device_name] = relaying(self.network.devices[device_name])
        return known

    def relay_broadcasts(self, device_name: str, if_name: str) -> PacketSet:
        result = self.space.false
        for port in self.network.devices[device_name].relayed_udp_ports:
            result |= self.relay_requests(device_name, if_name, port)
        return result

    def relay_hops(self, device_name: str, if_name: str, target: RelayTarget) -> tuple[NextHop, ...]:
        """Where the device sends a request arriving by `if_name` that it relays to `target`:
        looked up in the table `relay_table` picks (relay.py)."""
        if not self.routing:
            return tuple(self.any_neighbour_hops(device_name))
        table = relay_table(self.network.devices[device_name].interfaces[if_name], target)
        return self.fibs.of(device_name, table).lookup(target.address)

    def _relay(
        self,
        device_name: str,
        if_name: str,
        arrived: PacketSet,
        to_box: PacketSet,
        translation: Translation,
        enqueue: Enqueue,
        deliver: Deliver,
    ) -> None:
        """Relay requests arriving by `if_name` to their servers, and server replies the
        device received to the clients of the interface they name (relay.py)."""
        device = self.network.devices[device_name]
        interface = device.interfaces[if_name]
        for port in device.relayed_udp_ports:
            requests = arrived & self.pre(translation, self.relay_requests(device_name, if_name, port))
            if requests == self.space.false:
                continue
            for target in interface.relay_targets:
                for rewrites in request_rewrites(interface, target, port):
                    relayed = compose(translation, rewrites)
                    for hop in self.relay_hops(device_name, if_name, target):
                        out = device.interfaces.get(hop.interface)
                        if not hop.discard and out is not None and forwards(out):
                            self._hand_over(device_name, hop.interface, hop, requests, relayed, enqueue, deliver)
        replies = to_box & self.pre(
            translation, self.space.protocol(17) & self.space.field_equals("dport", DHCP_SERVER_PORT)
        )
        if replies == self.space.false:
            return
        for name in sorted(device.interfaces):
            if takes_reply(interface, device.interfaces[name]):
                self._relay_replies(device_name, name, replies, translation, deliver)

    def _relay_replies(
        self, device_name: str, if_name: str, replies: PacketSet, translation: Translation, deliver: Deliver
    ) -> None:
        device = self.network.devices[device_name]
        interface = device.interfaces[if_name]
        if not relays(interface) or not forwards(interface):
            return
        for address in interface.addresses:
            answered = replies & self.pre(translation, self.space.field_equals("dst", address.address))
            if answered == self.space.false:
                continue
            segment_id = self.network.segment_of.get((device_name, if_name))
            if (device_name, if_name) in self.boundary or segment_id is None:
                rewrites = reply_rewrites(interface, address.address, address.address)
                endpoint = Endpoint(
                    "exit", device=device_name, interface=if_name, translation=compose(translation, rewrites)
                )
                deliver(endpoint, answered)
                continue
            segment = self.network.segments[segment_id]
            client = reply_client(segment)
            if client is not None:
                relayed = compose(translation, reply_rewrites(interface, address.address, client))
                deliver(Endpoint("hosts", segment=segment.id, translation=relayed), answered)

    def _multicast(
        self,
        device_name: str,
        if_name: str,
        arrived: PacketSet,
        translation: Translation,
        enqueue: Enqueue,
        deliver: Deliver,
    ) -> None:
        """Group packets admitted on multicast interface `if_name` leave by every other one,
        past its filters (multicast.py)."""
        groups = arrived & self.pre(translation, self.space.field_prefix("dst", *GROUPS))
        if groups == self.space.false:
            return
        device = self.network.devices[device_name]
        for out in sorted(device.interfaces):
            interface = device.interfaces[out]
            if out == if_name or not interface.multicast or not forwards(interface):
                continue
            if decides_per_pair(device):
                passed = self._through_pair(device_name, if_name, out, groups, translation)
            else:
                out_filter = self._filters(translation).interface_filter(device_name, out, "out")
                passed = groups & self.pre(translation, out_filter)
            if passed != self.space.false:
                self._multicast_out(device_name, out, passed, translation, enqueue, deliver)

    def _multicast_out(
        self,
        device_name: str,
        out: str,
        packets: PacketSet,
        translation: Translation,
        enqueue: Enqueue,
        deliver: Deliver,
    ) -> None:
        """Group packets on the segment of `out`: to its hosts and its other multicast routers."""
        segment_id = self.network.segment_of.get((device_name, out))
        if (device_name, out) in self.boundary or segment_id is None:
            deliver(Endpoint("exit", device=device_name, interface=out, translation=translation), packets)
            return
        segment = self.network.segments[segment_id]
        client = reply_client(segment)
        if client is not None:
            received = compose(translation, delivered_to(client))
            deliver(Endpoint("hosts", segment=segment.id, translation=received), packets)
        for member in segment.members:
            if member != (device_name, out) and self.network.devices[member[0]].interfaces[member[1]].multicast:
                enqueue(member[0], member[1], packets, translation)

    def _witness(self, packets: PacketSet) -> PacketSet:
        """One packet of the non-empty `packets`, as a set: the least one, the same on every engine."""
        packet = self.space.pick(packets)
        return packets if packet is None else self.space.packet(packet) & packets

    def _admitted(self, device_name: str, if_name: str, packets: PacketSet, translation: Translation) -> PacketSet:
        """What passes the entry of `if_name`: new connections its filters may let through
        (`entry_filter`) to other addresses than the device's, to the box what `box_filter`
        says, and with stateful inspection every TCP ACK/RST (checked against the reverse
        connection on the way out, dropped at the box)."""
        device = self.network.devices[device_name]
        admission = self._filters(translation).admission(device_name, if_name)
        if not device.stateful:
            return self._restricted(packets, translation, admission)
        entry = self.pre(translation, admission)
        established = self.space.tcp_established()
        return (packets & ~established & entry) | (packets & established)

    def _restricted(self, packets: PacketSet, translation: Translation, allowed: PacketSet) -> PacketSet:
        """`packets & pre(translation, allowed)`. Every set the search carries lies within
        `valid` (`reach` cuts what it injects to it; the search only intersects, subtracts and
        unites), so an untranslated `valid`, what an interface without a filter passes, takes
        nothing away: skipped, it costs no walk over a large set."""
        if not translation and allowed == self.space.valid:
            return packets
        return packets & self.pre(translation, allowed)

    def _route(
        self,
        device_name: str,
        if_name: str,
        forwarded: PacketSet,
        translation: Translation,
        enqueue: Enqueue,
        deliver: Deliver,
        arrival: Owner | None,
        egress: str | None = None,
        egress_rule: Source | None = None,
        vrf: str | None = None,
    ) -> None:
        """Send packets the device forwards (past its ingress filter) to their next hops.
        `if_name`: the arrival interface ("" for a stateless device without NAT, whose
        forwarding does not depend on it); `vrf`: the table they are routed in (None: the
        arrival interface's)."""
        device = self.network.devices[device_name]
        pre = self.pre
        if vrf is None:
            vrf = self.vrf_of(device_name, if_name) if if_name else ""
        if not self.routing:
            for hop in self.any_neighbour_hops(device_name):
                self._send(device_name, if_name, hop, forwarded, translation, enqueue, deliver, arrival)
            return
        out = egress if egress in device.interfaces else None
        if out is None and if_name:
            forwarded = self._policy_routed(device_name, if_name, forwarded, translation, enqueue, deliver, arrival)
            if forwarded == self.space.false:
                return
        if out is not None:
            rule = egress_rule or Source(device.source_file, 0, "")
            regions = self.egress_regions(device_name, out, rule, vrf)
        elif self._in_region is not None and not translation:
            regions = self.fib_regions_within(self._in_region, device_name, vrf)
        else:
            regions = self.fib_regions(device_name, vrf)
        for region, next_hops in regions:
            routed = forwarded & pre(translation, region)
            if routed == self.space.false:
                continue
            for hop in next_hops:
                self._send(device_name, if_name, hop, routed, translation, enqueue, deliver, arrival)
        if out is not None:
            return
        for hop in self.fibs.of(device_name, vrf).dynamic:
            self._send(device_name, if_name, hop, forwarded, translation, enqueue, deliver, arrival)

    def _policy_routed(
        self,
        device_name: str,
        if_name: str,
        forwarded: PacketSet,
        translation: Translation,
        enqueue: Enqueue,
        deliver: Deliver,
        arrival: Owner | None,
    ) -> PacketSet:
        """Sends what the arrival interface's policy routing decides (reach/pbr.py); returns
        the packets left to normal routing (all of them without a policy route)."""
        interface = self.network.devices[device_name].interfaces[if_name]
        if interface.policy_route is None:
            return forwarded
        chosen, normal = self._filters(translation).policy_regions(device_name, interface.policy_route, interface.vrf)
        for region, hops in chosen:
            routed = forwarded & self.pre(translation, region)
            if routed == self.space.false:
                continue
            for hop in hops:
                self._send(device_name, if_name, hop, routed, translation, enqueue, deliver, arrival)
        return forwarded & self.pre(translation, normal)

    def policy_regions(
        self, device_name: str, name: str, vrf: str = ""
    ) -> tuple[list[tuple[PacketSet, tuple[NextHop, ...]]], PacketSet]:
        """The packets each entry of the policy route `name` sends to its hops, and those
        left to normal routing. A set may hold packets of both: an undefined ACL may match
        or not, `verify` and dynamic routing keep normal routing possible. `vrf`: the table
        of the arrival interface (next hops and explicit routes are looked up there)."""
        key = (device_name, name, vrf)
        if key not in self._policy_routes:
            self._policy_routes[key] = self._policy_sets(device_name, name, vrf)
        return self._policy_routes[key]

    def _policy_sets(
        self, device_name: str, name: str, vrf: str
    ) -> tuple[list[tuple[PacketSet, tuple[NextHop, ...]]], PacketSet]:
        device = self.network.devices[device_name]
        table = device.policy_routes.get(name)
        if table is None:
            return [], self.space.valid
        remaining, normal = self.space.valid, self.space.false
        chosen: list[tuple[PacketSet, tuple[NextHop, ...]]] = []
        for entry in table.ordered():
            defined, undefined = matched_acls(device, entry)
            sure = self.space.valid if entry.match_acls is None else self.space.false
            for acl_name in defined:
                sure |= self._filter_set(device, device.acls[acl_name])
            hit = remaining if undefined else remaining & sure
            remaining &= ~sure
            if hit == self.space.false:
                continue
            choice = entry_choice(device, entry, vrf)
            if choice.default:
                explicit = self.explicit_destinations(device_name, vrf)
                normal |= hit & explicit
                hit &= ~explicit
            if not choice.hops or choice.normal_too:
                normal |= hit
            if choice.hops and hit != self.space.false:
                chosen.append((hit, choice.hops))
        return chosen, normal | remaining

    def explicit_destinations(self, device_name: str, vrf: str = "") -> PacketSet:
        """Packets to a destination the device has an installed route for, other than a
        default route (what `set ip default next-hop` defers to)."""
        result = self.space.false
        for entry in self.fibs.of(device_name, vrf).entries:
            if entry.length > 0:
                result |= self.space.field_prefix("dst", entry.network, entry.length)
        return result

    def _send(
        self,
        device_name: str,
        in_if: str,
        hop: NextHop,
        packets: PacketSet,
        translation: Translation,
        enqueue: Enqueue,
        deliver: Deliver,
        arrival: Owner | None = None,
    ) -> None:
        if hop.discard:
            return
        out = hop.interface
        device = self.network.devices[device_name]
        interface = device.interfaces.get(out)
        if interface is None or not forwards(interface):
            return
        if device.nat_between_filters and device.nat_rules and not decides_per_pair(device):
            # The outbound filter sees the packet as it leaves, after translation.
            for piece, rewritten in self._translated_out(device_name, in_if, out, packets, translation, arrival):
                piece &= self.pre(rewritten, self._filters(rewritten).interface_filter(device_name, out, "out"))
                self._hand_over(device_name, out, hop, piece, rewritten, enqueue, deliver)
            return
        if decides_per_pair(device):
            packets = self._through_pair(device_name, in_if, out, packets, translation)
        else:
            out_filter = self._filters(translation).interface_filter(device_name, out, "out")
            packets = self._restricted(packets, translation, out_filter)
        if packets == self.space.false:
            return
        if device.nat_rules:
            for piece, rewritten in self._translated_out(device_name, in_if, out, packets, translation, arrival):
                self._hand_over(device_name, out, hop, piece, rewritten, enqueue, deliver)
            return
        self._hand_over(device_name, out, hop, packets, translation, enqueue, deliver)

    def _translated_out(
        self,
        device_name: str,
        in_if: str,
        out: str,
        packets: PacketSet,
        translation: Translation,
        arrival: Owner | None,
    ) -> list[tuple[PacketSet, Translation]]:
        """The packets leaving `out` split by their rewrites: first the late un-translations
        (nat.late_steps), then on each part the first source translation that matches."""
        device = self.network.devices[device_name]
        in_interface, out_interface = device.interfaces[in_if], device.interfaces[out]
        result = []
        for part, rewritten in self._split(
            packets, translation, late_steps(device, in_interface, out_interface, self.routing)
        ):
            result.extend(self._split(part, rewritten, outbound_steps(device, in_interface, out_interface, arrival)))
        return result

    def _split(
        self, packets: PacketSet, translation: Translation, steps: list[NatStep]
    ) -> list[tuple[PacketSet, Translation]]:
        """`packets` by the first step that matches them (an `alternative` step's packets go
        on untranslated too); the rest unchanged."""
        result = []
        for step in steps:
            matched = packets & self.pre(translation, step_set(self.space, step))
            if matched != self.space.false:
                result.append((matched, compose(translation, step.rewrites)))
                if not step.alternative:
                    packets &= ~matched
        if packets != self.space.false:
            result.append((packets, translation))
        return result

    def _hand_over(
        self,
        device_name: str,
        out: str,
        hop: NextHop,
        packets: PacketSet,
        translation: Translation,
        enqueue: Enqueue,
        deliver: Deliver,
    ) -> None:
        """Packets leave `out`: to the next device, the segment's hosts, or out of the network."""
        if packets == self.space.false:
            return
        pre = self.pre
        exit_endpoint = Endpoint("exit", device=device_name, interface=out, translation=translation)
        hosts = Endpoint("hosts", segment="", translation=translation)
        segment_id = self.network.segment_of.get((device_name, out))
        if (device_name, out) in self.boundary or segment_id is None:
            deliver(exit_endpoint, packets)
            return
        segment = self.network.segments[segment_id]
        hosts = Endpoint("hosts", segment=segment.id, translation=translation)
        if hop.address is not None:
            owners = self.owners(segment, hop.address, exclude=(device_name, out))
            if not owners:
                deliver(exit_endpoint, packets)
            for owner in owners:
                enqueue(owner[0], owner[1], packets, translation)
            return
        if hop.dynamic is not None:
            deliver(exit_endpoint, packets)
            return
        on_segment = packets & pre(translation, self.segment_destinations(segment))
        if hop.any_neighbour:
            deliver(hosts, packets & pre(translation, self._to_hosts_or_reserved(segment)))
            for member in self.routing_members(segment):
                if member != (device_name, out):
                    enqueue(member[0], member[1], packets, translation)
            return
        for member in segment.members:
            if member != (device_name, out):
                enqueue(
                    member[0], member[1], on_segment & pre(translation, self.interface_addresses(*member)), translation
                )
        deliver(hosts, packets & pre(translation, self._to_hosts_or_reserved(segment)))
        off_segment = packets & ~on_segment
        if off_segment != self.space.false:
            # An interface route to a destination off the subnet: whoever answers ARP
            # (proxy ARP) gets it — any member, or an unmodelled neighbour.
            deliver(exit_endpoint, off_segment)
            for member in self.routing_members(segment):
                if member != (device_name, out):
                    enqueue(member[0], member[1], off_segment, translation)

    def any_neighbour_hops(self, device_name: str) -> list[NextHop]:
        device = self.network.devices[device_name]
        route = Route(prefix=0, prefix_length=0, kind=RouteKind.STATIC, source=Source(device.source_file, 0, ""))
        return [
            NextHop(route=route, interface=name, any_neighbour=True)
            for name in sorted(device.interfaces)
            if forwards(device.interfaces[name])
            and ((device_name, name) in self.boundary or (device_name, name) in self.network.segment_of)
        ]

    def route_region(self, device_name: str, dst: int) -> PacketSet:
        """The destination region of the FIB entry that `dst` falls in on the device."""
        for region, _ in self.fib_regions(device_name):
            if region & self.space.field_equals("dst", dst) != self.space.false:
                return region
        return self.space.valid


def _without_filters(compiled: Compiled) -> Compiled:
    """`compiled`'s sets that do not depend on any filter (shared), and none of those that do."""
    return replace(
        compiled,
        acl_in={},
        acl_out={},
        entry={},
        box={},
        admission={},
        policies={},
        sessions={},
        replies={},
    )


def boundary_interfaces(network: Network) -> set[tuple[str, str]]:
    """Interfaces beyond which the modelled network ends: upstreams and external link attaches."""
    result: set[tuple[str, str]] = set()
    for zone in network.topology.zones:
        for ref in zone.upstream:
            result.add(network.interface_ref(ref))
    for peer in network.topology.external_peers:
        result.add(network.interface_ref(peer.attach))
    return result
