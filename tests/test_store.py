"""The store of compiled long ACLs (reach/store.py): what is loaded is what would be
compiled, garbage is recompiled, short ACLs are not stored, and a warm run reports the
same findings as a cold one."""

from __future__ import annotations

import dataclasses
import random
from pathlib import Path

import pytest

from nankoku_netcheck.analyze import analyze, load
from nankoku_netcheck.cache import ParseCache
from nankoku_netcheck.model import PROTO_TCP, Acl, Device
from nankoku_netcheck.parse import parse_config
from nankoku_netcheck.reach.packets import REVERSED_KIND, STORE_BACKENDS, STORE_MIN_LINES, PacketSpace
from nankoku_netcheck.reach.precompile import compile_filter_and_reverse, filter_work, run_in_two_processes
from nankoku_netcheck.reach.store import BddStore
from nankoku_netcheck.rules.acl import (
    _PolicySets,
    _read_policy_shadows,
    policy_shadows,
    shadow_work,
    stored_policy_shadows,
    stored_unreachable_lines,
    unreachable_lines,
)
from nankoku_netcheck.synth import CitySpec, generate
from nankoku_netcheck.vendors.cisco_ios.parser import parse

pytestmark = pytest.mark.skipif(PacketSpace().backend not in STORE_BACKENDS, reason="the store needs CUDD or OxiDD")


def long_acl(lines: int, seed: int = 7) -> Acl:
    """Overlapping permit and deny lines (some shadowed) over a few /24s and ports."""
    rng = random.Random(seed)
    text = ["hostname r1", "ip access-list extended LONG"]
    for _ in range(lines):
        action = rng.choice(["permit", "permit", "deny"])
        source = rng.choice(["any", f"10.9.{rng.randrange(4)}.0 0.0.0.255", f"host 10.9.0.{rng.randrange(8)}"])
        destination = rng.choice([f"10.1.{rng.randrange(4)}.0 0.0.0.255", f"host 10.1.0.{rng.randrange(16)}"])
        port = rng.choice(["eq 443", "eq 22", f"range {1000 + rng.randrange(50)} 1100", ""])
        text.append(f" {action} tcp {source} {destination} {port}".rstrip())
    return parse("\n".join(text) + "\n", "r1.cfg").acls["LONG"]


def test_loaded_sets_equal_a_fresh_compile(tmp_path: Path) -> None:
    acl = long_acl(STORE_MIN_LINES + 50)
    first = PacketSpace(store=BddStore(tmp_path))
    first.acl_permits(acl)
    first.acl_permits_reversed_tcp(acl)
    assert first.store is not None and (first.store.hits, first.store.misses) == (0, 2)
    second = PacketSpace(store=BddStore(tmp_path))
    permits = second.acl_permits(acl)
    reversed_permits = second.acl_permits_reversed_tcp(acl)
    assert second.store is not None and (second.store.hits, second.store.misses) == (2, 0)
    assert permits == second._compile(acl)
    assert reversed_permits == second.reversed_direction(second._compile(acl)) & second.protocol(PROTO_TCP)
    assert permits != second.false and permits != reversed_permits


def test_equal_acls_in_other_objects_share_keys_and_sets(tmp_path: Path) -> None:
    acl = long_acl(STORE_MIN_LINES + 10)
    twin = dataclasses.replace(acl, lines=tuple(acl.lines))
    other = long_acl(STORE_MIN_LINES + 10, seed=8)
    space = PacketSpace(store=BddStore(tmp_path))
    assert twin is not acl and twin == acl
    assert space.acl_store_key("permits", acl) == space.acl_store_key("permits", twin)
    # The same in another packet space (the worker process that fills the store is another).
    assert space.acl_store_key("permits", acl) == PacketSpace(store=BddStore(tmp_path)).acl_store_key("permits", acl)
    assert space.acl_store_key("permits", acl) != space.acl_store_key("permits", other)
    assert space.acl_store_key("permits", acl) != space.acl_store_key(REVERSED_KIND, acl)
    # Another content of the same ACL object is its own digest, not the one made before.
    assert space.acl_store_key("x", acl, lambda: "other") == BddStore.key("x", "other", space.layout)
    assert space.acl_permits(acl) == space.acl_permits(twin) == space._compile(acl)
    assert space.acl_permits(other) == space._compile(other) != space.acl_permits(acl)
    assert space.store is not None and space.store.misses == 2


@pytest.mark.parametrize("damage", ["truncate", "flip", "mac"])
def test_damaged_entries_are_recompiled(tmp_path: Path, damage: str) -> None:
    acl = long_acl(STORE_MIN_LINES + 10, seed=3)
    PacketSpace(store=BddStore(tmp_path)).acl_permits(acl)
    (entry,) = tmp_path.rglob("*.dddmp")
    data = entry.read_bytes()
    if damage == "truncate":
        entry.write_bytes(data[: len(data) // 2])
    elif damage == "flip":
        entry.write_bytes(data.replace(b"1", b"2", 5))
    else:
        entry.write_bytes(bytes(32) + data[32:])
    space = PacketSpace(store=BddStore(tmp_path))
    assert space.acl_permits(acl) == space._compile(acl)
    assert space.store is not None and (space.store.hits, space.store.rejected) == (0, 1)


def test_short_acls_are_not_stored(tmp_path: Path) -> None:
    PacketSpace(store=BddStore(tmp_path)).acl_permits(long_acl(STORE_MIN_LINES - 1))
    assert not list(tmp_path.rglob("*.dddmp"))


def test_stored_unreachable_lines_equal_computed_and_survive_garbage(tmp_path: Path) -> None:
    acl = long_acl(STORE_MIN_LINES + 20, seed=11)
    expected = unreachable_lines(PacketSpace(), acl)
    assert expected  # random overlapping lines: some are shadowed
    assert stored_unreachable_lines(PacketSpace(store=BddStore(tmp_path)), acl) == expected
    (record,) = tmp_path.rglob("*.json")
    assert stored_unreachable_lines(PacketSpace(store=BddStore(tmp_path)), acl) == expected
    for garbage in ("[[1, 2]]", "{}", "not json", '[["x", [], false]]', "[[1, [true], false]]"):
        record.write_text(garbage, encoding="utf-8")
        assert stored_unreachable_lines(PacketSpace(store=BddStore(tmp_path)), acl) == expected


def test_warm_run_reports_what_the_cold_run_did(tmp_path: Path) -> None:
    topology = generate(
        CitySpec(devices=14, acl_lines=5000, seed=4, plant=("lgwan-to-internet-https",)), tmp_path / "city"
    )
    cold = analyze(str(topology), cache=ParseCache(tmp_path / "cache"))
    stored = list((tmp_path / "cache" / "bdd").rglob("*.dddmp"))
    assert stored  # the firewall ACLs are long enough to be kept
    # Past the result cache: the warm run is to search with the stored ACLs.
    warm = analyze(str(topology), cache=ParseCache(tmp_path / "cache"), timestamp=cold.generated_at, reuse_result=False)
    assert warm.findings == cold.findings and warm.certificates == cold.certificates
    assert any(f.severity == "error" for f in warm.findings)


def test_work_shared_over_two_processes_fills_the_store(tmp_path: Path) -> None:
    topology = generate(CitySpec(devices=14, acl_lines=5000, seed=6), tmp_path / "city")
    loaded = load(str(topology))
    space = PacketSpace(store=BddStore(tmp_path / "store"))
    filters = filter_work(space, loaded.network)
    shadows = shadow_work(space, loaded.devices.values())
    assert len(filters) >= 4 and any(item.run is compile_filter_and_reverse for item in filters)
    assert len(shadows) >= len(filters)
    assert run_in_two_processes(space, filters + shadows, jobs=2) > 0
    assert filter_work(space, loaded.network) == [] and shadow_work(space, loaded.devices.values()) == []
    for item in filters:
        # What either process stored, loaded here, is what compiling here gives.
        reader = PacketSpace(store=BddStore(tmp_path / "store"))
        compiled = reader._compile(item.acl)
        assert reader.acl_permits(item.acl) == compiled
        if item.run is compile_filter_and_reverse:
            assert reader.acl_permits_reversed_tcp(item.acl) == reader.reversed_direction(compiled) & reader.protocol(
                PROTO_TCP
            )
        assert reader.store is not None and reader.store.misses == 0
    for item in shadows:
        assert stored_unreachable_lines(PacketSpace(store=BddStore(tmp_path / "store")), item.acl) == (
            unreachable_lines(PacketSpace(), item.acl)
        )


def test_without_a_store_or_a_second_job_nothing_is_done_ahead(tmp_path: Path) -> None:
    topology = generate(CitySpec(devices=14, acl_lines=5000, seed=6), tmp_path / "city")
    loaded = load(str(topology))
    stored = PacketSpace(store=BddStore(tmp_path / "store"))
    assert run_in_two_processes(stored, filter_work(stored, loaded.network), jobs=1) == 0
    assert not list((tmp_path / "store").rglob("*.dddmp"))


def test_verify_with_jobs_and_cache_reports_what_a_plain_run_does(tmp_path: Path) -> None:
    topology = generate(
        CitySpec(devices=14, acl_lines=5000, seed=2, plant=("mynumber-to-lgwan-smb",)), tmp_path / "city"
    )
    plain = analyze(str(topology))
    parallel = analyze(str(topology), cache=ParseCache(tmp_path / "cache"), jobs=2, timestamp=plain.generated_at)
    assert parallel.findings == plain.findings and parallel.certificates == plain.certificates


def asa_policy(lines: int, seed: int = 5) -> Device:
    """An ASA whose outside access-group is a long random ACL, and whose shut dmz
    interface has one (a rule that decides no pair)."""
    rng = random.Random(seed)
    text = ["ASA Version 9.12(4)", "hostname fw1"]
    for number, (name, level) in enumerate([("outside", 0), ("inside", 100), ("dmz", 50)]):
        text += [f"interface GigabitEthernet0/{number}", f" nameif {name}", f" security-level {level}"]
        text += [f" ip address 10.{number}.0.1 255.255.255.0"] + ([" shutdown"] if name == "dmz" else [])
    for _ in range(lines):
        action = rng.choice(["permit", "permit", "deny"])
        destination = rng.choice([f"10.1.{rng.randrange(4)}.0 255.255.255.0", f"host 10.1.0.{rng.randrange(16)}"])
        port = rng.choice(["eq 443", "eq 22", ""])
        text.append(f"access-list OUT extended {action} tcp any {destination} {port}".rstrip())
    text += ["access-list DMZ extended permit ip any any", "access-group OUT in interface outside"]
    text += ["access-group DMZ in interface dmz", ": end"]
    return parse_config("\n".join(text) + "\n", "fw1.cfg")


def test_stored_policy_shadows_equal_computed_and_survive_garbage(tmp_path: Path) -> None:
    """ACL-002 on a long policy is kept as ACL-002 on a long ACL is: a warm run reads what
    the cold one computed, and a record that is not one of this policy is recomputed."""
    device = asa_policy(STORE_MIN_LINES + 20)
    expected = policy_shadows(_PolicySets(PacketSpace(), device))
    position = next(at for at, rule in enumerate(device.policy or ()) if rule.acl == "DMZ")
    assert expected == [(position, None)]
    assert stored_policy_shadows(_PolicySets(PacketSpace(store=BddStore(tmp_path)), device)) == expected
    (record,) = tmp_path.rglob("*.json")
    written = record.read_bytes()
    space = PacketSpace(store=BddStore(tmp_path))
    assert stored_policy_shadows(_PolicySets(space, device)) == expected
    assert record.read_bytes() == written
    for garbage in ("[[1, 2, 3]]", "{}", "not json", '[["x", null]]', "[[99, null]]", "[[4, 0], [4, null]]"):
        record.write_text(garbage, encoding="utf-8")
        assert stored_policy_shadows(_PolicySets(PacketSpace(store=BddStore(tmp_path)), device)) == expected


def test_a_policy_record_is_refused_by_its_shape() -> None:
    """Authenticated records are checked against the policy anyway: each entry names a rule,
    in order, and a line the rule has."""
    device = asa_policy(3)
    rules = len(device.policy or ())
    out = next(at for at, rule in enumerate(device.policy or ()) if rule.acl == "OUT")
    assert _read_policy_shadows([[0, None], [out, 2]], device) == [(0, None), (out, 2)]
    for record in (
        [[out, 3]],
        [[rules, None]],
        [[-1, None]],
        [[out, 2], [out, 1]],
        [[out, 1], [out, None]],
        [[out, True]],
        [[True, None]],
        [[out, None, 1]],
        {"1": 1},
    ):
        assert _read_policy_shadows(record, device) is None, record
