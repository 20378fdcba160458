"""Reading the user's input files (topology and device configs) as text.

Every file the tool reads goes through `read_input`, so that all of them fail the same
way: one `InputError` whose problems say what was wrong and what was expected, never a
traceback.

Encodings, detected from the bytes: UTF-8 (with or without BOM); UTF-16 (a BOM, or without
one the NUL bytes of ASCII text falling in one half of each byte pair); CP932, the Windows
form of Shift_JIS that Japanese Windows PCs save configs in. CRLF and CR endings become LF.
A file that is none of these, or that could be read more than one way, is refused rather
than guessed at, because a mis-decoded file can silently change what a config line means:
EUC-JP bytes read as CP932, for one, swallow the ASCII letter after some kanji. So CP932 is
taken only when
- the file is not UTF-8, and no UTF-8 character of three bytes or more (kana, kanji) comes
  before its first non-UTF-8 byte (else it is UTF-8 with a damaged byte),
- it decodes as CP932 without bytes CP932 leaves unassigned (0x80, 0xA0, 0xFD-0xFF) or
  user-defined characters (外字, private use), which in practice mean another encoding,
- and it does not decode as EUC-JP as well (ambiguous).
An explicit encoding (the topology's per-device `encoding:`) replaces all of this: the file
is decoded with that codec, strictly.
"""

from __future__ import annotations

import codecs
import errno
import hashlib
import os
import re
import stat
from collections.abc import Iterable
from dataclasses import dataclass

from nankoku_netcheck.errors import InputError

# How many leading bytes the UTF-16-without-BOM detector looks at.
_UTF16_SAMPLE_BYTES = 4096
# Share of byte pairs that must have a NUL in the same half for the file to count as UTF-16.
_UTF16_NUL_SHARE = 0.3

UTF8 = "utf-8"
CP932 = "cp932"
_EUC_JP = "euc_jp"
# Names Windows and IANA use that Python's codec registry does not know.
_ENCODING_ALIASES = {"windows-31j": CP932, "x-sjis": "shift_jis"}
# Text codecs for host names and escapes, not for files: they fail on ordinary config bytes.
_NOT_FILE_ENCODINGS = frozenset({"idna", "punycode", "unicode-escape", "raw-unicode-escape"})
# Characters a CP932 decode yields only for bytes a Japanese text would not hold: C1 controls
# (byte 0x80) and the private use area (外字 F040-F9FC, and 0xA0, 0xFD-0xFF).
_NOT_CP932_TEXT = re.compile("[\u0080-\u009f\ue000-\uf8ff]")


@dataclass(frozen=True)
class InputFile:
    """One input file, decoded. `text` has LF line endings only; `sha256` is of the bytes on disk."""

    path: str
    display: str
    sha256: str
    text: str
    encoding: str = UTF8  # the codec the text was decoded with (a Python codec name)

    @property
    def lines(self) -> tuple[str, ...]:
        """The lines of `text` (line n is `lines[n - 1]`), without a trailing empty line."""
        if not self.text:
            return ()
        parts = self.text.split("\n")
        if parts[-1] == "":
            parts.pop()
        return tuple(parts)

    @property
    def line_count(self) -> int:
        """`len(self.lines)` without splitting: a count of the 1,000-device city's 554,127 config
        lines split 22 MB of text twice a run (0.1 s)."""
        return self.text.count("\n") + (0 if self.text.endswith("\n") else 1) if self.text else 0


def read_input(path: str, display: str | None = None, what: str = "file", encoding: str | None = None) -> InputFile:
    """Read and decode one input file; `what` names it in messages ("topology file", ...).
    `encoding` (a name `encoding_name` accepted) overrides the detection.

    Raises InputError for a missing, unreadable, empty, binary or undecodable file.
    """
    shown = display if display is not None else path
    raw = _read_bytes(path, shown, what)
    if encoding is None:
        text, used = _decode(raw, shown, what)
    else:
        text, used = _decode_as(raw, encoding, shown, what), encoding
    text = normalize_newlines(text)
    if not text.strip():
        raise InputError.single(shown, 0, f"{what} is empty (expected {_expected_content(what)})")
    return InputFile(path=path, display=shown, sha256=hashlib.sha256(raw).hexdigest(), text=text, encoding=used)


def encoding_name(name: str) -> str | None:
    """Python's name for the text encoding `name` ("Shift_JIS" -> "shift_jis", "CP932" ->
    "cp932"), or None when there is no such text encoding (bytes-to-bytes codecs such as
    base64 are not text encodings)."""
    probe = "hostname r1\n"
    try:
        codec = codecs.lookup(_ENCODING_ALIASES.get(name.strip().lower(), name.strip()))
        # str.encode refuses bytes-to-bytes codecs; the round trip refuses codecs such as
        # "undefined" that cannot hold a config line at all.
        round_trip = probe.encode(codec.name).decode(codec.name)
    except (LookupError, UnicodeError):
        return None
    return codec.name if round_trip == probe and codec.name not in _NOT_FILE_ENCODINGS else None


def normalize_newlines(text: str) -> str:
    """CRLF and lone CR become LF; each still ends exactly one line, so line numbers do not move."""
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _expected_content(what: str) -> str:
    return f"a text {what}" if what != "file" else "a text file"


def _read_bytes(path: str, shown: str, what: str) -> bytes:
    check_input_file(path, shown, what)
    try:
        with open(path, "rb") as handle:
            return handle.read()
    except OSError as error:
        reason = error.strerror or str(error)
        raise InputError.single(shown, 0, f"cannot read {what}: {reason}") from None


def check_input_file(path: str, shown: str | None = None, what: str = "file") -> None:
    """Raise InputError unless `path` is an existing regular file (symbolic links followed).

    Callers that look at the path before reading it (the settings lookup resolves the
    topology's folder) call this first, so a symbolic link loop is named as one."""
    shown = shown if shown is not None else path
    try:
        status = os.stat(path)
    except OSError as error:
        reason = missing_path_reason(path, error)
        if reason == "not found":
            reason = f"{what} not found (expected an existing text file at this path)"
        else:
            reason += f" (expected {_expected_content(what)})"
        raise InputError.single(shown, 0, reason) from None
    if stat.S_ISDIR(status.st_mode):
        raise InputError.single(shown, 0, f"is a directory (expected {_expected_content(what)})")
    if not stat.S_ISREG(status.st_mode):
        raise InputError.single(shown, 0, f"is not a regular file (expected {_expected_content(what)})")


def missing_path_reason(path: str, error: OSError) -> str:
    """Why os.stat(path) failed, as words that follow the path's name ("x.cfg is a symbolic
    link loop"), naming the real problem: os.path.exists says False for all of them."""
    if error.errno == errno.ELOOP:
        return "is a symbolic link loop"
    if error.errno in (errno.EACCES, errno.EPERM):
        return "cannot be reached: permission denied on a folder of its path"
    if error.errno in (errno.ENOENT, errno.ENOTDIR):
        return "is a broken symbolic link" if os.path.islink(path) else "not found"
    return f"cannot be read: {os_error_reason(error)}"


def os_error_reason(error: OSError) -> str:
    """The operating system's reason, with the three common ones in plain words."""
    if error.errno == errno.ELOOP:
        return "symbolic link loop"
    if error.errno in (errno.EACCES, errno.EPERM):
        return "permission denied"
    if error.errno == errno.ENOENT:
        return "not found"
    return error.strerror or str(error)


# --- where inputs may come from -----------------------------------------------------------


@dataclass(frozen=True)
class InputArea:
    """The folders a topology may read from: the git work tree it lives in (else its own
    folder) and the folders the user allowed with --allow-path. All paths are resolved
    (os.path.realpath), so containment is checked on the files actually read."""

    root: str
    in_work_tree: bool
    allowed: tuple[str, ...] = ()

    def contains(self, path: str) -> bool:
        """`path` (resolved by the caller) lies in the root or an allowed folder."""
        return any(is_inside(path, folder) for folder in (self.root, *self.allowed))

    def allows(self, path: str) -> bool:
        """`path` lies in one of the --allow-path folders."""
        return any(is_inside(path, folder) for folder in self.allowed)

    def describe(self) -> str:
        where = f"the git work tree {self.root}" if self.in_work_tree else f"the topology's folder {self.root}"
        if self.allowed:
            where += " and the --allow-path folders " + ", ".join(self.allowed)
        return where


def input_area(topology_path: str, allow_paths: Iterable[str] = (), root: str | None = None) -> InputArea:
    """Where the topology at `topology_path` may read configs from. `root` overrides the
    work tree lookup (a git revision exported to a temporary folder is its own work tree)."""
    allowed = tuple(sorted({os.path.realpath(folder) for folder in allow_paths}))
    if root is not None:
        return InputArea(os.path.realpath(root), True, allowed)
    folder = os.path.realpath(os.path.dirname(os.path.abspath(topology_path)))
    work_tree = find_work_tree(folder)
    return InputArea(work_tree or folder, work_tree is not None, allowed)


def find_work_tree(folder: str) -> str | None:
    """The nearest folder at or above `folder` holding `.git` (a folder, or a file as in a
    linked worktree or a submodule); found without running git, which a CI runner may lack."""
    current = folder
    while True:
        if os.path.lexists(os.path.join(current, ".git")):
            return current
        parent = os.path.dirname(current)
        if parent == current:
            return None
        current = parent


def is_inside(path: str, folder: str) -> bool:
    """`path` is `folder` or below it, compared by path components (not string prefix:
    /repo-other is not inside /repo)."""
    try:
        return os.path.commonpath([path, folder]) == folder
    except ValueError:
        return False


def _decode(raw: bytes, shown: str, what: str) -> tuple[str, str]:
    """The text and the codec it was decoded with, detected from the bytes (module docstring)."""
    if raw.startswith(codecs.BOM_UTF8):
        return _decode_utf8(raw, len(codecs.BOM_UTF8), shown, what), UTF8
    if raw.startswith(codecs.BOM_UTF16_LE):
        return _decode_utf16(raw, "utf-16-le", len(codecs.BOM_UTF16_LE), shown, what), "utf-16-le"
    if raw.startswith(codecs.BOM_UTF16_BE):
        return _decode_utf16(raw, "utf-16-be", len(codecs.BOM_UTF16_BE), shown, what), "utf-16-be"
    utf16_without_bom = _guess_utf16_without_bom(raw)
    if utf16_without_bom is not None:
        return _decode_utf16(raw, utf16_without_bom, 0, shown, what), utf16_without_bom
    nul_at = raw.find(b"\x00")
    if nul_at >= 0:
        raise InputError.single(
            shown,
            _line_at(raw, nul_at),
            f"byte 0x00 (NUL): this looks like a binary file (expected {_expected_content(what)})",
        )
    try:
        return raw.decode(UTF8), UTF8
    except UnicodeDecodeError as error:
        return _decode_cp932(raw, error.start, shown, what), CP932


def _decode_utf8(raw: bytes, start: int, shown: str, what: str) -> str:
    body = raw[start:]
    try:
        return body.decode(UTF8)
    except UnicodeDecodeError as error:
        offset = start + error.start
        raise InputError.single(
            shown, _line_at(raw, offset), f"byte 0x{raw[offset]:02x} is not valid UTF-8 ({_save_hint(what)})"
        ) from None


def _decode_cp932(raw: bytes, utf8_bad: int, shown: str, what: str) -> str:
    """`raw` (not UTF-8 from byte `utf8_bad` on) as CP932, or InputError saying why not."""
    line = _line_at(raw, utf8_bad)
    not_utf8 = f"byte 0x{raw[utf8_bad]:02x} is not valid UTF-8"
    if _has_long_utf8_sequence(raw[:utf8_bad]):
        message = f"{not_utf8}, though the lines before it are UTF-8 ({_save_hint(what)})"
        raise InputError.single(shown, line, message)
    cp932_bad = _cp932_failure(raw)
    euc_jp = _decodes(raw, _EUC_JP)
    if cp932_bad is not None:
        # Only a name: EUC-JP is not detected, as it is rare on the PCs that hold configs.
        reads_as = "; the file reads as EUC-JP" if euc_jp else ""
        hint = _save_hint(what, "euc_jp" if euc_jp else CP932)
        if cp932_bad == utf8_bad:
            raise InputError.single(shown, line, f"{not_utf8} nor CP932 (Shift_JIS){reads_as} ({hint})")
        message = (
            f"{not_utf8}, and byte 0x{raw[cp932_bad]:02x} on line {_line_at(raw, cp932_bad)} "
            f"is not valid CP932 (Shift_JIS){reads_as} ({hint})"
        )
        raise InputError.single(shown, line, message)
    if euc_jp:
        message = (
            f"{not_utf8}, and the file reads both as CP932 (Shift_JIS) and as EUC-JP "
            f"({_save_hint(what, 'cp932 or euc_jp')})"
        )
        raise InputError.single(shown, line, message)
    return raw.decode(CP932)


def _has_long_utf8_sequence(valid_utf8: bytes) -> bool:
    """A character of three or more bytes (all kana and kanji): UTF-8 by intent. Two-byte
    sequences are not evidence, as CP932 and EUC-JP byte pairs often form them by chance."""
    return max(valid_utf8, default=0) >= 0xE0


def _cp932_failure(raw: bytes) -> int | None:
    """Offset of the first byte that keeps `raw` from being CP932 text, None if it is."""
    try:
        text = raw.decode(CP932)
    except UnicodeDecodeError as error:
        return error.start
    odd = _NOT_CP932_TEXT.search(text)
    if odd is None:
        return None
    return len(text[: odd.start()].encode(CP932))


def _decodes(raw: bytes, encoding: str) -> bool:
    try:
        raw.decode(encoding)
    except UnicodeDecodeError:
        return False
    return True


def _save_hint(what: str, names: str = "cp932") -> str:
    """What to do about a file that cannot be decoded; only device configs have `encoding:`."""
    if what == "device config":
        return f"save the file as UTF-8, or name its encoding in the topology: encoding: {names}"
    return "save the file as UTF-8"


def _line_before(raw: bytes, offset: int, encoding: str) -> int:
    """The line holding byte `offset` of `raw` decoded with `encoding` (0 when the bytes
    before it cannot be decoded either, as with a stateful codec cut mid-sequence)."""
    try:
        decoded_before = raw[:offset].decode(encoding, errors="replace")
    except UnicodeError:
        return 0
    return _text_line_at(decoded_before, len(decoded_before))


def _codec_hint(encoding: str) -> str:
    if encoding == "shift_jis":
        return "; Windows saves Shift_JIS as cp932, which adds NEC and IBM characters such as ①"
    return ""


def _decode_as(raw: bytes, encoding: str, shown: str, what: str) -> str:
    """`raw` decoded strictly with the `encoding:` the user named; a BOM is dropped."""
    try:
        text = raw.decode(encoding)
    except UnicodeDecodeError as error:
        bad = raw[error.start : error.end]
        raise InputError.single(
            shown,
            _line_before(raw, error.start, encoding),
            f"bytes {bad.hex(' ')} at offset {error.start} are not valid {encoding} "
            f"(the encoding: named for this file in the topology{_codec_hint(encoding)}; "
            "remove it to let the encoding be detected)",
        ) from None
    except UnicodeError as error:  # codecs such as punycode name no offset
        raise InputError.single(
            shown, 0, f"cannot be read as {encoding}: {error} (the encoding: named for this file in the topology)"
        ) from None
    text = text.removeprefix("\ufeff")
    nul_at = text.find("\x00")
    if nul_at >= 0:
        raise InputError.single(
            shown,
            _text_line_at(text, nul_at),
            f"character U+0000 (NUL) read as {encoding}: this looks like a binary file "
            f"(expected {_expected_content(what)})",
        )
    return text


def _decode_utf16(raw: bytes, encoding: str, start: int, shown: str, what: str) -> str:
    body = raw[start:]
    name = "UTF-16 LE" if encoding.endswith("le") else "UTF-16 BE"
    try:
        text = body.decode(encoding)
    except UnicodeDecodeError as error:
        bad = body[error.start : error.end]
        decoded_before = body[: error.start].decode(encoding, errors="replace")
        raise InputError.single(
            shown,
            _text_line_at(decoded_before, len(decoded_before)),
            f"bytes {bad.hex(' ')} at offset {start + error.start} are not valid {name} (save the file as UTF-8)",
        ) from None
    nul_at = text.find("\x00")
    if nul_at >= 0:
        raise InputError.single(
            shown,
            _text_line_at(text, nul_at),
            f"character U+0000 (NUL) in a {name} file: this looks like a binary file "
            f"(expected {_expected_content(what)})",
        )
    return text


def _guess_utf16_without_bom(raw: bytes) -> str | None:
    """'utf-16-le' / 'utf-16-be' when the NUL bytes fall in one half of each byte pair.

    ASCII text saved as UTF-16 has a NUL in (nearly) every pair, nearly always on the same
    side; a binary file has NULs scattered on both sides, which this refuses to call text.
    """
    sample = raw[:_UTF16_SAMPLE_BYTES]
    if len(raw) % 2 or len(sample) < 2:
        return None
    pairs = len(sample) // 2
    nul_in_even = sample[0 : pairs * 2 : 2].count(0)
    nul_in_odd = sample[1 : pairs * 2 : 2].count(0)
    # The other side may hold a few NULs: U+3000 (全角スペース) is 00 30 in UTF-16 LE.
    if nul_in_odd >= pairs * _UTF16_NUL_SHARE and nul_in_even * 10 <= nul_in_odd:
        return "utf-16-le"
    if nul_in_even >= pairs * _UTF16_NUL_SHARE and nul_in_odd * 10 <= nul_in_even:
        return "utf-16-be"
    return None


def _text_line_at(text: str, offset: int) -> int:
    return normalize_newlines(text[:offset]).count("\n") + 1


def _line_at(raw: bytes, offset: int) -> int:
    """1-based line of a byte offset, counting CRLF, CR and LF as one line break each."""
    before = raw[:offset].replace(b"\r\n", b"\n").replace(b"\r", b"\n")
    return before.count(b"\n") + 1
