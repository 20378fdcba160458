"""Policy routing end to end: IOS `ip policy route-map` read from config text, through the
engine, to the zone finding and its path (fixtures tests/fixtures/rules/ZONE-005/pbr-*)."""

from __future__ import annotations

from pathlib import Path

from conftest import rule_fixture_outcome

from nankoku_netcheck.analyze import analyze
from nankoku_netcheck.rules import rule_by_id

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "rules" / "ZONE-005"
ZONE_005 = rule_by_id("ZONE-005")


def test_policy_route_to_the_internet_router_is_the_zone_finding() -> None:
    found, expected, _ = rule_fixture_outcome(ZONE_005, FIXTURES / "pbr-fail")
    assert found == expected == [("", "r-lg.cfg", 21)]


def test_policy_route_for_lgwan_internal_traffic_passes() -> None:
    found, expected, _ = rule_fixture_outcome(ZONE_005, FIXTURES / "pbr-pass")
    assert found == expected == []


def test_the_finding_names_the_route_map_entry_on_its_path() -> None:
    result = analyze(str(FIXTURES / "pbr-fail" / "topology.yaml"))
    (finding,) = [f for f in result.findings if f.rule == "ZONE-005" and f.status == "violated"]
    assert finding.message_en == (
        "LGWAN接続系 (lgwan) → インターネット接続系 (internet): ip 10.2.0.0/16 → 0.0.0.0/5, 8.0.0.0/7, "
        "10.3.1.1/32, 10.3.1.2/31, … gets through outside every declared sanitised channel "
        "(permitted at no filter on the path)."
    )
    assert finding.message_ja.startswith("LGWAN接続系 (lgwan) → インターネット接続系 (internet): 無害化通信として")
    steps = [(step.device, step.in_interface, step.out_interface, step.route) for step in finding.path]
    assert steps == [
        (
            "r-lg",
            "GigabitEthernet0/0",
            "GigabitEthernet0/2",
            "policy route-map TO-BACKUP permit 10: via 192.168.0.14 dev GigabitEthernet0/2",
        ),
        ("r-inet", "GigabitEthernet0/3", "GigabitEthernet0/0", "10.3.1.0/24 dev GigabitEthernet0/0"),
    ]
    assert [(Path(e.file).name, e.line, e.text, e.role) for e in finding.evidence] == [
        ("r-lg.cfg", 21, "set ip next-hop 192.168.0.14", "route")
    ]
    assert not [f for f in result.findings if f.rule == "META-001"]
