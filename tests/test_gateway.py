"""Gateway header checks (FACTS B.1, B.2; GAPS 2, 3)."""

from __future__ import annotations

import pytest
from flask.testing import FlaskClient

from mock_flowservice import create_app

from .support import BASE_PATH, HEADERS, dynamics_basic_body

LIST = BASE_PATH + "/connections"


def _without(name: str) -> dict[str, str]:
    return {k: v for k, v in HEADERS.items() if k != name}


@pytest.mark.parametrize(
    ("headers", "status", "code", "message"),
    [
        (_without("Authorization"), 403, "403010", "Oauth token is missing."),
        ({**HEADERS, "Authorization": "Basic abc"}, 401, "401013", "Oauth token is not valid"),
        ({**HEADERS, "Authorization": "Bearer "}, 401, "401013", "Oauth token is not valid"),
        (_without("x-api-key"), 403, "403000", "Api Key is required"),
        (_without("x-gw-ims-org-id"), 400, "400003", "Missing header"),
        ({**HEADERS, "x-gw-ims-org-id": "acme"}, 403, "403027", "User region is missing"),
        (
            {**HEADERS, "x-gw-ims-org-id": "5C13 2843@AdobeOrg"},
            403,
            "403027",
            "User region is missing",
        ),
    ],
)
def test_gateway_refusals(
    client: FlaskClient, headers: dict[str, str], status: int, code: str, message: str
) -> None:
    for method in ("GET", "POST"):
        response = client.open(LIST, method=method, headers=headers, json=dynamics_basic_body())
        assert response.status_code == status
        assert response.json == {"error_code": code, "message": message}


def test_unknown_api_key_when_keys_are_configured() -> None:
    client = create_app({"api_keys": ["test-client"]}).test_client()
    assert client.get(LIST, headers=HEADERS).status_code == 200
    refused = client.get(LIST, headers={**HEADERS, "x-api-key": "other"})
    assert refused.status_code == 403
    assert refused.json == {"error_code": "403003", "message": "Api Key is invalid"}


@pytest.mark.parametrize("content_type", [None, "text/plain", "application/x-www-form-urlencoded"])
def test_body_without_json_content_type(client: FlaskClient, content_type: str | None) -> None:
    headers = _without("Content-Type")
    if content_type:
        headers["Content-Type"] = content_type
    response = client.post(LIST, headers=headers, data=b'{"name": "x"}')
    assert response.status_code == 400
    assert response.json == {
        "type": "/placeholder/type/uri",
        "status": 400,
        "title": "BadRequestError",
        "detail": "A valid content-type must be specified",
    }


def test_json_content_type_with_charset_is_accepted(client: FlaskClient) -> None:
    headers = {**HEADERS, "Content-Type": "application/json; charset=utf-8"}
    assert client.post(LIST, headers=headers, json=dynamics_basic_body()).status_code == 201


def test_missing_sandbox_falls_back_to_default(client: FlaskClient) -> None:
    created = client.post(LIST, headers=_without("x-sandbox-name"), json=dynamics_basic_body())
    assert created.status_code == 201
    got = client.get(f"{LIST}/{created.json['id']}", headers=HEADERS)
    assert got.json["items"][0]["sandboxName"] == "prod"


def test_missing_sandbox_in_strict_mode() -> None:
    client = create_app({"missing_sandbox": "require"}).test_client()
    response = client.get(LIST, headers=_without("x-sandbox-name"))
    assert response.status_code == 400
    assert response.json["type"] == "https://ns.adobe.com/aep/errors/FLOW-2105-400"
    assert response.json["title"] == "Header is missing"


def test_unknown_sandbox_when_sandboxes_are_configured() -> None:
    client = create_app({"known_sandboxes": ["prod", "dev"]}).test_client()
    assert client.get(LIST, headers={**HEADERS, "x-sandbox-name": "dev"}).status_code == 200
    response = client.get(LIST, headers={**HEADERS, "x-sandbox-name": "qa"})
    assert response.status_code == 404
    assert response.json["type"].endswith("FLOW-2100-404")
    assert "'qa'" in response.json["errorMessage"]


def test_gateway_guards_every_flowservice_route(client: FlaskClient) -> None:
    paths = ["/connections", "/connections/x", "/connectionSpecs", "/connectionSpecs/x"]
    for path in paths:
        response = client.get(BASE_PATH + path)
        assert response.status_code == 403, path
        assert response.json["error_code"] == "403010"


def _issued(client: FlaskClient, client_id: str = "test-client") -> str:
    form = {"grant_type": "client_credentials", "client_id": client_id, "client_secret": "s",
            "scope": "openid"}  # fmt: skip
    return str(client.post("/ims/token/v3", data=form).json["access_token"])


def test_the_strict_gateway_turns_every_realistic_check_on() -> None:
    client = create_app({"strict": True, "known_sandboxes": ["dev"]}).test_client()
    token = _issued(client)
    good = {**HEADERS, "Authorization": f"Bearer {token}"}
    assert client.get(LIST, headers=good).status_code == 200
    assert client.get(LIST, headers={**good, "x-sandbox-name": "dev"}).status_code == 200
    refusals = [
        (HEADERS, 401, "401013"),  # a token the mock did not issue
        ({**good, "x-api-key": "other-client"}, 403, "403003"),  # another integration's key
        ({**good, "x-gw-ims-org-id": "acme123@AdobeOrg"}, 403, "403027"),  # not 24 hex
        ({**good, "x-sandbox-name": "qa"}, 404, None),  # FLOW-2100-404
    ]
    for headers, status, code in refusals:
        response = client.get(LIST, headers=headers)
        assert response.status_code == status, headers
        if code is not None:
            assert response.json["error_code"] == code
        else:
            assert response.json["type"].endswith("FLOW-2100-404")


def test_the_default_gateway_relaxes_what_strict_checks() -> None:
    client = create_app().test_client()
    relaxed = {**HEADERS, "x-api-key": "other-client", "x-gw-ims-org-id": "acme123@AdobeOrg",
               "x-sandbox-name": "qa"}  # fmt: skip
    assert client.get(LIST, headers=relaxed).status_code == 200
    token = _issued(client)
    assert (
        client.get(LIST, headers={**relaxed, "Authorization": f"Bearer {token}"}).status_code == 200
    )
