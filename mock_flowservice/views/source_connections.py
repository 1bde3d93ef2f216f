"""``/sourceConnections`` routes (FACTS-2 §2): each view decodes, calls one operation."""

from __future__ import annotations

from flask import Blueprint, Response, request

from ..context import current
from ..operations import source_connections as ops
from ..request_state import state
from ..web import if_match, json_body, json_response, query_args, reference, route_both

__all__ = ["bp"]

bp = Blueprint("source_connections", __name__)


@bp.get("/sourceConnections")
def list_source_connections() -> Response:
    ctx = current()
    return json_response(
        ops.list_source_connections(ctx.store, ctx.config, state().who[0], query_args())
    )


@bp.post("/sourceConnections")
def create_source_connection() -> Response:
    ctx, (tenant, caller) = current(), state().who
    draft = request.args.get("mode", "").lower() == "draft"
    created = ops.create_source_connection(
        ctx.store, ctx.catalog, tenant, caller, json_body(), draft=draft
    )
    return reference(created, 201, f"/sourceConnections/{created.id}")


@bp.post("/sourceConnections/search")
def search_source_connections() -> Response:
    ctx, tenant = current(), state().who[0]
    continuation = request.args.get("continuationToken")
    body = ops.search_source_connections(ctx.store, ctx.config, tenant, json_body(), continuation)
    return json_response(body)


@route_both(bp, "/sourceConnections/<record_id>", methods=["GET"])
def retrieve_source_connection(record_id: str) -> Response:
    record = ops.retrieve_source_connection(current().store, state().who[0], record_id)
    return json_response({"items": [record.to_json()]})


@route_both(bp, "/sourceConnections/<record_id>", methods=["PATCH"])
def patch_source_connection(record_id: str) -> Response:
    ctx, (tenant, caller) = current(), state().who
    body, etag = json_body(), if_match()
    updated = ops.patch_source_connection(
        ctx.store, ctx.catalog, tenant, caller, record_id, body, etag
    )
    return reference(updated)


@route_both(bp, "/sourceConnections/<record_id>", methods=["DELETE"])
def delete_source_connection(record_id: str) -> Response:
    ops.delete_source_connection(current().store, state().who[0], record_id)
    return Response(status=204)


@route_both(bp, "/sourceConnections/<record_id>/action", methods=["POST"])
def perform_source_connection_action(record_id: str) -> Response:
    tenant, caller = state().who
    op = request.args.get("op", "")
    updated = ops.perform_source_connection_action(current().store, tenant, caller, record_id, op)
    return reference(updated)
