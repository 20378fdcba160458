"""Cisco IOS command text quoted by the hardening rules, by fix key (rules/remediation.py
says what each key's text is for). (English, Japanese)."""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

# Shared with the ASA plugin, which has the same commands.
LOGIN_FAILURE_LIMIT = (
    "no 'login block-for' or 'aaa local authentication attempts max-fail'",
    "login block-for / aaa local authentication attempts max-fail がありません",
)
LOGIN_BANNER = ("banner motd / banner login", "banner motd / banner login")
ENABLE_PASSWORD = ("the enable password", "enable パスワード")
REVERSIBLE = (
    "is stored with reversible encryption (e.g. Cisco type 7): anyone with the config can recover it",
    "が可逆暗号化（Cisco type 7 等）で保存されており、設定を見た人が復元できます",
)
SHA256_UNSALTED = (
    "is stored as an unsalted SHA-256 hash (type 4, withdrawn by Cisco)",
    "がソルトなしの SHA-256（type 4、Cisco が廃止）で保存されています",
)
NO_ACCESS_CLASS = ("no access-class", "access-class")
NO_LOGGING_HOST = ("no 'logging host'", "logging host がありません")

REMEDIATION: Mapping[str, tuple[str, str]] = MappingProxyType(
    {
        "admin-protocols.unrestricted": ("has no 'transport input'", "に transport input の指定がなく"),
        "login-failure-limit.missing": LOGIN_FAILURE_LIMIT,
        "login-banner.command": LOGIN_BANNER,
        "secret.reversible": REVERSIBLE,
        "secret.md5": (
            "is stored as an MD5 hash (type 5), which is quick to crack offline",
            "が MD5 ハッシュ（type 5）で保存されており、容易に解読されます",
        ),
        "secret.sha256-unsalted": SHA256_UNSALTED,
        "credential.enable": ENABLE_PASSWORD,
        "admin-source.missing": NO_ACCESS_CLASS,
        "remote-logging.missing": NO_LOGGING_HOST,
        "log-timestamps.command": ("service timestamps log datetime", "service timestamps log datetime"),
    }
)

__all__ = ["REMEDIATION"]
