"""The state the ASA management readers share: the file's lines, names and interfaces,
and the facts read so far. It refers to no reader."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from nankoku_netcheck.model import (
    Interface,
    MgmtSettings,
    Source,
)
from nankoku_netcheck.vendors.common import (
    split_words,
)


@dataclass
class Switch:
    """An on/off setting written as a command and its `no` form (the last one wins)."""

    enabled: bool = False
    source: Source | None = None

    def set(self, enabled: bool, source: Source) -> None:
        self.enabled, self.source = enabled, source


class MgmtBook:
    """One file's lines, its `name` aliases (None for an IPv6 alias), the interfaces the
    forwarding parser built (keyed by hardware name) and the `MgmtSettings` the readers
    fill in."""

    def __init__(
        self,
        lines: Sequence[str],
        path: str,
        names: Mapping[str, int | None],
        interfaces: Mapping[str, Interface],
        shared_words: Callable[[int], list[str]] | None = None,
    ) -> None:
        self.lines = lines
        self.path = path
        self.names = names
        self.interfaces = interfaces
        self.settings = MgmtSettings()
        # Each header line is split by the definitions pass and again by the facts pass.
        # The lists are shared: no reader changes the words it is given.
        self.split: dict[int, list[str]] = {}
        # A line's words as the forwarding pass split them (the same sharing), None: split here.
        self.shared_words = shared_words

    def source(self, index: int) -> Source:
        return Source(self.path, index + 1, self.lines[index])

    def words(self, index: int) -> list[str]:
        if self.shared_words is not None:
            return self.shared_words(index)
        words = self.split.get(index)
        if words is None:
            words = self.split[index] = split_words(self.lines[index])
        return words

    def lowered_words(self, index: int) -> list[str]:
        """`words(index)`, lower-cased. An ASCII line is lower-cased whole, then split: the same
        words (only letters change), without a call per word."""
        line = self.lines[index]
        if line.isascii():
            return split_words(line.lower())
        return [word.lower() for word in self.words(index)]

    def hardware_name(self, nameif: str) -> str:
        """The interface a nameif names (as in `Device.interfaces`), else the word as written."""
        exact = [name for name, interface in self.interfaces.items() if nameif_of(interface) == nameif]
        if exact:
            return exact[0]
        folded = [
            name
            for name, interface in self.interfaces.items()
            if (nameif_of(interface) or "").casefold() == nameif.casefold()
        ]
        return folded[0] if len(folded) == 1 else nameif


def nameif_of(interface: Interface) -> str | None:
    return dict(interface.properties).get("nameif")
