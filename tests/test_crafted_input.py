"""Crafted input never reaches a 500: each answer is a 4xx in the API's own error format.

Every case here answered ``FLOW-1102-500`` before the decoders were bounded (issue #16): an
integer too long for ``int()``, continuation tokens of the wrong shape, nested too deeply or
past SQLite's integers, ``sourceParams`` nested too deeply, a seeded tenant that cannot be
encoded.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from mock_flowservice import create_app, of_app

from .support import BASE_PATH, DYNAMICS_SPEC_ID, HEADERS, ORG, dynamics_basic_body

LIST = BASE_PATH + "/connections"
DEEP = b"[" * 100_000 + b"]" * 100_000


def token_of(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode("ascii").rstrip("=")


def json_token(value: Any) -> str:
    return token_of(json.dumps(value).encode())


@pytest.fixture(params=["memory", "sqlite"])
def app(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Flask]:
    """An app on either store, holding two connections."""
    settings = {"state_path": str(tmp_path / "state.sqlite3")} if request.param == "sqlite" else {}
    app = create_app(settings)
    client = app.test_client()
    for name in ("first", "second"):
        assert client.post(LIST, json=dynamics_basic_body(name), headers=HEADERS).status_code == 201
    yield app
    of_app(app).store.close()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


def assert_flow_error(response: Any, code: str) -> None:
    assert response.status_code == int(code[-3:]), response.data[:300]
    body = response.json
    assert body["type"].endswith("FLOW-" + code), body
    assert body["status"] == response.status_code


def test_a_limit_of_5000_digits_is_1452(client: FlaskClient) -> None:
    response = client.get(f"{LIST}?limit={'9' * 5000}", headers=HEADERS)
    assert_flow_error(response, "1452-400")


@pytest.mark.parametrize("limit", [str(2**63), "1" + "0" * 19])
def test_a_limit_beyond_64_bits_is_1452(client: FlaskClient, limit: str) -> None:
    assert_flow_error(client.get(f"{LIST}?limit={limit}", headers=HEADERS), "1452-400")


def test_a_limit_of_64_bits_is_capped(client: FlaskClient) -> None:
    response = client.get(f"{LIST}?limit={2**63 - 1}", headers=HEADERS)
    assert response.status_code == 200
    assert len(response.json["items"]) == 2


@pytest.mark.parametrize(
    "token",
    [
        [None, 1],  # a creation-order token given with orderby
        [5, 1],
        [[0], 1],
        [[3, "x"], 1],
        [[1, "text"], 1],
        [[2, 5], 1],
        [[True, 1], 1],
        [{"rank": 1}, 1],
    ],
    ids=["null", "int", "short", "rank", "number-rank", "text-rank", "bool-rank", "object"],
)
def test_a_token_whose_key_is_not_a_sort_key_with_orderby_is_1453(
    client: FlaskClient, token: list[Any]
) -> None:
    url = f"{LIST}?orderby=name&continuationToken={json_token(token)}"
    assert_flow_error(client.get(url, headers=HEADERS), "1453-400")


def test_a_deeply_nested_token_is_1453(client: FlaskClient) -> None:
    for raw in (DEEP, b"[" + DEEP + b",1]", b'[[2, "a"], ' + b"[" * 40 + b"]" * 40 + b"]"):
        url = f"{LIST}?orderby=name&continuationToken={token_of(raw)}"
        assert_flow_error(client.get(url, headers=HEADERS), "1453-400")


def test_a_token_longer_than_the_limit_is_1453(client: FlaskClient) -> None:
    raw = json.dumps([[2, "x" * 9000], 1]).encode()
    url = f"{LIST}?orderby=name&continuationToken={token_of(raw)}"
    assert_flow_error(client.get(url, headers=HEADERS), "1453-400")


@pytest.mark.parametrize("seq", [2**63, 2**64 + 5, -1, -(2**63) - 1, 1.5, True])
def test_a_token_sequence_out_of_range_is_1453(client: FlaskClient, seq: Any) -> None:
    url = f"{LIST}?continuationToken={json_token([None, seq])}"
    assert_flow_error(client.get(url, headers=HEADERS), "1453-400")


def test_tokens_the_mock_writes_still_walk_every_order(client: FlaskClient) -> None:
    for order in ("", "&orderby=name", "&orderby=-createdAt", "&orderby=state"):
        names, url = [], f"{LIST}?limit=1{order}"
        while url:
            response = client.get(url, headers=HEADERS)
            assert response.status_code == 200, response.json
            names += [item["name"] for item in response.json["items"]]
            following = response.json["_links"].get("next")
            url = BASE_PATH + following["href"] if following else ""
        assert sorted(names) == ["first", "second"], order


def test_a_search_with_a_crafted_token_is_1453(client: FlaskClient) -> None:
    url = f"{LIST}/search?continuationToken={json_token([[1, None], 2**70])}"
    response = client.post(url, json={"orderby": "name"}, headers=HEADERS)
    assert_flow_error(response, "1453-400")


@pytest.mark.parametrize("raw", [DEEP, b'{"a": ' + b"[" * 40 + b"]" * 40 + b"}"])
def test_explore_source_params_nested_too_deeply_are_1100(client: FlaskClient, raw: bytes) -> None:
    created = client.get(LIST, headers=HEADERS).json["items"][0]["id"]
    params = base64.b64encode(raw).decode()
    for path in (
        f"{LIST}/{created}/explore",
        f"{BASE_PATH}/connectionSpecs/{DYNAMICS_SPEC_ID}/explore",
    ):
        response = client.get(path, query_string={"sourceParams": params}, headers=HEADERS)
        assert_flow_error(response, "1100-400")


def test_explore_source_params_within_the_limits_are_accepted(client: FlaskClient) -> None:
    params = base64.b64encode(json.dumps({"a": [[{"b": 1}]]}).encode()).decode()
    path = f"{BASE_PATH}/connectionSpecs/{DYNAMICS_SPEC_ID}/explore"
    assert (
        client.get(path, query_string={"sourceParams": params}, headers=HEADERS).status_code == 200
    )


def seed_document(**tenant: str) -> bytes:
    item = {**dynamics_basic_body("seeded"), "imsOrgId": ORG, "sandboxName": "prod", **tenant}
    # json.dumps writes a lone surrogate as the escape "\ud800", as a client would send it.
    return json.dumps({"connections": [item]}).encode()


@pytest.mark.parametrize("field", ["imsOrgId", "sandboxName"])
def test_a_seed_with_a_lone_surrogate_in_the_tenant_is_refused(
    app: Flask, client: FlaskClient, field: str
) -> None:
    headers = {"Content-Type": "application/json"}
    response = client.post(
        "/__mock__/seed", data=seed_document(**{field: "a\ud800"}), headers=headers
    )
    assert_flow_error(response, "1100-400")
    assert field in response.json["report"]["detailed-message"]
    assert response.json["report"]["index"] == 0
    exported = client.get("/__mock__/state")
    assert exported.status_code == 200
    assert sorted(c["name"] for c in exported.json["connections"]) == ["first", "second"]
    assert len(of_app(app).store.everything("connections")) == 2


def test_a_seed_with_other_unicode_in_the_tenant_is_kept(client: FlaskClient) -> None:
    headers = {"Content-Type": "application/json"}
    document = seed_document(imsOrgId="Orgé中😀@AdobeOrg")
    assert client.post("/__mock__/seed", data=document, headers=headers).json == {"loaded": 1}
    exported = client.get("/__mock__/state")
    assert exported.status_code == 200
    assert "Orgé中😀@AdobeOrg" in {c["imsOrgId"] for c in exported.json["connections"]}


def test_an_explore_filter_nested_too_deeply_is_1389(client: FlaskClient) -> None:
    created = client.get(LIST, headers=HEADERS).json["items"][0]["id"]
    query = {"objectType": "table", "object": "contact", "filters": token_of(DEEP[:16000])}
    response = client.get(f"{LIST}/{created}/explore", query_string=query, headers=HEADERS)
    assert_flow_error(response, "1389-400")
