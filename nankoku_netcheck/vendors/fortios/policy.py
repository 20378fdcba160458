"""`config firewall policy` → PolicyRule, in the order the entries are listed (FortiOS
evaluates its policy list top down as shown, not by policy ID; `move` is applied).

Each enabled policy becomes one rule with one inline AclLine (its Source: the `edit N`
line): `srcintf`/`dstintf` (zones and SD-WAN zones expanded to their members, `any` =
every interface) × `srcaddr` × `dstaddr` × `service`, action `accept` or `deny` (the
default). A disabled policy (`status disable`) is left out. After the last rule comes the
implicit deny (PolicyRule's contract). A zone with `intrazone allow` is a rule ahead of
the list that lets traffic between its members pass.

Approximations, always toward more reachability (an accept rule reads wider; a deny rule
that would read wider is marked not understood, which the engine ignores):
- `schedule` other than `always`: the policy is taken as always active;
- `users`/`groups`/`fsso-groups`: the policy is taken as applying to anyone;
- `srcaddr-negate`/`dstaddr-negate`: the exact complement (netaddr), unless a member is
  not known; `service-negate`: every service;
- an address or service that is not known (fqdn, geography, undefined, ...) is any;
  `internet-service*`: META-001, and the side it replaces is any.
`nat enable` on an accept policy makes dynamic NatRules (section 2, policy order) from
each source to each destination interface: to the `poolname` pools with `ippool enable`,
else to the outgoing interface's own address (`interface_pat`). They apply to every packet
from the policy's source addresses leaving that way, not only to those the policy
accepts (noted in `approximation`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from nankoku_netcheck.model import (
    IPV4_MAX,
    AclLine,
    Action,
    Match,
    NatRule,
    PolicyRule,
    Source,
    UnknownKind,
    Wildcard,
)
from nankoku_netcheck.vendors.fortios.blocks import Ledger, Record, Section, Settings, account_settings, table_of
from nankoku_netcheck.vendors.fortios.interfaces import Zone
from nankoku_netcheck.vendors.fortios.keywords import POLICY_HARMLESS, POLICY_SAFE_VALUES
from nankoku_netcheck.vendors.fortios.nat import Pool
from nankoku_netcheck.vendors.fortios.objects import (
    ANY,
    EVERY_SERVICE,
    Addresses,
    Objects,
    Service,
    complement,
    union,
    union_services,
)

_POLICY_KEYS = (
    "srcintf",
    "dstintf",
    "srcaddr",
    "dstaddr",
    "service",
    "action",
    "status",
    "schedule",
    "logtraffic",
    "nat",
    "ippool",
    "poolname",
    "srcaddr-negate",
    "dstaddr-negate",
    "service-negate",
    "users",
    "groups",
    "fsso-groups",
    "name",
)


@dataclass(frozen=True)
class Interfaces:
    """How a policy's interface names resolve: zones and SD-WAN zones to their members."""

    zones: Mapping[str, Zone]
    sdwan_zones: Mapping[str, tuple[str, ...]]

    def expand(self, names: Sequence[str]) -> tuple[str, ...] | None:
        if not names or any(name.lower() == "any" for name in names):
            return None
        result: list[str] = []
        for name in names:
            if name in self.zones:
                result.extend(self.zones[name].members)
            elif name in self.sdwan_zones:
                result.extend(self.sdwan_zones[name])
            else:
                result.append(name)
        return tuple(dict.fromkeys(result))


@dataclass
class PolicyFacts:
    rules: list[PolicyRule]
    nat_rules: list[NatRule]


def intrazone_rules(zones: Mapping[str, Zone]) -> list[PolicyRule]:
    rules = []
    for zone in zones.values():
        if zone.intrazone_allow and zone.members:
            line = AclLine(Action.PERMIT, (Match(),), zone.source)
            rules.append(
                PolicyRule(f"zone {zone.name} (intrazone allow)", zone.source, zone.members, zone.members, (line,))
            )
    return rules


def read_policies(
    ledger: Ledger,
    sections: Sequence[Section],
    objects: Objects,
    interfaces: Interfaces,
    pools: Mapping[str, Pool | None],
) -> PolicyFacts:
    facts = PolicyFacts([], [])
    table = table_of(sections, ledger, "firewall policy")
    for record in table.records:
        settings = record.settings()
        if settings.lower("status", "enable") == "disable":
            for entry in record.entries:
                ledger.mark(entry, UnknownKind.HARMLESS, f"policy {record.name} is disabled (status disable)")
            continue
        _policy(ledger, record, settings, objects, interfaces, pools, facts)
    return facts


def _policy(
    ledger: Ledger,
    record: Record,
    settings: Settings,
    objects: Objects,
    interfaces: Interfaces,
    pools: Mapping[str, Pool | None],
    facts: PolicyFacts,
) -> None:
    for entry in record.entries:
        ledger.frame(entry)
    problems = _account(ledger, record, settings)
    source = ledger.source(record.first)
    action = Action.DENY if settings.lower("action", "deny") == "deny" else Action.PERMIT
    line, src = _acl_line(ledger, record.name, settings, objects, action, source, understood=not problems)
    name = f"policy {record.name}"
    if settings.get("name"):
        name = f"{name} ({settings.get('name')})"
    from_interfaces = interfaces.expand(settings.words("srcintf"))
    to_interfaces = interfaces.expand(settings.words("dstintf"))
    # `logtraffic utm` (the default) and `all` log the sessions; `disable` logs none.
    logged = settings.lower("logtraffic", "utm") != "disable"
    logtraffic = settings.line("logtraffic")
    logged_source = ledger.source(logtraffic) if logtraffic is not None else None
    facts.rules.append(
        PolicyRule(name, source, from_interfaces, to_interfaces, (line,), logged=logged, logged_source=logged_source)
    )
    if action is Action.PERMIT and settings.lower("nat") == "enable":
        facts.nat_rules.extend(_nat_rules(ledger, settings, src, from_interfaces, to_interfaces, pools, source, facts))


def _account(ledger: Ledger, record: Record, settings: Settings) -> list[str]:
    """The policy's lines accounted for; the reasons it is not fully understood."""
    what = f"policy {record.name}"
    problems = account_settings(ledger, settings, what, _POLICY_KEYS, POLICY_HARMLESS, POLICY_SAFE_VALUES)
    for section in settings.sections:
        ledger.mark(section, UnknownKind.FORWARDING, f"{what}: 'config {' '.join(section.path)}' is not modelled")
        problems.append(f"config {' '.join(section.path)}")
    action_text = settings.lower("action", "deny")
    if action_text not in ("accept", "deny"):
        _forwarding(ledger, settings, "action", f"{what}: action '{action_text}' is not modelled (read as accept)")
        problems.append(f"action {action_text}")
    return problems


def _acl_line(
    ledger: Ledger,
    policy: str,
    settings: Settings,
    objects: Objects,
    action: Action,
    source: Source,
    understood: bool,
) -> tuple[AclLine, Addresses]:
    """The policy's one AclLine, and its source addresses (for its NAT rules)."""
    notes: list[str] = []
    src = _addresses(ledger, settings, "srcaddr", objects, policy)
    dst = _addresses(ledger, settings, "dstaddr", objects, policy)
    if settings.lower("internet-service-src") == "enable":
        src = ANY
    if settings.lower("internet-service") == "enable":
        dst = ANY
    understood = understood and not src.problem and not dst.problem
    src, understood = _negated(settings, "srcaddr-negate", src, notes, understood)
    dst, understood = _negated(settings, "dstaddr-negate", dst, notes, understood)
    service = _service(ledger, settings, objects, policy)
    understood = understood and not service.problem
    if service.approximation:
        notes.append(service.approximation)
    if settings.lower("service-negate") == "enable":
        service = EVERY_SERVICE
        notes.append("service-negate is read as every service")
    schedule = settings.get("schedule", "always")
    if schedule.lower() != "always":
        notes.append(f"schedule '{schedule}' is ignored: the policy is treated as always active")
    if settings.words("users") or settings.words("groups") or settings.words("fsso-groups"):
        notes.append("the user/group restriction is ignored: the policy is treated as applying to anyone")
    if action is Action.DENY and notes:
        understood = False  # a deny read wider would hide reachability: the engine ignores it
    line = AclLine(action, _matches(src, dst, service), source, understood=understood, approximation="; ".join(notes))
    return line, src


def _forwarding(ledger: Ledger, settings: Settings, key: str, reason: str) -> None:
    line = settings.line(key)
    if line is not None:
        ledger.outcome.pop(line, None)
        ledger.unknown(line, UnknownKind.FORWARDING, reason)


def _addresses(ledger: Ledger, settings: Settings, key: str, objects: Objects, policy: str) -> Addresses:
    resolved = union(tuple(objects.address(name) for name in settings.words(key)))
    if resolved.problem:
        _forwarding(ledger, settings, key, f"policy {policy}: {key} {resolved.problem} (read as any address)")
    return resolved


def _service(ledger: Ledger, settings: Settings, objects: Objects, policy: str) -> Service:
    resolved = union_services(tuple(objects.service(name) for name in settings.words("service")))
    if resolved.problem:
        _forwarding(ledger, settings, "service", f"policy {policy}: {resolved.problem} (read as every service)")
    return resolved


def _negated(
    settings: Settings, key: str, addresses: Addresses, notes: list[str], understood: bool
) -> tuple[Addresses, bool]:
    if settings.lower(key) != "enable":
        return addresses, understood
    exact = complement(addresses)
    if exact is not None:
        return exact, understood
    notes.append(f"{key}: the complement is not known exactly and is read as any address")
    return ANY, False


def _matches(src: Addresses, dst: Addresses, service: Service) -> tuple[Match, ...]:
    if not src.wildcards or not dst.wildcards:
        return ()
    src_field = _field(src.wildcards)
    dst_field = _field(dst.wildcards)
    return tuple(
        Match(
            protocols=part.protocols,
            src=src_field,
            dst=dst_field,
            src_ports=part.src_ports,
            dst_ports=part.dst_ports,
            icmp=part.icmp,
        )
        for part in service.parts
    )


def _field(wildcards: tuple[Wildcard, ...]) -> tuple[Wildcard, ...] | None:
    return None if any(wildcard.wildcard == IPV4_MAX for wildcard in wildcards) else wildcards


def _nat_rules(
    ledger: Ledger,
    settings: Settings,
    src: Addresses,
    from_interfaces: tuple[str, ...] | None,
    to_interfaces: tuple[str, ...] | None,
    pools: Mapping[str, Pool | None],
    source: Source,
    facts: PolicyFacts,
) -> list[NatRule]:
    notes = ["translates every packet from the policy's sources leaving this way, not only those the policy accepts"]
    real_source = _prefixes(src)
    if real_source is None and src.wildcards and _field(src.wildcards) is not None:
        notes.append("the sources are not prefixes: every source is translated")
    mapped: tuple[tuple[int, int], ...] | None = None
    overload = False
    interface_pat = True
    if settings.lower("ippool") == "enable":
        names = settings.words("poolname")
        chosen = [pools.get(name) for name in names]
        if not names or any(pool is None for pool in chosen):
            _forwarding(ledger, settings, "poolname", "IP pool not defined or not understood (NAT not modelled)")
            return []
        mapped = tuple(prefix for pool in chosen if pool is not None for prefix in pool.prefixes)
        overload = any(pool is not None and pool.shares_ports for pool in chosen)
        interface_pat = False
    rules: list[NatRule] = []
    for real_interface in from_interfaces or (None,):
        for mapped_interface in to_interfaces or (None,):
            rules.append(
                NatRule(
                    source=source,
                    section=2,
                    order=len(facts.nat_rules) + len(rules),
                    kind="dynamic",
                    real_interface=real_interface,
                    mapped_interface=mapped_interface,
                    real_source=real_source,
                    mapped_source=mapped,
                    interface_pat=interface_pat,
                    overload=overload,
                    approximation="; ".join(notes),
                )
            )
    return rules


def _prefixes(addresses: Addresses) -> tuple[tuple[int, int], ...] | None:
    """The addresses as prefixes; None (any) when one is everything or not a prefix."""
    result = []
    for wildcard in addresses.wildcards:
        size = wildcard.wildcard + 1
        if wildcard.wildcard == IPV4_MAX or size & wildcard.wildcard:
            return None
        result.append((wildcard.address, 32 - (size.bit_length() - 1)))
    return tuple(result)
