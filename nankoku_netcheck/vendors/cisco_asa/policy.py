"""The ASA's access rules as a vendor-neutral ordered policy (`Device.policy`, see PolicyRule).

What an ASA does with a new connection entering interface I and leaving by O (both named):

1. Same-security gates, whatever an ACL says (command reference: intra-interface traffic "is
   normally not allowed"; an access rule lifts neither gate): I == O passes only with
   `same-security-traffic permit intra-interface`, I and O of equal level only with
   `permit inter-interface`. Expressed as leading deny rules for the pairs they forbid,
   sourced at I's `security-level` line (its `nameif` line when the level is the default).
2. I's `access-group X in interface I`, then the `access-group G global`: one list, first
   match, one implicit deny. Expressed as a rule from=(I,) with acl=X per interface, then
   one rule from any interface with acl=G.
3. With neither X nor G: security levels, to a lower level passes. Expressed as a rule per
   interface permitting to the interfaces of lower (or, past the gates, equal) level, with a
   synthetic permit line sourced at the `security-level` line so that evidence cites it.
4. An applied list with no entry at all (X and G only remarks) permits everything: Cisco does
   not document the case and this is the choice with more reachability. Expressed as a rule
   with a synthetic permit-any line carrying `approximation` text.

Outbound access-groups stay `Interface.acl_out`; an interface without `nameif` has
`passes_traffic=False` and appears in no rule.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from ...model import Acl, AclLine, Action, Match, PolicyRule, Source

EMPTY_LIST_APPROXIMATION = (
    "the applied access list has no entries: taken to permit everything (Cisco does not document it)"
)


@dataclass(frozen=True)
class NamedInterface:
    """What the policy needs of one interface with a `nameif`."""

    name: str  # the interface name in Device.interfaces
    nameif: str
    level: int
    level_source: Source  # the `security-level` line, or the `nameif` line for a default level
    acl_in: str | None = None
    acl_in_source: Source | None = None  # the `access-group ... in interface` line


@dataclass(frozen=True)
class GlobalBinding:
    acl: str
    source: Source  # the `access-group NAME global` line


def asa_policy(
    interfaces: Sequence[NamedInterface],
    acls: Mapping[str, Acl],
    same_security_inter: bool,
    same_security_intra: bool,
    global_binding: GlobalBinding | None,
) -> tuple[PolicyRule, ...]:
    """The ordered rules for the named `interfaces` (see the module docstring)."""
    ordered = sorted(interfaces, key=lambda interface: interface.name)
    rules = [*_gates(ordered, same_security_inter, same_security_intra)]
    rules += [
        PolicyRule(
            name=f"access-group {interface.acl_in}",
            source=interface.acl_in_source,
            from_interfaces=(interface.name,),
            acl=interface.acl_in,
        )
        for interface in ordered
        if interface.acl_in is not None and interface.acl_in_source is not None
    ]
    if global_binding is not None:
        rules.append(
            PolicyRule(
                name=f"access-group {global_binding.acl} global", source=global_binding.source, acl=global_binding.acl
            )
        )
    for interface in ordered:
        rules += _without_entries(interface, acls, global_binding) or _by_levels(interface, ordered, global_binding)
    return tuple(rules)


def _deny_all(source: Source) -> AclLine:
    return AclLine(action=Action.DENY, matches=(Match(),), source=source)


def _gates(interfaces: Sequence[NamedInterface], inter: bool, intra: bool) -> list[PolicyRule]:
    rules = []
    for interface in interfaces:
        if not intra:
            rules.append(
                PolicyRule(
                    name=f"same-security-traffic: not permitted intra-interface ({interface.nameif})",
                    source=interface.level_source,
                    from_interfaces=(interface.name,),
                    to_interfaces=(interface.name,),
                    lines=(_deny_all(interface.level_source),),
                    configured=False,
                )
            )
        equal = tuple(
            other.name for other in interfaces if other.name != interface.name and other.level == interface.level
        )
        if equal and not inter:
            rules.append(
                PolicyRule(
                    name=f"same-security-traffic: not permitted between level {interface.level} interfaces",
                    source=interface.level_source,
                    from_interfaces=(interface.name,),
                    to_interfaces=equal,
                    lines=(_deny_all(interface.level_source),),
                    configured=False,
                )
            )
    return rules


def _without_entries(
    interface: NamedInterface, acls: Mapping[str, Acl], global_binding: GlobalBinding | None
) -> list[PolicyRule]:
    """The permit-everything rule when the lists bound for `interface` hold no entry at all."""
    bound = [(interface.acl_in, interface.acl_in_source)] if interface.acl_in is not None else []
    if global_binding is not None:
        bound.append((global_binding.acl, global_binding.source))
    if not bound or any(name not in acls or acls[name].lines for name, _ in bound):
        return []
    source = bound[0][1]
    assert source is not None
    line = AclLine(action=Action.PERMIT, matches=(Match(),), source=source, approximation=EMPTY_LIST_APPROXIMATION)
    names = " + ".join(name for name, _ in bound if name is not None)
    return [
        PolicyRule(
            name=f"access-group {names} (no entries)",
            source=source,
            from_interfaces=(interface.name,),
            lines=(line,),
        )
    ]


def _by_levels(
    interface: NamedInterface, interfaces: Sequence[NamedInterface], global_binding: GlobalBinding | None
) -> list[PolicyRule]:
    """Without any access list for `interface`: to a lower level passes. Equal levels and the
    interface itself are listed too: the gates before decide those pairs."""
    if interface.acl_in is not None or global_binding is not None:
        return []
    lower = tuple(other.name for other in interfaces if other.level <= interface.level)
    line = AclLine(action=Action.PERMIT, matches=(Match(),), source=interface.level_source)
    return [
        PolicyRule(
            name=f"security-level {interface.level} ({interface.nameif})",
            source=interface.level_source,
            from_interfaces=(interface.name,),
            to_interfaces=lower,
            lines=(line,),
            configured=False,
        )
    ]
