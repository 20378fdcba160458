"""The rule registry: one record per rule (rules/base.py `Rule`), looked up by ID. Order
is the run order, the report order and the catalogue order.

META-002 comes last: it reads what the exceptions matched while the other rules ran;
META-003 comes after the rules whose searches it reports on. Rules documented but not yet
checked (PLANNED) follow the registry in the catalogue and never run.

Each record's documentation page comes from rules/pages.py by ID (`_with_page`); a test
proves every rule has exactly one page and every page a rule.
"""

from __future__ import annotations

from dataclasses import replace

from .acl import ACL_RULES
from .acl import CLAUSE as ACL_CLAUSE
from .base import (
    GL_EXCEPTIONS,
    GL_INTERNET,
    GL_LGWAN,
    GL_MYNUMBER,
    GL_NETWORK,
    GL_NONE,
    GL_RESILIENCE,
    Rule,
    family_of,
    not_yet_checked,
)
from .device import DEVICE_RULES
from .meta import check_meta_001, check_meta_002, check_meta_003
from .pages import PAGES
from .zone import (
    check_zone_001,
    check_zone_002,
    check_zone_003,
    check_zone_004,
    check_zone_005,
    check_zone_006,
    check_zone_007,
    check_zone_008,
    check_zone_009,
    check_zone_010,
)

ZONE_RULES: tuple[Rule, ...] = (
    Rule(
        "ZONE-001",
        "error",
        "基本方針 7(3)①; 対策基準 6(1)①",
        "No flow between the mynumber zone and any other zone",
        "マイナンバー利用事務系と他の領域との通信の禁止",
        check_zone_001,
        guideline=f"{GL_MYNUMBER}（他の領域との分離）",
    ),
    Rule(
        "ZONE-002",
        "error",
        "対策基準 6(1)①",
        "External links carry only their declared host-level flows",
        "外部接続は宣言したホスト・ポート単位の通信のみ",
        check_zone_002,
        guideline=f"{GL_MYNUMBER}（通信経路・ポート番号の限定）",
    ),
    Rule(
        "ZONE-003",
        "error",
        "対策基準 6(1)①",
        "External links' MAC addresses are pinned on their path",
        "外部接続の MAC アドレスが経路上で固定されていること",
        check_zone_003,
        guideline=f"{GL_MYNUMBER}（MAC アドレスによる通信経路の限定）",
    ),
    Rule(
        "ZONE-004",
        "error",
        "対策基準 6(1)① なお書き",
        "External peers are not internet-connected",
        "外部接続先はインターネットに接続されていないこと",
        check_zone_004,
        guideline=f"{GL_MYNUMBER}（外部接続先のインターネット接続の禁止）",
    ),
    Rule(
        "ZONE-005",
        "error",
        "基本方針 2(12)(13), 7(3)②; 対策基準 6(2)①",
        "LGWAN ↔ internet only through declared sanitised channels",
        "LGWAN接続系とインターネット接続系の間は無害化通信のみ",
        check_zone_005,
        guideline=f"{GL_LGWAN}（インターネット接続系との分割・無害化通信）",
    ),
    Rule(
        "ZONE-006",
        "error",
        "対策基準 6(2)①(ア)(イ)",
        "Sanitised channels run one way",
        "無害化通信は一方向であること",
        check_zone_006,
        guideline=f"{GL_LGWAN}（無害化通信の方式）",
    ),
    Rule(
        "ZONE-007",
        "error",
        "対策基準 6(3)②, 7.3(2)",
        "Internet egress only through the declared upstream (security cloud)",
        "インターネットへの出口は自治体情報セキュリティクラウドのみ",
        check_zone_007,
        guideline=f"{GL_INTERNET}（自治体情報セキュリティクラウド）",
    ),
    Rule(
        "ZONE-008",
        "warning",
        "対策基準 9.1(8)",
        "Isolation holds whatever the routing (filters alone separate the zones)",
        "経路設定に依存せずフィルタで分離されていること",
        check_zone_008,
        guideline=f"{GL_NETWORK}（ネットワークの接続制御、経路制御等）",
    ),
    Rule(
        "ZONE-009",
        "error",
        "対策基準 9.1(9), 9.1(10)④",
        "Hosts reachable from the internet sit behind a firewall",
        "インターネットから到達可能な機器はファイアウォールの内側にあること",
        check_zone_009,
        guideline=f"{GL_NETWORK}（外部の者が利用できるシステムの分離等）",
    ),
    Rule(
        "ZONE-010",
        "error",
        "対策基準 6",
        "Flows between additional zones follow the topology's zone_policy",
        "追加の領域間の通信は zone_policy に従うこと",
        check_zone_010,
        guideline=GL_RESILIENCE,
    ),
)

META_RULES: tuple[Rule, ...] = (
    Rule(
        "META-001",
        "error",
        "—",
        "Lines that may affect forwarding or filtering were understood",
        "転送・フィルタに影響し得る未解釈の行がないこと",
        check_meta_001,
        guideline=GL_NONE,
    ),
    Rule(
        "META-003",
        "error",
        "—",
        "Every search finished within its work budget",
        "すべての探索が作業量の上限内で終わったこと",
        check_meta_003,
        guideline=GL_NONE,
    ),
    Rule(
        "META-002",
        "warning",
        "対策基準 10.4",
        "Exceptions are current and used",
        "例外措置が有効期限内で実際に使われていること",
        check_meta_002,
        guideline=GL_EXCEPTIONS,
    ),
)


def _with_page(rule: Rule) -> Rule:
    return replace(rule, page=PAGES.get(rule.id))


REGISTRY: tuple[Rule, ...] = tuple(_with_page(rule) for rule in ZONE_RULES + ACL_RULES + DEVICE_RULES + META_RULES)

# Documented, not yet checked: listed in the catalogue (marked as such), never run.
PLANNED: tuple[Rule, ...] = tuple(
    _with_page(rule)
    for rule in (
        Rule(
            "ACL-005",
            "warning",
            ACL_CLAUSE,
            "Redundant paths filter the same way",
            "冗長経路のフィルタが同一であること",
            not_yet_checked,
            guideline=f"{GL_NETWORK}（ネットワークの接続制御、経路制御等）",
        ),
    )
)

CATALOG: tuple[Rule, ...] = REGISTRY + PLANNED
FAMILIES: tuple[str, ...] = tuple(dict.fromkeys(rule.family for rule in CATALOG))


def rule_by_id(rule_id: str) -> Rule:
    """The registered rule with this ID (KeyError for planned or unknown IDs)."""
    for rule in REGISTRY:
        if rule.id == rule_id:
            return rule
    raise KeyError(rule_id)


def catalog_rule(rule_id: str) -> Rule | None:
    """Any catalogue rule, planned ones included, by ID (any case); None when unknown."""
    wanted = rule_id.upper()
    for rule in CATALOG:
        if rule.id == wanted:
            return rule
    return None


def is_implemented(rule: Rule) -> bool:
    return rule in REGISTRY


__all__ = [
    "CATALOG",
    "FAMILIES",
    "PLANNED",
    "REGISTRY",
    "Rule",
    "catalog_rule",
    "family_of",
    "is_implemented",
    "rule_by_id",
]
