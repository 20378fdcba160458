"""ASA management access: `ssh|telnet|http` source lines, `http server`, session
timeouts (with the ASA defaults), banners, `enable`/`username`/`passwd` credentials."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from nankoku_netcheck.model import (
    Banner,
    Credential,
    RemoteAccess,
    SessionLine,
    Source,
    UserAccount,
    ip_to_int,
    is_decimal,
    mask_to_length,
)
from nankoku_netcheck.vendors.cisco_asa.mgmt_book import MgmtBook, Switch
from nankoku_netcheck.vendors.common import (
    is_ipv4,
    looks_like_ipv6,
    record_user,
)

# The ASA's stored form of an empty enable / login password (`enable password … encrypted`).
EMPTY_PASSWORD_HASH = "8Ry2YjIyt7RRXU24"

CONSOLE_DEFAULT_IDLE_TIMEOUT: int | None = None  # never
SSH_DEFAULT_IDLE_TIMEOUT = 5 * 60
TELNET_DEFAULT_IDLE_TIMEOUT = 5 * 60
ASDM_DEFAULT_IDLE_TIMEOUT = 20 * 60
ASDM_SESSION_NAME = "ASDM (http server)"

# Password keywords after the value and the storage scheme each one means.
_PASSWORD_FORMS = {"encrypted": "md5", "nt-encrypted": "md5", "pbkdf2": "pbkdf2"}


@dataclass
class _Access:
    """One `ssh|telnet|http` source line."""

    protocol: str
    source: Source
    allowed_from: tuple[tuple[int, int], ...]
    interface: str


class AccessReader:
    """Remote management access (`ssh|telnet|http` sources, `http server`), session
    timeouts, banners and accounts and their passwords."""

    def __init__(self, book: MgmtBook) -> None:
        self.book = book
        self.users: dict[str, UserAccount] = {}
        self.access: list[_Access] = []
        self.timeouts: dict[str, tuple[int, Source]] = {}  # console | ssh | telnet | asdm → seconds
        self.http_server = Switch()
        self.banner_kinds: set[str] = set()

    def timeout(self, what: str, index: int, word: str) -> None:
        if is_decimal(word):
            self.timeouts[what] = (int(word) * 60, self.book.source(index))

    def remote_command(self, index: int, words: list[str], lowered: list[str]) -> None:
        """`ssh|telnet|http ADDR MASK IF`, `... PREFIX/LEN IF` (IPv6), `ssh|telnet timeout N`,
        `http server enable [PORT]`, `http server idle-timeout N`."""
        protocol = lowered[0]
        if lowered[1] == "timeout" and protocol != "http" and len(words) == 3:
            self.timeout(protocol, index, words[2])
        elif protocol == "http" and lowered[1:3] == ["server", "enable"]:
            self.http_server.set(True, self.book.source(index))
        elif protocol == "http" and lowered[1:3] == ["server", "idle-timeout"] and len(words) >= 4:
            self.timeout("asdm", index, words[3])
        elif len(words) == 4 and "/" not in words[1]:
            allowed = self.ipv4_source(words[1], words[2])
            if allowed is not None:
                self.access.append(
                    _Access(protocol, self.book.source(index), allowed, self.book.hardware_name(words[3]))
                )
        elif len(words) == 3 and "/" in words[1] and looks_like_ipv6(words[1].split("/", 1)[0]):
            # IPv6 sources: "any" stays visible as such; any other prefix is a restriction,
            # which holds no IPv4 address.
            length = words[1].split("/", 1)[1]
            allowed = ((0, 0),) if length == "0" else ()
            self.access.append(_Access(protocol, self.book.source(index), allowed, self.book.hardware_name(words[2])))

    def ipv4_source(self, address_word: str, mask_word: str) -> tuple[tuple[int, int], ...] | None:
        """The prefix of `ADDR MASK`; None when the ASA would refuse the line (a name that
        is not defined, a mask that is not a netmask)."""
        if is_ipv4(address_word):
            address = ip_to_int(address_word)
        elif self.book.names.get(address_word) is not None:
            address = self.book.names[address_word] or 0
        else:
            return None
        if not is_ipv4(mask_word):
            return None
        mask = ip_to_int(mask_word)
        length = mask_to_length(mask)
        if length is None:
            return None
        return ((address & mask, length),)

    def banner(self, index: int, kind: str) -> None:
        # One Banner per kind: each line of a multi-line banner is its own `banner KIND` line.
        if kind not in self.banner_kinds:
            self.banner_kinds.add(kind)
            self.book.settings.banners.append(Banner(kind, self.book.source(index)))

    def enable_command(self, index: int, words: list[str], lowered: list[str]) -> None:
        """`enable password PW [level N] [encrypted | pbkdf2]`."""
        options = lowered[3:]
        level = None
        if "level" in options[:-1] and is_decimal(options[options.index("level") + 1]):
            level = int(options[options.index("level") + 1])
        scheme = password_scheme(words[2], options, empty_hash_possible=True)
        owner = f"level {level}" if level is not None else ""
        self.book.settings.credentials.append(Credential("enable", owner, scheme, self.book.source(index), level))

    def username_command(self, index: int, words: list[str], lowered: list[str]) -> None:
        """`username NAME password PW [encrypted | pbkdf2 | nt-encrypted] [privilege N]`,
        `username NAME nopassword [privilege N]`; `username NAME attributes` opens a block
        of settings of an existing account."""
        name = words[1]
        if lowered[2] == "attributes":
            return
        privilege: int | None = None
        scheme: str | None = None
        position = 2
        while position < len(words):
            word = lowered[position]
            if word == "password" and position + 1 < len(words):
                scheme = password_scheme(words[position + 1], lowered[position + 2 :], empty_hash_possible=False)
                position += 2
            elif word == "nopassword":
                scheme = "none"
                position += 1
            elif word == "privilege" and position + 1 < len(words) and is_decimal(words[position + 1]):
                privilege = int(words[position + 1])
                position += 2
            else:
                position += 1
        account = UserAccount(name, self.book.source(index), privilege)
        record_user(self.users, self.book.settings.credentials, account, scheme)

    def finish_remote_access(self) -> None:
        for access in self.access:
            if access.protocol == "http":
                if not self.http_server.enabled:
                    continue  # without `http server enable` the line admits nobody
                protocol = "https"
            else:
                protocol = access.protocol
            self.book.settings.remote_access.append(
                RemoteAccess(
                    protocol=protocol,
                    source=access.source,
                    allowed_from=access.allowed_from,
                    interface=access.interface,
                )
            )

    def finish_sessions(self) -> None:
        anchor = self.book.settings.hostname_source or Source(
            self.book.path, 1, self.book.lines[0] if self.book.lines else ""
        )
        self.add_session("console", "console", anchor, True, CONSOLE_DEFAULT_IDLE_TIMEOUT)
        for protocol, default in (("ssh", SSH_DEFAULT_IDLE_TIMEOUT), ("telnet", TELNET_DEFAULT_IDLE_TIMEOUT)):
            lines = [access.source for access in self.access if access.protocol == protocol]
            if lines or protocol in self.timeouts:
                self.add_session(protocol, protocol, lines[0] if lines else anchor, bool(lines), default)
        if self.http_server.enabled and self.http_server.source is not None:
            admits = any(access.protocol == "http" for access in self.access)
            self.add_session(
                "https",
                ASDM_SESSION_NAME,
                self.http_server.source,
                admits,
                ASDM_DEFAULT_IDLE_TIMEOUT,
                timeout_key="asdm",
            )

    def add_session(
        self, kind: str, name: str, source: Source, accepts: bool, default: int | None, timeout_key: str | None = None
    ) -> None:
        timeout, timeout_source = self.timeouts.get(timeout_key or kind, (None, None))
        self.book.settings.sessions.append(
            SessionLine(
                kind=kind,
                name=name,
                source=timeout_source or source,
                accepts_sessions=accepts,
                idle_timeout=timeout,
                idle_timeout_source=timeout_source,
                default_idle_timeout=default,
            )
        )


def password_scheme(value: str, options: Sequence[str], empty_hash_possible: bool) -> str:
    """Storage scheme of a password `value` followed by `options` (lower-case words)."""
    for option in options:
        if option in _PASSWORD_FORMS:
            if empty_hash_possible and option == "encrypted" and value == EMPTY_PASSWORD_HASH:
                return "none"
            return _PASSWORD_FORMS[option]
    return "plaintext"
