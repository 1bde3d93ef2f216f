"""All state of one mock app: connections per tenant and issued IMS tokens.

One :class:`Store` lives on each app (``app.extensions["flowservice"]``); two apps never share
one. Every method takes the store's lock, so a threaded server sees each create, update and
delete as one step: of several PATCHes carrying the same etag exactly one wins.

Connections of a tenant are kept by id and, for listing, in a list of creation sequence
numbers: a page after a continuation point is found by bisection, so its cost does not grow
with the number of stored connections.
"""

from __future__ import annotations

import bisect
import secrets
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, replace

from .errors import FlowError
from .model import Connection, Tenant

__all__ = ["IssuedToken", "Store", "strip_quotes"]

Predicate = Callable[[Connection], bool]


def strip_quotes(value: str) -> str:
    """An etag compared without its surrounding quotes (GAPS C2)."""
    value = value.strip()
    if len(value) >= 2 and value[0] == value[-1] == '"':
        return value[1:-1]
    return value


@dataclass(frozen=True)
class IssuedToken:
    """An access token the mock's IMS endpoint issued."""

    client_id: str
    expires_at: float


@dataclass
class _TenantData:
    by_id: dict[str, Connection] = field(default_factory=dict)
    seqs: list[int] = field(default_factory=list)
    by_seq: dict[int, str] = field(default_factory=dict)


class Store:
    """The mock's whole state, safe to share between request threads."""

    def __init__(self) -> None:
        self._lock = threading.RLock()
        self._tenants: dict[Tenant, _TenantData] = {}
        self._tokens: dict[str, IssuedToken] = {}
        self._seq = 0

    def reset(self) -> None:
        """Forget every connection and token."""
        with self._lock:
            self._tenants.clear()
            self._tokens.clear()
            self._seq = 0

    # -- connections -------------------------------------------------------------------------

    def add(self, connection: Connection) -> Connection:
        """Store a connection; it gets the next sequence number and replaces one with its id."""
        with self._lock:
            self.delete(connection.tenant, connection.id)
            self._seq += 1
            stored = replace(connection, seq=self._seq)
            data = self._tenants.setdefault(connection.tenant, _TenantData())
            data.by_id[stored.id] = stored
            data.seqs.append(stored.seq)
            data.by_seq[stored.seq] = stored.id
            return stored

    def get(self, tenant: Tenant, connection_id: str) -> Connection | None:
        with self._lock:
            data = self._tenants.get(tenant)
            return data.by_id.get(connection_id) if data else None

    def update(
        self,
        tenant: Tenant,
        connection_id: str,
        if_match: str,
        change: Callable[[Connection], Connection],
    ) -> Connection | None:
        """Apply ``change`` if ``if_match`` is the current etag; None when the id is unknown.

        A stale etag raises ``FLOW-1404-412``. ``change`` runs under the lock and may raise.
        """
        with self._lock:
            current = self.get(tenant, connection_id)
            if current is None:
                return None
            if strip_quotes(if_match) != strip_quotes(current.etag):
                raise FlowError("1404-412", sent=if_match, current=current.etag)
            updated = replace(change(current), seq=current.seq)
            self._tenants[tenant].by_id[connection_id] = updated
            return updated

    def delete(self, tenant: Tenant, connection_id: str) -> bool:
        with self._lock:
            data = self._tenants.get(tenant)
            stored = data.by_id.pop(connection_id, None) if data else None
            if data is None or stored is None:
                return False
            index = bisect.bisect_left(data.seqs, stored.seq)
            del data.seqs[index]
            del data.by_seq[stored.seq]
            return True

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
        with self._lock:
            data = self._tenants.get(tenant)
            if data is None:
                return []
            found: list[Connection] = []
            for seq in self._seqs_after(data, after, descending):
                connection = data.by_id[data.by_seq[seq]]
                if accept(connection):
                    found.append(connection)
                    if len(found) >= limit:
                        break
            return found

    @staticmethod
    def _seqs_after(data: _TenantData, after: int | None, descending: bool) -> Iterator[int]:
        seqs = data.seqs
        if descending:
            stop = len(seqs) if after is None else bisect.bisect_left(seqs, after)
            return (seqs[i] for i in range(stop - 1, -1, -1))
        start = 0 if after is None else bisect.bisect_right(seqs, after)
        return (seqs[i] for i in range(start, len(seqs)))

    def connections(self, tenant: Tenant) -> list[Connection]:
        """Every connection of a tenant, in creation order."""
        with self._lock:
            data = self._tenants.get(tenant)
            if data is None:
                return []
            return [data.by_id[data.by_seq[seq]] for seq in data.seqs]

    def all_connections(self) -> list[Connection]:
        """Every connection of every tenant, in creation order (for export)."""
        with self._lock:
            everything = [c for data in self._tenants.values() for c in data.by_id.values()]
        return sorted(everything, key=lambda c: c.seq)

    def load(self, connections: Iterable[Connection]) -> int:
        """Add connections (e.g. from a seed file) keeping their ids; returns how many."""
        count = 0
        for connection in connections:
            self.add(connection)
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
