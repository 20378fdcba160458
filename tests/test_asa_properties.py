"""Property tests on mixed IOS / ASA networks: the symbolic engine and the concrete tracer
agree with the plain oracle in `oracle.py` (stateful firewalls, static and twice NAT), and
nested object-groups written as ASA config text mean what the oracle's own resolver says.

CI runs a fixed, reproducible set of examples (derandomized, no example database).
Set NANKOKU_EXPLORE=1 to search fresh random examples, ten times as many, when hunting bugs.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

import oracle
import pytest
import strategies as gen
from engine_checks import NetworkRuns, as_tuple, check_network, check_tracer, runs_on
from hypothesis import event, given, note
from hypothesis import strategies as st

from nankoku_netcheck.graph import build_network
from nankoku_netcheck.model import (
    IPV4_MAX,
    PROTO_ICMP,
    PROTO_TCP,
    PROTO_UDP,
    Acl,
    AclLine,
    Action,
    Device,
    Interface,
    InterfaceAddress,
    Match,
    PortRange,
    Route,
    RouteKind,
    Source,
    UnknownKind,
    Wildcard,
    ip_to_int,
    prefix_mask,
)
from nankoku_netcheck.reach.engine import ReachEngine, Start
from nankoku_netcheck.reach.packets import Packet, PacketSpace
from nankoku_netcheck.reach.trace import Tracer
from nankoku_netcheck.vendors.cisco_asa.parser import parse

examples = gen.examples


@pytest.fixture(scope="module")
def space() -> PacketSpace:
    pytest.importorskip("dd.cudd", reason="dd was installed without its CUDD extension")
    return PacketSpace()


# --- mixed IOS / ASA networks -----------------------------------------------------------------


@examples(120)
@given(runs_on(gen.mixed_networks))
def test_engine_reach_agrees_with_oracle_on_mixed_networks(space: PacketSpace, case_and_runs: NetworkRuns) -> None:
    check_network(space, *case_and_runs)


@examples(80)
@given(runs_on(gen.mixed_networks))
def test_tracer_agrees_with_oracle_on_mixed_networks(space: PacketSpace, case_and_runs: NetworkRuns) -> None:
    check_tracer(space, *case_and_runs)


# --- nested object-groups, through the real parser --------------------------------------------


def resolve_addresses(config: gen.GroupConfig, member: gen.GroupMember, trail: tuple[str, ...] = ()) -> list[Wildcard]:
    """The oracle's own reading of a generated operand: groups are unions of their members."""
    kind = member[0]
    if kind == "host":
        return [Wildcard(ip_to_int(member[1]), 0)]
    if kind == "subnet":
        return [Wildcard(ip_to_int(member[1]), ~ip_to_int(member[2]) & IPV4_MAX)]
    if kind == "object":
        return resolve_addresses(config, config.objects[member[1]], trail)
    assert member[1] not in trail, "generated groups are acyclic"
    return [
        w for nested in config.network_groups[member[1]] for w in resolve_addresses(config, nested, (*trail, member[1]))
    ]


def resolve_ports(config: gen.GroupConfig, member: gen.GroupMember) -> list[PortRange]:
    if member[0] == "eq":
        return [PortRange(int(member[1]), int(member[1]))]
    if member[0] == "range":
        return [PortRange(int(member[1]), int(member[2]))]
    return [r for nested in config.port_groups[member[1]] for r in resolve_ports(config, nested)]


PROTOCOLS: dict[str, tuple[int, ...] | None] = {
    "ip": None,
    "tcp": (PROTO_TCP,),
    "udp": (PROTO_UDP,),
    "icmp": (PROTO_ICMP,),
}


def oracle_acls(config: gen.GroupConfig) -> dict[str, Acl]:
    """The ACLs as the oracle reads the generated structure (not the parser's expansion)."""
    source = Source("F1.cfg", 0, "oracle")
    lines: dict[str, list[AclLine]] = {}
    for acl, action, proto, src, dst, dport in config.entries:
        match = Match(
            protocols=PROTOCOLS[proto],
            src=None if src == ("any",) else tuple(resolve_addresses(config, src)),
            dst=None if dst == ("any",) else tuple(resolve_addresses(config, dst)),
            dst_ports=None if dport is None else tuple(resolve_ports(config, dport)),
        )
        lines.setdefault(acl, []).append(AclLine(action=Action(action), matches=(match,), source=source))
    return {name: Acl(name=name, lines=tuple(acl_lines), source=source) for name, acl_lines in lines.items()}


GroupRuns = tuple[gen.GroupConfig, list[tuple[str, Packet]]]
GROUP_ADDRESSES = tuple(
    sorted(
        {ip_to_int(a) for a in gen.GROUP_HOSTS}
        | {ip_to_int(a) + offset for a, _ in gen.GROUP_SUBNETS for offset in (0, 1, 63, 64, 127)}
        | {ip_to_int("198.51.100.7")}
    )
)
GROUP_PACKETS = gen.packets(GROUP_ADDRESSES)


@st.composite
def group_runs(draw: st.DrawFn) -> GroupRuns:
    config = draw(gen.group_configs())
    runs = draw(
        st.lists(
            st.tuples(st.sampled_from(("10.0.0.0/24", "10.0.1.0/24", "10.0.2.0/24")), GROUP_PACKETS),
            min_size=1,
            max_size=6,
        )
    )
    return config, runs


@examples(60)
@given(group_runs())
def test_nested_object_groups_mean_what_the_oracle_resolves(space: PacketSpace, config_and_runs: GroupRuns) -> None:
    config, runs = config_and_runs
    note(config.text)
    device = parse(config.text, "F1.cfg")
    assert not [u for u in device.unknown_lines if u.kind is UnknownKind.FORWARDING], device.unknown_lines
    device = dataclasses.replace(device, name="F1")
    parsed = build_network(gen.empty_topology(), {"F1": device})
    resolved = build_network(gen.empty_topology(), {"F1": dataclasses.replace(device, acls=oracle_acls(config))})
    engine = ReachEngine(parsed, space)
    for segment, packet in runs:
        result = engine.reach([(Start(segment=segment), space.packet(packet))])
        delivered = {as_tuple(e) for e, packets in result.delivered.items() if space.contains(packets, packet)}
        assert delivered == oracle.reachable_endpoints(resolved, packet, segment=segment), packet.describe()
    # Each deciding line of each parsed ACL: a packet it decides is decided by the same line of the oracle's ACL.
    for name, acl in oracle_acls(config).items():
        for index in range(len(acl.lines)):
            decided = space.pick(space.first_match_region(device.acls[name], index))
            if decided is not None:
                assert oracle.first_match(acl, decided) == index, f"{name} line {index}: {decided.describe()}"


# --- static object NAT and twice NAT ---------------------------------------------------------


def inside_prefix(prefixes: tuple[tuple[int, int], ...] | None, host: int) -> int:
    assert prefixes is not None
    network, length = prefixes[0]
    return network | (host & ~prefix_mask(length) & IPV4_MAX)


@st.composite
def nat_runs(draw: st.DrawFn, twice: bool) -> NetworkRuns:
    """Random packets, and as many again aimed at a NAT rule: from its real source to its
    mapped destination (twice NAT) or mapped source, or from its real destination back."""
    case = draw(gen.nat_networks(twice))
    runs = draw(st.lists(st.tuples(st.sampled_from(case.starts), gen.packets(case.addresses)), min_size=1, max_size=3))
    rules = case.network.devices["F1"].nat_rules
    for _ in range(draw(st.integers(1, 3))):
        rule = draw(st.sampled_from(rules))
        start, packet = draw(st.tuples(st.sampled_from(case.starts), gen.packets(case.addresses)))
        host = draw(st.sampled_from((1, 3, 99, 130)))
        if rule.real_destination is not None and draw(st.booleans()):
            src, dst = inside_prefix(rule.real_source, host), inside_prefix(rule.mapped_destination, host)
        elif rule.real_destination is not None:
            src, dst = inside_prefix(rule.real_destination, host), inside_prefix(rule.mapped_source, host)
        else:
            src, dst = packet.src, inside_prefix(rule.mapped_source, host)
        if draw(st.booleans()):
            src, dst = dst, src  # the reply direction, or a packet from the real side
        runs.append((start, dataclasses.replace(packet, src=src, dst=dst)))
    return case, runs


def nat_events(case: gen.NetworkCase, runs: Sequence[tuple[gen.StartPoint, Packet]]) -> None:
    firewall = case.network.devices["F1"]
    for _, packet in runs:
        for name in ("Gi0/0", "Gi0/1", "Gi0/2"):
            if oracle.untranslate(firewall, name, oracle.header_of(packet))[0] != oracle.header_of(packet):
                event("a run is un-NATed on arrival at some interface")


@examples(80)
@given(nat_runs(twice=False))
def test_static_object_nat_agrees_with_oracle(space: PacketSpace, case_and_runs: NetworkRuns) -> None:
    nat_events(*case_and_runs)
    check_network(space, *case_and_runs)
    check_tracer(space, *case_and_runs)


@examples(80)
@given(nat_runs(twice=True))
def test_twice_nat_agrees_with_oracle(space: PacketSpace, case_and_runs: NetworkRuns) -> None:
    nat_events(*case_and_runs)
    check_network(space, *case_and_runs)
    check_tracer(space, *case_and_runs)


# --- traffic to the firewall itself ------------------------------------------------------------


def test_interface_acl_does_not_filter_traffic_to_the_firewall(space: PacketSpace) -> None:
    """Regression (fixed in reach/engine.py `_enter`, reach/trace.py `Tracer._step`): inside
    host → the firewall's own inside address, tcp/22, with an inside ACL that permits nothing
    to it. A real ASA takes the packet (ssh/http/icmp settings, not the access-group, decide
    management access), so the device endpoint is reachable."""
    firewall = Device(
        name="F1", vendor="cisco_asa", source_file="F1.cfg", hostname="F1", stateful=True, undefined_acl_permits=False
    )
    firewall.interfaces = {
        "Gi0/1": Interface(name="Gi0/1", source=gen.SOURCE, addresses=(InterfaceAddress(ip_to_int("10.0.1.1"), 24),))
    }
    deny = AclLine(action=Action.DENY, matches=(Match(dst=(Wildcard.host(ip_to_int("10.0.1.1")),)),), source=gen.SOURCE)
    firewall.acls = {"A": Acl(name="A", lines=(deny,), source=gen.SOURCE)}  # nothing to the firewall
    gen.make_asa(firewall, {"Gi0/1": gen.AsaPort("inside", 100, "A")})
    network = build_network(gen.empty_topology(), {"F1": firewall})
    packet = Packet(ip_to_int("10.0.1.5"), ip_to_int("10.0.1.1"), PROTO_TCP, 49152, 22)
    asa = oracle.reachable_endpoints(network, packet, segment="10.0.1.0/24")
    assert asa == {("device", "F1", "", "")}
    engine = ReachEngine(network, space)
    result = engine.reach([(Start(segment="10.0.1.0/24"), space.packet(packet))])
    delivered = {as_tuple(e) for e, packets in result.delivered.items() if space.contains(packets, packet)}
    assert delivered == asa
    paths = Tracer(engine).trace(Start(segment="10.0.1.0/24"), packet)
    assert {as_tuple(p.endpoint) for p in paths if p.disposition == "delivered" and p.endpoint} == asa
    # The state check still drops a TCP ACK/RST to the box: the firewall opened no connection.
    ack = dataclasses.replace(packet, established=True)
    assert oracle.reachable_endpoints(network, ack, segment="10.0.1.0/24") == set()
    result = engine.reach([(Start(segment="10.0.1.0/24"), space.packet(ack))])
    assert not any(space.contains(packets, ack) for packets in result.delivered.values())
    assert [p.disposition for p in Tracer(engine).trace(Start(segment="10.0.1.0/24"), ack)] == ["denied-in"]


def test_static_route_via_management_only_interface_leaves_data_routes_in_charge(space: PacketSpace) -> None:
    """Regression (fixed in reach/fib.py): a more specific static route through a
    management-only interface belongs to the management routing table (ASA 9.5+); through
    traffic takes the data default route instead of being dropped."""
    firewall = Device(
        name="F1", vendor="cisco_asa", source_file="F1.cfg", hostname="F1", stateful=True, undefined_acl_permits=False
    )
    firewall.interfaces = {
        "Gi0/0": Interface(name="Gi0/0", source=gen.SOURCE, addresses=(InterfaceAddress(ip_to_int("10.0.0.1"), 24),)),
        "Gi0/1": Interface(name="Gi0/1", source=gen.SOURCE, addresses=(InterfaceAddress(ip_to_int("10.0.1.1"), 24),)),
        "Ma0/0": Interface(
            name="Ma0/0",
            source=gen.SOURCE,
            management_only=True,
            addresses=(InterfaceAddress(ip_to_int("10.0.9.1"), 24),),
        ),
    }
    ports = {
        "Gi0/0": gen.AsaPort("outside", 0),
        "Gi0/1": gen.AsaPort("inside", 100),
        "Ma0/0": gen.AsaPort("management", 100),
    }
    gen.make_asa(firewall, ports)
    firewall.routes = [
        Route(
            prefix=0,
            prefix_length=0,
            kind=RouteKind.STATIC,
            source=gen.SOURCE,
            interface="Gi0/0",
            next_hop=ip_to_int("10.0.0.254"),
        ),
        Route(
            prefix=ip_to_int("10.5.0.0"),
            prefix_length=16,
            kind=RouteKind.STATIC,
            source=gen.SOURCE,
            interface="Ma0/0",
            next_hop=ip_to_int("10.0.9.254"),
        ),
    ]
    network = build_network(gen.empty_topology(), {"F1": firewall})
    packet = Packet(ip_to_int("10.0.1.5"), ip_to_int("10.5.0.9"), PROTO_TCP, 49152, 443)
    expected = {("exit", "F1", "Gi0/0", "")}  # 10.0.0.254 is no modelled device
    assert oracle.reachable_endpoints(network, packet, segment="10.0.1.0/24") == expected
    result = ReachEngine(network, space).reach([(Start(segment="10.0.1.0/24"), space.packet(packet))])
    assert {as_tuple(e) for e, packets in result.delivered.items() if space.contains(packets, packet)} == expected
