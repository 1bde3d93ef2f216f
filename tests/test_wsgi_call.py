"""The direct WSGI call the intercept serves with: the environ a server would build."""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from werkzeug.wrappers import Request

from mock_flowservice.server.dropped import DroppedConnection, dropping_body
from mock_flowservice.wsgi_call import call, content_length, environ, mimetype

from .budget import examples


def echo_environ(seen: dict[str, Any]) -> Callable[..., Iterator[bytes]]:
    def app(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterator[bytes]:
        seen.update(environ)
        seen["body"] = environ["wsgi.input"].read()
        start_response("207 Multi-Status", [("X-One", "1"), ("X-One", "2")])
        return iter([b"ab", b"cd"])

    return app


def test_environ_carries_method_path_query_headers_and_body() -> None:
    seen: dict[str, Any] = {}
    status, headers, data = call(
        echo_environ(seen),
        environ(
            "POST",
            "https",
            "platform.adobe.io",
            "/data/a%20b/%C3%A9?x=%20y&z=1",
            [
                ("Content-Type", "application/json"),
                ("Content-Length", "999"),
                ("Host", "elsewhere"),
                ("Transfer-Encoding", "chunked"),
                ("x-api-key", "k"),
                ("Accept", "a"),
                ("accept", "b"),
            ],
            b'{"a":1}',
        ),
    )
    assert (status, headers, data) == (207, [("X-One", "1"), ("X-One", "2")], b"abcd")
    assert seen["REQUEST_METHOD"] == "POST"
    assert seen["PATH_INFO"] == "/data/a b/\xc3\xa9"  # UTF-8 bytes as latin-1, per PEP 3333
    assert seen["QUERY_STRING"] == "x=%20y&z=1"
    assert seen["RAW_URI"] == "/data/a%20b/%C3%A9?x=%20y&z=1"
    assert (seen["SERVER_NAME"], seen["SERVER_PORT"]) == ("platform.adobe.io", "443")
    assert seen["HTTP_HOST"] == "platform.adobe.io"
    assert seen["wsgi.url_scheme"] == "https"
    assert seen["CONTENT_TYPE"] == "application/json"
    assert seen["CONTENT_LENGTH"] == "7"  # the body's own length, not the header's
    assert "HTTP_TRANSFER_ENCODING" not in seen
    assert seen["HTTP_X_API_KEY"] == "k"
    assert seen["HTTP_ACCEPT"] == "a, b"
    assert seen["body"] == b'{"a":1}'


@pytest.mark.parametrize(
    ("scheme", "netloc", "name", "port"),
    [
        ("http", "127.0.0.1:8080", "127.0.0.1", "8080"),
        ("http", "localhost", "localhost", "80"),
        ("https", "[::1]", "[::1]", "443"),
        ("https", "[::1]:8443", "[::1]", "8443"),
    ],
)
def test_server_name_and_port(scheme: str, netloc: str, name: str, port: str) -> None:
    seen: dict[str, Any] = {}
    call(echo_environ(seen), environ("GET", scheme, netloc, "/", [], b""))
    assert (seen["SERVER_NAME"], seen["SERVER_PORT"]) == (name, port)
    assert "CONTENT_LENGTH" not in seen  # no body, no length (as Flask's test client does)


def test_an_exception_while_the_body_is_sent_reaches_the_caller_after_close() -> None:
    closed: list[bool] = []

    class Body:
        def __iter__(self) -> Iterator[bytes]:
            return dropping_body()

        def close(self) -> None:
            closed.append(True)

    def app(environ: dict[str, Any], start_response: Callable[..., Any]) -> Body:
        start_response("200 OK", [])
        return Body()

    with pytest.raises(DroppedConnection):
        call(app, environ("GET", "http", "localhost", "/", [], b""))
    assert closed == [True]


_HEADER_TEXT = st.one_of(
    st.sampled_from(
        ["", "application/json", " Application/JSON ; charset=utf-8", "text/plain;", ";x=1",
         "application/vnd.api+json", "multipart/form-data; boundary=a;b", '"a;b"; c=d']
    ),
    st.text(st.characters(min_codepoint=9, max_codepoint=255), max_size=40),
)  # fmt: skip


@settings(max_examples=examples(300), deadline=None, derandomize=True, database=None)
@given(
    content_type=st.none() | _HEADER_TEXT,
    length=st.none() | st.sampled_from(["0", "7", " 7 ", "+7", "-1", "abc", "٣", ""]),
    chunked=st.sampled_from([None, "chunked", "gzip"]),
)
def test_mimetype_and_content_length_read_as_werkzeug_reads_them(
    content_type: str | None, length: str | None, chunked: str | None
) -> None:
    """The gateway and the journal read these from the environ; werkzeug's request would
    give the same values."""
    env: dict[str, Any] = {"REQUEST_METHOD": "POST", "wsgi.input": io.BytesIO()}
    for key, value in (
        ("CONTENT_TYPE", content_type),
        ("CONTENT_LENGTH", length),
        ("HTTP_TRANSFER_ENCODING", chunked),
    ):
        if value is not None:
            env[key] = value
    seen = Request(env)
    assert mimetype(env) == seen.mimetype
    assert content_length(env) == seen.content_length
