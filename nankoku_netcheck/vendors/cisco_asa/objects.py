"""ASA network and service objects (`object network`, `object service`) and the address
sets and services that objects, object-groups and ACL entries resolve to."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import partial
from typing import Any

from nankoku_netcheck.model import (
    IPV4_MAX,
    PROTO_ICMP,
    PROTO_TCP,
    PROTO_UDP,
    IcmpMatch,
    PortRange,
    Source,
    Wildcard,
    int_to_ip,
    mask_to_length,
)
from nankoku_netcheck.vendors.cisco_asa.book import AsaBook
from nankoku_netcheck.vendors.cisco_asa.keywords import (
    DIALECT,
    FQDN_REASON,
    HARMLESS,
    PROTO_SCTP,
)
from nankoku_netcheck.vendors.cisco_asa.names import (
    ICMP_NAMES,
    PROTO_ICMP6,
    PROTOCOL_NAMES,
)
from nankoku_netcheck.vendors.common import (
    PORT_OPERATORS,
    Cursor,
    NotUnderstood,
    descendants,
    ipv4,
    port_names_for,
    protocol_numbers,
    range_to_wildcards,
    read_icmp_type,
    read_port_operator,
    required_ports,
    union_or_any,
)


@dataclass(frozen=True)
class Addresses:
    """An IPv4 address set as a union of patterns; `wildcards` None = every address.

    `ipv6` records that IPv6 members were left out (they match no IPv4 packet).
    `problem` is set when the set was widened to every address because the device
    decides it at run time (FQDN objects, an interface address learnt by DHCP).
    """

    wildcards: tuple[Wildcard, ...] | None
    ipv6: bool = False
    problem: str = ""


EVERY_ADDRESS = Addresses(None)
IPV6_ONLY = Addresses((), ipv6=True)


def exact(wildcards: Sequence[Wildcard]) -> Addresses:
    return Addresses(union_or_any(wildcards))


def union(parts: Sequence[Addresses]) -> Addresses:
    members: list[Wildcard] = []
    everything = False
    for part in parts:
        if part.wildcards is None:
            everything = True
        else:
            members.extend(part.wildcards)
    problems = dict.fromkeys(part.problem for part in parts if part.problem)
    return Addresses(
        wildcards=None if everything else union_or_any(members),
        ipv6=any(part.ipv6 for part in parts),
        problem="; ".join(problems),
    )


def prefixes(addresses: Addresses) -> tuple[tuple[int, int], ...] | None:
    """The set as (network, length) prefixes; None = every address."""
    if addresses.wildcards is None:
        return None
    result = []
    for wildcard in addresses.wildcards:
        length = mask_to_length(~wildcard.wildcard & IPV4_MAX)
        if length is None:
            raise NotUnderstood("a non-contiguous mask cannot be translated")
        result.append((wildcard.address, length))
    return tuple(result)


@dataclass(frozen=True)
class Service:
    """Protocol part of an ACL entry: one conjunction of protocol, ports and ICMP type.
    `ipv6_only` services (icmp6) match no IPv4 packet."""

    protocols: tuple[int, ...] | None
    src_ports: tuple[PortRange, ...] | None = None
    dst_ports: tuple[PortRange, ...] | None = None
    icmp: tuple[IcmpMatch, ...] | None = None
    ipv6_only: bool = False


def read_service(cursor: Cursor) -> Service:
    """The body of `service ...` / `service-object ...`:
    `tcp|udp|tcp-udp|sctp [source OP] [destination OP]` (an operator without `source` or
    `destination` is a destination port, the pre-8.3 form), `icmp [TYPE [CODE]]`,
    `icmp6 ...`, `ip`, or another protocol."""
    word = cursor.take_lower("protocol")
    if word in ("tcp", "udp", "tcp-udp", "sctp"):
        protocols = {
            "tcp": (PROTO_TCP,),
            "udp": (PROTO_UDP,),
            "tcp-udp": (PROTO_TCP, PROTO_UDP),
            "sctp": (PROTO_SCTP,),
        }[word]
        names = port_names_for(DIALECT, protocols) if word != "sctp" else {}
        src_ports = dst_ports = None
        while not cursor.done():
            direction = cursor.peek()
            if direction == "source":
                cursor.take("source")
                src_ports = required_ports(cursor, names, DIALECT, "source")
            elif direction == "destination":
                cursor.take("destination")
                dst_ports = required_ports(cursor, names, DIALECT, "destination")
            elif direction in PORT_OPERATORS:
                dst_ports = read_port_operator(cursor, names, DIALECT)
            else:
                break
        if word == "sctp" and (src_ports is not None or dst_ports is not None):
            raise NotUnderstood("SCTP ports are not modelled")
        return Service(protocols, src_ports, dst_ports)
    if word == "icmp":
        return Service((PROTO_ICMP,), icmp=read_icmp_type(cursor, DIALECT))
    if word == "icmp6":
        cursor.rest()
        return Service((PROTO_ICMP6,), ipv6_only=True)
    numbers = protocol_numbers(word, DIALECT)
    if numbers == (PROTO_ICMP6,):
        return Service(numbers, ipv6_only=True)
    return Service(numbers)


@dataclass
class NetworkObject:
    """`object network NAME`: one host, subnet, range or FQDN (the last definition wins)."""

    name: str
    source: Source
    value: Addresses | None = None
    # IPv4 [first, last] for host, subnet and range objects (NAT ordering, inline maps).
    interval: tuple[int, int] | None = None
    problem: str = ""


@dataclass
class ServiceObject:
    name: str
    source: Source
    service: Service | None = None
    problem: str = ""


class ObjectTable:
    """`object network` / `object service` definitions of one file, accounted for in `book`.
    `nat_lines` keeps the object NAT lines met inside network objects: they are read after
    every definition (see nat.py)."""

    def __init__(self, book: AsaBook) -> None:
        self.book = book
        self.network_objects: dict[str, NetworkObject] = {}
        self.service_objects: dict[str, ServiceObject] = {}
        self.nat_lines: list[tuple[str, int]] = []  # (object name, line index)

    def object_definition(self, obj: Any, words: list[str]) -> None:
        index = obj.linenum
        kind = words[1].lower() if len(words) > 1 else ""
        if len(words) != 3 or kind not in ("network", "service"):
            self.book.mark_block(
                obj, HARMLESS, f"object type '{kind}' is used only where referenced (uses are reported there)"
            )
            return
        name = words[2]
        self.book.parsed(index)
        if kind == "network":
            network = self.network_objects.setdefault(name, NetworkObject(name, self.book.source(index)))
            for child in descendants(obj):
                self.network_object_line(network, child.linenum)
        else:
            service = self.service_objects.setdefault(name, ServiceObject(name, self.book.source(index)))
            for child in descendants(obj):
                self.service_object_line(service, child.linenum)

    def network_object_line(self, network: NetworkObject, index: int) -> None:
        if self.book.comment_or_blank(index):
            return
        if self.book.words(index)[0].lower() == "nat":
            # Translations need every object and interface: read after all definitions.
            self.nat_lines.append((network.name, index))
            return
        self.book.definition_line(index, network, "network object line", partial(self.network_object_words, network))

    def network_object_words(self, network: NetworkObject, words: list[str]) -> None:
        first = words[0].lower()
        if first == "host" and len(words) == 2:
            self.set_host_object(network, words[1])
        elif first == "subnet" and len(words) in (2, 3):
            self.set_subnet_object(network, words[1:])
        elif first == "range" and len(words) == 3:
            self.set_range_object(network, words[1], words[2])
        elif first == "fqdn" and len(words) in (2, 3):
            if len(words) == 3 and words[1].lower() == "v6":
                network.value, network.interval = IPV6_ONLY, None
            else:
                network.value = Addresses(None, problem=f"{FQDN_REASON} (object '{network.name}', {words[-1]})")
                network.interval = None
        else:
            raise NotUnderstood(f"'{' '.join(words)}'")

    def set_host_object(self, network: NetworkObject, word: str) -> None:
        if self.book.is_ipv6_word(word):
            network.value, network.interval = IPV6_ONLY, None
            return
        address = self.book.ipv4_or_name(word)
        network.value, network.interval = exact([Wildcard.host(address)]), (address, address)

    def set_subnet_object(self, network: NetworkObject, words: list[str]) -> None:
        if len(words) == 1:
            if not self.book.is_ipv6_word(words[0]):
                raise NotUnderstood(f"'subnet {words[0]}' without a netmask")
            network.value, network.interval = IPV6_ONLY, None
            return
        wildcard = prefix_wildcard(self.book.ipv4_or_name(words[0]), ipv4(words[1]))
        network.value = exact([wildcard])
        network.interval = (wildcard.address, wildcard.address | wildcard.wildcard)

    def set_range_object(self, network: NetworkObject, first_word: str, last_word: str) -> None:
        if self.book.is_ipv6_word(first_word) and self.book.is_ipv6_word(last_word):
            network.value, network.interval = IPV6_ONLY, None
            return
        first, last = self.book.ipv4_or_name(first_word), self.book.ipv4_or_name(last_word)
        if last < first:
            raise NotUnderstood(f"empty range {first_word}-{last_word}")
        network.value = exact(range_to_wildcards(first, last))
        network.interval = (first, last)

    def service_object_line(self, service: ServiceObject, index: int) -> None:
        if self.book.comment_or_blank(index):
            return
        self.book.definition_line(index, service, "service object line", partial(_service_object_words, service))

    def network_object(self, name: str) -> Addresses:
        network = self.network_objects.get(name)
        if network is None:
            raise NotUnderstood(f"network object '{name}' is not defined")
        if network.problem:
            raise NotUnderstood(f"network object '{name}' has a line that was not understood")
        if network.value is None:
            raise NotUnderstood(f"network object '{name}' has no address")
        return network.value

    def service_object(self, name: str) -> Service:
        service = self.service_objects.get(name)
        if service is None:
            builtin = _builtin_service(name)
            if builtin is None:
                raise NotUnderstood(f"service object '{name}' is not defined")
            return builtin
        if service.problem:
            raise NotUnderstood(f"service object '{name}' has a line that was not understood")
        if service.service is None:
            raise NotUnderstood(f"service object '{name}' has no service")
        return service.service


def _service_object_words(service: ServiceObject, words: list[str]) -> None:
    if words[0].lower() == "service" and len(words) >= 2:
        cursor = Cursor(words[1:])
        service.service = read_service(cursor)
        cursor.expect_end()
    else:
        raise NotUnderstood(f"'{' '.join(words)}'")


def _builtin_service(name: str) -> Service | None:
    """The ASA's predefined service objects that name a protocol (`ospf`, `icmp`) or an
    ICMP type (`icmp-echo`); used only when no object of that name is configured."""
    lowered = name.lower()
    if lowered.startswith("icmp-") and lowered[5:] in ICMP_NAMES:
        return Service((PROTO_ICMP,), icmp=(ICMP_NAMES[lowered[5:]],))
    if lowered == "ip":
        return Service(None)
    if lowered in PROTOCOL_NAMES:
        protocol = PROTOCOL_NAMES[lowered]
        return Service((protocol,), ipv6_only=protocol == PROTO_ICMP6)
    return None


def prefix_wildcard(address: int, mask: int) -> Wildcard:
    """An ASA address with its netmask; host bits outside the mask are refused, as the ASA does."""
    length = mask_to_length(mask)
    if length is None:
        raise NotUnderstood(f"'{int_to_ip(mask)}' is not a netmask")
    if address & ~mask & IPV4_MAX:
        raise NotUnderstood(f"{int_to_ip(address)} has bits outside netmask {int_to_ip(mask)}")
    return Wildcard.prefix(address, length)
