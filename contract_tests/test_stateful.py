"""A state machine over create / retrieve / list / patch / delete, checked against a model.

Each example starts from an empty model and its own unique names, and deletes what it created
when it ends (``teardown``), so examples never see each other and the target is never reset.
Listings are restricted to the example's names (``property=name==a,b,...``), so other data in
the same org (real service) or from other tests cannot disturb them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, ClassVar

import pytest
from flowservice_client import Connection, FlowServiceClient, HTTPError
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    precondition,
    rule,
    run_state_machine_as_test,
)

from .report import Recorder
from .strategies import CreateCase, create_cases, descriptions
from .support import Catalog, Cleanup, Names, assert_read_back, create_from_body


@dataclass
class Entry:
    """What the model knows about one live connection."""

    case: CreateCase
    body: dict[str, Any]
    etag: str
    old_etags: list[str] = field(default_factory=list)
    #: Created initializing (a Salesforce JWT connection on AWS): it shows no etag until the
    #: service enables it, and enabling it gives it a new one.
    initializing: bool = False

    def settle(self, conn: Connection) -> None:
        """Adopt the etag the service gave the connection when it finished initializing."""
        if self.initializing and conn.state != "initializing":
            self.old_etags.append(self.etag)
            self.etag = conn.etag or self.etag
            self.initializing = False


class ConnectionsMachine(RuleBasedStateMachine):
    """Subclassed per test with the fixtures as class attributes."""

    client: ClassVar[FlowServiceClient]
    catalog: ClassVar[Catalog]
    names: ClassVar[Names]
    recorder: ClassVar[Recorder]

    def __init__(self) -> None:
        super().__init__()
        self.live: dict[str, Entry] = {}
        self.deleted: list[str] = []
        self.used_names: list[str] = []
        self.scope = Cleanup(self.client, self.recorder)

    def _name(self) -> str:
        name = self.names.next("s")
        self.used_names.append(name)
        return name

    def _pick(self, data: st.DataObject, ids: list[str]) -> str:
        # In the order the model met them (not sorted: ids are random, so a sorted list would
        # make a replayed example pick another connection).
        return data.draw(st.sampled_from(ids), label="connection")

    @rule(data=st.data())
    def create(self, data: st.DataObject) -> None:
        case = data.draw(create_cases(self.catalog, self.recorder.redactor.add_value))
        body = case.body(self._name())
        ref = create_from_body(self.client, body)
        self.scope.track(ref.id)
        assert ref.etag, "create answers an etag"
        assert ref.id not in self.live
        assert ref.id not in self.deleted
        state = self.client.retrieve_connection(ref.id).state
        self.live[ref.id] = Entry(case, body, ref.etag, initializing=state == "initializing")

    @precondition(lambda self: self.live)
    @rule(data=st.data())
    def retrieve(self, data: st.DataObject) -> None:
        connection_id = self._pick(data, list(self.live))
        entry = self.live[connection_id]
        conn = self.client.retrieve_connection(connection_id)
        assert conn.id == connection_id
        assert_read_back(conn, entry.body, entry.case.choice)
        entry.settle(conn)
        if entry.initializing:
            assert conn.etag is None, "an initializing connection shows no etag"
        else:
            assert _unquote(conn.etag) == _unquote(entry.etag)

    @precondition(lambda self: self.live)
    @rule(data=st.data(), description=descriptions())
    def patch(self, data: st.DataObject, description: str | None) -> None:
        connection_id = self._pick(data, list(self.live))
        entry = self.live[connection_id]
        if entry.initializing:  # it may have been enabled (and got a new etag) meanwhile
            entry.settle(self.client.retrieve_connection(connection_id))
        name = self._name()
        ops: list[dict[str, Any]] = [{"op": "replace", "path": "/name", "value": name}]
        if description is not None:
            ops.append({"op": "add", "path": "/description", "value": description})
        ref = self.client.patch_connection(connection_id, ops, if_match=entry.etag)
        assert ref.id == connection_id
        assert ref.etag, "patch answers an etag"
        assert ref.etag != entry.etag, "the etag did not change"
        assert ref.etag not in entry.old_etags, "an old etag came back"
        entry.old_etags.append(entry.etag)
        entry.etag = ref.etag
        entry.body["name"] = name
        if description is not None:
            entry.body["description"] = description

    @precondition(lambda self: any(e.old_etags for e in self.live.values()))
    @rule(data=st.data())
    def patch_with_stale_etag(self, data: st.DataObject) -> None:
        stale = [cid for cid, e in self.live.items() if e.old_etags]
        connection_id = self._pick(data, stale)
        entry = self.live[connection_id]
        etag = data.draw(st.sampled_from(entry.old_etags), label="stale etag")
        ops = [{"op": "replace", "path": "/name", "value": self._name()}]
        with pytest.raises(HTTPError) as refused:
            self.client.patch_connection(connection_id, ops, if_match=etag)
        assert (refused.value.status, refused.value.code) == (412, "FLOW-1404-412")

    @precondition(lambda self: self.live)
    @rule(data=st.data())
    def delete(self, data: st.DataObject) -> None:
        connection_id = self._pick(data, list(self.live))
        self.client.delete_connection(connection_id)
        self.scope.forget(connection_id)
        del self.live[connection_id]
        self.deleted.append(connection_id)

    @precondition(lambda self: self.deleted)
    @rule(data=st.data())
    def retrieve_deleted(self, data: st.DataObject) -> None:
        connection_id = self._pick(data, self.deleted)
        with pytest.raises(HTTPError) as gone:
            self.client.retrieve_connection(connection_id)
        assert gone.value.status == 404

    @precondition(lambda self: self.used_names)
    @rule(
        limit=st.integers(min_value=1, max_value=3),
        orderby=st.sampled_from([None, "name", "-name", "createdAt"]),
        by_spec=st.booleans(),
        data=st.data(),
    )
    def list_pages(
        self, limit: int, orderby: str | None, by_spec: bool, data: st.DataObject
    ) -> None:
        filters = [f"name=={','.join(self.used_names)}"]
        expected = dict(self.live)
        if by_spec and self.live:
            spec_id = self.live[self._pick(data, list(self.live))].case.choice.spec.id
            filters.append(f"connectionSpec.id=={spec_id}")
            expected = {k: e for k, e in expected.items() if e.case.choice.spec.id == spec_id}
        seen = self._walk(filters, orderby, limit)
        ids = [c.id for c in seen]
        assert len(ids) == len(set(ids)), "a connection came back twice while paging"
        assert sorted(ids) == sorted(expected), "listing differs from the model"
        for conn in seen:
            assert conn.name == expected[conn.id].body["name"]
        if orderby in ("name", "-name"):
            names = [c.name or "" for c in seen]
            assert names == sorted(names, reverse=orderby == "-name")
        if orderby == "createdAt":
            created = [c.created_at or 0 for c in seen]
            assert created == sorted(created)
        assert self.client.count_connections(filters) == len(expected)

    def _walk(self, filters: list[str], orderby: str | None, limit: int) -> list[Connection]:
        seen: list[Connection] = []
        page = self.client.list_connections_page(filters, orderby=orderby, limit=limit)
        for _ in range(len(self.used_names) + 2):
            assert len(page.items) <= limit, "a page is larger than the limit"
            seen += page.items
            if page.next_href is None:
                return seen
            page = self.client.list_connections_page(
                filters, orderby=orderby, limit=limit, next_href=page.next_href
            )
        raise AssertionError("paging did not end")

    def teardown(self) -> None:
        self.scope.delete_all()


def _unquote(etag: str | None) -> str:
    return (etag or "").strip('"')


def test_connections_state_machine(
    contract_client: FlowServiceClient,
    catalog: Catalog,
    contract_names: Names,
    contract_recorder: Recorder,
) -> None:
    machine = type(
        "Connections",
        (ConnectionsMachine,),
        {
            "client": contract_client,
            "catalog": catalog,
            "names": contract_names,
            "recorder": contract_recorder,
        },
    )
    run_state_machine_as_test(machine, settings=settings(settings.default))
