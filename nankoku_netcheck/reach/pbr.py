"""Policy routing (`Interface.policy_route`, `Device.policy_routes`): what an entry chooses.

The semantics (model.PolicyRouteEntry is the contract; the test oracle implements them on
its own). A packet forwarded by a device (past the ingress filter, not addressed to the
device) that arrived on an interface with a policy route:

1. The table's entries are tried in sequence order. An entry matches when it has no match
   clause or one of its ACLs permits the packet; an ACL the device does not define may
   match or not, and both outcomes are followed (Cisco does not document the case; both is
   the over-approximation). The first matching entry decides; no match: normal routing.
2. A deny entry: normal routing. A permit entry chooses as `entry_choice` says, checking
   each clause in Cisco's order (set ip next-hop, set interface, set ip default next-hop,
   set default interface): the first usable next hop (an address inside a connected subnet
   of an up interface of the arrival interface's table (VRF) that forwards through
   traffic), the first usable interface (of any table: the documentation does not restrict
   it; one of kind "null" discards the packet). With `verify` (`set ip next-hop
   verify-availability`, tracked next hops) availability is decided at run time: every
   usable listed next hop, and normal routing as well. A default clause applies only to
   destinations without an explicit route (an installed route of prefix length > 0 in the
   arrival interface's table: a default route does not count);
   with dynamic routing any destination may have one, and normal routing applies as well.
   No usable clause: normal routing.
3. The chosen hops send the packet on as a route's would, its filters applied (outbound ACL,
   the device's policy): out of the interface to the next hop's owner, or for an interface
   choice towards the packet's own destination.

The engine and the tracer share this module (as they share the forwarding table); the ACL
matching they apply to it is their own (BDDs vs. a first-match walk).
"""

from __future__ import annotations

from dataclasses import dataclass

from ..model import Device, PolicyRouteEntry, Route, RouteKind, prefix_mask
from .fib import NextHop
from .filters import forwards

NEXT_HOP = "next-hop"
INTERFACE = "interface"
DEFAULT_NEXT_HOP = "default next-hop"
DEFAULT_INTERFACE = "default interface"


@dataclass(frozen=True)
class EntryChoice:
    """Where a matching permit entry sends packets. `hops` empty: normal routing only.
    `normal_too`: normal routing applies besides `hops`; `default`: `hops` apply only to
    destinations without an explicit route (normal routing to the others)."""

    hops: tuple[NextHop, ...] = ()
    normal_too: bool = False
    default: bool = False


def entry_choice(device: Device, entry: PolicyRouteEntry, vrf: str = "") -> EntryChoice:
    """The choice of a matching entry for a packet that arrived in table `vrf` (see the
    module docstring)."""
    if not entry.permit:
        return EntryChoice()
    usable = [
        hops for hops in (_next_hop(device, address, entry, NEXT_HOP, vrf) for address in entry.next_hops) if hops
    ]
    if usable and entry.verify:
        return EntryChoice(tuple(hop for hops in usable for hop in hops), normal_too=True)
    if usable:
        return EntryChoice(usable[0])
    for name in entry.interfaces:
        if _usable_interface(device, name):
            return EntryChoice((_interface_hop(device, name, entry, INTERFACE),))
    for address in entry.default_next_hops:
        hops = _next_hop(device, address, entry, DEFAULT_NEXT_HOP, vrf)
        if hops:
            return EntryChoice(hops, normal_too=bool(device.dynamic_routing), default=True)
    for name in entry.default_interfaces:
        if _usable_interface(device, name):
            hop = _interface_hop(device, name, entry, DEFAULT_INTERFACE)
            return EntryChoice((hop,), normal_too=bool(device.dynamic_routing), default=True)
    return EntryChoice()


def _usable_interface(device: Device, name: str) -> bool:
    interface = device.interfaces.get(name)
    return interface is not None and forwards(interface)


def _next_hop(device: Device, address: int, entry: PolicyRouteEntry, kind: str, vrf: str) -> tuple[NextHop, ...]:
    """The hops to `address` when it lies in a connected subnet of an up interface of table
    `vrf` that forwards (one per such interface, in name order); () when it is not usable."""
    source = entry.set_source(kind)
    hops = []
    for name in sorted(device.interfaces):
        interface = device.interfaces[name]
        if not forwards(interface) or interface.vrf != vrf:
            continue
        if any(address & prefix_mask(a.prefix_length) == a.network for a in interface.addresses):
            route = Route(address, 32, RouteKind.STATIC, source, next_hop=address, interface=name, chosen_by=_by(entry))
            hops.append(NextHop(route=route, interface=name, address=address))
    return tuple(hops)


def _interface_hop(device: Device, name: str, entry: PolicyRouteEntry, kind: str) -> NextHop:
    """Out of `name` towards the packet's destination; a null interface discards it."""
    discard = device.interfaces[name].kind == "null"
    route = Route(0, 0, RouteKind.STATIC, entry.set_source(kind), interface=name, discard=discard, chosen_by=_by(entry))
    return NextHop(route=route, discard=True) if discard else NextHop(route=route, interface=name)


def _by(entry: PolicyRouteEntry) -> str:
    """The entry as paths name it: its own line as written (`route-map PBR permit 10`)."""
    return " ".join(entry.source.text.split())


def matched_acls(device: Device, entry: PolicyRouteEntry) -> tuple[tuple[str, ...], bool]:
    """The entry's ACL names that the device defines, and whether one it names is undefined
    (then the entry may match any packet, or not)."""
    if entry.match_acls is None:
        return (), False
    defined = tuple(name for name in entry.match_acls if name in device.acls)
    return defined, len(defined) < len(entry.match_acls)
