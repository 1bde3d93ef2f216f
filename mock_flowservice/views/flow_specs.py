"""``/flowSpecs`` routes (FACTS-2 §4): the flow-spec catalog, and flow specs an org authors."""

from __future__ import annotations

from flask import Blueprint, Response

from ..engine import filter_documents, search_args
from ..errors import not_found
from ..operations import authoring
from ..web import json_body, json_response, query_args, route_both
from .scope import add_authoring_routes, caller_specs

__all__ = ["bp"]

bp = Blueprint("flow_specs", __name__)

#: Top-level fields ``property=`` may name (FACTS-2 §4 documents ``id``, ``name``, ``providerId``).
FLOW_SPEC_FIELDS = frozenset(
    {"id", "name", "providerId", "version", "attributes", "sourceConnectionSpecIds",
     "targetConnectionSpecIds", "transformationSpecs", "scheduleSpec", "optionSpec", "runSpec",
     "permissionsInfo"}
)  # fmt: skip


@bp.get("/flowSpecs")
def list_flow_specs() -> Response:
    documents = caller_specs().flow_specs.all()
    return json_response({"items": filter_documents(documents, query_args(), FLOW_SPEC_FIELDS)})


@bp.post("/flowSpecs/search")
def search_flow_specs() -> Response:
    """``queryString`` conditions as on the listing (``limit`` and the rest are not needed for a
    catalog this small and are refused like unknown listing params)."""
    documents = caller_specs().flow_specs.all()
    args = search_args(json_body(), None)
    return json_response({"items": filter_documents(documents, args, FLOW_SPEC_FIELDS)})


@route_both(bp, "/flowSpecs/<spec_id>", methods=["GET"])
def retrieve_flow_spec(spec_id: str) -> Response:
    spec = caller_specs().flow_specs.get(spec_id.lower())
    if spec is None:
        raise not_found(spec_id, "flowSpecs")
    return json_response({"items": [spec]})


add_authoring_routes(bp, authoring.AUTHORED_FLOW_SPECS, "flow_spec")
