"""Shared test helpers: write small networks (topology + IOS configs) to a folder."""

from __future__ import annotations

import os
import subprocess
import textwrap
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
CORPUS = REPO.parent / "shared" / "corpus"

ZONES_YAML = """\
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
    upstream: [r-inet:GigabitEthernet0/2]
"""

# A four-router city: each zone's router hangs off a transit core. Zone isolation rests
# entirely on the ACLs a test adds (the {…} slots), which makes each case one line.
TRIANGLE = {
    "r-mn": """\
        hostname r-mn
        interface GigabitEthernet0/0
         ip address 10.1.1.1 255.255.255.0
        interface GigabitEthernet0/1
         ip address 192.168.0.1 255.255.255.252
         {mn_iface}
        ip route 0.0.0.0 0.0.0.0 192.168.0.2
        {mn_extra}
        """,
    "r-core": """\
        hostname r-core
        interface GigabitEthernet0/0
         ip address 192.168.0.2 255.255.255.252
        interface GigabitEthernet0/1
         ip address 192.168.0.5 255.255.255.252
        interface GigabitEthernet0/2
         ip address 192.168.0.9 255.255.255.252
        ip route 10.1.0.0 255.255.0.0 192.168.0.1
        ip route 10.2.0.0 255.255.0.0 192.168.0.6
        ip route 10.3.0.0 255.255.0.0 192.168.0.10
        ip route 0.0.0.0 0.0.0.0 192.168.0.10
        {core_extra}
        """,
    "r-lg": """\
        hostname r-lg
        interface GigabitEthernet0/0
         ip address 10.2.1.1 255.255.255.0
        interface GigabitEthernet0/1
         ip address 192.168.0.6 255.255.255.252
         {lg_iface}
        ip route 0.0.0.0 0.0.0.0 192.168.0.5
        {lg_extra}
        """,
    "r-inet": """\
        hostname r-inet
        interface GigabitEthernet0/0
         ip address 10.3.1.1 255.255.255.0
        interface GigabitEthernet0/1
         ip address 192.168.0.10 255.255.255.252
         {inet_iface}
        interface GigabitEthernet0/2
         ip address 203.0.113.2 255.255.255.252
         ip access-group FROM-CLOUD in
        ip access-list extended FROM-CLOUD
         permit tcp any 10.3.0.0 0.0.255.255 established
        ip route 10.0.0.0 255.0.0.0 192.168.0.9
        ip route 0.0.0.0 0.0.0.0 203.0.113.1
        {inet_extra}
        """,
}

SLOTS = ("mn_iface", "mn_extra", "core_extra", "lg_iface", "lg_extra", "inet_iface", "inet_extra")

NetworkWriter = Callable[..., Path]


def write_network(folder: Path, configs: dict[str, str], topology_tail: str = "", zones: str = ZONES_YAML) -> Path:
    """Write configs/<name>.cfg and topology.yaml; return the topology path."""
    (folder / "configs").mkdir(parents=True, exist_ok=True)
    for name, text in configs.items():
        (folder / "configs" / f"{name}.cfg").write_text(textwrap.dedent(text), encoding="utf-8")
    devices = "".join(f"  {name}: {{config: {name}.cfg}}\n" for name in sorted(configs))
    topology = folder / "topology.yaml"
    topology.write_text(
        f"version: 1\nname: test city\nconfigs: configs\ndevices:\n{devices}{zones}{topology_tail}",
        encoding="utf-8",
    )
    return topology


@pytest.fixture
def triangle(tmp_path: Path) -> NetworkWriter:
    """triangle(mn_iface=..., lg_extra=..., topology_tail=...) writes the four-router city."""

    def make(topology_tail: str = "", **slots: str) -> Path:
        unknown = set(slots) - set(SLOTS)
        assert not unknown, f"unknown slots {unknown}"
        configs = {}
        for name, template in TRIANGLE.items():
            filled = textwrap.dedent(template)
            for slot in SLOTS:
                lines = textwrap.dedent(slots.get(slot, "")).strip("\n").splitlines()
                # interface slots sit inside the transit-facing interface block
                joiner = "\n " if slot.endswith("_iface") else "\n"
                filled = filled.replace("{" + slot + "}", joiner.join(lines) if lines else "!")
            configs[name] = filled
        return write_network(tmp_path, configs, topology_tail)

    return make


def rule_context(folder: Path):  # type: ignore[no-untyped-def]
    """The FlowContext that analyze() builds, for a folder holding `topology.yaml` (loaded
    as analyze loads it) or only `configs/*.cfg` (each device named after its file, in a
    topology without zones or links), so that a test can call one rule's check."""
    from nankoku_netcheck.analyze import load
    from nankoku_netcheck.graph import build_network
    from nankoku_netcheck.model import DeviceEntry, Located, Topology
    from nankoku_netcheck.parse import parse_config
    from nankoku_netcheck.reach.engine import ReachEngine, boundary_interfaces
    from nankoku_netcheck.reach.packets import PacketSpace
    from nankoku_netcheck.reach.trace import Tracer
    from nankoku_netcheck.rules.flows import FlowContext

    topology_file = folder / "topology.yaml"
    if topology_file.is_file():
        network = load(str(topology_file)).network
    else:
        devices = {}
        entries = []
        for config in sorted((folder / "configs").glob("*.cfg")):
            display = f"configs/{config.name}"
            device = parse_config(config.read_text(encoding="utf-8"), display)
            device.name = config.stem
            devices[config.stem] = device
            entries.append(DeviceEntry(config.stem, str(config), display, None, None, Located(str(topology_file), 0)))
        topology = Topology(
            path=str(topology_file),
            version=1,
            name=folder.name,
            policy="nankoku-2019",
            configs_dir=str(folder / "configs"),
            devices=tuple(entries),
            links=(),
            zones=(),
            external_peers=(),
            channels=(),
            exceptions=(),
        )
        network = build_network(topology, devices)
    space = PacketSpace()
    engine = ReachEngine(network, space, boundary_interfaces(network))
    return FlowContext(network, space, engine, Tracer(engine))


def rule_fixture_outcome(rule, folder: Path):  # type: ignore[no-untyped-def]
    """Runs `rule` on a fixture folder (see rule_context). Returns (found, expected,
    findings): found and expected are sorted (device, file name, line) of each finding's
    first evidence; expected comes from the folder's expected.yaml."""
    import yaml

    findings = rule.check(rule_context(folder))
    found = sorted((f.device, Path(f.evidence[0].file).name, f.evidence[0].line) for f in findings)
    listed = yaml.safe_load((folder / "expected.yaml").read_text(encoding="utf-8")) or []
    expected = sorted((item["device"], item["file"], item["line"]) for item in listed)
    return found, expected, findings


@pytest.fixture(autouse=True, scope="session")
def _private_cache_key(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """The cache's secret key (cache.py) made by tests lives in the test run's own folder,
    not in the user's ~/.config (command-line runs in subprocesses inherit the variable)."""
    saved = os.environ.get("XDG_CONFIG_HOME")
    os.environ["XDG_CONFIG_HOME"] = str(tmp_path_factory.mktemp("config"))
    yield
    if saved is None:
        os.environ.pop("XDG_CONFIG_HOME", None)
    else:
        os.environ["XDG_CONFIG_HOME"] = saved


def git(folder: Path, *args: str) -> None:
    """Run git in `folder` with a fixed identity and no user configuration."""
    subprocess.run(
        ["git", "-C", str(folder), *args],
        check=True,
        capture_output=True,
        env={
            "GIT_AUTHOR_NAME": "t",
            "GIT_AUTHOR_EMAIL": "t@example.invalid",
            "GIT_COMMITTER_NAME": "t",
            "GIT_COMMITTER_EMAIL": "t@example.invalid",
            "HOME": str(folder),
            "PATH": "/usr/bin:/bin",
        },
    )


def counted_parses(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """From now on, the display path of each config parsed in this process (not read from the
    parse cache), in order."""
    from nankoku_netcheck import parse_worker as parse_module

    parsed: list[str] = []
    parse = parse_module.parse_outcome

    def counted(text: str, display: str, vendor: str | None, instance: str | None = None) -> object:
        parsed.append(display)
        return parse(text, display, vendor, instance)

    monkeypatch.setattr(parse_module, "parse_outcome", counted)
    return parsed
