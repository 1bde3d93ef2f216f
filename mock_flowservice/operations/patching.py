"""JSON Patch of a base connection (``PATCH /connections/{id}``, FACTS E.1), without HTTP.

:func:`plan_patch` checks a patch body and works out the connection's new name, description
and auth params; the view stores them (new etag, audit fields). Decisions:

* The body's shape is checked by :func:`~mock_flowservice.engine.jsonpatch.parse_patch`
  (the same for every resource). Patchable:
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
from dataclasses import dataclass
from typing import Any

from ..catalog import Catalog
from ..config import MockConfig
from ..engine.jsonpatch import Instruction, parse_patch
from ..errors import FlowError, invalid_request, unknown_auth_spec
from ..lifecycle import server_set_params
from ..model import Connection
from ..validation import validate_params

__all__ = ["PatchPlan", "plan_patch"]


@dataclass(frozen=True)
class PatchPlan:
    """What a valid patch makes of a connection: the fields the view stores."""

    name: str
    description: str | None
    params: dict[str, Any]


@dataclass
class _Working:
    """The mutable copy the ops are applied to."""

    name: str
    description: str | None
    params: dict[str, Any]


def plan_patch(connection: Connection, ops: Any, catalog: Catalog, config: MockConfig) -> PatchPlan:
    """Apply the JSON Patch ``ops`` to a copy of ``connection``; raise FLOW errors if invalid.

    ``connection`` is never changed. A secret param (one the record masks on read) whose new
    value equals ``config.secret_mask`` keeps its stored value, so writing back a
    connection as read does not replace a password with the mask string.
    """
    instructions = parse_patch(ops)
    work = _Working(connection.name, connection.description, copy.deepcopy(connection.params))
    for instruction in instructions:
        _apply(work, instruction)
    _restore_masked(work.params, connection, config.secret_mask)
    auth = catalog.auth_spec(connection.spec_id, connection.auth_spec)
    if auth is None:
        raise unknown_auth_spec(connection.auth_spec, connection.spec_id)
    # Params the service set are its own: kept as they are, checked only when a patch changed them.
    server = {
        name: connection.params[name]
        for name in server_set_params(connection.spec_id, connection.auth_spec)
        if name in connection.params and work.params.get(name) == connection.params[name]
    }
    own = {key: value for key, value in work.params.items() if key not in server}
    validate_params(auth, own, config)
    return PatchPlan(work.name, work.description, {**own, **server})


def _missing(field: str) -> FlowError:
    return FlowError("1455-400", message=f'Missing field "{field}".')


def _apply(work: _Working, ins: Instruction) -> None:
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


def _patch_name(work: _Working, ins: Instruction) -> None:
    if ins.op == "remove":
        raise invalid_request("The field name is required and cannot be removed.")
    if not isinstance(ins.value, str) or not ins.value.strip():
        raise invalid_request("The field name must be a non-empty string.")
    work.name = ins.value


def _patch_description(work: _Working, ins: Instruction) -> None:
    if ins.op == "remove":
        if work.description is None:
            raise _missing("description")
        work.description = None
    elif isinstance(ins.value, str):
        work.description = ins.value
    else:
        raise invalid_request("The field description must be a string.")


def _patch_all_params(work: _Working, ins: Instruction) -> None:
    if ins.op == "remove":
        raise invalid_request("The field auth.params is required and cannot be removed.")
    if not isinstance(ins.value, dict):
        raise invalid_request("The field auth.params must be a JSON object.")
    work.params = copy.deepcopy(ins.value)


def _patch_param(work: _Working, ins: Instruction, key: str) -> None:
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
