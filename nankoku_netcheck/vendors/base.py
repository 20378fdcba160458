"""The one base class every vendor plugin implements.

A plugin is a frozen description of one configuration syntax: how to recognise it
(`signatures`, scored by detect.py), how to read it into the vendor-neutral model
(`parse`), how the topology file may name its interfaces (`interface_alias`), and the
vendor's own command text that the hardening rules quote (`remediation`). Plugins do not
register themselves: `vendors/__init__.py` lists them in one table.
"""

from __future__ import annotations

import abc
import re
from collections.abc import Mapping
from types import MappingProxyType

from nankoku_netcheck.errors import InputError
from nankoku_netcheck.model import Device
from nankoku_netcheck.vendors.detect import Signature

NO_REMEDIATION: Mapping[str, tuple[str, str]] = MappingProxyType({})
# Matches no name: a syntax whose plugin does not say which names are Ethernet ports.
NO_ETHERNET_PORTS: re.Pattern[str] = re.compile(r"(?!)")


class VendorPlugin(abc.ABC):
    """One supported configuration syntax. Subclasses set the class attributes and
    implement `parse`; they hold no per-run state (one instance serves every run)."""

    #: Registry key, also the `vendor:` value in the topology file (e.g. "cisco_ios").
    name: str
    #: What users call it (e.g. "Cisco IOS / IOS-XE").
    label: str
    #: Positive evidence that a text is written in this syntax (see detect.py).
    signatures: tuple[Signature, ...]
    #: Vendor command text quoted by hardening rules, keyed by the rule's fix key:
    #: (English, Japanese). A key a plugin does not define falls back to the rule's default.
    remediation: Mapping[str, tuple[str, str]] = NO_REMEDIATION
    #: Interface names that are physical Ethernet ports, which PORT-001 expects shut down
    #: when unused (a port-channel, tunnel or VLAN interface never is one).
    ethernet_port: re.Pattern[str] = NO_ETHERNET_PORTS

    @abc.abstractmethod
    def parse(self, text: str, path: str, instance: str | None = None) -> Device:
        """Read one configuration; `path` is the display path used in every Source.
        `instance`: the virtual device inside the config to read (a FortiGate VDOM, an ASA
        context), from the topology's `instance:`; a plugin whose syntax has none refuses
        a name with `refuse_instance`."""

    def interface_alias(self, device: Device, name: str) -> str | None:
        """The interface that `name` names in this vendor's own shorthand (an abbreviation,
        a firewall's logical name, ...), or None. Exact and case-insensitive matches are
        tried before this, for every vendor."""
        return None

    @staticmethod
    def refuse_instance(path: str, instance: str | None) -> None:
        """An input error when an instance is named for a syntax without virtual devices."""
        if instance is not None:
            raise InputError.single(
                path, 0, f"instance '{instance}': this config type holds one device (remove 'instance:')"
            )

    def fix(self, key: str, default: tuple[str, str]) -> tuple[str, str]:
        """The vendor's command text for `key` (English, Japanese), else `default`."""
        return self.remediation.get(key, default)
