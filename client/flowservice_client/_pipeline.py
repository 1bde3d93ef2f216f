"""The pipeline after the base connection: source and target connections, flow specs and
flows.

Every collection has the same seven calls, written once in :class:`_Collection` (listing
pages followed through ``_links.next.href``, counts, search, wrapped single reads, JSON Patch
with ``If-Match``, delete, actions); the mixin names them after the API's operationIds.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from ._connections import ConnectionsMixin, PatchOp, listing, single_item
from ._errors import DecodingError, NoResultError, NotFoundError
from ._http import Transport
from ._models import CreatedRef, JSONObject
from ._paging import Filters, follow_pages, path_id, property_params, resolve_next

__all__ = [
    "DynamicsDataflow",
    "Flow",
    "FlowSpec",
    "Page",
    "PipelineMixin",
    "Run",
    "SourceConnection",
    "TargetConnection",
]

DYNAMICS_SPEC_ID = "38ad80fe-8b06-4938-94f4-d4ee80266b07"
CRM_TO_AEP = "CRMToAEP"

T = TypeVar("T")


def _spec_id(data: JSONObject) -> str | None:
    spec = data.get("connectionSpec")
    value = spec.get("id") if isinstance(spec, Mapping) else None
    return value if isinstance(value, str) else None


def _require(data: Any, what: str) -> JSONObject:
    if not isinstance(data, Mapping) or not isinstance(data.get("id"), str):
        raise DecodingError(f"expected a {what} object with a string 'id'")
    return data


@dataclass(frozen=True)
class SourceConnection:
    """A source connection: the table (or files) of a base connection, and its format."""

    id: str
    name: str | None
    state: str | None
    etag: str | None
    base_connection_id: str | None
    connection_spec_id: str | None
    params: JSONObject
    raw: JSONObject = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def from_dict(cls, data: Any) -> SourceConnection:
        data = _require(data, "source connection")
        params = data.get("params")
        return cls(
            id=str(data["id"]),
            name=data.get("name"),
            state=data.get("state"),
            etag=data.get("etag"),
            base_connection_id=data.get("baseConnectionId"),
            connection_spec_id=_spec_id(data),
            params=params if isinstance(params, Mapping) else {},
            raw=data,
        )


@dataclass(frozen=True)
class TargetConnection:
    """A target connection: the dataset (and XDM schema) a dataflow writes to."""

    id: str
    name: str | None
    state: str | None
    etag: str | None
    connection_spec_id: str | None
    dataset_id: str | None
    raw: JSONObject = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def from_dict(cls, data: Any) -> TargetConnection:
        data = _require(data, "target connection")
        params = data.get("params")
        dataset = params.get("dataSetId") if isinstance(params, Mapping) else None
        return cls(
            id=str(data["id"]),
            name=data.get("name"),
            state=data.get("state"),
            etag=data.get("etag"),
            connection_spec_id=_spec_id(data),
            dataset_id=dataset if isinstance(dataset, str) else None,
            raw=data,
        )


@dataclass(frozen=True)
class FlowSpec:
    """A flow spec: which sources and targets a dataflow may join, and its schemas."""

    id: str
    name: str | None
    source_connection_spec_ids: tuple[str, ...]
    target_connection_spec_ids: tuple[str, ...]
    raw: JSONObject = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def from_dict(cls, data: Any) -> FlowSpec:
        data = _require(data, "flow spec")
        sources = data.get("sourceConnectionSpecIds")
        targets = data.get("targetConnectionSpecIds")
        return cls(
            id=str(data["id"]),
            name=data.get("name"),
            source_connection_spec_ids=tuple(sources) if isinstance(sources, list) else (),
            target_connection_spec_ids=tuple(targets) if isinstance(targets, list) else (),
            raw=data,
        )


@dataclass(frozen=True)
class Flow:
    """A dataflow: its spec, connections, schedule and state."""

    id: str
    name: str | None
    state: str | None
    etag: str | None
    flow_spec_id: str | None
    source_connection_ids: tuple[str, ...]
    target_connection_ids: tuple[str, ...]
    schedule: JSONObject
    raw: JSONObject = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def from_dict(cls, data: Any) -> Flow:
        data = _require(data, "flow")
        spec = data.get("flowSpec")
        sources = data.get("sourceConnectionIds")
        targets = data.get("targetConnectionIds")
        schedule = data.get("scheduleParams")
        return cls(
            id=str(data["id"]),
            name=data.get("name"),
            state=data.get("state"),
            etag=data.get("etag"),
            flow_spec_id=spec.get("id") if isinstance(spec, Mapping) else None,
            source_connection_ids=tuple(sources) if isinstance(sources, list) else (),
            target_connection_ids=tuple(targets) if isinstance(targets, list) else (),
            schedule=schedule if isinstance(schedule, Mapping) else {},
            raw=data,
        )


@dataclass(frozen=True)
class Run:
    """A flow run: its flow, state and record counts."""

    id: str
    flow_id: str | None
    state: str | None
    input_records: int | None
    output_records: int | None
    failed_records: int | None
    errors: tuple[JSONObject, ...]
    raw: JSONObject = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def from_dict(cls, data: Any) -> Run:
        data = _require(data, "run")
        metrics = data.get("metrics") if isinstance(data.get("metrics"), Mapping) else {}
        records = metrics.get("recordSummary") or {}
        status = metrics.get("statusSummary") or {}
        listed = status.get("errors")
        errors: list[Any] = listed if isinstance(listed, list) else []
        return cls(
            id=str(data["id"]),
            flow_id=data.get("flowId"),
            state=data.get("state") or status.get("status"),
            input_records=records.get("inputRecordCount"),
            output_records=records.get("outputRecordCount"),
            failed_records=records.get("failedRecordCount"),
            errors=tuple(e for e in errors if isinstance(e, Mapping)),
            raw=data,
        )


@dataclass(frozen=True)
class DynamicsDataflow:
    """The ids the Dynamics tutorial chain creates, in the order it creates them."""

    base_connection_id: str
    source_connection_id: str
    target_connection_id: str
    flow_id: str


@dataclass(frozen=True)
class Page(Generic[T]):
    """One page of a listing: the items, the next link (None on the last page), the body."""

    items: tuple[T, ...]
    next_href: str | None
    raw: JSONObject = field(default_factory=dict, repr=False, compare=False)


@dataclass(frozen=True)
class _Collection(Generic[T]):
    """The calls every pipeline collection answers, for one path segment and model."""

    kind: str
    model: Callable[[Any], T]

    def page(
        self,
        transport: Transport,
        filters: Filters = (),
        *,
        orderby: str | None = None,
        limit: int | None = None,
        next_href: str | None = None,
    ) -> Page[T]:
        params: dict[str, str | list[str]] = {}
        if property_params(filters):
            params["property"] = property_params(filters)
        if orderby is not None:
            params["orderby"] = orderby
        if limit is not None:
            params["limit"] = str(limit)
        path = f"/{self.kind}"
        if next_href is not None:
            path, params = resolve_next(next_href, transport.base_url, params)
        body = transport.request("GET", path, params=params)
        items, href = listing(body, f"list {self.kind}")
        return Page(tuple(self.model(i) for i in items), href, body)

    def every(
        self,
        transport: Transport,
        filters: Filters = (),
        *,
        orderby: str | None = None,
        limit: int | None = None,
    ) -> Iterator[T]:
        first = self.page(transport, filters, orderby=orderby, limit=limit)
        yield from follow_pages(
            first,
            lambda href: self.page(
                transport, filters, orderby=orderby, limit=limit, next_href=href
            ),
        )

    def count(self, transport: Transport, filters: Filters = ()) -> int:
        params: dict[str, str | list[str]] = {"count": "true"}
        if property_params(filters):
            params["property"] = property_params(filters)
        body = transport.request("GET", f"/{self.kind}", params=params)
        count = body.get("count") if isinstance(body, Mapping) else None
        if not isinstance(count, int) or isinstance(count, bool):
            raise DecodingError(f"count {self.kind}: expected {{'count': <int>}}")
        return count

    def search(
        self, transport: Transport, query_string: str, *, limit: int | None = None
    ) -> Page[T]:
        body: dict[str, Any] = {"queryString": query_string}
        if limit is not None:
            body["limit"] = limit
        result = transport.request("POST", f"/{self.kind}/search", body=body)
        items, href = listing(result, f"search {self.kind}")
        return Page(tuple(self.model(i) for i in items), href, result)

    def create(self, transport: Transport, body: Mapping[str, Any], draft: bool) -> CreatedRef:
        query = {"mode": "draft"} if draft else None
        result = transport.request("POST", f"/{self.kind}", params=query, body=dict(body))
        return CreatedRef.from_dict(result)

    def retrieve(self, transport: Transport, record_id: str) -> T:
        body = transport.request("GET", f"/{self.kind}/{path_id(record_id)}")
        return self.model(single_item(body, f"retrieve {self.kind}"))

    def patch(
        self, transport: Transport, record_id: str, ops: Sequence[PatchOp], if_match: str | None
    ) -> CreatedRef:
        headers = {"If-Match": if_match} if if_match is not None else None
        path = f"/{self.kind}/{path_id(record_id)}"
        result = transport.request("PATCH", path, body=[dict(op) for op in ops], headers=headers)
        return CreatedRef.from_dict(result)

    def delete(self, transport: Transport, record_id: str) -> None:
        transport.request("DELETE", f"/{self.kind}/{path_id(record_id)}")

    def action(self, transport: Transport, record_id: str, op: str) -> CreatedRef:
        path = f"/{self.kind}/{path_id(record_id)}/action"
        return CreatedRef.from_dict(transport.request("POST", path, params={"op": op}))


SOURCES: _Collection[SourceConnection] = _Collection(
    "sourceConnections", SourceConnection.from_dict
)
TARGETS: _Collection[TargetConnection] = _Collection(
    "targetConnections", TargetConnection.from_dict
)
FLOWS: _Collection[Flow] = _Collection("flows", Flow.from_dict)
RUNS: _Collection[Run] = _Collection("runs", Run.from_dict)


class PipelineMixin(ConnectionsMixin):
    """Source and target connection, flow spec and flow calls (on top of the base connections
    the tutorial starts from). The client class provides ``_transport``."""

    _transport: Transport

    # -- source connections --------------------------------------------------------------

    def list_source_connections(
        self, filters: Filters = (), *, orderby: str | None = None, limit: int | None = None
    ) -> Iterator[SourceConnection]:
        """Every matching source connection, page after page (``limit`` is the page size)."""
        return SOURCES.every(self._transport, filters, orderby=orderby, limit=limit)

    def count_source_connections(self, filters: Filters = ()) -> int:
        """``GET /sourceConnections?count=true``: how many match."""
        return SOURCES.count(self._transport, filters)

    def search_source_connections(
        self, query_string: str, *, limit: int | None = None
    ) -> Page[SourceConnection]:
        """``POST /sourceConnections/search`` (one page)."""
        return SOURCES.search(self._transport, query_string, limit=limit)

    def create_source_connection(
        self,
        name: str,
        base_connection_id: str | None,
        connection_spec_id: str,
        params: Mapping[str, Any],
        *,
        data_format: str = "tabular",
        description: str | None = None,
        version: str = "1.0",
        draft: bool = False,
    ) -> CreatedRef:
        """``POST /sourceConnections``: e.g. a Dynamics table, ``params={"tableName": ...}``."""
        body: dict[str, Any] = {"name": name}
        if description is not None:
            body["description"] = description
        if base_connection_id is not None:
            body["baseConnectionId"] = base_connection_id
        body["data"] = {"format": data_format}
        body["params"] = dict(params)
        body["connectionSpec"] = {"id": connection_spec_id, "version": version}
        return SOURCES.create(self._transport, body, draft)

    def retrieve_source_connection(self, source_connection_id: str) -> SourceConnection:
        """``GET /sourceConnections/{id}`` (the body is wrapped in ``items``)."""
        return SOURCES.retrieve(self._transport, source_connection_id)

    def patch_source_connection(
        self, source_connection_id: str, ops: Sequence[PatchOp], *, if_match: str | None = None
    ) -> CreatedRef:
        """JSON Patch; without ``if_match`` the current etag is read first."""
        etag = if_match or self.retrieve_source_connection(source_connection_id).etag
        return SOURCES.patch(self._transport, source_connection_id, ops, etag)

    def delete_source_connection(self, source_connection_id: str) -> None:
        """``DELETE /sourceConnections/{id}``; 204 No Content."""
        SOURCES.delete(self._transport, source_connection_id)

    def publish_source_connection(self, source_connection_id: str) -> CreatedRef:
        """``POST /sourceConnections/{id}/action?op=publish``: a draft goes live."""
        return SOURCES.action(self._transport, source_connection_id, "publish")

    # -- target connections --------------------------------------------------------------

    def list_target_connections(
        self, filters: Filters = (), *, orderby: str | None = None, limit: int | None = None
    ) -> Iterator[TargetConnection]:
        """Every matching target connection, page after page (``limit`` is the page size)."""
        return TARGETS.every(self._transport, filters, orderby=orderby, limit=limit)

    def count_target_connections(self, filters: Filters = ()) -> int:
        """``GET /targetConnections?count=true``: how many match."""
        return TARGETS.count(self._transport, filters)

    def search_target_connections(
        self, query_string: str, *, limit: int | None = None
    ) -> Page[TargetConnection]:
        """``POST /targetConnections/search`` (one page)."""
        return TARGETS.search(self._transport, query_string, limit=limit)

    def create_target_connection(
        self,
        name: str,
        dataset_id: str,
        schema_id: str,
        *,
        schema_version: str = "application/vnd.adobe.xed-full+json;version=1",
        connection_spec_id: str = "c604ff05-7f1a-43c0-8e18-33bf874cb11c",
        data_format: str = "parquet_xdm",
        description: str | None = None,
        version: str = "1.0",
        draft: bool = False,
    ) -> CreatedRef:
        """``POST /targetConnections``: by default a Data Lake target for ``dataset_id``."""
        body: dict[str, Any] = {"name": name}
        if description is not None:
            body["description"] = description
        body["data"] = {
            "format": data_format,
            "schema": {"id": schema_id, "version": schema_version},
        }
        body["params"] = {"dataSetId": dataset_id}
        body["connectionSpec"] = {"id": connection_spec_id, "version": version}
        return TARGETS.create(self._transport, body, draft)

    def retrieve_target_connection(self, target_connection_id: str) -> TargetConnection:
        """``GET /targetConnections/{id}`` (the body is wrapped in ``items``)."""
        return TARGETS.retrieve(self._transport, target_connection_id)

    def patch_target_connection(
        self, target_connection_id: str, ops: Sequence[PatchOp], *, if_match: str | None = None
    ) -> CreatedRef:
        """JSON Patch; without ``if_match`` the current etag is read first."""
        etag = if_match or self.retrieve_target_connection(target_connection_id).etag
        return TARGETS.patch(self._transport, target_connection_id, ops, etag)

    def delete_target_connection(self, target_connection_id: str) -> None:
        """``DELETE /targetConnections/{id}``; 204 No Content."""
        TARGETS.delete(self._transport, target_connection_id)

    def publish_target_connection(self, target_connection_id: str) -> CreatedRef:
        """``POST /targetConnections/{id}/action?op=publish``: a draft goes live."""
        return TARGETS.action(self._transport, target_connection_id, "publish")

    # -- flow specs ----------------------------------------------------------------------

    def list_flow_specs(self, filters: Filters = ()) -> list[FlowSpec]:
        """``GET /flowSpecs`` with ``property`` filters (``{"name": "CRMToAEP"}``)."""
        params: dict[str, str | list[str]] = {}
        if property_params(filters):
            params["property"] = property_params(filters)
        body = self._transport.request("GET", "/flowSpecs", params=params)
        items, _ = listing(body, "list_flow_specs")
        return [FlowSpec.from_dict(item) for item in items]

    def retrieve_flow_spec(self, flow_spec_id: str) -> FlowSpec:
        """``GET /flowSpecs/{id}`` (the body is wrapped in ``items``)."""
        body = self._transport.request("GET", f"/flowSpecs/{path_id(flow_spec_id)}")
        return FlowSpec.from_dict(single_item(body, "retrieve_flow_spec"))

    def create_flow_spec(self, spec: Mapping[str, Any]) -> FlowSpec:
        """``POST /flowSpecs`` (Sources SDK): author a flow spec for your org (answer not
        wrapped)."""
        return FlowSpec.from_dict(self._transport.request("POST", "/flowSpecs", body=dict(spec)))

    def update_flow_spec(
        self, flow_spec_id: str, spec: Mapping[str, Any], *, etag: str | None = None
    ) -> FlowSpec:
        """``PUT /flowSpecs/{id}`` (Sources SDK): replace a flow spec your org authored."""
        headers = {"If-Match": etag} if etag else None
        path = f"/flowSpecs/{path_id(flow_spec_id)}"
        body = self._transport.request("PUT", path, body=dict(spec), headers=headers)
        return FlowSpec.from_dict(body)

    def find_flow_spec(self, name: str) -> FlowSpec:
        """The flow spec of that name (``CRMToAEP``); ``NoResultError`` when there is none."""
        found = self.list_flow_specs({"name": name})
        if not found:
            raise NoResultError(f"no flow spec named {name!r}")
        return found[0]

    # -- flows ---------------------------------------------------------------------------

    def list_flows(
        self, filters: Filters = (), *, orderby: str | None = None, limit: int | None = None
    ) -> Iterator[Flow]:
        """Every matching flow, page after page (``limit`` is the page size)."""
        return FLOWS.every(self._transport, filters, orderby=orderby, limit=limit)

    def count_flows(self, filters: Filters = ()) -> int:
        """``GET /flows?count=true``: how many match."""
        return FLOWS.count(self._transport, filters)

    def search_flows(self, query_string: str, *, limit: int | None = None) -> Page[Flow]:
        """``POST /flows/search`` (one page)."""
        return FLOWS.search(self._transport, query_string, limit=limit)

    def create_flow(self, body: Mapping[str, Any], *, draft: bool = False) -> CreatedRef:
        """``POST /flows`` with the body as the docs show it (``flowSpec``, the connection
        ids, ``transformations``, ``scheduleParams``)."""
        return FLOWS.create(self._transport, body, draft)

    def retrieve_flow(self, flow_id: str) -> Flow:
        """``GET /flows/{id}`` (the body is wrapped in ``items``)."""
        return FLOWS.retrieve(self._transport, flow_id)

    def patch_flow(
        self, flow_id: str, ops: Sequence[PatchOp], *, if_match: str | None = None
    ) -> CreatedRef:
        """JSON Patch; without ``if_match`` the current etag is read first."""
        etag = if_match or self.retrieve_flow(flow_id).etag
        return FLOWS.patch(self._transport, flow_id, ops, etag)

    def delete_flow(self, flow_id: str) -> None:
        """``DELETE /flows/{id}``; 204 No Content."""
        FLOWS.delete(self._transport, flow_id)

    def enable_flow(self, flow_id: str) -> CreatedRef:
        """``POST /flows/{id}/action?op=enable``."""
        return FLOWS.action(self._transport, flow_id, "enable")

    def disable_flow(self, flow_id: str) -> CreatedRef:
        """``POST /flows/{id}/action?op=disable``."""
        return FLOWS.action(self._transport, flow_id, "disable")

    def publish_flow(self, flow_id: str) -> CreatedRef:
        """``POST /flows/{id}/action?op=publish``: a draft flow goes live."""
        return FLOWS.action(self._transport, flow_id, "publish")

    # -- runs ----------------------------------------------------------------------------

    def list_runs(
        self, flow_id: str | None = None, filters: Filters = (), *, limit: int | None = None
    ) -> Iterator[Run]:
        """Every run (of ``flow_id`` when given: ``property=flowId==...``), page after page."""
        expressions = list(property_params(filters))
        if flow_id is not None:
            expressions.insert(0, f"flowId=={flow_id}")
        return RUNS.every(self._transport, expressions, limit=limit)

    def retrieve_run(self, run_id: str) -> Run:
        """``GET /runs/{id}`` (the body is wrapped in ``items``)."""
        return RUNS.retrieve(self._transport, run_id)

    def create_run(self, flow_id: str, params: Mapping[str, Any] | None = None) -> CreatedRef:
        """``POST /runs``: an on-demand run of a flow scheduled ``once``."""
        body: dict[str, Any] = {"flowId": flow_id}
        if params is not None:
            body["params"] = dict(params)
        return CreatedRef.from_dict(self._transport.request("POST", "/runs", body=body))

    def retrigger_run(self, run_id: str) -> CreatedRef:
        """``POST /runs/{id}/action?op=re-trigger``: a failed run runs again."""
        return RUNS.action(self._transport, run_id, "re-trigger")

    # -- the tutorial, end to end --------------------------------------------------------

    def create_dynamics_dataflow(
        self,
        name: str,
        *,
        base_connection_id: str,
        table: str,
        dataset_id: str,
        schema_id: str,
        delta_column: str = "modifiedon",
        mapping_id: str | None = None,
        schedule: Mapping[str, Any] | None = None,
    ) -> DynamicsDataflow:
        """The tutorial after the base connection: a source connection for ``table``, a Data
        Lake target for ``dataset_id``, the ``CRMToAEP`` flow spec looked up by name, and an
        enabled dataflow (hourly from now unless ``schedule`` says otherwise)."""
        source = self.create_source_connection(
            f"{name} source", base_connection_id, DYNAMICS_SPEC_ID, {"tableName": table}
        )
        target = self.create_target_connection(f"{name} target", dataset_id, schema_id)
        spec = self.find_flow_spec(CRM_TO_AEP)
        transformations: list[dict[str, Any]] = [
            {"name": "Copy", "params": {"deltaColumn": {"name": delta_column}}}
        ]
        if mapping_id is not None:
            transformations.append(
                {"name": "Mapping", "params": {"mappingId": mapping_id, "mappingVersion": 0}}
            )
        flow = self.create_flow(
            {
                "name": name,
                "flowSpec": {"id": spec.id, "version": "1.0"},
                "sourceConnectionIds": [source.id],
                "targetConnectionIds": [target.id],
                "transformations": transformations,
                "scheduleParams": dict(
                    schedule or {"startTime": int(time.time()), "frequency": "hour", "interval": 1}
                ),
            }
        )
        return DynamicsDataflow(base_connection_id, source.id, target.id, flow.id)

    def delete_dynamics_dataflow(self, dataflow: DynamicsDataflow, *, base: bool = False) -> None:
        """Delete what :meth:`create_dynamics_dataflow` made (flow first; the base connection
        too when ``base``); objects already gone are skipped."""
        steps = [
            (self.delete_flow, dataflow.flow_id),
            (self.delete_source_connection, dataflow.source_connection_id),
            (self.delete_target_connection, dataflow.target_connection_id),
        ]
        if base:
            steps.append((self.delete_connection, dataflow.base_connection_id))
        for delete, record_id in steps:
            try:
                delete(record_id)
            except NotFoundError:
                continue
