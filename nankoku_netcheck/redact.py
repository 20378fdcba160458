"""Secret redaction: config text shown anywhere (reports, logs, errors) goes through here.

`redact(text)` replaces every secret value with `[REDACTED:<kind>]`. It works line by
line without context, so it errs on the side of hiding: a word after `key` or
`password` is hidden even when it was not a secret (`crypto key generate` aside). The
encryption-type digit before a value (`password 7 …`) is kept when it is unambiguous, because
the hardening rules' evidence needs to show which type was used.

A value runs to the end of the line: IOS passwords may hold spaces ("Spaces are also valid
password characters … trailing spaces are recognized", Cisco IOS configuration fundamentals),
RADIUS and TACACS+ keys must be the last item and may hold spaces. Only keywords that a command's
syntax documents after the value stay visible (ASA `pbkdf2|encrypted [privilege N]`, `ntp
authentication-key … KEY 7`, `crypto isakmp key KEY address …`, `authentication key eigrp AS KEY
key-id N`, IS-IS `level-2`, `authenticate snp …`, `store-local`, `nointeractive`); anything else
after a value is hidden with it. The few forms whose value is a single word followed by more
syntax (SNMP communities and v3 keys) hide one word. URL userinfo (`scheme://user:PASSWORD@host`)
is hidden in any line, and OSPFv3 IPsec lines hide every word after the SPI that is not one of
their keywords.
"""

from __future__ import annotations

import functools
import re

_GAP = r"[ \t]+"
# An encryption-type digit (0, 5, 6, 7, 8, 9 …) in front of a value: only a single digit that is
# followed by another token, and not by a trailing keyword (ASA `password 1 encrypted` has the
# password "1").
_TYPE = r"(?:[0-9]" + _GAP + r"(?=\S)(?!(?:encrypted|nt-encrypted|pbkdf2|ro|rw|privilege|level|address)\b))?"
_VALUE = r"(?P<secret>\S+)"
# A value that may hold spaces (IOS: "Spaces are also valid password characters … trailing spaces
# are recognized"; RADIUS/TACACS+ keys: the key is the last item and spaces within it are used):
# everything to the end of the line, up to the trailing keywords the command's syntax puts after
# the value. Anything the syntax does not document as trailing stays hidden.
_REST = r"(?P<secret>\S+(?:[ \t]+\S+)*?)"


def _tail(*keywords: str) -> str:
    """Lookahead for the end of the line, optionally after one of the documented trailing keywords."""
    after = "|".join(keywords)
    return r"(?=" + (r"(?:" + _GAP + r"(?:" + after + r"))?" if keywords else "") + r"[ \t]*$)"


def _value_pattern(prefix: str) -> re.Pattern[str]:
    return re.compile(r"(?i)" + prefix + _GAP + _TYPE + _VALUE)


def _rest_pattern(prefix: str, *tail: str) -> re.Pattern[str]:
    return re.compile(r"(?im)" + prefix + _GAP + _TYPE + _REST + _tail(*tail))


# Words after `key` that start a command, not a secret (`crypto key generate rsa`, `key chain X`,
# ASA `authentication key eigrp 1 …` whose value the specific pattern hides).
_NOT_A_KEY_VALUE = (
    r"(?:generate|zeroize|import|export|pubkey-chain|storage|chain|config-key|encryption|decrypt"
    r"|eigrp)"
)
# A key number before the value (`message-digest-key 1 md5 X`), only when more tokens follow.
_KEY_NUMBER = r"(?:\d+" + _GAP + r"(?=\S+" + _GAP + r"\S))?"
_KEY_ALGORITHM = r"(?:(?:md5|sha1|sha256|sha384|sha512|hmac-sha\S*|cleartext|hex)" + _GAP + r")?"
# Trailing keywords of the password forms: ASA `username u password P pbkdf2 privilege 15`,
# `enable password P [level N] encrypted`, `vpdn username u password P store-local`, IS-IS
# `area-password P authenticate snp validate`, `isis password P level-2`.
_PASSWORD_TAIL = (
    r"(?:level"
    + _GAP
    + r"\d+"
    + _GAP
    + r")?(?:encrypted|pbkdf2|nt-encrypted|mschap)(?:"
    + _GAP
    + r"privilege"
    + _GAP
    + r"\d+)?",
    r"store-local",
    r"level-[12]",
    r"authenticate" + _GAP + r"snp(?:" + _GAP + r"(?:validate|send-only))?",
)

# (pattern, kind): each pattern's group "secret" is the value to hide. Order matters: the
# specific forms come before the generic `key …` so that e.g. `message-digest-key 1 md5 7 X`
# hides X and not the key number.
_VALUE_PATTERNS: tuple[tuple[re.Pattern[str], str], ...] = (
    # userinfo of any URL (`archive path ftp://user:pass@host/…`, kron, call-home)
    (re.compile(r"(?i)\b[a-z][a-z0-9+.-]*://[^\s:/@]*:(?P<secret>\S*)@"), "url-password"),
    # FortiOS `set psksecret ENC …`, `set auth-pwd …`, `set secondary-secret …`, `set passwd …`: any
    # `set` key ending in a secret word; `ENC` (how FortiOS marks a stored secret) stays visible.
    (
        re.compile(
            r"(?im)^[ \t]*set[ \t]+[\w-]*(?:secret|psk|pwd|passwd|password|passphrase)[ \t]+(?:ENC[ \t]+)?"
            r"(?P<secret>\S(?:.*\S)?)[ \t]*$"
        ),
        "password",
    ),
    (_rest_pattern(r"\benable" + _GAP + r"secret(?:" + _GAP + r"level" + _GAP + r"\d+)?"), "enable-secret"),
    (
        _rest_pattern(r"\benable" + _GAP + r"password(?:" + _GAP + r"level" + _GAP + r"\d+)?", *_PASSWORD_TAIL),
        "enable-password",
    ),
    (_rest_pattern(r"\bsecret(?:" + _GAP + r"level" + _GAP + r"\d+)?"), "secret"),
    # `ip msdp password peer X [type] VALUE`: the peer comes between the keyword and the value
    (_rest_pattern(r"\bpassword" + _GAP + r"peer" + _GAP + r"\S+"), "password"),
    (
        _rest_pattern(
            r"\b(?:password(?!" + _GAP + r"(?:peer|encryption|level)\b)|passwd|password-encrypt(?:ion)?|passphrase"
            r"|radius-common-pw)",
            *_PASSWORD_TAIL,
        ),
        "password",
    ),
    # ASA `crypto ca import TP pkcs12 PASSPHRASE [nointeractive]`
    (_rest_pattern(r"\bpkcs12", r"nointeractive"), "password"),
    # `community NAME`, and `community read-only|read-write NAME` where the access comes first
    (_value_pattern(r"\bcommunity(?:" + _GAP + r"(?:read-only|read-write)(?=" + _GAP + r"\S))?"), "snmp-community"),
    # `login user NAME [encrypted] PASSWORD`: the password follows the account name
    (
        re.compile(
            r"(?im)^[ \t]*login" + _GAP + r"user" + _GAP + r"\S+" + _GAP + r"(?:encrypted" + _GAP + r")?" + _VALUE
        ),
        "password",
    ),
    # PPP and L2TP authentication: `pp auth myname|username NAME PASSWORD`, `l2tp tunnel auth on SECRET`
    (re.compile(r"(?i)\bauth" + _GAP + r"(?:myname|username)" + _GAP + r"\S+" + _GAP + _VALUE), "password"),
    (re.compile(r"(?i)\btunnel" + _GAP + r"auth" + _GAP + r"on" + _GAP + _VALUE), "password"),
    (
        re.compile(
            # ASA names the interface before the address (`snmp-server host inside 10.1.99.50 …`)
            r"(?i)\bsnmp-server" + _GAP + r"host" + _GAP + r"(?:[A-Za-z][\w.-]*" + _GAP + r"(?=\d))?\S+"
            r"(?:" + _GAP + r"vrf" + _GAP + r"\S+)?"
            r"(?:" + _GAP + r"(?:informs|traps))?"
            r"(?:"
            + _GAP
            + r"version"
            + _GAP
            + r"(?:1|2c|3(?:"
            + _GAP
            + r"(?:auth|noauth|priv))?))?"
            + _GAP
            + r"(?!community\b)(?!\S+"
            + _GAP
            + r"community\b)"
            + _VALUE
        ),
        "snmp-community",
    ),
    (
        re.compile(
            r"(?i)\b(?:auth|priv)" + _GAP + r"(?:md5|sha\S*|des\S*|aes(?:" + _GAP + r"\d+)?|3des)" + _GAP + _VALUE
        ),
        "snmp-key",
    ),
    (
        _rest_pattern(r"\bpre-shared-key(?!" + _GAP + r"(?:address|hostname)\b)(?:" + _GAP + r"(?:local|remote))?"),
        "pre-shared-key",
    ),
    (_rest_pattern(r"\bkey-string"), "key-string"),
    (_rest_pattern(r"\bwpa-psk" + _GAP + r"(?:ascii|hex)"), "wpa-psk"),
    (
        _rest_pattern(
            r"\b(?:standby|vrrp|glbp)(?:"
            + _GAP
            + r"\d+)?"
            + _GAP
            + r"authentication(?!"
            + _GAP
            + r"md5\b)(?:"
            + _GAP
            + r"text)?"
        ),
        "routing-key",
    ),
    (_rest_pattern(r"\bnhrp" + _GAP + r"authentication"), "routing-key"),
    # named EIGRP `authentication mode hmac-sha-256 [0|7] PASSWORD`
    (_rest_pattern(r"\bauthentication" + _GAP + r"mode" + _GAP + r"hmac-sha-256"), "routing-key"),
    # ASA `authentication key eigrp AS KEY key-id N`
    (
        _rest_pattern(r"\bauthentication" + _GAP + r"key" + _GAP + r"eigrp" + _GAP + r"\d+", r"key-id" + _GAP + r"\d+"),
        "routing-key",
    ),
    # ASA `failover key [hex] KEY`
    (_rest_pattern(r"\bfailover" + _GAP + r"key(?:" + _GAP + r"hex)?"), "failover-key"),
    # `ntp authentication-key N md5 KEY [7]`: IOS writes the encryption type after the value
    (_rest_pattern(r"\bntp" + _GAP + r"authentication-key" + _GAP + r"\d+" + _GAP + r"\S+", r"\d"), "ntp-key"),
    # `crypto isakmp key [0|6] KEY {address IP [MASK] | hostname NAME} [no-xauth]` (also ASA/PIX `isakmp key`)
    (_rest_pattern(r"\bisakmp" + _GAP + r"key", r"(?:address|hostname)\b.*"), "pre-shared-key"),
    # ASA `aaa-server TAG [(IF)] host ADDRESS [KEY] [timeout N]`: the key without its keyword
    (
        _rest_pattern(
            r"\baaa-server"
            + _GAP
            + r"\S+(?:"
            + _GAP
            + r"\(\S+\))?"
            + _GAP
            + r"host"
            + _GAP
            + r"\S+(?!"
            + _GAP
            + r"(?:key|timeout)\b)",
            r"timeout" + _GAP + r"\d+",
        ),
        "key",
    ),
    # `key` as a word (also the end of `authentication-key`, `server-key`, `pac key` …), with
    # an optional key number and algorithm before the value; the value runs to the end of the line
    # (RADIUS and TACACS+ keys may hold spaces and must be the last item).
    (
        re.compile(
            r"(?im)(?<!pre-shared-)(?<!config-)\bkey(?!"
            + _GAP
            + _NOT_A_KEY_VALUE
            + r"\b)"
            + _GAP
            + _KEY_NUMBER
            + _KEY_ALGORITHM
            + _TYPE
            + _REST
            + _tail()
        ),
        "key",
    ),
)

# OSPFv3 / IPv6 OSPF IPsec: `… ipsec spi N md5|sha1 [0|7] KEY` and `… encryption ipsec spi N esp
# {null | ALG [SIZE] [0|7] KEY} md5|sha1 [0|7] KEY`. Every word after the SPI that is not one of
# the syntax's keywords is key material.
_IPSEC_SPI = re.compile(r"(?im)\bipsec" + _GAP + r"spi" + _GAP + r"\S+(?P<rest>[^\n]*)")
_IPSEC_WORDS = frozenset({"md5", "sha1", "esp", "null", "des", "3des", "aes-cbc", "128", "192", "256", "0", "7"})
_IPSEC_TOKEN = re.compile(r"\S+")

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
_SECRET_WORDS = (
    "secret",
    "passw",
    "passphrase",
    "community",
    "snmp",
    "auth",
    "priv",
    "key",
    "wpa",
    "psk",
    "pwd",
    "pkcs12",
    "ipsec",
    "aaa-server",
    "://",
    "$",
)
_SECRET_SHAPES = r"-pw\b|login[ \t]+user|[A-Za-z0-9+/]{16}"
_MAY_HOLD_A_SECRET = re.compile("(?i)" + "|".join(re.escape(word) for word in _SECRET_WORDS) + "|" + _SECRET_SHAPES)
_SECRET_SHAPES_PATTERN = re.compile(_SECRET_SHAPES)


def redact(text: str) -> str:
    """Replace every secret value in config text (one line or several) with [REDACTED:<kind>]."""
    if not may_hold_a_secret(text):
        return text
    return redact_every_pattern(text)


def may_hold_a_secret(text: str) -> bool:
    """`_MAY_HOLD_A_SECRET` finds something in `text`. On ASCII text the words are looked
    for in the lowered text with `in`: the engine tries the whole alternation at every
    position (over 0.1 ms on a long ACL line, and a report redacts tens of thousands). Other
    text goes to the pattern, whose case-insensitive match also folds a few non-ASCII letters
    (the Kelvin sign, the long s) onto ASCII ones."""
    if not text.isascii():
        return _MAY_HOLD_A_SECRET.search(text) is not None
    lowered = text.lower()
    return any(word in lowered for word in _SECRET_WORDS) or _SECRET_SHAPES_PATTERN.search(lowered) is not None


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
        text = pattern.sub(functools.partial(_replace, kind=kind), text)
    text = _IPSEC_SPI.sub(_redact_ipsec, text)
    return _HASH.sub("[REDACTED:hash]", text)


def _redact_base64_line(match: re.Match[str]) -> str:
    token = match.group("token")
    if _INTERFACE_NAME.fullmatch(token):
        return match.group(0)
    looks_encoded = (
        any(c.isupper() for c in token) and any(c.islower() for c in token) and any(c.isdigit() for c in token)
    ) or token.endswith("=")
    return match.group("indent") + "[REDACTED:private-key]" if looks_encoded else match.group(0)


def _redact_base64_token(match: re.Match[str]) -> str:
    token = match.group(0)
    # a long path (/srv/configs/…) is not key material: base64 has few slashes
    encoded = (
        token.count("/") <= 3
        and any(c.isupper() for c in token)
        and any(c.islower() for c in token)
        and any(c.isdigit() for c in token)
    )
    return "[REDACTED:private-key]" if encoded else token


def _redact_ipsec(match: re.Match[str]) -> str:
    rest = _IPSEC_TOKEN.sub(
        lambda m: (
            m.group(0)
            if m.group(0).lower() in _IPSEC_WORDS or m.group(0).startswith(_MARK)
            else "[REDACTED:routing-key]"
        ),
        match.group("rest"),
    )
    return match.group(0)[: match.start("rest") - match.start(0)] + rest


def _replace(match: re.Match[str], kind: str) -> str:
    whole = match.group(0)
    if match.group("secret").startswith(_MARK):
        return whole
    start = match.start("secret") - match.start(0)
    end = match.end("secret") - match.start(0)
    if kind == "key":
        before = match.string[: match.start(0)] + whole[:start]
        if _KEY_ID_ONLY.search(before.rsplit("\n", 1)[-1]):
            return whole
        kind = _key_kind(before)
    return whole[:start] + f"{_MARK}{kind}]" + whole[end:]


# `ntp server|peer|multicast|broadcast … key N` names a key by its number (the key itself is on
# an `ntp authentication-key` line): nothing after `key` there is secret.
_KEY_ID_ONLY = re.compile(r"(?i)^\s*ntp\s+(?:server|peer|multicast|broadcast)\b")


def _key_kind(before: str) -> str:
    line = before.rsplit("\n", 1)[-1].lower()
    for word, kind in _KEY_CONTEXT:
        if word in line:
            return kind
    return "key"
