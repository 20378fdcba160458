"""AlliedWare Plus management-plane facts for the hardening rules (MGMT, SVC, PORT).

Defaults as the AT-x Command Reference states them, recorded so that a rule can say
"not configured": the telnet server is on unless `no service telnet`, the web server
(GUI) is on unless `no service http`, the SSH server is off until `service ssh`; a vty
line times out after 10 minutes unless `exec-timeout` says otherwise; local logins lock
out after 5 failures (`aaa local authentication attempts max-fail`, default 5) and log
messages always carry the date and time. Where remote logins are restricted by source:
`access-class` on the `line vty` (an ACL name or number). Passwords: `username NAME
privilege P password [8] SECRET` — `8` marks the stored (hashed) form, which AW+ writes as
an MD5-crypt `$1$` string; without it the password is plaintext; `enable secret|password`
likewise.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from nankoku_netcheck.model import (
    Banner,
    Credential,
    HostReference,
    InterfaceMgmt,
    MgmtSettings,
    NamedReference,
    RemoteAccess,
    ServiceState,
    SessionLine,
    SnmpCommunity,
    Source,
    UnknownKind,
    UserAccount,
    is_decimal,
)
from nankoku_netcheck.vendors.alliedware_plus.blocks import Command, Ledger
from nankoku_netcheck.vendors.common import REASON_MGMT, REASON_MONITORING

HARMLESS = UnknownKind.HARMLESS
DEFAULT_VTY_TIMEOUT = 600
_MGMT_WORDS = frozenset(
    {"service", "username", "enable", "ntp", "log", "snmp-server", "banner", "line", "aaa", "ssh", "telnet", "logging"}
)


@dataclass
class _Vty:
    source: Source
    name: str
    kind: str
    timeout: int | None = None
    timeout_source: Source | None = None
    access_class: str | None = None
    access_class_source: Source | None = None


@dataclass
class MgmtReader:
    ledger: Ledger
    settings: MgmtSettings = field(default_factory=MgmtSettings)
    services: dict[str, tuple[bool, Source | None]] = field(default_factory=dict)
    lines: list[_Vty] = field(default_factory=list)

    def hostname(self, command: Command) -> None:
        self.settings.hostname_source = self.ledger.source(command.index)
        self.ledger.parsed(command.index)

    def read(self, command: Command) -> bool:
        """Reads a management command; False when `command` is none."""
        lowered = command.lowered
        negated = lowered[0] == "no"
        words = lowered[1:] if negated else lowered
        if not words or words[0] not in _MGMT_WORDS:
            return False
        source = self.ledger.source(command.index)
        self._dispatch(command, words, negated, source)
        self.ledger.block(command, HARMLESS, REASON_MONITORING if words[0] in ("log", "logging") else REASON_MGMT)
        return True

    def _dispatch(self, command: Command, words: tuple[str, ...], negated: bool, source: Source) -> bool:
        """Records the facts of one command; False when it holds none the rules read."""
        first = words[0]
        if first == "service" and len(words) == 2:
            self.services[words[1]] = (not negated, source)
            if words[1] == "password-encryption" and not negated:
                self.settings.password_encryption = source
            return True
        if first == "username" and len(words) >= 2 and not negated:
            return self._user(command, source)
        if first == "enable" and len(words) >= 3 and words[1] in ("secret", "password") and not negated:
            self.settings.credentials.append(Credential("enable", "", _scheme(command.words[2:]), source))
            return True
        if first == "ntp" and len(words) >= 3 and words[1] in ("server", "peer") and not negated:
            self.settings.ntp_servers.append(HostReference(command.words[2], source))
            return True
        if first == "log" and len(words) >= 3 and words[1] == "host" and not negated:
            self.settings.logging_hosts.append(HostReference(command.words[2], source))
            return True
        if first == "snmp-server" and len(words) >= 3 and words[1] == "community" and not negated:
            access = "rw" if "rw" in words[3:] else "ro"
            acl = next((word for word in command.words[3:] if is_decimal(word)), None)
            self.settings.snmp_communities.append(SnmpCommunity(command.words[2], access, source, access_list=acl))
            return True
        if first == "banner" and len(words) >= 2 and not negated:
            self.settings.banners.append(Banner(words[1], source))
            return True
        if first == "aaa" and words[1:5] == ("local", "authentication", "attempts", "max-fail"):
            self.settings.login_failure_limits.append(source)
            return True
        if first == "line" and len(words) >= 2:
            self._line(command, words, source)
            return True
        return False

    def _user(self, command: Command, source: Source) -> bool:
        words = command.words
        lowered = command.lowered
        privilege = None
        if "privilege" in lowered:
            position = lowered.index("privilege")
            if position + 1 < len(words) and is_decimal(words[position + 1]):
                privilege = int(words[position + 1])
        name = words[1]
        self.settings.users.append(UserAccount(name, source, privilege))
        if "password" in lowered:
            secret = words[lowered.index("password") + 1 :]
            self.settings.credentials.append(Credential("user", name, _scheme(secret), source, privilege))
        else:
            self.settings.credentials.append(Credential("user", name, "none", source, privilege))
        return True

    def _line(self, command: Command, words: tuple[str, ...], source: Source) -> None:
        kind = "vty" if words[1] == "vty" else "console" if words[1] == "con" else words[1]
        line = _Vty(source, " ".join(command.words[2:]) and f"{words[1]} {' '.join(command.words[2:])}", kind)
        for child in command.children:
            child_source = self.ledger.source(child.index)
            lowered = child.lowered
            if lowered[0] == "exec-timeout" and len(lowered) >= 2 and all(is_decimal(word) for word in lowered[1:3]):
                seconds = int(lowered[2]) if len(lowered) >= 3 else 0
                line.timeout, line.timeout_source = int(lowered[1]) * 60 + seconds, child_source
            elif lowered[0] == "access-class" and len(lowered) == 2:
                line.access_class, line.access_class_source = child.words[1], child_source
                self.settings.references.append(NamedReference("acl", child.words[1], child_source, "line vty"))
        self.lines.append(line)

    def finish(self, ports: Mapping[str, InterfaceMgmt]) -> MgmtSettings:
        settings = self.settings
        settings.interfaces = dict(ports)
        settings.log_timestamps = "datetime"
        settings.login_failures_limited_by_default = True
        anchor = settings.hostname_source or Source(
            self.ledger.path, 1, self.ledger.lines[0] if self.ledger.lines else ""
        )
        telnet, telnet_source = self.services.get("telnet", (True, None))
        http, http_source = self.services.get("http", (True, None))
        ssh, ssh_source = self.services.get("ssh", (False, None))
        settings.services = [
            ServiceState("telnet-server", telnet, telnet_source),
            ServiceState("http-server", http, http_source),
            ServiceState("ssh-server", ssh, ssh_source),
            # AW+ speaks LLDP, not CDP.
            ServiceState("cdp", False),
        ]
        vtys = [line for line in self.lines if line.kind == "vty"]
        for line in self.lines:
            default = DEFAULT_VTY_TIMEOUT
            settings.sessions.append(
                SessionLine(line.kind, line.name, line.source, True, line.timeout, line.timeout_source, default)
            )
        for protocol, enabled, source in (("telnet", telnet, telnet_source), ("ssh", ssh, ssh_source)):
            if enabled:
                settings.remote_access += self._access(protocol, source, vtys, anchor)
        if http:
            settings.remote_access.append(RemoteAccess("http", http_source or anchor, by_default=http_source is None))
        return settings

    @staticmethod
    def _access(protocol: str, source: Source | None, vtys: list[_Vty], anchor: Source) -> list[RemoteAccess]:
        if not vtys:
            return [RemoteAccess(protocol, source or anchor, by_default=source is None)]
        return [
            RemoteAccess(
                protocol,
                line.source if source is None else source,
                by_default=source is None,
                access_list=line.access_class,
                access_list_source=line.access_class_source,
            )
            for line in vtys
        ]


# crypt(3) prefixes of the stored form.
_HASHES = {"$1$": "md5", "$6$": "sha512-crypt"}


def _scheme(words: tuple[str, ...]) -> str:
    """How a password given as `[8] SECRET` is stored."""
    if not words:
        return "none"
    if words[0] == "8" and len(words) >= 2:
        return _HASHES.get(words[1][:3], "unknown")
    return "plaintext"
