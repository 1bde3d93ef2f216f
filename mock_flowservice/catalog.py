"""The connection-spec catalog: package data, loaded once, validators built on demand.

``data/connection_specs.json`` holds each spec exactly as ``GET /connectionSpecs`` serves it,
plus a ``_provenance`` note that is stripped on load. Adding a source is adding an entry there
(``tools/build_catalog.py`` regenerates it from the reference catalog).
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from functools import cache, cached_property, lru_cache
from importlib import resources
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from jsonschema import Draft7Validator


__all__ = ["AuthSpec", "Catalog", "ConnectionSpec", "load_catalog"]

DATA_FILE = "connection_specs.json"
#: Target connection specs (the Data Lake, ...), served by ``/connectionSpecs`` like sources.
TARGETS_FILE = "target_connection_specs.json"


@dataclass(frozen=True, eq=False)
class AuthSpec:
    """One entry of a connection spec's ``authSpec`` list."""

    name: str
    schema: Mapping[str, Any]

    @cached_property
    def secret_params(self) -> frozenset[str]:
        """Params whose schema says ``"format": "password"``."""
        props = self.schema.get("properties", {})
        return frozenset(k for k, v in props.items() if v.get("format") == "password")

    @cached_property
    def param_names(self) -> frozenset[str]:
        return frozenset(self.schema.get("properties", {}))

    def validator(self, *, reject_unknown: bool) -> Draft7Validator:
        """A draft-07 validator of the params; unknown params are refused when asked."""
        return _validator(self, reject_unknown)

    def surely_valid(self, params: Any, *, reject_unknown: bool) -> bool:
        """True when ``params`` certainly pass :meth:`validator` (no error to describe).

        A compiled check (fastjsonschema) answers in about a microsecond where the validator
        takes twenty; it is only trusted to accept. False means "ask the validator", which
        stays the judge of every refusal and of schemas beyond :data:`FAST_KEYWORDS`.
        """
        check = _fast_check(self, reject_unknown)
        if check is None:
            return False
        try:
            check(params)
        except Exception:  # JsonSchemaException, or anything odd: the validator decides
            return False
        return True


#: The keywords whose meaning the compiled check and jsonschema's draft-07 validator share
#: exactly (every auth spec of the catalog uses only these); a schema with any other keyword
#: is checked by the validator alone.
FAST_KEYWORDS = frozenset(
    {"$schema", "type", "description", "title", "format", "properties", "required"}
)


def _params_schema(auth: AuthSpec, reject_unknown: bool) -> dict[str, Any]:
    schema = dict(auth.schema)
    if reject_unknown:
        schema["additionalProperties"] = False
    return schema


@lru_cache(maxsize=1024)  # bounded: authored specs build new AuthSpecs as they change
def _validator(auth: AuthSpec, reject_unknown: bool) -> Draft7Validator:
    from jsonschema import Draft7Validator  # imported on first use, not with the package

    return Draft7Validator(_params_schema(auth, reject_unknown))


def _plain(schema: Any) -> bool:
    """The schema uses only :data:`FAST_KEYWORDS`, with the shapes draft-07 gives them."""
    if not isinstance(schema, dict) or not set(schema) <= FAST_KEYWORDS:
        return False
    kind = schema.get("type")
    kinds = kind if isinstance(kind, list) else [kind]
    simple = {"object", "array", "string", "number", "integer", "boolean", "null", None}
    if not all(isinstance(k, str | None) and k in simple for k in kinds):
        return False
    required = schema.get("required", [])
    if not isinstance(required, list) or not all(isinstance(n, str) for n in required):
        return False
    properties = schema.get("properties", {})
    return isinstance(properties, dict) and all(_plain(sub) for sub in properties.values())


@lru_cache(maxsize=1024)
def _fast_check(auth: AuthSpec, reject_unknown: bool) -> Callable[[Any], Any] | None:
    if not _plain(auth.schema):
        return None
    import fastjsonschema  # imported on first use, not with the package

    schema = _params_schema(auth, reject_unknown)
    schema["$schema"] = "http://json-schema.org/draft-07/schema#"  # as Draft7Validator reads
    try:
        # No formats (jsonschema checks none without a format checker), no defaults written
        # into the params.
        check: Callable[[Any], Any] = fastjsonschema.compile(
            schema, use_default=False, use_formats=False
        )
    except Exception:  # a schema it cannot compile: the validator alone
        return None
    return check


@dataclass(frozen=True, eq=False)
class ConnectionSpec:
    """A served connection spec object and its auth specs by name."""

    raw: Mapping[str, Any]
    auth_specs: Mapping[str, AuthSpec] = field(repr=False)

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
        """A deep copy, safe for a response to hand out."""
        return copy.deepcopy(dict(self.raw))

    @classmethod
    def from_entry(cls, entry: Mapping[str, Any]) -> ConnectionSpec:
        raw = {k: v for k, v in entry.items() if not k.startswith("_")}
        auths = {a["name"]: AuthSpec(a["name"], a["spec"]) for a in raw.get("authSpec", [])}
        return cls(raw=raw, auth_specs=auths)


class Catalog:
    """All connection specs, by id, in file order."""

    def __init__(
        self, specs: list[ConnectionSpec], targets: list[ConnectionSpec] | None = None
    ) -> None:
        self._by_id = {spec.id: spec for spec in [*specs, *(targets or [])]}
        self._targets = {spec.id: spec for spec in targets or []}

    @property
    def targets(self) -> Mapping[str, ConnectionSpec]:
        """The target connection specs by id (a target connection must name one)."""
        return self._targets

    def __iter__(self) -> Iterator[ConnectionSpec]:
        return iter(self._by_id.values())

    def __len__(self) -> int:
        return len(self._by_id)

    def get(self, spec_id: str) -> ConnectionSpec | None:
        return self._by_id.get(spec_id)

    def extended(self, specs: list[ConnectionSpec]) -> Catalog:
        """This catalog plus ``specs`` (an org's authored specs), after the built-in ones.

        A spec with a ``targetSpec`` and no ``sourceSpec`` is a target spec.
        """
        if not specs:
            return self
        grown = Catalog([])
        grown._by_id = {**self._by_id, **{spec.id: spec for spec in specs}}
        added = {s.id: s for s in specs if "targetSpec" in s.raw and "sourceSpec" not in s.raw}
        grown._targets = {**self._targets, **added}
        return grown

    def auth_spec(self, spec_id: Any, spec_name: Any) -> AuthSpec | None:
        """The auth spec ``spec_name`` of connection spec ``spec_id``, if both exist.

        The one lookup every layer uses (validation, patching, redaction, the journal); ids
        compare case-insensitively, as a create does; anything but strings finds nothing.
        """
        if not isinstance(spec_id, str) or not isinstance(spec_name, str):
            return None
        spec = self._by_id.get(spec_id.lower())
        return spec.auth_specs.get(spec_name) if spec else None

    @classmethod
    def from_json(
        cls, document: Mapping[str, Any], targets: Mapping[str, Any] | None = None
    ) -> Catalog:
        """The catalog of a sources document and, optionally, a targets document."""
        target_entries = targets["specs"] if targets else []
        return cls(
            [ConnectionSpec.from_entry(entry) for entry in document["specs"]],
            [ConnectionSpec.from_entry(entry) for entry in target_entries],
        )


@cache
def load_catalog() -> Catalog:
    """The packaged catalog (parsed once per process; it is read-only)."""
    data = resources.files("mock_flowservice").joinpath("data")
    sources = json.loads(data.joinpath(DATA_FILE).read_text("utf-8"))
    targets_file = data.joinpath(TARGETS_FILE)
    targets = json.loads(targets_file.read_text("utf-8")) if targets_file.is_file() else None
    return Catalog.from_json(sources, targets)
