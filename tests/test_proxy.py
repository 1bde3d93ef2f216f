"""The validation proxy over sockets: an upstream mock on loopback configured to differ, the
proxy in front of it with a shadow mock, and the drift report that must show exactly the
differences made (and nothing when there are none)."""

from __future__ import annotations

import copy
import dataclasses
import gzip
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from mock_flowservice import create_app, of_app
from mock_flowservice.catalog import AuthSpec, Catalog, ConnectionSpec, load_catalog
from mock_flowservice.context import EXTENSION_KEY
from mock_flowservice.proxy import ProxySettings, create_proxy_app, proxy_state
from mock_flowservice.proxy.forward import Answer, Upstream, UpstreamError, decoded_body, end_to_end
from mock_flowservice.proxy.report import markdown

from .support import (
    BASE_PATH,
    DYNAMICS_BASIC,
    DYNAMICS_SPEC_ID,
    HEADERS,
    MockServer,
    dynamics_basic_body,
    start_server,
)

pytestmark = pytest.mark.server

CANARY = "mfs-canary-7f3a9c"


@pytest.fixture
def upstream() -> Iterator[MockServer]:
    server = start_server(create_app())
    yield server
    server.stop()


class Proxied:
    """A proxy app served on loopback in front of ``upstream``."""

    def __init__(self, upstream: MockServer, **settings: Any) -> None:
        self.app = create_proxy_app(ProxySettings(upstream=upstream.url, **settings))
        self.server = start_server(self.app)
        self.base = self.server.url + BASE_PATH

    @property
    def report(self) -> dict[str, Any]:
        return proxy_state(self.app).report.as_json()

    def disagreements(self) -> list[dict[str, Any]]:
        return [d for op in self.report["operations"] for d in op["disagreements"]]

    def stop(self) -> None:
        self.server.stop()
        proxy_state(self.app).close()


@pytest.fixture
def proxied(upstream: MockServer) -> Iterator[Proxied]:
    proxy = Proxied(upstream, shadow=True)
    yield proxy
    proxy.stop()


def _round_trip(base: str) -> dict[str, Any]:
    """A connection created, read, listed, patched, searched, tested and deleted."""
    created = requests.post(f"{base}/connections", json=dynamics_basic_body(), headers=HEADERS)
    assert created.status_code == 201, created.text
    cid = created.json()["id"]
    read = requests.get(f"{base}/connections/{cid}", headers=HEADERS)
    etag = read.json()["items"][0]["etag"]
    patch = [{"op": "replace", "path": "/name", "value": "renamed"}]
    patched = requests.patch(
        f"{base}/connections/{cid}", json=patch, headers={**HEADERS, "If-Match": etag}
    )
    assert patched.status_code == 200, patched.text
    assert requests.get(f"{base}/connections", headers=HEADERS).status_code == 200
    assert requests.get(f"{base}/connections?count=true", headers=HEADERS).status_code == 200
    assert requests.get(f"{base}/connections/{cid}/test", headers=HEADERS).status_code == 200
    assert requests.get(f"{base}/connectionSpecs/{DYNAMICS_SPEC_ID}", headers=HEADERS).ok
    assert requests.get(f"{base}/connections/missing-id", headers=HEADERS).status_code == 404
    assert requests.delete(f"{base}/connections/{cid}", headers=HEADERS).status_code == 204
    return {"id": cid}


def _create(base: str) -> str:
    created = requests.post(f"{base}/connections", json=dynamics_basic_body(), headers=HEADERS)
    assert created.status_code == 201, created.text
    return str(created.json()["id"])


def test_answers_pass_through_unchanged(upstream: MockServer, proxied: Proxied) -> None:
    direct = requests.get(
        f"{upstream.base_url}/connectionSpecs/{DYNAMICS_SPEC_ID}", headers=HEADERS
    )
    through = requests.get(f"{proxied.base}/connectionSpecs/{DYNAMICS_SPEC_ID}", headers=HEADERS)
    assert (through.status_code, through.content) == (direct.status_code, direct.content)
    assert through.headers["Content-Type"] == direct.headers["Content-Type"]
    seen = upstream.journal[-1]
    assert seen.headers["x-gw-ims-org-id"] == HEADERS["x-gw-ims-org-id"]
    assert seen.headers["Host"] == upstream.url.removeprefix("http://")  # rewritten to upstream


def test_no_differences_make_a_report_of_zero_disagreements(proxied: Proxied) -> None:
    _round_trip(proxied.base)
    report = proxied.report
    assert report["exchanges"] == 9
    assert report["agreed"] == 9, json.dumps(proxied.disagreements(), indent=1)
    assert all(op["compared"] == op["exchanges"] for op in report["operations"])
    assert {op["operationId"] for op in report["operations"]} >= {
        "createConnection", "retrieveConnection", "patchConnection", "deleteConnection",
    }  # fmt: skip
    assert "| `POST /connections` | createConnection | 1 | 1 | 0 |" in markdown(report)


def test_an_override_of_a_status_is_the_one_difference(
    upstream: MockServer, proxied: Proxied
) -> None:
    cid = _create(proxied.base)
    upstream.add_override("GET", "*/test", status=202, body={"result": True}, times=1)
    assert (
        requests.get(f"{proxied.base}/connections/{cid}/test", headers=HEADERS).status_code == 202
    )
    [item] = proxied.disagreements()
    assert item["findings"] == [
        {"kind": "status", "message": "202 is not a status the mock documents for "
                                      "GET /connections/{connectionId}/test"}
    ]  # fmt: skip
    assert item["differences"] == [
        {"kind": "status", "where": "status", "upstream": 202, "mock": 200}
    ]
    assert (item["upstream"]["status"], item["mock"]["status"]) == (202, 200)


def test_an_override_of_an_error_code_is_the_one_difference(
    upstream: MockServer, proxied: Proxied
) -> None:
    real = requests.get(f"{upstream.base_url}/connections/gone", headers=HEADERS).json()
    changed = {**real, "type": real["type"].replace("1439-404", "1100-400")}
    upstream.add_override("GET", "*/connections/gone", status=404, body=changed)
    assert requests.get(f"{proxied.base}/connections/gone", headers=HEADERS).status_code == 404
    [item] = proxied.disagreements()
    assert item["findings"] == [  # the document's 404 body names 1439 only, and the code's status
        {"kind": "response-schema", "message": "$ breaks 'anyOf' of the mock's schema"},
        {"kind": "error-code", "message": "FLOW-1100-400 answered with status 404"},
    ]
    assert item["differences"] == [
        {
            "kind": "error-code",
            "where": "code",
            "upstream": "FLOW-1100-400",
            "mock": "FLOW-1439-404",
        }
    ]


def test_an_override_of_a_field_is_the_one_difference(
    upstream: MockServer, proxied: Proxied
) -> None:
    cid = _create(proxied.base)
    real = requests.get(f"{upstream.base_url}/connections/{cid}", headers=HEADERS).json()
    changed = copy.deepcopy(real)
    changed["items"][0]["state"] = "disabled"
    changed["items"][0]["owner"] = "someone"
    upstream.add_override("GET", f"*/connections/{cid}", status=200, body=changed, times=1)
    requests.get(f"{proxied.base}/connections/{cid}", headers=HEADERS)
    [item] = proxied.disagreements()
    assert item["findings"] == [  # the document allows no member it does not name
        {"kind": "response-schema",
         "message": "$.items[0] breaks 'additionalProperties' of the mock's schema"}
    ]  # fmt: skip
    where = f"$.items[id={cid}]"
    assert sorted(item["differences"], key=lambda d: d["where"]) == [
        {"kind": "field", "where": f"{where}.owner", "upstream": "present", "mock": "absent"},
        {"kind": "value", "where": f"{where}.state", "upstream": "disabled", "mock": "enabled"},
    ]
    text = markdown(proxied.report)
    assert f"| value | `{where}.state` | `disabled` | `enabled` |" in text


def _with_required_param(catalog: Catalog, param: str) -> Catalog:
    """The catalog with the Dynamics basic auth spec wanting one more param."""
    specs = []
    for spec in catalog:
        if spec.id == DYNAMICS_SPEC_ID:
            raw = copy.deepcopy(dict(spec.raw))
            for auth in raw["authSpec"]:
                if auth["name"] == DYNAMICS_BASIC:
                    auth["spec"]["properties"][param] = {"type": "string"}
                    auth["spec"]["required"] = [*auth["spec"]["required"], param]
            auths = {a["name"]: AuthSpec(a["name"], a["spec"]) for a in raw["authSpec"]}
            spec = ConnectionSpec(raw=raw, auth_specs=auths)
        specs.append(spec)
    grown = Catalog([])
    grown._by_id = {spec.id: spec for spec in specs}
    grown._targets = dict(catalog.targets)
    return grown


def test_a_catalog_entry_with_another_required_param_is_caught() -> None:
    app = create_app()
    ctx = of_app(app)
    app.extensions[EXTENSION_KEY] = dataclasses.replace(
        ctx, catalog=_with_required_param(load_catalog(), "tenantDomain")
    )
    upstream = start_server(app)
    proxy = Proxied(upstream, shadow=True)
    try:
        spec = requests.get(f"{proxy.base}/connectionSpecs/{DYNAMICS_SPEC_ID}", headers=HEADERS)
        assert spec.status_code == 200
        body = dynamics_basic_body()
        body["auth"]["params"]["tenantDomain"] = "contoso"
        created = requests.post(f"{proxy.base}/connections", json=body, headers=HEADERS)
        assert created.status_code == 201
    finally:
        proxy.stop()
        upstream.stop()
    first, second = proxy.disagreements()
    kinds = {f["kind"] for f in first["findings"]}
    assert kinds == {"connection-spec"}
    assert any("required upstream" in f["message"] and "tenantDomain" in f["message"]
               for f in first["findings"])  # fmt: skip
    assert {d["kind"] for d in first["differences"]} <= {"value", "field", "length"}
    assert all(".authSpec" in d["where"] for d in first["differences"])
    assert any("tenantDomain" in d["where"] for d in first["differences"])
    assert [f["kind"] for f in second["findings"]] == ["auth-params"]
    assert second["differences"][0] == {
        "kind": "status", "where": "status", "upstream": 201, "mock": 400
    }  # fmt: skip
    assert {d["kind"] for d in second["differences"]} <= {"status", "error-code", "field"}


def test_a_redirect_is_returned_not_followed(upstream: MockServer) -> None:
    elsewhere = start_server(create_app())
    proxy = Proxied(upstream)
    try:
        target = f"{elsewhere.base_url}/connections"
        upstream.add_override("GET", "*/connections", status=302, headers={"Location": target})
        answer = requests.get(f"{proxy.base}/connections", headers=HEADERS, allow_redirects=False)
        assert (answer.status_code, answer.headers["Location"]) == (302, target)
        assert elsewhere.journal == []  # nothing reached the other server
        assert len(upstream.journal) == 1
    finally:
        proxy.stop()
        elsewhere.stop()


def test_only_the_flow_service_and_ims_paths_are_forwarded(
    upstream: MockServer, proxied: Proxied
) -> None:
    for path in ("/__mock__/reset", "/elsewhere", "//evil.example/x"):
        answer = requests.post(proxied.server.url + path, headers=HEADERS)
        assert (answer.status_code, answer.json()["error_code"]) == (404, "404000")
    assert upstream.journal == []
    assert requests.get(proxied.server.url + "/__proxy__/health").json() == {"status": "ok"}
    assert requests.get(proxied.server.url + "/__proxy__/report").json()["exchanges"] == 0


def test_an_unreachable_upstream_is_a_502(upstream: MockServer) -> None:
    proxy = Proxied(upstream)
    upstream.stop()
    try:
        answer = requests.get(f"{proxy.base}/connections", headers=HEADERS)
        assert answer.status_code == 502
        assert answer.json()["type"].endswith("FLOW-1102-500")
    finally:
        proxy.stop()


def test_a_canary_secret_is_in_no_recording_report_or_log(
    upstream: MockServer, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level("DEBUG")
    proxy = Proxied(upstream, shadow=True, record=tmp_path / "rec")
    try:
        token = requests.post(
            proxy.server.url + "/ims/token/v3",
            data={"grant_type": "client_credentials", "client_id": "me",
                  "client_secret": CANARY, "scope": "openid"},
        ).json()["access_token"]  # fmt: skip
        secret_headers = {**HEADERS, "Authorization": f"Bearer {token}", "Cookie": f"s={CANARY}"}
        body = dynamics_basic_body(password=CANARY)
        created = requests.post(f"{proxy.base}/connections", json=body, headers=secret_headers)
        cid = created.json()["id"]
        etag = requests.get(f"{proxy.base}/connections/{cid}", headers=secret_headers).json()
        patch = [{"op": "replace", "path": "/auth/params/password", "value": CANARY + "2"}]
        requests.patch(
            f"{proxy.base}/connections/{cid}?client_secret={CANARY}",
            json=patch,
            headers={**secret_headers, "If-Match": etag["items"][0]["etag"]},
        )
        report = json.dumps(proxy.report) + markdown(proxy.report)
    finally:
        proxy.stop()
    recorded = "".join(p.read_text("utf-8") for p in (tmp_path / "rec").rglob("*.json"))
    assert len(list((tmp_path / "rec" / "exchanges").glob("*.json"))) == 4
    for text in (recorded, report, caplog.text):
        assert CANARY not in text
        assert token not in text
    assert "Authorization" not in recorded
    assert "Cookie" not in recorded


def test_compressed_answers_are_passed_on_as_sent_and_checked_decoded() -> None:
    body = json.dumps({"items": []}).encode()
    packed = gzip.compress(body)
    answer = Answer(200, (("Content-Encoding", "gzip"),), packed)
    assert decoded_body(answer) == body
    assert decoded_body(Answer(200, (("Content-Encoding", "gzip"),), b"not gzip")) == b"not gzip"
    assert decoded_body(Answer(200, (), body)) == body


def test_hop_by_hop_headers_are_dropped() -> None:
    headers = [("Connection", "keep-alive, X-Private"), ("X-Private", "1"), ("Keep-Alive", "5"),
               ("Transfer-Encoding", "chunked"), ("Host", "me"), ("x-api-key", "k")]  # fmt: skip
    assert end_to_end(headers) == [("x-api-key", "k")]


def test_upstream_urls_are_checked() -> None:
    for bad in ("ftp://host", "http://", "https://user:pw@host", "https://host?x=1"):
        with pytest.raises(ValueError, match="upstream"):
            Upstream(bad)
    upstream = Upstream("https://platform.example", "https://ims.example")
    assert upstream.target("/ims/token/v3") == ("https://ims.example", "ims.example")
    assert upstream.target(BASE_PATH + "/x") == ("https://platform.example", "platform.example")
    with pytest.raises(UpstreamError, match="absolute"):
        upstream.send("GET", "//other.example/x", "", (), b"")
