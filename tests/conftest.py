"""Fixtures shared by the project's own tests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask import Flask
from flask.testing import FlaskClient

from mock_flowservice import create_app, of_app

from .support import HEADERS, MockServer, start_server


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
