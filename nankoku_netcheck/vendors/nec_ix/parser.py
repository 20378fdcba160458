"""NEC UNIVERGE IX (IX2000/IX3000 series) `show running-config` parser:
`parse(text, path, instance) -> Device`.

Every non-blank line ends up parsed into the model, a HARMLESS UnknownLine or a FORWARDING
UnknownLine (META-001) with its 1-based line number. A block is a line at column 0 and the
indented lines under it (`interface`, `device`, `ip dhcp profile`, `watch-group`, `router`).

Modelled: interfaces (`interface NAME` with `ip address A/L [secondary]`, `ip address dhcp`,
`ip unnumbered`, `no ip address`, `description`, `shutdown`/`no shutdown`, `vlan-id`,
`ip filter NAME SEQ in|out`, `ip napt enable`), access lists and their binding (acls.py),
static routes (`ip route PREFIX/LEN|default GATEWAY|INTERFACE [distance N]`, a route to
`Null0.0` discards), dynamic routing (`router ospf|rip|bgp`, over-approximated over every
interface), and the management facts in mgmt.py. An interface without `shutdown` is taken
as up (more reachability; the IX prints `no shutdown` for interfaces in use).

NAT (nat.py): `ip napt enable` (interface PAT), `ip napt static` (port forwarding), `ip nat
enable` and `ip nat static` (one-to-one NAT) on an interface become NatRules; the other
`ip nat`/`ip napt` interface lines (dynamic NAT, NAPT options) are META-001; a global `ip nat
pool` is harmless by itself. Dynamic filters make the device stateful (acls.py); `ip inspect`
is META-001.
IPsec/IKE lines are harmless: a tunnel interface is a link whose far side the topology
declares. A `watch-group` with an `action` can shut interfaces or change routes: META-001.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace

from nankoku_netcheck.model import (
    AclLine,
    Action,
    Device,
    DynamicRouting,
    Interface,
    InterfaceAddress,
    InterfaceMgmt,
    NamedObject,
    NamedReference,
    Route,
    RouteKind,
    UnknownKind,
    ip_to_int,
    is_decimal,
    prefix_mask,
)
from nankoku_netcheck.vendors.common import LineBook, file_stem
from nankoku_netcheck.vendors.nec_ix.acls import (
    AclSyntaxError,
    FilterBinding,
    bound_acl,
    not_understood_line,
    read_entry,
)
from nankoku_netcheck.vendors.nec_ix.mgmt import MGMT_STARTS, Management
from nankoku_netcheck.vendors.nec_ix.nat import InterfaceNat, interface_rules, order_notes

VENDOR = "nec_ix"

REASON_HARMLESS = "does not forward or filter transit traffic"
REASON_TUNNEL = "IPsec/IKE setting (a tunnel is a link the topology declares)"
REASON_INSPECT = (
    "'ip inspect' is not an IX command in the documentation available here: the session state it may keep "
    "(return traffic passing the reverse filter) is not modelled"
)
REASON_NAT_POOL = "a NAT address pool translates only through the interface lines that use it"
REASON_NAT_OTHER = "NAT/NAPT setting not modelled (dynamic NAT, NAPT options): the translated sources are unknown"

# First words of top-level commands that neither forward nor filter (with their blocks).
_HARMLESS_STARTS: tuple[tuple[str, ...], ...] = (
    ("timezone",),
    ("proxy-dns",),
    ("web-console",),
    ("network-monitor",),
    ("device",),
    ("ip", "dhcp"),
    ("ip", "ufs-cache"),
    ("ip", "host"),
    ("dns-resolver",),
    ("end",),
    ("clock",),
    ("supervisor-mode",),
    ("ppp", "profile"),
)
_TUNNEL_STARTS: tuple[tuple[str, ...], ...] = (("ike",), ("ipsec",))
_INTERFACE_HARMLESS: tuple[tuple[str, ...], ...] = (
    ("ip", "tcp", "adjust-mss"),
    ("ip", "mtu"),
    ("mtu",),
    ("ip", "dhcp"),
    ("speed",),
    ("duplex",),
    ("encapsulation",),
    ("no", "auto-connect"),
    ("auto-connect",),
    ("tunnel", "mode"),
    ("ipsec", "policy"),
    ("ppp",),
    ("isdn",),
    ("keepalive",),
)
_DYNAMIC = ("ospf", "rip", "bgp")
_KINDS = {"loopback": "loopback", "null": "null", "tunnel": "tunnel", "bvi": "svi"}


@dataclass
class _Draft:
    """Interface facts while its block is read."""

    name: str
    header: int
    addresses: list[InterfaceAddress] = field(default_factory=list)
    shutdown: bool = False
    description: str = ""
    vlan: int | None = None
    filters: dict[str, list[FilterBinding]] = field(default_factory=lambda: {"in": [], "out": []})
    nat: InterfaceNat = field(default_factory=InterfaceNat)
    address_unknown: bool = False


class _Parser:
    def __init__(self, text: str, path: str) -> None:
        self.book = LineBook(text, path)
        self.device = Device(name=file_stem(path), vendor=VENDOR, source_file=path, lines=tuple(self.book.lines))
        self.lists: dict[str, list[AclLine]] = {}
        self.unmodelled: set[str] = set()
        # Dynamic list name → (trigger list name, the defining line's index).
        self.dynamic_lists: dict[str, tuple[str, int]] = {}
        self.drafts: list[_Draft] = []
        self.dynamic: list[tuple[str, int]] = []
        self.mgmt = Management(self.book)

    def blocks(self) -> list[tuple[int, list[int]]]:
        result: list[tuple[int, list[int]]] = []
        for index, line in enumerate(self.book.lines):
            if not line.strip() or line.strip().startswith("!"):
                continue
            if line[:1] in (" ", "\t") and result:
                result[-1][1].append(index)
            else:
                result.append((index, []))
        return result

    def run(self) -> Device:
        for header, children in self.blocks():
            self.top(header, children)
        self.finish()
        return self.device

    def mark(self, indices: list[int], kind: UnknownKind, reason: str) -> None:
        for index in indices:
            self.book.unknown(index, kind, reason)

    def top(self, header: int, children: list[int]) -> None:
        words = self.book.words(header)
        lowered = tuple(word.lower() for word in words)
        handler = self._handler(lowered)
        if handler is not None:
            handler(header, children, words)
            return
        if lowered[:2] == ("ip", "inspect"):
            self.mark([header, *children], UnknownKind.FORWARDING, REASON_INSPECT)
        elif lowered[:3] == ("ip", "nat", "pool"):
            self.mark([header, *children], UnknownKind.HARMLESS, REASON_NAT_POOL)
        elif _starts(lowered, _HARMLESS_STARTS):
            self.mark([header, *children], UnknownKind.HARMLESS, REASON_HARMLESS)
        elif _starts(lowered, _TUNNEL_STARTS):
            if lowered[:2] == ("ipsec", "autokey-map") and len(words) > 3:
                # The list selects what the tunnel carries: a use, not a filter of the model.
                reference = NamedReference("acl", words[3], self.book.source(header), "ipsec autokey-map", True)
                self.mgmt.mgmt.references.append(reference)
            self.mark([header, *children], UnknownKind.HARMLESS, REASON_TUNNEL)
        elif _starts(lowered, MGMT_STARTS):
            self.mgmt.read(header, words)
            self.mark(children, UnknownKind.HARMLESS, REASON_HARMLESS)
        else:
            self.mark([header, *children], UnknownKind.FORWARDING, f"'{' '.join(words[:2])}' not understood")

    def _handler(self, lowered: tuple[str, ...]) -> Callable[[int, list[int], list[str]], None] | None:
        if lowered[:1] == ("hostname",):
            return self.hostname
        if lowered[:1] == ("interface",):
            return self.interface
        if lowered[:2] == ("ip", "access-list"):
            return self.access_list
        if lowered[:2] == ("ip", "route"):
            return self.route
        if lowered[:1] == ("router",):
            return self.router
        if lowered[:1] == ("watch-group",):
            return self.watch_group
        return None

    def hostname(self, header: int, children: list[int], words: list[str]) -> None:
        if len(words) >= 2:
            self.device.hostname = words[1]
            self.device.name = words[1]
            self.device.mgmt.hostname_source = self.book.source(header)
        self.book.parsed(header)
        self.mark(children, UnknownKind.FORWARDING, "line indented under 'hostname'")

    def access_list(self, header: int, children: list[int], words: list[str]) -> None:
        self.mark(children, UnknownKind.FORWARDING, "line indented under 'ip access-list'")
        if _dynamic_with_trigger(words):
            self.dynamic_list(header, words)
            return
        if len(words) < 4 or words[2].lower() == "dynamic" or words[3].lower() not in ("permit", "deny"):
            self.book.unknown(header, UnknownKind.FORWARDING, "access list form not modelled (dynamic or unknown)")
            self._define_unmodelled(words, header)
            return
        source = self.book.source(header)
        if words[2] not in self.lists:
            self.mgmt.mgmt.definitions.append(NamedObject("acl", words[2], source))
        entries = self.lists.setdefault(words[2], [])
        try:
            action, match = read_entry(words[3:])
        except AclSyntaxError as problem:
            entries.append(not_understood_line(words[3], source))
            self.book.unknown(header, UnknownKind.FORWARDING, f"access-list entry not understood: {problem}")
            return
        entries.append(AclLine(action, (match,), source))
        self.book.parsed(header)

    def dynamic_list(self, header: int, words: list[str]) -> None:
        """`ip access-list dynamic NAME access LIST` (acls.py)."""
        name, trigger = words[3], words[5]
        source = self.book.source(header)
        if name not in self.dynamic_lists:
            self.mgmt.mgmt.definitions.append(NamedObject("acl", name, source))
        self.mgmt.mgmt.references.append(NamedReference("acl", trigger, source, f"ip access-list dynamic {name}"))
        self.dynamic_lists[name] = (trigger, header)
        self.book.parsed(header)

    def _define_unmodelled(self, words: list[str], header: int) -> None:
        """A dynamic list still exists: a filter naming it is no undefined reference (ACL-001),
        and it filters as a permit-any entry (bound_acl), the META-001 line saying why."""
        name = words[3] if len(words) > 3 and words[2].lower() == "dynamic" else None
        if name is not None and name not in self.unmodelled:
            self.unmodelled.add(name)
            self.mgmt.mgmt.definitions.append(NamedObject("acl", name, self.book.source(header)))

    def route(self, header: int, children: list[int], words: list[str]) -> None:
        self.mark(children, UnknownKind.FORWARDING, "line indented under 'ip route'")
        route = _read_route(words[2:], self.book, header)
        if route is None:
            self.book.unknown(header, UnknownKind.FORWARDING, "static route not understood")
            return
        self.device.routes.append(route)
        self.book.parsed(header)

    def router(self, header: int, children: list[int], words: list[str]) -> None:
        protocol = words[1].lower() if len(words) > 1 else ""
        if protocol not in _DYNAMIC:
            self.mark([header, *children], UnknownKind.FORWARDING, f"routing process '{protocol}' not understood")
            return
        self.dynamic.append((protocol, header))
        self.book.parsed(header)
        self.mark(children, UnknownKind.HARMLESS, "dynamic routing over-approximated (any route via any interface)")

    def watch_group(self, header: int, children: list[int], words: list[str]) -> None:
        acting = any(self.book.words(child)[:1] in (["action"], ["Action"]) for child in children)
        if acting:
            self.mark([header, *children], UnknownKind.FORWARDING, "watch-group actions can change forwarding")
        else:
            self.mark([header, *children], UnknownKind.HARMLESS, "watch-group without actions only monitors")

    def interface(self, header: int, children: list[int], words: list[str]) -> None:
        if len(words) != 2:
            self.mark([header, *children], UnknownKind.FORWARDING, "interface line not understood")
            return
        draft = _Draft(words[1], header)
        self.book.parsed(header)
        for child in children:
            self.interface_line(draft, child)
        self.drafts.append(draft)

    def interface_line(self, draft: _Draft, index: int) -> None:
        words = self.book.words(index)
        lowered = tuple(word.lower() for word in words)
        if _interface_fact(draft, lowered, words, self.book, index):
            self.book.parsed(index)
        elif _starts(lowered, _INTERFACE_HARMLESS):
            self.book.unknown(index, UnknownKind.HARMLESS, REASON_HARMLESS)
        elif lowered[:1] == ("ipv6",):
            self.book.unknown(index, UnknownKind.HARMLESS, "IPv6 is not modelled (IPv4 segmentation only)")
        elif lowered[:2] == ("ip", "inspect"):
            self.book.unknown(index, UnknownKind.FORWARDING, REASON_INSPECT)
        elif lowered[:2] in (("ip", "nat"), ("ip", "napt")):
            self.book.unknown(index, UnknownKind.FORWARDING, REASON_NAT_OTHER)
        else:
            self.book.unknown(
                index, UnknownKind.FORWARDING, f"interface setting '{' '.join(words[:3])}' not understood"
            )

    def finish(self) -> None:
        for draft in self.drafts:
            self.device.interfaces[draft.name] = self.build_interface(draft)
            self.nat_of(draft)
        self.judge_dynamic_lists()
        everywhere = tuple(self.device.interfaces)
        for protocol, header in self.dynamic:
            source = self.book.source(header)
            self.device.dynamic_routing.append(DynamicRouting(protocol, protocol, everywhere, source))
        self.device.mgmt = self.mgmt.settings(self.device.mgmt.hostname_source, self.drafts_without_address())
        self.device.mgmt.interfaces = self.interface_facts()
        self.book.sweep_unvisited_lines()
        self.device.unknown_lines = [line for _, line in sorted(self.book.outcome.items()) if line is not None]

    def judge_dynamic_lists(self) -> None:
        """META-001 on a dynamic list whose trigger list the model reads wider than written."""
        for trigger, header in self.dynamic_lists.values():
            entries = self.lists.get(trigger)
            if entries is None:
                reason = f"trigger list '{trigger}' is not defined: the dynamic list is read as permitting everything"
            elif any(line.action is Action.DENY for line in entries):
                reason = (
                    f"trigger list '{trigger}' has deny entries: whether a packet they match is dropped or goes on "
                    "to the next filter is not documented; read as going on"
                )
            else:
                continue
            self.book.unknown(header, UnknownKind.FORWARDING, reason)

    def interface_facts(self) -> dict[str, InterfaceMgmt]:
        """Which interfaces only carry settings that put nothing to use (PORT-001 judges those).
        A main logical interface (`GigaEthernet0.0`) whose port carries sub-interfaces
        (`GigaEthernet0.1`, tagged VLANs) is in use through them."""
        carrying = {draft.name.split(".", 1)[0] for draft in self.drafts if not draft.name.endswith(".0")}
        facts = {}
        for draft in self.drafts:
            used = draft.addresses or draft.address_unknown or draft.filters["in"] or draft.filters["out"]
            uses_nat = bool(
                draft.nat.napt_enable or draft.nat.nat_enable or draft.nat.napt_static or draft.nat.nat_static
            )
            bare = not used and not uses_nat and draft.name.split(".", 1)[0] not in carrying
            source = self.book.source(draft.header)
            facts[draft.name] = InterfaceMgmt(draft.name, source, bare=bare, address_unknown=draft.address_unknown)
        return facts

    def drafts_without_address(self) -> list[str]:
        return [draft.name for draft in self.drafts if draft.address_unknown]

    def build_interface(self, draft: _Draft) -> Interface:
        interface = Interface(
            name=draft.name,
            source=self.book.source(draft.header),
            addresses=tuple(draft.addresses),
            shutdown=draft.shutdown,
            description=draft.description,
            encapsulation_vlan=draft.vlan,
            kind=_kind(draft.name),
        )
        for direction in ("in", "out"):
            bindings = draft.filters[direction]
            if not bindings:
                continue
            context = f"interface {draft.name} {direction}"
            self.mgmt.mgmt.references.extend(
                NamedReference("acl", binding.name, binding.source, context) for binding in bindings
            )
            triggers = {name: trigger for name, (trigger, _) in self.dynamic_lists.items()}
            acl = bound_acl(draft.name, direction, bindings, self.lists, triggers)
            if any(binding.name in triggers for binding in bindings):
                self.device.stateful = True
            self.device.acls[acl.name] = acl
            if direction == "in":
                interface = replace(interface, acl_in=acl.name, acl_in_source=acl.source)
            else:
                interface = replace(interface, acl_out=acl.name, acl_out_source=acl.source)
        return interface

    def nat_of(self, draft: _Draft) -> None:
        interface = self.device.interfaces[draft.name]
        rules, notes = interface_rules(draft.nat, interface, len(self.device.nat_rules))
        in_filter = self.device.acls.get(interface.acl_in) if interface.acl_in is not None else None
        notes += order_notes(rules, in_filter)
        self.device.nat_rules.extend(rules)
        for source, kind, reason in notes:
            self.book.unknown(source.line - 1, kind, reason)


def _dynamic_with_trigger(words: list[str]) -> bool:
    """`ip access-list dynamic NAME access LIST`, the form acls.py models."""
    lowered = [word.lower() for word in words]
    return len(words) == 6 and lowered[2] == "dynamic" and lowered[4] == "access" and lowered[5] not in ("src", "dest")


def _starts(lowered: tuple[str, ...], starts: tuple[tuple[str, ...], ...]) -> bool:
    return any(lowered[: len(start)] == start for start in starts)


def _kind(name: str) -> str:
    lowered = name.lower()
    for prefix, kind in _KINDS.items():
        if lowered.startswith(prefix):
            return kind
    return "subinterface" if not name.endswith(".0") else "physical"


def _interface_fact(draft: _Draft, lowered: tuple[str, ...], words: list[str], book: LineBook, index: int) -> bool:
    """Reads one forwarding fact of an interface block; False when the line is not one."""
    if lowered == ("shutdown",):
        draft.shutdown = True
        return True
    if lowered == ("no", "shutdown"):
        draft.shutdown = False
        return True
    if lowered[:1] == ("description",):
        draft.description = book.lines[index].strip()[len("description") :].strip()
        return True
    if lowered in (("no", "ip", "address"),) or lowered[:2] == ("ip", "unnumbered"):
        draft.address_unknown = lowered[:2] == ("ip", "unnumbered")
        return True
    if lowered[:2] == ("ip", "address"):
        return _address(draft, lowered)
    if lowered[:1] == ("vlan-id",) and len(lowered) == 2 and is_decimal(lowered[1]):
        draft.vlan = int(lowered[1])
        return True
    if lowered[:2] == ("ip", "filter") and len(words) == 5 and is_decimal(words[3]) and lowered[4] in ("in", "out"):
        draft.filters[lowered[4]].append(FilterBinding(words[2], int(words[3]), book.source(index)))
        return True
    return draft.nat.read(lowered, words, book.source(index))


def _address(draft: _Draft, lowered: tuple[str, ...]) -> bool:
    if lowered[2:] in (("dhcp",), ("ipcp",)):
        draft.address_unknown = True
        return True
    if len(lowered) not in (3, 4) or (len(lowered) == 4 and lowered[3] != "secondary"):
        return False
    text, _, length = lowered[2].partition("/")
    try:
        address = ip_to_int(text)
    except ValueError:
        return False
    if not is_decimal(length) or int(length) > 32:
        return False
    draft.addresses.append(InterfaceAddress(address, int(length), secondary=len(lowered) == 4))
    return True


def _read_route(words: list[str], book: LineBook, index: int) -> Route | None:
    """`PREFIX/LEN|default GATEWAY|INTERFACE [distance N]`."""
    if len(words) not in (2, 4) or (len(words) == 4 and words[2].lower() != "distance"):
        return None
    distance = 1
    if len(words) == 4:
        if not is_decimal(words[3]):
            return None
        distance = int(words[3])
    if words[0].lower() == "default":
        prefix, length = 0, 0
    else:
        text, _, length_text = words[0].partition("/")
        try:
            prefix = ip_to_int(text)
        except ValueError:
            return None
        if not is_decimal(length_text) or int(length_text) > 32:
            return None
        length = int(length_text)
        prefix &= prefix_mask(length)
    source = book.source(index)
    target = words[1]
    if target.lower().startswith("null"):
        return Route(prefix, length, RouteKind.STATIC, source, interface=target, distance=distance, discard=True)
    try:
        return Route(prefix, length, RouteKind.STATIC, source, next_hop=ip_to_int(target), distance=distance)
    except ValueError:
        return Route(prefix, length, RouteKind.STATIC, source, interface=target, distance=distance)


def parse(text: str, path: str, instance: str | None = None) -> Device:
    """Parse an IX configuration. `path` is the display path used in every Source."""
    return _Parser(text, path).run()


__all__ = ["VENDOR", "parse"]
