"""`trace` as a library call: every path one packet can take, with what decided each hop."""

from __future__ import annotations

from dataclasses import dataclass

from .analyze import Loaded
from .errors import InputError
from .model import PROTO_ICMP, PROTO_TCP, PROTO_UDP, ip_to_int, is_decimal
from .reach.budget import DEFAULT_BUDGET
from .reach.engine import Endpoint, ReachEngine, Start, boundary_interfaces
from .reach.packets import Packet, PacketSpace
from .reach.trace import Caveat, TracePath, Tracer, path_caveats

PROTOCOL_NUMBERS = {"tcp": PROTO_TCP, "udp": PROTO_UDP, "icmp": PROTO_ICMP}


@dataclass(frozen=True)
class PacketTrace:
    packet: Packet
    start: Start
    paths: tuple[TracePath, ...]
    zone_of_endpoint: tuple[tuple[Endpoint, str], ...]  # endpoint → zone id / "internet upstream" / ""
    # Per path, per hop: what the trace may get wrong there (reach/trace.py `hop_caveats`).
    caveats: tuple[tuple[tuple[Caveat, ...], ...], ...] = ()
    exhausted: bool = False  # the enumeration stopped on its budget: `paths` are only some paths
    budget: int = DEFAULT_BUDGET
    # (device, interface) → VRF, for the interfaces of the paths that are in one.
    vrfs: tuple[tuple[tuple[str, str], str], ...] = ()

    def may_differ(self) -> bool:
        return any(hop for path in self.caveats for hop in path)


def make_packet(
    src: str,
    dst: str,
    proto: str,
    sport: int | None,
    dport: int | None,
    established: bool,
    icmp_type: int | None = None,
    icmp_code: int | None = None,
) -> Packet:
    problems = []
    try:
        source, destination = ip_to_int(src), ip_to_int(dst)
    except ValueError as error:
        raise InputError.single("--src/--dst", 0, str(error)) from error
    number = PROTOCOL_NUMBERS.get(proto.lower()) if not is_decimal(proto) else int(proto)
    if number is None or not 0 <= number <= 255:
        raise InputError.single("--proto", 0, f"unknown protocol {proto!r} (expected tcp, udp, icmp or 0-255)")
    has_ports = number in (PROTO_TCP, PROTO_UDP)
    if not has_ports and (sport or dport):
        problems.append("ports are only meaningful with tcp or udp")
    if established and number != PROTO_TCP:
        problems.append("--established is only meaningful with tcp")
    if problems:
        raise InputError.single("trace", 0, "; ".join(problems))
    return Packet(
        src=source,
        dst=destination,
        proto=number,
        sport=(sport if sport is not None else 49152) if has_ports else 0,
        dport=(dport if dport is not None else 443) if has_ports else 0,
        established=established,
        icmp_type=(icmp_type if icmp_type is not None else 8) if number == PROTO_ICMP else 0,
        icmp_code=(icmp_code or 0) if number == PROTO_ICMP else 0,
    )


def trace_packet(
    loaded: Loaded, packet: Packet, enters: str | None = None, backend: str = "auto", budget: int = DEFAULT_BUDGET
) -> PacketTrace:
    """Every path of `packet`. It starts on the segment holding its source address, or
    enters the device:interface given (traffic arriving from outside the model). `budget`:
    devices the enumeration may step through (see reach/budget.py)."""
    network = loaded.network
    engine = ReachEngine(network, PacketSpace(backend), boundary_interfaces(network))
    if enters:
        device, _, interface = enters.partition(":")
        from .graph import resolve_interface_name

        if device not in network.devices or resolve_interface_name(network.devices[device], interface) is None:
            raise InputError.single(
                "--enters", 0, f"no interface {enters!r} in the network (expected device:interface)"
            )
        start = Start(device=device, interface=resolve_interface_name(network.devices[device], interface) or "")
    else:
        holding = sorted(s.id for s in network.segments.values() if s.contains(packet.src))
        if not holding:
            raise InputError.single(
                "--src",
                0,
                "no segment of the network holds this source address; "
                "use --enters device:interface for traffic from outside",
            )
        start = Start(segment=holding[0])
    tracer = Tracer(engine, max_paths=256, budget=budget)
    paths = tuple(tracer.trace(start, packet))
    zones = tuple(
        (path.endpoint, _endpoint_zone(loaded, path.endpoint, packet)) for path in paths if path.endpoint is not None
    )
    caveats = tuple(path_caveats(network, path, packet) for path in paths)
    vrfs = {
        (hop.device, name): network.devices[hop.device].interfaces[name].vrf
        for path in paths
        for hop in path.hops
        for name in (hop.in_interface, hop.out_interface)
        if name and network.devices[hop.device].interfaces[name].vrf
    }
    return PacketTrace(
        packet, start, paths, tuple(dict(zones).items()), caveats, tracer.exhausted, budget, tuple(sorted(vrfs.items()))
    )


def _endpoint_zone(loaded: Loaded, endpoint: Endpoint, packet: Packet) -> str:
    network = loaded.network
    if endpoint.kind == "exit":
        for zone in loaded.topology.zones:
            if any(network.interface_ref(ref) == (endpoint.device, endpoint.interface) for ref in zone.upstream):
                return f"{zone.id} (upstream)"
        for peer in loaded.topology.external_peers:
            if network.interface_ref(peer.attach) == (endpoint.device, endpoint.interface):
                return f"peer:{peer.id}"
    return network.zones.zone_of(packet.dst) or ""
