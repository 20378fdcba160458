"""`nankoku-netcheck init`: the draft proposes the zones of the bundled samples and of synthetic
cities, lists what it cannot read, refuses hostile folders with clear messages, is valid YAML
with its comments, is deterministic, and does not load while a TODO is left."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner
from conftest import REPO

from nankoku_netcheck.cli import main
from nankoku_netcheck.errors import InputError
from nankoku_netcheck.init import check_draft, draft_topology
from nankoku_netcheck.init_plan import kind_of
from nankoku_netcheck.model import format_prefix
from nankoku_netcheck.synth import CitySpec, generate
from nankoku_netcheck.topology import load_topology
from nankoku_netcheck.vendors import SUPPORTED

ZoneSet = set[tuple[str, tuple[str, ...]]]
SUPPORTED_LIST = ", ".join(sorted(SUPPORTED))


def proposed_zones(text: str) -> ZoneSet:
    zones = yaml.safe_load(text)["zones"]
    return {(zone["kind"], tuple(sorted(zone["prefixes"]))) for zone in zones.values() if zone["kind"] != "TODO"}


def shipped_zones(topology: Path) -> ZoneSet:
    loaded = load_topology(str(topology))
    return {(zone.kind.value, tuple(sorted(format_prefix(*p) for p in zone.prefixes))) for zone in loaded.zones}


def upstream_of(text: str) -> list[str]:
    for zone in yaml.safe_load(text)["zones"].values():
        if zone["kind"] == "internet":
            return list(zone.get("upstream", []))
    return []


@pytest.mark.parametrize("sample", ["nankoku", "kitagawa"])
def test_init_proposes_the_zones_of_the_bundled_samples(sample: str, tmp_path: Path) -> None:
    draft = draft_topology(str(REPO / "device_configs" / sample), str(tmp_path / "topology.yaml"))
    shipped = REPO / "topologies" / f"{sample}.yaml"
    assert proposed_zones(draft.text) == shipped_zones(shipped)
    assert draft.summary.todos == 0
    # The candidates are comments in the draft and applied in the checked version.
    assert upstream_of(draft.text) == []
    assert upstream_of(draft.applied) == ["edge-rtr:GigabitEthernet0/0"]


def test_init_proposes_the_channels_and_the_peer_of_the_nankoku_sample(tmp_path: Path) -> None:
    draft = draft_topology(str(REPO / "device_configs" / "nankoku"), str(tmp_path / "topology.yaml"))
    channels = yaml.safe_load(draft.applied)["channels"]
    flows = {(c["kind"], c["src"][0], c["dst"][0], c["dport"][0]) for c in channels}
    assert flows == {
        ("screen-transfer", "10.2.10.0/24", "10.3.30.0/24", 3389),
        ("mail-text", "10.3.20.25/32", "10.2.20.25/32", 25),
    }
    assert "#     addresses: [192.0.2.10/32]\n#     attach: mn-gw:GigabitEthernet0/2\n" in draft.text


@pytest.mark.parametrize(("devices", "seed"), [(11, 1), (14, 7)])
def test_init_proposes_the_zones_of_synthetic_cities(devices: int, seed: int, tmp_path: Path) -> None:
    topology = generate(CitySpec(devices=devices, acl_lines=40 * devices, seed=seed), tmp_path / "city")
    draft = draft_topology(str(tmp_path / "city" / "device_configs"), str(tmp_path / "draft.yaml"))
    assert proposed_zones(draft.text) == shipped_zones(topology)
    assert upstream_of(draft.applied) == ["edge-rtr:GigabitEthernet0/0"]


def test_the_checked_draft_of_the_kitagawa_sample_passes(tmp_path: Path) -> None:
    folder = str(REPO / "device_configs" / "kitagawa")
    summary = check_draft(draft_topology(folder, str(tmp_path / "t.yaml")), folder).summary
    assert (summary.devices, summary.proposals, summary.todos, summary.transit) == (5, 3, 0, 5)
    assert (summary.verdict, summary.violated, summary.check_problem) == ("pass", (), "")


def test_the_draft_is_yaml_with_its_comments_and_deterministic(tmp_path: Path) -> None:
    folder = str(REPO / "device_configs" / "nankoku")
    first = draft_topology(folder, str(tmp_path / "topology.yaml"), "ja").text
    assert first == draft_topology(folder, str(tmp_path / "topology.yaml"), "ja").text
    loaded = yaml.safe_load(first)
    assert loaded["configs"] == os.path.relpath(folder, tmp_path)
    assert loaded["zones"]["mynumber"]["label"] == "マイナンバー利用事務系"
    assert "    #   bb-rtr.cfg:112: ip route 10.1.0.0 255.255.0.0 192.168.255.2 name MYNUMBER\n" in first
    assert "    # upstream: [edge-rtr:GigabitEthernet0/0]   # 外向きの既定経路: edge-rtr.cfg:101: " in first


def hostile_folder(tmp_path: Path) -> Path:
    folder = tmp_path / "configs"
    folder.mkdir()
    shutil.copy(REPO / "device_configs" / "kitagawa" / "mn-sw.cfg", folder / "a.cfg")
    shutil.copy(REPO / "device_configs" / "kitagawa" / "mn-sw.cfg", folder / "b.cfg")
    (folder / "blob.bin").write_bytes(b"\x00\x01\x02binary\x00\xff")
    (folder / "junos.conf").write_text(
        "set system host-name vsrx\nset interfaces ge-0/0/0 unit 0 family inet address 10.0.0.1/24\n"
    )
    return folder


def run_init(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, ["init", *args], env={"LANG": "C"})
    return result.exit_code, result.stdout, result.stderr


def test_files_that_are_not_configs_are_listed_and_duplicate_hostnames_warned(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    hostile_folder(tmp_path)
    monkeypatch.chdir(tmp_path)
    code, out, err = run_init("configs", "-o", "t.yaml", "--no-check")
    assert code == 0
    assert err.splitlines() == [
        "warning: configs/b.cfg:13: hostname 'mn-sw' is also the hostname of configs/a.cfg "
        "(expected one hostname per device: is one config a copy of the other?)",
        "skipped: configs/blob.bin: byte 0x00 (NUL): this looks like a binary file (expected a text device config)",
        f"skipped: configs/junos.conf: looks like Junos (not supported yet; supported: {SUPPORTED_LIST})",
    ]
    assert out.splitlines()[0] == (
        "wrote t.yaml: 2 devices (2 files skipped), 2 address groups: 1 zone proposals, 0 TODO, 1 transit"
    )
    text = (tmp_path / "t.yaml").read_text(encoding="utf-8")
    assert f"#   junos.conf: looks like Junos (not supported yet; supported: {SUPPORTED_LIST})\n" in text
    assert list(yaml.safe_load(text)["devices"]) == ["a", "b"]


@pytest.mark.parametrize(
    ("setup", "message"),
    [
        ("empty", "error: configs: the folder is empty (expected one config file per device)"),
        (
            "junk",
            f"error: configs: no device config recognised among 1 file(s) (supported: {SUPPORTED_LIST})",
        ),
        (
            "link",
            "error: configs/out.cfg: is a symbolic link to a file outside the folder "
            "(expected the config itself: copy it into the folder)",
        ),
        ("missing", "error: configs: not a folder (expected the folder holding the device configs)"),
    ],
)
def test_hostile_folders_end_with_exit_2_and_one_clear_line(
    setup: str, message: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    if setup != "missing":
        (tmp_path / "configs").mkdir()
    if setup == "junk":
        (tmp_path / "configs" / "blob.bin").write_bytes(b"\x00\x01")
    if setup == "link":
        shutil.copy(REPO / "device_configs" / "kitagawa" / "mn-sw.cfg", tmp_path / "outside.cfg")
        (tmp_path / "configs" / "out.cfg").symlink_to(tmp_path / "outside.cfg")
    code, out, err = run_init("configs", "-o", "t.yaml")
    assert (code, out, err.splitlines()) == (2, "", [message])
    assert not (tmp_path / "t.yaml").exists()


def test_init_does_not_overwrite_without_force(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "t.yaml").write_text("mine\n")
    code, _, err = run_init(str(REPO / "device_configs" / "kitagawa"), "-o", "t.yaml", "--no-check")
    assert (code, err) == (2, "error: t.yaml: already exists (expected a new file; --force overwrites it)\n")
    assert (tmp_path / "t.yaml").read_text() == "mine\n"
    code, _, _ = run_init(str(REPO / "device_configs" / "kitagawa"), "-o", "t.yaml", "--no-check", "--force")
    assert code == 0
    assert (tmp_path / "t.yaml").read_text(encoding="utf-8").startswith("# Draft topology")


def test_a_draft_with_todo_does_not_load_and_names_each_line(tmp_path: Path) -> None:
    folder = tmp_path / "configs"
    folder.mkdir()
    # A config with no zone words: its LAN is left TODO.
    (folder / "r1.cfg").write_text(
        "hostname r1\n!\ninterface GigabitEthernet0/0\n ip address 10.9.1.1 255.255.255.0\n!\nend\n"
    )
    path = tmp_path / "topology.yaml"
    draft = draft_topology(str(folder), str(path))
    path.write_text(draft.text, encoding="utf-8")
    lines = draft.text.splitlines()
    kind_line = lines.index("    kind: TODO") + 1
    with pytest.raises(InputError) as raised:
        load_topology(str(path), root=str(tmp_path))
    resolve = "resolve the TODO (write the value; init left it where the configs gave no evidence)"
    assert [str(problem) for problem in raised.value.problems] == [
        f"{path}:{kind_line}: zones.todo-1.kind: {resolve}",
        f"{path}:{kind_line + 1}: zones.todo-1.label: {resolve}",
    ]


@pytest.mark.parametrize(
    ("line", "kind"),
    [
        ("description 全国LGWAN: LGWAN接続ルーター", "external"),
        ("ip route 172.16.0.0 255.240.0.0 172.16.0.1 name ZENKOKU-LGWAN", "external"),
        ("ip vrf forwarding LGWAN", "lgwan"),
        ("hostname lg-core", "lgwan"),
        ("description エルジーワン端末", "lgwan"),
        ("description マイナンバー利用事務系", "mynumber"),
        ("hostname mn-core", "mynumber"),
        ('set alias "MYNUMBER"', "mynumber"),
        ("description kikan server", "mynumber"),
        ("description 基幹系 サーバー", "mynumber"),
        ("description インターネット接続系", "internet"),
        ("nameif dmz", "internet"),
        ("hostname inet-core", "internet"),
        ("description 内部情報系 端末", "other"),
        ("description jouhou LAN", "other"),
        # A bare 基幹 is the backbone as often as 基幹系; words inside other words do not count.
        ("description 基幹: bb-rtr Gi0/0", None),
        ("description mnemonic inetd lgx", None),
    ],
)
def test_the_zone_words_in_english_and_japanese(line: str, kind: str | None) -> None:
    assert kind_of(line) == kind


def test_a_group_with_words_of_two_zones_is_left_todo(tmp_path: Path) -> None:
    folder = tmp_path / "configs"
    folder.mkdir()
    (folder / "r1.cfg").write_text(
        "hostname r1\n!\ninterface GigabitEthernet0/0\n description LGWAN\n ip access-group INET-IN in\n"
        " ip address 10.9.1.1 255.255.255.0\n!\ninterface GigabitEthernet0/1\n description mynumber LAN\n"
        " ip address 10.8.1.1 255.255.255.0\n!\nip access-list extended INET-IN\n permit ip any any\n!\nend\n"
    )
    draft = draft_topology(str(folder), str(tmp_path / "t.yaml"))
    zones = yaml.safe_load(draft.text)["zones"]
    assert zones == {
        "mynumber": {
            "kind": "mynumber",
            "label": "My Number use (マイナンバー利用事務系)",
            "prefixes": ["10.8.1.0/24"],
        },
        "todo-1": {"kind": "TODO", "label": "TODO", "prefixes": ["10.9.1.0/24"]},
    }
