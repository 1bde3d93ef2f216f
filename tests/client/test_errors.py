"""Headers on every call, and the mapping of each documented error body to the error tree."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
import requests
import responses
from flowservice_client import (
    BadRequestError,
    ForbiddenError,
    HTTPError,
    NotFoundError,
    PayloadTooLargeError,
    PreconditionFailedError,
    RateLimitedError,
    ServerError,
    TransportError,
    UnauthorizedError,
)
from flowservice_client import FlowServiceClient as Client

BASE = "https://platform.adobe.io/data/foundation/flowservice"
CONN_ID = "84224def-1e2a-4d95-9ea2-132d697ed2aa"
TOKEN = "eyJhbGciOi.secret-token"


def flow_body(code: str, title: str, message: str, status: int) -> dict[str, object]:
    """The Flow Service error body of FACTS B.3."""
    return {
        "type": f"https://ns.adobe.com/aep/errors/FLOW-{code}",
        "title": title,
        "status": status,
        "report": {"detailed-message": message, "request-id": "req-123"},
        "errorMessage": message,
        "errorDetails": message,
    }


NOT_FOUND = (
    f"The requested flows resource {CONN_ID} is not found. "
    "Verify the resource ID before trying again."
)
FORBIDDEN = (
    "You do not have sufficient permissions to perform the operation. "
    "Please contact your administrator to resolve permissions and try again."
)
AUTH_SPEC = (
    "The auth spec 'authConnection' could not be found for the connection spec ID "
    "ba6e206f-f233-ab16."
)
STALE = (
    "The supplied version 'v1' does not match the current version on entity "
    "'cc01fc2c-0000-0200'. Please ensure that the supplied version matches the current "
    "version on entity and try again."
)
UNAVAILABLE = (
    "The service is temporarily unavailable. Please try again. If the problem persists, "
    "please contact customer support."
)
CONTENT_TYPE = {
    "type": "/placeholder/type/uri",
    "status": 400,
    "title": "BadRequestError",
    "detail": "A valid content-type must be specified",
}

CASES = [
    (404, flow_body("1439-404", "Resource not found", NOT_FOUND, 404), NotFoundError,
     "FLOW-1439-404", NOT_FOUND),
    (403, flow_body("2120-403", "Forbidden", FORBIDDEN, 403), ForbiddenError,
     "FLOW-2120-403", FORBIDDEN),
    (400, flow_body("1415-400", "Invalid request", AUTH_SPEC, 400), BadRequestError,
     "FLOW-1415-400", AUTH_SPEC),
    (412, flow_body("1404-412", "Version not matching", STALE, 412), PreconditionFailedError,
     "FLOW-1404-412", STALE),
    (503, flow_body("1103-503", "Service Unavailable", UNAVAILABLE, 503), ServerError,
     "FLOW-1103-503", UNAVAILABLE),
    (403, {"error_code": "403010", "message": "Oauth token is missing."}, ForbiddenError,
     "403010", "Oauth token is missing."),
    (401, {"error_code": "401013", "message": "Oauth token is not valid"}, UnauthorizedError,
     "401013", "Oauth token is not valid"),
    (400, {"error_code": "400003", "message": "Missing header"}, BadRequestError,
     "400003", "Missing header"),
    (400, CONTENT_TYPE, BadRequestError, "BadRequestError",
     "A valid content-type must be specified"),
    (412, {"errorMessage": 'Supplied version=["a"] does not match the current version on '
                           'entity=["b"]'}, PreconditionFailedError, None,
     'Supplied version=["a"] does not match the current version on entity=["b"]'),
    (413, {"error_code": "413000", "message": "Request entity too large"}, PayloadTooLargeError,
     "413000", "Request entity too large"),
    (409, {"message": "conflict"}, HTTPError, None, "conflict"),
    (500, flow_body("1102-500", "Internal Error", "boom", 500), ServerError,
     "FLOW-1102-500", "boom"),
]  # fmt: skip


@pytest.fixture
def client() -> Client:
    return Client(access_token=TOKEN, api_key="key", org_id="ORG@AdobeOrg", retries=0)


@pytest.fixture
def rsps() -> Iterator[responses.RequestsMock]:
    with responses.RequestsMock() as mock:
        yield mock


@pytest.mark.parametrize(("status", "body", "cls", "code", "message"), CASES)
def test_error_bodies_map_to_typed_errors(client, rsps, status, body, cls, code, message) -> None:
    rsps.get(f"{BASE}/connections/{CONN_ID}", status=status, json=body)
    with pytest.raises(cls) as info:
        client.retrieve_connection(CONN_ID)
    error = info.value
    assert type(error) is cls
    assert (error.status, error.code, error.message) == (status, code, message)
    assert error.response is not None
    assert error.response.status_code == status
    assert str(status) in str(error)
    assert message in str(error)


def test_request_id_comes_from_the_report(client, rsps) -> None:
    body = flow_body("1439-404", "Resource not found", NOT_FOUND, 404)
    rsps.get(f"{BASE}/connections/{CONN_ID}", status=404, json=body)
    with pytest.raises(NotFoundError) as info:
        client.retrieve_connection(CONN_ID)
    assert info.value.request_id == "req-123"
    assert "req-123" in str(info.value)


def test_request_id_falls_back_to_the_header(client, rsps) -> None:
    rsps.get(
        f"{BASE}/connections/{CONN_ID}",
        status=403,
        json={"error_code": "403003", "message": "Api Key is invalid"},
        headers={"x-request-id": "hdr-9"},
    )
    with pytest.raises(ForbiddenError) as info:
        client.retrieve_connection(CONN_ID)
    assert info.value.request_id == "hdr-9"


def test_non_json_error_body_uses_the_reason(client, rsps) -> None:
    rsps.get(f"{BASE}/connections/{CONN_ID}", status=502, body="<html>bad gateway</html>")
    with pytest.raises(ServerError) as info:
        client.retrieve_connection(CONN_ID)
    assert info.value.code is None
    assert info.value.message == "Bad Gateway"


def test_rate_limited_carries_retry_after(client, rsps) -> None:
    rsps.get(
        f"{BASE}/connections/{CONN_ID}",
        status=429,
        json={"error_code": "429000", "message": "Too many requests"},
        headers={"Retry-After": "7"},
    )
    with pytest.raises(RateLimitedError) as info:
        client.retrieve_connection(CONN_ID)
    assert info.value.retry_after == 7.0
    assert info.value.code == "429000"


def test_error_text_never_contains_the_token(client, rsps) -> None:
    rsps.post(f"{BASE}/connections", status=400, json=CONTENT_TYPE)
    with pytest.raises(BadRequestError) as info:
        client.create_connection("n", "spec", "s", {"password": "hunter2"})
    for text in (str(info.value), repr(info.value)):
        assert TOKEN not in text
        assert "hunter2" not in text


def test_connection_error_becomes_transport_error(client, rsps) -> None:
    cause = requests.ConnectionError("connection refused")
    rsps.get(f"{BASE}/connections/{CONN_ID}", body=cause)
    with pytest.raises(TransportError) as info:
        client.retrieve_connection(CONN_ID)
    assert info.value.cause is cause
    assert "GET" in str(info.value)
    assert TOKEN not in str(info.value)


def test_timeout_becomes_transport_error(client, rsps) -> None:
    rsps.get(f"{BASE}/connections/{CONN_ID}/test", body=requests.ReadTimeout("read timed out"))
    with pytest.raises(TransportError, match="ReadTimeout"):
        client.test_connection(CONN_ID)


def test_every_request_carries_the_documented_headers(rsps) -> None:
    client = Client(
        access_token=TOKEN, api_key="key", org_id="ORG@AdobeOrg", sandbox="dev", retries=0
    )
    rsps.get(f"{BASE}/connections/{CONN_ID}/test", json={"result": True})
    rsps.patch(f"{BASE}/connections/{CONN_ID}", json={"id": CONN_ID, "etag": "e"})
    client.test_connection(CONN_ID)
    client.patch_connection(CONN_ID, [], if_match="e")
    for call in rsps.calls:
        headers = call.request.headers
        assert headers["Authorization"] == f"Bearer {TOKEN}"
        assert headers["x-api-key"] == "key"
        assert headers["x-gw-ims-org-id"] == "ORG@AdobeOrg"
        assert headers["x-sandbox-name"] == "dev"
        assert headers["Accept"] == "application/json"
    assert "Content-Type" not in rsps.calls[0].request.headers
    assert rsps.calls[1].request.headers["Content-Type"] == "application/json"


def test_timeout_is_passed_on_every_call(rsps) -> None:
    client = Client(access_token=TOKEN, api_key="k", org_id="o", timeout=4.5, retries=0)
    rsps.get(f"{BASE}/connections/{CONN_ID}/test", json={"result": True})
    client.test_connection(CONN_ID)
    assert rsps.calls[0].request.req_kwargs["timeout"] == 4.5


def test_retry_after_forms() -> None:
    from email.utils import formatdate

    from flowservice_client._errors import parse_retry_after

    assert parse_retry_after(None) is None
    assert parse_retry_after(" 12 ") == 12.0
    assert parse_retry_after("soon") is None
    later = parse_retry_after(formatdate(time.time() + 60, usegmt=True))
    assert later is not None
    assert 50 < later <= 60
    assert parse_retry_after(formatdate(time.time() - 60, usegmt=True)) == 0.0
