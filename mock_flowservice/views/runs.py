"""``/runs`` routes (FACTS-2 §6): runs listed and read after the due ones are materialised."""

from __future__ import annotations

from flask import Blueprint, Response, request

from ..clock import now_ms
from ..context import current
from ..operations import runs as ops
from ..request_state import state
from ..web import if_match, json_body, json_response, query_args, reference, route_both

__all__ = ["bp"]

bp = Blueprint("runs", __name__)


@bp.get("/runs")
def list_runs() -> Response:
    ctx = current()
    now = now_ms(ctx.store)
    return json_response(ops.list_runs(ctx.store, ctx.config, state().who[0], query_args(), now))


@route_both(bp, "/runs/<run_id>", methods=["GET"])
def retrieve_run(run_id: str) -> Response:
    ctx = current()
    run = ops.retrieve_run(ctx.store, ctx.config, state().who[0], run_id, now_ms(ctx.store))
    return json_response({"items": [run.to_json()]})


@bp.post("/runs")
def create_run() -> Response:
    """201 ``{"id", "etag"}`` (the OAS form; FACTS-2 W7 lists the other two)."""
    ctx = current()
    run = ops.create_run(ctx.store, ctx.config, state().who[0], json_body(), now_ms(ctx.store))
    return reference(run, 201, f"/runs/{run.id}")


@route_both(bp, "/runs/<run_id>", methods=["PUT"])
def update_run(run_id: str) -> Response:
    ctx = current()
    run = ops.update_run(ctx.store, state().who[0], run_id, json_body(), if_match())
    return reference(run)


@route_both(bp, "/runs/<run_id>/action", methods=["POST"])
def perform_run_action(run_id: str) -> Response:
    ctx = current()
    op = request.args.get("op", "")
    run = ops.retrigger_run(ctx.store, ctx.config, state().who[0], run_id, op, now_ms(ctx.store))
    return reference(run)
