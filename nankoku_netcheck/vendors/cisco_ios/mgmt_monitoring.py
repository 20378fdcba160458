"""IOS time, logging and SNMP settings (management facts; see mgmt.py)."""

from __future__ import annotations

from nankoku_netcheck.model import HostReference, SnmpCommunity, SnmpGroup, SnmpUser, is_decimal
from nankoku_netcheck.vendors.cisco_ios.mgmt_book import MgmtBook


def ntp_server(book: MgmtBook, index: int, words: list[str]) -> None:
    arguments = words[2:]
    while arguments and arguments[0].lower() in ("vrf", "ip", "ipv6"):
        arguments = arguments[2:] if arguments[0].lower() == "vrf" else arguments[1:]
    if arguments:
        book.settings.ntp_servers.append(HostReference(arguments[0], book.source(index)))


def logging_command(book: MgmtBook, index: int, words: list[str]) -> None:
    lowered = [word.lower() for word in words]
    if len(words) >= 3 and lowered[1] == "host":
        arguments = words[2:]
        if arguments[0].lower() in ("ipv6", "ipv4") and len(arguments) >= 2:
            arguments = arguments[1:]
        book.settings.logging_hosts.append(HostReference(arguments[0], book.source(index)))
    elif len(words) >= 2 and _looks_like_ipv4(words[1]):
        book.settings.logging_hosts.append(HostReference(words[1], book.source(index)))


def snmp_command(book: MgmtBook, index: int, words: list[str]) -> None:
    lowered = [word.lower() for word in words]
    what = lowered[1]
    if what == "community":
        _snmp_community(book, index, words, lowered)
    elif what == "group" and len(words) >= 4:
        _snmp_group(book, index, words, lowered)
    elif what == "user" and len(words) >= 5:
        _snmp_user(book, index, words, lowered)
    elif what == "tftp-server-list":
        book.reference("acl", words[2], index, "snmp-server tftp-server-list")
    elif lowered[1:3] == ["file-transfer", "access-group"] and len(words) >= 4:
        book.reference("acl", words[3], index, "snmp-server file-transfer")


def _snmp_community(book: MgmtBook, index: int, words: list[str], lowered: list[str]) -> None:
    name, access, view, acl = words[2], "ro", None, None
    position = 3
    while position < len(words):
        word = lowered[position]
        if word == "view" and position + 1 < len(words):
            view, position = words[position + 1], position + 2
        elif word in ("ro", "rw"):
            access, position = word, position + 1
        elif word == "ipv6" and position + 1 < len(words):
            book.reference("ipv6-acl", words[position + 1], index, "snmp-server community")
            position += 2
        else:
            acl, position = words[position], position + 1
    if acl is not None:
        book.reference("acl", acl, index, "snmp-server community")
    book.settings.snmp_communities.append(SnmpCommunity(name, access, book.source(index), acl, view))


def _snmp_group(book: MgmtBook, index: int, words: list[str], lowered: list[str]) -> None:
    name, version = words[2], lowered[3].lstrip("v")
    security = lowered[4] if version == "3" and len(words) > 4 else None
    options = _keyword_values(words, lowered, 4, ("read", "write", "notify", "context", "match"))
    acl = _snmp_access(book, index, words, lowered, f"snmp-server group {name}")
    book.settings.snmp_groups.append(
        SnmpGroup(
            name,
            version,
            book.source(index),
            security,
            options.get("read"),
            options.get("write"),
            acl,
        )
    )


def _snmp_user(book: MgmtBook, index: int, words: list[str], lowered: list[str]) -> None:
    name, group = words[2], words[3]
    version = next((word.lstrip("v") for word in lowered[4:] if word in ("v1", "v2c", "v3")), "")
    acl = _snmp_access(book, index, words, lowered, f"snmp-server user {name}")
    book.settings.snmp_users.append(
        SnmpUser(
            name,
            group,
            version,
            book.source(index),
            authenticated="auth" in lowered[4:],
            encrypted="priv" in lowered[4:],
            access_list=acl,
        )
    )


def _snmp_access(book: MgmtBook, index: int, words: list[str], lowered: list[str], context: str) -> str | None:
    if "access" not in lowered[3:]:
        return None
    arguments = words[lowered.index("access", 3) + 1 :]
    acl = None
    while arguments:
        word = arguments[0].lower()
        if word == "ipv6" and len(arguments) >= 2:
            book.reference("ipv6-acl", arguments[1], index, context)
            arguments = arguments[2:]
        elif word == "priv":
            arguments = arguments[1:]
        else:
            acl = arguments[0]
            book.reference("acl", acl, index, context)
            arguments = arguments[1:]
    return acl


def _keyword_values(words: list[str], lowered: list[str], start: int, keywords: tuple[str, ...]) -> dict[str, str]:
    values: dict[str, str] = {}
    for position in range(start, len(words) - 1):
        if lowered[position] in keywords:
            values[lowered[position]] = words[position + 1]
    return values


def _looks_like_ipv4(word: str) -> bool:
    parts = word.split(".")
    return len(parts) == 4 and all(is_decimal(part) and int(part) <= 255 for part in parts)
