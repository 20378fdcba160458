"""What the ACL rules keep between runs (rules/acl_kept.py): a run that reads kept answers
back reports exactly what a run from scratch reports, after edits of several kinds, on the
rules' fail fixtures (each with one more device, ACL-002's r1 renamed "other"), and a zone
moved (ACL-006 reads where interfaces lead); unchanged
devices are not checked again; a damaged or foreign record is not read."""

from __future__ import annotations

import datetime as dt
import re
import shutil
from pathlib import Path

import pytest
import yaml
from conftest import REPO

from nankoku_netcheck.analyze import fingerprints, flow_context, load, packet_space
from nankoku_netcheck.cache import ParseCache
from nankoku_netcheck.model import Acl
from nankoku_netcheck.reach.packets import PacketSpace
from nankoku_netcheck.reach.store import BddStore
from nankoku_netcheck.result import Finding
from nankoku_netcheck.rules import acl as acl_module
from nankoku_netcheck.rules.acl import ACL_RULES
from nankoku_netcheck.rules.acl_kept import RECORD_KIND, code_fingerprint
from nankoku_netcheck.rules.flows import FlowContext

FIXTURES = REPO / "tests" / "fixtures" / "rules"
TODAY = dt.date(2026, 1, 1)
BUDGET = 1_000_000
CASES = [
    "ACL-001/fail",
    "ACL-001/asa-fail",
    "ACL-002/fail",
    "ACL-002/asa-fail",
    "ACL-002/fortios-fail",
    "ACL-003/fail",
    "ACL-004/fail",
    "ACL-004/asa-fail",
    "ACL-004/fortios-fail",
    "ACL-006/fortios-fail",
    "ACL-006/ios-zbf-fail",
    "RT-001/fail",
]
ZONES = {"lgwan": {"kind": "lgwan", "label": "LGWAN", "prefixes": ["10.2.0.0/16"]}}
# An ACL line of IOS or ASA syntax: copied after itself it is shadowed (ACL-002).
ACL_LINE = re.compile(r"^(access-list \S+ (extended )?(permit|deny) .*| (permit|deny) .*)$", re.MULTILINE)


def city(folder: Path, case: str) -> Path:
    """The fixture's configs and topology (one listing every config when it has none), with
    ACL-002's fail config as one more device, "other"."""
    shutil.copytree(FIXTURES / case / "configs", folder / "configs")
    given = FIXTURES / case / "topology.yaml"
    if given.is_file():
        topology = yaml.safe_load(given.read_text(encoding="utf-8"))
    else:
        configs = sorted((folder / "configs").glob("*.cfg"))
        devices = {config.stem: {"config": config.name} for config in configs}
        topology = {"version": 1, "name": case, "configs": "configs", "zones": ZONES, "devices": devices}
    other = (FIXTURES / "ACL-002" / "fail" / "configs" / "r1.cfg").read_text(encoding="utf-8")
    (folder / "configs" / "other.cfg").write_text(other.replace("hostname r1", "hostname other"), encoding="utf-8")
    topology["devices"]["other"] = {"config": "other.cfg"}
    return write_topology(folder, topology)


def write_topology(folder: Path, topology: dict[str, object]) -> Path:
    path = folder / "topology.yaml"
    path.write_text(yaml.safe_dump(topology, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def context(topology: Path, cache: Path | None) -> FlowContext:
    parse_cache = ParseCache(cache) if cache is not None else None
    loaded = load(str(topology), cache=parse_cache)
    space = packet_space("auto", parse_cache)
    ctx = flow_context(loaded, space, TODAY, BUDGET)
    if cache is not None:
        assert space.store is not None, "the test needs an engine with a store (oxidd or cudd)"
        ctx.fingerprints = fingerprints(loaded, space, BUDGET)
    return ctx


def acl_findings(topology: Path, cache: Path | None) -> dict[str, list[Finding]]:
    ctx = context(topology, cache)
    return {rule.id: rule.check(ctx) for rule in ACL_RULES}


def assert_kept_run_is_a_run_from_scratch(topology: Path, cache: Path) -> dict[str, list[Finding]]:
    kept = acl_findings(topology, cache)
    assert kept == acl_findings(topology, None)
    return kept


def first_config(topology: Path) -> tuple[str, Path]:
    """The fixture's own first device (not "other") and its config."""
    data = yaml.safe_load(topology.read_text(encoding="utf-8"))
    name = next(name for name in data["devices"] if name != "other")
    return name, topology.parent / "configs" / data["devices"][name]["config"]


@pytest.mark.parametrize("case", CASES)
def test_a_run_reading_kept_answers_reports_what_a_run_from_scratch_reports(tmp_path: Path, case: str) -> None:
    topology = city(tmp_path / "city", case)
    cache = tmp_path / "cache"
    cold = assert_kept_run_is_a_run_from_scratch(topology, cache)
    rule_id = case.split("/")[0]
    assert cold[rule_id], f"{case} must have findings of {rule_id}"
    assert cold["ACL-002"], "the other device has ACL-002 findings"
    assert assert_kept_run_is_a_run_from_scratch(topology, cache) == cold
    name, config = first_config(topology)
    text = config.read_text(encoding="utf-8")
    # (one naming nothing undefined: a line the parser approximates covers nothing)
    lines = [line for line in ACL_LINE.finditer(text) if "NO-SUCH" not in line.group(0)]
    if lines:
        line = lines[-1]
        # An ACL line added (a copy of the last after itself: one more shadowed line), then removed.
        config.write_text(text[: line.end()] + "\n" + line.group(0) + text[line.end() :], encoding="utf-8")
        added = assert_kept_run_is_a_run_from_scratch(topology, cache)
        assert len(added["ACL-002"]) == len(cold["ACL-002"]) + 1
        config.write_text(text[: line.start()] + text[line.end() + 1 :], encoding="utf-8")
        assert_kept_run_is_a_run_from_scratch(topology, cache)
    # The config moved to another path: its findings quote the new one.
    data = yaml.safe_load(topology.read_text(encoding="utf-8"))
    config.rename(config.with_name("moved-" + config.name))
    data["devices"][name]["config"] = "moved-" + config.name
    write_topology(topology.parent, data)
    moved = assert_kept_run_is_a_run_from_scratch(topology, cache)
    assert any("moved-" in finding.message_en for findings in moved.values() for finding in findings)
    # A device removed, then added again.
    del data["devices"]["other"]
    write_topology(topology.parent, data)
    assert_kept_run_is_a_run_from_scratch(topology, cache)
    data["devices"]["other"] = {"config": "other.cfg"}
    write_topology(topology.parent, data)
    assert assert_kept_run_is_a_run_from_scratch(topology, cache) == moved
    # A zone moved away: where the interfaces lead changes (ACL-006 reads it), no device does.
    zone = next(iter(data["zones"]))
    data["zones"][zone]["prefixes"] = ["10.250.0.0/16"]
    write_topology(topology.parent, data)
    elsewhere = assert_kept_run_is_a_run_from_scratch(topology, cache)
    if rule_id == "ACL-006":
        assert elsewhere["ACL-006"] != moved["ACL-006"]


def test_unchanged_devices_are_not_checked_again(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    topology = city(tmp_path / "city", "ACL-004/fail")
    cache = tmp_path / "cache"
    acl_findings(topology, cache)
    checked: dict[str, list[str]] = {"ACL-001": [], "ACL-002": [], "ACL-003": [], "RT-001": [], "ACL-004": []}
    for rule_id, function in (
        ("ACL-001", "_acl_001_of"),
        ("ACL-003", "_acl_003_of"),
        ("RT-001", "_rt_001_of"),
    ):
        original = getattr(acl_module, function)

        def counted(name: str, device: object, rule_id: str = rule_id, original: object = original) -> object:
            checked[rule_id].append(name)
            return original(name, device)  # type: ignore[operator]

        monkeypatch.setattr(acl_module, function, counted)
    original_002 = acl_module._acl_002_of

    def counted_002(ctx: FlowContext, chosen: list[tuple[str, object]]) -> object:
        checked["ACL-002"].extend(name for name, _ in chosen)
        return original_002(ctx, chosen)  # type: ignore[arg-type]

    original_004 = acl_module._permit_all_index

    def counted_004(space: PacketSpace, acl: Acl) -> int | None:
        checked["ACL-004"].append(Path(acl.source.file).name)
        return original_004(space, acl)

    monkeypatch.setattr(acl_module, "_acl_002_of", counted_002)
    monkeypatch.setattr(acl_module, "_permit_all_index", counted_004)
    assert acl_findings(topology, cache) == acl_findings(topology, None)
    # From scratch every device is checked; with the answers kept, none.
    assert checked == {
        "ACL-001": ["edge", "other", "r1"],
        "ACL-002": ["edge", "other", "r1"],
        "ACL-003": ["edge", "other", "r1"],
        "RT-001": ["edge", "other", "r1"],
        "ACL-004": ["edge.cfg", "r1.cfg", "r1.cfg"],
    }
    _, config = first_config(topology)
    assert config.name == "r1.cfg"
    config.write_text(config.read_text(encoding="utf-8") + "ip access-list extended UNUSED\n permit ip any any\n")
    for found in checked.values():
        found.clear()
    kept = acl_findings(topology, cache)
    assert checked == {
        "ACL-001": ["r1"],
        "ACL-002": ["r1"],
        "ACL-003": ["r1"],
        "RT-001": ["r1"],
        "ACL-004": ["r1.cfg", "r1.cfg"],
    }
    assert any("UNUSED" in finding.message_en for finding in kept["ACL-003"])


def test_a_damaged_or_foreign_record_is_not_read(tmp_path: Path) -> None:
    topology = city(tmp_path / "city", "ACL-002/fail")
    cache = tmp_path / "cache"
    cold = acl_findings(topology, cache)
    space = packet_space("auto", ParseCache(cache))
    assert space.store is not None
    for rule in ACL_RULES:
        key = BddStore.key(RECORD_KIND, (rule.id, code_fingerprint(), ""), space.layout)
        path = cache / "bdd" / key[:2] / f"{key}.json"
        if rule.id == "ACL-002":
            assert path.is_file()
            path.write_bytes(path.read_bytes().replace(b"other", b"OTHER"))
        elif rule.id == "ACL-001":
            # authenticated, but not what this code writes
            space.store.put_record(key, {"other": ["x", "y", {"findings": [[["ACL-001"]]]}]})
    again = acl_findings(topology, cache)
    assert again == cold == acl_findings(topology, None)
    assert space.store.rejected == 0


def test_the_same_configs_under_two_paths_keep_both_sides_answers(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`diff` reads a revision's export and the working tree: the same unchanged configs under
    two paths, one after the other, in one cache; each side's answers stay kept."""
    first = city(tmp_path / "first", "ACL-002/fail")
    second_folder = tmp_path / "second"
    shutil.copytree(first.parent, second_folder)
    second = second_folder / first.name
    cache = tmp_path / "cache"
    for topology in (first, second):
        acl_findings(topology, cache)
    checked: list[str] = []
    original = acl_module._acl_001_of

    def counted(name: str, device: object) -> object:
        checked.append(name)
        return original(name, device)  # type: ignore[arg-type]

    monkeypatch.setattr(acl_module, "_acl_001_of", counted)
    kept = {topology: acl_findings(topology, cache) for topology in (first, second)}
    assert checked == [], f"devices checked again: {checked}"
    # A side whose answers were not kept (a fresh cache) is checked: the counter counts.
    acl_findings(first, tmp_path / "fresh")
    assert checked
    for topology, found in kept.items():
        assert found == acl_findings(topology, None)


def test_a_model_without_findings_has_none_under_another_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The first `diff` after a `verify`: the revision's export shows the same configs under
    other paths. A device whose model had no findings under the first path is not checked
    again; one with findings is (they quote the path), and every answer is a run from
    scratch's."""
    first = city(tmp_path / "first", "ACL-002/fail")
    second_folder = tmp_path / "second"
    shutil.copytree(first.parent, second_folder)
    second = second_folder / first.name
    cache = tmp_path / "cache"
    before = acl_findings(first, cache)
    with_findings = {rule: sorted({finding.device for finding in before[rule]}) for rule in ("ACL-001", "ACL-002")}
    assert with_findings["ACL-002"] and with_findings["ACL-002"] != ["edge", "other", "r1"]
    checked: dict[str, list[str]] = {"ACL-001": [], "ACL-002": []}
    original_001, original_002 = acl_module._acl_001_of, acl_module._acl_002_of

    def counted_001(name: str, device: object) -> object:
        checked["ACL-001"].append(name)
        return original_001(name, device)  # type: ignore[arg-type]

    def counted_002(ctx: FlowContext, chosen: list[tuple[str, object]]) -> object:
        checked["ACL-002"].extend(name for name, _ in chosen)
        return original_002(ctx, chosen)  # type: ignore[arg-type]

    monkeypatch.setattr(acl_module, "_acl_001_of", counted_001)
    monkeypatch.setattr(acl_module, "_acl_002_of", counted_002)
    after = acl_findings(second, cache)
    assert {rule: sorted(names) for rule, names in checked.items()} == with_findings
    assert after == acl_findings(second, None)
    assert after != before  # the findings quote the second path
