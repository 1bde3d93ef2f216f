"""Test helpers: the documented headers, sample bodies, a threaded server, start-up waits."""

from __future__ import annotations

import subprocess
import time
from typing import Any

import requests
from flowservice_fixtures.server import MockServer as MockServer
from flowservice_fixtures.server import start_server as start_server

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


def wait_healthy(url: str, timeout: float = 10) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if requests.get(url + "/__mock__/health", timeout=1).status_code == 200:
                return
        except requests.ConnectionError:
            time.sleep(0.02)
    raise RuntimeError(f"{url} never became healthy")
