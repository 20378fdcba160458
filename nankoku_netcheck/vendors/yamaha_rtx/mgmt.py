"""YAMAHA RTX management-plane facts for the hardening rules: passwords (`login password`,
`administrator password`, `login user`), remote access (`telnetd`, `sshd`, `sftpd`,
`httpd`: `service on|off` and `host ...`), `syslog host`, NTP servers (`schedule at ...
ntpdate HOST`: the RTX sets its clock by running `ntpdate` on a schedule), `snmp`/`snmpv2c
community`.

Passwords: `encrypted` followed by `$1$...` is an MD5-crypt hash; any other `encrypted`
value is a scheme not known; `*` is a hidden value (not known); anything else is plaintext.

Remote access and the RTX defaults (command reference: TELNET server on, SSH server off):
TELNET is accepted unless `telnetd service off` or `telnetd host none`; without a
`telnetd host` line it is recorded as accepted by default (at the config's first line, as
no line says so). SSH counts only with `sshd service on`, SFTP with `sftpd host`, the web
GUI with `httpd host` (its default host list is the LAN side); SSH turned on without a `host` line
is reachable from anywhere (recorded at the `service on` line). A `host` line's words are the
source restriction: addresses and ranges become `allowed_from`, `any` is every address, and
interface names (`lan1`, `pp 1`, `lan`) restrict by interface, which the rules read as
no address restriction.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Protocol

from nankoku_netcheck.model import (
    Credential,
    HostReference,
    MgmtSettings,
    RemoteAccess,
    ServiceState,
    SnmpCommunity,
    Source,
    UnknownKind,
    UserAccount,
    is_decimal,
)
from nankoku_netcheck.vendors.common import NotUnderstood, ipv4, range_to_wildcards

MGMT_STARTS = frozenset({"login", "administrator", "telnetd", "sshd", "sftpd", "httpd", "syslog", "snmp", "snmpv2c"})
# Services the hardening rules ask about that the RTX does not have.
_ABSENT_SERVICES = ("tcp-small-servers", "udp-small-servers", "finger", "bootp-server", "cdp", "pad")
_PROTOCOL = {"telnetd": "telnet", "sshd": "ssh", "sftpd": "other", "httpd": "http"}
# Servers that run without `service on` (the others need it).
_ON_BY_DEFAULT = {"telnetd", "httpd", "sftpd"}


class _Ledger(Protocol):
    path: str
    lines: list[str]

    def source(self, index: int) -> Source: ...

    def unknown(self, index: int, kind: UnknownKind, reason: str) -> None: ...


@dataclass
class _Servers:
    """Per server (`telnetd`, ...): whether it runs, and its `host` lines."""

    service: dict[str, bool] = field(default_factory=dict)
    service_lines: dict[str, Source] = field(default_factory=dict)
    hosts: dict[str, list[tuple[Source, list[str]]]] = field(default_factory=dict)


def _scheme(words: Sequence[str]) -> str:
    if not words:
        return "none"
    if words[0].lower() == "encrypted":
        value = words[1] if len(words) > 1 else ""
        return "md5" if value.startswith("$1$") else "unknown"
    return "unknown" if words[0] == "*" else "plaintext"


def read_mgmt(ledger: _Ledger, indexes: Sequence[int]) -> MgmtSettings:
    mgmt = MgmtSettings()
    servers = _Servers()
    for index in indexes:
        words = ledger.lines[index].split()
        lowered = [word.lower() for word in words]
        source = ledger.source(index)
        try:
            understood = _read_one(mgmt, servers, words, lowered, source)
        except NotUnderstood as problem:
            ledger.unknown(index, UnknownKind.HARMLESS, f"management setting not understood: {problem}")
            continue
        if not understood:
            ledger.unknown(index, UnknownKind.HARMLESS, f"management setting '{' '.join(words[:2])}'")
    mgmt.services.extend(ServiceState(name, False) for name in _ABSENT_SERVICES)
    anchor = _first_line(ledger)
    if anchor is not None:
        _remote_access(mgmt, servers, anchor)
    return mgmt


def _first_line(ledger: _Ledger) -> Source | None:
    for index, line in enumerate(ledger.lines):
        if line.strip():
            return ledger.source(index)
    return None


def _read_one(mgmt: MgmtSettings, servers: _Servers, words: list[str], lowered: list[str], source: Source) -> bool:
    head = lowered[:2]
    if head == ["login", "password"]:
        mgmt.credentials.append(Credential("login", "", _scheme(words[2:]), source))
    elif head == ["administrator", "password"]:
        mgmt.credentials.append(Credential("enable", "", _scheme(words[2:]), source))
    elif head == ["login", "user"] and len(words) >= 3:
        mgmt.users.append(UserAccount(words[2], source))
        mgmt.credentials.append(Credential("user", words[2], _scheme(words[3:]), source))
    elif lowered[0] in _PROTOCOL and len(lowered) >= 3 and lowered[1] == "service":
        servers.service[lowered[0]] = lowered[2] == "on"
        servers.service_lines[lowered[0]] = source
        mgmt.services.append(ServiceState(f"{_PROTOCOL[lowered[0]]}-server", lowered[2] == "on", source))
    elif lowered[0] in _PROTOCOL and len(lowered) >= 3 and lowered[1] == "host" and lowered[2] != "key":
        servers.hosts.setdefault(lowered[0], []).append((source, lowered[2:]))
    elif head == ["syslog", "host"] and len(words) >= 3:
        mgmt.logging_hosts.append(HostReference(words[2], source))
    elif head == ["schedule", "at"] and "ntpdate" in lowered[:-1]:
        mgmt.ntp_servers.append(HostReference(words[lowered.index("ntpdate") + 1], source))
    elif lowered[0] in {"snmp", "snmpv2c"} and len(words) >= 4 and lowered[1] == "community":
        access = "rw" if lowered[2] == "read-write" else "ro"
        mgmt.snmp_communities.append(SnmpCommunity(words[3], access, source))
    else:
        return False
    return True


def _remote_access(mgmt: MgmtSettings, servers: _Servers, anchor: Source) -> None:
    for server, protocol in _PROTOCOL.items():
        if not servers.service.get(server, server in _ON_BY_DEFAULT):
            continue
        hosts = servers.hosts.get(server)
        if hosts is None:
            if server == "telnetd":
                mgmt.remote_access.append(RemoteAccess(protocol, anchor, by_default=True))
            elif server in servers.service_lines:
                # Turned on, no `host` line: nothing restricts where it is reached from.
                mgmt.remote_access.append(RemoteAccess(protocol, servers.service_lines[server]))
            continue
        for source, words in hosts:
            if words != ["none"]:
                mgmt.remote_access.append(RemoteAccess(protocol, source, allowed_from=_allowed_from(words)))


def _allowed_from(words: Sequence[str]) -> tuple[tuple[int, int], ...] | None:
    """Addresses and ranges as prefixes; `any`: every address; None when the line restricts
    by interface (no address list)."""
    if "any" in words:
        return ((0, 0),)
    prefixes: list[tuple[int, int]] = []
    for word in words:
        first, _, last = word.partition("-")
        if not first[:1].isdigit() or is_decimal(first):
            return None
        for wildcard in range_to_wildcards(ipv4(first), ipv4(last or first)):
            prefixes.append((wildcard.address, 32 - wildcard.wildcard.bit_length()))
    return tuple(prefixes)
