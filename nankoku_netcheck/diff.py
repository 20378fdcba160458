"""Change review: what a change newly allows or blocks between zones, exactly.

Both states are loaded into one packet space, so their flow sets compare symbolically
(no sampling). Each changed class of packets is explained by replaying one example on
both sides: how the side that passes it passes it, where the other side drops it, and
which edited lines decide.
"""

from __future__ import annotations

import datetime as dt
import difflib
import os
import subprocess
import tarfile
import tempfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from .analyze import Analysis, analyze_loaded, fingerprints, load, packet_space, saved_searches, timestamp_now
from .cache import ParseCache
from .errors import InputError, InputProblem
from .incremental import reusable_searches
from .inputs import is_inside
from .parse_worker import rare_full_collections
from .profiles import CHANNELS, pair_policies
from .reach.budget import DEFAULT_BUDGET
from .reach.engine import ReachResult
from .reach.packets import PacketSet
from .reach.repair import Repair
from .reach.trace import TracePath
from .redact import redact
from .result import Evidence, Finding, FlowExample, Result, severity_rank
from .rules.flows import OUTSIDE, TRANSIT, CrossCheckError, FlowContext, flow_example
from .rules.zone import sanctioned_flows

MAX_CLASSES = 12


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
) -> DiffResult:
    """Compare two topology files (each with its configs). `before_display` maps a path
    prefix to a label (e.g. a temporary checkout to 'HEAD~1:') in what is shown;
    `before_root`: the folder the before side's configs must lie in (an exported revision's
    root), `allow_paths`: folders both sides may also read from (see load_topology).
    `budget`: work units each search may spend (see reach/budget.py). No side is certified:
    a diff shows changes and findings, never isolation certificates (`verify` makes those)."""
    with rare_full_collections():
        space = packet_space(backend, cache)
        try:
            loaded_before = load(
                before_path, cache, display_prefix=before_display, allow_paths=allow_paths, root=before_root
            )
        except InputError as error:
            if before_display is None:
                raise
            raise _relabelled(error, *before_display) from None
        loaded_after = load(after_path, cache, allow_paths=allow_paths)
        stamp = timestamp_now()
        # The searches kept by earlier runs: a revision's export reads those of the working tree's
        # file (its topology now); what holds of them is re-used, an edit of ACL lines repaired.
        saved_before = saved_searches(
            space, loaded_before, budget, cache, kept_as=after_path if before_display is not None else None
        )
        saved_after = saved_searches(space, loaded_after, budget, cache)
        before = analyze_loaded(
            loaded_before,
            space,
            timestamp=stamp,
            today=today,
            budget=budget,
            prior=saved_before.get if saved_before is not None else None,
            certify=False,
            prints=saved_before.prints if saved_before is not None else None,
        )
        # The after side takes every search of the before side that the change cannot affect.
        # The saved searches' fingerprints where there are some: each is computed once a run.
        reusable = reusable_searches(
            before.context.searches(),
            saved_before.prints if saved_before is not None else fingerprints(loaded_before, space, budget),
            saved_after.prints if saved_after is not None else fingerprints(loaded_after, space, budget),
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

        after = analyze_loaded(
            loaded_after,
            space,
            timestamp=stamp,
            today=today,
            budget=budget,
            prior=prior,
            certify=False,
            prints=saved_after.prints if saved_after is not None else None,
        )
        if saved_after is not None:
            # The after side is the network as it is now: the next verify starts from its searches.
            saved_after.put_all(after.context.searches())
        return compare(before, after)


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
    changes = list(_flow_changes(before, after))
    fingerprints_before = {_fingerprint(f): f for f in before.result.findings}
    fingerprints_after = {_fingerprint(f): f for f in after.result.findings}
    devices_before, devices_after = set(before.loaded.devices), set(after.loaded.devices)
    segments_before = set(before.loaded.network.segments)
    segments_after = set(after.loaded.network.segments)
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
            (side, source, routing)
            for side, analysis in (("before", before), ("after", after))
            for source, routing, _ in analysis.context.exhausted()
        ),
    )


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


def _flow_changes(before: Analysis, after: Analysis) -> Iterator[FlowChange]:
    ctx_before, ctx_after = before.context, after.context
    sources = sorted(set(_source_classes(ctx_before)) | set(_source_classes(ctx_after)))
    edits = _edited_lines(before, after)
    for source in sources:
        flows_before = ctx_before.flows(source) if source in _source_classes(ctx_before) else {}
        flows_after = ctx_after.flows(source) if source in _source_classes(ctx_after) else {}
        for dest in sorted(set(flows_before) | set(flows_after)):
            if dest in (source, TRANSIT):
                continue
            old = flows_before.get(dest, ctx_before.space.false)
            new = flows_after.get(dest, ctx_after.space.false)
            yield from _explain_change(ctx_after, ctx_before, "allowed", source, dest, new & ~old, edits)
            yield from _explain_change(ctx_before, ctx_after, "blocked", source, dest, old & ~new, edits)


def _source_classes(ctx: FlowContext) -> list[str]:
    return ctx.zone_ids() + [f"peer:{p.id}" for p in ctx.network.topology.external_peers]


def _explain_change(
    passing: FlowContext,
    other: FlowContext,
    change: str,
    source: str,
    dest: str,
    packets: PacketSet,
    edits: dict[tuple[str, int], Evidence],
) -> Iterator[FlowChange]:
    remaining = packets
    count = 0
    while remaining != passing.space.false and count < MAX_CLASSES:
        packet, path, _ = passing.example(source, dest, remaining)
        klass = remaining & passing.path_region(path)
        if not passing.space.contains(klass, packet):
            raise CrossCheckError(f"diff: replay of {packet.describe()} disagrees with the engine")
        remaining &= ~klass
        count += 1
        passing_text, passing_lines = _passed(passing, path)
        other_text, other_lines = _fate_elsewhere(other, source, dest, packet)
        responsible = tuple(edits[key] for key in [*passing_lines, *other_lines] if key in edits)
        violates = _violated_rules(passing, source, dest, klass) if change == "allowed" else ()
        before, after = (other_text, passing_text) if change == "allowed" else (passing_text, other_text)
        yield FlowChange(
            change,
            source,
            dest,
            passing.describe_set(klass),
            flow_example(packet),
            before,
            after,
            responsible or _edits_on_path(passing, path, edits),
            violates,
            passing.label(source),
            passing.label(dest),
        )


def _passed(ctx: FlowContext, path: TracePath) -> tuple[str, list[tuple[str, int]]]:
    lines: list[tuple[str, int]] = []
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


def _fate_elsewhere(ctx: FlowContext, source: str, dest: str, packet) -> tuple[str, list[tuple[str, int]]]:  # type: ignore[no-untyped-def]
    """What the other state does with the same packet: the first place it stops."""
    known = set(_source_classes(ctx))
    if source not in known:
        return "its start point did not exist", []
    starts = [start for start, sources in ctx.starts(source) if ctx.space.contains(sources, packet)]
    if not starts:
        return "its start point did not exist", []
    for start in sorted(starts, key=lambda s: (not ctx.start_holds(s, packet.src), s)):
        for path in ctx.tracer.trace(start, packet):
            if path.disposition in ("denied-in", "denied-out"):
                hop = path.hops[-1]
                decision = hop.egress if path.disposition == "denied-out" else hop.ingress
                assert decision is not None
                if decision.line is not None:
                    where = decision.line.source
                    return (
                        f"denied at {hop.device} access-list {decision.acl_name} ({where.file}:{where.line})",
                        [(where.file, where.line)],
                    )
                return f"denied at {hop.device} by the implicit deny of {decision.acl_name}", []
            if path.disposition == "no-route":
                return f"no route at {path.hops[-1].device}", []
            if path.disposition == "null-routed":
                hop = path.hops[-1]
                route = hop.next_hop.route.source if hop.next_hop else None
                return (f"null-routed at {hop.device}", [(route.file, route.line)] if route else [])
    return "not delivered there", []


def _violated_rules(ctx: FlowContext, source: str, dest: str, packets: PacketSet) -> tuple[str, ...]:
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


def _edited_lines(before: Analysis, after: Analysis) -> dict[tuple[str, int], Evidence]:
    """(file, line) → evidence for every line added, removed or changed, on both sides,
    pairing config files by device name."""
    edits: dict[tuple[str, int], Evidence] = {}
    for name in sorted(set(before.loaded.devices) | set(after.loaded.devices)):
        old = before.loaded.devices.get(name)
        new = after.loaded.devices.get(name)
        old_lines = list(old.lines) if old else []
        new_lines = list(new.lines) if new else []
        if old_lines == new_lines:
            continue  # most configs of a change: difflib would still take milliseconds over each
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


def _edits_on_path(ctx: FlowContext, path: TracePath, edits: dict[tuple[str, int], Evidence]) -> tuple[Evidence, ...]:
    """When no deciding line was edited (a route or an interface changed), the edited
    lines of the devices on the path."""
    files = {ctx.network.devices[hop.device].source_file for hop in path.hops}
    return tuple(sorted((e for (file, _), e in edits.items() if file in files), key=lambda e: (e.file, e.line)))[:8]


__all__ = ["DiffResult", "FlowChange", "RevisionTree", "compare", "diff_topologies", "git_revision_tree"]
