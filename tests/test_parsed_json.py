"""codec.parsed_json: what json.loads gives, for every input (orjson where it can, json where it refuses)."""

from __future__ import annotations

import json
import math
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nankoku_netcheck.codec import parsed_json

_SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**130), max_value=2**130),  # IPv6 addresses as integers among them
    st.floats(allow_nan=False),
    st.text(),
)
_VALUES = st.recursive(
    _SCALARS, lambda inner: st.one_of(st.lists(inner, max_size=5), st.dictionaries(st.text(), inner, max_size=5))
)


@settings(max_examples=300, deadline=None)
@given(_VALUES, st.booleans())
def test_parsed_json_equals_json_loads(value: Any, ascii_only: bool) -> None:
    data = json.dumps(value, ensure_ascii=ascii_only).encode("utf-8")
    assert parsed_json(data) == json.loads(data)


@pytest.mark.parametrize(
    "data",
    [b"340282366920938463463374607431768211455", b"[NaN, Infinity, -Infinity]", b'"\\ud800"', b'{"a": 1, "a": 2}'],
)
def test_what_orjson_refuses_or_reads_otherwise_is_read_as_json_reads_it(data: bytes) -> None:
    expected, got = json.loads(data), parsed_json(data)
    if isinstance(expected, list):
        assert [math.isnan(x) for x in got] == [math.isnan(x) for x in expected]
        assert [x for x in got if not math.isnan(x)] == [x for x in expected if not math.isnan(x)]
    else:
        assert got == expected and type(got) is type(expected)


@pytest.mark.parametrize("data", [b"", b"{", b"[1,]", b"\xff"])
def test_malformed_input_raises_what_json_raises(data: bytes) -> None:
    with pytest.raises(ValueError):
        json.loads(data)
    with pytest.raises(ValueError):
        parsed_json(data)
