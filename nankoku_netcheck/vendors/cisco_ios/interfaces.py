"""IOS interfaces: names and abbreviations, `interface` blocks (addresses, ACL bindings,
switchports, subinterfaces, tunnels, first-hop redundancy), autostate and static ARP."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from nankoku_netcheck.model import (
    Interface,
    InterfaceAddress,
    RelayTarget,
    Source,
    StaticArp,
    UnknownKind,
    ip_to_int,
    is_decimal,
    mask_to_length,
    normalize_mac,
)
from nankoku_netcheck.vendors.cisco_ios.keywords import (
    INTERFACE_COMMANDS,
    INTERFACE_NEGATED_HARMLESS,
    IPV6_SETTING,
    PBR,
    TUNNEL,
)
from nankoku_netcheck.vendors.cisco_ios.names import INTERFACE_ABBREVIATIONS, INTERFACE_TYPES
from nankoku_netcheck.vendors.cisco_ios.relay import helper_target
from nankoku_netcheck.vendors.common import (
    INTERFACE_KINDS,
    LineBook,
    NotUnderstood,
    descendants,
    interface_kind,
    is_ipv4,
    lookup_prefix,
    number,
    strip_blanks,
    vlan_list,
)

HARMLESS = UnknownKind.HARMLESS
FORWARDING = UnknownKind.FORWARDING

# --- interface names --------------------------------------------------------------

_INTERFACE_TYPES_BY_LOWER: Mapping[str, str] = {name.lower(): name for name in INTERFACE_TYPES}


def _interface_type_for(type_text: str) -> str | None:
    lowered = type_text.lower()
    if lowered in _INTERFACE_TYPES_BY_LOWER:
        return _INTERFACE_TYPES_BY_LOWER[lowered]
    if lowered in INTERFACE_ABBREVIATIONS:
        return INTERFACE_ABBREVIATIONS[lowered]
    candidates = [name for low, name in _INTERFACE_TYPES_BY_LOWER.items() if low.startswith(lowered)]
    return candidates[0] if len(candidates) == 1 else None


_ASCII_TYPE = re.compile("[A-Za-z-]*")


def _split_interface_name(name: str) -> tuple[str, str]:
    if name.isascii():  # ASCII letters are the only ASCII characters `isalpha` takes
        found = _ASCII_TYPE.match(name)
        index = found.end() if found else 0
        return name[:index], name[index:]
    index = 0
    while index < len(name) and (name[index].isalpha() or name[index] == "-"):
        index += 1
    return name[:index], name[index:]


def canonical_interface_name(name: str) -> str:
    """Full IOS interface name for an abbreviation (Gi0/1 → GigabitEthernet0/1,
    po1 → Port-channel1); case-insensitive. Unknown names are returned as given."""
    type_text, number = _split_interface_name(name.strip())
    if not type_text or not number or not is_decimal(number[0]):
        return name
    full_type = _interface_type_for(type_text)
    return full_type + number if full_type else name


# IOS also has bridge-domain interfaces.
_INTERFACE_KINDS: Mapping[str, str] = MappingProxyType({**INTERFACE_KINDS, "BDI": "svi"})


def _interface_kind(canonical: str) -> str:
    type_text, number = _split_interface_name(canonical)
    return interface_kind(type_text, "." in number, _INTERFACE_KINDS)


# The first words of the interface commands `InterfaceReader.command_known` reads (every
# branch there names one); any other command is classified by table.
_MODELLED_FIRST_WORDS = frozenset(
    {
        "description",
        "shutdown",
        "no",
        "ip",
        "autostate",
        "vrf",
        "standby",
        "vrrp",
        "glbp",
        "switchport",
        "encapsulation",
        "channel-group",
        "tunnel",
        "ipv6",
        "zone-member",
        "service-policy",
    }
)


# --- interface drafts ---------------------------------------------------------------


@dataclass
class InterfaceDraft:
    name: str
    source: Source
    kind: str
    primary: InterfaceAddress | None = None
    secondaries: list[InterfaceAddress] = field(default_factory=list)
    virtual_addresses: list[int] = field(default_factory=list)
    shutdown: bool = False
    description: str = ""
    acl_in: str | None = None
    acl_out: str | None = None
    acl_in_source: Source | None = None
    acl_out_source: Source | None = None
    layer2: bool = False
    switchport_mode: str | None = None
    negotiation: str = ""
    access_vlan: int | None = None
    trunk_vlans: tuple[int, ...] | None = None
    encapsulation_vlan: int | None = None
    properties: list[tuple[str, str]] = field(default_factory=list)
    ospf_processes: list[tuple[str, Source]] = field(default_factory=list)
    runs_isis: bool = False
    routed: bool = False  # explicit `no switchport`
    no_autostate: bool = False
    autostate_exclude: bool = False
    directed_broadcast: bool = False
    vrf: str = ""
    policy_route: str | None = None
    policy_route_source: Source | None = None
    relay_targets: list[RelayTarget] = field(default_factory=list)
    # PIM or DVMRP runs here: a multicast interface when the device routes multicast.
    multicast_protocol: bool = False

    def may_carry_vlan(self, vlan: int) -> bool:
        """Whether this port may be an up layer-2 port of `vlan` (autostate). When unsure,
        yes: a port with neither switchport nor address lines may be a switchport by the
        platform's default (Catalyst: dynamic, so a trunk of every VLAN)."""
        if self.shutdown or self.autostate_exclude or self.kind not in ("physical", "port-channel"):
            return False
        if not self.layer2:
            return not self.routed and not self.addresses() and self.encapsulation_vlan is None
        if self.switchport_mode == "access":
            voice = [value for key, value in self.properties if key == "voice_vlan"]
            return vlan == (self.access_vlan or 1) or str(vlan) in voice
        return self.trunk_vlans is None or vlan in self.trunk_vlans

    def addresses(self) -> tuple[InterfaceAddress, ...]:
        return ((self.primary,) if self.primary else ()) + tuple(self.secondaries)

    def freeze(self) -> Interface:
        mode = self.switchport_mode
        properties = list(self.properties)
        if self.layer2 and mode is None:
            mode = "trunk"
            properties.append(("switchport_negotiation", self.negotiation or "dynamic (mode not configured)"))
        return Interface(
            name=self.name,
            source=self.source,
            addresses=self.addresses(),
            virtual_addresses=tuple(dict.fromkeys(self.virtual_addresses)),
            shutdown=self.shutdown,
            description=self.description,
            acl_in=self.acl_in,
            acl_out=self.acl_out,
            acl_in_source=self.acl_in_source,
            acl_out_source=self.acl_out_source,
            switchport_mode=mode if self.layer2 else None,
            access_vlan=self.access_vlan,
            trunk_vlans=self.trunk_vlans,
            encapsulation_vlan=self.encapsulation_vlan,
            kind=self.kind,
            properties=tuple(properties),
            directed_broadcast=self.directed_broadcast,
            vrf=self.vrf,
            policy_route=self.policy_route,
            policy_route_source=self.policy_route_source,
            relay_targets=tuple(self.relay_targets),
            multicast=self.multicast_protocol,
        )


# `ip pim MODE` makes an interface a multicast interface (reach/multicast.py); `passive`
# forwards to the segment's receivers without PIM neighbours: counted too (the wider choice).
PIM_MODES = (["sparse-mode"], ["dense-mode"], ["sparse-dense-mode"], ["passive"])
_MULTICAST_PROTOCOL = {
    "dvmrp": "DVMRP setting: with multicast routing on, the interface forwards group traffic (modelled)",
    "cgmp": "CGMP tells layer-2 switches which ports joined a group: it only limits flooding",
}


# --- interface blocks ---------------------------------------------------------------


class InterfaceReader:
    """The `interface` blocks of one file, accounted for in `book`."""

    def __init__(self, book: LineBook) -> None:
        self.book = book
        # `zone-member security Z`: interface → (zone, line), read by the zone-based firewall (zbf_policy.py).
        self.zone_members: dict[str, tuple[str, Source]] = {}
        self.drafts: dict[str, InterfaceDraft] = {}
        # `ipv6 address` / `ipv6 enable` lines with their interface: forwarding only if the device
        # routes IPv6 between two of its interfaces (decided at the end).
        self.ipv6_lines: list[tuple[str, int]] = []
        # `ip policy route-map NAME` lines (index, NAME): judged once every route-map is read.
        self.policy_lines: list[tuple[int, str]] = []

    def interface(self, obj: Any, words: list[str]) -> None:
        book = self.book
        index = obj.linenum
        name_words = words[1:]
        split_number = len(name_words) >= 2 and is_decimal(name_words[1][:1])
        if split_number and not any(is_decimal(character) for character in name_words[0]):
            name_words = [name_words[0] + name_words[1], *name_words[2:]]
        extra = [word.lower() for word in name_words[1:]]
        if not name_words or extra not in ([], ["point-to-point"], ["multipoint"]):
            book.mark_block(obj, FORWARDING, f"interface declaration not understood: '{' '.join(words)}'")
            return
        name = canonical_interface_name(name_words[0])
        draft = self.drafts.get(name)
        if draft is None:
            draft = InterfaceDraft(name=name, source=book.source(index), kind=_interface_kind(name))
            self.drafts[name] = draft
        book.parsed(index)
        for child in obj.children:
            self.command(draft, child)

    def command(self, draft: InterfaceDraft, obj: Any) -> None:
        book = self.book
        index = obj.linenum
        if book.comment_or_blank(index):
            return
        words = book.words(index)
        lowered = [word.lower() for word in words]
        handled = self.command_known(draft, obj, words, lowered)
        if handled:
            return
        if lowered[0] == "no":
            self.negated_command(obj, lowered[1:])
            return
        entry = lookup_prefix(INTERFACE_COMMANDS, lowered)
        if entry is None:
            book.mark_block(obj, FORWARDING, f"interface command '{' '.join(words[:2])}' is not modelled")
        else:
            book.mark_block(obj, entry[0], entry[1])

    def command_known(self, draft: InterfaceDraft, obj: Any, words: list[str], lowered: list[str]) -> bool:
        """Commands that feed the model; False when the command is classified by table. A
        branch on a new first word needs that word in `_MODELLED_FIRST_WORDS`."""
        book = self.book
        index = obj.linenum
        first = lowered[0]
        if first not in _MODELLED_FIRST_WORDS:  # most table-classified lines: no walk down the chain
            return False
        second = lowered[1] if len(lowered) > 1 else ""
        if first == "description":
            draft.description = strip_blanks(strip_blanks(book.lines[index])[len(words[0]) :])
        elif first == "shutdown" and len(lowered) == 1:
            draft.shutdown = True
        elif lowered[:2] == ["no", "shutdown"]:
            draft.shutdown = False
        elif lowered[:3] == ["no", "ip", "address"]:
            draft.primary, draft.secondaries = None, []
        elif lowered[:2] == ["ip", "directed-broadcast"]:
            # With an ACL argument only matching broadcasts are forwarded; taken as all of them.
            draft.directed_broadcast = True
        elif lowered[:3] == ["no", "ip", "directed-broadcast"]:
            draft.directed_broadcast = False
        elif lowered[:2] == ["no", "switchport"] and len(lowered) == 2:
            draft.layer2, draft.switchport_mode, draft.routed = False, None, True
        elif lowered in (["autostate"], ["no", "autostate"]):
            draft.no_autostate = first == "no"
        elif lowered[:2] == ["vrf", "forwarding"] and len(words) == 3:
            draft.vrf = words[2]
        elif lowered[:3] == ["ip", "vrf", "forwarding"] and len(words) == 4:
            draft.vrf = words[3]
        elif first == "ip" and second == "address":
            return self.address(draft, obj, words, lowered)
        elif first == "ip" and second == "access-group":
            return self.access_group(draft, obj, words, lowered)
        elif lowered[:3] == ["ip", "policy", "route-map"] and len(words) == 4:
            draft.policy_route, draft.policy_route_source = words[3], book.source(index)
            self.policy_lines.append((index, words[3]))
        elif first == "ip" and second == "helper-address":
            return self.helper_address(draft, obj, words)
        elif first == "ip" and second == "pim" and lowered[2:] in PIM_MODES:
            draft.multicast_protocol = True
        elif first == "ip" and second in ("dvmrp", "cgmp"):
            draft.multicast_protocol = draft.multicast_protocol or second == "dvmrp"
            book.mark_block(obj, HARMLESS, _MULTICAST_PROTOCOL[second])
            return True
        elif first == "ip" and second == "ospf" and len(lowered) >= 5 and lowered[3] == "area":
            draft.ospf_processes.append((words[2], book.source(index)))
        elif first == "ip" and second == "nat" and lowered[2:] in (["inside"], ["outside"], ["enable"]):
            draft.properties.append(("nat", lowered[2]))  # read by nat.py
        elif first == "ip" and second == "router" and len(lowered) >= 3 and lowered[2] == "isis":
            draft.runs_isis = True
        elif first in ("standby", "vrrp", "glbp"):
            self.first_hop_redundancy(draft, obj, words, lowered)
            return True
        elif first == "switchport" and not _is_table_switchport(lowered):
            return self.switchport(draft, obj, words, lowered)
        elif first == "encapsulation" and second == "dot1q":
            return self.dot1q(draft, obj, lowered)
        elif first == "channel-group" and len(words) >= 2:
            draft.properties.append(("channel_group", words[1]))
        elif first == "tunnel":
            return self.tunnel_command(draft, obj, words, lowered)
        elif first == "ipv6":
            if second in ("address", "enable"):
                self.ipv6_lines.append((draft.name, index))
            book.mark_block(obj, HARMLESS, IPV6_SETTING)
            return True
        elif first == "zone-member" and second == "security" and len(words) == 3:
            self.zone_members[draft.name] = (words[2], book.source(index))
        elif first == "service-policy" and "epbr" in lowered:
            book.mark_block(obj, FORWARDING, PBR)
            return True
        else:
            return False
        book.parsed(index)
        book.unexpected_children(obj)
        return True

    def negated_command(self, obj: Any, rest: list[str]) -> None:
        book = self.book
        reason = lookup_prefix(INTERFACE_NEGATED_HARMLESS, rest)
        entry = lookup_prefix(INTERFACE_COMMANDS, rest)
        if rest and rest[0] == "ipv6":
            book.mark_block(obj, HARMLESS, IPV6_SETTING)
        elif reason is not None:
            book.mark_block(obj, HARMLESS, reason or "feature disabled")
        elif entry is not None and entry[0] is HARMLESS:
            book.mark_block(obj, HARMLESS, entry[1])
        else:
            words = book.words(obj.linenum)
            book.mark_block(obj, FORWARDING, f"interface command '{' '.join(words[:3])}' is not modelled")

    def helper_address(self, draft: InterfaceDraft, obj: Any, words: list[str]) -> bool:
        book = self.book
        try:
            draft.relay_targets.append(helper_target(words, book.source(obj.linenum)))
        except NotUnderstood as problem:
            book.mark_block(obj, FORWARDING, str(problem))
            return True
        book.parsed(obj.linenum)
        book.unexpected_children(obj)
        return True

    def address(self, draft: InterfaceDraft, obj: Any, words: list[str], lowered: list[str]) -> bool:
        """`ip address A M [secondary]` (also `A/len`, as IOS-XE prints it on some trains)."""
        book = self.book
        if len(words) >= 3 and lowered[2] in ("dhcp", "negotiated", "pool"):
            book.mark_block(obj, FORWARDING, f"address obtained by '{lowered[2]}' is not known")
            return True
        arguments = words[2:]
        secondary = bool(arguments) and arguments[-1].lower() == "secondary"
        if secondary:
            arguments = arguments[:-1]
        address = _interface_address(arguments, secondary)
        if address is None:
            book.mark_block(obj, FORWARDING, f"interface address not understood: '{' '.join(words[2:])}'")
            return True
        if secondary:
            draft.secondaries.append(address)
        else:
            draft.primary = address
        book.parsed(obj.linenum)
        book.unexpected_children(obj)
        return True

    def access_group(self, draft: InterfaceDraft, obj: Any, words: list[str], lowered: list[str]) -> bool:
        book = self.book
        index = obj.linenum
        if len(words) != 4 or lowered[3] not in ("in", "out"):
            book.mark_block(obj, FORWARDING, "ACL binding without a clear direction is not modelled")
            return True
        if lowered[3] == "in":
            draft.acl_in, draft.acl_in_source = words[2], book.source(index)
        else:
            draft.acl_out, draft.acl_out_source = words[2], book.source(index)
        book.parsed(index)
        book.unexpected_children(obj)
        return True

    def first_hop_redundancy(self, draft: InterfaceDraft, obj: Any, words: list[str], lowered: list[str]) -> None:
        """`standby|vrrp|glbp [N] ip A [secondary]` and VRRPv3 `address A` give virtual
        addresses; every other FHRP setting only decides who owns them."""
        book = self.book
        index = obj.linenum
        position = 1
        if position < len(lowered) and is_decimal(lowered[position]):
            position += 1
        if lowered[position : position + 1] == ["ip"] and position + 1 < len(words):
            if not is_ipv4(words[position + 1]):
                book.mark_block(obj, FORWARDING, "first-hop redundancy address not understood")
                return
            draft.virtual_addresses.append(ip_to_int(words[position + 1]))
            book.parsed(index)
        else:
            book.unknown(index, HARMLESS, "first-hop redundancy setting")
        for child in descendants(obj):
            child_words = book.words(child.linenum)
            if book.comment_or_blank(child.linenum):
                continue
            if child_words[0].lower() == "address" and len(child_words) >= 2 and is_ipv4(child_words[1]):
                draft.virtual_addresses.append(ip_to_int(child_words[1]))
                book.parsed(child.linenum)
            else:
                book.unknown(child.linenum, HARMLESS, "first-hop redundancy setting")

    def switchport(self, draft: InterfaceDraft, obj: Any, words: list[str], lowered: list[str]) -> bool:
        book = self.book
        try:
            _apply_switchport(draft, words, lowered)
        except NotUnderstood as problem:
            book.mark_block(obj, FORWARDING, f"switchport command not understood: {problem}")
            return True
        book.parsed(obj.linenum)
        book.unexpected_children(obj)
        return True

    def dot1q(self, draft: InterfaceDraft, obj: Any, lowered: list[str]) -> bool:
        book = self.book
        index = obj.linenum
        if (
            len(lowered) in (3, 4)
            and is_decimal(lowered[2])
            and 1 <= int(lowered[2]) <= 4094
            and (len(lowered) == 3 or lowered[3] == "native")
        ):
            draft.encapsulation_vlan = int(lowered[2])
            if len(lowered) == 4:
                draft.properties.append(("dot1q_native", "yes"))
            book.parsed(index)
            book.unexpected_children(obj)
        else:
            book.mark_block(obj, FORWARDING, f"encapsulation not modelled: '{book.lines[index].strip()}'")
        return True

    def tunnel_command(self, draft: InterfaceDraft, obj: Any, words: list[str], lowered: list[str]) -> bool:
        book = self.book
        if lowered[1:2] == ["vrf"]:
            reason = "tunnel vrf: the tunnel's transport is routed in another table; not modelled"
            book.mark_block(obj, FORWARDING, reason)
            return True
        if len(words) == 3 and lowered[1] in ("source", "destination"):
            value = words[2] if lowered[1] == "destination" else canonical_interface_name(words[2])
            draft.properties.append((f"tunnel_{lowered[1]}", value))
        elif lowered[1:] == ["mode", "gre", "ip"]:
            draft.properties.append(("tunnel_mode", "gre ip"))
        else:
            book.mark_block(obj, FORWARDING, f"{TUNNEL}: '{' '.join(words[:3])}'")
            return True
        book.parsed(obj.linenum)
        book.unexpected_children(obj)
        return True


def _is_table_switchport(lowered: list[str]) -> bool:
    return lookup_prefix(INTERFACE_COMMANDS, lowered) is not None


def _interface_address(arguments: list[str], secondary: bool) -> InterfaceAddress | None:
    if len(arguments) == 1 and "/" in arguments[0]:
        address_text, _, length_text = arguments[0].partition("/")
        if is_ipv4(address_text) and is_decimal(length_text) and int(length_text) <= 32:
            return InterfaceAddress(ip_to_int(address_text), int(length_text), secondary)
        return None
    if len(arguments) != 2 or not is_ipv4(arguments[0]) or not is_ipv4(arguments[1]):
        return None
    length = mask_to_length(ip_to_int(arguments[1]))
    if length is None:
        return None
    return InterfaceAddress(ip_to_int(arguments[0]), length, secondary)


def _apply_switchport(draft: InterfaceDraft, words: list[str], lowered: list[str]) -> None:
    draft.layer2 = True
    rest = lowered[1:]
    if not rest:
        return
    if rest[0] == "mode" and len(rest) >= 2:
        if rest[1] in ("access", "trunk"):
            draft.switchport_mode = rest[1]
        elif rest[1] == "dynamic":
            draft.switchport_mode = None
            draft.negotiation = " ".join(rest[1:])
        else:
            raise NotUnderstood(f"mode '{rest[1]}'")
    elif rest[:2] == ["access", "vlan"] and len(rest) == 3:
        draft.access_vlan = number(rest[2], 1, 4094, "VLAN")
    elif rest[:3] == ["trunk", "allowed", "vlan"] and len(rest) >= 4:
        draft.trunk_vlans = _allowed_vlans(draft.trunk_vlans, rest[3:])
    elif rest[:3] == ["trunk", "native", "vlan"] and len(rest) == 4:
        draft.properties.append(("trunk_native_vlan", str(number(rest[3], 1, 4094, "VLAN"))))
    elif rest[:2] == ["voice", "vlan"] and len(rest) == 3:
        draft.properties.append(("voice_vlan", words[3]))
    elif rest == ["autostate", "exclude"]:
        draft.autostate_exclude = True
    else:
        raise NotUnderstood(f"'{' '.join(words[1:3])}'")


_ALL_VLANS = frozenset(range(1, 4095))


def _allowed_vlans(current: tuple[int, ...] | None, words: list[str]) -> tuple[int, ...] | None:
    """`switchport trunk allowed vlan ...`; None = every VLAN."""
    verb = words[0]
    if verb == "all":
        return None
    if verb == "none":
        return ()
    if verb in ("add", "remove", "except") and len(words) == 2:
        listed = vlan_list(words[1])
        existing = set(current) if current is not None else set(_ALL_VLANS)
        if verb == "add":
            return None if current is None else tuple(sorted(existing | listed))
        if verb == "remove":
            return tuple(sorted(existing - listed))
        return tuple(sorted(_ALL_VLANS - listed))
    if len(words) == 1:
        return tuple(sorted(vlan_list(verb)))
    raise NotUnderstood(f"'{' '.join(words)}'")


# --- whole-device facts ---------------------------------------------------------------


def apply_autostate(drafts: Mapping[str, InterfaceDraft]) -> None:
    """An SVI is up only while an up layer-2 port carries its VLAN (autostate; `no
    autostate` on the SVI keeps it up). A running-config lists every port, unconfigured
    ones included, so when no listed port can carry the VLAN the SVI is down. A config
    listing no physical port at all (an excerpt) says nothing: its SVIs stay up."""
    ports = [draft for draft in drafts.values() if draft.kind in ("physical", "port-channel")]
    if not ports:
        return
    for name, draft in drafts.items():
        number_text = name[len("Vlan") :]
        if not name.startswith("Vlan") or not is_decimal(number_text) or draft.shutdown or draft.no_autostate:
            continue
        vlan = int(number_text)
        if not any(port.may_carry_vlan(vlan) for port in ports):
            draft.shutdown = True
            draft.properties.extend(
                (
                    ("link", f"down: autostate: no port in the config carries VLAN {vlan}"),
                    ("link_ja", f"autostate: VLAN {vlan} を運ぶポートが設定にない"),
                )
            )


def static_arp_entry(book: LineBook, index: int, words: list[str]) -> StaticArp | None:
    """`arp [vrf V] IP MAC ARPA [interface]`: kept for MAC pinning (forwarding is unchanged;
    the entry pins the MAC in V's ARP table, and MAC pinning is judged per address)."""
    arguments = words[1:]
    if arguments[:1] and arguments[0].lower() == "vrf":
        arguments = arguments[2:]
    if len(arguments) < 2 or not is_ipv4(arguments[0]):
        return None
    mac = normalize_mac(arguments[1])
    if mac is None:
        return None
    interface = canonical_interface_name(arguments[3]) if len(arguments) > 3 else None
    return StaticArp(ip_to_int(arguments[0]), mac, interface, book.source(index))
