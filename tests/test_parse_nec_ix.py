"""The NEC UNIVERGE IX parser, one semantic per test, each against the exact model it must
build; the corpus configs (ix2025-vpn-config) with their META-001 counts; a CP932 export
with Japanese descriptions read through the input layer."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
from conftest import CORPUS

from nankoku_netcheck.inputs import read_input
from nankoku_netcheck.model import (
    PROTO_TCP,
    PROTO_UDP,
    Acl,
    AclLine,
    Action,
    Credential,
    HostReference,
    Interface,
    InterfaceAddress,
    Match,
    NatRule,
    PortRange,
    RemoteAccess,
    Route,
    RouteKind,
    SnmpCommunity,
    Source,
    ToTheBox,
    UnknownKind,
    UserAccount,
    Wildcard,
    ip_to_int,
)
from nankoku_netcheck.parse import detect_vendor, parse_config
from nankoku_netcheck.vendors.nec_ix.parser import parse

PATH = "ix.cfg"


def src(line: int, text: str) -> Source:
    return Source(PATH, line, text)


def net(text: str, length: int) -> Wildcard:
    return Wildcard(ip_to_int(text), (1 << (32 - length)) - 1)


def forwarding(text: str) -> list[tuple[int, str]]:
    device = parse(text, PATH)
    return [(u.source.line, u.reason) for u in device.unknown_lines if u.kind is UnknownKind.FORWARDING]


def test_interface_block_builds_the_interface() -> None:
    text = (
        "interface GigaEthernet2.1\n"
        "  description lgwan segment\n"
        "  vlan-id 20\n"
        "  ip address 10.2.0.1/24\n"
        "  ip address 10.2.1.1/24 secondary\n"
        "  ip tcp adjust-mss auto\n"
        "  shutdown\n"
    )
    device = parse(text, PATH)
    assert device.interfaces == {
        "GigaEthernet2.1": Interface(
            name="GigaEthernet2.1",
            source=src(1, "interface GigaEthernet2.1"),
            addresses=(
                InterfaceAddress(ip_to_int("10.2.0.1"), 24),
                InterfaceAddress(ip_to_int("10.2.1.1"), 24, secondary=True),
            ),
            shutdown=True,
            description="lgwan segment",
            encapsulation_vlan=20,
            kind="subinterface",
        )
    }
    assert forwarding(text) == []


def test_interface_kinds_and_no_shutdown() -> None:
    text = (
        "interface Loopback0.0\n  ip address 10.0.0.1/32\n"
        "interface Tunnel0.0\n  no shutdown\n"
        "interface GigaEthernet0.0\n"
    )
    device = parse(text, PATH)
    assert {name: (i.kind, i.shutdown) for name, i in device.interfaces.items()} == {
        "Loopback0.0": ("loopback", False),
        "Tunnel0.0": ("tunnel", False),
        "GigaEthernet0.0": ("physical", False),
    }


def test_access_list_entries_are_exact_matches() -> None:
    text = (
        "ip access-list web permit tcp src 10.2.0.0/24 sport any dest 203.0.113.10 dport eq 443\n"
        "ip access-list web deny udp src any sport range 1000 2000 dest any dport gt 1023\n"
        "ip access-list web permit 50 src any dest any\n"
        "interface GigaEthernet0.0\n"
        "  ip filter web 10 in\n"
    )
    device = parse(text, PATH)
    lines = device.lines
    assert device.acls == {
        "ip filter GigaEthernet0.0 in": Acl(
            "ip filter GigaEthernet0.0 in",
            (
                AclLine(
                    Action.PERMIT,
                    (
                        Match(
                            protocols=(PROTO_TCP,),
                            src=(net("10.2.0.0", 24),),
                            dst=(net("203.0.113.10", 32),),
                            dst_ports=(PortRange(443, 443),),
                        ),
                    ),
                    src(1, lines[0]),
                ),
                AclLine(
                    Action.DENY,
                    (
                        Match(
                            protocols=(PROTO_UDP,),
                            src_ports=(PortRange(1000, 2000),),
                            dst_ports=(PortRange(1024, 65535),),
                        ),
                    ),
                    src(2, lines[1]),
                ),
                AclLine(Action.PERMIT, (Match(protocols=(50,)),), src(3, lines[2])),
            ),
            src(5, "  ip filter web 10 in"),
        )
    }
    assert device.interfaces["GigaEthernet0.0"].acl_in == "ip filter GigaEthernet0.0 in"
    assert device.interfaces["GigaEthernet0.0"].acl_out is None


def test_filters_of_one_direction_join_in_sequence_order() -> None:
    text = (
        "ip access-list a permit ip src any dest 10.1.0.0/16\n"
        "ip access-list b deny ip src any dest any\n"
        "interface GigaEthernet0.0\n"
        "  ip filter b 200 out\n"
        "  ip filter a 100 out\n"
    )
    device = parse(text, PATH)
    acl = device.acls["ip filter GigaEthernet0.0 out"]
    assert [(line.action, line.source.line) for line in acl.lines] == [(Action.PERMIT, 1), (Action.DENY, 2)]
    assert acl.source == src(5, "  ip filter a 100 out")
    assert device.interfaces["GigaEthernet0.0"].acl_out_source == acl.source
    assert device.to_the_box is ToTheBox.FILTERED and not device.stateful


def test_undefined_list_is_a_not_understood_permit_at_the_filter_line() -> None:
    device = parse("interface GigaEthernet0.0\n  ip filter nothing 5 in\n", PATH)
    assert device.acls["ip filter GigaEthernet0.0 in"].lines == (
        AclLine(Action.PERMIT, (Match(),), src(2, "  ip filter nothing 5 in"), 5, understood=False),
    )


def test_entry_not_understood_is_meta_001_and_an_over_approximation() -> None:
    text = "ip access-list x permit tcp src any dest any dport eq www\nip access-list x deny ip src any dest any log\n"
    device = parse(text, PATH)
    assert forwarding(text) == [
        (1, "access-list entry not understood: 'www' is not a port number"),
        (2, "access-list entry not understood: 'log' not understood"),
    ]
    assert device.mgmt.definitions[0].name == "x"


def test_a_filter_naming_a_dynamic_list_permits_and_is_not_an_undefined_reference() -> None:
    text = "ip access-list dynamic dyn access src any dest any\ninterface GigaEthernet0.0\n  ip filter dyn 10 out\n"
    device = parse(text, PATH)
    assert forwarding(text) == [(1, "access list form not modelled (dynamic or unknown)")]
    assert [(d.kind, d.name, d.source.line) for d in device.mgmt.definitions] == [("acl", "dyn", 1)]
    assert device.acls["ip filter GigaEthernet0.0 out"].lines == (
        AclLine(Action.PERMIT, (Match(),), src(3, "  ip filter dyn 10 out"), 10, understood=False),
    )


def test_routes() -> None:
    text = (
        "ip route default 203.0.113.1\n"
        "ip route 10.1.0.0/16 10.9.0.2 distance 5\n"
        "ip route 10.3.0.0/16 Tunnel0.0\n"
        "ip route 192.168.0.0/16 Null0.0\n"
    )
    device = parse(text, PATH)
    lines = device.lines
    assert device.routes == [
        Route(0, 0, RouteKind.STATIC, src(1, lines[0]), next_hop=ip_to_int("203.0.113.1")),
        Route(
            ip_to_int("10.1.0.0"), 16, RouteKind.STATIC, src(2, lines[1]), next_hop=ip_to_int("10.9.0.2"), distance=5
        ),
        Route(ip_to_int("10.3.0.0"), 16, RouteKind.STATIC, src(3, lines[2]), interface="Tunnel0.0"),
        Route(ip_to_int("192.168.0.0"), 16, RouteKind.STATIC, src(4, lines[3]), interface="Null0.0", discard=True),
    ]


def interface_pat(line: int, text: str, interface: str, order: int) -> NatRule:
    return NatRule(
        source=src(line, text),
        section=2,
        order=order,
        kind="dynamic",
        real_interface=None,
        mapped_interface=interface,
        real_source=None,
        mapped_source=None,
        interface_pat=True,
    )


def unknowns(text: str) -> list[tuple[int, str, str]]:
    return [(u.source.line, u.kind.value, u.reason) for u in parse(text, PATH).unknown_lines]


def test_napt_enable_is_interface_pat_and_a_static_napt_to_the_router_itself_adds_nothing() -> None:
    text = (
        "interface GigaEthernet0.0\n  ip address 203.0.113.2/30\n"
        "  ip napt enable\n  ip napt static GigaEthernet0.0 udp 500\n  ip napt static GigaEthernet0.0 50\n"
    )
    device = parse(text, PATH)
    assert device.nat_rules == [interface_pat(3, "  ip napt enable", "GigaEthernet0.0", 0)]
    assert forwarding(text) == []
    reason = "forwards to the router itself: packets to the router's address already reach it"
    assert unknowns(text) == [(4, "harmless", reason), (5, "harmless", reason)]


def test_static_napt_forwards_the_interface_address_to_the_inside_host() -> None:
    text = (
        "interface GigaEthernet0.1\n  ip address 203.0.113.2/30\n  ip napt enable\n"
        "  ip napt static 192.168.1.10 tcp 80\n  ip napt static 192.168.1.10 udp 5000-5010 6000-6010\n"
    )
    device = parse(text, PATH)
    ports = "every port and protocol of the outer address reaches the inner host (the engine matches no ports)"

    def forward(line: int, order: int, protocol: int, inner: PortRange, outer: PortRange) -> NatRule:
        return NatRule(
            source=src(line, device.lines[line - 1]),
            section=1,
            order=order,
            kind="static",
            real_interface=None,
            mapped_interface="GigaEthernet0.1",
            real_source=((ip_to_int("192.168.1.10"), 32),),
            mapped_source=((ip_to_int("203.0.113.2"), 32),),
            protocol=protocol,
            real_port=inner,
            mapped_port=outer,
            approximation=ports,
        )

    assert device.nat_rules == [
        forward(4, 0, PROTO_TCP, PortRange(80, 80), PortRange(80, 80)),
        forward(5, 1, PROTO_UDP, PortRange(5000, 5010), PortRange(6000, 6010)),
        interface_pat(3, "  ip napt enable", "GigaEthernet0.1", 2),
    ]
    assert unknowns(text) == []


def test_forwards_of_one_address_to_several_hosts_take_all_of_them_as_the_inside() -> None:
    text = (
        "interface GigaEthernet0.1\n  ip address 203.0.113.2/30\n  ip napt enable\n"
        "  ip napt static 192.168.1.11 tcp 443\n  ip napt static 192.168.1.10 tcp 80\n"
    )
    rules = parse(text, PATH).nat_rules
    hosts = ((ip_to_int("192.168.1.10"), 32), (ip_to_int("192.168.1.11"), 32))
    assert [(rule.source.line, rule.real_source) for rule in rules[:2]] == [(4, hosts), (5, hosts)]
    assert rules[0].approximation.endswith(
        "the outer address forwards to several inner hosts: any address covering them is taken as reached"
    )


def test_static_napt_without_napt_enable_or_without_a_known_address() -> None:
    text = (
        "interface GigaEthernet0.1\n  ip address 203.0.113.2/30\n  ip napt static 192.168.1.10 tcp 80\n"
        "interface GigaEthernet0.2\n  ip address ipcp\n  ip napt enable\n  ip napt static 192.168.1.10 tcp 80\n"
        "  ip napt static 192.168.1.10 tcp http\n"
    )
    device = parse(text, PATH)
    assert [(rule.source.line, rule.inactive) for rule in device.nat_rules] == [(3, True), (6, False)]
    assert unknowns(text) == [
        (3, "harmless", "no 'ip napt enable' on this interface: the entry translates nothing"),
        (
            7,
            "forwarding",
            "port forwarding on an interface whose address is negotiated at run time or absent: "
            "the outer address is not in the config",
        ),
        (8, "forwarding", "'ip napt static' not understood: 'http' is not a valid port"),
    ]


def test_static_nat_maps_addresses_and_prefixes_one_to_one() -> None:
    text = (
        "interface GigaEthernet0.1\n  ip address 203.0.113.2/24\n  ip nat enable\n"
        "  ip nat static 192.168.1.20 203.0.113.20\n  ip nat static 10.1.0.0/24 198.51.100.0/24\n"
        "  ip nat static 10.2.0.0/24 198.51.100.0/25\n"
        "interface GigaEthernet0.2\n  ip nat static 192.168.1.21 203.0.113.21\n"
    )
    device = parse(text, PATH)

    def static(line: int, real: tuple[int, int], mapped: tuple[int, int], order: int, interface: str) -> NatRule:
        return NatRule(
            source=src(line, device.lines[line - 1]),
            section=1,
            order=order,
            kind="static",
            real_interface=None,
            mapped_interface=interface,
            real_source=(real,),
            mapped_source=(mapped,),
            inactive=interface == "GigaEthernet0.2",
        )

    assert device.nat_rules == [
        static(4, (ip_to_int("192.168.1.20"), 32), (ip_to_int("203.0.113.20"), 32), 0, "GigaEthernet0.1"),
        static(5, (ip_to_int("10.1.0.0"), 24), (ip_to_int("198.51.100.0"), 24), 1, "GigaEthernet0.1"),
        static(8, (ip_to_int("192.168.1.21"), 32), (ip_to_int("203.0.113.21"), 32), 2, "GigaEthernet0.2"),
    ]
    assert unknowns(text) == [
        (6, "forwarding", "'ip nat static' not understood: the inside and outside prefixes differ in length"),
        (8, "harmless", "no 'ip nat enable' on this interface: the entry translates nothing"),
    ]


def test_a_dynamic_list_opens_sessions_with_its_trigger_lists_permits() -> None:
    text = (
        "ip access-list trig permit ip src 192.168.1.0/24 dest any\n"
        "ip access-list dynamic dyn access trig\n"
        "ip access-list block deny ip src any dest any\n"
        "interface GigaEthernet0.1\n  ip filter dyn 1 out\n  ip filter block 2 in\n"
    )
    device = parse(text, PATH)
    assert device.stateful
    permit = AclLine(
        Action.PERMIT,
        (Match(src=(Wildcard(ip_to_int("192.168.1.0"), 0xFF),)),),
        src(1, "ip access-list trig permit ip src 192.168.1.0/24 dest any"),
    )
    assert device.acls["ip filter GigaEthernet0.1 out"].lines == (permit,)
    assert forwarding(text) == []
    assert [(d.name, d.source.line) for d in device.mgmt.definitions] == [("trig", 1), ("dyn", 2), ("block", 3)]
    assert ("trig", 2, "ip access-list dynamic dyn") in [
        (r.name, r.source.line, r.context) for r in device.mgmt.references
    ]


def test_a_dynamic_list_ignores_its_trigger_lists_denies_and_says_so() -> None:
    text = (
        "ip access-list trig deny ip src 192.168.1.9/32 dest any\n"
        "ip access-list trig permit ip src 192.168.1.0/24 dest any\n"
        "ip access-list dynamic dyn access trig\n"
        "ip access-list dynamic gone access nowhere\n"
        "interface GigaEthernet0.1\n  ip filter dyn 1 out\n  ip filter gone 2 out\n"
    )
    device = parse(text, PATH)
    lines = device.acls["ip filter GigaEthernet0.1 out"].lines
    assert [(line.action, line.understood, line.source.line) for line in lines] == [
        (Action.DENY, False, 1),
        (Action.PERMIT, True, 2),
        (Action.PERMIT, False, 7),
    ]
    assert forwarding(text) == [
        (
            3,
            "trigger list 'trig' has deny entries: whether a packet they match is dropped or goes on to the next "
            "filter is not documented; read as going on",
        ),
        (4, "trigger list 'nowhere' is not defined: the dynamic list is read as permitting everything"),
    ]


def test_a_dynamic_list_unbound_keeps_the_device_stateless() -> None:
    text = "ip access-list trig permit ip src any dest any\nip access-list dynamic dyn access trig\n"
    assert not parse(text, PATH).stateful


def test_dynamic_routing_covers_every_interface() -> None:
    device = parse(
        "interface GigaEthernet0.0\ninterface GigaEthernet1.0\nrouter ospf 1\n  network GigaEthernet0.0 area 0\n", PATH
    )
    assert [(r.protocol, r.interfaces, r.source.line) for r in device.dynamic_routing] == [
        ("ospf", ("GigaEthernet0.0", "GigaEthernet1.0"), 3)
    ]


def test_forwarding_unknowns_name_their_lines() -> None:
    text = (
        "ip access-list dynamic dyn access src any dest any\n"
        "ip nat inside source 10.0.0.0/8\n"
        "watch-group w 10\n"
        "  event 10 ip unreach-host 10.0.0.1 GigaEthernet0.0\n"
        "  action 10 ip shutdown-route 1\n"
        "interface GigaEthernet0.0\n"
        "  ip inspect in\n"
        "ip ufs-cache enable\n"
        "ike proposal p encryption aes-256 hash sha\n"
    )
    assert forwarding(text) == [
        (1, "access list form not modelled (dynamic or unknown)"),
        (2, "'ip nat' not understood"),
        (3, "watch-group actions can change forwarding"),
        (4, "watch-group actions can change forwarding"),
        (5, "watch-group actions can change forwarding"),
        (
            7,
            "'ip inspect' is not an IX command in the documentation available here: the session state it may keep "
            "(return traffic passing the reverse filter) is not modelled",
        ),
    ]


def test_a_pppoe_uplink_as_in_public_interop_examples() -> None:
    text = (
        "ip route default GigaEthernet0.1\n"
        "ppp profile pppprof\n"
        "  authentication myname user@example.jp\n"
        "interface GigaEthernet0.1\n"
        "  encapsulation pppoe\n"
        "  auto-connect\n"
        "  ppp binding pppprof\n"
        "  ip address 192.0.2.1/32\n"
        "  no shutdown\n"
    )
    device = parse(text, PATH)
    assert forwarding(text) == []
    assert [route.describe() for route in device.routes] == ["0.0.0.0/0 dev GigaEthernet0.1"]
    assert device.interfaces["GigaEthernet0.1"].addresses == (InterfaceAddress(ip_to_int("192.0.2.1"), 32),)


def test_management_facts() -> None:
    text = (
        "hostname ix9\n"
        "username admin password plain secret1 administrator\n"
        "username ops password hash 0C34240482\n"
        "telnet-server ip enable\n"
        "ssh-server ip enable\n"
        "logging host 10.2.99.10\n"
        "logging timestamp datetime\n"
        "ntp server 10.2.99.11\n"
        "snmp-agent ip community public rw\n"
    )
    device = parse(text, PATH)
    mgmt = device.mgmt
    lines = device.lines
    assert device.hostname == "ix9" and mgmt.hostname_source == src(1, "hostname ix9")
    assert mgmt.users == [UserAccount("admin", src(2, lines[1]), 15), UserAccount("ops", src(3, lines[2]), 1)]
    assert mgmt.credentials == [
        Credential("user", "admin", "plaintext", src(2, lines[1]), 15),
        Credential("user", "ops", "unknown", src(3, lines[2]), 1),
    ]
    assert mgmt.remote_access == [RemoteAccess("ssh", src(5, lines[4])), RemoteAccess("telnet", src(4, lines[3]))]
    assert mgmt.logging_hosts == [HostReference("10.2.99.10", src(6, lines[5]))]
    assert (mgmt.log_timestamps, mgmt.log_timestamps_source) == ("datetime", src(7, lines[6]))
    assert mgmt.ntp_servers == [HostReference("10.2.99.11", src(8, lines[7]))]
    assert mgmt.snmp_communities == [SnmpCommunity("public", "rw", src(9, lines[8]))]
    assert mgmt.service("http-server") is not None and not mgmt.service("http-server").enabled  # type: ignore[union-attr]
    assert forwarding(text) == []


@pytest.mark.parametrize(
    ("written", "resolved"),
    [
        ("GigaEthernet0.0", "GigaEthernet0.0"),
        ("gigaethernet0.1", "GigaEthernet0.1"),
        ("Gi0.0", "GigaEthernet0.0"),
        ("GigaEthernet0", "GigaEthernet0.0"),
        ("Tu0", "Tunnel0.0"),
        ("Fa1/0.0", "FastEthernet1/0.0"),
        ("Gi0.2", None),
        ("Lo0", None),
        ("0.0", None),
    ],
)
def test_topology_names_resolve_to_ix_interfaces(written: str, resolved: str | None) -> None:
    from nankoku_netcheck.vendors import resolve_interface

    text = "".join(
        f"interface {name}\n" for name in ("GigaEthernet0.0", "GigaEthernet0.1", "Tunnel0.0", "FastEthernet1/0.0")
    )
    assert resolve_interface(parse(text, PATH), written) == resolved


def test_an_instance_is_refused() -> None:
    from nankoku_netcheck.errors import InputError

    with pytest.raises(InputError):
        parse_config("hostname ix1\n", PATH, vendor="nec_ix", instance="vdom1")


# The corpus configs: what every non-comment line became. Both have no META-001 line.
CORPUS_FILES = {"ix2025-vpn-config/Router1.md": (0, 95), "ix2025-vpn-config/Router2.md": (0, 95)}


@pytest.mark.parametrize("relative", sorted(CORPUS_FILES))
def test_corpus_configs_parse_with_the_measured_meta_001_lines(relative: str) -> None:
    path = CORPUS / relative
    if not path.is_file():
        pytest.skip(f"public corpus not found at {CORPUS}")
    text = read_input(str(path)).text
    assert detect_vendor(text) == "nec_ix"
    device = parse_config(text, relative)
    counts = Counter(unknown.kind for unknown in device.unknown_lines)
    assert (counts[UnknownKind.FORWARDING], counts[UnknownKind.HARMLESS]) == CORPUS_FILES[relative]
    assert device.acls["ip filter FastEthernet0/0.0 in"].source.text == "  ip filter flt-list 1 in"
    assert [route.describe() for route in device.routes] == ["10.255.100.0/24 dev FastEthernet0/0.0"]


def test_a_cp932_export_with_japanese_descriptions_reads(tmp_path: Path) -> None:
    text = (
        "hostname 庁舎IX\n"
        "interface GigaEthernet0.0\n"
        "  description LGWAN接続系（本庁舎）\n"
        "  ip address 10.2.0.1/24\n"
        "  no shutdown\n"
    )
    config = tmp_path / "ix.cfg"
    config.write_bytes(text.replace("\n", "\r\n").encode("cp932"))
    read = read_input(str(config))
    device = parse_config(read.text, "ix.cfg")
    assert device.vendor == "nec_ix"
    assert device.interfaces["GigaEthernet0.0"].description == "LGWAN接続系（本庁舎）"
    assert device.hostname == "庁舎IX"


def test_an_in_filter_that_tells_the_outer_address_from_the_inside_one_makes_the_forward_meta_001() -> None:
    head = "ip access-list web permit tcp src any dest {dest} dport eq 443\n"
    body = (
        "interface GigaEthernet0.1\n  ip address 203.0.113.2/30\n  ip napt enable\n"
        "  ip napt static 192.168.1.10 tcp 443\n  ip filter web 1 in\n"
    )
    reason = (
        "the interface's 'in' filter tells the outer address from the inside one, and whether it sees packets "
        "before or after this entry un-translates them is not established (the model un-translates first)"
    )
    assert forwarding(head.format(dest="203.0.113.2") + body) == [(5, reason)]
    assert forwarding(head.format(dest="192.168.1.10") + body) == [(5, reason)]
    assert forwarding(head.format(dest="any") + body) == []
    assert forwarding(head.format(dest="10.0.0.0/8") + body) == []


def test_a_dynamic_list_is_evaluated_in_place_of_a_static_list_of_the_same_name() -> None:
    text = (
        "ip access-list both deny ip src any dest any\n"
        "ip access-list trig permit tcp src any dest 10.0.0.0/8\n"
        "ip access-list dynamic both access trig\n"
        "interface GigaEthernet0.1\n  ip filter both 1 in\n"
    )
    device = parse(text, PATH)
    lines = device.acls["ip filter GigaEthernet0.1 in"].lines
    assert [(line.action, line.source.line) for line in lines] == [(Action.PERMIT, 2)]
    assert device.stateful
