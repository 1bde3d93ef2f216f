"""Read, list, delete, tenancy and secrets of /connections (FACTS C, D, E.2; GAPS 1, 9)."""

from __future__ import annotations

import time
from typing import Any

from flask.testing import FlaskClient

from .support import BASE_PATH, DYNAMICS_BASIC, DYNAMICS_SPEC_ID, HEADERS, ORG, dynamics_basic_body

CONNECTIONS = BASE_PATH + "/connections"


def _create(client: FlaskClient, headers: dict[str, str] = HEADERS, **kw: Any) -> str:
    response = client.post(CONNECTIONS, json=dynamics_basic_body(**kw), headers=headers)
    assert response.status_code == 201, response.json
    return str(response.json["id"])


def test_retrieve_returns_every_documented_field(client: FlaskClient) -> None:
    before = int(time.time() * 1000)
    created = client.post(CONNECTIONS, json=dynamics_basic_body(), headers=HEADERS).json
    response = client.get(f"{CONNECTIONS}/{created['id']}", headers=HEADERS)
    assert response.status_code == 200
    assert list(response.json) == ["items"]
    (item,) = response.json["items"]
    assert item["id"] == created["id"]
    assert item["etag"] == item["version"] == created["etag"]
    assert before <= item["createdAt"] == item["updatedAt"] <= int(time.time() * 1000)
    assert item["createdBy"] == item["updatedBy"] == "test-client@AdobeID"
    assert item["createdClient"] == item["updatedClient"] == "test-client"
    assert item["sandboxName"] == "prod"
    assert len(item["sandboxId"]) == 36
    assert item["imsOrgId"] == ORG
    assert item["state"] == "enabled"
    assert item["connectionSpec"] == {"id": DYNAMICS_SPEC_ID, "version": "1.0"}
    assert item["auth"]["specName"] == DYNAMICS_BASIC
    assert item["description"] == "Dynamics connection with basic auth"
    assert item["lastOperation"]["operation"] == "create"


def test_secret_params_are_masked_and_others_verbatim(client: FlaskClient) -> None:
    connection_id = _create(client, password="pa55-w0rd")
    item = client.get(f"{CONNECTIONS}/{connection_id}", headers=HEADERS).json["items"][0]
    assert item["auth"]["params"] == {
        "serviceUri": "https://contoso.crm.dynamics.com",
        "username": "ops@contoso.example",
        "password": "********",
    }
    listing = client.get(CONNECTIONS, headers=HEADERS).get_data(as_text=True)
    assert "pa55-w0rd" not in listing


def test_description_is_omitted_when_not_set(client: FlaskClient) -> None:
    body = dynamics_basic_body()
    del body["description"]
    created = client.post(CONNECTIONS, json=body, headers=HEADERS).json
    item = client.get(f"{CONNECTIONS}/{created['id']}", headers=HEADERS).json["items"][0]
    assert "description" not in item


def test_trailing_slash_forms(client: FlaskClient) -> None:
    connection_id = _create(client)
    assert client.get(f"{CONNECTIONS}/{connection_id}/", headers=HEADERS).status_code == 200
    assert client.get(f"{CONNECTIONS}/{connection_id}/test/", headers=HEADERS).json == {
        "result": True
    }
    assert client.delete(f"{CONNECTIONS}/{connection_id}/", headers=HEADERS).status_code == 204


def test_delete_then_404(client: FlaskClient) -> None:
    connection_id = _create(client)
    deleted = client.delete(f"{CONNECTIONS}/{connection_id}", headers=HEADERS)
    assert deleted.status_code == 204
    assert deleted.get_data() == b""
    for method in ("GET", "DELETE"):
        response = client.open(f"{CONNECTIONS}/{connection_id}", method=method, headers=HEADERS)
        assert response.status_code == 404
        assert response.json["type"] == "https://ns.adobe.com/aep/errors/FLOW-1439-404"
        assert response.json["report"]["id"] == connection_id
        assert response.json["report"]["type"] == "connections"
        assert response.json["errorMessage"] == (
            f"The requested connections resource {connection_id} is not found. "
            "Verify the resource ID before trying again."
        )
    assert client.get(CONNECTIONS, headers=HEADERS).json == {"items": [], "_links": {}}


def test_listing_envelope_and_order(client: FlaskClient) -> None:
    ids = [_create(client, name=f"c{i}") for i in range(3)]
    body = client.get(CONNECTIONS, headers=HEADERS).json
    assert body["_links"] == {}
    assert [item["id"] for item in body["items"]] == ids


def test_tenants_are_isolated(client: FlaskClient) -> None:
    other_org = {**HEADERS, "x-gw-ims-org-id": "OTHER@AdobeOrg"}
    other_sandbox = {**HEADERS, "x-sandbox-name": "dev"}
    mine = _create(client)
    theirs = _create(client, headers=other_org)
    for headers in (other_org, other_sandbox):
        assert client.get(f"{CONNECTIONS}/{mine}", headers=headers).status_code == 404
        assert client.delete(f"{CONNECTIONS}/{mine}", headers=headers).status_code == 404
    assert [i["id"] for i in client.get(CONNECTIONS, headers=HEADERS).json["items"]] == [mine]
    assert [i["id"] for i in client.get(CONNECTIONS, headers=other_org).json["items"]] == [theirs]
    assert client.get(CONNECTIONS, headers=other_sandbox).json["items"] == []
    assert client.get(f"{CONNECTIONS}/{mine}", headers=HEADERS).status_code == 200


def test_test_endpoint_and_unknown_id(client: FlaskClient) -> None:
    connection_id = _create(client)
    assert client.get(f"{CONNECTIONS}/{connection_id}/test", headers=HEADERS).json == {
        "result": True
    }
    missing = client.get(f"{CONNECTIONS}/nope/test", headers=HEADERS)
    assert missing.status_code == 404
