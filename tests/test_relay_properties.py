"""Property tests: UDP broadcast relay (reach/relay.py) in the engine and the tracer agrees
with the plain oracle (`oracle.py`, section "UDP broadcast relay").

Random routers (strategies.networks: ACLs, static routes, shared segments, boundaries) get
random helper addresses on random interfaces and a random set of relayed ports; the packets
are mostly broadcasts and DHCP replies that the relay acts on.
"""

from __future__ import annotations

from dataclasses import replace

import pytest
import strategies as gen
from engine_checks import NetworkRuns, check_network, check_tracer
from hypothesis import given
from hypothesis import strategies as st

from nankoku_netcheck.model import (
    PROTO_UDP,
    Acl,
    AclLine,
    Action,
    Device,
    Match,
    PortRange,
    RelayTarget,
    Source,
    Wildcard,
)
from nankoku_netcheck.reach.packets import Packet, PacketSpace

examples = gen.examples

RELAYED_PORT_SETS = st.sampled_from(((67,), (53, 67), (67, 69, 5000), (53,), ()))
PROBED_PORTS = (67, 68, 53, 69, 5000)


@pytest.fixture(scope="module")
def cudd_space() -> PacketSpace:
    pytest.importorskip("dd.cudd", reason="dd was installed without its CUDD extension")
    return PacketSpace("cudd")


def broadcasts(case: gen.NetworkCase) -> list[int]:
    result = {0xFFFFFFFF}
    for device in case.network.devices.values():
        for interface in device.interfaces.values():
            for address in interface.addresses:
                if address.prefix_length < 31:
                    result.add(address.network | (0xFFFFFFFF >> address.prefix_length))
    return sorted(result)


def port_acl(name: str, device: Device, lines: tuple[tuple[Action, Match], ...]) -> Acl:
    """An ACL that tells relayed headers (ports 67 → 67, the relay's address) from the clients'."""
    return Acl(
        name,
        tuple(
            AclLine(action, (match,), Source(device.source_file, 200 + number, f" {action.value} {name}"))
            for number, (action, match) in enumerate(lines)
        ),
        Source(device.source_file, 199, f"ip access-list extended {name}"),
    )


def header_acls(device: Device) -> dict[str, Acl]:
    udp_from = (PROTO_UDP,)
    relayed = Match(protocols=udp_from, src_ports=(PortRange(67, 67),))
    from_client = Match(protocols=udp_from, src_ports=(PortRange(68, 68),))
    own = tuple(Wildcard.host(a.address) for i in device.interfaces.values() for a in i.addresses)
    return {
        "ONLY-67": port_acl("ONLY-67", device, ((Action.PERMIT, relayed),)),
        "NO-68": port_acl("NO-68", device, ((Action.DENY, from_client), (Action.PERMIT, Match()))),
        "ONLY-RELAY-SRC": port_acl("ONLY-RELAY-SRC", device, ((Action.PERMIT, Match(src=own or None)),)),
        "NO-RELAY-SRC": port_acl(
            "NO-RELAY-SRC", device, ((Action.DENY, Match(src=own or None)), (Action.PERMIT, Match()))
        ),
    }


@st.composite
def relay_networks(draw: st.DrawFn, tables: bool = False) -> gen.NetworkCase:
    case: gen.NetworkCase = draw(gen.networks())
    if tables:
        spread_over_tables(draw, case)
    every = [d for d in case.network.devices.values()]
    for name in sorted(case.network.devices):
        device = case.network.devices[name]
        device.relayed_udp_ports = draw(RELAYED_PORT_SETS)
        # ACLs that judge the rewritten headers: another device's addresses as sources, ports 67/68.
        for other in every:
            for acl_name, acl in header_acls(other).items():
                device.acls[f"{acl_name}-{other.name}"] = replace(acl, name=f"{acl_name}-{other.name}")
        header_names = sorted(name for name in device.acls if name.startswith(("ONLY-", "NO-")))
        header_names += [name for name in header_names if name.startswith("ONLY-RELAY-SRC")] * 2
        for if_name in sorted(device.interfaces):
            if gen.sometimes(draw, 30):
                chosen = draw(st.sampled_from(header_names))
                device.interfaces[if_name] = replace(device.interfaces[if_name], acl_in=chosen)
            if not gen.sometimes(draw, 60):
                continue
            helpers = draw(st.lists(st.sampled_from(case.addresses), min_size=1, max_size=2, unique=True))
            targets = tuple(
                RelayTarget(
                    address,
                    Source(device.source_file, 100 + number, f" ip helper-address {address}"),
                    vrf=draw(TARGET_TABLES) if tables else None,
                    global_table=tables and gen.sometimes(draw, 20),
                )
                for number, address in enumerate(helpers)
            )
            device.interfaces[if_name] = replace(device.interfaces[if_name], relay_targets=targets)
    return case


def relay_packets(case: gen.NetworkCase) -> st.SearchStrategy[Packet]:
    """UDP to a broadcast address (requests) or to an interface address (replies), relayed ports mostly."""
    own = sorted({a.address for d in case.network.devices.values() for i in d.interfaces.values() for a in i.addresses})
    destinations = st.sampled_from(broadcasts(case) + own)
    return st.builds(
        Packet,
        src=st.sampled_from(case.addresses),
        dst=destinations,
        proto=st.just(PROTO_UDP),
        sport=st.sampled_from((68, 67, 40000)),
        dport=st.sampled_from(PROBED_PORTS),
    )


@st.composite
def aimed_run(draw: st.DrawFn, case: gen.NetworkCase) -> tuple[gen.StartPoint, Packet]:
    """A broadcast to a relayed port sent where a relaying interface receives it, or a reply
    to a relaying interface's address from anywhere."""
    relaying = [
        (name, if_name, interface)
        for name, device in sorted(case.network.devices.items())
        if device.relayed_udp_ports
        for if_name, interface in sorted(device.interfaces.items())
        if interface.relay_targets and interface.addresses and device.relayed_udp_ports
    ]
    if not relaying:
        return draw(st.sampled_from(case.starts)), draw(relay_packets(case))
    name, if_name, interface = draw(st.sampled_from(relaying))
    device = case.network.devices[name]
    if draw(st.booleans()):
        reply = Packet(
            src=draw(st.sampled_from(case.addresses)),
            dst=draw(st.sampled_from([a.address for a in interface.addresses])),
            proto=PROTO_UDP,
            sport=67,
            dport=67,
        )
        return draw(st.sampled_from(case.starts)), reply
    own = [0xFFFFFFFF] + [
        a.network | (0xFFFFFFFF >> a.prefix_length) for a in interface.addresses if a.prefix_length < 31
    ]
    request = Packet(
        src=draw(st.sampled_from(case.addresses)),
        dst=draw(st.sampled_from(own)),
        proto=PROTO_UDP,
        sport=68,
        dport=67
        if 67 in device.relayed_udp_ports and draw(st.booleans())
        else draw(st.sampled_from(device.relayed_udp_ports)),
    )
    segment = case.network.segment_of.get((name, if_name))
    start = (segment, "", "") if segment is not None and draw(st.booleans()) else ("", name, if_name)
    return start, request


TABLES = st.sampled_from(("", "", "A", "B"))
TARGET_TABLES = st.sampled_from((None, None, "", "A", "B"))


def spread_over_tables(draw: st.DrawFn, case: gen.NetworkCase) -> None:
    """Interfaces and routes over the global table and VRFs A and B (`ip helper-address vrf X`
    and `global` then relay into other tables, and the replies come back from them)."""
    for device in case.network.devices.values():
        device.interfaces = {name: replace(i, vrf=draw(TABLES)) for name, i in device.interfaces.items()}
        device.routes = [replace(route, vrf=draw(TABLES)) for route in device.routes]


@st.composite
def relay_runs(draw: st.DrawFn, tables: bool = False) -> NetworkRuns:
    case = draw(relay_networks(tables))
    packets = st.one_of(relay_packets(case), gen.packets(case.addresses))
    anywhere = st.tuples(st.sampled_from(case.starts), packets)
    runs = draw(st.lists(st.one_of(aimed_run(case), aimed_run(case), anywhere), min_size=1, max_size=4))
    return case, runs


@examples(200)
@given(relay_runs())
def test_engine_relay_agrees_with_oracle(cudd_space: PacketSpace, case_and_runs: NetworkRuns) -> None:
    check_network(cudd_space, *case_and_runs)


@examples(150)
@given(relay_runs())
def test_tracer_relay_agrees_with_oracle(cudd_space: PacketSpace, case_and_runs: NetworkRuns) -> None:
    check_tracer(cudd_space, *case_and_runs)


@examples(120)
@given(relay_runs(tables=True))
def test_engine_relay_across_vrfs_agrees_with_oracle(cudd_space: PacketSpace, case_and_runs: NetworkRuns) -> None:
    check_network(cudd_space, *case_and_runs)


@examples(100)
@given(relay_runs(tables=True))
def test_tracer_relay_across_vrfs_agrees_with_oracle(cudd_space: PacketSpace, case_and_runs: NetworkRuns) -> None:
    check_tracer(cudd_space, *case_and_runs)
