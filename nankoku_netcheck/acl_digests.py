"""The long ACLs' line digests kept between runs, per device model.

`PacketSpace.lines_digest` of a long ACL is the key of its compiled set in the store; a run
that finds every set stored still hashes every line to find that out (about a second on the
1,000-device city, whose firewalls' policies evaluate lists of 17,000 lines). The digest is
a function of the list's lines, and those of the device's model: a device whose fingerprint
(incremental.py `Fingerprints.device`: its whole model, its own path left out) is that of an
earlier run has the same digests, so they are kept per fingerprint and handed to the packet
space (`PacketSpace.adopt_digest`) before anything asks. Both kinds of long list are kept: the
device's ACLs by name, and its policy's lists for pairs of interfaces by their rules' indexes
(the objects the engine takes, `PacketSpace.derived_acl`). A record that is missing, malformed
or from other code costs only the hashing it would have saved."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping

from .cache import source_fingerprint
from .model import Acl, Device
from .reach.packets import STORE_MIN_LINES, PacketSpace
from .reach.precompile import policy_lists
from .reach.store import BddStore

_DIGEST = re.compile(r"[0-9a-f]{64}")
ACLS, POLICIES = "acls", "policies"


def _record_key(space: PacketSpace, fingerprint: str) -> str:
    # packets.py: how a digest is made; filters.py: how a policy's list is; model.py: what an ACL is.
    code = source_fingerprint("reach/packets.py", "reach/filters.py", "model.py", "acl_digests.py")
    return BddStore.key("acl-digests", (fingerprint, code), space.layout)


def _long_lists(space: PacketSpace, device: Device) -> dict[str, dict[str, Acl]]:
    """The device's long lists: its ACLs by name, its policy's lists by their rules' indexes."""
    acls = {name: acl for name, acl in sorted(device.acls.items()) if len(acl.lines) >= STORE_MIN_LINES}
    policies = {
        ",".join(map(str, rules)): acl
        for rules, acl in policy_lists(space, device).items()
        if len(acl.lines) >= STORE_MIN_LINES
    }
    return {ACLS: acls, POLICIES: policies}


def recall_acl_digests(
    space: PacketSpace, devices: Mapping[str, Device], fingerprint_of: Callable[[str], str | None]
) -> list[str]:
    """Hand `space` the kept digests of the devices' long lists; returns the devices with long
    lists whose digests were not kept (for `keep_acl_digests`)."""
    missing: list[str] = []
    if space.store is None:
        return missing
    for name, device in sorted(devices.items()):
        lists = _long_lists(space, device)
        if not lists[ACLS] and not lists[POLICIES]:
            continue
        fingerprint = fingerprint_of(name)
        record = space.store.get_record(_record_key(space, fingerprint)) if fingerprint is not None else None
        if not _well_formed(record, lists):
            missing.append(name)
            continue
        assert isinstance(record, dict)
        for kind, named in lists.items():
            for list_name, acl in named.items():
                space.adopt_digest(acl, record[kind][list_name])
    return missing


def keep_acl_digests(
    space: PacketSpace, devices: Mapping[str, Device], fingerprint_of: Callable[[str], str | None], names: list[str]
) -> None:
    """Keep the digests of the long lists of the devices `names` (computed now if not yet)."""
    if space.store is None:
        return
    for name in names:
        fingerprint = fingerprint_of(name)
        if fingerprint is None:
            continue
        lists = _long_lists(space, devices[name])
        record = {
            kind: {list_name: space.lines_digest(acl) for list_name, acl in named.items()}
            for kind, named in lists.items()
        }
        space.store.put_record(_record_key(space, fingerprint), record)


def _well_formed(record: object, lists: dict[str, dict[str, Acl]]) -> bool:
    return (
        isinstance(record, dict)
        and set(record) == set(lists)
        and all(
            isinstance(record[kind], dict)
            and set(record[kind]) == set(named)
            and all(isinstance(value, str) and _DIGEST.fullmatch(value) for value in record[kind].values())
            for kind, named in lists.items()
        )
    )
