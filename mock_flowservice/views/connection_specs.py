"""``/connectionSpecs`` routes (FACTS A.2): the catalog, and specs an org authors (Sources SDK)."""

from __future__ import annotations

from flask import Blueprint, Response, request

from ..catalog import ConnectionSpec
from ..context import current
from ..engine import filter_documents
from ..errors import not_found
from ..explore import browse
from ..operations import authoring
from ..web import json_response, query_args, route_both
from .scope import add_authoring_routes, caller_specs

__all__ = ["bp"]

bp = Blueprint("connection_specs", __name__)

SPEC_FIELDS = frozenset(
    {"id", "name", "providerId", "version", "type", "attributes", "authSpec", "sourceSpec",
     "exploreSpec", "permissionsInfo"}
)  # fmt: skip


@bp.get("/connectionSpecs")
def list_connection_specs() -> Response:
    documents = [spec.as_json() for spec in caller_specs().connection_specs]
    found = filter_documents(documents, query_args(), SPEC_FIELDS, unknown_field="1423-400")
    return json_response({"items": found})


def _spec(spec_id: str) -> ConnectionSpec:
    spec = caller_specs().connection_specs.get(spec_id.lower())
    if spec is None:
        raise not_found(spec_id, "connectionSpecs")
    return spec


@route_both(bp, "/connectionSpecs/<spec_id>", methods=["GET"])
def retrieve_connection_spec(spec_id: str) -> Response:
    return json_response({"items": [_spec(spec_id).as_json()]})


add_authoring_routes(bp, authoring.AUTHORED_CONNECTION_SPECS, "connection_spec")


@route_both(bp, "/connectionSpecs/<spec_id>/explore", methods=["GET"])
def explore_connection_spec(spec_id: str) -> Response:
    return json_response(browse(_spec(spec_id).raw, request.args.to_dict(), current().config))


@route_both(bp, "/connectionSpecs/<spec_id>/configs", methods=["GET"])
def connection_spec_configs(spec_id: str) -> Response:
    """Auth-type configuration, e.g. the IAM role for S3 (FACTS A.2); empty elsewhere."""
    spec = _spec(spec_id)
    auth_type = request.args.get("authType", "")
    params = {"IAMRole": "arn:aws:iam::000000000000:role/mock-flowservice"}
    return json_response({"configParams": params if _uses_iam(spec, auth_type) else {}})


def _uses_iam(spec: ConnectionSpec, auth_type: str) -> bool:
    return auth_type.lower().startswith("iam") and any(
        name.lower().startswith("iam") for name in spec.auth_specs
    )
