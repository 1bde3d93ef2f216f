"""One request through the app's WSGI callable, as a server hands it over, in this process.

:func:`call` with an :func:`environ` is how :func:`~mock_flowservice.intercept.intercept`
serves a ``requests`` or ``httpx`` call. :func:`environ` is the WSGI environ a server would
build (PEP 3333: the path percent-decoded and carried as latin-1, the query string as sent,
``Content-Type`` and ``Content-Length`` as ``CONTENT_*``, every other header as ``HTTP_*``,
repeated headers joined with ``", "``); :func:`call` calls the app and collects status,
headers and body.

Flask's test client does the same and more (cookies, redirects, a response wrapper, the
request URL rebuilt twice); that machinery cost about as much per call as the mock's own
work, and an intercepted call needs none of it.
"""

from __future__ import annotations

import io
import sys
from collections.abc import Callable, Iterable, Mapping
from typing import Any
from urllib.parse import unquote_to_bytes

from werkzeug.wsgi import get_content_length

__all__ = ["call", "content_length", "environ", "mimetype"]

WsgiApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]

#: Headers that are the transport's, not the request's: the environ says them its own way.
_TRANSPORT = frozenset({"host", "content-length", "transfer-encoding"})
_DEFAULT_PORTS = {"http": "80", "https": "443"}


def call(app: WsgiApp, environ: dict[str, Any]) -> tuple[int, list[tuple[str, str]], bytes]:
    """Serve one request (its :func:`environ`) to ``app``: status, headers, body.

    An exception raised while the body is produced (a fault rule's dropped connection)
    reaches the caller, after the body iterator is closed.
    """
    started: list[Any] = []

    def start_response(
        status: str, response_headers: list[tuple[str, str]], exc_info: Any = None
    ) -> Any:
        started[:] = [status, response_headers]
        return _no_write

    chunks = app(environ, start_response)
    try:
        data = b"".join(chunks)
    finally:
        close = getattr(chunks, "close", None)
        if close is not None:
            close()
    status, response_headers = started
    return int(status.split(" ", 1)[0]), list(response_headers), data


def _no_write(data: bytes) -> None:  # pragma: no cover - Flask never uses write()
    raise NotImplementedError("the write() callable is not supported")


def environ(
    method: str,
    scheme: str,
    netloc: str,
    target: str,
    headers: Iterable[tuple[str, str]],
    body: bytes,
) -> dict[str, Any]:
    """The environ of ``method target`` (path and query as sent) to ``scheme://netloc``."""
    path, _, query = target.partition("?")
    host, _, port = netloc.rpartition(":") if _has_port(netloc) else (netloc, "", "")
    raw_target = target.encode("utf-8").decode("latin-1")
    environ: dict[str, Any] = {
        "REQUEST_METHOD": method,
        "SCRIPT_NAME": "",
        "PATH_INFO": unquote_to_bytes(path).decode("latin-1"),
        "QUERY_STRING": query.encode("utf-8").decode("latin-1"),
        "REQUEST_URI": raw_target,
        "RAW_URI": raw_target,
        "SERVER_NAME": host,
        "SERVER_PORT": port or _DEFAULT_PORTS.get(scheme, "80"),
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "127.0.0.1",
        "HTTP_HOST": netloc,
        "wsgi.version": (1, 0),
        "wsgi.url_scheme": scheme,
        "wsgi.input": io.BytesIO(body),
        "wsgi.errors": sys.stderr,
        "wsgi.multithread": False,
        "wsgi.multiprocess": False,
        "wsgi.run_once": False,
    }
    if body:
        environ["CONTENT_LENGTH"] = str(len(body))
    for name, value in headers:
        lowered = name.lower()
        if lowered in _TRANSPORT:
            continue
        if lowered == "content-type":
            environ["CONTENT_TYPE"] = value
            continue
        key = "HTTP_" + name.upper().replace("-", "_")
        environ[key] = f"{environ[key]}, {value}" if key in environ else value
    return environ


def _has_port(netloc: str) -> bool:
    """``host:port`` (an IPv6 literal's colons are inside brackets)."""
    return ":" in netloc.rpartition("]")[2]


def content_length(environ: Mapping[str, Any]) -> int | None:
    """``Content-Length`` as ``request.content_length`` reads it, without building the
    request (werkzeug's own function): None when absent or beside a chunked body, 0 when it
    is not a whole number."""
    return get_content_length(environ)  # type: ignore[arg-type]


def mimetype(environ: Mapping[str, Any]) -> str:
    """The media type of ``Content-Type``, lower case, as ``request.mimetype`` reads it
    without building the request: werkzeug's ``parse_options_header`` takes the part before
    the first ``;``, stripped of spaces and tabs (its parameters play no part in it)."""
    value: str = environ.get("CONTENT_TYPE", "")
    return value.partition(";")[0].strip(" \t").lower()
