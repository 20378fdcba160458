"""FortiOS semantics end to end (issue #15): for each semantic a pass and a fail network,
written as configs and a topology, run through `analyze()`, where exactly that semantic
decides between PASS and a ZONE-001 / ZONE-005 violation. A fail case names the deciding
FortiOS line (file:line `edit N`) in the finding's evidence and the hop that crosses the
FortiGate.

The FortiGate `fgt` (unless a case says otherwise): port1 10.1.0.1/24 (mynumber zone),
port2 10.2.0.1/24 (lgwan), port3 10.3.0.1/24 (internet), port4 10.9.0.1/24 (a DMZ of
kind other, which the lgwan and internet zones may reach)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from nankoku_netcheck.analyze import analyze, load
from nankoku_netcheck.model import PROTO_TCP, ip_to_int
from nankoku_netcheck.reach.engine import ReachEngine, Start, boundary_interfaces
from nankoku_netcheck.reach.packets import Packet, PacketSpace
from nankoku_netcheck.reach.trace import Tracer
from nankoku_netcheck.result import Finding, Result

ZONES = """\
zones:
  mynumber: {kind: mynumber, label: マイナンバー利用事務系, prefixes: [10.1.0.0/16]}
  lgwan: {kind: lgwan, label: LGWAN接続系, prefixes: [10.2.0.0/16]}
  internet: {kind: internet, label: インターネット接続系, prefixes: [10.3.0.0/16, 10.4.0.0/16]}
  dmz: {kind: other, label: DMZ, prefixes: [10.9.0.0/16]}
zone_policy:
  - {from: lgwan, to: dmz, allow: any}
  - {from: dmz, to: lgwan, allow: any}
  - {from: internet, to: dmz, allow: any}
  - {from: dmz, to: internet, allow: any}
"""

# Each zone's segment sits behind a router of its own on a transit /30 to the FortiGate, so
# that the FortiGate's own addresses (traffic to the box) lie in no zone.
ROUTER = """\
hostname {name}
interface GigabitEthernet0/0
 ip address 10.8.{link}.2 255.255.255.252
interface GigabitEthernet0/1
 ip address 10.{zone}.0.1 255.255.255.0
{more}ip route 0.0.0.0 0.0.0.0 10.8.{link}.1
end
"""
INTERNET_LAN2 = "interface GigabitEthernet0/2\n ip address 10.4.0.1 255.255.255.0\n"


def routers() -> dict[str, str]:
    made = {}
    for name, link, zone in (("rm", 1, 1), ("rl", 2, 2), ("ri", 3, 3), ("rd", 9, 9)):
        more = INTERNET_LAN2 if name == "ri" else ""
        made[name] = ROUTER.format(name=name, link=link, zone=zone, more=more)
    return made


def interfaces(vdom: str = "") -> str:
    text = "config system interface\n"
    for port, link in (("port1", 1), ("port2", 2), ("port3", 3), ("port4", 9)):
        text += f'    edit "{port}"\n'
        text += f'        set vdom "{vdom}"\n' if vdom else ""
        text += f"        set ip 10.8.{link}.1 255.255.255.252\n    next\n"
    return text + "end\n"


INTERFACES = interfaces()


def static_routes(**replace: str) -> str:
    """Routes to each zone through its router; `replace` swaps a port's route body."""
    text = "config router static\n"
    for number, (port, link, zones) in enumerate(
        (("port1", 1, ("1",)), ("port2", 2, ("2",)), ("port3", 3, ("3", "4")), ("port4", 9, ("9",))), start=1
    ):
        for offset, zone in enumerate(zones):
            body = replace.get(port, f'        set gateway 10.8.{link}.2\n        set device "{port}"\n')
            if body == "missing":
                continue
            text += f"    edit {number * 10 + offset}\n        set dst 10.{zone}.0.0 255.255.0.0\n{body}    next\n"
    return text + "end\n"


ADDRESSES = """\
config firewall address
    edit "mn-net"
        set subnet 10.1.0.0 255.255.0.0
    next
    edit "lgwan-net"
        set subnet 10.2.0.0 255.255.0.0
    next
    edit "inet-net"
        set subnet 10.3.0.0 255.255.0.0
    next
    edit "dmz-net"
        set subnet 10.9.0.0 255.255.0.0
    next
end
"""


def policy(number: int, src: str, dst: str, action: str = "accept", *extra: str, **fields: str) -> str:
    """One `edit N` entry of `config firewall policy`."""
    settings = {"srcintf": src, "dstintf": dst, "srcaddr": '"all"', "dstaddr": '"all"', "action": action}
    settings.update({"service": '"ALL"', "schedule": '"always"'})
    settings.update({key.replace("_", "-"): value for key, value in fields.items()})
    body = "".join(f"        set {key} {value}\n" for key, value in settings.items())
    body += "".join(f"        {line}\n" for line in extra)
    return f"    edit {number}\n{body}    next\n"


def fortigate(policies: str, *, before: str = "", after: str = "", routes: str = "") -> str:
    header = "#config-version=FGT60F-7.2.5-FW-build1517-230606:opmode=0:vdom=0:user=admin\n"
    header += 'config system global\n    set hostname "fgt"\nend\n'
    body = INTERFACES + before + ADDRESSES + "config firewall policy\n" + policies + "end\n"
    return header + body + (routes or static_routes()) + after


@dataclass(frozen=True)
class Run:
    result: Result
    config: str  # the FortiGate config text, to find the line numbers the findings name
    topology: Path

    def verdict(self, rule: str) -> str:
        [verdict] = [v for v in self.result.rules if v.rule == rule]
        return verdict.verdict

    def findings(self, rule: str) -> list[Finding]:
        return [f for f in self.result.findings if f.rule == rule]

    def line_of(self, text: str, after: str = "") -> int:
        """The 1-based number of the first line that is `text` (stripped), after the line `after`."""
        lines = [line.strip() for line in self.config.splitlines()]
        start = lines.index(after) if after else 0
        return lines.index(text, start) + 1


def run(
    tmp_path: Path,
    config: str,
    tail: str = "",
    devices: str = "  fgt: {config: fgt.conf}\n",
    changed: dict[str, str] | None = None,
) -> Run:
    """Write the network into tmp_path (a git checkout root) and analyze it."""
    (tmp_path / ".git").mkdir(exist_ok=True)
    (tmp_path / "configs").mkdir()
    (tmp_path / "configs" / "fgt.conf").write_text(config, encoding="utf-8")
    for name, text in sorted({**routers(), **(changed or {})}.items()):
        (tmp_path / "configs" / f"{name}.cfg").write_text(text, encoding="utf-8")
        devices += f"  {name}: {{config: {name}.cfg}}\n"
    topology = tmp_path / "topology.yaml"
    topology.write_text(f"version: 1\nname: fortios semantics\nconfigs: configs\n{ZONES}devices:\n{devices}{tail}")
    return Run(analyze(str(topology)), config, topology)


def delivered(run: Run, src: str, dst: str, dport: int = 443, established: bool = False) -> set[tuple[str, str]]:
    """Where a TCP packet from a host of the segment holding `src` ends up (engine and tracer agreeing):
    (kind, segment) of each endpoint."""
    loaded = load(str(run.topology))
    space = PacketSpace()
    engine = ReachEngine(loaded.network, space, boundary_interfaces(loaded.network))
    ports = (dport, 49152) if established else (49152, dport)
    packet = Packet(ip_to_int(src), ip_to_int(dst), PROTO_TCP, ports[0], ports[1], established)
    segment = next(s for s in loaded.network.segments.values() if s.contains(packet.src))
    start = Start(segment=segment.id)
    found = {
        e
        for e, packets in engine.reach([(start, space.packet(packet))]).delivered.items()
        if space.contains(packets, packet)
    }
    traced = {p.endpoint for p in Tracer(engine).trace(start, packet) if p.endpoint is not None}
    assert found == traced, (found, traced)
    return {(e.kind, e.segment) for e in found}


def violation(run: Run, rule: str, from_zone: str, to_zone: str, edit: int, hop: tuple[str, str]) -> Finding:
    """The violated finding from `from_zone` to `to_zone`: its evidence names the FortiGate's
    `edit <edit>` line of the policy section, and its path crosses the FortiGate in by
    hop[0] and out by hop[1] with that line deciding."""
    found = [f for f in run.findings(rule) if (f.status, f.from_zone, f.to_zone) == ("violated", from_zone, to_zone)]
    assert found, [f.message_en for f in run.findings(rule)]
    finding = found[0]
    number = run.line_of(f"edit {edit}", after="config firewall policy")
    permits = [(e.line, e.text) for e in finding.evidence if e.file.endswith("fgt.conf") and e.role == "permits"]
    assert permits == [(number, f"edit {edit}")], finding.evidence
    [step] = [step for step in finding.path if step.device.startswith("fgt")]
    assert (step.in_interface, step.out_interface) == hop
    decided = step.acl or step.acl_out
    assert decided is not None and (decided.line, decided.text) == (number, f"edit {edit}")
    return finding


def passes(run: Run, *rules: str) -> None:
    for rule in rules or ("ZONE-001", "ZONE-005", "META-001"):
        assert run.verdict(rule) == "pass", (rule, [f.message_en for f in run.findings(rule)])


# --- policy order -------------------------------------------------------------------------------

DENY_LGWAN_TO_MN = policy(1, '"port2"', '"port1"', "deny")
ACCEPT_LGWAN_OUT = policy(2, '"port2"', '"port1" "port4"')


def test_policy_order_deny_listed_first_holds(tmp_path: Path) -> None:
    passes(run(tmp_path, fortigate(DENY_LGWAN_TO_MN + ACCEPT_LGWAN_OUT)))


def test_policy_order_is_the_listed_order_not_the_policy_id(tmp_path: Path) -> None:
    result = run(tmp_path, fortigate(ACCEPT_LGWAN_OUT + DENY_LGWAN_TO_MN))
    assert result.verdict("ZONE-001") == "fail"
    violation(result, "ZONE-001", "lgwan", "mynumber", 2, ("port2", "port1"))


# --- zones --------------------------------------------------------------------------------------


def zone(*members: str) -> str:
    names = " ".join(f'"{member}"' for member in members)
    return f'config system zone\n    edit "inside"\n        set interface {names}\n    next\nend\n'


TO_INSIDE = policy(1, '"port2"', '"inside"')


def test_a_policy_to_a_zone_reaches_only_its_members(tmp_path: Path) -> None:
    passes(run(tmp_path, fortigate(TO_INSIDE, before=zone("port4"))))


def test_a_policy_to_a_zone_reaches_a_member_added_to_it(tmp_path: Path) -> None:
    result = run(tmp_path, fortigate(TO_INSIDE, before=zone("port4", "port1")))
    assert result.verdict("ZONE-001") == "fail"
    violation(result, "ZONE-001", "lgwan", "mynumber", 1, ("port2", "port1"))


# --- any ----------------------------------------------------------------------------------------


def test_a_named_dstintf_limits_the_policy(tmp_path: Path) -> None:
    passes(run(tmp_path, fortigate(policy(1, '"port2"', '"port4"'))))


def test_dstintf_any_reaches_every_interface(tmp_path: Path) -> None:
    result = run(tmp_path, fortigate(policy(1, '"port2"', '"any"', dstaddr='"mn-net" "dmz-net"')))
    assert result.verdict("ZONE-001") == "fail"
    violation(result, "ZONE-001", "lgwan", "mynumber", 1, ("port2", "port1"))


def test_srcintf_any_takes_every_interface(tmp_path: Path) -> None:
    passes(run(tmp_path, fortigate(policy(1, '"port2"', '"port4"', srcaddr='"lgwan-net" "mn-net"'))))
    (tmp_path / "any").mkdir()
    result = run(tmp_path / "any", fortigate(policy(1, '"any"', '"port4"', srcaddr='"lgwan-net" "mn-net"')))
    violation(result, "ZONE-001", "mynumber", "dmz", 1, ("port1", "port4"))


# --- negate -------------------------------------------------------------------------------------

LGWAN_OUT = ('"port2"', '"port1" "port4"')


def test_dstaddr_negate_of_the_mynumber_zone_keeps_it_out(tmp_path: Path) -> None:
    config = fortigate(policy(1, *LGWAN_OUT, dstaddr='"mn-net"', dstaddr_negate="enable"))
    passes(run(tmp_path, config))


def test_dstaddr_negate_of_the_dmz_lets_the_mynumber_zone_in(tmp_path: Path) -> None:
    config = fortigate(policy(1, *LGWAN_OUT, dstaddr='"dmz-net"', dstaddr_negate="enable"))
    result = run(tmp_path, config)
    finding = violation(result, "ZONE-001", "lgwan", "mynumber", 1, ("port2", "port1"))
    assert finding.flow is not None and finding.flow.dst.startswith("10.1.")


TO_DMZ = ('"port1" "port2"', '"port4"')


def test_srcaddr_negate_of_the_mynumber_zone_keeps_it_in(tmp_path: Path) -> None:
    passes(run(tmp_path, fortigate(policy(1, *TO_DMZ, srcaddr='"mn-net"', srcaddr_negate="enable"))))


def test_srcaddr_negate_of_the_lgwan_lets_the_mynumber_zone_out(tmp_path: Path) -> None:
    result = run(tmp_path, fortigate(policy(1, *TO_DMZ, srcaddr='"lgwan-net"', srcaddr_negate="enable")))
    violation(result, "ZONE-001", "mynumber", "dmz", 1, ("port1", "port4"))


# --- VIP ----------------------------------------------------------------------------------------


def vip(mapped: str) -> str:
    return (
        'config firewall vip\n    edit "web"\n        set extip 192.0.2.10\n'
        f'        set mappedip "{mapped}"\n        set extintf "port3"\n    next\nend\n'
    )


PUBLISHED = policy(1, '"port3"', '"any"', dstaddr='"web"', service='"HTTPS"')


def test_a_vip_to_an_internet_zone_host_keeps_the_lgwan_closed(tmp_path: Path) -> None:
    result = run(tmp_path, fortigate(PUBLISHED, before=vip("10.4.0.50")))
    passes(result)
    assert delivered(result, "10.3.0.10", "192.0.2.10") == {("hosts", "10.4.0.0/24")}


def test_a_vip_exposing_an_lgwan_host_to_the_internet_side_fails(tmp_path: Path) -> None:
    result = run(tmp_path, fortigate(PUBLISHED, before=vip("10.2.0.50")))
    finding = violation(result, "ZONE-005", "internet", "lgwan", 1, ("port3", "port2"))
    # Packets to the mapped address itself count too: the policy's VIP reads as the mapped
    # address (an over-approximation nat.py documents), so that is the example shown.
    assert finding.flow is not None and (finding.flow.dst, finding.flow.dport) == ("10.2.0.50", 443)
    assert delivered(result, "10.3.0.10", "192.0.2.10") == {("hosts", "10.2.0.0/24")}
    assert delivered(result, "10.3.0.10", "192.0.2.10", dport=80) == set()


# --- IP pool / nat enable -------------------------------------------------------------------------

# The internet-side router drops everything from and to the LGWAN addresses; a FortiGate that
# translates the LGWAN sources hides them from it (the replies go to the translated address,
# which the router lets back, and the FortiGate translates them back to the LGWAN host).
FILTERING_RI = """\
hostname ri
interface GigabitEthernet0/0
 ip address 10.8.3.2 255.255.255.252
 ip access-group FROM-FGT in
 ip access-group TO-FGT out
interface GigabitEthernet0/1
 ip address 10.3.0.1 255.255.255.0
interface GigabitEthernet0/2
 ip address 10.4.0.1 255.255.255.0
ip route 0.0.0.0 0.0.0.0 10.8.3.1
ip access-list extended FROM-FGT
 deny ip 10.2.0.0 0.0.255.255 any
 permit ip any any
ip access-list extended TO-FGT
 deny ip any 10.2.0.0 0.0.255.255
 permit ip any any
end
"""


def pool(address: str) -> str:
    return (
        'config firewall ippool\n    edit "P"\n'
        f"        set startip {address}\n        set endip {address}\n    next\nend\n"
    )


def natted(*settings: str) -> str:
    return policy(1, '"port2"', '"port3"', "accept", *settings, srcaddr='"lgwan-net"')


def test_without_nat_the_internet_router_drops_the_lgwan_sources(tmp_path: Path) -> None:
    result = run(tmp_path, fortigate(natted()), changed={"ri": FILTERING_RI})
    passes(result)
    assert delivered(result, "10.2.0.10", "10.3.0.10") == set()


def test_nat_to_the_interface_address_opens_the_internet(tmp_path: Path) -> None:
    result = run(tmp_path, fortigate(natted("set nat enable")), changed={"ri": FILTERING_RI})
    violation(result, "ZONE-005", "lgwan", "internet", 1, ("port2", "port3"))
    assert delivered(result, "10.2.0.10", "10.3.0.10") == {("hosts", "10.3.0.0/24")}


def test_replies_to_the_interface_address_go_back_to_the_lgwan_hosts(tmp_path: Path) -> None:
    result = run(tmp_path, fortigate(natted("set nat enable")), changed={"ri": FILTERING_RI})
    # TCP replies (ACK) from the internet to port3's address are translated back (to any address
    # the policy translates, the LGWAN router's own included); a new connection is not.
    lgwan = {("hosts", "10.2.0.0/24"), ("device", "")}
    assert delivered(result, "10.3.0.10", "10.8.3.1", established=True) == lgwan
    assert delivered(result, "10.3.0.10", "10.8.3.1") == {("device", "")}  # the FortiGate itself


def test_replies_to_an_ip_pool_address_go_back_to_the_lgwan_hosts(tmp_path: Path) -> None:
    policies = natted("set nat enable", "set ippool enable", 'set poolname "P"')
    result = run(tmp_path, fortigate(policies, before=pool("192.0.2.100")), changed={"ri": FILTERING_RI})
    lgwan = {("hosts", "10.2.0.0/24"), ("device", "")}
    assert delivered(result, "10.3.0.10", "192.0.2.100", established=True) == lgwan
    assert delivered(result, "10.3.0.10", "192.0.2.100") == set()


def test_an_ip_pool_the_internet_router_filters_keeps_the_lgwan_closed(tmp_path: Path) -> None:
    policies = natted("set nat enable", "set ippool enable", 'set poolname "P"')
    result = run(tmp_path, fortigate(policies, before=pool("10.2.255.100")), changed={"ri": FILTERING_RI})
    passes(result)


def test_an_ip_pool_outside_the_filtered_range_opens_the_internet(tmp_path: Path) -> None:
    policies = natted("set nat enable", "set ippool enable", 'set poolname "P"')
    result = run(tmp_path, fortigate(policies, before=pool("192.0.2.100")), changed={"ri": FILTERING_RI})
    violation(result, "ZONE-005", "lgwan", "internet", 1, ("port2", "port3"))
    assert delivered(result, "10.2.0.10", "10.3.0.10") == {("hosts", "10.3.0.0/24")}


# --- static routes ------------------------------------------------------------------------------

LGWAN_TO_MN = policy(1, '"port2"', '"port1"')

# The mynumber router without a route back: so that the FortiGate's stateful replies (which
# the engine lets through whatever the FortiGate's own routes) do not decide these cases.
RM_NO_ROUTE = ROUTER.format(name="rm", link=1, zone=1, more="").replace("ip route 0.0.0.0 0.0.0.0 10.8.1.1\n", "")


def routed(tmp_path: Path, config: str) -> Run:
    return run(tmp_path, config, changed={"rm": RM_NO_ROUTE})


def test_a_blackhole_route_keeps_the_mynumber_zone_unreachable(tmp_path: Path) -> None:
    passes(routed(tmp_path, fortigate(LGWAN_TO_MN, routes=static_routes(port1="        set blackhole enable\n"))))


def test_a_missing_route_keeps_the_mynumber_zone_unreachable(tmp_path: Path) -> None:
    passes(routed(tmp_path, fortigate(LGWAN_TO_MN, routes=static_routes(port1="missing"))))


def test_a_route_to_the_mynumber_zone_opens_it(tmp_path: Path) -> None:
    result = routed(tmp_path, fortigate(LGWAN_TO_MN))
    finding = violation(result, "ZONE-001", "lgwan", "mynumber", 1, ("port2", "port1"))
    route = result.line_of("edit 10", after="config router static")
    assert (route, "edit 10", "route") in [(e.line, e.text, e.role) for e in finding.evidence]
    [step] = [step for step in finding.path if step.device == "fgt"]
    assert step.route == "10.1.0.0/16 via 10.8.1.2 dev port1"


# --- policy routes ------------------------------------------------------------------------------

POLICY_ROUTE = """\
config router policy
    edit 1
        set input-device "port2"
        set dst "10.1.0.0/255.255.0.0"
        set gateway 10.8.1.2
        set output-device "port1"
    next
end
"""


def test_without_policy_routes_the_static_routes_decide(tmp_path: Path) -> None:
    passes(routed(tmp_path, fortigate(LGWAN_TO_MN, routes=static_routes(port1="missing"))))


def test_a_policy_route_is_not_understood_and_names_its_line(tmp_path: Path) -> None:
    config = fortigate(LGWAN_TO_MN, routes=static_routes(port1="missing"), after=POLICY_ROUTE)
    result = routed(tmp_path, config)
    assert result.verdict("META-001") == "inconclusive"
    start = result.line_of("config router policy")
    lines = {(e.line, e.text) for f in result.findings("META-001") for e in f.evidence}
    assert (start + 1, "edit 1") in lines and (start + 5, 'set output-device "port1"') in lines
    assert result.verdict("ZONE-001") == "inconclusive"


# --- status disable -----------------------------------------------------------------------------


def test_a_disabled_policy_decides_nothing(tmp_path: Path) -> None:
    passes(run(tmp_path, fortigate(policy(1, '"port2"', '"port1"', status="disable"))))


def test_the_same_policy_enabled_opens_the_mynumber_zone(tmp_path: Path) -> None:
    result = run(tmp_path, fortigate(policy(1, '"port2"', '"port1"', status="enable")))
    violation(result, "ZONE-001", "lgwan", "mynumber", 1, ("port2", "port1"))


# --- service port ranges ------------------------------------------------------------------------

SCREEN_CHANNEL = """\
channels:
  - {id: screen, kind: screen-transfer, src: [10.2.0.0/16], dst: [10.3.0.0/16], proto: tcp, dport: [3389]}
"""


def rdp(ports: str) -> str:
    return f'config firewall service custom\n    edit "RDP"\n        set tcp-portrange {ports}\n    next\nend\n'


SCREEN = policy(1, '"port2"', '"port3"', srcaddr='"lgwan-net"', dstaddr='"inet-net"', service='"RDP"')


def test_a_service_inside_the_channel_port_passes(tmp_path: Path) -> None:
    passes(run(tmp_path, fortigate(SCREEN, before=rdp("3389")), tail=SCREEN_CHANNEL))


def test_a_service_range_wider_than_the_channel_port_fails(tmp_path: Path) -> None:
    result = run(tmp_path, fortigate(SCREEN, before=rdp("3380-3390")), tail=SCREEN_CHANNEL)
    finding = violation(result, "ZONE-005", "lgwan", "internet", 1, ("port2", "port3"))
    assert finding.flow is not None and finding.flow.dport in set(range(3380, 3391)) - {3389}
    assert delivered(result, "10.2.0.10", "10.3.0.10", dport=3391) == set()
    assert delivered(result, "10.2.0.10", "10.3.0.10", dport=3390) == {("hosts", "10.3.0.0/24")}


# --- VDOMs --------------------------------------------------------------------------------------


def vdom_interface(name: str, vdom: str, address: str, kind: str = "") -> str:
    kind_line = f"        set type {kind}\n" if kind else ""
    return (
        f'    edit "{name}"\n        set vdom "{vdom}"\n{kind_line}        set ip {address} 255.255.255.252\n    next\n'
    )


def vdom_route(number: int, dst: str, gateway: str, device: str) -> str:
    return (
        f"    edit {number}\n        set dst {dst}\n        set gateway {gateway}\n"
        f'        set device "{device}"\n    next\n'
    )


def two_vdoms(vd2_action: str) -> str:
    """root holds the lgwan, internet and DMZ ports, vd2 the mynumber port; an inter-VDOM
    link joins them. root lets the lgwan into the link; vd2's policy decides."""
    interfaces = (
        vdom_interface("port1", "vd2", "10.8.1.1")
        + vdom_interface("port2", "root", "10.8.2.1")
        + vdom_interface("port3", "root", "10.8.3.1")
        + vdom_interface("port4", "root", "10.8.9.1")
        + vdom_interface("vlink0", "root", "10.7.0.1", "vdom-link")
        + vdom_interface("vlink1", "vd2", "10.7.0.2", "vdom-link")
    )
    root_routes = (
        vdom_route(1, "10.1.0.0 255.255.0.0", "10.7.0.2", "vlink0")
        + vdom_route(2, "10.2.0.0 255.255.0.0", "10.8.2.2", "port2")
        + vdom_route(3, "10.3.0.0 255.255.0.0", "10.8.3.2", "port3")
        + vdom_route(4, "10.4.0.0 255.255.0.0", "10.8.3.2", "port3")
        + vdom_route(5, "10.9.0.0 255.255.0.0", "10.8.9.2", "port4")
    )
    vd2_routes = vdom_route(1, "10.1.0.0 255.255.0.0", "10.8.1.2", "port1") + vdom_route(
        2, "0.0.0.0 0.0.0.0", "10.7.0.1", "vlink1"
    )
    root_policy = policy(1, '"port2"', '"vlink0"')
    vd2_policy = policy(1, '"vlink1"', '"port1"', vd2_action)
    return (
        "#config-version=FGT60F-7.2.5-FW-build1517-230606:opmode=0:vdom=1:user=admin\n"
        "config vdom\nedit root\nnext\nedit vd2\nnext\nend\n"
        'config global\nconfig system global\n    set hostname "fgt"\nend\n'
        f"config system interface\n{interfaces}end\nend\n"
        "config vdom\nedit root\n"
        f"config firewall policy\n{root_policy}end\n"
        f"config router static\n{root_routes}end\nnext\n"
        "edit vd2\n"
        f"config firewall policy\n{vd2_policy}end\n"
        f"config router static\n{vd2_routes}end\nnext\nend\n"
    )


VDOM_DEVICES = "  fgt-root: {config: fgt.conf, instance: root}\n  fgt-vd2: {config: fgt.conf, instance: vd2}\n"
VDOM_LINK = "links:\n  - [fgt-root:vlink0, fgt-vd2:vlink1]\n"


def test_the_mynumber_vdom_denying_the_inter_vdom_link_holds(tmp_path: Path) -> None:
    passes(run(tmp_path, two_vdoms("deny"), tail=VDOM_LINK, devices=VDOM_DEVICES))


def test_the_mynumber_vdom_accepting_the_inter_vdom_link_leaks(tmp_path: Path) -> None:
    result = run(tmp_path, two_vdoms("accept"), tail=VDOM_LINK, devices=VDOM_DEVICES)
    lines = result.config.splitlines()
    vd2_policy = lines.index("edit vd2", lines.index("config vdom", 2)) + 3  # `edit 1` of vd2's policy
    assert lines[vd2_policy - 1].strip() == "edit 1"
    root_policy = result.line_of("edit 1", after="config firewall policy")
    [finding] = [f for f in result.findings("ZONE-001") if (f.from_zone, f.to_zone) == ("lgwan", "mynumber")]
    assert finding.status == "violated"
    hops = [(step.device, step.in_interface, step.out_interface, step.acl) for step in finding.path]
    assert [hop[:3] for hop in hops] == [
        ("rl", "GigabitEthernet0/1", "GigabitEthernet0/0"),
        ("fgt-root", "port2", "vlink0"),
        ("fgt-vd2", "vlink1", "port1"),
        ("rm", "GigabitEthernet0/0", "GigabitEthernet0/1"),
    ]
    assert [(acl.line, acl.text) for *_, acl in hops[1:3] if acl is not None] == [
        (root_policy, "edit 1"),
        (vd2_policy, "edit 1"),
    ]
    permits = {(e.line, e.text) for e in finding.evidence if e.role == "permits"}
    assert permits == {(root_policy, "edit 1"), (vd2_policy, "edit 1")}
