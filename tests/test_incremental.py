"""Incremental re-verification (incremental.py): which edits re-use a search and which do not,
on hand-built networks, and through `analyze(cache=...)` and `diff` on the sample city.

    LAN A 10.0.1.0/24 ── Gi0/0 R1 Gi0/1 ── 10.0.12.0/30 ── Gi0/0 R2 Gi0/1 ── LAN C 10.0.3.0/24
    LAN I 10.0.9.0/24 ── Gi0/0 R3                  (an island: no search from LAN A gets there)
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from conftest import counted_parses, git
from test_engine_unit import SOURCE, network_of, port, r1, r2, router, via

from nankoku_netcheck import diff as diff_module
from nankoku_netcheck import incremental as incremental_module
from nankoku_netcheck.analyze import analyze
from nankoku_netcheck.cache import ParseCache
from nankoku_netcheck.cli import main
from nankoku_netcheck.diff import diff_topologies
from nankoku_netcheck.graph import Network
from nankoku_netcheck.incremental import (
    Fingerprints,
    SearchKey,
    device_fingerprint,
    filter_difference,
    parsed_fingerprint,
    reusable_searches,
)
from nankoku_netcheck.model import Acl, AclLine, Action, Device, Match, PortRange, Source, Wildcard, ip_to_int
from nankoku_netcheck.reach.engine import Endpoint, ReachEngine, ReachResult, Start
from nankoku_netcheck.reach.nat import Rewrite
from nankoku_netcheck.reach.packets import Packet, PacketSpace
from nankoku_netcheck.reach.repair import Repair
from nankoku_netcheck.report.json_report import render_json

ROOT = Path(__file__).resolve().parent.parent
DROP = Acl("DROP", (AclLine(Action.DENY, (Match(),), SOURCE),), SOURCE)
PASS = Acl("DROP", (AclLine(Action.PERMIT, (Match(),), SOURCE),), SOURCE)
KEY: SearchKey = ("lan-a", True)


@pytest.fixture(scope="module")
def space() -> PacketSpace:
    return PacketSpace("auto")


def r3(address: str = "10.0.9.1/24", acls: tuple[Acl, ...] = ()) -> Device:
    return router("R3", port("Gi0/0", address, acl_in="DROP" if acls else None), acls=acls)


def search(space: PacketSpace, network: Network) -> ReachResult:
    lan_a = network.segment_of["R1", "Gi0/0"]
    return ReachEngine(network, space).reach([(Start(segment=lan_a), space.valid)])


def reused(space: PacketSpace, before: Network, after: Network) -> dict[SearchKey, ReachResult]:
    return reusable_searches(
        {KEY: search(space, before)},
        Fingerprints(before, space.backend, 1000),
        Fingerprints(after, space.backend, 1000),
    )


def test_an_edit_of_a_device_that_dropped_everything_is_recomputed(space: PacketSpace) -> None:
    """R2 drops all that LAN A sends: no arrival at R2, but the search read its filter."""
    before = network_of(r1(), r2("DROP", acls=(DROP,)), r3())
    result = search(space, before)
    assert "R2" in result.entered
    assert "R2" not in result.visited_devices
    after = network_of(r1(), r2("DROP", acls=(PASS,)), r3())
    assert reused(space, before, after) == {}
    lan_c = Endpoint("hosts", segment=after.segment_of["R2", "Gi0/1"])
    assert lan_c not in result.delivered
    assert lan_c in search(space, after).delivered


def test_an_edit_of_a_visited_device_is_recomputed(space: PacketSpace) -> None:
    before = network_of(r1(), r2(), r3())
    after = network_of(r1(via("10.0.9.0/24", "10.0.12.2")), r2(), r3())
    assert reused(space, before, after) == {}


def test_an_edit_of_a_device_no_packet_reached_is_reused(space: PacketSpace) -> None:
    before = network_of(r1(), r2(), r3(acls=(PASS,)))
    after = network_of(r1(), r2(), r3(acls=(DROP,)))
    assert "R3" not in search(space, before).entered
    (result,) = reused(space, before, after).values()
    fresh = search(space, after)
    assert sorted(result.delivered) == sorted(fresh.delivered)
    assert all(result.delivered[key] == fresh.delivered[key] for key in fresh.delivered)
    assert result.witnesses == fresh.witnesses


def test_an_interface_edit_of_an_unreached_device_is_recomputed(space: PacketSpace) -> None:
    """Interfaces are structure: an address can make a device an owner of a next hop."""
    before = network_of(r1(), r2(), r3())
    after = network_of(r1(), r2(), r3("10.0.8.1/24"))
    assert reused(space, before, after) == {}


def test_a_moved_but_unchanged_config_is_reused_with_its_paths_relabelled(space: PacketSpace) -> None:
    before = network_of(r1(), r2(), r3())
    moved = r1()
    moved.source_file = "elsewhere/R1.cfg"
    after = network_of(moved, r2(), r3())
    assert set(reused(space, before, after)) == {KEY}
    rule = Source("R1.cfg", 7, "ip nat inside source static 10.0.1.5 192.0.2.5")
    nated = Endpoint("exit", "R1", "Gi0/1", translation=(Rewrite("src", 0xC0000205, 32, rule=rule, rules=(rule,)),))
    result = ReachResult(delivered={nated: space.valid}, entered={"R1"})
    prints = Fingerprints(after, space.backend, 1000)
    deps = Fingerprints(before, space.backend, 1000).deps(result, True)
    assert deps is not None
    (endpoint,) = prints.relabelled(result, deps).delivered  # type: ignore[union-attr]
    moved_rule = dataclasses.replace(rule, file="elsewhere/R1.cfg")
    assert endpoint.translation == (Rewrite("src", 0xC0000205, 32, rule=moved_rule, rules=(moved_rule,)),)


def test_a_device_fingerprint_leaves_out_only_the_own_config_path() -> None:
    moved = r1()
    moved.source_file = "elsewhere/R1.cfg"
    assert device_fingerprint(moved) == device_fingerprint(r1())
    quoting, quoting_moved = r1(), r1()
    quoting.hostname = 'see "R1.cfg'
    quoting_moved.source_file, quoting_moved.hostname = "elsewhere/R1.cfg", 'see "elsewhere/R1.cfg'
    assert device_fingerprint(quoting) != device_fingerprint(quoting_moved)
    edited = r1(via("10.0.9.0/24", "10.0.12.2"))
    assert device_fingerprint(edited) != device_fingerprint(r1())


def test_the_parse_cache_prints_a_model_alike_when_written_and_when_read_back(tmp_path: Path) -> None:
    cache = ParseCache(tmp_path / "cache")
    cache.put("written", r1())
    moved = r1()
    moved.source_file = "elsewhere/R1.cfg"
    cache.put("moved", moved)
    cache.put("edited", r1(via("10.0.9.0/24", "10.0.12.2")))
    reader = ParseCache(tmp_path / "cache", cache.secret)
    assert reader.get("written") == r1()
    assert reader.prints["written"] == cache.prints["written"] == cache.prints["moved"]
    assert cache.prints["edited"] != cache.prints["written"]
    # The name the topology gives a device is part of its fingerprint.
    assert parsed_fingerprint(cache.prints["written"], "R1") != parsed_fingerprint(cache.prints["written"], "R9")
    network = network_of(r1(), r2(), r3())
    known = Fingerprints(network, "auto", 1000, {"R1": cache.prints["written"]})
    assert known.device("R1") == parsed_fingerprint(cache.prints["written"], "R1")
    assert known.device("R2") == device_fingerprint(network.devices["R2"])


TELNET_TO_HOST = AclLine(
    Action.DENY,
    (Match(protocols=(6,), dst=(Wildcard.host(ip_to_int("10.0.3.7")),), dst_ports=(PortRange(23, 23),)),),
    SOURCE,
)


def r2_filtering(*lines: AclLine) -> Device:
    return r2("IN", acls=(Acl("IN", (*lines, AclLine(Action.PERMIT, (Match(),), SOURCE)), SOURCE),))


def test_an_acl_line_changes_its_own_packets_only(space: PacketSpace) -> None:
    changed = filter_difference(space, r2_filtering(), r2_filtering(TELNET_TO_HOST))
    assert changed is not None
    telnet = Packet(ip_to_int("10.0.1.5"), ip_to_int("10.0.3.7"), 6, 40000, 23)
    reply = Packet(ip_to_int("10.0.3.7"), ip_to_int("10.0.1.5"), 6, 23, 40000, established=True)
    assert space.contains(changed, telnet)
    assert space.contains(changed, dataclasses.replace(telnet, established=True))
    # A stateless device reads its ACLs only as they are: the reply is not changed.
    assert not space.contains(changed, reply)
    assert not space.contains(changed, dataclasses.replace(telnet, dport=22))
    assert not space.contains(changed, dataclasses.replace(telnet, dst=ip_to_int("10.0.3.8")))
    # A stateful device's reply check reverses ACLs: the reply's packets count as changed too.
    stateful = filter_difference(
        space,
        dataclasses.replace(r2_filtering(), stateful=True),
        dataclasses.replace(r2_filtering(TELNET_TO_HOST), stateful=True),
    )
    assert stateful is not None
    assert space.contains(stateful, reply)
    assert space.contains(stateful, dataclasses.replace(reply, established=False))
    assert not space.contains(stateful, dataclasses.replace(reply, sport=22))


def test_a_line_that_decides_nothing_new_changes_no_packet(space: PacketSpace) -> None:
    shadowed = AclLine(Action.DENY, TELNET_TO_HOST.matches, SOURCE)
    earlier = r2_filtering(TELNET_TO_HOST)
    assert filter_difference(space, earlier, r2_filtering(TELNET_TO_HOST, shadowed)) == space.false
    moved = r2_filtering(TELNET_TO_HOST)
    moved.lines = ("! a comment the search never reads", *earlier.lines)
    assert filter_difference(space, earlier, moved) == space.false


def test_an_edit_beyond_acl_lines_cannot_be_repaired(space: PacketSpace) -> None:
    assert filter_difference(space, r2_filtering(), r2_filtering(TELNET_TO_HOST)) is not None
    rerouted = r2_filtering(TELNET_TO_HOST)
    rerouted.routes.append(via("10.0.9.0/24", "10.0.12.1"))
    assert filter_difference(space, r2_filtering(), rerouted) is None
    assert filter_difference(space, r2_filtering(), r2()) is None  # the ACL is gone
    emptied = r2("IN", acls=(Acl("IN", (), SOURCE),))
    # An interface ACL with no entries permits everything: not its compiled set.
    assert filter_difference(space, r2_filtering(), emptied) is None


def test_a_search_that_ran_out_of_budget_is_not_reused(space: PacketSpace) -> None:
    network = network_of(r1(), r2(), r3())
    prints = Fingerprints(network, space.backend, 1000)
    assert prints.deps(ReachResult(exhausted=True), True) is None
    assert prints.deps(ReachResult(), True) is not None


# --- through analyze(cache=...) and diff on the sample city ----------------------------------

TODAY = dt.date(2026, 1, 1)
STAMP = "2026-01-01T00:00:00Z"
# (config, the line to insert before, the lines inserted, how many of the 10 searches are re-used:
# "some" = at least one and not all)
SAMPLE_EDITS = {
    # An ACL line on the LGWAN core switch: read by the searches that reach it only.
    "acl-line": (
        "lg-core.cfg",
        "access-list 10 permit 10.2.99.0 0.0.0.255\n",
        "access-list 10 deny host 10.2.99.7\n",
        "some",
    ),
    "route": ("lg-core.cfg", "ip route 10.2.0.0 255.255.0.0 Null0", "ip route 10.9.0.0 255.255.0.0 Null0\n", "some"),
    "nat-rule": (
        "edge-fw.cfg",
        "access-group OUTSIDE_access_in in interface outside\n",
        "object network KOUKAI-WEB2\n host 10.3.50.11\n nat (dmz,outside) static 203.0.113.41\n",
        "some",
    ),
    # An ACL line on the firewall that translates: no repair (the changed packets would be other
    # packets where they started), the searches that read it run again.
    "acl-line-on-nat": (
        "edge-fw.cfg",
        "access-list OUTSIDE_access_in extended deny ip any any log\n",
        "access-list OUTSIDE_access_in extended permit tcp any host 10.3.50.10 eq 8443\n",
        "some",
    ),
    # A new interface is structure: every search is run again.
    "interface": (
        "bb-rtr.cfg",
        "interface GigabitEthernet0/0\n",
        "interface Loopback9\n ip address 192.168.254.9 255.255.255.255\n!\n",
        "none",
    ),
}


def sample_copy(folder: Path) -> Path:
    shutil.copytree(ROOT / "device_configs" / "nankoku", folder / "configs")
    text = (ROOT / "topologies" / "nankoku.yaml").read_text(encoding="utf-8")
    assert "configs: ../device_configs/nankoku\n" in text
    topology = folder / "nankoku.yaml"
    topology.write_text(text.replace("configs: ../device_configs/nankoku\n", "configs: configs\n"), encoding="utf-8")
    return topology


def edit(topology: Path, name: str) -> None:
    config, anchor, added, _ = SAMPLE_EDITS[name]
    path = topology.parent / "configs" / config
    text = path.read_text(encoding="utf-8")
    assert anchor in text
    path.write_text(text.replace(anchor, added + anchor, 1), encoding="utf-8")


def verified(topology: Path, cache: Path | None, stages: list[str] | None = None, reuse_result: bool = True) -> str:
    result = analyze(
        str(topology),
        timestamp=STAMP,
        today=TODAY,
        cache=ParseCache(cache) if cache is not None else None,
        progress=stages.append if stages is not None else None,
        reuse_result=reuse_result,
    )
    return render_json(result)


def reuse_stage(stages: list[str]) -> str:
    (stage,) = [stage for stage in stages if stage.startswith("searches re-used")]
    return stage


@pytest.mark.parametrize("name", sorted(SAMPLE_EDITS))
def test_a_re_run_after_an_edit_reports_what_a_run_from_scratch_reports(tmp_path: Path, name: str) -> None:
    topology = sample_copy(tmp_path)
    cache = tmp_path / "cache"
    first: list[str] = []
    verified(topology, cache, first)
    assert reuse_stage(first) == "searches re-used: 0 of 10"
    again: list[str] = []
    # Past the whole-run result cache (result_cache.py), which an unchanged re-run hits first.
    verified(topology, cache, again, reuse_result=False)
    assert reuse_stage(again) == "searches re-used: 10 of 10"
    edit(topology, name)
    stages: list[str] = []
    incremental = verified(topology, cache, stages)
    reused_count = int(reuse_stage(stages).split()[2])
    assert 0 < reused_count < 10 if SAMPLE_EDITS[name][3] == "some" else reused_count == 0
    # An ACL line on a device no packet reaches rewritten: every other search is repaired.
    repaired = f", {10 - reused_count} repaired after an ACL edit" if name == "acl-line" else ""
    assert reuse_stage(stages) == f"searches re-used: {reused_count} of 10{repaired}"
    assert incremental == verified(topology, None)
    # A search the edit changed keeps the earlier result beside the new one (SEARCHES_PER_KEY).
    assert len(list((cache / "bdd").glob("*/*.blob"))) == 10 + (10 - reused_count)


def test_a_re_run_takes_each_unchanged_device_structure_digest_from_the_last_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The structure fingerprint reads every device's interfaces (1 s at 1,000 devices): a
    device whose parse is the one the last run read keeps its digest; an edited one is read."""
    topology = sample_copy(tmp_path)
    cache = tmp_path / "cache"
    first = verified(topology, cache)
    computed: list[str] = []
    digest = incremental_module.device_structure_digest

    def counted(name: str, device: Device) -> str:
        computed.append(name)
        return digest(name, device)

    monkeypatch.setattr(incremental_module, "device_structure_digest", counted)
    stages: list[str] = []
    assert verified(topology, cache, stages, reuse_result=False) == first
    assert computed == [] and reuse_stage(stages) == "searches re-used: 10 of 10"
    edit(topology, "interface")  # a new interface on bb-rtr: structure, every search again
    stages.clear()
    assert verified(topology, cache, stages) == verified(topology, None)
    assert computed == ["bb-rtr"] and reuse_stage(stages) == "searches re-used: 0 of 10"


def test_without_the_earlier_model_an_acl_edit_is_searched_again(tmp_path: Path) -> None:
    topology = sample_copy(tmp_path)
    cache = tmp_path / "cache"
    verified(topology, cache)
    # The parsed models (the parse cache's device entries) are gone; the searches are not.
    for entry in cache.glob("*/*.json"):
        entry.unlink()
    edit(topology, "acl-line")
    stages: list[str] = []
    assert verified(topology, cache, stages) == verified(topology, None)
    assert "repaired" not in reuse_stage(stages)


def test_a_damaged_saved_search_is_searched_again(tmp_path: Path) -> None:
    topology = sample_copy(tmp_path)
    cache = tmp_path / "cache"
    verified(topology, cache)
    for blob in sorted((cache / "bdd").glob("*/*.blob")):
        data = bytearray(blob.read_bytes())
        data[-2] ^= 0x01
        blob.write_bytes(bytes(data))
    stages: list[str] = []
    assert verified(topology, cache, stages, reuse_result=False) == verified(topology, None)
    assert reuse_stage(stages) == "searches re-used: 0 of 10"


def test_diff_after_side_reuses_searches_and_finds_what_it_finds_from_scratch(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = sample_copy(tmp_path / "before")
    after = sample_copy(tmp_path / "after")
    edit(after, "acl-line")
    counts: list[tuple[int, int]] = []

    def counted(*args: Any) -> dict[SearchKey, ReachResult | Repair]:
        found = reusable_searches(*args)
        repairs = sum(isinstance(search, Repair) for search in found.values())
        counts.append((len(found) - repairs, repairs))
        return found

    monkeypatch.setattr(diff_module, "reusable_searches", counted)
    result = diff_topologies(str(before), str(after), today=TODAY)
    # Some searches hold whole; the others are repaired from the ACL line's packets.
    assert len(counts) == 1 and 0 < counts[0][0] < 10 and sum(counts[0]) == 10
    scratch = json.loads(verified(after, None))
    assert json.loads(render_json(result.after))["findings"] == scratch["findings"]


def test_diff_against_a_revision_starts_from_the_searches_verify_kept(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """verify (with a cache) keeps the searches of the committed state; after an ACL edit,
    `diff --base-ref HEAD` re-uses them for the revision's side (its export elsewhere is the same
    network) and repairs them for the working tree's side, finding what a diff without a cache
    finds."""
    repo = tmp_path / "netrepo"
    topology = sample_copy(repo)
    git(repo, "init", "-q")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "compliant")
    cache = tmp_path / "cache"
    verified(topology, cache)
    # The edit: the LGWAN monitoring server may now poll mynumber servers (as in the broken sample).
    mn_gw = topology.parent / "configs" / "mn-gw.cfg"
    text = mn_gw.read_text(encoding="utf-8")
    denied = " deny   ip any any log\nip access-list extended MN-BB-OUT\n"
    assert denied in text
    mn_gw.write_text(
        text.replace(denied, " permit udp host 10.2.99.10 10.1.20.0 0.0.0.255 eq snmp\n" + denied, 1), encoding="utf-8"
    )
    searches: list[int] = []
    full_search = ReachEngine.reach

    def counted(engine: ReachEngine, injections: Any) -> ReachResult:
        searches.append(1)
        return full_search(engine, injections)

    monkeypatch.setattr(ReachEngine, "reach", counted)

    def diffed(*options: str) -> dict[str, Any]:
        searches.clear()
        result = CliRunner().invoke(
            main, ["diff", str(topology), "--base-ref", "HEAD", "--format", "json", *options], env={"LANG": "C"}
        )
        assert result.exit_code in (0, 1), result.stderr
        return dict(json.loads(result.stdout))

    # Without a cache the revision's side runs its ten searches; the working tree's side takes 4
    # of them whole and repairs 6.
    scratch = diffed("--no-cache")
    assert len(searches) == 16
    # With it the revision's side takes all ten from what verify kept, and its configs (the same
    # bytes as the working tree's but the edited one, under other paths) from the parse cache.
    parsed = counted_parses(monkeypatch)
    incremental = diffed("--cache-dir", str(cache))
    assert len(searches) == 6
    assert parsed == [str(mn_gw)]
    # The working tree's searches are kept beside those verify kept (the six it repaired).
    assert len(list((cache / "bdd").glob("*/*.blob"))) == 16
    assert incremental["changes"] == scratch["changes"]
    assert incremental["changes"]  # the edit allows something: not an empty comparison
    # Again: the store holds both sides' searches now. Each side takes all ten whole.
    again = diffed("--cache-dir", str(cache))
    assert searches == []
    # Each diff exports the revision to a folder of its own: its path aside, the reports are equal.
    for record in (incremental, scratch, again):
        del record["generated_at"], record["before"]["topology"], record["before"]["inputs"]
    assert incremental == scratch == again
