"""GET /connections filters, order, paging and count; POST /connections/search (FACTS D)."""

from __future__ import annotations

import random
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from flask.testing import FlaskClient

from mock_flowservice import create_app

from .support import BASE_PATH, HEADERS, dynamics_basic_body, dynamics_sp_body

CONNECTIONS = BASE_PATH + "/connections"


def _create(client: FlaskClient, body: dict[str, Any]) -> str:
    response = client.post(CONNECTIONS, json=body, headers=HEADERS)
    assert response.status_code == 201
    return str(response.json["id"])


def _names(client: FlaskClient, query: str) -> list[str]:
    response = client.get(f"{CONNECTIONS}?{query}", headers=HEADERS)
    assert response.status_code == 200, response.json
    return [item["name"] for item in response.json["items"]]


@pytest.fixture
def three(client: FlaskClient) -> list[str]:
    return [
        _create(client, dynamics_basic_body(name="alpha")),
        _create(client, dynamics_sp_body(name="bravo")),
        _create(client, dynamics_basic_body(name="charlie")),
    ]


def test_filters(client: FlaskClient, three: list[str]) -> None:
    assert _names(client, "property=name==bravo") == ["bravo"]
    assert _names(client, 'property=name=="bravo"') == ["bravo"]
    assert _names(client, "property=name!=bravo") == ["alpha", "charlie"]
    assert _names(client, "property=name==alpha,charlie") == ["alpha", "charlie"]
    assert _names(client, f"property=id=={three[0]},{three[1]}") == ["alpha", "bravo"]
    assert _names(client, "property=state==enabled&property=name==charlie") == ["charlie"]
    spec_filter = "property=connectionSpec.id==38ad80fe-8b06-4938-94f4-d4ee80266b07"
    assert _names(client, spec_filter) == ["alpha", "bravo", "charlie"]
    sp_filter = "property=auth.params.servicePrincipalId==00000000-0000-0000-0000-000000000001"
    assert _names(client, sp_filter) == ["bravo"]
    assert _names(client, "property=name>alpha&property=name<=charlie") == ["bravo", "charlie"]
    assert _names(client, "property=name==nobody") == []


def test_numeric_filters(client: FlaskClient, three: list[str]) -> None:
    items = client.get(CONNECTIONS, headers=HEADERS).json["items"]
    first = items[0]["createdAt"]
    assert len(_names(client, f"property=createdAt>={first}")) == 3
    assert _names(client, f"property=createdAt<{first}") == []


def test_secret_values_cannot_be_probed(client: FlaskClient) -> None:
    _create(client, dynamics_basic_body(password="hidden"))
    assert _names(client, "property=auth.params.password==hidden") == []


def test_orderby(client: FlaskClient, three: list[str]) -> None:
    assert _names(client, "orderby=-name") == ["charlie", "bravo", "alpha"]
    assert _names(client, "orderby=%2Bname") == ["alpha", "bravo", "charlie"]
    assert _names(client, "orderby=+name") == ["alpha", "bravo", "charlie"]
    assert _names(client, "orderby=name") == ["alpha", "bravo", "charlie"]
    assert _names(client, "orderby=-createdAt") == ["charlie", "bravo", "alpha"]


@pytest.mark.parametrize(
    ("query", "code"),
    [
        ("limit=2&count=true", "1401-400"),
        ("orderby=--name", "1432-400"),
        ("orderby=-", "1432-400"),
        ("orderby=*name", "1433-400"),
        ("orderby=%23id", "1433-400"),  # the catalog's own example
        ("orderby=bogus", "1433-400"),
        ("property=name~al", "1440-400"),
        ("property=name<=a,b", "1443-400"),
        ("property=id>=abc", "1448-400"),
        ("property=connections==1", "1449-400"),
        ("property=name!>a", "1450-400"),
        ("testParam=1", "1451-400"),
        ("property=createdAt==abc", "1452-400"),
        ("property=createdAt>1676643256,1676643210", "1452-400"),  # one value expected
        ("limit=zero", "1452-400"),
        ("limit=0", "1452-400"),
        ("count=maybe", "1452-400"),
        ("property=createdAt==", "1453-400"),
        ("continuationToken=%%%", "1453-400"),
    ],
)
def test_listing_errors(client: FlaskClient, query: str, code: str) -> None:
    response = client.get(f"{CONNECTIONS}?{query}", headers=HEADERS)
    assert response.status_code == 400
    assert response.json["type"] == f"https://ns.adobe.com/aep/errors/FLOW-{code}"


def test_count(client: FlaskClient, three: list[str]) -> None:
    assert client.get(f"{CONNECTIONS}?count=true", headers=HEADERS).json == {"count": 3}
    query = f"{CONNECTIONS}?count=true&property=name!=alpha"
    assert client.get(query, headers=HEADERS).json == {"count": 2}
    assert "items" in client.get(f"{CONNECTIONS}?count=false", headers=HEADERS).json


def _walk(client: FlaskClient, query: str, budget: int = 200) -> list[str]:
    """Follow next links from the first page; bounded."""
    names: list[str] = []
    url = f"{CONNECTIONS}?{query}"
    for _ in range(budget):
        body = client.get(url, headers=HEADERS).json
        names += [item["name"] for item in body["items"]]
        if not body["_links"]:
            return names
        href = body["_links"]["next"]["href"]
        assert href.startswith("/connections?")
        url = BASE_PATH + href
    raise AssertionError("paging did not end")


def test_paging_follows_links_and_keeps_filters(client: FlaskClient) -> None:
    for i in range(25):
        body = dynamics_basic_body(name=f"n{i:02d}") if i % 2 else dynamics_sp_body(f"n{i:02d}")
        _create(client, body)
    first = client.get(f"{CONNECTIONS}?limit=4&property=state==enabled", headers=HEADERS).json
    query = parse_qs(urlsplit(first["_links"]["next"]["href"]).query)
    assert query["property"] == ["state==enabled"]
    assert query["limit"] == ["4"]
    assert _walk(client, "limit=4") == [f"n{i:02d}" for i in range(25)]
    sp_only = "limit=3&property=auth.specName==Service Principal Key Based Authentication"
    assert _walk(client, sp_only) == [f"n{i:02d}" for i in range(0, 25, 2)]
    assert _walk(client, "limit=4&orderby=-name") == [f"n{i:02d}" for i in range(24, -1, -1)]


def test_default_and_maximum_page_size() -> None:
    client = create_app({"default_page_size": 3, "max_page_size": 5}).test_client()
    for i in range(7):
        _create(client, dynamics_basic_body(name=f"p{i}"))
    assert len(client.get(CONNECTIONS, headers=HEADERS).json["items"]) == 3
    assert len(client.get(f"{CONNECTIONS}?limit=100", headers=HEADERS).json["items"]) == 5


@pytest.mark.parametrize("orderby", [None, "name", "-createdAt"])
def test_paging_is_stable_under_concurrent_changes(
    client: FlaskClient, orderby: str | None
) -> None:
    rng = random.Random(7)
    stable = [_create(client, dynamics_basic_body(name=f"s{i:03d}")) for i in range(30)]
    churn = [_create(client, dynamics_basic_body(name=f"t{i:03d}")) for i in range(10)]
    seen: list[str] = []
    url = f"{CONNECTIONS}?limit=4" + (f"&orderby={orderby}" if orderby else "")
    for _ in range(100):
        body = client.get(url, headers=HEADERS).json
        seen += [item["id"] for item in body["items"]]
        # Between pages other clients delete and create connections.
        if churn:
            client.delete(f"{CONNECTIONS}/{churn.pop(rng.randrange(len(churn)))}", headers=HEADERS)
        _create(client, dynamics_basic_body(name=f"u{rng.randrange(1000):03d}"))
        if not body["_links"]:
            break
        url = BASE_PATH + body["_links"]["next"]["href"]
    assert len(seen) == len(set(seen)), "an item was repeated"
    assert set(stable) <= set(seen), "an item present throughout was skipped"


def test_search(client: FlaskClient, three: list[str]) -> None:
    search = CONNECTIONS + "/search"
    body = {"queryString": "name!=alpha&state==enabled", "limit": 1, "orderby": "-name"}
    first = client.post(search, json=body, headers=HEADERS).json
    assert [i["name"] for i in first["items"]] == ["charlie"]
    token = parse_qs(urlsplit(first["_links"]["next"]["href"]).query)["continuationToken"][0]
    second = client.post(f"{search}?continuationToken={token}", json=body, headers=HEADERS)
    assert [i["name"] for i in second.json["items"]] == ["bravo"]
    counted = client.post(
        search, json={"queryString": "name==alpha", "count": True}, headers=HEADERS
    )
    assert counted.json == {"count": 1}
    bad = client.post(search, json={"limit": 5000}, headers=HEADERS)
    assert bad.json["type"].endswith("FLOW-1452-400")
    assert client.post(search, json=[1], headers=HEADERS).status_code == 400
    for falsy in ({}, [], 0, False):
        wrong = client.post(search, json={"queryString": falsy}, headers=HEADERS)
        assert wrong.json["type"].endswith("FLOW-1100-400"), falsy


def test_an_unknown_filter_field_of_the_spec_catalog_is_1423(client: FlaskClient) -> None:
    response = client.get(BASE_PATH + "/connectionSpecs?property=baseSpec==x", headers=HEADERS)
    assert response.status_code == 400
    assert response.json["type"].endswith("FLOW-1423-400")
    assert "unhandled field baseSpec" in response.json["report"]["detailed-message"]
