"""The cut filters' lines read over two processes (rules/certificate.py `LinesShare`, the search
worker's side `cited_lines_ahead`): whichever points the other side claims and delivers, with
its own pairs and in its own packet space, the certificates equal those read in one process;
a point claimed there but never delivered is read here."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import REPO

from nankoku_netcheck.analyze import flow_context, load
from nankoku_netcheck.reach.packets import PacketSpace
from nankoku_netcheck.result import Evidence, IsolationCertificate
from nankoku_netcheck.rules.certificate import FilterPoint, cited_lines_ahead, isolation_certificates
from nankoku_netcheck.synth import CitySpec, generate

TOPOLOGIES = sorted(path.name for path in (REPO / "topologies").glob("*.yaml"))

Lines = dict[tuple[str, str], list[Evidence]]


class OtherSide:
    """Both ends of a share in one process: the other side takes the points `theirs` picks
    (by their place in its claims), delivers them unless `delivers` is False; this side takes
    the rest."""

    def __init__(self, theirs: str, delivers: bool = True) -> None:
        self.theirs, self.delivers = theirs, delivers
        self.claimed: set[FilterPoint] = set()
        self.delivered: dict[FilterPoint, Lines] = {}
        self.asked: list[FilterPoint] = []

    def take(self, point: FilterPoint) -> bool:
        if point in self.claimed:
            return False
        self.claimed.add(point)
        return True

    def deliver(self, point: FilterPoint, lines: Lines) -> None:
        if self.delivers:
            self.delivered[point] = lines

    def lines(self, point: FilterPoint) -> Lines | None:
        self.asked.append(point)
        return self.delivered.get(point)


class Worker(OtherSide):
    """The worker's side of `share`: it claims the points `share.theirs` gives it."""

    def __init__(self, share: OtherSide) -> None:
        super().__init__(share.theirs, share.delivers)
        self.share, self.seen = share, 0

    def take(self, point: FilterPoint) -> bool:
        self.seen += 1
        if self.share.theirs == "all" or (self.share.theirs == "odd" and self.seen % 2 == 1):
            return self.share.take(point)
        return False

    def deliver(self, point: FilterPoint, lines: Lines) -> None:
        self.share.deliver(point, lines)


def certificates(topology: Path, theirs: str | None, delivers: bool = True) -> tuple[IsolationCertificate, ...]:
    loaded = load(str(topology))
    if theirs is None:
        return isolation_certificates(flow_context(loaded, PacketSpace("auto")))
    share = OtherSide(theirs, delivers)
    # The worker's own packet space, as in its process: its sets are not this side's.
    cited_lines_ahead(flow_context(loaded, PacketSpace("auto")), Worker(share))
    here = isolation_certificates(flow_context(loaded, PacketSpace("auto")), share)
    assert share.asked == [point for point in share.asked if point in share.claimed]
    if theirs == "all" and any(certificate.lines for certificate in here):
        assert share.asked, "the worker's lines were asked for"
    return here


@pytest.mark.parametrize("theirs", ["all", "odd"])
@pytest.mark.parametrize("name", TOPOLOGIES)
def test_a_shipped_topologys_certificates_are_the_same_with_lines_read_by_the_other_side(
    name: str, theirs: str
) -> None:
    topology = REPO / "topologies" / name
    assert certificates(topology, theirs) == certificates(topology, None)


@pytest.mark.parametrize("theirs", ["all", "odd"])
def test_a_citys_shared_firewall_lines_are_the_same_read_by_the_other_side(theirs: str, tmp_path: Path) -> None:
    """The zone firewalls are each in the cuts of two pairs (`_dropping_lines_each`)."""
    topology = generate(CitySpec(devices=30, acl_lines=2000, seed=1), tmp_path)
    alone = certificates(topology, None)
    assert sum(len(certificate.lines) for certificate in alone) > 100
    assert certificates(topology, theirs) == alone


def test_points_claimed_there_and_never_delivered_are_read_here() -> None:
    topology = REPO / "topologies" / "nankoku.yaml"
    assert certificates(topology, "all", delivers=False) == certificates(topology, None)
