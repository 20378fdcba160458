"""FortiOS policies as *text*, generated at random and parsed by the plugin:

- an independent concrete evaluator of the FortiOS text (the first enabled policy in file
  order whose srcintf/dstintf — zones expanded, `any` — srcaddr/dstaddr — groups, ranges,
  negate — and service — TCP/UDP port ranges with source ports, groups, ALL — match
  decides; a zone with `intrazone allow` passes traffic between its members; then the
  implicit deny) agrees with the parsed model's decision (oracle.policy_permits) on random
  packets: that proves the parser right;
- the parsed FortiGate in a small network with IOS routers and sometimes an ASA (mixed
  IOS + ASA + FortiGate): the engine and the tracer agree with the oracle.

The FortiGate's static routes are drawn as model routes after parsing (the route reader has
tests of its own); only its interfaces, zones, objects and policies come from the text.
CI runs a fixed, reproducible set of examples; NANKOKU_EXPLORE=1 runs ten times as many.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import cast

import oracle
import pytest
import strategies as gen
from engine_checks import NetworkRuns, check_network, check_tracer
from hypothesis import given, note
from hypothesis import strategies as st

from nankoku_netcheck.model import PROTO_TCP, PROTO_UDP, Device, UnknownKind, int_to_ip, ip_to_int, prefix_mask
from nankoku_netcheck.reach.packets import Packet, PacketSpace
from nankoku_netcheck.vendors.fortios.parser import parse

examples = gen.examples
PORTS = ("port1", "port2", "port3")
RANGE_PORTS = tuple(sorted({p for p in gen.PORT_VALUES if p >= 1}))


@dataclass(frozen=True)
class Address:
    name: str
    low: int  # first and last address (a subnet or an iprange)
    high: int
    text: str  # the `set ...` line


@dataclass(frozen=True)
class PortSpan:
    proto: int
    low: int
    high: int
    source: tuple[int, int] | None  # None: any source port


@dataclass(frozen=True)
class Policy:
    number: int
    srcintf: tuple[str, ...]
    dstintf: tuple[str, ...]
    srcaddr: tuple[str, ...]
    dstaddr: tuple[str, ...]
    service: tuple[str, ...]
    accept: bool
    src_negate: bool
    dst_negate: bool
    enabled: bool


@dataclass(frozen=True)
class FortiConfig:
    interfaces: tuple[tuple[str, int, int], ...]  # (name, address, prefix length)
    zone: tuple[str, ...]  # members of zone "zA" (empty: no zone)
    intrazone_allow: bool
    addresses: tuple[Address, ...]
    groups: tuple[tuple[str, tuple[str, ...]], ...]
    services: tuple[tuple[str, tuple[PortSpan, ...]], ...]
    service_groups: tuple[tuple[str, tuple[str, ...]], ...]
    policies: tuple[Policy, ...]

    def text(self) -> str:
        out = ['config system global\n    set hostname "FG"\nend\n', "config system interface\n"]
        for name, address, length in self.interfaces:
            mask = int_to_ip(prefix_mask(length))
            out.append(f'    edit "{name}"\n        set ip {int_to_ip(address)} {mask}\n    next\n')
        out.append("end\n")
        if self.zone:
            members = " ".join(f'"{m}"' for m in self.zone)
            intrazone = "allow" if self.intrazone_allow else "deny"
            out.append(f'config system zone\n    edit "zA"\n        set intrazone {intrazone}\n')
            out.append(f"        set interface {members}\n    next\nend\n")
        out.append("config firewall address\n")
        out += [f'    edit "{a.name}"\n        {a.text}\n    next\n' for a in self.addresses]
        out.append("end\nconfig firewall addrgrp\n")
        out += [f'    edit "{name}"\n        set member {quoted(m)}\n    next\n' for name, m in self.groups]
        out.append("end\nconfig firewall service custom\n")
        for name, spans in self.services:
            out.append(f'    edit "{name}"\n')
            for proto, key in ((PROTO_TCP, "tcp-portrange"), (PROTO_UDP, "udp-portrange")):
                ranges = [span_text(s) for s in spans if s.proto == proto]
                if ranges:
                    out.append(f"        set {key} {' '.join(ranges)}\n")
            out.append("    next\n")
        out.append("end\nconfig firewall service group\n")
        out += [f'    edit "{name}"\n        set member {quoted(m)}\n    next\n' for name, m in self.service_groups]
        out.append("end\nconfig firewall policy\n")
        for p in self.policies:
            out.append(f"    edit {p.number}\n")
            for key, names in (
                ("srcintf", p.srcintf),
                ("dstintf", p.dstintf),
                ("srcaddr", p.srcaddr),
                ("dstaddr", p.dstaddr),
                ("service", p.service),
            ):
                out.append(f"        set {key} {quoted(names)}\n")
            out.append(f'        set action {"accept" if p.accept else "deny"}\n        set schedule "always"\n')
            if p.src_negate:
                out.append("        set srcaddr-negate enable\n")
            if p.dst_negate:
                out.append("        set dstaddr-negate enable\n")
            if not p.enabled:
                out.append("        set status disable\n")
            out.append("    next\n")
        out.append("end\n")
        return "".join(out)


def quoted(names: tuple[str, ...]) -> str:
    return " ".join(f'"{name}"' for name in names)


def span_text(span: PortSpan) -> str:
    text = f"{span.low}-{span.high}" if span.high != span.low else str(span.low)
    if span.source is not None:
        text += f":{span.source[0]}-{span.source[1]}"
    return text


# --- the independent evaluator ------------------------------------------------------------------


def interfaces_of(config: FortiConfig, names: tuple[str, ...]) -> set[str] | None:
    if "any" in names:
        return None
    result: set[str] = set()
    for name in names:
        result |= set(config.zone) if name == "zA" else {name}
    return result


def address_hits(config: FortiConfig, names: tuple[str, ...], address: int) -> bool:
    objects = {a.name: a for a in config.addresses}
    groups = dict(config.groups)
    for name in names:
        if name == "all":
            return True
        members = groups.get(name, (name,))
        if any(objects[m].low <= address <= objects[m].high for m in members):
            return True
    return False


def service_hits(config: FortiConfig, names: tuple[str, ...], packet: Packet) -> bool:
    services = dict(config.services)
    groups = dict(config.service_groups)
    for name in names:
        if name == "ALL":
            return True
        for member in groups.get(name, (name,)):
            for span in services[member]:
                if span.proto != packet.proto or not span.low <= packet.dport <= span.high:
                    continue
                if span.source is None or span.source[0] <= packet.sport <= span.source[1]:
                    return True
    return False


def fortios_permits(config: FortiConfig, in_if: str, out_if: str, packet: Packet) -> bool:
    if config.intrazone_allow and in_if in config.zone and out_if in config.zone:
        return True
    for p in config.policies:
        if not p.enabled:
            continue
        src_ifs, dst_ifs = interfaces_of(config, p.srcintf), interfaces_of(config, p.dstintf)
        if (src_ifs is not None and in_if not in src_ifs) or (dst_ifs is not None and out_if not in dst_ifs):
            continue
        if address_hits(config, p.srcaddr, packet.src) == p.src_negate:
            continue
        if address_hits(config, p.dstaddr, packet.dst) == p.dst_negate:
            continue
        if service_hits(config, p.service, packet):
            return p.accept
    return False


# --- generating the text ------------------------------------------------------------------------


@st.composite
def addresses(draw: st.DrawFn, name: str, universe: tuple[int, ...]) -> Address:
    if gen.sometimes(draw, 30):
        low, high = sorted((draw(st.sampled_from(universe)), draw(st.sampled_from(universe))))
        return Address(
            name,
            low,
            high,
            f"set type iprange\n        set start-ip {int_to_ip(low)}\n        set end-ip {int_to_ip(high)}",
        )
    if gen.sometimes(draw, 30):
        address = draw(st.sampled_from(universe))
        return Address(name, address, address, f"set subnet {int_to_ip(address)} 255.255.255.255")
    network, length = draw(st.sampled_from((*gen.SUBNET_POOL, (ip_to_int("10.0.0.0"), 16))))
    mask = prefix_mask(length)
    return Address(name, network, network | (~mask & 0xFFFFFFFF), f"set subnet {int_to_ip(network)} {int_to_ip(mask)}")


@st.composite
def port_spans(draw: st.DrawFn) -> PortSpan:
    low, high = sorted((draw(st.sampled_from(RANGE_PORTS)), draw(st.sampled_from(RANGE_PORTS))))
    source: tuple[int, int] | None = None
    if gen.sometimes(draw, 30):
        first, last = sorted((draw(st.sampled_from(RANGE_PORTS)), draw(st.sampled_from(RANGE_PORTS))))
        source = (first, last)
    return PortSpan(draw(st.sampled_from((PROTO_TCP, PROTO_UDP))), low, high, source)


def names_from(choices: tuple[str, ...]) -> st.SearchStrategy[tuple[str, ...]]:
    return st.lists(st.sampled_from(choices), min_size=1, max_size=2, unique=True).map(tuple)


@st.composite
def forti_configs(draw: st.DrawFn, universe: tuple[int, ...]) -> FortiConfig:
    interfaces = []
    for name in PORTS:
        network, length = draw(st.sampled_from([s for s in gen.SUBNET_POOL if s[1] <= 30]))
        interfaces.append((name, network + draw(gen.HOST_OFFSETS[length]), length))
    zone = tuple(draw(st.lists(st.sampled_from(PORTS), max_size=2, unique=True)))
    objects = tuple(draw(addresses(f"a{index}", universe)) for index in range(draw(st.integers(1, 4))))
    object_names = tuple(a.name for a in objects)
    groups = tuple((f"g{index}", draw(names_from(object_names))) for index in range(draw(st.integers(0, 2))))
    services = tuple(
        (f"s{index}", tuple(draw(st.lists(port_spans(), min_size=1, max_size=3))))
        for index in range(draw(st.integers(1, 3)))
    )
    service_names = tuple(name for name, _ in services)
    service_groups = tuple((f"sg{i}", draw(names_from(service_names))) for i in range(draw(st.integers(0, 1))))
    interface_names = (*PORTS, "any", *(("zA",) if zone else ()))
    address_names = (*object_names, *(name for name, _ in groups), "all")
    all_services = (*service_names, *(name for name, _ in service_groups), "ALL")
    numbers = draw(st.permutations(range(1, 9)))
    policies = tuple(
        Policy(
            number=numbers[index],
            srcintf=draw(names_from(interface_names)),
            dstintf=draw(names_from(interface_names)),
            srcaddr=draw(names_from(address_names)),
            dstaddr=draw(names_from(address_names)),
            service=draw(names_from(all_services)),
            accept=gen.sometimes(draw, 60),
            src_negate=gen.sometimes(draw, 15),
            dst_negate=gen.sometimes(draw, 15),
            enabled=not gen.sometimes(draw, 25),
        )
        for index in range(draw(st.integers(1, 8)))
    )
    return FortiConfig(
        tuple(interfaces), zone, gen.sometimes(draw, 50), objects, groups, services, service_groups, policies
    )


def parsed(config: FortiConfig) -> Device:
    text = config.text()
    note(text)
    device = parse(text, "FG.conf")
    forwarding = [u for u in device.unknown_lines if u.kind is UnknownKind.FORWARDING]
    assert forwarding == [], forwarding  # everything generated is understood
    return device


# --- the parser against the evaluator -----------------------------------------------------------

UNIVERSE = gen.NETWORK_ADDRESSES


@examples(150)
@given(forti_configs(UNIVERSE), st.lists(gen.packets(UNIVERSE), min_size=1, max_size=8))
def test_parsed_policy_decides_as_the_fortios_text_says(config: FortiConfig, packets: list[Packet]) -> None:
    device = parsed(config)
    for packet in packets:
        for in_if in PORTS:
            for out_if in PORTS:
                expected = fortios_permits(config, in_if, out_if, packet)
                # oracle.PacketLike declares settable fields; a frozen Packet has the same ones, read-only.
                got = oracle.policy_permits(device, in_if, out_if, cast(oracle.PacketLike, packet))
                assert got == expected, f"{in_if} → {out_if}: {packet.describe()}"


# --- the parsed FortiGate in a mixed network ----------------------------------------------------


@pytest.fixture(scope="module")
def space() -> PacketSpace:
    pytest.importorskip("dd.cudd", reason="dd was installed without its CUDD extension")
    return PacketSpace()


@st.composite
def fortigate_networks(draw: st.DrawFn) -> gen.NetworkCase:
    """The parsed FortiGate FG and 1–2 other devices: IOS routers, sometimes an ASA."""
    by_name: dict[str, Device] = {"FG": parsed(draw(forti_configs(UNIVERSE)))}
    for index in range(1, draw(st.integers(1, 2)) + 1):
        asa = gen.sometimes(draw, 40)
        by_name[f"X{index}"] = draw(gen.asa_devices(f"X{index}")) if asa else draw(gen.devices(f"X{index}"))
    configured = sorted({a.address for d in by_name.values() for i in d.interfaces.values() for a in i.addresses})
    for device in by_name.values():
        pools = (gen.neighbour_addresses(device, by_name), configured)
        next_hops = st.one_of(*[st.sampled_from(pool) for pool in pools if pool], gen.ANY_NEXT_HOP)
        device.routes = draw(st.lists(gen.static_routes(list(device.interfaces), next_hops), max_size=4))
    return gen.network_case(by_name, draw, gen.NAT_ADDRESSES)


@st.composite
def fortigate_runs(draw: st.DrawFn) -> NetworkRuns:
    case = draw(fortigate_networks())
    runs = draw(st.lists(st.tuples(st.sampled_from(case.starts), gen.packets(case.addresses)), max_size=1))
    for _ in range(draw(st.integers(3, 5))):
        runs.append(draw(gen.crossing_packets(case, "FG")))
    return case, runs


@examples(40)
@given(fortigate_runs())
def test_engine_agrees_with_oracle_on_networks_with_a_parsed_fortigate(
    space: PacketSpace, case_and_runs: NetworkRuns
) -> None:
    check_network(space, *case_and_runs)


@examples(30)
@given(fortigate_runs())
def test_tracer_agrees_with_oracle_on_networks_with_a_parsed_fortigate(
    space: PacketSpace, case_and_runs: NetworkRuns
) -> None:
    check_tracer(space, *case_and_runs)
