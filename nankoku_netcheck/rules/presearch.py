"""The searches the zone rules will ask for, run before them over two processes.

The reach stage is a handful of independent fixpoints (rules/flows.py `FlowContext.reach`:
one per source class, with routing and, for ZONE-008, without), each seconds long on a city
of a hundred devices, that the rules ask for one after the other. With a store (a cache
folder) and a second job, they are computed before the rules run: a spawned worker process,
started as soon as the inputs are loaded (analyze.py: its start-up, about two seconds of CPU,
runs while the long ACLs compile), rebuilds the network (the parse cache holds every device,
so it is sent only the topology and the config texts), waits for the go, and takes searches
from the same list as this process. Each process
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

Then, while this process runs the rules, the worker (when a zone rule runs) goes on to the
isolation certificates, the last stage, which would otherwise run on one core: it finds every
pair's cut and reads the lines of the cut filters it claims first (the same claim files; the
lines as sealed records in the transfer folder, `TransferredLines`). This process claims
what is left when it gets there and takes the worker's lines; a point the worker claimed but
did not deliver (it died or failed) is read here.
"""

from __future__ import annotations

import contextlib
import hashlib
import multiprocessing
import os
import shutil
import tempfile
import time
import warnings
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from multiprocessing.process import BaseProcess
from multiprocessing.synchronize import Event as EventType
from pathlib import Path
from typing import Any

from ..cache import ParseCache, private_folder
from ..errors import InputError
from ..graph import Network, build_network
from ..inputs import InputFile
from ..model import Topology, ZoneKind
from ..profiles import pair_policies
from ..reach.saved import load_reach, save_reach
from ..reach.store import BddStore
from ..result import Evidence
from .certificate import FilterPoint, cited_lines_ahead
from .flows import FlowContext

Search = tuple[str, bool]  # (source class, routing)

# The rules that ask for the routed search of every zone (directly or through `unproven`).
EVERY_ZONE_ROUTED = frozenset({"ZONE-001", "ZONE-002", "ZONE-007"})

# Expected cost of a search: its starts, weighted. On the 100-device synthetic city a search
# with routing ignored took 2.5 times one with routing from the same zone (it floods every
# path the filters allow): 1.45 against 0.57 s CPU. Since stub devices send nothing back
# (engine `_stub_link`) it takes about half as long as the routed one (300 devices: 1.5 against
# 2.5-3.0 s); the weights were left as they were, the threshold below re-measured with them.
ROUTED_WEIGHT = 2
UNROUTED_WEIGHT = 5

# Below this much expected cost over all planned searches, one process does them. The worker
# costs CPU of its own: about 2.4 s to start (spawn, imports, every device from the cache,
# the network) and the filters and address sets each process compiles for its searches.
# Measured on the synthetic cities (OxiDD, warm cache, CPU seconds of the reach stage): N = 100
# (cost 3,500) 7.6-8.8 one process, 5.0-5.5 here + 6.5-7.2 in the worker: +55 % CPU for at best
# a quarter off the wall time, and only with an idle second core; N = 300 (cost 10,500) 54.4
# against 32.3 here + 30.2 in the worker: +15 % CPU, 40 % off the wall time with a free core.
# Re-measured after the stub links (cold `analyze`, OxiDD, jobs=2, the worker on or off): N = 300
# (cost 10,511) 26.0-26.7 s wall with one process, 26.9-27.7 s with the worker (+7 s CPU for
# nothing); N = 1,000 (cost 35,011) 100.9 s against 86.3 s with it (+2.3 s CPU). Hence 20,000.
PARALLEL_SEARCH_MIN_COST = 20000


@dataclass(frozen=True)
class Presearch:
    """What happened: searches planned, done here, loaded from the worker's results, and
    the CPU seconds this process spent loading them."""

    planned: int = 0
    here: int = 0
    from_worker: int = 0
    load_seconds: float = 0.0


@dataclass
class SearchWorker:
    """A started worker: it rebuilds the network, then waits for `ready` (set when this
    process starts on the searches: the compiled long ACLs are in the store by then), and
    sets `searched` when its searches are saved. `certify`: it goes on to the certificates'
    lines then (a zone rule runs), so `search_with` leaves it running."""

    process: BaseProcess
    ready: EventType
    folder: Path
    secret: bytes
    plan: list[Search]
    searched: EventType
    certify: bool


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


def by_cost(network: Network, searches: list[Search]) -> list[tuple[Search, int]]:
    """Each search with its expected cost, the costliest first (ties: plan order). The cost
    counts starts as FlowContext.starts makes them (a zone's segments that hold hosts, and
    an internet zone's upstreams), read off the network: planned before any packet set exists."""
    hosting: dict[str, int] = {}
    for segment in network.segments.values():
        if segment.zone is not None and segment.holds_hosts:
            hosting[segment.zone] = hosting.get(segment.zone, 0) + 1
    upstreams = {zone.id: len(zone.upstream) for zone in network.topology.zones if zone.kind is ZoneKind.INTERNET}

    def starts(source_class: str) -> int:
        if source_class.startswith("peer:"):
            return 1
        zone_id = source_class.removeprefix("public:")
        segments = 0 if source_class.startswith("public:") else hosting.get(zone_id, 0)
        return segments + upstreams.get(zone_id, 0)

    costed = [(search, starts(search[0]) * (ROUTED_WEIGHT if search[1] else UNROUTED_WEIGHT)) for search in searches]
    return sorted(costed, key=lambda item: -item[1])


def ordered_plan(network: Network, rule_ids: Iterable[str]) -> list[Search]:
    """The planned searches, the costliest first; empty when one process should do them."""
    costed = by_cost(network, planned_searches(network.topology, rule_ids))
    if len(costed) < 2 or sum(cost for _, cost in costed) < PARALLEL_SEARCH_MIN_COST:
        return []
    return [search for search, _ in costed]


def start_search_worker(
    network: Network,
    configs: dict[str, InputFile],
    rule_ids: Iterable[str],
    cache: ParseCache | None,
    jobs: int,
    backend: str,
    budget: int,
    kept: Callable[[str, bool], object] | None = None,
) -> SearchWorker | None:
    """A worker for the planned searches, started as early as the inputs are loaded (its
    start takes seconds); None when there is no cache to hand results over in, `jobs` is 1,
    the plan is too small to pay, every planned search is kept from an earlier run (`kept`:
    the saved result or a repair of it, None when there is none: incremental.py
    `SavedSearches.get`; this process takes those first, so a worker would get nothing), or
    the process cannot be started. `stop_search_worker` must follow (search_in_two_processes
    does it)."""
    rule_ids = list(rule_ids)
    plan = ordered_plan(network, rule_ids) if cache is not None and jobs >= 2 else []
    if cache is None or not plan:
        return None
    if kept is not None and all(kept(*search) is not None for search in plan):
        return None
    try:
        folder = Path(tempfile.mkdtemp(prefix="searches-", dir=private_folder(cache.directory / "bdd")))
    except OSError:
        return None
    context = multiprocessing.get_context("spawn")  # spawn, not fork: see analyze.parse_many
    ready, searched = context.Event(), context.Event()
    certify = any(rule_id.startswith("ZONE-") for rule_id in rule_ids)
    arguments = (str(folder), cache.secret, str(cache.directory), backend, budget, network.topology, configs, plan)
    process = context.Process(target=search_worker, args=(ready, *arguments, searched, certify), daemon=True)
    try:
        process.start()
    except Exception:  # the worker only saves time: whatever keeps it from starting, search here
        shutil.rmtree(folder, ignore_errors=True)
        return None
    return SearchWorker(process, ready, folder, cache.secret, plan, searched, certify)


def stop_search_worker(worker: SearchWorker | None) -> None:
    """End the worker (if still running) and remove its transfer folder; idempotent."""
    if worker is None:
        return
    if worker.process.is_alive():
        worker.process.terminate()
    worker.process.join()
    shutil.rmtree(worker.folder, ignore_errors=True)


def search_in_two_processes(
    context: FlowContext, configs: dict[str, InputFile], rule_ids: Iterable[str], cache: ParseCache | None, jobs: int
) -> Presearch:
    """Start a worker now (`start_search_worker`) and make the planned searches with it; the
    worker is stopped in the end."""
    space, budget = context.space, context.engine.budget
    worker = start_search_worker(context.network, configs, rule_ids, cache, jobs, space.backend, budget)
    try:
        return search_with(context, worker)
    finally:
        stop_search_worker(worker)


def search_with(context: FlowContext, worker: SearchWorker | None) -> Presearch:
    """Make the planned searches now, over this process and `worker` (None: nothing is done,
    each search runs when a rule asks for it); the worker is stopped in the end unless it goes
    on to the certificates (`SearchWorker.certify`: whoever started it stops it)."""
    if worker is None:
        return Presearch()
    try:
        # What saved searches supply (incremental.py) is claimed before the worker may start.
        mine = {search for search in worker.plan if context.reuse(*search)}
        for search in mine:
            claim(worker.folder, search)
        worker.ready.set()
        for search in worker.plan:
            if claim(worker.folder, search):
                context.reach(*search)
                mine.add(search)
        finish_worker(worker, everything_here=len(mine) == len(worker.plan))
        return adopt_results(context, BddStore(worker.folder, worker.secret), worker.plan, mine)
    finally:
        if not worker.certify:
            stop_search_worker(worker)


def finish_worker(worker: SearchWorker, everything_here: bool) -> None:
    """Wait for the worker's claimed searches (it says when they are saved, or dies); a worker
    that claimed none (this process got through the whole list while it was starting) is
    stopped rather than waited for."""
    if everything_here:
        worker.process.terminate()
        worker.process.join()
        return
    # Polled: a worker that dies never sets the event.
    while not worker.searched.wait(0.02):
        if not worker.process.is_alive():
            return


def adopt_results(context: FlowContext, transfer: BddStore, plan: list[Search], mine: set[Search]) -> Presearch:
    """Hand the worker's results to `context`; what did not arrive is left for the rules to ask."""
    started = time.process_time()
    adopted = 0
    for search in plan:
        if search in mine:
            continue
        result = load_reach(transfer, context.space, transfer_key(search))
        if result is not None:
            context.adopt_reach(*search, result)
            adopted += 1
    return Presearch(len(plan), len(mine), adopted, time.process_time() - started)


def claim(folder: Path, search: Search) -> bool:
    """Whether this process takes `search` (it created the claim file first)."""
    name = "claim-" + hashlib.sha256(transfer_key(search).encode("utf-8")).hexdigest()
    try:
        os.close(os.open(folder / name, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))
    except OSError:  # claimed already, or neither process can claim: the searches run when asked
        return False
    return True


@dataclass
class TransferredLines:
    """`LinesShare` (rules/certificate.py) over the worker's transfer folder: a claim file per
    cut point, the lines the worker read as a sealed record. `worker`: on this process's side,
    the worker to wait for while it runs (None: the worker's own side)."""

    folder: Path
    transfer: BddStore
    worker: BaseProcess | None = None

    def take(self, point: FilterPoint) -> bool:
        if self.worker is None and orphaned():
            return False
        try:
            os.close(os.open(self.folder / f"claim-{lines_key(point)}", os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))
        except FileExistsError:
            return False
        except OSError:  # no claim can be made: this process reads the point, the worker none
            return self.worker is not None
        return True

    def deliver(self, point: FilterPoint, lines: dict[tuple[str, str], list[Evidence]]) -> None:
        self.transfer.put_record(lines_key(point), encoded_lines(lines))

    def lines(self, point: FilterPoint) -> dict[tuple[str, str], list[Evidence]] | None:
        """The worker's lines for the point, waited for while it runs; None if it did not deliver them."""
        key = lines_key(point)
        while not self.transfer.has_record(key) and self.worker is not None and self.worker.is_alive():
            time.sleep(0.01)
        return decoded_lines(self.transfer.get_record(key))


def worker_lines(worker: SearchWorker | None) -> TransferredLines | None:
    """The certificates' share of the lines with `worker`, if it reads some (`SearchWorker.certify`)."""
    if worker is None or not worker.certify:
        return None
    try:
        transfer = BddStore(worker.folder, worker.secret)
    except InputError:  # the folder is not there to read: every point is read here
        return None
    return TransferredLines(worker.folder, transfer, worker.process)


def lines_key(point: FilterPoint) -> str:
    return hashlib.sha256("\0".join(("lines", *point)).encode("utf-8")).hexdigest()


def encoded_lines(lines: dict[tuple[str, str], list[Evidence]]) -> dict[str, Any]:
    """As JSON: each distinct line once (pairs through one filter cite mostly the same lines)."""
    table: dict[Evidence, int] = {}
    pairs = [
        [source, dest, [table.setdefault(line, len(table)) for line in cited]]
        for (source, dest), cited in lines.items()
    ]
    return {"table": [[line.file, line.line, line.text, line.role] for line in table], "pairs": pairs}


def decoded_lines(value: Any) -> dict[tuple[str, str], list[Evidence]] | None:
    """What `encoded_lines` gave, None if absent or of another shape (then the point is read here)."""
    try:
        table = [Evidence(file, number, text, role) for file, number, text, role in value["table"]]
        if not all(
            isinstance(e.file, str) and type(e.line) is int and isinstance(e.text, str) and isinstance(e.role, str)
            for e in table
        ):
            return None
        decoded = {(source, dest): [table[number] for number in numbers] for source, dest, numbers in value["pairs"]}
    except (TypeError, ValueError, KeyError, IndexError):
        return None
    if not all(isinstance(source, str) and isinstance(dest, str) for source, dest in decoded):
        return None
    return decoded


def transfer_key(search: Search) -> str:
    return f"{search[0]}\0{'routed' if search[1] else 'filters'}"


def search_worker(
    ready: EventType,
    folder: str,
    secret: bytes,
    cache_directory: str,
    backend: str,
    budget: int,
    topology: Topology,
    configs: dict[str, InputFile],
    plan: list[Search],
    searched: EventType,
    certify: bool,
) -> None:
    """The worker's side: rebuild the network, wait for the go, then claim and save searches
    until none is left, and (`certify`) read cut filters' lines until none is left
    (`cited_lines_ahead`). It fails quietly: whatever it did not save is done in the parent."""
    with contextlib.suppress(Exception, KeyboardInterrupt):
        context = worker_context(secret, cache_directory, backend, budget, topology, configs)
        if not wait_for(ready):
            return
        transfer = BddStore(Path(folder), secret)
        for search in plan:
            if orphaned():
                return
            if claim(Path(folder), search):
                save_reach(transfer, transfer_key(search), context.reach(*search))
        searched.set()
        if certify:
            cited_lines_ahead(context, TransferredLines(Path(folder), transfer))


def orphaned() -> bool:
    """Whether this process is a worker whose parent is gone: a parent killed outright (SIGKILL,
    SIGTERM) never runs the `finally` that stops its worker, which would otherwise search and read
    lines for nobody, minutes on a large city. Asked between searches and between cut points."""
    parent = multiprocessing.parent_process()
    return parent is not None and not parent.is_alive()


def wait_for(ready: EventType) -> bool:
    """Whether the parent gave the go (False: it is gone, so is the worker's purpose)."""
    parent = multiprocessing.parent_process()
    while not ready.wait(1.0):
        if parent is None or not parent.is_alive():
            return False
    return True


def worker_context(
    secret: bytes, cache_directory: str, backend: str, budget: int, topology: Topology, configs: dict[str, InputFile]
) -> FlowContext:
    """The parent's FlowContext, rebuilt from the parse cache (a device missing from it is parsed again)."""
    # Imported here: analyze.py imports this module.
    from ..analyze import Loaded, flow_context, packet_space, parse_devices

    cache = ParseCache(Path(cache_directory), secret)
    with warnings.catch_warnings():
        # The parent has reported every warning about the inputs already.
        warnings.simplefilter("ignore")
        devices = parse_devices(topology, configs, cache)
    loaded = Loaded(topology, configs, devices, build_network(topology, devices))
    return flow_context(loaded, packet_space(backend, cache), budget=budget)
