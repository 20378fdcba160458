"""Rule documentation lookups for the report formats and the `rules` command.

A rule's page is part of its record (rules/base.py `Rule`, page text in rules/pages.py);
this module only finds records by ID, in catalogue order (the registry's, then the rules
documented but not yet checked).
"""

from __future__ import annotations

from . import CATALOG, catalog_rule
from .base import ANY, INTERNET, LGWAN, MYNUMBER, Rule

# A rule's page is read off its record; the name stays for the report formats.
RuleDoc = Rule

RULE_DOCS: tuple[Rule, ...] = CATALOG


def rule_doc(rule_id: str) -> Rule | None:
    """The record of one rule ID (any case), or None for an ID the catalogue does not know."""
    return catalog_rule(rule_id)


def rule_ids() -> tuple[str, ...]:
    return tuple(rule.id for rule in CATALOG)


__all__ = ["ANY", "INTERNET", "LGWAN", "MYNUMBER", "RULE_DOCS", "RuleDoc", "rule_doc", "rule_ids"]
