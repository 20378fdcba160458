"""Cisco IOS / IOS-XE configuration parser: `parse(text, path) -> Device`.

Block structure comes from ciscoconfparse2; everything inside a block (ACL entries,
addresses, routes) is tokenised here. The parser walks the top-level blocks once and
dispatches on their first words, so its cost grows with the number of lines only.

Accounting: every non-blank line of the file ends up in exactly one of three states:
parsed into the model, a HARMLESS UnknownLine (comments, banners, management-plane
settings, things that can only drop packets) or a FORWARDING UnknownLine (anything that
might change forwarding or filtering and is not modelled; also any command we do not
recognise). Blank lines are the only lines not recorded. Line numbers are 1-based and
count lines exactly as in the given text (a trailing `\\r` is stripped, nothing is
renumbered).

Soundness choices (the engine may only ever see *more* reachability than the device):

- An ACL entry that cannot be fully interpreted gets `understood=False` and
  `matches=(Match(),)`: the engine treats it as permit-everything when it is a permit
  line and ignores it when it is a deny line.
- Qualifiers that only narrow an entry (`dscp`, `precedence`, `tos`, `ttl`,
  `time-range`, `option`, TCP flags, IGMP types, `packet-length`) are dropped and the
  entry's `approximation` says so: its matches are then a superset of what the device
  matches. `fragments` keeps only the layer-3 part (no ports, flags or ICMP types).
  On a *deny* entry a superset would hide traffic, so the engine treats approximated
  deny entries as matching nothing; the parser still stores the superset there.
- `no ip routing` is recorded as a HARMLESS unknown: the device is then modelled as a
  router, which can only add paths. `ip default-gateway` is HARMLESS too: IOS uses it
  only for the device's own traffic when it does not route.
- Dynamic routing processes are over-approximated (see `DynamicRouting`): OSPF, EIGRP
  and RIP `network` statements are matched against every address of an interface
  (primary and secondary); a wildcard that looks like a netmask is also tried as a
  netmask. BGP runs on the interfaces whose subnets hold a neighbour, or on every
  addressed interface as soon as one neighbour is not directly connected, is iBGP or
  has an unknown remote AS.
- Switchports with a negotiated (DTP) or unset mode are modelled as trunks carrying
  their allowed VLANs, with a ("switchport_negotiation", ...) property.

This module walks the file and assembles the Device; the parts live beside it:
blocks.py (block tree, banners, macros), keywords.py (command classification tables),
interfaces.py, acls.py (ACLs and object-groups) and routing.py; mgmt.py reads the
management plane in a separate pass.
"""

from __future__ import annotations

from typing import Any

from nankoku_netcheck.errors import InputError
from nankoku_netcheck.model import Device, Route, StaticArp, ToTheBox, UnknownKind, UnknownLine
from nankoku_netcheck.vendors.cisco_ios.acls import AclReader, ObjectGroups
from nankoku_netcheck.vendors.cisco_ios.blocks import UnclosedMacro, block_tree, find_multiline_blocks
from nankoku_netcheck.vendors.cisco_ios.interfaces import (
    InterfaceReader,
    apply_autostate,
    canonical_interface_name,
    static_arp_entry,
)
from nankoku_netcheck.vendors.cisco_ios.keywords import (
    CLI_PROMPT,
    GLOBAL_FORWARDING_STARTS,
    IPV6_SETTING,
    NEGATED_HARMLESS,
    TOP_LEVEL_COMMANDS,
)
from nankoku_netcheck.vendors.cisco_ios.mgmt import read_management
from nankoku_netcheck.vendors.cisco_ios.nat import NatReader
from nankoku_netcheck.vendors.cisco_ios.relay import forward_protocol_port, relayed_ports
from nankoku_netcheck.vendors.cisco_ios.route_maps import RouteMapReader
from nankoku_netcheck.vendors.cisco_ios.routing import resolve_routing, routing_process, static_route
from nankoku_netcheck.vendors.cisco_ios.vrfs import VrfReader, is_vrf_block
from nankoku_netcheck.vendors.cisco_ios.zbf import ZbfReader
from nankoku_netcheck.vendors.cisco_ios.zbf_policy import zbf_policy
from nankoku_netcheck.vendors.common import (
    LineBook,
    NotUnderstood,
    RoutingDraft,
    file_stem,
    lookup_prefix,
    strip_blanks,
)

VENDOR = "cisco_ios"

HARMLESS = UnknownKind.HARMLESS
FORWARDING = UnknownKind.FORWARDING


class _IosBook(LineBook):
    """Where each line of one IOS file ended up (see LineBook)."""

    global_forwarding_starts = GLOBAL_FORWARDING_STARTS


class _IosParser:
    """Builds one Device: walks the file's blocks and hands each to the reader of its part.
    The readers share `book`, the account of every line; nothing refers back to the parser,
    so a finished parse is freed at once instead of waiting for the cycle collector."""

    def __init__(self, text: str, path: str) -> None:
        self.book = _IosBook(text, path)
        self.hostname = ""
        self.interfaces = InterfaceReader(self.book)
        self.groups = ObjectGroups(self.book)
        self.acls = AclReader(self.book, self.groups)
        self.routes: list[Route] = []
        self.routing: list[RoutingDraft] = []
        self.ipv6_routing_lines: list[int] = []
        self.multiline_blocks: list[tuple[int, int, str]] = []  # banner / macro text: (first, last, reason)
        self.static_arps: list[StaticArp] = []
        self.zbf = ZbfReader(self.book)
        self.vrfs = VrfReader(self.book)
        self.route_maps = RouteMapReader(self.book)
        self.forwarded_udp: list[tuple[bool, int]] = []  # `[no] ip forward-protocol udp N`, in file order
        self.multicast_routing = False
        self.nat = NatReader(self.book)

    # -- driver

    def run(self) -> Device:
        book = self.book
        structure_lines = self.claim_multiline_blocks()
        free_text = {index for first, last, _ in self.multiline_blocks for index in range(first, last + 1)}
        book.claim_rejected_lines(structure_lines, free_text, self.outcome_as_typed)
        try:
            tree = block_tree(structure_lines)
        except UnclosedMacro as unclosed:
            raise InputError.single(
                book.path, unclosed.linenum + 1, "'macro name' without the line '@' that ends the macro"
            ) from None
        top_level = [obj for obj in tree if obj.parent is obj]
        for obj in top_level:
            # (The substring test spares splitting every top-level line; the word decides.)
            if (
                obj.linenum not in book.outcome
                and "object-group" in book.lines[obj.linenum].lower()
                and self.first_word(obj.linenum) == "object-group"
            ):
                self.groups.object_group(obj)
        for obj in top_level:
            if obj.linenum not in book.outcome:
                self.top_level(obj)
        self.classify_ipv6()
        self.vrfs.classify_route_targets(any(process.protocol == "bgp" for process in self.routing))
        return self.build_device()

    def outcome_as_typed(self, lines: list[str]) -> dict[int, UnknownLine | None]:
        """Every line's outcome when the file is `lines` (see `claim_rejected_lines`)."""
        copy = _IosParser("", self.book.path)
        copy.book.replace_lines(lines)
        copy.run()
        return dict(copy.book.outcome)

    def first_word(self, index: int) -> str:
        words = self.book.words(index)
        return words[0].lower() if words else ""

    def claim_multiline_blocks(self) -> list[str]:
        """Banners and smartport macros are free text up to a delimiter; they are marked
        here and hidden from ciscoconfparse2 (as comments) so that no text inside them is
        ever read as configuration and line numbers stay those of the file. Returns the
        lines the block tree is built from."""
        book = self.book
        structure = list(book.lines)
        self.multiline_blocks = find_multiline_blocks(book.lines)
        for first, last, reason in self.multiline_blocks:
            for index in range(first, last + 1):
                book.unknown(index, HARMLESS, reason)
                structure[index] = "!"
        return structure

    # -- top level

    def top_level(self, obj: Any) -> None:
        book = self.book
        index = obj.linenum
        if book.comment_or_blank(index):
            return
        words = book.words(index)
        lowered = [word.lower() for word in words[:4]]
        first = lowered[0]
        second = lowered[1] if len(lowered) > 1 else ""
        if first == "hostname" and len(words) > 1:
            self.hostname = words[1].strip('"')
            book.parsed(index)
            book.unexpected_children(obj)
        elif first == "ip" and second == "routing":
            book.parsed(index)
            book.unexpected_children(obj)
        elif lowered[:3] == ["ip", "forward-protocol", "udp"]:
            self.forward_protocol(obj, words, added=True)
        elif lowered[:2] == ["ip", "multicast-routing"] and lowered[2:] in ([], ["distributed"]):
            # Group traffic crosses between the interfaces running PIM or DVMRP (reach/multicast.py).
            self.multicast_routing = True
            book.parsed(index)
            book.unexpected_children(obj)
        elif first in ("interface", "int"):
            self.interfaces.interface(obj, words)
        elif first == "access-list":
            self.acls.numbered_acl_entry(obj, words)
        elif first == "ip" and second == "access-list":
            self.acls.named_acl(obj, words)
        elif is_vrf_block(lowered):
            self.vrfs.block(obj, words)
        elif first == "ip" and second == "route":
            route = static_route(book, obj, words)
            if route is not None:
                self.routes.append(route)
        elif first == "arp":
            arp = static_arp_entry(book, index, words)
            if arp is not None:
                self.static_arps.append(arp)
            self.classify_top_level(obj, words, lowered)
        elif first == "ip" and second == "nat":
            self.nat.collect(obj)
        elif first == "route-map":
            self.route_maps.route_map(obj, words)
        elif first == "router":
            routing = routing_process(book, obj, words)
            if routing is not None:
                self.routing.extend(routing)
        elif first == "ipv6":
            if second == "unicast-routing":
                self.ipv6_routing_lines.append(index)
            book.mark_block(obj, HARMLESS, IPV6_SETTING)
        elif first == "no":
            self.negated_top_level(obj, lowered)
        elif self.zbf.handles(lowered):
            self.zbf.top_level(obj, words)
        else:
            self.classify_top_level(obj, words, lowered)

    def classify_top_level(self, obj: Any, words: list[str], lowered: list[str]) -> None:
        book = self.book
        entry = lookup_prefix(TOP_LEVEL_COMMANDS, lowered)
        if entry is not None:
            book.mark_block(obj, entry[0], entry[1])
        elif CLI_PROMPT.match(strip_blanks(book.lines[obj.linenum])):
            book.mark_block(obj, HARMLESS, "CLI prompt or command echo")
        else:
            book.mark_block(obj, FORWARDING, f"unrecognised command '{' '.join(words[:2])}'")

    def negated_top_level(self, obj: Any, lowered: list[str]) -> None:
        book = self.book
        rest = lowered[1:]
        if rest[:2] == ["ip", "routing"]:
            book.mark_block(
                obj, HARMLESS, "device does not route IPv4; it is modelled as a router (over-approximation)"
            )
            return
        if rest and rest[0] == "ipv6":
            book.mark_block(obj, HARMLESS, IPV6_SETTING)
            return
        if rest[:3] == ["ip", "forward-protocol", "udp"]:
            self.forward_protocol(obj, self.book.words(obj.linenum), added=False)
            return
        negated_reason = lookup_prefix(NEGATED_HARMLESS, rest)
        entry = lookup_prefix(TOP_LEVEL_COMMANDS, rest)
        if negated_reason is not None:
            book.mark_block(obj, HARMLESS, negated_reason)
        elif entry is not None and entry[0] is HARMLESS:
            book.mark_block(obj, HARMLESS, entry[1])
        else:
            words = book.words(obj.linenum)
            book.mark_block(obj, FORWARDING, f"unrecognised command '{' '.join(words[:3])}'")

    def forward_protocol(self, obj: Any, words: list[str], added: bool) -> None:
        book = self.book
        try:
            port = forward_protocol_port(words)
        except NotUnderstood as problem:
            book.mark_block(obj, FORWARDING, str(problem))
            return
        if port is not None:
            self.forwarded_udp.append((added, port))
        book.parsed(obj.linenum)
        book.unexpected_children(obj)

    # -- results

    def classify_ipv6(self) -> None:
        """IPv6 forwarding needs `ipv6 unicast-routing` and IPv6 on at least two interfaces that
        are up: only then can an IPv6 path cross the device and bypass the IPv4 filters we check.
        IPv6 itself is not modelled (the packet space is IPv4), so such devices stay inconclusive."""
        book = self.book
        drafts = self.interfaces.drafts
        interface_lines = self.interfaces.ipv6_lines
        up_interfaces = {name for name, _ in interface_lines if name in drafts and not drafts[name].shutdown}
        routes_ipv6 = bool(self.ipv6_routing_lines)
        active = routes_ipv6 and len(up_interfaces) >= 2
        for index in self.ipv6_routing_lines:
            if active:
                book.unknown(index, FORWARDING, "IPv6 forwarding is not modelled")
            else:
                book.unknown(index, HARMLESS, "IPv6 routing enabled but fewer than two up interfaces have IPv6")
        for name, index in interface_lines:
            if active and name in up_interfaces:
                book.unknown(index, FORWARDING, "IPv6 forwarding is not modelled")
            elif not routes_ipv6:
                book.unknown(index, HARMLESS, "IPv6 address on a device that does not route IPv6")
            elif name in up_interfaces:
                book.unknown(index, HARMLESS, "the only interface that is up with IPv6: nothing to route IPv6 to")
            else:
                book.unknown(index, HARMLESS, "IPv6 on an interface that is shut down")

    def build_device(self) -> Device:
        book, drafts = self.book, self.interfaces.drafts
        apply_autostate(drafts)
        self.route_maps.account_uses(self.interfaces.policy_lines)
        nat_rules = self.nat.rules(drafts, self.acls.frozen(), self.route_maps.matches())
        book.sweep_unvisited_lines()
        acls = self.acls.frozen()
        self.zbf.config.members.update(self.interfaces.zone_members)
        policy = zbf_policy(self.zbf.config, tuple(drafts), acls)
        relaying = any(draft.relay_targets for draft in drafts.values())
        for draft in drafts.values():
            draft.multicast_protocol = draft.multicast_protocol and self.multicast_routing
        return Device(
            name=self.hostname or file_stem(book.path),
            vendor=VENDOR,
            source_file=book.path,
            hostname=self.hostname,
            interfaces={name: draft.freeze() for name, draft in drafts.items()},
            acls=acls,
            routes=list(self.routes),
            dynamic_routing=resolve_routing(self.routing, list(drafts.values())),
            unknown_lines=[unknown for _, unknown in sorted(book.outcome.items()) if unknown is not None],
            lines=tuple(book.lines),
            static_arp=list(self.static_arps),
            policy=policy,
            # The zone-based firewall's `self` zone decides packets to the router (zbf_policy.py).
            to_the_box=ToTheBox.FILTERED if policy is None else ToTheBox.SELF_POLICY,
            policy_routes=self.route_maps.policy_routes(),
            relayed_udp_ports=relayed_ports(self.forwarded_udp) if relaying else (),
            nat_rules=nat_rules,
            # IOS: inside to outside, the outbound ACL sees global addresses; outside to
            # inside, the inbound ACL sees them (Cisco, "NAT Order of Operation").
            nat_between_filters=True,
            # Management-plane facts: a separate read-only pass over the same lines.
            mgmt=read_management(
                book.command_lines(), book.path, self.multiline_blocks, canonical_interface_name, book.command_words
            ),
        )


def parse(text: str, path: str) -> Device:
    """Parse an IOS / IOS-XE configuration. `path` is the display path used in every Source."""
    return _IosParser(text, path).run()


__all__ = ["VENDOR", "canonical_interface_name", "parse"]
