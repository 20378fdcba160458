"""Exhaustive small checks of the packet-set building blocks (reach/packets.py)."""

from __future__ import annotations

import pytest

from nankoku_netcheck.model import (
    PROTO_ICMP,
    PROTO_TCP,
    PROTO_UDP,
    Acl,
    AclLine,
    Action,
    Match,
    PortRange,
    Source,
    Wildcard,
    ip_to_int,
    prefix_mask,
)
from nankoku_netcheck.reach.packets import Packet, PacketSpace, range_to_prefixes

SOURCE = Source("test.cfg", 1, "test")
WIDTH = 6
EDGES_8_BIT = (0, 1, 2, 3, 4, 7, 8, 15, 16, 17, 31, 64, 127, 128, 129, 200, 254, 255)


@pytest.fixture(scope="module")
def space() -> PacketSpace:
    return PacketSpace()


def test_range_to_prefixes_covers_exactly_every_range_of_a_6_bit_field() -> None:
    for low in range(2**WIDTH):
        for high in range(low, 2**WIDTH):
            covered: list[int] = []
            blocks = list(range_to_prefixes(low, high, WIDTH))
            for value, length in blocks:
                size = 1 << (WIDTH - length)
                assert value % size == 0, (low, high, value, length)  # aligned block
                covered.extend(range(value, value + size))
            assert sorted(covered) == list(range(low, high + 1)), (low, high)
            # No value twice, and never more blocks than the classic 2·(w−1) bound.
            assert len(covered) == len(set(covered))
            assert len(blocks) <= 2 * (WIDTH - 1)


def test_range_to_prefixes_clips_to_the_field_and_is_empty_when_reversed() -> None:
    assert list(range_to_prefixes(-5, 100, WIDTH)) == [(0, 0)]
    assert list(range_to_prefixes(0, 2**WIDTH - 1, WIDTH)) == [(0, 0)]
    assert list(range_to_prefixes(9, 8, WIDTH)) == []
    assert list(range_to_prefixes(5, 5, WIDTH)) == [(5, WIDTH)]


def field_values(space: PacketSpace, packets: object, field: str) -> set[int]:
    return {value for value in range(256) if (packets & space.field_equals(field, value)) != space.false}


def test_field_range_holds_exactly_the_range(space: PacketSpace) -> None:
    for low in EDGES_8_BIT:
        for high in EDGES_8_BIT:
            if low <= high:
                assert field_values(space, space.field_range("icmp_type", low, high), "icmp_type") == set(
                    range(low, high + 1)
                ), (low, high)


def test_field_prefix_holds_exactly_the_prefix(space: PacketSpace) -> None:
    for length in range(9):
        for value in EDGES_8_BIT:
            network = value & (0xFF << (8 - length)) & 0xFF
            expected = {v for v in range(256) if v >> (8 - length) == network >> (8 - length)}
            assert field_values(space, space.field_prefix("proto", network, length), "proto") == expected


def test_address_prefix_membership(space: PacketSpace) -> None:
    probe_addresses = [
        ip_to_int(a)
        for a in ("10.1.2.3", "10.1.2.0", "10.1.255.255", "10.2.0.0", "9.255.255.255", "0.0.0.0", "255.255.255.255")
    ]
    for length in range(33):
        network = ip_to_int("10.1.2.3") & prefix_mask(length)
        block = space.field_prefix("dst", network, length)
        for address in probe_addresses:
            inside = address & prefix_mask(length) == network
            assert ((block & space.field_equals("dst", address)) != space.false) == inside, (length, address)


def test_non_contiguous_wildcard_ignores_only_its_dont_care_bits(space: PacketSpace) -> None:
    # 10.0.0.5 0.0.255.0: any third octet, everything else exact.
    pattern = space.addresses("src", [Wildcard(ip_to_int("10.0.77.5"), 0x0000FF00)])
    for text, expected in (("10.0.0.5", True), ("10.0.255.5", True), ("10.0.3.6", False), ("10.1.3.5", False)):
        packet = Packet(src=ip_to_int(text), dst=0, proto=47)
        assert space.contains(pattern, packet) == expected, text


@pytest.mark.parametrize(
    ("packet", "valid"),
    [
        (Packet(1, 2, PROTO_TCP, sport=1024, dport=80, established=True), True),
        (Packet(1, 2, PROTO_UDP, sport=53, dport=53), True),
        (Packet(1, 2, PROTO_ICMP, icmp_type=8, icmp_code=0), True),
        (Packet(1, 2, 47), True),
        (Packet(1, 2, 0), True),
        (Packet(1, 2, PROTO_UDP, sport=53, dport=53, established=True), False),  # ACK bit only on TCP
        (Packet(1, 2, PROTO_ICMP, sport=1, icmp_type=8), False),  # ports only on TCP/UDP
        (Packet(1, 2, 47, dport=80), False),
        (Packet(1, 2, 47, icmp_type=3), False),  # ICMP fields only on ICMP
        (Packet(1, 2, PROTO_TCP, dport=80, icmp_code=1), False),
    ],
)
def test_valid_packet_constraints(space: PacketSpace, packet: Packet, valid: bool) -> None:
    assert space.contains(space.valid, packet) == valid


def test_number_of_valid_headers_between_two_addresses(space: PacketSpace) -> None:
    between = space.valid & space.field_equals("src", 1) & space.field_equals("dst", 2)
    tcp = 2**16 * 2**16 * 2  # ports × ACK bit
    udp = 2**16 * 2**16
    icmp = 2**8 * 2**8  # type × code
    other_protocols = 256 - 3  # no ports, no ICMP fields, no ACK bit
    assert space.count(between) == tcp + udp + icmp + other_protocols


@pytest.mark.parametrize(
    ("packet", "text"),
    [
        (
            Packet(ip_to_int("10.0.0.1"), ip_to_int("10.0.0.2"), PROTO_TCP, sport=1024, dport=80, established=True),
            "tcp 10.0.0.1:1024 → 10.0.0.2:80 established",
        ),
        (
            Packet(ip_to_int("10.0.0.1"), ip_to_int("8.8.8.8"), PROTO_UDP, sport=5353, dport=53),
            "udp 10.0.0.1:5353 → 8.8.8.8:53",
        ),
        (
            Packet(ip_to_int("10.0.0.1"), ip_to_int("10.0.0.2"), PROTO_ICMP, icmp_type=8, icmp_code=0),
            "icmp 10.0.0.1 → 10.0.0.2 type 8 code 0",
        ),
        (Packet(ip_to_int("10.0.0.1"), ip_to_int("10.0.0.2"), 47), "ip proto 47 10.0.0.1 → 10.0.0.2"),
    ],
)
def test_describe(packet: Packet, text: str) -> None:
    assert packet.describe() == text


def line(action: Action, match: Match, understood: bool = True, approximation: str = "") -> AclLine:
    return AclLine(action=action, matches=(match,), source=SOURCE, understood=understood, approximation=approximation)


WEB = Match(protocols=(PROTO_TCP,), dst_ports=(PortRange(80, 80),))
WEB_PACKET = Packet(ip_to_int("10.0.0.1"), ip_to_int("10.0.0.2"), PROTO_TCP, sport=40000, dport=80)
DNS_PACKET = Packet(ip_to_int("10.0.0.1"), ip_to_int("10.0.0.2"), PROTO_UDP, sport=40000, dport=53)


def test_first_match_decides_and_the_end_denies(space: PacketSpace) -> None:
    acl = Acl("T", (line(Action.DENY, WEB), line(Action.PERMIT, Match(protocols=(PROTO_TCP,)))), SOURCE)
    permitted = space.acl_permits(acl)
    assert not space.contains(permitted, WEB_PACKET)
    assert space.contains(permitted, Packet(1, 2, PROTO_TCP, sport=1, dport=443))
    assert not space.contains(permitted, DNS_PACKET)  # implicit deny


@pytest.mark.parametrize(("understood", "approximation"), [(False, ""), (True, "time-range ignored")])
def test_deny_lines_not_fully_understood_are_ignored(space: PacketSpace, understood: bool, approximation: str) -> None:
    acl = Acl("T", (line(Action.DENY, WEB, understood, approximation), line(Action.PERMIT, Match())), SOURCE)
    assert space.contains(space.acl_permits(acl), WEB_PACKET)


def test_permit_lines_not_fully_understood_still_permit(space: PacketSpace) -> None:
    acl = Acl("T", (line(Action.PERMIT, WEB, understood=False),), SOURCE)
    permitted = space.acl_permits(acl)
    assert space.contains(permitted, WEB_PACKET)
    assert not space.contains(permitted, DNS_PACKET)


def test_empty_acl_denies_everything(space: PacketSpace) -> None:
    assert space.is_empty(space.acl_permits(Acl("EMPTY", (), SOURCE)))
    assert space.pick(space.false) is None


@pytest.mark.parametrize("protocols", [None, (PROTO_TCP, 47, PROTO_ICMP)])
def test_port_constraints_never_match_protocols_without_ports(
    space: PacketSpace, protocols: tuple[int, ...] | None
) -> None:
    low_ports = Match(protocols=protocols, dst_ports=(PortRange(0, 1023),))
    matched = space.match(low_ports)
    assert space.contains(matched, Packet(1, 2, PROTO_TCP, sport=5, dport=80))
    assert not space.contains(matched, Packet(1, 2, 47))  # GRE: its ports read as 0
    assert not space.contains(matched, Packet(1, 2, PROTO_ICMP, icmp_type=8))
    assert not space.contains(matched, Packet(1, 2, PROTO_TCP, sport=5, dport=8080))
