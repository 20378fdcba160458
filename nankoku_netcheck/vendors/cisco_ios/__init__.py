"""Cisco IOS / IOS-XE: the plugin (detection, parser, interface names, command text)."""

from __future__ import annotations

import re

from nankoku_netcheck.model import Device
from nankoku_netcheck.vendors.base import VendorPlugin
from nankoku_netcheck.vendors.cisco_ios.interfaces import canonical_interface_name
from nankoku_netcheck.vendors.cisco_ios.remediation import REMEDIATION
from nankoku_netcheck.vendors.detect import DECISIVE, IP_PATTERN, Signature, signatures

_INTERFACE_TYPES = (
    "GigabitEthernet|FastEthernet|TenGigabitEthernet|Ethernet|Serial|Loopback|Vlan|Tunnel|"
    "Port-channel|Dialer|BVI|Virtual-Template"
)

# Ethernet jacks in Cisco naming (GigabitEthernet0/1, Gig1/0/1, Management0/0): a "physical"
# interface of another type (Virtual-Template, Dialer, Serial, Cellular) is not a port
# someone can plug a cable into.
ETHERNET_PORT = re.compile(r"^[A-Za-z-]*(?:Ethernet|GigE|Gig|Management)[0-9]", re.IGNORECASE)

SIGNATURES: tuple[Signature, ...] = signatures(
    ("version", r"^version 1\d\.\d+\s*$", DECISIVE),
    ("boot-start-marker", r"^boot-start-marker\s*$", DECISIVE),
    ("Current", r"^Current configuration : \d+ bytes", 5),
    ("", r"^!RANCID-CONTENT-TYPE: cisco\s*$", 2),
    ("hostname", r"^hostname \S+\s*$", 2),
    ("!", r"^!\s*$", 1),
    ("end", r"^end\s*$", 1),
    ("interface", rf"^interface (?:{_INTERFACE_TYPES})\s?\d+(?:/\d+){{0,2}}(?:\.\d+)?\s*$", 2),
    ("ip", rf"^[ \t]+ip address {IP_PATTERN} {IP_PATTERN}(?: secondary)?\s*$", 2),
    ("ip", rf"^ip route (?:vrf \S+ )?{IP_PATTERN} {IP_PATTERN} \S", 2),
    ("ip", r"^ip access-list (?:extended|standard) \S", 2),
    # Standard and extended numbered ranges only: 3000-3699 is an AlliedWare Plus ACL.
    ("access-list", r"^access-list (?:[1-9]\d?|1\d\d|1[3-9]\d\d|2[0-6]\d\d) (?:permit|deny|remark) ", 3),
    ("permit deny", r"^[ \t]+(?:permit|deny) (?:ip|tcp|udp|icmp|\d+) ", 1),
    ("router", r"^router (?:ospf|eigrp|bgp|rip|isis)\b", 2),
    ("line", r"^line (?:vty|con|aux) \d", 2),
    ("service no", r"^(?:no )?service (?:timestamps|password-encryption|pad|config)\b", 1),
    ("enable", r"^enable (?:secret|password) ", 2),
    ("ip", r"^ip (?:cef|routing|domain[- ]name|domain lookup|classless|subnet-zero|http server|ssh version)\b", 1),
    (
        "snmp-server logging ntp banner aaa crypto spanning-tree class-map policy-map",
        r"^(?:snmp-server|logging|ntp|banner|aaa|crypto|spanning-tree|class-map|policy-map) ",
        1,
    ),
    ("route-map", r"^route-map \S+ (?:permit|deny)\b", 2),
    ("ip", r"^ip (?:prefix-list|as-path access-list|community-list|nat inside|dhcp pool|sla) ", 1),
    ("control-plane", r"^control-plane\s*$", 2),
)


class CiscoIos(VendorPlugin):
    name = "cisco_ios"
    label = "Cisco IOS / IOS-XE"
    signatures = SIGNATURES
    remediation = REMEDIATION
    ethernet_port = ETHERNET_PORT

    def parse(self, text: str, path: str, instance: str | None = None) -> Device:
        self.refuse_instance(path, instance)
        from nankoku_netcheck.vendors.cisco_ios.parser import parse  # when first asked (vendors/__init__.py)

        return parse(text, path)

    def interface_alias(self, device: Device, name: str) -> str | None:
        return abbreviated_interface(device, name)


def abbreviated_interface(device: Device, name: str) -> str | None:
    """The interface a Cisco abbreviation names: Gi0/1 for GigabitEthernet0/1, po1 for Port-channel1."""
    expanded = canonical_interface_name(name).casefold()
    matches = sorted(known for known in device.interfaces if canonical_interface_name(known).casefold() == expanded)
    return matches[0] if matches else None


__all__ = ["ETHERNET_PORT", "SIGNATURES", "CiscoIos", "abbreviated_interface", "canonical_interface_name"]
