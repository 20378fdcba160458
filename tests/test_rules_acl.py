"""Filtering and routing consistency rules: ACL-001..004 and RT-001.

Pass/fail fixtures under tests/fixtures/rules/<RULE-ID>/ as for the device rules; ACL-002
is also checked against the concrete line-by-line matcher of tests/oracle.py on random
ACLs: a line it reports must never be the first match of any packet.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

import oracle
import pytest
import strategies
from conftest import REPO, rule_fixture_outcome
from hypothesis import given, settings
from hypothesis import strategies as st

from nankoku_netcheck.model import Acl, AclLine
from nankoku_netcheck.parse import parse_config
from nankoku_netcheck.reach.packets import Packet, PacketSpace
from nankoku_netcheck.rules.acl import ACL_RULES, exact, line_set, may_match_everything, unreachable_lines
from nankoku_netcheck.rules.acl_overlap import (
    MASKS,
    OverlapIndex,
    enclosing_prefix,
    line_shapes,
    lines_overlap,
    shapes_overlap,
)
from nankoku_netcheck.vendors.cisco_ios.parser import parse

FIXTURES = REPO / "tests" / "fixtures" / "rules"
RULES = {rule.id: rule for rule in ACL_RULES}
SPACE = PacketSpace()


# Every rule has an IOS pass and fail case; rules that apply to Cisco ASA also have
# asa-pass and asa-fail. Rules that read only an ordered policy (Device.policy), which the
# IOS parser never writes, have their pass and fail cases built by hand in test_rules_policy.py.
POLICY_ONLY = ("ACL-006", "ACL-007")
CASES = [
    (rule_id, case)
    for rule_id in sorted(set(RULES) - set(POLICY_ONLY))
    for case in ("pass", "fail", "asa-pass", "asa-fail")
    if case in ("pass", "fail") or (FIXTURES / rule_id / case).is_dir()
]


@pytest.mark.parametrize(("rule_id", "case"), CASES)
def test_rule_fixture(rule_id: str, case: str) -> None:
    rule = RULES[rule_id]
    found, expected, findings = rule_fixture_outcome(rule, FIXTURES / rule_id / case)
    assert found == expected
    assert case.endswith("fail") == bool(expected), "a fail fixture must list findings, a pass fixture none"
    for finding in findings:
        assert (finding.rule, finding.severity, finding.status) == (rule_id, rule.severity, "violated")
        assert finding.message_en.startswith(f"{finding.evidence[0].file}:{finding.evidence[0].line}: ")
        assert finding.message_ja


def fail_findings(rule_id: str) -> dict[int, object]:
    _, _, findings = rule_fixture_outcome(RULES[rule_id], FIXTURES / rule_id / "fail")
    return {finding.evidence[0].line: finding for finding in findings}


def test_shadowed_line_names_the_lines_that_cover_it() -> None:
    config = (FIXTURES / "ACL-002" / "fail" / "configs" / "r1.cfg").read_text(encoding="utf-8").splitlines()
    by_line = fail_findings("ACL-002")
    line_of = {text.strip(): number for number, text in enumerate(config, start=1)}
    # ACL B: the permit is covered by the two denies together; the ssh permit between them
    # overlaps nothing of it and is not evidence.
    covered = by_line[line_of["permit ip 10.0.0.0 0.0.1.255 any"]]
    assert [(e.line, e.role) for e in covered.evidence] == [
        (line_of["permit ip 10.0.0.0 0.0.1.255 any"], "unreachable"),
        (line_of["deny ip 10.0.0.0 0.0.0.255 any"], "matches first"),
        (line_of["deny ip 10.0.1.0 0.0.0.255 any"], "matches first"),
    ]
    assert "intent is not applied" in covered.message_en
    # ACL A: a deny under a broader permit: the opposite action decides its packets.
    deny = by_line[line_of["deny tcp 10.2.10.0 0.0.0.255 any eq 445"]]
    assert [e.line for e in deny.evidence][1:] == [line_of["permit ip 10.2.0.0 0.0.255.255 any"]]
    assert "permit what this line would deny" in deny.message_en
    empty = by_line[line_of["permit object-group EMPTY any any"]]
    assert "matches no packet" in empty.message_en and len(empty.evidence) == 1


def test_a_repeated_line_is_reported_as_redundant() -> None:
    device = parse(
        textwrap.dedent("""\
        hostname r1
        ip access-list extended X
         permit tcp any host 10.0.0.5 eq 443
         permit tcp any host 10.0.0.5 eq 443
        """),
        "r1.cfg",
    )
    (item,) = unreachable_lines(SPACE, device.acls["X"])
    assert (item.index, item.cover, item.empty) == (1, (0,), False)


def test_a_line_covered_by_narrower_earlier_lines_is_found_through_the_index() -> None:
    """Earlier lines inside the line's destinations (two halves, then a third prefix
    elsewhere that must not be cited) cover it; a line to a host in a half is covered
    by the enclosing half alone."""
    device = parse(
        textwrap.dedent("""\
        hostname r1
        ip access-list extended X
         permit tcp any 10.0.0.0 0.0.0.127 eq 443
         deny tcp any 10.0.0.128 0.0.0.127 eq 443
         permit tcp any 10.9.0.0 0.0.0.255 eq 443
         permit tcp any 10.0.0.0 0.0.0.255 eq 443
         permit tcp any host 10.0.0.200 eq 443
         permit tcp any 10.0.0.0 0.0.0.255 eq 22
        """),
        "r1.cfg",
    )
    found = {item.index: item.cover for item in unreachable_lines(SPACE, device.acls["X"])}
    assert found == {3: (0, 1), 4: (1,)}


def test_undefined_interface_acl_says_the_device_permits_everything() -> None:
    by_line = fail_findings("ACL-001")
    interface = next(f for f in by_line.values() if "MISSING" in f.message_en)
    assert "permitting everything" in interface.message_en
    vty = next(f for f in by_line.values() if "'99'" in f.message_en)
    assert [e.line for e in vty.evidence] == [16, 19]  # both vty ranges, one finding


def test_rt_001_explains_each_failure() -> None:
    messages = " ".join(f.message_en for f in fail_findings("RT-001").values())
    assert "10.200.0.1 is on no connected subnet" in messages
    assert "GigabitEthernet0/5 is not defined" in messages
    assert "shut down" in messages and "GigabitEthernet0/1 (10.0.1.0/30)" in messages
    assert "discard (Null0)" in messages


@settings(max_examples=150, deadline=None)
@given(acl=strategies.acls(max_lines=6), packets=st.lists(strategies.packets(), min_size=1, max_size=8))
def test_reported_lines_never_decide_a_packet(acl: Acl, packets: list[Packet]) -> None:
    """Soundness of ACL-002 against the concrete matcher: every packet a reported line
    matches is matched by one of its covering lines, all earlier and exact."""
    for item in unreachable_lines(SPACE, acl):
        assert all(index < item.index and exact(acl.lines[index]) for index in item.cover)
        for packet in packets:
            if any(oracle.match_hits(m, packet) for m in acl.lines[item.index].matches):
                assert not item.empty
                assert any(oracle.match_hits(m, packet) for index in item.cover for m in acl.lines[index].matches)


@settings(max_examples=100, deadline=None)
@given(acl=strategies.acls(max_lines=5))
def test_unreported_exact_lines_can_be_reached(acl: Acl) -> None:
    """Completeness: an exact line that is not reported decides some packet, i.e. a packet
    it matches escapes every earlier exact line."""
    reported = {item.index for item in unreachable_lines(SPACE, acl)}
    earlier = SPACE.false
    for index, line in enumerate(acl.lines):
        matched = SPACE.false
        for match in line.matches:
            matched |= SPACE.match(match)
        if index not in reported:
            witness = SPACE.pick(matched & ~earlier)
            assert witness is not None
            assert any(oracle.match_hits(m, witness) for m in line.matches)
            assert not any(
                oracle.match_hits(m, witness) for other in acl.lines[:index] if exact(other) for m in other.matches
            )
        if exact(line):
            earlier |= matched


def test_fixture_configs_parse_without_forwarding_unknowns_except_where_intended() -> None:
    """The fixtures exercise the rules, not the parser: the only lines the parser may not
    interpret are the ACL-001 entry naming an undefined object-group and the WCCP use of an
    ACL in the ACL-003 fixture, and in the ASA ACL-001 fixture the undefined object-group,
    ACL binding and NAT object, and in the FortiOS ACL-001 fixture the lines naming undefined
    objects (all there on purpose). ASA fixtures must be read as ASA."""
    allowed = {
        ("ACL-001", "fail", "permit ip object-group NO-SUCH-GROUP any"),
        ("ACL-003", "pass", "ip wccp web-cache redirect-list WCCP-REDIRECT"),
        ("ACL-001", "asa-fail", "access-list OUTSIDE_IN extended permit ip object-group NO-SUCH-GROUP any"),
        ("ACL-001", "asa-fail", "access-group MISSING in interface inside"),
        ("ACL-001", "asa-fail", "nat (inside,outside) source static NO-SUCH-OBJ NO-SUCH-OBJ"),
        ("ACL-001", "fortios-fail", 'set member "MAIL-RELAY" "MAIL-RELAY2"'),
        ("ACL-001", "fortios-fail", 'set dstaddr "RELAYS"'),
        ("ACL-001", "fortios-fail", 'set srcaddr "LGWAN-NETS"'),
        ("ACL-001", "fortios-fail", 'set service "HTTPS-ALT"'),
        ("ACL-001", "fortios-fail", 'set poolname "POOL9"'),
    }
    for config in sorted(FIXTURES.glob("*/*/configs/*.cfg")):
        rule_id, case = config.parts[-4], config.parts[-3]
        device = parse_config(config.read_text(encoding="utf-8"), str(config))
        assert (device.vendor == "cisco_asa") == case.startswith("asa-"), config
        for unknown in device.forwarding_unknowns:
            assert (rule_id, case, unknown.source.text.strip()) in allowed, (Path(config).name, unknown)


@settings(max_examples=150, deadline=None)
@given(acl=strategies.acls(max_lines=12), limit=st.sampled_from([0, 2, 256]))
def test_unreachable_lines_equal_the_single_union_definition(acl: Acl, limit: int) -> None:
    """The overlap index only narrows which earlier lines are unioned: the lines reported
    are exactly those covered by the union of every earlier exact line, whether the index
    answers (limit 256) or gives up and falls back to the full union (limits 0 and 2)."""
    expected = set()
    earlier = SPACE.false
    for index, line in enumerate(acl.lines):
        matched = SPACE.false
        for match in line.matches:
            matched |= SPACE.match(match)
        if SPACE.subset(matched, earlier):  # not `<=`: OxiDD orders functions by node, it is no subset test
            expected.add(index)
        if exact(line):
            earlier |= matched
    assert {item.index for item in unreachable_lines(SPACE, acl, limit)} == expected


@settings(max_examples=300, deadline=None)
@given(first=strategies.acl_lines(), second=strategies.acl_lines())
def test_overlap_test_never_misses_a_shared_packet(first: AclLine, second: AclLine) -> None:
    """`lines_overlap` may say "overlap" for disjoint lines but never "disjoint" for lines
    that share a packet."""
    shared = SPACE.false
    for a in first.matches:
        for b in second.matches:
            shared |= SPACE.match(a) & SPACE.match(b)
    if shared != SPACE.false:
        assert lines_overlap(first, second)
        packet = SPACE.pick(shared)
        assert packet is not None
        assert any(oracle.match_hits(m, packet) for m in first.matches)


@settings(max_examples=300, deadline=None)
@given(first=strategies.acl_lines(), second=strategies.acl_lines())
def test_shapes_overlap_answers_as_lines_overlap(first: AclLine, second: AclLine) -> None:
    """The index tests lines through their shapes: the same answer as `lines_overlap`."""
    assert shapes_overlap(line_shapes(first), line_shapes(second)) == lines_overlap(first, second)


def _destinations_related(first: AclLine, second: AclLine) -> bool:
    """Brute force: some destination prefix of one line contains one of the other's (or
    either line has a match to any destination)."""
    if any(match.dst is None for match in first.matches + second.matches):
        return True
    for a in first.matches:
        for b in second.matches:
            for (network, length), (other, other_length) in (
                (enclosing_prefix(x), enclosing_prefix(y)) for x in a.dst or () for y in b.dst or ()
            ):
                shorter = min(length, other_length)
                if network & MASKS[shorter] == other & MASKS[shorter]:
                    return True
    return False


@settings(max_examples=300, deadline=None)
@given(acl=strategies.acls(max_lines=14), line=strategies.acl_lines(), limit=st.sampled_from([1, 3, 256]))
def test_overlap_index_returns_every_line_that_shares_a_packet(acl: Acl, line: AclLine, limit: int) -> None:
    """`OverlapIndex.candidates` against a scan of every added line: when it answers, the
    answer is sorted and holds every line sharing a packet with `line` (a BDD test, not the
    index's own overlap test); it gives up (None) exactly when more than `limit` lines share
    the line's destinations."""
    index = OverlapIndex(limit)
    for added in acl.lines:
        index.add(added)
    found = index.candidates(line)
    related = [number for number, added in enumerate(acl.lines) if _destinations_related(added, line)]
    assert (found is None) == (len(related) > limit)
    if found is None:
        return
    assert found == sorted(set(found))
    packets = line_set(SPACE, line)
    sharing = {number for number, added in enumerate(acl.lines) if line_set(SPACE, added) & packets != SPACE.false}
    assert sharing <= set(found)


@settings(max_examples=300, deadline=None)
@given(line=strategies.acl_lines())
def test_the_everything_precheck_never_rules_out_a_line_that_matches_everything(line: AclLine) -> None:
    """ACL-004 skips lines `may_match_everything` rules out: it may only rule out lines
    whose packet set is not every valid packet."""
    if line_set(SPACE, line) == SPACE.valid:
        assert may_match_everything(line)


def test_the_everything_precheck_passes_permit_ip_any_any() -> None:
    device = parse("hostname r1\nip access-list extended X\n permit ip any any\n permit tcp any any\n", "r1.cfg")
    first, second = device.acls["X"].lines
    assert may_match_everything(first) and line_set(SPACE, first) == SPACE.valid
    assert not may_match_everything(second)


def test_rt_001_names_an_interface_down_by_autostate() -> None:
    from nankoku_netcheck.rules.acl import _route_problem

    device = parse(
        textwrap.dedent("""\
        hostname r
        interface Vlan50
         ip address 10.0.50.1 255.255.255.0
        interface GigabitEthernet0/1
         switchport mode access
         switchport access vlan 10
        ip route 10.9.0.0 255.255.0.0 Vlan50
        ip route 10.8.0.0 255.255.0.0 10.0.50.9
        """),
        "r.cfg",
    )
    direct, via = (_route_problem(device, route) for route in device.routes)
    assert direct == (
        "exit interface Vlan50 is down (autostate: no port in the config carries VLAN 50); the route is never "
        "installed.",
        "出力インターフェース Vlan50 がリンクダウンしており（autostate: VLAN 50 を運ぶポートが設定にない）、"
        "経路は登録されません。",
    )
    assert via is not None and "Vlan50 (10.0.50.0/24), which is down (autostate" in via[0]
