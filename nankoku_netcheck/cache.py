"""Parsed-device cache keyed by content: re-verifying after editing one file of a large
repository reparses only that file. Entries are pickles of model.Device; the key covers
the tool version, the vendor asked for, the display path (it is in every Source) and the
config's SHA-256, so a stale entry can never be returned."""

from __future__ import annotations

import functools
import hashlib
import os
import pickle
import tempfile
from pathlib import Path

from . import __version__
from .model import Device


@functools.cache
def parser_fingerprint() -> str:
    """A hash of the model and the parsers' source: a cached Device is only reused by the
    exact code that produced it (no version bump to forget)."""
    package = Path(__file__).resolve().parent
    digest = hashlib.sha256()
    for path in sorted([package / "model.py", *(package / "parse").glob("*.py")]):
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


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
        path = self._path(key)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            with tempfile.NamedTemporaryFile("wb", dir=path.parent, delete=False) as handle:
                pickle.dump(device, handle, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(handle.name, path)
        except OSError:
            pass
