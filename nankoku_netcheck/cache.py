"""Parsed-device cache keyed by content: re-verifying after editing one file of a large
repository reparses only that file. The key covers the tool version, the parsers' source,
the vendor asked for, the display path (it is in every Source) and the config's SHA-256,
so a stale entry can never be returned. Beside it, a shared entry keyed without the display
path holds the model with its own path left out (`shared_key`): the same bytes shown under
another path (the export of a git revision that `diff --base-ref` reads, a moved file) are
read from it instead of parsed again, when the path occurs in the model as whole strings only.

Whoever can write the cache must not decide the verdict nor run code (issue #14):

- Entries are data only: JSON written by a codec driven by the model's type hints
  (codec.py), decoded strictly; never pickle. A device entry, once authenticated, is
  decoded without the codec's type checks (`Codec.loads_trusted`: only this code could
  have written it); anything that still fails to decode is a miss, never a crash.
- Every entry is authenticated: HMAC-SHA256 under a per-user secret key kept outside the
  cache folder (`$XDG_CONFIG_HOME/nankoku-netcheck/cache.key`, else
  `~/.config/nankoku-netcheck/cache.key`; 32 random bytes, created 0600 on first use),
  over the entry's kind, its key, the code that reads it and its bytes. An entry that
  fails the check (planted, swapped with another, altered, truncated) is removed and
  recomputed; it is never loaded.
- The cache folder, the key file and the key's folder must belong to the user running
  the tool and not be writable by anyone else (as ssh demands of its keys); otherwise the
  run stops with an input error (exit 2). The tool creates its folders 0700.
- Entries are opened without following links and without blocking (a FIFO does not
  hang), and read only if they are regular files within a size limit (a link to
  /dev/zero is never read).
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import hmac
import itertools
import json
import os
import stat
import tempfile
from dataclasses import dataclass
from pathlib import Path

from . import __version__
from .codec import CODEC_VERSION, Codec, DecodeError, EncodeError
from .errors import InputError
from .model import Device, Source
from .wording import count_of

PACKAGE = Path(__file__).resolve().parent

# Format of an entry file: the HMAC-SHA256 (32 bytes) of what `_mac` covers, then the payload
# (a device entry's: FINGERPRINT_CHARS, then the codec's encoding).
MAC_BYTES = 32
KEY_BYTES = 32
# A device entry's payload starts with its `encoding_fingerprint` (SHA-256 in hex).
FINGERPRINT_CHARS = 64
# The largest parsed device of the 3,000-device benchmark city is well under 1 MiB of JSON;
# a 100,000-line config makes about 30 MiB. Anything larger is not ours.
DEVICE_ENTRY_LIMIT = 64 * 1024 * 1024
HOW_TO_FIX = "use a folder only you can write, or --no-cache"
REMAKE = "delete it (a new one is made) or use --no-cache"


@functools.cache
def source_fingerprint(*relative_paths: str) -> str:
    """A hash of these source files of the package (paths relative to it): a cached result
    is only reused by the exact code that produced it (no version bump to forget)."""
    digest = hashlib.sha256()
    for relative in relative_paths:
        digest.update(relative.encode())
        digest.update((PACKAGE / relative).read_bytes())
    return digest.hexdigest()


@functools.cache
def parser_fingerprint() -> str:
    """A hash of the model and the parsers' source: the parse stage and every vendor plugin
    (subpackages included, so a plugin's split into modules is covered too)."""
    parsers = sorted(
        path.relative_to(PACKAGE).as_posix()
        for folder in ("parse", "vendors")
        for path in (PACKAGE / folder).rglob("*.py")
    )
    return source_fingerprint("model.py", *parsers)


def write_atomically(path: Path, data: bytes) -> None:
    """Write `data` to `path` through a temporary file in the same folder, so that a reader
    sees the old file or the new one, never half of one. Raises OSError."""
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile("wb", dir=path.parent, delete=False) as handle:
        try:
            handle.write(data)
        except OSError:
            os.unlink(handle.name)
            raise
    try:
        os.replace(handle.name, path)
    except OSError:  # e.g. a folder planted where the entry goes: leave no temporary behind
        os.unlink(handle.name)
        raise


def default_cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "nankoku-netcheck"


def default_key_path() -> Path:
    base = os.environ.get("XDG_CONFIG_HOME") or os.path.join(os.path.expanduser("~"), ".config")
    return Path(base) / "nankoku-netcheck" / "cache.key"


# --- who may write the cache ---------------------------------------------------------------


def private_folder(directory: Path, what: str = "cache folder") -> Path:
    """`directory`, created 0700 if missing, resolved (a link is followed once, here, and
    never again). Raises InputError unless it is a folder owned by the current user that
    nobody else can write: anyone who can write it can replace entries or the key."""
    try:
        directory.mkdir(mode=0o700, parents=True, exist_ok=True)
        resolved = directory.resolve(strict=True)
        status = os.stat(resolved)
    except OSError as error:
        raise InputError.single(
            str(directory), 0, f"cannot use this {what}: {error.strerror or error}; {HOW_TO_FIX}"
        ) from error
    if not stat.S_ISDIR(status.st_mode):
        raise InputError.single(str(directory), 0, f"{what} is not a folder; {HOW_TO_FIX}")
    check_owner(str(directory), status, what, HOW_TO_FIX)
    if status.st_mode & (stat.S_IWGRP | stat.S_IWOTH):
        raise InputError.single(
            str(directory),
            0,
            f"{what} is writable by group or others (mode {stat.S_IMODE(status.st_mode):04o}); {HOW_TO_FIX}",
        )
    return resolved


def check_owner(shown: str, status: os.stat_result, what: str, fix: str) -> None:
    if status.st_uid != os.geteuid():
        raise InputError.single(
            shown, 0, f"{what} is owned by uid {status.st_uid}, not by you (uid {os.geteuid()}); {fix}"
        )


def load_key(path: Path | None = None) -> bytes:
    """The per-user secret that authenticates cache entries, created on first use (two
    first runs at once agree on one key: it is published with a hard link, which fails if
    the other run got there first). Raises InputError when the key or its folder could be
    read or replaced by someone else."""
    path = path or default_key_path()
    folder = private_folder(path.parent, "cache key's folder")
    return _read_key(folder / path.name, str(path))


@functools.cache
def _read_key(path: Path, shown: str) -> bytes:
    for _ in range(2):
        try:
            descriptor = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC)
        except FileNotFoundError:
            _create_key(path, shown)
            continue
        except OSError as error:
            raise InputError.single(shown, 0, f"cannot read the cache key: {error.strerror or error}; {REMAKE}") from (
                error
            )
        try:
            status = os.fstat(descriptor)
            if not stat.S_ISREG(status.st_mode):
                raise InputError.single(shown, 0, f"the cache key's path is not a regular file; {REMAKE}")
            check_owner(shown, status, "the cache key's file", REMAKE)
            if status.st_mode & 0o077:
                mode = stat.S_IMODE(status.st_mode)
                raise InputError.single(
                    shown,
                    0,
                    f"the cache key's file can be read or written by group or others (mode {mode:04o}); {REMAKE}",
                )
            key = os.read(descriptor, KEY_BYTES + 1)
        except OSError as error:
            raise InputError.single(shown, 0, f"cannot read the cache key: {error.strerror or error}; {REMAKE}") from (
                error
            )
        finally:
            os.close(descriptor)
        if len(key) != KEY_BYTES:
            size = count_of(len(key), "byte")
            raise InputError.single(
                shown, 0, f"the cache key's file is damaged ({size}, expected {KEY_BYTES}); {REMAKE}"
            )
        return key
    raise InputError.single(shown, 0, "cannot create the cache key; use --no-cache")


def _create_key(path: Path, shown: str) -> None:
    try:
        descriptor, temporary = tempfile.mkstemp(dir=path.parent, prefix=".cache.key.")  # created 0600
        try:
            with os.fdopen(descriptor, "wb") as handle:
                handle.write(os.urandom(KEY_BYTES))
                handle.flush()
                os.fsync(handle.fileno())
            with contextlib.suppress(FileExistsError):
                os.link(temporary, path)
        finally:
            os.unlink(temporary)
    except OSError as error:
        raise InputError.single(
            shown, 0, f"cannot create the cache key: {error.strerror or error}; use --no-cache"
        ) from error


# --- authenticated entries -------------------------------------------------------------------


class Rejected(Exception):
    """An entry is there but is not one this tool wrote for this key."""


def read_entry(path: Path, limit: int) -> bytes | None:
    """The bytes of the entry at `path`, None if there is none. Raises Rejected for
    anything that is not a regular file of at most `limit` bytes: a link (not followed), a
    FIFO (not waited on), a device, a folder."""
    try:
        descriptor = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC)
    except FileNotFoundError:
        return None
    except OSError as error:  # ELOOP: a link; ENOTDIR: a file where the entry's folder should be
        raise Rejected(str(error)) from error
    try:
        # Checked before anything else touches it (a file object refuses a folder by raising).
        status = os.fstat(descriptor)
        if not stat.S_ISREG(status.st_mode) or status.st_size > limit:
            os.close(descriptor)
            raise Rejected("not a regular file within the size limit")
        with os.fdopen(descriptor, "rb") as handle:
            data = handle.read(limit + 1)
    except OSError as error:
        raise Rejected(str(error)) from error
    if len(data) > limit:
        raise Rejected("grew beyond the size limit")
    return data


def remove_entry(path: Path) -> None:
    """Best effort: a corrupt entry left behind is only rejected again next time."""
    with contextlib.suppress(OSError):
        os.unlink(path)


def _mac(secret: bytes, kind: str, key: str, code: str, payload: bytes) -> bytes:
    # Every variable-length part but the last is terminated, so no two different
    # (kind, key, code, payload) give the same message.
    header = "\0".join(("nankoku-netcheck cache entry", str(CODEC_VERSION), __version__, code, kind, key, ""))
    digest = hmac.new(secret, header.encode("utf-8"), hashlib.sha256)
    digest.update(payload)
    return digest.digest()


def seal(secret: bytes, kind: str, key: str, code: str, payload: bytes) -> bytes:
    """An entry file's bytes: its MAC, then `payload`."""
    return _mac(secret, kind, key, code, payload) + payload


def unseal(secret: bytes, kind: str, key: str, code: str, data: bytes) -> bytes:
    """The payload of an entry file written by `seal` with the same arguments; raises
    Rejected for anything else."""
    payload = data[MAC_BYTES:]
    if len(data) < MAC_BYTES or not hmac.compare_digest(data[:MAC_BYTES], _mac(secret, kind, key, code, payload)):
        raise Rejected("authentication failed")
    return payload


@functools.cache
def device_codec() -> Codec:
    return Codec(Device, line_type=Source)


# Stands for a device's own config path in its fingerprint: JSON text no parsed string
# becomes (the inputs refuse NUL characters).
_OWN_PATH = b'"\\u0000"'


# A string token starts after one of these (inside a string a quote is always escaped, so `[`
# or `,` and a quote never occur there).
_TOKEN_STARTS = (b"[", b",", b":")


def _json_string(text: str) -> bytes:
    return json.dumps(text, ensure_ascii=False).encode("utf-8")


def without_own_path(encoded: bytes, own_path: str) -> bytes:
    """A device's codec encoding with every whole JSON string equal to `own_path` replaced
    by a token no parsed string becomes; part of a string is left as it is."""
    path = _json_string(own_path)
    for before in _TOKEN_STARTS:
        encoded = encoded.replace(before + path, before + _OWN_PATH)
    return encoded


_TOKEN_START_BYTES = frozenset(b"".join(_TOKEN_STARTS))


def with_own_path(encoded: bytes, own_path: str) -> bytes:
    """`without_own_path` undone, with `own_path` for the path: each placeholder after a token
    start. One search for the placeholder (a device's encoding holds it about once: its lines'
    sources are written as line numbers) instead of one pass per token start; the same bytes."""
    pieces = encoded.split(_OWN_PATH)
    if len(pieces) == 1:
        return encoded
    path = _json_string(own_path)
    joined = [pieces[0]]
    for previous, piece in itertools.pairwise(pieces):
        joined.append(path if previous and previous[-1] in _TOKEN_START_BYTES else _OWN_PATH)
        joined.append(piece)
    return b"".join(joined)


def encoding_fingerprint(encoded: bytes, own_path: str) -> str:
    """The hash of a device's codec encoding with its own config path left out (incremental.py:
    `diff` compares a git revision exported elsewhere, and a moved but unchanged config is the
    same model)."""
    return hashlib.sha256(without_own_path(encoded, own_path)).hexdigest()


def shareable(encoded: bytes, own_path: str) -> bytes | None:
    """`without_own_path`, when the path occurs in the encoding as whole strings only (else
    None: a message quoting it, say, would keep the path it was parsed under)."""
    left = without_own_path(encoded, own_path)
    return None if _json_string(own_path)[1:-1] in left else left


class ParseCache:
    """Opening one checks the folder and loads (or makes) the key: raises InputError."""

    def __init__(self, directory: Path, secret: bytes | None = None) -> None:
        self.directory = private_folder(Path(directory))
        self.secret = secret if secret is not None else load_key()
        self.hits = 0
        self.misses = 0
        self.rejected = 0  # entries found unusable (and removed)
        # Parse key -> `encoding_fingerprint` of the entry read or written under it this run:
        # incremental.py compares models by it without encoding every device once more.
        self.prints: dict[str, str] = {}

    @staticmethod
    def key(sha256: str, display: str, vendor: str | None, encoding: str = "utf-8", instance: str | None = None) -> str:
        # The same bytes read with another `encoding:` are another text. The instance is
        # written with a marker so that "no instance" and "" never collide.
        chosen = f"={instance}" if instance is not None else ""
        material = "\0".join((__version__, parser_fingerprint(), vendor or "", display, sha256, encoding, chosen))
        return hashlib.sha256(material.encode("utf-8")).hexdigest()

    @staticmethod
    def shared_key(sha256: str, vendor: str | None, encoding: str = "utf-8", instance: str | None = None) -> str:
        """The key of the entry shared by every display path of the same bytes (`key` without it)."""
        chosen = f"={instance}" if instance is not None else ""
        material = "\0".join(("shared", __version__, parser_fingerprint(), vendor or "", sha256, encoding, chosen))
        return hashlib.sha256(material.encode("utf-8")).hexdigest()

    def _path(self, key: str) -> Path:
        return self.directory / key[:2] / f"{key}.json"

    def _shared_path(self, shared: str) -> Path:
        return self.directory / "shared" / shared[:2] / f"{shared}.json"

    @staticmethod
    def _code() -> str:
        return source_fingerprint("model.py", "codec.py", "cache.py")

    def get(self, key: str) -> Device | None:
        path = self._path(key)
        try:
            data = read_entry(path, DEVICE_ENTRY_LIMIT + MAC_BYTES)
            if data is not None:
                fingerprint, payload = _fingerprinted(unseal(self.secret, "device", key, self._code(), data))
                device = device_codec().loads_trusted(payload)
                self.prints[key] = fingerprint
                self.hits += 1
                return device  # type: ignore[no-any-return]
        except (Rejected, DecodeError):
            self.rejected += 1
            remove_entry(path)
        self.misses += 1
        return None

    def put(self, key: str, device: Device) -> None:
        """Best effort: a cache that cannot be written only costs time (and a device the
        codec cannot encode exactly is not cached)."""
        encoded = encode_device(device)
        if encoded is not None:
            self.put_encoded(key, encoded)

    def put_encoded(
        self, key: str, encoded: EncodedDevice, shared: str | None = None, own_path: str | None = None
    ) -> None:
        """`put` of a device that `encode_device` encoded (in a parse worker process: the
        secret key never leaves this one). With `shared` (its `shared_key`) and `own_path` (the
        display path it was parsed under), the shared entry too, when the model allows."""
        self.prints[key] = encoded.fingerprint
        entry = encoded.fingerprint.encode("ascii") + encoded.payload
        with contextlib.suppress(OSError):
            write_atomically(self._path(key), seal(self.secret, "device", key, self._code(), entry))
            left = shareable(encoded.payload, own_path) if shared is not None and own_path is not None else None
            if shared is not None and left is not None:
                # Made 0700 here: write_atomically's `parents` would make it with the umask's mode.
                (self.directory / "shared").mkdir(mode=0o700, exist_ok=True)
                # The fingerprint is the hash of `left` (`encoding_fingerprint` hashes the encoding
                # without its own path): kept in front, so that a reader under another path need not
                # hash it again.
                shared_entry = encoded.fingerprint.encode("ascii") + left
                write_atomically(
                    self._shared_path(shared), seal(self.secret, "shared-device", shared, self._code(), shared_entry)
                )

    def get_shared(self, key: str, shared: str, own_path: str, keep: bool = True) -> Device | None:
        """The device whose shared entry is `shared`, shown under `own_path`, kept under `key`
        too when `keep` (the next run, and a repair's look-up of the model a search read, find
        it there); None when there is none usable. `diff` reads a revision's export without
        keeping: that takes a seal and a file of each device's model, while reading the shared
        entry again costs about what reading one under `key` would (one search of its bytes more)."""
        path = self._shared_path(shared)
        try:
            data = read_entry(path, DEVICE_ENTRY_LIMIT + MAC_BYTES)
            if data is None:
                return None
            fingerprint, left = _fingerprinted(unseal(self.secret, "shared-device", shared, self._code(), data))
            payload = with_own_path(left, own_path)
            device: Device = device_codec().loads_trusted(payload)
        except (Rejected, DecodeError):
            self.rejected += 1
            remove_entry(path)
            return None
        if device.source_file != own_path:
            return None  # not an entry `put_encoded` wrote: never trusted
        self.misses -= 1  # `get` counted the look-up under `key` as a miss
        self.hits += 1
        if keep:
            # The entry under `key` keeps what `get` finds for it: the `encoding_fingerprint` of
            # `payload` (the fingerprint of `left`, unless the model holds `own_path` as a string
            # of its own).
            self.put_encoded(key, EncodedDevice(payload, encoding_fingerprint(payload, own_path)))
        self.prints[key] = fingerprint
        return device


def _fingerprinted(entry: bytes) -> tuple[str, bytes]:
    """A device entry's payload, after the `encoding_fingerprint` that `put_encoded` wrote
    before it (read back instead of hashing the payload again). Raises DecodeError."""
    fingerprint = entry[:FINGERPRINT_CHARS]
    if len(fingerprint) != FINGERPRINT_CHARS or fingerprint.strip(b"0123456789abcdef"):
        raise DecodeError("an entry without its fingerprint")
    return fingerprint.decode("ascii"), entry[FINGERPRINT_CHARS:]


@dataclass(frozen=True)
class EncodedDevice:
    """A parsed device's cache payload and its `encoding_fingerprint`."""

    payload: bytes
    fingerprint: str


def encode_device(device: Device) -> EncodedDevice | None:
    """What `ParseCache.put` writes for `device`; None when it is not cached: the codec
    cannot encode it exactly, or it is too large."""
    try:
        payload = device_codec().dumps(device)
    except EncodeError:
        return None
    if len(payload) + FINGERPRINT_CHARS > DEVICE_ENTRY_LIMIT:
        return None
    return EncodedDevice(payload, encoding_fingerprint(payload, device.source_file))


def decode_device(payload: bytes) -> Device:
    """The device of an `EncodedDevice.payload`. Raises DecodeError."""
    device: Device = device_codec().loads(payload)
    return device
