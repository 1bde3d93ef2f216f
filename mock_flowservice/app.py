"""The app factory: ``create_app(config)`` builds one independent mock.

Nothing happens at import time. Each app gets its own :class:`~.store.Store`; the catalog is
shared read-only. Every Flow Service route sits under ``config.base_path`` behind the gateway's
checks; the IMS token endpoint and ``/__mock__`` routes sit outside it.
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
from .errors import register_error_handlers
from .store import Store
from .views import connection_specs, connections, health, ims

__all__ = ["create_app"]

access_log = logging.getLogger("mock_flowservice.access")


def create_app(config: MockConfig | Mapping[str, Any] | None = None) -> Flask:
    """A new mock Flow Service app with empty state."""
    settings = MockConfig.from_mapping(config)
    app = Flask("mock_flowservice")
    app.config["MAX_CONTENT_LENGTH"] = settings.max_body_bytes
    app.json.sort_keys = False  # type: ignore[attr-defined]
    app.extensions[EXTENSION_KEY] = MockContext(settings, Store(), load_catalog())
    app.before_request(_start_request)
    app.after_request(_finish_request)
    app.register_blueprint(_flowservice_blueprint(settings))
    app.register_blueprint(ims.bp)
    app.register_blueprint(health.bp)
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


def _finish_request(response: Response) -> Response:
    response.headers["x-request-id"] = g.request_id
    elapsed_ms = (time.perf_counter() - g.started) * 1000
    access_log.info(
        "%s %s %s %.1fms request-id=%s",
        request.method,
        request.path,
        response.status_code,
        elapsed_ms,
        g.request_id,
    )
    return response
