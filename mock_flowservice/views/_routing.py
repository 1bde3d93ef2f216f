"""Small helpers shared by the blueprints."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Blueprint, Response, g, jsonify, request

from ..context import current
from ..validation import parse_json

__all__ = ["json_body", "json_response", "route_both"]

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
    g.json_body = body  # the journal records it without decoding it again
    return body


def json_response(body: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    response = jsonify(body)
    response.status_code = status
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response
