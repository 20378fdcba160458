"""Cisco ASA (also PIX 6/7 and FWSM) configuration parser: `parse(text, path) -> Device`.

Block structure comes from ciscoconfparse2, as for IOS; everything inside a block is
tokenised here. Definitions are read before their uses, whatever their order in the
file, so that `show running-config` output and hand-edited files read the same:
`names`, then interfaces, then objects and object-groups, then access lists, then
everything else (bindings, routes, NAT, routing processes, management lines).

Accounting is the one of the IOS parser: every non-blank line ends up parsed into the
model, a HARMLESS UnknownLine or a FORWARDING UnknownLine; line numbers are 1-based
and exact.

Modelling choices (the engine may only ever see *more* reachability than the device):

- Interfaces are keyed by their hardware name (`GigabitEthernet0/1.10`); `nameif` (as the
  ("nameif", NAME) property the topology resolves), standby address, `management-only` and
  the sub-interface `vlan` are kept. An interface without `nameif` forwards nothing on an
  ASA: `passes_traffic=False` (it is not marked shut).
- Access rules (policy.py): the security levels (ASA default when absent: 100 for
  `inside`, else 0), `same-security-traffic`, `access-group ... in interface` and
  `access-group ... global` become the ordered `Device.policy`; `access-group ... out`
  stays `Interface.acl_out`.
  On a switch-port model (ASA 5505 style: the config has `interface VlanN`), an
  Ethernet port with no configuration is an access port of VLAN 1, as on the device.
- ACL entries: names, objects and object-groups (nested, cycles reported) are expanded;
  ranges become the exact prefixes covering them. IPv6 members are dropped (they match
  no IPv4 packet); an entry left with no IPv4 match is a HARMLESS unknown and is kept out
  of `Acl.lines`, as are `inactive` entries. `sequence` is the ASA line number of the
  entry (remarks and inactive entries count, as in `show access-list`). FQDN objects and
  `interface X` of an interface whose address is not known widen that address to "any":
  the entry gets `understood=False` (a superset for permit entries; the engine ignores
  such deny entries) and a FORWARDING unknown says why. `time-range` is dropped with an
  `approximation` note, as in the IOS parser.
- `access-group` of an ACL that is not defined is rejected by the ASA: the binding is
  not made and the line is a FORWARDING unknown.
- NAT (8.3+ syntax) becomes NatRule header rewrites; see `NatRule` in the model (its
  interfaces are the hardware names the nameifs resolve to). Twice
  NAT is section 1 (or 3 with `after-auto`) in file order; object NAT is section 2,
  ordered as the ASA does (static before dynamic, then fewer real addresses first, then
  lower address, then object name). `interface_pat` means "the mapped interface's own
  address" (alone, or as the fallback of a pool). Ports: `real_port` is the port on the
  real address and `mapped_port` the port on the mapped one. For object NAT and for
  twice NAT without a destination clause they are source ports of the real/mapped
  source; for twice NAT with a destination clause they are destination ports of the
  real/mapped destination (`service A B`: A holds the mapped, B the real destination
  port). A static rewrite that is not one prefix onto one prefix of the same size sets
  `approximation`; `unidirectional` is ignored (translating both ways only adds
  reachability) and noted there. Pre-8.3 NAT (`static`, `global`, `nat (if) N`) is a
  FORWARDING unknown.
- Dynamic routing processes are over-approximated like the IOS parser does; ASA
  `network` statements take a netmask (a wildcard-looking value is tried both ways).
- PIX 6 top-level `interface hw0 auto`, `nameif hw0 NAME securityN` and
  `ip address NAME A M` are read as the interface blocks of later versions.
- Management-plane lines are HARMLESS; their facts (`Device.mgmt`) come from
  mgmt.read_management. Static `arp` entries are HARMLESS with STATIC_ARP_REASON.

This module walks the file in phases and assembles the Device; the parts live beside it:
book.py (the line account and `name` aliases every part shares), keywords.py (command
classification tables), interfaces.py, objects.py and groups.py (objects and
object-groups), acls.py (access lists and access-group bindings), nat.py, routing.py and
sections.py (VPN / inspection blocks, `clear configure`); mgmt.py reads the management
plane in a separate pass.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from nankoku_netcheck.errors import InputError
from nankoku_netcheck.model import Acl, Device, PolicyRule, StaticArp, ToTheBox, UnknownLine, ip_to_int, normalize_mac
from nankoku_netcheck.vendors.cisco_asa.acls import AccessGroups, AclReader
from nankoku_netcheck.vendors.cisco_asa.book import AsaBook
from nankoku_netcheck.vendors.cisco_asa.groups import ObjectGroups
from nankoku_netcheck.vendors.cisco_asa.interfaces import InterfaceReader
from nankoku_netcheck.vendors.cisco_asa.keywords import (
    CLI_PROMPT,
    FORWARDING,
    HARMLESS,
    HEADER,
    IPV6_SETTING,
    MANAGEMENT_COMMANDS,
    NEGATED_HARMLESS,
    STATIC_ARP_REASON,
    TOP_LEVEL_COMMANDS,
)
from nankoku_netcheck.vendors.cisco_asa.mgmt import read_management
from nankoku_netcheck.vendors.cisco_asa.nat import NatReader
from nankoku_netcheck.vendors.cisco_asa.objects import ObjectTable
from nankoku_netcheck.vendors.cisco_asa.policy import GlobalBinding, NamedInterface, asa_policy
from nankoku_netcheck.vendors.cisco_asa.routing import RouteReader
from nankoku_netcheck.vendors.cisco_asa.sections import clear, group_policy, policy_map, webvpn
from nankoku_netcheck.vendors.cisco_ios.blocks import UnclosedMacro, block_tree
from nankoku_netcheck.vendors.common import (
    file_stem,
    is_ipv4,
    looks_like_ipv6,
    lookup_prefix,
    strip_blanks,
)

VENDOR = "cisco_asa"

# Top-level commands, by first word, read in this order (definitions before uses).
_PHASE_NAMES = 0
_PHASE_INTERFACES = 1
_PHASE_DEFINITIONS = 2
_PHASE_ACCESS_LISTS = 3
_PHASE_REST = 4


def _phase_of(lowered: Sequence[str]) -> int:
    first = lowered[0] if lowered else ""
    if first in ("name", "names"):
        return _PHASE_NAMES
    if first in ("interface", "nameif", "hostname"):
        return _PHASE_INTERFACES
    if first in ("object", "object-group") or lowered[:2] == ["ip", "address"]:
        return _PHASE_DEFINITIONS
    if first == "access-list":
        return _PHASE_ACCESS_LISTS
    return _PHASE_REST


class _AsaParser:
    """Builds one Device: walks the file's top-level blocks phase by phase and hands each to
    the reader of its part. The readers share `book`; nothing refers back to the parser."""

    def __init__(self, text: str, path: str) -> None:
        self.book = AsaBook(text, path)
        self.hostname = ""
        self.static_arps: list[StaticArp] = []
        self.interfaces = InterfaceReader(self.book)
        self.objects = ObjectTable(self.book)
        self.groups = ObjectGroups(self.book, self.objects)
        self.acls = AclReader(self.book, self.objects, self.groups, self.interfaces)
        self.bindings = AccessGroups(self.book, self.acls, self.interfaces)
        self.routes = RouteReader(self.book, self.interfaces)
        self.nat = NatReader(self.book, self.objects, self.groups, self.interfaces)
        self.same_security_inter = False
        self.same_security_intra = False
        self.top_level_firsts: list[tuple[int, str]] = []
        self.header_words: dict[int, list[str]] = {}

    # -- driver

    def run(self) -> Device:
        structure = list(self.book.lines)
        self.book.claim_rejected_lines(structure, (), self.outcome_as_typed)
        # The tree ciscoconfparse2 builds, as plain objects (see block_tree).
        try:
            tree = block_tree(structure)
        except UnclosedMacro as unclosed:
            raise InputError.single(
                self.book.path, unclosed.linenum + 1, "'macro name' without the line '@' that ends the macro"
            ) from None
        top_level = [obj for obj in tree if obj.parent is obj]
        phased: list[tuple[int, Any]] = []
        for obj in top_level:
            words = self.book.command_words(obj.linenum)  # (the words of `structure[obj.linenum]`)
            # Kept for `top_level`: the line of every block it reads is the same in `structure`
            # (only lines already accounted for as rejected were blanked there).
            self.header_words[obj.linenum] = words
            lowered = [word.lower() for word in words[:2]]
            phased.append((_phase_of(lowered), obj))
            if lowered:
                self.top_level_firsts.append((obj.linenum, lowered[0]))
        for phase in (_PHASE_NAMES, _PHASE_INTERFACES, _PHASE_DEFINITIONS, _PHASE_ACCESS_LISTS, _PHASE_REST):
            for obj_phase, obj in phased:
                if obj_phase == phase and obj.linenum not in self.book.outcome:
                    self.top_level(obj)
            if phase == _PHASE_INTERFACES:
                self.interfaces.reject_duplicate_nameifs()
        for object_name, index in self.objects.nat_lines:
            self.nat.object_nat(object_name, index)
        self.classify_ipv6()
        return self.build_device()

    def outcome_as_typed(self, lines: list[str]) -> dict[int, UnknownLine | None]:
        """Every line's outcome when the file is `lines` (see `claim_rejected_lines`)."""
        copy = _AsaParser("", self.book.path)
        copy.book.replace_lines(lines)
        copy.run()
        return dict(copy.book.outcome)

    # -- top level

    def top_level(self, obj: Any) -> None:
        index = obj.linenum
        if self.book.comment_or_blank(index):
            return
        words = self.header_words.pop(index, None) or self.book.words(index)
        first = words[0].lower()
        if first == "access-list":
            # Tens of thousands of entries in large files: their other words are not lower-cased here.
            self.acls.access_list(obj, words)
            return
        lowered = [word.lower() for word in words]
        second = lowered[1] if len(lowered) > 1 else ""
        if words[0].startswith(":") or first.startswith("cryptochecksum:"):
            self.book.mark_block(obj, HARMLESS, HEADER)
        elif first == "hostname" and len(words) == 2:
            self.hostname = words[1].strip('"')
            self.book.parsed(index)
            self.book.unexpected_children(obj)
        elif first == "names" and len(words) == 1:
            self.book.parsed(index)
            self.book.unexpected_children(obj)
        elif first == "name":
            self.name_alias(obj, words)
        elif first == "interface":
            self.interfaces.interface(obj, words)
        elif first == "nameif":
            self.interfaces.pix_nameif(obj, words)
        elif first == "ip" and second == "address":
            self.interfaces.pix_ip_address(obj, words)
        elif first == "object":
            self.objects.object_definition(obj, words)
        elif first == "object-group":
            self.groups.object_group(obj, words)
        elif first == "access-group":
            self.bindings.access_group(obj, words)
        elif first == "route":
            self.routes.static_route(obj, words)
        elif first == "nat":
            self.nat.twice_nat(obj, words)
        elif first == "router":
            self.routes.routing_process(obj, words)
        elif first == "same-security-traffic":
            self.same_security(obj, lowered, enabled=True)
        else:
            self.other_top_level(obj, words, lowered)

    def other_top_level(self, obj: Any, words: list[str], lowered: list[str]) -> None:
        index = obj.linenum
        first = lowered[0]
        second = lowered[1] if len(lowered) > 1 else ""
        if first == "failover" and lowered[1:3] == ["ip", "address"]:
            self.interfaces.failover_address(obj, words)
        elif first == "crypto" and second == "map" and len(lowered) >= 5 and lowered[3] == "interface":
            self.book.mark_block(
                obj, FORWARDING, f"crypto map (IPsec VPN) bound to interface '{words[4]}' is not modelled"
            )
        elif first == "webvpn":
            webvpn(self.book, obj)
        elif first == "group-policy":
            group_policy(self.book, obj)
        elif first == "policy-map":
            policy_map(self.book, obj)
        elif first == "ipv6":
            self.book.mark_block(obj, HARMLESS, IPV6_SETTING)
            if second == "route":
                # Classified with the interfaces' IPv6 lines once every interface is known.
                self.book.ipv6_lines.append((index, None))
        elif first == "clear":
            clear(self.book, obj, lowered, self.top_level_firsts)
        elif first == "arp" and len(words) >= 4 and is_ipv4(words[2]):
            self.book.mark_block(obj, HARMLESS, STATIC_ARP_REASON)
            mac = normalize_mac(words[3])
            if mac is not None:  # `arp IFNAME IP MAC`: kept for MAC pinning (ZONE-003)
                draft = self.interfaces.interface_by_nameif(words[1])
                self.static_arps.append(
                    StaticArp(ip_to_int(words[2]), mac, draft.name if draft else None, self.book.source(index))
                )
        elif first == "no":
            self.negated_top_level(obj, words, lowered)
        elif self._parse_mgmt_line(obj, lowered):
            pass
        else:
            entry = lookup_prefix(TOP_LEVEL_COMMANDS, lowered)
            if entry is not None:
                self.book.mark_block(obj, entry[0], entry[1])
            elif CLI_PROMPT.match(strip_blanks(self.book.lines[index])):
                self.book.mark_block(obj, HARMLESS, "CLI prompt or command echo")
            else:
                self.book.mark_block(obj, FORWARDING, f"unrecognised command '{' '.join(words[:2])}'")

    def _parse_mgmt_line(self, obj: Any, lowered: list[str]) -> bool:
        """Management-plane commands (remote access sources, AAA, logging, time, SNMP,
        `no` forms included). They do not forward transit traffic: HARMLESS. Their facts
        are read into `Device.mgmt` by mgmt.read_management, a separate read-only pass
        over the whole file (definitions and uses of named objects span every section)."""
        command = lowered[1:] if lowered[:1] == ["no"] else lowered
        reason = lookup_prefix(MANAGEMENT_COMMANDS, command)
        if reason is None:
            return False
        self.book.mark_block(obj, HARMLESS, reason)
        return True

    def negated_top_level(self, obj: Any, words: list[str], lowered: list[str]) -> None:
        rest = lowered[1:]
        if rest[:1] == ["same-security-traffic"]:
            self.same_security(obj, rest, enabled=False)
            return
        if self._parse_mgmt_line(obj, lowered):
            return
        reason = lookup_prefix(NEGATED_HARMLESS, rest)
        entry = lookup_prefix(TOP_LEVEL_COMMANDS, rest)
        if reason is not None:
            self.book.mark_block(obj, HARMLESS, reason or "feature disabled")
        elif entry is not None and entry[0] is HARMLESS:
            self.book.mark_block(obj, HARMLESS, entry[1])
        else:
            self.book.mark_block(obj, FORWARDING, f"unrecognised command '{' '.join(words[:3])}'")

    def same_security(self, obj: Any, lowered: list[str], enabled: bool) -> None:
        index = obj.linenum
        if lowered[1:2] == ["permit"] and len(lowered) == 3 and lowered[2] in ("inter-interface", "intra-interface"):
            if lowered[2] == "inter-interface":
                self.same_security_inter = enabled
            else:
                self.same_security_intra = enabled
            self.book.parsed(index)
            self.book.unexpected_children(obj)
        else:
            self.book.mark_block(obj, FORWARDING, "same-security-traffic command not understood")

    # -- names

    def name_alias(self, obj: Any, words: list[str]) -> None:
        """`name ADDRESS ALIAS [description TEXT]`."""
        index = obj.linenum
        if len(words) < 3 or (len(words) > 3 and words[3].lower() != "description"):
            self.book.mark_block(obj, FORWARDING, "name command not understood")
            return
        if is_ipv4(words[1]):
            self.book.names[words[2]] = ip_to_int(words[1])
        elif looks_like_ipv6(words[1]):
            self.book.names[words[2]] = None
        else:
            self.book.mark_block(obj, FORWARDING, f"name command not understood: '{words[1]}' is not an address")
            return
        self.book.parsed(index)
        self.book.unexpected_children(obj)

    # -- results

    def classify_ipv6(self) -> None:
        """IPv6 is forwarded as soon as two named interfaces have IPv6; only then can IPv6
        paths bypass the IPv4 filters we check."""
        named = {draft.name for draft in self.interfaces.drafts.values() if draft.nameif is not None}
        ipv6_interfaces = {name for _, name in self.book.ipv6_lines if name in named}
        active = len(ipv6_interfaces) >= 2
        for index, _ in self.book.ipv6_lines:
            if active:
                self.book.unknown(index, FORWARDING, "IPv6 forwarding is not modelled")
            else:
                self.book.unknown(
                    index, HARMLESS, "IPv6 setting on a device that does not forward IPv6 between named interfaces"
                )

    def policy(self, acls: Mapping[str, Acl]) -> tuple[PolicyRule, ...]:
        named = [
            NamedInterface(
                draft.name,
                draft.nameif,
                draft.effective_security_level() or 0,
                self.book.source(draft.level_index if draft.level_index is not None else draft.nameif_index or 0),
                draft.acl_in,
                draft.acl_in_source,
            )
            for draft in self.interfaces.drafts.values()
            if draft.nameif is not None
        ]
        shared = None
        bindings = self.bindings
        if bindings.global_acl is not None and bindings.global_acl_source is not None:
            shared = GlobalBinding(bindings.global_acl, bindings.global_acl_source)
        return asa_policy(named, acls, self.same_security_inter, self.same_security_intra, shared)

    def build_device(self) -> Device:
        self.interfaces.default_switch_ports()
        self.interfaces.link_redundant_members()
        self.book.sweep_unvisited_lines()
        interfaces = {name: draft.freeze() for name, draft in self.interfaces.drafts.items()}
        acls = {name: draft.freeze() for name, draft in self.acls.drafts.items()}
        return Device(
            name=self.hostname or file_stem(self.book.path),
            vendor=VENDOR,
            source_file=self.book.path,
            hostname=self.hostname,
            interfaces=interfaces,
            acls=acls,
            routes=list(self.routes.routes),
            dynamic_routing=self.routes.resolve_routing(),
            unknown_lines=[unknown for _, unknown in sorted(self.book.outcome.items()) if unknown is not None],
            lines=tuple(self.book.lines),
            undefined_acl_permits=False,
            stateful=True,
            policy=self.policy(acls),
            to_the_box=ToTheBox.ARRIVAL_ONLY,
            nat_rules=self.nat.rules(),
            static_arp=list(self.static_arps),
            mgmt=read_management(
                self.book.command_lines(), self.book.path, self.book.names, interfaces, self.book.command_words
            ),
        )


def parse(text: str, path: str) -> Device:
    """Parse an ASA / PIX / FWSM configuration. `path` is the display path used in every Source."""
    return _AsaParser(text, path).run()
