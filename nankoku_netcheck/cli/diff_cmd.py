"""`nankoku-netcheck diff`: what a change newly allows or blocks between zones."""

from __future__ import annotations

import sys
from dataclasses import replace

import click

from ..errors import InputError
from ..report.common import visible
from .caching import open_cache
from .common import (
    allow_path_option,
    budget_option,
    check_output_file,
    check_topology_file,
    default_lang,
    fail_input,
    fail_unexpected,
    input_warnings_shown,
    invocation,
    jobs_option,
    silence_library_logging,
    write_file,
)


@click.command("diff")
@click.argument("before", type=click.Path(dir_okay=False))
@click.argument("after", type=click.Path(dir_okay=False), required=False)
@click.option(
    "--base-ref",
    metavar="REF",
    help="Compare BEFORE (the working tree's topology) with the same files at git revision REF.",
)
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["text", "json", "sarif"]),
    default="text",
    show_default=True,
    help="sarif marks each result new, unchanged or absent (baselineState).",
)
@click.option("--output", "-o", type=click.Path(dir_okay=False, writable=True), help="Write to this file.")
@click.option("--lang", type=click.Choice(["ja", "en"]), default=None, help="Language (default: from LANG).")
@click.option("--fail-on", type=click.Choice(["error", "warning"]), default="error", show_default=True)
@click.option("--engine", "backend", type=click.Choice(["auto", "oxidd", "cudd", "autoref"]), default="auto")
@click.option(
    "--cache-dir",
    type=click.Path(file_okay=False),
    help="Cache folder: parsed configs and compiled long ACLs (default: ~/.cache/nankoku-netcheck).",
)
@click.option("--no-cache", is_flag=True, help="Do not read or write the cache.")
@jobs_option("with two or more and a cache, a large network's BEFORE side is analysed in a second process.")
@allow_path_option
@budget_option
def diff(
    before: str,
    after: str | None,
    base_ref: str | None,
    output_format: str,
    output: str | None,
    lang: str | None,
    fail_on: str,
    backend: str,
    cache_dir: str | None,
    no_cache: bool,
    jobs: int | None,
    allow_paths: tuple[str, ...],
    budget: int,
) -> None:
    """Compare two states of the network: BEFORE and AFTER topology files, or one
    topology against git revision --base-ref (e.g. HEAD~1).

    Exit codes: 1 when the change newly allows a flow that violates a rule (or adds a
    finding at or above --fail-on), 3 when none does but a search ran out of --budget (the
    change is then not fully known), 0 otherwise, 2 on input errors.
    """
    from ..diff import diff_topologies, git_revision_tree
    from ..report.diff_report import render_diff_json, render_diff_sarif, render_diff_text

    silence_library_logging()
    if (after is None) == (base_ref is None):
        raise click.UsageError("give either AFTER or --base-ref REF (not both, not neither)")
    check_output_file(output)
    try:
        cache = open_cache(cache_dir, no_cache)  # an unsafe cache folder is an input error
        with input_warnings_shown():
            for topology in (before, after):
                if topology is not None:
                    check_topology_file(topology)
            if base_ref is not None:
                with git_revision_tree(before, base_ref) as old:
                    for link in old.skipped_links:
                        click.echo(
                            f"warning: {base_ref}: left out the symbolic link {visible(str(link))}: it leads "
                            "outside the repository",
                            err=True,
                        )
                    result = diff_topologies(
                        old.topology,
                        before,
                        backend=backend,
                        cache=cache,
                        before_display=(old.root, f"{base_ref}:"),
                        before_root=old.root,
                        allow_paths=allow_paths,
                        budget=budget,
                        jobs=jobs,
                    )
            else:
                assert after is not None
                result = diff_topologies(
                    before, after, backend=backend, cache=cache, allow_paths=allow_paths, budget=budget, jobs=jobs
                )
    except InputError as error:
        fail_input(error)
        return
    except Exception as error:  # a failed cross-check or any other bug: report it (redacted), exit 4
        fail_unexpected(error)
        return
    language = lang or default_lang()
    result = replace(result, after=replace(result.after, invocation=invocation()))
    renderers = {"json": render_diff_json, "sarif": render_diff_sarif, "text": render_diff_text}
    rendered = renderers[output_format](result, language)
    if output:
        write_file(output, rendered, create_folder=False)
    else:
        click.echo(rendered, nl=False)
    sys.exit(result.exit_code(fail_on))
