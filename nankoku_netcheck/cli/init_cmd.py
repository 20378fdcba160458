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
    click.echo(summary_text(draft, output))


def summary_text(draft: Draft, output: str) -> str:
    s: InitSummary = draft.summary
    lines = [
        f"wrote {output}: {s.devices} devices ({s.skipped} files skipped), {s.segments} address groups: "
        f"{s.proposals} zone proposals, {s.todos} TODO, {s.transit} transit",
        f"candidates (commented out): {s.upstream} upstream, {s.peers} external peers, {s.channels} channels",
    ]
    if s.check_problem:
        lines.append(f"verify (proposals applied): could not load the draft: {s.check_problem}")
    elif s.verdict:
        detail = f"; violated: {', '.join(s.violated)}" if s.violated else ""
        detail += f"; inconclusive: {', '.join(s.inconclusive)}" if s.inconclusive else ""
        lines.append(
            f"verify (proposals, upstream and channel candidates applied; TODO zones left out): {s.verdict}{detail}"
        )
    if s.todos:
        lines.append(f"next: resolve the {s.todos} TODO zone(s) in {output}, then: nankoku-netcheck verify {output}")
    else:
        lines.append(f"next: check the proposals in {output}, then: nankoku-netcheck verify {output}")
    return "\n".join(lines)
