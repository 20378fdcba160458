"""Scale features: the IOS block tree built without ciscoconfparse2's objects, parallel
parsing, batch verification of several topologies, the `synth` command."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from ciscoconfparse2 import CiscoConfParse
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st
from loguru import logger

from nankoku_netcheck import analyze as analyze_module
from nankoku_netcheck.analyze import load, parse_many
from nankoku_netcheck.cli import main
from nankoku_netcheck.cli.verify import BatchOutcome, report_folders, worst_exit_code
from nankoku_netcheck.errors import InputProblem
from nankoku_netcheck.parse_worker import parse_outcome
from nankoku_netcheck.synth import CitySpec, generate
from nankoku_netcheck.vendors import SUPPORTED
from nankoku_netcheck.vendors.cisco_ios import blocks as blocks_module
from nankoku_netcheck.vendors.cisco_ios.blocks import (
    BlockLine,
    UnclosedMacro,
    block_tree,
    build_block_tree,
    ciscoconfparse2_start,
    ciscoconfparse2_tree,
    needs_ciscoconfparse2,
)
from nankoku_netcheck.vendors.cisco_ios.parser import _IosParser

REPO = Path(__file__).resolve().parents[1]
CORPUS = REPO.parent / "shared" / "corpus"
CORPUS_SAMPLE = 60  # corpus files compared (ciscoconfparse2 is slow: keep the test short)


def ccp2_shape(lines: list[str]) -> list[tuple[int, int, list[int]]]:
    logger.disable("ciscoconfparse2")
    objs = CiscoConfParse(config=list(lines), ignore_blank_lines=False).objs
    return [(o.linenum, o.parent.linenum, [c.linenum for c in o.children]) for o in objs]


def own_shape(lines: list[str]) -> list[tuple[int, int, list[int]]]:
    return [(o.linenum, o.parent.linenum, [c.linenum for c in o.children]) for o in build_block_tree(lines)]


def structure_lines(path: Path) -> list[str]:
    """The lines the IOS parser builds its tree from (banner and macro text hidden)."""
    return _IosParser(path.read_text(encoding="utf-8", errors="replace"), str(path)).claim_multiline_blocks()


def uses_own_tree(lines: list[str]) -> bool:
    return not needs_ciscoconfparse2(lines)


# --- the block tree ------------------------------------------------------------------------------

PIECES = [
    "interface Gi0/1",
    " ip address 10.0.0.1 255.255.255.0",
    "  nested",
    "   deeper",
    " back",
    "!",
    " !",
    "  ! comment",
    "",
    "   ",
    "\tip tab",
    " \tmixed",
    "router ospf 1",
    "hostname r1",
    "!x",
    "exit",
    " exit",
]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(PIECES), min_size=1, max_size=30))
def test_block_tree_is_ciscoconfparse2s_on_any_indentation(lines: list[str]) -> None:
    assert own_shape(lines) == ccp2_shape(lines)


def test_block_tree_is_ciscoconfparse2s_on_the_sample_and_a_generated_city(tmp_path: Path) -> None:
    generate(CitySpec(devices=14, acl_lines=300), tmp_path)
    paths = sorted((REPO / "device_configs").rglob("*.cfg")) + sorted(tmp_path.rglob("*.cfg"))
    assert paths
    for path in paths:
        lines = structure_lines(path)
        assert uses_own_tree(lines), path
        assert own_shape(lines) == ccp2_shape(lines), path


def test_block_tree_is_ciscoconfparse2s_on_real_configs() -> None:
    if not CORPUS.is_dir():
        pytest.skip(f"corpus of real configs not found at {CORPUS}")
    paths = sorted(p for p in CORPUS.rglob("*") if p.is_file() and p.suffix in (".cfg", ".txt", ".conf", ""))
    compared = 0
    for path in paths[:: max(1, len(paths) // CORPUS_SAMPLE)]:
        lines = structure_lines(path)
        if len(lines) > 3000 or not uses_own_tree(lines):
            continue
        assert own_shape(lines) == ccp2_shape(lines), path
        compared += 1
    assert compared > 10


def test_banner_like_lines_still_go_through_ciscoconfparse2() -> None:
    # ciscoconfparse2 makes the delimited text children of the banner line, which plain
    # indentation would not: such texts keep going through it.
    lines = ["set banner motd ^C", "text", "^C", "interface Gi0/1", " shutdown"]
    assert ccp2_shape(lines)[0][2] == [1, 2]
    assert own_shape(lines)[0][2] == []
    assert not uses_own_tree(lines)
    assert [(o.linenum, o.parent.linenum, [c.linenum for c in o.children]) for o in block_tree(lines)] == (
        ccp2_shape(lines)
    )


BANNER_PIECES = [
    *PIECES,
    "banner motd ^C",
    "banner login #",
    "banner exec Authorized only. All sessions logged.",
    "banner motd ^CAuthorized only^C",
    "banner login",
    "banner incoming {x{",
    "banner motd #one line",
    "set banner motd %x%",
    "set banner motd %",
    "  text ^C",
    "#",
    "%",
    "aaa authentication fail-message ^",
    " aaa authentication fail-message #",
    "macro name ports",
    " switchport",
    "@",
]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(BANNER_PIECES), min_size=1, max_size=25))
def test_trees_with_banners_and_macros_are_ciscoconfparse2s(lines: list[str]) -> None:
    # ciscoconfparse2_tree: one bootstrap instead of CiscoConfParse's two; block_tree: our
    # own tree up to the last top-level command before the first banner or macro line.
    if any(line.startswith("macro name") for line in lines) and lines[-1:] != ["@"]:
        lines = [*lines, "@"]  # ciscoconfparse2 fails on a macro without its end
    expected = ccp2_shape(lines)
    for tree in (ciscoconfparse2_tree(lines), block_tree(lines)):
        assert all(isinstance(obj, BlockLine) for obj in tree)
        assert [(o.linenum, o.parent.linenum, [c.linenum for c in o.children]) for o in tree] == expected


def test_ciscoconfparse2_reads_from_the_last_top_level_command_before_a_banner() -> None:
    lines = ["interface Gi0/1", " shutdown", "!", "banner motd ^C", "text", "^C"]
    assert ciscoconfparse2_start(lines) == 3
    assert ciscoconfparse2_start(["hostname r1", "line con 0", " x", "set banner motd ^", "t", "^"]) == 3
    assert ciscoconfparse2_start(["banner motd ^C", "interface Gi0/1", " shutdown", "^C"]) == 0
    assert ciscoconfparse2_start(lines[:3]) is None


def test_banner_lines_whose_delimiter_closes_on_the_line_or_is_missing_need_no_ciscoconfparse2(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # ciscoconfparse2 adopts no line after such a line: indentation alone gives its tree.
    lines = [
        "hostname fw",
        "line con 0",
        " aaa authentication fail-message ^",
        " x",
        "banner motd Authorized personnel only. All sessions are logged.",
        "banner login ^CNo entry^C",
        "banner exec",
        "interface Gi0/1",
        " shutdown",
    ]
    assert ciscoconfparse2_start(lines) is None
    assert ciscoconfparse2_start(["banner motd {x{", "text", "{"]) == 0  # braces: left to ciscoconfparse2

    def refused(*_: object) -> list[BlockLine]:
        raise AssertionError("ciscoconfparse2 called")

    monkeypatch.setattr(blocks_module, "ciscoconfparse2_tree", refused)
    tree = block_tree(lines)
    assert [(o.linenum, o.parent.linenum, [c.linenum for c in o.children]) for o in tree] == ccp2_shape(lines)


# --- parallel parsing ------------------------------------------------------------------------------


def test_parallel_parsing_gives_the_same_devices_in_the_same_order(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    topology = generate(CitySpec(devices=16, acl_lines=600), tmp_path)
    sequential = load(str(topology), jobs=1)
    monkeypatch.setattr(analyze_module, "PARALLEL_PARSE_MIN_LINES", 0)
    parallel = load(str(topology), jobs=2)
    assert list(parallel.devices) == list(sequential.devices)
    assert parallel.devices == sequential.devices


def test_parse_errors_come_back_from_the_workers(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(analyze_module, "PARALLEL_PARSE_MIN_LINES", 0)
    outcomes = parse_many(
        [("hostname a\n!\nend\n", "a.cfg", None), ("hostname b\n", "b.cfg", "no-such-vendor")], jobs=2
    )
    assert outcomes[0].hostname == "a"  # type: ignore[union-attr]
    assert isinstance(outcomes[1], tuple)
    assert isinstance(outcomes[1][0], InputProblem) and outcomes[1][0].file == "b.cfg"


def test_small_inputs_are_parsed_without_a_pool(monkeypatch: pytest.MonkeyPatch) -> None:
    def no_pool(*_args: object, **_kwargs: object) -> None:
        raise AssertionError("a process pool was started for two small configs")

    monkeypatch.setattr(analyze_module, "ProcessPoolExecutor", no_pool)
    outcomes = parse_many([("hostname a\n!\nend\n", "a.cfg", None), ("hostname b\n!\nend\n", "b.cfg", None)], jobs=2)
    assert [o.hostname for o in outcomes] == ["a", "b"]  # type: ignore[union-attr]


# --- several topologies ---------------------------------------------------------------------------


def test_batch_verify_writes_one_folder_per_topology_and_exits_with_the_worst(tmp_path: Path) -> None:
    compliant = generate(CitySpec(devices=14, acl_lines=200), tmp_path / "north")
    violating = generate(CitySpec(devices=14, acl_lines=200, plant=("external-link-ssh",)), tmp_path / "south")
    out = tmp_path / "out"
    result = CliRunner().invoke(
        main,
        [
            "verify",
            str(compliant),
            str(violating),
            "--output-dir",
            str(out),
            "--format",
            "json,text",
            "--jobs",
            "2",
            "--no-cache",
            "--quiet",
        ],
    )
    assert result.exit_code == 1, result.output
    assert sorted(p.name for p in out.iterdir()) == ["north-topology", "south-topology"]
    north = json.loads((out / "north-topology" / "report.json").read_text(encoding="utf-8"))
    south = json.loads((out / "south-topology" / "report.json").read_text(encoding="utf-8"))
    assert (north["verdict"], south["verdict"]) == ("pass", "fail")
    assert (out / "south-topology" / "report.txt").is_file()
    lines = result.output.splitlines()
    assert lines[0].split()[:2] == ["topology", "verdict"]
    assert lines[1].split()[:3] == [str(compliant), "pass", "0"]
    assert lines[2].split()[:3] == [str(violating), "fail", "1"]
    assert lines[-1] == "2 topologies; exit code 1 (the worst)"


def test_batch_verify_reports_an_input_error_and_carries_on(tmp_path: Path) -> None:
    good = generate(CitySpec(devices=14, acl_lines=200), tmp_path / "good")
    broken = tmp_path / "broken.yaml"
    broken.write_text("version: 1\nname: x\n", encoding="utf-8")
    out = tmp_path / "out"
    result = CliRunner().invoke(
        main, ["verify", str(good), str(broken), "--output-dir", str(out), "--jobs", "1", "--no-cache", "--quiet"]
    )
    assert result.exit_code == 2, result.output
    assert "input error" in result.output
    assert (out / "topology" / "report.txt").is_file()


def test_batch_verify_lists_every_refused_config(tmp_path: Path) -> None:
    good = generate(CitySpec(devices=14, acl_lines=200), tmp_path / "good")
    foreign = tmp_path / "foreign"
    (foreign / "configs").mkdir(parents=True)
    (foreign / "configs" / "pa1.cfg").write_text(
        "set deviceconfig system hostname pa1\nset network interface ethernet ethernet1/1 layer3 ip 10.2.0.1/24\n",
        encoding="utf-8",
    )
    (foreign / "configs" / "srx.cfg").write_text("set system host-name srx\n", encoding="utf-8")
    (foreign / "topology.yaml").write_text(
        "version: 1\nname: x\nconfigs: configs\nzones:\n  lgwan: {kind: lgwan, label: L, prefixes: [10.2.0.0/16]}\n"
        "devices:\n  pa1: {config: pa1.cfg}\n  srx: {config: srx.cfg}\n",
        encoding="utf-8",
    )
    result = CliRunner().invoke(
        main,
        [
            "verify",
            str(good),
            str(foreign / "topology.yaml"),
            "--output-dir",
            str(tmp_path / "out"),
            "--jobs",
            "1",
            "--no-cache",
            "--quiet",
        ],
    )
    assert result.exit_code == 2, result.output
    supported = "(not supported yet; supported: " + ", ".join(sorted(SUPPORTED)) + ")"
    topology = foreign / "topology.yaml"
    assert result.output.splitlines()[-3:] == [
        f"{topology}: {foreign / 'configs' / 'pa1.cfg'}: looks like PAN-OS {supported}",
        f"{topology}: {foreign / 'configs' / 'srx.cfg'}: looks like Junos {supported}",
        "2 topologies; exit code 2 (the worst)",
    ]


def test_several_topologies_need_an_output_folder(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["verify", "a.yaml", "b.yaml"])
    assert result.exit_code == 2
    assert "--output-dir" in result.output


def test_report_folders_are_named_after_the_files_and_kept_apart() -> None:
    assert report_folders(("/x/kochi.yaml", "/x/nankoku.yaml"), "out") == ["out/kochi", "out/nankoku"]
    assert report_folders(("/x/a/topology.yaml", "/x/b/topology.yaml"), "out") == ["out/a-topology", "out/b-topology"]
    assert report_folders(("/x/a.yaml", "/x/a.yaml"), "out") == ["out/x-a", "out/x-a-2"]


@pytest.mark.parametrize(("codes", "worst"), [((0, 3), 3), ((3, 1, 0), 1), ((1, 2), 2), ((2, 4, 1), 4), ((0,), 0)])
def test_the_batch_exit_code_is_the_worst(codes: tuple[int, ...], worst: int) -> None:
    assert worst_exit_code([BatchOutcome(str(i), "", code, "") for i, code in enumerate(codes)]) == worst


# --- synth ------------------------------------------------------------------------------------------


def test_synth_command_writes_a_city(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        main,
        [
            "synth",
            "--devices",
            "15",
            "--acl-lines",
            "400",
            "--segments",
            "20",
            "--seed",
            "4",
            "--plant",
            "undefined-acl",
            "--out",
            str(tmp_path / "city"),
        ],
    )
    assert result.exit_code == 0, result.output
    assert result.output.strip() == str(tmp_path / "city" / "topology.yaml")
    assert len(list((tmp_path / "city" / "device_configs").glob("*.cfg"))) == 15
    assert "undefined-acl" in (tmp_path / "city" / "expected.yaml").read_text(encoding="utf-8")


def test_synth_command_refuses_an_impossible_city(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["synth", "--devices", "5", "--out", str(tmp_path)])
    assert result.exit_code == 2
    assert "devices must be at least" in result.output


@pytest.mark.parametrize(
    "header", [": Saved\nASA Version 9.8(4)\nhostname fw\n", "version 15.2\nhostname r1\n"], ids=["asa", "ios"]
)
def test_a_macro_without_its_closing_line_is_an_input_error(header: str) -> None:
    text = header + "interface GigabitEthernet0/0\n ip address 10.0.0.1 255.255.255.0\nmacro name broken\n something\n"
    macro_line = text.splitlines().index("macro name broken") + 1
    outcome = parse_outcome(text, "cfg/fw.cfg", None)
    if header.startswith("version"):
        # IOS reads a macro's lines as free text before the block tree: nothing to refuse.
        assert not isinstance(outcome, tuple)
        return
    assert isinstance(outcome, tuple)
    assert [(p.file, p.line, p.message) for p in outcome] == [
        ("cfg/fw.cfg", macro_line, "'macro name' without the line '@' that ends the macro")
    ]
    closed = text + "@\n"
    assert not isinstance(parse_outcome(closed, "cfg/fw.cfg", None), tuple)
    with pytest.raises(UnclosedMacro) as raised:
        block_tree(text.splitlines())
    assert raised.value.linenum == macro_line - 1
