"""`init` per VRF (issue #19): connected subnets are grouped per VRF, and VRF names are zone evidence."""

from __future__ import annotations

from pathlib import Path

import yaml
from conftest import REPO
from test_init import proposed_zones, shipped_zones

from nankoku_netcheck.init import draft_topology


def test_init_proposes_the_zones_of_the_vrf_sample(tmp_path: Path) -> None:
    draft = draft_topology(str(REPO / "device_configs" / "nankoku-vrf"), str(tmp_path / "topology.yaml"))
    assert proposed_zones(draft.text) == shipped_zones(REPO / "topologies" / "nankoku-vrf.yaml")
    assert draft.summary.todos == 0
    assert "    # VRF: LGWAN\n" in draft.text and "    # VRF: INET\n" in draft.text


SHARED_SWITCH = """hostname sw1
vrf definition LGWAN
 address-family ipv4
vrf definition INET
 address-family ipv4
vrf definition MYNUMBER
 address-family ipv4
interface Vlan10
 description floor 1
 vrf forwarding LGWAN
 ip address 10.5.1.1 255.255.255.0
interface Vlan20
 description floor 2
 vrf forwarding INET
 ip address 10.5.2.1 255.255.255.0
interface Vlan30
 description floor 3
 vrf forwarding MYNUMBER
 ip address 10.5.3.1 255.255.255.0
"""


def test_subnets_of_different_vrfs_are_grouped_apart_and_named_by_their_vrf(tmp_path: Path) -> None:
    """The three subnets share one natural block (10.5.0.0/16): grouped together they would be one
    group with a three-way tie (TODO). Per VRF each is its own group, named by its VRF's name."""
    folder = tmp_path / "configs"
    folder.mkdir()
    (folder / "sw1.cfg").write_text(SHARED_SWITCH, encoding="utf-8")
    draft = draft_topology(str(folder), str(tmp_path / "topology.yaml"))
    assert proposed_zones(draft.text) == {
        ("lgwan", ("10.5.1.0/24",)),
        ("internet", ("10.5.2.0/24",)),
        ("mynumber", ("10.5.3.0/24",)),
    }
    assert draft.summary.todos == 0
    zones = yaml.safe_load(draft.text)["zones"]
    assert zones["lgwan"]["prefixes"] == ["10.5.1.0/24"]
    lgwan_block = draft.text.split("  lgwan:\n", 1)[1].split("\n  internet:", 1)[0]
    assert "#   sw1.cfg:10: vrf forwarding LGWAN" in lgwan_block
