"""incremental.py `SavedSearches.whole`: the saved result of a search only when one holds as it
is, without making a repair (`diff`'s after side has one from the before side's search): it
returns what `get` returns for a search the edit left alone, nothing for one the edit changed,
and loads no saved result for the latter. On the sample city, verified, then an ACL line edited."""

from __future__ import annotations

from pathlib import Path

import pytest
from test_incremental import edit, sample_copy, verified

from nankoku_netcheck import incremental as incremental_module
from nankoku_netcheck.analyze import load, packet_space, saved_searches
from nankoku_netcheck.cache import ParseCache
from nankoku_netcheck.incremental import SavedSearches
from nankoku_netcheck.reach.budget import DEFAULT_BUDGET
from nankoku_netcheck.reach.engine import ReachResult
from nankoku_netcheck.reach.packets import PacketSpace
from nankoku_netcheck.reach.repair import Repair


def saved_of(topology: Path, cache: Path) -> SavedSearches:
    parse_cache = ParseCache(cache)
    space = packet_space("auto", parse_cache)
    saved = saved_searches(space, load(str(topology), parse_cache), DEFAULT_BUDGET, parse_cache)
    assert saved is not None, "the test needs an engine with a store (oxidd or cudd)"
    return saved


def test_whole_is_get_without_repairs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    topology = sample_copy(tmp_path / "tree")
    cache = tmp_path / "cache"
    verified(topology, cache)
    edit(topology, "acl-line")
    searches = [(zone, routing) for zone in ("internet", "lgwan", "mynumber") for routing in (True, False)]
    expected = {search: saved_of(topology, cache).get(*search) for search in searches}
    assert any(isinstance(found, Repair) for found in expected.values())
    assert any(isinstance(found, ReachResult) for found in expected.values())
    loads: list[str] = []
    original = incremental_module.load_reach

    def counted(store: object, space: PacketSpace, key: str) -> ReachResult | None:
        loads.append(key)
        return original(store, space, key)  # type: ignore[arg-type]

    monkeypatch.setattr(incremental_module, "load_reach", counted)
    saved = saved_of(topology, cache)
    for search, found in expected.items():
        loads.clear()
        whole = saved.whole(*search)
        if isinstance(found, ReachResult):
            assert whole is not None and len(loads) == 1
            assert list(whole.delivered) == list(found.delivered)
            assert (whole.work, whole.entered) == (found.work, found.entered)
            # Asked again (as `get` is): the same object, nothing loaded again.
            assert saved.whole(*search) is whole and len(loads) == 1
            assert saved.get(*search) is whole
        else:
            assert whole is None
            assert loads == [], f"{search}: loaded a result only to repair it"
            # `get` still makes the repair.
            assert isinstance(saved.get(*search), Repair)
            assert saved.whole(*search) is None
