"""Isolation certificates kept between runs (with a cache folder): a run after an edit that
touches no cut takes each zone pair's cut and cited lines from the last run instead of
finding them again (rules/certificate.py). Only inputs are compared, never packet sets: a
BDD has no digest that is the same in every process.

Why a kept cut is the one a fresh search would find. A pair's cut is a deterministic
function of (a) the cut graph's shape, (b) the pair's forbidden packets and (c) the answers
to the capacity questions the search asks (`_Arcs.decided_capacity`: does the filter of a
point drop every forbidden packet); an untested arc is never read. From the code:

- (a) reads the structure (incremental.py `structure_fingerprint`: the topology's devices,
  links, zones and external peers, the segments, every device's interfaces), each device's
  `to_the_box`, and, for the note naming the VRFs that part the zones only, the static
  routes that leak between VRF tables (`leaks`: their digest, kept with that pair).
- (b) reads the zones' prefixes, the channels, the cloud destinations and the pair policies
  (the topology's zone policy and its profile), and the packet space's layout.
- (c) each answer reads the point's device only (`_filter_set`: its ACLs, policy and
  to-the-box), and the forbidden packets.

So when the code, the structure and the digest of the rest of (a) and (b) (`inputs`) are
those of the kept run, a pair whose tested points on devices changed since (another
fingerprint, incremental.py `Fingerprints.device`) give the same answers now runs step for
step as it did: same outcome. The points on unchanged devices give the same answers by
construction. The lines cited for a (pair, point) read the pair's forbidden packets and the
point's device, its config path included (every `Evidence` names it): kept lines are used
when the device's fingerprint is the same, under this run's path when that differs (a run
started in another folder, a moved config folder: the path is all that would differ). The "not isolated" test
reads the searches: the caller makes it afresh every run.

The record is kept per topology path in the BDD store (`BddStore.put_record`, sealed like
every entry there) as two entries: an index (per pair its tested points and answers, its cut
and notes, and the numbers of its lines; the devices read, with their fingerprints and
paths) and the cited lines, each distinct one once, rewritten only when they change. Both
are read strictly (every item's type and every number's range checked): anything absent,
unreadable or of other code or inputs is ignored and the certificates are computed as
without it; an index whose lines entry is another's keeps its cuts and reads the lines again.

Measured on the 1,000-device benchmark city after its one-line edit of an access switch
(benchmarks/run.py `edit_one_device`): `isolation_certificates` 4.9 s CPU before, 0.07 s
with the kept record (reading its 3 MB is most of it).
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

from ..cache import source_fingerprint
from ..profiles import effective_profile
from ..reach.store import BddStore
from ..result import Evidence
from .flows import FlowContext

KeptPoint = tuple[str, str, str]  # (device, interface, "in" | "out"), as certificate.py's FilterPoint

# The code a kept certificate rests on: what computes the forbidden packets, the graph, the
# filters' sets, the cut and the cited lines, and how fingerprints and this record are made.
_CODE = (
    "model.py",
    "graph.py",
    "profiles.py",
    "redact.py",
    "result.py",
    "incremental.py",
    "reach/engine.py",
    "reach/filters.py",
    "reach/packets.py",
    "rules/flows.py",
    "rules/zone.py",
    "rules/acl.py",
    "rules/acl_overlap.py",
    "rules/certificate.py",
    "rules/certificate_kept.py",
)


@dataclass(frozen=True)
class KeptPair:
    """One pair's certificate as a run found it. `tested`: each filter point the search tested,
    with its answer (drops every forbidden packet); `cut`: the cut's points in order (None: a
    certificate without lines, `notes` its route absences); `leaks`: the digest of the VRF
    leaks the outcome read ("" when it read none); `lines`: per distinct cut point, in order,
    the lines cited for it."""

    source: str
    dest: str
    tested: tuple[tuple[str, str, str, bool], ...]
    cut: tuple[KeptPoint, ...] | None
    notes: tuple[str, ...]
    leaks: str
    lines: tuple[tuple[Evidence, ...], ...]

    def cited(self) -> dict[KeptPoint, tuple[Evidence, ...]]:
        points = tuple(dict.fromkeys(self.cut or ()))
        return dict(zip(points, self.lines, strict=True)) if len(points) == len(self.lines) else {}


@dataclass(frozen=True)
class KeptRecord:
    """What the next run needs: the code, structure and inputs the pairs rest on, and each
    device a pair read with its fingerprint and config path then. Written as two records (see
    `encoded_index`, `encoded_lines`): the cited lines, the bulk, only when they change."""

    code: str
    structure: str
    inputs: str
    devices: tuple[tuple[str, str, str], ...]
    pairs: tuple[KeptPair, ...]


class _Malformed(ValueError):
    """A record that is not what `encoded_index` and `encoded_lines` write."""


def _items(value: object, size: int | None = None) -> list[object]:
    """`value` as a list (of `size` items, when given)."""
    if not isinstance(value, list) or (size is not None and len(value) != size):
        raise _Malformed
    return value


def _text(value: object) -> str:
    if not isinstance(value, str):
        raise _Malformed
    return value


def _number(value: object, size: int | None = None) -> int:
    """`value` as an int (a place in a table of `size`, when given)."""
    if type(value) is not int or (size is not None and not 0 <= value < size):
        raise _Malformed
    return value


def _strings(value: object) -> list[str]:
    return [_text(item) for item in _items(value)]


def _numbers(value: object, size: int) -> list[int]:
    return [_number(item, size) for item in _items(value)]


def encoded_lines(pairs: Sequence[KeptPair]) -> tuple[list[object], dict[Evidence, int]]:
    """The distinct cited lines of `pairs` as [generation, files, [[file, line, text, role], ...]]
    (a firewall's lines are cited for several pairs: each is written once), and each one's place.
    `generation`: a hash of the lines, which the index names (a crash between the two writes
    leaves an index whose lines record is another: its lines are then not used)."""
    places: dict[Evidence, int] = {}
    for pair in pairs:
        for lines in pair.lines:
            for line in lines:
                places.setdefault(line, len(places))
    files: dict[str, int] = {}
    table = [[files.setdefault(line.file, len(files)), line.line, line.text, line.role] for line in places]
    generation = hashlib.sha256(repr((list(files), table)).encode("utf-8")).hexdigest()
    return [generation, list(files), table], places


def decoded_lines(value: object) -> tuple[str, list[Evidence]]:
    """The generation and the lines of an `encoded_lines` value (raises _Malformed)."""
    generation, files, table = _items(value, 3)
    names = _strings(files)
    lines = []
    for item in _items(table):
        file, number, text, role = _items(item, 4)
        lines.append(Evidence(names[_number(file, len(names))], _number(number), _text(text), _text(role)))
    return _text(generation), lines


def encoded_index(record: KeptRecord, generation: str, places: dict[Evidence, int]) -> list[object]:
    """`record` as [code, structure, inputs, generation, devices, points, pairs]: points are
    [device, interface, direction] by number, each pair [source, dest, the tested points that
    drop every forbidden packet, those that do not, cut points or None, notes, leaks, per cut
    point the numbers of its lines in the lines record]."""
    devices = {name: number for number, (name, _, _) in enumerate(record.devices)}
    points: dict[KeptPoint, int] = {}

    def numbered(point: KeptPoint) -> int:
        return points.setdefault(point, len(points))

    pairs = [
        [
            pair.source,
            pair.dest,
            [numbered((device, name, way)) for device, name, way, drops in pair.tested if drops],
            [numbered((device, name, way)) for device, name, way, drops in pair.tested if not drops],
            None if pair.cut is None else [numbered(point) for point in pair.cut],
            list(pair.notes),
            pair.leaks,
            [[places[line] for line in lines] for lines in pair.lines],
        ]
        for pair in record.pairs
    ]
    table = [[devices[device], name, way] for device, name, way in points]
    header = [record.code, record.structure, record.inputs, generation]
    return [*header, [list(device) for device in record.devices], table, pairs]


def decoded_index(value: object, lines: list[Evidence] | None) -> tuple[str, KeptRecord]:
    """The generation of its lines and the record of an `encoded_index` value, its pairs with
    their lines from `lines` (None: the lines record is not this index's, every pair without
    lines). Raises _Malformed."""
    code, structure, inputs, generation, devices, table, pairs = _items(value, 7)
    kept_devices = []
    for device in _items(devices):
        name, fingerprint, path = _items(device, 3)
        kept_devices.append((_text(name), _text(fingerprint), _text(path)))
    points: list[KeptPoint] = []
    for point in _items(table):
        device, name, way = _items(point, 3)
        if way not in ("in", "out"):
            raise _Malformed
        points.append((kept_devices[_number(device, len(kept_devices))][0], _text(name), _text(way)))
    kept_pairs = tuple(_decoded_pair(pair, points, lines) for pair in _items(pairs))
    record = KeptRecord(_text(code), _text(structure), _text(inputs), tuple(kept_devices), kept_pairs)
    return _text(generation), record


def _decoded_pair(value: object, points: list[KeptPoint], lines: list[Evidence] | None) -> KeptPair:
    source, dest, drops, passes, cut, notes, leaks, cited = _items(value, 8)
    tested = tuple(
        [(*points[number], True) for number in _numbers(drops, len(points))]
        + [(*points[number], False) for number in _numbers(passes, len(points))]
    )
    kept_cut = None if cut is None else tuple(points[number] for number in _numbers(cut, len(points)))
    kept_lines: tuple[tuple[Evidence, ...], ...] = ()
    if lines is not None:
        kept_lines = tuple(tuple(lines[number] for number in _numbers(each, len(lines))) for each in _items(cited))
    return KeptPair(_text(source), _text(dest), tested, kept_cut, tuple(_strings(notes)), _text(leaks), kept_lines)


def inputs_digest(ctx: FlowContext) -> str:
    """The hash of what the cuts and the forbidden packets read beyond the structure and the
    tested filters (see the module's docstring). Where a topology item was written counts
    too: that only costs re-use."""
    topology = ctx.network.topology
    parts = (
        topology.zones,
        topology.zone_policy,
        topology.channels,
        topology.cloud_destinations,
        topology.policy,
        topology.custom_profile,
        effective_profile(topology),
        tuple((name, ctx.network.devices[name].to_the_box.value) for name in sorted(ctx.network.devices)),
    )
    return hashlib.sha256(repr(parts).encode("utf-8")).hexdigest()


class KeptCertificates:
    """The record of the last run of one topology, and what changed since (`changed`)."""

    def __init__(self, ctx: FlowContext, store: BddStore, keys: tuple[str, str], header: tuple[str, str, str]) -> None:
        """`keys`: the index's and the lines' records."""
        self.ctx = ctx
        self.store = store
        self.keys = keys
        self.header = header
        self.generation = ""  # the lines record's, when the index read goes with it
        self.table: list[Evidence] = []  # its lines
        self.earlier = self._read()
        self.pairs = {(pair.source, pair.dest): pair for pair in self.earlier.pairs} if self.earlier else {}
        self.devices = {name: (print_, path) for name, print_, path in self.earlier.devices} if self.earlier else {}
        self.changed_devices = {name for name, (print_, _) in self.devices.items() if self._fingerprint(name) != print_}
        self._leaks: str | None = None
        self._cited: dict[tuple[str, str], dict[KeptPoint, tuple[Evidence, ...]]] = {}

    @staticmethod
    def open(ctx: FlowContext) -> KeptCertificates | None:
        """None without a store or fingerprints (no cache folder): nothing is kept."""
        store, prints = ctx.space.store, ctx.fingerprints
        if store is None or prints is None:
            return None
        topology = os.path.realpath(ctx.network.topology.path)
        keys = (
            BddStore.key("isolation-certificates", (topology,), ctx.space.layout),
            BddStore.key("isolation-certificate-lines", (topology,), ctx.space.layout),
        )
        return KeptCertificates(ctx, store, keys, (source_fingerprint(*_CODE), prints.structure, inputs_digest(ctx)))

    def _read(self) -> KeptRecord | None:
        index = self.store.get_record(self.keys[0])
        if not isinstance(index, list) or len(index) != 7 or index[:3] != list(self.header):
            return None
        try:
            generation, table = decoded_lines(self.store.get_record(self.keys[1]))
        except _Malformed:
            generation, table = "", []
        if generation != index[3]:
            # Not the lines this index numbers (a crash between the writes): the cuts without lines.
            generation, table = "", []
        try:
            _, record = decoded_index(index, table if generation else None)
        except _Malformed:
            return None
        self.generation, self.table = generation, table
        return record

    def pair(self, source: str, dest: str) -> KeptPair | None:
        return self.pairs.get((source, dest))

    def changed(self, device: str) -> bool:
        """Whether the device's model differs from the one the kept run read (unknown: yes)."""
        return device in self.changed_devices or device not in self.devices

    def leaks(self, digest: Callable[[], str]) -> str:
        """This run's leak digest, made once when a kept pair first asks."""
        if self._leaks is None:
            self._leaks = digest()
        return self._leaks

    def lines(self, source: str, dest: str, point: KeptPoint) -> tuple[Evidence, ...] | None:
        """The lines the kept run cited for the pair at `point`, when they still hold: the
        device's model is the same (its path aside). Under another path (a run started in
        another folder shows config paths relative to that folder), the same lines with this
        run's path: every line cited at a point quotes the point's own config, so the path is
        the only thing that differs from what citing them afresh gives."""
        pair = self.pairs.get((source, dest))
        current = self.ctx.network.devices.get(point[0])
        if pair is None or current is None or self.changed(point[0]):
            return None
        if (source, dest) not in self._cited:
            self._cited[source, dest] = pair.cited()
        cited = self._cited[source, dest].get(point)
        kept_path = self.devices[point[0]][1]
        if cited is None or kept_path == current.source_file:
            return cited
        return _moved(cited, kept_path, current.source_file)

    def _fingerprint(self, device: str) -> str | None:
        prints = self.ctx.fingerprints
        return None if prints is None else prints.device(device)

    def save(self, pairs: Sequence[KeptPair]) -> None:
        """Keep this run's pairs: nothing is written when they are the kept ones, the lines
        record only when the lines changed (after an edit elsewhere, the index alone)."""
        names = sorted(
            {test[0] for pair in pairs for test in pair.tested} | {p[0] for pair in pairs for p in pair.cut or ()}
        )
        devices: list[tuple[str, str, str]] = []
        for name in names:
            fingerprint, device = self._fingerprint(name), self.ctx.network.devices.get(name)
            if fingerprint is None or device is None:
                return  # a model the codec cannot write cannot be compared next time
            devices.append((name, fingerprint, device.source_file))
        record = KeptRecord(*self.header, tuple(devices), tuple(pairs))
        if record == self.earlier:
            return
        earlier_lines = [pair.lines for pair in self.earlier.pairs] if self.earlier and self.generation else None
        if earlier_lines == [pair.lines for pair in pairs]:
            generation, places = self.generation, {line: number for number, line in enumerate(self.table)}
        else:
            lines, places = encoded_lines(pairs)
            generation = str(lines[0])
            self.store.put_record(self.keys[1], lines)
        self.store.put_record(self.keys[0], encoded_index(record, generation, places))


def _moved(cited: tuple[Evidence, ...], kept_path: str, path: str) -> tuple[Evidence, ...] | None:
    """`cited`, each line under `path` instead of `kept_path`; None (cite them afresh) if any
    line quotes another file, which the lines of one point never do."""
    if any(line.file != kept_path for line in cited):
        return None
    return tuple(replace(line, file=path) for line in cited)
