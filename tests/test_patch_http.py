"""PATCH /connections/{id} over the app: If-Match, etags, audit fields (FACTS E.1)."""

from __future__ import annotations

import threading
from typing import Any

import pytest
import requests
from flask.testing import FlaskClient

from .support import BASE_PATH, DYNAMICS_SPEC_ID, HEADERS, MockServer, dynamics_basic_body

CONNECTIONS = BASE_PATH + "/connections"
RENAME = [{"op": "replace", "path": "/name", "value": "renamed"}]


def _create(client: FlaskClient) -> dict[str, Any]:
    created = client.post(CONNECTIONS, json=dynamics_basic_body(), headers=HEADERS).json
    return dict(created)


def _get(client: FlaskClient, connection_id: str) -> dict[str, Any]:
    return dict(client.get(f"{CONNECTIONS}/{connection_id}", headers=HEADERS).json["items"][0])


@pytest.mark.parametrize("quoted", [True, False])
@pytest.mark.parametrize("slash", ["", "/"])
def test_patch_with_if_match(client: FlaskClient, quoted: bool, slash: str) -> None:
    created = _create(client)
    etag = created["etag"] if quoted else created["etag"].strip('"')
    headers = {**HEADERS, "If-Match": etag, "x-api-key": "editor"}
    ops = [
        *RENAME,
        {"op": "ADD", "path": "/description", "value": "new words"},
        {"op": "Replace", "path": "/auth/params/password", "value": "n3w"},
    ]
    response = client.patch(f"{CONNECTIONS}/{created['id']}{slash}", json=ops, headers=headers)
    assert response.status_code == 200
    assert response.json["id"] == created["id"]
    assert response.json["etag"] != created["etag"]
    item = _get(client, created["id"])
    assert item["name"] == "renamed"
    assert item["description"] == "new words"
    assert item["etag"] == item["version"] == response.json["etag"]
    assert item["updatedBy"] == "editor@AdobeID"
    assert item["updatedClient"] == "editor"
    assert item["createdClient"] == "test-client"
    assert item["updatedAt"] >= item["createdAt"]
    assert item["auth"]["params"]["password"] == "********"


def test_if_match_as_query_parameter(client: FlaskClient) -> None:
    created = _create(client)
    url = f"{CONNECTIONS}/{created['id']}?if-match={created['etag']}"
    assert client.patch(url, json=RENAME, headers=HEADERS).status_code == 200


def test_missing_and_stale_if_match(client: FlaskClient) -> None:
    created = _create(client)
    url = f"{CONNECTIONS}/{created['id']}"
    missing = client.patch(url, json=RENAME, headers=HEADERS)
    assert missing.status_code == 400
    assert missing.json["type"].endswith("FLOW-1403-400")
    assert missing.json["title"] == "Header is missing"
    first = client.patch(url, json=RENAME, headers={**HEADERS, "If-Match": created["etag"]})
    assert first.status_code == 200
    stale = client.patch(url, json=RENAME, headers={**HEADERS, "If-Match": created["etag"]})
    assert stale.status_code == 412
    assert stale.json["type"].endswith("FLOW-1404-412")
    assert stale.json["title"] == "Version not matching"
    assert first.json["etag"] in stale.json["errorMessage"]


@pytest.mark.parametrize(
    ("ops", "code"),
    [
        ([{"op": "replace", "path": "/connectionSpec/id", "value": "x"}], "1414-400"),
        ([{"op": "move", "from": "/name", "path": "/description"}], "1434-400"),
        ([{"op": "COPY", "from": "/name", "path": "/description"}], "1434-400"),
        ([{"op": "remove", "path": "/auth/params/nothing"}], "1455-400"),
        ([{"op": "remove", "path": "/auth/params/password"}], "1304-400"),
        ([{"op": "add", "path": "/auth/params/port", "value": 1}], "1100-400"),
        ([{"op": "replace", "path": "/auth/specName", "value": "x"}], "1100-400"),
        ([], "1405-400"),
    ],
)
def test_patch_refusals_leave_the_connection_unchanged(
    client: FlaskClient, ops: list[dict[str, Any]], code: str
) -> None:
    created = _create(client)
    before = _get(client, created["id"])
    headers = {**HEADERS, "If-Match": created["etag"]}
    response = client.patch(f"{CONNECTIONS}/{created['id']}", json=ops, headers=headers)
    assert response.status_code == 400
    assert response.json["type"].endswith(f"FLOW-{code}")
    assert _get(client, created["id"]) == before


def test_patch_unknown_id(client: FlaskClient) -> None:
    response = client.patch(
        f"{CONNECTIONS}/nope", json=RENAME, headers={**HEADERS, "If-Match": "x"}
    )
    assert response.status_code == 404


def test_concurrent_patches_with_one_etag_over_a_socket(mock_server: MockServer) -> None:
    base = mock_server.base_url + "/connections"
    created = requests.post(base, json=dynamics_basic_body(), headers=HEADERS, timeout=10).json()
    statuses: list[int] = []
    barrier = threading.Barrier(16)

    def patch(i: int) -> None:
        ops = [{"op": "replace", "path": "/name", "value": f"writer {i}"}]
        barrier.wait(timeout=10)
        headers = {**HEADERS, "If-Match": created["etag"]}
        response = requests.patch(f"{base}/{created['id']}", json=ops, headers=headers, timeout=10)
        statuses.append(response.status_code)

    threads = [threading.Thread(target=patch, args=(i,)) for i in range(16)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=20)
    assert sorted(statuses) == [200] + [412] * 15


@pytest.mark.parametrize("collection", ["connections", "sourceConnections"])
def test_a_draft_connection_is_not_patched(client: FlaskClient, collection: str) -> None:
    """``1416-400``: update applies only to enabled, disabled or initializing connections."""
    base = client.post(
        BASE_PATH + "/connections" + ("?mode=draft" if collection == "connections" else ""),
        json=dynamics_basic_body(), headers=HEADERS,
    ).json  # fmt: skip
    record = base
    if collection == "sourceConnections":
        body = {"name": "s", "baseConnectionId": base["id"], "data": {"format": "tabular"},
                "params": {"tableName": "contact"},
                "connectionSpec": {"id": DYNAMICS_SPEC_ID, "version": "1.0"}}  # fmt: skip
        record = client.post(
            BASE_PATH + "/sourceConnections?mode=draft", json=body, headers=HEADERS
        ).json
    ops = [{"op": "replace", "path": "/name", "value": "renamed"}]
    path = f"{BASE_PATH}/{collection}/{record['id']}"
    refused = client.patch(path, json=ops, headers={**HEADERS, "If-Match": record["etag"]})
    assert refused.status_code == 400
    assert refused.json["type"].endswith("FLOW-1416-400")
    published = client.post(path + "/action?op=publish", headers=HEADERS).json
    done = client.patch(path, json=ops, headers={**HEADERS, "If-Match": published["etag"]})
    assert done.status_code == 200, done.json


def test_a_json_null_body_is_no_body(client: FlaskClient) -> None:
    for path in ("/connections", "/sourceConnections", "/flows", "/connections/search"):
        response = client.post(BASE_PATH + path, data="null", headers=HEADERS)
        assert response.status_code == 400
        assert response.json["type"].endswith("FLOW-1405-400"), path
