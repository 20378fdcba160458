"""Checks shared by the property tests: the engine and the tracer against the oracle on a
generated network, and the conversions between the engine's and the oracle's terms."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import oracle
import strategies as gen
from hypothesis import note
from hypothesis import strategies as st

from nankoku_netcheck.reach.engine import Endpoint, ReachEngine, Start
from nankoku_netcheck.reach.packets import Packet, PacketSpace
from nankoku_netcheck.reach.trace import Tracer

NetworkRuns = tuple[gen.NetworkCase, list[tuple[gen.StartPoint, Packet]]]
TRACER_PATH_LIMIT = 2_000


def as_tuple(endpoint: Endpoint) -> oracle.OracleEndpoint:
    return (endpoint.kind, endpoint.device, endpoint.interface, endpoint.segment)


def as_start(start: gen.StartPoint) -> Start:
    segment, device, interface = start
    return Start(segment=segment, device=device, interface=interface)


def oracle_endpoints(case: gen.NetworkCase, start: gen.StartPoint, packet: Packet) -> set[oracle.OracleEndpoint]:
    segment, device, interface = start
    return oracle.reachable_endpoints(
        case.network, packet, segment=segment, device=device, interface=interface, boundary=case.boundary
    )


def runs_on(networks: Callable[[], st.SearchStrategy[gen.NetworkCase]]) -> st.SearchStrategy[NetworkRuns]:
    """A generated network and one to four (start, packet) runs on it."""

    @st.composite
    def build(draw: st.DrawFn) -> NetworkRuns:
        case = draw(networks())
        runs = draw(
            st.lists(st.tuples(st.sampled_from(case.starts), gen.packets(case.addresses)), min_size=1, max_size=4)
        )
        return case, runs

    return build()


def check_network(space: PacketSpace, case: gen.NetworkCase, runs: Sequence[tuple[gen.StartPoint, Packet]]) -> None:
    """Both directions: each run's endpoints are the oracle's, and a packet the engine picks
    from each delivered set really gets there."""
    note(gen.describe_firewalls(case))
    engine = ReachEngine(case.network, space, case.boundary)
    for start, packet in runs:
        result = engine.reach([(as_start(start), space.packet(packet))])
        delivered = {as_tuple(e) for e, packets in result.delivered.items() if space.contains(packets, packet)}
        assert delivered == oracle_endpoints(case, start, packet), f"start {start}, {packet.describe()}"
    # Everything at once from one start: each delivered set holds only packets that really get there.
    start = runs[0][0]
    result = engine.reach([(as_start(start), space.valid)])
    for endpoint, packets in result.delivered.items():
        example = space.pick(packets)
        assert example is not None
        assert as_tuple(endpoint) in oracle_endpoints(case, start, example), f"{endpoint}: {example.describe()}"


def check_tracer(space: PacketSpace, case: gen.NetworkCase, runs: Sequence[tuple[gen.StartPoint, Packet]]) -> None:
    note(gen.describe_firewalls(case))
    tracer = Tracer(ReachEngine(case.network, space, case.boundary), max_paths=TRACER_PATH_LIMIT)
    for start, packet in runs:
        paths = tracer.trace(as_start(start), packet)
        if len(paths) >= TRACER_PATH_LIMIT:
            continue  # the tracer lists paths, exponentially many with proxy ARP; it stopped early
        delivered = {
            as_tuple(path.endpoint) for path in paths if path.disposition == "delivered" and path.endpoint is not None
        }
        assert delivered == oracle_endpoints(case, start, packet), f"start {start}, {packet.describe()}"
