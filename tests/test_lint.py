"""The codebase stays `ruff check` and `ruff format` clean (ruff is a test dependency)."""

from __future__ import annotations

import shutil
import subprocess

import pytest
from conftest import REPO

PATHS = ("nankoku_netcheck", "tests", "benchmarks")


def ruff(*arguments: str) -> subprocess.CompletedProcess[str]:
    executable = shutil.which("ruff")
    if executable is None:
        pytest.skip("ruff is not installed (pip install -e '.[test]')")
    return subprocess.run([executable, *arguments, *PATHS], cwd=REPO, capture_output=True, text=True, timeout=120)


def test_ruff_check_is_clean() -> None:
    result = ruff("check", "--output-format", "concise")
    assert result.returncode == 0, result.stdout + result.stderr


def test_ruff_format_is_clean() -> None:
    result = ruff("format", "--check")
    assert result.returncode == 0, result.stdout + result.stderr
