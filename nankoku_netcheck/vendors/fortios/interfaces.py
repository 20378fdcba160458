"""`config system interface` and `config system zone`.

Interfaces are keyed by their FortiOS name (`port1`, `internal1`, `vlan100`). `ip A M`
(or `A/len`; 0.0.0.0 = none) and `config secondaryip` entries are the addresses (the
secondaries are read whether or not `secondary-IP enable` is set: the wider choice);
`status down` is shutdown; `type vlan` with `interface PARENT` and `vlanid N` is a
sub-interface; aggregate and redundant interfaces are port-channels; loopback and tunnel
keep their kind; every other type (physical, vdom-link, hard-switch, ...) is an ordinary
interface. An address obtained at run time (`mode dhcp|pppoe`) is not known: that line
is a FORWARDING unknown. `allowaccess` lists the management protocols the interface
answers (kept for the management facts). An interface of another VDOM is not part of
this device: its lines are HARMLESS.

Zones: `interface` lists the members; `intrazone allow` lets traffic between members
pass without a policy (the default `deny` needs one).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from nankoku_netcheck.model import Interface, InterfaceAddress, Source, UnknownKind, is_decimal
from nankoku_netcheck.vendors.common import NotUnderstood
from nankoku_netcheck.vendors.fortios.blocks import Ledger, Record, Section, Settings, account_settings, table_of
from nankoku_netcheck.vendors.fortios.keywords import (
    INTERFACE_HARMLESS,
    INTERFACE_SAFE_VALUES,
    REASON_IPV6,
    ZONE_HARMLESS,
)
from nankoku_netcheck.vendors.fortios.objects import address_prefix, ip_word

_KINDS = {
    "vlan": "subinterface",
    "aggregate": "port-channel",
    "redundant": "port-channel",
    "loopback": "loopback",
    "tunnel": "tunnel",
}

_INTERFACE_KEYS = (
    "ip",
    "type",
    "status",
    "vdom",
    "interface",
    "vlanid",
    "allowaccess",
    "mode",
    "member",
    "description",
    "alias",
)


@dataclass(frozen=True)
class Access:
    """One `allowaccess` list: the interface, the protocols, the line."""

    interface: str
    protocols: tuple[str, ...]
    source: Source


@dataclass
class InterfaceFacts:
    interfaces: dict[str, Interface] = field(default_factory=dict)
    access: list[Access] = field(default_factory=list)
    # Interfaces whose address is assigned at run time.
    address_unknown: set[str] = field(default_factory=set)
    # Interfaces of other VDOMs (so that a policy naming one is not an undefined reference).
    elsewhere: set[str] = field(default_factory=set)


def read_interfaces(ledger: Ledger, sections: Sequence[Section], vdom: str | None) -> InterfaceFacts:
    facts = InterfaceFacts()
    for record in table_of(sections, ledger, "system interface").records:
        settings = record.settings()
        owner = settings.get("vdom", "root")
        if vdom is not None and owner != vdom:
            for entry in record.entries:
                ledger.mark(entry, UnknownKind.HARMLESS, f"interface of VDOM '{owner}' (another device)")
            facts.elsewhere.add(record.name)
            continue
        facts.interfaces[record.name] = _interface(ledger, record, settings, facts)
    return facts


def _interface(ledger: Ledger, record: Record, settings: Settings, facts: InterfaceFacts) -> Interface:
    for entry in record.entries:
        ledger.frame(entry)
    account_settings(
        ledger, settings, f"interface {record.name}", _INTERFACE_KEYS, INTERFACE_HARMLESS, INTERFACE_SAFE_VALUES
    )
    addresses: list[InterfaceAddress] = []
    primary = _address(ledger, settings, "ip", secondary=False, name=record.name)
    if primary is not None:
        addresses.append(primary)
    for section in settings.sections:
        if section.path == ("secondaryip",):
            addresses.extend(_secondaries(ledger, section, record.name, facts))
        elif section.path[:1] in (("ipv6",), ("ip6-extra-addr",), ("ip6-prefix-list",)):
            ledger.mark(section, UnknownKind.HARMLESS, REASON_IPV6)
        elif section.path[:1] in (("tagging",), ("client-options",), ("dhcp-snooping-server-list",)):
            ledger.mark(section, UnknownKind.HARMLESS, "descriptive or DHCP option setting")
        elif section.path[:1] == ("vrrp",) and not section.items:
            ledger.mark(section, UnknownKind.HARMLESS, "empty section")
        else:
            ledger.mark(
                section,
                UnknownKind.FORWARDING,
                f"interface {record.name}: 'config {' '.join(section.path)}' is not modelled",
            )
    mode = settings.lower("mode", "static")
    if mode != "static":
        line = settings.line("mode")
        if line is not None:
            ledger.outcome.pop(line, None)
            ledger.unknown(
                line, UnknownKind.FORWARDING, f"interface {record.name}: address obtained by '{mode}' is not known"
            )
        facts.address_unknown.add(record.name)
    allow = settings.words("allowaccess")
    line = settings.line("allowaccess")
    if allow and line is not None:
        facts.access.append(Access(record.name, tuple(word.lower() for word in allow), ledger.source(line)))
    kind_text = settings.lower("type", "physical")
    vlan = settings.get("vlanid")
    properties = [("type", kind_text)]
    if settings.get("vdom"):
        properties.append(("vdom", settings.get("vdom")))
    if settings.get("interface"):
        properties.append(("parent", settings.get("interface")))
    for member in settings.words("member"):
        properties.append(("member", member))
    return Interface(
        name=record.name,
        source=ledger.source(record.first),
        addresses=tuple(addresses),
        shutdown=settings.lower("status", "up") == "down",
        description=settings.get("description") or settings.get("alias"),
        kind=_KINDS.get(kind_text, "physical"),
        encapsulation_vlan=int(vlan) if kind_text == "vlan" and is_decimal(vlan) and int(vlan) <= 4094 else None,
        properties=tuple(properties),
    )


def _address(ledger: Ledger, settings: Settings, key: str, secondary: bool, name: str) -> InterfaceAddress | None:
    words = settings.words(key)
    if not words:
        return None
    try:
        network, length = address_prefix(words)
        address = _host(words)
    except NotUnderstood as problem:
        line = settings.line(key)
        if line is not None:
            ledger.outcome.pop(line, None)
            ledger.unknown(line, UnknownKind.FORWARDING, f"interface {name}: address not understood: {problem}")
        return None
    if address == 0 and length == 0:
        return None
    del network
    return InterfaceAddress(address, length, secondary)


def _host(words: Sequence[str]) -> int:
    """The address as written (host bits kept), from `A M` or `A/len`."""
    return ip_word(words[0].partition("/")[0])


def _secondaries(ledger: Ledger, section: Section, name: str, facts: InterfaceFacts) -> list[InterfaceAddress]:
    ledger.frame(section)
    result = []
    for record in table_of([section], ledger, f"interface {name} secondaryip").records:
        for entry in record.entries:
            ledger.frame(entry)
        settings = record.settings()
        account_settings(
            ledger, settings, f"interface {name} secondary address", ("ip", "allowaccess"), INTERFACE_HARMLESS
        )
        address = _address(ledger, settings, "ip", secondary=True, name=name)
        if address is not None:
            result.append(address)
        line = settings.line("allowaccess")
        if settings.words("allowaccess") and line is not None:
            facts.access.append(
                Access(name, tuple(word.lower() for word in settings.words("allowaccess")), ledger.source(line))
            )
    return result


@dataclass(frozen=True)
class Zone:
    name: str
    members: tuple[str, ...]
    intrazone_allow: bool
    source: Source


def read_zones(ledger: Ledger, sections: Sequence[Section]) -> dict[str, Zone]:
    zones: dict[str, Zone] = {}
    for record in table_of(sections, ledger, "system zone").records:
        for entry in record.entries:
            ledger.frame(entry)
        settings = record.settings()
        account_settings(ledger, settings, f"zone {record.name}", ("interface", "intrazone"), ZONE_HARMLESS)
        members = list(settings.words("interface"))
        for section in settings.sections:
            if section.path == ("interface",):
                members.extend(_member_table(ledger, section))  # FortiOS 6.0: `config interface` / `edit NAME`
            else:
                ledger.mark(section, UnknownKind.HARMLESS, "descriptive setting")
        allow = settings.lower("intrazone", "deny") == "allow"
        line = settings.line("intrazone") if allow else record.first
        zones[record.name] = Zone(record.name, tuple(members), allow, ledger.source(line or record.first))
    return zones


def _member_table(ledger: Ledger, section: Section) -> list[str]:
    members = []
    for record in table_of([section], ledger, "system zone interface").records:
        for entry in record.entries:
            ledger.frame(entry)
        settings = record.settings()
        account_settings(ledger, settings, "system zone interface", ("interface-name",), ZONE_HARMLESS)
        members.append(settings.get("interface-name") or record.name)
    return members
