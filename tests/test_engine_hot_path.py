"""The reach engine's shortcuts (issue #20) keep its sets exact.

A filter-only search (routing ignored, ZONE-008) on the two-router network of
test_engine_unit.py sends every packet back where it came from, so R1 is entered again by
its uplink with packets it has already routed: the re-entry and the check against what a
device routed before are exercised, and the sets below are worked out by hand.

    LAN A 10.0.1.0/24 ── Gi0/0 R1 Gi0/1 ── 10.0.12.0/30 ── Gi0/0 R2 Gi0/1 ── LAN C 10.0.3.0/24
                                                   (R2 Gi0/0 in: no telnet to LAN C)
"""

from __future__ import annotations

import pytest
from test_engine_unit import LAN_A, NO_TELNET_TO_LAN_C, network_of, r1, r2

from nankoku_netcheck.model import ip_to_int
from nankoku_netcheck.reach.engine import Endpoint, ReachEngine, ReachResult
from nankoku_netcheck.reach.packets import PacketSet, PacketSpace


@pytest.fixture(scope="module")
def space() -> PacketSpace:
    return PacketSpace()


def addresses(space: PacketSpace, *dotted: str) -> PacketSet:
    result = space.false
    for address in dotted:
        result |= space.field_equals("dst", ip_to_int(address))
    return result


def from_lan_a(space: PacketSpace) -> PacketSet:
    return space.valid & space.field_prefix("src", ip_to_int("10.0.1.0"), 24)


def filter_only_search(space: PacketSpace, injected: PacketSet) -> ReachResult:
    network = network_of(r1(), r2("NO-TELNET", acls=(NO_TELNET_TO_LAN_C,)))
    return ReachEngine(network, space, routing=False).reach([(LAN_A, injected)])


def test_a_device_entered_again_with_packets_it_routed_adds_nothing_and_loses_nothing(space: PacketSpace) -> None:
    sent = from_lan_a(space)
    permitted = sent & space.acl_permits(NO_TELNET_TO_LAN_C)
    lan_c_hosts = space.field_prefix("dst", ip_to_int("10.0.3.0"), 24) & ~addresses(
        space, "10.0.3.0", "10.0.3.1", "10.0.3.255"
    )
    r1_own, r2_own = addresses(space, "10.0.1.1", "10.0.12.1"), addresses(space, "10.0.12.2", "10.0.3.1")
    # Hosts deliver packets to LAN A themselves; R1 takes the rest and what is addressed to it.
    to_r1 = sent & (~space.field_prefix("dst", ip_to_int("10.0.1.0"), 24) | r1_own)
    result = filter_only_search(space, sent)
    assert result.delivered[Endpoint("hosts", segment="10.0.3.0/24")] == permitted & lan_c_hosts
    assert result.delivered[Endpoint("device", device="R2")] == permitted & r2_own
    assert result.arrived[("R1", "Gi0/0")] == to_r1
    # `arrived`: what passed the interface's inbound filter.
    assert result.arrived[("R2", "Gi0/0")] == to_r1 & ~r1_own & permitted
    # What R2 sends back over the link (R1 routed all of it already): all it admitted but
    # what was addressed to it.
    assert result.arrived[("R1", "Gi0/1")] == to_r1 & ~r1_own & permitted & ~r2_own
    assert result.visited_devices == {"R1", "R2"}


def test_packets_outside_the_valid_space_are_cut_where_they_are_injected(space: PacketSpace) -> None:
    """Interfaces without a filter pass the carried sets as they are (no intersection with
    `valid`): that is exact only because the injected packets were cut to it."""
    everything = space.field_prefix("src", ip_to_int("10.0.1.0"), 24)
    assert everything != from_lan_a(space)  # the packet space holds invalid headers too
    anything = filter_only_search(space, everything)
    valid_only = filter_only_search(space, from_lan_a(space))
    assert anything.delivered == valid_only.delivered
    assert anything.arrived == valid_only.arrived
