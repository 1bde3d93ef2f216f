"""Starting, probing and stopping the benchmarked server processes (loopback only).

Every process started here is recorded in :data:`STARTED`; :func:`stop_all` (called from the
runner's ``finally``) stops each one by PID: SIGTERM, a bounded wait, then SIGKILL, and the same
for any child (gunicorn workers) still alive after its parent exited.
"""

from __future__ import annotations

import contextlib
import http.client
import os
import signal
import socket
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

__all__ = [
    "STARTED",
    "Server",
    "free_port",
    "rss_bytes",
    "start_server",
    "stop",
    "stop_all",
    "tree_rss_bytes",
]

HOST = "127.0.0.1"


@dataclass
class Server:
    """A started server process and how to reach it."""

    name: str
    popen: subprocess.Popen[bytes]
    port: int
    health_path: str
    started_at: float
    log_path: Path
    ready_s: float | None = None
    known_children: set[int] = field(default_factory=set)

    @property
    def pid(self) -> int:
        return self.popen.pid

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self.port}"


STARTED: list[Server] = []


def free_port() -> int:
    """A currently free loopback port (bound then released)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


def start_server(
    name: str,
    argv: list[str],
    port: int,
    health_path: str,
    log_dir: Path,
    *,
    timeout: float = 30.0,
) -> Server:
    """Start ``argv`` and wait (bounded) for its first 200 on ``health_path``.

    ``ready_s`` is the time from just before ``Popen`` to that first successful response.
    """
    log_path = log_dir / f"{name}-{port}.log"
    with log_path.open("wb") as log:
        started = time.perf_counter()
        popen = subprocess.Popen(
            argv, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL
        )
    server = Server(name, popen, port, health_path, started, log_path)
    STARTED.append(server)
    server.ready_s = _wait_ready(server, timeout)
    server.known_children = _descendants(server.pid)
    return server


def _wait_ready(server: Server, timeout: float) -> float:
    deadline = server.started_at + timeout
    while time.perf_counter() < deadline:
        if server.popen.poll() is not None:
            break
        conn = http.client.HTTPConnection(HOST, server.port, timeout=2)
        try:
            conn.request("GET", server.health_path)
            response = conn.getresponse()
            response.read()
            if response.status == 200:
                return time.perf_counter() - server.started_at
        except OSError:
            pass
        finally:
            conn.close()
        time.sleep(0.002)
    tail = server.log_path.read_text("utf-8", "replace")[-2000:]
    raise RuntimeError(f"{server.name} did not become ready (exit={server.popen.poll()}):\n{tail}")


def _children(pid: int) -> set[int]:
    found: set[int] = set()
    try:
        for task in os.listdir(f"/proc/{pid}/task"):
            text = Path(f"/proc/{pid}/task/{task}/children").read_text()
            found.update(int(p) for p in text.split())
    except OSError:
        pass
    return found


def _descendants(pid: int) -> set[int]:
    found: set[int] = set()
    frontier = [pid]
    for _ in range(4):  # bounded depth: a server, its workers, their helpers
        nxt: list[int] = []
        for parent in frontier:
            kids = _children(parent) - found
            found.update(kids)
            nxt.extend(kids)
        frontier = nxt
    return found


def rss_bytes(pid: int) -> int:
    """VmRSS of one process, from /proc/<pid>/status (0 when unreadable)."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


def tree_rss_bytes(pid: int) -> int:
    """VmRSS of a process plus all its descendants (a gunicorn master and its workers)."""
    return rss_bytes(pid) + sum(rss_bytes(child) for child in _descendants(pid))


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except OSError:
        return False
    return True


def _signal(pid: int, sig: int) -> None:
    with contextlib.suppress(OSError):
        os.kill(pid, sig)


def stop(server: Server, timeout: float = 10.0) -> None:
    """Stop one server by PID (SIGTERM, bounded wait, SIGKILL), then any leftover children."""
    children = server.known_children | _descendants(server.pid)
    if server.popen.poll() is None:
        server.popen.send_signal(signal.SIGTERM)
        try:
            server.popen.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            server.popen.kill()
            server.popen.wait(timeout=timeout)
    for child in sorted(children):
        deadline = time.monotonic() + timeout
        while _alive(child) and time.monotonic() < deadline:
            time.sleep(0.05)
        if _alive(child):
            _signal(child, signal.SIGKILL)
    if server in STARTED:
        STARTED.remove(server)


def stop_all() -> None:
    """Stop every server still recorded as started (newest first)."""
    for server in list(reversed(STARTED)):
        try:
            stop(server)
        except Exception as exc:  # keep stopping the others
            print(f"warning: could not stop {server.name} (pid {server.pid}): {exc}")
