"""Renderers: each takes the same Result and returns text. No checking logic here."""

from __future__ import annotations

from collections.abc import Callable

from ..result import Result
from .json_report import render_json
from .text import render_text

Renderer = Callable[[Result, str], str]

RENDERERS: dict[str, Renderer] = {
    "text": render_text,
    "json": render_json,
}

__all__ = ["RENDERERS", "Renderer", "render_json", "render_text"]
