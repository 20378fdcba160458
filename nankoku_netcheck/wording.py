"""English counts with the right plural ("1 error", "2 errors"); Japanese needs none (件, 行, 台)."""

from __future__ import annotations


def count_of(count: int, singular: str, plural: str = "") -> str:
    """`count` and the noun in the number it takes; `plural` defaults to `singular` + "s"."""
    return f"{count} {singular if count == 1 else plural or singular + 's'}"
