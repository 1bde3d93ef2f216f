"""The inspector: a web page at ``/__mock__/ui`` that shows the mock's state and drives it.

Server-rendered with Jinja (``templates/``) plus a little plain JavaScript and CSS
(``static/``), all shipped in the wheel: no CDN, no build step, works offline. The page at
``/__mock__/ui`` is a shell without data; its script loads the views as HTML fragments from
``/__mock__/ui/view/...`` and polls the one on screen, and it acts through the control API's
own routes (JSON bodies, so the guard stays as it is).

Access is the control API's: the blueprint exists only when the control API is on, every route
passes :func:`.guard.check` (Host, Origin, body type), and every view wants the control token
when one is set (:func:`.guard.authorise`). The shell and its static files carry no data and
need no token: the page asks for the token and sends it as ``Authorization: Bearer``.

The data of every view comes from :func:`.overview.overview` (objects rendered by the API's
own resource types, so masked as the API masks them), the journal and the fault rules.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlencode

from flask import Blueprint, Response, render_template, request

from ..context import current
from ..errors import not_found
from . import guard
from .journal import JournalQuery
from .overview import overview, pipeline, run_status
from .plane import current_control

__all__ = ["JOURNAL_LIMIT", "bp", "iso_time", "pretty"]

#: The newest journal entries a journal view shows.
JOURNAL_LIMIT = 200

bp = Blueprint(
    "inspector",
    __name__,
    url_prefix="/__mock__/ui",
    template_folder="templates",
    static_folder="static",
    static_url_path="/static",
)
bp.before_request(guard.check)
bp.add_app_template_filter(run_status, "run_status")


@bp.app_template_filter("pretty")
def pretty(value: Any) -> str:
    """JSON text, indented, for a ``<pre>`` (autoescaped by the template)."""
    return json.dumps(value, indent=2, ensure_ascii=False, default=str)


@bp.app_template_filter("iso_time")
def iso_time(epoch_ms: Any) -> str:
    """Epoch milliseconds as ``2026-01-01T00:00:00Z`` (the value itself when not a number)."""
    if not isinstance(epoch_ms, int | float) or isinstance(epoch_ms, bool):
        return str(epoch_ms)
    try:
        moment = datetime.fromtimestamp(epoch_ms / 1000, UTC)
    except (OverflowError, OSError, ValueError):
        return str(epoch_ms)
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


_OPEN = frozenset({"inspector.shell", "inspector.static"})


@bp.before_request
def _authorise() -> None:
    if request.endpoint not in _OPEN:
        guard.authorise()


def _fragment(template: str, **values: Any) -> Response:
    response = Response(render_template(template, **values), mimetype="text/html")
    response.headers["Cache-Control"] = "no-store"
    return response


def _data() -> dict[str, Any]:
    ctx = current()
    return overview(ctx.store, ctx.config, ctx.catalog, ctx.flow_specs)


@bp.get("")
def shell() -> Response:
    return _fragment("inspector/shell.html")


@bp.get("/view/tenants")
def tenants_view() -> Response:
    return _fragment("inspector/tenants.html", data=_data())


@bp.get("/view/flows/<flow_id>")
def flow_view(flow_id: str) -> Response:
    data = _data()
    found = pipeline(data, flow_id)
    if found is None:
        raise not_found(flow_id, "flows")
    return _fragment("inspector/flow.html", data=data, pipe=found)


@bp.get("/view/journal")
def journal_view() -> Response:
    args = {key: value for key, value in request.args.items() if key != "limit"}
    query = JournalQuery.from_args(args | {"limit": str(JOURNAL_LIMIT)})
    entries = current_control().journal.entries(query)[::-1]
    return _fragment(
        "inspector/journal.html",
        entries=entries,
        filters=args,
        applied=urlencode(sorted(args.items())),
        limit=JOURNAL_LIMIT,
    )


@bp.get("/view/actions")
def actions_view() -> Response:
    rules = [rule.to_json() for rule in current_control().faults.all()]
    return _fragment("inspector/actions.html", data=_data(), rules=rules)
