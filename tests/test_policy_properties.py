"""The ordered policy between interfaces (`Device.policy`): the symbolic engine and the
concrete tracer agree with the plain oracle on mixed networks of IOS routers, ASA firewalls
and devices with random policies; and hand-made cases of the semantics in reach/filters.py
(fall-through, implicit deny, the cut after a line matching everything, stateful replies,
traffic to the box) with the tracer's deciding rule.

CI runs a fixed, reproducible set of examples (derandomized, no example database).
Set NANKOKU_EXPLORE=1 to search fresh random examples, ten times as many, when hunting bugs.
"""

from __future__ import annotations

import oracle
import pytest
import strategies as gen
from engine_checks import NetworkRuns, as_tuple, check_network, check_tracer
from hypothesis import given
from hypothesis import strategies as st

from nankoku_netcheck.graph import build_network
from nankoku_netcheck.model import (
    PROTO_TCP,
    PROTO_UDP,
    Acl,
    AclLine,
    Action,
    Device,
    Interface,
    InterfaceAddress,
    Match,
    PolicyRule,
    PortRange,
    Source,
    ToTheBox,
    ip_to_int,
)
from nankoku_netcheck.reach.engine import ReachEngine, Start
from nankoku_netcheck.reach.filters import policy_list
from nankoku_netcheck.reach.packets import Packet, PacketSpace
from nankoku_netcheck.reach.trace import Tracer

examples = gen.examples


@pytest.fixture(scope="module")
def space() -> PacketSpace:
    pytest.importorskip("dd.cudd", reason="dd was installed without its CUDD extension")
    return PacketSpace()


@st.composite
def policy_runs(draw: st.DrawFn) -> NetworkRuns:
    """A network with policy devices, a random run or two and three to five runs through a
    policy device (in by one interface, to a host behind another)."""
    case = draw(gen.policy_networks())
    runs = draw(st.lists(st.tuples(st.sampled_from(case.starts), gen.packets(case.addresses)), min_size=1, max_size=2))
    targets = sorted(name for name in case.network.devices if name.startswith("P"))
    for _ in range(draw(st.integers(3, 5))):
        runs.append(draw(gen.crossing_packets(case, draw(st.sampled_from(targets)))))
    return case, runs


@examples(120)
@given(policy_runs())
def test_engine_reach_agrees_with_oracle_on_policy_networks(space: PacketSpace, case_and_runs: NetworkRuns) -> None:
    check_network(space, *case_and_runs)


@examples(80)
@given(policy_runs())
def test_tracer_agrees_with_oracle_on_policy_networks(space: PacketSpace, case_and_runs: NetworkRuns) -> None:
    check_tracer(space, *case_and_runs)


# --- hand-made cases ----------------------------------------------------------------------------


def line(number: int, action: Action, match: Match) -> AclLine:
    return AclLine(action=action, matches=(match,), source=Source("Z1.cfg", number, f"line {number}"))


def tcp(port: int) -> Match:
    return Match(protocols=(PROTO_TCP,), dst_ports=(PortRange(port, port),))


def zone_firewall(
    policy: tuple[PolicyRule, ...] | None,
    to_the_box: ToTheBox = ToTheBox.FILTERED,
    stateful: bool = False,
    undefined_acl_permits: bool = True,
) -> Device:
    """Z1: lan Gi0/0 10.0.1.1/24, wan Gi0/1 10.0.2.1/24, dmz Gi0/2 10.0.3.1/24."""
    device = Device(
        name="Z1",
        vendor="policy",
        source_file="Z1.cfg",
        hostname="Z1",
        policy=policy,
        to_the_box=to_the_box,
        stateful=stateful,
        undefined_acl_permits=undefined_acl_permits,
    )
    for index in range(3):
        name = f"Gi0/{index}"
        address = InterfaceAddress(ip_to_int(f"10.0.{index + 1}.1"), 24)
        device.interfaces[name] = Interface(name=name, source=Source("Z1.cfg", 1, name), addresses=(address,))
    return device


def endpoints(space: PacketSpace, device: Device, segment: str, packet: Packet) -> set[oracle.OracleEndpoint]:
    """Where the engine delivers `packet` from `segment`, checked against the oracle and the tracer."""
    network = build_network(gen.empty_topology(), {"Z1": device})
    engine = ReachEngine(network, space)
    result = engine.reach([(Start(segment=segment), space.packet(packet))])
    found = {as_tuple(e) for e, packets in result.delivered.items() if space.contains(packets, packet)}
    assert found == oracle.reachable_endpoints(network, packet, segment=segment)
    traced = Tracer(engine).trace(Start(segment=segment), packet)
    assert {as_tuple(p.endpoint) for p in traced if p.disposition == "delivered" and p.endpoint} == found
    return found


LAN, WAN, DMZ = "10.0.1.0/24", "10.0.2.0/24", "10.0.3.0/24"
TO_WAN = ("hosts", "", "", WAN)


def packet(dst: str, proto: int = PROTO_TCP, dport: int = 80, established: bool = False) -> Packet:
    return Packet(ip_to_int("10.0.1.5"), ip_to_int(dst), proto, 49152, dport, established)


def test_first_matching_line_decides_and_unmatched_packets_fall_through(space: PacketSpace) -> None:
    policy = (
        PolicyRule(
            "policy 1", Source("Z1.cfg", 10, "edit 1"), ("Gi0/0",), ("Gi0/1",), (line(11, Action.DENY, tcp(80)),)
        ),
        PolicyRule("policy 2", Source("Z1.cfg", 20, "edit 2"), None, None, (line(21, Action.PERMIT, Match()),)),
    )
    device = zone_firewall(policy)
    assert endpoints(space, device, LAN, packet("10.0.2.9")) == set()  # policy 1 denies tcp/80
    assert endpoints(space, device, LAN, packet("10.0.2.9", dport=443)) == {TO_WAN}  # falls through to policy 2
    assert endpoints(space, device, LAN, packet("10.0.3.9")) == {("hosts", "", "", DMZ)}  # policy 1 is lan → wan only
    network = build_network(gen.empty_topology(), {"Z1": device})
    [path] = Tracer(ReachEngine(network, space)).trace(Start(segment=LAN), packet("10.0.2.9", dport=443))
    decision = path.hops[0].ingress
    assert decision.rule is not None and decision.rule.name == "policy 2"
    assert decision.line is not None and decision.line.source.line == 21
    [denied] = Tracer(ReachEngine(network, space)).trace(Start(segment=LAN), packet("10.0.2.9"))
    assert denied.disposition == "denied-in"
    assert denied.hops[0].ingress.rule is not None and denied.hops[0].ingress.rule.name == "policy 1"


def test_no_applicable_rule_is_the_implicit_deny(space: PacketSpace) -> None:
    policy = (
        PolicyRule("policy 1", Source("Z1.cfg", 10, "edit 1"), ("Gi0/1",), None, (line(11, Action.PERMIT, Match()),)),
    )
    device = zone_firewall(policy)
    assert endpoints(space, device, LAN, packet("10.0.2.9")) == set()
    network = build_network(gen.empty_topology(), {"Z1": device})
    [path] = Tracer(ReachEngine(network, space)).trace(Start(segment=LAN), packet("10.0.2.9"))
    decision = path.hops[0].ingress
    assert (path.disposition, decision.line, decision.reason) == (
        "denied-in",
        None,
        "no policy rule applies from Gi0/0 to Gi0/1: implicit deny",
    )
    # An empty policy is the implicit deny everywhere; no policy at all filters nothing.
    assert endpoints(space, zone_firewall(()), LAN, packet("10.0.2.9")) == set()
    assert endpoints(space, zone_firewall(None), LAN, packet("10.0.2.9")) == {TO_WAN}


def test_named_acls_in_rules_empty_and_undefined(space: PacketSpace) -> None:
    """A rule naming an ACL with no entries adds no line; an undefined one permits what reaches
    it when undefined ACLs permit, else adds no line."""
    source = Source("Z1.cfg", 10, "edit 1")
    policy = (
        PolicyRule("policy 1", source, acl="EMPTY"),
        PolicyRule("policy 2", source, acl="MISSING"),
        PolicyRule("policy 3", source, to_interfaces=("Gi0/1",), lines=(line(31, Action.PERMIT, tcp(80)),)),
    )
    device = zone_firewall(policy, undefined_acl_permits=False)
    device.acls = {"EMPTY": Acl("EMPTY", (), Source("Z1.cfg", 5, "access-list EMPTY"))}
    assert endpoints(space, device, LAN, packet("10.0.2.9")) == {TO_WAN}
    assert endpoints(space, device, LAN, packet("10.0.3.9")) == set()
    device.undefined_acl_permits = True
    assert endpoints(space, device, LAN, packet("10.0.3.9")) == {("hosts", "", "", DMZ)}


def test_the_list_is_cut_after_a_line_matching_everything(space: PacketSpace) -> None:
    source = Source("Z1.cfg", 10, "edit 1")
    deny_all = line(12, Action.DENY, Match())
    policy = (
        PolicyRule("policy 1", source, lines=(line(11, Action.PERMIT, tcp(80)), deny_all)),
        PolicyRule("policy 2", source, lines=(line(21, Action.PERMIT, Match()),)),
    )
    device = zone_firewall(policy)
    listed = policy_list(device, (0, 1))
    assert [entry.source.line for entry in listed.acl.lines] == [11, 12]
    assert [rule.name for rule in listed.owners] == ["policy 1", "policy 1"]
    assert endpoints(space, device, LAN, packet("10.0.2.9", dport=443)) == set()


def test_pairs_with_the_same_rules_share_one_compiled_set(space: PacketSpace) -> None:
    source = Source("Z1.cfg", 10, "edit 1")
    policy = (
        PolicyRule("policy 1", source, ("Gi0/0",), None, (line(11, Action.PERMIT, tcp(80)),)),
        PolicyRule("policy 2", source, None, ("Gi0/2",), (line(21, Action.PERMIT, tcp(22)),)),
    )
    network = build_network(gen.empty_topology(), {"Z1": zone_firewall(policy)})
    engine = ReachEngine(network, space)
    shared = engine.policy_filter("Z1", "Gi0/0", "Gi0/1")
    assert engine.policy_filter("Z1", "Gi0/0", "Gi0/0") is shared
    assert engine.policy_filter("Z1", "Gi0/0", "Gi0/2") is not shared  # policy 2 applies too
    assert engine.policy_filter("Z1", "Gi0/1", "Gi0/0") == space.false
    assert sorted(rules for _, rules, _ in engine.compiled.policies) == [(), (0,), (0, 1)]


def test_replies_of_permitted_connections_return_on_a_stateful_device(space: PacketSpace) -> None:
    source = Source("Z1.cfg", 10, "edit 1")
    policy = (PolicyRule("policy 1", source, ("Gi0/1",), ("Gi0/0",), (line(11, Action.PERMIT, tcp(80)),)),)
    reply = Packet(ip_to_int("10.0.1.5"), ip_to_int("10.0.2.9"), PROTO_TCP, 80, 49152, established=True)
    assert endpoints(space, zone_firewall(policy, stateful=True), LAN, reply) == {TO_WAN}
    # Without stateful inspection the ACK is a packet like any other: no rule lan → wan permits it.
    assert endpoints(space, zone_firewall(policy), LAN, reply) == set()
    # A reply of a connection that the policy never permitted is dropped by the state check.
    other = Packet(ip_to_int("10.0.1.5"), ip_to_int("10.0.2.9"), PROTO_TCP, 443, 49152, established=True)
    assert endpoints(space, zone_firewall(policy, stateful=True), LAN, other) == set()


def test_traffic_to_the_box(space: PacketSpace) -> None:
    """The policy never filters traffic to the box as through traffic; the inbound ACL does
    when the device filters it; ARRIVAL_ONLY answers on the arrival interface's address only."""
    deny_all = Acl("IN", (line(5, Action.DENY, Match()),), Source("Z1.cfg", 5, "access-list IN"))
    to_wan_address = packet("10.0.2.1", PROTO_UDP, 161)
    for mode, expected in (
        (ToTheBox.FILTERED, set()),
        (ToTheBox.ANY_ADDRESS, {("device", "Z1", "", "")}),
        (ToTheBox.ARRIVAL_ONLY, set()),
        (ToTheBox.VIA_POLICY, set()),  # the empty policy denies lan → wan
    ):
        device = zone_firewall((), mode)
        device.acls = {"IN": deny_all}
        device.interfaces["Gi0/0"] = Interface(
            "Gi0/0", Source("Z1.cfg", 1, "Gi0/0"), (InterfaceAddress(ip_to_int("10.0.1.1"), 24),), acl_in="IN"
        )
        assert endpoints(space, device, LAN, to_wan_address) == expected, mode
    own = packet("10.0.1.1", PROTO_UDP, 161)
    for mode in (ToTheBox.ARRIVAL_ONLY, ToTheBox.VIA_POLICY, ToTheBox.ANY_ADDRESS):
        assert endpoints(space, zone_firewall((), mode), LAN, own) == {("device", "Z1", "", "")}, mode


def test_another_interfaces_address_answers_through_the_policy(space: PacketSpace) -> None:
    """VIA_POLICY: the policy from the arrival interface to the interface owning the address
    decides, as for a packet going on through it; the tracer shows the deciding policy line."""
    source = Source("Z1.cfg", 10, "edit 1")
    policy = (
        PolicyRule("policy 1", source, ("Gi0/0",), ("Gi0/1",), (line(11, Action.PERMIT, tcp(443)),)),
        PolicyRule(
            "policy 2", Source("Z1.cfg", 20, "edit 2"), ("Gi0/0",), ("Gi0/2",), (line(21, Action.DENY, tcp(443)),)
        ),
    )
    device = zone_firewall(policy, ToTheBox.VIA_POLICY, stateful=True)
    box = {("device", "Z1", "", "")}
    assert endpoints(space, device, LAN, packet("10.0.2.1", dport=443)) == box
    assert endpoints(space, device, LAN, packet("10.0.2.1", dport=22)) == set()  # policy 1 is https only
    assert endpoints(space, device, LAN, packet("10.0.3.1", dport=443)) == set()  # policy 2 denies
    # The same rule lets the packet through to the wan's hosts; the dmz's address is not the wan's.
    assert endpoints(space, device, LAN, packet("10.0.2.9", dport=443)) == {TO_WAN}
    # An ACK to the box is no connection the device opened, whatever the policy.
    assert endpoints(space, device, LAN, packet("10.0.2.1", dport=443, established=True)) == set()
    network = build_network(gen.empty_topology(), {"Z1": device})
    tracer = Tracer(ReachEngine(network, space))
    [path] = tracer.trace(Start(segment=LAN), packet("10.0.2.1", dport=443))
    decision = path.hops[0].ingress
    assert (path.disposition, decision.rule, decision.reason) == ("delivered", policy[0], "")
    assert decision.line is not None and decision.line.source.line == 11
    [denied] = tracer.trace(Start(segment=LAN), packet("10.0.3.1", dport=443))
    assert denied.disposition == "denied-in" and denied.hops[0].ingress.rule == policy[1]
    [other] = tracer.trace(Start(segment=LAN), packet("10.0.2.1", dport=22))
    # Policy 1 applies but no line of it matches: the implicit deny, no line.
    assert (other.disposition, other.hops[0].ingress.line, other.hops[0].ingress.permitted) == (
        "denied-in",
        None,
        False,
    )
