"""Fields the service sets (HTTP API inlets, the Salesforce JWT org id) and the initializing
state of a Salesforce JWT connection, by the mock's clock."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask.testing import FlaskClient

from mock_flowservice import create_app
from mock_flowservice.lifecycle import HTTP_API_SPEC_ID, INLET_BASE, SALESFORCE_SPEC_ID

from .support import BASE_PATH, HEADERS

LIST = BASE_PATH + "/connections"
T0_MS = 1_767_225_600_000


def streaming_body(**params: Any) -> dict[str, Any]:
    return {
        "name": "ACME streaming",
        "auth": {"specName": "Streaming Connection",
                 "params": {"name": "ACME", "dataType": "xdm", **params}},
        "connectionSpec": {"id": HTTP_API_SPEC_ID, "version": "1.0"},
    }  # fmt: skip


def salesforce_jwt_body() -> dict[str, Any]:
    params = {"jwtToken": "jwt-secret", "clientId": "cid", "clientSecret": "cs-secret",
              "instanceUrl": "https://acme.my.salesforce.com"}  # fmt: skip
    return {
        "name": "Salesforce on AWS",
        "auth": {"specName": "OAuth2 JWT Token Credential", "params": params},
        "connectionSpec": {"id": SALESFORCE_SPEC_ID, "version": "1.0"},
    }


def _read(client: FlaskClient, connection_id: str) -> dict[str, Any]:
    response = client.get(f"{LIST}/{connection_id}", headers=HEADERS)
    assert response.status_code == 200, response.json
    item: dict[str, Any] = response.json["items"][0]
    return item


def test_a_streaming_connection_reads_back_with_its_inlet(client: FlaskClient) -> None:
    created = client.post(LIST, json=streaming_body(), headers=HEADERS)
    assert created.status_code == 201, created.json
    params = _read(client, created.json["id"])["auth"]["params"]
    assert len(params["inletId"]) == 64
    assert params["inletUrl"] == INLET_BASE + params["inletId"]
    assert params["authenticationRequired"] is False
    assert (params["name"], params["dataType"]) == ("ACME", "xdm")
    other = client.post(LIST, json=streaming_body(authenticationRequired=True), headers=HEADERS)
    other_params = _read(client, other.json["id"])["auth"]["params"]
    assert other_params["authenticationRequired"] is True
    assert other_params["inletId"] != params["inletId"]


def test_server_set_params_are_kept_on_patch_and_cannot_be_sent(client: FlaskClient) -> None:
    created = client.post(LIST, json=streaming_body(), headers=HEADERS).json
    before = _read(client, created["id"])["auth"]["params"]
    rename = [{"op": "replace", "path": "/auth/params/name", "value": "Renamed"}]
    path = f"{LIST}/{created['id']}"
    patched = client.patch(path, json=rename, headers={**HEADERS, "If-Match": created["etag"]})
    assert patched.status_code == 200, patched.json
    after = _read(client, created["id"])["auth"]["params"]
    assert after == {**before, "name": "Renamed"}
    forged = [{"op": "replace", "path": "/auth/params/inletUrl", "value": "https://evil.example"}]
    refused = client.patch(path, json=forged, headers={**HEADERS, "If-Match": patched.json["etag"]})
    assert refused.status_code == 400
    sent = client.post(LIST, json=streaming_body(inletId="mine"), headers=HEADERS)
    assert sent.status_code == 400


def test_a_salesforce_jwt_connection_initializes_then_is_enabled(client: FlaskClient) -> None:
    assert client.post("/__mock__/clock", json={"freeze": True, "set": T0_MS}).status_code == 200
    created = client.post(LIST, json=salesforce_jwt_body(), headers=HEADERS)
    assert created.status_code == 201, created.json
    first = _read(client, created.json["id"])
    assert first["state"] == "initializing"
    assert "etag" not in first
    assert "version" not in first
    org = first["auth"]["params"]["orgId"]
    assert org.startswith("00D")
    assert len(org) == 18
    assert first["auth"]["params"]["jwtToken"] == "********"
    listed = client.get(LIST + "?property=state==initializing", headers=HEADERS).json["items"]
    assert [item["id"] for item in listed] == [created.json["id"]]
    assert client.post("/__mock__/clock", json={"advanceMs": 10_000}).status_code == 200
    ready = _read(client, created.json["id"])
    assert ready["state"] == "enabled"
    assert ready["etag"] == ready["version"]
    assert ready["etag"] != created.json["etag"]
    assert ready["auth"]["params"]["orgId"] == org
    assert client.get(LIST + "?property=state==initializing", headers=HEADERS).json["items"] == []


def test_other_salesforce_auth_types_and_drafts_start_as_usual(client: FlaskClient) -> None:
    basic = {
        "name": "Salesforce basic",
        "auth": {"specName": "Basic Authentication", "params": {
            "environmentUrl": "https://login.salesforce.com", "username": "u",
            "password": "p", "securityToken": "t"}},
        "connectionSpec": {"id": SALESFORCE_SPEC_ID, "version": "1.0"},
    }  # fmt: skip
    created = client.post(LIST, json=basic, headers=HEADERS).json
    assert _read(client, created["id"])["state"] == "enabled"
    assert "orgId" not in _read(client, created["id"])["auth"]["params"]
    draft = client.post(LIST + "?mode=draft", json=salesforce_jwt_body(), headers=HEADERS).json
    assert _read(client, draft["id"])["state"] == "draft"


def test_initialization_is_shared_through_the_state_file(tmp_path: Path) -> None:
    settings = {"state_path": str(tmp_path / "state.sqlite"), "initializing_seconds": 0}
    first = create_app(settings).test_client()
    created = first.post(LIST, json=salesforce_jwt_body(), headers=HEADERS).json
    second = create_app(settings).test_client()
    assert _read(second, created["id"])["state"] == "enabled"
    assert _read(first, created["id"])["state"] == "enabled"
