"""A state file the mock cannot use stops it at start, naming the file and the cause.

Each case is refused by ``create_app`` (a :class:`StateFileError`) and by ``mock-flowservice
serve`` (exit status 2, one ``Error:`` line, no traceback) instead of answering 500 later.
"""

from __future__ import annotations

import fcntl
import os
import sqlite3
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from mock_flowservice import create_app
from mock_flowservice.operations import registry
from mock_flowservice.storage import SCHEMA_VERSION, SqliteStore, StateFileError

from .serving import serve_command, served


def _refused(path: Path, **settings: object) -> str:
    with pytest.raises(StateFileError) as caught:
        create_app({"state_path": str(path), **settings})
    message = str(caught.value)
    assert message.startswith(f"state file {path}: ")
    return message


def _serve_refused(path: Path, *args: str) -> str:
    done = subprocess.run(
        serve_command(["--state", str(path), *args]),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 2, done.stderr
    assert "Traceback" not in done.stderr
    (line,) = done.stderr.splitlines()
    assert line.startswith(f"Error: state file {path}: ")
    return line


@pytest.fixture
def frozen() -> Iterator[list[Path]]:
    """Paths made unwritable for the test (``chattr +i`` as root, who ignores modes)."""
    paths: list[Path] = []
    yield paths
    for path in paths:
        if os.geteuid() == 0:
            subprocess.run(["chattr", "-i", str(path)], check=False)
        else:
            path.chmod(0o600)


def _freeze(path: Path, frozen: list[Path]) -> None:
    if os.geteuid() == 0:
        done = subprocess.run(["chattr", "+i", str(path)], capture_output=True, check=False)
        if done.returncode != 0:
            pytest.skip(f"cannot make a file immutable here: {done.stderr!r}")
    else:
        path.chmod(0o400)
    frozen.append(path)


def test_a_missing_folder(tmp_path: Path) -> None:
    path = tmp_path / "nowhere" / "state.sqlite3"
    assert _refused(path).endswith(f"the folder {path.parent} does not exist")
    assert not path.parent.exists()


def test_a_folder_where_the_file_should_be(tmp_path: Path) -> None:
    assert _refused(tmp_path).endswith("is a folder, not a file")


def test_not_a_sqlite_file(tmp_path: Path) -> None:
    path = tmp_path / "notes.txt"
    path.write_text("my notes, not a database\n" * 40, "utf-8")
    assert _refused(path).endswith("not a state file (not a SQLite database)")
    assert path.read_text("utf-8").startswith("my notes")  # untouched


def test_another_programs_sqlite_database(tmp_path: Path) -> None:
    path = tmp_path / "other.db"
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE invoices (id INTEGER)")
    assert "not a state file (a SQLite database with the tables invoices)" in _refused(path)
    with sqlite3.connect(path) as db:
        db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
    assert "of format 2 without its tables" in _refused(path)


def test_a_newer_format_from_the_command_line(tmp_path: Path) -> None:
    path = tmp_path / "state.sqlite3"
    create_app({"state_path": str(path)})
    with sqlite3.connect(path) as db:
        db.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    assert "written by a newer release (format 3" in _serve_refused(path)


def test_locked_by_another_process_through_the_lock_file(tmp_path: Path) -> None:
    path = tmp_path / "state.sqlite3"
    create_app({"state_path": str(path)})
    fd = os.open(f"{path}.lock", os.O_RDWR)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)  # as a writer of another process would
        message = _refused(path, state_open_timeout_seconds=0.1)
        assert "locked by another process" in message
        line = _serve_refused(path, "--config", str(_config(tmp_path, 0.1)))
        assert "locked by another process" in line
    finally:
        os.close(fd)
    create_app({"state_path": str(path)})  # free again: it opens


def test_locked_by_another_sqlite_program(tmp_path: Path) -> None:
    path = tmp_path / "state.sqlite3"
    create_app({"state_path": str(path)})
    other = sqlite3.connect(path, isolation_level=None)
    try:
        other.execute("BEGIN EXCLUSIVE")
        assert "locked by another process (SQLite)" in _refused(
            path, state_open_timeout_seconds=0.1
        )
    finally:
        other.close()


def test_a_read_only_file_is_refused_at_start(tmp_path: Path, frozen: list[Path]) -> None:
    path = tmp_path / "state.sqlite3"
    create_app({"state_path": str(path)})
    _freeze(path, frozen)
    assert "read-only" in _refused(path)
    assert "read-only" in _serve_refused(path)


def test_a_lock_file_that_cannot_be_opened(tmp_path: Path, frozen: list[Path]) -> None:
    path = tmp_path / "state.sqlite3"
    create_app({"state_path": str(path)})
    _freeze(Path(f"{path}.lock"), frozen)
    message = _refused(path)
    assert f"no permission to open {path}.lock (another user's?) for writing" in message
    assert "no permission" in _serve_refused(path)


@pytest.mark.parametrize("workers", ["1", "2"])
def test_a_clean_exit_leaves_no_lock_file(tmp_path: Path, workers: str) -> None:
    path = tmp_path / "state.sqlite3"
    args = ("--state", str(path), "--workers", workers)
    with served(*args, log_path=tmp_path / "log") as server:
        assert Path(f"{path}.lock").exists()
        assert server.stop() == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["log", "state.sqlite3"]


def _config(folder: Path, timeout: float) -> Path:
    config = folder / "mock.json"
    config.write_text(f'{{"state_open_timeout_seconds": {timeout}}}', "utf-8")
    return config


def test_a_folder_that_cannot_be_written(tmp_path: Path, frozen: list[Path]) -> None:
    folder = tmp_path / "locked-folder"
    folder.mkdir()
    _freeze(folder, frozen)
    message = _refused(folder / "state.sqlite3")
    assert message.endswith(f"cannot be opened or created (permissions of {folder}?)")


def test_the_lock_file_stays_while_another_process_holds_it(tmp_path: Path) -> None:
    path = tmp_path / "state.sqlite3"
    store = SqliteStore(path, registry.decoders())
    store.close()
    fd = os.open(f"{path}.lock", os.O_RDWR)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        store.remove_lock_file()
        assert Path(f"{path}.lock").exists()
    finally:
        os.close(fd)
    store.remove_lock_file()
    assert not Path(f"{path}.lock").exists()
    store.remove_lock_file()  # nothing to remove: no error
