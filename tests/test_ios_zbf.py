"""IOS zone-based firewall: how the lines are read (vendors/cisco_ios/zbf.py), what they mean
on the policy model (zbf_policy.py), and the policy rules ACL-006 / ACL-007 on the IOS
fixtures tests/fixtures/rules/ACL-00[67]/ios-zbf-pass|fail (exact findings and messages)."""

from __future__ import annotations

import oracle
import pytest
from conftest import REPO
from vendor_rule_fixtures import check_rule_fixture

from nankoku_netcheck.model import TO_THE_DEVICE, Device, ToTheBox, UnknownKind, ip_to_int
from nankoku_netcheck.reach.packets import Packet
from nankoku_netcheck.rules.acl import ACL_RULES
from nankoku_netcheck.vendors.cisco_ios.parser import parse

FIXTURES = REPO / "tests" / "fixtures" / "rules"
RULES = {rule.id: rule for rule in ACL_RULES}
IN, OUT, DMZ, PLAIN = "GigabitEthernet0/0", "GigabitEthernet0/1", "GigabitEthernet0/2", "GigabitEthernet0/3"

BASE = """\
hostname z
zone security IN
zone security OUT
zone security DMZ
{extra}
interface GigabitEthernet0/0
 ip address 10.0.0.1 255.255.255.0
 zone-member security IN
interface GigabitEthernet0/1
 ip address 10.0.1.1 255.255.255.0
 zone-member security OUT
interface GigabitEthernet0/2
 ip address 10.0.2.1 255.255.255.0
 zone-member security DMZ
interface GigabitEthernet0/3
 ip address 10.0.3.1 255.255.255.0
interface GigabitEthernet0/4
 ip address 10.0.4.1 255.255.255.0
end
"""
WEB_POLICY = """\
class-map type inspect match-any WEB
 match protocol http
 match protocol https
policy-map type inspect IN-OUT
 class type inspect WEB
  inspect
 class class-default
  drop
zone-pair security IN-OUT source IN destination OUT
 service-policy type inspect IN-OUT
"""


def device(extra: str = WEB_POLICY) -> Device:
    return parse(BASE.format(extra=extra), "z.cfg")


def tcp(src: str, dst: str, dport: int, established: bool = False, sport: int = 40000) -> Packet:
    return Packet(ip_to_int(src), ip_to_int(dst), 6, sport, dport, established)


def permits(parsed: Device, in_if: str, out_if: str, packet: Packet) -> bool:
    return oracle.connection_permitted(parsed, in_if, out_if, packet)


@pytest.mark.parametrize(
    ("rule_id", "case"), [(r, c) for r in ("ACL-006", "ACL-007") for c in ("ios-zbf-pass", "ios-zbf-fail")]
)
def test_policy_rules_on_ios_zbf_fixtures(rule_id: str, case: str) -> None:
    check_rule_fixture(RULES[rule_id], FIXTURES / rule_id / case)


def test_zbf_lines_are_parsed_not_unknown() -> None:
    parsed = device(
        WEB_POLICY
        + "parameter-map type inspect global\n audit-trail on\n"
        + "class-map type inspect http H\n match request uri regex X\n"
        + "class-map type inspect http match-any H2\n match request method put\n"
    )
    forwarding = [u for u in parsed.unknown_lines if u.kind is UnknownKind.FORWARDING]
    assert forwarding == []
    harmless = {u.source.text: u.reason for u in parsed.unknown_lines}
    assert "application-layer" in harmless["class-map type inspect http H"]
    assert "application-layer" in harmless[" match request method put"]
    assert "inspection parameters" in harmless["parameter-map type inspect global"]


def test_an_unknown_class_map_match_is_forwarding_unknown() -> None:
    parsed = device(WEB_POLICY.replace(" match protocol https", " match not protocol https"))
    [unknown] = [u for u in parsed.unknown_lines if u.kind is UnknownKind.FORWARDING]
    assert (unknown.source.line, unknown.reason) == (7, "class-map match not modelled: 'match not protocol'")


def test_no_zone_member_means_no_policy() -> None:
    text = BASE.format(extra=WEB_POLICY).replace(" zone-member security IN\n", "")
    text = text.replace(" zone-member security OUT\n", "").replace(" zone-member security DMZ\n", "")
    assert parse(text, "z.cfg").policy is None


def test_zone_rules_between_interfaces() -> None:
    parsed = device()
    web = tcp("10.0.0.5", "10.0.1.5", 80)
    assert permits(parsed, IN, OUT, web)
    assert not permits(parsed, IN, OUT, tcp("10.0.0.5", "10.0.1.5", 22))  # class-default drop
    assert not permits(parsed, OUT, IN, tcp("10.0.1.5", "10.0.0.5", 80))  # no zone-pair OUT → IN
    assert not permits(parsed, IN, DMZ, web)  # no zone-pair IN → DMZ
    assert not permits(parsed, IN, PLAIN, web) and not permits(parsed, PLAIN, IN, web)  # zone ↔ no zone
    assert permits(parsed, PLAIN, "GigabitEthernet0/4", tcp("10.0.3.5", "10.0.4.5", 22))  # no zone ↔ no zone
    assert permits(parsed, IN, IN, tcp("10.0.0.5", "10.0.0.6", 22))  # within one zone


def test_inspect_lets_replies_back_and_pass_does_not() -> None:
    reply = tcp("10.0.1.5", "10.0.0.5", 40000, established=True, sport=80)
    assert permits(device(), OUT, IN, reply)
    assert not permits(device(), OUT, IN, tcp("10.0.1.5", "10.0.0.5", 40000, established=True, sport=22))
    passed = device(WEB_POLICY.replace("  inspect", "  pass"))
    assert permits(passed, IN, OUT, tcp("10.0.0.5", "10.0.1.5", 80))
    assert not permits(passed, OUT, IN, reply)


def test_intrazone_zone_pair_replaces_the_default_permit() -> None:
    extra = WEB_POLICY.replace("source IN destination OUT", "source IN destination IN")
    parsed = device(extra)
    assert permits(parsed, IN, IN, tcp("10.0.0.5", "10.0.0.6", 443))
    assert not permits(parsed, IN, IN, tcp("10.0.0.5", "10.0.0.6", 22))


def test_zone_pair_without_service_policy_drops() -> None:
    parsed = device("zone-pair security IN-OUT source IN destination OUT\n")
    assert not permits(parsed, IN, OUT, tcp("10.0.0.5", "10.0.1.5", 80))


def test_undefined_names_take_the_wider_choice_and_say_so() -> None:
    undefined_policy = device(
        "zone-pair security IN-OUT source IN destination OUT\n service-policy type inspect NOPE\n"
    )
    assert permits(undefined_policy, IN, OUT, tcp("10.0.0.5", "10.0.1.5", 22))
    rule = next(r for r in undefined_policy.policy or () if r.name.startswith("zone-pair"))
    assert rule.lines[0].approximation == "policy-map NOPE is not defined: taken to pass everything"
    undefined_acl = device(WEB_POLICY.replace(" match protocol https", " match access-group name NOPE"))
    assert permits(undefined_acl, IN, OUT, tcp("10.0.0.5", "10.0.1.5", 22))
    drop_undefined = device(
        WEB_POLICY.replace("  inspect", "  drop")
        .replace("  drop\nzone", "  pass\nzone")
        .replace(" match protocol https", " match access-group name NOPE")
    )
    # A drop class whose match is a superset drops nothing: the pass of class-default decides.
    assert permits(drop_undefined, IN, OUT, tcp("10.0.0.5", "10.0.1.5", 80))


def test_match_all_intersects_an_acl_with_a_protocol() -> None:
    extra = (
        WEB_POLICY.replace("match-any WEB", "match-all WEB").replace(" match protocol https", " match access-group 101")
        + "access-list 101 permit ip host 10.0.0.5 any\n"
    )
    parsed = device(extra)
    assert permits(parsed, IN, OUT, tcp("10.0.0.5", "10.0.1.5", 80))
    assert not permits(parsed, IN, OUT, tcp("10.0.0.6", "10.0.1.5", 80))
    assert not permits(parsed, IN, OUT, tcp("10.0.0.5", "10.0.1.5", 443))


def box_accepts(parsed: Device, in_if: str, packet: Packet) -> bool:
    return oracle.filter_permits(parsed, parsed.interfaces[in_if].acl_in, packet) and oracle.policy_permits(
        parsed, in_if, TO_THE_DEVICE, packet
    )


def test_the_self_zone_takes_everything_until_a_zone_pair_to_self_exists() -> None:
    ssh_to_router = tcp("10.0.1.5", "10.0.0.1", 22)
    parsed = device()
    assert parsed.to_the_box is ToTheBox.SELF_POLICY
    assert box_accepts(parsed, OUT, ssh_to_router) and box_accepts(parsed, PLAIN, ssh_to_router)
    guarded = device(
        WEB_POLICY
        + "class-map type inspect match-any SSH\n match protocol ssh\n"
        + "policy-map type inspect TO-SELF\n class type inspect SSH\n  pass\n"
        + "zone-pair security OUT-SELF source OUT destination self\n service-policy type inspect TO-SELF\n"
    )
    assert box_accepts(guarded, OUT, ssh_to_router)
    assert not box_accepts(guarded, OUT, tcp("10.0.1.5", "10.0.0.1", 23))
    assert box_accepts(guarded, IN, tcp("10.0.0.5", "10.0.0.1", 23))  # no zone-pair IN → self
    assert box_accepts(guarded, PLAIN, tcp("10.0.3.5", "10.0.0.1", 23))  # in no zone


def test_replies_to_what_the_router_inspects_reach_it() -> None:
    parsed = device(
        "class-map type inspect match-any NTP\n match protocol tcp\n"
        + "policy-map type inspect FROM-SELF\n class type inspect NTP\n  inspect\n"
        + "policy-map type inspect TO-SELF\n class class-default\n  drop\n"
        + "zone-pair security SELF-OUT source self destination OUT\n service-policy type inspect FROM-SELF\n"
        + "zone-pair security OUT-SELF source OUT destination self\n service-policy type inspect TO-SELF\n"
    )
    assert box_accepts(parsed, OUT, tcp("10.0.1.5", "10.0.1.1", 40000, established=True, sport=179))
    assert not box_accepts(parsed, OUT, tcp("10.0.1.5", "10.0.1.1", 179))
