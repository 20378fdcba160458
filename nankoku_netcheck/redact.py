"""Secret redaction: config text shown anywhere (reports, logs, errors) goes through here.

`redact(text)` replaces every secret value with `[REDACTED:<kind>]`. It works line by
line without context, so it errs on the side of hiding: a word after `key` or
`password` is hidden even when it was not a secret (`crypto key generate` aside). The
encryption-type digit before a value (`password 7 …`) is kept when it is unambiguous, because
the hardening rules' evidence needs to show which type was used.
"""

from __future__ import annotations

import re

_GAP = r"[ \t]+"
# An encryption-type digit (0, 5, 6, 7, 8, 9 …) in front of a value: only a single digit that is
# followed by another token, and not by a trailing keyword (ASA `password 1 encrypted` has the
# password "1").
_TYPE = r"(?:[0-9]" + _GAP + r"(?=\S)(?!(?:encrypted|nt-encrypted|pbkdf2|ro|rw|privilege|level|address)\b))?"
_VALUE = r"(?P<secret>\S+)"


def _value_pattern(prefix: str) -> re.Pattern[str]:
    return re.compile(r"(?i)" + prefix + _GAP + _TYPE + _VALUE)


# Words after `key` that start a command, not a secret (`crypto key generate rsa`, `key chain X`).
_NOT_A_KEY_VALUE = r"(?:generate|zeroize|import|export|pubkey-chain|storage|chain|config-key|encryption|decrypt)"
# A key number before the value (`message-digest-key 1 md5 X`), only when more tokens follow.
_KEY_NUMBER = r"(?:\d+" + _GAP + r"(?=\S+" + _GAP + r"\S))?"
_KEY_ALGORITHM = r"(?:(?:md5|sha1|sha256|sha384|sha512|hmac-sha\S*|cleartext)" + _GAP + r")?"

# (pattern, kind): each pattern's group "secret" is the value to hide. Order matters: the
# specific forms come before the generic `key …` so that e.g. `message-digest-key 1 md5 7 X`
# hides X and not the key number.
_VALUE_PATTERNS: tuple[tuple[re.Pattern[str], str], ...] = (
    (_value_pattern(r"\benable" + _GAP + r"secret(?:" + _GAP + r"level" + _GAP + r"\d+)?"), "enable-secret"),
    (_value_pattern(r"\benable" + _GAP + r"password(?:" + _GAP + r"level" + _GAP + r"\d+)?"), "enable-password"),
    (_value_pattern(r"\bsecret(?:" + _GAP + r"level" + _GAP + r"\d+)?"), "secret"),
    (_value_pattern(r"\b(?:password|passwd|password-encrypt|passphrase)"), "password"),
    (_value_pattern(r"\bcommunity"), "snmp-community"),
    (re.compile(r"(?i)\bsnmp-server" + _GAP + r"host" + _GAP + r"\S+(?:" + _GAP + r"vrf" + _GAP + r"\S+)?"
                r"(?:" + _GAP + r"(?:informs|traps))?"
                r"(?:" + _GAP + r"version" + _GAP + r"(?:1|2c|3(?:" + _GAP + r"(?:auth|noauth|priv))?))?"
                + _GAP + r"(?!community\b)" + _VALUE), "snmp-community"),
    (re.compile(r"(?i)\b(?:auth|priv)" + _GAP + r"(?:md5|sha\S*|des\S*|aes(?:" + _GAP + r"\d+)?|3des)"
                + _GAP + _VALUE), "snmp-key"),
    (_value_pattern(r"\bpre-shared-key(?!" + _GAP + r"(?:address|hostname)\b)(?:" + _GAP + r"(?:local|remote))?"),
     "pre-shared-key"),
    (_value_pattern(r"\bkey-string"), "key-string"),
    (_value_pattern(r"\bwpa-psk" + _GAP + r"(?:ascii|hex)"), "wpa-psk"),
    (_value_pattern(r"\b(?:standby|vrrp|glbp)(?:" + _GAP + r"\d+)?" + _GAP + r"authentication(?!"
                    + _GAP + r"md5\b)(?:" + _GAP + r"text)?"), "routing-key"),
    (_value_pattern(r"\bnhrp" + _GAP + r"authentication"), "routing-key"),
    # `key` as a word (also the end of `authentication-key`, `server-key`, `isakmp key` …), with
    # an optional key number and algorithm before the value.
    (re.compile(r"(?i)(?<!pre-shared-)(?<!config-)\bkey(?!" + _GAP + _NOT_A_KEY_VALUE + r"\b)" + _GAP
                + _KEY_NUMBER + _KEY_ALGORITHM + _TYPE + _VALUE), "key"),
)

# Crypt-style hashes ($1$, $5$, $6$, $8$, $9$, $14$ …) wherever they stand.
_HASH = re.compile(r"\$(?:1|5|6|8|9|14|sha512|y)\$[./A-Za-z0-9$]+")
# Private key armour, and lines that are one long base64 token (the body of a PEM block).
_PEM_ARMOUR = re.compile(r"(?im)^[ \t]*-----(?:BEGIN|END)[ A-Z0-9]*PRIVATE KEY-----[ \t]*$")
_BASE64_LINE = re.compile(r"(?m)^(?P<indent>[ \t]*)(?P<token>[A-Za-z0-9+/]{16,}={0,2})[ \t]*$")
# The same material quoted inside a message ("unrecognised command 'MIIEow…'"): long tokens only.
_BASE64_TOKEN = re.compile(r"(?<![A-Za-z0-9+/=])[A-Za-z0-9+/]{40,}={0,2}(?![A-Za-z0-9+/=])")
# A line holding only an interface name (GigabitEthernet0/1) is not key material.
_INTERFACE_NAME = re.compile(r"[A-Za-z-]+[0-9]+(?:/[0-9]+)*(?:\.[0-9]+)?")

# Words before `key` that say which kind of key it is.
_KEY_CONTEXT = (
    ("tacacs", "tacacs-key"),
    ("radius", "radius-key"),
    ("isakmp", "pre-shared-key"),
    ("pre-shared", "pre-shared-key"),
    ("ospf", "routing-key"),
    ("message-digest", "routing-key"),
    ("isis", "routing-key"),
    ("eigrp", "routing-key"),
    ("bgp", "routing-key"),
    ("rip", "routing-key"),
    ("ntp", "ntp-key"),
)

_MARK = "[REDACTED:"


# Every pattern above needs one of these somewhere in the text (the PEM armour says KEY, a
# base64 line or token is a run of 16+ such characters). Most config lines hold none, and
# the reports of a large city quote hundreds of thousands of lines: they skip the patterns.
_MAY_HOLD_A_SECRET = re.compile(r"(?i)secret|passw|passphrase|community|snmp|auth|priv|key|wpa|\$|[A-Za-z0-9+/]{16}")


def redact(text: str) -> str:
    """Replace every secret value in config text (one line or several) with [REDACTED:<kind>]."""
    if not _MAY_HOLD_A_SECRET.search(text):
        return text
    return redact_every_pattern(text)


# A fragment of the user's input quoted inside one of the tool's messages: 'text' or 「text」.
_QUOTED = re.compile(r"(?P<open>'|「)(?P<inner>[^'」\n]*)(?P<close>'|」)")


def redact_quoted(message: str) -> str:
    """`redact` applied only to the quoted fragments of a message (input errors quote the
    offending input between quotes); the message's own words are never changed."""
    return _QUOTED.sub(lambda m: m.group("open") + redact(m.group("inner")) + m.group("close"), message)


def redact_every_pattern(text: str) -> str:
    """`redact` without the shortcut (the tests check that the shortcut changes nothing)."""
    text = _PEM_ARMOUR.sub(lambda _m: "[REDACTED:private-key]", text)
    text = _BASE64_LINE.sub(_redact_base64_line, text)
    text = _BASE64_TOKEN.sub(_redact_base64_token, text)
    for pattern, kind in _VALUE_PATTERNS:
        text = pattern.sub(lambda m, kind=kind: _replace(m, kind), text)
    return _HASH.sub("[REDACTED:hash]", text)


def _redact_base64_line(match: re.Match[str]) -> str:
    token = match.group("token")
    if _INTERFACE_NAME.fullmatch(token):
        return match.group(0)
    looks_encoded = (any(c.isupper() for c in token) and any(c.islower() for c in token)
                     and any(c.isdigit() for c in token)) or token.endswith("=")
    return match.group("indent") + "[REDACTED:private-key]" if looks_encoded else match.group(0)


def _redact_base64_token(match: re.Match[str]) -> str:
    token = match.group(0)
    # a long path (/srv/configs/…) is not key material: base64 has few slashes
    encoded = (token.count("/") <= 3 and any(c.isupper() for c in token) and any(c.islower() for c in token)
               and any(c.isdigit() for c in token))
    return "[REDACTED:private-key]" if encoded else token


def _replace(match: re.Match[str], kind: str) -> str:
    whole = match.group(0)
    if match.group("secret").startswith(_MARK):
        return whole
    start = match.start("secret") - match.start(0)
    end = match.end("secret") - match.start(0)
    if kind == "key":
        kind = _key_kind(match.string[: match.start(0)] + whole[:start])
    return whole[:start] + f"{_MARK}{kind}]" + whole[end:]


def _key_kind(before: str) -> str:
    line = before.rsplit("\n", 1)[-1].lower()
    for word, kind in _KEY_CONTEXT:
        if word in line:
            return kind
    return "key"
