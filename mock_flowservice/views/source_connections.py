"""``/sourceConnections`` routes (FACTS-2 §2)."""

from __future__ import annotations

from ..operations.source_connections import (
    SOURCE_CONNECTIONS,
    create_source_connection,
    patch_source_connection,
)
from .documents import Collection, blueprint
from .scope import caller_specs

__all__ = ["bp"]

bp = blueprint(
    Collection(
        SOURCE_CONNECTIONS,
        "source_connection",
        create=lambda ctx, tenant, caller, body, draft: create_source_connection(
            ctx.store, caller_specs().connection_specs, tenant, caller, body, draft=draft
        ),
        patch=lambda ctx, tenant, caller, record_id, body, etag: patch_source_connection(
            ctx.store, caller_specs().connection_specs, tenant, caller, record_id, body, etag
        ),
    )
)
