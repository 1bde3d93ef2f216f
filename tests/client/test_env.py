"""``FlowServiceClient`` construction: ``from_env``, argument checks, sessions, logging."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest
import requests
import responses
from flowservice_client import (
    DEFAULT_BASE_URL,
    DEFAULT_IMS_URL,
    ClientCredentialsTokenProvider,
    ConfigurationError,
    FlowServiceClient,
    StaticTokenProvider,
)

ENV = {
    "FLOWSERVICE_API_KEY": "client-id",
    "FLOWSERVICE_ORG_ID": "ORG@AdobeOrg",
}


@pytest.fixture
def rsps() -> Iterator[responses.RequestsMock]:
    with responses.RequestsMock() as mock:
        yield mock


def test_from_env_with_a_token() -> None:
    env = {**ENV, "FLOWSERVICE_ACCESS_TOKEN": "tok", "FLOWSERVICE_SANDBOX": "dev"}
    client = FlowServiceClient.from_env(env)
    assert client.base_url == DEFAULT_BASE_URL
    assert isinstance(client.token_provider, StaticTokenProvider)
    assert client.token_provider.get_token() == "tok"
    assert "sandbox='dev'" in repr(client)


def test_from_env_with_client_credentials(rsps) -> None:
    env = {
        **ENV,
        "FLOWSERVICE_CLIENT_SECRET": "s3cr3t",
        "FLOWSERVICE_BASE_URL": "http://127.0.0.1:9/data/foundation/flowservice/",
        "FLOWSERVICE_IMS_URL": "http://127.0.0.1:9/ims/token/v3",
        "FLOWSERVICE_SCOPES": "openid,AdobeID",
        "FLOWSERVICE_TIMEOUT": "2.5",
    }
    client = FlowServiceClient.from_env(env)
    provider = client.token_provider
    assert isinstance(provider, ClientCredentialsTokenProvider)
    assert (provider.client_id, provider.token_url) == ("client-id", env["FLOWSERVICE_IMS_URL"])
    assert provider.scopes == "openid,AdobeID"
    assert client.base_url == "http://127.0.0.1:9/data/foundation/flowservice"
    assert "s3cr3t" not in repr(client)


def test_from_env_defaults_for_ims() -> None:
    client = FlowServiceClient.from_env({**ENV, "FLOWSERVICE_CLIENT_SECRET": "s"})
    provider = client.token_provider
    assert isinstance(provider, ClientCredentialsTokenProvider)
    assert provider.token_url == DEFAULT_IMS_URL
    assert provider.scopes.split(",")[0] == "openid"


def test_token_wins_over_secret() -> None:
    env = {**ENV, "FLOWSERVICE_ACCESS_TOKEN": "tok", "FLOWSERVICE_CLIENT_SECRET": "s"}
    assert isinstance(FlowServiceClient.from_env(env).token_provider, StaticTokenProvider)


def test_overrides_win_over_the_environment() -> None:
    env = {**ENV, "FLOWSERVICE_ACCESS_TOKEN": "tok", "FLOWSERVICE_SANDBOX": "dev"}
    client = FlowServiceClient.from_env(env, sandbox="qa", base_url="http://x/api")
    assert "sandbox='qa'" in repr(client)
    assert client.base_url == "http://x/api"


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"FLOWSERVICE_ORG_ID": "o", "FLOWSERVICE_ACCESS_TOKEN": "t"}, "FLOWSERVICE_API_KEY"),
        ({"FLOWSERVICE_API_KEY": "k", "FLOWSERVICE_ACCESS_TOKEN": "t"}, "FLOWSERVICE_ORG_ID"),
        (ENV, "FLOWSERVICE_CLIENT_SECRET"),
        ({**ENV, "FLOWSERVICE_ACCESS_TOKEN": "t", "FLOWSERVICE_TIMEOUT": "soon"}, "number"),
    ],
)
def test_missing_settings_are_configuration_errors(env, message) -> None:
    with pytest.raises(ConfigurationError, match=message):
        FlowServiceClient.from_env(env)


def test_every_missing_variable_is_named_at_once() -> None:
    with pytest.raises(ConfigurationError) as info:
        FlowServiceClient.from_env({})
    message = str(info.value)
    for name in (
        "FLOWSERVICE_API_KEY",
        "FLOWSERVICE_ORG_ID",
        "FLOWSERVICE_ACCESS_TOKEN",
        "FLOWSERVICE_CLIENT_SECRET",
    ):
        assert name in message


def test_overrides_stand_in_for_missing_variables() -> None:
    client = FlowServiceClient.from_env({}, api_key="k", org_id="o", access_token="t")
    assert client.token_provider.get_token() == "t"
    with pytest.raises(ConfigurationError) as info:
        FlowServiceClient.from_env({"FLOWSERVICE_ACCESS_TOKEN": "t"}, api_key="k")
    assert "FLOWSERVICE_ORG_ID" in str(info.value)
    assert "FLOWSERVICE_API_KEY" not in str(info.value)


def test_from_env_reads_os_environ(monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in {**ENV, "FLOWSERVICE_ACCESS_TOKEN": "from-os"}.items():
        monkeypatch.setenv(name, value)
    assert FlowServiceClient.from_env().token_provider.get_token() == "from-os"


@pytest.mark.parametrize(
    "kwargs",
    [
        {},
        {"access_token": "t", "token_provider": StaticTokenProvider("t")},
        {"access_token": ""},
    ],
)
def test_exactly_one_credential_is_required(kwargs) -> None:
    with pytest.raises(ConfigurationError):
        FlowServiceClient(api_key="k", org_id="o", **kwargs)


def test_api_key_and_org_are_required() -> None:
    with pytest.raises(ConfigurationError):
        FlowServiceClient(access_token="t", api_key="", org_id="o")


def test_given_session_is_used_and_not_closed(rsps) -> None:
    session = requests.Session()
    rsps.get(f"{DEFAULT_BASE_URL}/connections/x/test", json={"result": True})
    with FlowServiceClient(access_token="t", api_key="k", org_id="o", session=session) as client:
        assert client.session is session
        assert client.test_connection("x") is True
    assert session.get_adapter(DEFAULT_BASE_URL).max_retries.total == 3  # type: ignore[attr-defined]
    session.close()


def test_retries_none_leaves_the_session_adapters_alone() -> None:
    session = requests.Session()
    before = session.get_adapter(DEFAULT_BASE_URL)
    FlowServiceClient(access_token="t", api_key="k", org_id="o", session=session, retries=None)
    assert session.get_adapter(DEFAULT_BASE_URL) is before
    session.close()


def test_debug_log_has_no_token(rsps, caplog: pytest.LogCaptureFixture) -> None:
    rsps.get(f"{DEFAULT_BASE_URL}/connections/x/test", json={"result": True})
    client = FlowServiceClient(access_token="tok-XYZ", api_key="k", org_id="o", retries=0)
    with caplog.at_level(logging.DEBUG):
        client.test_connection("x")
    assert "GET /connections/x/test -> 200" in caplog.text
    assert "tok-XYZ" not in caplog.text
