"""`trace` is honest: a hop that rests on a line not understood or on an over-approximation
says so there (what and file:line), and the summary says the trace may differ from the device."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

from click.testing import CliRunner
from conftest import REPO, NetworkWriter

from nankoku_netcheck.analyze import analyze
from nankoku_netcheck.cli import main

SUMMARY_EN = (
    "caveat: the trace may differ from the device: some hops rest on lines not understood or on "
    "over-approximations (marked '!')"
)
SUMMARY_JA = (
    "注意: トレース結果は実機と異なる可能性があります。解釈できない行や近似に基づくホップがあります（「!」の行）"
)
PBR_REASON = "route-map PBR: line 9: 'set ip next-hop recursive' is not modelled"
PBR_EN = f"line not understood on this device ({PBR_REASON}): ip policy route-map PBR"
PBR_JA = f"この機器の解釈できない行です（{PBR_REASON}）: ip policy route-map PBR"
# Policy routing reads this route-map, and not its recursive next hop: the `ip policy` line is META-001.
UNMODELLED_PBR = "route-map PBR permit 10\n set ip next-hop recursive 10.9.9.9"
OSPF_EN = "next hop from dynamic routing (ospf 1), an over-approximation: any prefix may be learned from any neighbour"
OSPF_JA = (
    "動的ルーティング（ospf 1）によるネクストホップです。近似として、どの隣接機器からもどの経路も"
    "学習されうるものとしています"
)


def trace(topology: Path, *args: str) -> str:
    result = CliRunner().invoke(main, ["trace", str(topology), "--no-cache", *args], env={"LANG": "C"})
    assert result.exit_code == 0, result.output
    return result.stdout


def trace_json(topology: Path, *args: str) -> dict[str, Any]:
    return json.loads(trace(topology, *args, "--format", "json"))  # type: ignore[no-any-return]


def caveat_lines(text: str) -> list[str]:
    return [line for line in text.splitlines() if line.startswith("    ! ")]


MN_TO_LG = ("--src", "10.1.1.10", "--dst", "10.2.1.10")


def test_a_meta_001_line_on_the_hop_is_named_at_that_hop(triangle: NetworkWriter) -> None:
    # The PBR line sits in r-mn's egress interface; the one in r-core's Loopback0 is on no hop.
    topology = triangle(
        mn_iface="ip policy route-map PBR",
        mn_extra=UNMODELLED_PBR,
        core_extra=UNMODELLED_PBR
        + "\ninterface Loopback0\n ip address 10.9.9.9 255.255.255.255\n ip policy route-map PBR",
    )
    where = f"{topology.parent / 'configs' / 'r-mn.cfg'}:6"
    text = trace(topology, *MN_TO_LG)
    lines = text.splitlines()
    hop = next(index for index, line in enumerate(lines) if line.startswith("  r-mn: "))
    assert lines[hop + 1] == f"    ! {where}: {PBR_EN}"
    assert caveat_lines(text) == [f"    ! {where}: {PBR_EN}"]
    assert lines[-1] == SUMMARY_EN
    text_ja = trace(topology, *MN_TO_LG, "--lang", "ja")
    assert caveat_lines(text_ja) == [f"    ! {where}: {PBR_JA}"]
    assert text_ja.splitlines()[-1] == SUMMARY_JA

    record = trace_json(topology, *MN_TO_LG)
    assert record["may_differ_from_device"] is True
    assert record["caveat_en"] == SUMMARY_EN.removeprefix("caveat: ")
    assert record["caveat_ja"] == SUMMARY_JA.removeprefix("注意: ")
    [path] = record["paths"]
    assert [hop["caveats"] for hop in path["hops"]] == [
        [
            {
                "kind": "unknown-line",
                "file": str(topology.parent / "configs" / "r-mn.cfg"),
                "line": 6,
                "message_en": PBR_EN,
                "message_ja": PBR_JA,
            }
        ],
        [],
        [],
    ]


def test_acl_lines_not_understood_or_approximated_are_named_at_the_hop(triangle: NetworkWriter) -> None:
    topology = triangle(
        lg_iface="ip access-group IN in",
        lg_extra="ip access-list extended IN\n deny tcp any any eq 23 time-range NEVER\n"
        " deny tcp any any eq 443 time-range NEVER\n evaluate REFL\n permit ip any any",
    )
    config = topology.parent / "configs" / "r-lg.cfg"
    # The deny for port 23 cannot match this packet (its match set is a superset of the device's).
    assert caveat_lines(trace(topology, *MN_TO_LG)) == [
        f"    ! {config}:10: ACL IN: a deny line that may match was ignored, over-approximated ('time-range NEVER' "
        f"ignored: the entry is treated as matching any value): deny tcp any any eq 443 time-range NEVER",
        f"    ! {config}:11: ACL IN: the permitting line was not understood (reflexive ACL evaluation is not "
        f"modelled): evaluate REFL",
    ]
    assert caveat_lines(trace(topology, *MN_TO_LG, "--lang", "ja")) == [
        f"    ! {config}:10: ACL IN: 一致しうる deny 行を近似のため無視しました（'time-range NEVER' ignored: the "
        f"entry is treated as matching any value）: deny tcp any any eq 443 time-range NEVER",
        f"    ! {config}:11: ACL IN: 許可した行を解釈できません（reflexive ACL evaluation is not modelled）: "
        f"evaluate REFL",
    ]


def test_a_dynamic_next_hop_is_named_at_that_hop(triangle: NetworkWriter) -> None:
    ospf = "router ospf 1\n network 192.168.0.0 0.0.255.255 area 0"
    topology = triangle(mn_extra=ospf, core_extra=ospf)
    config = topology.parent / "configs" / "r-mn.cfg"
    record = trace_json(topology, *MN_TO_LG)
    assert record["may_differ_from_device"] is True
    first_hops = [path["hops"][0] for path in record["paths"]]
    static = [hop for hop in first_hops if hop["route"]["kind"] == "static"]
    dynamic = [hop for hop in first_hops if hop["route"]["kind"] == "dynamic"]
    assert static and dynamic
    assert all(hop["caveats"] == [] for hop in static)
    assert all(
        hop["caveats"]
        == [{"kind": "dynamic-route", "file": str(config), "line": 8, "message_en": OSPF_EN, "message_ja": OSPF_JA}]
        for hop in dynamic
    )
    text = trace(topology, *MN_TO_LG)
    assert f"    ! {config}:8: {OSPF_EN}" in caveat_lines(text)
    assert text.splitlines()[-1] == SUMMARY_EN


def test_a_pat_rewrite_is_named_at_the_firewall_that_applies_it(tmp_path: Path) -> None:
    shutil.copytree(REPO / "topologies", tmp_path / "topologies")
    shutil.copytree(REPO / "device_configs" / "nankoku", tmp_path / "device_configs" / "nankoku")
    (tmp_path / ".git").mkdir()  # a checkout: the topology reads ../device_configs from its work tree
    firewall = tmp_path / "device_configs" / "nankoku" / "edge-fw.cfg"
    lines = firewall.read_text(encoding="utf-8").splitlines()
    firewall.write_text(
        "\n".join(
            [
                *lines,
                "object network INSIDE-PAT",
                " subnet 10.3.0.0 255.255.0.0",
                " nat (inside,outside) dynamic interface",
            ]
        )
        + "\n",
        encoding="utf-8",
    )
    topology = tmp_path / "topologies" / "nankoku.yaml"
    where = f"{firewall}:{len(lines) + 3}"
    packet = ("--src", "10.3.20.25", "--dst", "198.51.100.10")
    record = trace_json(topology, *packet)
    [path] = record["paths"]
    assert [(hop["device"], [c["kind"] for c in hop["caveats"]]) for hop in path["hops"]] == [
        ("inet-core", []),
        ("edge-fw", ["nat-pool"]),
        ("edge-rtr", []),
    ]
    text = trace(topology, *packet)
    assert caveat_lines(text) == [
        f"    ! {where}: PAT to 10.3.0.2/32: the device picks the source port (and the address when the pool "
        f"holds several); the trace keeps the original port"
    ]
    assert text.splitlines()[-1] == SUMMARY_EN
    assert caveat_lines(trace(topology, *packet, "--lang", "ja")) == [
        f"    ! {where}: 10.3.0.2/32 への PAT: 実機は送信元ポート（プールに複数あればアドレスも）を選びます。"
        f"トレースでは元のポートのままです"
    ]


def test_a_clean_trace_has_no_caveat(triangle: NetworkWriter) -> None:
    topology = triangle()
    text = trace(topology, *MN_TO_LG)
    assert caveat_lines(text) == [] and "caveat" not in text and "may differ" not in text
    record = trace_json(topology, *MN_TO_LG)
    assert record["may_differ_from_device"] is False and record["caveat_en"] is None
    assert [hop["caveats"] for path in record["paths"] for hop in path["hops"]] == [[], [], []]


def test_a_finding_path_carries_the_same_caveat(triangle: NetworkWriter) -> None:
    # No ACL anywhere: my number → LGWAN is a violation whose path crosses r-mn's PBR line.
    topology = triangle(mn_iface="ip policy route-map PBR", mn_extra=UNMODELLED_PBR)
    where = f"{topology.parent / 'configs' / 'r-mn.cfg'}:6"
    result = analyze(str(topology))
    through = [
        f
        for f in result.findings
        if f.path and f.path[0].device == "r-mn" and f.from_zone == "mynumber" and f.to_zone == "lgwan"
    ]
    assert through
    for finding in through:
        assert finding.path[0].note == f"{where}: {PBR_EN}"
        assert f"r-mn: {where}: {PBR_EN}" in finding.notes
        assert [step.note for step in finding.path[1:]] == [""] * (len(finding.path) - 1)


def test_an_undefined_acl_is_named_at_its_binding(triangle: NetworkWriter) -> None:
    # An unknown line in an ACL that no hop evaluates is not listed.
    topology = triangle(
        lg_iface="ip access-group MISSING in", lg_extra="ip access-list extended UNUSED\n evaluate REFL"
    )
    config = topology.parent / "configs" / "r-lg.cfg"
    assert caveat_lines(trace(topology, *MN_TO_LG)) == [
        f"    ! {config}:6: ACL MISSING is referenced but not defined: assumed to permit everything"
    ]
    assert caveat_lines(trace(topology, *MN_TO_LG, "--lang", "ja")) == [
        f"    ! {config}:6: ACL MISSING は参照されていますが定義がないため、すべて許可するものとしています"
    ]
