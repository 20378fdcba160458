"""`nankoku-netcheck rules [ID]`: the rule catalog, or one rule's documentation page."""

from __future__ import annotations

import difflib
import sys
import textwrap

import click

from ..rules.docs import RULE_DOCS, RuleDoc, rule_doc
from .common import EXIT_INPUT, default_lang

_WORDS = {
    "en": {
        "what": "What it checks",
        "why": "Why",
        "clause": "Policy clause",
        "severity": "Severity",
        "example": "Example violation",
        "fix": "Fix",
        "implemented": "checked by this version",
        "planned": "documented, not yet checked",
        "unknown": "unknown rule ID '{id}'",
        "did_you_mean": "did you mean {ids}?",
        "page": "one rule's page",
        "list": "see `nankoku-netcheck rules` for the catalog",
    },
    "ja": {
        "what": "確認する内容",
        "why": "理由",
        "clause": "根拠条項",
        "severity": "重大度",
        "example": "違反の例",
        "fix": "対処",
        "implemented": "この版で検査します",
        "planned": "文書のみ（未実装）",
        "unknown": "ルール ID '{id}' はありません",
        "did_you_mean": "{ids} ではありませんか？",
        "page": "各ルールの説明",
        "list": "一覧は `nankoku-netcheck rules` で表示できます",
    },
}


@click.command("rules")
@click.argument("rule_id", required=False, metavar="[ID]")
@click.option("--lang", type=click.Choice(["ja", "en"]), default=None, help="Language (default: from LANG).")
def rules(rule_id: str | None, lang: str | None) -> None:
    """Without ID: the catalog of rules. With ID (e.g. ZONE-001): what the rule checks, why,
    the policy clause, an example violation and its fix."""
    language = lang or default_lang()
    if rule_id is None:
        click.echo(catalog_text(language), nl=False)
        return
    doc = rule_doc(rule_id)
    if doc is None:
        words = _WORDS[language]
        click.echo(f"error: {words['unknown'].format(id=rule_id)}", err=True)
        close = difflib.get_close_matches(rule_id.upper(), [d.id for d in RULE_DOCS], n=3)
        if close:
            click.echo(f"error: {words['did_you_mean'].format(ids=', '.join(close))}", err=True)
        click.echo(f"error: {words['list']}", err=True)
        sys.exit(EXIT_INPUT)
    click.echo(page_text(doc, language), nl=False)


def implemented_ids() -> set[str]:
    from ..rules import REGISTRY

    return {rule.id for rule in REGISTRY}


def catalog_text(lang: str) -> str:
    words = _WORDS["ja" if lang == "ja" else "en"]
    implemented = implemented_ids()
    lines = []
    for doc in RULE_DOCS:
        mark = "*" if doc.id in implemented else " "
        lines.append(f"{mark} {doc.id:<10} {doc.severity:<8} {doc.title(lang)}  [{doc.clause}]")
    lines += ["", f"* = {words['implemented']}", f"{words['page']}: nankoku-netcheck rules ID"]
    return "\n".join(lines) + "\n"


def page_text(doc: RuleDoc, lang: str) -> str:
    words = _WORDS["ja" if lang == "ja" else "en"]
    width = 88
    state = words["implemented"] if doc.id in implemented_ids() else words["planned"]

    def paragraph(text: str) -> list[str]:
        if lang == "ja":  # no spaces to wrap Japanese at: one line, the terminal wraps it
            return ["  " + text]
        return textwrap.wrap(text, width=width, initial_indent="  ", subsequent_indent="  ") or [""]

    lines = [
        f"{doc.id}  {doc.title(lang)}",
        "=" * len(doc.id),
        "",
        f"{words['severity']}: {doc.severity}    {words['clause']}: {doc.clause}    ({state})",
        "",
        f"{words['what']}:",
        *paragraph(doc.what(lang)),
        "",
        f"{words['why']}:",
        *paragraph(doc.why(lang)),
        "",
        f"{words['example']}:",
        *("    " + line for line in doc.example.splitlines()),
        "",
        f"{words['fix']}:",
        *paragraph(doc.fix(lang)),
    ]
    return "\n".join(lines) + "\n"
