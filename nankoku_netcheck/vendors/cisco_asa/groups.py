"""ASA object-groups (network, service, port, protocol, icmp-type): read as written,
resolved lazily (they nest; cycles are reported by `group_of_kind`) and cached per kind."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import partial
from typing import Any

from nankoku_netcheck.model import (
    PROTO_TCP,
    PROTO_UDP,
    IcmpMatch,
    PortRange,
    Source,
    Wildcard,
)
from nankoku_netcheck.vendors.cisco_asa.book import AsaBook
from nankoku_netcheck.vendors.cisco_asa.keywords import (
    DIALECT,
    FORWARDING,
    HARMLESS,
)
from nankoku_netcheck.vendors.cisco_asa.objects import (
    IPV6_ONLY,
    Addresses,
    ObjectTable,
    Service,
    exact,
    prefix_wildcard,
    read_service,
    union,
)
from nankoku_netcheck.vendors.common import (
    Cursor,
    NotUnderstood,
    descendants,
    group_of_kind,
    ipv4,
    port_names_for,
    protocol_numbers,
    read_icmp_type,
    required_ports,
)


@dataclass
class Group:
    """An object-group as written; members are resolved lazily (they may nest)."""

    kind: str  # network | service | port (service group with a protocol) | protocol | icmp-type
    name: str
    source: Source
    port_protocols: tuple[int, ...] = ()
    addresses: list[Addresses] = field(default_factory=list)
    network_objects: list[str] = field(default_factory=list)
    services: list[Service] = field(default_factory=list)
    service_objects: list[str] = field(default_factory=list)
    ports: list[PortRange] = field(default_factory=list)
    protocols: list[int | None] = field(default_factory=list)  # None = ip (every protocol)
    icmp: list[IcmpMatch] = field(default_factory=list)
    nested: list[str] = field(default_factory=list)
    problem: str = ""


class ObjectGroups:
    """`object-group` definitions of one file and their lazy, cached resolution (groups
    nest, and may refer to objects defined anywhere in the file)."""

    def __init__(self, book: AsaBook, objects: ObjectTable) -> None:
        self.book = book
        self.objects = objects
        self.groups: dict[str, Group] = {}
        self.resolved_networks: dict[str, Addresses] = {}
        self.resolved_services: dict[str, tuple[Service, ...]] = {}
        self.resolved_ports: dict[str, tuple[tuple[int, ...], tuple[PortRange, ...]]] = {}
        self.resolved_protocols: dict[str, tuple[int, ...] | None] = {}
        self.resolved_icmp: dict[str, tuple[IcmpMatch, ...]] = {}

    def object_group(self, obj: Any, words: list[str]) -> None:
        index = obj.linenum
        lowered = [word.lower() for word in words]
        declared = lowered[1] if len(lowered) > 1 else ""
        port_protocols: tuple[int, ...] = ()
        if declared == "service" and len(words) == 4 and lowered[3] in ("tcp", "udp", "tcp-udp"):
            kind = "port"
            port_protocols = {"tcp": (PROTO_TCP,), "udp": (PROTO_UDP,), "tcp-udp": (PROTO_TCP, PROTO_UDP)}[lowered[3]]
        elif declared in ("network", "service", "protocol", "icmp-type") and len(words) == 3:
            kind = declared
        else:
            self.book.mark_block(
                obj,
                HARMLESS,
                f"object-group type '{' '.join(words[1:2])}' is used only where referenced (uses are reported there)",
            )
            return
        name = words[2]
        group = self.groups.get(name)
        if group is None:
            group = Group(kind=kind, name=name, source=self.book.source(index), port_protocols=port_protocols)
            self.groups[name] = group
        elif group.kind != kind or group.port_protocols != port_protocols:
            self.book.mark_block(obj, FORWARDING, f"object-group '{name}' defined with two types: the ASA rejects this")
            return
        self.book.parsed(index)
        for child in descendants(obj):
            self.group_entry(group, child.linenum)

    def group_entry(self, group: Group, index: int) -> None:
        if self.book.comment_or_blank(index):
            return
        self.book.definition_line(index, group, "object-group entry", partial(self.group_words, group))

    def group_words(self, group: Group, words: list[str]) -> None:
        first = words[0].lower()
        if first == "group-object" and len(words) == 2:
            group.nested.append(words[1])
        elif first == "network-object" and group.kind == "network":
            self.network_group_entry(group, words[1:])
        elif first == "port-object" and group.kind == "port":
            cursor = Cursor(words[1:])
            names = port_names_for(DIALECT, group.port_protocols)
            group.ports.extend(required_ports(cursor, names, DIALECT, "port-object"))
            cursor.expect_end()
        elif first == "service-object" and group.kind == "service":
            if len(words) == 3 and words[1].lower() == "object":
                group.service_objects.append(words[2])
            else:
                cursor = Cursor(words[1:])
                group.services.append(read_service(cursor))
                cursor.expect_end()
        elif first == "protocol-object" and group.kind == "protocol" and len(words) == 2:
            protocols = protocol_numbers(words[1], DIALECT)
            group.protocols.append(protocols[0] if protocols else None)
        elif first == "icmp-object" and group.kind == "icmp-type" and len(words) == 2:
            icmp = read_icmp_type(Cursor(words[1:]), DIALECT)
            if icmp is None:
                raise NotUnderstood(f"unknown ICMP type '{words[1]}'")
            group.icmp.extend(icmp)
        else:
            raise NotUnderstood(f"'{' '.join(words)}' in a {group.kind} group")

    def network_group_entry(self, group: Group, words: list[str]) -> None:
        """`network-object host A | A MASK | object NAME | IPV6/LEN`."""
        if len(words) == 2 and words[0].lower() == "host":
            if self.book.is_ipv6_word(words[1]):
                group.addresses.append(IPV6_ONLY)
            else:
                group.addresses.append(exact([Wildcard.host(self.book.ipv4_or_name(words[1]))]))
        elif len(words) == 2 and words[0].lower() == "object":
            group.network_objects.append(words[1])
        elif len(words) == 1 and self.book.is_ipv6_word(words[0]):
            group.addresses.append(IPV6_ONLY)
        elif len(words) == 2:
            group.addresses.append(exact([prefix_wildcard(self.book.ipv4_or_name(words[0]), ipv4(words[1]))]))
        else:
            raise NotUnderstood(f"'network-object {' '.join(words)}'")

    def network_group(self, name: str, trail: tuple[str, ...] = ()) -> Addresses:
        if name in self.resolved_networks:
            return self.resolved_networks[name]
        group = group_of_kind(self.groups, name, "network", trail)
        parts = list(group.addresses)
        parts.extend(self.objects.network_object(member) for member in group.network_objects)
        parts.extend(self.network_group(nested, (*trail, name)) for nested in group.nested)
        result = union(parts) if parts else Addresses(())
        self.resolved_networks[name] = result
        return result

    def service_group(self, name: str, trail: tuple[str, ...] = ()) -> tuple[Service, ...]:
        if name in self.resolved_services:
            return self.resolved_services[name]
        group = group_of_kind(self.groups, name, "service", trail)
        services = list(group.services)
        services.extend(self.objects.service_object(member) for member in group.service_objects)
        for nested in group.nested:
            services.extend(self.service_group(nested, (*trail, name)))
        result = tuple(dict.fromkeys(services))
        self.resolved_services[name] = result
        return result

    def port_group(self, name: str, trail: tuple[str, ...] = ()) -> tuple[tuple[int, ...], tuple[PortRange, ...]]:
        if name in self.resolved_ports:
            return self.resolved_ports[name]
        group = group_of_kind(self.groups, name, "port", trail)
        ports = list(group.ports)
        for nested in group.nested:
            ports.extend(self.port_group(nested, (*trail, name))[1])
        result = (group.port_protocols, tuple(sorted(set(ports))))
        self.resolved_ports[name] = result
        return result

    def protocol_group(self, name: str, trail: tuple[str, ...] = ()) -> tuple[int, ...] | None:
        if name in self.resolved_protocols:
            return self.resolved_protocols[name]
        group = group_of_kind(self.groups, name, "protocol", trail)
        protocols = list(group.protocols)
        for nested in group.nested:
            nested_protocols = self.protocol_group(nested, (*trail, name))
            protocols.extend(nested_protocols if nested_protocols is not None else (None,))
        result = None if None in protocols else tuple(sorted(set(p for p in protocols if p is not None)))
        self.resolved_protocols[name] = result
        return result

    def icmp_group(self, name: str, trail: tuple[str, ...] = ()) -> tuple[IcmpMatch, ...]:
        if name in self.resolved_icmp:
            return self.resolved_icmp[name]
        group = group_of_kind(self.groups, name, "icmp-type", trail)
        icmp = list(group.icmp)
        for nested in group.nested:
            icmp.extend(self.icmp_group(nested, (*trail, name)))
        result = tuple(dict.fromkeys(icmp))
        self.resolved_icmp[name] = result
        return result

    def group_kind(self, name: str | None) -> str | None:
        group = self.groups.get(name) if name is not None else None
        return group.kind if group is not None else None
