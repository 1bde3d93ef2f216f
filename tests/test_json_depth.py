"""The JSON depth limit: refused exactly when a value nests deeper than ``max_depth``.

``decode_json`` skips the depth walk when the text has too few brackets to reach the limit;
these tests hold it to the plain definition whatever brackets the strings carry.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mock_flowservice.validation import JsonRefused, decode_json

MAX_DEPTH = 4


def depth(value: Any) -> int:
    """Levels of arrays and objects, by the definition (a scalar is 0, ``[]`` is 1)."""
    if isinstance(value, dict):
        return 1 + max((depth(v) for v in value.values()), default=0)
    if isinstance(value, list):
        return 1 + max((depth(v) for v in value), default=0)
    return 0


BRACKETY = st.text(alphabet='[]{}ab"\\', max_size=12)
VALUES = st.recursive(
    st.none() | st.integers() | BRACKETY,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(BRACKETY, inner, max_size=3),
    max_leaves=20,
)


@given(VALUES)
def test_refused_exactly_when_deeper_than_the_limit(value: Any) -> None:
    data = json.dumps(value).encode()
    if depth(value) > MAX_DEPTH:
        with pytest.raises(JsonRefused, match="nested deeper than 4 levels"):
            decode_json(data, max_depth=MAX_DEPTH, max_bytes=len(data))
    else:
        assert decode_json(data, max_depth=MAX_DEPTH, max_bytes=len(data)) == value


@pytest.mark.parametrize(("levels", "refused"), [(4, False), (5, True)])
def test_the_boundary(levels: int, refused: bool) -> None:
    data = b"[" * levels + b"]" * levels
    if refused:
        with pytest.raises(JsonRefused):
            decode_json(data, max_depth=MAX_DEPTH, max_bytes=100)
    else:
        decode_json(data, max_depth=MAX_DEPTH, max_bytes=100)


def test_brackets_inside_strings_do_not_count_as_levels() -> None:
    data = json.dumps({"a": "[[[[[[{{{{{{", "b": ["]]]]}}}}"]}).encode()
    assert decode_json(data, max_depth=2, max_bytes=len(data))["a"] == "[[[[[[{{{{{{"
