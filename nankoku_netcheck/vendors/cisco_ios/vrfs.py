"""IOS VRF-lite: `vrf definition X` and `ip vrf X` blocks (the interface side, `vrf
forwarding X`, is read in interfaces.py; `ip route vrf X` in routing.py).

A VRF block by itself forwards nothing: its route distinguisher, description and
address-family markers are bookkeeping. What can move routes between tables is read with
care:

- `route-target import|export|both`: with BGP on the device, MP-BGP may import routes of
  another local VRF (a leak between tables on the same box) or of remote PEs over the MPLS
  core (traffic leaving by global interfaces). Neither is modelled, so on a device that runs
  BGP these lines stay FORWARDING (inconclusive). Without any `router bgp` nothing imports or
  exports routes: the lines are inert.
- `import ipv4 unicast map`, `export ipv4 unicast map`, `route-replicate` (leaks to and from
  the global table), `mdt` (multicast VPN) and `vnet tag` (EVN trunks) stay FORWARDING.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from nankoku_netcheck.model import UnknownKind
from nankoku_netcheck.vendors.common import LineBook, descendants, lookup_prefix

HARMLESS = UnknownKind.HARMLESS
FORWARDING = UnknownKind.FORWARDING

ROUTE_TARGET_WITH_BGP = (
    "route-target with BGP on the device: MP-BGP may import routes between VRFs on this device or from the "
    "MPLS VPN; inter-VRF route leaking by route-targets is not modelled"
)
ROUTE_TARGET_WITHOUT_BGP = "route-target without BGP on the device: no routes are imported or exported"
_LEAK = "route leaking between a VRF and the global table by route-map is not modelled"

# Lines inside a VRF block, by their first words.
VRF_BLOCK_COMMANDS: Mapping[tuple[str, ...], tuple[UnknownKind, str]] = {
    ("rd",): (HARMLESS, "route distinguisher (a BGP label; VRF-lite forwarding does not use it)"),
    ("description",): (HARMLESS, "description"),
    ("address-family", "ipv4"): (HARMLESS, "the VRF's IPv4 address family"),
    ("address-family", "ipv6"): (HARMLESS, "IPv6 setting (IPv6 forwarding is reported at 'ipv6 unicast-routing')"),
    ("exit-address-family",): (HARMLESS, "end of an address-family section"),
    ("exit",): (HARMLESS, "end of a section"),
    ("maximum", "routes"): (HARMLESS, "route limit (can only withdraw routes)"),
    ("snmp",): (HARMLESS, "SNMP context of the VRF (management plane)"),
    ("vpn", "id"): (HARMLESS, "VPN identifier (a label)"),
    ("import", "ipv4"): (FORWARDING, _LEAK),
    ("export", "ipv4"): (FORWARDING, _LEAK),
    ("import", "map"): (FORWARDING, ROUTE_TARGET_WITH_BGP),
    ("export", "map"): (FORWARDING, ROUTE_TARGET_WITH_BGP),
    ("route-replicate",): (FORWARDING, _LEAK),
    ("mdt",): (FORWARDING, "multicast VPN (mdt) is not modelled"),
    ("vnet",): (FORWARDING, "EVN virtual networks (vnet tag) are not modelled"),
}


class VrfReader:
    """The VRF blocks of one file, accounted for in `book`."""

    def __init__(self, book: LineBook) -> None:
        self.book = book
        self.names: list[str] = []
        # route-target lines: inert or not depending on whether the device runs BGP.
        self.route_targets: list[int] = []

    def block(self, obj: Any, words: list[str]) -> None:
        """`vrf definition X` or `ip vrf X`."""
        book = self.book
        self.names.append(words[-1])
        book.parsed(obj.linenum)
        for child in descendants(obj):
            index = child.linenum
            if book.comment_or_blank(index) or index in book.outcome:
                continue
            lowered = [word.lower() for word in book.words(index)]
            if lowered[0] == "route-target":
                self.route_targets.append(index)
                continue
            entry = lookup_prefix(VRF_BLOCK_COMMANDS, lowered)
            if entry is None:
                book.unknown(index, FORWARDING, f"VRF setting '{' '.join(lowered[:2])}' is not modelled")
            else:
                book.unknown(index, entry[0], entry[1])

    def classify_route_targets(self, runs_bgp: bool) -> None:
        for index in self.route_targets:
            if runs_bgp:
                self.book.unknown(index, FORWARDING, ROUTE_TARGET_WITH_BGP)
            else:
                self.book.unknown(index, HARMLESS, ROUTE_TARGET_WITHOUT_BGP)


def is_vrf_block(lowered: list[str]) -> bool:
    """`vrf definition X` or `ip vrf X` (a global VRF block, not `ip vrf forwarding`)."""
    return (lowered[:2] == ["vrf", "definition"] and len(lowered) == 3) or (
        lowered[:2] == ["ip", "vrf"] and len(lowered) == 3
    )
