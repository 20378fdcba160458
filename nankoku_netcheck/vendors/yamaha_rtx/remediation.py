"""YAMAHA RTX command text quoted by the hardening rules, by fix key (rules/remediation.py
says what each key's text is for). (English, Japanese).

Commands as in the RTX command reference: `telnetd service`, `telnetd host`, `sshd service`,
`sshd host`, `httpd host`, `login password encrypted`, `administrator password encrypted`,
`schedule at ... ntpdate` (the RTX sets its clock by running `ntpdate` from a schedule),
`syslog host`, `snmp community` / `snmpv3`. The RTX has no login banner command and no
failed-login lockout setting in the commands read here, so those keys fall back to the
neutral wording.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

REMEDIATION: Mapping[str, tuple[str, str]] = MappingProxyType(
    {
        "admin-protocols.unrestricted": (
            "comes with no 'telnetd service off'",
            "の後に telnetd service off がなく",
        ),
        "admin-protocols.fix": (
            "Set 'telnetd service off' and 'sshd service on', and limit the web GUI with 'httpd host' "
            "(or 'httpd host none').",
            "telnetd service off と sshd service on を設定し、Web GUI は httpd host で限定してください"
            "（使わない場合は httpd host none）。",
        ),
        "secret.fix": (
            "Set the passwords with 'login password encrypted', 'administrator password encrypted' and "
            "'login user NAME encrypted' so that the config holds no plaintext.",
            "login password encrypted・administrator password encrypted・login user 名前 encrypted で"
            "パスワードを設定し、設定に平文を残さないでください。",
        ),
        "credential.enable": ("the administrator password", "管理パスワード（administrator password）"),
        "credential.login": ("the login password", "ログインパスワード（login password）"),
        "admin-source.missing": (
            "no 'telnetd host' / 'sshd host' / 'httpd host' listing addresses",
            "telnetd host・sshd host・httpd host によるアドレスの指定",
        ),
        "admin-source.fix": (
            "List only the management addresses on 'sshd host' and 'httpd host' "
            "(e.g. 'sshd host 192.168.100.10-192.168.100.20').",
            "sshd host・httpd host に運用管理端末のアドレスだけを指定してください"
            "（例: sshd host 192.168.100.10-192.168.100.20）。",
        ),
        "ntp.fix": (
            "Synchronise with two or more servers: 'schedule at 1 */* 00:00 * ntpdate ADDRESS' for each.",
            "2 台以上のサーバーと同期してください（サーバーごとに schedule at 1 */* 00:00 * ntpdate アドレス）。",
        ),
        "remote-logging.missing": ("no 'syslog host'", "syslog host の設定がありません"),
        "snmp-community.fix": (
            "Remove 'snmp community read-write' / 'snmpv2c community' and monitor with SNMPv3 "
            "('snmpv3 usm user' with authentication and privacy).",
            "snmp community read-write・snmpv2c community を削除し、監視には SNMPv3"
            "（認証・暗号化付きの snmpv3 usm user）を使ってください。",
        ),
    }
)

__all__ = ["REMEDIATION"]
