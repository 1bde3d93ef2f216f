"""Fixtures shared by the project's own tests."""

from __future__ import annotations

import os
import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from mock_flowservice import create_app, of_app

from .support import HEADERS, MockServer, start_server


def _bytecode_in_a_user_cache() -> None:
    """Where ``PYTHONDONTWRITEBYTECODE`` is set, keep bytecode in the user's cache instead.

    The suite starts hundreds of Python processes (xdist workers, servers, nested pytest runs).
    Without bytecode each one compiles the mock from source and pytest rewrites every module of
    the plugins' distributions again (schemathesis, hypothesis, anyio: about 370 modules, some
    9 s of each pytest process's collection on a 2-core machine). The cache lives outside the
    checkout (``$XDG_CACHE_HOME/mock-flowservice/pycache``), so the tree stays free of
    ``__pycache__`` as the variable intends; processes started after this conftest loads
    (workers included) inherit it. A prefix the environment chose is left alone.
    """
    if not sys.dont_write_bytecode or sys.pycache_prefix:
        return
    try:
        cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    except RuntimeError:  # no home directory: every process compiles from source, as before
        return
    prefix = str(cache / "mock-flowservice" / "pycache")
    os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
    os.environ["PYTHONPYCACHEPREFIX"] = prefix
    sys.dont_write_bytecode = False
    sys.pycache_prefix = prefix


_bytecode_in_a_user_cache()


@pytest.fixture
def app() -> Flask:
    """A fresh mock app with default settings."""
    return create_app()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    """Flask's test client on :func:`app`."""
    return app.test_client()


@pytest.fixture
def headers() -> dict[str, str]:
    """The headers every documented request sends."""
    return dict(HEADERS)


@pytest.fixture(scope="session")
def _session_server() -> Iterator[MockServer]:
    server = start_server(create_app())
    yield server
    server.stop()


@pytest.fixture
def mock_server(_session_server: MockServer) -> MockServer:
    """A real server on a loopback port (session-wide), its state reset for each test."""
    of_app(_session_server.app).store.reset()
    return _session_server


class _Hello(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        body = b"hello from loopback"
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def loopback() -> Iterator[str]:
    """A plain HTTP server on 127.0.0.1 (no internet needed for passthrough tests)."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Hello)
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()
    thread.join(timeout=5)
