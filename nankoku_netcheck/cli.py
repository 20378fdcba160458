"""Command line: parses arguments, calls the library, renders. Nothing else."""

from __future__ import annotations

import os
import sys

import click

from . import __version__
from .errors import InputError

EXIT_OK, EXIT_VIOLATION, EXIT_INPUT, EXIT_INCONCLUSIVE, EXIT_INTERNAL = 0, 1, 2, 3, 4


def default_lang() -> str:
    for variable in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = os.environ.get(variable, "")
        if value:
            return "ja" if value.lower().startswith("ja") else "en"
    return "en"


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="nankoku-netcheck")
def main() -> None:
    """Prove 三層の対策 zone segmentation from router/firewall configs and a topology file."""


@main.command()
@click.argument("topology", type=click.Path(dir_okay=False))
@click.option("--format", "output_format", type=click.Choice(["text", "json"]), default="text",
              show_default=True, help="Output format.")
@click.option("--output", "-o", type=click.Path(dir_okay=False, writable=True),
              help="Write the report to this file instead of standard output.")
@click.option("--lang", type=click.Choice(["ja", "en"]), default=None,
              help="Language of messages (default: from LANG).")
@click.option("--fail-on", type=click.Choice(["error", "warning"]), default="error", show_default=True,
              help="Lowest severity of a violation that makes the exit code 1.")
@click.option("--engine", "backend", type=click.Choice(["auto", "cudd", "autoref"]), default="auto",
              show_default=True, help="BDD backend.")
@click.option("--quiet", "-q", is_flag=True, help="No progress output on stderr.")
def verify(topology: str, output_format: str, output: str | None, lang: str | None, fail_on: str,
           backend: str, quiet: bool) -> None:
    """Verify TOPOLOGY (a topology YAML file) and report every rule's verdict.

    Exit codes: 0 proven pass, 1 violations at or above --fail-on, 2 usage or input
    error, 3 no violation found but some property is inconclusive, 4 internal error.
    """
    from .analyze import analyze
    from .report import RENDERERS
    from .rules.flows import CrossCheckError

    language = lang or default_lang()
    _silence_library_logging()
    try:
        result = analyze(topology, backend=backend, progress=None if quiet else _progress())
    except InputError as error:
        for problem in error.problems:
            click.echo(f"error: {problem}", err=True)
        sys.exit(EXIT_INPUT)
    except CrossCheckError as error:
        click.echo(f"internal error (please report): {error}", err=True)
        sys.exit(EXIT_INTERNAL)
    rendered = RENDERERS[output_format](result, language)
    if output:
        try:
            with open(output, "w", encoding="utf-8") as handle:
                handle.write(rendered)
        except OSError as error:
            click.echo(f"error: {output}: cannot write the report: {error.strerror}", err=True)
            sys.exit(EXIT_INPUT)
    else:
        click.echo(rendered, nl=False)
    sys.exit(result.exit_code(fail_on))


def _progress():  # type: ignore[no-untyped-def]
    if not sys.stderr.isatty():
        return None

    def show(stage: str) -> None:
        click.echo(f"\r\033[K… {stage}", err=True, nl=False)

    return show


def _silence_library_logging() -> None:
    try:
        from loguru import logger

        logger.disable("ciscoconfparse2")
    except ImportError:
        pass


if __name__ == "__main__":
    main()
