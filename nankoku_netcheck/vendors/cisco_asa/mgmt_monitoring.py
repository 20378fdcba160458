"""ASA logging and SNMP facts."""

from __future__ import annotations

from collections.abc import Sequence

from nankoku_netcheck.model import (
    HostReference,
    SnmpCommunity,
    SnmpGroup,
    SnmpUser,
)
from nankoku_netcheck.vendors.cisco_asa.mgmt_book import MgmtBook, Switch
from nankoku_netcheck.vendors.common import (
    is_ipv4,
)


class MonitoringReader:
    """`logging` (enable, trap, timestamp, hosts) and `snmp-server` (communities, groups, users)."""

    def __init__(self, book: MgmtBook) -> None:
        self.book = book
        self.logging = Switch()
        self.logging_trap = Switch()

    def logging_command(self, index: int, words: list[str], lowered: list[str]) -> None:
        source = self.book.source(index)
        what = lowered[1] if len(lowered) > 1 else ""
        if what in ("enable", "on") and len(words) == 2:
            self.logging.set(True, source)
        elif what == "trap" and len(words) >= 3:
            self.logging_trap.set(True, source)
        elif what == "timestamp":
            self.book.settings.log_timestamps, self.book.settings.log_timestamps_source = "datetime", source
        elif what == "host" and len(words) >= 3:
            # `logging host IF ADDR [...]`; PIX 6 also takes `logging host ADDR`.
            address = words[2] if is_ipv4(words[2]) or len(words) == 3 else words[3]
            self.book.settings.logging_hosts.append(HostReference(address, source))

    def snmp_command(self, index: int, words: list[str], lowered: list[str]) -> None:
        what = lowered[1]
        source = self.book.source(index)
        if what == "community":
            name = _community_value(words[2:])
            if name is not None:
                self.book.settings.snmp_communities.append(SnmpCommunity(name, "ro", source))
        elif what == "host" and "community" in lowered[3:]:
            name = _community_value(words[lowered.index("community", 3) + 1 :])
            if name is not None:
                self.book.settings.snmp_communities.append(SnmpCommunity(name, "ro", source))
        elif what == "group" and len(words) >= 4:
            version = lowered[3].lstrip("v")
            security = lowered[4] if version == "3" and len(words) > 4 else None
            self.book.settings.snmp_groups.append(SnmpGroup(words[2], version, source, security))
        elif what == "user" and len(words) >= 5:
            version = next((word.lstrip("v") for word in lowered[4:] if word in ("v1", "v2c", "v3")), "")
            self.book.settings.snmp_users.append(
                SnmpUser(
                    words[2],
                    words[3],
                    version,
                    source,
                    authenticated="auth" in lowered[4:],
                    encrypted="priv" in lowered[4:],
                )
            )


def _community_value(words: Sequence[str]) -> str | None:
    """The community after `community`: `[0 | 8] TEXT` (8 = stored encrypted)."""
    if len(words) >= 2 and words[0] in ("0", "8"):
        return words[1]
    return words[0] if words else None
