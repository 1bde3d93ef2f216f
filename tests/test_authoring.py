"""Sources SDK authoring: ``POST``/``PUT`` ``/connectionSpecs`` and ``/flowSpecs``, in-process.

An authored spec is the org's: listed after the built-in catalog in every sandbox of the org,
usable by its connections and flows, invisible to other orgs, kept in a state file.
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
from flask.testing import FlaskClient

from mock_flowservice import MockConfig, create_app

from .support import BASE_PATH, DYNAMICS_SPEC_ID, HEADERS
from .test_target_connections import target_body

DATALAKE = "c604ff05-7f1a-43c0-8e18-33bf874cb11c"
PROVIDER = "0ed90a81-07f4-4586-8190-b40eccef1c5a"
OTHER_ORG = {**HEADERS, "x-gw-ims-org-id": "0000000000000000000000AA@AdobeOrg"}
OTHER_SANDBOX = {**HEADERS, "x-sandbox-name": "dev"}


def connection_spec_body(name: str = "acme-crm") -> dict[str, Any]:
    """A generic REST source with basic auth, as the Sources SDK pages build one."""
    return {
        "name": name,
        "providerId": PROVIDER,
        "version": "1.0",
        "type": "generic-rest",
        "attributes": {"category": "CRM", "isSource": True},
        "authSpec": [
            {
                "name": "Basic Authentication",
                "type": "BasicAuthentication",
                "spec": {
                    "$schema": "http://json-schema.org/draft-07/schema#",
                    "type": "object",
                    "properties": {
                        "username": {"type": "string"},
                        "password": {"type": "string", "format": "password"},
                    },
                    "required": ["username", "password"],
                },
            }
        ],
        "sourceSpec": {"spec": {"type": "object", "properties": {}}},
    }


def flow_spec_body(source_spec_id: str, name: str = "AcmeToAEP") -> dict[str, Any]:
    return {
        "name": name,
        "providerId": PROVIDER,
        "version": "1.0",
        "sourceConnectionSpecIds": [source_spec_id],
        "targetConnectionSpecIds": [DATALAKE],
        "transformationSpecDTOS": [
            {"name": "Mapping", "spec": {"type": "object", "properties": {}}},
        ],
        "scheduleSpec": {
            "name": "PeriodicSchedule",
            "type": "Periodic",
            "spec": {"type": "object"},
        },
    }


def _post(client: FlaskClient, path: str, body: Any, headers: dict[str, str] = HEADERS) -> Any:
    response = client.post(BASE_PATH + path, json=body, headers=headers)
    assert response.status_code == 201, response.json
    return response.json


def _error(response: Any, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.json
    body: dict[str, Any] = response.json
    assert str(body["type"]).rsplit("/", 1)[1] == code, body
    return body


def test_created_spec_answers_bare_with_audit_fields_and_reads_back_wrapped(
    client: FlaskClient,
) -> None:
    created = _post(client, "/connectionSpecs", connection_spec_body())
    assert "items" not in created
    assert created["name"] == "acme-crm"
    assert created["providerId"] == PROVIDER
    assert created["imsOrgId"] == HEADERS["x-gw-ims-org-id"]
    assert created["sandboxName"] == HEADERS["x-sandbox-name"]
    assert created["createdAt"] == created["updatedAt"]
    got = client.get(f"{BASE_PATH}/connectionSpecs/{created['id']}", headers=HEADERS).json
    assert got == {"items": [created]}


def test_authored_specs_are_listed_after_the_catalog_and_filter_by_name(
    client: FlaskClient,
) -> None:
    created = _post(client, "/connectionSpecs", connection_spec_body("acme-listed"))
    items = client.get(BASE_PATH + "/connectionSpecs", headers=HEADERS).json["items"]
    assert items[-1]["id"] == created["id"]
    assert any(item["id"] == DYNAMICS_SPEC_ID for item in items[:-1])
    found = client.get(
        BASE_PATH + '/connectionSpecs?property=name=="acme-listed"', headers=HEADERS
    ).json["items"]
    assert [item["id"] for item in found] == [created["id"]]


def test_spec_belongs_to_its_org_and_every_sandbox_of_it(client: FlaskClient) -> None:
    created = _post(client, "/connectionSpecs", connection_spec_body())
    path = f"{BASE_PATH}/connectionSpecs/{created['id']}"
    in_dev = client.get(path, headers=OTHER_SANDBOX).json["items"][0]
    assert in_dev["sandboxName"] == HEADERS["x-sandbox-name"]  # where it was made
    body = _error(client.get(path, headers=OTHER_ORG), 404, "FLOW-1439-404")
    assert (body["report"]["id"], body["report"]["type"]) == (created["id"], "connectionSpecs")
    listed = client.get(BASE_PATH + "/connectionSpecs", headers=OTHER_ORG).json["items"]
    assert created["id"] not in {item["id"] for item in listed}


def test_connections_of_an_authored_spec_are_validated_and_masked(client: FlaskClient) -> None:
    spec_id = _post(client, "/connectionSpecs", connection_spec_body())["id"]
    body = {
        "name": "acme",
        "auth": {
            "specName": "Basic Authentication",
            "params": {"username": "ann", "password": "canary-pw-7"},
        },
        "connectionSpec": {"id": spec_id, "version": "1.0"},
    }
    connection = _post(client, "/connections", body)
    read = client.get(f"{BASE_PATH}/connections/{connection['id']}", headers=HEADERS)
    assert read.json["items"][0]["auth"]["params"]["username"] == "ann"
    assert "canary-pw-7" not in read.get_data(as_text=True)
    missing = copy.deepcopy(body)
    del missing["auth"]["params"]["password"]
    refused = client.post(BASE_PATH + "/connections", json=missing, headers=HEADERS)
    assert refused.status_code == 400
    other_org = client.post(BASE_PATH + "/connections", json=body, headers=OTHER_ORG)
    assert other_org.status_code == 400
    assert other_org.json["type"] != refused.json["type"]  # unknown spec, not bad params


@pytest.mark.parametrize(
    ("change", "code"),
    [
        (lambda b: b.pop("name"), "FLOW-1304-400"),
        (lambda b: b.pop("providerId"), "FLOW-1304-400"),
        (lambda b: b.update(name="  "), "FLOW-1304-400"),
        (lambda b: b.update(colour="blue"), "FLOW-1100-400"),
        (lambda b: b.update(authSpec={"name": "x"}), "FLOW-1100-400"),
        (lambda b: b["authSpec"][0].update(spec={"type": 5}), "FLOW-1100-400"),
        (lambda b: b["authSpec"][0].pop("name"), "FLOW-1304-400"),
        (lambda b: b["authSpec"].append(copy.deepcopy(b["authSpec"][0])), "FLOW-1100-400"),
        (lambda b: b.update(sourceSpec={"spec": []}), "FLOW-1100-400"),
        (lambda b: b.update(version=1), "FLOW-1100-400"),
    ],
)
def test_bad_connection_specs_are_refused_and_nothing_is_stored(
    client: FlaskClient, change: Any, code: str
) -> None:
    body = connection_spec_body("refused-spec")
    change(body)
    _error(client.post(BASE_PATH + "/connectionSpecs", json=body, headers=HEADERS), 400, code)
    listed = client.get(BASE_PATH + "/connectionSpecs", headers=HEADERS).json["items"]
    assert all(item.get("sandboxName") is None for item in listed)


def test_a_body_that_is_not_an_object_is_refused(client: FlaskClient) -> None:
    for path in ("/connectionSpecs", "/flowSpecs"):
        response = client.post(BASE_PATH + path, json=["name"], headers=HEADERS)
        _error(response, 400, "FLOW-1100-400")


def test_put_replaces_the_whole_spec_and_keeps_identity(client: FlaskClient) -> None:
    created = _post(client, "/connectionSpecs", connection_spec_body())
    path = f"{BASE_PATH}/connectionSpecs/{created['id']}"
    replacement = {**created, "name": "acme-crm-v2", "attributes": {"category": "CRM"}}
    del replacement["sourceSpec"]
    response = client.put(path, json=replacement, headers=OTHER_SANDBOX)
    assert response.status_code == 200, response.json
    updated = response.json
    assert "items" not in updated
    assert (updated["id"], updated["createdAt"]) == (created["id"], created["createdAt"])
    assert updated["name"] == "acme-crm-v2"
    assert "sourceSpec" not in updated  # a full replacement, not a merge
    assert updated["sandboxName"] == created["sandboxName"]
    assert client.get(path, headers=HEADERS).json["items"] == [updated]


def test_put_refusals_built_in_unknown_stale_and_foreign(client: FlaskClient) -> None:
    body = connection_spec_body()
    builtin = client.put(
        f"{BASE_PATH}/connectionSpecs/{DYNAMICS_SPEC_ID}", json=body, headers=HEADERS
    )
    assert (
        "provided by Adobe" in _error(builtin, 400, "FLOW-1100-400")["report"]["detailed-message"]
    )
    unknown = client.put(f"{BASE_PATH}/connectionSpecs/nope", json=body, headers=HEADERS)
    _error(unknown, 404, "FLOW-1439-404")
    created = _post(client, "/connectionSpecs", body)
    path = f"{BASE_PATH}/connectionSpecs/{created['id']}"
    _error(client.put(path, json=body, headers=OTHER_ORG), 404, "FLOW-1439-404")
    stale = client.put(path, json=body, headers={**HEADERS, "If-Match": '"stale"'})
    _error(stale, 412, "FLOW-1404-412")
    assert client.get(path, headers=HEADERS).json["items"][0] == created


def test_flow_specs_authored_drive_a_whole_pipeline(client: FlaskClient) -> None:
    spec_id = _post(client, "/connectionSpecs", connection_spec_body())["id"]
    flow_spec = _post(client, "/flowSpecs", flow_spec_body(spec_id))
    assert [t["name"] for t in flow_spec["transformationSpecs"]] == ["Mapping"]
    assert "transformationSpecDTOS" not in flow_spec
    found = client.get(
        BASE_PATH + '/flowSpecs?property=name=="AcmeToAEP"', headers=OTHER_SANDBOX
    ).json["items"]
    assert [spec["id"] for spec in found] == [flow_spec["id"]]
    base = _post(
        client,
        "/connections",
        {
            "name": "acme",
            "auth": {
                "specName": "Basic Authentication",
                "params": {"username": "a", "password": "b"},
            },
            "connectionSpec": {"id": spec_id, "version": "1.0"},
        },
    )["id"]
    source = _post(
        client,
        "/sourceConnections",
        {
            "name": "acme source",
            "baseConnectionId": base,
            "data": {"format": "json"},
            "connectionSpec": {"id": spec_id, "version": "1.0"},
        },
    )["id"]
    target = _post(client, "/targetConnections", target_body())["id"]
    flow = {
        "name": "acme flow",
        "flowSpec": {"id": flow_spec["id"], "version": "1.0"},
        "sourceConnectionIds": [source],
        "targetConnectionIds": [target],
        "transformations": [
            {"name": "Mapping", "params": {"mappingId": "m1", "mappingVersion": 0}}
        ],
        "scheduleParams": {"startTime": "4102444800", "frequency": "hour", "interval": "1"},
    }
    created = _post(client, "/flows", flow)
    read = client.get(f"{BASE_PATH}/flows/{created['id']}", headers=HEADERS).json["items"][0]
    assert read["flowSpec"]["id"] == flow_spec["id"]
    refused = client.post(BASE_PATH + "/flows", json=flow, headers=OTHER_ORG)
    _error(refused, 400, "FLOW-1413-400")  # the other org has no such flow spec


@pytest.mark.parametrize(
    ("change", "code"),
    [
        (lambda b: b.update(sourceConnectionSpecIds=["not-a-spec"]), "FLOW-1413-400"),
        (lambda b: b.update(targetConnectionSpecIds=[7]), "FLOW-1100-400"),
        (lambda b: b["transformationSpecDTOS"][0].update(spec={"type": "nope"}), "FLOW-1100-400"),
        (lambda b: b["scheduleSpec"].update(spec="schema"), "FLOW-1100-400"),
        (lambda b: b.update(runSpec={"name": "ProviderParams"}), "FLOW-1100-400"),
        (lambda b: b.pop("providerId"), "FLOW-1304-400"),
    ],
)
def test_bad_flow_specs_are_refused(client: FlaskClient, change: Any, code: str) -> None:
    body = flow_spec_body(DYNAMICS_SPEC_ID, name="RefusedFlowSpec")
    change(body)
    _error(client.post(BASE_PATH + "/flowSpecs", json=body, headers=HEADERS), 400, code)
    found = client.get(BASE_PATH + '/flowSpecs?property=name=="RefusedFlowSpec"', headers=HEADERS)
    assert found.json["items"] == []


def test_flow_spec_put_and_its_refusals(client: FlaskClient) -> None:
    created = _post(client, "/flowSpecs", flow_spec_body(DYNAMICS_SPEC_ID))
    path = f"{BASE_PATH}/flowSpecs/{created['id']}"
    updated = client.put(path, json={**created, "name": "AcmeToAEPv2"}, headers=HEADERS)
    assert updated.status_code == 200, updated.json
    assert client.get(path, headers=HEADERS).json["items"] == [updated.json]
    crm = f"{BASE_PATH}/flowSpecs/14518937-270c-4525-bdec-c2ba7cce3860"
    _error(client.put(crm, json=created, headers=HEADERS), 400, "FLOW-1100-400")
    _error(client.put(path, json=created, headers=OTHER_ORG), 404, "FLOW-1439-404")


def test_authored_specs_survive_a_restart_with_a_state_file(tmp_path: Path) -> None:
    config = MockConfig(state_path=str(tmp_path / "state.sqlite"))
    first = create_app(config).test_client()
    spec = _post(first, "/connectionSpecs", connection_spec_body())
    flow_spec = _post(first, "/flowSpecs", flow_spec_body(spec["id"]))
    second = create_app(config).test_client()
    got = second.get(f"{BASE_PATH}/connectionSpecs/{spec['id']}", headers=HEADERS)
    assert got.json["items"] == [spec]
    flows = second.get(f"{BASE_PATH}/flowSpecs/{flow_spec['id']}", headers=HEADERS)
    assert flows.json["items"] == [flow_spec]
