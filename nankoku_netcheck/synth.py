"""Synthetic cities: a deterministic generator of topology + configs of any size.

Used by the benchmarks and by scale tests. A city has the three zones; each zone has a
core L3 switch, access L3 switches (802.1X access ports, one SVI per host segment, an
anti-spoofing ACL on each SVI) and a zone-boundary firewall with long ACLs built on
object-groups: an ASA for the mynumber zone (with the external link to the 中間サーバー
platform, its MAC pinned by static ARP) and for the internet zone, an IOS router for the
LGWAN zone. The firewalls meet on a backbone router; an edge router holds the upstream
to the 自治体情報セキュリティクラウド. Two sanitised channels (mail text, screen transfer)
cross the LGWAN/internet boundary. Every device is hardened, so a compliant city
produces no finding at all.

`CitySpec.plant` names violations to add (see PLANTS); the findings they must produce
are written to expected.yaml next to the topology. The same spec and seed always give
byte-identical files.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from pathlib import Path

from .model import int_to_ip

ZONES = ("mynumber", "lgwan", "internet")
ZONE_BASES = {"mynumber": 0x0A400000, "lgwan": 0x0A800000, "internet": 0x0AC00000}  # 10.64/10, 10.128/10, 10.192/10
ZONE_LABELS = {"mynumber": "マイナンバー利用事務系", "lgwan": "LGWAN接続系", "internet": "インターネット接続系"}
SHORT = {"mynumber": "mn", "lgwan": "lg", "internet": "inet"}
FIREWALL_VENDOR = {"mynumber": "asa", "lgwan": "ios", "internet": "asa"}
UPLINK_BLOCK = 0x3E80  # /24 index inside a zone where the core↔access /30s live (10.x.0x3E80.0 …)
FIREWALL_LINK_INDEX = 4000  # uplink /30 index of the core↔firewall link
EDGE_LINK_INDEX = 4001  # uplink /30 index of the internet core↔edge link
MAX_ACCESS_PER_ZONE = FIREWALL_LINK_INDEX - 1
# The /24s of a zone below the uplink block: host LANs, then servers (the hosts that
# object-groups and deny entries name).
SERVER_LANS = 8000
SERVER_HOSTS = (UPLINK_BLOCK - SERVER_LANS) * 240
MAX_SEGMENTS_PER_ZONE = SERVER_LANS - 1
MAX_VLANS_PER_SWITCH = 4000
PARTNER_BASE = 0xAC100000  # 172.16.0.0/12: LGWAN-ASP and partner systems, in no zone
PARTNER_HOSTS = 1 << 20
BOGON_BASE = 0x64400000  # 100.64.0.0/10
TRANSIT = 0xC0A8FF00  # 192.168.255.0/24: backbone transit /30s
JLIS_LINK = 0xC0A8FA00  # 192.168.250.0/30: mn-fw ↔ the external line's terminating unit
CHUKAN = 0xC000020A  # 192.0.2.10: 中間サーバー・プラットフォーム
TERMINATOR_MAC = "0000.5e00.5302"
UPSTREAM = 0xCB007100  # 203.0.113.0/30: edge ↔ security cloud
ROGUE_LINK = 0xC0A84D00  # 192.168.77.0/30: a planted second internet exit
ROGUE_PREFIX = 0xCB007180  # 203.0.113.128/25, reached through the planted exit
ACCESS_PORTS = 24
SPARE_PORTS = 2  # the last access ports are unused (shut down)
SVI_TEMPLATES = 3  # standard user-VLAN ACLs per zone
FIXED_DEVICES = 8  # three cores, three firewalls, backbone, edge
MIN_DEVICES = FIXED_DEVICES + len(ZONES)
# A /24 of each zone's address plan, by purpose (index into the zone's /24s).
MGMT_LAN = 0  # on the core: NMS, syslog and NTP servers

SECRET = "$9$SyntheticCitySalt$0123456789abcdefghijklmnopqrstuvwxyzABCDE"
ASA_SECRET = "$sha512$5000$c3ludGhldGljY2l0eQ==$c3ludGhldGljY2l0eXN5bnRoZXRpY2NpdHk= pbkdf2"
WELL_KNOWN = (22, 25, 53, 80, 123, 135, 137, 139, 161, 389, 443, 445, 514, 636, 1433, 3306, 3389, 8080, 8443)


@dataclass(frozen=True)
class Expected:
    """A finding a planted violation must produce. Empty strings and None match anything
    (e.g. the example packet's port of a violation that covers every port)."""

    rule: str
    from_zone: str = ""
    to_zone: str = ""
    proto: str | None = None
    dport: int | None = None
    device: str = ""


@dataclass(frozen=True)
class Plant:
    description: str
    expected: tuple[Expected, ...]


PLANTS: dict[str, Plant] = {
    "mynumber-to-lgwan-smb": Plant(
        "mn-fw and lg-fw let SMB from a mynumber LAN into the LGWAN zone",
        (Expected("ZONE-001", "mynumber", "lgwan", "tcp", 445),),
    ),
    "lgwan-to-internet-https": Plant(
        "lg-fw and inet-fw let LGWAN terminals browse the internet zone directly",
        (Expected("ZONE-005", "lgwan", "internet", "tcp", 443),),
    ),
    "external-link-ssh": Plant(
        "mn-fw lets the 連携サーバー open SSH to the 中間サーバー platform (only HTTPS is declared)",
        (Expected("ZONE-002", "mynumber", "peer:chukan", "tcp", 22),),
    ),
    "second-internet-exit": Plant(
        "an internet-zone access switch routes a public prefix to a mobile router of its own",
        (Expected("ZONE-007", "internet", "outside", "tcp", 443),),
    ),
    "channel-wrong-direction": Plant(
        "a file-sanitize channel is declared from the LGWAN zone to the internet zone", (Expected("ZONE-006"),)
    ),
    "telnet-on-access-switch": Plant(
        "an LGWAN access switch accepts telnet on its vty lines", (Expected("MGMT-001", device="lg-as0001"),)
    ),
    "snmp-public-community": Plant(
        "the backbone router has SNMP community 'public' with write access", (Expected("MGMT-010", device="bb-rtr"),)
    ),
    "undefined-acl": Plant(
        "an SVI of a mynumber access switch binds an ACL that is not defined",
        (Expected("ACL-001", device="mn-as0001"),),
    ),
}


@dataclass
class CitySpec:
    """What to generate. `acl_lines`: ACL entries in the whole city (the floor is what
    the fixed lines need); `segments`: host segments (SVIs on access switches), 0 = two
    per access switch."""

    devices: int = 100
    acl_lines: int = 2000
    segments: int = 0
    seed: int = 1
    plant: tuple[str, ...] = ()

    def problems(self) -> list[str]:
        problems = []
        access = self.devices - FIXED_DEVICES
        segments = self.segments or 2 * access
        if self.devices < MIN_DEVICES:
            problems.append(f"devices must be at least {MIN_DEVICES}")
        elif access > MAX_ACCESS_PER_ZONE * len(ZONES):
            problems.append(f"devices must be at most {FIXED_DEVICES + MAX_ACCESS_PER_ZONE * len(ZONES)}")
        elif segments < max(access, 2 * len(ZONES)):
            problems.append(f"segments must be at least the number of access switches ({access}) and 6")
        elif segments > (MAX_SEGMENTS_PER_ZONE - 1) * len(ZONES) or -(-segments // access) > MAX_VLANS_PER_SWITCH:
            problems.append("too many segments")
        if self.acl_lines < 0:
            problems.append("acl_lines must not be negative")
        problems += [
            f"unknown planted violation '{name}' (known: {', '.join(PLANTS)})"
            for name in self.plant
            if name not in PLANTS
        ]
        return problems


@dataclass
class _Config:
    name: str
    zone: str  # whose management network administers it
    lines: list[str] = field(default_factory=list)

    def add(self, *lines: str) -> None:
        self.lines.extend(lines)

    def text(self) -> str:
        return "\n".join(self.lines) + "\nend\n"


@dataclass
class _Access:
    """One access switch: its zone, index in the zone, and the LAN /24 indexes of its SVIs."""

    zone: str
    index: int
    lans: list[int]

    @property
    def name(self) -> str:
        return f"{SHORT[self.zone]}-as{self.index + 1:04d}"


@dataclass
class _Budget:
    """How many noise ACL entries each ACL gets."""

    per_svi: int  # entries of each SVI ACL before its final permit (-1: SVIs carry no ACL)
    firewall: dict[str, int]  # ACL name → noise entries


def lan(zone: str, index: int) -> int:
    """Network address of the index-th /24 of a zone."""
    return ZONE_BASES[zone] + (index << 8)


def uplink(zone: str, index: int) -> int:
    """Network address of the index-th /30 between a zone's core and another device."""
    return ZONE_BASES[zone] + (UPLINK_BLOCK << 8) + index * 4


def mgmt_host(zone: str, host: int) -> str:
    return int_to_ip(lan(zone, MGMT_LAN) + host)


def renkei() -> int:
    """連携サーバー: the mynumber host that talks to the 中間サーバー platform."""
    return lan("mynumber", 1) + 5


def mail_server() -> int:
    return lan("lgwan", 1) + 25


def terminals() -> int:
    return lan("lgwan", 2)


def relay() -> int:
    return lan("internet", 1) + 25


def desktops() -> int:
    return lan("internet", 2)


def generate(spec: CitySpec, out_dir: Path) -> Path:
    """Write device_configs/<name>.cfg, topology.yaml and expected.yaml under out_dir;
    return the topology path. Raises ValueError for an impossible spec."""
    problems = spec.problems()
    if problems:
        raise ValueError("; ".join(problems))
    rng = random.Random(spec.seed)
    access = _plan_access(spec)
    budget = _plan_budget(spec, access)
    templates = _svi_templates(budget.per_svi, rng)
    configs: list[_Config] = []
    for zone in ZONES:
        zone_access = [a for a in access if a.zone == zone]
        configs += [_access_switch(a, budget, spec, templates) for a in zone_access]
        configs.append(_core(zone, zone_access))
    configs.append(_mn_firewall(budget, spec, rng))
    configs.append(_lg_firewall(budget, spec, rng))
    configs.append(_inet_firewall(budget, spec, rng))
    configs.append(_backbone(spec))
    configs.append(_edge())
    config_dir = out_dir / "device_configs"
    config_dir.mkdir(parents=True, exist_ok=True)
    for config in configs:
        (config_dir / f"{config.name}.cfg").write_text(config.text(), encoding="utf-8")
    topology = out_dir / "topology.yaml"
    topology.write_text(_topology_yaml(spec, sorted(c.name for c in configs)), encoding="utf-8")
    (out_dir / "expected.yaml").write_text(expected_yaml(spec.plant), encoding="utf-8")
    return topology


def expected_findings(plant: tuple[str, ...]) -> list[Expected]:
    return [expected for name in plant for expected in PLANTS[name].expected]


def expected_yaml(plant: tuple[str, ...]) -> str:
    """The error findings the planted violations must produce (and nothing else at error)."""
    lines = [
        "# Error findings this synthetic city must produce; nothing else at error severity.",
        "# Empty or null fields match any value.",
        "findings:",
    ]
    for name in plant:
        for expected in PLANTS[name].expected:
            lines.append(
                f"  - {{plant: {name}, rule: {expected.rule}, from_zone: '{expected.from_zone}', "
                f"to_zone: '{expected.to_zone}', proto: {expected.proto or 'null'}, "
                f"dport: {expected.dport if expected.dport is not None else 'null'}, device: '{expected.device}'}}"
            )
    if not plant:
        lines[-1] = "findings: []"
    return "\n".join(lines) + "\n"


# --- plans --------------------------------------------------------------------------------


def _plan_access(spec: CitySpec) -> list[_Access]:
    total = spec.devices - FIXED_DEVICES
    segments = spec.segments or 2 * total
    per_zone = {zone: total // 3 + (1 if i < total % 3 else 0) for i, zone in enumerate(ZONES)}
    switches: list[tuple[str, int]] = [(zone, index) for zone in ZONES for index in range(per_zone[zone])]
    counts = [segments // total + (1 if i < segments % total else 0) for i in range(total)]
    next_lan = dict.fromkeys(ZONES, 1)
    plan = []
    for (zone, index), count in zip(switches, counts, strict=True):
        if index == 0 and count < 2:
            count = 2  # the first switch of a zone carries its two named LANs (servers, terminals)
        plan.append(_Access(zone, index, list(range(next_lan[zone], next_lan[zone] + count))))
        next_lan[zone] += count
    return plan


# Entries every city has whatever the budget: per firewall ACL, the named flows and the
# final deny; the edge filter; one standard ACL line each for vty and SNMP per IOS device.
_FIREWALL_ACLS = ("MN-INSIDE-IN", "MN-OUTSIDE-IN", "LG-OUT", "LG-IN", "INET-INSIDE-IN", "INET-OUTSIDE-IN")
_FIXED_FIREWALL_ENTRIES = {
    "MN-INSIDE-IN": 2,
    "MN-OUTSIDE-IN": 1,
    "MN-JLIS-IN": 1,
    "LG-OUT": 3,
    "LG-IN": 3,
    "INET-INSIDE-IN": 2,
    "INET-OUTSIDE-IN": 2,
}
_EDGE_ENTRIES = 2
_STANDARD_PER_DEVICE = 2


def _plan_budget(spec: CitySpec, access: list[_Access]) -> _Budget:
    svis = sum(len(a.lans) for a in access)
    ios_devices = spec.devices - sum(1 for vendor in FIREWALL_VENDOR.values() if vendor == "asa")
    fixed = sum(_FIXED_FIREWALL_ENTRIES.values()) + _EDGE_ENTRIES + _STANDARD_PER_DEVICE * ios_devices
    noise = max(spec.acl_lines - fixed, 0)
    # Half the entries on the SVIs (each SVI ACL ends with its anti-spoofing permit), the
    # rest on the firewalls; SVIs get no ACL when there is not one entry for each.
    per_svi = (noise // 2) // svis - 1 if noise // 2 >= svis else -1
    used = (per_svi + 1) * svis
    rest = noise - used
    firewall = {
        name: rest // len(_FIREWALL_ACLS) + (1 if i < rest % len(_FIREWALL_ACLS) else 0)
        for i, name in enumerate(_FIREWALL_ACLS)
    }
    return _Budget(per_svi, firewall)


# --- shared config pieces -----------------------------------------------------------------------


def _ios_header(config: _Config) -> None:
    config.add(
        "version 15.2",
        "no service pad",
        "service timestamps debug datetime msec localtime show-timezone",
        "service timestamps log datetime msec localtime show-timezone",
        "service password-encryption",
        "!",
        f"hostname {config.name}",
        "!",
        "logging buffered 64000 informational",
        "no logging console",
        f"enable secret 9 {SECRET}",
        "!",
        "aaa new-model",
        "aaa authentication login default local",
        "aaa authorization exec default local",
        "aaa session-id common",
        "clock timezone JST 9 0",
        "no ip source-route",
        "no ip bootp server",
        "no ip domain lookup",
        "ip domain name synthetic-city.example",
        "ip cef",
        "login block-for 120 attempts 3 within 60",
        "login on-failure log",
        f"username netadmin privilege 15 secret 9 {SECRET}",
        "no cdp run",
        "!",
    )


def _ios_footer(config: _Config, transport: str = "ssh") -> None:
    zone = config.zone
    config.add(
        "no ip http server",
        "no ip http secure-server",
        "ip ssh version 2",
        "ip ssh time-out 60",
        "ip ssh authentication-retries 3",
        "!",
        "ip access-list standard VTY-ACCESS",
        f" permit {mgmt_host(zone, 0)} 0.0.0.255",
        "ip access-list standard SNMP-MGR",
        f" permit {mgmt_host(zone, 10)}",
        "!",
        "logging trap informational",
        f"logging host {mgmt_host(zone, 10)}",
        "snmp-server group NMS v3 priv read NMS-RO access SNMP-MGR",
        "snmp-server view NMS-RO iso included",
        f"snmp-server host {mgmt_host(zone, 10)} version 3 priv nms-v3user",
        "!",
        "banner motd ^C",
        "Authorized personnel only. All sessions are logged.",
        "^C",
        "!",
        "line con 0",
        " exec-timeout 10 0",
        " logging synchronous",
        "line aux 0",
        " no exec",
        " transport input none",
        "line vty 0 4",
        " access-class VTY-ACCESS in",
        " exec-timeout 10 0",
        f" transport input {transport}",
        " transport output none",
        "line vty 5 15",
        " access-class VTY-ACCESS in",
        " exec-timeout 10 0",
        f" transport input {transport}",
        " transport output none",
        "!",
        f"ntp server {mgmt_host(zone, 11)} prefer",
        f"ntp server {mgmt_host(zone, 12)}",
    )


def _routed_port(config: _Config, name: str, description: str, address: int, *extra: str, switch: bool = False) -> None:
    config.add(f"interface {name}", f" description {description}")
    if switch:
        config.add(" no switchport")
    config.add(f" ip address {int_to_ip(address)} 255.255.255.252", " no ip redirects", " no ip proxy-arp", *extra, "!")


def _unique(rng: random.Random, count: int, population: int) -> list[int]:
    """`count` distinct numbers below `population` (all of them, shuffled, when fewer)."""
    if count >= population:
        values = list(range(population))
        rng.shuffle(values)
        return values
    return rng.sample(range(population), count)


def _server_host(zone: str, number: int) -> int:
    """The number-th host of a zone's server /24s: never a device address, never a named host."""
    return lan(zone, SERVER_LANS + number // 240) + 10 + number % 240


# --- access layer -----------------------------------------------------------------------------------


def _access_switch(access: _Access, budget: _Budget, spec: CitySpec, templates: dict[str, list[list[str]]]) -> _Config:
    zone = access.zone
    config = _Config(access.name, zone)
    _ios_header(config)
    for position, lan_index in enumerate(access.lans):
        config.add(f"vlan {10 + position}", f" name {SHORT[zone].upper()}-LAN{lan_index}", "!")
    vlans = len(access.lans)
    for port in range(1, ACCESS_PORTS + 1):
        config.add(f"interface GigabitEthernet1/0/{port}")
        if port > ACCESS_PORTS - SPARE_PORTS:
            config.add(" description 未使用", " switchport mode access", " shutdown", "!")
            continue
        config.add(
            f" description {ZONE_LABELS[zone]} 端末",
            f" switchport access vlan {10 + (port - 1) % vlans}",
            " switchport mode access",
            " authentication port-control auto",
            " dot1x pae authenticator",
            " spanning-tree portfast",
            "!",
        )
    link = uplink(zone, access.index)
    _routed_port(config, f"GigabitEthernet1/0/{ACCESS_PORTS + 1}", f"uplink {SHORT[zone]}-core", link + 2, switch=True)
    plant_undefined = "undefined-acl" in spec.plant and access.name == "mn-as0001"
    for position, lan_index in enumerate(access.lans):
        network = lan(zone, lan_index)
        config.add(
            f"interface Vlan{10 + position}",
            f" description {ZONE_LABELS[zone]} LAN {lan_index}",
            f" ip address {int_to_ip(network + 1)} 255.255.255.0",
        )
        if plant_undefined and position == 0:
            config.add(" ip access-group VLAN-UNDEFINED-IN in")
        elif budget.per_svi >= 0:
            config.add(f" ip access-group VLAN{10 + position}-IN in")
        config.add(" no ip redirects", " no ip proxy-arp", "!")
    if "second-internet-exit" in spec.plant and access.name == "inet-as0001":
        _routed_port(
            config, f"GigabitEthernet1/0/{ACCESS_PORTS + 2}", "モバイルルーター (保守用)", ROGUE_LINK + 1, switch=True
        )
        config.add(f"ip route {int_to_ip(ROGUE_PREFIX)} 255.255.255.128 {int_to_ip(ROGUE_LINK + 2)}")
    config.add(f"ip route 0.0.0.0 0.0.0.0 {int_to_ip(link + 1)}", "!")
    if budget.per_svi >= 0:
        for position, lan_index in enumerate(access.lans):
            config.add(
                f"ip access-list extended VLAN{10 + position}-IN",
                *templates[zone][(access.index + position) % SVI_TEMPLATES],
                f" permit ip {int_to_ip(lan(zone, lan_index))} 0.0.0.255 any",
            )
    telnet = "telnet-on-access-switch" in spec.plant and access.name == "lg-as0001"
    _ios_footer(config, "ssh telnet" if telnet else "ssh")
    return config


def _svi_templates(count: int, rng: random.Random) -> dict[str, list[list[str]]]:
    """Per zone, the standard user-VLAN ACLs (as access layers use a few templates, not
    one ACL per VLAN): denies of hosts' access to servers, one distinct (server, port)
    each so that none shadows another. Each SVI's ACL is a template plus its own
    anti-spoofing permit."""
    templates: dict[str, list[list[str]]] = {}
    for zone in ZONES:
        templates[zone] = []
        for _ in range(SVI_TEMPLATES):
            lines = []
            for number in _unique(rng, max(count, 0), SERVER_HOSTS * len(WELL_KNOWN)):
                host, port = divmod(number, len(WELL_KNOWN))
                lines.append(f" deny tcp any host {int_to_ip(_server_host(zone, host))} eq {WELL_KNOWN[port]}")
            templates[zone].append(lines)
    return templates


def _core(zone: str, access: list[_Access]) -> _Config:
    config = _Config(f"{SHORT[zone]}-core", zone)
    _ios_header(config)
    config.add(
        "interface Vlan99",
        " description 運用管理セグメント",
        f" ip address {mgmt_host(zone, 1)} 255.255.255.0",
        " no ip redirects",
        " no ip proxy-arp",
        "!",
    )
    for switch in access:
        slot, port = divmod(switch.index, 48)
        link = uplink(zone, switch.index)
        _routed_port(
            config, f"TenGigabitEthernet{slot + 1}/1/{port + 1}", f"{switch.name} uplink", link + 1, switch=True
        )
    firewall_link = uplink(zone, FIREWALL_LINK_INDEX)
    # Slot 0 holds the fixed links: access uplinks take slots 1 and up, 48 ports each.
    _routed_port(config, "TenGigabitEthernet0/1/1", f"{SHORT[zone]}-fw inside", firewall_link + 1, switch=True)
    if zone == "internet":
        edge_link = uplink(zone, EDGE_LINK_INDEX)
        _routed_port(config, "TenGigabitEthernet0/1/2", "edge-rtr inside", edge_link + 1, switch=True)
    for switch in access:
        link = uplink(zone, switch.index)
        for lan_index in switch.lans:
            config.add(f"ip route {int_to_ip(lan(zone, lan_index))} 255.255.255.0 {int_to_ip(link + 2)}")
    if zone == "internet":
        config.add(
            f"ip route 0.0.0.0 0.0.0.0 {int_to_ip(uplink(zone, EDGE_LINK_INDEX) + 2)}",
            f"ip route 10.0.0.0 255.0.0.0 {int_to_ip(firewall_link + 2)}",
        )
    else:
        config.add(f"ip route 0.0.0.0 0.0.0.0 {int_to_ip(firewall_link + 2)}")
    config.add("!")
    _ios_footer(config)
    return config


# --- firewalls -------------------------------------------------------------------------------------


def _transit(zone: str) -> int:
    return TRANSIT + 4 * ZONES.index(zone)


def _asa_header(config: _Config) -> None:
    config.add(
        "ASA Version 9.12(4)",
        "!",
        f"hostname {config.name}",
        "domain-name synthetic-city.example",
        f"enable password {ASA_SECRET}",
        f"username netadmin password {ASA_SECRET} privilege 15",
        "names",
        "no mac-address auto",
        "!",
    )


def _asa_footer(config: _Config) -> None:
    zone = config.zone
    mgmt_net = mgmt_host(zone, 0)
    config.add(
        "!",
        "logging enable",
        "logging timestamp",
        "logging trap informational",
        f"logging host inside {mgmt_host(zone, 10)}",
        "no http server enable",
        "aaa authentication ssh console LOCAL",
        "aaa local authentication attempts max-fail 3",
        f"ssh {mgmt_net} 255.255.255.0 inside",
        "ssh timeout 10",
        "ssh version 2",
        "console timeout 10",
        f"ntp server {mgmt_host(zone, 11)} prefer",
        f"ntp server {mgmt_host(zone, 12)}",
        f"snmp-server host inside {mgmt_host(zone, 10)} version 3 nms-v3user",
        "snmp-server group NMS v3 priv",
        "snmp-server user nms-v3user NMS v3 auth sha SyntheticAuth1 priv aes 256 SyntheticPriv1",
        "banner motd Authorized personnel only. All sessions are logged.",
    )


def _asa_interface(
    config: _Config, name: str, nameif: str, level: int, address: int, mask: str, description: str
) -> None:
    config.add(
        f"interface {name}",
        f" description {description}",
        f" nameif {nameif}",
        f" security-level {level}",
        f" ip address {int_to_ip(address)} {mask}",
        "!",
    )


def _mn_firewall(budget: _Budget, spec: CitySpec, rng: random.Random) -> _Config:
    """ASA: inside (mn-core), outside (backbone), jlis (the external line)."""
    zone = "mynumber"
    config = _Config("mn-fw", zone)
    _asa_header(config)
    inside = uplink(zone, FIREWALL_LINK_INDEX)
    _asa_interface(config, "GigabitEthernet0/0", "inside", 100, inside + 2, "255.255.255.252", "mn-core")
    _asa_interface(
        config,
        "GigabitEthernet0/1",
        "outside",
        0,
        _transit(zone) + 2,
        "255.255.255.252",
        "基幹 bb-rtr (他の領域との通信は全遮断)",
    )
    _asa_interface(
        config,
        "GigabitEthernet0/2",
        "jlis",
        50,
        JLIS_LINK + 1,
        "255.255.255.252",
        "中間サーバー・プラットフォーム 専用回線終端装置",
    )
    _asa_interface_mgmt(config)
    groups_in, noise_in = _noise(_ASA_NOISE, zone, "MN-INSIDE-IN", budget.firewall["MN-INSIDE-IN"], rng, leaving=True)
    groups_out, noise_out = _noise(
        _ASA_NOISE, zone, "MN-OUTSIDE-IN", budget.firewall["MN-OUTSIDE-IN"], rng, leaving=False
    )
    config.add(*groups_in, *groups_out)
    allowed = [
        f"access-list MN-INSIDE-IN extended permit tcp host {int_to_ip(renkei())} host {int_to_ip(CHUKAN)} eq https"
    ]
    if "external-link-ssh" in spec.plant:
        allowed.append(
            f"access-list MN-INSIDE-IN extended permit tcp host {int_to_ip(renkei())} host {int_to_ip(CHUKAN)} eq ssh"
        )
    if "mynumber-to-lgwan-smb" in spec.plant:
        allowed.append(
            f"access-list MN-INSIDE-IN extended permit tcp {int_to_ip(lan(zone, 1))} 255.255.255.0 "
            f"{int_to_ip(ZONE_BASES['lgwan'])} 255.192.0.0 eq 445"
        )
    config.add(
        *allowed,
        *noise_in,
        "access-list MN-INSIDE-IN extended deny ip any any log",
        *noise_out,
        "access-list MN-OUTSIDE-IN extended deny ip any any log",
        "access-list MN-JLIS-IN extended deny ip any any log",
        "access-group MN-INSIDE-IN in interface inside",
        "access-group MN-OUTSIDE-IN in interface outside",
        "access-group MN-JLIS-IN in interface jlis",
        f"route outside 0.0.0.0 0.0.0.0 {int_to_ip(_transit(zone) + 1)} 1",
        f"route inside {int_to_ip(ZONE_BASES[zone])} 255.192.0.0 {int_to_ip(inside + 1)} 1",
        f"route jlis {int_to_ip(CHUKAN)} 255.255.255.255 {int_to_ip(JLIS_LINK + 2)} 1",
        f"arp jlis {int_to_ip(JLIS_LINK + 2)} {TERMINATOR_MAC}",
    )
    _asa_footer(config)
    return config


def _asa_interface_mgmt(config: _Config) -> None:
    config.add(
        "interface Management0/0",
        " description 未使用",
        " shutdown",
        " no nameif",
        " no security-level",
        " no ip address",
        "!",
    )


def _inet_firewall(budget: _Budget, spec: CitySpec, rng: random.Random) -> _Config:
    """ASA: inside (inet-core), outside (backbone)."""
    zone = "internet"
    config = _Config("inet-fw", zone)
    _asa_header(config)
    inside = uplink(zone, FIREWALL_LINK_INDEX)
    _asa_interface(config, "GigabitEthernet0/0", "inside", 100, inside + 2, "255.255.255.252", "inet-core")
    _asa_interface(config, "GigabitEthernet0/1", "outside", 0, _transit(zone) + 2, "255.255.255.252", "基幹 bb-rtr")
    _asa_interface_mgmt(config)
    groups_in, noise_in = _noise(
        _ASA_NOISE, zone, "INET-INSIDE-IN", budget.firewall["INET-INSIDE-IN"], rng, leaving=True
    )
    groups_out, noise_out = _noise(
        _ASA_NOISE, zone, "INET-OUTSIDE-IN", budget.firewall["INET-OUTSIDE-IN"], rng, leaving=False
    )
    config.add(*groups_in, *groups_out)
    into = [
        f"access-list INET-OUTSIDE-IN extended permit tcp {int_to_ip(terminals())} 255.255.255.0 "
        f"{int_to_ip(desktops())} 255.255.255.0 eq 3389"
    ]
    if "lgwan-to-internet-https" in spec.plant:
        into.insert(
            0,
            f"access-list INET-OUTSIDE-IN extended permit tcp {int_to_ip(terminals())} 255.255.255.0 "
            f"{int_to_ip(ZONE_BASES[zone])} 255.192.0.0 eq https",
        )
    config.add(
        f"access-list INET-INSIDE-IN extended permit tcp host {int_to_ip(relay())} "
        f"host {int_to_ip(mail_server())} eq smtp",
        *noise_in,
        "access-list INET-INSIDE-IN extended deny ip any any log",
        *into,
        *noise_out,
        "access-list INET-OUTSIDE-IN extended deny ip any any log",
        "access-group INET-INSIDE-IN in interface inside",
        "access-group INET-OUTSIDE-IN in interface outside",
        f"route outside 10.0.0.0 255.0.0.0 {int_to_ip(_transit(zone) + 1)} 1",
        f"route inside {int_to_ip(ZONE_BASES[zone])} 255.192.0.0 {int_to_ip(inside + 1)} 1",
        f"route inside 0.0.0.0 0.0.0.0 {int_to_ip(inside + 1)} 1",
    )
    _asa_footer(config)
    return config


@dataclass(frozen=True)
class _NoiseSyntax:
    """How one vendor writes the same noise plan."""

    member: str  # a host of a network object-group; {address} is filled in
    entry: str  # what starts an ACL entry; {acl} is filled in
    service_groups: bool  # TCP services as object-groups (ASA) or as port ranges (IOS)


_ASA_NOISE = _NoiseSyntax(" network-object host {address}", "access-list {acl} extended ", service_groups=True)
_IOS_NOISE = _NoiseSyntax(" host {address}", " ", service_groups=False)


def _noise(
    syntax: _NoiseSyntax, zone: str, acl: str, count: int, rng: random.Random, leaving: bool
) -> tuple[list[str], list[str]]:
    """(object-group definitions, ACL entries) in the vendor's syntax; see `_noise_plan`."""
    plan = _noise_plan(count, rng)
    groups: list[str] = []
    for number, hosts in enumerate(plan.server_groups):
        groups.append(f"object-group network {acl}-G{number + 1}")
        groups += [syntax.member.format(address=int_to_ip(_server_host(zone, h))) for h in hosts]
    for number, hosts in enumerate(plan.partner_groups if not leaving else []):
        groups.append(f"object-group network {acl}-P{number + 1}")
        groups += [syntax.member.format(address=int_to_ip(_partner_host(h))) for h in hosts]
    for number in range(plan.services if syntax.service_groups else 0):
        low = 10000 + 20 * number
        groups += [
            f"object-group service {acl}-S{number + 1} tcp",
            f" port-object range {low} {low + 9}",
            f" port-object eq {WELL_KNOWN[number % len(WELL_KNOWN)]}",
        ]
    start = syntax.entry.format(acl=acl)
    lines = []
    for entry in plan.entries:
        servers = f"object-group {acl}-G{entry.group + 1}"
        if entry.service < plan.services:
            low = 10000 + 20 * entry.service
            ports = f"object-group {acl}-S{entry.service + 1}" if syntax.service_groups else f"range {low} {low + 9}"
            proto = "tcp"
        else:
            proto, ports = "udp", f"eq {WELL_KNOWN[entry.service - plan.services]}"
        if entry.kind == "bogon":
            lines.append(f"{start}deny ip host {int_to_ip(_bogon(entry.group))} any")
        elif entry.kind == "deny":
            lines.append(f"{start}deny {proto} any {servers} {ports}")
        elif leaving:
            lines.append(f"{start}permit {proto} any {servers} {ports}")
        else:
            partners = f"object-group {acl}-P{entry.group % len(plan.partner_groups) + 1}"
            lines.append(f"{start}permit {proto} {partners} {servers} {ports}")
    return groups, lines


@dataclass(frozen=True)
class _NoiseEntry:
    kind: str  # deny | permit | bogon
    group: int
    service: int


@dataclass
class _NoisePlan:
    """Entries of a firewall ACL with `count` noise entries: server groups of four hosts of
    the zone, partner groups (hosts no zone owns), `services` TCP service groups (a port
    range of their own and a well-known port) plus every well-known UDP port, and one
    entry per distinct (server group, service) pair, so that no entry shadows another."""

    server_groups: list[list[int]]
    partner_groups: list[list[int]]
    services: int
    entries: list[_NoiseEntry]


def _noise_plan(count: int, rng: random.Random) -> _NoisePlan:
    if count <= 0:
        return _NoisePlan([], [], 0, [])
    group_count = -(-count // 20)
    services = max(1, min(count // 20, 50))
    hosts = _unique(rng, group_count * 4, SERVER_HOSTS)
    server_groups = [hosts[number * 4 : number * 4 + 4] for number in range(group_count)]
    partner_count = max(1, group_count // 10)
    partners = _unique(rng, partner_count * 4, PARTNER_HOSTS)
    partner_groups = [partners[number * 4 : number * 4 + 4] for number in range(partner_count)]
    # A short block of bogon sources first (as such ACLs start), then the servers' entries.
    bogons = min(count // 100, 16)
    entries = [_NoiseEntry("bogon", number, 0) for number in range(bogons)]
    per_group = services + len(WELL_KNOWN)
    for pair in _unique(rng, count - bogons, group_count * per_group):
        group, service = divmod(pair, per_group)
        entries.append(_NoiseEntry("deny" if rng.randrange(3) == 0 else "permit", group, service))
    return _NoisePlan(server_groups, partner_groups, services, entries)


def _partner_host(number: int) -> int:
    """A host of the LGWAN-ASP / partner networks (172.16.0.0/12): no zone owns it."""
    return PARTNER_BASE + number


def _bogon(number: int) -> int:
    """An address from 100.64.0.0/10 (shared address space) to drop as a source."""
    return BOGON_BASE + number


def _lg_firewall(budget: _Budget, spec: CitySpec, rng: random.Random) -> _Config:
    """IOS router with object-groups: inside (lg-core), backbone."""
    zone = "lgwan"
    config = _Config("lg-fw", zone)
    _ios_header(config)
    inside = uplink(zone, FIREWALL_LINK_INDEX)
    outside = _transit(zone)
    groups_out, noise_out = _noise(_IOS_NOISE, zone, "LG-OUT", budget.firewall["LG-OUT"], rng, leaving=True)
    groups_in, noise_in = _noise(_IOS_NOISE, zone, "LG-IN", budget.firewall["LG-IN"], rng, leaving=False)
    config.add(*groups_out, *groups_in)
    _routed_port(config, "GigabitEthernet0/0", "lg-core", inside + 2, " ip access-group LG-OUT in")
    _routed_port(config, "GigabitEthernet0/1", "基幹 bb-rtr", outside + 2, " ip access-group LG-IN in")
    config.add(
        "interface GigabitEthernet0/2",
        " description 未使用",
        " no ip address",
        " shutdown",
        "!",
        f"ip route {int_to_ip(ZONE_BASES[zone])} 255.192.0.0 {int_to_ip(inside + 1)}",
        f"ip route 0.0.0.0 0.0.0.0 {int_to_ip(outside + 1)}",
        "!",
    )
    mail, relay_host = int_to_ip(mail_server()), int_to_ip(relay())
    out = [
        f" permit tcp {int_to_ip(terminals())} 0.0.0.255 {int_to_ip(desktops())} 0.0.0.255 eq 3389",
        f" permit tcp host {mail} eq smtp host {relay_host} established",
    ]
    into = [
        f" permit tcp host {relay_host} host {mail} eq smtp",
        f" permit tcp {int_to_ip(desktops())} 0.0.0.255 eq 3389 {int_to_ip(terminals())} 0.0.0.255 established",
    ]
    if "lgwan-to-internet-https" in spec.plant:
        out.insert(0, f" permit tcp {int_to_ip(terminals())} 0.0.0.255 any eq 443")
    if "mynumber-to-lgwan-smb" in spec.plant:
        into.insert(0, f" permit tcp {int_to_ip(lan('mynumber', 1))} 0.0.0.255 any eq 445")
    config.add(
        "ip access-list extended LG-OUT",
        *out,
        *noise_out,
        " deny ip any any log",
        "ip access-list extended LG-IN",
        *into,
        *noise_in,
        " deny ip any any log",
        "!",
    )
    _ios_footer(config)
    return config


# --- backbone and edge -----------------------------------------------------------------------------


def _backbone(spec: CitySpec) -> _Config:
    config = _Config("bb-rtr", "lgwan")
    _ios_header(config)
    for index, zone in enumerate(ZONES):
        link = _transit(zone)
        _routed_port(config, f"GigabitEthernet0/{index}", f"{SHORT[zone]}-fw outside", link + 1)
        config.add(f"ip route {int_to_ip(ZONE_BASES[zone])} 255.192.0.0 {int_to_ip(link + 2)}")
    config.add(f"ip route 0.0.0.0 0.0.0.0 {int_to_ip(_transit('internet') + 2)}", "!")
    if "snmp-public-community" in spec.plant:
        config.add("snmp-server community public RW")
    _ios_footer(config)
    return config


def _edge() -> _Config:
    config = _Config("edge-rtr", "internet")
    _ios_header(config)
    link = uplink("internet", EDGE_LINK_INDEX)
    _routed_port(
        config, "GigabitEthernet0/0", "自治体情報セキュリティクラウド", UPSTREAM + 2, " ip access-group FROM-CLOUD in"
    )
    _routed_port(config, "GigabitEthernet0/1", "inet-core", link + 2)
    config.add(
        f"ip route 0.0.0.0 0.0.0.0 {int_to_ip(UPSTREAM + 1)}",
        f"ip route 10.0.0.0 255.0.0.0 {int_to_ip(link + 1)}",
        "ip access-list extended FROM-CLOUD",
        f" permit tcp any {int_to_ip(ZONE_BASES['internet'])} 0.63.255.255 established",
        " deny ip any any log",
        "!",
    )
    _ios_footer(config)
    return config


# --- topology ------------------------------------------------------------------------------------


def _topology_yaml(spec: CitySpec, names: list[str]) -> str:
    firewalls = {"mn-fw", "lg-fw", "inet-fw"}
    lines = [
        "version: 1",
        f"name: synthetic city (devices={spec.devices}, acl_lines={spec.acl_lines}, "
        f"segments={spec.segments or 'default'}, seed={spec.seed})",
        "policy: nankoku-2019",
        "configs: device_configs",
        "devices:",
        *[f"  {name}: {{config: {name}.cfg{', role: firewall' if name in firewalls else ''}}}" for name in names],
        "zones:",
    ]
    for zone, base in ZONE_BASES.items():
        lines += [
            f"  {zone}:",
            f"    kind: {zone}",
            f"    label: {ZONE_LABELS[zone]}",
            f"    prefixes: [{int_to_ip(base)}/10]",
        ]
        if zone == "internet":
            lines.append("    upstream: [edge-rtr:GigabitEthernet0/0]")
    mac = TERMINATOR_MAC.replace(".", "")
    lines += [
        "external_peers:",
        "  chukan:",
        "    label: 中間サーバー・プラットフォーム",
        f"    addresses: [{int_to_ip(CHUKAN)}/32]",
        "    attach: mn-fw:GigabitEthernet0/2",
        f'    mac: ["{":".join(mac[i : i + 2] for i in range(0, 12, 2))}"]',
        "    internet_connected: false",
        "    allow:",
        f"      - {{src: [{int_to_ip(renkei())}/32], dst: [{int_to_ip(CHUKAN)}/32], proto: tcp, dport: [443]}}",
        "channels:",
        f"  - {{id: mail-text, kind: mail-text, src: [{int_to_ip(relay())}/32], dst: [{int_to_ip(mail_server())}/32],"
        " proto: tcp, dport: [25]}",
        f"  - {{id: screen, kind: screen-transfer, src: [{int_to_ip(terminals())}/24], "
        f"dst: [{int_to_ip(desktops())}/24], proto: tcp, dport: [3389]}}",
    ]
    if "channel-wrong-direction" in spec.plant:
        lines.append(
            f"  - {{id: file-upload, kind: file-sanitize, src: [{int_to_ip(mail_server())}/32], "
            f"dst: [{int_to_ip(relay())}/32], proto: tcp, dport: [8443]}}"
        )
    return "\n".join(lines) + "\n"
