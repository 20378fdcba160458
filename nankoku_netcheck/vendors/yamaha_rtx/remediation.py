"""YAMAHA RTX command text quoted by the hardening rules, by fix key (rules/remediation.py
says what each key's text is for). (English, Japanese). Commands as in the RTX command
reference: `telnetd service off`, `sshd service on`, `sshd host`, `httpd host`,
`login password encrypted`, `administrator password encrypted`, `ntpdate`, `syslog host`,
`snmp community`."""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

REMEDIATION: Mapping[str, tuple[str, str]] = MappingProxyType(
    {
        "admin-protocols.fix": (
            "Run 'telnetd service off' and 'sshd service on', and limit management with 'sshd host lanN' "
            "and 'httpd host none' (or only the management LAN).",
            "telnetd service off と sshd service on を設定し、sshd host lanN・httpd host none"
            "（または管理用 LAN のみ）で管理アクセスを限定してください。",
        ),
    }
)
