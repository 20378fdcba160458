"""AlliedWare Plus interface names as the model keeps them.

Switch ports (`port1.0.1`: stack member, module, port), VLAN interfaces (`vlan10`),
aggregators (`sa1` static, `po1` LACP), `lo`, and the AR series' `eth1`, `ppp0`, `tunnel1`.
VLAN interfaces are kept as `Vlan<N>`: the graph finds the routed interface of an access
port's VLAN under that name (the topology may still write `vlan10`: names match ignoring
case). `interface` lines may name a range (`port1.0.1-1.0.4`) or a list
(`port1.0.1,port1.0.5`): every port named gets the block's commands.
"""

from __future__ import annotations

import re

from nankoku_netcheck.vendors.common import NotUnderstood

_PORT = re.compile(r"^port(\d+)\.(\d+)\.(\d+)$", re.IGNORECASE)
_PORT_RANGE = re.compile(r"^port(\d+)\.(\d+)\.(\d+)-(?:port)?(\d+)\.(\d+)\.(\d+)$", re.IGNORECASE)
_NUMBERED = re.compile(r"^(vlan|sa|po|eth|ppp|tunnel|lo)(\d*)$", re.IGNORECASE)
_RANGE = re.compile(r"^(vlan|sa|po|eth|ppp|tunnel)(\d+)-(?:\1)?(\d+)$", re.IGNORECASE)

KINDS = {
    "port": "physical",
    "vlan": "svi",
    "sa": "port-channel",
    "po": "port-channel",
    "eth": "physical",
    "ppp": "tunnel",
    "tunnel": "tunnel",
    "lo": "loopback",
}


def canonical(name: str) -> str:
    """The model's name for one interface name as written."""
    matched = _NUMBERED.match(name)
    if matched is None:
        return name.lower() if _PORT.match(name) else name
    prefix, digits = matched.group(1).lower(), matched.group(2)
    if prefix == "vlan" and digits:
        return f"Vlan{int(digits)}"
    return f"{prefix}{digits}"


def kind_of(name: str) -> str:
    if _PORT.match(name):
        return KINDS["port"]
    matched = _NUMBERED.match(name)
    return KINDS[matched.group(1).lower()] if matched else "physical"


def vlan_of(name: str) -> int | None:
    """The VLAN of a VLAN interface's model name (`Vlan10` → 10)."""
    matched = _NUMBERED.match(name)
    if matched is None or matched.group(1).lower() != "vlan" or not matched.group(2):
        return None
    return int(matched.group(2))


def expand(text: str) -> list[str]:
    """Every interface a `interface` line names, as model names, in order."""
    names: list[str] = []
    for part in text.split(","):
        if not part:
            raise NotUnderstood(f"empty interface name in '{text}'")
        names += _expand_one(part)
    return list(dict.fromkeys(names))


def _expand_one(part: str) -> list[str]:
    port_range = _PORT_RANGE.match(part)
    if port_range is not None:
        first = tuple(int(x) for x in port_range.group(1, 2, 3))
        last = tuple(int(x) for x in port_range.group(4, 5, 6))
        if first[:2] != last[:2] or last[2] < first[2]:
            raise NotUnderstood(f"port range '{part}' spans members or modules")
        return [f"port{first[0]}.{first[1]}.{port}" for port in range(first[2], last[2] + 1)]
    other_range = _RANGE.match(part)
    if other_range is not None:
        prefix, low, high = other_range.group(1), int(other_range.group(2)), int(other_range.group(3))
        if high < low or high - low > 4094:
            raise NotUnderstood(f"interface range '{part}'")
        return [canonical(f"{prefix}{value}") for value in range(low, high + 1)]
    if _PORT.match(part) or _NUMBERED.match(part):
        return [canonical(part)]
    raise NotUnderstood(f"interface name '{part}' is not an AlliedWare Plus interface")
