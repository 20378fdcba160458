"""Findings and the analysis result: small immutable records that every renderer reads."""

from __future__ import annotations

from dataclasses import dataclass, field

SEVERITIES = ("info", "warning", "error")


def severity_rank(severity: str) -> int:
    return SEVERITIES.index(severity)


@dataclass(frozen=True)
class Evidence:
    """A config (or topology) line that a finding rests on. Text is already redacted."""

    file: str
    line: int
    text: str
    role: str = ""  # e.g. "permits", "route", "no ACL bound", "not understood"


@dataclass(frozen=True)
class AclRef:
    name: str
    file: str
    line: int
    text: str


@dataclass(frozen=True)
class PathStep:
    device: str
    in_interface: str
    out_interface: str
    route: str
    acl: AclRef | None  # the line that let the packet through (ingress, else egress)
    acl_out: AclRef | None = None
    note: str = ""
    # The VRFs of the two interfaces ("" = the global table): reports show `Vlan20 (vrf LGWAN)`.
    in_vrf: str = ""
    out_vrf: str = ""


@dataclass(frozen=True)
class FlowExample:
    src: str
    dst: str
    proto: str
    sport: int | None
    dport: int | None
    established: bool = False
    icmp_type: int | None = None
    icmp_code: int | None = None


@dataclass(frozen=True)
class Finding:
    rule: str
    severity: str
    status: str  # violated | inconclusive
    message_en: str
    message_ja: str
    from_zone: str = ""
    to_zone: str = ""
    flow: FlowExample | None = None
    flow_class: str = ""  # compact description of every packet of this class
    path: tuple[PathStep, ...] = ()
    evidence: tuple[Evidence, ...] = ()
    notes: tuple[str, ...] = ()
    device: str = ""
    # Where the example flow starts: kind "segment" (place "10.2.5.0/24 (lg-core:Vlan50)",
    # the example's source is one of its hosts or spoofed there) or "interface" (it
    # enters the network there, e.g. from the upstream).
    flow_start_kind: str = ""
    flow_start: str = ""
    # Against a baseline (baseline.py): "unchanged" = accepted in it, "new" = not in it; "" = no baseline.
    baseline: str = ""

    @property
    def accepted(self) -> bool:
        """A baseline accepts it: it stays in the reports but leaves the exit code."""
        return self.baseline == "unchanged"

    def message(self, lang: str) -> str:
        return self.message_ja if lang == "ja" else self.message_en


@dataclass(frozen=True)
class InputRecord:
    path: str
    sha256: str
    lines: int
    kind: str  # topology | config | clauses (the city's clause map) | profile (the city's profile file)
    device: str = ""
    vendor: str = ""
    unknown_forwarding: int = 0
    unknown_harmless: int = 0


@dataclass(frozen=True)
class RuleVerdict:
    rule: str
    severity: str
    clause: str  # the city's own clause ("" = none given; see profiles.city_clause)
    title_en: str
    title_ja: str
    verdict: str  # pass | fail | inconclusive | warn
    violated: int
    inconclusive: int
    guideline: str = ""  # the 総務省 guideline section the rule follows


@dataclass(frozen=True)
class SegmentSummary:
    id: str
    zone: str  # zone id, "" = transit
    subnets: tuple[str, ...]
    members: tuple[str, ...]  # "device:interface"


@dataclass(frozen=True)
class DeviceSummary:
    name: str
    vendor: str
    role: str
    config: str


@dataclass(frozen=True)
class NetworkSummary:
    """What the diagram and the scope section of a report need; no checking logic."""

    devices: tuple[DeviceSummary, ...] = ()
    segments: tuple[SegmentSummary, ...] = ()
    upstreams: tuple[str, ...] = ()  # "device:interface"
    external_attach: tuple[tuple[str, str], ...] = ()  # (peer id, "device:interface")


@dataclass(frozen=True)
class IsolationCertificate:
    """For one isolated zone pair: the filter lines that together cut every path (a
    minimum cut), and the route absences the isolation also rests on."""

    from_zone: str
    to_zone: str
    lines: tuple[Evidence, ...]
    route_absences: tuple[str, ...] = ()


@dataclass(frozen=True)
class ExceptionRecord:
    """One entry of the exception register (例外措置, 対策基準 10.4)."""

    rule: str
    flow: str
    reason: str
    approved_by: str
    ref: str
    expires: str
    state: str  # active | expired | unused
    matched: str = ""  # description of the packets it removed from findings
    file: str = ""
    line: int = 0


@dataclass(frozen=True)
class BaselineUse:
    """The baseline a run was checked against (baseline.py)."""

    file: str
    accepted: int  # findings found in the baseline
    new: int  # findings not in it
    absent: int  # baseline entries no finding matched any more (fixed, or changed)


@dataclass(frozen=True)
class Result:
    tool_name: str
    tool_version: str
    topology: str
    network_name: str
    policy: str
    generated_at: str
    engine: str
    inputs: tuple[InputRecord, ...]
    findings: tuple[Finding, ...]
    rules: tuple[RuleVerdict, ...]
    zones: tuple[tuple[str, str, str], ...]  # (id, kind, label)
    assumptions: tuple[str, ...] = ()
    stats: dict[str, int] = field(default_factory=dict)
    network: NetworkSummary = field(default_factory=NetworkSummary)
    certificates: tuple[IsolationCertificate, ...] = ()
    exceptions: tuple[ExceptionRecord, ...] = ()
    command: str = ""  # the command line that reproduces this result
    invocation: str = ""  # the command line this run was started with (SARIF's commandLine)
    # The repository root (absolute): the git work tree holding the topology, else its folder.
    # SARIF locations and fingerprints are relative to it; never written out as such.
    source_root: str = ""
    baseline: BaselineUse | None = None
    docs_url: str = ""  # where the rendered rule pages are published (absolute URL), "" = unknown

    @property
    def verdict(self) -> str:
        if any(f.status == "violated" and f.severity == "error" for f in self.findings):
            return "fail"
        if any(f.status == "inconclusive" for f in self.findings):
            return "inconclusive"
        return "pass"

    def exit_code(self, fail_on: str = "error") -> int:
        """1 for a violation at or above `fail_on`, else 3 for an inconclusive finding, else 0;
        findings a baseline accepts do not count (the verdict still does: it describes the network)."""
        counted = [f for f in self.findings if not f.accepted]
        threshold = severity_rank(fail_on)
        if any(f.status == "violated" and severity_rank(f.severity) >= threshold for f in counted):
            return 1
        if any(f.status == "inconclusive" for f in counted):
            return 3
        return 0
