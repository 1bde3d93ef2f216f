"""The client against the real mock served over a loopback socket (``mock_server`` fixture).

Skipped cleanly when the project's ``mock_server`` fixture (tests/conftest.py) is not there.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import requests
from click.testing import CliRunner
from flowservice_client import (
    DYNAMICS_BASIC_AUTH,
    DYNAMICS_SERVICE_PRINCIPAL_AUTH,
    DYNAMICS_SPEC_ID,
    BadRequestError,
    ClientCredentialsTokenProvider,
    FlowServiceClient,
    ForbiddenError,
    NotFoundError,
    PreconditionFailedError,
)
from flowservice_client._cli import cli
from flowservice_client._errors import error_from_response

pytestmark = pytest.mark.server

ORG = "5C1328435BF324E90A49402A@AdobeOrg"
MASK = "********"
SERVICE_URI = "https://contoso.crm.dynamics.com"


@pytest.fixture
def server(request: pytest.FixtureRequest) -> Any:
    """The project's ``mock_server`` (url, base_url), or a skip when it does not exist yet."""
    try:
        return request.getfixturevalue("mock_server")
    except pytest.FixtureLookupError:
        pytest.skip("the mock_server fixture is not available")


@pytest.fixture
def fs(server: Any) -> Iterator[FlowServiceClient]:
    client = FlowServiceClient(
        server.url + "/data/foundation/flowservice",
        access_token="test-token",
        api_key="test-client",
        org_id=ORG,
        retries=1,
        backoff_factor=0,
        timeout=10,
    )
    yield client
    client.close()


def create_basic(fs: FlowServiceClient, name: str = "crm basic") -> str:
    ref = fs.create_dynamics_connection(
        name, service_uri=SERVICE_URI, username="ops@contoso.example", password="s3cret!"
    )
    return ref.id


def test_dynamics_end_to_end(fs: FlowServiceClient) -> None:
    basic = fs.create_dynamics_connection(
        "crm basic", service_uri=SERVICE_URI, username="ops@contoso.example", password="s3cret!"
    )
    principal = fs.create_dynamics_connection(
        "crm sp", service_uri=SERVICE_URI, service_principal_id="sp-id", service_principal_key="k"
    )
    assert basic.etag
    assert basic.etag.startswith('"')

    got = fs.retrieve_connection(basic.id)
    assert got.auth is not None
    assert got.auth.spec_name == DYNAMICS_BASIC_AUTH
    assert got.auth.params["password"] == MASK
    assert got.auth.params["username"] == "ops@contoso.example"
    assert got.etag == basic.etag
    assert got.state == "enabled"
    sp = fs.retrieve_connection(principal.id)
    assert sp.auth is not None
    assert sp.auth.spec_name == DYNAMICS_SERVICE_PRINCIPAL_AUTH
    assert sp.auth.params["servicePrincipalKey"] == MASK

    listed = list(fs.list_connections(filters={"connectionSpec.id": DYNAMICS_SPEC_ID}))
    assert {c.id for c in listed} == {basic.id, principal.id}
    assert fs.count_connections({"name": "crm sp"}) == 1

    patched = fs.patch_connection(
        basic.id, [{"op": "replace", "path": "/name", "value": "renamed"}], if_match=basic.etag
    )
    assert patched.etag != basic.etag
    assert fs.retrieve_connection(basic.id).name == "renamed"

    fs.delete_connection(basic.id)
    with pytest.raises(NotFoundError) as info:
        fs.retrieve_connection(basic.id)
    assert info.value.code == "FLOW-1439-404"
    assert info.value.request_id
    assert [c.id for c in fs.list_connections()] == [principal.id]


def test_patch_etag_rules(fs: FlowServiceClient) -> None:
    conn_id = create_basic(fs)
    rename = [{"op": "replace", "path": "/name", "value": "n2"}]
    with pytest.raises(BadRequestError) as missing:
        fs.patch_connection(conn_id, rename)
    assert missing.value.code == "FLOW-1403-400"
    fresh = fs.patch_connection(conn_id, rename, fetch_etag=True)
    with pytest.raises(PreconditionFailedError) as stale:
        fs.patch_connection(conn_id, rename, if_match='"not-the-etag"')
    assert stale.value.code == "FLOW-1404-412"
    assert fs.retrieve_connection(conn_id).etag == fresh.etag


def test_unknown_auth_spec_is_flow_1415(fs: FlowServiceClient) -> None:
    with pytest.raises(BadRequestError) as info:
        fs.create_connection("x", DYNAMICS_SPEC_ID, "No Such Auth", {"serviceUri": SERVICE_URI})
    assert info.value.code == "FLOW-1415-400"


def test_pages_are_followed(fs: FlowServiceClient) -> None:
    ids = [create_basic(fs, f"c{i}") for i in range(5)]
    page = fs.list_connections_page(limit=2)
    assert len(page.items) == 2
    assert page.next_href is not None
    assert [c.id for c in fs.list_connections(limit=2)] == ids
    assert [c.name for c in fs.list_connections(orderby="-name", limit=2)] == [
        "c4", "c3", "c2", "c1", "c0",
    ]  # fmt: skip


def test_specs_test_explore_and_publish(fs: FlowServiceClient) -> None:
    spec = fs.find_connection_spec("dynamics-online")
    assert spec.id == DYNAMICS_SPEC_ID
    assert fs.retrieve_connection_spec(DYNAMICS_SPEC_ID).name == "dynamics-online"
    assert "password" in spec.auth_spec(DYNAMICS_BASIC_AUTH).secret_params
    conn_id = create_basic(fs)
    assert fs.test_connection(conn_id) is True
    root = fs.explore_connection(conn_id)
    assert isinstance(root, list)
    assert root
    draft = fs.create_connection(
        "draft",
        DYNAMICS_SPEC_ID,
        DYNAMICS_BASIC_AUTH,
        {"serviceUri": SERVICE_URI, "username": "u", "password": "p"},
        draft=True,
    )
    assert fs.retrieve_connection(draft.id).state == "draft"
    fs.publish_connection(draft.id)
    assert fs.retrieve_connection(draft.id).state == "enabled"


def test_ims_token_from_the_mock(server: Any) -> None:
    provider = ClientCredentialsTokenProvider(
        "test-client", "test-secret", token_url=server.url + "/ims/token/v3"
    )
    client = FlowServiceClient(
        server.url + "/data/foundation/flowservice",
        token_provider=provider,
        api_key="test-client",
        org_id=ORG,
    )
    assert list(client.list_connections()) == []
    assert provider.fetch_count == 1
    client.close()


def test_gateway_bodies_map_to_the_same_codes(server: Any) -> None:
    base = server.url + "/data/foundation/flowservice"
    no_token = requests.get(base + "/connections", timeout=10)
    error = error_from_response(no_token)
    assert isinstance(error, ForbiddenError)
    assert (error.code, error.message) == ("403010", "Oauth token is missing.")
    headers = {"Authorization": "Bearer t", "x-api-key": "k", "x-gw-ims-org-id": ORG}
    plain = requests.post(base + "/connections", data="x", headers=headers, timeout=10)
    error = error_from_response(plain)
    assert isinstance(error, BadRequestError)
    assert error.code == "BadRequestError"


def test_cli_against_the_mock(server: Any, fs: FlowServiceClient) -> None:
    conn_id = create_basic(fs)
    env = {
        "FLOWSERVICE_BASE_URL": server.url + "/data/foundation/flowservice",
        "FLOWSERVICE_ACCESS_TOKEN": "test-token",
        "FLOWSERVICE_API_KEY": "test-client",
        "FLOWSERVICE_ORG_ID": ORG,
    }
    runner = CliRunner()
    listed = runner.invoke(cli, ["connections", "list"], env=env)
    assert listed.exit_code == 0, listed.output
    assert conn_id in listed.stdout
    gone = runner.invoke(
        cli, ["connections", "get", "00000000-0000-0000-0000-000000000000"], env=env
    )
    assert gone.exit_code == 1
    assert "FLOW-1439-404" in gone.stderr
