"""Renderers: each takes the same Result and a language and returns text. No checking logic here.

Every renderer redacts the quoted config text of the Result itself (report/common.py `redacted`),
so no caller can forget to; the tool's own sentences are never passed through `redact`.
The human-readable renderers (text, Markdown, CSV, HTML, JUnit) take `displayable` instead: the
same redaction, and every string of the Result with its control characters written as visible
escapes and ambiguous file names quoted, so that no input can forge a report line or drive a
terminal. JSON and SARIF keep exact values and are written with `json_text`."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from ..result import Result
from .common import FILE_NAMES
from .csv_report import render_csv
from .html import render_html
from .json_report import render_json, result_sha256
from .junit import render_junit
from .markdown import render_markdown
from .sarif import render_sarif
from .text import render_text

Renderer = Callable[[Result, str], str]
DigestRenderer = Callable[[Result, str, str | None], str]

RENDERERS: dict[str, Renderer] = {
    "text": render_text,
    "json": render_json,
    "sarif": render_sarif,
    "junit": render_junit,
    "md": render_markdown,
    "csv": render_csv,
    "html": render_html,
}
# The formats that print the result's `result_sha256`, and can be given it.
DIGEST_RENDERERS: dict[str, DigestRenderer] = {
    "json": render_json,
    "sarif": render_sarif,
    "md": render_markdown,
    "html": render_html,
}


def shared_digest(result: Result, formats: Iterable[str]) -> str | None:
    """The result's `result_sha256` when more than one of `formats` prints it, so that it is
    computed once (it redacts and serialises the whole result); None otherwise."""
    return result_sha256(result) if sum(name in DIGEST_RENDERERS for name in formats) > 1 else None


def render(result: Result, output_format: str, lang: str, digest: str | None = None) -> str:
    """`RENDERERS[output_format]`, given `digest` (from `shared_digest` of the same result:
    the digest leaves out the run keys, such as the command, that differ between formats)."""
    if digest is not None and output_format in DIGEST_RENDERERS:
        return DIGEST_RENDERERS[output_format](result, lang, digest)
    return RENDERERS[output_format](result, lang)


__all__ = [
    "DIGEST_RENDERERS",
    "FILE_NAMES",
    "RENDERERS",
    "Renderer",
    "render",
    "render_csv",
    "render_html",
    "render_json",
    "render_junit",
    "render_markdown",
    "render_sarif",
    "render_text",
    "result_sha256",
    "shared_digest",
]
