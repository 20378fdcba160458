"""End to end: a FortiGate between an IOS router (mynumber zone behind it) and the LGWAN
zone, through the command line. The compliant variant lets the LGWAN segment reach only an
outside prefix; the broken one lets it reach any destination, the mynumber zone included."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from nankoku_netcheck.cli import main

FORTIGATE = """\
#config-version=FGT60F-7.2.5-FW-build1517-230606:opmode=0:vdom=0:user=admin
config system global
    set hostname "fgt"
end
config system interface
    edit "port1"
        set ip 10.9.0.1 255.255.255.252
    next
    edit "port2"
        set ip 10.2.0.1 255.255.255.0
    next
end
config firewall address
    edit "lgwan-net"
        set subnet 10.2.0.0 255.255.255.0
    next
    edit "asp"
        set subnet 203.0.113.0 255.255.255.0
    next
end
config firewall policy
    edit 1
        set srcintf "port2"
        set dstintf "port1"
        set srcaddr "lgwan-net"
        set dstaddr "DESTINATION"
        set action accept
        set service "HTTPS"
    next
end
config router static
    edit 1
        set gateway 10.9.0.2
        set device "port1"
    next
end
"""

# The router keeps the mynumber segment off the FortiGate's own LGWAN address: traffic to
# the box is decided by management access, which the policy does not filter.
ROUTER = """\
hostname r1
interface GigabitEthernet0/0
 ip address 10.9.0.2 255.255.255.252
interface GigabitEthernet0/1
 ip address 10.1.0.1 255.255.255.0
 ip access-group MN-IN in
ip route 10.2.0.0 255.255.255.0 10.9.0.1
ip access-list extended MN-IN
 deny ip any 10.2.0.0 0.0.0.255
 permit ip any any
end
"""

TOPOLOGY = """\
version: 1
name: fortigate between two zones
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
devices:
  fgt: {config: fgt.conf}
  r1: {config: r1.cfg}
links:
  - [fgt:port1, r1:GigabitEthernet0/0]
"""


def verify(folder: Path, destination: str, monkeypatch: pytest.MonkeyPatch) -> tuple[int, str]:
    (folder / "configs").mkdir()
    (folder / "configs" / "fgt.conf").write_text(FORTIGATE.replace("DESTINATION", destination), encoding="utf-8")
    (folder / "configs" / "r1.cfg").write_text(ROUTER, encoding="utf-8")
    (folder / "topology.yaml").write_text(TOPOLOGY, encoding="utf-8")
    monkeypatch.chdir(folder)
    result = CliRunner().invoke(main, ["verify", "topology.yaml", "--lang", "en", "--no-cache"], env={})
    return result.exit_code, result.stdout


def test_compliant_fortigate_network_verifies(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    code, out = verify(tmp_path, "asp", monkeypatch)
    assert "inputs: 3 files (2 devices, 47 config lines, 0 not understood)" in out
    assert "  ZONE-001  PASS" in out and "  META-001  PASS" in out
    assert code == 0, out


def test_broken_fortigate_policy_fails_zone_001_at_the_policy_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    code, out = verify(tmp_path, "all", monkeypatch)
    assert "  ZONE-001  FAIL" in out
    assert "configs/fgt.conf:22  edit 1" in out
    assert code == 1
