"""The long ACLs' digests kept between runs (acl_digests.py): taken back only for a device
whose model is the one they were made from, and equal to what hashing the lines gives."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from nankoku_netcheck.acl_digests import Variant, keep_acl_digests, recall_acl_digests
from nankoku_netcheck.analyze import Loaded, fingerprints, load, packet_space
from nankoku_netcheck.cache import ParseCache
from nankoku_netcheck.incremental import Fingerprints
from nankoku_netcheck.model import Acl, AclLine, Action, Device, Match, Source
from nankoku_netcheck.reach import packets as packets_module
from nankoku_netcheck.reach.packets import STORE_MIN_LINES, PacketSpace
from nankoku_netcheck.reach.precompile import policy_lists
from nankoku_netcheck.rules.acl import exact
from nankoku_netcheck.synth import CitySpec, generate

VARIANTS = [Variant("acl-002", exact, "salt")]


@pytest.fixture(scope="module")
def city(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return generate(CitySpec(devices=20, acl_lines=4000, seed=3), tmp_path_factory.mktemp("city"))


def _loaded(city: Path, cache: ParseCache) -> Loaded:
    return load(str(city), cache)


def _long_lists(space: PacketSpace, device: Device) -> dict[str, Acl]:
    """Every long list of the device: its ACLs, its policy's lists for pairs of interfaces."""
    found = {f"acl {name}": acl for name, acl in device.acls.items()}
    found.update({f"policy {rules}": acl for rules, acl in policy_lists(space, device).items()})
    return {name: acl for name, acl in found.items() if len(acl.lines) >= STORE_MIN_LINES}


def _with_long_lists(loaded: Loaded) -> list[str]:
    space = PacketSpace("oxidd")
    return sorted(name for name, device in loaded.devices.items() if _long_lists(space, device))


def _forbid_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(line: object) -> bytes:
        raise AssertionError("a line was hashed")

    monkeypatch.setattr(packets_module, "line_form", refuse)


def test_kept_digests_are_taken_back_and_equal_the_lines_hash(
    city: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cache = ParseCache(tmp_path / "cache")
    first = _loaded(city, cache)
    expected = _with_long_lists(first)
    assert expected, "the city must have long lists for this test to mean anything"
    space = packet_space("oxidd", cache)
    prints = fingerprints(first, space, 1000)
    assert recall_acl_digests(space, first.devices, prints.device, VARIANTS) == expected
    keep_acl_digests(space, first.devices, prints.device, expected, VARIANTS)
    unstored = PacketSpace("oxidd")
    hashed = {
        (name, list_name): unstored.lines_digest(acl)
        for name in expected
        for list_name, acl in _long_lists(unstored, first.devices[name]).items()
    }
    flagged = {
        (name, list_name): unstored.lines_digest(acl, exact, "salt")
        for name in expected
        for list_name, acl in _long_lists(unstored, first.devices[name]).items()
        if list_name.startswith("acl")
    }
    assert any(name.startswith("policy") for _, name in hashed) and any(name.startswith("acl") for _, name in hashed)

    again = _loaded(city, cache)
    space_again = packet_space("oxidd", cache)
    prints_again = fingerprints(again, space_again, 1000)
    # Another salt is another record.
    other_salt = [Variant("acl-002", exact, "other")]
    assert recall_acl_digests(packet_space("oxidd", cache), again.devices, prints_again.device, other_salt) == expected
    assert recall_acl_digests(space_again, again.devices, prints_again.device, VARIANTS) == []
    _forbid_hashing(monkeypatch)
    # The very objects the engine and the pre-compile take (`derived_acl`), digests adopted.
    taken = {
        (name, list_name): space_again.lines_digest(acl)
        for name in expected
        for list_name, acl in _long_lists(space_again, again.devices[name]).items()
    }
    assert taken == hashed
    taken_flagged = {
        (name, list_name): space_again.lines_digest(acl, exact, "salt")
        for name in expected
        for list_name, acl in _long_lists(space_again, again.devices[name]).items()
        if list_name.startswith("acl")
    }
    assert taken_flagged == flagged and flagged


def _kept(city: Path, tmp_path: Path) -> tuple[ParseCache, Loaded, list[str], Fingerprints]:
    """The city loaded with a cache whose store keeps its devices' digests."""
    cache = ParseCache(tmp_path / "cache")
    loaded = _loaded(city, cache)
    names = _with_long_lists(loaded)
    space = packet_space("oxidd", cache)
    prints = fingerprints(loaded, space, 1000)
    keep_acl_digests(space, loaded.devices, prints.device, names)
    return cache, loaded, names, prints


def test_a_changed_model_or_a_foreign_record_is_not_taken(city: Path, tmp_path: Path) -> None:
    cache, loaded, names, prints = _kept(city, tmp_path)
    edited = names[0]

    def other_print(name: str) -> str | None:
        found = prints.device(name)
        return "0" * 64 if name == edited else found

    fresh = packet_space("oxidd", cache)
    assert recall_acl_digests(fresh, loaded.devices, other_print) == [edited]
    # A device whose fingerprint cannot be made is never served either.
    assert recall_acl_digests(packet_space("oxidd", cache), loaded.devices, lambda name: None) == names


def test_a_record_naming_other_acls_is_not_taken(city: Path, tmp_path: Path) -> None:
    cache, loaded, names, prints = _kept(city, tmp_path)
    name, long_name = next(
        (name, acl_name)
        for name in names
        for acl_name, acl in sorted(loaded.devices[name].acls.items())
        if len(acl.lines) >= STORE_MIN_LINES
    )
    device = loaded.devices[name]
    renamed = {**device.acls, f"{long_name}-RENAMED": device.acls[long_name]}
    del renamed[long_name]
    devices = {**loaded.devices, name: replace(device, acls=renamed)}
    assert recall_acl_digests(packet_space("oxidd", cache), devices, prints.device) == [name]


def test_a_derived_list_is_one_object_while_it_is_equal_to_what_is_made() -> None:
    space = PacketSpace("oxidd")
    owner = object()
    lines = [AclLine(Action.PERMIT, (Match(protocols=(6,)),), Source("a.cfg", 1, "permit tcp any any"))]
    first = space.derived_acl(owner, (0,), lambda: Acl("p", tuple(lines), Source("a.cfg", 1, "p")))
    again = space.derived_acl(owner, (0,), lambda: Acl("p", tuple(lines), Source("a.cfg", 1, "p")))
    assert again is first
    lines.append(AclLine(Action.DENY, (Match(),), Source("a.cfg", 2, "deny ip any any")))
    changed = space.derived_acl(owner, (0,), lambda: Acl("p", tuple(lines), Source("a.cfg", 1, "p")))
    assert changed is not first and len(changed.lines) == 2
    assert space.derived_acl(object(), (0,), lambda: changed) is changed
