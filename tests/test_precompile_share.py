"""The long ACLs' work shared between this process and a worker (reach/precompile.py):
every group is done exactly once, the pieces that read the same lines stay together, and
the two sides meet wherever the work's real costs make them meet."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path

import pytest

from nankoku_netcheck.analyze import load
from nankoku_netcheck.model import Acl, Source
from nankoku_netcheck.reach.packets import PacketSpace
from nankoku_netcheck.reach.precompile import Work, _by_lines, compile_filter, filter_work, share_work
from nankoku_netcheck.rules.acl import shadow_work
from nankoku_netcheck.synth import CitySpec, generate


def _work(cost: int, name: str) -> Work:
    return Work(compile_filter, Acl(name, (), Source("t.cfg", 1, name)), cost)


class _Recorder:
    """Who did which group; the worker's groups take `worker_seconds` each."""

    def __init__(self, worker_seconds: float) -> None:
        self.done: list[tuple[str, str]] = []
        self.lock = threading.Lock()
        self.worker_seconds = worker_seconds

    def here(self, group: list[Work]) -> None:
        with self.lock:
            self.done.append(("here", group[0].acl.name))

    def there(self, group: list[Work]) -> None:
        time.sleep(self.worker_seconds)
        with self.lock:
            self.done.append(("there", group[0].acl.name))


@pytest.mark.parametrize("worker_seconds", [0.0, 0.05])
def test_every_group_is_done_once_worker_from_the_front(worker_seconds: float) -> None:
    groups = [[_work(10 - number, f"g{number}")] for number in range(8)]
    recorder = _Recorder(worker_seconds)
    with ThreadPoolExecutor(1) as pool:
        done = share_work(pool, groups, recorder.here, recorder.there)
    names = sorted(name for _, name in recorder.done)
    assert names == sorted(f"g{number}" for number in range(8))
    theirs = [name for side, name in recorder.done if side == "there"]
    mine = [name for side, name in recorder.done if side == "here"]
    assert done == len(theirs)
    # The worker took a prefix of the list, this process the rest from the end backwards.
    assert sorted(theirs) == [f"g{number}" for number in range(len(theirs))]
    assert mine == [f"g{number}" for number in reversed(range(len(theirs), 8))]
    if worker_seconds:
        # A slow worker leaves this process most of the groups (the pool queues at most two).
        assert len(mine) >= 5


def test_a_worker_that_dies_leaves_its_groups_to_be_done_when_needed() -> None:
    def dying(group: list[Work]) -> None:
        time.sleep(0.05)
        raise BrokenProcessPool("gone")

    recorder = _Recorder(0.0)
    groups = [[_work(5, f"g{number}")] for number in range(4)]
    with ThreadPoolExecutor(1) as pool:
        done = share_work(pool, groups, recorder.here, dying)
    assert done == 0  # nothing the worker did counts: the rules do it when they need it
    mine = [name for _, name in recorder.done]
    assert mine and "g0" not in mine  # the worker had g0 (and died on it)
    assert mine == [f"g{number}" for number in reversed(range(4 - len(mine), 4))]


def test_the_pieces_that_read_the_same_lines_are_one_group(tmp_path: Path) -> None:
    from nankoku_netcheck.reach.store import BddStore

    topology = generate(CitySpec(devices=14, acl_lines=5000, seed=6), tmp_path / "city")
    loaded = load(str(topology))
    space = PacketSpace(store=BddStore(tmp_path / "store"))
    work = filter_work(space, loaded.network) + shadow_work(space, loaded.devices.values())
    groups = _by_lines(work)
    assert sorted(id(item) for group in groups for item in group) == sorted(id(item) for item in work)
    for group in groups:
        assert len({tuple(map(id, item.acl.lines)) for item in group}) == 1
    # A compile and ACL-002's walk of the same lines (a stateful device's policy list is an
    # ACL of its own made of the bound ACL's lines) go together.
    assert any(len({item.run for item in group}) > 1 for group in groups)
    costs = [sum(item.cost for item in group) for group in groups]
    assert costs == sorted(costs, reverse=True)
