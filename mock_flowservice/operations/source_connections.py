"""Source connections (``/sourceConnections``, FACTS-2 §2): the description and their rules.

A create names the connection spec (``1413-400`` when unknown), a ``data`` object whose
``format`` is one Flow Service supports (``1327-400``), ``params`` (for a table source:
``tableName``), and, for a source that has base connections, the ``baseConnectionId`` of a
connection of the caller's tenant under the same connection spec. Decisions where the docs are
silent (DECISIONS.md): an unknown or foreign base connection is ``1100-400`` naming it; a PATCH
may change ``name``, ``description``, ``data`` and ``params`` (``connectionSpec`` is
``1414-400``, ``baseConnectionId`` ``1455-400``), and the result is checked like a create.
"""

from __future__ import annotations

from typing import Any

from .. import engine
from ..catalog import Catalog, ConnectionSpec
from ..engine import ResourceType
from ..errors import FlowError, invalid_request, missing_field
from ..explore import table_columns
from ..model import Caller, Connection, Document, Tenant
from ..pql import parse_filter
from ..storage import Store
from ..validation import body_field, spec_reference
from .common import PUBLISH, described, document_type, new_document, patch_document, require_object
from .connections import CONNECTIONS

__all__ = [
    "SOURCE_CONNECTIONS",
    "SOURCE_FORMATS",
    "create_source_connection",
    "patch_source_connection",
]

#: ``data.format`` values a source connection may carry (FACTS-2 §2.2, §3).
SOURCE_FORMATS = ("tabular", "delimited", "json", "parquet", "parquet_xdm")

SOURCE_CONNECTIONS: ResourceType[Document] = document_type(
    "sourceConnections",
    ("name", "description", "baseConnectionId", "data", "params", "connectionSpec",
     "inheritedAttributes"),
    PUBLISH,
)  # fmt: skip


def create_source_connection(
    store: Store,
    catalog: Catalog,
    tenant: Tenant,
    caller: Caller,
    body: Any,
    *,
    draft: bool = False,
) -> Document:
    """``POST /sourceConnections``: validated, then stored (draft or enabled)."""
    fields = _validated(store, catalog, tenant, require_object(body))
    return engine.create(
        store, SOURCE_CONNECTIONS, new_document(store, tenant, caller, fields, draft=draft)
    )


def patch_source_connection(
    store: Store,
    catalog: Catalog,
    tenant: Tenant,
    caller: Caller,
    record_id: str,
    ops: Any,
    if_match: str | None,
) -> Document:
    def check(current: Document, fields: dict[str, Any]) -> dict[str, Any]:
        return _validated(store, catalog, tenant, fields)

    return patch_document(
        store,
        SOURCE_CONNECTIONS,
        tenant,
        caller,
        record_id,
        ops,
        if_match,
        patchable=("name", "description", "data", "params"),
        frozen=("connectionSpec",),
        check=check,
    )


# -- the rules of a create body ------------------------------------------------------------


def _validated(
    store: Store, catalog: Catalog, tenant: Tenant, body: dict[str, Any]
) -> dict[str, Any]:
    spec = spec_reference(body, catalog)
    fields = described(body)
    base = _base_connection(store, tenant, spec, body)
    if base is not None:
        fields["baseConnectionId"] = base.id
    fields["data"] = _data(body)
    fields["params"] = _params(spec, body)
    fields["connectionSpec"] = {"id": spec.id, "version": spec.version}
    if base is not None:
        fields["inheritedAttributes"] = {
            "baseConnection": {
                "id": base.id,
                "connectionSpec": {"id": base.spec_id, "version": base.spec_version},
            }
        }
    return fields


def _base_connection(
    store: Store, tenant: Tenant, spec: ConnectionSpec, body: dict[str, Any]
) -> Connection | None:
    base_id = body_field(body, "baseConnectionId", "baseConnectionId", str, required=False)
    if base_id is None:
        return None
    base: Connection | None = store.get(CONNECTIONS.kind, tenant, base_id)
    if base is None:
        raise invalid_request(f"The base connection {base_id} could not be found.")
    if base.spec_id != spec.id:
        raise invalid_request(
            f"The base connection {base_id} belongs to connection spec {base.spec_id}, "
            f"not to {spec.id}."
        )
    return base


def _data(body: dict[str, Any]) -> dict[str, Any]:
    data = body_field(body, "data", "data", dict, required=True)
    fmt = body_field(data, "format", "data.format", str, required=True)
    if fmt not in SOURCE_FORMATS:
        raise FlowError("1327-400", sourceFormat=fmt, values=", ".join(SOURCE_FORMATS))
    return dict(data)


def _params(spec: ConnectionSpec, body: dict[str, Any]) -> dict[str, Any]:
    params = body_field(body, "params", "params", dict, required=False) or {}
    explore = spec.raw.get("exploreSpec")
    tabular = isinstance(explore, dict) and str(explore.get("type", "")).lower() == "tabular"
    if tabular and not isinstance(params.get("tableName"), str):
        raise missing_field("params.tableName")
    if "filters" in params:  # a row-level filter: the PQL object itself, not base64
        row_filter = parse_filter(params["filters"])
        columns = table_columns(spec.id, params["tableName"]) if tabular else None
        if columns is not None:
            row_filter.check_columns(columns)
    return dict(params)
