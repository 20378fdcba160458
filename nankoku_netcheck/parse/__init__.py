"""Vendor parsers: an explicit registry, vendor detection and one entry point.

Adding a vendor means adding its module and one row to `VENDORS`, and moving its
signatures in detect.py from the foreign labels to the supported ones. A config is parsed
only when detect.py recognises it positively; anything else is refused (an InputError
naming what it looks like), never read as IOS by default.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from nankoku_netcheck.errors import InputError
from nankoku_netcheck.model import Device
from nankoku_netcheck.parse import cisco_asa, cisco_ios
from nankoku_netcheck.parse.detect import DETECTION_ORDER, SUPPORTED, Detection, classify


@dataclass(frozen=True)
class VendorParser:
    name: str
    detect: Callable[[str], bool]
    parse: Callable[[str, str], Device]


VENDORS: dict[str, VendorParser] = {
    "cisco_asa": VendorParser("cisco_asa", cisco_asa.detect, cisco_asa.parse),
    "cisco_ios": VendorParser("cisco_ios", cisco_ios.detect, cisco_ios.parse),
}


def detect_vendor(text: str) -> str | None:
    """The supported vendor `text` is recognised as, else None (see detect.py)."""
    return classify(text).vendor


def parse_config(text: str, path: str, vendor: str | None = None) -> Device:
    """Parse one configuration. `vendor` overrides detection; an unknown vendor name is
    an input error, and so is a text that detection does not recognise as a supported
    vendor (the message says what it looks like)."""
    if vendor is None:
        detection = classify(text)
        if detection.vendor is None:
            raise InputError.single(path, 0, detection.message())
        vendor = detection.vendor
    parser = VENDORS.get(vendor)
    if parser is None:
        known = ", ".join(sorted(VENDORS))
        raise InputError.single(path, 0, f"unknown vendor '{vendor}' (known: {known})")
    return parser.parse(text, path)


canonical_interface_name = cisco_ios.canonical_interface_name

__all__ = [
    "DETECTION_ORDER",
    "SUPPORTED",
    "VENDORS",
    "Detection",
    "VendorParser",
    "canonical_interface_name",
    "classify",
    "detect_vendor",
    "parse_config",
]
