"""A :class:`~.base.Store` in memory: the default, one per app.

Every method takes the store's lock, so a threaded server sees each write as one step. Records
of a (kind, tenant) pair are kept by id and, for listing, in a list of creation sequence
numbers: a page after a continuation point is found by bisection, so its cost does not grow
with the number of stored records.
"""

from __future__ import annotations

import bisect
import secrets
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from ..model import Tenant, etag_value
from .base import IssuedToken, Predicate, R, Record, StaleEtag

__all__ = ["MemoryStore"]


@dataclass
class _Table:
    by_id: dict[str, Any] = field(default_factory=dict)
    seqs: list[int] = field(default_factory=list)
    by_seq: dict[int, str] = field(default_factory=dict)

    def seqs_after(self, after: int | None, descending: bool) -> Iterator[int]:
        seqs = self.seqs
        if descending:
            stop = len(seqs) if after is None else bisect.bisect_left(seqs, after)
            return (seqs[i] for i in range(stop - 1, -1, -1))
        start = 0 if after is None else bisect.bisect_right(seqs, after)
        return (seqs[i] for i in range(start, len(seqs)))


class MemoryStore:
    """The mock's whole state in memory, safe to share between request threads."""

    def __init__(self) -> None:
        self._lock = threading.RLock()
        self._init_state()

    def _init_state(self) -> None:
        self._tables: dict[tuple[str, Tenant], _Table] = {}
        self._tokens: dict[str, IssuedToken] = {}
        self._seq = 0

    def reset(self) -> None:
        """Forget everything, as construction leaves the store."""
        with self._lock:
            self._init_state()

    def close(self) -> None:
        """Nothing to release."""

    # -- records -------------------------------------------------------------------------

    def add(self, kind: str, record: R) -> R:
        with self._lock:
            self.delete(kind, record.tenant, record.id)
            self._seq += 1
            stored = record.with_seq(self._seq)
            table = self._tables.setdefault((kind, record.tenant), _Table())
            table.by_id[stored.id] = stored
            table.seqs.append(stored.seq)
            table.by_seq[stored.seq] = stored.id
            return stored

    def get(self, kind: str, tenant: Tenant, record_id: str) -> Any:
        with self._lock:
            table = self._tables.get((kind, tenant))
            return table.by_id.get(record_id) if table else None

    def compare_and_set(
        self,
        kind: str,
        tenant: Tenant,
        record_id: str,
        expected_etag: str,
        change: Callable[[Any], Record],
    ) -> Any:
        with self._lock:
            current = self.get(kind, tenant, record_id)
            if current is None:
                return None
            if etag_value(expected_etag) != etag_value(current.etag):
                raise StaleEtag(expected_etag, current.etag)
            updated = change(current).with_seq(current.seq)
            self._tables[(kind, tenant)].by_id[record_id] = updated
            return updated

    def delete(self, kind: str, tenant: Tenant, record_id: str) -> bool:
        with self._lock:
            table = self._tables.get((kind, tenant))
            stored = table.by_id.pop(record_id, None) if table else None
            if table is None or stored is None:
                return False
            del table.seqs[bisect.bisect_left(table.seqs, stored.seq)]
            del table.by_seq[stored.seq]
            return True

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
        with self._lock:
            table = self._tables.get((kind, tenant))
            if table is None:
                return []
            found: list[Any] = []
            for seq in table.seqs_after(after, descending):
                record = table.by_id[table.by_seq[seq]]
                if accept(record):
                    found.append(record)
                    if len(found) >= limit:
                        break
            return found

    def records(self, kind: str, tenant: Tenant) -> list[Any]:
        with self._lock:
            table = self._tables.get((kind, tenant))
            if table is None:
                return []
            return [table.by_id[table.by_seq[seq]] for seq in table.seqs]

    def everything(self, kind: str) -> list[Any]:
        with self._lock:
            found = [
                record
                for (table_kind, _), table in self._tables.items()
                if table_kind == kind
                for record in table.by_id.values()
            ]
        return sorted(found, key=lambda record: record.seq)

    def load(self, kind: str, records: Iterable[Record]) -> int:
        with self._lock:
            count = 0
            for record in records:
                self.add(kind, record)
                count += 1
            return count

    # -- IMS tokens ----------------------------------------------------------------------

    def issue_token(self, client_id: str, ttl_seconds: int) -> str:
        token = "mock-" + secrets.token_urlsafe(32)
        with self._lock:
            self._tokens[token] = IssuedToken(client_id, time.time() + ttl_seconds)
        return token

    def token(self, token: str) -> IssuedToken | None:
        with self._lock:
            return self._tokens.get(token)
