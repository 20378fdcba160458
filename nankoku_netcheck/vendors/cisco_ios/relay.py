"""IOS UDP broadcast relay: `ip helper-address` on interfaces, `ip forward-protocol udp` globally.

What a relay does to packets is in reach/relay.py; this module only reads the lines.

Relayed ports (Cisco IOS command reference, `ip forward-protocol`): with a helper address,
UDP broadcasts to TFTP 69, DNS 53, Time 37, IEN-116 name service 42, TACACS 49, NetBIOS
name 137 and datagram 138 and BOOTP/DHCP 67 are relayed by default (68 as a destination
port is not). `ip forward-protocol udp N` adds N, `no ip forward-protocol udp N` removes it,
in file order. `ip forward-protocol udp` without a port names the defaults (no change);
`no ip forward-protocol udp` without a port is taken to remove nothing (the documents do
not say what it removes: the wider choice).
"""

from __future__ import annotations

from nankoku_netcheck.model import RelayTarget, Source
from nankoku_netcheck.vendors.cisco_ios.names import UDP_PORT_NAMES
from nankoku_netcheck.vendors.common import NotUnderstood, ipv4, port_number

DEFAULT_RELAYED_UDP_PORTS: tuple[int, ...] = (37, 42, 49, 53, 67, 69, 137, 138)


def helper_target(words: list[str], source: Source) -> RelayTarget:
    """`ip helper-address [vrf NAME | global] A [redundancy GROUP]` → its target."""
    rest = words[2:]
    vrf: str | None = None
    global_table = False
    if len(rest) >= 2 and rest[0].lower() == "vrf":
        vrf, rest = rest[1], rest[2:]
    elif rest and rest[0].lower() == "global":
        global_table, rest = True, rest[1:]
    if len(rest) == 3 and rest[1].lower() == "redundancy":
        rest = rest[:1]  # an HSRP group decides which router relays: either may, as modelled
    if len(rest) != 1:
        raise NotUnderstood(f"helper address not understood: '{' '.join(words[2:])}'")
    return RelayTarget(ipv4(rest[0]), source, vrf=vrf, global_table=global_table)


def forward_protocol_port(words: list[str]) -> int | None:
    """The port of `[no] ip forward-protocol udp [PORT]` (None: no port given)."""
    rest = words[4:] if words[0].lower() == "no" else words[3:]
    if not rest:
        return None
    if len(rest) != 1:
        raise NotUnderstood(f"forwarded protocol not understood: '{' '.join(rest)}'")
    return port_number(rest[0], UDP_PORT_NAMES)


def relayed_ports(changes: list[tuple[bool, int]]) -> tuple[int, ...]:
    """The defaults with each (added, port) change applied in file order."""
    ports = set(DEFAULT_RELAYED_UDP_PORTS)
    for added, port in changes:
        if added:
            ports.add(port)
        else:
            ports.discard(port)
    return tuple(sorted(ports))
