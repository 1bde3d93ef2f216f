"""The pipeline against any target: a state machine across base, source and target connections
and flows that checks the reference rules, and schedule validation as a property.

Flows are scheduled a day ahead, so no run starts on a real sandbox while the suite runs, and
everything an example creates is deleted (newest first) when it ends.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any, ClassVar

import pytest
from flowservice_client import (
    DYNAMICS_SPEC_ID,
    BadRequestError,
    FlowServiceClient,
    NotFoundError,
)
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)

from .report import Recorder
from .support import Cleanup, Lake, Names

CRM_TO_AEP = "14518937-270c-4525-bdec-c2ba7cce3860"
DAY_S = 86_400


def _start() -> int:
    """A start time a day ahead (epoch seconds): valid everywhere, and no run happens."""
    return int(time.time()) + DAY_S


def copy_for(frequency: str) -> dict[str, Any]:
    """The CRM flow's ``Copy`` transformation: a delta column unless it runs once."""
    params = {} if frequency == "once" else {"deltaColumn": {"name": "modifiedon"}}
    return {"name": "Copy", "params": params}


def flow_body(name: str, source: str, target: str, schedule: dict[str, Any]) -> dict[str, Any]:
    frequency = schedule.get("frequency")
    return {
        "name": name,
        "flowSpec": {"id": CRM_TO_AEP, "version": "1.0"},
        "sourceConnectionIds": [source],
        "targetConnectionIds": [target],
        "transformations": [copy_for(frequency if isinstance(frequency, str) else "hour")],
        "scheduleParams": schedule,
    }


def _base(client: FlowServiceClient, name: str) -> str:
    return client.create_dynamics_connection(
        name, service_uri="https://contoso.crm.dynamics.com", username="contract", password="pw"
    ).id


def _source(client: FlowServiceClient, name: str, base: str) -> str:
    return client.create_source_connection(
        name, base, DYNAMICS_SPEC_ID, {"tableName": "contact"}
    ).id


def _target(client: FlowServiceClient, name: str, lake: Lake) -> str:
    return client.create_target_connection(name, lake.dataset_id, lake.schema_id).id


@dataclass
class FlowEntry:
    source: str
    target: str
    name: str
    state: str = "enabled"


class PipelineMachine(RuleBasedStateMachine):
    """Subclassed per test with the fixtures as class attributes."""

    client: ClassVar[FlowServiceClient]
    names: ClassVar[Names]
    recorder: ClassVar[Recorder]
    lake: ClassVar[Lake]

    def __init__(self) -> None:
        super().__init__()
        self.bases: list[str] = []
        self.sources: dict[str, str] = {}  # source -> its base
        self.targets: list[str] = []
        self.flows: dict[str, FlowEntry] = {}
        self.flow_names: list[str] = []
        self.gone_bases: list[str] = []
        self.scope = Cleanup(self.client, self.recorder)

    # -- helpers --------------------------------------------------------------------------

    def _pick(self, data: st.DataObject, ids: list[str]) -> str:
        return data.draw(st.sampled_from(ids))

    def _uses(self, record_id: str) -> bool:
        """Whether a live flow names it, or names a source connection of this base."""
        return any(
            record_id in (flow.source, flow.target) or self.sources.get(flow.source) == record_id
            for flow in self.flows.values()
        )

    def _refused_while_used(self, delete: Any, record_id: str, code: str) -> bool:
        """Delete; a used object must be refused with ``code`` and stay. True when deleted."""
        if self._uses(record_id):
            with pytest.raises(BadRequestError) as refused:
                delete(record_id)
            assert refused.value.code == code
            return False
        delete(record_id)
        self.scope.forget(record_id)
        return True

    # -- creates --------------------------------------------------------------------------

    @rule()
    def create_base(self) -> None:
        self.bases.append(self.scope.track(_base(self.client, self.names.next("b"))))

    @precondition(lambda self: self.bases)
    @rule(data=st.data())
    def create_source(self, data: st.DataObject) -> None:
        base = self._pick(data, self.bases)
        source = _source(self.client, self.names.next("s"), base)
        self.sources[self.scope.track(source, "sourceConnections")] = base
        read = self.client.retrieve_source_connection(source)
        assert read.base_connection_id == base
        assert read.params.get("tableName") == "contact"

    @precondition(lambda self: self.gone_bases)
    @rule(data=st.data())
    def create_source_on_a_deleted_base(self, data: st.DataObject) -> None:
        base = self._pick(data, self.gone_bases)
        with pytest.raises(BadRequestError):  # the track is only reached when the check fails
            self.scope.track(_source(self.client, self.names.next("s"), base), "sourceConnections")

    @rule()
    def create_target(self) -> None:
        target = _target(self.client, self.names.next("t"), self.lake)
        self.targets.append(self.scope.track(target, "targetConnections"))

    @precondition(lambda self: self.sources and self.targets)
    @rule(data=st.data())
    def create_flow(self, data: st.DataObject) -> None:
        source = self._pick(data, list(self.sources))
        target = self._pick(data, self.targets)
        name = self.names.next("f")
        schedule = {"startTime": _start(), "frequency": "hour", "interval": 1}
        flow = self.client.create_flow(flow_body(name, source, target, schedule)).id
        self.flows[self.scope.track(flow, "flows")] = FlowEntry(source, target, name)
        self.flow_names.append(name)

    # -- changes --------------------------------------------------------------------------

    @precondition(lambda self: self.flows)
    @rule(data=st.data())
    def toggle_flow(self, data: st.DataObject) -> None:
        flow_id = self._pick(data, list(self.flows))
        entry = self.flows[flow_id]
        if entry.state == "enabled":
            self.client.disable_flow(flow_id)
            entry.state = "disabled"
        else:
            self.client.enable_flow(flow_id)
            entry.state = "enabled"

    @precondition(lambda self: self.flows)
    @rule(data=st.data())
    def rename_flow(self, data: st.DataObject) -> None:
        flow_id = self._pick(data, list(self.flows))
        before = self.client.retrieve_flow(flow_id).etag
        name = self.names.next("f")
        ref = self.client.patch_flow(flow_id, [{"op": "replace", "path": "/name", "value": name}])
        assert ref.etag != before
        self.flows[flow_id].name = name
        self.flow_names.append(name)

    # -- deletes and the reference rules ---------------------------------------------------

    @precondition(lambda self: self.bases)
    @rule(data=st.data())
    def delete_base(self, data: st.DataObject) -> None:
        base = self._pick(data, self.bases)
        if self._refused_while_used(self.client.delete_connection, base, "FLOW-1418-400"):
            self.bases.remove(base)
            self.gone_bases.append(base)

    @precondition(lambda self: self.sources)
    @rule(data=st.data())
    def delete_source(self, data: st.DataObject) -> None:
        source = self._pick(data, list(self.sources))
        if self._refused_while_used(self.client.delete_source_connection, source, "FLOW-1447-400"):
            del self.sources[source]

    @precondition(lambda self: self.targets)
    @rule(data=st.data())
    def delete_target(self, data: st.DataObject) -> None:
        target = self._pick(data, self.targets)
        if self._refused_while_used(self.client.delete_target_connection, target, "FLOW-1447-400"):
            self.targets.remove(target)

    @precondition(lambda self: self.flows)
    @rule(data=st.data())
    def delete_flow(self, data: st.DataObject) -> None:
        flow_id = self._pick(data, list(self.flows))
        self.client.delete_flow(flow_id)
        self.scope.forget(flow_id)
        del self.flows[flow_id]
        with pytest.raises(NotFoundError):
            self.client.retrieve_flow(flow_id)

    # -- what reads must show ------------------------------------------------------------

    @precondition(lambda self: self.flows)
    @rule(data=st.data())
    def retrieve_flow(self, data: st.DataObject) -> None:
        flow_id = self._pick(data, list(self.flows))
        entry = self.flows[flow_id]
        flow = self.client.retrieve_flow(flow_id)
        assert (flow.name, flow.state, flow.flow_spec_id) == (entry.name, entry.state, CRM_TO_AEP)
        assert flow.source_connection_ids == (entry.source,)
        assert flow.target_connection_ids == (entry.target,)

    @invariant()
    def listing_shows_the_live_flows(self) -> None:
        if not self.flow_names:
            return
        listed = self.client.list_flows([f"name=={','.join(self.flow_names)}"], limit=100)
        assert {flow.id for flow in listed} == set(self.flows)

    def teardown(self) -> None:
        self.scope.delete_all()


def test_pipeline_state_machine(
    contract_client: FlowServiceClient,
    contract_names: Names,
    contract_recorder: Recorder,
    lake: Lake,
) -> None:
    machine = type(
        "Pipeline",
        (PipelineMachine,),
        {
            "client": contract_client,
            "names": contract_names,
            "recorder": contract_recorder,
            "lake": lake,
        },
    )
    run_state_machine_as_test(machine, settings=settings(settings.default))


# -- schedules ------------------------------------------------------------------------------

#: Smallest interval per repeating frequency, as the docs give them.
MIN_INTERVALS = {"minute": 15, "hour": 1, "day": 1, "week": 1}


def _number(draw: st.DrawFn, value: int) -> int | str:
    """The docs send schedule numbers as strings, the schemas say integers: both are sent."""
    return draw(st.sampled_from([value, str(value)]))


@st.composite
def schedules(draw: st.DrawFn) -> tuple[dict[str, Any], str | None]:
    """A schedule with at most one documented mistake, and the code the mistake must get."""
    frequency = draw(st.sampled_from(["once", *MIN_INTERVALS]))
    schedule: dict[str, Any] = {"startTime": _number(draw, _start()), "frequency": frequency}
    if frequency != "once":
        interval = draw(st.integers(MIN_INTERVALS[frequency], MIN_INTERVALS[frequency] + 90))
        schedule["interval"] = _number(draw, interval)
        if draw(st.booleans()):
            schedule["backfill"] = draw(st.sampled_from([True, False, "true", "false"]))
    mistakes: list[tuple[str, str]] = [("none", "")]
    mistakes += [("empty", "FLOW-1317-400"), ("no frequency", "FLOW-1304-400")]
    mistakes += [("unknown frequency", "FLOW-1397-400"), ("no start", "FLOW-1304-400")]
    if frequency == "once":
        mistakes += [("interval", "FLOW-1361-400"), ("backfill", "FLOW-1364-400")]
    else:
        mistakes += [("no interval", "FLOW-1304-400"), ("small interval", "FLOW-1362-400")]
    mistake, code = draw(st.sampled_from(mistakes))
    if mistake == "empty":
        schedule = {}
    elif mistake == "no frequency":
        del schedule["frequency"]
    elif mistake == "unknown frequency":
        schedule["frequency"] = draw(st.sampled_from(["monthly", "hourly", "HOUR", "", "year"]))
    elif mistake == "no start":
        del schedule["startTime"]
    elif mistake == "interval":
        schedule["interval"] = _number(draw, draw(st.integers(1, 60)))
    elif mistake == "backfill":
        schedule["backfill"] = True
    elif mistake == "no interval":
        del schedule["interval"]
    elif mistake == "small interval":
        schedule["interval"] = _number(draw, draw(st.integers(0, MIN_INTERVALS[frequency] - 1)))
    return schedule, code or None


def test_schedules_are_validated_as_documented(
    contract_client: FlowServiceClient,
    contract_names: Names,
    cleanup: Cleanup,
    lake: Lake,
) -> None:
    """Each documented schedule mistake gets its code; a schedule without one creates a flow."""
    base = cleanup.track(_base(contract_client, contract_names.next("b")))
    source = _source(contract_client, contract_names.next("s"), base)
    cleanup.track(source, "sourceConnections")
    target = cleanup.track(
        _target(contract_client, contract_names.next("t"), lake), "targetConnections"
    )

    @given(case=schedules())
    @settings(settings.default)
    def check(case: tuple[dict[str, Any], str | None]) -> None:
        schedule, code = case
        body = flow_body(contract_names.next("f"), source, target, schedule)
        if code is None:
            flow = contract_client.create_flow(body).id
            read = contract_client.retrieve_flow(flow)
            contract_client.delete_flow(flow)
            assert read.schedule == schedule
            return
        with pytest.raises(BadRequestError) as refused:
            cleanup.track(contract_client.create_flow(body).id, "flows")  # reached on a miss
        assert refused.value.code == code, schedule

    check()
