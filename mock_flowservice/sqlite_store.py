"""A :class:`~.store.Store` kept in a SQLite file, shared by threads and processes.

``serve --state PATH`` (or ``MockConfig.state_path``) uses it so the mock's state survives a
restart, and ``serve --workers N`` uses it so N processes share one state. The semantics are
those of the in-memory :class:`~.store.Store`; only the durability and sharing differ:

* **Durable.** The file is in WAL journal mode with ``synchronous=NORMAL``: a write is in the
  file before its request is answered, so every create answered 201 survives a crash of the
  server (``kill -9``). A power cut may lose the last transactions, which a mock can afford;
  ``durable=True`` (``synchronous=FULL``) also covers that, at an fsync per write.
* **One writer at a time, across processes.** Every write is one ``BEGIN IMMEDIATE``
  transaction; the etag check of :meth:`SqliteStore.update` and its write happen inside it, so
  of several PATCHes carrying one etag exactly one wins even when they reach different
  processes. Writers queue on an ``flock`` of ``<state file>.lock`` first (each thread with its
  own descriptor), so a waiting writer wakes as soon as the lock is free instead of sleeping
  through SQLite's busy back-off; without ``fcntl`` they rely on ``busy_timeout_ms``.
* **Ids and order.** Connection ids are uuid4 (made by the caller) under a unique key per
  tenant; the creation sequence is the table's ``INTEGER PRIMARY KEY AUTOINCREMENT``, so it
  grows across processes and is never reused (until :meth:`SqliteStore.reset`).
* **Pages cost the same at any size.** :meth:`SqliteStore.scan` reads
  ``WHERE org=? AND sandbox=? AND seq>? ORDER BY seq LIMIT ?`` in batches on the
  ``(org, sandbox, seq)`` index until ``limit`` connections pass the filter.
* **Records are JSON**, secret params included: the file is the user's own state, kept like
  the in-memory store keeps it (secrets are masked on every way out of the API, not in
  storage). Keep the file as private as the credentials you put in it.

Each thread uses its own SQLite connection (opened on first use, closed by :meth:`close`); a
forked child (a gunicorn worker) opens its own and never touches its parent's.
"""

from __future__ import annotations

import dataclasses
import json
import os
import secrets
import sqlite3
import threading
import time
import weakref
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

try:
    import fcntl
except ImportError:  # pragma: no cover - not on Windows
    fcntl = None  # type: ignore[assignment]

from .errors import FlowError
from .model import Caller, Connection, Tenant
from .store import IssuedToken, Store, strip_quotes

__all__ = ["SqliteStore"]

Predicate = Callable[[Connection], bool]

_SCHEMA = """
CREATE TABLE IF NOT EXISTS connections (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    org TEXT NOT NULL,
    sandbox TEXT NOT NULL,
    id TEXT NOT NULL,
    record TEXT NOT NULL
);
CREATE UNIQUE INDEX IF NOT EXISTS connections_tenant_id ON connections (org, sandbox, id);
CREATE INDEX IF NOT EXISTS connections_tenant_seq ON connections (org, sandbox, seq);
CREATE TABLE IF NOT EXISTS tokens (
    token TEXT PRIMARY KEY,
    client_id TEXT NOT NULL,
    expires_at REAL NOT NULL
);
"""

#: Rows read per query while a filter rejects connections (a page may need several batches).
_BATCH = 200
_FIELDS = {f.name: f for f in dataclasses.fields(Connection)}


def _encode(connection: Connection) -> str:
    """A connection as a JSON object of its fields (``seq`` is the row's key, not stored)."""
    record: dict[str, Any] = {}
    for name in _FIELDS:
        if name == "seq":
            continue
        value = getattr(connection, name)
        if isinstance(value, frozenset):
            value = sorted(value)
        record[name] = value  # NamedTuples (tenant, callers) become JSON arrays
    return json.dumps(record, separators=(",", ":"))


def _decode(seq: int, text: str) -> Connection:
    record = json.loads(text)
    values = {name: value for name, value in record.items() if name in _FIELDS}
    values["tenant"] = Tenant(*values["tenant"])
    values["created_by"] = Caller(*values["created_by"])
    values["updated_by"] = Caller(*values["updated_by"])
    values["secret_keys"] = frozenset(values["secret_keys"])
    return Connection(**values, seq=seq)


def _after_fork(store: weakref.ref[SqliteStore]) -> None:
    alive = store()
    if alive is not None:
        alive._forget_inherited()


class SqliteStore(Store):
    """The mock's whole state in one SQLite file (see the module docstring)."""

    def __init__(
        self,
        path: str | os.PathLike[str],
        *,
        busy_timeout_ms: int = 30_000,
        durable: bool = False,
    ) -> None:
        super().__init__()
        self.path = Path(path)
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
        # Create the schema and switch to WAL once, then close: no connection is held until a
        # thread needs one, so the store can be built before a server forks its workers.
        db = self._open()
        try:
            with self._write(db):
                for statement in _SCHEMA.split(";"):
                    if statement.strip():
                        db.execute(statement)
        finally:
            db.close()

    # -- connections to the file ---------------------------------------------------------

    def _open(self) -> sqlite3.Connection:
        db = sqlite3.connect(
            self.path,
            timeout=self._busy_timeout_ms / 1000,
            isolation_level=None,  # transactions are explicit (BEGIN IMMEDIATE / BEGIN)
            check_same_thread=False,  # only so close() may close it from another thread
        )
        try:
            db.execute(f"PRAGMA busy_timeout = {int(self._busy_timeout_ms)}")
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

    @contextmanager
    def _write(self, db: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
        """One write transaction, holding the file's write lock from its start."""
        fd = self._lock_fd()
        if fd is not None:
            fcntl.flock(fd, fcntl.LOCK_EX)
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

    def reset(self) -> None:
        """Forget every connection and token (and restart the creation sequence)."""
        with self._write(self._db()) as db:
            db.execute("DELETE FROM connections")
            db.execute("DELETE FROM tokens")
            db.execute("DELETE FROM sqlite_sequence WHERE name = 'connections'")

    def add(self, connection: Connection) -> Connection:
        """Store a new connection; it gets the next sequence number.

        A connection with the id of one already stored in its tenant replaces it (and moves
        to the end of the creation order).
        """
        with self._write(self._db()) as db:
            return self._insert(db, connection)

    @staticmethod
    def _insert(db: sqlite3.Connection, connection: Connection) -> Connection:
        tenant = connection.tenant
        cursor = db.execute(
            "INSERT OR REPLACE INTO connections (org, sandbox, id, record) VALUES (?, ?, ?, ?)",
            (tenant.org, tenant.sandbox, connection.id, _encode(connection)),
        )
        seq = cursor.lastrowid
        assert seq is not None
        return dataclasses.replace(connection, seq=seq)

    @staticmethod
    def _fetch(db: sqlite3.Connection, tenant: Tenant, connection_id: str) -> Connection | None:
        row = db.execute(
            "SELECT seq, record FROM connections WHERE org = ? AND sandbox = ? AND id = ?",
            (tenant.org, tenant.sandbox, connection_id),
        ).fetchone()
        return None if row is None else _decode(row[0], row[1])

    def get(self, tenant: Tenant, connection_id: str) -> Connection | None:
        return self._fetch(self._db(), tenant, connection_id)

    def update(
        self,
        tenant: Tenant,
        connection_id: str,
        if_match: str,
        change: Callable[[Connection], Connection],
    ) -> Connection | None:
        """Apply ``change`` if ``if_match`` is the current etag; None when the id is unknown.

        A stale etag raises ``FLOW-1404-412``. The check, ``change`` and the write form one
        ``BEGIN IMMEDIATE`` transaction, so they are atomic across threads and processes;
        when ``change`` raises, nothing is written.
        """
        with self._write(self._db()) as db:
            current = self._fetch(db, tenant, connection_id)
            if current is None:
                return None
            if strip_quotes(if_match) != strip_quotes(current.etag):
                raise FlowError("1404-412", sent=if_match, current=current.etag)
            updated = dataclasses.replace(change(current), seq=current.seq)
            db.execute(
                "UPDATE connections SET record = ? WHERE seq = ?",
                (_encode(updated), current.seq),
            )
            return updated

    def delete(self, tenant: Tenant, connection_id: str) -> bool:
        with self._write(self._db()) as db:
            cursor = db.execute(
                "DELETE FROM connections WHERE org = ? AND sandbox = ? AND id = ?",
                (tenant.org, tenant.sandbox, connection_id),
            )
            return cursor.rowcount > 0

    def scan(
        self,
        tenant: Tenant,
        *,
        accept: Predicate,
        limit: int,
        after: int | None = None,
        descending: bool = False,
    ) -> list[Connection]:
        """Up to ``limit`` accepted connections in creation order, strictly after ``after``."""
        if descending:
            sql = (
                "SELECT seq, record FROM connections WHERE org = ? AND sandbox = ? AND seq < ?"
                " ORDER BY seq DESC LIMIT ?"
            )
            mark = 2**63 - 1 if after is None else after
        else:
            sql = (
                "SELECT seq, record FROM connections WHERE org = ? AND sandbox = ? AND seq > ?"
                " ORDER BY seq LIMIT ?"
            )
            mark = -1 if after is None else after
        found: list[Connection] = []
        batch = max(1, min(limit, _BATCH))
        with self._read(self._db()) as db:
            while len(found) < limit:
                rows = db.execute(sql, (tenant.org, tenant.sandbox, mark, batch)).fetchall()
                for seq, text in rows:
                    connection = _decode(seq, text)
                    if accept(connection):
                        found.append(connection)
                        if len(found) >= limit:
                            break
                if len(rows) < batch:
                    break
                mark = rows[-1][0]
                batch = _BATCH
        return found

    def connections(self, tenant: Tenant) -> list[Connection]:
        """Every connection of a tenant, in creation order."""
        rows = (
            self._db()
            .execute(
                "SELECT seq, record FROM connections WHERE org = ? AND sandbox = ? ORDER BY seq",
                (tenant.org, tenant.sandbox),
            )
            .fetchall()
        )
        return [_decode(seq, text) for seq, text in rows]

    def all_connections(self) -> list[Connection]:
        """Every connection of every tenant, in creation order (for export)."""
        rows = self._db().execute("SELECT seq, record FROM connections ORDER BY seq").fetchall()
        return [_decode(seq, text) for seq, text in rows]

    def load(self, connections: Iterable[Connection]) -> int:
        """Add connections (e.g. from a seed file) keeping their ids, in one transaction."""
        count = 0
        with self._write(self._db()) as db:
            for connection in connections:
                self._insert(db, connection)
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
