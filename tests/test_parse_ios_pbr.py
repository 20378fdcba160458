"""IOS policy routing read from config text: `route-map` blocks into `Device.policy_routes`,
`ip policy route-map` on interfaces, and the exact META-001 reasons where policy routing
reads a clause it does not model."""

from __future__ import annotations

from nankoku_netcheck.model import PolicyRoute, PolicyRouteEntry, Source, UnknownKind, ip_to_int
from nankoku_netcheck.vendors.cisco_ios.parser import parse

CONFIG = """\
hostname r1
interface GigabitEthernet0/0
 ip address 10.0.0.1 255.255.255.0
 ip policy route-map PBR
interface Gi0/1
 ip address 10.0.1.1 255.255.255.0
ip access-list extended A
 permit ip 10.0.0.0 0.0.0.255 any
route-map PBR permit 20
 match ip address A
 match ip address B C
 set ip precedence 5
 set ip next-hop 10.0.1.2 10.0.1.3
 set interface Gi0/1
route-map PBR deny 10
 description staff traffic is routed normally
route-map PBR permit 30
 set ip next-hop verify-availability 10.0.1.9 1 track 7
 set ip default next-hop 10.0.1.4
 set default interface Gi0/1
route-map BGP-OUT permit 10
 match community 5
 set local-preference 200
"""


def forwarding(text: str) -> list[tuple[int, str]]:
    device = parse(text, "r1.cfg")
    return [(u.source.line, u.reason) for u in device.unknown_lines if u.kind is UnknownKind.FORWARDING]


def source(line: int) -> Source:
    return Source("r1.cfg", line, CONFIG.splitlines()[line - 1])


def test_route_maps_and_the_interface_use_are_read() -> None:
    device = parse(CONFIG, "r1.cfg")
    assert device.interfaces["GigabitEthernet0/0"].policy_route == "PBR"
    assert device.interfaces["GigabitEthernet0/0"].policy_route_source == source(4)
    assert device.interfaces["GigabitEthernet0/1"].policy_route is None
    assert device.policy_routes["PBR"] == PolicyRoute(
        "PBR",
        source(9),
        (
            PolicyRouteEntry(10, False, source(15)),
            PolicyRouteEntry(
                20,
                True,
                source(9),
                match_acls=("A", "B", "C"),
                next_hops=(ip_to_int("10.0.1.2"), ip_to_int("10.0.1.3")),
                interfaces=("GigabitEthernet0/1",),
                set_sources=(("interface", source(14)), ("next-hop", source(13))),
            ),
            PolicyRouteEntry(
                30,
                True,
                source(17),
                next_hops=(ip_to_int("10.0.1.9"),),
                default_next_hops=(ip_to_int("10.0.1.4"),),
                default_interfaces=("GigabitEthernet0/1",),
                verify=True,
                set_sources=(
                    ("default interface", source(20)),
                    ("default next-hop", source(19)),
                    ("next-hop", source(18)),
                ),
            ),
        ),
    )
    assert set(device.policy_routes) == {"BGP-OUT", "PBR"}
    # Every clause policy routing reads is modelled; the BGP route-map is not used for it.
    assert forwarding(CONFIG) == []
    harmless = {u.source.line: u.reason for u in device.unknown_lines}
    assert harmless[21] == harmless[22] == harmless[23] == "route-map (its uses by PBR or NAT are reported there)"
    assert not {9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20} & set(harmless)


def test_unmodelled_clauses_of_a_route_map_used_for_policy_routing_make_its_use_inconclusive() -> None:
    text = CONFIG.replace(" set ip precedence 5\n", " match length 64 1500\n set vrf GUEST\n").replace(
        " set ip default next-hop 10.0.1.4\n", " set ip next-hop recursive 10.9.9.9\n"
    )
    assert forwarding(text) == [
        (
            4,
            "route-map PBR: line 12: 'match length 64 1500' is not modelled for policy routing; "
            "line 13: 'set vrf GUEST': VRF selection by policy routing is not modelled yet; "
            "line 20: 'set ip next-hop recursive' is not modelled",
        )
    ]


def test_the_bgp_route_map_used_for_policy_routing_is_inconclusive_and_undefined_maps_route_normally() -> None:
    text = CONFIG.replace(" ip policy route-map PBR\n", " ip policy route-map BGP-OUT\n")
    assert forwarding(text) == [
        (
            4,
            "route-map BGP-OUT: line 22: 'match community 5' is not modelled for policy routing; "
            "line 23: 'set local-preference 200' is not modelled for policy routing",
        )
    ]
    assert forwarding(CONFIG.replace(" ip policy route-map PBR\n", " ip policy route-map NOWHERE\n")) == []


def test_local_policy_stays_inconclusive() -> None:
    assert forwarding(CONFIG + "ip local policy route-map PBR\n") == [
        (24, "policy routing of the router's own traffic (ip local policy) is not modelled")
    ]
