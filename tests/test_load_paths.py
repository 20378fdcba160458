"""Loading a network fast gives what the plain way gave: the topology composed by libyaml
equals the pure-Python composer's (model, nodes and every problem), configs read once per
load equal a fresh read (and are read again once their file changed), the network graph
built on demand equals the one built eagerly, and `_plain` (the structure fingerprint's
form of a value) equals the former implementation's."""

from __future__ import annotations

import dataclasses
import enum
import os
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import REPO
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from strategies import NetworkCase, examples, mixed_networks, networks
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from nankoku_netcheck import incremental, topology
from nankoku_netcheck.analyze import load
from nankoku_netcheck.errors import InputError, InputProblem
from nankoku_netcheck.graph import NetworkGraph, build_network, is_up
from nankoku_netcheck.inputs import InputFile, read_input
from nankoku_netcheck.model import Device, Located, Source, Topology

SAMPLES = sorted((REPO / "topologies").glob("*.yaml"))
FIXTURE_TOPOLOGIES = sorted((REPO / "tests" / "fixtures").rglob("topology.yaml"))
FUZZ_REGRESSIONS = sorted((REPO / "tests" / "fuzz_regressions" / "topology").glob("*.yaml"))
VALID_SAMPLES = [path for path in SAMPLES if "broken" not in path.name]

Outcome = Topology | list[InputProblem]


def _outcome(load_it: Callable[[], Topology]) -> Outcome:
    try:
        return load_it()
    except InputError as error:
        return error.problems


def _both_paths(path: Path, monkeypatch: pytest.MonkeyPatch, root: str | None = None) -> tuple[Outcome, Outcome]:
    """(by libyaml where admitted, by the pure-Python composer only)."""
    fast = _outcome(lambda: topology.load_topology(str(path), root=root))
    with monkeypatch.context() as patch:
        patch.setattr(topology, "_C_LOADER", None)
        pure = _outcome(lambda: topology.load_topology(str(path), root=root))
    return fast, pure


def _tree(node: Node) -> object:
    """What the loader reads of a node: class, tag, style, value and line, recursively (not a
    collection's flow_style: libyaml gives False where PyYAML gives None to a list not indented
    under its key, and topology.py never reads it)."""
    line = topology._line(node)
    if isinstance(node, ScalarNode):
        return ("scalar", node.tag, node.style, node.value, line)
    if isinstance(node, SequenceNode):
        return ("seq", node.tag, line, [_tree(item) for item in node.value])
    assert isinstance(node, MappingNode)
    return ("map", node.tag, line, [(_tree(key), _tree(value)) for key, value in node.value])


def _composed(text: str) -> tuple[object, object]:
    """(`_compose` as the loader calls it, the pure-Python composer alone) for `text`: each a
    node tree or the problems raised."""
    source = InputFile(path="t.yaml", display="t.yaml", sha256="", text=text, encoding="utf-8")

    def outcome(compose: Callable[[], Node]) -> object:
        try:
            return _tree(compose())
        except InputError as error:
            return error.problems

    fast = outcome(lambda: topology._compose(source))
    pure = outcome(lambda: topology._compose_pure(source, "topology file", "a mapping with version, zones and devices"))
    return fast, pure


# --- the topology model and its problems on both YAML paths ------------------------------


@pytest.mark.parametrize("path", SAMPLES + FIXTURE_TOPOLOGIES + FUZZ_REGRESSIONS, ids=lambda path: path.name)
def test_topology_equal_on_both_yaml_paths(path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(path.parent)
    fast, pure = _both_paths(path, monkeypatch)
    assert fast == pure


@pytest.mark.parametrize("path", VALID_SAMPLES + FIXTURE_TOPOLOGIES, ids=lambda path: path.name)
def test_samples_take_the_libyaml_path(path: Path) -> None:
    """The comparison above is between two paths: the samples are composed by libyaml."""
    if topology._C_LOADER is None:
        pytest.skip("PyYAML without libyaml")
    root = topology._compose_with_libyaml(read_input(str(path)).text)
    assert root is not None
    fast, pure = _composed(read_input(str(path)).text)
    assert fast == pure


@pytest.mark.parametrize(
    ("text", "why"),
    [
        ("a: !!str x\n", "a tag"),
        ("%YAML 1.1\n---\na: 1\n", "a directive"),
        ("a: &x 1\nb: *x\n", "an anchor"),
        ("a:\n\tb: 1\n", "a tab"),
        ("a: x\u2028y\n", "a line separator"),
        ("a: x\u0085y\n", "a next-line character"),
        ("\ufeffa: 1\n", "a byte order mark"),
        ("a: x\x07\n", "a control character"),
        ("a: [1, 2\n", "a syntax error"),
        ("a: 1\n---\nb: 2\n", "two documents"),
        ("# only a comment\n", "no content"),
        ("a:\n" + "".join(f"{' ' * (2 * depth)}- k{depth}:\n" for depth in range(1, 70)), "deep nesting"),
    ],
)
def test_texts_left_to_the_pure_path(text: str, why: str) -> None:
    assert topology._compose_with_libyaml(text) is None, why
    fast, pure = _composed(text)
    assert fast == pure


def test_plain_scalars_styled_as_the_pure_composer_does() -> None:
    if topology._C_LOADER is None:
        pytest.skip("PyYAML without libyaml")
    text = "a:\nb: ''\nc: ~\nd: \"x\"\ng: [1, {h: i}]\n"
    root = topology._compose_with_libyaml(text)
    assert root is not None
    styles = [value.style for _key, value in root.value if isinstance(value, ScalarNode)]
    assert styles == [None, "'", None, '"']
    fast, pure = _composed(text)
    assert fast == pure


def test_block_scalars_go_through_the_pure_composer() -> None:
    """libyaml reads block scalar headers more leniently (`- >#`): such texts take the pure path."""
    for text in ("e: |\n  text\n", "f: >\n  folded\n", "- >#\n"):
        assert topology._compose_with_libyaml(text) is None
        fast, pure = _composed(text)
        assert fast == pure


_SCALAR_CHARACTERS = st.sampled_from(list("abcz09 -_.:/#,[]{}\"'\\|>?@`=~*&!%\tあー１\n"))
# Mostly harmless text (so that many documents are valid), sometimes any character.
_SCALAR_TEXT = st.one_of(
    st.text(st.sampled_from(list("abz09-_./:, あー１")), max_size=8), st.text(_SCALAR_CHARACTERS, max_size=8)
)


def _scalar(text: str, style: str) -> str:
    if style == "single":
        return "'" + text.replace("'", "''") + "'"
    if style == "double":
        return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'
    return text


_SCALARS = st.builds(_scalar, _SCALAR_TEXT, st.sampled_from(["plain", "plain", "single", "double"]))


@st.composite
def _documents(draw: st.DrawFn, depth: int = 0) -> str:
    """A YAML text in block or flow style (often invalid: the scalars are written raw)."""
    indent = "  " * depth
    kind = draw(st.sampled_from(["map", "seq", "flow"] if depth < 3 else ["flow"]))
    if kind == "flow":
        items = draw(st.lists(_SCALARS, max_size=3))
        if draw(st.booleans()):
            return "[" + ", ".join(items) + "]"
        return "{" + ", ".join(f"{key}: {value}" for key, value in zip(items, reversed(items), strict=True)) + "}"
    lines = []
    for _ in range(draw(st.integers(1, 3))):
        nested = draw(st.booleans())
        value = "\n" + draw(_documents(depth + 1)) if nested else " " + draw(_SCALARS)
        if nested and value.lstrip("\n")[:1] in "[{":
            value = " " + value.lstrip("\n")
        comment = draw(st.sampled_from(["", "", " # note"]))
        if kind == "map":
            lines.append(f"{indent}{draw(_SCALARS)}:{value}{comment if not nested else ''}")
        else:
            lines.append(f"{indent}-{value}{comment if not nested else ''}")
    return "\n".join(lines)


@settings(max_examples=int(os.environ.get("NX", "300")), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_documents(), st.lists(st.tuples(st.integers(0, 10_000), _SCALAR_CHARACTERS), max_size=3))
@example(document="- >#", edits=[])  # a block scalar header libyaml took and the pure scanner refuses
def test_generated_yaml_composes_alike(document: str, edits: list[tuple[int, str]]) -> None:
    text = document + "\n"
    for position, character in edits:
        at = position % (len(text) + 1)
        text = text[:at] + character + text[at:]
    fast, pure = _composed(text)
    assert fast == pure


@pytest.fixture(scope="module")
def sample_copy(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the samples and their configs (topologies/ and device_configs/)."""
    base = tmp_path_factory.mktemp("samples")
    shutil.copytree(REPO / "topologies", base / "topologies")
    shutil.copytree(REPO / "device_configs", base / "device_configs")
    return base / "topologies"


_MUTATIONS = st.sampled_from([*" -:#[]{},'\"\n|>?x0", "\n  ", ": ", "- ", "", "TODO", "&a", "*a", "!!str "])


@settings(
    max_examples=int(os.environ.get("NX", "60")),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    st.sampled_from([path.name for path in VALID_SAMPLES]),
    st.lists(st.tuples(st.floats(0, 1), st.integers(0, 3), _MUTATIONS), min_size=1, max_size=3),
)
def test_edited_samples_load_alike(
    sample_copy: Path, monkeypatch: pytest.MonkeyPatch, name: str, edits: list[tuple[float, int, str]]
) -> None:
    """A sample with a few characters replaced: the same model, or the same problems."""
    text = (REPO / "topologies" / name).read_text(encoding="utf-8")
    for where, removed, inserted in edits:
        at = int(where * len(text))
        text = text[:at] + inserted + text[at + removed :]
    edited = sample_copy / "edited.yaml"
    edited.write_text(text, encoding="utf-8")
    monkeypatch.chdir(sample_copy)
    fast, pure = _both_paths(edited, monkeypatch, str(sample_copy.parent))
    assert fast == pure


# --- the network graph, built on demand -------------------------------------------------


def _eager_graph(devices: dict[str, Device], network_segments: dict[str, object]) -> NetworkGraph:
    """The former `build_network`'s graph (graph.py before it was built on demand)."""
    import networkx as nx

    graph: NetworkGraph = nx.MultiGraph()
    for device_name in sorted(devices):
        device = devices[device_name]
        graph.add_node(("device", device_name), kind="device", vendor=device.vendor)
        for if_name in sorted(device.interfaces):
            graph.add_node(("interface", device_name, if_name), kind="interface", up=is_up(device.interfaces[if_name]))
            graph.add_edge(("device", device_name), ("interface", device_name, if_name))
    for segment in network_segments.values():
        graph.add_node(("segment", segment.id), kind="segment", zone=segment.zone, subnets=segment.subnets)  # type: ignore[attr-defined]
        for device_name, if_name in segment.members:  # type: ignore[attr-defined]
            graph.add_edge(("interface", device_name, if_name), ("segment", segment.id))  # type: ignore[attr-defined]
    return graph


def _graph_shape(graph: NetworkGraph) -> object:
    return (
        list(graph.nodes(data=True)),
        list(graph.edges(keys=True, data=True)),
        [(node, list(neighbours.items())) for node, neighbours in graph.adj.items()],
    )


@pytest.mark.parametrize("path", VALID_SAMPLES, ids=lambda path: path.name)
def test_graph_on_demand_equals_the_eager_one(path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(path.parent)
    loaded = load(str(path))
    network = build_network(loaded.topology, loaded.devices)
    assert "graph" not in vars(network)
    expected = _eager_graph(loaded.devices, network.segments)  # type: ignore[arg-type]
    assert _graph_shape(network.graph) == _graph_shape(expected)
    assert network.graph is network.graph


# --- the structure fingerprint ----------------------------------------------------------


_OLD_PRIMITIVES = (str, int, float, bool, type(None))
_OLD_FIELD_NAMES: dict[type, tuple[str, ...]] = {}


def _old_plain(value: object) -> object:
    """incremental._plain as it was before it decided per type (the reference)."""
    if isinstance(value, _OLD_PRIMITIVES):
        return value
    if isinstance(value, Source | Located):
        return None
    kind = type(value)
    names = _OLD_FIELD_NAMES.get(kind)
    if names is None and dataclasses.is_dataclass(value) and not isinstance(value, type):
        names = _OLD_FIELD_NAMES[kind] = tuple(f.name for f in dataclasses.fields(value))
    if names is not None:
        return (kind.__name__, *(_old_plain(getattr(value, name)) for name in names))
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, dict):
        return tuple((_old_plain(key), _old_plain(item)) for key, item in value.items())
    if isinstance(value, list | tuple):
        return tuple(_old_plain(item) for item in value)
    if isinstance(value, set | frozenset):
        return tuple(sorted((_old_plain(item) for item in value), key=repr))
    return value


def _old_structure_fingerprint(network: object, digest_of: Callable[[str, Device], str]) -> str:
    import hashlib

    digest = hashlib.sha256()
    topology_ = network.topology  # type: ignore[attr-defined]
    parts: tuple[object, ...] = (
        tuple((entry.name, entry.vendor, entry.instance) for entry in topology_.devices),
        _old_plain((topology_.links, topology_.zones, topology_.external_peers)),
        _old_plain(network.segments),  # type: ignore[attr-defined]
        tuple(sorted(network.segment_of.items())),  # type: ignore[attr-defined]
        tuple(digest_of(name, network.devices[name]) for name in sorted(network.devices)),  # type: ignore[attr-defined]
    )
    for part in parts:
        digest.update(repr(part).encode("utf-8") + b"\0")
    return digest.hexdigest()


@pytest.mark.parametrize("path", VALID_SAMPLES, ids=lambda path: path.name)
def test_structure_fingerprint_equals_the_former(path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(path.parent)
    network = load(str(path)).network
    assert incremental.structure_fingerprint(network) == _old_structure_fingerprint(
        network, incremental.device_structure_digest
    )
    for name, device in network.devices.items():
        assert repr(incremental._plain(device)) == repr(_old_plain(device)), name


class _Colour(enum.Enum):
    RED = "red"
    BLUE = 2


class _Level(enum.IntEnum):
    LOW = 1
    HIGH = 2


class _Name(str):
    pass


@dataclasses.dataclass(frozen=True)
class _Box:
    label: object
    at: Located | None = None
    items: object = ()


_LEAVES = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-5, 300),
    st.floats(allow_nan=False),
    st.text(max_size=3),
    st.sampled_from(
        [_Colour.RED, _Colour.BLUE, _Level.LOW, _Level.HIGH, _Name("n"), Located("f", 3), Source("f", 1, "x")]
    ),
)
_HASHABLE = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(-5, 300), st.text(max_size=3), st.sampled_from([_Level.LOW])),
    lambda inner: st.tuples(inner, inner) | st.frozensets(inner, max_size=3),
    max_leaves=6,
)
_VALUES = st.recursive(
    _LEAVES,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.lists(inner, max_size=4).map(tuple),
        st.sets(_HASHABLE, max_size=4),
        st.frozensets(_HASHABLE, max_size=4),
        st.dictionaries(_HASHABLE, inner, max_size=3),
        st.builds(_Box, inner, st.sampled_from([None, Located("t", 1)]), inner),
        st.just(_Box),
        st.just(int),
    ),
    max_leaves=20,
)


@settings(max_examples=400, deadline=None)
@given(_VALUES)
def test_plain_equals_the_former(value: object) -> None:
    assert repr(incremental._plain(value)) == repr(_old_plain(value))


@examples(60)
@given(st.one_of(networks(), mixed_networks()))
def test_generated_networks_graph_and_fingerprint_equal_the_former(case: NetworkCase) -> None:
    network = case.network
    expected = _eager_graph(network.devices, network.segments)  # type: ignore[arg-type]
    assert _graph_shape(network.graph) == _graph_shape(expected)
    assert incremental.structure_fingerprint(network) == _old_structure_fingerprint(
        network, incremental.device_structure_digest
    )
