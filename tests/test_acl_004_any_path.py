"""ACL-004 keeps its answers by reference (line indexes, policy positions), so a model kept under
one path is not checked again under another: `diff` reads a revision's export (its configs shown
as `HEAD:...`) after a `verify` of the working tree, the same unchanged models under other paths.
The findings still quote the path of the run that reports them, as a run from scratch does."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from test_acl_kept import acl_findings, city

from nankoku_netcheck.model import Acl, Device, PolicyRule
from nankoku_netcheck.reach.packets import PacketSpace
from nankoku_netcheck.rules import acl as acl_module

CASES = ["ACL-004/fail", "ACL-004/asa-fail", "ACL-004/fortios-fail"]


def counted_checks(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The config files of the lists (`_permit_all_index`) and inline policies
    (`_inline_permit_all`) ACL-004 checks from now on."""
    checked: list[str] = []
    permit_all_index, inline_permit_all = acl_module._permit_all_index, acl_module._inline_permit_all

    def counted_index(space: PacketSpace, acl: Acl) -> int | None:
        checked.append(acl.source.file)
        return permit_all_index(space, acl)

    def counted_inline(space: PacketSpace, device: Device, policy: tuple[PolicyRule, ...]) -> list[tuple[int, int]]:
        checked.append(device.source_file)
        return inline_permit_all(space, device, policy)

    monkeypatch.setattr(acl_module, "_permit_all_index", counted_index)
    monkeypatch.setattr(acl_module, "_inline_permit_all", counted_inline)
    return checked


@pytest.mark.parametrize("case", CASES)
def test_a_model_kept_under_another_path_is_not_checked_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, case: str
) -> None:
    first = city(tmp_path / "first", case)
    shutil.copytree(first.parent, tmp_path / "second")
    second = tmp_path / "second" / first.name
    cache = tmp_path / "cache"
    before = acl_findings(first, cache)
    assert before["ACL-004"], f"{case} must have ACL-004 findings"
    checked = counted_checks(monkeypatch)
    after = acl_findings(second, cache)
    assert checked == [], f"checked again under the second path: {checked}"
    scratch = acl_findings(second, None)
    assert checked, "the counter counts (a run from scratch checks the lists)"
    assert after == scratch
    # The findings quote the second path, not the first one the answers were computed under.
    files = {evidence.file for finding in after["ACL-004"] for evidence in finding.evidence}
    assert files and all(str(tmp_path / "second") in file for file in files if file.endswith(".cfg")), files
    assert after["ACL-004"] != before["ACL-004"]


def test_a_model_changed_under_another_path_is_checked_again(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Only the same model is read under another path: an edited device is checked again."""
    first = city(tmp_path / "first", "ACL-004/fail")
    shutil.copytree(first.parent, tmp_path / "second")
    second = tmp_path / "second" / first.name
    cache = tmp_path / "cache"
    acl_findings(first, cache)
    config = second.parent / "configs" / "r1.cfg"
    text = config.read_text(encoding="utf-8")
    config.write_text(text.replace("permit ip any any", "permit tcp any any", 1), encoding="utf-8")
    assert config.read_text(encoding="utf-8") != text
    checked = counted_checks(monkeypatch)
    after = acl_findings(second, cache)
    assert checked and {Path(file).name for file in checked} == {"r1.cfg"}
    assert after == acl_findings(second, None)
