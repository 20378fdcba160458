"""Vendor detection is positive: a config is parsed only when it is recognised as a supported
vendor; anything else stops the run with exit 2 and one line per refused file. And a zone
that nothing in the network stands for makes the zone rules about it inconclusive."""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import CORPUS

from nankoku_netcheck.analyze import analyze, load
from nankoku_netcheck.cache import ParseCache
from nankoku_netcheck.cli import main
from nankoku_netcheck.errors import InputError
from nankoku_netcheck.inputs import read_input
from nankoku_netcheck.parse import DETECTION_ORDER, VENDORS, Detection, classify, detect_vendor
from nankoku_netcheck.parse import SUPPORTED as SUPPORTED_VENDORS

SUPPORTED = "supported: " + ", ".join(sorted(SUPPORTED_VENDORS))
UNRECOGNISED = f"not a recognised network config ({SUPPORTED})"


def looks_like(label: str) -> str:
    return f"looks like {label} (not supported yet; {SUPPORTED})"


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args), env={})
    return result.exit_code, result.stdout, result.stderr


TOPOLOGY_HEAD = """\
version: 1
name: detection
configs: configs
zones:
  lgwan:
    kind: lgwan
    label: LGWAN
    prefixes: [10.2.0.0/16]
devices:
"""

IOS_ROUTER = """\
hostname r1
interface GigabitEthernet0/0
 ip address 10.2.0.1 255.255.255.0
"""


def write_network(folder: Path, configs: dict[str, str], head: str = TOPOLOGY_HEAD) -> str:
    """A topology with one device per config (file name = device name + .cfg), in order."""
    (folder / "configs").mkdir()
    lines = [head]
    for name, text in configs.items():
        (folder / "configs" / f"{name}.cfg").write_text(text, encoding="utf-8")
        lines.append(f"  {name}: {{config: {name}.cfg}}\n")
    (folder / "topology.yaml").write_text("".join(lines), encoding="utf-8")
    return "topology.yaml"


FORTIOS_SNIPPET = """\
#config-version=FGT60F-7.2.5-FW-build1517-230606:opmode=0:vdom=0:user=admin
config system global
    set hostname "fgt-edge"
end
config system interface
    edit "port1"
        set ip 10.2.0.1 255.255.255.0
        set allowaccess ping https
    next
end
"""


def test_fortios_is_recognised() -> None:
    assert classify(FORTIOS_SNIPPET) == Detection("fortios", supported=SUPPORTED_VENDORS)
    assert classify(FORTIOS_SNIPPET.split("\n", 1)[1]).vendor == "fortios"  # without the version header


RTX_SNIPPET = """\
login password *
administrator password *
ip route default gateway pp 1
ip lan1 address 10.2.0.1/24
ip filter 100 pass * * tcp * www
pp select 1
 pp bind pppoe 1
nat descriptor type 1000 masquerade
"""


def test_yamaha_rtx_is_recognised() -> None:
    assert classify(RTX_SNIPPET) == Detection("yamaha_rtx", supported=SUPPORTED_VENDORS)


# --- small realistic snippets, one per syntax ------------------------------------------------

FOREIGN_SNIPPETS: dict[str, tuple[str, str]] = {
    "junos-curly": (
        "Junos",
        """\
## Last commit: 2024-04-01 09:00:00 JST by admin
version 20.4R3.8;
system {
    host-name srx1;
}
interfaces {
    ge-0/0/0 {
        unit 0 {
            family inet {
                address 10.2.0.1/24;
            }
        }
    }
}
""",
    ),
    "junos-set": (
        "Junos",
        """\
set system host-name srx1
set interfaces ge-0/0/0 unit 0 family inet address 10.2.0.1/24
set routing-options static route 0.0.0.0/0 next-hop 10.2.0.254
""",
    ),
    "panos-xml": (
        "PAN-OS",
        """\
<?xml version="1.0"?>
<config version="10.1.0" urldb="paloaltonetworks">
  <devices>
    <entry name="localhost.localdomain">
      <deviceconfig><system><hostname>pa1</hostname></system></deviceconfig>
    </entry>
  </devices>
</config>
""",
    ),
    "panos-set": (
        "PAN-OS",
        """\
set deviceconfig system hostname pa1
set network interface ethernet ethernet1/1 layer3 ip 10.2.0.1/24
set zone trust network layer3 ethernet1/1
""",
    ),
    "nxos": (
        "NX-OS",
        """\
!Command: show running-config
version 9.3(5) Bios:version
feature ospf
hostname n9k1
vrf context management
interface Ethernet1/1
  no switchport
  ip address 10.2.0.1/24
boot nxos bootflash:/nxos.9.3.5.bin
""",
    ),
    "iosxr": (
        "IOS-XR",
        """\
RP/0/RP0/CPU0:xr1#show running-config
Building configuration...
!! IOS XR Configuration version = 7.3.2
hostname xr1
interface GigabitEthernet0/0/0/0
 ipv4 address 10.2.0.1 255.255.255.0
!
router static
 address-family ipv4 unicast
  0.0.0.0/0 10.2.0.254
 !
!
end
""",
    ),
    "eos": (
        "Arista EOS",
        """\
! Command: show running-config
! device: leaf1 (vEOS-lab, EOS-4.28.3M)
!
transceiver qsfp default-mode 4x10G
!
hostname leaf1
!
daemon TerminAttr
   exec /usr/bin/TerminAttr
!
interface Ethernet1
   no switchport
   ip address 10.2.0.1/24
!
management api http-commands
   no shutdown
!
end
""",
    ),
}

NOT_CONFIGS: dict[str, str] = {
    "readme": "# Network notes\n\nThe core switch was replaced in March.\nSee the wiki for the address plan.\n",
    "yaml": "devices:\n  - name: r1\n    mgmt: 192.0.2.1\n  - name: r2\n    mgmt: 192.0.2.2\n",
    "hostname-only": "hostname r1\n",
}

ASA_WITHOUT_HEADER = """\
hostname fw1
interface GigabitEthernet0/0
 nameif outside
 security-level 0
 ip address 192.0.2.1 255.255.255.0
interface GigabitEthernet0/1
 nameif inside
 security-level 100
 ip address 10.2.0.1 255.255.255.0
object network web
 host 10.2.0.10
access-list OUTSIDE-IN extended permit tcp any object web eq 443
access-group OUTSIDE-IN in interface outside
route outside 0.0.0.0 0.0.0.0 192.0.2.254 1
"""


def test_detection_knows_exactly_the_registered_parsers() -> None:
    assert set(SUPPORTED_VENDORS) == set(VENDORS) == set(DETECTION_ORDER)


@pytest.mark.parametrize("name", sorted(FOREIGN_SNIPPETS))
def test_foreign_config_is_refused_through_the_cli(name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    label, text = FOREIGN_SNIPPETS[name]
    monkeypatch.chdir(tmp_path)
    topology = write_network(tmp_path, {"dev": text})
    code, out, err = run("verify", topology, "--lang", "en", "--no-cache")
    assert code == 2, out
    assert err.splitlines() == [f"error: configs/dev.cfg: {looks_like(label)}"]


@pytest.mark.parametrize("name", sorted(NOT_CONFIGS))
def test_text_that_is_no_config_is_refused_through_the_cli(
    name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    topology = write_network(tmp_path, {"dev": NOT_CONFIGS[name]})
    code, _, err = run("verify", topology, "--lang", "en", "--no-cache")
    assert code == 2
    assert err.splitlines() == [f"error: configs/dev.cfg: {UNRECOGNISED}"]


def test_every_refused_file_is_reported_in_one_run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    topology = write_network(
        tmp_path,
        {
            "pa1": FOREIGN_SNIPPETS["panos-set"][1],
            "r1": IOS_ROUTER,
            "notes": NOT_CONFIGS["readme"],
            "srx": FOREIGN_SNIPPETS["junos-set"][1],
        },
    )
    code, _, err = run("verify", topology, "--lang", "en", "--no-cache")
    assert code == 2
    assert err.splitlines() == [
        f"error: configs/pa1.cfg: {looks_like('PAN-OS')}",
        f"error: configs/notes.cfg: {UNRECOGNISED}",
        f"error: configs/srx.cfg: {looks_like('Junos')}",
    ]


def test_trace_and_diff_refuse_too(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    topology = write_network(tmp_path, {"r1": IOS_ROUTER, "nx": FOREIGN_SNIPPETS["nxos"][1]})
    expected = [f"error: configs/nx.cfg: {looks_like('NX-OS')}"]
    code, _, err = run("trace", topology, "--src", "10.2.0.5", "--dst", "10.2.0.1", "--no-cache")
    assert (code, err.splitlines()) == (2, expected)
    code, _, err = run("diff", topology, topology, "--no-cache")
    assert code == 2
    assert set(err.splitlines()) == set(expected)


def test_explicit_vendor_in_the_topology_still_overrides_detection(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "configs").mkdir()
    (tmp_path / "configs" / "r1.cfg").write_text(IOS_ROUTER, encoding="utf-8")
    (tmp_path / "configs" / "odd.cfg").write_text(NOT_CONFIGS["hostname-only"], encoding="utf-8")
    (tmp_path / "topology.yaml").write_text(
        TOPOLOGY_HEAD + "  r1: {config: r1.cfg}\n  odd: {config: odd.cfg, vendor: cisco_ios}\n", encoding="utf-8"
    )
    code, out, err = run("verify", "topology.yaml", "--format", "json", "--no-cache")
    assert code in (0, 1), err
    vendors = {record["device"]: record["vendor"] for record in json.loads(out)["inputs"] if record.get("device")}
    assert vendors == {"r1": "cisco_ios", "odd": "cisco_ios"}


def test_asa_without_version_header_is_parsed_as_asa(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert detect_vendor(ASA_WITHOUT_HEADER) == "cisco_asa"
    monkeypatch.chdir(tmp_path)
    topology = write_network(tmp_path, {"fw1": ASA_WITHOUT_HEADER})
    code, out, err = run("verify", topology, "--format", "json", "--no-cache")
    assert code in (0, 1), err
    vendors = {record["device"]: record["vendor"] for record in json.loads(out)["inputs"] if record.get("device")}
    assert vendors == {"fw1": "cisco_asa"}


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("access-group OUTSIDE-IN in interface outside", "cisco_asa"),
        ("route outside 0.0.0.0 0.0.0.0 192.0.2.254 1", "cisco_asa"),
        ("same-security-traffic permit inter-interface", "cisco_asa"),
        # Each of these scores 2: not enough alone (IOS-XE has `object-group network` too).
        ("object network web", None),
        ("access-list A extended permit ip any any", None),
        ("interface GigabitEthernet0/0\n nameif outside", "cisco_ios"),
    ],
)
def test_single_asa_markers(line: str, expected: str | None) -> None:
    assert detect_vendor(f"hostname fw1\n{line}\n") == expected


def test_tiny_ios_snippet_is_ios_and_headers_do_not_hide_it() -> None:
    snippet = "hostname r1\ninterface GigabitEthernet0/0\n ip address 10.0.0.1 255.255.255.0\n"
    assert detect_vendor(snippet) == "cisco_ios"
    wrapped = (
        "\ufeffr1#show running-config\nBuilding configuration...\n\n!RANCID-CONTENT-TYPE: cisco\n"
        + snippet
        + "end\nr1#\n"
    )
    assert detect_vendor(wrapped) == "cisco_ios"


def test_decisive_ios_header_outweighs_stray_foreign_lines() -> None:
    text = "version 15.7\nhostname r1\nfeature bgp\ninterface GigabitEthernet0/0\n ip address 10.0.0.1 255.255.255.0\n"
    assert detect_vendor(text) == "cisco_ios"
    # Without the decisive header the same stray NX-OS line makes the file ambiguous: refused.
    assert classify(text.replace("version 15.7\n", "")).message() == looks_like("NX-OS")


def test_alliedware_numbered_acl_is_not_taken_for_ios() -> None:
    text = "hostname sw1\n!\naccess-list 3000 permit ip 10.2.0.0/24 any\n!\ninterface port1.0.1\n!\nend\n"
    assert classify(text) == Detection("alliedware_plus", supported=tuple(DETECTION_ORDER))
    # The hardware ACL number alone is evidence enough; IOS numbered lists stop at 2699.
    assert detect_vendor("hostname sw1\naccess-list 3000 permit ip any any\nend\n") == "alliedware_plus"


def test_refused_file_is_not_served_from_the_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    topology = write_network(tmp_path, {"r1": IOS_ROUTER, "srx": FOREIGN_SNIPPETS["junos-set"][1]})
    cache = ParseCache(tmp_path / "cache")
    for _ in range(2):
        with pytest.raises(InputError) as raised:
            load(topology, cache)
        assert [str(p) for p in raised.value.problems] == [f"configs/srx.cfg: {looks_like('Junos')}"]
    entries = [path for path in (tmp_path / "cache").rglob("*.json") if "bdd" not in path.parts]
    # r1 only: its entry, and the one its bytes share under any path (cache.py)
    assert len(entries) == 2 and len([path for path in entries if "shared" in path.parts]) == 1


# --- the public corpus -------------------------------------------------------------------------

BATFISH_UNIT = "batfish/tests/parsing-tests/networks/unit-tests/configs/"
LAB = "batfish-lab-validation/snapshots/"

# Files whose vendor the folder or name does not tell, verified by reading them. A value of
# "" means "not a recognised network config".
EXPECTED_BY_FILE: dict[str, str] = {
    # `!Command: show running-config`, `feature bgp`, `vdc R-PublicASN100 id 1`: a Nexus in a Cisco snapshot.
    f"{LAB}cisco_private_asn/configs/R-PublicASN100/show_running-config.txt": "NX-OS",
    # Batfish grammar snippets named cisco_* that carry other Cisco OS syntax (they used to be read as
    # IOS; each scores for IOS and for the other OS without decisive IOS evidence, so they are refused).
    f"{BATFISH_UNIT}cisco_interface": "IOS-XR",  # ` ipv4 address 1.2.3.1 255.255.255.252`
    f"{BATFISH_UNIT}cisco_isis": "IOS-XR",  # `interface HundredGigE0/0/0/0.2302`
    f"{BATFISH_UNIT}cisco_misc": "Arista EOS",  # `transceiver qsfp default-mode 4x10G`
    f"{BATFISH_UNIT}cisco_vdc": "NX-OS",  # `vdc combined-hostname`
    # Tcl-like text among ciscoconfparse2's Junos samples, not a configuration.
    "ciscoconfparse2/tests/fixtures/configs/sample_02.junos": "",
    # Only `ip host NAME ADDRESS` lines: nothing proves any vendor.
    "terraform-provider-rtx/internal/rtx/testdata/fixtures/dns/ip_host.txt": "",
    # IOS routers in snapshots named after the Juniper / Fortinet device under test.
    f"{LAB}juniper_resolution/configs/r2/show_running-config.txt": "cisco_ios",
    f"{LAB}juniper_from_condition/configs/as65001/show_running-config.txt": "cisco_ios",
    f"{LAB}juniper_from_condition/configs/as65003/show_running-config.txt": "cisco_ios",
    f"{LAB}fortios_first_basic/configs/d1_inside/show_running-config.txt": "cisco_ios",
    f"{LAB}fortios_first_basic/configs/d3_outside/show_running-config.txt": "cisco_ios",
}
# Latin-1 on purpose (an encoding test): refused when read, before detection.
UNREADABLE = {"batfish/projects/batfish/src/test/resources/org/batfish/grammar/cisco/testconfigs/encoding_test"}
ASA_HEADER = re.compile(r"^(?:ASA|PIX|FWSM) Version ", re.MULTILINE)


def expected_vendor(path: str, text: str) -> str:
    """The vendor label (or supported parser name) the corpus README and the path name."""
    if path in EXPECTED_BY_FILE:
        return EXPECTED_BY_FILE[path]
    lowered = path.lower()
    if path.startswith(("terraform-provider-rtx/", "vscode-yamahart/")):
        return "yamaha_rtx"
    if path.startswith("ix2025-vpn-config/"):
        return "nec_ix"
    if "iosxr" in lowered:
        return "IOS-XR"
    if "fortios" in lowered or "fortinet" in lowered:
        return "fortios"
    if "junos" in lowered or "juniper" in lowered:
        return "Junos"
    # Every ASA / PIX / FWSM file of the corpus carries its version header.
    return "cisco_asa" if ASA_HEADER.search(text) else "cisco_ios"


def corpus_files() -> list[tuple[str, str]]:
    manifest = (CORPUS / "MANIFEST.tsv").read_text(encoding="utf-8").splitlines()[1:]
    files = []
    unreadable = set()
    for row in manifest:
        relative = row.split("\t")[0]
        try:
            files.append((relative, read_input(str(CORPUS / relative)).text))
        except InputError:
            unreadable.add(relative)
    assert unreadable == UNREADABLE
    return files


def test_corpus_files_are_classified_as_expected() -> None:
    if not (CORPUS / "MANIFEST.tsv").is_file():
        pytest.skip(f"public corpus not found at {CORPUS}")
    wrong = []
    refused: Counter[str] = Counter()
    parsed: Counter[str] = Counter()
    for path, text in corpus_files():
        expected = expected_vendor(path, text)
        detection = classify(text)
        actual = detection.vendor or detection.looks_like
        if actual != expected:
            wrong.append(f"{path}: expected {expected or 'unrecognised'}, got {actual or 'unrecognised'}")
        elif detection.vendor:
            parsed[detection.vendor] += 1
        else:
            refused[detection.looks_like or "unrecognised"] += 1
    print(f"\ncorpus: parsed {dict(sorted(parsed.items()))}, refused {dict(sorted(refused.items()))}")
    assert not wrong, "\n".join(wrong)
    assert set(refused) == {"Junos", "NX-OS", "IOS-XR", "Arista EOS", "unrecognised"}


def test_every_foreign_corpus_file_is_refused_in_one_cli_run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """One topology naming every foreign file of the corpus: exit 2, and one line per file, each
    naming the vendor it looks like."""
    if not (CORPUS / "MANIFEST.tsv").is_file():
        pytest.skip(f"public corpus not found at {CORPUS}")
    foreign = [
        (path, expected_vendor(path, text))
        for path, text in corpus_files()
        if expected_vendor(path, text) not in SUPPORTED_VENDORS
    ]
    lines = [
        f"version: 1\nname: corpus\nconfigs: {json.dumps(str(CORPUS))}\n",
        "zones:\n  lgwan: {kind: lgwan, label: LGWAN, prefixes: [10.2.0.0/16]}\ndevices:\n",
    ]
    lines += [f"  d{index:03}: {{config: {json.dumps(path)}}}\n" for index, (path, _) in enumerate(foreign)]
    (tmp_path / "topology.yaml").write_text("".join(lines), encoding="utf-8")
    monkeypatch.chdir(CORPUS)
    code, _, err = run("verify", str(tmp_path / "topology.yaml"), "--no-cache", "--allow-path", str(CORPUS))
    assert code == 2
    assert err.splitlines() == [
        f"error: {path}: {looks_like(label) if label else UNRECOGNISED}" for path, label in foreign
    ]


# --- a zone that nothing in the network stands for ---------------------------------------------

ZONE_WITHOUT_SEGMENT = """\
version: 1
name: unmodelled zone
configs: configs
zones:
  mynumber:
    kind: mynumber
    label: マイナンバー利用事務系
    prefixes: [10.1.0.0/16]
  lgwan:
    kind: lgwan
    label: LGWAN接続系
    prefixes: [10.2.0.0/16]
devices:
"""


def test_zone_without_segment_makes_its_rules_inconclusive(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    topology = write_network(tmp_path, {"r1": IOS_ROUTER}, head=ZONE_WITHOUT_SEGMENT)
    result = analyze(topology, timestamp="2026-01-01T00:00:00Z")
    inconclusive = [
        (f.rule, f.severity, f.from_zone, f.message_en, f.message_ja, [(e.file, e.line, e.text) for e in f.evidence])
        for f in result.findings
        if f.status == "inconclusive"
    ]
    en = (
        "zone 'mynumber' has no modelled segment: nothing can be proved about it "
        "(no device interface address lies in its prefixes and it has no upstream)."
    )
    ja = (
        "領域 'mynumber' にはモデル化されたセグメントがありません。この領域については何も証明できません"
        "（どの機器のインターフェースアドレスもその接頭辞に含まれず、上流の宣言もありません）。"
    )
    evidence = [("topology.yaml", 5, "mynumber:")]
    assert inconclusive == [
        ("ZONE-001", "error", "mynumber", en, ja, evidence),
        ("ZONE-007", "error", "mynumber", en, ja, evidence),
        ("ZONE-008", "warning", "mynumber", en, ja, evidence),
    ]
    verdicts = {v.rule: v.verdict for v in result.rules if v.rule.startswith("ZONE-")}
    assert {rule for rule, verdict in verdicts.items() if verdict == "inconclusive"} == {
        "ZONE-001",
        "ZONE-007",
        "ZONE-008",
    }
    assert "pass" not in {verdicts["ZONE-001"], verdicts["ZONE-007"], verdicts["ZONE-008"]}


def test_zone_with_a_segment_has_no_such_finding(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    router = IOS_ROUTER + "interface GigabitEthernet0/1\n ip address 10.1.0.1 255.255.255.0\n"
    topology = write_network(tmp_path, {"r1": router}, head=ZONE_WITHOUT_SEGMENT)
    result = analyze(topology, timestamp="2026-01-01T00:00:00Z")
    assert not [f for f in result.findings if "no modelled segment" in f.message_en]


NEC_IX_SNIPPET = """\
! NEC Portable Internetwork Core Operating System Software
hostname ix1
timezone +09 00
ip ufs-cache enable
ip access-list web permit tcp src any sport any dest 10.2.0.10/32 dport eq 80
interface GigaEthernet0.0
  ip address 10.2.0.1/24
  ip napt enable
"""


def test_an_nec_ix_config_is_read_by_its_plugin_not_refused() -> None:
    assert classify(NEC_IX_SNIPPET).vendor == "nec_ix"
    assert classify(NEC_IX_SNIPPET.split("\n", 1)[1]).vendor == "nec_ix"
