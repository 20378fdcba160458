"""Definitions and uses of named firewall objects (ACL-001, ACL-003).

Kinds: "address" for `firewall address`, `addrgrp`, `vip` and `vipgrp` (a policy's
srcaddr/dstaddr names any of them, so they share one namespace here), "service" for
`firewall service custom` / `group`, "ip pool" for `firewall ippool`. Uses: a policy's
srcaddr, dstaddr, service and poolname (disabled policies included: they are written in
the configuration), group members. The forwarding parser reads an undefined name as any
address or every service and marks that line META-001; ACL-001 reports it here as well.

Names FortiOS knows without a definition (`all`, `none`, the predefined services) and the
factory objects a full configuration lists (and whose groups name each other) count as
used but are never undefined, and are not recorded as definitions: ACL-003 reports only
the objects someone wrote.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from nankoku_netcheck.model import NamedObject, NamedReference
from nankoku_netcheck.vendors.fortios.blocks import Ledger, Section, table_of
from nankoku_netcheck.vendors.fortios.keywords import PREDEFINED_SERVICES

Sections = Mapping[tuple[str, ...], Sequence[Section]]

_DEFINED: tuple[tuple[tuple[str, ...], str], ...] = (
    (("firewall", "address"), "address"),
    (("firewall", "addrgrp"), "address"),
    (("firewall", "vip"), "address"),
    (("firewall", "vipgrp"), "address"),
    (("firewall", "service", "custom"), "service"),
    (("firewall", "service", "group"), "service"),
    (("firewall", "ippool"), "ip pool"),
)
# (section path, key, kind) of the settings that name objects.
_USES: tuple[tuple[tuple[str, ...], str, str], ...] = (
    (("firewall", "policy"), "srcaddr", "address"),
    (("firewall", "policy"), "dstaddr", "address"),
    (("firewall", "policy"), "service", "service"),
    (("firewall", "policy"), "poolname", "ip pool"),
    (("firewall", "addrgrp"), "member", "address"),
    (("firewall", "addrgrp"), "exclude-member", "address"),
    (("firewall", "vipgrp"), "member", "address"),
    (("firewall", "service", "group"), "member", "service"),
)
_BUILT_IN_ADDRESSES = frozenset({"all", "none"})
# Objects a factory configuration defines (FortiOS 6.x/7.x `show full-configuration`).
_FACTORY = frozenset(
    {
        "FIREWALL_AUTH_PORTAL_ADDRESS",
        "FABRIC_DEVICE",
        "SSLVPN_TUNNEL_ADDR1",
        "EMS_ALL_UNKNOWN_CLIENTS",
        "EMS_ALL_UNMANAGEABLE_CLIENTS",
        "login.microsoftonline.com",
        "login.microsoft.com",
        "login.windows.net",
        "gmail.com",
        "wildcard.google.com",
        "wildcard.dropbox.com",
        "G Suite",
        "Microsoft Office 365",
        "Email Access",
        "Web Access",
        "Windows AD",
        "Exchange Server",
        "webproxy",
        # The wildcard-FQDN addresses FortiOS 5.6/6.0 ship for the explicit web proxy.
        "Adobe Login",
        "Gotomeeting",
        "Windows update 2",
        "adobe",
        "android",
        "apple",
        "appstore",
        "auth.gfx.ms",
        "autoupdate.opera.com",
        "citrix",
        "dropbox.com",
        "eease",
        "firefox update server",
        "fortinet",
        "google-drive",
        "google-play",
        "google-play2",
        "google-play3",
        "googleapis.com",
        "icloud",
        "itunes",
        "live.com",
        "microsoft",
        "skype",
        "softwareupdate.vmware.com",
        "swscan.apple.com",
        "update.microsoft.com",
        "verisign",
    }
)


def read_names(ledger: Ledger, sections: Sections) -> tuple[list[NamedObject], list[NamedReference]]:
    definitions = []
    # A table changed by a command the parser does not model (`rename`, `clone`: META-001)
    # may define names it cannot see: uses of that kind are then never undefined.
    unsure: set[str] = set()
    for path, kind in _DEFINED:
        table = table_of(sections.get(path, []))
        if table.unsupported:
            unsure.add(kind)
        for record in table.records:
            if not _built_in(kind, record.name):
                definitions.append(NamedObject(kind, record.name, ledger.source(record.first)))
    references = []
    for path, key, kind in _USES:
        for record in table_of(sections.get(path, [])).records:
            settings = record.settings()
            line = settings.line(key)
            if line is None:
                continue
            context = f"{' '.join(path[1:])} {record.name} {key}"
            for name in settings.words(key):
                mentioned = kind in unsure or _built_in(kind, name)
                references.append(NamedReference(kind, name, ledger.source(line), context, mentioned=mentioned))
    return definitions, references


def _built_in(kind: str, name: str) -> bool:
    if name in _FACTORY:
        return True
    if kind == "address":
        return name.lower() in _BUILT_IN_ADDRESSES
    return kind == "service" and name in PREDEFINED_SERVICES
