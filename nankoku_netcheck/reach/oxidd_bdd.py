"""The part of dd's `BDD` interface the engine uses, over an OxiDD complement-edge BDD manager.

`oxidd` (Rust core) ships wheels for Linux, Windows and macOS, where `dd.cudd` has Linux
wheels only. Its functions already behave as dd's do for what callers use on packet sets
(`&`, `|`, `~`, `==`, `hash`), so packet sets are oxidd's own function objects, unwrapped:
a wrapper would cost a Python call on every operation. This class supplies the rest of what
reach/packets.py and the few callers of `PacketSpace.bdd` ask of a dd manager: `declare`,
`var`, `cube`, `exist`, `let` (renaming and fixing variables), `count`, `pick`, `load`,
`dump`, `true`, `false`.

Capacity: OxiDD reserves its node table when the manager is made (16 bytes of address space
a node, resident only when used) and raises `DDMemoryError` when the table is full. A failed
allocation, though, aborts the process (Rust), so the table is sized to the memory there is:
a sixteenth of the smaller of physical memory and the address-space limit (RLIMIT_AS), at
most 2^28 nodes. Under a 3 GiB limit that is 12 million nodes (192 MiB); 2^32 nodes asked
for 64 GiB and aborted.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

from oxidd.bcdd import BCDDFunction, BCDDManager, BCDDSubstitution
from oxidd.util import DDDMPFile

MAX_NODES = 1 << 28
BYTES_PER_NODE = 16
# Where physical memory cannot be read (Windows): what a small office PC has.
ASSUMED_MEMORY = 8 << 30
# Apply-cache entries: the cache is allocated when the manager is made (about 16 bytes an
# entry), so it is sized like CUDD's default maximum rather than grown.
CACHE_CAPACITY = 1 << 22
# One worker thread: the analysis already runs two processes on cold runs, and OxiDD's
# parallel apply only pays on much larger diagrams than ours.
THREADS = 1
# OxiDD collects garbage by itself only when its table is full, in the middle of an operation,
# and that may come too late: a loop that leaves garbage behind stops with DDMemoryError after a
# collection of its own (tests/test_bdd_backends.py), where collecting between operations keeps
# it going. Dead nodes pile up fast: the 1,000-device city leaves 66 million nodes behind its
# searches, three quarters of them dead (an 8 GiB PC's table holds 33 million). `tidy` collects
# when the table is this full. Not sooner: a collection empties the apply cache too, and the
# searches after it redo work (+35 % CPU on that city when collecting past 30 million nodes).
COLLECT_WHEN_FULL = 0.75
# And once the garbage made since the last collection outgrows what that collection left live,
# and COLLECT_FLOOR nodes: the table then stays within twice what is live (on a large machine
# it would otherwise grow to three quarters of a sixteenth of its memory before the first
# collection: 75 million nodes on the 3,000-device city, 20-30 million of them live), and each
# collection is paid for by at least that many nodes' worth of work (a threshold just above the
# live size would collect on every `tidy`: the +35 % above). Measured (cold, main process):
# N = 3,000 peak 4,985 -> 3,514 MiB for +1 % CPU; at N = 1,000 a table allowed only twice its
# live size (8-9 million nodes) collected so often that a cold run took 9 s longer: the floor.
COLLECT_FLOOR = 1 << 24


def node_capacity() -> int:
    return max(1 << 20, min(MAX_NODES, usable_memory() // 16 // BYTES_PER_NODE))


def usable_memory() -> int:
    """Bytes: the smaller of physical memory and this process's address-space limit."""
    memory = ASSUMED_MEMORY
    with contextlib.suppress(AttributeError, ValueError, OSError):
        memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    try:
        import resource

        limit = resource.getrlimit(resource.RLIMIT_AS)[0]
        if limit != resource.RLIM_INFINITY:
            memory = min(memory, limit)
    except (ImportError, AttributeError, ValueError, OSError):
        pass
    return memory


class OxiddBDD:
    """A BCDD manager with dd's method names. Variables are named; their order is the
    declaration order and never changes (OxiDD does no dynamic reordering)."""

    def __init__(self, capacity: int | None = None) -> None:
        """`capacity`: nodes the table holds (default: `node_capacity()`)."""
        self.capacity = capacity if capacity is not None else node_capacity()
        self.manager = BCDDManager(self.capacity, CACHE_CAPACITY, THREADS)
        self.true: BCDDFunction = self.manager.true()
        self.false: BCDDFunction = self.manager.false()
        self._index: dict[str, int] = {}
        self._vars: list[BCDDFunction] = []
        # OxiDD keys its apply cache on the substitution object: re-using one object per
        # renaming lets repeated reversals of the same set hit the cache.
        self._substitutions: dict[tuple[tuple[str, bool | str], ...], BCDDSubstitution] = {}
        self._var_sets: dict[tuple[str, ...], BCDDFunction] = {}
        self._cubes: dict[tuple[tuple[str, bool], ...], BCDDFunction] = {}
        self._live = 0  # nodes left by the last collection

    def tidy(self) -> bool:
        """Collect garbage if the node table is fuller than COLLECT_WHEN_FULL, or holds more
        garbage than both the last collection left live and COLLECT_FLOOR; True if it did.
        Live sets are those Python still holds: safe between any two operations."""
        limit = min(self.capacity * COLLECT_WHEN_FULL, self._live + max(self._live, COLLECT_FLOOR))
        if self.manager.num_inner_nodes() <= limit:
            return False
        self.manager.gc()
        self._live = self.manager.num_inner_nodes()
        return True

    def configure(self, **_settings: object) -> dict[str, object]:
        """dd's tuning knobs (reordering, cache sizes): nothing to set here."""
        return {}

    def declare(self, *names: str) -> None:
        for number in self.manager.add_named_vars(names):
            self._index[self.manager.var_name(number)] = number
            self._vars.append(self.manager.var(number))

    def var(self, name: str) -> BCDDFunction:
        return self._vars[self._index[name]]

    def cube(self, literals: Mapping[str, bool]) -> BCDDFunction:
        """The conjunction of the literals, built from the bottom variable up: every step
        adds one node above the result so far. Cached: CUDD makes a cube in one call, here
        it is one call a literal, and the engine asks for the same protocol cubes often."""
        key = tuple(literals.items())
        found = self._cubes.get(key)
        if found is not None:
            return found
        result = self.true
        for number, positive in sorted(((self._index[name], value) for name, value in key), reverse=True):
            var = self._vars[number]
            result = var.ite(result, self.false) if positive else var.ite(self.false, result)
        self._cubes[key] = result
        return result

    def _var_set(self, names: Iterable[str]) -> BCDDFunction:
        key = tuple(names)
        found = self._var_sets.get(key)
        if found is None:
            found = self._var_sets[key] = self.cube(dict.fromkeys(key, True))
        return found

    def exist(self, names: Iterable[str], function: BCDDFunction) -> BCDDFunction:
        return function.exists(self._var_set(names))

    def let(self, definitions: Mapping[str, bool | str], function: BCDDFunction) -> BCDDFunction:
        """All definitions at once: a name maps to a constant (the cofactor) or to another
        variable's name (a renaming, swaps included)."""
        key = tuple(sorted(definitions.items()))
        substitution = self._substitutions.get(key)
        if substitution is None:
            substitution = self._substitutions[key] = BCDDSubstitution(
                (self._index[name], self._replacement(value)) for name, value in key
            )
        return function.substitute(substitution)

    def _replacement(self, value: bool | str) -> BCDDFunction:
        if isinstance(value, bool):
            return self.true if value else self.false
        return self.var(value)

    def count(self, function: BCDDFunction, nvars: int) -> int:
        return function.sat_count(nvars)

    def pick(self, function: BCDDFunction, care_vars: Sequence[str]) -> dict[str, bool] | None:
        """The least assignment in variable order (False before True), as CUDD's first cube
        with its free variables set to False: the same packet on every backend."""
        cube = function.pick_cube()
        if cube is None:
            return None
        return {name: bool(cube[self._index[name]]) for name in care_vars}

    def dump(self, filename: str, roots: Sequence[BCDDFunction]) -> None:
        self.manager.export_dddmp(filename, roots)

    def load(self, filename: str) -> list[BCDDFunction]:
        """Raises ValueError for a file that is not a DDDMP file of this variable layout."""
        try:
            handle = DDDMPFile(Path(filename))
        except Exception as error:  # OxiDD reports malformed input with several exception types
            raise ValueError(f"{filename}: {error}") from error
        try:
            return self.manager.import_dddmp(handle)
        except Exception as error:
            raise ValueError(f"{filename}: {error}") from error
        finally:
            handle.close()
