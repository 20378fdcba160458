"""AlliedWare Plus `interface` blocks: addresses, switchport membership, ACL bindings.

Ports are layer-2 access ports in VLAN 1 unless configured otherwise (the AW+ default);
a VLAN interface routes for the ports of its VLAN. ACLs are bound with `access-group
ACL` (older releases: `ip access-group ACL`) and filter packets *entering* the port or
VLAN; several on one interface are checked in the order they were attached, as one list
(acls.py says how each kind ends).

How port filters reach the model: the graph joins a link on an access port to the VLAN
interface of the port's VLAN, so a port's filter decides routed traffic only through
that VLAN interface. When every port carrying VLAN N has the same filters (the same lists
in the same order) and the VLAN interface has none of its own, VLAN N's interface takes
them as its inbound ACL (exact for traffic routed from those ports). When the ports
differ, or the VLAN interface has filters of its own, the ports' filters are left out for
routed traffic of that VLAN (fewer filters: more reachability, never less) and every
such `access-group` line is META-001, so that the verdict says it is not exact. A trunk
without `switchport trunk allowed vlan` is read as carrying every VLAN (more
reachability; AW+ adds VLANs to a trunk only when told).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from nankoku_netcheck.model import (
    Acl,
    Interface,
    InterfaceAddress,
    InterfaceMgmt,
    Source,
    UnknownKind,
    is_decimal,
    mask_to_length,
)
from nankoku_netcheck.vendors.alliedware_plus.acls import HARDWARE, AclDraft, implicit_permit
from nankoku_netcheck.vendors.alliedware_plus.blocks import Command, Ledger
from nankoku_netcheck.vendors.alliedware_plus.names import expand, kind_of, vlan_of
from nankoku_netcheck.vendors.common import REASON_DROP_ONLY, NotUnderstood, ipv4, number, vlan_list

FORWARDING = UnknownKind.FORWARDING
HARMLESS = UnknownKind.HARMLESS

REASON_VRF = (
    "this VRF form is not modelled (VRF-lite is: ip vrf NAME, ip vrf forwarding NAME, ip route vrf NAME): "
    "the interface's routes are unknown"
)

# Interface commands that neither forward nor filter transit traffic.
_HARMLESS_WORDS = frozenset(
    {
        "spanning-tree",
        "speed",
        "duplex",
        "mtu",
        "lldp",
        "storm-control",
        "flowcontrol",
        "ecofriendly",
        "polarity",
        "power-inline",
        "ipv6",
        "loop-protection",
        "thrash-limiting",
        "mls",
        "service-policy",
        "egress-rate-limit",
        "link-flap",
        "snmp",
        "igmp",
        "ip igmp",
        "ip dhcp-snooping",
        "arp-security",
        "ip arp",
    }
)
# Access control on the port: it can only drop packets; the PORT rules read it as a fact.
_PORT_AUTH_WORDS = frozenset({"dot1x", "auth", "auth-mac", "auth-web", "switchport port-security", "mac"})


@dataclass
class InterfaceDraft:
    name: str
    source: Source
    description: str = ""
    shutdown: bool = False
    addresses: list[InterfaceAddress] = field(default_factory=list)
    mode: str = "access"
    access_vlan: int = 1
    trunk_vlans: set[int] | None = None
    native_vlan: int | None = 1
    acls: list[tuple[str, Source]] = field(default_factory=list)
    bare: bool = True
    dot1x: bool = False
    mab: bool = False
    auth_source: Source | None = None
    port_security: bool = False
    port_security_source: Source | None = None
    address_unknown: bool = False
    vrf: str = ""  # `ip vrf forwarding NAME`: the table the interface routes in ("" = global)

    @property
    def layer2(self) -> bool:
        return kind_of(self.name) in ("physical", "port-channel") and self.name.startswith(("port", "sa", "po"))

    def carries(self, vlan: int) -> bool:
        if not self.layer2 or self.shutdown:
            return False
        if self.mode == "access":
            return self.access_vlan == vlan
        return self.native_vlan == vlan or self.trunk_vlans is None or vlan in self.trunk_vlans


class InterfaceReader:
    """Reads `interface` blocks into drafts; `finish` makes the model interfaces."""

    def __init__(self, ledger: Ledger) -> None:
        self.ledger = ledger
        self.drafts: dict[str, InterfaceDraft] = {}

    def read(self, command: Command) -> None:
        ledger = self.ledger
        try:
            names = expand(" ".join(command.words[1:]))
        except NotUnderstood as problem:
            ledger.block(command, FORWARDING, f"interface not understood: {problem}")
            return
        ledger.parsed(command.index)
        drafts = [self.drafts.setdefault(name, InterfaceDraft(name, ledger.source(command.index))) for name in names]
        for child in command.children:
            for draft in drafts:
                self._child(draft, child)

    def _child(self, draft: InterfaceDraft, child: Command) -> None:
        ledger = self.ledger
        lowered = child.lowered
        source = ledger.source(child.index)
        try:
            outcome = self._apply(draft, child, lowered, source)
        except NotUnderstood as problem:
            ledger.unknown(child.index, FORWARDING, f"interface command not understood: {problem}")
            return
        if outcome is None:
            ledger.parsed(child.index)
        else:
            ledger.unknown(child.index, *outcome)

    def _apply(
        self, draft: InterfaceDraft, child: Command, lowered: tuple[str, ...], source: Source
    ) -> tuple[UnknownKind, str] | None:
        first, two = lowered[0], " ".join(lowered[:2])
        if first == "description":
            draft.description = " ".join(child.words[1:])
            return None
        if lowered == ("shutdown",):
            draft.shutdown = True
            return None
        if lowered == ("no", "shutdown"):
            draft.shutdown = False
            return None
        if two == "ip address":
            return self._address(draft, child.words[2:])
        if first == "switchport" and two != "switchport port-security":
            draft.bare = False
            _switchport(draft, lowered[1:])
            return None
        if first == "access-group" or two == "ip access-group":
            name = child.words[-1] if len(child.words) in (2, 3) else ""
            if not name or (len(child.words) == 3 and two != "ip access-group"):
                raise NotUnderstood("access-group takes one ACL")
            draft.acls.append((name, source))
            draft.bare = False
            return None
        if lowered[:3] == ("ip", "vrf", "forwarding") and len(lowered) == 4:
            draft.vrf = child.words[3]
            return None
        if two == "ip vrf" or first == "vrf":
            return FORWARDING, REASON_VRF
        if first in ("static-channel-group", "channel-group"):
            draft.bare = False
            return None
        if two == "mac access-group":
            return HARMLESS, REASON_DROP_ONLY
        return self._other(draft, lowered, two, source)

    def _other(
        self, draft: InterfaceDraft, lowered: tuple[str, ...], two: str, source: Source
    ) -> tuple[UnknownKind, str] | None:
        first = lowered[0]
        if two == "switchport port-security" or first in _PORT_AUTH_WORDS or two in _PORT_AUTH_WORDS:
            _port_auth(draft, lowered, source)
            return HARMLESS, REASON_DROP_ONLY
        if first in _HARMLESS_WORDS or two in _HARMLESS_WORDS:
            return HARMLESS, "port or platform setting (does not forward or filter transit traffic)"
        return FORWARDING, f"interface command '{' '.join(lowered[:3])}' is not modelled"

    def _address(self, draft: InterfaceDraft, words: tuple[str, ...]) -> tuple[UnknownKind, str] | None:
        lowered = [word.lower() for word in words]
        if lowered and lowered[0] in ("dhcp", "negotiated"):
            draft.address_unknown = True
            return FORWARDING, f"address obtained by '{lowered[0]}' is not known"
        secondary = bool(lowered) and lowered[-1] == "secondary"
        arguments = words[:-1] if secondary else words
        draft.addresses.append(_interface_address(arguments, secondary))
        draft.bare = False
        return None

    def finish(
        self, acls: Mapping[str, AclDraft]
    ) -> tuple[dict[str, Interface], dict[str, Acl], dict[str, InterfaceMgmt]]:
        """The interfaces, the combined ACLs several bindings make, and the port facts."""
        combined: dict[str, Acl] = {}
        bound: dict[str, tuple[str, Source] | None] = {}
        for name, draft in self.drafts.items():
            bound[name] = self._binding(draft, acls, combined)
        self._fold_port_filters(bound)
        interfaces = {name: _interface(draft, bound[name]) for name, draft in self.drafts.items()}
        mgmt = {name: _interface_mgmt(draft) for name, draft in self.drafts.items()}
        return interfaces, combined, mgmt

    def _binding(
        self, draft: InterfaceDraft, acls: Mapping[str, AclDraft], combined: dict[str, Acl]
    ) -> tuple[str, Source] | None:
        """The ACL name `draft`'s bindings amount to (a combined list for several)."""
        if not draft.acls:
            return None
        if len(draft.acls) == 1:
            return draft.acls[0]
        names = [name for name, _ in draft.acls]
        kept: list[AclDraft] = []
        for name, source in draft.acls:
            acl = acls.get(name)
            if acl is None:
                continue  # an undefined list has no entry: it permits everything (see parser.py)
            if acl.kind != HARDWARE:
                self.ledger.unknown(
                    source.line - 1,
                    FORWARDING,
                    f"software ACL '{name}' bound with other ACLs: how they combine is not documented (ignored)",
                )
                continue
            kept.append(acl)
        label = "+".join(names)
        lines = [line for acl in kept for line in acl.lines]
        lines.append(implicit_permit(draft.acls[0][1]))
        combined[label] = Acl(label, tuple(lines), draft.acls[0][1])
        return label, draft.acls[0][1]

    def _fold_port_filters(self, bound: dict[str, tuple[str, Source] | None]) -> None:
        for name in self.drafts:
            vlan = vlan_of(name)
            if vlan is None:
                continue
            members = [other for other in self.drafts.values() if other.carries(vlan)]
            labels = {other.name: binding[0] for other in members if (binding := bound[other.name]) is not None}
            if not labels:
                continue
            if bound[name] is None and len(labels) == len(members) and len(set(labels.values())) == 1:
                bound[name] = bound[members[0].name]
                continue
            why = (
                f"VLAN {vlan}'s interface has its own filter"
                if bound[name] is not None
                else f"the ports of VLAN {vlan} filter differently"
            )
            for member in labels:
                for _, source in self.drafts[member].acls:
                    self.ledger.unknown(
                        source.line - 1,
                        FORWARDING,
                        f"port filter left out for traffic routed by {name}: {why} (more reachability)",
                    )


def _interface_address(words: tuple[str, ...], secondary: bool) -> InterfaceAddress:
    if len(words) == 1 and "/" in words[0]:
        address_text, _, length_text = words[0].partition("/")
        return InterfaceAddress(ipv4(address_text), number(length_text, 0, 32, "prefix length"), secondary)
    if len(words) == 2:
        length = mask_to_length(ipv4(words[1]))
        if length is None:
            raise NotUnderstood(f"'{words[1]}' is not a netmask")
        return InterfaceAddress(ipv4(words[0]), length, secondary)
    raise NotUnderstood(f"address '{' '.join(words)}'")


def _switchport(draft: InterfaceDraft, rest: tuple[str, ...]) -> None:
    if not rest:
        return
    if rest[0] == "mode" and len(rest) == 2 and rest[1] in ("access", "trunk"):
        draft.mode = rest[1]
    elif rest[:2] == ("access", "vlan") and len(rest) == 3:
        draft.access_vlan = number(rest[2], 1, 4094, "VLAN")
    elif rest[:3] == ("trunk", "allowed", "vlan") and len(rest) >= 4:
        _allowed(draft, rest[3:])
    elif rest[:3] == ("trunk", "native", "vlan") and len(rest) == 4:
        draft.native_vlan = None if rest[3] == "none" else number(rest[3], 1, 4094, "VLAN")
    else:
        raise NotUnderstood(f"switchport {' '.join(rest)}")


def _allowed(draft: InterfaceDraft, words: tuple[str, ...]) -> None:
    verb = words[0]
    if verb == "all" and len(words) == 1:
        draft.trunk_vlans = None
    elif verb == "none" and len(words) == 1:
        draft.trunk_vlans = set()
    elif verb == "add" and len(words) == 2:
        draft.trunk_vlans = (draft.trunk_vlans or set()) | vlan_list(words[1])
    elif verb == "remove" and len(words) == 2:
        if draft.trunk_vlans is not None:
            draft.trunk_vlans -= vlan_list(words[1])
    elif verb == "except" and len(words) == 2:
        draft.trunk_vlans = set(range(1, 4095)) - vlan_list(words[1])
    elif len(words) == 1 and (is_decimal(verb) or "," in verb or "-" in verb):
        draft.trunk_vlans = vlan_list(verb)
    else:
        raise NotUnderstood(f"switchport trunk allowed vlan {' '.join(words)}")


def _port_auth(draft: InterfaceDraft, lowered: tuple[str, ...], source: Source) -> None:
    if lowered[:2] == ("dot1x", "port-control") and lowered[2:3] == ("auto",):
        draft.dot1x, draft.auth_source = True, source
    elif lowered[:2] == ("auth-mac", "enable"):
        draft.mab, draft.auth_source = True, source
    elif lowered == ("switchport", "port-security"):
        draft.port_security, draft.port_security_source = True, source


def _interface(draft: InterfaceDraft, binding: tuple[str, Source] | None) -> Interface:
    layer2 = draft.layer2 and not draft.addresses
    return Interface(
        name=draft.name,
        source=draft.source,
        addresses=tuple(draft.addresses),
        shutdown=draft.shutdown,
        description=draft.description,
        acl_in=binding[0] if binding else None,
        acl_in_source=binding[1] if binding else None,
        switchport_mode=draft.mode if layer2 else None,
        access_vlan=draft.access_vlan if layer2 and draft.mode == "access" else None,
        trunk_vlans=tuple(sorted(draft.trunk_vlans)) if layer2 and draft.trunk_vlans is not None else None,
        kind=kind_of(draft.name),
        vrf=draft.vrf,
    )


def _interface_mgmt(draft: InterfaceDraft) -> InterfaceMgmt:
    return InterfaceMgmt(
        name=draft.name,
        source=draft.source,
        port_security=draft.port_security,
        port_security_source=draft.port_security_source,
        dot1x=draft.dot1x,
        mab=draft.mab,
        access_control_source=draft.auth_source,
        bare=draft.bare,
        address_unknown=draft.address_unknown,
    )
