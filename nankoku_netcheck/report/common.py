"""What several renderers share: redaction of the whole Result, words in ja/en, and small
formatting helpers. Presentation only: nothing here decides whether something is a finding."""

from __future__ import annotations

import functools
import itertools
import json
import re
from collections.abc import Callable, Hashable
from dataclasses import dataclass, fields, is_dataclass, replace
from typing import Any, Generic, TypeVar

from ..redact import redact
from ..result import (
    AclRef,
    Evidence,
    Finding,
    FlowExample,
    IsolationCertificate,
    PathStep,
    Result,
    RuleVerdict,
)

# Default output file name per format, used with --output-dir.
FILE_NAMES: dict[str, str] = {
    "text": "report.txt",
    "json": "report.json",
    "sarif": "report.sarif",
    "junit": "report.junit.xml",
    "md": "report.md",
    "csv": "report.csv",
    "html": "report.html",
}

K = TypeVar("K")
V = TypeVar("V")


class IdentityMemo(Generic[K, V]):
    """What was computed from one object, found again by the object's identity (with a tag, when
    one object may be read in several ways). Only for immutable objects (tuples of frozen
    records): the same object then gives the same value. Each entry holds its object, so no other
    object can take its id while the entry lives. The formats of one run, and the copies of its
    Result that `verify` stamps with each format's command, share the same findings and
    certificates: a large result's lines are redacted, escaped and grouped once, not per format
    (hashing a certificate to look it up would cost as much as redacting it)."""

    def __init__(self, size: int) -> None:
        self._size = size
        self._entries: dict[tuple[Hashable, int], tuple[K, V]] = {}

    def get(self, key: K, compute: Callable[[K], V], tag: Hashable = "") -> V:
        entry = self._entries.get((tag, id(key)))
        if entry is not None and entry[0] is key:
            return entry[1]
        value = compute(key)
        if len(self._entries) >= self._size:
            del self._entries[next(iter(self._entries))]  # the oldest: a new run's objects replace a past run's
        self._entries[(tag, id(key))] = (key, value)
        return value


_LABELS: dict[str, dict[str, str]] = {
    "en": {
        "pass": "PASS",
        "fail": "FAIL",
        "inconclusive": "INCONCLUSIVE",
        "warn": "WARN",
        "violated": "violated",
        "status_inconclusive": "inconclusive",
        "error": "error",
        "warning": "warning",
        "info": "info",
        "rule": "Rule",
        "title": "Title",
        "clause": "Clause",
        "guideline": "MIC GL",
        "severity": "Severity",
        "verdict": "Verdict",
        "violated_count": "Violated",
        "inconclusive_count": "Inconclusive",
        "status": "Status",
        "from_zone": "From zone",
        "to_zone": "To zone",
        "device": "Device",
        "message": "Message",
        "src": "Source",
        "dst": "Destination",
        "proto": "Protocol",
        "sport": "Source port",
        "dport": "Destination port",
        "flow_start": "Flow starts",
        "flow_class": "Packet class",
        "file": "File",
        "line": "Line",
        "text": "Config line",
        "other_lines": "Other lines",
        "path": "Path",
        "no_acl": "no ACL",
        "local": "(local)",
        "findings": "Findings",
        "none": "No findings.",
        "example": "Example packet",
        "permitting": "Permitting lines",
        "evidence": "Evidence",
        "notes": "Notes",
        "rules": "Rules",
        "network": "Network",
        "policy": "Policy profile",
        "generated": "Generated",
        "engine": "Engine",
        "tool": "Tool",
        "command": "Reproduce with",
        "integrity": "Result SHA-256",
        "more": "… {count} more (see the JSON or HTML report)",
        "accepted_baseline": "accepted (baseline)",
        "new_baseline": "new",
        "baseline": "Baseline",
        "severity_error": "error",
        "severity_warning": "warning",
        "severity_info": "info",
        "verdict_info": "INFO",
        "in": "in",
        "out": "out",
        "route_label": "route",
        "cut_filter": "{acl} ({direction}) on {device} {interface}",
        "cut_filter_unbound": "{file}",
        "cut_more": "… and {count} more lines in {acl} (every line in the JSON report)",
        "cut_note": "lines that drop the most of the forbidden packets first",
        "cut_range": ": {count} lines cited, lines {first}-{last}",
        "cut_pair_more": "… and {filters} more filters ({lines} lines) in this cut (every line in the JSON report)",
    },
    "ja": {
        "pass": "合格",
        "fail": "不合格",
        "inconclusive": "判定不能",
        "warn": "警告あり",
        "violated": "違反",
        "status_inconclusive": "判定不能",
        "error": "エラー",
        "warning": "警告",
        "info": "情報",
        "rule": "ルール",
        "title": "名称",
        "clause": "根拠条項",
        "guideline": "総務省GL",
        "severity": "重大度",
        "verdict": "判定",
        "violated_count": "違反",
        "inconclusive_count": "判定不能",
        "status": "状態",
        "from_zone": "送信元の領域",
        "to_zone": "宛先の領域",
        "device": "機器",
        "message": "内容",
        "src": "送信元",
        "dst": "宛先",
        "proto": "プロトコル",
        "sport": "送信元ポート",
        "dport": "宛先ポート",
        "flow_start": "通信の始点",
        "flow_class": "該当パケット",
        "file": "ファイル",
        "line": "行",
        "text": "設定行",
        "other_lines": "その他の行",
        "path": "経路",
        "no_acl": "ACLなし",
        "local": "（自機宛）",
        "findings": "検出事項",
        "none": "検出事項はありません。",
        "example": "例示パケット",
        "permitting": "許可している行",
        "evidence": "根拠",
        "notes": "注記",
        "rules": "ルール",
        "network": "ネットワーク",
        "policy": "ポリシー",
        "generated": "生成日時",
        "engine": "エンジン",
        "tool": "ツール",
        "command": "再現コマンド",
        "integrity": "結果の SHA-256",
        "more": "… ほか {count} 件（JSON または HTML レポートを参照）",
        "accepted_baseline": "受入済み（ベースライン）",
        "new_baseline": "新規",
        "baseline": "ベースライン",
        "severity_error": "エラー",
        "severity_warning": "警告",
        "severity_info": "情報",
        "verdict_info": "情報あり",
        "in": "入力",
        "out": "出力",
        "route_label": "経路",
        "cut_filter": "{device} {interface} の{direction}方向の {acl}",
        "cut_filter_unbound": "{file}",
        "cut_more": "… ほか {count} 行（{acl}。全行は JSON レポートに記載）",
        "cut_note": "禁止するパケットを多く遮断している行から順に表示",
        "cut_range": "：{count} 行を引用（{first}〜{last} 行目）",
        "cut_pair_more": "… ほか {filters} 個のフィルタ（{lines} 行）も遮断箇所（全行は JSON レポートに記載）",
    },
}


def labels(lang: str) -> dict[str, str]:
    return _LABELS["ja" if lang == "ja" else "en"]


def clause_text(clause: str, guideline: str, lang: str) -> str:
    """A rule's clause as reports show it: the city's own clause, with the 総務省 guideline
    section alongside ("—" when the rule cites neither)."""
    parts = [clause] if clause and clause != "—" else []
    if guideline and guideline != "—":
        parts.append(f"{labels(lang)['guideline']} {guideline}")
    return " / ".join(parts) or "—"


def rule_clauses(result: Result) -> dict[str, tuple[str, str]]:
    """Rule ID → (the city's clause, the guideline section), for the rules that ran."""
    return {verdict.rule: (verdict.clause, verdict.guideline) for verdict in result.rules}


def status_label(finding: Finding, lang: str) -> str:
    words = labels(lang)
    return words["violated"] if finding.status == "violated" else words["status_inconclusive"]


def severity_label(severity: str, lang: str) -> str:
    """One label per severity, the same in every table and format."""
    return labels(lang).get(f"severity_{severity}", severity)


def verdict_label(result: Result, verdict: RuleVerdict, lang: str) -> str:
    """A rule's verdict; a rule whose violations are all of severity info reads as such, not
    as a warning."""
    words = labels(lang)
    if verdict.verdict == "warn" and not any(
        f.rule == verdict.rule and f.status == "violated" and f.severity != "info" for f in result.findings
    ):
        return words["verdict_info"]
    return words[verdict.verdict]


# --- isolation certificates ----------------------------------------------------------------

# How many dropping lines of one filter a human-readable report shows; the JSON keeps them all.
CUT_LINES_SHOWN = 3
# How many lines (binding lines included) a human-readable report lists per zone pair: a cut
# through many filters would otherwise bury the report; the filters past it are counted.
CUT_LINES_PER_PAIR = 20
_BINDS = re.compile(r"binds (?P<acl>.+) \((?P<direction>in|out)\) on (?P<device>\S+) (?P<interface>\S+)")


@dataclass(frozen=True)
class CutFilter:
    """One filter of an isolation certificate's cut: where it is bound, the lines that drop
    the most of the forbidden packets (in that order) and how many more lines it needed;
    `cited` lines in all (the binding line aside), numbered `first_line` to `last_line`."""

    device: str
    interface: str
    acl: str
    direction: str
    binding: Evidence | None
    shown: tuple[Evidence, ...]
    more: int
    cited: int = 0
    first_line: int = 0
    last_line: int = 0


@dataclass(frozen=True)
class CertificateView:
    """What a human-readable report lists of one certificate: its first filters, up to
    CUT_LINES_PER_PAIR lines, and how many filters and lines it leaves to the JSON report."""

    from_zone: str
    to_zone: str
    filters: tuple[CutFilter, ...]
    more_filters: int
    more_lines: int
    route_absences: tuple[str, ...]


# The certificates of a few runs, each in up to three forms (redacted, displayable, with relative files).
_CUTS: IdentityMemo[IsolationCertificate, tuple[CutFilter, ...]] = IdentityMemo(128)
_VIEWS: IdentityMemo[IsolationCertificate, CertificateView] = IdentityMemo(128)


def cut_filters(certificate: IsolationCertificate) -> tuple[CutFilter, ...]:
    """The certificate's lines grouped by the filter they belong to (each filter's lines start
    with its binding line: rules/certificate.py); once per certificate (the JSON record, its
    digest and the Markdown summary all group them)."""
    return _CUTS.get(certificate, _grouped_lines)


def _grouped_lines(certificate: IsolationCertificate) -> tuple[CutFilter, ...]:
    groups: list[tuple[Evidence | None, list[Evidence]]] = []
    for line in certificate.lines:
        if _BINDS.fullmatch(line.role) or not groups:
            groups.append((line, []) if _BINDS.fullmatch(line.role) else (None, [line]))
        else:
            groups[-1][1].append(line)
    return tuple(_cut_filter(binding, lines) for binding, lines in groups)


def _cut_filter(binding: Evidence | None, lines: list[Evidence]) -> CutFilter:
    bound = _BINDS.fullmatch(binding.role) if binding else None
    where = (
        (bound["device"], bound["interface"], bound["acl"], bound["direction"])
        if bound is not None
        else ("", "", lines[0].file if lines else "", "")
    )
    numbers = [line.line for line in lines]
    return CutFilter(
        *where,
        binding,
        tuple(lines[:CUT_LINES_SHOWN]),
        max(len(lines) - CUT_LINES_SHOWN, 0),
        len(lines),
        min(numbers, default=0),
        max(numbers, default=0),
    )


def certificate_view(certificate: IsolationCertificate) -> CertificateView:
    """The certificate as a human-readable report lists it: whole filters in the cut's order
    while they fit in CUT_LINES_PER_PAIR lines (the first one always)."""
    return _VIEWS.get(certificate, _listed_view)


def _listed_view(certificate: IsolationCertificate) -> CertificateView:
    cuts = cut_filters(certificate)
    listed: list[CutFilter] = []
    room = CUT_LINES_PER_PAIR
    for cut in cuts:
        size = _listed_size(cut)
        if listed and size > room:
            break
        listed.append(cut)
        room -= size
    rest = cuts[len(listed) :]
    return CertificateView(
        certificate.from_zone,
        certificate.to_zone,
        tuple(listed),
        len(rest),
        sum(cut.cited + (cut.binding is not None) for cut in rest),
        certificate.route_absences,
    )


def relative_view(exact: IsolationCertificate, shown: IsolationCertificate, folder: str) -> CertificateView:
    """`certificate_view(displayable_value(relative_files(exact, folder)))` (what the HTML report
    lists), where `shown` is `displayable_value(exact)` (what the other formats list): when no
    file name of the lines needs quoting, with or without `folder`, making a line's file relative
    and showing it commute, and the lines are grouped as they were (by role): only the lines the
    view lists are made relative, not the thousands of a large cut."""
    if not folder:
        return certificate_view(shown)
    if not all(type(line) is Evidence and _plain_evidence(line) for line in exact.lines) or not all(
        shown_path(file) is file and shown_path(_relative_file(file, folder)) == _relative_file(file, folder)
        for file in {line.file for line in exact.lines}
    ):
        return certificate_view(displayable_value(relative_files(exact, folder)))
    view = certificate_view(shown)
    return replace(view, filters=tuple(_relative_cut(cut, folder) for cut in view.filters))


def _relative_file(file: str, folder: str) -> str:
    return file[len(folder) :] if file.startswith(folder) else file


def _relative_cut(cut: CutFilter, folder: str) -> CutFilter:
    """A filter's lines with relative files; an unbound filter is named by its first line's file."""
    return replace(
        cut,
        acl=cut.acl if cut.device else _relative_file(cut.acl, folder),
        binding=None if cut.binding is None else _relative_evidence(cut.binding, folder),
        shown=tuple(_relative_evidence(line, folder) for line in cut.shown),
    )


def _listed_size(cut: CutFilter) -> int:
    return len(cut.shown) + (cut.binding is not None)


def cut_filter_title(cut: CutFilter, lang: str) -> str:
    words = labels(lang)
    if not cut.device:
        title = words["cut_filter_unbound"].format(file=cut.acl)
    else:
        direction = words.get(cut.direction, cut.direction)
        title = words["cut_filter"].format(acl=cut.acl, direction=direction, device=cut.device, interface=cut.interface)
    if cut.cited <= CUT_LINES_SHOWN:
        return title  # every line is listed below it
    return title + words["cut_range"].format(count=cut.cited, first=cut.first_line, last=cut.last_line)


def cut_more(cut: CutFilter, lang: str) -> str:
    return labels(lang)["cut_more"].format(count=cut.more, acl=cut.acl) if cut.more else ""


def certificate_more(view: CertificateView, lang: str) -> str:
    """The pair's filters left out of a human-readable report, or ""."""
    if not view.more_filters:
        return ""
    return labels(lang)["cut_pair_more"].format(filters=view.more_filters, lines=view.more_lines)


# --- redaction ---------------------------------------------------------------------------


def redacted(result: Result) -> Result:
    """The Result with every field that holds config text verbatim passed through `redact` again.

    Only quoted config is touched: Evidence.text, AclRef.text and certificate lines. Messages,
    notes, flow classes, exception records and the command are the tool's own sentences (or the
    user's topology) and are never altered; a rule that embeds a config line in a sentence
    redacts that fragment where it builds the sentence (rules/meta.py, device.py, acl.py)."""
    return replace(
        result,
        findings=_REDACTED_FINDINGS.get(result.findings, _redacted_findings),
        certificates=_REDACTED_CERTIFICATES.get(result.certificates, _redacted_certificates),
    )


# Every renderer, and the digests of SARIF, HTML and Markdown, redact the same findings and
# certificates, whose lines are most of a large result: each tuple is redacted once. The memos
# hold a run's objects (and those of the few runs before it in the same process), no more.
_REDACTED_FINDINGS: IdentityMemo[tuple[Finding, ...], tuple[Finding, ...]] = IdentityMemo(4)
_Certificates = tuple[IsolationCertificate, ...]
_REDACTED_CERTIFICATES: IdentityMemo[_Certificates, _Certificates] = IdentityMemo(4)


def _redacted_findings(findings: tuple[Finding, ...]) -> tuple[Finding, ...]:
    return tuple(_redacted_finding(f) for f in findings)


def _redacted_certificates(certificates: tuple[IsolationCertificate, ...]) -> tuple[IsolationCertificate, ...]:
    # A line a cut goes through is cited by several certificates: its text is redacted once.
    texts: dict[str, str] = {}
    return tuple(_redacted_certificate(c, texts) for c in certificates)


def _redacted_finding(finding: Finding) -> Finding:
    return replace(
        finding,
        path=tuple(_redacted_step(step) for step in finding.path),
        evidence=tuple(_redacted_evidence(e) for e in finding.evidence),
    )


def _redacted_step(step: PathStep) -> PathStep:
    return replace(step, acl=_redacted_acl(step.acl), acl_out=_redacted_acl(step.acl_out))


def _redacted_acl(acl: AclRef | None) -> AclRef | None:
    return None if acl is None else replace(acl, text=redact(acl.text))


def _redacted_evidence(evidence: Evidence) -> Evidence:
    return replace(evidence, text=redact(evidence.text))


def _redacted_certificate(certificate: IsolationCertificate, texts: dict[str, str]) -> IsolationCertificate:
    """`certificate` with its lines redacted; `texts`: the redacted form of texts seen before."""
    lines = []
    for line in certificate.lines:
        text = texts.get(line.text)
        if text is None:
            text = texts[line.text] = redact(line.text)
        lines.append(line if text == line.text else Evidence(line.file, line.line, text, line.role))
    return replace(certificate, lines=tuple(lines))


# --- output that the input cannot forge ---------------------------------------------------

# C0 but tab, DEL, C1 (U+0085 is a line break to some viewers), line and paragraph separators,
# bidirectional overrides and isolates (they reorder what a reader sees), and the two
# non-characters XML 1.0 forbids. A config line or file name holding one could otherwise start a
# fake report line (`\nVERDICT: PASS`), drive the terminal (`\x1b[2J`) or break the JUnit XML.
_CONTROL = re.compile("[\x00-\x08\x0a-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069\ufffe\uffff]")
_NAMED_ESCAPES = {"\n": "\\n", "\r": "\\r"}
# A file name is quoted when it could be read as more than one name: a `file:line` separator
# (`a.cfg:12`), `: ` (the separator before a message), quotes, surrounding spaces or escapes.
_AMBIGUOUS_PATH = re.compile(r':(?:\d| )|["\']|^\s|\s$')
# Result fields that hold a file name.
_PATH_FIELDS = frozenset({"file", "path", "config", "topology"})


def visible(text: str) -> str:
    """`text` with every character of _CONTROL written as a visible escape (`\\n`, `\\x1b`,
    `\\u202e`): printed text then holds exactly the lines the renderer made."""
    if not _CONTROL.search(text):
        return text
    return _CONTROL.sub(lambda m: _escape_character(m.group(0)), text)


def _escape_character(character: str) -> str:
    code = ord(character)
    return _NAMED_ESCAPES.get(character) or (f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}")


def shown_path(path: str) -> str:
    """A file name as human-readable output prints it: escaped like `visible`, and between
    double quotes (a quote inside written `\\"`) when it could otherwise be misread."""
    escaped = visible(path)
    if escaped == path and not _AMBIGUOUS_PATH.search(path):
        return path
    return '"' + escaped.replace('"', '\\"') + '"'


def displayable(result: Result) -> Result:
    """`redacted(result)` made safe for the human-readable formats (text, Markdown, CSV, HTML,
    JUnit): every string in it passed through `visible`, file names through `shown_path`.
    Machine-readable formats keep the exact values and rely on `json_text`."""
    return displayable_of_redacted(redacted(result))


def displayable_of_redacted(result: Result) -> Result:
    """`displayable` of a Result already passed through `redacted`: field by field, each
    tuple or record once for all the human-readable formats (see IdentityMemo)."""
    changes = {}
    for field_name in _init_fields(Result):
        before = getattr(result, field_name)
        if isinstance(before, tuple) or (is_dataclass(before) and not isinstance(before, type)):
            after = _DISPLAYED.get(before, functools.partial(_displayed, name=field_name), field_name)
        else:
            after = _displayed(before, field_name)
        if after is not before:
            changes[field_name] = after
    return replace(result, **changes) if changes else result


# A run's Result fields, twice (the HTML report's files are relative). Tagged with the field's
# name: a tuple of strings is shown as file names under some names only.
_DISPLAYED: IdentityMemo[Any, Any] = IdentityMemo(32)


def _displayed(value: Any, name: str) -> Any:
    if type(value) is Evidence and _plain_evidence(value):
        return _displayed_evidence(value)  # the bulk of a large result: its certificates' lines
    if isinstance(value, str):
        return shown_path(value) if name in _PATH_FIELDS else visible(value)
    if isinstance(value, tuple):
        if _shown_as_is(value, name):
            return value
        items = tuple(_displayed(item, name) for item in value)
        return value if all(a is b for a, b in zip(items, value, strict=True)) else items
    if isinstance(value, list):
        return [_displayed(item, name) for item in value]
    if isinstance(value, dict):
        return {_displayed(key, ""): _displayed(item, name) for key, item in value.items()}
    if is_dataclass(value) and not isinstance(value, type):
        changes = {}
        for field_name in _init_fields(type(value)):
            before = getattr(value, field_name)
            after = _displayed(before, field_name)
            if after is not before:
                changes[field_name] = after
        return replace(value, **changes) if changes else value
    return value


def _shown_as_is(value: tuple[Any, ...], name: str) -> bool:
    """Whether `_displayed` leaves every item of `value` as it is, asked of the whole tuple at once
    when its items are strings (not file names) or Evidence lines: the joined text holds a
    character `visible` escapes exactly when one of the items does (the space is none), and each
    distinct file name is asked once. False when unsure: the items are then walked one by one."""
    if all(type(item) is str for item in value):
        return name not in _PATH_FIELDS and not _CONTROL.search(" ".join(value))
    if not all(type(item) is Evidence and _plain_evidence(item) for item in value):
        return False
    texts = " ".join(text for line in value for text in (line.text, line.role))
    return not _CONTROL.search(texts) and all(shown_path(file) is file for file in {line.file for line in value})


def _plain_evidence(evidence: Evidence) -> bool:
    """Its fields hold the types they are declared with (the walks take anything else as it is)."""
    return (
        type(evidence.file) is str
        and type(evidence.text) is str
        and type(evidence.role) is str
        and type(evidence.line) is int
    )


def _displayed_evidence(evidence: Evidence) -> Evidence:
    """`_displayed` of an Evidence, field by field (tests/test_report_fast_paths.py checks that
    these are its fields and that the walk gives the same)."""
    file, text, role = shown_path(evidence.file), visible(evidence.text), visible(evidence.role)
    if file is evidence.file and text is evidence.text and role is evidence.role:
        return evidence
    return Evidence(file, evidence.line, text, role)


@functools.cache
def _init_fields(cls: type) -> tuple[str, ...]:
    return tuple(item.name for item in fields(cls) if item.init)


def displayable_value(value: Any) -> Any:
    """`displayable` for what is not a Result (a diff, a trace record): the same walk over
    dataclasses, tuples, lists and dicts, without redaction (their config text is redacted
    where they are built)."""
    return _displayed(value, "")


def common_folder(result: Result) -> str:
    """The deepest folder holding every input file ("" when they share none, or there is one
    file): the HTML report names files relative to it, the scope section names it once."""
    folders = [record.path.replace("\\", "/").rsplit("/", 1)[0] + "/" for record in result.inputs if "/" in record.path]
    if len(folders) < 2 or len(folders) != len(result.inputs):
        return ""
    prefix = folders[0]
    for folder in folders[1:]:
        while not folder.startswith(prefix):
            prefix = prefix[: prefix.rstrip("/").rfind("/") + 1]
    return prefix if prefix.strip("/") else ""


_MESSAGE_FIELDS = frozenset({"message_en", "message_ja"})


def relative_files(value: Any, folder: str) -> Any:
    """`value` (a Result or any part of it) with every `file` field under `folder` written
    relative to it. Only the field named `file`: input records keep their whole path."""
    if not folder:
        return value
    if type(value) is Evidence and _plain_evidence(value):
        return _relative_evidence(value, folder)  # the bulk of a large result: its certificates' lines
    if isinstance(value, tuple):
        if all(type(item) is str for item in value):
            return value  # (segment members, subnets …) only a field named `file` changes
        return tuple(relative_files(item, folder) for item in value)
    if is_dataclass(value) and not isinstance(value, type):
        changes: dict[str, Any] = {}
        for field_name in _init_fields(type(value)):
            before = getattr(value, field_name)
            if field_name == "file" and isinstance(before, str):
                after: Any = before[len(folder) :] if before.startswith(folder) else before
            elif field_name in _MESSAGE_FIELDS and isinstance(before, str):
                after = before.replace(folder, "")  # the file:line lists messages carry
            elif isinstance(before, tuple) or (is_dataclass(before) and not isinstance(before, type)):
                after = relative_files(before, folder)
            else:
                continue
            if after != before:
                changes[field_name] = after
        return replace(value, **changes) if changes else value
    return value


def _relative_evidence(evidence: Evidence, folder: str) -> Evidence:
    """`relative_files` of an Evidence: its one file name (see `_displayed_evidence`)."""
    if evidence.file.startswith(folder) and folder:
        return Evidence(evidence.file[len(folder) :], evidence.line, evidence.text, evidence.role)
    return evidence


# Characters JSON allows raw in a string but a terminal or a JavaScript parser may act on.
_JSON_RAW = re.compile("[\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def json_text(value: Any, **options: Any) -> str:
    """`json.dumps(value, ensure_ascii=False, **options)` that also writes DEL, C1, the line
    separators and bidirectional controls as \\u escapes (json.dumps escapes only C0). Values
    stay exact: any JSON parser reads the same strings back."""
    text = indented_json(value) if options == {"indent": 2} else None
    if text is None:
        text = json.dumps(value, ensure_ascii=False, **options)
    if text.isascii() and "\x7f" not in text:
        return text  # the one character of _JSON_RAW that is ASCII is DEL (two scans in C, not the pattern's)
    return _JSON_RAW.sub(lambda m: f"\\u{ord(m.group(0)):04x}", text)


# --- indented JSON -----------------------------------------------------------------------
#
# json.dumps writes indented JSON with its pure-Python encoder (the C one knows no indent): some
# ten megabytes on a large city's certificates. `indented_json` writes the same bytes, handing
# each container of plain values (an Evidence line, a location) to the C encoder whole: its item
# separator, given as the comma, a line break and the indent of the items, is exactly what the
# indented form puts between them.

_INDENT = "  "
_PLAIN_SCALARS = (str, int, bool, float, type(None))


class _NotPlainJson(Exception):
    """A value `indented_json` leaves to json.dumps (a key or value of another type)."""


def indented_json(value: Any) -> str | None:
    """`json.dumps(value, ensure_ascii=False, indent=2)` when `value` holds only dicts with
    string keys, lists, tuples and plain scalars; None otherwise (tests/test_report_fast_paths.py
    compares the two)."""
    parts: list[str] = []
    try:
        _write_json(value, 0, parts)
    except _NotPlainJson:
        return None
    return "".join(parts)


def _write_json(value: Any, level: int, parts: list[str]) -> None:
    kind = type(value)
    if kind is dict:
        _write_json_dict(value, level, parts)
    elif kind is list or kind is tuple:
        _write_json_list(value, level, parts)
    elif kind is str:
        parts.append(json.encoder.encode_basestring(value))  # what json.dumps(ensure_ascii=False) writes
    elif kind in _PLAIN_SCALARS:
        parts.append(_flat_encoder(0).encode(value))
    else:
        raise _NotPlainJson


def _write_json_dict(value: dict[Any, Any], level: int, parts: list[str]) -> None:
    if not value:
        parts.append("{}")
        return
    if _flat_dict(value):
        parts.append(_flat_json(value, level))
        return
    inner = "\n" + _INDENT * (level + 1)
    separator = "{" + inner
    for key, item in value.items():
        if type(key) is not str:
            raise _NotPlainJson
        parts.append(separator + json.encoder.encode_basestring(key) + ": ")
        _write_json(item, level + 1, parts)
        separator = "," + inner
    parts.append("\n" + _INDENT * level + "}")


def _write_json_list(value: list[Any] | tuple[Any, ...], level: int, parts: list[str]) -> None:
    if not value:
        parts.append("[]")
        return
    if all(type(item) in _PLAIN_SCALARS for item in value):
        parts.append(_flat_json(value, level))
        return
    if _flat_dicts(value):
        parts.append(_flat_dicts_json(value, level))
        return
    inner = "\n" + _INDENT * (level + 1)
    separator = "[" + inner
    for item in value:
        parts.append(separator)
        _write_json(item, level + 1, parts)
        separator = "," + inner
    parts.append("\n" + _INDENT * level + "]")


def _flat_json(value: dict[str, Any] | list[Any] | tuple[Any, ...], level: int) -> str:
    """A non-empty container of plain scalars, indented as its items' `level` says."""
    inner = "\n" + _INDENT * (level + 1)
    if type(value) is not dict and all(type(item) is str for item in value):
        # a list of strings (a segment's subnets and members): the strings encoded one by one are
        # what the encoder writes between its separators, without its set-up for a short list
        text = "[" + ("," + inner).join(map(json.encoder.encode_basestring, value)) + "]"
    else:
        text = _flat_encoder(level).encode(value)
    return text[0] + inner + text[1:-1] + "\n" + _INDENT * level + text[-1]


def _flat_dict(value: dict[Any, Any]) -> bool:
    return all(type(key) is str and type(item) in _PLAIN_SCALARS for key, item in value.items())


def _flat_dicts(value: list[Any] | tuple[Any, ...]) -> bool:
    """Every item is a non-empty dict of plain scalars under string keys (asked with C loops:
    a certificate has thousands of lines)."""
    if not all(type(item) is dict and item for item in value):
        return False
    keys = itertools.chain.from_iterable(value)
    values = itertools.chain.from_iterable(map(dict.values, value))
    strings = all(map(_STRING_TYPE.__contains__, map(type, keys)))
    return strings and all(map(_PLAIN_TYPES.__contains__, map(type, values)))


_STRING_TYPE = frozenset({str})
_PLAIN_TYPES = frozenset(_PLAIN_SCALARS)


def _flat_dicts_json(value: list[Any] | tuple[Any, ...], level: int) -> str:
    """A list of non-empty dicts of plain scalars (a certificate's lines), in one call of the C
    encoder: given the separator of the dicts' items, it writes the same between the dicts, where
    it stands after a `}` and before a `{` (nowhere else: the items are key, then a scalar, and an
    encoded string holds no line break). Those are replaced by the separator of the list's items."""
    items = "\n" + _INDENT * (level + 1)
    inner = items + _INDENT
    text = _flat_encoder(level + 1).encode(value)
    body = text[2:-2].replace("}," + inner + "{", items + "}," + items + "{" + inner)
    return "[" + items + "{" + inner + body + items + "}" + "\n" + _INDENT * level + "]"


@functools.cache
def _flat_encoder(level: int) -> json.JSONEncoder:
    return json.JSONEncoder(ensure_ascii=False, separators=(",\n" + _INDENT * (level + 1), ": "))


# --- formatting --------------------------------------------------------------------------


def start_text(finding: Finding, lang: str) -> str:
    """Where the example flow starts: `from segment 10.2.5.0/24 (lg-core:Vlan50)`, or
    `enters at inet-rtr:Gi0/0`; "" when the finding has no example flow."""
    if not finding.flow_start:
        return ""
    if finding.flow_start_kind == "segment":
        return f"セグメント {finding.flow_start} から" if lang == "ja" else f"from segment {finding.flow_start}"
    return f"{finding.flow_start} から流入" if lang == "ja" else f"enters at {finding.flow_start}"


def flow_text(flow: FlowExample) -> str:
    """`tcp 10.1.20.30:49152 → 10.3.10.10:80`, with ICMP type/code and the established flag."""
    if flow.dport is not None:
        text = f"{flow.proto} {flow.src}:{flow.sport} → {flow.dst}:{flow.dport}"
    else:
        text = f"{flow.proto} {flow.src} → {flow.dst}"
    if flow.icmp_type is not None:
        text += f" type {flow.icmp_type}" + (f" code {flow.icmp_code}" if flow.icmp_code is not None else "")
    if flow.established:
        text += " established"
    return text


def permitting_lines(finding: Finding) -> tuple[Evidence, ...]:
    """The lines that let the finding's packets through; for findings without such lines
    (unknown lines, device rules) its evidence, the entries with a line number first choice."""
    permits = tuple(e for e in finding.evidence if e.role == "permits")
    if permits:
        return permits
    on_a_line = tuple(e for e in finding.evidence if e.line > 0)
    return on_a_line or finding.evidence


# The classes of addresses a finding may name that are not zones (rules/flows.py), with their id.
_CLASS_NAMES = {
    "en": {"transit": "transit (no zone)", "outside": "outside the modelled network", "public": "the public internet"},
    "ja": {"transit": "中継区間", "outside": "モデル外のネットワーク", "public": "インターネット", "peer": "外部接続"},
}


def zone_name(result: Result, zone_id: str, lang: str) -> str:
    """The zone's label with its id (`LGWAN接続系 (lgwan)`); an address class that is not a zone
    named with its id (`中継区間 (transit)`, `外部接続 (peer:chukan)`); else the id alone."""
    for candidate, _kind, label in result.zones:
        if candidate == zone_id:
            return f"{label} ({zone_id})" if label and label != zone_id else zone_id
    name = _CLASS_NAMES["ja" if lang == "ja" else "en"].get(zone_id.split(":", 1)[0])
    return f"{name} ({zone_id})" if name else zone_id


def zone_kind(result: Result, zone_id: str) -> str:
    for candidate, kind, _label in result.zones:
        if candidate == zone_id:
            return kind
    return ""


def interface_text(name: str, vrf: str) -> str:
    """An interface as paths show it: with its VRF when it is in one (`Vlan20 (vrf LGWAN)`;
    the IOS keyword reads the same in both languages)."""
    return f"{name} (vrf {vrf})" if name and vrf else name


def hop_text(step: PathStep, lang: str) -> str:
    words = labels(lang)
    text = (
        f"{step.device}: {interface_text(step.in_interface, step.in_vrf) or '-'} → "
        f"{interface_text(step.out_interface, step.out_vrf) or words['local']}"
    )
    if step.route:
        text += f" [{step.route}]"
    acls = [f"{words['in']} {step.acl.name} ({step.acl.file}:{step.acl.line})" if step.acl else ""]
    if step.acl_out:
        acls.append(f"{words['out']} {step.acl_out.name} ({step.acl_out.file}:{step.acl_out.line})")
    shown = [a for a in acls if a]
    text += " " + ", ".join(shown) if shown else f" {words['no_acl']}"
    return text + (f" ! {step.note}" if step.note else "")
