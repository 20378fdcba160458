"""The servers a FortiGate sends to or answers: NTP, log servers, SNMP communities.

- `config system ntp`: with `ntpsync enable` (the default), `type custom` makes one
  HostReference per `config ntpserver` entry; `type fortiguard` (the default) takes the
  time from Fortinet's FortiGuard service, recorded as one server named "fortiguard" at the
  line that chooses it. It counts as one source: one provider behind one name, reached
  over the internet, which a closed zone (LGWAN, mynumber) may not reach at all; MGMT-008
  then asks for two servers of the city's own (`type custom`).
- `config log syslogd[2-4] setting` and `config log fortianalyzer[2-3] setting`: every
  `server` is a log host. When none of them has `status enable` (the default is disable),
  those that name a server are still the log hosts and the "logging" switch is off, at
  the `status` line of the first (MGMT-009 then says they receive nothing).
- `config system snmp community`: each enabled community with its `name` (a secret) at
  its `edit` line; FortiOS communities are read-only (`ro`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from nankoku_netcheck.model import HostReference, MgmtSettings, ServiceState, SnmpCommunity, Source
from nankoku_netcheck.vendors.fortios.blocks import Ledger, Section, settings_of, table_of

_LOG_SERVERS = (
    ("log", "syslogd", "setting"),
    ("log", "syslogd2", "setting"),
    ("log", "syslogd3", "setting"),
    ("log", "syslogd4", "setting"),
    ("log", "fortianalyzer", "setting"),
    ("log", "fortianalyzer2", "setting"),
    ("log", "fortianalyzer3", "setting"),
)


def ntp_servers(ledger: Ledger, sections: Sequence[Section], mgmt: MgmtSettings) -> None:
    settings = settings_of(node for section in sections for node in section.items)
    if not sections or settings.lower("ntpsync", "enable") != "enable":
        return
    if settings.lower("type", "fortiguard") == "fortiguard":
        line = settings.line("type") or settings.line("ntpsync") or sections[0].first
        mgmt.ntp_servers.append(HostReference("fortiguard", ledger.source(line)))
        return
    for section in settings.sections:
        if section.path != ("ntpserver",):
            continue
        for record in table_of([section]).records:
            server = record.settings()
            at = server.line("server")
            if server.get("server") and at is not None:
                mgmt.ntp_servers.append(HostReference(server.get("server"), ledger.source(at)))


def log_servers(ledger: Ledger, sections: Mapping[tuple[str, ...], Sequence[Section]], mgmt: MgmtSettings) -> None:
    enabled: list[HostReference] = []
    disabled: list[tuple[HostReference, Source | None]] = []
    for path in _LOG_SERVERS:
        found = sections.get(path, [])
        settings = settings_of(node for section in found for node in section.items)
        line = settings.line("server")
        if not settings.get("server") or line is None:
            continue
        host = HostReference(settings.get("server"), ledger.source(line))
        if settings.lower("status") == "enable":
            enabled.append(host)
        else:
            status = settings.line("status")
            disabled.append((host, ledger.source(status) if status is not None else None))
    if enabled:
        mgmt.logging_hosts.extend(enabled)
    elif disabled:
        mgmt.logging_hosts.extend(host for host, _ in disabled)
        mgmt.services.append(ServiceState("logging", False, disabled[0][1]))


def snmp_communities(ledger: Ledger, sections: Mapping[tuple[str, ...], Sequence[Section]], mgmt: MgmtSettings) -> None:
    """Communities, placed at their `edit` line: the `set name` line holds the community,
    a secret that no finding may quote."""
    for record in table_of(sections.get(("system", "snmp", "community"), [])).records:
        settings = record.settings()
        if settings.lower("status", "enable") != "enable" or not settings.get("name"):
            continue
        mgmt.snmp_communities.append(SnmpCommunity(settings.get("name"), "ro", ledger.source(record.first)))
