"""Change review: what a change newly allows or blocks between zones, exactly.

Both states' flow sets are compared symbolically in one packet space (no sampling): on a
large network with a second core, the before state is analysed in a second process
(diff_worker.py) and its flows handed over; else both are analysed here. Each changed class
of packets is explained by replaying one example on both sides (diff_sides.py): how the
side that passes it passes it, where the other side drops it, and which edited lines decide.
"""

from __future__ import annotations

import datetime as dt
import difflib
import os
import subprocess
import tarfile
import tempfile
import warnings
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from .analyze import (
    Analysis,
    Loaded,
    available_cores,
    fingerprints,
    load,
    packet_space,
    saved_searches,
    timestamp_now,
)
from .cache import ParseCache
from .diff_sides import (
    DeviceLines,
    Fate,
    FateQuestion,
    LocalSide,
    Passage,
    PassTask,
    Side,
    SourceLine,
    analyse_side,
)
from .diff_worker import BeforeJob, BeforeSideLost, RemoteSide, held_warnings, issue_again, start_before_side
from .errors import InputError, InputProblem
from .incremental import Fingerprints, reusable_searches, saved_search_devices
from .inputs import is_inside
from .parse_worker import rare_full_collections
from .reach.budget import DEFAULT_BUDGET
from .reach.engine import ReachResult
from .reach.packets import STORE_BACKENDS, PacketSpace, chosen_backend, space_layout
from .reach.repair import Repair
from .reach.store import BddStore
from .redact import redact
from .result import Evidence, Finding, FlowExample, Result, severity_rank
from .rules.flows import TRANSIT, Prior, flow_example

# The smallest network (devices whose searches the store keeps) whose before side is analysed
# in a second process. The worker's start (spawn, imports) is ~0.5 s of wall time; measured on
# the synthetic cities after a one-device edit (diff, one process → two, wall): 100 devices
# 0.8 → 0.95 s, 300 devices 2.5 → 1.9-2.3 s, 1,000 devices 7.5-8.2 → 5.3-5.4 s.
WORKER_MIN_DEVICES = 200


@dataclass(frozen=True)
class FlowChange:
    change: str  # allowed | blocked
    from_zone: str
    to_zone: str
    flow_class: str
    example: FlowExample
    before: str  # what happened to the example before the change
    after: str
    responsible: tuple[Evidence, ...]  # edited lines that decide it (file:line on each side)
    violates: tuple[str, ...] = ()  # rule IDs a newly allowed flow breaks
    from_label: str = ""
    to_label: str = ""


@dataclass(frozen=True)
class DiffResult:
    before: Result
    after: Result
    changes: tuple[FlowChange, ...]
    new_findings: tuple[Finding, ...]
    fixed_findings: tuple[Finding, ...]
    unchanged_findings: tuple[Finding, ...]
    devices_added: tuple[str, ...] = ()
    devices_removed: tuple[str, ...] = ()
    segments_added: tuple[str, ...] = ()
    segments_removed: tuple[str, ...] = ()
    # Searches that ran out of budget ("before"/"after", source class, routing followed): the
    # changes listed are then only some of the changes (META-003).
    exhausted: tuple[tuple[str, str, bool], ...] = ()

    def exit_code(self, fail_on: str = "error") -> int:
        if any(change.violates for change in self.changes if change.change == "allowed"):
            return 1
        threshold = severity_rank(fail_on)
        if any(f.status == "violated" and severity_rank(f.severity) >= threshold for f in self.new_findings):
            return 1
        return 3 if self.exhausted else 0  # 3: nothing found, but not proven either


def diff_topologies(
    before_path: str,
    after_path: str,
    *,
    backend: str = "auto",
    cache: ParseCache | None = None,
    today: dt.date | None = None,
    before_display: tuple[str, str] | None = None,
    before_root: str | None = None,
    allow_paths: Iterable[str] = (),
    budget: int = DEFAULT_BUDGET,
    jobs: int | None = None,
) -> DiffResult:
    """Compare two topology files (each with its configs). `before_display` maps a path
    prefix to a label (e.g. a temporary checkout to 'HEAD~1:') in what is shown;
    `before_root`: the folder the before side's configs must lie in (an exported revision's
    root), `allow_paths`: folders both sides may also read from (see load_topology).
    `budget`: work units each search may spend (see reach/budget.py). `jobs`: processes (None:
    the cores there are); with two and a cache, the before side is analysed in a second
    process (diff_worker.py), the same diff sooner. No side is certified: a diff shows
    changes and findings, never isolation certificates (`verify` makes those)."""
    allow_paths = tuple(allow_paths)
    sides = _Sides(before_path, after_path, backend, cache, today, before_display, before_root, allow_paths, budget)
    with rare_full_collections():
        remote = None
        if cache is not None and _worth_a_worker(after_path, backend, cache, jobs):
            remote = start_before_side(sides.job, cache)
        try:
            # Made after the worker's start: making it takes up to 0.2 s (OxiDD's apply cache).
            space = packet_space(backend, cache)
            if remote is not None:
                try:
                    return sides.beside(remote, space)
                except BeforeSideLost:
                    pass  # done here, as without a worker
            return sides.here(space)
        finally:
            if remote is not None:
                remote.stop()


def _worth_a_worker(after_path: str, backend: str, cache: ParseCache, jobs: int | None) -> bool:
    """Whether the before side goes to a second process: with a second core and a store that keeps
    searches of the working tree's topology, of a network of WORKER_MIN_DEVICES or more. The after
    side then repairs those searches (as an edit's `verify` does) rather than searching whole;
    without them, one process searches the before side and the after side re-uses what holds of it."""
    if (jobs if jobs is not None else available_cores()) < 2:
        return False
    if chosen_backend(backend) not in STORE_BACKENDS:
        return False
    store = BddStore(cache.directory / "bdd", cache.secret)
    return saved_search_devices(store, space_layout(backend), after_path) >= WORKER_MIN_DEVICES


@dataclass
class _Sides:
    """One diff's inputs, and the two ways of analysing its sides."""

    before_path: str
    after_path: str
    backend: str
    cache: ParseCache | None
    today: dt.date | None
    before_display: tuple[str, str] | None
    before_root: str | None
    allow_paths: tuple[str, ...]
    budget: int
    stamp: str = field(default_factory=timestamp_now)

    def job(self, transfer: str) -> BeforeJob:
        assert self.cache is not None
        return BeforeJob(
            self.before_path,
            self.before_display,
            self.before_root,
            self.allow_paths,
            self.kept_as(),
            str(self.cache.directory),
            self.cache.secret,
            self.backend,
            self.budget,
            self.stamp,
            self.today,
            transfer,
        )

    def kept_as(self) -> str | None:
        """Where the before side's saved searches are kept: a revision's export reads those of
        the working tree's file (its topology now)."""
        return self.after_path if self.before_display is not None else None

    def load_before(self) -> Loaded:
        try:
            return load(
                self.before_path,
                self.cache,
                display_prefix=self.before_display,
                allow_paths=self.allow_paths,
                root=self.before_root,
            )
        except InputError as error:
            raise self.before_error(error) from None

    def before_error(self, error: InputError) -> InputError:
        return error if self.before_display is None else _relabelled(error, *self.before_display)

    def analyse(self, loaded: Loaded, space: PacketSpace, prior: Prior | None, prints: Fingerprints | None) -> Analysis:
        return analyse_side(
            loaded, space, timestamp=self.stamp, today=self.today, budget=self.budget, prior=prior, prints=prints
        )

    def check_before(self, remote: RemoteSide, loading: list[warnings.WarningMessage]) -> None:
        """Raise the before side's input problems, if it had some; else issue the after side's
        load warnings (`loading`) after the before side's."""
        problems = remote.loaded()
        if problems:
            raise self.before_error(InputError(list(problems)))
        issue_again(loading)

    def here(self, space: PacketSpace) -> DiffResult:
        """Both sides in this process, one after the other: what holds of the before side's
        searches is taken by the after side."""
        loaded_before = self.load_before()
        loaded_after = load(self.after_path, self.cache, allow_paths=self.allow_paths)
        # The searches kept by earlier runs: what holds of them is re-used, an edit of ACL lines repaired.
        saved_before = saved_searches(space, loaded_before, self.budget, self.cache, kept_as=self.kept_as())
        saved_after = saved_searches(space, loaded_after, self.budget, self.cache)
        before = self.analyse(
            loaded_before,
            space,
            saved_before.get if saved_before is not None else None,
            saved_before.prints if saved_before is not None else None,
        )
        # The after side takes every search of the before side that the change cannot affect.
        # The saved searches' fingerprints where there are some: each is computed once a run.
        reusable = reusable_searches(
            before.context.searches(),
            saved_before.prints if saved_before is not None else fingerprints(loaded_before, space, self.budget),
            saved_after.prints if saved_after is not None else fingerprints(loaded_after, space, self.budget),
            space,
        )

        def prior(source_class: str, routing: bool) -> ReachResult | Repair | None:
            # A whole result before a repair: the store may hold the after side's very searches
            # (a `verify` of the edited files ran before this diff).
            found = reusable.get((source_class, routing))
            if isinstance(found, ReachResult) or saved_after is None:
                return found
            if found is None:
                return saved_after.get(source_class, routing)
            whole = saved_after.whole(source_class, routing)
            return whole if whole is not None else found

        after = self.analyse(loaded_after, space, prior, saved_after.prints if saved_after is not None else None)
        if saved_after is not None:
            # The after side is the network as it is now: the next verify starts from its searches.
            saved_after.put_all(after.context.searches())
        return compare(before, after)

    def beside(self, remote: RemoteSide, space: PacketSpace) -> DiffResult:
        """The before side in the worker, the after side here at the same time. The after side
        takes its searches from the store (as an edit's `verify` does), repaired where the
        edit changed them. Raises BeforeSideLost when the worker does not deliver."""
        with held_warnings() as loading:
            try:
                loaded_after: Loaded | InputError = load(self.after_path, self.cache, allow_paths=self.allow_paths)
            except InputError as error:
                loaded_after = error
        if isinstance(loaded_after, InputError):
            # The one-process order: the before side's problems first, then the after side's.
            self.check_before(remote, loading)
            raise loaded_after
        saved_after = saved_searches(space, loaded_after, self.budget, self.cache)
        assert saved_after is not None  # the store holds this topology's searches
        with held_warnings() as analysing:
            after = self.analyse(loaded_after, space, saved_after.get, saved_after.prints)
        # Warnings as one process issues them: each side's on loading, then each side's on analysing.
        self.check_before(remote, loading)
        remote.analysed(space)
        issue_again(analysing)
        # Kept once the worker has read what it needs of the store (the before side's searches).
        saved_after.put_all(after.context.searches())
        return compare_sides(remote, LocalSide(after), space)


def _relabelled(error: InputError, prefix: str, label: str) -> InputError:
    """The problems of an exported revision, with its temporary folder shown as `label`."""
    folder = os.path.realpath(prefix)

    def shown(text: str) -> str:
        return text.replace(folder + os.sep, label).replace(folder, label)

    return InputError(
        [InputProblem(shown(problem.file), problem.line, shown(problem.message)) for problem in error.problems]
    )


@dataclass(frozen=True)
class RevisionTree:
    """A git revision exported to a temporary folder."""

    topology: str  # the topology file as it was at the revision
    root: str  # the exported work tree
    skipped_links: tuple[str, ...]  # "path -> target" of symbolic links left out (they lead outside)


@contextmanager
def git_revision_tree(topology_path: str, ref: str) -> Iterator[RevisionTree]:
    """The repository holding `topology_path`, exported at `ref` into a temporary folder
    (read from git objects; the working tree is not touched). Symbolic links that lead out
    of the exported tree are left out (and listed): the revision is someone's proposal, and
    its links must not make the tool read the runner's files."""
    topology_real = os.path.join(
        os.path.realpath(os.path.dirname(os.path.abspath(topology_path))), os.path.basename(topology_path)
    )
    root = os.path.realpath(_git(os.path.dirname(topology_real), "rev-parse", "--show-toplevel").strip())
    _git(root, "rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}")
    relative = os.path.relpath(topology_real, root)
    with tempfile.TemporaryDirectory(prefix="nankoku-base-") as temporary:
        archive = os.path.join(temporary, "tree.tar")
        with open(archive, "wb") as handle:
            completed = subprocess.run(
                ["git", "-C", root, "archive", "--format=tar", ref], stdout=handle, stderr=subprocess.PIPE, check=False
            )
        if completed.returncode != 0:
            raise InputError.single(
                topology_path, 0, f"git archive {ref} failed: {completed.stderr.decode(errors='replace').strip()}"
            )
        tree = os.path.realpath(os.path.join(temporary, "tree"))
        skipped = _extract_inside(archive, tree, topology_path, ref)
        old_topology = os.path.join(tree, relative)
        if any(link.split(" -> ")[0] == relative for link in skipped):
            raise InputError.single(
                topology_path,
                0,
                f"at {ref} the topology is a symbolic link that leads outside the repository (expected a file in it)",
            )
        if not os.path.lexists(old_topology):
            raise InputError.single(topology_path, 0, f"the topology does not exist at {ref}")
        yield RevisionTree(old_topology, tree, tuple(skipped))


def _extract_inside(archive: str, tree: str, topology_path: str, ref: str) -> list[str]:
    """Extract `archive` into `tree`, leaving out every symbolic link that resolves outside
    `tree`; returns them as "path -> target"."""
    skipped: list[str] = []

    def inside_only(member: tarfile.TarInfo, destination: str) -> tarfile.TarInfo | None:
        try:
            return tarfile.data_filter(member, destination)
        except tarfile.FilterError:
            if member.issym() or member.islnk():
                skipped.append(f"{member.name} -> {member.linkname}")
                return None
            raise

    try:
        with tarfile.open(archive) as tar:
            tar.extractall(tree, filter=inside_only)
    except (tarfile.TarError, OSError) as error:
        raise InputError.single(topology_path, 0, f"cannot export {ref}: {error}") from None
    # The filter judges each link when it is extracted; a link extracted earlier can be
    # redirected by one extracted later (`a -> z/../x` before `z -> .`), so the finished
    # tree is checked again until no link leads out.
    while True:
        escaping = [link for link in _links(tree) if not is_inside(os.path.realpath(link), tree)]
        if not escaping:
            return sorted(skipped)
        for link in escaping:
            skipped.append(f"{os.path.relpath(link, tree)} -> {os.readlink(link)}")
            os.unlink(link)


def _links(tree: str) -> list[str]:
    found: list[str] = []
    for folder, folders, files in os.walk(tree):
        found.extend(
            os.path.join(folder, name) for name in (*folders, *files) if os.path.islink(os.path.join(folder, name))
        )
    return sorted(found)


def _git(folder: str, *args: str) -> str:
    try:
        completed = subprocess.run(["git", "-C", folder, *args], capture_output=True, text=True, check=False)
    except OSError as error:
        raise InputError.single(folder, 0, f"cannot run git: {error.strerror}") from error
    if completed.returncode != 0:
        message = completed.stderr.strip() or f"git {' '.join(args)} failed"
        raise InputError.single(folder, 0, f"git: {message}")
    return completed.stdout


def compare(before: Analysis, after: Analysis) -> DiffResult:
    """The change from `before` to `after`, both analysed in one packet space."""
    return compare_sides(LocalSide(before), LocalSide(after), before.context.space)


def compare_sides(before: Side, after: Side, space: PacketSpace) -> DiffResult:
    """The change from `before` to `after`, whose flows are sets of `space`. The explanations
    are asked of both sides before any answer is read: a side in another process works on its
    share while this process works on the other."""
    tasks = _changed_sets(before, after, space)
    changed = _changed_devices(before, after)
    passages_before = before.ask_passages(_of(tasks, "blocked"))
    lines_before = before.ask_lines(changed)
    passages_after = after.ask_passages(_of(tasks, "allowed"))
    allowed = passages_after()
    fates_before = before.ask_fates(
        [
            FateQuestion(task.source, task.dest, p.packet)
            for task, found in zip(_of(tasks, "allowed"), allowed, strict=True)
            for p in found
        ]
    )
    blocked = passages_before()
    fates_after = after.ask_fates(
        [
            FateQuestion(task.source, task.dest, p.packet)
            for task, found in zip(_of(tasks, "blocked"), blocked, strict=True)
            for p in found
        ]
    )()
    edits = _edited_lines(lines_before(), after.ask_lines(changed)())
    fates = {"allowed": iter(fates_before()), "blocked": iter(fates_after)}
    explained = {"allowed": iter(allowed), "blocked": iter(blocked)}
    changes = [
        _flow_change(task, passage, next(fates[task.change]), edits)
        for task in tasks
        for passage in next(explained[task.change])
    ]
    fingerprints_before = {_fingerprint(f): f for f in before.result.findings}
    fingerprints_after = {_fingerprint(f): f for f in after.result.findings}
    devices_before, devices_after = set(before.devices), set(after.devices)
    segments_before, segments_after = set(before.segments), set(after.segments)
    return DiffResult(
        before=before.result,
        after=after.result,
        changes=tuple(changes),
        new_findings=tuple(f for k, f in fingerprints_after.items() if k not in fingerprints_before),
        fixed_findings=tuple(f for k, f in fingerprints_before.items() if k not in fingerprints_after),
        unchanged_findings=tuple(f for k, f in fingerprints_after.items() if k in fingerprints_before),
        devices_added=tuple(sorted(devices_after - devices_before)),
        devices_removed=tuple(sorted(devices_before - devices_after)),
        segments_added=tuple(sorted(segments_after - segments_before)),
        segments_removed=tuple(sorted(segments_before - segments_after)),
        exhausted=tuple(
            (name, source, routing)
            for name, side in (("before", before), ("after", after))
            for source, routing in side.exhausted
        ),
    )


def _of(tasks: list[PassTask], change: str) -> list[PassTask]:
    return [task for task in tasks if task.change == change]


def _fingerprint(finding: Finding) -> tuple[str, ...]:
    """What identifies a finding across a change: not its line numbers."""
    return (
        finding.rule,
        finding.severity,
        finding.status,
        finding.from_zone,
        finding.to_zone,
        finding.flow_class,
        finding.device,
    )


def _changed_sets(before: Side, after: Side, space: PacketSpace) -> list[PassTask]:
    """Per source and destination class, in order: the packets newly allowed, then those
    newly blocked (each only when there are some)."""
    tasks: list[PassTask] = []
    sources_before, sources_after = set(before.source_classes), set(after.source_classes)
    for source in sorted(sources_before | sources_after):
        flows_before = before.flows(source) if source in sources_before else {}
        flows_after = after.flows(source) if source in sources_after else {}
        for dest in sorted(set(flows_before) | set(flows_after)):
            if dest in (source, TRANSIT):
                continue
            old = flows_before.get(dest, space.false)
            new = flows_after.get(dest, space.false)
            for change, packets in (("allowed", new & ~old), ("blocked", old & ~new)):
                if packets != space.false:
                    tasks.append(PassTask(change, source, dest, packets))
    return tasks


def _changed_devices(before: Side, after: Side) -> list[str]:
    """Devices whose config lines differ (or that one side lacks): the only ones diffed line by line."""
    digests_before, digests_after = before.line_digests(), after.line_digests()
    return [
        name
        for name in sorted(set(digests_before) | set(digests_after))
        if digests_before.get(name, ("", ""))[1] != digests_after.get(name, ("", ""))[1]
    ]


def _flow_change(task: PassTask, passage: Passage, fate: Fate, edits: dict[SourceLine, Evidence]) -> FlowChange:
    responsible = tuple(edits[key] for key in [*passage.lines, *fate.lines] if key in edits)
    before, after = (fate.text, passage.text) if task.change == "allowed" else (passage.text, fate.text)
    return FlowChange(
        task.change,
        task.source,
        task.dest,
        passage.flow_class,
        flow_example(passage.packet),
        before,
        after,
        responsible or _edits_on_path(passage.path_files, edits),
        passage.violates,
        passage.from_label,
        passage.to_label,
    )


def _edited_lines(before: dict[str, DeviceLines], after: dict[str, DeviceLines]) -> dict[SourceLine, Evidence]:
    """(file, line) → evidence for every line added, removed or changed, on both sides,
    pairing config files by device name (`before`, `after`: the devices whose lines differ)."""
    edits: dict[SourceLine, Evidence] = {}
    for name in sorted(set(before) | set(after)):
        old = before.get(name)
        new = after.get(name)
        old_lines = list(old.lines) if old else []
        new_lines = list(new.lines) if new else []
        if old_lines == new_lines:
            continue
        matcher = difflib.SequenceMatcher(a=old_lines, b=new_lines, autojunk=False)
        for tag, a_start, a_end, b_start, b_end in matcher.get_opcodes():
            if tag == "equal":
                continue
            for index in range(a_start, a_end):
                assert old is not None
                edits[(old.source_file, index + 1)] = Evidence(
                    old.source_file, index + 1, redact(old_lines[index].strip()), "before"
                )
            for index in range(b_start, b_end):
                assert new is not None
                edits[(new.source_file, index + 1)] = Evidence(
                    new.source_file, index + 1, redact(new_lines[index].strip()), "after"
                )
    return edits


def _edits_on_path(path_files: tuple[str, ...], edits: dict[SourceLine, Evidence]) -> tuple[Evidence, ...]:
    """When no deciding line was edited (a route or an interface changed), the edited
    lines of the devices on the path."""
    files = set(path_files)
    return tuple(sorted((e for (file, _), e in edits.items() if file in files), key=lambda e: (e.file, e.line)))[:8]


__all__ = ["DiffResult", "FlowChange", "RevisionTree", "compare", "diff_topologies", "git_revision_tree"]
