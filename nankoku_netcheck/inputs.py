"""Reading the user's input files (topology and device configs) as text.

Every file the tool reads goes through `read_input`, so that all of them fail the same
way: one `InputError` whose problems say what was wrong and what was expected, never a
traceback. Configs exported from Windows tools arrive as UTF-16 or with CRLF endings, so
both are accepted; anything else that is not UTF-8 is refused rather than guessed at,
because a mis-decoded line could silently change what a config line means.
"""

from __future__ import annotations

import codecs
import hashlib
import os
from dataclasses import dataclass

from nankoku_netcheck.errors import InputError

# How many leading bytes the UTF-16-without-BOM detector looks at.
_UTF16_SAMPLE_BYTES = 4096
# Share of byte pairs that must have a NUL in the same half for the file to count as UTF-16.
_UTF16_NUL_SHARE = 0.3


@dataclass(frozen=True)
class InputFile:
    """One input file, decoded. `text` has LF line endings only; `sha256` is of the bytes on disk."""

    path: str
    display: str
    sha256: str
    text: str

    @property
    def lines(self) -> tuple[str, ...]:
        """The lines of `text` (line n is `lines[n - 1]`), without a trailing empty line."""
        if not self.text:
            return ()
        parts = self.text.split("\n")
        if parts[-1] == "":
            parts.pop()
        return tuple(parts)


def read_input(path: str, display: str | None = None, what: str = "file") -> InputFile:
    """Read and decode one input file; `what` names it in messages ("topology file", ...).

    Raises InputError for a missing, unreadable, empty, binary or undecodable file.
    """
    shown = display if display is not None else path
    raw = _read_bytes(path, shown, what)
    text = _decode(raw, shown, what)
    text = normalize_newlines(text)
    if not text.strip():
        raise InputError.single(shown, 0, f"{what} is empty (expected {_expected_content(what)})")
    return InputFile(path=path, display=shown, sha256=hashlib.sha256(raw).hexdigest(), text=text)


def normalize_newlines(text: str) -> str:
    """CRLF and lone CR become LF; each still ends exactly one line, so line numbers do not move."""
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _expected_content(what: str) -> str:
    return f"a text {what}" if what != "file" else "a text file"


def _read_bytes(path: str, shown: str, what: str) -> bytes:
    if not os.path.lexists(path):
        raise InputError.single(shown, 0, f"{what} not found (expected an existing text file at this path)")
    if os.path.isdir(path):
        raise InputError.single(shown, 0, f"is a directory (expected {_expected_content(what)})")
    if not os.path.exists(path):
        raise InputError.single(shown, 0, f"is a broken symbolic link (expected {_expected_content(what)})")
    if not os.path.isfile(path):
        raise InputError.single(shown, 0, f"is not a regular file (expected {_expected_content(what)})")
    try:
        with open(path, "rb") as handle:
            return handle.read()
    except OSError as error:
        reason = error.strerror or str(error)
        raise InputError.single(shown, 0, f"cannot read {what}: {reason}") from None


def _decode(raw: bytes, shown: str, what: str) -> str:
    if raw.startswith(codecs.BOM_UTF8):
        return _decode_utf8(raw, len(codecs.BOM_UTF8), shown)
    if raw.startswith(codecs.BOM_UTF16_LE):
        return _decode_utf16(raw, "utf-16-le", len(codecs.BOM_UTF16_LE), shown, what)
    if raw.startswith(codecs.BOM_UTF16_BE):
        return _decode_utf16(raw, "utf-16-be", len(codecs.BOM_UTF16_BE), shown, what)
    utf16_without_bom = _guess_utf16_without_bom(raw)
    if utf16_without_bom is not None:
        return _decode_utf16(raw, utf16_without_bom, 0, shown, what)
    nul_at = raw.find(b"\x00")
    if nul_at >= 0:
        raise InputError.single(
            shown,
            _line_at(raw, nul_at),
            f"byte 0x00 (NUL): this looks like a binary file (expected {_expected_content(what)})",
        )
    return _decode_utf8(raw, 0, shown)


def _decode_utf8(raw: bytes, start: int, shown: str) -> str:
    body = raw[start:]
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError as error:
        offset = start + error.start
        raise InputError.single(
            shown,
            _line_at(raw, offset),
            f"byte 0x{raw[offset]:02x} is not valid UTF-8 (save the file as UTF-8)",
        ) from None


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
            f"bytes {bad.hex(' ')} at offset {start + error.start} are not valid {name} "
            "(save the file as UTF-8)",
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
    nul_in_even = sum(1 for index in range(0, pairs * 2, 2) if sample[index] == 0)
    nul_in_odd = sum(1 for index in range(1, pairs * 2, 2) if sample[index] == 0)
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
