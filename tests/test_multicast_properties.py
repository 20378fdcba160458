"""Property tests: multicast forwarding (reach/multicast.py) in the engine and the tracer
agrees with the plain oracle (`oracle.py`, section "multicast routing").

Random routers (strategies.networks: ACLs, static routes, shared segments, boundaries) get
multicast on random interfaces; the packets are mostly group packets sent where a multicast
interface receives them.
"""

from __future__ import annotations

from dataclasses import replace

import pytest
import strategies as gen
from engine_checks import NetworkRuns, check_network, check_tracer
from hypothesis import given
from hypothesis import strategies as st

from nankoku_netcheck.model import PROTO_TCP, PROTO_UDP
from nankoku_netcheck.reach.packets import Packet, PacketSpace

examples = gen.examples

GROUP_ADDRESSES = (0xE0000005, 0xEFFFFFFA, 0xE1010101)  # 224.0.0.5, 239.255.255.250, 225.1.1.1


@pytest.fixture(scope="module")
def cudd_space() -> PacketSpace:
    pytest.importorskip("dd.cudd", reason="dd was installed without its CUDD extension")
    return PacketSpace("cudd")


@st.composite
def multicast_networks(draw: st.DrawFn) -> gen.NetworkCase:
    case: gen.NetworkCase = draw(gen.networks())
    for name in sorted(case.network.devices):
        device = case.network.devices[name]
        for if_name in sorted(device.interfaces):
            if gen.sometimes(draw, 60):
                device.interfaces[if_name] = replace(device.interfaces[if_name], multicast=True)
    return case


def group_packets(case: gen.NetworkCase) -> st.SearchStrategy[Packet]:
    return st.builds(
        Packet,
        src=st.sampled_from(case.addresses),
        dst=st.sampled_from(GROUP_ADDRESSES),
        proto=st.sampled_from((PROTO_UDP, PROTO_UDP, PROTO_TCP)),
        sport=st.sampled_from((5000, 80)),
        dport=st.sampled_from((5000, 80, 53)),
    )


@st.composite
def multicast_runs(draw: st.DrawFn) -> NetworkRuns:
    case = draw(multicast_networks())
    aimed = [
        (segment, "", "") if segment is not None else ("", name, if_name)
        for name, device in sorted(case.network.devices.items())
        for if_name, interface in sorted(device.interfaces.items())
        if interface.multicast
        for segment in (case.network.segment_of.get((name, if_name)),)
    ]
    starts = st.sampled_from(aimed or list(case.starts))
    packets = st.one_of(group_packets(case), group_packets(case), gen.packets(case.addresses))
    runs = draw(st.lists(st.tuples(st.one_of(starts, st.sampled_from(case.starts)), packets), min_size=1, max_size=4))
    return case, runs


@examples(200)
@given(multicast_runs())
def test_engine_multicast_agrees_with_oracle(cudd_space: PacketSpace, case_and_runs: NetworkRuns) -> None:
    check_network(cudd_space, *case_and_runs)


@examples(150)
@given(multicast_runs())
def test_tracer_multicast_agrees_with_oracle(cudd_space: PacketSpace, case_and_runs: NetworkRuns) -> None:
    check_tracer(cudd_space, *case_and_runs)
