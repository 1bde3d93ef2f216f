"""Which flows use a connection: the one query behind "cannot delete, still in use".

Kept apart from :mod:`.flows` so the connection modules can ask it without importing the flow
rules (which import them). ``MockConfig.delete_in_use`` decides whether a use refuses a delete:
``FLOW-1418-400`` for a base connection (FACTS), ``FLOW-1447-400`` for a source or target
connection (FACTS-2 §11.2).
"""

from __future__ import annotations

from ..config import MockConfig
from ..errors import FlowError
from ..model import Document, Tenant
from ..storage import Store

__all__ = ["FLOWS_KIND", "refuse_if_used", "using_flows"]

FLOWS_KIND = "flows"


def using_flows(store: Store, tenant: Tenant, record_id: str) -> list[Document]:
    """The tenant's flows that name ``record_id`` as a source, target or base connection."""

    def uses(flow: Document) -> bool:
        fields = flow.fields
        if record_id in fields.get("sourceConnectionIds", ()):
            return True
        if record_id in fields.get("targetConnectionIds", ()):
            return True
        inherited = fields.get("inheritedAttributes", {}).get("sourceConnections", ())
        return any(s.get("baseConnection", {}).get("id") == record_id for s in inherited)

    return list(store.scan(FLOWS_KIND, tenant, accept=uses, limit=2**62))


def refuse_if_used(
    store: Store, config: MockConfig, tenant: Tenant, record_id: str, *, base: bool
) -> None:
    """Raise the documented refusal when a flow still uses the connection (and config says so)."""
    if config.delete_in_use != "refuse" or not using_flows(store, tenant, record_id):
        return
    if base:
        raise FlowError("1418-400", id=record_id)
    raise FlowError("1447-400", id=record_id)
