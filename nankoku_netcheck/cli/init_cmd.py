"""`nankoku-netcheck init CONFIG_DIR`: write a commented topology draft from a folder of configs."""

from __future__ import annotations

import os
import sys

import click

from ..errors import InputError
from ..init import Draft, InitSummary, check_draft, draft_topology
from ..redact import redact_quoted
from ..report.common import visible
from .common import EXIT_INPUT, default_lang, fail_input, write_file


@click.command()
@click.argument("config_dir", type=click.Path())
@click.option("-o", "--output", default="topology.yaml", show_default=True, help="Where to write the draft.")
@click.option("--lang", type=click.Choice(["ja", "en"]), default=None, help="Language of the draft's comments.")
@click.option("--force", is_flag=True, help="Overwrite an existing output file.")
@click.option("--no-check", is_flag=True, help="Do not verify the draft with the proposals applied.")
def init(config_dir: str, output: str, lang: str | None, force: bool, no_check: bool) -> None:
    """Draft the topology file from a folder of device configs: devices, the zones the
    configs suggest (each with the lines it rests on), TODO where they say nothing, and
    commented-out upstream, external-peer and channel candidates to confirm."""
    language = lang or default_lang()
    if os.path.lexists(output) and not force:
        click.echo(f"error: {output}: already exists (expected a new file; --force overwrites it)", err=True)
        sys.exit(EXIT_INPUT)
    try:
        draft = draft_topology(config_dir, output, language)
        if not no_check:
            draft = check_draft(draft, config_dir)
    except InputError as error:
        fail_input(error)
        return
    for problem in draft.warnings:
        click.echo(f"warning: {visible(redact_quoted(str(problem)))}", err=True)
    for line in draft.skipped:
        click.echo(f"skipped: {visible(redact_quoted(line))}", err=True)
    write_file(output, draft.text, create_folder=False)
    click.echo(summary_text(draft, output, language))


_SUMMARY: dict[str, dict[str, str]] = {
    "wrote": {
        "en": "wrote {output}: {devices} devices ({skipped} files skipped), {segments} address groups: "
        "{proposals} zone proposals, {todos} TODO, {transit} transit",
        "ja": "{output} を書きました: 機器 {devices} 台 (読まなかったファイル {skipped})、アドレスのまとまり "
        "{segments}: ゾーンの提案 {proposals}、TODO {todos}、経由のみ {transit}",
    },
    "candidates": {
        "en": "candidates (commented out): {upstream} upstream, {peers} external peers, {channels} channels",
        "ja": "候補 (コメント): 上流 {upstream}、外部接続先 {peers}、無害化通信 {channels}",
    },
    "unchecked": {
        "en": "verify (proposals applied): not run: {problem}",
        "ja": "検証 (提案を適用): 実行せず: {problem}",
    },
    "checked": {
        "en": "verify (proposals, upstream and channel candidates applied; TODO zones left out): {verdict}{detail}",
        "ja": "検証 (提案・上流と無害化通信の候補を適用、TODO のゾーンは除外): {verdict}{detail}",
    },
    "next_todo": {
        "en": "next: resolve the {todos} TODO zone(s) in {output}, then: nankoku-netcheck verify {output}",
        "ja": "次に: {output} の TODO ({todos} 件) を解消して nankoku-netcheck verify {output}",
    },
    "next": {
        "en": "next: check the proposals in {output}, then: nankoku-netcheck verify {output}",
        "ja": "次に: {output} の提案を確認して nankoku-netcheck verify {output}",
    },
}


def summary_text(draft: Draft, output: str, lang: str = "en") -> str:
    s: InitSummary = draft.summary
    language = "ja" if lang == "ja" else "en"

    def say(key: str, **values: object) -> str:
        return _SUMMARY[key][language].format(output=output, **values)

    lines = [
        say(
            "wrote",
            devices=s.devices,
            skipped=s.skipped,
            segments=s.segments,
            proposals=s.proposals,
            todos=s.todos,
            transit=s.transit,
        ),
        say("candidates", upstream=s.upstream, peers=s.peers, channels=s.channels),
    ]
    if s.check_problem:
        lines.append(say("unchecked", problem=s.check_problem))
    elif s.verdict:
        detail = f"; violated: {', '.join(s.violated)}" if s.violated else ""
        detail += f"; inconclusive: {', '.join(s.inconclusive)}" if s.inconclusive else ""
        lines.append(say("checked", verdict=s.verdict, detail=detail))
    lines.append(say("next_todo", todos=s.todos) if s.todos else say("next"))
    return "\n".join(lines)
