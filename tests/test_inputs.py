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


def test_cp932_config_is_read(tmp_path: Path) -> None:
    # NEC and IBM characters (①, ㈱) are CP932, not JIS Shift_JIS: Windows saves them so.
    text = CONFIG_TEXT + " description ①㈱～ 表示\n"
    data = text.replace("\n", "\r\n").encode("cp932")
    read = read_input(write(tmp_path, data))
    assert read.text == text
    assert read.encoding == "cp932"
    assert read.lines[3] == " description 庁内LAN\u3000本庁舎"
    assert read.sha256 == hashlib.sha256(data).hexdigest()


def test_cp932_half_width_katakana(tmp_path: Path) -> None:
    read = read_input(write(tmp_path, "hostname r1\n description ﾃｽﾄ\n".encode("cp932")))
    assert (read.text, read.encoding) == ("hostname r1\n description ﾃｽﾄ\n", "cp932")


def test_detected_encodings_are_recorded(tmp_path: Path) -> None:
    assert read_input(write(tmp_path, b"hostname r1\n")).encoding == "utf-8"
    assert read_input(write(tmp_path, CONFIG_TEXT.encode("utf-16-be"))).encoding == "utf-16-be"
    assert read_input(write(tmp_path, codecs.BOM_UTF16_LE + CONFIG_TEXT.encode("utf-16-le"))).encoding == "utf-16-le"


def test_neither_utf8_nor_cp932_names_line_and_byte(tmp_path: Path) -> None:
    problem = refused(write(tmp_path, b"a\r\nb\r\ncaf\xe9\r\n"), display="configs/r1.cfg")
    assert (problem.file, problem.line) == ("configs/r1.cfg", 3)
    assert problem.message == (
        "byte 0xe9 is not valid UTF-8 nor CP932 (Shift_JIS) "
        "(save the file as UTF-8, or name its encoding in the topology: encoding: cp932)"
    )
    assert str(problem) == f"configs/r1.cfg:3: {problem.message}"


def test_cp932_broken_later_names_both_places(tmp_path: Path) -> None:
    data = "description 本庁舎\n!\n".encode("cp932") + b"end \x80\n"
    problem = refused(write(tmp_path, data))
    assert problem.line == 1
    assert problem.message == (
        f"byte 0x{'本'.encode('cp932')[0]:02x} is not valid UTF-8, and byte 0x80 on line 3 is not valid CP932 "
        "(Shift_JIS) (save the file as UTF-8, or name its encoding in the topology: encoding: cp932)"
    )


@pytest.mark.parametrize("odd", [b"\xa0", b"\xfd", b"\xf0\x40"])
def test_cp932_unassigned_or_private_use_is_refused(tmp_path: Path, odd: bytes) -> None:
    # Decodable, but into characters (U+F8F0, 外字 U+E000) that mean another encoding.
    data = "description 本庁舎 ".encode("cp932") + odd + b"\n"
    problem = refused(write(tmp_path, data))
    assert f"byte 0x{odd[0]:02x} on line 1 is not valid CP932 (Shift_JIS)" in problem.message


def test_damaged_utf8_is_not_read_as_cp932(tmp_path: Path) -> None:
    # UTF-8 kana first, then a byte pair that is CP932 (庁): a damaged UTF-8 file, not CP932.
    data = "hostname r1\n description 庁内\n".encode() + b" description \x92\xa1\n"
    problem = refused(write(tmp_path, data), what="topology file")
    assert problem.line == 3
    assert (
        problem.message == "byte 0x92 is not valid UTF-8, though the lines before it are UTF-8 (save the file as UTF-8)"
    )


def test_euc_jp_is_refused_as_ambiguous(tmp_path: Path) -> None:
    # EUC-JP bytes also decode as CP932, into half-width katakana that swallow the L of LAN.
    data = CONFIG_TEXT.encode("euc_jp")
    assert "LAN" not in data.decode("cp932")
    problem = refused(write(tmp_path, data))
    assert problem.line == 4
    assert problem.message.endswith(
        "and the file reads both as CP932 (Shift_JIS) and as EUC-JP "
        "(save the file as UTF-8, or name its encoding in the topology: encoding: cp932 or euc_jp)"
    )


@pytest.mark.parametrize(
    ("encoding", "data"),
    [
        ("euc_jp", CONFIG_TEXT.encode("euc_jp")),
        ("cp932", "hostname r1\n description ﾃｽ\n".encode("cp932")),  # valid UTF-8 too ("ý")
        ("utf-16-le", codecs.BOM_UTF16_LE + CONFIG_TEXT.encode("utf-16-le")),
        ("utf-8", codecs.BOM_UTF8 + CONFIG_TEXT.encode("utf-8")),
        ("latin-1", b"hostname r1\n description caf\xe9\n"),
    ],
)
def test_explicit_encoding_overrides_detection(tmp_path: Path, encoding: str, data: bytes) -> None:
    name = inputs.encoding_name(encoding)
    assert name is not None
    read = read_input(write(tmp_path, data), encoding=name)
    assert read.text == data.decode(encoding).removeprefix("\ufeff")
    assert read.encoding == name


def test_explicit_encoding_that_does_not_fit(tmp_path: Path) -> None:
    data = ("hostname r1\n!\n description ①\n").encode("cp932")
    with pytest.raises(InputError) as raised:
        read_input(write(tmp_path, data), "r1.cfg", "device config", encoding="shift_jis")
    (problem,) = raised.value.problems
    assert (problem.file, problem.line) == ("r1.cfg", 3)
    assert problem.message == (
        "bytes 87 at offset 27 are not valid shift_jis (the encoding: named for this file in the topology; "
        "Windows saves Shift_JIS as cp932, which adds NEC and IBM characters such as ①; "
        "remove it to let the encoding be detected)"
    )


@pytest.mark.parametrize(
    ("written", "name"),
    [
        ("cp932", "cp932"),
        ("CP932", "cp932"),
        ("Shift_JIS", "shift_jis"),
        ("sjis", "shift_jis"),
        ("Windows-31J", "cp932"),
        ("EUC-JP", "euc_jp"),
        ("UTF-16LE", "utf-16-le"),
        ("utf8", "utf-8"),
    ],
)
def test_encoding_names(written: str, name: str) -> None:
    assert inputs.encoding_name(written) == name


@pytest.mark.parametrize("written", ["sjis2", "base64", "rot13", "zlib", "undefined", "idna", "punycode", ""])
def test_not_encoding_names(written: str) -> None:
    assert inputs.encoding_name(written) is None


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
