"""The pipeline catalog: flow specs and target connection specs, loaded from package data.

``data/flow_specs.json`` holds each flow spec exactly as ``GET /flowSpecs`` serves it and
``data/target_connection_specs.json`` each target connection spec as ``GET /connectionSpecs``
serves it, both with a ``_provenance`` note that is stripped on load (``tools/build_flow_specs.py``
regenerates them). Nothing here knows about HTTP: callers map :class:`SchemaIssue` lists onto
their error responses.

Validation follows the embedded draft-07 schemas with one documented leniency (FACTS-2 §5.2):
request bodies send integers and booleans as strings (``"interval": "15"``,
``"backfill": "true"``) and ``mappingVersion`` as an integer although the schemas say otherwise.
Before validating, a *copy* of the value is coerced towards the types the schema declares
(a decimal string to an integer or number, ``"true"``/``"false"`` to a boolean, an integer to a
string); the caller keeps and echoes the original. Pass ``coerce=False`` for strict checks.

Issues carry a JSON Pointer into the validated value, the failing schema keyword and a message
built from the schema only: they never repeat the offending value.
"""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache, cached_property
from importlib import resources
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from jsonschema import Draft7Validator, ValidationError


__all__ = [
    "FLOW_SPECS_FILE",
    "TARGET_SPECS_FILE",
    "FlowSpec",
    "FlowSpecCatalog",
    "SchemaIssue",
    "TargetSpecCatalog",
    "coerce_to_schema",
    "load_flow_specs",
    "target_specs",
]

FLOW_SPECS_FILE = "flow_specs.json"
TARGET_SPECS_FILE = "target_connection_specs.json"

Json = dict[str, Any]

_INTEGER = re.compile(r"^[+-]?\d+$")
_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")


@dataclass(frozen=True, order=True)
class SchemaIssue:
    """One validation failure: where (JSON Pointer), which keyword, and why (no values)."""

    path: str
    keyword: str
    message: str

    def as_json(self) -> dict[str, str]:
        return {"path": self.path, "keyword": self.keyword, "message": self.message}


# --- coercion ----------------------------------------------------------------------------------


def _declared_types(schema: Mapping[str, Any]) -> frozenset[str]:
    declared = schema.get("type")
    if isinstance(declared, str):
        return frozenset({declared})
    if isinstance(declared, list):
        return frozenset(t for t in declared if isinstance(t, str))
    return frozenset()


def _coerce_scalar(value: Any, types: frozenset[str]) -> Any:
    if isinstance(value, str):
        text = value.strip()
        if "integer" in types and _INTEGER.match(text):
            return int(text)
        if "number" in types and _NUMBER.match(text):
            number = float(text)
            return int(number) if number.is_integer() and "." not in text else number
        if "boolean" in types and text.lower() in ("true", "false"):
            return text.lower() == "true"
    elif "string" in types and isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return value


def coerce_to_schema(value: Any, schema: Mapping[str, Any]) -> Any:
    """A copy of ``value`` with scalars turned into the types ``schema``'s properties declare.

    Only ``type`` and (nested) ``properties`` are followed; values that do not convert cleanly
    are left as they are, so validation still reports them.
    """
    types = _declared_types(schema)
    if isinstance(value, Mapping):
        props = schema.get("properties")
        if not isinstance(props, Mapping):
            return dict(value)
        return {
            key: coerce_to_schema(item, props[key]) if isinstance(props.get(key), Mapping) else item
            for key, item in value.items()
        }
    if isinstance(value, list):
        items = schema.get("items")
        if isinstance(items, Mapping):
            return [coerce_to_schema(item, items) for item in value]
        return list(value)
    return _coerce_scalar(value, types) if types else value


# --- issues ------------------------------------------------------------------------------------


def _pointer(parts: Iterable[Any]) -> str:
    return "".join("/" + str(p).replace("~", "~0").replace("/", "~1") for p in parts)


def _type_words(value: Any) -> str:
    if isinstance(value, list):
        return " or ".join(str(v) for v in value)
    return str(value)


def _issues(error: ValidationError) -> Iterator[SchemaIssue]:
    path = list(error.absolute_path)
    keyword = str(error.validator)
    expected: Any = error.validator_value
    present = error.instance if isinstance(error.instance, Mapping) else {}
    if keyword == "required":
        for name in expected:
            if name not in present:
                yield SchemaIssue(_pointer([*path, name]), keyword, "is required")
        return
    if keyword == "not" and isinstance(expected, Mapping) and set(expected) == {"required"}:
        # Only meaningful on an object; the type error is reported on its own.
        for name in expected["required"]:
            if name in present:
                yield SchemaIssue(_pointer([*path, name]), keyword, "is not allowed here")
        return
    messages = {
        "type": lambda: f"must be of type {_type_words(expected)}",
        "enum": lambda: "must be one of " + ", ".join(json.dumps(v) for v in expected),
        "const": lambda: f"must be {json.dumps(expected)}",
        "minimum": lambda: f"must be >= {expected}",
        "maximum": lambda: f"must be <= {expected}",
        "exclusiveMinimum": lambda: f"must be > {expected}",
        "exclusiveMaximum": lambda: f"must be < {expected}",
        "pattern": lambda: f"must match the pattern {expected}",
        "minLength": lambda: f"must have at least {expected} characters",
        "maxLength": lambda: f"must have at most {expected} characters",
        "minItems": lambda: f"must have at least {expected} items",
        "maxItems": lambda: f"must have at most {expected} items",
        "format": lambda: f"must be a valid {expected}",
    }
    if keyword == "additionalProperties" and isinstance(error.instance, Mapping):
        props = error.schema.get("properties", {}) if isinstance(error.schema, Mapping) else {}
        for name in error.instance:
            if name not in props:
                yield SchemaIssue(_pointer([*path, name]), keyword, "is not a known property")
        return
    render = messages.get(keyword)
    message = render() if render else f"does not satisfy '{keyword}'"
    yield SchemaIssue(_pointer(path), keyword, message)


def _validate(validator: Draft7Validator, value: Any, *, coerce: bool = True) -> list[SchemaIssue]:
    schema = validator.schema
    instance = coerce_to_schema(value, schema) if coerce and isinstance(schema, Mapping) else value
    found = {issue for error in validator.iter_errors(instance) for issue in _issues(error)}
    return sorted(found)


def _public(entry: Mapping[str, Any]) -> Json:
    return {k: copy.deepcopy(v) for k, v in entry.items() if not k.startswith("_")}


def _compile(schema: Any, where: str) -> Draft7Validator:
    if not isinstance(schema, Mapping):
        msg = f"{where}: no JSON Schema object"
        raise ValueError(msg)
    from jsonschema import Draft7Validator  # imported on first use, not with the package

    Draft7Validator.check_schema(schema)
    return Draft7Validator(schema)


# --- flow specs --------------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class FlowSpec:
    """One flow spec: its served JSON, and validators of its parts compiled on first use.

    Compiling them when the catalog loads cost every app and every server's start the import
    of ``jsonschema``; ``tests/test_flow_spec_data.py`` compiles every packaged one, and an
    authored spec's schemas are checked when it is created.
    """

    raw: Mapping[str, Any] = field(repr=False)

    @cached_property
    def transformations(self) -> Mapping[str, Draft7Validator]:
        where = f"flow spec {self.raw.get('id')}"
        return {
            str(t["name"]): _compile(t.get("spec"), f"{where} transformation {t['name']}")
            for t in self.raw.get("transformationSpecs", [])
        }

    @cached_property
    def schedule(self) -> Draft7Validator | None:
        return self._part("scheduleSpec")

    @cached_property
    def options(self) -> Draft7Validator | None:
        return self._part("optionSpec")

    @cached_property
    def run_params(self) -> Draft7Validator | None:
        return self._part("runSpec")

    def _part(self, key: str) -> Draft7Validator | None:
        part = self.raw.get(key)
        if part is None:
            return None
        return _compile(part.get("spec"), f"flow spec {self.raw.get('id')} {key}")

    @property
    def id(self) -> str:
        return str(self.raw["id"])

    @property
    def name(self) -> str:
        return str(self.raw["name"])

    @property
    def version(self) -> str:
        return str(self.raw.get("version", "1.0"))

    @property
    def source_spec_ids(self) -> tuple[str, ...]:
        return tuple(str(i) for i in self.raw.get("sourceConnectionSpecIds", []))

    @property
    def target_spec_ids(self) -> tuple[str, ...]:
        return tuple(str(i) for i in self.raw.get("targetConnectionSpecIds", []))

    @property
    def transformation_names(self) -> tuple[str, ...]:
        return tuple(str(t["name"]) for t in self.raw.get("transformationSpecs", []))

    def as_json(self) -> Json:
        """A deep copy, safe for a response to hand out."""
        return copy.deepcopy(dict(self.raw))

    def validate_transformation(
        self, name: str, params: Any, *, coerce: bool = True
    ) -> list[SchemaIssue]:
        """Issues of one transformation's ``params``; raises ``KeyError`` for an unknown name."""
        return _validate(self.transformations[name], params, coerce=coerce)

    def validate_schedule(self, params: Any, *, coerce: bool = True) -> list[SchemaIssue]:
        """Issues of ``scheduleParams``; raises ``LookupError`` when the spec has no schedule."""
        return _validate(_require(self.schedule, self.id, "scheduleSpec"), params, coerce=coerce)

    def validate_options(self, options: Any, *, coerce: bool = True) -> list[SchemaIssue]:
        """Issues of the flow's ``options``; raises ``LookupError`` without an ``optionSpec``."""
        return _validate(_require(self.options, self.id, "optionSpec"), options, coerce=coerce)

    def validate_run_params(self, params: Any, *, coerce: bool = True) -> list[SchemaIssue]:
        """Issues of ``POST /runs`` ``params``; raises ``LookupError`` without a ``runSpec``."""
        return _validate(_require(self.run_params, self.id, "runSpec"), params, coerce=coerce)

    @classmethod
    def from_entry(cls, entry: Mapping[str, Any]) -> FlowSpec:
        return cls(raw=_public(entry))


def _require(validator: Draft7Validator | None, spec_id: str, part: str) -> Draft7Validator:
    if validator is None:
        msg = f"flow spec {spec_id} has no {part}"
        raise LookupError(msg)
    return validator


class FlowSpecCatalog:
    """All flow specs, by id, in file order. Getters hand out deep copies."""

    def __init__(self, specs: Sequence[FlowSpec]) -> None:
        self._by_id = {spec.id: spec for spec in specs}
        self._by_name = {spec.name: spec for spec in reversed(specs)}  # the first of a name

    def __iter__(self) -> Iterator[FlowSpec]:
        return iter(self._by_id.values())

    def __len__(self) -> int:
        return len(self._by_id)

    def extended(self, specs: Sequence[FlowSpec]) -> FlowSpecCatalog:
        """This catalog plus ``specs`` (an org's authored flow specs), after the built-in ones."""
        return FlowSpecCatalog([*self._by_id.values(), *specs]) if specs else self

    def spec(self, flow_spec_id: str) -> FlowSpec | None:
        """The :class:`FlowSpec` (with its validators), or ``None``."""
        return self._by_id.get(flow_spec_id)

    def get(self, flow_spec_id: str) -> Json | None:
        """The served JSON of one flow spec, or ``None``."""
        spec = self._by_id.get(flow_spec_id)
        return spec.as_json() if spec else None

    def all(self) -> list[Json]:
        """The served JSON of every flow spec, in file order."""
        return [spec.as_json() for spec in self._by_id.values()]

    def by_name(self, name: str) -> Json | None:
        """The served JSON of the flow spec called ``name`` (exact match), or ``None``."""
        spec = self._by_name.get(name)
        return spec.as_json() if spec else None

    def admits_source(self, flow_spec_id: str, conn_spec_id: str) -> bool:
        """Whether the flow spec lists ``conn_spec_id`` in ``sourceConnectionSpecIds``."""
        spec = self._by_id.get(flow_spec_id)
        return spec is not None and conn_spec_id in spec.source_spec_ids

    def admits_target(self, flow_spec_id: str, conn_spec_id: str) -> bool:
        """Whether the flow spec lists ``conn_spec_id`` in ``targetConnectionSpecIds``."""
        spec = self._by_id.get(flow_spec_id)
        return spec is not None and conn_spec_id in spec.target_spec_ids

    def for_source(self, conn_spec_id: str) -> list[str]:
        """Ids of the flow specs that admit the source connection spec, in file order."""
        return [spec.id for spec in self if conn_spec_id in spec.source_spec_ids]

    def _spec(self, flow_spec_id: str) -> FlowSpec:
        spec = self._by_id.get(flow_spec_id)
        if spec is None:
            msg = f"unknown flow spec {flow_spec_id}"
            raise KeyError(msg)
        return spec

    def validate_transformation(
        self, flow_spec_id: str, name: str, params: Any, *, coerce: bool = True
    ) -> list[SchemaIssue]:
        """See :meth:`FlowSpec.validate_transformation`; ``KeyError`` for an unknown spec."""
        return self._spec(flow_spec_id).validate_transformation(name, params, coerce=coerce)

    def validate_schedule(
        self, flow_spec_id: str, params: Any, *, coerce: bool = True
    ) -> list[SchemaIssue]:
        """See :meth:`FlowSpec.validate_schedule`; ``KeyError`` for an unknown spec."""
        return self._spec(flow_spec_id).validate_schedule(params, coerce=coerce)

    def validate_options(
        self, flow_spec_id: str, options: Any, *, coerce: bool = True
    ) -> list[SchemaIssue]:
        """See :meth:`FlowSpec.validate_options`; ``KeyError`` for an unknown spec."""
        return self._spec(flow_spec_id).validate_options(options, coerce=coerce)

    def validate_run_params(
        self, flow_spec_id: str, params: Any, *, coerce: bool = True
    ) -> list[SchemaIssue]:
        """See :meth:`FlowSpec.validate_run_params`; ``KeyError`` for an unknown spec."""
        return self._spec(flow_spec_id).validate_run_params(params, coerce=coerce)

    @classmethod
    def from_json(cls, document: Mapping[str, Any]) -> FlowSpecCatalog:
        return cls([FlowSpec.from_entry(entry) for entry in document["specs"]])


# --- target connection specs -------------------------------------------------------------------


class TargetSpecCatalog:
    """Target connection specs by id, in file order, with their ``targetSpec`` validators
    (compiled on first use)."""

    def __init__(self, entries: Sequence[Mapping[str, Any]]) -> None:
        self._by_id: dict[str, Json] = {}
        self._validators: dict[str, Draft7Validator] = {}
        for entry in entries:
            raw = _public(entry)
            self._by_id[str(raw["id"])] = raw

    def __len__(self) -> int:
        return len(self._by_id)

    def ids(self) -> tuple[str, ...]:
        return tuple(self._by_id)

    def get(self, spec_id: str) -> Json | None:
        """The served JSON of one target connection spec, or ``None``."""
        raw = self._by_id.get(spec_id)
        return copy.deepcopy(raw) if raw is not None else None

    def all(self) -> list[Json]:
        return [copy.deepcopy(raw) for raw in self._by_id.values()]

    def by_name(self, name: str) -> Json | None:
        raw = next((r for r in self._by_id.values() if r.get("name") == name), None)
        return copy.deepcopy(raw) if raw is not None else None

    def validate(self, spec_id: str, body: Any, *, coerce: bool = False) -> list[SchemaIssue]:
        """Issues of a target connection's ``{"data": ..., "params": ...}`` against ``targetSpec``.

        Raises ``KeyError`` for an unknown spec id or a spec without ``targetSpec.spec``.
        """
        return _validate(self.validator(spec_id), body, coerce=coerce)

    def validator(self, spec_id: str) -> Draft7Validator:
        """The compiled ``targetSpec.spec`` (``KeyError`` when there is none)."""
        validator = self._validators.get(spec_id)
        if validator is None:
            target = self._by_id.get(spec_id, {}).get("targetSpec")
            if not (isinstance(target, Mapping) and "spec" in target):
                msg = f"no targetSpec for connection spec {spec_id}"
                raise KeyError(msg)
            validator = self._validators[spec_id] = _compile(
                target["spec"], f"target spec {spec_id}"
            )
        return validator

    @classmethod
    def from_json(cls, document: Mapping[str, Any]) -> TargetSpecCatalog:
        return cls(list(document["specs"]))


# --- loading -----------------------------------------------------------------------------------


def _read(name: str) -> Json:
    text = resources.files("mock_flowservice").joinpath("data").joinpath(name).read_text("utf-8")
    document: Json = json.loads(text)
    return document


@cache
def load_flow_specs() -> FlowSpecCatalog:
    """The packaged flow specs (parsed and compiled once per process; read-only)."""
    return FlowSpecCatalog.from_json(_read(FLOW_SPECS_FILE))


@cache
def target_specs() -> TargetSpecCatalog:
    """The packaged target connection specs (parsed once per process; read-only)."""
    return TargetSpecCatalog.from_json(_read(TARGET_SPECS_FILE))
