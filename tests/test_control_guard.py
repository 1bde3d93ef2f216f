"""The control API obeys no web page: foreign Host, foreign Origin and non-JSON bodies refused.

A DNS-rebinding page reaches the mock with ``Host: <the attacker's name>``; a cross-site page
sends simple requests (form or ``text/plain`` bodies) with its own ``Origin``. Each is refused
with ``FLOW-1100-400`` before the route runs, so nothing is read, reset or seeded.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
import requests
from flask.testing import FlaskClient

from mock_flowservice import create_app, of_app
from mock_flowservice.cli import control_hosts
from mock_flowservice.control.guard import host_allowed, host_name, origin_allowed
from mock_flowservice.control.plane import control_of

from .support import BASE_PATH, HEADERS, ORG, MockServer, dynamics_basic_body

LIST = BASE_PATH + "/connections"
SEED = {"connections": [{**dynamics_basic_body("seeded"), "imsOrgId": ORG}]}
DATA_ROUTES = [
    ("GET", "/__mock__/state"),
    ("GET", "/__mock__/journal"),
    ("GET", "/__mock__/faults"),
    ("GET", "/__mock__/clock"),
    ("POST", "/__mock__/reset"),
    ("DELETE", "/__mock__/journal"),
    ("DELETE", "/__mock__/faults"),
]


def assert_refused(response: Any, words: str) -> None:
    assert response.status_code == 400, response.data[:300]
    body = response.json
    assert body["type"].endswith("FLOW-1100-400")
    assert words in body["report"]["detailed-message"]


@pytest.fixture
def client() -> FlaskClient:
    client = create_app().test_client()
    assert client.post(LIST, json=dynamics_basic_body(), headers=HEADERS).status_code == 201
    return client


@pytest.mark.parametrize(("method", "path"), DATA_ROUTES)
@pytest.mark.parametrize(
    "host",
    [
        "evil.example",
        "evil.example:8080",
        "127.0.0.1.evil.example:8080",
        "localhost.evil.example",
        "[::1].evil.example",
        "[::1",
        "localhost:http",
        "0.0.0.0:8080",
        "",
    ],
)
def test_a_foreign_host_is_refused(client: FlaskClient, method: str, path: str, host: str) -> None:
    response = client.open(path, method=method, headers={"Host": host})
    assert_refused(response, "Host")
    assert len(of_app(client.application).store.everything("connections")) == 1
    assert len(control_of(client.application).journal) == 1  # not cleared


@pytest.mark.parametrize(
    "host", ["localhost", "LOCALHOST:8080", "127.0.0.1", "127.0.0.1:1", "[::1]", "[::1]:8080"]
)
def test_loopback_hosts_with_any_port_are_served(client: FlaskClient, host: str) -> None:
    response = client.get("/__mock__/state", headers={"Host": host})
    assert response.status_code == 200
    assert len(response.json["connections"]) == 1


def test_configured_hosts_are_served() -> None:
    client = create_app({"control_hosts": ["mock.internal", "10.0.0.5", "fe80::1"]}).test_client()
    for host in ("mock.internal:8080", "MOCK.internal", "10.0.0.5:1", "[fe80::1]:80"):
        assert client.get("/__mock__/clock", headers={"Host": host}).status_code == 200, host
    assert_refused(client.get("/__mock__/clock", headers={"Host": "other.internal"}), "Host")


@pytest.mark.parametrize(
    "origin",
    ["http://evil.example", "null", "http://localhost:3000", "file://", "https://localhost"],
)
def test_a_foreign_origin_is_refused(client: FlaskClient, origin: str) -> None:
    for method, path in DATA_ROUTES:
        response = client.open(path, method=method, headers={"Origin": origin})
        assert_refused(response, "Origin")
    assert len(of_app(client.application).store.everything("connections")) == 1


def test_the_mocks_own_and_configured_origins_are_served() -> None:
    client = create_app({"control_origins": ["http://localhost:3000/"]}).test_client()
    for origin in ("http://localhost", "http://LOCALHOST/", "http://localhost:3000"):
        assert client.get("/__mock__/state", headers={"Origin": origin}).status_code == 200
    other = client.get("/__mock__/state", headers={"Origin": "http://localhost:3001"})
    assert_refused(other, "Origin")


@pytest.mark.parametrize(
    "content_type",
    [
        "text/plain",
        "application/x-www-form-urlencoded",
        "multipart/form-data; boundary=x",
        None,
        "application/json-patch+json",
    ],
)
def test_a_body_that_is_not_json_is_refused(client: FlaskClient, content_type: str | None) -> None:
    headers = {"Content-Type": content_type} if content_type else {}
    data = json.dumps(SEED)
    assert_refused(client.post("/__mock__/seed", data=data, headers=headers), "application/json")
    rule = json.dumps({"status": 503})
    assert_refused(client.post("/__mock__/faults", data=rule, headers=headers), "application/json")
    assert_refused(
        client.delete("/__mock__/journal", data="x", headers=headers), "application/json"
    )
    assert len(of_app(client.application).store.everything("connections")) == 1
    assert control_of(client.application).faults.all() == []
    assert len(control_of(client.application).journal) == 1


def test_json_bodies_and_empty_posts_are_served(client: FlaskClient) -> None:
    seeded = client.post(
        "/__mock__/seed", data=json.dumps(SEED), content_type="application/json; charset=utf-8"
    )
    assert seeded.json == {"loaded": 1}
    assert client.post("/__mock__/reset").json == {"status": "reset"}  # no body, no type


def test_the_host_is_checked_before_the_control_token() -> None:
    client = create_app({"control_token": "tok"}).test_client()
    headers = {"Authorization": "Bearer tok"}
    assert client.get("/__mock__/state", headers=headers).status_code == 200
    assert client.get("/__mock__/state").status_code == 401
    assert_refused(client.get("/__mock__/state", headers={**headers, "Host": "evil"}), "Host")


def test_health_ready_and_the_api_answer_any_host(client: FlaskClient) -> None:
    foreign = {"Host": "evil.example", "Origin": "http://evil.example"}
    assert client.get("/__mock__/health", headers=foreign).status_code == 200
    assert client.get("/__mock__/ready", headers=foreign).status_code == 200
    assert client.get(LIST, headers={**HEADERS, **foreign}).status_code == 200


@pytest.mark.parametrize(
    ("host", "name"),
    [
        ("localhost:8080", "localhost"),
        (" Example.COM ", "example.com"),
        ("[::1]:80", "[::1]"),
        ("[::1]", "[::1]"),
        ("::1", ""),
        ("[::1]x", ""),
        ("host:", ""),
        ("host:80:80", ""),
    ],
)
def test_host_name(host: str, name: str) -> None:
    assert host_name(host) == name


def test_rules_as_functions() -> None:
    assert host_allowed("localhost:1")
    assert not host_allowed(None)
    assert not host_allowed("evil")
    assert host_allowed("[fe80::1]:9", ["FE80::1"])
    assert host_allowed("[fe80::1]", ["[fe80::1]"])
    assert origin_allowed(None, "evil")  # no Origin: not a browser's cross-site request
    assert origin_allowed("http://localhost:8080", "localhost:8080")
    assert not origin_allowed("http://localhost:8080", "localhost:8081")
    assert not origin_allowed("ftp://localhost:8080", "localhost:8080")
    assert origin_allowed("https://localhost:8080", "localhost:8080", scheme="https")


@pytest.mark.parametrize(
    ("host", "configured", "expected"),
    [
        ("127.0.0.1", {}, []),
        ("::1", {"control_hosts": ["a"]}, ["a"]),
        ("0.0.0.0", {}, []),
        ("10.0.0.5", {"control_hosts": ["mock.internal"]}, ["mock.internal", "10.0.0.5"]),
    ],
)
def test_serve_allows_the_address_it_listens_on(
    host: str, configured: dict[str, Any], expected: list[str]
) -> None:
    assert control_hosts(host, configured) == expected


@pytest.mark.server
def test_a_rebinding_request_over_a_socket_is_refused(mock_server: MockServer) -> None:
    port = mock_server.url.rsplit(":", 1)[1]
    session = requests.Session()
    rebound = session.get(
        mock_server.url + "/__mock__/state", headers={"Host": f"evil.example:{port}"}, timeout=10
    )
    assert rebound.status_code == 400
    assert rebound.json()["type"].endswith("FLOW-1100-400")
    form = session.post(
        mock_server.url + "/__mock__/seed",
        data={"connections": "x"},
        headers={"Origin": "http://evil.example"},
        timeout=10,
    )
    assert form.status_code == 400
    own = session.get(mock_server.url + "/__mock__/state", timeout=10)
    assert own.status_code == 200
    session.close()
