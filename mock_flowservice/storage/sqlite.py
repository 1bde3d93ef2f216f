"""A :class:`~.base.Store` kept in a SQLite file, shared by threads and processes.

``serve --state PATH`` (or ``MockConfig.state_path``) uses it so the mock's state survives a
restart, and ``serve --workers N`` uses it so N processes share one state. The semantics are
those of :class:`~.memory.MemoryStore`; only the durability and sharing differ:

* **Durable.** The file is in WAL journal mode with ``synchronous=NORMAL``: a write is in the
  file before its request is answered, so every create answered 201 survives a crash of the
  server (``kill -9``). A power cut may lose the last transactions, which a mock can afford;
  ``durable=True`` (``synchronous=FULL``) also covers that, at an fsync per write.
* **One writer at a time, across processes.** Every write is one ``BEGIN IMMEDIATE``
  transaction; the etag check of :meth:`SqliteStore.compare_and_set` and its write happen
  inside it, so of several writers holding one etag exactly one wins even when they reach
  different processes. Writers queue on an ``flock`` of ``<state file>.lock`` first (each
  thread with its own descriptor), so a waiting writer wakes as soon as the lock is free
  instead of sleeping through SQLite's busy back-off; without ``fcntl`` they rely on
  ``busy_timeout_ms``.
* **One table for every resource type.** A row is ``(seq, kind, org, sandbox, id, record)``;
  the creation sequence is the table's ``INTEGER PRIMARY KEY AUTOINCREMENT``, so it grows
  across processes and is never reused (until :meth:`SqliteStore.reset`). Pages cost the same
  at any size: :meth:`SqliteStore.scan` reads ``WHERE kind=? AND org=? AND sandbox=? AND
  seq>? ORDER BY seq LIMIT ?`` in batches on the ``(kind, org, sandbox, seq)`` index.
* **Records are JSON** (each record's ``to_state()``, secret params included: the file is the
  user's own state, kept like the in-memory store keeps it; secrets are masked on every way
  out of the API, not in storage). Keep the file as private as the credentials in it. Each
  kind's *decoder* (given at construction) turns a row back into its record.
* **Checked.** An existing file passes ``PRAGMA quick_check`` (read-only) before it is used;
  a damaged one raises :class:`StateFileError` naming it and is never written to.
* **Versioned.** ``PRAGMA user_version`` holds :data:`SCHEMA_VERSION`. A file written by an
  older release is migrated forward when opened (format 1, the 0.1 release's ``connections``
  table, becomes the ``records`` table); a file of a newer release is refused.

Each thread uses its own SQLite connection (opened on first use, closed by :meth:`close`); a
forked child (a gunicorn worker) opens its own and never touches its parent's.
"""

from __future__ import annotations

import json
import os
import secrets
import sqlite3
import threading
import time
import weakref
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

try:
    import fcntl
except ImportError:  # pragma: no cover - not on Windows
    fcntl = None  # type: ignore[assignment]

from ..model import Tenant, etag_value
from .base import Decoder, IssuedToken, Predicate, R, Record, StaleEtag

__all__ = ["SCHEMA_VERSION", "SqliteStore", "StateFileError"]

#: The format this release writes (``PRAGMA user_version``).
SCHEMA_VERSION = 2
#: Decoded records one process keeps (per store), the rows most recently read.
DECODED_CACHE_SIZE = 4096

_SCHEMA = (
    """CREATE TABLE IF NOT EXISTS records (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        kind TEXT NOT NULL,
        org TEXT NOT NULL,
        sandbox TEXT NOT NULL,
        id TEXT NOT NULL,
        record TEXT NOT NULL
    )""",
    "CREATE UNIQUE INDEX IF NOT EXISTS records_key ON records (kind, org, sandbox, id)",
    "CREATE INDEX IF NOT EXISTS records_order ON records (kind, org, sandbox, seq)",
    """CREATE TABLE IF NOT EXISTS tokens (
        token TEXT PRIMARY KEY,
        client_id TEXT NOT NULL,
        expires_at REAL NOT NULL
    )""",
)

#: Rows read per query while a filter rejects records (a page may need several batches).
_BATCH = 200


class StateFileError(Exception):
    """A state file this release cannot use; the message names the file and the cause (a
    missing folder, no permission, locked by another process, read-only, not a state file,
    written by a newer release)."""


def _create_schema(db: sqlite3.Connection) -> None:
    for statement in _SCHEMA:
        db.execute(statement)
    db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")


def _migrate_1_to_2(db: sqlite3.Connection) -> None:
    """0.1's ``connections`` table becomes rows of kind ``connections`` (seq kept)."""
    _create_schema(db)
    db.execute(
        "INSERT INTO records (seq, kind, org, sandbox, id, record)"
        " SELECT seq, 'connections', org, sandbox, id, record FROM connections"
    )
    db.execute("DROP TABLE connections")


#: ``version -> step to version + 1``.
_MIGRATIONS: dict[int, Callable[[sqlite3.Connection], None]] = {1: _migrate_1_to_2}


#: The table every known format has (format 1, the 0.1 release, wrote no user_version).
_FORMAT_TABLES = {1: "connections", 2: "records"}


def _file_version(db: sqlite3.Connection) -> int | None:
    """The format of an opened file; None for a new, empty one."""
    version = int(db.execute("PRAGMA user_version").fetchone()[0])
    tables = {row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    if not version and "connections" in tables:
        version = 1
    if not version and tables:
        raise _NotAStateFile(f"a SQLite database with the tables {', '.join(sorted(tables))}")
    if version in _FORMAT_TABLES and _FORMAT_TABLES[version] not in tables:
        raise _NotAStateFile(f"a SQLite database of format {version} without its tables")
    return version or None


class _NotAStateFile(Exception):
    """What the file is instead (turned into a :class:`StateFileError`)."""


def _flock(fd: int, wait_s: float | None, path: Path) -> None:
    """Take the writers' lock; with ``wait_s``, give up after that long."""
    if wait_s is None:
        fcntl.flock(fd, fcntl.LOCK_EX)
        return
    deadline = time.monotonic() + wait_s
    while True:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return
        except BlockingIOError:
            if time.monotonic() >= deadline:
                raise StateFileError(
                    f"state file {path}: locked by another process (it holds {path}.lock; "
                    f"waited {wait_s:g} s)"
                ) from None
            time.sleep(0.05)


def _after_fork(store: weakref.ref[SqliteStore]) -> None:
    alive = store()
    if alive is not None:
        alive._forget_inherited()


class SqliteStore:
    """The mock's whole state in one SQLite file (see the module docstring)."""

    def __init__(
        self,
        path: str | os.PathLike[str],
        decoders: Mapping[str, Decoder],
        *,
        busy_timeout_ms: int = 30_000,
        durable: bool = False,
        open_timeout_s: float = 10.0,
    ) -> None:
        self.path = Path(path)
        self._decoders = dict(decoders)
        #: Decoded records by (kind, seq), each with the row text it came from: a read decodes
        #: a row only when its text is new to this process (records are immutable).
        self._decoded: dict[tuple[str, int], tuple[str, Any]] = {}
        self._busy_timeout_ms = busy_timeout_ms
        self._synchronous = "FULL" if durable else "NORMAL"
        self._lock_fds: list[int] = []
        self._local = threading.local()
        self._opened: list[sqlite3.Connection] = []
        self._inherited: list[sqlite3.Connection] = []
        self._opened_lock = threading.Lock()
        if hasattr(os, "register_at_fork"):
            store = weakref.ref(self)
            os.register_at_fork(after_in_child=lambda: _after_fork(store))
        # Create or migrate the schema once, then close: no connection is held until a thread
        # needs one, so the store can be built before a server forks its workers. Whatever
        # stops it is a StateFileError naming the file and the cause, so a server refuses to
        # start instead of answering 500 to every write later.
        try:
            self._open_once(open_timeout_s)
        except StateFileError:
            raise
        except (OSError, sqlite3.Error, _NotAStateFile) as exc:
            raise StateFileError(f"state file {self.path}: {self._cause(exc)}") from None

    def _open_once(self, timeout_s: float) -> None:
        if not self.path.parent.is_dir():
            raise StateFileError(
                f"state file {self.path}: the folder {self.path.parent} does not exist"
            )
        if self.path.is_dir():
            raise StateFileError(f"state file {self.path}: is a folder, not a file")
        self._check_integrity(timeout_s)
        db = self._open(busy_timeout_ms=int(timeout_s * 1000))
        try:
            with self._write(db, wait_s=timeout_s):
                self._prepare(db)
        finally:
            db.close()

    def _cause(self, exc: BaseException) -> str:
        """Why the file cannot be used, in a few words."""
        if isinstance(exc, _NotAStateFile):
            return f"not a state file ({exc})"
        text = str(exc).lower()
        if isinstance(exc, PermissionError):
            which = exc.filename or str(self.path)
            owner = " (another user's?)" if str(which).endswith(".lock") else ""
            return f"no permission to open {which}{owner} for writing"
        if "readonly" in text or "read-only" in text:
            return "read-only (the file or its folder cannot be written)"
        if "locked" in text:
            return "locked by another process (SQLite)"
        if "not a database" in text:
            return "not a state file (not a SQLite database)"
        if "unable to open" in text:
            return f"cannot be opened or created (permissions of {self.path.parent}?)"
        return f"{type(exc).__name__}: {exc}"  # pragma: no cover - no other cause is known

    def _check_integrity(self, timeout_s: float) -> None:
        """``PRAGMA quick_check`` of an existing file, read-only, before anything writes to it:
        a damaged file is refused and left as it is (a file that is no SQLite database raises
        ``sqlite3.DatabaseError``, which :meth:`_cause` words)."""
        if not self.path.is_file() or self.path.stat().st_size == 0:
            return  # a new state file
        db = sqlite3.connect(self.path.resolve().as_uri() + "?mode=ro", uri=True, timeout=timeout_s)
        try:
            rows = db.execute("PRAGMA quick_check").fetchall()
        finally:
            db.close()
        problems = [str(row[0]) for row in rows if row[0] != "ok"]
        if problems:
            first = problems[0].strip().splitlines()[-1][:200]
            raise StateFileError(
                f"state file {self.path}: damaged (PRAGMA quick_check: {first});"
                " the file was left as it is"
            )

    def _prepare(self, db: sqlite3.Connection) -> None:
        """Bring the file to :data:`SCHEMA_VERSION` (inside a write transaction)."""
        version = _file_version(db)
        if version is None:
            _create_schema(db)
            return
        if version > SCHEMA_VERSION:
            raise StateFileError(
                f"state file {self.path}: written by a newer release (format {version}; "
                f"this one reads up to {SCHEMA_VERSION})"
            )
        while version < SCHEMA_VERSION:
            _MIGRATIONS[version](db)
            version += 1
        # A write even when nothing changed: a read-only file fails here, not at the first
        # request.
        db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")

    # -- connections to the file ---------------------------------------------------------

    def _open(self, busy_timeout_ms: int | None = None) -> sqlite3.Connection:
        busy = self._busy_timeout_ms if busy_timeout_ms is None else busy_timeout_ms
        db = sqlite3.connect(
            self.path,
            timeout=busy / 1000,
            isolation_level=None,  # transactions are explicit (BEGIN IMMEDIATE / BEGIN)
            check_same_thread=False,  # only so close() may close it from another thread
        )
        try:
            db.execute(f"PRAGMA busy_timeout = {int(busy)}")
            mode = db.execute("PRAGMA journal_mode = WAL").fetchone()[0]
            if str(mode).lower() != "wal":
                raise sqlite3.OperationalError(f"{self.path}: cannot use WAL mode ({mode})")
            db.execute(f"PRAGMA synchronous = {self._synchronous}")
        except BaseException:
            db.close()
            raise
        return db

    def _db(self) -> sqlite3.Connection:
        """This thread's connection (opened on first use)."""
        db: sqlite3.Connection | None = getattr(self._local, "db", None)
        if db is None:
            db = self._open()
            self._local.db = db
            with self._opened_lock:
                self._opened.append(db)
        return db

    def _forget_inherited(self) -> None:
        """In a forked child: open new connections, never use or close the parent's ones."""
        self._inherited += self._opened  # kept referenced so they are never closed here
        self._local = threading.local()
        self._opened = []
        self._lock_fds = []  # the parent's descriptors stay open (closing one drops no lock)
        self._opened_lock = threading.Lock()

    def close(self) -> None:
        """Close every connection this store opened (it reopens on next use)."""
        with self._opened_lock:
            opened, self._opened = self._opened, []
            lock_fds, self._lock_fds = self._lock_fds, []
        for db in opened:
            db.close()
        for fd in lock_fds:
            os.close(fd)
        self._local = threading.local()

    def _lock_fd(self) -> int | None:
        """This thread's descriptor of the writers' lock file (None without ``fcntl``)."""
        if fcntl is None:
            return None
        fd: int | None = getattr(self._local, "lock_fd", None)
        if fd is None:
            fd = os.open(f"{self.path}.lock", os.O_RDWR | os.O_CREAT, 0o600)
            self._local.lock_fd = fd
            with self._opened_lock:
                self._lock_fds.append(fd)
        return fd

    def remove_lock_file(self) -> None:
        """After :meth:`close`, at a clean exit: remove ``FILE.lock`` unless another process
        holds it (one that has it open keeps queueing on it; SQLite's own locks still keep the
        writes apart)."""
        if fcntl is None:  # pragma: no cover - not on Windows
            return
        lock = f"{self.path}.lock"
        try:
            fd = os.open(lock, os.O_RDWR)
        except OSError:
            return
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            os.unlink(lock)
        except OSError:
            pass
        finally:
            os.close(fd)

    @contextmanager
    def _write(
        self, db: sqlite3.Connection, wait_s: float | None = None
    ) -> Iterator[sqlite3.Connection]:
        """One write transaction, holding the file's write lock from its start (waiting at
        most ``wait_s`` seconds for it when given)."""
        fd = self._lock_fd()
        if fd is not None:
            _flock(fd, wait_s, self.path)
        try:
            db.execute("BEGIN IMMEDIATE")
            try:
                yield db
            except BaseException:
                db.execute("ROLLBACK")
                raise
            db.execute("COMMIT")
        finally:
            if fd is not None:
                fcntl.flock(fd, fcntl.LOCK_UN)

    @staticmethod
    @contextmanager
    def _read(db: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
        """One read transaction: every query inside sees the same snapshot."""
        db.execute("BEGIN")
        try:
            yield db
        finally:
            db.execute("COMMIT")

    # -- the Store interface -------------------------------------------------------------

    def _decode(self, kind: str, seq: int, text: str) -> Any:
        key = (kind, seq)
        known = self._decoded.get(key)
        if known is not None and known[0] == text:
            return known[1]
        record = self._decoders[kind](seq, json.loads(text))
        if len(self._decoded) >= DECODED_CACHE_SIZE:
            self._decoded.clear()  # bounded: a full cache starts again
        self._decoded[key] = (text, record)
        return record

    def reset(self) -> None:
        """Forget everything, as construction leaves a new file (the sequence restarts)."""
        with self._write(self._db()) as db:
            db.execute("DROP TABLE IF EXISTS records")
            db.execute("DROP TABLE IF EXISTS tokens")
            db.execute("DELETE FROM sqlite_sequence")
            _create_schema(db)
        self._decoded.clear()

    def add(self, kind: str, record: R) -> R:
        """Store a record; one with the id of a stored one replaces it (and moves last)."""
        with self._write(self._db()) as db:
            return self._insert(db, kind, record)

    @staticmethod
    def _insert(db: sqlite3.Connection, kind: str, record: R) -> R:
        tenant = record.tenant
        text = json.dumps(record.to_state(), separators=(",", ":"))
        cursor = db.execute(
            "INSERT OR REPLACE INTO records (kind, org, sandbox, id, record)"
            " VALUES (?, ?, ?, ?, ?)",
            (kind, tenant.org, tenant.sandbox, record.id, text),
        )
        seq = cursor.lastrowid
        assert seq is not None
        return record.with_seq(seq)

    def _fetch(self, db: sqlite3.Connection, kind: str, tenant: Tenant, record_id: str) -> Any:
        row = db.execute(
            "SELECT seq, record FROM records WHERE kind = ? AND org = ? AND sandbox = ? AND id = ?",
            (kind, tenant.org, tenant.sandbox, record_id),
        ).fetchone()
        return None if row is None else self._decode(kind, row[0], row[1])

    def get(self, kind: str, tenant: Tenant, record_id: str) -> Any:
        return self._fetch(self._db(), kind, tenant, record_id)

    def compare_and_set(
        self,
        kind: str,
        tenant: Tenant,
        record_id: str,
        expected_etag: str,
        change: Callable[[Any], Record],
    ) -> Any:
        """The check, ``change`` and the write form one ``BEGIN IMMEDIATE`` transaction."""
        with self._write(self._db()) as db:
            current = self._fetch(db, kind, tenant, record_id)
            if current is None:
                return None
            if etag_value(expected_etag) != etag_value(current.etag):
                raise StaleEtag(expected_etag, current.etag)
            updated = change(current).with_seq(current.seq)
            db.execute(
                "UPDATE records SET record = ? WHERE seq = ?",
                (json.dumps(updated.to_state(), separators=(",", ":")), current.seq),
            )
            return updated

    def delete(self, kind: str, tenant: Tenant, record_id: str) -> bool:
        with self._write(self._db()) as db:
            cursor = db.execute(
                "DELETE FROM records WHERE kind = ? AND org = ? AND sandbox = ? AND id = ?",
                (kind, tenant.org, tenant.sandbox, record_id),
            )
            return cursor.rowcount > 0

    def scan(
        self,
        kind: str,
        tenant: Tenant,
        *,
        accept: Predicate,
        limit: int,
        after: int | None = None,
        descending: bool = False,
    ) -> list[Any]:
        where = "kind = ? AND org = ? AND sandbox = ?"
        if descending:
            sql = f"SELECT seq, record FROM records WHERE {where} AND seq < ? ORDER BY seq DESC"
            mark = 2**63 - 1 if after is None else after
        else:
            sql = f"SELECT seq, record FROM records WHERE {where} AND seq > ? ORDER BY seq"
            mark = -1 if after is None else after
        sql += " LIMIT ?"
        found: list[Any] = []
        batch = max(1, min(limit, _BATCH))
        with self._read(self._db()) as db:
            while len(found) < limit:
                rows = db.execute(sql, (kind, tenant.org, tenant.sandbox, mark, batch)).fetchall()
                for seq, text in rows:
                    record = self._decode(kind, seq, text)
                    if accept(record):
                        found.append(record)
                        if len(found) >= limit:
                            break
                if len(rows) < batch:
                    break
                mark = rows[-1][0]
                batch = _BATCH
        return found

    def records(self, kind: str, tenant: Tenant) -> list[Any]:
        rows = (
            self._db()
            .execute(
                "SELECT seq, record FROM records WHERE kind = ? AND org = ? AND sandbox = ?"
                " ORDER BY seq",
                (kind, tenant.org, tenant.sandbox),
            )
            .fetchall()
        )
        return [self._decode(kind, seq, text) for seq, text in rows]

    def everything(self, kind: str) -> list[Any]:
        rows = (
            self._db()
            .execute("SELECT seq, record FROM records WHERE kind = ? ORDER BY seq", (kind,))
            .fetchall()
        )
        return [self._decode(kind, seq, text) for seq, text in rows]

    def load(self, kind: str, records: Iterable[Record]) -> int:
        count = 0
        with self._write(self._db()) as db:
            for record in records:
                self._insert(db, kind, record)
                count += 1
        return count

    # -- IMS tokens ----------------------------------------------------------------------

    def issue_token(self, client_id: str, ttl_seconds: int) -> str:
        token = "mock-" + secrets.token_urlsafe(32)
        with self._write(self._db()) as db:
            db.execute(
                "INSERT INTO tokens (token, client_id, expires_at) VALUES (?, ?, ?)",
                (token, client_id, time.time() + ttl_seconds),
            )
        return token

    def token(self, token: str) -> IssuedToken | None:
        row = (
            self._db()
            .execute("SELECT client_id, expires_at FROM tokens WHERE token = ?", (token,))
            .fetchone()
        )
        return None if row is None else IssuedToken(row[0], row[1])
