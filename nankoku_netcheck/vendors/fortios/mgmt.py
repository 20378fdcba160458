"""Management-plane facts of a FortiOS configuration (`MgmtSettings`), read from the tree
after the forwarding parser has accounted for every line (it only reads).

FortiOS defaults recorded here (FortiOS 6.4/7.x administration guide, "Administrator
account settings" and `config system global`):
- administrators log in over the protocols each interface's `allowaccess` lists, one
  RemoteAccess per protocol and interface at that line. `http` counts as plain-HTTP
  administration even while `admin-https-redirect` is enabled (the default): the redirect
  itself travels in clear and can be stripped, and Fortinet's best practice is never to
  allow HTTP or Telnet; `admin-telnet disable` (7.x) turns telnet off everywhere;
- `trusthost1..10` restrict where each administrator may log in from
  (`UserAccount.allowed_from`); an administrator without any may log in from anywhere
  (((0, 0),)); the access paths themselves carry no prefixes, so MGMT-007 judges the
  accounts;
- idle administrator sessions (CLI and GUI alike) time out after `admintimeout` minutes
  (default 5): one SessionLine at `config system global`;
- failed logins lock the source out after `admin-lockout-threshold` attempts (default 3,
  range 1-10): the limit always exists (`login_failures_limited_by_default`), and is
  quoted from the line that sets it when written;
- `pre-login-banner enable` is a login banner; the post-login banner (shown after the
  password) is recorded as an "exec" banner and does not count for MGMT-004;
- FortiOS runs no CDP, TCP/UDP small servers, finger, BOOTP server or PAD, and drops
  source-routed packets; the HTTP server runs where an interface allows `http`;
- `accprofile super_admin` is the privileged profile (privilege 15 in the model's terms,
  every other profile 1); the factory `admin` has it when a partial configuration does not
  say (a full configuration always lists the profile).

How secrets are stored: credentials.py; NTP, log servers and SNMP: servers.py; object
definitions and uses: names.py.
"""

from __future__ import annotations

from collections.abc import Sequence

from nankoku_netcheck.model import (
    Banner,
    MgmtSettings,
    RemoteAccess,
    ServiceState,
    SessionLine,
    Source,
    UserAccount,
    is_decimal,
)
from nankoku_netcheck.vendors.common import NotUnderstood
from nankoku_netcheck.vendors.fortios.blocks import Ledger, Section, Settings, settings_of, table_of
from nankoku_netcheck.vendors.fortios.credentials import admin_credential, password_policy, stored_secrets
from nankoku_netcheck.vendors.fortios.interfaces import Access
from nankoku_netcheck.vendors.fortios.objects import address_prefix
from nankoku_netcheck.vendors.fortios.servers import log_servers, ntp_servers, snmp_communities

DEFAULT_ADMIN_TIMEOUT_MINUTES = 5
PRIVILEGED_PROFILE = "super_admin"
FACTORY_ADMIN = "admin"
_ABSENT_SERVICES = ("tcp-small-servers", "udp-small-servers", "finger", "bootp-server", "source-route", "cdp", "pad")
_REMOTE_PROTOCOLS = ("telnet", "ssh", "http", "https")

Sections = dict[tuple[str, ...], list[Section]]


def read_management(ledger: Ledger, sections: Sections, access: Sequence[Access]) -> MgmtSettings:
    # FortiOS log messages always carry the date and time (`date=... time=...` fields).
    mgmt = MgmtSettings(log_timestamps="datetime", login_failures_limited_by_default=True)
    global_sections = sections.get(("system", "global"), [])
    global_settings = settings_of(node for section in global_sections for node in section.items)
    hostname_line = global_settings.line("hostname")
    if hostname_line is not None:
        mgmt.hostname_source = ledger.source(hostname_line)
    _admins(ledger, sections.get(("system", "admin"), []), mgmt)
    _remote_access(global_settings, access, mgmt)
    if ledger.lines:
        anchor = ledger.source(global_sections[0].first if global_sections else 0)
        _global_facts(ledger, global_settings, anchor, mgmt)
    ntp_servers(ledger, sections.get(("system", "ntp"), []), mgmt)
    log_servers(ledger, sections, mgmt)
    snmp_communities(ledger, sections, mgmt)
    mgmt.credentials.extend(stored_secrets(ledger, sections, global_settings))
    mgmt.password_policy = password_policy(ledger, sections.get(("system", "password-policy"), []))
    mgmt.services.extend(ServiceState(name, False) for name in _ABSENT_SERVICES)
    mgmt.services.append(_server(mgmt, "http"))
    mgmt.services.append(_server(mgmt, "https"))
    return mgmt


def _server(mgmt: MgmtSettings, protocol: str) -> ServiceState:
    """The web server runs for the first interface that allows it (that line turns it on)."""
    for entry in mgmt.remote_access:
        if entry.protocol == protocol:
            return ServiceState(f"{protocol}-server", True, entry.source)
    return ServiceState(f"{protocol}-server", False)


def _admins(ledger: Ledger, sections: Sequence[Section], mgmt: MgmtSettings) -> None:
    for record in table_of(sections).records:
        settings = record.settings()
        source = ledger.source(record.first)
        profile = settings.get("accprofile", PRIVILEGED_PROFILE if record.name == FACTORY_ADMIN else "")
        privilege = 15 if profile == PRIVILEGED_PROFILE else 1
        hosts = _trusted_hosts(settings)
        mgmt.users.append(UserAccount(record.name, source, privilege, hosts or ((0, 0),)))
        mgmt.credentials.append(admin_credential(ledger, record.name, settings, source, privilege))


def _trusted_hosts(settings: Settings) -> tuple[tuple[int, int], ...]:
    hosts = []
    for number in range(1, 11):
        words = settings.words(f"trusthost{number}")
        if not words:
            continue
        try:
            hosts.append(address_prefix(words))
        except NotUnderstood:
            hosts.append((0, 0))  # not understood: from anywhere (the wider choice)
    return tuple(sorted(set(hosts)))


def _remote_access(global_settings: Settings, access: Sequence[Access], mgmt: MgmtSettings) -> None:
    telnet = global_settings.lower("admin-telnet", "enable") == "enable"
    for entry in access:
        for protocol in entry.protocols:
            if protocol not in _REMOTE_PROTOCOLS or (protocol == "telnet" and not telnet):
                continue
            mgmt.remote_access.append(RemoteAccess(protocol, entry.source, interface=entry.interface))


def _global_facts(ledger: Ledger, settings: Settings, anchor: Source, mgmt: MgmtSettings) -> None:
    timeout_line = settings.line("admintimeout")
    timeout_text = settings.get("admintimeout")
    mgmt.sessions.append(
        SessionLine(
            "admin",
            "admintimeout",
            anchor,
            idle_timeout=int(timeout_text) * 60 if is_decimal(timeout_text) else None,
            idle_timeout_source=ledger.source(timeout_line) if timeout_line is not None else None,
            default_idle_timeout=DEFAULT_ADMIN_TIMEOUT_MINUTES * 60,
        )
    )
    lockout_line = settings.line("admin-lockout-threshold")
    if lockout_line is not None:
        mgmt.login_failure_limits.append(ledger.source(lockout_line))
    for key, kind in (("pre-login-banner", "login"), ("post-login-banner", "exec")):
        line = settings.line(key)
        if line is not None and settings.lower(key) == "enable":
            mgmt.banners.append(Banner(kind, ledger.source(line)))
