"""Health and readiness, outside the Flow Service prefix and without the gateway's checks."""

from __future__ import annotations

from flask import Blueprint, Response

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
