"""Firewall objects: `config firewall address` / `addrgrp` and `config firewall service
custom` / `group`, resolved by name for the policies.

Addresses: `ipmask` (the default type; `subnet A M` or `A/len`, default 0.0.0.0/0),
`iprange` (`start-ip`/`end-ip`: the exact prefixes covering the range) and `wildcard`
(`wildcard A M`, M with 1 bits where the address must match). Any other type (fqdn,
geography, dynamic, interface-subnet, mac, ...) is not known from the config alone: its
definition is a FORWARDING unknown and every use of it matches any address (an
over-approximation the policy reader marks). Groups: `member` (nested groups resolved,
cycles reported), `exclude enable` + `exclude-member` subtracted exactly.

Services: `protocol TCP/UDP/SCTP` (the default) with `tcp-portrange`/`udp-portrange`/
`sctp-portrange` entries `DST[-DST][:SRC[-SRC]]` (no source part: any source port),
`ICMP` with `icmptype`/`icmpcode` (absent: any), `IP` with `protocol-number` (0 = every
protocol), ICMP6 (matches no IPv4 packet). A service restricted to destinations
(`iprange`, `fqdn`) is read without the restriction (more reachable; noted). Services
FortiOS predefines are taken from keywords.PREDEFINED_SERVICES when the config does not
define them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from nankoku_netcheck.model import (
    IPV4_MAX,
    PROTO_ICMP,
    PROTO_TCP,
    PROTO_UDP,
    IcmpMatch,
    PortRange,
    UnknownKind,
    Wildcard,
    ip_to_int,
    is_decimal,
    mask_to_length,
    prefix_mask,
)
from nankoku_netcheck.vendors.common import NotUnderstood, range_to_wildcards
from nankoku_netcheck.vendors.fortios.blocks import Ledger, Record, Section, Settings, account_settings, table_of
from nankoku_netcheck.vendors.fortios.keywords import (
    ADDRESS_HARMLESS,
    GROUP_HARMLESS,
    PREDEFINED_SERVICES,
    SERVICE_HARMLESS,
)

PROTO_SCTP = 132
# A non-contiguous wildcard is expanded into prefixes for set arithmetic up to this many.
MAX_EXPANSION = 4096


@dataclass(frozen=True)
class Addresses:
    """A set of IPv4 addresses as a union of patterns; `problem` non-empty: not known
    exactly, and `wildcards` is then every address."""

    wildcards: tuple[Wildcard, ...]
    problem: str = ""


ANY = Addresses((Wildcard.any(),))
NOTHING = Addresses(())


def unknown_addresses(problem: str) -> Addresses:
    return Addresses((Wildcard.any(),), problem)


@dataclass(frozen=True)
class ServicePart:
    """One protocol with its ports or ICMP types (None = any)."""

    protocols: tuple[int, ...] | None
    dst_ports: tuple[PortRange, ...] | None = None
    src_ports: tuple[PortRange, ...] | None = None
    icmp: tuple[IcmpMatch, ...] | None = None


@dataclass(frozen=True)
class Service:
    """What a service matches: the union of `parts`. `problem`: not understood (META-001
    at its definition), `parts` is then every packet; `approximation`: understood but
    read wider than the device matches."""

    parts: tuple[ServicePart, ...]
    problem: str = ""
    approximation: str = ""


EVERY_SERVICE = Service((ServicePart(None),))


@dataclass
class Objects:
    """The address and service tables of one device, resolved on demand."""

    addresses: dict[str, Addresses] = field(default_factory=dict)
    address_groups: dict[str, Settings] = field(default_factory=dict)
    services: dict[str, Service] = field(default_factory=dict)
    service_groups: dict[str, Settings] = field(default_factory=dict)
    # Filled by the NAT reader: a VIP in a policy's dstaddr matches its mapped (real) addresses.
    vips: dict[str, Addresses] = field(default_factory=dict)
    vip_groups: dict[str, tuple[str, ...]] = field(default_factory=dict)

    def address(self, name: str, trail: tuple[str, ...] = ()) -> Addresses:
        if name in trail:
            return unknown_addresses(f"address group '{name}' contains itself")
        if name in self.addresses:
            return self.addresses[name]
        if name in self.vips:
            return self.vips[name]
        if name in self.vip_groups:
            return union(tuple(self.address(member, (*trail, name)) for member in self.vip_groups[name]))
        group = self.address_groups.get(name)
        if group is None:
            if name.lower() == "all":
                return ANY
            if name.lower() == "none":
                return NOTHING
            return unknown_addresses(f"address '{name}' is not defined")
        members = union(tuple(self.address(member, (*trail, name)) for member in group.words("member")))
        if group.lower("exclude") != "enable":
            return members
        excluded = union(tuple(self.address(member, (*trail, name)) for member in group.words("exclude-member")))
        return difference(members, excluded)

    def service(self, name: str, trail: tuple[str, ...] = ()) -> Service:
        if name in trail:
            return Service(EVERY_SERVICE.parts, f"service group '{name}' contains itself")
        if name in self.services:
            return self.services[name]
        group = self.service_groups.get(name)
        if group is not None:
            return union_services(tuple(self.service(member, (*trail, name)) for member in group.words("member")))
        predefined = PREDEFINED_SERVICES.get(name)
        if predefined is not None:
            return _predefined(*predefined)
        return Service(EVERY_SERVICE.parts, f"service '{name}' is not defined")


def union(parts: Sequence[Addresses]) -> Addresses:
    problems = [part.problem for part in parts if part.problem]
    if problems:
        return unknown_addresses(problems[0])
    wildcards = tuple(dict.fromkeys(wildcard for part in parts for wildcard in part.wildcards))
    if any(wildcard.wildcard == IPV4_MAX for wildcard in wildcards):
        return ANY
    return Addresses(wildcards)


def union_services(parts: Sequence[Service]) -> Service:
    problem = next((part.problem for part in parts if part.problem), "")
    if problem:
        return Service(EVERY_SERVICE.parts, problem)
    approximation = "; ".join(dict.fromkeys(part.approximation for part in parts if part.approximation))
    return Service(tuple(dict.fromkeys(piece for part in parts for piece in part.parts)), "", approximation)


def intervals(addresses: Addresses) -> list[tuple[int, int]] | None:
    """The exact set as sorted, merged (first, last) intervals; None when a non-contiguous
    wildcard expands to too many prefixes."""
    pieces: list[tuple[int, int]] = []
    for wildcard in addresses.wildcards:
        prefixes = _expand(wildcard)
        if prefixes is None:
            return None
        pieces.extend((network, network | (~prefix_mask(length) & IPV4_MAX)) for network, length in prefixes)
    merged: list[tuple[int, int]] = []
    for first, last in sorted(pieces):
        if merged and first <= merged[-1][1] + 1:
            merged[-1] = (merged[-1][0], max(merged[-1][1], last))
        else:
            merged.append((first, last))
    return merged


def _expand(wildcard: Wildcard) -> list[tuple[int, int]] | None:
    """The prefixes a wildcard matches: the trailing don't-care bits make the length, every
    other don't-care bit doubles the count."""
    trailing = 0
    while trailing < 32 and wildcard.wildcard >> trailing & 1:
        trailing += 1
    inner = [bit for bit in range(trailing, 32) if wildcard.wildcard >> bit & 1]
    if 1 << len(inner) > MAX_EXPANSION:
        return None
    base = wildcard.address & ~wildcard.wildcard & IPV4_MAX
    result = []
    for combination in range(1 << len(inner)):
        address = base
        for position, bit in enumerate(inner):
            if combination >> position & 1:
                address |= 1 << bit
        result.append((address, 32 - trailing))
    return result


def from_intervals(parts: Sequence[tuple[int, int]]) -> Addresses:
    return Addresses(tuple(wildcard for first, last in parts for wildcard in range_to_wildcards(first, last)))


def _subtract(kept: list[tuple[int, int]], dropped: list[tuple[int, int]]) -> list[tuple[int, int]]:
    result: list[tuple[int, int]] = []
    for first, last in kept:
        start = first
        for low, high in dropped:
            if high < start or low > last:
                continue
            if low > start:
                result.append((start, low - 1))
            start = max(start, high + 1)
        if start <= last:
            result.append((start, last))
    return result


def difference(members: Addresses, excluded: Addresses) -> Addresses:
    if members.problem:
        return members
    # Keeping every member when the exclusion is not known would read a deny policy wider
    # than the device: the group is unknown instead (any address; its policies are marked).
    if excluded.problem:
        return unknown_addresses(f"{excluded.problem} (excluded from a group)")
    kept, dropped = intervals(members), intervals(excluded)
    if kept is None or dropped is None:
        return unknown_addresses("the exclusion of a group with a sparse wildcard is not computed")
    return from_intervals(_subtract(kept, dropped))


def complement(addresses: Addresses) -> Addresses | None:
    """Every address not in `addresses`; None when that cannot be computed exactly."""
    if addresses.problem:
        return None
    exact = intervals(addresses)
    if exact is None:
        return None
    return from_intervals(_subtract([(0, IPV4_MAX)], exact))


# --- reading -----------------------------------------------------------------------------


def _address_words(words: Sequence[str]) -> tuple[int, int]:
    """`A M` or `A/len` → (network, length)."""
    if len(words) == 1 and "/" in words[0]:
        address_text, _, length_text = words[0].partition("/")
        if not is_decimal(length_text) or int(length_text) > 32:
            raise NotUnderstood(f"'{words[0]}' is not an address with a prefix length")
        length = int(length_text)
        return ip_word(address_text) & prefix_mask(length), length
    if len(words) != 2:
        raise NotUnderstood(f"'{' '.join(words)}' is not 'address mask'")
    contiguous = mask_to_length(ip_word(words[1]))
    if contiguous is None:
        raise NotUnderstood(f"'{words[1]}' is not a contiguous netmask")
    return ip_word(words[0]) & prefix_mask(contiguous), contiguous


def ip_word(word: str) -> int:
    try:
        return ip_to_int(word)
    except ValueError:
        raise NotUnderstood(f"'{word}' is not an IPv4 address") from None


def address_prefix(words: Sequence[str]) -> tuple[int, int]:
    return _address_words(words)


def _read_address(settings: Settings) -> Addresses:
    kind = settings.lower("type", "ipmask")
    if kind == "ipmask":
        words = settings.words("subnet") or ("0.0.0.0", "0.0.0.0")
        network, length = _address_words(words)
        return Addresses((Wildcard.prefix(network, length),))
    if kind == "iprange":
        first = ip_word(settings.get("start-ip", "0.0.0.0"))
        last = ip_word(settings.get("end-ip", "0.0.0.0"))
        if last < first:
            raise NotUnderstood("the range ends before it starts")
        return Addresses(tuple(range_to_wildcards(first, last)))
    if kind == "wildcard":
        words = settings.words("wildcard") or ("0.0.0.0", "0.0.0.0")
        if len(words) != 2:
            raise NotUnderstood(f"'{' '.join(words)}' is not 'address mask'")
        care = ip_word(words[1])
        return Addresses((Wildcard(ip_word(words[0]), ~care & IPV4_MAX).normalized(),))
    raise NotUnderstood(f"address type '{kind}' is resolved by the device at run time")


_ADDRESS_KEYS = ("type", "subnet", "start-ip", "end-ip", "wildcard")


def read_addresses(ledger: Ledger, sections: Sequence[Section], objects: Objects) -> None:
    for record in table_of(sections, ledger, "firewall address").records:
        _frames(ledger, record)
        settings = record.settings()
        problems = account_settings(ledger, settings, "firewall address", _ADDRESS_KEYS, ADDRESS_HARMLESS)
        _nested_harmless(ledger, settings, "firewall address")
        try:
            addresses = _read_address(settings)
        except NotUnderstood as problem:
            # Reported where a policy uses it (the use is read as any address); an unused
            # definition forwards nothing.
            line = settings.line("type") or settings.line("subnet") or record.first
            reason = f"firewall address '{record.name}' (line {line + 1}): {problem}"
            ledger.outcome.pop(line, None)
            ledger.unknown(line, UnknownKind.HARMLESS, f"{reason}; its uses are read as any address")
            addresses = unknown_addresses(reason)
        if problems and not addresses.problem:
            addresses = unknown_addresses(f"firewall address '{record.name}': {problems[0]}")
        objects.addresses[record.name] = addresses


def read_groups(
    ledger: Ledger, sections: Sequence[Section], groups: dict[str, Settings], what: str, keys: tuple[str, ...]
) -> None:
    for record in table_of(sections, ledger, what).records:
        _frames(ledger, record)
        settings = record.settings()
        account_settings(ledger, settings, what, keys, GROUP_HARMLESS)
        _nested_harmless(ledger, settings, what)
        groups[record.name] = settings


_SERVICE_KEYS = (
    "protocol",
    "tcp-portrange",
    "udp-portrange",
    "sctp-portrange",
    "icmptype",
    "icmpcode",
    "protocol-number",
    "iprange",
    "fqdn",
)


def read_services(ledger: Ledger, sections: Sequence[Section], objects: Objects) -> None:
    for record in table_of(sections, ledger, "firewall service custom").records:
        _frames(ledger, record)
        settings = record.settings()
        problems = account_settings(ledger, settings, "firewall service custom", _SERVICE_KEYS, SERVICE_HARMLESS)
        _nested_harmless(ledger, settings, "firewall service custom")
        try:
            service = _read_service(settings)
        except NotUnderstood as problem:
            line = settings.line("protocol") or record.first
            reason = f"firewall service '{record.name}': {problem}"
            ledger.outcome.pop(line, None)
            ledger.unknown(line, UnknownKind.FORWARDING, reason)
            service = Service(EVERY_SERVICE.parts, reason)
        if problems and not service.problem:
            service = Service(EVERY_SERVICE.parts, f"firewall service '{record.name}': {problems[0]}")
        objects.services[record.name] = service


def _read_service(settings: Settings) -> Service:
    protocol = settings.get("protocol", "TCP/UDP/SCTP").upper()
    approximation = ""
    iprange = settings.get("iprange", "0.0.0.0")
    if iprange not in ("0.0.0.0", "") or settings.get("fqdn"):
        approximation = "the service's destination restriction (iprange/fqdn) is ignored (more reachable)"
    if protocol in ("TCP/UDP/SCTP", "TCP/UDP"):
        parts = tuple(
            part
            for key, number in (
                ("tcp-portrange", PROTO_TCP),
                ("udp-portrange", PROTO_UDP),
                ("sctp-portrange", PROTO_SCTP),
            )
            for part in _port_parts(settings.words(key), number)
        )
        return Service(parts, "", approximation)
    if protocol == "ICMP":
        return Service((_icmp_part(settings.get("icmptype"), settings.get("icmpcode")),), "", approximation)
    if protocol == "ICMP6":
        return Service((), "", approximation)
    if protocol in ("IP", "ALL"):
        number = settings.get("protocol-number", "0")
        if not is_decimal(number) or int(number) > 255:
            raise NotUnderstood(f"'{number}' is not a protocol number")
        protocols = None if int(number) == 0 else (int(number),)
        return Service((ServicePart(protocols),), "", approximation)
    raise NotUnderstood(f"protocol '{protocol}' (an explicit-proxy service) is not modelled")


def _port_parts(entries: Sequence[str], protocol: int) -> tuple[ServicePart, ...]:
    parts = []
    for entry in entries:
        destination, _, source = entry.partition(":")
        parts.append(ServicePart((protocol,), (_port_range(destination),), (_port_range(source),) if source else None))
    return tuple(parts)


def _port_range(text: str) -> PortRange:
    low_text, _, high_text = text.partition("-")
    high_text = high_text or low_text
    if not (is_decimal(low_text) and is_decimal(high_text)) or int(high_text) > 65535:
        raise NotUnderstood(f"'{text}' is not a port range")
    low, high = int(low_text), int(high_text)
    if high < low:
        raise NotUnderstood(f"port range '{text}' is empty")
    return PortRange(low, high)


def _icmp_part(type_text: str, code_text: str) -> ServicePart:
    if not type_text:
        return ServicePart((PROTO_ICMP,))
    if not is_decimal(type_text) or int(type_text) > 255:
        raise NotUnderstood(f"'{type_text}' is not an ICMP type")
    if code_text and (not is_decimal(code_text) or int(code_text) > 255):
        raise NotUnderstood(f"'{code_text}' is not an ICMP code")
    code = int(code_text) if code_text else None
    return ServicePart((PROTO_ICMP,), icmp=(IcmpMatch(int(type_text), code),))


def _predefined(protocol: str, specification: tuple[str, ...]) -> Service:
    if protocol == "TCP/UDP/SCTP":
        parts = tuple(
            part
            for ranges, number in zip(specification, (PROTO_TCP, PROTO_UDP, PROTO_SCTP), strict=True)
            for part in _port_parts(ranges.split(), number)
        )
        return Service(parts)
    if protocol == "ICMP":
        return Service((_icmp_part(specification[0], specification[1]),))
    if protocol == "ICMP6":
        return Service(())
    number = int(specification[0])
    return Service((ServicePart(None if number == 0 else (number,)),))


def _frames(ledger: Ledger, record: Record) -> None:
    for entry in record.entries:
        ledger.frame(entry)


def _nested_harmless(ledger: Ledger, settings: Settings, what: str) -> None:
    """Sub-tables of an object (`config tagging`) describe it; they do not change what it matches."""
    for section in settings.sections:
        if section.path[:1] == ("tagging",):
            ledger.mark(section, UnknownKind.HARMLESS, f"{what}: tags are descriptive")
        else:
            ledger.mark(section, UnknownKind.FORWARDING, f"{what}: 'config {' '.join(section.path)}' is not modelled")
