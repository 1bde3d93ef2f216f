"""``/connections`` routes (FACTS A.1). Each view decodes, calls one operation, serialises."""

from __future__ import annotations

from flask import Blueprint, Response, request

from ..context import current
from ..operations import connections as ops
from ..request_state import state
from ..web import if_match, json_body, json_response, query_args, reference, route_both
from .scope import caller_specs

__all__ = ["bp"]

bp = Blueprint("connections", __name__)


@bp.get("/connections")
def list_connections() -> Response:
    ctx = current()
    tenant = state().who[0]
    return json_response(ops.list_connections(ctx.store, ctx.config, tenant, query_args()))


@bp.post("/connections")
def create_connection() -> Response:
    ctx, (tenant, caller) = current(), state().who
    draft = request.args.get("mode", "").lower() == "draft"
    created = ops.create_connection(
        ctx.store,
        caller_specs().connection_specs,
        ctx.config,
        tenant,
        caller,
        json_body(),
        draft=draft,
    )
    return reference(created, 201, f"/connections/{created.id}")


@bp.post("/connections/search")
def search_connections() -> Response:
    ctx, tenant = current(), state().who[0]
    continuation = request.args.get("continuationToken")
    body = ops.search_connections(ctx.store, ctx.config, tenant, json_body(), continuation)
    return json_response(body)


@route_both(bp, "/connections/<connection_id>", methods=["GET"])
def retrieve_connection(connection_id: str) -> Response:
    ctx = current()
    connection = ops.retrieve_connection(ctx.store, state().who[0], connection_id)
    return json_response({"items": [connection.to_json(ctx.config.secret_mask)]})


@route_both(bp, "/connections/<connection_id>", methods=["PATCH"])
def patch_connection(connection_id: str) -> Response:
    ctx, (tenant, caller) = current(), state().who
    ops_body, etag = json_body(), if_match()
    updated = ops.patch_connection(
        ctx.store,
        caller_specs().connection_specs,
        ctx.config,
        tenant,
        caller,
        connection_id,
        ops_body,
        etag,
    )
    return reference(updated)


@route_both(bp, "/connections/<connection_id>", methods=["DELETE"])
def delete_connection(connection_id: str) -> Response:
    ctx = current()
    ops.delete_connection(ctx.store, ctx.config, state().who[0], connection_id)
    return Response(status=204)


@route_both(bp, "/connections/<connection_id>/test", methods=["GET"])
def test_connection(connection_id: str) -> Response:
    result = ops.test_connection(current().store, state().who[0], connection_id)
    return json_response({"result": result})


@route_both(bp, "/connections/<connection_id>/action", methods=["POST"])
def perform_action(connection_id: str) -> Response:
    tenant, caller = state().who
    op = request.args.get("op", "")
    return reference(ops.perform_action(current().store, tenant, caller, connection_id, op))


@route_both(bp, "/connections/<connection_id>/explore", methods=["GET"])
def explore_connection(connection_id: str) -> Response:
    ctx = current()
    query = request.args.to_dict()
    catalog = caller_specs().connection_specs
    body = ops.explore_connection(
        ctx.store, catalog, ctx.config, state().who[0], connection_id, query
    )
    return json_response(body)


@route_both(bp, "/connections/<connection_id>/configs", methods=["GET"])
def explore_config(connection_id: str) -> Response:
    connection = ops.retrieve_connection(current().store, state().who[0], connection_id)
    return json_response({"configParams": {}, "connectionSpec": {"id": connection.spec_id}})
