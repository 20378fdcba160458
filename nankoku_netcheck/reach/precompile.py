"""Long ACLs compiled on two cores before the search starts.

On a cold run the firewalls' long ACLs dominate: each is compiled into a BDD (an interface
ACL, or the one list of the policy rules that apply to a pair of interfaces) and, on a
stateful device, reversed for the reply check, and later stages ask more of them (the
unreachable-line analysis). These pieces of work are independent of each other, so with
a store (reach/store.py) and more than one job, a worker process does some of them into
the store while this process does the rest (`share_work`: each takes the next group from
its own end of the list), the pieces that read the same lines in one process; the search
and the rules then find all of them done. Later stages add their own work items (`Work`)
without this module knowing what they compute.
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Callable
from concurrent.futures import Executor, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from functools import partial
from pathlib import Path

from ..graph import Network
from ..model import Acl, Device
from .filters import applicable_rules, egress_acl, forwards, ingress_acl, policy_acl
from .packets import STORE_MIN_LINES, PacketSpace
from .store import BddStore


@dataclass(frozen=True)
class Work:
    """`run(space, acl)` leaves its result in `space.store` (what it returns is dropped);
    `cost` is a rough estimate used to share the work out. `run` must be a module-level
    function (it is sent to the worker)."""

    run: Callable[[PacketSpace, Acl], object]
    acl: Acl
    cost: int


def compile_filter(space: PacketSpace, acl: Acl) -> None:
    space.acl_permits(acl)


def compile_filter_and_reverse(space: PacketSpace, acl: Acl) -> None:
    space.acl_permits(acl)
    space.acl_permits_reversed_tcp(acl)


def filter_work(space: PacketSpace, network: Network) -> list[Work]:
    """Each distinct long ACL that decides traffic on some interface and is not stored yet
    (with its reverse when a stateful device uses it)."""
    found: dict[str, tuple[Acl, bool]] = {}
    for _, device in sorted(network.devices.items()):
        chosen_acls = [
            chosen
            for if_name in sorted(device.interfaces)
            for chosen in (ingress_acl(device, if_name), egress_acl(device, if_name))
        ]
        for chosen in [*chosen_acls, *policy_lists(space, device).values()]:
            if not isinstance(chosen, Acl) or len(chosen.lines) < STORE_MIN_LINES:
                continue
            key = space.lines_digest(chosen)
            found[key] = (chosen, device.stateful or (key in found and found[key][1]))
    # The reverse (its TCP part) took 0.25-0.7 of the compile on the 1,000-device city's ACLs.
    return [
        Work(compile_filter_and_reverse, acl, 2 * len(acl.lines))
        if reverse
        else Work(compile_filter, acl, len(acl.lines))
        for acl, reverse in found.values()
        if not space.is_stored(acl, reverse)
    ]


def policy_lists(space: PacketSpace, device: Device) -> dict[tuple[int, ...], Acl]:
    """The distinct lists the device's policy evaluates between interfaces carrying traffic,
    by the indexes of their rules (the objects the engine takes: `PacketSpace.derived_acl`)."""
    if device.policy is None:
        return {}
    names = [name for name in sorted(device.interfaces) if forwards(device.interfaces[name])]
    distinct = {applicable_rules(device, in_if, out_if) for in_if in names for out_if in names}
    return {rules: policy_acl(space, device, rules) for rules in sorted(distinct)}


def run_in_two_processes(space: PacketSpace, work: list[Work], jobs: int) -> int:
    """Do `work` now, shared with a worker process (`share_work`), when there is a store to
    hand results over in and `jobs` allows it (else leave it to be done when needed).
    Returns how many items the worker did."""
    if space.store is None or jobs < 2 or len(work) < 2:
        return 0  # done when needed, as without this module
    there = partial(_work_in_store, str(space.store.directory), space.store.secret, space.backend)
    # spawn, not fork: see analyze.parse_many.
    with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn")) as pool:
        return share_work(pool, _by_lines(work), partial(_work_here, space), there)


def share_work(
    pool: Executor, groups: list[list[Work]], here: Callable[[list[Work]], None], there: Callable[[list[Work]], None]
) -> int:
    """Each group done once, by `there` in the pool's one worker or by `here`: the worker
    takes them from the first (the costliest) on, this process from the last on (a group the
    pool has not handed to the worker yet is cancelled there and done here), until they
    meet. So no estimate of the items' costs decides who waits for whom, and the worker's
    start-up is spent here on work. Returns how many items the worker did; a group it could
    not do (it died) is left to be done when needed."""
    futures = [pool.submit(there, group) for group in groups]
    for group, future in zip(reversed(groups), reversed(futures), strict=True):
        if not future.cancel():
            break  # the worker has this group, and every costlier one
        here(group)
    done = 0
    for group, future in zip(groups, futures, strict=True):
        if future.cancelled():
            break
        try:
            future.result()
        except (BrokenProcessPool, OSError):
            return done
        done += len(group)
    return done


def _work_here(space: PacketSpace, group: list[Work]) -> None:
    for item in group:
        item.run(space, item.acl)
        space.tidy()  # a compile leaves millions of dead nodes behind


def _by_lines(work: list[Work]) -> list[list[Work]]:
    """The items grouped by the lines they read, the costliest group first. Most of an item's
    time goes to each line's packet set (`PacketSpace.line_match`, cached per space): the
    compile, the reverse and ACL-002's walk of one ACL done in one process make those sets
    once. Split over the two, each process made them again (3,000-device city: the six
    51,500-line ACLs' compile stage took 71 s wall over two processes, 50 s of CPU in one)."""
    groups: dict[tuple[int, ...], list[Work]] = {}
    for item in work:
        # By the line objects: a policy's list for a pair of interfaces is an ACL of its own
        # made of the bound ACL's very lines.
        groups.setdefault(tuple(map(id, item.acl.lines)), []).append(item)
    return sorted(groups.values(), key=lambda group: -sum(item.cost for item in group))


def _work_in_store(directory: str, secret: bytes, backend: str, work: list[Work]) -> None:
    space = PacketSpace(backend, BddStore(Path(directory), secret))
    for item in work:
        item.run(space, item.acl)
