"""Command line: each command parses arguments, calls the library and renders. Nothing else.

Commands are added to the group explicitly here (no registration on import)."""

from __future__ import annotations

from typing import Any

import click

from .. import __version__
from .common import INVOCATION_KEY, fail_unexpected
from .diff_cmd import diff
from .init_cmd import init
from .rules_cmd import rules
from .schema_cmd import schema
from .synth_cmd import synth
from .trace_cmd import trace
from .verify import verify


class _Guarded(click.Group):
    """Every command's unexpected exception ends as exit 4 with one line and a saved
    traceback file (never a raw trace, never exit 1, which means "violation"); a file
    that cannot be read or written ends as exit 2."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        # The words as typed, before parsing, for the reports that record the command line.
        ctx.meta[INVOCATION_KEY] = tuple(args)
        return super().parse_args(ctx, args)

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        # click's own exceptions (usage errors, --help, Abort) carry their exit codes.
        except (click.exceptions.ClickException, click.exceptions.Exit, click.exceptions.Abort):
            raise
        except Exception as error:
            fail_unexpected(error)


@click.group(cls=_Guarded, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="nankoku-netcheck")
def main() -> None:
    """Prove 三層の対策 zone segmentation from router/firewall configs and a topology file."""


main.add_command(verify)
main.add_command(diff)
main.add_command(trace)
main.add_command(rules)
main.add_command(synth)
main.add_command(schema)
main.add_command(init)

__all__ = ["main"]
