"""Management-plane facts of a Cisco ASA / PIX / FWSM configuration (`MgmtSettings`).

A second, independent pass over the lines the forwarding parser (cisco_asa.py) has
already accounted for: it only reads, so it can never change what the engine sees.
Lines are grouped as the ASA prints them: a line starting at column 0 opens a block, the
indented lines after it belong to that block. ASA banners are one line per banner line,
so no text needs skipping.

ASA defaults recorded here (a fact that holds because nothing is written has no Source):

- The console never times out (`console timeout 0`); SSH and Telnet sessions time out
  after 5 minutes, ASDM sessions after 20 (`http server idle-timeout`).
- SSH, Telnet and ASDM accept a connection only from a source a `ssh|telnet|http ADDR
  MASK IF` line lists; ASDM also needs `http server enable` and always runs over HTTPS
  (`http redirect` only answers with a redirection to it).
- Log messages carry no time stamp without `logging timestamp`; nothing is logged
  without `logging enable` (PIX: `logging on`), and nothing goes to the syslog servers
  without `logging trap LEVEL`.
- There is no CDP, no TCP/UDP small server, finger, BOOTP server, PAD or plain-HTTP
  management server, and source-routed packets are dropped (IP options inspection).
- SNMP is read-only (the ASA has no SNMP write access) and SNMPv3 groups are the only
  groups.
- `encrypted` passwords are MD5-based; `8Ry2YjIyt7RRXU24` is the stored form of an
  empty enable or login password.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace

from nankoku_netcheck.model import (
    Banner,
    Credential,
    HostReference,
    Interface,
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
    ip_to_int,
    is_decimal,
    mask_to_length,
)
from nankoku_netcheck.vendors.cisco_asa.names import ICMP_NAMES, PROTOCOL_NAMES
from nankoku_netcheck.vendors.cisco_ios.parser import canonical_interface_name
from nankoku_netcheck.vendors.common import (
    TextBlock,
    is_ipv4,
    looks_like_ipv6,
    record_user,
    split_words,
    text_blocks,
)

# The ASA's stored form of an empty enable / login password (`enable password … encrypted`).
EMPTY_PASSWORD_HASH = "8Ry2YjIyt7RRXU24"

CONSOLE_DEFAULT_IDLE_TIMEOUT: int | None = None  # never
SSH_DEFAULT_IDLE_TIMEOUT = 5 * 60
TELNET_DEFAULT_IDLE_TIMEOUT = 5 * 60
ASDM_DEFAULT_IDLE_TIMEOUT = 20 * 60
ASDM_SESSION_NAME = "ASDM (http server)"

_ASA_DEFAULT_SERVICES = {
    "http-server": False,
    "tcp-small-servers": False,
    "udp-small-servers": False,
    "finger": False,
    "bootp-server": False,
    "source-route": False,
    "cdp": False,
    "pad": False,
}

# Interface commands that do not put a port to use (PORT-001 "bare" ports). Lower-case
# word prefixes.
_BARE_COMMANDS: tuple[tuple[str, ...], ...] = (
    ("description",),
    ("shutdown",),
    ("no", "shutdown"),
    ("no", "nameif"),
    ("no", "security-level"),
    ("no", "ip", "address"),
    ("speed",),
    ("duplex",),
    ("flowcontrol",),
    ("media-type",),
    ("mac-address",),
    ("mtu",),
    ("delay",),
    ("no", "ipv6"),
    ("no", "switchport"),
    ("no", "management-only"),
    ("exit",),
)

# Password keywords after the value and the storage scheme each one means.
_PASSWORD_FORMS = {"encrypted": "md5", "nt-encrypted": "md5", "pbkdf2": "pbkdf2"}

# Keywords of a twice NAT line that are not object names.
_NAT_KEYWORDS = frozenset(
    {
        "any",
        "interface",
        "static",
        "dynamic",
        "pat-pool",
        "unidirectional",
        "no-proxy-arp",
        "route-lookup",
        "dns",
        "inactive",
        "net-to-net",
        "description",
        "ipv6",
        "flat",
        "include-reserve",
        "round-robin",
        "extended",
        "block-allocation",
    }
)

# Commands that may use an ACL or a route-map in a way read by generic_references. Others
# (e.g. `command-alias ... show access-list X`) only mention names.
_GENERIC_REFERENCE_COMMANDS = frozenset(
    {"static", "capture", "wccp", "router", "interface", "route-map", "crypto", "multicast-routing", "pim", "igmp"}
)

# Words a numbered ACL name may follow when it is only mentioned (see mentioned_definitions).
_ACL_WORDS = frozenset(
    {
        "access-list",
        "access-group",
        "address",
        "match",
        "value",
        "network-acl",
        "appl-acl",
        "redirect-list",
        "group-list",
        "distribute-list",
        "filter",
    }
)


@dataclass
class _Access:
    """One `ssh|telnet|http` source line."""

    protocol: str
    source: Source
    allowed_from: tuple[tuple[int, int], ...]
    interface: str


@dataclass
class _Switch:
    """An on/off setting written as a command and its `no` form (the last one wins)."""

    enabled: bool = False
    source: Source | None = None

    def set(self, enabled: bool, source: Source) -> None:
        self.enabled, self.source = enabled, source


class _Reader:
    """Reads one file; `names` are the file's `name` aliases (None for an IPv6 alias),
    `interfaces` the interfaces the forwarding parser built (keyed by hardware name)."""

    def __init__(
        self, lines: Sequence[str], path: str, names: Mapping[str, int | None], interfaces: Mapping[str, Interface]
    ) -> None:
        self.lines = lines
        self.path = path
        self.names = names
        self.interfaces = interfaces
        self.settings = MgmtSettings()
        self.users: dict[str, UserAccount] = {}
        self.access: list[_Access] = []
        self.timeouts: dict[str, tuple[int, Source]] = {}  # console | ssh | telnet | asdm → seconds
        self.http_server = _Switch()
        self.logging = _Switch()
        self.logging_trap = _Switch()
        self.banner_kinds: set[str] = set()
        self.interfaces_in_use: set[str] = set()  # failover links, redundant members
        self.definition_lines: set[int] = set()
        self.defined: set[tuple[str, str]] = set()

    def source(self, index: int) -> Source:
        return Source(self.path, index + 1, self.lines[index])

    def words(self, index: int) -> list[str]:
        return split_words(self.lines[index])

    # -- driver

    def run(self) -> MgmtSettings:
        blocks = text_blocks(self.lines, ("!", ":"))
        # Definitions first: a reference's kind (object or object-group, IPv4 or IPv6 ACL)
        # depends on what the file defines, wherever it defines it.
        for block in blocks:
            self.guarded(self.definitions, block)
        for block in blocks:
            self.guarded(self.block, block)
        self.finish()
        return self.settings

    @staticmethod
    def guarded(handler: Callable[[TextBlock], None], block: TextBlock) -> None:
        try:
            handler(block)
        except (IndexError, ValueError):
            # A malformed management line is simply not a fact; the forwarding parser
            # has already classified it.
            return

    def block(self, block: TextBlock) -> None:
        words = self.words(block.header)
        lowered = [word.lower() for word in words]
        negated = lowered[0] == "no"
        rest = lowered[1:] if negated else lowered
        if not rest:
            return
        self.references(block, words, lowered)
        first = rest[0]
        if negated:
            self.negated(block.header, rest)
        elif first == "hostname" and len(words) == 2:
            self.settings.hostname_source = self.source(block.header)
        elif first == "console" and rest[1:2] == ["timeout"] and len(words) >= 3:
            self.timeout("console", block.header, words[2])
        elif first in ("ssh", "telnet", "http"):
            self.remote_command(block.header, words, lowered)
        elif first == "aaa":
            self.settings.aaa.append(self.source(block.header))
            if rest[1:5] == ["local", "authentication", "attempts", "max-fail"]:
                self.settings.login_failure_limits.append(self.source(block.header))
        elif first == "banner" and len(words) >= 2:
            self.banner(block.header, lowered[1])
        elif first == "username" and len(words) >= 3:
            self.username_command(block.header, words, lowered)
        elif first == "enable" and rest[1:2] == ["password"] and len(words) >= 3:
            self.enable_command(block.header, words, lowered)
        elif first in ("passwd", "password") and len(words) >= 2:
            scheme = _scheme(words[1], lowered[2:], empty_hash_possible=True)
            self.settings.credentials.append(Credential("login", "", scheme, self.source(block.header)))
        elif first == "ntp" and rest[1:2] == ["server"] and len(words) >= 3:
            self.settings.ntp_servers.append(HostReference(words[2], self.source(block.header)))
        elif first == "logging":
            self.logging_command(block.header, words, lowered)
        elif first == "snmp-server" and len(words) >= 3:
            self.snmp_command(block.header, words, lowered)
        elif first == "interface" and len(words) >= 2:
            self.interface_block(block, words)
        elif rest[:2] == ["ip", "address"] and len(words) >= 4 and lowered[3] in ("dhcp", "pppoe"):
            self.pix_learnt_address(words[2], block.header)
        elif first == "failover" and len(words) >= 4 and rest[1] in ("lan", "link"):
            self.failover_link(words, lowered)

    def negated(self, index: int, rest: list[str]) -> None:
        source = self.source(index)
        if rest[:2] in (["logging", "enable"], ["logging", "on"]):
            self.logging.set(False, source)
        elif rest[:2] == ["logging", "trap"]:
            self.logging_trap.set(False, source)
        elif rest[:2] == ["logging", "timestamp"]:
            self.settings.log_timestamps, self.settings.log_timestamps_source = "none", source
        elif rest[:3] == ["http", "server", "enable"]:
            self.http_server.set(False, source)

    # -- sessions and remote access

    def timeout(self, what: str, index: int, word: str) -> None:
        if is_decimal(word):
            self.timeouts[what] = (int(word) * 60, self.source(index))

    def remote_command(self, index: int, words: list[str], lowered: list[str]) -> None:
        """`ssh|telnet|http ADDR MASK IF`, `... PREFIX/LEN IF` (IPv6), `ssh|telnet timeout N`,
        `http server enable [PORT]`, `http server idle-timeout N`."""
        protocol = lowered[0]
        if lowered[1] == "timeout" and protocol != "http" and len(words) == 3:
            self.timeout(protocol, index, words[2])
        elif protocol == "http" and lowered[1:3] == ["server", "enable"]:
            self.http_server.set(True, self.source(index))
        elif protocol == "http" and lowered[1:3] == ["server", "idle-timeout"] and len(words) >= 4:
            self.timeout("asdm", index, words[3])
        elif len(words) == 4 and "/" not in words[1]:
            allowed = self.ipv4_source(words[1], words[2])
            if allowed is not None:
                self.access.append(_Access(protocol, self.source(index), allowed, self.hardware_name(words[3])))
        elif len(words) == 3 and "/" in words[1] and looks_like_ipv6(words[1].split("/", 1)[0]):
            # IPv6 sources: "any" stays visible as such; any other prefix is a restriction,
            # which holds no IPv4 address.
            length = words[1].split("/", 1)[1]
            allowed = ((0, 0),) if length == "0" else ()
            self.access.append(_Access(protocol, self.source(index), allowed, self.hardware_name(words[2])))

    def ipv4_source(self, address_word: str, mask_word: str) -> tuple[tuple[int, int], ...] | None:
        """The prefix of `ADDR MASK`; None when the ASA would refuse the line (a name that
        is not defined, a mask that is not a netmask)."""
        if is_ipv4(address_word):
            address = ip_to_int(address_word)
        elif self.names.get(address_word) is not None:
            address = self.names[address_word] or 0
        else:
            return None
        if not is_ipv4(mask_word):
            return None
        mask = ip_to_int(mask_word)
        length = mask_to_length(mask)
        if length is None:
            return None
        return ((address & mask, length),)

    def hardware_name(self, nameif: str) -> str:
        """The interface a nameif names (as in `Device.interfaces`), else the word as written."""
        exact = [name for name, interface in self.interfaces.items() if _nameif(interface) == nameif]
        if exact:
            return exact[0]
        folded = [
            name
            for name, interface in self.interfaces.items()
            if (_nameif(interface) or "").casefold() == nameif.casefold()
        ]
        return folded[0] if len(folded) == 1 else nameif

    def banner(self, index: int, kind: str) -> None:
        # One Banner per kind: each line of a multi-line banner is its own `banner KIND` line.
        if kind not in self.banner_kinds:
            self.banner_kinds.add(kind)
            self.settings.banners.append(Banner(kind, self.source(index)))

    # -- credentials and accounts

    def enable_command(self, index: int, words: list[str], lowered: list[str]) -> None:
        """`enable password PW [level N] [encrypted | pbkdf2]`."""
        options = lowered[3:]
        level = None
        if "level" in options[:-1] and is_decimal(options[options.index("level") + 1]):
            level = int(options[options.index("level") + 1])
        scheme = _scheme(words[2], options, empty_hash_possible=True)
        owner = f"level {level}" if level is not None else ""
        self.settings.credentials.append(Credential("enable", owner, scheme, self.source(index), level))

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
                scheme = _scheme(words[position + 1], lowered[position + 2 :], empty_hash_possible=False)
                position += 2
            elif word == "nopassword":
                scheme = "none"
                position += 1
            elif word == "privilege" and position + 1 < len(words) and is_decimal(words[position + 1]):
                privilege = int(words[position + 1])
                position += 2
            else:
                position += 1
        account = UserAccount(name, self.source(index), privilege)
        record_user(self.users, self.settings.credentials, account, scheme)

    # -- logging and SNMP

    def logging_command(self, index: int, words: list[str], lowered: list[str]) -> None:
        source = self.source(index)
        what = lowered[1] if len(lowered) > 1 else ""
        if what in ("enable", "on") and len(words) == 2:
            self.logging.set(True, source)
        elif what == "trap" and len(words) >= 3:
            self.logging_trap.set(True, source)
        elif what == "timestamp":
            self.settings.log_timestamps, self.settings.log_timestamps_source = "datetime", source
        elif what == "host" and len(words) >= 3:
            # `logging host IF ADDR [...]`; PIX 6 also takes `logging host ADDR`.
            address = words[2] if is_ipv4(words[2]) or len(words) == 3 else words[3]
            self.settings.logging_hosts.append(HostReference(address, source))

    def snmp_command(self, index: int, words: list[str], lowered: list[str]) -> None:
        what = lowered[1]
        source = self.source(index)
        if what == "community":
            name = _community_value(words[2:])
            if name is not None:
                self.settings.snmp_communities.append(SnmpCommunity(name, "ro", source))
        elif what == "host" and "community" in lowered[3:]:
            name = _community_value(words[lowered.index("community", 3) + 1 :])
            if name is not None:
                self.settings.snmp_communities.append(SnmpCommunity(name, "ro", source))
        elif what == "group" and len(words) >= 4:
            version = lowered[3].lstrip("v")
            security = lowered[4] if version == "3" and len(words) > 4 else None
            self.settings.snmp_groups.append(SnmpGroup(words[2], version, source, security))
        elif what == "user" and len(words) >= 5:
            version = next((word.lstrip("v") for word in lowered[4:] if word in ("v1", "v2c", "v3")), "")
            self.settings.snmp_users.append(
                SnmpUser(
                    words[2],
                    words[3],
                    version,
                    source,
                    authenticated="auth" in lowered[4:],
                    encrypted="priv" in lowered[4:],
                )
            )

    # -- interfaces

    def interface_block(self, block: TextBlock, words: list[str]) -> None:
        name = canonical_interface_name(words[1])
        if name not in self.interfaces:
            return  # a block the forwarding parser refused
        facts = self.settings.interfaces.get(name) or InterfaceMgmt(name, self.source(block.header))
        for index in block.children:
            facts = self.interface_child(facts, index)
        self.settings.interfaces[name] = facts

    def interface_child(self, facts: InterfaceMgmt, index: int) -> InterfaceMgmt:
        lowered = [word.lower() for word in self.words(index)]
        if lowered[0].startswith("!"):
            return facts
        if not any(tuple(lowered[: len(prefix)]) == prefix for prefix in _BARE_COMMANDS):
            facts = replace(facts, bare=False)
        if lowered[:2] == ["ip", "address"] and len(lowered) >= 3:
            return replace(facts, address_unknown=lowered[2] in ("dhcp", "pppoe"))
        if lowered[:3] == ["no", "ip", "address"]:
            return replace(facts, address_unknown=False)
        if lowered[0] == "member-interface" and len(lowered) == 2:
            self.interfaces_in_use.add(canonical_interface_name(self.words(index)[1]))
        return facts

    def pix_learnt_address(self, nameif: str, index: int) -> None:
        """PIX 6 `ip address NAMEIF dhcp|pppoe [setroute]`."""
        name = self.hardware_name(nameif)
        if name in self.interfaces:
            interface = self.interfaces[name]
            facts = self.settings.interfaces.get(name) or InterfaceMgmt(name, interface.source)
            self.settings.interfaces[name] = replace(facts, address_unknown=True, bare=False)

    def failover_link(self, words: list[str], lowered: list[str]) -> None:
        """`failover lan interface NAME HW` and `failover link NAME [HW]` dedicate a port."""
        if lowered[1:3] == ["lan", "interface"] and len(words) >= 5:
            self.interfaces_in_use.add(canonical_interface_name(words[4]))
        elif lowered[1] == "link" and len(words) >= 4:
            self.interfaces_in_use.add(canonical_interface_name(words[3]))

    # -- named objects: definitions (ACL-003) and uses (ACL-001)

    def define(self, kind: str, name: str, index: int) -> None:
        self.definition_lines.add(index)
        if (kind, name) not in self.defined:
            self.defined.add((kind, name))
            self.settings.definitions.append(NamedObject(kind, name, self.source(index)))

    def definitions(self, block: TextBlock) -> None:
        words = self.words(block.header)
        lowered = [word.lower() for word in words]
        first = lowered[0]
        if first == "access-list" and len(words) >= 3 and lowered[1] not in ("alert-interval", "deny-flow-max"):
            self.define("acl", words[1], block.header)
        elif lowered[:2] == ["ipv6", "access-list"] and len(words) >= 4:
            self.define("ipv6-acl", words[2], block.header)
        elif first == "object" and len(words) == 3:
            self.define("object", words[2], block.header)
        elif first == "object-group" and len(words) >= 3:
            self.define("object-group", words[2], block.header)
        elif first == "class-map" and len(words) >= 2:
            self.define("class-map", words[-1], block.header)
        elif first == "policy-map" and len(words) >= 2:
            self.define("policy-map", words[-1], block.header)
        elif first == "route-map" and len(words) >= 2:
            self.define("route-map", words[1], block.header)

    def reference(self, kind: str, name: str, index: int, context: str, mentioned: bool = False) -> None:
        self.settings.references.append(NamedReference(kind, name, self.source(index), context, mentioned))

    def acl_kind(self, name: str) -> str:
        return "ipv6-acl" if ("ipv6-acl", name) in self.defined and ("acl", name) not in self.defined else "acl"

    def object_kind(self, name: str) -> str:
        """NAT takes an object or an object-group by name; an undefined one counts as an object."""
        return "object-group" if ("object-group", name) in self.defined else "object"

    def references(self, block: TextBlock, words: list[str], lowered: list[str]) -> None:
        index = block.header
        first = lowered[0]
        if first == "access-list" and len(words) >= 3:
            self.acl_entry_references(index, words, lowered)
        elif first == "access-group" and len(words) >= 3:
            context = "access-group global" if lowered[2] == "global" else f"access-group {' '.join(words[2:5])}"
            self.reference(self.acl_kind(words[1]), words[1], index, context)
        elif first == "object" and len(words) == 3:
            self.object_block_references(block, words)
        elif first == "object-group" and len(words) >= 3:
            self.group_references(block, words[2])
        elif first == "nat":
            self.twice_nat_references(index, words, lowered)
            self.generic_references(block)  # pre-8.3 `nat (IF) N access-list ACL`
        elif first in ("class-map", "policy-map"):
            self.policy_references(block, words[-1], first)
        elif first == "service-policy" and len(words) >= 2:
            self.reference("policy-map", words[1], index, "service-policy")
        elif first == "group-policy" or first == "dynamic-access-policy-record":
            self.vpn_policy_references(block, words)
        elif first == "aaa" and len(words) >= 4 and lowered[2] == "match":
            self.reference(self.acl_kind(words[3]), words[3], index, " ".join(words[:2]))
        elif first == "crypto" and "match" in lowered and lowered[lowered.index("match") + 1 :][:1] == ["address"]:
            position = lowered.index("match") + 2
            if position < len(words):
                self.reference("acl", words[position], index, " ".join(words[:3]))
        elif first in _GENERIC_REFERENCE_COMMANDS:
            self.generic_references(block)

    def acl_entry_references(self, index: int, words: list[str], lowered: list[str]) -> None:
        body = lowered[2:]
        if body[:1] == ["line"]:
            body = body[2:]
        if body[:1] == ["remark"]:
            return
        for position in range(2, len(words) - 1):
            word = lowered[position]
            if word in ("object-group", "object-group-user", "object-group-security"):
                self.reference("object-group", words[position + 1], index, f"access-list {words[1]}")
            elif word == "object":
                self.object_reference(words[position + 1], index, f"access-list {words[1]}")

    def object_block_references(self, block: TextBlock, words: list[str]) -> None:
        name = words[2]
        for index in block.children:
            child = self.words(index)
            lowered = [word.lower() for word in child]
            if lowered[0] != "nat":
                continue
            # An object NAT rule uses its own object, and may name a mapped object or pool.
            self.reference("object", name, index, f"object {name} nat")
            for position, word in enumerate(lowered[1:], start=1):
                if word in ("static", "dynamic", "pat-pool") and position + 1 < len(child):
                    self.nat_operand(child[position + 1], index, f"object {name} nat")

    def object_reference(self, name: str, index: int, context: str) -> None:
        """`object NAME`: a configured object, else one of the ASA's predefined service
        objects (`icmp-echo`, `ospf`), which needs no definition."""
        if ("object", name) in self.defined or not _predefined_service(name):
            self.reference("object", name, index, context)

    def nat_operand(self, word: str, index: int, context: str) -> None:
        if word.lower() in _NAT_KEYWORDS or is_ipv4(word) or looks_like_ipv6(word) or word in self.names:
            return
        self.reference(self.object_kind(word), word, index, context)

    def twice_nat_references(self, index: int, words: list[str], lowered: list[str]) -> None:
        """`nat (R,M) [line] source static|dynamic REAL MAPPED [destination static A B]
        [service A B] ...`; the operands are objects or object-groups by name."""
        position = 1
        while position < len(words):
            word = lowered[position]
            if word in ("source", "destination") and position + 1 < len(words):
                operands = words[position + 2 : position + 4]
                if len(operands) == 2 and operands[1].lower() == "pat-pool":
                    operands = [operands[0], *words[position + 4 : position + 5]]
                for operand in operands:
                    self.nat_operand(operand, index, "nat")
                position += 4
            elif word == "service":
                for operand in words[position + 1 : position + 3]:
                    self.nat_operand(operand, index, "nat")
                position += 3
            else:
                position += 1

    def group_references(self, block: TextBlock, group: str) -> None:
        for index in block.children:
            child = self.words(index)
            lowered = [word.lower() for word in child]
            if lowered[0] == "group-object" and len(child) == 2:
                self.reference("object-group", child[1], index, f"object-group {group}")
            elif lowered[0] in ("network-object", "service-object") and lowered[1:2] == ["object"] and len(child) == 3:
                self.object_reference(child[2], index, f"object-group {group}")

    def policy_references(self, block: TextBlock, name: str, kind: str) -> None:
        """class-map `match access-list ACL`; policy-map `class NAME`, `match ... class NAME`
        (regex classes), `inspect PROTOCOL MAP`, a nested `service-policy`."""
        context = f"{kind} {name}"
        for index in block.children:
            child = self.words(index)
            lowered = [word.lower() for word in child]
            if lowered[:2] == ["match", "access-list"] and len(child) >= 3:
                self.reference(self.acl_kind(child[2]), child[2], index, context)
            elif lowered[0] == "class" and len(child) == 2 and lowered[1] != "class-default":
                self.reference("class-map", child[1], index, context)
            elif lowered[0] == "match" and "class" in lowered[1:-1]:
                self.reference("class-map", child[lowered.index("class", 1) + 1], index, context)
            elif lowered[0] == "inspect" and len(child) >= 3 and ("policy-map", child[-1]) in self.defined:
                # Only a defined map counts: the last word may be a sub-protocol (`inspect
                # h323 ras`) or a built-in map the configuration does not show.
                self.reference("policy-map", child[-1], index, context)
            elif lowered[0] == "service-policy" and len(child) >= 2:
                self.reference("policy-map", child[1], index, context)

    def vpn_policy_references(self, block: TextBlock, words: list[str]) -> None:
        """group-policy `vpn-filter value ACL`, `split-tunnel-network-list value ACL`,
        webvpn `filter value ACL`; DAP records `network-acl ACL`, `appl-acl ACL`."""
        context = " ".join(words[:2])
        for index in block.children:
            child = self.words(index)
            lowered = [word.lower() for word in child]
            if (
                len(child) >= 3
                and lowered[1] == "value"
                and lowered[0]
                in (
                    "vpn-filter",
                    "split-tunnel-network-list",
                    "ipv6-split-tunnel-network-list",
                    "filter",
                )
            ):
                self.reference(self.acl_kind(child[2]), child[2], index, context)
            elif lowered[0] in ("network-acl", "appl-acl") and len(child) == 2:
                self.reference("acl", child[1], index, context)

    def generic_references(self, block: TextBlock) -> None:
        """Uses of ACLs and route-maps in commands read nowhere else: legacy NAT, captures,
        routing processes, policy routing, WCCP."""
        header = self.words(block.header)
        context = " ".join(header[:3])
        for index in (block.header, *block.children):
            words = self.words(index)
            lowered = [word.lower() for word in words]
            for position, word in enumerate(lowered[:-1]):
                following = words[position + 1]
                # At the start of a top-level line the word defines (`route-map X permit 10`).
                inside_command = position > 0 or index != block.header
                if word == "route-map" and inside_command:
                    self.reference("route-map", following, index, context)
                elif _names_acl(word, following.lower(), inside_command):
                    self.reference(self.acl_kind(following), following, index, context)
            if lowered[:3] == ["match", "ip", "address"] and "prefix-list" not in lowered:
                for name in words[3:]:
                    self.reference(self.acl_kind(name), name, index, context)

    def mentioned_definitions(self) -> None:
        """Counts every other mention of a defined name as a use, so that ACL-003 stays
        quiet about uses this pass does not know. A name made of digits only counts after
        a word that takes an ACL."""
        explicit = {(ref.kind, ref.name) for ref in self.settings.references}
        pending = {(d.kind, d.name) for d in self.settings.definitions} - explicit
        by_name: dict[str, list[str]] = {}
        for kind, name in pending:
            by_name.setdefault(name, []).append(kind)
        for index, line in enumerate(self.lines):
            if not by_name:
                return
            if index in self.definition_lines:
                continue
            words = split_words(line)
            if not words or words[0].startswith(("!", ":")) or words[0].lower() in ("description", "remark"):
                continue
            for position, word in enumerate(words):
                kinds = by_name.get(word)
                if not kinds or (is_decimal(word) and (position == 0 or words[position - 1].lower() not in _ACL_WORDS)):
                    continue
                for kind in kinds:
                    self.settings.references.append(NamedReference(kind, word, self.source(index), "", mentioned=True))
                del by_name[word]

    # -- wrap up

    def finish(self) -> None:
        self.settings.users = list(self.users.values())
        self.finish_remote_access()
        self.finish_sessions()
        self.finish_interfaces()
        for name, enabled in _ASA_DEFAULT_SERVICES.items():
            self.settings.services.append(ServiceState(name, enabled))
        self.settings.services.append(ServiceState("https-server", self.http_server.enabled, self.http_server.source))
        self.settings.services.append(ServiceState("logging", self.logging.enabled, self.logging.source))
        self.settings.services.append(ServiceState("logging-trap", self.logging_trap.enabled, self.logging_trap.source))
        self.mentioned_definitions()

    def finish_remote_access(self) -> None:
        for access in self.access:
            if access.protocol == "http":
                if not self.http_server.enabled:
                    continue  # without `http server enable` the line admits nobody
                protocol = "https"
            else:
                protocol = access.protocol
            self.settings.remote_access.append(
                RemoteAccess(
                    protocol=protocol,
                    source=access.source,
                    allowed_from=access.allowed_from,
                    interface=access.interface,
                )
            )

    def finish_sessions(self) -> None:
        anchor = self.settings.hostname_source or Source(self.path, 1, self.lines[0] if self.lines else "")
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
        self.settings.sessions.append(
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

    def finish_interfaces(self) -> None:
        """Every interface gets its facts; one that is named or addressed, carries failover
        or a redundant pair, or is a switch port of a named VLAN interface (on a switch-port
        model a port with no configuration is in VLAN 1) is in use whatever its block says."""
        for name, interface in self.interfaces.items():
            facts = self.settings.interfaces.get(name) or InterfaceMgmt(name, interface.source)
            svi = self.interfaces.get(f"Vlan{interface.access_vlan}") if interface.access_vlan is not None else None
            in_use = (
                _nameif(interface) is not None
                or bool(interface.addresses)
                or name in self.interfaces_in_use
                or (svi is not None and _nameif(svi) is not None)
            )
            self.settings.interfaces[name] = replace(facts, bare=facts.bare and not in_use)


def _nameif(interface: Interface) -> str | None:
    return dict(interface.properties).get("nameif")


def _scheme(value: str, options: Sequence[str], empty_hash_possible: bool) -> str:
    """Storage scheme of a password `value` followed by `options` (lower-case words)."""
    for option in options:
        if option in _PASSWORD_FORMS:
            if empty_hash_possible and option == "encrypted" and value == EMPTY_PASSWORD_HASH:
                return "none"
            return _PASSWORD_FORMS[option]
    return "plaintext"


def _predefined_service(name: str) -> bool:
    """The ASA's predefined service objects: a protocol (`ip`, `ospf`) or an ICMP type
    (`icmp-echo`), as the forwarding parser reads them."""
    lowered = name.lower()
    return lowered == "ip" or lowered in PROTOCOL_NAMES or (lowered.startswith("icmp-") and lowered[5:] in ICMP_NAMES)


def _names_acl(word: str, following: str, inside_command: bool) -> bool:
    """Whether the word after `word` names an ACL (legacy NAT, captures, WCCP, routing)."""
    if word in ("access-list", "redirect-list", "group-list"):
        return inside_command
    return word == "distribute-list" and following not in ("prefix", "prefix-list", "route-map")


def _community_value(words: Sequence[str]) -> str | None:
    """The community after `community`: `[0 | 8] TEXT` (8 = stored encrypted)."""
    if len(words) >= 2 and words[0] in ("0", "8"):
        return words[1]
    return words[0] if words else None


def read_management(
    lines: Sequence[str],
    path: str,
    names: Mapping[str, int | None],
    interfaces: Mapping[str, Interface],
) -> MgmtSettings:
    """Management facts of one ASA / PIX / FWSM file. `names` are its `name` aliases (None
    for an IPv6 alias); `interfaces` the interfaces the forwarding parser built."""
    return _Reader(lines, path, names, interfaces).run()
