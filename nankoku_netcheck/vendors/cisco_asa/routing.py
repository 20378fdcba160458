"""ASA static routes (`route`) and dynamic routing processes (over-approximated: see
read_routing_process and `_network_covers`)."""

from __future__ import annotations

from typing import Any

from nankoku_netcheck.model import (
    IPV4_MAX,
    DynamicRouting,
    Route,
    RouteKind,
    Wildcard,
    int_to_ip,
    ip_to_int,
    is_decimal,
    mask_to_length,
    prefix_mask,
)
from nankoku_netcheck.vendors.cisco_asa.book import AsaBook
from nankoku_netcheck.vendors.cisco_asa.interfaces import InterfaceReader
from nankoku_netcheck.vendors.cisco_asa.keywords import (
    FORWARDING,
)
from nankoku_netcheck.vendors.common import (
    Cursor,
    NotUnderstood,
    RoutingDraft,
    bgp_interfaces,
    classful_length,
    is_ipv4,
    number,
    read_routing_process,
)


class RouteReader:
    """Static routes and dynamic routing processes of one file, accounted for in `book`."""

    def __init__(self, book: AsaBook, interfaces: InterfaceReader) -> None:
        self.book = book
        self.interfaces = interfaces
        self.routes: list[Route] = []
        self.routing: list[RoutingDraft] = []

    def static_route(self, obj: Any, words: list[str]) -> None:
        index = obj.linenum
        self.book.unexpected_children(obj)
        if len(words) >= 3 and self.book.is_ipv6_word(words[2]):
            self.book.ipv6_lines.append((index, None))
            return
        try:
            route, option = self.read_static_route(words, index)
        except NotUnderstood as problem:
            self.book.unknown(index, FORWARDING, f"static route not understood: {problem}")
            return
        if option == "tunneled":
            self.book.unknown(index, FORWARDING, "'tunneled' default route for VPN traffic is not modelled")
            return
        self.routes.append(route)
        if option:
            self.book.unknown(
                index,
                FORWARDING,
                f"route depends on 'track {option}' and may be withdrawn; object tracking is not modelled",
            )
        else:
            self.book.parsed(index)

    def read_static_route(self, words: list[str], index: int) -> tuple[Route, str]:
        """`route IF PREFIX MASK GATEWAY [DISTANCE] [track N | tunneled]` (PIX accepts `0`
        for 0.0.0.0); `route null0 PREFIX MASK [DISTANCE]` discards. Returns the route and
        the tracked object, "tunneled" or ""."""
        cursor = Cursor(words[1:])
        interface_name = cursor.take("interface name")
        prefix = self.route_address(cursor.take("prefix"))
        mask = self.route_address(cursor.take("netmask"))
        length = mask_to_length(mask)
        if length is None:
            raise NotUnderstood(f"'{int_to_ip(mask)}' is not a netmask")
        if prefix & ~mask & IPV4_MAX:
            raise NotUnderstood(f"{int_to_ip(prefix)} has bits outside netmask {int_to_ip(mask)}")
        discard = interface_name.lower() == "null0"
        exit_name = "Null0"
        if not discard:
            draft = self.interfaces.interface_by_nameif(interface_name)
            if draft is None:
                raise NotUnderstood(f"no interface is named '{interface_name}'")
            exit_name = draft.name
        gateway: int | None = None
        following = cursor.peek_word()
        if not discard or (
            following is not None and (is_ipv4(following) or self.book.names.get(following) is not None)
        ):
            gateway = self.book.ipv4_or_name(cursor.take("gateway"))
        distance, option = 1, ""
        while not cursor.done():
            word = cursor.take_lower("route option")
            if is_decimal(word):
                distance = number(word, 1, 255, "administrative distance")
            elif word == "track":
                option = cursor.take("track number")
            elif word == "tunneled":
                option = "tunneled"
            else:
                raise NotUnderstood(f"unexpected '{cursor.words[cursor.position - 1]}'")
        route = Route(
            prefix=prefix,
            prefix_length=length,
            kind=RouteKind.STATIC,
            source=self.book.source(index),
            next_hop=gateway,
            interface=exit_name,
            distance=distance,
            discard=discard,
        )
        return route, option

    def route_address(self, word: str) -> int:
        return 0 if word == "0" else self.book.ipv4_or_name(word)

    # -- dynamic routing

    def routing_process(self, obj: Any, words: list[str]) -> None:
        lowered = [word.lower() for word in words]
        protocol = lowered[1] if len(lowered) > 1 else ""
        if protocol not in ("ospf", "eigrp", "rip", "bgp"):
            self.book.mark_block(obj, FORWARDING, f"routing protocol '{' '.join(words[1:2])}' is not modelled")
            return
        self.routing.append(read_routing_process(self.book, obj, protocol, words, _routing_network))

    def resolve_routing(self) -> list[DynamicRouting]:
        """Routing runs on named interfaces only (an unnamed ASA interface forwards nothing)."""
        named = [draft for draft in self.interfaces.drafts.values() if draft.nameif is not None]
        addressed = [draft.name for draft in named if draft.address is not None]
        result: list[DynamicRouting] = []
        for routing in self.routing:
            if routing.protocol == "bgp":
                interfaces = [(draft.name, (draft.address,) if draft.address is not None else ()) for draft in named]
                names = bgp_interfaces(routing, interfaces, addressed)
            else:
                names = [
                    draft.name
                    for draft in named
                    if draft.address is not None
                    and any(_network_covers(network, draft.address.address) for network in routing.networks)
                ]
            result.append(DynamicRouting(routing.protocol, routing.process, tuple(names), routing.source))
        return result


def _classful_mask(address: int) -> int:
    return prefix_mask(classful_length(address))


def _routing_network(words: list[str]) -> tuple[int, int]:
    """`network A [MASK] [area X]` → (address, mask); classful without a mask. A statement
    that cannot be read covers every address (the process may run anywhere)."""
    if len(words) < 2 or not is_ipv4(words[1]):
        return 0, 0
    address = ip_to_int(words[1])
    if len(words) >= 3 and is_ipv4(words[2]):
        return address, ip_to_int(words[2])
    return address, _classful_mask(address)


def _network_covers(network: tuple[int, int], address: int) -> bool:
    """The ASA reads a netmask; a value that looks like an IOS wildcard is also tried as one
    (over-approximation: the process runs on the union)."""
    base, mask = network
    if (address & mask) == (base & mask):
        return True
    looks_like_wildcard = not mask & 0x80000000 and mask_to_length(~mask & IPV4_MAX) is not None
    return looks_like_wildcard and Wildcard(base, mask).matches(address)
