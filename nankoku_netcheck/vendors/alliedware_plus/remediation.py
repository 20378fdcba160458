"""AlliedWare Plus command text quoted by the hardening rules, by fix key (rules/remediation.py
says what each key's text is for). (English, Japanese).

Commands as in the AT-x series Command Reference (AlliedWare Plus 5.4/5.5): `no service
telnet`, `no service http`, `service ssh`, `line vty` with `exec-timeout` and `access-class`,
`aaa local authentication attempts max-fail`, `banner motd`, `username ... privilege 15
password`, `ntp server`, `log host`, `snmp-server community`.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

REMEDIATION: Mapping[str, tuple[str, str]] = MappingProxyType(
    {
        "admin-protocols.unrestricted": (
            "leaves the telnet server on (AlliedWare Plus default)",
            "で telnet サーバーが有効なままで（AlliedWare Plus の既定）",
        ),
        "admin-protocols.fix": (
            "Enter 'no service telnet' and 'no service http', and use 'service ssh' for administration.",
            "no service telnet と no service http を設定し、管理には service ssh を使用してください。",
        ),
        "login-failure-limit.missing": (
            "no 'aaa local authentication attempts max-fail'",
            "aaa local authentication attempts max-fail の設定",
        ),
        "idle-timeout.fix": (
            "Set 'exec-timeout 10' (minutes) or less under line vty and line con.",
            "line vty と line con で exec-timeout 10（分）以下を設定してください。",
        ),
        "login-banner.command": ("banner motd", "banner motd"),
        "default-admin.fix": (
            "Create an account with a personal name ('username NAME privilege 15 password ...'), then remove "
            "'manager' with 'no username manager'.",
            "個人別の名前のアカウント（username 名前 privilege 15 password ...）を作成し、"
            "no username manager で manager を削除してください。",
        ),
        "secret.plaintext": (
            "is stored in plaintext (no '8' before the password)",
            "が平文で保存されています（パスワードの前に 8 がありません）",
        ),
        "secret.fix": (
            "Enter the password again with 'username NAME privilege 15 password PASSWORD'; AlliedWare Plus keeps it "
            "as an MD5-crypt hash, so also protect the configuration file and prefer RADIUS/TACACS+ accounts "
            "('aaa authentication login').",
            "username 名前 privilege 15 password パスワード で設定し直してください。AlliedWare Plus は "
            "MD5-crypt ハッシュで保存するため、設定ファイルを保護し、RADIUS/TACACS+ のアカウント"
            "（aaa authentication login）を優先してください。",
        ),
        "admin-source.missing": ("no 'access-class' under line vty", "line vty の access-class"),
        "ntp.fix": ("Add two servers with 'ntp server ADDRESS'.", "ntp server でサーバーを 2 台設定してください。"),
        "remote-logging.missing": ("no 'log host'", "log host の設定"),
    }
)
