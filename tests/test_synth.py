"""Generated cities: compliant unless violations are planted; every plant found, nothing
else at error severity; sizes as asked; the same spec always gives the same files."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from nankoku_netcheck.analyze import analyze, load
from nankoku_netcheck.result import Finding
from nankoku_netcheck.synth import PLANTS, CitySpec, generate


def findings(topology: Path) -> list[Finding]:
    result = analyze(str(topology))
    assert not [f for f in result.findings if f.status == "inconclusive"]
    return list(result.findings)


def matches(expected: dict[str, object], finding: Finding) -> bool:
    """An expected.yaml entry matches a finding; empty and null fields match anything."""
    actual = {
        "rule": finding.rule,
        "from_zone": finding.from_zone,
        "to_zone": finding.to_zone,
        "proto": finding.flow.proto if finding.flow else None,
        "dport": finding.flow.dport if finding.flow else None,
        "device": finding.device,
    }
    return all(expected[key] in ("", None) or expected[key] == actual[key] for key in actual)


def test_compliant_city_has_no_error_and_no_warning(tmp_path: Path) -> None:
    found = findings(generate(CitySpec(devices=24, acl_lines=600, seed=3), tmp_path))
    assert [(f.rule, f.severity, f.message_en) for f in found if f.severity in ("error", "warning")] == []


def test_every_planted_violation_is_found_and_nothing_else_at_error(tmp_path: Path) -> None:
    topology = generate(CitySpec(devices=30, acl_lines=900, seed=5, plant=tuple(PLANTS)), tmp_path)
    expected = yaml.safe_load((tmp_path / "expected.yaml").read_text(encoding="utf-8"))["findings"]
    assert {entry["plant"] for entry in expected} == set(PLANTS)
    errors = [f for f in findings(topology) if f.severity == "error"]
    missing = [entry for entry in expected if not any(matches(entry, f) for f in errors)]
    unexpected = [
        (f.rule, f.device, f.from_zone, f.to_zone, f.message_en)
        for f in errors
        if not any(matches(entry, f) for entry in expected)
    ]
    assert missing == []
    assert unexpected == []


def test_one_plant_changes_only_its_own_findings(tmp_path: Path) -> None:
    topology = generate(CitySpec(devices=20, acl_lines=300, plant=("external-link-ssh",)), tmp_path)
    errors = [f for f in findings(topology) if f.severity == "error"]
    assert {(f.rule, f.from_zone, f.to_zone, f.flow.dport if f.flow else None) for f in errors} == {
        ("ZONE-002", "mynumber", "peer:chukan", 22)
    }


def test_sizes_follow_the_spec(tmp_path: Path) -> None:
    loaded = load(str(generate(CitySpec(devices=41, acl_lines=3000, segments=100), tmp_path)))
    assert len(loaded.devices) == 41
    assert sum(len(acl.lines) for device in loaded.devices.values() for acl in device.acls.values()) == 3000
    svis = [
        name
        for device_name, device in loaded.devices.items()
        if "-as" in device_name
        for name in device.interfaces
        if name.startswith("Vlan")
    ]
    assert len(svis) == 100
    vendors = {name: device.vendor for name, device in loaded.devices.items()}
    assert (vendors["mn-fw"], vendors["inet-fw"], vendors["lg-fw"]) == ("cisco_asa", "cisco_asa", "cisco_ios")
    assert any(line.startswith("object-group") for line in loaded.configs["lg-fw"].lines)


def test_default_segments_are_two_per_access_switch(tmp_path: Path) -> None:
    loaded = load(str(generate(CitySpec(devices=17, acl_lines=0), tmp_path)))
    svis = [
        name
        for device_name, device in loaded.devices.items()
        if "-as" in device_name
        for name in device.interfaces
        if name.startswith("Vlan")
    ]
    assert len(svis) == 2 * (17 - 8)


@pytest.mark.parametrize(
    "spec",
    [
        CitySpec(devices=10),
        CitySpec(devices=20, segments=5),
        CitySpec(devices=20, plant=("no-such-plant",)),
        CitySpec(acl_lines=-1),
    ],
)
def test_impossible_specs_are_refused(spec: CitySpec, tmp_path: Path) -> None:
    assert spec.problems()
    with pytest.raises(ValueError):
        generate(spec, tmp_path)


def test_generation_is_deterministic_per_seed(tmp_path: Path) -> None:
    def files(directory: Path) -> dict[str, bytes]:
        return {str(p.relative_to(directory)): p.read_bytes() for p in sorted(directory.rglob("*")) if p.is_file()}

    first = files(generate(CitySpec(devices=20, acl_lines=500, seed=9), tmp_path / "a").parent)
    second = files(generate(CitySpec(devices=20, acl_lines=500, seed=9), tmp_path / "b").parent)
    other = files(generate(CitySpec(devices=20, acl_lines=500, seed=10), tmp_path / "c").parent)
    assert first == second
    assert first != other


def test_large_cities_never_reuse_an_interface_name(tmp_path: Path) -> None:
    """Beyond 384 access switches per zone the cores' uplink ports reach slot 9; the fixed
    links (firewall, edge) must not share a name with one of them (a repeated interface
    block merges into one, and a switch loses its uplink)."""
    topology = generate(CitySpec(devices=8 + 3 * 400, acl_lines=0, seed=1), tmp_path)
    configs = topology.parent / "device_configs"
    for name in ("mn-core", "lg-core", "inet-core"):
        interfaces = [
            line
            for line in (configs / f"{name}.cfg").read_text(encoding="utf-8").splitlines()
            if line.startswith("interface ")
        ]
        assert len(interfaces) == len(set(interfaces)), name
        assert len(interfaces) >= 400
