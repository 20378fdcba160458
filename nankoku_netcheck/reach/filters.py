"""Which filters decide a packet on a device: the vendor-neutral semantics the symbolic
engine, the concrete tracer and the test oracle apply alike.

Interfaces. An interface takes packets when it is up and `passes_traffic` (an ASA interface
without `nameif` does not). It carries through traffic when it also is not
`management_only` (to the box only; its routes are not used for through traffic).

A packet entering interface I and leaving by O (through traffic) passes when both carry
through traffic and
1. I's inbound ACL (`acl_in`) permits it,
2. the device's policy, when it has one (`Device.policy`), permits it from I to O, and
3. O's outbound ACL (`acl_out`) permits it.
An interface ACL: none bound permits all; an undefined one permits all when
`Device.undefined_acl_permits` (IOS) and nothing otherwise; one with no entries (only remarks
or nothing at all) permits all: IOS has the implicit deny only once an ACL holds an entry.

The policy (PolicyRule): the rules whose `from_interfaces` holds I (or is None) and whose
`to_interfaces` holds O (or is None) apply, in order; their lines (`lines`, or those of the
named ACL `acl`) form one list, first match decides, one implicit deny at the end. A rule
naming an ACL with no entries adds no line; one naming an undefined ACL permits everything
that reaches it when `undefined_acl_permits`, else adds no line (falls through: the wider of
"deny" and "fall through", since the device's behaviour is not known). The list is cut after
the first line that matches every packet: nothing after it decides anything.

Stateful inspection (`Device.stateful`): the three filters decide new connections. A TCP
packet with ACK/RST is never a new connection: it passes from I to O iff its reverse (source
and destination swapped) would pass as a new connection from O to I, and it is not filtered
otherwise; anything else with ACK/RST is dropped by the state check, to the box included.
Without stateful inspection every packet is decided as a new connection.

To the box (a packet addressed to one of the device's own addresses, arriving on I): the
policy never applies as to through traffic (there is no O); `Device.to_the_box` says what does
(model.ToTheBox):
- FILTERED (IOS): I's inbound ACL, as for any packet.
- ARRIVAL_ONLY (ASA): an address of I answers, unfiltered (management access rules decide,
  over-approximated as permitting everything); packets to the device's other addresses are
  dropped.
- ANY_ADDRESS: every address answers, unfiltered.
- VIA_POLICY (FortiOS): an address of I answers, unfiltered (`allowaccess` and local-in
  policies decide: over-approximated as accepting); an address owned only by other interfaces
  answers when, for one of those interfaces J, the policy from I to J permits the packet. Only
  the policy: the interface ACLs do not apply to traffic to the box, and J's state beyond being
  up does not matter (over-approximated: J's own `allowaccess` is taken to accept). A device
  without a policy then answers on every address.
- SELF_POLICY (IOS zone-based firewall): I's inbound ACL and the policy from I to the
  pseudo-interface `model.TO_THE_DEVICE` (no rule naming it: the implicit deny); without a
  policy, as FILTERED.
An address counts as an interface's when the interface is up and holds it (primary, secondary
or first-hop redundancy virtual address).

How the ASA maps onto this (vendors/cisco_asa/policy.py): interface without `nameif` →
`passes_traffic=False`; `management-only` → `management_only`; the same-security gates →
leading deny rules for the pairs they forbid (sourced at the `security-level` line);
`access-group X in interface I` → a rule from I with acl X, `access-group G global` → a rule
from any interface with acl G after them; no access list for I → a rule permitting to
interfaces of lower level (a synthetic permit line sourced at the `security-level` line); an
applied list with no entry at all → a synthetic permit-any line with `approximation` (Cisco
does not document the case: an ASA refuses an `access-group` naming an ACL that does not
exist, but one with only remarks exists; permitting is the choice with more reachability);
`access-group X out interface O` stays `acl_out`; `to_the_box=ARRIVAL_ONLY`, `stateful=True`.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..graph import is_up
from ..model import Acl, AclLine, Action, Device, Interface, Match, PolicyRule, Source
from .packets import PacketSpace, counts_as_match


def accepts(interface: Interface) -> bool:
    """Whether the interface takes packets at all (to the box, and to forward if `forwards`)."""
    return is_up(interface) and interface.passes_traffic


def forwards(interface: Interface) -> bool:
    """Whether through traffic may enter or leave by this interface."""
    return accepts(interface) and not interface.management_only


def ingress_acl(device: Device, if_name: str) -> Acl | str | None:
    """The inbound ACL of `if_name`: an Acl, None (none bound: permit), or the name of an
    undefined ACL (str)."""
    name = device.interfaces[if_name].acl_in
    if name is None:
        return None
    return device.acls.get(name, name)


def egress_acl(device: Device, if_name: str) -> Acl | str | None:
    name = device.interfaces[if_name].acl_out
    if name is None:
        return None
    return device.acls.get(name, name)


def decides_per_pair(device: Device) -> bool:
    """Whether a packet's fate on the device depends on the pair of interfaces it crosses."""
    return device.stateful or device.policy is not None


def applicable_rules(device: Device, in_if: str, out_if: str) -> tuple[int, ...]:
    """Indexes in `device.policy` of the rules that apply from `in_if` to `out_if`, in order."""
    return tuple(
        index
        for index, rule in enumerate(device.policy or ())
        if (rule.from_interfaces is None or in_if in rule.from_interfaces)
        and (rule.to_interfaces is None or out_if in rule.to_interfaces)
    )


@dataclass(frozen=True)
class PolicyList:
    """The one list a pair's policy evaluates: `acl.lines`, and for each line the rule it
    comes from (`owners[i]` is the rule of `acl.lines[i]`)."""

    acl: Acl
    owners: tuple[PolicyRule, ...]


# The line a rule naming an undefined ACL stands for when undefined ACLs permit.
_UNDEFINED_PERMITS = "an undefined ACL is taken to permit everything"


def policy_list(device: Device, indexes: tuple[int, ...]) -> PolicyList:
    """The lines of the rules `indexes` of `device.policy` as one list (see the module
    docstring), cut after the first line that matches every packet.

    Each rule's lines are taken whole up to that line (`_first_catch_all`), not one by one: the
    edit run of the 1,000-device city asks for 32 lists (240,000 lines, 17,166 a list on a
    firewall); appending each line and its rule and testing it in a call of its own took
    0.126 s of CPU for them, this 0.021 s (medians of 7, interleaved, on the recorded arguments)."""
    rules = device.policy or ()
    lines: list[AclLine] = []
    owners: list[PolicyRule] = []
    for index in indexes:
        rule = rules[index]
        found = rule_lines(device, rule)
        cut = _first_catch_all(found)
        taken = found if cut is None else found[: cut + 1]
        lines += taken
        owners += [rule] * len(taken)
        if cut is not None:
            break
    return PolicyList(_as_acl(device, lines), tuple(owners))


def _first_catch_all(lines: tuple[AclLine, ...]) -> int | None:
    """The position of the first of `lines` that decides every packet reaching it (`permit ip any
    any`, `deny ip any any`: a match equal to `Match()` on a line the engine lets match), if any.
    `Match.__eq__` builds a tuple of the seven fields of each side: the addresses, which a line of
    any other match mostly names, are looked at first; inline, as a call per line cost more."""
    for position, line in enumerate(lines):
        for match in line.matches:
            if match.dst is None and match.src is None and match == _ANY_PACKET and counts_as_match(line):
                return position
    return None


def policy_acl(space: PacketSpace, device: Device, indexes: tuple[int, ...]) -> Acl:
    """`policy_list(device, indexes).acl`, one object per run and space (`PacketSpace.derived_acl`)."""
    return space.derived_acl(device, indexes, lambda: policy_list(device, indexes).acl)


def rule_lines(device: Device, rule: PolicyRule) -> tuple[AclLine, ...]:
    if rule.acl is None:
        return rule.lines
    acl = device.acls.get(rule.acl)
    if acl is not None:
        return acl.lines
    if device.undefined_acl_permits:
        return (AclLine(Action.PERMIT, (Match(),), rule.source, approximation=_UNDEFINED_PERMITS),)
    return ()


_ANY_PACKET = Match()  # made once: every line of a policy's list is asked (17,000 a list on a firewall)


def _as_acl(device: Device, lines: list[AclLine]) -> Acl:
    return Acl(name="policy", lines=tuple(lines), source=Source(device.source_file, 0, ""))


def permits_everything_when_empty(acl: Acl) -> bool:
    """Whether the interface ACL `acl` is bound with no entries, which permits every packet
    (see above). Not for a policy's list: there an empty list is the implicit deny."""
    return not acl.lines


def empty_acl_note(device_name: str, acl_name: str) -> str:
    return f"{device_name}: ACL {acl_name} has no entries, so it permits everything"
