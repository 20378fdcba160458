"""ASA interface facts of the management pass (bare ports, ports in use)."""

from __future__ import annotations

from dataclasses import replace

from nankoku_netcheck.model import (
    InterfaceMgmt,
)
from nankoku_netcheck.vendors.cisco_asa.mgmt_book import MgmtBook, nameif_of
from nankoku_netcheck.vendors.cisco_ios.parser import canonical_interface_name
from nankoku_netcheck.vendors.common import (
    TextBlock,
)

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


class PortReader:
    """Interface facts for PORT-001: which ports are bare (configured with nothing that puts
    them to use) and which are in use whatever their block says."""

    def __init__(self, book: MgmtBook) -> None:
        self.book = book
        self.interfaces_in_use: set[str] = set()  # failover links, redundant members

    def interface_block(self, block: TextBlock, words: list[str]) -> None:
        name = canonical_interface_name(words[1])
        if name not in self.book.interfaces:
            return  # a block the forwarding parser refused
        facts = self.book.settings.interfaces.get(name) or InterfaceMgmt(name, self.book.source(block.header))
        for index in block.children:
            facts = self.interface_child(facts, index)
        self.book.settings.interfaces[name] = facts

    def interface_child(self, facts: InterfaceMgmt, index: int) -> InterfaceMgmt:
        lowered = [word.lower() for word in self.book.words(index)]
        if lowered[0].startswith("!"):
            return facts
        if not any(tuple(lowered[: len(prefix)]) == prefix for prefix in _BARE_COMMANDS):
            facts = replace(facts, bare=False)
        if lowered[:2] == ["ip", "address"] and len(lowered) >= 3:
            return replace(facts, address_unknown=lowered[2] in ("dhcp", "pppoe"))
        if lowered[:3] == ["no", "ip", "address"]:
            return replace(facts, address_unknown=False)
        if lowered[0] == "member-interface" and len(lowered) == 2:
            self.interfaces_in_use.add(canonical_interface_name(self.book.words(index)[1]))
        return facts

    def pix_learnt_address(self, nameif: str, index: int) -> None:
        """PIX 6 `ip address NAMEIF dhcp|pppoe [setroute]`."""
        name = self.book.hardware_name(nameif)
        if name in self.book.interfaces:
            interface = self.book.interfaces[name]
            facts = self.book.settings.interfaces.get(name) or InterfaceMgmt(name, interface.source)
            self.book.settings.interfaces[name] = replace(facts, address_unknown=True, bare=False)

    def failover_link(self, words: list[str], lowered: list[str]) -> None:
        """`failover lan interface NAME HW` and `failover link NAME [HW]` dedicate a port."""
        if lowered[1:3] == ["lan", "interface"] and len(words) >= 5:
            self.interfaces_in_use.add(canonical_interface_name(words[4]))
        elif lowered[1] == "link" and len(words) >= 4:
            self.interfaces_in_use.add(canonical_interface_name(words[3]))

    def finish_interfaces(self) -> None:
        """Every interface gets its facts; one that is named or addressed, carries failover
        or a redundant pair, or is a switch port of a named VLAN interface (on a switch-port
        model a port with no configuration is in VLAN 1) is in use whatever its block says."""
        for name, interface in self.book.interfaces.items():
            facts = self.book.settings.interfaces.get(name) or InterfaceMgmt(name, interface.source)
            svi = (
                self.book.interfaces.get(f"Vlan{interface.access_vlan}") if interface.access_vlan is not None else None
            )
            in_use = (
                nameif_of(interface) is not None
                or bool(interface.addresses)
                or name in self.interfaces_in_use
                or (svi is not None and nameif_of(svi) is not None)
            )
            self.book.settings.interfaces[name] = replace(facts, bare=facts.bare and not in_use)
