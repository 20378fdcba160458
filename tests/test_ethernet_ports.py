"""PORT-001's Ethernet-port naming is a plugin fact (`VendorPlugin.ethernet_port`), reached
through the registry: the rules module knows no vendor's interface names."""

from __future__ import annotations

import pytest

from nankoku_netcheck.model import Device
from nankoku_netcheck.vendors import PLUGINS, is_ethernet_port
from nankoku_netcheck.vendors.base import NO_ETHERNET_PORTS

VENDOR_NAMES = {plugin.name for plugin in PLUGINS}


def device(vendor: str) -> Device:
    return Device(name="d", vendor=vendor, source_file="d.cfg")


@pytest.mark.parametrize(
    ("vendor", "name", "expected"),
    [
        ("cisco_ios", "GigabitEthernet0/1", True),
        ("cisco_ios", "TenGigabitEthernet1/1/1", True),
        ("cisco_ios", "Management0", True),
        ("cisco_ios", "Serial0/0/0", False),
        ("cisco_ios", "Virtual-Template1", False),
        ("cisco_ios", "lan1", False),
        ("cisco_asa", "GigabitEthernet0/0", True),
        ("cisco_asa", "Management0/0", True),
        ("yamaha_rtx", "lan1", True),
        ("yamaha_rtx", "LAN2", True),
        ("yamaha_rtx", "lan1/1", False),
        ("yamaha_rtx", "pp1", False),
        ("yamaha_rtx", "GigabitEthernet0/1", False),
        ("nec_ix", "GigaEthernet0.0", True),
        ("nec_ix", "FastEthernet0/0.0", True),
        ("nec_ix", "Tunnel0.0", False),
        # No PORT-001 naming yet for these syntaxes: nothing counts as a port.
        ("fortios", "port1", False),
        ("alliedware_plus", "port1.0.1", False),
        ("unknown_vendor", "GigabitEthernet0/1", False),
    ],
)
def test_each_plugin_says_which_names_are_ethernet_ports(vendor: str, name: str, expected: bool) -> None:
    assert vendor in VENDOR_NAMES or vendor == "unknown_vendor"
    assert is_ethernet_port(device(vendor), name) is expected


def test_the_base_class_names_no_port() -> None:
    assert NO_ETHERNET_PORTS.match("GigabitEthernet0/1") is None
    assert NO_ETHERNET_PORTS.match("") is None
