"""End to end: a FortiGate that is the gateway of three zones, its addresses inside them (the
common municipal design). A packet to the address of another interface than the one it
arrives on needs a firewall policy towards that interface (reach/filters.py, VIA_POLICY):
with no policy between the zones every zone is proved isolated; a policy letting the LGWAN
zone through to the FortiGate's mynumber address is a ZONE-001 finding at its `edit` line."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from nankoku_netcheck.analyze import analyze
from nankoku_netcheck.cli import main

FORTIGATE = """\
#config-version=FGT60F-7.2.5-FW-build1517-230606:opmode=0:vdom=0:user=admin
config system global
    set hostname "fgt"
end
config system interface
    edit "port1"
        set ip 10.1.0.1 255.255.255.0
    next
    edit "port2"
        set ip 10.2.0.1 255.255.255.0
    next
    edit "port3"
        set ip 10.3.0.1 255.255.255.0
    next
    edit "wan1"
        set ip 198.51.100.2 255.255.255.252
    next
end
config firewall address
    edit "inet-net"
        set subnet 10.3.0.0 255.255.255.0
    next
    edit "fgt-port1"
        set subnet 10.1.0.1 255.255.255.255
    next
end
config firewall policy
    edit 1
        set srcintf "port3"
        set dstintf "wan1"
        set srcaddr "inet-net"
        set dstaddr "all"
        set action accept
        set service "HTTPS"
    next
EXTRA
end
config router static
    edit 1
        set gateway 198.51.100.1
        set device "wan1"
    next
end
"""

# Policy 2 lets the LGWAN zone open HTTPS to the FortiGate's own address in the mynumber zone.
TO_THE_MYNUMBER_ADDRESS = """\
    edit 2
        set srcintf "port2"
        set dstintf "port1"
        set srcaddr "all"
        set dstaddr "fgt-port1"
        set action accept
        set service "HTTPS"
    next
"""

TOPOLOGY = """\
version: 1
name: fortigate as the gateway of three zones
configs: configs
zones:
  mynumber:
    kind: mynumber
    label: マイナンバー利用事務系
    prefixes: [10.1.0.0/24]
  lgwan:
    kind: lgwan
    label: LGWAN接続系
    prefixes: [10.2.0.0/24]
  internet:
    kind: internet
    label: インターネット接続系
    prefixes: [10.3.0.0/24]
    upstream: [fgt:wan1]
devices:
  fgt: {config: fgt.conf}
"""


def verify(folder: Path, extra: str, monkeypatch: pytest.MonkeyPatch) -> tuple[int, str]:
    (folder / "configs").mkdir()
    (folder / "configs" / "fgt.conf").write_text(FORTIGATE.replace("EXTRA\n", extra), encoding="utf-8")
    (folder / "topology.yaml").write_text(TOPOLOGY, encoding="utf-8")
    monkeypatch.chdir(folder)
    result = CliRunner().invoke(main, ["verify", "topology.yaml", "--lang", "en", "--no-cache"], env={})
    return result.exit_code, result.stdout


def test_fortigate_gateway_of_three_zones_verifies(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    code, out = verify(tmp_path, "", monkeypatch)
    for rule in ("ZONE-001", "ZONE-005", "ZONE-007", "ZONE-008", "ZONE-009"):
        assert f"  {rule:<9} PASS" in out, rule
    assert "VERDICT: PASS" in out
    assert code == 0, out


def test_policy_to_another_zones_fortigate_address_is_a_finding(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    code, out = verify(tmp_path, TO_THE_MYNUMBER_ADDRESS, monkeypatch)
    assert "  ZONE-001  FAIL" in out and "  ZONE-005  PASS" in out
    assert (
        "LGWAN接続系 (lgwan) → マイナンバー利用事務系 (mynumber): tcp 10.2.0.0/24 → 10.1.0.1/32 dport 443 "
        "not established gets through (permitted at configs/fgt.conf:36)."
    ) in out
    assert "fgt: port2 → (local)  route local (addressed to the device)  in: policy 2 configs/fgt.conf:36" in out
    assert "configs/fgt.conf:36  edit 2" in out
    assert code == 1, out


def test_certificates_cut_at_the_policy_when_only_the_policy_lets_zones_reach_the_fortigate(tmp_path: Path) -> None:
    """The FortiGate's mynumber and LGWAN addresses do not answer the other zones, so its
    filters between them form a whole cut (where every address answered, nothing could cut the
    way to its own addresses). From the internet zone the policy to wan1 permits any destination
    and the cut, which ignores routing, cannot tell that apart from the way to the mynumber zone."""
    (tmp_path / "configs").mkdir()
    (tmp_path / "configs" / "fgt.conf").write_text(FORTIGATE.replace("EXTRA\n", ""), encoding="utf-8")
    (tmp_path / "topology.yaml").write_text(TOPOLOGY, encoding="utf-8")
    result = analyze(str(tmp_path / "topology.yaml"))
    absences = {(c.from_zone, c.to_zone): c.route_absences for c in result.certificates}
    whole = ()
    partial = (
        "no set of whole filters cuts every path: isolation rests on routing or on several partial filters together "
        "(see ZONE-008)",
    )
    assert absences == {
        ("mynumber", "lgwan"): whole,
        ("mynumber", "internet"): whole,
        ("lgwan", "mynumber"): whole,
        ("lgwan", "internet"): whole,
        ("internet", "mynumber"): partial,
        ("internet", "lgwan"): partial,
    }
