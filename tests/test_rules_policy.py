"""Filter rules on the vendor-neutral ordered policy (model.PolicyRule, `Device.policy`), on
devices built by hand: unreachable rules and lines (ACL-002), a permit-everything line
between zones (ACL-004), any source / destination / service between zones (ACL-006),
permitted sessions between zones not logged (ACL-007), undefined ACLs a rule names (ACL-001).

The firewall `fw` has port1 and port4 in the lgwan zone (10.1.0.0/16), port2 in the internet
zone (10.3.0.0/16) and port3 on a transit link. Each rule is one policy entry whose lines
cite its `edit N` line, as the FortiOS parser writes them.
"""

from __future__ import annotations

from handbuilt import context, device, interface, source, zone

from nankoku_netcheck.model import (
    PROTO_TCP,
    Acl,
    AclLine,
    Action,
    Device,
    Match,
    PolicyRule,
    PortRange,
    Source,
    Wildcard,
    ZoneKind,
    parse_prefix,
)
from nankoku_netcheck.result import Finding
from nankoku_netcheck.rules.acl import ACL_RULES
from nankoku_netcheck.rules.docs import rule_doc

RULES = {rule.id: rule for rule in ACL_RULES}
ZONES = (zone("lgwan", ZoneKind.LGWAN, "10.1.0.0/16"), zone("internet", ZoneKind.INTERNET, "10.3.0.0/16"))
ANY = None


def prefix(text: str) -> tuple[Wildcard, ...]:
    return (Wildcard.prefix(*parse_prefix(text)),)


def line(number: int, action: Action, **fields: object) -> AclLine:
    return AclLine(action, (Match(**fields),), source("fw", number, f"edit {number}"))  # type: ignore[arg-type]


def permit(number: int, **fields: object) -> AclLine:
    return line(number, Action.PERMIT, **fields)


def deny(number: int, **fields: object) -> AclLine:
    return line(number, Action.DENY, **fields)


def rule(
    number: int,
    from_interfaces: tuple[str, ...] | None,
    to_interfaces: tuple[str, ...] | None,
    *lines: AclLine,
    logged: bool = True,
    acl: str | None = None,
) -> PolicyRule:
    return PolicyRule(
        f"policy {number}",
        source("fw", number, f"edit {number}"),
        from_interfaces,
        to_interfaces,
        lines,
        acl,
        logged,
        None if logged else source("fw", number + 1, "set logtraffic disable"),
    )


def firewall(*policy: PolicyRule) -> Device:
    built = device(
        "fw",
        "handmade",
        [
            interface("fw", "port1", "10.1.0.1/24", 101),
            interface("fw", "port2", "10.3.0.1/24", 102),
            interface("fw", "port3", "192.168.255.1/30", 103),
            interface("fw", "port4", "10.1.1.1/24", 104),
        ],
    )
    built.policy = policy
    built.stateful = True
    return built


def check(rule_id: str, built: Device) -> list[Finding]:
    return RULES[rule_id].check(context([built], ZONES))


def lines_of(findings: list[Finding]) -> list[int]:
    return [finding.evidence[0].line for finding in findings]


WEB = {"protocols": (PROTO_TCP,), "dst_ports": (PortRange(443, 443),)}
STAFF_TO_PROXY = {"src": prefix("10.1.0.0/24"), "dst": prefix("10.3.0.5/32"), **WEB}


# --- ACL-002 --------------------------------------------------------------------------------


def test_acl_002_pass_every_rule_decides_some_packet() -> None:
    built = firewall(
        rule(1, ("port1",), ("port2",), permit(1, **STAFF_TO_PROXY)),
        # Also reached from port4, where rule 1 does not apply.
        rule(2, ("port1", "port4"), ("port2",), deny(2, src=prefix("10.1.0.0/24"))),
        rule(3, ANY, ANY, deny(3)),
    )
    assert check("ACL-002", built) == []


def test_acl_002_fail_shadowed_rule_empty_line_and_a_rule_that_applies_nowhere() -> None:
    built = firewall(
        rule(10, ANY, ANY, permit(10, src=prefix("10.1.0.0/16"))),
        rule(20, ("port1",), ("port2",), deny(20, src=prefix("10.1.0.5/32"), protocols=(PROTO_TCP,))),
        rule(30, ("port1",), ("port2",), permit(30, protocols=())),
        rule(40, ("port9",), ("port2",), permit(40)),
    )
    findings = check("ACL-002", built)
    assert lines_of(findings) == [20, 30, 40]
    shadowed, empty, nowhere = findings
    assert shadowed.message_en == (
        "fw.conf:20: policy 20: 'edit 20' is never reached on any interface pair the rule applies to; every packet "
        "it matches is decided earlier (line 10). Some of them permit what this line would deny: its intent is not "
        "applied."
    )
    assert shadowed.message_ja == (
        "fw.conf:20: policy 20 の「edit 20」は、適用されるどのインターフェースの組でも効きません。一致するパケットは"
        "すべて先行する行（10 行目）で判定済みです。 その中には逆の動作（permit）の行があり、"
        "この行の意図は反映されません。"
    )
    assert [(e.line, e.role) for e in shadowed.evidence] == [(20, "unreachable"), (10, "matches first")]
    assert (
        empty.message_en == "fw.conf:30: policy 30: 'edit 30' matches no packet at all (e.g. an empty address "
        "group or service)."
    )
    assert "applies to no pair of forwarding interfaces" in nowhere.message_en
    assert all(finding.rule == "ACL-002" and finding.severity == "warning" for finding in findings)


def test_acl_002_a_line_shadowed_inside_its_own_acl_is_reported_once() -> None:
    """On a rule that names an ACL, ACL-002 on the ACL reports what the ACL shadows itself;
    the policy adds what earlier rules shadow."""
    acl_source = Source("fw.conf", 50, "access-list IN extended permit ip any any")
    acl = Acl(
        "IN",
        (
            AclLine(Action.PERMIT, (Match(),), acl_source),
            AclLine(Action.DENY, (Match(protocols=(PROTO_TCP,)),), Source("fw.conf", 51, "access-list IN deny tcp")),
        ),
        Source("fw.conf", 50, "access-list IN"),
    )
    built = firewall(rule(5, ("port1",), ANY, acl="IN"))
    built.acls["IN"] = acl
    assert lines_of(check("ACL-002", built)) == [51]


# --- ACL-004 / ACL-006 ----------------------------------------------------------------------


def test_acl_004_fail_a_policy_between_zones_permits_everything() -> None:
    built = firewall(rule(7, ("port1",), ("port2",), permit(7)))
    (finding,) = check("ACL-004", built)
    assert (
        finding.message_en == "fw.conf:7: policy 7 between zones (lgwan → internet) permits every packet that "
        "reaches 'edit 7'."
    )
    assert finding.message_ja == (
        "fw.conf:7: 領域間（lgwan → internet）の policy 7 が、「edit 7」に達したすべてのパケットを許可しています。"
    )


def test_acl_004_pass_inside_one_zone_or_after_a_rule_that_decides_it_all() -> None:
    inside = firewall(rule(7, ("port1",), ("port4",), permit(7)))
    assert check("ACL-004", inside) == []
    decided = firewall(rule(6, ("port1",), ("port2",), deny(6)), rule(7, ("port1",), ("port2",), permit(7)))
    assert check("ACL-004", decided) == []


def test_acl_006_fail_any_source_any_destination_any_service() -> None:
    built = firewall(
        rule(1, ("port1",), ("port2",), permit(1, dst=prefix("10.3.0.5/32"), **WEB)),
        rule(2, ("port2",), ("port3",), permit(2, src=prefix("10.3.0.0/24"), dst=prefix("192.168.255.2/32"))),
        rule(3, ("port1", "port4"), ("port3",), permit(3, src=prefix("10.1.0.0/24"), **WEB)),
        rule(4, ("port1",), ("port2",), permit(4, src=prefix("10.1.0.0/24"), dst=prefix("10.3.0.0/24"), **WEB)),
    )
    findings = check("ACL-006", built)
    assert [(f.evidence[0].line, f.evidence[0].role) for f in findings] == [
        (1, "permits any source"),
        (2, "permits any service"),
        (3, "permits any destination"),
    ]
    assert findings[1].message_en == (
        "fw.conf:2: policy 2 (internet → transit) permits any service across a zone boundary; permit only the "
        "sources, destinations and services that are needed."
    )
    assert findings[1].message_ja == (
        "fw.conf:2: policy 2（internet → transit）が領域の境界を越えてすべてのサービスを許可しています。"
        "必要な送信元・宛先・サービスだけを許可してください。"
    )


def test_acl_006_pass_specific_permits_or_any_inside_a_zone() -> None:
    built = firewall(
        rule(1, ("port1",), ("port2",), permit(1, **STAFF_TO_PROXY)),
        # Internet addresses are anyone's: any destination there, any source from there.
        rule(5, ("port1",), ("port2",), permit(5, src=prefix("10.1.0.0/24"), **WEB)),
        rule(6, ("port2",), ("port1",), permit(6, dst=prefix("10.1.0.10/32"), **WEB)),
        rule(2, ("port1",), ("port4",), permit(2)),
        rule(3, ("port1",), ("port2",), deny(3)),
        # Permits everything: ACL-004's, not reported twice; reachable from port4 only.
        rule(4, ("port4",), ("port2",), permit(4)),
    )
    assert check("ACL-006", built) == []
    assert lines_of(check("ACL-004", built)) == [4]


# --- ACL-007 --------------------------------------------------------------------------------


def test_acl_007_fail_permitted_sessions_between_zones_not_logged() -> None:
    built = firewall(rule(8, ("port1",), ANY, permit(8, **STAFF_TO_PROXY), logged=False))
    (finding,) = check("ACL-007", built)
    assert finding.message_en == (
        "fw.conf:9: policy 8 (lgwan → internet, lgwan → transit) permits sessions across a zone boundary without "
        "logging them."
    )
    assert [(e.line, e.text, e.role) for e in finding.evidence] == [
        (9, "set logtraffic disable", "logging off"),
        (8, "edit 8", "policy at a zone boundary"),
    ]


def test_acl_007_pass_logged_or_denying_or_inside_one_zone() -> None:
    built = firewall(
        rule(1, ("port1",), ("port2",), permit(1, **STAFF_TO_PROXY)),
        rule(3, ("port1",), ("port2",), deny(3), logged=False),
        rule(5, ("port1",), ("port4",), permit(5), logged=False),
    )
    assert check("ACL-007", built) == []


# --- ACL-001: a rule naming an undefined ACL -------------------------------------------------


def test_acl_001_a_policy_rule_naming_an_undefined_acl() -> None:
    built = firewall(rule(5, ("port1",), ANY, acl="MISSING"))
    (finding,) = check("ACL-001", built)
    assert finding.message_en.startswith("fw.conf:5: ACL 'MISSING' is used (")
    assert "but never defined." in finding.message_en
    assert [(e.line, e.role) for e in finding.evidence] == [(5, "uses undefined")]
    assert check("ACL-002", built) == []


def test_new_rules_have_their_pages() -> None:
    for rule_id in ("ACL-006", "ACL-007"):
        page = rule_doc(rule_id)
        assert page is not None and page.title_en == dict((r.id, r.title_en) for r in ACL_RULES)[rule_id]
        assert "policy" in page.what_en and page.example.strip()


def test_rules_stating_built_in_behaviour_are_not_judged_but_still_decide() -> None:
    """A rule nobody wrote (configured=False: an ASA security level) is not reported as
    permitting everything, yet a written rule after it that it decides is unreachable."""
    levels = PolicyRule(
        "security-level 100 (inside)",
        source("fw", 3, " security-level 100"),
        ("port1",),
        ("port2",),
        (permit(3),),
        configured=False,
    )
    built = firewall(levels, rule(9, ("port1",), ("port2",), deny(9, src=prefix("10.1.0.9/32"))))
    assert check("ACL-004", built) == []
    (finding,) = check("ACL-002", built)
    assert [(e.line, e.role) for e in finding.evidence] == [(9, "unreachable"), (3, "matches first")]


def test_pairs_the_device_never_forwards_are_not_judged() -> None:
    """A written rule whose only pair a built-in rule closes (the ASA's gate between
    interfaces of one level) is not reported: the device forwards nothing there anyway."""
    gate = PolicyRule("same-security gate", source("fw", 2, " security-level 0"), ("port1",), ("port2",), (deny(2),))
    unjudged = PolicyRule(gate.name, gate.source, ("port1",), ("port2",), gate.lines, configured=False)
    written = rule(9, ("port1",), ("port2",), permit(9, **STAFF_TO_PROXY))
    assert lines_of(check("ACL-002", firewall(gate, written))) == [9]
    assert check("ACL-002", firewall(unjudged, written)) == []
