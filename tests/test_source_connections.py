"""``/sourceConnections`` (FACTS-2 §2) on the resource engine, in-process."""

from __future__ import annotations

from typing import Any

import pytest
from flask.testing import FlaskClient

from .support import BASE_PATH, DYNAMICS_SPEC_ID, HEADERS, dynamics_basic_body

SOURCES = BASE_PATH + "/sourceConnections"
SALESFORCE_SPEC_ID = "cfc0fee1-7dc0-40ef-b73e-d8b134c436f5"


def _base(client: FlaskClient, headers: dict[str, str] = HEADERS) -> str:
    response = client.post(BASE_PATH + "/connections", json=dynamics_basic_body(), headers=headers)
    assert response.status_code == 201
    return str(response.json["id"])


def source_body(base_id: str, **changes: Any) -> dict[str, Any]:
    """The Dynamics source connection of the tutorial (a table, with its primary key)."""
    body: dict[str, Any] = {
        "name": "Dynamics Source Connection",
        "description": "contacts",
        "baseConnectionId": base_id,
        "data": {"format": "tabular"},
        "params": {"tableName": "contact", "primaryKey": "contactid"},
        "connectionSpec": {"id": DYNAMICS_SPEC_ID, "version": "1.0"},
    }
    body.update(changes)
    return body


def _create(client: FlaskClient, body: dict[str, Any], query: str = "") -> dict[str, Any]:
    response = client.post(SOURCES + query, json=body, headers=HEADERS)
    assert response.status_code == 201, response.json
    return dict(response.json)


def _code(response: Any) -> str:
    return str(response.json["type"]).rsplit("FLOW-", 1)[1]


def test_create_answers_201_and_reads_back_wrapped(client: FlaskClient) -> None:
    base_id = _base(client)
    response = client.post(SOURCES, json=source_body(base_id), headers=HEADERS)
    assert response.status_code == 201
    assert set(response.json) == {"id", "etag"}
    assert response.headers["Location"] == f"{SOURCES}/{response.json['id']}"
    (item,) = client.get(f"{SOURCES}/{response.json['id']}", headers=HEADERS).json["items"]
    assert item["id"] == response.json["id"]
    assert item["etag"] == item["version"] == response.json["etag"]
    assert item["baseConnectionId"] == base_id
    assert item["state"] == "enabled"
    assert item["params"] == {"tableName": "contact", "primaryKey": "contactid"}
    assert item["connectionSpec"] == {"id": DYNAMICS_SPEC_ID, "version": "1.0"}
    assert item["inheritedAttributes"] == {
        "baseConnection": {
            "id": base_id,
            "connectionSpec": {"id": DYNAMICS_SPEC_ID, "version": "1.0"},
        }
    }
    assert item["lastOperation"]["operation"] == "create"
    assert item["imsOrgId"] == HEADERS["x-gw-ims-org-id"]


@pytest.mark.parametrize(
    ("change", "code", "words"),
    [
        ({"connectionSpec": {"id": "00000000-0000-0000-0000-000000000000"}}, "1413-400", "spec ID"),
        ({"name": "  "}, "1304-400", "name"),
        ({"data": None}, "1304-400", "data"),
        ({"data": {"format": "xml"}}, "1327-400", "supplied=xml"),
        ({"params": {"primaryKey": "contactid"}}, "1304-400", "params.tableName"),
        ({"baseConnectionId": "not-there"}, "1100-400", "not-there could not be found"),
        ({"connectionSpec": {"id": SALESFORCE_SPEC_ID}}, "1100-400", "belongs to connection spec"),
        ({"params": "contact"}, "1100-400", "params must be a JSON object"),
    ],
)
def test_create_refusals(
    client: FlaskClient, change: dict[str, Any], code: str, words: str
) -> None:
    response = client.post(SOURCES, json=source_body(_base(client), **change), headers=HEADERS)
    assert response.status_code == 400
    assert _code(response) == code
    assert words in response.json["report"]["detailed-message"]


def test_a_base_connection_of_another_sandbox_is_not_found(client: FlaskClient) -> None:
    foreign = _base(client, {**HEADERS, "x-sandbox-name": "dev"})
    response = client.post(SOURCES, json=source_body(foreign), headers=HEADERS)
    assert (response.status_code, _code(response)) == (400, "1100-400")


def test_list_filters_pages_and_tenancy(client: FlaskClient) -> None:
    base_id = _base(client)
    for table in ("contact", "lead", "account"):
        _create(client, source_body(base_id, params={"tableName": table}))
    listed = client.get(SOURCES + "?property=params.tableName==lead", headers=HEADERS).json
    assert [item["params"]["tableName"] for item in listed["items"]] == ["lead"]
    page = client.get(SOURCES + "?limit=2&orderby=-createdAt", headers=HEADERS).json
    assert len(page["items"]) == 2
    assert page["_links"]["next"]["href"].startswith("/sourceConnections?")
    assert client.get(SOURCES + "?count=true", headers=HEADERS).json == {"count": 3}
    other = client.get(SOURCES, headers={**HEADERS, "x-sandbox-name": "dev"}).json
    assert other["items"] == []
    searched = client.post(
        SOURCES + "/search", json={"queryString": "params.tableName==account"}, headers=HEADERS
    ).json
    assert [item["params"]["tableName"] for item in searched["items"]] == ["account"]


def test_patch_with_if_match(client: FlaskClient) -> None:
    created = _create(client, source_body(_base(client)))
    url = f"{SOURCES}/{created['id']}"
    ops = [{"op": "replace", "path": "/params/tableName", "value": "lead"}]
    missing = client.patch(url, json=ops, headers=HEADERS)
    assert (missing.status_code, _code(missing)) == (400, "1403-400")
    stale = client.patch(url, json=ops, headers={**HEADERS, "If-Match": '"stale"'})
    assert (stale.status_code, _code(stale)) == (412, "1404-412")
    done = client.patch(url, json=ops, headers={**HEADERS, "If-Match": created["etag"]})
    assert done.status_code == 200
    assert set(done.json) == {"id", "etag"}
    assert done.json["etag"] != created["etag"]
    (item,) = client.get(url, headers=HEADERS).json["items"]
    assert item["params"]["tableName"] == "lead"
    assert item["lastOperation"]["operation"] == "update"
    by_query = client.patch(
        url + "?if-match=" + done.json["etag"],
        json=[{"op": "add", "path": "/description", "value": "leads"}],
        headers=HEADERS,
    )
    assert by_query.status_code == 200


@pytest.mark.parametrize(
    ("ops", "code"),
    [
        ([{"op": "replace", "path": "/connectionSpec/id", "value": "x"}], "1414-400"),
        ([{"op": "replace", "path": "/baseConnectionId", "value": "x"}], "1455-400"),
        ([{"op": "remove", "path": "/params/nothing"}], "1455-400"),
        ([{"op": "remove", "path": "/params/tableName"}], "1304-400"),
        ([{"op": "replace", "path": "/data/format", "value": "xml"}], "1327-400"),
        ([{"op": "move", "path": "/name", "from": "/description"}], "1434-400"),
        ([], "1405-400"),
    ],
)
def test_patch_refusals_change_nothing(
    client: FlaskClient, ops: list[dict[str, Any]], code: str
) -> None:
    created = _create(client, source_body(_base(client)))
    url = f"{SOURCES}/{created['id']}"
    before = client.get(url, headers=HEADERS).json
    response = client.patch(url, json=ops, headers={**HEADERS, "If-Match": created["etag"]})
    assert (response.status_code, _code(response)) == (400, code)
    assert client.get(url, headers=HEADERS).json == before


def test_delete_then_404_with_the_resource_type(client: FlaskClient) -> None:
    created = _create(client, source_body(_base(client)))
    url = f"{SOURCES}/{created['id']}"
    assert client.delete(url, headers=HEADERS).status_code == 204
    gone = client.get(url, headers=HEADERS)
    assert (gone.status_code, _code(gone)) == (404, "1439-404")
    assert gone.json["report"]["type"] == "sourceConnections"
    assert client.delete(url, headers=HEADERS).status_code == 404


def test_draft_then_publish(client: FlaskClient) -> None:
    created = _create(client, source_body(_base(client)), "?mode=draft")
    url = f"{SOURCES}/{created['id']}"
    (item,) = client.get(url, headers=HEADERS).json["items"]
    assert (item["state"], item["lastOperation"]["operation"]) == ("draft", "draft_create")
    published = client.post(url + "/action?op=publish", headers=HEADERS)
    assert published.status_code == 200
    assert client.get(url, headers=HEADERS).json["items"][0]["state"] == "enabled"
    again = client.post(url + "/action?op=publish", headers=HEADERS)
    assert (again.status_code, _code(again)) == (400, "1409-400")
    unknown = client.post(url + "/action?op=explode", headers=HEADERS)
    assert (unknown.status_code, _code(unknown)) == (400, "1451-400")
