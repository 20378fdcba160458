"""Secrets never reach any output: planted in a copy of the sample city's configs (one of them
on a line that becomes a META-001 finding, so the analysis itself quotes it), then searched
for in every report format and in error messages."""

from __future__ import annotations

import json
import shutil
import textwrap
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import REPO
from hypothesis import given, settings
from hypothesis import strategies as st

from nankoku_netcheck.cli import main
from nankoku_netcheck.redact import (
    _MAY_HOLD_A_SECRET,
    may_hold_a_secret,
    redact,
    redact_every_pattern,
    redact_quoted,
)
from nankoku_netcheck.report import FILE_NAMES

# (config line, the secret in it, the kind it must be replaced by)
KINDS = [
    (
        "enable secret 9 $9$nhEmQVczB7dqsO$X.HsgL6x1il0RxkOSSvyQYwucySCt7qFm4v7pqCxkKM",
        "$9$nhEmQVczB7dqsO$X.HsgL6x1il0RxkOSSvyQYwucySCt7qFm4v7pqCxkKM",
        "enable-secret",
    ),
    ("enable secret level 15 5 $1$mERr$hx5rVt7rPNoS4wqbXKX7m0", "$1$mERr$hx5rVt7rPNoS4wqbXKX7m0", "enable-secret"),
    ("enable password 7 0822455D0A16", "0822455D0A16", "enable-password"),
    ("enable password 8Ry2YjIyt7RRXU24 encrypted", "8Ry2YjIyt7RRXU24", "enable-password"),
    (
        "username ops privilege 15 secret 8 $8$dsYGNam3K1SIJO$7nv/35M/qr6t.dVc7UY9zrJDWRVqncHub1PE9UlMQFs",
        "$8$dsYGNam3K1SIJO$7nv/35M/qr6t.dVc7UY9zrJDWRVqncHub1PE9UlMQFs",
        "secret",
    ),
    ("username ops password 0 PlainPass1", "PlainPass1", "password"),
    ("username ops password 1 encrypted", "1", "password"),  # ASA: the password is "1"
    ("passwd 2KFQnbNIdI.2KYOU encrypted", "2KFQnbNIdI.2KYOU", "password"),
    (" password 7 045802150C2E", "045802150C2E", "password"),
    (" neighbor 192.0.2.1 password 7 BgpNeighborPw", "BgpNeighborPw", "password"),
    ("snmp-server community S3cretComm RO 10", "S3cretComm", "snmp-community"),
    ("snmp community read-write RwComm-2025", "RwComm-2025", "snmp-community"),
    ("snmpv2c community read-only RoComm-2025", "RoComm-2025", "snmp-community"),
    ("login user ops UserPass-2025", "UserPass-2025", "password"),
    ("login user ops encrypted 0A1B2C3D4E5F", "0A1B2C3D4E5F", "password"),
    (" pp auth myname isp-user IspPass-2025", "IspPass-2025", "password"),
    (" l2tp tunnel auth on L2tpSecret-2025", "L2tpSecret-2025", "password"),
    ("snmp-server host 10.1.99.50 version 2c HostTrapComm", "HostTrapComm", "snmp-community"),
    ("snmp-server host inside 10.1.99.50 community AsaComm version 2c", "AsaComm", "snmp-community"),
    ("snmp-server user u g v3 auth sha AuthKeyS3cret priv aes 128 PrivKeyS3cret", "AuthKeyS3cret", "snmp-key"),
    ("snmp-server user u g v3 auth sha AuthKeyS3cret priv aes 128 PrivKeyS3cret", "PrivKeyS3cret", "snmp-key"),
    ("crypto isakmp key 6 IsakmpS3cret address 203.0.113.9", "IsakmpS3cret", "pre-shared-key"),
    (" pre-shared-key address 203.0.113.9 key KeyringS3cret", "KeyringS3cret", "pre-shared-key"),
    (" ikev1 pre-shared-key AsaIkev1S3cret", "AsaIkev1S3cret", "pre-shared-key"),
    (" ikev2 remote-authentication pre-shared-key AsaIkev2S3cret", "AsaIkev2S3cret", "pre-shared-key"),
    ("tacacs-server host 10.1.99.60 key 7 TacacsS3cret", "TacacsS3cret", "tacacs-key"),
    ("radius-server key RadiusS3cret", "RadiusS3cret", "radius-key"),
    (" server-private 10.1.99.61 key 7 PrivateRadiusS3cret", "PrivateRadiusS3cret", "key"),
    (" key 7 TacacsBlockS3cret", "TacacsBlockS3cret", "key"),
    (" ip ospf authentication-key 7 OspfS3cret", "OspfS3cret", "routing-key"),
    (" ip ospf message-digest-key 1 md5 7 OspfMd5S3cret", "OspfMd5S3cret", "routing-key"),
    ("ntp authentication-key 1 md5 NtpS3cret 7", "NtpS3cret", "ntp-key"),
    ("  key-string 7 KeyStringS3cret", "KeyStringS3cret", "key-string"),
    (" standby 1 authentication HsrpS3cret", "HsrpS3cret", "routing-key"),
    (" ip nhrp authentication NhrpS3cret", "NhrpS3cret", "routing-key"),
    (" wpa-psk ascii 0 WpaS3cret", "WpaS3cret", "wpa-psk"),
    ("crypto key import rsa K pem terminal passphrase PassphraseS3cret", "PassphraseS3cret", "password"),
    ("-----BEGIN RSA PRIVATE KEY-----", "-----BEGIN RSA PRIVATE KEY-----", "private-key"),
    (
        "MIIEowIBAAKCAQEAplantedPrivateKeyMaterialQmFzZTY0UGxhbnRlZFNlY3Jl",
        "MIIEowIBAAKCAQEAplantedPrivateKeyMaterialQmFzZTY0UGxhbnRlZFNlY3Jl",
        "private-key",
    ),
]


@pytest.mark.parametrize("line, secret, kind", KINDS)
def test_each_kind_of_secret_is_replaced_by_its_kind(line: str, secret: str, kind: str) -> None:
    redacted = redact(line)
    assert f"[REDACTED:{kind}]" in redacted
    remainder = redacted.replace(f"[REDACTED:{kind}]", " ")
    assert secret not in remainder.split()


@pytest.mark.parametrize(
    "line",
    [
        "permit tcp host 10.1.20.30 any eq www",
        "service password-encryption",
        "security passwords min-length 10",
        "crypto key generate rsa modulus 2048",
        "key chain OSPF-KEYS",
        "interface GigabitEthernet0/1",
        "GigabitEthernet0/1",
        "ip route 0.0.0.0 0.0.0.0 192.168.255.1 name DEFAULT-TO-BB",
        "device_configs/nankoku-broken/mn-gw.cfg:128: permit tcp host 10.1.20.30 any eq www",
    ],
)
def test_lines_without_secrets_are_unchanged(line: str) -> None:
    assert redact(line) == line


def config_lines() -> list[str]:
    """Every line of the bundled configs, the fixtures and the public corpus (when present)."""
    folders = [REPO / "device_configs", REPO / "tests" / "fixtures", REPO.parent / "shared" / "corpus"]
    lines = [line for line, _, _ in KINDS]
    for folder in folders:
        for path in sorted(folder.rglob("*")) if folder.is_dir() else ():
            if path.is_file():
                lines += path.read_text(encoding="utf-8", errors="replace").splitlines()
    return sorted(set(lines))


def test_the_shortcut_for_lines_without_a_trigger_word_changes_nothing() -> None:
    lines = config_lines()
    changed = [line for line in lines if redact(line) != redact_every_pattern(line)]
    assert changed == []
    # the shortcut is taken on most lines, and not on those with secrets
    assert sum(redact_every_pattern(line) != line for line in lines) >= len(KINDS)


def test_redaction_is_idempotent() -> None:
    for line, _, _ in KINDS:
        once = redact(line)
        assert redact(once) == once


def test_type_digit_stays_visible_for_the_hardening_evidence() -> None:
    assert redact("enable password 7 0822455D0A16") == "enable password 7 [REDACTED:enable-password]"


# --- every output format, on a copy of the sample city with planted secrets -----------------

PLANTED_CORE = """\
snmp-server community S3cretComm RO
snmp-server host 10.1.99.50 version 2c HostTrapS3cret
snmp-server user v3user v3group v3 auth sha AuthKeyS3cret priv aes 128 PrivKeyS3cret
username planted privilege 15 secret 9 $9$PlantedSalt1$PlantedHashValueXyz0123456789
username ops password 7 0822455D0A165E41
enable password 7 13061E0108035578
crypto isakmp key IsakmpS3cret address 203.0.113.9
key chain KC
 key 1
  key-string 7 KeyStringS3cret
tacacs-server host 10.1.99.60 key 7 TacacsS3cret
radius-server key RadiusS3cret
crypto key import rsa PLANTED pem terminal passphrase PassphraseS3cret
-----BEGIN RSA PRIVATE KEY-----
MIIEowIBAAKCAQEAplantedPrivateKeyMaterialQmFzZTY0UGxhbnRlZFNlY3Jl
QmFzZTY0UGxhbnRlZFNlY3JldEtleUJvZHlMaW5lVHdvMTIzNDU2Nzg5MA==
-----END RSA PRIVATE KEY-----
quit
"""
# NHRP is not modelled: this line becomes a META-001 finding that quotes it.
PLANTED_BACKBONE = """\
interface Tunnel0
 ip address 192.168.99.1 255.255.255.0
 ip nhrp authentication NhrpS3cret
 ip ospf message-digest-key 1 md5 OspfMd5S3cret
router bgp 65000
 neighbor 192.168.99.2 password 7 BgpS3cret
"""
SECRETS = [
    "S3cretComm",
    "HostTrapS3cret",
    "AuthKeyS3cret",
    "PrivKeyS3cret",
    "PlantedHashValueXyz0123456789",
    "0822455D0A165E41",
    "13061E0108035578",
    "IsakmpS3cret",
    "KeyStringS3cret",
    "TacacsS3cret",
    "RadiusS3cret",
    "PassphraseS3cret",
    "MIIEowIBAAKCAQEAplanted",
    "QmFzZTY0UGxhbnRlZFNlY3JldEtleUJvZHlMaW5lVHdvMTIzNDU2Nzg5MA",
    "NhrpS3cret",
    "OspfMd5S3cret",
    "BgpS3cret",
]


@pytest.fixture(scope="module")
def planted_city(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("planted")
    (root / ".git").mkdir()  # a checkout: the topology reads ../device_configs from its work tree
    shutil.copytree(REPO / "topologies", root / "topologies")
    shutil.copytree(REPO / "device_configs" / "nankoku-broken", root / "device_configs" / "nankoku-broken")
    configs = root / "device_configs" / "nankoku-broken"
    for name, planted in (("mn-core.cfg", PLANTED_CORE), ("bb-rtr.cfg", PLANTED_BACKBONE)):
        with (configs / name).open("a", encoding="utf-8") as handle:
            handle.write(planted)
    return root / "topologies" / "nankoku-broken.yaml"


@pytest.fixture(scope="module")
def planted_reports(planted_city: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    out = tmp_path_factory.mktemp("planted-out")
    reports: dict[str, str] = {}
    for lang in ("ja", "en"):
        target = out / lang
        result = CliRunner().invoke(
            main,
            [
                "verify",
                str(planted_city),
                "--format",
                ",".join(FILE_NAMES),
                "--output-dir",
                str(target),
                "--lang",
                lang,
            ],
        )
        assert result.exit_code == 1, result.output
        reports |= {f"{lang}/{path.name}": path.read_text(encoding="utf-8") for path in target.iterdir()}
        reports[f"{lang}/stderr"] = result.stderr
    stdout = CliRunner().invoke(main, ["verify", str(planted_city), "--lang", "en"])
    reports["stdout"] = stdout.stdout
    return reports


def test_the_planted_line_is_quoted_by_a_finding(planted_reports: dict[str, str]) -> None:
    # Without this the test could pass because nothing quotes config text at all.
    assert "ip nhrp authentication [REDACTED:routing-key]" in planted_reports["en/report.txt"]
    assert "[REDACTED:private-key]" in planted_reports["en/report.json"]


def test_no_planted_secret_in_any_format(planted_reports: dict[str, str]) -> None:
    assert {name.split("/")[-1] for name in planted_reports} >= set(FILE_NAMES.values())
    leaks = [(name, secret) for name, text in planted_reports.items() for secret in SECRETS if secret in text]
    assert leaks == []


def test_error_messages_are_redacted(tmp_path: Path) -> None:
    topology = tmp_path / "topology.yaml"
    topology.write_text("version: 1\nzones: {}\ndevices: {}\n'snmp-server community ErrS3cret': 1\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["verify", str(topology)])
    assert result.exit_code == 2
    assert "topology.yaml:4" in result.stderr
    assert "ErrS3cret" not in result.stderr
    assert "[REDACTED:snmp-community]" in result.stderr


def test_internal_errors_are_redacted(monkeypatch: pytest.MonkeyPatch) -> None:
    import nankoku_netcheck.analyze as analyze_module

    def crash(*_args: object, **_kwargs: object) -> None:
        raise RuntimeError("cannot handle 'snmp-server community LeakS3cret RO'")

    monkeypatch.setattr(analyze_module, "analyze", crash)
    result = CliRunner().invoke(main, ["verify", str(REPO / "topologies" / "nankoku.yaml")])
    assert result.exit_code == 4
    assert "internal error" in result.stderr and "RuntimeError" in result.stderr
    assert "LeakS3cret" not in result.stderr
    assert "[REDACTED:snmp-community]" in result.stderr


# --- redaction touches config text only: the tool's own sentences stay whole ----------------


@pytest.fixture(scope="module")
def sentence_reports(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, str]]:
    """Text, JSON, Markdown and SARIF in en and ja for a city whose r-mn quotes a plaintext
    password and a default SNMP community."""
    folder = tmp_path_factory.mktemp("sentences")
    topology = _triangle_city(folder, mn_extra="username admin password 0 cisco123\nsnmp-server community public RO")
    reports = {}
    for lang in ("en", "ja"):
        target = folder / f"out-{lang}"
        result = CliRunner().invoke(
            main,
            [
                "verify",
                str(topology),
                "--no-cache",
                "--format",
                "text,json,md,sarif",
                "--output-dir",
                str(target),
                "--lang",
                lang,
            ],
        )
        assert result.exit_code == 1, result.output
        reports |= {f"{lang}/{path.suffix[1:]}": path.read_text(encoding="utf-8") for path in target.iterdir()}
    return topology.parent / "configs" / "r-mn.cfg", reports


def _config_line(config: Path, text: str) -> int:
    return config.read_text(encoding="utf-8").splitlines().index(text) + 1


@pytest.mark.parametrize("lang", ["en", "ja"])
def test_rule_sentences_are_never_redacted_in_any_format(
    sentence_reports: tuple[Path, dict[str, str]], lang: str
) -> None:
    config, reports = sentence_reports
    account = f"{config}:{_config_line(config, 'username admin password 0 cisco123')}"
    community = f"{config}:{_config_line(config, 'snmp-server community public RO')}"
    expected = {
        "en": [
            f"{account}: the password of account 'admin' is stored in plaintext.",
            f"{community}: an SNMP community uses a default, well-known name.",
        ],
        "ja": [
            f"{account}: アカウント「admin」のパスワードが平文で保存されています。",
            f"{community}: SNMP コミュニティ名が既定の（推測されやすい）名前です。",
        ],
    }[lang]
    text, markdown = reports[f"{lang}/txt"], reports[f"{lang}/md"]
    findings = json.loads(reports[f"{lang}/json"])["findings"]
    sarif = json.loads(reports[f"{lang}/sarif"])["runs"][0]["results"]
    for message in expected:
        assert f"      {message}" in text.splitlines()
        assert message in markdown
        assert message in [f["message"] for f in findings]
        assert message in [r["message"]["text"].split("\n")[0] for r in sarif]
    evidence = {e["text"] for f in findings for e in f["evidence"]}
    assert {
        "username admin password 0 [REDACTED:password]",
        "snmp-server community [REDACTED:snmp-community] RO",
    } <= evidence
    for name in (f"{lang}/txt", f"{lang}/md", f"{lang}/sarif"):
        assert "username admin password 0 [REDACTED:password]" in reports[name], name
    assert not [name for name, report in reports.items() if "cisco123" in report]


@pytest.mark.parametrize("args", [(), ("--lang", "ja"), ("--format", "json", "--lang", "en")])
def test_topology_errors_name_the_missing_key(tmp_path: Path, args: tuple[str, ...]) -> None:
    topology = tmp_path / "topology.yaml"
    topology.write_text("version: 1\ndevices:\n  r1: {config: r1.cfg}\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["verify", str(topology), "--no-cache", *args])
    assert result.exit_code == 2
    assert (
        f"error: {topology}:1: missing required key 'zones' (expected keys: version, zones, devices; optional: "
        f"name, policy, configs, links, external_peers, channels, exceptions, zone_policy, cloud_destinations, clauses)"
        in result.stderr.splitlines()
    )


def test_only_quoted_fragments_of_an_input_error_are_redacted() -> None:
    assert redact_quoted(
        "x.yaml:4: unknown key 'snmp-server community ErrS3cret' (expected one of: key, password)"
    ) == ("x.yaml:4: unknown key 'snmp-server community [REDACTED:snmp-community]' (expected one of: key, password)")
    assert (
        redact_quoted("missing required key 'zones' (the key password of x)")
        == "missing required key 'zones' (the key password of x)"
    )


def _triangle_city(folder: Path, mn_iface: str = "!", mn_extra: str = "!") -> Path:
    from conftest import SLOTS, TRIANGLE, write_network

    configs = {}
    for name, template in TRIANGLE.items():
        text = textwrap.dedent(template).replace("{mn_iface}", mn_iface).replace("{mn_extra}", mn_extra)
        for slot in SLOTS:
            text = text.replace("{" + slot + "}", "!")
        configs[name] = text
    return write_network(folder, configs)


def test_diff_and_trace_quote_config_lines_redacted_and_sentences_whole(tmp_path: Path) -> None:
    before = _triangle_city(tmp_path / "before")
    after = _triangle_city(
        tmp_path / "after", mn_iface="ip nhrp authentication NhrpS3cret", mn_extra="username admin password 0 cisco123"
    )
    config = after.parent / "configs" / "r-mn.cfg"
    outputs = {}
    for output_format in ("text", "json"):
        result = CliRunner().invoke(
            main, ["diff", str(before), str(after), "--no-cache", "--lang", "en", "--format", output_format]
        )
        assert result.exit_code == 1, result.output
        outputs[output_format] = result.stdout
    assert (
        f"  MGMT-006 error {config}:8: the password of account 'admin' is stored in plaintext."
        in outputs["text"].splitlines()
    )
    assert (
        f"  META-001 error {config}:6: not understood (NHRP (DMVPN) is not modelled): ip nhrp authentication "
        f"[REDACTED:routing-key]" in outputs["text"].splitlines()
    )
    new = {f["rule"]: f["message"] for f in json.loads(outputs["json"])["findings"]["new"]}
    assert new["MGMT-006"] == f"{config}:8: the password of account 'admin' is stored in plaintext."
    trace = CliRunner().invoke(
        main, ["trace", str(after), "--src", "10.1.1.10", "--dst", "10.2.1.10", "--no-cache", "--format", "json"]
    )
    assert trace.exit_code == 0
    [path] = json.loads(trace.stdout)["paths"]
    assert [c["message_en"] for c in path["hops"][0]["caveats"]] == [
        "line not understood on this device (NHRP (DMVPN) is not modelled): ip nhrp authentication "
        "[REDACTED:routing-key]"
    ]
    outputs["trace"] = trace.stdout
    assert not [name for name, text in outputs.items() if "NhrpS3cret" in text or "cisco123" in text]


_SHORTCUT_PIECES = st.sampled_from(
    [
        *("SeCrEt", "passw", "key", "snmp", "-pw", "-pwx", "login \t USER", "://", "$", "aaa-server", "PKCS12"),
        *(" ", "-", "ABCDEFGHabcdefgh", "0123456789+/abcd", "ſecret", "\u212aey", "é", "10.0.0.1", "permit tcp"),
    ]
)


@settings(max_examples=500, deadline=None)
@given(text=st.one_of(st.text(), st.lists(_SHORTCUT_PIECES).map("".join)))
def test_the_fast_shortcut_answers_as_its_pattern(text: str) -> None:
    """`may_hold_a_secret` looks for the trigger words with `in` on ASCII text: it must say
    what the case-insensitive pattern says, non-ASCII case folding included."""
    assert may_hold_a_secret(text) == (_MAY_HOLD_A_SECRET.search(text) is not None)


def test_the_shortcut_pattern_folds_non_ascii_letters() -> None:
    assert may_hold_a_secret("ſecret") and may_hold_a_secret("\u212aey")
    assert not may_hold_a_secret("permit tcp any host 10.0.0.1 eq 443")
