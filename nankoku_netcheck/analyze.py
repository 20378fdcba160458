"""The library API: `analyze(topology_path)` runs the whole pipeline and returns a Result.

parse → model → graph → reach → rules; rendering is the caller's business (see report/).
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace

from . import __version__
from .cache import ParseCache
from .errors import InputError, InputProblem
from .graph import Network, build_network
from .inputs import InputFile
from .model import Device, FlowSpec, Topology, format_prefix
from .parse import parse_config
from .profiles import load_profile
from .reach.engine import ReachEngine, boundary_interfaces
from .reach.packets import PacketSpace
from .reach.trace import Tracer
from .result import (
    DeviceSummary,
    ExceptionRecord,
    Finding,
    InputRecord,
    NetworkSummary,
    Result,
    RuleVerdict,
    SegmentSummary,
)
from .rules import REGISTRY, Rule
from .rules.certificate import isolation_certificates
from .rules.flows import FlowContext
from .topology import check_references, load_topology, read_device_configs

TOOL_NAME = "nankoku-netcheck"

Progress = Callable[[str], None]

ASSUMPTIONS = (
    "Flows start on every segment of a zone with any source address the zone owns (longest prefix), "
    "and from each upstream interface with any address no zone or external peer owns.",
    "Hosts may send to any router on their segment; a router's own interface addresses belong to "
    "the zone that owns them.",
    "An interface with no ACL permits everything; an ACL referenced but not defined permits everything (IOS).",
    "Dynamic routing is not simulated: any prefix may be learned from any neighbour of the same process.",
    "ACL lines with qualifiers that cannot be modelled (time-range, DSCP, fragments) are treated as always "
    "matching when they permit and as never matching when they deny.",
    "TCP packets with ACK or RST set that pass only through stateless 'established' lines are reported as "
    "warnings, not hidden.",
)


@dataclass(frozen=True)
class Loaded:
    topology: Topology
    configs: dict[str, InputFile]
    devices: dict[str, Device]
    network: Network


def load(topology_path: str, cache: ParseCache | None = None,
         display_prefix: tuple[str, str] | None = None) -> Loaded:
    """Read and check every input; raise InputError listing every problem found.
    `display_prefix` = (prefix, label) shows config paths under prefix as label + rest
    (a temporary export of a git revision shows as 'REV:path')."""
    topology = load_topology(topology_path)
    if display_prefix is not None:
        topology = _relabel(topology, *display_prefix)
    configs = read_device_configs(topology)
    devices: dict[str, Device] = {}
    problems: list[InputProblem] = []
    for entry in topology.devices:
        config = configs[entry.name]
        try:
            device = _parse(config, entry.config_display, entry.vendor, cache)
        except InputError as error:
            problems.extend(error.problems)
            continue
        device.name = entry.name
        devices[entry.name] = device
    problems.extend(check_references(topology, devices))
    if problems:
        raise InputError(problems)
    return Loaded(topology, configs, devices, build_network(topology, devices))


def _relabel(topology: Topology, prefix: str, label: str) -> Topology:
    prefix = os.path.realpath(prefix) + os.sep
    entries = tuple(
        replace(entry, config_display=label + os.path.abspath(entry.config_path)[len(prefix):])
        if os.path.abspath(entry.config_path).startswith(prefix) else entry
        for entry in topology.devices
    )
    return replace(topology, devices=entries)


def _parse(config: InputFile, display: str, vendor: str | None, cache: ParseCache | None) -> Device:
    if cache is None:
        return parse_config(config.text, display, vendor)
    key = cache.key(config.sha256, display, vendor)
    device = cache.get(key)
    if device is None:
        device = parse_config(config.text, display, vendor)
        cache.put(key, device)
    return device


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
) -> Result:
    """Verify one topology. Raises InputError for bad input (never returns partial results)."""
    report = progress or (lambda _stage: None)
    report("parse")
    loaded = load(topology_path, cache)
    return analyze_loaded(loaded, PacketSpace(backend), rules=rules, timestamp=timestamp, progress=progress,
                          today=today).result


def analyze_loaded(
    loaded: Loaded,
    space: PacketSpace,
    *,
    rules: Iterable[Rule] | None = None,
    timestamp: str | None = None,
    progress: Progress | None = None,
    today: dt.date | None = None,
) -> Analysis:
    """Verify an already loaded network in a given packet space (diff puts both sides
    of a change in one space so their packet sets compare)."""
    report = progress or (lambda _stage: None)
    report("reach")
    engine = ReachEngine(loaded.network, space, boundary_interfaces(loaded.network))
    context = FlowContext(loaded.network, space, engine, Tracer(engine),
                          today=today or dt.datetime.now(dt.UTC).date())
    findings: list[Finding] = []
    verdicts: list[RuleVerdict] = []
    ran = applicable_rules(loaded.topology, rules)
    for rule in ran:
        report(rule.id)
        context.rules_run.add(rule.id)
        found = rule.check(context)
        findings.extend(found)
        verdicts.append(_verdict(rule, found))
    result = Result(
        tool_name=TOOL_NAME,
        tool_version=__version__,
        topology=loaded.topology.path,
        network_name=loaded.topology.name,
        policy=loaded.topology.policy,
        generated_at=timestamp or timestamp_now(),
        engine=f"bdd:{space.backend}",
        inputs=_input_records(loaded),
        findings=tuple(findings),
        rules=tuple(verdicts),
        zones=tuple((zone.id, zone.kind.value, zone.label) for zone in loaded.topology.zones),
        assumptions=ASSUMPTIONS,
        network=summarize_network(loaded),
        exceptions=exception_register(context),
        certificates=isolation_certificates(context) if any(r.id.startswith("ZONE-") for r in ran) else (),
        stats={
            "devices": len(loaded.devices),
            "segments": len(loaded.network.segments),
            "acl_lines": sum(len(acl.lines) for d in loaded.devices.values() for acl in d.acls.values()),
            "config_lines": sum(len(c.lines) for c in loaded.configs.values()),
        },
    )
    return Analysis(loaded, context, result)


def applicable_rules(topology: Topology, rules: Iterable[Rule] | None) -> list[Rule]:
    """The rules to run: those given (default: the registry), minus zone rules the
    topology's policy profile does not apply."""
    profile = load_profile(topology.policy)
    chosen = list(rules) if rules is not None else list(REGISTRY)
    return [rule for rule in chosen if not rule.id.startswith("ZONE-") or rule.id in profile.rules]


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
        records.append(ExceptionRecord(
            rule=exception.rule, flow=describe_flow_spec(exception.flow), reason=exception.reason,
            approved_by=exception.approved_by, ref=exception.ref, expires=exception.expires, state=state,
            matched=context.describe_set(matched) if matched is not None else "",
            file=exception.at.file, line=exception.at.line,
        ))
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
        devices=tuple(DeviceSummary(name, device.vendor, roles.get(name, ""), configs.get(name, ""))
                      for name, device in sorted(network.devices.items())),
        segments=tuple(
            SegmentSummary(segment.id, segment.zone or "", tuple(format_prefix(*s) for s in segment.subnets),
                           tuple(f"{d}:{i}" for d, i in segment.members))
            for segment in network.segments.values()
        ),
        upstreams=tuple(sorted("{}:{}".format(*network.interface_ref(ref))
                               for zone in loaded.topology.zones for ref in zone.upstream)),
        external_attach=tuple(sorted((peer.id, "{}:{}".format(*network.interface_ref(peer.attach)))
                                     for peer in loaded.topology.external_peers)),
    )


def _verdict(rule: Rule, findings: list[Finding]) -> RuleVerdict:
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
    return RuleVerdict(rule.id, rule.severity, rule.clause, rule.title_en, rule.title_ja, verdict,
                       len(violated), len(inconclusive))


def _input_records(loaded: Loaded) -> tuple[InputRecord, ...]:
    from .inputs import read_input

    topology_file = read_input(loaded.topology.path)
    records = [InputRecord(loaded.topology.path, topology_file.sha256, len(topology_file.lines), "topology")]
    for entry in loaded.topology.devices:
        config = loaded.configs[entry.name]
        device = loaded.devices[entry.name]
        forwarding = len(device.forwarding_unknowns)
        records.append(InputRecord(
            entry.config_display, config.sha256, len(config.lines), "config", device=entry.name,
            vendor=device.vendor, unknown_forwarding=forwarding,
            unknown_harmless=len(device.unknown_lines) - forwarding,
        ))
    return tuple(records)


def timestamp_now() -> str:
    """Now (UTC, whole seconds), or SOURCE_DATE_EPOCH when set: a report's one varying field."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    moment = (dt.datetime.fromtimestamp(int(epoch), dt.UTC) if epoch and epoch.isdigit()
              else dt.datetime.now(dt.UTC).replace(microsecond=0))
    return moment.isoformat().replace("+00:00", "Z")
