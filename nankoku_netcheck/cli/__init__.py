"""Command line: each command parses arguments, calls the library and renders. Nothing else.

Commands are added to the group explicitly here (no registration on import)."""

from __future__ import annotations

import click

from .. import __version__
from .diff_cmd import diff
from .rules_cmd import rules
from .synth_cmd import synth
from .trace_cmd import trace
from .verify import verify


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="nankoku-netcheck")
def main() -> None:
    """Prove 三層の対策 zone segmentation from router/firewall configs and a topology file."""


main.add_command(verify)
main.add_command(diff)
main.add_command(trace)
main.add_command(rules)
main.add_command(synth)

__all__ = ["main"]
