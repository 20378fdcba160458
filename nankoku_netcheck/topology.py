"""Loading the topology file (schema version 1, see the design note topology-schema.md).

The YAML is composed into nodes (never constructed by PyYAML) and every value is built
from its node here, so that each problem carries the line it was written on, and so that
YAML 1.1 surprises cannot change a value: a MAC address such as 10:20:30:40:50:59 is a
base-60 integer to PyYAML, but here every text field is taken from the node's raw text.
All problems are collected and raised together as one InputError.

Paths: `Topology.configs_dir` and `DeviceEntry.config_path` are absolute with symbolic
links resolved (that is the file actually read, and what the escape check is about);
`DeviceEntry.config_display` is that path relative to the current working directory when
it lies inside it, else the absolute path, so reports are byte-identical between runs
from the same directory.
"""

from __future__ import annotations

import bisect
import datetime
import difflib
import functools
import os
import re
import warnings
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Literal

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from nankoku_netcheck.errors import InputError, InputProblem, InputWarning
from nankoku_netcheck.inputs import (
    InputArea,
    InputFile,
    encoding_name,
    input_area,
    is_inside,
    missing_path_reason,
    read_input,
)
from nankoku_netcheck.model import (
    PORT_MAX,
    PROTO_ICMP,
    PROTO_TCP,
    PROTO_UDP,
    Channel,
    CustomProfile,
    Device,
    DeviceEntry,
    ExternalPeer,
    FlowSpec,
    InterfaceRef,
    Link,
    Located,
    PolicyException,
    PortRange,
    Topology,
    Zone,
    ZoneKind,
    ZonePolicy,
    format_prefix,
    prefix_mask,
)
from nankoku_netcheck.vendors import SUPPORTED, resolve_interface

SCHEMA_VERSION = 1
DEFAULT_POLICY = "nankoku-2019"
POLICIES = ("nankoku-2019", "mic-alpha", "mic-alpha-prime", "mic-beta", "mic-beta-prime")
CHANNEL_KINDS = ("mail-text", "screen-transfer", "file-sanitize")
ZONE_POLICY_ALLOW = ("none", "channels", "any")
# The three zones of the 三層の対策 exist once per network; external and other zones may repeat.
SINGLE_ZONE_KINDS = (ZoneKind.MYNUMBER, ZoneKind.LGWAN, ZoneKind.INTERNET)
AVAILABILITY_LEVELS = (1, 2)

_PROTOCOL_NAMES: dict[str, int | None] = {
    "tcp": PROTO_TCP,
    "udp": PROTO_UDP,
    "icmp": PROTO_ICMP,
    "ip": None,
    "any": None,
}
_PORT_PROTOCOLS = (PROTO_TCP, PROTO_UDP)

_TOP_REQUIRED = ("version", "zones", "devices")
_TOP_OPTIONAL = (
    "name",
    "policy",
    "configs",
    "links",
    "external_peers",
    "channels",
    "exceptions",
    "zone_policy",
    "cloud_destinations",
    "clauses",
)
_ZONE_REQUIRED = ("kind", "label", "prefixes")
_ZONE_OPTIONAL = ("upstream", "availability")
_DEVICE_REQUIRED = ("config",)
_DEVICE_OPTIONAL = ("vendor", "role", "instance", "encoding")
_PEER_REQUIRED = ("label", "addresses", "attach", "mac", "internet_connected", "allow")
_FLOW_REQUIRED = ("src", "dst", "proto")
_FLOW_OPTIONAL = ("dport", "sport")
_CHANNEL_REQUIRED = ("id", "kind", *_FLOW_REQUIRED)
_EXCEPTION_REQUIRED = ("rule", "flow", "reason", "approved_by", "ref", "expires")
_ZONE_POLICY_REQUIRED = ("from", "to", "allow")

_YAML_TAG = "tag:yaml.org,2002:"
_NULL_TAG = _YAML_TAG + "null"
_BOOL_TAG = _YAML_TAG + "bool"
_MERGE_TAG = _YAML_TAG + "merge"
_SCALAR_TAGS = {_YAML_TAG + name for name in ("str", "int", "float", "bool", "null", "timestamp")}

# re.ASCII everywhere: \d would otherwise accept full-width digits such as "１０".
_ADDRESS = r"(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})"
_PREFIX_RE = re.compile(rf"^{_ADDRESS}(?:/(\d{{1,2}}))?$", re.ASCII)
_PORT_RE = re.compile(r"^(\d{1,5})$", re.ASCII)
_PORT_RANGE_RE = re.compile(r"^(\d{1,5})\s*-\s*(\d{1,5})$", re.ASCII)
_MAC_COLON_RE = re.compile(r"^[0-9a-fA-F]{2}(?::[0-9a-fA-F]{2}){5}$", re.ASCII)
_MAC_DOTTED_RE = re.compile(r"^[0-9a-fA-F]{4}\.[0-9a-fA-F]{4}\.[0-9a-fA-F]{4}$", re.ASCII)
_RULE_ID_RE = re.compile(r"^[A-Z]{2,10}-\d{3}$", re.ASCII)
_DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$", re.ASCII)
_INTEGER_RE = re.compile(r"^\d+$", re.ASCII)
# How many interface names an "unknown interface" message shows.
_INTERFACE_HINTS = 6


# --- public API -----------------------------------------------------------------------


class ConfigReads:
    """The device configs one run has read, by (path, display, encoding): `load_topology` reads
    each to check it, `read_device_configs` hands the same file on instead of reading it again
    (reading, decoding and hashing the 1,000-device city's configs takes 0.07 s a pass). Made
    for one run: a later run must read the files as they are then."""

    def __init__(self) -> None:
        self._read: dict[tuple[str, str, str | None], InputFile] = {}

    def known(self, entry: DeviceEntry) -> InputFile | None:
        """The config of `entry` as this run read it, if it has."""
        return self._read.get((entry.config_path, entry.config_display, entry.encoding))

    def read(self, entry: DeviceEntry, line: int) -> InputFile | list[InputProblem]:
        known = self.known(entry)
        if known is not None:
            return known
        result = _read_device_config(entry, line)
        if isinstance(result, InputFile):
            self._read[entry.config_path, entry.config_display, entry.encoding] = result
        return result


def load_topology(
    path: str, allow_paths: Iterable[str] = (), root: str | None = None, reads: ConfigReads | None = None
) -> Topology:
    """Load and validate a topology file. Raises InputError listing every problem found.

    Device configs are checked to be present, readable, non-empty text, but not kept (but in
    `reads`, when given): `read_device_configs` reads them for the next stage. The configs
    folder and every config must lie in the git work tree holding the topology (else its
    folder), or `root` when given, or one of `allow_paths` (see inputs.input_area and docs/inputs.md).
    """
    source = read_input(path, what="topology file")
    area = input_area(path, allow_paths, root)
    root_node = _compose(source)
    todos = _todo_problems(root_node, source.display)
    if todos:
        # The rest would only repeat them ("'TODO' is not a valid zone kind").
        raise InputError(todos)
    builder = _TopologyBuilder(source, area, reads or ConfigReads())
    topology = builder.build(root_node)
    if builder.problems or topology is None:
        raise InputError(_sorted_problems(builder.problems, source.display))
    return topology


def read_device_configs(topology: Topology, reads: ConfigReads | None = None) -> dict[str, InputFile]:
    """Read every device config of the topology, keyed by device name (those `reads` holds
    from `load_topology` are not read again).

    Raises InputError with the problems of all configs at once.
    """
    configs: dict[str, InputFile] = {}
    problems: list[InputProblem] = []
    reader = reads or ConfigReads()
    for entry in topology.devices:
        result = reader.read(entry, entry.at.line)
        if isinstance(result, InputFile):
            configs[entry.name] = result
        else:
            problems.extend(result)
    if problems:
        raise InputError(problems)
    return configs


def check_references(topology: Topology, devices: Mapping[str, Device]) -> list[InputProblem]:
    """Problems for every interface named in the topology (links, upstream, attach) that
    its device's parsed config does not have. `devices` is keyed by topology device name."""
    problems: list[InputProblem] = []
    for path, ref in _interface_references(topology):
        problem = _reference_problem(path, ref, devices)
        if problem is not None:
            problems.append(problem)
    return problems


def duplicate_hostnames(topology: Topology, devices: Mapping[str, Device]) -> list[InputProblem]:
    """One warning per device whose config sets the same hostname as an earlier device's:
    usually a config copied from another device and not edited, which the analysis would
    trust as a distinct device. Placed at the later config's hostname line."""
    first: dict[str, tuple[DeviceEntry, str]] = {}
    warnings_found: list[InputProblem] = []
    for entry in topology.devices:
        device = devices.get(entry.name)
        if device is None or not device.hostname:
            continue
        source = device.mgmt.hostname_source
        where = (source.file, source.line) if source is not None else (entry.at.file, entry.at.line)
        if device.hostname not in first:
            first[device.hostname] = (entry, f"{where[0]}:{where[1]}")
            continue
        other, other_where = first[device.hostname]
        warnings_found.append(
            InputProblem(
                where[0],
                where[1],
                f"devices.{entry.name}: hostname '{device.hostname}' is also the hostname of devices.{other.name} "
                f"({other_where}) (expected one hostname per device: is one config a copy of the other?)",
            )
        )
    return warnings_found


def warn_duplicate_hostnames(topology: Topology, devices: Mapping[str, Device]) -> None:
    """`duplicate_hostnames` as InputWarnings (the CLI prints them as `warning:` lines)."""
    for problem in duplicate_hostnames(topology, devices):
        warnings.warn(InputWarning(problem), stacklevel=2)


def zone_of_address(topology: Topology, address: int) -> Zone | None:
    """The zone owning `address` by longest prefix over all zones, None if no zone claims it."""
    best: tuple[int, Zone] | None = None
    for zone in topology.zones:
        for network, length in zone.prefixes:
            if address & prefix_mask(length) == network and (best is None or length > best[0]):
                best = (length, zone)
    return best[1] if best is not None else None


def display_path(path: str) -> str:
    """`path` relative to the current working directory when inside it, else absolute."""
    return _shown_path(path, os.path.realpath(os.getcwd()))


def _shown_path(path: str, cwd: str) -> str:
    """`display_path` with the working directory's real path already known."""
    absolute = os.path.abspath(path)
    if is_inside(absolute, cwd):
        return os.path.relpath(absolute, cwd)
    return absolute


# --- reading configs and checking references ------------------------------------------


def _read_device_config(entry: DeviceEntry, line: int) -> InputFile | list[InputProblem]:
    try:
        return read_input(entry.config_path, entry.config_display, what="device config", encoding=entry.encoding)
    except InputError as error:
        return [_locate_config_problem(problem, entry, line) for problem in error.problems]


def _locate_config_problem(problem: InputProblem, entry: DeviceEntry, line: int) -> InputProblem:
    """A whole-file problem (missing, empty, ...) is reported where the topology names the
    file; a problem at a line inside the config stays in the config."""
    if problem.line:
        return problem
    message = f"devices.{entry.name}.config: {entry.config_display}: {problem.message}"
    return InputProblem(entry.at.file, line, message)


def _interface_references(topology: Topology) -> Iterable[tuple[str, InterfaceRef]]:
    for index, link in enumerate(topology.links):
        yield f"links[{index}][0]", link.a
        yield f"links[{index}][1]", link.b
    for zone in topology.zones:
        for index, ref in enumerate(zone.upstream):
            yield f"zones.{zone.id}.upstream[{index}]", ref
    for peer in topology.external_peers:
        yield f"external_peers.{peer.id}.attach", peer.attach


def _reference_problem(path: str, ref: InterfaceRef, devices: Mapping[str, Device]) -> InputProblem | None:
    device = devices.get(ref.device)
    if device is None:
        message = (
            f"{path}: device '{ref.device}' has no parsed configuration, so interface "
            f"'{ref.interface}' cannot be checked"
        )
        return InputProblem(ref.at.file, ref.at.line, message)
    if resolve_interface(device, ref.interface) is not None:
        return None
    hints = _interface_hints(device, ref.interface)
    listed = ", ".join(hints) if hints else "none"
    message = (
        f"{path}: device '{ref.device}' has no interface '{ref.interface}' in {device.source_file} "
        f"(expected an interface of its config, e.g.: {listed})"
    )
    return InputProblem(ref.at.file, ref.at.line, message)


def _interface_hints(device: Device, wanted: str) -> list[str]:
    names = sorted(device.interfaces)
    close = difflib.get_close_matches(wanted, names, n=_INTERFACE_HINTS, cutoff=0.5)
    rest = [name for name in names if name not in close]
    return (close + rest)[:_INTERFACE_HINTS]


# --- YAML ----------------------------------------------------------------------------


class _TagRecordingLoader(yaml.SafeLoader):
    """Composes nodes as SafeLoader does, noting every tag written in the file: a tag asks
    for a type this loader does not build (`!!python/object`, `!include`), and a tag on a
    list or mapping would otherwise pass unnoticed."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self.written_tags: list[tuple[int, str]] = []

    def compose_node(self, parent: Node | None, index: int) -> Node | None:
        peek: Callable[[], object] = self.peek_event  # untyped in the stubs
        event = peek()
        # An event's tag is set only when the file writes one (resolved tags are the node's).
        tag = getattr(event, "tag", None)
        mark = getattr(event, "start_mark", None)
        if tag is not None and isinstance(mark, yaml.Mark):
            self.written_tags.append((_mark_line(mark), tag))
        return super().compose_node(parent, index)


def _shown_tag(tag: str) -> str:
    return "!!" + tag[len(_YAML_TAG) :] if tag.startswith(_YAML_TAG) else tag


# libyaml's composer when PyYAML was built with it (several times faster than the pure-Python
# one); None sends every text through the pure-Python composer.
_C_LOADER: type[yaml.CSafeLoader] | None = getattr(yaml, "CSafeLoader", None) if yaml.__with_libyaml__ else None
# What the libyaml path leaves to the pure-Python one, whose nodes and messages are the
# contract: tags and directives (the tag record reads the parser's events), anchors (and so
# aliases), "?" (inside [..] and {..} PyYAML reads it as a key indicator where libyaml may read
# text), tabs, a byte order mark, carriage returns and the breaks only YAML ends lines at
# (`_mark_line` needs the pure reader's buffer for them); characters the pure reader refuses.
# `|` and `>`: block scalars, whose headers libyaml reads more leniently (`- >#` is a scalar to
# it and a syntax error to the pure-Python scanner; found by tests/test_load_paths.py).
_PURE_ONLY = re.compile("[!%&?|>\t\r\ufeff\u0085\u2028\u2029]")
_NON_PRINTABLE: re.Pattern[str] = yaml.reader.Reader.NON_PRINTABLE
# Deeper trees go through the pure-Python composer: it raises RecursionError (and so a problem)
# far below libyaml's own nesting limit. Topology files nest about six deep.
_C_MAX_DEPTH = 64


def _compose(
    source: InputFile, what: str = "topology file", expected: str = "a mapping with version, zones and devices"
) -> Node:
    """The YAML node tree; syntax errors become one InputProblem with the line, and so
    does every tag written in the file (the schema has no use for any)."""
    root = _compose_with_libyaml(source.text)
    if root is not None:
        return root
    return _compose_pure(source, what, expected)


def _compose_with_libyaml(text: str) -> Node | None:
    """The tree the pure-Python composer gives for `text`, by libyaml; None when `text` is not
    one that path admits, or when it has no content, a problem or nesting beyond `_C_MAX_DEPTH`
    (the pure-Python path then gives the node tree or the exact message)."""
    if _C_LOADER is None or _PURE_ONLY.search(text) is not None or _NON_PRINTABLE.search(text) is not None:
        return None
    loader = _C_LOADER(text)
    try:
        root = loader.get_single_node()
    except yaml.YAMLError:
        return None
    finally:
        loader.dispose()
    if not isinstance(root, Node) or not _as_pure_nodes(root):
        return None
    return root


def _as_pure_nodes(root: Node) -> bool:
    """Gives the plain scalars of a libyaml tree the pure-Python composer's style (None, not
    ""); False when the tree is deeper than `_C_MAX_DEPTH`. Without anchors it is a tree."""
    pending: list[tuple[Node, int]] = [(root, 1)]
    while pending:
        node, depth = pending.pop()
        if depth > _C_MAX_DEPTH:
            return False
        if isinstance(node, ScalarNode):
            if node.style == "":
                node.style = None
        elif isinstance(node, SequenceNode):
            pending.extend((item, depth + 1) for item in node.value)
        elif isinstance(node, MappingNode):
            for key_node, value_node in node.value:
                pending.append((key_node, depth + 1))
                pending.append((value_node, depth + 1))
    return True


def _compose_pure(source: InputFile, what: str, expected: str) -> Node:
    loader: _TagRecordingLoader | None = None
    try:
        # Inside the try: PyYAML checks every character of a text stream when the loader is
        # built, so a control character anywhere in the file raises ReaderError right here.
        loader = _TagRecordingLoader(source.text)
        root = loader.get_single_node()
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = _mark_line(mark) if mark is not None else 0
        problem = " ".join(part for part in (error.context, error.problem) if part) or "invalid YAML"
        hint = "YAML indents with spaces, not tabs" if "\\t" in problem else "check indentation and quoting"
        raise InputError.single(
            source.display, line, f"YAML syntax error: {problem} (expected valid YAML: {hint})"
        ) from None
    except yaml.reader.ReaderError as error:
        line = source.text[: error.position].count("\n") + 1
        raise InputError.single(
            source.display, line, f"character U+{error.character:04X} is not allowed in YAML (remove it)"
        ) from None
    except RecursionError:
        raise InputError.single(source.display, 0, f"YAML nested too deeply (expected a small {what})") from None
    finally:
        if loader is not None:
            loader.dispose()
    if loader.written_tags:
        raise InputError(
            [
                InputProblem(
                    source.display,
                    line,
                    f"YAML tag {_shown_tag(tag)} is not supported (expected plain values: remove the tag)",
                )
                for line, tag in loader.written_tags
            ]
        )
    if root is None:
        raise InputError.single(
            source.display,
            0,
            f"{what} has no content (expected {expected})",
        )
    return root


def _line(node: Node) -> int:
    return _mark_line(node.start_mark)


TODO_VALUE = "TODO"


def _todo_problems(root: Node, display: str) -> list[InputProblem]:
    """One problem per value written `TODO` (what `init` leaves where the configs said nothing).
    A node reached again through an alias is walked once: aliases can nest exponentially."""
    found: list[InputProblem] = []
    seen: set[int] = set()
    pending: list[tuple[Node, str]] = [(root, "")]
    while pending:
        node, path = pending.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        if isinstance(node, ScalarNode) and str(node.value).strip() == TODO_VALUE:
            where = f"{path}: " if path else ""
            message = f"{where}resolve the TODO (write the value; init left it where the configs gave no evidence)"
            found.append(InputProblem(display, _line(node), message))
        elif isinstance(node, SequenceNode):
            pending.extend((item, f"{path}[{index}]") for index, item in enumerate(node.value))
        elif isinstance(node, MappingNode):
            for key_node, value_node in node.value:
                key = str(key_node.value) if isinstance(key_node, ScalarNode) else "?"
                pending.append((key_node, path))
                pending.append((value_node, f"{path}.{key}" if path else key))
    return sorted(found, key=lambda problem: problem.line)


# PyYAML also ends lines at U+0085, U+2028 and U+2029; everywhere else (messages, reports,
# editors' line numbers) only "\n" does, so a mark's own line would point too far down.
_YAML_ONLY_BREAKS = re.compile("[\u0085\u2028\u2029]")


def _mark_line(mark: yaml.Mark) -> int:
    """1-based line of `mark`, counting "\n" only (the text has been newline-normalised)."""
    if mark.buffer is None or not _has_yaml_only_breaks(mark.buffer):
        return int(mark.line) + 1
    return bisect.bisect_left(_newline_offsets(mark.buffer), mark.pointer) + 1


@functools.lru_cache(maxsize=4)
def _has_yaml_only_breaks(text: str) -> bool:
    return _YAML_ONLY_BREAKS.search(text) is not None


@functools.lru_cache(maxsize=4)
def _newline_offsets(text: str) -> list[int]:
    return [match.start() for match in re.finditer("\n", text)]


def _node_kind(node: Node) -> str:
    if isinstance(node, MappingNode):
        return "a mapping"
    if isinstance(node, SequenceNode):
        return "a list"
    if node.tag == _NULL_TAG and not node.value:
        return "nothing"
    return f"'{node.value}'"


def _is_null(node: Node) -> bool:
    """An empty value, `~` or `null` written unquoted."""
    return isinstance(node, ScalarNode) and node.tag == _NULL_TAG and node.style is None


def _sorted_problems(problems: list[InputProblem], topology_display: str) -> list[InputProblem]:
    """Topology problems first, by line; then problems inside config files."""
    return sorted(problems, key=lambda problem: (problem.file != topology_display, problem.file, problem.line))


@dataclass(frozen=True)
class _ZonePrefix:
    network: int
    length: int
    path: str
    line: int


CLAUSE_MAP_EXPECTED = "a mapping of rule ID to the city's clause, e.g. ZONE-001: 対策基準 3(1)①"
PROFILE_EXPECTED = (
    "a mapping with base (a shipped profile) and optionally families, exclude, clauses, label_ja, label_en"
)
_PROFILE_OPTIONAL = ("families", "exclude", "clauses", "label_ja", "label_en")
_PROFILE_SUFFIXES = (".yaml", ".yml")


def _catalogue_ids() -> frozenset[str]:
    # Imported here: the rules import the graph, which imports this module.
    from nankoku_netcheck.rules import CATALOG

    return frozenset(rule.id for rule in CATALOG)


def _catalogue_families() -> tuple[str, ...]:
    from nankoku_netcheck.rules import FAMILIES

    return FAMILIES


# --- the builder ---------------------------------------------------------------------


class _TopologyBuilder:
    """Builds a Topology from YAML nodes, collecting problems instead of stopping."""

    def __init__(self, source: InputFile, area: InputArea, reads: ConfigReads) -> None:
        self.source = source
        self.area = area
        self.reads = reads
        self.problems: list[InputProblem] = []
        self.topology_dir = os.path.dirname(os.path.abspath(source.path))
        self.configs_dir: str | None = None
        # None while unknown (devices missing or malformed): reference checks are skipped
        # then, so one mistake does not multiply into one error per reference.
        self.device_names: set[str] | None = None
        self.zone_ids: set[str] | None = None
        self.custom_profile: CustomProfile | None = None
        self.extra_inputs: list[tuple[str, str, str]] = []
        self.cwd = os.path.realpath(os.getcwd())

    # problems and scalars

    def problem(self, where: Node | int, path: str, message: str) -> None:
        line = where if isinstance(where, int) else _line(where)
        text = f"{path}: {message}" if path else message
        self.problems.append(InputProblem(self.source.display, line, text))

    def text(self, node: Node | None, path: str, expected: str) -> str | None:
        """Raw text of a scalar (never YAML-1.1-converted); None after reporting a problem,
        or when `node` is None (a missing key, already reported)."""
        if node is None:
            return None
        if not isinstance(node, ScalarNode) or _is_null(node):
            self.problem(node, path, f"expected {expected}, found {_node_kind(node)}")
            return None
        if node.tag not in _SCALAR_TAGS:
            self.problem(node, path, f"unsupported YAML tag {node.tag} (expected {expected})")
            return None
        value = str(node.value).strip()
        if not value:
            self.problem(node, path, f"expected {expected}, found an empty text")
            return None
        return value

    def choice(self, node: Node | None, path: str, what: str, valid: Iterable[str]) -> str | None:
        if node is None:
            return None
        options = tuple(valid)
        expected = f"one of: {', '.join(options)}"
        value = self.text(node, path, f"{what}, {expected}")
        if value is None:
            return None
        if value not in options:
            self.problem(node, path, f"'{value}' is not a valid {what} (expected {expected})")
            return None
        return value

    def integer(self, node: Node | None, path: str, expected: str, low: int, high: int) -> int | None:
        if node is None:
            return None
        value = self.text(node, path, expected)
        if value is None:
            return None
        if not _INTEGER_RE.match(value) or not low <= int(value) <= high:
            self.problem(node, path, f"'{value}' is not valid (expected {expected})")
            return None
        return int(value)

    def boolean(self, node: Node | None, path: str) -> bool | None:
        if node is None:
            return None
        if isinstance(node, ScalarNode) and node.tag == _BOOL_TAG:
            return bool(yaml.constructor.SafeConstructor().construct_yaml_bool(node))
        self.problem(node, path, f"expected true or false (unquoted), found {_node_kind(node)}")
        return None

    # collections

    def entries(self, node: Node, path: str, expected: str) -> list[tuple[str, Node, Node]] | None:
        """(key, key node, value node) of a mapping, duplicate keys reported and dropped."""
        if not isinstance(node, MappingNode):
            self.problem(node, path, f"expected {expected}, found {_node_kind(node)}")
            return None
        seen: dict[str, int] = {}
        result: list[tuple[str, Node, Node]] = []
        for key_node, value_node in node.value:
            if key_node.tag == _MERGE_TAG:
                self.problem(key_node, path, "merge keys (<<) are not supported (expected the keys written out)")
                continue
            key = self.text(key_node, path, "a key")
            if key is None:
                continue
            if key in seen:
                where = f"in {path}" if path else "at the top level"
                self.problem(key_node, path, f"duplicate key '{key}' {where} (first at line {seen[key]})")
                continue
            seen[key] = _line(key_node)
            result.append((key, key_node, value_node))
        return result

    def fields(
        self,
        node: Node | None,
        path: str,
        required: tuple[str, ...],
        optional: tuple[str, ...],
        expected: str,
        owner: Node | None = None,
    ) -> dict[str, Node] | None:
        """A mapping with fixed keys: unknown keys and missing required keys are reported,
        the latter on the line of `owner` (the key holding the mapping) when given."""
        if node is None:
            return None
        entries = self.entries(node, path, expected)
        if entries is None:
            return None
        allowed = required + optional
        values: dict[str, Node] = {}
        for key, key_node, value_node in entries:
            if key in allowed:
                values[key] = value_node
            else:
                self.problem(key_node, path, _unknown_key_message(key, allowed))
        for key in required:
            if key not in values:
                self.problem(
                    owner or node,
                    path,
                    f"missing required key '{key}' (expected keys: {', '.join(required)}; "
                    f"optional: {', '.join(optional) or 'none'})",
                )
        return values

    def items(self, node: Node | None, path: str, expected: str, single_allowed: bool = False) -> list[Node] | None:
        """Items of a list; with `single_allowed` a lone scalar counts as a one-item list."""
        if node is None:
            return None
        if isinstance(node, SequenceNode):
            return list(node.value)
        if single_allowed and isinstance(node, ScalarNode) and not _is_null(node):
            return [node]
        self.problem(node, path, f"expected {expected}, found {_node_kind(node)}")
        return None

    # addresses

    def prefix(self, node: Node, path: str, bare_address_allowed: bool) -> tuple[int, int] | None:
        expected = "a.b.c.d/len or a.b.c.d" if bare_address_allowed else "a.b.c.d/len"
        value = self.text(node, path, f"an IPv4 prefix ({expected})")
        if value is None:
            return None
        match = _PREFIX_RE.match(value)
        if match is None or (match.group(5) is None and not bare_address_allowed):
            self.problem(node, path, f"'{value}' is not an IPv4 prefix (expected {expected})")
            return None
        octets = [int(match.group(index)) for index in range(1, 5)]
        length = int(match.group(5)) if match.group(5) is not None else 32
        if any(octet > 255 for octet in octets) or length > 32:
            self.problem(node, path, f"'{value}' is not an IPv4 prefix (expected {expected})")
            return None
        address = (octets[0] << 24) | (octets[1] << 16) | (octets[2] << 8) | octets[3]
        network = address & prefix_mask(length)
        if network != address:
            self.problem(
                node,
                path,
                f"'{value}' has host bits set (expected the network address "
                f"{format_prefix(network, length)}, or /32 for a single host)",
            )
            return None
        return network, length

    def prefix_list(
        self, node: Node | None, path: str, bare_address_allowed: bool
    ) -> list[tuple[int, int, Node]] | None:
        if node is None:
            return None
        items = self.items(node, path, "a list of IPv4 prefixes", single_allowed=True)
        if items is None:
            return None
        if not items:
            self.problem(node, path, "expected at least one IPv4 prefix (use 0.0.0.0/0 for any address)")
            return None
        result: list[tuple[int, int, Node]] = []
        for index, item in enumerate(items):
            parsed = self.prefix(item, f"{path}[{index}]", bare_address_allowed)
            if parsed is not None:
                result.append((parsed[0], parsed[1], item))
        # Invalid items are left out (and reported): the cross-zone checks still see the rest.
        return result

    def interface_ref(self, node: Node | None, path: str) -> InterfaceRef | None:
        if node is None:
            return None
        value = self.text(node, path, "device:interface")
        if value is None:
            return None
        device, separator, interface = value.partition(":")
        device, interface = device.strip(), interface.strip()
        if not separator or not device or not interface:
            self.problem(node, path, f"'{value}' is not device:interface (expected e.g. edge-rtr:GigabitEthernet0/0)")
            return None
        if self.device_names is not None and device not in self.device_names:
            declared = ", ".join(sorted(self.device_names)) or "none"
            self.problem(node, path, f"device '{device}' is not declared in devices (expected one of: {declared})")
        return InterfaceRef(device, interface, self.located(node))

    def located(self, node: Node) -> Located:
        return Located(self.source.display, _line(node))

    # the whole file

    def build(self, root: Node) -> Topology | None:
        top = self.fields(
            root,
            "",
            _TOP_REQUIRED,
            _TOP_OPTIONAL,
            "a mapping with version, zones and devices at the top level",
        )
        if top is None:
            return None
        problems_before_version = len(self.problems)
        version = self.version(top.get("version"))
        if "version" in top and version is None:
            # The rest of the file follows a schema this loader does not know: its
            # problems would be noise, so only the version is reported.
            self.problems = self.problems[problems_before_version:]
            return None
        name = self.name(top.get("name"))
        policy = self.policy(top.get("policy"))
        self.configs_dir = self.configs(top.get("configs"))
        devices = self.devices(top["devices"]) if "devices" in top else ()
        zones = self.zones(top["zones"]) if "zones" in top else ()
        # Optional sections may be left empty (`links:` with nothing after it).
        sections = {key: node for key, node in top.items() if not _is_null(node)}
        links = self.links(sections["links"]) if "links" in sections else ()
        peers = self.external_peers(sections["external_peers"]) if "external_peers" in sections else ()
        channels = self.channels(sections["channels"]) if "channels" in sections else ()
        exceptions = self.exceptions(sections["exceptions"]) if "exceptions" in sections else ()
        zone_policy = self.zone_policy(sections["zone_policy"]) if "zone_policy" in sections else ()
        cloud = (
            self.flow_list(sections["cloud_destinations"], "cloud_destinations") or ()
            if "cloud_destinations" in sections
            else ()
        )
        clauses = self.clauses(sections["clauses"]) if "clauses" in sections else ()
        if self.problems or version is None or self.configs_dir is None:
            return None
        return Topology(
            path=self.source.path,
            version=version,
            name=name,
            policy=policy or DEFAULT_POLICY,
            configs_dir=self.configs_dir,
            devices=devices,
            links=links,
            zones=zones,
            external_peers=peers,
            channels=channels,
            exceptions=exceptions,
            zone_policy=zone_policy,
            cloud_destinations=cloud,
            clauses=clauses,
            custom_profile=self.custom_profile,
            extra_inputs=tuple(self.extra_inputs),
        )

    def version(self, node: Node | None) -> int | None:
        """SCHEMA_VERSION, or None when missing or anything else (reported)."""
        if node is None:
            return None
        value = self.text(node, "version", f"the schema version {SCHEMA_VERSION}")
        if value is None:
            return None
        if not _INTEGER_RE.match(value) or int(value) != SCHEMA_VERSION:
            self.problem(node, "version", f"unsupported schema version '{value}' (expected {SCHEMA_VERSION})")
            return None
        return SCHEMA_VERSION

    def name(self, node: Node | None) -> str:
        default = os.path.splitext(os.path.basename(self.source.path))[0]
        if node is None:
            return default
        return self.text(node, "name", "the network's name (free text)") or default

    def policy(self, node: Node | None) -> str | None:
        if node is None:
            return DEFAULT_POLICY
        value = self.text(node, "policy", f"a policy profile, one of: {', '.join(POLICIES)}, or a profile file")
        if value is None:
            return None
        if value.endswith(_PROFILE_SUFFIXES):
            self.custom_profile = self.profile_file(node, value)
            return self.custom_profile.base if self.custom_profile is not None else None
        return self.choice(node, "policy", "policy profile", POLICIES)

    def profile_file(self, node: Node, value: str) -> CustomProfile | None:
        """The city's own profile file named by `policy:`; its problems carry its own file and line."""
        loaded = self.yaml_file(node, "policy", value, "profile file", PROFILE_EXPECTED, "profile")
        if loaded is None:
            return None
        source, root = loaded
        reader = _TopologyBuilder(source, self.area, self.reads)
        profile = reader.profile(root, source.display)
        self.problems.extend(reader.problems)
        return profile

    def profile(self, root: Node, display: str) -> CustomProfile | None:
        fields = self.fields(root, "", ("base",), _PROFILE_OPTIONAL, PROFILE_EXPECTED)
        if fields is None:
            return None
        base = self.choice(fields.get("base"), "base", "base profile", POLICIES)
        labels = {key: self.text(fields.get(key), key, "a label (text)") or "" for key in ("label_ja", "label_en")}
        families = self.families(fields["families"]) if "families" in fields else None
        exclude = self.rule_ids(fields["exclude"], "exclude") if "exclude" in fields else None
        clauses = self.clause_map(fields["clauses"], "clauses") if "clauses" in fields else ()
        if base is None:
            return None
        return CustomProfile(display, base, labels["label_ja"], labels["label_en"], families, exclude, clauses)

    def families(self, node: Node) -> tuple[str, ...]:
        known = _catalogue_families()
        result = []
        for item in self.items(node, "families", "a list of rule families, e.g. [ZONE, META, MGMT]") or []:
            family = self.text(item, "families", "a rule family")
            if family is None:
                continue
            if family not in known:
                self.problem(item, "families", f"unknown rule family '{family}' (expected one of: {', '.join(known)})")
                continue
            result.append(family)
        return tuple(result)

    def rule_ids(self, node: Node, path: str) -> tuple[str, ...]:
        known = _catalogue_ids()
        result = []
        for item in self.items(node, path, "a list of rule IDs, e.g. [ZONE-008]") or []:
            rule_id = self.text(item, path, "a rule ID")
            if rule_id is None:
                continue
            if rule_id not in known:
                self.unknown_rule(item, path, rule_id, known)
                continue
            result.append(rule_id)
        return tuple(result)

    def unknown_rule(self, node: Node, path: str, rule_id: str, known: frozenset[str]) -> None:
        close = difflib.get_close_matches(rule_id.upper(), sorted(known), n=3)
        hint = f"did you mean {', '.join(close)}?" if close else "see `nankoku-netcheck rules`"
        self.problem(node, path, f"unknown rule ID '{rule_id}' (expected a rule ID of the catalogue; {hint})")

    def configs(self, node: Node | None) -> str | None:
        if node is None:
            return os.path.realpath(self.topology_dir)
        value = self.text(node, "configs", "the folder of device configs, relative to this file")
        if value is None:
            return None
        # Containment is checked before existence: whether a path outside exists is
        # itself something a published report must not tell.
        written = os.path.normpath(os.path.join(os.path.realpath(self.topology_dir), value))
        folder = os.path.realpath(written)
        if not self.area.contains(written):
            self.problem(
                node,
                "configs",
                f"'{value}' is outside {self.area.describe()} (expected a folder inside it, relative to "
                "this file; pass --allow-path DIR to read configs from DIR)",
            )
            return None
        if not self.area.contains(folder):
            self.problem(
                node,
                "configs",
                f"'{value}' is a symbolic link to {folder}, outside {self.area.describe()} (expected a "
                "folder inside it; pass --allow-path DIR to read configs from DIR)",
            )
            return None
        try:
            os.stat(folder)
        except OSError as error:
            self.problem(
                node,
                "configs",
                f"folder '{display_path(folder)}' {missing_path_reason(folder, error)} (expected the folder "
                "of device configs, relative to this file)",
            )
            return None
        if not os.path.isdir(folder):
            self.problem(
                node,
                "configs",
                f"'{display_path(folder)}' is not a folder (expected a folder of device configs)",
            )
            return None
        return folder

    # the city's clause map

    def clauses(self, node: Node) -> tuple[tuple[str, str], ...]:
        """The clause map file named by `clauses:`: rule ID → the city's own clause; its
        problems carry its own file and line."""
        value = self.text(node, "clauses", "a clause map file (rule ID: clause), relative to this file")
        loaded = (
            None
            if value is None
            else self.yaml_file(node, "clauses", value, "clause map", CLAUSE_MAP_EXPECTED, "clauses")
        )
        if loaded is None:
            return ()
        source, root = loaded
        reader = _TopologyBuilder(source, self.area, self.reads)
        clauses = reader.clause_map(root, "")
        self.problems.extend(reader.problems)
        return clauses

    def yaml_file(
        self, node: Node, key: str, value: str, what: str, expected: str, kind: str
    ) -> tuple[InputFile, Node] | None:
        """A further YAML input named at `node`, relative to this file and confined like the
        configs, recorded as an input of `kind`; a problem with the whole file is reported at `node`."""
        written = os.path.normpath(os.path.join(os.path.realpath(self.topology_dir), value))
        real = os.path.realpath(written)
        if not self.area.contains(written) or not self.area.contains(real):
            self.problem(
                node,
                key,
                f"'{value}' is outside {self.area.describe()} (expected a file inside it, relative to this file)",
            )
            return None
        try:
            source = read_input(real, display_path(written), what=what)
            root = _compose(source, what, expected)
        except InputError as error:
            for problem in error.problems:
                if problem.line:
                    self.problems.append(problem)
                else:
                    self.problem(node, key, f"{problem.file}: {problem.message}")
            return None
        self.extra_inputs.append((kind, real, source.display))
        return source, root

    def clause_map(self, root: Node, path: str) -> tuple[tuple[str, str], ...]:
        entries = self.entries(root, path, CLAUSE_MAP_EXPECTED)
        if entries is None:
            return ()
        known = _catalogue_ids()
        result: list[tuple[str, str]] = []
        for rule_id, key_node, value_node in entries:
            if rule_id not in known:
                self.unknown_rule(key_node, path, rule_id, known)
                continue
            clause = self.text(
                value_node, f"{path}.{rule_id}" if path else rule_id, "the city's clause for this rule (text)"
            )
            if clause is not None:
                result.append((rule_id, clause))
        return tuple(sorted(result))

    # devices

    def devices(self, node: Node) -> tuple[DeviceEntry, ...]:
        entries = self.entries(node, "devices", "a mapping of device name to {config: file}")
        if entries is None:
            return ()
        if not entries:
            self.problem(node, "devices", "expected at least one device (name: {config: file})")
        self.device_names = {name for name, _, _ in entries}
        result: list[DeviceEntry] = []
        # One device per config file, or per virtual device inside one (`instance:`).
        device_of_config: dict[tuple[str, str | None], DeviceEntry] = {}
        for name, key_node, value_node in entries:
            entry = self.device(name, key_node, value_node)
            if entry is None:
                continue
            first = device_of_config.get((entry.config_path, entry.instance))
            if first is not None:
                self.problem(
                    key_node,
                    f"devices.{name}.config",
                    f"{entry.config_display} is also the config of "
                    f"devices.{first.name} at line {first.at.line} (expected one config file per device)",
                )
                continue
            device_of_config[(entry.config_path, entry.instance)] = entry
            result.append(entry)
        return tuple(result)

    def device(self, name: str, key_node: Node, node: Node) -> DeviceEntry | None:
        path = f"devices.{name}"
        if ":" in name or any(character.isspace() for character in name):
            self.problem(
                key_node,
                "devices",
                f"device name '{name}' must not contain ':' or spaces "
                "(it is written as device:interface in links, upstream and attach)",
            )
        fields = self.fields(
            node, path, _DEVICE_REQUIRED, _DEVICE_OPTIONAL, "a mapping like {config: file.cfg}", key_node
        )
        if fields is None:
            return None
        vendor = self.choice(fields.get("vendor"), f"{path}.vendor", "vendor", SUPPORTED)
        role = self.text(fields.get("role"), f"{path}.role", "a role (free text)")
        instance = self.text(
            fields.get("instance"), f"{path}.instance", "the virtual device inside the config (FortiGate VDOM name)"
        )
        encoding = self.encoding(fields.get("encoding"), f"{path}.encoding")
        if "config" not in fields:
            return None
        config_node = fields["config"]
        config_path = self.config_path(config_node, f"{path}.config")
        if config_path is None:
            return None
        entry = DeviceEntry(
            name=name,
            config_path=config_path,
            config_display=_shown_path(config_path, self.cwd),
            vendor=vendor,
            role=role,
            at=self.located(key_node),
            instance=instance,
            encoding=encoding if encoding is not False else None,
        )
        # With an encoding: that is no encoding, reading the file would only add a second problem.
        if encoding is not False:
            result = self.reads.read(entry, _line(config_node))
            if isinstance(result, list):
                self.problems.extend(result)
        return entry

    def encoding(self, node: Node | None, path: str) -> str | Literal[False] | None:
        """The codec an `encoding:` names (None when absent), False after reporting a problem."""
        if node is None:
            return None
        value = self.text(node, path, "an encoding name such as cp932")
        if value is None:
            return False
        name = encoding_name(value)
        if name is None:
            self.problem(
                node,
                path,
                f"'{value}' is not a text encoding Python knows (expected a name such as utf-8, cp932, "
                "shift_jis, euc_jp, utf-16-le or utf-16-be; leave encoding: out to let it be detected)",
            )
            return False
        return name

    def config_path(self, node: Node, path: str) -> str | None:
        """Absolute, symlink-resolved path of a config; it must lie inside the configs folder."""
        value = self.text(node, path, "a config file path relative to the configs folder")
        if value is None or self.configs_dir is None:
            return None
        if os.path.isabs(value):
            self.problem(
                node,
                path,
                f"'{value}' is an absolute path (expected a path relative to the configs folder "
                f"{display_path(self.configs_dir)})",
            )
            return None
        written = os.path.normpath(os.path.join(self.configs_dir, value))
        resolved = os.path.realpath(os.path.join(self.configs_dir, value))
        if not is_inside(written, self.configs_dir):
            self.problem(
                node,
                path,
                f"'{value}' points outside the configs folder {display_path(self.configs_dir)} "
                "(expected a file inside it)",
            )
            return None
        if not is_inside(resolved, self.configs_dir) and not self.area.allows(resolved):
            self.problem(
                node,
                path,
                f"'{value}' is a symbolic link to {resolved}, outside the configs folder "
                f"{display_path(self.configs_dir)} (expected a file inside it; pass --allow-path DIR to read it "
                "from DIR)",
            )
            return None
        return resolved

    # zones

    def zones(self, node: Node) -> tuple[Zone, ...]:
        entries = self.entries(node, "zones", "a mapping of zone id to {kind, label, prefixes}")
        if entries is None:
            return ()
        if not entries:
            self.problem(node, "zones", "expected at least one zone (id: {kind, label, prefixes})")
        self.zone_ids = {zone_id for zone_id, _, _ in entries}
        zones: list[Zone] = []
        claimed: dict[tuple[int, int], _ZonePrefix] = {}
        first_of_kind: dict[ZoneKind, tuple[str, int]] = {}
        for zone_id, key_node, value_node in entries:
            zone, kind, prefixes = self.zone(zone_id, key_node, value_node)
            if kind is not None:
                self.check_zone_kind_once(zone_id, kind, key_node, first_of_kind)
            for zone_prefix in prefixes:
                self.check_prefix_unclaimed(zone_prefix, claimed)
            if zone is not None:
                zones.append(zone)
        return tuple(zones)

    def zone(self, zone_id: str, key_node: Node, node: Node) -> tuple[Zone | None, ZoneKind | None, list[_ZonePrefix]]:
        """The zone (None if invalid) plus its kind and prefixes as far as they are valid,
        so that the checks across zones still run when something else in it is wrong."""
        path = f"zones.{zone_id}"
        fields = self.fields(node, path, _ZONE_REQUIRED, _ZONE_OPTIONAL, "a mapping {kind, label, prefixes}", key_node)
        if fields is None:
            return None, None, []
        kinds = [kind.value for kind in ZoneKind]
        kind_text = self.choice(fields.get("kind"), f"{path}.kind", "zone kind", kinds)
        kind = ZoneKind(kind_text) if kind_text is not None else None
        label = self.text(fields.get("label"), f"{path}.label", "a label (free text)")
        prefixes: list[_ZonePrefix] = []
        if "prefixes" in fields:
            parsed = self.prefix_list(fields["prefixes"], f"{path}.prefixes", bare_address_allowed=False)
            for index, (network, length, item) in enumerate(parsed or []):
                prefixes.append(_ZonePrefix(network, length, f"{path}.prefixes[{index}]", _line(item)))
        upstream = self.upstream(fields["upstream"], f"{path}.upstream", kind) if "upstream" in fields else ()
        availability = 1
        if "availability" in fields:
            levels = " or ".join(str(level) for level in AVAILABILITY_LEVELS)
            level = self.integer(fields["availability"], f"{path}.availability", levels, 1, 2)
            availability = level if level is not None else 1
        if kind is None or label is None or not prefixes:
            return None, kind, prefixes
        zone = Zone(
            id=zone_id,
            kind=kind,
            label=label,
            prefixes=tuple((prefix.network, prefix.length) for prefix in prefixes),
            upstream=upstream,
            at=self.located(key_node),
            availability=availability,
        )
        return zone, kind, prefixes

    def upstream(self, node: Node, path: str, kind: ZoneKind | None) -> tuple[InterfaceRef, ...]:
        if kind is not None and kind is not ZoneKind.INTERNET:
            self.problem(
                node,
                path,
                f"upstream is only allowed on a zone of kind internet (this zone is {kind.value})",
            )
            return ()
        items = self.items(node, path, "a list of device:interface", single_allowed=True)
        refs = [self.interface_ref(item, f"{path}[{index}]") for index, item in enumerate(items or [])]
        return tuple(ref for ref in refs if ref is not None)

    def check_zone_kind_once(
        self, zone_id: str, kind: ZoneKind, key_node: Node, first_of_kind: dict[ZoneKind, tuple[str, int]]
    ) -> None:
        if kind not in SINGLE_ZONE_KINDS:
            return
        if kind in first_of_kind:
            first_id, first_line = first_of_kind[kind]
            self.problem(
                key_node,
                f"zones.{zone_id}",
                f"a second zone of kind {kind.value} (expected at most one; "
                f"zones.{first_id} at line {first_line} is already {kind.value})",
            )
            return
        first_of_kind[kind] = (zone_id, _line(key_node))

    def check_prefix_unclaimed(self, zone_prefix: _ZonePrefix, claimed: dict[tuple[int, int], _ZonePrefix]) -> None:
        key = (zone_prefix.network, zone_prefix.length)
        first = claimed.get(key)
        if first is None:
            claimed[key] = zone_prefix
            return
        self.problem(
            zone_prefix.line,
            zone_prefix.path,
            f"{format_prefix(*key)} is already claimed by {first.path} at line {first.line} (expected each "
            "prefix in one zone only; nested prefixes of different lengths are fine, the longest wins)",
        )

    # links

    def links(self, node: Node) -> tuple[Link, ...]:
        items = self.items(node, "links", "a list of [device:interface, device:interface] pairs")
        links: list[Link] = []
        for index, item in enumerate(items or []):
            link = self.link(item, f"links[{index}]")
            if link is not None:
                links.append(link)
        return tuple(links)

    def link(self, node: Node, path: str) -> Link | None:
        ends = self.items(node, path, "a pair [device:interface, device:interface]")
        if ends is None:
            return None
        if len(ends) != 2:
            self.problem(
                node,
                path,
                f"expected exactly two ends [device:interface, device:interface], found {len(ends)}",
            )
            return None
        first = self.interface_ref(ends[0], f"{path}[0]")
        second = self.interface_ref(ends[1], f"{path}[1]")
        if first is None or second is None:
            return None
        if (first.device, first.interface) == (second.device, second.interface):
            self.problem(node, path, f"both ends are {first} (expected two different interfaces)")
            return None
        return Link(first, second, self.located(node))

    # external peers

    def external_peers(self, node: Node) -> tuple[ExternalPeer, ...]:
        entries = self.entries(node, "external_peers", "a mapping of peer id to its description")
        peers: list[ExternalPeer] = []
        for peer_id, key_node, value_node in entries or []:
            peer = self.external_peer(peer_id, key_node, value_node)
            if peer is not None:
                peers.append(peer)
        return tuple(peers)

    def external_peer(self, peer_id: str, key_node: Node, node: Node) -> ExternalPeer | None:
        path = f"external_peers.{peer_id}"
        fields = self.fields(node, path, _PEER_REQUIRED, (), "a mapping {label, addresses, attach, ...}", key_node)
        if fields is None:
            return None
        label = self.text(fields.get("label"), f"{path}.label", "a label (free text)")
        addresses = None
        if "addresses" in fields:
            addresses = self.prefix_list(fields["addresses"], f"{path}.addresses", bare_address_allowed=True)
        attach = self.interface_ref(fields.get("attach"), f"{path}.attach")
        macs = self.mac_list(fields.get("mac"), f"{path}.mac")
        connected = None
        if "internet_connected" in fields:
            connected = self.boolean(fields["internet_connected"], f"{path}.internet_connected")
        allow = self.flow_list(fields.get("allow"), f"{path}.allow")
        if label is None or addresses is None or attach is None or macs is None or connected is None or allow is None:
            return None
        return ExternalPeer(
            id=peer_id,
            label=label,
            addresses=tuple((network, length) for network, length, _ in addresses),
            attach=attach,
            mac=macs,
            internet_connected=connected,
            allow=allow,
            at=self.located(key_node),
        )

    def mac_list(self, node: Node | None, path: str) -> tuple[str, ...] | None:
        items = self.items(node, path, "a list of MAC addresses", single_allowed=True)
        if items is None:
            return None
        macs = [self.mac(item, f"{path}[{index}]") for index, item in enumerate(items)]
        if any(mac is None for mac in macs):
            return None
        return tuple(mac for mac in macs if mac is not None)

    def mac(self, node: Node | None, path: str) -> str | None:
        if node is None:
            return None
        expected = "xx:xx:xx:xx:xx:xx or xxxx.xxxx.xxxx"
        value = self.text(node, path, f"a MAC address ({expected})")
        if value is None:
            return None
        if _MAC_COLON_RE.match(value):
            return value.lower()
        if _MAC_DOTTED_RE.match(value):
            digits = value.replace(".", "").lower()
            return ":".join(digits[index : index + 2] for index in range(0, 12, 2))
        self.problem(node, path, f"'{value}' is not a MAC address (expected {expected})")
        return None

    # flows

    def flow_list(self, node: Node | None, path: str) -> tuple[FlowSpec, ...] | None:
        items = self.items(node, path, "a list of flows {src, dst, proto, dport}")
        if items is None:
            return None
        flows = [self.flow(item, f"{path}[{index}]") for index, item in enumerate(items)]
        if any(flow is None for flow in flows):
            return None
        return tuple(flow for flow in flows if flow is not None)

    def flow(self, node: Node | None, path: str) -> FlowSpec | None:
        if node is None:
            return None
        fields = self.fields(node, path, _FLOW_REQUIRED, _FLOW_OPTIONAL, "a flow {src, dst, proto, dport}")
        if fields is None:
            return None
        return self.flow_from_fields(fields, node, path)

    def flow_from_fields(
        self, fields: dict[str, Node], node: Node, path: str, dport_required: bool = False
    ) -> FlowSpec | None:
        src = self.prefix_list(fields.get("src"), f"{path}.src", bare_address_allowed=True)
        dst = self.prefix_list(fields.get("dst"), f"{path}.dst", bare_address_allowed=True)
        proto_known, proto = (False, None)
        if "proto" in fields:
            proto_known, proto = self.protocol(fields["proto"], f"{path}.proto")
        ports_ok = True
        ports: dict[str, tuple[PortRange, ...] | None] = {"sport": None, "dport": None}
        for key in ports:
            if key not in fields:
                continue
            ports[key] = self.port_list(fields[key], f"{path}.{key}")
            ports_ok = ports_ok and ports[key] is not None
            if proto_known and proto not in _PORT_PROTOCOLS:
                shown = _protocol_name(proto)
                self.problem(
                    fields[key],
                    f"{path}.{key}",
                    f"ports need proto tcp or udp (proto is {shown}; expected no {key} here)",
                )
                ports_ok = False
        if dport_required and proto_known and proto in _PORT_PROTOCOLS and "dport" not in fields:
            self.problem(
                node,
                path,
                f"missing required key 'dport' (expected the destination ports of this "
                f"{_protocol_name(proto)} channel, e.g. dport: [25])",
            )
            ports_ok = False
        if src is None or dst is None or not proto_known or not ports_ok:
            return None
        return FlowSpec(
            src=tuple((network, length) for network, length, _ in src),
            dst=tuple((network, length) for network, length, _ in dst),
            proto=proto,
            sport=ports["sport"],
            dport=ports["dport"],
            at=self.located(node),
        )

    def protocol(self, node: Node, path: str) -> tuple[bool, int | None]:
        """(understood, protocol number or None for any)."""
        expected = "tcp, udp, icmp, ip, any or a protocol number 0-255"
        value = self.text(node, path, f"a protocol ({expected})")
        if value is None:
            return False, None
        lowered = value.lower()
        if lowered in _PROTOCOL_NAMES:
            return True, _PROTOCOL_NAMES[lowered]
        if _INTEGER_RE.match(value) and int(value) <= 255:
            return True, int(value)
        self.problem(node, path, f"'{value}' is not a protocol (expected {expected})")
        return False, None

    def port_list(self, node: Node | None, path: str) -> tuple[PortRange, ...] | None:
        if node is None:
            return None
        items = self.items(node, path, "a list of ports", single_allowed=True)
        if items is None:
            return None
        if not items:
            self.problem(node, path, "expected at least one port (leave the key out for any port)")
            return None
        ports = [self.port(item, f"{path}[{index}]") for index, item in enumerate(items)]
        if any(port is None for port in ports):
            return None
        return tuple(port for port in ports if port is not None)

    def port(self, node: Node, path: str) -> PortRange | None:
        expected = f"a port 0-{PORT_MAX} or a range like 1024-{PORT_MAX}"
        value = self.text(node, path, expected)
        if value is None:
            return None
        single = _PORT_RE.match(value)
        bounds = _PORT_RANGE_RE.match(value)
        if single:
            low = high = int(single.group(1))
        elif bounds:
            low, high = int(bounds.group(1)), int(bounds.group(2))
        else:
            self.problem(node, path, f"'{value}' is not a port (expected {expected})")
            return None
        if high > PORT_MAX:
            self.problem(node, path, f"'{value}' is out of range (expected {expected})")
            return None
        if low > high:
            self.problem(node, path, f"port range '{value}' is backwards (expected low-high, e.g. {high}-{low})")
            return None
        return PortRange(low, high)

    # channels

    def channels(self, node: Node) -> tuple[Channel, ...]:
        items = self.items(node, "channels", "a list of channels {id, kind, src, dst, proto, dport}")
        channels: list[Channel] = []
        first_line_of_id: dict[str, int] = {}
        for index, item in enumerate(items or []):
            channel = self.channel(item, f"channels[{index}]", first_line_of_id)
            if channel is not None:
                channels.append(channel)
        return tuple(channels)

    def channel(self, node: Node, path: str, first_line_of_id: dict[str, int]) -> Channel | None:
        fields = self.fields(
            node, path, _CHANNEL_REQUIRED, _FLOW_OPTIONAL, "a channel {id, kind, src, dst, proto, dport}"
        )
        if fields is None:
            return None
        channel_id = self.text(fields.get("id"), f"{path}.id", "a channel id")
        if channel_id is not None:
            if channel_id in first_line_of_id:
                self.problem(
                    fields["id"],
                    f"{path}.id",
                    f"duplicate channel id '{channel_id}' (first at line "
                    f"{first_line_of_id[channel_id]}; expected unique ids)",
                )
                channel_id = None
            else:
                first_line_of_id[channel_id] = _line(fields["id"])
        kind = self.choice(fields.get("kind"), f"{path}.kind", "channel kind", CHANNEL_KINDS)
        flow = self.flow_from_fields(fields, node, path, dport_required=True)
        if channel_id is None or kind is None or flow is None:
            return None
        return Channel(id=channel_id, kind=kind, flow=flow, at=self.located(node))

    # exceptions

    def exceptions(self, node: Node) -> tuple[PolicyException, ...]:
        items = self.items(node, "exceptions", "a list of exceptions {rule, flow, reason, ...}")
        exceptions: list[PolicyException] = []
        for index, item in enumerate(items or []):
            exception = self.exception(item, f"exceptions[{index}]")
            if exception is not None:
                exceptions.append(exception)
        return tuple(exceptions)

    def exception(self, node: Node, path: str) -> PolicyException | None:
        fields = self.fields(
            node,
            path,
            _EXCEPTION_REQUIRED,
            (),
            "an exception {rule, flow, reason, approved_by, ref, expires}",
        )
        if fields is None:
            return None
        rule = self.rule_id(fields.get("rule"), f"{path}.rule")
        flow = self.flow(fields.get("flow"), f"{path}.flow")
        reason = self.text(fields.get("reason"), f"{path}.reason", "a reason (free text)")
        approved_by = None
        if "approved_by" in fields:
            approved_by = self.text(fields["approved_by"], f"{path}.approved_by", "who approved it (free text)")
        ref = self.text(fields.get("ref"), f"{path}.ref", "the approval's reference")
        expires = self.date(fields.get("expires"), f"{path}.expires")
        if rule is None or flow is None or reason is None or approved_by is None or ref is None or expires is None:
            return None
        return PolicyException(
            rule=rule,
            flow=flow,
            reason=reason,
            approved_by=approved_by,
            ref=ref,
            expires=expires,
            at=self.located(node),
        )

    def rule_id(self, node: Node | None, path: str) -> str | None:
        if node is None:
            return None
        value = self.text(node, path, "a rule ID like ZONE-005")
        if value is None:
            return None
        if not _RULE_ID_RE.match(value):
            self.problem(node, path, f"'{value}' is not a rule ID (expected letters-digits like ZONE-005)")
            return None
        return value

    def date(self, node: Node | None, path: str) -> str | None:
        if node is None:
            return None
        value = self.text(node, path, "a date YYYY-MM-DD")
        if value is None:
            return None
        try:
            valid = bool(_DATE_RE.match(value)) and datetime.date.fromisoformat(value) is not None
        except ValueError:
            valid = False
        if not valid:
            self.problem(node, path, f"'{value}' is not a date (expected YYYY-MM-DD)")
            return None
        return value

    # zone policy

    def zone_policy(self, node: Node) -> tuple[ZonePolicy, ...]:
        items = self.items(node, "zone_policy", "a list of {from, to, allow}")
        policies: list[ZonePolicy] = []
        first_line_of_pair: dict[tuple[str, str], int] = {}
        for index, item in enumerate(items or []):
            policy = self.zone_policy_entry(item, f"zone_policy[{index}]")
            if policy is None:
                continue
            pair = (policy.from_zone, policy.to_zone)
            if pair in first_line_of_pair:
                self.problem(
                    item,
                    f"zone_policy[{index}]",
                    f"a second policy from {pair[0]} to {pair[1]} (first at line "
                    f"{first_line_of_pair[pair]}; expected one per pair of zones)",
                )
                continue
            first_line_of_pair[pair] = _line(item)
            policies.append(policy)
        return tuple(policies)

    def zone_policy_entry(self, node: Node, path: str) -> ZonePolicy | None:
        fields = self.fields(node, path, _ZONE_POLICY_REQUIRED, (), "a mapping {from, to, allow}")
        if fields is None:
            return None
        source = self.zone_id(fields.get("from"), f"{path}.from")
        target = self.zone_id(fields.get("to"), f"{path}.to")
        allow = self.choice(fields.get("allow"), f"{path}.allow", "allow value", ZONE_POLICY_ALLOW)
        if source is None or target is None or allow is None:
            return None
        if source == target:
            self.problem(node, path, f"from and to are both '{source}' (expected two different zones)")
            return None
        return ZonePolicy(from_zone=source, to_zone=target, allow=allow, at=self.located(node))

    def zone_id(self, node: Node | None, path: str) -> str | None:
        if node is None:
            return None
        value = self.text(node, path, "a zone id")
        if value is None:
            return None
        if self.zone_ids is not None and value not in self.zone_ids:
            declared = ", ".join(sorted(self.zone_ids)) or "none"
            self.problem(node, path, f"zone '{value}' is not declared in zones (expected one of: {declared})")
            return None
        return value


def _unknown_key_message(key: str, allowed: tuple[str, ...]) -> str:
    close = difflib.get_close_matches(key, allowed, n=1)
    hint = f"did you mean '{close[0]}'? " if close else ""
    return f"unknown key '{key}' ({hint}expected one of: {', '.join(allowed)})"


def _protocol_name(proto: int | None) -> str:
    names = {number: name for name, number in _PROTOCOL_NAMES.items() if number is not None}
    if proto is None:
        return "any"
    return names.get(proto, str(proto))
