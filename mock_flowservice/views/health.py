"""Health, readiness and the index ``GET /``: outside the Flow Service prefix, no gateway checks.

``GET /`` tells a visitor where things are: the API's base path, the OpenAPI document, health
and readiness, the IMS token endpoint, the control API and its inspector page (when it is on).
JSON, or a small HTML page when the ``Accept`` header prefers ``text/html`` (a browser). Paths
only: nothing of the request (its ``Host``) is echoed.
"""

from __future__ import annotations

import html
from importlib.metadata import PackageNotFoundError, version
from typing import Any

from flask import Blueprint, Response, current_app, request

from ..context import current
from ..web import json_response

__all__ = ["bp"]

bp = Blueprint("health", __name__)


@bp.get("/__mock__/health")
def health() -> Response:
    return json_response({"status": "ok"})


@bp.get("/__mock__/ready")
def ready() -> Response:
    return json_response({"status": "ready", "connectionSpecs": len(current().catalog)})


def _version() -> str:
    try:
        return version("mock-flowservice")
    except PackageNotFoundError:  # pragma: no cover - run from a tree that is not installed
        return "unknown"


def index_document() -> dict[str, Any]:
    """What ``GET /`` answers as JSON."""
    base = current().config.base_path
    control = "control" in current_app.blueprints
    return {
        "name": "mock-flowservice",
        "description": "An offline mock of Adobe Experience Platform's Flow Service API.",
        "version": _version(),
        "basePath": base,
        "openapi": base + "/openapi.json",
        "health": "/__mock__/health",
        "ready": "/__mock__/ready",
        "imsToken": "/ims/token/v3",
        "controlApi": "/__mock__" if control else None,
        "inspector": "/__mock__/ui" if control else None,
    }


_LABELS = (
    ("basePath", "Flow Service API (base path; requests need the gateway's headers)"),
    ("openapi", "OpenAPI document"),
    ("health", "Health"),
    ("ready", "Readiness"),
    ("imsToken", "IMS token endpoint (POST)"),
    ("controlApi", "Control API (reset, seed, journal, faults, clock)"),
    ("inspector", "Inspector: the mock's objects, runs and request journal in the browser"),
)


@bp.get("/")
def index() -> Response:
    document = index_document()
    best = request.accept_mimetypes.best_match(["application/json", "text/html"])
    if best != "text/html":
        return json_response(document)
    items = "".join(
        f'<li><a href="{html.escape(document[key])}">{html.escape(document[key])}</a> '
        f"{html.escape(label)}</li>"
        for key, label in _LABELS
        if document[key] is not None
    )
    page = (
        '<!doctype html><html><head><meta charset="utf-8"><title>mock-flowservice</title>'
        f"</head><body><h1>mock-flowservice {html.escape(document['version'])}</h1>"
        f"<p>{html.escape(document['description'])}</p><ul>{items}</ul></body></html>"
    )
    return Response(page, mimetype="text/html")
