"""``mock-flowservice serve`` as a user runs it: the Dynamics tutorial with curl, logs, signals.

The server is a real subprocess on 127.0.0.1 and a free port (``--port 0``); it stops on
SIGINT and SIGTERM with exit status 0.
"""

from __future__ import annotations

import json
import shutil
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import requests

from mock_flowservice.cli import control_policy

from .serving import Served, run_serve, serve_command, served
from .support import DYNAMICS_SPEC_ID, HEADERS, ORG

pytestmark = pytest.mark.server

PASSWORD = "Tut0rial-Pa55word"
SP_KEY = "Tut0rial-Pr1ncipal-Key"
SP_SPEC = "Service Principal Key Based Authentication"

# The two create requests of the Dynamics tutorial (FACTS F.3), with its headers and bodies.
BASIC_BODY = """{
        "name": "Dynamics base connection",
        "description": "Dynamics base connection",
        "auth": {
            "specName": "Basic Authentication for Dynamics-Online",
            "params": {
                "serviceUri": "https://contoso.crm.dynamics.com",
                "username": "ops@contoso.example",
                "password": "{PASSWORD}"
            }
        },
        "connectionSpec": {
            "id": "38ad80fe-8b06-4938-94f4-d4ee80266b07",
            "version": "1.0"
        }
    }""".replace("{PASSWORD}", PASSWORD)

SP_BODY = """{
        "name": "Dynamics base connection",
        "description": "Dynamics base connection",
        "auth": {
            "specName": "Service Principal Key Based Authentication",
            "params": {
                "serviceUri": "https://contoso.crm.dynamics.com",
                "servicePrincipalId": "00000000-0000-0000-0000-000000000001",
                "servicePrincipalKey": "{SERVICE_PRINCIPAL_KEY}"
            }
        },
        "connectionSpec": {
            "id": "38ad80fe-8b06-4938-94f4-d4ee80266b07",
            "version": "1.0"
        }
    }""".replace("{SERVICE_PRINCIPAL_KEY}", SP_KEY)


def curl_create(curl: str, base_url: str, body: str) -> tuple[int, dict[str, Any]]:
    """``curl -X POST .../connections -H ... -d '{...}'`` as the tutorial writes it."""
    command = [
        curl, "-sS", "-w", "\n%{http_code}",
        "-X", "POST", f"{base_url}/connections",
        "-H", "Authorization: Bearer {ACCESS_TOKEN}",
        "-H", "x-api-key: {API_KEY}",
        "-H", f"x-gw-ims-org-id: {ORG}",
        "-H", "x-sandbox-name: prod",
        "-H", "Content-Type: application/json",
        "-d", body,
    ]  # fmt: skip
    done = subprocess.run(command, capture_output=True, text=True, timeout=30, check=True)
    text, _, status = done.stdout.rpartition("\n")
    return int(status), json.loads(text)


def test_dynamics_tutorial_with_curl_then_read_list_delete(tmp_path: Path) -> None:
    curl = shutil.which("curl")
    if curl is None:
        pytest.skip("curl is not installed")
    with served(log_path=tmp_path / "serve.log") as server:
        assert server.url.startswith("http://127.0.0.1:")
        created = [curl_create(curl, server.base_url, body) for body in (BASIC_BODY, SP_BODY)]
        assert [status for status, _ in created] == [201, 201]
        ids = [body["id"] for _, body in created]
        assert all(body["etag"].startswith('"') for _, body in created)

        with requests.Session() as http:
            http.headers.update(HEADERS)
            specs = ["Basic Authentication for Dynamics-Online", SP_SPEC]
            for connection_id, auth_spec in zip(ids, specs, strict=True):
                item = http.get(f"{server.base_url}/connections/{connection_id}").json()
                (connection,) = item["items"]
                assert connection["auth"]["specName"] == auth_spec
                assert connection["connectionSpec"] == {"id": DYNAMICS_SPEC_ID, "version": "1.0"}
            item = http.get(f"{server.base_url}/connections/{ids[0]}").json()["items"][0]
            assert item["auth"]["params"]["password"] == "********"

            listed = http.get(f"{server.base_url}/connections").json()["items"]
            assert [c["id"] for c in listed] == ids

            assert http.delete(f"{server.base_url}/connections/{ids[0]}").status_code == 204
            gone = http.get(f"{server.base_url}/connections/{ids[0]}")
            assert gone.status_code == 404
            assert gone.json()["type"].endswith("FLOW-1439-404")
            request_ids = [gone.headers["x-request-id"]]
        assert server.stop() == 0

    log = server.log()
    assert PASSWORD not in log
    assert SP_KEY not in log
    # One line per request, found by its request id.
    lines = [line for line in log.splitlines() if request_ids[0] in line]
    assert len(lines) == 1, lines


def test_one_log_line_per_request_without_secrets(tmp_path: Path) -> None:
    with served(log_path=tmp_path / "serve.log") as server, requests.Session() as http:
        http.headers.update(HEADERS)
        sent = [
            http.post(f"{server.base_url}/connections", data=BASIC_BODY),
            http.get(f"{server.base_url}/connections"),
            http.post(f"{server.base_url}/connections", data=BASIC_BODY.replace("{", "[", 1)),
        ]
        assert [response.status_code for response in sent] == [201, 200, 400]
        server.stop()
    lines = server.log().splitlines()
    for response in sent:
        found = [line for line in lines if response.headers["x-request-id"] in line]
        assert len(found) == 1, found
    assert not [line for line in lines if PASSWORD in line]


@pytest.mark.parametrize("workers", ["1", "2"])
@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
def test_signal_stops_cleanly_with_status_0(tmp_path: Path, sig: int, workers: str) -> None:
    with served("--workers", workers, log_path=tmp_path / "serve.log") as server:
        assert requests.get(server.url + "/__mock__/health", timeout=5).status_code == 200
        assert server.stop(sig) == 0
    assert "Traceback" not in server.log()


def test_python_dash_m_help() -> None:
    for args in ([], ["serve"]):
        done = subprocess.run(
            [sys.executable, "-m", "mock_flowservice", *args, "--help"],
            capture_output=True,
            text=True,
            timeout=30,
            check=False,
        )
        assert done.returncode == 0, done.stderr
        assert "Usage: mock-flowservice" in done.stdout
    for option in ("--state", "--workers", "--threads", "--log-format", "--token-policy"):
        assert option in done.stdout


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "cannot read"),
        ("{not json", "cannot read"),
        ("[1, 2]", "must hold a JSON object"),
        ('{"no_such_setting": 1}', "unknown mock settings: no_such_setting"),
        ('{"default_page_size": 0}', "default_page_size"),
    ],
    ids=["missing", "not-json", "not-object", "unknown-setting", "bad-value"],
)
def test_bad_config_file_is_a_usage_error(
    tmp_path: Path, content: str | None, message: str
) -> None:
    config = tmp_path / "mock.json"
    if content is not None:
        config.write_text(content, "utf-8")
    done = run_serve("--config", str(config))
    assert done.returncode == 2
    assert "Usage: mock-flowservice serve" in done.stderr
    assert message in done.stderr
    assert "Traceback" not in done.stderr


@pytest.mark.parametrize(
    "args",
    [
        ["--state", "/nonexistent-dir/state.sqlite3"],
        ["--workers", "0"],
        ["--log-format", "xml"],
        ["--log-level", "chatty"],
    ],
    ids=["state-dir-missing", "no-workers", "log-format", "log-level"],
)
def test_bad_options_are_usage_errors(args: list[str]) -> None:
    done = run_serve(*args)
    assert done.returncode == 2
    assert "Traceback" not in done.stderr


def test_state_path_in_a_config_file_persists(tmp_path: Path) -> None:
    """``--state`` in a ``--config`` file works like the option (``state_path``)."""
    config = tmp_path / "mock.json"
    config.write_text(json.dumps({"state_path": str(tmp_path / "state.sqlite3")}), "utf-8")
    with served("--config", str(config), log_path=tmp_path / "1.log") as server:
        created = post_basic(server)
    with served("--config", str(config), log_path=tmp_path / "2.log") as server:
        response = requests.get(f"{server.base_url}/connections/{created}", headers=HEADERS)
        assert response.status_code == 200


def post_basic(server: Served) -> str:
    response = requests.post(
        f"{server.base_url}/connections", data=BASIC_BODY, headers=HEADERS, timeout=10
    )
    assert response.status_code == 201
    connection_id: str = response.json()["id"]
    return connection_id


@pytest.mark.parametrize("workers", ["1", "2"])
def test_json_log_format_every_line_is_json(tmp_path: Path, workers: str) -> None:
    args = ("--log-format", "json", "--workers", workers)
    with served(*args, log_path=tmp_path / "serve.log") as server:
        response = requests.post(
            f"{server.base_url}/connections", data=BASIC_BODY, headers=HEADERS, timeout=10
        )
        assert response.status_code == 201
        assert server.stop(signal.SIGINT) == 0
    records = [json.loads(line) for line in server.log().splitlines()]
    (access,) = [r for r in records if r.get("request_id") == response.headers["x-request-id"]]
    assert (access["method"], access["status"]) == ("POST", 201)
    assert PASSWORD not in server.log()


@pytest.mark.parametrize("workers", ["1", "2"])
def test_port_in_use_is_an_error_not_a_traceback(tmp_path: Path, workers: str) -> None:
    with served(log_path=tmp_path / "serve.log") as server:
        port = server.url.rsplit(":", 1)[1]
        command = [*serve_command(["--workers", workers]), "--port", port]
        done = subprocess.run(command, capture_output=True, text=True, timeout=30, check=False)
    assert done.returncode == 1
    assert f"Error: cannot listen on 127.0.0.1:{port}" in done.stderr
    assert "Traceback" not in done.stderr


@pytest.mark.parametrize(
    ("host", "settings", "policy"),
    [
        ("127.0.0.1", {}, "on"),
        ("::1", {}, "on"),
        ("0.0.0.0", {}, "off"),
        ("0.0.0.0", {"control_token": "s3cret"}, "on"),
    ],
)
def test_control_api_beyond_loopback_needs_a_token(
    host: str, settings: dict[str, str], policy: str
) -> None:
    assert control_policy(host, settings) == policy


@pytest.mark.server
def test_serve_strict_wants_an_issued_token_for_its_client(tmp_path: Path) -> None:
    with served("--strict", log_path=tmp_path / "serve.log") as server:
        listing = server.base_url + "/connections"
        assert requests.get(listing, headers=HEADERS, timeout=10).status_code == 401
        form = {"grant_type": "client_credentials", "client_id": HEADERS["x-api-key"],
                "client_secret": "s", "scope": "openid"}  # fmt: skip
        token = requests.post(server.url + "/ims/token/v3", data=form, timeout=10).json()
        issued = {**HEADERS, "Authorization": f"Bearer {token['access_token']}"}
        assert requests.get(listing, headers=issued, timeout=10).status_code == 200
