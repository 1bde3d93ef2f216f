"""The control API under ``/__mock__``: reset, seed, export, journal, faults, test results.

Outside the Flow Service prefix and without the gateway's checks. ``create_app`` registers it
unless ``config.control_api`` is "off"; with ``config.control_token`` set every route wants
``Authorization: Bearer <control_token>`` (else gateway ``401013``). Health and readiness live
in :mod:`mock_flowservice.views.health` and are always on. See docs/control-api.md.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, request

from ..clock import advance, clock_state, set_clock
from ..context import current
from ..errors import invalid_request, not_found
from ..operations.runs import set_outcomes, sync_all
from ..web import json_body, json_response
from . import guard, seeding
from .faults import FaultRule
from .journal import JournalQuery
from .overview import overview
from .plane import current_control

__all__ = ["bp"]

bp = Blueprint("control", __name__, url_prefix="/__mock__")
bp.before_request(guard.check)  # before the token: no web page gets as far as guessing it
bp.before_request(guard.authorise)


@bp.post("/reset")
def reset() -> Response:
    current().store.reset()
    return json_response({"status": "reset"})


@bp.post("/seed")
def seed() -> Response:
    ctx = current()
    return json_response(
        {"loaded": seeding.seed_connections(ctx.store, ctx.catalog, ctx.config, json_body())}
    )


@bp.get("/state")
def export_state() -> Response:
    return json_response(seeding.export_state(current().store, current().config))


@bp.get("/inspect")
def inspect_state() -> Response:
    """Every tenant's objects as the API serves them, runs and the clock (the inspector's data)."""
    ctx = current()
    return json_response(overview(ctx.store, ctx.config, ctx.catalog, ctx.flow_specs))


@bp.get("/journal")
def list_journal() -> Response:
    query = JournalQuery.from_args(request.args)
    return json_response({"items": current_control().journal.entries(query)})


@bp.delete("/journal")
def clear_journal() -> Response:
    current_control().journal.clear()
    return Response(status=204)


@bp.post("/faults")
def add_fault() -> Response:
    rule = current_control().faults.add(FaultRule.from_json(json_body()))
    return json_response({"id": rule.id}, 201)


@bp.post("/overrides")
def add_override() -> Response:
    """A fault rule whose effect is ``respond`` (status 200 by default): the same list."""
    body = json_body()
    if isinstance(body, dict) and "respond" not in body:
        raise invalid_request("An override needs a respond object {status, body, headers}.")
    rule = current_control().faults.add(FaultRule.from_json(body))
    return json_response({"id": rule.id}, 201)


@bp.get("/faults")
def list_faults() -> Response:
    return json_response({"items": [rule.to_json() for rule in current_control().faults.all()]})


@bp.delete("/faults")
def clear_faults() -> Response:
    current_control().faults.clear()
    return Response(status=204)


@bp.delete("/faults/<rule_id>")
def delete_fault(rule_id: str) -> Response:
    if not current_control().faults.remove(rule_id):
        raise not_found(rule_id, "faults")
    return Response(status=204)


@bp.post("/connections/<connection_id>/test-result")
def set_test_result(connection_id: str) -> Response:
    body = json_body()
    result = body.get("result") if isinstance(body, dict) else None
    if not isinstance(result, bool):
        raise invalid_request('The body must be {"result": true|false}.')
    updated = seeding.set_test_result(current().store, connection_id, result)
    return json_response({"id": updated.id, "result": updated.test_result})


@bp.get("/clock")
def read_clock() -> Response:
    return json_response(clock_state(current().store).as_json())


@bp.post("/clock")
def move_clock() -> Response:
    """``{"freeze": bool}``, ``{"set": epoch_ms}``, ``{"advanceMs": n}`` (or ``advanceSeconds``),
    alone or together; the runs that came due are materialised before the answer."""
    ctx = current()
    body = json_body()
    if not isinstance(body, dict) or not body or set(body) - _CLOCK_FIELDS:
        raise invalid_request(
            'The body must be a JSON object with "freeze", "set", "advanceMs" or "advanceSeconds".'
        )
    freeze = _clock_value(body, "freeze", bool)
    at = _clock_value(body, "set", int)
    if at is not None or freeze is not None:
        set_clock(ctx.store, frozen=freeze, at_ms=at)
    delta = (_clock_value(body, "advanceMs", int) or 0) + 1000 * (
        _clock_value(body, "advanceSeconds", int) or 0
    )
    if delta < 0:
        raise invalid_request("The clock only moves forward.")
    moved = advance(ctx.store, delta) if delta else clock_state(ctx.store)
    sync_all(ctx.store, ctx.config, moved.now())
    return json_response(moved.as_json())


_CLOCK_FIELDS = frozenset({"freeze", "set", "advanceMs", "advanceSeconds"})


def _clock_value(body: dict[str, Any], key: str, kind: type) -> Any:
    value = body.get(key)
    if value is None:
        return None
    if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        raise invalid_request(f"The field {key} must be a {kind.__name__}.")
    if isinstance(value, int) and not isinstance(value, bool) and not 0 <= value < 10**15:
        raise invalid_request(f"The field {key} is out of range.")
    return value


@bp.post("/flows/<flow_id>/outcomes")
def set_run_outcomes(flow_id: str) -> Response:
    """The outcomes of a flow's coming runs, used in order (see docs/control-api.md)."""
    body = json_body()
    outcomes = body.get("outcomes") if isinstance(body, dict) else None
    queued = set_outcomes(current().store, flow_id, outcomes)
    return json_response({"flowId": flow_id, "queued": queued})
