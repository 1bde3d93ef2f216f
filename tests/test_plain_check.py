"""The quick params test agrees with jsonschema: whatever it accepts, draft-07 accepts."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mock_flowservice.catalog import AuthSpec, load_catalog

AUTHS = [auth for spec in load_catalog() for auth in spec.auth_specs.values()]

_values = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=False),
    st.text(max_size=5),
    st.lists(st.integers(), max_size=2),
    st.dictionaries(st.text(max_size=3), st.integers(), max_size=2),
)


def _params(auth: AuthSpec) -> st.SearchStrategy[dict[str, Any]]:
    names = [*sorted(auth.param_names), "unknownParam"]
    return st.dictionaries(st.sampled_from(names), _values, max_size=len(names))


@pytest.mark.parametrize("reject_unknown", [False, True])
@given(data=st.data())
@settings(max_examples=60, deadline=None)
def test_plainly_valid_implies_valid(data: st.DataObject, reject_unknown: bool) -> None:
    auth = data.draw(st.sampled_from(AUTHS))
    params = data.draw(_params(auth))
    if auth.plainly_valid(params, reject_unknown=reject_unknown):
        assert auth.validator(reject_unknown=reject_unknown).is_valid(params)


def test_every_catalog_schema_has_the_quick_test() -> None:
    for auth in AUTHS:
        good = {name: _example(auth.schema["properties"][name]) for name in auth.param_names}
        assert auth.plainly_valid(good, reject_unknown=True), auth.name
        assert auth.validator(reject_unknown=True).is_valid(good)


def test_other_schemas_go_to_the_validator() -> None:
    for schema in (
        {"type": "object", "properties": {"a": {"type": "string", "minLength": 3}}},
        {"type": "object", "additionalProperties": False},
        {"type": "array"},
        {"type": "object", "properties": {"a": {"type": ["string", "null"]}}},
    ):
        auth = AuthSpec("odd", schema)
        assert not auth.plainly_valid({"a": "x"}, reject_unknown=False)


def _example(schema: dict[str, Any]) -> Any:
    return {"string": "x", "boolean": True, "integer": 1, "number": 1.5, "object": {}}.get(
        schema["type"]
    )
