"""Every search ends (issue #13): NAT rewrites compose into a canonical translation, so a
packet circling a loop through a NAT device comes back to a search state already seen;
a work budget stops any search anyway, and what rests on a stopped search is
inconclusive (META-003), never a pass."""

from __future__ import annotations

import dataclasses
import subprocess
import sys
from pathlib import Path

import oracle
import pytest
import strategies as gen
from click.testing import CliRunner
from conftest import REPO, write_network
from engine_checks import NetworkRuns, as_start, as_tuple, oracle_endpoints, runs_on
from hypothesis import given, note
from hypothesis import strategies as st

from nankoku_netcheck.analyze import analyze, load
from nankoku_netcheck.cli import main
from nankoku_netcheck.diff import diff_topologies
from nankoku_netcheck.graph import build_network
from nankoku_netcheck.model import (
    Acl,
    AclLine,
    Action,
    Device,
    Interface,
    InterfaceAddress,
    Match,
    Route,
    RouteKind,
    Source,
    ip_to_int,
)
from nankoku_netcheck.reach.engine import ReachEngine, Start, boundary_interfaces
from nankoku_netcheck.reach.nat import Rewrite, compose, new_rewrites, preimage
from nankoku_netcheck.reach.packets import Packet, PacketSpace
from nankoku_netcheck.reach.trace import Tracer

SAMPLE = str(REPO / "topologies" / "nankoku.yaml")

# --- the algebra ------------------------------------------------------------------------------

FIELD_NETWORKS = tuple(
    ip_to_int(a) for a in ("10.0.0.0", "10.0.5.0", "10.0.5.128", "10.1.2.3", "192.0.2.77", "0.0.0.0", "255.255.255.255")
)
LENGTHS = st.sampled_from((0, 1, 8, 16, 23, 24, 25, 30, 32))


@st.composite
def rewrites(draw: st.DrawFn) -> Rewrite:
    field = draw(st.sampled_from(("src", "dst")))
    pool = draw(st.booleans())
    return Rewrite(
        field,
        draw(st.sampled_from(FIELD_NETWORKS)),
        draw(LENGTHS),
        pool=pool,
        any_sport=pool and draw(st.booleans()),
        rule=Source("r.cfg", draw(st.integers(1, 3)), "nat"),
    )


@st.composite
def packet_sets(draw: st.DrawFn, space: PacketSpace):  # type: ignore[no-untyped-def]
    """A union of a few boxes over src, dst and sport."""
    result = space.false
    for _ in range(draw(st.integers(1, 3))):
        box = space.valid
        for field in ("src", "dst"):
            if draw(st.booleans()):
                box &= space.field_prefix(field, draw(st.sampled_from(FIELD_NETWORKS)), draw(LENGTHS))
        if draw(st.booleans()):
            low = draw(st.integers(0, 65535))
            box &= space.field_range("sport", low, draw(st.integers(low, 65535)))
        result |= box
    return result


@pytest.fixture(scope="module")
def space() -> PacketSpace:
    return PacketSpace()


@gen.examples(150)
@given(st.lists(rewrites(), max_size=6), st.data())
def test_canonical_translation_has_the_preimage_of_the_sequence(
    space: PacketSpace, sequence: list[Rewrite], data: st.DataObject
) -> None:
    target = data.draw(packet_sets(space))
    canonical = compose((), tuple(sequence))
    note(f"canonical: {canonical}")
    assert preimage(space, canonical, target) == preimage(space, tuple(sequence), target)
    assert len({rewrite.field for rewrite in canonical}) == len(canonical) <= 2


@gen.examples(100)
@given(st.lists(rewrites(), max_size=4), st.lists(rewrites(), max_size=4))
def test_composition_is_associative_and_a_repeated_lap_adds_nothing(
    first: list[Rewrite], second: list[Rewrite]
) -> None:
    stepwise = compose(compose((), tuple(first)), tuple(second))
    assert stepwise == compose((), (*first, *second))
    # A second lap through the same rewrites: the rewrites a lap makes compose to the same
    # translation again (top bits set twice to the same values, a pool chosen again).
    lap = compose(stepwise, tuple(second))
    assert compose(lap, tuple(second)) == lap


def test_composed_rewrites_keep_every_contributing_rule() -> None:
    a = Rewrite("dst", ip_to_int("10.1.0.0"), 16, rule=Source("fw.cfg", 10, "a"))
    b = Rewrite("dst", ip_to_int("10.2.3.0"), 24, rule=Source("fw.cfg", 20, "b"))
    (composed,) = compose((a,), (b,))
    assert (composed.network, composed.length, composed.pool) == (ip_to_int("10.2.3.0"), 24, False)
    assert composed.rule == b.rule and composed.rules == (a.rule, b.rule)
    # Shorter after longer: top 8 bits from the second, the next 16 from the first.
    (mixed,) = compose((b,), (Rewrite("dst", ip_to_int("172.0.0.0"), 8),))
    assert (mixed.network, mixed.length) == (ip_to_int("172.2.3.0"), 24)
    pool = Rewrite("src", ip_to_int("192.0.2.0"), 24, pool=True, any_sport=True)
    assert [(r.field, r.pool, r.any_sport) for r in compose((a,), (pool,))] == [
        ("dst", False, False),
        ("src", True, True),
    ]
    assert new_rewrites(compose((), (a,)), compose((a,), (pool,))) == compose((), (pool,))


# --- a city whose ASA translates on a routing loop -----------------------------------------------

# LAN hosts (lgwan) reach the firewall fw and router r2; fw's default route leads out of
# `outside` to r1, r1's to r2, r2's back to fw's inside address: every packet to an address
# no zone owns circles fw → r1 → r2 → fw, and each lap leaves fw through the identity
# static NAT (a NAT exemption), once more rewriting its source. Before issue #13 the
# translation grew by one rewrite per lap and the search never ended.
LOOP_CONFIGS = {
    "fw": """\
        ASA Version 9.8(4)
        hostname fw
        interface GigabitEthernet0/0
         nameif outside
         security-level 0
         ip address 10.0.1.1 255.255.255.0
        interface GigabitEthernet0/1
         nameif inside
         security-level 100
         ip address 10.2.0.1 255.255.255.0
        object network LAN
         subnet 10.2.0.0 255.255.255.0
         nat (inside,outside) static LAN
        route outside 0.0.0.0 0.0.0.0 10.0.1.2
        """,
    "r1": """\
        hostname r1
        interface GigabitEthernet0/0
         ip address 10.0.1.2 255.255.255.0
        interface GigabitEthernet0/1
         ip address 10.0.3.1 255.255.255.0
        interface GigabitEthernet0/2
         ip address 10.3.0.1 255.255.255.0
        ip route 0.0.0.0 0.0.0.0 10.0.3.2
        """,
    "r2": """\
        hostname r2
        interface GigabitEthernet0/0
         ip address 10.0.3.2 255.255.255.0
        interface GigabitEthernet0/1
         ip address 10.2.0.2 255.255.255.0
        ip route 0.0.0.0 0.0.0.0 10.2.0.1
        """,
}
LOOP_ZONES = """\
zones:
  lgwan: {kind: lgwan, label: LGWAN接続系, prefixes: [10.2.0.0/16]}
  internet: {kind: internet, label: インターネット接続系, prefixes: [10.3.0.0/16]}
"""


@pytest.fixture
def loop_city(tmp_path: Path) -> Path:
    return write_network(tmp_path, LOOP_CONFIGS, zones=LOOP_ZONES)


def zone_findings(result) -> list[tuple[str, str, str, str, str, str]]:  # type: ignore[no-untyped-def]
    return sorted(
        (f.rule, f.status, f.from_zone, f.to_zone, f.flow.src if f.flow else "", f.flow.dst if f.flow else "")
        for f in result.findings
        if f.rule.startswith(("ZONE-", "META-"))
    )


LOOP_FINDINGS = [
    ("ZONE-005", "violated", "internet", "lgwan", "10.3.0.10", "10.2.0.10"),
    ("ZONE-005", "violated", "lgwan", "internet", "10.2.0.10", "10.3.0.10"),
    ("ZONE-008", "violated", "lgwan", "internet", "10.2.0.10", "10.3.0.10"),
]


def test_searches_through_a_nat_loop_end_with_routing_followed_and_ignored(loop_city: Path) -> None:
    loaded = load(str(loop_city))
    network = loaded.network
    space = PacketSpace()
    lan = next(s for s in network.segments.values() if s.zone == "lgwan")
    for routing in (True, False):
        engine = ReachEngine(network, space, boundary_interfaces(network), routing=routing, budget=10_000)
        result = engine.reach([(Start(segment=lan.id), space.valid)])
        assert not result.exhausted
        # The looping packets went through the NAT rule: one source rewrite naming it, whatever the laps.
        rule = Source(str(loop_city.parent / "configs" / "fw.cfg"), 13, " nat (inside,outside) static LAN")
        translations = {e.translation for e in result.delivered}
        assert translations == {(), (Rewrite("src", ip_to_int("10.2.0.0"), 24, rule=rule, rules=(rule,)),)}
        assert result.work <= 30  # 10 and 14 when written: a few laps, not one per rewrite


def test_verify_on_the_nat_loop_finds_the_exact_zone_findings(loop_city: Path) -> None:
    result = analyze(str(loop_city))
    assert zone_findings(result) == LOOP_FINDINGS
    verdicts = {v.rule: v.verdict for v in result.rules}
    assert verdicts["ZONE-005"] == "fail" and verdicts["ZONE-008"] == "warn" and verdicts["META-003"] == "pass"


def test_verify_cli_on_the_nat_loop_finishes_in_a_subprocess(loop_city: Path) -> None:
    # A subprocess with a timeout: a search that does not end fails this test instead of hanging the suite.
    completed = subprocess.run(
        [
            sys.executable,
            "-c",
            "from nankoku_netcheck.cli import main; main()",
            "verify",
            str(loop_city),
            "--no-cache",
            "-q",
            "--format",
            "json",
            "--lang",
            "en",
        ],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=REPO,
        env={"PYTHONPATH": str(REPO), "LANG": "C"},
    )
    assert completed.returncode == 1, completed.stderr
    assert '"rule": "ZONE-008"' in completed.stdout


def test_diff_on_the_nat_loop_finishes(loop_city: Path, tmp_path: Path) -> None:
    after = tmp_path / "after"
    configs = dict(LOOP_CONFIGS)
    # After: r1 filters what comes in from the firewall; the LAN no longer reaches the internet zone.
    configs["r1"] = configs["r1"].replace(
        " ip address 10.0.1.2 255.255.255.0\n",
        " ip address 10.0.1.2 255.255.255.0\n         ip access-group FROM-FW in\n",
    ).rstrip(" ") + (
        "        ip access-list extended FROM-FW\n         deny ip any 10.3.0.0 0.0.255.255\n"
        "         permit ip any any\n"
    )
    write_network(after, configs, zones=LOOP_ZONES)
    diff = diff_topologies(str(loop_city), str(after / "topology.yaml"))
    assert not diff.exhausted
    assert sorted((c.change, c.from_zone, c.to_zone) for c in diff.changes) == [("blocked", "lgwan", "internet")]
    result = CliRunner().invoke(
        main, ["diff", str(loop_city), str(after / "topology.yaml"), "--no-cache", "--lang", "en"], env={"LANG": "C"}
    )
    assert result.exit_code == 0, result.output
    assert "NEWLY BLOCKED" in result.stdout


# --- the budget ---------------------------------------------------------------------------------

BUDGET_EN = (
    "The search from LGWAN接続系 (lgwan) (routing followed) ran out of budget after 3 of 3 work units; "
    "every result that rests on it is inconclusive. Raise --budget or simplify the network."
)
BUDGET_JA = (
    "LGWAN接続系 (lgwan) からの探索（経路どおり）が作業量の上限に達しました（3 / 3）。この探索に基づく"
    "結果はすべて判定不能です。--budget を引き上げるか、構成を簡素化してください。"
)


def test_a_tiny_budget_makes_the_searching_rules_inconclusive_never_pass() -> None:
    result = analyze(SAMPLE, budget=3)
    meta = [f for f in result.findings if f.rule == "META-003"]
    assert [(f.from_zone, f.status) for f in meta] == [
        ("internet", "inconclusive"),
        ("internet", "inconclusive"),
        ("lgwan", "inconclusive"),
        ("lgwan", "inconclusive"),
        ("mynumber", "inconclusive"),
        ("mynumber", "inconclusive"),
        ("public:internet", "inconclusive"),
    ]  # zenkoku-lgwan's searches finish in 2 and 3 units (a stub sends nothing back: ReachEngine._stub_link)
    lgwan = next(f for f in meta if f.from_zone == "lgwan")
    assert (lgwan.message_en, lgwan.message_ja) == (BUDGET_EN, BUDGET_JA)
    verdicts = {v.rule: v.verdict for v in result.rules}
    for rule in ("ZONE-001", "ZONE-002", "ZONE-004", "ZONE-005", "ZONE-007", "ZONE-008", "META-003"):
        assert verdicts[rule] == "inconclusive", rule
    zone_008 = [f.message_en for f in result.findings if f.rule == "ZONE-008"]
    assert (
        "ZONE-008 cannot be proven: the search from LGWAN接続系 (lgwan) (routing ignored) ran out of budget "
        "(3 of 3 work units; see META-003)." in zone_008
    )
    # With the default budget the same sample passes every rule.
    assert {v.verdict for v in analyze(SAMPLE).rules} == {"pass"}


def test_verify_cli_with_a_tiny_budget_exits_inconclusive() -> None:
    result = CliRunner().invoke(
        main, ["verify", SAMPLE, "--budget", "3", "--no-cache", "-q", "--lang", "en"], env={"LANG": "C"}
    )
    assert result.exit_code == 3, result.output
    assert BUDGET_EN in result.stdout
    japanese = CliRunner().invoke(
        main, ["verify", SAMPLE, "--budget", "3", "--no-cache", "-q", "--lang", "ja"], env={"LANG": "C"}
    )
    assert japanese.exit_code == 3 and BUDGET_JA in japanese.stdout


def test_diff_and_trace_with_a_tiny_budget_say_so(loop_city: Path) -> None:
    diff = CliRunner().invoke(
        main, ["diff", str(loop_city), str(loop_city), "--budget", "3", "--no-cache", "--lang", "en"], env={"LANG": "C"}
    )
    assert diff.exit_code == 3
    assert (
        "INCONCLUSIVE: the search from lgwan (routing followed) before the change ran out of budget: the "
        "changes below may be incomplete (see META-003, --budget)."
    ) in diff.stdout
    trace = CliRunner().invoke(
        main,
        [
            "trace",
            str(loop_city),
            "--src",
            "10.2.0.50",
            "--dst",
            "198.51.100.1",
            "--budget",
            "2",
            "--no-cache",
            "--lang",
            "en",
        ],
        env={"LANG": "C"},
    )
    assert trace.exit_code == 0
    assert trace.stdout.splitlines()[-1] == (
        "INCONCLUSIVE: the path enumeration ran out of budget (2 work units); "
        "these are only some of the paths (see --budget)"
    )
    full = CliRunner().invoke(
        main,
        ["trace", str(loop_city), "--src", "10.2.0.50", "--dst", "198.51.100.1", "--no-cache", "--lang", "en"],
        env={"LANG": "C"},
    )
    assert "INCONCLUSIVE" not in full.stdout and "path 1: loop" in full.stdout


# --- random networks with NAT on routing loops --------------------------------------------------


def _interface(name: str, address: str) -> Interface:
    return Interface(name=name, source=gen.SOURCE, addresses=(InterfaceAddress(ip_to_int(address), 24),))


def _default(via: str, interface: str | None = None) -> Route:
    return Route(
        prefix=0,
        prefix_length=0,
        kind=RouteKind.STATIC,
        source=gen.SOURCE,
        interface=interface,
        next_hop=ip_to_int(via),
    )


@st.composite
def looping_nat_networks(draw: st.DrawFn) -> gen.NetworkCase:
    """Firewall F1 (outside 10.0.0.1/24, inside 10.0.1.1/24) and routers R1 (10.0.0.2, 10.0.9.1)
    and R2 (10.0.9.2, 10.0.1.2) in a ring whose default routes all point the same way round
    (either way), so that every packet to an address no one owns circles through F1; 1–3
    static NAT rules on F1, identity ones (a NAT exemption: the header stays, the translation
    grew on every lap before issue #13) or random ones, random levels and ACLs, and
    sometimes a route on R1 that sends the mapped prefixes back to F1."""
    firewall = Device(
        name="F1", vendor="cisco_asa", source_file="F1.cfg", hostname="F1", stateful=True, undefined_acl_permits=False
    )
    ports = {
        name: gen.AsaPort(nameif, draw(gen.SECURITY_LEVEL_CHOICES), draw(st.sampled_from((None, "A", "P"))))
        for name, nameif in (("Gi0/0", "outside"), ("Gi0/1", "inside"))
    }
    firewall.interfaces = {"Gi0/0": _interface("Gi0/0", "10.0.0.1"), "Gi0/1": _interface("Gi0/1", "10.0.1.1")}
    permit_all = Acl(
        name="P", lines=(AclLine(action=Action.PERMIT, matches=(Match(),), source=gen.SOURCE),), source=gen.SOURCE
    )
    firewall.acls = {"A": gen.asa_acl(draw(gen.network_acls("A"))), "P": permit_all}
    gen.make_asa(firewall, ports, inter=gen.sometimes(draw, 50))
    rules = []
    for order in range(draw(st.integers(1, 3))):
        rule = draw(gen.static_nat_rules(("Gi0/0", "Gi0/1"), order, twice=False))
        if gen.sometimes(draw, 60):
            rule = dataclasses.replace(rule, mapped_source=rule.real_source)  # identity: a NAT exemption
        rules.append(rule)
    firewall.nat_rules = rules
    clockwise = draw(st.booleans())  # F1 outside → R1 → R2 → F1 inside, or the other way round
    firewall.routes = [_default("10.0.0.2", "Gi0/0") if clockwise else _default("10.0.1.2", "Gi0/1")]
    r1 = Device(name="R1", vendor="cisco_ios", source_file="R1.cfg", hostname="R1")
    r1.interfaces = {"Gi0/0": _interface("Gi0/0", "10.0.0.2"), "Gi0/1": _interface("Gi0/1", "10.0.9.1")}
    r1.routes = [_default("10.0.9.2" if clockwise else "10.0.0.1")]
    if gen.sometimes(draw, 50):
        r1.routes += [
            Route(
                prefix=network,
                prefix_length=length,
                kind=RouteKind.STATIC,
                source=gen.SOURCE,
                next_hop=ip_to_int("10.0.0.1"),
            )
            for rule in rules
            for network, length in rule.mapped_source or ()
        ]
    r2 = Device(name="R2", vendor="cisco_ios", source_file="R2.cfg", hostname="R2")
    r2.interfaces = {"Gi0/0": _interface("Gi0/0", "10.0.9.2"), "Gi0/1": _interface("Gi0/1", "10.0.1.2")}
    r2.routes = [_default("10.0.1.1" if clockwise else "10.0.9.1")]
    network = build_network(gen.empty_topology(), {"F1": firewall, "R1": r1, "R2": r2})
    starts = tuple((segment_id, "", "") for segment_id in sorted(network.segments))
    hosts = {ip_to_int(f"10.0.{third}.{fourth}") for third in (0, 1, 9) for fourth in (1, 2, 4, 99)}
    addresses = tuple(
        sorted(hosts | set(gen.NAT_ADDRESSES) | {n for n, _ in gen.NAT_REAL_PREFIXES} | {ip_to_int("198.51.100.7")})
    )
    return gen.NetworkCase(network, frozenset(), starts, addresses)


@gen.examples(60)
@given(runs_on(looping_nat_networks))
def test_searches_on_nat_loops_end_within_budget_and_agree_with_the_oracle(
    space: PacketSpace, case_and_runs: NetworkRuns
) -> None:
    case, runs = case_and_runs
    note(gen.describe_firewalls(case))
    engine = ReachEngine(case.network, space, case.boundary, budget=50_000)
    for start, packet in runs:
        result = engine.reach([(as_start(start), space.packet(packet))])
        assert not result.exhausted
        delivered = {as_tuple(e) for e, packets in result.delivered.items() if space.contains(packets, packet)}
        assert delivered == oracle_endpoints(case, start, packet), f"start {start}, {packet.describe()}"
    everything = engine.reach([(as_start(runs[0][0]), space.valid)])
    assert not everything.exhausted
    filter_only = ReachEngine(case.network, space, case.boundary, routing=False, budget=50_000)
    assert not filter_only.reach([(as_start(runs[0][0]), space.valid)]).exhausted
    tracer = Tracer(ReachEngine(case.network, space, case.boundary), max_paths=10_000, budget=50_000)
    for start, packet in runs:
        paths = tracer.trace(as_start(start), packet)
        assert not tracer.exhausted
        reached = {as_tuple(p.endpoint) for p in paths if p.disposition == "delivered" and p.endpoint is not None}
        assert reached == oracle_endpoints(case, start, packet)


def test_the_oracle_ends_on_a_loop(loop_city: Path) -> None:
    network = load(str(loop_city)).network
    lan = next(s for s in network.segments.values() if s.zone == "lgwan")
    packet = oracle.header_of(Packet(ip_to_int("10.2.0.50"), ip_to_int("198.51.100.1"), 6, 49152, 443))
    assert oracle.reachable_endpoints(network, packet, segment=lan.id) == set()
