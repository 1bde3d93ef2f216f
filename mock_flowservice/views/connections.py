"""``/connections`` routes (FACTS A.1). Each view decodes, calls one operation, serialises."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any

from flask import Blueprint, Response, g, request

from .. import operations
from ..context import current
from ..listing import list_connections as list_page
from ..listing import search_args
from ..model import Connection
from ._routing import json_body, json_response, route_both

__all__ = ["bp"]

bp = Blueprint("connections", __name__)


def _renderer() -> Callable[[Connection], dict[str, Any]]:
    """``_render`` with this app's mask looked up once (a page renders many connections)."""
    return partial(Connection.to_json, secret_mask=current().config.secret_mask)


def _ref(connection: Connection, status: int = 200) -> Response:
    return json_response({"id": connection.id, "etag": connection.etag}, status)


@bp.get("/connections")
def list_connections() -> Response:
    ctx = current()
    body = list_page(ctx.store, g.tenant, request.args, ctx.config, _renderer())
    return json_response(body)


@bp.post("/connections")
def create_connection() -> Response:
    ctx = current()
    draft = request.args.get("mode", "").lower() == "draft"
    created = operations.create_connection(ctx, g.tenant, g.caller, json_body(), draft=draft)
    location = f"{ctx.config.base_path}/connections/{created.id}"
    response = _ref(created, 201)
    response.headers["Location"] = location
    return response


@bp.post("/connections/search")
def search_connections() -> Response:
    ctx = current()
    args = search_args(json_body(), request.args.get("continuationToken"), ctx.config)
    return json_response(list_page(ctx.store, g.tenant, args, ctx.config, _renderer()))


@route_both(bp, "/connections/<connection_id>", methods=["GET"])
def retrieve_connection(connection_id: str) -> Response:
    connection = operations.retrieve_connection(current(), g.tenant, connection_id)
    return json_response({"items": [_renderer()(connection)]})


@route_both(bp, "/connections/<connection_id>", methods=["PATCH"])
def patch_connection(connection_id: str) -> Response:
    # Adobe's Postman collection sends if-match as a query parameter; both are honoured.
    if_match = request.headers.get("If-Match", request.args.get("if-match"))
    ops = json_body()
    updated = operations.patch_connection(
        current(), g.tenant, g.caller, connection_id, ops, if_match
    )
    return _ref(updated)


@route_both(bp, "/connections/<connection_id>", methods=["DELETE"])
def delete_connection(connection_id: str) -> Response:
    operations.delete_connection(current(), g.tenant, connection_id)
    return Response(status=204)


@route_both(bp, "/connections/<connection_id>/test", methods=["GET"])
def test_connection(connection_id: str) -> Response:
    result = operations.test_connection(current(), g.tenant, connection_id)
    return json_response({"result": result})


@route_both(bp, "/connections/<connection_id>/action", methods=["POST"])
def perform_action(connection_id: str) -> Response:
    op = request.args.get("op", "")
    updated = operations.publish_connection(current(), g.tenant, g.caller, connection_id, op)
    return _ref(updated)


@route_both(bp, "/connections/<connection_id>/explore", methods=["GET"])
def explore_connection(connection_id: str) -> Response:
    body = operations.explore_connection(current(), g.tenant, connection_id, request.args)
    return json_response(body)


@route_both(bp, "/connections/<connection_id>/configs", methods=["GET"])
def explore_config(connection_id: str) -> Response:
    connection = operations.retrieve_connection(current(), g.tenant, connection_id)
    return json_response({"configParams": {}, "connectionSpec": {"id": connection.spec_id}})
