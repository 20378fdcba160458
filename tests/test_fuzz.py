"""Fuzzing harness (issue #14): hostile inputs to every reader of the tool.

Targets and their property:
- topology: any bytes as the topology file → `load_topology` and `read_device_configs`
  return or raise InputError (whose problems point into the file and show as one line);
  never another exception, never a hang; YAML aliases are never expanded (billion laughs
  stays small). Saved inputs are also replayed through `verify`: exit 2, `error:` lines.
- parse-auto / parse-cisco_ios / parse-cisco_asa / parse-fortios: mutated configs (lines of the bundled
  samples and of the public corpus, inserted, deleted, duplicated, re-indented, made very
  long, salted with odd numbers and unicode) → detection returns, `parse_config` returns a
  Device or raises InputError; nothing else.
- pipeline: one line of a sample city (compliant or broken) mutated, `verify` through the
  command line with a few rules and a small budget → exit code 0, 1, 2 or 3, never 4
  (internal error), never a traceback, stderr only `error:`/`warning:` lines.
- cache: a valid entry put, then its files damaged → `get` misses or returns what was
  put; never raises, never returns something else.

A normal run costs a few seconds per target; see fuzz_support.py for the long run
(NANKOKU_FUZZ=1, NANKOKU_FUZZ_EXAMPLES=N). Inputs that broke a property are kept in
tests/fuzz_regressions/<target>/ and replayed by `test_*_regressions`.
"""

from __future__ import annotations

import json
import re
import shutil
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import REPO
from fuzz_support import (
    SAMPLE_CONFIGS,
    Hang,
    cisco_corpus_texts,
    decode,
    fuzz_settings,
    regression_files,
    sample_texts,
    save_regression,
    seed_lines,
    time_limit,
)
from fuzz_support import documents as config_documents
from hypothesis import given
from hypothesis import strategies as st

from nankoku_netcheck.cache import ParseCache
from nankoku_netcheck.cli import main
from nankoku_netcheck.errors import InputError, InputProblem
from nankoku_netcheck.model import Device
from nankoku_netcheck.parse import SUPPORTED, classify, detect_vendor, parse_config
from nankoku_netcheck.reach.packets import STORE_BACKENDS, PacketSpace
from nankoku_netcheck.reach.store import BddStore
from nankoku_netcheck.topology import load_topology, read_device_configs

# A failing cache example's repr includes a whole parsed Device.
pytestmark = pytest.mark.filterwarnings("ignore:Generating overly large repr")

# --- mutations --------------------------------------------------------------------------

# Characters that have broken text tools before: controls, the ideographic (full-width)
# space, no-break space, BOM, line and paragraph separators that str.splitlines honours
# but "\n" splitting does not, bidi overrides, full-width digits and letters, and digits
# that str.isdigit accepts but int() refuses (superscript, circled).
ODD_CHARACTERS = (
    "²",
    "①",
    "\x00",
    "\x01",
    "\t",
    "\x0b",
    "\x0c",
    "\r",
    "\x1b",
    "\x1c",
    "\x7f",
    "\x85",
    "\u00a0",
    "\u3000",
    "\ufeff",
    "\u2028",
    "\u2029",
    "\u202e",
    "\u200b",
    "１",
    "０",
    "ｉ",
    "\\",
    '"',
    "'",
    "#",
    "!",
    "?",
    ":",
    "/",
    "-",
    ".",
    ",",
    "{",
    "}",
    "[",
    "]",
    "%",
    "é",
    "日",
    "\U0001f600",
)
# Numbers at and past the limits of addresses, masks, ports, VLANs, ACL numbers, sequences.
ODD_NUMBERS = (
    "²",
    "1①",
    "0",
    "-1",
    "1",
    "7",
    "8",
    "31",
    "32",
    "33",
    "99",
    "100",
    "128",
    "199",
    "255",
    "256",
    "1024",
    "2699",
    "4094",
    "4095",
    "4096",
    "65535",
    "65536",
    "99999",
    "2147483647",
    "2147483648",
    "4294967295",
    "4294967296",
    "18446744073709551616",
    "9" * 40,
    "0x10",
    "1e9",
    "010",
    "1.5",
    "１０",
    "0.0.0.0",
    "255.255.255.255",
    "256.1.1.1",
    "1.2.3",
    "1.2.3.4.5",
    "10.0.0.0/33",
    "10.0.0.0/-1",
    "::1",
)
# Keywords of both syntaxes, so that random lines often reach real parser branches.
ODD_WORDS = (
    "interface",
    "ip",
    "address",
    "access-list",
    "access-group",
    "permit",
    "deny",
    "any",
    "any4",
    "host",
    "eq",
    "gt",
    "lt",
    "neq",
    "range",
    "object",
    "object-group",
    "network-object",
    "service-object",
    "port-object",
    "group-object",
    "nameif",
    "security-level",
    "nat",
    "static",
    "dynamic",
    "route",
    "standby",
    "vrrp",
    "vlan",
    "switchport",
    "shutdown",
    "no",
    "description",
    "hostname",
    "in",
    "out",
    "established",
    "log",
    "tcp",
    "udp",
    "icmp",
    "ip",
    "subnet",
    "mask",
    "secondary",
    "exit",
    "end",
    "banner",
    "^C",
    "version",
    "same-security-traffic",
    "inside",
    "outside",
    "extended",
    "standard",
    "remark",
    "source",
    "destination",
    "interface",
    "redundant",
    "member-interface",
    "nameif",
    "name",
)

OPERATIONS = (
    "delete",
    "duplicate",
    "insert_seed",
    "insert_random",
    "word",
    "number",
    "character",
    "indent",
    "long",
    "truncate",
    "join",
    "split",
)

odd_text = st.text(
    alphabet=st.one_of(st.sampled_from(ODD_CHARACTERS), st.characters(blacklist_categories=("Cs",))),
    max_size=30,
)


def replace_token(line: str, pattern: str, replacement: str, which: int) -> str:
    """`line` with its `which`-th match of `pattern` (modulo the count) replaced."""
    matches = list(re.finditer(pattern, line))
    if not matches:
        return f"{line} {replacement}"
    match = matches[which % len(matches)]
    return line[: match.start()] + replacement + line[match.end() :]


def mutate_line(draw: st.DrawFn, lines: list[str], operation: str) -> None:
    """Apply one `operation` to `lines` in place, at a drawn position."""
    if operation in ("insert_seed", "insert_random") or not lines:
        position = draw(st.integers(0, len(lines)))
        new = draw(st.sampled_from(seed_lines())) if operation == "insert_seed" else draw(odd_text)
        lines.insert(position, new)
        return
    index = draw(st.integers(0, len(lines) - 1))
    line = lines[index]
    if operation == "delete":
        del lines[index]
    elif operation == "duplicate":
        lines[index:index] = [line] * draw(st.integers(1, 3))
    elif operation == "word":
        word = draw(st.one_of(st.sampled_from(ODD_WORDS), odd_text))
        lines[index] = replace_token(line, r"\S+", word, draw(st.integers(0, 20)))
    elif operation == "number":
        lines[index] = replace_token(line, r"\d+", draw(st.sampled_from(ODD_NUMBERS)), draw(st.integers(0, 20)))
    elif operation == "character":
        at = draw(st.integers(0, len(line)))
        lines[index] = line[:at] + draw(st.sampled_from(ODD_CHARACTERS)) + line[at:]
    elif operation == "indent":
        unit = draw(st.sampled_from((" ", "\t", "\u3000", "  ")))
        lines[index] = unit * draw(st.sampled_from((1, 2, 3, 8, 64, 1000))) + line.lstrip()
    elif operation == "long":
        if draw(st.booleans()):
            lines[index] = line + (" " + draw(st.sampled_from(ODD_WORDS + ODD_NUMBERS))) * draw(
                st.sampled_from((50, 500, 3000))
            )
        else:
            lines[index] = line + "x" * draw(st.sampled_from((1000, 100_000)))
    elif operation == "truncate":
        lines[index] = line[: draw(st.integers(0, len(line)))]
    elif operation == "join" and index + 1 < len(lines):
        lines[index : index + 2] = [line + " " + lines[index + 1]]
    elif operation == "split":
        at = draw(st.integers(0, len(line)))
        lines[index : index + 1] = [line[:at], line[at:]]


@st.composite
def mutated_configs(draw: st.DrawFn) -> str:
    """A sample or corpus config (or a window of one) with a few mutations."""
    # Mostly configs the parsers accept (the samples first: failures shrink towards them), so
    # that mutations reach deep parser branches; now and then any vendor's.
    text = draw(
        st.one_of(
            st.sampled_from(sample_texts()),
            st.sampled_from(cisco_corpus_texts() or sample_texts()),
            st.sampled_from(config_documents()),
        )
    )
    lines = text.split("\n")
    if draw(st.booleans()):
        start = draw(st.integers(0, max(0, len(lines) - 1)))
        lines = lines[start : start + draw(st.integers(0, 60))]
    for _ in range(draw(st.integers(1, 10))):
        mutate_line(draw, lines, draw(st.sampled_from(OPERATIONS)))
    return "\n".join(lines) + draw(st.sampled_from(("\n", "", "\r\n", "\n\n")))


def check_problems(error: InputError, file: str, text: str) -> None:
    """Every problem names `file`, a line of it (0 = the whole file) and shows as one line."""
    assert error.problems, "an InputError without problems"
    last_line = text.replace("\r\n", "\n").replace("\r", "\n").count("\n") + 1
    for problem in error.problems:
        assert problem.file == file, problem
        assert 0 <= problem.line <= last_line, problem
        assert len(str(problem).splitlines()) == 1, problem


def test_a_problem_shows_as_one_line_whatever_it_quotes() -> None:
    problem = InputProblem("t.yaml", 3, "found 'a\nb\u2028c\x1b[31m\td'")
    assert str(problem) == "t.yaml:3: found 'a\\nb\\u2028c\\x1b[31m\td'"


def test_the_time_limit_stops_a_hang() -> None:
    started = time.monotonic()
    with pytest.raises(Hang), time_limit(0.2):
        while True:
            pass
    assert time.monotonic() - started < 10


def guarded(target: str, data: bytes, check: Callable[[], None]) -> None:
    """Run `check` under the time limit; in a long run, keep `data` when it fails."""
    try:
        with time_limit():
            check()
    except BaseException:
        save_regression(target, data)
        raise


# --- parsers and detection --------------------------------------------------------------

PARSE_TARGETS = {
    "parse-auto": None,
    "parse-cisco_ios": "cisco_ios",
    "parse-cisco_asa": "cisco_asa",
    "parse-fortios": "fortios",
}


def check_config(text: str, vendor: str | None) -> None:
    detection = classify(text)
    assert detection.vendor in (None, *SUPPORTED)
    assert isinstance(detection.message(), str)
    assert detect_vendor(text) == detection.vendor
    try:
        device = parse_config(text, "fuzz.cfg", vendor)
    except InputError as error:
        check_problems(error, "fuzz.cfg", text)
        return
    assert isinstance(device, Device)


@pytest.mark.parametrize("target", sorted(PARSE_TARGETS))
@fuzz_settings(150)
@given(text=mutated_configs())
def test_parsers_return_a_device_or_an_input_error(target: str, text: str) -> None:
    guarded(target, text.encode("utf-8"), lambda: check_config(text, PARSE_TARGETS[target]))


@fuzz_settings(200)
@given(
    text=st.text(
        alphabet=st.one_of(st.sampled_from((*ODD_CHARACTERS, "\n", " ")), st.characters(blacklist_categories=("Cs",))),
        max_size=400,
    )
)
def test_parsers_survive_arbitrary_text(text: str) -> None:
    for target, vendor in sorted(PARSE_TARGETS.items(), key=lambda item: item[0]):
        guarded(target, text.encode("utf-8"), lambda vendor=vendor: check_config(text, vendor))


@pytest.mark.parametrize("target", sorted(PARSE_TARGETS))
def test_parser_regressions(target: str) -> None:
    for path in regression_files(target):
        with time_limit():
            check_config(decode(path.read_bytes()), PARSE_TARGETS[target])


# --- topology loader --------------------------------------------------------------------

YAML_TOKENS = (
    "&a",
    "*a",
    "<<: *a",
    "&a [x, y]",
    "!!python/object/apply:os.system ['true']",
    "!!binary aGk=",
    "!!str",
    "!tag",
    "? ",
    "- ",
    ": ",
    "{",
    "}",
    "[",
    "]",
    "{a: *a}",
    "%YAML 1.2",
    "%TAG ! tag:x,2000:",
    "---",
    "...",
    "|",
    ">-",
    "'",
    '"',
    "#",
    "~",
    "null",
    "yes",
    "no",
    "on",
    "0x1F",
    "0o17",
    "1_000",
    "10:20:30",
    ".inf",
    "-.nan",
    "2026-13-45",
    "2026-02-29",
    "1999-12-31",
    "\t",
    "\\",
    "'\\x00'",
    '"\\u0000"',
    '"\\ud800"',
)
TOPOLOGY_KEYS = (
    "version",
    "name",
    "policy",
    "configs",
    "devices",
    "zones",
    "links",
    "external_peers",
    "channels",
    "exceptions",
    "zone_policy",
    "cloud_destinations",
    "clauses",
    "kind",
    "label",
    "prefixes",
    "upstream",
    "availability",
    "config",
    "vendor",
    "role",
    "addresses",
    "attach",
    "mac",
    "internet_connected",
    "allow",
    "src",
    "dst",
    "proto",
    "dport",
    "sport",
    "id",
    "rule",
    "flow",
    "reason",
    "approved_by",
    "ref",
    "expires",
    "from",
    "to",
)
BYTE_DAMAGE = ("none", "none", "flip", "truncate", "insert", "bom")


def sample_topologies() -> tuple[str, ...]:
    """The two sample topologies, their configs folder renamed to the one the fuzz city has."""
    return tuple(
        (REPO / "topologies" / name)
        .read_text(encoding="utf-8")
        .replace("../device_configs/nankoku-broken", "configs")
        .replace("../device_configs/nankoku", "configs")
        for name in ("nankoku.yaml", "nankoku-broken.yaml")
    )


@st.composite
def topology_bytes(draw: st.DrawFn) -> bytes:
    lines = draw(st.sampled_from(sample_topologies())).split("\n")
    for _ in range(draw(st.integers(1, 6))):
        operation = draw(st.sampled_from(("yaml", "key", *OPERATIONS)))
        if operation in ("yaml", "key") and lines:
            index = draw(st.integers(0, len(lines) - 1))
            token = draw(st.sampled_from(YAML_TOKENS if operation == "yaml" else TOPOLOGY_KEYS))
            lines[index] = replace_token(lines[index], r"[^\s:,\[\]{}]+", token, draw(st.integers(0, 10)))
        elif operation not in ("yaml", "key"):
            mutate_line(draw, lines, operation)
    data = "\n".join(lines).encode("utf-8")
    damage = draw(st.sampled_from(BYTE_DAMAGE))
    if damage == "flip" and data:
        at = draw(st.integers(0, len(data) - 1))
        data = data[:at] + bytes([data[at] ^ (1 << draw(st.integers(0, 7)))]) + data[at + 1 :]
    elif damage == "truncate":
        data = data[: draw(st.integers(0, len(data)))]
    elif damage == "insert":
        at = draw(st.integers(0, len(data)))
        data = data[:at] + draw(st.binary(max_size=8)) + data[at:]
    elif damage == "bom":
        data = draw(st.sampled_from((b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff"))) + data
    return data


@pytest.fixture(scope="module")
def fuzz_city() -> Path:
    """A folder with the sample configs in configs/ (the topology file is written per example)."""
    folder = Path(tempfile.mkdtemp(prefix="nankoku-fuzz-"))
    (folder / "configs").mkdir()
    for path in SAMPLE_CONFIGS:
        shutil.copyfile(path, folder / "configs" / path.name)
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


def check_topology(folder: Path, data: bytes) -> None:
    path = folder / "topology.yaml"
    path.write_bytes(data)
    try:
        # Not `load`: parsing the nine configs of every topology that survives its mutation
        # would cost most of the harness's time; the pipeline target parses mutated cities.
        read_device_configs(load_topology(str(path)))
    except InputError as error:
        # Problems may sit in the topology file or in a config it names.
        shown = str(path)
        topology_problems = [problem for problem in error.problems if problem.file == shown]
        if topology_problems:
            check_problems(InputError(topology_problems), shown, decode(data))
        assert all(problem.file.startswith(str(folder)) for problem in error.problems), error


@fuzz_settings(150)
@given(data=topology_bytes())
def test_topology_loader_loads_or_raises_input_error(fuzz_city: Path, data: bytes) -> None:
    guarded("topology", data, lambda: check_topology(fuzz_city, data))


@fuzz_settings(60)
@given(data=st.binary(max_size=300))
def test_topology_loader_survives_arbitrary_bytes(fuzz_city: Path, data: bytes) -> None:
    guarded("topology", data, lambda: check_topology(fuzz_city, data))


def laughs(levels: int, width: int) -> list[str]:
    """Anchors a0..a<levels>, each a list of `width` aliases of the one before: width**levels
    leaves if anything expands them."""
    lines = ['laughs: [&a0 ["10.0.0.0/8"]']
    lines += [f"  , &a{level} [{', '.join(f'*a{level - 1}' for _ in range(width))}]" for level in range(1, levels + 1)]
    return [*lines, "  ]"]


# Where the expanded lists land: fields that take lists, and mappings merged with `<<`.
LAUGH_PLACES = {
    "prefixes": "zones:\n  mynumber: {kind: mynumber, label: x, prefixes: *a12}\ndevices: {r: {config: mn-core.cfg}}",
    "devices": "zones: {}\ndevices: *a12",
    "links": "zones: {}\ndevices: {r: {config: mn-core.cfg}}\nlinks: *a12",
    "channels": "zones: {}\ndevices: {r: {config: mn-core.cfg}}\nchannels: [{id: c, kind: mail-text, src: *a12, "
    "dst: *a12, proto: tcp}]",
    "merge": "zones: {}\ndevices: {r: {<<: *a12, config: mn-core.cfg}}",
}


@pytest.mark.parametrize("place", sorted(LAUGH_PLACES))
def test_billion_laughs_stays_small(fuzz_city: Path, place: str) -> None:
    text = "\n".join(["version: 1", "configs: configs", *laughs(levels=12, width=10), LAUGH_PLACES[place], ""])
    path = fuzz_city / "topology.yaml"
    path.write_text(text, encoding="utf-8")
    started = time.process_time()
    with time_limit(), pytest.raises(InputError) as raised:
        load_topology(str(path))
    # 10**12 leaves if expanded; the problems name a handful of nodes, found without walking them.
    assert len(raised.value.problems) < 50, raised.value
    assert time.process_time() - started < 5


def test_topology_regressions(fuzz_city: Path) -> None:
    for path in regression_files("topology"):
        with time_limit():
            check_topology(fuzz_city, path.read_bytes())


def test_topology_regressions_exit_2_through_the_command_line(fuzz_city: Path) -> None:
    """Each saved topology is refused by `verify` with exit 2 and `error:` lines only."""
    files = regression_files("topology")
    assert files
    for path in files:
        result = CliRunner().invoke(main, ["verify", str(path), "--no-cache", "--quiet", "--lang", "en"])
        assert result.exit_code == 2, (path.name, result.exit_code, result.stderr)
        lines = result.stderr.splitlines()
        assert lines and all(line.startswith(("error: ", "warning: ")) for line in lines), (path.name, lines)


# --- whole pipeline through the command line --------------------------------------------

PIPELINE_RULES = "ZONE-001,ZONE-005,META-001,META-003"
PIPELINE_BUDGET = "20000"


CITIES = ("nankoku", "nankoku-broken")


@pytest.fixture(scope="module")
def sample_cities() -> Path:
    """<folder>/<city>/topology.yaml and configs/ for both sample cities."""
    folder = Path(tempfile.mkdtemp(prefix="nankoku-fuzz-city-"))
    for city, topology in zip(CITIES, sample_topologies(), strict=True):
        (folder / city / "configs").mkdir(parents=True)
        for path in (REPO / "device_configs" / city).glob("*.cfg"):
            shutil.copyfile(path, folder / city / "configs" / path.name)
        (folder / city / "topology.yaml").write_text(topology, encoding="utf-8")
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


@st.composite
def one_line_mutations(draw: st.DrawFn) -> dict[str, str]:
    city = draw(st.sampled_from(CITIES))
    config = draw(st.sampled_from(sorted(path.name for path in (REPO / "device_configs" / city).glob("*.cfg"))))
    lines = (REPO / "device_configs" / city / config).read_text(encoding="utf-8").split("\n")
    mutate_line(draw, lines, draw(st.sampled_from(OPERATIONS)))
    return {"city": city, "config": config, "text": "\n".join(lines)}


def check_pipeline(cities: Path, case: dict[str, str]) -> None:
    city = cities / case.get("city", "nankoku")
    target = city / "configs" / case["config"]
    original = target.read_bytes()
    target.write_text(case["text"], encoding="utf-8")
    arguments = ["verify", str(city / "topology.yaml"), "--no-cache", "--quiet", "--lang", "en", "-j", "1",
                 "--select", PIPELINE_RULES, "--budget", PIPELINE_BUDGET, "--format", "json"]  # fmt: skip
    try:
        result = CliRunner().invoke(main, arguments)
    finally:
        target.write_bytes(original)
    assert result.exit_code in (0, 1, 2, 3), (result.exit_code, result.stderr, result.exception)
    # --quiet: what stderr holds is the input's errors and warnings, one line each.
    lines = result.stderr.splitlines()
    assert all(line.startswith(("error: ", "warning: ")) for line in lines), lines
    if result.exit_code == 2:
        assert any(line.startswith("error: ") for line in lines), lines
    else:
        assert json.loads(result.stdout)["tool"]


@fuzz_settings(25)
@given(case=one_line_mutations())
def test_pipeline_on_a_mutated_city_never_fails_internally(sample_cities: Path, case: dict[str, str]) -> None:
    guarded(
        "pipeline", json.dumps(case, ensure_ascii=False).encode("utf-8"), lambda: check_pipeline(sample_cities, case)
    )


def test_pipeline_regressions(sample_cities: Path) -> None:
    for path in regression_files("pipeline"):
        with time_limit():
            check_pipeline(sample_cities, json.loads(path.read_bytes()))


# --- cache readers ----------------------------------------------------------------------

DAMAGE = ("truncate", "flip", "random", "append", "empty", "overwrite")


@st.composite
def damages(draw: st.DrawFn) -> tuple[int, str, int, bytes]:
    """(which written file, how, where, bytes): applied by `damage` to the sorted files."""
    return (
        draw(st.integers(0, 15)),
        draw(st.sampled_from(DAMAGE)),
        draw(st.integers(0, 1 << 20)),
        draw(st.binary(min_size=1, max_size=64)),
    )


def damage(folder: Path, how: tuple[int, str, int, bytes]) -> None:
    files = sorted(path for path in folder.rglob("*") if path.is_file())
    assert files, "put wrote nothing"
    which, kind, where, noise = how
    path = files[which % len(files)]
    data = path.read_bytes()
    at = where % len(data) if data else 0
    if kind == "truncate":
        data = data[:at]
    elif kind == "flip" and data:
        data = data[:at] + bytes([data[at] ^ (1 << (where % 8))]) + data[at + 1 :]
    elif kind == "random":
        data = noise
    elif kind == "append":
        data = data + noise
    elif kind == "empty":
        data = b""
    elif kind == "overwrite":
        data = data[:at] + noise + data[at + len(noise) :]
    path.write_bytes(data)


@pytest.fixture(scope="module")
def sample_device() -> Device:
    path = REPO / "device_configs" / "nankoku" / "inet-fw.cfg"
    return parse_config(path.read_text(encoding="utf-8"), "inet-fw.cfg")


@fuzz_settings(40)
@given(how=damages())
def test_parse_cache_damaged_entry_misses(sample_device: Device, how: tuple[int, str, int, bytes]) -> None:
    with tempfile.TemporaryDirectory() as directory:
        key = ParseCache.key("0" * 64, "inet-fw.cfg", None)
        ParseCache(Path(directory)).put(key, sample_device)
        damage(Path(directory), how)
        with time_limit():
            got = ParseCache(Path(directory)).get(key)
        assert got is None or got == sample_device


needs_cudd = pytest.mark.skipif(PacketSpace().backend not in STORE_BACKENDS, reason="the store needs CUDD or OxiDD")


class StoredSet:
    """A compiled packet set and its space; `release` drops the set before the space (CUDD
    refuses to shut down a manager whose nodes are still referenced)."""

    def __init__(self) -> None:
        self.space = PacketSpace()
        config = "hostname r1\nip access-list extended A\n permit tcp 10.0.0.0 0.0.0.255 any eq 443\n deny ip any any\n"
        self.packets: object = self.space.acl_permits(parse_config(config, "r1.cfg", "cisco_ios").acls["A"])

    def release(self) -> None:
        self.packets = None
        self.space.__dict__.clear()


@pytest.fixture(scope="module")
def stored_set() -> StoredSet:
    stored = StoredSet()
    yield stored
    stored.release()


# The checksum file is read as ASCII: a damaged one raises UnicodeDecodeError (store.py).
@needs_cudd
@fuzz_settings(40)
@given(how=damages())
def test_bdd_store_damaged_entry_misses(stored_set: StoredSet, how: tuple[int, str, int, bytes]) -> None:
    space = stored_set.space
    with tempfile.TemporaryDirectory() as directory:
        key = BddStore.key("permits", ("fuzz",), space.layout)
        BddStore(Path(directory)).put(space.bdd, key, stored_set.packets)
        damage(Path(directory), how)
        with time_limit():
            got = BddStore(Path(directory)).get(space.bdd, key)
        assert got is None or got == stored_set.packets


# What ACL-002 keeps for a long ACL: [line index, [covering line indexes], covered by nothing].
RECORD = [[3, [0, 1], False], [17, [], True], [250, [12, 40, 41], False]]


@fuzz_settings(40)
@given(how=damages())
def test_bdd_store_damaged_record_misses(how: tuple[int, str, int, bytes]) -> None:
    with tempfile.TemporaryDirectory() as directory:
        key = BddStore.key("acl-002", ("fuzz",), "layout")
        BddStore(Path(directory)).put_record(key, RECORD)
        damage(Path(directory), how)
        with time_limit():
            got = BddStore(Path(directory)).get_record(key)
        assert got is None or got == RECORD
