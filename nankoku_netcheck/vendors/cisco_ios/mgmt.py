"""Management-plane facts of a Cisco IOS / IOS-XE configuration (`MgmtSettings`).

A second, independent pass over the lines the forwarding parser (parser.py) has
already accounted for: it only reads, so it can never change what the engine sees.
Lines are grouped as IOS prints them: a line starting at column 0 opens a block, the
indented lines after it belong to that block. Banner and macro text (found by the
forwarding parser) is skipped.

IOS defaults recorded here (a fact that holds because nothing is written has no Source):
IP source routing, the BOOTP server, PAD and CDP are on; the small servers, finger and
the HTTP servers are off; vty lines accept telnet when `transport input` is not written
(the default on most IOS releases still in service); without `aaa new-model` a vty line
asks for its own password, so a vty line with no password (or `login local` with no
account) accepts no session; idle sessions time out after 10 minutes; log messages carry
uptime stamps.

This module groups the lines and dispatches them; the readers live beside it:
mgmt_access.py (services, credentials, lines), mgmt_monitoring.py (NTP, logging, SNMP),
mgmt_ports.py (interfaces, SSIDs) and mgmt_references.py (named objects and their uses).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from nankoku_netcheck.model import Banner, MgmtSettings
from nankoku_netcheck.vendors.cisco_ios.mgmt_access import AccessReader
from nankoku_netcheck.vendors.cisco_ios.mgmt_book import MgmtBook
from nankoku_netcheck.vendors.cisco_ios.mgmt_monitoring import logging_command, ntp_server, snmp_command
from nankoku_netcheck.vendors.cisco_ios.mgmt_ports import PortReader
from nankoku_netcheck.vendors.cisco_ios.mgmt_references import NamedObjects
from nankoku_netcheck.vendors.common import TextBlock, split_words, text_blocks


class _Reader:
    """Reads one file; `lines` are the file's lines, `skipped` the indexes of banner and
    macro text, `banners` the (first index, kind) of each banner."""

    def __init__(
        self,
        lines: Sequence[str],
        path: str,
        skipped: set[int],
        banners: list[tuple[int, str]],
        canonical: Callable[[str], str],
        shared_words: Callable[[int], list[str]] | None,
    ) -> None:
        self.book = MgmtBook(lines, path, skipped, shared_words)
        self.settings = self.book.settings
        self.settings.banners = [Banner(kind, self.book.source(index)) for index, kind in banners]
        self.access = AccessReader(self.book)
        self.ports = PortReader(self.book, canonical)
        self.objects = NamedObjects(self.book)

    def run(self) -> MgmtSettings:
        for block in text_blocks(self.book.lines, ("!",), self.book.skipped):
            try:
                self.block(block)
            except (IndexError, ValueError):
                # A malformed management line is simply not a fact; the forwarding parser
                # has already classified it.
                continue
        self.finish()
        return self.settings

    def block(self, block: TextBlock) -> None:
        book, access = self.book, self.access
        index = block.header
        words = book.words(index)
        lowered = [word.lower() for word in words]
        negated = lowered[0] == "no"
        rest = lowered[1:] if negated else lowered
        if not rest:
            return
        self.objects.definitions_and_references(block, words, lowered)
        first = rest[0]
        if first == "hostname" and not negated:
            self.settings.hostname_source = book.source(index)
        elif first == "service":
            access.service_command(index, rest[1:], negated)
        elif rest[:2] in (["ip", "finger"], ["ip", "source-route"]):
            access.set_service("finger" if rest[1] == "finger" else "source-route", not negated, index)
        elif rest[:3] == ["ip", "bootp", "server"]:
            access.set_service("bootp-server", not negated, index)
        elif rest[:2] == ["ip", "http"]:
            access.http_command(index, words[2 + negated :], rest[2:], negated)
        elif rest[:2] == ["cdp", "run"]:
            access.set_service("cdp", not negated, index)
        elif first == "enable" and not negated:
            access.enable_command(index, words)
        elif first == "username" and not negated and len(words) >= 2:
            access.username_command(index, words)
        elif first == "line" and not negated:
            access.line_block(block, words)
        elif rest[:2] == ["login", "block-for"] and not negated:
            self.settings.login_failure_limits.append(book.source(index))
        elif rest[:2] == ["aaa", "new-model"]:
            access.aaa_new_model = not negated
            if not negated:
                self.settings.aaa.append(book.source(index))
        elif first == "aaa" and not negated:
            self.settings.aaa.append(book.source(index))
            if rest[1:5] == ["local", "authentication", "attempts", "max-fail"]:
                self.settings.login_failure_limits.append(book.source(index))
        elif rest[:4] == ["security", "authentication", "failure", "rate"] and not negated:
            self.settings.login_failure_limits.append(book.source(index))
        elif first in ("ntp", "sntp") and len(rest) >= 3 and rest[1] == "server" and not negated:
            ntp_server(book, index, words)
        elif first == "logging" and not negated:
            logging_command(book, index, words)
        elif first == "snmp-server" and not negated and len(rest) >= 3:
            snmp_command(book, index, words)
        elif rest[:2] == ["dot11", "ssid"] and not negated and len(words) >= 3:
            self.ports.ssid_block(block, words)
        elif first in ("interface", "int") and not negated and len(words) >= 2:
            self.ports.interface_block(block, words)

    def finish(self) -> None:
        self.access.finish()
        self.ports.finish_wlans()
        if self.settings.log_timestamps_source is None:
            self.settings.log_timestamps = "uptime"
        self.objects.mentioned_definitions()


def read_management(
    lines: Sequence[str],
    path: str,
    multiline_blocks: Sequence[tuple[int, int, str]],
    canonical: Callable[[str], str],
    shared_words: Callable[[int], list[str]] | None = None,
) -> MgmtSettings:
    """Management facts of one IOS file. `multiline_blocks` are (first, last, reason)
    line indexes of banner and macro text; `canonical` expands interface names; `shared_words`:
    the words of a line of `lines` as the forwarding pass split them (default: split here)."""
    skipped: set[int] = set()
    banners: list[tuple[int, str]] = []
    for first, last, reason in multiline_blocks:
        skipped.update(range(first, last + 1))
        if reason == "banner text":
            words = split_words(lines[first])
            kind = words[1].lower() if len(words) > 1 and words[1].isalpha() else "motd"
            banners.append((first, kind))
    return _Reader(lines, path, skipped, banners, canonical, shared_words).run()
