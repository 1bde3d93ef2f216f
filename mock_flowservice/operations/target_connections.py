"""Target connections (``/targetConnections``, FACTS-2 §3): the description and their rules.

A create names a *target* connection spec (``1307-400`` otherwise, listing the allowed ids),
``params.dataSetId`` (``1325-400`` when null or empty; a Catalog dataset id is 24 hexadecimal
characters, anything else ``1100-400``) and ``data.schema`` with its ``id`` and ``version``
(``1304-400`` naming the missing one); ``data.format`` is any string and defaults to
``parquet_xdm``. A Data Lake target has no base connection. A PATCH may change ``name``,
``description``, ``data`` and ``params``, checked again like a create.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from .. import engine
from ..catalog import ConnectionSpec
from ..engine import ResourceType
from ..errors import FlowError, invalid_request
from ..model import Caller, Document, Tenant
from ..storage import Store
from ..validation import body_field
from .common import PUBLISH, described, document_type, new_document, patch_document, require_object

__all__ = [
    "DEFAULT_TARGET_FORMAT",
    "TARGET_CONNECTIONS",
    "create_target_connection",
    "patch_target_connection",
]

DEFAULT_TARGET_FORMAT = "parquet_xdm"
_DATASET_ID = re.compile(r"^[0-9a-f]{24}$")

TargetSpecs = Mapping[str, ConnectionSpec]

TARGET_CONNECTIONS: ResourceType[Document] = document_type(
    "targetConnections",
    ("name", "description", "data", "params", "connectionSpec", "inheritedAttributes"),
    PUBLISH,
)  # fmt: skip


def create_target_connection(
    store: Store,
    targets: TargetSpecs,
    tenant: Tenant,
    caller: Caller,
    body: Any,
    *,
    draft: bool = False,
) -> Document:
    """``POST /targetConnections``: validated, then stored (draft or enabled)."""
    fields = _validated(targets, require_object(body))
    record = new_document(store, tenant, caller, fields, draft=draft)
    return engine.create(store, TARGET_CONNECTIONS, record)


def patch_target_connection(
    store: Store,
    targets: TargetSpecs,
    tenant: Tenant,
    caller: Caller,
    record_id: str,
    ops: Any,
    if_match: str | None,
) -> Document:
    return patch_document(
        store,
        TARGET_CONNECTIONS,
        tenant,
        caller,
        record_id,
        ops,
        if_match,
        patchable=("name", "description", "data", "params"),
        frozen=("connectionSpec",),
        check=lambda current, fields: _validated(targets, fields),
    )


# -- the rules of a create body ------------------------------------------------------------


def _validated(targets: TargetSpecs, body: dict[str, Any]) -> dict[str, Any]:
    spec = _target_spec(targets, body)
    fields = described(body)
    fields["data"] = _data(body)
    fields["params"] = _params(body, fields["name"])
    fields["connectionSpec"] = {"id": spec.id, "version": spec.version}
    return fields


def _target_spec(targets: TargetSpecs, body: dict[str, Any]) -> ConnectionSpec:
    ref = body_field(body, "connectionSpec", "connectionSpec", dict, required=True)
    spec_id = body_field(ref, "id", "connectionSpec.id", str, required=True)
    version = body_field(ref, "version", "connectionSpec.version", str, required=False)
    spec = targets.get(spec_id.lower())
    if spec is None:
        allowed = ", ".join(sorted(targets))
        raise FlowError("1307-400", targetConnectionSpecId=spec_id, allowed=allowed)
    if version is not None and version != spec.version:
        raise FlowError("1413-400")
    return spec


def _data(body: dict[str, Any]) -> dict[str, Any]:
    data = dict(body_field(body, "data", "data", dict, required=True))
    schema = body_field(data, "schema", "data.schema", dict, required=True)
    body_field(schema, "id", "data.schema.id", str, required=True)
    body_field(schema, "version", "data.schema.version", str, required=True)
    fmt = body_field(data, "format", "data.format", str, required=False)
    data["format"] = fmt or DEFAULT_TARGET_FORMAT
    return data


def _params(body: dict[str, Any], name: str) -> dict[str, Any]:
    params = body_field(body, "params", "params", dict, required=False) or {}
    dataset = params.get("dataSetId")
    if dataset is None or dataset == "":
        raise FlowError("1325-400", TargetConnection=name)
    if not isinstance(dataset, str) or not _DATASET_ID.match(dataset):
        raise invalid_request(
            "The params.dataSetId must be a Catalog dataset ID (24 hexadecimal characters)."
        )
    return dict(params)
