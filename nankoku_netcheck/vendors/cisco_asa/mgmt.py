"""Management-plane facts of a Cisco ASA / PIX / FWSM configuration (`MgmtSettings`).

A second, independent pass over the lines the forwarding parser (parser.py) has
already accounted for: it only reads, so it can never change what the engine sees.
Lines are grouped as the ASA prints them: a line starting at column 0 opens a block, the
indented lines after it belong to that block. ASA banners are one line per banner line,
so no text needs skipping.

ASA defaults recorded here (a fact that holds because nothing is written has no Source):

- The console never times out (`console timeout 0`); SSH and Telnet sessions time out
  after 5 minutes, ASDM sessions after 20 (`http server idle-timeout`).
- SSH, Telnet and ASDM accept a connection only from a source a `ssh|telnet|http ADDR
  MASK IF` line lists; ASDM also needs `http server enable` and always runs over HTTPS
  (`http redirect` only answers with a redirection to it).
- Log messages carry no time stamp without `logging timestamp`; nothing is logged
  without `logging enable` (PIX: `logging on`), and nothing goes to the syslog servers
  without `logging trap LEVEL`.
- There is no CDP, no TCP/UDP small server, finger, BOOTP server, PAD or plain-HTTP
  management server, and source-routed packets are dropped (IP options inspection).
- SNMP is read-only (the ASA has no SNMP write access) and SNMPv3 groups are the only
  groups.
- `encrypted` passwords are MD5-based; `8Ry2YjIyt7RRXU24` is the stored form of an
  empty enable or login password.

This module hands each block to the reader of its part: mgmt_access.py (remote access,
sessions, banners, credentials), mgmt_monitoring.py (logging, SNMP), mgmt_ports.py
(interface facts) and mgmt_references.py (named objects: definitions and uses); they
share mgmt_book.py.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

from nankoku_netcheck.model import (
    Credential,
    HostReference,
    Interface,
    MgmtSettings,
    ServiceState,
)
from nankoku_netcheck.vendors.cisco_asa.mgmt_access import AccessReader, password_scheme
from nankoku_netcheck.vendors.cisco_asa.mgmt_book import MgmtBook
from nankoku_netcheck.vendors.cisco_asa.mgmt_monitoring import MonitoringReader
from nankoku_netcheck.vendors.cisco_asa.mgmt_ports import PortReader
from nankoku_netcheck.vendors.cisco_asa.mgmt_references import NamedObjects
from nankoku_netcheck.vendors.common import (
    TextBlock,
    text_blocks,
)

_ASA_DEFAULT_SERVICES = {
    "http-server": False,
    "tcp-small-servers": False,
    "udp-small-servers": False,
    "finger": False,
    "bootp-server": False,
    "source-route": False,
    "cdp": False,
    "pad": False,
}


class _Reader:
    """Reads one file: hands each block to the reader of its part. The readers share `book`;
    nothing refers back to this driver."""

    def __init__(
        self,
        lines: Sequence[str],
        path: str,
        names: Mapping[str, int | None],
        interfaces: Mapping[str, Interface],
        shared_words: Callable[[int], list[str]] | None,
    ) -> None:
        self.book = MgmtBook(lines, path, names, interfaces, shared_words)
        self.settings = self.book.settings
        self.access = AccessReader(self.book)
        self.monitoring = MonitoringReader(self.book)
        self.ports = PortReader(self.book)
        self.objects = NamedObjects(self.book)

    def run(self) -> MgmtSettings:
        blocks = text_blocks(self.book.lines, ("!", ":"))
        # Definitions first: a reference's kind (object or object-group, IPv4 or IPv6 ACL)
        # depends on what the file defines, wherever it defines it.
        for block in blocks:
            self.guarded(self.objects.definitions, block)
        for block in blocks:
            self.guarded(self.block, block)
        self.finish()
        return self.settings

    @staticmethod
    def guarded(handler: Callable[[TextBlock], None], block: TextBlock) -> None:
        try:
            handler(block)
        except (IndexError, ValueError):
            # A malformed management line is simply not a fact; the forwarding parser
            # has already classified it.
            return

    def block(self, block: TextBlock) -> None:
        words = self.book.words(block.header)
        lowered = self.book.lowered_words(block.header)
        negated = lowered[0] == "no"
        rest = lowered[1:] if negated else lowered
        if not rest:
            return
        self.objects.references(block, words, lowered)
        first = rest[0]
        if negated:
            self.negated(block.header, rest)
        elif first == "hostname" and len(words) == 2:
            self.settings.hostname_source = self.book.source(block.header)
        elif first == "console" and rest[1:2] == ["timeout"] and len(words) >= 3:
            self.access.timeout("console", block.header, words[2])
        elif first in ("ssh", "telnet", "http"):
            self.access.remote_command(block.header, words, lowered)
        elif first == "aaa":
            self.settings.aaa.append(self.book.source(block.header))
            if rest[1:5] == ["local", "authentication", "attempts", "max-fail"]:
                self.settings.login_failure_limits.append(self.book.source(block.header))
        elif first == "banner" and len(words) >= 2:
            self.access.banner(block.header, lowered[1])
        elif first == "username" and len(words) >= 3:
            self.access.username_command(block.header, words, lowered)
        elif first == "enable" and rest[1:2] == ["password"] and len(words) >= 3:
            self.access.enable_command(block.header, words, lowered)
        elif first in ("passwd", "password") and len(words) >= 2:
            scheme = password_scheme(words[1], lowered[2:], empty_hash_possible=True)
            self.settings.credentials.append(Credential("login", "", scheme, self.book.source(block.header)))
        elif first == "ntp" and rest[1:2] == ["server"] and len(words) >= 3:
            self.settings.ntp_servers.append(HostReference(words[2], self.book.source(block.header)))
        elif first == "logging":
            self.monitoring.logging_command(block.header, words, lowered)
        elif first == "snmp-server" and len(words) >= 3:
            self.monitoring.snmp_command(block.header, words, lowered)
        elif first == "interface" and len(words) >= 2:
            self.ports.interface_block(block, words)
        elif rest[:2] == ["ip", "address"] and len(words) >= 4 and lowered[3] in ("dhcp", "pppoe"):
            self.ports.pix_learnt_address(words[2], block.header)
        elif first == "failover" and len(words) >= 4 and rest[1] in ("lan", "link"):
            self.ports.failover_link(words, lowered)

    def negated(self, index: int, rest: list[str]) -> None:
        source = self.book.source(index)
        if rest[:2] in (["logging", "enable"], ["logging", "on"]):
            self.monitoring.logging.set(False, source)
        elif rest[:2] == ["logging", "trap"]:
            self.monitoring.logging_trap.set(False, source)
        elif rest[:2] == ["logging", "timestamp"]:
            self.settings.log_timestamps, self.settings.log_timestamps_source = "none", source
        elif rest[:3] == ["http", "server", "enable"]:
            self.access.http_server.set(False, source)

    def finish(self) -> None:
        self.settings.users = list(self.access.users.values())
        self.access.finish_remote_access()
        self.access.finish_sessions()
        self.ports.finish_interfaces()
        for name, enabled in _ASA_DEFAULT_SERVICES.items():
            self.settings.services.append(ServiceState(name, enabled))
        self.settings.services.append(
            ServiceState("https-server", self.access.http_server.enabled, self.access.http_server.source)
        )
        self.settings.services.append(
            ServiceState("logging", self.monitoring.logging.enabled, self.monitoring.logging.source)
        )
        self.settings.services.append(
            ServiceState("logging-trap", self.monitoring.logging_trap.enabled, self.monitoring.logging_trap.source)
        )
        self.objects.mentioned_definitions()


def read_management(
    lines: Sequence[str],
    path: str,
    names: Mapping[str, int | None],
    interfaces: Mapping[str, Interface],
    shared_words: Callable[[int], list[str]] | None = None,
) -> MgmtSettings:
    """Management facts of one ASA / PIX / FWSM file. `names` are its `name` aliases (None
    for an IPv6 alias); `interfaces` the interfaces the forwarding parser built; `shared_words`: the
    words of a line of `lines` as the forwarding pass split them (default: split here)."""
    return _Reader(lines, path, names, interfaces, shared_words).run()
