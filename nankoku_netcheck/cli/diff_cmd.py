"""`nankoku-netcheck diff`: what a change newly allows or blocks between zones."""

from __future__ import annotations

import sys

import click

from ..errors import InputError
from .caching import open_cache
from .common import EXIT_INTERNAL, default_lang, fail_input, silence_library_logging


@click.command("diff")
@click.argument("before", type=click.Path(dir_okay=False))
@click.argument("after", type=click.Path(dir_okay=False), required=False)
@click.option("--base-ref", metavar="REF",
              help="Compare BEFORE (the working tree's topology) with the same files at git revision REF.")
@click.option("--format", "output_format", type=click.Choice(["text", "json", "sarif"]), default="text",
              show_default=True, help="sarif marks each result new, unchanged or absent (baselineState).")
@click.option("--output", "-o", type=click.Path(dir_okay=False, writable=True), help="Write to this file.")
@click.option("--lang", type=click.Choice(["ja", "en"]), default=None, help="Language (default: from LANG).")
@click.option("--fail-on", type=click.Choice(["error", "warning"]), default="error", show_default=True)
@click.option("--engine", "backend", type=click.Choice(["auto", "cudd", "autoref"]), default="auto")
@click.option("--cache-dir", type=click.Path(file_okay=False),
              help="Cache folder: parsed configs and compiled long ACLs (default: ~/.cache/nankoku-netcheck).")
@click.option("--no-cache", is_flag=True, help="Do not read or write the cache.")
def diff(before: str, after: str | None, base_ref: str | None, output_format: str, output: str | None,
         lang: str | None, fail_on: str, backend: str, cache_dir: str | None, no_cache: bool) -> None:
    """Compare two states of the network: BEFORE and AFTER topology files, or one
    topology against git revision --base-ref (e.g. HEAD~1).

    Exit codes: 1 when the change newly allows a flow that violates a rule (or adds a
    finding at or above --fail-on), 0 otherwise, 2 on input errors.
    """
    from ..diff import diff_topologies, git_revision_tree
    from ..report.diff_report import render_diff_json, render_diff_sarif, render_diff_text
    from ..rules.flows import CrossCheckError

    silence_library_logging()
    if (after is None) == (base_ref is None):
        raise click.UsageError("give either AFTER or --base-ref REF (not both, not neither)")
    try:
        cache = open_cache(cache_dir, no_cache)  # an unsafe cache folder is an input error
        if base_ref is not None:
            with git_revision_tree(before, base_ref) as (old_topology, tree):
                result = diff_topologies(old_topology, before, backend=backend, cache=cache,
                                         before_display=(tree, f"{base_ref}:"))
        else:
            assert after is not None
            result = diff_topologies(before, after, backend=backend, cache=cache)
    except InputError as error:
        fail_input(error)
        return
    except CrossCheckError as error:
        click.echo(f"internal error (please report): {error}", err=True)
        sys.exit(EXIT_INTERNAL)
    language = lang or default_lang()
    renderers = {"json": render_diff_json, "sarif": render_diff_sarif, "text": render_diff_text}
    rendered = renderers[output_format](result, language)
    if output:
        with open(output, "w", encoding="utf-8") as handle:
            handle.write(rendered)
    else:
        click.echo(rendered, nl=False)
    sys.exit(result.exit_code(fail_on))
