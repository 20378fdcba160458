"""Static port forwards (one outer address and port to an inner host) as NatRule header
rewrites, for the plugins whose syntax has them (NEC IX `ip napt static`, AlliedWare Plus
`portfwd`).

The engine un-translates a static rule's whole mapped address: it matches neither the
protocol nor the ports of a forward (reach/nat.py), so a packet to any port of the outer
address reaches the inner host. Each rule keeps its protocol and ports for the report and
says so in `approximation`. Several forwards of one outer address to different inner hosts
cannot each be a rule of their own (the first would take every packet to the address and
the others would lose theirs): every forward of that address gets all of its inner hosts as
its real side, which the engine reads as any address of the smallest prefix covering them
(wider than the device, never narrower).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from nankoku_netcheck.model import NatRule, PortRange, Source

PORTS_NOT_MATCHED = "every port and protocol of the outer address reaches the inner host (the engine matches no ports)"
SEVERAL_INNER = "the outer address forwards to several inner hosts: any address covering them is taken as reached"


@dataclass(frozen=True)
class Forward:
    """Packets arriving on `interface` (None: any) for `outer` go to `inner`."""

    source: Source
    interface: str | None
    outer: int
    inner: int
    protocol: int | None = None
    outer_port: PortRange | None = None
    inner_port: PortRange | None = None
    # The device forwards only some packets (a service the config does not spell out).
    selective: bool = False


def forward_rules(forwards: Sequence[Forward], first_order: int, section: int = 1) -> list[NatRule]:
    """One static NatRule per forward, in order, numbered from `first_order`."""
    inner_hosts: dict[tuple[str | None, int], list[int]] = {}
    for forward in forwards:
        hosts = inner_hosts.setdefault((forward.interface, forward.outer), [])
        if forward.inner not in hosts:
            hosts.append(forward.inner)
    rules = []
    for offset, forward in enumerate(forwards):
        hosts = inner_hosts[(forward.interface, forward.outer)]
        selective = forward.selective or forward.protocol is not None or forward.outer_port is not None
        notes = [PORTS_NOT_MATCHED] if selective else []
        if len(hosts) > 1:
            notes.append(SEVERAL_INNER)
        rules.append(
            NatRule(
                source=forward.source,
                section=section,
                order=first_order + offset,
                kind="static",
                real_interface=None,
                mapped_interface=forward.interface,
                real_source=tuple((host, 32) for host in sorted(hosts)),
                mapped_source=((forward.outer, 32),),
                protocol=forward.protocol,
                real_port=forward.inner_port,
                mapped_port=forward.outer_port,
                approximation="; ".join(notes),
            )
        )
    return rules
