"""The HTML audit report: one self-contained file (inline CSS and SVG, no script, no
external resource), Japanese by default, print-friendly on A4 so a browser can save it as PDF.

The template (templates/report.html.j2) only lays out what `_view` prepares here; both only
present the Result."""

from __future__ import annotations

import functools
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from markupsafe import Markup, escape

from ..result import Evidence, Finding, IsolationCertificate, PathStep, Result, RuleVerdict
from ..rules.docs import rule_doc
from .common import (
    CertificateView,
    CutFilter,
    certificate_more,
    clause_text,
    common_folder,
    cut_filter_title,
    cut_more,
    displayable_of_redacted,
    flow_text,
    labels,
    permitting_lines,
    redacted,
    relative_files,
    relative_view,
    severity_label,
    start_text,
    verdict_label,
    visible,
    zone_name,
)
from .diagram import render_diagram
from .json_report import result_sha256
from .wording import absence_text, localized, role_text

_WORDS: dict[str, dict[str, str]] = {
    "en": {
        "doc_title": "Network segmentation audit report",
        "subtitle": "Three-zone separation (三層の対策) proven from device configurations",
        "overall": "Overall verdict",
        "rule_verdicts": "Rules",
        "network": "Network",
        "date": "Date",
        "tool": "Tool",
        "policy": "Policy profile",
        "engine": "Engine",
        "topology": "Topology file",
        "contents": "Contents",
        "scope": "2. Scope: input files",
        "files_under": "Findings name files relative to",
        "files_under_end": ".",
        "scope_note": "Every file read, with its SHA-256. Lines not understood are "
        "split into those that may affect forwarding or filtering (reported as META-001) and harmless ones.",
        "path": "File",
        "kind": "Kind",
        "kind_config": "config",
        "kind_topology": "topology",
        "device": "Device",
        "vendor": "Vendor",
        "lines": "Lines",
        "unknown_fwd": "Not understood (may affect forwarding)",
        "unknown_harmless": "Not understood (harmless)",
        "sha256": "SHA-256",
        "total": "Total",
        "assumptions": "3. Assumptions",
        "assumptions_note": "What the proof assumes, and where it over-approximates "
        "(reports more reachable packets than may exist, never fewer).",
        "rules": "4. Rules",
        "rules_note": "Every rule that was run, with the policy clause it enforces.",
        "rule": "Rule",
        "clause": "Clause",
        "severity": "Severity",
        "verdict": "Verdict",
        "violated": "Violated",
        "inconclusive": "Inconclusive",
        "diagram": "1. Zone diagram",
        "diagram_note": "Devices and segments coloured by zone; dashed frames are "
        "zone boundaries; red lines are the paths of violating packets.",
        "findings": "5. Findings",
        "no_findings": "No findings: every rule that was run holds.",
        "example": "Example packet",
        "packet_class": "Every packet of this class",
        "hops": "Hop-by-hop path",
        "flow_start": "Flow starts",
        "hop": "#",
        "in": "In",
        "out": "Out",
        "route": "Route",
        "acl": "Deciding ACL line",
        "permitting": "Permitting lines",
        "evidence": "Evidence",
        "notes": "Notes",
        "no_acl": "no ACL",
        "local": "(delivered)",
        "src": "Source",
        "dst": "Destination",
        "proto": "Protocol",
        "sport": "Src port",
        "dport": "Dst port",
        "flags": "Flags",
        "certificates": "6. Isolation certificates",
        "certificates_note": "For each isolated zone pair, the filter "
        "lines that together cut every path between the zones (a minimum cut), grouped by filter: where it is "
        "bound, then the lines that drop the most of the forbidden packets; the rest are counted (the JSON report "
        "lists every line).",
        "no_certificates": "No isolation certificate in this result.",
        "route_absences": "Also rests on",
        "exceptions": "7. Exception register (例外措置, 対策基準 10.4)",
        "no_exceptions": "No exceptions are declared in the topology.",
        "approved_by": "Approved by",
        "reference": "Reference",
        "expires": "Expires",
        "state": "State",
        "matched": "Matched flows",
        "flow": "Flow",
        "reason": "Reason",
        "declared_at": "Declared at",
        "unknown": "8. Unrecognised lines",
        "unknown_note": "Lines that may affect forwarding or filtering and were not understood. Each one makes "
        "the properties its device could affect inconclusive.",
        "no_unknown": "None: every line that may affect forwarding or filtering was understood.",
        "reproduce": "9. Reproduce and verify",
        "reproduce_note": "This command, run on the same input files, reproduces this report (byte for byte "
        "when it sets SOURCE_DATE_EPOCH, which pins the one timestamp).",
        "integrity_note": "SHA-256 of the canonical result. The JSON report of the same run carries the same "
        "value in result_sha256.",
        "generated_by": "Generated by",
        "findings_count": "{violated} violated · {inconclusive} inconclusive",
        "state_active": "active",
        "state_expired": "expired",
        "state_unused": "unused",
        "state_not-checked": "not checked",
    },
    "ja": {
        "doc_title": "ネットワーク分離 検証報告書",
        "subtitle": "機器設定から証明した三層の対策（領域分離）の検証結果",
        "overall": "総合判定",
        "rule_verdicts": "ルール別の判定",
        "network": "ネットワーク",
        "date": "検証日",
        "tool": "検証ツール",
        "policy": "ポリシー",
        "engine": "エンジン",
        "topology": "トポロジーファイル",
        "contents": "目次",
        "scope": "2. 検証範囲（入力ファイル）",
        "files_under": "検出事項のファイル名は",
        "files_under_end": "からの相対パスです。",
        "scope_note": "読み込んだすべてのファイルと SHA-256 です。"
        "解釈できなかった行は、転送・フィルタに影響し得るもの（META-001 として報告）と無害なものに分けて"
        "数えています。",
        "path": "ファイル",
        "kind": "種別",
        "kind_config": "機器設定",
        "kind_topology": "トポロジー",
        "device": "機器",
        "vendor": "ベンダー",
        "lines": "行数",
        "unknown_fwd": "未解釈（転送に影響し得る）",
        "unknown_harmless": "未解釈（無害）",
        "sha256": "SHA-256",
        "total": "合計",
        "assumptions": "3. 前提条件",
        "assumptions_note": "証明の前提と、過大近似（到達し得るパケットを実際より"
        "多く見積もる。少なく見積もることはない）を用いている箇所です。",
        "rules": "4. ルール別の判定",
        "rules_note": "実行したすべてのルールと、その根拠となるポリシーの条項です。",
        "rule": "ルール",
        "clause": "根拠条項",
        "severity": "重大度",
        "verdict": "判定",
        "violated": "違反",
        "inconclusive": "判定不能",
        "diagram": "1. 領域構成図",
        "diagram_note": "機器とセグメントを領域ごとに色分けしています。破線の枠が"
        "領域の境界、赤線が違反するパケットの経路です。",
        "findings": "5. 検出事項",
        "no_findings": "検出事項はありません。実行したすべてのルールが成立しています。",
        "example": "例示パケット",
        "packet_class": "該当するパケットの全体",
        "hops": "経路（ホップごと）",
        "flow_start": "通信の始点",
        "hop": "#",
        "in": "入力",
        "out": "出力",
        "route": "経路",
        "acl": "判定した ACL 行",
        "permitting": "許可している行",
        "evidence": "根拠",
        "notes": "注記",
        "no_acl": "ACLなし",
        "local": "（配送）",
        "src": "送信元",
        "dst": "宛先",
        "proto": "プロトコル",
        "sport": "送信元ポート",
        "dport": "宛先ポート",
        "flags": "フラグ",
        "certificates": "6. 分離の証明（遮断箇所）",
        "certificates_note": "分離すべき領域の組ごとに、領域間の"
        "すべての経路を断っているフィルタ行の組（最小カット）です。フィルタごとに、適用箇所と、禁止するパケットを"
        "多く遮断している行を示し、残りは行数だけを示します（全行は JSON レポートに記載）。",
        "no_certificates": "この結果には分離の証明がありません。",
        "route_absences": "経路の不在にも依存",
        "exceptions": "7. 例外措置の登録簿（対策基準 10.4）",
        "no_exceptions": "トポロジーに例外措置は宣言されていません。",
        "approved_by": "承認者",
        "reference": "文書番号",
        "expires": "有効期限",
        "state": "状態",
        "matched": "一致した通信",
        "flow": "通信",
        "reason": "理由",
        "declared_at": "宣言箇所",
        "unknown": "8. 解釈できなかった行",
        "unknown_note": "転送・フィルタに影響し得るのに解釈できなかった行です。それぞれ、その機器が影響し得る"
        "性質を「判定不能」にします。",
        "no_unknown": "ありません。転送・フィルタに影響し得る行はすべて解釈しました。",
        "reproduce": "9. 再現と照合",
        "reproduce_note": "同じ入力ファイルに対してこのコマンドを実行すると、この報告書が再現されます"
        "（SOURCE_DATE_EPOCH で唯一の日時を固定している場合はバイト単位で同一）。",
        "integrity_note": "正規化した検証結果の SHA-256 です。同じ実行の JSON レポートの result_sha256 と"
        "同じ値になります。",
        "generated_by": "作成",
        "findings_count": "違反 {violated} 件・判定不能 {inconclusive} 件",
        "state_active": "有効",
        "state_expired": "期限切れ",
        "state_unused": "未使用",
        "state_not-checked": "未検査",
    },
}

# Japanese for the assumptions analyze() states; an assumption without a translation is shown in English.
_ASSUMPTIONS_JA = {
    (
        "Flows start on every segment of a zone that can hold hosts, with any source address the zone owns "
        "(longest prefix: hosts may spoof within their zone), and from each upstream interface with any address "
        "no zone or external peer owns."
    ): (
        "通信は、各領域のホストが存在し得るすべてのセグメントから、その領域が持つ（最長一致の）任意の送信元"
        "アドレスで始まり（領域内での送信元詐称を含む）、また各上流インターフェースから、どの領域・外部接続先も"
        "持たない任意のアドレスで始まるものとします。"
    ),
    (
        "Hosts have the usable addresses of a segment's subnets that no device owns: not the network and "
        "broadcast addresses (prefix length up to /30; with ip directed-broadcast both reach the hosts), both "
        "addresses of a /31, none of a /32. Loopbacks and links whose usable addresses are all devices' hold no "
        "hosts; packets to a network or broadcast address reach no host."
    ): (
        "ホストのアドレスは、セグメントのサブネットのうち機器が持たない使用可能なアドレスです。ネットワーク"
        "アドレスとブロードキャストアドレス（/30 まで。ip directed-broadcast があれば両方ともホストに届く）は"
        "含まず、/31 は 2 アドレスとも、/32 は含みません。ループバックと、使用可能なアドレスが"
        "すべて機器のものであるリンクにはホストはいません。ネットワーク・ブロードキャストアドレス宛ての"
        "パケットはホストに届きません。"
    ),
    (
        "Hosts may send to any router on their segment; a router's own interface addresses belong to "
        "the zone that owns them."
    ): (
        "ホストは同じセグメント上のどのルーターにも送信し得るものとします。ルーター自身のインターフェース"
        "アドレスは、そのアドレスを持つ領域に属します。"
    ),
    (
        "An interface with no ACL permits everything; an ACL referenced but not defined (IOS), or bound with "
        "no entries, permits everything."
    ): (
        "ACL のないインターフェースはすべてを許可します。参照されているが定義のない ACL（IOS）と、エントリの"
        "ない ACL もすべてを許可します。"
    ),
    ("Dynamic routing is not simulated: any prefix may be learned from any neighbour of the same process."): (
        "動的ルーティングは模擬しません。同じプロセスの任意の隣接から任意の経路を学習し得るものとします（過大近似）。"
    ),
    (
        "ACL lines with qualifiers that cannot be modelled (time-range, DSCP, fragments) are treated as always "
        "matching when they permit and as never matching when they deny."
    ): (
        "模擬できない条件（time-range、DSCP、fragments）付きの ACL 行は、permit なら常に一致、deny なら"
        "一致しないものとして扱います（過大近似）。"
    ),
    (
        "TCP packets with ACK or RST set that pass only through stateless 'established' lines are reported as "
        "warnings, not hidden."
    ): ("ステートレスな established 行だけを通過する ACK・RST 付きの TCP パケットは、隠さず警告として報告します。"),
    (
        "A running-config lists every port of a device: an IOS SVI (interface VlanN) is down when no port in "
        "the config can carry its VLAN (autostate; 'no autostate' keeps it up). A port without switchport or "
        "address lines counts as carrying every VLAN, and a config listing no physical port keeps its SVIs "
        "up."
    ): (
        "running-config には機器のすべてのポートが記載されているものとします。IOS の SV"
        "I（interface VlanN）は、その VLAN を運び得るポートが設定に一つもなければダウン"
        "とします（autostate。'no autostate' の SVI は常にアップ）。switch"
        "port 行もアドレスもないポートはすべての VLAN を運び得るものとし、物理ポートが一つも記載さ"
        "れていない設定では SVI をアップとします。"
    ),
    (
        "An ASA NAT rule that names its interfaces chooses the egress interface of the packets it "
        "un-translates (unless 'route-lookup'); when no route leaves by that interface, the destination is "
        "taken as directly connected to it."
    ): (
        "インターフェースを指定した ASA の NAT ルールは、宛先を戻したパケットの出力インターフェース"
        "を決めます（'route-lookup' 指定時を除く）。そのインターフェースから出る経路がない場合"
        "は、宛先がそのインターフェースに直結しているものとします。"
    ),
}


def html_words(lang: str) -> dict[str, str]:
    return _WORDS["ja" if lang == "ja" else "en"]


def render_html(result: Result, lang: str = "ja", digest: str | None = None) -> str:
    """`digest`: the result's `result_sha256` when the caller already has it."""
    template = _template()
    folder = common_folder(result)
    # findings name files relative to the folder that holds every input (named once, in the scope)
    lang = "ja" if lang == "ja" else "en"
    # redacted before the files are made relative (the two change different fields): the other
    # formats of the run have redacted, shown and grouped the same findings and certificates already
    exact = redacted(result)
    shown = displayable_of_redacted(exact)
    certificates = [
        (certificate, relative_view(original, certificate, folder))
        for original, certificate in zip(exact.certificates, shown.certificates, strict=True)
    ]
    rest = displayable_of_redacted(relative_files(replace(exact, certificates=()), folder))
    view = _view(localized(rest, lang), lang, certificates)
    view["files_under"] = visible(folder)
    # the digest is the JSON report's: of the exact (redacted) values, not of their escaped display
    view["sha256"] = result_sha256(result) if digest is None else digest
    return template.render(**view)


if TYPE_CHECKING:
    from jinja2 import Template


@functools.cache
def _template() -> Template:
    """The report's template, compiled once per process (rendering does not change it). jinja2 is
    imported here: a run that renders no HTML does not pay its import (about 20 ms)."""
    from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

    environment = Environment(
        loader=PackageLoader("nankoku_netcheck.report", "templates"),
        autoescape=select_autoescape(["html", "j2"], default_for_string=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    return environment.get_template("report.html.j2")


# --- the view: plain values the template lays out -------------------------------------------


def _view(
    result: Result, lang: str, certificates: list[tuple[IsolationCertificate, CertificateView]]
) -> dict[str, Any]:
    words = html_words(lang)
    common = labels(lang)
    violated = sum(1 for f in result.findings if f.status == "violated")
    inconclusive = sum(1 for f in result.findings if f.status == "inconclusive")
    return {
        "lang": lang,
        "w": words,
        "c": common,
        "result": result,
        "date": result.generated_at[:10],
        "verdict_label": common[result.verdict],
        "findings_count": words["findings_count"].format(violated=violated, inconclusive=inconclusive),
        "rule_counts": [
            (verdict, sum(1 for v in result.rules if v.verdict == verdict))
            for verdict in ("pass", "fail", "warn", "inconclusive")
        ],
        "inputs": result.inputs,
        "total_lines": sum(record.lines for record in result.inputs),
        "total_unknown_forwarding": sum(record.unknown_forwarding for record in result.inputs),
        "total_unknown_harmless": sum(record.unknown_harmless for record in result.inputs),
        "assumptions": [_ASSUMPTIONS_JA.get(text, text) if lang == "ja" else text for text in result.assumptions],
        "rules": [_rule_row(result, verdict, lang) for verdict in result.rules],
        "findings": [_finding_view(result, index, finding, lang) for index, finding in enumerate(result.findings, 1)],
        "certificates": [_certificate_view(result, certificate, view, lang) for certificate, view in certificates],
        "exceptions": [{"record": e, "state": words.get(f"state_{e.state}", e.state)} for e in result.exceptions],
        "unknown_lines": [e for f in result.findings if f.rule == "META-001" for e in f.evidence],
        # trusted markup: diagram.py escapes every text it puts in the SVG
        "diagram": Markup(render_diagram(result, lang)),
    }


def _certificate_view(
    result: Result, certificate: IsolationCertificate, view: CertificateView, lang: str
) -> dict[str, Any]:
    return {
        "from": zone_name(result, certificate.from_zone, lang),
        "to": zone_name(result, certificate.to_zone, lang),
        "filters": [_cut_view(cut, lang) for cut in view.filters],
        "more": certificate_more(view, lang),
        "route_absences": [absence_text(a, lang) for a in certificate.route_absences],
    }


def _cut_view(cut: CutFilter, lang: str) -> dict[str, Any]:
    return {
        "title": cut_filter_title(cut, lang),
        "lines": [
            {"evidence": e, "role": role_text(e.role, lang)}
            for e in ((cut.binding, *cut.shown) if cut.binding else cut.shown)
        ],
        "more": cut_more(cut, lang),
    }


def _rule_row(result: Result, verdict: RuleVerdict, lang: str) -> dict[str, Any]:
    doc = rule_doc(verdict.rule)
    return {
        "id": verdict.rule,
        "title": verdict.title_ja if lang == "ja" else verdict.title_en,
        "what": with_code(doc.what(lang)) if doc else "",
        "clause": clause_text(verdict.clause, verdict.guideline, lang),
        "severity": verdict.severity,
        "severity_label": severity_label(verdict.severity, lang),
        "verdict": verdict.verdict,
        "verdict_label": verdict_label(result, verdict, lang),
        "violated": verdict.violated,
        "inconclusive": verdict.inconclusive,
    }


def _finding_view(result: Result, index: int, finding: Finding, lang: str) -> dict[str, Any]:
    common = labels(lang)
    permitting = permitting_lines(finding) if finding.flow is not None else ()
    where = ""
    if finding.from_zone or finding.to_zone:
        where = f"{zone_name(result, finding.from_zone, lang)} → {zone_name(result, finding.to_zone, lang)}"
    elif finding.device:
        where = finding.device
    return {
        "index": index,
        "rule": finding.rule,
        "severity": finding.severity,
        "severity_label": severity_label(finding.severity, lang),
        "status": finding.status,
        "status_label": (common["violated"] if finding.status == "violated" else common["status_inconclusive"])
        + (f" · {common['accepted_baseline']}" if finding.accepted else ""),
        "where": where,
        "message": finding.message(lang),
        "flow": finding.flow,
        "flow_text": flow_text(finding.flow) if finding.flow else "",
        "flow_class": finding.flow_class,
        "flow_start": start_text(finding, lang),
        "hops": [_hop(step, lang) for step in finding.path],
        # the hop table quotes the lines that let the packet through; listed again only when it does not
        "permitting": () if _in_hops(permitting, finding.path) else permitting,
        "other_evidence": [replace(e, role=role_text(e.role, lang)) for e in finding.evidence if e not in permitting],
        "notes": finding.notes,
    }


def _in_hops(lines: tuple[Evidence, ...], path: tuple[PathStep, ...]) -> bool:
    shown = {(acl.file, acl.line) for step in path for acl in (step.acl, step.acl_out) if acl}
    return all((e.file, e.line) in shown for e in lines)


def _hop(step: PathStep, lang: str) -> dict[str, Any]:
    words = labels(lang)
    acls = [(words["in"], step.acl)] if step.acl else []
    if step.acl_out:
        acls.append((words["out"], step.acl_out))
    return {"step": step, "acls": acls}


def with_code(text: str) -> Markup:
    """Documentation text with its `backticked` parts as <code>, everything escaped."""
    parts = text.split("`")
    return Markup("").join(
        Markup("<code>{}</code>").format(part) if index % 2 else escape(part) for index, part in enumerate(parts)
    )
