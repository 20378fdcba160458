"""The whole-run result cache: an unchanged re-run returns the last run's Result without
parsing or searching (issue #20: a warm 1,000-device run took a minute to say what it had
already said).

One entry per topology file (`results/<hash of its real path>.json` in the cache folder),
sealed like every other entry (cache.py: HMAC under the per-user key, size limit, no links
followed, data-only codec). The entry holds the key it was computed for; it is used only
when the key of this run is the same. The key is a SHA-256 over everything a Result depends
on, computed without parsing a config:

- the bytes of the topology, of every file it names (clause map, profile) and of every
  config, and the loaded topology itself (paths as resolved, displays relative to the
  working directory, the policy profile: `repr` of the frozen model);
- the topology path as given and the working directory (reports show both), and the
  repository root found from the topology (SARIF paths are relative to it);
- the rules asked for (only rules of the registry: another rule's code is not known here,
  so a run with one is not cached), the budget, the BDD engine actually used (after
  NANKOKU_BDD), `today` (exceptions expire by date);
- the code: every file of the package (sources and data), the Python version and the
  installed versions of the libraries that take part in the analysis.

A baseline is not in the key: the cached Result is the one before the baseline was applied,
and `analyze` applies the baseline to it on every run (a cheap, pure step), so a changed
baseline needs no search either. The duplicate-hostname warnings of the run (its only input
warnings once the inputs loaded) are kept with the Result and issued again on a hit.

A file that changes while the run reads it cannot poison the cache: the Result is kept only
when the hashes of the inputs it records are those the key was computed from.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import hashlib
import importlib.metadata
import json
import os
import sys
import warnings
from collections.abc import Iterable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

from . import __version__
from .baseline import source_root
from .cache import MAC_BYTES, PACKAGE, ParseCache, Rejected, read_entry, remove_entry, seal, unseal, write_atomically
from .codec import Codec, DecodeError, EncodeError
from .errors import InputProblem, InputWarning
from .model import DeviceEntry, Topology
from .reach.packets import BackendUnavailable, chosen_backend
from .result import Result
from .rules import REGISTRY, Rule

if TYPE_CHECKING:
    from .topology import ConfigReads

# A 3,000-device city's Result is a few MiB of JSON; anything this large is not ours.
RESULT_ENTRY_LIMIT = 256 * 1024 * 1024
RESULTS_FOLDER = "results"
KEY_CHARS = 64  # a SHA-256 in hex, stored in front of the encoded Result
# Distributions whose version may change a Result: the config and topology readers', the
# graph algorithms' (the certificates' cuts) and the BDD engines' (which example packet a
# search picks). Those that only render reports (click, rich, jinja2) are not among them.
LIBRARIES = ("ciscoconfparse2", "netaddr", "pyyaml", "networkx", "dd", "oxidd")


@dataclass(frozen=True)
class CachedRun:
    """What an entry holds: the Result (before any baseline, no timestamp) and the input
    warnings the run issued."""

    result: Result
    warnings: tuple[InputProblem, ...] = ()


@dataclass(frozen=True)
class RunKey:
    """The entry a run uses (`slot`: one per topology file), the key of everything its
    Result depends on, and the SHA-256 of each input file hashed for it by display path."""

    slot: str
    key: str
    files: tuple[tuple[str, str], ...]
    today: dt.date  # the run must use the date the key was computed with (a run may span midnight)


@functools.cache
def run_codec() -> Codec:
    return Codec(CachedRun)


@functools.cache
def package_fingerprint() -> str:
    """A hash of every file of the package (sources and data, not bytecode): a result is
    only reused by the exact code that computed it."""
    files = sorted(
        path.relative_to(PACKAGE).as_posix()
        for path in PACKAGE.rglob("*")
        if path.is_file() and "__pycache__" not in path.parts
    )
    digest = hashlib.sha256()
    for relative in files:
        data = (PACKAGE / relative).read_bytes()
        digest.update(f"{relative}\0{len(data)}\0".encode())
        digest.update(data)
    return digest.hexdigest()


@functools.cache
def library_versions() -> tuple[tuple[str, str], ...]:
    versions = []
    for name in LIBRARIES:
        try:
            versions.append((name, importlib.metadata.version(name)))
        except importlib.metadata.PackageNotFoundError:
            versions.append((name, ""))
    return tuple(versions)


def file_sha256(path: str) -> str | None:
    """None when the file cannot be read: the run then reads it the usual way and reports why."""
    try:
        with open(path, "rb") as handle:
            return hashlib.sha256(handle.read()).hexdigest()
    except OSError:
        return None


def input_hashes(topology: Topology, reads: ConfigReads | None = None) -> tuple[tuple[str, str], ...] | None:
    """(display path, SHA-256) of every file the topology reads, as the Result's InputRecords
    name them; None when one cannot be read. `reads`: the configs this run has read already
    (their hashes are those of the bytes it read)."""
    files: list[tuple[str, str, DeviceEntry | None]] = [(topology.path, topology.path, None)]
    files += [(path, display, None) for _kind, path, display in topology.extra_inputs]
    files += [(entry.config_path, entry.config_display, entry) for entry in topology.devices]
    hashes = []
    for path, display, entry in files:
        known = reads.known(entry) if reads is not None and entry is not None else None
        digest = known.sha256 if known is not None else file_sha256(path)
        if digest is None:
            return None
        hashes.append((display, digest))
    return tuple(hashes)


def registry_ids(rules: Iterable[Rule] | None) -> tuple[str, ...] | None:
    """The IDs of the rules asked for, None when one is not a registry rule (its code is
    not covered by the package fingerprint... or it is a test's stand-in)."""
    chosen = list(rules) if rules is not None else list(REGISTRY)
    if any(rule not in REGISTRY for rule in chosen):
        return None
    return tuple(rule.id for rule in chosen)


def run_key(
    topology: Topology,
    rules: Iterable[Rule] | None,
    budget: int,
    backend: str,
    today: dt.date,
    reads: ConfigReads | None = None,
) -> RunKey | None:
    """The key of a run of `topology` (already loaded), None when the run cannot be cached.
    `reads`: see `input_hashes`."""
    ids = registry_ids(rules)
    files = input_hashes(topology, reads)
    try:
        engine = chosen_backend(backend)
    except BackendUnavailable:
        return None  # the run itself fails, the usual way
    if ids is None or files is None:
        return None
    real = os.path.realpath(topology.path)
    material = [
        "nankoku-netcheck result",
        __version__,
        package_fingerprint(),
        sys.version,
        library_versions(),
        topology.path,
        real,
        os.getcwd(),
        source_root(topology.path),
        repr(topology),
        files,
        ids,
        budget,
        engine,
        today.isoformat(),
    ]
    key = hashlib.sha256(json.dumps(material, ensure_ascii=False).encode("utf-8")).hexdigest()
    slot = hashlib.sha256(real.encode("utf-8", "surrogateescape")).hexdigest()
    return RunKey(slot, key, files, today)


class ResultCache:
    """The results folder of a parse cache (its folder and key were checked when it was opened)."""

    def __init__(self, cache: ParseCache) -> None:
        self.directory = cache.directory / RESULTS_FOLDER
        self.secret = cache.secret
        self.hits = 0
        self.misses = 0
        self.rejected = 0  # entries found unusable (and removed)

    def _path(self, run: RunKey) -> Path:
        return self.directory / f"{run.slot}.json"

    @staticmethod
    def _code() -> str:
        return package_fingerprint()

    def get(self, run: RunKey) -> CachedRun | None:
        """The run kept for this key, None when there is none (another key's entry is left
        for the new result to replace; a damaged or foreign one is removed)."""
        path = self._path(run)
        try:
            data = read_entry(path, RESULT_ENTRY_LIMIT + MAC_BYTES + KEY_CHARS)
            if data is not None:
                payload = unseal(self.secret, "result", run.slot, self._code(), data)
                if payload[:KEY_CHARS] == run.key.encode("ascii"):
                    cached = run_codec().loads(payload[KEY_CHARS:])
                    self.hits += 1
                    return cached  # type: ignore[no-any-return]
        except (Rejected, DecodeError):
            self.rejected += 1
            remove_entry(path)
        self.misses += 1
        return None

    def put(self, run: RunKey, result: Result, warned: Iterable[InputProblem]) -> None:
        """Best effort, like the parse cache. Kept only when the Result read exactly the
        inputs the key was computed from (a file edited during the run is not)."""
        if not _read_what_was_hashed(result, run):
            return
        try:
            payload = run_codec().dumps(CachedRun(replace(result, generated_at=""), tuple(warned)))
        except EncodeError:
            return
        if len(payload) > RESULT_ENTRY_LIMIT:
            return
        data = seal(self.secret, "result", run.slot, self._code(), run.key.encode("ascii") + payload)
        with contextlib.suppress(OSError):
            write_atomically(self._path(run), data)


def _read_what_was_hashed(result: Result, run: RunKey) -> bool:
    recorded = tuple((record.path, record.sha256) for record in result.inputs if record.kind != "baseline")
    return sorted(recorded) == sorted(run.files)


def replay(cached: CachedRun, timestamp: str) -> Result:
    """The cached Result as this run's: its timestamp, and its input warnings issued again."""
    for problem in cached.warnings:
        warnings.warn(InputWarning(problem), stacklevel=3)
    return replace(cached.result, generated_at=timestamp)
