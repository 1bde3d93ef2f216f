"""``/flowSpecs`` and ``/flows`` (FACTS-2 §4, §5): the tutorial's dataflow, in-process."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from mock_flowservice import create_app

from .support import BASE_PATH, DYNAMICS_SPEC_ID, HEADERS, dynamics_basic_body

FLOWS = BASE_PATH + "/flows"
CRM_TO_AEP = "14518937-270c-4525-bdec-c2ba7cce3860"
DATALAKE = "c604ff05-7f1a-43c0-8e18-33bf874cb11c"


def _post(client: FlaskClient, path: str, body: Any, query: str = "") -> dict[str, Any]:
    response = client.post(BASE_PATH + path + query, json=body, headers=HEADERS)
    assert response.status_code == 201, response.json
    return dict(response.json)


def _chain(client: FlaskClient, *, draft_source: bool = False) -> tuple[str, str, str]:
    """Base connection, source connection (a Dynamics table), Data Lake target."""
    base = _post(client, "/connections", dynamics_basic_body())["id"]
    source = _post(
        client,
        "/sourceConnections",
        {
            "name": "contacts",
            "baseConnectionId": base,
            "data": {"format": "tabular"},
            "params": {"tableName": "contact"},
            "connectionSpec": {"id": DYNAMICS_SPEC_ID, "version": "1.0"},
        },
        "?mode=draft" if draft_source else "",
    )["id"]
    target = _post(
        client,
        "/targetConnections",
        {
            "name": "lake",
            "data": {"schema": {"id": "https://ns.adobe.com/acme/schemas/x", "version": "1"}},
            "params": {"dataSetId": "6889f4f89b982b2b90bc1207"},
            "connectionSpec": {"id": DATALAKE, "version": "1.0"},
        },
    )["id"]
    return base, source, target


def flow_body(source: str, target: str, **changes: Any) -> dict[str, Any]:
    """The crm.md request, schedule values as strings like the docs send them."""
    body: dict[str, Any] = {
        "name": "ACME Contact Dataflow",
        "description": "A dataflow for ACME contact data",
        "flowSpec": {"id": CRM_TO_AEP, "version": "1.0"},
        "sourceConnectionIds": [source],
        "targetConnectionIds": [target],
        "transformations": [
            {
                "name": "Copy",
                "params": {
                    "deltaColumn": {
                        "name": "modifiedon",
                        "dateFormat": "YYYY-MM-DD",
                        "timezone": "UTC",
                    }
                },
            },
            {
                "name": "Mapping",
                "params": {"mappingId": "93ddfa69c4864d978832b1e5ef6ec3b9", "mappingVersion": 0},
            },
        ],
        "scheduleParams": {
            "startTime": "1612310466",
            "frequency": "minute",
            "interval": "15",
            "backfill": "true",
        },
    }
    body.update(changes)
    return body


def _code(response: Any) -> str:
    return str(response.json["type"]).rsplit("FLOW-", 1)[1]


def test_flow_specs_list_filter_get_and_search(client: FlaskClient) -> None:
    found = client.get(BASE_PATH + '/flowSpecs?property=name=="CRMToAEP"', headers=HEADERS).json
    (spec,) = found["items"]
    assert spec["id"] == CRM_TO_AEP
    assert DYNAMICS_SPEC_ID in spec["sourceConnectionSpecIds"]
    assert spec["targetConnectionSpecIds"] == [DATALAKE]
    assert [t["name"] for t in spec["transformationSpecs"]] == ["Copy", "Mapping"]
    encoded = client.get(BASE_PATH + "/flowSpecs?property=name==%22CRMToAEP%22", headers=HEADERS)
    assert encoded.json["items"][0]["id"] == CRM_TO_AEP
    (one,) = client.get(f"{BASE_PATH}/flowSpecs/{CRM_TO_AEP}", headers=HEADERS).json["items"]
    assert one == spec
    searched = client.post(
        BASE_PATH + "/flowSpecs/search",
        json={"queryString": "name==CloudStorageToAEP"},
        headers=HEADERS,
    ).json
    assert [s["id"] for s in searched["items"]] == ["9753525b-82c7-4dce-8a9b-5ccfce2b9876"]
    missing = client.get(BASE_PATH + "/flowSpecs/nope", headers=HEADERS)
    assert (missing.status_code, missing.json["report"]["type"]) == (404, "flowSpecs")


def test_the_tutorial_flow_reads_back_as_documented(client: FlaskClient) -> None:
    base, source, target = _chain(client)
    created = _post(client, "/flows", flow_body(source, target))
    (flow,) = client.get(f"{FLOWS}/{created['id']}", headers=HEADERS).json["items"]
    assert flow["state"] == "enabled"
    assert flow["flowSpec"] == {"id": CRM_TO_AEP, "version": "1.0"}
    assert flow["runs"] == f"/runs?property=flowId=={created['id']}"
    assert flow["scheduleParams"]["interval"] == "15"  # stored as sent
    assert flow["inheritedAttributes"]["sourceConnections"] == [
        {
            "id": source,
            "connectionSpec": {"id": DYNAMICS_SPEC_ID, "version": "1.0"},
            "baseConnection": {
                "id": base,
                "connectionSpec": {"id": DYNAMICS_SPEC_ID, "version": "1.0"},
            },
        }
    ]
    assert flow["inheritedAttributes"]["targetConnections"] == [
        {"id": target, "connectionSpec": {"id": DATALAKE, "version": "1.0"}}
    ]
    assert flow["lastOperation"]["operation"] == "create"
    listed = client.get(FLOWS + f"?property=sourceConnectionIds[]=={source}", headers=HEADERS)
    assert [f["id"] for f in listed.json["items"]] == [created["id"]]


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ({"state": "enabled"}, "1410-400"),
        ({"mode": "draft"}, "1368-400"),
        ({"flowSpec": {"id": "00000000-0000-0000-0000-000000000000"}}, "1413-400"),
        ({"sourceConnectionIds": []}, "1338-400"),
        ({"targetConnectionIds": None}, "1338-400"),
        ({"sourceConnectionIds": ["missing"]}, "1100-400"),
        ({"scheduleParams": {}}, "1317-400"),
        ({"scheduleParams": {"startTime": 1, "frequency": "monthly"}}, "1397-400"),
        ({"scheduleParams": {"startTime": 1, "frequency": "minute", "interval": 14}}, "1362-400"),
        ({"scheduleParams": {"startTime": 1, "frequency": "once", "interval": 1}}, "1361-400"),
        ({"scheduleParams": {"startTime": 1, "frequency": "once", "backfill": True}}, "1364-400"),
        ({"scheduleParams": {"startTime": 1, "frequency": "hour"}}, "1304-400"),
        ({"transformations": []}, "1367-400"),
        ({"transformations": [{"name": "Copy", "params": {}}]}, "1367-400"),
        ({"transformations": [{"name": "Explode"}]}, "1100-400"),
        (
            {
                "transformations": [
                    {"name": "Mapping", "params": {"mappingId": "m", "mappingVersion": "x"}}
                ]
            },
            "1412-400",
        ),
    ],
)
def test_create_refusals(client: FlaskClient, change: dict[str, Any], code: str) -> None:
    _, source, target = _chain(client)
    response = client.post(FLOWS, json=flow_body(source, target, **change), headers=HEADERS)
    assert (response.status_code, _code(response)) == (400, code), response.json


def test_once_refuses_a_delta_column_and_needs_none(client: FlaskClient) -> None:
    _, source, target = _chain(client)
    once = {"startTime": "1612310466", "frequency": "once"}
    refused = client.post(
        FLOWS, json=flow_body(source, target, scheduleParams=once), headers=HEADERS
    )
    assert _code(refused) == "1369-400"
    mapping_only = [t for t in flow_body(source, target)["transformations"] if t["name"] != "Copy"]
    body = flow_body(source, target, scheduleParams=once, transformations=mapping_only)
    assert client.post(FLOWS, json=body, headers=HEADERS).status_code == 201


def test_the_flow_spec_must_admit_the_connections(client: FlaskClient) -> None:
    _, source, target = _chain(client)
    cloud = {"id": "9753525b-82c7-4dce-8a9b-5ccfce2b9876", "version": "1.0"}
    body = flow_body(source, target, flowSpec=cloud, transformations=[])
    response = client.post(FLOWS, json=body, headers=HEADERS)
    assert (response.status_code, _code(response)) == (400, "1100-400")
    assert "does not accept the source connection" in response.json["report"]["detailed-message"]


def test_drafts_need_published_connections_to_publish(client: FlaskClient) -> None:
    _, source, target = _chain(client, draft_source=True)
    refused = client.post(FLOWS, json=flow_body(source, target), headers=HEADERS)
    assert "must be published first" in refused.json["report"]["detailed-message"]
    draft = {
        "name": "draft flow",
        "flowSpec": {"id": CRM_TO_AEP, "version": "1.0"},
        "sourceConnectionIds": [source],
        "targetConnectionIds": [target],
    }
    created = _post(client, "/flows", draft, "?mode=draft")
    assert client.get(f"{FLOWS}/{created['id']}", headers=HEADERS).json["items"][0]["state"] == (
        "draft"
    )
    early = client.post(f"{FLOWS}/{created['id']}/action?op=publish", headers=HEADERS)
    assert (early.status_code, _code(early)) == (400, "1100-400")
    assert "must be published first" in early.json["report"]["detailed-message"]
    source_url = f"{BASE_PATH}/sourceConnections/{source}/action?op=publish"
    assert client.post(source_url, headers=HEADERS).status_code == 200
    published = client.post(f"{FLOWS}/{created['id']}/action?op=publish", headers=HEADERS)
    assert published.status_code == 200


def test_enable_disable_and_patch(client: FlaskClient) -> None:
    _, source, target = _chain(client)
    created = _post(client, "/flows", flow_body(source, target))
    url = f"{FLOWS}/{created['id']}"
    again = client.post(url + "/action?op=enable", headers=HEADERS)
    assert (again.status_code, _code(again)) == (400, "1422-400")
    assert (
        "action enable cannot be applied on the current state enabled"
        in again.json["report"]["detailed-message"]
    )
    disabled = client.post(url + "/action?op=disable", headers=HEADERS)
    assert disabled.status_code == 200
    assert client.get(url, headers=HEADERS).json["items"][0]["state"] == "disabled"
    assert client.post(url + "/action?op=enable", headers=HEADERS).status_code == 200
    etag = client.get(url, headers=HEADERS).json["items"][0]["etag"]
    weekly = [{"op": "replace", "path": "/scheduleParams/frequency", "value": "week"}]
    patched = client.patch(url, json=weekly, headers={**HEADERS, "If-Match": etag})
    assert patched.status_code == 200
    assert (
        client.get(url, headers=HEADERS).json["items"][0]["scheduleParams"]["frequency"] == "week"
    )
    bad = [{"op": "replace", "path": "/scheduleParams/interval", "value": 0}]
    refused = client.patch(url, json=bad, headers={**HEADERS, "If-Match": patched.json["etag"]})
    assert _code(refused) == "1362-400"
    frozen = [{"op": "replace", "path": "/flowSpec/id", "value": "x"}]
    assert (
        _code(client.patch(url, json=frozen, headers={**HEADERS, "If-Match": patched.json["etag"]}))
        == "1414-400"
    )
    assert client.delete(url, headers=HEADERS).status_code == 204
    gone = client.get(url, headers=HEADERS)
    assert (gone.status_code, gone.json["report"]["type"]) == (404, "flows")


@pytest.fixture
def strict_start() -> Flask:
    return create_app({"refuse_past_start_time": True})


def test_a_start_in_the_past_is_refused_when_configured(strict_start: Flask) -> None:
    client = strict_start.test_client()
    _, source, target = _chain(client)
    response = client.post(FLOWS, json=flow_body(source, target), headers=HEADERS)
    assert (response.status_code, _code(response)) == (400, "1360-400")


def test_connections_a_flow_uses_cannot_be_deleted(client: FlaskClient) -> None:
    base, source, target = _chain(client)
    flow = _post(client, "/flows", flow_body(source, target))["id"]
    for path, code in (
        (f"/connections/{base}", "1418-400"),
        (f"/sourceConnections/{source}", "1447-400"),
        (f"/targetConnections/{target}", "1447-400"),
    ):
        refused = client.delete(BASE_PATH + path, headers=HEADERS)
        assert (refused.status_code, _code(refused)) == (400, code)
        assert client.get(BASE_PATH + path, headers=HEADERS).status_code == 200
    assert client.delete(f"{FLOWS}/{flow}", headers=HEADERS).status_code == 204
    for path in (
        f"/sourceConnections/{source}",
        f"/targetConnections/{target}",
        f"/connections/{base}",
    ):
        assert client.delete(BASE_PATH + path, headers=HEADERS).status_code == 204


def test_delete_in_use_can_be_allowed() -> None:
    client = create_app({"delete_in_use": "allow"}).test_client()
    _, source, target = _chain(client)
    flow = _post(client, "/flows", flow_body(source, target))["id"]
    assert (
        client.delete(f"{BASE_PATH}/sourceConnections/{source}", headers=HEADERS).status_code == 204
    )
    (kept,) = client.get(f"{FLOWS}/{flow}", headers=HEADERS).json["items"]
    assert kept["sourceConnectionIds"] == [source]  # the flow keeps the dangling id
