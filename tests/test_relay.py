"""DHCP/UDP relay on hand-built routers: exact endpoints from the engine, the tracer and the
oracle, and the relay hop's reason in the trace."""

from __future__ import annotations

from dataclasses import replace

import oracle
import pytest
from engine_checks import as_tuple
from strategies import empty_topology

from nankoku_netcheck.graph import build_network
from nankoku_netcheck.model import (
    PROTO_UDP,
    Acl,
    AclLine,
    Action,
    Device,
    Interface,
    InterfaceAddress,
    Match,
    PortRange,
    RelayTarget,
    Source,
    ip_to_int,
)
from nankoku_netcheck.reach.engine import ReachEngine, Start
from nankoku_netcheck.reach.packets import Packet, PacketSpace
from nankoku_netcheck.reach.trace import Tracer

HELPER = Source("r1.cfg", 4, " ip helper-address 10.0.2.2")


def router(name: str, *interfaces: Interface) -> Device:
    device = Device(name=name, vendor="cisco_ios", source_file=f"{name.lower()}.cfg", hostname=name)
    device.interfaces = {item.name: item for item in interfaces}
    return device


def port(name: str, address: str, device: str, **fields: object) -> Interface:
    return replace(
        Interface(name, Source(f"{device}.cfg", 1, f"interface {name}")),
        addresses=(InterfaceAddress(ip_to_int(address), 24),),
        **fields,  # type: ignore[arg-type]
    )


def only_sport_67() -> Acl:
    line = AclLine(
        Action.PERMIT,
        (Match(protocols=(PROTO_UDP,), src_ports=(PortRange(67, 67),)),),
        Source("r2.cfg", 9, " permit udp any eq bootps any"),
    )
    return Acl("ONLY-67", (line,), Source("r2.cfg", 8, "ip access-list extended ONLY-67"))


def two_routers(ports: tuple[int, ...] = (67,)) -> tuple[ReachEngine, PacketSpace]:
    """R1 relays the clients of 10.0.1.0/24 to 10.0.2.2, an address of R2, which admits UDP from
    port 67 only. R1's outbound ACL towards R2 denies everything: relayed packets are the
    router's own, which outbound ACLs do not filter."""
    r1 = router(
        "R1",
        port("Gi0/0", "10.0.1.1", "r1", relay_targets=(RelayTarget(ip_to_int("10.0.2.2"), HELPER),)),
        port("Gi0/1", "10.0.2.1", "r1", acl_out="DENY-OUT"),
    )
    r1.acls["DENY-OUT"] = Acl(
        "DENY-OUT",
        (AclLine(Action.DENY, (Match(),), Source("r1.cfg", 10, " deny ip any any")),),
        Source("r1.cfg", 9, "ip access-list extended DENY-OUT"),
    )
    r1.relayed_udp_ports = ports
    r2 = router("R2", port("Gi0/0", "10.0.2.2", "r2", acl_in="ONLY-67"), port("Gi0/1", "10.0.3.1", "r2"))
    r2.acls["ONLY-67"] = only_sport_67()
    network = build_network(empty_topology(), {"R1": r1, "R2": r2})
    space = PacketSpace()
    return ReachEngine(network, space), space


def endpoints(engine: ReachEngine, space: PacketSpace, start: Start, packet: Packet) -> set[tuple[str, str, str, str]]:
    result = engine.reach([(start, space.packet(packet))])
    return {as_tuple(e) for e, packets in result.delivered.items() if space.contains(packets, packet)}


def client_segment(engine: ReachEngine) -> str:
    return engine.network.segment_of[("R1", "Gi0/0")]


DISCOVER = Packet(ip_to_int("10.0.1.50"), 0xFFFFFFFF, PROTO_UDP, sport=68, dport=67)


@pytest.mark.parametrize(
    ("packet", "relayed"),
    [
        (DISCOVER, True),
        (replace(DISCOVER, dst=ip_to_int("10.0.1.255")), True),  # the subnet's directed broadcast
        (replace(DISCOVER, dst=ip_to_int("10.0.3.255")), False),  # another subnet's broadcast
        (replace(DISCOVER, dport=69), False),  # TFTP is not relayed by this device
        (replace(DISCOVER, proto=6), False),
    ],
)
def test_discover_is_relayed_from_the_interface_with_source_port_67(packet: Packet, relayed: bool) -> None:
    engine, space = two_routers()
    start = Start(segment=client_segment(engine))
    expected = {("device", "R2", "", "")} if relayed else set()
    found = endpoints(engine, space, start, packet) - {("hosts", "", "", client_segment(engine))}
    assert found == expected
    oracle_found = oracle.reachable_endpoints(engine.network, packet, segment=client_segment(engine))
    assert oracle_found - {("hosts", "", "", client_segment(engine))} == expected
    traced = {as_tuple(p.endpoint) for p in Tracer(engine).trace(start, packet) if p.endpoint is not None}
    assert traced - {("hosts", "", "", client_segment(engine))} == expected


def test_trace_names_the_helper_line_at_the_relay_hop() -> None:
    engine, _ = two_routers()
    paths = Tracer(engine).trace(Start(segment=client_segment(engine)), DISCOVER)
    relayed = [p for p in paths if p.endpoint is not None and p.endpoint.kind == "device"]
    assert len(relayed) == 1
    first, second = relayed[0].hops
    assert (first.device, first.in_interface, first.out_interface) == ("R1", "Gi0/0", "Gi0/1")
    assert first.egress is not None and first.egress.permitted
    assert first.egress.reason == "relayed by the device (r1.cfg:4: ip helper-address 10.0.2.2)"
    assert (second.device, second.ingress.acl_name, second.ingress.line_index) == ("R2", "ONLY-67", 0)


def test_other_ports_are_relayed_with_the_client_source_port() -> None:
    engine, space = two_routers(ports=(67, 5000))
    tftp = replace(DISCOVER, dport=5000)
    # R2 admits source port 67 only: the relayed copy keeps port 68 and is dropped.
    assert endpoints(engine, space, Start(segment=client_segment(engine)), tftp) == set()
    assert endpoints(engine, space, Start(segment=client_segment(engine)), replace(tftp, sport=67)) == {
        ("device", "R2", "", "")
    }


def test_server_reply_reaches_the_clients_of_the_relay_interface() -> None:
    engine, space = two_routers()
    offer = Packet(ip_to_int("10.0.3.9"), ip_to_int("10.0.1.1"), PROTO_UDP, sport=67, dport=67)
    start = Start(device="R1", interface="Gi0/1")
    expected = {("device", "R1", "", ""), ("hosts", "", "", client_segment(engine))}
    assert endpoints(engine, space, start, offer) == expected
    assert oracle.reachable_endpoints(engine.network, offer, device="R1", interface="Gi0/1") == expected
    assert endpoints(engine, space, start, replace(offer, dport=68)) == {("device", "R1", "", "")}
