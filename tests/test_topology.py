"""Topology loader: the schema example loads with the right values, and every kind of
mistake yields exactly the expected `file:line: message` problems (never a traceback)."""

from __future__ import annotations

import builtins
import os
from collections.abc import Callable
from pathlib import Path

import pytest

from nankoku_netcheck import inputs
from nankoku_netcheck.errors import InputError, InputProblem
from nankoku_netcheck.model import (
    PROTO_TCP,
    PROTO_UDP,
    Device,
    Interface,
    PortRange,
    Source,
    ZoneKind,
    ip_to_int,
)
from nankoku_netcheck.topology import (
    DEFAULT_POLICY,
    check_references,
    load_topology,
    read_device_configs,
    resolve_interface,
    zone_of_address,
)
from nankoku_netcheck.vendors import SUPPORTED

TOPOLOGY_FILE = "topology.yaml"
DEVICE_NAMES = ("mn-core", "lg-fw", "edge-rtr", "mn-fw", "jlis-sw")

# The example of topology-schema.md, with its configs folder next to the file and the two
# devices it references in links/attach (mn-fw, jlis-sw) declared.
EXAMPLE = """\
version: 1
name: 南国市 庁内ネットワーク
policy: nankoku-2019
configs: configs

devices:
  mn-core:   {config: mn-core.cfg}
  lg-fw:     {config: lg-fw.cfg, vendor: cisco_asa, role: firewall}
  edge-rtr:  {config: edge-rtr.cfg}
  mn-fw:     {config: mn-fw.cfg, vendor: cisco_asa}
  jlis-sw:   {config: jlis-sw.cfg}

links:
  - [mn-fw:outside, jlis-sw:Vlan50]
zones:
  mynumber:
    kind: mynumber
    label: マイナンバー利用事務系
    prefixes: [10.1.0.0/16]
  lgwan:
    kind: lgwan
    label: LGWAN接続系
    prefixes: [10.2.0.0/16]
  internet:
    kind: internet
    label: インターネット接続系
    prefixes: [10.3.0.0/16]
    upstream: [edge-rtr:GigabitEthernet0/0]

external_peers:
  chukan:
    label: 中間サーバー・プラットフォーム
    addresses: [192.0.2.10/32]
    attach: mn-fw:jlis
    mac: [00:11:22:33:44:55]
    internet_connected: false
    allow:
      - {src: [10.1.20.5/32], dst: [192.0.2.10/32], proto: tcp, dport: [443]}

channels:
  - id: mail-text
    kind: mail-text
    src: [10.3.20.25/32]
    dst: [10.2.20.25/32]
    proto: tcp
    dport: [25]
  - id: screen
    kind: screen-transfer
    src: [10.2.10.0/24]
    dst: [10.3.30.0/24]
    proto: tcp
    dport: [3389]

exceptions:
  - rule: ZONE-005
    flow: {src: [10.2.20.30/32], dst: [10.3.20.40/32], proto: udp, dport: [123]}
    reason: 時刻同期 (NTP) の暫定経路
    approved_by: CISO
    ref: 2026-情セ-012
    expires: 2027-03-31
"""


# --- helpers ---------------------------------------------------------------------------


def line_of(text: str, marker: str, occurrence: int = 1) -> int:
    """1-based line of the `occurrence`-th line containing `marker`."""
    hits = [number for number, line in enumerate(text.splitlines(), start=1) if marker in line]
    assert len(hits) >= occurrence, f"{marker!r} occurs {len(hits)} times"
    return hits[occurrence - 1]


def edit(text: str, old: str, new: str) -> str:
    assert text.count(old) == 1, f"{old!r} must occur exactly once"
    return text.replace(old, new)


@pytest.fixture
def network(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Callable[[str], str]:
    """Writes a topology plus one small config per device into tmp_path (the cwd), returns
    a function that writes the given topology text and returns its path as given."""
    monkeypatch.chdir(tmp_path)
    configs = tmp_path / "configs"
    configs.mkdir()
    for name in DEVICE_NAMES:
        (configs / f"{name}.cfg").write_text(f"hostname {name}\n", encoding="utf-8")

    def write(text: str) -> str:
        (tmp_path / TOPOLOGY_FILE).write_text(text, encoding="utf-8")
        return TOPOLOGY_FILE

    return write


def problems(path: str) -> list[InputProblem]:
    with pytest.raises(InputError) as raised:
        load_topology(path)
    return raised.value.problems


def single_problem(path: str) -> InputProblem:
    found = problems(path)
    assert len(found) == 1, "\n".join(str(problem) for problem in found)
    return found[0]


def prefix(text: str) -> tuple[int, int]:
    address, length = text.split("/")
    return ip_to_int(address), int(length)


def interface(name: str, *properties: tuple[str, str]) -> Interface:
    return Interface(name=name, source=Source("x.cfg", 1, f"interface {name}"), properties=properties)


def device(name: str, *interfaces: Interface) -> Device:
    """A firewall (ASA) when an interface has a nameif, else a router (IOS)."""
    firewall = any(key == "nameif" for item in interfaces for key, _ in item.properties)
    return Device(
        name=name,
        vendor="cisco_asa" if firewall else "cisco_ios",
        source_file=f"configs/{name}.cfg",
        interfaces={item.name: item for item in interfaces},
    )


# --- the valid example -----------------------------------------------------------------


def test_schema_example_loads_with_its_values(network: Callable[[str], str], tmp_path: Path) -> None:
    topology = load_topology(network(EXAMPLE))

    assert topology.path == TOPOLOGY_FILE
    assert topology.version == 1
    assert topology.name == "南国市 庁内ネットワーク"
    assert topology.policy == "nankoku-2019"
    assert topology.configs_dir == os.path.realpath(tmp_path / "configs")
    assert topology.zone_policy == ()

    assert [entry.name for entry in topology.devices] == list(DEVICE_NAMES)
    lg_fw = topology.devices[1]
    assert (lg_fw.vendor, lg_fw.role) == ("cisco_asa", "firewall")
    assert (topology.devices[0].vendor, topology.devices[0].role) == (None, None)
    assert lg_fw.config_display == os.path.join("configs", "lg-fw.cfg")
    assert lg_fw.config_path == os.path.realpath(tmp_path / "configs" / "lg-fw.cfg")
    assert lg_fw.at.line == line_of(EXAMPLE, "lg-fw:")

    (link,) = topology.links
    assert (link.a.device, link.a.interface) == ("mn-fw", "outside")
    assert (link.b.device, link.b.interface) == ("jlis-sw", "Vlan50")
    assert link.at.line == link.a.at.line == line_of(EXAMPLE, "[mn-fw:outside")

    assert [zone.id for zone in topology.zones] == ["mynumber", "lgwan", "internet"]
    internet = topology.zone("internet")
    assert internet.kind is ZoneKind.INTERNET
    assert internet.label == "インターネット接続系"
    assert internet.prefixes == (prefix("10.3.0.0/16"),)
    assert internet.availability == 1
    assert [str(ref) for ref in internet.upstream] == ["edge-rtr:GigabitEthernet0/0"]
    assert internet.upstream[0].at.line == line_of(EXAMPLE, "upstream:")
    assert topology.zone("mynumber").at.line == line_of(EXAMPLE, "  mynumber:")

    (peer,) = topology.external_peers
    assert peer.id == "chukan"
    assert peer.addresses == (prefix("192.0.2.10/32"),)
    assert str(peer.attach) == "mn-fw:jlis"
    assert peer.mac == ("00:11:22:33:44:55",)
    assert peer.internet_connected is False
    (allowed,) = peer.allow
    assert allowed.src == (prefix("10.1.20.5/32"),)
    assert allowed.dst == (prefix("192.0.2.10/32"),)
    assert allowed.proto == PROTO_TCP
    assert allowed.dport == (PortRange(443, 443),)
    assert allowed.sport is None

    assert [(channel.id, channel.kind) for channel in topology.channels] == [
        ("mail-text", "mail-text"),
        ("screen", "screen-transfer"),
    ]
    screen = topology.channels[1]
    assert screen.flow.src == (prefix("10.2.10.0/24"),)
    assert screen.flow.dport == (PortRange(3389, 3389),)
    assert screen.at.line == line_of(EXAMPLE, "- id: screen")

    (exception,) = topology.exceptions
    assert exception.rule == "ZONE-005"
    assert exception.flow.proto == PROTO_UDP
    assert exception.flow.dport == (PortRange(123, 123),)
    assert exception.ref == "2026-情セ-012"
    assert exception.approved_by == "CISO"
    assert exception.expires == "2027-03-31"
    assert exception.at.line == line_of(EXAMPLE, "rule: ZONE-005")


def test_defaults_name_policy_and_configs_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "r1.cfg").write_text("hostname r1\n", encoding="utf-8")
    (tmp_path / "kochi.yaml").write_text(
        "version: 1\ndevices:\n  r1: {config: r1.cfg}\n"
        "zones:\n  lgwan: {kind: lgwan, label: L, prefixes: [10.2.0.0/16]}\n",
        encoding="utf-8",
    )
    topology = load_topology("kochi.yaml")
    assert topology.name == "kochi"
    assert topology.policy == DEFAULT_POLICY
    assert topology.configs_dir == os.path.realpath(tmp_path)
    assert topology.devices[0].config_display == "r1.cfg"
    assert (topology.links, topology.external_peers, topology.channels, topology.exceptions) == (
        (),
        (),
        (),
        (),
    )


def test_config_display_is_absolute_outside_the_cwd(
    network: Callable[[str], str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = network(EXAMPLE)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    topology = load_topology(str(tmp_path / path))
    assert topology.devices[0].config_display == os.path.realpath(tmp_path / "configs" / "mn-core.cfg")


@pytest.mark.parametrize("policy", ["nankoku-2019", "mic-beta", "mic-beta-prime", "mic-alpha-prime"])
def test_every_known_policy_is_accepted(network: Callable[[str], str], policy: str) -> None:
    assert load_topology(network(edit(EXAMPLE, "policy: nankoku-2019", f"policy: {policy}"))).policy == policy


def test_optional_later_fields_are_loaded(network: Callable[[str], str]) -> None:
    text = edit(EXAMPLE, "    prefixes: [10.2.0.0/16]\n", "    prefixes: [10.2.0.0/16]\n    availability: 2\n")
    text += "zone_policy:\n  - {from: lgwan, to: core, allow: channels}\n  - {from: core, to: lgwan, allow: any}\n"
    text = edit(
        text,
        "zones:\n",
        "zones:\n  core:\n    kind: other\n    label: 内部情報系\n    prefixes: [10.4.0.0/16]\n",
    )
    topology = load_topology(network(text))
    assert topology.zone("lgwan").availability == 2
    assert topology.zone("core").kind is ZoneKind.OTHER
    assert [(policy.from_zone, policy.to_zone, policy.allow) for policy in topology.zone_policy] == [
        ("lgwan", "core", "channels"),
        ("core", "lgwan", "any"),
    ]
    assert topology.zone_policy[0].at.line == line_of(text, "from: lgwan")


def test_values_yaml_would_convert_are_read_as_written(network: Callable[[str], str]) -> None:
    # 10:20:30:40:50:59 is a base-60 integer in YAML 1.1; a quoted expiry date is a string.
    text = edit(EXAMPLE, "mac: [00:11:22:33:44:55]", "mac: [10:20:30:40:50:59, 0011.22AA.BBcc, AA:BB:CC:DD:EE:FF]")
    text = edit(text, "expires: 2027-03-31", 'expires: "2027-03-31"')
    topology = load_topology(network(text))
    assert topology.external_peers[0].mac == ("10:20:30:40:50:59", "00:11:22:aa:bb:cc", "aa:bb:cc:dd:ee:ff")
    assert topology.exceptions[0].expires == "2027-03-31"


def test_flow_forms(network: Callable[[str], str]) -> None:
    text = edit(
        EXAMPLE,
        "proto: udp, dport: [123]}",
        "proto: udp, dport: [123, 1024-65535, '8080'], sport: 53}",
    )
    text = edit(
        text,
        "{src: [10.1.20.5/32], dst: [192.0.2.10/32], proto: tcp, dport: [443]}",
        "{src: 10.1.20.5, dst: [192.0.2.0/24], proto: 50}",
    )
    text = edit(text, "    proto: tcp\n    dport: [3389]\n", "    proto: any\n")
    topology = load_topology(network(text))
    exception_flow = topology.exceptions[0].flow
    assert exception_flow.dport == (PortRange(123, 123), PortRange(1024, 65535), PortRange(8080, 8080))
    assert exception_flow.sport == (PortRange(53, 53),)
    allowed = topology.external_peers[0].allow[0]
    assert allowed.src == (prefix("10.1.20.5/32"),)
    assert (allowed.proto, allowed.dport) == (50, None)
    assert topology.channels[1].flow.proto is None


def test_nested_prefixes_of_different_length_and_zone_of_address(network: Callable[[str], str]) -> None:
    text = edit(EXAMPLE, "prefixes: [10.2.0.0/16]", "prefixes: [10.2.0.0/16, 10.1.99.0/24]")
    topology = load_topology(network(text))
    assert zone_of_address(topology, ip_to_int("10.1.99.7")).id == "lgwan"
    assert zone_of_address(topology, ip_to_int("10.1.98.7")).id == "mynumber"
    assert zone_of_address(topology, ip_to_int("10.3.0.0")).id == "internet"
    assert zone_of_address(topology, ip_to_int("172.16.0.1")) is None


def test_external_zones_may_repeat(network: Callable[[str], str]) -> None:
    extra = (
        "  jlis:\n    kind: external\n    label: J-LIS\n    prefixes: [192.0.2.0/24]\n"
        "  cloud:\n    kind: external\n    label: cloud\n    prefixes: [198.51.100.0/24]\n"
    )
    topology = load_topology(network(edit(EXAMPLE, "zones:\n", "zones:\n" + extra)))
    assert [zone.kind for zone in topology.zones].count(ZoneKind.EXTERNAL) == 2


# --- unknown keys, structure, YAML -----------------------------------------------------


def test_unknown_top_level_key(network: Callable[[str], str]) -> None:
    text = edit(EXAMPLE, "policy: nankoku-2019\n", "policy: nankoku-2019\ncolour: blue\n")
    problem = single_problem(network(text))
    assert (problem.file, problem.line) == (TOPOLOGY_FILE, line_of(text, "colour:"))
    assert "unknown key 'colour'" in problem.message
    assert "expected one of: version, zones, devices" in problem.message


def test_unknown_nested_key(network: Callable[[str], str]) -> None:
    text = edit(EXAMPLE, "    label: LGWAN接続系\n", "    label: LGWAN接続系\n    vlan: 20\n")
    problem = single_problem(network(text))
    assert (problem.file, problem.line) == (TOPOLOGY_FILE, line_of(text, "vlan: 20"))
    assert problem.message.startswith("zones.lgwan: unknown key 'vlan'")
    assert "kind, label, prefixes" in problem.message


def test_misspelt_key_suggests_the_right_one_and_reports_the_missing_one(
    network: Callable[[str], str],
) -> None:
    text = edit(EXAMPLE, "    prefixes: [10.2.0.0/16]", "    prefixs: [10.2.0.0/16]")
    found = problems(network(text))
    assert [(problem.line, problem.message.split(" (")[0]) for problem in found] == [
        (line_of(text, "  lgwan:"), "zones.lgwan: missing required key 'prefixes'"),
        (line_of(text, "prefixs:"), "zones.lgwan: unknown key 'prefixs'"),
    ]
    assert "did you mean 'prefixes'?" in found[1].message


def test_yaml_syntax_error_has_its_line(network: Callable[[str], str]) -> None:
    text = edit(EXAMPLE, "    label: LGWAN接続系", "    label: LGWAN: 接続系")
    problem = single_problem(network(text))
    assert (problem.file, problem.line) == (TOPOLOGY_FILE, line_of(text, "LGWAN: 接続系"))
    assert problem.message.startswith("YAML syntax error: mapping values are not allowed here")


def test_tab_indentation_is_a_syntax_error_with_a_hint(network: Callable[[str], str]) -> None:
    text = edit(EXAMPLE, "    label: LGWAN接続系", "\tlabel: LGWAN接続系")
    problem = single_problem(network(text))
    assert problem.line == line_of(text, "\tlabel")
    assert problem.message.endswith("(expected valid YAML: YAML indents with spaces, not tabs)")


def test_merge_keys_are_refused(network: Callable[[str], str]) -> None:
    text = edit(EXAMPLE, "    label: LGWAN接続系\n", "    label: LGWAN接続系\n    <<: {availability: 2}\n")
    problem = single_problem(network(text))
    assert problem.line == line_of(text, "<<:")
    assert problem.message == "zones.lgwan: merge keys (<<) are not supported (expected the keys written out)"


def test_duplicate_key_names_both_lines(network: Callable[[str], str]) -> None:
    text = edit(EXAMPLE, "    label: LGWAN接続系\n", "    label: LGWAN接続系\n    label: LGWAN\n")
    problem = single_problem(network(text))
    assert problem.line == line_of(text, "label: LGWAN", occurrence=2)
    assert f"duplicate key 'label' in zones.lgwan (first at line {line_of(text, 'label: LGWAN')})" in problem.message


def test_duplicate_zone_id(network: Callable[[str], str]) -> None:
    text = edit(EXAMPLE, "  internet:\n    kind: internet", "  lgwan:\n    kind: internet")
    problem = single_problem(network(text))
    assert problem.line == line_of(text, "  lgwan:", occurrence=2)
    assert "duplicate key 'lgwan' in zones" in problem.message


@pytest.mark.parametrize("version", ["2", "0", "'v1'"])
def test_wrong_version_is_the_only_problem(network: Callable[[str], str], version: str) -> None:
    # An unknown key would be an error in version 1, but a file of another version is not
    # checked against the version 1 schema at all.
    text = edit(EXAMPLE, "version: 1\n", f"version: {version}\nfuture_key: x\n")
    problem = single_problem(network(text))
    assert (problem.line, problem.message.split(" '")[0]) == (1, "version: unsupported schema version")
    assert problem.message.endswith("(expected 1)")


def test_missing_required_top_level_keys(network: Callable[[str], str]) -> None:
    found = problems(network("name: x\n"))
    assert [problem.message.split(" (")[0] for problem in found] == [
        "missing required key 'version'",
        "missing required key 'zones'",
        "missing required key 'devices'",
    ]
    assert found[0].message.endswith(
        "(expected keys: version, zones, devices; optional: name, policy, "
        "configs, links, external_peers, channels, exceptions, zone_policy, cloud_destinations, clauses)"
    )
    assert {problem.line for problem in found} == {1}


@pytest.mark.parametrize("text", ["", "   \n\t\n"])
def test_empty_topology_file(network: Callable[[str], str], text: str) -> None:
    problem = single_problem(network(text))
    assert (problem.file, problem.line) == (TOPOLOGY_FILE, 0)
    assert "topology file is empty" in problem.message


def test_topology_of_only_comments(network: Callable[[str], str]) -> None:
    problem = single_problem(network("# nothing yet\n"))
    assert "no content (expected a mapping with version, zones and devices)" in problem.message


def test_topology_that_is_a_list(network: Callable[[str], str]) -> None:
    problem = single_problem(network("- version: 1\n"))
    assert problem.line == 1
    assert "expected a mapping with version, zones and devices" in problem.message


def test_missing_topology_file(tmp_path: Path) -> None:
    path = str(tmp_path / "nope.yaml")
    problem = single_problem(path)
    assert (problem.file, problem.line) == (path, 0)
    assert "topology file not found" in problem.message


def test_unknown_policy_lists_the_valid_ones(network: Callable[[str], str]) -> None:
    text = edit(EXAMPLE, "policy: nankoku-2019", "policy: mic-gamma")
    problem = single_problem(network(text))
    assert problem.line == line_of(text, "policy:")
    assert problem.message == (
        "policy: 'mic-gamma' is not a valid policy profile "
        "(expected one of: nankoku-2019, mic-alpha, mic-alpha-prime, mic-beta, mic-beta-prime)"
    )


def test_empty_optional_sections_are_fine(network: Callable[[str], str]) -> None:
    text = edit(EXAMPLE, "links:\n  - [mn-fw:outside, jlis-sw:Vlan50]\n", "links:\n")
    assert load_topology(network(text)).links == ()


# --- zones ----------------------------------------------------------------------------


def test_malformed_prefix(network: Callable[[str], str]) -> None:
    text = edit(EXAMPLE, "prefixes: [10.2.0.0/16]", "prefixes: [10.2.0.0/16, 10.2.0.0/33]")
    problem = single_problem(network(text))
    assert (problem.file, problem.line) == (TOPOLOGY_FILE, line_of(text, "10.2.0.0/33"))
    assert problem.message == "zones.lgwan.prefixes[1]: '10.2.0.0/33' is not an IPv4 prefix (expected a.b.c.d/len)"


@pytest.mark.parametrize(
    "written",
    ["10.2.0/16", "10.256.0.0/16", "10.2.0.0", "10.2.0.0/", "ten/8", "'10.2.0.0 /16'", "１０.2.0.0/16"],
)
def test_other_malformed_prefixes(network: Callable[[str], str], written: str) -> None:
    text = edit(EXAMPLE, "prefixes: [10.2.0.0/16]", f"prefixes: [{written}]")
    problem = single_problem(network(text))
    assert problem.line == line_of(text, f"prefixes: [{written}]")
    assert problem.message.startswith("zones.lgwan.prefixes[0]: ")
    assert problem.message.endswith("is not an IPv4 prefix (expected a.b.c.d/len)")


def test_prefix_with_host_bits_set(network: Callable[[str], str]) -> None:
    text = edit(EXAMPLE, "prefixes: [10.2.0.0/16]", "prefixes: [10.2.3.4/16]")
    problem = single_problem(network(text))
    assert problem.line == line_of(text, "10.2.3.4/16")
    assert problem.message.startswith("zones.lgwan.prefixes[0]: '10.2.3.4/16' has host bits set")
    assert "10.2.0.0/16" in problem.message


def test_equal_prefix_in_two_zones_names_both_lines(network: Callable[[str], str]) -> None:
    text = edit(EXAMPLE, "prefixes: [10.3.0.0/16]", "prefixes: [10.3.0.0/16, 10.1.0.0/16]")
    problem = single_problem(network(text))
    first_line = line_of(text, "prefixes: [10.1.0.0/16]")
    assert problem.line == line_of(text, "prefixes: [10.3.0.0/16, 10.1.0.0/16]")
    assert problem.message.startswith(
        f"zones.internet.prefixes[1]: 10.1.0.0/16 is already claimed by zones.mynumber.prefixes[0] at line {first_line}"
    )


def test_same_prefix_twice_in_one_zone(network: Callable[[str], str]) -> None:
    text = edit(EXAMPLE, "prefixes: [10.2.0.0/16]", "prefixes:\n      - 10.2.0.0/16\n      - 10.2.0.0/16")
    problem = single_problem(network(text))
    assert problem.line == line_of(text, "- 10.2.0.0/16", occurrence=2)
    assert f"already claimed by zones.lgwan.prefixes[0] at line {line_of(text, '- 10.2.0.0/16')}" in problem.message


def test_bad_zone_kind_lists_valid_kinds(network: Callable[[str], str]) -> None:
    text = edit(EXAMPLE, "kind: lgwan", "kind: lgwn")
    problem = single_problem(network(text))
    assert problem.line == line_of(text, "kind: lgwn")
    assert "expected one of: mynumber, lgwan, internet, external, other" in problem.message


def test_second_zone_of_a_single_kind(network: Callable[[str], str]) -> None:
    text = edit(
        EXAMPLE,
        "zones:\n",
        "zones:\n  lgwan2:\n    kind: lgwan\n    label: L2\n    prefixes: [10.9.0.0/16]\n",
    )
    problem = single_problem(network(text))
    assert problem.line == line_of(text, "  lgwan:")
    assert "a second zone of kind lgwan" in problem.message
    assert f"zones.lgwan2 at line {line_of(text, 'lgwan2:')}" in problem.message


def test_upstream_only_on_the_internet_zone(network: Callable[[str], str]) -> None:
    text = edit(
        EXAMPLE,
        "    prefixes: [10.2.0.0/16]\n",
        "    prefixes: [10.2.0.0/16]\n    upstream: [lg-fw:outside]\n",
    )
    problem = single_problem(network(text))
    assert problem.line == line_of(text, "upstream: [lg-fw")
    assert problem.message == (
        "zones.lgwan.upstream: upstream is only allowed on a zone of kind internet (this zone is lgwan)"
    )


def test_availability_must_be_1_or_2(network: Callable[[str], str]) -> None:
    text = edit(EXAMPLE, "    prefixes: [10.2.0.0/16]\n", "    prefixes: [10.2.0.0/16]\n    availability: 3\n")
    problem = single_problem(network(text))
    assert problem.line == line_of(text, "availability")
    assert problem.message == "zones.lgwan.availability: '3' is not valid (expected 1 or 2)"


def test_zone_policy_names_declared_zones(network: Callable[[str], str]) -> None:
    text = EXAMPLE + "zone_policy:\n  - {from: lgwan, to: core, allow: maybe}\n"
    found = problems(network(text))
    line = line_of(text, "from: lgwan")
    assert [(problem.line, problem.message.split(" (")[0]) for problem in found] == [
        (line, "zone_policy[0].to: zone 'core' is not declared in zones"),
        (line, "zone_policy[0].allow: 'maybe' is not a valid allow value"),
    ]


# --- devices and references ------------------------------------------------------------


@pytest.mark.parametrize(
    ("old", "new", "path"),
    [
        ("[mn-fw:outside, jlis-sw:Vlan50]", "[mn-fw:outside, jlis-sw2:Vlan50]", "links[0][1]"),
        ("[edge-rtr:GigabitEthernet0/0]", "[edge:GigabitEthernet0/0]", "zones.internet.upstream[0]"),
        ("attach: mn-fw:jlis", "attach: mn-fw2:jlis", "external_peers.chukan.attach"),
    ],
)
def test_device_referenced_but_not_declared(network: Callable[[str], str], old: str, new: str, path: str) -> None:
    text = edit(EXAMPLE, old, new)
    problem = single_problem(network(text))
    assert (problem.file, problem.line) == (TOPOLOGY_FILE, line_of(text, new))
    assert problem.message.startswith(f"{path}: device '")
    assert "is not declared in devices (expected one of: edge-rtr, jlis-sw, lg-fw, mn-core, mn-fw)" in problem.message


def test_reference_without_interface(network: Callable[[str], str]) -> None:
    text = edit(EXAMPLE, "attach: mn-fw:jlis", "attach: mn-fw")
    problem = single_problem(network(text))
    assert problem.line == line_of(text, "attach: mn-fw")
    assert "'mn-fw' is not device:interface" in problem.message


def test_interface_part_keeps_later_colons(network: Callable[[str], str]) -> None:
    text = edit(EXAMPLE, "attach: mn-fw:jlis", "attach: 'mn-fw:Serial0/0:1'")
    assert load_topology(network(text)).external_peers[0].attach.interface == "Serial0/0:1"


def test_unknown_vendor(network: Callable[[str], str]) -> None:
    text = edit(EXAMPLE, "vendor: cisco_asa, role", "vendor: juniper, role")
    problem = single_problem(network(text))
    assert problem.line == line_of(text, "vendor: juniper")
    assert (
        problem.message
        == f"devices.lg-fw.vendor: 'juniper' is not a valid vendor (expected one of: {', '.join(SUPPORTED)})"
    )


def test_missing_config_file(network: Callable[[str], str]) -> None:
    text = edit(EXAMPLE, "{config: edge-rtr.cfg}", "{config: edge-rtr-old.cfg}")
    problem = single_problem(network(text))
    assert (problem.file, problem.line) == (TOPOLOGY_FILE, line_of(text, "edge-rtr-old.cfg"))
    expected_display = os.path.join("configs", "edge-rtr-old.cfg")
    assert problem.message.startswith(f"devices.edge-rtr.config: {expected_display}: device config not found")


def test_config_that_is_a_directory(network: Callable[[str], str], tmp_path: Path) -> None:
    (tmp_path / "configs" / "old").mkdir()
    text = edit(EXAMPLE, "{config: edge-rtr.cfg}", "{config: old}")
    problem = single_problem(network(text))
    assert problem.line == line_of(text, "{config: old}")
    assert "is a directory (expected a text device config)" in problem.message


def test_unreadable_config(network: Callable[[str], str], monkeypatch: pytest.MonkeyPatch) -> None:
    # Running as root reads any file whatever its mode, so refuse the read itself.
    real_open = builtins.open

    def refusing_open(file: object, *args: object, **kwargs: object) -> object:
        if str(file).endswith("mn-fw.cfg"):
            raise PermissionError(13, "Permission denied")
        return real_open(file, *args, **kwargs)  # type: ignore[call-overload]

    path = network(EXAMPLE)
    monkeypatch.setattr(inputs, "open", refusing_open, raising=False)
    problem = single_problem(path)
    assert problem.line == line_of(EXAMPLE, "mn-fw:     {config")
    assert problem.message.endswith("cannot read device config: Permission denied")


@pytest.mark.skipif(hasattr(os, "geteuid") and os.geteuid() == 0, reason="root can read a chmod 000 file")
def test_unreadable_config_by_mode(network: Callable[[str], str], tmp_path: Path) -> None:
    config = tmp_path / "configs" / "mn-fw.cfg"
    config.chmod(0)
    try:
        problem = single_problem(network(EXAMPLE))
    finally:
        config.chmod(0o644)
    assert "cannot read device config" in problem.message


@pytest.mark.parametrize("content", [b"", b"  \n\r\n\t "])
def test_empty_config(network: Callable[[str], str], tmp_path: Path, content: bytes) -> None:
    (tmp_path / "configs" / "lg-fw.cfg").write_bytes(content)
    problem = single_problem(network(EXAMPLE))
    assert (problem.file, problem.line) == (TOPOLOGY_FILE, line_of(EXAMPLE, "lg-fw:"))
    assert problem.message.endswith("device config is empty (expected a text device config)")


def test_undecodable_config_points_into_the_config(network: Callable[[str], str], tmp_path: Path) -> None:
    (tmp_path / "configs" / "lg-fw.cfg").write_bytes(b"hostname lg-fw\n!\ndescription caf\xe9\n")
    problem = single_problem(network(EXAMPLE))
    assert (problem.file, problem.line) == (os.path.join("configs", "lg-fw.cfg"), 3)
    assert problem.message == (
        "byte 0xe9 is not valid UTF-8 nor CP932 (Shift_JIS) "
        "(save the file as UTF-8, or name its encoding in the topology: encoding: cp932)"
    )


EUC_JP_CONFIG = "hostname lg-fw\n!\ninterface Vlan10\n description 庁内LAN\n".encode("euc_jp")


def test_encoding_key_reads_an_ambiguous_config(network: Callable[[str], str], tmp_path: Path) -> None:
    (tmp_path / "configs" / "lg-fw.cfg").write_bytes(EUC_JP_CONFIG)
    ambiguous = single_problem(network(EXAMPLE))
    assert (ambiguous.file, ambiguous.line) == (os.path.join("configs", "lg-fw.cfg"), 4)
    assert "reads both as CP932 (Shift_JIS) and as EUC-JP" in ambiguous.message
    text = edit(EXAMPLE, "vendor: cisco_asa, role: firewall}", "vendor: cisco_asa, role: firewall, encoding: EUC-JP}")
    topology = load_topology(network(text))
    (entry,) = [entry for entry in topology.devices if entry.name == "lg-fw"]
    assert entry.encoding == "euc_jp"
    assert read_device_configs(topology)["lg-fw"].lines[3] == " description 庁内LAN"
    assert read_device_configs(topology)["mn-core"].encoding == "utf-8"


def test_encoding_key_that_does_not_fit_the_file(network: Callable[[str], str], tmp_path: Path) -> None:
    (tmp_path / "configs" / "lg-fw.cfg").write_bytes("hostname lg-fw\n description ①\n".encode("cp932"))
    text = edit(EXAMPLE, "role: firewall}", "role: firewall, encoding: utf-8}")
    problem = single_problem(network(text))
    assert (problem.file, problem.line) == (os.path.join("configs", "lg-fw.cfg"), 2)
    assert problem.message.startswith("bytes 87 at offset 28 are not valid utf-8 (the encoding: named for this file")


@pytest.mark.parametrize("written", ["sjis2", "base64", "'  '", "[cp932]"])
def test_unknown_encoding_name_is_reported_at_its_key(network: Callable[[str], str], written: str) -> None:
    text = edit(
        EXAMPLE, "  mn-core:   {config: mn-core.cfg}", f"  mn-core:   {{config: mn-core.cfg,\n    encoding: {written}}}"
    )
    problem = single_problem(network(text))
    assert (problem.file, problem.line) == (TOPOLOGY_FILE, line_of(text, "encoding:"))
    if written.startswith(("'", "[")):
        assert problem.message.startswith("devices.mn-core.encoding: expected an encoding name such as cp932, found")
    else:
        assert problem.message == (
            f"devices.mn-core.encoding: '{written}' is not a text encoding Python knows (expected a name such as "
            "utf-8, cp932, shift_jis, euc_jp, utf-16-le or utf-16-be; leave encoding: out to let it be detected)"
        )


def test_binary_config(network: Callable[[str], str], tmp_path: Path) -> None:
    (tmp_path / "configs" / "lg-fw.cfg").write_bytes(b"hostname lg-fw\n\x7fELF\x02\x01\x01\x00\x00\x00\x00\xff\x13")
    problem = single_problem(network(EXAMPLE))
    assert (problem.file, problem.line) == (os.path.join("configs", "lg-fw.cfg"), 2)
    assert "binary file" in problem.message


def test_config_escaping_with_dot_dot(network: Callable[[str], str], tmp_path: Path) -> None:
    (tmp_path / "outside.cfg").write_text("hostname x\n", encoding="utf-8")
    text = edit(EXAMPLE, "{config: edge-rtr.cfg}", "{config: ../outside.cfg}")
    problem = single_problem(network(text))
    assert problem.line == line_of(text, "../outside.cfg")
    assert problem.message == (
        "devices.edge-rtr.config: '../outside.cfg' points outside the configs folder configs "
        "(expected a file inside it)"
    )


def test_config_path_through_dot_dot_that_stays_inside_is_fine(network: Callable[[str], str]) -> None:
    text = edit(EXAMPLE, "{config: edge-rtr.cfg}", "{config: ../configs/edge-rtr.cfg}")
    entry = load_topology(network(text)).devices[2]
    assert entry.config_display == os.path.join("configs", "edge-rtr.cfg")


def test_config_with_absolute_path(network: Callable[[str], str], tmp_path: Path) -> None:
    absolute = tmp_path / "configs" / "edge-rtr.cfg"
    text = edit(EXAMPLE, "{config: edge-rtr.cfg}", f"{{config: '{absolute}'}}")
    problem = single_problem(network(text))
    assert problem.line == line_of(text, str(absolute))
    assert f"'{absolute}' is an absolute path (expected a path relative to the configs folder" in problem.message


def test_config_symlink_leading_outside(network: Callable[[str], str], tmp_path: Path) -> None:
    secret = tmp_path / "secret.cfg"
    secret.write_text("hostname secret\n", encoding="utf-8")
    (tmp_path / "configs" / "link.cfg").symlink_to(secret)
    text = edit(EXAMPLE, "{config: edge-rtr.cfg}", "{config: link.cfg}")
    problem = single_problem(network(text))
    assert problem.line == line_of(text, "link.cfg")
    assert problem.message.startswith(
        f"devices.edge-rtr.config: 'link.cfg' is a symbolic link to {os.path.realpath(secret)}, "
        "outside the configs folder"
    )


def test_two_devices_sharing_one_config(network: Callable[[str], str]) -> None:
    text = edit(EXAMPLE, "{config: edge-rtr.cfg}", "{config: mn-core.cfg}")
    problem = single_problem(network(text))
    assert problem.line == line_of(text, "edge-rtr:  {config")
    assert f"is also the config of devices.mn-core at line {line_of(text, 'mn-core:')}" in problem.message


def test_missing_configs_folder(network: Callable[[str], str]) -> None:
    # Inside the topology's folder: a folder outside it is refused before its existence is checked.
    text = edit(EXAMPLE, "configs: configs", "configs: nowhere")
    problem = single_problem(network(text))
    assert problem.line == line_of(text, "configs:")
    assert problem.message == (
        "configs: folder 'nowhere' not found (expected the folder of device configs, relative to this file)"
    )


def test_read_device_configs(network: Callable[[str], str], tmp_path: Path) -> None:
    topology = load_topology(network(EXAMPLE))
    configs = read_device_configs(topology)
    assert list(configs) == list(DEVICE_NAMES)
    assert configs["lg-fw"].text == "hostname lg-fw\n"
    assert configs["lg-fw"].display == os.path.join("configs", "lg-fw.cfg")


def test_read_device_configs_reports_every_broken_config(network: Callable[[str], str], tmp_path: Path) -> None:
    topology = load_topology(network(EXAMPLE))
    (tmp_path / "configs" / "mn-core.cfg").unlink()
    (tmp_path / "configs" / "jlis-sw.cfg").write_bytes(b"hostname jlis-sw\n\xfd\n")
    with pytest.raises(InputError) as raised:
        read_device_configs(topology)
    found = raised.value.problems
    assert [(problem.file, problem.line) for problem in found] == [
        (TOPOLOGY_FILE, line_of(EXAMPLE, "mn-core:")),
        (os.path.join("configs", "jlis-sw.cfg"), 2),
    ]


# --- flows, peers, channels, exceptions ----------------------------------------------------


@pytest.mark.parametrize(
    ("old", "new", "message", "line_marker"),
    [
        ("dport: [25]", "dport: [70000]", "channels[0].dport[0]: '70000' is out of range", "[70000]"),
        ("dport: [25]", "dport: [http]", "channels[0].dport[0]: 'http' is not a port", "[http]"),
        ("dport: [25]", "dport: [30-20]", "channels[0].dport[0]: port range '30-20' is backwards", "[30-20]"),
        ("dport: [25]", "dport: []", "channels[0].dport: expected at least one port", "dport: []"),
        ("proto: tcp\n    dport: [25]", "proto: gre", "channels[0].proto: 'gre' is not a protocol", "gre"),
        ("proto: tcp\n    dport: [25]", "proto: 256", "channels[0].proto: '256' is not a protocol", "256"),
        ("    dport: [25]\n", "", "channels[0]: missing required key 'dport'", "- id: mail-text"),
        (
            "kind: mail-text",
            "kind: mail",
            "channels[0].kind: 'mail' is not a valid channel kind",
            "kind: mail",
        ),
        (
            "proto: udp, dport: [123]",
            "proto: icmp, dport: [123]",
            "exceptions[0].flow.dport: ports need proto tcp or udp (proto is icmp",
            "proto: icmp",
        ),
        (
            "src: [10.2.20.30/32]",
            "src: []",
            "exceptions[0].flow.src: expected at least one IPv4 prefix",
            "src: []",
        ),
        (
            "src: [10.2.20.30/32]",
            "src: [10.2.20.30/24]",
            "exceptions[0].flow.src[0]: '10.2.20.30/24' has host bits set",
            "10.2.20.30/24",
        ),
        ("rule: ZONE-005", "rule: zone5", "exceptions[0].rule: 'zone5' is not a rule ID", "zone5"),
        (
            "expires: 2027-03-31",
            "expires: 2027-02-30",
            "exceptions[0].expires: '2027-02-30' is not a date",
            "02-30",
        ),
        (
            "expires: 2027-03-31",
            "expires: 31.3.2027",
            "exceptions[0].expires: '31.3.2027' is not a date",
            "31.3",
        ),
        (
            "    approved_by: CISO\n",
            "",
            "exceptions[0]: missing required key 'approved_by'",
            "- rule: ZONE-005",
        ),
        (
            "internet_connected: false",
            "internet_connected: 'false'",
            "external_peers.chukan.internet_connected: expected true or false",
            "internet_connected",
        ),
        (
            "    internet_connected: false\n",
            "",
            "external_peers.chukan: missing required key 'internet_connected'",
            "  chukan:",
        ),
        (
            "mac: [00:11:22:33:44:55]",
            "mac: [00:11:22:33:44]",
            "external_peers.chukan.mac[0]: '00:11:22:33:44' is not a MAC address",
            "mac:",
        ),
        (
            "addresses: [192.0.2.10/32]",
            "addresses: [192.0.2.10/40]",
            "external_peers.chukan.addresses[0]: '192.0.2.10/40' is not an IPv4 prefix",
            "addresses:",
        ),
    ],
)
def test_flow_peer_channel_and_exception_problems(
    network: Callable[[str], str], old: str, new: str, message: str, line_marker: str
) -> None:
    text = edit(EXAMPLE, old, new)
    problem = single_problem(network(text))
    assert (problem.file, problem.line) == (TOPOLOGY_FILE, line_of(text, line_marker))
    assert problem.message.startswith(message), problem.message
    assert "expected" in problem.message


def test_duplicate_channel_id_names_the_first(network: Callable[[str], str]) -> None:
    text = edit(EXAMPLE, "- id: screen", "- id: mail-text")
    problem = single_problem(network(text))
    assert problem.line == line_of(text, "- id: mail-text", occurrence=2)
    assert problem.message.startswith(
        f"channels[1].id: duplicate channel id 'mail-text' (first at line {line_of(text, '- id: mail-text')}"
    )


# --- several problems at once ------------------------------------------------------------


def test_every_problem_is_reported_in_line_order(network: Callable[[str], str], tmp_path: Path) -> None:
    (tmp_path / "configs" / "jlis-sw.cfg").write_bytes(b"hostname jlis-sw\n\x00\x01\x02")
    text = edit(EXAMPLE, "policy: nankoku-2019", "policy: nankoku")
    text = edit(text, "{config: edge-rtr.cfg}", "{config: gone.cfg}")
    text = edit(text, "prefixes: [10.2.0.0/16]", "prefixes: [10.2.0.0/33]")
    text = edit(text, "kind: screen-transfer", "kind: screen")
    text = edit(text, "expires: 2027-03-31", "expires: soon")
    found = problems(network(text))
    assert [(problem.file, problem.line) for problem in found] == [
        (TOPOLOGY_FILE, line_of(text, "policy:")),
        (TOPOLOGY_FILE, line_of(text, "gone.cfg")),
        (TOPOLOGY_FILE, line_of(text, "10.2.0.0/33")),
        (TOPOLOGY_FILE, line_of(text, "kind: screen")),
        (TOPOLOGY_FILE, line_of(text, "expires: soon")),
        (os.path.join("configs", "jlis-sw.cfg"), 2),
    ]
    assert str(found[0]) == (
        f"{TOPOLOGY_FILE}:3: policy: 'nankoku' is not a valid policy profile "
        "(expected one of: nankoku-2019, mic-alpha, mic-alpha-prime, mic-beta, mic-beta-prime)"
    )


# --- interfaces against parsed configs -------------------------------------------------------


def parsed_devices() -> dict[str, Device]:
    return {
        "mn-core": device("mn-core", interface("Vlan10")),
        "lg-fw": device("lg-fw", interface("GigabitEthernet0/0", ("nameif", "outside"))),
        "edge-rtr": device("edge-rtr", interface("GigabitEthernet0/0"), interface("GigabitEthernet0/1")),
        "mn-fw": device(
            "mn-fw",
            interface("GigabitEthernet0/0", ("nameif", "outside")),
            interface("GigabitEthernet0/1", ("nameif", "jlis")),
        ),
        "jlis-sw": device("jlis-sw", interface("Vlan50")),
    }


def test_check_references_accepts_interfaces_the_configs_have(network: Callable[[str], str]) -> None:
    topology = load_topology(network(EXAMPLE))
    assert check_references(topology, parsed_devices()) == []


def test_interface_not_in_config(network: Callable[[str], str]) -> None:
    text = edit(EXAMPLE, "[edge-rtr:GigabitEthernet0/0]", "[edge-rtr:GigabitEthernet0/2]")
    text = edit(text, "jlis-sw:Vlan50]", "jlis-sw:Vlan51]")
    topology = load_topology(network(text))
    found = check_references(topology, parsed_devices())
    assert [(problem.file, problem.line) for problem in found] == [
        (TOPOLOGY_FILE, line_of(text, "jlis-sw:Vlan51")),
        (TOPOLOGY_FILE, line_of(text, "GigabitEthernet0/2")),
    ]
    assert found[0].message == (
        "links[0][1]: device 'jlis-sw' has no interface 'Vlan51' in configs/jlis-sw.cfg "
        "(expected an interface of its config, e.g.: Vlan50)"
    )
    assert found[1].message.startswith("zones.internet.upstream[0]: device 'edge-rtr' has no interface")
    listed = found[1].message.split("e.g.: ")[1].rstrip(")").split(", ")
    assert sorted(listed) == ["GigabitEthernet0/0", "GigabitEthernet0/1"]


def test_reference_to_a_device_without_parsed_config(network: Callable[[str], str]) -> None:
    topology = load_topology(network(EXAMPLE))
    devices = parsed_devices()
    del devices["mn-fw"]
    found = check_references(topology, devices)
    assert [problem.line for problem in found] == [
        line_of(EXAMPLE, "[mn-fw:outside"),
        line_of(EXAMPLE, "attach:"),
    ]
    assert all("device 'mn-fw' has no parsed configuration" in problem.message for problem in found)


def test_resolve_interface_exact_case_and_nameif() -> None:
    asa = device(
        "fw",
        interface("GigabitEthernet0/0", ("nameif", "outside")),
        interface("GigabitEthernet0/1", ("nameif", "Inside")),
    )
    assert resolve_interface(asa, "GigabitEthernet0/0") == "GigabitEthernet0/0"
    assert resolve_interface(asa, "gigabitethernet0/1") == "GigabitEthernet0/1"
    assert resolve_interface(asa, "outside") == "GigabitEthernet0/0"
    assert resolve_interface(asa, "inside") == "GigabitEthernet0/1"
    assert resolve_interface(asa, "dmz") is None


def test_resolve_interface_expands_ios_abbreviations() -> None:
    pytest.importorskip("nankoku_netcheck.vendors.cisco_ios.parser", reason="the IOS parser provides the abbreviations")
    router = device("r", interface("GigabitEthernet0/1"), interface("FastEthernet0/0"), interface("Vlan10"))
    assert resolve_interface(router, "Gi0/1") == "GigabitEthernet0/1"
    assert resolve_interface(router, "fa0/0") == "FastEthernet0/0"
    assert resolve_interface(router, "Gi0/2") is None
