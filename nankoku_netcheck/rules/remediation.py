"""The fix keys hardening messages quote, with the vendor-neutral wording each falls back to.

A rule never writes a vendor's command itself: it asks the device's plugin for the text of
a fix key (`VendorPlugin.fix`, the plugin's `remediation` mapping, (English, Japanese)) and
uses the default below when the plugin has none, or when no plugin is registered under the
device's vendor name (a device built by hand). Four shapes of text, told by the key's
suffix:

- `.missing`: what the configuration lacks, shown in parentheses after the sentence that
  states the problem ("(no 'logging host')"); the default is empty (no parentheses).
- `.command`: the command that sets what is missing, in parentheses; empty by default.
- `.fix`: a whole sentence appended to the message saying how to fix it; empty by default.
- any other key: a phrase the sentence cannot do without (how a secret is stored, what a
  password is called); the default is neutral wording.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from ..model import Device
from ..vendors import plugin_for

NONE: tuple[str, str] = ("", "")

FIX_DEFAULTS: Mapping[str, tuple[str, str]] = MappingProxyType(
    {
        # MGMT-001: a line that takes unencrypted protocols because nothing restricts them,
        # "'<line>' <text>: the device accepts telnet ... by default" / "「<line>」<text>、既定で…".
        "admin-protocols.unrestricted": ("restricts no protocol", "にプロトコルの制限がなく"),
        "admin-protocols.fix": NONE,
        "login-failure-limit.missing": NONE,  # MGMT-002
        "idle-timeout.fix": NONE,  # MGMT-003
        "login-banner.command": NONE,  # MGMT-004
        "default-admin.fix": NONE,  # MGMT-005
        # MGMT-006: "<credential> <text>." / "<credential><text>。"
        "secret.plaintext": ("is stored in plaintext", "が平文で保存されています"),
        "secret.reversible": (
            "is stored with reversible encryption: anyone with the config can recover it",
            "が可逆暗号化で保存されており、設定を見た人が復元できます",
        ),
        "secret.none": ("has no password at all", "にパスワードがありません"),
        "secret.md5": (
            "is stored as an MD5 hash, which is quick to crack offline",
            "が MD5 ハッシュで保存されており、容易に解読されます",
        ),
        "secret.sha256-unsalted": (
            "is stored as an unsalted SHA-256 hash",
            "がソルトなしの SHA-256 ハッシュで保存されています",
        ),
        "secret.fix": NONE,
        # MGMT-006: what the device's password for privileged mode and its login password are called.
        "credential.enable": ("the privileged-mode password", "特権モードのパスワード"),
        "credential.login": ("the login password", "ログインパスワード"),
        "admin-source.missing": NONE,  # MGMT-007, no restriction at all
        "admin-source.fix": NONE,  # MGMT-007, any address allowed
        "ntp.fix": NONE,  # MGMT-008
        "remote-logging.missing": NONE,  # MGMT-009
        "log-timestamps.command": NONE,  # MGMT-009
        # MGMT-009: a switch the device needs before it sends anything to its log servers
        # (the ServiceState names "logging" and "logging-trap").
        "logging-switch.logging.command": NONE,
        "logging-switch.logging-trap.command": NONE,
        "snmp-community.fix": NONE,  # MGMT-010
        "password-policy.fix": NONE,  # MGMT-011
    }
)


def fix_text(device: Device, key: str) -> tuple[str, str]:
    """(English, Japanese) text of fix `key` for `device`'s vendor, else the neutral default."""
    default = FIX_DEFAULTS[key]
    try:
        plugin = plugin_for(device.vendor)
    except KeyError:
        return default
    return plugin.fix(key, default)


def in_parentheses(text: tuple[str, str]) -> tuple[str, str]:
    """A `.missing` or `.command` text as it follows a sentence: " (…)" / "（…）", or nothing."""
    en, ja = text
    return (f" ({en})" if en else "", f"（{ja}）" if ja else "")


def appended(text: tuple[str, str]) -> tuple[str, str]:
    """A `.fix` sentence as it follows a message: " …" / "…", or nothing."""
    en, ja = text
    return (f" {en}" if en else "", ja)


__all__ = ["FIX_DEFAULTS", "appended", "fix_text", "in_parentheses"]
