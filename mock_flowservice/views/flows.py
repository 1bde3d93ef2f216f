"""``/flows`` routes (FACTS-2 §5)."""

from __future__ import annotations

from ..clock import now_ms
from ..operations.flows import FLOWS, connections_published, create_flow, patch_flow
from ..operations.runs import sync_runs
from .documents import Collection, blueprint
from .scope import caller_specs

__all__ = ["bp"]

bp = blueprint(
    Collection(
        FLOWS,
        "flow",
        create=lambda ctx, tenant, caller, body, draft: create_flow(
            ctx.store, caller_specs().flow_specs, ctx.config, tenant, caller, body, draft=draft
        ),
        patch=lambda ctx, tenant, caller, record_id, body, etag: patch_flow(
            ctx.store, caller_specs().flow_specs, ctx.config, tenant, caller, record_id, body, etag
        ),
        prepare=lambda ctx, tenant: sync_runs(ctx.store, ctx.config, tenant, now_ms(ctx.store)),
        action_check=lambda ctx, tenant: connections_published(ctx.store, tenant),
    )
)
