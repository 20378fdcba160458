"""One search's result (`ReachResult`) kept in the BDD store, to be loaded by a later run or
another process instead of searching again.

An entry is two sealed files of the store (reach/store.py: authenticated with the cache's
per-user key, so nothing this user did not write is ever handed to a BDD loader):
- a blob of DDDMP text holding every distinct packet set of the result. OxiDD writes all
  of them as roots of one DDDMP file (shared nodes written once); dd's CUDD binding dumps
  one root a file, so there the blob is one DDDMP text per set, one after another;
- a record (codec.py, strict) naming the engine that wrote the blob, the byte length of
  each DDDMP text, the blob's SHA-256 (the two files are written separately: a record
  must never pair with another run's blob), and for each delivered endpoint and each
  arrival the index of its set, with `work`, `budget`, `exhausted`, `entered` and
  `translated_into`.

Anything damaged, foreign (another engine, another layout of the record) or inconsistent
loads as None: the caller then searches again. Only what this code wrote loads.
"""

from __future__ import annotations

import hashlib
import json
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..cache import remove_entry, source_fingerprint
from ..codec import Codec, EncodeError
from .engine import Endpoint, ReachResult
from .packets import PacketSet, PacketSpace
from .store import BddStore

# The engine a packet set belongs to, by the module of its type (a result has no manager of its own).
_ENGINES = {"oxidd.bcdd": "oxidd", "dd.cudd": "cudd"}


@dataclass(frozen=True)
class SavedWitness:
    device: str
    root: int


@dataclass(frozen=True)
class SavedDelivery:
    endpoint: Endpoint
    root: int


@dataclass(frozen=True)
class SavedReach:
    engine: str  # "" when the result holds no packet set
    parts: tuple[int, ...]  # byte length of each DDDMP text of the blob, in order
    roots: int
    blob_sha256: str
    delivered: tuple[SavedDelivery, ...]
    witnesses: tuple[SavedWitness, ...]
    work: int
    budget: int
    exhausted: bool
    entered: tuple[str, ...] = ()
    translated_into: tuple[str, ...] = ()


@dataclass(frozen=True)
class SavedSets:
    """Packet sets handed from one process to another (`save_sets`)."""

    engine: str
    parts: tuple[int, ...]
    roots: int
    blob_sha256: str


_CODEC: Codec | None = None
_SETS_CODEC: Codec | None = None


def _codec() -> Codec:
    global _CODEC  # built once: generating the codec's functions takes milliseconds
    if _CODEC is None:
        _CODEC = Codec(SavedReach)
    return _CODEC


def _sets_codec() -> Codec:
    global _SETS_CODEC
    if _SETS_CODEC is None:
        _SETS_CODEC = Codec(SavedSets)
    return _SETS_CODEC


def _sets_key(key: str) -> str:
    return BddStore.key("packet-sets", key, source_fingerprint("reach/saved.py"))


def _entry_key(key: str) -> str:
    """The store key of `key`'s entry: the code that reads the record is part of it."""
    return BddStore.key("reach-result", key, source_fingerprint("reach/saved.py", "reach/engine.py", "reach/nat.py"))


def save_reach(store: BddStore, key: str, result: ReachResult) -> None:
    """Best effort, as the store is: a result that cannot be written only costs a search later."""
    roots: list[PacketSet] = []
    index: dict[PacketSet, int] = {}

    def root_of(packets: PacketSet) -> int:
        found = index.get(packets)
        if found is None:
            found = index[packets] = len(roots)
            roots.append(packets)
        return found

    delivered = tuple(SavedDelivery(endpoint, root_of(packets)) for endpoint, packets in result.delivered.items())
    witnesses = tuple(SavedWitness(device, root_of(packets)) for device, packets in result.witnesses.items())
    dumped = _dumped(store, roots)
    if dumped is None:
        return
    engine, texts, blob = dumped
    record = SavedReach(
        engine=engine,
        parts=tuple(len(text) for text in texts),
        roots=len(roots),
        blob_sha256=hashlib.sha256(blob).hexdigest(),
        delivered=delivered,
        witnesses=witnesses,
        work=result.work,
        budget=result.budget,
        exhausted=result.exhausted,
        entered=tuple(sorted(result.entered)),
        translated_into=tuple(sorted(result.translated_into)),
    )
    _put(store, _entry_key(key), blob, record, _codec())


def save_sets(store: BddStore, key: str, sets: Sequence[PacketSet]) -> bool:
    """Keep packet sets, in order, for `load_sets` (another process hands them over this way);
    False if they could not be written."""
    dumped = _dumped(store, sets)
    if dumped is None:
        return False
    engine, texts, blob = dumped
    record = SavedSets(engine, tuple(len(text) for text in texts), len(sets), hashlib.sha256(blob).hexdigest())
    return _put(store, _sets_key(key), blob, record, _sets_codec())


def load_sets(store: BddStore, space: PacketSpace, key: str) -> list[PacketSet] | None:
    """The sets `save_sets` kept under `key`, in `space`; None if they are not there or do not load."""
    entry = _sets_key(key)
    record = store.get_decoded(entry, _sets_codec())
    if not isinstance(record, SavedSets):
        return None
    return _load_roots(store, space, entry, record)


def _dumped(store: BddStore, roots: Sequence[PacketSet]) -> tuple[str, list[bytes], bytes] | None:
    """(engine, DDDMP texts, their concatenation) of `roots`; None if they cannot be written."""
    engine = _ENGINES.get(type(roots[0]).__module__, "?") if roots else ""
    if engine == "?":
        return None
    texts = _dump(store.directory, engine, roots) if roots else []
    if texts is None:
        return None
    return engine, texts, b"".join(texts)


def _put(store: BddStore, entry: str, blob: bytes, record: object, codec: Codec) -> bool:
    try:
        encoded = json.loads(codec.dumps(record))
    except EncodeError:
        return False
    store.put_blob(entry, blob)
    store.put_record(entry, encoded)
    return True


def has_reach(store: BddStore, key: str) -> bool:
    """Whether both files of `key`'s entry are there (they may still fail their checks when
    loaded; a file that failed them is removed)."""
    entry = _entry_key(key)
    return all(store._path(entry, suffix).is_file() for suffix in (".blob", ".json"))


def drop_reach(store: BddStore, key: str) -> None:
    """Remove the entry of `key` (one a newer result replaced): best effort."""
    entry = _entry_key(key)
    for suffix in (".blob", ".json"):
        remove_entry(store._path(entry, suffix))


def load_reach(store: BddStore, space: PacketSpace, key: str) -> ReachResult | None:
    """The result `save_reach` stored under `key`, its sets in `space`; None if there is none
    usable (absent, damaged, written by another engine)."""
    entry = _entry_key(key)
    record = store.get_decoded(entry, _codec())
    if not isinstance(record, SavedReach):
        return None
    roots = _load_roots(store, space, entry, record)
    if roots is None:
        return None
    return ReachResult(
        delivered={saved.endpoint: roots[saved.root] for saved in record.delivered},
        witnesses={saved.device: roots[saved.root] for saved in record.witnesses},
        work=record.work,
        budget=record.budget,
        exhausted=record.exhausted,
        entered=set(record.entered),
        translated_into=set(record.translated_into),
    )


def _load_roots(
    store: BddStore, space: PacketSpace, entry: str, record: SavedReach | SavedSets
) -> list[PacketSet] | None:
    if isinstance(record, SavedReach):
        used = [saved.root for saved in record.delivered] + [saved.root for saved in record.witnesses]
        if any(not 0 <= root < record.roots for root in used):
            return None
    if record.roots == 0:
        return []
    if record.engine != space.backend:
        return None
    blob = store.get_blob(entry)
    if blob is None or hashlib.sha256(blob).hexdigest() != record.blob_sha256 or sum(record.parts) != len(blob):
        return None
    roots: list[PacketSet] = []
    offset = 0
    for length in record.parts:
        loaded = _load_text(store.directory, space, blob[offset : offset + length])
        if loaded is None:
            return None
        roots.extend(loaded)
        offset += length
    return roots if len(roots) == record.roots else None


def _dump(folder: Path, engine: str, roots: Sequence[PacketSet]) -> list[bytes] | None:
    """The DDDMP texts of `roots`: one for OxiDD, one a root for CUDD. None if writing failed."""
    groups = [list(roots)] if engine == "oxidd" else [[root] for root in roots]
    texts = []
    for group in groups:
        text = _dump_text(folder, engine, group)
        if text is None:
            return None
        texts.append(text)
    return texts


def _dump_text(folder: Path, engine: str, roots: list[PacketSet]) -> bytes | None:
    temporary = None
    try:
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile("wb", dir=folder, suffix=".dddmp", delete=False) as handle:
            temporary = handle.name
        if engine == "oxidd":
            roots[0].manager.export_dddmp(temporary, roots)
        else:
            roots[0].bdd.dump(temporary, roots)
        return Path(temporary).read_bytes()
    except (OSError, RuntimeError, ValueError):
        return None
    finally:
        if temporary is not None:
            remove_entry(Path(temporary))


def _load_text(folder: Path, space: PacketSpace, text: bytes) -> list[Any] | None:
    """The roots of one authenticated DDDMP text, loaded from a private copy (as the store does)."""
    temporary = None
    try:
        with tempfile.NamedTemporaryFile("wb", dir=folder, suffix=".dddmp", delete=False) as handle:
            temporary = handle.name
            handle.write(text)
        loaded = space.bdd.load(temporary)
        return list(loaded) if isinstance(loaded, list) else None
    except (OSError, RuntimeError, ValueError):
        return None
    finally:
        if temporary is not None:
            remove_entry(Path(temporary))
