"""What the inspector shows: every tenant's pipeline objects, as the API serves them.

:func:`overview` is the one reader of the inspector's data (``GET /__mock__/inspect`` and the
pages of :mod:`.ui`). It reads the store through the resource types the API itself renders
with (``ResourceType.render`` with ``config.secret_mask``), so a secret reads exactly as
``GET /connections/{id}`` shows it: there is no second masking here. Like a read of runs or
flows over the API, it first materialises the runs that came due by the mock's clock.

:func:`pipeline` picks one flow out of an overview: its base connections, source and target
connections and runs (newest first), with the names of the specs they use.
"""

from __future__ import annotations

from typing import Any

from ..catalog import Catalog
from ..clock import clock_state
from ..config import MockConfig
from ..engine import ResourceType
from ..flow_catalog import FlowSpecCatalog
from ..model import Tenant
from ..operations.connections import CONNECTIONS
from ..operations.flows import FLOWS
from ..operations.runs import RUNS, sync_all
from ..operations.source_connections import SOURCE_CONNECTIONS
from ..operations.target_connections import TARGET_CONNECTIONS
from ..storage import Store

__all__ = ["KINDS", "overview", "pipeline", "run_status"]

#: The collections an overview lists per tenant, in the order a pipeline is built.
KINDS: tuple[ResourceType[Any], ...] = (
    CONNECTIONS,
    SOURCE_CONNECTIONS,
    TARGET_CONNECTIONS,
    FLOWS,
    RUNS,
)

Json = dict[str, Any]


def overview(
    store: Store, config: MockConfig, catalog: Catalog, flow_specs: FlowSpecCatalog
) -> Json:
    """``{"clock", "tenants": [{"imsOrgId", "sandboxName", <kind>: [object, ...]}], "specNames"}``.

    Tenants are sorted by org then sandbox; objects keep creation order (runs too)."""
    clock = clock_state(store)
    sync_all(store, config, clock.now())
    tenants: dict[Tenant, Json] = {}
    for rtype in KINDS:
        for record in store.everything(rtype.kind):
            tenant = tenants.setdefault(record.tenant, _empty(record.tenant))
            tenant[rtype.kind].append(rtype.render(record, config.secret_mask))
    ordered = [tenants[key] for key in sorted(tenants)]
    return {
        "clock": clock.as_json(),
        "tenants": ordered,
        "specNames": _spec_names(ordered, catalog, flow_specs),
    }


def _empty(tenant: Tenant) -> Json:
    return {"imsOrgId": tenant.org, "sandboxName": tenant.sandbox} | {
        rtype.kind: [] for rtype in KINDS
    }


def _spec_names(
    tenants: list[Json], catalog: Catalog, flow_specs: FlowSpecCatalog
) -> dict[str, str]:
    """The name of every connection, target and flow spec the objects refer to."""
    names: dict[str, str] = {}
    for tenant in tenants:
        for kind in ("connections", "sourceConnections", "targetConnections"):
            for item in tenant[kind]:
                spec_id = str((item.get("connectionSpec") or {}).get("id", ""))
                spec = catalog.get(spec_id) or catalog.targets.get(spec_id)
                if spec is not None:
                    names[spec_id] = spec.name
        for flow in tenant["flows"]:
            flow_spec_id = str((flow.get("flowSpec") or {}).get("id", ""))
            flow_spec = flow_specs.spec(flow_spec_id)
            if flow_spec is not None:
                names[flow_spec_id] = flow_spec.name
    return names


def run_status(run: Json) -> str:
    """A run's ``metrics.statusSummary.status`` (``inProgress``, ``success``, ``failed``)."""
    return str(run.get("metrics", {}).get("statusSummary", {}).get("status", run.get("state")))


def pipeline(document: Json, flow_id: str) -> Json | None:
    """One flow of an :func:`overview` with what it ties together, or None when unknown:
    ``{"tenant", "flow", "sources": [{"source", "base"}], "targets", "runs"}``."""
    for tenant in document["tenants"]:
        flow = next((f for f in tenant["flows"] if f["id"] == flow_id), None)
        if flow is None:
            continue
        by_id = {
            kind: {item["id"]: item for item in tenant[kind]}
            for kind in ("connections", "sourceConnections", "targetConnections")
        }
        sources = []
        for source_id in flow.get("sourceConnectionIds", []):
            source = by_id["sourceConnections"].get(source_id)
            base_id = (source or {}).get("baseConnectionId")
            base = by_id["connections"].get(base_id) if base_id else None
            sources.append({"id": source_id, "source": source, "base": base})
        targets = [
            {"id": target_id, "target": by_id["targetConnections"].get(target_id)}
            for target_id in flow.get("targetConnectionIds", [])
        ]
        runs = [run for run in tenant["runs"] if run.get("flowId") == flow_id]
        return {
            "tenant": {"imsOrgId": tenant["imsOrgId"], "sandboxName": tenant["sandboxName"]},
            "flow": flow,
            "sources": sources,
            "targets": targets,
            "runs": runs[::-1],
        }
    return None
