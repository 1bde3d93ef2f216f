"""The inspector's routes in-process: its access rules, its data and the views' content.

The browser side (the page drawn, acted on, refreshed) is ``test_inspector_browser.py``.
"""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from mock_flowservice import create_app
from mock_flowservice.control.overview import pipeline
from mock_flowservice.control.ui import iso_time, pretty

from .support import BASE_PATH, HEADERS, dynamics_basic_body

VIEWS = (
    "/__mock__/ui/view/tenants",
    "/__mock__/ui/view/journal",
    "/__mock__/ui/view/actions",
    "/__mock__/inspect",
)
DATASET_ID = "6889f4f89b982b2b90bc1207"
SCHEMA_ID = "https://ns.adobe.com/acme/schemas/52b59140414aa6a370ef5e21155fd7a686744b8739ecc168"


def _pipeline(client: FlaskClient, password: str) -> dict[str, str]:
    """The Dynamics chain over the API: base, source, target connections and a flow."""
    base = client.post(
        BASE_PATH + "/connections", json=dynamics_basic_body(password=password), headers=HEADERS
    ).json["id"]
    spec = "38ad80fe-8b06-4938-94f4-d4ee80266b07"
    source = client.post(
        BASE_PATH + "/sourceConnections",
        json={
            "name": "contacts source",
            "baseConnectionId": base,
            "connectionSpec": {"id": spec, "version": "1.0"},
            "data": {"format": "tabular"},
            "params": {"tableName": "contact"},
        },
        headers=HEADERS,
    ).json["id"]
    target = client.post(
        BASE_PATH + "/targetConnections",
        json={
            "name": "contacts target",
            "connectionSpec": {"id": "c604ff05-7f1a-43c0-8e18-33bf874cb11c", "version": "1.0"},
            "data": {"format": "parquet_xdm", "schema": {"id": SCHEMA_ID, "version": "1"}},
            "params": {"dataSetId": DATASET_ID},
        },
        headers=HEADERS,
    ).json["id"]
    specs = client.get(BASE_PATH + "/flowSpecs?property=name==CRMToAEP", headers=HEADERS)
    created = client.post(
        BASE_PATH + "/flows",
        json={
            "name": "contacts flow",
            "flowSpec": {"id": specs.json["items"][0]["id"], "version": "1.0"},
            "sourceConnectionIds": [source],
            "targetConnectionIds": [target],
            "transformations": [
                {"name": "Copy", "params": {"deltaColumn": {"name": "modifiedon"}}}
            ],
            "scheduleParams": {"startTime": "1767225600", "frequency": "hour", "interval": "1"},
        },
        headers=HEADERS,
    )
    assert created.status_code == 201, created.json
    return {"base": base, "source": source, "target": target, "flow": created.json["id"]}


@pytest.fixture
def app() -> Flask:
    return create_app()


def test_the_index_links_the_inspector_when_the_control_api_is_on() -> None:
    assert create_app().test_client().get("/").json["inspector"] == "/__mock__/ui"
    page = create_app().test_client().get("/", headers={"Accept": "text/html"})
    assert b'href="/__mock__/ui"' in page.data
    off = create_app({"control_api": "off"}).test_client()
    assert off.get("/").json["inspector"] is None
    for path in ("/__mock__/ui", *VIEWS, "/__mock__/ui/static/inspector.js"):
        answer = off.get(path)
        assert (answer.status_code, answer.json["error_code"]) == (404, "404000"), path


def test_the_shell_and_its_files_are_served_without_any_outside_resource(app: Flask) -> None:
    client = app.test_client()
    shell = client.get("/__mock__/ui")
    assert shell.status_code == 200
    assert shell.mimetype == "text/html"
    text = shell.get_data(as_text=True)
    assert "/__mock__/ui/static/inspector.js" in text
    assert "/__mock__/ui/static/inspector.css" in text
    assert "http://" not in text
    assert "https://" not in text
    for name, kind in (("inspector.js", "javascript"), ("inspector.css", "css")):
        answer = client.get(f"/__mock__/ui/static/{name}")
        assert answer.status_code == 200
        assert kind in answer.mimetype
        assert b"https://" not in answer.data
        assert b"http://" not in answer.data
        answer.close()


@pytest.mark.parametrize("path", ["/__mock__/ui", *VIEWS, "/__mock__/ui/static/inspector.js"])
def test_every_inspector_route_refuses_a_foreign_host_or_origin(app: Flask, path: str) -> None:
    client = app.test_client()
    foreign_host = client.get(path, headers={"Host": "evil.example:8080"})
    assert foreign_host.status_code == 400
    assert foreign_host.json["type"].endswith("FLOW-1100-400")
    foreign_origin = client.get(path, headers={"Origin": "https://evil.example"})
    assert foreign_origin.status_code == 400
    own = client.get(path, headers={"Origin": "http://localhost"})
    assert own.status_code == 200
    own.close()


def test_with_a_control_token_the_views_want_it_and_the_shell_holds_no_data() -> None:
    token = f"token-{uuid.uuid4().hex}"
    client = create_app({"control_token": token}).test_client()
    assert client.get("/__mock__/ui").status_code == 200
    for path in VIEWS:
        refused = client.get(path)
        assert (refused.status_code, refused.json["error_code"]) == (401, "401013"), path
        wrong = client.get(path, headers={"Authorization": "Bearer nope"})
        assert wrong.status_code == 401
        allowed = client.get(path, headers={"Authorization": f"Bearer {token}"})
        assert allowed.status_code == 200, path


def test_the_inspect_route_serves_objects_exactly_as_the_api_does(app: Flask) -> None:
    client = app.test_client()
    canary = f"CANARY-{uuid.uuid4().hex}"
    client.post("/__mock__/clock", json={"freeze": True, "set": 1767225600000})  # startTime
    ids = _pipeline(client, canary)
    client.post("/__mock__/clock", json={"advanceSeconds": 7200})
    other = dict(HEADERS, **{"x-sandbox-name": "dev"})
    client.post(BASE_PATH + "/connections", json=dynamics_basic_body(), headers=other)
    answer = client.get("/__mock__/inspect")
    assert canary.encode() not in answer.data
    document = answer.json
    assert [(t["imsOrgId"], t["sandboxName"]) for t in document["tenants"]] == [
        (HEADERS["x-gw-ims-org-id"], "dev"),
        (HEADERS["x-gw-ims-org-id"], "prod"),
    ]
    prod = document["tenants"][1]
    for kind, key in (
        ("connections", "base"),
        ("sourceConnections", "source"),
        ("targetConnections", "target"),
        ("flows", "flow"),
    ):
        served = client.get(f"{BASE_PATH}/{kind}/{ids[key]}", headers=HEADERS).json["items"][0]
        assert prod[kind] == [served], kind
    runs = client.get(f"{BASE_PATH}/runs?property=flowId=={ids['flow']}", headers=HEADERS)
    assert sorted(r["id"] for r in prod["runs"]) == sorted(r["id"] for r in runs.json["items"])
    assert len(prod["runs"]) == 3  # at the start, an hour and two hours later
    assert document["clock"] == {"now": 1767232800000, "frozen": True, "offsetMs": 0}
    names = document["specNames"]
    assert names["38ad80fe-8b06-4938-94f4-d4ee80266b07"] == "dynamics-online"
    assert "CRMToAEP" in names.values()


def test_the_views_show_the_pipeline_runs_and_masked_secrets(app: Flask) -> None:
    client = app.test_client()
    canary = f"CANARY-{uuid.uuid4().hex}"
    ids = _pipeline(client, canary)
    client.post(
        f"/__mock__/flows/{ids['flow']}/outcomes",
        json={"outcomes": [{"status": "failed", "errors": [{"code": "X-1", "message": "boom"}]}]},
    )
    client.post("/__mock__/clock", json={"advanceSeconds": 3600 * 24 * 400})
    tenants = client.get("/__mock__/ui/view/tenants").get_data(as_text=True)
    for object_id in ids.values():
        assert f'id="obj-{object_id}"' in tenants
    assert "&#34;password&#34;: &#34;********&#34;" in tenants
    flow = client.get(f"/__mock__/ui/view/flows/{ids['flow']}").get_data(as_text=True)
    kinds = ["Base connection", "Source connection", "Flow", "Target connection"]
    positions = [flow.index(f'<span class="kind">{kind}</span>') for kind in kinds]
    assert positions == sorted(positions)
    assert 'class="run-failed"' in flow
    assert "X-1" in flow
    assert "boom" in flow
    assert 'class="run-success"' in flow
    for page in (tenants, flow, client.get("/__mock__/ui/view/journal").get_data(as_text=True)):
        assert canary not in page


def test_a_view_of_an_unknown_flow_is_the_api_not_found(app: Flask) -> None:
    answer = app.test_client().get("/__mock__/ui/view/flows/missing")
    assert answer.status_code == 404
    assert answer.json["type"].endswith("FLOW-1439-404")


def test_the_journal_view_filters_newest_first(app: Flask) -> None:
    client = app.test_client()
    first = client.get(BASE_PATH + "/connections", headers=HEADERS)
    client.get(BASE_PATH + "/connections/nope", headers=HEADERS)
    client.post(BASE_PATH + "/connections", json=dynamics_basic_body(), headers=HEADERS)
    page = client.get("/__mock__/ui/view/journal").get_data(as_text=True)
    assert page.index(">POST<") < page.index(">404<") < page.index(">200<")
    only = client.get("/__mock__/ui/view/journal?status=4xx").get_data(as_text=True)
    assert ">404<" in only
    assert ">200<" not in only
    assert ">201<" not in only
    request_id = first.headers["x-request-id"]
    one = client.get(f"/__mock__/ui/view/journal?requestId={request_id}").get_data(as_text=True)
    assert one.count('class="entry"') == 1
    assert request_id in one
    bad = client.get("/__mock__/ui/view/journal?status=abc")
    assert bad.status_code == 400
    assert bad.json["type"].endswith("FLOW-1100-400")


def test_the_control_journal_filters_by_request_id(app: Flask) -> None:
    client = app.test_client()
    ids = [client.get(BASE_PATH + "/connections", headers=HEADERS).headers["x-request-id"]]
    ids.append(client.get(BASE_PATH + "/flows", headers=HEADERS).headers["x-request-id"])
    found = client.get(f"/__mock__/journal?requestId={ids[1]}").json["items"]
    assert [entry["requestId"] for entry in found] == [ids[1]]
    assert client.get("/__mock__/journal?requestId=unknown").json["items"] == []
    assert len(client.get("/__mock__/journal?requestId=").json["items"]) == 2


def test_the_actions_view_lists_the_rules_and_the_flows(app: Flask) -> None:
    client = app.test_client()
    ids = _pipeline(client, "p")
    client.post("/__mock__/faults", json={"path": "*/flows", "status": 503, "count": 2})
    client.post("/__mock__/overrides", json={"method": "GET", "respond": {"status": 204}})
    client.post("/__mock__/faults", json={"latencyMs": 1})
    client.post("/__mock__/faults", json={"drop": True, "count": 1})
    page = client.get("/__mock__/ui/view/actions").get_data(as_text=True)
    assert "<code>* */flows</code>" in page
    assert "→ 503" in page
    assert "fired 0 of 2" in page
    assert "override 204" in page
    assert "→ latency" in page
    assert "→ drop" in page
    assert f'<option value="{ids["flow"]}">' in page
    client.delete("/__mock__/faults")
    client.post("/__mock__/reset")
    empty = client.get("/__mock__/ui/view/actions").get_data(as_text=True)
    assert "No fault rule or override." in empty
    assert "No flow yet." in empty


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (1767225600000, "2026-01-01T00:00:00Z"),
        (0, "1970-01-01T00:00:00Z"),
        ("soon", "soon"),
        (True, "True"),
        (10**20, str(10**20)),
    ],
)
def test_times_read_as_utc_or_as_given(value: Any, text: str) -> None:
    assert iso_time(value) == text


def test_pretty_json_keeps_text_and_shows_what_json_cannot() -> None:
    assert pretty({"a": "é"}) == '{\n  "a": "é"\n}'
    assert pretty({"b": {1, 2}}).startswith('{\n  "b": "{')


def test_journal_entries_keep_the_answer_masked_and_bounded() -> None:
    app = create_app({"token_policy": "issued", "ims_clients": {"app": "client-secret"}})
    client = app.test_client()
    form = {"grant_type": "client_credentials", "client_id": "app", "scope": "openid"}
    refused = client.post("/ims/token/v3", data=form | {"client_secret": "x"})
    assert refused.status_code == 401
    issued = client.post("/ims/token/v3", data=form | {"client_secret": "client-secret"})
    assert issued.status_code == 200
    token = issued.json["access_token"]
    headers = dict(HEADERS, Authorization=f"Bearer {token}", **{"x-api-key": "app"})
    created = client.post(BASE_PATH + "/connections", json=dynamics_basic_body(), headers=headers)
    deleted = client.delete(f"{BASE_PATH}/connections/{created.json['id']}", headers=headers)
    assert deleted.status_code == 204
    entries = client.get("/__mock__/journal").json["items"]
    bad, ims, create, delete = entries
    assert bad["response"]["error"] == refused.json["error"]
    assert ims["response"]["access_token"] == "********"
    assert token not in str(entries)
    assert create["response"] == created.json
    assert delete["response"] is None  # no body
    page = client.get("/__mock__/ui/view/journal").get_data(as_text=True)
    assert created.json["etag"].strip('"') in page


def test_a_long_or_dropped_answer_is_not_kept() -> None:
    client = create_app({"journal_body_bytes": 64}).test_client()
    listed = client.get(BASE_PATH + "/connectionSpecs", headers=HEADERS)
    assert len(listed.data) > 64
    client.post("/__mock__/faults", json={"drop": True, "count": 1})
    with pytest.raises(ConnectionResetError):
        client.get(BASE_PATH + "/connections", headers=HEADERS)
    client.post("/__mock__/overrides", json={"respond": {"status": 409, "body": {"m": "x"}}})
    client.get(BASE_PATH + "/flows", headers=HEADERS)
    long, dropped, overridden = client.get("/__mock__/journal").json["items"]
    assert (long["status"], long["response"]) == (200, None)
    assert (dropped["status"], dropped["response"]) == (None, None)
    assert (overridden["status"], overridden["response"]) == (409, {"m": "x"})


def test_a_pipeline_names_what_it_cannot_find() -> None:
    flow = {"id": "f", "sourceConnectionIds": ["s1", "s2"], "targetConnectionIds": ["t"]}
    source = {"id": "s2", "baseConnectionId": "gone"}
    tenant = {
        "imsOrgId": "o",
        "sandboxName": "prod",
        "connections": [],
        "sourceConnections": [source],
        "targetConnections": [],
        "flows": [flow],
        "runs": [{"id": "r1", "flowId": "f"}, {"id": "r2", "flowId": "other"}],
    }
    document = {"tenants": [dict(tenant, flows=[]), tenant]}
    assert pipeline(document, "nope") is None
    found = pipeline(document, "f")
    assert found is not None
    assert found["sources"] == [
        {"id": "s1", "source": None, "base": None},
        {"id": "s2", "source": source, "base": None},
    ]
    assert found["targets"] == [{"id": "t", "target": None}]
    assert [run["id"] for run in found["runs"]] == ["r1"]
