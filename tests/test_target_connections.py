"""``/targetConnections`` (FACTS-2 §3): the Data Lake target of the tutorial, in-process."""

from __future__ import annotations

from typing import Any

import pytest
from flask.testing import FlaskClient

from .support import BASE_PATH, DYNAMICS_SPEC_ID, HEADERS

TARGETS = BASE_PATH + "/targetConnections"
DATALAKE = "c604ff05-7f1a-43c0-8e18-33bf874cb11c"
SCHEMA_ID = "https://ns.adobe.com/acme/schemas/52b59140414aa6a370ef5e21155fd7a686744b8739ecc168"


def target_body(**changes: Any) -> dict[str, Any]:
    """The crm.md request: a dataset and its XDM schema (no ``data.format``)."""
    body: dict[str, Any] = {
        "name": "ACME target connection",
        "description": "ACME target connection",
        "data": {
            "schema": {"id": SCHEMA_ID, "version": "application/vnd.adobe.xed-full+json;version=1"}
        },
        "params": {"dataSetId": "6889f4f89b982b2b90bc1207"},
        "connectionSpec": {"id": DATALAKE, "version": "1.0"},
    }
    body.update(changes)
    return body


def _code(response: Any) -> str:
    return str(response.json["type"]).rsplit("FLOW-", 1)[1]


def test_create_and_read_back(client: FlaskClient) -> None:
    created = client.post(TARGETS, json=target_body(), headers=HEADERS)
    assert created.status_code == 201
    (item,) = client.get(f"{TARGETS}/{created.json['id']}", headers=HEADERS).json["items"]
    assert item["data"]["format"] == "parquet_xdm"  # the default when none is sent
    assert item["data"]["schema"]["id"] == SCHEMA_ID
    assert item["params"] == {"dataSetId": "6889f4f89b982b2b90bc1207"}
    assert item["connectionSpec"] == {"id": DATALAKE, "version": "1.0"}
    assert "baseConnectionId" not in item
    assert item["etag"] == created.json["etag"]


def test_the_data_lake_spec_is_served_by_connection_specs(client: FlaskClient) -> None:
    response = client.get(f"{BASE_PATH}/connectionSpecs/{DATALAKE}", headers=HEADERS)
    assert response.status_code == 200
    (spec,) = response.json["items"]
    assert (spec["name"], spec["version"]) == ("datalake", "1.0")
    found = client.get(f'{BASE_PATH}/connectionSpecs?property=name=="datalake"', headers=HEADERS)
    assert [s["id"] for s in found.json["items"]] == [DATALAKE]


@pytest.mark.parametrize(
    ("change", "code", "words"),
    [
        ({"connectionSpec": {"id": DYNAMICS_SPEC_ID}}, "1307-400", f"allowed value is: {DATALAKE}"),
        ({"connectionSpec": {"id": DATALAKE, "version": "2.0"}}, "1413-400", "spec ID"),
        ({"params": {}}, "1325-400", "target connection: ACME target connection"),
        ({"params": {"dataSetId": ""}}, "1325-400", "dataSetId"),
        ({"params": {"dataSetId": "not-a-dataset"}}, "1100-400", "24 hexadecimal"),
        ({"data": {"format": "parquet_xdm"}}, "1304-400", "data.schema"),
        ({"data": {"schema": {"id": SCHEMA_ID}}}, "1304-400", "data.schema.version"),
        ({"name": None}, "1304-400", "name"),
    ],
)
def test_create_refusals(
    client: FlaskClient, change: dict[str, Any], code: str, words: str
) -> None:
    response = client.post(TARGETS, json=target_body(**change), headers=HEADERS)
    assert (response.status_code, _code(response)) == (400, code)
    assert words in response.json["report"]["detailed-message"]


def test_patch_is_checked_like_a_create(client: FlaskClient) -> None:
    created = client.post(TARGETS, json=target_body(), headers=HEADERS).json
    url, etag = f"{TARGETS}/{created['id']}", created["etag"]
    bad = client.patch(
        url,
        json=[{"op": "replace", "path": "/params/dataSetId", "value": ""}],
        headers={**HEADERS, "If-Match": etag},
    )
    assert (bad.status_code, _code(bad)) == (400, "1325-400")
    good = client.patch(
        url,
        json=[
            {"op": "replace", "path": "/params", "value": {"dataSetId": "5c8c3c555033b814b69f947f"}}
        ],
        headers={**HEADERS, "If-Match": etag},
    )
    assert good.status_code == 200
    (item,) = client.get(url, headers=HEADERS).json["items"]
    assert item["params"]["dataSetId"] == "5c8c3c555033b814b69f947f"
    gone = client.get(f"{TARGETS}/nope", headers=HEADERS)
    assert (gone.status_code, gone.json["report"]["type"]) == (404, "targetConnections")
