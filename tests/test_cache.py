"""The parse cache: reused only for identical content, survives garbage, never required."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from conftest import REPO, counted_parses
from hypothesis import given
from hypothesis import strategies as st

from nankoku_netcheck import analyze as analyze_module
from nankoku_netcheck.analyze import analyze, load
from nankoku_netcheck.cache import _OWN_PATH, _TOKEN_STARTS, ParseCache, _json_string, shareable, with_own_path
from nankoku_netcheck.codec import DecodeError
from nankoku_netcheck.model import Device
from nankoku_netcheck.parse_worker import parse_outcome
from nankoku_netcheck.synth import CitySpec, generate

SAMPLE = str(REPO / "topologies" / "nankoku.yaml")


def test_second_run_reads_every_device_from_the_cache(tmp_path: Path) -> None:
    cold = ParseCache(tmp_path)
    first = analyze(SAMPLE, cache=cold)
    assert (cold.hits, cold.misses) == (0, 9)  # the sample's nine devices
    warm = ParseCache(tmp_path)
    # Past the result cache (test_result_cache.py): what is tested here is the parse cache.
    second = analyze(SAMPLE, cache=warm, timestamp=first.generated_at, reuse_result=False)
    assert (warm.hits, warm.misses) == (9, 0)
    assert second.findings == first.findings and second.inputs == first.inputs


def test_corrupt_entries_are_reparsed(tmp_path: Path) -> None:
    analyze(SAMPLE, cache=ParseCache(tmp_path))
    # Each device's entry and the entry its bytes share under any path (see the next test).
    for entry in [*tmp_path.glob("??/*.json"), *tmp_path.glob("shared/??/*.json")]:
        entry.write_bytes(b"not an entry")
    cache = ParseCache(tmp_path)
    assert analyze(SAMPLE, cache=cache, reuse_result=False).verdict == "pass"
    assert (cache.hits, cache.rejected) == (0, 18)
    assert ParseCache(tmp_path).get(ParseCache.key("0" * 64, "absent.cfg", None)) is None


def test_a_changed_file_misses(tmp_path: Path) -> None:
    assert ParseCache.key("a" * 64, "x.cfg", None) != ParseCache.key("b" * 64, "x.cfg", None)
    assert ParseCache.key("a" * 64, "x.cfg", None) != ParseCache.key("a" * 64, "y.cfg", None)


def entries(folder: Path) -> dict[str, bytes]:
    """Each entry's payload (its MAC depends on the key), by file name."""
    return {path.name: path.read_bytes()[32:] for path in sorted(folder.glob("??/*.json"))}


def test_workers_encode_the_entries_put_would_write(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    topology = str(generate(CitySpec(devices=12, acl_lines=400), tmp_path / "city"))
    secret = b"k" * 32
    sequential = ParseCache(tmp_path / "one", secret)
    one = load(topology, cache=sequential, jobs=1)
    # What the cache held before the workers encoded: each parsed device through `put`.
    reference = ParseCache(tmp_path / "put", secret)
    for entry in one.topology.devices:
        config = one.configs[entry.name]
        parsed = parse_outcome(config.text, entry.config_display, entry.vendor, entry.instance)
        assert isinstance(parsed, Device)
        key = ParseCache.key(config.sha256, entry.config_display, entry.vendor, config.encoding, entry.instance)
        reference.put(key, parsed)
    monkeypatch.setattr(analyze_module, "PARALLEL_PARSE_MIN_LINES", 0)
    pooled = ParseCache(tmp_path / "two", secret)
    two = load(topology, cache=pooled, jobs=2)
    assert len(entries(tmp_path / "put")) == 12
    assert entries(tmp_path / "one") == entries(tmp_path / "two") == entries(tmp_path / "put")
    assert sequential.prints == pooled.prints == reference.prints and len(pooled.prints) == 12
    assert one.prints == two.prints and one.parse_keys == two.parse_keys
    assert two.devices == one.devices and list(two.devices) == list(one.devices)
    assert all(type(device) is Device for device in two.devices.values())
    warm = ParseCache(tmp_path / "two", secret)
    assert load(topology, cache=warm, jobs=2).devices == one.devices and (warm.hits, warm.misses) == (12, 0)


def test_a_payload_that_does_not_decode_is_parsed_again(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    topology = str(generate(CitySpec(devices=12, acl_lines=100), tmp_path / "city"))
    expected = load(topology).devices

    def broken(_payload: bytes) -> Device:
        raise DecodeError("value does not match its type")

    monkeypatch.setattr(analyze_module, "PARALLEL_PARSE_MIN_LINES", 0)
    monkeypatch.setattr(analyze_module, "decode_device", broken)
    cache = ParseCache(tmp_path / "cache", b"k" * 32)
    assert load(topology, cache=cache, jobs=2).devices == expected
    assert len(cache.prints) == 12


def sample_at(folder: Path) -> Path:
    """The sample city's topology and configs copied to `folder` (configs under configs/)."""
    shutil.copytree(REPO / "device_configs" / "nankoku", folder / "configs")
    text = (REPO / "topologies" / "nankoku.yaml").read_text(encoding="utf-8")
    topology = folder / "nankoku.yaml"
    topology.write_text(text.replace("configs: ../device_configs/nankoku\n", "configs: configs\n"), encoding="utf-8")
    return topology


def test_the_same_bytes_under_another_path_come_from_the_shared_entry(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`diff --base-ref` reads a revision exported to a folder of its own: configs it has not
    changed are the same bytes under other paths, read from the cache, not parsed again."""
    first, second = sample_at(tmp_path / "a"), sample_at(tmp_path / "b")
    secret = b"s" * 32
    load(str(first), cache=ParseCache(tmp_path / "cache", secret))
    parsed = counted_parses(monkeypatch)
    cache = ParseCache(tmp_path / "cache", secret)
    shared = load(str(second), cache=cache)
    assert parsed == [] and (cache.hits, cache.misses) == (9, 0)
    fresh_cache = ParseCache(tmp_path / "fresh", secret)
    fresh = load(str(second), cache=fresh_cache)
    assert len(parsed) == 9
    assert shared.devices == fresh.devices  # every Source names the b/ path
    assert {d.source_file for d in shared.devices.values()} == {
        str(second.parent / "configs" / f) for f in os.listdir(second.parent / "configs")
    }
    assert shared.prints == fresh.prints and cache.prints == fresh_cache.prints
    # The b/ entries are written now: the next run reads them directly.
    again = ParseCache(tmp_path / "cache", secret)
    assert load(str(second), cache=again).devices == fresh.devices and (again.hits, again.misses) == (9, 0)


def test_a_revision_export_reads_the_shared_entries_and_keeps_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`diff --base-ref` reads the revision's export once: its devices come from the shared
    entries, shown under the revision's label, and nothing is written under their own keys."""
    first, second = sample_at(tmp_path / "a"), sample_at(tmp_path / "b")
    secret = b"s" * 32
    load(str(first), cache=ParseCache(tmp_path / "cache", secret))
    written = sorted(tmp_path.glob("cache/**/*.json"))
    parsed = counted_parses(monkeypatch)
    label = (str(tmp_path / "b"), "HEAD:")
    for _ in range(2):  # the second run reads the shared entries again
        cache = ParseCache(tmp_path / "cache", secret)
        shared = load(str(second), cache=cache, display_prefix=label)
        assert parsed == [] and (cache.hits, cache.misses) == (9, 0)
        assert sorted(tmp_path.glob("cache/**/*.json")) == written
    fresh_cache = ParseCache(tmp_path / "fresh", secret)
    fresh = load(str(second), cache=fresh_cache, display_prefix=label)
    assert shared.devices == fresh.devices and {d.source_file[:5] for d in shared.devices.values()} == {"HEAD:"}
    assert shared.prints == fresh.prints and shared.parse_keys == fresh.parse_keys


def test_a_model_that_quotes_its_own_path_inside_a_string_is_not_shared() -> None:
    path = "configs/r1.cfg"
    plain = b'{"file":"configs/r1.cfg","lines":["configs/r1.cfg",1]}'
    left = shareable(plain, path)
    assert left is not None and b"configs/r1.cfg" not in left
    assert with_own_path(left, "HEAD:configs/r1.cfg") == plain.replace(b"configs/r1.cfg", b"HEAD:configs/r1.cfg")
    assert shareable(b'{"file":"configs/r1.cfg","text":"see configs/r1.cfg"}', path) is None


def with_own_path_by_replacing(encoded: bytes, own_path: str) -> bytes:
    """`with_own_path` as it was: one replacement pass per token start."""
    path = _json_string(own_path)
    for before in _TOKEN_STARTS:
        encoded = encoded.replace(before + _OWN_PATH, before + path)
    return encoded


# Pieces an encoding's bytes are made of around the placeholder, adjacent placeholders included.
_PIECES = st.sampled_from([_OWN_PATH, b"[", b",", b":", b"{", b'"', b"\\u0000", b"0", b"x", b'"a"', b"]"])


@given(st.lists(_PIECES, max_size=30).map(b"".join), st.sampled_from(["HEAD:c/r1.cfg", 'a"b\\c', "日本/x.cfg"]))
def test_with_own_path_gives_the_bytes_the_replacements_gave(encoded: bytes, own_path: str) -> None:
    assert with_own_path(encoded, own_path) == with_own_path_by_replacing(encoded, own_path)
