"""``/targetConnections`` routes (FACTS-2 §3)."""

from __future__ import annotations

from ..operations.target_connections import (
    TARGET_CONNECTIONS,
    create_target_connection,
    patch_target_connection,
)
from .documents import Collection, blueprint
from .scope import caller_specs

__all__ = ["bp"]

bp = blueprint(
    Collection(
        TARGET_CONNECTIONS,
        "target_connection",
        create=lambda ctx, tenant, caller, body, draft: create_target_connection(
            ctx.store, caller_specs().connection_specs.targets, tenant, caller, body, draft=draft
        ),
        patch=lambda ctx, tenant, caller, record_id, body, etag: patch_target_connection(
            ctx.store,
            caller_specs().connection_specs.targets,
            tenant,
            caller,
            record_id,
            body,
            etag,
        ),
    )
)
