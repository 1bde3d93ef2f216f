"""The onboarding code against mock-flowservice: in-process, then over a real socket."""

import pytest
import requests
from dynamics_project import AdobeCredentials, connect_dynamics

ORG_ID = "5C1328435BF324E90A49402A@AdobeOrg"
DYNAMICS = {"service_uri": "https://contoso.crm.dynamics.com", "username": "ops@contoso.example"}


@pytest.fixture
def credentials(flowservice_config):
    """The IMS client the mock was configured with (see conftest.py)."""
    ((client_id, client_secret),) = flowservice_config["ims_clients"].items()
    return AdobeCredentials(client_id, client_secret, ORG_ID)


def test_connect_in_process(flowservice_mock, credentials):
    # No URL is passed: the code talks to the real Adobe URLs, served in-process.
    connection_id = connect_dynamics(credentials, password="s3cret!", **DYNAMICS)

    (stored,) = flowservice_mock.connections()
    assert stored.id == connection_id
    assert stored.tenant.org == ORG_ID
    flowservice_mock.assert_called("POST", r"/ims/token/v3$", times=1)
    (create,) = flowservice_mock.assert_called("POST", r"/connections$", times=1)
    assert create.status == 201
    assert create.body["auth"]["params"]["password"] == "********"  # the journal masks it


def test_connect_over_a_socket(flowservice_server, credentials):
    connection_id = connect_dynamics(
        credentials,
        password="s3cret!",
        base_url=flowservice_server.base_url,
        ims_url=flowservice_server.ims_url,
        **DYNAMICS,
    )

    assert flowservice_server.url.startswith("http://127.0.0.1:")
    assert [c.id for c in flowservice_server.connections()] == [connection_id]


def test_an_answer_the_mock_does_not_model(flowservice_mock, credentials):
    # Force one answer for this edge case (an override), on top of the stateful mock.
    flowservice_mock.add_override(
        "POST", "*/connections", status=409, body={"message": "duplicate"}, times=1
    )
    with pytest.raises(requests.HTTPError) as refused:
        connect_dynamics(credentials, password="s3cret!", **DYNAMICS)
    assert refused.value.response.status_code == 409
    assert flowservice_mock.connections() == []
    connect_dynamics(credentials, password="s3cret!", **DYNAMICS)  # the next one is served
    assert len(flowservice_mock.connections()) == 1


def test_httpx_clients_are_served_too(flowservice_mock, credentials):
    # intercept() serves httpx as it serves requests: the same URLs, the same journal.
    import httpx

    form = {"grant_type": "client_credentials", "client_id": credentials.client_id,
            "client_secret": credentials.client_secret, "scope": "openid"}  # fmt: skip
    token = httpx.post("https://ims-na1.adobelogin.com/ims/token/v3", data=form).json()
    headers = {"Authorization": f"Bearer {token['access_token']}",
               "x-api-key": credentials.client_id, "x-gw-ims-org-id": ORG_ID}  # fmt: skip
    url = "https://platform.adobe.io/data/foundation/flowservice/connectionSpecs"
    response = httpx.get(url, headers=headers, params={"property": 'name=="dynamics-online"'})
    assert response.status_code == 200
    assert [spec["name"] for spec in response.json()["items"]] == ["dynamics-online"]
    flowservice_mock.assert_called("GET", r"/connectionSpecs$", times=1)
