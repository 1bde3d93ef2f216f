"""The SQLite store decodes a row once per process: later reads of the same row text reuse the
record; a changed row (another process wrote it) is decoded again."""

from __future__ import annotations

from pathlib import Path

import pytest
from flask.testing import FlaskClient

from mock_flowservice import create_app
from mock_flowservice.storage import sqlite

from .support import BASE_PATH, HEADERS, dynamics_basic_body

LIST = BASE_PATH + "/connections"


def _client(path: Path) -> FlaskClient:
    return create_app({"state_path": str(path)}).test_client()


def test_reads_reuse_decoded_records_and_see_other_writers(tmp_path: Path) -> None:
    state = tmp_path / "state.sqlite3"
    one, two = _client(state), _client(state)
    created = one.post(LIST, json=dynamics_basic_body(), headers=HEADERS).json
    first = two.get(f"{LIST}/{created['id']}", headers=HEADERS).json
    assert two.get(f"{LIST}/{created['id']}", headers=HEADERS).json == first
    patch = [{"op": "replace", "path": "/name", "value": "renamed"}]
    headers = {
        **HEADERS,
        "If-Match": created["etag"],
        "Content-Type": "application/json-patch+json",
    }
    assert one.patch(f"{LIST}/{created['id']}", json=patch, headers=headers).status_code == 200
    (seen,) = two.get(f"{LIST}/{created['id']}", headers=HEADERS).json["items"]
    assert seen["name"] == "renamed"


def test_a_full_cache_starts_again(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sqlite, "DECODED_CACHE_SIZE", 2)
    client = _client(tmp_path / "state.sqlite3")
    for n in range(4):
        body = dynamics_basic_body(name=f"c{n}")
        assert client.post(LIST, json=body, headers=HEADERS).status_code == 201
    names = [c["name"] for c in client.get(LIST, headers=HEADERS).json["items"]]
    assert sorted(names) == ["c0", "c1", "c2", "c3"]
    client.post("/__mock__/reset")
    assert client.get(LIST, headers=HEADERS).json["items"] == []
