"""The library API: `analyze(topology_path)` runs the whole pipeline and returns a Result.

parse → model → graph → reach → rules; rendering is the caller's business (see report/).
"""

from __future__ import annotations

import datetime as dt
import multiprocessing
import os
from collections.abc import Callable, Iterable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field, replace

from . import __version__
from .acl_digests import Variant, keep_acl_digests, recall_acl_digests
from .baseline import Baseline, apply_baseline, read_baseline, source_root
from .cache import EncodedDevice, ParseCache, decode_device
from .codec import DecodeError
from .errors import InputError, InputProblem
from .graph import Network, build_network
from .incremental import Fingerprints, SavedSearches
from .inputs import InputFile
from .model import Device, FlowSpec, Topology, format_prefix, is_decimal
from .parse_worker import (
    Encoded,
    Parsed,
    ParseTask,
    collector_paused,
    parse_encoded,
    parse_in_worker,
    rare_full_collections,
)
from .profiles import city_clause, effective_profile, profile_name
from .reach.budget import DEFAULT_BUDGET
from .reach.engine import ReachEngine, boundary_interfaces
from .reach.packets import PacketSpace
from .reach.precompile import filter_work, run_in_two_processes
from .reach.store import BddStore
from .reach.trace import Tracer
from .result import (
    DeviceSummary,
    ExceptionRecord,
    Finding,
    InputRecord,
    IsolationCertificate,
    NetworkSummary,
    Result,
    RuleVerdict,
    SegmentSummary,
)
from .result_cache import ResultCache, RunKey, replay, run_key
from .rules import REGISTRY, Rule
from .rules.acl import exact, shadow_salt, shadow_work
from .rules.certificate import isolation_certificates
from .rules.flows import FlowContext, Prior
from .rules.meta import budget_findings
from .rules.presearch import SearchWorker, search_with, start_search_worker, stop_search_worker, worker_lines
from .topology import (
    ConfigReads,
    check_references,
    duplicate_hostnames,
    load_topology,
    read_device_configs,
    warn_duplicate_hostnames,
)

TOOL_NAME = "nankoku-netcheck"

Progress = Callable[[str], None]

ASSUMPTIONS = (
    "Flows start on every segment of a zone that can hold hosts, with any source address the zone owns "
    "(longest prefix: hosts may spoof within their zone), and from each upstream interface with any address "
    "no zone or external peer owns.",
    "Hosts have the usable addresses of a segment's subnets that no device owns: not the network and "
    "broadcast addresses (prefix length up to /30; with ip directed-broadcast both reach the hosts), both "
    "addresses of a /31, none of a /32. Loopbacks and links whose usable addresses are all devices' hold no "
    "hosts; packets to a network or broadcast address reach no host.",
    "Hosts may send to any router on their segment; a router's own interface addresses belong to "
    "the zone that owns them.",
    "An interface with no ACL permits everything; an ACL referenced but not defined (IOS), or bound with "
    "no entries, permits everything.",
    "Dynamic routing is not simulated: any prefix may be learned from any neighbour of the same process.",
    "ACL lines with qualifiers that cannot be modelled (time-range, DSCP, fragments) are treated as always "
    "matching when they permit and as never matching when they deny.",
    "TCP packets with ACK or RST set that pass only through stateless 'established' lines are reported as "
    "warnings, not hidden.",
    "A running-config lists every port of a device: an IOS SVI (interface VlanN) is down when no port in "
    "the config can carry its VLAN (autostate; 'no autostate' keeps it up). A port without switchport or "
    "address lines counts as carrying every VLAN, and a config listing no physical port keeps its SVIs "
    "up.",
    "An ASA NAT rule that names its interfaces chooses the egress interface of the packets it "
    "un-translates (unless 'route-lookup'); when no route leaves by that interface, the destination is "
    "taken as directly connected to it.",
)


@dataclass(frozen=True)
class Loaded:
    topology: Topology
    configs: dict[str, InputFile]
    devices: dict[str, Device]
    network: Network
    # Device name -> the fingerprint of its parse's encoding, where the parse cache had it
    # (incremental.py compares models by it).
    prints: dict[str, str] = field(default_factory=dict)
    # Device name -> its parse cache key (incremental.py finds the model a search read by it).
    parse_keys: dict[str, str] = field(default_factory=dict)


def load(
    topology_path: str,
    cache: ParseCache | None = None,
    display_prefix: tuple[str, str] | None = None,
    jobs: int = 1,
    allow_paths: Iterable[str] = (),
    root: str | None = None,
) -> Loaded:
    """Read and check every input; raise InputError listing every problem found.
    `display_prefix` = (prefix, label) shows config paths under prefix as label + rest
    (a temporary export of a git revision shows as 'REV:path'). `jobs` > 1: parse in up to
    that many processes when there is enough to parse (see `parse_many`). `allow_paths`,
    `root`: where configs may be read from besides the topology's work tree (see load_topology)."""
    reads = ConfigReads()
    topology = load_topology(topology_path, allow_paths, root, reads)
    if display_prefix is not None:
        topology = _relabel(topology, *display_prefix)
    # A relabelled export (the revision `diff` compares with) is read once per diff: its models
    # are not kept under its own keys.
    return load_network(topology, cache, jobs, keep_shared=display_prefix is None, reads=reads)


def load_network(
    topology: Topology,
    cache: ParseCache | None = None,
    jobs: int = 1,
    keep_shared: bool = True,
    reads: ConfigReads | None = None,
) -> Loaded:
    """Read and parse the configs of an already loaded topology and build its network (see `load`;
    `keep_shared`: see `parse_devices`; `reads`: the configs `load_topology` read for this run)."""
    configs = read_device_configs(topology, reads)
    devices = parse_devices(topology, configs, cache, jobs, keep_shared)
    prints, keys = ({}, {}) if cache is None else parse_records(topology, configs, cache)
    return Loaded(topology, configs, devices, build_network(topology, devices), prints, keys)


def parse_records(
    topology: Topology, configs: dict[str, InputFile], cache: ParseCache
) -> tuple[dict[str, str], dict[str, str]]:
    """Device name -> `cache.prints` of its parse, and -> its parse cache key, for the devices
    the cache read or wrote."""
    prints, keys = {}, {}
    for entry in topology.devices:
        config = configs[entry.name]
        key = cache.key(config.sha256, entry.config_display, entry.vendor, config.encoding, entry.instance)
        if key in cache.prints:
            prints[entry.name], keys[entry.name] = cache.prints[key], key
    return prints, keys


def parse_devices(
    topology: Topology,
    configs: dict[str, InputFile],
    cache: ParseCache | None = None,
    jobs: int = 1,
    keep_shared: bool = True,
) -> dict[str, Device]:
    """Every device of the topology, parsed (or from the cache) and checked against the
    topology's references; raise InputError listing every problem found. `keep_shared`: a
    device read from the entry its bytes share under another path is kept under its own key
    too (see `ParseCache.get_shared`)."""
    devices: dict[str, Device] = {}
    problems: list[InputProblem] = []
    with collector_paused():
        outcomes = _parse_all(topology, configs, cache, jobs, keep_shared)
    for entry, outcome in zip(topology.devices, outcomes, strict=True):
        if isinstance(outcome, tuple):
            problems.extend(outcome)
            continue
        outcome.name = entry.name
        devices[entry.name] = outcome
    problems.extend(check_references(topology, devices))
    if problems:
        raise InputError(problems)
    warn_duplicate_hostnames(topology, devices)
    return devices


def _relabel(topology: Topology, prefix: str, label: str) -> Topology:
    prefix = os.path.realpath(prefix) + os.sep
    entries = tuple(
        replace(entry, config_display=label + os.path.abspath(entry.config_path)[len(prefix) :])
        if os.path.abspath(entry.config_path).startswith(prefix)
        else entry
        for entry in topology.devices
    )
    return replace(topology, devices=entries)


# A parse costs roughly 20-100 µs per config line; a worker process takes one to two
# seconds to start (it imports the parsers). Below this many lines to parse, one process
# is faster.
PARALLEL_PARSE_MIN_LINES = 60_000


def _parse_all(
    topology: Topology, configs: dict[str, InputFile], cache: ParseCache | None, jobs: int, keep_shared: bool = True
) -> list[Parsed]:
    """Each device's parsed config (or its input error), in topology order: from the
    cache when there, else parsed, over a process pool when that pays."""
    outcomes: list[Parsed | None] = []
    # (index in topology order, cache key, shared key: see ParseCache.shared_key)
    misses: list[tuple[int, str | None, str | None]] = []
    for index, entry in enumerate(topology.devices):
        config = configs[entry.name]
        if cache is None:
            outcomes.append(None)
            misses.append((index, None, None))
            continue
        key = cache.key(config.sha256, entry.config_display, entry.vendor, config.encoding, entry.instance)
        shared = cache.shared_key(config.sha256, entry.vendor, config.encoding, entry.instance)
        device = cache.get(key)
        if device is None:
            device = cache.get_shared(key, shared, entry.config_display, keep_shared)
        outcomes.append(device)
        if device is None:
            misses.append((index, key, shared))
    tasks = [
        (
            configs[topology.devices[index].name].text,
            topology.devices[index].config_display,
            topology.devices[index].vendor,
            topology.devices[index].instance,
        )
        for index, _, _ in misses
    ]
    parsed = _parse_tasks(tasks, jobs, cache is not None)
    for (index, entry_key, shared_key), (outcome, encoded) in zip(misses, parsed, strict=True):
        if cache is not None and entry_key is not None and shared_key is not None and encoded is not None:
            cache.put_encoded(entry_key, encoded, shared_key, topology.devices[index].config_display)
        outcomes[index] = outcome
    return [outcome for outcome in outcomes if outcome is not None]


def parse_many(tasks: list[ParseTask], jobs: int = 1) -> list[Parsed]:
    """Parse configs, in order: in up to `jobs` processes when there are at least
    PARALLEL_PARSE_MIN_LINES lines, else here. The workers are started with `spawn`, so a
    script that asks for jobs > 1 must guard its main code with `if __name__ == "__main__":`
    (the command line does)."""
    return [outcome for outcome, _ in _parse_tasks(tasks, jobs, encode=False)]


def _parse_tasks(tasks: list[ParseTask], jobs: int, encode: bool) -> list[Encoded]:
    """`parse_many`, each device also encoded for the parse cache when `encode`: by the
    process that parsed it, so that a pool's workers share that work too."""
    workers = min(jobs, len(tasks))
    if workers < 2 or sum(task[0].count("\n") for task in tasks) < PARALLEL_PARSE_MIN_LINES:
        return [parse_encoded(task, encode) for task in tasks]
    results: list[Encoded | None] = [None] * len(tasks)
    # Longest first, so that the workers finish together.
    order = sorted(range(len(tasks)), key=lambda index: -len(tasks[index][0]))
    # spawn, not fork: a forked child inherits locks that other threads (the progress bar,
    # logging) may hold at that moment.
    with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn")) as pool:
        futures = [(index, pool.submit(parse_in_worker, tasks[index], encode)) for index in order]
        for index, future in futures:
            results[index] = _received(future.result(), tasks[index])
    return [result for result in results if result is not None]


def _received(result: Parsed | EncodedDevice, task: ParseTask) -> Encoded:
    if not isinstance(result, EncodedDevice):
        return result, None
    try:
        return decode_device(result.payload), result
    except DecodeError:  # the codec decodes what it encodes; should it ever not, parse here
        return parse_encoded(task, encode=True)


def available_cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


@dataclass
class Analysis:
    """One verified network: what was loaded, the shared flow context, the result."""

    loaded: Loaded
    context: FlowContext
    result: Result


def analyze(
    topology_path: str,
    *,
    backend: str = "auto",
    rules: Iterable[Rule] | None = None,
    timestamp: str | None = None,
    progress: Progress | None = None,
    today: dt.date | None = None,
    cache: ParseCache | None = None,
    jobs: int = 1,
    allow_paths: Iterable[str] = (),
    budget: int = DEFAULT_BUDGET,
    baseline: str | Baseline | None = None,
    reuse_result: bool = True,
) -> Result:
    """Verify one topology. Raises InputError for bad input (never returns partial results).
    `jobs`: processes for parsing (see `load`) and, with a cache, for compiling long ACLs
    (see reach/precompile.py). `allow_paths`: folders outside the topology's work tree
    that configs may be read from (see load_topology). `budget`: work units each search may
    spend; a search that runs out makes the rules resting on it inconclusive (META-003).
    `baseline`: a baseline file (or one read with `read_baseline`) whose findings are marked
    accepted and leave the exit code (see baseline.py). With a `cache`, the Result of a run
    whose inputs, rules, budget, engine, date and code are all unchanged is returned from
    it without parsing or searching (result_cache.py); `reuse_result=False` computes it
    anew (and keeps the new one)."""
    # Read first: a bad baseline file fails before minutes of analysis.
    accepted = read_baseline(baseline) if isinstance(baseline, str) else baseline
    report = progress or (lambda _stage: None)
    report("parse")
    chosen = list(rules) if rules is not None else None
    # Loaded once: the result cache's key and the network are both made from it.
    reads = ConfigReads()
    topology = load_topology(topology_path, allow_paths, reads=reads)
    run = result_run(topology, cache, chosen, budget, backend, today, reads)
    kept = cached_result(cache, run, timestamp) if run is not None and reuse_result else None
    if kept is not None:
        return kept if accepted is None else with_baseline(kept, accepted)
    with rare_full_collections():
        loaded = load_network(topology, cache, jobs, reads=reads)
        space = packet_space(backend, cache)
        saved = saved_searches(space, loaded, budget, cache)
        # Started now: its start-up runs while the long ACLs compile (rules/presearch.py).
        worker = start_search_worker(
            loaded.network,
            loaded.configs,
            searched_for(loaded, chosen),
            cache,
            jobs,
            space.backend,
            budget,
            kept=saved.get if saved is not None else None,
        )
        try:
            report("compile")
            prepare_store(space, loaded, jobs, saved.prints if saved is not None else None)
            analysis = analyze_loaded(
                loaded,
                space,
                rules=chosen,
                timestamp=timestamp,
                progress=progress,
                today=run.today if run is not None else today,
                budget=budget,
                prior=saved.get if saved is not None else None,
                search_worker=worker,
                prints=saved.prints if saved is not None else None,
            )
        finally:
            stop_search_worker(worker)
        if saved is not None:
            saved.put_all(analysis.context.searches())
            repaired = len(analysis.context.repaired)
            report(
                f"searches re-used: {len(analysis.context.reused)} of {len(analysis.context.searches())}"
                + (f", {repaired} repaired after an ACL edit" if repaired else "")
            )
        result = analysis.result
        keep_result(cache, run, result, loaded)
    if accepted is None:
        return result
    return with_baseline(result, accepted)


def result_run(
    topology: Topology,
    cache: ParseCache | None,
    rules: Iterable[Rule] | None,
    budget: int,
    backend: str,
    today: dt.date | None,
    reads: ConfigReads | None = None,
) -> RunKey | None:
    """The result-cache key of this run (None without a cache, or when it cannot be cached)."""
    if cache is None:
        return None
    return run_key(topology, rules, budget, backend, today or dt.datetime.now(dt.UTC).date(), reads)


def cached_result(cache: ParseCache | None, run: RunKey, timestamp: str | None) -> Result | None:
    kept = ResultCache(cache).get(run) if cache is not None else None
    return replay(kept, timestamp or timestamp_now()) if kept is not None else None


def keep_result(cache: ParseCache | None, run: RunKey | None, result: Result, loaded: Loaded) -> None:
    if cache is not None and run is not None:
        ResultCache(cache).put(run, result, duplicate_hostnames(loaded.topology, loaded.devices))


def with_baseline(result: Result, accepted: Baseline) -> Result:
    return apply_baseline(replace(result, inputs=(*result.inputs, baseline_input(accepted))), accepted)


def searched_for(loaded: Loaded, rules: list[Rule] | None) -> list[str]:
    """The IDs of the rules that will run (their searches are planned ahead)."""
    return [rule.id for rule in applicable_rules(loaded.topology, rules)]


def baseline_input(baseline: Baseline) -> InputRecord:
    """The baseline is an input: it changes which findings count."""
    return InputRecord(baseline.path, baseline.sha256, baseline.lines, "baseline")


def prepare_store(space: PacketSpace, loaded: Loaded, jobs: int, prints: Fingerprints | None = None) -> int:
    """Compile the long ACLs and find their unreachable lines over the cores before the
    search (a cold run's longest single pieces of work); see reach/precompile.py. With
    `prints`, the long ACLs' digests (their store keys) of unchanged devices are taken from
    the earlier run (acl_digests.py) and those of the others kept for the next."""
    variants = [Variant("acl-002", exact, shadow_salt())]
    unkept = recall_acl_digests(space, loaded.devices, prints.device, variants) if prints is not None else []
    work = filter_work(space, loaded.network) + shadow_work(space, loaded.devices.values())
    done = run_in_two_processes(space, work, jobs)
    if prints is not None:
        keep_acl_digests(space, loaded.devices, prints.device, unkept, variants)
    return done


def saved_searches(
    space: PacketSpace, loaded: Loaded, budget: int, cache: ParseCache | None = None, kept_as: str | None = None
) -> SavedSearches | None:
    """The searches of earlier runs of this topology, kept next to the compiled ACLs (none
    without a store: no cache, or an engine without a file format). `kept_as`: the topology
    path they are kept under, when not the loaded one's (`diff` reads a git revision's export
    with the searches of the working tree's file)."""
    if space.store is None:
        return None
    return SavedSearches(
        space.store, space, kept_as or loaded.topology.path, fingerprints(loaded, space, budget), cache
    )


def fingerprints(loaded: Loaded, space: PacketSpace, budget: int) -> Fingerprints:
    """What each search of `loaded` in `space` rests on (incremental.py), computed once each."""
    return Fingerprints(loaded.network, space.backend, budget, loaded.prints, loaded.parse_keys)


def packet_space(backend: str, cache: ParseCache | None) -> PacketSpace:
    """A packet space whose compiled long ACLs are kept next to the parse cache."""
    return PacketSpace(backend, BddStore(cache.directory / "bdd", cache.secret) if cache is not None else None)


def analyze_loaded(
    loaded: Loaded,
    space: PacketSpace,
    *,
    rules: Iterable[Rule] | None = None,
    timestamp: str | None = None,
    progress: Progress | None = None,
    today: dt.date | None = None,
    context: FlowContext | None = None,
    budget: int = DEFAULT_BUDGET,
    prior: Prior | None = None,
    search_worker: SearchWorker | None = None,
    certify: bool = True,
    prints: Fingerprints | None = None,
) -> Analysis:
    """Verify an already loaded network in a given packet space (diff puts both sides
    of a change in one space so their packet sets compare). `context`: one made by
    `flow_context` for this network and space, with flows already computed (the
    benchmarks time reachability apart from the rules). `certify`: False leaves the
    result without isolation certificates (`diff` shows none). `search_worker` (with no `context`
    given): the searches the rules will ask for are made first, over this process and that
    worker (rules/presearch.py); with a `context` whose searches that worker made already, it
    only reads the certificates' lines it claims (the benchmarks). `prints`: the network's
    fingerprints (with a store), which rules keep results between runs by
    (`FlowContext.fingerprints`)."""
    report = progress or (lambda _stage: None)
    report("reach")
    given_context = context is not None
    if context is None:
        context = flow_context(loaded, space, today, budget)
    if prior is not None:
        # Searches an edit cannot have changed are taken from before it (incremental.py).
        context.prior = prior
    if prints is not None:
        context.fingerprints = prints
    if search_worker is not None and not given_context:
        search_with(context, search_worker)
    findings: list[Finding] = []
    verdicts: list[RuleVerdict] = []
    ran = applicable_rules(loaded.topology, rules)
    for rule in ran:
        report(rule.id)
        context.rules_run.add(rule.id)
        context.used.clear()
        found = [*rule.check(context), *budget_findings(rule.id, rule.severity, context, context.used)]
        findings.extend(found)
        verdicts.append(_verdict(rule, found, loaded.topology))
        space.tidy()
    exceptions = exception_register(context)
    certificates: tuple[IsolationCertificate, ...] = ()
    if certify:
        report("certificates")
        zone_rules = any(r.id.startswith("ZONE-") for r in ran)
        certificates = isolation_certificates(context, worker_lines(search_worker)) if zone_rules else ()
    result = Result(
        tool_name=TOOL_NAME,
        tool_version=__version__,
        topology=loaded.topology.path,
        network_name=loaded.topology.name,
        policy=profile_name(loaded.topology),
        generated_at=timestamp or timestamp_now(),
        engine=f"bdd:{space.backend}",
        inputs=_input_records(loaded),
        findings=tuple(findings),
        rules=tuple(verdicts),
        zones=tuple((zone.id, zone.kind.value, zone.label) for zone in loaded.topology.zones),
        assumptions=ASSUMPTIONS,
        network=summarize_network(loaded),
        exceptions=exceptions,
        certificates=certificates,
        source_root=source_root(loaded.topology.path),
        stats={
            "devices": len(loaded.devices),
            "segments": len(loaded.network.segments),
            "acl_lines": sum(len(acl.lines) for d in loaded.devices.values() for acl in d.acls.values()),
            "config_lines": sum(c.line_count for c in loaded.configs.values()),
        },
    )
    return Analysis(loaded, context, result)


def flow_context(
    loaded: Loaded, space: PacketSpace, today: dt.date | None = None, budget: int = DEFAULT_BUDGET
) -> FlowContext:
    """The shared state of one verification: the reach engine and tracer over the network."""
    engine = ReachEngine(loaded.network, space, boundary_interfaces(loaded.network), budget=budget)
    return FlowContext(loaded.network, space, engine, Tracer(engine), today=today or dt.datetime.now(dt.UTC).date())


def applicable_rules(topology: Topology, rules: Iterable[Rule] | None) -> list[Rule]:
    """The rules to run: those given (default: the registry) that the topology's policy
    profile selects (by family, minus its exclusions)."""
    profile = effective_profile(topology)
    chosen = list(rules) if rules is not None else list(REGISTRY)
    return [rule for rule in chosen if profile.selects(rule.id)]


def exception_register(context: FlowContext) -> tuple[ExceptionRecord, ...]:
    records = []
    for index, exception in enumerate(context.network.topology.exceptions):
        matched = context.exception_matches.get(index)
        if not context.exception_active(exception):
            state = "expired"
        elif matched is None:
            state = "unused" if exception.rule in context.rules_run else "not-checked"
        else:
            state = "active"
        records.append(
            ExceptionRecord(
                rule=exception.rule,
                flow=describe_flow_spec(exception.flow),
                reason=exception.reason,
                approved_by=exception.approved_by,
                ref=exception.ref,
                expires=exception.expires,
                state=state,
                matched=context.describe_set(matched) if matched is not None else "",
                file=exception.at.file,
                line=exception.at.line,
            )
        )
    return tuple(records)


def describe_flow_spec(flow: FlowSpec) -> str:
    def prefixes(items: tuple[tuple[int, int], ...]) -> str:
        return ",".join(format_prefix(*p) for p in items) or "any"

    proto = {None: "ip", 6: "tcp", 17: "udp", 1: "icmp"}.get(flow.proto, str(flow.proto))
    ports = ""
    if flow.dport:
        ports = " dport " + ",".join(str(r.low) if r.low == r.high else f"{r.low}-{r.high}" for r in flow.dport)
    return f"{proto} {prefixes(flow.src)} → {prefixes(flow.dst)}{ports}"


def summarize_network(loaded: Loaded) -> NetworkSummary:
    network = loaded.network
    roles = {entry.name: entry.role or "" for entry in loaded.topology.devices}
    configs = {entry.name: entry.config_display for entry in loaded.topology.devices}
    return NetworkSummary(
        devices=tuple(
            DeviceSummary(name, device.vendor, roles.get(name, ""), configs.get(name, ""))
            for name, device in sorted(network.devices.items())
        ),
        segments=tuple(
            SegmentSummary(
                segment.id,
                segment.zone or "",
                tuple(format_prefix(*s) for s in segment.subnets),
                tuple(f"{d}:{i}" for d, i in segment.members),
            )
            for segment in network.segments.values()
        ),
        upstreams=tuple(
            sorted(
                "{}:{}".format(*network.interface_ref(ref)) for zone in loaded.topology.zones for ref in zone.upstream
            )
        ),
        external_attach=tuple(
            sorted(
                (peer.id, "{}:{}".format(*network.interface_ref(peer.attach)))
                for peer in loaded.topology.external_peers
            )
        ),
    )


def _verdict(rule: Rule, findings: list[Finding], topology: Topology) -> RuleVerdict:
    violated = [f for f in findings if f.status == "violated"]
    inconclusive = [f for f in findings if f.status == "inconclusive"]
    if any(f.severity == "error" for f in violated):
        verdict = "fail"
    elif inconclusive:
        verdict = "inconclusive"
    elif violated:
        verdict = "warn"
    else:
        verdict = "pass"
    return RuleVerdict(
        rule.id,
        rule.severity,
        city_clause(topology, rule.id, rule.clause),
        rule.title_en,
        rule.title_ja,
        verdict,
        len(violated),
        len(inconclusive),
        rule.guideline,
    )


def _input_records(loaded: Loaded) -> tuple[InputRecord, ...]:
    from .inputs import read_input

    topology_file = read_input(loaded.topology.path)
    records = [InputRecord(loaded.topology.path, topology_file.sha256, topology_file.line_count, "topology")]
    for kind, path, display in loaded.topology.extra_inputs:
        extra = read_input(path, display)
        records.append(InputRecord(display, extra.sha256, extra.line_count, kind))
    for entry in loaded.topology.devices:
        config = loaded.configs[entry.name]
        device = loaded.devices[entry.name]
        forwarding = len(device.forwarding_unknowns)
        records.append(
            InputRecord(
                entry.config_display,
                config.sha256,
                config.line_count,
                "config",
                device=entry.name,
                vendor=device.vendor,
                unknown_forwarding=forwarding,
                unknown_harmless=len(device.unknown_lines) - forwarding,
            )
        )
    return tuple(records)


def timestamp_now() -> str:
    """Now (UTC, whole seconds), or SOURCE_DATE_EPOCH when set: a report's one varying field."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    moment = (
        dt.datetime.fromtimestamp(int(epoch), dt.UTC)
        if epoch and is_decimal(epoch)
        else dt.datetime.now(dt.UTC).replace(microsecond=0)
    )
    return moment.isoformat().replace("+00:00", "Z")
