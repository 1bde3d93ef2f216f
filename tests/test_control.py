"""The control API under /__mock__: reset, seed, state, journal, test results, enablement."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from flask.testing import FlaskClient

from mock_flowservice import create_app, of_app

from .support import (
    BASE_PATH,
    DYNAMICS_BASIC,
    DYNAMICS_SPEC_ID,
    HEADERS,
    ORG,
    dynamics_basic_body,
    dynamics_sp_body,
)

LIST = BASE_PATH + "/connections"
SEED_ID = "0f1e2d3c-4b5a-4968-8776-655443322110"


def _create(client: FlaskClient, body: dict[str, Any] | None = None) -> dict[str, Any]:
    response = client.post(LIST, json=body or dynamics_basic_body(), headers=HEADERS)
    assert response.status_code == 201
    return dict(response.json)


def _seed_object(**changes: Any) -> dict[str, Any]:
    """A connection object as GET shows it, with a real secret and its tenant."""
    obj: dict[str, Any] = {
        "id": SEED_ID,
        "createdAt": 1597973312000,
        "updatedAt": 1597973313000,
        "createdBy": "seeder@AdobeID",
        "createdClient": "seeder",
        "imsOrgId": ORG,
        "sandboxName": "prod",
        "name": "Seeded Dynamics",
        "description": "from a seed",
        "connectionSpec": {"id": DYNAMICS_SPEC_ID, "version": "1.0"},
        "state": "enabled",
        "auth": {
            "specName": DYNAMICS_BASIC,
            "params": {
                "serviceUri": "https://seed.crm.dynamics.com",
                "username": "seed@contoso.example",
                "password": "seed-password",
            },
        },
        "etag": '"1400dd53-0000-0200-0000-5f3f23450000"',
        "version": '"1400dd53-0000-0200-0000-5f3f23450000"',
        "lastOperation": {"started": 0, "updated": 0, "operation": "create"},
    }
    obj.update(changes)
    return obj


# -- reset ---------------------------------------------------------------------------------


def test_reset_forgets_connections_and_tokens_but_keeps_the_journal(client: FlaskClient) -> None:
    created = _create(client)
    token = client.post(
        "/ims/token/v3",
        data={"grant_type": "client_credentials", "client_id": "c", "client_secret": "s"}
        | {"scope": "openid"},
    ).json["access_token"]
    assert of_app(client.application).store.token(token) is not None
    assert client.post("/__mock__/reset").json == {"status": "reset"}
    assert client.get(f"{LIST}/{created['id']}", headers=HEADERS).status_code == 404
    assert of_app(client.application).store.token(token) is None
    paths = [entry["path"] for entry in client.get("/__mock__/journal").json["items"]]
    assert f"{LIST}/{created['id']}" in paths
    assert LIST in paths


# -- seed ----------------------------------------------------------------------------------


def test_seed_loads_connections_as_given(client: FlaskClient) -> None:
    second = _seed_object(id=None, name="Second", sandboxName=None, etag=None, version=None)
    response = client.post("/__mock__/seed", json={"connections": [_seed_object(), second]})
    assert response.status_code == 200
    assert response.json == {"loaded": 2}
    got = client.get(f"{LIST}/{SEED_ID}", headers=HEADERS).json["items"][0]
    assert got["createdAt"] == 1597973312000
    assert got["updatedAt"] == 1597973313000
    assert got["createdBy"] == "seeder@AdobeID"
    assert got["updatedBy"] == "mock-seed@AdobeID"
    assert got["etag"] == got["version"] == '"1400dd53-0000-0200-0000-5f3f23450000"'
    assert got["auth"]["params"]["password"] == "********"
    listed = client.get(LIST, headers=HEADERS).json["items"]
    assert [c["name"] for c in listed] == ["Seeded Dynamics", "Second"]
    assert listed[1]["id"] != SEED_ID
    assert listed[1]["etag"].startswith('"')


def test_seeded_secret_is_the_one_the_connection_keeps(client: FlaskClient) -> None:
    client.post("/__mock__/seed", json={"connections": [_seed_object()]})
    stored = of_app(client.application).store.get("connections", of_app_tenant(), SEED_ID)
    assert stored is not None
    assert stored.params["password"] == "seed-password"
    patched = client.patch(
        f"{LIST}/{SEED_ID}",
        json=[{"op": "replace", "path": "/name", "value": "Renamed"}],
        headers={**HEADERS, "If-Match": '"1400dd53-0000-0200-0000-5f3f23450000"'},
    )
    assert patched.status_code == 200


def of_app_tenant() -> Any:
    from mock_flowservice.model import Tenant

    return Tenant(ORG, "prod")


def test_seed_keeps_the_tenant() -> None:
    client = create_app().test_client()
    other = _seed_object(imsOrgId="OTHER@AdobeOrg", sandboxName="dev")
    assert client.post("/__mock__/seed", json={"connections": [other]}).status_code == 200
    assert client.get(f"{LIST}/{SEED_ID}", headers=HEADERS).status_code == 404
    dev = {**HEADERS, "x-gw-ims-org-id": "OTHER@AdobeOrg", "x-sandbox-name": "dev"}
    assert client.get(f"{LIST}/{SEED_ID}", headers=dev).status_code == 200


@pytest.mark.parametrize(
    ("bad", "code"),
    [
        ({"imsOrgId": None}, "1304-400"),
        ({"auth": {"specName": "nope", "params": {}}}, "1415-400"),
        ({"connectionSpec": {"id": "not-a-spec"}}, "1413-400"),
        ({"name": None}, "1304-400"),
        ({"id": "has/slash"}, "1100-400"),
        ({"createdAt": "yesterday"}, "1100-400"),
        ({"etag": 5}, "1100-400"),
        ({"auth": {"specName": DYNAMICS_BASIC, "params": {"username": "u"}}}, "1304-400"),
    ],
)
def test_seed_is_all_or_nothing(client: FlaskClient, bad: dict[str, Any], code: str) -> None:
    good = _seed_object(id=None)
    response = client.post("/__mock__/seed", json={"connections": [good, _seed_object(**bad)]})
    assert response.status_code == 400
    assert response.json["type"].endswith("FLOW-" + code)
    assert response.json["report"]["index"] == 1
    assert "seed-password" not in response.get_data(as_text=True)
    assert client.get(LIST, headers=HEADERS).json["items"] == []


@pytest.mark.parametrize("document", [[], {}, {"connections": {}}, {"connections": [1]}, "x"])
def test_seed_refuses_a_malformed_document(client: FlaskClient, document: Any) -> None:
    response = client.post("/__mock__/seed", json=document)
    assert response.status_code == 400
    assert response.json["type"].endswith("FLOW-1100-400")


def test_seed_refuses_duplicate_ids(client: FlaskClient) -> None:
    twice = {"connections": [_seed_object(), _seed_object()]}
    assert client.post("/__mock__/seed", json=twice).status_code == 400
    assert client.post("/__mock__/seed", json={"connections": [_seed_object()]}).status_code == 200
    again = client.post("/__mock__/seed", json={"connections": [_seed_object()]})
    assert again.status_code == 400
    assert again.json["report"]["index"] == 0


def test_seed_with_an_empty_body(client: FlaskClient) -> None:
    assert client.post("/__mock__/seed").json["type"].endswith("FLOW-1405-400")


# -- state ---------------------------------------------------------------------------------


def test_state_exports_every_tenant_with_secrets_masked(client: FlaskClient) -> None:
    _create(client, dynamics_basic_body(password="very-secret-1"))
    _create(client, dynamics_sp_body(key="very-secret-2"))
    client.post("/__mock__/seed", json={"connections": [_seed_object(imsOrgId="B@AdobeOrg")]})
    exported = client.get("/__mock__/state")
    assert exported.status_code == 200
    assert "very-secret" not in exported.get_data(as_text=True)
    assert "seed-password" not in exported.get_data(as_text=True)
    connections = exported.json["connections"]
    assert [c["imsOrgId"] for c in connections] == [ORG, ORG, "B@AdobeOrg"]
    assert connections[1]["auth"]["params"]["servicePrincipalKey"] == "********"


def test_exported_state_seeds_a_new_mock(client: FlaskClient) -> None:
    _create(client)
    _create(client, dynamics_sp_body())
    exported = client.get("/__mock__/state").json
    fresh = create_app().test_client()
    assert fresh.post("/__mock__/seed", json=exported).json == {"loaded": 2}
    assert fresh.get("/__mock__/state").json == exported


# -- journal ---------------------------------------------------------------------------------


def test_journal_entry_fields(client: FlaskClient) -> None:
    headers = {**HEADERS, "x-request-id": "trace-123"}
    client.get(LIST + "?limit=5&property=name==x", headers=headers)
    (entry,) = client.get("/__mock__/journal").json["items"]
    assert entry["method"] == "GET"
    assert entry["path"] == LIST
    assert entry["query"] == {"limit": ["5"], "property": ["name==x"]}
    assert entry["status"] == 200
    assert entry["requestId"] == "trace-123"
    assert entry["durationMs"] >= 0
    assert entry["time"].endswith("Z")
    assert entry["headers"]["Authorization"] == "Bearer ***"
    assert entry["headers"]["X-Api-Key"] == "test-client"
    assert entry["body"] is None
    assert "fault" not in entry


def test_journal_request_id_is_the_one_answered(client: FlaskClient) -> None:
    response = client.get(LIST + "/nope", headers=HEADERS)
    (entry,) = client.get("/__mock__/journal").json["items"]
    assert entry["requestId"] == response.headers["x-request-id"]
    assert entry["requestId"] == response.json["report"]["request-id"]
    assert entry["status"] == 404


def test_journal_masks_secrets_in_bodies_headers_and_query(client: FlaskClient) -> None:
    created = _create(client, dynamics_basic_body(password="p-one"))
    client.patch(
        f"{LIST}/{created['id']}",
        json=[
            {"op": "replace", "path": "/auth/params/password", "value": "p-two"},
            {"op": "replace", "path": "/auth/params/username", "value": "new-user"},
        ],
        headers={**HEADERS, "If-Match": created["etag"], "X-Client-Secret": "hdr-secret"},
    )
    client.post("/ims/token/v3?client_secret=p-three&client_id=me")
    text = client.get("/__mock__/journal").get_data(as_text=True)
    for secret in ("p-one", "p-two", "p-three", "test-token", "hdr-secret"):
        assert secret not in text
    create, patch, ims = client.get("/__mock__/journal").json["items"]
    assert create["body"]["auth"]["params"] == {
        "serviceUri": "https://contoso.crm.dynamics.com",
        "username": "ops@contoso.example",
        "password": "********",
    }
    assert [op["value"] for op in patch["body"]] == ["********", "new-user"]
    assert patch["headers"]["If-Match"] == created["etag"]
    assert patch["headers"]["X-Client-Secret"] == "***"
    assert ims["query"] == {"client_secret": ["********"], "client_id": ["me"]}


def test_journal_never_records_an_ims_form(client: FlaskClient) -> None:
    form = {"grant_type": "client_credentials", "client_id": "c", "client_secret": "form-secret"}
    client.post("/ims/token/v3", data=form | {"scope": "openid"})
    (entry,) = client.get("/__mock__/journal").json["items"]
    assert entry["body"] is None
    assert entry["bodySize"] > 0
    assert "form-secret" not in str(entry)


@pytest.mark.parametrize(
    ("declared", "body_size", "code"),
    [("7", 7, "FLOW-1304-400"), (" 7 ", 7, "FLOW-1304-400"), ("abc", 0, "FLOW-1405-400"),
     ("+7", 0, "FLOW-1405-400")],
)  # fmt: skip
def test_journal_reads_content_length_as_werkzeug_does(
    client: FlaskClient, declared: str, body_size: int, code: str
) -> None:
    """The journal reads the request from the environ, and agrees with what the view read:
    a length werkzeug does not take leaves the body unread (1405: no body)."""
    answer = client.post(
        LIST,
        data=b'{"a":1}',
        headers=HEADERS,
        environ_overrides={"CONTENT_LENGTH": declared, "CONTENT_TYPE": "Application/JSON; x=1"},
    )
    assert answer.json["type"].endswith(code)
    (entry,) = client.get("/__mock__/journal").json["items"]
    assert entry["bodySize"] == body_size
    assert entry["body"] == ({"a": 1} if body_size else None)
    assert entry["headers"]["Content-Type"] == "Application/JSON; x=1"
    assert entry["response"] == answer.json


def test_journal_filters(client: FlaskClient) -> None:
    created = _create(client)
    client.get(f"{LIST}/{created['id']}", headers=HEADERS)
    client.get(f"{LIST}/missing", headers=HEADERS)
    client.delete(f"{LIST}/{created['id']}", headers=HEADERS)

    def statuses(query: str) -> list[int]:
        response = client.get("/__mock__/journal" + query)
        assert response.status_code == 200
        return [entry["status"] for entry in response.json["items"]]

    assert statuses("") == [201, 200, 404, 204]
    assert statuses("?method=get") == [200, 404]
    assert statuses("?status=404") == [404]
    assert statuses("?status=2xx") == [201, 200, 204]
    assert statuses("?limit=2") == [404, 204]
    assert statuses("?limit=0") == []
    assert statuses("?path=*/missing") == [404]
    assert statuses("?path=*/connections") == [201]
    assert statuses("?path=*/connections/????????-*") == [200, 204]
    assert statuses("?method=*&status=2xx&limit=1") == [204]


@pytest.mark.parametrize(
    "query",
    ["?status=abc", "?status=600", "?limit=-1", "?path=^(", "?path=^.*$", "?limit=x"],
)
def test_journal_refuses_bad_filters(client: FlaskClient, query: str) -> None:
    response = client.get("/__mock__/journal" + query)
    assert response.status_code == 400
    assert response.json["type"].endswith("FLOW-1100-400")


def test_journal_is_bounded_and_skips_control_requests() -> None:
    client = create_app({"journal_size": 3}).test_client()
    for index in range(5):
        client.get(f"{LIST}/id-{index}", headers=HEADERS)
    client.get("/__mock__/state")
    client.get("/__mock__/health")
    paths = [entry["path"] for entry in client.get("/__mock__/journal").json["items"]]
    assert paths == [f"{LIST}/id-2", f"{LIST}/id-3", f"{LIST}/id-4"]


def test_clearing_the_journal_keeps_the_data(client: FlaskClient) -> None:
    created = _create(client)
    assert client.delete("/__mock__/journal").status_code == 204
    assert client.get("/__mock__/journal").json == {"items": []}
    assert client.get(f"{LIST}/{created['id']}", headers=HEADERS).status_code == 200


def test_journal_records_bad_bodies_without_their_content(client: FlaskClient) -> None:
    half = b'{"auth": {"params": {"password": "half-sent'
    client.post(LIST, data=half, headers=HEADERS)
    client.post(LIST, data=b"\xff\xfe{\x00}\x00", headers=HEADERS)
    entries = client.get("/__mock__/journal").json["items"]
    assert [entry["status"] for entry in entries] == [400, 400]
    assert [entry["body"] for entry in entries] == [None, None]
    assert entries[0]["bodySize"] == len(half)
    assert "half-sent" not in str(entries)


# -- connection test results ------------------------------------------------------------------


def test_forcing_a_failed_connection_test(client: FlaskClient) -> None:
    created = _create(client)
    test_path = f"{LIST}/{created['id']}/test"
    assert client.get(test_path, headers=HEADERS).json == {"result": True}
    forced = client.post(
        f"/__mock__/connections/{created['id']}/test-result", json={"result": False}
    )
    assert forced.json == {"id": created["id"], "result": False}
    assert client.get(test_path, headers=HEADERS).json == {"result": False}
    got = client.get(f"{LIST}/{created['id']}", headers=HEADERS).json["items"][0]
    assert got["etag"] == created["etag"]
    client.post(f"/__mock__/connections/{created['id']}/test-result", json={"result": True})
    assert client.get(test_path, headers=HEADERS).json == {"result": True}


def test_test_result_finds_a_connection_of_any_tenant(client: FlaskClient) -> None:
    seeded = _seed_object(imsOrgId="ELSEWHERE@AdobeOrg")
    client.post("/__mock__/seed", json={"connections": [seeded]})
    response = client.post(f"/__mock__/connections/{SEED_ID}/test-result", json={"result": False})
    assert response.status_code == 200
    other = {**HEADERS, "x-gw-ims-org-id": "ELSEWHERE@AdobeOrg"}
    assert client.get(f"{LIST}/{SEED_ID}/test", headers=other).json == {"result": False}


@pytest.mark.parametrize(("body", "status"), [({"result": "no"}, 400), ([], 400), (None, 400)])
def test_test_result_needs_a_boolean(client: FlaskClient, body: Any, status: int) -> None:
    created = _create(client)
    path = f"/__mock__/connections/{created['id']}/test-result"
    response = client.post(path, json=body) if body is not None else client.post(path)
    assert response.status_code == status


def test_test_result_of_an_unknown_connection(client: FlaskClient) -> None:
    response = client.post("/__mock__/connections/nope/test-result", json={"result": False})
    assert response.status_code == 404
    assert response.json["type"].endswith("FLOW-1439-404")


# -- enablement ----------------------------------------------------------------------------

CONTROL_REQUESTS = [
    ("POST", "/__mock__/reset"),
    ("POST", "/__mock__/seed"),
    ("GET", "/__mock__/state"),
    ("GET", "/__mock__/journal"),
    ("DELETE", "/__mock__/journal"),
    ("GET", "/__mock__/faults"),
    ("POST", "/__mock__/faults"),
    ("DELETE", "/__mock__/faults"),
    ("DELETE", "/__mock__/faults/x"),
    ("POST", "/__mock__/connections/x/test-result"),
]


@pytest.mark.parametrize(("method", "path"), CONTROL_REQUESTS)
def test_control_api_off_answers_not_found(method: str, path: str) -> None:
    client = create_app({"control_api": "off"}).test_client()
    for verb in (method, "GET", "PUT"):
        response = client.open(path, method=verb, json={})
        assert response.status_code == 404
        assert response.json == {"error_code": "404000", "message": "Resource not found"}
    assert client.get("/__mock__/health").status_code == 200
    assert client.get("/__mock__/ready").status_code == 200


@pytest.mark.parametrize("policy", ["on", "auto"])
def test_control_api_on_and_auto_are_open(policy: str) -> None:
    client = create_app({"control_api": policy}).test_client()
    assert client.get("/__mock__/state").json == {"connections": []}


def test_control_token_is_required_when_set() -> None:
    client = create_app({"control_token": "let-me-in"}).test_client()
    for headers in ({}, {"Authorization": "Bearer wrong"}, {"Authorization": "let-me-in"}):
        refused = client.get("/__mock__/state", headers=headers)
        assert refused.status_code == 401
        assert refused.json == {"error_code": "401013", "message": "Oauth token is not valid"}
    good = {"Authorization": "Bearer let-me-in"}
    assert client.get("/__mock__/state", headers=good).status_code == 200
    assert client.post("/__mock__/reset", headers=good).status_code == 200
    assert client.get("/__mock__/health").status_code == 200


def test_control_routes_skip_the_gateway(client: FlaskClient) -> None:
    before = copy.deepcopy(client.get("/__mock__/state").json)
    assert before == {"connections": []}
    assert client.get("/__mock__/faults").json == {"items": []}
