"""The state the IOS management readers share: the file's lines and the facts read so far."""

from __future__ import annotations

from collections.abc import Sequence

from nankoku_netcheck.model import MgmtSettings, NamedReference, Source
from nankoku_netcheck.vendors.common import split_words


class MgmtBook:
    """One file's lines (`skipped`: the indexes of banner and macro text) and the
    `MgmtSettings` the readers fill in."""

    def __init__(self, lines: Sequence[str], path: str, skipped: set[int]) -> None:
        self.lines = lines
        self.path = path
        self.skipped = skipped
        self.settings = MgmtSettings()

    def source(self, index: int) -> Source:
        return Source(self.path, index + 1, self.lines[index])

    def words(self, index: int) -> list[str]:
        return split_words(self.lines[index])

    def reference(self, kind: str, name: str, index: int, context: str) -> None:
        self.settings.references.append(NamedReference(kind, name, self.source(index), context))
