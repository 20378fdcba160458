"""ASA NAT (8.3+ syntax): twice NAT (top-level `nat`, sections 1 and 3) and object NAT
(`nat` inside `object network`, section 2), as NatRule header rewrites in the ASA's order.
Pre-8.3 NAT is a FORWARDING unknown."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from nankoku_netcheck.model import (
    IPV4_MAX,
    PROTO_TCP,
    PROTO_UDP,
    NatRule,
    PortRange,
    is_decimal,
    mask_to_length,
    prefix_mask,
)
from nankoku_netcheck.vendors.cisco_asa.book import AsaBook
from nankoku_netcheck.vendors.cisco_asa.groups import ObjectGroups
from nankoku_netcheck.vendors.cisco_asa.interfaces import InterfaceReader
from nankoku_netcheck.vendors.cisco_asa.keywords import (
    DIALECT,
    FORWARDING,
    OBJECT_NAT_OPTIONS,
    PRE_83_NAT,
    PROTO_SCTP,
)
from nankoku_netcheck.vendors.cisco_asa.objects import (
    Addresses,
    ObjectTable,
    prefixes,
)
from nankoku_netcheck.vendors.common import (
    Cursor,
    NotUnderstood,
    is_ipv4,
    port_names_for,
    port_number,
    range_to_wildcards,
)


class _LegacyNat(NotUnderstood):
    """A pre-8.3 NAT command (`nat (inside) 1 ...`)."""


@dataclass
class _ObjectNat:
    """An object NAT rule before its order among object NAT rules is known."""

    rule: NatRule
    sort_key: tuple[int, int, int, str]


class NatReader:
    """Twice NAT (top-level `nat`) and object NAT (`nat` inside `object network`) of one
    file, accounted for in `book`; `rules()` gives them in the ASA's order."""

    def __init__(self, book: AsaBook, objects: ObjectTable, groups: ObjectGroups, interfaces: InterfaceReader) -> None:
        self.book = book
        self.objects = objects
        self.groups = groups
        self.interfaces = interfaces
        self.object_nats: list[_ObjectNat] = []
        self.twice_nats: dict[int, list[NatRule]] = {1: [], 3: []}

    def nat_interfaces(self, cursor: Cursor) -> tuple[str | None, str | None]:
        """`(real,mapped)` if present (None = any); a single interface is pre-8.3 syntax."""
        word = cursor.peek_word()
        if word is None or not word.startswith("("):
            return None, None
        text = cursor.take("interfaces")
        while not text.endswith(")") and not cursor.done():
            text += cursor.take("interfaces")
        if not text.endswith(")"):
            raise NotUnderstood(f"unclosed interface list '{text}'")
        inner = text[1:-1]
        if "," not in inner:
            raise _LegacyNat(PRE_83_NAT)
        real, mapped = (part.strip() for part in inner.split(",", 1))
        return self.nat_interface(real), self.nat_interface(mapped)

    def nat_interface(self, name: str) -> str | None:
        if name.lower() == "any":
            return None
        draft = self.interfaces.interface_by_nameif(name)
        if draft is None or draft.nameif is None:
            raise NotUnderstood(f"no interface is named '{name}'")
        return draft.name

    def nat_addresses(self, word: str) -> tuple[tuple[int, int], ...] | None:
        """A twice-NAT operand: `any`, a network object or a network object-group."""
        if word.lower() == "any":
            return None
        if word in self.objects.network_objects:
            addresses = self.objects.network_object(word)
        elif self.groups.group_kind(word) == "network":
            addresses = self.groups.network_group(word)
        else:
            raise NotUnderstood(f"network object or object-group '{word}' is not defined")
        return _nat_prefixes(addresses)

    def interface_prefixes(self, name: str | None, role: str) -> tuple[tuple[int, int], ...]:
        if name is None:
            raise NotUnderstood(f"'interface' as {role} needs a named interface, not 'any'")
        draft = self.interfaces.drafts.get(name)
        if draft is None or draft.address is None:
            raise NotUnderstood(f"the address of interface '{draft.nameif if draft else name}' is not known")
        return ((draft.address.address, 32),)

    def nat_not_understood(self, index: int, problem: NotUnderstood) -> None:
        """Pre-8.3 NAT syntax has its own reason: it is not modelled at all."""
        reason = PRE_83_NAT if isinstance(problem, _LegacyNat) else f"NAT rule not understood: {problem}"
        self.book.unknown(index, FORWARDING, reason)

    def twice_nat(self, obj: Any, words: list[str]) -> None:
        index = obj.linenum
        self.book.unexpected_children(obj)
        try:
            section, position, rule = self.read_twice_nat(words[1:], index)
        except NotUnderstood as problem:
            self.nat_not_understood(index, problem)
            return
        rules = self.twice_nats[section]
        if position is None or position > len(rules):
            rules.append(rule)
        else:
            rules.insert(position - 1, rule)
        self.book.parsed(index)

    def read_twice_nat(self, words: list[str], index: int) -> tuple[int, int | None, NatRule]:
        """`nat [(real,mapped)] [N] [after-auto [N]] source static|dynamic REAL MAPPED [interface]
        [destination static MAPPED_DST REAL_DST] [service A B] [options] [inactive]
        [description TEXT]`."""
        cursor = Cursor(words)
        real_if, mapped_if = self.nat_interfaces(cursor)
        section, position = 1, None
        if is_decimal(cursor.peek() or ""):
            position = max(1, int(cursor.take("rule number")))
        if cursor.peek() == "after-auto":
            cursor.take("after-auto")
            section = 3
            if is_decimal(cursor.peek() or ""):
                position = max(1, int(cursor.take("rule number")))
        if cursor.peek() != "source":
            raise NotUnderstood(f"expected 'source', found '{cursor.peek_word() or ''}'")
        cursor.take("source")
        kind = cursor.take_lower("static or dynamic")
        if kind not in ("static", "dynamic"):
            raise NotUnderstood(f"unknown translation type '{kind}'")
        real_source = self.nat_addresses(cursor.take("real source"))
        mapped_source, interface_pat = self.twice_nat_mapped(cursor, kind, mapped_if)
        real_destination = mapped_destination = None
        has_destination = False
        services: tuple[str, str] | None = None
        notes: list[str] = []
        inactive = route_lookup = False
        while not cursor.done():
            word = cursor.take_lower("option")
            if word == "destination":
                if cursor.take_lower("destination type") != "static":
                    raise NotUnderstood("destination translation is always 'static'")
                mapped_word, real_word = cursor.take("mapped destination"), cursor.take("real destination")
                has_destination = True
                real_destination = self.nat_addresses(real_word)
                mapped_destination = (
                    self.interface_prefixes(real_if, "mapped destination")
                    if mapped_word.lower() == "interface"
                    else self.nat_addresses(mapped_word)
                )
            elif word == "service":
                services = (cursor.take("real service"), cursor.take("mapped service"))
            elif word == "inactive":
                inactive = True
            elif word == "unidirectional":
                notes.append("'unidirectional' ignored: the rule is also applied from the mapped side")
            elif word == "description":
                cursor.rest()
            elif word == "route-lookup":
                route_lookup = True
            elif word not in OBJECT_NAT_OPTIONS:
                raise NotUnderstood(f"unexpected '{cursor.words[cursor.position - 1]}'")
        protocol = real_port = mapped_port = None
        if services is not None:
            protocol, real_port, mapped_port = self.twice_nat_service(*services, destination=has_destination)
        if kind == "static":
            notes.extend(_static_notes(real_source, mapped_source, interface_pat, "source"))
            notes.extend(_static_notes(real_destination, mapped_destination, False, "destination"))
        rule = NatRule(
            source=self.book.source(index),
            section=section,
            order=0,
            kind=kind,
            real_interface=real_if,
            mapped_interface=mapped_if,
            real_source=real_source,
            mapped_source=mapped_source,
            real_destination=real_destination,
            mapped_destination=mapped_destination,
            protocol=protocol,
            real_port=real_port,
            mapped_port=mapped_port,
            interface_pat=interface_pat,
            inactive=inactive,
            approximation="; ".join(notes),
            route_lookup=route_lookup,
        )
        return section, position, rule

    def twice_nat_mapped(
        self, cursor: Cursor, kind: str, mapped_if: str | None
    ) -> tuple[tuple[tuple[int, int], ...] | None, bool]:
        word = cursor.take("mapped source")
        if kind == "dynamic" and word.lower() == "pat-pool":
            word = cursor.take("PAT pool")
        if word.lower() == "interface":
            self.require_mapped_interface(cursor, mapped_if)
            return None, True
        mapped = self.nat_addresses(word)
        interface_pat = False
        if kind == "dynamic" and cursor.peek() == "interface":
            cursor.take("interface")
            self.require_mapped_interface(cursor, mapped_if)
            interface_pat = True
        return mapped, interface_pat

    @staticmethod
    def require_mapped_interface(cursor: Cursor, mapped_if: str | None) -> None:
        if cursor.peek() == "ipv6":
            raise NotUnderstood("translation to an IPv6 interface address is not modelled")
        if mapped_if is None:
            raise NotUnderstood("interface PAT needs a named mapped interface, not 'any'")

    def twice_nat_service(
        self, first_name: str, second_name: str, destination: bool
    ) -> tuple[int, PortRange | None, PortRange | None]:
        """Source port translation: `service REAL MAPPED` with source ports; destination port
        translation (with a destination clause): `service MAPPED REAL` with destination ports."""
        first, second = self.objects.service_object(first_name), self.objects.service_object(second_name)
        if first.protocols != second.protocols or first.protocols not in ((PROTO_TCP,), (PROTO_UDP,)):
            raise NotUnderstood("NAT services must both be TCP or both UDP")
        protocol = first.protocols[0]
        if destination:
            if first.src_ports is not None or second.src_ports is not None:
                raise NotUnderstood("source ports in a destination port translation are not modelled")
            return protocol, _single_range(second.dst_ports), _single_range(first.dst_ports)
        if first.dst_ports is not None or second.dst_ports is not None:
            raise NotUnderstood("destination port translation without a destination clause is not modelled")
        return protocol, _single_range(first.src_ports), _single_range(second.src_ports)

    def object_nat(self, object_name: str, index: int) -> None:
        try:
            pending = self.read_object_nat(object_name, self.book.words(index)[1:], index)
        except NotUnderstood as problem:
            self.nat_not_understood(index, problem)
            return
        self.object_nats.append(pending)
        self.book.parsed(index)

    def read_object_nat(self, object_name: str, words: list[str], index: int) -> _ObjectNat:
        """Inside `object network NAME`: `nat [(real,mapped)] static MAPPED|IP|interface
        [service PROTO REAL MAPPED] [options]` or `nat [(real,mapped)] dynamic [pat-pool]
        MAPPED|IP|interface [interface] [options]`."""
        network = self.objects.network_objects[object_name]
        real_source = _nat_prefixes(self.objects.network_object(object_name))
        if network.interval is None:
            raise NotUnderstood(f"object '{object_name}' has no IPv4 address to translate")
        cursor = Cursor(words)
        real_if, mapped_if = self.nat_interfaces(cursor)
        kind = cursor.take_lower("static or dynamic")
        if kind not in ("static", "dynamic"):
            raise NotUnderstood(f"unknown translation type '{kind}'")
        word = cursor.take("mapped address")
        if kind == "dynamic" and word.lower() == "pat-pool":
            word = cursor.take("PAT pool")
        interface_pat = False
        mapped_source: tuple[tuple[int, int], ...] | None = None
        if word.lower() == "interface":
            self.require_mapped_interface(cursor, mapped_if)
            interface_pat = True
        elif is_ipv4(word) or self.book.names.get(word) is not None:
            mapped_source = _inline_mapping(network.interval, self.book.ipv4_or_name(word), kind)
        else:
            mapped_source = self.nat_addresses(word)
        protocol = real_port = mapped_port = None
        route_lookup = False
        while not cursor.done():
            option = cursor.take_lower("option")
            if option == "route-lookup":
                route_lookup = True
            elif option == "interface" and kind == "dynamic" and not interface_pat:
                self.require_mapped_interface(cursor, mapped_if)
                interface_pat = True
            elif option == "service" and kind == "static":
                protocol, real_port, mapped_port = _object_nat_service(cursor)
            elif option not in OBJECT_NAT_OPTIONS:
                raise NotUnderstood(f"unexpected '{cursor.words[cursor.position - 1]}'")
        notes = _static_notes(real_source, mapped_source, interface_pat, "object") if kind == "static" else []
        rule = NatRule(
            source=self.book.source(index),
            section=2,
            order=0,
            kind=kind,
            real_interface=real_if,
            mapped_interface=mapped_if,
            real_source=real_source,
            mapped_source=mapped_source,
            protocol=protocol,
            real_port=real_port,
            mapped_port=mapped_port,
            interface_pat=interface_pat,
            approximation="; ".join(notes),
            route_lookup=route_lookup,
        )
        first, last = network.interval
        return _ObjectNat(rule, (0 if kind == "static" else 1, last - first + 1, first, object_name))

    def rules(self) -> list[NatRule]:
        rules: list[NatRule] = []
        rules.extend(replace(rule, order=order) for order, rule in enumerate(self.twice_nats[1], start=1))
        ordered = sorted(self.object_nats, key=lambda pending: pending.sort_key)
        rules.extend(replace(pending.rule, order=order) for order, pending in enumerate(ordered, start=1))
        rules.extend(replace(rule, order=order) for order, rule in enumerate(self.twice_nats[3], start=1))
        return rules


def _nat_prefixes(addresses: Addresses) -> tuple[tuple[int, int], ...] | None:
    if addresses.problem:
        raise NotUnderstood(addresses.problem)
    if addresses.ipv6:
        raise NotUnderstood("NAT involving IPv6 addresses is not modelled")
    return prefixes(addresses)


def _static_notes(
    real: tuple[tuple[int, int], ...] | None,
    mapped: tuple[tuple[int, int], ...] | None,
    interface_pat: bool,
    what: str,
) -> list[str]:
    """An approximation note unless the static rewrite is exact: identity, or one prefix
    onto one prefix of the same size (a host onto the interface address included)."""
    if interface_pat:
        if real is not None and len(real) == 1 and real[0][1] == 32:
            return []
    elif real == mapped or (
        real is not None and mapped is not None and len(real) == len(mapped) == 1 and real[0][1] == mapped[0][1]
    ):
        return []
    return [
        f"static {what} translation is not one prefix onto a prefix of the same size: any mapped address is assumed"
    ]


def _inline_mapping(interval: tuple[int, int], address: int, kind: str) -> tuple[tuple[int, int], ...]:
    """Object NAT to an inline address: dynamic maps to that one address; static keeps the
    real object's size (a subnet keeps its mask, a range its length)."""
    if kind == "dynamic":
        return ((address, 32),)
    first, last = interval
    covering = range_to_wildcards(first, last)
    if len(covering) == 1:
        length = mask_to_length(~covering[0].wildcard & IPV4_MAX) or 0
        return ((address & prefix_mask(length), length),)
    size = last - first + 1
    if address + size - 1 > IPV4_MAX:
        raise NotUnderstood("the mapped range runs past 255.255.255.255")
    return tuple(
        (wildcard.address, mask_to_length(~wildcard.wildcard & IPV4_MAX) or 0)
        for wildcard in range_to_wildcards(address, address + size - 1)
    )


def _object_nat_service(cursor: Cursor) -> tuple[int, PortRange, PortRange]:
    """`service tcp|udp|sctp REAL_PORT MAPPED_PORT`."""
    protocol_word = cursor.take_lower("protocol")
    protocols = {"tcp": (PROTO_TCP,), "udp": (PROTO_UDP,), "sctp": (PROTO_SCTP,)}.get(protocol_word)
    if protocols is None:
        raise NotUnderstood(f"NAT service protocol '{protocol_word}'")
    names = port_names_for(DIALECT, protocols) if protocols != (PROTO_SCTP,) else {}
    real = port_number(cursor.take("real port"), names)
    mapped = port_number(cursor.take("mapped port"), names)
    return protocols[0], PortRange(real, real), PortRange(mapped, mapped)


def _single_range(ports: tuple[PortRange, ...] | None) -> PortRange | None:
    if ports is None:
        return None
    if len(ports) != 1:
        raise NotUnderstood("a NAT service must name one port or one port range")
    return ports[0]
