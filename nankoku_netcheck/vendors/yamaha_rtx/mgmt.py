"""YAMAHA RTX management-plane facts for the hardening rules: passwords (`login password`,
`administrator password`, `login user`), remote access (`telnetd`, `sshd`, `httpd`),
`syslog host`, `ntpdate`/`sntpd`, `snmp`/`snmpv2c community`, `console lines`.

Passwords: `encrypted` followed by `$1$...` is an MD5-crypt hash; any other `encrypted`
value is a scheme not known; `*` is a hidden value (not known); anything else is plaintext.
Remote access is recorded from the lines written; the RTX's own defaults (TELNET on from
the LAN side) are not recorded yet.
"""

from __future__ import annotations

from collections.abc import Sequence
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
)

MGMT_STARTS = frozenset(
    {"login", "administrator", "telnetd", "sshd", "sftpd", "httpd", "syslog", "ntpdate", "sntpd", "snmp", "snmpv2c"}
)


class _Ledger(Protocol):
    lines: list[str]

    def source(self, index: int) -> Source: ...

    def unknown(self, index: int, kind: UnknownKind, reason: str) -> None: ...


def _scheme(words: Sequence[str]) -> str:
    if not words:
        return "none"
    if words[0].lower() == "encrypted":
        value = words[1] if len(words) > 1 else ""
        return "md5" if value.startswith("$1$") else "unknown"
    return "unknown" if words[0] == "*" else "plaintext"


def read_mgmt(ledger: _Ledger, indexes: Sequence[int]) -> MgmtSettings:
    mgmt = MgmtSettings()
    for index in indexes:
        words = ledger.lines[index].split()
        lowered = [word.lower() for word in words]
        source = ledger.source(index)
        if not _read_one(mgmt, words, lowered, source):
            ledger.unknown(index, UnknownKind.HARMLESS, f"management setting '{' '.join(words[:2])}'")
    return mgmt


def _read_one(mgmt: MgmtSettings, words: list[str], lowered: list[str], source: Source) -> bool:
    head = lowered[:2]
    if head == ["login", "password"]:
        mgmt.credentials.append(Credential("line", "login", _scheme(words[2:]), source))
    elif head == ["administrator", "password"]:
        mgmt.credentials.append(Credential("enable", "", _scheme(words[2:]), source))
    elif head == ["login", "user"] and len(words) >= 3:
        mgmt.users.append(UserAccount(words[2], source))
        mgmt.credentials.append(Credential("user", words[2], _scheme(words[3:]), source))
    elif head == ["login", "timer"] and len(words) >= 3:
        return False
    elif lowered[0] in _PROTOCOL:
        return _remote(mgmt, lowered, source)
    elif head == ["syslog", "host"] and len(words) >= 3:
        mgmt.logging_hosts.append(HostReference(words[2], source))
    elif lowered[0] == "ntpdate" and len(words) >= 3 and lowered[1] == "server":
        mgmt.ntp_servers.append(HostReference(words[2], source))
    elif lowered[0] in {"snmp", "snmpv2c"} and len(words) >= 4 and lowered[1] == "community":
        access = "rw" if lowered[2] == "read-write" else "ro"
        mgmt.snmp_communities.append(SnmpCommunity(words[3], access, source))
    else:
        return False
    return True


_PROTOCOL = {"telnetd": "telnet", "sshd": "ssh", "sftpd": "other", "httpd": "http"}


def _remote(mgmt: MgmtSettings, lowered: list[str], source: Source) -> bool:
    protocol = _PROTOCOL[lowered[0]]
    if lowered[1:2] == ["service"] and len(lowered) >= 3:
        mgmt.services.append(ServiceState(f"{protocol}-server", lowered[2] == "on", source))
        return True
    if lowered[1:2] == ["host"] and len(lowered) >= 3 and lowered[2] not in {"key"}:
        if lowered[2] == "none":
            return True
        mgmt.remote_access.append(RemoteAccess(protocol, source))
        return True
    return False
