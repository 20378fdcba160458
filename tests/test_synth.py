"""Generated cities: compliant unless violations are planted; every plant found, nothing else."""

from __future__ import annotations

from pathlib import Path

import yaml

from nankoku_netcheck.analyze import analyze
from nankoku_netcheck.synth import PLANTED_FINDINGS, CitySpec, generate


def errors(topology: Path) -> set[tuple[str, str, str, str, int | None]]:
    result = analyze(str(topology))
    assert not [f for f in result.findings if f.status == "inconclusive"]
    return {(f.rule, f.from_zone, f.to_zone, f.flow.proto if f.flow else "", f.flow.dport if f.flow else None)
            for f in result.findings if f.severity == "error"}


def test_compliant_city_has_no_error(tmp_path: Path) -> None:
    assert errors(generate(CitySpec(devices=24, acl_lines=40, seed=3), tmp_path)) == set()


def test_every_planted_violation_is_found_and_nothing_else(tmp_path: Path) -> None:
    spec = CitySpec(devices=30, acl_lines=60, seed=5, plant=tuple(PLANTED_FINDINGS))
    topology = generate(spec, tmp_path)
    expected = yaml.safe_load((tmp_path / "expected.yaml").read_text(encoding="utf-8"))["findings"]
    wanted = {(e["rule"], e["from_zone"], e["to_zone"], e["proto"], e["dport"]) for e in expected}
    assert errors(topology) == wanted


def test_generation_is_deterministic(tmp_path: Path) -> None:
    first = generate(CitySpec(devices=20, seed=9), tmp_path / "a").parent
    second = generate(CitySpec(devices=20, seed=9), tmp_path / "b").parent
    files = sorted(p.relative_to(first) for p in first.rglob("*") if p.is_file())
    assert files == sorted(p.relative_to(second) for p in second.rglob("*") if p.is_file())
    assert all((first / f).read_bytes() == (second / f).read_bytes() for f in files)
