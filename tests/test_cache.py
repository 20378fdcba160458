"""The parse cache: reused only for identical content, survives garbage, never required."""

from __future__ import annotations

from pathlib import Path

from conftest import REPO

from nankoku_netcheck.analyze import analyze
from nankoku_netcheck.cache import ParseCache

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
    for entry in tmp_path.glob("??/*.json"):
        entry.write_bytes(b"not an entry")
    cache = ParseCache(tmp_path)
    assert analyze(SAMPLE, cache=cache, reuse_result=False).verdict == "pass"
    assert (cache.hits, cache.rejected) == (0, 9)
    assert ParseCache(tmp_path).get(ParseCache.key("0" * 64, "absent.cfg", None)) is None


def test_a_changed_file_misses(tmp_path: Path) -> None:
    assert ParseCache.key("a" * 64, "x.cfg", None) != ParseCache.key("b" * 64, "x.cfg", None)
    assert ParseCache.key("a" * 64, "x.cfg", None) != ParseCache.key("a" * 64, "y.cfg", None)
