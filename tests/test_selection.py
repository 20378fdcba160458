"""Rule selection by ID or prefix, and settings files found from the topology upward."""

from __future__ import annotations

from pathlib import Path

import pytest

from nankoku_netcheck.errors import InputError
from nankoku_netcheck.rules.base import Rule
from nankoku_netcheck.selection import Selector, Settings, load_settings, select_rules


def _never(_context):  # type: ignore[no-untyped-def]
    raise AssertionError("selection must not run checks")


REGISTRY = tuple(
    Rule(rule_id, "warning", "", rule_id, rule_id, _never)
    for rule_id in ("ZONE-001", "ZONE-005", "MGMT-001", "MGMT-002", "MGMT-010", "ACL-001", "ACL-002", "RT-001")
)


def ids(rules: tuple[Rule, ...]) -> list[str]:
    return [rule.id for rule in rules]


def test_default_selects_every_rule_in_registry_order() -> None:
    assert ids(select_rules(REGISTRY)) == ids(REGISTRY)


@pytest.mark.parametrize(
    ("select", "ignore", "expected"),
    [
        (["MGMT"], [], ["MGMT-001", "MGMT-002", "MGMT-010"]),
        (["MGMT-00"], [], ["MGMT-001", "MGMT-002"]),
        (["acl-002", "ZONE"], [], ["ZONE-001", "ZONE-005", "ACL-002"]),
        (None, ["MGMT", "ACL-001"], ["ZONE-001", "ZONE-005", "ACL-002", "RT-001"]),
        (["ALL"], ["ZONE-005"], ["ZONE-001", "MGMT-001", "MGMT-002", "MGMT-010", "ACL-001", "ACL-002", "RT-001"]),
        # the more specific selector wins; between equals, ignore wins
        (["MGMT-001"], ["MGMT"], ["MGMT-001"]),
        (["MGMT"], ["MGMT-001"], ["MGMT-002", "MGMT-010"]),
        (["RT-001"], ["RT-001"], []),
    ],
)
def test_select_and_ignore_like_ruff(select: list[str] | None, ignore: list[str], expected: list[str]) -> None:
    assert ids(select_rules(REGISTRY, select, ignore)) == expected


def test_unknown_selectors_are_input_errors_with_their_origin() -> None:
    with pytest.raises(InputError) as caught:
        select_rules(REGISTRY, ["MGMT-011", "MGTM"], [Selector("ZONE-9", "pyproject.toml", 7)])
    problems = [(p.file, p.line, p.message) for p in caught.value.problems]
    assert [(file, line) for file, line, _ in problems] == [
        ("command line", 0),
        ("command line", 0),
        ("pyproject.toml", 7),
    ]
    assert "did you mean" in problems[0][2] and "MGMT-01" in problems[0][2]  # close matches suggested
    assert ids(select_rules(REGISTRY, ["MGMT-01"])) == ["MGMT-010"]  # a prefix, not a typo


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_no_settings_file_gives_defaults(tmp_path: Path) -> None:
    topology = write(tmp_path / "net" / "topology.yaml", "version: 1\n")
    write(tmp_path / "net" / "pyproject.toml", "[tool.ruff]\nline-length = 100\n")
    settings = load_settings(topology)
    assert settings.path is None or not settings.path.startswith(str(tmp_path))


def test_pyproject_section_is_found_from_the_topology_folder_upward(tmp_path: Path) -> None:
    write(
        tmp_path / "pyproject.toml",
        '[project]\nname = "city"\n\n[tool.nankoku-netcheck]\n'
        'select = ["MGMT", "ACL-002"]\nignore = ["MGMT-010"]\nfail-on = "warning"\n',
    )
    topology = write(tmp_path / "network" / "topologies" / "city.yaml", "version: 1\n")
    settings = load_settings(topology)
    assert settings.path == str(tmp_path / "pyproject.toml")
    assert [(s.code, s.line) for s in settings.select or ()] == [("MGMT", 5), ("ACL-002", 5)]
    assert [(s.code, s.line) for s in settings.ignore] == [("MGMT-010", 6)]
    assert settings.fail_on == "warning"
    assert ids(select_rules(REGISTRY, settings.select, settings.ignore)) == ["MGMT-001", "MGMT-002", "ACL-002"]


def test_nearest_file_wins_and_yaml_beats_pyproject_in_one_folder(tmp_path: Path) -> None:
    write(tmp_path / "pyproject.toml", '[tool.nankoku-netcheck]\nselect = ["ZONE"]\n')
    write(tmp_path / "city" / "pyproject.toml", '[tool.nankoku-netcheck]\nselect = ["ACL"]\n')
    write(tmp_path / "city" / ".nankoku-netcheck.yaml", "select:\n  - RT-001\nfail_on: info\n")
    topology = write(tmp_path / "city" / "topology.yaml", "version: 1\n")
    settings = load_settings(topology)
    assert settings.path == str(tmp_path / "city" / ".nankoku-netcheck.yaml")
    assert [(s.code, s.file, s.line) for s in settings.select or ()] == [("RT-001", settings.path, 2)]
    assert settings.fail_on == "info"


def test_command_line_flags_win_key_by_key(tmp_path: Path) -> None:
    write(tmp_path / ".nankoku-netcheck.yaml", "select: [ZONE, MGMT]\nignore: [MGMT-002]\nfail-on: warning\n")
    settings = load_settings(write(tmp_path / "topology.yaml", "version: 1\n"))
    merged = settings.overridden(select=["ACL,RT-001"], ignore=None, fail_on=None)
    assert [s.code for s in merged.select or ()] == ["ACL", "RT-001"]
    assert [s.code for s in merged.ignore] == ["MGMT-002"]  # not given on the command line: kept
    assert merged.fail_on == "warning"
    assert settings.overridden(fail_on="error").fail_on == "error"
    with pytest.raises(InputError):
        Settings().overridden(fail_on="fatal")


def test_unknown_keys_and_bad_values_are_reported_with_file_and_line(tmp_path: Path) -> None:
    pyproject = write(
        tmp_path / "pyproject.toml", '[tool.nankoku-netcheck]\nselect = "MGMT"\nignored = ["ACL"]\nfail-on = "fatal"\n'
    )
    with pytest.raises(InputError) as caught:
        load_settings(write(tmp_path / "topology.yaml", "version: 1\n"))
    problems = [(p.file, p.line, p.message) for p in caught.value.problems]
    assert [(file, line) for file, line, _ in problems] == [
        (str(pyproject), 3),
        (str(pyproject), 2),
        (str(pyproject), 4),
    ]
    assert "unknown setting 'ignored'" in problems[0][2] and "did you mean 'ignore'" in problems[0][2]
    assert "must be a list" in problems[1][2]
    assert "fail-on must be one of" in problems[2][2]


def test_yaml_settings_errors_carry_lines(tmp_path: Path) -> None:
    settings_file = write(tmp_path / ".nankoku-netcheck.yaml", "select:\n  - MGMT\n  - {rule: x}\nselect_all: true\n")
    with pytest.raises(InputError) as caught:
        load_settings(write(tmp_path / "topology.yaml", "version: 1\n"))
    assert [(p.file, p.line) for p in caught.value.problems] == [(str(settings_file), 4), (str(settings_file), 3)]


def test_selectors_from_a_file_that_match_nothing_point_at_their_line(tmp_path: Path) -> None:
    write(tmp_path / ".nankoku-netcheck.yaml", "ignore:\n  - MGMT-099\n")
    settings = load_settings(write(tmp_path / "topology.yaml", "version: 1\n"))
    with pytest.raises(InputError) as caught:
        select_rules(REGISTRY, settings.select, settings.ignore)
    assert [(Path(p.file).name, p.line) for p in caught.value.problems] == [(".nankoku-netcheck.yaml", 2)]


def test_broken_toml_is_an_input_error_with_its_line(tmp_path: Path) -> None:
    write(tmp_path / "pyproject.toml", '[tool.nankoku-netcheck]\nselect = ["MGMT"\nignore = []\n')
    with pytest.raises(InputError) as caught:
        load_settings(write(tmp_path / "topology.yaml", "version: 1\n"))
    assert caught.value.problems[0].line >= 2
