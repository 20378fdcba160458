"""Cisco ASA command text quoted by the hardening rules, by fix key (rules/remediation.py
says what each key's text is for). (English, Japanese)."""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from nankoku_netcheck.vendors.cisco_ios import remediation as ios

REMEDIATION: Mapping[str, tuple[str, str]] = MappingProxyType(
    {
        "login-failure-limit.missing": ios.LOGIN_FAILURE_LIMIT,
        "login-banner.command": ios.LOGIN_BANNER,
        # `encrypted` (and `nt-encrypted`) are MD5/MD4-based and have no IOS type number.
        "secret.md5": (
            "is stored with the ASA 'encrypted' (MD5-based) hash, which is quick to crack offline; use 'pbkdf2'",
            "が ASA の encrypted（MD5 ベース）ハッシュで保存されており、容易に解読されます"
            "（pbkdf2 を使用してください）",
        ),
        # An empty password is stored as a hash too: it exists, it is empty.
        "secret.none": ("is empty", "が空です"),
        "secret.reversible": ios.REVERSIBLE,
        "secret.sha256-unsalted": ios.SHA256_UNSALTED,
        "credential.enable": ios.ENABLE_PASSWORD,
        "credential.login": ("the login password (passwd)", "ログインパスワード（passwd）"),
        "admin-source.missing": ios.NO_ACCESS_CLASS,
        "remote-logging.missing": ios.NO_LOGGING_HOST,
        "log-timestamps.command": ("logging timestamp", "logging timestamp"),
        "logging-switch.logging.command": ("logging enable", "logging enable"),
        "logging-switch.logging-trap.command": ("logging trap", "logging trap"),
    }
)

__all__ = ["REMEDIATION"]
