"""Request validation: JSON bodies, create requests and auth params against their spec.

Auth params are checked by ``jsonschema`` (draft-07) against the auth spec's own schema. Error
messages name the field but never echo a value: a value may be a secret.
"""

from __future__ import annotations

import base64
import binascii
import json
import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from jsonschema import ValidationError


from .catalog import AuthSpec, Catalog, ConnectionSpec
from .config import MockConfig
from .errors import FlowError, invalid_request, missing_field, unknown_auth_spec
from .model import Connection

__all__ = [
    "CreateRequest",
    "JsonRefused",
    "body_field",
    "decode_base64_json",
    "decode_json",
    "parse_json",
    "spec_reference",
    "validate_create",
    "validate_params",
]


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not valid JSON")


def _finite_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):  # 1e999 would read back as the non-JSON Infinity
        raise ValueError("number out of range")
    return value


class JsonRefused(ValueError):
    """JSON text :func:`decode_json` refused; the message says why, never quoting the text."""


def decode_json(data: bytes, *, max_depth: int, max_bytes: int) -> Any:
    """The one bounded JSON decoder of what clients send: bodies, tokens, ``sourceParams``.

    UTF-8 only, at most ``max_bytes`` long and ``max_depth`` levels deep, no ``NaN`` or
    ``Infinity``; anything else raises :class:`JsonRefused` (never ``RecursionError``).
    """
    if len(data) > max_bytes:
        raise JsonRefused(f"longer than {max_bytes} bytes")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise JsonRefused("not valid UTF-8") from None
    try:
        value = json.loads(text, parse_constant=_refuse_constant, parse_float=_finite_float)
    except RecursionError:
        raise JsonRefused("nested too deeply") from None
    except ValueError as exc:
        raise JsonRefused(f"not valid JSON ({_position(exc)})") from None
    # Each level opens a bracket, so text with at most max_depth of them needs no walk.
    if data.count(b"{") + data.count(b"[") > max_depth and _depth(value) > max_depth:
        raise JsonRefused(f"nested deeper than {max_depth} levels")
    return value


def decode_base64_json(text: str, *, max_depth: int, max_bytes: int) -> Any:
    """The JSON inside base64 text (standard or URL-safe alphabet, padding optional) that a
    query parameter carries, through :func:`decode_json`; bad base64 is :class:`JsonRefused`."""
    stripped = text.strip()
    if len(stripped) > 4 * (max_bytes // 3 + 1):  # longer text decodes to more than max_bytes
        raise JsonRefused(f"longer than {max_bytes} bytes")
    padded = stripped + "=" * (-len(stripped) % 4)
    try:
        raw = base64.b64decode(padded.replace("-", "+").replace("_", "/"), validate=True)
    except (binascii.Error, ValueError):  # ValueError: a character beyond ASCII
        raise JsonRefused("not valid base64") from None
    return decode_json(raw, max_depth=max_depth, max_bytes=max_bytes)


def parse_json(data: bytes, max_depth: int) -> Any:
    """Decode a UTF-8 JSON body; empty → 1405, malformed or too deep → 1100."""
    if not data.strip():
        raise FlowError("1405-400")
    try:
        return decode_json(data, max_depth=max_depth, max_bytes=len(data))
    except JsonRefused as exc:
        raise invalid_request(f"The request body is {exc}.") from None


def _position(exc: ValueError) -> str:
    if isinstance(exc, json.JSONDecodeError):
        return f"line {exc.lineno} column {exc.colno}"
    return "unsupported value"


def _depth(value: Any) -> int:
    """Nesting depth of a decoded JSON value, without recursion."""
    deepest, stack = 0, [(value, 1)]
    while stack:
        item, level = stack.pop()
        if isinstance(item, dict):
            children: Any = item.values()
        elif isinstance(item, list):
            children = item
        else:
            continue
        deepest = max(deepest, level)
        stack.extend((child, level + 1) for child in children)
    return deepest


@dataclass(frozen=True)
class CreateRequest:
    """A validated ``POST /connections`` body."""

    name: str
    description: str | None
    spec: ConnectionSpec
    auth: AuthSpec
    params: dict[str, Any]

    def to_connection(self, **record: Any) -> Connection:
        """The stored record of this request; ``record`` gives id, tenant, audit fields, etag."""
        return Connection(
            name=self.name,
            description=self.description,
            spec_id=self.spec.id,
            spec_version=self.spec.version,
            auth_spec=self.auth.name,
            params=dict(self.params),
            secret_keys=self.auth.secret_params,
            **record,
        )


def body_field(body: Mapping[str, Any], key: str, path: str, kind: type, *, required: bool) -> Any:
    """``body[key]`` checked for its JSON type; absent (or null) is 1304 when required."""
    value = body.get(key)
    if value is None:
        if required:
            raise missing_field(path)
        return None
    if not isinstance(value, kind) or (isinstance(value, bool) and kind is not bool):
        raise invalid_request(f"The field {path} must be a {_KIND_NAMES[kind]}.")
    return value


_KIND_NAMES: dict[type, str] = {str: "string", dict: "JSON object", list: "JSON array"}


def spec_reference(body: Mapping[str, Any], catalog: Catalog) -> ConnectionSpec:
    """The connection spec a body's ``connectionSpec {id, version}`` names, or ``1413-400``."""
    spec_ref = body_field(body, "connectionSpec", "connectionSpec", dict, required=True)
    spec_id = body_field(spec_ref, "id", "connectionSpec.id", str, required=True)
    version = body_field(spec_ref, "version", "connectionSpec.version", str, required=False)
    spec = catalog.get(spec_id.lower())
    if spec is None or (version is not None and version != spec.version):
        raise FlowError("1413-400")
    return spec


def validate_create(body: Any, catalog: Catalog, config: MockConfig) -> CreateRequest:
    """Check a create body like Flow Service does; raise the documented FLOW errors."""
    if not isinstance(body, dict):
        raise invalid_request("The request body must be a JSON object.")
    spec = spec_reference(body, catalog)
    name = body_field(body, "name", "name", str, required=True)
    if not name.strip():
        raise missing_field("name")
    description = body_field(body, "description", "description", str, required=False)
    auth_body = body_field(body, "auth", "auth", dict, required=True)
    spec_name = body_field(auth_body, "specName", "auth.specName", str, required=True)
    params = body_field(auth_body, "params", "auth.params", dict, required=True)
    auth = spec.auth_specs.get(spec_name)
    if auth is None:
        raise unknown_auth_spec(spec_name, spec.id)
    validate_params(auth, params, config)
    return CreateRequest(name, description, spec, auth, params)


def validate_params(auth: AuthSpec, params: Any, config: MockConfig) -> None:
    """Validate auth params against the auth spec's JSON Schema; first error wins."""
    if not isinstance(params, dict):
        raise invalid_request("The field auth.params must be a JSON object.")
    reject_unknown = config.reject_unknown_params
    if auth.surely_valid(params, reject_unknown=reject_unknown):
        return
    validator = auth.validator(reject_unknown=reject_unknown)
    errors = sorted(validator.iter_errors(params), key=_error_order)
    if errors:
        raise _describe(errors[0], auth)


def _error_order(error: ValidationError) -> tuple[int, str]:
    rank = {"required": 0, "additionalProperties": 1, "type": 2}.get(str(error.validator), 3)
    return rank, "/".join(str(p) for p in error.absolute_path)


def _names(value: Any) -> list[str]:
    return [str(item) for item in value] if isinstance(value, dict | list) else []


def _describe(error: ValidationError, auth: AuthSpec) -> FlowError:
    """A FLOW error naming the offending param, never showing its value."""
    keyword = str(error.validator)
    path = ".".join(str(p) for p in error.absolute_path)
    if keyword == "required":
        missing = sorted(set(_names(error.validator_value)) - set(_names(error.instance)))
        return missing_field("auth.params." + missing[0])
    if keyword == "additionalProperties":
        unknown = sorted(set(_names(error.instance)) - auth.param_names)
        return invalid_request(
            f"The param auth.params.{unknown[0]} is not defined by the auth spec '{auth.name}'."
        )
    if keyword == "type":
        expected = error.validator_value
        return invalid_request(f"The param auth.params.{path} must be of type {expected}.")
    return invalid_request(f"The param auth.params.{path} is invalid ({keyword}).")
