"""The state the IOS management readers share: the file's lines and the facts read so far."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from nankoku_netcheck.model import MgmtSettings, NamedReference, Source
from nankoku_netcheck.vendors.common import split_words


class MgmtBook:
    """One file's lines (`skipped`: the indexes of banner and macro text) and the
    `MgmtSettings` the readers fill in; `shared_words`: a line's words as the forwarding pass
    split them (shared lists, which no reader changes), None to split them here."""

    def __init__(
        self, lines: Sequence[str], path: str, skipped: set[int], shared_words: Callable[[int], list[str]] | None = None
    ) -> None:
        self.lines = lines
        self.path = path
        self.skipped = skipped
        self.settings = MgmtSettings()
        self.shared_words = shared_words

    def source(self, index: int) -> Source:
        return Source(self.path, index + 1, self.lines[index])

    def words(self, index: int) -> list[str]:
        if self.shared_words is not None:
            return self.shared_words(index)
        return split_words(self.lines[index])

    def reference(self, kind: str, name: str, index: int, context: str) -> None:
        self.settings.references.append(NamedReference(kind, name, self.source(index), context))
