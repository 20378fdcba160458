"""IOS zone-based policy firewall onto the vendor-neutral policy (`Device.policy`, PolicyRule).

Decisions, after Cisco's "Zone-Based Policy Firewall" configuration guide; where it is silent
the choice is the one with more reachability, and it says so:

- ZBF is on when at least one interface is a zone member; without one the device has no
  policy and stays what it was (interface ACLs only).
- Between two interfaces of one zone traffic passes, unless a zone-pair from that zone to
  itself (intrazone) exists: then its policy decides. Between a zone member and an interface
  in no zone: dropped (no rule applies: the implicit deny). Between two interfaces in no zone:
  passes. With `zone security default` defined, the interfaces in no zone are in the zone
  `default` instead.
- Between two zones: the zone-pair's policy-map, class by class in order (first class that
  matches decides): `inspect` and `pass` permit, `drop` drops; what no class matches meets
  class-default (`drop` unless it says otherwise). No zone-pair, or a zone-pair without
  `service-policy`: dropped (documented).
- `inspect` is stateful, `pass` one-way. The model's device-wide stateful flag cannot say
  both (with it a `pass` would drop the TCP packets with ACK it lets through), so the device
  stays stateless and the replies of inspected TCP connections are added as rules of their
  own: from the destination zone to the source zone, each inspected line reversed (sources
  and destinations, ports swapped) and narrowed to TCP with ACK/RST, ahead of that direction's
  own zone-pair, permit-only (a union). Classes dropped before the inspecting class are
  ignored there: more replies than the device lets through. Replies cross the interface
  ACLs as any packet does: the documentation found does not say whether the ZBF opens
  interface ACLs for the replies it inspects as CBAC did; if it does, a reply an inbound
  ACL refuses is missed here (a known limit, and the one choice here not towards more
  reachability: the stateless model cannot exempt replies from ACLs). Replies of UDP and
  ICMP are not modelled, as on the other stateful devices: they are decided as new
  connections. Protocols that open connections back (FTP
  data, TFTP, SIP, H.323, RTSP, ...) are taken as the whole of TCP and UDP both ways
  between the two ends of an inspected line.
- Class-maps: `match-any` is the union of its matches, `match-all` (the default) their
  intersection, computed exactly on the header matches. `match access-group` matches what
  the ACL permits: exact when no deny entry comes before a permit entry; otherwise the
  ACL's permit entries without its deny entries (a superset). `match protocol P` is P's
  well-known ports (`_PROTOCOLS`); a name not in that table is the whole of TCP and UDP.
  `match class-map X` nests. A class-map with no match, an undefined class-map, ACL or
  policy-map (IOS refuses most of these; the documentation does not say what the device
  does) and a class with no action written: the wider choice, recorded on the lines as an
  `approximation`. A superset never narrows a `drop`: such drop lines carry the
  approximation and the engine does not let them match (`counts_as_match`).
- Logging (ACL-007): `pass log` logs; an `inspect` logs its sessions when its parameter-map
  or `parameter-map type inspect global` says `audit-trail on`; `drop` permits nothing.
- The `self` zone (the router itself, `ToTheBox.SELF_POLICY`): a packet to one of the
  router's addresses crosses the arriving interface's inbound ACL, then, from a member of a
  zone Z with a zone-pair Z → self, that zone-pair's policy (rules towards the pseudo-interface
  `TO_THE_DEVICE`, with the replies of what a zone-pair self → Z inspects ahead of them);
  from any other interface it is taken. The router's own traffic (from `self`) is not
  modelled anywhere, so zone-pairs from `self` matter only for those replies.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TypeVar

from nankoku_netcheck.model import (
    PROTO_ICMP,
    PROTO_TCP,
    PROTO_UDP,
    TO_THE_DEVICE,
    Acl,
    AclLine,
    Action,
    IcmpMatch,
    Match,
    PolicyRule,
    PortRange,
    Source,
    Wildcard,
)
from nankoku_netcheck.vendors.cisco_ios.zbf import ClassMap, Criterion, PolicyClass, ZbfConfig, ZonePair

SELF_ZONE = "self"
DEFAULT_ZONE = "default"

_TCP = (PROTO_TCP,)
_UDP = (PROTO_UDP,)
_BOTH = (PROTO_TCP, PROTO_UDP)

# `match protocol` names: (protocols, destination ports; None = every port). Related
# connections (FTP data and the like) are handled by `_OPENS_BACK`.
_PROTOCOLS: Mapping[str, tuple[tuple[int, ...], tuple[int, ...] | None]] = {
    "tcp": (_TCP, None),
    "udp": (_UDP, None),
    "icmp": ((PROTO_ICMP,), None),
    "http": (_TCP, (80,)),
    "https": (_TCP, (443,)),
    "dns": (_BOTH, (53,)),
    "domain": (_BOTH, (53,)),
    "smtp": (_TCP, (25,)),
    "esmtp": (_TCP, (25,)),
    "ssh": (_TCP, (22,)),
    "telnet": (_TCP, (23,)),
    "pop3": (_TCP, (110,)),
    "pop3s": (_TCP, (995,)),
    "imap": (_TCP, (143,)),
    "imap3": (_TCP, (220,)),
    "imaps": (_TCP, (993,)),
    "ntp": (_UDP, (123,)),
    "snmp": (_UDP, (161,)),
    "snmptrap": (_UDP, (162,)),
    "syslog": (_UDP, (514,)),
    "bootps": (_UDP, (67,)),
    "bootpc": (_UDP, (68,)),
    "ldap": (_TCP, (389,)),
    "ldaps": (_TCP, (636,)),
    "kerberos": (_BOTH, (88,)),
    "netbios-ns": (_UDP, (137,)),
    "netbios-dgm": (_UDP, (138,)),
    "netbios-ssn": (_TCP, (139,)),
    "microsoft-ds": (_TCP, (445,)),
    "cifs": (_TCP, (445,)),
    "ms-sql": (_TCP, (1433,)),
    "mysql": (_TCP, (3306,)),
    "sqlnet": (_TCP, (1521,)),
    "isakmp": (_UDP, (500,)),
    "l2tp": (_UDP, (1701,)),
    "pptp": (_TCP, (1723,)),
    "radius": (_UDP, (1812, 1645)),
    "tacacs": (_TCP, (49,)),
    "nntp": (_TCP, (119,)),
    "irc": (_TCP, (194,)),
    "finger": (_TCP, (79,)),
    "gopher": (_TCP, (70,)),
    "ftps": (_TCP, (990,)),
    "telnets": (_TCP, (992,)),
}
# Protocols whose inspection opens further connections (data channels, media) on
# negotiated ports, in both directions: the whole of TCP and UDP between the two ends.
_OPENS_BACK = frozenset(
    {"ftp", "tftp", "sip", "h323", "h225ras", "rtsp", "skinny", "sunrpc", "msrpc", "rcmd", "exec", "login", "shell"}
)


@dataclass(frozen=True)
class Term:
    """One header conjunction a class matches, with the line it comes from."""

    match: Match
    source: Source
    approximation: str = ""
    understood: bool = True
    opens_back: bool = False


@dataclass(frozen=True)
class ClassSet:
    """What a class matches: the union of `terms`; `exact` False = a superset."""

    terms: tuple[Term, ...]
    exact: bool


def _everything(source: Source, why: str) -> ClassSet:
    return ClassSet((Term(Match(), source, approximation=why),), exact=False)


# --- what a class matches ---------------------------------------------------------------


class _Classes:
    def __init__(self, config: ZbfConfig, acls: Mapping[str, Acl]) -> None:
        self.config = config
        self.acls = acls

    def of_class_map(self, class_map: ClassMap, trail: tuple[str, ...] = ()) -> ClassSet:
        if not class_map.criteria:
            why = f"class-map {class_map.name} has no match: taken to match everything"
            return _everything(class_map.source, why)
        parts = [self.of_criterion(criterion, (*trail, class_map.name)) for criterion in class_map.criteria]
        exact = all(part.exact for part in parts)
        if not class_map.match_all:
            return ClassSet(tuple(term for part in parts for term in part.terms), exact)
        terms = parts[0].terms
        for part in parts[1:]:
            terms = tuple(
                joined for left in terms for right in part.terms if (joined := _meet(left, right)) is not None
            )
        return ClassSet(terms, exact)

    def of_criterion(self, criterion: Criterion, trail: tuple[str, ...]) -> ClassSet:
        if criterion.kind == "acl":
            return self.of_acl(criterion)
        if criterion.kind == "protocol":
            return of_protocol(criterion)
        nested = self.config.class_maps.get(criterion.value)
        if nested is None or criterion.value in trail:
            what = "is not defined" if nested is None else "refers back to itself"
            return _everything(criterion.source, f"class-map {criterion.value} {what}: taken to match everything")
        return self.of_class_map(nested, trail)

    def of_acl(self, criterion: Criterion) -> ClassSet:
        acl = self.acls.get(criterion.value)
        if acl is None or not acl.lines:
            what = "is not defined" if acl is None else "has no entries"
            return _everything(criterion.source, f"ACL {criterion.value} {what}: taken to match everything")
        terms: list[Term] = []
        exact = True
        denied_before = False
        for line in acl.lines:
            if line.action is Action.DENY:
                denied_before = True
                continue
            exact = exact and not denied_before and line.understood and not line.approximation
            why = line.approximation or (
                f"ACL {acl.name}: its deny entries before this one are ignored (a superset)" if denied_before else ""
            )
            terms.extend(Term(match, line.source, why, line.understood) for match in line.matches)
        return ClassSet(tuple(terms), exact)


def of_protocol(criterion: Criterion) -> ClassSet:
    name = criterion.value
    if name in _OPENS_BACK:
        return ClassSet((Term(Match(protocols=_BOTH), criterion.source, opens_back=True),), exact=False)
    known = _PROTOCOLS.get(name)
    if known is None:
        why = f"protocol '{name}' is not in the table of well-known ports: taken as all of TCP and UDP"
        return ClassSet((Term(Match(protocols=_BOTH), criterion.source, why),), exact=False)
    protocols, ports = known
    dst_ports = None if ports is None else tuple(PortRange(port, port) for port in ports)
    return ClassSet((Term(Match(protocols=protocols, dst_ports=dst_ports), criterion.source),), exact=True)


# --- intersection of header matches (match-all) ----------------------------------------------


def _meet(left: Term, right: Term) -> Term | None:
    match = meet_matches(left.match, right.match)
    if match is None:
        return None
    return Term(
        match,
        left.source,
        "; ".join(text for text in (left.approximation, right.approximation) if text),
        left.understood and right.understood,
        left.opens_back or right.opens_back,
    )


def meet_matches(left: Match, right: Match) -> Match | None:
    """The packets both match, as one Match; None when no packet does."""
    protocols = _meet_values(left.protocols, right.protocols)
    src = _meet_pairs(left.src, right.src, _meet_wildcards)
    dst = _meet_pairs(left.dst, right.dst, _meet_wildcards)
    src_ports = _meet_pairs(left.src_ports, right.src_ports, _meet_ports)
    dst_ports = _meet_pairs(left.dst_ports, right.dst_ports, _meet_ports)
    icmp = _meet_pairs(left.icmp, right.icmp, _meet_icmp)
    if () in (protocols, src, dst, src_ports, dst_ports, icmp):
        return None
    return Match(protocols, src, dst, src_ports, dst_ports, left.established or right.established, icmp)


def _meet_values(left: tuple[int, ...] | None, right: tuple[int, ...] | None) -> tuple[int, ...] | None:
    if left is None or right is None:
        return right if left is None else left
    return tuple(value for value in left if value in right)


_T = TypeVar("_T")


def _meet_pairs(
    left: tuple[_T, ...] | None, right: tuple[_T, ...] | None, meet: Callable[[_T, _T], _T | None]
) -> tuple[_T, ...] | None:
    if left is None or right is None:
        return right if left is None else left
    met = (meet(one, other) for one in left for other in right)
    return tuple(dict.fromkeys(value for value in met if value is not None))


def _meet_wildcards(left: Wildcard, right: Wildcard) -> Wildcard | None:
    fixed = ~left.wildcard & ~right.wildcard
    if (left.address ^ right.address) & fixed & 0xFFFFFFFF:
        return None
    address = (left.address & ~left.wildcard) | (right.address & ~right.wildcard)
    return Wildcard(address & 0xFFFFFFFF, left.wildcard & right.wildcard)


def _meet_ports(left: PortRange, right: PortRange) -> PortRange | None:
    low, high = max(left.low, right.low), min(left.high, right.high)
    return PortRange(low, high) if low <= high else None


def _meet_icmp(left: IcmpMatch, right: IcmpMatch) -> IcmpMatch | None:
    if left.icmp_type != right.icmp_type:
        return None
    if left.code is None or right.code is None:
        return IcmpMatch(left.icmp_type, right.code if left.code is None else left.code)
    return left if left.code == right.code else None


# --- the policy ------------------------------------------------------------------------------


def zbf_policy(
    config: ZbfConfig, interfaces: tuple[str, ...], acls: Mapping[str, Acl]
) -> tuple[PolicyRule, ...] | None:
    """The device's policy (see the module docstring); None when no interface is a zone member."""
    members = {name: zone for name, (zone, _) in config.members.items() if name in interfaces}
    if not members:
        return None
    if DEFAULT_ZONE in config.zones:
        members.update({name: DEFAULT_ZONE for name in interfaces if name not in members})
    zones = sorted(set(members.values()))
    by_zone = {zone: tuple(sorted(name for name, owner in members.items() if owner == zone)) for zone in zones}
    classes = _Classes(config, acls)
    rules: list[PolicyRule] = []
    for from_zone in zones:
        for to_zone in zones:
            rules.extend(_zone_to_zone(config, classes, from_zone, to_zone, by_zone))
    outside = tuple(name for name in interfaces if name not in members)
    first_member = min(source for _, source in config.members.values())
    if outside:
        rules.append(_builtin("interfaces in no zone", first_member, outside, outside))
    rules.extend(_to_self(config, classes, by_zone, outside, first_member))
    return tuple(rules)


def _to_self(
    config: ZbfConfig,
    classes: _Classes,
    by_zone: Mapping[str, tuple[str, ...]],
    outside: tuple[str, ...],
    first_member: Source,
) -> list[PolicyRule]:
    """The rules for packets to the router itself (towards TO_THE_DEVICE)."""
    to_self = (TO_THE_DEVICE,)
    rules: list[PolicyRule] = []
    unguarded = list(outside)
    for zone, members in by_zone.items():
        pairs = [pair for pair in config.zone_pairs if (pair.from_zone, pair.to_zone) == (zone, SELF_ZONE)]
        if not pairs:
            unguarded.extend(members)
            continue
        for pair in config.zone_pairs:
            if (pair.from_zone, pair.to_zone) == (SELF_ZONE, zone):
                reply = _replies(pair, classes, config, members, to_self)
                rules.extend([reply] if reply is not None else [])
        for pair in pairs:
            rules.extend(_pair_rules(pair, classes, config, members, to_self))
    if unguarded:
        source = config.zones.get(SELF_ZONE) or first_member
        rules.append(_builtin("to the router (self zone)", source, tuple(sorted(unguarded)), to_self))
    return rules


def _zone_to_zone(
    config: ZbfConfig, classes: _Classes, from_zone: str, to_zone: str, by_zone: Mapping[str, tuple[str, ...]]
) -> list[PolicyRule]:
    """The rules for packets entering a member of `from_zone` and leaving by one of `to_zone`."""
    from_ifs, to_ifs = by_zone[from_zone], by_zone[to_zone]
    pairs = [pair for pair in config.zone_pairs if (pair.from_zone, pair.to_zone) == (from_zone, to_zone)]
    rules = [
        reply
        for pair in config.zone_pairs
        if (pair.from_zone, pair.to_zone) == (to_zone, from_zone)
        and (reply := _replies(pair, classes, config, from_ifs, to_ifs)) is not None
    ]
    if pairs:
        for pair in pairs:
            rules.extend(_pair_rules(pair, classes, config, from_ifs, to_ifs))
    elif from_zone == to_zone:
        source = config.zones.get(from_zone) or config.members[from_ifs[0]][1]
        rules.append(_builtin(f"zone {from_zone} (traffic within one zone)", source, from_ifs, to_ifs))
    return rules


def _builtin(name: str, source: Source, from_ifs: tuple[str, ...], to_ifs: tuple[str, ...]) -> PolicyRule:
    line = AclLine(Action.PERMIT, (Match(),), source)
    return PolicyRule(name, source, from_ifs, to_ifs, (line,), configured=False)


@dataclass(frozen=True)
class _Decided:
    """One class of a zone-pair's policy-map as it acts: its action, what it matches, whether
    it logs and the line that says so (None: the default decides)."""

    label: str
    action: str
    matched: ClassSet
    note: str = ""
    logged: bool = True
    logged_source: Source | None = None


def _decided_classes(pair: ZonePair, classes: _Classes, config: ZbfConfig) -> list[_Decided]:
    if pair.policy is None:
        return []
    source = pair.policy_source or pair.source
    policy = config.policy_maps.get(pair.policy)
    if policy is None:
        why = f"policy-map {pair.policy} is not defined: taken to pass everything"
        return [_Decided(f"policy-map {pair.policy}", "pass", _everything(source, why))]
    return [_decided(entry, classes, config) for entry in policy.classes]


def _decided(entry: PolicyClass, classes: _Classes, config: ZbfConfig) -> _Decided:
    note = ""
    action = entry.action
    logged, logged_source = _logging(entry, config)
    if entry.class_map is None:
        matched = ClassSet((Term(Match(), entry.source),), exact=True)
        action = action or "drop"
        return _Decided("class-default", action, matched, logged=logged, logged_source=logged_source)
    if action is None:
        action, note = "inspect", f"class {entry.class_map} has no action written: taken as inspect"
    class_map = config.class_maps.get(entry.class_map)
    if class_map is None:
        why = f"class-map {entry.class_map} is not defined: taken to match everything"
        matched = _everything(entry.source, why)
    else:
        matched = classes.of_class_map(class_map)
    return _Decided(f"class {entry.class_map}", action, matched, note, logged, logged_source)


def _logging(entry: PolicyClass, config: ZbfConfig) -> tuple[bool, Source | None]:
    """Whether the sessions the class permits are logged, and the line that decides it."""
    if entry.action == "pass":
        return entry.log, entry.action_source
    if entry.action == "inspect":
        trail = config.audit_trails.get(entry.parameter_map or "") or config.audit_trails.get("global")
        return (True, trail) if trail is not None else (False, entry.action_source)
    return True, None


def _pair_rules(
    pair: ZonePair, classes: _Classes, config: ZbfConfig, from_ifs: tuple[str, ...], to_ifs: tuple[str, ...]
) -> list[PolicyRule]:
    rules = []
    for decided in _decided_classes(pair, classes, config):
        action = Action.DENY if decided.action == "drop" else Action.PERMIT
        lines = tuple(_line(action, term, decided) for term in decided.matched.terms)
        name = f"zone-pair {pair.name} {decided.label} ({decided.action})"
        rules.append(
            PolicyRule(
                name, pair.source, from_ifs, to_ifs, lines, logged=decided.logged, logged_source=decided.logged_source
            )
        )
    return rules


def _line(action: Action, term: Term, decided: _Decided) -> AclLine:
    why = "; ".join(text for text in (decided.note, term.approximation) if text)
    if not why and not decided.matched.exact:
        why = "the class matches at most these packets (see the other lines of the class)"
    return AclLine(action, (term.match,), term.source, understood=term.understood, approximation=why)


def _replies(
    pair: ZonePair, classes: _Classes, config: ZbfConfig, from_ifs: tuple[str, ...], to_ifs: tuple[str, ...]
) -> PolicyRule | None:
    """Replies of the connections `pair` inspects, entering `from_ifs` (its destination zone)."""
    lines: list[AclLine] = []
    for decided in _decided_classes(pair, classes, config):
        if decided.action != "inspect":
            continue
        for term in decided.matched.terms:
            lines.extend(_reversed_lines(term))
    if not lines:
        return None
    name = f"replies of zone-pair {pair.name}"
    return PolicyRule(name, pair.source, from_ifs, to_ifs, tuple(lines), configured=False)


def _reversed_lines(term: Term) -> list[AclLine]:
    forward = term.match
    lines = []
    if forward.protocols is None or PROTO_TCP in forward.protocols:
        reply = Match(_TCP, forward.dst, forward.src, forward.dst_ports, forward.src_ports, established=True)
        lines.append(AclLine(Action.PERMIT, (reply,), term.source, understood=term.understood))
    if term.opens_back:
        back = Match(_BOTH, forward.dst, forward.src)
        why = "connections the inspected protocol opens back (data channels): all of TCP and UDP"
        lines.append(AclLine(Action.PERMIT, (back,), term.source, approximation=why))
    return lines
