"""Flow Service operations on connections, named after the API's operationIds.

Views decode the request and call one function here; these apply the rules (validation,
etags, audit fields) and talk to the store. Nothing here knows about HTTP.
"""

from __future__ import annotations

import uuid
from dataclasses import replace
from typing import Any

from .context import MockContext
from .errors import FlowError, not_found
from .explore import explore_connection as explore_spec
from .model import Caller, Connection, Tenant, new_etag, now_ms
from .patching import plan_patch
from .store import strip_quotes
from .validation import validate_create

__all__ = [
    "create_connection",
    "delete_connection",
    "explore_connection",
    "patch_connection",
    "publish_connection",
    "retrieve_connection",
    "test_connection",
]

DRAFT_STATE = "draft"


def create_connection(
    ctx: MockContext, tenant: Tenant, caller: Caller, body: Any, *, draft: bool = False
) -> Connection:
    """Validate a create body and store the new connection (``state`` draft or enabled)."""
    request = validate_create(body, ctx.catalog, ctx.config)
    stamp = now_ms()
    connection = request.to_connection(
        id=str(uuid.uuid4()),
        tenant=tenant,
        created_at=stamp,
        updated_at=stamp,
        created_by=caller,
        updated_by=caller,
        etag=new_etag(),
        state=DRAFT_STATE if draft else "enabled",
    )
    return ctx.store.add(connection)


def retrieve_connection(ctx: MockContext, tenant: Tenant, connection_id: str) -> Connection:
    connection = ctx.store.get(tenant, connection_id)
    if connection is None:
        raise not_found(connection_id)
    return connection


def delete_connection(ctx: MockContext, tenant: Tenant, connection_id: str) -> None:
    if not ctx.store.delete(tenant, connection_id):
        raise not_found(connection_id)


def patch_connection(
    ctx: MockContext,
    tenant: Tenant,
    caller: Caller,
    connection_id: str,
    ops: Any,
    if_match: str | None,
) -> Connection:
    """Apply a JSON Patch if ``if_match`` is the current etag (FACTS E.1).

    A missing ``If-Match`` is ``1403-400``; a stale one ``1404-412`` (checked under the store's
    lock, so of concurrent PATCHes with one etag exactly one succeeds).
    """
    retrieve_connection(ctx, tenant, connection_id)
    if if_match is None or not strip_quotes(if_match):
        raise FlowError("1403-400")

    def change(connection: Connection) -> Connection:
        plan = plan_patch(connection, ops, ctx)
        return _touched(
            connection,
            caller,
            name=plan.name,
            description=plan.description,
            params=plan.params,
            last_operation="update",
        )

    updated = ctx.store.update(tenant, connection_id, if_match, change)
    if updated is None:
        raise not_found(connection_id)
    return updated


def explore_connection(ctx: MockContext, tenant: Tenant, connection_id: str, query: Any) -> Any:
    """``GET /connections/{id}/explore``: browse the sample data of the connection's source."""
    connection = retrieve_connection(ctx, tenant, connection_id)
    spec = ctx.catalog.get(connection.spec_id)
    if spec is None:
        raise FlowError("1336-400", id=connection.spec_id)
    return explore_spec(spec.raw, query)


def test_connection(ctx: MockContext, tenant: Tenant, connection_id: str) -> bool:
    return retrieve_connection(ctx, tenant, connection_id).test_result


def publish_connection(
    ctx: MockContext, tenant: Tenant, caller: Caller, connection_id: str, op: str
) -> Connection:
    """``POST /connections/{id}/action?op=...``: publish turns a draft into enabled (GAPS 11)."""
    current = retrieve_connection(ctx, tenant, connection_id)
    operation = op.lower()
    if operation not in {"publish", "finalize", "finalize_update"}:
        raise FlowError("1451-400", param=f"op={op}")
    if operation == "publish" and current.state != DRAFT_STATE:
        raise FlowError("1409-400", op=op, state=current.state)

    def change(connection: Connection) -> Connection:
        state = "enabled" if operation == "publish" else connection.state
        return _touched(connection, caller, state=state, last_operation=operation)

    updated = ctx.store.update(tenant, connection_id, current.etag, change)
    if updated is None:
        raise not_found(connection_id)
    return updated


def _touched(connection: Connection, caller: Caller, **changes: Any) -> Connection:
    """A copy with new audit fields and etag, plus ``changes``."""
    return replace(
        connection,
        updated_at=now_ms(),
        updated_by=caller,
        etag=new_etag(connection.etag),
        **changes,
    )
