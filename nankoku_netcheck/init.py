"""`init`: draft the topology file from a folder of configs (issue #19).

`draft_topology(folder, output)` reads every config (init_read.py), proposes zones from the
address plan and the words in the configs (init_plan.py, init_words.py) and returns the draft
text: every proposal commented with the config lines it rests on, groups without evidence left
as `TODO` (the loader refuses the file until each is resolved), upstream, external-peer and
channel candidates commented out. `check_draft` then verifies the draft with the proposals
applied (TODO zones left out; the upstream candidates with a default route out and the channel
candidates uncommented; external peers stay out, they need MAC addresses and flows only the
user knows).
"""

from __future__ import annotations

import json
import os
import re
import tempfile
import warnings
from dataclasses import dataclass, replace

from nankoku_netcheck.errors import InputError, InputProblem
from nankoku_netcheck.init_plan import (
    Candidate,
    ChannelCandidate,
    Group,
    PeerCandidate,
    Prefix,
    channel_candidates,
    contains,
    peer_candidates,
    plan_groups,
    upstream_candidates,
)
from nankoku_netcheck.init_read import Folder, read_folder
from nankoku_netcheck.init_words import CHANNEL_PORTS, KIND_LABELS
from nankoku_netcheck.model import PROTO_ICMP, PROTO_TCP, PROTO_UDP, Source, format_prefix

_EVIDENCE_SHOWN = 4
_COMMENT_WIDTH = 110
_SAFE_SCALAR = re.compile(r"^[A-Za-z0-9.][A-Za-z0-9._/-]*$")
_PROTOCOLS = {PROTO_TCP: "tcp", PROTO_UDP: "udp", PROTO_ICMP: "icmp"}
_SINGLE_KINDS = ("mynumber", "lgwan", "internet")

_TEXT: dict[str, dict[str, str]] = {
    "head": {
        "en": "Draft topology written by `nankoku-netcheck init` from {folder} ({count} configs).\n"
        "Check every proposal against the config lines quoted under it, resolve every TODO (the file\n"
        "does not load while one is left), and uncomment the candidates you confirm.",
        "ja": "`nankoku-netcheck init` が {folder} の設定 ({count} 台分) から作成した下書きです。\n"
        "各提案の根拠 (下に引用した設定行) を確認し、TODO をすべて解消してください (TODO が残る間は\n"
        "読み込めません)。候補はコメントになっています: 確認したものだけコメントを外してください。",
    },
    "skipped": {"en": "Not read (no supported config):", "ja": "読み込まなかったファイル (対応する設定ではない):"},
    "firewall": {"en": "stateful", "ja": "ステートフル"},
    "evidence": {"en": "proposed from:", "ja": "提案の根拠:"},
    "more": {"en": "... and {count} more lines", "ja": "... ほか {count} 行"},
    "todo": {
        "en": "TODO: no (or conflicting) evidence for {prefix}: set kind (mynumber, lgwan, internet, external,\n"
        "other) and label, or delete this zone to leave the addresses transit.",
        "ja": "TODO: {prefix} の系統を示す根拠がない (または食い違う): kind (mynumber, lgwan, internet,\n"
        "external, other) と label を書くか、経由のみのアドレスならこのゾーンを削除してください。",
    },
    "transit": {
        "en": "Transit (point-to-point links and loopbacks only, no zone claims them):",
        "ja": "経由のみ (対向リンクとループバックだけ。どのゾーンにも属さない):",
    },
    "upstream": {
        "en": "Upstream candidates (the public internet begins beyond them); confirm, then uncomment\n"
        "under the internet zone:",
        "ja": "上流 (この先がインターネット) の候補。確認してからインターネット接続系のゾーンの下で\n"
        "コメントを外してください:",
    },
    "default_out": {"en": "default route out", "ja": "外向きの既定経路"},
    "hint": {"en": "public address or outside/wan name", "ja": "グローバルアドレス または outside/wan の名前"},
    "peers": {
        "en": "External-peer candidates (static routes out to addresses outside every zone); fill in and uncomment:",
        "ja": "外部接続先の候補 (どのゾーンにも属さない宛先への静的経路)。記入してコメントを外してください:",
    },
    "channels": {
        "en": "Channel candidates (permits between the proposed LGWAN and internet zones); confirm, then uncomment:",
        "ja": "無害化通信の候補 (LGWAN接続系とインターネット接続系の間を許可する行)。確認してコメントを外してください:",
    },
}


@dataclass(frozen=True)
class Plan:
    folder: Folder
    groups: tuple[Group, ...]
    upstream: tuple[Candidate, ...]
    peers: tuple[PeerCandidate, ...]
    channels: tuple[ChannelCandidate, ...]


@dataclass(frozen=True)
class InitSummary:
    devices: int
    skipped: int
    segments: int  # address groups found
    proposals: int  # groups given a zone
    todos: int
    transit: int
    upstream: int
    peers: int
    channels: int
    verdict: str = ""  # what verify says of the draft with the proposals applied; "" = not run
    violated: tuple[str, ...] = ()  # rule IDs with a violated finding
    inconclusive: tuple[str, ...] = ()
    check_problem: str = ""  # why verify could not run on the applied draft


@dataclass(frozen=True)
class Draft:
    text: str
    applied: str  # the draft with the proposals applied (what `check_draft` verifies)
    summary: InitSummary
    warnings: tuple[InputProblem, ...]
    skipped: tuple[str, ...]  # "file: reason" of each file not read


def draft_topology(folder: str, output: str, lang: str = "en") -> Draft:
    """The draft for the configs in `folder`, to be written to `output` (its `configs:` is
    relative to that file's folder). Raises InputError for a folder that yields no device."""
    plan = make_plan(read_folder(folder))
    configs_key = os.path.relpath(plan.folder.path, os.path.dirname(os.path.realpath(output)) or ".")
    text = render(plan, configs_key.replace(os.sep, "/"), lang, applied=False)
    applied = render(plan, plan.folder.path, lang, applied=True)
    skipped = tuple(f"{item.display}: {item.reason}" for item in plan.folder.skipped)
    return Draft(text, applied, summarize(plan), plan.folder.warnings, skipped)


def make_plan(folder: Folder) -> Plan:
    groups = tuple(plan_groups(folder.configs))
    zones = zone_prefixes(groups)
    return Plan(
        folder,
        groups,
        tuple(upstream_candidates(folder.configs)),
        tuple(peer_candidates(folder.configs, list(groups))),
        tuple(channel_candidates(folder.configs, zones)),
    )


def zone_prefixes(groups: tuple[Group, ...]) -> dict[str, tuple[Prefix, ...]]:
    """Proposed prefixes of each single kind, a prefix covered by another of the same kind dropped."""
    found: dict[str, list[Prefix]] = {}
    for group in groups:
        if group.kind in _SINGLE_KINDS and not group.transit:
            found.setdefault(group.kind, []).append(group.prefix)
    return {kind: _outermost(prefixes) for kind, prefixes in found.items()}


def _outermost(prefixes: list[Prefix]) -> tuple[Prefix, ...]:
    kept = [p for p in prefixes if not any(q != p and contains(q, p) for q in prefixes)]
    return tuple(sorted(set(kept)))


def summarize(plan: Plan) -> InitSummary:
    zoned = [group for group in plan.groups if not group.transit]
    return InitSummary(
        devices=len(plan.folder.configs),
        skipped=len(plan.folder.skipped),
        segments=len(plan.groups),
        proposals=sum(1 for group in zoned if group.kind is not None),
        todos=sum(1 for group in zoned if group.kind is None),
        transit=len(plan.groups) - len(zoned),
        upstream=len(plan.upstream),
        peers=len(plan.peers),
        channels=len(plan.channels),
    )


# --- rendering ------------------------------------------------------------------------------


def render(plan: Plan, configs_key: str, lang: str, applied: bool) -> str:
    lines = [*_comment_block(_say("head", lang, folder=configs_key, count=len(plan.folder.configs)), 0)]
    if plan.folder.skipped:
        lines += _comment_block(_say("skipped", lang), 0)
        lines += [_comment(f"  {os.path.basename(item.display)}: {item.reason}", 0) for item in plan.folder.skipped]
    lines += ["version: 1", f"name: {_scalar(os.path.basename(plan.folder.path))}", "policy: nankoku-2019"]
    lines += [f"configs: {_scalar(configs_key)}", "", "devices:"]
    for config in plan.folder.configs:
        role = ", role: firewall" if config.device.stateful else ""
        note = f"  # {config.device.vendor}" + (f", {_say('firewall', lang)}" if config.device.stateful else "")
        lines.append(f"  {_scalar(config.name)}: {{config: {_scalar(config.file_name)}{role}}}{note}")
    lines += ["", "zones:"]
    lines += _zones(plan, lang, applied)
    transit = [group for group in plan.groups if group.transit]
    if transit:
        lines += ["", *_comment_block(_say("transit", lang), 0)]
        lines += [_comment(f"  {format_prefix(*group.prefix)}", 0) for group in transit]
    lines += _peers(plan, lang)
    lines += _channels(plan, lang, applied)
    return "\n".join(lines) + "\n"


def _zones(plan: Plan, lang: str, applied: bool) -> list[str]:
    lines: list[str] = []
    singles = zone_prefixes(plan.groups)
    for kind in _SINGLE_KINDS:
        if kind not in singles:
            continue
        groups = [g for g in plan.groups if g.kind == kind and not g.transit]
        lines += _zone(kind, kind, singles[kind], groups, lang)
        if kind == "internet":
            lines += _upstream(plan.upstream, lang, applied)
    numbers: dict[str, int] = {}
    for group in plan.groups:
        if group.transit or group.kind in _SINGLE_KINDS or (applied and group.kind is None):
            continue
        label = group.kind or "todo"
        numbers[label] = numbers.get(label, 0) + 1
        zone_id = f"{label}-{numbers[label]}"
        if group.kind is None:
            lines += _todo_zone(zone_id, group, lang)
        else:
            lines += _zone(zone_id, group.kind, (group.prefix,), [group], lang)
    if "internet" not in singles and plan.upstream and not applied:
        lines += _upstream(plan.upstream, lang, applied)
    if not any(line.strip() and not line.strip().startswith("#") for line in lines):
        lines.insert(0, "  {}")
    return lines


def _zone(zone_id: str, kind: str, prefixes: tuple[Prefix, ...], groups: list[Group], lang: str) -> list[str]:
    shown = ", ".join(format_prefix(*prefix) for prefix in prefixes)
    lines = [f"  {zone_id}:", f"    kind: {kind}", f"    label: {KIND_LABELS[kind][lang]}", f"    prefixes: [{shown}]"]
    lines += _vrf_note(groups)
    votes = sorted(
        {(v.source.file, v.source.line): v for g in groups for v in g.votes if v.kind == kind}.values(),
        key=lambda v: (-v.weight, v.source.file, v.source.line),
    )
    lines.append(_comment(_say("evidence", lang), 4))
    lines += [_comment("  " + _quote(vote.source), 4) for vote in votes[:_EVIDENCE_SHOWN]]
    if len(votes) > _EVIDENCE_SHOWN:
        lines.append(_comment("  " + _say("more", lang, count=len(votes) - _EVIDENCE_SHOWN), 4))
    return lines


def _vrf_note(groups: list[Group]) -> list[str]:
    """Which VRFs the zone's subnets are in (the same word in both languages)."""
    vrfs = sorted({group.vrf for group in groups if group.vrf})
    return [_comment(f"VRF: {', '.join(vrfs)}", 4)] if vrfs else []


def _todo_zone(zone_id: str, group: Group, lang: str) -> list[str]:
    prefix = format_prefix(*group.prefix)
    lines = [f"  {zone_id}:", *_comment_block(_say("todo", lang, prefix=prefix), 4)]
    lines += ["    kind: TODO", "    label: TODO", f"    prefixes: [{prefix}]"]
    lines += _vrf_note([group])
    lines += [_comment(f"  {vote.kind}: {_quote(vote.source)}", 4) for vote in group.votes[:_EVIDENCE_SHOWN]]
    return lines


def _upstream(candidates: tuple[Candidate, ...], lang: str, applied: bool) -> list[str]:
    if not candidates:
        return []
    strong = [c.ref for c in candidates if c.strong]
    lines = _comment_block(_say("upstream", lang), 4)
    if applied and strong:
        return [*lines, f"    upstream: [{', '.join(strong)}]"]
    for candidate in candidates:
        why = _say("default_out" if candidate.strong else "hint", lang)
        lines.append(_comment(f"upstream: [{candidate.ref}]   # {why}: {_quote(candidate.source)}", 4))
    return lines


def _peers(plan: Plan, lang: str) -> list[str]:
    if not plan.peers:
        return []
    lines = ["", *_comment_block(_say("peers", lang), 0), _comment("external_peers:", 0)]
    for number, peer in enumerate(plan.peers, start=1):
        lines += [
            _comment(f"  peer-{number}:   # {_quote(peer.source)}", 0),
            _comment("    label: TODO", 0),
            _comment(f"    addresses: [{format_prefix(*peer.prefix)}]", 0),
            _comment(f"    attach: {peer.attach}", 0),
            _comment("    mac: [TODO]", 0),
            _comment("    internet_connected: false", 0),
            _comment(
                f"    allow: [{{src: [TODO], dst: [{format_prefix(*peer.prefix)}], proto: tcp, dport: [TODO]}}]", 0
            ),
        ]
    return lines


def _channels(plan: Plan, lang: str, applied: bool) -> list[str]:
    if not plan.channels:
        return []
    lines = ["", *_comment_block(_say("channels", lang), 0), "channels:" if applied else _comment("channels:", 0)]
    for number, channel in enumerate(plan.channels, start=1):
        kind = CHANNEL_PORTS.get(channel.dport or -1, "file-sanitize")
        proto = _PROTOCOLS.get(channel.proto, str(channel.proto))
        port = f", dport: [{channel.dport}]" if channel.dport is not None and proto in ("tcp", "udp") else ""
        flow = f"src: [{format_prefix(*channel.src)}], dst: [{format_prefix(*channel.dst)}], proto: {proto}{port}"
        entry = f"  - {{id: channel-{number}, kind: {kind}, {flow}}}"
        lines.append(entry if applied else _comment(f"{entry}   # {_quote(channel.source)}", 0))
    return lines


def _say(key: str, lang: str, **values: object) -> str:
    return _TEXT[key]["ja" if lang == "ja" else "en"].format(**values)


def _comment(text: str, indent: int) -> str:
    return " " * indent + "# " + text


def _comment_block(text: str, indent: int) -> list[str]:
    return [_comment(line, indent) for line in text.split("\n")]


def _quote(source: Source) -> str:
    """`file:line: text`, made safe to stand in a YAML comment on one line."""
    text = "".join(character if _printable(character) else "?" for character in source.text.strip())
    if len(text) > _COMMENT_WIDTH:
        text = text[: _COMMENT_WIDTH - 3] + "..."
    # The file name alone: configs are read from one folder, and the draft must not depend on the cwd.
    return f"{os.path.basename(source.file)}:{source.line}: {text}"


def _printable(character: str) -> bool:
    code = ord(character)
    return 0x20 <= code <= 0x7E or 0xA0 <= code <= 0xD7FF or 0xE000 <= code <= 0xFFFD or code >= 0x10000


def _scalar(text: str) -> str:
    return (
        text if _SAFE_SCALAR.match(text) and text.lower() not in ("true", "false", "null", "todo") else json.dumps(text)
    )


# --- checking -------------------------------------------------------------------------------


def check_draft(draft: Draft, folder: str) -> Draft:
    """`draft` with its summary saying what verify finds with the proposals applied."""
    from nankoku_netcheck.analyze import analyze

    if draft.summary.proposals == 0:
        return _with_summary(draft, check_problem="no zone proposed: resolve the TODO zones first")
    with tempfile.TemporaryDirectory(prefix="nankoku-init-") as scratch:
        path = os.path.join(scratch, "topology.yaml")
        with open(path, "w", encoding="utf-8") as handle:
            handle.write(draft.applied)
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                result = analyze(path, allow_paths=[os.path.realpath(folder)], timestamp="", today=None)
        except InputError as error:
            problem = error.problems[0].message if error.problems else "input error"
            return _with_summary(draft, check_problem=problem)
    violated = sorted({f.rule for f in result.findings if f.status == "violated" and not f.accepted})
    inconclusive = sorted({f.rule for f in result.findings if f.status == "inconclusive"})
    return _with_summary(draft, verdict=result.verdict, violated=tuple(violated), inconclusive=tuple(inconclusive))


def _with_summary(draft: Draft, **changes: object) -> Draft:
    return replace(draft, summary=replace(draft.summary, **changes))  # type: ignore[arg-type]
