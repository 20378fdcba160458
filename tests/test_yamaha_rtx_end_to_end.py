"""End to end through the command line: a YAMAHA RTX between the LGWAN zone (lan2) and an
IOS router with the mynumber zone behind it. Each RTX semantic gets a compliant and a broken
variant; the broken one must fail ZONE-001 with the deciding RTX line among the evidence.
The router keeps mynumber → LGWAN closed itself, so the RTX decides LGWAN → mynumber."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from nankoku_netcheck.analyze import analyze, load
from nankoku_netcheck.cli import main
from nankoku_netcheck.model import ip_to_int
from nankoku_netcheck.reach.engine import Endpoint, ReachEngine, Start, boundary_interfaces
from nankoku_netcheck.reach.packets import Packet, PacketSpace
from nankoku_netcheck.reach.trace import Tracer
from nankoku_netcheck.report import render_html

HEAD = """\
# RTX1210 Rev.14.01.38
ip lan1 address 10.9.0.1/30
ip lan2 address 10.2.0.1/24
description lan2 "LGWAN接続系セグメント"
"""
ROUTE = "ip route 10.1.0.0/24 gateway 10.9.0.2\n"

ROUTER = """\
hostname r1
interface GigabitEthernet0/0
 ip address 10.9.0.2 255.255.255.252
 ACCESS_GROUP
interface GigabitEthernet0/1
 ip address 10.1.0.1 255.255.255.0
 ip access-group MN-IN in
ip route 10.2.0.0 255.255.255.0 10.9.0.1
ip access-list extended MN-IN
 deny ip any 10.2.0.0 0.0.0.255
 permit ip any any
ip access-list extended RTX-IN
 deny ip 10.2.0.0 0.0.0.255 any
 permit ip any any
end
"""

TOPOLOGY = """\
version: 1
name: rtx between two zones
configs: configs
zones:
  mynumber:
    kind: mynumber
    label: マイナンバー利用事務系
    prefixes: [10.1.0.0/24]
  lgwan:
    kind: lgwan
    label: LGWAN接続系
    prefixes: [10.2.0.0/24]
devices:
  rtx: {config: rtx.cfg}
  r1: {config: r1.cfg}
links:
  - [rtx:RTX_PORT, r1:GigabitEthernet0/0]
"""

PP = "pp select 1\n ip pp address 10.9.0.1/30\nENABLE\npp select none\nip route 10.1.0.0/24 gateway pp 1\n"
TUNNEL = (
    "tunnel select 1\n ip tunnel address 10.9.0.1/30\nENABLE\ntunnel select none\n"
    "ip route 10.1.0.0/24 gateway tunnel 1\n"
)

# name: (compliant RTX body, broken RTX body, the deciding line of the broken one, RTX port, router ACL on Gi0/0)
CASES: dict[str, tuple[str, str, str, str, bool]] = {
    "filter order": (
        ROUTE + "ip filter 10 reject * 10.1.0.0/24\nip filter 20 pass * *\nip lan2 secure filter in 10 20\n",
        ROUTE + "ip filter 10 reject * 10.1.0.0/24\nip filter 20 pass * *\nip lan2 secure filter in 20 10\n",
        "ip filter 20 pass * *",
        "lan1",
        False,
    ),
    "implicit reject of a bound list": (
        ROUTE + "ip filter 30 pass * 203.0.113.0/24\nip lan2 secure filter in 30\n",
        ROUTE + "ip filter 30 pass * 203.0.113.0/24\nip lan2 secure filter out 30\n",
        "ip route 10.1.0.0/24 gateway 10.9.0.2",
        "lan1",
        False,
    ),
    "dynamic filter": (
        ROUTE + "ip filter dynamic 40 * 203.0.113.0/24 www\nip lan2 secure filter in dynamic 40\n",
        ROUTE + "ip filter dynamic 40 * * www\nip lan2 secure filter in dynamic 40\n",
        "ip filter dynamic 40 * * www",
        "lan1",
        False,
    ),
    "nat descriptor": (
        ROUTE
        + "ip lan1 nat descriptor 1\nnat descriptor type 1 masquerade\n"
        + "nat descriptor address inner 1 192.168.0.1-192.168.0.254\n",
        ROUTE + "ip lan1 nat descriptor 1\nnat descriptor type 1 masquerade\nnat descriptor address inner 1 auto\n",
        "ip lan1 nat descriptor 1",
        "lan1",
        True,
    ),
    "route via pp": (
        PP.replace("ENABLE\n", ""),
        PP.replace("ENABLE", " pp enable 1"),
        "ip route 10.1.0.0/24 gateway pp 1",
        "pp1",
        False,
    ),
    "route via tunnel": (
        TUNNEL.replace("ENABLE\n", ""),
        TUNNEL.replace("ENABLE", " tunnel enable 1"),
        "ip route 10.1.0.0/24 gateway tunnel 1",
        "tunnel1",
        False,
    ),
}


def verify(folder: Path, body: str, port: str, router_acl: bool, monkeypatch: pytest.MonkeyPatch) -> tuple[int, str]:
    (folder / "configs").mkdir()
    (folder / "configs" / "rtx.cfg").write_text(HEAD + body, encoding="utf-8")
    access_group = " ip access-group RTX-IN in" if router_acl else " no shutdown"
    (folder / "configs" / "r1.cfg").write_text(ROUTER.replace(" ACCESS_GROUP", access_group), encoding="utf-8")
    (folder / "topology.yaml").write_text(TOPOLOGY.replace("RTX_PORT", port), encoding="utf-8")
    monkeypatch.chdir(folder)
    result = CliRunner().invoke(main, ["verify", "topology.yaml", "--lang", "en", "--no-cache"], env={})
    return result.exit_code, result.stdout


@pytest.mark.parametrize("name", sorted(CASES))
def test_compliant_variant_passes_zone_001(name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    body, _, _, port, router_acl = CASES[name]
    _, out = verify(tmp_path, body, port, router_acl, monkeypatch)
    assert "  ZONE-001  PASS" in out and "  META-001  PASS" in out, out


@pytest.mark.parametrize("name", sorted(CASES))
def test_broken_variant_fails_zone_001_at_the_deciding_line(
    name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _, body, deciding, port, router_acl = CASES[name]
    code, out = verify(tmp_path, body, port, router_acl, monkeypatch)
    assert "  ZONE-001  FAIL" in out and "  META-001  PASS" in out, out
    line = (HEAD + body).splitlines().index(deciding) + 1
    assert f"configs/rtx.cfg:{line}  {deciding}" in out, out
    assert code == 1


SPARE_PORT = 'description lan3 "予備ポート（未使用）"\n'


def cp932_network(folder: Path, body: str) -> None:
    """The filter-order compliant network with the RTX config saved as CP932 with CRLF."""
    (folder / "configs").mkdir()
    text = (HEAD + body).replace("\n", "\r\n")
    (folder / "configs" / "rtx.cfg").write_bytes(text.encode("cp932"))
    (folder / "configs" / "r1.cfg").write_text(ROUTER.replace(" ACCESS_GROUP", " no shutdown"), encoding="utf-8")
    (folder / "topology.yaml").write_text(TOPOLOGY.replace("RTX_PORT", "lan1"), encoding="utf-8")


def test_cp932_rtx_config_verifies_and_its_japanese_description_reaches_the_html_report(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    compliant = CASES["filter order"][0]
    cp932_network(tmp_path, compliant + SPARE_PORT)
    monkeypatch.chdir(tmp_path)
    result = analyze("topology.yaml", timestamp="2026-12-06T00:00:00Z")
    [spare] = [finding for finding in result.findings if finding.rule == "PORT-001"]
    line = (HEAD + compliant + SPARE_PORT).splitlines().index(SPARE_PORT.strip()) + 1
    assert (
        spare.message_ja
        == f"configs/rtx.cfg:{line}: インターフェース lan3 は説明が「未使用」のに、shutdown されていません。"
    )
    assert "ZONE-001" not in {finding.rule for finding in result.findings}
    html = render_html(result, "ja")
    assert "予備ポート（未使用）" in html
    assert "rtx.cfg:" in html


def test_lan_shutdown_closes_the_spare_port(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    cp932_network(tmp_path, CASES["filter order"][0] + SPARE_PORT + "lan shutdown lan3\n")
    monkeypatch.chdir(tmp_path)
    result = analyze("topology.yaml", timestamp="2026-12-06T00:00:00Z")
    assert "PORT-001" not in {finding.rule for finding in result.findings}


DYNAMIC_ACROSS = """\
# RTX1210 Rev.14.01.38
ip lan1 address 10.1.0.1/24
ip lan2 address 10.2.0.1/24
ip filter 10 reject * *
ip filter 20 pass * *
ip filter dynamic 30 10.1.0.0/24 10.2.0.0/24 www
ip lan1 secure filter out 10
ip lan2 secure filter out 20 dynamic 30
"""
DYNAMIC_TOPOLOGY = """\
version: 1
configs: configs
zones:
  lgwan:
    kind: lgwan
    label: LGWAN接続系
    prefixes: [10.1.0.0/24]
  internet:
    kind: internet
    label: インターネット接続系
    prefixes: [10.2.0.0/24]
devices:
  rtx: {config: rtx.cfg}
"""


def test_dynamic_filter_reply_leaving_by_a_filtered_interface_arrives(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A web session opened from lan1 leaves by lan2 (dynamic filter 30); its reply comes in
    by lan2 and leaves by lan1, whose list rejects everything: the state table passes it."""
    (tmp_path / "configs").mkdir()
    (tmp_path / "configs" / "rtx.cfg").write_text(DYNAMIC_ACROSS, encoding="utf-8")
    (tmp_path / "topology.yaml").write_text(DYNAMIC_TOPOLOGY, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    network = load("topology.yaml").network
    engine = ReachEngine(network, PacketSpace(), boundary_interfaces(network))
    server = network.segment_of[("rtx", "lan2")]
    client = Endpoint("hosts", segment=network.segment_of[("rtx", "lan1")])
    reply = Packet(ip_to_int("10.2.0.10"), ip_to_int("10.1.0.10"), 6, 80, 49152, established=True)
    start = Start(segment=server)
    delivered = engine.reach([(start, engine.space.packet(reply))]).delivered
    assert client in delivered and engine.space.contains(delivered[client], reply)
    [path] = [p for p in Tracer(engine).trace(start, reply) if p.endpoint == client]
    egress = path.hops[0].egress
    assert egress is not None and egress.line is not None and egress.line.source.line == 6
    # Not a reply (another source port): lan1's list rejects it.
    other = Packet(ip_to_int("10.2.0.10"), ip_to_int("10.1.0.10"), 6, 8080, 49152, established=True)
    delivered = engine.reach([(start, engine.space.packet(other))]).delivered
    assert client not in delivered or not engine.space.contains(delivered[client], other)
