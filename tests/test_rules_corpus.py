"""Robustness: every device and filter rule runs on every IOS-like file and every ASA / PIX /
FWSM file of the shared public corpus, each file as a one-device network without zones,
without crashing, and every finding points at a real line of its file with that line's
redacted text.

The corpus lives outside the repository (../shared/corpus); the test is skipped when it is
absent. How many devices each rule flags is printed, not asserted: it describes the corpus.
"""

from __future__ import annotations

import time
from collections import Counter

import pytest
import test_parse_corpus as corpus_files
import test_parse_corpus_asa as asa_corpus_files

from nankoku_netcheck.errors import InputError
from nankoku_netcheck.graph import build_network
from nankoku_netcheck.model import Device, DeviceEntry, Located, Topology
from nankoku_netcheck.reach.engine import ReachEngine, boundary_interfaces
from nankoku_netcheck.reach.packets import PacketSpace
from nankoku_netcheck.reach.trace import Tracer
from nankoku_netcheck.redact import redact
from nankoku_netcheck.result import Finding
from nankoku_netcheck.rules.acl import ACL_RULES
from nankoku_netcheck.rules.device import DEVICE_RULES
from nankoku_netcheck.rules.flows import FlowContext
from nankoku_netcheck.vendors.cisco_asa import parser as cisco_asa
from nankoku_netcheck.vendors.cisco_ios.parser import parse

RULES = DEVICE_RULES + ACL_RULES


def single_device_context(device: Device, path: str, space: PacketSpace) -> FlowContext:
    device.name = "device"
    entry = DeviceEntry("device", path, path, device.vendor, None, Located("corpus.yaml", 0))
    topology = Topology(
        path="corpus.yaml",
        version=1,
        name=path,
        policy="nankoku-2019",
        configs_dir="",
        devices=(entry,),
        links=(),
        zones=(),
        external_peers=(),
        channels=(),
        exceptions=(),
    )
    network = build_network(topology, {"device": device})
    engine = ReachEngine(network, space, boundary_interfaces(network))
    return FlowContext(network, space, engine, Tracer(engine))


def evidence_problems(finding: Finding, device: Device, path: str) -> list[str]:
    problems = []
    for evidence in finding.evidence:
        if evidence.file != path or not 1 <= evidence.line <= len(device.lines):
            problems.append(f"{finding.rule} {path}: evidence {evidence.file}:{evidence.line} is not in the file")
        elif evidence.text != redact(device.lines[evidence.line - 1].strip()):
            problems.append(f"{finding.rule} {path}:{evidence.line}: evidence text differs from the redacted line")
    return problems


CORPORA = {
    "IOS": (corpus_files.CORPUS, corpus_files.ios_like_files, parse),
    "ASA": (asa_corpus_files.CORPUS, asa_corpus_files.asa_files, cisco_asa.parse),
}


@pytest.mark.parametrize("vendor", sorted(CORPORA))
def test_every_rule_runs_on_every_corpus_file(vendor: str) -> None:
    corpus, files, parse_file = CORPORA[vendor]
    if not (corpus / "MANIFEST.tsv").is_file():
        pytest.skip(f"public corpus not found at {corpus}")
    started = time.perf_counter()
    space = PacketSpace()
    flagged: Counter[str] = Counter()
    failures: list[str] = []
    devices = 0
    for path, text in files():
        try:
            device = parse_file(text, path)
        except InputError:
            continue
        devices += 1
        context = single_device_context(device, path, space)
        for rule in RULES:
            try:
                findings = rule.check(context)
            except Exception as error:  # the point of the test: report every crash, not the first
                failures.append(f"{rule.id} {path}: {type(error).__name__}: {error}")
                continue
            if findings:
                flagged[rule.id] += 1
            for finding in findings:
                if (finding.rule, finding.severity) != (rule.id, rule.severity):
                    failures.append(f"{rule.id} {path}: finding carries {finding.rule}/{finding.severity}")
                failures.extend(evidence_problems(finding, device, path))
    elapsed = time.perf_counter() - started
    summary = ", ".join(f"{rule.id} {flagged[rule.id]}" for rule in RULES)
    print(f"\n{vendor} corpus: {devices} devices, {elapsed:.1f} s; devices flagged per rule: {summary}")
    assert devices > 0
    assert not failures, "\n".join(failures[:20])
