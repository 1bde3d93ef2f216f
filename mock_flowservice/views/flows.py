"""``/flows`` routes (FACTS-2 §5)."""

from __future__ import annotations

from ..operations.flows import FLOWS, create_flow, patch_flow
from .documents import Collection, blueprint

__all__ = ["bp"]

bp = blueprint(
    Collection(
        FLOWS,
        "flow",
        create=lambda ctx, tenant, caller, body, draft: create_flow(
            ctx.store, ctx.flow_specs, ctx.config, tenant, caller, body, draft=draft
        ),
        patch=lambda ctx, tenant, caller, record_id, body, etag: patch_flow(
            ctx.store, ctx.flow_specs, ctx.config, tenant, caller, record_id, body, etag
        ),
    )
)
