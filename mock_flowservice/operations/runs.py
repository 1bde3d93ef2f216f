"""Flow runs (``/runs``, FACTS-2 §6): runs happen by the mock's clock.

An enabled flow is due a run at each slot of its schedule: ``startTime`` (epoch seconds), then
every ``interval`` × ``frequency``; ``once`` has one slot; without ``backfill`` no slot before
the flow was created runs. Runs are *materialised*, never timed: whenever runs or flows are
read, or the clock moves, :func:`sync_runs` creates the runs that came due and completes the
ones whose time is up, so every worker sees the same runs (the bookkeeping is one record per
flow, written by compare-and-set: of two workers syncing at once one does the work).

A run is ``inProgress`` for ``MockConfig.run_duration_seconds``, then ``success`` or
``failed`` as the control API set the flow's coming outcomes (success by default). Its record
counts are the rows of the sample table the source connection names (0 for a table the
samples do not have); ``failedRecords`` makes a success with failed rows, like the documented
``INGEST-1212-400`` run.
"""

from __future__ import annotations

import dataclasses
import hashlib
import uuid
from collections.abc import Iterator
from typing import Any

from .. import engine
from ..config import MockConfig
from ..engine import QueryArgs, ResourceType
from ..errors import FlowError, invalid_request, not_found, unknown_param
from ..explore import table_rows
from ..model import Caller, Document, Tenant, new_etag
from ..pql import parse_filter
from ..storage import StaleEtag, Store
from .common import document_type
from .flows import FLOWS
from .source_connections import SOURCE_CONNECTIONS

__all__ = [
    "RUNS",
    "RUN_STATES_KIND",
    "create_run",
    "list_runs",
    "retrieve_run",
    "retrigger_run",
    "set_outcomes",
    "sync_all",
    "sync_runs",
    "update_run",
]

RUN_STATES_KIND = "flowRunStates"
_PERIOD_S = {"minute": 60, "hour": 3600, "day": 86400, "week": 604800}
_RUNNER = Caller("flowservice-scheduler@AdobeID", "flowservice-scheduler")
_NAMESPACE = uuid.UUID("2f0e4e8c-6a57-5a55-9d0e-7d7c0a3b9b11")
_CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"

RUNS: ResourceType[Document] = document_type(
    "runs", ("flowId", "flowSpec", "metrics", "activities", "providerRefId"), patch_states=None
)


def list_runs(
    store: Store, config: MockConfig, tenant: Tenant, args: QueryArgs, now: int
) -> dict[str, Any]:
    """``GET /runs`` (``property=flowId==...``) after the due runs were materialised."""
    sync_runs(store, config, tenant, now)
    return engine.list_page(store, RUNS, tenant, args, config)


def retrieve_run(
    store: Store, config: MockConfig, tenant: Tenant, run_id: str, now: int
) -> Document:
    sync_runs(store, config, tenant, now)
    return engine.retrieve(store, RUNS, tenant, run_id)


def set_outcomes(store: Store, flow_id: str, outcomes: Any) -> int:
    """The control API's outcomes of a flow's coming runs (the flow is found in any tenant).

    Each outcome is ``{"status": "success"}``, ``{"status": "success", "failedRecords": n}``
    or ``{"status": "failed", "errors": [{"code", "message"}]}``; they are used in order.
    """
    if not isinstance(outcomes, list) or not all(map(_valid_outcome, outcomes)):
        raise invalid_request(
            'The body must be {"outcomes": [{"status": "success"|"failed", '
            '"failedRecords"?: n, "errors"?: [{"code", "message"}]}]}.'
        )
    flow = next((f for f in store.everything(FLOWS.kind) if f.id == flow_id), None)
    if flow is None:
        raise not_found(flow_id, "flows")

    def change(state: Document) -> Document:
        queued = [*state.fields.get("outcomes", []), *outcomes]
        return dataclasses.replace(state, fields={**state.fields, "outcomes": queued})

    _update_state(store, flow, change)
    return len(outcomes)


def _valid_outcome(outcome: Any) -> bool:
    if not isinstance(outcome, dict) or outcome.get("status") not in ("success", "failed"):
        return False
    failed = outcome.get("failedRecords", 0)
    errors = outcome.get("errors", [])
    return (
        isinstance(failed, int)
        and not isinstance(failed, bool)
        and 0 <= failed < 10**9
        and isinstance(errors, list)
        and all(isinstance(e, dict) and isinstance(e.get("code"), str) for e in errors)
    )


# -- materialising runs ------------------------------------------------------------------


def sync_all(store: Store, config: MockConfig, now: int) -> None:
    """Materialise due runs in every tenant (after the clock moved)."""
    for tenant in sorted({flow.tenant for flow in store.everything(FLOWS.kind)}):
        sync_runs(store, config, tenant, now)


def sync_runs(store: Store, config: MockConfig, tenant: Tenant, now: int) -> None:
    """Create the runs that came due by ``now`` and complete those whose time is up."""
    for flow in store.records(FLOWS.kind, tenant):
        _sync_flow(store, config, flow, now)


def _sync_flow(store: Store, config: MockConfig, flow: Document, now: int) -> None:
    state = _state(store, flow)
    duration = config.run_duration_seconds * 1000
    due = list(_due_slots(flow, state, now, config.max_runs_per_sync))
    open_runs = [r for r in state.fields.get("open", []) if r["startedAt"] + duration <= now]
    if not due and not open_runs:
        return
    outcomes = list(state.fields.get("outcomes", []))
    planned = [(slot, outcomes.pop(0) if outcomes else {"status": "success"}) for slot in due]
    still_open = [r for r in state.fields.get("open", []) if r not in open_runs]
    fields = {
        **state.fields,
        "next": (due[-1] + 1) if due else state.fields.get("next"),
        "outcomes": outcomes,
    }
    new_open = [
        {"id": _run_id(flow, slot * 1000), "startedAt": slot * 1000, "outcome": outcome}
        for slot, outcome in planned
        if slot * 1000 + duration > now
    ]
    fields["open"] = still_open + new_open
    try:
        store.compare_and_set(
            RUN_STATES_KIND,
            flow.tenant,
            flow.id,
            state.etag,
            lambda current: dataclasses.replace(
                current, fields=fields, etag=new_etag(current.etag)
            ),
        )
    except StaleEtag:
        return  # another worker materialises these runs
    for slot, outcome in planned:
        run = _new_run(store, config, flow, slot * 1000, outcome, now)
        store.add(RUNS.kind, run)
    for entry in open_runs:
        _complete(store, config, flow, entry, now)
    _note_last_run(store, flow, config, now)


def _state(store: Store, flow: Document) -> Document:
    state: Document | None = store.get(RUN_STATES_KIND, flow.tenant, flow.id)
    if state is not None:
        return state
    fresh = Document(
        id=flow.id,
        tenant=flow.tenant,
        created_at=flow.created_at,
        updated_at=flow.created_at,
        created_by=_RUNNER,
        updated_by=_RUNNER,
        etag=new_etag(),
        fields={"next": None, "outcomes": [], "open": []},
    )
    store.add(RUN_STATES_KIND, fresh)  # two workers adding at once write the same record
    stored: Document | None = store.get(RUN_STATES_KIND, flow.tenant, flow.id)
    return stored if stored is not None else fresh


def _update_state(store: Store, flow: Document, change: Any) -> None:
    for _ in range(5):
        state = _state(store, flow)
        try:
            store.compare_and_set(
                RUN_STATES_KIND,
                flow.tenant,
                flow.id,
                state.etag,
                lambda current: dataclasses.replace(change(current), etag=new_etag(current.etag)),
            )
            return
        except StaleEtag:
            continue
    raise RuntimeError("the flow's run state kept changing")  # pragma: no cover


def _seconds(value: Any) -> int:
    try:
        return int(str(value).strip())
    except ValueError:  # pragma: no cover - validated when the flow was made
        return 0


def _due_slots(flow: Document, state: Document, now: int, limit: int) -> Iterator[int]:
    """Slot start times (epoch seconds) due by ``now``, after the last one materialised."""
    if flow.state != "enabled":
        return
    schedule = flow.fields.get("scheduleParams") or {}
    start = _seconds(schedule.get("startTime", 0))
    frequency = schedule.get("frequency", "once")
    next_slot = state.fields.get("next")
    if frequency == "once":
        if next_slot is None and start * 1000 <= now:
            yield start
        return
    period = _PERIOD_S[frequency] * max(1, _seconds(schedule.get("interval", 1)))
    backfill = str(schedule.get("backfill", True)).lower() != "false"
    slot = start
    if not backfill:
        created_s = flow.created_at // 1000
        slot = start + max(0, -(-(created_s - start) // period)) * period
    if next_slot is not None:
        slot = max(slot, start + max(0, -(-(next_slot - start) // period)) * period)
    count = 0
    while slot * 1000 <= now and count < limit:
        yield slot
        slot += period
        count += 1


def _run_id(flow: Document, slot_ms: int | float) -> str:
    return str(uuid.uuid5(_NAMESPACE, f"{flow.id}/{int(slot_ms)}"))


def _batch_id(run_id: str) -> str:
    digest = int.from_bytes(hashlib.sha256(run_id.encode()).digest()[:17], "big")
    return "".join(_CROCKFORD[(digest >> (5 * i)) & 31] for i in range(26))[::-1]


def _input_records(store: Store, flow: Document) -> int:
    rows = 0
    for source_id in flow.fields.get("sourceConnectionIds", []):
        source: Document | None = store.get(SOURCE_CONNECTIONS.kind, flow.tenant, source_id)
        if source is None:
            continue
        params = source.fields.get("params", {})
        table = params.get("tableName")
        if isinstance(table, str):
            row_filter = parse_filter(params["filters"]) if "filters" in params else None
            rows += table_rows(source.fields["connectionSpec"]["id"], table, row_filter)
    return rows


def _new_run(
    store: Store, config: MockConfig, flow: Document, started: int, outcome: Any, now: int
) -> Document:
    run_id = _run_id(flow, started)
    duration = config.run_duration_seconds * 1000
    done = started + duration <= now
    fields = _run_fields(store, flow, run_id, started, started + duration if done else 0, outcome)
    return Document(
        id=run_id,
        tenant=flow.tenant,
        created_at=started,
        updated_at=started + duration if done else started,
        created_by=_RUNNER,
        updated_by=_RUNNER,
        etag=new_etag(),
        fields=fields,
        state=fields["metrics"]["statusSummary"]["status"],
        last_operation="create",
    )


def _run_fields(
    store: Store, flow: Document, run_id: str, started: int, completed: int, outcome: Any
) -> dict[str, Any]:
    records = _input_records(store, flow)
    status = "inProgress" if not completed else str(outcome["status"])
    failed = 0 if status == "inProgress" else int(outcome.get("failedRecords", 0))
    failed = min(failed, records)
    errors: list[dict[str, Any]] = []
    if status == "failed":
        errors = list(outcome.get("errors") or [
            {"code": "CONNECTOR-2001-500", "message": "Error occurred at promotion activity."}
        ])  # fmt: skip
        output = 0
    else:
        output = records - failed if completed else 0
        if failed:
            errors = [
                {
                    "code": "INGEST-1212-400",
                    "message": f"Encountered {failed} errors in the data. Successfully ingested "
                    f"{output} rows. Review the associated diagnostic files for additional "
                    "details.",
                }
            ]
    batch = _batch_id(run_id)
    duration = {"startedAtUTC": started, "completedAtUTC": completed}
    return {
        "flowId": flow.id,
        "flowSpec": flow.fields["flowSpec"],
        "providerRefId": f"M-{run_id}",
        "metrics": {
            "durationSummary": duration,
            "sizeSummary": {"inputBytes": records * 256, "outputBytes": output * 192},
            "recordSummary": {
                "inputRecordCount": records if completed else 0,
                "outputRecordCount": output,
                "failedRecordCount": failed if status != "failed" else records,
            },
            "fileSummary": {"inputFileCount": 1, "outputFileCount": 1 if output else 0},
            "statusSummary": {
                "status": status,
                "errors": errors,
                "activityRefs": ["copyActivity", "promotionActivity"],
            },
        },
        "activities": [
            {
                "id": "copyActivity",
                "updatedAtUTC": completed,
                "durationSummary": {
                    **duration,
                    "extensions": {"windowStart": started, "windowEnd": started},
                },
                "recordSummary": {"inputRecordCount": records, "outputRecordCount": records},
                "statusSummary": {"status": status},
                "sourceInfo": [
                    {"id": sid, "type": "SourceConnection"}
                    for sid in flow.fields.get("sourceConnectionIds", [])
                ],
            },
            {
                "id": "promotionActivity",
                "updatedAtUTC": completed,
                "durationSummary": duration,
                "recordSummary": {"inputRecordCount": records, "outputRecordCount": output},
                "statusSummary": {"status": status, "errors": errors},
                "targetInfo": [
                    {
                        "id": tid,
                        "type": "TargetConnection",
                        "reference": {"type": "Batch", "ids": [batch]},
                    }
                    for tid in flow.fields.get("targetConnectionIds", [])
                ],
            },
        ],
    }


def _complete(
    store: Store, config: MockConfig, flow: Document, entry: dict[str, Any], now: int
) -> None:
    started = int(entry["startedAt"])
    completed = started + config.run_duration_seconds * 1000
    fields = _run_fields(store, flow, entry["id"], started, completed, entry["outcome"])
    current: Document | None = store.get(RUNS.kind, flow.tenant, entry["id"])
    if current is None:
        return
    store.compare_and_set(
        RUNS.kind,
        flow.tenant,
        current.id,
        current.etag,
        lambda run: dataclasses.replace(
            run,
            fields=fields,
            state=fields["metrics"]["statusSummary"]["status"],
            updated_at=completed,
            etag=new_etag(run.etag),
        ),
    )


def _note_last_run(store: Store, flow: Document, config: MockConfig, now: int) -> None:
    """``lastRunDetails`` of the flow: its latest finished run (the etag does not change)."""

    def finished(run: Document) -> bool:
        return run.fields.get("flowId") == flow.id and run.state in ("success", "failed")

    runs = store.scan(RUNS.kind, flow.tenant, accept=finished, limit=1, descending=True)
    if not runs:
        return
    last = runs[0]
    details = {
        "id": last.id,
        "state": last.state,
        "startedAtUTC": last.fields["metrics"]["durationSummary"]["startedAtUTC"],
        "completedAtUTC": last.fields["metrics"]["durationSummary"]["completedAtUTC"],
    }
    for _ in range(3):
        current: Document | None = store.get(FLOWS.kind, flow.tenant, flow.id)
        if current is None:
            return
        try:
            store.compare_and_set(
                FLOWS.kind,
                flow.tenant,
                flow.id,
                current.etag,
                lambda f: dataclasses.replace(f, fields={**f.fields, "lastRunDetails": details}),
            )
            return
        except StaleEtag:
            continue


# -- on-demand runs and retries ------------------------------------------------------------


def create_run(store: Store, config: MockConfig, tenant: Tenant, body: Any, now: int) -> Document:
    """``POST /runs``: an on-demand run of a flow scheduled ``once`` (FACTS-2 §6)."""
    if not isinstance(body, dict):
        raise invalid_request("The request body must be a JSON object.")
    flow_id = body.get("flowId")
    if not isinstance(flow_id, str) or not flow_id.strip():
        raise FlowError("1446-400")
    flow: Document | None = store.get(FLOWS.kind, tenant, flow_id)
    if flow is None:
        raise FlowError("1430-400", id=flow_id)
    frequency = (flow.fields.get("scheduleParams") or {}).get("frequency", "once")
    if frequency != "once":
        raise FlowError("1386-400", flowId=flow_id, frequency=frequency)
    params = body.get("params", {})
    if not isinstance(params, dict):
        raise invalid_request("The field params must be a JSON object.")
    start, end = params.get("windowStartTime"), params.get("windowEndTime")
    if start is not None and end is not None and _seconds(end) < _seconds(start):
        raise FlowError("1381-400", endTime=end, startTime=start)
    return _start_run(store, config, flow, _run_id(flow, now), now)


def retrigger_run(
    store: Store, config: MockConfig, tenant: Tenant, run_id: str, op: str, now: int
) -> Document:
    """``POST /runs/{id}/action?op=re-trigger``: a failed run of an enabled flow runs again."""
    sync_runs(store, config, tenant, now)
    run = engine.retrieve(store, RUNS, tenant, run_id)
    if op.lower().replace("_", "-") != "re-trigger":
        raise unknown_param(f"op={op}")
    if run.state != "failed":
        raise FlowError("1387-400", flowRunId=run_id, state=run.state)
    flow: Document | None = store.get(FLOWS.kind, tenant, run.fields["flowId"])
    if flow is None or flow.state != "enabled":
        state = flow.state if flow is not None else "deleted"
        raise FlowError("1388-400", flow=run.fields["flowId"], state=state)
    return _start_run(store, config, flow, run_id, now)


def _start_run(store: Store, config: MockConfig, flow: Document, run_id: str, now: int) -> Document:
    """A run of ``flow`` starting ``now``, in progress, with the next queued outcome."""
    taken: list[Any] = []

    def change(state: Document) -> Document:
        taken.clear()
        outcomes = list(state.fields.get("outcomes", []))
        outcome = outcomes.pop(0) if outcomes else {"status": "success"}
        taken.append(outcome)
        entry = {"id": run_id, "startedAt": now, "outcome": outcome}
        opened = [e for e in state.fields.get("open", []) if e["id"] != run_id] + [entry]
        return dataclasses.replace(
            state, fields={**state.fields, "outcomes": outcomes, "open": opened}
        )

    _update_state(store, flow, change)
    fields = _run_fields(store, flow, run_id, now, 0, taken[0])
    existing: Document | None = store.get(RUNS.kind, flow.tenant, run_id)
    if existing is None:
        run = Document(
            id=run_id,
            tenant=flow.tenant,
            created_at=now,
            updated_at=now,
            created_by=_RUNNER,
            updated_by=_RUNNER,
            etag=new_etag(),
            fields=fields,
            state="inProgress",
        )
        return store.add(RUNS.kind, run)
    updated: Document = store.compare_and_set(
        RUNS.kind,
        flow.tenant,
        run_id,
        existing.etag,
        lambda current: dataclasses.replace(
            current,
            fields=fields,
            state="inProgress",
            updated_at=now,
            etag=new_etag(current.etag),
            last_operation="re-trigger",
        ),
    )
    return updated


#: Members of a run a provider may replace with ``PUT /runs/{id}``.
PROVIDER_FIELDS = frozenset({"metrics", "activities", "providerRefId"})
_RUN_STATUSES = frozenset({"inProgress", "success", "failed"})


def update_run(
    store: Store, tenant: Tenant, run_id: str, body: Any, if_match: str | None
) -> Document:
    """``PUT /runs/{id}``: a provider replaces a run's metrics and activities (``If-Match``).

    Other members are refused with ``1100-400`` naming them; a ``statusSummary.status`` other
    than ``inProgress``, ``success`` or ``failed`` likewise. The run's state follows it.
    """
    engine.retrieve(store, RUNS, tenant, run_id)
    expected = engine.require_if_match(if_match)
    if not isinstance(body, dict) or not body:
        raise invalid_request("The request body must be a non-empty JSON object.")
    unknown = sorted(set(body) - PROVIDER_FIELDS)
    if unknown:
        raise invalid_request(f"The field {unknown[0]} cannot be updated on a run.")
    metrics = body.get("metrics")
    status = None
    if metrics is not None:
        if not isinstance(metrics, dict):
            raise invalid_request("The field metrics must be a JSON object.")
        summary = metrics.get("statusSummary", {})
        status = summary.get("status") if isinstance(summary, dict) else None
        if status is not None and status not in _RUN_STATUSES:
            raise invalid_request("The field metrics.statusSummary.status is not a run status.")
    if "activities" in body and not isinstance(body["activities"], list):
        raise invalid_request("The field activities must be a JSON array.")

    def change(run: Document) -> Document:
        return run.touched(
            _RUNNER,
            fields={**run.fields, **body},
            state=status or run.state,
            last_operation="update",
        )

    return engine.update(store, RUNS, tenant, run_id, expected, change)
