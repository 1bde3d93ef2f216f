"""Flow specs: package data (``data/flow_specs.json``), loaded once, validators compiled once.

A flow spec says which source and target connection specs a dataflow may join, and gives the
JSON Schemas (draft-07) of its transformations' params, its schedule and its options;
:class:`FlowSpec` compiles each once and answers with structured errors (the path of the
member and a message that never repeats the value).
"""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from functools import cache, cached_property
from importlib import resources
from typing import Any, NamedTuple

from jsonschema import Draft7Validator

__all__ = ["FlowSpec", "FlowSpecs", "SchemaProblem", "load_flow_specs"]

DATA_FILE = "flow_specs.json"


class SchemaProblem(NamedTuple):
    """One failed JSON Schema rule: where (a dotted path), which keyword, and what it says."""

    path: str
    keyword: str
    message: str


def _problems(validator: Draft7Validator, instance: Any, prefix: str) -> list[SchemaProblem]:
    found = []
    for error in sorted(validator.iter_errors(instance), key=lambda e: list(e.absolute_path)):
        path = ".".join([prefix, *(str(p) for p in error.absolute_path)])
        found.append(SchemaProblem(path, str(error.validator), _describe(error.validator, path)))
    return found


def _describe(keyword: Any, path: str) -> str:
    """A message naming the member but never its value (a value may be anything)."""
    return {
        "required": f"{path} is missing a required member",
        "type": f"{path} has the wrong type",
        "enum": f"{path} is not one of the allowed values",
        "minimum": f"{path} is below its minimum",
        "not": f"{path} holds a member that is not allowed here",
    }.get(str(keyword), f"{path} does not satisfy the rule '{keyword}'")


@dataclass(frozen=True, eq=False)
class FlowSpec:
    """A served flow spec and its compiled schemas."""

    raw: Mapping[str, Any] = field(repr=False)

    @property
    def id(self) -> str:
        return str(self.raw["id"])

    @property
    def name(self) -> str:
        return str(self.raw["name"])

    @property
    def version(self) -> str:
        return str(self.raw.get("version", "1.0"))

    def as_json(self) -> dict[str, Any]:
        return copy.deepcopy(dict(self.raw))

    def admits_source(self, connection_spec_id: str) -> bool:
        return connection_spec_id in self.raw.get("sourceConnectionSpecIds", ())

    def admits_target(self, connection_spec_id: str) -> bool:
        return connection_spec_id in self.raw.get("targetConnectionSpecIds", ())

    @property
    def transformation_names(self) -> tuple[str, ...]:
        return tuple(t["name"] for t in self.raw.get("transformationSpecs", ()))

    @cached_property
    def _transformations(self) -> dict[str, Draft7Validator]:
        return {t["name"]: Draft7Validator(t["spec"]) for t in self.raw["transformationSpecs"]}

    @cached_property
    def _schedule(self) -> Draft7Validator:
        return Draft7Validator(self.raw["scheduleSpec"]["spec"])

    def transformation_problems(self, name: str, params: Any, prefix: str) -> list[SchemaProblem]:
        return _problems(self._transformations[name], params, prefix)

    def schedule_problems(self, schedule: Mapping[str, Any]) -> list[SchemaProblem]:
        return _problems(self._schedule, schedule, "scheduleParams")


class FlowSpecs:
    """Every flow spec, by id, in file order."""

    def __init__(self, specs: list[FlowSpec]) -> None:
        self._by_id = {spec.id: spec for spec in specs}

    def __iter__(self) -> Iterator[FlowSpec]:
        return iter(self._by_id.values())

    def __len__(self) -> int:
        return len(self._by_id)

    def get(self, spec_id: str) -> FlowSpec | None:
        return self._by_id.get(spec_id.lower())

    @classmethod
    def from_json(cls, document: Mapping[str, Any]) -> FlowSpecs:
        specs = [{k: v for k, v in s.items() if not k.startswith("_")} for s in document["specs"]]
        return cls([FlowSpec(spec) for spec in specs])


@cache
def load_flow_specs() -> FlowSpecs:
    """The packaged flow specs (parsed once per process; read-only)."""
    text = resources.files("mock_flowservice").joinpath("data", DATA_FILE).read_text("utf-8")
    return FlowSpecs.from_json(json.loads(text))
