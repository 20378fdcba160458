"""Address translation as header rewrites (ASA 8.3+ NAT).

The engine keeps packet sets in the *original* header space (what the source sent), so
that every delivered packet can be traced back to its start. A packet that has been
translated carries the list of rewrites applied so far; a test on the current header is
the test on the original header through the rewrites' preimage. Rewrites are exact for
prefix-to-prefix static mappings; a dynamic pool or PAT lets the rewritten field take any
value of the pool (an over-approximation).

Order (ASA 8.3+): arriving on the mapped interface, a static rule un-translates the
destination before the ACL and the route lookup (ACLs match real addresses); leaving
through the mapped interface, the first matching rule (twice NAT, then object NAT, then
after-auto) translates the source (and, for twice NAT, the destination).

Egress (configuration guide, "Determining the Egress Interface", routed mode): a packet
un-translated by a rule that names the interface on the far side leaves by that
interface, not by the route lookup's choice, unless the rule says `route-lookup`
(`NatStep.egress`). The next hop is then the longest route through that interface; with
none, the interface as if the destination were connected to it (the guide does not say
what happens; the wider choice).

A twice NAT rule with a destination matches the packet as it arrives, as one rule: real
source and *mapped* destination on the real side (ASA configuration guide, "Original
Packet": "the real source address and the mapped destination address"), and — static
rules only — real destination as source and mapped source as destination on the mapped
side. The rule that matched on arrival owns the connection: it alone rewrites the
packet as it leaves (`NatStep.owner`, the `arrival` of `outbound_steps`). A packet sent
straight to the real destination is not matched by the rule and keeps its source.

Replies to dynamic translations (`reply_steps`): a packet arriving on the mapped side to an
address of a dynamic rule's pool (or, for interface PAT, to the mapped interface's address)
may be the reply to a translated connection: it is un-translated to any address of the
rule's real sources (their covering prefix: an over-approximation), leaving by the rule's
real interface (where the session came from), and it also goes on untranslated (no
translation may exist for it). With port sharing (PAT: `overload`,
`interface_pat`) only replies are translated back: TCP with ACK/RST, and every UDP and ICMP
packet (the engine cannot tell a UDP or ICMP reply from a new flow, and a reply must not
be lost); other protocols and TCP packets that open a connection are not. A reply comes from
an address the translated session was opened to, so only sources the device may route out of
the mapped side are un-translated (`routed_out`: a superset; any source when dynamic routing
or a policy route may use that side, or when routing is ignored, as for ZONE-008).

Rules with `routed_as_mapped` are un-translated after the route lookup (`late_steps`), as
the packet leaves, and then compose with the source translation of another rule.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..model import PROTO_ICMP, PROTO_TCP, PROTO_UDP, Device, Interface, NatRule, Source, int_to_ip, prefix_mask
from .packets import Packet, PacketSet, PacketSpace


@dataclass(frozen=True, order=True)
class Rewrite:
    """Set `field` to `network` in its top `length` bits (host bits kept), or — with
    `pool` — to any address of network/length; `any_sport` lets PAT choose the port."""

    field: str  # src | dst
    network: int
    length: int
    pool: bool = False
    any_sport: bool = False
    rule: Source | None = None  # the last rule that rewrote the field
    # Every rule whose rewrite is folded into this one (see `compose`); a set of a
    # configuration's rules is finite, so the search key stays finite too.
    rules: tuple[Source, ...] = ()

    def apply(self, packet: Packet) -> Packet:
        """The concrete rewrite (a pool maps to its first address; PAT keeps the port)."""
        mask = field_mask(self.field, self.length)
        value = getattr(packet, self.field)
        new = self.network if self.pool else (self.network & mask) | (value & ~mask & 0xFFFFFFFF)
        return Packet(**{**packet.__dict__, self.field: new})


Translation = tuple[Rewrite, ...]

# Ports are rewritten only by a relay (reach/relay.py), always to one value (length 16).
_FIELD_ORDER = ("dst", "src", "dport", "sport")
_PORT_FIELDS = ("dport", "sport")


def field_mask(field: str, length: int) -> int:
    """The top `length` bits of `field` (32 bits wide, a port 16)."""
    if field in _PORT_FIELDS:
        return (((1 << length) - 1) << (16 - length)) & 0xFFFF
    return prefix_mask(length)


def rewritten_to(rewrite: Rewrite) -> str:
    """What a rewrite sets its field to, for people: a prefix, or a port."""
    if rewrite.field in _PORT_FIELDS:
        return str(rewrite.network)
    return f"{int_to_ip(rewrite.network)}/{rewrite.length}"


def compose(translation: Translation, rewrites: Translation) -> Translation:
    """`translation` followed by `rewrites`, in canonical form: at most one rewrite per
    field (dst before src), with `any_sport` on the src rewrite when there is one. The same
    relation reached through the same rules gives the same tuple however many laps it took,
    and a configuration's finitely many rewrites compose to finitely many tuples, so a
    search keyed on translations ends.

    Per field, with A then B: a pool B forgets A (any address of B's prefix, whatever
    came in); a prefix B sets B's top bits over A's: the longer of the two lengths, top
    B.length bits from B, the bits between from A, and A's `pool` (after a pool, the bits
    below stay free). Different fields and the source port do not read one another, so
    their rewrites commute. Checked against the step-by-step preimage in
    tests/test_termination.py."""
    if not rewrites:
        return translation
    by_field = {rewrite.field: rewrite for rewrite in translation}
    any_sport = any(rewrite.any_sport for rewrite in translation)
    for rewrite in rewrites:
        any_sport = any_sport or rewrite.any_sport
        if not rewrite.pool and rewrite.length == 0:
            continue  # rewrites no address bit (the identity): only its any_sport counts
        previous = by_field.get(rewrite.field)
        by_field[rewrite.field] = rewrite if previous is None else _then(previous, rewrite)
    return _canonical(by_field, any_sport)


def _then(first: Rewrite, second: Rewrite) -> Rewrite:
    rules = tuple(
        sorted(
            {*first.rules, *second.rules, *(r for r in (first.rule, second.rule) if r is not None)},
            key=lambda source: (source.file, source.line, source.text),
        )
    )
    if second.pool:
        return Rewrite(second.field, second.network, second.length, pool=True, rule=second.rule, rules=rules)
    outer, inner = field_mask(second.field, second.length), field_mask(first.field, first.length)
    network = (second.network & outer) | (first.network & inner & ~outer)
    return Rewrite(
        second.field,
        network,
        max(first.length, second.length),
        pool=first.pool,
        rule=second.rule or first.rule,
        rules=rules,
    )


def _canonical(by_field: dict[str, Rewrite], any_sport: bool) -> Translation:
    result = []
    for name in _FIELD_ORDER:
        rewrite = by_field.get(name)
        if rewrite is None:
            continue
        rules = rewrite.rules or ((rewrite.rule,) if rewrite.rule is not None else ())
        result.append(
            Rewrite(
                name,
                rewrite.network & field_mask(name, rewrite.length),
                rewrite.length,
                rewrite.pool,
                False,
                rewrite.rule,
                rules,
            )
        )
    if any_sport:
        # The port is its own field: the flag rides on one rewrite, src by preference.
        holder = next((index for index, rewrite in enumerate(result) if rewrite.field == "src"), len(result) - 1)
        if holder < 0:
            result.append(Rewrite("src", 0, 0, any_sport=True))  # no address bits rewritten
        else:
            result[holder] = Rewrite(
                result[holder].field,
                result[holder].network,
                result[holder].length,
                result[holder].pool,
                True,
                result[holder].rule,
                result[holder].rules,
            )
    return tuple(result)


def new_rewrites(before: Translation, after: Translation) -> Translation:
    """The rewrites of `after` that `before` does not have: what a hop changed."""
    return tuple(rewrite for rewrite in after if rewrite not in before)


def preimage(space: PacketSpace, translation: Translation, packets: PacketSet) -> PacketSet:
    """Original headers whose rewritten header lies in `packets`."""
    for rewrite in reversed(translation):
        bits = space.bits[rewrite.field]
        if rewrite.pool:
            packets = space.bdd.exist(
                bits, packets & space.field_prefix(rewrite.field, rewrite.network, rewrite.length)
            )
        else:
            top = len(bits) - 1
            packets = space.bdd.let(
                {bits[i]: bool((rewrite.network >> (top - i)) & 1) for i in range(rewrite.length)}, packets
            )
        if rewrite.any_sport:
            packets = space.bdd.exist(space.bits["sport"], packets)
    return packets


def active_rules(device: Device) -> list[NatRule]:
    return sorted((rule for rule in device.nat_rules if not rule.inactive), key=lambda rule: (rule.section, rule.order))


def _on(rule_interface: str | None, interface: Interface) -> bool:
    return rule_interface is None or rule_interface == interface.name


def _mapping(
    real: tuple[tuple[int, int], ...] | None,
    mapped: tuple[tuple[int, int], ...] | None,
    field: str,
    rule: NatRule,
    to_real: bool,
) -> Rewrite | None:
    """The rewrite that takes `field` from one side of a static mapping to the other."""
    if real is None or mapped is None:
        return None
    target = real if to_real else mapped
    source = mapped if to_real else real
    if len(target) == 1 and len(source) == 1 and target[0][1] == source[0][1] and not rule.approximation:
        return Rewrite(field, target[0][0], target[0][1], rule=rule.source)
    network, length = _covering(target)
    return Rewrite(field, network, length, pool=True, rule=rule.source)


def _covering(prefixes: tuple[tuple[int, int], ...]) -> tuple[int, int]:
    """The smallest prefix covering all (used when a mapping is not prefix-to-prefix)."""
    low = min(network for network, _ in prefixes)
    high = max(network | (~prefix_mask(length) & 0xFFFFFFFF) for network, length in prefixes)
    length = 32
    while length and (low & prefix_mask(length)) != (high & prefix_mask(length)):
        length -= 1
    return low & prefix_mask(length), length


Owner = tuple[int, int, str]  # a twice NAT rule (section, order) and direction (forward | reverse)


def _owner(rule: NatRule, direction: str) -> Owner:
    return (rule.section, rule.order, direction)


def _has_destination(rule: NatRule) -> bool:
    return rule.mapped_destination is not None and rule.real_destination is not None


@dataclass(frozen=True)
class NatStep:
    """Packets matching `match` (current header space) get `rewrites`. `owner`: the twice
    NAT rule with a destination (and direction) the step belongs to; None for the others.
    `egress`: on arrival, the interface the packet must leave by (the rule names it and has no
    `route-lookup`); None: the route lookup decides. `rule`: the NAT line that chose it."""

    match_src: tuple[tuple[int, int], ...] | None
    match_dst: tuple[tuple[int, int], ...] | None
    rewrites: Translation
    owner: Owner | None = None
    egress: str | None = None
    rule: Source | None = None
    # A reply to a dynamic translation: the packet may also go on untranslated (no
    # translation may exist for it), and with `replies_only` (PAT) only replies match.
    alternative: bool = False
    replies_only: bool = False
    # Sources the step never matches (see `_own_dynamic_addresses`).
    exclude_src: tuple[tuple[int, int], ...] = ()


def _egress(rule: NatRule, interface: str | None) -> str | None:
    """ASA configuration guide, "Determining the Egress Interface" (routed mode): when the
    NAT rule names the interface, the ASA uses the rule, not the route lookup, to choose the
    egress interface of a packet it un-translates; `route-lookup` restores the route lookup."""
    return None if rule.route_lookup else interface


def inbound_steps(device: Device, interface: Interface, routing: bool = True) -> list[NatStep]:
    """Rewrites for packets arriving on `interface`, before the ACL and the route lookup:
    on the real side, twice NAT's destination (mapped → real, which also chooses the
    egress); on the mapped side, static un-translation of the destination (and for twice
    NAT of the source as well). A twice NAT step with a destination carries its `owner`
    even when it rewrites nothing (identity), so that its rule translates on the way out."""
    steps = []
    for rule in active_rules(device):
        if rule.routed_as_mapped:
            continue  # un-translated after the route lookup: `late_steps`
        peers = routed_out(device, interface) if routing else None
        reply = reply_step(rule, interface, _own_dynamic_addresses(device), peers)
        if reply is not None:
            steps.append(reply)
        twice = _has_destination(rule)
        if twice and _on(rule.real_interface, interface):
            divert = _mapping(rule.mapped_destination, rule.real_destination, "dst", rule, to_real=False)
            if divert is not None:
                steps.append(
                    NatStep(
                        rule.real_source,
                        rule.mapped_destination,
                        (divert,),
                        _owner(rule, "forward"),
                        _egress(rule, rule.mapped_interface),
                        rule.source,
                    )
                )
        if rule.kind != "static" or rule.interface_pat or not _on(rule.mapped_interface, interface):
            continue
        if twice:
            # Only traffic from the real destination to the mapped source is the rule's
            # reverse direction; its source is translated on the way out (ACLs in between
            # see real addresses). mapped_source None: identity, the real source matches.
            rewrite = _mapping(rule.real_source, rule.mapped_source, "dst", rule, to_real=True)
            match_dst = rule.mapped_source if rule.mapped_source is not None else rule.real_source
            steps.append(
                NatStep(
                    rule.real_destination,
                    match_dst,
                    (rewrite,) if rewrite else (),
                    _owner(rule, "reverse"),
                    _egress(rule, rule.real_interface),
                    rule.source,
                )
            )
            continue
        if rule.mapped_source is None or rule.real_source is None:
            continue
        rewrite = _mapping(rule.real_source, rule.mapped_source, "dst", rule, to_real=True)
        steps.append(
            NatStep(
                None,
                rule.mapped_source,
                (rewrite,) if rewrite else (),
                egress=_egress(rule, rule.real_interface),
                rule=rule.source,
            )
        )
    return steps


def _own_dynamic_addresses(device: Device) -> tuple[tuple[int, int], ...]:
    """The addresses the device's dynamic rules map to. A reply never comes from one of them:
    the session's first packet to it would have come back to this device as a new connection
    to a dynamic address, which is not translated (a hairpin through a neighbour)."""
    found: list[tuple[int, int]] = []
    for rule in active_rules(device):
        if rule.kind == "static":
            continue
        if rule.interface_pat:
            for interface in device.interfaces.values():
                if _on(rule.mapped_interface, interface):
                    found.extend((address.address, 32) for address in interface.addresses)
        else:
            found.extend(rule.mapped_source or ())
    return tuple(dict.fromkeys(found))


def routed_out(device: Device, interface: Interface) -> tuple[tuple[int, int], ...] | None:
    """A superset of the destinations the device may send out of `interface` (None: any):
    its connected subnets and the prefixes of the routes that may leave by it (longest-prefix
    precedence ignored; a next hop resolved recursively counts). Any destination when a
    dynamic routing process or a policy route may use it, or a default route leaves by it."""
    if device.policy_routes or any(interface.name in process.interfaces for process in device.dynamic_routing):
        return None
    subnets = [(address.network, address.prefix_length) for address in interface.addresses]
    everywhere = [
        (address.network, address.prefix_length) for other in device.interfaces.values() for address in other.addresses
    ]
    found = list(subnets)
    for route in device.routes:
        if route.discard:
            continue
        if route.interface is not None:
            leaves = route.interface == interface.name
        elif route.next_hop is not None:
            here = any(route.next_hop & prefix_mask(length) == network for network, length in subnets)
            recursive = not any(route.next_hop & prefix_mask(length) == network for network, length in everywhere)
            leaves = here or recursive
        else:
            leaves = True
        if leaves:
            if route.prefix_length == 0:
                return None
            found.append((route.prefix, route.prefix_length))
    return tuple(dict.fromkeys(found))


def reply_step(
    rule: NatRule,
    interface: Interface,
    own: tuple[tuple[int, int], ...] = (),
    peers: tuple[tuple[int, int], ...] | None = None,
) -> NatStep | None:
    """Arriving on the mapped side of a dynamic rule: replies to its mapped addresses go
    back to any real source (see the module docstring). `peers`: the addresses a translated
    session may have been opened to (`routed_out` of the mapped side; None: any) — a reply
    comes from one of them."""
    if rule.kind == "static" or _has_destination(rule) or not _on(rule.mapped_interface, interface):
        return None
    if peers == ():
        return None
    if rule.interface_pat:
        mapped = tuple((address.address, 32) for address in interface.addresses)
    else:
        mapped = rule.mapped_source or ()
    if not mapped or rule.real_source == ():
        return None
    real = rule.real_source if rule.real_source is not None else ((0, 0),)
    rewrite = Rewrite("dst", *_covering(real), pool=True, rule=rule.source)
    # A reply goes back to the host that opened the session: out of the rule's real side.
    return NatStep(
        peers,
        mapped,
        (rewrite,),
        egress=rule.real_interface,
        rule=rule.source,
        alternative=True,
        replies_only=rule.overload or rule.interface_pat,
        exclude_src=own,
    )


def late_steps(
    device: Device, in_interface: Interface, out_interface: Interface, routing: bool = True
) -> list[NatStep]:
    """Un-translations of `routed_as_mapped` rules, applied as the packet leaves: a static
    rule's mapped destination back to the real one, and replies to a dynamic rule's pool."""
    steps = []
    for rule in active_rules(device):
        if not rule.routed_as_mapped or not _on(rule.real_interface, out_interface):
            continue
        peers = routed_out(device, in_interface) if routing else None
        reply = reply_step(rule, in_interface, _own_dynamic_addresses(device), peers)
        if reply is not None:
            steps.append(reply)
        if rule.kind != "static" or not _on(rule.mapped_interface, in_interface):
            continue
        rewrite = _mapping(rule.real_source, rule.mapped_source, "dst", rule, to_real=True)
        if rewrite is not None:
            steps.append(NatStep(None, rule.mapped_source, (rewrite,), rule=rule.source))
    return steps


def outbound_steps(
    device: Device, in_interface: Interface, out_interface: Interface, arrival: Owner | None = None
) -> list[NatStep]:
    """Source translations for packets leaving `out_interface` (the mapped side) that
    came in on the real side; twice NAT also translates the destination. `arrival`: the
    owner of the inbound step that matched the packet (None: none with an owner); only
    that rule's steps then apply, and without one no twice NAT rule with a destination."""
    steps = []
    for rule in active_rules(device):
        reverse = _twice_reverse(rule, in_interface, out_interface)
        if reverse is not None:
            steps.append(reverse)
        if not (_on(rule.real_interface, in_interface) and _on(rule.mapped_interface, out_interface)):
            continue
        rewrites: list[Rewrite] = []
        if rule.interface_pat:
            address = out_interface.addresses[0].address if out_interface.addresses else None
            if address is None:
                continue
            rewrites.append(Rewrite("src", address, 32, pool=True, any_sport=True, rule=rule.source))
        elif rule.mapped_source is not None:
            rewrite = (
                _mapping(rule.real_source, rule.mapped_source, "src", rule, to_real=False)
                if rule.kind == "static"
                else Rewrite("src", *_covering(rule.mapped_source), pool=True, any_sport=True, rule=rule.source)
            )
            if rewrite is not None:
                rewrites.append(rewrite)
        # Twice NAT's destination was translated on arrival: match the real destination now.
        match_dst = rule.real_destination if rule.mapped_destination is not None else None
        owner = _owner(rule, "forward") if _has_destination(rule) else None
        steps.append(NatStep(rule.real_source, match_dst, tuple(rewrites), owner))
    return [step for step in steps if step.owner == arrival]


def _twice_reverse(rule: NatRule, in_interface: Interface, out_interface: Interface) -> NatStep | None:
    """Twice NAT, traffic from the mapped side back to the real side: the real
    destination's address becomes its mapped one as it leaves."""
    if rule.kind != "static" or rule.mapped_destination is None or rule.real_destination is None:
        return None
    if not (_on(rule.mapped_interface, in_interface) and _on(rule.real_interface, out_interface)):
        return None
    rewrite = _mapping(rule.mapped_destination, rule.real_destination, "src", rule, to_real=True)
    return NatStep(rule.real_destination, rule.real_source, (rewrite,) if rewrite else (), _owner(rule, "reverse"))


def step_matches(step: NatStep, packet: Packet) -> bool:
    def inside(prefixes: tuple[tuple[int, int], ...] | None, address: int) -> bool:
        return prefixes is None or any(address & prefix_mask(length) == network for network, length in prefixes)

    if step.replies_only and not _is_reply(packet):
        return False
    if step.exclude_src and inside(step.exclude_src, packet.src):
        return False
    return inside(step.match_src, packet.src) and inside(step.match_dst, packet.dst)


def _is_reply(packet: Packet) -> bool:
    return packet.proto in (PROTO_UDP, PROTO_ICMP) or (packet.proto == PROTO_TCP and packet.established)


def step_set(space: PacketSpace, step: NatStep) -> PacketSet:
    packets = space.valid
    if step.replies_only:
        packets &= space.protocol(PROTO_UDP) | space.protocol(PROTO_ICMP) | space.tcp_established()
    if step.exclude_src:
        packets &= ~space.prefixes("src", step.exclude_src)
    if step.match_src is not None:
        packets &= space.prefixes("src", step.match_src)
    if step.match_dst is not None:
        packets &= space.prefixes("dst", step.match_dst)
    return packets
