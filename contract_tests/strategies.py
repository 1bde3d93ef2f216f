"""Hypothesis strategies built from the catalog the target serves (``list_connection_specs``).

Valid params follow each auth spec's draft-07 schema: every required param, any subset of the
optional ones, values of the declared type. Secret params (``format: password``) get values
starting with :data:`SECRET_MARKER`, and each one is handed to ``on_secret`` so the report can
scrub it. Invalid variants break exactly one rule each.
"""

from __future__ import annotations

import string
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from hypothesis import strategies as st

from .support import AuthChoice, Catalog

__all__ = [
    "SECRET_MARKER",
    "CreateCase",
    "InvalidCase",
    "create_cases",
    "invalid_cases",
    "minimal_body",
    "params_for",
    "wrong_value_for",
]

SECRET_MARKER = "mfs-secret-"
PLACEHOLDER_NAME = "mfs-contract-placeholder"
SAFE_TEXT = string.ascii_letters + string.digits + "-_.@:/"
Sink = Callable[[str], None]


def _ignore(_: str) -> None:
    return None


def plain_text(min_size: int = 1, max_size: int = 24) -> st.SearchStrategy[str]:
    """Text every real service should store as is (no spaces at the ends, no control chars)."""
    return st.text(alphabet=SAFE_TEXT, min_size=min_size, max_size=max_size)


def _value(schema: Mapping[str, Any], secret: bool, on_secret: Sink) -> st.SearchStrategy[Any]:
    kind = schema.get("type")
    if secret:
        return plain_text(8, 24).map(lambda s: SECRET_MARKER + s).map(_registering(on_secret))
    if kind == "integer":
        return st.integers(min_value=1, max_value=65535)
    if kind == "boolean":
        return st.booleans()
    if kind == "object":
        return st.dictionaries(
            st.from_regex(r"[a-z]{1,8}", fullmatch=True), plain_text(), max_size=2
        )
    return plain_text()


def _registering(on_secret: Sink) -> Callable[[str], str]:
    def register(value: str) -> str:
        on_secret(value)
        return value

    return register


def params_for(choice: AuthChoice, on_secret: Sink = _ignore) -> st.SearchStrategy[dict[str, Any]]:
    """Valid ``auth.params`` for one auth spec."""
    props = choice.properties
    required = set(choice.auth.required)
    secrets = set(choice.auth.secret_params)
    fields: dict[str, st.SearchStrategy[Any]] = {}
    optional: dict[str, st.SearchStrategy[Any]] = {}
    for name, schema in props.items():
        target = fields if name in required else optional
        target[name] = _value(
            schema if isinstance(schema, Mapping) else {}, name in secrets, on_secret
        )
    return st.fixed_dictionaries(fields, optional=optional)


@dataclass(frozen=True)
class CreateCase:
    """A create request minus its name (names are unique and never generated)."""

    choice: AuthChoice
    params: dict[str, Any]
    description: str | None

    def body(self, name: str) -> dict[str, Any]:
        body: dict[str, Any] = {"name": name}
        if self.description is not None:
            body["description"] = self.description
        body["auth"] = {"specName": self.choice.auth.name, "params": self.params}
        version = self.choice.spec.version or "1.0"
        body["connectionSpec"] = {"id": self.choice.spec.id, "version": version}
        return body


def descriptions() -> st.SearchStrategy[str | None]:
    text = st.text(alphabet=SAFE_TEXT + " ", min_size=1, max_size=40).map(str.strip)
    return st.none() | text.filter(bool)


def create_case_for(choice: AuthChoice, on_secret: Sink = _ignore) -> st.SearchStrategy[CreateCase]:
    return st.builds(CreateCase, st.just(choice), params_for(choice, on_secret), descriptions())


def create_cases(catalog: Catalog, on_secret: Sink = _ignore) -> st.SearchStrategy[CreateCase]:
    """A valid create request for any (source, auth spec) of the catalog."""
    return st.sampled_from(catalog.choices).flatmap(lambda c: create_case_for(c, on_secret))


# -- invalid variants ------------------------------------------------------------------------


@dataclass(frozen=True)
class InvalidCase:
    """A create request broken in one way: ``kind`` names the rule it breaks.

    ``body`` carries the placeholder name :data:`PLACEHOLDER_NAME`; the test puts a unique one in.
    """

    kind: str
    body: dict[str, Any]
    detail: str

    def body_named(self, name: str) -> dict[str, Any]:
        return {**self.body, "name": name}


def wrong_value_for(schema: Mapping[str, Any]) -> st.SearchStrategy[Any]:
    """A JSON value that is not of the declared ``type``."""
    kind = schema.get("type", "string")
    numbers = st.integers(-(10**6), 10**6)
    others: dict[str, st.SearchStrategy[Any]] = {
        "string": numbers | st.booleans() | st.lists(plain_text(), max_size=2),
        "integer": plain_text() | st.booleans() | st.just(1.5),
        "boolean": plain_text() | numbers,
        "object": plain_text() | numbers | st.lists(numbers, max_size=2),
    }
    return others.get(str(kind), numbers | st.booleans())


def _with_required(catalog: Catalog) -> list[AuthChoice]:
    return [c for c in catalog.choices if c.auth.required]


def _unknown_spec_id(catalog: Catalog, case: CreateCase) -> st.SearchStrategy[InvalidCase]:
    ids = st.uuids().map(str).filter(lambda i: i not in catalog.spec_ids)
    return ids.map(
        lambda i: InvalidCase(
            "unknown_spec_id", _swap_spec(case.body(PLACEHOLDER_NAME), i), f"spec id {i}"
        )
    )


def _swap_spec(body: dict[str, Any], spec_id: str) -> dict[str, Any]:
    body["connectionSpec"] = {"id": spec_id, "version": "1.0"}
    return body


def _unknown_spec_name(case: CreateCase) -> st.SearchStrategy[InvalidCase]:
    known = {a.name.strip().lower() for a in case.choice.spec.auth_specs}
    names = st.text(alphabet=string.ascii_letters + " -", min_size=3, max_size=30).filter(
        lambda n: n.strip() and n.strip().lower() not in known
    )

    def build(name: str) -> InvalidCase:
        body = case.body(PLACEHOLDER_NAME)
        body["auth"]["specName"] = name
        return InvalidCase("unknown_spec_name", body, f"specName {name!r}")

    return names.map(build)


def _missing_required(case: CreateCase) -> st.SearchStrategy[InvalidCase]:
    def build(key: str) -> InvalidCase:
        body = case.body(PLACEHOLDER_NAME)
        body["auth"]["params"].pop(key)
        return InvalidCase("missing_required_param", body, f"without {key}")

    return st.sampled_from(sorted(case.choice.auth.required)).map(build)


def _extra_param(case: CreateCase) -> st.SearchStrategy[InvalidCase]:
    props = set(case.choice.properties)
    keys = st.from_regex(r"zz[a-z][a-zA-Z0-9]{2,12}", fullmatch=True).filter(
        lambda k: k not in props
    )

    def build(key: str, value: str) -> InvalidCase:
        body = case.body(PLACEHOLDER_NAME)
        body["auth"]["params"][key] = value
        return InvalidCase("extra_param", body, f"with undeclared {key}")

    return st.builds(build, keys, plain_text())


def _wrong_type(case: CreateCase) -> st.SearchStrategy[InvalidCase]:
    props = case.choice.properties
    present = sorted(k for k in case.params if k in props)

    def build(key: str) -> st.SearchStrategy[InvalidCase]:
        def put(value: Any) -> InvalidCase:
            body = case.body(PLACEHOLDER_NAME)
            body["auth"]["params"][key] = value
            return InvalidCase(
                "wrong_type_param", body, f"{key} not of type {props[key].get('type')}"
            )

        return wrong_value_for(props[key]).map(put)

    return st.sampled_from(present).flatmap(build)


INVALID_KINDS = (
    "unknown_spec_id",
    "unknown_spec_name",
    "missing_required_param",
    "extra_param",
    "wrong_type_param",
)


def invalid_cases(
    catalog: Catalog, kind: str, on_secret: Sink = _ignore
) -> st.SearchStrategy[InvalidCase]:
    """Create requests broken in the way ``kind`` names (one of :data:`INVALID_KINDS`)."""
    choices = _with_required(catalog) if kind == "missing_required_param" else catalog.choices
    base = st.sampled_from(choices).flatmap(lambda c: create_case_for(c, on_secret))
    if kind == "wrong_type_param":
        base = base.filter(lambda case: any(k in case.choice.properties for k in case.params))
    builders: dict[str, Callable[[CreateCase], st.SearchStrategy[InvalidCase]]] = {
        "unknown_spec_id": lambda case: _unknown_spec_id(catalog, case),
        "unknown_spec_name": _unknown_spec_name,
        "missing_required_param": _missing_required,
        "extra_param": _extra_param,
        "wrong_type_param": _wrong_type,
    }
    return base.flatmap(builders[kind])


def minimal_body(choice: AuthChoice, name: str, on_secret: Sink = _ignore) -> dict[str, Any]:
    """A fixed valid create request: only the required params, simple values of each type."""
    fixed: dict[str, Any] = {"integer": 22, "boolean": False, "object": {}}
    params: dict[str, Any] = {}
    for key in choice.auth.required:
        schema = choice.properties.get(key)
        kind = schema.get("type") if isinstance(schema, Mapping) else "string"
        if key in choice.auth.secret_params:
            params[key] = f"{SECRET_MARKER}{name}"
            on_secret(params[key])
        else:
            params[key] = fixed.get(str(kind), f"mfs-{key}")
    case = CreateCase(choice, params, "contract test fixture")
    return case.body(name)
