"""Connection specs, explore and test views, drafts and publish (FACTS A.2, E.3, F)."""

from __future__ import annotations

from urllib.parse import quote

import pytest
from flask.testing import FlaskClient

from .support import BASE_PATH, DYNAMICS_SPEC_ID, HEADERS, dynamics_basic_body

SPECS = BASE_PATH + "/connectionSpecs"
CONNECTIONS = BASE_PATH + "/connections"


def test_list_and_filter_specs(client: FlaskClient) -> None:
    everything = client.get(SPECS, headers=HEADERS).json["items"]
    assert len(everything) == 47  # 46 sources and the Data Lake target
    assert all("_provenance" not in spec for spec in everything)
    by_name = client.get(f'{SPECS}?property=name=="dynamics-online"', headers=HEADERS).json
    assert [s["id"] for s in by_name["items"]] == [DYNAMICS_SPEC_ID]
    by_id = client.get(f"{SPECS}?property=id=={DYNAMICS_SPEC_ID}", headers=HEADERS).json
    assert [s["name"] for s in by_id["items"]] == ["dynamics-online"]
    bad = client.get(f"{SPECS}?limit=2", headers=HEADERS)
    assert bad.json["type"].endswith("FLOW-1451-400")


def test_retrieve_dynamics_spec(client: FlaskClient) -> None:
    body = client.get(f"{SPECS}/{DYNAMICS_SPEC_ID}", headers=HEADERS).json
    (spec,) = body["items"]
    basic, principal = spec["authSpec"]
    assert basic["name"] == "Basic Authentication for Dynamics-Online"
    assert basic["type"] == "BasicAuthentication"
    assert basic["spec"]["required"] == ["username", "password", "serviceUri"]
    assert basic["spec"]["properties"]["password"]["format"] == "password"
    assert principal["name"] == "Service Principal Key Based Authentication"
    assert principal["spec"]["properties"]["servicePrincipalKey"]["format"] == "password"
    missing = client.get(f"{SPECS}/00000000-0000-0000-0000-000000000000", headers=HEADERS)
    assert missing.status_code == 404
    assert missing.json["report"]["type"] == "connectionSpecs"


def _dynamics(client: FlaskClient) -> str:
    return str(client.post(CONNECTIONS, json=dynamics_basic_body(), headers=HEADERS).json["id"])


def test_explore_dynamics(client: FlaskClient) -> None:
    url = f"{CONNECTIONS}/{_dynamics(client)}/explore"
    root = client.get(f"{url}?objectType=root", headers=HEADERS).json
    assert isinstance(root, list)
    account = next(item for item in root if item["path"] == "account")
    assert (account["type"], account["name"]) == ("table", "Account")
    table = client.get(f"{url}?objectType=table&object=account", headers=HEADERS).json
    assert table["format"] == "flat"
    assert {c["name"] for c in table["schema"]["columns"]} >= {"accountid", "name"}
    preview = client.get(
        f"{url}?objectType=table&object=contact&preview=true&previewCount=3", headers=HEADERS
    ).json
    assert len(preview["data"]) == 3
    missing = client.get(f"{url}?objectType=table", headers=HEADERS)
    assert missing.json["type"].endswith("FLOW-1337-400")
    wrong = client.get(f"{url}?objectType=galaxy", headers=HEADERS)
    assert wrong.json["type"].endswith("FLOW-1358-400")


def test_explore_unknown_connection_and_spec_level_explore(client: FlaskClient) -> None:
    assert client.get(f"{CONNECTIONS}/nope/explore", headers=HEADERS).status_code == 404
    dlz = "26f526f2-58f4-4712-961d-e41bf1ccc0e8"
    root = client.get(f"{SPECS}/{dlz}/explore?objectType=root", headers=HEADERS)
    assert root.status_code == 200
    assert {item["type"] for item in root.json} <= {"file", "folder"}


def test_configs(client: FlaskClient) -> None:
    s3 = "ecadc60c-7455-4d87-84dc-2a0e293d997b"
    iam = client.get(f"{SPECS}/{s3}/configs?authType=IamBasedAuthentication", headers=HEADERS)
    assert "IAMRole" in iam.json["configParams"]
    other = client.get(f"{SPECS}/{DYNAMICS_SPEC_ID}/configs", headers=HEADERS)
    assert other.json == {"configParams": {}}
    connection_id = _dynamics(client)
    configs = client.get(f"{CONNECTIONS}/{connection_id}/configs", headers=HEADERS)
    assert configs.status_code == 200


@pytest.mark.parametrize("op", ["publish", "PUBLISH"])
def test_draft_then_publish(client: FlaskClient, op: str) -> None:
    created = client.post(f"{CONNECTIONS}?mode=draft", json=dynamics_basic_body(), headers=HEADERS)
    assert created.status_code == 201
    connection_id = created.json["id"]
    item = client.get(f"{CONNECTIONS}/{connection_id}", headers=HEADERS).json["items"][0]
    assert item["state"] == "draft"
    published = client.post(f"{CONNECTIONS}/{connection_id}/action?op={quote(op)}", headers=HEADERS)
    assert published.status_code == 200
    assert published.json["etag"] != created.json["etag"]
    item = client.get(f"{CONNECTIONS}/{connection_id}", headers=HEADERS).json["items"][0]
    assert item["state"] == "enabled"
    again = client.post(f"{CONNECTIONS}/{connection_id}/action?op=publish", headers=HEADERS)
    assert again.json["type"].endswith("FLOW-1409-400")
    unknown = client.post(f"{CONNECTIONS}/{connection_id}/action?op=explode", headers=HEADERS)
    assert unknown.json["type"].endswith("FLOW-1451-400")
