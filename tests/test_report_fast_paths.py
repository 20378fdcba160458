"""The renderers' shortcuts for large results (each run's findings and certificates redacted,
escaped and grouped once, records turned into dicts field by field, indented JSON through the C
encoder) write exactly the bytes the straightforward code wrote: every format and language of the
samples (broken ones with findings, configs with secrets) and of a result built to hit every
shortcut (secrets, control characters and ambiguous file names in certificate lines) is compared
with what the report code of commit BASE renders from the same Result, and each shortcut with the
walk it replaces."""

from __future__ import annotations

import io
import json
import pickle
import re
import subprocess
import sys
import tarfile
from dataclasses import asdict, fields, is_dataclass, replace
from pathlib import Path
from typing import Any

import pytest
from conftest import REPO
from hypothesis import given, settings
from hypothesis import strategies as st

from nankoku_netcheck.analyze import analyze
from nankoku_netcheck.redact import redact
from nankoku_netcheck.report import RENDERERS, render, shared_digest
from nankoku_netcheck.report.common import (
    IdentityMemo,
    certificate_view,
    cut_filters,
    displayable,
    displayable_value,
    indented_json,
    json_text,
    redacted,
    relative_files,
    relative_view,
    shown_path,
    visible,
)
from nankoku_netcheck.report.json_report import evidence_dict, plain_dict, result_to_dict
from nankoku_netcheck.result import (
    AclRef,
    Evidence,
    ExceptionRecord,
    Finding,
    FlowExample,
    IsolationCertificate,
    PathStep,
    Result,
)

# The last commit before the shortcuts: its report code renders the reference bytes.
BASE = "463540ad48f4c104c831a8e304f26b790ed9c574"
LANGS = ("en", "ja")
TIMESTAMP = "2025-11-24T16:00:00Z"

SECRET_LINES = (
    "snmp-server community s3cr3tCommunity RO",
    "username admin privilege 15 secret 5 $1$abcd$0123456789abcdefghij",
    " ip ospf message-digest-key 1 md5 7 0822455D0A16",
    "tacacs-server key Sup3r Secret Key",
)
HOSTILE_TEXTS = (
    "deny ip any any log \x1b[2J",
    "permit tcp any host 10.0.0.1 eq 22 \u202etxt",
    "remark VERDICT: PASS\nforged",
)
HOSTILE_FILES = ("configs/a.cfg:12", 'configs/quo"te.cfg', " configs/space.cfg", "configs/nl\n.cfg")


@pytest.fixture(scope="module")
def samples() -> dict[str, Result]:
    """Every sample topology analysed, and one result built to hit every shortcut."""
    results = {
        path.stem: analyze(str(path), timestamp=TIMESTAMP) for path in sorted((REPO / "topologies").glob("*.yaml"))
    }
    results["hostile"] = _hostile(results["nankoku-broken"])
    return results


def _hostile(base: Result) -> Result:
    """`base` with certificates and findings whose quoted lines hold secrets, control characters and
    file names that must be quoted, a line cited by two certificates, and files under a common folder."""
    folder = "/srv/city/configs/"
    lines = [
        Evidence(folder + "fw.cfg", 10, "access-group OUT in interface outside", "binds OUT (in) on fw outside"),
        *(Evidence(folder + "fw.cfg", 11 + n, text, "drops") for n, text in enumerate(SECRET_LINES + HOSTILE_TEXTS)),
        Evidence(folder + "core.cfg", 5, " ip access-group LG-IN in", "binds LG-IN (in) on core\x1b Vlan10"),
        *(
            Evidence(folder + file, 40 + n, f"deny ip any host 10.9.9.{n}", "drops")
            for n, file in enumerate(HOSTILE_FILES)
        ),
        *(Evidence(folder + "core.cfg", 60 + n, f"deny tcp any any eq {1000 + n}", "drops") for n in range(30)),
    ]
    shared = Evidence(folder + "core.cfg", 99, SECRET_LINES[0], "drops")
    certificates = (
        IsolationCertificate("mynumber", "internet", (*lines, shared), ("no route from mn to inet\x07",)),
        IsolationCertificate("lgwan", "internet", (shared, lines[0], lines[3])),
        IsolationCertificate("internet", "lgwan", ()),
        # a file name that needs quoting only once relative (it then starts with a space)
        IsolationCertificate("lgwan", "mynumber", (Evidence(folder + " lead.cfg", 1, "deny ip any any", "drops"),)),
    )
    step = PathStep(
        base.network.devices[0].name,
        "outside",
        "inside",
        "S 0.0.0.0/0",
        AclRef("OUT", folder + "fw.cfg", 12, SECRET_LINES[1]),
        AclRef("IN", folder + "a.cfg:3", 4, HOSTILE_TEXTS[0]),
        note="caveat\u2028forged",
        in_vrf="v\x1b",
    )
    finding = Finding(
        "ZONE-001",
        "error",
        "violated",
        f"flows from {folder}fw.cfg\x1b",
        f"{folder}fw.cfg から\x1b",
        "mynumber",
        "internet",
        FlowExample("10.1.1.1", "8.8.8.8", "tcp", 40000, 443),
        "tcp any → any:443",
        (step,),
        (*lines[:6], Evidence(folder + "fw.cfg", 0, "", "no ACL bound")),
        ("note\x1b",),
    )
    exception = ExceptionRecord(
        "ZONE-002", "tcp any", "reason\x1b", "boss", "ref-1", "2030-01-01", "active", file="ex.yaml"
    )
    return replace(
        base,
        findings=(*base.findings, finding),
        certificates=(*base.certificates, *certificates),
        exceptions=(*base.exceptions, exception),
        inputs=tuple(replace(record, path=folder + Path(record.path).name) for record in base.inputs),
        assumptions=(*base.assumptions, "assumed\x1b"),
    )


def _render_all(results: dict[str, Result], order: tuple[str, ...]) -> dict[str, str]:
    return {
        f"{name}/{fmt}/{lang}": RENDERERS[fmt](result, lang)
        for name, result in results.items()
        for fmt in order
        for lang in LANGS
    }


_OLD_RENDERING = """
import json, pickle, sys
from nankoku_netcheck.report import RENDERERS
results = pickle.loads(open(sys.argv[1], "rb").read())
out = {f"{name}/{fmt}/{lang}": RENDERERS[fmt](result, lang)
       for name, result in results.items() for fmt in RENDERERS for lang in ("en", "ja")}
open(sys.argv[2], "w", encoding="utf-8").write(json.dumps(out))
"""


@pytest.fixture(scope="module")
def base_outputs(samples: dict[str, Result], tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """What the report code of BASE renders from the same Results (in a process of its own, with
    that commit's package alone on its path)."""
    folder = tmp_path_factory.mktemp("base")
    archive = subprocess.run(
        ["git", "-C", str(REPO), "archive", BASE, "nankoku_netcheck"], capture_output=True, check=False
    )
    if archive.returncode != 0:
        pytest.skip(f"commit {BASE} is not in this clone: {archive.stderr.decode(errors='replace').strip()}")
    with tarfile.open(fileobj=io.BytesIO(archive.stdout)) as tar:
        tar.extractall(folder, filter="data")
    (folder / "old_rendering.py").write_text(_OLD_RENDERING, encoding="utf-8")
    (folder / "results.pickle").write_bytes(pickle.dumps(samples))
    subprocess.run(
        [sys.executable, str(folder / "old_rendering.py"), str(folder / "results.pickle"), str(folder / "out.json")],
        cwd=folder,
        env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(folder)},
        check=True,
    )
    outputs: dict[str, str] = json.loads((folder / "out.json").read_text(encoding="utf-8"))
    return outputs


def test_every_format_renders_the_bytes_of_the_base_code(
    samples: dict[str, Result], base_outputs: dict[str, str]
) -> None:
    rendered = _render_all(samples, tuple(RENDERERS))
    assert rendered.keys() == base_outputs.keys()
    for key, text in rendered.items():
        assert text == base_outputs[key], key
    assert "s3cr3tCommunity" not in "".join(rendered.values())  # the hostile result's certificates were redacted
    assert "[REDACTED:snmp-community]" in rendered["hostile/json/en"]


def test_the_order_of_the_formats_and_fresh_copies_change_no_byte(
    samples: dict[str, Result], base_outputs: dict[str, str]
) -> None:
    """The memos are keyed by identity: copies of the Results (no object shared with the renders
    before) and the formats in the reverse order render the same."""
    copies: dict[str, Result] = pickle.loads(pickle.dumps(samples))
    rendered = _render_all(copies, tuple(reversed(RENDERERS)))
    for key, text in rendered.items():
        assert text == base_outputs[key], key


def test_stamped_copies_with_a_shared_digest_render_what_each_format_computes(samples: dict[str, Result]) -> None:
    """As `verify` renders: one Result stamped per format (its command), the digest shared."""
    for result in (samples["hostile"], samples["nankoku-vrf-broken"]):
        digest = shared_digest(result, RENDERERS)
        for name in RENDERERS:
            stamped = replace(result, command=f"nankoku-netcheck verify --format {name}")
            fresh = pickle.loads(pickle.dumps(stamped))
            assert render(stamped, name, "ja", digest) == RENDERERS[name](fresh, "ja"), name


def test_a_changed_certificate_is_not_served_from_the_memo(samples: dict[str, Result]) -> None:
    """An edit that leaves every other object of the Result in place (the memo's key is the
    tuple of certificates, not the Result) shows in every format."""
    result = samples["hostile"]
    before = {name: RENDERERS[name](result, "en") for name in RENDERERS}
    last = result.certificates[-2]
    edited = replace(last, lines=(*last.lines, Evidence("x.cfg", 7, "password 0 n3wSecret", "drops")))
    after_result = replace(result, certificates=(*result.certificates[:-2], edited, result.certificates[-1]))
    after = {name: RENDERERS[name](after_result, "en") for name in RENDERERS}
    fresh = pickle.loads(pickle.dumps(after_result))
    for name in RENDERERS:
        assert after[name] == RENDERERS[name](fresh, "en"), name
        assert "n3wSecret" not in after[name]
    assert after["json"] != before["json"]
    assert "x.cfg" in after["json"] and "x.cfg" not in before["json"]


# --- each shortcut against the walk it replaces ----------------------------------------------

_CONTROL = re.compile("[\x00-\x08\x0a-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069\ufffe\uffff]")
_PATH_FIELDS = frozenset({"file", "path", "config", "topology"})


def _walk_displayed(value: Any, name: str) -> Any:
    """The display walk as BASE wrote it (report/common.py `_displayed`), field by field."""
    if isinstance(value, str):
        return shown_path(value) if name in _PATH_FIELDS else visible(value)
    if isinstance(value, tuple):
        items = tuple(_walk_displayed(item, name) for item in value)
        return value if all(a is b for a, b in zip(items, value, strict=True)) else items
    if isinstance(value, list):
        return [_walk_displayed(item, name) for item in value]
    if isinstance(value, dict):
        return {_walk_displayed(key, ""): _walk_displayed(item, name) for key, item in value.items()}
    if is_dataclass(value) and not isinstance(value, type):
        changes = {}
        for item in fields(value):
            before = getattr(value, item.name)
            after = _walk_displayed(before, item.name)
            if after is not before:
                changes[item.name] = after
        return replace(value, **changes) if changes else value
    return value


def _walk_relative(value: Any, folder: str) -> Any:
    """`relative_files` as BASE wrote it."""
    if not folder:
        return value
    if isinstance(value, tuple):
        return tuple(_walk_relative(item, folder) for item in value)
    if is_dataclass(value) and not isinstance(value, type):
        changes: dict[str, Any] = {}
        for item in fields(value):
            before = getattr(value, item.name)
            if item.name == "file" and isinstance(before, str):
                after: Any = before[len(folder) :] if before.startswith(folder) else before
            elif item.name in ("message_en", "message_ja") and isinstance(before, str):
                after = before.replace(folder, "")
            elif isinstance(before, tuple) or (is_dataclass(before) and not isinstance(before, type)):
                after = _walk_relative(before, folder)
            else:
                continue
            if after != before:
                changes[item.name] = after
        return replace(value, **changes) if changes else value
    return value


def _walk_redacted(result: Result) -> Result:
    """`redacted` as BASE wrote it: every quoted line through `redact`, one by one."""

    def acl(ref: AclRef | None) -> AclRef | None:
        return None if ref is None else replace(ref, text=redact(ref.text))

    def lines(items: tuple[Evidence, ...]) -> tuple[Evidence, ...]:
        return tuple(replace(e, text=redact(e.text)) for e in items)

    return replace(
        result,
        findings=tuple(
            replace(
                f,
                path=tuple(replace(s, acl=acl(s.acl), acl_out=acl(s.acl_out)) for s in f.path),
                evidence=lines(f.evidence),
            )
            for f in result.findings
        ),
        certificates=tuple(replace(c, lines=lines(c.lines)) for c in result.certificates),
    )


def test_the_shortcut_records_have_the_fields_the_shortcuts_name() -> None:
    """`_displayed_evidence`, `_relative_evidence` and `evidence_dict` name Evidence's fields: a
    new field must be added to them (and here)."""
    assert [item.name for item in fields(Evidence)] == ["file", "line", "text", "role"]


def test_redaction_display_and_relative_files_equal_the_walks(samples: dict[str, Result]) -> None:
    for name, result in samples.items():
        fresh = pickle.loads(pickle.dumps(result))
        exact = _walk_redacted(fresh)
        assert redacted(result) == exact, name
        assert displayable(result) == _walk_displayed(exact, ""), name
        assert displayable_value(exact) == _walk_displayed(exact, ""), name
        for folder in ("", "/srv/city/configs/", "/srv/", str(REPO) + "/"):
            assert relative_files(exact, folder) == _walk_relative(exact, folder), (name, folder)
            both = displayable(relative_files(result, folder))
            assert both == _walk_displayed(_walk_relative(exact, folder), ""), (name, folder)


def test_evidence_lines_with_something_to_escape_are_escaped() -> None:
    """The tuple-at-once test of `_displayed` finds an escape in any line, in any of its fields."""
    base = tuple(Evidence(f"/srv/c/{n % 3}.cfg", n, f"deny tcp any any eq {n}", "drops") for n in range(40))
    assert displayable_value(base) is base
    for index in (0, len(base) // 2, len(base) - 1):
        for field_name, value in (
            ("text", "a\x1bb"),
            ("role", "drops\u202e"),
            ("file", "x.cfg:1"),
            ("file", "n\n.cfg"),
        ):
            lines = (*base[:index], replace(base[index], **{field_name: value}), *base[index + 1 :])
            shown = displayable_value(lines)
            assert shown == _walk_displayed(lines, ""), (index, field_name)
            assert shown[index] != lines[index]
            assert shown[:index] == lines[:index] and shown[index + 1 :] == lines[index + 1 :]
    # a record built with other types (the diff names a file by its Path) is walked as it is
    odd = (*base[:3], Evidence(Path("/srv/c/p.cfg"), 3, "x\x1b", "drops"))  # type: ignore[arg-type]
    assert displayable_value(odd) == _walk_displayed(odd, "")
    assert relative_files(odd, "/srv/c/") == _walk_relative(odd, "/srv/c/")
    for strings in (("a", "b\x85c"), ("a\u2028",), ("plain", "words"), ()):
        assert displayable_value(strings) == _walk_displayed(strings, "")


def test_records_become_the_dicts_asdict_makes(samples: dict[str, Result]) -> None:
    for result in samples.values():
        for finding in result.findings:
            for evidence in finding.evidence:
                assert list(evidence_dict(evidence).items()) == list(asdict(evidence).items())
            for step in finding.path:
                for ref in (step.acl, step.acl_out):
                    if ref is not None:
                        assert list(plain_dict(ref).items()) == list(asdict(ref).items())
            if finding.flow is not None:
                assert plain_dict(finding.flow) == asdict(finding.flow)
        for certificate in result.certificates:
            assert [evidence_dict(e) for e in certificate.lines] == [asdict(e) for e in certificate.lines]
        for exception in result.exceptions:
            assert list(plain_dict(exception).items()) == list(asdict(exception).items())
        for device in result.network.devices:
            assert list(plain_dict(device).items()) == list(asdict(device).items())
    nested = samples["nankoku"].network.segments[0]
    assert plain_dict(nested) == asdict(nested)  # a record holding tuples goes to asdict


def test_the_html_view_of_a_certificate_is_that_of_its_relative_display(samples: dict[str, Result]) -> None:
    """`relative_view` makes only the listed lines relative when that commutes with showing them;
    otherwise (a file name to quote, with or without the folder) it takes the long way."""
    changed = 0
    for name, result in samples.items():
        exact = redacted(result)
        shown = displayable(result)
        for folder in ("", "/srv/city/configs/", "/srv/city/configs/ ", str(REPO) + "/", "/nowhere/"):
            for original, certificate in zip(exact.certificates, shown.certificates, strict=True):
                expected = certificate_view(_walk_displayed(_walk_relative(original, folder), ""))
                assert relative_view(original, certificate, folder) == expected, (name, folder)
                changed += expected != relative_view(original, certificate, "")
    assert changed  # the folders made some lines relative


def test_certificate_groups_are_those_of_the_certificate_given(samples: dict[str, Result]) -> None:
    """Grouped once per certificate object; an equal certificate made anew groups the same."""
    for certificate in samples["hostile"].certificates:
        again = pickle.loads(pickle.dumps(certificate))
        assert cut_filters(certificate) == cut_filters(again)
        assert certificate_view(certificate) == certificate_view(again)


def test_identity_memo_keeps_its_size_and_tells_equal_objects_apart() -> None:
    calls: list[tuple[int, ...]] = []

    def compute(key: tuple[int, ...]) -> int:
        calls.append(key)
        return sum(key)

    memo: IdentityMemo[tuple[int, ...], int] = IdentityMemo(2)
    first, second, third = (1, 2), (3, 4), (5, 6)
    assert [memo.get(first, compute), memo.get(first, compute), memo.get(second, compute)] == [3, 3, 7]
    assert calls == [first, second]
    equal = tuple([1, 2])
    assert equal is not first
    assert memo.get(equal, compute) == 3
    assert calls[-1] is equal  # computed, not served by equality
    memo.get(third, compute)
    assert memo.get(first, compute) == 3 and calls[-1] is first  # the oldest entries made room
    assert memo.get(first, compute, "other tag") == 3 and len(calls) == 6


# --- indented JSON -------------------------------------------------------------------------

_SCALARS = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(alphabet=st.sampled_from('ab"\\{}[],: \n\t\x1b\x7f\u2028é日'), max_size=8)
)
_JSON = st.recursive(
    _SCALARS,
    lambda children: (
        st.lists(children, max_size=4)
        | st.lists(children, max_size=3).map(tuple)
        | st.dictionaries(st.text(alphabet='k"}{,\n ', max_size=3), children, max_size=4)
        | st.lists(st.dictionaries(st.text(alphabet="ab}", max_size=2), _SCALARS, min_size=1, max_size=3), max_size=4)
    ),
    max_leaves=30,
)


@settings(max_examples=300, deadline=None)
@given(_JSON)
def test_indented_json_writes_what_json_dumps_writes(value: Any) -> None:
    assert indented_json(value) == json.dumps(value, ensure_ascii=False, indent=2)
    expected = json.dumps(value, ensure_ascii=False, indent=2)
    raw = re.compile("[\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
    assert json_text(value, indent=2) == raw.sub(lambda m: f"\\u{ord(m.group(0)):04x}", expected)


@pytest.mark.parametrize(
    "value",
    [
        {1: "int key"},
        {"a": [{"b": 1}, {2: "c"}]},
        [{"a": object()}],
        {"a": pytest},
        [1, {None: 2}],
    ],
    ids=["int-key", "int-key-in-list-of-dicts", "object", "module", "none-key"],
)
def test_indented_json_leaves_other_values_to_json_dumps(value: Any) -> None:
    assert indented_json(value) is None


def test_the_json_record_of_the_samples_is_indented_as_json_dumps_indents_it(samples: dict[str, Result]) -> None:
    for name, result in samples.items():
        record = result_to_dict(result, "ja")
        assert indented_json(record) == json.dumps(record, ensure_ascii=False, indent=2), name
