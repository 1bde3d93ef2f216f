"""Slow clients and size limits over a socket, in one process and under ``--workers``.

Fifty sockets that trickle their headers or bodies must not starve other clients: every
normal request still gets its answer. Requests at or past the server's size limits are
answered the same way in both modes, as JSON error bodies in the gateway's format.
"""

from __future__ import annotations

import contextlib
import json
import socket
import threading
import time
from collections.abc import Iterator
from urllib.parse import urlsplit

import pytest
import requests

from .serving import Served, served
from .support import HEADERS

pytestmark = [pytest.mark.server, pytest.mark.slow]

SLOW_SOCKETS = 50
#: How long the slow sockets keep trickling: longer than any answer below may take.
TRICKLE_SECONDS = 12.0


@pytest.fixture(scope="module", params=["one-process", "workers"])
def server(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Served]:
    folder = tmp_path_factory.mktemp(request.param)
    args = ["--threads", "4", "--state", str(folder / "state.sqlite3")]
    if request.param == "workers":
        args += ["--workers", "2"]
    with served(*args, log_path=folder / "serve.log") as running:
        yield running
        running.stop()


class Trickler:
    """``count`` sockets that each send a request's start, then one byte every half second."""

    def __init__(self, url: str, count: int) -> None:
        parts = urlsplit(url)
        self.address = (parts.hostname or "127.0.0.1", parts.port or 80)
        self.sockets: list[socket.socket] = []
        self.stop = threading.Event()
        for n in range(count):
            sock = socket.create_connection(self.address, timeout=5)
            if n % 2:  # headers never finish
                sock.sendall(b"GET /__mock__/health HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ")
            else:  # headers done, the body never arrives in full
                sock.sendall(
                    b"POST /__mock__/seed HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                    b"Content-Type: application/json\r\nContent-Length: 100000\r\n\r\n["
                )
            self.sockets.append(sock)
        self.thread = threading.Thread(target=self._trickle, daemon=True)

    def _trickle(self) -> None:
        deadline = time.monotonic() + TRICKLE_SECONDS
        while not self.stop.wait(0.5) and time.monotonic() < deadline:
            for sock in self.sockets:
                with contextlib.suppress(OSError):  # the server may close a slow socket
                    sock.send(b"a")

    def __enter__(self) -> Trickler:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop.set()
        self.thread.join(timeout=5)
        for sock in self.sockets:
            sock.close()


def test_fifty_slow_sockets_do_not_starve_other_clients(server: Served) -> None:
    url = server.url + "/__mock__/health"
    assert requests.get(url, timeout=5).status_code == 200
    with Trickler(server.url, SLOW_SOCKETS):
        time.sleep(1.0)  # let every slow socket be accepted and start trickling
        statuses = []
        for _ in range(12):
            # A fresh connection each time, so both workers are asked; 6 s is far more
            # than an answer takes, and far less than the trickle lasts.
            try:
                statuses.append(requests.get(url, timeout=6).status_code)
            except requests.RequestException as exc:
                statuses.append(type(exc).__name__)
        listing = requests.get(server.base_url + "/connections", headers=HEADERS, timeout=6)
    assert statuses == [200] * 12
    assert listing.status_code == 200


def raw_exchange(url: str, request: bytes) -> tuple[int, dict[str, str], bytes]:
    """Send ``request`` as it is and read the whole answer (the server closes after it)."""
    parts = urlsplit(url)
    with socket.create_connection((parts.hostname, parts.port), timeout=15) as sock:
        with contextlib.suppress(OSError):  # it may answer and close before reading all
            sock.sendall(request)
        chunks = []
        while True:
            try:
                chunk = sock.recv(65536)
            except ConnectionResetError:
                break
            if not chunk:
                break
            chunks.append(chunk)
            data = b"".join(chunks)
            head, _, body = data.partition(b"\r\n\r\n")
            length = [
                int(line.split(b":", 1)[1])
                for line in head.split(b"\r\n")
                if line.lower().startswith(b"content-length:")
            ]
            if length and len(body) >= length[0]:
                break
    data = b"".join(chunks)
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1])
    headers = {}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    return status, headers, body


def _head(method: str, target: str, *extra: str) -> bytes:
    lines = [f"{method} {target} HTTP/1.1", "Host: 127.0.0.1", "Connection: close", *extra]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")


def _chunked_body(size: int) -> bytes:
    chunk = b"[" + b"1," * (size // 2) + b"1]"
    return f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n0\r\n\r\n"


def _auth() -> list[str]:
    return [f"{name}: {value}" for name, value in HEADERS.items()]


BASE = "/data/foundation/flowservice"

#: name -> the raw request and the code both modes answer (a gateway code of six digits, or
#: a Flow Service ``FLOW-`` code; None: 200 with a listing).
LIMIT_CASES: dict[str, tuple[bytes, str | None]] = {
    "chunked-body-over-1MiB": (
        _head(
            "POST",
            BASE + "/connections",
            *_auth(),
            "Content-Type: application/json",
            "Transfer-Encoding: chunked",
        )
        + _chunked_body(1_100_000),
        "413000",
    ),
    "url-of-12KB": (
        _head("GET", BASE + "/connections?x=" + "a" * 12_000, *_auth()),
        "FLOW-1451-400",
    ),
    "header-of-16KB": (
        _head("GET", BASE + "/connections", *_auth(), "X-Big: " + "b" * 16_000),
        None,
    ),
    "id-of-5KB": (_head("GET", BASE + "/connections/" + "c" * 5_000, *_auth()), "FLOW-1439-404"),
    "headers-over-the-server-limit": (
        _head("GET", BASE + "/connections", *_auth(), *[f"X-{n}: {'d' * 8000}" for n in range(40)]),
        "431000",
    ),
    "unknown-transfer-coding": (
        _head(
            "POST",
            BASE + "/connections",
            *_auth(),
            "Content-Type: application/json",
            "Transfer-Encoding: gzip",
        )
        + b"{}",
        "501000",
    ),
    "malformed-chunk-size": (
        _head(
            "POST",
            BASE + "/connections",
            *_auth(),
            "Content-Type: application/json",
            "Transfer-Encoding: chunked",
        )
        + b"zz\r\n{}\r\n0\r\n\r\n",
        "400000",
    ),
}


@pytest.mark.parametrize("case", sorted(LIMIT_CASES))
def test_size_limits_answer_json_in_both_modes(server: Served, case: str) -> None:
    request, code = LIMIT_CASES[case]
    status, headers, body = raw_exchange(server.url, request)
    assert headers["content-type"].startswith("application/json"), (status, headers, body[:300])
    answer = json.loads(body)
    if code is None:
        assert (status, isinstance(answer["items"], list)) == (200, True)
    elif code.startswith("FLOW-"):
        assert (status, answer["type"].rsplit("/", 1)[1]) == (int(code[-3:]), code)
    else:  # the gateway's form
        assert (status, answer["error_code"]) == (int(code[:3]), code)
        assert answer["message"]
