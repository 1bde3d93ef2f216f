"""The one place that turns exceptions into error bodies: every answer of the app is JSON.

:func:`register_error_handlers` renders the mock's own errors (:mod:`.errors`), werkzeug's
routing 404/405 and 413 as the gateway's, and anything unexpected as ``FLOW-1102-500`` (logged
with the request id). No error is HTML.
"""

from __future__ import annotations

import logging

from flask import Flask, Response, has_request_context, jsonify
from werkzeug.exceptions import HTTPException

from .errors import FlowError, GatewayError, MockError, invalid_request
from .request_state import request_id

__all__ = ["register_error_handlers", "render"]

log = logging.getLogger("mock_flowservice")

_ROUTING_CODES = {404: "404000", 405: "405000", 413: "413000"}


def _request_id() -> str:
    return request_id() if has_request_context() else ""


def render(error: MockError) -> Response:
    """The JSON response for one mock error, with the request id header."""
    response = jsonify(error.body(_request_id()))
    response.status_code = error.status
    for name, value in error.headers().items():
        response.headers[name] = value
    return response


def _from_http_exception(exc: HTTPException) -> MockError:
    code = exc.code or 500
    if code in _ROUTING_CODES:
        return GatewayError(_ROUTING_CODES[code])
    if code >= 500:
        return FlowError("1102-500")
    return invalid_request(exc.description or "Bad request.")


def register_error_handlers(app: Flask) -> None:
    """Install the one handler that renders every error the app can raise."""

    @app.errorhandler(MockError)
    def _mock_error(exc: MockError) -> Response:
        return render(exc)

    @app.errorhandler(HTTPException)
    def _http_error(exc: HTTPException) -> Response:
        response = render(_from_http_exception(exc))
        if exc.code == 405 and exc.valid_methods:  # type: ignore[attr-defined]
            response.headers["Allow"] = ", ".join(exc.valid_methods)  # type: ignore[attr-defined]
        return response

    @app.errorhandler(Exception)
    def _unexpected(exc: Exception) -> Response:
        log.error("unhandled %s in request %s", type(exc).__name__, _request_id())
        return render(FlowError("1102-500"))
