"""IOS named objects: where ACLs, object-groups, route-maps and class-maps are defined
and used (for ACL-001 and ACL-003; management facts, see mgmt.py)."""

from __future__ import annotations

import re

from nankoku_netcheck.model import NamedObject, NamedReference, is_decimal
from nankoku_netcheck.vendors.cisco_ios.mgmt_book import MgmtBook
from nankoku_netcheck.vendors.common import TextBlock, split_words

# Words after which a number names an ACL in commands this pass does not read in detail.
_NUMBERED_ACL_CONTEXT = frozenset(
    {
        "access-group",
        "access-class",
        "list",
        "address",
        "access",
        "acl",
        "distribute-list",
        "redirect-list",
        "group-list",
        "boundary",
        "ro",
        "rw",
        "filter",
        "access-list",
        "input",
        "output",
        "match",
    }
)
_ROUTE_MAP_WORDS = frozenset(
    {
        "route-map",
        "advertise-map",
        "exist-map",
        "non-exist-map",
        "inject-map",
        "suppress-map",
        "unsuppress-map",
        "attribute-map",
        "table-map",
    }
)
_IPV4_ACL_NUMBERS = ((1, 199), (1300, 2699))


class NamedObjects:
    """Definitions and uses of named objects in one file, read into `book`."""

    def __init__(self, book: MgmtBook) -> None:
        self.book = book
        self.definition_lines: set[int] = set()
        self.defined: set[tuple[str, str]] = set()

    def define(self, kind: str, name: str, index: int) -> None:
        """Records the first line that defines (kind, name); later lines of the same
        definition (numbered ACL entries, route-map sequences) only count as its lines."""
        self.definition_lines.add(index)
        if (kind, name) not in self.defined:
            self.defined.add((kind, name))
            self.book.settings.definitions.append(NamedObject(kind, name, self.book.source(index)))

    def definitions_and_references(self, block: TextBlock, words: list[str], lowered: list[str]) -> None:
        index = block.header
        first = lowered[0]
        if first == "access-list" and len(words) >= 3 and is_decimal(words[1]):
            number = int(words[1])
            if any(low <= number <= high for low, high in _IPV4_ACL_NUMBERS):
                self.define("acl", words[1], index)
            self.acl_entry_references(index, lowered, words)
        elif lowered[:2] == ["ip", "access-list"] and len(words) == 4 and lowered[2] in ("standard", "extended"):
            self.define("acl", words[3], index)
            for child in block.children:
                # An ACL can have tens of thousands of entries, nearly all without a reference.
                if not _may_reference_in_entry(self.book.lines[child]):
                    continue
                child_words = self.book.words(child)
                child_lowered = [word.lower() for word in child_words]
                self.acl_entry_references(child, child_lowered, child_words)
                self.reflexive(child, child_lowered, child_words)
        elif lowered[:2] == ["ipv6", "access-list"] and len(words) >= 3:
            self.define("ipv6-acl", words[-1], index)
        elif lowered[:3] == ["mac", "access-list", "extended"] and len(words) == 4:
            self.define("mac-acl", words[3], index)
        elif first == "object-group" and len(words) >= 3:
            name = words[-1]  # `object-group network X`, also `object-group ip port X`
            self.define("object-group", name, index)
            for child in block.children:
                child_words = self.book.words(child)
                if child_words[0].lower() == "group-object" and len(child_words) >= 2:
                    self.book.reference("object-group", child_words[1], child, f"object-group {name}")
        elif first == "route-map" and len(words) >= 2:
            self.define("route-map", words[1], index)
            for child in block.children:
                self.route_map_match(child, words[1])
        elif first == "class-map" and len(words) >= 2:
            self.define("class-map", words[-1], index)
            for child in block.children:
                child_lowered = [word.lower() for word in self.book.words(child)]
                self.class_map_match(child, child_lowered, words[-1])
        elif first == "policy-map" and len(words) >= 2:
            for child in block.children:
                self.policy_class(child, words[-1])
        else:
            self.generic_references(block)

    def acl_entry_references(self, index: int, lowered: list[str], words: list[str] | None = None) -> None:
        words = self.book.words(index) if words is None else words
        for position, word in enumerate(lowered[:-1]):
            if word == "object-group":
                self.book.reference("object-group", words[position + 1], index, "access list entry")
        if lowered and lowered[0] == "evaluate" and len(words) >= 2:
            self.book.reference("acl", words[1], index, "evaluate")

    def reflexive(self, index: int, lowered: list[str], words: list[str]) -> None:
        if "reflect" in lowered[:-1]:
            self.define("acl", words[lowered.index("reflect") + 1], index)

    def route_map_match(self, index: int, route_map: str) -> None:
        words = self.book.words(index)
        lowered = [word.lower() for word in words]
        context = f"route-map {route_map}"
        if lowered[:3] == ["match", "ip", "address"] and "prefix-list" not in lowered:
            for name in words[3:]:
                self.book.reference("acl", name, index, context)
        elif lowered[:3] == ["match", "ipv6", "address"] and "prefix-list" not in lowered:
            for name in words[3:]:
                self.book.reference("ipv6-acl", name, index, context)

    def class_map_match(self, index: int, lowered: list[str], class_map: str) -> None:
        words = self.book.words(index)
        context = f"class-map {class_map}"
        if lowered[:2] == ["match", "access-group"] and len(words) >= 3:
            self.book.reference("acl", words[-1], index, context)
        elif lowered[:2] == ["match", "class-map"] and len(words) >= 3:
            self.book.reference("class-map", words[2], index, context)

    def policy_class(self, index: int, policy: str) -> None:
        words = self.book.words(index)
        lowered = [word.lower() for word in words]
        if lowered[0] != "class" or len(words) < 2:
            return
        name = words[-1]
        if name.lower() != "class-default":
            self.book.reference("class-map", name, index, f"policy-map {policy}")

    def generic_references(self, block: TextBlock) -> None:
        """Uses of ACLs and route-maps in commands read nowhere else: NAT, routing
        processes, crypto maps, multicast, dialer lists."""
        lines = self.book.lines
        if not _block_may_reference([lines[block.header], *(lines[index] for index in block.children)]):
            return
        header = [word.lower() for word in self.book.words(block.header)]
        acl_kind = "ipv6-acl" if header[:1] == ["ipv6"] else "acl"
        crypto_map = header[:2] in (["crypto", "map"], ["crypto", "dynamic-map"])
        for index in (block.header, *block.children):
            if not _may_reference(self.book.lines[index]):
                continue
            words = self.book.words(index)
            lowered = [word.lower() for word in words]
            if not lowered:
                continue
            for position, word in enumerate(lowered[:-1]):
                # At the start of a top-level line the word defines (e.g. a QoS table-map).
                if word in _ROUTE_MAP_WORDS and (position > 0 or index != block.header):
                    self.book.reference("route-map", words[position + 1], index, " ".join(words[:2]))
            if lowered[:2] == ["ip", "nat"] and "list" in lowered[:-1]:
                self.book.reference("acl", words[lowered.index("list") + 1], index, "ip nat")
            elif (
                lowered[0] == "distribute-list"
                and len(words) >= 3
                and lowered[1] not in ("prefix", "prefix-list", "route-map", "gateway")
            ):
                self.book.reference(acl_kind, words[1], index, " ".join(self.book.words(block.header)[:3]))
            elif lowered[0] == "neighbor" and len(words) >= 4 and lowered[2] == "distribute-list":
                self.book.reference(acl_kind, words[3], index, " ".join(self.book.words(block.header)[:3]))
            elif crypto_map and lowered[:2] == ["match", "address"] and len(words) >= 3:
                # (`match address local ...` in an IKEv2 profile matches an address, not an ACL.)
                self.book.reference("acl", words[2], index, " ".join(self.book.words(block.header)[:3]))
            elif lowered[0] == "dialer-list" and "list" in lowered[2:-1]:
                self.book.reference("acl", words[lowered.index("list", 2) + 1], index, "dialer-list")
            elif lowered[:3] in (["ip", "multicast", "boundary"], ["ip", "igmp", "access-group"]) and len(words) >= 4:
                self.book.reference("acl", words[3], index, " ".join(words[:3]))
            elif lowered[:2] == ["ntp", "access-group"]:
                kinds = [p for p, w in enumerate(lowered) if w in ("peer", "serve", "serve-only", "query-only")]
                if kinds and kinds[0] + 1 < len(words):
                    self.book.reference("acl", words[kinds[0] + 1], index, "ntp access-group")

    def mentioned_definitions(self) -> None:
        """Counts every other mention of a defined name as a use (ACL-003 then stays quiet
        about uses this pass does not know): named objects by name, numbered ACLs only
        after a word that takes an ACL."""
        explicit = {(ref.kind, ref.name) for ref in self.book.settings.references}
        pending = {(d.kind, d.name) for d in self.book.settings.definitions} - explicit
        if not pending:
            return
        by_name: dict[str, list[str]] = {}
        for kind, name in pending:
            by_name.setdefault(name, []).append(kind)
        for index, line in enumerate(self.book.lines):
            if index in self.book.skipped or index in self.definition_lines:
                continue
            words = split_words(line)
            if not words or words[0].startswith("!") or words[0].lower() in ("description", "remark"):
                continue
            for position, word in enumerate(words):
                kinds = by_name.get(word)
                if not kinds:
                    continue
                if is_decimal(word) and (position == 0 or not _takes_acl_number(words[position - 1].lower())):
                    continue
                if position >= 1 and words[position - 1].lower() == "remark":
                    continue
                for kind in kinds:
                    self.book.settings.references.append(
                        NamedReference(kind, word, self.book.source(index), "", mentioned=True)
                    )
                del by_name[word]
            if not by_name:
                return


# Every reference `generic_references` records comes from a line holding one of these:
# the route-map words end in "-map"; `ip nat ... list`, `distribute-list` and `dialer-list`;
# `match address`; `ip multicast boundary`; `ip igmp access-group`, `ntp access-group`.
_REFERENCE_HINTS = re.compile("map|list|match|boundary|access-group")


def _may_reference(line: str) -> bool:
    """False when `line` cannot hold a reference `generic_references` records (most lines of
    a file go through it: one search is cheaper than splitting them)."""
    return _REFERENCE_HINTS.search(line.lower()) is not None


# Every reference or definition an ACL entry gives (`acl_entry_references`, `reflexive`)
# comes from the word `object-group`, `evaluate` or `reflect`.
_ENTRY_HINTS = re.compile("object-group|evaluate|reflect")


def _may_reference_in_entry(line: str) -> bool:
    """False when the ACL entry `line` cannot hold such a word. Lower-casing the line gives
    the lower-cased words' letters (only a Greek capital sigma lower-cases by context)."""
    return _ENTRY_HINTS.search(line.lower()) is not None


def _block_may_reference(lines: list[str]) -> bool:
    """False when no line of a block can hold a reference: one search over the whole block
    (most blocks, ports, VLANs, lines, hold no hint) instead of one a line."""
    return _may_reference("\n".join(lines))


def _takes_acl_number(word: str) -> bool:
    return word in _NUMBERED_ACL_CONTEXT or word.endswith(("-list", "-group", "-class"))
