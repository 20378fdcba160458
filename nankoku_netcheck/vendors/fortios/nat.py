"""Address translation: `config firewall vip` / `vipgrp` (destination NAT) and `config
firewall ippool` (source NAT pools), as NatRule header rewrites whose interface fields hold
interface names.

A `static-nat` VIP (the default type) maps `extip` (an address or a range) arriving on
`extintf` (`any`: every interface) to `mappedip`: a static NatRule with the mapped
addresses as the real side. A policy naming the VIP in `dstaddr` matches the mapped
addresses (policies see translated destinations). Modelling choices, each toward more
reachability:
- the engine un-translates every packet to `extip` arriving on `extintf`, whether or not
  a policy names the VIP (FortiOS translates only for the policies that do): a policy
  that lets `all` through then also reaches the mapped server;
- a static rule also translates sessions the mapped server starts toward `extintf`
  (FortiOS does that only with `nat-source-vip enable`);
- port forwarding (`portforward enable`, `extport` → `mappedport`) is kept in the rule's
  port fields; a range onto a range of another size, or addresses that are not one
  prefix onto one prefix of the same size, set `approximation`.
Other VIP types (load-balance, server-load-balance, dns-translation, fqdn, access-proxy)
are FORWARDING unknowns; a policy naming one matches any destination.

IP pools (`overload`, the default, `one-to-one`, `fixed-port-range`,
`port-block-allocation`): `startip`-`endip`, kept as the pool's exact prefixes; the
policies that use them make the dynamic rules (see policy.py).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from nankoku_netcheck.model import (
    PROTO_ICMP,
    PROTO_TCP,
    PROTO_UDP,
    NatRule,
    PortRange,
    Source,
    UnknownKind,
    Wildcard,
    is_decimal,
)
from nankoku_netcheck.vendors.common import NotUnderstood, range_to_wildcards
from nankoku_netcheck.vendors.fortios.blocks import Ledger, Section, Settings, account_settings, table_of
from nankoku_netcheck.vendors.fortios.keywords import GROUP_HARMLESS, POOL_HARMLESS, VIP_HARMLESS
from nankoku_netcheck.vendors.fortios.objects import PROTO_SCTP, Addresses, Objects, ip_word, unknown_addresses

Prefixes = tuple[tuple[int, int], ...]

_VIP_KEYS = ("type", "extip", "mappedip", "extintf", "portforward", "protocol", "extport", "mappedport", "name")
_PROTOCOLS = {"tcp": PROTO_TCP, "udp": PROTO_UDP, "sctp": PROTO_SCTP, "icmp": PROTO_ICMP}


@dataclass(frozen=True)
class Pool:
    name: str
    prefixes: Prefixes
    source: Source
    # Sessions share the pool's addresses by port (every type but one-to-one): only replies
    # to them are translated back.
    shares_ports: bool = True


def range_prefixes(text: str) -> Prefixes:
    """`A`, `A-B` or `A/len` → the exact prefixes covering it."""
    if "/" in text:
        address_text, _, length_text = text.partition("/")
        if not is_decimal(length_text) or int(length_text) > 32:
            raise NotUnderstood(f"'{text}' is not an address range")
        length = int(length_text)
        first = ip_word(address_text) & (0xFFFFFFFF << (32 - length)) & 0xFFFFFFFF if length else 0
        return ((first, length),)
    first_text, _, last_text = text.partition("-")
    first = ip_word(first_text)
    last = ip_word(last_text) if last_text else first
    if last < first:
        raise NotUnderstood(f"range '{text}' ends before it starts")
    return tuple(
        (wildcard.address, 32 - wildcard.wildcard.bit_length()) for wildcard in range_to_wildcards(first, last)
    )


def _size(prefixes: Prefixes) -> int:
    return sum(1 << (32 - length) for _, length in prefixes)


def read_vips(ledger: Ledger, sections: Sequence[Section], objects: Objects) -> list[NatRule]:
    rules: list[NatRule] = []
    for record in table_of(sections, ledger, "firewall vip").records:
        for entry in record.entries:
            ledger.frame(entry)
        settings = record.settings()
        problems = account_settings(ledger, settings, "firewall vip", _VIP_KEYS, VIP_HARMLESS)
        for section in settings.sections:
            ledger.mark(
                section, UnknownKind.FORWARDING, f"firewall vip: 'config {' '.join(section.path)}' is not modelled"
            )
        source = ledger.source(record.first)
        try:
            if problems:
                raise NotUnderstood(problems[0])
            rule, mapped = _vip_rule(settings, source, len(rules))
        except NotUnderstood as problem:
            reason = f"firewall vip '{record.name}': {problem}"
            ledger.outcome.pop(record.first, None)
            ledger.unknown(record.first, UnknownKind.FORWARDING, reason)
            objects.vips[record.name] = unknown_addresses(reason)
            continue
        rules.append(rule)
        objects.vips[record.name] = Addresses(tuple(_wildcard(prefix) for prefix in mapped))
    return rules


def _wildcard(prefix: tuple[int, int]) -> Wildcard:
    return Wildcard.prefix(*prefix)


def _vip_rule(settings: Settings, source: Source, order: int) -> tuple[NatRule, Prefixes]:
    kind = settings.lower("type", "static-nat")
    if kind != "static-nat":
        raise NotUnderstood(f"VIP type '{kind}' is not modelled")
    external = range_prefixes(settings.get("extip", "0.0.0.0"))
    mapped_words = settings.words("mappedip")
    if not mapped_words:
        raise NotUnderstood("no mappedip")
    mapped = tuple(prefix for word in mapped_words for prefix in range_prefixes(word))
    notes = []
    if not (len(external) == 1 and len(mapped) == 1 and external[0][1] == mapped[0][1]):
        notes.append("the external and mapped addresses are not one prefix onto one prefix of the same size")
    interface = settings.get("extintf", "any")
    protocol: int | None = None
    real_port = mapped_port = None
    if settings.lower("portforward") == "enable":
        protocol_text = settings.lower("protocol", "tcp")
        if protocol_text not in _PROTOCOLS:
            raise NotUnderstood(f"port forwarding protocol '{protocol_text}'")
        protocol = _PROTOCOLS[protocol_text]
        mapped_port = _ports(settings.get("extport", "0"))
        real_port = _ports(settings.get("mappedport", "0"))
        if real_port == PortRange(0, 0):
            real_port = mapped_port
        if real_port.high - real_port.low != mapped_port.high - mapped_port.low:
            notes.append("the external and mapped port ranges differ in size")
    rule = NatRule(
        source=source,
        section=1,
        order=order,
        kind="static",
        real_interface=None,
        mapped_interface=None if interface.lower() == "any" else interface,
        real_source=mapped,
        mapped_source=external,
        protocol=protocol,
        real_port=real_port,
        mapped_port=mapped_port,
        approximation="; ".join(notes),
    )
    return rule, mapped


def _ports(text: str) -> PortRange:
    low_text, _, high_text = text.partition("-")
    high_text = high_text or low_text
    if not (is_decimal(low_text) and is_decimal(high_text)) or int(high_text) > 65535 or int(high_text) < int(low_text):
        raise NotUnderstood(f"'{text}' is not a port range")
    return PortRange(int(low_text), int(high_text))


def read_vip_groups(ledger: Ledger, sections: Sequence[Section], objects: Objects) -> None:
    for record in table_of(sections, ledger, "firewall vipgrp").records:
        for entry in record.entries:
            ledger.frame(entry)
        settings = record.settings()
        account_settings(ledger, settings, "firewall vipgrp", ("member", "interface"), GROUP_HARMLESS)
        objects.vip_groups[record.name] = settings.words("member")


_POOL_KEYS = ("type", "startip", "endip")
_POOL_TYPES = ("overload", "one-to-one", "fixed-port-range", "port-block-allocation")


def read_pools(ledger: Ledger, sections: Sequence[Section]) -> dict[str, Pool | None]:
    """Pool name → Pool, or None when the pool is not understood (a FORWARDING unknown)."""
    pools: dict[str, Pool | None] = {}
    for record in table_of(sections, ledger, "firewall ippool").records:
        for entry in record.entries:
            ledger.frame(entry)
        settings = record.settings()
        problems = account_settings(ledger, settings, "firewall ippool", _POOL_KEYS, POOL_HARMLESS)
        try:
            if problems:
                raise NotUnderstood(problems[0])
            kind = settings.lower("type", "overload")
            if kind not in _POOL_TYPES:
                raise NotUnderstood(f"pool type '{kind}' is not modelled")
            first, last = settings.get("startip", "0.0.0.0"), settings.get("endip", "0.0.0.0")
            prefixes = range_prefixes(f"{first}-{last}")
            pools[record.name] = Pool(record.name, prefixes, ledger.source(record.first), kind != "one-to-one")
        except NotUnderstood as problem:
            ledger.outcome.pop(record.first, None)
            ledger.unknown(record.first, UnknownKind.FORWARDING, f"firewall ippool '{record.name}': {problem}")
            pools[record.name] = None
    return pools


def pool_size(pool: Pool) -> int:
    return _size(pool.prefixes)
