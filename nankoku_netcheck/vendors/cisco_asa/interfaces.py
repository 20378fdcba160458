"""ASA interfaces: `interface` blocks (nameif, security-level, addresses with standby,
switch ports, redundant interfaces), the PIX 6 top-level forms and `failover ip address`."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from nankoku_netcheck.model import (
    Interface,
    InterfaceAddress,
    Source,
    int_to_ip,
    ip_to_int,
    is_decimal,
    mask_to_length,
)
from nankoku_netcheck.vendors.cisco_asa.book import AsaBook
from nankoku_netcheck.vendors.cisco_asa.keywords import (
    FORWARDING,
    HARMLESS,
    INTERFACE_COMMANDS,
    INTERFACE_NEGATED_HARMLESS,
    IPV6_SETTING,
    PIX_INTERFACE_SETTING,
)
from nankoku_netcheck.vendors.cisco_ios.parser import canonical_interface_name
from nankoku_netcheck.vendors.common import (
    INTERFACE_KINDS,
    Cursor,
    NotUnderstood,
    descendants,
    interface_kind,
    ipv4,
    is_ipv4,
    lookup_prefix,
    number,
    strip_blanks,
    vlan_list,
)

_SWITCH_PORT_TYPES = ("Ethernet",)


def interface_kind_of(name: str) -> str:
    return interface_kind(name.rstrip("0123456789/.:"), "." in name, INTERFACE_KINDS)


@dataclass
class InterfaceDraft:
    name: str
    source: Source
    kind: str
    nameif: str | None = None
    nameif_index: int | None = None
    security_level: int | None = None
    level_index: int | None = None  # the line that set `security_level`
    address: InterfaceAddress | None = None
    address_unknown: bool = False  # learnt by DHCP / PPPoE
    standby: int | None = None
    shutdown: bool = False
    description: str = ""
    management_only: bool = False
    vlan: int | None = None
    switchport: bool = False
    switchport_mode: str | None = None
    access_vlan: int | None = None
    trunk_vlans: tuple[int, ...] | None = None
    acl_in: str | None = None
    acl_out: str | None = None
    acl_in_source: Source | None = None
    acl_out_source: Source | None = None
    properties: list[tuple[str, str]] = field(default_factory=list)

    def effective_security_level(self) -> int | None:
        if self.nameif is None:
            return self.security_level
        if self.security_level is not None:
            return self.security_level
        # The ASA sets these when `nameif` is entered without a level.
        return 100 if self.nameif.lower() == "inside" else 0

    def freeze(self) -> Interface:
        properties = list(self.properties)
        if self.nameif is not None:
            properties.insert(0, ("nameif", self.nameif))
        return Interface(
            name=self.name,
            source=self.source,
            addresses=(self.address,) if self.address else (),
            shutdown=self.shutdown,
            description=self.description,
            acl_out=self.acl_out,
            acl_out_source=self.acl_out_source,
            switchport_mode=self.switchport_mode if self.switchport else None,
            access_vlan=self.access_vlan if self.switchport else None,
            trunk_vlans=self.trunk_vlans,
            encapsulation_vlan=self.vlan,
            kind=self.kind,
            properties=tuple(properties),
            management_only=self.management_only,
            passes_traffic=self.nameif is not None,
            standby_addresses=(self.standby,) if self.standby is not None else (),
        )


class InterfaceReader:
    """The interfaces of one file (ASA `interface` blocks and the PIX 6 top-level forms),
    accounted for in `book`; keyed by hardware name."""

    def __init__(self, book: AsaBook) -> None:
        self.book = book
        self.drafts: dict[str, InterfaceDraft] = {}

    def interface_draft(self, name: str, index: int) -> InterfaceDraft:
        draft = self.drafts.get(name)
        if draft is None:
            draft = InterfaceDraft(name=name, source=self.book.source(index), kind=interface_kind_of(name))
            self.drafts[name] = draft
        return draft

    def interface_by_nameif(self, nameif: str) -> InterfaceDraft | None:
        exact = [draft for draft in self.drafts.values() if draft.nameif == nameif]
        if exact:
            return exact[0]
        folded = nameif.casefold()
        same = [draft for draft in self.drafts.values() if draft.nameif and draft.nameif.casefold() == folded]
        return same[0] if len(same) == 1 else None

    def interface(self, obj: Any, words: list[str]) -> None:
        index = obj.linenum
        if len(words) < 2:
            self.book.mark_block(obj, FORWARDING, "interface declaration not understood")
            return
        extra = words[2:]
        # PIX 6 declares hardware settings on the interface line itself.
        if extra and (obj.children or not all(PIX_INTERFACE_SETTING.match(word) for word in extra)):
            self.book.mark_block(obj, FORWARDING, f"interface declaration not understood: '{' '.join(words)}'")
            return
        draft = self.interface_draft(canonical_interface_name(words[1]), index)
        if any(word.lower() == "shutdown" for word in extra):
            draft.shutdown = True
        self.book.parsed(index)
        for child in descendants(obj):
            self.interface_command(draft, child.linenum)

    def interface_command(self, draft: InterfaceDraft, index: int) -> None:
        if self.book.comment_or_blank(index):
            return
        words = self.book.words(index)
        lowered = [word.lower() for word in words]
        try:
            handled = self.interface_command_known(draft, index, words, lowered)
        except NotUnderstood as problem:
            self.book.unknown(index, FORWARDING, f"interface command not understood: {problem}")
            return
        if handled:
            return
        if lowered[0] == "no":
            reason = lookup_prefix(INTERFACE_NEGATED_HARMLESS, lowered[1:])
            entry = lookup_prefix(INTERFACE_COMMANDS, lowered[1:])
            if reason is not None or (entry is not None and entry[0] is HARMLESS):
                self.book.unknown(index, HARMLESS, reason or (entry[1] if entry else "") or "feature disabled")
            else:
                self.book.unknown(index, FORWARDING, f"interface command '{' '.join(words[:3])}' is not modelled")
            return
        entry = lookup_prefix(INTERFACE_COMMANDS, lowered)
        if entry is None:
            self.book.unknown(index, FORWARDING, f"interface command '{' '.join(words[:2])}' is not modelled")
        else:
            self.book.unknown(index, entry[0], entry[1])

    def interface_command_known(self, draft: InterfaceDraft, index: int, words: list[str], lowered: list[str]) -> bool:
        """Commands that feed the model; False when the command is classified by table."""
        first = lowered[0]
        second = lowered[1] if len(lowered) > 1 else ""
        if first == "description":
            draft.description = strip_blanks(strip_blanks(self.book.lines[index])[len(words[0]) :])
        elif first == "nameif" and len(words) == 2:
            draft.nameif, draft.nameif_index = words[1], index
        elif first == "security-level" and len(words) == 2:
            draft.security_level = number(words[1], 0, 100, "security level")
            draft.level_index = index
        elif first == "ip" and second == "address":
            self.interface_address(draft, index, words)
            return True
        elif first == "shutdown" and len(words) == 1:
            draft.shutdown = True
        elif first == "management-only" and len(words) == 1:
            draft.management_only = True
        elif first == "vlan" and len(words) == 2:
            draft.vlan = number(words[1], 1, 4094, "VLAN")
        elif first == "switchport" and lookup_prefix(INTERFACE_COMMANDS, lowered) is None:
            self.switchport(draft, lowered)
        elif first == "channel-group" and len(words) >= 2:
            draft.properties.append(("channel_group", words[1]))
        elif first == "member-interface" and len(words) == 2:
            draft.properties.append(("redundant_member", canonical_interface_name(words[1])))
        elif first == "ipv6":
            if second in ("address", "enable"):
                self.book.ipv6_lines.append((index, draft.name))
            else:
                self.book.unknown(index, HARMLESS, IPV6_SETTING)
            return True
        elif (
            first == "no"
            and len(lowered) == 2
            and second in ("nameif", "security-level", "shutdown", "management-only", "switchport")
        ):
            self.negated_interface_state(draft, second)
        elif lowered[:3] == ["no", "ip", "address"]:
            draft.address, draft.standby, draft.address_unknown = None, None, False
        else:
            return False
        self.book.parsed(index)
        return True

    @staticmethod
    def negated_interface_state(draft: InterfaceDraft, command: str) -> None:
        if command == "nameif":
            draft.nameif, draft.nameif_index = None, None
        elif command == "security-level":
            draft.security_level, draft.level_index = None, None
        elif command == "shutdown":
            draft.shutdown = False
        elif command == "management-only":
            draft.management_only = False
        else:
            draft.switchport, draft.switchport_mode = False, None
            draft.properties.append(("routed_port", "yes"))

    def interface_address(self, draft: InterfaceDraft, index: int, words: list[str]) -> None:
        """`ip address A M [standby S] [cluster-pool P]`; `ip address dhcp|pppoe [setroute]`."""
        arguments = words[2:]
        if arguments and arguments[0].lower() in ("dhcp", "pppoe"):
            draft.address, draft.standby, draft.address_unknown = None, None, True
            self.book.unknown(index, FORWARDING, f"address obtained by '{arguments[0].lower()}' is not known")
            return
        cursor = Cursor(arguments)
        address = self.book.ipv4_or_name(cursor.take("address"))
        mask = ipv4(cursor.take("netmask"))
        length = mask_to_length(mask)
        if length is None:
            raise NotUnderstood(f"'{int_to_ip(mask)}' is not a netmask")
        standby = None
        while not cursor.done():
            option = cursor.take_lower("option")
            if option == "standby":
                standby = self.book.ipv4_or_name(cursor.take("standby address"))
            elif option == "cluster-pool":
                draft.properties.append(("cluster_pool", cursor.take("pool name")))
            else:
                raise NotUnderstood(f"unexpected '{cursor.words[cursor.position - 1]}'")
        draft.address, draft.standby, draft.address_unknown = InterfaceAddress(address, length), standby, False
        self.book.parsed(index)

    def switchport(self, draft: InterfaceDraft, lowered: list[str]) -> None:
        """Switch ports of ASA models with a built-in switch (5505, Firepower 1010)."""
        rest = lowered[1:]
        draft.switchport = True
        if not rest:
            return
        if rest[:2] == ["access", "vlan"] and len(rest) == 3:
            draft.access_vlan = number(rest[2], 1, 4094, "VLAN")
            draft.switchport_mode = draft.switchport_mode or "access"
        elif rest[0] == "mode" and len(rest) == 2 and rest[1] in ("access", "trunk"):
            draft.switchport_mode = rest[1]
        elif rest[:3] == ["trunk", "allowed", "vlan"] and len(rest) == 4:
            draft.trunk_vlans = tuple(sorted(vlan_list(rest[3])))
        elif rest[:3] == ["trunk", "native", "vlan"] and len(rest) == 4:
            draft.properties.append(("trunk_native_vlan", str(number(rest[3], 1, 4094, "VLAN"))))
        else:
            raise NotUnderstood(f"switchport command '{' '.join(rest)}'")

    def pix_nameif(self, obj: Any, words: list[str]) -> None:
        """PIX 6: `nameif HARDWARE NAME securityN`."""
        index = obj.linenum
        level_text = words[3].lower() if len(words) == 4 else ""
        if not level_text.startswith("security") or not is_decimal(level_text[8:]) or int(level_text[8:]) > 100:
            self.book.mark_block(obj, FORWARDING, "nameif command not understood")
            return
        draft = self.interface_draft(canonical_interface_name(words[1]), index)
        draft.nameif, draft.nameif_index = words[2], index
        draft.security_level, draft.level_index = int(level_text[8:]), index
        self.book.parsed(index)
        self.book.unexpected_children(obj)

    def pix_ip_address(self, obj: Any, words: list[str]) -> None:
        """PIX 6: `ip address NAMEIF A M` or `ip address NAMEIF dhcp [setroute]`."""
        index = obj.linenum
        draft = self.interface_by_nameif(words[2]) if len(words) >= 3 else None
        if draft is None:
            self.book.mark_block(obj, FORWARDING, "ip address for an interface that has no such nameif")
            return
        try:
            self.interface_address(draft, index, ["ip", "address", *words[3:]])
        except NotUnderstood as problem:
            self.book.mark_block(obj, FORWARDING, f"interface address not understood: {problem}")
            return
        self.book.unexpected_children(obj)

    def failover_address(self, obj: Any, words: list[str]) -> None:
        """PIX / ASA 7: `failover ip address NAMEIF A` is the standby unit's address."""
        index = obj.linenum
        draft = self.interface_by_nameif(words[3]) if len(words) == 5 else None
        if draft is None or not is_ipv4(words[4]):
            self.book.mark_block(obj, HARMLESS, "failover setting (the standby unit takes over the same configuration)")
            return
        draft.standby = ip_to_int(words[4])
        self.book.parsed(index)
        self.book.unexpected_children(obj)

    def reject_duplicate_nameifs(self) -> None:
        owners: dict[str, str] = {}
        for draft in sorted(self.drafts.values(), key=lambda d: d.nameif_index or 0):
            if draft.nameif is None:
                continue
            owner = owners.get(draft.nameif.casefold())
            if owner is None:
                owners[draft.nameif.casefold()] = draft.name
                continue
            if draft.nameif_index is not None:
                self.book.unknown(
                    draft.nameif_index,
                    FORWARDING,
                    f"nameif '{draft.nameif}' is already used by {owner}: the ASA rejects it",
                )
            draft.nameif = None

    def default_switch_ports(self) -> None:
        """On a switch-port model (VLAN interfaces exist) an Ethernet port without any
        layer-3 or switch setting is an access port of VLAN 1."""
        if not any(draft.name.startswith("Vlan") for draft in self.drafts.values()):
            return
        for draft in self.drafts.values():
            untouched = (
                draft.kind == "physical"
                and draft.name.startswith(_SWITCH_PORT_TYPES)
                and not draft.switchport
                and draft.nameif is None
                and draft.address is None
                and not draft.address_unknown
                and not any(key in ("routed_port", "channel_group") for key, _ in draft.properties)
            )
            if untouched:
                draft.switchport, draft.switchport_mode, draft.access_vlan = True, "access", 1
                draft.properties.append(("switchport_default", "access VLAN 1 (switch-port model default)"))
            elif draft.switchport and draft.switchport_mode is None:
                draft.switchport_mode = "access"
                draft.access_vlan = draft.access_vlan or 1

    def link_redundant_members(self) -> None:
        for draft in list(self.drafts.values()):
            for key, member in draft.properties:
                if key == "redundant_member" and member in self.drafts:
                    self.drafts[member].properties.append(("redundant_group", draft.name))
        self.redundant_without_link()

    def redundant_without_link(self) -> None:
        """A redundant interface forwards over its active member: with no `member-interface`
        there is no physical link (ASA configuration guide, redundant interfaces: the
        logical interface uses the link of its active member), nor when every member is shut
        down. Its subinterfaces go down with it. A member the config does not show
        (a partial config) counts as up: the sound side for isolation is "more reachable"."""
        for name, draft in list(self.drafts.items()):
            if not name.lower().startswith("redundant") or "." in name or draft.shutdown:
                continue
            members = [member for key, member in draft.properties if key == "redundant_member"]
            if not members:
                reason = "down: redundant interface without member-interface"
                reason_ja = "member-interface のない冗長インターフェース"
            elif all(member in self.drafts and self.drafts[member].shutdown for member in members):
                reason = "down: every member-interface is shut down"
                reason_ja = "member-interface がすべて shutdown"
            else:
                continue
            for other_name, other in self.drafts.items():
                if other_name == name or other_name.startswith(name + "."):
                    other.shutdown = True
                    other.properties.extend((("link", reason), ("link_ja", reason_ja)))
