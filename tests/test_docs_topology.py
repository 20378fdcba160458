"""docs/topology.md tells the truth: its complete example loads, and every error line it shows
is exactly what the loader says for the one-line change the text describes (and no other); the
README and docs/ link only to documents that are in the repository."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from conftest import REPO

from nankoku_netcheck.errors import InputError
from nankoku_netcheck.topology import load_topology, read_device_configs

DOC = REPO / "docs" / "topology.md"
TOPOLOGY = "topologies/city.yaml"
CONFIGS = Path("device_configs") / "city"

# The one-line changes behind the "Common errors" section, in its order.
EDITS = [
    ("    prefixes: [10.2.0.0/16]", "    prefixes: [10.2.0.0/16]\n    vlan: 20"),
    ("    prefixes: [10.2.0.0/16]", "    prefixes: [10.2.0.1/16]"),
    ("    prefixes: [10.2.0.0/16]", "    prefixes: [10.1.0.0/16]"),
    ("upstream: [edge-rtr:GigabitEthernet0/0]", "upstream: [edge:GigabitEthernet0/0]"),
    ("  mn-gw:     {config: mn-gw.cfg}", "  mn-gw:     {config: mn-gw.cfg}\n  mn-fw:     {config: mn-fw.cfg}"),
    ("    dport: [25]", "    dport: [smtp]"),
    ("    expires: 2027-03-31", "    expires: 2027/03/31"),
    ("policy: nankoku-2019", "policy: mic-gamma"),
    ("{config: bb-rtr.cfg, encoding: cp932}", "{config: bb-rtr.cfg, encoding: sjis-win}"),
    ("    label: LGWAN接続系", "\tlabel: LGWAN接続系"),
]


def doc_text() -> str:
    return DOC.read_text(encoding="utf-8")


def complete_example() -> str:
    section = doc_text().split("## A complete example", 1)[1]
    match = re.search(r"```yaml\n(.*?)```", section, re.DOTALL)
    assert match is not None
    return match.group(1)


def documented_errors(prefix: str) -> list[str]:
    return [line for line in doc_text().splitlines() if line.startswith(f"error: {prefix}")]


@pytest.fixture
def city(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The example's folder layout in a git work tree, one small config per device."""
    (tmp_path / ".git").mkdir()
    (tmp_path / "topologies").mkdir()
    (tmp_path / CONFIGS).mkdir(parents=True)
    for name in re.findall(r"config: ([\w-]+)\.cfg", complete_example()):
        (tmp_path / CONFIGS / f"{name}.cfg").write_text(f"hostname {name}\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def load_problems(city: Path, text: str) -> list[str]:
    (city / TOPOLOGY).write_text(text, encoding="utf-8")
    with pytest.raises(InputError) as raised:
        load_topology(TOPOLOGY)
    return [f"error: {problem}" for problem in raised.value.problems]


def test_the_complete_example_loads(city: Path) -> None:
    (city / TOPOLOGY).write_text(complete_example(), encoding="utf-8")
    topology = load_topology(TOPOLOGY)
    assert [entry.name for entry in topology.devices] == [
        "mn-core",
        "mn-gw",
        "lg-core",
        "lg-gw",
        "bb-rtr",
        "inet-fw",
        "inet-core",
        "edge-rtr",
    ]
    assert {entry.name: entry.encoding for entry in topology.devices if entry.encoding} == {"bb-rtr": "cp932"}
    assert [zone.id for zone in topology.zones] == ["mynumber", "lgwan", "internet", "zenkoku-lgwan"]
    assert [channel.id for channel in topology.channels] == ["mail-text", "screen-transfer"]
    assert [exception.rule for exception in topology.exceptions] == ["ZONE-005"]
    assert set(read_device_configs(topology)) == {entry.name for entry in topology.devices}


def test_every_documented_error_is_what_the_loader_says(city: Path) -> None:
    example = complete_example()
    produced: list[str] = []
    for old, new in EDITS:
        assert example.count(old) >= 1, old
        problems = load_problems(city, example.replace(old, new, 1))
        assert len(problems) == 1, problems
        produced.extend(problems)
    assert produced == documented_errors(TOPOLOGY)


def test_the_documented_encoding_error(city: Path) -> None:
    # The sample city's bb-rtr.cfg saved as EUC-JP, without encoding: in the topology.
    sample = (REPO / "device_configs" / "nankoku" / "bb-rtr.cfg").read_text(encoding="utf-8")
    (city / CONFIGS / "bb-rtr.cfg").write_bytes(sample.encode("euc_jp"))
    without_override = complete_example().replace(", encoding: cp932}", "}")
    problems = load_problems(city, without_override)
    assert problems == documented_errors(str(CONFIGS / "bb-rtr.cfg"))
    (city / TOPOLOGY).write_text(
        without_override.replace("{config: bb-rtr.cfg}", "{config: bb-rtr.cfg, encoding: euc_jp}")
    )
    topology = load_topology(TOPOLOGY)
    assert read_device_configs(topology)["bb-rtr"].text == sample


LINK = re.compile(r"\]\(([^)\s]+)\)")
# The project's design notes live outside the repository: users cannot open them.
DESIGN_NOTES = ("architecture.md", "filter-model.md", "rules.md", "topology-schema.md")


def local_references(document: Path) -> list[str]:
    text = document.read_text(encoding="utf-8")
    links = [target.split("#", 1)[0] for target in LINK.findall(text) if "://" not in target]
    notes = [note for note in DESIGN_NOTES if re.search(rf"(?<![\w/-]){re.escape(note)}", text)]
    return [target for target in links if target] + notes


def test_local_links_and_named_documents_exist() -> None:
    documents = [REPO / "README.md", *sorted((REPO / "docs").glob("*.md"))]
    for document in documents:
        for target in local_references(document):
            assert (document.parent / target).exists() or (REPO / target).exists(), f"{document.name}: {target}"


def test_the_link_check_finds_a_missing_document(tmp_path: Path) -> None:
    document = tmp_path / "README.md"
    text = "see [x](docs/x.md#part), `topology-schema.md`, docs/rules.md-like and [web](https://example.org/a.md)\n"
    document.write_text(text, encoding="utf-8")
    assert local_references(document) == ["docs/x.md", "topology-schema.md"]
