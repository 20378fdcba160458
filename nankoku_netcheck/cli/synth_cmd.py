"""`nankoku-netcheck synth`: generate a fictional city (configs + topology) for benchmarks and tests."""

from __future__ import annotations

from pathlib import Path

import click

from ..synth import PLANTS, CitySpec, generate


@click.command()
@click.option("--devices", type=int, required=True, help="Devices in the city (at least 11).")
@click.option("--acl-lines", type=int, default=None, help="ACL entries in the whole city (default: 200 per device).")
@click.option(
    "--segments", type=int, default=0, help="Host segments (SVIs of access switches; default: two per access switch)."
)
@click.option("--seed", type=int, default=1, show_default=True, help="Same seed, same files.")
@click.option(
    "--plant",
    "plants",
    multiple=True,
    type=click.Choice(sorted(PLANTS)),
    metavar="NAME",
    help="Add a violation (repeatable): " + ", ".join(sorted(PLANTS)) + ".",
)
@click.option(
    "--out",
    "out_dir",
    type=click.Path(file_okay=False),
    required=True,
    help="Folder to write device_configs/, topology.yaml and expected.yaml into.",
)
def synth(devices: int, acl_lines: int | None, segments: int, seed: int, plants: tuple[str, ...], out_dir: str) -> None:
    """Generate a fictional city: the three zones with their cores, access switches and
    boundary firewalls (IOS and ASA, long ACLs with object-groups), an internet edge, an
    external link and sanitised channels. The city is compliant unless --plant adds
    violations; expected.yaml lists the error findings they must produce."""
    spec = CitySpec(
        devices=devices,
        acl_lines=200 * devices if acl_lines is None else acl_lines,
        segments=segments,
        seed=seed,
        plant=plants,
    )
    problems = spec.problems()
    if problems:
        raise click.UsageError("; ".join(problems))
    topology = generate(spec, Path(out_dir))
    click.echo(str(topology))
