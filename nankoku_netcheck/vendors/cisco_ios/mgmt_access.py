"""IOS access to the device: services the device runs (HTTP, small servers, finger, ...),
enable and user credentials, and the console / aux / vty lines (management facts; see
mgmt.py for the defaults assumed)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from nankoku_netcheck.model import Credential, RemoteAccess, ServiceState, SessionLine, Source, UserAccount, is_decimal
from nankoku_netcheck.vendors.cisco_ios.mgmt_book import MgmtBook
from nankoku_netcheck.vendors.common import TextBlock, record_user

# Cisco password "types" → storage scheme.
_SECRET_TYPES = {
    "0": "plaintext",
    "4": "sha256-unsalted",
    "5": "md5",
    "7": "reversible",
    "8": "pbkdf2",
    "9": "scrypt",
    "6": "reversible",
}
_PASSWORD_TYPES = {"0": "plaintext", "7": "reversible", "6": "reversible"}

_IOS_DEFAULT_SERVICES = {
    "http-server": False,
    "https-server": False,
    "tcp-small-servers": False,
    "udp-small-servers": False,
    "finger": False,
    "bootp-server": True,
    "source-route": True,
    "cdp": True,
    "pad": True,
}
_IOS_DEFAULT_IDLE_TIMEOUT = 600
_TRANSPORT_ALL = ("telnet", "ssh", "rlogin")


@dataclass
class _LineDraft:
    kind: str
    name: str
    source: Source
    exec_enabled: bool = True
    transport: tuple[str, ...] | None = None
    transport_source: Source | None = None
    access_class: str | None = None
    access_class_source: Source | None = None
    timeout: int | None = None
    timeout_source: Source | None = None
    login: str | None = None  # password | local | list | none; None = not written
    has_password: bool = False


class AccessReader:
    """Services, credentials and lines of one file, read into `book`."""

    def __init__(self, book: MgmtBook) -> None:
        self.book = book
        self.services: dict[str, ServiceState] = {}
        self.line_drafts: list[_LineDraft] = []
        self.users: dict[str, UserAccount] = {}
        self.http_access_class: tuple[str, Source] | None = None
        self.aaa_new_model = False

    # -- services

    def set_service(self, name: str, enabled: bool, index: int) -> None:
        self.services[name] = ServiceState(name, enabled, self.book.source(index))

    def service_command(self, index: int, rest: list[str], negated: bool) -> None:
        if not rest:
            return
        name = rest[0]
        if name == "password-encryption":
            self.book.settings.password_encryption = None if negated else self.book.source(index)
        elif name in ("tcp-small-servers", "udp-small-servers", "finger", "pad"):
            self.set_service(name, not negated, index)
        elif name == "timestamps" and ((negated and len(rest) == 1) or rest[1:2] == ["log"]):
            stamp = "none" if negated else "datetime" if rest[2:3] == ["datetime"] else "uptime"
            self.book.settings.log_timestamps = stamp
            self.book.settings.log_timestamps_source = self.book.source(index)

    def http_command(self, index: int, words: list[str], rest: list[str], negated: bool) -> None:
        """`ip http ...`; `words` starts after `ip http`."""
        if rest[:1] == ["server"]:
            self.set_service("http-server", not negated, index)
        elif rest[:1] == ["secure-server"]:
            self.set_service("https-server", not negated, index)
        elif rest[:1] == ["access-class"] and not negated:
            arguments = words[1:]
            family = "acl"
            if arguments and arguments[0].lower() in ("ipv4", "ipv6"):
                family = "ipv6-acl" if arguments[0].lower() == "ipv6" else "acl"
                arguments = arguments[1:]
            if arguments:
                self.book.reference(family, arguments[0], index, "ip http access-class")
                if family == "acl":
                    self.http_access_class = (arguments[0], self.book.source(index))

    # -- credentials and accounts

    def enable_command(self, index: int, words: list[str]) -> None:
        lowered = [word.lower() for word in words]
        position = 1
        if lowered[position : position + 1] == ["algorithm-type"]:
            position += 2
        if position >= len(words) or lowered[position] not in ("secret", "password"):
            return
        what = lowered[position]
        position += 1
        level = None
        if lowered[position : position + 1] == ["level"] and position + 1 < len(words):
            level = int(words[position + 1]) if is_decimal(words[position + 1]) else None
            position += 2
        scheme = _scheme(words[position:], what == "secret")
        if scheme is None:
            return
        owner = f"level {level}" if level is not None else ""
        self.book.settings.credentials.append(Credential("enable", owner, scheme, self.book.source(index), level))

    def username_command(self, index: int, words: list[str]) -> None:
        name = words[1]
        lowered = [word.lower() for word in words]
        privilege: int | None = None
        scheme: str | None = None
        position = 2
        while position < len(words):
            word = lowered[position]
            if word == "privilege" and position + 1 < len(words) and is_decimal(words[position + 1]):
                privilege = int(words[position + 1])
                position += 2
            elif word in ("secret", "password"):
                scheme = _scheme(words[position + 1 :], word == "secret")
                break
            elif word == "nopassword":
                scheme = "none"
                position += 1
            elif word == "algorithm-type":
                # The value after `secret` is the cleartext the device will hash; in a
                # stored file it is cleartext.
                if "secret" in lowered[position:]:
                    scheme = "plaintext"
                break
            elif word in ("view", "access-class", "callback-dialstring", "callback-line", "dnis"):
                if word == "access-class" and position + 1 < len(words):
                    self.book.reference("acl", words[position + 1], index, f"username {name}")
                position += 2
            elif word == "autocommand":
                break
            else:
                position += 1
        account = UserAccount(name, self.book.source(index), privilege)
        record_user(self.users, self.book.settings.credentials, account, scheme)

    # -- lines (console, aux, vty)

    def line_block(self, block: TextBlock, words: list[str]) -> None:
        kind_word = words[1].lower() if len(words) > 1 else ""
        kind = {"con": "console", "console": "console", "aux": "aux", "vty": "vty", "tty": "tty"}.get(kind_word)
        if kind is None:
            if not is_decimal(kind_word):
                return
            kind = "tty"
        draft = _LineDraft(kind, " ".join(words[1:]), self.book.source(block.header))
        for index in block.children:
            self.line_child(draft, index)
        self.line_drafts.append(draft)

    def line_child(self, draft: _LineDraft, index: int) -> None:
        words = self.book.words(index)
        lowered = [word.lower() for word in words]
        context = f"line {draft.name}"
        if lowered[0] == "exec-timeout" and len(words) >= 2 and is_decimal(words[1]):
            seconds = int(words[2]) if len(words) >= 3 and is_decimal(words[2]) else 0
            draft.timeout, draft.timeout_source = int(words[1]) * 60 + seconds, self.book.source(index)
        elif lowered[:2] == ["no", "exec-timeout"]:
            draft.timeout, draft.timeout_source = 0, self.book.source(index)
        elif lowered == ["no", "exec"]:
            draft.exec_enabled = False
        elif lowered == ["exec"]:
            draft.exec_enabled = True
        elif lowered[:2] == ["transport", "input"] and len(words) >= 3:
            protocols: list[str] = []
            for word in lowered[2:]:
                protocols.extend(_TRANSPORT_ALL if word == "all" else () if word == "none" else (word,))
            draft.transport, draft.transport_source = tuple(dict.fromkeys(protocols)), self.book.source(index)
        elif lowered[0] == "access-class" and len(words) >= 3:
            self.book.reference("acl", words[1], index, context)
            if lowered[2] == "in":
                draft.access_class, draft.access_class_source = words[1], self.book.source(index)
        elif lowered[:2] == ["ipv6", "access-class"] and len(words) >= 3:
            self.book.reference("ipv6-acl", words[2], index, context)
        elif lowered[0] == "password" and len(words) >= 2:
            scheme = _scheme(words[1:], secret=False)
            if scheme is not None:
                draft.has_password = True
                self.book.settings.credentials.append(Credential("line", draft.name, scheme, self.book.source(index)))
        elif lowered[0] == "login":
            draft.login = {"local": "local", "authentication": "list"}.get(
                lowered[1] if len(lowered) > 1 else "", "password"
            )
        elif lowered[:2] == ["no", "login"]:
            draft.login = "none"
            if draft.kind == "vty":
                self.book.settings.credentials.append(Credential("line", draft.name, "none", self.book.source(index)))

    def finish_lines(self) -> None:
        for draft in self.line_drafts:
            accepts = draft.exec_enabled and not (draft.kind == "vty" and draft.transport == ())
            accepts = accepts and self.login_possible(draft)
            self.book.settings.sessions.append(
                SessionLine(
                    kind=draft.kind,
                    name=draft.name,
                    source=draft.source,
                    accepts_sessions=accepts,
                    idle_timeout=draft.timeout,
                    idle_timeout_source=draft.timeout_source,
                    default_idle_timeout=_IOS_DEFAULT_IDLE_TIMEOUT,
                )
            )
            if not accepts:
                continue
            protocols: tuple[str, ...]
            if draft.transport is None:
                # Only vty lines accept network connections by default.
                protocols, by_default = (("telnet", "ssh"), True) if draft.kind == "vty" else ((), True)
            else:
                protocols, by_default = draft.transport, False
            for protocol in protocols:
                self.book.settings.remote_access.append(
                    RemoteAccess(
                        protocol=protocol,
                        source=draft.transport_source or draft.source,
                        by_default=by_default,
                        access_list=draft.access_class,
                        access_list_source=draft.access_class_source,
                    )
                )

    def login_possible(self, draft: _LineDraft) -> bool:
        """Whether anyone can log in on a vty line. Without `aaa new-model` a vty line
        asks for its own password by default, and IOS refuses the login when none is set
        ("Password required, but none set"); `login local` needs a local account."""
        if draft.kind != "vty" or self.aaa_new_model:
            return True
        mode = draft.login or "password"
        if mode == "password":
            return draft.has_password
        if mode == "local":
            return bool(self.users)
        return True

    def finish(self) -> None:
        """Sessions and remote access of the lines, accounts, services (defaults included)
        and the HTTP servers' remote access, in that order."""
        self.finish_lines()
        settings = self.book.settings
        settings.users = list(self.users.values())
        for name, enabled in _IOS_DEFAULT_SERVICES.items():
            settings.services.append(self.services.get(name, ServiceState(name, enabled)))
        for protocol, service in (("http", "http-server"), ("https", "https-server")):
            state = self.services.get(service)
            if state is not None and state.enabled and state.source is not None:
                acl, acl_source = self.http_access_class or (None, None)
                settings.remote_access.append(RemoteAccess(protocol, state.source, False, acl, acl_source))


def _scheme(arguments: Sequence[str], secret: bool) -> str | None:
    """Storage scheme of `[TYPE] VALUE` after `secret` / `password`; None if no value."""
    if not arguments:
        return None
    first = arguments[0]
    if len(arguments) >= 2 and is_decimal(first) and len(first) == 1:
        table = _SECRET_TYPES if secret else _PASSWORD_TYPES
        return table.get(first, "unknown")
    return "plaintext"
