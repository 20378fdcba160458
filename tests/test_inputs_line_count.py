"""`InputFile.line_count` (what the report's input records and the run's statistics count) is
the number of `InputFile.lines`, which it counts without splitting the text."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from nankoku_netcheck.inputs import InputFile


def _file(text: str) -> InputFile:
    return InputFile(path="r.cfg", display="r.cfg", sha256="", text=text)


@given(st.text(alphabet=st.sampled_from(["a", " ", "\n", "ア"]), max_size=40))
def test_line_count_is_the_number_of_lines(text: str) -> None:
    assert _file(text).line_count == len(_file(text).lines)


def test_line_count_of_the_edge_cases() -> None:
    assert [_file(text).line_count for text in ("", "\n", "a", "a\n", "a\n\n", "\n\na")] == [0, 1, 1, 1, 2, 3]
