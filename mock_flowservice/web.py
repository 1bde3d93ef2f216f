"""Flask helpers shared by every blueprint: the API's and the control plane's."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Blueprint, Response, jsonify, request

from .context import current
from .engine import QueryArgs
from .errors import FlowError
from .request_state import state
from .validation import parse_json

__all__ = ["if_match", "json_body", "json_response", "query_args", "reference", "route_both"]

View = Callable[..., Any]


def route_both(bp: Blueprint, rule: str, **options: Any) -> Callable[[View], View]:
    """Register ``rule`` with and without a trailing slash (the official spec uses both)."""

    def register(view: View) -> View:
        bp.add_url_rule(rule, view_func=view, **options)
        bp.add_url_rule(rule + "/", endpoint=view.__name__ + "_slash", view_func=view, **options)
        return view

    return register


def json_body() -> Any:
    """The request body decoded as JSON under the configured limits."""
    config = current().config
    body = parse_json(request.get_data(cache=True), config.max_json_depth)
    state().body = body  # the journal records it without decoding it again
    if body is None:  # a JSON null is no body at all (FACTS B.4 1405)
        raise FlowError("1405-400")
    return body


def query_args() -> QueryArgs:
    """The query string in order, as the engine takes it."""
    return QueryArgs(list(request.args.items(multi=True)))


def if_match() -> str | None:
    """``If-Match``, from the header or (as Adobe's Postman collection sends it) the query."""
    return request.headers.get("If-Match", request.args.get("if-match"))


def json_response(body: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    response = jsonify(body)
    response.status_code = status
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


def reference(record: Any, status: int = 200, location: str | None = None) -> Response:
    """``{"id", "etag"}``, the answer of a create (201, with ``Location``), PATCH or action."""
    response = json_response({"id": record.id, "etag": record.etag}, status)
    if location is not None:
        response.headers["Location"] = current().config.base_path + location
    return response
