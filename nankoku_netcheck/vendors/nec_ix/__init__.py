"""NEC UNIVERGE IX (IX2000/IX3000): the plugin (detection, parser, interface names, command text)."""

from __future__ import annotations

import re

from nankoku_netcheck.model import Device
from nankoku_netcheck.vendors.base import VendorPlugin
from nankoku_netcheck.vendors.detect import DECISIVE, IP_PATTERN, Signature, signatures
from nankoku_netcheck.vendors.nec_ix.names import interface_alias
from nankoku_netcheck.vendors.nec_ix.remediation import REMEDIATION

SIGNATURES: tuple[Signature, ...] = signatures(
    ("!", r"^! NEC Portable Internetwork Core Operating System", DECISIVE),
    ("ip", r"^ip ufs-cache\b", 3),
    ("interface", r"^interface (?:GigaEthernet|FastEthernet|Tunnel|Loopback|BVI)\d+\.\d+\s*$", 3),
    ("ip", r"^[ \t]+ip napt ", 3),
    ("ip", r"^ip access-list \S+ (?:permit|deny) .* src \S+ .*dest ", 3),
    (
        "proxy-dns telnet-server ssh-server http-server",
        r"^(?:proxy-dns|telnet-server|ssh-server|http-server) ip enable",
        3,
    ),
    ("ipsec", r"^ipsec autokey-(?:map|proposal) ", 3),
    ("username", r"^username \S+ password (?:hash|plain) ", 3),
    ("timezone", r"^timezone [+-]\d\d \d\d\s*$", 3),
    ("logging", r"^logging subsystem ", 2),
    ("ip", rf"^ip route {IP_PATTERN}/\d+ ", 1),
)


# The Ethernet jacks (`GigaEthernet0`, `FastEthernet0/0`); their logical interfaces are `.N`.
ETHERNET_PORT = re.compile(r"^[A-Za-z-]*Ethernet[0-9]", re.IGNORECASE)


class NecIx(VendorPlugin):
    name = "nec_ix"  # the parser's VENDOR (tests/test_vendor_lazy_parsers.py)
    label = "NEC UNIVERGE IX"
    signatures = SIGNATURES
    remediation = REMEDIATION
    ethernet_port = ETHERNET_PORT

    def parse(self, text: str, path: str, instance: str | None = None) -> Device:
        self.refuse_instance(path, instance)
        from nankoku_netcheck.vendors.nec_ix.parser import parse  # when first asked (vendors/__init__.py)

        return parse(text, path, instance)

    def interface_alias(self, device: Device, name: str) -> str | None:
        return interface_alias(device, name)


__all__ = ["SIGNATURES", "NecIx"]
