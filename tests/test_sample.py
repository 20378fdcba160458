"""The bundled sample city against its hand analysis (samples/expected-*.yaml).

Every hand-traced packet is checked with the package's tracer (which also names the deciding
ACL lines) and its symbolic engine, and with the test oracle (tests/oracle.py) unless its fate
depends on firewall semantics the stateless oracle does not model (`firewall_semantics`:
connection state, security levels, NAT). Every planted mistake of the broken state must be
reported by its rule, with the line it added.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

import oracle
import pytest
import yaml
from conftest import REPO

from nankoku_netcheck.analyze import analyze, load
from nankoku_netcheck.model import ip_to_int
from nankoku_netcheck.reach.engine import Endpoint, ReachEngine, Start, boundary_interfaces
from nankoku_netcheck.reach.packets import Packet, PacketSpace
from nankoku_netcheck.reach.trace import Tracer

EXPECTED_COMPLIANT = yaml.safe_load((REPO / "samples" / "expected-compliant.yaml").read_text(encoding="utf-8"))
EXPECTED_BROKEN = yaml.safe_load((REPO / "samples" / "expected-broken.yaml").read_text(encoding="utf-8"))
PROTOCOLS = {"tcp": 6, "udp": 17, "icmp": 1}


class Sample:
    def __init__(self, topology: str) -> None:
        self.loaded = load(str(REPO / "topologies" / topology))
        self.network = self.loaded.network
        self.boundary = boundary_interfaces(self.network)
        self.engine = ReachEngine(self.network, PacketSpace(), self.boundary)
        self.tracer = Tracer(self.engine)

    def start(self, item: dict[str, Any], packet: Packet) -> Start:
        if "enters" in item:
            device, interface = item["enters"].split(":", 1)
            return Start(device=device, interface=interface)
        for segment in self.network.segments.values():
            if segment.contains(packet.src):
                return Start(segment=segment.id)
        raise AssertionError(f"no segment holds {item['packet']['src']}")

    def endpoint(self, delivered: dict[str, str]) -> Endpoint:
        kind, where = next(iter(delivered.items()))
        if kind == "segment":
            device, interface = where.split(":", 1)
            return Endpoint("hosts", segment=self.network.segment_of[(device, interface)])
        if kind == "to_device":
            return Endpoint("device", device=where)
        device, interface = where.split(":", 1)
        return Endpoint("exit", device=device, interface=interface)

    def endpoints_reached(self, endpoints: Any) -> set[Endpoint]:
        """Endpoints with the NAT rewrites on the way dropped: where, not how."""
        return {replace(endpoint, translation=()) for endpoint in endpoints}

    def oracle_endpoints(self, start: Start, packet: Packet) -> set[Endpoint]:
        found = oracle.reachable_endpoints(
            self.network,
            packet,
            segment=start.segment,
            device=start.device,
            interface=start.interface,
            boundary=self.boundary,
        )
        return {Endpoint(*raw) for raw in found}


def packet_of(spec: dict[str, Any]) -> Packet:
    proto = PROTOCOLS[spec["proto"]]
    return Packet(
        src=ip_to_int(spec["src"]),
        dst=ip_to_int(spec["dst"]),
        proto=proto,
        sport=spec.get("sport", 0),
        dport=spec.get("dport", 0),
        established=bool(spec.get("established", False)),
        icmp_type=spec.get("icmp_type", 0),
        icmp_code=spec.get("icmp_code", 0),
    )


@pytest.fixture(scope="module")
def compliant() -> Sample:
    return Sample("nankoku.yaml")


@pytest.fixture(scope="module")
def broken() -> Sample:
    return Sample("nankoku-broken.yaml")


def line_keys(lines: list[dict[str, Any]]) -> list[tuple[str, int]]:
    return [(Path(line["file"]).name, line["line"]) for line in lines]


def assert_arrives_by_hand_traced_path(sample: Sample, item: dict[str, Any]) -> None:
    """A hand-traced permitted packet: the oracle (unless it rests on firewall state), the
    tracer (by the listed devices, decided by the listed lines) and the engine deliver it."""
    packet = packet_of(item["packet"])
    start = sample.start(item, packet)
    expected = sample.endpoint(item["delivered"])
    if not item.get("firewall_semantics"):
        assert expected in sample.oracle_endpoints(start, packet)
    paths = [
        p
        for p in sample.tracer.trace(start, packet)
        if p.endpoint is not None and sample.endpoints_reached([p.endpoint]) == {expected}
    ]
    assert paths, f"tracer does not deliver {item['id']}"
    path = paths[0]
    assert [hop.device for hop in path.hops] == item["path"]
    deciding = [
        (Path(d.line.source.file).name, d.line.source.line)
        for hop in path.hops
        for d in (hop.ingress, hop.egress)
        if d is not None and d.line is not None
    ]
    assert deciding == line_keys(item["acl_lines"])
    space = sample.engine.space
    delivered = sample.engine.reach([(start, space.packet(packet))]).delivered
    assert any(
        space.contains(packets, packet)
        for endpoint, packets in delivered.items()
        if sample.endpoints_reached([endpoint]) == {expected}
    )


@pytest.mark.parametrize("item", EXPECTED_COMPLIANT["permitted"], ids=lambda item: item["id"])
def test_permitted_packets_arrive_by_the_hand_traced_path(compliant: Sample, item: dict[str, Any]) -> None:
    assert_arrives_by_hand_traced_path(compliant, item)


@pytest.mark.parametrize("item", EXPECTED_COMPLIANT["denied"], ids=lambda item: item["id"])
def test_denied_packets_are_dropped_by_the_hand_traced_line(compliant: Sample, item: dict[str, Any]) -> None:
    packet = packet_of(item["packet"])
    start = compliant.start(item, packet)
    if not item.get("firewall_semantics"):
        assert compliant.oracle_endpoints(start, packet) <= {Endpoint("hosts", segment=start.segment)}
    space = compliant.engine.space
    delivered = compliant.engine.reach([(start, space.packet(packet))]).delivered
    assert not [
        e
        for e, packets in delivered.items()
        if space.contains(packets, packet) and e != Endpoint("hosts", segment=start.segment)
    ]
    paths = compliant.tracer.trace(start, packet)
    assert paths and [hop.device for hop in paths[0].hops] == item["path"]
    dropped_by = item["dropped_by"]
    last = paths[0].hops[-1]
    if "route" in dropped_by:  # a discard route (Null0)
        assert all(p.disposition == "null-routed" for p in paths)
        route = last.next_hop.route if last.next_hop is not None else None
        assert (
            route is not None
            and (Path(route.source.file).name, route.source.line) == line_keys([dropped_by["route"]])[0]
        )
        return
    assert all(p.disposition.startswith("denied") for p in paths)
    decision = last.egress if paths[0].disposition == "denied-out" else last.ingress
    assert decision is not None
    if "security_levels" in dropped_by:  # a firewall's default for an interface without ACL
        assert last.device == dropped_by["security_levels"]
        assert decision.line is None and decision.reason == dropped_by["reason"]
        return
    assert decision.line is not None
    assert (Path(decision.line.source.file).name, decision.line.source.line) == line_keys([dropped_by])[0]


@pytest.fixture(scope="module")
def broken_result():  # type: ignore[no-untyped-def]
    return analyze(str(REPO / "topologies" / "nankoku-broken.yaml"))


@pytest.mark.parametrize("item", EXPECTED_BROKEN, ids=lambda item: item["id"])
def test_every_planted_mistake_is_reported_with_its_line(
    broken_result, broken: Sample, compliant: Sample, item: dict[str, Any]
) -> None:
    packet = packet_of(item["packet"])
    start = broken.start(item, packet)
    # The planted packet really crosses in the broken state (oracle) and not in the compliant one.
    expected = broken.endpoint(item["delivered"])
    assert expected in broken.oracle_endpoints(start, packet)
    assert expected not in compliant.oracle_endpoints(compliant.start(item, packet), packet)
    permitted_by = line_keys([item["permitted_by"]])[0]
    matching = [
        f
        for f in broken_result.findings
        if f.rule == item["rule"]
        and f.status == "violated"
        and f.severity == "error"
        and (f.from_zone, f.to_zone) == (item["from_zone"], item["to_zone"])
        and permitted_by in {(Path(e.file).name, e.line) for e in f.evidence if e.role == "permits"}
    ]
    assert matching, f"{item['id']} not reported"
    finding = matching[0]
    assert finding.flow is not None and finding.path
    assert finding.path[0].device == item["path"][0] or "enters" in item
    # The tracer delivers the planted packet by the hand-traced path, every added line permitting it.
    paths = [p for p in broken.tracer.trace(start, packet) if p.endpoint == expected]
    assert paths and [hop.device for hop in paths[0].hops] == item["path"]
    deciding = {
        (Path(d.line.source.file).name, d.line.source.line)
        for hop in paths[0].hops
        for d in (hop.ingress, hop.egress)
        if d is not None and d.line is not None
    }
    assert {permitted_by, *line_keys(item["also_permitted_by"])} <= deciding


@pytest.mark.parametrize(
    "item", [item for item in EXPECTED_BROKEN if item["also_reports"]], ids=lambda item: item["id"]
)
def test_side_effects_of_the_planted_mistakes_are_reported(broken_result, item: dict[str, Any]) -> None:
    for other in item["also_reports"]:
        line = line_keys([other["line"]])[0]
        assert [
            f
            for f in broken_result.findings
            if (f.rule, f.severity, f.status) == (other["rule"], other["severity"], "violated")
            and (f.from_zone, f.to_zone) == (other["from_zone"], other["to_zone"])
            and line in {(Path(e.file).name, e.line) for e in f.evidence if e.role == "permits"}
        ], other


def test_compliant_sample_has_no_findings() -> None:
    result = analyze(str(REPO / "topologies" / "nankoku.yaml"))
    assert result.findings == ()
    assert result.verdict == "pass"


def test_broken_sample_reports_nothing_but_the_planted_mistakes(broken_result) -> None:
    errors = [f for f in broken_result.findings if f.severity == "error" and f.rule in {"ZONE-001", "ZONE-005"}]
    assert len(errors) == len(EXPECTED_BROKEN)
    warnings = [f for f in broken_result.findings if f.severity == "warning" and f.rule in {"ZONE-001", "ZONE-005"}]
    assert len(warnings) == sum(
        1 for item in EXPECTED_BROKEN for other in item["also_reports"] if other["rule"] in {"ZONE-001", "ZONE-005"}
    )
