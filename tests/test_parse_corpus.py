"""Robustness: every corpus file that detection reads as IOS parses without crashing.

The corpus lives outside the repository (../shared/corpus); the test is skipped when it
is absent. The number of FORWARDING unknown lines is held under a ceiling, so that it can
only go down (lower the ceiling when it does); the other counts are printed.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from nankoku_netcheck.errors import InputError
from nankoku_netcheck.model import Device, UnknownKind
from nankoku_netcheck.parse import detect_vendor
from nankoku_netcheck.vendors.cisco_ios.parser import parse

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"
# Measured on the corpus files detected as IOS; most are VRF and NAT lines (issue #17).
FORWARDING_CEILING = 3245  # +1: an `interface` line indented under `mpls ldp` (IOS-XR syntax) counts as global


def decode(data: bytes) -> str:
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="replace")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16", errors="replace")
    return data.decode("utf-8", errors="replace")


def ios_like_files() -> list[tuple[str, str]]:
    """(manifest path, decoded text) of every file that detection reads as IOS (the others
    are refused or read as ASA: see test_detection.py)."""
    manifest = (CORPUS / "MANIFEST.tsv").read_text(encoding="utf-8").splitlines()[1:]
    files = []
    for row in manifest:
        relative = row.split("\t")[0]
        text = decode((CORPUS / relative).read_bytes())
        if detect_vendor(text) == "cisco_ios":
            files.append((relative, text))
    return files


def check_accounting(device: Device) -> list[str]:
    """Every recorded unknown line points at its own line of the file."""
    return [
        f"{device.source_file}:{unknown.source.line}: source text differs from the file"
        for unknown in device.unknown_lines
        if device.lines[unknown.source.line - 1] != unknown.source.text
    ]


def test_every_ios_like_corpus_file_parses():
    if not (CORPUS / "MANIFEST.tsv").is_file():
        pytest.skip(f"public corpus not found at {CORPUS}")
    files = ios_like_files()
    started = time.perf_counter()
    failures: list[str] = []
    line_count = forwarding = harmless = input_errors = 0
    for relative, text in files:
        try:
            device = parse(text, relative)
        except InputError:
            input_errors += 1
            continue
        except Exception as error:  # the point of the test: report every crash, not the first
            failures.append(f"{relative}: {type(error).__name__}: {error}")
            continue
        failures.extend(check_accounting(device))
        line_count += len(device.lines)
        forwarding += sum(1 for u in device.unknown_lines if u.kind is UnknownKind.FORWARDING)
        harmless += sum(1 for u in device.unknown_lines if u.kind is UnknownKind.HARMLESS)
    elapsed = time.perf_counter() - started
    print(
        f"\nIOS corpus: {len(files)} files, {line_count} lines, {forwarding} FORWARDING unknown lines, "
        f"{harmless} HARMLESS unknown lines, {input_errors} input errors, {elapsed:.1f} s"
    )
    assert not failures, "\n".join(failures[:20])
    assert forwarding <= FORWARDING_CEILING, (
        f"{forwarding} FORWARDING unknown lines, more than the ceiling of {FORWARDING_CEILING}"
    )
