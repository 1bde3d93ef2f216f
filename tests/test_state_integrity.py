"""``--state FILE`` is checked on open (``PRAGMA quick_check``): a damaged file is refused.

The refusal names the file, ``serve`` exits with status 2 without a traceback, and the file
is left byte for byte as it was (never replaced by a fresh one).
"""

from __future__ import annotations

import hashlib
import sqlite3
from pathlib import Path

import pytest

from mock_flowservice import create_app, of_app
from mock_flowservice.operations import registry
from mock_flowservice.storage import SqliteStore, StateFileError

from .serving import run_serve
from .support import BASE_PATH, HEADERS, dynamics_basic_body

PAGE = 4096


def filled_state_file(path: Path) -> Path:
    """A state file with enough records to span many pages."""
    app = create_app({"state_path": str(path)})
    client = app.test_client()
    for index in range(150):
        body = dynamics_basic_body(f"connection {index}" + "x" * 200)
        assert (
            client.post(BASE_PATH + "/connections", json=body, headers=HEADERS).status_code == 201
        )
    of_app(app).store.close()
    db = sqlite3.connect(path)
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # every page in the main file
    db.close()
    return path


def damage_pages(path: Path) -> None:
    """Garbage over the middle of a b-tree page (the header stays readable)."""
    pages = path.stat().st_size // PAGE
    assert pages > 8
    with path.open("r+b") as handle:
        handle.seek(PAGE * (pages // 2) + 100)
        handle.write(b"\xde\xad\xbe\xef" * 256)


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def damaged(tmp_path: Path) -> Path:
    path = filled_state_file(tmp_path / "state.sqlite3")
    damage_pages(path)
    return path


@pytest.fixture
def not_a_database(tmp_path: Path) -> Path:
    path = tmp_path / "state.sqlite3"
    path.write_bytes(b"this is not SQLite\n" * 500)
    return path


def test_a_damaged_file_is_refused_naming_it(damaged: Path) -> None:
    before = digest(damaged)
    with pytest.raises(StateFileError, match="damaged") as raised:
        SqliteStore(damaged, registry.decoders())
    assert str(raised.value).startswith(f"state file {damaged}: damaged")
    assert "quick_check" in str(raised.value)
    assert "left as it is" in str(raised.value)
    assert digest(damaged) == before


def test_a_file_that_is_no_database_is_refused_naming_it(not_a_database: Path) -> None:
    before = digest(not_a_database)
    with pytest.raises(StateFileError, match="not a state file") as raised:
        SqliteStore(not_a_database, registry.decoders())
    assert str(raised.value).startswith(f"state file {not_a_database}:")
    assert digest(not_a_database) == before


def test_a_sound_file_opens_and_keeps_its_records(tmp_path: Path) -> None:
    path = filled_state_file(tmp_path / "state.sqlite3")
    store = SqliteStore(path, registry.decoders())
    try:
        assert len(store.everything("connections")) == 150
    finally:
        store.close()


def test_an_empty_file_is_a_new_state(tmp_path: Path) -> None:
    path = tmp_path / "state.sqlite3"
    path.touch()
    SqliteStore(path, registry.decoders()).close()
    assert path.stat().st_size > 0


@pytest.mark.parametrize("kind", ["damaged", "not_a_database"])
def test_serve_refuses_a_damaged_state_file_with_status_2(
    kind: str, request: pytest.FixtureRequest
) -> None:
    path: Path = request.getfixturevalue(kind)
    before = digest(path)
    done = run_serve("--state", str(path), timeout=60)
    assert done.returncode == 2, done.stderr
    assert f"Error: state file {path}: " in done.stderr
    assert "Traceback" not in done.stderr
    assert "listening on" not in done.stdout
    assert digest(path) == before


def test_serve_refuses_a_file_of_a_newer_release_with_status_2(tmp_path: Path) -> None:
    path = tmp_path / "state.sqlite3"
    SqliteStore(path, registry.decoders()).close()
    db = sqlite3.connect(path)
    db.execute("PRAGMA user_version = 99")
    db.commit()
    db.close()
    done = run_serve("--state", str(path), timeout=60)
    assert done.returncode == 2, done.stderr
    assert "newer release" in done.stderr
    assert "Traceback" not in done.stderr
