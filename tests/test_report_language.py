"""The Japanese report is Japanese: every word of the English report's own vocabulary (what it
writes around the quoted config, not the config, names or IDs it quotes) is absent from the
Japanese rendering of the same result, in the HTML, text and Markdown formats; and each severity
reads the same in every table and format."""

from __future__ import annotations

import re
from dataclasses import replace
from html.parser import HTMLParser

import pytest
from conftest import REPO

from nankoku_netcheck.analyze import analyze, load
from nankoku_netcheck.diff import diff_topologies
from nankoku_netcheck.report import render_html, render_markdown, render_text
from nankoku_netcheck.report.common import labels
from nankoku_netcheck.report.diff_report import render_diff_text
from nankoku_netcheck.report.trace_report import render_trace_text
from nankoku_netcheck.result import Finding, Result
from nankoku_netcheck.tracing import make_packet, trace_packet

BROKEN = REPO / "topologies" / "nankoku-broken.yaml"
COMPLIANT = REPO / "topologies" / "nankoku.yaml"

# Technical terms Japanese network documents write in Latin letters too, and the config and
# topology syntax, product names and default names the Japanese texts quote inside their
# sentences (`zone_policy`, `role: firewall`, `Cisco type 7`, `'no autostate'`, `admin`).
# Everything else English the English report writes around what it quotes must be translated.
TECHNICAL_TERMS = frozenset(
    {"ACL", "ACK", "RST", "SHA", "SHA-256", "MD5", "JSON", "HTML", "NAT", "PAT", "TCP", "UDP", "ICMP", "MAC", "IP"}
    | {"SSH", "HTTP", "HTTPS", "SNMP", "SNMPv1", "SNMPv3", "v1", "v2c", "NTP", "VLAN", "LGWAN", "ASP", "ARP", "EAP"}
    | {"EAP-TLS", "TLS", "WPA2", "WPA3", "WPA3-Enterprise", "Enterprise", "SVI", "ID", "DSCP", "PF", "BDD", "MAB"}
    | {"RADIUS", "BOOTP", "CDP", "DHCP", "PPP", "IOS", "ASA", "Cisco", "cisco", "Ethernet", "VlanN", "PASS", "FAIL"}
    | {"SOURCE_DATE_EPOCH", "result_sha256", "zone_policy", "role", "firewall", "type", "established", "permit"}
    | {"access-class", "file-sanitize", "file-export", "aaa", "new-model", "vty", "line", "switchport", "autostate"}
    | {"no", "class-map", "route-map", "object-group", "running-config", "time-range", "fragments", "route-lookup"}
    | {"directed-broadcast", "transport", "input", "telnet", "small", "servers", "finger", "allow", "config"}
    | {"admin", "administrator", "root", "manager", "public", "private"}
    | {"GL", "LAN", "FortiGate", "FortiOS", "srcaddr", "dstaddr", "service", "all", "ALL", "logtraffic"}
    | {"nankoku-2019", "mic-alpha", "mic-alpha-prime", "mic-beta", "mic-beta-prime", "VRF", "IPv6"}
)
_WORD = re.compile(r"[A-Za-z][A-Za-z0-9_'-]*[A-Za-z0-9]")
_DIGEST = re.compile(r"\b[0-9a-f]{64}\b")
_MARKUP = re.compile(r"<[^>]*>|&[a-z]+;")
_ESCAPE = re.compile(r"\\(?=\S)")  # Markdown's backslash before a character it would read as markup


@pytest.fixture(scope="module", params=[BROKEN, COMPLIANT], ids=["broken", "compliant"])
def result(request: pytest.FixtureRequest) -> Result:
    return analyze(str(request.param), timestamp="2025-11-24T16:00:00Z")


def quoted(result: Result) -> list[str]:
    """What a report quotes rather than writes: config and topology text, file names, device,
    interface, zone and ACL names, rule IDs, the command line, digests and tool identifiers."""
    items: list[str] = [result.topology, result.network_name, result.policy, result.engine, result.tool_name]
    items += [result.tool_name.upper()]
    items += [result.command, result.generated_at, result.tool_version]
    for finding in result.findings:
        items += [finding.rule, finding.device, finding.flow_start, finding.from_zone, finding.to_zone]
        items += [e.text for e in finding.evidence] + [e.file for e in finding.evidence]
        for step in finding.path:
            items += [step.device, step.in_interface, step.out_interface]
            items += [part for acl in (step.acl, step.acl_out) if acl for part in (acl.name, acl.file, acl.text)]
    for certificate in result.certificates:
        items += [e.text for e in certificate.lines] + [e.file for e in certificate.lines]
    for record in result.inputs:
        items += [record.path, record.sha256, record.device, record.vendor]
    for verdict in result.rules:
        items += [verdict.rule, verdict.clause]
    for zone_id, kind, label in result.zones:
        items += [zone_id, kind, label]
    for device in result.network.devices:
        items += [device.name, device.role, device.vendor, device.config]
    for segment in result.network.segments:
        items += [segment.id, *segment.members]
    items += [*result.network.upstreams, *(peer for peer, _ in result.network.external_attach)]
    for record in result.exceptions:
        items += [record.rule, record.flow, record.reason, record.approved_by, record.ref, record.file]
    return sorted({item for item in items if item}, key=len, reverse=True)


class _Text(HTMLParser):
    """The text a reader sees, less what the report quotes: no markup, no style sheet, no
    attribute, nothing inside <code> or <pre> (config lines, file names, the command, config
    keywords in the rule descriptions: the template keeps the tool's own words out of them)."""

    _QUOTING = ("style", "code", "pre")

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._skip += tag in self._QUOTING

    def handle_endtag(self, tag: str) -> None:
        self._skip -= tag in self._QUOTING

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.parts.append(data)


def visible_text(html: str) -> str:
    parser = _Text()
    parser.feed(html)
    return "\n".join(parser.parts)


def own_words(rendering: str, result: Result) -> set[str]:
    """The words of `rendering` once everything it quotes is taken out."""
    rendering = _ESCAPE.sub("", _MARKUP.sub(" ", _DIGEST.sub(" ", rendering)))
    for item in quoted(result):
        rendering = rendering.replace(item, " ")
    return {word for word in _WORD.findall(rendering) if word not in TECHNICAL_TERMS}


def renderings(result: Result, lang: str) -> dict[str, str]:
    return {
        "html": visible_text(render_html(result, lang)),
        "text": render_text(result, lang),
        "md": render_markdown(result, lang),
    }


def english_vocabulary(result: Result) -> set[str]:
    """The English report's own words, less every word that also occurs in what it quotes
    (`permit`, `tcp`, `any`...: a Japanese report quotes the same config)."""
    english = set().union(*(own_words(text, result) for text in renderings(result, "en").values()))
    quoted_words = {word for item in quoted(result) for word in _WORD.findall(item)}
    return english - quoted_words


def test_japanese_report_has_none_of_the_english_vocabulary(result: Result) -> None:
    vocabulary = english_vocabulary(result)
    assert len(vocabulary) > 50  # the English report was read: its own sentences are there
    leaks = {name: sorted(own_words(text, result) & vocabulary) for name, text in renderings(result, "ja").items()}
    assert leaks == {"html": [], "text": [], "md": []}


def test_a_severity_reads_the_same_everywhere(result: Result) -> None:
    """The label of a rule's severity is the one of its findings, in every format; an info
    rule is never shown as a warning."""
    for lang in ("ja", "en"):
        words = labels(lang)
        text = render_text(result, lang)
        html = render_html(result, lang)
        for verdict in result.rules:
            label = words[f"severity_{verdict.severity}"]
            assert re.search(rf"{re.escape(verdict.rule)}\s.*{re.escape(label)}", text), (lang, verdict.rule)
            row = re.search(rf'<tr data-rule="{re.escape(verdict.rule)}".*?</tr>', html, re.S)
            assert row is not None and f">{label}</span>" in row.group(0), (lang, verdict.rule)
        for finding in result.findings:
            assert f"{finding.rule} {words[f'severity_{finding.severity}']}" in text, (lang, finding.rule)


def test_a_rule_with_only_info_violations_does_not_read_as_a_warning(result: Result) -> None:
    verdict = replace(result.rules[0], severity="info", verdict="warn", violated=1, inconclusive=0)
    finding = Finding(verdict.rule, "info", "violated", "a note", "注記")
    noted = replace(result, rules=(verdict,), findings=(finding,))
    for lang, shown, hidden in (("en", "INFO", "WARN"), ("ja", "情報あり", "警告あり")):
        row = re.search(r"<tr data-rule=.*?</tr>", render_html(noted, lang), re.S)
        assert row is not None and f">{shown}</span>" in row.group(0) and hidden not in row.group(0)
        assert re.search(rf"{verdict.rule}\s+{shown}\s", render_text(noted, lang))
        assert f"| {verdict.rule} | ⚠️ {shown} |" in render_markdown(noted, lang)
    warned = replace(noted, findings=(replace(finding, severity="warning"),))
    assert re.search(rf"{verdict.rule}\s+WARN\s", render_text(warned, "en"))


def test_trace_and_diff_speak_japanese() -> None:
    """The `trace` paths and the `diff` fates: what the English text writes around the quoted
    lines is gone from the Japanese one."""
    packet = make_packet("10.1.10.21", "10.2.20.30", "tcp", None, 445, False)
    english_words = re.compile(r"\b(delivered|denied|hosts on|route|permitted by|denied at|in|out|permit|DENY)\b")
    for topology, expected in ((BROKEN, "配送 → 10.2.20.0/24 のホスト"), (COMPLIANT, "出力で拒否")):
        trace = trace_packet(load(topology), packet)
        english, japanese = render_trace_text(trace, "en"), render_trace_text(trace, "ja")
        assert english_words.search(english)
        assert expected in japanese and "次ホップ" in japanese and "入力" in japanese
        assert not english_words.search(re.sub(r"\S+\.cfg:\d+", "", japanese)), japanese
    diff = diff_topologies(COMPLIANT, BROKEN)
    english, japanese = render_diff_text(diff, "en"), render_diff_text(diff, "ja")
    assert "permitted by" in english and "denied at" in english
    assert "で許可" in japanese and "で拒否" in japanese
    for phrase in ("permitted by", "denied at", "not delivered", "dport", "not established", "no route at"):
        assert phrase not in japanese
