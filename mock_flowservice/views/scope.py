"""What the caller's org can use (the built-in catalogs plus what it authored), and the
Sources SDK routes that author it."""

from __future__ import annotations

from flask import Blueprint, Response

from ..context import current
from ..operations.authoring import Authored, OrgSpecs, create_spec, org_specs, replace_spec
from ..request_state import state
from ..web import if_match, json_body, json_response, route_both

__all__ = ["add_authoring_routes", "caller_specs"]


def caller_specs() -> OrgSpecs:
    """Connection and flow specs for the org of the current request."""
    ctx = current()
    return org_specs(ctx.store, ctx.catalog, ctx.flow_specs, state().who[0].org)


def add_authoring_routes(bp: Blueprint, kind: Authored, singular: str) -> None:
    """``POST /{kind}`` (201) and ``PUT /{kind}/{id}`` (200), both answering the bare spec;
    endpoints ``create_{singular}`` and ``update_{singular}`` (Adobe's operationIds)."""
    collection = kind.rtype.kind

    def create() -> Response:
        (tenant, caller), ctx = state().who, current()
        record = create_spec(ctx.store, kind, caller_specs(), tenant, caller, json_body())
        return json_response(kind.rtype.render(record, ""), 201)

    def update(spec_id: str) -> Response:
        (tenant, caller), ctx = state().who, current()
        body, etag = json_body(), if_match()
        record = replace_spec(ctx.store, kind, caller_specs(), tenant, caller, spec_id, body, etag)
        return json_response(kind.rtype.render(record, ""))

    create.__name__, update.__name__ = f"create_{singular}", f"update_{singular}"
    bp.add_url_rule(f"/{collection}", view_func=create, methods=["POST"])
    route_both(bp, f"/{collection}/<spec_id>", methods=["PUT"])(update)
