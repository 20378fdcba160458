"""Top-level ASA blocks that the model does not hold but whose lines are not all alike:
VPN definitions (`webvpn`, `group-policy`) and inspection policies (`policy-map`) with the
few children that do change forwarding, and `clear configure` in scripts."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from nankoku_netcheck.vendors.cisco_asa.keywords import FORWARDING, HARMLESS, INSPECTION, VPN_DEFINITION
from nankoku_netcheck.vendors.common import LineBook, descendants


def clear(book: LineBook, obj: Any, lowered: list[str], top_level_firsts: Sequence[tuple[int, str]]) -> None:
    """`clear configure X` in a script removes X. It is harmless when nothing of X was
    configured earlier in this file (the usual form: clear, then define)."""
    index = obj.linenum
    if len(lowered) < 3 or lowered[1] not in ("configure", "config"):
        book.mark_block(obj, HARMLESS, "clears run-time state (no configuration change)")
        return
    target = lowered[2]
    ignored = {"clear", "asa", "pix", "fwsm", "names", "hostname", "exit", "!"}
    earlier = [
        first
        for line, first in top_level_firsts
        if line < index
        and first not in ignored
        and not first.startswith((":", "!", "cryptochecksum"))
        and (target == "all" or first == target)
    ]
    if earlier:
        book.mark_block(
            obj,
            FORWARDING,
            f"'clear configure {target}' removes configuration defined earlier in this file; not modelled",
        )
    else:
        book.mark_block(obj, HARMLESS, "clears configuration loaded before this file's lines")


def webvpn(book: LineBook, obj: Any) -> None:
    book.unknown(obj.linenum, HARMLESS, VPN_DEFINITION)
    for child in descendants(obj):
        if book.comment_or_blank(child.linenum):
            continue
        words = book.words(child.linenum)
        if words[0].lower() == "enable" and len(words) >= 2:
            book.unknown(
                child.linenum,
                FORWARDING,
                f"remote-access SSL VPN enabled on interface '{words[1]}': VPN client traffic is not modelled",
            )
        else:
            book.unknown(child.linenum, HARMLESS, VPN_DEFINITION)


def group_policy(book: LineBook, obj: Any) -> None:
    book.unknown(obj.linenum, HARMLESS, VPN_DEFINITION)
    for child in descendants(obj):
        if book.comment_or_blank(child.linenum):
            continue
        lowered = [word.lower() for word in book.words(child.linenum)]
        if lowered[0] == "vpn-filter" and lowered[1:2] != ["none"]:
            book.unknown(child.linenum, FORWARDING, "VPN filter for VPN client traffic is not modelled")
        else:
            book.unknown(child.linenum, HARMLESS, VPN_DEFINITION)


def policy_map(book: LineBook, obj: Any) -> None:
    book.unknown(obj.linenum, HARMLESS, INSPECTION)
    for child in descendants(obj):
        if book.comment_or_blank(child.linenum):
            continue
        lowered = [word.lower() for word in book.words(child.linenum)]
        if lowered[:2] == ["inspect", "scansafe"]:
            book.unknown(child.linenum, FORWARDING, "redirection to cloud web security is not modelled")
        else:
            book.unknown(child.linenum, HARMLESS, INSPECTION)
