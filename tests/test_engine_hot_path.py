"""The reach engine's shortcuts (issue #20) keep its sets exact.

A filter-only search (routing ignored, ZONE-008) on the two-router network of
test_engine_unit.py would send every packet back where it came from; R2 is a stub behind R1
(`ReachEngine._stub_link`), so it does not. With that shortcut off, R1 is entered again by
its uplink with packets it has already routed: the re-entry and the check against what a
device routed before are exercised, and the sets below are worked out by hand.

    LAN A 10.0.1.0/24 ── Gi0/0 R1 Gi0/1 ── 10.0.12.0/30 ── Gi0/0 R2 Gi0/1 ── LAN C 10.0.3.0/24
                                                   (R2 Gi0/0 in: no telnet to LAN C)
"""

from __future__ import annotations

import dataclasses

import pytest
from test_engine_unit import LAN_A, NO_TELNET_TO_LAN_C, network_of, port, r1, r2, router

from nankoku_netcheck.model import ip_to_int
from nankoku_netcheck.reach.engine import Endpoint, ReachEngine, ReachResult, Start
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
    return ReachEngine(network, space, routing=False, record_arrivals=True).reach([(LAN_A, injected)])


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
    assert result.arrivals[("R1", "Gi0/0")] == to_r1
    # `arrivals`: what passed the interface's inbound filter.
    assert result.arrivals[("R2", "Gi0/0")] == to_r1 & ~r1_own & permitted
    # R2 is a stub behind R1 (LAN C holds hosts only): it sends nothing back over the link.
    assert ("R1", "Gi0/1") not in result.arrivals
    assert result.visited_devices == {"R1", "R2"}
    # Each device reached has one packet that arrived there as its witness: the least one.
    assert result.witnesses["R2"] == space.packet(space.pick(to_r1 & ~r1_own & permitted))
    assert space.count(result.witnesses["R1"]) == 1 and space.subset(result.witnesses["R1"], to_r1)


def test_without_the_stub_shortcut_the_same_packets_arrive_and_the_bounce_adds_nothing(
    space: PacketSpace, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With R2 not taken for a stub, everything it admitted goes back to R1, which routed all
    of it already: the re-entry and the check against what R1 routed before run, and every
    endpoint gets the same packets as with the shortcut."""
    sent = from_lan_a(space)
    permitted = sent & space.acl_permits(NO_TELNET_TO_LAN_C)
    r1_own, r2_own = addresses(space, "10.0.1.1", "10.0.12.1"), addresses(space, "10.0.12.2", "10.0.3.1")
    to_r1 = sent & (~space.field_prefix("dst", ip_to_int("10.0.1.0"), 24) | r1_own)
    shortcut = filter_only_search(space, sent)
    monkeypatch.setattr(ReachEngine, "_stub_link", lambda _engine, _device, _interface: None)
    bounced = filter_only_search(space, sent)
    # What R2 sends back over the link: all it admitted but what was addressed to it.
    assert bounced.arrivals[("R1", "Gi0/1")] == to_r1 & ~r1_own & permitted & ~r2_own
    assert bounced.delivered == shortcut.delivered
    assert bounced.entered == shortcut.entered
    assert bounced.work > shortcut.work


def test_packets_outside_the_valid_space_are_cut_where_they_are_injected(space: PacketSpace) -> None:
    """Interfaces without a filter pass the carried sets as they are (no intersection with
    `valid`): that is exact only because the injected packets were cut to it."""
    everything = space.field_prefix("src", ip_to_int("10.0.1.0"), 24)
    assert everything != from_lan_a(space)  # the packet space holds invalid headers too
    anything = filter_only_search(space, everything)
    valid_only = filter_only_search(space, from_lan_a(space))
    assert anything.delivered == valid_only.delivered
    assert anything.arrivals == valid_only.arrivals
    assert anything.witnesses == valid_only.witnesses


def test_a_stub_is_a_device_whose_other_interfaces_lead_to_hosts_only(space: PacketSpace) -> None:
    """R2 is a stub behind R1 on its uplink, and R1 one behind R2 (each has a LAN of hosts
    besides the link). A third router on LAN C, a VRF or a stateful neighbour each make R2
    no stub."""
    plain = ReachEngine(network_of(r1(), r2()), space)
    assert plain._stub_link("R2", "Gi0/0") == ("R1", "Gi0/1")
    assert plain._stub_link("R1", "Gi0/1") == ("R2", "Gi0/0")  # R1's LAN A holds hosts only too
    assert plain._stub_link("R2", "Gi0/1") is None  # LAN C holds hosts

    r3 = router("R3", port("Gi0/0", "10.0.3.2/24"))
    assert ReachEngine(network_of(r1(), r2(), r3), space)._stub_link("R2", "Gi0/0") is None

    in_vrf = r2()
    in_vrf.interfaces["Gi0/1"] = dataclasses.replace(in_vrf.interfaces["Gi0/1"], vrf="BLUE")
    assert ReachEngine(network_of(r1(), in_vrf), space)._stub_link("R2", "Gi0/0") is None

    stateful = r1()
    stateful.stateful = True
    assert ReachEngine(network_of(stateful, r2()), space)._stub_link("R2", "Gi0/0") is None


def test_packets_injected_on_a_stub_link_are_routed_as_usual(space: PacketSpace) -> None:
    """What a start hands to R2's uplink did not come from R1: R2 sends it on to R1 as ever."""
    network = network_of(r1(), r2())
    to_lan_a = space.valid & space.field_prefix("dst", ip_to_int("10.0.1.0"), 24)
    result = ReachEngine(network, space).reach([(Start(device="R2", interface="Gi0/0"), to_lan_a)])
    lan_a_hosts = to_lan_a & ~addresses(space, "10.0.1.0", "10.0.1.1", "10.0.1.255")
    assert result.delivered[Endpoint("hosts", segment="10.0.1.0/24")] == lan_a_hosts


@pytest.mark.parametrize("count", range(10))
def test_union_of_many_sets_is_their_union(space: PacketSpace, count: int) -> None:
    sets = [space.field_prefix("dst", ip_to_int(f"10.{index}.0.0"), 16 + index) for index in range(count)]
    one_by_one = space.false
    for packets in sets:
        one_by_one |= packets
    assert space.union_of(sets) == one_by_one


@pytest.mark.parametrize("routing", [True, False])
def test_an_endpoint_that_several_pieces_reach_receives_each_of_them(space: PacketSpace, routing: bool) -> None:
    # Delivered pieces are joined at the end of the search (`ReachEngine.reach`): split into
    # three injections, each endpoint gets what the whole set gives it, and what each part alone does.
    network = network_of(r1(), r2("NO-TELNET", acls=(NO_TELNET_TO_LAN_C,)))
    engine = ReachEngine(network, space, routing=routing)
    sent = from_lan_a(space)
    tcp, udp = space.protocol(6), space.protocol(17)
    parts = [sent & tcp, sent & udp, sent & ~tcp & ~udp]
    whole = engine.reach([(LAN_A, sent)])
    together = engine.reach([(LAN_A, part) for part in parts])
    apart = [engine.reach([(LAN_A, part)]) for part in parts]
    assert together.delivered.keys() == whole.delivered.keys()
    for endpoint, packets in whole.delivered.items():
        assert together.delivered[endpoint] == packets
        assert space.union_of(result.delivered.get(endpoint, space.false) for result in apart) == packets
