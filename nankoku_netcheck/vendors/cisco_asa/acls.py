"""ASA access lists (extended, standard; names, objects and object-groups expanded) and
their `access-group` bindings (per interface and global). vendors/cisco_asa/policy.py
turns the bindings into PolicyRules."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from nankoku_netcheck.model import (
    PROTO_ICMP,
    PROTO_TCP,
    PROTO_UDP,
    Acl,
    AclLine,
    Action,
    IcmpMatch,
    Match,
    PortRange,
    Source,
    Wildcard,
    is_decimal,
)
from nankoku_netcheck.vendors.cisco_asa.book import AsaBook
from nankoku_netcheck.vendors.cisco_asa.groups import ObjectGroups
from nankoku_netcheck.vendors.cisco_asa.interfaces import InterfaceReader
from nankoku_netcheck.vendors.cisco_asa.keywords import (
    DIALECT,
    FORWARDING,
    HARMLESS,
)
from nankoku_netcheck.vendors.cisco_asa.names import (
    LOG_LEVELS,
    PROTO_ICMP6,
)
from nankoku_netcheck.vendors.cisco_asa.objects import (
    EVERY_ADDRESS,
    IPV6_ONLY,
    Addresses,
    ObjectTable,
    Service,
    exact,
    prefix_wildcard,
)
from nankoku_netcheck.vendors.common import (
    PORT_OPERATORS,
    Cursor,
    NotUnderstood,
    ipv4,
    number,
    port_names_for,
    protocol_numbers,
    read_icmp_type,
    read_port_operator,
)


@dataclass
class AclDraft:
    name: str
    source: Source
    kind: str | None = None  # standard | extended; None while only remarks were seen
    # One slot per ASA line (remarks and inactive entries included, as None).
    entries: list[AclLine | None] = field(default_factory=list)

    def slot(self, position: int | None) -> int:
        """The 1-based slot an entry inserted at `position` lands in (its sequence until a
        later `line N` insertion shifts it)."""
        if position is None or position > len(self.entries):
            return len(self.entries) + 1
        return position

    def insert(self, position: int | None, line: AclLine | None) -> None:
        if position is None or position > len(self.entries):
            self.entries.append(line)
        else:
            self.entries.insert(position - 1, line)

    def freeze(self) -> Acl:
        # Entries carry the sequence of the slot they were inserted at: only those a later
        # insertion shifted are built again (spelled out: `dataclasses.replace` costs several
        # times more, and ACLs have tens of thousands of entries).
        lines = tuple(
            line
            if line.sequence == position
            else AclLine(line.action, line.matches, line.source, position, line.understood, line.approximation)
            for position, line in enumerate(self.entries, start=1)
            if line is not None
        )
        return Acl(name=self.name, lines=lines, source=self.source, kind=self.kind or "extended")


@dataclass
class _Entry:
    """An ACL entry read from the text, before it becomes an AclLine."""

    matches: tuple[Match, ...]
    approximation: str = ""
    widened: str = ""  # non-empty: matches were widened (understood=False)
    no_ipv4: str = ""  # non-empty: the entry matches no IPv4 packet, and why
    inactive: bool = False


class AclReader:
    """The access lists of one file, accounted for in `book`; entries are expanded through
    the objects, object-groups and interface addresses they name."""

    def __init__(self, book: AsaBook, objects: ObjectTable, groups: ObjectGroups, interfaces: InterfaceReader) -> None:
        self.book = book
        self.objects = objects
        self.groups = groups
        self.interfaces = interfaces
        self.drafts: dict[str, AclDraft] = {}
        self.non_ip_acls: set[str] = set()
        self.protocol_services: dict[tuple[int, ...] | None, tuple[Service, ...]] = {}

    def acl_draft(self, name: str, index: int) -> AclDraft:
        draft = self.drafts.get(name)
        if draft is None:
            draft = AclDraft(name=name, source=self.book.source(index))
            self.drafts[name] = draft
        return draft

    def access_list(self, obj: Any, words: list[str]) -> None:
        """`access-list NAME [line N] {remark | extended | standard | webtype | ethertype} ...`;
        PIX 6 omits `extended`."""
        index = obj.linenum
        if len(words) >= 2 and words[1].lower() in ("alert-interval", "deny-flow-max"):
            self.book.mark_block(obj, HARMLESS, "ACL logging setting")
            return
        if len(words) < 3:
            self.book.mark_block(obj, FORWARDING, "access-list command not understood")
            return
        name, rest = words[1], words[2:]
        position: int | None = None
        if rest[0].lower() == "line" and len(rest) >= 2 and is_decimal(rest[1]):
            position, rest = max(1, int(rest[1])), rest[2:]
        keyword = rest[0].lower() if rest else ""
        self.book.unexpected_children(obj)
        if keyword == "remark":
            self.acl_draft(name, index).insert(position, None)
            self.book.parsed(index)
        elif keyword in ("webtype", "ethertype"):
            self.non_ip_acls.add(name)
            reason = (
                "EtherType ACL: filters only non-IP frames (transparent mode)"
                if keyword == "ethertype"
                else "WebVPN ACL: filters clientless VPN sessions only (VPN is reported where enabled)"
            )
            self.book.unknown(index, HARMLESS, reason)
        elif keyword in ("extended", "standard", "permit", "deny"):
            kind = keyword if keyword in ("extended", "standard") else "extended"
            body = rest[1:] if keyword in ("extended", "standard") else rest
            draft = self.acl_draft(name, index)
            if draft.kind is not None and draft.kind != kind:
                self.book.unknown(
                    index, FORWARDING, f"ACL '{name}' is already a {draft.kind} ACL: the ASA rejects this entry"
                )
                return
            draft.kind = kind
            draft.insert(position, self.acl_line(kind, body, index, draft.slot(position)))
        else:
            self.book.unknown(index, FORWARDING, f"access list type '{keyword}' is not modelled")

    def acl_line(self, kind: str, words: list[str], index: int, sequence: int | None = None) -> AclLine | None:
        """The entry as an AclLine at `sequence`; None when it can match no IPv4 packet (the
        line is then recorded as HARMLESS)."""
        action_word = words[0].lower() if words else ""
        if action_word not in ("permit", "deny"):
            return self.not_understood_line(
                Action.PERMIT, index, f"ACL entry not understood: expected permit or deny, found '{action_word}'"
            )
        action = Action.PERMIT if action_word == "permit" else Action.DENY
        cursor = Cursor(words[1:])
        try:
            entry = self.standard_entry(cursor) if kind == "standard" else self.extended_entry(cursor)
        except NotUnderstood as problem:
            return self.not_understood_line(action, index, f"ACL entry not understood: {problem}")
        if entry.inactive:
            self.book.unknown(index, HARMLESS, "inactive entry: it matches no packet")
            return None
        if entry.no_ipv4:
            self.book.unknown(index, HARMLESS, entry.no_ipv4)
            return None
        if entry.widened:
            self.book.unknown(index, FORWARDING, f"ACL entry widened to any address: {entry.widened}")
        else:
            self.book.parsed(index)
        return AclLine(action, entry.matches, self.book.source(index), sequence, not entry.widened, entry.approximation)

    def not_understood_line(self, action: Action, index: int, reason: str) -> AclLine:
        self.book.unknown(index, FORWARDING, reason)
        return AclLine(action=action, matches=(Match(),), source=self.book.source(index), understood=False)

    def standard_entry(self, cursor: Cursor) -> _Entry:
        """`any4 | any | host A | A MASK`: standard ACLs match destinations."""
        word = cursor.peek()
        if word == "any6":
            return _Entry((), no_ipv4="IPv6-only entry: matches no IPv4 packet")
        if word in ("any", "any4"):
            cursor.take("address")
            destination = EVERY_ADDRESS
        elif word == "host":
            cursor.take("host")
            destination = self.host_addresses(cursor.take("host address"))
        else:
            address = self.book.ipv4_or_name(cursor.take("address"))
            destination = exact([prefix_wildcard(address, ipv4(cursor.take("netmask")))])
        cursor.expect_end()
        if destination.wildcards == ():
            return _Entry((), no_ipv4="IPv6-only entry: matches no IPv4 packet")
        return _Entry((Match(dst=destination.wildcards),))

    def extended_entry(self, cursor: Cursor) -> _Entry:
        services, port_protocols, takes_icmp = self.acl_protocol(cursor)
        if _ipv6_only(services):
            # Whatever follows (IPv6 addresses, ICMPv6 types) cannot make it match IPv4.
            return _Entry((), no_ipv4="IPv6-only entry (icmp6): matches no IPv4 packet")
        self.refuse_identity_qualifier(cursor)
        source = self.acl_address(cursor)
        src_ports = self.acl_ports(cursor, port_protocols) if port_protocols else None
        self.refuse_identity_qualifier(cursor)
        destination = self.acl_address(cursor)
        dst_ports = self.acl_ports(cursor, port_protocols) if port_protocols else None
        if takes_icmp == _ICMP_GROUP_ONLY:
            icmp = self.acl_icmp_group(cursor)
        else:
            icmp = self.acl_icmp(cursor) if takes_icmp else None
        notes: Sequence[str] = ()
        inactive = False
        if not cursor.done():  # most entries carry no option: no list of notes is built for them
            notes, inactive = _read_acl_options(cursor)
        if inactive:
            return _Entry((), inactive=True)
        if takes_icmp is False and port_protocols:
            # A plain tcp or udp entry (most of them): its one Match is built without a Service in between.
            return _ported_entry(port_protocols, source, destination, src_ports, dst_ports, notes)
        if port_protocols and (src_ports is not None or dst_ports is not None):
            # (Without ports the services stay as they are: they were read with none.)
            services = tuple(_with_ports(service, src_ports, dst_ports) for service in services)
        if takes_icmp == _ICMP_GROUP_ONLY:
            if icmp is not None:
                services = _icmp_types_on_icmp_only(services[0].protocols, icmp)
        elif takes_icmp:
            services = tuple(_with_icmp(service, icmp) for service in services)
        ipv4_services = _ipv4_services(services)
        if source.wildcards == () or destination.wildcards == () or not ipv4_services:
            ipv6 = source.ipv6 or destination.ipv6 or any(service.ipv6_only for service in services)
            return _Entry((), no_ipv4=_no_ipv4_reason(ipv6))
        matches = _matches(ipv4_services, source.wildcards, destination.wildcards)
        return _Entry(matches, approximation="; ".join(notes), widened=_widened(source, destination))

    def acl_protocol(self, cursor: Cursor) -> tuple[tuple[Service, ...], tuple[int, ...], bool | str]:
        """(services, protocols that take port operators, whether an ICMP type may follow:
        True, False or _ICMP_GROUP_ONLY after a protocol object-group)."""
        word = cursor.take("protocol")
        lowered = word.lower()
        if lowered == "object-group":
            name = cursor.take("object-group name")
            kind = self.groups.group_kind(name)
            if kind == "protocol":
                protocols = self.groups.protocol_group(name)
                takes_ports = protocols is not None and bool(protocols) and set(protocols) <= {PROTO_TCP, PROTO_UDP}
                return (Service(protocols),), (protocols or ()) if takes_ports else (), _ICMP_GROUP_ONLY
            if kind == "service":
                return self.groups.service_group(name), (), False
            raise NotUnderstood(f"protocol or service object-group '{name}' is not defined")
        if lowered == "object":
            return (self.objects.service_object(cursor.take("service object name")),), (), False
        if lowered == "icmp6":
            return (Service((PROTO_ICMP6,), ipv6_only=True),), (), False
        protocols = protocol_numbers(word, DIALECT)
        services = self.protocol_services.get(protocols)
        if services is None:  # one Service per protocol for the whole file (they are immutable)
            services = self.protocol_services[protocols] = (Service(protocols),)
        if protocols in ((PROTO_TCP,), (PROTO_UDP,)):
            return services, protocols or (), False
        return services, (), protocols == (PROTO_ICMP,)

    @staticmethod
    def refuse_identity_qualifier(cursor: Cursor) -> None:
        word = cursor.peek()
        if word in _IDENTITY_QUALIFIERS:
            raise NotUnderstood(f"identity / TrustSec qualifier '{word}' is not modelled")

    def acl_address(self, cursor: Cursor) -> Addresses:
        word = cursor.take("address")
        lowered = word.lower()
        if lowered in ("any", "any4"):
            return EVERY_ADDRESS
        if lowered == "any6":
            return IPV6_ONLY
        if lowered == "host":
            return self.host_addresses(cursor.take("host address"))
        if lowered == "object":
            return self.objects.network_object(cursor.take("network object name"))
        if lowered == "object-group":
            return self.groups.network_group(cursor.take("network object-group name"))
        if lowered == "interface":
            return self.interface_addresses(cursor.take("interface name"))
        if self.book.is_ipv6_word(word):
            return IPV6_ONLY
        address = self.book.ipv4_or_name(word)
        return exact([prefix_wildcard(address, ipv4(cursor.take("netmask")))])

    def host_addresses(self, word: str) -> Addresses:
        if self.book.is_ipv6_word(word):
            return IPV6_ONLY
        return exact([Wildcard.host(self.book.ipv4_or_name(word))])

    def interface_addresses(self, nameif: str) -> Addresses:
        draft = self.interfaces.interface_by_nameif(nameif)
        if draft is None:
            raise NotUnderstood(f"no interface is named '{nameif}'")
        if draft.address is None:
            return Addresses(None, problem=f"the address of interface '{nameif}' is not known")
        return exact([Wildcard.host(draft.address.address)])

    def acl_ports(self, cursor: Cursor, protocols: tuple[int, ...]) -> tuple[PortRange, ...] | None:
        word = cursor.peek()
        if word in PORT_OPERATORS:
            return read_port_operator(cursor, port_names_for(DIALECT, protocols), DIALECT)
        if word != "object-group":
            return None
        name = cursor.peek_word(1)
        if name is None or self.groups.group_kind(name) != "port":
            return None
        cursor.take("object-group")
        cursor.take("port object-group name")
        group_protocols, ports = self.groups.port_group(name)
        if not set(protocols) <= set(group_protocols):
            raise NotUnderstood(f"port object-group '{name}' is not for this protocol")
        return ports

    def acl_icmp(self, cursor: Cursor) -> tuple[IcmpMatch, ...] | None:
        name = cursor.peek_word(1)
        if cursor.peek() == "object-group" and self.groups.group_kind(name) == "icmp-type" and name is not None:
            cursor.take("object-group")
            cursor.take("icmp-type object-group name")
            return self.groups.icmp_group(name)
        return read_icmp_type(cursor, DIALECT)

    def acl_icmp_group(self, cursor: Cursor) -> tuple[IcmpMatch, ...] | None:
        """After a protocol object-group only an icmp-type object-group may follow."""
        name = cursor.peek_word(1)
        if cursor.peek() == "object-group" and self.groups.group_kind(name) == "icmp-type" and name is not None:
            cursor.take("object-group")
            cursor.take("icmp-type object-group name")
            return self.groups.icmp_group(name)
        return None


class AccessGroups:
    """`access-group` bindings of one file: per interface (kept on the interface drafts)
    and global."""

    def __init__(self, book: AsaBook, acls: AclReader, interfaces: InterfaceReader) -> None:
        self.book = book
        self.acls = acls
        self.interfaces = interfaces
        self.global_acl: str | None = None
        self.global_acl_source: Source | None = None

    def access_group(self, obj: Any, words: list[str]) -> None:
        """`access-group NAME in|out interface IF [per-user-override | control-plane]` or
        `access-group NAME global`."""
        index = obj.linenum
        lowered = [word.lower() for word in words]
        self.book.unexpected_children(obj)
        name = words[1] if len(words) > 1 else ""
        if len(words) == 3 and lowered[2] == "global":
            if self.undefined_acl(index, name):
                return
            self.global_acl, self.global_acl_source = name, self.book.source(index)
            self.book.parsed(index)
            return
        options = lowered[5:]
        if (
            len(words) < 5
            or lowered[2] not in ("in", "out")
            or lowered[3] != "interface"
            or options not in ([], ["per-user-override"], ["control-plane"])
        ):
            self.book.unknown(index, FORWARDING, "access-group command not understood")
            return
        if options == ["control-plane"]:
            self.book.unknown(index, HARMLESS, "control-plane ACL: filters traffic to the device itself")
            return
        draft = self.interfaces.interface_by_nameif(words[4])
        if draft is None:
            self.book.unknown(
                index, FORWARDING, f"no interface is named '{words[4]}': the ASA rejects this access-group"
            )
            return
        if name in self.acls.non_ip_acls and name not in self.acls.drafts:
            self.book.unknown(index, HARMLESS, "binding of a non-IP (EtherType / WebVPN) ACL")
            return
        if self.undefined_acl(index, name):
            return
        if lowered[2] == "in":
            draft.acl_in, draft.acl_in_source = name, self.book.source(index)
        else:
            draft.acl_out, draft.acl_out_source = name, self.book.source(index)
        if options == ["per-user-override"]:
            self.book.unknown(
                index,
                FORWARDING,
                "per-user-override: per-user ACLs downloaded for VPN users replace "
                "this ACL for their traffic; not modelled",
            )
        else:
            self.book.parsed(index)

    def undefined_acl(self, index: int, name: str) -> bool:
        if name in self.acls.drafts:
            return False
        self.book.unknown(
            index, FORWARDING, f"ACL '{name}' is not defined: the ASA rejects this access-group, so no ACL is bound"
        )
        return True


_ICMP_GROUP_ONLY = "icmp-type object-group"
_IDENTITY_QUALIFIERS = frozenset({"user", "user-group", "object-group-user", "security-group", "object-group-security"})


def _ipv6_only(services: tuple[Service, ...]) -> bool:
    if len(services) == 1:  # the common case, without starting a generator
        return services[0].ipv6_only
    return bool(services) and all(service.ipv6_only for service in services)


def _ipv4_services(services: tuple[Service, ...]) -> tuple[Service, ...]:
    """The services that can match IPv4, each once. Deduplicated here, not as Matches:
    hashing a Match hashes every address pattern."""
    if len(services) == 1:  # the common case: one protocol, no list to build
        return () if services[0].ipv6_only else services
    return tuple(dict.fromkeys(service for service in services if not service.ipv6_only))


def _no_ipv4_reason(ipv6: bool) -> str:
    return "IPv6-only entry: matches no IPv4 packet" if ipv6 else "entry matches no packet (empty object-group)"


def _ported_entry(
    protocols: tuple[int, ...],
    source: Addresses,
    destination: Addresses,
    src_ports: tuple[PortRange, ...] | None,
    dst_ports: tuple[PortRange, ...] | None,
    notes: Sequence[str],
) -> _Entry:
    """The entry of one protocol that takes ports (tcp or udp) and no ICMP type."""
    if source.wildcards == () or destination.wildcards == ():
        return _Entry((), no_ipv4=_no_ipv4_reason(source.ipv6 or destination.ipv6))
    match = Match(protocols, source.wildcards, destination.wildcards, src_ports, dst_ports, False, None)
    return _Entry((match,), approximation="; ".join(notes), widened=_widened(source, destination))


def _matches(
    services: tuple[Service, ...], src: tuple[Wildcard, ...] | None, dst: tuple[Wildcard, ...] | None
) -> tuple[Match, ...]:
    if len(services) == 1:  # the common case, without a generator
        service = services[0]
        return (Match(service.protocols, src, dst, service.src_ports, service.dst_ports, False, service.icmp),)
    return tuple(
        Match(service.protocols, src, dst, service.src_ports, service.dst_ports, False, service.icmp)
        for service in services
    )


def _widened(source: Addresses, destination: Addresses) -> str:
    """Why the entry was widened to any address ("" when it was not), each reason once."""
    if not source.problem and not destination.problem:
        return ""
    return "; ".join(dict.fromkeys(problem for problem in (source.problem, destination.problem) if problem))


def _with_ports(
    service: Service, src_ports: tuple[PortRange, ...] | None, dst_ports: tuple[PortRange, ...] | None
) -> Service:
    # `dataclasses.replace` with every field spelled out: replace costs several times more
    # and runs for every entry of ACLs that have tens of thousands.
    return Service(service.protocols, src_ports, dst_ports, service.icmp, service.ipv6_only)


def _with_icmp(service: Service, icmp: tuple[IcmpMatch, ...] | None) -> Service:
    return Service(service.protocols, service.src_ports, service.dst_ports, icmp, service.ipv6_only)


def _icmp_types_on_icmp_only(protocols: tuple[int, ...] | None, icmp: tuple[IcmpMatch, ...]) -> tuple[Service, ...]:
    """A protocol object-group followed by an icmp-type object-group: the ICMP types
    restrict the group's ICMP member only; its other protocols match whatever they carry.
    `protocols` None (the group holds `ip`): ICMP with those types, every other protocol."""
    others = tuple(p for p in (protocols if protocols is not None else range(256)) if p != PROTO_ICMP)
    services = []
    if protocols is None or PROTO_ICMP in protocols:
        services.append(Service((PROTO_ICMP,), icmp=icmp))
    if others:
        services.append(Service(others))
    return tuple(services)


def _read_acl_options(cursor: Cursor) -> tuple[list[str], bool]:
    """`log [LEVEL] [interval N] | log disable | log default`, `time-range NAME`,
    `inactive`; returns approximation notes and whether the entry is inactive."""
    notes: list[str] = []
    inactive = False
    while not cursor.done():
        word = cursor.take_lower("option")
        if word == "log":
            following = cursor.peek()
            if following in ("disable", "default"):
                cursor.take("log setting")
                continue
            if following in LOG_LEVELS:
                cursor.take("log level")
            if cursor.peek() == "interval":
                cursor.take("interval")
                number(cursor.take("log interval"), 1, 3600, "log interval")
        elif word == "time-range":
            name = cursor.take("time-range name")
            notes.append(f"time-range '{name}' ignored: the entry is treated as always active")
        elif word == "inactive":
            inactive = True
        else:
            raise NotUnderstood(f"unexpected '{cursor.words[cursor.position - 1]}'")
    return notes, inactive
