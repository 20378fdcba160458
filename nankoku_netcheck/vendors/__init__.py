"""The vendor registry: the one table of supported configuration syntaxes.

Each vendor is a subpackage with one `VendorPlugin` (see base.py). Adding a vendor means
adding its subpackage and one row to `PLUGINS`; nothing outside `vendors/` names a vendor.
The row order is the order detection asks the plugins in (see detect.py): a syntax whose
files also match another plugin's evidence comes first (ASA before IOS); FortiOS's
evidence (`config`/`edit`/`next`) is like no other's, so it is asked first; the YAMAHA RTX's
(`ip lanN`, `pp select`, `ip filter N pass`) shares no line shape with the Cisco syntaxes; NEC IX
(`interface GigaEthernet0.0`, `ip access-list N permit ... src ... dest`) and AlliedWare Plus
(`portM.S.P`, hardware ACL numbers; its text also carries IOS-like lines such as `hostname`,
`interface`, `!`) before the Cisco plugins: their own evidence never occurs in Cisco configs.

A plugin imports its parser when it is first asked to parse: a run that finds every config in
the parse cache (an edit run, `diff`, a re-run) needs detection and interface names only, and
importing all six parsers took 0.12 s of each such run.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from nankoku_netcheck.errors import InputError
from nankoku_netcheck.model import Device
from nankoku_netcheck.vendors import detect
from nankoku_netcheck.vendors.alliedware_plus import AlliedWarePlus
from nankoku_netcheck.vendors.base import VendorPlugin
from nankoku_netcheck.vendors.cisco_asa import CiscoAsa
from nankoku_netcheck.vendors.cisco_ios import CiscoIos
from nankoku_netcheck.vendors.detect import Detection
from nankoku_netcheck.vendors.fortios import FortiOS
from nankoku_netcheck.vendors.nec_ix import NecIx
from nankoku_netcheck.vendors.yamaha_rtx import YamahaRtx

PLUGINS: tuple[VendorPlugin, ...] = (FortiOS(), YamahaRtx(), NecIx(), AlliedWarePlus(), CiscoAsa(), CiscoIos())

VENDORS: Mapping[str, VendorPlugin] = MappingProxyType({plugin.name: plugin for plugin in PLUGINS})
SUPPORTED: tuple[str, ...] = tuple(plugin.name for plugin in PLUGINS)
DETECTION_ORDER: tuple[str, ...] = SUPPORTED
_CANDIDATES = tuple((plugin.name, plugin.signatures) for plugin in PLUGINS)


def classify(text: str) -> Detection:
    """Which supported syntax `text` is written in, or what it looks like (see detect.py)."""
    return detect.classify(text, _CANDIDATES)


def detect_vendor(text: str) -> str | None:
    """The supported vendor `text` is recognised as, else None."""
    return classify(text).vendor


def plugin_for(vendor: str) -> VendorPlugin:
    """The plugin named `vendor` (KeyError when none is)."""
    return VENDORS[vendor]


def parse_config(text: str, path: str, vendor: str | None = None, instance: str | None = None) -> Device:
    """Parse one configuration. `vendor` overrides detection; an unknown vendor name is
    an input error, and so is a text that detection does not recognise as a supported
    vendor (the message says what it looks like). `instance`: the virtual device inside
    the config (see VendorPlugin.parse)."""
    if vendor is None:
        detection = classify(text)
        if detection.vendor is None:
            raise InputError.single(path, 0, detection.message())
        vendor = detection.vendor
    plugin = VENDORS.get(vendor)
    if plugin is None:
        known = ", ".join(sorted(VENDORS))
        raise InputError.single(path, 0, f"unknown vendor '{vendor}' (known: {known})")
    return plugin.parse(text, path, instance)


def resolve_interface(device: Device, name: str) -> str | None:
    """The name of `device`'s interface that `name` refers to, or None: the exact name, the
    name ignoring case, then the vendor's own shorthand (its plugin's `interface_alias`)."""
    if name in device.interfaces:
        return name
    folded = name.casefold()
    same_but_case = sorted(known for known in device.interfaces if known.casefold() == folded)
    if same_but_case:
        return same_but_case[0]
    plugin = VENDORS.get(device.vendor)
    return plugin.interface_alias(device, name) if plugin is not None else None


def is_ethernet_port(device: Device, name: str) -> bool:
    """Whether `device`'s interface `name` is a physical Ethernet port in its vendor's naming
    (the plugin's `ethernet_port`)."""
    plugin = VENDORS.get(device.vendor)
    return plugin is not None and plugin.ethernet_port.match(name) is not None


__all__ = [
    "DETECTION_ORDER",
    "PLUGINS",
    "SUPPORTED",
    "VENDORS",
    "Detection",
    "VendorPlugin",
    "classify",
    "detect_vendor",
    "is_ethernet_port",
    "parse_config",
    "plugin_for",
    "resolve_interface",
]
