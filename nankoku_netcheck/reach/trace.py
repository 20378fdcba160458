"""Concrete tracing of one packet, hop by hop, with the lines that decided.

It walks the same forwarding tables as the symbolic engine but evaluates ACLs with a
plain first-match loop over the parsed lines. Every counterexample the engine reports
is replayed here: the replay names the deciding lines and re-checks the symbolic result.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field, replace

from ..graph import Network, is_up
from ..model import (
    PROTO_ICMP,
    PROTO_TCP,
    PROTO_UDP,
    TO_THE_DEVICE,
    Acl,
    AclLine,
    Action,
    Device,
    Match,
    PolicyRouteEntry,
    PolicyRule,
    Source,
    ToTheBox,
    format_prefix,
    int_to_ip,
    prefix_mask,
)
from ..redact import redact
from .engine import Endpoint, ReachEngine, Start
from .fib import Fib, NextHop
from .filters import (
    accepts,
    applicable_rules,
    decides_per_pair,
    egress_acl,
    forwards,
    ingress_acl,
    permits_everything_when_empty,
    policy_list,
)
from .multicast import delivered_to, is_group
from .nat import (
    Owner,
    Rewrite,
    Translation,
    compose,
    inbound_steps,
    late_steps,
    new_rewrites,
    outbound_steps,
    step_matches,
)
from .packets import Packet, counts_as_match
from .pbr import entry_choice, matched_acls
from .relay import (
    DHCP_SERVER_PORT,
    broadcast_addresses,
    relay_reason,
    relays,
    reply_client,
    reply_rewrites,
    request_rewrites,
    takes_reply,
)


@dataclass(frozen=True)
class AclDecision:
    """How one ACL (or its absence) decided a packet."""

    acl_name: str | None
    permitted: bool
    line: AclLine | None = None  # deciding line; None with an ACL = implicit deny
    line_index: int | None = None
    undefined: bool = False  # referenced but not defined (IOS: permits everything)
    empty: bool = False  # defined with no entries: permits everything
    reason: str = ""  # firewall semantics that decided instead of (or besides) a line
    acl: Acl | None = None  # the list evaluated (for a policy: the lines of the rules that apply)
    rule: PolicyRule | None = None  # the policy rule whose line decided
    evaluated: tuple[str, ...] = ()  # named ACLs the policy's list holds


@dataclass(frozen=True)
class Hop:
    device: str
    in_interface: str
    ingress: AclDecision
    out_interface: str = ""
    next_hop: NextHop | None = None
    egress: AclDecision | None = None
    translation: Translation = ()  # NAT rewrites applied before this hop's decisions
    # With NAT between the filters (Device.nat_between_filters): the rewrites the ingress
    # decision saw (before un-translation) and those the egress decision saw (after the
    # translation on the way out); None: `translation`.
    ingress_translation: Translation | None = None
    egress_translation: Translation | None = None


@dataclass(frozen=True)
class TracePath:
    hops: tuple[Hop, ...]
    # delivered | denied-in | denied-out | no-route | null-routed | loop | no-host (to an address on a
    # segment that is no host's and no device's: a network or broadcast address)
    disposition: str
    endpoint: Endpoint | None = None


def match_packet(match: Match, packet: Packet) -> bool:
    if match.protocols is not None and packet.proto not in match.protocols:
        return False
    if match.src is not None and not any(w.matches(packet.src) for w in match.src):
        return False
    if match.dst is not None and not any(w.matches(packet.dst) for w in match.dst):
        return False
    has_ports = packet.proto in (PROTO_TCP, PROTO_UDP)
    if match.src_ports is not None and not (has_ports and any(r.contains(packet.sport) for r in match.src_ports)):
        return False
    if match.dst_ports is not None and not (has_ports and any(r.contains(packet.dport) for r in match.dst_ports)):
        return False
    if match.established and not (packet.proto == PROTO_TCP and packet.established):
        return False
    if match.icmp is not None:
        if packet.proto != PROTO_ICMP:
            return False
        return any(
            entry.icmp_type == packet.icmp_type and (entry.code is None or entry.code == packet.icmp_code)
            for entry in match.icmp
        )
    return True


def evaluate_acl(acl: Acl, packet: Packet) -> tuple[bool, int | None]:
    """(permitted, index of the deciding line or None for the implicit deny)."""
    for index, line in enumerate(acl.lines):
        if counts_as_match(line) and any(match_packet(m, packet) for m in line.matches):
            return line.action is Action.PERMIT, index
    return False, None


class Tracer:
    """Follows single packets through a network, on every equal-cost branch."""

    def __init__(self, engine: ReachEngine, max_paths: int = 64, budget: int | None = None) -> None:
        """`budget`: devices one `trace` may step through (default: the engine's budget)."""
        self.engine = engine
        self.network: Network = engine.network
        self.max_paths = max_paths
        self.budget = budget if budget is not None else engine.budget
        # The last `trace`: work spent, and whether it stopped on the budget (its paths are
        # then only some of the packet's paths).
        self.work = 0
        self.exhausted = False

    def decide(self, device_name: str, if_name: str, direction: str, packet: Packet) -> AclDecision:
        """The interface ACL's decision in `direction`."""
        device = self.network.devices[device_name]
        chosen = ingress_acl(device, if_name) if direction == "in" else egress_acl(device, if_name)
        if chosen is None:
            return AclDecision(None, True)
        if isinstance(chosen, str):
            return AclDecision(chosen, device.undefined_acl_permits, undefined=True)
        if permits_everything_when_empty(chosen):
            return AclDecision(chosen.name, True, empty=True, acl=chosen)
        permitted, index = evaluate_acl(chosen, packet)
        return AclDecision(
            chosen.name, permitted, chosen.lines[index] if index is not None else None, index, acl=chosen
        )

    def decide_policy(self, device_name: str, in_if: str, out_if: str, packet: Packet) -> AclDecision | None:
        """The policy's decision from `in_if` to `out_if`; None when the device has none."""
        device = self.network.devices[device_name]
        if device.policy is None:
            return None
        listed = policy_list(device, applicable_rules(device, in_if, out_if))
        evaluated = tuple(dict.fromkeys(rule.acl for rule in listed.owners if rule.acl is not None))
        permitted, index = evaluate_acl(listed.acl, packet)
        if index is not None:
            rule = listed.owners[index]
            return AclDecision(
                rule.acl or rule.name,
                permitted,
                listed.acl.lines[index],
                index,
                acl=listed.acl,
                rule=rule,
                evaluated=evaluated,
            )
        reason = "" if listed.acl.lines else f"no policy rule applies from {in_if} to {out_if}: implicit deny"
        return AclDecision("+".join(evaluated) or "policy", False, reason=reason, acl=listed.acl, evaluated=evaluated)

    def decide_connection(
        self, device_name: str, in_if: str, out_if: str, packet: Packet
    ) -> tuple[AclDecision, AclDecision | None, AclDecision]:
        """A new connection from `in_if` to `out_if`: the inbound ACL's, the policy's and the
        outbound ACL's decisions."""
        return (
            self.decide(device_name, in_if, "in", packet),
            self.decide_policy(device_name, in_if, out_if, packet),
            self.decide(device_name, out_if, "out", packet),
        )

    def decide_reply(self, device_name: str, in_if: str, out_if: str, packet: Packet) -> AclDecision:
        """A TCP ACK/RST on a stateful device: passes iff its reverse would pass as a new
        connection from `out_if` to `in_if`."""
        ingress, policy, egress = self.decide_connection(device_name, out_if, in_if, _reversed(packet))
        failed = next((d for d in (ingress, policy, egress) if d is not None and not d.permitted), None)
        shown = failed or (policy if policy is not None and policy.line is not None else ingress)
        permitted = failed is None
        return replace(
            shown,
            permitted=permitted,
            reason=(
                "reply of a connection permitted from " if permitted else "no connection could have been opened from "
            )
            + out_if,
        )

    def trace(self, start: Start, packet: Packet) -> list[TracePath]:
        paths: list[TracePath] = []
        self.work, self.exhausted = 0, False
        for device_name, if_name in self._first_devices(start, packet, paths.append):
            self._walk(device_name, if_name, packet, (), (), paths)
        return paths

    def _first_devices(
        self, start: Start, packet: Packet, on_delivery: Callable[[TracePath], None]
    ) -> list[tuple[str, str]]:
        if not start.segment:
            return [(start.device, start.interface)]
        segment = self.network.segments[start.segment]
        if segment.is_host_address(packet.dst):
            on_delivery(TracePath((), "delivered", Endpoint("hosts", segment=segment.id)))
        return [
            (device_name, if_name)
            for device_name, if_name in self.engine.routing_members(segment)
            if not segment.contains(packet.dst)
            or self._table_owns(device_name, if_name, packet.dst)
            or self._relayed_here(device_name, if_name, packet)
        ]

    def _relayed_here(self, device_name: str, if_name: str, packet: Packet) -> bool:
        """Whether `packet` is a broadcast the device relays when it arrives by `if_name` (relay.py)."""
        device = self.network.devices[device_name]
        interface = device.interfaces[if_name]
        return (
            packet.proto == PROTO_UDP
            and packet.dport in device.relayed_udp_ports
            and relays(interface)
            and forwards(interface)
            and packet.dst in broadcast_addresses(interface)
        )

    def _table_owns(self, device_name: str, if_name: str, address: int) -> bool:
        """Whether `address` is the device's own for a packet arriving by `if_name`: an
        address of an interface in the same table (VRF); in another VRF it is routed."""
        interfaces = self.network.devices[device_name].interfaces
        vrf = interfaces[if_name].vrf
        return any(
            self._interface_owns(device_name, name, address)
            for name, interface in interfaces.items()
            if interface.vrf == vrf
        )

    def _interface_owns(self, device_name: str, if_name: str, address: int) -> bool:
        interface = self.network.devices[device_name].interfaces[if_name]
        return is_up(interface) and (
            address in interface.virtual_addresses or any(a.address == address for a in interface.addresses)
        )

    def _walk(
        self,
        device_name: str,
        if_name: str,
        packet: Packet,
        translation: Translation,
        hops: tuple[Hop, ...],
        paths: list[TracePath],
        entered: frozenset[tuple[str, str, Packet]] = frozenset(),
    ) -> None:
        """`entered`: (device, in-interface, header) on the path so far. A loop is the same
        header entering the same interface again; NAT may bring a packet back with another
        header, which may lead elsewhere (as in the oracle)."""
        if len(paths) >= self.max_paths:
            return
        if self.work >= self.budget:
            # Distinct paths can be exponentially many even where the headers are few.
            self.exhausted = True
            return
        self.work += 1
        if (device_name, if_name, packet) in entered:
            paths.append(TracePath(hops, "loop"))
            return
        entered = entered | {(device_name, if_name, packet)}
        for branch in self._step(device_name, if_name, packet, translation, hops):
            if branch.terminal is not None:
                paths.append(branch.terminal)
            onward = packet if branch.packet is None else branch.packet
            for device, interface in branch.successors:
                self._walk(device, interface, onward, branch.translation, branch.hops, paths, entered)

    def shortest_path(self, start: Start, packet: Packet, wanted: Callable[[TracePath], bool]) -> TracePath | None:
        """Breadth-first: the shortest path of `packet` from `start` that `wanted` accepts.
        Visits each (device, in-interface, header) once, so it stays cheap where enumerating every
        path would not (routing ignored, meshes)."""
        found: list[TracePath] = []
        first = self._first_devices(start, packet, lambda path: found.append(path) if wanted(path) else None)
        if found:
            return found[0]
        queue: deque[tuple[str, str, Packet, Translation, tuple[Hop, ...]]] = deque(
            (device, interface, packet, (), ()) for device, interface in first
        )
        seen: set[tuple[str, str, Packet | None]] = {(device, interface, packet) for device, interface in first}
        while queue:
            device_name, if_name, current, translation, hops = queue.popleft()
            for branch in self._step(device_name, if_name, current, translation, hops):
                if branch.terminal is not None and wanted(branch.terminal):
                    return branch.terminal
                onward = current if branch.packet is None else branch.packet
                for successor in branch.successors:
                    # Keyed by header too: NAT may bring the packet back changed.
                    if (*successor, onward) not in seen:
                        seen.add((*successor, onward))
                        queue.append((*successor, onward, branch.translation, branch.hops))
        return None

    def _step(
        self, device_name: str, if_name: str, packet: Packet, translation: Translation, hops: tuple[Hop, ...]
    ) -> list[Branch]:
        """What happens to `packet` (its current header) entering a device: one branch per
        next hop, each with the hops so far, a finished path (delivered or dropped) if the
        branch ends, and the interfaces it enters next with the header it has then."""
        device = self.network.devices[device_name]
        interface = device.interfaces[if_name]
        if not accepts(interface):
            return []
        egress_rule = Source(device.source_file, 0, "")
        early: AclDecision | None = None
        if device.nat_between_filters and device.nat_rules and not (device.stateful and _is_reply(packet)):
            # The inbound filter sees the packet as it arrives, before un-translation.
            early = self.decide(device_name, if_name, "in", packet)
            if not early.permitted:
                stopped = Hop(device_name, if_name, early, translation=translation)
                return [Branch(hops, TracePath((*hops, stopped), "denied-in"))]
        if not device.nat_rules:
            return self._decide(device_name, if_name, packet, translation, hops, early, None, None, egress_rule)
        branches: list[Branch] = []
        for step in inbound_steps(device, interface, self.engine.routing):
            if not step_matches(step, packet):
                continue
            egress = step.egress if step.egress in device.interfaces else None
            rewritten = compose(translation, step.rewrites)
            for candidate in self._candidates(packet, step.rewrites):
                branches += self._decide(
                    device_name,
                    if_name,
                    candidate,
                    rewritten,
                    hops,
                    early,
                    step.owner,
                    egress,
                    step.rule or egress_rule,
                    translation,
                )
            if not step.alternative:
                return branches
        # No translation, or only a reply translation that may not exist for this packet.
        return branches + self._decide(device_name, if_name, packet, translation, hops, early, None, None, egress_rule)

    def _candidates(self, packet: Packet, rewrites: Translation) -> list[Packet]:
        """The headers the trace follows after `rewrites`: one per rewrite, except that an
        un-translation to a pool of real hosts (a reply to a dynamic translation) is followed
        to the first host address of the pool on each segment it covers, to each device
        address in the pool and to its first address on no segment."""
        pooled = [rewrite for rewrite in rewrites if rewrite.pool and rewrite.field == "dst"]
        if not pooled:
            return [_rewritten(packet, rewrites)]
        pool = pooled[-1]
        mask = prefix_mask(pool.length)
        found: list[int] = []
        for segment_id in sorted(self.network.segments):
            segment = self.network.segments[segment_id]
            for network, length in segment.subnets:
                low = max(network, pool.network & mask)
                high = min(network | (~prefix_mask(length) & 0xFFFFFFFF), pool.network | (~mask & 0xFFFFFFFF))
                host = next((a for a in range(low, min(high, low + 4) + 1) if segment.is_host_address(a)), None)
                if host is not None:
                    found.append(host)
                    break
            found.extend(a for a in sorted(segment.device_addresses) if a & mask == pool.network & mask)
        beyond = self._first_off_segment(pool.network & mask, pool.network | (~mask & 0xFFFFFFFF))
        if beyond is not None:
            found.append(beyond)
        rewritten = _rewritten(packet, rewrites)
        return [replace(rewritten, dst=address) for address in dict.fromkeys(found)] or [rewritten]

    def _first_off_segment(self, low: int, high: int) -> int | None:
        """The first address in [low, high] on no segment (one that routes beyond them)."""
        spans = sorted(
            (network, network | (~prefix_mask(length) & 0xFFFFFFFF))
            for segment in self.network.segments.values()
            for network, length in segment.subnets
        )
        candidate = low
        for first, last in spans:
            if first > candidate:
                break
            candidate = max(candidate, last + 1)
        return candidate if candidate <= high else None

    def _decide(
        self,
        device_name: str,
        if_name: str,
        packet: Packet,
        translation: Translation,
        hops: tuple[Hop, ...],
        early: AclDecision | None,
        arrival: Owner | None,
        egress: str | None,
        egress_rule: Source,
        arrived: Translation | None = None,
    ) -> list[Branch]:
        """`_step` once the arriving packet is (un-)translated: the filters, the box, routing.
        `early`: the inbound filter's decision when it came before the un-translation, on the
        packet with the rewrites `arrived` (None: `translation`)."""
        device = self.network.devices[device_name]
        interface = device.interfaces[if_name]
        to_box = self._to_the_box(device_name, if_name, packet, translation, hops)
        if to_box is not None:
            delivered = to_box[0].terminal
            if delivered is not None and delivered.disposition == "delivered":
                return to_box + self._relay_replies(delivered.hops[-1], packet, hops)
            return to_box
        if early is not None:
            ingress = early
        elif device.stateful and _is_reply(packet):
            ingress = AclDecision(None, True, reason="reply: checked against the reverse connection")
        else:
            ingress = self.decide(device_name, if_name, "in", packet)
        seen = arrived if early is not None and arrived is not None and arrived != translation else None
        here = Hop(device_name, if_name, ingress, translation=translation, ingress_translation=seen)
        if not ingress.permitted:
            return [Branch(hops, TracePath((*hops, here), "denied-in"))]
        if self._table_owns(device_name, if_name, packet.dst):
            if device.stateful and _is_reply(packet):
                refused = AclDecision(None, False, reason="state check: no such connection")
                return [Branch(hops, TracePath((*hops, replace(here, ingress=refused)), "denied-in"))]
            return [
                Branch(
                    hops,
                    TracePath(
                        (*hops, here), "delivered", Endpoint("device", device=device_name, translation=translation)
                    ),
                ),
                *self._relay_replies(here, packet, hops),
            ]
        if not forwards(interface):
            return [Branch(hops, TracePath((*hops, here), "no-route"))]
        return (
            self._relay_requests(here, packet, hops)
            + self._relay_replies(here, packet, hops)  # to a relay interface of another table
            + self._multicast(here, packet, hops)
            + self._routed(here, packet, hops, arrival, egress, egress_rule)
        )

    def _routed(
        self,
        here: Hop,
        packet: Packet,
        hops: tuple[Hop, ...],
        arrival: Owner | None,
        egress: str | None,
        egress_rule: Source,
    ) -> list[Branch]:
        device_name, if_name = here.device, here.in_interface
        interface = self.network.devices[device_name].interfaces[if_name]
        if self.engine.routing and egress is not None:
            next_hops: tuple[NextHop, ...] | list[NextHop] = self.engine.fibs.of(device_name, interface.vrf).lookup_via(
                packet.dst, egress, egress_rule
            )
        elif self.engine.routing:
            next_hops = self._policy_hops(device_name, if_name, packet)
        else:
            next_hops = self.engine.any_neighbour_hops(device_name)
        if not next_hops:
            return [Branch(hops, TracePath((*hops, here), "no-route"))]
        return [self._forward(here, hop, packet, hops, arrival) for hop in next_hops]

    def _policy_hops(self, device_name: str, if_name: str, packet: Packet) -> list[NextHop]:
        """The hops of a packet arriving on `if_name`: its policy route's (reach/pbr.py), with
        the routing table's when normal routing applies too or instead."""
        device = self.network.devices[device_name]
        vrf = device.interfaces[if_name].vrf
        fib = self.engine.fibs.of(device_name, vrf)
        name = device.interfaces[if_name].policy_route
        table = device.policy_routes.get(name) if name is not None else None
        if table is None:
            return list(fib.lookup(packet.dst))
        hops: list[NextHop] = []
        normal = True
        for entry in table.ordered():
            sure, maybe = self._entry_matches(device, entry, packet)
            if not (sure or maybe):
                continue
            choice = entry_choice(device, entry, vrf)
            if choice.hops and not (choice.default and _explicit_route(fib, packet.dst)):
                hops += choice.hops
                normal_here = choice.normal_too
            else:
                normal_here = True
            if sure:
                normal = normal_here
                break
            # An undefined ACL may not match: the later entries decide then.
            hops += fib.lookup(packet.dst) if normal_here else ()
        if normal:
            hops += fib.lookup(packet.dst)
        return list(dict.fromkeys(hops))

    def _entry_matches(self, device: Device, entry: PolicyRouteEntry, packet: Packet) -> tuple[bool, bool]:
        """(the entry surely matches, it may match: it names an undefined ACL)."""
        defined, undefined = matched_acls(device, entry)
        if entry.match_acls is None:
            return True, True
        for acl_name in defined:
            acl = device.acls[acl_name]
            if permits_everything_when_empty(acl) or evaluate_acl(acl, packet)[0]:
                return True, True
        return False, undefined

    def _relay_requests(self, here: Hop, packet: Packet, hops: tuple[Hop, ...]) -> list[Branch]:
        """The packets the device relays to its servers for `packet` (relay.py): sent by the
        device itself, so no outbound filter applies."""
        device_name, if_name = here.device, here.in_interface
        if not self._relayed_here(device_name, if_name, packet):
            return []
        device = self.network.devices[device_name]
        interface = device.interfaces[if_name]
        branches = []
        for target in interface.relay_targets:
            relayed_by = AclDecision(None, True, reason=relay_reason(target))
            for rewrites in request_rewrites(interface, target, packet.dport):
                onward = _rewritten(packet, rewrites)
                translation = compose(here.translation, rewrites)
                for hop in self.engine.relay_hops(device_name, if_name, target):
                    out = device.interfaces.get(hop.interface)
                    if hop.discard or out is None or not forwards(out):
                        continue
                    walked = (*hops, replace(here, out_interface=hop.interface, next_hop=hop, egress=relayed_by))
                    branches.append(self._onward(walked, hop, onward, translation))
        return branches

    def _multicast(self, here: Hop, packet: Packet, hops: tuple[Hop, ...]) -> list[Branch]:
        """A group packet arriving on a multicast interface leaves by every other one (multicast.py)."""
        device = self.network.devices[here.device]
        if not is_group(packet.dst) or not device.interfaces[here.in_interface].multicast:
            return []
        branches = []
        for out in sorted(device.interfaces):
            interface = device.interfaces[out]
            if out == here.in_interface or not interface.multicast or not forwards(interface):
                continue
            ingress, egress = self._pair_decisions(here, out, packet)
            walked = (*hops, replace(here, ingress=ingress, out_interface=out, egress=egress))
            if not ingress.permitted:
                branches.append(Branch(walked, TracePath(walked, "denied-in")))
            elif egress is None or not egress.permitted:
                branches.append(Branch(walked, TracePath(walked, "denied-out")))
            else:
                branches.append(self._multicast_out(walked, out, packet, here.translation))
        return branches

    def _multicast_out(self, walked: tuple[Hop, ...], out: str, packet: Packet, translation: Translation) -> Branch:
        device_name = walked[-1].device
        segment_id = self.network.segment_of.get((device_name, out))
        if (device_name, out) in self.engine.boundary or segment_id is None:
            exit_endpoint = Endpoint("exit", device=device_name, interface=out, translation=translation)
            return Branch(walked, TracePath(walked, "delivered", exit_endpoint))
        segment = self.network.segments[segment_id]
        client = reply_client(segment)
        hosts = None
        if client is not None:
            received = compose(translation, delivered_to(client))
            hosts = TracePath(walked, "delivered", Endpoint("hosts", segment=segment.id, translation=received))
        routers = [
            member
            for member in segment.members
            if member != (device_name, out) and self.network.devices[member[0]].interfaces[member[1]].multicast
        ]
        return Branch(walked, hosts, routers, packet, translation)

    def _relay_replies(self, here: Hop, packet: Packet, hops: tuple[Hop, ...]) -> list[Branch]:
        """A server's reply the device received, relayed to the clients of the interface
        whose address it was sent to (relay.py)."""
        if packet.proto != PROTO_UDP or packet.dport != DHCP_SERVER_PORT:
            return []
        device = self.network.devices[here.device]
        branches = []
        for name in sorted(device.interfaces):
            interface = device.interfaces[name]
            if not relays(interface) or not forwards(interface):
                continue
            if not takes_reply(device.interfaces[here.in_interface], interface):
                continue
            if not any(address.address == packet.dst for address in interface.addresses):
                continue
            relayed_by = AclDecision(None, True, reason=relay_reason(interface.relay_targets[0]))
            walked = (*hops, replace(here, out_interface=name, egress=relayed_by))
            segment_id = self.network.segment_of.get((here.device, name))
            if (here.device, name) in self.engine.boundary or segment_id is None:
                translation = compose(here.translation, reply_rewrites(interface, packet.dst, packet.dst))
                endpoint = Endpoint("exit", device=here.device, interface=name, translation=translation)
                branches.append(Branch(walked, TracePath(walked, "delivered", endpoint)))
                continue
            segment = self.network.segments[segment_id]
            client = reply_client(segment)
            if client is not None:
                translation = compose(here.translation, reply_rewrites(interface, packet.dst, client))
                endpoint = Endpoint("hosts", segment=segment.id, translation=translation)
                branches.append(Branch(walked, TracePath(walked, "delivered", endpoint)))
        return branches

    def _to_the_box(
        self, name: str, if_name: str, packet: Packet, translation: Translation, hops: tuple[Hop, ...]
    ) -> list[Branch] | None:
        """The fate of a packet to the device's own address when its interface ACL does not
        decide it (`to_the_box` other than FILTERED); None else."""
        device = self.network.devices[name]
        if not self._table_owns(name, if_name, packet.dst) or device.to_the_box is ToTheBox.FILTERED:
            return None
        arrival_owns = self._interface_owns(name, if_name, packet.dst)
        if device.to_the_box is ToTheBox.ARRIVAL_ONLY and not arrival_owns:
            decision = AclDecision(None, False, reason="to another interface's address: the device drops it")
        elif device.stateful and _is_reply(packet):
            decision = AclDecision(None, False, reason="state check: no such connection")
        elif device.to_the_box is ToTheBox.VIA_POLICY and not arrival_owns:
            decision = self._via_policy(name, if_name, packet)
        elif device.to_the_box is ToTheBox.SELF_POLICY:
            decision = self._to_self(name, if_name, packet)
        else:
            decision = AclDecision(None, True, reason="to the box: management access, no access rule applies")
        here = Hop(name, if_name, decision, translation=translation)
        disposition = "delivered" if decision.permitted else "denied-in"
        endpoint = Endpoint("device", device=name, translation=translation) if decision.permitted else None
        return [Branch(hops, TracePath((*hops, here), disposition, endpoint))]

    def _to_self(self, name: str, if_name: str, packet: Packet) -> AclDecision:
        """SELF_POLICY: the inbound ACL, then the policy towards the device itself."""
        ingress = self.decide(name, if_name, "in", packet)
        if not ingress.permitted:
            return ingress
        policy = self.decide_policy(name, if_name, TO_THE_DEVICE, packet)
        if policy is None or (policy.permitted and ingress.line is not None):
            return ingress
        return policy

    def _via_policy(self, name: str, if_name: str, packet: Packet) -> AclDecision:
        """A packet to the address of another interface: the policy from `if_name` to an
        interface owning it decides (the first that permits; else the first owner's refusal)."""
        refusal: AclDecision | None = None
        interfaces = self.network.devices[name].interfaces
        for owner in sorted(interfaces):
            if owner == if_name or not self._interface_owns(name, owner, packet.dst):
                continue
            if interfaces[owner].vrf != interfaces[if_name].vrf:
                continue
            decision = self.decide_policy(name, if_name, owner, packet)
            if decision is None:
                return AclDecision(None, True, reason="to the box: management access, no access rule applies")
            if decision.permitted:
                return decision
            refusal = refusal or decision
        # Not reached: the device owns the address, and not on `if_name`.
        return refusal or AclDecision(None, False, reason="to another interface's address: the device drops it")

    def _pair_decisions(self, here: Hop, out: str, packet: Packet) -> tuple[AclDecision, AclDecision | None]:
        """The hop's ingress decision once the interface out is known (the policy's, on a
        device with one, unless the inbound ACL decided by a line) and its egress decision
        (None: the ingress decision dropped the packet)."""
        device_name, in_if = here.device, here.in_interface
        device = self.network.devices[device_name]
        if device.stateful and _is_reply(packet):
            return here.ingress, self.decide_reply(device_name, in_if, out, packet)
        policy = self.decide_policy(device_name, in_if, out, packet)
        ingress = here.ingress
        if policy is not None and (not policy.permitted or ingress.line is None):
            ingress = policy
        if not ingress.permitted:
            return ingress, None
        return ingress, self.decide(device_name, out, "out", packet)

    def _forward(
        self, here: Hop, hop: NextHop, packet: Packet, hops: tuple[Hop, ...], arrival: Owner | None = None
    ) -> Branch:
        device_name, if_name, translation = here.device, here.in_interface, here.translation
        if hop.discard:
            return Branch(hops, TracePath((*hops, replace(here, next_hop=hop)), "null-routed"))
        out = hop.interface
        device = self.network.devices[device_name]
        if out not in device.interfaces or not forwards(device.interfaces[out]):
            return Branch(hops)
        translate_first = device.nat_between_filters and bool(device.nat_rules) and not decides_per_pair(device)
        if translate_first:
            # The outbound filter sees the packet as it leaves, after translation.
            packet, translation = self._translated_out(device_name, if_name, out, packet, translation, arrival)
            if translation != here.translation:
                here = replace(here, egress_translation=translation)
        ingress, egress = self._pair_decisions(here, out, packet)
        walked = (*hops, replace(here, ingress=ingress, out_interface=out, next_hop=hop, egress=egress))
        if not ingress.permitted:
            return Branch(walked, TracePath(walked, "denied-in"))
        if egress is None or not egress.permitted:
            return Branch(walked, TracePath(walked, "denied-out"))
        if device.nat_rules and not translate_first:
            packet, translation = self._translated_out(device_name, if_name, out, packet, translation, arrival)
        return self._onward(walked, hop, packet, translation)

    def _onward(self, walked: tuple[Hop, ...], hop: NextHop, packet: Packet, translation: Translation) -> Branch:
        """The packet has left the device of `walked[-1]` by `hop`: where it goes next."""
        device_name, out = walked[-1].device, hop.interface
        exit_endpoint = Endpoint("exit", device=device_name, interface=out, translation=translation)
        segment_id = self.network.segment_of.get((device_name, out))
        if (device_name, out) in self.engine.boundary or segment_id is None:
            return Branch(walked, TracePath(walked, "delivered", exit_endpoint))
        segment = self.network.segments[segment_id]
        hosts = TracePath(walked, "delivered", Endpoint("hosts", segment=segment.id, translation=translation))
        others = [m for m in self.engine.routing_members(segment) if m != (device_name, out)]
        if hop.any_neighbour:
            return Branch(walked, hosts if segment.is_host_address(packet.dst) else None, others, packet, translation)
        if hop.address is not None:
            owners = self.engine.owners(segment, hop.address, exclude=(device_name, out))
            return Branch(
                walked, None if owners else TracePath(walked, "delivered", exit_endpoint), owners, packet, translation
            )
        if hop.dynamic is not None:
            return Branch(walked, TracePath(walked, "delivered", exit_endpoint))
        if segment.contains(packet.dst):
            owners = self.engine.owners(segment, packet.dst, exclude=(device_name, out))
            if owners:
                return Branch(walked, None, owners, packet, translation)
            return Branch(walked, hosts if segment.is_host_address(packet.dst) else TracePath(walked, "no-host"))
        return Branch(walked, TracePath(walked, "delivered", exit_endpoint), others, packet, translation)

    def _translated_out(
        self, device_name: str, in_if: str, out: str, packet: Packet, translation: Translation, arrival: Owner | None
    ) -> tuple[Packet, Translation]:
        """The header as it leaves `out`: the first late un-translation that matches
        (nat.late_steps), then the first source translation."""
        device = self.network.devices[device_name]
        in_interface, out_interface = device.interfaces[in_if], device.interfaces[out]
        for steps in (
            late_steps(device, in_interface, out_interface, self.engine.routing),
            outbound_steps(device, in_interface, out_interface, arrival),
        ):
            for step in steps:
                if step_matches(step, packet):
                    packet = _rewritten(packet, step.rewrites)
                    translation = compose(translation, step.rewrites)
                    break
        return packet, translation


@dataclass(frozen=True)
class Branch:
    """One way a packet leaves a device."""

    hops: tuple[Hop, ...]
    terminal: TracePath | None = None
    successors: list[tuple[str, str]] = field(default_factory=list)
    packet: Packet | None = None  # header when entering the successors (after NAT)
    translation: Translation = ()


def _explicit_route(fib: Fib, address: int) -> bool:
    return any(entry.length > 0 and entry.contains(address) for entry in fib.entries)


def _rewritten(packet: Packet, rewrites: Translation) -> Packet:
    for rewrite in rewrites:
        packet = rewrite.apply(packet)
    return packet


def _is_reply(packet: Packet) -> bool:
    return packet.proto == PROTO_TCP and packet.established


def _reversed(packet: Packet) -> Packet:
    return Packet(
        src=packet.dst, dst=packet.src, proto=packet.proto, sport=packet.dport, dport=packet.sport, established=False
    )


# --- caveats: where a hop rests on something not understood or over-approximated ----------


@dataclass(frozen=True, order=True)
class Caveat:
    """Why the device may treat the packet differently at a hop than the trace says, and the
    line responsible. Texts quote config lines redacted."""

    file: str
    line: int
    kind: str  # acl-line | undefined-acl | unknown-line | dynamic-route | nat-pool
    message_en: str
    message_ja: str

    def where(self) -> str:
        return f"{self.file}:{self.line}" if self.line else self.file


# Unknown lines inside these blocks are reported where the definition is used (an ACL line
# using a tainted object-group is itself not understood), not on every hop of the device.
_DEFINITION_BLOCKS = ("object-group ", "object ")


def hop_caveats(
    network: Network, hop: Hop, rewrites: Translation = (), header: Packet | None = None
) -> tuple[Caveat, ...]:
    """Everything at `hop` the trace may get wrong. `rewrites`: the NAT rewrites this hop's
    device applied; `header`: the packet as it enters the hop, when known (it narrows which
    skipped deny lines matter).

    The criterion, so that a user can check it:
    - an ACL decision that permits through a line not understood or over-approximated, or after
      skipping such a deny line that may match the packet (the engine ignores those);
    - an undefined ACL (assumed to permit everything);
    - a FORWARDING unknown line of this device, unless it sits in the block of an interface
      other than this hop's, is an entry or block line of an ACL not evaluated here, or lies in
      an object / object-group definition (its uses carry the doubt);
    - a next hop from dynamic routing (any prefix from any neighbour);
    - a NAT rewrite to a pool or PAT (the device picks the address or port; the trace shows one)."""
    device = network.devices[hop.device]
    reasons = {(u.source.file, u.source.line): u.reason for u in device.forwarding_unknowns}
    caveats: list[Caveat] = []
    evaluated: set[str] = set()
    acl_lines: set[tuple[str, int]] = set()
    for direction, decision in (("in", hop.ingress), ("out", hop.egress)):
        if decision is None:
            continue
        if decision.acl_name is not None:
            evaluated.update(decision.acl_name.split("+"))
        evaluated.update(decision.evaluated)
        if decision.acl is not None:
            acl_lines.update((line.source.file, line.source.line) for line in decision.acl.lines)
        caveats += _decision_caveats(device, hop, direction, decision, reasons, header)
    interfaces = {name for name in (hop.in_interface, hop.out_interface) if name}
    caveats += _unknown_line_caveats(device, interfaces, evaluated, acl_lines)
    if hop.next_hop is not None and hop.next_hop.dynamic is not None:
        dynamic = hop.next_hop.dynamic
        caveats.append(
            Caveat(
                dynamic.source.file,
                dynamic.source.line,
                "dynamic-route",
                f"next hop from dynamic routing ({dynamic.protocol} {dynamic.process}), an over-approximation: any "
                f"prefix may be learned from any neighbour",
                f"動的ルーティング（{dynamic.protocol} {dynamic.process}）によるネクストホップです。近似として、"
                f"どの隣接機器からもどの経路も学習されうるものとしています",
            )
        )
    caveats += [_pool_caveat(rewrite) for rewrite in rewrites if rewrite.pool]
    return tuple(sorted(set(caveats)))


def path_caveats(network: Network, path: TracePath, packet: Packet | None = None) -> tuple[tuple[Caveat, ...], ...]:
    """The caveats of each hop of `path` taken by `packet`."""
    hops = path.hops
    rewrites: list[list[Rewrite]] = [[] for _ in hops]
    earlier: Translation = ()
    for number, hop in enumerate(hops):
        for rewrite in new_rewrites(earlier, hop.translation):
            # `Hop.translation` also holds what the previous device rewrote on its way out.
            previous = network.devices[hops[number - 1].device] if number else None
            by_previous = (
                previous is not None and rewrite.rule is not None and rewrite.rule.file == previous.source_file
            )
            rewrites[number - 1 if by_previous else number].append(rewrite)
        earlier = hop.translation
    if hops and path.endpoint is not None:
        rewrites[-1] += new_rewrites(earlier, path.endpoint.translation)
    return tuple(
        hop_caveats(
            network, hop, tuple(rewrites[number]), None if packet is None else _rewritten(packet, hop.translation)
        )
        for number, hop in enumerate(hops)
    )


def _decision_caveats(
    device: Device,
    hop: Hop,
    direction: str,
    decision: AclDecision,
    reasons: dict[tuple[str, int], str],
    header: Packet | None,
) -> list[Caveat]:
    if not decision.permitted:
        return []  # over-approximation only widens permits: a drop is certain
    if decision.undefined:
        interface = device.interfaces.get(hop.in_interface if direction == "in" else hop.out_interface)
        reference = (
            None if interface is None else (interface.acl_in_source if direction == "in" else interface.acl_out_source)
        )
        file, line = (reference.file, reference.line) if reference else (device.source_file, 0)
        return [
            Caveat(
                file,
                line,
                "undefined-acl",
                f"ACL {decision.acl_name} is referenced but not defined: assumed to permit everything",
                f"ACL {decision.acl_name} は参照されていますが定義がないため、すべて許可するものとしています",
            )
        ]
    if decision.acl is None or decision.line_index is None:
        return []
    caveats = []
    for index, acl_line in enumerate(decision.acl.lines[: decision.line_index + 1]):
        deciding = index == decision.line_index
        # `matches` of such a line is a superset of the device's: no match there, none on the device.
        skipped = (
            not deciding
            and not counts_as_match(acl_line)
            and (
                header is None or any(match_packet(m, h) for m in acl_line.matches for h in (header, _reversed(header)))
            )
        )
        if not (deciding or skipped):
            continue
        text = redact(acl_line.source.text.strip())
        where = (acl_line.source.file, acl_line.source.line)
        name = decision.acl_name
        if not acl_line.understood:
            reason = redact(reasons.get(where, "not understood"))
            en, ja = (
                (f"the permitting line was not understood ({reason})", f"許可した行を解釈できません（{reason}）")
                if deciding
                else (
                    f"a deny line that may match was ignored, not understood ({reason})",
                    f"一致しうる deny 行を解釈できないため無視しました（{reason}）",
                )
            )
        elif acl_line.approximation:
            approximation = redact(acl_line.approximation)
            en, ja = (
                (
                    f"the permitting line is over-approximated ({approximation})",
                    f"許可した行は近似で扱っています（{approximation}）",
                )
                if deciding
                else (
                    f"a deny line that may match was ignored, over-approximated ({approximation})",
                    f"一致しうる deny 行を近似のため無視しました（{approximation}）",
                )
            )
        else:
            continue
        caveats.append(Caveat(*where, "acl-line", f"ACL {name}: {en}: {text}", f"ACL {name}: {ja}: {text}"))
    return caveats


def _unknown_line_caveats(
    device: Device, interfaces: set[str], evaluated: set[str], acl_lines: set[tuple[str, int]]
) -> list[Caveat]:
    """The device's FORWARDING unknown lines that may affect a hop through `interfaces`
    evaluating the ACLs named `evaluated` (see `hop_caveats`)."""
    interface_heads = {device.interfaces[name].source.line: name for name in device.interfaces}
    acl_heads = {acl.source.line: name for name, acl in device.acls.items()}
    caveats = []
    for unknown in device.forwarding_unknowns:
        source = unknown.source
        if (source.file, source.line) in acl_lines:
            continue  # an entry of an ACL evaluated here: `_decision_caveats` judged it
        head = _block_head(device, source)
        if head is not None:
            head_text = device.lines[head - 1].strip()
            words = head_text.split()
            if head in interface_heads and interface_heads[head] not in interfaces:
                continue
            acl = acl_heads.get(head) or (words[1] if len(words) > 1 and words[0] == "access-list" else None)
            if acl is not None and acl not in evaluated:
                continue
            if head_text.startswith(_DEFINITION_BLOCKS):
                continue
        text, reason = redact(source.text.strip()), redact(unknown.reason)
        caveats.append(
            Caveat(
                source.file,
                source.line,
                "unknown-line",
                f"line not understood on this device ({reason}): {text}",
                f"この機器の解釈できない行です（{reason}）: {text}",
            )
        )
    return caveats


def _block_head(device: Device, source: Source) -> int | None:
    """The 1-based number of the top-level line whose block holds `source` (itself when it is
    not indented); None when the line is not from the device's own config text."""
    lines = device.lines
    if source.file != device.source_file or not 0 < source.line <= len(lines):
        return None
    number = source.line
    while number > 1 and lines[number - 1][:1] in (" ", "\t"):
        number -= 1
    return number


def _pool_caveat(rewrite: Rewrite) -> Caveat:
    pool = format_prefix(rewrite.network, rewrite.length)
    file, line = (rewrite.rule.file, rewrite.rule.line) if rewrite.rule else ("", 0)
    if rewrite.any_sport:
        return Caveat(
            file,
            line,
            "nat-pool",
            f"PAT to {pool}: the device picks the source port (and the address when the pool holds "
            f"several); the trace keeps the original port",
            f"{pool} への PAT: 実機は送信元ポート（プールに複数あればアドレスも）を選びます。"
            f"トレースでは元のポートのままです",
        )
    first = int_to_ip(rewrite.network)
    return Caveat(
        file,
        line,
        "nat-pool",
        f"NAT to pool {pool}: the device picks the {rewrite.field} address; the trace shows the first, {first}",
        f"プール {pool} への NAT: 実機が {rewrite.field} アドレスを選びます。トレースでは先頭の {first} "
        f"を表示しています",
    )
