"""Fortinet FortiGate (FortiOS): the plugin (detection, parser, interface names, command text)."""

from __future__ import annotations

from nankoku_netcheck.model import Device
from nankoku_netcheck.vendors.base import VendorPlugin
from nankoku_netcheck.vendors.detect import DECISIVE, Signature, signatures
from nankoku_netcheck.vendors.fortios.remediation import REMEDIATION

SIGNATURES: tuple[Signature, ...] = signatures(
    ("", r"^#config-version=", DECISIVE),
    ("config", r"^config (?:system|firewall|router|vpn|user|log|vdom|global)\b", 3),
    ("edit", r"^[ \t]*edit (?:\"[^\"]*\"|\d+)\s*$", 2),
    ("set", r"^[ \t]+set \S+ ", 1),
    ("next", r"^[ \t]*next\s*$", 2),
)


class FortiOS(VendorPlugin):
    name = "fortios"  # the parser's VENDOR (tests/test_vendor_lazy_parsers.py)
    label = "Fortinet FortiGate (FortiOS)"
    signatures = SIGNATURES
    remediation = REMEDIATION

    def parse(self, text: str, path: str, instance: str | None = None) -> Device:
        from nankoku_netcheck.vendors.fortios.parser import parse  # when first asked (vendors/__init__.py)

        return parse(text, path, instance)


__all__ = ["SIGNATURES", "FortiOS"]
