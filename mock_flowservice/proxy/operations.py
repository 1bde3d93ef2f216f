"""Which operation of the mock's OpenAPI document a request is, and its JSON Schemas.

The document is the packaged ``data/openapi.json`` (built by ``tools/build_openapi.py``).
Flow Service paths are matched below the base path, IMS's (``/ims/token/v3``) from the root.
Schemas are checked with jsonschema through one :class:`referencing.Registry` holding the whole
document, so every ``$ref`` resolves in place.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

from jsonschema import Draft7Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT7

__all__ = ["Operation", "OperationIndex", "load_index"]

_URI = "urn:mock-flowservice:openapi"
_METHODS = ("get", "post", "put", "patch", "delete")
_PARAM = re.compile(r"\\\{[^/]+?\\\}")


def _escape(token: str) -> str:
    return token.replace("~", "~0").replace("/", "~1")


@dataclass(frozen=True)
class Operation:
    """One operation: ``METHOD /template`` and its operationId."""

    method: str
    template: str
    operation_id: str
    #: Whether the path lies below the Flow Service base path (IMS's does not).
    below_base: bool

    @property
    def key(self) -> str:
        return f"{self.method} {self.template}"


class OperationIndex:
    """The operations of one OpenAPI document, found by method and path."""

    def __init__(self, document: Mapping[str, Any]) -> None:
        self.document = document
        self._registry: Registry[Any] = Registry().with_resource(
            _URI, Resource.from_contents(dict(document), default_specification=DRAFT7)
        )
        self._routes: list[tuple[re.Pattern[str], Operation]] = []
        for template, item in document.get("paths", {}).items():
            below = all(s.get("url") != "/" for s in item.get("servers", []))
            slash = "/?" if item.get("x-mock-trailing-slash") else ""
            pattern = re.compile("^" + _PARAM.sub("[^/]+", re.escape(template)) + slash + "$")
            for method in _METHODS:
                if method in item:
                    op = Operation(method.upper(), template, item[method]["operationId"], below)
                    self._routes.append((pattern, op))
        # literal segments win over parameters (/connections/search before /connections/{id})
        self._routes.sort(key=lambda route: route[1].template.count("{"))

    def match(self, method: str, path: str, base_path: str) -> Operation | None:
        """The operation a request is, or None (``path`` is the whole URL path)."""
        below = path.startswith(base_path + "/")
        inner = path[len(base_path) :] if below else path
        for pattern, op in self._routes:
            if op.method == method and op.below_base == below and pattern.match(inner):
                return op
        return None

    def _operation(self, op: Operation) -> Mapping[str, Any]:
        item: Mapping[str, Any] = self.document["paths"][op.template][op.method.lower()]
        return item

    def _resolve(self, value: Any) -> Any:
        while isinstance(value, dict) and "$ref" in value:
            value = self._registry.resolver(_URI).lookup(value["$ref"]).contents
        return value

    def request_schema(self, op: Operation, media: str) -> Draft7Validator | None:
        """The validator of the request body's media type, if the document has one."""
        body = self._resolve(self._operation(op).get("requestBody") or {})
        if media not in (body.get("content") or {}):
            return None
        pointer = "/".join(("#/paths", _escape(op.template), op.method.lower(), "requestBody"))
        if "$ref" in (self._operation(op).get("requestBody") or {}):
            pointer = self._operation(op)["requestBody"]["$ref"]
        return self._validator(f"{pointer}/content/{_escape(media)}/schema")

    def statuses(self, op: Operation) -> frozenset[str]:
        return frozenset(self._operation(op).get("responses", {}))

    def response_schema(self, op: Operation, status: int) -> Draft7Validator | None:
        """The validator of the JSON answer for ``status`` (or ``default``), if any."""
        responses = self._operation(op).get("responses", {})
        key = str(status) if str(status) in responses else "default"
        if key not in responses:
            return None
        pointer = "/".join(("#/paths", _escape(op.template), op.method.lower(), "responses", key))
        if "$ref" in responses[key]:
            pointer = responses[key]["$ref"]
        content = self._resolve(responses[key]).get("content") or {}
        if "application/json" not in content:
            return None
        return self._validator(f"{pointer}/content/application~1json/schema")

    def envelope(self, op: Operation, status: int) -> bool:
        """Whether the answer for ``status`` is documented as an ``{"items": [...]}`` envelope."""
        responses = self._operation(op).get("responses", {})
        content = self._resolve(responses.get(str(status)) or {}).get("content") or {}
        schema = self._resolve((content.get("application/json") or {}).get("schema") or {})
        return "items" in (schema.get("required") or ())

    def _validator(self, pointer: str) -> Draft7Validator:
        return _compiled(self, pointer)

    def __iter__(self) -> Iterator[Operation]:
        return (op for _, op in self._routes)


@cache
def _compiled(index: OperationIndex, pointer: str) -> Draft7Validator:
    return Draft7Validator({"$ref": _URI + pointer}, registry=index._registry)


@cache
def load_index() -> OperationIndex:
    """The index of the packaged OpenAPI document (parsed once per process)."""
    text = resources.files("mock_flowservice").joinpath("data/openapi.json").read_text("utf-8")
    return OperationIndex(json.loads(text))
