"""One set of routes for every pipeline collection, named after its operationIds.

A collection's view module gives :func:`blueprint` its description and the two operations that
carry its own rules (create and PATCH); list, search, retrieve, delete and the action route
are the shared operations of :mod:`~mock_flowservice.operations.common`. Every view decodes,
calls one operation and serialises.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask import Blueprint, Response, request

from ..context import MockContext, current
from ..engine import ResourceType
from ..model import Caller, Document, Tenant
from ..operations import common
from ..request_state import state
from ..web import if_match, json_body, json_response, query_args, reference

__all__ = ["Collection", "blueprint"]

Create = Callable[[MockContext, Tenant, Caller, Any, bool], Document]
Patch = Callable[[MockContext, Tenant, Caller, str, Any, str | None], Document]


@dataclass(frozen=True)
class Collection:
    """A pipeline collection as its routes need it."""

    rtype: ResourceType[Document]
    #: The singular of the operationIds: ``source_connection`` (``create_source_connection``).
    singular: str
    create: Create
    patch: Patch
    #: Runs before a read of the collection (flows materialise their due runs first).
    prepare: Callable[[MockContext, Tenant], None] | None = None
    #: The resource's own refusals of an action (flows: their connections are published).
    action_check: Callable[[MockContext, Tenant], Callable[[Document], None]] | None = None


def blueprint(collection: Collection) -> Blueprint:
    """The blueprint of one collection: ``/{kind}``, ``/{kind}/search``, ``/{kind}/{id}``..."""
    kind, one = collection.rtype.kind, collection.singular
    bp = Blueprint(one + "s", __name__)
    item = f"/{kind}/<record_id>"
    routes: list[tuple[str, str, str, Callable[..., Response]]] = [
        (f"/{kind}", "GET", f"list_{one}s", _list),
        (f"/{kind}", "POST", f"create_{one}", _create),
        (f"/{kind}/search", "POST", f"search_{one}s", _search),
        (item, "GET", f"retrieve_{one}", _retrieve),
        (item, "PATCH", f"patch_{one}", _patch),
        (item, "DELETE", f"delete_{one}", _delete),
        (item + "/action", "POST", f"perform_{one}_action", _act),
    ]
    for rule, method, endpoint, handler in routes:
        view = functools.partial(handler, collection)
        bp.add_url_rule(rule, endpoint, view, methods=[method])
        if "<record_id>" in rule:  # the official spec writes items with and without a slash
            bp.add_url_rule(rule + "/", endpoint + "_slash", view, methods=[method])
    return bp


def _prepared(collection: Collection) -> tuple[MockContext, Tenant]:
    ctx, tenant = current(), state().who[0]
    if collection.prepare is not None:
        collection.prepare(ctx, tenant)
    return ctx, tenant


def _list(collection: Collection) -> Response:
    ctx, tenant = _prepared(collection)
    body = common.list_documents(ctx.store, ctx.config, collection.rtype, tenant, query_args())
    return json_response(body)


def _create(collection: Collection) -> Response:
    ctx, (tenant, caller) = current(), state().who
    draft = request.args.get("mode", "").lower() == "draft"
    created = collection.create(ctx, tenant, caller, json_body(), draft)
    return reference(created, 201, f"/{collection.rtype.kind}/{created.id}")


def _search(collection: Collection) -> Response:
    ctx, tenant = current(), state().who[0]
    continuation = request.args.get("continuationToken")
    body = common.search_documents(
        ctx.store, ctx.config, collection.rtype, tenant, json_body(), continuation
    )
    return json_response(body)


def _retrieve(collection: Collection, record_id: str) -> Response:
    ctx, tenant = _prepared(collection)
    record = common.retrieve_document(ctx.store, collection.rtype, tenant, record_id)
    return json_response({"items": [collection.rtype.render(record, ctx.config.secret_mask)]})


def _patch(collection: Collection, record_id: str) -> Response:
    ctx, (tenant, caller) = current(), state().who
    body, etag = json_body(), if_match()
    return reference(collection.patch(ctx, tenant, caller, record_id, body, etag))


def _delete(collection: Collection, record_id: str) -> Response:
    ctx = current()
    common.delete_document(ctx.store, ctx.config, collection.rtype, state().who[0], record_id)
    return Response(status=204)


def _act(collection: Collection, record_id: str) -> Response:
    ctx, (tenant, caller) = current(), state().who
    op = request.args.get("op", "")
    check = collection.action_check(ctx, tenant) if collection.action_check else None
    record = common.document_action(
        ctx.store, collection.rtype, tenant, caller, record_id, op, check
    )
    return reference(record)
