"""Synthetic cities: a deterministic generator of topology + IOS configs of any size.

Used by the benchmarks and by scale tests. The city has the three zones, a core and
access routers per zone, a boundary router per zone with long ACLs (object-groups
included) onto a shared backbone, an internet edge, a mail-text and a screen-transfer
channel. It is compliant unless `plant` names violations to add; then the expected
findings are written next to the configs.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from pathlib import Path

from .model import int_to_ip

ZONE_BASES = {"mynumber": 0x0A400000, "lgwan": 0x0A800000, "internet": 0x0AC00000}  # 10.64/10, 10.128/10, 10.192/10
ZONE_LABELS = {"mynumber": "マイナンバー利用事務系", "lgwan": "LGWAN接続系", "internet": "インターネット接続系"}
SHORT = {"mynumber": "mn", "lgwan": "lg", "internet": "inet"}
UPLINK_BLOCK = 0x3E80  # /24 index inside a zone where the core↔access /30s live (10.x.0x3E80.0 …)
TRANSIT = 0xC0A8FF00  # 192.168.255.0/24: backbone transit /30s


@dataclass
class CitySpec:
    devices: int = 100
    acl_lines: int = 200
    segments_per_access: int = 2
    seed: int = 1
    plant: tuple[str, ...] = ()


@dataclass
class _Config:
    name: str
    lines: list[str] = field(default_factory=list)

    def add(self, *lines: str) -> None:
        self.lines.extend(lines)

    def text(self) -> str:
        return "\n".join(self.lines) + "\nend\n"


def lan(zone: str, index: int) -> int:
    """Network address of the index-th /24 LAN of a zone."""
    return ZONE_BASES[zone] + (index << 8)


def uplink(zone: str, index: int) -> int:
    """Network address of the index-th /30 between a zone's core and an access router."""
    return ZONE_BASES[zone] + (UPLINK_BLOCK << 8) + index * 4


def generate(spec: CitySpec, out_dir: Path) -> Path:
    """Write device_configs/<name>.cfg and topology.yaml under out_dir; return the topology path."""
    rng = random.Random(spec.seed)
    access_total = max(spec.devices - 8, 3)
    per_zone = {zone: access_total // 3 + (1 if i < access_total % 3 else 0) for i, zone in enumerate(ZONE_BASES)}
    configs: list[_Config] = []
    for zone in ZONE_BASES:
        configs += _zone_devices(zone, per_zone[zone], spec, rng)
    configs.append(_backbone())
    configs.append(_edge())
    config_dir = out_dir / "device_configs"
    config_dir.mkdir(parents=True, exist_ok=True)
    for config in configs:
        (config_dir / f"{config.name}.cfg").write_text(config.text(), encoding="utf-8")
    topology = out_dir / "topology.yaml"
    topology.write_text(_topology_yaml(spec, [c.name for c in configs]), encoding="utf-8")
    (out_dir / "expected.yaml").write_text(_expected_yaml(spec), encoding="utf-8")
    return topology


PLANTED_FINDINGS = {
    "lgwan-to-internet-https": ("ZONE-005", "lgwan", "internet", "tcp", 443),
    "mynumber-to-lgwan-smb": ("ZONE-001", "mynumber", "lgwan", "tcp", 445),
}


def _expected_yaml(spec: CitySpec) -> str:
    """The error findings the planted violations must produce (and nothing else at error)."""
    lines = ["# expected error findings of this synthetic city", "findings:"]
    for name in spec.plant:
        rule, source, dest, proto, port = PLANTED_FINDINGS[name]
        lines.append(f"  - {{plant: {name}, rule: {rule}, from_zone: {source}, to_zone: {dest}, "
                     f"proto: {proto}, dport: {port}}}")
    if not spec.plant:
        lines[-1] = "findings: []"
    return "\n".join(lines) + "\n"


def _header(config: _Config) -> None:
    config.add(
        f"hostname {config.name}",
        "service timestamps log datetime msec",
        "no ip http server",
        "ip ssh version 2",
        "!",
    )


def _zone_devices(zone: str, access_count: int, spec: CitySpec, rng: random.Random) -> list[_Config]:
    short = SHORT[zone]
    core = _Config(f"{short}-core")
    _header(core)
    configs = []
    for index in range(access_count):
        access = _Config(f"{short}-acc{index + 1:04d}")
        _header(access)
        link = uplink(zone, index)
        access.add("interface GigabitEthernet0/0", f" ip address {int_to_ip(link + 2)} 255.255.255.252", "!")
        for seg in range(spec.segments_per_access):
            network = lan(zone, 1 + index * spec.segments_per_access + seg)
            access.add(f"interface Vlan{10 + seg}", f" description {ZONE_LABELS[zone]} LAN {seg + 1}",
                       f" ip address {int_to_ip(network + 1)} 255.255.255.0", "!")
            core.add(f"ip route {int_to_ip(network)} 255.255.255.0 {int_to_ip(link + 2)}")
        access.add(f"ip route 0.0.0.0 0.0.0.0 {int_to_ip(link + 1)}")
        core.add(f"interface GigabitEthernet1/{index}", f" ip address {int_to_ip(link + 1)} 255.255.255.252", "!")
        configs.append(access)
    gateway_link = uplink(zone, 4000)
    core.add("interface GigabitEthernet0/0", f" ip address {int_to_ip(gateway_link + 1)} 255.255.255.252", "!")
    if zone == "internet":
        edge_link = uplink(zone, 4001)
        core.add("interface GigabitEthernet0/1", f" ip address {int_to_ip(edge_link + 1)} 255.255.255.252", "!")
        core.add(f"ip route 0.0.0.0 0.0.0.0 {int_to_ip(edge_link + 2)}")
        core.add(f"ip route 10.0.0.0 255.0.0.0 {int_to_ip(gateway_link + 2)}")
    else:
        core.add(f"ip route 0.0.0.0 0.0.0.0 {int_to_ip(gateway_link + 2)}")
    configs.append(core)
    configs.append(_gateway(zone, spec, rng))
    return configs


def _gateway(zone: str, spec: CitySpec, rng: random.Random) -> _Config:
    short = SHORT[zone]
    gateway = _Config(f"{short}-gw")
    _header(gateway)
    inside = uplink(zone, 4000)
    outside = TRANSIT + 4 * list(ZONE_BASES).index(zone)
    gateway.add(
        "object-group network OWN-ZONE",
        f" {int_to_ip(ZONE_BASES[zone])} 255.192.0.0",
        "!",
        "interface GigabitEthernet0/0", " description inside",
        f" ip address {int_to_ip(inside + 2)} 255.255.255.252",
        f" ip access-group {short.upper()}-OUT in", "!",
        "interface GigabitEthernet0/1", " description backbone",
        f" ip address {int_to_ip(outside + 2)} 255.255.255.252",
        f" ip access-group {short.upper()}-IN in", "!",
        f"ip route {int_to_ip(ZONE_BASES[zone])} 255.192.0.0 {int_to_ip(inside + 1)}",
        f"ip route 0.0.0.0 0.0.0.0 {int_to_ip(outside + 1)}",
    )
    outbound, inbound = _channel_lines(zone, spec)
    gateway.add(f"ip access-list extended {short.upper()}-OUT")
    gateway.add(*_noise(zone, spec.acl_lines // 2, rng, leaving=True))
    gateway.add(*outbound, " deny ip any any log")
    gateway.add(f"ip access-list extended {short.upper()}-IN")
    gateway.add(*_noise(zone, spec.acl_lines - spec.acl_lines // 2, rng, leaving=False))
    gateway.add(*inbound, " deny ip any any log", "!")
    return gateway


def _channel_lines(zone: str, spec: CitySpec) -> tuple[list[str], list[str]]:
    """(lines of the ACL leaving the zone, lines of the ACL entering it)."""
    relay, mail = int_to_ip(lan("internet", 1) + 25), int_to_ip(lan("lgwan", 1) + 25)
    terminals, desktops = int_to_ip(lan("lgwan", 2)), int_to_ip(lan("internet", 2))
    out: list[str] = []
    into: list[str] = []
    if zone == "lgwan":
        out = [f" permit tcp {terminals} 0.0.0.255 {desktops} 0.0.0.255 eq 3389",
               f" permit tcp host {mail} eq smtp host {relay} established"]
        into = [f" permit tcp host {relay} host {mail} eq smtp",
                f" permit tcp {desktops} 0.0.0.255 eq 3389 {terminals} 0.0.0.255 established"]
        if "lgwan-to-internet-https" in spec.plant:
            out.insert(0, f" permit tcp {terminals} 0.0.0.255 any eq 443")
    elif zone == "internet":
        out = [f" permit tcp host {relay} host {mail} eq smtp",
               f" permit tcp {desktops} 0.0.0.255 eq 3389 {terminals} 0.0.0.255 established"]
        into = [f" permit tcp {terminals} 0.0.0.255 {desktops} 0.0.0.255 eq 3389",
                f" permit tcp host {mail} eq smtp host {relay} established"]
        if "lgwan-to-internet-https" in spec.plant:
            into.insert(0, f" permit tcp {terminals} 0.0.0.255 any eq 443")
    if zone == "mynumber" and "mynumber-to-lgwan-smb" in spec.plant:
        out.insert(0, f" permit tcp {int_to_ip(lan('mynumber', 1))} 0.0.0.255 any eq 445")
    if zone == "lgwan" and "mynumber-to-lgwan-smb" in spec.plant:
        into.insert(0, f" permit tcp {int_to_ip(lan('mynumber', 1))} 0.0.0.255 any eq 445")
    return out, into


def _noise(zone: str, count: int, rng: random.Random, leaving: bool) -> list[str]:
    """Realistic filler: host-level denies and permits whose zone-side address is the
    zone's own: on the ACL for leaving traffic the destination, on the ACL for entering
    traffic the source (which no other zone can use). None lets a packet cross zones."""
    lines = []
    base = ZONE_BASES[zone]
    for _ in range(count):
        host = int_to_ip(base + (rng.randrange(1, 2000) << 8) + rng.randrange(1, 254))
        other = int_to_ip(base + (rng.randrange(1, 2000) << 8))
        port = rng.choice((22, 53, 80, 123, 161, 443, 445, 514, 3389, 8080))
        kind = rng.randrange(3)
        if kind == 0:
            lines.append(f" deny tcp host {host} any eq {port}")
        elif kind == 1 and leaving:
            lines.append(f" permit tcp any {other} 0.0.0.255 eq {port}")
        elif kind == 1:
            lines.append(f" permit tcp {other} 0.0.0.255 any eq {port}")
        elif leaving:
            lines.append(f" permit udp any object-group OWN-ZONE range {port} {port + 10}")
        else:
            lines.append(f" permit udp object-group OWN-ZONE host {host} range {port} {port + 10}")
    return lines


def _backbone() -> _Config:
    backbone = _Config("bb-rtr")
    _header(backbone)
    for index, zone in enumerate(ZONE_BASES):
        link = TRANSIT + 4 * index
        backbone.add(f"interface GigabitEthernet0/{index}", f" description to {SHORT[zone]}-gw",
                     f" ip address {int_to_ip(link + 1)} 255.255.255.252", "!")
        backbone.add(f"ip route {int_to_ip(ZONE_BASES[zone])} 255.192.0.0 {int_to_ip(link + 2)}")
    backbone.add(f"ip route 0.0.0.0 0.0.0.0 {int_to_ip(TRANSIT + 4 * 2 + 2)}")
    return backbone


def _edge() -> _Config:
    edge = _Config("edge-rtr")
    _header(edge)
    link = uplink("internet", 4001)
    edge.add(
        "interface GigabitEthernet0/0", " description 自治体情報セキュリティクラウド",
        " ip address 203.0.113.2 255.255.255.252", " ip access-group FROM-CLOUD in", "!",
        "ip access-list extended FROM-CLOUD",
        " permit tcp any 10.192.0.0 0.63.255.255 established",
        " deny ip any any log", "!",
        "interface GigabitEthernet0/1", f" ip address {int_to_ip(link + 2)} 255.255.255.252", "!",
        "ip route 0.0.0.0 0.0.0.0 203.0.113.1",
        f"ip route 10.0.0.0 255.0.0.0 {int_to_ip(link + 1)}",
    )
    return edge


def _topology_yaml(spec: CitySpec, names: list[str]) -> str:
    relay, mail = int_to_ip(lan("internet", 1) + 25), int_to_ip(lan("lgwan", 1) + 25)
    terminals, desktops = int_to_ip(lan("lgwan", 2)), int_to_ip(lan("internet", 2))
    lines = [
        "version: 1",
        f"name: synthetic city (devices={spec.devices}, acl_lines={spec.acl_lines}, seed={spec.seed})",
        "policy: nankoku-2019",
        "configs: device_configs",
        "devices:",
        *[f"  {name}: {{config: {name}.cfg}}" for name in sorted(names)],
        "zones:",
    ]
    for zone, base in ZONE_BASES.items():
        lines += [f"  {zone}:", f"    kind: {zone}", f"    label: {ZONE_LABELS[zone]}",
                  f"    prefixes: [{int_to_ip(base)}/10]"]
        if zone == "internet":
            lines.append("    upstream: [edge-rtr:GigabitEthernet0/0]")
    lines += [
        "channels:",
        f"  - {{id: mail-text, kind: mail-text, src: [{relay}/32], dst: [{mail}/32], proto: tcp, dport: [25]}}",
        f"  - {{id: screen, kind: screen-transfer, src: [{terminals}/24], dst: [{desktops}/24], proto: tcp,"
        " dport: [3389]}",
    ]
    return "\n".join(lines) + "\n"
