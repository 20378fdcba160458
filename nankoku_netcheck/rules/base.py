"""What a rule is: a stable ID, severity, policy clause, bilingual title, and a check."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from ..result import Finding
from .flows import FlowContext

Check = Callable[[FlowContext], list[Finding]]


@dataclass(frozen=True)
class Rule:
    id: str
    severity: str
    clause: str
    title_en: str
    title_ja: str
    check: Check
