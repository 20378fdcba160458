"""Issue #14: whoever can write the cache folder can neither run code nor change a verdict.

Each attack of the issue's probe is replayed against a warm cache (parsed devices, DDDMP
files of compiled long ACLs, ACL-002 records) and the run must report exactly what a
`--no-cache` run does. The end-to-end tests only touch entry files by name, so they also
run against the old pickle cache, where they fail (code runs, verdicts flip, runs hang).
"""

from __future__ import annotations

import hashlib
import json
import os
import random
import resource
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from conftest import CORPUS, REPO

from nankoku_netcheck.cli import main
from nankoku_netcheck.errors import InputError
from nankoku_netcheck.topology import load_topology, read_device_configs

COMPLIANT = str(REPO / "topologies" / "nankoku.yaml")
BROKEN = str(REPO / "topologies" / "nankoku-broken.yaml")
FIX = "use a folder only you can write, or --no-cache"
as_root = pytest.mark.skipif(os.geteuid() != 0, reason="giving a folder to another uid needs root")


def verify(topology: str, *options: str) -> tuple[int, dict[str, Any]]:
    """Exit code and JSON report, without what differs between any two runs. Past the
    result cache: the entries attacked here are the ones a run that searches reads (the
    result cache's own are attacked in test_result_cache.py)."""
    arguments = ["verify", topology, "--format", "json", "--quiet", "--no-result-cache", *options]
    result = CliRunner().invoke(main, arguments, env={"LANG": "C"})
    assert result.exit_code in (0, 1, 3), result.output
    report = json.loads(result.stdout)
    del report["generated_at"], report["command"]
    return result.exit_code, report


def verify_in_subprocess(topology: str, cache: Path) -> tuple[int, dict[str, Any]]:
    """As `verify`, in a child with a time limit and a 3 GiB memory ceiling: an entry that
    blocks the reader or streams endlessly must not take the test run down with it."""

    def limit_memory() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (3 << 30, 3 << 30))

    completed = subprocess.run(
        [
            sys.executable,
            "-c",
            "from nankoku_netcheck.cli import main; main()",
            "verify",
            topology,
            "--format",
            "json",
            "--quiet",
            "--no-result-cache",
            "--cache-dir",
            str(cache),
        ],
        capture_output=True,
        text=True,
        timeout=300,
        preexec_fn=limit_memory,
        env={**os.environ, "PYTHONPATH": str(REPO), "LANG": "C"},
        check=False,
    )
    assert completed.returncode in (0, 1, 3), completed.stderr[-2000:]
    report = json.loads(completed.stdout)
    del report["generated_at"], report["command"]
    return completed.returncode, report


def device_entries(cache: Path) -> list[Path]:
    return sorted(path for path in cache.glob("??/*") if path.is_file() or path.is_symlink())


def bdd_entries(cache: Path) -> list[Path]:
    return sorted(cache.glob("bdd/??/*.dddmp"))


def record_entries(cache: Path) -> list[Path]:
    return sorted(cache.glob("bdd/??/*.json"))


def entry_of(cache: Path, key: str) -> Path:
    (path,) = (cache / key[:2]).glob(f"{key}.*")
    return path


def device_keys(topology: str) -> dict[str, str]:
    """Device name → its parse-cache key."""
    from nankoku_netcheck.cache import ParseCache

    model = load_topology(topology)
    configs = read_device_configs(model)
    return {
        entry.name: ParseCache.key(configs[entry.name].sha256, entry.config_display, entry.vendor)
        for entry in model.devices
    }


@pytest.fixture(scope="module")
def broken_sample(tmp_path_factory: pytest.TempPathFactory) -> tuple[tuple[int, dict[str, Any]], Path]:
    """The broken sample's --no-cache result, and a cache warmed with it and the compliant sample."""
    cache = tmp_path_factory.mktemp("sample") / "cache"
    reference = verify(BROKEN, "--no-cache")
    assert reference[0] == 1
    assert verify(BROKEN, "--cache-dir", str(cache)) == reference
    verify(COMPLIANT, "--cache-dir", str(cache))
    return reference, cache


@pytest.fixture(scope="module")
def city(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, tuple[int, dict[str, Any]], Path]:
    """A city with long firewall ACLs and a planted violation: its topology, its --no-cache
    result and a cache warmed with it (DDDMP entries and ACL-002 records included)."""
    from nankoku_netcheck.synth import CitySpec, generate

    folder = tmp_path_factory.mktemp("city")
    topology = str(
        generate(CitySpec(devices=14, acl_lines=5000, seed=4, plant=("lgwan-to-internet-https",)), folder / "city")
    )
    reference = verify(topology, "--no-cache")
    assert reference[0] == 1
    cache = folder / "cache"
    assert verify(topology, "--cache-dir", str(cache)) == reference
    assert bdd_entries(cache) and record_entries(cache)
    return topology, reference, cache


def test_a_warm_run_equals_the_cold_one_and_reuses_every_entry(city: Any, tmp_path: Path) -> None:
    """Every entry the cold run wrote is found again (a device read back from the cache
    gives its ACLs the same store keys as the parsed one) and none is rewritten."""
    topology, reference, warm = city
    cache = copy_of(warm, tmp_path)
    before = {path: path.read_bytes() for path in cache.rglob("*") if path.is_file()}
    assert verify(topology, "--cache-dir", str(cache)) == reference
    assert {path: path.read_bytes() for path in cache.rglob("*") if path.is_file()} == before


def copy_of(cache: Path, tmp_path: Path) -> Path:
    target = tmp_path / "cache"
    shutil.copytree(cache, target, symlinks=True)
    return target


# --- code execution ------------------------------------------------------------------------------


class Payload:
    """Unpickling this creates the marker file: proof that the cache ran code."""

    def __init__(self, marker: Path) -> None:
        self.marker = str(marker)

    def __reduce__(self) -> tuple[Any, ...]:
        return (open, (self.marker, "w"))


def test_planted_pickle_runs_nothing_and_changes_nothing(broken_sample: Any, tmp_path: Path) -> None:
    import pickle

    reference, warm = broken_sample
    cache = copy_of(warm, tmp_path)
    marker = tmp_path / "marker"
    planted = pickle.dumps(Payload(marker))
    for key in device_keys(BROKEN).values():
        entry_of(cache, key).write_bytes(planted)
        (cache / key[:2] / f"{key}.pickle").write_bytes(planted)  # where the pickle cache kept it
    assert verify(BROKEN, "--cache-dir", str(cache)) == reference
    assert not marker.exists()


# --- whoever writes the cache decides the verdict ----------------------------------------------


def test_compliant_devices_copied_over_the_broken_ones_change_nothing(broken_sample: Any, tmp_path: Path) -> None:
    reference, warm = broken_sample
    cache = copy_of(warm, tmp_path)
    compliant = device_keys(COMPLIANT)
    copied = 0
    for name, key in device_keys(BROKEN).items():
        if name in compliant and compliant[name] != key:
            entry_of(cache, key).write_bytes(entry_of(cache, compliant[name]).read_bytes())
            copied += 1
    assert copied >= 5
    assert verify(BROKEN, "--cache-dir", str(cache)) == reference


def test_two_swapped_device_entries_change_nothing(broken_sample: Any, tmp_path: Path) -> None:
    reference, warm = broken_sample
    cache = copy_of(warm, tmp_path)
    keys = device_keys(BROKEN)
    first, second = entry_of(cache, keys["inet-fw"]), entry_of(cache, keys["lg-gw"])
    first_bytes, second_bytes = first.read_bytes(), second.read_bytes()
    first.write_bytes(second_bytes)
    second.write_bytes(first_bytes)
    assert verify(BROKEN, "--cache-dir", str(cache)) == reference


def test_rewritten_dddmp_entries_and_checksums_change_nothing(city: Any, tmp_path: Path) -> None:
    """Every compiled ACL replaced by the set 'established TCP only' (a firewall that
    blocks the planted flow), with a matching SHA-256 where the old store kept one."""
    from nankoku_netcheck.reach.packets import PacketSpace

    topology, reference, warm = city
    cache = copy_of(warm, tmp_path)
    space = PacketSpace()
    forged = tmp_path / "forged.dddmp"
    space.bdd.dump(str(forged), [space.bdd.var("est0")])
    data = forged.read_bytes()
    for entry in bdd_entries(cache):
        entry.write_bytes(data)
        entry.with_suffix(".sha256").write_text(hashlib.sha256(data).hexdigest(), encoding="ascii")
    assert verify(topology, "--cache-dir", str(cache)) == reference


def test_rewritten_acl_002_records_change_nothing(city: Any, tmp_path: Path) -> None:
    """A record that invents a shadowed line (a false ACL-002 finding) and one that points
    beyond the ACL (an IndexError in the rule before)."""
    topology, reference, warm = city
    cache = copy_of(warm, tmp_path)
    for number, entry in enumerate(record_entries(cache)):
        entry.write_text("[[99999, [0], false]]" if number % 2 else "[[1, [0], false]]", encoding="utf-8")
    assert verify(topology, "--cache-dir", str(cache)) == reference


def test_a_record_of_another_acl_is_refused_by_its_shape() -> None:
    """Authenticated records are checked against the ACL anyway (rules/acl.py)."""
    from nankoku_netcheck.rules.acl import Unreachable, _read_unreachable
    from nankoku_netcheck.vendors.cisco_ios.parser import parse

    acl = parse("ip access-list extended A\n permit ip any any\n permit tcp any any\n deny ip any any\n", "r.cfg").acls[
        "A"
    ]
    assert _read_unreachable([[1, [0], False], [2, [0], False]], acl) == [
        Unreachable(1, (0,), False),
        Unreachable(2, (0,), False),
    ]
    for record in (
        [[3, [0], False]],
        [[1, [1], False]],
        [[1, [-1], False]],
        [[2, [0], False], [1, [0], False]],
        [[1, [0], True]],
        [[-1, [], True]],
        [[1, [0], 0]],
        [[True, [0], False]],
        {"1": 1},
    ):
        assert _read_unreachable(record, acl) is None, record


# --- entries that are not regular files ---------------------------------------------------------


def test_fifos_and_links_to_dev_zero_do_not_hang_and_are_not_read(city: Any, tmp_path: Path) -> None:
    """Half the entries of each kind replaced by FIFOs (no writer: a reader that waits
    waits forever), half by links to /dev/zero (a reader that reads to the end never ends).
    Every BDD entry is planted so that the run needs them all (it reads what it needs)."""
    topology, reference, warm = city
    cache = copy_of(warm, tmp_path)
    planted = device_entries(cache)[:2] + bdd_entries(cache) + record_entries(cache)
    for number, entry in enumerate(planted):
        entry.unlink()
        if number % 2:
            entry.symlink_to("/dev/zero")
        else:
            os.mkfifo(entry)
    assert verify_in_subprocess(topology, cache) == reference
    assert all(entry.is_file() and not entry.is_symlink() for entry in planted)


# --- corruption -------------------------------------------------------------------------------------


def corrupt(data: bytes, rng: random.Random) -> bytes:
    """Truncated, garbage, random bytes or one flipped bit: never the same bytes."""
    how = rng.choice(["truncate", "garbage", "random", "flip", "empty"])
    if how == "truncate":
        return data[: rng.randrange(len(data))]
    if how == "garbage":
        return rng.choice([b"not an entry", b"\x80\x04K\x01.", b"{}", b"[]", b"null", data[32:]])
    if how == "random":
        return rng.randbytes(rng.randrange(1, 2 * len(data)))
    if how == "flip":
        position = rng.randrange(len(data))
        return data[:position] + bytes([data[position] ^ (1 << rng.randrange(8))]) + data[position + 1 :]
    return b""


def test_a_hundred_corruptions_of_every_entry_kind_are_removed_and_recomputed(city: Any, tmp_path: Path) -> None:
    from nankoku_netcheck.cache import ParseCache
    from nankoku_netcheck.reach.packets import PacketSpace
    from nankoku_netcheck.reach.store import BddStore

    _, _, warm = city
    cache = copy_of(warm, tmp_path)
    parse_cache = ParseCache(cache)
    space = PacketSpace(store=BddStore(cache / "bdd"))
    assert space.store is not None
    readers = {
        "device": (device_entries(cache), lambda key: parse_cache.get(key)),
        "bdd": (bdd_entries(cache), lambda key: space.store.get(space.bdd, key)),  # type: ignore[union-attr]
        "record": (record_entries(cache), lambda key: space.store.get_record(key)),
    }  # type: ignore[union-attr]
    rng = random.Random(14)
    for kind, (entries, read) in readers.items():
        for entry in entries[:3]:
            original = entry.read_bytes()
            assert read(entry.name.split(".")[0]) is not None, kind
            for _ in range(12):
                damaged = corrupt(original, rng)
                assert damaged != original
                entry.write_bytes(damaged)
                assert read(entry.name.split(".")[0]) is None, (kind, damaged[:80])
                assert not entry.exists()
            entry.write_bytes(original)
    assert parse_cache.rejected == 36 and space.store.rejected == 72


def test_every_entry_corrupted_at_once_is_recomputed_then_reused(city: Any, tmp_path: Path) -> None:
    topology, reference, warm = city
    cache = copy_of(warm, tmp_path)
    rng = random.Random(2014)
    entries = device_entries(cache) + bdd_entries(cache) + record_entries(cache)
    for entry in entries:
        entry.write_bytes(corrupt(entry.read_bytes(), rng))
    assert verify(topology, "--cache-dir", str(cache)) == reference
    rewritten = {entry: entry.read_bytes() for entry in entries}
    assert verify(topology, "--cache-dir", str(cache)) == reference
    assert {entry: entry.read_bytes() for entry in entries} == rewritten  # all reused, none rejected


def test_a_folder_planted_as_an_entry_is_refused_and_leaves_nothing_behind(broken_sample: Any, tmp_path: Path) -> None:
    from nankoku_netcheck.analyze import load
    from nankoku_netcheck.cache import ParseCache

    _, warm = broken_sample
    cache = copy_of(warm, tmp_path)
    key = device_keys(BROKEN)["inet-fw"]
    entry = entry_of(cache, key)
    entry.unlink()
    entry.mkdir()
    parse_cache = ParseCache(cache)
    assert parse_cache.get(key) is None and parse_cache.rejected == 1
    # Other devices' entries may share the folder (it is named by the key's first two digits).
    before = sorted(path.name for path in entry.parent.iterdir())
    assert entry.name in before
    parse_cache.put(key, load(BROKEN).devices["inet-fw"])  # cannot replace a folder: best effort, nothing left over
    assert sorted(path.name for path in entry.parent.iterdir()) == before
    assert entry.is_dir()


def test_an_entry_beyond_the_size_limit_is_not_read(city: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from nankoku_netcheck import cache as cache_module
    from nankoku_netcheck.cache import ParseCache

    _, _, warm = city
    cache = copy_of(warm, tmp_path)
    entry = device_entries(cache)[0]
    key = entry.name.split(".")[0]
    size = len(entry.read_bytes()) - cache_module.MAC_BYTES
    monkeypatch.setattr(cache_module, "DEVICE_ENTRY_LIMIT", size)
    assert ParseCache(cache).get(key) is not None
    monkeypatch.setattr(cache_module, "DEVICE_ENTRY_LIMIT", size - 1)
    parse_cache = ParseCache(cache)
    assert parse_cache.get(key) is None and parse_cache.rejected == 1 and not entry.exists()


# --- who owns the cache ------------------------------------------------------------------------------


def refused(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args), env={"LANG": "C"})
    return result.exit_code, result.stderr


@as_root
def test_a_cache_folder_owned_by_another_user_is_refused(tmp_path: Path) -> None:
    folder = tmp_path / "shared"
    folder.mkdir(mode=0o700)
    os.chown(folder, 4242, 4242)
    message = f"error: {folder}: cache folder is owned by uid 4242, not by you (uid 0); {FIX}\n"
    assert refused("verify", COMPLIANT, "--cache-dir", str(folder)) == (2, message)
    assert refused("diff", COMPLIANT, BROKEN, "--cache-dir", str(folder)) == (2, message)
    assert refused("trace", COMPLIANT, "--src", "10.1.1.10", "--dst", "10.2.1.10", "--cache-dir", str(folder)) == (
        2,
        message,
    )
    assert list(folder.iterdir()) == []


@pytest.mark.parametrize(("mode", "shown"), [(0o770, "0770"), (0o703, "0703"), (0o777, "0777")])
def test_a_cache_folder_others_can_write_is_refused(tmp_path: Path, mode: int, shown: str) -> None:
    folder = tmp_path / "shared"
    folder.mkdir()
    folder.chmod(mode)
    message = f"error: {folder}: cache folder is writable by group or others (mode {shown}); {FIX}\n"
    assert refused("verify", COMPLIANT, "--cache-dir", str(folder)) == (2, message)
    assert list(folder.iterdir()) == []


def test_folders_and_key_the_tool_creates_are_private(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    cache = tmp_path / "new" / "cache"
    assert CliRunner().invoke(main, ["verify", COMPLIANT, "--quiet", "--cache-dir", str(cache)]).exit_code == 0
    key = tmp_path / "config" / "nankoku-netcheck" / "cache.key"
    assert (cache.stat().st_mode & 0o777, key.parent.stat().st_mode & 0o777, key.stat().st_mode & 0o777) == (
        0o700,
        0o700,
        0o600,
    )
    assert len(key.read_bytes()) == 32
    assert {path.stat().st_mode & 0o777 for path in cache.rglob("*") if path.is_dir()} == {0o700}


def bad_key(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, damage: str) -> tuple[int, str]:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    key = tmp_path / "config" / "nankoku-netcheck" / "cache.key"
    key.parent.mkdir(parents=True, mode=0o700)
    key.write_bytes(os.urandom(32))
    key.chmod(0o600)
    if damage == "readable":
        key.chmod(0o644)
    elif damage == "short":
        key.write_bytes(b"12345")
    elif damage == "owner":
        os.chown(key, 4242, 4242)
    elif damage == "folder":
        key.parent.chmod(0o777)
    elif damage == "folder-as-key":
        key.unlink()
        key.mkdir()
    elif damage == "link":
        key.unlink()
        key.symlink_to(tmp_path / "elsewhere")
    return refused("verify", COMPLIANT, "--cache-dir", str(tmp_path / "cache"))


REMAKE = "delete it (a new one is made) or use --no-cache"


@pytest.mark.parametrize(
    ("damage", "message"),
    [
        ("readable", f"the cache key's file can be read or written by group or others (mode 0644); {REMAKE}"),
        ("short", f"the cache key's file is damaged (5 bytes, expected 32); {REMAKE}"),
        ("owner", f"the cache key's file is owned by uid 4242, not by you (uid 0); {REMAKE}"),
        ("link", f"cannot read the cache key: Too many levels of symbolic links; {REMAKE}"),
        ("folder-as-key", f"the cache key's path is not a regular file; {REMAKE}"),
    ],
)
def test_a_key_someone_else_could_read_or_write_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, damage: str, message: str
) -> None:
    if damage == "owner" and os.geteuid() != 0:
        pytest.skip("giving a file to another uid needs root")
    key = tmp_path / "config" / "nankoku-netcheck" / "cache.key"
    assert bad_key(tmp_path, monkeypatch, damage) == (2, f"error: {key}: {message}\n")


def test_a_key_folder_others_can_write_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = tmp_path / "config" / "nankoku-netcheck"
    assert bad_key(tmp_path, monkeypatch, "folder") == (
        2,
        f"error: {folder}: cache key's folder is writable by group or others (mode 0777); {FIX}\n",
    )


def test_two_first_runs_agree_on_one_key(tmp_path: Path) -> None:
    from nankoku_netcheck.cache import _create_key, load_key

    path = tmp_path / "config" / "cache.key"
    path.parent.mkdir(mode=0o700)
    _create_key(path, str(path))
    first = path.read_bytes()
    _create_key(path, str(path))  # the slower of two runs: its key is not published
    assert path.read_bytes() == first and load_key(path) == first
    assert [item.name for item in path.parent.iterdir()] == ["cache.key"]


def test_concurrent_first_runs_share_one_key_and_report_what_a_plain_run_does(
    broken_sample: Any, tmp_path: Path
) -> None:
    """Four runs start at once on an empty cache with no key yet: they race to create the
    key and to write the same entries, and each reports what --no-cache does."""
    reference, _ = broken_sample
    env = {**os.environ, "PYTHONPATH": str(REPO), "LANG": "C", "XDG_CONFIG_HOME": str(tmp_path / "config")}
    command = [
        sys.executable,
        "-c",
        "from nankoku_netcheck.cli import main; main()",
        "verify",
        BROKEN,
        "--format",
        "json",
        "--quiet",
        "--cache-dir",
        str(tmp_path / "cache"),
    ]
    runs = [
        subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env) for _ in range(4)
    ]
    for run in runs:
        out, err = run.communicate(timeout=300)
        report = json.loads(out)
        del report["generated_at"], report["command"]
        assert (run.returncode, report) == reference, err[-2000:]
    assert [path.name for path in (tmp_path / "config" / "nankoku-netcheck").iterdir()] == ["cache.key"]
    # Under another key (this test session's), every entry they wrote is refused and rewritten.
    assert verify(BROKEN, "--cache-dir", str(tmp_path / "cache")) == reference


def test_the_library_refuses_an_unsafe_folder_too(tmp_path: Path) -> None:
    from nankoku_netcheck.cache import ParseCache
    from nankoku_netcheck.reach.store import BddStore

    folder = tmp_path / "open"
    folder.mkdir()
    folder.chmod(0o775)
    for opener in (ParseCache, BddStore):
        with pytest.raises(InputError) as raised:
            opener(folder)
        assert str(raised.value) == f"{folder}: cache folder is writable by group or others (mode 0775); {FIX}"


# --- the codec ------------------------------------------------------------------------------------


def test_every_corpus_device_comes_back_equal_from_the_codec() -> None:
    from nankoku_netcheck.cache import device_codec
    from nankoku_netcheck.parse import parse_config

    suffixes = (".cfg", ".txt", ".conf", ".ios", ".asa")
    paths = sorted(path for path in CORPUS.rglob("*") if path.is_file() and path.suffix in suffixes)
    decoded = 0
    for path in paths[:400]:
        try:
            device = parse_config(path.read_bytes().decode("utf-8", "replace"), str(path), None)
        except InputError:
            continue
        assert device_codec().loads(device_codec().dumps(device)) == device, path
        decoded += 1
    assert decoded >= 50


def test_the_codec_rejects_anything_but_its_own_types() -> None:
    from nankoku_netcheck.cache import device_codec
    from nankoku_netcheck.codec import DecodeError, EncodeError
    from nankoku_netcheck.model import Device, Interface, Source
    from nankoku_netcheck.vendors.cisco_ios.parser import parse

    codec = device_codec()
    device = parse(
        "hostname r1\ninterface Gi0/0\n ip address 10.0.0.1 255.255.255.0\n"
        "ip access-list extended A\n permit tcp any any eq 22\n",
        "r1.cfg",
    )
    good = json.loads(codec.dumps(device))
    assert codec.loads(json.dumps(good).encode()) == device
    assert good[6][0][1][1][0][1][0][4] == [22, 22]  # the first line's destination ports

    def altered(change: Any) -> bytes:
        data = json.loads(json.dumps(good))
        change(data)
        return json.dumps(data).encode()

    interfaces = 5  # field position after source_file, lines (written first), name, vendor, hostname
    cases = [
        lambda d: d.append(1),  # an unknown field
        lambda d: d.pop(),  # a missing field
        lambda d: d.__setitem__(2, 7),  # an int for a str
        lambda d: d.__setitem__(2, True),  # a bool for a str
        lambda d: d[interfaces].append(d[interfaces][0]),  # a repeated dict key
        lambda d: d[interfaces][0][1].__setitem__(1, 99),  # a line number beyond the config
        lambda d: d[interfaces][0][1].__setitem__(1, 0),
        lambda d: d[interfaces][0][1].__setitem__(1, ["x.cfg", True, "text"]),  # a bool line number
        lambda d: d[interfaces][0][1].__setitem__(1, {"file": "x"}),
        lambda d: d[interfaces + 1][0][1][1][0].__setitem__(0, "allow"),  # an unknown enum value
        lambda d: d[interfaces + 1][0][1][1].append(None),  # null for an ACL line
        # Port ranges are written flat ([low, high, low, high, ...]): an odd count, a bool, a str.
        lambda d: d[interfaces + 1][0][1][1][0][1][0].__setitem__(4, [22]),
        lambda d: d[interfaces + 1][0][1][1][0][1][0].__setitem__(4, [22, True]),
        lambda d: d[interfaces + 1][0][1][1][0][1][0].__setitem__(4, [22, "22"]),
        lambda d: d[interfaces + 1][0][1][1][0][1][0].__setitem__(4, [22.0, 22]),
        # Protocols are a tuple of ints: a bool, a str, not a list.
        lambda d: d[interfaces + 1][0][1][1][0][1][0].__setitem__(0, [True]),
        lambda d: d[interfaces + 1][0][1][1][0][1][0].__setitem__(0, ["6"]),
        lambda d: d[interfaces + 1][0][1][1][0][1][0].__setitem__(0, 6),
        lambda d: d[interfaces][0][1].__setitem__(1, -1),  # counted from the end, were it an index
    ]
    for change in cases:
        with pytest.raises(DecodeError):
            codec.loads(altered(change))
    for data in (b"", b"[", b"null", b"[" * 100_000, b'"\xff"', b"1e999999"):
        with pytest.raises(DecodeError):
            codec.loads(data)
    assert codec.loads(codec.dumps(Device("r", "ios", "r.cfg", mgmt=device.mgmt))) == Device(
        "r", "ios", "r.cfg", mgmt=device.mgmt
    )
    source = Source("r.cfg", 1, "interface x")
    for wrong in (
        Device("r", "ios", "r.cfg", lines=["a"]),  # type: ignore[arg-type]
        Device("r", "ios", "r.cfg", interfaces={"x": Interface("x", source, addresses=[])}),
    ):  # type: ignore[arg-type]
        with pytest.raises(EncodeError):
            codec.dumps(wrong)


def test_repeated_values_decode_as_strictly_as_the_first() -> None:
    """Decoded tuples of addresses and ports and line sources are shared by equal values: a
    later copy that only compares equal (True == 1) is still refused."""
    from nankoku_netcheck.cache import device_codec
    from nankoku_netcheck.codec import DecodeError
    from nankoku_netcheck.vendors.cisco_ios.parser import parse

    codec = device_codec()
    device = parse(
        "hostname r1\nip access-list extended A\n permit tcp any any eq 1\n permit tcp any any eq 1\n", "r1.cfg"
    )
    good = json.loads(codec.dumps(device))
    acl_lines = good[6][0][1][1]
    assert [line[1][0][4] for line in acl_lines] == [[1, 1], [1, 1]]
    decoded = codec.loads(json.dumps(good).encode())
    assert decoded == device
    first, second = (line.matches[0] for line in decoded.acls["A"].lines)
    assert first.dst_ports is second.dst_ports and type(first.dst_ports[0].low) is int
    for value in ([True, True], [1, True], [1.0, 1]):
        data = json.loads(json.dumps(good))
        data[6][0][1][1][1][1][0][4] = value
        with pytest.raises(DecodeError):
            codec.loads(json.dumps(data).encode())
    data = json.loads(json.dumps(good))
    data[6][0][1][1][1][2] = data[6][0][1][1][0][2]  # two lines quoting one source: one object
    twice = codec.loads(json.dumps(data).encode()).acls["A"].lines
    assert twice[0].source is twice[1].source
