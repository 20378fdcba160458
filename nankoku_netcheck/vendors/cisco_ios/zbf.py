"""IOS zone-based policy firewall (ZBF): the lines as written.

Read here: `zone security Z` (with `description`), `zone-member security Z` on interfaces
(InterfaceReader hands them over), `zone-pair security NAME source Z1 destination Z2` with
`service-policy type inspect PM`, `class-map type inspect [match-any|match-all] CM` (`match
access-group N|name X`, `match protocol P`, `match class-map X`) and `policy-map type inspect
PM` (`class type inspect CM` / `class class-default` with `inspect` / `pass` / `drop` [log]).
Application-layer (layer 7) class-maps and policy-maps (`class-map type inspect http X`) and
`parameter-map type inspect` only refine or drop what a layer-4 class already lets through:
harmless; a parameter-map's `audit-trail on` is noted, since it decides whether the sessions
of an `inspect` are logged (ACL-007). What these lines mean for packets is zbf_policy.py.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from nankoku_netcheck.model import Source, UnknownKind
from nankoku_netcheck.vendors.common import LineBook, descendants

HARMLESS = UnknownKind.HARMLESS
FORWARDING = UnknownKind.FORWARDING

ZBF_NOT_UNDERSTOOD = "zone-based firewall line not understood"
_LAYER7 = "application-layer inspection class or policy: it can only drop what a layer-4 class passes"
# Settings inside a policy-map class that only limit or drop what the class's action lets through.
_DROP_ONLY_CLASS_SETTINGS = ("police", "service-policy", "urlfilter", "log")
ACTIONS = ("inspect", "pass", "drop")


@dataclass(frozen=True)
class Criterion:
    """One `match` line of a class-map: kind acl | protocol | class-map."""

    kind: str
    value: str
    source: Source


@dataclass
class ClassMap:
    name: str
    match_all: bool
    source: Source
    criteria: list[Criterion] = field(default_factory=list)


@dataclass
class PolicyClass:
    """One class of a policy-map; `class_map` None = class-default; `action` None = none written."""

    class_map: str | None
    source: Source
    action: str | None = None
    action_source: Source | None = None
    # `pass log` / `drop log`; the parameter-map an `inspect` names.
    log: bool = False
    parameter_map: str | None = None


@dataclass
class PolicyMap:
    name: str
    source: Source
    classes: list[PolicyClass] = field(default_factory=list)


@dataclass
class ZonePair:
    name: str
    source: Source
    from_zone: str
    to_zone: str
    policy: str | None = None
    policy_source: Source | None = None


@dataclass
class ZbfConfig:
    """Everything ZBF one file says (names as written; zone names are case-sensitive on IOS)."""

    zones: dict[str, Source] = field(default_factory=dict)
    members: dict[str, tuple[str, Source]] = field(default_factory=dict)  # interface → (zone, line)
    zone_pairs: list[ZonePair] = field(default_factory=list)
    class_maps: dict[str, ClassMap] = field(default_factory=dict)
    policy_maps: dict[str, PolicyMap] = field(default_factory=dict)
    # Inspect parameter-maps that turn on session logging (`audit-trail on`): name → that line.
    audit_trails: dict[str, Source] = field(default_factory=dict)


class ZbfReader:
    """Reads the ZBF blocks of one file into a ZbfConfig, accounting for each line in `book`."""

    def __init__(self, book: LineBook) -> None:
        self.book = book
        self.config = ZbfConfig()

    def handles(self, lowered: list[str]) -> bool:
        """Whether a top-level command (lower-cased words) is one of the ZBF blocks read here."""
        if lowered[:2] == ["zone", "security"] or lowered[:2] == ["zone-pair", "security"]:
            return True
        return lowered[0] in ("class-map", "policy-map", "parameter-map") and lowered[1:3] == ["type", "inspect"]

    def top_level(self, obj: Any, words: list[str]) -> None:
        lowered = [word.lower() for word in words]
        if lowered[0] == "zone":
            self.zone(obj, words)
        elif lowered[0] == "zone-pair":
            self.zone_pair(obj, words, lowered)
        elif lowered[0] == "class-map":
            self.class_map(obj, words, lowered)
        elif lowered[0] == "parameter-map":
            self.parameter_map(obj, words)
        else:
            self.policy_map(obj, words, lowered)

    def member(self, interface: str, index: int, words: list[str]) -> bool:
        """`zone-member security Z` inside `interface`; False when the line has another form."""
        if len(words) != 3 or [word.lower() for word in words[:2]] != ["zone-member", "security"]:
            return False
        self.config.members[interface] = (words[2], self.book.source(index))
        return True

    # -- blocks

    def zone(self, obj: Any, words: list[str]) -> None:
        book = self.book
        if len(words) != 3:
            book.mark_block(obj, FORWARDING, ZBF_NOT_UNDERSTOOD)
            return
        self.config.zones.setdefault(words[2], book.source(obj.linenum))
        book.parsed(obj.linenum)
        self.descriptions_only(obj)

    def zone_pair(self, obj: Any, words: list[str], lowered: list[str]) -> None:
        book = self.book
        if len(words) != 7 or lowered[3] != "source" or lowered[5] != "destination":
            book.mark_block(obj, FORWARDING, ZBF_NOT_UNDERSTOOD)
            return
        pair = ZonePair(words[2], book.source(obj.linenum), words[4], words[6])
        book.parsed(obj.linenum)
        for child in obj.children:
            index = child.linenum
            if book.comment_or_blank(index):
                continue
            child_words = book.words(index)
            child_lowered = [word.lower() for word in child_words]
            if child_lowered[:3] == ["service-policy", "type", "inspect"] and len(child_words) == 4:
                pair.policy, pair.policy_source = child_words[3], book.source(index)
                book.parsed(index)
                book.unexpected_children(child)
            elif child_lowered[0] == "description":
                book.mark_block(child, HARMLESS, "description")
            else:
                book.mark_block(child, FORWARDING, ZBF_NOT_UNDERSTOOD)
        self.config.zone_pairs.append(pair)

    def class_map(self, obj: Any, words: list[str], lowered: list[str]) -> None:
        book = self.book
        rest = lowered[3:]
        match_all = True
        if rest[:1] in (["match-any"], ["match-all"]):
            match_all = rest[0] == "match-all"
            rest = rest[1:]
        elif len(rest) in (2, 3) and rest[-2] in (rest[0], "match-any", "match-all"):
            # `class-map type inspect http [match-any] X` and the like: layer-7 classes.
            book.mark_block(obj, HARMLESS, _LAYER7)
            return
        if len(rest) != 1:
            book.mark_block(obj, FORWARDING, ZBF_NOT_UNDERSTOOD)
            return
        class_map = ClassMap(words[-1], match_all, book.source(obj.linenum))
        book.parsed(obj.linenum)
        for child in obj.children:
            self.class_map_line(class_map, child)
        self.config.class_maps[class_map.name] = class_map

    def class_map_line(self, class_map: ClassMap, obj: Any) -> None:
        book = self.book
        index = obj.linenum
        if book.comment_or_blank(index):
            return
        words = book.words(index)
        lowered = [word.lower() for word in words]
        criterion: Criterion | None = None
        source = book.source(index)
        if lowered[:2] == ["match", "access-group"] and len(words) == 3:
            criterion = Criterion("acl", words[2], source)
        elif lowered[:3] == ["match", "access-group", "name"] and len(words) == 4:
            criterion = Criterion("acl", words[3], source)
        elif lowered[:2] == ["match", "protocol"] and len(words) == 3:
            criterion = Criterion("protocol", lowered[2], source)
        elif lowered[:2] == ["match", "class-map"] and len(words) == 3:
            criterion = Criterion("class-map", words[2], source)
        elif lowered[0] == "description":
            book.mark_block(obj, HARMLESS, "description")
            return
        if criterion is None:
            book.mark_block(obj, FORWARDING, f"class-map match not modelled: '{' '.join(words[:3])}'")
            return
        class_map.criteria.append(criterion)
        book.parsed(index)
        book.unexpected_children(obj)

    def policy_map(self, obj: Any, words: list[str], lowered: list[str]) -> None:
        book = self.book
        if len(words) != 4:
            kind = HARMLESS if len(words) == 5 else FORWARDING
            book.mark_block(obj, kind, _LAYER7 if kind is HARMLESS else ZBF_NOT_UNDERSTOOD)
            return
        policy = PolicyMap(words[3], book.source(obj.linenum))
        book.parsed(obj.linenum)
        for child in obj.children:
            self.policy_class(policy, child)
        self.config.policy_maps[policy.name] = policy

    def policy_class(self, policy: PolicyMap, obj: Any) -> None:
        book = self.book
        index = obj.linenum
        if book.comment_or_blank(index):
            return
        words = book.words(index)
        lowered = [word.lower() for word in words]
        if lowered == ["class", "class-default"] or lowered == ["class", "type", "inspect", "class-default"]:
            entry = PolicyClass(None, book.source(index))
        elif lowered[:3] == ["class", "type", "inspect"] and len(words) == 4:
            entry = PolicyClass(words[3], book.source(index))
        elif lowered[0] == "description":
            book.mark_block(obj, HARMLESS, "description")
            return
        else:
            book.mark_block(obj, FORWARDING, ZBF_NOT_UNDERSTOOD)
            return
        book.parsed(index)
        for child in obj.children:
            self.class_setting(entry, child)
        policy.classes.append(entry)

    def class_setting(self, entry: PolicyClass, obj: Any) -> None:
        book = self.book
        index = obj.linenum
        if book.comment_or_blank(index):
            return
        lowered = [word.lower() for word in book.words(index)]
        if lowered[0] in ACTIONS and _action_arguments_understood(lowered):
            entry.action, entry.action_source = lowered[0], book.source(index)
            entry.log = lowered[1:] == ["log"]
            entry.parameter_map = book.words(index)[1] if lowered[0] == "inspect" and len(lowered) == 2 else None
            book.parsed(index)
            book.unexpected_children(obj)
        elif lowered[0] in _DROP_ONLY_CLASS_SETTINGS:
            book.mark_block(obj, HARMLESS, "inspection setting that can only limit or drop the class's traffic")
        else:
            book.mark_block(obj, FORWARDING, ZBF_NOT_UNDERSTOOD)

    def parameter_map(self, obj: Any, words: list[str]) -> None:
        """`parameter-map type inspect NAME` (or `global`): timeouts and limits, harmless; only
        `audit-trail on` is kept."""
        book = self.book
        book.mark_block(obj, HARMLESS, "inspection parameters (timeouts, limits, logging)")
        if len(words) != 4:
            return
        for child in descendants(obj):
            if [word.lower() for word in book.words(child.linenum)] == ["audit-trail", "on"]:
                self.config.audit_trails[words[3]] = book.source(child.linenum)

    def descriptions_only(self, obj: Any) -> None:
        book = self.book
        for child in descendants(obj):
            index = child.linenum
            if index in book.outcome or book.comment_or_blank(index):
                continue
            if book.words(index)[0].lower() == "description":
                book.unknown(index, HARMLESS, "description")
            else:
                book.unknown(index, FORWARDING, ZBF_NOT_UNDERSTOOD)


def _action_arguments_understood(lowered: list[str]) -> bool:
    """`inspect [PARAMETER-MAP]`, `pass [log]`, `drop [log]`: arguments that only log or tune."""
    arguments = lowered[1:]
    if lowered[0] == "inspect":
        return len(arguments) <= 1
    return arguments in ([], ["log"])
