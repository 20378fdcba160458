"""What every command shares: exit codes, language, writing reports, progress, library logging.

Input errors quote the offending input between quotes: only those fragments pass through `redact`
(the message's own words stay intact); internal errors, which may quote anything, are redacted whole."""

from __future__ import annotations

import os
import sys
import threading
import traceback
from types import TracebackType
from typing import TYPE_CHECKING

import click

from ..errors import InputError
from ..redact import redact, redact_quoted
from ..report import FILE_NAMES, RENDERERS
from ..report.common import shown_path, visible
from ..result import Result

if TYPE_CHECKING:
    from rich.console import Console

EXIT_OK, EXIT_VIOLATION, EXIT_INPUT, EXIT_INCONCLUSIVE, EXIT_INTERNAL = 0, 1, 2, 3, 4

# Runs shorter than this show no progress bar (it would only flicker).
PROGRESS_DELAY_SECONDS = 1.0


def default_lang() -> str:
    for variable in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = os.environ.get(variable, "")
        if value:
            return "ja" if value.lower().startswith("ja") else "en"
    return "en"


def colour_wanted(stream_is_terminal: bool) -> bool:
    """Colour only on a terminal and never when NO_COLOR is set (https://no-color.org)."""
    return stream_is_terminal and not os.environ.get("NO_COLOR")


def fail_input(error: InputError) -> None:
    for problem in error.problems:
        click.echo(f"error: {visible(redact_quoted(str(problem)))}", err=True)
    sys.exit(EXIT_INPUT)


def fail_internal(error: BaseException) -> None:
    """An unexpected error: the traceback helps the maintainers, redacted because exception
    messages may quote a config line."""
    details = "".join(traceback.format_exception(error))
    click.echo(f"internal error (please report): {visible(redact(str(error)))}", err=True)
    click.echo("".join(visible(line) + "\n" for line in redact(details).splitlines()), err=True, nl=False)
    sys.exit(EXIT_INTERNAL)


# --- formats and outputs --------------------------------------------------------------------


def parse_formats(value: str) -> list[str]:
    """`text,json,sarif` → ["text", "json", "sarif"], in order, without repeats."""
    formats: list[str] = []
    for item in value.split(","):
        name = item.strip().lower()
        if not name:
            continue
        if name not in RENDERERS:
            known = ", ".join(RENDERERS)
            raise click.BadParameter(f"unknown format '{name}' (known: {known})", param_hint="'--format'")
        if name not in formats:
            formats.append(name)
    if not formats:
        raise click.BadParameter("give at least one format", param_hint="'--format'")
    return formats


def check_outputs(formats: list[str], output: str | None, output_dir: str | None) -> None:
    if output and output_dir:
        raise click.UsageError("give either --output FILE or --output-dir DIR, not both")
    if len(formats) > 1 and not output_dir:
        raise click.UsageError("several formats need --output-dir DIR (one file per format)")


def write_report(result: Result, output_format: str, output: str | None, lang: str) -> None:
    """Render one format to `output`, or to standard output when no file is given."""
    rendered = RENDERERS[output_format](result, lang)
    if not output:
        if output_format == "text" and colour_wanted(sys.stdout.isatty()):
            rendered = _coloured_verdict(rendered, result.verdict)
        click.echo(rendered, nl=False)
        return
    write_file(output, rendered)


def write_file(path: str, text: str) -> None:
    try:
        directory = os.path.dirname(path)
        if directory:
            os.makedirs(directory, exist_ok=True)
        # newline="" keeps the renderer's line ends (CSV needs CRLF on every platform)
        with open(path, "w", encoding="utf-8", newline="") as handle:
            handle.write(text)
    except OSError as error:
        click.echo(f"error: {shown_path(path)}: cannot write the report: {error.strerror}", err=True)
        sys.exit(EXIT_INPUT)


def output_path(output_dir: str, output_format: str) -> str:
    return os.path.join(output_dir, FILE_NAMES[output_format])


def _coloured_verdict(rendered: str, verdict: str) -> str:
    colour = {"pass": "green", "fail": "red"}.get(verdict, "yellow")
    lines = rendered.split("\n")
    for index in range(len(lines) - 1, -1, -1):
        if lines[index].startswith(("VERDICT:", "判定:")):
            lines[index] = click.style(lines[index], fg=colour, bold=True)
            break
    return "\n".join(lines)


# --- progress -------------------------------------------------------------------------------


class ProgressBar:
    """A rich progress bar on standard error, shown only when standard error is a terminal and
    only once the run has taken longer than PROGRESS_DELAY_SECONDS. Use as a context manager;
    the instance is the `progress` callback analyze() takes."""

    def __init__(self, total: int | None = None, console: Console | None = None,
                 delay: float = PROGRESS_DELAY_SECONDS) -> None:
        from rich.console import Console
        from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

        console = console or Console(stderr=True, no_color=bool(os.environ.get("NO_COLOR")))
        self._progress = Progress(SpinnerColumn(), TextColumn("{task.description}"), BarColumn(),
                                  TimeElapsedColumn(), console=console, transient=True)
        self._task = self._progress.add_task("start", total=total)  # no total: a pulsing bar
        self._lock = threading.Lock()
        self._state = "waiting"  # waiting → shown → stopped
        self._timer = threading.Timer(delay, self._show)
        self._timer.daemon = True

    def __enter__(self) -> ProgressBar:
        self._timer.start()
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        self._timer.cancel()
        with self._lock:
            if self._state == "shown":
                self._progress.stop()
            self._state = "stopped"

    def __call__(self, stage: str) -> None:
        from rich.markup import escape

        # rich reads [...] in a description as markup: a stage naming a device must print as written
        self._progress.update(self._task, description=escape(visible(stage)), advance=1)

    def _show(self) -> None:
        with self._lock:
            if self._state == "waiting":
                self._progress.start()
                self._state = "shown"


def progress_bar(quiet: bool, total: int | None = None) -> ProgressBar | None:
    if quiet or not sys.stderr.isatty():
        return None
    return ProgressBar(total)


def silence_library_logging() -> None:
    try:
        from loguru import logger

        logger.disable("ciscoconfparse2")
    except ImportError:
        pass
