"""FortiOS (FortiGate) configuration parser: `parse(text, path, instance) -> Device`.

Reads FortiOS 6.x/7.x full-configuration backups, `show full-configuration` output and
partial configs (blocks.py builds the `config`/`edit` tree). Every non-blank line ends up
parsed into the model, a HARMLESS UnknownLine or a FORWARDING UnknownLine (META-001),
with its 1-based line number.

VDOMs: a config with `config vdom` holds several virtual devices. `instance` names the
one to read (the topology's `instance:`); it is the global sections (`config global`)
plus that VDOM's own sections, and the interfaces whose `vdom` is that VDOM. Several
VDOMs and no `instance` is an input error listing them; a config without VDOMs is the
single VDOM `root`. The other VDOMs' lines are HARMLESS here (they are other devices).

The device is stateful and its policy (policy.py) decides transit traffic between
interfaces. Traffic to the device itself (`to_the_box=VIA_POLICY`, reach/filters.py): to the
address of the interface it arrives on, `allowaccess` and local-in policies decide, which
are over-approximated as accepting; to the address of another interface, the FortiGate
needs a firewall policy from the arrival interface to that interface as if the packet went
through (Fortinet community "Technical Tip: Accessing the FortiGate administrative GUI/CLI"
from other interfaces and subnets), then that interface's `allowaccess` and local-in
policies decide, again taken as accepting. So a FortiGate that is the gateway of every zone
answers another zone only where a policy lets that zone through. Central NAT
(`central-nat enable`) is a FORWARDING unknown: the policies' own NAT settings are then
not what the device applies.
"""

from __future__ import annotations

from collections.abc import Sequence

from nankoku_netcheck.errors import InputError
from nankoku_netcheck.model import Device, DynamicRouting, NatRule, PolicyRule, Route, ToTheBox, UnknownKind
from nankoku_netcheck.vendors.common import file_stem
from nankoku_netcheck.vendors.fortios.blocks import (
    Entry,
    Ledger,
    Node,
    Section,
    Statement,
    read_tree,
    settings_of,
    split_lines,
)
from nankoku_netcheck.vendors.fortios.interfaces import InterfaceFacts, read_interfaces, read_zones
from nankoku_netcheck.vendors.fortios.keywords import REASON_EMPTY, SETTINGS_SAFE_VALUES, harmless_section
from nankoku_netcheck.vendors.fortios.mgmt import read_management
from nankoku_netcheck.vendors.fortios.names import read_names
from nankoku_netcheck.vendors.fortios.nat import read_pools, read_vip_groups, read_vips
from nankoku_netcheck.vendors.fortios.objects import Objects, read_addresses, read_groups, read_services
from nankoku_netcheck.vendors.fortios.policy import Interfaces, intrazone_rules, read_policies
from nankoku_netcheck.vendors.fortios.routing import (
    DynamicDraft,
    Sdwan,
    dynamic_routing,
    read_dynamic,
    read_policy_routes,
    read_sdwan,
    read_static,
)

VENDOR = "fortios"
SINGLE_VDOM = "root"

Sections = dict[tuple[str, ...], list[Section]]

# Management sections: read by mgmt.py, harmless to forwarding.
_MGMT_SECTIONS = (
    ("system", "global"),
    ("system", "admin"),
    ("system", "ntp"),
    ("system", "snmp"),
    ("system", "password-policy"),
    ("system", "interface-policy"),
)
_DYNAMIC = ("ospf", "rip", "bgp", "isis")


def parse(text: str, path: str, instance: str | None = None) -> Device:
    """Parse a FortiOS configuration (one VDOM of it). `path` is the display path used in every Source."""
    lines = split_lines(text)
    tree = read_tree(lines)
    ledger = Ledger(lines, path)
    for index in tree.comments:
        ledger.unknown(index, UnknownKind.HARMLESS, "comment")
    for index, reason in tree.problems:
        ledger.unknown(index, UnknownKind.FORWARDING, reason)
    vdom, selected = _select(ledger, tree.items, instance, path)
    sections: Sections = {}
    for section in selected:
        sections.setdefault(section.path, []).append(section)
    return _Reader(ledger, sections, vdom).device()


def _select(ledger: Ledger, items: Sequence[Node], instance: str | None, path: str) -> tuple[str | None, list[Section]]:
    """The VDOM read (None: the config has no VDOMs) and the sections that make it."""
    vdom_blocks = [node for node in items if isinstance(node, Section) and node.path == ("vdom",)]
    for node in items:
        if isinstance(node, Statement):
            ledger.statement(node, UnknownKind.FORWARDING, "command outside any 'config' block")
    top_sections = [node for node in items if isinstance(node, Section)]
    if not vdom_blocks:
        if instance is not None and instance != SINGLE_VDOM:
            raise InputError.single(
                path, 0, f"instance '{instance}': this config has no VDOMs (its only virtual device is '{SINGLE_VDOM}')"
            )
        return None, top_sections
    names = list(dict.fromkeys(node.name for block in vdom_blocks for node in block.items if isinstance(node, Entry)))
    if instance is None:
        if len(names) != 1:
            raise InputError.single(
                path,
                0,
                f"this config holds several VDOMs ({', '.join(names)}): name one with 'instance:' in the topology",
            )
        instance = names[0]
    elif instance not in names:
        raise InputError.single(
            path, 0, f"instance '{instance}': no such VDOM in this config (VDOMs: {', '.join(names)})"
        )
    selected: list[Section] = []
    for section in top_sections:
        if section.path == ("global",):
            ledger.frame(section)
            selected.extend(_sections_in(ledger, section.items, "config global"))
        elif section.path != ("vdom",):
            selected.append(section)
    for block in vdom_blocks:
        ledger.frame(block)
        for node in block.items:
            if isinstance(node, Entry) and node.name == instance:
                ledger.frame(node)
                selected.extend(_sections_in(ledger, node.items, f"VDOM {instance}"))
            elif isinstance(node, Entry):
                ledger.mark(node, UnknownKind.HARMLESS, f"belongs to VDOM '{node.name}' (another device)")
            else:
                ledger.mark(node, UnknownKind.FORWARDING, "command in 'config vdom' is not modelled")
    return instance, selected


def _sections_in(ledger: Ledger, items: Sequence[Node], where: str) -> list[Section]:
    result = []
    for node in items:
        if isinstance(node, Section):
            result.append(node)
        else:
            ledger.mark(node, UnknownKind.FORWARDING, f"command directly in {where} is not modelled")
    return result


class _Reader:
    """Reads the selected sections of one device into the model."""

    def __init__(self, ledger: Ledger, sections: Sections, vdom: str | None) -> None:
        self.ledger = ledger
        self.sections = sections
        self.vdom = vdom
        self.objects = Objects()
        # What `take` handed out, for the readers that run after the forwarding ones.
        self.taken: Sections = {}

    def take(self, *path: str) -> list[Section]:
        """The sections of `path`, their frames accounted for."""
        found = self.sections.pop(tuple(path), [])
        self.taken[tuple(path)] = found
        for section in found:
            self.ledger.frame(section)
        return found

    def device(self) -> Device:
        facts = read_interfaces(self.ledger, self.take("system", "interface"), self.vdom)
        zones = read_zones(self.ledger, self.take("system", "zone"))
        sdwan = self.sdwan()
        read_addresses(self.ledger, self.take("firewall", "address"), self.objects)
        read_groups(
            self.ledger,
            self.take("firewall", "addrgrp"),
            self.objects.address_groups,
            "firewall addrgrp",
            ("member", "exclude", "exclude-member"),
        )
        read_services(self.ledger, self.take("firewall", "service", "custom"), self.objects)
        read_groups(
            self.ledger,
            self.take("firewall", "service", "group"),
            self.objects.service_groups,
            "firewall service group",
            ("member", "proxy"),
        )
        vip_rules = read_vips(self.ledger, self.take("firewall", "vip"), self.objects)
        read_vip_groups(self.ledger, self.take("firewall", "vipgrp"), self.objects)
        pools = read_pools(self.ledger, self.take("firewall", "ippool"))
        sdwan_zones = sdwan.zones if sdwan is not None else {}
        policy = read_policies(
            self.ledger, self.take("firewall", "policy"), self.objects, Interfaces(zones, sdwan_zones), pools
        )
        rules: list[PolicyRule] = [*intrazone_rules(zones), *policy.rules]
        nat_rules: list[NatRule] = [*vip_rules, *policy.nat_rules]
        routes: list[Route] = read_static(self.ledger, self.take("router", "static"))
        read_policy_routes(self.ledger, self.take("router", "policy"))
        drafts: list[DynamicDraft] = []
        for protocol in _DYNAMIC:
            for section in self.take("router", protocol):
                drafts.append(read_dynamic(self.ledger, section))
        self.settings()
        management = {path: list(found) for path, found in self.sections.items()}
        self.remaining()
        dynamic = dynamic_routing(self.ledger, drafts, facts.interfaces)
        if sdwan is not None and sdwan.enabled and sdwan.members:
            dynamic.append(_sdwan_routing(self.ledger, sdwan, facts))
        self.ledger.sweep()
        mgmt = read_management(self.ledger, management, facts.access)
        definitions, references = read_names(self.ledger, self.taken)
        mgmt.definitions.extend(definitions)
        mgmt.references.extend(references)
        global_settings = settings_of(
            node for section in management.get(("system", "global"), []) for node in section.items
        )
        hostname = global_settings.get("hostname")
        if self.vdom is not None and hostname:
            hostname = f"{hostname}/{self.vdom}"
        return Device(
            name=hostname or file_stem(self.ledger.path),
            vendor=VENDOR,
            source_file=self.ledger.path,
            hostname=hostname,
            interfaces=facts.interfaces,
            routes=routes,
            dynamic_routing=dynamic,
            unknown_lines=self.ledger.unknowns(),
            lines=tuple(self.ledger.lines),
            undefined_acl_permits=False,
            stateful=True,
            nat_rules=nat_rules,
            policy=tuple(rules),
            to_the_box=ToTheBox.VIA_POLICY,
            mgmt=mgmt,
        )

    def sdwan(self) -> Sdwan | None:
        found = self.take("system", "sdwan") + self.take("system", "virtual-wan-link")
        result = None
        for section in found:
            result = read_sdwan(self.ledger, section)
        return result

    def settings(self) -> None:
        """`config system settings`: per-VDOM switches; those that change forwarding must
        hold their modelled value (NAT mode, no central NAT, no asymmetric routing)."""
        for section in self.take("system", "settings"):
            settings = settings_of(section.items)
            for statement in settings.statements + settings.others:
                key = statement.words[0].lower() if statement.words else ""
                safe = SETTINGS_SAFE_VALUES.get(key)
                value = " ".join(statement.words[1:]).lower()
                if safe is None or statement.verb == "unset" or value in safe:
                    self.ledger.statement(
                        statement, UnknownKind.HARMLESS, f"system settings: '{key}' leaves forwarding as modelled"
                    )
                else:
                    self.ledger.statement(
                        statement, UnknownKind.FORWARDING, f"system settings: '{key} {value}' is not modelled"
                    )
            for nested in settings.sections:
                self.ledger.mark(nested, UnknownKind.HARMLESS, "system settings: per-VDOM option")

    def remaining(self) -> None:
        """Every other section: management (read later, harmless here), a harmless
        section, an empty one, or FORWARDING."""
        for path, found in self.sections.items():
            for section in found:
                reason = _harmless_reason(path)
                if path == ("router", "multicast") and "multicast-routing enable" not in _flat(section):
                    reason = "multicast routing is off (multicast-routing disable)"
                if reason is not None:
                    self.ledger.mark(section, UnknownKind.HARMLESS, reason)
                elif not section.items:
                    self.ledger.mark(section, UnknownKind.HARMLESS, REASON_EMPTY)
                else:
                    self.ledger.unknown(
                        section.first, UnknownKind.FORWARDING, f"'config {' '.join(path)}' is not modelled"
                    )
                    self.ledger.mark(
                        section, UnknownKind.FORWARDING, f"inside 'config {' '.join(path)}' (not modelled)"
                    )


def _flat(section: Section) -> str:
    """The section's top-level settings as `key value` text (for a quick value test)."""
    settings = settings_of(section.items)
    return " ".join(f"{key} {' '.join(values).lower()}" for key, values in settings.values.items())


def _harmless_reason(path: tuple[str, ...]) -> str | None:
    if any(path[: len(prefix)] == prefix for prefix in _MGMT_SECTIONS):
        return "management-plane setting (read into the hardening facts)"
    return harmless_section(path)


def _sdwan_routing(ledger: Ledger, sdwan: Sdwan, facts: InterfaceFacts) -> DynamicRouting:
    members = tuple(
        sorted(name for name in set(sdwan.members) if name in facts.interfaces or name not in facts.elsewhere)
    )
    return DynamicRouting("sdwan", "", members, ledger.source(sdwan.source_line))
