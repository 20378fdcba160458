"""Parsed-device cache keyed by content: re-verifying after editing one file of a large
repository reparses only that file. Entries are pickles of model.Device; the key covers
the tool version, the vendor asked for, the display path (it is in every Source) and the
config's SHA-256, so a stale entry can never be returned."""

from __future__ import annotations

import contextlib
import functools
import hashlib
import os
import pickle
import tempfile
from pathlib import Path

from . import __version__
from .model import Device

PACKAGE = Path(__file__).resolve().parent


@functools.cache
def source_fingerprint(*relative_paths: str) -> str:
    """A hash of these source files of the package (paths relative to it): a cached result
    is only reused by the exact code that produced it (no version bump to forget)."""
    digest = hashlib.sha256()
    for relative in relative_paths:
        digest.update(relative.encode())
        digest.update((PACKAGE / relative).read_bytes())
    return digest.hexdigest()


def parser_fingerprint() -> str:
    """A hash of the model and the parsers' source."""
    parsers = sorted(path.relative_to(PACKAGE).as_posix() for path in (PACKAGE / "parse").glob("*.py"))
    return source_fingerprint("model.py", *parsers)


def write_atomically(path: Path, data: bytes) -> None:
    """Write `data` to `path` through a temporary file in the same folder, so that a reader
    sees the old file or the new one, never half of one. Raises OSError."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile("wb", dir=path.parent, delete=False) as handle:
        handle.write(data)
    os.replace(handle.name, path)


def default_cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "nankoku-netcheck"


class ParseCache:
    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.hits = 0
        self.misses = 0

    @staticmethod
    def key(sha256: str, display: str, vendor: str | None) -> str:
        material = "\0".join((__version__, parser_fingerprint(), vendor or "", display, sha256))
        return hashlib.sha256(material.encode("utf-8")).hexdigest()

    def _path(self, key: str) -> Path:
        return self.directory / key[:2] / f"{key}.pickle"

    def get(self, key: str) -> Device | None:
        try:
            with open(self._path(key), "rb") as handle:
                device = pickle.load(handle)
        except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError):
            self.misses += 1
            return None
        if not isinstance(device, Device):
            self.misses += 1
            return None
        self.hits += 1
        return device

    def put(self, key: str, device: Device) -> None:
        """Best effort: a cache that cannot be written only costs time."""
        with contextlib.suppress(OSError):
            write_atomically(self._path(key), pickle.dumps(device, protocol=pickle.HIGHEST_PROTOCOL))
