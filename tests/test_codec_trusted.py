"""`Codec.loads_trusted`, the decoder of authenticated parse cache entries: the same models as
the checking `loads` (equal, and sharing the same objects), and a garbled entry is a miss."""

from __future__ import annotations

import json
import pickle
from pathlib import Path

import pytest
from conftest import CORPUS, REPO
from test_cache import sample_at

from nankoku_netcheck.analyze import load
from nankoku_netcheck.cache import (
    FINGERPRINT_CHARS,
    MAC_BYTES,
    ParseCache,
    device_codec,
    encoding_fingerprint,
    seal,
)
from nankoku_netcheck.codec import Codec, DecodeError
from nankoku_netcheck.errors import InputError
from nankoku_netcheck.model import Device
from nankoku_netcheck.parse import parse_config
from nankoku_netcheck.synth import CitySpec, generate
from nankoku_netcheck.topology import load_topology, read_device_configs

SECRET = b"t" * 32


def assert_decoded_alike(device: Device) -> None:
    """Both decoders give `device` back, with equal objects shared alike: pickle writes an
    object met again as a reference to the first, so equal bytes mean the same sharing."""
    payload = device_codec().dumps(device)
    checked, trusted = device_codec().loads(payload), device_codec().loads_trusted(payload)
    assert checked == device and trusted == device
    assert pickle.dumps(trusted) == pickle.dumps(checked)


def parsed(path: Path, vendor: str | None = None) -> Device | None:
    try:
        return parse_config(path.read_bytes().decode("utf-8", "replace"), str(path), vendor)
    except InputError:
        return None


def test_every_fixture_config_decodes_alike() -> None:
    paths = sorted((REPO / "tests" / "fixtures").rglob("*.cfg"))
    devices = [device for device in map(parsed, paths) if device is not None]
    assert len(devices) >= 150
    for device in devices:
        assert_decoded_alike(device)


def test_every_sample_device_decodes_alike() -> None:
    topologies = sorted((REPO / "topologies").glob("*.yaml"))
    count = 0
    for path in topologies:
        topology = load_topology(str(path))
        for entry in topology.devices:
            config = read_device_configs(topology)[entry.name]
            device = parse_config(config.text, entry.config_display, entry.vendor, entry.instance)
            assert_decoded_alike(device)
            count += 1
    assert count >= 40


def test_a_generated_city_decodes_alike(tmp_path: Path) -> None:
    topology = load_topology(str(generate(CitySpec(devices=16, acl_lines=400), tmp_path / "city")))
    configs = read_device_configs(topology)
    for entry in topology.devices:
        assert_decoded_alike(parse_config(configs[entry.name].text, entry.config_display, entry.vendor))


def test_corpus_devices_decode_alike() -> None:
    suffixes = (".cfg", ".txt", ".conf", ".ios", ".asa")
    paths = sorted(path for path in CORPUS.rglob("*") if path.is_file() and path.suffix in suffixes)
    devices = [device for device in map(parsed, paths[:300]) if device is not None]
    assert len(devices) >= 50
    for device in devices:
        assert_decoded_alike(device)


def sample_device() -> Device:
    from nankoku_netcheck.vendors.cisco_ios.parser import parse

    return parse(
        "hostname r1\ninterface Gi0/0\n ip address 10.0.0.1 255.255.255.0\n ip access-group A in\n"
        "ip access-list extended A\n permit tcp any any eq 22\n permit tcp any any eq 22\n deny ip any any\n",
        "r1.cfg",
    )


GARBLED = [
    b"",
    b"[",
    b"null",
    b"[]",
    b'{"a": 1}',
    b"[" * 100_000,
    b'"\xff"',
    b"1e999999",
    b"[1, 2, 3]",
]


def test_a_garbled_entry_that_passes_the_mac_is_a_miss_and_is_removed(tmp_path: Path) -> None:
    cache = ParseCache(tmp_path, SECRET)
    key = ParseCache.key("a" * 64, "r1.cfg", None)
    good = device_codec().dumps(sample_device())
    shape = json.loads(good)
    # Well-formed JSON of the wrong shape: a field missing, a list where a line number goes,
    # an unknown enum value, a line beyond the config.
    wrong = [shape[:-1], [*shape[:5], [["Gi0/0", [1, [], [], False]]], *shape[6:]]]
    acl = json.loads(good)
    acl[6][0][1][1][0][0] = "allow"
    beyond = json.loads(good)
    beyond[5][0][1][1] = 99
    garbled = [*GARBLED, good[: len(good) // 2], *(json.dumps(data).encode() for data in (*wrong, acl, beyond))]
    fingerprint = encoding_fingerprint(good, "r1.cfg").encode()
    # The entry's own fingerprint (before the encoding) missing, short, not hex, upper case.
    unprinted = [good, fingerprint[:-1] + b"[", fingerprint[:-1] + b"g" + good, fingerprint.upper() + good]
    for payload in [*(fingerprint + data for data in garbled), *unprinted]:
        path = tmp_path / key[:2] / f"{key}.json"
        path.parent.mkdir(exist_ok=True)
        path.write_bytes(seal(SECRET, "device", key, ParseCache._code(), payload))
        before = cache.rejected
        assert cache.get(key) is None, payload[:40]
        assert cache.rejected == before + 1 and not path.exists()
    assert key not in cache.prints


def test_a_good_entry_is_read_with_its_fingerprint(tmp_path: Path) -> None:
    cache = ParseCache(tmp_path, SECRET)
    key = ParseCache.key("a" * 64, "r1.cfg", None)
    device = sample_device()
    cache.put(key, device)
    entry = (tmp_path / key[:2] / f"{key}.json").read_bytes()[MAC_BYTES:]
    payload = entry[FINGERPRINT_CHARS:]
    assert entry[:FINGERPRINT_CHARS].decode() == encoding_fingerprint(payload, "r1.cfg")
    warm = ParseCache(tmp_path, SECRET)
    read = warm.get(key)
    assert read == device and (warm.hits, warm.rejected) == (1, 0)
    assert warm.prints[key] == encoding_fingerprint(payload, "r1.cfg") == cache.prints[key]
    lines = read.acls["A"].lines  # type: ignore[union-attr]
    assert lines[0].matches[0].dst_ports is lines[1].matches[0].dst_ports


def test_the_checking_decoder_still_refuses_what_the_trusted_one_takes() -> None:
    codec = device_codec()
    data = json.loads(codec.dumps(sample_device()))
    data[2] = 7  # an int for the device's name
    payload = json.dumps(data).encode()
    assert codec.loads_trusted(payload).name == 7
    with pytest.raises(DecodeError):
        codec.loads(payload)
    for garbage in GARBLED:
        for decode in (codec.loads, codec.loads_trusted):
            with pytest.raises(DecodeError):
                decode(garbage)


def test_a_codec_without_line_sources_decodes_alike() -> None:
    from nankoku_netcheck.model import Source

    codec = Codec(Source)
    payload = codec.dumps(Source("x.cfg", 3, "text"))
    assert codec.loads_trusted(payload) == codec.loads(payload) == Source("x.cfg", 3, "text")


def test_an_entry_written_from_a_shared_one_keeps_the_fingerprint_a_parse_gives(tmp_path: Path) -> None:
    first, second = sample_at(tmp_path / "a"), sample_at(tmp_path / "b")
    load(str(first), cache=ParseCache(tmp_path / "cache", SECRET))
    shared = ParseCache(tmp_path / "cache", SECRET)
    load(str(second), cache=shared)
    assert shared.hits == 9 and shared.rejected == 0
    again = ParseCache(tmp_path / "cache", SECRET)
    fresh = ParseCache(tmp_path / "fresh", SECRET)
    load(str(second), cache=again)
    loaded = load(str(second), cache=fresh)
    assert again.hits == 9 and again.prints == shared.prints == fresh.prints and len(fresh.prints) == 9
    for device in loaded.devices.values():
        assert_decoded_alike(device)
