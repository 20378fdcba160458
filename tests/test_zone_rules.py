"""ZONE-001, ZONE-005 and META-001 on small hand-written networks (pass and fail fixtures)."""

from __future__ import annotations

import textwrap
from pathlib import Path

from nankoku_netcheck.analyze import analyze
from nankoku_netcheck.result import Finding, Result

DENY_ALL_OUT = """\
ip access-group BLOCK out
ip access-group BLOCK in
"""
BLOCK_ACL = """\
ip access-list extended BLOCK
 deny ip any any
"""

CHANNELS = """\
channels:
  - {id: mail-text, kind: mail-text, src: [10.3.1.25/32], dst: [10.2.1.25/32], proto: tcp, dport: [25]}
  - {id: screen, kind: screen-transfer, src: [10.2.1.0/24], dst: [10.3.1.0/24], proto: tcp, dport: [3389]}
"""


def findings(result: Result, rule: str, status: str = "violated") -> list[Finding]:
    return [f for f in result.findings if f.rule == rule and f.status == status]


def verdict_of(result: Result, rule: str) -> str:
    return next(v.verdict for v in result.rules if v.rule == rule)


def test_unfiltered_city_violates_both_rules_in_both_directions(triangle) -> None:
    result = analyze(str(triangle()))
    pairs = {(f.from_zone, f.to_zone) for f in findings(result, "ZONE-001")}
    assert {("mynumber", "lgwan"), ("mynumber", "internet"), ("lgwan", "mynumber"), ("internet", "mynumber")} <= pairs
    pairs_005 = {(f.from_zone, f.to_zone) for f in findings(result, "ZONE-005")}
    assert pairs_005 == {("lgwan", "internet"), ("internet", "lgwan")}
    assert result.verdict == "fail"
    assert result.exit_code() == 1


def test_isolated_city_passes(triangle) -> None:
    topology = triangle(mn_iface=DENY_ALL_OUT, mn_extra=BLOCK_ACL, lg_iface=DENY_ALL_OUT, lg_extra=BLOCK_ACL)
    result = analyze(str(topology))
    assert verdict_of(result, "ZONE-001") == "pass"
    assert verdict_of(result, "ZONE-005") == "pass"
    assert result.verdict == "pass"
    assert result.exit_code() == 0


def test_mynumber_leak_names_the_permitting_line_and_path(triangle) -> None:
    topology = triangle(
        mn_iface="ip access-group MN-OUT out\nip access-group BLOCK in",
        mn_extra=BLOCK_ACL
        + textwrap.dedent("""\
            ip access-list extended MN-OUT
             permit tcp 10.1.1.0 0.0.0.255 host 10.2.1.30 eq 445
             deny ip any any
            """),
        lg_iface=DENY_ALL_OUT.replace("BLOCK in", "LG-IN in"),
        lg_extra=BLOCK_ACL
        + textwrap.dedent("""\
            ip access-list extended LG-IN
             permit tcp any host 10.2.1.30 eq 445
             deny ip any any
            """),
        inet_iface="ip access-group BLOCK in",
        inet_extra=BLOCK_ACL,
    )
    result = analyze(str(topology))
    leaks = findings(result, "ZONE-001")
    assert [(f.from_zone, f.to_zone) for f in leaks] == [("mynumber", "lgwan")]
    leak = leaks[0]
    assert leak.severity == "error"
    assert leak.flow is not None
    assert (leak.flow.proto, leak.flow.dst, leak.flow.dport) == ("tcp", "10.2.1.30", 445)
    assert leak.flow.src.startswith("10.1.1.")
    assert [step.device for step in leak.path] == ["r-mn", "r-core", "r-lg"]
    permits = {(Path(e.file).name, e.line) for e in leak.evidence if e.role == "permits"}
    mn_text = (topology.parent / "configs" / "r-mn.cfg").read_text().splitlines()
    lg_text = (topology.parent / "configs" / "r-lg.cfg").read_text().splitlines()
    mn_line = mn_text.index(" permit tcp 10.1.1.0 0.0.0.255 host 10.2.1.30 eq 445") + 1
    lg_line = lg_text.index(" permit tcp any host 10.2.1.30 eq 445") + 1
    assert permits == {("r-mn.cfg", mn_line), ("r-lg.cfg", lg_line)}
    assert "10.2.1.30/32" in leak.flow_class and "dport 445" in leak.flow_class


def test_exact_channels_pass_and_a_widened_channel_fails(triangle) -> None:
    exact_lg = """\
        ip access-list extended LG-OUT
         permit tcp 10.2.1.0 0.0.0.255 10.3.1.0 0.0.0.255 eq 3389
         permit tcp host 10.2.1.25 eq smtp host 10.3.1.25 established
         deny ip any any
        ip access-list extended LG-IN
         permit tcp host 10.3.1.25 host 10.2.1.25 eq smtp
         permit tcp 10.3.1.0 0.0.0.255 eq 3389 10.2.1.0 0.0.0.255 established
         deny ip any any
        """
    lg_iface = "ip access-group LG-OUT out\nip access-group LG-IN in"
    common = {"mn_iface": DENY_ALL_OUT, "mn_extra": BLOCK_ACL, "lg_iface": lg_iface}
    result = analyze(str(triangle(topology_tail=CHANNELS, lg_extra=exact_lg, **common)))
    assert verdict_of(result, "ZONE-005") == "pass", [f.message_en for f in result.findings]

    widened = exact_lg.replace(
        "permit tcp host 10.3.1.25 host 10.2.1.25 eq smtp", "permit tcp 10.3.1.0 0.0.0.255 host 10.2.1.25 eq smtp"
    )
    result = analyze(str(triangle(topology_tail=CHANNELS, lg_extra=widened, **common)))
    leaks = findings(result, "ZONE-005")
    assert [(f.from_zone, f.to_zone, f.severity) for f in leaks] == [("internet", "lgwan", "error")]
    assert leaks[0].flow is not None and leaks[0].flow.src != "10.3.1.25"
    assert leaks[0].flow.dport == 25


def test_established_only_leak_is_a_warning_not_an_error(triangle) -> None:
    lg = """\
        ip access-list extended LG-OUT
         permit tcp 10.2.1.0 0.0.0.255 any established
         deny ip any any
        """
    topology = triangle(
        mn_iface=DENY_ALL_OUT,
        mn_extra=BLOCK_ACL,
        lg_iface="ip access-group LG-OUT out\nip access-group BLOCK in",
        lg_extra=textwrap.dedent(lg) + BLOCK_ACL,
    )
    result = analyze(str(topology))
    leaks = findings(result, "ZONE-005")
    assert leaks and all(f.severity == "warning" for f in leaks)
    assert all(f.flow is not None and f.flow.established for f in leaks)
    assert result.exit_code("error") == 0
    assert result.exit_code("warning") == 1


def test_undefined_acl_permits_everything_like_ios(triangle) -> None:
    topology = triangle(
        mn_iface="ip access-group NOT-DEFINED out\nip access-group BLOCK in",
        mn_extra=BLOCK_ACL,
        lg_iface=DENY_ALL_OUT,
        lg_extra=BLOCK_ACL,
    )
    result = analyze(str(topology))
    leaks = findings(result, "ZONE-001")
    assert {(f.from_zone, f.to_zone) for f in leaks} == {("mynumber", "internet")}
    assert any("not defined" in note for f in leaks for note in f.notes)


def test_unknown_acl_keyword_makes_a_would_be_pass_inconclusive(triangle) -> None:
    blocked = {"mn_iface": DENY_ALL_OUT, "lg_iface": DENY_ALL_OUT, "lg_extra": BLOCK_ACL}
    baseline = analyze(str(triangle(mn_extra=BLOCK_ACL, **blocked)))
    assert baseline.verdict == "pass"
    odd = BLOCK_ACL.replace(" deny ip any any", " permit tcp any any eq 443 frobnicate 7\n deny ip any any")
    result = analyze(str(triangle(mn_extra=odd, **blocked)))
    assert result.verdict == "inconclusive"
    assert result.exit_code() == 3
    meta = findings(result, "META-001", "inconclusive")
    assert meta and meta[0].evidence[0].file.endswith("r-mn.cfg")
    assert "frobnicate" in meta[0].message_en
    assert verdict_of(result, "ZONE-001") == "inconclusive"
    assert not findings(result, "ZONE-001", "violated")


def test_unknown_line_on_an_unreached_device_does_not_block_other_proofs(triangle) -> None:
    # NAT in a VRF on r-inet (not modelled): ZONE-001 flows from mynumber never reach r-inet (blocked at r-mn),
    # but flows from the internet start there, so ZONE-001 still depends on it.
    topology = triangle(
        mn_iface=DENY_ALL_OUT,
        mn_extra=BLOCK_ACL,
        lg_iface=DENY_ALL_OUT,
        lg_extra=BLOCK_ACL,
        inet_extra="ip nat inside source static 10.3.1.5 203.0.113.5 vrf BLUE",
    )
    result = analyze(str(topology))
    assert findings(result, "META-001", "inconclusive")
    assert result.exit_code() == 3


def test_dynamic_routing_counterexample_says_it_relies_on_over_approximation(triangle) -> None:
    ospf = """\
        router ospf 1
         network 0.0.0.0 255.255.255.255 area 0
        """
    # r-lg has no static default route here (only OSPF) — the leak exists only via OSPF.
    result = analyze(str(triangle(mn_extra=ospf, core_extra=ospf, lg_extra=ospf)))
    relying = [f for f in findings(result, "ZONE-001") if any("over-approximation" in n for n in f.notes)]
    assert relying


def test_an_applied_acl_with_only_remarks_permits_everything_like_ios(triangle) -> None:
    remarks_only = "ip access-list extended NOTHING-YET\n remark entries to follow\n"
    topology = triangle(
        mn_iface="ip access-group NOTHING-YET out\nip access-group BLOCK in",
        mn_extra=BLOCK_ACL + remarks_only,
        lg_iface=DENY_ALL_OUT,
        lg_extra=BLOCK_ACL,
    )
    result = analyze(str(topology))
    leaks = findings(result, "ZONE-001")
    assert {(f.from_zone, f.to_zone) for f in leaks} == {("mynumber", "internet")}
    assert any(
        "r-mn: ACL NOTHING-YET has no entries, so it permits everything" in note for f in leaks for note in f.notes
    )
    assert any(e.text == "ip access-list extended NOTHING-YET" for f in leaks for e in f.evidence)
