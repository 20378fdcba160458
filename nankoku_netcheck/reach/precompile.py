"""Long ACLs compiled on two cores before the search starts.

On a cold run the firewalls' long ACLs dominate the reachability stage: each is compiled
into a BDD and, on a stateful firewall, reversed for the reply check, one after the
other. They are independent of each other, so with a store (reach/store.py) and more
than one job, a worker process compiles every other one into the store while this process
compiles the rest; the search then finds all of them compiled.
"""

from __future__ import annotations

import multiprocessing
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path

from ..graph import Network
from ..model import Acl
from .filters import egress_acl, ingress_acl
from .packets import STORE_MIN_LINES, PacketSpace, acl_key
from .store import BddStore


def long_filters(network: Network) -> list[tuple[Acl, bool]]:
    """Each distinct long ACL that decides traffic on some interface, and whether a
    stateful device uses it (then its reverse is needed too), longest first."""
    found: dict[tuple[object, ...], tuple[Acl, bool]] = {}
    for _, device in sorted(network.devices.items()):
        for if_name in sorted(device.interfaces):
            for chosen in (ingress_acl(device, if_name), egress_acl(device, if_name)):
                if not isinstance(chosen, Acl) or len(chosen.lines) < STORE_MIN_LINES:
                    continue
                key = acl_key(chosen)
                reverse = device.stateful or (key in found and found[key][1])
                found[key] = (chosen, reverse)
    return sorted(found.values(), key=lambda item: -len(item[0].lines))


def precompile(space: PacketSpace, network: Network, jobs: int) -> int:
    """Compile the network's long ACLs that the store lacks, over up to two processes.
    Returns how many were handed to the worker (0: all done here, or nothing to do)."""
    if space.store is None or jobs < 2:
        return 0
    missing = [(acl, reverse) for acl, reverse in long_filters(network) if not space.is_stored(acl, reverse)]
    if len(missing) < 2:
        return 0
    theirs, mine = missing[1::2], missing[0::2]
    # spawn, not fork: see analyze.parse_many.
    with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn")) as pool:
        future = pool.submit(compile_into_store, str(space.store.directory), space.backend, theirs)
        for acl, reverse in mine:
            _compile(space, acl, reverse)
        try:
            future.result()
        except (BrokenProcessPool, OSError):
            return 0  # what the worker did not store is compiled here when the search needs it
    return len(theirs)


def compile_into_store(directory: str, backend: str, acls: list[tuple[Acl, bool]]) -> None:
    """The worker's part: compile (and reverse) each ACL into the store."""
    space = PacketSpace(backend, BddStore(Path(directory)))
    for acl, reverse in acls:
        _compile(space, acl, reverse)


def _compile(space: PacketSpace, acl: Acl, reverse: bool) -> None:
    space.acl_permits(acl)
    if reverse:
        space.acl_permits_reversed(acl)
