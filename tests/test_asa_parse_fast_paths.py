"""The ASA parser's fast paths on long ACLs read what the plainer code they replaced read.

Each shortcut is compared on random inputs with a reference copy of the code it replaced
(kept here): ACL entries (`extended_entry`, `acl_ports`, `acl_line`, sequences rebuilt by
`dataclasses.replace`), addresses (`ipv4_or_name`) and the management pass's lower-cased
words (`lowered_words`).
"""

from __future__ import annotations

from dataclasses import replace
from unittest import mock

from hypothesis import given, settings
from hypothesis import strategies as st

from nankoku_netcheck.cache import encode_device
from nankoku_netcheck.model import AclLine, Action, Device, Match, PortRange, ip_to_int
from nankoku_netcheck.vendors.cisco_asa import parser as asa_parser
from nankoku_netcheck.vendors.cisco_asa.acls import (
    _ICMP_GROUP_ONLY,
    AclDraft,
    AclReader,
    _Entry,
    _icmp_types_on_icmp_only,
    _read_acl_options,
    _with_icmp,
    _with_ports,
)
from nankoku_netcheck.vendors.cisco_asa.book import AsaBook
from nankoku_netcheck.vendors.cisco_asa.keywords import DIALECT, FORWARDING
from nankoku_netcheck.vendors.cisco_asa.mgmt_book import MgmtBook
from nankoku_netcheck.vendors.common import (
    PORT_OPERATORS,
    Cursor,
    NotUnderstood,
    is_ipv4,
    port_names_for,
    read_port_operator,
    split_words,
)

PATH = "configs/fw1.cfg"

DEFINITIONS = (
    "interface GigabitEthernet0/0",
    " nameif outside",
    " security-level 0",
    " ip address 203.0.113.2 255.255.255.0",
    "interface GigabitEthernet0/1",
    " nameif inside",
    " security-level 100",
    " ip address 10.1.1.1 255.255.255.0",
    "name 10.9.9.9 SERVER",
    "name 2001:db8::9 SERVER6",
    "object network OBJ",
    " host 10.2.2.2",
    "object network FQDN",
    " fqdn www.example.com",
    "object service WEB",
    " service tcp destination eq 80",
    "object-group network NETS",
    " network-object host 10.3.3.3",
    " network-object 10.4.0.0 255.255.0.0",
    "object-group network NETS6",
    " network-object host 2001:db8::1",
    "object-group network EMPTY",
    "object-group service SERVICES",
    " service-object tcp destination eq 443",
    " service-object icmp echo",
    " service-object icmp6",
    "object-group service MORE",
    " service-object tcp destination eq 443",
    " group-object SERVICES",
    "object-group service TCPPORTS tcp",
    " port-object eq 22",
    " port-object range 8000 8080",
    "object-group protocol TCPUDP",
    " protocol-object tcp",
    " protocol-object udp",
    "object-group protocol MIXED",
    " protocol-object icmp",
    " protocol-object udp",
    "object-group icmp-type PINGS",
    " icmp-object echo",
    " icmp-object echo-reply",
)

# The common words come several times: most drawn entries must be valid for the comparison to
# be worth anything (see test_random_entries_are_mostly_understood).
PROTOCOLS = st.sampled_from(
    [
        "tcp",
        "tcp",
        "udp",
        "ip",
        "tcp",
        "udp",
        "icmp",
        "icmp6",
        "gre",
        "TCP",
        "object-group TCPUDP",
        "object-group MIXED",
        "object-group SERVICES",
        "object-group TCPPORTS",
        "object WEB",
        "object icmp-echo",
        "object-group MISSING",
    ]
)
ADDRESSES = st.sampled_from(
    [
        "any",
        "any",
        "object-group NETS",
        "host 10.5.5.5",
        "any4",
        "any6",
        "ANY",
        "host 10.5.5.5",
        "host SERVER",
        "host SERVER6",
        "host 2001:db8::5",
        "10.6.0.0 255.255.0.0",
        "10.6.0.1 255.255.0.0",
        "object OBJ",
        "object FQDN",
        "object-group NETS",
        "object-group NETS6",
        "object-group EMPTY",
        "interface inside",
        "interface nowhere",
        "user alice",
        "300.1.1.1 255.0.0.0",
    ]
)
PORTS = st.sampled_from(["", "", "eq 80", "eq www", "range 1000 2000", "gt 1023", "object-group TCPPORTS", "eq"])
TAILS = st.sampled_from(
    ["", "", "", "echo", "object-group PINGS", "log", "log 6 interval 30", "time-range T", "inactive"]
)
TAILS_AFTER = st.sampled_from(["", "", "", "", "", "log disable", "inactive", "junk"])


@st.composite
def acl_entries(draw: st.DrawFn) -> str:
    action = draw(st.sampled_from(["permit", "deny", "permit", "deny", "Permit", "allow"]))
    words = [action, draw(PROTOCOLS), draw(ADDRESSES), draw(PORTS), draw(ADDRESSES), draw(PORTS)]
    words += [draw(TAILS), draw(TAILS_AFTER)]
    return " ".join(word for word in words if word)


VALID_ADDRESSES = st.sampled_from(["any", "host 10.5.5.5", "10.6.0.0 255.255.0.0", "object OBJ", "object-group NETS"])
VALID_PORTS = st.sampled_from(["", "eq 80", "range 1000 2000", "lt 1024", "neq 22"])


@st.composite
def well_formed_entries(draw: st.DrawFn) -> str:
    """tcp / udp entries the parser understands: most entries of a real ACL look like this."""
    protocol = draw(st.sampled_from(["tcp", "udp"]))
    words = [draw(st.sampled_from(["permit", "deny"])), protocol, draw(VALID_ADDRESSES), draw(VALID_PORTS)]
    words += [
        draw(VALID_ADDRESSES),
        draw(VALID_PORTS if protocol == "udp" else VALID_PORTS | st.just("object-group TCPPORTS")),
    ]
    words.append(draw(st.sampled_from(["", "", "log", "time-range T"])))
    return " ".join(word for word in words if word)


@st.composite
def other_well_formed_entries(draw: st.DrawFn) -> str:
    """Understood entries of other protocols, services and protocol groups."""
    protocol = draw(
        st.sampled_from(
            ["ip", "icmp", "gre", "object-group TCPUDP", "object-group SERVICES", "object-group MORE", "object WEB"]
        )
    )
    words = [draw(st.sampled_from(["permit", "deny"])), protocol, draw(VALID_ADDRESSES), draw(VALID_ADDRESSES)]
    words.append(draw(st.sampled_from(["", "", "log", "time-range T"])))
    return " ".join(word for word in words if word)


@st.composite
def acl_lines(draw: st.DrawFn) -> list[str]:
    lines = []
    for entry in draw(
        st.lists(st.one_of(well_formed_entries(), other_well_formed_entries(), acl_entries()), min_size=1, max_size=8)
    ):
        position = draw(st.sampled_from(["", "", "line 1 ", "line 2 ", "line 9 "]))
        remark = draw(st.booleans()) and draw(st.booleans())
        body = "remark note" if remark else f"extended {entry}"
        lines.append(f"access-list ACL {position}{body}")
    return lines


class _ReferenceAclReader(AclReader):
    """The ACL entry code before the fast paths (entries without sequence: `freeze` then
    rebuilds each one, as `dataclasses.replace` did)."""

    def acl_line(self, kind: str, words: list[str], index: int, sequence: int | None = None) -> AclLine | None:
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
            self.book.unknown(index, asa_parser.HARMLESS, "inactive entry: it matches no packet")
            return None
        if entry.no_ipv4:
            self.book.unknown(index, asa_parser.HARMLESS, entry.no_ipv4)
            return None
        if entry.widened:
            self.book.unknown(index, FORWARDING, f"ACL entry widened to any address: {entry.widened}")
        else:
            self.book.parsed(index)
        return AclLine(
            action=action,
            matches=entry.matches,
            source=self.book.source(index),
            understood=not entry.widened,
            approximation=entry.approximation,
        )

    def extended_entry(self, cursor: Cursor) -> _Entry:
        services, port_protocols, takes_icmp = self.acl_protocol(cursor)
        if services and all(service.ipv6_only for service in services):
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
        notes, inactive = _read_acl_options(cursor)
        if inactive:
            return _Entry((), inactive=True)
        if port_protocols:
            services = tuple(_with_ports(service, src_ports, dst_ports) for service in services)
        if takes_icmp == _ICMP_GROUP_ONLY:
            if icmp is not None:
                services = _icmp_types_on_icmp_only(services[0].protocols, icmp)
        elif takes_icmp:
            services = tuple(_with_icmp(service, icmp) for service in services)
        ipv4_services = [service for service in services if not service.ipv6_only]
        if len(ipv4_services) > 1:
            ipv4_services = list(dict.fromkeys(ipv4_services))
        if source.wildcards == () or destination.wildcards == () or not ipv4_services:
            ipv6 = source.ipv6 or destination.ipv6 or any(service.ipv6_only for service in services)
            reason = (
                "IPv6-only entry: matches no IPv4 packet" if ipv6 else "entry matches no packet (empty object-group)"
            )
            return _Entry((), no_ipv4=reason)
        matches = tuple(
            Match(
                protocols=service.protocols,
                src=source.wildcards,
                dst=destination.wildcards,
                src_ports=service.src_ports,
                dst_ports=service.dst_ports,
                icmp=service.icmp,
            )
            for service in ipv4_services
        )
        widened = "; ".join(dict.fromkeys(problem for problem in (source.problem, destination.problem) if problem))
        return _Entry(matches, approximation="; ".join(notes), widened=widened)

    def acl_ports(self, cursor: Cursor, protocols: tuple[int, ...]) -> tuple[PortRange, ...] | None:
        if cursor.peek() in PORT_OPERATORS:
            return read_port_operator(cursor, port_names_for(DIALECT, protocols), DIALECT)
        name = cursor.peek_word(1)
        if cursor.peek() == "object-group" and self.groups.group_kind(name) == "port" and name is not None:
            cursor.take("object-group")
            cursor.take("port object-group name")
            group_protocols, ports = self.groups.port_group(name)
            if not set(protocols) <= set(group_protocols):
                raise NotUnderstood(f"port object-group '{name}' is not for this protocol")
            return ports
        return None


def parse_both(lines: list[str]) -> tuple[Device, Device]:
    text = "\n".join([*DEFINITIONS, *lines, "access-group ACL in interface outside"]) + "\n"
    new = asa_parser.parse(text, PATH)
    with mock.patch.object(asa_parser, "AclReader", _ReferenceAclReader):
        old = asa_parser.parse(text, PATH)
    return new, old


@settings(max_examples=150, deadline=None, derandomize=True)
@given(acl_lines())
def test_acl_entries_read_as_the_reference_reads_them(lines: list[str]) -> None:
    new, old = parse_both(lines)
    assert new == old
    encoded_new, encoded_old = encode_device(new), encode_device(old)
    assert encoded_new is not None and encoded_old is not None
    assert encoded_new.payload == encoded_old.payload


def test_the_strategy_draws_entries_with_ports() -> None:
    """Not a property of the parser: the measure of the strategy above. Over the examples
    the comparison draws, a fair share of the entries are parsed into matches with ports."""
    counts = {"entries": 0, "with ports": 0}

    @settings(max_examples=150, deadline=None, derandomize=True)
    @given(acl_lines())
    def count(lines: list[str]) -> None:
        device, _ = parse_both(lines)
        counts["entries"] += sum(1 for line in lines if "remark" not in line)
        counts["with ports"] += (
            sum(
                1
                for line in device.acls["ACL"].lines
                if any(match.src_ports or match.dst_ports for match in line.matches)
            )
            if "ACL" in device.acls
            else 0
        )

    count()
    assert counts["with ports"] * 10 >= counts["entries"], counts


def test_the_generated_entries_reach_every_outcome() -> None:
    """The strategy above is worth something only if its entries are parsed, widened,
    refused and dropped alike; here one of each, with a shifted sequence."""
    new, old = parse_both(
        [
            "access-list ACL extended permit tcp any object-group NETS object-group TCPPORTS",
            "access-list ACL extended permit ip object FQDN any",
            "access-list ACL extended permit tcp any any eq",
            "access-list ACL extended permit ip any6 any",
            "access-list ACL line 1 extended deny udp host SERVER any eq 53 log",
        ]
    )
    assert new == old
    kinds = {unknown.source.line: unknown.kind for unknown in new.unknown_lines}
    first = len(DEFINITIONS) + 1
    assert kinds.get(first + 1) is FORWARDING and kinds.get(first + 2) is FORWARDING
    assert kinds.get(first + 3) is asa_parser.HARMLESS and first not in kinds
    assert [line.sequence for line in new.acls["ACL"].lines] == [1, 2, 3, 4]


@given(st.lists(st.tuples(st.one_of(st.none(), st.integers(1, 6)), st.booleans()), max_size=12))
def test_frozen_sequences_are_the_slots_after_every_insertion(inserts: list[tuple[int | None, bool]]) -> None:
    book = AsaBook("x\n", PATH)
    draft, reference = AclDraft("ACL", book.source(0)), AclDraft("ACL", book.source(0))
    for number, (position, remark) in enumerate(inserts):
        line = None if remark else AclLine(Action.PERMIT, (Match(protocols=(number,)),), book.source(0))
        draft.insert(position, line if line is None else replace(line, sequence=draft.slot(position)))
        reference.insert(position, line)
    expected = [
        replace(line, sequence=slot) for slot, line in enumerate(reference.entries, start=1) if line is not None
    ]
    assert list(draft.freeze().lines) == expected


def _reference_ipv4_or_name(book: AsaBook, word: str) -> int:
    if is_ipv4(word):
        return ip_to_int(word)
    value = book.names.get(word)
    if value is not None:
        return value
    if word in book.names:
        raise NotUnderstood(f"name '{word}' is an IPv6 address")
    raise NotUnderstood(f"'{word}' is neither an IPv4 address nor a defined name")


ADDRESS_WORDS = st.one_of(
    st.text(alphabet="0123456789.", max_size=16),
    st.text(alphabet="0129.٣²x ", max_size=12),
    st.sampled_from(["SERVER", "SERVER6", "10.0.0.1", "255.255.255.255", "256.0.0.1", "01.002.0003.4", "1.2.3.4."]),
)


@given(ADDRESS_WORDS)
def test_addresses_and_names_read_as_the_reference_reads_them(word: str) -> None:
    book = AsaBook("x\n", PATH)
    book.names.update({"SERVER": 0x0A090909, "SERVER6": None})
    try:
        expected: int | str = _reference_ipv4_or_name(book, word)
    except NotUnderstood as problem:
        expected = str(problem)
    try:
        found: int | str = book.ipv4_or_name(word)
    except NotUnderstood as problem:
        found = str(problem)
    assert found == expected


@given(st.text(alphabet="aZ İ\t\x0b\u3000\u00a0-Kk", max_size=20))
def test_lowered_words_are_the_words_lower_cased(line: str) -> None:
    book = MgmtBook([line], PATH, {}, {})
    assert book.lowered_words(0) == [word.lower() for word in split_words(line)]
