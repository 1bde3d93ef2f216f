"""Control-API operations on the mock's state: seed, export, and forcing test results.

A seed document is ``{"connections": [object, ...]}`` where each object has the shape
``GET /connections/{id}`` returns (``items[0]``) but holds real secret values and must carry
``imsOrgId`` (``sandboxName`` defaults to ``config.default_sandbox``). Each object is
validated like a create request (:func:`~.validation.validate_create`); ``id``, ``createdAt``,
``updatedAt``, ``etag``, ``state``, the audit fields and ``lastOperation.operation`` are kept
when given. Seeding is all or nothing: the first bad object refuses the whole document with
its FLOW error (``report.index`` names the object) and nothing is loaded.

An export (:func:`export_state`) has the same shape with every secret masked, so it can be
seeded again; the secrets are then the mask string.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import replace
from typing import Any

from ..catalog import Catalog
from ..config import MockConfig
from ..errors import FlowError, invalid_request, missing_field, not_found
from ..model import Caller, Connection, Tenant, new_etag, now_ms
from ..operations.connections import CONNECTIONS
from ..storage import StaleEtag, Store
from ..validation import validate_create

__all__ = ["connections_from_seed", "export_state", "seed_connections", "set_test_result"]

SEED_CALLER = Caller("mock-seed@AdobeID", "mock-seed")
_SAFE_ID = re.compile(r"^[A-Za-z0-9._~-]{1,128}$")
_CREATE_FIELDS = ("name", "description", "auth", "connectionSpec")


def export_state(store: Store, config: MockConfig) -> dict[str, Any]:
    """Every connection of every tenant as GET shows it: secrets masked."""
    mask = config.secret_mask
    return {"connections": [c.to_json(mask) for c in store.everything(CONNECTIONS.kind)]}


def seed_connections(store: Store, catalog: Catalog, config: MockConfig, document: Any) -> int:
    """Validate a seed document and load it (all or nothing); returns how many were loaded."""
    connections = connections_from_seed(document, catalog, config)
    for index, connection in enumerate(connections):
        if store.get(CONNECTIONS.kind, connection.tenant, connection.id) is not None:
            raise _at(index, invalid_request(f"A connection with id {connection.id} exists."))
    return store.load(CONNECTIONS.kind, connections)


def connections_from_seed(document: Any, catalog: Catalog, config: MockConfig) -> list[Connection]:
    """The records a seed document describes, or the FLOW error of its first bad object."""
    items = document.get("connections") if isinstance(document, dict) else None
    if not isinstance(items, list):
        raise invalid_request("The seed must be a JSON object with a 'connections' array.")
    seen: set[tuple[Tenant, str]] = set()
    connections = []
    for index, item in enumerate(items):
        try:
            connection = connection_from_object(item, catalog, config)
        except FlowError as error:
            raise _at(index, error) from None
        if (connection.tenant, connection.id) in seen:
            raise _at(index, invalid_request(f"The id {connection.id} appears twice."))
        seen.add((connection.tenant, connection.id))
        connections.append(connection)
    return connections


def _at(index: int, error: FlowError) -> FlowError:
    return error.with_report(index=index)


def connection_from_object(item: Any, catalog: Catalog, config: MockConfig) -> Connection:
    """One seed object as a record (validated like a create)."""
    if not isinstance(item, dict):
        raise invalid_request("Each seeded connection must be a JSON object.")
    request = validate_create(
        {key: item[key] for key in _CREATE_FIELDS if key in item}, catalog, config
    )
    created = _optional(item, "createdAt", int)
    created = now_ms() if created is None else created
    updated = _optional(item, "updatedAt", int)
    return request.to_connection(
        id=_connection_id(item),
        tenant=Tenant(
            _text(item, "imsOrgId", None), _text(item, "sandboxName", config.default_sandbox)
        ),
        created_at=created,
        updated_at=created if updated is None else updated,
        created_by=_caller(item, "created"),
        updated_by=_caller(item, "updated"),
        etag=_optional(item, "etag", str) or _optional(item, "version", str) or new_etag(),
        state=_optional(item, "state", str) or "enabled",
        last_operation=_last_operation(item),
    )


def _optional(item: dict[str, Any], key: str, kind: type) -> Any:
    value = item.get(key)
    if value is None:
        return None
    if not isinstance(value, kind) or isinstance(value, bool):
        raise invalid_request(f"The field {key} must be a {_KINDS[kind]}.")
    if (isinstance(value, str) and not value.strip()) or (isinstance(value, int) and value < 0):
        raise invalid_request(f"The field {key} must not be empty or negative.")
    return value


_KINDS = {str: "string", int: "non-negative integer"}


def _text(item: dict[str, Any], key: str, default: str | None) -> str:
    value = item.get(key)
    value = default if value is None else value
    if not isinstance(value, str) or not value.strip():
        raise missing_field(key)
    if not _is_unicode_text(value):  # a lone surrogate: no store, id or header could hold it
        raise invalid_request(f"The field {key} must be Unicode text without lone surrogates.")
    return value


def _is_unicode_text(value: str) -> bool:
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _connection_id(item: dict[str, Any]) -> str:
    value = item.get("id")
    if value is None:
        return str(uuid.uuid4())
    if not isinstance(value, str) or not _SAFE_ID.match(value):
        raise invalid_request("The field id must be 1-128 letters, digits or ._~- characters.")
    return value


def _caller(item: dict[str, Any], prefix: str) -> Caller:
    user = _optional(item, prefix + "By", str) or SEED_CALLER.user
    client = _optional(item, prefix + "Client", str) or SEED_CALLER.client
    return Caller(user, client)


def _last_operation(item: dict[str, Any]) -> str:
    value = item.get("lastOperation")
    operation = value.get("operation") if isinstance(value, dict) else None
    return operation if isinstance(operation, str) and operation else "create"


def set_test_result(store: Store, connection_id: str, result: bool) -> Connection:
    """Make ``GET /connections/{id}/test`` answer ``result`` (the id is looked up in any tenant).

    The etag does not change: a test result is not part of the connection's data.
    """
    for _ in range(3):  # a concurrent update changes the etag; try again
        found = [c for c in store.everything(CONNECTIONS.kind) if c.id == connection_id]
        if not found:
            raise not_found(connection_id)
        current = found[0]
        try:
            updated = store.compare_and_set(
                CONNECTIONS.kind,
                current.tenant,
                current.id,
                current.etag,
                lambda c: replace(c, test_result=result),
            )
        except StaleEtag:
            continue
        if updated is not None:
            connection: Connection = updated
            return connection
    raise not_found(connection_id)
