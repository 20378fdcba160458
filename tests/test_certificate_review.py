"""Reviewable isolation certificates: per zone pair the cut is grouped by filter (device,
interface, ACL), each filter's lines that drop the most of the forbidden packets come first, the
human-readable reports show a few of them and count the rest, and the JSON keeps every line."""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import replace

import pytest
from conftest import REPO

from nankoku_netcheck.analyze import analyze, flow_context, load, packet_space
from nankoku_netcheck.model import AclLine
from nankoku_netcheck.profiles import pair_policies
from nankoku_netcheck.reach.packets import PacketSet
from nankoku_netcheck.report import render_html, render_json, render_markdown, render_text
from nankoku_netcheck.report.common import certificate_view, cut_filters, zone_name
from nankoku_netcheck.result import Evidence, IsolationCertificate, Result
from nankoku_netcheck.rules.certificate import _dropping
from nankoku_netcheck.rules.flows import FlowContext
from nankoku_netcheck.synth import CitySpec, generate


@pytest.fixture(scope="module")
def city(tmp_path_factory: pytest.TempPathFactory) -> Result:
    """A 30-device generated city: long ACLs (about 170 dropping lines per zone pair)."""
    return analyze(str(generate(CitySpec(devices=30, acl_lines=6000, seed=1), tmp_path_factory.mktemp("city"))))


def pair_block(text: str, pair: str) -> list[str]:
    lines = text.splitlines()
    start = lines.index(f"  {pair}")
    block = []
    for line in lines[start + 1 :]:
        if not line.startswith("    "):
            break
        block.append(line)
    return block


def test_each_filter_shows_its_binding_and_the_lines_that_drop_the_most(city: Result) -> None:
    assert len(city.certificates) == 6
    text = render_text(city, "en")
    for certificate in city.certificates:
        cuts = cut_filters(certificate)
        assert cuts and all(cut.binding is not None and cut.acl and cut.device for cut in cuts)
        # every line of the certificate belongs to exactly one filter, shown or counted
        assert sum(1 + len(cut.shown) + cut.more for cut in cuts) == len(certificate.lines)
        assert max(cut.more for cut in cuts) > 100  # the generated ACLs are long: most lines are counted
        pair = f"{zone_name(city, certificate.from_zone, 'en')} → {zone_name(city, certificate.to_zone, 'en')}"
        block = pair_block(text, pair)
        assert len(block) == sum(2 + len(cut.shown) + (1 if cut.more else 0) for cut in cuts) <= 8 * len(cuts)
        for cut in cuts:
            assert cut.binding is not None and cut.cited == len(cut.shown) + cut.more
            start = certificate.lines.index(cut.binding) + 1
            numbers = [line.line for line in certificate.lines[start : start + cut.cited]]
            assert (cut.first_line, cut.last_line) == (min(numbers), max(numbers))
            title = f"{cut.acl} ({cut.direction}) on {cut.device} {cut.interface}"
            assert f"    {title}: {cut.cited} lines cited, lines {cut.first_line}-{cut.last_line}" in block
            assert f"      … and {cut.more} more lines in {cut.acl} (every line in the JSON report)" in block
            # the catch-all deny at the end of the generated ACLs drops nearly every forbidden packet
            assert re.search(r"deny ip any any", cut.shown[0].text)


def test_the_json_report_keeps_every_line(city: Result) -> None:
    record = json.loads(render_json(city, "en"))
    for certificate, written in zip(city.certificates, record["certificates"], strict=True):
        assert [(line["file"], line["line"], line["role"]) for line in written["lines"]] == [
            (line.file, line.line, line.role) for line in certificate.lines
        ]
        assert len(written["lines"]) > 150


def test_the_html_groups_the_cut_by_filter_in_both_languages(city: Result) -> None:
    for lang, more in (("en", "… and {count} more lines in {acl}"), ("ja", "… ほか {count} 行（{acl}。")):
        html = render_html(city, lang)
        section = html[html.index('<section id="certificates">') : html.index('<section id="exceptions">')]
        cuts = [cut for certificate in city.certificates for cut in cut_filters(certificate)]
        assert section.count('<tbody class="cut-filter">') == len(cuts)
        assert section.count("<tr><td") == sum(1 + len(cut.shown) for cut in cuts)
        for cut in cuts:
            assert more.format(count=cut.more, acl=cut.acl) in section


def test_a_sample_certificate_names_its_filters_in_japanese() -> None:
    result = analyze(str(REPO / "topologies" / "nankoku.yaml"))
    text = render_text(result, "ja")
    cuts = [cut for certificate in result.certificates for cut in cut_filters(certificate)]
    assert cuts
    for cut in cuts:
        direction = {"in": "入力", "out": "出力"}[cut.direction]
        assert f"    {cut.device} {cut.interface} の{direction}方向の {cut.acl}" in text
        assert f"  ({cut.acl} を {cut.device} {cut.interface} の{direction}方向に適用)" in text


def _reference_dropping(context: FlowContext, lines: Sequence[AclLine], forbidden: PacketSet) -> list[tuple[int, int]]:
    """The dropping lines as first written: every line tested, its whole match taken out of the
    undecided packets; (share, line number), most first."""
    space, undecided, dropping = context.space, forbidden, []
    for line in lines:
        matched = space.line_match(line)
        if matched & undecided != space.false:
            dropping.append((space.count(matched & undecided & space.valid), len(dropping), line.source.line))
            undecided &= ~matched
    return [(share, number) for share, _, number in sorted(dropping, key=lambda item: (-item[0], item[1]))]


@pytest.mark.parametrize("name", ["nankoku", "otoyo-broken", "kitagawa", "nankoku-vrf"])
def test_every_filter_cites_the_lines_the_plain_first_match_pass_cites(name: str) -> None:
    """On every ACL of the sample, against every zone pair's forbidden packets (not only the
    filters that end up in a cut), the shares and lines are those of the plain pass."""
    loaded = load(str(REPO / "topologies" / f"{name}.yaml"))
    context = flow_context(loaded, packet_space("auto", None))
    compared = 0
    for policy in pair_policies(loaded.topology):
        forbidden = context.owned(policy.from_zone, "src") & context.owned(policy.to_zone, "dst")
        for device in loaded.devices.values():
            for acl in device.acls.values():
                cited = _dropping(context, acl.lines, forbidden, None)
                expected = _reference_dropping(context, acl.lines, forbidden)
                assert [line.line for line in cited] == [number for _, number in expected], (device.name, acl.name)
                compared += len(expected)
    assert compared > 0


def _certificate_of(filters: int, lines: int) -> IsolationCertificate:
    cited: list[Evidence] = []
    for index in range(filters):
        cited.append(
            Evidence("fw.cfg", 10 * index + 1, f"ip access-group A{index} in", f"binds A{index} (in) on fw g{index}")
        )
        cited += [
            Evidence("fw.cfg", 1000 * index + 100 + n, f"deny ip host 10.0.{index}.{n} any", "drops")
            for n in range(lines)
        ]
    return IsolationCertificate("mynumber", "internet", tuple(cited))


def test_a_cut_through_many_filters_lists_twenty_lines_and_counts_the_rest(city: Result) -> None:
    result = replace(city, certificates=(_certificate_of(filters=10, lines=5),))
    view = certificate_view(result.certificates[0])
    # binding + 3 shown lines per filter: five filters fill the 20 lines, five are counted
    assert [cut.acl for cut in view.filters] == ["A0", "A1", "A2", "A3", "A4"]
    assert (view.more_filters, view.more_lines) == (5, 30)
    for lang, title, more in (
        (
            "en",
            "    A4 (in) on fw g4: 5 lines cited, lines 4100-4104",
            "    … and 5 more filters (30 lines) in this cut (every line in the JSON report)",
        ),
        (
            "ja",
            "    fw g4 の入力方向の A4：5 行を引用（4100〜4104 行目）",
            "    … ほか 5 個のフィルタ（30 行）も遮断箇所（全行は JSON レポートに記載）",
        ),
    ):
        text = render_text(result, lang).splitlines()
        block = text[text.index(next(line for line in text if line.startswith("  ") and "→" in line)) + 1 :]
        block = block[: next(i for i, line in enumerate(block) if not line.startswith("    "))]
        assert len(block) == 5 * (1 + 1 + 3 + 1) + 1  # title, binding, 3 lines, "and 2 more" per filter; the count
        assert title in block and block[-1] == more
        assert not any("A5" in line for line in block)
        html = render_html(result, lang)
        assert html.count('<tbody class="cut-filter">') == 5 and more.strip() in html
        markdown = render_markdown(result, lang)
        section = markdown[markdown.index("<details><summary>") : markdown.index("</details>")]
        assert section.count("\n- ") == 5 + 1 and section.count("\n  - ") == 5 * (1 + 3 + 1)
        assert f"\n- {more.strip()}\n" in section.replace("\\", "")
    record = json.loads(render_json(result, "en"))["certificates"][0]
    assert len(record["lines"]) == 60
    assert record["filters"][9] == {
        "device": "fw",
        "interface": "g9",
        "acl": "A9",
        "direction": "in",
        "lines": 5,
        "first_line": 9100,
        "last_line": 9104,
    }


def test_a_cut_of_one_long_filter_is_listed_whatever_its_length(city: Result) -> None:
    view = certificate_view(_certificate_of(filters=1, lines=500))
    assert len(view.filters) == 1 and view.filters[0].more == 497 and view.more_filters == 0
