"""YAMAHA RTX: the plugin (detection, parser, interface names, command text)."""

from __future__ import annotations

import re

from nankoku_netcheck.model import Device
from nankoku_netcheck.vendors.base import VendorPlugin
from nankoku_netcheck.vendors.detect import Signature, signatures
from nankoku_netcheck.vendors.yamaha_rtx.remediation import REMEDIATION

SIGNATURES: tuple[Signature, ...] = signatures(
    ("ip", r"^[ \t]*ip (?:lan|pp|tunnel|bridge|loopback)\d* (?:address|secure filter|nat descriptor|mtu)\b", 3),
    ("ip", r"^ip lan\d+ ", 3),
    ("ip", r"^ip filter (?:dynamic )?\d+ (?:pass|reject|restrict)", 3),
    ("pp", r"^pp (?:select|enable|bind) ", 3),
    ("tunnel", r"^tunnel (?:select|enable|encapsulation) ", 3),
    ("nat", r"^nat descriptor ", 3),
    ("ip", r"^ip route \S+ gateway ", 3),
    ("login administrator", r"^(?:login|administrator) (?:password|user)\b", 2),
    ("user", r"^user attribute ", 2),
    ("dns", r"^dns (?:service|private address spoof|server select|static|domain lookup) ", 3),
    ("dns", r"^dns server \S", 1),
    ("ip", r"^ip host \S+ \S", 1),
    ("console", r"^console (?:character|prompt|lines) ", 3),
    ("l2tp ipsec dhcp", r"^(?:l2tp|ipsec|dhcp) service ", 2),
    ("", r"^#\s*(?:RTX|NVR|Rev\.)", 3),
)


# The numbered LAN ports (`lanN`); their VLANs are `lanN/M`, PP and tunnels carry no cable.
ETHERNET_PORT = re.compile(r"^lan[0-9]+$", re.IGNORECASE)


class YamahaRtx(VendorPlugin):
    name = "yamaha_rtx"  # the parser's VENDOR (tests/test_vendor_lazy_parsers.py)
    label = "YAMAHA RTX"
    signatures = SIGNATURES
    remediation = REMEDIATION
    ethernet_port = ETHERNET_PORT

    def parse(self, text: str, path: str, instance: str | None = None) -> Device:
        self.refuse_instance(path, instance)
        from nankoku_netcheck.vendors.yamaha_rtx.parser import parse  # when first asked (vendors/__init__.py)

        return parse(text, path)

    def interface_alias(self, device: Device, name: str) -> str | None:
        # `pp 1` / `tunnel 1` as the CLI writes them name pp1 / tunnel1.
        compact = "".join(name.split()).lower()
        return compact if compact in device.interfaces else None


__all__ = ["SIGNATURES", "YamahaRtx"]
