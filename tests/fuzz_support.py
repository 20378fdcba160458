"""Shared pieces of the fuzzing harness (tests/test_fuzz.py): how many examples to run, a
per-example time limit, the seed lines that mutations start from, and the saving of
crashing inputs as regression files.

Budgets. In a normal test run each target runs a small, fixed (derandomized) set of
examples, so that the whole harness costs well under half a minute on two cores. For a
long run:

    NANKOKU_FUZZ=1 pytest tests/test_fuzz.py                    # 50x the examples, fresh ones
    NANKOKU_FUZZ_EXAMPLES=20000 pytest tests/test_fuzz.py -k ios  # exactly N per target

In a long run the (shrunk) input that broke a property is written to
tests/fuzz_regressions/<target>/unreviewed-<pid>.bin; give it a name that says what it
is, fix the bug and commit it: test_fuzz.py replays every file there in every normal run.
"""

from __future__ import annotations

import contextlib
import functools
import os
import signal
import threading
from collections.abc import Iterator
from pathlib import Path

from conftest import CORPUS, REPO
from hypothesis import HealthCheck, settings

REGRESSIONS = Path(__file__).resolve().parent / "fuzz_regressions"
SAMPLE_CONFIGS = tuple(sorted((REPO / "device_configs").glob("*/*.cfg")))

_EXAMPLES = os.environ.get("NANKOKU_FUZZ_EXAMPLES", "")
LONG_RUN = os.environ.get("NANKOKU_FUZZ") == "1" or bool(_EXAMPLES)
LONG_RUN_FACTOR = 50

# Seconds one example may take before it counts as a hang. Generous: the machine running
# CI may be busy, and a real hang (an endless loop, an exponential expansion) overshoots
# any limit.
TIME_LIMIT = float(os.environ.get("NANKOKU_FUZZ_TIME_LIMIT", "20"))


def fuzz_settings(ci_examples: int) -> settings:
    """`ci_examples` in a normal run (always the same ones); a long run draws fresh ones."""
    if _EXAMPLES:
        count = int(_EXAMPLES)
    elif LONG_RUN:
        count = ci_examples * LONG_RUN_FACTOR
    else:
        count = ci_examples
    return settings(
        max_examples=count,
        deadline=None,
        derandomize=not LONG_RUN,
        database=None,
        print_blob=LONG_RUN,
        suppress_health_check=[
            HealthCheck.too_slow,
            HealthCheck.data_too_large,
            HealthCheck.filter_too_much,
            HealthCheck.function_scoped_fixture,
        ],
    )


class Hang(BaseException):
    """An example ran longer than TIME_LIMIT. A BaseException, so that no `except
    Exception` on the way (the CLI turns those into exit 4) can hide a hang as a crash."""


@contextlib.contextmanager
def time_limit(seconds: float = TIME_LIMIT) -> Iterator[None]:
    """Raise Hang in the running code after `seconds` (SIGALRM: main thread on POSIX only;
    elsewhere no limit, the suite's own timeout is the guard)."""
    usable = hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread()
    if not usable:
        yield
        return

    def expire(_signum: int, _frame: object) -> None:
        raise Hang(f"example ran longer than {seconds:g} s")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def save_regression(target: str, data: bytes) -> Path | None:
    """In a long run, keep an input that broke `target`'s property. Hypothesis calls the
    test again for every smaller failing input it tries and last for the smallest, so each
    failure overwrites one file per process: what remains is the shrunk example. Rename it
    after review. Normal runs write nothing into the repository."""
    if not LONG_RUN:
        return None
    folder = REGRESSIONS / target
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"unreviewed-{os.getpid()}.bin"
    path.write_bytes(data)
    return path


def regression_files(target: str) -> list[Path]:
    folder = REGRESSIONS / target
    return sorted(path for path in folder.iterdir() if path.is_file()) if folder.is_dir() else []


def decode(data: bytes) -> str:
    return data.decode("utf-8", errors="replace")


@functools.cache
def sample_texts() -> tuple[str, ...]:
    """The bundled sample configs, decoded as the tool decodes them (the Otoyo RTX configs are
    CP932 with CRLF)."""
    from nankoku_netcheck.inputs import read_input

    return tuple(read_input(str(path)).text for path in SAMPLE_CONFIGS)


# Corpus files read as documents to mutate: small ones only (each example parses the whole
# document), at most this many lines.
CORPUS_DOCUMENT_LINES = 400


@functools.cache
def corpus_texts() -> tuple[str, ...]:
    """Small public configs of every vendor from the shared corpus (read where it lies,
    never copied into the repository); empty when the corpus is absent."""
    manifest = CORPUS / "MANIFEST.tsv"
    if not manifest.is_file():
        return ()
    texts = []
    for row in manifest.read_text(encoding="utf-8").splitlines()[1:]:
        relative, lines, _size = row.split("\t")
        if int(lines) <= CORPUS_DOCUMENT_LINES:
            with contextlib.suppress(OSError):
                texts.append(decode((CORPUS / relative).read_bytes()))
    return tuple(texts)


@functools.cache
def cisco_corpus_texts() -> tuple[str, ...]:
    """The small corpus configs that detection reads as a supported vendor."""
    from nankoku_netcheck.parse import detect_vendor

    return tuple(text for text in corpus_texts() if detect_vendor(text) is not None)


@functools.cache
def documents() -> tuple[str, ...]:
    return sample_texts() + corpus_texts()


@functools.cache
def seed_lines() -> tuple[str, ...]:
    """Distinct non-blank lines of every document, in a fixed order (examples stay reproducible)."""
    return tuple(sorted({line for text in documents() for line in text.splitlines() if line.strip()}))
