"""Rule records, profiles by family, the guideline profiles, the city's clause map, the
`rules --format json` catalogue and the rendered rule pages in docs/rules/."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import REPO, git

from nankoku_netcheck.analyze import analyze, applicable_rules
from nankoku_netcheck.cli import main
from nankoku_netcheck.cli.rules_cmd import rendered_docs
from nankoku_netcheck.errors import InputError
from nankoku_netcheck.model import Topology
from nankoku_netcheck.profiles import (
    Profile,
    city_clause,
    effective_profile,
    load_profile,
    profile_name,
    shipped_profiles,
)
from nankoku_netcheck.report import RENDERERS
from nankoku_netcheck.result import Result
from nankoku_netcheck.rules import CATALOG, FAMILIES, PLANNED, REGISTRY
from nankoku_netcheck.topology import load_topology

DOCS_RULES = REPO / "docs" / "rules"
GUIDELINE_PROFILES = ("mic-alpha", "mic-alpha-prime", "mic-beta", "mic-beta-prime")
# Before profiles selected families, a profile listed its zone rules and every other rule ran.
OLD_ZONE_LISTS = {
    "nankoku-2019": [f"ZONE-{n:03d}" for n in range(1, 11)],
    "mic-beta": [f"ZONE-{n:03d}" for n in range(1, 11)],
    "mic-beta-prime": [f"ZONE-{n:03d}" for n in range(1, 11)],
    "mic-alpha-prime": [f"ZONE-{n:03d}" for n in range(1, 11)],
}
CITY_CLAUSE = "市対策基準 第12条第1項"
CITY_CLAUSE_MGMT = "市対策基準 第30条"


def invoke(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args), env={})
    return result.exit_code, result.stdout, result.stderr


def _topology(policy: str) -> Topology:
    return Topology(
        path="t.yaml",
        version=1,
        name="t",
        policy=policy,
        configs_dir=".",
        devices=(),
        links=(),
        zones=(),
        external_peers=(),
        channels=(),
        exceptions=(),
    )


# --- profiles -----------------------------------------------------------------------------------


@pytest.mark.parametrize("profile", sorted(OLD_ZONE_LISTS))
def test_existing_profiles_keep_their_exact_selection(profile: str) -> None:
    old = [r.id for r in REGISTRY if not r.id.startswith("ZONE-") or r.id in OLD_ZONE_LISTS[profile]]
    assert [rule.id for rule in applicable_rules(_topology(profile), None)] == old


def test_profiles_select_families_minus_exclusions() -> None:
    custom = Profile("c", "c", "c", (), False, families=("ZONE", "META", "MGMT"), exclude=("ZONE-008",))
    chosen = [rule.id for rule in REGISTRY if custom.selects(rule.id)]
    assert chosen == [
        *(f"ZONE-{n:03d}" for n in (1, 2, 3, 4, 5, 6, 7, 9, 10)),
        *(f"MGMT-{n:03d}" for n in range(1, 12)),
        "META-001",
        "META-003",
        "META-002",
    ]


def test_shipped_profiles_name_only_known_families_and_rules() -> None:
    assert shipped_profiles() == ("mic-alpha", "mic-alpha-prime", "mic-beta", "mic-beta-prime", "nankoku-2019")
    ids = {rule.id for rule in CATALOG}
    for name in shipped_profiles():
        profile = load_profile(name)
        assert profile.id == name
        assert set(profile.families) <= set(FAMILIES), name
        assert set(profile.exclude) <= ids, name
        # A family added to the registry must be placed in (or deliberately left out of) every profile.
        assert set(profile.families) == set(FAMILIES), (name, set(FAMILIES) - set(profile.families))


def test_guideline_profiles_differ_in_zone_expectations_only_as_documented() -> None:
    alpha, nankoku = load_profile("mic-alpha"), load_profile("nankoku-2019")
    assert alpha.channel_directions == nankoku.channel_directions and not alpha.local_breakout
    assert load_profile("mic-alpha-prime").local_breakout
    for beta in ("mic-beta", "mic-beta-prime"):
        assert load_profile(beta).direction("screen-transfer") == "internet->lgwan"
        assert not load_profile(beta).local_breakout
    assert alpha.direction("screen-transfer") == "lgwan->internet"
    assert nankoku.sample_city_clauses
    assert not any(load_profile(name).sample_city_clauses for name in GUIDELINE_PROFILES)


def test_docs_profiles_page_covers_every_shipped_profile() -> None:
    text = (REPO / "docs" / "profiles.md").read_text(encoding="utf-8")
    for name in shipped_profiles():
        assert f"`{name}`" in text, name


# --- the city's clause map ------------------------------------------------------------------------


def _city(
    tmp_path: Path, clauses: str | None, policy: str = "mic-alpha", clause_file: str | None = "city-clauses.yaml"
) -> Path:
    """The broken sample copied into a git repository at tmp_path (the inputs' area), with
    another policy and a clause map."""
    tmp_path.mkdir(parents=True, exist_ok=True)
    git(tmp_path, "init", "-q")
    shutil.copytree(REPO / "device_configs" / "nankoku-broken", tmp_path / "device_configs" / "nankoku-broken")
    (tmp_path / "topologies").mkdir()
    text = (REPO / "topologies" / "nankoku-broken.yaml").read_text(encoding="utf-8")
    clause_line = f"clauses: {clause_file}\n" if clause_file else ""
    text = text.replace("policy: nankoku-2019\n", f"policy: {policy}\n{clause_line}")
    topology = tmp_path / "topologies" / "nankoku-broken.yaml"
    topology.write_text(text, encoding="utf-8")
    if clauses is not None:
        (tmp_path / "topologies" / "city-clauses.yaml").write_text(clauses, encoding="utf-8")
    return topology


@pytest.fixture(scope="module")
def mapped(tmp_path_factory: pytest.TempPathFactory) -> Result:
    folder = tmp_path_factory.mktemp("city")
    clauses = f"# 市の対策基準\nZONE-001: {CITY_CLAUSE}\nMGMT-001: {CITY_CLAUSE_MGMT}\n"
    return analyze(str(_city(folder, clauses)), timestamp="2025-11-24T16:00:00Z")


def test_clause_map_sets_the_clause_of_each_rule(mapped: Result) -> None:
    verdicts = {v.rule: v for v in mapped.rules}
    assert (verdicts["ZONE-001"].clause, verdicts["MGMT-001"].clause) == (CITY_CLAUSE, CITY_CLAUSE_MGMT)
    assert verdicts["ZONE-001"].guideline.startswith("3.(1) マイナンバー利用事務系")
    # Under a guideline profile, a rule the city did not map cites the guideline only.
    assert verdicts["ZONE-005"].clause == ""
    assert any(f.rule == "ZONE-001" for f in mapped.findings)
    # The clause map is an input of the report like the topology and the configs.
    (record,) = [r for r in mapped.inputs if r.kind == "clauses"]
    assert record.path.endswith("topologies/city-clauses.yaml") and record.lines == 3


@pytest.mark.parametrize("name", sorted(RENDERERS))
@pytest.mark.parametrize("lang", ["ja", "en"])
def test_clause_map_changes_the_clause_shown_in_every_format(mapped: Result, name: str, lang: str) -> None:
    rendered = RENDERERS[name](mapped, lang)
    assert CITY_CLAUSE in rendered, name
    assert "3.(1) マイナンバー利用事務系" in rendered, name  # the guideline section alongside
    assert "基本方針 7(3)①" not in rendered, name  # the sample city's clause is gone


def test_sample_city_profile_keeps_the_sample_clauses(tmp_path: Path) -> None:
    topology = load_topology(str(_city(tmp_path, f"ZONE-005: {CITY_CLAUSE}\n", policy="nankoku-2019")))
    assert topology.clauses == (("ZONE-005", CITY_CLAUSE),)
    assert city_clause(topology, "ZONE-005", "対策基準 6(2)①") == CITY_CLAUSE
    assert city_clause(topology, "ZONE-001", "対策基準 6(1)①") == "対策基準 6(1)①"


@pytest.mark.parametrize(
    "clauses, line, message",
    [
        ("ZONE-001: a\nZONE-077: b\n", 2, "unknown rule ID 'ZONE-077' (expected a rule ID of the catalogue;"),
        ("zone-001: a\n", 1, "unknown rule ID 'zone-001' (expected a rule ID of the catalogue; did you mean ZONE-001"),
        ("- ZONE-001\n", 1, "expected a mapping of rule ID to the city's clause"),
        ("ZONE-001:\n", 1, "ZONE-001: expected the city's clause for this rule (text), found nothing"),
        ("ZONE-001: a\nZONE-001: b\n", 2, "duplicate key 'ZONE-001' at the top level (first at line 1)"),
        ("ZONE-001: [a\n", 2, "YAML syntax error"),
    ],
)
def test_bad_clause_files_are_input_errors_at_their_line(tmp_path: Path, clauses: str, line: int, message: str) -> None:
    topology = _city(tmp_path, clauses)
    with pytest.raises(InputError) as caught:
        load_topology(str(topology))
    problems = caught.value.problems
    assert len(problems) == 1, problems
    assert problems[0].file.endswith("city-clauses.yaml") and problems[0].line == line
    assert message in problems[0].message


def test_clause_file_missing_or_outside_the_repository(tmp_path: Path) -> None:
    topology = _city(tmp_path / "city", None)
    with pytest.raises(InputError) as caught:
        load_topology(str(topology))
    (problem,) = caught.value.problems
    assert problem.file.endswith("nankoku-broken.yaml") and problem.line == 7
    assert "clauses: " in problem.message and "city-clauses.yaml" in problem.message
    (tmp_path / "outside.yaml").write_text("ZONE-001: a\n", encoding="utf-8")
    topology = _city(tmp_path / "city2", None, clause_file="../../outside.yaml")
    with pytest.raises(InputError) as caught:
        load_topology(str(topology))
    (problem,) = caught.value.problems
    assert problem.line == 7 and "'../../outside.yaml' is outside" in problem.message


def test_verify_with_a_bad_clause_file_exits_2(tmp_path: Path) -> None:
    topology = _city(tmp_path, "ZONE-999: x\n")
    code, out, err = invoke("verify", str(topology), "--lang", "en")
    assert code == 2
    assert "city-clauses.yaml:1:" in err and "unknown rule ID 'ZONE-999'" in err
    assert "Traceback" not in err + out


# --- the city's own profile file ------------------------------------------------------------------

CITY_PROFILE = """\
base: mic-beta
label_ja: 架空市 β モデル
families: [ZONE, META]
exclude: [ZONE-008]
clauses:
  ZONE-001: 架空市 第5条
  ZONE-005: 架空市 第6条
"""


def test_city_profile_file_selects_rules_and_sets_clauses(tmp_path: Path) -> None:
    topology_path = _city(tmp_path, f"ZONE-005: {CITY_CLAUSE}\n", policy="city-profile.yaml")
    (topology_path.parent / "city-profile.yaml").write_text(CITY_PROFILE, encoding="utf-8")
    topology = load_topology(str(topology_path))
    assert topology.policy == "mic-beta" and topology.custom_profile is not None
    assert topology.custom_profile.families == ("ZONE", "META") and topology.custom_profile.exclude == ("ZONE-008",)
    profile = effective_profile(topology)
    assert profile.direction("screen-transfer") == "internet->lgwan" and profile.label_ja == "架空市 β モデル"
    ran = [rule.id for rule in applicable_rules(topology, None)]
    assert ran == [*(f"ZONE-{n:03d}" for n in (1, 2, 3, 4, 5, 6, 7, 9, 10)), "META-001", "META-003", "META-002"]
    # The topology's clause map wins over the profile's; the profile's over the guideline-only default.
    assert city_clause(topology, "ZONE-005", "x") == CITY_CLAUSE
    assert city_clause(topology, "ZONE-001", "x") == "架空市 第5条"
    assert city_clause(topology, "ZONE-002", "x") == ""
    assert profile_name(topology).endswith("city-profile.yaml (mic-beta)")
    assert [(kind, Path(shown).name) for kind, _, shown in topology.extra_inputs] == [
        ("profile", "city-profile.yaml"),
        ("clauses", "city-clauses.yaml"),
    ]


@pytest.mark.parametrize(
    "text, line, message",
    [
        ("base: mic-gamma\n", 1, "base: 'mic-gamma' is not a valid base profile"),
        ("base: mic-beta\nfamilies: [ZONE, FW]\n", 2, "families: unknown rule family 'FW' (expected one of: ZONE,"),
        ("base: mic-beta\nexclude: [ZONE-08]\n", 2, "exclude: unknown rule ID 'ZONE-08'"),
        ("base: mic-beta\nclauses:\n  ZONE-000: x\n", 3, "clauses: unknown rule ID 'ZONE-000'"),
        ("families: [ZONE]\n", 1, "missing required key 'base'"),
        ("base: mic-beta\nrules: [ZONE-001]\n", 2, "unknown key 'rules'"),
    ],
)
def test_bad_city_profile_files_are_input_errors_at_their_line(
    tmp_path: Path, text: str, line: int, message: str
) -> None:
    topology_path = _city(tmp_path, None, policy="city-profile.yaml", clause_file=None)
    (topology_path.parent / "city-profile.yaml").write_text(text, encoding="utf-8")
    with pytest.raises(InputError) as caught:
        load_topology(str(topology_path))
    (problem,) = caught.value.problems
    assert problem.file.endswith("city-profile.yaml") and problem.line == line
    assert message in problem.message


# --- the rules command ----------------------------------------------------------------------------


def test_rules_json_lists_every_record_deterministically() -> None:
    code, out, _ = invoke("rules", "--format", "json")
    assert code == 0
    assert invoke("rules", "--format", "json")[1] == out
    records = json.loads(out)["rules"]
    assert [r["id"] for r in records] == [rule.id for rule in CATALOG]
    first = records[0]
    assert first == {
        "id": "ZONE-001",
        "severity": "error",
        "family": "ZONE",
        "implemented": True,
        "title": {
            "en": "No flow between the mynumber zone and any other zone",
            "ja": "マイナンバー利用事務系と他の領域との通信の禁止",
        },
        "clauses": {"sample_city": "基本方針 7(3)①; 対策基準 6(1)①", "guideline": REGISTRY[0].guideline},
        "profiles": ["mic-alpha", "mic-alpha-prime", "mic-beta", "mic-beta-prime", "nankoku-2019"],
        "scope": "zone-pair",
    }
    planned = {r["id"]: r for r in records}[PLANNED[0].id]
    assert planned["implemented"] is False


def test_rules_catalog_titles_come_from_the_records() -> None:
    code, out, _ = invoke("rules", "--lang", "en")
    assert code == 0
    assert "External links' MAC addresses are pinned on their path" in out  # the record's ZONE-003 title
    code, page, _ = invoke("rules", "ZONE-003", "--lang", "en")
    assert page.startswith("ZONE-003  External links' MAC addresses are pinned on their path\n")


def test_checked_in_rule_pages_are_current() -> None:
    """docs/rules/ is `nankoku-netcheck rules --write-docs docs/rules`; rerun it after changing a rule."""
    expected = rendered_docs()
    present = {path.name: path.read_text(encoding="utf-8") for path in DOCS_RULES.glob("*.md")}
    assert sorted(present) == sorted(expected)
    stale = [name for name, text in expected.items() if present[name] != text]
    assert stale == [], f"stale pages (run: nankoku-netcheck rules --write-docs docs/rules): {stale}"


def test_write_docs_writes_one_page_per_rule(tmp_path: Path) -> None:
    code, out, _ = invoke("rules", "--write-docs", str(tmp_path / "rules"))
    assert code == 0
    names = sorted(path.name for path in (tmp_path / "rules").iterdir())
    assert names == sorted(["README.md", *(f"{rule.id}.md" for rule in CATALOG)])
    assert out.splitlines() == [str(tmp_path / "rules" / name) for name in names]
    page = (tmp_path / "rules" / "ZONE-001.md").read_text(encoding="utf-8")
    assert "## No flow between the mynumber zone and any other zone" in page
    assert "## マイナンバー利用事務系と他の領域との通信の禁止（日本語）" in page
