"""One side of a change review (diff.py): what one state of the network says about a change.

A diff asks each side the same few things: its result, devices and segments, its flows per
source class, and, for each class of packets that one side passes and the other does not,
an explanation that runs wholly on the side that passes it (`passages`: an example packet,
its path, the class it stands for) and the fate of that example on the other side
(`fates`). `LocalSide` answers from an analysis in this process; diff_worker.py answers the
same questions from a second process (the revision side, analysed while this process
analyses the working tree's). Questions and answers are plain data: a packet set goes as
one, every answer as concrete packets, texts and file:line pairs.

Each `ask_*` returns a function that gives the answer: a side in another process works on
it while this one asks its own side (`LocalSide` answers at once).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Protocol

from .analyze import Analysis, Loaded, analyze_loaded
from .incremental import Fingerprints
from .profiles import CHANNELS, pair_policies
from .reach.packets import Packet, PacketSet, PacketSpace
from .reach.trace import TracePath
from .result import Result
from .rules.flows import OUTSIDE, CrossCheckError, FlowContext, Prior
from .rules.zone import sanctioned_flows

MAX_CLASSES = 12

SourceLine = tuple[str, int]  # (file, line)


@dataclass(frozen=True)
class PassTask:
    """Explain `packets` (non-empty) from `source` to `dest`, which this side passes."""

    change: str  # allowed (the after side passes) | blocked (the before side passes)
    source: str
    dest: str
    packets: PacketSet


@dataclass(frozen=True)
class Passage:
    """One class of a changed set as the passing side replays it."""

    packet: Packet
    flow_class: str  # the class, described
    text: str  # how it passes: "permitted by file:line, ..."
    lines: tuple[SourceLine, ...]  # the deciding filter lines and routes on its path
    path_files: tuple[str, ...]  # the config files of the devices on its path, sorted
    violates: tuple[str, ...]  # rule IDs a newly allowed class breaks ("allowed" only)
    from_label: str
    to_label: str


@dataclass(frozen=True)
class FateQuestion:
    source: str
    dest: str
    packet: Packet


@dataclass(frozen=True)
class Fate:
    """What a side does with a packet the other side passes: the first place it stops."""

    text: str
    lines: tuple[SourceLine, ...]


@dataclass(frozen=True)
class DeviceLines:
    source_file: str
    lines: tuple[str, ...]


class Side(Protocol):
    """One state of the network as diff.py compares it."""

    @property
    def result(self) -> Result: ...

    @property
    def devices(self) -> tuple[str, ...]: ...

    @property
    def segments(self) -> tuple[str, ...]: ...

    @property
    def source_classes(self) -> tuple[str, ...]: ...

    @property
    def exhausted(self) -> tuple[tuple[str, bool], ...]: ...

    def flows(self, source: str) -> Mapping[str, PacketSet]:
        """Destination class → the packets from `source` delivered there, in the diff's space."""
        ...

    def line_digests(self) -> Mapping[str, tuple[str, str]]:
        """Device name → (config file, digest of its lines)."""
        ...

    def ask_passages(self, tasks: list[PassTask]) -> Callable[[], list[list[Passage]]]: ...

    def ask_fates(self, questions: list[FateQuestion]) -> Callable[[], list[Fate]]: ...

    def ask_lines(self, names: list[str]) -> Callable[[], dict[str, DeviceLines]]: ...


class LocalSide:
    """A side analysed in this process."""

    def __init__(self, analysis: Analysis) -> None:
        self.analysis = analysis
        self.context = analysis.context

    @property
    def result(self) -> Result:
        return self.analysis.result

    @property
    def devices(self) -> tuple[str, ...]:
        return tuple(self.analysis.loaded.devices)

    @property
    def segments(self) -> tuple[str, ...]:
        return tuple(self.analysis.loaded.network.segments)

    @property
    def source_classes(self) -> tuple[str, ...]:
        return tuple(source_classes(self.context))

    @property
    def exhausted(self) -> tuple[tuple[str, bool], ...]:
        return tuple((source, routing) for source, routing, _ in self.context.exhausted())

    def flows(self, source: str) -> Mapping[str, PacketSet]:
        return self.context.flows(source)

    def line_digests(self) -> Mapping[str, tuple[str, str]]:
        # A config's bytes and encoding decide its lines: their hash is known already (hashing the
        # lines again took 0.12 s on a 1,000-device city).
        configs = self.analysis.loaded.configs
        return {
            name: (
                device.source_file,
                f"{configs[name].sha256}:{configs[name].encoding}" if name in configs else lines_digest(device.lines),
            )
            for name, device in self.analysis.loaded.devices.items()
        }

    def ask_passages(self, tasks: list[PassTask]) -> Callable[[], list[list[Passage]]]:
        answer = [passages(self.context, task) for task in tasks]
        return lambda: answer

    def ask_fates(self, questions: list[FateQuestion]) -> Callable[[], list[Fate]]:
        answer = [fate(self.context, question) for question in questions]
        return lambda: answer

    def ask_lines(self, names: list[str]) -> Callable[[], dict[str, DeviceLines]]:
        devices = self.analysis.loaded.devices
        answer = {
            name: DeviceLines(devices[name].source_file, tuple(devices[name].lines))
            for name in names
            if name in devices
        }
        return lambda: answer


def analyse_side(
    loaded: Loaded,
    space: PacketSpace,
    *,
    timestamp: str,
    today: dt.date | None,
    budget: int,
    prior: Prior | None,
    prints: Fingerprints | None,
) -> Analysis:
    """One side of a diff, analysed as either process does it: without isolation certificates
    (a diff shows none)."""
    return analyze_loaded(
        loaded, space, timestamp=timestamp, today=today, budget=budget, prior=prior, certify=False, prints=prints
    )


def source_classes(ctx: FlowContext) -> list[str]:
    return ctx.zone_ids() + [f"peer:{p.id}" for p in ctx.network.topology.external_peers]


def lines_digest(lines: tuple[str, ...]) -> str:
    return hashlib.sha256(json.dumps(lines, ensure_ascii=False).encode("utf-8")).hexdigest()


def passages(ctx: FlowContext, task: PassTask) -> list[Passage]:
    """Up to MAX_CLASSES classes of `task.packets`, each replayed by one example packet: the
    class is what every filter on the example's path decides alike."""
    found: list[Passage] = []
    remaining = task.packets
    while remaining != ctx.space.false and len(found) < MAX_CLASSES:
        packet, path, _ = ctx.example(task.source, task.dest, remaining)
        klass = remaining & ctx.path_region(path)
        if not ctx.space.contains(klass, packet):
            raise CrossCheckError(f"diff: replay of {packet.describe()} disagrees with the engine")
        remaining &= ~klass
        text, lines = _passed(path)
        found.append(
            Passage(
                packet,
                ctx.describe_set(klass),
                text,
                tuple(lines),
                tuple(sorted({ctx.network.devices[hop.device].source_file for hop in path.hops})),
                violated_rules(ctx, task.source, task.dest, klass) if task.change == "allowed" else (),
                ctx.label(task.source),
                ctx.label(task.dest),
            )
        )
    return found


def _passed(path: TracePath) -> tuple[str, list[SourceLine]]:
    lines: list[SourceLine] = []
    texts = []
    for hop in path.hops:
        for decision in (hop.ingress, hop.egress):
            if decision is not None and decision.line is not None:
                source = decision.line.source
                lines.append((source.file, source.line))
                texts.append(f"{source.file}:{source.line}")
        if hop.next_hop is not None and hop.next_hop.route.source.line:
            lines.append((hop.next_hop.route.source.file, hop.next_hop.route.source.line))
    return ("permitted by " + ", ".join(texts) if texts else "passes with no filter on the path"), lines


def fate(ctx: FlowContext, question: FateQuestion) -> Fate:
    """What this state does with a packet the other state passes: the first place it stops."""
    source, packet = question.source, question.packet
    if source not in source_classes(ctx):
        return Fate("its start point did not exist", ())
    starts = [start for start, sources in ctx.starts(source) if ctx.space.contains(sources, packet)]
    if not starts:
        return Fate("its start point did not exist", ())
    for start in sorted(starts, key=lambda s: (not ctx.start_holds(s, packet.src), s)):
        for path in ctx.tracer.trace(start, packet):
            if path.disposition in ("denied-in", "denied-out"):
                hop = path.hops[-1]
                decision = hop.egress if path.disposition == "denied-out" else hop.ingress
                assert decision is not None
                if decision.line is not None:
                    where = decision.line.source
                    return Fate(
                        f"denied at {hop.device} access-list {decision.acl_name} ({where.file}:{where.line})",
                        ((where.file, where.line),),
                    )
                return Fate(f"denied at {hop.device} by the implicit deny of {decision.acl_name}", ())
            if path.disposition == "no-route":
                return Fate(f"no route at {path.hops[-1].device}", ())
            if path.disposition == "null-routed":
                hop = path.hops[-1]
                route = hop.next_hop.route.source if hop.next_hop else None
                return Fate(f"null-routed at {hop.device}", ((route.file, route.line),) if route else ())
    return Fate("not delivered there", ())


def violated_rules(ctx: FlowContext, source: str, dest: str, packets: PacketSet) -> tuple[str, ...]:
    if dest == OUTSIDE:
        return ("ZONE-007",) if source in ctx.zone_ids() else ()
    for policy in pair_policies(ctx.network.topology):
        if (policy.from_zone, policy.to_zone) != (source, dest):
            continue
        if policy.allow == CHANNELS:
            packets &= ~sanctioned_flows(ctx)
        return (policy.rule,) if packets != ctx.space.false else ()
    if source.startswith("peer:") or dest.startswith("peer:"):
        return ("ZONE-002",)
    return ()
