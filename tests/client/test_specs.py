"""Connection-spec calls and ``create_dynamics_connection`` against stubbed HTTP."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
import responses
from flowservice_client import (
    DYNAMICS_BASIC_AUTH,
    DYNAMICS_SERVICE_PRINCIPAL_AUTH,
    DYNAMICS_SPEC_ID,
    ConnectionSpec,
    FlowServiceClient,
    NoResultError,
)
from responses import matchers

BASE = "https://platform.adobe.io/data/foundation/flowservice"
DYNAMICS = {
    "id": DYNAMICS_SPEC_ID,
    "name": "dynamics-online",
    "providerId": "0ed90a81-07f4-4586-8190-b40eccef1c5a",
    "version": "1.0",
    "authSpec": [
        {
            "name": DYNAMICS_BASIC_AUTH,
            "type": "BasicAuthentication",
            "spec": {
                "type": "object",
                "properties": {
                    "serviceUri": {"type": "string"},
                    "username": {"type": "string"},
                    "password": {"type": "string", "format": "password"},
                },
                "required": ["username", "password", "serviceUri"],
            },
        },
        {"name": DYNAMICS_SERVICE_PRINCIPAL_AUTH, "spec": {"type": "object"}},
    ],
    "attributes": {"category": "CRM", "isSource": True},
}


@pytest.fixture
def client() -> FlowServiceClient:
    return FlowServiceClient(access_token="t", api_key="k", org_id="o", retries=0)


@pytest.fixture
def rsps() -> Iterator[responses.RequestsMock]:
    with responses.RequestsMock() as mock:
        yield mock


def created(rsps: responses.RequestsMock) -> None:
    rsps.post(f"{BASE}/connections", status=201, json={"id": "c1", "etag": '"e1"'})


def test_list_connection_specs(client, rsps) -> None:
    rsps.get(
        f"{BASE}/connectionSpecs",
        json={"items": [DYNAMICS, {**DYNAMICS, "id": "other", "name": "x"}]},
        match=[matchers.query_param_matcher({"property": "attributes.category==CRM"})],
    )
    specs = client.list_connection_specs({"attributes.category": "CRM"})
    assert [s.id for s in specs] == [DYNAMICS_SPEC_ID, "other"]
    assert all(isinstance(s, ConnectionSpec) for s in specs)


def test_list_connection_specs_follows_pages(client, rsps) -> None:
    links = {"next": {"href": "/connectionSpecs?continuationToken=p2"}}
    rsps.get(f"{BASE}/connectionSpecs", json={"items": [DYNAMICS], "_links": links})
    rsps.get(
        f"{BASE}/connectionSpecs",
        json={"items": [{**DYNAMICS, "id": "second"}], "_links": {}},
        match=[matchers.query_param_matcher({"continuationToken": "p2"})],
    )
    assert [s.id for s in client.list_connection_specs()] == [DYNAMICS_SPEC_ID, "second"]


def test_retrieve_connection_spec_parses_auth_specs(client, rsps) -> None:
    rsps.get(f"{BASE}/connectionSpecs/{DYNAMICS_SPEC_ID}", json={"items": [DYNAMICS]})
    spec = client.retrieve_connection_spec(DYNAMICS_SPEC_ID)
    assert (spec.name, spec.provider_id, spec.version) == (
        "dynamics-online",
        "0ed90a81-07f4-4586-8190-b40eccef1c5a",
        "1.0",
    )
    basic = spec.auth_spec(DYNAMICS_BASIC_AUTH)
    assert basic.secret_params == ("password",)
    assert basic.required == ("username", "password", "serviceUri")
    assert basic.type == "BasicAuthentication"
    assert spec.auth_spec(DYNAMICS_SERVICE_PRINCIPAL_AUTH).required == ()
    assert spec.attributes["category"] == "CRM"
    with pytest.raises(KeyError):
        spec.auth_spec("nope")


def test_find_connection_spec_quotes_the_name(client, rsps) -> None:
    rsps.get(
        f"{BASE}/connectionSpecs",
        json={"items": [DYNAMICS]},
        match=[matchers.query_param_matcher({"property": 'name=="dynamics-online"'})],
    )
    assert client.find_connection_spec("dynamics-online").id == DYNAMICS_SPEC_ID


def test_find_connection_spec_without_match(client, rsps) -> None:
    rsps.get(f"{BASE}/connectionSpecs", json={"items": []})
    with pytest.raises(NoResultError, match="no connection spec named 'nope'"):
        client.find_connection_spec("nope")


def test_create_dynamics_basic(client, rsps) -> None:
    created(rsps)
    ref = client.create_dynamics_connection(
        "crm", service_uri="https://o.crm.dynamics.com", username="u", password="pw"
    )
    assert ref.id == "c1"
    body = json.loads(rsps.calls[0].request.body)
    assert body["connectionSpec"] == {"id": DYNAMICS_SPEC_ID, "version": "1.0"}
    assert body["auth"] == {
        "specName": DYNAMICS_BASIC_AUTH,
        "params": {"serviceUri": "https://o.crm.dynamics.com", "username": "u", "password": "pw"},
    }


def test_create_dynamics_service_principal(client, rsps) -> None:
    created(rsps)
    client.create_dynamics_connection(
        "crm",
        service_uri="https://o.crm.dynamics.com",
        service_principal_id="sp",
        service_principal_key="key",
        description="d",
    )
    body = json.loads(rsps.calls[0].request.body)
    assert body["description"] == "d"
    assert body["auth"] == {
        "specName": DYNAMICS_SERVICE_PRINCIPAL_AUTH,
        "params": {
            "serviceUri": "https://o.crm.dynamics.com",
            "servicePrincipalId": "sp",
            "servicePrincipalKey": "key",
        },
    }


@pytest.mark.parametrize(
    "kwargs",
    [
        {},
        {
            "username": "u",
            "password": "p",
            "service_principal_id": "i",
            "service_principal_key": "k",
        },
        {"username": "u"},
        {"service_principal_key": "k"},
        {"username": "u", "service_principal_id": "i"},
    ],
)
def test_create_dynamics_needs_exactly_one_auth_style(client, kwargs) -> None:
    with pytest.raises(ValueError, match=r"username|service principal"):
        client.create_dynamics_connection("crm", service_uri="https://o", **kwargs)


def test_create_dynamics_needs_a_service_uri(client) -> None:
    with pytest.raises(ValueError, match="service_uri"):
        client.create_dynamics_connection("crm", service_uri="", username="u", password="p")
