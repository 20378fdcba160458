"""NEC UNIVERGE IX command text quoted by the hardening rules, by fix key
(rules/remediation.py says what each key's text is for). (English, Japanese).
Commands as in the IX configuration guide: `no telnet-server ip enable`, `no http-server ip
enable`, `ssh-server ip enable`, `username NAME password plain SECRET administrator`,
`ntp server ADDRESS`, `logging host ADDRESS`, `snmp-agent ip community NAME`.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

REMEDIATION: Mapping[str, tuple[str, str]] = MappingProxyType(
    {
        "admin-protocols.fix": (
            "Enter 'no telnet-server ip enable' and 'no http-server ip enable', and administer over "
            "'ssh-server ip enable'.",
            "no telnet-server ip enable と no http-server ip enable を設定し、"
            "ssh-server ip enable で SSH から管理してください。",
        ),
        "default-admin.fix": (
            "Create an administrator with a personal name ('username NAME password plain SECRET administrator'), "
            "then remove the 'admin' account with 'no username admin'.",
            "個人別の名前の管理者（username 名前 password plain パスワード administrator）を作成し、"
            "no username admin で admin を削除してください。",
        ),
        "ntp.fix": (
            "Add at least two 'ntp server ADDRESS' lines.",
            "ntp server アドレス を 2 行以上設定してください。",
        ),
        "snmp-community.fix": (
            "Replace the community with 'no snmp-agent ip community NAME' and a hard-to-guess "
            "'snmp-agent ip community NAME' (read-only).",
            "no snmp-agent ip community 名前 で削除し、推測されにくい名前で snmp-agent ip community を"
            "（読み取り専用で）設定し直してください。",
        ),
        "secret.fix": (
            "Re-enter every password with 'username NAME password plain SECRET' so that the IX stores it as "
            "'password hash'.",
            "username 名前 password plain パスワード で再設定し、IX が password hash で保存するようにしてください。",
        ),
    }
)
