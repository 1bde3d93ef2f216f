"""Each ``/connections`` method against stubbed HTTP (``responses``): URL, query, body, result."""

from __future__ import annotations

import json
from collections.abc import Iterator
from urllib.parse import parse_qs, urlsplit

import pytest
import responses
from flowservice_client import (
    Connection,
    ConnectionPage,
    CreatedRef,
    DecodingError,
    FlowServiceClient,
    NoResultError,
)
from responses import matchers

BASE = "https://platform.adobe.io/data/foundation/flowservice"
CONN_ID = "4cb0c374-d3bb-4557-b139-5712880adc55"
ETAG = '"9e0052a2-0000-0200-0000-5e35tb330000"'
NEW_ETAG = '"3600e378-0000-0200-0000-5f40212f0000"'
SPEC_ID = "38ad80fe-8b06-4938-94f4-d4ee80266b07"

CONNECTION = {
    "id": CONN_ID,
    "name": "Dynamics",
    "connectionSpec": {"id": SPEC_ID, "version": "1.0"},
    "state": "enabled",
    "auth": {
        "specName": "Basic Authentication for Dynamics-Online",
        "params": {"serviceUri": "https://x.crm.dynamics.com", "username": "u", "password": "p4ss"},
    },
    "version": ETAG,
    "etag": ETAG,
    "createdAt": 1597973312000,
    "updatedAt": 1597973312001,
    "sandboxName": "prod",
}


@pytest.fixture
def client() -> FlowServiceClient:
    return FlowServiceClient(access_token="tok", api_key="key", org_id="ORG@AdobeOrg", retries=0)


@pytest.fixture
def rsps() -> Iterator[responses.RequestsMock]:
    with responses.RequestsMock() as mock:
        yield mock


def query(call: responses.Call) -> dict[str, list[str]]:
    return parse_qs(urlsplit(str(call.request.url)).query)


def conn(n: int) -> dict[str, object]:
    return {**CONNECTION, "id": f"id-{n}", "name": f"c{n}"}


def test_list_follows_next_links_until_links_empty(client, rsps) -> None:
    href = "/connections?continuationToken=abc"
    rsps.get(
        f"{BASE}/connections",
        json={"items": [conn(1), conn(2)], "_links": {"next": {"href": href}}},
        match=[matchers.query_param_matcher({"property": "state==enabled", "limit": "2"})],
    )
    rsps.get(
        f"{BASE}/connections",
        json={"items": [conn(3)], "_links": {}},
        match=[
            matchers.query_param_matcher(
                {"continuationToken": "abc", "property": "state==enabled", "limit": "2"}
            )
        ],
    )
    found = list(client.list_connections(filters=["state==enabled"], limit=2))
    assert [c.id for c in found] == ["id-1", "id-2", "id-3"]
    assert all(isinstance(c, Connection) for c in found)


def test_list_sends_each_filter_as_its_own_property_param(client, rsps) -> None:
    rsps.get(f"{BASE}/connections", json={"items": []})
    filters = {"state": "enabled", "id": ["a", "b"], "auth.params.usePrivateLink": True}
    assert list(client.list_connections(filters=filters, orderby="-createdAt")) == []
    assert query(rsps.calls[0]) == {
        "property": ["state==enabled", "id==a,b", "auth.params.usePrivateLink==true"],
        "orderby": ["-createdAt"],
    }


def test_list_page_returns_the_next_link(client, rsps) -> None:
    links = {"next": {"href": "/connections?continuationToken=t1"}}
    rsps.get(f"{BASE}/connections", json={"items": [conn(1)], "_links": links})
    page = client.list_connections_page(limit=1)
    assert isinstance(page, ConnectionPage)
    assert page.next_href == "/connections?continuationToken=t1"
    assert [c.name for c in page.items] == ["c1"]


def test_next_link_that_repeats_the_base_path_is_followed(client, rsps) -> None:
    href = "/data/foundation/flowservice/connections?continuationToken=t2"
    rsps.get(f"{BASE}/connections", json={"items": [conn(1)], "_links": {"next": {"href": href}}})
    rsps.get(
        f"{BASE}/connections",
        json={"items": [conn(2)], "_links": {}},
        match=[matchers.query_param_matcher({"continuationToken": "t2"})],
    )
    assert [c.id for c in client.list_connections()] == ["id-1", "id-2"]


def test_next_link_to_another_host_is_refused(client, rsps) -> None:
    href = "https://evil.example/connections?continuationToken=x"
    rsps.get(f"{BASE}/connections", json={"items": [conn(1)], "_links": {"next": {"href": href}}})
    with pytest.raises(DecodingError, match="another host"):
        list(client.list_connections())


def test_pagination_loop_is_detected(client, rsps) -> None:
    body = {"items": [conn(1)], "_links": {"next": {"href": "/connections?continuationToken=same"}}}
    rsps.get(f"{BASE}/connections", json=body)
    with pytest.raises(DecodingError, match="loop"):
        list(client.list_connections())
    assert len(rsps.calls) == 2


def test_count_connections(client, rsps) -> None:
    rsps.get(
        f"{BASE}/connections",
        json={"count": 95},
        match=[matchers.query_param_matcher({"count": "true", "property": "state==enabled"})],
    )
    assert client.count_connections(["state==enabled"]) == 95


def test_count_with_unexpected_body_is_a_decoding_error(client, rsps) -> None:
    rsps.get(f"{BASE}/connections", json={"items": []})
    with pytest.raises(DecodingError):
        client.count_connections()


def test_create_connection_posts_the_documented_body(client, rsps) -> None:
    rsps.post(
        f"{BASE}/connections",
        status=201,
        json={"id": CONN_ID, "etag": ETAG},
        headers={"Location": f"/data/foundation/flowservice/connections/{CONN_ID}"},
    )
    ref = client.create_connection(
        "n", SPEC_ID, "Basic Authentication for Dynamics-Online", {"username": "u"}, description="d"
    )
    assert ref == CreatedRef(id=CONN_ID, etag=ETAG)
    request = rsps.calls[0].request
    assert json.loads(request.body) == {
        "name": "n",
        "description": "d",
        "auth": {
            "specName": "Basic Authentication for Dynamics-Online",
            "params": {"username": "u"},
        },
        "connectionSpec": {"id": SPEC_ID, "version": "1.0"},
    }
    assert request.headers["Content-Type"] == "application/json"
    assert query(rsps.calls[0]) == {}


def test_create_draft_adds_mode_draft(client, rsps) -> None:
    rsps.post(
        f"{BASE}/connections",
        status=201,
        json={"id": CONN_ID, "etag": ETAG},
        match=[matchers.query_param_matcher({"mode": "draft"})],
    )
    assert client.create_connection("n", SPEC_ID, "s", {}, draft=True).id == CONN_ID
    assert "description" not in json.loads(rsps.calls[0].request.body)


def test_retrieve_unwraps_items(client, rsps) -> None:
    rsps.get(f"{BASE}/connections/{CONN_ID}", json={"items": [CONNECTION]})
    found = client.retrieve_connection(CONN_ID)
    assert found.id == CONN_ID
    assert found.etag == ETAG
    assert found.state == "enabled"
    assert found.connection_spec is not None
    assert found.connection_spec.id == SPEC_ID
    assert found.auth is not None
    assert found.auth.spec_name.startswith("Basic")
    assert found.created_at == 1597973312000
    assert found.sandbox_name == "prod"
    assert found.raw["auth"]["params"]["username"] == "u"


def test_retrieve_with_empty_items_is_no_result(client, rsps) -> None:
    rsps.get(f"{BASE}/connections/{CONN_ID}", json={"items": []})
    with pytest.raises(NoResultError):
        client.retrieve_connection(CONN_ID)


def test_connection_repr_hides_auth_param_values(client, rsps) -> None:
    rsps.get(f"{BASE}/connections/{CONN_ID}", json={"items": [CONNECTION]})
    text = repr(client.retrieve_connection(CONN_ID))
    assert "p4ss" not in text
    assert "password" in text


def test_ids_are_escaped_in_paths(client, rsps) -> None:
    rsps.delete(f"{BASE}/connections/a%2F..%2Fb", status=204)
    client.delete_connection("a/../b")
    assert rsps.calls[0].request.path_url == "/data/foundation/flowservice/connections/a%2F..%2Fb"


def test_patch_sends_if_match_and_json_patch(client, rsps) -> None:
    ops = [{"op": "replace", "path": "/name", "value": "new"}]
    rsps.patch(
        f"{BASE}/connections/{CONN_ID}",
        json={"id": CONN_ID, "etag": NEW_ETAG},
        match=[matchers.header_matcher({"If-Match": ETAG, "Content-Type": "application/json"})],
    )
    ref = client.patch_connection(CONN_ID, ops, if_match=ETAG)
    assert ref.etag == NEW_ETAG
    assert json.loads(rsps.calls[0].request.body) == ops


def test_patch_with_fetch_etag_gets_first(client, rsps) -> None:
    rsps.get(f"{BASE}/connections/{CONN_ID}", json={"items": [CONNECTION]})
    rsps.patch(
        f"{BASE}/connections/{CONN_ID}",
        json={"id": CONN_ID, "etag": NEW_ETAG},
        match=[matchers.header_matcher({"If-Match": ETAG})],
    )
    client.patch_connection(CONN_ID, [{"op": "remove", "path": "/description"}], fetch_etag=True)
    assert [c.request.method for c in rsps.calls] == ["GET", "PATCH"]


def test_patch_without_etag_sends_no_if_match(client, rsps) -> None:
    rsps.patch(f"{BASE}/connections/{CONN_ID}", json={"id": CONN_ID, "etag": NEW_ETAG})
    client.patch_connection(CONN_ID, [])
    assert "If-Match" not in rsps.calls[0].request.headers


def test_delete_returns_none_on_204(client, rsps) -> None:
    rsps.delete(f"{BASE}/connections/{CONN_ID}", status=204)
    assert client.delete_connection(CONN_ID) is None
    assert "Content-Type" not in rsps.calls[0].request.headers


@pytest.mark.parametrize("result", [True, False])
def test_test_connection(client, rsps, result: bool) -> None:
    rsps.get(f"{BASE}/connections/{CONN_ID}/test", json={"result": result})
    assert client.test_connection(CONN_ID) is result


def test_test_connection_rejects_non_bool(client, rsps) -> None:
    rsps.get(f"{BASE}/connections/{CONN_ID}/test", json={"result": "yes"})
    with pytest.raises(DecodingError):
        client.test_connection(CONN_ID)


def test_explore_root_returns_the_bare_array(client, rsps) -> None:
    root = [{"type": "table", "name": "Process Dependency", "path": "workflowdependency"}]
    rsps.get(
        f"{BASE}/connections/{CONN_ID}/explore",
        json=root,
        match=[matchers.query_param_matcher({"objectType": "root"})],
    )
    assert client.explore_connection(CONN_ID) == root


def test_explore_preview_params(client, rsps) -> None:
    body = {"format": "flat", "schema": {"columns": []}, "data": [{"fullname": "Tim Barr"}]}
    expected = {
        "objectType": "table",
        "object": "lead",
        "preview": "true",
        "previewCount": "10",
        "primaryKey": "leadid",
        "determineProperties": "true",
        "fileType": "json",
    }
    rsps.get(
        f"{BASE}/connections/{CONN_ID}/explore",
        json=body,
        match=[matchers.query_param_matcher(expected)],
    )
    result = client.explore_connection(
        CONN_ID,
        "table",
        "lead",
        preview=True,
        preview_count=10,
        primary_key="leadid",
        determineProperties=True,
        fileType="json",
    )
    assert result["data"][0]["fullname"] == "Tim Barr"


def test_search_connections(client, rsps) -> None:
    rsps.post(
        f"{BASE}/connections/search",
        json={"items": [conn(1)], "_links": {}},
        match=[matchers.json_params_matcher({"queryString": "name==c1", "limit": 5})],
    )
    page = client.search_connections("name==c1", limit=5)
    assert [c.id for c in page.items] == ["id-1"]
    assert page.next_href is None


def test_publish_connection(client, rsps) -> None:
    rsps.post(
        f"{BASE}/connections/{CONN_ID}/action",
        json={"id": CONN_ID, "etag": NEW_ETAG},
        match=[matchers.query_param_matcher({"op": "publish"})],
    )
    assert client.publish_connection(CONN_ID).etag == NEW_ETAG


def test_created_ref_without_id_is_a_decoding_error(client, rsps) -> None:
    rsps.post(f"{BASE}/connections", status=201, json={"etag": ETAG})
    with pytest.raises(DecodingError):
        client.create_connection("n", SPEC_ID, "s", {})


def test_non_json_success_body_is_a_decoding_error(client, rsps) -> None:
    rsps.get(f"{BASE}/connections/{CONN_ID}", body="<html>", content_type="text/html")
    with pytest.raises(DecodingError, match="text/html"):
        client.retrieve_connection(CONN_ID)


@pytest.mark.parametrize(
    "body", [{"items": {"id": CONN_ID}}, [CONNECTION], {"items": ["not-an-object"]}]
)
def test_malformed_single_bodies_are_decoding_errors(client, rsps, body) -> None:
    rsps.get(f"{BASE}/connections/{CONN_ID}", json=body)
    with pytest.raises(DecodingError):
        client.retrieve_connection(CONN_ID)


def test_bare_single_object_is_accepted(client, rsps) -> None:
    rsps.get(f"{BASE}/connections/{CONN_ID}", json=CONNECTION)
    assert client.retrieve_connection(CONN_ID).name == "Dynamics"


def test_listing_without_items_is_a_decoding_error(client, rsps) -> None:
    rsps.get(f"{BASE}/connections", json={"count": 3})
    with pytest.raises(DecodingError, match="items"):
        client.list_connections_page()


def test_search_with_order_and_continuation(client, rsps) -> None:
    rsps.post(
        f"{BASE}/connections/search",
        json={"items": [], "_links": {}},
        match=[
            matchers.query_param_matcher({"continuationToken": "tok"}),
            matchers.json_params_matcher({"queryString": "q", "orderby": "-name"}),
        ],
    )
    assert client.search_connections("q", orderby="-name", continuation_token="tok").items == ()
