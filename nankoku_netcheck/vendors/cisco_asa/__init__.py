"""Cisco ASA (and PIX / FWSM): the plugin (detection, parser, interface names, command text)."""

from __future__ import annotations

from nankoku_netcheck.model import Device
from nankoku_netcheck.vendors.base import VendorPlugin
from nankoku_netcheck.vendors.cisco_asa.remediation import REMEDIATION
from nankoku_netcheck.vendors.cisco_ios import ETHERNET_PORT, abbreviated_interface
from nankoku_netcheck.vendors.detect import DECISIVE, IP_PATTERN, Signature, signatures

SIGNATURES: tuple[Signature, ...] = signatures(
    ("ASA PIX FWSM", r"^(?:ASA|PIX|FWSM) Version \S", DECISIVE),
    (":", r"^: Saved\s*$", DECISIVE),
    (":", r"^: Hardware: ", DECISIVE),
    ("nameif", r"^[ \t]+nameif \S", 2),
    ("security-level", r"^[ \t]+security-level \d", 2),
    ("access-group", r"^access-group \S+ (?:(?:in|out) interface \S|global\b)", 3),
    ("access-list", r"^access-list \S+ extended (?:permit|deny) ", 2),
    ("same-security-traffic", r"^same-security-traffic ", 3),
    # Not `object-group network`: IOS 15 has it too.
    ("object", r"^object network \S", 2),
    ("route", rf"^route (?!map\b)[A-Za-z][\w.-]* {IP_PATTERN} {IP_PATTERN} {IP_PATTERN}", 3),
    ("nat", r"^nat \([\w.-]+,[\w.-]+\) ", 3),
)


class CiscoAsa(VendorPlugin):
    name = "cisco_asa"
    label = "Cisco ASA / PIX / FWSM"
    signatures = SIGNATURES
    remediation = REMEDIATION
    ethernet_port = ETHERNET_PORT

    def parse(self, text: str, path: str, instance: str | None = None) -> Device:
        self.refuse_instance(path, instance)
        from nankoku_netcheck.vendors.cisco_asa.parser import parse  # when first asked (vendors/__init__.py)

        return parse(text, path)

    def interface_alias(self, device: Device, name: str) -> str | None:
        """Abbreviated hardware names (Gi0/1), then the `nameif` (exact, then ignoring case)."""
        return abbreviated_interface(device, name) or _interface_by_nameif(device, name)


def _interface_by_nameif(device: Device, name: str) -> str | None:
    folded = name.casefold()
    exact = sorted(known for known, interface in device.interfaces.items() if ("nameif", name) in interface.properties)
    if exact:
        return exact[0]
    ignoring_case = sorted(
        known
        for known, interface in device.interfaces.items()
        if any(key == "nameif" and value.casefold() == folded for key, value in interface.properties)
    )
    return ignoring_case[0] if ignoring_case else None


__all__ = ["SIGNATURES", "CiscoAsa"]
