"""UDP broadcast relay (DHCP relay agent, IOS `ip helper-address`) as header rewrites.

The engine (engine.py) and the tracer (trace.py) both take the relayed packets from here;
the test oracle implements the same rules on its own.

Requests. A UDP packet to a port the device relays (`Device.relayed_udp_ports`), addressed
to 255.255.255.255 or to the directed broadcast of one of the arrival interface's subnets,
arriving on an interface with `relay_targets` and admitted by its inbound filter, becomes
one packet per target, sent by the device itself to the target's address:
- DHCP/BOOTP (destination port 67): from the arrival interface's primary address (the
  relay agent's `giaddr`), source port 67, destination port 67;
- any other relayed port: the destination becomes the target, and the source is either
  kept or the arrival interface's primary address (Cisco's documents say only that the
  destination is changed; both are taken, the wider choice), ports kept.
The relayed packet is routed as one the device originates: outbound ACLs do not filter it
(IOS: "access lists applied outbound do not filter traffic originated by the router"),
nor does a NAT rule of the device (an over-approximation where one would apply).
The packet keeps being forwarded as before too (the engine's treatment of broadcasts is
unchanged). Not taken as relayed (doubtful, see the module's tests): a directed broadcast of
another subnet of the device arriving on the helper interface, and one routed to the segment
from elsewhere (hosts on the segment send to its own broadcast; the engine has other routers
deliver only to owned or host addresses).

Replies. A UDP packet to destination port 67 that the device takes in at an address of an
interface with `relay_targets` (the server answers the relay agent's `giaddr`) is sent
out of that interface to the clients: from that address, source port 67, destination port
68, to the hosts of the interface's segment (the client's address or the broadcast: the
packet is represented by one host address of the segment, which the zone rules classify
like any other of its hosts).

Tables (VRFs). A relayed request is routed in the table `relay_table` names: the target's
VRF (`ip helper-address vrf X`), the global table (`global`), else the arrival interface's.
The server's reply then arrives in that table, addressed to the `giaddr` of an interface
that may sit in another one: the device takes it for that interface's relay when it arrives
in the interface's own table or in a table one of its targets is relayed to (`takes_reply`),
past the arrival interface's inbound filter; from another table it is routed as well (IOS
hands relay replies to the DHCP relay agent; routing it too is the wider choice).
"""

from __future__ import annotations

from ..graph import Segment
from ..model import Device, Interface, RelayTarget
from .nat import Rewrite, Translation

LIMITED_BROADCAST = 0xFFFFFFFF
DHCP_SERVER_PORT = 67
DHCP_CLIENT_PORT = 68


def relay_table(interface: Interface, target: RelayTarget) -> str:
    """The routing table (VRF, "" = global) a request relayed to `target` is looked up in."""
    if target.vrf is not None:
        return target.vrf
    return "" if target.global_table else interface.vrf


def takes_reply(arrival: Interface, relay_interface: Interface) -> bool:
    """Whether a server reply arriving by `arrival` may be one for `relay_interface`'s relay:
    it arrives in the relay interface's table or in one its requests are relayed to."""
    if arrival.vrf == relay_interface.vrf:
        return True
    return any(relay_table(relay_interface, target) == arrival.vrf for target in relay_interface.relay_targets)


def relays(interface: Interface) -> bool:
    """Whether the interface relays at all (requests only to `Device.relayed_udp_ports`;
    replies whatever those are: the wider choice)."""
    return bool(interface.relay_targets) and primary_address(interface) is not None


def relaying(device: Device) -> bool:
    return any(relays(interface) for interface in device.interfaces.values())


def primary_address(interface: Interface) -> int | None:
    for address in interface.addresses:
        if not address.secondary:
            return address.address
    return None


def broadcast_addresses(interface: Interface) -> tuple[int, ...]:
    """255.255.255.255 and the directed broadcast of each subnet of the interface (none for /31, /32)."""
    result = [LIMITED_BROADCAST]
    for address in interface.addresses:
        if address.prefix_length < 31:
            result.append(address.network | (0xFFFFFFFF >> address.prefix_length))
    return tuple(sorted(set(result)))


def request_rewrites(interface: Interface, target: RelayTarget, port: int) -> tuple[Translation, ...]:
    """The header rewrites of a relayed request to `port` (see the module docstring)."""
    own = primary_address(interface)
    assert own is not None
    to_target = Rewrite("dst", target.address, 32, rule=target.source)
    from_interface = Rewrite("src", own, 32, rule=target.source)
    if port == DHCP_SERVER_PORT:
        return ((to_target, from_interface, Rewrite("sport", DHCP_SERVER_PORT, 16, rule=target.source)),)
    return ((to_target,), (to_target, from_interface))


def reply_rewrites(interface: Interface, own: int, client: int) -> Translation:
    """The rewrites of a server reply relayed to `client` (a host of the interface's segment)."""
    source = interface.relay_targets[0].source
    return (
        Rewrite("dst", client, 32, rule=source),
        Rewrite("src", own, 32, rule=source),
        Rewrite("dport", DHCP_CLIENT_PORT, 16, rule=source),
        Rewrite("sport", DHCP_SERVER_PORT, 16, rule=source),
    )


def reply_client(segment: Segment) -> int | None:
    """The host address that stands for a segment's clients in a relayed reply: its
    lowest host address (None: the segment holds no host)."""
    for network, length in sorted(segment.subnets):
        size = 1 << (32 - length)
        for address in range(network, network + min(size, _CLIENT_SEARCH)):
            if segment.is_host_address(address):
                return address
    return None


# A segment whose first addresses all belong to devices is searched no further (they are few).
_CLIENT_SEARCH = 4096


def relay_reason(target: RelayTarget) -> str:
    return f"relayed by the device ({target.source.where()}: {target.source.text.strip()})"
