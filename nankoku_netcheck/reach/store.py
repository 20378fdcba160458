"""Compiled packet sets of long ACLs, kept on disk between runs.

A 16,000-line firewall ACL takes seconds to compile into a BDD (and as long again to
reverse for the reply check) but a tenth of a second to load in CUDD's DDDMP format, so a
re-verify after editing one device recompiles only what changed. The key is a hash of the
ACL's parsed lines, the tool version and the source of the code that builds packet sets
(model.py, reach/packets.py), so an entry is only ever reused by the code that wrote it.

Whoever can write the store must not decide the verdict (issue #14). Every entry (a DDDMP
file, or a JSON record of results derived from compiled sets) is authenticated with the
cache's per-user key (cache.py: `seal` / `unseal`, HMAC-SHA256 over the kind, the key, the
code and the bytes): an entry that fails the check is removed and recomputed, never loaded.

CUDD's DDDMP loader crashes (segfaults) on crafted files, so nothing unauthenticated may
reach it. Two ways were measured on a 184,694-node set (a 13,000-line random ACL): CUDD
loads it in 0.36 s, a reader of our own that checks the text and rebuilds the BDD node by
node through dd's `find_or_add` takes 1.15 s, compiling it takes 5.9 s. CUDD is three times
faster, and once the HMAC has verified a file it is one this tool wrote itself, so CUDD
loads it -- from a private copy of the verified bytes (a temporary file in the store's own
folder, which only this user can write), never from the entry's path, which could be
swapped between the check and the load. OxiDD (the default engine) writes and reads DDDMP
through the same `dump` / `load` calls and the same checks; its reader is Rust and reports a
malformed file as an error (reach/oxidd_bdd.py turns it into ValueError), but it too only
ever sees authenticated bytes. Each engine reads only the files it wrote (the packet space's
layout in the key names the engine).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import tempfile
from pathlib import Path
from typing import Any

from .. import __version__
from ..cache import (
    MAC_BYTES,
    Rejected,
    load_key,
    private_folder,
    read_entry,
    remove_entry,
    seal,
    source_fingerprint,
    unseal,
    write_atomically,
)
from ..codec import Codec, DecodeError

PacketSet = Any
STORE_FORMAT = "3"
# A DDDMP file takes about 23 bytes a node; 256 MiB is over ten million nodes, far beyond
# what compiling any ACL we have seen produces (the benchmark's largest: under 300,000).
BDD_ENTRY_LIMIT = 256 * 1024 * 1024
# A record lists an ACL's unreachable lines: a few numbers each.
RECORD_ENTRY_LIMIT = 64 * 1024 * 1024


class BddStore:
    """Best effort both ways: a store that cannot be read or written only costs time.
    Opening one checks its folder and loads (or makes) the key: raises InputError."""

    def __init__(self, directory: Path, secret: bytes | None = None) -> None:
        self.directory = private_folder(Path(directory))
        self.secret = secret if secret is not None else load_key()
        self.hits = 0
        self.misses = 0
        self.rejected = 0  # entries found unusable (and removed)

    @staticmethod
    def key(kind: str, content: object, layout: str) -> str:
        """`content`: what the entry is computed from (the model's plain data: tuples,
        frozen dataclasses, enums, str, int, bool, None), hashed through its repr: the same
        in every process, whichever equal objects happen to be shared (a pickle is not: a
        device read from the cache shares fewer objects than the parsed one, and the two got
        different keys). No sets: their repr order varies between processes. On a
        16,000-line ACL the repr takes 0.19 s, a pickle 0.27 s, a type-tagged JSON 0.72 s.
        `layout`: the packet space's variable names in order (a stored BDD is only
        meaningful in a space declared the same way)."""
        return BddStore.key_of_digest(kind, BddStore.content_digest(content), layout)

    @staticmethod
    def content_digest(content: object) -> str:
        """The hash of `content` that `key` rests on: several kinds of entry computed from the
        same content (an ACL's permit set and its reverse) can share one (see `key_of_digest`)."""
        return hashlib.sha256(repr(content).encode("utf-8")).hexdigest()

    @staticmethod
    def key_of_digest(kind: str, digest: str, layout: str) -> str:
        """`key(kind, content, layout)` from `content_digest(content)`."""
        hashed = hashlib.sha256()
        for part in (STORE_FORMAT, __version__, source_fingerprint("model.py", "reach/packets.py"), layout, kind):
            hashed.update(part.encode("utf-8") + b"\0")
        hashed.update(digest.encode("ascii"))
        return hashed.hexdigest()

    def _path(self, key: str, suffix: str) -> Path:
        return self.directory / key[:2] / f"{key}{suffix}"

    @staticmethod
    def _code() -> str:
        return source_fingerprint("model.py", "reach/packets.py", "reach/store.py", "cache.py")

    def has(self, key: str) -> bool:
        """Whether an entry is there (it may still fail its check when read)."""
        return self._path(key, ".dddmp").is_file()

    def _read(self, key: str, suffix: str, kind: str, limit: int) -> bytes | None:
        """The authenticated payload of an entry, None if absent or rejected (then removed)."""
        path = self._path(key, suffix)
        try:
            data = read_entry(path, limit + MAC_BYTES)
            return None if data is None else unseal(self.secret, kind, key, self._code(), data)
        except Rejected:
            self.rejected += 1
            remove_entry(path)
            return None

    def get(self, bdd: Any, key: str) -> PacketSet | None:
        payload = self._read(key, ".dddmp", "bdd", BDD_ENTRY_LIMIT)
        packets = None if payload is None else self._load(bdd, payload)
        if packets is None:
            self.misses += 1
            return None
        self.hits += 1
        return packets

    def _load(self, bdd: Any, payload: bytes) -> PacketSet | None:
        temporary = None
        try:
            with tempfile.NamedTemporaryFile("wb", dir=self.directory, suffix=".dddmp", delete=False) as handle:
                temporary = handle.name
                handle.write(payload)
            (packets,) = bdd.load(temporary)
            return packets
        except (OSError, RuntimeError, ValueError):
            return None
        finally:
            if temporary is not None:
                remove_entry(Path(temporary))

    def has_record(self, key: str) -> bool:
        return self._path(key, ".json").is_file()

    def get_record(self, key: str) -> Any | None:
        """A JSON value stored under `key` (results derived from compiled sets); the caller
        checks its shape. None if absent or rejected."""
        payload = self._read(key, ".json", "record", RECORD_ENTRY_LIMIT)
        if payload is None:
            return None
        try:
            return json.loads(payload)
        except (ValueError, RecursionError):  # authenticated, so only if this code wrote it wrong
            self.rejected += 1
            remove_entry(self._path(key, ".json"))
            return None

    def get_payload(self, key: str) -> bytes | None:
        """The authenticated bytes of the record under `key`, for a caller that decodes them with
        codecs of its own (`get_decoded`); None if absent or rejected."""
        return self._read(key, ".json", "record", RECORD_ENTRY_LIMIT)

    def get_decoded(self, key: str, codec: Codec) -> Any | None:
        """The record under `key` as `codec` reads it (strict); None if absent, rejected or of
        another shape. Decoded from the authenticated bytes in one pass (parsing them to JSON values
        first and writing those back for the codec cost about an eighth of loading a saved search)."""
        payload = self.get_payload(key)
        if payload is None:
            return None
        try:
            return codec.loads(payload)
        except DecodeError:
            return None

    def put_record(self, key: str, value: Any) -> None:
        payload = json.dumps(value, separators=(",", ":")).encode("utf-8")
        with contextlib.suppress(OSError):
            write_atomically(self._path(key, ".json"), seal(self.secret, "record", key, self._code(), payload))

    def put(self, bdd: Any, key: str, packets: PacketSet) -> None:
        path = self._path(key, ".dddmp")
        temporary = None
        try:
            path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
            with tempfile.NamedTemporaryFile("wb", dir=path.parent, suffix=".dddmp", delete=False) as handle:
                temporary = handle.name
            bdd.dump(temporary, [packets])
            payload = Path(temporary).read_bytes()
            if len(payload) <= BDD_ENTRY_LIMIT:
                write_atomically(path, seal(self.secret, "bdd", key, self._code(), payload))
        except (OSError, RuntimeError, ValueError):
            pass
        finally:
            if temporary is not None:
                remove_entry(Path(temporary))

    def put_blob(self, key: str, payload: bytes) -> None:
        """Raw sealed bytes (several DDDMP texts of one search result, reach/saved.py)."""
        if len(payload) <= BDD_ENTRY_LIMIT:
            with contextlib.suppress(OSError):
                write_atomically(self._path(key, ".blob"), seal(self.secret, "blob", key, self._code(), payload))

    def get_blob(self, key: str) -> bytes | None:
        """The bytes `put_blob` stored under `key`, None if absent or rejected (then removed)."""
        return self._read(key, ".blob", "blob", BDD_ENTRY_LIMIT)
