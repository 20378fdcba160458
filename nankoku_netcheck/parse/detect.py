"""Which syntax a configuration is written in, decided positively from its own lines.

A config is only parsed when it is recognised as a supported vendor (cisco_ios, cisco_asa).
Anything else is refused with one line that names what it looks like: reading a FortiOS or
Junos file with the IOS parser gives nonsense findings and, worse, zone verdicts built on
nothing (a file whose every line is unknown models no segment at all).

How a file is scored
--------------------
`SIGNATURES` maps a vendor label to patterns, each with a weight. A pattern counts once
however often it matches (a 5,000-line config is not surer than a 50-line one), and a
label's score is the sum of the weights of its patterns that match somewhere in the text
(patterns are anchored to whole lines, so headers around the config — `Building
configuration...`, CLI prompt lines, RANCID comments — only add evidence, never hide it).
A label is *recognised* at `THRESHOLD` points; a single pattern worth `DECISIVE` points
(a version header such as `ASA Version 9.8(4)` or `version 15.7`, `#config-version=`,
`!! IOS XR`, ...) settles the question for its label on its own.

Deciding
--------
1. The supported candidate is cisco_asa when ASA scores at least `THRESHOLD`, else
   cisco_ios when IOS does (ASA text also carries IOS-like lines such as `hostname` and
   `interface`, so ASA is asked first, as before).
2. No foreign label recognised: the supported candidate, or "not a recognised network
   config" when there is none.
3. A foreign label recognised as well (the ambiguous case): the file is refused, naming
   the best-scoring foreign label — unless the supported candidate's evidence is decisive
   and no foreign evidence is. Guessing wrong costs more than asking the user to say
   `vendor:` in the topology, which always overrides detection.
Ties between foreign labels go to the one listed first in `SIGNATURES`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

SUPPORTED: tuple[str, ...] = ("cisco_ios", "cisco_asa")
THRESHOLD = 3
DECISIVE = 10

_IP = r"\d{1,3}(?:\.\d{1,3}){3}"


def _signatures(*rows: tuple[str, int]) -> tuple[tuple[re.Pattern[str], int], ...]:
    return tuple((re.compile(pattern, re.MULTILINE), weight) for pattern, weight in rows)


# Vendor label → (pattern, weight). Labels of supported vendors are their parser names;
# the others are what the refusal message shows. Foreign labels are listed in the order
# that breaks ties.
SIGNATURES: Mapping[str, tuple[tuple[re.Pattern[str], int], ...]] = {
    "cisco_asa": _signatures(
        (r"^(?:ASA|PIX|FWSM) Version \S", DECISIVE),
        (r"^: Saved\s*$", DECISIVE),
        (r"^: Hardware: ", DECISIVE),
        (r"^[ \t]+nameif \S", 2),
        (r"^[ \t]+security-level \d", 2),
        (r"^access-group \S+ (?:(?:in|out) interface \S|global\b)", 3),
        (r"^access-list \S+ extended (?:permit|deny) ", 2),
        (r"^same-security-traffic ", 3),
        # Not `object-group network`: IOS 15 has it too.
        (r"^object network \S", 2),
        (rf"^route (?!map\b)[A-Za-z][\w.-]* {_IP} {_IP} {_IP}", 3),
        (r"^nat \([\w.-]+,[\w.-]+\) ", 3),
    ),
    "cisco_ios": _signatures(
        (r"^version 1\d\.\d+\s*$", DECISIVE),
        (r"^boot-start-marker\s*$", DECISIVE),
        (r"^Current configuration : \d+ bytes", 5),
        (r"^!RANCID-CONTENT-TYPE: cisco\s*$", 2),
        (r"^hostname \S+\s*$", 2),
        (r"^!\s*$", 1),
        (r"^end\s*$", 1),
        (
            r"^interface (?:GigabitEthernet|FastEthernet|TenGigabitEthernet|Ethernet|Serial|Loopback|Vlan|Tunnel|"
            r"Port-channel|Dialer|BVI|Virtual-Template)\s?\d+(?:/\d+){0,2}(?:\.\d+)?\s*$",
            2,
        ),
        (rf"^[ \t]+ip address {_IP} {_IP}(?: secondary)?\s*$", 2),
        (rf"^ip route (?:vrf \S+ )?{_IP} {_IP} \S", 2),
        (r"^ip access-list (?:extended|standard) \S", 2),
        # Standard and extended numbered ranges only: 3000-3699 is an AlliedWare Plus ACL.
        (r"^access-list (?:[1-9]\d?|1\d\d|1[3-9]\d\d|2[0-6]\d\d) (?:permit|deny|remark) ", 3),
        (r"^[ \t]+(?:\d+ )?(?:permit|deny) (?:ip|tcp|udp|icmp|\d+) ", 1),
        (r"^router (?:ospf|eigrp|bgp|rip|isis)\b", 2),
        (r"^line (?:vty|con|aux) \d", 2),
        (r"^(?:no )?service (?:timestamps|password-encryption|pad|config)\b", 1),
        (r"^enable (?:secret|password) ", 2),
        (r"^ip (?:cef|routing|domain[- ]name|domain lookup|classless|subnet-zero|http server|ssh version)\b", 1),
        (r"^(?:snmp-server|logging|ntp|banner|aaa|crypto|spanning-tree|class-map|policy-map) ", 1),
        (r"^route-map \S+ (?:permit|deny)\b", 2),
        (r"^ip (?:prefix-list|as-path access-list|community-list|nat inside|dhcp pool|sla) ", 1),
        (r"^control-plane\s*$", 2),
    ),
    "FortiOS": _signatures(
        (r"^#config-version=", DECISIVE),
        (r"^config (?:system|firewall|router|vpn|user|log|vdom|global)\b", 3),
        (r"^[ \t]*edit (?:\"[^\"]*\"|\d+)\s*$", 2),
        (r"^[ \t]+set \S+ ", 1),
        (r"^[ \t]*next\s*$", 2),
    ),
    "Junos": _signatures(
        (r"^#?\s*RANCID-CONTENT-TYPE: juniper", DECISIVE),
        (r"^(?:set )?version \d+\.\d+[RXDI]\d", DECISIVE),
        (r"^## Last (?:commit|changed): ", 5),
        (
            r"^(?:system|interfaces|routing-options|protocols|policy-options|firewall|security|"
            r"routing-instances|snmp|chassis) \{\s*$",
            3,
        ),
        (r"^[ \t]+host-name \S+;\s*$", 3),
        (r"^[ \t]+family (?:inet6?|mpls|ethernet-switching) (?:\{|;)", 3),
        (
            r"^set (?:system|interfaces|routing-options|protocols|policy-options|firewall|security|"
            r"routing-instances|snmp|chassis|groups|apply-groups|vlans|forwarding-options|class-of-service) ",
            3,
        ),
        (r"^set interfaces \S+ unit \d+ family ", 3),
        (r"^deactivate \S", 2),
    ),
    "PAN-OS": _signatures(
        (r"<config version=\"[^\"]*\" urldb=", DECISIVE),
        (r"^set deviceconfig system ", 5),
        (r"^set network (?:interface|virtual-router|zone) ", 3),
        (r"^set (?:rulebase|vsys|zone|address|address-group|service|mgt-config|shared) ", 2),
        (r"<deviceconfig>|<devices>|<vsys>|<rulebase>", 3),
    ),
    "Yamaha RTX": _signatures(
        (r"^ip (?:lan|pp|tunnel|bridge|loopback)\d* (?:address|secure filter|nat descriptor|mtu)\b", 3),
        (r"^ip lan\d+ ", 3),
        (r"^ip filter (?:dynamic )?\d+ (?:pass|reject|restrict)", 3),
        (r"^pp (?:select|enable|bind) ", 3),
        (r"^tunnel (?:select|enable|encapsulation) ", 3),
        (r"^nat descriptor ", 3),
        (r"^ip route \S+ gateway ", 3),
        (r"^(?:login|administrator) (?:password|user)\b", 2),
        (r"^user attribute ", 2),
        (r"^dns (?:service|private address spoof|server select|static|domain lookup) ", 3),
        (r"^dns server \S", 1),
        (r"^ip host \S+ \S", 1),
        (r"^console (?:character|prompt|lines) ", 3),
        (r"^(?:l2tp|ipsec|dhcp) service ", 2),
        (r"^#\s*(?:RTX|NVR|RTX\d+|Rev\.)", 3),
    ),
    "NEC IX": _signatures(
        (r"^! NEC Portable Internetwork Core Operating System", DECISIVE),
        (r"^ip ufs-cache\b", 3),
        (r"^interface (?:GigaEthernet|FastEthernet|Tunnel|Loopback|BVI)\d+\.\d+\s*$", 3),
        (r"^[ \t]+ip napt ", 3),
        (r"^ip access-list \S+ (?:permit|deny) .* src \S+ .*dest ", 3),
        (r"^(?:proxy-dns|telnet-server|ssh-server|http-server) ip enable", 3),
        (r"^ipsec autokey-(?:map|proposal) ", 3),
        (r"^username \S+ password (?:hash|plain) ", 3),
        (r"^timezone [+-]\d\d \d\d\s*$", 3),
        (r"^logging subsystem ", 2),
        (rf"^ip route {_IP}/\d+ ", 1),
    ),
    "AlliedWare Plus": _signatures(
        (r"^interface port\d+\.\d+\.\d+", 5),
        (r"awplus", 3),
        (r"^access-list (?:3\d{3}|4\d{3}) (?:permit|deny) ", 3),
        (r"^stack virtual-chassis", 3),
        (r"^ip dhcp-snooping\b", 2),
    ),
    "NX-OS": _signatures(
        (r"^boot nxos ", DECISIVE),
        (r"^!Command: show running-config", DECISIVE),
        (r"^feature \S", 3),
        (r"^vdc \S", 3),
        (r"^vrf context \S", 3),
        (r"^version \d+\.\d+\(\d+\)\S*\s*$", 3),
        (r"role network-(?:admin|operator)", 2),
        (rf"^[ \t]+ip address {_IP}/\d+", 1),
        (r"^interface Ethernet\d+/\d+", 1),
    ),
    "IOS-XR": _signatures(
        (r"^!! IOS XR", DECISIVE),
        (r"^RP/\d+/\S+:\S+#", DECISIVE),
        (r"^interface \S+?\d+/\d+/\d+/\d+", 3),
        (rf"^[ \t]+ipv4 address {_IP}", 3),
        (r"^router static\s*$", 3),
        (r"^(?:route-policy \S|end-policy\s*$|prefix-set \S|end-set\s*$)", 3),
        (r"^commit\b", 1),
    ),
    "Arista EOS": _signatures(
        (r"^! device: \S+ \(.*EOS", DECISIVE),
        (r"^!RANCID-CONTENT-TYPE: arista", DECISIVE),
        (r"^transceiver qsfp ", 3),
        (r"^daemon TerminAttr\b", 3),
        (r"^management api http-commands\b", 3),
        (r"^service routing protocols model ", 3),
        (rf"^[ \t]+ip address {_IP}/\d+", 1),
    ),
}

# Asked in this order (see "Deciding" above).
DETECTION_ORDER: tuple[str, ...] = ("cisco_asa", "cisco_ios")
FOREIGN: tuple[str, ...] = tuple(label for label in SIGNATURES if label not in SUPPORTED)


def scores(text: str) -> dict[str, tuple[int, bool]]:
    """Each label's (score, decisive): the summed weights of its patterns found in the text,
    and whether one of them is worth DECISIVE points on its own."""
    text = text.lstrip("\ufeff")
    found: dict[str, tuple[int, bool]] = {}
    for label, rows in SIGNATURES.items():
        total = 0
        decisive = False
        for pattern, weight in rows:
            if weight and pattern.search(text):
                total += weight
                decisive = decisive or weight >= DECISIVE
        found[label] = (total, decisive)
    return found


@dataclass(frozen=True)
class Detection:
    """`vendor`: the supported parser to use, or None when the file is refused; `looks_like`:
    the foreign label it was refused as ("" when it matched no vendor at all)."""

    vendor: str | None
    looks_like: str = ""

    def message(self) -> str:
        supported = ", ".join(SUPPORTED)
        if self.looks_like:
            return f"looks like {self.looks_like} (not supported yet; supported: {supported})"
        return f"not a recognised network config (supported: {supported})"


def recognises(text: str, label: str) -> bool:
    """True when `label` alone scores enough in `text` (whatever the other labels score)."""
    return scores(text)[label][0] >= THRESHOLD


def classify(text: str) -> Detection:
    """The decision described in the module docstring."""
    found = scores(text)
    candidate = next(
        (name for name in DETECTION_ORDER if found[name][0] >= THRESHOLD),
        None,
    )
    foreign = [label for label in FOREIGN if found[label][0] >= THRESHOLD]
    if not foreign:
        return Detection(candidate)
    best = max(foreign, key=lambda label: (found[label][0], -FOREIGN.index(label)))
    if candidate is not None and found[candidate][1] and not any(found[label][1] for label in foreign):
        return Detection(candidate)
    return Detection(None, best)
