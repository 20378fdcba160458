"""reach/saved.py reads a search's record from its authenticated bytes in one pass: an authentic
record of another shape (another layout of the code, a value that is not this codec's) or that is
not JSON at all loads as nothing, never as a traceback; a good one loads the same result
`save_reach` wrote."""

from __future__ import annotations

from pathlib import Path

import pytest
from test_reach_saved import assert_same, sample_result

from nankoku_netcheck.cache import seal
from nankoku_netcheck.reach.packets import PacketSpace
from nankoku_netcheck.reach.saved import load_reach, save_reach
from nankoku_netcheck.reach.store import BddStore


def record_path(folder: Path) -> Path:
    (path,) = folder.glob("*/*.json")
    return path


@pytest.mark.parametrize(
    "payload",
    [
        b'{"engine": "oxidd"}',
        b'["oxidd", [1], 1, "00", [], [], 1, 1, false, [], [], "one field too many"]',
        b'["oxidd", "not a tuple", 1, "00", [], [], 1, 1, false]',
        b"not json",
        b"[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[",
    ],
)
def test_an_authentic_record_of_another_shape_loads_as_none(tmp_path: Path, payload: bytes) -> None:
    space = PacketSpace("oxidd")
    save_reach(BddStore(tmp_path), "k", sample_result(space))
    path = record_path(tmp_path)
    store = BddStore(tmp_path)
    entry = path.stem
    path.write_bytes(seal(store.secret, "record", entry, store._code(), payload))
    assert load_reach(store, space, "k") is None


def test_a_record_loads_the_result_it_was_saved_with(tmp_path: Path) -> None:
    space = PacketSpace("oxidd")
    result = sample_result(space)
    save_reach(BddStore(tmp_path), "k", result)
    assert_same(load_reach(BddStore(tmp_path), space, "k"), result)
