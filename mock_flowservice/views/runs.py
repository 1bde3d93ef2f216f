"""``/runs`` routes (FACTS-2 §6): runs listed and read after the due ones are materialised."""

from __future__ import annotations

from flask import Blueprint, Response

from ..clock import now_ms
from ..context import current
from ..operations import runs as ops
from ..request_state import state
from ..web import json_response, query_args, route_both

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
