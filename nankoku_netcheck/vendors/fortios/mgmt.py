"""Management-plane facts of a FortiOS configuration (`MgmtSettings`), read from the tree
after the forwarding parser has accounted for every line (it only reads).

FortiOS defaults recorded here (FortiOS 6.4/7.x administration guide, "Administrator
account settings" and `config system global`):
- administrators log in over the protocols each interface's `allowaccess` lists; HTTP
  is only a redirect to HTTPS while `admin-https-redirect` is enabled (the default), so
  it is not counted as plain-HTTP administration then; `admin-telnet disable` (7.x)
  turns telnet off everywhere;
- `trusthost1..10` restrict where an administrator may log in from; an administrator
  without any (or with 0.0.0.0/0) may log in from anywhere: the allowed sources of an
  access method are the union over every administrator's trusted hosts;
- idle administrator sessions time out after `admintimeout` minutes (default 5);
- failed logins lock the source out after `admin-lockout-threshold` attempts (default
  3): the limit always exists, it is quoted from the line that sets it when written;
- FortiOS runs no CDP, TCP/UDP small servers, finger, BOOTP server or PAD, and drops
  source-routed packets; plain-HTTP administration only exists where an interface allows
  `http` while `admin-https-redirect` is disabled;
- `accprofile super_admin` is the privileged profile (privilege 15 in the model's terms,
  every other profile 1); `set password ENC PB2...` is a PBKDF2 hash, other `ENC` forms
  (SH2, AK1: fast salted hashes) are recorded as "unknown", a password not prefixed by
  ENC is plaintext, and an administrator without `password` has none.
"""

from __future__ import annotations

from collections.abc import Sequence

from nankoku_netcheck.model import (
    Banner,
    Credential,
    HostReference,
    MgmtSettings,
    RemoteAccess,
    ServiceState,
    SessionLine,
    SnmpCommunity,
    UserAccount,
    is_decimal,
)
from nankoku_netcheck.vendors.common import NotUnderstood
from nankoku_netcheck.vendors.fortios.blocks import Ledger, Section, Settings, settings_of, table_of
from nankoku_netcheck.vendors.fortios.interfaces import Access
from nankoku_netcheck.vendors.fortios.objects import address_prefix

DEFAULT_ADMIN_TIMEOUT_MINUTES = 5
PRIVILEGED_PROFILE = "super_admin"
_ABSENT_SERVICES = ("tcp-small-servers", "udp-small-servers", "finger", "bootp-server", "source-route", "cdp", "pad")
_REMOTE_PROTOCOLS = ("telnet", "ssh", "http", "https")
_LOG_SERVERS = (
    ("log", "syslogd", "setting"),
    ("log", "syslogd2", "setting"),
    ("log", "syslogd3", "setting"),
    ("log", "syslogd4", "setting"),
    ("log", "fortianalyzer", "setting"),
    ("log", "fortianalyzer2", "setting"),
    ("log", "fortianalyzer3", "setting"),
)

Sections = dict[tuple[str, ...], list[Section]]


def read_management(ledger: Ledger, sections: Sections, access: Sequence[Access]) -> MgmtSettings:
    # FortiOS log messages always carry the date and time (`date=... time=...` fields).
    mgmt = MgmtSettings(log_timestamps="datetime")
    global_settings = settings_of(node for section in sections.get(("system", "global"), []) for node in section.items)
    hostname_line = global_settings.line("hostname")
    if hostname_line is not None:
        mgmt.hostname_source = ledger.source(hostname_line)
    trusted = _admins(ledger, sections.get(("system", "admin"), []), mgmt)
    _remote_access(global_settings, access, trusted, mgmt)
    _global_facts(ledger, global_settings, sections.get(("system", "global"), []), mgmt)
    _ntp(ledger, sections.get(("system", "ntp"), []), mgmt)
    for path in _LOG_SERVERS:
        _log_server(ledger, sections.get(path, []), mgmt)
    _snmp(ledger, sections.get(("system", "snmp", "community"), []), mgmt)
    mgmt.services.extend(ServiceState(name, False) for name in _ABSENT_SERVICES)
    plain_http = any(access.protocol == "http" for access in mgmt.remote_access)
    mgmt.services.append(ServiceState("http-server", plain_http))
    mgmt.services.append(ServiceState("https-server", any(access.protocol == "https" for access in mgmt.remote_access)))
    return mgmt


def _admins(ledger: Ledger, sections: Sequence[Section], mgmt: MgmtSettings) -> tuple[tuple[int, int], ...]:
    """Accounts and credentials; returns the union of the trusted hosts (0.0.0.0/0 when an
    administrator has none)."""
    trusted: list[tuple[int, int]] = []
    for record in table_of(sections).records:
        settings = record.settings()
        source = ledger.source(record.first)
        privilege = 15 if settings.get("accprofile") == PRIVILEGED_PROFILE else 1
        mgmt.users.append(UserAccount(record.name, source, privilege))
        password = settings.words("password")
        line = settings.line("password")
        if not password or line is None:
            mgmt.credentials.append(Credential("user", record.name, "none", source, privilege))
        else:
            mgmt.credentials.append(Credential("user", record.name, _scheme(password), ledger.source(line), privilege))
        hosts = _trusted_hosts(settings)
        trusted.extend(hosts if hosts else [(0, 0)])
    return tuple(sorted(set(trusted)))


def _scheme(words: Sequence[str]) -> str:
    if words[0].upper() != "ENC":
        return "plaintext"
    stored = words[1] if len(words) > 1 else ""
    return "pbkdf2" if stored.startswith("PB2") else "unknown"


def _trusted_hosts(settings: Settings) -> list[tuple[int, int]]:
    hosts = []
    for number in range(1, 11):
        words = settings.words(f"trusthost{number}")
        if not words:
            continue
        try:
            hosts.append(address_prefix(words))
        except NotUnderstood:
            hosts.append((0, 0))  # not understood: from anywhere (the wider choice)
    return hosts


def _remote_access(
    global_settings: Settings,
    access: Sequence[Access],
    trusted: tuple[tuple[int, int], ...],
    mgmt: MgmtSettings,
) -> None:
    redirect = global_settings.lower("admin-https-redirect", "enable") == "enable"
    telnet = global_settings.lower("admin-telnet", "enable") == "enable"
    allowed = trusted or ((0, 0),)
    for entry in access:
        for protocol in entry.protocols:
            if protocol not in _REMOTE_PROTOCOLS:
                continue
            if (protocol == "http" and redirect) or (protocol == "telnet" and not telnet):
                continue
            mgmt.remote_access.append(
                RemoteAccess(protocol, entry.source, allowed_from=allowed, interface=entry.interface)
            )


def _global_facts(ledger: Ledger, settings: Settings, sections: Sequence[Section], mgmt: MgmtSettings) -> None:
    # The lockout limit exists whether or not it is written: quote the global settings, else line 1.
    anchor = ledger.source(sections[0].first) if sections else (ledger.source(0) if ledger.lines else None)
    timeout_line = settings.line("admintimeout")
    timeout_text = settings.get("admintimeout")
    timeout = int(timeout_text) * 60 if is_decimal(timeout_text) else None
    if (mgmt.remote_access and anchor is not None) or timeout_line is not None:
        source = ledger.source(timeout_line) if timeout_line is not None else anchor
        if source is not None:
            mgmt.sessions.append(
                SessionLine(
                    "ssh",
                    "administrator sessions (admintimeout)",
                    source,
                    idle_timeout=timeout,
                    idle_timeout_source=ledger.source(timeout_line) if timeout_line is not None else None,
                    default_idle_timeout=DEFAULT_ADMIN_TIMEOUT_MINUTES * 60,
                )
            )
    lockout_line = settings.line("admin-lockout-threshold")
    if lockout_line is not None:
        mgmt.login_failure_limits.append(ledger.source(lockout_line))
    elif anchor is not None:
        mgmt.login_failure_limits.append(anchor)
    for key, kind in (("pre-login-banner", "login"), ("post-login-banner", "exec")):
        line = settings.line(key)
        if line is not None and settings.lower(key) == "enable":
            mgmt.banners.append(Banner(kind, ledger.source(line)))


def _ntp(ledger: Ledger, sections: Sequence[Section], mgmt: MgmtSettings) -> None:
    settings = settings_of(node for section in sections for node in section.items)
    if settings.lower("ntpsync", "enable") != "enable" or not sections:
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


def _log_server(ledger: Ledger, sections: Sequence[Section], mgmt: MgmtSettings) -> None:
    settings = settings_of(node for section in sections for node in section.items)
    line = settings.line("server")
    if settings.lower("status") == "enable" and settings.get("server") and line is not None:
        mgmt.logging_hosts.append(HostReference(settings.get("server"), ledger.source(line)))


def _snmp(ledger: Ledger, sections: Sequence[Section], mgmt: MgmtSettings) -> None:
    """Communities, placed at their `edit` line: the `set name` line holds the community,
    a secret that no finding may quote."""
    for record in table_of(sections).records:
        settings = record.settings()
        if settings.lower("status", "enable") != "enable" or not settings.get("name"):
            continue
        mgmt.snmp_communities.append(SnmpCommunity(settings.get("name"), "ro", ledger.source(record.first)))
