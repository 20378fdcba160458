"""The words `init` reads as evidence of a zone, as frozen data (English and Japanese spellings).

A config line votes for at most one kind: the first entry (in this order) with a matching word.
External comes first because its names contain the others' (全国LGWAN, LGWAN-ASP). Latin words
match whole tokens of the line (split at every character that is not a letter or digit, so
`mn-core` holds `mn`); Japanese phrases match as substrings. A bare 基幹 is not evidence: cities
use it for the backbone (基幹ネットワーク) as often as for 基幹系 (the mynumber side).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class KindWords:
    kind: str  # a ZoneKind value
    tokens: frozenset[str]  # lower-case latin words, matched as whole tokens
    phrases: tuple[str, ...]  # case-folded substrings (Japanese, compounds)


ZONE_WORDS: tuple[KindWords, ...] = (
    KindWords(
        "external",
        frozenset({"zenkoku", "asp", "jlis", "chukan", "juki"}),
        ("全国lgwan", "lgwan-asp", "中間サーバー", "住基ネット", "外部接続"),
    ),
    KindWords(
        "mynumber",
        frozenset({"mynumber", "mn", "kikan", "kojin", "mynum"}),
        ("マイナンバー", "個人番号", "基幹系", "基幹業務"),
    ),
    KindWords("lgwan", frozenset({"lgwan", "lg"}), ("エルジーワン",)),
    KindWords(
        "internet",
        frozenset({"inet", "internet", "dmz", "koukai"}),
        ("インターネット", "公開セグメント", "非武装"),
    ),
    KindWords("other", frozenset({"jouhou", "johokei", "naibu"}), ("情報系",)),
)

# Labels the draft gives a proposed zone, per language.
KIND_LABELS: dict[str, dict[str, str]] = {
    "mynumber": {"ja": "マイナンバー利用事務系", "en": "My Number use (マイナンバー利用事務系)"},
    "lgwan": {"ja": "LGWAN接続系", "en": "LGWAN-connected (LGWAN接続系)"},
    "internet": {"ja": "インターネット接続系", "en": "Internet-connected (インターネット接続系)"},
    "external": {"ja": "外部ネットワーク", "en": "external network"},
    "other": {"ja": "内部情報系", "en": "internal information systems"},
}

# Words of an interface line that make it an upstream candidate (with no default route out).
UPSTREAM_WORDS: frozenset[str] = frozenset({"outside", "wan", "wan1", "wan2", "untrust"})

# The kind of 無害化 channel a port suggests (a candidate only; the user confirms it).
CHANNEL_PORTS: dict[int, str] = {25: "mail-text", 587: "mail-text", 3389: "screen-transfer"}
