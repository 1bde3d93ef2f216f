"""One implementation of get, create, patch, delete and actions for every resource type.

Each function takes the store and the :class:`~.resource.ResourceType` it acts on, and raises
the API's errors for what the store reports: an unknown id is ``FLOW-1439-404`` with the
type's ``report.type``, a stale etag ``FLOW-1404-412``, a missing ``If-Match`` ``1403-400``.
Listing and search live in :mod:`.listing`.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any, TypeVar, cast

from ..errors import FlowError, not_found, stale_etag, unknown_param
from ..model import Caller, Tenant, etag_value, new_etag, now_ms
from ..storage import StaleEtag, Store
from .resource import Resource, ResourceType

__all__ = ["apply_action", "create", "delete", "new_identity", "patch", "require_if_match",
           "retrieve", "update"]  # fmt: skip

T = TypeVar("T", bound=Resource)


def new_identity(tenant: Tenant, caller: Caller, now: int | None = None) -> dict[str, Any]:
    """The server-set fields of a new record: id, tenant, audit fields (at ``now``, the mock's
    clock, epoch ms) and a first etag."""
    stamp = now_ms() if now is None else now
    return {
        "id": str(uuid.uuid4()),
        "tenant": tenant,
        "created_at": stamp,
        "updated_at": stamp,
        "created_by": caller,
        "updated_by": caller,
        "etag": new_etag(),
    }


def create(store: Store, rtype: ResourceType[T], record: T) -> T:
    """Store a new record (its rules were checked by the caller)."""
    return store.add(rtype.kind, record)


def retrieve(store: Store, rtype: ResourceType[T], tenant: Tenant, record_id: str) -> T:
    record = store.get(rtype.kind, tenant, record_id)
    if record is None:
        raise not_found(record_id, rtype.report_type)
    return cast(T, record)


def delete(store: Store, rtype: ResourceType[T], tenant: Tenant, record_id: str) -> None:
    if not store.delete(rtype.kind, tenant, record_id):
        raise not_found(record_id, rtype.report_type)


def require_if_match(if_match: str | None) -> str:
    """The ``If-Match`` value of a write; ``1403-400`` when it is missing or empty."""
    if if_match is None or not etag_value(if_match):
        raise FlowError("1403-400")
    return if_match


def update(
    store: Store,
    rtype: ResourceType[T],
    tenant: Tenant,
    record_id: str,
    if_match: str,
    change: Callable[[T], T],
) -> T:
    """Apply ``change`` atomically while the record carries ``if_match``.

    ``change`` runs inside the store's compare-and-set and may raise (nothing is written).
    """
    try:
        updated = store.compare_and_set(rtype.kind, tenant, record_id, if_match, change)
    except StaleEtag as stale:
        raise stale_etag(stale.expected, stale.current) from None
    if updated is None:
        raise not_found(record_id, rtype.report_type)
    return cast(T, updated)


def patch(
    store: Store,
    rtype: ResourceType[T],
    tenant: Tenant,
    record_id: str,
    if_match: str,
    change: Callable[[T], T],
) -> T:
    """:func:`update` for a PATCH: refused with ``rtype.patch_refusal`` when the record is in
    a state outside ``rtype.patch_states`` (a draft connection, FACTS B.4 ``1416``)."""

    def guarded(record: T) -> T:
        if rtype.patch_states is not None and record.state not in rtype.patch_states:
            raise FlowError(rtype.patch_refusal, state=record.state)
        return change(record)

    return update(store, rtype, tenant, record_id, if_match, guarded)


def apply_action(
    store: Store,
    rtype: ResourceType[T],
    tenant: Tenant,
    caller: Caller,
    record_id: str,
    op: str,
    check: Callable[[T], None] | None = None,
) -> T:
    """``POST /{kind}/{id}/action?op=...``: an unknown op is 1451, a wrong state the action's
    refusal (1409 by default).

    ``check`` may add the resource's own refusals (it runs on the current record).
    """
    current = retrieve(store, rtype, tenant, record_id)
    action = rtype.actions.get(op.lower())
    if action is None:
        raise unknown_param(f"op={op}")
    if not action.applies_to(current.state):
        raise FlowError(action.refusal, op=op, state=current.state)
    if check is not None:
        check(current)

    def change(record: T) -> T:
        state = action.to_state or record.state
        return record.touched(caller, state=state, last_operation=action.operation or action.name)

    return update(store, rtype, tenant, record_id, current.etag, change)
