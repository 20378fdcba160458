"""Configs saved in the encodings of Japanese Windows PCs verify and render exactly like their
UTF-8 originals: the broken sample city, each file re-encoded, gives the same findings at the
same lines, and its Japanese (device descriptions, a route named 庁内LAN向け, the topology's
name) comes out intact in the text and HTML reports. A file that could be read two ways is
refused until the topology names its encoding, as is one in an encoding that is not detected."""

from __future__ import annotations

import codecs
import re
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import REPO

from nankoku_netcheck.analyze import analyze, parse_devices
from nankoku_netcheck.cache import ParseCache
from nankoku_netcheck.cli import main
from nankoku_netcheck.report import render_html, render_text
from nankoku_netcheck.result import Result
from nankoku_netcheck.topology import load_topology, read_device_configs

TIMESTAMP = "2025-11-24T16:00:00Z"
SAMPLE = "nankoku-broken"
# mn-core.cfg:323 is quoted as evidence of the first ZONE-001 finding; its route gets a Japanese name.
ROUTE_LINE = 323
ROUTE_BEFORE = "ip route 0.0.0.0 0.0.0.0 10.1.0.1 name DEFAULT-TO-MN-GW"
ROUTE_AFTER = "ip route 0.0.0.0 0.0.0.0 10.1.0.1 name 庁内LAN向け"
SHA256 = re.compile(r"\b[0-9a-f]{64}\b")

Encoder = Callable[[str], bytes]


def utf16_le_with_bom(text: str) -> bytes:
    return codecs.BOM_UTF16_LE + text.encode("utf-16-le")


def utf16_be_with_bom(text: str) -> bytes:
    return codecs.BOM_UTF16_BE + text.encode("utf-16-be")


def utf8_with_bom(text: str) -> bytes:
    return codecs.BOM_UTF8 + text.encode("utf-8")


def cp932(text: str) -> bytes:
    # The topology's first comment has an em dash, which CP932 writes as U+2015 (815C).
    return text.replace("\u2014", "\u2015").encode("cp932")


ENCODERS: dict[str, Encoder] = {
    "cp932": cp932,
    "utf-8-bom": utf8_with_bom,
    "utf-16-le": lambda text: text.encode("utf-16-le"),
    "utf-16-be": lambda text: text.encode("utf-16-be"),
    "utf-16-le-bom": utf16_le_with_bom,
    "utf-16-be-bom": utf16_be_with_bom,
}


def write_sample(folder: Path, encode: Encoder, crlf: bool = False) -> Path:
    """The broken sample under `folder` (a git work tree, so configs may sit beside
    topologies/), every file written with `encode`; returns the topology's path."""
    (folder / ".git").mkdir(parents=True)
    source_configs = REPO / "device_configs" / SAMPLE
    target_configs = folder / "device_configs" / SAMPLE
    target_configs.mkdir(parents=True)
    for config in sorted(source_configs.glob("*.cfg")):
        text = config.read_text(encoding="utf-8")
        if config.name == "mn-core.cfg":
            lines = text.split("\n")
            assert lines[ROUTE_LINE - 1] == ROUTE_BEFORE
            lines[ROUTE_LINE - 1] = ROUTE_AFTER
            text = "\n".join(lines)
        if crlf:
            text = text.replace("\n", "\r\n")
        (target_configs / config.name).write_bytes(encode(text))
    (folder / "topologies").mkdir()
    topology = folder / "topologies" / f"{SAMPLE}.yaml"
    topology.write_bytes(encode((REPO / "topologies" / f"{SAMPLE}.yaml").read_text(encoding="utf-8")))
    return topology


def verified(folder: Path, encode: Encoder, monkeypatch: pytest.MonkeyPatch, crlf: bool = False) -> Result:
    topology = write_sample(folder, encode, crlf)
    # Paths in reports are relative to the working directory: the same in every copy.
    monkeypatch.chdir(folder)
    return analyze(str(topology.relative_to(folder)), timestamp=TIMESTAMP)


def without_hashes(rendered: str) -> str:
    """The inputs' SHA-256 (of the bytes on disk) and the result's differ between encodings."""
    return SHA256.sub("<sha256>", rendered)


@pytest.fixture(scope="module")
def reference(tmp_path_factory: pytest.TempPathFactory) -> Result:
    with pytest.MonkeyPatch.context() as monkeypatch:
        return verified(tmp_path_factory.mktemp("utf8"), lambda text: text.encode("utf-8"), monkeypatch)


def test_cp932_sample_verifies_and_renders_like_utf8(
    reference: Result, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    result = verified(tmp_path, ENCODERS["cp932"], monkeypatch, crlf=True)
    assert result.verdict == reference.verdict == "fail"
    assert result.findings == reference.findings
    evidence = f"device_configs/{SAMPLE}/mn-core.cfg:{ROUTE_LINE}  {ROUTE_AFTER}"
    text = render_text(result, "ja")
    assert evidence in text
    assert "南国市 庁内ネットワーク (サンプル・誤設定あり)" in text
    assert without_hashes(text) == without_hashes(render_text(reference, "ja"))
    html = render_html(result, "ja")
    assert ROUTE_AFTER in html
    assert "南国市 庁内ネットワーク (サンプル・誤設定あり)" in html
    assert without_hashes(html) == without_hashes(render_html(reference, "ja"))
    # Hashes are of the bytes on disk, so they do differ: the CP932 files are what was read.
    assert {record.sha256 for record in result.inputs}.isdisjoint({record.sha256 for record in reference.inputs})


@pytest.mark.parametrize("encoding", [name for name in ENCODERS if name != "cp932"])
def test_unicode_encodings_verify_like_utf8(
    reference: Result, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, encoding: str
) -> None:
    result = verified(tmp_path, ENCODERS[encoding], monkeypatch)
    assert result.findings == reference.findings
    assert without_hashes(render_text(result, "en")) == without_hashes(render_text(reference, "en"))


def run_cli(*args: str) -> tuple[int, str]:
    outcome = CliRunner().invoke(main, ["verify", *args, "--no-cache", "--quiet", "--lang", "en"])
    return outcome.exit_code, outcome.output


def test_euc_jp_config_needs_the_encoding_key(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    topology = write_sample(tmp_path, lambda text: text.encode("utf-8"))
    config = tmp_path / "device_configs" / SAMPLE / "bb-rtr.cfg"
    config.write_bytes(config.read_text(encoding="utf-8").encode("euc_jp"))
    monkeypatch.chdir(tmp_path)
    code, output = run_cli(str(topology.relative_to(tmp_path)), "--format", "text")
    assert code == 2
    (line,) = [line for line in output.splitlines() if line.startswith("error:")]
    assert line.startswith(f"error: device_configs/{SAMPLE}/bb-rtr.cfg:")
    assert line.endswith(
        "is not valid CP932 (Shift_JIS); the file reads as EUC-JP "
        "(save the file as UTF-8, or name its encoding in the topology: encoding: euc_jp)"
    )

    written = topology.read_text(encoding="utf-8")
    fixed = written.replace("{config: bb-rtr.cfg}", "{config: bb-rtr.cfg, encoding: euc_jp}")
    assert fixed != written
    topology.write_text(fixed, encoding="utf-8")
    code, output = run_cli(str(topology.relative_to(tmp_path)), "--format", "text")
    assert code == 1
    assert f"device_configs/{SAMPLE}/mn-core.cfg:{ROUTE_LINE}  {ROUTE_AFTER}" in output


def test_unknown_encoding_name_is_an_input_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    topology = write_sample(tmp_path, lambda text: text.encode("utf-8"))
    written = topology.read_text(encoding="utf-8")
    topology.write_text(written.replace("{config: bb-rtr.cfg}", "{config: bb-rtr.cfg, encoding: sjis-win}"))
    line = next(number for number, text in enumerate(written.splitlines(), start=1) if "bb-rtr.cfg" in text)
    monkeypatch.chdir(tmp_path)
    code, output = run_cli(f"topologies/{SAMPLE}.yaml")
    assert code == 2
    assert output.strip().splitlines() == [
        f"error: topologies/{SAMPLE}.yaml:{line}: devices.bb-rtr.encoding: 'sjis-win' is not a text encoding "
        "Python knows (expected a name such as utf-8, cp932, shift_jis, euc_jp, utf-16-le or utf-16-be; "
        "leave encoding: out to let it be detected)"
    ]


def test_the_parse_cache_tells_encodings_apart(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The same bytes read with another `encoding:` are another text: parsed anew, not
    taken from the cache."""
    topology_path = write_sample(tmp_path / "city", lambda text: text.encode("utf-8"))
    config = topology_path.parent.parent / "device_configs" / SAMPLE / "bb-rtr.cfg"
    config.write_bytes(config.read_text(encoding="utf-8").encode("euc_jp"))
    written = topology_path.read_text(encoding="utf-8")
    monkeypatch.chdir(tmp_path / "city")

    def parse_with(encoding: str) -> ParseCache:
        topology_path.write_text(
            written.replace("{config: bb-rtr.cfg}", f"{{config: bb-rtr.cfg, encoding: {encoding}}}"), encoding="utf-8"
        )
        cache = ParseCache(tmp_path / "cache")
        topology = load_topology(f"topologies/{SAMPLE}.yaml")
        parse_devices(topology, read_device_configs(topology), cache)
        return cache

    assert (parse_with("euc_jp").hits, parse_with("euc_jp").hits) == (0, 9)
    latin = parse_with("latin-1")
    assert (latin.hits, latin.misses) == (8, 1)
