"""``GET <base_path>/openapi.json``: the mock's own OpenAPI 3 document, without gateway checks.

The document is package data (``data/openapi.json``, built by ``tools/build_openapi.py``), read
once per process. Each app serves a copy whose ``servers`` names that app's base path.
"""

from __future__ import annotations

import copy
import json
from functools import cache
from importlib import resources
from typing import Any

from flask import Blueprint, Response

from ..context import current
from ..web import json_response

__all__ = ["bp", "load_document"]

DATA_FILE = "openapi.json"

bp = Blueprint("openapi", __name__)


@cache
def load_document() -> dict[str, Any]:
    """The packaged document as committed (parsed once; treat as read-only)."""
    text = resources.files("mock_flowservice").joinpath("data", DATA_FILE).read_text("utf-8")
    document: dict[str, Any] = json.loads(text)
    return document


def document_for(base_path: str) -> dict[str, Any]:
    """A copy of the document whose top-level ``servers`` is ``base_path``."""
    document = copy.deepcopy(load_document())
    document["servers"] = [{"url": base_path, "description": "The mock's configured base path."}]
    return document


@bp.get("/openapi.json")
def openapi_document() -> Response:
    return json_response(document_for(current().config.base_path))
