"""Compiled packet sets of long ACLs, kept on disk between runs.

A 16,000-line firewall ACL takes seconds to compile into a BDD (and as long again to
reverse for the reply check) but a tenth of a second to load in CUDD's DDDMP format, so a
re-verify after editing one device recompiles only what changed. The key is a hash of the
ACL's parsed lines, the tool version and the source of the code that builds packet sets
(model.py, reach/packets.py), so an entry is only ever reused by the code that wrote it.
Each file carries the SHA-256 of its own contents in its name's companion file: a
truncated or altered entry is recompiled, never loaded.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import pickle
import tempfile
from pathlib import Path
from typing import Any

from .. import __version__
from ..cache import source_fingerprint, write_atomically

PacketSet = Any
STORE_FORMAT = "1"


class BddStore:
    """Best effort both ways: a store that cannot be read or written only costs time."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.hits = 0
        self.misses = 0

    @staticmethod
    def key(kind: str, content: object, layout: str) -> str:
        """`content`: what the entry is computed from (plain data: tuples, dataclasses,
        enums; hashed through its pickle, four times faster than through its repr).
        `layout`: the packet space's variable names in order (a stored BDD is only
        meaningful in a space declared the same way)."""
        digest = hashlib.sha256()
        for part in (STORE_FORMAT, __version__, source_fingerprint("model.py", "reach/packets.py"), layout, kind):
            digest.update(part.encode("utf-8") + b"\0")
        digest.update(pickle.dumps(content, protocol=5))
        return digest.hexdigest()

    def _path(self, key: str) -> Path:
        return self.directory / key[:2] / f"{key}.dddmp"

    def has(self, key: str) -> bool:
        return self._path(key).with_suffix(".sha256").is_file()

    def get(self, bdd: Any, key: str) -> PacketSet | None:
        path = self._path(key)
        try:
            data = path.read_bytes()
            expected = path.with_suffix(".sha256").read_text(encoding="ascii").strip()
        except OSError:
            self.misses += 1
            return None
        if hashlib.sha256(data).hexdigest() != expected:
            self.misses += 1
            return None
        try:
            (packets,) = bdd.load(str(path))
        except (OSError, RuntimeError, ValueError):
            self.misses += 1
            return None
        self.hits += 1
        return packets

    def has_record(self, key: str) -> bool:
        return self._path(key).with_suffix(".json").is_file()

    def get_record(self, key: str) -> Any | None:
        """A JSON value stored under `key` (results derived from compiled sets)."""
        try:
            return json.loads(self._path(key).with_suffix(".json").read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None

    def put_record(self, key: str, value: Any) -> None:
        with contextlib.suppress(OSError):
            write_atomically(self._path(key).with_suffix(".json"), json.dumps(value).encode("utf-8"))

    def put(self, bdd: Any, key: str, packets: PacketSet) -> None:
        path = self._path(key)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            with tempfile.NamedTemporaryFile("wb", dir=path.parent, suffix=".dddmp", delete=False) as handle:
                temporary = handle.name
            bdd.dump(temporary, [packets])
            data = Path(temporary).read_bytes()
            # The checksum goes last: a reader never sees a checksum without its file.
            os.replace(temporary, path)
            write_atomically(path.with_suffix(".sha256"), hashlib.sha256(data).hexdigest().encode("ascii"))
        except (OSError, RuntimeError, ValueError):
            pass
