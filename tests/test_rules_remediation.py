"""Hardening messages take their command text from the device's vendor plugin
(`VendorPlugin.remediation`, fix keys in rules/remediation.py): IOS and ASA messages quote
their commands as before, a device without a plugin gets neutral wording, FortiOS gets its
own commands; and the management facts only FortiOS-like syntaxes have (failed logins
limited by default, source restriction per account)."""

from __future__ import annotations

import re
from pathlib import Path
from types import MappingProxyType

import pytest
from conftest import REPO, rule_context
from handbuilt import context, device, source

from nankoku_netcheck import vendors
from nankoku_netcheck.model import (
    Credential,
    Device,
    HostReference,
    PasswordPolicy,
    RemoteAccess,
    ServiceState,
    SessionLine,
    SnmpCommunity,
    UserAccount,
)
from nankoku_netcheck.result import Finding
from nankoku_netcheck.rules.device import DEVICE_RULES
from nankoku_netcheck.rules.remediation import FIX_DEFAULTS
from nankoku_netcheck.vendors.base import VendorPlugin
from nankoku_netcheck.vendors.fortios.remediation import REMEDIATION as FORTIOS_REMEDIATION

FIXTURES = REPO / "tests" / "fixtures" / "rules"
RULES = {rule.id: rule for rule in DEVICE_RULES}


def messages(findings: list[Finding]) -> set[tuple[str, str, str]]:
    return {(finding.rule, finding.message_en, finding.message_ja) for finding in findings}


def fixture_messages(case: str) -> set[tuple[str, str, str]]:
    ctx = rule_context(FIXTURES / case)
    return messages([finding for rule in DEVICE_RULES for finding in rule.check(ctx)])


# IOS and ASA: the command text their messages always quoted, now from their plugins.
QUOTED = {
    "MGMT-001/fail": {
        (
            "MGMT-001",
            "configs/r1.cfg:12: 'line vty 5 15' has no 'transport input': the device accepts telnet (unencrypted) "
            "by default.",
            "configs/r1.cfg:12: 「line vty 5 15」に transport input の指定がなく、"
            "既定で暗号化されない telnet を受け付けます。",
        ),
        (
            "MGMT-002",
            "configs/r1.cfg:1: r1 accepts remote logins but limits no failed attempts (no 'login block-for' or "
            "'aaa local authentication attempts max-fail').",
            "configs/r1.cfg:1: r1 は遠隔ログインを受け付けますが、ログイン失敗回数の制限がありません"
            "（login block-for / aaa local authentication attempts max-fail がありません）。",
        ),
        (
            "MGMT-004",
            "configs/r1.cfg:1: r1 shows no login banner (banner motd / banner login).",
            "configs/r1.cfg:1: r1 にログイン時のメッセージ（banner motd / banner login）がありません。",
        ),
        (
            "MGMT-007",
            "configs/r1.cfg:5: http access 'ip http server' is not restricted by source address (no access-class).",
            "configs/r1.cfg:5: http の管理アクセス 'ip http server' に接続元の制限（access-class）がありません。",
        ),
        (
            "MGMT-009",
            "configs/r1.cfg:1: r1 sends no logs to a remote log server (no 'logging host').",
            "configs/r1.cfg:1: r1 はログを外部のログサーバーへ送信していません（logging host がありません）。",
        ),
        (
            "MGMT-009",
            "configs/r1.cfg:1: log messages carry time since boot, not the date and time (service timestamps log "
            "datetime).",
            "configs/r1.cfg:1: ログの時刻が起動からの経過時間で、日時が記録されません"
            "（service timestamps log datetime）。",
        ),
    },
    "MGMT-006/fail": {
        (
            "MGMT-006",
            "configs/r1.cfg:2: the enable password is stored as an MD5 hash (type 5), which is quick to crack offline.",
            "configs/r1.cfg:2: enable パスワードが MD5 ハッシュ（type 5）で保存されており、容易に解読されます。",
        ),
        (
            "MGMT-006",
            "configs/r1.cfg:3: the enable password is stored with reversible encryption (e.g. Cisco type 7): anyone "
            "with the config can recover it.",
            "configs/r1.cfg:3: enable パスワードが可逆暗号化（Cisco type 7 等）で保存されており、"
            "設定を見た人が復元できます。",
        ),
        (
            "MGMT-006",
            "configs/r1.cfg:5: the password of account 'ope2' is stored as an unsalted SHA-256 hash (type 4, "
            "withdrawn by Cisco).",
            "configs/r1.cfg:5: アカウント「ope2」のパスワードがソルトなしの SHA-256（type 4、Cisco が廃止）"
            "で保存されています。",
        ),
    },
    "MGMT-006/asa-fail": {
        (
            "MGMT-006",
            "configs/fw1.cfg:3: the enable password is empty.",
            "configs/fw1.cfg:3: enable パスワードが空です。",
        ),
        (
            "MGMT-006",
            "configs/fw1.cfg:4: the login password (passwd) is stored with the ASA 'encrypted' (MD5-based) hash, "
            "which is quick to crack offline; use 'pbkdf2'.",
            "configs/fw1.cfg:4: ログインパスワード（passwd）が ASA の encrypted（MD5 ベース）ハッシュで保存されており、"
            "容易に解読されます（pbkdf2 を使用してください）。",
        ),
    },
    "MGMT-009/asa-fail": {
        (
            "MGMT-009",
            "configs/fw1.cfg:9: log servers are configured but receive nothing: no severity level is set for log "
            "servers (logging trap).",
            "configs/fw1.cfg:9: ログサーバーが設定されていますが、ログは送信されません: "
            "ログサーバーへ送る重要度が設定されていません（logging trap）。",
        ),
        (
            "MGMT-009",
            "configs/fw2.cfg:10: log servers are configured but receive nothing: logging is not enabled "
            "(logging enable).",
            "configs/fw2.cfg:10: ログサーバーが設定されていますが、ログは送信されません: "
            "ログ出力が有効になっていません（logging enable）。",
        ),
        (
            "MGMT-009",
            "configs/fw1.cfg:2: log messages carry no time stamp, not the date and time (logging timestamp).",
            "configs/fw1.cfg:2: ログの時刻が時刻なしで、日時が記録されません（logging timestamp）。",
        ),
    },
}


@pytest.mark.parametrize("case", sorted(QUOTED))
def test_ios_and_asa_messages_quote_their_own_commands(case: str) -> None:
    found = fixture_messages(case)
    assert QUOTED[case] <= found, sorted(QUOTED[case] - found)


def management_device(vendor: str) -> Device:
    """A device with one of each problem the vendor-worded messages describe."""
    built = device("fw1", vendor)
    mgmt = built.mgmt
    vty = source("fw1", 5, "line vty 0 4")
    http = source("fw1", 6, "set allowaccess ping https http telnet")
    mgmt.remote_access += [
        RemoteAccess("telnet", vty, by_default=True),
        RemoteAccess("telnet", http, interface="port1"),
        RemoteAccess("http", http, interface="port1"),
    ]
    mgmt.sessions.append(SessionLine("admin", "admintimeout", source("fw1", 3, "set admintimeout 480"), True, 28800))
    mgmt.credentials += [
        Credential("enable", "", "reversible", source("fw1", 7, "enable password 7 0822455D0A16")),
        Credential("login", "", "md5", source("fw1", 8, "passwd 2KFQnbNIdI.2KYOU encrypted")),
    ]
    mgmt.ntp_servers.append(HostReference("10.2.99.11", source("fw1", 9, 'set server "10.2.99.11"')))
    mgmt.snmp_communities.append(SnmpCommunity("public", "ro", source("fw1", 10, 'set name "public"')))
    mgmt.users.append(UserAccount("admin", source("fw1", 11, 'edit "admin"'), 15))
    return built


def run(built: Device, *rule_ids: str) -> set[tuple[str, str, str]]:
    ctx = context([built])
    return messages([finding for rule_id in rule_ids for finding in RULES[rule_id].check(ctx)])


def test_a_device_without_a_plugin_gets_neutral_wording() -> None:
    found = run(management_device("handmade"), "MGMT-001", "MGMT-002", "MGMT-004", "MGMT-006", "MGMT-007", "MGMT-009")
    assert found == {
        (
            "MGMT-001",
            "fw1.conf:5: 'line vty 0 4' restricts no protocol: the device accepts telnet (unencrypted) by default.",
            "fw1.conf:5: 「line vty 0 4」にプロトコルの制限がなく、既定で暗号化されない telnet を受け付けます。",
        ),
        (
            "MGMT-001",
            "fw1.conf:6: administration over http, telnet, which sends passwords unencrypted.",
            "fw1.conf:6: 暗号化されない http, telnet で管理アクセスできます（パスワードが平文で流れます）。",
        ),
        (
            "MGMT-002",
            "fw1.conf:1: fw1 accepts remote logins but limits no failed attempts.",
            "fw1.conf:1: fw1 は遠隔ログインを受け付けますが、ログイン失敗回数の制限がありません。",
        ),
        (
            "MGMT-004",
            "fw1.conf:1: fw1 shows no login banner.",
            "fw1.conf:1: fw1 にログイン時のメッセージがありません。",
        ),
        (
            "MGMT-006",
            "fw1.conf:7: the privileged-mode password is stored with reversible encryption: anyone with the config "
            "can recover it.",
            "fw1.conf:7: 特権モードのパスワードが可逆暗号化で保存されており、設定を見た人が復元できます。",
        ),
        (
            "MGMT-006",
            "fw1.conf:8: the login password is stored as an MD5 hash, which is quick to crack offline.",
            "fw1.conf:8: ログインパスワードが MD5 ハッシュで保存されており、容易に解読されます。",
        ),
        (
            "MGMT-007",
            "fw1.conf:5: telnet access 'line vty 0 4' is not restricted by source address.",
            "fw1.conf:5: telnet の管理アクセス 'line vty 0 4' に接続元の制限がありません。",
        ),
        (
            "MGMT-007",
            "fw1.conf:6: telnet access 'set allowaccess ping https http telnet' is not restricted by source address.",
            "fw1.conf:6: telnet の管理アクセス 'set allowaccess ping https http telnet' に接続元の制限がありません。",
        ),
        (
            "MGMT-009",
            "fw1.conf:1: fw1 sends no logs to a remote log server.",
            "fw1.conf:1: fw1 はログを外部のログサーバーへ送信していません。",
        ),
        (
            "MGMT-009",
            "fw1.conf:1: log messages carry no time stamp, not the date and time.",
            "fw1.conf:1: ログの時刻が時刻なしで、日時が記録されません。",
        ),
    }


class FortiOsStub(VendorPlugin):
    """Stands in for the FortiOS plugin (another branch) with its command text."""

    name = "fortios"
    label = "FortiOS (test stand-in)"
    signatures = ()
    remediation = FORTIOS_REMEDIATION

    def parse(self, text: str, path: str) -> Device:
        raise NotImplementedError


@pytest.fixture
def fortios_registered(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(vendors, "VENDORS", MappingProxyType({**vendors.VENDORS, "fortios": FortiOsStub()}))


def fortigate() -> Device:
    """A FortiGate's facts as its parser records them: allowaccess per interface, admins with
    trusted hosts (or none: any address), failed logins limited by default."""
    built = device("fgt1", "fortios")
    mgmt = built.mgmt
    allowaccess = source("fgt1", 20, "set allowaccess ping https ssh http telnet")
    mgmt.remote_access += [
        RemoteAccess("https", allowaccess, interface="port1"),
        RemoteAccess("ssh", allowaccess, interface="port1"),
        RemoteAccess("http", allowaccess, interface="port1"),
        RemoteAccess("telnet", allowaccess, interface="port1"),
    ]
    mgmt.login_failures_limited_by_default = True
    global_block = source("fgt1", 3, "config system global")
    mgmt.sessions.append(
        SessionLine("admin", "admintimeout", global_block, True, 28800, source("fgt1", 4, "set admintimeout 480"))
    )
    mgmt.users += [
        UserAccount("admin", source("fgt1", 30, 'edit "admin"'), 15, ((0, 0),)),
        UserAccount("ope", source("fgt1", 35, 'edit "ope"'), 15, ((0x0A026300, 24),)),
    ]
    mgmt.ntp_servers.append(HostReference("10.2.99.11", source("fgt1", 40, 'set server "10.2.99.11"')))
    mgmt.log_timestamps = "datetime"
    mgmt.snmp_communities.append(SnmpCommunity("public", "ro", source("fgt1", 50, 'set name "public"')))
    mgmt.credentials.append(Credential("user", "vpn1", "reversible", source("fgt1", 60, "set passwd ENC xyz")))
    return built


@pytest.mark.usefixtures("fortios_registered")
def test_fortios_messages_quote_fortios_commands() -> None:
    found = run(fortigate(), *sorted(rule for rule in RULES if rule.startswith("MGMT-")))
    assert found == {
        (
            "MGMT-001",
            "fgt1.conf:20: administration over http, telnet, which sends passwords unencrypted. Allow only https "
            "and ssh in 'set allowaccess' under config system interface (remove telnet and http) and set "
            "'set admin-telnet disable' under config system global.",
            "fgt1.conf:20: 暗号化されない http, telnet で管理アクセスできます（パスワードが平文で流れます）。"
            "config system interface の set allowaccess を https と ssh のみにし（telnet・http を削除）、"
            "config system global で set admin-telnet disable を設定してください。",
        ),
        (
            "MGMT-003",
            "fgt1.conf:4: admin 'admintimeout': idle sessions time out only after 480 minutes (at most 10 allowed). "
            "Set 'set admintimeout 10' (minutes) or less under config system global.",
            "fgt1.conf:4: admin 「admintimeout」: 無操作のセッションのタイムアウトが 480 分です"
            "（10 分以内にしてください）。"
            "config system global で set admintimeout 10（分）以下を設定してください。",
        ),
        (
            "MGMT-004",
            "fgt1.conf:1: fgt1 shows no login banner (config system global: set pre-login-banner enable).",
            "fgt1.conf:1: fgt1 にログイン時のメッセージ（config system global の set pre-login-banner enable）"
            "がありません。",
        ),
        (
            "MGMT-005",
            "fgt1.conf:30: privileged account 'admin' keeps a default or well-known name. Create an administrator "
            "with a personal name and accprofile super_admin under config system admin, then delete 'admin'.",
            "fgt1.conf:30: 特権 ID「admin」が初期設定・推測されやすい名前のままです。config system admin で"
            "個人別の名前の管理者（accprofile super_admin）を作成し、admin を削除してください。",
        ),
        (
            "MGMT-006",
            "fgt1.conf:60: the password of account 'vpn1' is stored with FortiOS reversible encryption (ENC with "
            "the built-in key): anyone with the config can recover it. Give every administrator a password under "
            "config system admin (FortiOS stores it as a hash) and set 'set private-data-encryption enable' under "
            "config system global so that other secrets are encrypted with a key of your own.",
            "fgt1.conf:60: アカウント「vpn1」のパスワードが FortiOS の可逆暗号化（組込み鍵による ENC）で"
            "保存されており、"
            "設定を見た人が復元できます。config system admin ですべての管理者にパスワードを設定し（ハッシュで"
            "保存されます）、config system global で set private-data-encryption enable を設定してその他の"
            "秘密情報を独自の鍵で暗号化してください。",
        ),
        (
            "MGMT-007",
            "fgt1.conf:30: account 'admin' may log in from any address. Set trusthost1 (to trusthost10) of every "
            "administrator under config system admin to the management segment.",
            "fgt1.conf:30: アカウント「admin」はすべての接続元からログインできます。config system admin の"
            "すべての管理者の trusthost1（〜trusthost10）に運用管理セグメントを設定してください。",
        ),
        (
            "MGMT-008",
            "fgt1.conf:40: only one NTP server; configure at least two. Configure two or more servers under "
            "config system ntp ('set type custom', 'config ntpserver').",
            "fgt1.conf:40: NTP サーバーが 1 台だけです。2 台以上設定してください。config system ntp で 2 台以上の"
            "サーバーを設定してください（set type custom、config ntpserver）。",
        ),
        (
            "MGMT-009",
            "fgt1.conf:1: fgt1 sends no logs to a remote log server (no 'config log syslogd setting' or "
            "'config log fortianalyzer setting' with 'set status enable').",
            "fgt1.conf:1: fgt1 はログを外部のログサーバーへ送信していません（config log syslogd setting / "
            "config log fortianalyzer setting の set status enable がありません）。",
        ),
        (
            "MGMT-010",
            "fgt1.conf:50: an SNMP community uses a default, well-known name. Delete the community under config "
            "system snmp community and monitor with SNMPv3 (config system snmp user, 'set security-level "
            "auth-priv').",
            "fgt1.conf:50: SNMP コミュニティ名が既定の（推測されやすい）名前です。config system snmp community から"
            "コミュニティを削除し、監視には SNMPv3（config system snmp user の set security-level auth-priv）を"
            "使ってください。",
        ),
    }


@pytest.mark.usefixtures("fortios_registered")
def test_fortios_logging_switched_off_names_the_setting() -> None:
    built = fortigate()
    status = source("fgt1", 70, "set status disable")
    built.mgmt.logging_hosts.append(HostReference("10.2.99.10", source("fgt1", 71, 'set server "10.2.99.10"')))
    built.mgmt.services.append(ServiceState("logging", False, status))
    assert run(built, "MGMT-009") == {
        (
            "MGMT-009",
            "fgt1.conf:71: log servers are configured but receive nothing: logging is not enabled "
            "(config log syslogd setting: set status enable).",
            "fgt1.conf:71: ログサーバーが設定されていますが、ログは送信されません: ログ出力が有効になっていません"
            "（config log syslogd setting の set status enable）。",
        )
    }


def test_failed_logins_limited_by_default_pass_mgmt_002() -> None:
    built = fortigate()
    assert run(built, "MGMT-002") == set()
    built.mgmt.login_failures_limited_by_default = False
    assert [rule for rule, _, _ in run(built, "MGMT-002")] == ["MGMT-002"]


def test_accounts_restricted_one_by_one_restrict_every_path() -> None:
    """MGMT-007 on a syntax with per-account source restriction: the access paths are not
    reported; an account open to any address is, at its own line."""
    built = fortigate()
    found = run(built, "MGMT-007")
    assert {message.split(":")[1] for _, message, _ in found} == {"30"}
    built.mgmt.users[0] = UserAccount("admin", source("fgt1", 30, 'edit "admin"'), 15, ((0x0A026300, 24),))
    assert run(built, "MGMT-007") == set()
    # Without per-account restriction the same paths are unrestricted.
    built.mgmt.users[:] = [UserAccount("admin", source("fgt1", 30, 'edit "admin"'), 15)]
    assert {message.split(":")[1] for _, message, _ in run(built, "MGMT-007")} == {"20"}


def test_mgmt_011_pass_a_policy_of_8_characters_or_none_recorded() -> None:
    built = fortigate()
    assert run(built, "MGMT-011") == set()  # the syntax records no password policy
    status = source("fgt1", 80, "set status enable")
    built.mgmt.password_policy = PasswordPolicy(True, status, 8, source("fgt1", 81, "set minimum-length 8"))
    assert run(built, "MGMT-011") == set()


@pytest.mark.usefixtures("fortios_registered")
def test_mgmt_011_fail_no_policy_policy_off_or_too_short() -> None:
    built = fortigate()
    built.mgmt.password_policy = PasswordPolicy(False)
    assert run(built, "MGMT-011") == {
        (
            "MGMT-011",
            "fgt1.conf:1: fgt1 enforces no password policy: administrators may choose any password. Set "
            "'set status enable', 'set apply-to admin-password' and 'set minimum-length 8' (or more) under "
            "config system password-policy.",
            "fgt1.conf:1: fgt1 にパスワードポリシーがなく、管理者は任意のパスワードを設定できます。"
            "config system password-policy で set status enable、set apply-to admin-password、"
            "set minimum-length 8（以上）を設定してください。",
        )
    }
    built.mgmt.password_policy = PasswordPolicy(False, source("fgt1", 80, "set status disable"))
    assert [message.split(" Set ")[0] for _, message, _ in run(built, "MGMT-011")] == [
        "fgt1.conf:80: the password policy is turned off: administrators may choose any password."
    ]
    short = PasswordPolicy(True, source("fgt1", 80, "set status enable"), 6, source("fgt1", 81, "set minimum-length 6"))
    built.mgmt.password_policy = short
    assert [message.split(" Set ")[0] for _, message, _ in run(built, "MGMT-011")] == [
        "fgt1.conf:81: the password policy asks for only 6 characters; at least 8 are required."
    ]


def remediation_tables() -> dict[str, dict[str, tuple[str, str]]]:
    tables = {plugin.name: dict(plugin.remediation) for plugin in vendors.PLUGINS}
    tables["fortios"] = dict(FORTIOS_REMEDIATION)
    return tables


@pytest.mark.parametrize("vendor", sorted(remediation_tables()))
def test_every_fix_key_a_plugin_defines_is_one_the_rules_ask_for(vendor: str) -> None:
    table = remediation_tables()[vendor]
    assert table and set(table) <= set(FIX_DEFAULTS), sorted(set(table) - set(FIX_DEFAULTS))
    for key, (english, japanese) in table.items():
        assert english.strip() and japanese.strip(), key
        # A `.fix` text is a sentence of its own; the other shapes sit inside one.
        assert english.endswith(".") == key.endswith(".fix"), key
        assert japanese.endswith("。") == key.endswith(".fix"), key


def test_every_fix_key_is_asked_for_by_a_rule() -> None:
    code = (REPO / "nankoku_netcheck" / "rules" / "device.py").read_text(encoding="utf-8")
    asked = set(re.findall(r'fix_text\(device, "([a-z0-9.-]+)"\)', code))
    asked |= {f"secret.{scheme}" for scheme in ("plaintext", "reversible", "none", "md5", "sha256-unsalted")}
    asked |= {f"logging-switch.{switch}.command" for switch in ("logging", "logging-trap")}
    assert asked == set(FIX_DEFAULTS)


def test_rules_name_no_vendor() -> None:
    """Vendor behaviour comes from the plugins: no rule module compares a vendor name."""
    names = {plugin.name for plugin in vendors.PLUGINS} | {"fortios"}
    for path in sorted((REPO / "nankoku_netcheck" / "rules").glob("*.py")):
        code = path.read_text(encoding="utf-8")
        assert ".vendor ==" not in code and ".vendor !=" not in code, path.name
        for name in names:
            assert f'"{name}"' not in code and f"'{name}'" not in code, (path.name, name)


def test_fortios_remediation_is_data_only() -> None:
    """The FortiOS plugin package comes from another branch: this module must stay importable on its own."""
    folder = Path(vendors.__file__).parent / "fortios"
    code = (folder / "remediation.py").read_text(encoding="utf-8")
    assert re.findall(r"^(?:from|import) \S+", code, re.MULTILINE) == [
        "from __future__",
        "from collections.abc",
        "from types",
    ]
