"""AlliedWare Plus routing: `ip route` and dynamic routing processes.

`ip route PREFIX/LEN|PREFIX MASK GATEWAY|INTERFACE [DISTANCE]` (AT-x Command Reference,
"IP Addressing and Protocol Commands"); `null` as the interface discards. `ip route vrf NAME`
takes the same words after the VRF name (parser.py). `router ospf|rip|bgp` are
over-approximated as for IOS: any destination may leave by any routed interface of its VRF.
"""

from __future__ import annotations

from nankoku_netcheck.model import Route, RouteKind, Source, is_decimal, mask_to_length, prefix_mask
from nankoku_netcheck.vendors.alliedware_plus.names import expand
from nankoku_netcheck.vendors.common import NotUnderstood, ipv4, is_ipv4, number

DYNAMIC = frozenset({"ospf", "rip", "bgp", "isis"})


def read_static(words: tuple[str, ...], source: Source) -> Route:
    """One `ip route` line (its words after `ip route`)."""
    if not words:
        raise NotUnderstood("missing prefix")
    rest = list(words)
    first = rest.pop(0)
    if "/" in first:
        address_text, _, length_text = first.partition("/")
        network, length = ipv4(address_text), number(length_text, 0, 32, "prefix length")
    else:
        if not rest:
            raise NotUnderstood("missing mask")
        network = ipv4(first)
        mask_length = mask_to_length(ipv4(rest.pop(0)))
        if mask_length is None:
            raise NotUnderstood("the mask is not a netmask")
        length = mask_length
    if not rest:
        raise NotUnderstood("missing gateway or interface")
    target = rest.pop(0)
    distance = 1
    if rest:
        if len(rest) != 1 or not is_decimal(rest[0]):
            raise NotUnderstood(f"unexpected '{' '.join(rest)}'")
        distance = number(rest[0], 1, 255, "distance")
    network &= prefix_mask(length)
    if is_ipv4(target):
        return Route(network, length, RouteKind.STATIC, source, next_hop=ipv4(target), distance=distance)
    if target.lower() == "null":
        return Route(network, length, RouteKind.STATIC, source, interface="Null0", distance=distance, discard=True)
    interfaces = expand(target)
    if len(interfaces) != 1:
        raise NotUnderstood(f"'{target}' names {len(interfaces)} interfaces")
    interface = interfaces[0]
    return Route(network, length, RouteKind.STATIC, source, interface=interface, distance=distance)
