"""Secret canary: a secret param value never leaves the mock by any way out.

For every source and every auth spec a connection is created whose secret params (``"format":
"password"``) each hold a unique canary; it is then read, listed, searched, tested, patched,
exported, seeded and refused in many ways. No canary may appear in any response body or
header, the journal, the exported state, a log record (plain or JSON-formatted) or the
message of an error the validators raise.
"""

from __future__ import annotations

import json
import logging
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from mock_flowservice import create_app, of_app
from mock_flowservice.catalog import AuthSpec, ConnectionSpec, load_catalog
from mock_flowservice.errors import FlowError
from mock_flowservice.logs import JsonFormatter
from mock_flowservice.model import Tenant
from mock_flowservice.validation import validate_create

from .support import BASE_PATH, HEADERS, ORG

LIST = BASE_PATH + "/connections"
AUTH_SPECS = [
    pytest.param(spec, auth, id=f"{spec.name}/{auth.name}")
    for spec in load_catalog()
    for auth in spec.auth_specs.values()
]


@dataclass
class Leak:
    """Every canary handed to the mock, and every answer it gave."""

    client: FlaskClient
    canaries: set[str] = field(default_factory=set)
    answers: list[TestResponse] = field(default_factory=list)

    def canary(self, label: str) -> str:
        value = f"CANARY-{label}-{uuid.uuid4().hex}"
        self.canaries.add(value)
        return value

    def send(self, method: str, path: str, **kwargs: Any) -> TestResponse:
        response = self.client.open(path, method=method, **kwargs)
        self.answers.append(response)
        return response

    def assert_absent(self, text: str, where: str) -> None:
        for canary in self.canaries:
            assert canary not in text, f"a canary leaked into {where}"


def _plain_value(schema: dict[str, Any], name: str) -> Any:
    kind = schema.get("type")
    return {"boolean": True, "integer": 1, "number": 1.5, "object": {"k": "v"}}.get(
        str(kind), f"value-of-{name}"
    )


def _params(leak: Leak, auth: AuthSpec, label: str) -> dict[str, Any]:
    props: dict[str, Any] = auth.schema.get("properties", {})
    return {
        name: leak.canary(f"{label}-{name}")
        if name in auth.secret_params
        else _plain_value(s, name)
        for name, s in props.items()
    }


def _body(spec: ConnectionSpec, auth: AuthSpec, params: dict[str, Any]) -> dict[str, Any]:
    return {
        "name": f"canary {spec.name}",
        "description": "secret canary",
        "auth": {"specName": auth.name, "params": params},
        "connectionSpec": {"id": spec.id, "version": spec.version},
    }


@pytest.fixture
def app() -> Flask:
    return create_app({"journal_size": 1000})


@pytest.fixture
def leak(app: Flask, caplog: pytest.LogCaptureFixture) -> Iterator[Leak]:
    """The canary bookkeeping; checks every way out once the test is done."""
    caplog.set_level(logging.DEBUG)
    watcher = Leak(app.test_client())
    yield watcher
    client = watcher.client
    for response in watcher.answers:
        watcher.assert_absent(response.get_data(as_text=True), "a response body")
        watcher.assert_absent(str(list(response.headers.items())), "a response header")
    watcher.assert_absent(client.get("/__mock__/journal").get_data(as_text=True), "the journal")
    watcher.assert_absent(client.get("/__mock__/state").get_data(as_text=True), "the state")
    formatter = JsonFormatter()
    records = [*caplog.get_records("setup"), *caplog.get_records("call"), *caplog.records]
    assert records  # the access log at least
    for record in records:
        watcher.assert_absent(record.getMessage(), "a log message")
        watcher.assert_absent(formatter.format(record), "a JSON log line")
        watcher.assert_absent(repr(record.__dict__), "a log record")


def _stored_secrets(app: Flask, connection_id: str, auth: AuthSpec) -> dict[str, Any]:
    stored = of_app(app).store.get("connections", Tenant(ORG, "prod"), connection_id)
    assert stored is not None
    return {key: stored.params.get(key) for key in auth.secret_params}


@pytest.mark.parametrize(("spec", "auth"), AUTH_SPECS)
def test_secrets_never_leave_the_mock(
    app: Flask, leak: Leak, spec: ConnectionSpec, auth: AuthSpec
) -> None:
    params = _params(leak, auth, "create")
    created = leak.send("POST", LIST, json=_body(spec, auth, params), headers=HEADERS)
    assert created.status_code == 201, created.json
    cid, etag = created.json["id"], created.json["etag"]
    assert _stored_secrets(app, cid, auth) == {k: params[k] for k in auth.secret_params}

    got = leak.send("GET", f"{LIST}/{cid}", headers=HEADERS)
    assert got.status_code == 200
    for key in auth.secret_params:
        assert got.json["items"][0]["auth"]["params"][key] == "********"
    assert leak.send("GET", LIST, headers=HEADERS).status_code == 200
    assert leak.send("GET", LIST + "?property=id==" + cid, headers=HEADERS).status_code == 200
    assert (
        leak.send("POST", LIST + "/search", json={"limit": 5}, headers=HEADERS).status_code == 200
    )
    assert leak.send("GET", f"{LIST}/{cid}/test", headers=HEADERS).status_code == 200
    leak.send("GET", f"{LIST}/{cid}/configs", headers=HEADERS)

    etag = _patch_secrets(app, leak, auth, cid, etag)
    _patch_refusals(leak, auth, cid)
    leak.send("DELETE", f"{LIST}/{cid}", headers=HEADERS)


def _patch_secrets(app: Flask, leak: Leak, auth: AuthSpec, cid: str, etag: str) -> str:
    """Replace each secret alone, then all params at once; the mock keeps the new values."""
    for key in sorted(auth.secret_params):
        new = leak.canary(f"patch-{key}")
        ops = [{"op": "replace", "path": f"/auth/params/{key}", "value": new}]
        patched = leak.send(
            "PATCH", f"{LIST}/{cid}", json=ops, headers={**HEADERS, "If-Match": etag}
        )
        assert patched.status_code == 200, patched.json
        etag = patched.json["etag"]
        assert _stored_secrets(app, cid, auth)[key] == new
    params = _params(leak, auth, "patch-all")
    ops = [{"op": "replace", "path": "/auth/params", "value": params}]
    patched = leak.send("PATCH", f"{LIST}/{cid}", json=ops, headers={**HEADERS, "If-Match": etag})
    assert patched.status_code == 200, patched.json
    return str(patched.json["etag"])


def _patch_refusals(leak: Leak, auth: AuthSpec, cid: str) -> None:
    secret = leak.canary("refused-patch")
    key = sorted(auth.secret_params)[0] if auth.secret_params else "unknownParam"
    ops = [{"op": "replace", "path": f"/auth/params/{key}", "value": secret}]
    stale = {**HEADERS, "If-Match": '"stale"'}
    assert leak.send("PATCH", f"{LIST}/{cid}", json=ops, headers=stale).status_code == 412
    assert leak.send("PATCH", f"{LIST}/missing", json=ops, headers=stale).status_code == 404
    unknown = [{"op": "add", "path": "/auth/params/notAParam", "value": secret}]
    stored = of_app(leak.client.application).store.get("connections", Tenant(ORG, "prod"), cid)
    fresh = {**HEADERS, "If-Match": stored.etag}  # initializing connections show no etag
    assert leak.send("PATCH", f"{LIST}/{cid}", json=unknown, headers=fresh).status_code == 400
    bad_type = [{"op": "replace", "path": "/auth/params", "value": [secret]}]
    assert leak.send("PATCH", f"{LIST}/{cid}", json=bad_type, headers=fresh).status_code == 400
    moved = [{"op": "move", "from": "/name", "path": "/auth/params/x", "value": secret}]
    assert leak.send("PATCH", f"{LIST}/{cid}", json=moved, headers=fresh).status_code == 400


def _refused_creates(leak: Leak, spec: ConnectionSpec, auth: AuthSpec) -> list[dict[str, Any]]:
    """Create bodies the mock must refuse, each carrying canaries."""
    bodies = []
    public = sorted(auth.param_names - auth.secret_params)
    if public:
        wrong = _params(leak, auth, "wrong-type")
        props = auth.schema["properties"][public[0]]
        wrong[public[0]] = 12345 if props.get("type") != "integer" else "not-a-number"
        bodies.append(_body(spec, auth, wrong))
    unknown = _params(leak, auth, "unknown")
    unknown["notAParam"] = leak.canary("unknown-param")
    bodies.append(_body(spec, auth, unknown))
    for key in sorted(auth.secret_params):
        typed = _params(leak, auth, "secret-type")
        typed[key] = [leak.canary(f"in-a-list-{key}")]
        bodies.append(_body(spec, auth, typed))
        missing = _params(leak, auth, "missing")
        if key in auth.schema.get("required", []):
            required = [name for name in auth.schema["required"] if name != key]
            missing = {name: value for name, value in missing.items() if name in required}
            bodies.append(_body(spec, auth, missing))
    no_spec = _body(spec, auth, _params(leak, auth, "no-spec"))
    no_spec["auth"]["specName"] = "no such auth spec"
    bodies.append(no_spec)
    no_name = _body(spec, auth, _params(leak, auth, "no-name"))
    no_name["name"] = ""
    bodies.append(no_name)
    return bodies


@pytest.mark.parametrize(("spec", "auth"), AUTH_SPECS)
def test_refused_creates_keep_secrets(
    app: Flask, leak: Leak, spec: ConnectionSpec, auth: AuthSpec
) -> None:
    config = of_app(app).config
    for body in _refused_creates(leak, spec, auth):
        response = leak.send("POST", LIST, json=body, headers=HEADERS)
        assert response.status_code == 400, response.json
        with pytest.raises(FlowError) as raised:
            validate_create(body, of_app(app).catalog, config)
        leak.assert_absent(str(raised.value), "an exception message")
        leak.assert_absent(json.dumps(raised.value.body("rid")), "an error body")
        without_token = {k: v for k, v in HEADERS.items() if k != "Authorization"}
        assert leak.send("POST", LIST, json=body, headers=without_token).status_code == 403
    half = json.dumps(_body(spec, auth, _params(leak, auth, "malformed")))[:-3].encode()
    assert leak.send("POST", LIST, data=half, headers=HEADERS).status_code == 400


def test_ims_client_secret_never_leaks(leak: Leak) -> None:
    secret = leak.canary("ims")
    form = {"grant_type": "client_credentials", "client_id": "me", "client_secret": secret}
    assert leak.send("POST", "/ims/token/v3", data=form | {"scope": "openid"}).status_code == 200
    query = "/ims/token/v3?grant_type=client_credentials&client_id=me&scope=x&client_secret="
    assert leak.send("POST", query + secret).status_code == 200
    assert leak.send("POST", "/ims/token/v3", data={"client_secret": secret}).status_code == 400


def test_seeded_secrets_never_leak(app: Flask, leak: Leak) -> None:
    seeded = []
    for spec in load_catalog():
        for auth in spec.auth_specs.values():
            body = _body(spec, auth, _params(leak, auth, "seed"))
            seeded.append({**body, "imsOrgId": ORG, "sandboxName": "prod"})
    response = leak.send("POST", "/__mock__/seed", json={"connections": seeded})
    assert response.json == {"loaded": len(seeded)}
    bad = [*seeded[:3], {**seeded[3], "imsOrgId": None}]
    response = leak.send("POST", "/__mock__/seed", json={"connections": bad})
    assert response.status_code == 400
    listed = leak.send("GET", LIST + "?limit=100", headers=HEADERS)
    assert len(listed.json["items"]) == len(seeded)


def test_filtering_on_a_secret_is_no_oracle(client: FlaskClient) -> None:
    body = _body(*_dynamics(), {"serviceUri": "u", "username": "n", "password": "pw-oracle"})
    assert client.post(LIST, json=body, headers=HEADERS).status_code == 201
    found = client.get(LIST + "?property=auth.params.password==pw-oracle", headers=HEADERS)
    assert found.json["items"] == []
    masked = client.get(LIST + "?property=auth.params.password==********", headers=HEADERS)
    assert len(masked.json["items"]) == 1


def _dynamics() -> tuple[ConnectionSpec, AuthSpec]:
    spec = load_catalog().get("38ad80fe-8b06-4938-94f4-d4ee80266b07")
    assert spec is not None
    return spec, spec.auth_specs["Basic Authentication for Dynamics-Online"]


def test_the_pipeline_never_carries_a_base_connection_secret(leak: Leak) -> None:
    """Every pipeline route the tutorial uses, on a base connection whose password is a canary;
    then an authored spec's connection, created, patched and refused with canaries."""

    def send(method: str, path: str, body: Any = None, expect: int = 200) -> Any:
        response = leak.send(method, BASE_PATH + path, json=body, headers=HEADERS)
        assert response.status_code == expect, response.json
        return response.json

    spec, auth = _dynamics()
    base = send("POST", "/connections", _body(spec, auth, _params(leak, auth, "base")), 201)["id"]
    send("GET", f"/connections/{base}/explore?objectType=root")
    send("GET", f"/connections/{base}/explore?objectType=table&object=contact&preview=true")
    source_body = {
        "name": "contacts", "baseConnectionId": base, "data": {"format": "tabular"},
        "params": {"tableName": "contact"}, "connectionSpec": {"id": spec.id, "version": "1.0"},
    }  # fmt: skip
    source = send("POST", "/sourceConnections", source_body, 201)["id"]
    target_body = {
        "name": "lake", "params": {"dataSetId": "6889f4f89b982b2b90bc1207"},
        "data": {"schema": {"id": "https://ns.adobe.com/acme/schemas/x", "version": "1"}},
        "connectionSpec": {"id": "c604ff05-7f1a-43c0-8e18-33bf874cb11c", "version": "1.0"},
    }  # fmt: skip
    target = send("POST", "/targetConnections", target_body, 201)["id"]
    assert leak.send("POST", "/__mock__/clock", json={"freeze": True}).status_code == 200
    flow_body = {
        "name": "flow", "flowSpec": {"id": "14518937-270c-4525-bdec-c2ba7cce3860"},
        "sourceConnectionIds": [source], "targetConnectionIds": [target],
        "transformations": [{"name": "Copy", "params": {"deltaColumn": {"name": "modifiedon"}}}],
        "scheduleParams": {"startTime": "1767225600", "frequency": "hour", "interval": "1"},
    }  # fmt: skip
    flow = send("POST", "/flows", flow_body, 201)["id"]
    assert leak.send("POST", "/__mock__/clock", json={"advanceMs": 7_200_000}).status_code == 200
    for path in (
        f"/sourceConnections/{source}",
        f"/targetConnections/{target}",
        f"/flows/{flow}",
        "/sourceConnections",
        "/flows",
        f"/runs?property=flowId=={flow}",
    ):
        send("GET", path)  # fmt: skip
    send("POST", "/flows/search", {"queryString": f"id=={flow}"})
    send("POST", f"/flows/{flow}/action?op=disable")
    send("DELETE", f"/connections/{base}", expect=400)  # in use: the refusal names ids only

    authored = {
        "name": "canary-sdk", "providerId": "0ed90a81-07f4-4586-8190-b40eccef1c5a",
        "authSpec": [{"name": "Basic", "type": "BasicAuthentication", "spec": {
            "type": "object", "required": ["username", "password"],
            "properties": {"username": {"type": "string"},
                           "password": {"type": "string", "format": "password"}}}}],
    }  # fmt: skip
    sdk = send("POST", "/connectionSpecs", authored, 201)["id"]
    params = {"username": "ann", "password": leak.canary("sdk-create")}
    body = {"name": "sdk", "auth": {"specName": "Basic", "params": params},
            "connectionSpec": {"id": sdk, "version": "1.0"}}  # fmt: skip
    created = send("POST", "/connections", body, 201)
    ops = [{"op": "replace", "path": "/auth/params/password", "value": leak.canary("sdk-patch")}]
    patched = leak.send(
        "PATCH", f"{LIST}/{created['id']}", json=ops,
        headers={**HEADERS, "If-Match": created["etag"]},
    )  # fmt: skip
    assert patched.status_code == 200, patched.json
    send("GET", f"/connections/{created['id']}")
    refused = {**body, "auth": {"specName": "Basic", "params": {"password": leak.canary("sdk-x")}}}
    send("POST", "/connections", refused, 400)
