"""A fuzz of every route of the app: no 5xx, no traceback in the log.

The routes come from the app's own URL map (Flow Service with the whole pipeline, IMS, the
control API, health), so a route added later is fuzzed without touching this file. Each
generated example is a short sequence of requests (methods, paths with real and crafted ids,
query parameters, bodies mutated from valid ones, headers) against a mock holding a whole
dataflow: base, source and target connections, a flow and its runs.

In-process (Flask's test client) at least :data:`IN_PROCESS_REQUESTS` requests a run, then
smaller runs over a real waitress socket server and over ``serve --workers 2`` (gunicorn). A
5xx or a dropped connection is allowed only when a fault rule the fuzz itself added asked for
it. Hypothesis is derandomized: every run sends the same requests.
"""

from __future__ import annotations

import base64
import http.client
import json
import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode

import pytest
from flask import Flask
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mock_flowservice import create_app, of_app
from mock_flowservice.control.plane import control_of
from mock_flowservice.operations import registry

from .budget import examples
from .serving import served
from .support import BASE_PATH, DYNAMICS_SPEC_ID, HEADERS, ORG, start_server
from .support import dynamics_basic_body as connection_body
from .test_limits_fuzz import CONTENT_TYPES, header_text, json_values
from .test_limits_fuzz import bodies as hostile_bodies

IN_PROCESS_REQUESTS = examples(1000)
SOCKET_REQUESTS = examples(150)
WORKERS_REQUESTS = examples(150)
CRM_TO_AEP = "14518937-270c-4525-bdec-c2ba7cce3860"
DATALAKE = "c604ff05-7f1a-43c0-8e18-33bf874cb11c"
T0_MS = 1_767_225_600_000
METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"]


def routes(app: Flask) -> list[tuple[str, list[str]]]:
    """Every URL rule of the app (a trailing-slash twin counts once) with its methods."""
    found: dict[str, set[str]] = {}
    for rule in app.url_map.iter_rules():
        found.setdefault(rule.rule.rstrip("/") or "/", set()).update(rule.methods or ())
    return sorted((rule, sorted(methods - {"HEAD", "OPTIONS"})) for rule, methods in found.items())


#: The inspector's page, views, script and styles answer these besides JSON errors.
INSPECTOR_TYPES = ("application/json", "text/html", "text/css", "text/javascript")


def answer_types(path: str) -> tuple[str, ...]:
    """The media types an answer on ``path`` may have: JSON, or the inspector's own."""
    return INSPECTOR_TYPES if path.startswith("/__mock__/ui") else ("application/json",)


# -- the state every example starts from ------------------------------------------------------


def source_body(base: str) -> dict[str, Any]:
    return {
        "name": "contacts",
        "baseConnectionId": base,
        "data": {"format": "tabular"},
        "params": {"tableName": "contact"},
        "connectionSpec": {"id": DYNAMICS_SPEC_ID, "version": "1.0"},
    }


def target_body() -> dict[str, Any]:
    return {
        "name": "lake",
        "data": {"schema": {"id": "https://ns.adobe.com/acme/schemas/x", "version": "1"}},
        "params": {"dataSetId": "6889f4f89b982b2b90bc1207"},
        "connectionSpec": {"id": DATALAKE, "version": "1.0"},
    }


def flow_body(source: str, target: str) -> dict[str, Any]:
    return {
        "name": "ACME Contact Dataflow",
        "flowSpec": {"id": CRM_TO_AEP, "version": "1.0"},
        "sourceConnectionIds": [source],
        "targetConnectionIds": [target],
        "transformations": [
            {"name": "Copy", "params": {"deltaColumn": {"name": "modifiedon"}}},
            {"name": "Mapping", "params": {"mappingId": "93ddfa69c4864d978832b1e5ef6ec3b9"}},
        ],
        "scheduleParams": {
            "startTime": str(T0_MS // 1000),
            "frequency": "minute",
            "interval": "15",
        },
    }


@dataclass
class World:
    """An app holding a dataflow, the ids and etags in it, and a snapshot to restore."""

    app: Flask
    ids: dict[str, str]
    etags: list[str]
    snapshot: dict[str, list[Any]] = field(default_factory=dict)
    sent: int = 0
    #: Strategies built once per world (building one per draw costs more than the requests).
    strategies: dict[Any, st.SearchStrategy[Any]] = field(default_factory=dict)

    def strategy(self, key: Any, make: Callable[[], st.SearchStrategy[Any]]) -> Any:
        if key not in self.strategies:
            self.strategies[key] = make()
        return self.strategies[key]

    @classmethod
    def build(cls, config: dict[str, Any] | None = None) -> World:
        app = create_app(config)
        client = app.test_client()

        def post(path: str, body: Any) -> dict[str, Any]:
            response = client.post(path, json=body, headers=HEADERS)
            assert response.status_code in (200, 201), response.json
            return dict(response.json)

        assert post("/__mock__/clock", {"freeze": True, "set": T0_MS})["frozen"] is True
        base = post(BASE_PATH + "/connections", connection_body())["id"]
        source = post(BASE_PATH + "/sourceConnections", source_body(base))["id"]
        target = post(BASE_PATH + "/targetConnections", target_body())["id"]
        flow = post(BASE_PATH + "/flows", flow_body(source, target))["id"]
        post("/__mock__/clock", {"advanceSeconds": 3600})
        runs = client.get(f"{BASE_PATH}/runs?property=flowId=={flow}", headers=HEADERS).json
        run = runs["items"][0]["id"]
        ids = {"base": base, "source": source, "target": target, "flow": flow, "run": run}
        store = of_app(app).store
        snapshot = {kind: store.everything(kind) for kind in registry.decoders()}
        etags = [
            record.etag
            for records in snapshot.values()
            for record in records
            if hasattr(record, "etag")
        ]
        return cls(app, ids, etags, snapshot)

    def restore(self) -> None:
        """Back to the dataflow (the fuzz deletes, patches and resets things)."""
        store = of_app(self.app).store
        store.reset()
        for kind, records in self.snapshot.items():
            store.load(kind, records)
        control_of(self.app).reset()


# -- strategies ------------------------------------------------------------------------------

QUERY_NAMES = [
    "limit", "property", "orderby", "continuationToken", "count", "objectType", "object",
    "preview", "previewCount", "fileType", "sourceParams", "op", "mode", "if-match", "status",
    "method", "path", "primaryKey", "determineProperties", "client_secret",
]  # fmt: skip


def encoded(value: Any) -> str:
    return base64.urlsafe_b64encode(json.dumps(value).encode()).decode().rstrip("=")


def id_segments(world: World) -> st.SearchStrategy[str]:
    known = [*world.ids.values(), DYNAMICS_SPEC_ID, DATALAKE, CRM_TO_AEP]
    return st.one_of(
        st.sampled_from(known),
        st.uuids().map(str),
        st.text(max_size=30).map(lambda text: quote(text, safe="")),
        st.sampled_from(["", "%00", "..", "%2F", "a" * 3000, "%C3%A9", "%ff", "search"]),
    )


def query_values(world: World) -> st.SearchStrategy[str]:
    flow = world.ids["flow"]
    return st.one_of(
        st.text(max_size=30),
        st.sampled_from(
            [
                "name==x",
                f"flowId=={flow}",
                "state==enabled",
                "createdAt>1",
                "id==a,b",
                "name~x",
                "-createdAt",
                "name",
                "+updatedAt",
                "true",
                "false",
                "0",
                "-1",
                "9" * 5000,
                "1000",
                "publish",
                "enable",
                "disable",
                "re-trigger",
                "draft",
                "root",
                "table",
                "contact",
                "folder",
                "*/connections*",
                "^.*/(a+)+$",
                "5xx",
            ]
        ),
        json_values.map(encoded),
        st.integers(1, 3000).map(lambda depth: encoded_raw(b"[" * depth + b"]" * depth)),
    )


def encoded_raw(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


DEEP = b"[" * 5000 + b"]" * 5000
#: Query parameters known to have reached a 500 once (issue #16): always in the mix.
CRAFTED_QUERIES: list[dict[str, str]] = [
    {"limit": "9" * 5000},
    {"limit": str(2**64)},
    {"orderby": "name", "continuationToken": encoded([None, 1])},
    {"orderby": "-createdAt", "continuationToken": encoded([[1, "x"], 3])},
    {"continuationToken": encoded_raw(DEEP)},
    {"continuationToken": encoded([None, 2**63])},
    {"objectType": "root", "sourceParams": encoded_raw(DEEP)},
    {"objectType": "table", "object": "contact", "preview": "true", "previewCount": "9" * 5000},
]


def valid_bodies(world: World) -> dict[str, list[Any]]:
    """Valid bodies by the end of the route they fit (``PATCH`` takes ``patch``)."""
    ids = world.ids
    seed = {"connections": [{**connection_body("seeded"), "imsOrgId": ORG, "sandboxName": "prod"}]}
    return {
        "/connections": [connection_body()],
        "/sourceConnections": [source_body(ids["base"])],
        "/targetConnections": [target_body()],
        "/flows": [flow_body(ids["source"], ids["target"])],
        "patch": [
            [{"op": "replace", "path": "/name", "value": "renamed"}],
            [
                {"op": "add", "path": "/params/x", "value": 1},
                {"op": "remove", "path": "/description"},
            ],
        ],
        "/search": [
            {"queryString": "state==enabled", "limit": 2, "orderby": "name", "count": False}
        ],
        "/runs": [{"flowId": ids["flow"]}],
        "/runs/<run_id>": [
            {"metrics": {"statusSummary": {"status": "success"}}, "providerRefId": "x"}
        ],
        "/seed": [
            seed,
            {"connections": [{**seed["connections"][0], "imsOrgId": "\ud800"}]},
            {"connections": [{**seed["connections"][0], "sandboxName": "a\udfff"}]},
        ],
        "/faults": [
            {"method": "GET", "path": "*/connections*", "status": 503, "count": 1},
            {"path": "*/flows*", "drop": True, "count": 1},
        ],
        "/clock": [{"freeze": True, "set": T0_MS}, {"advanceSeconds": 900}],
        "/outcomes": [
            {"outcomes": [{"status": "failed", "errors": [{"code": "X", "message": "m"}]}]}
        ],
        "/test-result": [{"result": False}],
    }


def fitting(table: dict[str, list[Any]], rule: str, method: str) -> list[Any]:
    """The valid bodies of a route, or every one when none fits."""
    if method == "PATCH":
        return table["patch"]
    for end, items in table.items():
        if rule.endswith(end):
            return items
    return [body for items in table.values() for body in items]


@st.composite
def mutated(draw: st.DrawFn, bodies: list[Any]) -> Any:
    """A valid body, maybe with one member replaced by an arbitrary value or removed."""
    body = json.loads(json.dumps(draw(st.sampled_from(bodies))))
    holder = body[0] if isinstance(body, list) and body else body
    if isinstance(holder, dict) and holder and draw(st.booleans()):
        key = draw(st.sampled_from(sorted(holder)))
        if draw(st.booleans()):
            del holder[key]
        elif key != "latencyMs":
            holder[key] = draw(json_values)
    return body


def bodies(good: list[Any]) -> st.SearchStrategy[bytes | None]:
    """A valid body of the route, mutated, or any hostile body of the limits fuzz."""
    return st.one_of(mutated(good).map(lambda value: json.dumps(value).encode()), hostile_bodies)


def _body_strategy(world: World, rule: str, method: str) -> st.SearchStrategy[bytes | None]:
    """A valid body of the route, mutated, or any hostile body (one strategy per route)."""
    good = fitting(valid_bodies(world), rule, method)
    return st.one_of(mutated(good).map(lambda value: json.dumps(value).encode()), bodies(good))


def _header_extras(world: World) -> st.SearchStrategy[dict[str, str]]:
    return st.dictionaries(
        st.sampled_from(
            ["If-Match", "x-request-id", "x-sandbox-name", "Authorization", "Host", "Origin"]
        ),
        st.one_of(header_text, st.sampled_from([*world.etags, "*", "localhost:1", "evil.example"])),
        max_size=2,
    )


@st.composite
def fuzz_request(
    draw: st.DrawFn, world: World, rules: list[tuple[str, list[str]]]
) -> dict[str, Any]:
    rule, methods = draw(st.sampled_from(rules))
    path = rule
    ids = world.strategy("ids", lambda: id_segments(world))
    while "<" in path:
        start, end = path.index("<"), path.index(">")
        path = path[:start] + draw(ids) + path[end + 1 :]
    if draw(st.booleans()) and not path.endswith("/"):
        path += "/"
    method = (
        draw(st.sampled_from(methods))
        if methods and draw(st.integers(0, 4))
        else draw(st.sampled_from(METHODS))
    )
    queries = world.strategy(
        "queries",
        lambda: st.dictionaries(st.sampled_from(QUERY_NAMES), query_values(world), max_size=3),
    )
    query = draw(queries)
    if draw(st.integers(0, 2)) == 0:  # alone: another parameter could be refused first
        query = draw(st.sampled_from(CRAFTED_QUERIES))
    headers = {name: value for name, value in HEADERS.items() if draw(st.integers(0, 5))}
    if draw(st.booleans()):  # half the requests pass the gateway's checks
        headers = dict(HEADERS)
    else:
        headers["Content-Type"] = draw(st.sampled_from(CONTENT_TYPES))
    extra = draw(world.strategy("extras", lambda: _header_extras(world)))
    body = world.strategy(("body", rule, method), lambda: _body_strategy(world, rule, method))
    return {
        "method": method,
        "path": path + ("?" + urlencode(query) if query else ""),
        "headers": {**headers, **extra},
        "body": draw(body),
    }


FUZZ = settings(
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
BATCH = 4  # requests per example


def requests_of(
    world: World, rule: tuple[str, list[str]]
) -> st.SearchStrategy[list[dict[str, Any]]]:
    """A batch: a request to ``rule``, then requests to any route (state carries over)."""
    anywhere = fuzz_request(world, routes(world.app))
    return st.tuples(
        fuzz_request(world, [rule]), st.lists(anywhere, min_size=BATCH - 1, max_size=BATCH - 1)
    ).map(lambda pair: [pair[0], *pair[1]])


def per_route(world: World, budget: int) -> int:
    """Examples per route so that every route leads some and the whole sends ``budget``."""
    return -(-budget // (BATCH * len(routes(world.app))))


def fault_asked(world: World, request_id: str | None) -> bool:
    """Whether the request with this id met a fault rule (then a 5xx or a drop is wanted)."""
    return any(
        entry.get("fault") and (request_id is None or entry["requestId"] == request_id)
        for entry in control_of(world.app).journal.entries()
    )


def assert_clean_log(records: list[logging.LogRecord]) -> None:
    bad = [
        record
        for record in records
        if record.levelno >= logging.WARNING
        or record.exc_info
        or "Traceback" in record.getMessage()
    ]
    assert not bad, [f"{record.name}: {record.getMessage()}" for record in bad[:5]]


@pytest.fixture
def world() -> Iterator[World]:
    built = World.build()
    yield built
    of_app(built.app).store.close()


def test_every_route_is_fuzzed(world: World) -> None:
    rules = {rule for rule, _ in routes(world.app)}
    for expected in ("/sourceConnections", "/targetConnections", "/flows", "/runs", "/flowSpecs"):
        assert BASE_PATH + expected in rules
        assert any(rule.startswith(BASE_PATH + expected + "/<") for rule in rules), expected
    assert {"/ims/token/v3", "/__mock__/seed", "/__mock__/journal", "/__mock__/health"} <= rules
    assert BASE_PATH + "/connectionSpecs/<spec_id>/explore" in rules


def test_fuzz_every_route_in_process(world: World, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO)
    client = world.app.test_client()
    statuses: dict[int, int] = {}

    def run(batch: list[dict[str, Any]]) -> None:
        world.restore()
        for request in batch:
            world.sent += 1
            try:
                response = client.open(
                    request["path"],
                    method=request["method"],
                    headers=request["headers"],
                    data=request["body"],
                )
            except ConnectionResetError:  # a fault rule of the fuzz dropped the connection
                assert fault_asked(world, None), request
                continue
            statuses[response.status_code] = statuses.get(response.status_code, 0) + 1
            if response.status_code >= 500:
                assert fault_asked(world, response.headers.get("x-request-id")), (
                    request,
                    response.data[:300],
                )
            if response.data:
                assert response.content_type.startswith(answer_types(request["path"])), (
                    request["path"],
                    response.data[:200],
                )

    examples = per_route(world, IN_PROCESS_REQUESTS)
    for rule in routes(world.app):
        settings(FUZZ, max_examples=examples)(given(batch=requests_of(world, rule))(run))()
    assert world.sent >= IN_PROCESS_REQUESTS
    assert_clean_log(caplog.records)
    assert sum(statuses.values()) > IN_PROCESS_REQUESTS * 0.9
    # The fuzz gets past the gateway's checks: a good share of the answers are successes.
    assert sum(n for status, n in statuses.items() if status < 300) >= IN_PROCESS_REQUESTS // 10
    print(f"fuzzed {world.sent} requests in-process; statuses {sorted(statuses.items())}")


def _socket_request(url: str, request: dict[str, Any]) -> tuple[int, str | None, bytes]:
    host, port = url.removeprefix("http://").split(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=10)
    headers = {
        name: value.encode("latin-1").decode("ascii", errors="replace").replace("\ufffd", "?")
        for name, value in request["headers"].items()
    }
    path = quote(request["path"], safe="/%?=&+:@-._~!$'()*,;")
    try:
        connection.putrequest(request["method"], path, skip_host="Host" in headers)
        body = request["body"]
        if body is not None:
            headers["Content-Length"] = str(len(body))
        for name, value in headers.items():
            connection.putheader(name, value)
        connection.endheaders(body)
        response = connection.getresponse()
        return response.status, response.getheader("Content-Type"), response.read()
    finally:
        connection.close()


@pytest.mark.server
def test_fuzz_every_route_over_a_socket(world: World, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO)
    server = start_server(world.app)
    try:

        def run(batch: list[dict[str, Any]]) -> None:
            world.restore()
            for request in batch:
                world.sent += 1
                try:
                    status, _, body = _socket_request(server.url, request)
                except (ConnectionError, http.client.RemoteDisconnected):
                    assert fault_asked(world, None), request
                    continue
                if status >= 500:
                    assert fault_asked(world, None), (request, body[:300])

        examples = per_route(world, SOCKET_REQUESTS)
        for rule in routes(world.app):
            settings(FUZZ, max_examples=examples)(given(batch=requests_of(world, rule))(run))()
    finally:
        server.stop()
    assert world.sent >= SOCKET_REQUESTS
    assert_clean_log(caplog.records)


@pytest.mark.server
@pytest.mark.slow
def test_fuzz_api_routes_under_gunicorn_workers(tmp_path: Path) -> None:
    """The Flow Service and IMS routes over ``serve --workers 2``, sharing the state file.

    The fuzz restores the dataflow through the state file between examples, which every
    worker reads; the control API is off (its journal and fault rules live in each worker's
    memory, so a rule the fuzz added could not be told apart), and so no 5xx is allowed.
    """
    state = tmp_path / "state.sqlite3"
    world = World.build({"state_path": str(state)})
    settings_file = tmp_path / "settings.json"
    settings_file.write_text(json.dumps({"control_api": "off"}))
    api_routes = [rule for rule in routes(world.app) if not rule[0].startswith("/__mock__")]
    examples = -(-WORKERS_REQUESTS // (BATCH * len(api_routes)))
    statuses: dict[int, int] = {}
    args = ["--workers", "2", "--threads", "4", "--state", str(state), "--config"]
    try:
        with served(*args, str(settings_file), log_path=tmp_path / "serve.log") as server:

            def run(batch: list[dict[str, Any]]) -> None:
                world.restore()
                for request in batch:
                    world.sent += 1
                    status, _, body = _socket_request(server.url, request)
                    statuses[status] = statuses.get(status, 0) + 1
                    assert status < 500, (request, body[:300])

            for rule in api_routes:
                settings(FUZZ, max_examples=examples)(given(batch=requests_of(world, rule))(run))()
            assert server.stop() == 0
        log = server.log()
    finally:
        of_app(world.app).store.close()
    assert world.sent >= WORKERS_REQUESTS
    assert sum(n for status, n in statuses.items() if status < 300) > 0
    bad = [line for line in log.splitlines() if "Traceback" in line or " ERROR " in line]
    assert not bad, bad[:5]
    print(f"fuzzed {world.sent} requests under gunicorn; statuses {sorted(statuses.items())}")
