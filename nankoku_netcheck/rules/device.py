"""Device hardening rules (rules.md, "Device hardening"): MGMT-, SVC-, PORT-, WLAN-, AVAIL-.

They read the management-plane facts parsers put in `Device.mgmt` (model.MgmtSettings),
the interfaces, and for PORT-001, SVC-001, WLAN-001 and AVAIL-001 the topology. Every
finding quotes its config lines through `redact`; messages never contain a secret (an
SNMP community is described, never shown). A setting that is missing is reported at the
device's `hostname` line (the first line of the file when there is none).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator

import networkx as nx

from ..graph import Network
from ..model import (
    SECRET_READABLE,
    SECRET_WEAK_HASH,
    Device,
    PasswordPolicy,
    RemoteAccess,
    SessionLine,
    Source,
    Wlan,
    ZoneKind,
    format_prefix,
)
from ..redact import redact
from ..result import Evidence, Finding
from ..vendors import is_ethernet_port
from .base import GL_ACCESS, GL_INTRUSION, GL_LINES, GL_MONITORING, GL_NETWORK, GL_SERVERS, Check, Rule
from .flows import FlowContext
from .policies import edge_interfaces
from .remediation import appended, fix_text, in_parentheses

# (severity, policy clause, title en, title ja) per rule, as in rules.md.
RULE_INFO: dict[str, tuple[str, str, str, str]] = {
    "MGMT-001": (
        "error",
        "対策基準 9.2(2)④, 9.1(13)②",
        "Remote administration only over encrypted protocols (SSH, HTTPS)",
        "遠隔管理は暗号化された通信 (SSH, HTTPS) のみ",
    ),
    "MGMT-002": ("warning", "対策基準 9.2(4)", "Failed logins are limited", "ログイン試行回数の制限"),
    "MGMT-003": (
        "warning",
        "対策基準 9.2(4)",
        "Idle sessions time out within 10 minutes",
        "無操作時のセッションタイムアウト (10 分以内)",
    ),
    "MGMT-004": ("info", "対策基準 9.2(4)", "A login banner is shown", "ログイン時のメッセージ表示"),
    "MGMT-005": (
        "warning",
        "対策基準 9.2(1)③(カ)",
        "No privileged account with a default name",
        "特権 ID を初期設定の名前のまま使わない",
    ),
    "MGMT-006": (
        "error",
        "対策基準 9.2(5)①, 8.7(3)⑧",
        "Secrets are stored as strong hashes",
        "パスワードは強いハッシュで保存 (平文・可逆暗号化の禁止)",
    ),
    "MGMT-007": (
        "warning",
        "対策基準 9.2(1)①",
        "Management access is restricted by source address",
        "管理アクセスの接続元を制限",
    ),
    "MGMT-008": (
        "warning",
        "対策基準 10.1(2)",
        "Time is synchronised with two or more NTP servers",
        "時刻同期 (NTP サーバー 2 台以上)",
    ),
    "MGMT-009": (
        "warning",
        "対策基準 9.1(6)①",
        "Logs go to a remote host with date and time stamps",
        "ログを日時付きで外部のログサーバーへ送信",
    ),
    "MGMT-010": (
        "error",
        "対策基準 9.2(5)①",
        "No default SNMP community, no SNMPv1/v2c write access",
        "SNMP の既定コミュニティ名と v1/v2c の書込み権限の禁止",
    ),
    "MGMT-011": (
        "warning",
        "対策基準 8.7(3)③, 9.2(1)③(オ)",
        "Administrator passwords must follow a password policy (at least 8 characters)",
        "管理者パスワードにパスワードポリシー（8 文字以上）を適用",
    ),
    "SVC-001": ("warning", "対策基準 9.5(1)②", "Unneeded services are off", "不要なサービスの停止"),
    "PORT-001": (
        "warning",
        "対策基準 9.5(1)①, 7.1(4)③",
        "Unused interfaces are shut down",
        "使用していないポートの閉鎖",
    ),
    "PORT-002": (
        "warning",
        "対策基準 9.2(3), 7.1(4)③",
        "Access ports identify devices (802.1X or port security)",
        "アクセスポートでの機器の自動識別 (802.1X またはポートセキュリティ)",
    ),
    "WLAN-001": (
        "error",
        "対策基準 9.1(13)①",
        "Wireless uses WPA2/WPA3; LGWAN and mynumber WLANs use WPA2/3-Enterprise with EAP-TLS",
        "無線 LAN は WPA2/WPA3、LGWAN接続系・マイナンバー利用事務系は Enterprise (EAP-TLS)",
    ),
    "AVAIL-001": (
        "warning",
        "対策基準 7.3(6), 7.1(2)",
        "Segments of availability-2 zones have two node-disjoint paths to their gateways",
        "可用性 2 の領域のセグメントは独立した 2 経路でゲートウェイに到達",
    ),
}

# Names tried first on any device, whatever its make (factory accounts of every vendor).
DEFAULT_ADMIN_NAMES = frozenset(
    {
        "admin",
        "administrator",
        "cisco",
        "root",
        "manager",
        "superuser",
        "supervisor",
        "guest",
        "test",
        "user",
        "default",
        "support",
        "service",
        "enable_15",
        "pix",
    }
)
WELL_KNOWN_COMMUNITIES = frozenset(
    {
        "public",
        "private",
        "cisco",
        "community",
        "snmp",
        "snmpd",
        "admin",
        "default",
        "secret",
        "manager",
        "monitor",
        "write",
        "read",
        "test",
        "ilmi",
        "security",
        "router",
        "switch",
        "system",
        "all private",
    }
)
UNENCRYPTED_PROTOCOLS = frozenset({"telnet", "rlogin", "http"})
MAX_IDLE_SECONDS = 600
UNUSED_DESCRIPTION = re.compile(r"未使用|空き|予備|unused|not[ _-]?used|not in use|spare", re.IGNORECASE)
# Services SVC-001 wants off: name → (en, ja) description.
UNNEEDED_SERVICES: dict[str, tuple[str, str]] = {
    "http-server": ("the HTTP server", "HTTP サーバー"),
    "tcp-small-servers": ("TCP small servers (echo, discard, chargen, daytime)", "TCP small servers"),
    "udp-small-servers": ("UDP small servers (echo, discard, chargen)", "UDP small servers"),
    "finger": ("the finger service", "finger サービス"),
    "bootp-server": ("the BOOTP server", "BOOTP サーバー"),
    "source-route": ("IP source routing", "IP ソースルーティング"),
}
# Interface kinds that can carry a cable (CDP, port rules).
PORT_KINDS = frozenset({"physical", "subinterface", "port-channel"})


# --- shared helpers -----------------------------------------------------------------------


def finding(
    rule: str, device: str, message_en: str, message_ja: str, evidence: Iterable[tuple[Source, str]]
) -> Finding:
    """A violation of one of this module's rules on `device`."""
    return violation(rule, RULE_INFO[rule][0], device, message_en, message_ja, evidence)


def violation(
    rule: str, severity: str, device: str, message_en: str, message_ja: str, evidence: Iterable[tuple[Source, str]]
) -> Finding:
    """A violation on `device`; evidence lines are redacted here."""
    return Finding(
        rule=rule,
        severity=severity,
        status="violated",
        device=device,
        message_en=message_en,
        message_ja=message_ja,
        evidence=tuple(
            Evidence(source.file, source.line, redact(source.text.strip()), role) for source, role in evidence
        ),
    )


def anchor(device: Device) -> Source:
    """Where to point a finding about a setting that is missing: the hostname line."""
    if device.mgmt.hostname_source is not None:
        return device.mgmt.hostname_source
    return Source(device.source_file, 1, device.lines[0] if device.lines else "")


def devices(ctx: FlowContext) -> Iterator[tuple[str, Device]]:
    for name in sorted(ctx.network.devices):
        yield name, ctx.network.devices[name]


def acl_permits_most_sources(ctx: FlowContext, device: Device, name: str) -> bool:
    """True when the ACL lets packets through from at least half of all IPv4 source
    addresses: `permit any` with a few exceptions restricts nothing in practice."""
    acl = device.acls.get(name)
    if acl is None:
        return False
    space = ctx.space
    sources = space.project(space.acl_permits(acl), "src")
    other_bits = len(space.all_bits) - len(space.bits["src"])
    return space.count(sources) >> other_bits >= 1 << 31


# --- MGMT-001 .. MGMT-010 ---------------------------------------------------------------------


def check_mgmt_001(ctx: FlowContext) -> list[Finding]:
    """MGMT-001: no telnet, rlogin or plain HTTP administration."""
    findings = []
    for name, device in devices(ctx):
        grouped: dict[Source, list[RemoteAccess]] = {}
        for access in device.mgmt.remote_access:
            if access.protocol in UNENCRYPTED_PROTOCOLS:
                grouped.setdefault(access.source, []).append(access)
        for source, entries in grouped.items():
            protocols = ", ".join(sorted({entry.protocol for entry in entries}))
            where = source.where()
            if all(entry.by_default for entry in entries):
                line = redact(source.text.strip())
                missing_en, missing_ja = fix_text(device, "admin-protocols.unrestricted")
                en = f"{where}: '{line}' {missing_en}: the device accepts {protocols} (unencrypted) by default."
                ja = f"{where}: 「{line}」{missing_ja}、既定で暗号化されない {protocols} を受け付けます。"
                role = "accepts telnet by default"
            else:
                en = f"{where}: administration over {protocols}, which sends passwords unencrypted."
                ja = f"{where}: 暗号化されない {protocols} で管理アクセスできます（パスワードが平文で流れます）。"
                role = "enables"
            fix_en, fix_ja = appended(fix_text(device, "admin-protocols.fix"))
            findings.append(finding("MGMT-001", name, en + fix_en, ja + fix_ja, [(source, role)]))
    return findings


def check_mgmt_002(ctx: FlowContext) -> list[Finding]:
    """MGMT-002: failed remote logins are limited, by a setting or by the device's default."""
    findings = []
    for name, device in devices(ctx):
        mgmt = device.mgmt
        if mgmt.login_failure_limits or mgmt.login_failures_limited_by_default or not mgmt.remote_access:
            continue
        where = anchor(device)
        missing_en, missing_ja = in_parentheses(fix_text(device, "login-failure-limit.missing"))
        findings.append(
            finding(
                "MGMT-002",
                name,
                f"{where.where()}: {name} accepts remote logins but limits no failed attempts{missing_en}.",
                f"{where.where()}: {name} は遠隔ログインを受け付けますが、"
                f"ログイン失敗回数の制限がありません{missing_ja}。",
                [(where, "device (setting missing)")],
            )
        )
    return findings


def check_mgmt_003(ctx: FlowContext) -> list[Finding]:
    """MGMT-003: every line that accepts sessions times out after at most 10 minutes."""
    findings = []
    for name, device in devices(ctx):
        for session in device.mgmt.sessions:
            if not session.accepts_sessions:
                continue
            problem = _timeout_problem(session)
            if problem is None:
                continue
            en, ja = problem
            source = session.idle_timeout_source or session.source
            fix_en, fix_ja = appended(fix_text(device, "idle-timeout.fix"))
            findings.append(
                finding(
                    "MGMT-003",
                    name,
                    f"{source.where()}: {session.kind} '{session.name}': {en}{fix_en}",
                    f"{source.where()}: {session.kind} 「{session.name}」: {ja}{fix_ja}",
                    [(source, "idle timeout")],
                )
            )
    return findings


def _timeout_problem(session: SessionLine) -> tuple[str, str] | None:
    timeout = session.idle_timeout if session.idle_timeout is not None else session.default_idle_timeout
    configured = session.idle_timeout is not None
    if timeout is None or timeout == 0:
        if configured:
            return (
                "idle sessions never time out (timeout disabled).",
                "無操作のセッションがタイムアウトしません（無効化されています）。",
            )
        return (
            "no idle timeout is configured and the device default is never.",
            "タイムアウトの設定がなく、機器の既定ではタイムアウトしません。",
        )
    if timeout > MAX_IDLE_SECONDS:
        minutes = f"{timeout / 60:g}"
        return (
            f"idle sessions time out only after {minutes} minutes (at most 10 allowed).",
            f"無操作のセッションのタイムアウトが {minutes} 分です（10 分以内にしてください）。",
        )
    return None


def check_mgmt_004(ctx: FlowContext) -> list[Finding]:
    """MGMT-004: a banner is shown before login (motd or login banner)."""
    findings = []
    for name, device in devices(ctx):
        if any(banner.kind in ("motd", "login") for banner in device.mgmt.banners):
            continue
        where = anchor(device)
        command_en, command_ja = in_parentheses(fix_text(device, "login-banner.command"))
        findings.append(
            finding(
                "MGMT-004",
                name,
                f"{where.where()}: {name} shows no login banner{command_en}.",
                f"{where.where()}: {name} にログイン時のメッセージ{command_ja}がありません。",
                [(where, "device (setting missing)")],
            )
        )
    return findings


def check_mgmt_005(ctx: FlowContext) -> list[Finding]:
    """MGMT-005: no privilege-15 account named admin, root, ..."""
    findings = []
    for name, device in devices(ctx):
        for user in device.mgmt.users:
            if (user.privilege or 0) >= 15 and user.name.lower() in DEFAULT_ADMIN_NAMES:
                where = user.source.where()
                fix_en, fix_ja = appended(fix_text(device, "default-admin.fix"))
                findings.append(
                    finding(
                        "MGMT-005",
                        name,
                        f"{where}: privileged account '{user.name}' keeps a default or well-known name.{fix_en}",
                        f"{where}: 特権 ID「{user.name}」が初期設定・推測されやすい名前のままです。{fix_ja}",
                        [(user.source, "privileged account")],
                    )
                )
    return findings


def check_mgmt_006(ctx: FlowContext) -> list[Finding]:
    """MGMT-006: passwords and secrets stored as strong hashes; no plaintext, no reversible
    encryption, no weak hashes, no account without a password."""
    findings = []
    for name, device in devices(ctx):
        fix_en, fix_ja = appended(fix_text(device, "secret.fix"))
        for credential in device.mgmt.credentials:
            if credential.scheme not in SECRET_READABLE | SECRET_WEAK_HASH:
                continue
            what_en, what_ja = _credential_label(device, credential.kind, credential.owner)
            text_en, text_ja = fix_text(device, f"secret.{credential.scheme}")
            where = credential.source.where()
            findings.append(
                finding(
                    "MGMT-006",
                    name,
                    f"{where}: {what_en} {text_en}.{fix_en}",
                    f"{where}: {what_ja}{text_ja}。{fix_ja}",
                    [(credential.source, credential.scheme)],
                )
            )
    return findings


def _credential_label(device: Device, kind: str, owner: str) -> tuple[str, str]:
    if kind == "enable":
        suffix = f" ({owner})" if owner else ""
        label_en, label_ja = fix_text(device, "credential.enable")
        return f"{label_en}{suffix}", f"{label_ja}{suffix}"
    if kind == "user":
        return f"the password of account '{owner}'", f"アカウント「{owner}」のパスワード"
    if kind == "login":
        return fix_text(device, "credential.login")
    if kind == "secret":
        # A key or shared secret the device must use again (a VPN pre-shared key, a RADIUS
        # secret): `owner` says which, in the configuration's own words.
        return f"the secret {owner}", f"シークレット {owner} "
    return f"the password of line '{owner}'", f"line「{owner}」のパスワード"


def check_mgmt_007(ctx: FlowContext) -> list[Finding]:
    """MGMT-007: every remote administration path is restricted by source address, on the
    path itself or, where the syntax restricts each account on its own, on every account."""
    findings = []
    for name, device in devices(ctx):
        findings += _unrestricted_accounts(name, device)
        per_account = any(user.allowed_from is not None for user in device.mgmt.users)
        seen: set[Source] = set()
        for access in device.mgmt.remote_access:
            if access.source in seen:
                continue
            seen.add(access.source)
            if per_account and access.access_list is None and access.allowed_from is None:
                # Whoever logs in over this path is held to their own account's addresses.
                continue
            problem = _source_restriction_problem(ctx, device, access)
            if problem is None:
                continue
            en, ja, evidence = problem
            findings.append(
                finding("MGMT-007", name, f"{access.source.where()}: {en}", f"{access.source.where()}: {ja}", evidence)
            )
    return findings


def _unrestricted_accounts(name: str, device: Device) -> list[Finding]:
    findings = []
    fix_en, fix_ja = appended(fix_text(device, "admin-source.fix"))
    for user in device.mgmt.users:
        if user.allowed_from is None or not any(length == 0 for _, length in user.allowed_from):
            continue
        where = user.source.where()
        findings.append(
            finding(
                "MGMT-007",
                name,
                f"{where}: account '{user.name}' may log in from any address.{fix_en}",
                f"{where}: アカウント「{user.name}」はすべての接続元からログインできます。{fix_ja}",
                [(user.source, "account without source restriction")],
            )
        )
    return findings


def _source_restriction_problem(
    ctx: FlowContext, device: Device, access: RemoteAccess
) -> tuple[str, str, list[tuple[Source, str]]] | None:
    what = f"{access.protocol} access '{redact(access.source.text.strip())}'"
    what_ja = f"{access.protocol} の管理アクセス '{redact(access.source.text.strip())}'"
    evidence: list[tuple[Source, str]] = [(access.source, "management access")]
    if access.allowed_from is not None:
        if any(length == 0 for _, length in access.allowed_from):
            fix_en, fix_ja = appended(fix_text(device, "admin-source.fix"))
            return (
                f"{what} is allowed from any address.{fix_en}",
                f"{what_ja} がすべての接続元から許可されています。{fix_ja}",
                evidence,
            )
        return None
    if access.access_list is None:
        missing_en, missing_ja = in_parentheses(fix_text(device, "admin-source.missing"))
        return (
            f"{what} is not restricted by source address{missing_en}.",
            f"{what_ja} に接続元の制限{missing_ja}がありません。",
            evidence,
        )
    if access.access_list_source is not None:
        evidence.append((access.access_list_source, "source restriction"))
    acl = access.access_list
    if acl not in device.acls:
        return (
            f"{what} refers to ACL '{acl}', which is not defined: no source is refused.",
            f"{what_ja} が参照する ACL「{acl}」が定義されておらず、接続元が制限されていません。",
            evidence,
        )
    if acl_permits_most_sources(ctx, device, acl):
        return (
            f"{what}: ACL '{acl}' permits every source address, or nearly (half of all addresses or more).",
            f"{what_ja}: ACL「{acl}」がすべて（または半数以上）の接続元アドレスを許可しています。",
            evidence,
        )
    return None


def check_mgmt_008(ctx: FlowContext) -> list[Finding]:
    """MGMT-008: two or more NTP servers."""
    findings = []
    for name, device in devices(ctx):
        servers = device.mgmt.ntp_servers
        distinct = sorted({server.address for server in servers})
        if len(distinct) >= 2:
            continue
        if servers:
            evidence = [(server.source, "ntp server") for server in servers]
            en = f"{servers[0].source.where()}: only one NTP server; configure at least two."
            ja = f"{servers[0].source.where()}: NTP サーバーが 1 台だけです。2 台以上設定してください。"
        else:
            where = anchor(device)
            evidence = [(where, "device (setting missing)")]
            en = f"{where.where()}: {name} has no NTP server; its clock is not synchronised."
            ja = f"{where.where()}: {name} に NTP サーバーの設定がなく、時刻が同期されません。"
        fix_en, fix_ja = appended(fix_text(device, "ntp.fix"))
        findings.append(finding("MGMT-008", name, en + fix_en, ja + fix_ja, evidence))
    return findings


# Switches without which configured log servers receive nothing (ServiceState names); the
# command that turns each on is the fix key `logging-switch.<name>.command`.
_LOGGING_SWITCHES: dict[str, tuple[str, str]] = {
    "logging": ("logging is not enabled", "ログ出力が有効になっていません"),
    "logging-trap": ("no severity level is set for log servers", "ログサーバーへ送る重要度が設定されていません"),
}


def check_mgmt_009(ctx: FlowContext) -> list[Finding]:
    """MGMT-009: logs go to a remote host, stamped with date and time."""
    findings = []
    for name, device in devices(ctx):
        mgmt = device.mgmt
        where = anchor(device)
        if not mgmt.logging_hosts:
            missing_en, missing_ja = in_parentheses(fix_text(device, "remote-logging.missing"))
            findings.append(
                finding(
                    "MGMT-009",
                    name,
                    f"{where.where()}: {name} sends no logs to a remote log server{missing_en}.",
                    f"{where.where()}: {name} はログを外部のログサーバーへ送信していません{missing_ja}。",
                    [(where, "device (setting missing)")],
                )
            )
        else:
            findings += _logging_switched_off(name, device)
        if mgmt.log_timestamps != "datetime":
            source = mgmt.log_timestamps_source or where
            state_en = {"uptime": "time since boot", "none": "no time stamp"}.get(mgmt.log_timestamps, "")
            state_ja = {"uptime": "起動からの経過時間", "none": "時刻なし"}.get(mgmt.log_timestamps, "")
            command_en, command_ja = in_parentheses(fix_text(device, "log-timestamps.command"))
            findings.append(
                finding(
                    "MGMT-009",
                    name,
                    f"{source.where()}: log messages carry {state_en}, not the date and time{command_en}.",
                    f"{source.where()}: ログの時刻が{state_ja}で、日時が記録されません{command_ja}。",
                    [(source, "log time stamps")],
                )
            )
    return findings


def _logging_switched_off(name: str, device: Device) -> list[Finding]:
    """Log servers are configured but a switch the device needs to send to them is off."""
    off = [
        state
        for state in (device.mgmt.service(switch) for switch in _LOGGING_SWITCHES)
        if state is not None and not state.enabled
    ]
    if not off:
        return []
    hosts = device.mgmt.logging_hosts
    reasons = [_switch_reason(device, state.name) for state in off]
    reasons_en = "; ".join(en for en, _ in reasons)
    reasons_ja = "、".join(ja for _, ja in reasons)
    evidence = [(host.source, "log server") for host in hosts]
    evidence += [(state.source, "disables") for state in off if state.source is not None]
    first = hosts[0].source.where()
    return [
        finding(
            "MGMT-009",
            name,
            f"{first}: log servers are configured but receive nothing: {reasons_en}.",
            f"{first}: ログサーバーが設定されていますが、ログは送信されません: {reasons_ja}。",
            evidence,
        )
    ]


def _switch_reason(device: Device, switch: str) -> tuple[str, str]:
    reason_en, reason_ja = _LOGGING_SWITCHES[switch]
    command_en, command_ja = in_parentheses(fix_text(device, f"logging-switch.{switch}.command"))
    return reason_en + command_en, reason_ja + command_ja


def check_mgmt_010(ctx: FlowContext) -> list[Finding]:
    """MGMT-010: no well-known SNMP community, no SNMPv1/v2c write access."""
    findings = []
    for name, device in devices(ctx):
        mgmt = device.mgmt
        fix_en, fix_ja = appended(fix_text(device, "snmp-community.fix"))
        for community in mgmt.snmp_communities:
            where = community.source.where()
            if community.name.lower() in WELL_KNOWN_COMMUNITIES:
                findings.append(
                    finding(
                        "MGMT-010",
                        name,
                        f"{where}: an SNMP community uses a default, well-known name.{fix_en}",
                        f"{where}: SNMP コミュニティ名が既定の（推測されやすい）名前です。{fix_ja}",
                        [(community.source, "default community")],
                    )
                )
            if community.access == "rw":
                findings.append(
                    finding(
                        "MGMT-010",
                        name,
                        f"{where}: an SNMPv1/v2c community grants write access (RW); the community travels in clear."
                        f"{fix_en}",
                        f"{where}: SNMPv1/v2c のコミュニティに書込み権限（RW）があります。"
                        f"コミュニティ名は平文で流れます。{fix_ja}",
                        [(community.source, "write access")],
                    )
                )
        for group in mgmt.snmp_groups:
            if group.version in ("1", "2c") and group.write_view:
                where = group.source.where()
                findings.append(
                    finding(
                        "MGMT-010",
                        name,
                        f"{where}: SNMPv{group.version} group '{group.name}' has write access.",
                        f"{where}: SNMPv{group.version} のグループ「{group.name}」に書込み権限があります。",
                        [(group.source, "write access")],
                    )
                )
    return findings


MIN_PASSWORD_LENGTH = 8


def check_mgmt_011(ctx: FlowContext) -> list[Finding]:
    """MGMT-011: on a device whose syntax has a password policy, it is on and asks for at
    least MIN_PASSWORD_LENGTH characters."""
    findings = []
    for name, device in devices(ctx):
        policy = device.mgmt.password_policy
        if policy is None:
            continue
        problem = _password_policy_problem(device, policy)
        if problem is None:
            continue
        source, role, en, ja = problem
        fix_en, fix_ja = appended(fix_text(device, "password-policy.fix"))
        where = source.where()
        findings.append(finding("MGMT-011", name, f"{where}: {en}{fix_en}", f"{where}: {ja}{fix_ja}", [(source, role)]))
    return findings


def _password_policy_problem(device: Device, policy: PasswordPolicy) -> tuple[Source, str, str, str] | None:
    name = device.name
    if not policy.enabled:
        if policy.source is None:
            where = anchor(device)
            return (
                where,
                "device (setting missing)",
                f"{name} enforces no password policy: administrators may choose any password.",
                f"{name} にパスワードポリシーがなく、管理者は任意のパスワードを設定できます。",
            )
        return (
            policy.source,
            "disables",
            "the password policy is turned off: administrators may choose any password.",
            "パスワードポリシーが無効で、管理者は任意のパスワードを設定できます。",
        )
    length = policy.min_length
    if length is not None and length >= MIN_PASSWORD_LENGTH:
        return None
    source = policy.min_length_source or policy.source or anchor(device)
    shown_en = f"only {length} characters" if length is not None else "no minimum length"
    shown_ja = f"{length} 文字以上" if length is not None else "最小文字数の指定なし"
    return (
        source,
        "minimum length",
        f"the password policy asks for {shown_en}; at least {MIN_PASSWORD_LENGTH} are required.",
        f"パスワードポリシーが {shown_ja}です。{MIN_PASSWORD_LENGTH} 文字以上にしてください。",
    )


# --- SVC-001 -----------------------------------------------------------------------------------


def check_svc_001(ctx: FlowContext) -> list[Finding]:
    """SVC-001: unneeded services off; CDP off on zone-boundary ports."""
    findings = []
    boundary = cdp_boundary_interfaces(ctx.network)
    for name, device in devices(ctx):
        mgmt = device.mgmt
        for service, (label_en, label_ja) in UNNEEDED_SERVICES.items():
            state = mgmt.service(service)
            if state is None or not state.enabled:
                continue
            if state.source is not None:
                source, role = state.source, "enables"
                en = f"{source.where()}: {label_en} is on."
                ja = f"{source.where()}: {label_ja}が有効です。"
            else:
                source, role = anchor(device), "device (on by default)"
                en = f"{source.where()}: {label_en} is on by default on {name}; turn it off explicitly."
                ja = f"{source.where()}: {name} では{label_ja}が既定で有効です。明示的に無効にしてください。"
            findings.append(finding("SVC-001", name, en, ja, [(source, role)]))
        findings += _cdp_on_boundary(name, device, boundary)
    return findings


def _cdp_on_boundary(name: str, device: Device, boundary: set[tuple[str, str]]) -> list[Finding]:
    findings = []
    cdp = device.mgmt.service("cdp")
    globally_on = cdp is None or cdp.enabled
    for if_name in sorted(device.interfaces):
        interface = device.interfaces[if_name]
        facts = device.mgmt.interfaces.get(if_name)
        if (name, if_name) not in boundary or interface.kind not in PORT_KINDS or interface.shutdown:
            continue
        # CDP runs on a port only when it runs globally and the port does not turn it off.
        if not globally_on or (facts is not None and facts.cdp is False):
            continue
        source = facts.cdp_source if facts is not None and facts.cdp_source is not None else interface.source
        findings.append(
            finding(
                "SVC-001",
                name,
                f"{source.where()}: CDP runs on zone-boundary interface {if_name}: it tells the other side the device "
                f"model, software version and addresses.",
                f"{source.where()}: 領域の境界にあるインターフェース {if_name} で CDP が動作しており、"
                f"機種・ソフトウェア"
                f"バージョン・アドレスを相手側に知らせます。",
                [(source, "CDP enabled")],
            )
        )
    return findings


def cdp_boundary_interfaces(network: Network) -> set[tuple[str, str]]:
    """Zone-boundary interfaces whose neighbours are outside the city's own zones: on a
    transit segment, in an external zone, the upstream, an external link. (A leg of a
    multi-zone device that faces its own zone's core is a boundary for filtering, but
    CDP there only talks to the same administration.)"""
    kinds = {zone.id: zone.kind for zone in network.topology.zones}
    result = edge_interfaces(network)
    for pair in zone_boundary_interfaces(network):
        segment = network.segment_of.get(pair)
        zone = network.segments[segment].zone if segment is not None else None
        if zone is None or kinds.get(zone) is ZoneKind.EXTERNAL:
            result.add(pair)
    return result


def zone_boundary_interfaces(network: Network) -> set[tuple[str, str]]:
    """(device, interface) pairs where traffic crosses from one zone into something else:
    upstream and external-link interfaces; on a device with interfaces in two or more
    zones, every such interface; on a device in one zone, the interfaces on transit
    segments; on a transit-only device, the interfaces whose segment holds a device of
    some zone. Without zones no interface is a boundary."""
    result = edge_interfaces(network)
    homes = _home_zones(network)
    for (device, if_name), segment_id in network.segment_of.items():
        interface = network.devices[device].interfaces.get(if_name)
        if interface is None or interface.kind in ("loopback", "null"):
            continue
        label = network.segments[segment_id].zone
        device_homes = homes.get(device, set())
        spans_zones = len(device_homes) >= 2
        leaves_its_zone = len(device_homes) == 1 and label is None
        transit_next_to_zone = not device_homes and any(
            homes.get(member) for member, _ in network.segments[segment_id].members if member != device
        )
        if spans_zones or leaves_its_zone or transit_next_to_zone:
            result.add((device, if_name))
    return result


def _home_zones(network: Network) -> dict[str, set[str]]:
    homes: dict[str, set[str]] = {}
    for (device, if_name), segment_id in network.segment_of.items():
        interface = network.devices[device].interfaces.get(if_name)
        zone = network.segments[segment_id].zone
        if interface is not None and interface.kind not in ("loopback", "null") and zone is not None:
            homes.setdefault(device, set()).add(zone)
    return homes


# --- PORT-001, PORT-002 -----------------------------------------------------------------------


def check_port_001(ctx: FlowContext) -> list[Finding]:
    """PORT-001: a port with no link, no segment in use and no configuration that puts it
    to use (or one described as unused) is shut down."""
    findings = []
    linked = _linked_interfaces(ctx.network)
    # Interface names and descriptions repeat across devices (the 1,000-device city's 24,000
    # ports): each vendor's name pattern and the unused pattern are matched once per text.
    ethernet: dict[tuple[str, str], bool] = {}
    unused: dict[str, bool] = {}
    for name, device in devices(ctx):
        parents = {if_name.split(".", 1)[0] for if_name in device.interfaces if "." in if_name}
        for if_name in sorted(device.interfaces):
            interface = device.interfaces[if_name]
            facts = device.mgmt.interfaces.get(if_name)
            if interface.shutdown or interface.kind != "physical" or facts is None:
                continue
            port = ethernet.get((device.vendor, if_name))
            if port is None:
                port = ethernet[device.vendor, if_name] = is_ethernet_port(device, if_name)
            if not port:
                continue
            if (name, if_name) in linked or if_name in parents or dict(interface.properties).get("channel_group"):
                continue
            described_unused = unused.get(interface.description)
            if described_unused is None:
                described_unused = unused[interface.description] = bool(
                    UNUSED_DESCRIPTION.search(interface.description)
                )
            in_use = (name, if_name) in ctx.network.segment_of or not facts.bare
            if in_use and not described_unused:
                continue
            reason_en = "is described as unused" if described_unused else "has no link, no address and no use"
            reason_ja = "は説明が「未使用」" if described_unused else "はリンク・アドレス・用途のいずれもない"
            findings.append(
                finding(
                    "PORT-001",
                    name,
                    f"{interface.source.where()}: interface {if_name} {reason_en} but is not shut down.",
                    f"{interface.source.where()}: インターフェース {if_name} {reason_ja}のに、"
                    f"shutdown されていません。",
                    [(interface.source, "not shut down")],
                )
            )
    return findings


def _linked_interfaces(network: Network) -> set[tuple[str, str]]:
    result = edge_interfaces(network)
    for link in network.topology.links:
        for ref in (link.a, link.b):
            if ref.device in network.devices:
                result.add(network.interface_ref(ref))
    return result


def check_port_002(ctx: FlowContext) -> list[Finding]:
    """PORT-002: every access port in use identifies the device on it (802.1X, MAB or
    port security)."""
    findings = []
    linked = _linked_interfaces(ctx.network)
    for name, device in devices(ctx):
        for if_name in sorted(device.interfaces):
            interface = device.interfaces[if_name]
            facts = device.mgmt.interfaces.get(if_name)
            if interface.switchport_mode != "access" or interface.shutdown or facts is None:
                continue
            if (name, if_name) in linked or facts.port_security or facts.dot1x or facts.mab:
                continue
            findings.append(
                finding(
                    "PORT-002",
                    name,
                    f"{interface.source.where()}: access port {if_name} accepts any device: no 802.1X, MAB or "
                    f"port security.",
                    f"{interface.source.where()}: アクセスポート {if_name} に 802.1X・MAB・ポートセキュリティのいずれも"
                    f"なく、どの機器でも接続できます。",
                    [(interface.source, "access port")],
                )
            )
    return findings


# --- WLAN-001 ----------------------------------------------------------------------------------


def check_wlan_001(ctx: FlowContext) -> list[Finding]:
    """WLAN-001: WPA2/WPA3 everywhere; WPA2/3-Enterprise (802.1X, EAP-TLS) on WLANs of the
    LGWAN and mynumber zones, where a pre-shared key is a violation."""
    findings = []
    for name, device in devices(ctx):
        for wlan in device.mgmt.wlans:
            evidence = [(wlan.source, "ssid"), *((source, "security") for source in wlan.evidence)]
            where = wlan.source.where()
            if not wlan.wpa_versions or min(wlan.wpa_versions) < 2:
                no_wpa = not wlan.wpa_versions
                state_en = "no WPA (open or WEP)" if no_wpa else "WPA version 1 (TKIP) allowed"
                state_ja = "WPA なし（オープンまたは WEP）" if no_wpa else "WPA（バージョン 1, TKIP）を許可"
                findings.append(
                    finding(
                        "WLAN-001",
                        name,
                        f"{where}: SSID '{wlan.ssid}' uses {state_en}; WPA2 or WPA3 is required.",
                        f"{where}: SSID「{wlan.ssid}」が{state_ja}です。WPA2 または WPA3 が必要です。",
                        evidence,
                    )
                )
            strict = sorted(
                _wlan_zone_kinds(ctx, name, device, wlan) & {ZoneKind.LGWAN, ZoneKind.MYNUMBER},
                key=lambda kind: kind.value,
            )
            if not strict:
                continue
            zones = ", ".join(kind.value for kind in strict)
            problem = _enterprise_problem(wlan)
            if problem is not None:
                findings.append(
                    finding(
                        "WLAN-001",
                        name,
                        f"{where}: SSID '{wlan.ssid}' serves the {zones} zone with {problem[0]}; WPA2/3-Enterprise "
                        f"with EAP-TLS is required there.",
                        f"{where}: {zones} の SSID「{wlan.ssid}」が{problem[1]}です。WPA2/3-Enterprise（EAP-TLS）が"
                        f"必要です。",
                        evidence,
                    )
                )
    return findings


def _enterprise_problem(wlan: Wlan) -> tuple[str, str] | None:
    if wlan.auth == "psk" or wlan.auth == "sae":
        return "a pre-shared key (personal mode)", "事前共有鍵（パーソナルモード）"
    if wlan.auth != "8021x":
        return "no 802.1X (EAP) authentication", "802.1X（EAP）認証なし"
    methods = {method.lower() for method in wlan.eap_methods}
    if methods and "tls" not in methods and "eap-tls" not in methods:
        listed = ", ".join(sorted(methods))
        return f"EAP methods {listed} (not EAP-TLS)", f"EAP 方式 {listed}（EAP-TLS ではない）"
    return None


def _wlan_zone_kinds(ctx: FlowContext, device_name: str, device: Device, wlan: Wlan) -> set[ZoneKind]:
    """Zones the WLAN's VLAN is routed in on this device; without such an interface, every
    zone the device has an interface in (a WLAN could be bridged into any of them)."""
    network = ctx.network
    kinds_by_zone = {zone.id: zone.kind for zone in network.topology.zones}

    def zone_kinds(interfaces: Iterable[str]) -> set[ZoneKind]:
        result = set()
        for if_name in interfaces:
            segment = network.segment_of.get((device_name, if_name))
            zone = network.segments[segment].zone if segment is not None else None
            if zone is not None:
                result.add(kinds_by_zone[zone])
        return result

    if wlan.vlan is not None:
        vlan_interfaces = [
            if_name
            for if_name, interface in device.interfaces.items()
            if interface.encapsulation_vlan == wlan.vlan or if_name == f"Vlan{wlan.vlan}"
        ]
        found = zone_kinds(vlan_interfaces)
        if found:
            return found
    return zone_kinds(device.interfaces)


# --- AVAIL-001 ---------------------------------------------------------------------------------


def check_avail_001(ctx: FlowContext) -> list[Finding]:
    """AVAIL-001: in a zone marked `availability: 2`, every segment has two node-disjoint
    paths to the zone's gateways (the interfaces where its traffic leaves the zone), so
    that no single device or segment failure cuts it off."""
    findings: list[Finding] = []
    network = ctx.network
    for zone in network.topology.zones:
        if zone.availability < 2:
            continue
        gateways = _zone_gateways(network, zone.id)
        if not gateways:
            continue
        graph = _availability_graph(network, gateways)
        for segment in network.segments.values():
            if segment.zone != zone.id:
                continue
            source = ("segment", segment.id)
            paths = int(nx.algorithms.connectivity.local_node_connectivity(graph, source, _SINK))
            if paths >= 2:
                continue
            cut: set[object] = set(nx.minimum_node_cut(graph, source, _SINK)) if paths == 1 else set()
            findings.append(
                _avail_finding(network, zone.id, zone.at.file, zone.at.line, segment.id, segment.members, paths, cut)
            )
    return findings


_SINK = ("sink",)


def _zone_gateways(network: Network, zone_id: str) -> set[tuple[str, str]]:
    """Interfaces of the zone's devices on segments outside the zone (transit or another
    zone), and the zone's upstream interfaces."""
    devices_in_zone = {
        device for (device, _), segment in network.segment_of.items() if network.segments[segment].zone == zone_id
    }
    gateways = {
        (device, if_name)
        for (device, if_name), segment in network.segment_of.items()
        if device in devices_in_zone
        and network.segments[segment].zone != zone_id
        and network.devices[device].interfaces[if_name].kind not in ("loopback", "null")
    }
    zone = network.topology.zone(zone_id)
    gateways.update(network.interface_ref(ref) for ref in zone.upstream)
    return gateways


def _availability_graph(network: Network, gateways: set[tuple[str, str]]) -> nx.Graph[object]:
    graph: nx.Graph[object] = nx.Graph(network.graph)
    graph.remove_nodes_from(
        [
            node
            for node, data in network.graph.nodes(data=True)
            if data.get("kind") == "interface" and not data.get("up", True)
        ]
    )
    graph.add_node(_SINK)
    for device, if_name in gateways:
        node = ("interface", device, if_name)
        if node in graph:
            graph.add_edge(node, _SINK)
    return graph


def _avail_finding(
    network: Network,
    zone_id: str,
    zone_file: str,
    zone_line: int,
    segment_id: str,
    members: tuple[tuple[str, str], ...],
    paths: int,
    cut: set[object],
) -> Finding:
    spof = sorted(_describe_node(node) for node in cut)
    segment = network.segments[segment_id]
    subnets = ", ".join(format_prefix(*subnet) for subnet in segment.subnets) or segment_id
    evidence: list[tuple[Source, str]] = [
        (network.devices[device].interfaces[if_name].source, "segment member") for device, if_name in members
    ]
    evidence.insert(0, (Source(zone_file, zone_line, f"zones.{zone_id} (availability: 2)"), "requires"))
    device = members[0][0] if members else ""
    if paths == 0:
        en = f"segment {subnets} of zone {zone_id} (availability 2) has no path to the zone's gateways."
        ja = f"可用性 2 の領域 {zone_id} のセグメント {subnets} から領域のゲートウェイへの経路がありません。"
    else:
        point = ", ".join(spof)
        en = (
            f"segment {subnets} of zone {zone_id} (availability 2) has a single path to the zone's gateways: "
            f"a failure of {point} cuts it off."
        )
        ja = (
            f"可用性 2 の領域 {zone_id} のセグメント {subnets} からゲートウェイへの経路が 1 系統のみで、"
            f"{point} の障害で切り離されます。"
        )
    return finding("AVAIL-001", device, en, ja, evidence)


def _describe_node(node: object) -> str:
    if isinstance(node, tuple) and node and node[0] == "device":
        return f"device {node[1]}"
    if isinstance(node, tuple) and node and node[0] == "segment":
        return f"segment {node[1]}"
    if isinstance(node, tuple) and len(node) == 3:
        return f"interface {node[1]}:{node[2]}"
    return str(node)


def _rule(rule_id: str, check: Check, guideline: str = "") -> Rule:
    severity, clause, title_en, title_ja = RULE_INFO[rule_id]
    return Rule(rule_id, severity, clause, title_en, title_ja, check, guideline)


DEVICE_RULES: tuple[Rule, ...] = (
    _rule(
        "MGMT-001",
        check_mgmt_001,
        f"{GL_ACCESS}（職員等による外部からのアクセス等の制限）; {GL_NETWORK}（無線 LAN 及びネットワークの盗聴対策）",
    ),
    _rule("MGMT-002", check_mgmt_002, f"{GL_ACCESS}（ログイン時の表示等）"),
    _rule("MGMT-003", check_mgmt_003, f"{GL_ACCESS}（ログイン時の表示等）"),
    _rule("MGMT-004", check_mgmt_004, f"{GL_ACCESS}（ログイン時の表示等）"),
    _rule("MGMT-005", check_mgmt_005, f"{GL_ACCESS}（特権を付与された ID の管理）"),
    _rule("MGMT-006", check_mgmt_006, f"{GL_ACCESS}（認証情報の管理）"),
    _rule("MGMT-007", check_mgmt_007, f"{GL_ACCESS}（アクセス制御）"),
    _rule("MGMT-008", check_mgmt_008, f"{GL_MONITORING}（時刻同期）"),
    _rule("MGMT-009", check_mgmt_009, f"{GL_NETWORK}（ログの取得等）"),
    _rule("MGMT-010", check_mgmt_010, f"{GL_ACCESS}（認証情報の管理）"),
    _rule("MGMT-011", check_mgmt_011, f"{GL_ACCESS}（認証情報の管理）"),
    _rule("SVC-001", check_svc_001, GL_INTRUSION),
    _rule("PORT-001", check_port_001, f"{GL_INTRUSION}; {GL_SERVERS}（通信ケーブル等の配線）"),
    _rule("PORT-002", check_port_002, f"{GL_ACCESS}（自動識別の設定）; {GL_SERVERS}（通信ケーブル等の配線）"),
    _rule("WLAN-001", check_wlan_001, f"{GL_NETWORK}（無線 LAN 及びネットワークの盗聴対策）"),
    _rule("AVAIL-001", check_avail_001, f"{GL_LINES}（可用性の確保）; {GL_SERVERS}（サーバの冗長化）"),
)

__all__ = ["DEVICE_RULES", "RULE_INFO", "anchor", "devices", "violation", "zone_boundary_interfaces"]
