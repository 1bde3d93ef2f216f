"""The app factory: ``create_app(config)`` builds one independent mock.

Nothing happens at import time. Each app gets its own store, request journal and fault rules;
the catalog is shared read-only. Every Flow Service route sits under ``config.base_path``
behind the gateway's checks; the IMS token endpoint and ``/__mock__`` routes sit outside it.

Request hooks, in order: the request's state (id and clock, :mod:`.request_state`); the fault
rules (Flow Service and IMS routes only, before the gateway); the body-size limit; the gateway
(Flow Service blueprint). After each request: the ``x-request-id`` header, the access log line
and the journal entry.
"""

from __future__ import annotations

import json
import logging
import time
import uuid
from collections.abc import Mapping
from typing import Any

from flask import Blueprint, Flask, Response, request

from . import gateway
from .catalog import load_catalog
from .config import MockConfig
from .context import EXTENSION_KEY, MockContext, current
from .control import hooks, plane
from .control import ui as control_ui
from .control import views as control_views
from .errors import GatewayError
from .handlers import register_error_handlers
from .json_provider import OrjsonProvider
from .logs import error_code, log_headers
from .operations import registry
from .request_state import begin, state
from .storage import MemoryStore, SqliteStore, Store
from .url_rules import LazyRule
from .views import (
    connection_specs,
    connections,
    flow_specs,
    flows,
    health,
    ims,
    openapi,
    runs,
    source_connections,
    target_connections,
)
from .wsgi_call import content_length

__all__ = ["create_app"]

access_log = logging.getLogger("mock_flowservice.access")
_ACCESS_FORMAT = "%s %s %s %.1fms request-id=%s%s"


def create_app(config: MockConfig | Mapping[str, Any] | None = None) -> Flask:
    """A new mock Flow Service app with empty state."""
    settings = MockConfig.from_mapping(config)
    app = Flask("mock_flowservice", static_folder=None)  # no /static route: a 404 like any path
    app.url_rule_class = LazyRule  # URL builders compile when used: most rules never build one
    app.config["MAX_CONTENT_LENGTH"] = settings.max_body_bytes
    app.json = OrjsonProvider(app)  # insertion order, encoded once in C
    app.url_map.merge_slashes = False  # "//" is a 404 like any unknown path, not a redirect
    app.extensions[EXTENSION_KEY] = MockContext(settings, _store(settings), load_catalog())
    plane.install(app, settings)
    app.before_request(_before_request)  # one hook: Flask's per-hook dispatch costs per request
    app.after_request(_finish_request)
    app.register_blueprint(_flowservice_blueprint(settings))
    app.register_blueprint(openapi.bp, url_prefix=settings.base_path)
    app.register_blueprint(ims.bp)
    app.register_blueprint(health.bp)
    if settings.control_api != "off":  # "auto" is resolved by the CLI; here it means "on"
        app.register_blueprint(control_views.bp)
        app.register_blueprint(control_ui.bp)
    register_error_handlers(app)
    return app


def _store(settings: MockConfig) -> Store:
    if settings.state_path:
        return SqliteStore(
            settings.state_path,
            registry.decoders(),
            durable=settings.state_fsync,
            open_timeout_s=settings.state_open_timeout_seconds,
        )
    return MemoryStore()


def _flowservice_blueprint(settings: MockConfig) -> Blueprint:
    api = Blueprint("flowservice", __name__, url_prefix=settings.base_path)
    api.before_request(_gateway)
    api.register_blueprint(connections.bp)
    api.register_blueprint(connection_specs.bp)
    api.register_blueprint(flow_specs.bp)
    api.register_blueprint(flows.bp)
    api.register_blueprint(runs.bp)
    api.register_blueprint(source_connections.bp)
    api.register_blueprint(target_connections.bp)
    return api


def _gateway() -> None:
    ctx = current()
    tenant, caller = gateway.check_request(ctx.config, ctx.store)
    now = state()
    now.tenant, now.caller = tenant, caller


def _before_request() -> Response | None:
    """The request's state, then the fault rules (an answer stops here), then the size limit."""
    _start_request()
    answer = hooks.inject_fault()
    if answer is not None:
        return answer
    _check_body_size()
    return None


def _start_request() -> None:
    begin(gateway.request_id_from_headers() or str(uuid.uuid4()))


def _check_body_size() -> None:
    """413 for a declared length over the limit, whether or not the route reads the body."""
    if (content_length(request.environ) or 0) > current().config.max_body_bytes:
        raise GatewayError("413000")


def _finish_request(response: Response) -> Response:
    now = state()
    response.headers["x-request-id"] = now.request_id
    elapsed_ms = (time.perf_counter() - now.started) * 1000
    status = None if now.dropped else response.status_code
    if access_log.isEnabledFor(logging.INFO):  # nothing formatted for a log nobody reads
        _log_access(response, now.request_id, status, elapsed_ms)
    if current().config.journal_size > 0 and not _unrecorded(request.path):
        hooks.record(status, elapsed_ms, response)
    return response


def _log_access(response: Response, request_id: str, status: int | None, elapsed_ms: float) -> None:
    code = error_code(response) if status is not None and status >= 400 else None
    method, path = request.method, request.path
    args = (
        method,
        path,
        "dropped" if status is None else status,
        elapsed_ms,
        request_id,
        f" error={code}" if code else "",
    )
    extra = {
        "status": status,
        "duration_ms": round(elapsed_ms, 1),
        "error_code": code,
        "request_id": request_id or "-",
        "method": method,
        "path": path,
    }
    # As access_log.info would, without walking the stack for the caller's file and line.
    access_log.handle(
        access_log.makeRecord(
            access_log.name, logging.INFO, __file__, 0, _ACCESS_FORMAT, args, None, extra=extra
        )
    )
    if access_log.isEnabledFor(logging.DEBUG):
        access_log.debug("request headers %s", json.dumps(log_headers(request.headers.items())))


def _unrecorded(path: str) -> bool:
    """Control and health requests and the index are not journal entries."""
    return path == "/" or path.startswith(hooks.CONTROL_PREFIX)
