"""IMS client credentials: the form, caching, renewal, one fetch under contention, redaction."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from urllib.parse import parse_qs

import pytest
import requests
import responses
from flowservice_client import (
    DEFAULT_IMS_URL,
    ClientCredentialsTokenProvider,
    FlowServiceClient,
    StaticTokenProvider,
    TokenError,
    TokenProvider,
)

SECRET = "p8e-SECRET-value-123"
FACTS_SCOPES = "openid,AdobeID,read_organizations,additional_info.projectedProductContext,session"
BASE = "https://platform.adobe.io/data/foundation/flowservice"


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def rsps() -> Iterator[responses.RequestsMock]:
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        yield mock


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


def token_reply(rsps: responses.RequestsMock, token: str, expires_in: int = 86399) -> None:
    body = {"access_token": token, "token_type": "bearer", "expires_in": expires_in}
    rsps.post(DEFAULT_IMS_URL, json=body)


def provider(clock: FakeClock, **kwargs: object) -> ClientCredentialsTokenProvider:
    return ClientCredentialsTokenProvider("client-id", SECRET, clock=clock, **kwargs)  # type: ignore[arg-type]


def test_posts_the_documented_form(rsps, clock) -> None:
    token_reply(rsps, "tok-1")
    assert provider(clock).get_token() == "tok-1"
    request = rsps.calls[0].request
    assert request.headers["Content-Type"] == "application/x-www-form-urlencoded"
    assert parse_qs(request.body) == {
        "grant_type": ["client_credentials"],
        "client_id": ["client-id"],
        "client_secret": [SECRET],
        "scope": [FACTS_SCOPES],
    }


def test_scopes_and_url_are_configurable(rsps, clock) -> None:
    rsps.post("https://ims.example/token", json={"access_token": "t", "expires_in": 60})
    tokens = provider(clock, scopes=["a", "b"], token_url="https://ims.example/token")
    tokens.get_token()
    assert parse_qs(rsps.calls[0].request.body)["scope"] == ["a,b"]


def test_token_is_cached_until_the_margin(rsps, clock) -> None:
    token_reply(rsps, "tok-1", expires_in=3600)
    tokens = provider(clock, refresh_margin=300)
    assert tokens.get_token() == "tok-1"
    clock.now += 3600 - 300 - 1
    assert tokens.get_token() == "tok-1"
    assert tokens.fetch_count == 1
    rsps.replace(
        responses.POST, DEFAULT_IMS_URL, json={"access_token": "tok-2", "expires_in": 3600}
    )
    clock.now += 1
    assert tokens.get_token() == "tok-2"
    assert tokens.fetch_count == 2


def test_short_lived_token_renews_at_half_life(rsps, clock) -> None:
    token_reply(rsps, "tok", expires_in=100)
    tokens = provider(clock, refresh_margin=300)
    tokens.get_token()
    clock.now += 49
    tokens.get_token()
    assert tokens.fetch_count == 1
    clock.now += 1
    tokens.get_token()
    assert tokens.fetch_count == 2


def test_invalidate_forces_a_fetch(rsps, clock) -> None:
    token_reply(rsps, "tok")
    tokens = provider(clock)
    tokens.get_token()
    tokens.invalidate()
    tokens.get_token()
    assert tokens.fetch_count == 2


def test_concurrent_callers_share_one_fetch(rsps, clock) -> None:
    def slow_reply(request: requests.PreparedRequest) -> tuple[int, dict[str, str], str]:
        time.sleep(0.05)
        return 200, {}, '{"access_token": "shared", "expires_in": 86399}'

    rsps.add_callback(responses.POST, DEFAULT_IMS_URL, callback=slow_reply)
    tokens = provider(clock)
    barrier = threading.Barrier(16)
    results: list[str] = []

    def worker() -> None:
        barrier.wait()
        results.append(tokens.get_token())

    threads = [threading.Thread(target=worker) for _ in range(16)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results == ["shared"] * 16
    assert len(rsps.calls) == 1


def test_client_uses_the_provider_per_request(rsps, clock) -> None:
    token_reply(rsps, "from-ims")
    rsps.get(f"{BASE}/connections/x/test", json={"result": True})
    client = FlowServiceClient(token_provider=provider(clock), api_key="k", org_id="o", retries=0)
    client.test_connection("x")
    client.test_connection("x")
    api_calls = [c for c in rsps.calls if "flowservice" in c.request.url]
    assert [c.request.headers["Authorization"] for c in api_calls] == ["Bearer from-ims"] * 2
    assert len(rsps.calls) == 3


@pytest.mark.parametrize(
    ("status", "body", "expected"),
    [
        (401, {"error": "invalid_client", "error_description": "invalid client_secret"}, "401"),
        (400, {"error": "invalid_scope", "error_description": f"bad {SECRET}"}, "invalid_scope"),
        (500, "oops", "500"),
    ],
)
def test_endpoint_errors_are_token_errors_without_the_secret(
    rsps, clock, status, body, expected
) -> None:
    if isinstance(body, dict):
        rsps.post(DEFAULT_IMS_URL, status=status, json=body)
    else:
        rsps.post(DEFAULT_IMS_URL, status=status, body=body)
    with pytest.raises(TokenError) as info:
        provider(clock).get_token()
    assert expected in str(info.value)
    assert SECRET not in str(info.value)
    assert info.value.status == status


@pytest.mark.parametrize(
    "body",
    [{"token_type": "bearer"}, {"access_token": "t"}, {"access_token": "t", "expires_in": "x"}],
)
def test_incomplete_token_response_is_a_token_error(rsps, clock, body) -> None:
    rsps.post(DEFAULT_IMS_URL, json=body)
    with pytest.raises(TokenError):
        provider(clock).get_token()


def test_unreachable_endpoint_is_a_token_error(rsps, clock) -> None:
    rsps.post(DEFAULT_IMS_URL, body=requests.ConnectionError(f"refused while sending {SECRET}"))
    with pytest.raises(TokenError) as info:
        provider(clock).get_token()
    assert info.value.status is None
    assert SECRET not in str(info.value)


def test_reprs_mask_secrets(clock) -> None:
    tokens = provider(clock)
    static = StaticTokenProvider("eyJ-static-token")
    assert SECRET not in repr(tokens)
    assert "client-id" in repr(tokens)
    assert "eyJ-static-token" not in repr(static)
    client = FlowServiceClient(access_token="eyJ-static-token", api_key="k", org_id="o")
    assert "eyJ-static-token" not in repr(client)
    assert "***" in repr(client)


def test_providers_satisfy_the_protocol(clock) -> None:
    assert isinstance(provider(clock), TokenProvider)
    assert isinstance(StaticTokenProvider("t"), TokenProvider)
    with pytest.raises(ValueError, match="non-empty"):
        StaticTokenProvider("")
    with pytest.raises(ValueError, match="non-empty"):
        ClientCredentialsTokenProvider("id", "")


@pytest.mark.parametrize("body", ["not json", "[1, 2]"])
def test_malformed_success_body_is_a_token_error(rsps, clock, body) -> None:
    rsps.post(DEFAULT_IMS_URL, body=body)
    with pytest.raises(TokenError, match="not"):
        provider(clock).get_token()
