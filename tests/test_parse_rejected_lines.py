"""Lines the device rejects: command words separated by anything but ASCII space or tab
(U+3000 from a Japanese input method, NBSP, EM SPACE, control characters). They are
absent from the model and reported; free text (descriptions, remarks, banners) may hold
any character."""

from __future__ import annotations

import pytest

from nankoku_netcheck.model import Device, UnknownKind, UnknownLine
from nankoku_netcheck.vendors.cisco_asa import parser as cisco_asa
from nankoku_netcheck.vendors.cisco_ios import parser as cisco_ios
from nankoku_netcheck.vendors.common import rejected_character, split_words

HARMLESS = UnknownKind.HARMLESS
FORWARDING = UnknownKind.FORWARDING
NAMES = {"\u3000": "IDEOGRAPHIC SPACE", "\u00a0": "NO-BREAK SPACE", "\u2003": "EM SPACE"}
SPACES = list(NAMES)

IOS = """\
hostname r1
interface GigabitEthernet0/1
 description 庁内\u3000基幹 向け
 ip address 10.0.0.1 255.255.255.0
 ip access-group BLOCK in
 spanning-tree portfast
ip access-list extended BLOCK
 remark 全て\u3000拒否
 deny ip any any
"""  # the access-group is line 5

ASA = """\
ASA Version 9.8(1)
hostname fw
interface GigabitEthernet0/1
 nameif inside
 security-level 100
 ip address 10.1.1.1 255.255.255.0
access-list IN remark 庁内\u3000から
access-list IN extended deny ip any any
access-group IN in interface inside
"""  # the access-group is line 9


def unknown_at(device: Device, line: int) -> UnknownLine:
    return next(u for u in device.unknown_lines if u.source.line == line)


def replace_line(text: str, line: int, new: str) -> str:
    lines = text.split("\n")
    lines[line - 1] = new
    return "\n".join(lines)


def test_words_are_split_on_ascii_space_and_tab_only() -> None:
    assert split_words(" ip\taccess-group\u3000X  in\u00a0") == ["ip", "access-group\u3000X", "in\u00a0"]


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("ip access-group X in", None),
        (" ip access-group X\tin", None),
        ("ip access-group\u3000X in", "U+3000 IDEOGRAPHIC SPACE in 'access-group\u3000X'"),
        ("ip access-group X in\u00a0", "U+00A0 NO-BREAK SPACE in 'in\u00a0'"),
        ("\u2003ip route 0.0.0.0 0.0.0.0 10.0.0.2", "U+2003 EM SPACE in '\u2003ip'"),
        ("ip address 10.0.0.1\x0b255.255.255.0", "U+000B control character in '10.0.0.1\x0b255.255.255.0'"),
        ("ip access-group X\u200b in", "U+200B ZERO WIDTH SPACE in 'X\u200b'"),
        (" description 庁内\u3000基幹", None),
        ("access-list 10 remark 全て\u3000拒否", None),
        ("snmp-server location 南国市\u3000本庁舎", None),
        ("snmp-server\u3000location 南国市", "U+3000 IDEOGRAPHIC SPACE in 'snmp-server\u3000location'"),
        ("hostname 南国", None),  # non-ASCII letters are not separators; the parser judges names
    ],
)
def test_rejected_character_names_the_offending_word(line: str, expected: str | None) -> None:
    found = rejected_character(line)
    if expected is None:
        assert found is None
    else:
        assert found == f"{expected}; only ASCII space and tab separate words"


def test_free_text_with_full_width_spaces_is_accepted() -> None:
    device = cisco_ios.parse(IOS, "r1.cfg")
    assert device.interfaces["GigabitEthernet0/1"].acl_in == "BLOCK"
    assert device.forwarding_unknowns == []
    assert not any("rejects" in u.reason for u in device.unknown_lines)


@pytest.mark.parametrize("space", SPACES)
def test_ios_access_group_with_a_unicode_space_is_not_bound(space: str) -> None:
    text = replace_line(IOS, 5, f" ip access-group{space}BLOCK in")
    device = cisco_ios.parse(text, "r1.cfg")
    assert device.interfaces["GigabitEthernet0/1"].acl_in is None
    unknown = unknown_at(device, 5)
    assert unknown.kind is FORWARDING
    assert unknown.reason == (
        f"the device rejects this line: U+{ord(space):04X} {NAMES[space]} "
        f"in 'access-group{space}BLOCK'; only ASCII space and tab separate words"
    )


def test_ios_rejected_line_keeps_the_harmless_classification_of_its_command() -> None:
    device = cisco_ios.parse(replace_line(IOS, 6, " spanning-tree\u3000portfast"), "r1.cfg")
    unknown = unknown_at(device, 6)
    assert unknown.kind is HARMLESS
    assert unknown.reason.startswith("the device rejects this line: U+3000 IDEOGRAPHIC SPACE")
    assert device.forwarding_unknowns == []
    device = cisco_ios.parse(replace_line(IOS, 3, " description\u3000庁内"), "r1.cfg")
    assert unknown_at(device, 3).kind is HARMLESS
    assert unknown_at(device, 3).reason.endswith("harmless anyway: free text")


def test_ios_rejected_acl_entry_leaves_the_acl_without_it() -> None:
    device = cisco_ios.parse(replace_line(IOS, 9, " deny ip any\u00a0any"), "r1.cfg")
    assert device.acls["BLOCK"].lines == ()
    assert unknown_at(device, 9).kind is FORWARDING


def test_ios_lines_under_a_rejected_block_header_are_not_read() -> None:
    device = cisco_ios.parse(replace_line(IOS, 2, "interface\u3000GigabitEthernet0/1"), "r1.cfg")
    assert device.interfaces == {}
    assert unknown_at(device, 2).kind is FORWARDING
    for line in (4, 5):
        assert unknown_at(device, line).kind is FORWARDING
        assert unknown_at(device, line).reason.startswith("indented under line 2, which the device rejects: U+3000")
    # the rest of the file is read as before
    assert [line.action.value for line in device.acls["BLOCK"].lines] == ["deny"]


def test_ios_banner_text_may_hold_any_character() -> None:
    text = IOS + "banner motd ^C\n\u3000許可された\u3000利用者のみ\n^C\n"
    device = cisco_ios.parse(text, "r1.cfg")
    assert device.forwarding_unknowns == []
    assert unknown_at(device, 11).reason == "banner text"


@pytest.mark.parametrize("space", SPACES)
def test_asa_access_group_with_a_unicode_space_is_not_bound(space: str) -> None:
    device = cisco_asa.parse(replace_line(ASA, 9, f"access-group IN in{space}interface inside"), "fw.cfg")
    assert [rule.acl for rule in device.policy or () if rule.acl] == []
    unknown = unknown_at(device, 9)
    assert unknown.kind is FORWARDING
    assert unknown.reason.startswith(f"the device rejects this line: U+{ord(space):04X}")


def test_asa_remark_with_a_full_width_space_is_free_text() -> None:
    device = cisco_asa.parse(ASA, "fw.cfg")
    assert [(rule.acl, rule.from_interfaces) for rule in device.policy or () if rule.acl] == [
        ("IN", ("GigabitEthernet0/1",))
    ]
    assert device.forwarding_unknowns == []


def test_asa_rejected_management_line_stays_harmless() -> None:
    text = ASA + "ssh 0.0.0.0 0.0.0.0 inside\nssh\u3000timeout 60\n"
    device = cisco_asa.parse(text, "fw.cfg")
    assert unknown_at(device, 11).kind is HARMLESS
    assert device.forwarding_unknowns == []
