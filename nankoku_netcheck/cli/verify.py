"""`nankoku-netcheck verify`."""

from __future__ import annotations

import sys

import click

from ..errors import InputError
from .common import EXIT_INTERNAL, default_lang, fail_input, silence_library_logging, write_report


@click.command()
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
    from ..analyze import analyze
    from ..rules.flows import CrossCheckError

    silence_library_logging()
    progress = None if quiet else _progress()
    try:
        result = analyze(topology, backend=backend, progress=progress)
    except InputError as error:
        fail_input(error)
        return
    except CrossCheckError as error:
        click.echo(f"internal error (please report): {error}", err=True)
        sys.exit(EXIT_INTERNAL)
    finally:
        if progress is not None:
            click.echo("\r\033[K", err=True, nl=False)
    write_report(result, output_format, output, lang or default_lang())
    sys.exit(result.exit_code(fail_on))


def _progress():  # type: ignore[no-untyped-def]
    if not sys.stderr.isatty():
        return None

    def show(stage: str) -> None:
        click.echo(f"\r\033[K… {stage}", err=True, nl=False)

    return show
