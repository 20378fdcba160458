"""Allied Telesis AlliedWare Plus (AT-x switches, AR routers): the plugin (detection, parser,
interface names, command text)."""

from __future__ import annotations

from nankoku_netcheck.model import Device
from nankoku_netcheck.vendors.alliedware_plus.names import canonical
from nankoku_netcheck.vendors.alliedware_plus.remediation import REMEDIATION
from nankoku_netcheck.vendors.base import VendorPlugin
from nankoku_netcheck.vendors.detect import Signature, signatures

# Evidence no Cisco syntax carries: the `portM.S.P` port names, hardware ACL numbers
# (3000-3699; IOS numbered lists stop at 2699), named hardware lists, the stacking and
# DHCP-snooping spellings, and the default `awplus` prompt around a pasted capture.
SIGNATURES: tuple[Signature, ...] = signatures(
    ("interface", r"^interface port\d+\.\d+\.\d+", 5),
    # Lower-case `vlan`: IOS and NX-OS print `Vlan10`.
    ("interface", r"^interface vlan\d+\s*$", 2),
    ("ip", r"^[ \t]+ip address \d{1,3}(?:\.\d{1,3}){3}/\d+", 1),
    ("", r"^awplus(?:[#>]|\(config)", 3),
    ("access-list", r"^access-list (?:3[0-6]\d\d|4[0-6]\d\d) (?:permit|deny|copy-to-\S+|send-to-\S+) ", 3),
    ("access-list", r"^access-list hardware \S+", 3),
    ("stack", r"^stack virtual-chassis", 3),
    ("ip", r"^ip dhcp-snooping\b", 2),
    ("no service", r"^(?:no )?service (?:telnet|ssh|http)\s*$", 1),
    ("log", r"^log host \S", 1),
)


class AlliedWarePlus(VendorPlugin):
    name = "alliedware_plus"  # the parser's VENDOR (tests/test_vendor_lazy_parsers.py)
    label = "Allied Telesis AlliedWare Plus"
    signatures = SIGNATURES
    remediation = REMEDIATION

    def parse(self, text: str, path: str, instance: str | None = None) -> Device:
        self.refuse_instance(path, instance)
        from nankoku_netcheck.vendors.alliedware_plus.parser import parse  # when first asked (vendors/__init__.py)

        return parse(text, path)

    def interface_alias(self, device: Device, name: str) -> str | None:
        """`vlan10` for the model's `Vlan10`, `PORT1.0.1` for `port1.0.1`."""
        wanted = canonical(name.strip())
        return wanted if wanted in device.interfaces else None


__all__ = ["SIGNATURES", "AlliedWarePlus"]
