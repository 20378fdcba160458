"""ACL-002 shares work between ACLs and skips policy rules that cannot report: the answers
must be those each ACL (each rule) gets on its own.

`unreachable_lines_of_each` walks ACLs as a tree of their line prefixes (an access layer's
SVI ACLs are a few templates plus one line each); `policy_shadows` skips rules applying a
named ACL on pairs no earlier rule decides (the ASA's access-groups). Both are checked
against the plain definitions: `unreachable_lines` of one ACL alone, and the policy pass
over every line of every rule.
"""

from __future__ import annotations

import textwrap
from dataclasses import replace

import strategies
from hypothesis import given, settings
from hypothesis import strategies as st

from nankoku_netcheck.model import Acl, AclLine, Device
from nankoku_netcheck.reach.packets import PacketSpace
from nankoku_netcheck.rules.acl import (
    PolicyShadow,
    _policy_lines,
    _PolicySets,
    policy_shadows,
    unreachable_lines,
    unreachable_lines_of_each,
)
from nankoku_netcheck.rules.policies import judged, written_lines
from nankoku_netcheck.vendors.cisco_ios.parser import parse

SPACE = PacketSpace()

TEMPLATE = """\
 deny tcp any host 10.0.0.5 eq 443
 deny tcp any host 10.0.0.6 eq 22
 deny tcp any 10.0.0.0 0.0.0.255 eq 443
 deny tcp any host 10.0.0.5 eq 443
"""


def _acls(config: str) -> dict[str, Acl]:
    return parse(textwrap.dedent(config), "r1.cfg").acls


def _found(acl: Acl) -> list[tuple[int, tuple[int, ...], bool]]:
    return [(item.index, item.cover, item.empty) for item in unreachable_lines(SPACE, acl)]


def _found_together(acls: list[Acl]) -> list[list[tuple[int, tuple[int, ...], bool]]]:
    return [
        [(item.index, item.cover, item.empty) for item in found] for found in unreachable_lines_of_each(SPACE, acls)
    ]


def test_acls_sharing_a_template_each_get_their_own_answer_in_either_order() -> None:
    """Two SVI ACLs of one template: the template's repeated line is found in both; the
    last line is shadowed by the template in one ACL only."""
    acls = _acls(
        "hostname r1\nip access-list extended V10\n"
        + TEMPLATE
        + " permit ip 10.0.0.0 0.0.0.255 any\n"
        + "ip access-list extended V11\n"
        + TEMPLATE
        + " deny tcp any host 10.0.0.9 eq 443\n"
    )
    first, second = acls["V10"], acls["V11"]
    assert _found(first) == [(3, (0,), False)]
    assert _found(second) == [(3, (0,), False), (4, (2,), False)]
    assert _found_together([first, second]) == [_found(first), _found(second)]
    assert _found_together([second, first]) == [_found(second), _found(first)]


def test_acls_whose_prefixes_differ_in_one_line_do_not_share_its_answers() -> None:
    """The third line differs: in one ACL it covers the line after it, in the other not."""
    acls = _acls("""\
        hostname r1
        ip access-list extended A
         deny tcp any host 10.0.0.5 eq 443
         deny tcp any host 10.0.0.6 eq 22
         deny tcp any 10.0.0.0 0.0.0.255 eq 443
         deny tcp any host 10.0.0.7 eq 443
         permit ip any any
        ip access-list extended B
         deny tcp any host 10.0.0.5 eq 443
         deny tcp any host 10.0.0.6 eq 22
         deny tcp any 10.0.1.0 0.0.0.255 eq 443
         deny tcp any host 10.0.0.7 eq 443
         permit ip any any
        """)
    a, b = acls["A"], acls["B"]
    assert _found(a) == [(3, (2,), False)]
    assert _found(b) == []
    assert _found_together([a, b]) == [_found(a), _found(b)]
    assert _found_together([b, a]) == [_found(b), _found(a)]


def test_an_acl_that_is_the_start_of_another_and_a_copy_get_their_own_answers() -> None:
    acls = _acls("hostname r1\nip access-list extended T\n" + TEMPLATE + "ip access-list extended U\n" + TEMPLATE)
    longer = replace(acls["T"], lines=acls["T"].lines + acls["T"].lines[:1])
    together = _found_together([acls["T"], longer, acls["U"], Acl("E", (), acls["T"].source)])
    assert together == [_found(acls["T"]), _found(longer), _found(acls["U"]), []]
    assert together[1] == [(3, (0,), False), (4, (0,), False)]


@st.composite
def _sharing_acls(draw: st.DrawFn) -> list[Acl]:
    """ACLs made of one shared start and random ends, one of them a copy of another with
    one line of the start changed."""
    start = draw(st.lists(strategies.acl_lines(), max_size=6))
    ends = draw(st.lists(st.lists(strategies.acl_lines(), max_size=3), min_size=1, max_size=3))
    acls = [Acl(f"A{number}", tuple(start + end), strategies.SOURCE) for number, end in enumerate(ends)]
    if start:
        changed: AclLine = draw(strategies.acl_lines())
        at = draw(st.integers(0, len(start) - 1))
        lines = list(acls[0].lines)
        lines[at] = changed
        acls.append(Acl("C", tuple(lines), strategies.SOURCE))
    return draw(st.permutations(acls))


@settings(max_examples=150, deadline=None)
@given(acls=_sharing_acls(), limit=st.sampled_from([0, 2, 256]))
def test_acls_found_together_get_what_each_gets_alone(acls: list[Acl], limit: int) -> None:
    alone = [unreachable_lines(SPACE, acl, limit) for acl in acls]
    assert unreachable_lines_of_each(SPACE, acls, limit) == alone


def _every_policy_line(sets: _PolicySets) -> list[PolicyShadow]:
    """`policy_shadows` without skipping any rule: every line of every judged rule."""
    found: list[PolicyShadow] = []
    for position, rule in enumerate(sets.device.policy or ()):
        lines = written_lines(sets.device, rule)
        if lines is None or not judged(rule):
            continue
        if not sets.groups(position):
            found.append((position, None))
            continue
        if not sets.live_groups(position):
            continue
        for item in _policy_lines(sets, lines):
            shadowed_by_itself = rule.acl is not None and SPACE.subset(item.packets, item.own)
            if not (shadowed_by_itself or sets.reachable(position, item)):
                found.append((position, item.index))
    return found


@settings(max_examples=150, deadline=None)
@given(device=st.one_of(strategies.policy_devices("fw"), strategies.asa_devices("fw")))
def test_policy_shadows_skip_no_rule_that_has_a_finding(device: Device) -> None:
    """Random zone-based and ASA policies (access-groups: the rules the pass skips)."""
    assert policy_shadows(_PolicySets(SPACE, device)) == _every_policy_line(_PolicySets(SPACE, device))
