"""Limits and bad input: oversized, malformed and odd requests never get a 5xx or HTML.

Fixed cases first, then a fuzz of fixed budget (hypothesis, derandomized) in-process and a
shorter one over a socket. A 5xx is allowed only when a fault rule asked for it.
"""

from __future__ import annotations

import http.client
import json
from collections.abc import Iterator
from typing import Any
from urllib.parse import quote, urlencode

import pytest
from flask import Flask
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mock_flowservice import create_app, of_app
from mock_flowservice.control.plane import control_of

from .budget import examples
from .support import BASE_PATH, HEADERS, MockServer, dynamics_basic_body

LIST = BASE_PATH + "/connections"
SPEC = BASE_PATH + "/connectionSpecs/38ad80fe-8b06-4938-94f4-d4ee80266b07"


def _assert_sane(status: int, content_type: str | None, body: bytes) -> None:
    assert status < 500, body[:300]
    if body:
        assert content_type is not None
        assert content_type.startswith("application/json"), body[:300]


# -- body size -------------------------------------------------------------------------------

TOO_LARGE = {"error_code": "413000", "message": "Request entity too large"}


@pytest.mark.parametrize("path", [LIST, LIST + "/search", "/ims/token/v3", "/__mock__/seed"])
def test_body_over_the_limit_is_413(path: str) -> None:
    client = create_app({"max_body_bytes": 1000}).test_client()
    response = client.post(path, data=b"x" * 1001, headers=HEADERS)
    assert response.status_code == 413
    assert response.json == TOO_LARGE


def test_body_at_the_limit_is_read() -> None:
    body = json.dumps(dynamics_basic_body()).encode()
    client = create_app({"max_body_bytes": len(body)}).test_client()
    assert client.post(LIST, data=body, headers=HEADERS).status_code == 201


def test_a_get_with_a_large_body_is_413_too() -> None:
    client = create_app({"max_body_bytes": 10}).test_client()
    assert client.get(LIST, data=b"x" * 11, headers=HEADERS).json == TOO_LARGE


def _socket_request(
    server: MockServer, method: str, path: str, body: Any = None, **kwargs: Any
) -> tuple[int, str | None, bytes]:
    host, port = server.url.removeprefix("http://").split(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=10)
    try:
        connection.request(method, path, body=body, **kwargs)
        response = connection.getresponse()
        return response.status, response.getheader("Content-Type"), response.read()
    finally:
        connection.close()


@pytest.fixture
def small_server(mock_server: MockServer) -> Iterator[MockServer]:
    """The session's socket server; fault rules cleared around the test."""
    control_of(mock_server.app).faults.clear()
    yield mock_server
    control_of(mock_server.app).faults.clear()


@pytest.mark.server
def test_chunked_body_over_the_limit_over_a_socket(small_server: MockServer) -> None:
    limit = of_app(small_server.app).config.max_body_bytes
    chunks = (b"x" * 65536 for _ in range(limit // 65536 + 2))
    headers = {**HEADERS, "Transfer-Encoding": "chunked"}
    status, _, body = _socket_request(
        small_server, "POST", LIST, chunks, headers=headers, encode_chunked=True
    )
    assert status == 413
    assert json.loads(body) == TOO_LARGE


@pytest.mark.server
def test_chunked_body_under_the_limit_over_a_socket(small_server: MockServer) -> None:
    data = json.dumps(dynamics_basic_body()).encode()
    chunks = iter([data[:50], data[50:]])
    headers = {**HEADERS, "Transfer-Encoding": "chunked"}
    status, _, body = _socket_request(
        small_server, "POST", LIST, chunks, headers=headers, encode_chunked=True
    )
    assert status == 201, body


# -- malformed bodies, paths and headers --------------------------------------------------------

BAD_BODIES = [
    b"[" * 100_000,
    b"[" * 40 + b"]" * 40,
    b"\xff\xfe\xfd",
    json.dumps(dynamics_basic_body()).encode("utf-16"),
    json.dumps(dynamics_basic_body()).encode("utf-16-le"),
    b'{"name": NaN}',
    b'{"name": -Infinity}',
    b'{"name": 1e999}',
    b'{"name": ' + b"9" * 5000 + b"}",
    b"\x00",
    b'"just a string"',
    b"null",
    b'{"a": "\\ud800"}',
]


@pytest.mark.parametrize("body", BAD_BODIES)
@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("POST", LIST),
        ("POST", LIST + "/search"),
        ("PATCH", LIST + "/x"),
        ("POST", "/__mock__/seed"),
    ],
)
def test_malformed_bodies_are_400(method: str, path: str, body: bytes) -> None:
    client = create_app().test_client()
    headers = {**HEADERS, "If-Match": '"e"'}
    response = client.open(path, method=method, data=body, headers=headers)
    assert response.status_code in ((400, 404) if path != LIST + "/search" else (200, 400))
    _assert_sane(response.status_code, response.content_type, response.data)


def test_infinite_numbers_are_refused_not_echoed() -> None:
    client = create_app().test_client()
    response = client.post(LIST + "/search", data=b'{"limit": 1e999}', headers=HEADERS)
    assert response.status_code == 400
    assert "Infinity" not in response.get_data(as_text=True)


ODD_PATHS = [
    BASE_PATH + "//connections",
    "//" + BASE_PATH.lstrip("/") + "/connections",
    LIST + "/%00",
    LIST + "/%00/test",
    LIST + "/" + "a" * 5000,
    LIST + "/" + quote("é中😀"),
    LIST + "/%ff%fe",
    LIST + "/..%2f..%2fetc",
    LIST + "/x/explore?objectType=table&object=%00&previewCount=99999999999999999999",
    LIST + "?limit=1e999&orderby=%ff&property=name%3D%3D%00",
    LIST + "?continuationToken=" + "Z" * 5000,
    BASE_PATH + "/connectionSpecs/%2e%2e",
    "/ims/token/v3?client_id=%00&client_secret=%ff",
    "/__mock__/journal?path=%00&status=5xx&limit=3",
    "/__mock__",
    "/__mock__/",
    "/%00",
]


@pytest.mark.parametrize("path", ODD_PATHS)
@pytest.mark.parametrize("method", ["GET", "POST", "DELETE", "PATCH"])
def test_odd_paths(method: str, path: str) -> None:
    client = create_app().test_client()
    response = client.open(path, method=method, headers=HEADERS, json={})
    _assert_sane(response.status_code, response.content_type, response.data)


ODD_HEADERS = [
    {"Authorization": "Bearer " + "t" * 8000},
    {"Authorization": "Bearer \x00"},
    {"Authorization": "bearer\tx"},
    {"x-request-id": "é" * 10},
    {"x-request-id": "a" * 1000},
    {"If-Match": "\"\x7f'"},
    {"Content-Type": "application/json; charset=utf-16"},
    {"Content-Type": "application/json; charset"},
    {"Content-Type": "multipart/form-data; boundary="},
    {"Content-Length": "-1"},
    {"Content-Length": "abc"},
    {"x-sandbox-name": "é中"},
    {"x-gw-ims-org-id": "\xff" * 300},
    {"Transfer-Encoding": "gzip"},
]


@pytest.mark.parametrize("extra", ODD_HEADERS)
@pytest.mark.parametrize("method", ["GET", "POST", "PATCH"])
def test_odd_headers(method: str, extra: dict[str, str]) -> None:
    client = create_app().test_client()
    headers = {**HEADERS, **extra}
    path = LIST if method != "PATCH" else LIST + "/x"
    response = client.open(path, method=method, headers=headers, data=b'{"name": "x"}')
    _assert_sane(response.status_code, response.content_type, response.data)


def test_non_ascii_credentials_are_refused_not_500() -> None:
    client = create_app({"ims_clients": {"me": "pw"}, "control_token": "tok"}).test_client()
    form = {"grant_type": "client_credentials", "client_id": "me", "scope": "s"}
    response = client.post("/ims/token/v3", data={**form, "client_secret": "pé中"})
    assert response.status_code == 401
    latin1 = "Bearer té".encode().decode("latin-1")
    assert client.get("/__mock__/state", headers={"Authorization": latin1}).status_code == 401


# -- fuzz ------------------------------------------------------------------------------------

METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"]
KNOWN_PATHS = [
    LIST,
    LIST + "/search",
    LIST + "/{id}",
    LIST + "/{id}/",
    LIST + "/{id}/test",
    LIST + "/{id}/explore",
    LIST + "/{id}/configs",
    LIST + "/{id}/action",
    BASE_PATH + "/connectionSpecs",
    BASE_PATH + "/connectionSpecs/{id}",
    SPEC + "/explore",
    SPEC + "/configs",
    "/ims/token/v3",
    "/__mock__/seed",
    "/__mock__/journal",
    "/__mock__/faults/{id}",
    "/__mock__/connections/{id}/test-result",
    "/{id}",
]
QUERY_NAMES = [
    "limit", "property", "orderby", "continuationToken", "count", "objectType", "object",
    "preview", "previewCount", "fileType", "op", "mode", "if-match", "authType", "status",
    "method", "path", "client_secret",
]  # fmt: skip
CONTENT_TYPES = [
    "application/json",
    "application/json; charset=utf-8",
    "application/merge-patch+json",
    "text/plain",
    "application/x-www-form-urlencoded",
    "multipart/form-data; boundary=xyz",
]

header_text = st.text(
    st.characters(min_codepoint=0x20, max_codepoint=0xFF, exclude_characters="\x7f"),
    max_size=60,
)
json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner),
    max_leaves=20,
)


@st.composite
def create_bodies(draw: st.DrawFn) -> Any:
    """A valid create body with one part replaced by an arbitrary value."""
    body = dynamics_basic_body()
    target = draw(st.sampled_from(["name", "auth", "connectionSpec", "params", "password"]))
    value = draw(json_values)
    if target == "params":
        body["auth"]["params"]["serviceUri"] = value
    elif target == "password":
        body["auth"]["params"]["password"] = value
    else:
        body[target] = value
    return body


def _encode(value: Any, encoding: str) -> bytes:
    return json.dumps(value, allow_nan=True).encode(encoding, errors="surrogatepass")


bodies = st.one_of(
    st.none(),
    st.binary(max_size=400),
    st.builds(_encode, json_values, st.sampled_from(["utf-8", "utf-16", "utf-32"])),
    st.builds(_encode, create_bodies(), st.just("utf-8")),
    st.integers(1, 5000).map(lambda depth: b"[" * depth + b"]" * depth),
    st.integers(1, 5000).map(lambda digits: b'{"limit": ' + b"7" * digits + b"}"),
    st.dictionaries(
        st.sampled_from(["grant_type", "client_id", "client_secret", "scope"]), st.text()
    ).map(lambda form: urlencode(form).encode()),
)


@st.composite
def fuzz_requests(draw: st.DrawFn) -> dict[str, Any]:
    segment = draw(
        st.one_of(
            st.uuids().map(str),
            st.text(max_size=40),
            st.sampled_from(["", "%00", "..", "%2F", "a" * 3000, "é中", "%ff"]),
        )
    )
    template = draw(st.sampled_from(KNOWN_PATHS))
    path = template.replace("{id}", segment if "%" in segment else quote(segment, safe=""))
    second = path.find("/", 1)
    if second > 0 and draw(st.booleans()):  # "//" inside; a leading one would name a host
        path = path[:second] + "/" + path[second:]
    query = draw(st.dictionaries(st.sampled_from(QUERY_NAMES), st.text(max_size=30), max_size=3))
    headers = {
        name: value
        for name, value in HEADERS.items()
        if draw(st.booleans()) or name == "Authorization"
    }
    headers["Content-Type"] = draw(st.sampled_from(CONTENT_TYPES))
    extra = draw(
        st.dictionaries(
            st.sampled_from(
                ["If-Match", "x-request-id", "x-sandbox-name", "x-api-key", "Authorization"]
            ),
            header_text,
            max_size=2,
        )
    )
    if draw(st.booleans()):
        extra["Authorization"] = "Bearer " + draw(header_text)
    return {
        "method": draw(st.sampled_from(METHODS)),
        "path": path + ("?" + urlencode(query) if query else ""),
        "headers": {**headers, **extra},
        "body": draw(bodies),
    }


def _fresh(app: Flask) -> None:
    of_app(app).store.reset()
    control_of(app).reset()


FUZZ = settings(
    max_examples=examples(200),
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


STRICT = {
    "ims_clients": {"me": "pw"},
    "control_token": "control",
    "token_policy": "issued",
    "api_keys": ["test-client"],
    "missing_sandbox": "require",
    "known_sandboxes": ["prod"],
}


@pytest.mark.parametrize("config", [{}, STRICT], ids=["default", "strict"])
def test_fuzz_in_process_never_5xx(config: dict[str, Any]) -> None:
    app = create_app({"max_body_bytes": 64 * 1024, **config})
    client = app.test_client()
    client.post(LIST, json=dynamics_basic_body(), headers=HEADERS)

    @FUZZ
    @given(request=fuzz_requests())
    def run(request: dict[str, Any]) -> None:
        _fresh(app)
        response = client.open(
            request["path"],
            method=request["method"],
            headers=request["headers"],
            data=request["body"],
        )
        asked = any(entry.get("fault") for entry in control_of(app).journal.entries())
        if not asked:
            _assert_sane(response.status_code, response.content_type, response.data)

    run()


@pytest.mark.server
def test_fuzz_over_a_socket_never_5xx(small_server: MockServer) -> None:
    @settings(FUZZ, max_examples=examples(60))
    @given(request=fuzz_requests())
    def run(request: dict[str, Any]) -> None:
        _fresh(small_server.app)
        path = quote(request["path"], safe="/%?=&+:@-._~!$'()*,;")
        headers = {
            name: value.encode("latin-1").decode("ascii", errors="replace").replace("\ufffd", "?")
            for name, value in request["headers"].items()
        }
        status, content_type, body = _socket_request(
            small_server, request["method"], path, request["body"], headers=headers
        )
        if request["method"] == "HEAD":
            body = b""
        if status not in (400, 413) or content_type == "application/json":
            _assert_sane(status, content_type, body)
        assert status < 500

    run()
