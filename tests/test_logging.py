"""Logging: request ids on every line, the JSON format, and configure_logging."""

from __future__ import annotations

import io
import json
import logging
import sys
from collections.abc import Iterator
from typing import Any

import pytest
from flask.testing import FlaskClient

from mock_flowservice import create_app
from mock_flowservice.control import hooks
from mock_flowservice.logs import JsonFormatter, configure_logging

from .support import BASE_PATH, HEADERS

LIST = BASE_PATH + "/connections"


@pytest.fixture
def root_logging() -> Iterator[None]:
    """Put the root logger back as it was (configure_logging changes it)."""
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    yield
    for handler in root.handlers:
        if handler not in handlers:
            root.removeHandler(handler)
    root.setLevel(level)


def _lines(stream: io.StringIO) -> list[str]:
    return [line for line in stream.getvalue().splitlines() if line]


def test_json_lines_carry_the_request_fields(root_logging: None) -> None:
    stream = io.StringIO()
    configure_logging("INFO", "json", stream=stream)
    client = create_app().test_client()
    response = client.get(LIST + "/nope", headers={**HEADERS, "x-request-id": "trace-json-1"})
    (line,) = _lines(stream)
    document = json.loads(line)
    assert document["level"] == "INFO"
    assert document["logger"] == "mock_flowservice.access"
    assert document["message"].startswith(f"GET {LIST}/nope 404 ")
    assert document["request_id"] == "trace-json-1" == response.headers["x-request-id"]
    assert document["method"] == "GET"
    assert document["path"] == f"{LIST}/nope"
    assert document["status"] == 404
    assert document["duration_ms"] >= 0
    assert document["time"].endswith("Z")


def test_text_lines_carry_the_request_id(root_logging: None) -> None:
    stream = io.StringIO()
    configure_logging(logging.INFO, "text", stream=stream)
    response = create_app().test_client().get(LIST, headers=HEADERS)
    (line,) = _lines(stream)
    assert f"[{response.headers['x-request-id']}]" in line
    assert " INFO mock_flowservice.access " in line
    logging.getLogger("mock_flowservice").warning("outside a request")
    assert _lines(stream)[-1].endswith("[-] outside a request")


def test_configuring_again_replaces_the_handler(root_logging: None) -> None:
    first, second = io.StringIO(), io.StringIO()
    configure_logging("DEBUG", "json", stream=first)
    handler = configure_logging("WARNING", "text", stream=second)
    root = logging.getLogger()
    assert [h for h in root.handlers if getattr(h, "_mock_flowservice_handler", False)] == [handler]
    assert root.level == logging.WARNING
    logging.getLogger("mock_flowservice").warning("once")
    assert first.getvalue() == ""
    assert _lines(second)[-1].endswith("once")


def test_unknown_format_is_refused(root_logging: None) -> None:
    with pytest.raises(ValueError, match="unknown log format"):
        configure_logging("INFO", "xml")  # type: ignore[arg-type]


def test_json_formatter_outside_a_request_and_with_an_exception() -> None:
    try:
        raise RuntimeError("boom")
    except RuntimeError:
        record = logging.LogRecord(
            "mock_flowservice", logging.ERROR, __file__, 1, "failed %s", ("here",), None
        )
        record.exc_info = sys.exc_info()
    document: dict[str, Any] = json.loads(JsonFormatter().format(record))
    assert document["message"] == "failed here"
    assert document["level"] == "ERROR"
    assert "request_id" not in document
    assert "RuntimeError: boom" in document["exception"]


def test_a_failing_journal_never_breaks_an_answer(
    client: FlaskClient, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    def broken(*args: Any, **kwargs: Any) -> Any:
        raise KeyError("whatever")

    monkeypatch.setattr(hooks, "journal_entry", broken)
    response = client.get(LIST, headers=HEADERS)
    assert response.status_code == 200
    assert client.get("/__mock__/journal").json == {"items": []}
    warning = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert warning[0].getMessage() == (
        f"no journal entry for request {response.headers['x-request-id']} (KeyError)"
    )


def test_unhandled_errors_are_logged_with_the_request_id(
    client: FlaskClient, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    from mock_flowservice.operations import connections

    def broken(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("unexpected")

    monkeypatch.setattr(connections.engine, "list_page", broken)
    response = client.get(LIST, headers={**HEADERS, "x-request-id": "trace-500"})
    assert response.status_code == 500
    assert response.json["report"]["request-id"] == "trace-500"
    assert any("trace-500" in r.getMessage() for r in caplog.records if r.levelno >= 40)
