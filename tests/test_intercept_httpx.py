"""``intercept()`` serves ``httpx`` (sync and async clients) in-process, as it serves requests."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import httpx
import pytest

from mock_flowservice import Intercept, intercept

from .support import HEADERS, dynamics_basic_body

BASE = "https://platform.adobe.io/data/foundation/flowservice"
IMS = "https://ims-na1.adobelogin.com/ims/token/v3"
ORIGINAL_SYNC = httpx.HTTPTransport.handle_request
ORIGINAL_ASYNC = httpx.AsyncHTTPTransport.handle_async_request


@pytest.fixture
def mock() -> Iterator[Intercept]:
    with intercept() as active:
        yield active
    assert httpx.HTTPTransport.handle_request is ORIGINAL_SYNC
    assert httpx.AsyncHTTPTransport.handle_async_request is ORIGINAL_ASYNC


def test_a_sync_client_is_served_and_journalled(mock: Intercept) -> None:
    with httpx.Client(headers=HEADERS) as client:
        created = client.post(f"{BASE}/connections", json=dynamics_basic_body())
        assert created.status_code == 201
        assert created.headers["x-request-id"]
        listed = client.get(f"{BASE}/connections", params={"limit": 5})
    assert [item["id"] for item in listed.json()["items"]] == [created.json()["id"]]
    (call,) = mock.assert_called("POST", r"/connections$", times=1)
    assert call.body["auth"]["params"]["password"] == "********"
    assert call.headers["Authorization"] == "Bearer ***"  # httpx sent "authorization"
    assert call.response == {"id": created.json()["id"], "etag": created.json()["etag"]}
    assert mock.calls("GET")[0].url == f"{BASE}/connections?limit=5"
    assert len(mock.connections()) == 1


def test_an_async_client_is_served(mock: Intercept) -> None:
    async def run() -> tuple[int, int]:
        async with httpx.AsyncClient(headers=HEADERS) as client:
            created = await client.post(f"{BASE}/connections", json=dynamics_basic_body())
            token = await client.post(
                IMS,
                data={
                    "grant_type": "client_credentials",
                    "client_id": "c",
                    "client_secret": "s-secret",
                    "scope": "openid",
                },
                headers={"Content-Type": "application/x-www-form-urlencoded"},
            )
            return created.status_code, token.status_code

    assert asyncio.run(run()) == (201, 200)
    (token,) = mock.calls("POST", "/ims/token/v3")
    assert token.body["client_secret"] == "********"
    assert token.response["access_token"] == "********"
    assert "s-secret" not in repr(mock.journal)


def test_other_urls_are_refused_and_faults_drop(mock: Intercept) -> None:
    with pytest.raises(httpx.ConnectError, match="not mocked by intercept"):
        httpx.get("https://example.invalid/anything")
    mock.add_fault(path="*/connections", drop=True)
    with pytest.raises(httpx.RemoteProtocolError, match="disconnected"):
        httpx.get(f"{BASE}/connections", headers=HEADERS)
    (call,) = mock.journal
    assert call.status is None


def test_passthru_lets_a_loopback_url_out(mock: Intercept, loopback: str) -> None:
    url = loopback + "/"
    with pytest.raises(httpx.ConnectError):
        httpx.get(url)
    mock.add_passthru(url)
    assert httpx.get(url).text == "hello from loopback"

    async def fetch() -> str:
        async with httpx.AsyncClient() as client:
            return (await client.get(url)).text

    assert asyncio.run(fetch()) == "hello from loopback"


def test_an_explicit_transport_needs_no_activation() -> None:
    mock = intercept()
    with httpx.Client(transport=mock.httpx_transport(), headers=HEADERS) as client:
        assert client.get(f"{BASE}/connectionSpecs").status_code == 200
        with pytest.raises(httpx.ConnectError, match="not mocked by this intercept"):
            client.get("https://example.invalid/")

    async def run() -> int:
        async with httpx.AsyncClient(transport=mock.httpx_transport(), headers=HEADERS) as client:
            return (await client.get(f"{BASE}/connections")).status_code

    assert asyncio.run(run()) == 200
    assert [call.path.rsplit("/", 1)[1] for call in mock.journal] == [
        "connectionSpecs",
        "connections",
    ]
    assert not mock.active


def test_nested_intercepts_serve_newest_first() -> None:
    with intercept() as outer:
        with intercept(base_url="https://platform-stage.adobe.io/data/foundation/flowservice"):
            assert httpx.get(f"{BASE}/connections", headers=HEADERS).status_code == 200
        assert httpx.HTTPTransport.handle_request is not ORIGINAL_SYNC
        assert httpx.get(f"{BASE}/connections", headers=HEADERS).status_code == 200
    assert len(outer.journal) == 2
    assert httpx.HTTPTransport.handle_request is ORIGINAL_SYNC
