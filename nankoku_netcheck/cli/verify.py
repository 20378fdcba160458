"""`nankoku-netcheck verify`."""

from __future__ import annotations

import contextlib
import datetime as dt
import multiprocessing
import os
import shlex
import sys
import time
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, replace
from pathlib import Path
from urllib.parse import urlsplit

import click

from ..errors import InputError
from ..inputs import os_error_reason
from ..reach.budget import DEFAULT_BUDGET
from ..redact import redact, redact_quoted
from ..report import FILE_NAMES, render, shared_digest
from ..report.common import shown_path, visible
from ..report.text import verdict_lines
from ..wording import count_of
from .caching import open_cache
from .common import (
    EXIT_INCONCLUSIVE,
    EXIT_INPUT,
    EXIT_INTERNAL,
    EXIT_OK,
    EXIT_VIOLATION,
    PROGRAM,
    allow_path_option,
    budget_option,
    check_output_dir,
    check_output_file,
    check_outputs,
    check_topology_file,
    default_lang,
    fail_input,
    fail_unexpected,
    input_warnings_shown,
    invocation,
    jobs_option,
    output_path,
    parse_formats,
    progress_bar,
    silence_library_logging,
    write_file,
    write_report,
)


@click.command()
@click.argument("topologies", nargs=-1, required=True, type=click.Path(dir_okay=False), metavar="TOPOLOGY...")
@click.option(
    "--format",
    "formats",
    default="text",
    show_default=True,
    metavar="FORMAT[,FORMAT...]",
    help=f"Output formats, comma-separated: {', '.join(FILE_NAMES)}.",
)
@click.option(
    "--output",
    "-o",
    type=click.Path(dir_okay=False, writable=True),
    help="Write the report (one format) to this file instead of standard output.",
)
@click.option(
    "--output-dir",
    type=click.Path(file_okay=False, writable=True),
    help="Write one file per format into this folder (report.txt, report.json, report.sarif, "
    "report.junit.xml, report.md, report.csv, report.html); with several topologies, into "
    "one subfolder per topology, named after its file.",
)
@click.option(
    "--lang",
    type=click.Choice(["ja", "en"]),
    default=None,
    help="Language of messages (default: from LANG; the HTML report defaults to Japanese).",
)
@click.option(
    "--fail-on",
    type=click.Choice(["error", "warning"]),
    default=None,
    help="Lowest severity of a violation that makes the exit code 1 (default: error, or the settings file's).",
)
@click.option(
    "--select",
    "select",
    multiple=True,
    metavar="IDS",
    help="Run only these rules: IDs or prefixes, comma-separated (e.g. ZONE,MGMT-001). "
    "Overrides [tool.nankoku-netcheck] / .nankoku-netcheck.yaml.",
)
@click.option("--ignore", "ignore", multiple=True, metavar="IDS", help="Skip these rules (IDs or prefixes).")
@click.option(
    "--cache-dir",
    type=click.Path(file_okay=False),
    help="Cache folder: parsed configs, compiled long ACLs and the last result of each topology "
    "(default: ~/.cache/nankoku-netcheck). The result is reused, without parsing or searching, when "
    "nothing it depends on changed: the bytes of the topology, the files it names and every config, "
    "the working directory, the rules, --budget, the BDD engine, the date and the tool's code.",
)
@click.option("--no-cache", is_flag=True, help="Do not read or write the cache.")
@click.option(
    "--no-result-cache",
    is_flag=True,
    help="Verify anew even when the cache holds the result of an identical run (the new result replaces it).",
)
@click.option(
    "--engine",
    "backend",
    type=click.Choice(["auto", "oxidd", "cudd", "autoref"]),
    default="auto",
    show_default=True,
    help="BDD engine (auto: NANKOKU_BDD if set, else oxidd, then cudd, then the pure-Python autoref).",
)
@jobs_option("topologies verified at once, or, for one topology, processes that parse its configs.")
@click.option("--quiet", "-q", is_flag=True, help="No progress bar and no messages on stderr (errors aside).")
@click.option(
    "--baseline",
    type=click.Path(dir_okay=False),
    metavar="FILE",
    help="Accept the findings recorded in FILE (see --write-baseline): the reports still show them, "
    "marked accepted (baseline), but only findings not in FILE decide the exit code.",
)
@click.option(
    "--write-baseline",
    type=click.Path(dir_okay=False, writable=True),
    metavar="FILE",
    help="Record every finding of this run in FILE (JSON, sorted, no timestamp), to pass later as --baseline.",
)
@click.option(
    "--docs-url",
    metavar="URL",
    help="Absolute URL of the published rule pages (the docs/rules folder): SARIF rules link to URL/RULE-ID.md.",
)
@allow_path_option
@budget_option
def verify(
    topologies: tuple[str, ...],
    formats: str,
    output: str | None,
    output_dir: str | None,
    lang: str | None,
    fail_on: str | None,
    select: tuple[str, ...],
    ignore: tuple[str, ...],
    cache_dir: str | None,
    no_cache: bool,
    no_result_cache: bool,
    backend: str,
    jobs: int | None,
    quiet: bool,
    baseline: str | None,
    write_baseline: str | None,
    docs_url: str | None,
    allow_paths: tuple[str, ...],
    budget: int,
) -> None:
    """Verify TOPOLOGY (a topology YAML file) and report every rule's verdict.

    Several topologies (e.g. a prefecture's municipalities) are verified in parallel, each
    into its own folder under --output-dir, and a summary table is printed.

    Exit codes: 0 proven pass, 1 violations at or above --fail-on, 2 usage or input
    error, 3 no violation found but some property is inconclusive, 4 internal error.
    With several topologies, the worst of theirs (4, then 2, 1, 3, 0). Findings that
    --baseline accepts do not count.
    """
    chosen = parse_formats(formats)
    check_docs_url(docs_url)
    options = VerifyOptions(
        chosen,
        lang,
        fail_on,
        select,
        ignore,
        cache_dir,
        no_cache,
        backend,
        quiet,
        allow_paths,
        budget,
        docs_url or "",
        invocation(),
        no_result_cache,
    )
    if len(topologies) > 1:
        if output or not output_dir:
            raise click.UsageError("several topologies need --output-dir DIR (one folder per topology)")
        if baseline or write_baseline:
            raise click.UsageError("--baseline and --write-baseline take one topology (a baseline per network)")
        check_output_dir(output_dir)
        verify_batch(topologies, output_dir, options, jobs)
        return
    topology = topologies[0]
    check_outputs(chosen, output, output_dir)
    # Before the analysis, which may take minutes, and before it could publish anything.
    check_output_file(output)
    check_output_file(write_baseline)
    check_output_dir(output_dir)
    bar = progress_bar(quiet)
    try:
        # The bar's clock starts before the imports: they are a noticeable part of a short run.
        with bar if bar is not None else contextlib.nullcontext(), input_warnings_shown(quiet):
            from ..analyze import analyze, available_cores, timestamp_now
            from ..rules import REGISTRY
            from ..selection import load_settings, select_rules

            silence_library_logging()
            check_topology_file(topology)
            settings = load_settings(topology).overridden(select=select or None, ignore=ignore or None, fail_on=fail_on)
            rules = select_rules(REGISTRY, settings.select, settings.ignore)
            timestamp = timestamp_now()
            result = analyze(
                topology,
                backend=backend,
                progress=bar,
                timestamp=timestamp,
                rules=rules,
                today=dt.date.fromisoformat(timestamp[:10]),
                cache=open_cache(cache_dir, no_cache),
                jobs=jobs or available_cores(),
                allow_paths=allow_paths,
                budget=budget,
                baseline=baseline,
                reuse_result=not no_result_cache,
            )
    except InputError as error:
        fail_input(error)
        return
    except Exception as error:  # a failed cross-check or any other bug: report it (redacted), exit 4
        fail_unexpected(error)
        return
    result = replace(result, invocation=invocation(), docs_url=docs_url or "")
    for output_format in chosen:
        language = lang or ("ja" if output_format == "html" else default_lang())
        stamped = replace(
            result, command=reproducing_command(topology, output_format, language, backend, timestamp, budget)
        )
        target = output_path(output_dir, output_format) if output_dir else output
        write_report(stamped, output_format, target, language, create_folder=bool(output_dir))
        if target and not quiet:
            click.echo(f"{output_format}: {shown_path(target)}", err=True)
    if write_baseline:
        from ..baseline import baseline_text

        write_file(write_baseline, baseline_text(result), create_folder=False)
        if not quiet:
            click.echo(f"baseline: {shown_path(write_baseline)}", err=True)
    if (output or output_dir) and not quiet:
        # The reports went to files: the terminal (or CI log) still gets the verdict.
        for line in verdict_lines(result, lang or default_lang()):
            click.echo(line, err=True)
    sys.exit(result.exit_code(settings.fail_on or "error"))


def check_docs_url(url: str | None) -> None:
    """SARIF's helpUri must be an absolute URI (SARIF 2.1.0 §3.49.12)."""
    if url is None:
        return
    parts = urlsplit(url)
    if not parts.scheme or not (parts.netloc or parts.scheme == "file") or any(c.isspace() for c in url):
        raise click.BadParameter(
            f"'{visible(url)}' is not an absolute URL (e.g. https://example.org/nankoku-netcheck/docs/rules)",
            param_hint="'--docs-url'",
        )


# --- several topologies ----------------------------------------------------------------------

# Worst first: a crash or bad input hides more than a violation, a violation more than
# an unproven property.
EXIT_SEVERITY = (EXIT_INTERNAL, EXIT_INPUT, EXIT_VIOLATION, EXIT_INCONCLUSIVE, EXIT_OK)


@dataclass(frozen=True)
class VerifyOptions:
    formats: list[str]
    lang: str | None
    fail_on: str | None
    select: tuple[str, ...]
    ignore: tuple[str, ...]
    cache_dir: str | None
    no_cache: bool
    backend: str
    quiet: bool
    allow_paths: tuple[str, ...] = ()
    budget: int = DEFAULT_BUDGET
    docs_url: str = ""
    invocation: str = ""  # the command line of the whole run (each worker is a fresh process)
    no_result_cache: bool = False


@dataclass(frozen=True)
class BatchOutcome:
    """What the summary shows of one topology's verification."""

    topology: str
    folder: str
    exit_code: int
    verdict: str  # pass | fail | inconclusive | input error | internal error
    errors: int = 0
    warnings: int = 0
    inconclusive: int = 0
    seconds: float = 0.0
    problems: tuple[str, ...] = ()  # the input errors (one line each: every refused file), or the internal error
    notes: tuple[str, ...] = ()  # `warning:` lines about the input


def verify_batch(topologies: tuple[str, ...], output_dir: str, options: VerifyOptions, jobs: int | None) -> None:
    from ..analyze import available_cores

    folders = report_folders(topologies, output_dir)
    workers = min(jobs or available_cores(), len(topologies))
    tasks = [(topology, folder, options) for topology, folder in zip(topologies, folders, strict=True)]
    outcomes: list[BatchOutcome] = []
    if workers < 2:
        for task in tasks:
            outcomes.append(verify_into_folder(*task))
            _announce(outcomes[-1], options.quiet)
    else:
        # spawn: each worker a fresh interpreter (no locks inherited from this one's threads).
        with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn")) as pool:
            futures = {pool.submit(verify_into_folder, *task): index for index, task in enumerate(tasks)}
            finished: dict[int, BatchOutcome] = {}
            for future in as_completed(futures):
                finished[futures[future]] = future.result()
                _announce(finished[futures[future]], options.quiet)
            outcomes = [finished[index] for index in range(len(tasks))]
    click.echo(summary_table(outcomes), nl=False)
    sys.exit(worst_exit_code(outcomes))


def report_folders(topologies: tuple[str, ...], output_dir: str) -> list[str]:
    """One folder per topology, named after its file; when two files share a name, their
    parent folders' names are prepended until the names differ."""
    paths = [Path(topology).resolve() for topology in topologies]
    depth = 0
    while True:
        names = [_folder_name(path, depth) for path in paths]
        if len(set(names)) == len(names) or depth > max(len(path.parts) for path in paths):
            break
        depth += 1
    seen: dict[str, int] = {}
    unique = []
    for name in names:
        seen[name] = seen.get(name, 0) + 1
        unique.append(name if seen[name] == 1 else f"{name}-{seen[name]}")
    return [os.path.join(output_dir, name) for name in unique]


def _folder_name(path: Path, depth: int) -> str:
    parents = [part for part in path.parent.parts[-depth:] if part not in ("/", "")] if depth else []
    return "-".join([*parents, path.stem])


def verify_into_folder(topology: str, folder: str, options: VerifyOptions) -> BatchOutcome:
    """Verify one topology and write its reports into `folder` (in a worker process)."""
    from ..analyze import analyze, timestamp_now
    from ..rules import REGISTRY
    from ..selection import load_settings, select_rules

    silence_library_logging()
    started = time.perf_counter()
    notes: list[str] = []
    try:
        # Quiet here: the parent prints the notes with the topology's outcome.
        with input_warnings_shown(quiet=True) as notes:
            check_topology_file(topology)
            settings = load_settings(topology).overridden(
                select=options.select or None, ignore=options.ignore or None, fail_on=options.fail_on
            )
            rules = select_rules(REGISTRY, settings.select, settings.ignore)
            timestamp = timestamp_now()
            # Topologies already run in parallel: one process parses each.
            result = analyze(
                topology,
                backend=options.backend,
                timestamp=timestamp,
                rules=rules,
                today=dt.date.fromisoformat(timestamp[:10]),
                cache=open_cache(options.cache_dir, options.no_cache),
                jobs=1,
                allow_paths=options.allow_paths,
                budget=options.budget,
                reuse_result=not options.no_result_cache,
            )
        digest = shared_digest(result, options.formats)
        for output_format in options.formats:
            language = options.lang or ("ja" if output_format == "html" else default_lang())
            command = reproducing_command(topology, output_format, language, options.backend, timestamp, options.budget)
            stamped = replace(result, command=command, invocation=options.invocation, docs_url=options.docs_url)
            write_file(output_path(folder, output_format), render(stamped, output_format, language, digest))
    except InputError as error:
        return BatchOutcome(
            topology,
            folder,
            EXIT_INPUT,
            "input error",
            seconds=time.perf_counter() - started,
            problems=tuple(redact_quoted(str(problem)) for problem in error.problems),
            notes=tuple(notes),
        )
    except SystemExit as stop:  # a report that could not be written (already said on stderr)
        return BatchOutcome(
            topology,
            folder,
            int(stop.code or EXIT_INPUT),
            "input error",
            seconds=time.perf_counter() - started,
            problems=("cannot write the reports",),
        )
    except Exception as error:  # a file that could not be read or written, or a bug (as fail_unexpected)
        if isinstance(error, OSError) and error.filename is not None:
            return BatchOutcome(
                topology,
                folder,
                EXIT_INPUT,
                "input error",
                seconds=time.perf_counter() - started,
                problems=(redact_quoted(f"{error.filename}: {os_error_reason(error)}"),),
                notes=tuple(notes),
            )
        return BatchOutcome(
            topology,
            folder,
            EXIT_INTERNAL,
            "internal error",
            seconds=time.perf_counter() - started,
            problems=(redact(f"{type(error).__name__}: {error}"),),
        )
    violated = [f for f in result.findings if f.status == "violated"]
    return BatchOutcome(
        topology,
        folder,
        result.exit_code(settings.fail_on or "error"),
        result.verdict,
        errors=sum(1 for f in violated if f.severity == "error"),
        warnings=sum(1 for f in violated if f.severity == "warning"),
        inconclusive=sum(1 for f in result.findings if f.status == "inconclusive"),
        seconds=time.perf_counter() - started,
        notes=tuple(notes),
    )


def _announce(outcome: BatchOutcome, quiet: bool) -> None:
    if not quiet:
        for note in outcome.notes:
            click.echo(visible(note), err=True)
        click.echo(f"{shown_path(outcome.topology)}: {outcome.verdict} ({outcome.seconds:.1f} s)", err=True)


def summary_table(outcomes: list[BatchOutcome]) -> str:
    header = ("topology", "verdict", "errors", "warnings", "inconclusive", "exit", "seconds", "reports")
    rows = [header] + [
        (
            shown_path(outcome.topology),
            outcome.verdict,
            str(outcome.errors),
            str(outcome.warnings),
            str(outcome.inconclusive),
            str(outcome.exit_code),
            f"{outcome.seconds:.1f}",
            outcome.folder,
        )
        for outcome in outcomes
    ]
    widths = [max(len(row[column]) for row in rows) for column in range(len(header))]
    lines = ["  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip() for row in rows]
    lines += [
        f"{shown_path(outcome.topology)}: {visible(problem)}" for outcome in outcomes for problem in outcome.problems
    ]
    lines.append(
        f"{count_of(len(outcomes), 'topology', 'topologies')}; exit code {worst_exit_code(outcomes)} (the worst)"
    )
    return "\n".join(lines) + "\n"


def worst_exit_code(outcomes: list[BatchOutcome]) -> int:
    codes = {outcome.exit_code for outcome in outcomes}
    return next((code for code in EXIT_SEVERITY if code in codes), EXIT_OK)


def reproducing_command(
    topology: str, output_format: str, lang: str, backend: str, timestamp: str, budget: int = DEFAULT_BUDGET
) -> str:
    """The command that renders this one report again. When SOURCE_DATE_EPOCH pinned the
    timestamp it is part of the command, which then reproduces the report byte for byte; it is
    left out otherwise, so that the command, like the rest of the report, does not change
    from run to run. The output location is left out: it does not change the content."""
    words = [PROGRAM, "verify", topology, "--format", output_format, "--lang", lang]
    if backend != "auto":
        words += ["--engine", backend]
    if budget != DEFAULT_BUDGET:
        words += ["--budget", str(budget)]
    if os.environ.get("SOURCE_DATE_EPOCH"):
        moment = dt.datetime.fromisoformat(timestamp.replace("Z", "+00:00"))
        words.insert(0, f"SOURCE_DATE_EPOCH={int(moment.timestamp())}")
    return " ".join(shlex.quote(word) for word in words)
