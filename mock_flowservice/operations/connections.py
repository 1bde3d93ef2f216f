"""Base connections (``/connections``): the description the engine uses, and their own rules.

Functions are named after the API's operationIds. Each takes what it needs (the store, the
catalog, the settings, who is asking) and nothing knows about HTTP. The rules that belong to
base connections alone: a create body is validated against the connection spec's auth spec
(:mod:`~mock_flowservice.validation`), a PATCH may touch the name, description and auth params
(:mod:`.patching`), ``test`` answers the stored test result, ``explore`` browses sample data.
"""

from __future__ import annotations

import contextlib
from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from .. import engine
from ..catalog import AuthSpec, Catalog
from ..clock import now_ms
from ..config import MockConfig
from ..engine import Action, QueryArgs, ResourceType
from ..errors import FlowError
from ..explore import browse
from ..lifecycle import INITIALIZING, lifecycle_of
from ..model import Caller, Connection, Document, Tenant
from ..storage import Store
from ..validation import validate_create
from .common import CHANGEABLE_STATES
from .patching import plan_patch
from .usage import refuse_if_used

#: One record per connection still initializing: its ``readyAt`` by the mock's clock.
PENDING_KIND = "pendingConnections"

__all__ = [
    "CONNECTIONS",
    "CONNECTION_FIELDS",
    "DRAFT_STATE",
    "PENDING_KIND",
    "auth_spec_of",
    "create_connection",
    "delete_connection",
    "explore_connection",
    "list_connections",
    "patch_connection",
    "perform_action",
    "retrieve_connection",
    "search_connections",
    "test_connection",
]

DRAFT_STATE = "draft"

#: ``op`` values of ``POST /connections/{id}/action`` (GAPS 11): publish turns a draft into
#: enabled; the finalize ops are accepted in any state and change nothing but the audit.
_ACTIONS = {
    "publish": Action("publish", from_states=frozenset({DRAFT_STATE}), to_state="enabled"),
    "finalize": Action("finalize"),
    "finalize_update": Action("finalize_update"),
}

#: Top-level fields of a served connection, which ``property=`` and ``orderby`` may name.
CONNECTION_FIELDS = frozenset(
    {
        "id", "name", "description", "state", "connectionSpec", "auth", "createdAt",
        "updatedAt", "createdBy", "updatedBy", "createdClient", "updatedClient", "sandboxId",
        "sandboxName", "imsOrgId", "version", "etag", "lastOperation",
    }
)  # fmt: skip

CONNECTIONS: ResourceType[Connection] = ResourceType(
    kind="connections",
    fields=CONNECTION_FIELDS,
    render=lambda connection, mask: connection.to_json(mask),
    decode=Connection.from_state,
    actions=_ACTIONS,
    patch_states=CHANGEABLE_STATES,
)


def list_connections(
    store: Store, config: MockConfig, tenant: Tenant, args: QueryArgs
) -> dict[str, Any]:
    """``GET /connections``: a page of the tenant's connections (or their count)."""
    settle_connections(store, tenant)
    return engine.list_page(store, CONNECTIONS, tenant, args, config)


def search_connections(
    store: Store, config: MockConfig, tenant: Tenant, body: Any, continuation: str | None
) -> dict[str, Any]:
    """``POST /connections/search``: the listing with its parameters in a body."""
    args = engine.search_args(body, continuation)
    settle_connections(store, tenant)
    return engine.list_page(store, CONNECTIONS, tenant, args, config)


def create_connection(
    store: Store,
    catalog: Catalog,
    config: MockConfig,
    tenant: Tenant,
    caller: Caller,
    body: Any,
    *,
    draft: bool = False,
) -> Connection:
    """Validate a create body and store the new connection (``state`` draft or enabled)."""
    request = validate_create(body, catalog, config)
    identity = engine.new_identity(tenant, caller, now_ms(store))
    connection = request.to_connection(**identity, state=DRAFT_STATE if draft else "enabled")
    cycle = lifecycle_of(connection.spec_id, connection.auth_spec)
    if cycle is None:
        return engine.create(store, CONNECTIONS, connection)
    params = {**connection.params, **cycle.adds(connection.id, connection.params)}
    initializing = cycle.starts_initializing and not draft
    state = INITIALIZING if initializing else connection.state
    created = engine.create(store, CONNECTIONS, replace(connection, params=params, state=state))
    if initializing:
        ready_at = connection.created_at + config.initializing_seconds * 1000
        store.add(PENDING_KIND, Document(**identity, fields={"readyAt": ready_at}))
    return created


def settle_connections(store: Store, tenant: Tenant) -> None:
    """Connections whose initialization is over by the mock's clock become ``enabled``."""
    pending = store.records(PENDING_KIND, tenant)
    if not pending:
        return
    now = now_ms(store)
    for record in pending:
        if record.fields["readyAt"] > now:
            continue
        current = store.get(CONNECTIONS.kind, tenant, record.id)
        if current is not None and current.state == INITIALIZING:
            with contextlib.suppress(FlowError):  # a concurrent change won: it settles later
                engine.update(
                    store, CONNECTIONS, tenant, record.id, current.etag,
                    lambda c: c.touched(c.created_by, state="enabled", last_operation="enable"),
                )  # fmt: skip
        store.delete(PENDING_KIND, tenant, record.id)


def retrieve_connection(store: Store, tenant: Tenant, connection_id: str) -> Connection:
    settle_connections(store, tenant)
    return engine.retrieve(store, CONNECTIONS, tenant, connection_id)


def delete_connection(store: Store, config: MockConfig, tenant: Tenant, connection_id: str) -> None:
    """``DELETE /connections/{id}``: refused with 1418 while a flow uses it (by default)."""
    retrieve_connection(store, tenant, connection_id)
    refuse_if_used(store, config, tenant, connection_id, base=True)
    engine.delete(store, CONNECTIONS, tenant, connection_id)


def patch_connection(
    store: Store,
    catalog: Catalog,
    config: MockConfig,
    tenant: Tenant,
    caller: Caller,
    connection_id: str,
    ops: Any,
    if_match: str | None,
) -> Connection:
    """Apply a JSON Patch if ``if_match`` is the current etag (FACTS E.1).

    An unknown id is 404 first; then a missing ``If-Match`` is ``1403-400`` and a stale one
    ``1404-412`` (checked atomically by the store: of concurrent PATCHes with one etag
    exactly one succeeds).
    """
    retrieve_connection(store, tenant, connection_id)
    expected = engine.require_if_match(if_match)

    def change(connection: Connection) -> Connection:
        plan = plan_patch(connection, ops, catalog, config)
        return connection.touched(
            caller,
            name=plan.name,
            description=plan.description,
            params=plan.params,
            last_operation="update",
        )

    return engine.patch(store, CONNECTIONS, tenant, connection_id, expected, change)


def perform_action(
    store: Store, tenant: Tenant, caller: Caller, connection_id: str, op: str
) -> Connection:
    """``POST /connections/{id}/action?op=...`` (publish a draft, GAPS 11)."""
    return engine.apply_action(store, CONNECTIONS, tenant, caller, connection_id, op)


def test_connection(store: Store, tenant: Tenant, connection_id: str) -> bool:
    return retrieve_connection(store, tenant, connection_id).test_result


def explore_connection(
    store: Store,
    catalog: Catalog,
    config: MockConfig,
    tenant: Tenant,
    connection_id: str,
    query: Mapping[str, str],
) -> Any:
    """``GET /connections/{id}/explore``: browse the sample data of the connection's source."""
    connection = retrieve_connection(store, tenant, connection_id)
    spec = catalog.get(connection.spec_id)
    if spec is None:
        raise FlowError("1336-400", id=connection.spec_id)
    return browse(spec.raw, query, config)


def auth_spec_of(
    store: Store, catalog: Catalog, tenant: Tenant | None, connection_id: str
) -> AuthSpec | None:
    """The auth spec of a stored connection of ``tenant``, if both are known (redaction)."""
    connection = store.get(CONNECTIONS.kind, tenant, connection_id) if tenant else None
    if connection is None:
        return None
    return catalog.auth_spec(connection.spec_id, connection.auth_spec)
