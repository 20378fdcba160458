"""IOS routing: `ip route` static routes and the `router ...` processes, whose interfaces
are decided once every interface address is known (see the parser's module docstring
for the over-approximation).

VRF-lite: `ip route vrf X ...` installs in X's table; with `global` its next hop resolves in
the global table, and an exit interface in another VRF (or the global table) leaks into it
(reach/fib.py). `router ospf N vrf X` and the `address-family ipv4 vrf X` sections of `router
bgp|eigrp|rip` are processes of X's table, running on X's interfaces only; the rest of the
process runs on the global table's interfaces."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from nankoku_netcheck.model import (
    IPV4_MAX,
    DynamicRouting,
    Route,
    RouteKind,
    Source,
    UnknownKind,
    Wildcard,
    ip_to_int,
    is_decimal,
    mask_to_length,
    prefix_mask,
)
from nankoku_netcheck.vendors.cisco_ios.interfaces import InterfaceDraft, canonical_interface_name
from nankoku_netcheck.vendors.common import (
    Cursor,
    LineBook,
    NotUnderstood,
    RoutingDraft,
    bgp_interfaces,
    classful_length,
    descendants,
    ipv4,
    is_ipv4,
    number,
    read_routing_process,
)

FORWARDING = UnknownKind.FORWARDING

# --- static routes ------------------------------------------------------------------


def static_route(book: LineBook, obj: Any, words: list[str]) -> Route | None:
    """An `ip route` line, accounted for in `book`; None when it is not understood."""
    index = obj.linenum
    lowered = [word.lower() for word in words]
    vrf = ""
    if len(lowered) > 2 and lowered[2] == "vrf":
        if len(words) < 4:
            book.mark_block(obj, FORWARDING, "static route not understood: missing VRF name")
            return None
        vrf, words = words[3], words[:2] + words[4:]
    try:
        route, tracked = read_static_route(words, book.source(index), vrf)
    except NotUnderstood as problem:
        book.mark_block(obj, FORWARDING, f"static route not understood: {problem}")
        return None
    if tracked is None:
        book.parsed(index)
    else:
        book.unknown(
            index,
            FORWARDING,
            f"route depends on 'track {tracked}' and may be withdrawn; object tracking is not modelled",
        )
    book.unexpected_children(obj)
    return route


def read_static_route(words: list[str], source: Source, vrf: str = "") -> tuple[Route, str | None]:
    """`ip route P M {NEXTHOP | IFACE [NEXTHOP]} [global] [AD] [tag N] [name X] [permanent] [track N]`
    (after `vrf X`, taken off by the caller: `vrf` is X)."""
    cursor = Cursor(words[2:])
    prefix = ipv4(cursor.take("prefix"))
    mask = ipv4(cursor.take("netmask"))
    length = mask_to_length(mask)
    if length is None:
        raise NotUnderstood(f"non-contiguous netmask {words[3]}")
    if prefix & ~mask & IPV4_MAX:
        raise NotUnderstood(f"{words[2]} has bits outside netmask {words[3]} (IOS rejects it)")
    first = cursor.take("next hop")
    next_hop: int | None = None
    interface: str | None = None
    if is_ipv4(first):
        next_hop = ip_to_int(first)
    else:
        # IOS accepts "Tunnel 1" as well as "Tunnel1": a type name has no digit, so a
        # number after it is the interface number, never a distance.
        if not any(is_decimal(character) for character in first) and re.fullmatch(
            r"\d+(/\d+)*(\.\d+)?", cursor.peek() or ""
        ):
            first += cursor.take("interface number")
        interface = canonical_interface_name(first)
        if cursor.peek() is not None and is_ipv4(cursor.peek() or ""):
            next_hop = ip_to_int(cursor.take("next hop"))
    distance, tracked = 1, None
    next_hop_vrf: str | None = None
    while not cursor.done():
        word = cursor.take_lower("route option")
        if word == "global" and vrf and next_hop is not None:
            next_hop_vrf = ""  # the next hop resolves in the global table: a leak out of the VRF
        elif is_decimal(word):
            distance = number(word, 1, 255, "administrative distance")
        elif word in ("tag", "name"):
            value = cursor.take(word)
            quoted = value.startswith('"')  # a name with spaces: `name "mgmt vrf default route"`
            while quoted and not (len(value) > 1 and value.endswith('"')) and not cursor.done():
                value = cursor.take(word)
        elif word == "permanent":
            pass
        elif word == "track":
            tracked = cursor.take("track number")
        elif word == "dhcp":
            raise NotUnderstood("next hop learned by DHCP")
        else:
            raise NotUnderstood(f"unexpected '{cursor.words[cursor.position - 1]}'")
    discard = interface is not None and interface.startswith("Null")
    route = Route(
        prefix=prefix,
        prefix_length=length,
        kind=RouteKind.STATIC,
        source=source,
        next_hop=next_hop,
        interface=interface,
        distance=distance,
        discard=discard,
        vrf=vrf,
        next_hop_vrf=next_hop_vrf,
    )
    return route, tracked


# --- dynamic routing ------------------------------------------------------------------


def routing_process(book: LineBook, obj: Any, words: list[str]) -> list[RoutingDraft] | None:
    """A `router ...` block, accounted for in `book`, as one process per table; None when its
    protocol is not modelled."""
    lowered = [word.lower() for word in words]
    protocol = lowered[1] if len(lowered) > 1 else ""
    if protocol not in ("ospf", "eigrp", "rip", "bgp", "isis", "odr"):
        book.mark_block(obj, FORWARDING, f"routing protocol '{' '.join(words[1:2])}' is not modelled")
        return None
    if "vrf" in lowered[2:]:
        position = lowered.index("vrf", 2)
        if protocol != "ospf" or position != 3 or len(words) != 5:
            book.mark_block(obj, FORWARDING, f"routing process form not understood: '{' '.join(words)}'")
            return None
        draft = read_routing_process(book, obj, protocol, words[:3], _routing_network)
        draft.vrf = words[4]
        return [draft]
    sections = _vrf_sections(book, obj)
    in_sections = {child.linenum for section, _ in sections for child in (section, *descendants(section))}
    rest = [child for child in descendants(obj) if child.linenum not in in_sections]
    drafts = [read_routing_process(book, obj, protocol, words, _routing_network, rest)]
    for section, vrf in sections:
        draft = read_routing_process(book, obj, protocol, words, _routing_network, list(descendants(section)))
        draft.vrf, draft.source = vrf, book.source(section.linenum)
        book.parsed(section.linenum)
        drafts.append(draft)
    return drafts


def _vrf_sections(book: LineBook, obj: Any) -> list[tuple[Any, str]]:
    """The `address-family ipv4 [unicast|multicast] vrf X [...]` sections of a process."""
    sections = []
    for child in obj.children:
        lowered = [word.lower() for word in book.words(child.linenum)]
        if lowered[:1] == ["address-family"] and "vrf" in lowered[:-1]:
            sections.append((child, book.words(child.linenum)[lowered.index("vrf") + 1]))
    return sections


def resolve_routing(routing: Sequence[RoutingDraft], drafts: Sequence[InterfaceDraft]) -> list[DynamicRouting]:
    """Each process with the interfaces it may run on (those of its own table), then the
    OSPF processes that only interface lines (`ip ospf N area A`) start."""
    result: list[DynamicRouting] = []
    ospf_processes = {process.process for process in routing if process.protocol == "ospf"}
    for process in routing:
        in_table = [draft for draft in drafts if draft.vrf == process.vrf]
        addressed = [draft.name for draft in in_table if draft.addresses()]
        names = _process_interfaces(process, in_table, addressed)
        result.append(DynamicRouting(process.protocol, process.process, tuple(names), process.source, vrf=process.vrf))
    for draft in drafts:
        for process_name, source in draft.ospf_processes:
            if process_name not in ospf_processes:
                ospf_processes.add(process_name)
                names = [
                    other.name
                    for other in drafts
                    if other.vrf == draft.vrf and any(p == process_name for p, _ in other.ospf_processes)
                ]
                result.append(DynamicRouting("ospf", process_name, tuple(names), source, vrf=draft.vrf))
    return result


def _process_interfaces(routing: RoutingDraft, drafts: Sequence[InterfaceDraft], addressed: list[str]) -> list[str]:
    if routing.protocol in ("ospf", "eigrp", "rip"):
        return [
            draft.name
            for draft in drafts
            if any(
                _network_covers(network, address.address)
                for network in routing.networks
                for address in draft.addresses()
            )
            or (routing.protocol == "ospf" and any(process == routing.process for process, _ in draft.ospf_processes))
        ]
    if routing.protocol == "isis":
        return [draft.name for draft in drafts if draft.runs_isis]
    if routing.protocol == "bgp":
        return bgp_interfaces(routing, [(draft.name, draft.addresses()) for draft in drafts], addressed)
    return addressed


def _classful_wildcard(address: int) -> tuple[int, int]:
    mask = prefix_mask(classful_length(address))
    return address & mask, ~mask & IPV4_MAX


def _routing_network(words: list[str]) -> tuple[int, int]:
    """`network A [W] [area X]` → (address, wildcard). A statement we cannot read
    covers every address (the process may run anywhere)."""
    if len(words) < 2 or not is_ipv4(words[1]):
        return 0, IPV4_MAX
    address = ip_to_int(words[1])
    if len(words) >= 3 and is_ipv4(words[2]):
        return address, ip_to_int(words[2])
    return _classful_wildcard(address)


def _network_covers(network: tuple[int, int], address: int) -> bool:
    """Wildcard match; a "wildcard" that looks like a netmask is also tried as one,
    because some IOS versions accept and convert it."""
    base, wildcard = network
    if Wildcard(base, wildcard).matches(address):
        return True
    looks_like_mask = wildcard & 0x80000000 and mask_to_length(wildcard) is not None
    return bool(looks_like_mask) and Wildcard(base, ~wildcard & IPV4_MAX).matches(address)
