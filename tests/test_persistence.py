"""The SQLite store: the in-memory store's semantics, durability across restarts and kill -9.

The store tests run against both backends (``memory`` and ``sqlite``); the ``sqlite``-only
tests cover what only a file can do: two stores on one file, reopening, the query plan.
"""

from __future__ import annotations

import inspect
import os
import sqlite3
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
import requests

from mock_flowservice.errors import FlowError
from mock_flowservice.model import Caller, Connection, Tenant, new_etag
from mock_flowservice.operations.registry import decoders
from mock_flowservice.storage import (
    SCHEMA_VERSION,
    MemoryStore,
    SqliteStore,
    StaleEtag,
    StateFileError,
    Store,
)

from .serving import served
from .support import DYNAMICS_BASIC, DYNAMICS_SPEC_ID, HEADERS, dynamics_basic_body

K = "connections"
DECODERS = decoders()
TENANT = Tenant("ORG@AdobeOrg", "prod")
OTHER = Tenant("ORG@AdobeOrg", "dev")


def make_connection(tenant: Tenant = TENANT, name: str = "Dynamics", **changes: Any) -> Connection:
    fields: dict[str, Any] = {
        "id": str(uuid.uuid4()),
        "tenant": tenant,
        "name": name,
        "description": "CRM",
        "spec_id": DYNAMICS_SPEC_ID,
        "spec_version": "1.0",
        "auth_spec": DYNAMICS_BASIC,
        "params": {"serviceUri": "https://x.example", "username": "u", "password": "p"},
        "secret_keys": frozenset({"password"}),
        "created_at": 1,
        "updated_at": 1,
        "created_by": Caller("user@AdobeID", "client"),
        "updated_by": Caller("user@AdobeID", "client"),
        "etag": new_etag(),
    }
    fields.update(changes)
    return Connection(**fields)


@pytest.fixture(params=["memory", "sqlite"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    if request.param == "memory":
        yield MemoryStore()
        return
    sqlite_store = SqliteStore(tmp_path / "state.sqlite3", DECODERS)
    yield sqlite_store
    sqlite_store.close()


@pytest.fixture
def state_file(tmp_path: Path) -> Path:
    return tmp_path / "state.sqlite3"


# -- both backends ---------------------------------------------------------------------------


def test_add_get_round_trip_and_sequence(store: Store) -> None:
    first = store.add(K, make_connection(state="draft", last_operation="update", test_result=False))
    second = store.add(K, make_connection(description=None))
    assert first.seq < second.seq
    for stored in (first, second):
        fetched = store.get(K, TENANT, stored.id)
        assert fetched == stored
        assert fetched is not None
        assert fetched.seq == stored.seq
    assert store.get(K, OTHER, first.id) is None
    assert store.get(K, TENANT, "missing") is None


def test_update_checks_the_etag(store: Store) -> None:
    stored = store.add(K, make_connection())

    def rename(connection: Connection) -> Connection:
        return replace(connection, name="renamed", etag=new_etag(connection.etag))

    with pytest.raises(StaleEtag) as stale:
        store.compare_and_set(K, TENANT, stored.id, '"stale"', rename)
    assert (stale.value.expected, stale.value.current) == ('"stale"', stored.etag)
    unquoted = stored.etag.strip('"')  # quotes are optional
    updated = store.compare_and_set(K, TENANT, stored.id, unquoted, rename)
    assert updated is not None
    assert (updated.name, updated.seq) == ("renamed", stored.seq)
    assert store.get(K, TENANT, stored.id) == updated
    assert store.compare_and_set(K, TENANT, "missing", stored.etag, rename) is None
    assert store.compare_and_set(K, OTHER, stored.id, updated.etag, rename) is None


def test_a_failing_change_writes_nothing(store: Store) -> None:
    stored = store.add(K, make_connection())

    def refuse(connection: Connection) -> Connection:
        raise FlowError("1405-400")

    with pytest.raises(FlowError):
        store.compare_and_set(K, TENANT, stored.id, stored.etag, refuse)
    assert store.get(K, TENANT, stored.id) == stored


def test_delete(store: Store) -> None:
    stored = store.add(K, make_connection())
    assert store.delete(K, OTHER, stored.id) is False
    assert store.delete(K, TENANT, stored.id) is True
    assert store.delete(K, TENANT, stored.id) is False
    assert store.get(K, TENANT, stored.id) is None
    assert store.records(K, TENANT) == []


def test_scan_pages_filters_and_directions(store: Store) -> None:
    store.load(K, [*(make_connection(name=f"c{i}") for i in range(450)), make_connection(OTHER)])
    added = store.records(K, TENANT)
    every = lambda c: True  # noqa: E731
    sevenths = lambda c: int(c.name[1:]) % 7 == 0  # noqa: E731
    assert store.scan(K, TENANT, accept=every, limit=3) == added[:3]
    assert store.scan(K, TENANT, accept=every, limit=3, after=added[2].seq) == added[3:6]
    assert store.scan(K, TENANT, accept=every, limit=2, descending=True) == added[:-3:-1]
    assert store.scan(K, TENANT, accept=every, limit=2, after=added[5].seq, descending=True) == [
        added[4],
        added[3],
    ]
    # A filter that rejects most rows still fills the page, across the store's read batches.
    filtered = store.scan(K, TENANT, accept=sevenths, limit=40)
    assert filtered == [c for c in added if int(c.name[1:]) % 7 == 0][:40]
    assert len(store.scan(K, TENANT, accept=sevenths, limit=2**62)) == 65
    assert len(store.scan(K, TENANT, accept=every, limit=2**62)) == 450
    assert store.scan(K, Tenant("nobody", "prod"), accept=every, limit=5) == []


def test_a_page_reads_only_what_it_returns(store: Store) -> None:
    store.load(K, (make_connection(name=f"c{i}") for i in range(300)))
    added = store.records(K, TENANT)
    seen: list[str] = []

    def counting(connection: Connection) -> bool:
        seen.append(connection.id)
        return True

    page = store.scan(K, TENANT, accept=counting, limit=5, after=added[250].seq)
    assert page == added[251:256]
    assert len(seen) == 5


def test_connections_all_connections_and_load(store: Store) -> None:
    mine = [store.add(K, make_connection()) for _ in range(3)]
    theirs = store.add(K, make_connection(OTHER))
    assert store.records(K, TENANT) == mine
    assert store.everything(K) == [*mine, theirs]
    seeded = [make_connection(name="seed-a"), make_connection(name="seed-b")]
    assert store.load(K, seeded) == 2
    assert [c.id for c in store.records(K, TENANT)[-2:]] == [c.id for c in seeded]


def test_reset_forgets_everything(store: Store) -> None:
    store.add(K, make_connection())
    token = store.issue_token("client", 60)
    store.reset()
    assert store.everything(K) == []
    assert store.token(token) is None
    assert store.add(K, make_connection()).seq == 1


def test_tokens(store: Store) -> None:
    before = time.time()
    token = store.issue_token("my-client", 3600)
    issued = store.token(token)
    assert token.startswith("mock-")
    assert issued is not None
    assert issued.client_id == "my-client"
    assert before + 3600 <= issued.expires_at <= time.time() + 3600
    assert store.token("mock-unknown") is None


def test_concurrent_updates_with_one_etag_one_wins(store: Store) -> None:
    stored = store.add(K, make_connection())
    barrier = threading.Barrier(16)
    outcomes: list[str] = []

    def patch(n: int) -> None:
        barrier.wait(timeout=10)
        try:
            store.compare_and_set(
                K,
                TENANT,
                stored.id,
                stored.etag,
                lambda c: replace(c, name=f"by-{n}", etag=new_etag(c.etag)),
            )
            outcomes.append("ok")
        except StaleEtag:
            outcomes.append("stale")

    threads = [threading.Thread(target=patch, args=(n,)) for n in range(16)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(outcomes) == ["ok"] + ["stale"] * 15


# -- SQLite only -----------------------------------------------------------------------------


def test_both_stores_implement_the_whole_protocol_as_siblings() -> None:
    public = {name for name, _ in inspect.getmembers(Store, inspect.isfunction)}
    public = {name for name in public if not name.startswith("_")}
    assert {"add", "get", "compare_and_set", "delete", "scan", "reset"} <= public
    for implementation in (MemoryStore, SqliteStore):
        sibling = SqliteStore if implementation is MemoryStore else MemoryStore
        assert not issubclass(implementation, sibling)
        for name in public:
            ours = inspect.signature(getattr(implementation, name))
            theirs = inspect.signature(getattr(Store, name))
            assert list(ours.parameters) == list(theirs.parameters), (implementation, name)


def test_state_outlives_the_store_and_is_shared_by_two(state_file: Path) -> None:
    first, second = SqliteStore(state_file, DECODERS), SqliteStore(state_file, DECODERS)
    try:
        stored = first.add(K, make_connection())
        token = first.issue_token("client", 60)
        assert second.get(K, TENANT, stored.id) == stored
        assert second.token(token) is not None
        updated = second.compare_and_set(
            K, TENANT, stored.id, stored.etag, lambda c: replace(c, etag=new_etag(c.etag))
        )
        assert updated is not None
        with pytest.raises(StaleEtag):
            first.compare_and_set(K, TENANT, stored.id, stored.etag, lambda c: c)
        assert first.add(K, make_connection()).seq > stored.seq
    finally:
        first.close()
        second.close()
    reopened = SqliteStore(state_file, DECODERS)
    try:
        assert reopened.get(K, TENANT, stored.id) == updated
        assert len(reopened.everything(K)) == 2
    finally:
        reopened.close()


def test_sqlite_file_settings_and_query_plan(state_file: Path) -> None:
    store = SqliteStore(state_file, DECODERS)
    store.add(K, make_connection())
    store.close()
    with sqlite3.connect(state_file) as db:
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        plan = db.execute(
            "EXPLAIN QUERY PLAN SELECT seq, record FROM records"
            " WHERE kind = ? AND org = ? AND sandbox = ? AND seq > ? ORDER BY seq LIMIT ?",
            (K, "o", "s", 0, 10),
        ).fetchall()
    db.close()
    text = " ".join(str(row[-1]) for row in plan)
    assert "records_order" in text
    assert "TEMP B-TREE" not in text  # no sort: the index gives the order


@pytest.mark.parametrize(("durable", "level"), [(False, 1), (True, 2)])  # NORMAL, FULL
def test_synchronous_level_on_every_connection(state_file: Path, durable: bool, level: int) -> None:
    store = SqliteStore(state_file, DECODERS, durable=durable)
    try:
        store.get(K, TENANT, "x")
        (db,) = store._opened
        assert db.execute("PRAGMA synchronous").fetchone()[0] == level
        assert db.execute("PRAGMA busy_timeout").fetchone()[0] == 30_000
    finally:
        store.close()


def test_writers_queue_on_a_lock_file(state_file: Path) -> None:
    store = SqliteStore(state_file, DECODERS)
    try:
        store.add(K, make_connection())
        assert Path(f"{state_file}.lock").exists()
        assert len(store._lock_fds) == 1
        fd = store._lock_fds[0]
        fcntl = pytest.importorskip("fcntl")
        # Another descriptor holding the lock makes this thread's writer wait for it.
        other = os.open(f"{state_file}.lock", os.O_RDWR)
        fcntl.flock(other, fcntl.LOCK_EX)
        with pytest.raises(BlockingIOError):
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        fcntl.flock(other, fcntl.LOCK_UN)
        os.close(other)
    finally:
        store.close()
    assert store._lock_fds == []


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs os.fork")
@pytest.mark.filterwarnings("ignore:.*fork.*:DeprecationWarning")  # 3.12+: other threads
def test_a_forked_child_opens_its_own_connection(state_file: Path) -> None:
    store = SqliteStore(state_file, DECODERS)
    try:
        parent_made = store.add(K, make_connection())  # the parent now holds a connection
        pid = os.fork()
        if pid == 0:  # the child: like a gunicorn worker, it writes through the same store
            status = 1
            try:
                child_made = store.add(K, make_connection(name="from-child"))
                status = 0 if store.get(K, TENANT, parent_made.id) and child_made.seq else 1
            finally:
                os._exit(status)
        _, status = os.waitpid(pid, 0)
        assert os.waitstatus_to_exitcode(status) == 0
        assert [c.name for c in store.records(K, TENANT)] == ["Dynamics", "from-child"]
    finally:
        store.close()


def test_unreadable_state_path_fails_at_construction(tmp_path: Path) -> None:
    with pytest.raises(StateFileError, match="missing-dir does not exist"):
        SqliteStore(tmp_path / "missing-dir" / "state.sqlite3", DECODERS)


# -- real servers ----------------------------------------------------------------------------


@pytest.mark.server
def test_state_survives_a_restart(tmp_path: Path, state_file: Path) -> None:
    url_path = "/connections"
    with served("--state", str(state_file), log_path=tmp_path / "1.log") as server:
        created = [
            requests.post(server.base_url + url_path, json=dynamics_basic_body(f"c{i}"),
                          headers=HEADERS, timeout=10).json()
            for i in range(3)
        ]  # fmt: skip
        patched = requests.patch(
            f"{server.base_url}/connections/{created[1]['id']}",
            json=[{"op": "replace", "path": "/name", "value": "renamed"}],
            headers={**HEADERS, "If-Match": created[1]["etag"]},
            timeout=10,
        )
        assert patched.status_code == 200
        token = requests.post(
            server.url + "/ims/token/v3",
            data={"grant_type": "client_credentials", "client_id": "ci", "client_secret": "s",
                  "scope": "openid"},
            timeout=10,
        ).json()["access_token"]  # fmt: skip
        assert server.stop() == 0

    args = ("--state", str(state_file), "--token-policy", "issued")
    with served(*args, log_path=tmp_path / "2.log") as server:
        headers = {**HEADERS, "Authorization": f"Bearer {token}"}
        listed = requests.get(server.base_url + url_path, headers=headers, timeout=10).json()
        assert [c["id"] for c in listed["items"]] == [c["id"] for c in created]
        assert [c["name"] for c in listed["items"]] == ["c0", "renamed", "c2"]
        assert listed["items"][1]["etag"] == patched.json()["etag"]
        assert listed["items"][0]["auth"]["params"]["password"] == "********"


@pytest.mark.server
@pytest.mark.slow
def test_every_acknowledged_create_survives_kill_9(tmp_path: Path, state_file: Path) -> None:
    acknowledged: list[str] = []
    with served("--state", str(state_file), log_path=tmp_path / "1.log") as server:
        thread = threading.Thread(target=stream_creates, args=(server.base_url, acknowledged))
        thread.start()
        deadline = time.monotonic() + 5
        while len(acknowledged) < 60 and thread.is_alive() and time.monotonic() < deadline:
            time.sleep(0.005)
        server.kill()  # mid-stream: the client is still sending
        thread.join(timeout=30)
        assert not thread.is_alive()
    assert 0 < len(acknowledged) < 300

    with served("--state", str(state_file), log_path=tmp_path / "2.log") as server:
        with requests.Session() as http:
            http.headers.update(HEADERS)
            for connection_id in acknowledged:
                found = http.get(f"{server.base_url}/connections/{connection_id}", timeout=10)
                assert found.status_code == 200, connection_id
            count = http.get(f"{server.base_url}/connections?count=true", timeout=10).json()
        # At most one more: a create committed but killed before its answer.
        assert len(acknowledged) <= count["count"] <= len(acknowledged) + 1


def stream_creates(base_url: str, acknowledged: list[str]) -> None:
    """Send up to 300 creates for up to 5 s, recording each id answered 201; stop on error."""
    deadline = time.monotonic() + 5
    with requests.Session() as http:
        for n in range(300):
            if time.monotonic() > deadline:
                return
            try:
                response = http.post(
                    f"{base_url}/connections",
                    json=dynamics_basic_body(f"c{n}"),
                    headers=HEADERS,
                    timeout=5,
                )
            except requests.RequestException:
                return
            if response.status_code == 201:
                acknowledged.append(response.json()["id"])


def _pipeline_bodies(base: str, last: dict[str, str]) -> Iterator[tuple[str, dict[str, Any]]]:
    """Source connection, target connection, flow over those two; again and again."""
    spec = {"id": DYNAMICS_SPEC_ID, "version": "1.0"}
    lake = "c604ff05-7f1a-43c0-8e18-33bf874cb11c"
    while True:
        yield "sourceConnections", {
            "name": "s", "baseConnectionId": base, "data": {"format": "tabular"},
            "params": {"tableName": "contact"}, "connectionSpec": spec,
        }  # fmt: skip
        yield "targetConnections", {
            "name": "t", "params": {"dataSetId": "6889f4f89b982b2b90bc1207"},
            "data": {"schema": {"id": "https://ns.adobe.com/a/schemas/x", "version": "1"}},
            "connectionSpec": {"id": lake, "version": "1.0"},
        }  # fmt: skip
        yield "flows", {
            "name": "f", "flowSpec": {"id": "14518937-270c-4525-bdec-c2ba7cce3860"},
            "sourceConnectionIds": [last["sourceConnections"]],
            "targetConnectionIds": [last["targetConnections"]],
            "transformations": [{"name": "Copy", "params": {"deltaColumn": {"name": "x"}}}],
            "scheduleParams": {"startTime": "4102444800", "frequency": "day", "interval": "1"},
        }  # fmt: skip


def stream_pipeline(base_url: str, base: str, acknowledged: list[tuple[str, str]]) -> None:
    """Up to 300 pipeline creates for up to 5 s, recording each ``(kind, id)`` answered 201."""
    deadline = time.monotonic() + 5
    last: dict[str, str] = {}
    bodies = _pipeline_bodies(base, last)
    with requests.Session() as http:
        for _ in range(300):
            kind, body = next(bodies)
            if time.monotonic() > deadline:
                return
            try:
                response = http.post(f"{base_url}/{kind}", json=body, headers=HEADERS, timeout=5)
            except requests.RequestException:
                return
            if response.status_code != 201:
                return
            last[kind] = response.json()["id"]
            acknowledged.append((kind, last[kind]))


@pytest.mark.server
@pytest.mark.slow
def test_every_acknowledged_pipeline_create_survives_kill_9(
    tmp_path: Path, state_file: Path
) -> None:
    acknowledged: list[tuple[str, str]] = []
    with served("--state", str(state_file), log_path=tmp_path / "1.log") as server:
        created = requests.post(
            server.base_url + "/connections",
            json=dynamics_basic_body(),
            headers=HEADERS,
            timeout=10,
        )
        base = created.json()["id"]
        args = (server.base_url, base, acknowledged)
        thread = threading.Thread(target=stream_pipeline, args=args)
        thread.start()
        deadline = time.monotonic() + 5
        while len(acknowledged) < 60 and thread.is_alive() and time.monotonic() < deadline:
            time.sleep(0.005)
        server.kill()  # mid-stream
        thread.join(timeout=30)
        assert not thread.is_alive()
    kinds = {kind for kind, _ in acknowledged}
    assert kinds == {"sourceConnections", "targetConnections", "flows"}, acknowledged[:3]

    restarted = served("--state", str(state_file), log_path=tmp_path / "2.log")
    with restarted as server, requests.Session() as http:
        http.headers.update(HEADERS)
        for kind, record_id in acknowledged:
            found = http.get(f"{server.base_url}/{kind}/{record_id}", timeout=10)
            assert found.status_code == 200, (kind, record_id)
        for kind in sorted(kinds):
            count = http.get(f"{server.base_url}/{kind}?count=true", timeout=10).json()
            acked = sum(1 for k, _ in acknowledged if k == kind)
            # At most one more: a create committed but killed before its answer.
            assert acked <= count["count"] <= acked + 1, kind


# -- schema versions -------------------------------------------------------------------------

V1_FILE = Path(__file__).parent / "data" / "state-v1.sqlite"


def _schema(path: Path) -> tuple[int, list[tuple[str, list[Any]]]]:
    """The format version, and every table and index with its columns."""
    db = sqlite3.connect(path)
    try:
        version = db.execute("PRAGMA user_version").fetchone()[0]
        names = db.execute("SELECT type, name FROM sqlite_master ORDER BY name").fetchall()
        pragma = {"table": "table_info", "index": "index_info"}
        tables = [
            (name, db.execute(f"PRAGMA {pragma[kind]}({name})").fetchall()) for kind, name in names
        ]
        return version, tables
    finally:
        db.close()


def test_a_state_file_of_the_01_format_is_migrated_forward(tmp_path: Path) -> None:
    copied = tmp_path / "old.sqlite"
    copied.write_bytes(V1_FILE.read_bytes())
    assert _schema(copied)[0] == 0  # 0.1 wrote no user_version
    store = SqliteStore(copied, DECODERS)
    try:
        org1 = Tenant("ORG1@AdobeOrg", "prod")
        first = store.get(K, org1, "00000000-0000-4000-8000-000000000000")
        assert isinstance(first, Connection)
        assert first.params["password"] == "pw-v1-file"
        assert (first.description, first.state, first.seq) == ("from the v1 format", "enabled", 1)
        assert [c.name for c in store.records(K, Tenant("ORG1@AdobeOrg", "dev"))] == ["Dynamics 1"]
        assert [c.seq for c in store.everything(K)] == [1, 2, 3]
        assert store.add(K, make_connection()).seq == 4  # the sequence goes on
    finally:
        store.close()
    version, tables = _schema(copied)
    assert version == SCHEMA_VERSION
    assert "connections" not in {name for name, _ in tables}
    fresh = tmp_path / "fresh.sqlite"
    SqliteStore(fresh, DECODERS).close()
    assert _schema(fresh) == (version, tables)  # migrated and new files are alike


def test_a_state_file_of_a_newer_release_is_refused(state_file: Path) -> None:
    SqliteStore(state_file, DECODERS).close()
    db = sqlite3.connect(state_file)
    db.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    db.commit()
    db.close()
    with pytest.raises(StateFileError, match="newer release"):
        SqliteStore(state_file, DECODERS)


def test_reset_rebuilds_what_construction_builds(tmp_path: Path) -> None:
    memory = MemoryStore()
    memory.add(K, make_connection())
    memory.issue_token("client", 60)
    memory.reset()
    assert vars(memory).keys() == vars(MemoryStore()).keys()
    assert memory.everything(K) == []
    assert memory.add(K, make_connection()).seq == 1
    used, new = tmp_path / "used.sqlite", tmp_path / "new.sqlite"
    sqlite_store = SqliteStore(used, DECODERS)
    sqlite_store.add(K, make_connection())
    sqlite_store.reset()
    sqlite_store.close()
    SqliteStore(new, DECODERS).close()
    assert _schema(used) == _schema(new)


def test_pipeline_documents_round_trip_in_both_stores(store: Store) -> None:
    from mock_flowservice.model import Document

    caller = Caller("user", "client")
    document = Document(
        id="5c0e0000-0000-4000-8000-000000000001",
        tenant=TENANT,
        created_at=5,
        updated_at=6,
        created_by=caller,
        updated_by=caller,
        etag=new_etag(),
        fields={
            "name": "source",
            "params": {"tableName": "contact"},
            "data": {"format": "tabular"},
        },
        state="draft",
        last_operation="draft_create",
    )
    stored = store.add("sourceConnections", document)
    assert store.get("sourceConnections", TENANT, document.id) == stored
    assert store.get(K, TENANT, document.id) is None  # kinds never mix
    assert store.everything("sourceConnections") == [stored]
    assert stored.to_json()["lastOperation"] == {
        "started": 5,
        "updated": 6,
        "operation": "draft_create",
    }
