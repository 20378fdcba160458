"""Secret redaction: config text shown anywhere (reports, logs, errors) goes through here."""

from __future__ import annotations

import re

# (pattern, kind). Each pattern captures the secret value in group "secret".
_PATTERNS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"(?i)\b(?:enable\s+)?secret\s+(?:\d+\s+)?(?P<secret>\S+)"), "secret"),
    (re.compile(r"(?i)\bpassword\s+(?:\d+\s+)?(?P<secret>\S+)"), "password"),
    (re.compile(r"(?i)\bsnmp-server\s+community\s+(?P<secret>\S+)"), "snmp-community"),
    (re.compile(r"(?i)\b(?:auth|priv)\s+(?:md5|sha\S*|des\S*|aes(?:\s+\d+)?|3des)\s+(?P<secret>\S+)"), "snmp-key"),
    (re.compile(r"(?i)\b(?:pre-shared-key|key-string|ikev[12]\s+\S+-authentication\s+pre-shared-key)"
                r"\s+(?:\d+\s+)?(?P<secret>\S+)"), "key"),
    (re.compile(r"(?i)\b(?:crypto\s+isakmp\s+key|tacacs-server\s+key|radius-server\s+key|server-private\s+\S+\s+key"
                r"|message-digest-key\s+\d+\s+md5|authentication-key|\bkey)\s+(?:\d+\s+)?(?P<secret>\S+)"), "key"),
)


def redact(text: str) -> str:
    """Replace every secret value in a config line with [REDACTED:<kind>]."""
    for pattern, kind in _PATTERNS:
        text = pattern.sub(lambda m, kind=kind: _replace(m, kind), text)
    return text


def _replace(match: re.Match[str], kind: str) -> str:
    whole = match.group(0)
    start = match.start("secret") - match.start(0)
    end = match.end("secret") - match.start(0)
    if whole[start:end].startswith("[REDACTED"):
        return whole
    return whole[:start] + f"[REDACTED:{kind}]" + whole[end:]
