"""What the mock knows, checked on one exchange: each rule broken is a :class:`Finding`.

The checks, in order:

* ``operation``: the request is an operation of the mock's OpenAPI document;
* ``request-schema`` / ``response-schema``: the JSON bodies fit the document's schemas (a
  request only when the upstream accepted it: refusing a bad request is no drift), and
  ``status``: the answer's status is one the document lists for the operation;
* ``auth-params``: a ``POST /connections`` body's ``auth.params`` fit the catalog's JSON
  Schema of the auth spec it names (``unknown-spec`` when the catalog has no such spec);
  ``flow-spec``: a ``POST /flows`` names a flow spec the mock has, and its ``scheduleParams``
  and ``options`` fit that spec's schemas;
* ``error-code``: an error body's code agrees with the status (``FLOW-1439-404`` is a 404,
  a gateway ``403010`` a 403) and is in the mock's error catalogue;
* ``envelope``: reads and listings answer ``{"items": [...]}``;
* ``etag``: ``etag`` members and the ``ETag`` header have the quoted form the mock issues;
* ``masking``: params the auth spec marks ``"format": "password"`` read as the mask;
* ``connection-spec`` / ``flow-spec``: a served connection spec's auth specs (names and
  required params) and a served flow spec's source and target spec ids are the catalog's.

A finding's text names fields, keywords and schema paths, never a value, so no secret can be
quoted in it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from jsonschema import Draft7Validator

from ..catalog import Catalog
from ..errors import FLOW_ERRORS, GATEWAY_ERRORS
from ..flow_catalog import FlowSpecCatalog
from .operations import Operation, OperationIndex

__all__ = ["Checker", "Finding", "Message", "error_code"]

_ETAG = re.compile(r'^"[0-9a-f]{8}-0000-0[0-9a-f]00-0000-[0-9a-f]{12}"$')
_FLOW_TYPE = re.compile(r"FLOW-(\d{4}-\d{3})$")
_MAX_SCHEMA_FINDINGS = 5
#: The OpenAPI document itself: schemas, not objects (no envelope, its ``etag`` members are
#: schemas of etags).
_DOCUMENT = "/openapi.json"


@dataclass(frozen=True)
class Finding:
    """One rule an exchange broke: its kind and a value-free description."""

    kind: str
    message: str

    def as_json(self) -> dict[str, str]:
        return {"kind": self.kind, "message": self.message}


@dataclass(frozen=True)
class Message:
    """A request or an answer as the checks see it: JSON decoded (or None) and its type."""

    body: Any
    media: str
    headers: Mapping[str, str]


def error_code(body: Any) -> str | None:
    """The error code of an error body: ``FLOW-1439-404``, a gateway ``403010``, or IMS's
    ``error`` string; None for anything else."""
    if not isinstance(body, dict):
        return None
    kind = body.get("type")
    if isinstance(kind, str) and (match := _FLOW_TYPE.search(kind)):
        return "FLOW-" + match[1]
    for key in ("error_code", "error"):
        if isinstance(body.get(key), str):
            return str(body[key])
    return None


def _schema_findings(kind: str, validator: Draft7Validator, value: Any) -> Iterator[Finding]:
    errors = sorted(validator.iter_errors(value), key=lambda e: list(e.absolute_path))
    for error in errors[:_MAX_SCHEMA_FINDINGS]:
        where = error.json_path
        yield Finding(kind, f"{where} breaks '{error.validator}' of the mock's schema")


class Checker:
    """The checks of one mock's knowledge: OpenAPI document, catalogs, error codes, mask."""

    def __init__(
        self,
        index: OperationIndex,
        catalog: Catalog,
        flow_specs: FlowSpecCatalog,
        *,
        base_path: str,
        mask: str,
    ) -> None:
        self.index = index
        self.catalog = catalog
        self.flow_specs = flow_specs
        self.base_path = base_path
        self.mask = mask

    def operation(self, method: str, path: str) -> Operation | None:
        return self.index.match(method, path, self.base_path)

    def check(
        self,
        op: Operation | None,
        query: Mapping[str, list[str]],
        request: Message,
        status: int,
        answer: Message,
    ) -> list[Finding]:
        """Every finding of one exchange (an unknown operation is one finding only)."""
        if op is None:
            return [Finding("operation", "no operation of the mock's OpenAPI document")]
        accepted = 200 <= status < 300  # a refused bad request is the service doing its job
        return [
            *(self._request(op, request) if accepted else ()),
            *self._answer(op, query, status, answer),
            *self._error(status, answer.body),
            *(self._etags(answer) if op.template != _DOCUMENT else ()),
            *self._masking(op, status, answer.body),
            *self._specs(op, status, answer.body),
        ]

    def _request(self, op: Operation, request: Message) -> Iterator[Finding]:
        validator = self.index.request_schema(op, request.media)
        if validator is not None and request.body is not None:
            yield from _schema_findings("request-schema", validator, request.body)
        if op.operation_id == "createConnection" and isinstance(request.body, dict):
            yield from self._auth_params(request.body)
        if op.operation_id == "createFlow" and isinstance(request.body, dict):
            yield from self._flow_request(request.body)

    def _auth_params(self, body: Mapping[str, Any]) -> Iterator[Finding]:
        spec_ref, auth = body.get("connectionSpec"), body.get("auth")
        if not isinstance(spec_ref, dict) or not isinstance(auth, dict):
            return
        spec = self.catalog.auth_spec(spec_ref.get("id"), auth.get("specName"))
        if spec is None:
            yield Finding("unknown-spec", "the catalog has no such connection or auth spec")
            return
        validator = spec.validator(reject_unknown=True)
        params = auth.get("params", {})
        for finding in _schema_findings("auth-params", validator, params):
            yield Finding(finding.kind, f"{spec.name}: {finding.message}")

    def _flow_request(self, body: Mapping[str, Any]) -> Iterator[Finding]:
        ref = body.get("flowSpec")
        spec_id = ref.get("id") if isinstance(ref, dict) else None
        spec = self.flow_specs.spec(spec_id) if isinstance(spec_id, str) else None
        if spec is None:
            yield Finding("flow-spec", "the flow names a flow spec the mock does not have")
            return
        for member, validate in (
            ("scheduleParams", spec.validate_schedule),
            ("options", spec.validate_options),
        ):
            if member not in body:
                continue
            try:
                issues = validate(body[member])
            except LookupError:
                yield Finding("flow-spec", f"{spec.id} has no schema for {member}")
                continue
            for issue in issues[:_MAX_SCHEMA_FINDINGS]:
                yield Finding("flow-spec", f"{member}{issue.path} breaks '{issue.keyword}'")

    def _answer(
        self, op: Operation, query: Mapping[str, list[str]], status: int, answer: Message
    ) -> Iterator[Finding]:
        if str(status) not in self.index.statuses(op):
            yield Finding("status", f"{status} is not a status the mock documents for {op.key}")
            return
        validator = self.index.response_schema(op, status)
        if validator is not None and answer.body is not None:
            yield from _schema_findings("response-schema", validator, answer.body)
        if 200 <= status < 300 and self._envelope_expected(op, query, status):
            items = answer.body.get("items") if isinstance(answer.body, dict) else None
            if not isinstance(items, list):
                yield Finding("envelope", 'the answer is not an {"items": [...]} envelope')

    def _envelope_expected(
        self, op: Operation, query: Mapping[str, list[str]], status: int
    ) -> bool:
        if self.index.envelope(op, status):
            return True
        listing = op.method == "GET" and "{" not in op.template and op.below_base
        return listing and op.template != _DOCUMENT and "count" not in query

    def _error(self, status: int, body: Any) -> Iterator[Finding]:
        code = error_code(body)
        if status < 400 or code is None or not isinstance(body, dict):
            return
        if code.startswith("FLOW-"):
            key = code[len("FLOW-") :]
            if key not in FLOW_ERRORS:
                yield Finding("error-code", f"{code} is not in the mock's error catalogue")
            elif int(key[-3:]) != status and key != "1102-500":
                yield Finding("error-code", f"{code} answered with status {status}")
        elif "error_code" in body:
            if code not in GATEWAY_ERRORS:
                yield Finding("error-code", f"gateway {code} is not in the mock's catalogue")
            elif code[:3] != str(status):
                yield Finding("error-code", f"gateway {code} answered with status {status}")

    def _etags(self, answer: Message) -> Iterator[Finding]:
        header = next((v for k, v in answer.headers.items() if k.lower() == "etag"), None)
        if header is not None and not _ETAG.match(header):
            yield Finding("etag", "the ETag header does not have the mock's quoted form")
        for where, value in _members(answer.body, "etag", "$"):
            if not isinstance(value, str) or not _ETAG.match(value):
                yield Finding("etag", f"{where} does not have the mock's quoted form")

    def _masking(self, op: Operation, status: int, body: Any) -> Iterator[Finding]:
        if status != 200 or op.method != "GET" or not op.template.startswith("/connections"):
            return
        for index, item in enumerate(_items(body)):
            spec_ref, auth = item.get("connectionSpec"), item.get("auth")
            if not isinstance(spec_ref, dict) or not isinstance(auth, dict):
                continue
            spec = self.catalog.auth_spec(spec_ref.get("id"), auth.get("specName"))
            params = auth.get("params")
            if spec is None or not isinstance(params, dict):
                continue
            for name in sorted(spec.secret_params & set(params)):
                if params[name] != self.mask:
                    yield Finding("masking", f"$.items[{index}].auth.params.{name} is not masked")

    def _specs(self, op: Operation, status: int, body: Any) -> Iterator[Finding]:
        if status != 200 or op.method != "GET":
            return
        if op.template.startswith("/connectionSpecs"):
            for served in _items(body):
                yield from self._connection_spec(served)
        elif op.template.startswith("/flowSpecs"):
            for served in _items(body):
                yield from self._flow_spec(served)

    def _connection_spec(self, served: Mapping[str, Any]) -> Iterator[Finding]:
        spec_id = served.get("id")
        known = self.catalog.get(spec_id.lower()) if isinstance(spec_id, str) else None
        if known is None:
            yield Finding("connection-spec", f"connection spec {spec_id} is not in the catalog")
            return
        auths = {str(a.get("name")): a for a in served.get("authSpec") or [] if isinstance(a, dict)}
        if set(auths) != set(known.auth_specs):
            yield Finding("connection-spec", f"{spec_id}: the auth spec names differ")
        for name in sorted(set(auths) & set(known.auth_specs)):
            schema = auths[name].get("spec") or {}
            mine = known.auth_specs[name].schema
            for part in ("required", "properties"):
                theirs, ours = sorted(schema.get(part) or []), sorted(mine.get(part) or [])
                if theirs != ours:
                    yield Finding(
                        "connection-spec",
                        f"{spec_id} '{name}': {part} upstream {theirs}, mock {ours}",
                    )

    def _flow_spec(self, served: Mapping[str, Any]) -> Iterator[Finding]:
        spec_id = served.get("id")
        known = self.flow_specs.spec(spec_id) if isinstance(spec_id, str) else None
        if known is None:
            yield Finding("flow-spec", f"flow spec {spec_id} is not in the mock's flow specs")
            return
        for member, ours in (
            ("sourceConnectionSpecIds", known.source_spec_ids),
            ("targetConnectionSpecIds", known.target_spec_ids),
        ):
            theirs = served.get(member)
            if isinstance(theirs, list) and sorted(map(str, theirs)) != sorted(ours):
                yield Finding("flow-spec", f"{spec_id}: {member} differ from the mock's")


def _items(body: Any) -> list[dict[str, Any]]:
    items = body.get("items") if isinstance(body, dict) else None
    return [item for item in items if isinstance(item, dict)] if isinstance(items, list) else []


def _members(value: Any, name: str, where: str) -> Iterator[tuple[str, Any]]:
    """Every member called ``name`` in a JSON value, with its JSON path."""
    if isinstance(value, dict):
        for key, item in value.items():
            if key == name:
                yield f"{where}.{key}", item
            else:
                yield from _members(item, name, f"{where}.{key}")
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _members(item, name, f"{where}[{index}]")
