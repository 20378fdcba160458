"""NEC UNIVERGE IX management facts for the hardening rules (MGMT-/SVC-).

Read: `username NAME password hash|plain SECRET [administrator|operator]`, `telnet-server ip
enable`, `ssh-server ip enable`, `http-server ip enable`, `logging host ADDRESS`, `logging
timestamp datetime`, `ntp server ADDRESS`, `snmp-agent ip community NAME [ro|rw]`. Every
other line of these commands is management-plane and harmless to forwarding.

`password hash` stores the secret in a form the IX documentation does not describe (short
hexadecimal strings such as `0C34240482` look like a reversible encoding): it is recorded
as scheme "unknown", `plain` as "plaintext". `administrator` maps to privilege 15.
"""

from __future__ import annotations

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
from nankoku_netcheck.vendors.common import LineBook

MGMT_STARTS: tuple[tuple[str, ...], ...] = (
    ("username",),
    ("telnet-server",),
    ("ssh-server",),
    ("http-server",),
    ("logging",),
    ("ntp",),
    ("snmp-agent",),
)
# Cisco services the IX does not have at all (no CDP, small servers, finger or PAD).
_ABSENT_SERVICES = ("cdp", "tcp-small-servers", "udp-small-servers", "finger", "pad")
_SERVERS = {"telnet-server": "telnet", "ssh-server": "ssh", "http-server": "http"}
REASON_MGMT = "management-plane setting (does not forward or filter transit traffic)"


class Management:
    """Collects the facts line by line; `settings` builds the MgmtSettings at the end."""

    def __init__(self, book: LineBook) -> None:
        self.book = book
        self.mgmt = MgmtSettings()
        self.servers: dict[str, Source] = {}

    def read(self, index: int, words: list[str]) -> None:
        lowered = [word.lower() for word in words]
        source = self.book.source(index)
        self.book.unknown(index, UnknownKind.HARMLESS, REASON_MGMT)
        if lowered[0] == "username" and len(words) >= 5 and lowered[2] == "password":
            self._user(words, lowered, source)
        elif lowered[0] in _SERVERS and lowered[1:] == ["ip", "enable"]:
            self.servers[_SERVERS[lowered[0]]] = source
        elif lowered[:2] == ["logging", "host"] and len(words) >= 3:
            self.mgmt.logging_hosts.append(HostReference(words[2], source))
        elif lowered[:3] == ["logging", "timestamp", "datetime"]:
            self.mgmt.log_timestamps, self.mgmt.log_timestamps_source = "datetime", source
        elif lowered[:2] == ["ntp", "server"] and len(words) >= 3:
            self.mgmt.ntp_servers.append(HostReference(words[2], source))
        elif lowered[:3] == ["snmp-agent", "ip", "community"] and len(words) >= 4:
            access = "rw" if lowered[-1] == "rw" else "ro"
            self.mgmt.snmp_communities.append(SnmpCommunity(words[3], access, source))

    def _user(self, words: list[str], lowered: list[str], source: Source) -> None:
        privilege = 15 if "administrator" in lowered[5:] else 1
        self.mgmt.users.append(UserAccount(words[1], source, privilege))
        scheme = "plaintext" if lowered[3] == "plain" else "unknown"
        self.mgmt.credentials.append(Credential("user", words[1], scheme, source, privilege))

    def settings(self, hostname: Source | None, unaddressed: list[str]) -> MgmtSettings:
        self.mgmt.hostname_source = hostname
        for protocol, source in sorted(self.servers.items()):
            self.mgmt.remote_access.append(RemoteAccess(protocol, source))
        self.mgmt.services.extend(ServiceState(name, False) for name in _ABSENT_SERVICES)
        http = self.servers.get("http")
        self.mgmt.services.append(ServiceState("http-server", http is not None, http))
        return self.mgmt
