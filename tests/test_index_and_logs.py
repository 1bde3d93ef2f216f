"""What users look for first: ``GET /``, error codes in the access log, debug headers (masked),
a shutdown line."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import requests
from flask import Response

from mock_flowservice import create_app
from mock_flowservice.control.plane import control_of
from mock_flowservice.logs import LogFormat, configure_logging, error_code

from .serving import served
from .support import BASE_PATH, HEADERS

BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"


@contextmanager
def logging_to_buffer(level: str, fmt: LogFormat) -> Iterator[io.StringIO]:
    """The root logger writing to a buffer, put back as it was afterwards."""
    root = logging.getLogger()
    handlers, before = list(root.handlers), root.level
    stream = io.StringIO()
    try:
        configure_logging(level, fmt, stream=stream)
        yield stream
    finally:
        for handler in root.handlers:
            if handler not in handlers:
                root.removeHandler(handler)
        root.setLevel(before)


@pytest.fixture
def log() -> Iterator[io.StringIO]:
    """Text lines at DEBUG in a buffer."""
    with logging_to_buffer("DEBUG", "text") as stream:
        yield stream


def test_the_index_in_json_by_default() -> None:
    client = create_app().test_client()
    for accept in (None, "*/*", "application/json"):
        response = client.get("/", headers={"Accept": accept} if accept else {})
        assert response.status_code == 200
        assert response.mimetype == "application/json"
        index = response.json
        assert index["basePath"] == BASE_PATH
        assert index["openapi"] == BASE_PATH + "/openapi.json"
        assert index["health"] == "/__mock__/health"
        assert index["controlApi"] == "/__mock__"
        assert client.get(index["openapi"]).status_code == 200
        assert client.get(index["health"]).json == {"status": "ok"}
    off = create_app({"control_api": "off", "base_path": "/fs"}).test_client().get("/")
    assert off.json["controlApi"] is None
    assert off.json["openapi"] == "/fs/openapi.json"


def test_the_index_in_html_for_a_browser() -> None:
    app = create_app()
    response = app.test_client().get("/", headers={"Accept": BROWSER})
    assert response.status_code == 200
    assert response.mimetype == "text/html"
    page = response.get_data(as_text=True)
    assert f'<a href="{BASE_PATH}/openapi.json">' in page
    assert '<a href="/__mock__">' in page
    assert '<a href="/__mock__/health">' in page


def test_the_index_is_not_journalled() -> None:
    app = create_app()
    app.test_client().get("/")
    assert control_of(app).journal.entries() == []


def test_access_lines_of_errors_name_the_error_code(log: io.StringIO) -> None:
    client = create_app().test_client()
    client.get(BASE_PATH + "/connections", headers=HEADERS)
    client.get(BASE_PATH + "/connections/nope", headers=HEADERS)
    client.get(BASE_PATH + "/connections", headers={**HEADERS, "Authorization": ""})
    client.post("/ims/token/v3", data={"grant_type": "password"})
    client.get("/nowhere")
    access = [line for line in log.getvalue().splitlines() if "request headers" not in line]
    assert access[0].split("request-id=")[1].count("error=") == 0
    assert access[1].endswith("error=FLOW-1439-404")
    assert access[2].endswith("error=403010")
    assert access[3].endswith("error=invalid_request")
    assert access[4].endswith("error=404000")


def test_json_access_lines_carry_error_code() -> None:
    with logging_to_buffer("INFO", "json") as stream:
        create_app().test_client().get(BASE_PATH + "/connections/nope", headers=HEADERS)
    (line,) = stream.getvalue().splitlines()
    assert json.loads(line)["error_code"] == "FLOW-1439-404"


def test_debug_logs_request_headers_with_credentials_masked(log: io.StringIO) -> None:
    sent = {
        **HEADERS,
        "Authorization": "Bearer tok-SECRET-1",
        "x-api-key": "key-SECRET-2",
        "Cookie": "session=SECRET-3",
        "x-client-secret": "SECRET-4",
        "x-my-password": "SECRET-5",
    }
    create_app().test_client(use_cookies=False).get(BASE_PATH + "/connections", headers=sent)
    (line,) = [line for line in log.getvalue().splitlines() if "request headers" in line]
    logged = json.loads(line.split("request headers ", 1)[1])
    for name in ("Authorization", "X-Api-Key", "Cookie", "X-Client-Secret", "X-My-Password"):
        assert logged[name] == "***", name
    assert logged["X-Gw-Ims-Org-Id"] == HEADERS["x-gw-ims-org-id"]
    assert "SECRET" not in log.getvalue()


def test_no_header_lines_above_debug() -> None:
    with logging_to_buffer("INFO", "text") as stream:
        create_app().test_client().get(BASE_PATH + "/connections", headers=HEADERS)
    assert "request headers" not in stream.getvalue()
    assert len(stream.getvalue().splitlines()) == 1


@pytest.mark.parametrize("workers", ["1", "2"])
def test_serve_logs_debug_headers_masked_and_a_shutdown_line(tmp_path: Path, workers: str) -> None:
    args = ("--log-level", "debug", "--workers", workers)
    with served(*args, log_path=tmp_path / "serve.log") as server:
        headers = {**HEADERS, "Authorization": "Bearer tok-SECRET-9", "x-api-key": "SECRET-8"}
        response = requests.get(server.base_url + "/connections/x", headers=headers, timeout=10)
        assert response.status_code == 404
        assert server.stop() == 0
    text = server.log()
    assert "SECRET" not in text
    request_id = response.headers["x-request-id"]
    (line,) = [
        line for line in text.splitlines() if "request headers" in line and request_id in line
    ]
    assert '"Authorization": "***"' in line
    assert '"X-Api-Key": "***"' in line
    assert "error=FLOW-1439-404" in text
    assert text.splitlines()[-1].endswith("mock-flowservice stopped")


def test_error_codes_only_from_json_objects() -> None:
    assert error_code(Response("oops", status=500, mimetype="text/plain")) is None
    assert error_code(Response("[1]", status=400, mimetype="application/json")) is None
    assert error_code(Response('{"x": 1}', status=400, mimetype="application/json")) is None
    assert error_code(Response(iter([b"{}"]), status=500, mimetype="application/json")) is None
