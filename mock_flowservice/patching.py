"""JSON Patch of a base connection (``PATCH /connections/{id}``, FACTS E.1), without HTTP.

:func:`plan_patch` checks a patch body and works out the connection's new name, description
and auth params; the view stores them (new etag, audit fields). Decisions:

* The body is a non-empty JSON array of ``{op, path, value?}`` objects; an empty array is
  ``1405-400``, anything else malformed is ``1100-400``.
* ``op`` is case-insensitive (GAPS C1: ``add``, ``ADD``, ``Add``). Only ``add``, ``replace``
  and ``remove`` exist; ``move``, ``copy``, ``test`` and the rest are ``1434-400``.
* Paths are JSON Pointers (``~1`` is ``/``, ``~0`` is ``~``) and case-sensitive. Patchable:
  ``/name``, ``/description``, ``/auth/params`` (the whole object) and
  ``/auth/params/<key>``. ``/connectionSpec`` and below is ``1414-400``; ``/auth`` and
  ``/auth/specName`` are refused because the auth type cannot change (GAPS 17); any other
  path, or a ``replace``/``remove`` of an absent key, is ``1455-400`` ``Missing field "x".``.
* ``add`` and ``replace`` of ``/description`` both set it (an optional field exists as null on
  the entity); ``remove`` of an absent description is ``1455``. ``/name`` and
  ``/auth/params`` are required and cannot be removed.
* Ops apply in order to a working copy, all or nothing; the final params are validated against
  the connection's auth spec like a create (1304 missing, 1100 wrong type or unknown param).
* A secret param sent as the configured mask keeps the stored secret, so a client may read a
  connection, edit it and write ``auth.params`` back without destroying its password.
* Messages name fields and ops but never echo a value: a value may be a secret.
"""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass
from typing import Any, NamedTuple

from .catalog import AuthSpec
from .context import MockContext
from .errors import FlowError, invalid_request
from .model import Connection
from .validation import validate_params

__all__ = ["PatchPlan", "plan_patch"]

SUPPORTED_OPS = frozenset({"add", "replace", "remove"})
_BAD_ESCAPE = re.compile(r"~(?![01])")


@dataclass(frozen=True)
class PatchPlan:
    """What a valid patch makes of a connection: the fields the view stores."""

    name: str
    description: str | None
    params: dict[str, Any]


class _Instruction(NamedTuple):
    op: str
    path: list[str]
    value: Any


@dataclass
class _Working:
    """The mutable copy the ops are applied to."""

    name: str
    description: str | None
    params: dict[str, Any]


def plan_patch(connection: Connection, ops: Any, ctx: MockContext) -> PatchPlan:
    """Apply the JSON Patch ``ops`` to a copy of ``connection``; raise FLOW errors if invalid.

    ``connection`` is never changed. A secret param (one the record masks on read) whose new
    value equals ``ctx.config.secret_mask`` keeps its stored value, so writing back a
    connection as read does not replace a password with the mask string.
    """
    if not isinstance(ops, list):
        raise invalid_request("The request body must be a JSON array of patch instructions.")
    if not ops:
        raise FlowError("1405-400")
    instructions = [_parse(index, raw) for index, raw in enumerate(ops)]
    work = _Working(connection.name, connection.description, copy.deepcopy(connection.params))
    for instruction in instructions:
        _apply(work, instruction)
    _restore_masked(work.params, connection, ctx.config.secret_mask)
    validate_params(_auth_spec(connection, ctx), work.params, ctx.config)
    return PatchPlan(work.name, work.description, work.params)


def _parse(index: int, raw: Any) -> _Instruction:
    """One array element as an instruction, or the error it deserves."""
    if not isinstance(raw, dict):
        raise invalid_request(f"Patch instruction {index} must be a JSON object.")
    op = raw.get("op")
    if not isinstance(op, str):
        raise invalid_request(f"Patch instruction {index} needs an 'op' string.")
    if op.lower() not in SUPPORTED_OPS:
        raise FlowError("1434-400", op=op)
    path = raw.get("path")
    if not isinstance(path, str):
        raise invalid_request(f"Patch instruction {index} needs a 'path' string.")
    if op.lower() != "remove" and "value" not in raw:
        raise invalid_request(f"Patch instruction {index} ({op} {path}) needs a 'value'.")
    return _Instruction(op.lower(), _pointer(index, path), raw.get("value"))


def _pointer(index: int, path: str) -> list[str]:
    """RFC 6901 reference tokens of ``path`` (``~1`` → ``/``, then ``~0`` → ``~``)."""
    if not path.startswith("/") or _BAD_ESCAPE.search(path):
        raise invalid_request(f"Patch instruction {index} has an invalid JSON Pointer path.")
    return [token.replace("~1", "/").replace("~0", "~") for token in path[1:].split("/")]


def _missing(field: str) -> FlowError:
    return FlowError("1455-400", message=f'Missing field "{field}".')


def _apply(work: _Working, ins: _Instruction) -> None:
    """Dispatch one instruction by its path."""
    path = ins.path
    if path[0] == "connectionSpec":
        raise FlowError("1414-400")
    if path in (["auth"], ["auth", "specName"]):
        raise invalid_request(
            "The auth spec of a connection cannot be changed. Create a new connection to use "
            "another authentication type."
        )
    if path == ["name"]:
        _patch_name(work, ins)
    elif path == ["description"]:
        _patch_description(work, ins)
    elif path == ["auth", "params"]:
        _patch_all_params(work, ins)
    elif len(path) == 3 and path[:2] == ["auth", "params"]:
        _patch_param(work, ins, path[2])
    else:
        raise _missing(path[-1])


def _patch_name(work: _Working, ins: _Instruction) -> None:
    if ins.op == "remove":
        raise invalid_request("The field name is required and cannot be removed.")
    if not isinstance(ins.value, str) or not ins.value.strip():
        raise invalid_request("The field name must be a non-empty string.")
    work.name = ins.value


def _patch_description(work: _Working, ins: _Instruction) -> None:
    if ins.op == "remove":
        if work.description is None:
            raise _missing("description")
        work.description = None
    elif isinstance(ins.value, str):
        work.description = ins.value
    else:
        raise invalid_request("The field description must be a string.")


def _patch_all_params(work: _Working, ins: _Instruction) -> None:
    if ins.op == "remove":
        raise invalid_request("The field auth.params is required and cannot be removed.")
    if not isinstance(ins.value, dict):
        raise invalid_request("The field auth.params must be a JSON object.")
    work.params = copy.deepcopy(ins.value)


def _patch_param(work: _Working, ins: _Instruction, key: str) -> None:
    if ins.op != "add" and key not in work.params:
        raise _missing(key)
    if ins.op == "remove":
        del work.params[key]
    else:
        work.params[key] = copy.deepcopy(ins.value)


def _restore_masked(params: dict[str, Any], connection: Connection, mask: str) -> None:
    """Secret params sent back as the mask keep the value the record holds."""
    for key in connection.secret_keys:
        if params.get(key) == mask and key in connection.params:
            params[key] = connection.params[key]


def _auth_spec(connection: Connection, ctx: MockContext) -> AuthSpec:
    spec = ctx.catalog.get(connection.spec_id)
    auth = spec.auth_specs.get(connection.auth_spec) if spec else None
    if auth is None:
        raise FlowError("1415-400", spec=connection.auth_spec, id=connection.spec_id)
    return auth
