"""Graph stage: segments from shared subnets, explicit links, zone tagging."""

from __future__ import annotations

from pathlib import Path

from conftest import write_network

from nankoku_netcheck.analyze import load
from nankoku_netcheck.graph import ZoneTable
from nankoku_netcheck.model import ip_to_int

ZONES = """\
zones:
  lgwan: {kind: lgwan, label: LGWAN接続系, prefixes: [10.2.0.0/16]}
  lgwan-servers: {kind: other, label: サーバー, prefixes: [10.2.20.0/24]}
"""


def test_segments_zones_and_links(tmp_path: Path) -> None:
    configs = {
        "a": """\
            hostname a
            interface GigabitEthernet0/0
             ip address 10.2.1.1 255.255.255.0
            interface GigabitEthernet0/1
             ip address 192.168.0.1 255.255.255.252
            interface GigabitEthernet0/2
             ip address 10.2.20.1 255.255.255.0
            interface GigabitEthernet0/3
             ip address 10.9.9.1 255.255.255.0
             shutdown
            """,
        "b": """\
            hostname b
            interface GigabitEthernet0/1
             ip address 192.168.0.2 255.255.255.252
            interface FastEthernet0/5
             switchport mode access
             switchport access vlan 30
            interface Vlan30
             ip address 172.16.30.1 255.255.255.0
            """,
        "c": """\
            hostname c
            interface GigabitEthernet0/0
             ip address 172.16.31.1 255.255.255.0
            """,
    }
    links = "links:\n  - [b:Fa0/5, c:GigabitEthernet0/0]\n"
    loaded = load(str(write_network(tmp_path, configs, links, zones=ZONES)))
    network = loaded.network
    transit = network.segments["192.168.0.0/30"]
    assert transit.members == (("a", "GigabitEthernet0/1"), ("b", "GigabitEthernet0/1"))
    assert transit.zone is None
    assert network.segments["10.2.1.0/24"].zone == "lgwan"
    assert network.segments["10.2.20.0/24"].zone == "lgwan-servers"  # longest prefix wins
    # The access port joins its VLAN's SVI; the linked router lands on that segment.
    joined = network.segment_of[("c", "GigabitEthernet0/0")]
    assert network.segment_of[("b", "Vlan30")] == joined
    assert ("a", "GigabitEthernet0/3") not in network.segment_of  # shut interfaces carry nothing
    assert network.graph.has_edge(("interface", "a", "GigabitEthernet0/1"), ("segment", "192.168.0.0/30"))
    assert network.graph.nodes[("segment", "10.2.1.0/24")]["zone"] == "lgwan"


def test_zone_table_longest_prefix() -> None:
    table = ZoneTable(((0x0A021400, 24, "servers"), (0x0A020000, 16, "lgwan")))
    assert table.zone_of(ip_to_int("10.2.20.7")) == "servers"
    assert table.zone_of(ip_to_int("10.2.21.7")) == "lgwan"
    assert table.zone_of(ip_to_int("10.3.0.1")) is None
    assert table.zone_of_subnet(ip_to_int("10.2.0.0"), 15) is None  # wider than any zone: transit
