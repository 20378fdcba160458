"""The Cisco-style readers' fast paths give what the plain readers gave: addresses, port
operators, interface names and commands, and the management pass's test for lines that
cannot hold a reference."""

from __future__ import annotations

from collections.abc import Callable, Mapping

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from nankoku_netcheck.model import PORT_MAX, PortRange, ip_to_int, is_decimal
from nankoku_netcheck.vendors.cisco_ios import interfaces as interfaces_module
from nankoku_netcheck.vendors.cisco_ios import mgmt_ports as mgmt_ports_module
from nankoku_netcheck.vendors.cisco_ios.interfaces import _split_interface_name
from nankoku_netcheck.vendors.cisco_ios.mgmt_book import MgmtBook
from nankoku_netcheck.vendors.cisco_ios.mgmt_references import (
    NamedObjects,
    _block_may_reference,
    _may_reference,
    _may_reference_in_entry,
)
from nankoku_netcheck.vendors.cisco_ios.names import TCP_PORT_NAMES
from nankoku_netcheck.vendors.cisco_ios.parser import parse as ios_parse
from nankoku_netcheck.vendors.common import (
    Cursor,
    Dialect,
    NotUnderstood,
    complement_ports,
    ipv4,
    read_port_operator,
    split_words,
)

ADDRESS_PIECES = ["0", "1", "10", "255", "256", "999", "0010", "1.2", ".", "..", "a", " ", "-1", "٣", "²", "１"]


def _reference_ip_to_int(text: str) -> int:
    """`model.ip_to_int` before it read the address by one pattern."""
    parts = text.split(".")
    if len(parts) != 4:
        raise ValueError(f"not an IPv4 address: {text!r}")
    value = 0
    for part in parts:
        if not is_decimal(part) or len(part) > 3 or int(part) > 255:
            raise ValueError(f"not an IPv4 address: {text!r}")
        value = (value << 8) | int(part)
    return value


def _ip_or_none(read: Callable[[str], int], word: str) -> int | None:
    try:
        return read(word)
    except ValueError:
        return None


def _ipv4_or_none(word: str) -> int | None:
    try:
        return ipv4(word)
    except NotUnderstood:
        return None


@settings(max_examples=500, deadline=None)
@given(
    st.one_of(
        st.lists(st.sampled_from(ADDRESS_PIECES), max_size=8).map("".join),
        st.lists(st.sampled_from(ADDRESS_PIECES), min_size=4, max_size=4).map(".".join),
        st.tuples(*[st.integers(0, 300)] * 4).map(lambda parts: ".".join(map(str, parts))),
        st.text(max_size=16),
    )
)
@example("0010.1.1.1")
@example("1.2.3.0010")
@example("1.2.3.256")
@example("1.2.3.4.5")
@example("1.2.3.4\n")
@example("1.2.3.٣")
@example("255.255.255.255")
def test_ipv4_reads_what_the_split_reader_read(word: str) -> None:
    expected = _ip_or_none(_reference_ip_to_int, word)
    assert _ip_or_none(ip_to_int, word) == expected
    assert _ipv4_or_none(word) == expected


def _reference_port_number(word: str, names: Mapping[str, int]) -> int:
    if is_decimal(word) and int(word) <= PORT_MAX:
        return int(word)
    if word.lower() in names:
        return names[word.lower()]
    raise NotUnderstood(f"unknown port '{word}'")


def _reference_read_port_operator(
    cursor: Cursor, names: Mapping[str, int], dialect: Dialect
) -> tuple[PortRange, ...] | None:
    """read_port_operator before its one-port shortcut."""
    operator = cursor.peek()
    if operator not in ("eq", "neq", "lt", "gt", "range"):
        return None
    cursor.take("port operator")
    first = _reference_port_number(cursor.take("port"), names)
    if operator in ("eq", "neq"):
        ports = {first}
        while dialect.several_ports_per_operator and (
            (is_decimal(cursor.peek() or "") and int(cursor.peek() or "") <= PORT_MAX)
            or (cursor.peek() or "").lower() in names
        ):
            ports.add(_reference_port_number(cursor.take("port"), names))
        if operator == "eq":
            return tuple(PortRange(each, each) for each in sorted(ports))
        return complement_ports(ports)
    if operator == "lt":
        return (PortRange(0, first - 1),) if first > 0 else ()
    if operator == "gt":
        return (PortRange(first + 1, PORT_MAX),) if first < PORT_MAX else ()
    last = _reference_port_number(cursor.take("port"), names)
    if last < first:
        raise NotUnderstood(f"port range {first}-{last} is empty")
    return (PortRange(first, last),)


PORT_WORDS = ["eq", "neq", "lt", "gt", "range", "0", "22", "443", "65535", "65536", "www", "WWW", "log", "x"]


PortReader = Callable[[Cursor, Mapping[str, int], Dialect], tuple[PortRange, ...] | None]


def _outcome(read: PortReader, words: list[str], several: bool) -> tuple[object, int]:
    dialect = Dialect({}, TCP_PORT_NAMES, {}, {}, several)
    cursor = Cursor(words)
    try:
        result: object = read(cursor, TCP_PORT_NAMES, dialect)
    except NotUnderstood as problem:
        result = str(problem)
    return result, cursor.position


@settings(max_examples=500, deadline=None)
@given(st.lists(st.sampled_from(PORT_WORDS), max_size=6), st.booleans())
def test_port_operators_read_as_before(words: list[str], several: bool) -> None:
    assert _outcome(read_port_operator, words, several) == _outcome(_reference_read_port_operator, words, several)


ENTRY_WORDS = ["permit", "deny", "tcp", "any", "host", "10.0.0.1", "object-group", "OBJECT-GROUP", "G1"]
ENTRY_WORDS += ["evaluate", "Evaluate", "reflect", "REFLECT", "R1", "eq", "80", "log", "remark", "ΣΑΣ"]


@settings(max_examples=500, deadline=None)
@given(st.lists(st.sampled_from(ENTRY_WORDS), min_size=1, max_size=7))
def test_acl_entries_passed_over_by_the_management_pass_name_nothing(words: list[str]) -> None:
    line = " " + " ".join(words)
    book = MgmtBook([line], "p", set())
    objects = NamedObjects(book)
    lowered = [word.lower() for word in split_words(line)]
    objects.acl_entry_references(0, lowered, split_words(line))
    objects.reflexive(0, lowered, split_words(line))
    if not _may_reference_in_entry(line):
        assert not book.settings.references
        assert not book.settings.definitions


def _reference_split_interface_name(name: str) -> tuple[str, str]:
    index = 0
    while index < len(name) and (name[index].isalpha() or name[index] == "-"):
        index += 1
    return name[:index], name[index:]


@settings(max_examples=500, deadline=None)
@given(
    st.one_of(
        st.text(max_size=12),
        st.lists(st.sampled_from(["Gi", "Port-channel", "-", "0/1", ".", "1", "é", "²", "ギガ", " ", "_"])).map(
            "".join
        ),
    )
)
def test_interface_names_split_as_before(name: str) -> None:
    assert _split_interface_name(name) == _reference_split_interface_name(name)


INTERFACE_FIRST = ["description", "shutdown", "no", "ip", "autostate", "vrf", "standby", "switchport", "ipv6"]
INTERFACE_FIRST += ["encapsulation", "channel-group", "tunnel", "zone-member", "service-policy", "spanning-tree"]
INTERFACE_FIRST += ["authentication", "dot1x", "Shutdown", "IP", "cdp", "mtu", "glbp", "vrrp", "xyz"]
# Whole tails of the commands read, so that each is drawn often enough after each first word.
INTERFACE_TAILS = [[], ["address", "10.0.0.1", "255.255.255.0"], ["access-group", "A", "in"], ["security", "Z"]]
INTERFACE_TAILS += [["mode", "access"], ["access", "vlan", "10"], ["dot1q", "10"], ["forwarding", "V"], ["1"]]
INTERFACE_TAILS += [["ip", "address"], ["shutdown"], ["directed-broadcast"], ["switchport"], ["autostate"]]
INTERFACE_TAILS += [["source", "Gi0/2"], ["input", "epbr"], ["enable"], ["port-control", "auto"], ["portfast"]]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(INTERFACE_FIRST), st.sampled_from(INTERFACE_TAILS)), min_size=1, max_size=6))
def test_interface_commands_outside_the_modelled_first_words_read_as_without_that_shortcut(
    commands: list[tuple[str, list[str]]],
) -> None:
    text = "hostname r1\ninterface GigabitEthernet0/1\n" + "".join(
        f" {' '.join([first, *rest])}\n" for first, rest in commands
    )
    shortcut = repr(ios_parse(text, "r1.cfg"))
    every_word = frozenset({*interfaces_module._MODELLED_FIRST_WORDS, *(first.lower() for first, _ in commands)})
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(interfaces_module, "_MODELLED_FIRST_WORDS", every_word)
        assert repr(ios_parse(text, "r1.cfg")) == shortcut


BLOCK_LINES = ["interface Vlan10", " ip access-group A in", " switchport mode access", " description Map", " LIST"]
BLOCK_LINES += [" route-map X", " match ip", " ip multicast boundary 1", "ip nat inside source list 1", " ma", "p", ""]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(BLOCK_LINES), min_size=1, max_size=6))
def test_a_block_passed_over_whole_has_no_line_with_a_reference_hint(lines: list[str]) -> None:
    assert _block_may_reference(lines) == any(_may_reference(line) for line in lines)


def _reference_split_words(line: str) -> list[str]:
    return [word for word in line.replace("\t", " ").split(" ") if word]


@settings(max_examples=500, deadline=None)
@given(
    st.one_of(
        st.text(max_size=20),
        st.lists(st.sampled_from(["ip", " ", "  ", "\t", "\x0b", "\x1f", "\r", "\u3000", "\xa0", "庁内", "x"])).map(
            "".join
        ),
    )
)
def test_words_split_as_before(line: str) -> None:
    assert split_words(line) == _reference_split_words(line)


PORT_FIRST = ["cdp", "no", "switchport", "dot1x", "authentication", "access-session", "mab", "ip", "pppoe-client"]
PORT_FIRST += ["dialer", "ipv6", "mac", "encryption", "description", "spanning-tree", "CDP", "Mab", "shutdown", "x"]
# Whole tails of the commands read, so that each is drawn often enough after each first word.
PORT_TAILS = [[], ["enable"], ["cdp", "enable"], ["port-security"], ["port-security", "mac-address", "sticky"]]
PORT_TAILS += [["port-control", "auto"], ["mac-auth-bypass"], ["address", "dhcp"], ["address", "pool", "P"]]
PORT_TAILS += [["unnumbered", "Loopback0"], ["pool", "1"], ["access-group", "A", "in"], ["traffic-filter", "A", "in"]]
PORT_TAILS += [["vlan", "10", "ciphers", "aes-ccm"], ["mode", "access"], ["x", "y"]]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(PORT_FIRST), st.sampled_from(PORT_TAILS)), min_size=1, max_size=6))
def test_interface_facts_outside_the_read_first_words_are_as_without_that_shortcut(
    commands: list[tuple[str, list[str]]],
) -> None:
    text = "hostname r1\ninterface GigabitEthernet0/1\n" + "".join(
        f" {' '.join([first, *rest])}\n" for first, rest in commands
    )
    shortcut = repr(ios_parse(text, "r1.cfg").mgmt)
    every_word = frozenset({*mgmt_ports_module._READ_FIRST_WORDS, *(first.lower() for first, _ in commands)})
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(mgmt_ports_module, "_READ_FIRST_WORDS", every_word)
        assert repr(ios_parse(text, "r1.cfg").mgmt) == shortcut


# --- the first-word sets name every first word the branches test ----------------------------


def _first_words_tested(function: object, first_names: tuple[str, ...]) -> set[str]:
    """Every string a branch of `function` compares a command's first word with: `first == "x"`,
    `first in ("x", "y")`, `lowered[0] == "x"`, and the first item of a list compared with
    `lowered[:n]` / `lowered` (`lowered[:2] == ["no", "shutdown"]`, `lowered in (["mab"], ...)`)."""
    import ast
    import inspect
    import textwrap

    tree = ast.parse(textwrap.dedent(inspect.getsource(function)))  # type: ignore[arg-type]
    words: set[str] = set()

    def strings(node: ast.expr) -> list[str]:
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            return [node.value]
        if isinstance(node, ast.Tuple | ast.List | ast.Set):
            return [text for item in node.elts for text in strings(item)]
        return []

    def first_items(node: ast.expr) -> list[str]:
        if isinstance(node, ast.List) and node.elts:
            return strings(node.elts[0])
        if isinstance(node, ast.Tuple):
            return [text for item in node.elts for text in first_items(item)]
        return []

    def is_first_word(node: ast.expr) -> bool:
        if isinstance(node, ast.Name):
            return node.id in first_names
        return (
            isinstance(node, ast.Subscript)
            and isinstance(node.value, ast.Name)
            and node.value.id == "lowered"
            and isinstance(node.slice, ast.Constant)
            and node.slice.value == 0
        )

    def is_whole_or_head(node: ast.expr) -> bool:
        if isinstance(node, ast.Name):
            return node.id == "lowered"
        return (
            isinstance(node, ast.Subscript)
            and isinstance(node.value, ast.Name)
            and node.value.id == "lowered"
            and isinstance(node.slice, ast.Slice)
            and node.slice.lower is None
        )

    for node in ast.walk(tree):
        if isinstance(node, ast.Compare) and len(node.ops) == 1 and isinstance(node.ops[0], ast.Eq | ast.In):
            left, right = node.left, node.comparators[0]
            if is_first_word(left):
                words.update(strings(right))
            elif is_whole_or_head(left):
                words.update(first_items(right))
    return words


def test_the_modelled_first_words_hold_every_first_word_command_known_branches_on() -> None:
    """A branch added on a new first word without the word in the set would never run: the
    command would be classified by table instead of read into the model."""
    from nankoku_netcheck.vendors.cisco_ios import interfaces

    tested = _first_words_tested(interfaces.InterfaceReader.command_known, ("first",))
    assert {"description", "shutdown", "ip", "switchport", "standby"} <= tested  # the reader finds the branches
    assert tested <= interfaces._MODELLED_FIRST_WORDS, sorted(tested - interfaces._MODELLED_FIRST_WORDS)


def test_the_read_first_words_hold_every_first_word_interface_child_branches_on() -> None:
    from nankoku_netcheck.vendors.cisco_ios import mgmt_ports

    tested = _first_words_tested(mgmt_ports.PortReader.interface_child, ())
    assert {"cdp", "no", "switchport", "dot1x", "mab", "ip"} <= tested
    assert tested <= mgmt_ports._READ_FIRST_WORDS, sorted(tested - mgmt_ports._READ_FIRST_WORDS)
