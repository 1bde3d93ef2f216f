"""POST /connections: validation like the real service (FACTS A.3, B.4; GAPS 8)."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from flask.testing import FlaskClient

from .support import (
    BASE_PATH,
    DYNAMICS_SPEC_ID,
    HEADERS,
    dynamics_basic_body,
    dynamics_sp_body,
)

CONNECTIONS = BASE_PATH + "/connections"
ETAG = re.compile(r'^"[0-9a-f]{8}-0000-0200-0000-[0-9a-f]{8}0000"$')


def _flow_code(response: Any) -> str:
    assert response.json["type"].startswith("https://ns.adobe.com/aep/errors/FLOW-")
    return str(response.json["type"].rsplit("FLOW-", 1)[1])


def _assert_flow_shape(response: Any, status: int) -> None:
    body = response.json
    assert set(body) == {"type", "title", "status", "report", "errorMessage", "errorDetails"}
    assert body["status"] == status == response.status_code
    assert body["errorMessage"] == body["errorDetails"] == body["report"]["detailed-message"]
    assert body["report"]["request-id"] == response.headers["x-request-id"]


@pytest.mark.parametrize("body", [dynamics_basic_body(), dynamics_sp_body()])
def test_create_dynamics(client: FlaskClient, body: dict[str, Any]) -> None:
    response = client.post(CONNECTIONS, json=body, headers=HEADERS)
    assert response.status_code == 201
    assert set(response.json) == {"id", "etag"}
    assert ETAG.match(response.json["etag"])
    assert response.headers["Location"] == f"{CONNECTIONS}/{response.json['id']}"


def test_unknown_spec_id(client: FlaskClient) -> None:
    body = dynamics_basic_body()
    body["connectionSpec"]["id"] = "00000000-0000-0000-0000-000000000000"
    response = client.post(CONNECTIONS, json=body, headers=HEADERS)
    assert response.status_code == 400
    _assert_flow_shape(response, 400)
    assert _flow_code(response) == "1413-400"
    assert response.json["title"] == "Invalid request"
    assert "The spec ID provided is  invalid." in response.json["errorMessage"]


def test_unknown_spec_version(client: FlaskClient) -> None:
    body = dynamics_basic_body()
    body["connectionSpec"]["version"] = "9.9"
    assert _flow_code(client.post(CONNECTIONS, json=body, headers=HEADERS)) == "1413-400"


def test_unknown_spec_name(client: FlaskClient) -> None:
    body = dynamics_basic_body()
    body["auth"]["specName"] = "OAuth2 Refresh Code"
    response = client.post(CONNECTIONS, json=body, headers=HEADERS)
    assert _flow_code(response) == "1415-400"
    assert response.json["errorMessage"] == (
        f"The auth spec 'OAuth2 Refresh Code' could not be found for the connection spec ID "
        f"{DYNAMICS_SPEC_ID}."
    )


@pytest.mark.parametrize(
    ("mutate", "code", "needle"),
    [
        (lambda b: b["auth"]["params"].pop("password"), "1304-400", "auth.params.password"),
        (lambda b: b["auth"]["params"].pop("serviceUri"), "1304-400", "auth.params.serviceUri"),
        (lambda b: b["auth"]["params"].update(port=1), "1100-400", "auth.params.port"),
        (lambda b: b["auth"]["params"].update(username=42), "1100-400", "auth.params.username"),
        (lambda b: b.pop("name"), "1304-400", "field name"),
        (lambda b: b.update(name="   "), "1304-400", "field name"),
        (lambda b: b.update(name=7), "1100-400", "name must be a string"),
        (lambda b: b.pop("auth"), "1304-400", "field auth "),
        (lambda b: b["auth"].pop("specName"), "1304-400", "auth.specName"),
        (lambda b: b["auth"].update(params=[]), "1100-400", "auth.params must be"),
        (lambda b: b.pop("connectionSpec"), "1304-400", "connectionSpec"),
        (lambda b: b["connectionSpec"].update(id=5), "1100-400", "connectionSpec.id"),
        (lambda b: b.update(description=["x"]), "1100-400", "description"),
    ],
)
def test_invalid_create_bodies(client: FlaskClient, mutate: Any, code: str, needle: str) -> None:
    body = dynamics_basic_body(password="never-echo-me")
    mutate(body)
    response = client.post(CONNECTIONS, json=body, headers=HEADERS)
    assert response.status_code == 400
    _assert_flow_shape(response, 400)
    assert _flow_code(response) == code
    assert needle in response.json["errorMessage"]
    assert "never-echo-me" not in response.get_data(as_text=True)


@pytest.mark.parametrize(
    ("data", "code"),
    [
        (b"", "1405-400"),
        (b"   ", "1405-400"),
        (b"{not json", "1100-400"),
        (b"[1, 2]", "1100-400"),
        (b'"text"', "1100-400"),
        (b"\xff\xfe{}", "1100-400"),
        (b'{"name": NaN}', "1100-400"),
        (b"[" * 40 + b"]" * 40, "1100-400"),
        (b"[" * 5000 + b"]" * 5000, "1100-400"),
    ],
)
def test_malformed_bodies(client: FlaskClient, data: bytes, code: str) -> None:
    response = client.post(CONNECTIONS, data=data, headers=HEADERS)
    assert response.status_code == 400
    _assert_flow_shape(response, 400)
    assert _flow_code(response) == code


def test_body_too_large_is_413_in_gateway_shape(client: FlaskClient) -> None:
    body = dynamics_basic_body()
    body["description"] = "x" * (1024 * 1024 + 1)
    response = client.post(CONNECTIONS, data=json.dumps(body), headers=HEADERS)
    assert response.status_code == 413
    assert response.json == {"error_code": "413000", "message": "Request entity too large"}


def test_failed_create_stores_nothing(client: FlaskClient) -> None:
    body = dynamics_basic_body()
    body["auth"]["params"].pop("password")
    client.post(CONNECTIONS, json=body, headers=HEADERS)
    assert client.get(CONNECTIONS, headers=HEADERS).json["items"] == []


def test_documented_extra_fields_are_accepted(client: FlaskClient) -> None:
    body = dynamics_basic_body()
    body["providerId"] = "0ed90a81-07f4-4586-8190-b40eccef1c5a"
    body["auth"]["type"] = "BasicAuthentication"
    assert client.post(CONNECTIONS, json=body, headers=HEADERS).status_code == 201


def test_spec_id_without_version_defaults_to_latest(client: FlaskClient) -> None:
    body = dynamics_basic_body()
    del body["connectionSpec"]["version"]
    created = client.post(CONNECTIONS, json=body, headers=HEADERS)
    got = client.get(f"{CONNECTIONS}/{created.json['id']}", headers=HEADERS).json["items"][0]
    assert got["connectionSpec"] == {"id": DYNAMICS_SPEC_ID, "version": "1.0"}
