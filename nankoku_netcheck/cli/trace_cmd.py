"""`nankoku-netcheck trace`: follow one packet."""

from __future__ import annotations

import click

from ..errors import InputError
from .caching import open_cache
from .common import (
    allow_path_option,
    budget_option,
    default_lang,
    fail_input,
    input_warnings_shown,
    silence_library_logging,
)


@click.command("trace")
@click.argument("topology", type=click.Path(dir_okay=False))
@click.option("--src", required=True, help="Source IPv4 address.")
@click.option("--dst", required=True, help="Destination IPv4 address.")
@click.option("--proto", default="tcp", show_default=True, help="tcp, udp, icmp or a protocol number.")
@click.option("--sport", type=click.IntRange(0, 65535), help="Source port (default 49152).")
@click.option("--dport", type=click.IntRange(0, 65535), help="Destination port (default 443).")
@click.option("--established", is_flag=True, help="TCP with ACK set (a reply).")
@click.option("--icmp-type", type=click.IntRange(0, 255), help="ICMP type (default 8, echo).")
@click.option(
    "--enters",
    metavar="DEVICE:INTERFACE",
    help="Where the packet enters, when its source is outside the modelled network.",
)
@click.option("--format", "output_format", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.option("--lang", type=click.Choice(["ja", "en"]), default=None)
@click.option(
    "--cache-dir",
    type=click.Path(file_okay=False),
    help="Cache folder for parsed configs (default: ~/.cache/nankoku-netcheck).",
)
@click.option("--no-cache", is_flag=True, help="Do not read or write the parse cache.")
@allow_path_option
@budget_option
def trace(
    topology: str,
    src: str,
    dst: str,
    proto: str,
    sport: int | None,
    dport: int | None,
    established: bool,
    icmp_type: int | None,
    enters: str | None,
    output_format: str,
    lang: str | None,
    cache_dir: str | None,
    no_cache: bool,
    allow_paths: tuple[str, ...],
    budget: int,
) -> None:
    """Every path one packet can take (ECMP included): each hop's ingress, route and ACL
    line that decided (file:line), and the final disposition."""
    from ..analyze import load
    from ..report.trace_report import render_trace_json, render_trace_text
    from ..tracing import make_packet, trace_packet

    silence_library_logging()
    try:
        packet = make_packet(src, dst, proto, sport, dport, established, icmp_type)
        with input_warnings_shown():
            loaded = load(topology, open_cache(cache_dir, no_cache), allow_paths=allow_paths)
        result = trace_packet(loaded, packet, enters, budget=budget)
    except InputError as error:
        fail_input(error)
        return
    if output_format == "json":
        click.echo(render_trace_json(result), nl=False)
    else:
        click.echo(render_trace_text(result, lang or default_lang()), nl=False)
