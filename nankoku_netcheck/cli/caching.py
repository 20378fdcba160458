"""The parse-cache options shared by commands."""

from __future__ import annotations

from pathlib import Path

from ..cache import ParseCache, default_cache_dir


def open_cache(cache_dir: str | None, no_cache: bool) -> ParseCache | None:
    """Raises InputError (exit 2) for a cache folder or key someone else could write."""
    if no_cache:
        return None
    return ParseCache(Path(cache_dir) if cache_dir else default_cache_dir())
