"""Multicast routing, over-approximated (engine.py and trace.py; the test oracle on its own).

A packet to a group address (224.0.0.0/4) that a device admits on an interface with
`Interface.multicast` may leave by every other multicast interface of the device (no
multicast routing table is built: any group may have receivers anywhere, and PIM's RPF
check, IGMP membership and TTL scoping are not modelled — each only removes paths), past
that interface's outbound filters as any forwarded packet. On the segment beyond, it reaches
the segment's hosts and the multicast interfaces of the other routers there, which forward
it the same way; beyond a boundary interface it leaves the network.

Hosts that receive a group packet count as reached in their zone: the delivered packet is
represented with the destination set to one host address of the segment (relay.py
`reply_client`), which the zone rules classify by the segment's zone like any of its hosts.
The unicast forwarding of the same packet (routes to 224.0.0.0/4, a default route) is kept
as it was.
"""

from __future__ import annotations

from ..model import Device
from .nat import Rewrite, Translation

GROUPS = (0xE0000000, 4)  # 224.0.0.0/4


def is_group(address: int) -> bool:
    return address >> 28 == 0xE


def multicasting(device: Device) -> bool:
    return any(interface.multicast for interface in device.interfaces.values())


def delivered_to(client: int) -> Translation:
    """The rewrite that stands a group packet's receivers for a host of their segment."""
    return (Rewrite("dst", client, 32),)
