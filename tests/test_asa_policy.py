"""The ASA's access rules as an ordered policy (vendors/cisco_asa/policy.py): the exact rules
the parser builds, the evidence they carry, and a property test that the policy means what
the ASA does (security levels, same-security gates, interface + global ACLs as one list, an
applied list with no entries) as written here from the ASA's documented behaviour."""

from __future__ import annotations

from collections.abc import Mapping

import oracle
import pytest
import strategies as gen
from hypothesis import given
from hypothesis import strategies as st

from nankoku_netcheck.graph import build_network
from nankoku_netcheck.model import Acl, Device, Interface, PolicyRule, ToTheBox, ip_to_int
from nankoku_netcheck.reach.engine import ReachEngine, Start
from nankoku_netcheck.reach.packets import Packet, PacketSpace
from nankoku_netcheck.reach.trace import Tracer, path_caveats
from nankoku_netcheck.vendors.cisco_asa.parser import parse
from nankoku_netcheck.vendors.cisco_asa.policy import EMPTY_LIST_APPROXIMATION

PATH = "fw.cfg"
INTERFACES = """\
interface GigabitEthernet0/0
 nameif outside
 security-level 0
 ip address 10.0.0.1 255.255.255.0
interface GigabitEthernet0/1
 nameif inside
 ip address 10.0.1.1 255.255.255.0
interface GigabitEthernet0/2
 nameif dmz
 security-level 0
 ip address 10.0.2.1 255.255.255.0
interface GigabitEthernet0/3
 ip address 10.0.3.1 255.255.255.0
"""  # lines 1-13; inside takes the default level 100 at its nameif line (6)
OUT, IN, DMZ = "GigabitEthernet0/0", "GigabitEthernet0/1", "GigabitEthernet0/2"

RuleView = tuple[str, int, tuple[str, ...] | None, tuple[str, ...] | None, str | None, tuple[int, ...]]


def view(rule: PolicyRule) -> RuleView:
    return (
        rule.name,
        rule.source.line,
        rule.from_interfaces,
        rule.to_interfaces,
        rule.acl,
        tuple(line.source.line for line in rule.lines),
    )


GATES: list[RuleView] = [
    ("same-security-traffic: not permitted intra-interface (outside)", 3, (OUT,), (OUT,), None, (3,)),
    ("same-security-traffic: not permitted between level 0 interfaces", 3, (OUT,), (DMZ,), None, (3,)),
    ("same-security-traffic: not permitted intra-interface (inside)", 6, (IN,), (IN,), None, (6,)),
    ("same-security-traffic: not permitted intra-interface (dmz)", 10, (DMZ,), (DMZ,), None, (10,)),
    ("same-security-traffic: not permitted between level 0 interfaces", 10, (DMZ,), (OUT,), None, (10,)),
]


def test_security_levels_and_gates_become_rules_citing_their_lines() -> None:
    device = parse(INTERFACES, PATH)
    assert [view(rule) for rule in device.policy or ()] == [
        *GATES,
        ("security-level 0 (outside)", 3, (OUT,), (OUT, DMZ), None, (3,)),
        ("security-level 100 (inside)", 6, (IN,), (OUT, IN, DMZ), None, (6,)),
        ("security-level 0 (dmz)", 10, (DMZ,), (OUT, DMZ), None, (10,)),
    ]
    assert not device.interfaces["GigabitEthernet0/3"].passes_traffic
    assert (device.to_the_box, device.stateful) == (ToTheBox.ARRIVAL_ONLY, True)


def test_access_groups_and_the_global_acl_replace_the_levels() -> None:
    device = parse(
        INTERFACES
        + "access-list IN extended permit tcp any any eq 80\n"  # 14
        + "access-list G extended deny ip any any\n"  # 15
        + "access-list EMPTY remark nothing yet\n"  # 16
        + "access-group IN in interface inside\n"  # 17
        + "access-group EMPTY in interface dmz\n"  # 18
        + "access-group G global\n",  # 19
        PATH,
    )
    assert [view(rule) for rule in device.policy or ()] == [
        *GATES,
        ("access-group IN", 17, (IN,), None, "IN", ()),
        ("access-group EMPTY", 18, (DMZ,), None, "EMPTY", ()),
        ("access-group G global", 19, None, None, "G", ()),
    ]


def test_an_applied_list_without_entries_permits_everything_with_a_caveat() -> None:
    device = parse(
        INTERFACES + "access-list EMPTY remark nothing yet\naccess-group EMPTY in interface dmz\n",  # 14, 15
        PATH,
    )
    rules = {rule.name: rule for rule in device.policy or ()}
    empty = rules["access-group EMPTY (no entries)"]
    assert view(empty) == ("access-group EMPTY (no entries)", 15, (DMZ,), None, None, (15,))
    assert empty.lines[0].approximation == EMPTY_LIST_APPROXIMATION
    assert "security-level 0 (dmz)" not in rules  # the ACL decides, not the level
    network = build_network(gen.empty_topology(), {"fw": device})
    space = PacketSpace("autoref")
    packet = Packet(ip_to_int("10.0.2.5"), ip_to_int("10.0.1.5"), 6, 49152, 445)  # dmz 0 → inside 100
    [path] = Tracer(ReachEngine(network, space)).trace(Start(segment="10.0.2.0/24"), packet)
    decision = path.hops[0].ingress
    assert path.disposition == "delivered" and decision.rule == empty and decision.acl_name == empty.name
    [caveats] = path_caveats(network, path, packet)
    assert [(c.line, c.kind) for c in caveats] == [(15, "acl-line")]
    assert EMPTY_LIST_APPROXIMATION in caveats[0].message_en


# --- the policy means the ASA's behaviour ------------------------------------------------------
#
# Written from the ASA documentation, independently of vendors/cisco_asa/policy.py: equal
# levels pass only with `same-security-traffic permit inter-interface` and a packet leaving
# by the interface it came in by only with `intra-interface`, whatever an ACL says; then the
# interface's inbound ACL followed by the global ACL as one list (one implicit deny; a list
# with no entry at all permits everything); with neither, a higher level to a lower passes.


def asa_permits(
    ports: Mapping[str, gen.AsaPort],
    acls: Mapping[str, Acl],
    global_acl: str | None,
    inter: bool,
    intra: bool,
    in_if: str,
    out_if: str,
    packet: Packet,
) -> bool:
    level_in, level_out = ports[in_if].level, ports[out_if].level
    if in_if == out_if and not intra:
        return False
    if in_if != out_if and level_in == level_out and not inter:
        return False
    names = [name for name in (ports[in_if].acl_in, global_acl) if name is not None]
    if not names:
        return level_in >= level_out
    lines = [line for name in names for line in acls[name].lines]
    if not lines:
        return True
    for line in lines:
        if oracle.line_may_match(line) and any(oracle.match_hits(m, packet) for m in line.matches):
            return line.action.value == "permit"
    return False


@st.composite
def asa_cases(draw: st.DrawFn) -> tuple[Device, dict[str, gen.AsaPort], str | None, bool, bool]:
    names = [f"Gi0/{index}" for index in range(draw(st.integers(1, 4)))]
    ports = {
        name: gen.AsaPort(
            gen.ASA_NAMEIFS[index], draw(gen.SECURITY_LEVEL_CHOICES), draw(st.sampled_from((None, "A", "B", "E")))
        )
        for index, name in enumerate(names)
    }
    device = Device(name="F1", vendor="cisco_asa", source_file="F1.cfg")
    device.interfaces = {name: Interface(name=name, source=gen.SOURCE) for name in names}
    device.acls = {name: gen.asa_acl(draw(gen.network_acls(name))) for name in ("A", "B", "G")}
    device.acls["E"] = Acl("E", (), gen.SOURCE)
    global_acl = draw(st.sampled_from((None, None, "G", "E")))
    inter, intra = draw(st.booleans()), draw(st.booleans())
    return gen.make_asa(device, ports, global_acl, inter, intra), ports, global_acl, inter, intra


@gen.examples(300)
@given(asa_cases(), st.data())
def test_the_asa_policy_decides_like_the_asa(
    case: tuple[Device, dict[str, gen.AsaPort], str | None, bool, bool], data: st.DataObject
) -> None:
    device, ports, global_acl, inter, intra = case
    for _ in range(4):
        in_if = data.draw(st.sampled_from(sorted(ports)))
        out_if = data.draw(st.sampled_from(sorted(ports)))
        packet = data.draw(gen.packets(gen.NETWORK_ADDRESSES))
        expected = asa_permits(ports, device.acls, global_acl, inter, intra, in_if, out_if, packet)
        assert oracle.policy_permits(device, in_if, out_if, packet) == expected, (in_if, out_if, packet.describe())


def test_engine_agrees_on_parsed_security_levels() -> None:
    """The parsed policy through the engine: inside (100) → outside (0) passes, outside → inside
    does not, outside → dmz (both 0) does not without same-security-traffic."""
    pytest.importorskip("dd.cudd", reason="dd was installed without its CUDD extension")
    space = PacketSpace("cudd")
    device = parse(INTERFACES, PATH)
    network = build_network(gen.empty_topology(), {"fw": device})
    engine = ReachEngine(network, space)

    def reached(src: str, dst: str, segment: str) -> set[str]:
        packet = Packet(ip_to_int(src), ip_to_int(dst), 6, 49152, 443)
        result = engine.reach([(Start(segment=segment), space.packet(packet))])
        return {e.segment for e, packets in result.delivered.items() if space.contains(packets, packet)}

    assert reached("10.0.1.5", "10.0.0.5", "10.0.1.0/24") == {"10.0.0.0/24"}
    assert reached("10.0.0.5", "10.0.1.5", "10.0.0.0/24") == set()
    assert reached("10.0.0.5", "10.0.2.5", "10.0.0.0/24") == set()
