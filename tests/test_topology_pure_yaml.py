"""tests/test_topology.py once more, every YAML text composed by the pure-Python composer: the
path taken where PyYAML has no libyaml, and for the texts topology.py leaves to it."""

from __future__ import annotations

import pytest
from test_topology import *  # noqa: F403 (its tests and fixtures, collected here a second time)

from nankoku_netcheck import topology


@pytest.fixture(autouse=True)
def pure_yaml_only(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(topology, "_C_LOADER", None)


def test_the_pure_path_is_the_one_taken() -> None:
    assert topology._compose_with_libyaml("version: 1\n") is None
