"""Robustness: every FortiOS file of the shared public corpus parses without crashing (or is
refused with a clear input error), and the FORWARDING unknown lines (META-001) per file are
exactly the counts measured when the parser was written: a change that makes the parser
understand more lowers a count here, one that makes it understand less is seen at once."""

from __future__ import annotations

from collections.abc import Mapping

import pytest
from conftest import CORPUS

from nankoku_netcheck.errors import InputError
from nankoku_netcheck.inputs import read_input
from nankoku_netcheck.parse import detect_vendor
from nankoku_netcheck.vendors.fortios.parser import parse

BATFISH = "batfish/projects/batfish/src/test/resources/org/batfish/grammar/fortios/testconfigs/"

# META-001 lines per file (files not listed, the two lab-validation full configs among them:
# none). Why: an interface `vrf` (iface, bgp), a route over SD-WAN (static_routes), `rename` /
# `clone` commands and the policies that then name undefined objects (*rename, policy_clone,
# policy_defs_refs), keys Batfish planted as garbage and the policies using the objects that
# hold them (edit_recovery), undefined objects and `action ipsec` (firewall_policy_warn), an
# interface and a route with a sanitised address and addresses learnt by DHCP/PPPoE (Azure).
EXPECTED_FORWARDING: Mapping[str, int] = {
    "azure-vpn-config-samples/Fortinet/Current/fortigate_show full-configuration.txt": 4,
    BATFISH + "addrgrp_rename": 9,
    BATFISH + "bgp": 1,
    BATFISH + "edit_recovery": 7,
    BATFISH + "firewall_policy_warn": 7,
    BATFISH + "iface": 1,
    BATFISH + "policy_clone": 1,
    BATFISH + "policy_defs_refs": 2,
    BATFISH + "rename": 15,
    BATFISH + "service_group_rename": 9,
    BATFISH + "static_routes": 1,
}


def fortios_files() -> list[tuple[str, str]]:
    manifest = (CORPUS / "MANIFEST.tsv").read_text(encoding="utf-8").splitlines()[1:]
    files = []
    for row in manifest:
        relative = row.split("\t")[0]
        if "forti" not in relative.lower():
            continue
        text = read_input(str(CORPUS / relative)).text
        if detect_vendor(text) == "fortios":
            files.append((relative, text))
    return files


def test_every_fortios_corpus_file_parses_with_the_measured_meta_001_lines() -> None:
    if not (CORPUS / "MANIFEST.tsv").is_file():
        pytest.skip(f"public corpus not found at {CORPUS}")
    counts: dict[str, int] = {}
    refused: dict[str, str] = {}
    for path, text in fortios_files():
        try:
            device = parse(text, path)
        except InputError as error:
            refused[path] = error.problems[0].message
            continue
        assert all(device.lines[u.source.line - 1] == u.source.text for u in device.unknown_lines), path
        lines = [unknown.source.line for unknown in device.unknown_lines]
        assert len(lines) == len(set(lines)), path
        counts[path] = len(device.forwarding_unknowns)
    print("\nFortiOS corpus META-001 lines per file:")
    for path, count in sorted(counts.items()):
        print(f"  {count:4d}  {path}")
    assert len(counts) + len(refused) == 58
    assert refused == {}
    assert {path: count for path, count in counts.items() if count} == EXPECTED_FORWARDING
