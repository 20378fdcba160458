"""Rule contexts over devices built by hand (no parser): for rules that read model facts a
parser of another branch or vendor fills, e.g. `Device.policy` or per-account restrictions."""

from __future__ import annotations

from collections.abc import Iterable

from nankoku_netcheck.graph import build_network
from nankoku_netcheck.model import (
    Device,
    DeviceEntry,
    Interface,
    InterfaceAddress,
    Located,
    Source,
    Topology,
    Zone,
    ZoneKind,
    ip_to_int,
    parse_prefix,
)
from nankoku_netcheck.reach.engine import ReachEngine, boundary_interfaces
from nankoku_netcheck.reach.packets import PacketSpace
from nankoku_netcheck.reach.trace import Tracer
from nankoku_netcheck.rules.flows import FlowContext

TOPOLOGY = "topology.yaml"


def source(device: str, line: int, text: str) -> Source:
    return Source(f"{device}.conf", line, text)


def interface(device: str, name: str, address: str, line: int) -> Interface:
    """An up interface with one address ("10.1.0.1/24")."""
    text, length = address.split("/")
    return Interface(
        name,
        source(device, line, f'edit "{name}"'),
        addresses=(InterfaceAddress(ip_to_int(text), int(length)),),
    )


def device(name: str, vendor: str, interfaces: Iterable[Interface] = ()) -> Device:
    built = Device(name=name, vendor=vendor, source_file=f"{name}.conf", hostname=name)
    built.interfaces = {item.name: item for item in interfaces}
    built.lines = (f"hostname {name}",)
    built.mgmt.hostname_source = source(name, 1, f"hostname {name}")
    return built


def zone(zone_id: str, kind: ZoneKind, prefix: str) -> Zone:
    return Zone(zone_id, kind, zone_id, (parse_prefix(prefix),), (), Located(TOPOLOGY, 1))


def context(devices: Iterable[Device], zones: Iterable[Zone] = ()) -> FlowContext:
    """The FlowContext analyze() would build for these devices in a topology with `zones`."""
    by_name = {item.name: item for item in devices}
    entries = tuple(
        DeviceEntry(name, f"/{name}.conf", f"{name}.conf", item.vendor, None, Located(TOPOLOGY, 1))
        for name, item in sorted(by_name.items())
    )
    topology = Topology(
        path=TOPOLOGY,
        version=1,
        name="handbuilt",
        policy="nankoku-2019",
        configs_dir="",
        devices=entries,
        links=(),
        zones=tuple(zones),
        external_peers=(),
        channels=(),
        exceptions=(),
    )
    network = build_network(topology, by_name)
    space = PacketSpace()
    engine = ReachEngine(network, space, boundary_interfaces(network))
    return FlowContext(network, space, engine, Tracer(engine))
