"""Filtering and routing consistency rules (rules.md, 対策基準 9.1(8)①): ACL-001..004,
ACL-006, ACL-007, RT-001.

ACL-002 is computed on exact packet sets (reach/packets.py): a line is unreachable when
every packet it matches is matched by earlier lines. Only lines the parser understood
exactly count as covering (an approximated line may match less than its stored superset);
the line under test may be approximated, because a superset that is covered proves its
real match is covered too.

A device's ordered policy (model.PolicyRule, rules/policies.py) is checked with the same
machinery: a policy line is unreachable when, on every interface pair its rule decides,
the earlier rules for that pair and the rule's own earlier lines match all its packets
(ACL-002); a reachable line that permits everything between zones is ACL-004; one that
permits any source, any destination or any service between zones is ACL-006; a rule that
permits sessions between zones without logging them is ACL-007.

With a store and the network's fingerprints (a cache folder), what a device's findings rest
on is kept between runs (rules/acl_kept.py): ACL-001, ACL-002, ACL-003 and RT-001 read the
device's model alone and keep its findings; ACL-006 reads where its interfaces lead too and
keeps them while the structure is the same; ACL-004 keeps what the device's ACLs and policy
permit and finds the zone boundaries anew. ACL-007 costs next to nothing and keeps nothing.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Collection, Iterable, Iterator
from dataclasses import dataclass

from ..cache import source_fingerprint
from ..model import (
    Acl,
    AclLine,
    Action,
    Device,
    Interface,
    Match,
    PolicyRule,
    Route,
    RouteKind,
    Source,
    format_prefix,
    int_to_ip,
    prefix_mask,
)
from ..reach.filters import rule_lines
from ..reach.packets import STORE_MIN_LINES, PacketSet, PacketSpace
from ..reach.precompile import Work
from ..redact import redact
from ..result import Finding
from .acl_kept import Compute, DeviceKept, findings_of_each, flattened
from .acl_overlap import OverlapIndex
from .base import GL_NETWORK, Check, Rule
from .device import violation, zone_boundary_interfaces
from .flows import FlowContext
from .policies import (
    PairGroup,
    crossing_zone_pairs,
    describe_crossings,
    judged,
    open_sides,
    pair_groups,
    policy_devices,
    positions,
    written_lines,
)

CLAUSE = "対策基準 9.1(8)①"
GUIDELINE = f"{GL_NETWORK}（ネットワークの接続制御、経路制御等）"
RULE_INFO: dict[str, tuple[str, str, str, str]] = {
    "ACL-001": (
        "error",
        CLAUSE,
        "Every ACL and object referenced is defined",
        "参照している ACL・オブジェクトがすべて定義されていること",
    ),
    "ACL-002": (
        "warning",
        CLAUSE,
        "No ACL line is unreachable (shadowed by earlier lines)",
        "先行する行に隠されて効かない ACL の行がないこと",
    ),
    "ACL-003": (
        "info",
        CLAUSE,
        "No ACL or object is defined and never used",
        "定義されたまま使われていない ACL・オブジェクトがないこと",
    ),
    "ACL-004": (
        "warning",
        CLAUSE,
        "No 'permit ip any any' on a zone-boundary interface",
        "領域の境界のインターフェースに permit ip any any がないこと",
    ),
    "ACL-006": (
        "warning",
        CLAUSE,
        "No policy between zones permits any source, any destination or any service",
        "領域間のポリシーで送信元・宛先・サービスのいずれかを「すべて」にしないこと",
    ),
    "ACL-007": (
        "warning",
        "対策基準 9.1(6)①",
        "Policies that permit traffic between zones log it",
        "領域間の通信を許可するポリシーではログを記録すること",
    ),
    "RT-001": (
        "warning",
        CLAUSE,
        "Every static route's next hop is reachable",
        "スタティックルートのネクストホップに到達できること",
    ),
}
KIND_LABELS: dict[str, tuple[str, str]] = {
    "acl": ("ACL", "ACL"),
    "ipv6-acl": ("IPv6 ACL", "IPv6 ACL"),
    "mac-acl": ("MAC ACL", "MAC ACL"),
    "object-group": ("object-group", "object-group"),
    "object": ("object", "object"),
    "route-map": ("route-map", "route-map"),
    "class-map": ("class-map", "class-map"),
}
# Covering lines examined one by one to find a small set (a shadowed line in a huge
# ACL keeps the first ones).
MAX_COVER_CANDIDATES = 64
MAX_COVER_EVIDENCE = 10
# Earlier lines sharing a line's destinations beyond which ACL-002 tests it against the
# union of every earlier line instead of building a union of its own.
MAX_OVERLAP_CANDIDATES = 256


def _violation(rule: str, device: str, en: str, ja: str, evidence: Iterable[tuple[Source, str]]) -> Finding:
    return violation(rule, RULE_INFO[rule][0], device, en, ja, evidence)


# --- ACL-001 / ACL-003: definitions and uses ------------------------------------------------


@dataclass(frozen=True)
class Use:
    kind: str
    name: str
    source: Source
    context: str
    mentioned: bool = False


def uses(device: Device, skip: Collection[tuple[str, str]] = ()) -> list[Use]:
    """Every use of a named object on the device: the parser's references plus the
    interface and global ACL bindings of the forwarding model (one per line). `skip`: (kind,
    name) of objects left out (ACL-001 asks about the undefined ones only; a firewall has
    tens of thousands of references)."""
    found: dict[tuple[str, str, str, int], Use] = {}
    for ref in device.mgmt.references:
        if (ref.kind, ref.name) in skip:
            continue
        key = (ref.kind, ref.name, ref.source.file, ref.source.line)
        if key not in found or found[key].mentioned:
            found[key] = Use(ref.kind, ref.name, ref.source, ref.context, ref.mentioned)
    for name, source, context in _bindings(device):
        found.setdefault(("acl", name, source.file, source.line), Use("acl", name, source, context))
    return sorted(found.values(), key=lambda use: (use.source.line, use.kind, use.name))


def _bindings(device: Device) -> Iterator[tuple[str, Source, str]]:
    """The forwarding model's ACL bindings, interfaces first: (ACL name, the binding line, where)."""
    for if_name in sorted(device.interfaces):
        interface = device.interfaces[if_name]
        for name, source, direction in (
            (interface.acl_in, interface.acl_in_source, "in"),
            (interface.acl_out, interface.acl_out_source, "out"),
        ):
            if name is not None and source is not None:
                yield name, source, f"interface {if_name} {direction}"
    for rule in device.policy or ():
        if rule.acl is not None:
            yield rule.acl, rule.source, _context(rule)


def _context(rule: PolicyRule) -> str:
    """Where a policy rule uses its ACL, in the words of interface bindings when it is one."""
    if rule.to_interfaces is None and rule.from_interfaces is None:
        return "global"
    if rule.to_interfaces is None and rule.from_interfaces is not None and len(rule.from_interfaces) == 1:
        return f"interface {rule.from_interfaces[0]} in"
    return f"policy {rule.name}"


def used_names(device: Device) -> set[tuple[str, str]]:
    """(kind, name) of every object `uses` lists (without making its records)."""
    used = {(ref.kind, ref.name) for ref in device.mgmt.references}
    used.update(("acl", name) for name, _, _ in _bindings(device))
    return used


def defined_names(device: Device) -> set[tuple[str, str]]:
    """(kind, name) of everything the device defines."""
    return {("acl", name) for name in device.acls} | {(d.kind, d.name) for d in device.mgmt.definitions}


def check_acl_001(ctx: FlowContext) -> list[Finding]:
    """ACL-001: every ACL, object-group, route-map and class-map that is used is defined."""
    return flattened(findings_of_each(ctx, "ACL-001", 1, _each_device(_acl_001_of)), 0)


def _each_device(check: Callable[[str, Device], list[Finding]]) -> Compute:
    """A rule's check of one device as `findings_of_each` computes the devices not kept."""
    return lambda chosen: {name: [check(name, device)] for name, device in chosen}


def _acl_001_of(name: str, device: Device) -> list[Finding]:
    findings = []
    undefined: dict[tuple[str, str], list[Use]] = {}
    defined = defined_names(device)
    for use in uses(device, defined):
        if not use.mentioned and (use.kind, use.name) not in defined:
            undefined.setdefault((use.kind, use.name), []).append(use)
    for (kind, object_name), places in sorted(undefined.items()):
        findings.append(_undefined_finding(name, device, kind, object_name, places))
    return findings


def _undefined_finding(device_name: str, device: Device, kind: str, name: str, places: list[Use]) -> Finding:
    label_en, label_ja = KIND_LABELS.get(kind, (kind, kind))
    first = places[0].source.where()
    contexts = ", ".join(dict.fromkeys(use.context for use in places if use.context))
    permits_all = (
        kind == "acl"
        and device.undefined_acl_permits
        and any(use.context.startswith(("interface ", "line ")) or use.context == "global" for use in places)
    )
    # A device that refuses to bind an undefined ACL (ASA `access-group`) filters there as if
    # no ACL were written, which is rarely what the author meant either.
    refused = (
        kind == "acl"
        and not device.undefined_acl_permits
        and any(use.context.startswith("access-group") for use in places)
    )
    consequence_en = (
        " The device treats a missing ACL as permitting everything there."
        if permits_all
        else " The device refuses the binding: no ACL filters there."
        if refused
        else ""
    )
    consequence_ja = (
        " 未定義の ACL はすべてを許可するものとして扱われます。"
        if permits_all
        else " 機器はこの適用を受け付けず、そこでは ACL によるフィルタが行われません。"
        if refused
        else ""
    )
    return _violation(
        "ACL-001",
        device_name,
        f"{first}: {label_en} '{name}' is used ({contexts or 'see evidence'}) but never defined.{consequence_en}",
        f"{first}: {label_ja}「{name}」が参照されています（{contexts or '根拠を参照'}）が、定義がありません。"
        f"{consequence_ja}",
        [(use.source, "uses undefined") for use in places],
    )


def check_acl_003(ctx: FlowContext) -> list[Finding]:
    """ACL-003: every defined ACL, object-group, route-map and class-map is used."""
    return flattened(findings_of_each(ctx, "ACL-003", 1, _each_device(_acl_003_of)), 0)


def _acl_003_of(name: str, device: Device) -> list[Finding]:
    findings = []
    used = used_names(device)
    for definition in device.mgmt.definitions:
        if (definition.kind, definition.name) in used:
            continue
        label_en, label_ja = KIND_LABELS.get(definition.kind, (definition.kind, definition.kind))
        where = definition.source.where()
        findings.append(
            _violation(
                "ACL-003",
                name,
                f"{where}: {label_en} '{definition.name}' is defined but never used.",
                f"{where}: {label_ja}「{definition.name}」は定義されていますが、どこからも使われていません。",
                [(definition.source, "defined, unused")],
            )
        )
    return findings


# --- ACL-002: unreachable lines -----------------------------------------------------------------


def exact(line: AclLine) -> bool:
    """The line's matches are exactly what the device matches."""
    return line.understood and not line.approximation


def line_set(space: PacketSpace, line: AclLine) -> PacketSet:
    """What the line's stored matches cover (a superset when the line is not exact),
    whatever its action: unlike `PacketSpace.line_match`, deny lines count too."""
    result = space.false
    for match in line.matches:
        result |= space.match(match)
    return result


@dataclass(frozen=True)
class Unreachable:
    """Line `index` of an ACL is never the first match: `cover` are indexes of earlier
    lines that together match every packet it matches; `empty` = it matches nothing."""

    index: int
    cover: tuple[int, ...]
    empty: bool


def check_acl_002(ctx: FlowContext) -> list[Finding]:
    """ACL-002: no ACL line is fully shadowed by earlier lines."""
    each = findings_of_each(ctx, "ACL-002", 2, lambda chosen: _acl_002_of(ctx, chosen))
    return flattened(each, 0) + flattened(each, 1)


def _acl_002_of(ctx: FlowContext, chosen: list[tuple[str, Device]]) -> dict[str, list[list[Finding]]]:
    """ACL-002 on the chosen devices: by device, the findings on its ACLs, then those on its policy."""
    found: dict[str, list[list[Finding]]] = {name: [[], []] for name, _ in chosen}
    keys: dict[tuple[str, str], str | None] = {}
    acls = [(name, acl_name, device.acls[acl_name]) for name, device in chosen for acl_name in sorted(device.acls)]
    for name, acl_name, acl in acls:
        keys[name, acl_name] = _shadow_key(ctx.space, acl)
    answers = _stored_unreachable_of_each(ctx.space, [(acl, keys[name, acl_name]) for name, acl_name, acl in acls])
    for (name, _, acl), items in zip(acls, answers, strict=True):
        for item in items:
            cover = [acl.lines[index] for index in item.cover]
            found[name][0].append(_unreachable_finding(name, acl, acl.lines[item.index], cover, item.empty))
    for finding in unreachable_policy_lines(ctx, keys, {name for name, _ in chosen}):
        found[finding.device][1].append(finding)
    return found


def _stored_unreachable_of_each(space: PacketSpace, acls: list[tuple[Acl, str | None]]) -> list[list[Unreachable]]:
    """`_stored_unreachable_lines` of each (ACL, store key); those not in the store are
    found together (`unreachable_lines_of_each`), sharing the lines they begin with."""
    answers: list[list[Unreachable] | None] = []
    for acl, key in acls:
        stored = None if space.store is None or key is None else _read_unreachable(space.store.get_record(key), acl)
        answers.append(stored)
    missing = [number for number, answer in enumerate(answers) if answer is None]
    found = unreachable_lines_of_each(space, [acls[number][0] for number in missing])
    for number, items in zip(missing, found, strict=True):
        answers[number] = items
        key = acls[number][1]
        if space.store is not None and key is not None:
            space.store.put_record(key, [[item.index, list(item.cover), item.empty] for item in items])
    return [answer or [] for answer in answers]


def stored_unreachable_lines(space: PacketSpace, acl: Acl) -> list[Unreachable]:
    """`unreachable_lines`, kept in the packet space's store for long ACLs: the answer
    depends only on the lines' matches, actions and exactness, and on this code."""
    return _stored_unreachable_lines(space, acl, _shadow_key(space, acl))


def _stored_unreachable_lines(space: PacketSpace, acl: Acl, key: str | None) -> list[Unreachable]:
    if space.store is None or key is None:
        return unreachable_lines(space, acl)
    stored = _read_unreachable(space.store.get_record(key), acl)
    if stored is not None:
        return stored
    found = unreachable_lines(space, acl)
    space.store.put_record(key, [[item.index, list(item.cover), item.empty] for item in found])
    return found


def shadow_work(space: PacketSpace, devices: Iterable[Device]) -> list[Work]:
    """ACL-002 on every long ACL not in the store yet, as work to share over the cores
    before the rules run (see reach/precompile.py)."""
    work = []
    for device in devices:
        for _, acl in sorted(device.acls.items()):
            key = _shadow_key(space, acl)
            if space.store is not None and key is not None and not space.store.has_record(key):
                work.append(Work(stored_unreachable_lines, acl, 2 * len(acl.lines)))
    return work


def _shadow_key(space: PacketSpace, acl: Acl) -> str | None:
    """The key of what ACL-002 reads of a long ACL: its lines' matches, actions and exactness,
    and this code."""
    if space.store is None or len(acl.lines) < STORE_MIN_LINES:
        return None
    return space.lines_key("acl-002", acl, exact, shadow_salt())


def shadow_salt() -> str:
    """The salt of ACL-002's digest of a long ACL's lines (`lines_digest` with `exact`): this code."""
    return source_fingerprint("rules/acl.py", "rules/acl_overlap.py")


def _read_unreachable(record: object, acl: Acl) -> list[Unreachable] | None:
    """What `stored_unreachable_lines` wrote for `acl`, or None for anything else (then
    recompute). The record is authenticated (reach/store.py), and checked in shape anyway:
    each index must name a line of this ACL (lines in order, each covered only by earlier
    lines, an empty line by none), so no record can point a finding at a wrong line."""
    if not isinstance(record, list):
        return None
    found: list[Unreachable] = []
    for item in record:
        if not (
            isinstance(item, list)
            and len(item) == 3
            and type(item[0]) is int
            and isinstance(item[1], list)
            and all(type(index) is int for index in item[1])
            and isinstance(item[2], bool)
        ):
            return None
        index, cover, empty = item
        if not (
            0 <= index < len(acl.lines)
            and (not found or found[-1].index < index)
            and all(0 <= earlier < index for earlier in cover)
            and not (empty and cover)
        ):
            return None
        found.append(Unreachable(index, tuple(cover), empty))
    return found


def unreachable_lines(space: PacketSpace, acl: Acl, limit: int = MAX_OVERLAP_CANDIDATES) -> list[Unreachable]:
    """Every line of `acl` whose matches are covered by earlier exact lines. Each line is
    tested against the union of the earlier lines that can overlap it (`OverlapIndex`),
    which on long firewall ACLs is a handful of lines; when too many earlier lines share
    its destinations, against the union of all of them, kept up to date only on demand.
    (One union per /16 destination block was tried: twice as slow as a single union.)"""
    scan = _ShadowScan(space, limit)
    found = [scan.step(number, line) for number, line in enumerate(acl.lines)]
    return [item for item in found if item is not None]


class _ShadowScan:
    """`unreachable_lines` part way through an ACL: what the lines so far left behind. The
    packet set of an earlier exact line is built when a union or a cover first needs it: on a
    firewall's ACL most lines are never a candidate of a line whose union is tested."""

    def __init__(self, space: PacketSpace, limit: int) -> None:
        self.space = space
        self.index = OverlapIndex(limit)
        self.earlier_lines: list[tuple[int, AclLine]] = []
        self.earlier_sets: list[PacketSet | None] = []
        self.covered, self.covered_upto = space.false, 0
        self.unions = _Unions(space)

    def copy(self) -> _ShadowScan:
        other = _ShadowScan(self.space, self.index.limit)
        other.index = self.index.copy()
        other.earlier_lines = list(self.earlier_lines)
        other.earlier_sets = list(self.earlier_sets)
        other.covered, other.covered_upto = self.covered, self.covered_upto
        other.unions = self.unions.copy()
        return other

    def step(self, number: int, line: AclLine) -> Unreachable | None:
        """Line `number` (every earlier line has been stepped): unreachable or not."""
        space = self.space
        candidates = self.index.candidates(line)
        matched = None
        if candidates is None:
            matched = line_set(space, line)
            candidates = _cover_by_witnesses(space, matched, self.index, self.packets)
        found = None
        # A match's packets are a product of its fields' values: when it has packets, it has one
        # from each of its source addresses, and when they outnumber the candidates' one of them
        # is in no candidate: the line is reachable, found without a set of its own.
        outnumbered = (
            candidates is not None and self.index.sources_outnumber(line, candidates) and _has_packets(space, line)
        )
        if not outnumbered:
            if matched is None:
                matched = line_set(space, line)
            overlapping: list[tuple[int, PacketSet]] | None = None
            if candidates is None:
                # Only the lines added since the last such line join the running union; the
                # whole list is made only for the cover of a line found unreachable.
                for _, packets in self.earlier(range(self.covered_upto, len(self.earlier_lines))):
                    self.covered |= packets
                self.covered_upto = len(self.earlier_lines)
                union = self.covered
            else:
                overlapping = self.earlier(candidates)
                union = self.unions.union(candidates, overlapping)
            if space.subset(matched, union):
                if overlapping is None:
                    overlapping = self.earlier(range(len(self.earlier_lines)))
                empty = matched == space.false
                found = Unreachable(number, () if empty else covering_lines(space, matched, overlapping), empty)
        if exact(line):
            self.index.add(line)
            self.earlier_lines.append((number, line))
            self.earlier_sets.append(matched)
        return found

    def packets(self, position: int) -> PacketSet:
        """The packet set of the earlier exact line at `position`."""
        return self.earlier([position])[0][1]

    def earlier(self, positions: Iterable[int]) -> list[tuple[int, PacketSet]]:
        """The earlier exact lines at `positions`, by line number with their packet sets."""
        lines, sets = self.earlier_lines, self.earlier_sets
        found = []
        for position in positions:
            packets = sets[position]
            if packets is None:
                packets = sets[position] = line_set(self.space, lines[position][1])
            found.append((lines[position][0], packets))
        return found


def _has_packets(space: PacketSpace, line: AclLine) -> bool:
    """Whether the line's single match has packets, found without building its set: a
    match's addresses are independent of its other fields, so it has packets when each of
    its address lists names some address and its other fields have packets together (a set
    made once per combination of those fields)."""
    (match,) = line.matches
    if match.src == () or match.dst == ():
        return False
    rest = Match(
        protocols=match.protocols,
        src_ports=match.src_ports,
        dst_ports=match.dst_ports,
        established=match.established,
        icmp=match.icmp,
    )
    return bool(space.match(rest) != space.false)


# What `unreachable_lines` reads of a line.
LineKey = tuple[Action, tuple[Match, ...], bool]


def unreachable_lines_of_each(
    space: PacketSpace, acls: list[Acl], limit: int = MAX_OVERLAP_CANDIDATES
) -> list[list[Unreachable]]:
    """`unreachable_lines` of each ACL. A line's answer depends only on it and the lines
    before it, so ACLs that begin with the same lines (an access layer's SVI ACLs: one of a
    few templates each, then its own anti-spoofing line) share the scan of those lines: the
    ACLs are walked as a tree of their line prefixes, and a scan is copied only where their
    lines part."""
    numbered: dict[LineKey, int] = {}
    keys = [[numbered.setdefault(_line_key(line), len(numbered)) for line in acl.lines] for acl in acls]
    results: list[list[Unreachable]] = [[] for _ in acls]
    # (depth, the ACLs that share the lines before it, the scan of those lines and what it
    # found, whether the scan is this branch's own or its siblings' still to copy)
    pending: list[tuple[int, list[int], _ShadowScan, tuple[Unreachable, ...], bool]]
    pending = [(0, list(range(len(acls))), _ShadowScan(space, limit), (), True)]
    while pending:
        depth, members, scan, found_before, own = pending.pop()
        scan = scan if own else scan.copy()
        found = list(found_before)
        while True:
            for member in members:
                if len(keys[member]) == depth:
                    results[member] = list(found)
            branches: dict[int, list[int]] = {}
            for member in members:
                if len(keys[member]) > depth:
                    branches.setdefault(keys[member][depth], []).append(member)
            if len(branches) != 1:
                break
            (members,) = branches.values()
            item = scan.step(depth, acls[members[0]].lines[depth])
            if item is not None:
                found.append(item)
            depth += 1
        # the first branch is taken last (the stack pops the others first): it takes the scan
        for number, branch in enumerate(branches.values()):
            pending.append((depth, branch, scan, tuple(found), number == 0))
    return results


def _line_key(line: AclLine) -> LineKey:
    return line.action, line.matches, exact(line)


def _cover_by_witnesses(
    space: PacketSpace, matched: PacketSet, index: OverlapIndex, packets: Callable[[int], PacketSet], rounds: int = 8
) -> list[int] | None:
    """For a line whose destinations too many earlier lines share (a final `deny ip any
    any`): take a packet of the line not yet accounted for, add the earlier lines that
    match it, and repeat. Returns the positions of those lines once they cover the line
    (all of them: a cover), or once a packet no earlier line matches is found (then no
    cover exists, and the lines found so far are as good as any); None after `rounds`
    packets without an answer."""
    chosen: set[int] = set()
    union = space.false
    for _ in range(rounds):
        packet = space.pick(matched & ~union)
        if packet is None:
            return sorted(chosen)
        point = space.packet(packet)
        hits = [
            position
            for position in index.containing(packet.dst)
            if position not in chosen and packets(position) & point != space.false
        ]
        if not hits:
            return sorted(chosen)
        chosen.update(hits)
        for position in hits:
            union |= packets(position)
    return None


class _Unions:
    """Unions of earlier lines, kept by the positions of the lines they join: lines to the
    same servers share most of their overlapping lines (the ACL's first block of bogon
    sources, then the server group's earlier services), so a union is mostly an earlier
    one plus a line or two."""

    def __init__(self, space: PacketSpace) -> None:
        self.space = space
        self._known: dict[tuple[int, ...], PacketSet] = {(): space.false}

    def copy(self) -> _Unions:
        other = _Unions(self.space)
        other._known = dict(self._known)
        return other

    def union(self, positions: list[int], lines: list[tuple[int, PacketSet]]) -> PacketSet:
        key = tuple(positions)
        start = len(key)
        while key[:start] not in self._known:
            start -= 1
        union = self._known[key[:start]]
        for _, packets in lines[start:]:
            union |= packets
        self._known[key] = union
        return union


def covering_lines(space: PacketSpace, matched: PacketSet, earlier: list[tuple[int, PacketSet]]) -> tuple[int, ...]:
    """A small set of earlier lines whose union holds `matched`: those that overlap it,
    then each dropped (latest first) while the rest still cover."""
    overlapping = [(index, packets) for index, packets in earlier if packets & matched != space.false]
    if len(overlapping) > MAX_COVER_CANDIDATES:
        return tuple(index for index, _ in overlapping)
    kept = list(overlapping)
    for candidate, _ in reversed(overlapping):
        rest = [item for item in kept if item[0] != candidate]
        union = space.false
        for _, packets in rest:
            union |= packets
        if rest and space.subset(matched, union):
            kept = rest
    return tuple(index for index, _ in kept)


def _unreachable_finding(device: str, acl: Acl, line: AclLine, cover: list[AclLine], empty: bool) -> Finding:
    where = line.source.where()
    text = redact(line.source.text.strip())
    evidence = [(line.source, "unreachable")] + [(c.source, "matches first") for c in cover[:MAX_COVER_EVIDENCE]]
    if empty:
        return _violation(
            "ACL-002",
            device,
            f"{where}: ACL '{acl.name}': '{text}' matches no packet at all (e.g. an empty object-group or port range).",
            f"{where}: ACL「{acl.name}」の「{text}」は、どのパケットにも一致しません（空の object-group や"
            f"ポート範囲など）。",
            evidence,
        )
    lines = ", ".join(str(c.source.line) for c in cover[:MAX_COVER_EVIDENCE])
    tail_en, tail_ja = _shadow_consequence(line, cover)
    return _violation(
        "ACL-002",
        device,
        f"{where}: ACL '{acl.name}': '{text}' is never reached; every packet it matches is decided earlier "
        f"(line {lines}).{tail_en}",
        f"{where}: ACL「{acl.name}」の「{text}」は効きません。一致するパケットはすべて先行する行（{lines} 行目）で"
        f"判定済みです。{tail_ja}",
        evidence,
    )


def _shadow_consequence(line: AclLine, cover: list[AclLine]) -> tuple[str, str]:
    if any(c.action is not line.action for c in cover):
        return (
            f" Some of them {_verb(_opposite(line.action))} what this line would {_verb(line.action)}: "
            f"its intent is not applied.",
            f" その中には逆の動作（{_opposite(line.action).value}）の行があり、この行の意図は反映されません。",
        )
    return " The line is redundant.", " この行は冗長です。"


def _opposite(action: Action) -> Action:
    return Action.DENY if action is Action.PERMIT else Action.PERMIT


def _verb(action: Action) -> str:
    return "permit" if action is Action.PERMIT else "deny"


# --- ACL-004: permit any any at a zone boundary ---------------------------------------------------


def check_acl_004(ctx: FlowContext) -> list[Finding]:
    """ACL-004: no ACL bound on a zone-boundary interface permits everything, by one
    reachable `permit ip any any` line or as a whole. A global ACL (ASA) filters inbound
    on every named interface after the interface's own ACL. What a device's ACLs and policy
    permit is kept between runs (rules/acl_kept.py); which interfaces and rules sit at a
    zone boundary is found anew."""
    findings = []
    # Its answers are indexes into the device's model (lines, policy positions): any path.
    kept = DeviceKept(ctx, "ACL-004", any_path=True)
    for device_name, if_name in sorted(zone_boundary_interfaces(ctx.network)):
        device = ctx.network.devices[device_name]
        interface = device.interfaces.get(if_name)
        if interface is None:
            continue
        for acl_name, binding, direction in (
            (interface.acl_in, interface.acl_in_source, "in"),
            (interface.acl_out, interface.acl_out_source, "out"),
        ):
            acl = device.acls.get(acl_name) if acl_name is not None else None
            if acl is None or binding is None:
                continue
            found = _kept_permit_all(ctx.space, kept, device_name, f"acl:{acl_name}", acl)
            if found is not None:
                findings.append(
                    _permit_all_finding(device_name, if_name, acl, direction, found, binding, "bound at zone boundary")
                )
        found_policy = _kept_policy_permit_all(ctx.space, kept, device_name, device, if_name)
        if found_policy is not None:
            rule, acl, found = found_policy
            role = "bound globally" if rule.from_interfaces is None else "bound at zone boundary"
            findings.append(_permit_all_finding(device_name, if_name, acl, "in", found, rule.source, role))
    findings += _policy_permits_all(ctx, kept)
    kept.save()
    return findings


def _kept_permit_all(space: PacketSpace, kept: DeviceKept, device_name: str, question: str, acl: Acl) -> Source | None:
    """Where the ACL permits everything (`_permit_all_index`), kept as the line's index (-1:
    the ACL as a whole; [] for none)."""
    answer = kept.get(device_name, question)
    valid = isinstance(answer, list) and (
        answer == [] or (len(answer) == 1 and type(answer[0]) is int and -1 <= answer[0] < len(acl.lines))
    )
    if not valid:
        found = _permit_all_index(space, acl)
        answer = [] if found is None else [found]
        kept.put(device_name, question, answer)
    return None if not answer else _found_source(acl, answer[0])


def _found_source(acl: Acl, index: int) -> Source:
    return acl.source if index < 0 else acl.lines[index].source


def _permit_all_finding(
    device_name: str, if_name: str, acl: Acl, direction: str, found: Source, binding: Source, binding_role: str
) -> Finding:
    where, text = found.where(), redact(found.text.strip())
    return _violation(
        "ACL-004",
        device_name,
        f"{where}: ACL '{acl.name}' on zone-boundary interface {if_name} ({direction}) permits every packet "
        f"that reaches '{text}'.",
        f"{where}: 領域の境界のインターフェース {if_name}（{direction}）の ACL「{acl.name}」が、"
        f"「{text}」に達したすべてのパケットを許可しています。",
        [(found, "permits everything"), (binding, binding_role)],
    )


def _kept_policy_permit_all(
    space: PacketSpace, kept: DeviceKept, device_name: str, device: Device, if_name: str
) -> tuple[PolicyRule, Acl, Source] | None:
    """The first line of the policy rules from `if_name` to any interface that permits every
    packet reaching it, with its rule and the list it is reported in (`_policy_steps`); None
    when there is none. Rules restricted to some interfaces out do not permit everything from
    `if_name`; rules with inline lines (zone-based firewalls) are judged by
    `_policy_permits_all` instead. Kept as the rule's position and the line's index in its
    list (-1: the list as a whole), [] for none."""
    question = f"policy:{if_name}"
    answer = kept.get(device_name, question)
    if answer == []:
        return None
    if isinstance(answer, list) and len(answer) == 2 and all(type(number) is int for number in answer):
        for position, rule, combined, earlier in _policy_steps(device, if_name):
            if position == answer[0]:
                if -1 <= answer[1] < len(combined.lines):
                    return _unless_earlier(rule, combined, earlier, answer[1])
                break
    for position, rule, combined, earlier in _policy_steps(device, if_name):
        found = _permit_all_index(space, combined)
        if found is not None:
            kept.put(device_name, question, [position, found])
            return _unless_earlier(rule, combined, earlier, found)
    kept.put(device_name, question, [])
    return None


def _unless_earlier(
    rule: PolicyRule, combined: Acl, earlier: tuple[AclLine, ...], index: int
) -> tuple[PolicyRule, Acl, Source] | None:
    """A line of the rules before decides first: reported where that rule is bound, not here."""
    found = _found_source(combined, index)
    return None if found in {line.source for line in earlier} else (rule, combined, found)


def _policy_steps(device: Device, if_name: str) -> Iterator[tuple[int, PolicyRule, Acl, tuple[AclLine, ...]]]:
    """The policy rules from `if_name` to any interface that apply a named ACL, in order: its
    position, the rule, the list its lines are reported in (those of the rules before and its
    own, named after its ACL) and the lines before its own."""
    interface = device.interfaces[if_name]
    if device.policy is None or not interface.passes_traffic:
        return
    earlier: tuple[AclLine, ...] = ()
    for position, rule in enumerate(device.policy):
        if rule.to_interfaces is not None or (rule.from_interfaces is not None and if_name not in rule.from_interfaces):
            continue
        acl = device.acls.get(rule.acl) if rule.acl is not None else None
        lines = rule_lines(device, rule)
        if rule.acl is None:
            # Inline policy lines are judged between zones (`_policy_permits_all`).
            earlier += lines or ()
            continue
        name, source = (acl.name, acl.source) if acl is not None else (rule.name, rule.source)
        yield position, rule, Acl(name, earlier + lines, source, acl.kind if acl is not None else "extended"), earlier
        earlier += lines


def may_match_everything(line: AclLine) -> bool:
    """False when the line's matches, counted field by field, are too few to cover every
    protocol, source and destination (an upper bound: overlaps only make the union
    smaller), so that long ACLs are not compiled line by line to find `permit ip any any`."""
    matches = line.matches
    if not matches:
        return False
    if all(m.protocols is not None for m in matches) and len({p for m in matches for p in m.protocols or ()}) < 256:
        return False
    for field in ("src", "dst"):
        patterns = [getattr(m, field) for m in matches]
        if (
            all(p is not None for p in patterns)
            and sum(1 << bin(w.wildcard).count("1") for p in patterns for w in p or ()) < 1 << 32
        ):
            return False
    return True


def _permit_all_index(space: PacketSpace, acl: Acl) -> int | None:
    """The index of the reachable exact line that permits every packet, else -1 (the ACL's
    own line) when its exact lines together permit everything; None otherwise."""
    for index, line in enumerate(acl.lines):
        permits_all = (
            line.action is Action.PERMIT
            and exact(line)
            and may_match_everything(line)
            and line_set(space, line) == space.valid
        )
        if permits_all and space.first_match_region(acl, index) != space.false:
            return index
    if acl.lines and all(exact(line) for line in acl.lines) and space.acl_permits(acl) == space.valid:
        return -1
    return None


# --- RT-001: static route next hops ----------------------------------------------------------------


def check_rt_001(ctx: FlowContext) -> list[Finding]:
    """RT-001: every static route's next hop is on a connected subnet or resolves through
    another route; its exit interface exists and is up."""
    return flattened(findings_of_each(ctx, "RT-001", 1, _each_device(_rt_001_of)), 0)


def _rt_001_of(name: str, device: Device) -> list[Finding]:
    findings = []
    connected: ConnectedByTable = {}  # a core's thousands of routes resolve against the same subnets
    for route in device.routes:
        if route.discard or route.kind is not RouteKind.STATIC:
            continue
        problem = _route_problem(device, route, connected)
        if problem is not None:
            en, ja = problem
            where = route.source.where()
            findings.append(
                _violation(
                    "RT-001",
                    name,
                    f"{where}: static route {route.describe()}: {en}",
                    f"{where}: スタティックルート {route.describe()}: {ja}",
                    [(route.source, "static route")],
                )
            )
    return findings


def _route_problem(device: Device, route: Route, connected: ConnectedByTable | None = None) -> tuple[str, str] | None:
    if route.interface is not None:
        interface = device.interfaces.get(route.interface)
        if interface is None:
            return (
                f"exit interface {route.interface} is not defined; the route is never installed.",
                f"出力インターフェース {route.interface} が定義されておらず、経路は登録されません。",
            )
        if interface.shutdown:
            state_en, state_ja = _down_state(interface)
            return (
                f"exit interface {route.interface} is {state_en}; the route is never installed.",
                f"出力インターフェース {route.interface} が{state_ja}、経路は登録されません。",
            )
        return None
    if route.next_hop is None:
        return None
    status = _resolve(device, route, frozenset(), {} if connected is None else connected)
    if status == "ok" or _may_resolve_elsewhere(device):
        return None
    hop = int_to_ip(route.next_hop)
    if status == "discard":
        return (
            f"next hop {hop} resolves only through a discard (Null0) route: traffic is dropped.",
            f"ネクストホップ {hop} は破棄ルート（Null0）でしか解決されず、通信は破棄されます。",
        )
    shut = _shut_interface_on(device, route.next_hop)
    hint_en = f" (it lies on the subnet of {shut[0]}, which is {shut[1]})" if shut else ""
    hint_ja = f"（{shut[2]} {shut[0]} のサブネット上です）" if shut else ""
    return (
        f"next hop {hop} is on no connected subnet and no other route leads to it{hint_en}; "
        f"the route is never installed.",
        f"ネクストホップ {hop} は直接接続のサブネット上になく、他の経路でも到達できません{hint_ja}。"
        f"経路は登録されません。",
    )


# VRF table -> the (network, prefix length) of the device's connected subnets in it.
ConnectedByTable = dict[str, tuple[tuple[int, int], ...]]


def _connected(device: Device, vrf: str, known: ConnectedByTable) -> tuple[tuple[int, int], ...]:
    found = known.get(vrf)
    if found is None:
        found = known[vrf] = tuple(
            (address.network, address.prefix_length)
            for interface in device.interfaces.values()
            if not interface.shutdown and interface.vrf == vrf
            for address in interface.addresses
        )
    return found


def _resolve(device: Device, route: Route, visited: frozenset[int], connected: ConnectedByTable) -> str:
    """ok | discard | unresolved: how the route's next hop resolves (recursively)."""
    if route.discard:
        return "discard"
    if route.interface is not None:
        interface = device.interfaces.get(route.interface)
        return "ok" if interface is not None and not interface.shutdown else "unresolved"
    if route.next_hop is None:
        return "unresolved"
    hop = route.next_hop
    # The next hop resolves in the route's VRF table, or in the one it names (a leak).
    table = route.vrf if route.next_hop_vrf is None else route.next_hop_vrf
    if any(hop & prefix_mask(length) == network for network, length in _connected(device, table, connected)):
        return "ok"
    visited = visited | {id(route)}
    candidates = [
        other
        for other in device.routes
        if id(other) not in visited
        and other.vrf == table
        and other.kind is RouteKind.STATIC
        and hop & prefix_mask(other.prefix_length) == other.prefix
    ]
    # The longest installed match decides; a route that does not resolve is not installed.
    for other in sorted(candidates, key=lambda r: -r.prefix_length):
        status = _resolve(device, other, visited, connected)
        if status != "unresolved":
            return status
    return "unresolved"


def _may_resolve_elsewhere(device: Device) -> bool:
    """Dynamic routing or an address learned at run time may provide the next hop."""
    if device.dynamic_routing:
        return True
    return any(
        facts.address_unknown and not device.interfaces[name].shutdown
        for name, facts in device.mgmt.interfaces.items()
        if name in device.interfaces
    )


def _shut_interface_on(device: Device, address: int) -> tuple[str, str, str] | None:
    """(interface and subnet, why it is down in English, the same as a Japanese modifier)."""
    for name in sorted(device.interfaces):
        interface = device.interfaces[name]
        if interface.shutdown and any(address & prefix_mask(a.prefix_length) == a.network for a in interface.addresses):
            where = f"{name} ({format_prefix(interface.addresses[0].network, interface.addresses[0].prefix_length)})"
            state_en, _ = _down_state(interface)
            link = dict(interface.properties).get("link_ja")
            return where, state_en, f"リンクがダウンしている（{link}）" if link else "shutdown されている"
    return None


def _down_state(interface: Interface) -> tuple[str, str]:
    """Why an interface is down: shut down, or down for lack of a link (the parser's
    ("link", ...) / ("link_ja", ...) properties: autostate, a redundant interface without
    members); in English, and in Japanese as "…ており"."""
    properties = dict(interface.properties)
    if "link" in properties:
        reason_en = properties["link"].removeprefix("down: ")
        return f"down ({reason_en})", f"リンクダウンしており（{properties.get('link_ja', reason_en)}）"
    return "shut down", " shutdown されており"


# --- policies: ACL-002 (unreachable lines), ACL-004, ACL-006, ACL-007 ------------------------


class _PolicySets:
    """Packet sets of one device's policy rules: each rule's exact lines, and the union of
    the lines of a set of rules, kept because many pairs meet the same earlier rules. Only
    earlier rules with a line that can overlap the line under test can decide its packets
    first (`OverlapIndex`, as for ACL-002 on ACLs), so unions are built of those alone."""

    def __init__(self, space: PacketSpace, device: Device) -> None:
        self.space = space
        self.device = device
        self.pairs = pair_groups(device)
        self._groups: dict[int, list[PairGroup]] = {}
        self._lines: dict[int, list[tuple[AclLine, PacketSet]]] = {}
        self._unions: dict[int, PacketSet] = {0: space.false}
        self._built_in: dict[int, bool] = {}
        self._built_in_rules = sum(1 << at for at, rule in enumerate(device.policy or ()) if not rule.configured)
        self._live: dict[int, list[PairGroup]] = {}
        self._index = OverlapIndex(MAX_OVERLAP_CANDIDATES)
        self._owners: list[int] = []  # the rule of each line in the index
        self._indexed = 0  # rules whose exact lines are in the index

    def overlapping(self, position: int, line: AclLine) -> int | None:
        """A bit mask of the rules before `position` with an exact line that may overlap
        `line`; None when too many do to tell (then every earlier rule counts)."""
        while self._indexed < position:
            for indexed, _ in self.exact_lines(self._indexed):
                self._index.add(indexed)
                self._owners.append(self._indexed)
            self._indexed += 1
        candidates = self._index.candidates(line)
        if candidates is None:
            return None
        mask = 0
        for candidate in candidates:
            owner = self._owners[candidate]
            if owner < position:
                mask |= 1 << owner
        return mask

    def reachable(self, position: int, item: _PolicyLine) -> bool:
        """Some packet of the line meets no earlier rule's line first on some pair it decides."""
        overlap = self.overlapping(position, item.line)
        for group in self.live_groups(position):
            mask = group.earlier if overlap is None else group.earlier & overlap
            if not self.space.subset(item.packets, self.union(mask) | item.own):
                return True
        return False

    def exact_lines(self, position: int) -> list[tuple[AclLine, PacketSet]]:
        """The rule's exact lines with their packets; none for a rule whose ACL is not
        defined (what it matches is not known here, so it is never taken to cover)."""
        if position not in self._lines:
            lines = written_lines(self.device, (self.device.policy or ())[position]) or ()
            self._lines[position] = [(line, line_set(self.space, line)) for line in lines if exact(line)]
        return self._lines[position]

    def groups(self, position: int) -> list[PairGroup]:
        if position not in self._groups:
            self._groups[position] = self.pairs.groups(position)
        return self._groups[position]

    def live_groups(self, position: int) -> list[PairGroup]:
        """The rule's pair groups, without those where rules stating the device's built-in
        behaviour deny every packet first (the ASA's gate between two interfaces of the same
        level): nothing anyone wrote is judged on a pair the device never forwards."""
        if position not in self._live:
            self._live[position] = [group for group in self.groups(position) if not self._closed(group.earlier)]
        return self._live[position]

    def _closed(self, mask: int) -> bool:
        mask &= self._built_in_rules
        if not mask:
            return False
        if mask not in self._built_in:
            policy = self.device.policy or ()
            built_in = [line for at in positions(mask) if not policy[at].configured for line in self.exact_lines(at)]
            denied = self.space.false
            for _, packets in built_in:
                denied |= packets
            closed = denied == self.space.valid and all(line.action is Action.DENY for line, _ in built_in)
            self._built_in[mask] = closed
        return self._built_in[mask]

    def union(self, mask: int) -> PacketSet:
        """The packets the rules of a bit mask match. A rule's groups mostly extend the
        previous rule's by that rule, so the mask without its last rule is usually known."""
        known = self._unions.get(mask)
        if known is not None:
            return known
        last = mask.bit_length() - 1
        rest = mask & ~(1 << last)
        known = self._unions.get(rest)
        chosen = [last] if known is not None else positions(mask)
        if known is None:
            known = self.space.false
        for position in chosen:
            for _, packets in self.exact_lines(position):
                known |= packets
        self._unions[mask] = known
        return known


@dataclass(frozen=True)
class _PolicyLine:
    """One line of a policy rule, with `own`: the packets of the rule's earlier exact lines
    that may overlap it (the others share no packet with it, so they never change whether
    its packets are covered)."""

    index: int
    line: AclLine
    packets: PacketSet
    own: PacketSet


def _policy_lines(sets: _PolicySets, lines: tuple[AclLine, ...]) -> Iterator[_PolicyLine]:
    """The rule's lines in order. `own` is joined from the overlapping earlier lines alone, as
    in `unreachable_lines`: the union of every earlier line of a long ACL grows with it and made
    each line cost more than the last; it is still built, on demand, when too many earlier
    lines share a line's destinations."""
    space = sets.space
    index = OverlapIndex(MAX_OVERLAP_CANDIDATES)
    earlier: list[tuple[int, PacketSet]] = []
    everything, everything_upto = space.false, 0
    unions = _Unions(space)
    for number, line in enumerate(lines):
        packets = line_set(space, line)
        candidates = index.candidates(line)
        if candidates is None:
            for _, more in earlier[everything_upto:]:
                everything |= more
            everything_upto = len(earlier)
            own = everything
        else:
            own = unions.union(candidates, [earlier[position] for position in candidates])
        yield _PolicyLine(number, line, packets, own)
        if exact(line):
            index.add(line)
            earlier.append((number, packets))


def unreachable_policy_lines(
    ctx: FlowContext, acl_keys: dict[tuple[str, str], str | None] | None = None, chosen: Collection[str] | None = None
) -> list[Finding]:
    """ACL-002 on policies: rules that decide no interface pair, and lines no packet of any
    pair their rule decides reaches. A line of a named ACL that the ACL's own earlier lines
    already shadow is left to ACL-002 on the ACL. `acl_keys`: the store keys ACL-002 on the
    device's ACLs used, by (device, ACL name). `chosen`: the devices to check (None: all)."""
    findings = []
    for name, device, policy in policy_devices(ctx.network):
        if chosen is not None and name not in chosen:
            continue
        sets = _PolicySets(ctx.space, device)
        known = {acl: key for (owner, acl), key in (acl_keys or {}).items() if owner == name and key is not None}
        for position, index in stored_policy_shadows(sets, known):
            rule = policy[position]
            if index is None:
                findings.append(_policy_nowhere_finding(name, rule))
                continue
            line = (written_lines(device, rule) or ())[index]
            # the finding finds its cover among all earlier lines itself: `own` is not read
            item = _PolicyLine(index, line, line_set(ctx.space, line), ctx.space.false)
            findings.append(_policy_unreachable_finding(ctx.space, sets, name, position, item))
    return findings


# (rule position, line index) of an unreachable policy line; index None: the rule decides no pair
PolicyShadow = tuple[int, int | None]


def policy_shadows(sets: _PolicySets) -> list[PolicyShadow]:
    """What `unreachable_policy_lines` reports on one device, in policy order."""
    found: list[PolicyShadow] = []
    for position, rule in enumerate(sets.device.policy or ()):
        lines = written_lines(sets.device, rule)
        if lines is None or not judged(rule):
            continue
        if not sets.groups(position):
            found.append((position, None))
            continue
        if not sets.live_groups(position) or _only_own_lines_first(sets, position, rule):
            continue
        for item in _policy_lines(sets, lines):
            shadowed_by_itself = rule.acl is not None and sets.space.subset(item.packets, item.own)
            if not (shadowed_by_itself or sets.reachable(position, item)):
                found.append((position, item.index))
    return found


def _only_own_lines_first(sets: _PolicySets, position: int, rule: PolicyRule) -> bool:
    """A rule applying a named ACL where no earlier rule decides any of its live pairs (the
    ASA's access-groups, one per interface): on every pair only the ACL's own earlier lines
    come first, so a line is unreachable there exactly when its ACL shadows it, which is
    left to ACL-002 on the ACL. `policy_shadows` reports none of its lines: skipping them
    spares a pass over thousands of lines that finds nothing."""
    return rule.acl is not None and not any(group.earlier for group in sets.live_groups(position))


def stored_policy_shadows(sets: _PolicySets, acl_keys: dict[str, str] | None = None) -> list[PolicyShadow]:
    """`policy_shadows`, kept in the packet space's store for long policies as
    `stored_unreachable_lines` keeps ACL-002 on long ACLs, so that a warm run reuses it.
    `acl_keys`: the `stored_unreachable_lines` keys of the device's long ACLs, by name."""
    space = sets.space
    key = _policy_shadow_key(sets, acl_keys or {})
    if space.store is None or key is None:
        return policy_shadows(sets)
    stored = _read_policy_shadows(space.store.get_record(key), sets.device)
    if stored is not None:
        return stored
    found = policy_shadows(sets)
    space.store.put_record(key, [[position, index] for position, index in found])
    return found


def _policy_shadow_key(sets: _PolicySets, acl_keys: dict[str, str]) -> str | None:
    """The key of everything `policy_shadows` reads: per rule whether it is configured and
    names an ACL, its lines' matches, actions and exactness, and the earlier rules of each
    of its pair groups (what the device's interfaces make of the policy). A long named ACL's
    lines are stood for by the key ACL-002 on that ACL used (a hash of the same content):
    writing out thousands of lines again was most of a warm run's policy check."""
    space, device = sets.space, sets.device
    policy = device.policy or ()
    written = [written_lines(device, rule) for rule in policy]
    if space.store is None or sum(len(lines or ()) for lines in written) < STORE_MIN_LINES:
        return None
    content = (
        source_fingerprint("rules/acl.py", "rules/acl_overlap.py", "rules/policies.py"),
        tuple(
            (
                rule.configured,
                rule.acl is not None,
                _lines_content(lines, acl_keys.get(rule.acl or "") if rule.acl is not None else None),
                tuple(group.earlier for group in sets.groups(position)),
            )
            for position, (rule, lines) in enumerate(zip(policy, written, strict=True))
        ),
    )
    return space.store.key("acl-002-policy", content, space.layout)


def _lines_content(lines: tuple[AclLine, ...] | None, acl_key: str | None) -> object:
    if lines is None:
        return None
    if acl_key is not None:
        return acl_key
    return tuple((line.action, line.matches, exact(line)) for line in lines)


def _read_policy_shadows(record: object, device: Device) -> list[PolicyShadow] | None:
    """What `stored_policy_shadows` wrote, or None for anything else (then recompute):
    each entry must name a rule of this policy, in order, and a line of that rule."""
    if not isinstance(record, list):
        return None
    policy = device.policy or ()
    found: list[PolicyShadow] = []
    for item in record:
        if not (isinstance(item, list) and len(item) == 2 and type(item[0]) is int):
            return None
        position, index = item
        if not (0 <= position < len(policy)) or not (index is None or type(index) is int):
            return None
        lines = written_lines(device, policy[position])
        if index is not None and not (lines is not None and 0 <= index < len(lines)):
            return None
        if found and _shadow_order(found[-1]) >= _shadow_order((position, index)):
            return None
        found.append((position, index))
    return found


def _shadow_order(shadow: PolicyShadow) -> tuple[int, int]:
    position, index = shadow
    return position, -1 if index is None else index


def _policy_nowhere_finding(device: str, rule: PolicyRule) -> Finding:
    where = rule.source.where()
    return _violation(
        "ACL-002",
        device,
        f"{where}: {rule.name} applies to no pair of forwarding interfaces (its interfaces are shut down, do not "
        f"forward or are not defined): it never decides a packet.",
        f"{where}: {rule.name} は転送するインターフェースの組に一つも適用されません（インターフェースが shutdown・"
        f"転送しない・未定義のいずれか）。どのパケットも判定しません。",
        [(rule.source, "applies to no interface pair")],
    )


def _policy_unreachable_finding(
    space: PacketSpace, sets: _PolicySets, device: str, position: int, item: _PolicyLine
) -> Finding:
    policy = sets.device.policy or ()
    rule = policy[position]
    where = item.line.source.where()
    text = redact(item.line.source.text.strip())
    head_en = f"{where}: {rule.name}: '{text}'"
    head_ja = f"{where}: {rule.name} の「{text}」"
    if item.packets == space.false:
        return _violation(
            "ACL-002",
            device,
            f"{head_en} matches no packet at all (e.g. an empty address group or service).",
            f"{head_ja}は、どのパケットにも一致しません（空のアドレスグループやサービスなど）。",
            [(item.line.source, "unreachable")],
        )
    earlier = _earlier_policy_lines(sets, position, item.index)
    chosen = covering_lines(space, item.packets, [(number, packets) for number, (_, packets) in enumerate(earlier)])
    cover = [earlier[number][0] for number in chosen]
    lines = ", ".join(str(c.source.line) for c in cover[:MAX_COVER_EVIDENCE])
    tail_en, tail_ja = _shadow_consequence(item.line, cover)
    evidence = [(item.line.source, "unreachable")] + [(c.source, "matches first") for c in cover[:MAX_COVER_EVIDENCE]]
    return _violation(
        "ACL-002",
        device,
        f"{head_en} is never reached on any interface pair the rule applies to; every packet it matches is "
        f"decided earlier (line {lines}).{tail_en}",
        f"{head_ja}は、適用されるどのインターフェースの組でも効きません。一致するパケットはすべて先行する行"
        f"（{lines} 行目）で判定済みです。{tail_ja}",
        evidence,
    )


def _earlier_policy_lines(sets: _PolicySets, position: int, index: int) -> list[tuple[AclLine, PacketSet]]:
    """The exact lines that may decide before line `index` of rule `position`: those of
    the earlier rules that apply to one of its pairs and may overlap it, then its own
    earlier ones."""
    lines = written_lines(sets.device, (sets.device.policy or ())[position]) or ()
    mask = 0
    for group in sets.live_groups(position):
        mask |= group.earlier
    overlap = sets.overlapping(position, lines[index])
    if overlap is not None:
        mask &= overlap
    found = [entry for earlier in positions(mask) for entry in sets.exact_lines(earlier)]
    before = {id(line) for line in lines[:index]}
    return found + [(line, packets) for line, packets in sets.exact_lines(position) if id(line) in before]


def check_acl_006(ctx: FlowContext) -> list[Finding]:
    """ACL-006: no reachable exact permit line of a policy rule between zones permits any
    source, any destination or any service (one that permits everything is ACL-004's).
    Any source from the internet, an external zone or beyond the modelled network is what
    that side is, and so is any destination there: those are not reported. Only rules with
    lines of their own (a zone-based firewall's policies) are judged: a rule that applies an
    interface's named ACL (the ASA's access-groups) is an ACL, judged by the ACL rules.
    A device's findings rest on its model and on where its interfaces lead: they are kept
    between runs by its fingerprint and the structure's (rules/acl_kept.py)."""
    compute = _each_device(functools.partial(_acl_006_of, ctx, open_sides(ctx.network)))
    return flattened(findings_of_each(ctx, "ACL-006", 1, compute, by_structure=True), 0)


def _acl_006_of(ctx: FlowContext, open_: frozenset[str], name: str, device: Device) -> list[Finding]:
    findings: list[Finding] = []
    space = ctx.space
    if not device.policy:
        return findings
    sets = _PolicySets(space, device)
    for position, rule in enumerate(device.policy):
        if rule.acl is not None:
            continue
        crossings = crossing_zone_pairs(ctx.network, name, rule, ctx.zones_behind())
        lines = written_lines(device, rule)
        if not crossings or lines is None or not judged(rule):
            continue
        for item in _policy_lines(sets, lines):
            if item.line.action is not Action.PERMIT or not exact(item.line) or item.packets == space.valid:
                continue
            broad = _broad_fields(space, item.packets)
            shown = [pair for pair in crossings if _too_broad(open_, broad, pair)]
            if shown and sets.reachable(position, item):
                fields = [field for field in broad if any(_too_broad(open_, [field], pair) for pair in shown)]
                findings.append(_broad_finding(name, rule, item.line, shown, fields))
    return findings


def _too_broad(open_: frozenset[str], broad: list[str], pair: tuple[str, str]) -> list[str]:
    """The fields of `broad` that are too broad for a rule from zone pair[0] to pair[1]."""
    natural = {"src"} if pair[0] in open_ else set()
    natural |= {"dst"} if pair[1] in open_ else set()
    return [field for field in broad if field not in natural]


# Which header fields a field of "any" leaves free: any service = every protocol, port and
# ICMP type whatever the addresses; any source / destination = every address.
_SERVICE_FIELDS = ("proto", "dport", "icmp_type", "icmp_code")
_BROAD_LABELS = {
    "src": ("any source", "すべての送信元"),
    "dst": ("any destination", "すべての宛先"),
    "service": ("any service", "すべてのサービス"),
}


def _broad_fields(space: PacketSpace, packets: PacketSet) -> list[str]:
    found = [field for field in ("src", "dst") if space.project(packets, field) == space.project(space.valid, field)]
    if _keep_only(space, packets, _SERVICE_FIELDS) == _keep_only(space, space.valid, _SERVICE_FIELDS):
        found.append("service")
    return found


def _keep_only(space: PacketSpace, packets: PacketSet, fields: tuple[str, ...]) -> PacketSet:
    others = [bit for name, bits in space.bits.items() if name not in fields for bit in bits]
    return space.bdd.exist(others, packets)


def _broad_finding(
    device: str, rule: PolicyRule, line: AclLine, crossings: list[tuple[str, str]], broad: list[str]
) -> Finding:
    where = line.source.where()
    zones_en, zones_ja = describe_crossings(crossings)
    what_en = ", ".join(_BROAD_LABELS[field][0] for field in broad)
    what_ja = "・".join(_BROAD_LABELS[field][1] for field in broad)
    return _violation(
        "ACL-006",
        device,
        f"{where}: {rule.name} ({zones_en}) permits {what_en} across a zone boundary; permit only the sources, "
        f"destinations and services that are needed.",
        f"{where}: {rule.name}（{zones_ja}）が領域の境界を越えて{what_ja}を許可しています。必要な送信元・宛先・"
        f"サービスだけを許可してください。",
        _policy_evidence(line.source, rule.source, f"permits {what_en}"),
    )


def _policy_evidence(line: Source, rule: Source, role: str) -> list[tuple[Source, str]]:
    evidence = [(line, role)]
    if rule != line:
        evidence.append((rule, "policy at a zone boundary"))
    return evidence


def _policy_permits_all(ctx: FlowContext, kept: DeviceKept) -> list[Finding]:
    """ACL-004 on policies: a reachable exact line of a rule between zones permits every
    packet. A rule that names an ACL is left to the check of that ACL where it is bound.
    Which lines permit everything is kept between runs; whether their rules sit between
    zones is asked of the network each time, for those rules alone."""
    findings = []
    for name, device, policy in policy_devices(ctx.network):
        for position, index in _kept_inline_permit_all(ctx.space, kept, name, device, policy):
            rule = policy[position]
            crossings = crossing_zone_pairs(ctx.network, name, rule, ctx.zones_behind())
            if crossings:
                findings.append(_policy_permit_all_finding(name, rule, rule.lines[index], crossings))
    return findings


def _kept_inline_permit_all(
    space: PacketSpace, kept: DeviceKept, name: str, device: Device, policy: tuple[PolicyRule, ...]
) -> list[tuple[int, int]]:
    """`_inline_permit_all`, kept."""
    answer = kept.get(name, "inline")
    found = _read_inline(answer, policy)
    if found is None:
        found = _inline_permit_all(space, device, policy)
        kept.put(name, "inline", [list(item) for item in found])
    return found


def _read_inline(answer: object, policy: tuple[PolicyRule, ...]) -> list[tuple[int, int]] | None:
    """What `_kept_inline_permit_all` wrote: each a rule with inline lines that is judged, in order,
    and one of its lines; None for anything else."""
    if not isinstance(answer, list):
        return None
    found: list[tuple[int, int]] = []
    for item in answer:
        if not (isinstance(item, list) and len(item) == 2 and all(type(number) is int for number in item)):
            return None
        position, index = item
        if not (0 <= position < len(policy)) or (found and found[-1][0] >= position):
            return None
        rule = policy[position]
        if rule.acl is not None or not judged(rule) or not 0 <= index < len(rule.lines):
            return None
        found.append((position, index))
    return found


def _inline_permit_all(space: PacketSpace, device: Device, policy: tuple[PolicyRule, ...]) -> list[tuple[int, int]]:
    """(position, line index) of the first reachable exact line of each judged rule with inline
    lines that permits every packet, whatever zones the rule's pairs are in."""
    found = []
    sets = _PolicySets(space, device)
    for position, rule in enumerate(policy):
        if rule.acl is not None or not judged(rule):
            continue
        for item in _policy_lines(sets, rule.lines):
            everything = item.line.action is Action.PERMIT and exact(item.line) and item.packets == space.valid
            if everything and sets.reachable(position, item):
                found.append((position, item.index))
                break
    return found


def _policy_permit_all_finding(
    device: str, rule: PolicyRule, line: AclLine, crossings: list[tuple[str, str]]
) -> Finding:
    where, text = line.source.where(), redact(line.source.text.strip())
    zones_en, zones_ja = describe_crossings(crossings)
    return _violation(
        "ACL-004",
        device,
        f"{where}: {rule.name} between zones ({zones_en}) permits every packet that reaches '{text}'.",
        f"{where}: 領域間（{zones_ja}）の {rule.name} が、「{text}」に達したすべてのパケットを許可しています。",
        _policy_evidence(line.source, rule.source, "permits everything"),
    )


def check_acl_007(ctx: FlowContext) -> list[Finding]:
    """ACL-007: a policy rule that permits sessions between zones logs them."""
    findings = []
    for name, device, policy in policy_devices(ctx.network):
        for rule in policy:
            if rule.logged or not judged(rule) or not _may_permit(device, rule):
                continue
            crossings = crossing_zone_pairs(ctx.network, name, rule, ctx.zones_behind())
            if not crossings:
                continue
            where = (rule.logged_source or rule.source).where()
            zones_en, zones_ja = describe_crossings(crossings)
            evidence = _policy_evidence(rule.logged_source or rule.source, rule.source, "logging off")
            findings.append(
                _violation(
                    "ACL-007",
                    name,
                    f"{where}: {rule.name} ({zones_en}) permits sessions across a zone boundary without logging them.",
                    f"{where}: {rule.name}（{zones_ja}）は領域の境界を越える通信を許可していますが、"
                    f"ログを記録しません。",
                    evidence,
                )
            )
    return findings


def _may_permit(device: Device, rule: PolicyRule) -> bool:
    lines = written_lines(device, rule)
    if lines is None:
        return device.undefined_acl_permits
    return any(line.action is Action.PERMIT for line in lines)


def _rule(rule_id: str, check: Check, guideline: str = GUIDELINE) -> Rule:
    severity, clause, title_en, title_ja = RULE_INFO[rule_id]
    return Rule(rule_id, severity, clause, title_en, title_ja, check, guideline)


ACL_RULES: tuple[Rule, ...] = (
    _rule("ACL-001", check_acl_001),
    _rule("ACL-002", check_acl_002),
    _rule("ACL-003", check_acl_003),
    _rule("ACL-004", check_acl_004),
    _rule("ACL-006", check_acl_006),
    _rule("ACL-007", check_acl_007),
    _rule("RT-001", check_rt_001),
)

__all__ = ["ACL_RULES", "CLAUSE", "RULE_INFO"]
