"""AlliedWare Plus (Allied Telesis AT-x switches, AR routers) parser: `parse(text, path) -> Device`.

Reads `show running-config` output. Every non-blank line ends up parsed into the model, a
HARMLESS UnknownLine or a FORWARDING UnknownLine (META-001), with its 1-based line number.

The device filters with its interfaces' inbound ACLs (acls.py, interfaces.py); they keep no
connection state, and a port's filter also sees packets to the switch itself
(`to_the_box=ToTheBox.FILTERED`, the default). An AR-series firewall with `protect` is the device's policy and
makes it stateful (firewall.py); without a protecting firewall `stateful=False`. An ACL name
bound but not defined is read as permitting everything (AW+ hardware lists permit what no
entry denies; for a name that is not there, the wider reading).

The AR series' `nat` rules (masquerade, port forwarding) become NatRules (nat.py).

VRF-lite (AT-x "VRF-lite Feature Overview and Configuration Guide"): `ip vrf NAME [ID]` defines
a VRF (its `rd`, `description` and route limits say nothing about forwarding; a `route-target`
is inert without BGP and, with BGP, may leak routes between VRFs: META-001), `ip vrf forwarding
NAME` puts an interface in it, `ip route vrf NAME ...` installs a route in its table (an egress
interface of another VRF is a static inter-VRF route: the route leaks, reach/fib.py), and
`router ospf N NAME` / BGP and RIP `address-family ipv4 vrf NAME` are the VRF's own processes,
over-approximated on its interfaces only.

Not modelled yet, META-001 (FORWARDING) wherever they appear: other VRF forms, NAT `netmap`
rules, the UTM features, policy-based routing, and any command not listed as harmless.
"""

from __future__ import annotations

from dataclasses import replace

from nankoku_netcheck.model import Device, DynamicRouting, Route, Source, UnknownKind, is_decimal
from nankoku_netcheck.vendors.alliedware_plus.acls import HARDWARE, AclDraft, numbered_kind, read_entry
from nankoku_netcheck.vendors.alliedware_plus.blocks import Command, Ledger, read_commands
from nankoku_netcheck.vendors.alliedware_plus.firewall import Firewall
from nankoku_netcheck.vendors.alliedware_plus.interfaces import REASON_VRF, InterfaceReader
from nankoku_netcheck.vendors.alliedware_plus.mgmt import MgmtReader
from nankoku_netcheck.vendors.alliedware_plus.nat import Nat
from nankoku_netcheck.vendors.alliedware_plus.routing import DYNAMIC, read_static
from nankoku_netcheck.vendors.common import REASON_DROP_ONLY, REASON_PLATFORM, NotUnderstood, file_stem

VENDOR = "alliedware_plus"

FORWARDING = UnknownKind.FORWARDING
HARMLESS = UnknownKind.HARMLESS

REASON_UTM = "AR-series NAT or UTM feature: not modelled yet"
_ROUTE_TARGET_WITH_BGP = (
    "route-target with BGP on the device: BGP may leak routes between VRFs; dynamic inter-VRF leaking is not modelled"
)

# Global commands that neither forward nor filter transit traffic.
_HARMLESS = frozenset(
    {
        "end",
        "clock",
        "stack",
        "spanning-tree",
        "lldp",
        "vlan",
        "atmf",
        "power-inline",
        "platform",
        "mls",
        "ecofriendly",
        "dot1x",
        "radius-server",
        "auth-mac",
        "auth-web",
        "exception",
        "errdisable",
        "loop-protection",
        "sflow",
        "mail",
        "time-range",
        "class-map",
        "policy-map",
        "lacp",
        "mirror",
        "crypto",
        "ipv6",
        "system",
        "feature",
        "bootp",
        "trigger",
        "script",
        "epsr",
        "udld",
        "http-proxy",
        "thrash-limiting",
    }
)
_HARMLESS_IP = frozenset(
    {
        "domain-lookup",
        "domain-name",
        "domain-list",
        "name-server",
        "dhcp-snooping",
        "igmp",
        "multicast-routing",
        "dns",
        "dhcp",
        "tftp",
        "http",
        "source-route",
    }
)
_UTM = frozenset({"nat", "url-filter", "ip-reputation", "antivirus", "malware-protection", "ips", "dpi"})


class _Parser:
    def __init__(self, text: str, path: str) -> None:
        self.ledger = Ledger(text, path)
        self.interfaces = InterfaceReader(self.ledger)
        self.mgmt = MgmtReader(self.ledger)
        self.acls: dict[str, AclDraft] = {}
        self.routes: list[Route] = []
        self.dynamic: list[Command] = []
        self.hostname = ""
        self.firewall = Firewall(self.ledger)
        self.nat = Nat(self.ledger)
        self.route_targets: list[int] = []

    def run(self) -> Device:
        commands = read_commands(self.ledger.lines)
        for command in commands:
            self._command(command)
        interfaces, combined, port_facts = self.interfaces.finish(self.acls)
        acls = {name: draft.finish() for name, draft in self.acls.items()}
        acls.update(combined)
        dynamic = [
            DynamicRouting(
                protocol,
                process,
                tuple(name for name, i in interfaces.items() if i.addresses and i.vrf == vrf),
                source,
                vrf=vrf,
            )
            for protocol, process, source, vrf in self._processes()
        ]
        self._route_targets(any(command.lowered[1] == "bgp" for command in self.dynamic))
        mgmt = self.mgmt.finish(port_facts)
        policy = self.firewall.policy()
        nat_rules = self.nat.nat_rules(self.firewall, interfaces)
        return Device(
            name=self.hostname or file_stem(self.ledger.path),
            vendor=VENDOR,
            source_file=self.ledger.path,
            hostname=self.hostname,
            interfaces=interfaces,
            acls=acls,
            routes=self.routes,
            dynamic_routing=dynamic,
            unknown_lines=self.ledger.unknowns(),
            lines=tuple(self.ledger.lines),
            mgmt=mgmt,
            policy=policy,
            stateful=policy is not None,
            nat_rules=nat_rules,
        )

    def _command(self, command: Command) -> None:
        lowered = command.lowered
        first = lowered[0]
        ledger = self.ledger
        if first == "hostname" and len(lowered) == 2:
            self.hostname = command.words[1]
            self.mgmt.hostname(command)
        elif first == "interface" and len(lowered) >= 2:
            self.interfaces.read(command)
        elif first == "access-list" and len(lowered) >= 2:
            self._access_list(command)
        elif lowered[:2] == ("ip", "route"):
            self._route(command)
        elif lowered[:2] == ("ip", "vrf") and (len(lowered) == 3 or (len(lowered) == 4 and is_decimal(lowered[3]))):
            self._vrf(command)
        elif lowered[:2] == ("ip", "vrf") or first == "vrf":
            ledger.block(command, FORWARDING, REASON_VRF)
        elif first == "router" and len(lowered) >= 2 and lowered[1] in DYNAMIC:
            self.dynamic.append(command)
            ledger.parsed(command.index)
            for child in command.children:
                ledger.unknown(
                    child.index, HARMLESS, "dynamic routing is over-approximated (any prefix, any interface)"
                )
        elif self.mgmt.read(command):
            return
        elif first == "zone" and len(lowered) == 2:
            self.firewall.zone(command)
        elif first == "application" and len(lowered) == 2:
            self.firewall.application(command)
        elif lowered == ("firewall",):
            self.firewall.firewall(command)
        elif lowered == ("nat",):
            self.nat.nat(command)
        elif first in _UTM:
            ledger.block(command, FORWARDING, REASON_UTM)
        elif _harmless(lowered):
            ledger.block(command, HARMLESS, REASON_PLATFORM)
        else:
            ledger.block(command, FORWARDING, f"command '{' '.join(lowered[:2])}' is not modelled")

    def _vrf(self, command: Command) -> None:
        """An `ip vrf NAME [ID]` block (see the module docstring)."""
        self.ledger.parsed(command.index)
        for child in command.children:
            lowered = child.lowered
            if lowered[0] == "route-target":
                self.route_targets.append(child.index)
            elif lowered[0] in ("rd", "description", "max-fib-routes", "max-static-routes"):
                self.ledger.unknown(child.index, HARMLESS, "VRF setting that does not move routes")
            else:
                self.ledger.unknown(child.index, FORWARDING, f"VRF setting '{' '.join(lowered[:2])}' is not modelled")

    def _route_targets(self, runs_bgp: bool) -> None:
        for index in self.route_targets:
            if runs_bgp:
                self.ledger.unknown(index, FORWARDING, _ROUTE_TARGET_WITH_BGP)
            else:
                self.ledger.unknown(index, HARMLESS, "route-target without BGP: no routes are imported or exported")

    def _processes(self) -> list[tuple[str, str, Source, str]]:
        """(protocol, process, source, vrf) of every routing process: a `router ospf N NAME` line
        is VRF NAME's, and so is each `address-family ipv4 vrf NAME` section of the others."""
        found: list[tuple[str, str, Source, str]] = []
        for command in self.dynamic:
            protocol, words = command.lowered[1], command.words
            source = self.ledger.source(command.index)
            vrf = words[3] if protocol == "ospf" and len(words) == 4 and is_decimal(words[2]) else ""
            found.append((protocol, words[2] if vrf else " ".join(words[2:]), source, vrf))
            for child in command.children:
                lowered = child.lowered
                if lowered[:1] == ("address-family",) and "vrf" in lowered[:-1]:
                    name = child.words[lowered.index("vrf") + 1]
                    found.append((protocol, " ".join(words[2:]), self.ledger.source(child.index), name))
        return found

    def _route(self, command: Command) -> None:
        words, vrf = command.words, ""
        if len(command.lowered) > 2 and command.lowered[2] == "vrf":
            if len(words) < 4:
                self.ledger.block(command, FORWARDING, "static route not understood: missing VRF name")
                return
            vrf, words = words[3], words[:2] + words[4:]
        try:
            self.routes.append(replace(read_static(words[2:], self.ledger.source(command.index)), vrf=vrf))
        except NotUnderstood as problem:
            self.ledger.block(command, FORWARDING, f"static route not understood: {problem}")
            return
        self.ledger.parsed(command.index)

    def _access_list(self, command: Command) -> None:
        ledger = self.ledger
        lowered = command.lowered
        if lowered[1] in ("hardware", "standard", "extended") and len(lowered) >= 3:
            kind, name, inline = lowered[1], command.words[2], command.words[3:]
        else:
            numbered = numbered_kind(command.words[1])
            if numbered is None and lowered[1] in ("hardware", "standard", "extended"):
                ledger.block(command, FORWARDING, "access list without a name")
                return
            if numbered is None:
                reason = "MAC or IPv6 access list: not modelled; where bound it is read as permitting"
                ledger.block(command, HARMLESS, f"{reason} ({REASON_DROP_ONLY})")
                return
            kind, name, inline = numbered, command.words[1], command.words[2:]
        source = ledger.source(command.index)
        draft = self.acls.setdefault(name, AclDraft(name, kind, source, []))
        if draft.kind != kind:
            ledger.block(command, FORWARDING, f"access list '{name}' is defined as {draft.kind} and as {kind}")
            return
        ledger.parsed(command.index)
        if inline:
            self._entry(draft, command.index, inline)
        for child in command.children:
            self._entry(draft, child.index, child.words)

    def _entry(self, draft: AclDraft, index: int, words: tuple[str, ...]) -> None:
        ledger = self.ledger
        if words[0].lower() == "remark":
            ledger.unknown(index, HARMLESS, "remark")
            return
        try:
            entry = read_entry(words, draft.kind, ledger.source(index))
        except NotUnderstood as problem:
            ledger.unknown(index, FORWARDING, f"access list entry not understood: {problem}")
            return
        draft.lines.append(entry.line)
        if not entry.line.understood:
            ledger.unknown(index, FORWARDING, f"access list entry not understood: {entry.line.approximation}")
        elif entry.redirects:
            ledger.unknown(index, FORWARDING, "send-to-vlan-port redirects packets to a port routing does not choose")
        elif draft.kind == HARDWARE or entry.line.understood:
            ledger.parsed(index)


def _harmless(lowered: tuple[str, ...]) -> bool:
    words = lowered[1:] if lowered[0] == "no" else lowered
    if not words:
        return False
    return words[0] in _HARMLESS or (words[0] == "ip" and len(words) > 1 and words[1] in _HARMLESS_IP)


def parse(text: str, path: str) -> Device:
    """Parse an AlliedWare Plus running-config. `path` is the display path used in every Source."""
    return _Parser(text, path).run()
