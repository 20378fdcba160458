"""Property tests: IOS static NAT (inside source and outside source, with and without
`add-route`) on an edge router whose ACLs see each packet as it is on their own wire
(`Device.nat_between_filters`): the engine and the tracer agree with the oracle.

The oracle simulates static rules only (dynamic pools and PAT choose addresses at run time);
the replies to dynamic translations are checked by the exact tests in test_ios_nat.py.
"""

from __future__ import annotations

import dataclasses

import oracle
import pytest
import strategies as gen
from engine_checks import NetworkRuns, check_network, check_tracer
from hypothesis import given, note
from hypothesis import strategies as st

from nankoku_netcheck.graph import build_network
from nankoku_netcheck.model import (
    IPV4_MAX,
    Acl,
    AclLine,
    Action,
    Device,
    Interface,
    InterfaceAddress,
    Match,
    NatRule,
    Route,
    RouteKind,
    Source,
    Wildcard,
    ip_to_int,
    prefix_mask,
)
from nankoku_netcheck.reach.packets import PacketSpace

examples = gen.examples

INSIDE = ("Gi0/1", "Gi0/2")
# Inside local addresses (on the inside subnets) and outside global ones (beyond R1 or on the outside link).
INSIDE_REAL = tuple(
    (ip_to_int(net), length)
    for net, length in (("10.0.1.0", 24), ("10.0.2.0", 24), ("10.0.1.4", 32), ("10.0.2.99", 32), ("10.0.1.0", 30))
)
OUTSIDE_REAL = tuple(
    (ip_to_int(net), length) for net, length in (("10.0.3.0", 30), ("10.0.0.99", 32), ("192.0.2.7", 32))
)


@pytest.fixture(scope="module")
def space() -> PacketSpace:
    pytest.importorskip("dd.cudd", reason="dd was installed without its CUDD extension")
    return PacketSpace("cudd")


@st.composite
def ios_nat_rule(draw: st.DrawFn, order: int) -> NatRule:
    outside = gen.sometimes(draw, 40)
    real, length = draw(st.sampled_from(OUTSIDE_REAL if outside else INSIDE_REAL))
    mapped = draw(gen.NAT_MAPPED_CHOICES[length])
    inside = draw(st.sampled_from(INSIDE))
    return NatRule(
        source=Source("E1.cfg", order + 1, "ip nat"),
        section=1,
        order=order,
        kind="static",
        real_interface="Gi0/0" if outside else inside,
        mapped_interface=inside if outside else "Gi0/0",
        real_source=((real, length),),
        mapped_source=((mapped, length),),
        route_lookup=True,
        routed_as_mapped=outside and gen.sometimes(draw, 60),
    )


@st.composite
def ios_nat_networks(draw: st.DrawFn) -> gen.NetworkCase:
    """Edge router E1 (outside Gi0/0 10.0.0.1/24, inside Gi0/1 10.0.1.1/24 and Gi0/2
    10.0.2.1/24) behind R1 (10.0.0.2, boundary link 10.0.3.1/30), random ACLs on E1's
    interfaces both ways, 1–3 static rules."""
    edge = Device(name="E1", vendor="cisco_ios", source_file="E1.cfg", hostname="E1", nat_between_filters=True)
    layout = (("Gi0/0", "10.0.0.1"), ("Gi0/1", "10.0.1.1"), ("Gi0/2", "10.0.2.1"))
    choices = st.sampled_from((None, None, "A", "B"))
    edge.interfaces = {
        name: Interface(
            name=name,
            source=gen.SOURCE,
            addresses=(InterfaceAddress(ip_to_int(address), 24),),
            acl_in=draw(choices),
            acl_out=draw(choices),
        )
        for name, address in layout
    }
    edge.nat_rules = [draw(ios_nat_rule(order)) for order in range(draw(st.integers(1, 3)))]
    edge.acls = {name: draw(nat_acls(name, edge.nat_rules)) for name in ("A", "B")}
    to_r1 = ip_to_int("10.0.0.2")
    edge.routes = [Route(prefix=0, prefix_length=0, kind=RouteKind.STATIC, source=gen.SOURCE, next_hop=to_r1)]
    router = Device(name="R1", vendor="cisco_ios", source_file="R1.cfg", hostname="R1")
    router.interfaces = {
        "Gi0/0": Interface(name="Gi0/0", source=gen.SOURCE, addresses=(InterfaceAddress(to_r1, 24),)),
        "Gi0/1": Interface(name="Gi0/1", source=gen.SOURCE, addresses=(InterfaceAddress(ip_to_int("10.0.3.1"), 30),)),
    }
    router.routes = [
        Route(
            prefix=net, prefix_length=length, kind=RouteKind.STATIC, source=gen.SOURCE, next_hop=ip_to_int("10.0.0.1")
        )
        for net, length in ((ip_to_int("10.0.0.0"), 16), (ip_to_int("172.16.0.1"), 32), (ip_to_int("8.8.8.8"), 32))
    ]
    router.routes.append(
        Route(prefix=0, prefix_length=0, kind=RouteKind.STATIC, source=gen.SOURCE, next_hop=ip_to_int("10.0.3.2"))
    )
    network = build_network(gen.empty_topology(), {"E1": edge, "R1": router})
    starts = [(segment_id, "", "") for segment_id in sorted(network.segments)] + [("", "R1", "Gi0/1")]
    hosts = {ip_to_int(f"10.0.{third}.{fourth}") for third in (0, 1, 2) for fourth in (1, 3, 4, 99)}
    addresses = tuple(sorted(hosts | set(gen.NAT_ADDRESSES) | {ip_to_int("192.0.2.7"), ip_to_int("10.0.3.2")}))
    return gen.NetworkCase(network, frozenset({("R1", "Gi0/1")}), tuple(starts), addresses)


@st.composite
def nat_acls(draw: st.DrawFn, name: str, rules: list[NatRule]) -> Acl:
    """1–3 lines on the rules' real or mapped prefixes (source or destination), so that
    whether an ACL sees the translated header decides; sometimes a final permit any."""
    prefixes = [p for rule in rules for p in (*(rule.real_source or ()), *(rule.mapped_source or ()))]
    lines = []
    for _ in range(draw(st.integers(1, 3))):
        network, length = draw(st.sampled_from(prefixes))
        wildcard = (Wildcard(network, ~prefix_mask(length) & IPV4_MAX),)
        match = Match(dst=wildcard) if draw(st.booleans()) else Match(src=wildcard)
        lines.append(AclLine(draw(st.sampled_from((Action.PERMIT, Action.DENY))), (match,), gen.SOURCE))
    if gen.sometimes(draw, 50):
        lines.append(gen.PERMIT_ANY)
    return Acl(name=name, lines=tuple(lines), source=gen.SOURCE)


def within(prefixes: tuple[tuple[int, int], ...] | None, host: int) -> int:
    assert prefixes is not None
    network, length = prefixes[0]
    return network | (host & ~prefix_mask(length) & IPV4_MAX)


@st.composite
def ios_nat_runs(draw: st.DrawFn) -> NetworkRuns:
    """Random packets, and as many again between a rule's real or mapped addresses and the rest."""
    case = draw(ios_nat_networks())
    runs = draw(st.lists(st.tuples(st.sampled_from(case.starts), gen.packets(case.addresses)), min_size=1, max_size=3))
    rules = case.network.devices["E1"].nat_rules
    for _ in range(draw(st.integers(1, 3))):
        rule = draw(st.sampled_from(rules))
        start, packet = draw(st.tuples(st.sampled_from(case.starts), gen.packets(case.addresses)))
        host = draw(st.sampled_from((1, 2, 4, 99)))
        mapped = draw(st.booleans())
        prefixes = rule.mapped_source if mapped else rule.real_source
        if draw(st.booleans()):
            packet = dataclasses.replace(packet, dst=within(prefixes, host))
        else:
            # Sent from the side the address belongs to, where the rule translates it.
            packet = dataclasses.replace(packet, src=within(prefixes, host))
            side = rule.mapped_interface if mapped else rule.real_interface
            segment = case.network.segment_of.get(("E1", side or ""))
            if segment is not None and draw(st.booleans()):
                start = (segment, "", "")
        runs.append((start, packet))
    return case, runs


def describe_rules(case: gen.NetworkCase) -> str:
    return "\n".join(
        f"{rule.real_interface}->{rule.mapped_interface} {rule.real_source}->{rule.mapped_source} "
        f"routed_as_mapped={rule.routed_as_mapped}"
        for rule in case.network.devices["E1"].nat_rules
    )


@examples(80)
@given(ios_nat_runs())
def test_ios_static_nat_engine_agrees_with_oracle(space: PacketSpace, case_and_runs: NetworkRuns) -> None:
    note(describe_rules(case_and_runs[0]))
    check_network(space, *case_and_runs)


@examples(60)
@given(ios_nat_runs())
def test_ios_static_nat_tracer_agrees_with_oracle(space: PacketSpace, case_and_runs: NetworkRuns) -> None:
    note(describe_rules(case_and_runs[0]))
    check_tracer(space, *case_and_runs)


def test_the_oracle_filters_outside_to_inside_on_global_then_local_addresses() -> None:
    """The oracle itself: an inbound ACL on the outside that permits only the global address
    and an outbound ACL on the inside that permits only the local one let the packet through;
    either ACL naming the other address drops it."""

    def acl(name: str, address: str) -> Acl:
        line = AclLine(Action.PERMIT, (Match(dst=(Wildcard.host(ip_to_int(address)),)),), gen.SOURCE)
        return Acl(name=name, lines=(line,), source=gen.SOURCE)

    def reach(acl_in: str, acl_out: str) -> set[oracle.OracleEndpoint]:
        edge = Device(name="E1", vendor="cisco_ios", source_file="E1.cfg", nat_between_filters=True)
        edge.interfaces = {
            "Gi0/0": Interface("Gi0/0", gen.SOURCE, (InterfaceAddress(ip_to_int("10.0.0.1"), 24),), acl_in="I"),
            "Gi0/1": Interface("Gi0/1", gen.SOURCE, (InterfaceAddress(ip_to_int("10.0.1.1"), 24),), acl_out="O"),
        }
        edge.acls = {"I": acl("I", acl_in), "O": acl("O", acl_out)}
        edge.nat_rules = [
            NatRule(
                gen.SOURCE,
                1,
                0,
                "static",
                "Gi0/1",
                "Gi0/0",
                ((ip_to_int("10.0.1.5"), 32),),
                ((ip_to_int("10.0.5.1"), 32),),
            )
        ]
        network = build_network(gen.empty_topology(), {"E1": edge})
        packet = oracle.Header(ip_to_int("10.0.0.9"), ip_to_int("10.0.5.1"), 6, 1024, 80, False)
        return oracle.reachable_endpoints(network, packet, segment="10.0.0.0/24")

    assert reach("10.0.5.1", "10.0.1.5") == {("hosts", "", "", "10.0.1.0/24")}
    assert reach("10.0.1.5", "10.0.1.5") == set()
    assert reach("10.0.5.1", "10.0.5.1") == set()
