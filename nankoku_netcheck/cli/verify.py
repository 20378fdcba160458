"""`nankoku-netcheck verify`."""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import shlex
import sys
from dataclasses import replace

import click

from ..errors import InputError
from ..report import FILE_NAMES
from .caching import open_cache
from .common import (
    check_outputs,
    default_lang,
    fail_input,
    fail_internal,
    output_path,
    parse_formats,
    progress_bar,
    silence_library_logging,
    write_report,
)

PROGRAM = "nankoku-netcheck"


@click.command()
@click.argument("topology", type=click.Path(dir_okay=False))
@click.option("--format", "formats", default="text", show_default=True, metavar="FORMAT[,FORMAT...]",
              help=f"Output formats, comma-separated: {', '.join(FILE_NAMES)}.")
@click.option("--output", "-o", type=click.Path(dir_okay=False, writable=True),
              help="Write the report (one format) to this file instead of standard output.")
@click.option("--output-dir", type=click.Path(file_okay=False, writable=True),
              help="Write one file per format into this folder (report.txt, report.json, report.sarif, "
                   "report.junit.xml, report.md, report.csv, report.html).")
@click.option("--lang", type=click.Choice(["ja", "en"]), default=None,
              help="Language of messages (default: from LANG; the HTML report defaults to Japanese).")
@click.option("--fail-on", type=click.Choice(["error", "warning"]), default=None,
              help="Lowest severity of a violation that makes the exit code 1 (default: error, or the "
                   "settings file's).")
@click.option("--select", "select", multiple=True, metavar="IDS",
              help="Run only these rules: IDs or prefixes, comma-separated (e.g. ZONE,MGMT-001). "
                   "Overrides [tool.nankoku-netcheck] / .nankoku-netcheck.yaml.")
@click.option("--ignore", "ignore", multiple=True, metavar="IDS", help="Skip these rules (IDs or prefixes).")
@click.option("--cache-dir", type=click.Path(file_okay=False), help="Parse cache folder (default: ~/.cache).")
@click.option("--no-cache", is_flag=True, help="Do not read or write the parse cache.")
@click.option("--engine", "backend", type=click.Choice(["auto", "cudd", "autoref"]), default="auto",
              show_default=True, help="BDD backend.")
@click.option("--quiet", "-q", is_flag=True, help="No progress bar and no messages on stderr (errors aside).")
def verify(topology: str, formats: str, output: str | None, output_dir: str | None, lang: str | None,
           fail_on: str | None, select: tuple[str, ...], ignore: tuple[str, ...], cache_dir: str | None,
           no_cache: bool, backend: str, quiet: bool) -> None:
    """Verify TOPOLOGY (a topology YAML file) and report every rule's verdict.

    Exit codes: 0 proven pass, 1 violations at or above --fail-on, 2 usage or input
    error, 3 no violation found but some property is inconclusive, 4 internal error.
    """
    chosen = parse_formats(formats)
    check_outputs(chosen, output, output_dir)
    bar = progress_bar(quiet)
    try:
        # The bar's clock starts before the imports: they are a noticeable part of a short run.
        with bar if bar is not None else contextlib.nullcontext():
            from ..analyze import analyze, timestamp_now
            from ..rules import REGISTRY
            from ..selection import load_settings, select_rules

            silence_library_logging()
            settings = load_settings(topology).overridden(select=select or None, ignore=ignore or None,
                                                          fail_on=fail_on)
            rules = select_rules(REGISTRY, settings.select, settings.ignore)
            timestamp = timestamp_now()
            result = analyze(topology, backend=backend, progress=bar, timestamp=timestamp, rules=rules,
                             today=dt.date.fromisoformat(timestamp[:10]), cache=open_cache(cache_dir, no_cache))
    except InputError as error:
        fail_input(error)
        return
    except Exception as error:  # a failed cross-check or any other bug: report it (redacted), exit 4
        fail_internal(error)
        return
    for output_format in chosen:
        language = lang or ("ja" if output_format == "html" else default_lang())
        stamped = replace(result, command=reproducing_command(topology, output_format, language, backend, timestamp))
        target = output_path(output_dir, output_format) if output_dir else output
        write_report(stamped, output_format, target, language)
        if target and not quiet:
            click.echo(f"{output_format}: {target}", err=True)
    sys.exit(result.exit_code(settings.fail_on or "error"))


def reproducing_command(topology: str, output_format: str, lang: str, backend: str, timestamp: str) -> str:
    """The command that renders this one report again. When SOURCE_DATE_EPOCH pinned the
    timestamp it is part of the command, which then reproduces the report byte for byte; it is
    left out otherwise, so that the command, like the rest of the report, does not change
    from run to run. The output location is left out: it does not change the content."""
    words = [PROGRAM, "verify", topology, "--format", output_format, "--lang", lang]
    if backend != "auto":
        words += ["--engine", backend]
    if os.environ.get("SOURCE_DATE_EPOCH"):
        moment = dt.datetime.fromisoformat(timestamp.replace("Z", "+00:00"))
        words.insert(0, f"SOURCE_DATE_EPOCH={int(moment.timestamp())}")
    return " ".join(shlex.quote(word) for word in words)
