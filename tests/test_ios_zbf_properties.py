"""Property: the IOS zone-based firewall as parsed onto `Device.policy` agrees with a concrete
ZBF evaluator written here from Cisco's rules alone. Random zones, members, zone-pairs,
class-maps (ACL and protocol matches, match-any / match-all, nested class-maps), policy-maps
(inspect / pass / drop, class-default) and interface ACLs are written as config *text*,
parsed by the IOS plugin, and for random packets between random interfaces the oracle's
decision on the parsed device (`connection_permitted`: inbound ACL, policy, outbound ACL)
is compared with this file's reading:

- new connections (no ACK/RST): equal;
- the same for packets to the router itself (the `self` zone);
- TCP packets with ACK/RST: the evaluator's answer (the zone rules, or the reply of a
  connection the reverse zone-pair inspects) implies the model's (the model may let more
  replies through: it ignores drop classes before an inspecting class).

ACLs here put their deny entries last and use only protocols of the well-known table, so
the mapping is exact; a second property writes the cases the plugin approximates
(deny before permit, unknown protocol names, undefined class-maps, ACLs and policy-maps,
classes without an action) and checks only that the model never permits less. Last, the
symbolic engine and the concrete tracer agree with the oracle on networks holding such a
parsed router.
"""

from __future__ import annotations

from dataclasses import dataclass

import oracle
import pytest
import strategies as gen
from engine_checks import NetworkRuns, check_network, check_tracer
from hypothesis import given, settings
from hypothesis import strategies as st

from nankoku_netcheck.model import TO_THE_DEVICE, Device, UnknownKind, ip_to_int
from nankoku_netcheck.reach.packets import PacketSpace
from nankoku_netcheck.vendors.cisco_ios.parser import parse

INTERFACES = ("GigabitEthernet0/0", "GigabitEthernet0/1", "GigabitEthernet0/2", "GigabitEthernet0/3")
ZONES = ("A", "B", "C")
TCP, UDP, ICMP = 6, 17, 1
# The evaluator's own table of the protocols used: (IP protocols, destination port or None).
PROTOCOLS: dict[str, tuple[tuple[int, ...], int | None]] = {
    "tcp": ((TCP,), None),
    "udp": ((UDP,), None),
    "icmp": ((ICMP,), None),
    "smtp": ((TCP,), 25),
    "http": ((TCP,), 80),
    "https": ((TCP,), 443),
    "dns": ((TCP, UDP), 53),
    "ntp": ((UDP,), 123),
}
# ACL entries: text, and the evaluator's reading (protocol or None, source prefix, destination prefix, dport).
ENTRIES: dict[str, tuple[int | None, tuple[str, int], tuple[str, int], int | None]] = {
    "permit tcp any host 10.0.0.5 eq 25": (TCP, ("0.0.0.0", 0), ("10.0.0.5", 32), 25),
    "permit ip 10.0.1.0 0.0.0.255 any": (None, ("10.0.1.0", 24), ("0.0.0.0", 0), None),
    "permit udp any any eq 53": (UDP, ("0.0.0.0", 0), ("0.0.0.0", 0), 53),
    "permit icmp any 10.0.0.0 0.0.0.255": (ICMP, ("0.0.0.0", 0), ("10.0.0.0", 24), None),
    "permit tcp any any eq 80": (TCP, ("0.0.0.0", 0), ("0.0.0.0", 0), 80),
}
# Deny entries, written anywhere in the ACLs of the approximated cases.
DENY_ENTRIES: dict[str, tuple[int | None, tuple[str, int], tuple[str, int], int | None]] = {
    "deny tcp any any eq 25": (TCP, ("0.0.0.0", 0), ("0.0.0.0", 0), 25),
    "deny ip host 10.0.1.7 any": (None, ("10.0.1.7", 32), ("0.0.0.0", 0), None),
}
UNDEFINED = "UNDEFINED"
ADDRESSES = ("10.0.0.5", "10.0.0.9", "10.0.1.7", "10.0.2.3")
PORTS = (25, 53, 80, 123, 443, 1000)


@dataclass(frozen=True)
class ClassMapSpec:
    name: str
    match_all: bool
    criteria: tuple[tuple[str, str], ...]  # (acl | protocol | class-map, value)


@dataclass(frozen=True)
class PolicyClassSpec:
    class_map: str | None  # None: class-default
    action: str | None


@dataclass(frozen=True)
class Zbf:
    members: dict[str, str]  # interface → zone
    default_zone: bool
    pairs: dict[tuple[str, str], str | None]  # (source, destination) → policy-map (None: no service-policy)
    class_maps: dict[str, ClassMapSpec]
    policies: dict[str, tuple[PolicyClassSpec, ...]]
    acls: dict[str, tuple[str, ...]]  # name → permit entries (a `deny ip any any` may follow)
    bindings: dict[str, tuple[str | None, str | None]]  # interface → (acl in, acl out)

    def text(self) -> str:
        lines = ["hostname zbf"]
        zones = sorted(set(self.members.values()) | {zone for pair in self.pairs for zone in pair})
        lines += [f"zone security {zone}" for zone in zones if zone not in ("default", "self")]
        if self.default_zone:
            lines.append("zone security default")
        for name, entries in sorted(self.acls.items()):
            lines.append(f"ip access-list extended {name}")
            lines += [f" {entry}" for entry in entries]
        for spec in self.class_maps.values():
            lines.append(f"class-map type inspect {'match-all' if spec.match_all else 'match-any'} {spec.name}")
            for kind, value in spec.criteria:
                lines.append(f" match access-group name {value}" if kind == "acl" else f" match {kind} {value}")
        for name, classes in sorted(self.policies.items()):
            lines.append(f"policy-map type inspect {name}")
            for entry in classes:
                lines.append(
                    " class class-default" if entry.class_map is None else f" class type inspect {entry.class_map}"
                )
                if entry.action is not None:
                    lines.append(f"  {entry.action}")
        for (source, destination), policy in sorted(self.pairs.items()):
            lines.append(f"zone-pair security {source}-{destination} source {source} destination {destination}")
            if policy is not None:
                lines.append(f" service-policy type inspect {policy}")
        for index, name in enumerate(INTERFACES):
            lines.append(f"interface {name}")
            lines.append(f" ip address 10.9.{index}.1 255.255.255.0")
            acl_in, acl_out = self.bindings.get(name, (None, None))
            if acl_in:
                lines.append(f" ip access-group {acl_in} in")
            if acl_out:
                lines.append(f" ip access-group {acl_out} out")
            if name in self.members:
                lines.append(f" zone-member security {self.members[name]}")
        return "\n".join([*lines, "end", ""])


@dataclass(frozen=True)
class Probe:
    src: int
    dst: int
    proto: int
    sport: int = 0
    dport: int = 0
    established: bool = False
    icmp_type: int = 0
    icmp_code: int = 0


# --- the evaluator -------------------------------------------------------------------------


def _in_prefix(address: int, prefix: tuple[str, int]) -> bool:
    shift = 32 - prefix[1]
    return prefix[1] == 0 or (address >> shift) == (ip_to_int(prefix[0]) >> shift)


def entry_hits(entry: str, packet: Probe) -> bool:
    protocol, src, dst, dport = ENTRIES.get(entry) or DENY_ENTRIES[entry]
    return (
        (protocol is None or packet.proto == protocol)
        and _in_prefix(packet.src, src)
        and _in_prefix(packet.dst, dst)
        and (dport is None or (packet.proto in (TCP, UDP) and packet.dport == dport))
    )


def acl_permits(zbf: Zbf, name: str | None, packet: Probe) -> bool:
    """None bound permits; else the first entry that matches decides, then the implicit deny.
    In a class-map an undefined ACL matches nothing (the strict reading)."""
    if name is None:
        return True
    for entry in zbf.acls.get(name, ()):
        if entry_hits(entry, packet):
            return entry.startswith("permit")
    return False


def class_hits(zbf: Zbf, spec: ClassMapSpec, packet: Probe) -> bool:
    results = [criterion_hits(zbf, kind, value, packet) for kind, value in spec.criteria]
    return all(results) if spec.match_all else any(results)


def criterion_hits(zbf: Zbf, kind: str, value: str, packet: Probe) -> bool:
    if kind == "acl":
        return acl_permits(zbf, value, packet)
    if kind == "class-map":
        return value in zbf.class_maps and class_hits(zbf, zbf.class_maps[value], packet)
    # A protocol not in the table: some TCP and UDP port (the plugin takes all of them).
    protocols, port = PROTOCOLS.get(value, ((TCP, UDP), 1000))
    return packet.proto in protocols and (port is None or packet.dport == port)


def action_of(zbf: Zbf, policy: str | None, packet: Probe) -> str:
    """Undefined policy-maps and class-maps, and classes without an action: the strict reading
    (drop, no match, drop); the plugin takes the wider one."""
    if policy is None or policy not in zbf.policies:
        return "drop"
    for entry in zbf.policies[policy]:
        if entry.class_map is None:
            return entry.action or "drop"
        if entry.class_map in zbf.class_maps and class_hits(zbf, zbf.class_maps[entry.class_map], packet):
            return entry.action or "drop"
    return "drop"


def zone_of(zbf: Zbf, interface: str) -> str | None:
    return zbf.members.get(interface, "default" if zbf.default_zone and zbf.members else None)


def zones_permit(zbf: Zbf, in_if: str, out_if: str, packet: Probe) -> bool:
    source, destination = zone_of(zbf, in_if), zone_of(zbf, out_if)
    if source is None or destination is None:
        return source is None and destination is None
    if (source, destination) in zbf.pairs:
        return action_of(zbf, zbf.pairs[(source, destination)], packet) in ("inspect", "pass")
    return source == destination


def is_inspected_reply(zbf: Zbf, in_if: str, out_if: str, packet: Probe) -> bool:
    source, destination = zone_of(zbf, out_if), zone_of(zbf, in_if)
    if not (packet.proto == TCP and packet.established) or (source, destination) not in zbf.pairs:
        return False
    opening = Probe(packet.dst, packet.src, TCP, packet.dport, packet.sport)
    return action_of(zbf, zbf.pairs[(source, destination)], opening) == "inspect"


def box_permits(zbf: Zbf, in_if: str, packet: Probe) -> bool:
    """A packet to the router arriving on `in_if`: the inbound ACL, then the zone-pair from
    the interface's zone to `self` if there is one (or the reply of what `self` inspects)."""
    zone = zone_of(zbf, in_if)
    if not acl_permits(zbf, zbf.bindings.get(in_if, (None, None))[0], packet):
        return False
    if zone is None or (zone, "self") not in zbf.pairs:
        return True
    if action_of(zbf, zbf.pairs[(zone, "self")], packet) in ("inspect", "pass"):
        return True
    if not (packet.proto == TCP and packet.established) or ("self", zone) not in zbf.pairs:
        return False
    opening = Probe(packet.dst, packet.src, TCP, packet.dport, packet.sport)
    return action_of(zbf, zbf.pairs[("self", zone)], opening) == "inspect"


def model_box_permits(device: Device, in_if: str, packet: Probe) -> bool:
    acl_in = device.interfaces[in_if].acl_in
    return oracle.filter_permits(device, acl_in, packet) and oracle.policy_permits(device, in_if, TO_THE_DEVICE, packet)


def zbf_permits(zbf: Zbf, in_if: str, out_if: str, packet: Probe) -> bool:
    acl_in = zbf.bindings.get(in_if, (None, None))[0]
    acl_out = zbf.bindings.get(out_if, (None, None))[1]
    zones = zones_permit(zbf, in_if, out_if, packet) or is_inspected_reply(zbf, in_if, out_if, packet)
    return acl_permits(zbf, acl_in, packet) and zones and acl_permits(zbf, acl_out, packet)


# --- random configurations -------------------------------------------------------------------


@st.composite
def zbf_configs(draw: st.DrawFn, messy: bool = False) -> Zbf:
    """`messy`: also the cases the plugin approximates (see the module docstring)."""
    acl_names = ("ACL0", "ACL1")
    entry_pool = sorted(ENTRIES) + (sorted(DENY_ENTRIES) if messy else [])
    acls = {
        name: tuple(draw(st.lists(st.sampled_from(entry_pool), min_size=1, max_size=4, unique=True)))
        for name in acl_names
    }
    actions = ["inspect", "pass", "drop", *([None] if messy else [])]
    undefined = [UNDEFINED] if messy else []
    class_maps: dict[str, ClassMapSpec] = {}
    for index in range(draw(st.integers(1, 3))):
        name = f"CM{index}"
        kinds = ["acl", "protocol"] + (["class-map"] if class_maps or messy else [])
        criteria = []
        for _ in range(draw(st.integers(1, 2))):
            kind = draw(st.sampled_from(kinds))
            pool = {
                "acl": (*acl_names, *undefined),
                "protocol": (*sorted(PROTOCOLS), *(["frobnicate"] if messy else [])),
                "class-map": (*sorted(class_maps), *undefined),
            }[kind]
            criteria.append((kind, draw(st.sampled_from(pool))))
        class_maps[name] = ClassMapSpec(name, draw(st.booleans()), tuple(criteria))
    policies = {}
    for index in range(draw(st.integers(1, 2))):
        chosen = draw(st.lists(st.sampled_from([*sorted(class_maps), *undefined]), min_size=1, max_size=3, unique=True))
        classes = [PolicyClassSpec(name, draw(st.sampled_from(actions))) for name in chosen]
        if draw(st.booleans()):
            classes.append(PolicyClassSpec(None, draw(st.sampled_from(actions))))
        policies[f"PM{index}"] = tuple(classes)
    members = draw(st.dictionaries(st.sampled_from(INTERFACES), st.sampled_from(ZONES), max_size=4))
    zone_pool = [*ZONES, "default"] if draw(st.booleans()) else list(ZONES)
    pairs = draw(
        st.dictionaries(
            st.tuples(st.sampled_from([*zone_pool, "self"]), st.sampled_from([*zone_pool, "self"])).filter(
                lambda pair: pair != ("self", "self")
            ),
            st.one_of(st.none(), st.sampled_from([*sorted(policies), *undefined])),
            max_size=4,
        )
    )
    bindings = draw(
        st.dictionaries(
            st.sampled_from(INTERFACES),
            st.tuples(st.sampled_from([None, *acl_names]), st.sampled_from([None, *acl_names])),
            max_size=2,
        )
    )
    return Zbf(members, "default" in zone_pool, pairs, class_maps, policies, acls, bindings)


probes = st.builds(
    Probe,
    src=st.sampled_from(ADDRESSES).map(ip_to_int),
    dst=st.sampled_from(ADDRESSES).map(ip_to_int),
    proto=st.sampled_from([TCP, TCP, UDP, ICMP, 47]),
    sport=st.sampled_from(PORTS),
    dport=st.sampled_from(PORTS),
    established=st.booleans(),
).map(lambda p: p if p.proto == TCP else Probe(p.src, p.dst, p.proto, *((p.sport, p.dport) if p.proto == UDP else ())))


def parsed(zbf: Zbf) -> Device:
    device = parse(zbf.text(), "zbf.cfg")
    forwarding = [u for u in device.unknown_lines if u.kind is UnknownKind.FORWARDING]
    assert forwarding == [], forwarding
    return device


@settings(max_examples=200, deadline=None)
@given(
    zbf=zbf_configs(),
    pairs=st.lists(st.tuples(st.sampled_from(INTERFACES), st.sampled_from(INTERFACES)), min_size=1, max_size=4),
    packets=st.lists(probes, min_size=1, max_size=12),
)
def test_parsed_zbf_decides_as_the_zbf_does(zbf: Zbf, pairs: list[tuple[str, str]], packets: list[Probe]) -> None:
    device = parsed(zbf)
    assert (device.policy is None) == (not zbf.members)
    for in_if, out_if in pairs:
        for packet in packets:
            expected = zbf_permits(zbf, in_if, out_if, packet)
            model = oracle.connection_permitted(device, in_if, out_if, packet)
            box, model_box = box_permits(zbf, in_if, packet), model_box_permits(device, in_if, packet)
            if packet.proto == TCP and packet.established:
                assert model or not expected, (in_if, out_if, packet, zbf.text())
                assert model_box or not box, (in_if, packet, zbf.text())
            else:
                assert model == expected, (in_if, out_if, packet, zbf.text())
                assert model_box == box, (in_if, packet, zbf.text())


@st.composite
def zbf_runs(draw: st.DrawFn) -> NetworkRuns:
    """A parsed ZBF router (`zbf`, interfaces 10.9.0-3.1/24) and a plain IOS router beside it,
    with packets crossing the ZBF router between two of its interfaces."""
    zbf = draw(zbf_configs())
    device = parsed(zbf)
    device.routes = []
    by_name = {"zbf": device, "X1": draw(gen.devices("X1"))}
    case = gen.network_case(by_name, draw, [ip_to_int(address) for address in ADDRESSES])
    runs = [draw(gen.crossing_packets(case, "zbf")) for _ in range(draw(st.integers(3, 6)))]
    return case, runs


@pytest.fixture(scope="module")
def space() -> PacketSpace:
    pytest.importorskip("dd.cudd", reason="dd was installed without its CUDD extension")
    return PacketSpace("cudd")


@gen.examples(60)
@given(zbf_runs())
def test_engine_agrees_with_oracle_on_parsed_zbf_routers(space: PacketSpace, case_and_runs: NetworkRuns) -> None:
    check_network(space, *case_and_runs)


@gen.examples(40)
@given(zbf_runs())
def test_tracer_agrees_with_oracle_on_parsed_zbf_routers(space: PacketSpace, case_and_runs: NetworkRuns) -> None:
    check_tracer(space, *case_and_runs)


@settings(max_examples=200, deadline=None)
@given(
    zbf=zbf_configs(messy=True),
    pairs=st.lists(st.tuples(st.sampled_from(INTERFACES), st.sampled_from(INTERFACES)), min_size=1, max_size=4),
    packets=st.lists(probes, min_size=1, max_size=12),
)
def test_approximated_zbf_never_permits_less(zbf: Zbf, pairs: list[tuple[str, str]], packets: list[Probe]) -> None:
    device = parsed(zbf)
    for in_if, out_if in pairs:
        for packet in packets:
            if zbf_permits(zbf, in_if, out_if, packet):
                assert oracle.connection_permitted(device, in_if, out_if, packet), (in_if, out_if, packet, zbf.text())
            if box_permits(zbf, in_if, packet):
                assert model_box_permits(device, in_if, packet), (in_if, packet, zbf.text())
