"""Routing: `config router static`, `config router policy`, dynamic routing and SD-WAN.

Static routes: `dst` (default 0.0.0.0/0), `gateway`, `device`, `distance` (default 10),
`blackhole enable` (discard), `status disable` (left out). A route over SD-WAN
(`sdwan`/`virtual-wan-link enable`, `sdwan-zone`) or toward a named address or internet
service is not read: META-001, and SD-WAN itself is over-approximated below.

Policy routes (`config router policy`) override the routing table for the packets they
match; they are not modelled yet: every entry is a FORWARDING unknown.

Dynamic routing (`config router ospf|rip|bgp|isis`) is over-approximated as for IOS: a
process may forward any destination out of the interfaces it runs on (OSPF/RIP: the
interfaces whose address lies in a `network` prefix or that an `ospf-interface`/
`interface` entry names; BGP: the interfaces toward its neighbours, every addressed
interface when a neighbour is not directly connected or is iBGP). SD-WAN with
`status enable` is a DynamicRouting over its member interfaces: its rules may steer any
destination out of any member.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from nankoku_netcheck.model import (
    DynamicRouting,
    Interface,
    InterfaceAddress,
    Route,
    RouteKind,
    UnknownKind,
    is_decimal,
)
from nankoku_netcheck.vendors.common import NotUnderstood, RoutingDraft, bgp_interfaces
from nankoku_netcheck.vendors.fortios.blocks import (
    Entry,
    Ledger,
    Node,
    Section,
    Statement,
    account_settings,
    table_of,
)
from nankoku_netcheck.vendors.fortios.keywords import STATIC_HARMLESS, STATIC_SAFE_VALUES
from nankoku_netcheck.vendors.fortios.objects import address_prefix, ip_word

DEFAULT_STATIC_DISTANCE = 10

_STATIC_KEYS = ("dst", "gateway", "device", "distance", "blackhole", "status")


def read_static(ledger: Ledger, sections: Sequence[Section]) -> list[Route]:
    routes: list[Route] = []
    table = table_of(sections, ledger, "router static")
    for record in table.records:
        for entry in record.entries:
            ledger.frame(entry)
        settings = record.settings()
        if settings.lower("status", "enable") == "disable":
            for entry in record.entries:
                ledger.mark(entry, UnknownKind.HARMLESS, f"static route {record.name} is disabled (status disable)")
            continue
        problems = account_settings(
            ledger, settings, f"static route {record.name}", _STATIC_KEYS, STATIC_HARMLESS, STATIC_SAFE_VALUES
        )
        if problems:
            continue  # the route goes somewhere the model does not know: its lines say so
        source = ledger.source(record.first)
        try:
            network, length = address_prefix(settings.words("dst") or ("0.0.0.0", "0.0.0.0"))
            gateway = ip_word(settings.get("gateway", "0.0.0.0"))
            distance_text = settings.get("distance", str(DEFAULT_STATIC_DISTANCE))
            if not is_decimal(distance_text) or int(distance_text) > 255:
                raise NotUnderstood(f"'{distance_text}' is not a distance")
        except NotUnderstood as problem:
            ledger.outcome.pop(record.first, None)
            ledger.unknown(record.first, UnknownKind.FORWARDING, f"static route {record.name}: {problem}")
            continue
        blackhole = settings.lower("blackhole") == "enable"
        device = settings.get("device") or None
        routes.append(
            Route(
                prefix=network,
                prefix_length=length,
                kind=RouteKind.STATIC,
                source=source,
                next_hop=None if blackhole or gateway == 0 else gateway,
                interface=None if blackhole else device,
                distance=int(distance_text),
                discard=blackhole,
            )
        )
    return routes


def read_policy_routes(ledger: Ledger, sections: Sequence[Section]) -> None:
    for section in sections:
        ledger.frame(section)
        for node in section.items:
            ledger.mark(node, UnknownKind.FORWARDING, "policy route (config router policy) is not modelled yet")


@dataclass
class DynamicDraft:
    protocol: str
    source_line: int
    networks: list[tuple[int, int]] = field(default_factory=list)
    interfaces: list[str] = field(default_factory=list)
    bgp: RoutingDraft | None = None


def read_dynamic(ledger: Ledger, section: Section) -> DynamicDraft:
    """One `config router ospf|rip|bgp|isis` block: every line is parsed (the rest of a
    process can only narrow where it runs); its networks, interfaces and neighbours."""
    protocol = section.path[1]
    draft = DynamicDraft(protocol, section.first)
    if protocol == "bgp":
        draft.bgp = RoutingDraft("bgp", "", ledger.source(section.first))
    _walk(ledger, section, draft, ())
    return draft


def _walk(ledger: Ledger, node: Node, draft: DynamicDraft, path: tuple[str, ...]) -> None:
    if isinstance(node, Statement):
        ledger.statement(node, None)
        _note(node, draft, path)
        return
    ledger.frame(node)
    inner = (*path, *node.path) if isinstance(node, Section) else (*path, f"edit:{node.name}")
    if isinstance(node, Entry):
        _note_entry(node, draft, path[-1:])
    for child in node.items:
        _walk(ledger, child, draft, inner)


def _note_entry(entry: Entry, draft: DynamicDraft, table: tuple[str, ...]) -> None:
    """An entry of a process's table: a BGP neighbour; a neighbour range or group (peers
    that are not listed: any addressed interface may have one); an interface by name."""
    if table == ("neighbor",):
        _note_neighbor(entry.name, draft)
    elif table in (("neighbor-range",), ("neighbor-group",)) and draft.bgp is not None:
        draft.bgp.bgp_neighbors.append((0, None))
    elif table in (("interface",), ("isis-interface",)):
        draft.interfaces.append(entry.name)


def _note(statement: Statement, draft: DynamicDraft, path: tuple[str, ...]) -> None:
    words = statement.words
    if statement.verb != "set" or len(words) < 2:
        return
    key = words[0].lower()
    if key == "prefix" and "network" in path:
        try:
            draft.networks.append(address_prefix(words[1:]))
        except NotUnderstood:
            draft.networks.append((0, 0))  # not understood: every interface (the wider choice)
    elif key == "interface" and ("ospf-interface" in path or "interface" in path or "network" in path):
        draft.interfaces.extend(words[1:])
    elif key == "as" and draft.bgp is not None:
        draft.bgp.process = words[1]
    elif key == "remote-as" and draft.bgp is not None and draft.bgp.bgp_neighbors:
        address, _ = draft.bgp.bgp_neighbors[-1]
        draft.bgp.bgp_neighbors[-1] = (address, words[1])


def _note_neighbor(name: str, draft: DynamicDraft) -> None:
    if draft.bgp is None:
        return
    try:
        draft.bgp.bgp_neighbors.append((ip_word(name), None))
    except NotUnderstood:
        return


def dynamic_routing(
    ledger: Ledger, drafts: Sequence[DynamicDraft], interfaces: Mapping[str, Interface]
) -> list[DynamicRouting]:
    result = []
    addressed = [(name, interface.addresses) for name, interface in interfaces.items() if interface.addresses]
    for draft in drafts:
        names: list[str]
        if draft.protocol == "bgp" and draft.bgp is not None:
            names = (
                bgp_interfaces(draft.bgp, addressed, [name for name, _ in addressed]) if draft.bgp.bgp_neighbors else []
            )
        else:
            names = [name for name, addresses in addressed if _in_networks(addresses, draft.networks)]
            names.extend(name for name in draft.interfaces if name in interfaces)
        names = sorted(set(names))
        if names:
            result.append(DynamicRouting(draft.protocol, "", tuple(names), ledger.source(draft.source_line)))
    return result


def _in_networks(addresses: Sequence[InterfaceAddress], networks: Sequence[tuple[int, int]]) -> bool:
    mask = 0xFFFFFFFF
    for address in addresses:
        for network, length in networks:
            prefix = (mask << (32 - length)) & mask if length else 0
            if address.address & prefix == network & prefix:
                return True
    return False


@dataclass
class Sdwan:
    enabled: bool
    members: tuple[str, ...]
    zones: dict[str, tuple[str, ...]]
    source_line: int


def read_sdwan(ledger: Ledger, section: Section) -> Sdwan:
    """`config system sdwan` (6.4+) / `virtual-wan-link`: status, members and zones. Every
    line is parsed: SD-WAN is over-approximated as a whole by the routing it may do."""
    status = "disable"
    members: list[tuple[str, str]] = []  # (interface, zone)
    zones: dict[str, tuple[str, ...]] = {}
    ledger.frame(section)
    for node in section.items:
        if isinstance(node, Statement):
            ledger.statement(node, None)
            if node.verb == "set" and len(node.words) >= 2 and node.words[0].lower() == "status":
                status = node.words[1].lower()
        elif isinstance(node, Section) and node.path == ("members",):
            _all_parsed(ledger, node)
            for record in table_of([node]).records:
                settings = record.settings()
                if settings.lower("status", "enable") != "disable" and settings.get("interface"):
                    members.append((settings.get("interface"), settings.get("zone", "virtual-wan-link")))
        else:
            _all_parsed(ledger, node)
    for interface, zone in members:
        zones[zone] = (*zones.get(zone, ()), interface)
    zones.setdefault("virtual-wan-link", tuple(interface for interface, _ in members))
    return Sdwan(status == "enable", tuple(interface for interface, _ in members), zones, section.first)


def _all_parsed(ledger: Ledger, node: Node) -> None:
    if isinstance(node, Statement):
        ledger.statement(node, None)
        return
    ledger.frame(node)
    for child in node.items:
        _all_parsed(ledger, child)
