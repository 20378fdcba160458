"""read_input: every input file is decoded the same way, or refused with file:line and a
message that says what was expected."""

from __future__ import annotations

import builtins
import codecs
import hashlib
import os
from pathlib import Path

import pytest

from nankoku_netcheck import inputs
from nankoku_netcheck.errors import InputError, InputProblem
from nankoku_netcheck.inputs import read_input

CONFIG_TEXT = "hostname r1\n!\ninterface Vlan10\n description 庁内LAN\u3000本庁舎\n"


def write(tmp_path: Path, data: bytes, name: str = "r1.cfg") -> str:
    path = tmp_path / name
    path.write_bytes(data)
    return str(path)


def refused(path: str, display: str | None = None, what: str = "device config") -> InputProblem:
    with pytest.raises(InputError) as raised:
        read_input(path, display, what)
    (problem,) = raised.value.problems
    return problem


def test_utf8_file(tmp_path: Path) -> None:
    data = CONFIG_TEXT.encode("utf-8")
    path = write(tmp_path, data)
    read = read_input(path)
    assert read.text == CONFIG_TEXT
    assert read.path == read.display == path
    assert read.sha256 == hashlib.sha256(data).hexdigest()
    assert read.lines == ("hostname r1", "!", "interface Vlan10", " description 庁内LAN\u3000本庁舎")


def test_display_names_the_file(tmp_path: Path) -> None:
    read = read_input(write(tmp_path, b"hostname r1\n"), display="configs/r1.cfg")
    assert read.display == "configs/r1.cfg"


def test_utf8_bom_is_stripped_but_hashed(tmp_path: Path) -> None:
    data = codecs.BOM_UTF8 + CONFIG_TEXT.encode("utf-8")
    read = read_input(write(tmp_path, data))
    assert read.text == CONFIG_TEXT
    assert read.sha256 == hashlib.sha256(data).hexdigest()


def test_crlf_and_lone_cr_become_lf_and_keep_line_numbers(tmp_path: Path) -> None:
    data = b"hostname r1\r\n!\r\ninterface Vlan10\rshutdown\r\n"
    read = read_input(write(tmp_path, data))
    assert read.text == "hostname r1\n!\ninterface Vlan10\nshutdown\n"
    assert read.lines[3] == "shutdown"
    assert read.sha256 == hashlib.sha256(data).hexdigest()


def test_last_line_without_newline(tmp_path: Path) -> None:
    assert read_input(write(tmp_path, b"a\nb")).lines == ("a", "b")


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-16-be"])
def test_utf16_with_and_without_bom(tmp_path: Path, encoding: str) -> None:
    # "utf-16" writes a BOM; the explicit-endian codecs write none, so the NUL pattern decides.
    text = CONFIG_TEXT.replace("\n", "\r\n")
    data = text.encode(encoding)
    read = read_input(write(tmp_path, data))
    assert read.text == CONFIG_TEXT
    assert read.sha256 == hashlib.sha256(data).hexdigest()


def test_utf16_big_endian_with_bom(tmp_path: Path) -> None:
    data = codecs.BOM_UTF16_BE + CONFIG_TEXT.encode("utf-16-be")
    assert read_input(write(tmp_path, data)).text == CONFIG_TEXT


def test_not_utf8_names_line_and_byte(tmp_path: Path) -> None:
    data = b"hostname r1\n!\n" + "description 本庁舎\n".encode("shift_jis")
    problem = refused(write(tmp_path, data), display="configs/r1.cfg")
    first_sjis_byte = "本".encode("shift_jis")[0]
    assert (problem.file, problem.line) == ("configs/r1.cfg", 3)
    assert problem.message == f"byte 0x{first_sjis_byte:02x} is not valid UTF-8 (save the file as UTF-8)"
    assert str(problem) == f"configs/r1.cfg:3: {problem.message}"


def test_not_utf8_after_crlf_lines(tmp_path: Path) -> None:
    problem = refused(write(tmp_path, b"a\r\nb\r\ncaf\xe9\r\n"))
    assert problem.line == 3
    assert problem.message.startswith("byte 0xe9 is not valid UTF-8")


def test_binary_file(tmp_path: Path) -> None:
    # The PNG signature holds a CRLF and an LF, so its first NUL is on line 4.
    problem = refused(write(tmp_path, b"hostname r1\n\x89PNG\x0d\x0a\x1a\x0a\x00\x00\x00\x0dIHDR\x01"))
    assert problem.line == 4
    assert problem.message == "byte 0x00 (NUL): this looks like a binary file (expected a text device config)"


def test_invalid_utf16(tmp_path: Path) -> None:
    # A lone high surrogate (D800) cannot be decoded.
    data = codecs.BOM_UTF16_LE + "ok\r\n".encode("utf-16-le") + b"\x00\xd8" + "x".encode("utf-16-le")
    problem = refused(write(tmp_path, data))
    assert problem.line == 2
    assert "not valid UTF-16 LE (save the file as UTF-8)" in problem.message


@pytest.mark.parametrize("data", [b"", b" \r\n\t\n", codecs.BOM_UTF8, codecs.BOM_UTF8 + b"\n\n"])
def test_empty_file(tmp_path: Path, data: bytes) -> None:
    problem = refused(write(tmp_path, data), what="topology file")
    assert problem.line == 0
    assert problem.message == "topology file is empty (expected a text topology file)"


def test_missing_file(tmp_path: Path) -> None:
    path = str(tmp_path / "absent.cfg")
    problem = refused(path)
    assert (problem.file, problem.line) == (path, 0)
    assert problem.message == "device config not found (expected an existing text file at this path)"
    assert str(problem) == f"{path}: {problem.message}"


def test_directory(tmp_path: Path) -> None:
    problem = refused(str(tmp_path))
    assert problem.message == "is a directory (expected a text device config)"


def test_broken_symlink(tmp_path: Path) -> None:
    link = tmp_path / "r1.cfg"
    link.symlink_to(tmp_path / "gone.cfg")
    assert refused(str(link)).message.startswith("is a broken symbolic link")


def test_unreadable_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # As root, chmod 000 does not stop reading, so the refusal is simulated at open().
    path = write(tmp_path, b"hostname r1\n")
    real_open = builtins.open

    def refusing_open(file: object, *args: object, **kwargs: object) -> object:
        if str(file) == path:
            raise PermissionError(13, "Permission denied")
        return real_open(file, *args, **kwargs)  # type: ignore[call-overload]

    monkeypatch.setattr(inputs, "open", refusing_open, raising=False)
    problem = refused(path)
    assert (problem.file, problem.line) == (path, 0)
    assert problem.message == "cannot read device config: Permission denied"


@pytest.mark.skipif(hasattr(os, "geteuid") and os.geteuid() == 0, reason="root can read a chmod 000 file")
def test_unreadable_file_by_mode(tmp_path: Path) -> None:
    path = tmp_path / "r1.cfg"
    path.write_bytes(b"hostname r1\n")
    path.chmod(0)
    try:
        problem = refused(str(path))
    finally:
        path.chmod(0o644)
    assert problem.message.startswith("cannot read device config")
