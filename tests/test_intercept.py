"""``intercept()``: real ``requests`` calls to the real Adobe URLs, served in-process."""

from __future__ import annotations

import importlib
from collections.abc import Iterator

import pytest
import requests
import responses
from flowservice_client import ClientCredentialsTokenProvider, FlowServiceClient

from mock_flowservice import Intercept, create_app, intercept, of_app
from mock_flowservice.control.faults import FaultRule
from mock_flowservice.intercept import DEFAULT_IMS_URL

from .support import DYNAMICS_SP, HEADERS, ORG, dynamics_basic_body, dynamics_sp_body

BASE = "https://platform.adobe.io/data/foundation/flowservice"
MASK = "********"


@pytest.fixture
def mock() -> Iterator[Intercept]:
    with intercept() as active:
        yield active


def create(body: dict[str, object] | None = None) -> dict[str, str]:
    response = requests.post(
        f"{BASE}/connections", json=body or dynamics_basic_body(), headers=HEADERS
    )
    assert response.status_code == 201, response.text
    return dict(response.json())


def test_dynamics_crud_through_requests(mock: Intercept) -> None:
    created = create()
    url = f"{BASE}/connections/{created['id']}"
    got = requests.get(url, headers=HEADERS)
    assert got.status_code == 200
    item = got.json()["items"][0]
    assert item["auth"]["params"]["password"] == MASK
    assert item["etag"] == created["etag"]

    listed = requests.get(
        f"{BASE}/connections", params={"property": "state==enabled"}, headers=HEADERS
    )
    assert [c["id"] for c in listed.json()["items"]] == [created["id"]]

    ops = [{"op": "replace", "path": "/name", "value": "Renamed"}]
    patched = requests.patch(url, json=ops, headers={**HEADERS, "If-Match": created["etag"]})
    assert patched.status_code == 200
    assert patched.json()["etag"] != created["etag"]
    assert requests.get(url, headers=HEADERS).json()["items"][0]["name"] == "Renamed"

    deleted = requests.delete(url, headers=HEADERS)
    assert deleted.status_code == 204
    assert deleted.content == b""
    assert requests.get(url, headers=HEADERS).status_code == 404
    assert mock.connections() == []


def test_response_status_headers_and_errors_are_carried(mock: Intercept) -> None:
    response = requests.post(f"{BASE}/connections", json={}, headers=HEADERS)
    assert response.status_code == 400
    assert response.headers["Content-Type"] == "application/json"
    assert response.headers["x-request-id"]
    no_token = requests.get(f"{BASE}/connections", headers={"x-api-key": "k"})
    assert no_token.status_code == 403
    assert no_token.json()["error_code"] == "403010"
    head = requests.head(f"{BASE}/connections", headers=HEADERS)
    assert head.status_code == 200
    assert head.content == b""


def test_location_header_and_chunked_body(mock: Intercept) -> None:
    import json

    chunks = iter([json.dumps(dynamics_basic_body()).encode()])
    response = requests.post(f"{BASE}/connections", data=chunks, headers=HEADERS)
    assert response.status_code == 201
    assert response.headers["Location"].endswith(response.json()["id"])


def test_ims_token_and_client_end_to_end() -> None:
    with intercept({"token_policy": "issued", "ims_clients": {"app": "secret"}}) as mock:
        session = requests.Session()
        provider = ClientCredentialsTokenProvider("app", "secret", session=session)
        client = FlowServiceClient(
            token_provider=provider, api_key="app", org_id=ORG, session=session
        )
        ref = client.create_dynamics_connection(
            "Dynamics", service_uri="https://x.crm.dynamics.com", username="u", password="p"
        )
        assert client.retrieve_connection(ref.id).raw["createdBy"] == "app@techacct.adobe.com"
        assert provider.fetch_count == 1
        mock.assert_called("POST", r"^/ims/token/v3$", times=1)
        refused = requests.post(DEFAULT_IMS_URL, data={"grant_type": "client_credentials"})
        assert refused.status_code == 400


def test_listing_pages_follow_next_links(mock: Intercept) -> None:
    for n in range(5):
        mock.create_connection(dynamics_basic_body(name=f"c{n}"), org_id=ORG)
    client = FlowServiceClient(access_token="t", api_key="k", org_id=ORG)
    names = [c.name for c in client.list_connections(limit=2)]
    assert names == [f"c{n}" for n in range(5)]
    assert len(mock.calls("GET", r"/connections$")) == 3


def test_other_urls_are_refused(mock: Intercept, loopback: str) -> None:
    with pytest.raises(requests.ConnectionError, match="Connection refused by Responses"):
        requests.get(loopback)
    assert mock.journal == []


def test_passthrough_lets_other_urls_out(loopback: str) -> None:
    with intercept(passthrough=True):
        assert requests.get(loopback).text == "hello from loopback"
        assert requests.get(f"{BASE}/connections", headers=HEADERS).status_code == 200


def test_add_passthru_before_and_while_active(loopback: str) -> None:
    mock = intercept()
    mock.add_passthru("http://127.0.0.1:1/")
    with mock:
        with pytest.raises(requests.ConnectionError):
            requests.get(loopback)
        mock.add_passthru(loopback)
        assert requests.get(loopback).status_code == 200


def test_decorator_form_activates_only_during_the_call() -> None:
    mock = intercept()
    original = requests.adapters.HTTPAdapter.send

    @mock
    def create_one(name: str) -> int:
        assert mock.active
        body = dynamics_basic_body(name=name)
        return requests.post(f"{BASE}/connections", json=body, headers=HEADERS).status_code

    assert create_one("decorated") == 201
    assert create_one.__name__ == "create_one"
    assert not mock.active
    assert requests.adapters.HTTPAdapter.send is original
    assert [c.name for c in mock.connections()] == ["decorated"]


@intercept()
def test_decorator_on_a_test_function() -> None:
    assert requests.get(f"{BASE}/connections", headers=HEADERS).json()["items"] == []


def test_journal_masks_secrets_of_create_bodies(mock: Intercept) -> None:
    create()
    create(dynamics_sp_body())
    basic, principal = (call.body for call in mock.calls("POST", "/connections"))
    assert basic["auth"]["params"] == {
        "serviceUri": "https://contoso.crm.dynamics.com",
        "username": "ops@contoso.example",
        "password": MASK,
    }
    assert principal["auth"]["specName"] == DYNAMICS_SP
    assert principal["auth"]["params"]["servicePrincipalKey"] == MASK
    assert principal["auth"]["params"]["servicePrincipalId"].startswith("0000")
    stored = {c.auth_spec: c.params for c in mock.connections()}
    assert stored[DYNAMICS_SP]["servicePrincipalKey"] == "sp-key-value"
    call = mock.journal[0]
    assert call.headers["Authorization"] == "Bearer ***"
    assert call.headers["x-api-key"] == "test-client"
    assert call.status == 201
    assert call.url == f"{BASE}/connections"
    assert call.response["id"]


def test_journal_masks_everything_when_the_auth_spec_is_unknown(mock: Intercept) -> None:
    body = dynamics_basic_body()
    body["auth"]["specName"] = "No such auth"
    requests.post(f"{BASE}/connections", json=body, headers=HEADERS)
    (call,) = mock.journal
    assert call.status == 400
    assert set(call.body["auth"]["params"].values()) == {MASK}


def test_journal_masks_secrets_of_patch_ops(mock: Intercept) -> None:
    created = create()
    ops = [
        {"op": "replace", "path": "/auth/params/password", "value": "new-password"},
        {"op": "replace", "path": "/auth/params/username", "value": "new-user"},
        {"op": "replace", "path": "/name", "value": "x"},
        {"op": "remove", "path": "/description"},
    ]
    headers = {**HEADERS, "If-Match": created["etag"]}
    assert requests.patch(f"{BASE}/connections/{created['id']}", json=ops, headers=headers).ok
    logged = mock.calls("PATCH")[0].body
    assert [op.get("value") for op in logged] == [MASK, "new-user", "x", None]
    whole = {"serviceUri": "https://y.crm.dynamics.com", "username": "u", "password": "pw"}
    replace_all = [{"op": "replace", "path": "/auth/params", "value": whole}]
    requests.patch(f"{BASE}/connections/{created['id']}", json=replace_all, headers=HEADERS)
    assert mock.calls("PATCH")[1].body[0]["value"] == {**whole, "password": MASK}


def test_journal_masks_patch_ops_of_unknown_connections(mock: Intercept) -> None:
    ops = [
        {"op": "add", "path": "/auth/params/anything", "value": "s"},
        {"op": "add", "path": "/auth/params", "value": "not-an-object"},
        {"op": "add", "path": "/auth/params", "value": {"a": 1}},
        "not-an-op",
    ]
    requests.patch(f"{BASE}/connections/nope", json=ops, headers={**HEADERS, "If-Match": "x"})
    assert mock.journal[0].body == [
        {"op": "add", "path": "/auth/params/anything", "value": MASK},
        {"op": "add", "path": "/auth/params", "value": MASK},
        {"op": "add", "path": "/auth/params", "value": {"a": MASK}},
        "not-an-op",
    ]


def test_journal_masks_ims_secrets_and_keeps_other_bodies(mock: Intercept) -> None:
    form = {
        "grant_type": "client_credentials",
        "client_id": "c",
        "client_secret": "s",
        "scope": "o",
    }
    assert requests.post(DEFAULT_IMS_URL, data=form).status_code == 200
    requests.post(f"{BASE}/connections/search", data="not json", headers=HEADERS)
    requests.post(f"{BASE}/connections", json=["no", "auth"], headers=HEADERS)
    search = {"queryString": "state==enabled", "password": "p"}
    requests.post(f"{BASE}/connections/search", json=search, headers=HEADERS)
    token, not_json, odd, searched = mock.journal
    assert token.body == {**form, "client_secret": MASK}
    assert token.response["access_token"] == MASK
    assert token.response["expires_in"] == 86399
    assert "Authorization" not in token.headers
    assert not_json.body is None
    assert odd.body == ["no", "auth"]
    assert searched.body == {"queryString": "state==enabled", "password": MASK}


def test_reset_state_keeps_the_journal_and_clear_journal_keeps_state(mock: Intercept) -> None:
    create()
    mock.reset_state()
    assert mock.connections() == []
    assert len(mock.journal) == 1
    assert len(mock.control.journal) == 1  # the app's own journal saw the call too
    create()
    mock.clear_journal()
    assert mock.journal == []
    assert len(mock.control.journal) == 0
    assert len(mock.connections()) == 1


def test_reset_forgets_data_journal_faults_and_clock(mock: Intercept) -> None:
    create()
    rule = mock.add_fault(path="*/connectionSpecs", status=503)
    assert mock.faults == [rule]
    mock.app.test_client().post("/__mock__/clock", json={"freeze": True, "set": 1000})
    mock.reset()
    assert (mock.connections(), mock.journal, mock.faults) == ([], [], [])
    assert len(mock.control.journal) == 0
    clock = mock.app.test_client().get("/__mock__/clock").get_json()
    assert clock["frozen"] is False
    assert requests.get(f"{BASE}/connectionSpecs", headers=HEADERS).status_code == 200


def test_faults_are_listed_and_removed_one_by_one(mock: Intercept) -> None:
    first = mock.add_fault(path="*/connections", status=503)
    second = mock.add_fault(path="*/flows", status=429)
    assert mock.remove_fault(first) is True
    assert mock.remove_fault(first.id) is False
    assert mock.faults == [second]
    mock.clear_faults()
    assert mock.faults == []


def test_assert_not_called_names_the_journal(mock: Intercept) -> None:
    mock.assert_not_called("POST", r"/connections$")
    create()
    with pytest.raises(AssertionError, match=r"expected no POST .*\n  POST /data/.* -> 201"):
        mock.assert_not_called("POST", r"/connections$")


def test_a_dropped_connection_is_a_connection_error(mock: Intercept) -> None:
    mock.control.faults.add(FaultRule.from_json({"path": "*/connections", "drop": True}))
    with pytest.raises(requests.ConnectionError, match="dropped"):
        requests.get(f"{BASE}/connections", headers=HEADERS)
    (call,) = mock.journal
    assert call.status is None


def test_assert_called_and_calls(mock: Intercept) -> None:
    create()
    requests.get(f"{BASE}/connections", headers=HEADERS)
    assert len(mock.assert_called("post", r"/connections$", times=1)) == 1
    assert len(mock.calls()) == 2
    assert mock.calls(path="/flowservice/") == mock.journal
    with pytest.raises(AssertionError, match=r"expected DELETE '/connections' at least once"):
        mock.assert_called("DELETE", "/connections")
    with pytest.raises(AssertionError, match=r"(?s)2 time\(s\), got 1.*POST /data/foundation"):
        mock.assert_called("POST", "/connections", times=2)
    mock.clear_journal()
    with pytest.raises(AssertionError, match=r"\(empty\)"):
        mock.assert_called("GET", "/connections")


def test_journal_keeps_the_configured_number_of_calls() -> None:
    with intercept({"journal_size": 2}) as mock:
        for _ in range(3):
            requests.get(f"{BASE}/connections", headers=HEADERS)
        assert len(mock.journal) == 2


def test_several_base_urls_a_custom_base_path_and_an_existing_app() -> None:
    stage = "https://platform-stage.adobe.io/data/foundation/flowservice"
    app = create_app({"base_path": "/fs"})
    with intercept(app=app, base_url=[BASE, stage + "/"]) as mock:
        assert mock.app is app
        assert mock.base_url == BASE
        assert requests.get(f"{stage}/connections", headers=HEADERS).status_code == 200
        assert requests.get(f"{BASE}/connections?limit=1", headers=HEADERS).status_code == 200
        assert requests.get(f"{BASE}/connectionSpecs#x", headers=HEADERS).status_code == 200
        assert requests.get(BASE, headers=HEADERS).status_code == 404
        with pytest.raises(requests.ConnectionError):
            requests.get(f"{BASE}x/connections", headers=HEADERS)
    assert of_app(app).store is mock.store


def test_seeded_connections_are_served(mock: Intercept) -> None:
    seeded = mock.create_connection(dynamics_basic_body(name="seeded"), org_id=ORG)
    assert seeded.tenant.sandbox == "prod"
    got = requests.get(f"{BASE}/connections/{seeded.id}", headers=HEADERS).json()
    assert got["items"][0]["name"] == "seeded"
    other = mock.create_connection(dynamics_basic_body(), org_id=ORG, sandbox="dev")
    assert requests.get(f"{BASE}/connections/{other.id}", headers=HEADERS).status_code == 404


def test_misuse_is_refused() -> None:
    with pytest.raises(ValueError, match="either config or app"):
        intercept({}, app=create_app())
    with pytest.raises(ValueError, match="not a base URL"):
        intercept(base_url="platform.adobe.io/data")
    with intercept() as mock, pytest.raises(RuntimeError, match="already active"):
        mock.start()
    mock.stop()  # stopping twice is harmless


def test_nested_inside_another_responses_mock() -> None:
    with responses.RequestsMock() as outer:
        outer.get("https://example.test/ping", body="pong")
        assert requests.get("https://example.test/ping").text == "pong"
        with intercept():
            assert requests.get(f"{BASE}/connections", headers=HEADERS).status_code == 200
        assert requests.get("https://example.test/ping").text == "pong"


def test_the_clients_retries_wait_for_retry_after_in_process(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """responses retries without waiting; intercept() waits the answer's Retry-After first."""
    from flowservice_client import FlowServiceClient

    module = importlib.import_module("mock_flowservice.intercept")  # the package's intercept
    waits: list[float] = []  # is the function of that name
    monkeypatch.setattr(module.time, "sleep", waits.append)
    with intercept() as mock:
        mock.add_fault(path="*/connectionSpecs", status=503, retryAfter=2, count=1)
        client = FlowServiceClient(
            mock.base_url, access_token="t", api_key="k",
            org_id="5C1328435BF324E90A49402A@AdobeOrg", retries=2,
        )  # fmt: skip
        with client:
            assert client.list_connection_specs()  # the retry got the catalog
        assert waits == [2.0]
        assert [c.status for c in mock.calls("GET", "/connectionSpecs")] == [503, 200]
