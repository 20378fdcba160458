"""Two saved searches a search (incremental.py `SavedSearches`, `SEARCHES_PER_KEY`): after
`verify` of a state A and of an edited state B, `diff` of A (a revision's export) against B
finds both sides' searches whole; a third state evicts the oldest entry and its files; a
damaged entry is never used; a record of the earlier one-entry layout is read as one entry.
On the sample city (10 searches), as test_incremental.py sets it up."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from test_incremental import TODAY, edit, reuse_stage, sample_copy, verified

from nankoku_netcheck import incremental as incremental_module
from nankoku_netcheck.cache import ParseCache
from nankoku_netcheck.diff import diff_topologies
from nankoku_netcheck.incremental import KeptSearches, _deps_codec, _digest, _kept_codec
from nankoku_netcheck.reach.engine import ReachEngine, ReachResult
from nankoku_netcheck.reach.repair import Repair
from nankoku_netcheck.reach.saved import _entry_key
from nankoku_netcheck.reach.store import BddStore
from nankoku_netcheck.report.diff_report import render_diff_json
from nankoku_netcheck.rules.flows import FlowContext

# A second ACL edit on the device the "acl-line" edit changes: a third state of the same searches.
SECOND_ACL_LINE = ("lg-core.cfg", "access-list 10 permit 10.2.99.0 0.0.0.255\n", "access-list 10 deny host 10.2.99.8\n")


def blobs(cache: Path) -> set[Path]:
    return set((cache / "bdd").glob("*/*.blob"))


def store_of(cache: Path) -> BddStore:
    return BddStore(cache / "bdd", ParseCache(cache).secret)


def deps_records(cache: Path) -> dict[str, KeptSearches]:
    """The search-deps records of the store, by key."""
    store = store_of(cache)
    found: dict[str, KeptSearches] = {}
    for path in sorted((cache / "bdd").glob("*/*.json")):
        value = store.get_record(path.stem)
        try:
            found[path.stem] = _kept_codec().loads(json.dumps(value).encode("utf-8"))
        except ValueError:
            continue
    return found


def second_entry_blobs(cache: Path) -> list[Path]:
    """The result blobs of the entries kept second."""
    store = store_of(cache)
    return [
        store._path(_entry_key(key + ":" + _digest(kept.entries[1])), ".blob")
        for key, kept in deps_records(cache).items()
        if len(kept.entries) == 2
    ]


def edit_again(topology: Path) -> None:
    config, anchor, added = SECOND_ACL_LINE
    path = topology.parent / "configs" / config
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace(anchor, added + anchor, 1), encoding="utf-8")


def repaired_count(stages: list[str]) -> int:
    """How many searches the run repaired (its "searches re-used" stage)."""
    stage = reuse_stage(stages)
    return int(stage.split(", ")[1].split()[0]) if ", " in stage else 0


class Counted:
    """The searches run and repairs made from now on, by the topology file of the side."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.searched: list[str] = []
        self.repaired: list[str] = []
        search, repair = ReachEngine.reach, FlowContext._repair

        def counted_search(engine: ReachEngine, injections: Any) -> ReachResult:
            self.searched.append(engine.network.topology.path)
            return search(engine, injections)

        def counted_repair(context: FlowContext, source_class: str, routing: bool, found: Repair) -> bool:
            self.repaired.append(context.network.topology.path)
            return repair(context, source_class, routing, found)

        monkeypatch.setattr(ReachEngine, "reach", counted_search)
        monkeypatch.setattr(FlowContext, "_repair", counted_repair)


def diffed(revision: Path, tree: Path, cache: Path | None) -> dict[str, Any]:
    """`diff` as `--base-ref` runs it: the revision's export (a folder of its own) against the
    working tree; its JSON, the time it was made aside."""
    root = str(revision.parent)
    result = diff_topologies(
        str(revision),
        str(tree),
        cache=ParseCache(cache) if cache is not None else None,
        today=TODAY,
        before_display=(root, "HEAD:"),
        before_root=root,
    )
    record = dict(json.loads(render_diff_json(result)))
    del record["generated_at"]
    return record


def open_snmp_to_mynumber(topology: Path) -> None:
    """The LGWAN monitoring server may now poll mynumber servers (as in the broken sample)."""
    mn_gw = topology.parent / "configs" / "mn-gw.cfg"
    text = mn_gw.read_text(encoding="utf-8")
    denied = " deny   ip any any log\nip access-list extended MN-BB-OUT\n"
    assert denied in text
    permitted = " permit udp host 10.2.99.10 10.1.20.0 0.0.0.255 eq snmp\n"
    mn_gw.write_text(text.replace(denied, permitted + denied, 1), encoding="utf-8")


def verified_then_edited(tmp_path: Path) -> tuple[Path, Path, Path, int]:
    """The revision (state A, exported), the working tree verified in A and then, edited (an
    ACL line that lets something through), in B; and how many searches B repaired."""
    revision = sample_copy(tmp_path / "revision")
    tree = sample_copy(tmp_path / "tree")
    cache = tmp_path / "cache"
    verified(tree, cache)
    open_snmp_to_mynumber(tree)
    stages: list[str] = []
    verified(tree, cache, stages)
    return revision, tree, cache, repaired_count(stages)


def test_diff_after_verify_finds_both_sides_searches_whole(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    revision, tree, cache, repaired = verified_then_edited(tmp_path)
    assert 0 < repaired < 10
    assert len(blobs(cache)) == 10 + repaired
    counted = Counted(monkeypatch)
    incremental = diffed(revision, tree, cache)
    # The revision's side takes A's entries whole (no repair back from B), the tree's B's.
    assert counted.searched == [] and counted.repaired == []
    assert len(blobs(cache)) == 10 + repaired
    again = diffed(revision, tree, cache)
    assert counted.searched == [] and counted.repaired == []
    scratch = diffed(revision, tree, None)
    assert counted.searched  # from scratch: searched, so the counts above could have been otherwise
    assert incremental == again == scratch
    assert incremental["changes"]  # the edit changes what reaches where: not an empty comparison


def test_with_one_entry_a_search_the_revision_side_repairs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(incremental_module, "SEARCHES_PER_KEY", 1)
    revision, tree, cache, repaired = verified_then_edited(tmp_path)
    assert len(blobs(cache)) == 10
    counted = Counted(monkeypatch)
    incremental = diffed(revision, tree, cache)
    assert len(counted.repaired) == repaired > 0
    assert str(tree) not in counted.repaired
    assert incremental == diffed(revision, tree, None)


def test_a_third_state_evicts_the_oldest_entry_and_its_files(tmp_path: Path) -> None:
    tree = sample_copy(tmp_path / "tree")
    cache = tmp_path / "cache"
    verified(tree, cache)
    first = blobs(cache)
    edit(tree, "acl-line")
    stages: list[str] = []
    verified(tree, cache, stages)
    second = blobs(cache)
    repaired = repaired_count(stages)
    assert first < second and len(second - first) == repaired > 0
    edit_again(tree)
    stages.clear()
    assert verified(tree, cache, stages) == verified(tree, None)
    third = blobs(cache)
    # The same searches changed again: B's entries stay (second), A's go with their files.
    assert repaired_count(stages) == repaired
    assert len(third) == 10 + repaired
    assert second - first <= third and len(first - third) == repaired and len(third - second) == repaired
    assert all(len(kept.entries) <= 2 for kept in deps_records(cache).values())


def test_a_revert_takes_the_earlier_state_whole(tmp_path: Path) -> None:
    tree = sample_copy(tmp_path / "tree")
    cache = tmp_path / "cache"
    original = (tree.parent / "configs" / "lg-core.cfg").read_text(encoding="utf-8")
    verified(tree, cache)
    edit(tree, "acl-line")
    verified(tree, cache)
    kept = blobs(cache)
    (tree.parent / "configs" / "lg-core.cfg").write_text(original, encoding="utf-8")
    stages: list[str] = []
    assert verified(tree, cache, stages) == verified(tree, None)
    assert reuse_stage(stages) == "searches re-used: 10 of 10"
    # Loaded as they are: no result written again, the records only reordered.
    assert blobs(cache) == kept


def test_a_damaged_second_entry_is_never_used(tmp_path: Path) -> None:
    tree = sample_copy(tmp_path / "tree")
    cache = tmp_path / "cache"
    original = (tree.parent / "configs" / "lg-core.cfg").read_text(encoding="utf-8")
    verified(tree, cache)
    edit(tree, "acl-line")
    stages: list[str] = []
    verified(tree, cache, stages)
    repaired = repaired_count(stages)
    damaged = second_entry_blobs(cache)
    assert len(damaged) == repaired > 0
    for blob in damaged:
        data = bytearray(blob.read_bytes())
        data[-2] ^= 0x01
        blob.write_bytes(bytes(data))
    # Back to A: its entries would hold whole, but are damaged; B's are repaired instead.
    (tree.parent / "configs" / "lg-core.cfg").write_text(original, encoding="utf-8")
    stages.clear()
    assert verified(tree, cache, stages) == verified(tree, None)
    assert reuse_stage(stages) == f"searches re-used: {10 - repaired} of 10, {repaired} repaired after an ACL edit"
    # This run's results written, B's kept second, the damaged ones dropped: the next run takes them whole.
    assert len(blobs(cache)) == 10 + repaired
    stages.clear()
    assert verified(tree, cache, stages, reuse_result=False) == verified(tree, None)
    assert reuse_stage(stages) == "searches re-used: 10 of 10"


def test_a_record_of_the_one_entry_layout_is_read_as_one_entry(tmp_path: Path) -> None:
    tree = sample_copy(tmp_path / "tree")
    cache = tmp_path / "cache"
    verified(tree, cache)
    store = store_of(cache)
    records = deps_records(cache)
    assert len(records) == 10
    for key, kept in records.items():
        (deps,) = kept.entries
        store.put_record(key, json.loads(_deps_codec().dumps(deps)))
    assert deps_records(cache) == {}
    stages: list[str] = []
    verified(tree, cache, stages, reuse_result=False)
    assert reuse_stage(stages) == "searches re-used: 10 of 10"
    # An edit writes the new layout, the old entries kept second: nothing left behind.
    first = blobs(cache)
    edit(tree, "acl-line")
    stages.clear()
    assert verified(tree, cache, stages) == verified(tree, None)
    assert len(blobs(cache)) == 10 + repaired_count(stages) and first <= blobs(cache)
    assert sum(len(kept.entries) == 2 for kept in deps_records(cache).values()) == repaired_count(stages)


def test_among_repairs_the_entry_with_fewer_changed_devices_is_taken(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    tree = sample_copy(tmp_path / "tree")
    cache = tmp_path / "cache"
    lg_core = tree.parent / "configs" / "lg-core.cfg"
    original = lg_core.read_text(encoding="utf-8")
    verified(tree, cache)
    edit(tree, "acl-line")  # B: lg-core edited
    verified(tree, cache)
    # C: lg-core as in A, mn-gw edited. B's entry differs in two devices, A's in one.
    lg_core.write_text(original, encoding="utf-8")
    open_snmp_to_mynumber(tree)
    both = [
        kept
        for kept in deps_records(cache).values()
        if len(kept.entries) == 2 and all("mn-gw" in dict(deps.devices) for deps in kept.entries)
    ]
    assert both  # searches whose latest entry (B) could be repaired too
    tried: list[list[str]] = []
    repair = incremental_module.SavedSearches._repair

    def counted(saved: incremental_module.SavedSearches, deps: Any, changed: list[str], entry: str) -> Repair | None:
        tried.append(changed)
        return repair(saved, deps, changed, entry)

    monkeypatch.setattr(incremental_module.SavedSearches, "_repair", counted)
    stages: list[str] = []
    assert verified(tree, cache, stages) == verified(tree, None)
    assert tried and all(changed == ["mn-gw"] for changed in tried)
    assert len(tried) == repaired_count(stages)
