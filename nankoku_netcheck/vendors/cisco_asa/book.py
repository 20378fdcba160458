"""The state every part of the ASA parser shares: the account of each line (LineBook) and
the `name` aliases, which any address in the file may use. It refers to no reader, so a
finished parse is freed at once instead of waiting for the cycle collector."""

from __future__ import annotations

from nankoku_netcheck.vendors.cisco_asa.keywords import GLOBAL_FORWARDING_STARTS
from nankoku_netcheck.vendors.common import LineBook, NotUnderstood, ipv4, looks_like_ipv6


class AsaBook(LineBook):
    """Where each line of one ASA file ended up (see LineBook), the `name` aliases and the
    IPv6 lines, classified once every interface is known."""

    global_forwarding_starts = GLOBAL_FORWARDING_STARTS

    def __init__(self, text: str, path: str) -> None:
        super().__init__(text, path)
        self.names: dict[str, int | None] = {}  # alias → IPv4 address; None for an IPv6 alias
        self.ipv6_lines: list[tuple[int, str | None]] = []  # (line index, interface or None)

    def ipv4_or_name(self, word: str) -> int:
        try:
            # `ipv4` reads what `ip_to_int` reads, in one pass instead of a test and a read.
            return ipv4(word)
        except NotUnderstood:
            pass
        value = self.names.get(word)
        if value is not None:
            return value
        if word in self.names:
            raise NotUnderstood(f"name '{word}' is an IPv6 address")
        raise NotUnderstood(f"'{word}' is neither an IPv4 address nor a defined name")

    def is_ipv6_word(self, word: str) -> bool:
        return looks_like_ipv6(word) or (word in self.names and self.names[word] is None)
