"""A corpus of secret forms from the IOS and ASA command references, each with a distinctive value
(single words and values with spaces), planted in the sample city: no value may reach any output of
`verify` (all formats, and the terminal), `diff` or `trace`, and `redact` must keep the command
words before each value readable."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import REPO

from nankoku_netcheck.cli import main
from nankoku_netcheck.redact import redact
from nankoku_netcheck.report import FILE_NAMES


def one(number: int) -> str:
    return f"S3cr3t-Value-{number:03d}"


def spaced(number: int) -> str:
    """A plaintext value with spaces (IOS allows them in passwords and RADIUS/TACACS+ keys)."""
    return f"Horse-{number:03d} S3cr3t-Value-{number:03d} Staple-{number:03d}"


def hex_key(number: int, length: int = 32) -> str:
    return ("5EC12E7" + "0123456789ABCDEF" * 3)[: length - 3] + f"{number:03d}"


def words(value: str) -> tuple[str, ...]:
    return tuple(value.split())


# (config block, the secret words in it). The value sits on the block's last line.
IOS_FORMS: list[tuple[str, tuple[str, ...]]] = [
    (
        "enable secret 9 $9$S3cr3tSalt001$S3cr3tHash001abcdefghijklmnopqrstuvwxyz0123",
        ("$9$S3cr3tSalt001$S3cr3tHash001abcdefghijklmnopqrstuvwxyz0123",),
    ),
    ("enable secret level 15 5 $1$S3cr$S3cr3tHash002xyzABCDEFGH", ("$1$S3cr$S3cr3tHash002xyzABCDEFGH",)),
    (f"enable password 0 {spaced(3)}", words(spaced(3))),
    (f"enable password level 7 0 {one(4)}", (one(4),)),
    (f"enable algorithm-type scrypt secret {one(5)}", (one(5),)),
    (f"username alice privilege 15 secret 0 {spaced(6)}", words(spaced(6))),
    (f"username bob password 0 {spaced(7)}", words(spaced(7))),
    (f"username carol privilege 15 password 7 {one(8)}", (one(8),)),
    (f"username dave algorithm-type sha256 secret {one(9)}", (one(9),)),
    (f"line con 0\n password {spaced(10)}", words(spaced(10))),
    (f"line vty 0 4\n password 7 {one(11)}", (one(11),)),
    (f"snmp-server community {one(12)} RO 10", (one(12),)),
    (f"snmp-server community {one(13)} view V1 RW SNMP-ACL", (one(13),)),
    (f"snmp-server host 10.1.99.50 version 2c {one(14)}", (one(14),)),
    (f"snmp-server host 10.1.99.51 {one(15)}", (one(15),)),
    (f"snmp-server host 10.1.99.52 informs version 2c {one(16)} udp-port 162", (one(16),)),
    (f"snmp-server user u1 g1 v3 auth sha {one(17)} priv aes 128 {one(18)}", (one(17), one(18))),
    (f"snmp-server user u2 g1 v3 auth md5 {one(19)}", (one(19),)),
    (f"snmp-server host 10.1.99.53 vrf MGMT traps version 2c {one(20)}", (one(20),)),
    (f"tacacs-server host 10.1.99.60 key 7 {one(21)}", (one(21),)),
    (f"tacacs-server key {spaced(22)}", words(spaced(22))),
    (f"tacacs-server host 10.1.99.65 timeout 5 key {one(23)}", (one(23),)),
    (f"tacacs server TAC1\n address ipv4 10.1.99.61\n key 7 {one(24)}", (one(24),)),
    (f"radius-server host 10.1.99.62 auth-port 1812 acct-port 1813 key {spaced(25)}", words(spaced(25))),
    (f"radius-server key 7 {one(26)}", (one(26),)),
    (f"radius server RAD1\n address ipv4 10.1.99.63 auth-port 1812 acct-port 1813\n key 7 {one(27)}", (one(27),)),
    (f"radius server RAD2\n pac key 7 {one(28)}", (one(28),)),
    (
        f"aaa group server radius RG\n server-private 10.1.99.64 auth-port 1812 acct-port 1813 key 7 {one(29)}",
        (one(29),),
    ),
    (f"key chain KC1\n key 1\n  key-string {spaced(30)}", words(spaced(30))),
    (f"key chain KC2\n key 2\n  key-string 7 {one(31)}", (one(31),)),
    (f"interface GigabitEthernet1/0/40\n ip ospf authentication-key 7 {one(32)}", (one(32),)),
    (f"interface GigabitEthernet1/0/40\n ip ospf message-digest-key 1 md5 7 {one(33)}", (one(33),)),
    (f"interface GigabitEthernet1/0/40\n ip ospf message-digest-key 2 md5 {one(34)}", (one(34),)),
    (f"interface GigabitEthernet1/0/41\n ipv6 ospf authentication ipsec spi 500 md5 {hex_key(35)}", (hex_key(35),)),
    (
        f"interface GigabitEthernet1/0/41\n ipv6 ospf authentication ipsec spi 501 sha1 7 {hex_key(36, 40)}",
        (hex_key(36, 40),),
    ),
    (
        f"interface GigabitEthernet1/0/41\n ipv6 ospf encryption ipsec spi 1001 esp aes-cbc 128 {hex_key(37)} sha1 "
        f"{hex_key(38, 40)}",
        (hex_key(37), hex_key(38, 40)),
    ),
    (
        f"interface GigabitEthernet1/0/41\n ospfv3 authentication ipsec spi 502 sha1 {hex_key(39, 40)}",
        (hex_key(39, 40),),
    ),
    (f"ipv6 router ospf 1\n area 0 authentication ipsec spi 503 md5 {hex_key(40)}", (hex_key(40),)),
    (f"router ospf 1\n area 1 virtual-link 10.9.9.9 authentication-key 7 {one(41)}", (one(41),)),
    (f"router ospf 1\n area 1 virtual-link 10.9.9.8 message-digest-key 1 md5 {one(42)}", (one(42),)),
    (f"router bgp 65001\n neighbor 10.1.250.2 password 7 {one(43)}", (one(43),)),
    (f"router bgp 65001\n neighbor 10.1.250.3 password {spaced(44)}", words(spaced(44))),
    (f"router bgp 65001\n neighbor PEERS password 0 {one(45)}", (one(45),)),
    (f"interface GigabitEthernet1/0/42\n isis password {one(46)} level-2", (one(46),)),
    (f"router isis\n area-password {one(47)} authenticate snp validate", (one(47),)),
    (f"router isis\n domain-password {one(48)}", (one(48),)),
    (
        f"router eigrp NAMED\n address-family ipv4 autonomous-system 10\n  af-interface default\n"
        f"   authentication mode hmac-sha-256 7 {one(49)}",
        (one(49),),
    ),
    (f"ntp authentication-key 1 md5 {one(50)} 7", (one(50),)),
    (f"ntp authentication-key 2 md5 {one(51)}", (one(51),)),
    (f"crypto isakmp key 6 {one(52)} address 203.0.113.9", (one(52),)),
    (f"crypto isakmp key {one(53)} hostname peer.example.jp no-xauth", (one(53),)),
    (f"crypto keyring KR\n pre-shared-key address 203.0.113.10 key {one(54)}", (one(54),)),
    (f"crypto keyring KR\n pre-shared-key hostname peer2.example.jp key 6 {one(55)}", (one(55),)),
    (f"crypto ikev2 keyring IKR\n peer P1\n  address 203.0.113.11\n  pre-shared-key local 6 {one(56)}", (one(56),)),
    (f"crypto ikev2 keyring IKR\n peer P2\n  pre-shared-key remote {spaced(57)}", words(spaced(57))),
    (f"crypto ikev2 profile IP1\n authentication local pre-share key 0 {one(58)}", (one(58),)),
    (f"crypto isakmp client configuration group G1\n key {one(59)}", (one(59),)),
    (f"interface GigabitEthernet1/0/43\n standby 1 authentication text {one(60)}", (one(60),)),
    (f"interface GigabitEthernet1/0/43\n standby 2 authentication md5 key-string 7 {one(61)}", (one(61),)),
    (f"interface GigabitEthernet1/0/43\n vrrp 1 authentication text {one(62)}", (one(62),)),
    (f"interface GigabitEthernet1/0/43\n vrrp 2 authentication md5 key-string {one(63)}", (one(63),)),
    (f"interface GigabitEthernet1/0/43\n glbp 1 authentication text {one(64)}", (one(64),)),
    (f"interface GigabitEthernet1/0/43\n glbp 2 authentication md5 key-string 7 {one(65)}", (one(65),)),
    (f"interface Tunnel9\n ip nhrp authentication {one(66)}", (one(66),)),
    (f"interface Serial0/1/0\n ppp chap password 0 {spaced(67)}", words(spaced(67))),
    (f"interface Serial0/1/0\n ppp pap sent-username city password 0 {one(68)}", (one(68),)),
    (f"ip ftp password 7 {one(69)}", (one(69),)),
    (f"ip ftp password {spaced(70)}", words(spaced(70))),
    (f"archive\n path ftp://backup:{one(71)}@10.1.99.10/$h-$t", (one(71),)),
    (f"kron policy-list BACKUP\n cli copy running-config scp://kron:{one(72)}@10.1.99.11/cfg", (one(72),)),
    (f"ip http client password 0 {one(73)}", (one(73),)),
    (f"dot1x credentials DC1\n username sup\n password 0 {one(74)}", (one(74),)),
    (f"dot11 ssid CITY\n wpa-psk ascii 0 {spaced(75)}", words(spaced(75))),
    (f"dot11 ssid CITY2\n wpa-psk hex 7 {one(76)}", (one(76),)),
    (f"crypto pki trustpoint TP1\n password 7 {one(77)}", (one(77),)),
    (f"key config-key password-encrypt {one(78)}", (one(78),)),
    (f"ip msdp password peer 10.1.250.9 7 {one(79)}", (one(79),)),
    (f"mpls ldp neighbor 10.1.250.10 password 7 {one(80)}", (one(80),)),
    (f"l2tp-class L2\n password 7 {one(81)}", (one(81),)),
    (f"ldap server LD1\n bind authenticate root-dn CN=admin,DC=city password 7 {one(82)}", (one(82),)),
    (f"crypto key import rsa K1 pem terminal passphrase {spaced(83)}", words(spaced(83))),
    (f"cts sxp default password 0 {one(84)}", (one(84),)),
]

ASA_FORMS: list[tuple[str, tuple[str, ...]]] = [
    (f"passwd {one(101)} encrypted", (one(101),)),
    (f"enable password {one(102)} pbkdf2", (one(102),)),
    (f"enable password {one(103)} level 15 encrypted", (one(103),)),
    (f"username admin password {one(104)} pbkdf2 privilege 15", (one(104),)),
    (f"username ops password {one(105)} encrypted privilege 5", (one(105),)),
    (f"username nt password {one(106)} nt-encrypted", (one(106),)),
    (f"failover key {one(107)}", (one(107),)),
    (f"failover key hex 0x{hex_key(108)}", (f"0x{hex_key(108)}",)),
    (f"failover ipsec pre-shared-key 0 {one(109)}", (one(109),)),
    (f"interface GigabitEthernet1/7\n authentication key eigrp 100 {one(110)} key-id 1", (one(110),)),
    (f"interface GigabitEthernet1/7\n ospf message-digest-key 1 md5 {one(111)}", (one(111),)),
    (f"interface GigabitEthernet1/7\n ospf authentication-key {one(112)}", (one(112),)),
    (f"aaa-server RAD protocol radius\naaa-server RAD (inside) host 10.1.99.70\n key {one(113)}", (one(113),)),
    (f"aaa-server RAD (inside) host 10.1.99.71\n radius-common-pw {one(114)}", (one(114),)),
    (
        f"aaa-server LDAP protocol ldap\naaa-server LDAP (inside) host 10.1.99.72\n ldap-login-password {one(115)}",
        (one(115),),
    ),
    (
        f"tunnel-group 203.0.113.20 type ipsec-l2l\ntunnel-group 203.0.113.20 ipsec-attributes\n"
        f" ikev1 pre-shared-key {one(116)}",
        (one(116),),
    ),
    (f"tunnel-group 203.0.113.20 ipsec-attributes\n ikev2 local-authentication pre-shared-key {one(117)}", (one(117),)),
    (
        f"tunnel-group 203.0.113.20 ipsec-attributes\n ikev2 remote-authentication pre-shared-key 8 {one(118)}",
        (one(118),),
    ),
    (f"tunnel-group 203.0.113.21 ipsec-attributes\n pre-shared-key {one(119)}", (one(119),)),
    (f"snmp-server host inside 10.1.99.73 community {one(120)} version 2c", (one(120),)),
    (f"snmp-server community {one(121)}", (one(121),)),
    (f"snmp-server user u3 g3 v3 auth sha {one(122)} priv aes 256 {one(123)}", (one(122), one(123))),
    (f"router bgp 65002\n address-family ipv4 unicast\n  neighbor 203.0.113.30 password {one(124)}", (one(124),)),
    (f"ntp authentication-key 3 md5 {one(125)}", (one(125),)),
    (f"crypto ca trustpoint TP2\n password {one(126)}", (one(126),)),
    (f"crypto ca import TP3 pkcs12 {one(127)} nointeractive", (one(127),)),
    (f"vpdn username vu password {one(128)} store-local", (one(128),)),
    (f"isakmp key {one(129)} address 203.0.113.40 netmask 255.255.255.255", (one(129),)),
    (f"call-home\n profile P\n  destination address http https://ch:{one(130)}@tools.example.jp/its", (one(130),)),
    (f"aaa-server TAC protocol tacacs+\naaa-server TAC (inside) host 10.1.99.74 {one(131)} timeout 5", (one(131),)),
    (f"key config-key password-encryption {one(132)}", (one(132),)),
    (f"snmp-server host inside 10.1.99.75 community 0 {one(133)}", (one(133),)),
]

FORMS = IOS_FORMS + ASA_FORMS
SECRETS = [secret for _, secrets in FORMS for secret in secrets]


def test_the_corpus_holds_at_least_80_distinct_forms() -> None:
    lines = [block.splitlines()[-1].strip() for block, _ in FORMS]
    assert len(set(lines)) == len(lines) >= 80
    assert len(set(SECRETS)) == len(SECRETS)


@pytest.mark.parametrize("block, secrets", FORMS, ids=[block.splitlines()[-1].strip()[:40] for block, _ in FORMS])
def test_each_form_hides_its_value_and_keeps_the_command_words(block: str, secrets: tuple[str, ...]) -> None:
    line = block.splitlines()[-1]
    shown = redact(line)
    assert [secret for secret in secrets if secret in shown] == []
    assert "[REDACTED:" in shown
    # everything before the value (with the encryption type digit) stays readable
    first = min(line.index(secret) for secret in secrets)
    assert shown.startswith(line[:first])
    assert redact(shown) == shown


def test_trailing_syntax_keywords_stay_visible() -> None:
    assert (
        redact(f"enable password {one(103)} level 15 encrypted")
        == "enable password [REDACTED:enable-password] level 15 encrypted"
    )
    assert (
        redact(f"username admin password {one(104)} pbkdf2 privilege 15")
        == "username admin password [REDACTED:password] pbkdf2 privilege 15"
    )
    assert redact(f"ntp authentication-key 1 md5 {one(50)} 7") == "ntp authentication-key 1 md5 [REDACTED:ntp-key] 7"
    assert (
        redact(f"crypto isakmp key 6 {one(52)} address 203.0.113.9")
        == "crypto isakmp key 6 [REDACTED:pre-shared-key] address 203.0.113.9"
    )
    assert (
        redact(f" authentication key eigrp 100 {one(110)} key-id 1")
        == " authentication key eigrp 100 [REDACTED:routing-key] key-id 1"
    )
    assert redact(f"username bob password 0 {spaced(7)}") == "username bob password 0 [REDACTED:password]"
    assert (
        redact(f" path ftp://backup:{one(71)}@10.1.99.10/$h-$t")
        == " path ftp://backup:[REDACTED:url-password]@10.1.99.10/$h-$t"
    )
    assert (
        redact(f" ipv6 ospf encryption ipsec spi 1001 esp aes-cbc 128 {hex_key(37)} sha1 {hex_key(38, 40)}")
        == " ipv6 ospf encryption ipsec spi 1001 esp aes-cbc 128 [REDACTED:routing-key] sha1 [REDACTED:routing-key]"
    )


@pytest.mark.parametrize(
    "line",
    [
        "ntp server 10.2.99.11 key 1 source management prefer",
        " ntp multicast key 12 ttl 1",
        "password encryption aes",
        "service password-encryption",
        "aaa-server RAD protocol radius",
        "aaa-server TAC (inside) host 10.1.99.74 timeout 5",
        " standby 1 authentication md5 key-chain HSRP-KEYS",
        " ip rip authentication key-chain RIP-KEYS",
        "key chain KC1",
    ],
)
def test_lines_that_only_name_a_key_are_unchanged(line: str) -> None:
    assert redact(line) == line


# --- the whole corpus through verify (every format), diff and trace -----------------------------

PLANTED_IN = {"mn-core.cfg": IOS_FORMS, "inet-fw.cfg": ASA_FORMS}
# Most forms are management-plane settings the analysis never quotes where they belong. A copy of
# each value line, indented under a one-line command (a line neither IOS nor the ASA prints), is a
# META-001 finding that every format quotes, and a new finding that `diff` quotes.
QUOTED_COPY_IN = {"lg-core.cfg": ("banner motd ^C planted ^C", IOS_FORMS), "edge-fw.cfg": ("names", ASA_FORMS)}


def _city(root: Path, planted: bool) -> Path:
    shutil.copytree(REPO / "topologies", root / "topologies")
    shutil.copytree(REPO / "device_configs" / "nankoku-broken", root / "device_configs" / "nankoku-broken")
    (root / ".git").mkdir()  # a checkout: the topology reads ../device_configs from its work tree
    if planted:
        for name, forms in PLANTED_IN.items():
            config = root / "device_configs" / "nankoku-broken" / name
            lines = config.read_text(encoding="utf-8").splitlines(keepends=True)
            # before the closing `end` (`: end` on the ASA), like any other command
            at = len(lines) - 1 if lines and lines[-1].strip() in ("end", ": end") else len(lines)
            blocks = "\n".join(block for block, _ in forms) + "\n"
            config.write_text("".join(lines[:at]) + blocks + "".join(lines[at:]), encoding="utf-8")
        for name, (command, forms) in QUOTED_COPY_IN.items():
            config = root / "device_configs" / "nankoku-broken" / name
            lines = config.read_text(encoding="utf-8").splitlines(keepends=True)
            # IOS: right after `hostname` (after some management commands the IOS parser files
            # indented lines as part of them); the ASA: before `: end`
            at = (
                next(i + 1 for i, line in enumerate(lines) if line.startswith("hostname"))
                if name == "lg-core.cfg"
                else len(lines) - 1
            )
            copies = "".join(f" {block.splitlines()[-1].strip()}\n" for block, _ in forms)
            config.write_text("".join(lines[:at]) + f"{command}\n{copies}" + "".join(lines[at:]), encoding="utf-8")
    return root / "topologies" / "nankoku-broken.yaml"


@pytest.fixture(scope="module")
def outputs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    before = _city(tmp_path_factory.mktemp("before"), planted=False)
    after = _city(tmp_path_factory.mktemp("after"), planted=True)
    out = tmp_path_factory.mktemp("reports")
    texts: dict[str, str] = {}
    runner = CliRunner()
    result = runner.invoke(
        main,
        [
            "verify",
            str(after),
            "--no-cache",
            "--format",
            ",".join(FILE_NAMES),
            "--output-dir",
            str(out),
            "--lang",
            "en",
        ],
    )
    assert result.exit_code == 1, result.output
    texts |= {f"verify/{path.name}": path.read_text(encoding="utf-8") for path in out.iterdir()}
    texts["verify/stderr"] = result.stderr
    terminal = runner.invoke(main, ["verify", str(after), "--no-cache", "--lang", "ja"])
    texts["verify/terminal"] = terminal.stdout + terminal.stderr
    for output_format in ("text", "json"):
        diff = runner.invoke(
            main, ["diff", str(before), str(after), "--no-cache", "--lang", "en", "--format", output_format]
        )
        texts[f"diff/{output_format}"] = diff.stdout + diff.stderr
        trace = runner.invoke(
            main,
            [
                "trace",
                str(after),
                "--src",
                "10.1.20.10",
                "--dst",
                "10.2.10.10",
                "--no-cache",
                "--format",
                output_format,
            ],
        )
        assert trace.exit_code == 0, trace.output
        texts[f"trace/{output_format}"] = trace.stdout + trace.stderr
    return texts


def test_no_secret_of_the_corpus_in_any_output(outputs: dict[str, str]) -> None:
    assert {name.split("/")[-1] for name in outputs} >= set(FILE_NAMES.values())
    leaks = sorted({(name, secret) for name, text in outputs.items() for secret in SECRETS if secret in text})
    assert leaks == []
    assert not [name for name, text in outputs.items() if re.search(r"Horse-\d|Staple-\d|S3cr3t", text)]


def test_the_outputs_quote_the_planted_lines(outputs: dict[str, str]) -> None:
    """Without this the test above could pass because nothing quotes the planted lines."""
    quoted = {
        name: [block for block, _ in FORMS if redact(block.splitlines()[-1].strip()) in text]
        for name, text in outputs.items()
    }
    every = [block for block, _ in FORMS]
    # META-001 quotes every planted copy, in every verify format and on the terminal
    for name in [*FILE_NAMES.values(), "terminal"]:
        assert quoted[f"verify/{name}"] == every, name
    # diff: each new META-001 finding in JSON (the text lists one message per finding)
    assert len(quoted["diff/json"]) >= 80 and len(quoted["diff/text"]) >= 5
    # trace: the lines not understood on the hops the packet crosses
    assert quoted["trace/text"] and quoted["trace/json"]
