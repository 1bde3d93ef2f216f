"""The compiled params check only ever accepts what jsonschema's validator accepts.

``AuthSpec.surely_valid`` lets a create skip the validator when the compiled check passes;
the validator stays the judge of every refusal. These tests hold the shortcut to that: over
every auth spec of the catalog, with both settings of unknown-param refusal, a params object
the check accepts has no validator error, and one the validator accepts is accepted too (so
the shortcut is taken). A schema with keywords outside the shared set never takes it.
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mock_flowservice.catalog import FAST_KEYWORDS, AuthSpec, load_catalog
from mock_flowservice.config import MockConfig
from mock_flowservice.errors import FlowError
from mock_flowservice.validation import validate_params

from .budget import examples

AUTH_SPECS = [
    pytest.param(auth, id=f"{spec.name}:{auth.name}")
    for spec in load_catalog()
    for auth in spec.auth_specs.values()
]

SCALARS = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=8)
)
JSON = st.recursive(
    SCALARS,
    lambda inner: (
        st.lists(inner, max_size=2) | st.dictionaries(st.text(max_size=4), inner, max_size=2)
    ),
    max_leaves=6,
)


def params_for(auth: AuthSpec) -> st.SearchStrategy[dict[str, Any]]:
    """Objects over the spec's own param names (each present or not, any JSON value), plus
    sometimes a name it does not know."""
    names = [*sorted(auth.param_names), "notAParam"]
    return st.dictionaries(st.sampled_from(names), JSON, max_size=len(names))


@pytest.mark.parametrize("auth", AUTH_SPECS)
@settings(max_examples=examples(30), deadline=None)
@given(data=st.data())
def test_the_check_agrees_with_the_validator(auth: AuthSpec, data: st.DataObject) -> None:
    reject_unknown = data.draw(st.booleans(), label="reject_unknown")
    params = data.draw(params_for(auth), label="params")
    errors = list(auth.validator(reject_unknown=reject_unknown).iter_errors(params))
    assert auth.surely_valid(params, reject_unknown=reject_unknown) == (not errors)


@pytest.mark.parametrize("auth", AUTH_SPECS)
def test_a_complete_valid_object_takes_the_shortcut(auth: AuthSpec) -> None:
    required = auth.schema.get("required", [])
    props = auth.schema.get("properties", {})
    sample = {"string": "x", "integer": 1, "number": 1.5, "boolean": True}
    params = {n: sample.get(props[n].get("type", "string"), "x") for n in required}
    assert not list(auth.validator(reject_unknown=True).iter_errors(params))
    assert auth.surely_valid(params, reject_unknown=True)


@pytest.mark.parametrize(
    "extra",
    [{"minLength": 3}, {"pattern": "^a"}, {"enum": ["a"]}, {"maxLength": 1}],
)
def test_a_schema_beyond_the_shared_keywords_is_left_to_the_validator(
    extra: dict[str, Any],
) -> None:
    assert not set(extra) <= FAST_KEYWORDS
    auth = AuthSpec(
        "custom",
        {"type": "object", "properties": {"a": {"type": "string", **extra}}, "required": ["a"]},
    )
    assert not auth.surely_valid({"a": "abc"}, reject_unknown=False)


def test_a_create_is_still_refused_by_the_validator_beyond_the_shared_keywords() -> None:
    auth = AuthSpec(
        "custom",
        {"type": "object", "properties": {"a": {"type": "string", "minLength": 3}}},
    )
    with pytest.raises(FlowError) as refused:
        validate_params(auth, {"a": "ab"}, MockConfig())
    assert refused.value.status == 400
    validate_params(auth, {"a": "abc"}, MockConfig())
