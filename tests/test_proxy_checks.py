"""The proxy's checks and shadow, exchange by exchange: each rule's finding, adoption of
objects the upstream held before the proxy ran, and what is not compared."""

from __future__ import annotations

import copy
from collections.abc import Iterator
from typing import Any

import pytest
import requests

from mock_flowservice import create_app
from mock_flowservice.catalog import load_catalog
from mock_flowservice.flow_catalog import load_flow_specs
from mock_flowservice.proxy.checks import Checker, Message, error_code
from mock_flowservice.proxy.compare import differences
from mock_flowservice.proxy.operations import load_index

from .support import BASE_PATH, DYNAMICS_SPEC_ID, HEADERS, MockServer, dynamics_basic_body
from .test_flows import DATALAKE, flow_body
from .test_proxy import Proxied
from .test_source_connections import source_body

MASK = "********"
CREATED = {"id": "i", "etag": '"12345678-0000-0200-0000-abcdef120000"'}


@pytest.fixture(scope="module")
def checker() -> Checker:
    return Checker(load_index(), load_catalog(), load_flow_specs(), base_path=BASE_PATH, mask=MASK)


def _check(
    checker: Checker, method: str, path: str, status: int, answer: Any, *,
    request: Any = None, headers: dict[str, str] | None = None, query: str = "",
) -> list[tuple[str, str]]:  # fmt: skip
    op = checker.operation(method, BASE_PATH + path)
    found = checker.check(
        op,
        {query: ["true"]} if query else {},
        Message(request, "application/json", {}),
        status,
        Message(answer, "application/json", headers or {}),
    )
    return [(f.kind, f.message) for f in found]


@pytest.fixture(scope="module")
def connection() -> dict[str, Any]:
    client = create_app().test_client()
    created = client.post(BASE_PATH + "/connections", json=dynamics_basic_body(), headers=HEADERS)
    read = client.get(f"{BASE_PATH}/connections/{created.json['id']}", headers=HEADERS)
    body: dict[str, Any] = read.json
    return body


def test_a_faithful_answer_has_no_finding(checker: Checker, connection: dict[str, Any]) -> None:
    cid = connection["items"][0]["id"]
    etag = connection["items"][0]["etag"]
    assert _check(checker, "GET", f"/connections/{cid}", 200, connection,
                  headers={"ETag": etag}) == []  # fmt: skip


def test_unmasked_secrets_and_bad_etags_are_findings(
    checker: Checker, connection: dict[str, Any]
) -> None:
    leaked = copy.deepcopy(connection)
    leaked["items"][0]["auth"]["params"]["password"] = "plain"
    leaked["items"][0]["etag"] = "W/1"
    cid = leaked["items"][0]["id"]
    found = _check(checker, "GET", f"/connections/{cid}", 200, leaked, headers={"ETag": "1"})
    assert ("masking", "$.items[0].auth.params.password is not masked") in found
    assert ("etag", "the ETag header does not have the mock's quoted form") in found
    assert ("etag", "$.items[0].etag does not have the mock's quoted form") in found
    assert "plain" not in repr(found)


def test_envelope_status_and_unknown_operations(checker: Checker) -> None:
    assert ("envelope", 'the answer is not an {"items": [...]} envelope') in _check(
        checker, "GET", "/connections", 200, [{"id": "x"}]
    )
    assert _check(checker, "GET", "/connections", 200, {"count": 3}, query="count") == []
    assert _check(checker, "GET", "/connections", 418, None) == [
        ("status", "418 is not a status the mock documents for GET /connections")
    ]
    assert _check(checker, "GET", "/nothing/here", 200, None) == [
        ("operation", "no operation of the mock's OpenAPI document")
    ]


def test_error_codes_against_the_catalogue(checker: Checker) -> None:
    unknown = {"type": "https://ns.adobe.com/aep/errors/FLOW-9999-400", "status": 400}
    assert ("error-code", "FLOW-9999-400 is not in the mock's error catalogue") in _check(
        checker, "GET", "/connections/x", 400, unknown
    )
    assert ("error-code", "gateway 999999 is not in the mock's catalogue") in _check(
        checker, "GET", "/connections/x", 403, {"error_code": "999999", "message": "m"}
    )
    assert ("error-code", "gateway 403010 answered with status 401") in _check(
        checker, "GET", "/connections/x", 401, {"error_code": "403010", "message": "m"}
    )
    assert error_code({"error": "invalid_client"}) == "invalid_client"
    assert error_code(["x"]) is None


def test_accepted_requests_are_checked_against_the_catalog(checker: Checker) -> None:
    body = dynamics_basic_body()
    body["auth"]["params"]["extra"] = "x"
    found = _check(checker, "POST", "/connections", 201, CREATED, request=body)
    assert [kind for kind, _ in found] == ["auth-params"]
    assert "additionalProperties" in found[0][1]
    unknown = {**dynamics_basic_body(), "connectionSpec": {"id": "nope", "version": "1.0"}}
    found = _check(checker, "POST", "/connections", 201, CREATED, request=unknown)
    assert ("unknown-spec", "the catalog has no such connection or auth spec") in found
    refused = _check(checker, "POST", "/connections", 400, None, request=unknown)
    assert [kind for kind, _ in refused] == []  # a refused bad request is no drift
    shapeless = {"name": "n", "auth": "x", "connectionSpec": "y"}
    found = _check(checker, "POST", "/connections", 201, CREATED, request=shapeless)
    assert {kind for kind, _ in found} == {"request-schema"}


def test_served_specs_are_compared_with_the_catalog(checker: Checker) -> None:
    spec = load_catalog().get(DYNAMICS_SPEC_ID)
    assert spec is not None
    served = spec.as_json()
    assert _check(checker, "GET", f"/connectionSpecs/{spec.id}", 200, {"items": [served]}) == []
    served["authSpec"] = served["authSpec"][:1]
    found = _check(checker, "GET", f"/connectionSpecs/{spec.id}", 200, {"items": [served]})
    assert ("connection-spec", f"{spec.id}: the auth spec names differ") in found
    stranger = {**served, "id": "00000000-0000-0000-0000-00000000abcd"}
    found = _check(checker, "GET", f"/connectionSpecs/{stranger['id']}", 200, {"items": [stranger]})
    assert ("connection-spec", f"connection spec {stranger['id']} is not in the catalog") in found
    flow = next(iter(load_flow_specs())).as_json()
    assert [k for k, _ in _check(checker, "GET", f"/flowSpecs/{flow['id']}", 200,
                                 {"items": [flow]})] == []  # fmt: skip
    moved = {**flow, "sourceConnectionSpecIds": ["other"]}
    found = _check(checker, "GET", f"/flowSpecs/{flow['id']}", 200, {"items": [moved]})
    assert ("flow-spec", f"{flow['id']}: sourceConnectionSpecIds differ from the mock's") in found
    gone = {**flow, "id": "not-a-flow-spec"}
    found = _check(checker, "GET", "/flowSpecs/not-a-flow-spec", 200, {"items": [gone]})
    assert ("flow-spec", "flow spec not-a-flow-spec is not in the mock's flow specs") in found


def test_differences_of_types_and_lists() -> None:
    found = differences((200, 200), ({"a": [1, 2], "id": 1, "b": {"c": 1}},
                                     {"a": [1], "id": "x", "b": "c"}), error=False)  # fmt: skip
    assert [(d.kind, d.where) for d in found] == [
        ("length", "$.a"), ("type", "$.id"), ("type", "$.b"),
    ]  # fmt: skip
    assert differences((200, 200), ({"x": True}, {"x": None}), error=False)[0].mock == "null"


@pytest.fixture
def upstream() -> Iterator[MockServer]:
    from .support import start_server

    server = start_server(create_app())
    yield server
    server.stop()


def test_objects_made_before_the_proxy_are_adopted_and_compared(upstream: MockServer) -> None:
    direct = upstream.base_url
    made = requests.post(f"{direct}/connections", json=dynamics_basic_body(), headers=HEADERS)
    cid = made.json()["id"]
    source = requests.post(f"{direct}/sourceConnections", json=source_body(cid), headers=HEADERS)
    assert source.status_code == 201, source.text
    sid = source.json()["id"]
    other = requests.post(f"{direct}/connections", json=dynamics_basic_body("b"), headers=HEADERS)
    proxy = Proxied(upstream, shadow=True)
    try:
        base = proxy.base
        read = requests.get(f"{base}/connections/{cid}", headers=HEADERS).json()
        etag = read["items"][0]["etag"]
        patch = [{"op": "replace", "path": "/name", "value": "renamed"}]
        assert requests.patch(f"{base}/connections/{cid}", json=patch,
                              headers={**HEADERS, "If-Match": etag}).status_code == 200  # fmt: skip
        assert requests.get(f"{base}/sourceConnections/{sid}", headers=HEADERS).ok
        assert requests.get(f"{base}/sourceConnections", headers=HEADERS).ok
        never_read = other.json()["id"]
        assert requests.delete(f"{base}/connections/{never_read}", headers=HEADERS).ok
        anonymous = {k: v for k, v in HEADERS.items() if k != "x-gw-ims-org-id"}
        assert requests.get(f"{base}/connections", headers=anonymous).status_code == 400
    finally:
        proxy.stop()
    report = proxy.report
    assert report["agreed"] == report["exchanges"] == 6, proxy.disagreements()
    delete = next(op for op in report["operations"] if op["operationId"] == "deleteConnection")
    assert (delete["exchanges"], delete["compared"]) == (1, 0)  # the shadow never saw it


def test_a_pipeline_through_the_proxy_agrees(upstream: MockServer) -> None:
    proxy = Proxied(upstream, shadow=True)
    try:
        base = proxy.base

        def post(path: str, body: Any) -> str:
            answer = requests.post(base + path, json=body, headers=HEADERS)
            assert answer.status_code == 201, answer.text
            return str(answer.json()["id"])

        connection = post("/connections", dynamics_basic_body())
        source = post("/sourceConnections", source_body(connection))
        target = post("/targetConnections", {
            "name": "lake", "params": {"dataSetId": "6889f4f89b982b2b90bc1207"},
            "data": {"schema": {"id": "https://ns.adobe.com/acme/schemas/x", "version": "1"}},
            "connectionSpec": {"id": DATALAKE, "version": "1.0"}})  # fmt: skip
        flow = post("/flows", flow_body(source, target))
        read = requests.get(f"{base}/flows/{flow}", headers=HEADERS).json()
        etag = {"If-Match": read["items"][0]["etag"]}
        action = requests.post(
            f"{base}/flows/{flow}/action?op=disable", headers={**HEADERS, **etag}
        )
        assert action.status_code == 200, action.text
        assert requests.get(f"{base}/flows/{flow}", headers=HEADERS).ok
        assert requests.get(f"{base}/runs?property=flowId=={flow}", headers=HEADERS).ok
        assert requests.delete(f"{base}/flows/{flow}", headers=HEADERS).status_code == 204
        bad = flow_body(source, target, scheduleParams={"frequency": 5})
        assert requests.post(base + "/flows", json=bad, headers=HEADERS).status_code == 400
    finally:
        proxy.stop()
    report = proxy.report
    assert report["exchanges"] == 10
    assert report["agreed"] == 10, proxy.disagreements()
    assert all(op["compared"] == op["exchanges"] for op in report["operations"])


def test_flow_requests_are_checked_against_the_flow_specs(checker: Checker) -> None:
    good = flow_body("s", "t")
    assert _check(checker, "POST", "/flows", 201, CREATED, request=good) == []
    bad = flow_body("s", "t", scheduleParams={"frequency": 5, "startTime": "1"})
    found = _check(checker, "POST", "/flows", 201, CREATED, request=bad)
    assert ("flow-spec", "scheduleParams/frequency breaks 'enum'") in found
    unknown = flow_body("s", "t", flowSpec={"id": "nope", "version": "1.0"})
    found = _check(checker, "POST", "/flows", 201, CREATED, request=unknown)
    assert found == [("flow-spec", "the flow names a flow spec the mock does not have")]
