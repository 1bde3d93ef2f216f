"""``/connectionSpecs`` routes (FACTS A.2): the catalog, read-only."""

from __future__ import annotations

from flask import Blueprint, Response, request

from ..context import current
from ..errors import not_found
from ..listing import filter_documents
from ._routing import json_response, route_both

__all__ = ["bp"]

bp = Blueprint("connection_specs", __name__)

SPEC_FIELDS = frozenset(
    {"id", "name", "providerId", "version", "type", "attributes", "authSpec", "sourceSpec",
     "exploreSpec", "permissionsInfo"}
)  # fmt: skip


@bp.get("/connectionSpecs")
def list_connection_specs() -> Response:
    documents = [spec.as_json() for spec in current().catalog]
    return json_response({"items": filter_documents(documents, request.args, SPEC_FIELDS)})


@route_both(bp, "/connectionSpecs/<spec_id>", methods=["GET"])
def retrieve_connection_spec(spec_id: str) -> Response:
    spec = current().catalog.get(spec_id.lower())
    if spec is None:
        raise not_found(spec_id, "connectionSpecs")
    return json_response({"items": [spec.as_json()]})
