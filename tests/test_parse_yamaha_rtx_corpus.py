"""Every YAMAHA RTX file of the public corpus parses without a crash, with exactly the
FORWARDING unknowns (META-001 lines) listed here per file and the first words behind them."""

from __future__ import annotations

from collections import Counter

import pytest
from conftest import CORPUS

from nankoku_netcheck.inputs import read_input
from nankoku_netcheck.model import UnknownKind
from nankoku_netcheck.vendors import classify, parse_config

TP = "terraform-provider-rtx/internal/rtx/testdata/"
EXPECTED: dict[str, dict[str, int]] = {
    # MAC filters, `no tunnel enable all`, and port forwards on `address outer primary` of a DHCP interface.
    "terraform-provider-rtx/.spec-workflow/archive/specs/sftp-config-parsing-fixes/test-data/rtx_config_raw.txt": {
        "ethernet filter": 3,
        "ethernet lan1": 2,
        "nat descriptor": 5,
        "no tunnel": 1,
    },
    f"{TP}fixtures/dns/basic.txt": {},
    f"{TP}fixtures/dns/edge_cases.txt": {},
    f"{TP}fixtures/dns/full_config.txt": {},
    f"{TP}fixtures/dns/server_select_all_options.txt": {},
    f"{TP}fixtures/dns/static_records.txt": {},
    f"{TP}import_fidelity/admin_user_full_attributes.txt": {},
    f"{TP}import_fidelity/dns_server_select_multi_server.txt": {},
    f"{TP}import_fidelity/interface_filter_long_list.txt": {},
    f"{TP}import_fidelity/l2tp_tunnel_auth.txt": {},
    f"{TP}import_fidelity/static_route_multi_gateway.txt": {},
    # A syntax-highlighting sample: prose headings, placeholders in parentheses, Lua, macros,
    # URL filters, port-to-VLAN and port-to-LAN mapping (`lan flexible-port`), a switch port shut
    # (`lan port shutdown`), `lan backup`, TCP-flag rejects and an outer address `hb46pp`.
    "vscode-yamahart/sample/RTXConfigサンプル.rtx": {
        "url filter": 2,
        "luac": 1,
        "lua ttt": 1,
        "lua use": 1,
        "alias test=tttt": 1,
        'alias 336="ttt': 1,
        "isdn local": 1,
        "ntp": 1,
        "ip pp": 2,
        "embedded file": 1,
        "EOF": 1,
        "macro -v": 1,
        "EOM": 1,
        "【NGNとの接続設定】": 1,
        "【タグVLAN設定】": 1,
        "vlan port": 1,
        "lan port": 1,
        "lan backup": 1,
        "lan flexible-port": 1,
        "・TEL1ポートのみ使用、自己SIPアドレスへのみ着信許可、発信時のプレフィックス無し": 1,
        "・IP電話サーバーの設定": 1,
        "・ナンバーディスプレイ機能を有効化": 1,
        "ip filter": 2,
        "【 IPv6": 1,
        "【 国内標準プロビジョニング方式の設定": 1,
        "tunnel hb46pp": 1,
        "nat descriptor": 1,
    },
}


def rtx_corpus_files() -> list[str]:
    manifest = (CORPUS / "MANIFEST.tsv").read_text(encoding="utf-8").splitlines()[1:]
    paths = [row.split("\t")[0] for row in manifest]
    return sorted(path for path in paths if path.startswith(("terraform-provider-rtx/", "vscode-yamahart/")))


def test_the_rtx_corpus_files_are_those_listed() -> None:
    if not (CORPUS / "MANIFEST.tsv").is_file():
        pytest.skip(f"public corpus not found at {CORPUS}")
    # ip_host.txt holds only `ip host` lines: detection recognises no vendor in it.
    assert set(rtx_corpus_files()) == {*EXPECTED, f"{TP}fixtures/dns/ip_host.txt"}


@pytest.mark.parametrize("path", sorted(EXPECTED))
def test_rtx_corpus_file_parses_with_its_meta_001_lines(path: str) -> None:
    if not (CORPUS / path).is_file():
        pytest.skip(f"public corpus not found at {CORPUS}")
    text = read_input(str(CORPUS / path)).text
    assert classify(text).vendor == "yamaha_rtx"
    device = parse_config(text, path)
    forwarding = [u for u in device.unknown_lines if u.kind is UnknownKind.FORWARDING]
    assert dict(Counter(" ".join(u.source.text.split()[:2]) for u in forwarding)) == EXPECTED[path]
