"""Parsing one config in a pool's worker process, or here.

A module of its own so that a spawned parse worker imports the parsers and the cache codec,
not the whole pipeline (`analyze` pulls in the engine, the rules and the reports: 0.6 s of
CPU a worker against 0.3 s for what parsing needs)."""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Iterator

from .cache import EncodedDevice, encode_device
from .errors import InputError, InputProblem
from .model import Device
from .parse import parse_config

ParseTask = tuple[str, str, str | None, str | None]  # (config text, display path, vendor, instance)
Parsed = Device | tuple[InputProblem, ...]  # a parsed config, or why it could not be parsed
# A parsed config and, when asked for and the cache takes it, its cache entry's payload.
Encoded = tuple[Parsed, EncodedDevice | None]


def parse_encoded(task: ParseTask, encode: bool) -> Encoded:
    """`parse_outcome` of a task, and the device's `encode_device` when `encode`."""
    with collector_paused():
        outcome = parse_outcome(*task)
        return outcome, (encode_device(outcome) if encode and not isinstance(outcome, tuple) else None)


def parse_in_worker(task: ParseTask, encode: bool) -> Parsed | EncodedDevice:
    """`parse_encoded` in a pool's worker: a device that has its cache payload travels back
    as that payload alone, which the main process decodes as it arrives (while the workers
    parse on). On the 1,000-device benchmark city that is 84 MB through the pipe instead
    of the devices' 124 MB of pickles, the workers no longer pickle the devices (about 1 s
    CPU) and the main process decodes them in about 0.7 s more than it took to unpickle
    them; the devices equal the parsed ones and are those a warm run reads."""
    outcome, encoded = parse_encoded(task, encode)
    return outcome if encoded is None else encoded


def parse_outcome(text: str, display: str, vendor: str | None, instance: str | None = None) -> Parsed:
    """A parsed config, or the problems of the input error it raised (returned, so that a
    worker process hands them back like a result)."""
    try:
        with collector_paused():
            return parse_config(text, display, vendor, instance)
    except InputError as error:
        return tuple(error.problems)


@contextlib.contextmanager
def collector_paused() -> Iterator[None]:
    """Parsing and loading parsed devices make millions of small objects that all live to
    the end of the run; the cyclic garbage collector's passes over them are pure cost (two
    thirds of a warm 1,000-device load). Reference counting still frees what is dropped."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        # What exists now is moved out of the collector's sight for good (gc.freeze):
        # otherwise its next full pass walks all of it again.
        gc.freeze()
        if was_enabled:
            gc.enable()


# A full pass of the cyclic collector walks every object made since the devices were loaded (and
# frozen, above); an edit run of the 1,000-device city made seven, 0.3 s together, each freeing
# none to a few thousand objects: what an analysis makes lives to its end, and reference counting
# frees the rest. Ten times rarer while a run analyses (the default is 10).
RARE_FULL_COLLECTIONS = 100


@contextlib.contextmanager
def rare_full_collections() -> Iterator[None]:
    """Full collections rarer while this runs; the caller's thresholds are restored after."""
    young, middle, old = gc.get_threshold()
    gc.set_threshold(young, middle, max(old, RARE_FULL_COLLECTIONS))
    try:
        yield
    finally:
        gc.set_threshold(young, middle, old)
