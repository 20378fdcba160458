"""The rule registry: one table, looked up by ID. Order is the report order."""

from __future__ import annotations

from .base import Rule
from .meta import check_meta_001
from .zone import check_zone_001, check_zone_005

REGISTRY: tuple[Rule, ...] = (
    Rule("ZONE-001", "error", "基本方針 7(3)①; 対策基準 6(1)①",
         "No flow between the mynumber zone and any other zone",
         "マイナンバー利用事務系と他の領域との通信の禁止", check_zone_001),
    Rule("ZONE-005", "error", "基本方針 2(12)(13), 7(3)②; 対策基準 6(2)①",
         "LGWAN ↔ internet only through declared sanitised channels",
         "LGWAN接続系とインターネット接続系の間は無害化通信のみ", check_zone_005),
    Rule("META-001", "error", "—",
         "Lines that may affect forwarding or filtering were understood",
         "転送・フィルタに影響し得る未解釈の行がないこと", check_meta_001),
)


def rule_by_id(rule_id: str) -> Rule:
    for rule in REGISTRY:
        if rule.id == rule_id:
            return rule
    raise KeyError(rule_id)


__all__ = ["REGISTRY", "Rule", "rule_by_id"]
