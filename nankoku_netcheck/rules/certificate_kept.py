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
only when the device's fingerprint and path are both the same. The "not isolated" test
reads the searches: the caller makes it afresh every run.

The record is kept per topology path in the BDD store (`BddStore.put_record`, sealed like
every entry there) and read strictly (codec.py): anything absent, unreadable or of other
code or inputs is ignored, and the certificates are computed as without it.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from ..cache import source_fingerprint
from ..codec import Codec, EncodeError
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
    "codec.py",
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
    device a pair read with its fingerprint and config path then."""

    code: str
    structure: str
    inputs: str
    devices: tuple[tuple[str, str, str], ...]
    pairs: tuple[KeptPair, ...]


_CODEC: Codec | None = None


def _codec() -> Codec:
    global _CODEC  # generating a codec takes milliseconds: once per process
    if _CODEC is None:
        _CODEC = Codec(KeptRecord)
    return _CODEC


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

    def __init__(self, ctx: FlowContext, store: BddStore, key: str, header: tuple[str, str, str]) -> None:
        self.ctx = ctx
        self.store = store
        self.key = key
        self.header = header
        self.earlier = self._read()
        self.pairs = {(pair.source, pair.dest): pair for pair in self.earlier.pairs} if self.earlier else {}
        self.devices = {name: (print_, path) for name, print_, path in self.earlier.devices} if self.earlier else {}
        self._leaks: str | None = None
        self._cited: dict[tuple[str, str], dict[KeptPoint, tuple[Evidence, ...]]] = {}

    @staticmethod
    def open(ctx: FlowContext) -> KeptCertificates | None:
        """None without a store or fingerprints (no cache folder): nothing is kept."""
        store, prints = ctx.space.store, ctx.fingerprints
        if store is None or prints is None:
            return None
        topology = os.path.realpath(ctx.network.topology.path)
        key = BddStore.key("isolation-certificates", (topology,), ctx.space.layout)
        return KeptCertificates(ctx, store, key, (source_fingerprint(*_CODE), prints.structure, inputs_digest(ctx)))

    def _read(self) -> KeptRecord | None:
        record = self.store.get_decoded(self.key, _codec())
        if not isinstance(record, KeptRecord) or (record.code, record.structure, record.inputs) != self.header:
            return None
        return record

    def pair(self, source: str, dest: str) -> KeptPair | None:
        return self.pairs.get((source, dest))

    def changed(self, device: str) -> bool:
        """Whether the device's model differs from the one the kept run read (unknown: yes)."""
        kept = self.devices.get(device)
        return kept is None or kept[0] != self._fingerprint(device)

    def moved_or_changed(self, device: str) -> bool:
        """`changed`, or its config's path is another."""
        current = self.ctx.network.devices.get(device)
        return self.changed(device) or current is None or self.devices[device][1] != current.source_file

    def leaks(self, digest: Callable[[], str]) -> str:
        """This run's leak digest, made once when a kept pair first asks."""
        if self._leaks is None:
            self._leaks = digest()
        return self._leaks

    def lines(self, source: str, dest: str, point: KeptPoint) -> tuple[Evidence, ...] | None:
        """The lines the kept run cited for the pair at `point`, when they still hold."""
        pair = self.pairs.get((source, dest))
        if pair is None or self.moved_or_changed(point[0]):
            return None
        if (source, dest) not in self._cited:
            self._cited[source, dest] = pair.cited()
        return self._cited[source, dest].get(point)

    def _fingerprint(self, device: str) -> str | None:
        prints = self.ctx.fingerprints
        return None if prints is None else prints.device(device)

    def save(self, pairs: Sequence[KeptPair]) -> None:
        """Keep this run's pairs (not written again when they are the kept ones)."""
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
        try:
            encoded = json.loads(_codec().dumps(record))
        except EncodeError:
            return
        self.store.put_record(self.key, encoded)
