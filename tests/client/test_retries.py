"""Retries through urllib3's ``Retry`` on a real socket (a tiny scripted HTTP server)."""

from __future__ import annotations

import json
import socket
import threading
import types
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import urllib3.util.retry
from flowservice_client import (
    FlowServiceClient,
    RateLimitedError,
    ServerError,
    TransportError,
    build_retry,
)
from urllib3.util import Retry

BASE_PATH = "/data/foundation/flowservice"
Answer = tuple[int, dict[str, str], object]
DROP = None  # an answer that closes the connection without a response


@dataclass
class Script:
    """Answers to hand out in order (the last one repeats) and the requests seen."""

    answers: list[Answer | None] = field(default_factory=list)
    seen: list[tuple[str, str]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    base_url: str = ""

    def next_answer(self, method: str, path: str) -> Answer | None:
        with self.lock:
            self.seen.append((method, path))
            return self.answers.pop(0) if len(self.answers) > 1 else self.answers[0]


def make_handler(script: Script) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: object) -> None:
            pass

        def answer(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            self.rfile.read(length)
            answer = script.next_answer(self.command, self.path)
            if answer is None:
                self.close_connection = True
                return
            status, headers, body = answer
            payload = json.dumps(body).encode()
            self.send_response(status)
            for name, value in {**headers, "Content-Type": "application/json"}.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        do_GET = do_POST = do_PATCH = do_DELETE = answer

    return Handler


@pytest.fixture
def script() -> Iterator[Script]:
    script = Script()
    server = ThreadingHTTPServer(("127.0.0.1", 0), make_handler(script))
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, args=(0.01,), daemon=True)
    thread.start()
    script.base_url = f"http://127.0.0.1:{server.server_address[1]}{BASE_PATH}"
    yield script
    server.shutdown()
    server.server_close()
    thread.join()


@pytest.fixture
def sleeps(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """Replace the sleep urllib3's Retry uses, recording the waits instead."""
    recorded: list[float] = []
    fake = types.SimpleNamespace(sleep=recorded.append, time=__import__("time").time)
    monkeypatch.setattr(urllib3.util.retry, "time", fake)
    return recorded


MakeClient = Callable[..., FlowServiceClient]


@pytest.fixture
def make_client() -> Iterator[MakeClient]:
    """Build clients for a script (retries=3, no backoff); close them afterwards."""
    made: list[FlowServiceClient] = []

    def make(script: Script, **kwargs: object) -> FlowServiceClient:
        options: dict[str, object] = {"retries": 3, "backoff_factor": 0, **kwargs}
        client = FlowServiceClient(
            script.base_url,
            access_token="t",
            api_key="k",
            org_id="o",
            timeout=5,
            **options,  # type: ignore[arg-type]
        )
        made.append(client)
        return client

    yield make
    for client in made:
        client.close()


OK: Answer = (200, {}, {"result": True})
UNAVAILABLE: Answer = (503, {}, {"error_code": "503000", "message": "unavailable"})
THROTTLED: Answer = (
    429,
    {"Retry-After": "2"},
    {"error_code": "429000", "message": "Too many requests"},
)


def test_503_then_200_is_retried(script, sleeps, make_client) -> None:
    script.answers = [UNAVAILABLE, UNAVAILABLE, OK]
    assert make_client(script).test_connection("c1") is True
    assert len(script.seen) == 3


def test_429_waits_for_retry_after(script, sleeps, make_client) -> None:
    script.answers = [THROTTLED, OK]
    assert make_client(script).test_connection("c1") is True
    assert sleeps == [2]
    assert len(script.seen) == 2


def test_exhausted_retries_raise_the_typed_error(script, sleeps, make_client) -> None:
    script.answers = [THROTTLED]
    with pytest.raises(RateLimitedError) as info:
        make_client(script, retries=2).test_connection("c1")
    assert info.value.retry_after == 2.0
    assert len(script.seen) == 3


def test_post_is_not_retried_by_default(script, sleeps, make_client) -> None:
    script.answers = [UNAVAILABLE, (201, {}, {"id": "x", "etag": "e"})]
    with pytest.raises(ServerError):
        make_client(script).create_connection("n", "spec", "s", {})
    assert script.seen == [("POST", f"{BASE_PATH}/connections")]


def test_post_is_retried_when_asked(script, sleeps, make_client) -> None:
    script.answers = [UNAVAILABLE, (201, {}, {"id": "x", "etag": "e"})]
    client = make_client(script, retry_non_idempotent=True)
    assert client.create_connection("n", "spec", "s", {}).id == "x"
    assert len(script.seen) == 2


def test_patch_is_not_retried_by_default(script, sleeps, make_client) -> None:
    script.answers = [(502, {}, {}), (200, {}, {"id": "x", "etag": "e"})]
    with pytest.raises(ServerError):
        make_client(script).patch_connection("x", [], if_match="e")
    assert len(script.seen) == 1


def test_dropped_connection_is_retried_for_get(script, sleeps, make_client) -> None:
    script.answers = [DROP, OK]
    assert make_client(script).test_connection("c1") is True
    assert len(script.seen) == 2


def test_dropped_connection_is_not_retried_for_post(script, sleeps, make_client) -> None:
    script.answers = [DROP, (201, {}, {"id": "x", "etag": "e"})]
    with pytest.raises(TransportError):
        make_client(script).create_connection("n", "spec", "s", {})
    assert len(script.seen) == 1


def test_retries_zero_means_one_attempt(script, sleeps, make_client) -> None:
    script.answers = [UNAVAILABLE, OK]
    with pytest.raises(ServerError):
        make_client(script, retries=0).test_connection("c1")
    assert len(script.seen) == 1


def test_refused_connection_is_a_transport_error() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    client = FlowServiceClient(
        f"http://127.0.0.1:{port}{BASE_PATH}", access_token="t", api_key="k", org_id="o",
        retries=1, backoff_factor=0, timeout=2,
    )  # fmt: skip
    with pytest.raises(TransportError) as info:
        client.test_connection("c1")
    assert "ConnectionError" in str(info.value)


def test_default_retry_policy() -> None:
    retry = build_retry(3)
    assert retry.total == 3
    assert set(retry.status_forcelist or ()) == {429, 502, 503, 504}
    assert set(retry.allowed_methods or ()) == {"GET", "HEAD", "PUT", "DELETE", "OPTIONS"}
    assert retry.respect_retry_after_header is True
    assert retry.raise_on_status is False
    assert set(build_retry(1, retry_non_idempotent=True).allowed_methods or ()) >= {"POST", "PATCH"}


def test_a_ready_retry_object_is_used_as_is(script, make_client) -> None:
    custom = Retry(total=0, raise_on_status=False)
    client = make_client(script, retries=custom)
    adapter = client.session.get_adapter(script.base_url)
    assert adapter.max_retries is custom
