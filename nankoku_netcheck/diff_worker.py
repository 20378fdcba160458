"""The revision side of a diff in a second process.

`diff` loads and analyses two states of a network; in one process that is their sum (a
1,000-device city: two decodes of the parse cache, two rule runs, ~8 s on one core). With a
store (a cache folder) and a second core, the before side is loaded and analysed in a
spawned worker while this process does the after side; the worker then answers as a
`Side` (diff_sides.py): its Result, devices, segments and searches that ran out of budget as
plain data, its flows per source class as packet sets (sealed DDDMP in a private transfer
folder, as rules/presearch.py hands over searches), and on request the explanations of the
classes it passes (the packets the change blocks), the fates of the after side's examples
and the lines of changed configs.

Never a different answer: both processes build the same network from the same inputs, the
sets are canonical BDDs in spaces declared alike, and every question is about concrete
packets or sets handed over whole, so the diff is byte-identical to the one-process diff
(tests/test_diff_worker.py compares them). A worker that cannot start, dies or fails is
`BeforeSideLost`: the caller then does the before side here (diff.py). Warnings the worker
issues reach the caller in their order, before the after side's (the one-process order).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import multiprocessing
import os
import shutil
import tempfile
import warnings
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from pathlib import Path
from typing import Any

from .analyze import load, packet_space, saved_searches
from .cache import ParseCache, private_folder
from .diff_sides import DeviceLines, Fate, FateQuestion, LocalSide, Passage, PassTask, analyse_side, fate, passages
from .errors import InputError, InputProblem, InputWarning
from .parse_worker import rare_full_collections
from .reach.packets import PacketSet, PacketSpace
from .reach.saved import load_sets, save_sets
from .reach.store import BddStore
from .result import Result
from .rules.flows import CrossCheckError

FLOWS_KEY = "flows"


class BeforeSideLost(Exception):
    """The worker is gone or failed: the before side is to be done in this process."""


@dataclass(frozen=True)
class BeforeJob:
    """What the worker needs to load and analyse the before side as `diff_topologies` would."""

    topology: str
    display_prefix: tuple[str, str] | None
    root: str | None
    allow_paths: tuple[str, ...]
    kept_as: str | None
    cache_directory: str
    secret: bytes
    backend: str
    budget: int
    timestamp: str
    today: dt.date | None
    transfer: str


@dataclass(frozen=True)
class IssuedWarning:
    """A warning the worker issued: an InputWarning's problem, or another warning's text."""

    problem: InputProblem | None
    text: str
    category: str
    filename: str
    lineno: int


@dataclass(frozen=True)
class Summary:
    """The analysed before side, as plain data; its flows are the transfer's FLOWS_KEY sets."""

    result: Result
    devices: tuple[str, ...]
    segments: tuple[str, ...]
    source_classes: tuple[str, ...]
    exhausted: tuple[tuple[str, bool], ...]
    flows: tuple[tuple[str, str], ...]  # (source, dest) of each set, in order
    digests: dict[str, tuple[str, str]]
    warnings: tuple[IssuedWarning, ...]


# Categories a worker's warning keeps when issued again here (any other becomes a UserWarning).
_CATEGORIES: dict[str, type[Warning]] = {
    category.__name__: category
    for category in (UserWarning, DeprecationWarning, PendingDeprecationWarning, RuntimeWarning, ResourceWarning)
}


class RemoteSide:
    """The before side, analysed by a worker process (a `Side`, diff_sides.py)."""

    def __init__(self, process: BaseProcess, connection: Connection, folder: Path, transfer: BddStore) -> None:
        self.process = process
        self.connection = connection
        self.folder = folder
        self.transfer = transfer
        self.summary: Summary | None = None
        self._flows: dict[str, dict[str, PacketSet]] = {}
        self._asked = 0
        self._answered: dict[int, Any] = {}
        self._received = 0

    # --- the analysis ---------------------------------------------------------------------

    def loaded(self) -> tuple[InputProblem, ...]:
        """Wait until the worker has read its inputs; issue its warnings here. The problems of
        inputs it could not read (none: it goes on to the analysis)."""
        message = self._receive()
        if not isinstance(message, tuple) or message[0] not in ("loaded", "input-error"):
            raise BeforeSideLost(f"unexpected message {message!r:.80}")
        issue_again(message[-1])
        return tuple(message[1]) if message[0] == "input-error" else ()

    def analysed(self, space: PacketSpace) -> None:
        """Wait for the worker's analysis; take its flows into `space`."""
        message = self._receive()
        if not isinstance(message, tuple) or message[0] != "analysed" or not isinstance(message[1], Summary):
            raise BeforeSideLost(f"unexpected message {message!r:.80}")
        summary: Summary = message[1]
        sets = load_sets(self.transfer, space, FLOWS_KEY)
        if sets is None or len(sets) != len(summary.flows):
            raise BeforeSideLost("its flows did not load")
        for (source, dest), packets in zip(summary.flows, sets, strict=True):
            self._flows.setdefault(source, {})[dest] = packets
        issue_again(summary.warnings)
        self.summary = summary

    def _summary(self) -> Summary:
        assert self.summary is not None, "analysed() first"
        return self.summary

    @property
    def result(self) -> Result:
        return self._summary().result

    @property
    def devices(self) -> tuple[str, ...]:
        return self._summary().devices

    @property
    def segments(self) -> tuple[str, ...]:
        return self._summary().segments

    @property
    def source_classes(self) -> tuple[str, ...]:
        return self._summary().source_classes

    @property
    def exhausted(self) -> tuple[tuple[str, bool], ...]:
        return self._summary().exhausted

    def flows(self, source: str) -> Mapping[str, PacketSet]:
        return self._flows.get(source, {})

    def line_digests(self) -> Mapping[str, tuple[str, str]]:
        return self._summary().digests

    # --- questions ------------------------------------------------------------------------

    def ask_passages(self, tasks: list[PassTask]) -> Callable[[], list[list[Passage]]]:
        key = f"tasks-{self._asked}"
        if tasks and not save_sets(self.transfer, key, [task.packets for task in tasks]):
            raise BeforeSideLost("the packet sets to explain could not be handed over")
        return self._ask(("passages", key, [(task.change, task.source, task.dest) for task in tasks]))

    def ask_fates(self, questions: list[FateQuestion]) -> Callable[[], list[Fate]]:
        return self._ask(("fates", questions))

    def ask_lines(self, names: list[str]) -> Callable[[], dict[str, DeviceLines]]:
        return self._ask(("lines", names))

    def _ask(self, question: tuple[Any, ...]) -> Callable[[], Any]:
        number = self._asked
        self._asked += 1
        try:
            self.connection.send(question)
        except (OSError, ValueError) as error:
            raise BeforeSideLost(f"cannot ask: {error}") from None

        def answer() -> Any:
            # The worker answers in the order asked: earlier answers are kept for their askers.
            while number not in self._answered:
                message = self._receive()
                if not isinstance(message, tuple) or message[0] != "answer":
                    raise BeforeSideLost(f"unexpected message {message!r:.80}")
                self._answered[self._received] = message[1]
                self._received += 1
            return self._answered.pop(number)

        return answer

    def _receive(self) -> Any:
        try:
            message = self.connection.recv()
        except (EOFError, OSError) as error:
            raise BeforeSideLost(f"the worker ended ({error or 'no message'})") from None
        if isinstance(message, tuple) and message and message[0] == "cross-check":
            raise CrossCheckError(message[1])
        if isinstance(message, tuple) and message and message[0] == "failed":
            raise BeforeSideLost(message[1])
        return message

    def stop(self) -> None:
        """End the worker: told to when it waits for a question (it leaves at once, and its exit,
        the freeing of a network's memory, runs beside this process: 0.18 s on a 1,000-device
        city; multiprocessing reaps it), else terminated and waited for (an interrupted or failed
        diff does not wait for its analysis)."""
        if self.summary is not None and self._received == self._asked:
            with contextlib.suppress(OSError, ValueError):
                self.connection.send(("stop",))
        else:
            self.process.terminate()
            self.process.join()
        self.connection.close()
        shutil.rmtree(self.folder, ignore_errors=True)


def start_before_side(job_of: Callable[[str], BeforeJob], cache: ParseCache) -> RemoteSide | None:
    """The worker for the before side, started; None when it cannot be (no private transfer
    folder, the process does not start): then the caller does both sides itself.
    `job_of`: the job given the transfer folder."""
    try:
        folder = Path(tempfile.mkdtemp(prefix="diff-", dir=private_folder(cache.directory / "bdd")))
        transfer = BddStore(folder, cache.secret)
    except (OSError, InputError):
        return None
    context = multiprocessing.get_context("spawn")  # spawn, not fork: see analyze.parse_many
    here, there = context.Pipe()
    process = context.Process(target=before_side_worker, args=(there, job_of(str(folder))), daemon=True)
    try:
        process.start()
    except Exception:  # the worker only saves time: whatever keeps it from starting, do it here
        shutil.rmtree(folder, ignore_errors=True)
        return None
    finally:
        there.close()
    return RemoteSide(process, here, folder, transfer)


@contextlib.contextmanager
def held_warnings() -> Iterator[list[warnings.WarningMessage]]:
    """Warnings issued inside, kept back (the caller issues them again in the order it chooses)."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        yield caught


def issue_again(issued: Iterable[IssuedWarning | warnings.WarningMessage]) -> None:
    """Issue kept warnings here, under the filters in force (a caller's own, e.g. the CLI's)."""
    for item in issued:
        if isinstance(item, IssuedWarning):
            if item.problem is not None:
                warnings.warn_explicit(InputWarning(item.problem), InputWarning, item.filename, item.lineno)
            else:
                category = _CATEGORIES.get(item.category, UserWarning)
                warnings.warn_explicit(item.text, category, item.filename, item.lineno)
        else:
            warnings.warn_explicit(item.message, item.category, item.filename, item.lineno)


def _plain(caught: list[warnings.WarningMessage]) -> tuple[IssuedWarning, ...]:
    return tuple(
        IssuedWarning(
            record.message.problem if isinstance(record.message, InputWarning) else None,
            str(record.message),
            record.category.__name__,
            record.filename,
            record.lineno,
        )
        for record in caught
    )


def before_side_worker(connection: Connection, job: BeforeJob) -> None:
    """The worker: load and analyse the before side as `diff_topologies` does in one process,
    send what `RemoteSide` reads, then answer questions until told to stop (or the parent goes)."""
    try:
        with rare_full_collections():
            _serve(connection, job)
        # Told to stop: leave without the interpreter's teardown of a whole network's objects
        # (0.2 s on a 1,000-device city, which the parent would wait for); nothing is left to write.
        connection.close()
        os._exit(0)
    except CrossCheckError as error:
        with contextlib.suppress(OSError, ValueError):
            connection.send(("cross-check", str(error)))
    except (EOFError, BrokenPipeError, KeyboardInterrupt):
        return
    except BaseException as error:  # reported: the parent does this side itself
        with contextlib.suppress(OSError, ValueError):
            connection.send(("failed", f"{type(error).__name__}: {error}"))


def _serve(connection: Connection, job: BeforeJob) -> None:
    cache = ParseCache(Path(job.cache_directory), job.secret)
    with held_warnings() as caught:
        try:
            loaded = load(
                job.topology, cache, display_prefix=job.display_prefix, allow_paths=job.allow_paths, root=job.root
            )
        except InputError as error:
            connection.send(("input-error", error.problems, _plain(caught)))
            return
        connection.send(("loaded", _plain(caught)))
        caught.clear()
        space = packet_space(job.backend, cache)
        saved = saved_searches(space, loaded, job.budget, cache, kept_as=job.kept_as)
        analysis = analyse_side(
            loaded,
            space,
            timestamp=job.timestamp,
            today=job.today,
            budget=job.budget,
            prior=saved.get if saved is not None else None,
            prints=saved.prints if saved is not None else None,
        )
        side = LocalSide(analysis)
        flows = [
            (source, dest, packets) for source in side.source_classes for dest, packets in side.flows(source).items()
        ]
        if not save_sets(BddStore(Path(job.transfer), job.secret), FLOWS_KEY, [packets for _, _, packets in flows]):
            raise RuntimeError("the flows could not be handed over")
        summary = Summary(
            analysis.result,
            side.devices,
            side.segments,
            side.source_classes,
            side.exhausted,
            tuple((source, dest) for source, dest, _ in flows),
            dict(side.line_digests()),
            _plain(caught),
        )
    connection.send(("analysed", summary))
    transfer = BddStore(Path(job.transfer), job.secret)
    with warnings.catch_warnings():
        # Explaining replays packets over what was analysed: nothing there warns about the inputs,
        # and the parent has issued the warnings of this side already.
        warnings.simplefilter("ignore")
        while True:
            question = connection.recv()
            if question[0] == "stop":
                return
            connection.send(("answer", _answer(side, space, transfer, question)))


def _answer(side: LocalSide, space: PacketSpace, transfer: BddStore, question: tuple[Any, ...]) -> object:
    kind = question[0]
    if kind == "passages":
        _, key, specs = question
        sets = load_sets(transfer, space, key) if specs else []
        if sets is None or len(sets) != len(specs):
            raise RuntimeError("the packet sets to explain did not load")
        tasks = [
            PassTask(change, source, dest, packets) for (change, source, dest), packets in zip(specs, sets, strict=True)
        ]
        return [passages(side.context, task) for task in tasks]
    if kind == "fates":
        return [fate(side.context, q) for q in question[1]]
    if kind == "lines":
        return side.ask_lines(question[1])()
    raise RuntimeError(f"unknown question {kind!r}")


__all__ = ["BeforeJob", "BeforeSideLost", "RemoteSide", "held_warnings", "issue_again", "start_before_side"]
