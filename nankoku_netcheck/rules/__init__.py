"""The rule registry: one table, looked up by ID. Order is the report order.

META-002 comes last: it reads what the exceptions matched while the other rules ran;
META-003 comes after the rules whose searches it reports on."""

from __future__ import annotations

from .acl import ACL_RULES
from .base import Rule
from .device import DEVICE_RULES
from .meta import check_meta_001, check_meta_002, check_meta_003
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
    ),
    Rule(
        "ZONE-002",
        "error",
        "対策基準 6(1)①",
        "External links carry only their declared host-level flows",
        "外部接続は宣言したホスト・ポート単位の通信のみ",
        check_zone_002,
    ),
    Rule(
        "ZONE-003",
        "error",
        "対策基準 6(1)①",
        "External links' MAC addresses are pinned on their path",
        "外部接続の MAC アドレスが経路上で固定されていること",
        check_zone_003,
    ),
    Rule(
        "ZONE-004",
        "error",
        "対策基準 6(1)① なお書き",
        "External peers are not internet-connected",
        "外部接続先はインターネットに接続されていないこと",
        check_zone_004,
    ),
    Rule(
        "ZONE-005",
        "error",
        "基本方針 2(12)(13), 7(3)②; 対策基準 6(2)①",
        "LGWAN ↔ internet only through declared sanitised channels",
        "LGWAN接続系とインターネット接続系の間は無害化通信のみ",
        check_zone_005,
    ),
    Rule(
        "ZONE-006",
        "error",
        "対策基準 6(2)①(ア)(イ)",
        "Sanitised channels run one way",
        "無害化通信は一方向であること",
        check_zone_006,
    ),
    Rule(
        "ZONE-007",
        "error",
        "対策基準 6(3)②, 7.3(2)",
        "Internet egress only through the declared upstream (security cloud)",
        "インターネットへの出口は自治体情報セキュリティクラウドのみ",
        check_zone_007,
    ),
    Rule(
        "ZONE-008",
        "warning",
        "対策基準 9.1(8)",
        "Isolation holds whatever the routing (filters alone separate the zones)",
        "経路設定に依存せずフィルタで分離されていること",
        check_zone_008,
    ),
    Rule(
        "ZONE-009",
        "error",
        "対策基準 9.1(9), 9.1(10)④",
        "Hosts reachable from the internet sit behind a firewall",
        "インターネットから到達可能な機器はファイアウォールの内側にあること",
        check_zone_009,
    ),
    Rule(
        "ZONE-010",
        "error",
        "対策基準 6",
        "Flows between additional zones follow the topology's zone_policy",
        "追加の領域間の通信は zone_policy に従うこと",
        check_zone_010,
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
    ),
    Rule(
        "META-003",
        "error",
        "—",
        "Every search finished within its work budget",
        "すべての探索が作業量の上限内で終わったこと",
        check_meta_003,
    ),
    Rule(
        "META-002",
        "warning",
        "対策基準 10.4",
        "Exceptions are current and used",
        "例外措置が有効期限内で実際に使われていること",
        check_meta_002,
    ),
)

REGISTRY: tuple[Rule, ...] = ZONE_RULES + ACL_RULES + DEVICE_RULES + META_RULES


def rule_by_id(rule_id: str) -> Rule:
    for rule in REGISTRY:
        if rule.id == rule_id:
            return rule
    raise KeyError(rule_id)


__all__ = ["REGISTRY", "Rule", "rule_by_id"]
