"""Vendor parsers: an explicit registry, vendor detection and one entry point.

Adding a vendor means adding its module and one row to `VENDORS` and, if it can be
recognised from the text, a place in `DETECTION_ORDER`. More specific syntaxes come
first: an ASA configuration also matches loose IOS markers (`hostname`, `interface`),
so `cisco_asa` must be tried before `cisco_ios`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from nankoku_netcheck.errors import InputError
from nankoku_netcheck.model import Device
from nankoku_netcheck.parse import cisco_asa, cisco_ios


@dataclass(frozen=True)
class VendorParser:
    name: str
    detect: Callable[[str], bool]
    parse: Callable[[str, str], Device]


VENDORS: dict[str, VendorParser] = {
    "cisco_asa": VendorParser("cisco_asa", cisco_asa.detect, cisco_asa.parse),
    "cisco_ios": VendorParser("cisco_ios", cisco_ios.detect, cisco_ios.parse),
}

# Tried in this order; the first vendor whose detector accepts the text wins.
DETECTION_ORDER: tuple[str, ...] = ("cisco_asa", "cisco_ios")

# IOS is the default syntax: a file no detector recognises is read as IOS, so every
# line it cannot interpret is reported as an unknown line rather than dropped.
DEFAULT_VENDOR = "cisco_ios"


def detect_vendor(text: str) -> str | None:
    """Name of the first vendor (in DETECTION_ORDER) that recognises `text`, else None."""
    for name in DETECTION_ORDER:
        if VENDORS[name].detect(text):
            return name
    return None


def parse_config(text: str, path: str, vendor: str | None = None) -> Device:
    """Parse one configuration. `vendor` overrides detection; an unknown vendor name
    is an input error. When detection fails the text is parsed as `DEFAULT_VENDOR`."""
    if vendor is None:
        vendor = detect_vendor(text) or DEFAULT_VENDOR
    parser = VENDORS.get(vendor)
    if parser is None:
        known = ", ".join(sorted(VENDORS))
        raise InputError.single(path, 0, f"unknown vendor '{vendor}' (known: {known})")
    return parser.parse(text, path)


canonical_interface_name = cisco_ios.canonical_interface_name

__all__ = [
    "DEFAULT_VENDOR",
    "DETECTION_ORDER",
    "VENDORS",
    "VendorParser",
    "canonical_interface_name",
    "detect_vendor",
    "parse_config",
]
