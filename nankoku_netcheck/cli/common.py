"""What every command shares: exit codes, language, writing reports, library logging."""

from __future__ import annotations

import os
import sys

import click

from ..errors import InputError
from ..report import RENDERERS
from ..result import Result

EXIT_OK, EXIT_VIOLATION, EXIT_INPUT, EXIT_INCONCLUSIVE, EXIT_INTERNAL = 0, 1, 2, 3, 4


def default_lang() -> str:
    for variable in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = os.environ.get(variable, "")
        if value:
            return "ja" if value.lower().startswith("ja") else "en"
    return "en"


def fail_input(error: InputError) -> None:
    for problem in error.problems:
        click.echo(f"error: {problem}", err=True)
    sys.exit(EXIT_INPUT)


def write_report(result: Result, output_format: str, output: str | None, lang: str) -> None:
    rendered = RENDERERS[output_format](result, lang)
    if not output:
        click.echo(rendered, nl=False)
        return
    try:
        with open(output, "w", encoding="utf-8") as handle:
            handle.write(rendered)
    except OSError as error:
        click.echo(f"error: {output}: cannot write the report: {error.strerror}", err=True)
        sys.exit(EXIT_INPUT)


def silence_library_logging() -> None:
    try:
        from loguru import logger

        logger.disable("ciscoconfparse2")
    except ImportError:
        pass
