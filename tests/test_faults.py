"""Fault rules: injected errors, latency, dropped connections, probability and counts."""

from __future__ import annotations

import socket
import time
from collections.abc import Iterator
from typing import Any

import pytest
import requests
from flask.testing import FlaskClient

from mock_flowservice import create_app
from mock_flowservice.control.faults import FaultRule, FaultRules, RequestView
from mock_flowservice.control.plane import control_of
from mock_flowservice.server.dropped import DroppedConnection

from .support import BASE_PATH, HEADERS, MockServer, dynamics_basic_body

LIST = BASE_PATH + "/connections"
IMS_FORM = {"grant_type": "client_credentials", "client_id": "c", "client_secret": "s"}


def _add(client: FlaskClient, **rule: Any) -> str:
    response = client.post("/__mock__/faults", json=rule)
    assert response.status_code == 201, response.json
    return str(response.json["id"])


@pytest.mark.parametrize(
    ("status", "code", "title"),
    [
        (503, "1103-503", "Service Unavailable"),
        (500, "1102-500", "Internal Error"),
        (504, "1104-504", "Gateway Timeout"),
        (502, "1102-500", "Internal Error"),
        (400, "1102-500", "Internal Error"),
    ],
)
def test_injected_flow_errors(client: FlaskClient, status: int, code: str, title: str) -> None:
    _add(client, status=status)
    response = client.get(LIST, headers=HEADERS)
    assert response.status_code == status
    body = response.json
    assert body["type"] == f"https://ns.adobe.com/aep/errors/FLOW-{code}"
    assert body["title"] == title
    assert body["status"] == status
    assert body["report"]["request-id"] == response.headers["x-request-id"]
    assert body["errorMessage"] == body["errorDetails"] == body["report"]["detailed-message"]
    assert "Retry-After" not in response.headers


def test_throttling_with_retry_after(client: FlaskClient) -> None:
    _add(client, status=429, retryAfter=7)
    response = client.get(LIST, headers=HEADERS)
    assert response.status_code == 429
    assert response.headers["Retry-After"] == "7"
    assert response.json == {"error_code": "429000", "message": "Too many requests"}


def test_service_unavailable_with_retry_after(client: FlaskClient) -> None:
    _add(client, status=503, retryAfter=1, count=1)
    response = client.post(LIST, json=dynamics_basic_body(), headers=HEADERS)
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "1"
    assert client.get(LIST, headers=HEADERS).json["items"] == []  # create never ran


def test_faults_run_before_the_gateway_and_apply_to_ims(client: FlaskClient) -> None:
    _add(client, status=503)
    assert client.get(LIST).status_code == 503  # no headers at all
    assert client.post("/ims/token/v3", data=IMS_FORM | {"scope": "s"}).status_code == 503
    assert client.get("/nowhere").status_code == 503


def test_faults_never_touch_the_control_api(client: FlaskClient) -> None:
    _add(client, status=500, path="*")
    assert client.get("/__mock__/health").status_code == 200
    assert client.get("/__mock__/faults").status_code == 200
    assert client.get("/__mock__/state").status_code == 200


def test_method_and_path_selection(client: FlaskClient) -> None:
    _add(client, method="post", path="*/connections", status=500)
    _add(client, method="GET", path="/data/*/connectionSpecs/?*", status=504)
    assert client.get(LIST, headers=HEADERS).status_code == 200
    assert client.post(LIST, json=dynamics_basic_body(), headers=HEADERS).status_code == 500
    spec = BASE_PATH + "/connectionSpecs/38ad80fe-8b06-4938-94f4-d4ee80266b07"
    assert client.get(spec, headers=HEADERS).status_code == 504
    assert client.get(BASE_PATH + "/connectionSpecs", headers=HEADERS).status_code == 200


def test_count_removes_the_rule(client: FlaskClient) -> None:
    rule_id = _add(client, status=503, count=2)
    assert [client.get(LIST, headers=HEADERS).status_code for _ in range(3)] == [503, 503, 200]
    assert client.get("/__mock__/faults").json == {"items": []}
    assert client.delete(f"/__mock__/faults/{rule_id}").status_code == 404


def test_listing_and_deleting_rules(client: FlaskClient) -> None:
    first = _add(client, status=503, probability=0.5, seed=1)
    second = _add(client, latencyMs={"min": 1, "max": 2})
    client.get(LIST, headers=HEADERS)
    items = client.get("/__mock__/faults").json["items"]
    assert [item["id"] for item in items] == [first, second]
    assert items[0] == {
        "id": first, "method": "*", "path": "*", "drop": False, "probability": 0.5,
        "status": 503, "seed": 1, "hits": items[0]["hits"],
    }  # fmt: skip
    assert client.delete(f"/__mock__/faults/{first}").status_code == 204
    assert [item["id"] for item in client.get("/__mock__/faults").json["items"]] == [second]
    assert client.delete("/__mock__/faults").status_code == 204
    assert client.get("/__mock__/faults").json == {"items": []}
    missing = client.delete("/__mock__/faults/unknown")
    assert missing.status_code == 404
    assert missing.json["report"] == {
        "detailed-message": missing.json["errorMessage"],
        "id": "unknown",
        "type": "faults",
        "request-id": missing.headers["x-request-id"],
    }


def _outcomes(seed: int, requests_made: int = 40) -> list[int]:
    client = create_app().test_client()
    _add(client, status=503, probability=0.3, seed=seed)
    return [client.get(LIST, headers=HEADERS).status_code for _ in range(requests_made)]


def test_probability_with_a_seed_is_reproducible() -> None:
    first, again, other = _outcomes(11), _outcomes(11), _outcomes(12)
    assert first == again
    assert first != other
    assert 0 < first.count(503) < len(first)


def test_probability_bounds(client: FlaskClient) -> None:
    _add(client, status=500, probability=0)
    assert {client.get(LIST, headers=HEADERS).status_code for _ in range(10)} == {200}
    assert client.get("/__mock__/faults").json["items"][0]["hits"] == 0


def test_first_firing_rule_wins(client: FlaskClient) -> None:
    _add(client, status=500, probability=0)
    _add(client, status=504)
    _add(client, status=503)
    assert client.get(LIST, headers=HEADERS).status_code == 504


def test_fixed_latency(client: FlaskClient) -> None:
    _add(client, latencyMs=60, count=1)
    started = time.perf_counter()
    assert client.get(LIST, headers=HEADERS).status_code == 200
    assert time.perf_counter() - started >= 0.06
    started = time.perf_counter()
    client.get(LIST, headers=HEADERS)
    assert time.perf_counter() - started < 0.06


def test_latency_range_then_error(client: FlaskClient) -> None:
    _add(client, latencyMs={"min": 20, "max": 40}, status=504, seed=3)
    started = time.perf_counter()
    response = client.get(LIST, headers=HEADERS)
    elapsed = time.perf_counter() - started
    assert response.status_code == 504
    assert 0.02 <= elapsed < 1.0


def test_latency_draws_are_reproducible() -> None:
    def draws(seed: int) -> list[float]:
        rules = FaultRules()
        rules.add(FaultRule.from_json({"latencyMs": {"min": 0, "max": 1000}, "seed": seed}))
        return [rules.draw(RequestView("GET", "/x")).latency_s for _ in range(5)]  # type: ignore[union-attr]

    assert draws(5) == draws(5)
    assert all(0 <= value <= 1 for value in draws(5))


def test_journal_names_the_rule_that_fired(client: FlaskClient) -> None:
    rule_id = _add(client, status=503, count=1)
    client.get(LIST, headers=HEADERS)
    client.get(LIST, headers=HEADERS)
    entries = client.get("/__mock__/journal").json["items"]
    assert [(entry["status"], entry.get("fault")) for entry in entries] == [
        (503, rule_id),
        (200, None),
    ]


@pytest.mark.parametrize(
    "rule",
    [
        {},
        [],
        {"status": 200},
        {"status": 600},
        {"status": "503"},
        {"status": True},
        {"method": "FETCH", "status": 503},
        {"path": "^(", "status": 503},
        {"path": "^/data/.*", "status": 503},
        {"path": "*" * 1001, "status": 503},
        {"path": "", "status": 503},
        {"probability": 1.5, "status": 503},
        {"probability": "1", "status": 503},
        {"latencyMs": -1},
        {"latencyMs": 10_000_000},
        {"latencyMs": {"min": 5, "max": 1}},
        {"latencyMs": {"min": 5}},
        {"drop": "yes"},
        {"drop": True, "status": 503},
        {"retryAfter": 5},
        {"status": 429, "retryAfter": -1},
        {"status": 503, "count": 0},
        {"status": 503, "seed": 1.5},
        {"status": 503, "colour": "red"},
    ],
)
def test_invalid_rules_are_refused(client: FlaskClient, rule: Any) -> None:
    response = client.post("/__mock__/faults", json=rule)
    assert response.status_code == 400
    assert response.json["type"].endswith("FLOW-1100-400")
    assert client.get("/__mock__/faults").json == {"items": []}


def test_drop_in_process_raises_a_connection_error(client: FlaskClient) -> None:
    _add(client, drop=True, count=1)
    with pytest.raises(ConnectionResetError):
        client.get(LIST, headers=HEADERS)
    assert client.get(LIST, headers=HEADERS).status_code == 200
    first = client.get("/__mock__/journal").json["items"][0]
    assert first["status"] is None
    assert "fault" in first
    assert issubclass(DroppedConnection, ConnectionError)


# -- over a socket ---------------------------------------------------------------------------


@pytest.fixture
def server(mock_server: MockServer) -> Iterator[MockServer]:
    """The session's socket server with no fault rules before and after the test."""
    rules = control_of(mock_server.app).faults
    rules.clear()
    yield mock_server
    rules.clear()


@pytest.mark.server
def test_drop_over_a_socket_is_a_connection_error(server: MockServer) -> None:
    with requests.Session() as session:
        session.post(server.url + "/__mock__/faults", json={"drop": True, "count": 1}).close()
        with pytest.raises(requests.ConnectionError):
            session.get(server.base_url + "/connections", headers=HEADERS, timeout=5)
        with session.get(server.base_url + "/connections", headers=HEADERS, timeout=5) as after:
            assert after.status_code == 200


@pytest.mark.server
def test_drop_sends_no_byte_at_all(server: MockServer) -> None:
    control_of(server.app).faults.add(FaultRule.from_json({"drop": True}))
    host, port = server.url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=5) as raw:
        raw.sendall(b"GET /ims/token/v3 HTTP/1.1\r\nHost: mock\r\n\r\n")
        assert raw.recv(1024) == b""  # closed without a status line


@pytest.mark.server
def test_throttling_over_a_socket(server: MockServer) -> None:
    with requests.Session() as session:
        session.post(server.url + "/__mock__/faults", json={"status": 429, "retryAfter": 3}).close()
        with session.get(server.base_url + "/connections", headers=HEADERS, timeout=5) as response:
            assert response.status_code == 429
            assert response.headers["Retry-After"] == "3"
            assert response.json() == {"error_code": "429000", "message": "Too many requests"}
