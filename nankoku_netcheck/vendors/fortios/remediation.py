"""FortiOS (FortiGate) command text quoted by the hardening rules, by fix key
(rules/remediation.py says what each key's text is for). (English, Japanese).

Commands as in the FortiOS 6.2-7.x CLI reference: `config system global` (admintimeout,
admin-lockout-threshold, admin-telnet, pre-login-banner, private-data-encryption),
`config system interface` (allowaccess), `config system admin` (trusthost1..10, accprofile),
`config system ntp`, `config log syslogd setting` / `config log fortianalyzer setting`,
`config system snmp community` / `config system snmp user`. Failed logins are limited by
default (admin-lockout-threshold 3) and log messages always carry the date and time, so the
keys for those findings are here only for a configuration that turns them off.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

REMEDIATION: Mapping[str, tuple[str, str]] = MappingProxyType(
    {
        "admin-protocols.fix": (
            "Allow only https and ssh in 'set allowaccess' under config system interface (remove telnet and "
            "http) and set 'set admin-telnet disable' under config system global.",
            "config system interface の set allowaccess を https と ssh のみにし（telnet・http を削除）、"
            "config system global で set admin-telnet disable を設定してください。",
        ),
        "login-failure-limit.missing": (
            "no 'set admin-lockout-threshold' under config system global",
            "config system global の set admin-lockout-threshold がありません",
        ),
        "idle-timeout.fix": (
            "Set 'set admintimeout 10' (minutes) or less under config system global.",
            "config system global で set admintimeout 10（分）以下を設定してください。",
        ),
        "login-banner.command": (
            "config system global: set pre-login-banner enable",
            "config system global の set pre-login-banner enable",
        ),
        "default-admin.fix": (
            "Create an administrator with a personal name and accprofile super_admin under config system admin, "
            "then delete 'admin'.",
            "config system admin で個人別の名前の管理者（accprofile super_admin）を作成し、admin を削除してください。",
        ),
        "secret.reversible": (
            "is stored with FortiOS reversible encryption (ENC with the built-in key): anyone with the config can "
            "recover it",
            "が FortiOS の可逆暗号化（組込み鍵による ENC）で保存されており、設定を見た人が復元できます",
        ),
        # One sentence for every finding of a device: an administrator without a password or
        # with a plaintext one needs `set password` (stored as a hash), other secrets the key.
        "secret.fix": (
            "Give every administrator a password under config system admin (FortiOS stores it as a hash) and set "
            "'set private-data-encryption enable' under config system global so that other secrets are encrypted "
            "with a key of your own.",
            "config system admin ですべての管理者にパスワードを設定し（ハッシュで保存されます）、"
            "config system global で set private-data-encryption enable を設定して"
            "その他の秘密情報を独自の鍵で暗号化してください。",
        ),
        "admin-source.missing": (
            "no 'set trusthost1' under config system admin",
            "config system admin の set trusthost1",
        ),
        "admin-source.fix": (
            "Set trusthost1 (to trusthost10) of every administrator under config system admin to the management "
            "segment.",
            "config system admin のすべての管理者の trusthost1（〜trusthost10）に"
            "運用管理セグメントを設定してください。",
        ),
        "ntp.fix": (
            "Configure two or more servers under config system ntp ('set type custom', 'config ntpserver').",
            "config system ntp で 2 台以上のサーバーを設定してください（set type custom、config ntpserver）。",
        ),
        "remote-logging.missing": (
            "no 'config log syslogd setting' or 'config log fortianalyzer setting' with 'set status enable'",
            "config log syslogd setting / config log fortianalyzer setting の set status enable がありません",
        ),
        "logging-switch.logging.command": (
            "config log syslogd setting: set status enable",
            "config log syslogd setting の set status enable",
        ),
        "snmp-community.fix": (
            "Delete the community under config system snmp community and monitor with SNMPv3 "
            "(config system snmp user, 'set security-level auth-priv').",
            "config system snmp community からコミュニティを削除し、監視には SNMPv3（config system snmp user の "
            "set security-level auth-priv）を使ってください。",
        ),
        "password-policy.fix": (
            "Set 'set status enable', 'set apply-to admin-password' and 'set minimum-length 8' (or more) under "
            "config system password-policy.",
            "config system password-policy で set status enable、set apply-to admin-password、"
            "set minimum-length 8（以上）を設定してください。",
        ),
    }
)

__all__ = ["REMEDIATION"]
