"""Dataflows (``/flows``, FACTS-2 §5): the description and their rules.

A create names a flow spec (``1413-400``), at least one source and one target connection
(``1338-400``) of the caller's tenant that the flow spec admits and that are published (a
draft flow may use drafts), transformations the flow spec knows with params valid against its
JSON Schemas, and schedule params valid against its schedule spec. ``state`` and ``mode`` in
the body are refused (``1410``, ``1368``). Where the docs give codes, those are used:

* schedule: empty ``1317``; frequency ``1397``; ``once`` with an interval ``1361``, with a
  backfill ``1364``; an interval under the minimum ``1362``; a start in the past ``1360`` only
  when ``MockConfig.refuse_past_start_time`` (the docs' own examples start in 2021);
* Copy: a CRM flow without a delta column ``1367``; a delta column with ``once`` ``1369``;
  Mapping: a mapping version that is not a whole number ``1412``.

Schedule values are accepted as numbers or numeric strings (FACTS-2 W4) and stored as sent.
The flow reads back with ``inheritedAttributes`` (its source connections with their base
connections, its target connections), its ``runs`` link and, once a run finished,
``lastRunDetails``. Actions: ``enable`` (from disabled), ``disable`` (from enabled),
``publish`` (a draft), refused in another state with ``1422-400``.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from typing import Any

from .. import engine
from ..config import MockConfig
from ..engine import Action, ResourceType
from ..errors import FlowError, invalid_request, missing_field
from ..flow_catalog import FlowSpec, FlowSpecCatalog
from ..model import Caller, Document, Tenant, now_ms
from ..storage import Store
from ..validation import body_field
from .common import (
    DRAFT_STATE,
    described,
    document_type,
    new_document,
    patch_document,
    require_object,
)
from .source_connections import SOURCE_CONNECTIONS
from .target_connections import TARGET_CONNECTIONS
from .usage import FLOWS_KIND

__all__ = ["FLOWS", "MIN_INTERVALS", "connections_published", "create_flow", "patch_flow"]

#: Smallest interval per frequency (FACTS-2 §5.2, the current docs; W3).
MIN_INTERVALS = {"minute": 15, "hour": 1, "day": 1, "week": 1}
FREQUENCIES = ("once", *MIN_INTERVALS)

FLOWS: ResourceType[Document] = document_type(
    FLOWS_KIND,
    ("name", "description", "flowSpec", "sourceConnectionIds", "targetConnectionIds",
     "inheritedAttributes", "transformations", "scheduleParams", "options", "runs",
     "lastRunDetails"),
    {
        "enable": Action("enable", frozenset({"disabled"}), "enabled", refusal="1422-400"),
        "disable": Action("disable", frozenset({"enabled"}), "disabled", refusal="1422-400"),
        "publish": Action("publish", frozenset({DRAFT_STATE}), "enabled", refusal="1422-400"),
    },
    patch_states=None,  # a draft flow is completed with PATCH before it is published
)  # fmt: skip


def create_flow(
    store: Store,
    flow_specs: FlowSpecCatalog,
    config: MockConfig,
    tenant: Tenant,
    caller: Caller,
    body: Any,
    *,
    draft: bool = False,
) -> Document:
    """``POST /flows``: validated against the flow spec and the tenant's connections."""
    body = require_object(body)
    if "state" in body:
        raise FlowError("1410-400")
    if "mode" in body:
        raise FlowError("1368-400")
    fields = _validated(store, flow_specs, config, tenant, body, draft=draft)
    record = new_document(store, tenant, caller, fields, draft=draft)
    runs = f"/runs?property=flowId=={record.id}"
    record = dataclasses.replace(record, fields={**record.fields, "runs": runs})
    return engine.create(store, FLOWS, record)


def patch_flow(
    store: Store,
    flow_specs: FlowSpecCatalog,
    config: MockConfig,
    tenant: Tenant,
    caller: Caller,
    flow_id: str,
    ops: Any,
    if_match: str | None,
) -> Document:
    """JSON Patch of ``name``, ``description``, ``scheduleParams``, ``transformations`` and
    ``options``; the flow spec and the connections cannot change (create a new flow)."""

    def check(current: Document, fields: dict[str, Any]) -> dict[str, Any]:
        spec = flow_specs.spec(str(current.fields["flowSpec"]["id"]))
        if spec is None:  # pragma: no cover - a stored flow names a packaged spec
            raise FlowError("1413-400")
        draft = current.state == DRAFT_STATE
        checked = _behaviour(spec, config, fields, draft=draft)
        return {**fields, **checked, **described(fields)}

    return patch_document(
        store,
        FLOWS,
        tenant,
        caller,
        flow_id,
        ops,
        if_match,
        patchable=("name", "description", "scheduleParams", "transformations", "options"),
        frozen=("flowSpec",),
        check=check,
    )


def connections_published(store: Store, tenant: Tenant) -> Callable[[Document], None]:
    """The check of a flow action: its connections exist and are published (draft.md: publish
    the source and target connections before the flow), else ``1100-400`` naming one."""

    def check(flow: Document) -> None:
        for side, rtype in (("source", SOURCE_CONNECTIONS), ("target", TARGET_CONNECTIONS)):
            for record_id in flow.fields.get(f"{side}ConnectionIds", []):
                record: Document | None = store.get(rtype.kind, tenant, record_id)
                if record is None or record.state == DRAFT_STATE:
                    raise invalid_request(
                        f"The {side} connection {record_id} must be published first."
                    )

    return check


# -- the rules of a create body ------------------------------------------------------------


def _validated(
    store: Store,
    flow_specs: FlowSpecCatalog,
    config: MockConfig,
    tenant: Tenant,
    body: dict[str, Any],
    *,
    draft: bool,
) -> dict[str, Any]:
    spec = _flow_spec(flow_specs, body)
    fields = described(body)
    fields["flowSpec"] = {"id": spec.id, "version": spec.version}
    sources = _connections(store, tenant, spec, body, "source", draft=draft)
    targets = _connections(store, tenant, spec, body, "target", draft=draft)
    fields["sourceConnectionIds"] = [s.id for s in sources]
    fields["targetConnectionIds"] = [t.id for t in targets]
    fields["inheritedAttributes"] = {
        "properties": {"isSourceFlow": True},
        "sourceConnections": [_inherited(s) for s in sources],
        "targetConnections": [_inherited(t) for t in targets],
    }
    fields.update(_behaviour(spec, config, body, draft=draft))
    return fields


def _flow_spec(flow_specs: FlowSpecCatalog, body: dict[str, Any]) -> FlowSpec:
    ref = body_field(body, "flowSpec", "flowSpec", dict, required=True)
    spec_id = body_field(ref, "id", "flowSpec.id", str, required=True)
    version = body_field(ref, "version", "flowSpec.version", str, required=False)
    spec = flow_specs.spec(spec_id.lower())
    if spec is None or (version is not None and version != spec.version):
        raise FlowError("1413-400")
    return spec


def _connections(
    store: Store,
    tenant: Tenant,
    spec: FlowSpec,
    body: dict[str, Any],
    side: str,
    *,
    draft: bool,
) -> list[Document]:
    ids = body.get(f"{side}ConnectionIds")
    if not isinstance(ids, list) or not ids or not all(isinstance(i, str) and i for i in ids):
        raise FlowError("1338-400", connectionType=side)
    rtype = SOURCE_CONNECTIONS if side == "source" else TARGET_CONNECTIONS
    admits = spec.source_spec_ids if side == "source" else spec.target_spec_ids
    found = []
    for record_id in ids:
        record: Document | None = store.get(rtype.kind, tenant, record_id)
        if record is None:
            raise invalid_request(f"The {side} connection {record_id} could not be found.")
        spec_id = str(record.fields["connectionSpec"]["id"])
        if spec_id not in admits:
            raise invalid_request(
                f"The flow spec {spec.name} does not accept the {side} connection {record_id} "
                f"(connection spec {spec_id})."
            )
        if record.state == DRAFT_STATE and not draft:
            raise invalid_request(f"The {side} connection {record_id} must be published first.")
        found.append(record)
    return found


def _inherited(record: Document) -> dict[str, Any]:
    inherited: dict[str, Any] = {"id": record.id, "connectionSpec": record.fields["connectionSpec"]}
    base = record.fields.get("inheritedAttributes", {}).get("baseConnection")
    if base is not None:
        inherited["baseConnection"] = base
    return inherited


def _behaviour(
    spec: FlowSpec, config: MockConfig, body: Mapping[str, Any], *, draft: bool
) -> dict[str, Any]:
    """``scheduleParams``, ``transformations`` and ``options`` of a create or patched flow."""
    out: dict[str, Any] = {}
    schedule = body.get("scheduleParams")
    if schedule is None and draft:
        frequency = None
    else:
        frequency = _check_schedule(spec, config, schedule)
        out["scheduleParams"] = schedule
    transformations = body_field(body, "transformations", "transformations", list, required=False)
    out["transformations"] = _check_transformations(spec, transformations or [], frequency)
    options = body_field(body, "options", "options", dict, required=False)
    if options is not None:
        out["options"] = options
    return out


def _number(value: Any, path: str) -> int:
    """A schedule number sent as a JSON number or a numeric string (FACTS-2 W4)."""
    if isinstance(value, bool):
        raise invalid_request(f"The field {path} must be a whole number.")
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().lstrip("-").isdecimal() and len(value) < 20:
        return int(value)
    raise invalid_request(f"The field {path} must be a whole number.")


def _check_schedule(spec: FlowSpec, config: MockConfig, schedule: Any) -> str:
    if not isinstance(schedule, dict) or not schedule:
        raise FlowError("1317-400")
    frequency = schedule.get("frequency")
    if frequency is None:
        raise missing_field("scheduleParams.frequency")
    if frequency not in FREQUENCIES:
        raise FlowError("1397-400", frequency=str(frequency)[:64])
    if "startTime" not in schedule:
        raise missing_field("scheduleParams.startTime")
    start = _number(schedule["startTime"], "scheduleParams.startTime")
    if config.refuse_past_start_time and start * 1000 < now_ms() - 60_000:
        raise FlowError("1360-400")
    if frequency == "once":
        if "interval" in schedule:
            raise FlowError("1361-400")
        if "backfill" in schedule:
            raise FlowError("1364-400")
        return str(frequency)
    if "interval" not in schedule:
        raise missing_field("scheduleParams.interval")
    interval = _number(schedule["interval"], "scheduleParams.interval")
    if interval < MIN_INTERVALS[frequency]:
        raise FlowError("1362-400", minInterval=MIN_INTERVALS[frequency])
    backfill = schedule.get("backfill", True)
    if not isinstance(backfill, bool) and str(backfill).lower() not in {"true", "false"}:
        raise invalid_request("The field scheduleParams.backfill must be true or false.")
    return str(frequency)


def _check_transformations(
    spec: FlowSpec, transformations: list[Any], frequency: str | None
) -> list[Any]:
    names = []
    for index, item in enumerate(transformations):
        if not isinstance(item, dict) or not isinstance(item.get("name"), str):
            raise invalid_request(f"The transformation {index} needs a 'name' string.")
        name = item["name"]
        if name not in spec.transformation_names:
            allowed = ", ".join(spec.transformation_names)
            raise invalid_request(
                f"The transformation {name} is not one of the flow spec's: {allowed}."
            )
        params = item.get("params", {})
        if name == "Copy":
            _check_copy(params, frequency)
        elif name == "Mapping":
            _check_mapping(params, index)
        names.append(name)
    needs_delta = "Copy" in spec.transformation_names and frequency not in (None, "once")
    if needs_delta and "Copy" not in names:
        raise FlowError("1367-400")
    return transformations


def _check_copy(params: Any, frequency: str | None) -> None:
    delta = params.get("deltaColumn") if isinstance(params, dict) else None
    if frequency == "once":
        if delta is not None:
            raise FlowError("1369-400")
        return
    named = isinstance(delta, dict) and isinstance(delta.get("name"), str) and delta["name"]
    if not named and frequency is not None:
        raise FlowError("1367-400")


def _check_mapping(params: Any, index: int) -> None:
    if not isinstance(params, dict) or not isinstance(params.get("mappingId"), str):
        raise missing_field(f"transformations.{index}.params.mappingId")
    version = params.get("mappingVersion")
    if version is not None:
        whole = isinstance(version, int) and not isinstance(version, bool)
        if not whole and not (isinstance(version, str) and version.isdecimal()):
            raise FlowError("1412-400")
