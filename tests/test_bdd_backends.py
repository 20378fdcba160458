"""The BDD engines give the same packet sets, the same example packets and a working store;
NANKOKU_BDD chooses the engine. (The property tests check each engine against the oracle:
run them with NANKOKU_BDD=oxidd and with NANKOKU_BDD=cudd.)"""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

import pytest

from nankoku_netcheck.model import Acl, AclLine, Action, Match, PortRange, Source, Wildcard
from nankoku_netcheck.reach.packets import BackendUnavailable, Packet, PacketSpace, chosen_backend

pytest.importorskip("oxidd.bcdd", reason="oxidd is not installed")
pytest.importorskip("dd.cudd", reason="dd was installed without its CUDD extension")

SOURCE = Source("r1.cfg", 1, "")


def line(action: Action, dst: str, length: int, dport: int | None = None, src: str | None = None) -> AclLine:
    address = sum(int(part) << (24 - 8 * i) for i, part in enumerate(dst.split(".")))
    match = Match(
        protocols=(6,) if dport is not None else None,
        dst=(Wildcard.prefix(address, length),),
        src=None
        if src is None
        else (Wildcard.prefix(sum(int(p) << (24 - 8 * i) for i, p in enumerate(src.split("."))), 32),),
        dst_ports=(PortRange(dport, dport),) if dport is not None else None,
    )
    return AclLine(action, (match,), SOURCE)


ACL = Acl(
    "A",
    (
        line(Action.DENY, "10.1.2.0", 24, 23),
        line(Action.PERMIT, "10.1.0.0", 16, 443, src="192.168.1.5"),
        line(Action.DENY, "10.1.3.7", 32),
        line(Action.PERMIT, "10.0.0.0", 8),
    ),
    SOURCE,
)


@pytest.fixture(scope="module")
def spaces() -> dict[str, PacketSpace]:
    return {name: PacketSpace(name) for name in ("cudd", "oxidd", "autoref")}


def test_same_sets_and_same_examples_on_every_engine(spaces: dict[str, PacketSpace]) -> None:
    seen = []
    for space in spaces.values():
        permitted = space.acl_permits(ACL)
        reversed_ = space.acl_permits_reversed_tcp(ACL)
        seen.append(
            (
                space.pick(permitted),
                space.pick(reversed_),
                space.pick(permitted & ~space.field_prefix("dst", 0x0A000000, 9)),
                space.field_prefixes(permitted, "dst"),
                space.field_ranges(permitted & space.protocol(6), "dport"),
                space.protocols_in(permitted),
                space.contains(permitted, Packet(src=1, dst=0x0A010203, proto=6, dport=23)),
            )
        )
    assert seen[0] == seen[1] == seen[2]
    assert seen[0][0] == Packet(src=0, dst=0x0A000000, proto=0)
    assert seen[0][6] is False


def test_counts_agree_within_cudds_double_precision(spaces: dict[str, PacketSpace]) -> None:
    """CUDD counts in a double; OxiDD and dd's Python engine count exactly."""
    exact = spaces["oxidd"].count(spaces["oxidd"].acl_permits(ACL))
    assert exact == spaces["autoref"].count(spaces["autoref"].acl_permits(ACL))
    assert abs(spaces["cudd"].count(spaces["cudd"].acl_permits(ACL)) - exact) <= exact * 1e-15


def test_nat_style_substitution_and_quantification(spaces: dict[str, PacketSpace]) -> None:
    """`let` with constants fixes bits (a NAT preimage); `exist` forgets a field."""
    results = []
    for space in spaces.values():
        permitted = space.acl_permits(ACL)
        bits = space.bits["dst"]
        fixed = space.bdd.let({bits[i]: bool((0x0A010307 >> (31 - i)) & 1) for i in range(24)}, permitted)
        forgot = space.bdd.exist(space.bits["sport"], permitted)
        results.append((space.pick(fixed), space.field_prefixes(fixed, "dst"), space.subset(permitted, forgot)))
    assert results[0] == results[1] == results[2]


def test_oxidd_dddmp_round_trip(tmp_path: Path) -> None:
    space = PacketSpace("oxidd")
    permitted = space.acl_permits(ACL)
    path = tmp_path / "a.dddmp"
    space.bdd.dump(str(path), [permitted])
    fresh = PacketSpace("oxidd")
    (loaded,) = fresh.bdd.load(str(path))
    assert (fresh.count(loaded), fresh.pick(loaded)) == (space.count(permitted), space.pick(permitted))
    assert loaded == fresh.acl_permits(ACL)
    (again,) = space.bdd.load(str(path))
    assert again == permitted


def test_oxidd_rejects_a_file_that_is_not_dddmp(tmp_path: Path) -> None:
    path = tmp_path / "bad.dddmp"
    path.write_bytes(b".ver DDDMP-2.0\n.nnodes 99999999999\n\x00\xff garbage")
    with pytest.raises(ValueError, match=r"bad\.dddmp"):
        PacketSpace("oxidd").bdd.load(str(path))


@pytest.mark.parametrize(
    ("value", "engine"), [("oxidd", "oxidd"), ("cudd", "cudd"), ("python", "autoref"), ("", "oxidd")]
)
def test_nankoku_bdd_chooses_the_engine_for_auto(monkeypatch: pytest.MonkeyPatch, value: str, engine: str) -> None:
    monkeypatch.setenv("NANKOKU_BDD", value)
    assert chosen_backend("auto") == engine
    assert chosen_backend("cudd") == "cudd"  # an explicit choice is not overridden


def test_nankoku_bdd_with_an_unknown_engine_says_which_are_known(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NANKOKU_BDD", "sylvan")
    with pytest.raises(BackendUnavailable, match="NANKOKU_BDD=sylvan: expected one of cudd, oxidd, python"):
        chosen_backend("auto")


def test_a_full_oxidd_table_is_tidied_instead_of_running_out() -> None:
    """OxiDD collects garbage by itself only once its table is full, mid-operation, and here
    that ends in DDMemoryError: `tidy` between operations keeps a loop that leaves garbage
    behind going."""
    oxidd_bdd = pytest.importorskip("nankoku_netcheck.reach.oxidd_bdd")
    from oxidd.util import DDMemoryError

    def churn(bdd: Any, tidy: bool) -> int:
        bdd.declare(*(f"x{i}" for i in range(40)))
        variables = [bdd.var(f"x{i}") for i in range(40)]
        rng = random.Random(1)
        collections = 0
        for _ in range(1500):
            union = bdd.false
            for _ in range(10):
                cube = bdd.true
                for index in rng.sample(range(40), 12):
                    cube &= variables[index] if rng.random() < 0.5 else ~variables[index]
                union |= cube
            if tidy:
                collections += bdd.tidy()
        return collections

    with pytest.raises(DDMemoryError):
        churn(oxidd_bdd.OxiddBDD(capacity=1 << 18), tidy=False)
    tidied = oxidd_bdd.OxiddBDD(capacity=1 << 18)
    assert churn(tidied, tidy=True) > 0
    assert tidied.manager.num_inner_nodes() <= tidied.capacity
    assert not oxidd_bdd.OxiddBDD(capacity=1 << 18).tidy()  # an empty table is left alone


def test_oxidd_collects_when_the_table_outgrows_what_was_live(monkeypatch: pytest.MonkeyPatch) -> None:
    """Besides a nearly full table, `tidy` collects once the garbage made since the last
    collection outgrows both what that collection left live and COLLECT_FLOOR, and not before."""
    oxidd_bdd = pytest.importorskip("nankoku_netcheck.reach.oxidd_bdd")
    monkeypatch.setattr(oxidd_bdd, "COLLECT_FLOOR", 2000)
    bdd = oxidd_bdd.OxiddBDD(capacity=1 << 22)  # far from full throughout
    bdd.declare(*(f"x{i}" for i in range(40)))
    variables = [bdd.var(f"x{i}") for i in range(40)]
    rng = random.Random(3)

    def some_set() -> Any:
        union = bdd.false
        for _ in range(40):
            cube = bdd.true
            for index in rng.sample(range(40), 14):
                cube &= variables[index] if rng.random() < 0.5 else ~variables[index]
            union |= cube
        return union

    kept = [some_set() for _ in range(20)]
    assert bdd.manager.num_inner_nodes() > 2000
    assert bdd.tidy()  # past the floor
    live = bdd.manager.num_inner_nodes()
    assert live >= 2000  # what `kept` holds survives
    while bdd.manager.num_inner_nodes() <= 2 * live:
        assert not bdd.tidy()
        some_set()  # garbage at once
    assert bdd.tidy()
    assert bdd.manager.num_inner_nodes() == live  # the garbage went, the live sets stayed
    assert all(item != bdd.false for item in kept)
    # With little live, the floor decides: garbage up to COLLECT_FLOOR nodes is left alone.
    small = oxidd_bdd.OxiddBDD(capacity=1 << 22)
    small.declare("y0", "y1")
    assert not small.tidy()
    small._live = 10
    assert small.manager.num_inner_nodes() <= 10 + 2000 and not small.tidy()
