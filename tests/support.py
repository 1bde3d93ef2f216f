"""Test helpers: the documented headers, a threaded server and a server subprocess."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import requests
from flask import Flask
from waitress.server import create_server

BASE_PATH = "/data/foundation/flowservice"
DYNAMICS_SPEC_ID = "38ad80fe-8b06-4938-94f4-d4ee80266b07"
DYNAMICS_BASIC = "Basic Authentication for Dynamics-Online"
DYNAMICS_SP = "Service Principal Key Based Authentication"
ORG = "5C1328435BF324E90A49402A@AdobeOrg"

HEADERS = {
    "Authorization": "Bearer test-token",
    "x-api-key": "test-client",
    "x-gw-ims-org-id": ORG,
    "x-sandbox-name": "prod",
    "Content-Type": "application/json",
}


def dynamics_basic_body(
    name: str = "Dynamics connection", password: str = "s3cret!"
) -> dict[str, Any]:
    """The create request of the Dynamics tutorial (basic auth)."""
    return {
        "name": name,
        "description": "Dynamics connection with basic auth",
        "auth": {
            "specName": DYNAMICS_BASIC,
            "params": {
                "serviceUri": "https://contoso.crm.dynamics.com",
                "username": "ops@contoso.example",
                "password": password,
            },
        },
        "connectionSpec": {"id": DYNAMICS_SPEC_ID, "version": "1.0"},
    }


def dynamics_sp_body(name: str = "Dynamics SP", key: str = "sp-key-value") -> dict[str, Any]:
    """The create request of the Dynamics tutorial (service principal)."""
    return {
        "name": name,
        "description": "Dynamics connection with a service principal",
        "auth": {
            "specName": DYNAMICS_SP,
            "params": {
                "serviceUri": "https://contoso.crm.dynamics.com",
                "servicePrincipalId": "00000000-0000-0000-0000-000000000001",
                "servicePrincipalKey": key,
            },
        },
        "connectionSpec": {"id": DYNAMICS_SPEC_ID, "version": "1.0"},
    }


@dataclass
class ThreadedServer:
    """A waitress server running an app in a daemon thread on a free loopback port."""

    app: Flask
    url: str
    _server: Any
    _thread: threading.Thread

    @property
    def base_url(self) -> str:
        return self.url + BASE_PATH

    def stop(self) -> None:
        self._server.close()
        self._thread.join(timeout=5)


def start_threaded_server(app: Flask) -> ThreadedServer:
    server: Any = create_server(app, host="127.0.0.1", port=0, threads=8)
    thread = threading.Thread(target=server.run, name="mock-server", daemon=True)
    thread.start()
    return ThreadedServer(app, f"http://127.0.0.1:{server.effective_port}", server, thread)


@dataclass
class ServerProcess:
    """A ``mock-flowservice serve`` subprocess and the URL it printed."""

    process: subprocess.Popen[str]
    url: str

    @property
    def base_url(self) -> str:
        return self.url + BASE_PATH

    def stop(self, timeout: float = 10) -> int:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=timeout)
        return self.process.returncode


def launch_cli(args: Sequence[str], *, env: dict[str, str] | None = None) -> subprocess.Popen[str]:
    command = [sys.executable, "-m", "mock_flowservice", *args]
    return subprocess.Popen(
        command,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, **(env or {})},
    )


def wait_for_url(process: subprocess.Popen[str], timeout: float = 20) -> str:
    """Read stdout until the server prints its URL (bounded by ``timeout``)."""
    deadline = time.monotonic() + timeout
    assert process.stdout is not None
    while time.monotonic() < deadline:
        line = process.stdout.readline()
        if "listening on " in line:
            return line.rsplit("listening on ", 1)[1].strip()
        if not line and process.poll() is not None:
            break
    process.kill()
    raise RuntimeError(f"server did not start: {process.stderr.read() if process.stderr else ''}")


@contextmanager
def cli_server(*extra: str, env: dict[str, str] | None = None) -> Iterator[ServerProcess]:
    """Run ``mock-flowservice serve --port 0`` for the duration of a ``with`` block."""
    process = launch_cli(["serve", "--port", "0", *extra], env=env)
    try:
        server = ServerProcess(process, wait_for_url(process))
        wait_healthy(server.url)
        yield server
    finally:
        ServerProcess(process, "").stop()
        for stream in (process.stdout, process.stderr):
            if stream is not None:
                stream.close()


def wait_healthy(url: str, timeout: float = 10) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if requests.get(url + "/__mock__/health", timeout=1).status_code == 200:
                return
        except requests.ConnectionError:
            time.sleep(0.02)
    raise RuntimeError(f"{url} never became healthy")
