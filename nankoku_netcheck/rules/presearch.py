"""The searches the zone rules will ask for, run before them over two processes.

The reach stage is a handful of independent fixpoints (rules/flows.py `FlowContext.reach`:
one per source class, with routing and, for ZONE-008, without), each seconds long on a city
of a hundred devices, that the rules ask for one after the other. With a store (a cache
folder) and a second job, they are computed before the rules run: a spawned worker process
rebuilds the network (the parse cache holds every device, so it is sent only the topology
and the config texts) and takes searches from the same list as this process. Each process
claims the next unclaimed search by creating its claim file (O_EXCL: exactly one creator
wins), so the worker's start-up time is spent here on searches rather than balanced by a
guess; the list is ordered by expected cost (the starts a search injects at: a zone's
segments), the costliest first. The worker saves each result in a private transfer folder
(reach/saved.py: sealed DDDMP), this process loads them into its own packet space and hands
them to the FlowContext, and the folder is removed.

Never a wrong answer: a search the worker did not deliver (it died, raised, or its result
does not load) is computed here when the rules ask for it, as without this module. A result
is the fixpoint over the same network from the same starts, whichever process computed it:
the packet sets are equal (canonical BDDs), so the findings are byte-identical.

Which searches each rule asks for is read off rules/zone.py (`planned_searches`): a search
planned that no rule asks for costs the time it takes, one asked for but not planned runs
when asked, as before.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import shutil
import tempfile
import time
import warnings
from collections.abc import Iterable
from dataclasses import dataclass
from multiprocessing.process import BaseProcess
from pathlib import Path

from ..cache import ParseCache
from ..inputs import InputFile
from ..model import Topology, ZoneKind
from ..profiles import pair_policies
from ..reach.saved import load_reach, save_reach
from ..reach.store import BddStore
from .flows import FlowContext

Search = tuple[str, bool]  # (source class, routing)

# The rules that ask for the routed search of every zone (directly or through `unproven`).
EVERY_ZONE_ROUTED = frozenset({"ZONE-001", "ZONE-002", "ZONE-007"})

# Expected cost of a search: its starts, weighted. On the 100-device synthetic city a search
# with routing ignored took 2.5 times one with routing from the same zone (it floods every
# path the filters allow): 1.45 against 0.57 s CPU.
ROUTED_WEIGHT = 2
UNROUTED_WEIGHT = 5

# Below this much expected cost over all planned searches, one process does them: the worker
# spends about two seconds of CPU starting (spawn, imports, every device from the cache)
# before its first search, so the split pays only when the searches take clearly longer.
# 2,000 is about 3.5 s of searches on the synthetic cities (N = 100: 3,500, 6 s CPU).
PARALLEL_SEARCH_MIN_COST = 2000


@dataclass(frozen=True)
class Presearch:
    """What happened: searches planned, done here, loaded from the worker's results, and
    the CPU seconds this process spent loading them."""

    planned: int = 0
    here: int = 0
    from_worker: int = 0
    load_seconds: float = 0.0


def planned_searches(topology: Topology, rule_ids: Iterable[str]) -> list[Search]:
    """The searches the zone rules among `rule_ids` ask for (benchmarks/run.py lists the same)."""
    chosen = set(rule_ids)
    searches: list[Search] = []
    if chosen & EVERY_ZONE_ROUTED:
        searches += [(zone.id, True) for zone in topology.zones]
    if "ZONE-002" in chosen:
        searches += [(f"peer:{peer.id}", True) for peer in topology.external_peers]
    if "ZONE-009" in chosen:
        searches += [
            (f"public:{zone.id}", True) for zone in topology.zones if zone.kind is ZoneKind.INTERNET and zone.upstream
        ]
    if "ZONE-008" in chosen:
        searches += [(zone, False) for zone in sorted({policy.from_zone for policy in pair_policies(topology)})]
    return searches


def by_cost(context: FlowContext, searches: list[Search]) -> list[tuple[Search, int]]:
    """Each search with its expected cost (its weighted starts), the costliest first (ties: plan order)."""
    costed = [
        (search, len(context.starts(search[0])) * (ROUTED_WEIGHT if search[1] else UNROUTED_WEIGHT))
        for search in searches
    ]
    return sorted(costed, key=lambda item: -item[1])


def search_in_two_processes(
    context: FlowContext,
    topology: Topology,
    configs: dict[str, InputFile],
    rule_ids: Iterable[str],
    cache: ParseCache | None,
    jobs: int,
) -> Presearch:
    """Run the planned searches now, over this process and one worker, when there is a cache
    to hand results over in, `jobs` allows it and the plan is large enough (else nothing:
    each search runs when a rule asks for it)."""
    store = context.space.store
    if cache is None or store is None or jobs < 2:
        return Presearch()
    costed = by_cost(context, planned_searches(topology, rule_ids))
    if len(costed) < 2 or sum(cost for _, cost in costed) < PARALLEL_SEARCH_MIN_COST:
        return Presearch()
    plan = [search for search, _ in costed]
    folder = Path(tempfile.mkdtemp(prefix="searches-", dir=store.directory))
    try:
        worker = start_worker(folder, cache, context, topology, configs, plan)
        mine: set[int] = set()
        for index, search in enumerate(plan):
            if claim(folder, index):
                context.reach(*search)
                mine.add(index)
        finish_worker(worker, everything_here=len(mine) == len(plan))
        return adopt_results(context, BddStore(folder, cache.secret), plan, mine)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def start_worker(
    folder: Path,
    cache: ParseCache,
    context: FlowContext,
    topology: Topology,
    configs: dict[str, InputFile],
    plan: list[Search],
) -> BaseProcess | None:
    """The worker process, started; None if it could not be (then every search runs here)."""
    arguments = (
        str(folder),
        cache.secret,
        str(cache.directory),
        context.space.backend,
        context.engine.budget,
        topology,
        configs,
        plan,
    )
    # spawn, not fork: see analyze.parse_many.
    worker = multiprocessing.get_context("spawn").Process(target=search_worker, args=arguments, daemon=True)
    try:
        worker.start()
    except (OSError, RuntimeError):
        return None
    return worker


def finish_worker(worker: BaseProcess | None, everything_here: bool) -> None:
    """Wait for the worker's claimed searches; a worker that claimed none (this process got
    through the whole list while it was starting) is stopped rather than waited for."""
    if worker is None:
        return
    if everything_here:
        worker.terminate()
    worker.join()


def adopt_results(context: FlowContext, transfer: BddStore, plan: list[Search], mine: set[int]) -> Presearch:
    """Hand the worker's results to `context`; what did not arrive is left for the rules to ask."""
    started = time.process_time()
    adopted = 0
    for index, (source_class, routing) in enumerate(plan):
        if index in mine:
            continue
        result = load_reach(transfer, context.space, transfer_key((source_class, routing)))
        if result is not None:
            context.adopt_reach(source_class, routing, result)
            adopted += 1
    return Presearch(len(plan), len(mine), adopted, time.process_time() - started)


def claim(folder: Path, index: int) -> bool:
    """Whether this process takes search `index` (it created the claim file first)."""
    try:
        os.close(os.open(folder / f"claim-{index}", os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))
    except FileExistsError:
        return False
    except OSError:
        return False  # neither process can claim: the searches run when the rules ask
    return True


def transfer_key(search: Search) -> str:
    return f"{search[0]}\0{'routed' if search[1] else 'filters'}"


def search_worker(
    folder: str,
    secret: bytes,
    cache_directory: str,
    backend: str,
    budget: int,
    topology: Topology,
    configs: dict[str, InputFile],
    plan: list[Search],
) -> None:
    """The worker's side: rebuild the network, then claim and save searches until none is left.
    It fails quietly: whatever it did not save is searched in the parent."""
    with contextlib.suppress(Exception, KeyboardInterrupt):
        search_and_save(folder, secret, cache_directory, backend, budget, topology, configs, plan)


def search_and_save(
    folder: str,
    secret: bytes,
    cache_directory: str,
    backend: str,
    budget: int,
    topology: Topology,
    configs: dict[str, InputFile],
    plan: list[Search],
) -> None:
    if all((Path(folder) / f"claim-{index}").exists() for index in range(len(plan))):
        return  # nothing left: no need to load the network
    context = worker_context(secret, cache_directory, backend, budget, topology, configs)
    transfer = BddStore(Path(folder), secret)
    for index, search in enumerate(plan):
        if claim(Path(folder), index):
            save_reach(transfer, transfer_key(search), context.reach(*search))


def worker_context(
    secret: bytes, cache_directory: str, backend: str, budget: int, topology: Topology, configs: dict[str, InputFile]
) -> FlowContext:
    """The parent's FlowContext, rebuilt from the parse cache (a device missing from it is parsed again)."""
    # Imported here: analyze.py imports this module.
    from ..analyze import Loaded, flow_context, packet_space, parse_devices
    from ..graph import build_network

    cache = ParseCache(Path(cache_directory), secret)
    with warnings.catch_warnings():
        # The parent has reported every warning about the inputs already.
        warnings.simplefilter("ignore")
        devices = parse_devices(topology, configs, cache)
    loaded = Loaded(topology, configs, devices, build_network(topology, devices))
    return flow_context(loaded, packet_space(backend, cache), budget=budget)
