"""Record through the proxy, then replay: the same requests get the same answers; ``seed``
turns a recording's connections into mock state."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import requests

from mock_flowservice import create_app, of_app
from mock_flowservice.proxy import (
    ProxySettings,
    RecordingError,
    create_proxy_app,
    install_replay,
    proxy_state,
    read_recording,
    seed_document,
)
from mock_flowservice.proxy.recording import RecordingWriter

from .serving import served
from .support import BASE_PATH, HEADERS, dynamics_basic_body, dynamics_sp_body, start_server

pytestmark = pytest.mark.server

Session = Callable[[str, str], list[tuple[int, Any]]]


def _session(url: str, ims: str) -> list[tuple[int, Any]]:
    """A user's session: a token, two connections made, read, patched, one deleted."""
    base = url + BASE_PATH
    answers: list[requests.Response] = []
    token = requests.post(ims + "/ims/token/v3", data={
        "grant_type": "client_credentials", "client_id": "me", "client_secret": "s",
        "scope": "openid"})  # fmt: skip
    answers.append(token)
    keep = requests.post(f"{base}/connections", json=dynamics_basic_body(), headers=HEADERS)
    drop = requests.post(f"{base}/connections", json=dynamics_sp_body(), headers=HEADERS)
    answers += [keep, drop]
    cid = keep.json()["id"]
    read = requests.get(f"{base}/connections/{cid}", headers=HEADERS)
    patch = [{"op": "replace", "path": "/name", "value": "renamed"}]
    etag = {"If-Match": read.json()["items"][0]["etag"]}
    answers += [
        read,
        requests.patch(f"{base}/connections/{cid}", json=patch, headers={**HEADERS, **etag}),
        requests.get(f"{base}/connections/{cid}", headers=HEADERS),
        requests.delete(f"{base}/connections/{drop.json()['id']}", headers=HEADERS),
        requests.get(f"{base}/connections?limit=5", headers=HEADERS),
        requests.get(f"{base}/connections/unknown", headers=HEADERS),
    ]
    return [(a.status_code, a.json() if a.content else None) for a in answers]


def _record(tmp_path: Path) -> tuple[Path, list[tuple[int, Any]]]:
    upstream = start_server(create_app())
    app = create_proxy_app(ProxySettings(upstream=upstream.url, record=tmp_path / "rec"))
    proxy = start_server(app)
    try:
        answers = _session(proxy.url, proxy.url)
    finally:
        proxy.stop()
        proxy_state(app).close()
        upstream.stop()
    return tmp_path / "rec", answers


def test_record_then_replay_gives_the_same_answers(tmp_path: Path) -> None:
    recording, recorded_answers = _record(tmp_path)
    exchanges = read_recording(recording)
    assert len(exchanges) == len(recorded_answers) == 9
    app = create_app()
    install_replay(app, exchanges, miss="404")
    server = start_server(app)
    try:
        replayed = _session(server.url, server.url)
        miss = requests.get(f"{server.base_url}/connections/never-recorded", headers=HEADERS)
    finally:
        server.stop()
    assert [status for status, _ in replayed] == [status for status, _ in recorded_answers]
    token, *rest = zip(replayed, recorded_answers, strict=True)
    assert token[0][1]["access_token"] == "********"  # an issued token is never kept
    for (_, mine), (_, theirs) in rest:
        assert mine == theirs
    assert (miss.status_code, miss.json()) == (404, {"error_code": "404000",
                                                     "message": "Resource not found"})  # fmt: skip
    assert miss.headers["x-mock-replay"] == "miss"
    assert of_app(app).store.everything("connections") == []  # all came from the recording


def test_a_replay_miss_can_go_to_the_mock(tmp_path: Path) -> None:
    recording, _ = _record(tmp_path)
    app = create_app()
    install_replay(app, read_recording(recording))
    client = app.test_client()
    hit = client.get(BASE_PATH + "/connections/unknown", headers=HEADERS)
    assert hit.headers["x-mock-replay"] == "hit"
    created = client.post(BASE_PATH + "/connections", json=dynamics_basic_body("new"),
                          headers=HEADERS)  # fmt: skip
    assert (created.status_code, created.headers["x-mock-replay"]) == (201, "miss")
    assert len(of_app(app).store.everything("connections")) == 1


def test_a_directory_that_is_no_recording_is_refused(tmp_path: Path) -> None:
    with pytest.raises(RecordingError, match="not a recording"):
        read_recording(tmp_path)
    (tmp_path / "recording.json").write_text('{"format": "other"}')
    with pytest.raises(RecordingError, match="manifest"):
        read_recording(tmp_path)
    with pytest.raises(RecordingError, match="manifest"):
        RecordingWriter(tmp_path, upstream="http://x", base_path=BASE_PATH)
    (tmp_path / "recording.json").write_text(
        json.dumps({"format": "mock-flowservice-recording", "version": 99})
    )
    with pytest.raises(RecordingError, match="version 99"):
        read_recording(tmp_path)
    (tmp_path / "recording.json").write_text(
        json.dumps({"format": "mock-flowservice-recording", "version": 1})
    )
    (tmp_path / "exchanges").mkdir(exist_ok=True)
    (tmp_path / "exchanges" / "000001.json").write_text("{}")
    with pytest.raises(RecordingError, match="not a recorded exchange"):
        read_recording(tmp_path)


def test_seed_document_holds_the_last_version_of_each_kept_connection(tmp_path: Path) -> None:
    recording, answers = _record(tmp_path)
    document = seed_document(read_recording(recording), BASE_PATH)
    [connection] = document["connections"]
    assert connection["id"] == answers[1][1]["id"]
    assert connection["name"] == "renamed"
    assert connection["auth"]["params"]["password"] == "********"
    assert connection["auth"]["params"]["username"] == "ops@contoso.example"


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "mock_flowservice", *args], capture_output=True,
                          text=True, timeout=60, check=False)  # fmt: skip


def test_seed_command_loads_a_state_file_the_mock_then_serves(tmp_path: Path) -> None:
    recording, answers = _record(tmp_path)
    state = tmp_path / "state.sqlite3"
    done = _cli("seed", str(recording), "--state", str(state), "--output", "-")
    assert done.returncode == 0, done.stderr
    assert "seeded 1 connections" in done.stderr
    assert json.loads(done.stdout)["connections"][0]["name"] == "renamed"
    with served("--state", str(state), log_path=tmp_path / "serve.log") as server:
        listed = requests.get(server.base_url + "/connections", headers=HEADERS).json()
    assert [c["id"] for c in listed["items"]] == [answers[1][1]["id"]]
    assert _cli("seed", str(recording)).returncode == 2  # neither --state nor --output
    assert _cli("seed", str(tmp_path)).returncode == 2  # not a recording
    assert _cli("seed", str(recording), "--state", str(state)).returncode == 2  # ids exist


def test_serve_replay_answers_from_the_recording(tmp_path: Path) -> None:
    recording, answers = _record(tmp_path)
    args = ("--replay", str(recording), "--replay-miss", "404")
    with served(*args, log_path=tmp_path / "serve.log") as server:
        replayed = _session(server.url, server.url)
    assert [status for status, _ in replayed] == [status for status, _ in answers]
    assert replayed[1:] == answers[1:]
    assert "replaying 9 recorded exchanges" in (tmp_path / "serve.log").read_text()
