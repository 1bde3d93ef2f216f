"""The app factory: ``create_app(config)`` builds one independent mock.

Nothing happens at import time. Each app gets its own :class:`~.store.Store`, request journal
and fault rules; the catalog is shared read-only. Every Flow Service route sits under
``config.base_path`` behind the gateway's checks; the IMS token endpoint and ``/__mock__``
routes sit outside it.

Request hooks, in order: a request id and a clock; the fault rules (Flow Service and IMS
routes only, before the gateway); the body-size limit; the gateway (Flow Service blueprint).
After each request: the ``x-request-id`` header, the access log line and the journal entry.
"""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Mapping
from typing import Any

from flask import Blueprint, Flask, Response, g, request

from . import gateway
from .catalog import load_catalog
from .config import MockConfig
from .context import EXTENSION_KEY, MockContext, current
from .errors import GatewayError, register_error_handlers
from .faults import dropping_body
from .journal import Journal, exchange_entry
from .sqlite_store import SqliteStore
from .store import Store
from .views import connection_specs, connections, control, health, ims, openapi

__all__ = ["create_app"]

access_log = logging.getLogger("mock_flowservice.access")
log = logging.getLogger("mock_flowservice")

CONTROL_PREFIX = "/__mock__/"


def create_app(config: MockConfig | Mapping[str, Any] | None = None) -> Flask:
    """A new mock Flow Service app with empty state."""
    settings = MockConfig.from_mapping(config)
    app = Flask("mock_flowservice")
    app.config["MAX_CONTENT_LENGTH"] = settings.max_body_bytes
    app.json.sort_keys = False  # type: ignore[attr-defined]
    app.url_map.merge_slashes = False  # "//" is a 404 like any unknown path, not a redirect
    store: Store = Store()
    if settings.state_path:
        store = SqliteStore(settings.state_path, durable=settings.state_fsync)
    journal = Journal(settings.journal_size)
    app.extensions[EXTENSION_KEY] = MockContext(settings, store, load_catalog(), journal)
    app.before_request(_start_request)
    app.before_request(_inject_fault)
    app.before_request(_check_body_size)
    app.after_request(_finish_request)
    app.register_blueprint(_flowservice_blueprint(settings))
    app.register_blueprint(openapi.bp, url_prefix=settings.base_path)
    app.register_blueprint(ims.bp)
    app.register_blueprint(health.bp)
    if settings.control_api != "off":  # "auto" is resolved by the CLI; here it means "on"
        app.register_blueprint(control.bp)
    register_error_handlers(app)
    return app


def _flowservice_blueprint(settings: MockConfig) -> Blueprint:
    api = Blueprint("flowservice", __name__, url_prefix=settings.base_path)
    api.before_request(_gateway)
    api.register_blueprint(connections.bp)
    api.register_blueprint(connection_specs.bp)
    return api


def _gateway() -> None:
    ctx = current()
    gateway.check_request(ctx.config, ctx.store)


def _start_request() -> None:
    g.request_id = gateway.request_id_from_headers() or str(uuid.uuid4())
    g.started = time.perf_counter()


def _inject_fault() -> Response | None:
    """Apply the first fault rule that fires: wait, then answer an error or drop."""
    if request.path.startswith(CONTROL_PREFIX):
        return None
    injection = current().faults.draw(request.method, request.path)
    if injection is None:
        return None
    g.fault_rule = injection.rule_id
    if injection.latency_s:
        time.sleep(injection.latency_s)
    if injection.drop:
        g.dropped = True
        return Response(dropping_body())
    error = injection.error()
    if error is not None:
        raise error
    return None


def _check_body_size() -> None:
    """413 for a declared length over the limit, whether or not the route reads the body."""
    if (request.content_length or 0) > current().config.max_body_bytes:
        raise GatewayError("413000")


def _finish_request(response: Response) -> Response:
    response.headers["x-request-id"] = g.request_id
    elapsed_ms = (time.perf_counter() - g.started) * 1000
    status = None if g.get("dropped") else response.status_code
    access_log.info(
        "%s %s %s %.1fms request-id=%s",
        request.method,
        request.path,
        "dropped" if status is None else status,
        elapsed_ms,
        g.request_id,
        extra={"status": status, "duration_ms": round(elapsed_ms, 1)},
    )
    if current().config.journal_size > 0 and not request.path.startswith(CONTROL_PREFIX):
        _record(status, elapsed_ms)
    return response


def _record(status: int | None, elapsed_ms: float) -> None:
    ctx = current()
    try:
        entry = exchange_entry(ctx, status=status, request_id=g.request_id, duration_ms=elapsed_ms)
    except Exception as exc:  # the journal must never break an answer
        log.warning("no journal entry for request %s (%s)", g.request_id, type(exc).__name__)
        return
    ctx.journal.record(entry)
