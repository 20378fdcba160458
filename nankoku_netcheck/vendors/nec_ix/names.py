"""How a topology file may name an IX interface besides its full name: a leading part of the
type name (`Gi0.0`, `Giga0.0`, `Tu0.0`) and the main logical interface without its `.0`
(`GigaEthernet0`). A shorthand is accepted only when exactly one interface fits it."""

from __future__ import annotations

import re

from nankoku_netcheck.model import Device

_NAME = re.compile(r"^([A-Za-z-]+)(\d+(?:/\d+)?)(\.\d+)?$")


def interface_alias(device: Device, name: str) -> str | None:
    written = _NAME.match(name.strip())
    if written is None:
        return None
    kind, number, logical = written.group(1).casefold(), written.group(2), written.group(3) or ".0"
    found = []
    for known in device.interfaces:
        parts = _NAME.match(known)
        if parts is None or parts.group(2) != number or (parts.group(3) or ".0") != logical:
            continue
        if parts.group(1).casefold().startswith(kind):
            found.append(known)
    return found[0] if len(found) == 1 else None
