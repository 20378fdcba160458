"""ACL-001 reads only the uses of undefined objects and ACL-003 only the names of the used
ones (rules/acl.py `uses(device, skip)`, `used_names`): both see what the full list of uses
says, on every vendor's ACL-001 and ACL-003 fixture."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
from conftest import REPO

from nankoku_netcheck.parse import parse_config
from nankoku_netcheck.rules.acl import defined_names, used_names, uses

CONFIGS = sorted((REPO / "tests" / "fixtures" / "rules").glob("ACL-00[13]/*/configs/*.cfg"))


def test_there_are_fixtures() -> None:
    assert len(CONFIGS) >= 10


@pytest.mark.parametrize("references", [True, False], ids=["parsed", "bindings-only"])
@pytest.mark.parametrize("config", CONFIGS, ids=lambda path: str(path.relative_to(path.parents[3])))
def test_names_and_undefined_uses_are_those_of_all_uses(config: Path, references: bool) -> None:
    device = parse_config(config.read_text(encoding="utf-8"), config.name)
    if not references:
        # The interface and policy bindings of the forwarding model on their own.
        device = dataclasses.replace(device, mgmt=dataclasses.replace(device.mgmt, references=[]))
    every = uses(device)
    assert used_names(device) == {(use.kind, use.name) for use in every}
    defined = defined_names(device)
    assert [use for use in uses(device, defined) if (use.kind, use.name) not in defined] == [
        use for use in every if (use.kind, use.name) not in defined
    ]
    # What is skipped is gone from the parser's references (bindings are filtered by the rule).
    skipped = {(use.kind, use.name) for use in every if use.kind != "acl"}
    assert not any((use.kind, use.name) in skipped for use in uses(device, skipped))
