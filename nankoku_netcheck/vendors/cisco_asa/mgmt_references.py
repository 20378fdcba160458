"""ASA named objects in the management pass: where each ACL, object, object-group,
class-map, policy-map and route-map is defined, and every use of one."""

from __future__ import annotations

from nankoku_netcheck.model import (
    NamedObject,
    NamedReference,
    Source,
    is_decimal,
)
from nankoku_netcheck.vendors.cisco_asa.mgmt_book import MgmtBook
from nankoku_netcheck.vendors.cisco_asa.names import ICMP_NAMES, PROTOCOL_NAMES
from nankoku_netcheck.vendors.common import (
    TextBlock,
    is_ipv4,
    looks_like_ipv6,
    split_words,
)

# Keywords of a twice NAT line that are not object names.
_NAT_KEYWORDS = frozenset(
    {
        "any",
        "interface",
        "static",
        "dynamic",
        "pat-pool",
        "unidirectional",
        "no-proxy-arp",
        "route-lookup",
        "dns",
        "inactive",
        "net-to-net",
        "description",
        "ipv6",
        "flat",
        "include-reserve",
        "round-robin",
        "extended",
        "block-allocation",
    }
)

# Commands that may use an ACL or a route-map in a way read by generic_references. Others
# (e.g. `command-alias ... show access-list X`) only mention names.
_GENERIC_REFERENCE_COMMANDS = frozenset(
    {"static", "capture", "wccp", "router", "interface", "route-map", "crypto", "multicast-routing", "pim", "igmp"}
)

# Words a numbered ACL name may follow when it is only mentioned (see mentioned_definitions).
_ACL_WORDS = frozenset(
    {
        "access-list",
        "access-group",
        "address",
        "match",
        "value",
        "network-acl",
        "appl-acl",
        "redirect-list",
        "group-list",
        "distribute-list",
        "filter",
    }
)


class NamedObjects:
    """Definitions of named objects (ACL-003) and their uses (ACL-001): ACLs, objects,
    object-groups, class-maps, policy-maps, route-maps."""

    def __init__(self, book: MgmtBook) -> None:
        self.book = book
        self.definition_lines: set[int] = set()
        self.defined: set[tuple[str, str]] = set()

    def define(self, kind: str, name: str, index: int) -> None:
        self.definition_lines.add(index)
        if (kind, name) not in self.defined:
            self.defined.add((kind, name))
            self.book.settings.definitions.append(NamedObject(kind, name, self.book.source(index)))

    def definitions(self, block: TextBlock) -> None:
        words = self.book.words(block.header)
        lowered = [word.lower() for word in words[:2]]  # only the first two words decide
        first = lowered[0]
        if first == "access-list" and len(words) >= 3 and lowered[1] not in ("alert-interval", "deny-flow-max"):
            self.define("acl", words[1], block.header)
        elif lowered[:2] == ["ipv6", "access-list"] and len(words) >= 4:
            self.define("ipv6-acl", words[2], block.header)
        elif first == "object" and len(words) == 3:
            self.define("object", words[2], block.header)
        elif first == "object-group" and len(words) >= 3:
            self.define("object-group", words[2], block.header)
        elif first == "class-map" and len(words) >= 2:
            self.define("class-map", words[-1], block.header)
        elif first == "policy-map" and len(words) >= 2:
            self.define("policy-map", words[-1], block.header)
        elif first == "route-map" and len(words) >= 2:
            self.define("route-map", words[1], block.header)

    def reference(self, kind: str, name: str, index: int, context: str, mentioned: bool = False) -> None:
        self.book.settings.references.append(NamedReference(kind, name, self.book.source(index), context, mentioned))

    def acl_kind(self, name: str) -> str:
        return "ipv6-acl" if ("ipv6-acl", name) in self.defined and ("acl", name) not in self.defined else "acl"

    def object_kind(self, name: str) -> str:
        """NAT takes an object or an object-group by name; an undefined one counts as an object."""
        return "object-group" if ("object-group", name) in self.defined else "object"

    def references(self, block: TextBlock, words: list[str], lowered: list[str]) -> None:
        index = block.header
        first = lowered[0]
        if first == "access-list" and len(words) >= 3:
            self.acl_entry_references(index, words, lowered)
        elif first == "access-group" and len(words) >= 3:
            context = "access-group global" if lowered[2] == "global" else f"access-group {' '.join(words[2:5])}"
            self.reference(self.acl_kind(words[1]), words[1], index, context)
        elif first == "object" and len(words) == 3:
            self.object_block_references(block, words)
        elif first == "object-group" and len(words) >= 3:
            self.group_references(block, words[2])
        elif first == "nat":
            self.twice_nat_references(index, words, lowered)
            self.generic_references(block)  # pre-8.3 `nat (IF) N access-list ACL`
        elif first in ("class-map", "policy-map"):
            self.policy_references(block, words[-1], first)
        elif first == "service-policy" and len(words) >= 2:
            self.reference("policy-map", words[1], index, "service-policy")
        elif first == "group-policy" or first == "dynamic-access-policy-record":
            self.vpn_policy_references(block, words)
        elif first == "aaa" and len(words) >= 4 and lowered[2] == "match":
            self.reference(self.acl_kind(words[3]), words[3], index, " ".join(words[:2]))
        elif first == "crypto" and "match" in lowered and lowered[lowered.index("match") + 1 :][:1] == ["address"]:
            position = lowered.index("match") + 2
            if position < len(words):
                self.reference("acl", words[position], index, " ".join(words[:3]))
        elif first in _GENERIC_REFERENCE_COMMANDS:
            self.generic_references(block)

    def acl_entry_references(self, index: int, words: list[str], lowered: list[str]) -> None:
        body = 4 if lowered[2] == "line" else 2  # (indexes, not slices: every entry comes here)
        if lowered[body : body + 1] == ["remark"]:
            return
        context = f"access-list {words[1]}"
        source: Source | None = None  # one Source for the line's references (an entry names up to four)
        references = self.book.settings.references
        for position in range(2, len(words) - 1):
            word = lowered[position]
            if word in ("object-group", "object-group-user", "object-group-security"):
                source = source or self.book.source(index)
                references.append(NamedReference("object-group", words[position + 1], source, context, False))
            elif word == "object":
                self.object_reference(words[position + 1], index, context)

    def object_block_references(self, block: TextBlock, words: list[str]) -> None:
        name = words[2]
        for index in block.children:
            child = self.book.words(index)
            lowered = [word.lower() for word in child]
            if lowered[0] != "nat":
                continue
            # An object NAT rule uses its own object, and may name a mapped object or pool.
            self.reference("object", name, index, f"object {name} nat")
            for position, word in enumerate(lowered[1:], start=1):
                if word in ("static", "dynamic", "pat-pool") and position + 1 < len(child):
                    self.nat_operand(child[position + 1], index, f"object {name} nat")

    def object_reference(self, name: str, index: int, context: str) -> None:
        """`object NAME`: a configured object, else one of the ASA's predefined service
        objects (`icmp-echo`, `ospf`), which needs no definition."""
        if ("object", name) in self.defined or not _predefined_service(name):
            self.reference("object", name, index, context)

    def nat_operand(self, word: str, index: int, context: str) -> None:
        if word.lower() in _NAT_KEYWORDS or is_ipv4(word) or looks_like_ipv6(word) or word in self.book.names:
            return
        self.reference(self.object_kind(word), word, index, context)

    def twice_nat_references(self, index: int, words: list[str], lowered: list[str]) -> None:
        """`nat (R,M) [line] source static|dynamic REAL MAPPED [destination static A B]
        [service A B] ...`; the operands are objects or object-groups by name."""
        position = 1
        while position < len(words):
            word = lowered[position]
            if word in ("source", "destination") and position + 1 < len(words):
                operands = words[position + 2 : position + 4]
                if len(operands) == 2 and operands[1].lower() == "pat-pool":
                    operands = [operands[0], *words[position + 4 : position + 5]]
                for operand in operands:
                    self.nat_operand(operand, index, "nat")
                position += 4
            elif word == "service":
                for operand in words[position + 1 : position + 3]:
                    self.nat_operand(operand, index, "nat")
                position += 3
            else:
                position += 1

    def group_references(self, block: TextBlock, group: str) -> None:
        for index in block.children:
            child = self.book.words(index)
            lowered = [word.lower() for word in child]
            if lowered[0] == "group-object" and len(child) == 2:
                self.reference("object-group", child[1], index, f"object-group {group}")
            elif lowered[0] in ("network-object", "service-object") and lowered[1:2] == ["object"] and len(child) == 3:
                self.object_reference(child[2], index, f"object-group {group}")

    def policy_references(self, block: TextBlock, name: str, kind: str) -> None:
        """class-map `match access-list ACL`; policy-map `class NAME`, `match ... class NAME`
        (regex classes), `inspect PROTOCOL MAP`, a nested `service-policy`."""
        context = f"{kind} {name}"
        for index in block.children:
            child = self.book.words(index)
            lowered = [word.lower() for word in child]
            if lowered[:2] == ["match", "access-list"] and len(child) >= 3:
                self.reference(self.acl_kind(child[2]), child[2], index, context)
            elif lowered[0] == "class" and len(child) == 2 and lowered[1] != "class-default":
                self.reference("class-map", child[1], index, context)
            elif lowered[0] == "match" and "class" in lowered[1:-1]:
                self.reference("class-map", child[lowered.index("class", 1) + 1], index, context)
            elif lowered[0] == "inspect" and len(child) >= 3 and ("policy-map", child[-1]) in self.defined:
                # Only a defined map counts: the last word may be a sub-protocol (`inspect
                # h323 ras`) or a built-in map the configuration does not show.
                self.reference("policy-map", child[-1], index, context)
            elif lowered[0] == "service-policy" and len(child) >= 2:
                self.reference("policy-map", child[1], index, context)

    def vpn_policy_references(self, block: TextBlock, words: list[str]) -> None:
        """group-policy `vpn-filter value ACL`, `split-tunnel-network-list value ACL`,
        webvpn `filter value ACL`; DAP records `network-acl ACL`, `appl-acl ACL`."""
        context = " ".join(words[:2])
        for index in block.children:
            child = self.book.words(index)
            lowered = [word.lower() for word in child]
            if (
                len(child) >= 3
                and lowered[1] == "value"
                and lowered[0]
                in (
                    "vpn-filter",
                    "split-tunnel-network-list",
                    "ipv6-split-tunnel-network-list",
                    "filter",
                )
            ):
                self.reference(self.acl_kind(child[2]), child[2], index, context)
            elif lowered[0] in ("network-acl", "appl-acl") and len(child) == 2:
                self.reference("acl", child[1], index, context)

    def generic_references(self, block: TextBlock) -> None:
        """Uses of ACLs and route-maps in commands read nowhere else: legacy NAT, captures,
        routing processes, policy routing, WCCP."""
        header = self.book.words(block.header)
        context = " ".join(header[:3])
        for index in (block.header, *block.children):
            words = self.book.words(index)
            lowered = [word.lower() for word in words]
            for position, word in enumerate(lowered[:-1]):
                following = words[position + 1]
                # At the start of a top-level line the word defines (`route-map X permit 10`).
                inside_command = position > 0 or index != block.header
                if word == "route-map" and inside_command:
                    self.reference("route-map", following, index, context)
                elif _names_acl(word, following.lower(), inside_command):
                    self.reference(self.acl_kind(following), following, index, context)
            if lowered[:3] == ["match", "ip", "address"] and "prefix-list" not in lowered:
                for name in words[3:]:
                    self.reference(self.acl_kind(name), name, index, context)

    def mentioned_definitions(self) -> None:
        """Counts every other mention of a defined name as a use, so that ACL-003 stays
        quiet about uses this pass does not know. A name made of digits only counts after
        a word that takes an ACL."""
        explicit = {(ref.kind, ref.name) for ref in self.book.settings.references}
        pending = {(d.kind, d.name) for d in self.book.settings.definitions} - explicit
        by_name: dict[str, list[str]] = {}
        for kind, name in pending:
            by_name.setdefault(name, []).append(kind)
        for index, line in enumerate(self.book.lines):
            if not by_name:
                return
            if index in self.definition_lines:
                continue
            words = split_words(line)
            if not words or words[0].startswith(("!", ":")) or words[0].lower() in ("description", "remark"):
                continue
            for position, word in enumerate(words):
                kinds = by_name.get(word)
                if not kinds or (is_decimal(word) and (position == 0 or words[position - 1].lower() not in _ACL_WORDS)):
                    continue
                for kind in kinds:
                    self.book.settings.references.append(
                        NamedReference(kind, word, self.book.source(index), "", mentioned=True)
                    )
                del by_name[word]


def _predefined_service(name: str) -> bool:
    """The ASA's predefined service objects: a protocol (`ip`, `ospf`) or an ICMP type
    (`icmp-echo`), as the forwarding parser reads them."""
    lowered = name.lower()
    return lowered == "ip" or lowered in PROTOCOL_NAMES or (lowered.startswith("icmp-") and lowered[5:] in ICMP_NAMES)


def _names_acl(word: str, following: str, inside_command: bool) -> bool:
    """Whether the word after `word` names an ACL (legacy NAT, captures, WCCP, routing)."""
    if word in ("access-list", "redirect-list", "group-list"):
        return inside_command
    return word == "distribute-list" and following not in ("prefix", "prefix-list", "route-map")
