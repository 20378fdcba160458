"""Isolation certificates kept between runs (rules/certificate_kept.py): after edits of several
kinds, a run that takes cuts and lines from the kept record shows the certificates a run from
scratch shows, byte for byte, and an edit that touches no cut reads no filter's lines again."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path

import pytest

from nankoku_netcheck.analyze import analyze
from nankoku_netcheck.cache import ParseCache
from nankoku_netcheck.report.json_report import render_json
from nankoku_netcheck.rules import certificate as certificate_module
from nankoku_netcheck.synth import CitySpec, generate

ROOT = Path(__file__).resolve().parent.parent
TODAY = dt.date(2026, 1, 1)
STAMP = "2026-01-01T00:00:00Z"

# (config, the line to insert before, the lines inserted)
EDITS = {
    # An ACL line on the LGWAN core switch, which is in no cut.
    "untouched": ("lg-core.cfg", "access-list 10 permit 10.2.99.0 0.0.0.255\n", "access-list 10 deny host 10.2.99.7\n"),
    # A line before a cited one on lg-gw: it drops some of mynumber -> lgwan, every later line moves down.
    "cited": (
        "lg-gw.cfg",
        " 900 deny ip 10.1.0.0 0.0.255.255 any log\n",
        " 890 deny ip host 10.1.10.5 any log\n",
    ),
    # lg-gw lets mynumber through: its filter no longer drops every forbidden packet, the cut of
    # mynumber -> lgwan and -> zenkoku-lgwan moves to mn-gw's outbound filter.
    "cut-moves": (
        "lg-gw.cfg",
        " 900 deny ip 10.1.0.0 0.0.255.255 any log\n",
        " 890 permit ip 10.1.0.0 0.0.255.255 any\n",
    ),
    # The firewall lets LGWAN's web traffic out: lgwan -> internet is no longer isolated.
    "isolation-breaks": (
        "inet-fw.cfg",
        "access-list BACKBONE_access_in extended deny ip 10.2.0.0 255.255.0.0 any log\n",
        "access-list BACKBONE_access_in extended permit tcp 10.2.0.0 255.255.0.0 any eq 80\n",
    ),
}


def sample_copy(folder: Path, sample: str = "nankoku", configs: str = "configs") -> Path:
    shutil.copytree(ROOT / "device_configs" / sample, folder / configs)
    text = (ROOT / "topologies" / f"{sample}.yaml").read_text(encoding="utf-8")
    assert f"configs: ../device_configs/{sample}\n" in text
    topology = folder / f"{sample}.yaml"
    topology.write_text(
        text.replace(f"configs: ../device_configs/{sample}\n", f"configs: {configs}\n"), encoding="utf-8"
    )
    return topology


def insert(path: Path, anchor: str, added: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert anchor in text
    path.write_text(text.replace(anchor, added + anchor, 1), encoding="utf-8")


def edit(topology: Path, name: str) -> None:
    config, anchor, added = EDITS[name]
    insert(topology.parent / "configs" / config, anchor, added)


def certificates(topology: Path, cache: Path | None) -> str:
    """The report's certificates section as written (with a cache: past the whole-run result cache)."""
    result = analyze(
        str(topology),
        timestamp=STAMP,
        today=TODAY,
        cache=ParseCache(cache) if cache is not None else None,
        reuse_result=False,
    )
    return json.dumps(json.loads(render_json(result))["certificates"], ensure_ascii=False, indent=1)


@pytest.fixture
def counted(monkeypatch: pytest.MonkeyPatch) -> dict[str, list[tuple[str, ...]]]:
    """The cuts found (pairs) and the filters whose lines were read (points), by call."""
    calls: dict[str, list[tuple[str, ...]]] = {"cuts": [], "lines": []}
    certified, lines_each = certificate_module._certified, certificate_module._dropping_lines_each

    def counted_certified(*args: object) -> object:
        calls["cuts"].append((str(args[2]), str(args[3])))
        return certified(*args)  # type: ignore[arg-type]

    def counted_lines(*args: object) -> object:
        calls["lines"].append((str(args[1]), str(args[2]), str(args[3])))
        return lines_each(*args)  # type: ignore[arg-type]

    monkeypatch.setattr(certificate_module, "_certified", counted_certified)
    monkeypatch.setattr(certificate_module, "_dropping_lines_each", counted_lines)
    return calls


def test_an_unchanged_re_run_and_an_edit_touching_no_cut_read_no_filter_again(
    tmp_path: Path, counted: dict[str, list[tuple[str, ...]]]
) -> None:
    topology = sample_copy(tmp_path)
    cache = tmp_path / "cache"
    first = certificates(topology, cache)
    assert len(counted["cuts"]) == 8 and counted["lines"]
    counted["cuts"].clear()
    counted["lines"].clear()
    assert certificates(topology, cache) == first
    assert counted == {"cuts": [], "lines": []}
    edit(topology, "untouched")
    assert certificates(topology, cache) == first
    assert counted == {"cuts": [], "lines": []}
    assert certificates(topology, None) == first


def test_an_edit_of_a_cited_filter_reads_that_filter_again_only(
    tmp_path: Path, counted: dict[str, list[tuple[str, ...]]]
) -> None:
    topology = sample_copy(tmp_path)
    cache = tmp_path / "cache"
    before = certificates(topology, cache)
    edit(topology, "cited")
    counted["cuts"].clear()
    counted["lines"].clear()
    after = certificates(topology, cache)
    # lg-gw's filter still drops every forbidden packet: no cut is searched again.
    assert counted == {"cuts": [], "lines": [("lg-gw", "GigabitEthernet0/1", "in")]}
    assert after == certificates(topology, None) != before
    assert '"text": "890 deny ip host 10.1.10.5 any log"' in after


@pytest.mark.parametrize("name", ["cut-moves", "isolation-breaks"])
def test_an_edit_that_changes_a_cut_gives_the_certificates_a_run_from_scratch_gives(
    tmp_path: Path, name: str, counted: dict[str, list[tuple[str, ...]]]
) -> None:
    topology = sample_copy(tmp_path)
    cache = tmp_path / "cache"
    before = certificates(topology, cache)
    edit(topology, name)
    counted["cuts"].clear()
    after = certificates(topology, cache)
    cuts = list(counted["cuts"])
    assert after == certificates(topology, None) != before
    if name == "cut-moves":
        assert cuts == [("mynumber", "lgwan"), ("mynumber", "zenkoku-lgwan")]
        first = json.loads(after)[0]
        assert (first["to_zone"], {Path(line["file"]).name for line in first["lines"]}) == ("lgwan", {"mn-gw.cfg"})
    else:
        # inet-fw now passes some lgwan -> mynumber packets too: that pair's search asks again.
        assert cuts == [("lgwan", "mynumber")]
        assert ("lgwan", "internet") not in [(c["from_zone"], c["to_zone"]) for c in json.loads(after)]
    # Back as it was: the pair left out since is found again, the others taken as kept.
    shutil.rmtree(topology.parent / "configs")
    shutil.copytree(ROOT / "device_configs" / "nankoku", topology.parent / "configs")
    assert certificates(topology, cache) == before


def test_a_moved_config_folder_gets_its_own_paths(tmp_path: Path, counted: dict[str, list[tuple[str, ...]]]) -> None:
    topology = sample_copy(tmp_path)
    cache = tmp_path / "cache"
    before = certificates(topology, cache)
    shutil.move(tmp_path / "configs", tmp_path / "moved")
    topology.write_text(topology.read_text(encoding="utf-8").replace("configs: configs\n", "configs: moved\n"))
    counted["cuts"].clear()
    counted["lines"].clear()
    after = certificates(topology, cache)
    # The models are the same: every cut and every line is kept, the lines shown under the new path.
    assert counted == {"cuts": [], "lines": []} and "/configs/" not in after
    assert after == certificates(topology, None) == before.replace("/configs/", "/moved/")


def test_a_run_in_another_working_folder_keeps_the_lines_under_its_own_relative_paths(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, counted: dict[str, list[tuple[str, ...]]]
) -> None:
    topology = sample_copy(tmp_path / "repo")
    cache = tmp_path / "cache"
    monkeypatch.chdir(tmp_path / "repo")
    before = certificates(topology, cache)
    assert '"file": "configs/' in before
    # Paths are shown relative to the working folder when inside it (topology.py `_shown_path`).
    monkeypatch.chdir(tmp_path)
    counted["cuts"].clear()
    counted["lines"].clear()
    after = certificates(topology, cache)
    assert counted == {"cuts": [], "lines": []}
    assert '"file": "configs/' not in after and '"file": "repo/configs/' in after
    assert after == certificates(topology, None) == before.replace('"file": "configs/', '"file": "repo/configs/')


def test_a_kept_point_citing_another_file_is_cited_afresh(tmp_path: Path) -> None:
    from nankoku_netcheck.result import Evidence
    from nankoku_netcheck.rules.certificate_kept import _moved

    own = (Evidence("a/x.cfg", 3, "permit ip any any", "drops"), Evidence("a/x.cfg", 9, "deny ip any any"))
    assert _moved(own, "a/x.cfg", "b/x.cfg") == (
        Evidence("b/x.cfg", 3, "permit ip any any", "drops"),
        Evidence("b/x.cfg", 9, "deny ip any any"),
    )
    assert _moved((*own, Evidence("a/y.cfg", 1, "x")), "a/x.cfg", "b/x.cfg") is None


def test_a_route_leaking_between_vrf_tables_changes_the_kept_note(tmp_path: Path) -> None:
    topology = sample_copy(tmp_path, "nankoku-vrf")
    cache = tmp_path / "cache"
    before = certificates(topology, cache)
    assert "the VRF tables, with no static route leaking between them" in before
    # A route of vrf INET out of an interface of vrf LGWAN joins the tables; no zone's prefix.
    insert(
        tmp_path / "configs" / "core-sw.cfg",
        "ip route vrf INET 0.0.0.0 0.0.0.0 10.3.0.1 name INET-GW\n",
        "ip route vrf INET 192.0.2.0 255.255.255.0 Vlan120\n",
    )
    after = certificates(topology, cache)
    assert after == certificates(topology, None) != before
    # internet -> lgwan may now cross from the INET table into LGWAN's: its note no longer names them.
    assert (before.count("the VRF tables"), after.count("the VRF tables")) == (2, 1)


def test_a_damaged_record_is_not_read(tmp_path: Path, counted: dict[str, list[tuple[str, ...]]]) -> None:
    topology = sample_copy(tmp_path)
    cache = tmp_path / "cache"
    before = certificates(topology, cache)
    (record,) = [
        path for path in (cache / "bdd").glob("*/*.json") if b"mynumber" in path.read_bytes()
    ]  # the one record naming zones
    record.write_bytes(record.read_bytes().replace(b'"mn-gw"', b'"lg-gw"'))
    counted["cuts"].clear()
    assert certificates(topology, cache) == before
    assert len(counted["cuts"]) == 8


def test_without_the_kept_lines_the_cuts_are_kept_and_their_lines_read_again(
    tmp_path: Path, counted: dict[str, list[tuple[str, ...]]]
) -> None:
    topology = sample_copy(tmp_path)
    cache = tmp_path / "cache"
    before = certificates(topology, cache)
    (lines,) = [path for path in (cache / "bdd").glob("*/*.json") if b"access-group LGWAN-FROM-BB" in path.read_bytes()]
    lines.unlink()
    counted["cuts"].clear()
    counted["lines"].clear()
    assert certificates(topology, cache) == before
    assert counted["cuts"] == [] and len(counted["lines"]) == 3  # lg-gw, inet-fw, mn-gw inbound
    counted["lines"].clear()
    assert certificates(topology, cache) == before
    assert counted == {"cuts": [], "lines": []}


def test_a_channel_edit_changes_the_forbidden_packets_and_every_cut_is_found_again(
    tmp_path: Path, counted: dict[str, list[tuple[str, ...]]]
) -> None:
    topology = sample_copy(tmp_path)
    cache = tmp_path / "cache"
    certificates(topology, cache)
    text = topology.read_text(encoding="utf-8")
    assert text.count("    dport: [3389]\n") == 1
    topology.write_text(text.replace("    dport: [3389]\n", "    dport: [3389, 3390]\n"), encoding="utf-8")
    counted["cuts"].clear()
    after = certificates(topology, cache)
    assert len(counted["cuts"]) == 8
    assert after == certificates(topology, None)


def test_on_a_generated_city_an_access_switch_edit_reads_nothing_again_and_a_firewall_edit_its_lines(
    tmp_path: Path, counted: dict[str, list[tuple[str, ...]]]
) -> None:
    topology = generate(CitySpec(devices=14, acl_lines=300), tmp_path / "city")
    cache = tmp_path / "cache"
    certificates(topology, cache)
    configs = topology.parent / "device_configs"
    # The benchmark's edit (benchmarks/run.py `edit_one_device`): an access switch in no cut.
    marker = "ip access-list extended VLAN10-IN\n"
    text = (configs / "lg-as0001.cfg").read_text(encoding="utf-8")
    (configs / "lg-as0001.cfg").write_text(
        text.replace(marker, marker + " deny tcp any host 10.0.0.250 eq 23\n"), encoding="utf-8"
    )
    counted["cuts"].clear()
    counted["lines"].clear()
    after = certificates(topology, cache)
    assert counted == {"cuts": [], "lines": []}
    assert after == certificates(topology, None)
    insert(configs / "lg-fw.cfg", " deny udp any object-group LG-IN-G2 eq 80\n", " deny udp any any eq 81\n")
    counted["cuts"].clear()
    counted["lines"].clear()
    again = certificates(topology, cache)
    assert counted == {"cuts": [], "lines": [("lg-fw", "GigabitEthernet0/1", "in")]}
    assert again == certificates(topology, None) != after
