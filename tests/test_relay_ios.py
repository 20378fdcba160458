"""IOS DHCP/UDP relay: what the parser reads from `ip helper-address` and `ip forward-protocol`,
and the zone rules on a city whose LGWAN router relays DHCP (issue #17 item 2)."""

from __future__ import annotations

import textwrap
from pathlib import Path

from conftest import NetworkWriter

from nankoku_netcheck.analyze import analyze
from nankoku_netcheck.model import RelayTarget, Source, UnknownKind, ip_to_int
from nankoku_netcheck.result import Finding
from nankoku_netcheck.vendors.cisco_ios.parser import parse

DEFAULTS = (37, 42, 49, 53, 67, 69, 137, 138)


def parsed(text: str):  # type: ignore[no-untyped-def]
    return parse(textwrap.dedent(text), "r.cfg")


def forwarding(device) -> list[tuple[int, str]]:  # type: ignore[no-untyped-def]
    return [(u.source.line, u.reason) for u in device.unknown_lines if u.kind is UnknownKind.FORWARDING]


RELAY = """\
    hostname r
    {globals}
    interface GigabitEthernet0/0
     ip address 10.2.1.1 255.255.255.0
     ip helper-address 10.2.9.10
     ip helper-address vrf LG 10.2.9.11
     ip helper-address global 10.2.9.12 redundancy HSRP1
    """


def relay_config(globals_: str = "!") -> str:
    return textwrap.dedent(RELAY).replace("{globals}", globals_)


def test_helper_addresses_are_read_with_their_table() -> None:
    device = parsed(relay_config())
    targets = device.interfaces["GigabitEthernet0/0"].relay_targets
    assert targets == (
        RelayTarget(ip_to_int("10.2.9.10"), Source("r.cfg", 5, " ip helper-address 10.2.9.10")),
        RelayTarget(ip_to_int("10.2.9.11"), Source("r.cfg", 6, " ip helper-address vrf LG 10.2.9.11"), vrf="LG"),
        RelayTarget(
            ip_to_int("10.2.9.12"),
            Source("r.cfg", 7, " ip helper-address global 10.2.9.12 redundancy HSRP1"),
            global_table=True,
        ),
    )
    assert forwarding(device) == []
    assert device.relayed_udp_ports == DEFAULTS


def test_no_helper_relays_no_port() -> None:
    assert parsed("hostname r\nip forward-protocol udp 5000\n").relayed_udp_ports == ()


def test_forward_protocol_adds_and_removes_ports() -> None:
    device = parsed(relay_config("no ip forward-protocol udp 69\nip forward-protocol udp 5000"))
    assert device.relayed_udp_ports == (37, 42, 49, 53, 67, 137, 138, 5000)
    named = parsed(relay_config("no ip forward-protocol udp tftp\nno ip forward-protocol udp netbios-ns"))
    assert named.relayed_udp_ports == (37, 42, 49, 53, 67, 138)
    assert forwarding(named) == []


def test_forward_protocol_without_a_port_changes_nothing() -> None:
    device = parsed(relay_config("ip forward-protocol udp\nno ip forward-protocol udp"))
    assert device.relayed_udp_ports == DEFAULTS
    assert forwarding(device) == []


def test_flooding_variants_and_bad_helpers_stay_inconclusive() -> None:
    text = relay_config("ip forward-protocol spanning-tree\nip forward-protocol turbo-flood")
    text += " ip helper-address dhcp-server\n"
    device = parsed(text)
    assert forwarding(device) == [
        (2, "unrecognised command 'ip forward-protocol'"),
        (3, "unrecognised command 'ip forward-protocol'"),
        (9, "'dhcp-server' is not an IPv4 address"),
    ]


# --- the zone rules on the four-router city (conftest.TRIANGLE) ------------------------------

BLOCK = "ip access-list extended BLOCK\n deny ip any any\n"
BOTH_BLOCKED = "ip access-group BLOCK out\nip access-group BLOCK in"


def relaying_city(triangle: NetworkWriter, helper: str) -> Path:
    """LGWAN's router relays its clients' DHCP to `helper`; its transit link is blocked both ways."""
    lg_extra = BLOCK + f"interface GigabitEthernet0/0\n ip helper-address {helper}\n"
    return triangle(mn_iface=BOTH_BLOCKED, lg_iface=BOTH_BLOCKED, mn_extra=BLOCK, lg_extra=lg_extra)


def zone_findings(topology: Path) -> list[Finding]:
    result = analyze(str(topology))
    return [f for f in result.findings if f.rule.startswith("ZONE-") and f.status == "violated"]


def test_relay_to_a_server_in_the_same_zone_passes(triangle: NetworkWriter) -> None:
    topology = relaying_city(triangle, "10.2.1.10")
    result = analyze(str(topology))
    assert result.verdict == "pass"
    assert [f for f in zone_findings(topology) if f.rule in ("ZONE-001", "ZONE-005")] == []
    assert not [f for f in result.findings if f.rule == "META-001" and f.status != "pass"]


def test_relay_to_a_server_in_the_internet_zone_is_the_finding(triangle: NetworkWriter) -> None:
    topology = relaying_city(triangle, "10.3.1.10")
    leaks = [f for f in zone_findings(topology) if f.rule == "ZONE-005"]
    assert [(f.from_zone, f.to_zone) for f in leaks] == [("lgwan", "internet")]
    leak = leaks[0]
    assert leak.flow is not None
    assert (leak.flow.proto, leak.flow.dst, leak.flow.dport) == ("udp", "255.255.255.255", 53)
    assert [(s.device, s.in_interface, s.out_interface) for s in leak.path] == [
        ("r-lg", "GigabitEthernet0/0", "GigabitEthernet0/1"),
        ("r-core", "GigabitEthernet0/1", "GigabitEthernet0/2"),
        ("r-inet", "GigabitEthernet0/1", "GigabitEthernet0/0"),
    ]
    config = (topology.parent / "configs" / "r-lg.cfg").read_text().splitlines()
    line = config.index(" ip helper-address 10.3.1.10") + 1
    assert f"r-lg: relayed by the device ({topology.parent}/configs/r-lg.cfg:{line}: ip helper-address 10.3.1.10)" in (
        leak.notes
    )
    assert leak.message_en.endswith(
        "udp 10.2.0.0/16 → 10.2.1.255/32, 255.255.255.255/32 dport 37,42,49,53,67,69,… gets through outside "
        "every declared sanitised channel (permitted at no filter on the path)."
    )
