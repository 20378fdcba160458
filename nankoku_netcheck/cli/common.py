"""What every command shares: exit codes, language, writing reports, progress, library logging.

Input errors quote the offending input between quotes: only those fragments pass through `redact`
(the message's own words stay intact); internal errors, which may quote anything, are redacted whole."""

from __future__ import annotations

import errno
import os
import shlex
import sys
import tempfile
import threading
import traceback
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from types import TracebackType
from typing import TYPE_CHECKING, TypeVar

import click

from ..errors import InputError, InputWarning
from ..inputs import check_input_file, os_error_reason
from ..reach.budget import DEFAULT_BUDGET
from ..redact import redact, redact_quoted
from ..report import FILE_NAMES, RENDERERS
from ..report.common import shown_path, visible
from ..result import Result

if TYPE_CHECKING:
    from rich.console import Console

EXIT_OK, EXIT_VIOLATION, EXIT_INPUT, EXIT_INCONCLUSIVE, EXIT_INTERNAL = 0, 1, 2, 3, 4

PROGRAM = "nankoku-netcheck"
# Where the command group keeps the arguments as typed (click.Context.meta, shared with subcommands).
INVOCATION_KEY = "nankoku_netcheck.arguments"


def invocation() -> str:
    """The command line this run was started with, as a shell would take it back
    (`nankoku-netcheck verify …`); "" outside a command."""
    context = click.get_current_context(silent=True)
    arguments = context.meta.get(INVOCATION_KEY) if context is not None else None
    if arguments is None:
        return ""
    return shlex.join([PROGRAM, *arguments])


budget_option = click.option(
    "--budget",
    type=click.IntRange(min=1),
    default=DEFAULT_BUDGET,
    show_default=True,
    help="Work units one search may spend (packet sets entering a device). A search that runs out "
    "stops, and what rests on it is inconclusive (META-003).",
)


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


def fail_os(error: OSError) -> None:
    """A file the run needs could not be read or written (a settings file, the cache, a
    report): the environment's problem, so exit 2 with the path and the reason."""
    where = f"{error.filename}: " if error.filename else ""
    click.echo(f"error: {redact_quoted(where + os_error_reason(error))}", err=True)
    sys.exit(EXIT_INPUT)


def fail_unexpected(error: Exception) -> None:
    """An exception no command expected: exit 2 for a file that could not be read or
    written (it names the file), else exit 4 as an internal error."""
    if isinstance(error, OSError) and error.filename is not None:
        fail_os(error)
    fail_internal(error)


# Saved tracebacks are named like this in the temporary folder.
TRACEBACK_PREFIX = "nankoku-netcheck-traceback-"


def fail_internal(error: BaseException) -> None:
    """An unexpected error: one line on the terminal, and the traceback (which helps the
    maintainers) saved to a file readable by the user only. Both are redacted because
    exception messages may quote a config line."""
    first_line = (str(error).strip().splitlines() or [""])[0]
    summary = visible(redact(f"{type(error).__name__}: {first_line}" if first_line else type(error).__name__))
    saved = save_traceback(error)
    where = f"; traceback saved to {shown_path(saved)}" if saved else ""
    click.echo(f"internal error (please report it{' with that file' if saved else ''}): {summary}{where}", err=True)
    sys.exit(EXIT_INTERNAL)


def save_traceback(error: BaseException) -> str | None:
    """Write the redacted traceback to a new file (mode 0600) in the temporary folder; its
    path, or None when even that fails (the one-line message then stands alone)."""
    details = redact("".join(traceback.format_exception(error)))
    try:
        # mkstemp creates the file with mode 0600 and a name no one else can have taken.
        handle, path = tempfile.mkstemp(prefix=TRACEBACK_PREFIX, suffix=".txt")
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            stream.write(details)
    except OSError:
        return None
    return path


Command = TypeVar("Command", bound=Callable[..., object])


def jobs_option(what: str) -> Callable[[Command], Command]:
    """--jobs N / -j N: processes to use (default: one per core); `what`: what they do for the command."""
    return click.option(
        "--jobs",
        "-j",
        type=click.IntRange(min=1),
        default=None,
        help=f"Processes to use (default: one per core): {what}",
    )


def allow_path_option(command: Command) -> Command:
    """--allow-path DIR, for every command that loads a topology."""
    return click.option(
        "--allow-path",
        "allow_paths",
        multiple=True,
        metavar="DIR",
        type=click.Path(exists=True, file_okay=False),
        help="Also read configs from DIR (repeatable). By default the configs folder and every config must "
        "lie in the git work tree holding the topology (else the topology's folder).",
    )(command)


def check_topology_file(path: str) -> None:
    """Refuse a topology path that is missing, a loop or unreachable before anything
    looks at it (the settings lookup resolves its folder)."""
    check_input_file(path, what="topology file")


@contextmanager
def input_warnings_shown(quiet: bool = False) -> Iterator[list[str]]:
    """Collect the InputWarnings issued inside; on leaving, print each once as a
    `warning:` line on standard error (not with --quiet). Yields the lines, for callers
    that pass them on (a batch worker). Other warnings are shown as usual."""
    shown: list[str] = []
    with warnings.catch_warnings(record=True) as caught:
        # Only InputWarnings are forced on: other categories keep the filters in force.
        warnings.simplefilter("always", InputWarning)
        try:
            yield shown
        finally:
            for record in caught:
                if isinstance(record.message, InputWarning):
                    line = f"warning: {visible(redact_quoted(str(record.message.problem)))}"
                    if line not in shown:
                        shown.append(line)
                else:
                    warnings.showwarning(record.message, record.category, record.filename, record.lineno)
            if not quiet:
                for line in shown:
                    click.echo(line, err=True)


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


def check_output_file(path: str | None) -> None:
    """Refuse an --output that cannot be written, before the analysis runs: its folder must
    exist (a mistyped path is not created) and the path must not be a folder."""
    if not path:
        return
    folder = os.path.dirname(os.path.abspath(path))
    problem = None
    if os.path.isdir(path):
        problem = "is a folder (expected a file path)"
    elif not os.path.isdir(folder):
        reason = _folder_reason(folder)
        problem = f"cannot write the report: the folder {folder} {reason}"
    elif not os.access(folder, os.W_OK):
        problem = f"cannot write the report: permission denied (the folder {folder} is not writable)"
    if problem:
        click.echo(f"error: {path}: {problem}", err=True)
        sys.exit(EXIT_INPUT)


def check_output_dir(path: str | None) -> None:
    """Refuse an --output-dir that exists but is not a folder, or cannot be created."""
    if not path:
        return
    problem = None
    target = os.path.abspath(path)
    existing = target
    while not os.path.lexists(existing):
        existing = os.path.dirname(existing)
    if not os.path.isdir(existing):
        problem = (
            "exists and is not a folder" if existing == target else f"cannot be created: {existing} is not a folder"
        ) + " (expected a folder for the reports)"
    elif not os.access(existing, os.W_OK):
        problem = f"cannot write the reports: permission denied (the folder {existing} is not writable)"
    if problem:
        click.echo(f"error: {path}: {problem}", err=True)
        sys.exit(EXIT_INPUT)


def _folder_reason(folder: str) -> str:
    try:
        os.stat(folder)
    except OSError as error:
        return "does not exist" if error.errno == errno.ENOENT else f"cannot be reached: {os_error_reason(error)}"
    return "is not a folder"


def write_report(
    result: Result, output_format: str, output: str | None, lang: str, create_folder: bool = False
) -> None:
    """Render one format to `output`, or to standard output when no file is given;
    `create_folder`: make the file's folder first (an --output-dir)."""
    rendered = RENDERERS[output_format](result, lang)
    if not output:
        if output_format == "text" and colour_wanted(sys.stdout.isatty()):
            rendered = _coloured_verdict(rendered, result.verdict)
        click.echo(rendered, nl=False)
        return
    write_file(output, rendered, create_folder)


def write_file(path: str, text: str, create_folder: bool = True) -> None:
    """Write a report; `create_folder`: make its folder first (the --output-dir folders;
    an --output file's folder must exist)."""
    try:
        directory = os.path.dirname(path)
        if directory and create_folder:
            os.makedirs(directory, exist_ok=True)
        # newline="" keeps the renderer's line ends (CSV needs CRLF on every platform)
        with open(path, "w", encoding="utf-8", newline="") as handle:
            handle.write(text)
    except OSError as error:
        click.echo(f"error: {shown_path(path)}: cannot write the report: {os_error_reason(error)}", err=True)
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

    def __init__(
        self, total: int | None = None, console: Console | None = None, delay: float = PROGRESS_DELAY_SECONDS
    ) -> None:
        from rich.console import Console
        from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

        console = console or Console(stderr=True, no_color=bool(os.environ.get("NO_COLOR")))
        self._progress = Progress(
            SpinnerColumn(),
            TextColumn("{task.description}"),
            BarColumn(),
            TimeElapsedColumn(),
            console=console,
            transient=True,
        )
        self._task = self._progress.add_task("start", total=total)  # no total: a pulsing bar
        self._lock = threading.Lock()
        self._state = "waiting"  # waiting → shown → stopped
        self._timer = threading.Timer(delay, self._show)
        self._timer.daemon = True

    def __enter__(self) -> ProgressBar:
        self._timer.start()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
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
