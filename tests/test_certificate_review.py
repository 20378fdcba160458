"""Reviewable isolation certificates: per zone pair the cut is grouped by filter (device,
interface, ACL), each filter's lines that drop the most of the forbidden packets come first, the
human-readable reports show a few of them and count the rest, and the JSON keeps every line."""

from __future__ import annotations

import json
import re

import pytest
from conftest import REPO

from nankoku_netcheck.analyze import analyze
from nankoku_netcheck.report import render_html, render_json, render_text
from nankoku_netcheck.report.common import cut_filters, zone_name
from nankoku_netcheck.result import Result
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
