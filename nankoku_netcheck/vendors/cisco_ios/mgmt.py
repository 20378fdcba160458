"""Management-plane facts of a Cisco IOS / IOS-XE configuration (`MgmtSettings`).

A second, independent pass over the lines the forwarding parser (cisco_ios.py) has
already accounted for: it only reads, so it can never change what the engine sees.
Lines are grouped as IOS prints them: a line starting at column 0 opens a block, the
indented lines after it belong to that block. Banner and macro text (found by the
forwarding parser) is skipped.

IOS defaults recorded here (a fact that holds because nothing is written has no Source):
IP source routing, the BOOTP server, PAD and CDP are on; the small servers, finger and
the HTTP servers are off; vty lines accept telnet when `transport input` is not written
(the default on most IOS releases still in service); without `aaa new-model` a vty line
asks for its own password, so a vty line with no password (or `login local` with no
account) accepts no session; idle sessions time out after 10 minutes; log messages carry
uptime stamps.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace

from nankoku_netcheck.model import (
    Banner,
    Credential,
    HostReference,
    InterfaceMgmt,
    MgmtSettings,
    NamedObject,
    NamedReference,
    RemoteAccess,
    ServiceState,
    SessionLine,
    SnmpCommunity,
    SnmpGroup,
    SnmpUser,
    Source,
    UserAccount,
    Wlan,
    is_decimal,
)
from nankoku_netcheck.vendors.common import TextBlock, record_user, split_words, text_blocks

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

# Interface commands that do not put a port to use (PORT-001 "bare" ports). Lower-case
# word prefixes.
_BARE_COMMANDS: tuple[tuple[str, ...], ...] = (
    ("description",),
    ("shutdown",),
    ("no", "shutdown"),
    ("no", "ip", "address"),
    ("duplex",),
    ("speed",),
    ("negotiation",),
    ("no", "negotiation"),
    ("media-type",),
    ("mtu",),
    ("no", "ip", "redirects"),
    ("no", "ip", "unreachables"),
    ("no", "ip", "proxy-arp"),
    ("no", "ip", "route-cache"),
    ("no", "ip", "mroute-cache"),
    ("no", "ip", "directed-broadcast"),
    ("no", "ip", "mask-reply"),
    ("cdp", "enable"),
    ("no", "cdp"),
    ("keepalive",),
    ("no", "keepalive"),
    ("load-interval",),
    ("carrier-delay",),
    ("no", "mop"),
    ("no", "lldp"),
    ("lldp",),
    ("logging", "event"),
    ("no", "logging"),
    ("snmp", "trap"),
    ("no", "snmp"),
    ("flowcontrol",),
    ("no", "switchport"),
    ("hold-queue",),
    ("no", "ipv6"),
    ("no", "fair-queue"),
    ("exit",),
    ("no", "nameif"),
    ("no", "security-level"),
)

# Words after which a number names an ACL in commands this pass does not read in detail.
_NUMBERED_ACL_CONTEXT = frozenset(
    {
        "access-group",
        "access-class",
        "list",
        "address",
        "access",
        "acl",
        "distribute-list",
        "redirect-list",
        "group-list",
        "boundary",
        "ro",
        "rw",
        "filter",
        "access-list",
        "input",
        "output",
        "match",
    }
)
_ROUTE_MAP_WORDS = frozenset(
    {
        "route-map",
        "advertise-map",
        "exist-map",
        "non-exist-map",
        "inject-map",
        "suppress-map",
        "unsuppress-map",
        "attribute-map",
        "table-map",
    }
)
_IPV4_ACL_NUMBERS = ((1, 199), (1300, 2699))


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


@dataclass
class _SsidDraft:
    name: str
    source: Source
    vlan: int | None = None
    wpa_version: int | None = None
    key_management: bool = False
    psk: bool = False
    eap: bool = False
    evidence: list[Source] = field(default_factory=list)


class _Reader:
    """Reads one file; `lines` are the file's lines, `skipped` the indexes of banner and
    macro text, `banners` the (first index, kind) of each banner."""

    def __init__(
        self,
        lines: Sequence[str],
        path: str,
        skipped: set[int],
        banners: list[tuple[int, str]],
        canonical: Callable[[str], str],
    ) -> None:
        self.lines = lines
        self.path = path
        self.skipped = skipped
        self.canonical = canonical
        self.settings = MgmtSettings()
        self.settings.banners = [Banner(kind, self.source(index)) for index, kind in banners]
        self.services: dict[str, ServiceState] = {}
        self.line_drafts: list[_LineDraft] = []
        self.ssids: dict[str, _SsidDraft] = {}
        self.radio_ciphers: dict[int | None, set[str]] = {}
        self.users: dict[str, UserAccount] = {}
        self.http_access_class: tuple[str, Source] | None = None
        self.definition_lines: set[int] = set()
        self.defined: set[tuple[str, str]] = set()
        self.aaa_new_model = False

    def source(self, index: int) -> Source:
        return Source(self.path, index + 1, self.lines[index])

    def words(self, index: int) -> list[str]:
        return split_words(self.lines[index])

    # -- driver

    def run(self) -> MgmtSettings:
        for block in text_blocks(self.lines, ("!",), self.skipped):
            try:
                self.block(block)
            except (IndexError, ValueError):
                # A malformed management line is simply not a fact; the forwarding parser
                # has already classified it.
                continue
        self.finish()
        return self.settings

    def block(self, block: TextBlock) -> None:
        words = self.words(block.header)
        lowered = [word.lower() for word in words]
        negated = lowered[0] == "no"
        rest = lowered[1:] if negated else lowered
        if not rest:
            return
        self.definitions_and_references(block, words, lowered)
        first = rest[0]
        if first == "hostname" and not negated:
            self.settings.hostname_source = self.source(block.header)
        elif first == "service":
            self.service_command(block.header, rest[1:], negated)
        elif rest[:2] in (["ip", "finger"], ["ip", "source-route"]):
            self.set_service("finger" if rest[1] == "finger" else "source-route", not negated, block.header)
        elif rest[:3] == ["ip", "bootp", "server"]:
            self.set_service("bootp-server", not negated, block.header)
        elif rest[:2] == ["ip", "http"]:
            self.http_command(block.header, words[2 + negated :], rest[2:], negated)
        elif rest[:2] == ["cdp", "run"]:
            self.set_service("cdp", not negated, block.header)
        elif first == "enable" and not negated:
            self.enable_command(block.header, words)
        elif first == "username" and not negated and len(words) >= 2:
            self.username_command(block.header, words)
        elif first == "line" and not negated:
            self.line_block(block, words)
        elif rest[:2] == ["login", "block-for"] and not negated:
            self.settings.login_failure_limits.append(self.source(block.header))
        elif rest[:2] == ["aaa", "new-model"]:
            self.aaa_new_model = not negated
            if not negated:
                self.settings.aaa.append(self.source(block.header))
        elif first == "aaa" and not negated:
            self.settings.aaa.append(self.source(block.header))
            if rest[1:5] == ["local", "authentication", "attempts", "max-fail"]:
                self.settings.login_failure_limits.append(self.source(block.header))
        elif rest[:4] == ["security", "authentication", "failure", "rate"] and not negated:
            self.settings.login_failure_limits.append(self.source(block.header))
        elif first in ("ntp", "sntp") and len(rest) >= 3 and rest[1] == "server" and not negated:
            self.ntp_server(block.header, words)
        elif first == "logging" and not negated:
            self.logging_command(block.header, words)
        elif first == "snmp-server" and not negated and len(rest) >= 3:
            self.snmp_command(block.header, words)
        elif rest[:2] == ["dot11", "ssid"] and not negated and len(words) >= 3:
            self.ssid_block(block, words)
        elif first in ("interface", "int") and not negated and len(words) >= 2:
            self.interface_block(block, words)

    # -- services

    def set_service(self, name: str, enabled: bool, index: int) -> None:
        self.services[name] = ServiceState(name, enabled, self.source(index))

    def service_command(self, index: int, rest: list[str], negated: bool) -> None:
        if not rest:
            return
        name = rest[0]
        if name == "password-encryption":
            self.settings.password_encryption = None if negated else self.source(index)
        elif name in ("tcp-small-servers", "udp-small-servers", "finger", "pad"):
            self.set_service(name, not negated, index)
        elif name == "timestamps" and ((negated and len(rest) == 1) or rest[1:2] == ["log"]):
            stamp = "none" if negated else "datetime" if rest[2:3] == ["datetime"] else "uptime"
            self.settings.log_timestamps = stamp
            self.settings.log_timestamps_source = self.source(index)

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
                self.reference(family, arguments[0], index, "ip http access-class")
                if family == "acl":
                    self.http_access_class = (arguments[0], self.source(index))

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
        self.settings.credentials.append(Credential("enable", owner, scheme, self.source(index), level))

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
                    self.reference("acl", words[position + 1], index, f"username {name}")
                position += 2
            elif word == "autocommand":
                break
            else:
                position += 1
        account = UserAccount(name, self.source(index), privilege)
        record_user(self.users, self.settings.credentials, account, scheme)

    # -- lines (console, aux, vty)

    def line_block(self, block: TextBlock, words: list[str]) -> None:
        kind_word = words[1].lower() if len(words) > 1 else ""
        kind = {"con": "console", "console": "console", "aux": "aux", "vty": "vty", "tty": "tty"}.get(kind_word)
        if kind is None:
            if not is_decimal(kind_word):
                return
            kind = "tty"
        draft = _LineDraft(kind, " ".join(words[1:]), self.source(block.header))
        for index in block.children:
            self.line_child(draft, index)
        self.line_drafts.append(draft)

    def line_child(self, draft: _LineDraft, index: int) -> None:
        words = self.words(index)
        lowered = [word.lower() for word in words]
        context = f"line {draft.name}"
        if lowered[0] == "exec-timeout" and len(words) >= 2 and is_decimal(words[1]):
            seconds = int(words[2]) if len(words) >= 3 and is_decimal(words[2]) else 0
            draft.timeout, draft.timeout_source = int(words[1]) * 60 + seconds, self.source(index)
        elif lowered[:2] == ["no", "exec-timeout"]:
            draft.timeout, draft.timeout_source = 0, self.source(index)
        elif lowered == ["no", "exec"]:
            draft.exec_enabled = False
        elif lowered == ["exec"]:
            draft.exec_enabled = True
        elif lowered[:2] == ["transport", "input"] and len(words) >= 3:
            protocols: list[str] = []
            for word in lowered[2:]:
                protocols.extend(_TRANSPORT_ALL if word == "all" else () if word == "none" else (word,))
            draft.transport, draft.transport_source = tuple(dict.fromkeys(protocols)), self.source(index)
        elif lowered[0] == "access-class" and len(words) >= 3:
            self.reference("acl", words[1], index, context)
            if lowered[2] == "in":
                draft.access_class, draft.access_class_source = words[1], self.source(index)
        elif lowered[:2] == ["ipv6", "access-class"] and len(words) >= 3:
            self.reference("ipv6-acl", words[2], index, context)
        elif lowered[0] == "password" and len(words) >= 2:
            scheme = _scheme(words[1:], secret=False)
            if scheme is not None:
                draft.has_password = True
                self.settings.credentials.append(Credential("line", draft.name, scheme, self.source(index)))
        elif lowered[0] == "login":
            draft.login = {"local": "local", "authentication": "list"}.get(
                lowered[1] if len(lowered) > 1 else "", "password"
            )
        elif lowered[:2] == ["no", "login"]:
            draft.login = "none"
            if draft.kind == "vty":
                self.settings.credentials.append(Credential("line", draft.name, "none", self.source(index)))

    def finish_lines(self) -> None:
        for draft in self.line_drafts:
            accepts = draft.exec_enabled and not (draft.kind == "vty" and draft.transport == ())
            accepts = accepts and self.login_possible(draft)
            self.settings.sessions.append(
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
            if draft.transport is None:
                # Only vty lines accept network connections by default.
                protocols, by_default = (("telnet", "ssh"), True) if draft.kind == "vty" else ((), True)
            else:
                protocols, by_default = draft.transport, False
            for protocol in protocols:
                self.settings.remote_access.append(
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

    # -- time, logging, SNMP

    def ntp_server(self, index: int, words: list[str]) -> None:
        arguments = words[2:]
        while arguments and arguments[0].lower() in ("vrf", "ip", "ipv6"):
            arguments = arguments[2:] if arguments[0].lower() == "vrf" else arguments[1:]
        if arguments:
            self.settings.ntp_servers.append(HostReference(arguments[0], self.source(index)))

    def logging_command(self, index: int, words: list[str]) -> None:
        lowered = [word.lower() for word in words]
        if len(words) >= 3 and lowered[1] == "host":
            arguments = words[2:]
            if arguments[0].lower() in ("ipv6", "ipv4") and len(arguments) >= 2:
                arguments = arguments[1:]
            self.settings.logging_hosts.append(HostReference(arguments[0], self.source(index)))
        elif len(words) >= 2 and _looks_like_ipv4(words[1]):
            self.settings.logging_hosts.append(HostReference(words[1], self.source(index)))

    def snmp_command(self, index: int, words: list[str]) -> None:
        lowered = [word.lower() for word in words]
        what = lowered[1]
        if what == "community":
            self.snmp_community(index, words, lowered)
        elif what == "group" and len(words) >= 4:
            self.snmp_group(index, words, lowered)
        elif what == "user" and len(words) >= 5:
            self.snmp_user(index, words, lowered)
        elif what == "tftp-server-list":
            self.reference("acl", words[2], index, "snmp-server tftp-server-list")
        elif lowered[1:3] == ["file-transfer", "access-group"] and len(words) >= 4:
            self.reference("acl", words[3], index, "snmp-server file-transfer")

    def snmp_community(self, index: int, words: list[str], lowered: list[str]) -> None:
        name, access, view, acl = words[2], "ro", None, None
        position = 3
        while position < len(words):
            word = lowered[position]
            if word == "view" and position + 1 < len(words):
                view, position = words[position + 1], position + 2
            elif word in ("ro", "rw"):
                access, position = word, position + 1
            elif word == "ipv6" and position + 1 < len(words):
                self.reference("ipv6-acl", words[position + 1], index, "snmp-server community")
                position += 2
            else:
                acl, position = words[position], position + 1
        if acl is not None:
            self.reference("acl", acl, index, "snmp-server community")
        self.settings.snmp_communities.append(SnmpCommunity(name, access, self.source(index), acl, view))

    def snmp_group(self, index: int, words: list[str], lowered: list[str]) -> None:
        name, version = words[2], lowered[3].lstrip("v")
        security = lowered[4] if version == "3" and len(words) > 4 else None
        options = _keyword_values(words, lowered, 4, ("read", "write", "notify", "context", "match"))
        acl = self.snmp_access(index, words, lowered, f"snmp-server group {name}")
        self.settings.snmp_groups.append(
            SnmpGroup(
                name,
                version,
                self.source(index),
                security,
                options.get("read"),
                options.get("write"),
                acl,
            )
        )

    def snmp_user(self, index: int, words: list[str], lowered: list[str]) -> None:
        name, group = words[2], words[3]
        version = next((word.lstrip("v") for word in lowered[4:] if word in ("v1", "v2c", "v3")), "")
        acl = self.snmp_access(index, words, lowered, f"snmp-server user {name}")
        self.settings.snmp_users.append(
            SnmpUser(
                name,
                group,
                version,
                self.source(index),
                authenticated="auth" in lowered[4:],
                encrypted="priv" in lowered[4:],
                access_list=acl,
            )
        )

    def snmp_access(self, index: int, words: list[str], lowered: list[str], context: str) -> str | None:
        if "access" not in lowered[3:]:
            return None
        arguments = words[lowered.index("access", 3) + 1 :]
        acl = None
        while arguments:
            word = arguments[0].lower()
            if word == "ipv6" and len(arguments) >= 2:
                self.reference("ipv6-acl", arguments[1], index, context)
                arguments = arguments[2:]
            elif word == "priv":
                arguments = arguments[1:]
            else:
                acl = arguments[0]
                self.reference("acl", acl, index, context)
                arguments = arguments[1:]
        return acl

    # -- wireless

    def ssid_block(self, block: TextBlock, words: list[str]) -> None:
        draft = self.ssids.setdefault(words[2], _SsidDraft(words[2], self.source(block.header)))
        for index in block.children:
            child = self.words(index)
            lowered = [word.lower() for word in child]
            if lowered[0] == "vlan" and len(child) >= 2 and is_decimal(child[1]):
                draft.vlan = int(child[1])
            elif lowered[:2] == ["authentication", "key-management"]:
                draft.key_management = True
                if "version" in lowered:
                    after = lowered[lowered.index("version") + 1 :]
                    draft.wpa_version = int(after[0]) if after and is_decimal(after[0]) else None
                draft.evidence.append(self.source(index))
            elif lowered[0] == "wpa-psk":
                draft.psk = True
                draft.evidence.append(self.source(index))
            elif lowered[:2] == ["authentication", "network-eap"] or (
                lowered[:2] == ["authentication", "open"] and "eap" in lowered
            ):
                draft.eap = True
                draft.evidence.append(self.source(index))

    def finish_wlans(self) -> None:
        for draft in self.ssids.values():
            if not draft.key_management:
                versions: tuple[int, ...] = ()
            elif draft.wpa_version is not None:
                versions = (draft.wpa_version,)
            else:
                ciphers = self.radio_ciphers.get(draft.vlan) or self.radio_ciphers.get(None) or set()
                versions = (2,) if ciphers == {"aes-ccm"} else (1, 2)
            auth = "psk" if draft.psk else "8021x" if draft.eap else "unknown" if draft.key_management else "open"
            self.settings.wlans.append(
                Wlan(draft.name, draft.source, draft.vlan, versions, auth, (), tuple(draft.evidence))
            )

    # -- interfaces

    def interface_block(self, block: TextBlock, words: list[str]) -> None:
        name_words = words[1:]
        if len(name_words) >= 2 and is_decimal(name_words[1][:1]) and not any(is_decimal(c) for c in name_words[0]):
            name_words = [name_words[0] + name_words[1], *name_words[2:]]
        name = self.canonical(name_words[0])
        facts = self.settings.interfaces.get(name) or InterfaceMgmt(name, self.source(block.header))
        for index in block.children:
            facts = self.interface_child(facts, index)
        self.settings.interfaces[name] = facts

    def interface_child(self, facts: InterfaceMgmt, index: int) -> InterfaceMgmt:
        words = self.words(index)
        lowered = [word.lower() for word in words]
        source = self.source(index)
        context = f"interface {facts.name}"
        if lowered[0].startswith("!"):
            return facts
        if not any(tuple(lowered[: len(prefix)]) == prefix for prefix in _BARE_COMMANDS):
            facts = replace(facts, bare=False)
        if lowered[:2] == ["cdp", "enable"]:
            return replace(facts, cdp=True, cdp_source=source)
        if lowered[:3] == ["no", "cdp", "enable"]:
            return replace(facts, cdp=False, cdp_source=source)
        if lowered[:2] == ["switchport", "port-security"]:
            return self.port_security(facts, words, lowered, source)
        if lowered[1:3] == ["port-control", "auto"] and lowered[0] in ("dot1x", "authentication", "access-session"):
            return replace(facts, dot1x=True, access_control_source=source)
        if lowered == ["mab"] or lowered[:2] == ["dot1x", "mac-auth-bypass"]:
            return replace(facts, mab=True, access_control_source=facts.access_control_source or source)
        if (lowered[:2] == ["ip", "address"] and lowered[2:3] in (["dhcp"], ["negotiated"], ["pool"])) or (
            lowered[:2] == ["ip", "unnumbered"] or lowered[0] == "pppoe-client" or lowered[:2] == ["dialer", "pool"]
        ):
            return replace(facts, address_unknown=True)
        if lowered[:2] == ["ip", "access-group"] and len(words) >= 3:
            self.reference("acl", words[2], index, f"{context} {' '.join(lowered[3:4])}".strip())
        elif lowered[:2] == ["ipv6", "traffic-filter"] and len(words) >= 3:
            self.reference("ipv6-acl", words[2], index, context)
        elif lowered[:2] == ["mac", "access-group"] and len(words) >= 3:
            self.reference("mac-acl", words[2], index, context)
        elif lowered[0] == "encryption":
            self.radio_encryption(lowered)
        return facts

    def port_security(
        self, facts: InterfaceMgmt, words: list[str], lowered: list[str], source: Source
    ) -> InterfaceMgmt:
        rest = lowered[2:]
        if not rest:
            return replace(facts, port_security=True, port_security_source=source)
        if rest[:1] == ["mac-address"] and len(rest) >= 2:
            if rest[1] == "sticky":
                if len(rest) >= 3:
                    return replace(facts, sticky_macs=(*facts.sticky_macs, _mac(words[4])))
                return replace(facts, sticky_learning=True)
            return replace(facts, static_macs=(*facts.static_macs, _mac(words[3])))
        return facts

    def radio_encryption(self, lowered: list[str]) -> None:
        vlan: int | None = None
        if "vlan" in lowered:
            after = lowered[lowered.index("vlan") + 1 :]
            vlan = int(after[0]) if after and is_decimal(after[0]) else None
        if "ciphers" in lowered:
            self.radio_ciphers.setdefault(vlan, set()).update(lowered[lowered.index("ciphers") + 1 :])

    # -- named objects: definitions and uses (ACL-001, ACL-003)

    def define(self, kind: str, name: str, index: int) -> None:
        """Records the first line that defines (kind, name); later lines of the same
        definition (numbered ACL entries, route-map sequences) only count as its lines."""
        self.definition_lines.add(index)
        if (kind, name) not in self.defined:
            self.defined.add((kind, name))
            self.settings.definitions.append(NamedObject(kind, name, self.source(index)))

    def reference(self, kind: str, name: str, index: int, context: str) -> None:
        self.settings.references.append(NamedReference(kind, name, self.source(index), context))

    def definitions_and_references(self, block: TextBlock, words: list[str], lowered: list[str]) -> None:
        index = block.header
        first = lowered[0]
        if first == "access-list" and len(words) >= 3 and is_decimal(words[1]):
            number = int(words[1])
            if any(low <= number <= high for low, high in _IPV4_ACL_NUMBERS):
                self.define("acl", words[1], index)
            self.acl_entry_references(index, lowered)
        elif lowered[:2] == ["ip", "access-list"] and len(words) == 4 and lowered[2] in ("standard", "extended"):
            self.define("acl", words[3], index)
            for child in block.children:
                self.acl_entry_references(child, [word.lower() for word in self.words(child)])
                self.reflexive(child)
        elif lowered[:2] == ["ipv6", "access-list"] and len(words) >= 3:
            self.define("ipv6-acl", words[-1], index)
        elif lowered[:3] == ["mac", "access-list", "extended"] and len(words) == 4:
            self.define("mac-acl", words[3], index)
        elif first == "object-group" and len(words) >= 3:
            name = words[-1]  # `object-group network X`, also `object-group ip port X`
            self.define("object-group", name, index)
            for child in block.children:
                child_words = self.words(child)
                if child_words[0].lower() == "group-object" and len(child_words) >= 2:
                    self.reference("object-group", child_words[1], child, f"object-group {name}")
        elif first == "route-map" and len(words) >= 2:
            self.define("route-map", words[1], index)
            for child in block.children:
                self.route_map_match(child, words[1])
        elif first == "class-map" and len(words) >= 2:
            self.define("class-map", words[-1], index)
            for child in block.children:
                child_lowered = [word.lower() for word in self.words(child)]
                self.class_map_match(child, child_lowered, words[-1])
        elif first == "policy-map" and len(words) >= 2:
            for child in block.children:
                self.policy_class(child, words[-1])
        else:
            self.generic_references(block)

    def acl_entry_references(self, index: int, lowered: list[str]) -> None:
        words = self.words(index)
        for position, word in enumerate(lowered[:-1]):
            if word == "object-group":
                self.reference("object-group", words[position + 1], index, "access list entry")
        if lowered and lowered[0] == "evaluate" and len(words) >= 2:
            self.reference("acl", words[1], index, "evaluate")

    def reflexive(self, index: int) -> None:
        lowered = [word.lower() for word in self.words(index)]
        if "reflect" in lowered[:-1]:
            self.define("acl", self.words(index)[lowered.index("reflect") + 1], index)

    def route_map_match(self, index: int, route_map: str) -> None:
        words = self.words(index)
        lowered = [word.lower() for word in words]
        context = f"route-map {route_map}"
        if lowered[:3] == ["match", "ip", "address"] and "prefix-list" not in lowered:
            for name in words[3:]:
                self.reference("acl", name, index, context)
        elif lowered[:3] == ["match", "ipv6", "address"] and "prefix-list" not in lowered:
            for name in words[3:]:
                self.reference("ipv6-acl", name, index, context)

    def class_map_match(self, index: int, lowered: list[str], class_map: str) -> None:
        words = self.words(index)
        context = f"class-map {class_map}"
        if lowered[:2] == ["match", "access-group"] and len(words) >= 3:
            self.reference("acl", words[-1], index, context)
        elif lowered[:2] == ["match", "class-map"] and len(words) >= 3:
            self.reference("class-map", words[2], index, context)

    def policy_class(self, index: int, policy: str) -> None:
        words = self.words(index)
        lowered = [word.lower() for word in words]
        if lowered[0] != "class" or len(words) < 2:
            return
        name = words[-1]
        if name.lower() != "class-default":
            self.reference("class-map", name, index, f"policy-map {policy}")

    def generic_references(self, block: TextBlock) -> None:
        """Uses of ACLs and route-maps in commands read nowhere else: NAT, routing
        processes, crypto maps, multicast, dialer lists."""
        header = [word.lower() for word in self.words(block.header)]
        acl_kind = "ipv6-acl" if header[:1] == ["ipv6"] else "acl"
        crypto_map = header[:2] in (["crypto", "map"], ["crypto", "dynamic-map"])
        for index in (block.header, *block.children):
            words = self.words(index)
            lowered = [word.lower() for word in words]
            if not lowered:
                continue
            for position, word in enumerate(lowered[:-1]):
                # At the start of a top-level line the word defines (e.g. a QoS table-map).
                if word in _ROUTE_MAP_WORDS and (position > 0 or index != block.header):
                    self.reference("route-map", words[position + 1], index, " ".join(words[:2]))
            if lowered[:2] == ["ip", "nat"] and "list" in lowered[:-1]:
                self.reference("acl", words[lowered.index("list") + 1], index, "ip nat")
            elif (
                lowered[0] == "distribute-list"
                and len(words) >= 3
                and lowered[1] not in ("prefix", "prefix-list", "route-map", "gateway")
            ):
                self.reference(acl_kind, words[1], index, " ".join(self.words(block.header)[:3]))
            elif lowered[0] == "neighbor" and len(words) >= 4 and lowered[2] == "distribute-list":
                self.reference(acl_kind, words[3], index, " ".join(self.words(block.header)[:3]))
            elif crypto_map and lowered[:2] == ["match", "address"] and len(words) >= 3:
                # (`match address local ...` in an IKEv2 profile matches an address, not an ACL.)
                self.reference("acl", words[2], index, " ".join(self.words(block.header)[:3]))
            elif lowered[0] == "dialer-list" and "list" in lowered[2:-1]:
                self.reference("acl", words[lowered.index("list", 2) + 1], index, "dialer-list")
            elif lowered[:3] in (["ip", "multicast", "boundary"], ["ip", "igmp", "access-group"]) and len(words) >= 4:
                self.reference("acl", words[3], index, " ".join(words[:3]))
            elif lowered[:2] == ["ntp", "access-group"]:
                kinds = [p for p, w in enumerate(lowered) if w in ("peer", "serve", "serve-only", "query-only")]
                if kinds and kinds[0] + 1 < len(words):
                    self.reference("acl", words[kinds[0] + 1], index, "ntp access-group")

    def mentioned_definitions(self) -> None:
        """Counts every other mention of a defined name as a use (ACL-003 then stays quiet
        about uses this pass does not know): named objects by name, numbered ACLs only
        after a word that takes an ACL."""
        explicit = {(ref.kind, ref.name) for ref in self.settings.references}
        pending = {(d.kind, d.name) for d in self.settings.definitions} - explicit
        if not pending:
            return
        by_name: dict[str, list[str]] = {}
        for kind, name in pending:
            by_name.setdefault(name, []).append(kind)
        for index, line in enumerate(self.lines):
            if index in self.skipped or index in self.definition_lines:
                continue
            words = split_words(line)
            if not words or words[0].startswith("!") or words[0].lower() in ("description", "remark"):
                continue
            for position, word in enumerate(words):
                kinds = by_name.get(word)
                if not kinds:
                    continue
                if is_decimal(word) and (position == 0 or not _takes_acl_number(words[position - 1].lower())):
                    continue
                if position >= 1 and words[position - 1].lower() == "remark":
                    continue
                for kind in kinds:
                    self.settings.references.append(NamedReference(kind, word, self.source(index), "", mentioned=True))
                del by_name[word]
            if not by_name:
                return

    # -- wrap up

    def finish(self) -> None:
        self.finish_lines()
        self.finish_wlans()
        self.settings.users = list(self.users.values())
        for name, enabled in _IOS_DEFAULT_SERVICES.items():
            self.settings.services.append(self.services.get(name, ServiceState(name, enabled)))
        if self.settings.log_timestamps_source is None:
            self.settings.log_timestamps = "uptime"
        for protocol, service in (("http", "http-server"), ("https", "https-server")):
            state = self.services.get(service)
            if state is not None and state.enabled and state.source is not None:
                acl, acl_source = self.http_access_class or (None, None)
                self.settings.remote_access.append(RemoteAccess(protocol, state.source, False, acl, acl_source))
        self.mentioned_definitions()


def _scheme(arguments: Sequence[str], secret: bool) -> str | None:
    """Storage scheme of `[TYPE] VALUE` after `secret` / `password`; None if no value."""
    if not arguments:
        return None
    first = arguments[0]
    if len(arguments) >= 2 and is_decimal(first) and len(first) == 1:
        table = _SECRET_TYPES if secret else _PASSWORD_TYPES
        return table.get(first, "unknown")
    return "plaintext"


def _keyword_values(words: list[str], lowered: list[str], start: int, keywords: tuple[str, ...]) -> dict[str, str]:
    values: dict[str, str] = {}
    for position in range(start, len(words) - 1):
        if lowered[position] in keywords:
            values[lowered[position]] = words[position + 1]
    return values


def _takes_acl_number(word: str) -> bool:
    return word in _NUMBERED_ACL_CONTEXT or word.endswith(("-list", "-group", "-class"))


def _looks_like_ipv4(word: str) -> bool:
    parts = word.split(".")
    return len(parts) == 4 and all(is_decimal(part) and int(part) <= 255 for part in parts)


def _mac(word: str) -> str:
    return word.lower()


def read_management(
    lines: Sequence[str],
    path: str,
    multiline_blocks: Sequence[tuple[int, int, str]],
    canonical: Callable[[str], str],
) -> MgmtSettings:
    """Management facts of one IOS file. `multiline_blocks` are (first, last, reason)
    line indexes of banner and macro text; `canonical` expands interface names."""
    skipped: set[int] = set()
    banners: list[tuple[int, str]] = []
    for first, last, reason in multiline_blocks:
        skipped.update(range(first, last + 1))
        if reason == "banner text":
            words = split_words(lines[first])
            kind = words[1].lower() if len(words) > 1 and words[1].isalpha() else "motd"
            banners.append((first, kind))
    return _Reader(lines, path, skipped, banners, canonical).run()
