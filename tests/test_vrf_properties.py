"""Property tests for VRF-lite: random VRF assignments on interfaces and static routes, with
leaks between tables (an exit interface in another VRF, a next hop resolved in another table
or the global one). The symbolic engine and the concrete tracer agree with the oracle, whose
VRF semantics (tests/oracle.py module docstring) are written independently of reach/fib.py."""

from __future__ import annotations

from dataclasses import replace

import pytest
import strategies as gen
from engine_checks import NetworkRuns, check_network, check_tracer, runs_on
from hypothesis import given
from hypothesis import strategies as st

from nankoku_netcheck.model import Route
from nankoku_netcheck.reach.packets import PacketSpace


@pytest.fixture(scope="module")
def space() -> PacketSpace:
    pytest.importorskip("dd.cudd", reason="dd was installed without its CUDD extension")
    return PacketSpace("cudd")


TABLES = st.sampled_from(("", "", "A", "B"))
NEXT_HOP_TABLES = st.sampled_from((None, None, None, "", "A", "B"))


@st.composite
def vrf_networks(draw: st.DrawFn) -> gen.NetworkCase:
    """A generated router network whose interfaces and routes are spread over the global
    table and VRFs A and B; some routes resolve their next hop in another table."""
    case = draw(gen.networks())
    for device in case.network.devices.values():
        if gen.sometimes(draw, 20):
            continue  # a device without VRFs among them
        device.interfaces = {name: replace(i, vrf=draw(TABLES)) for name, i in device.interfaces.items()}
        device.routes = [_spread(draw, route) for route in device.routes]
    return case


def _spread(draw: st.DrawFn, route: Route) -> Route:
    next_hop_vrf = draw(NEXT_HOP_TABLES) if route.next_hop is not None else None
    return replace(route, vrf=draw(TABLES), next_hop_vrf=next_hop_vrf)


def test_vrf_networks_hold_leaks() -> None:
    """The generator does reach the cases it is for: VRF interfaces and cross-table next hops."""
    found = {"vrf interface": False, "leak": False}

    @gen.examples(60)
    @given(vrf_networks())
    def look(case: gen.NetworkCase) -> None:
        for device in case.network.devices.values():
            found["vrf interface"] |= any(interface.vrf for interface in device.interfaces.values())
            found["leak"] |= any(r.next_hop_vrf is not None and r.next_hop_vrf != r.vrf for r in device.routes)

    look()
    assert found == {"vrf interface": True, "leak": True}


@gen.examples(200)
@given(runs_on(vrf_networks))
def test_engine_agrees_with_oracle_on_vrfs(space: PacketSpace, case_and_runs: NetworkRuns) -> None:
    check_network(space, *case_and_runs)


@gen.examples(150)
@given(runs_on(vrf_networks))
def test_tracer_agrees_with_oracle_on_vrfs(space: PacketSpace, case_and_runs: NetworkRuns) -> None:
    check_tracer(space, *case_and_runs)
