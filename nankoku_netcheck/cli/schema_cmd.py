"""`nankoku-netcheck schema`: the JSON Schema of the tool's JSON documents."""

from __future__ import annotations

from importlib import resources

import click

SCHEMA_FILE = ("data", "schema", "netcheck.schema.json")


def schema_text() -> str:
    """The schema shipped in the package (data/schema/netcheck.schema.json)."""
    return resources.files("nankoku_netcheck").joinpath(*SCHEMA_FILE).read_text(encoding="utf-8")


@click.command("schema")
def schema() -> None:
    """Print the JSON Schema (draft 2020-12) of the JSON report (verify --format json), the
    change review (diff --format json) and the baseline file (verify --write-baseline)."""
    click.echo(schema_text(), nl=False)
