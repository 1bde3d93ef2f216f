"""``flowservice_fixtures.start_server``: a socket server usable outside pytest, whose handle
offers the journal assertions and fault calls of ``intercept()``."""

from __future__ import annotations

import pytest
import requests
from flowservice_fixtures import MockServer, start_server

from mock_flowservice import create_app
from mock_flowservice.handle import MockHandle, decode_json

from .support import HEADERS, dynamics_basic_body


def test_a_context_manager_on_a_free_port_built_from_settings() -> None:
    with start_server({"default_page_size": 5}, port=0) as server:
        assert isinstance(server, MockServer)
        assert server.url.startswith("http://127.0.0.1:")
        assert not server.url.endswith(":0")
        assert repr(server) == f"MockServer(url={server.url!r})"
        assert server.context.config.default_page_size == 5
        assert requests.get(server.url + "/__mock__/health", timeout=10).status_code == 200
    with pytest.raises(requests.ConnectionError):
        requests.get(server.url + "/__mock__/health", timeout=10)


def test_the_journal_assertions_of_intercept_over_a_socket() -> None:
    with start_server(create_app()) as server:
        url = server.base_url + "/connections"
        server.assert_not_called("POST", r"/connections$")
        created = requests.post(url, json=dynamics_basic_body(), headers=HEADERS, timeout=10)
        assert created.status_code == 201
        requests.get(url, params={"limit": "2"}, headers=HEADERS, timeout=10)
        requests.get(server.url + "/__mock__/health", timeout=10)  # never recorded
        (call,) = server.assert_called("POST", r"/connections$", times=1)
        assert (call.url, call.status) == (url, 201)
        assert call.headers["Authorization"] == "Bearer ***"
        assert call.body["auth"]["params"]["password"] == "********"
        assert call.response["id"] == created.json()["id"]  # the journal keeps the answer
        assert call.response["etag"] == created.json()["etag"]
        (listed,) = server.calls("get")
        assert listed.url == url + "?limit=2"
        with pytest.raises(AssertionError, match=r"expected PATCH .*\n  POST /data/.* -> 201"):
            server.assert_called("PATCH", "/connections")
        server.clear_journal()
        assert (server.journal, len(server.connections())) == ([], 1)


def test_fault_rules_and_one_reset_of_everything() -> None:
    with start_server() as server:
        url = server.base_url + "/connections"
        rule = server.add_fault(path="*/connections", status=503)
        assert server.faults == [rule]
        assert requests.get(url, headers=HEADERS, timeout=10).status_code == 503
        server.remove_fault(rule)
        requests.post(url, json=dynamics_basic_body(), headers=HEADERS, timeout=10)
        server.add_fault(path="*/flows", status=429)
        clock = requests.post(server.url + "/__mock__/clock", json={"freeze": True}, timeout=10)
        assert clock.json()["frozen"] is True
        server.reset_state()
        assert (server.connections(), len(server.journal), len(server.faults)) == ([], 2, 1)
        server.reset()
        assert (server.connections(), server.journal, server.faults) == ([], [], [])
        assert requests.get(server.url + "/__mock__/clock", timeout=10).json()["frozen"] is False


def test_a_handle_needs_its_journal_and_stop_and_decodes_json_leniently() -> None:
    handle = MockHandle()
    with pytest.raises(NotImplementedError):
        handle.stop()
    with pytest.raises(NotImplementedError):
        _ = handle.journal
    assert decode_json(b"") is None
    assert decode_json(b"not json") is None
    assert decode_json(b'{"a": 1}') == {"a": 1}
