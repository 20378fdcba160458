"""The long ACLs' line digests kept between runs, per device model.

`PacketSpace.lines_digest` of a long ACL is the key of its compiled set in the store, and
(with the rule's flag and salt) of ACL-002's analysis of it; a run that finds all of them
stored still hashes every line to find that out (about a second on the 1,000-device city,
whose firewalls' policies evaluate lists of 17,000 lines). A digest is a function of the
list's lines (a flag is a function of the line, a salt a constant), and those of the device's
model: a device whose fingerprint (incremental.py `Fingerprints.device`: its whole model, its
own path left out) is that of an earlier run has the same digests, so they are kept per
fingerprint and handed to the packet space (`PacketSpace.adopt_digest`) before anything asks.
Kept: the device's long ACLs by name, plain and in each `Variant` the caller names (a rule's
flag and salt), and its policy's long lists for pairs of interfaces by their rules' indexes
(the objects the engine takes, `PacketSpace.derived_acl`). A record that is missing,
malformed or from other code costs only the hashing it would have saved."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from .cache import source_fingerprint
from .model import Acl, AclLine, Device
from .reach.packets import STORE_MIN_LINES, PacketSpace
from .reach.precompile import policy_lists
from .reach.store import BddStore

_DIGEST = re.compile(r"[0-9a-f]{64}")
ACLS, POLICIES = "acls", "policies"


@dataclass(frozen=True)
class Variant:
    """A digest of a device's long ACLs with a flag and a salt (`PacketSpace.lines_digest`),
    kept under `name` (the salt is in the record's key: another salt, another record)."""

    name: str
    flag: Callable[[AclLine], bool]
    salt: str


def _record_key(space: PacketSpace, fingerprint: str, variants: Sequence[Variant]) -> str:
    # packets.py: how a digest is made; filters.py: how a policy's list is; model.py: what an ACL is.
    code = source_fingerprint("reach/packets.py", "reach/filters.py", "model.py", "acl_digests.py")
    salts = [(variant.name, variant.salt) for variant in variants]
    return BddStore.key("acl-digests", (fingerprint, code, salts), space.layout)


def _long_lists(space: PacketSpace, device: Device) -> dict[str, dict[str, Acl]]:
    """The device's long lists: its ACLs by name, its policy's lists by their rules' indexes."""
    acls = {name: acl for name, acl in sorted(device.acls.items()) if len(acl.lines) >= STORE_MIN_LINES}
    policies = {
        ",".join(map(str, rules)): acl
        for rules, acl in policy_lists(space, device).items()
        if len(acl.lines) >= STORE_MIN_LINES
    }
    return {ACLS: acls, POLICIES: policies}


def _kinds(lists: dict[str, dict[str, Acl]], variants: Sequence[Variant]) -> dict[str, dict[str, Acl]]:
    """What a record holds: the plain digests of both kinds, each variant's of the ACLs."""
    return {**lists, **{variant.name: lists[ACLS] for variant in variants}}


def _digest(space: PacketSpace, kind: str, acl: Acl, variants: Sequence[Variant]) -> str:
    for variant in variants:
        if variant.name == kind:
            return space.lines_digest(acl, variant.flag, variant.salt)
    return space.lines_digest(acl)


def _adopt(space: PacketSpace, kind: str, acl: Acl, digest: str, variants: Sequence[Variant]) -> None:
    for variant in variants:
        if variant.name == kind:
            space.adopt_digest(acl, digest, variant.flag, variant.salt)
            return
    space.adopt_digest(acl, digest)


def recall_acl_digests(
    space: PacketSpace,
    devices: Mapping[str, Device],
    fingerprint_of: Callable[[str], str | None],
    variants: Sequence[Variant] = (),
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
        kinds = _kinds(lists, variants)
        fingerprint = fingerprint_of(name)
        key = _record_key(space, fingerprint, variants) if fingerprint is not None else None
        record = space.store.get_record(key) if key is not None else None
        if not _well_formed(record, kinds):
            missing.append(name)
            continue
        assert isinstance(record, dict)
        for kind, named in kinds.items():
            for list_name, acl in named.items():
                _adopt(space, kind, acl, record[kind][list_name], variants)
    return missing


def keep_acl_digests(
    space: PacketSpace,
    devices: Mapping[str, Device],
    fingerprint_of: Callable[[str], str | None],
    names: list[str],
    variants: Sequence[Variant] = (),
) -> None:
    """Keep the digests of the long lists of the devices `names` (computed now if not yet)."""
    if space.store is None:
        return
    for name in names:
        fingerprint = fingerprint_of(name)
        if fingerprint is None:
            continue
        kinds = _kinds(_long_lists(space, devices[name]), variants)
        record = {
            kind: {list_name: _digest(space, kind, acl, variants) for list_name, acl in named.items()}
            for kind, named in kinds.items()
        }
        space.store.put_record(_record_key(space, fingerprint, variants), record)


def _well_formed(record: object, kinds: dict[str, dict[str, Acl]]) -> bool:
    return (
        isinstance(record, dict)
        and set(record) == set(kinds)
        and all(
            isinstance(record[kind], dict)
            and set(record[kind]) == set(named)
            and all(isinstance(value, str) and _DIGEST.fullmatch(value) for value in record[kind].values())
            for kind, named in kinds.items()
        )
    )
