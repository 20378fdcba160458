"""IOS ports and radios: per-interface management facts (CDP, port security, 802.1X,
bare ports, ACL uses) and the SSIDs with their WPA settings (management facts; see mgmt.py)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace

from nankoku_netcheck.model import InterfaceMgmt, Source, Wlan, is_decimal
from nankoku_netcheck.vendors.cisco_ios.mgmt_book import MgmtBook
from nankoku_netcheck.vendors.common import TextBlock

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
# The first words of the interface commands `PortReader.interface_child` reads facts from
# (a branch there on a new first word needs it here).
_READ_FIRST_WORDS = frozenset(
    {"cdp", "no", "switchport", "dot1x", "authentication", "access-session", "mab"}
    | {"ip", "pppoe-client", "dialer", "ipv6", "mac", "encryption"}
)
_BARE_PREFIXES = frozenset(_BARE_COMMANDS)
_BARE_LENGTHS = tuple(sorted({len(prefix) for prefix in _BARE_COMMANDS}))


def _bare_command(lowered: list[str]) -> bool:
    """Whether the interface command starts with one of `_BARE_COMMANDS` (one set look-up
    per prefix length instead of a comparison per table row: this runs on every line of
    every interface)."""
    return any(tuple(lowered[:length]) in _BARE_PREFIXES for length in _BARE_LENGTHS)


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


class PortReader:
    """Interface and SSID blocks of one file, read into `book`; `canonical` expands
    interface names."""

    def __init__(self, book: MgmtBook, canonical: Callable[[str], str]) -> None:
        self.book = book
        self.canonical = canonical
        self.ssids: dict[str, _SsidDraft] = {}
        self.radio_ciphers: dict[int | None, set[str]] = {}

    # -- wireless

    def ssid_block(self, block: TextBlock, words: list[str]) -> None:
        draft = self.ssids.setdefault(words[2], _SsidDraft(words[2], self.book.source(block.header)))
        for index in block.children:
            child = self.book.words(index)
            lowered = [word.lower() for word in child]
            if lowered[0] == "vlan" and len(child) >= 2 and is_decimal(child[1]):
                draft.vlan = int(child[1])
            elif lowered[:2] == ["authentication", "key-management"]:
                draft.key_management = True
                if "version" in lowered:
                    after = lowered[lowered.index("version") + 1 :]
                    draft.wpa_version = int(after[0]) if after and is_decimal(after[0]) else None
                draft.evidence.append(self.book.source(index))
            elif lowered[0] == "wpa-psk":
                draft.psk = True
                draft.evidence.append(self.book.source(index))
            elif lowered[:2] == ["authentication", "network-eap"] or (
                lowered[:2] == ["authentication", "open"] and "eap" in lowered
            ):
                draft.eap = True
                draft.evidence.append(self.book.source(index))

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
            self.book.settings.wlans.append(
                Wlan(draft.name, draft.source, draft.vlan, versions, auth, (), tuple(draft.evidence))
            )

    # -- interfaces

    def interface_block(self, block: TextBlock, words: list[str]) -> None:
        name_words = words[1:]
        if len(name_words) >= 2 and is_decimal(name_words[1][:1]) and not any(is_decimal(c) for c in name_words[0]):
            name_words = [name_words[0] + name_words[1], *name_words[2:]]
        name = self.canonical(name_words[0])
        facts = self.book.settings.interfaces.get(name) or InterfaceMgmt(name, self.book.source(block.header))
        for index in block.children:
            facts = self.interface_child(facts, index)
        self.book.settings.interfaces[name] = facts

    def interface_child(self, facts: InterfaceMgmt, index: int) -> InterfaceMgmt:
        words = self.book.words(index)
        lowered = [word.lower() for word in words]
        if lowered[0].startswith("!"):
            return facts
        if facts.bare and not _bare_command(lowered):
            facts = replace(facts, bare=False)
        if lowered[0] not in _READ_FIRST_WORDS:  # descriptions, VLANs, spanning-tree: no fact below
            return facts
        # The line's Source and the reference context are made only on the branches that
        # keep them: most interface lines (descriptions, VLANs, addresses) keep neither.
        if lowered[:2] == ["cdp", "enable"]:
            return replace(facts, cdp=True, cdp_source=self.book.source(index))
        if lowered[:3] == ["no", "cdp", "enable"]:
            return replace(facts, cdp=False, cdp_source=self.book.source(index))
        if lowered[:2] == ["switchport", "port-security"]:
            return self.port_security(facts, words, lowered, self.book.source(index))
        if lowered[1:3] == ["port-control", "auto"] and lowered[0] in ("dot1x", "authentication", "access-session"):
            return replace(facts, dot1x=True, access_control_source=self.book.source(index))
        if lowered == ["mab"] or lowered[:2] == ["dot1x", "mac-auth-bypass"]:
            return replace(
                facts, mab=True, access_control_source=facts.access_control_source or self.book.source(index)
            )
        if (lowered[:2] == ["ip", "address"] and lowered[2:3] in (["dhcp"], ["negotiated"], ["pool"])) or (
            lowered[:2] == ["ip", "unnumbered"] or lowered[0] == "pppoe-client" or lowered[:2] == ["dialer", "pool"]
        ):
            return replace(facts, address_unknown=True)
        if lowered[:2] == ["ip", "access-group"] and len(words) >= 3:
            context = f"interface {facts.name} {' '.join(lowered[3:4])}".strip()
            self.book.reference("acl", words[2], index, context)
        elif lowered[:2] == ["ipv6", "traffic-filter"] and len(words) >= 3:
            self.book.reference("ipv6-acl", words[2], index, f"interface {facts.name}")
        elif lowered[:2] == ["mac", "access-group"] and len(words) >= 3:
            self.book.reference("mac-acl", words[2], index, f"interface {facts.name}")
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


def _mac(word: str) -> str:
    return word.lower()
