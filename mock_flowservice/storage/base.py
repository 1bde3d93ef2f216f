"""The storage interface: what every store guarantees, and nothing more.

A store keeps *records* of any resource type (``kind``: ``"connections"``,
``"sourceConnections"``, ...) per tenant, in creation order, plus the IMS tokens the mock
issued. Its one promise beyond keeping data is an atomic compare-and-set on etags:
:meth:`Store.compare_and_set` applies a change only while the record still carries the
expected etag, so of several writers holding one etag exactly one wins. What a stale etag
*means* to a client (``FLOW-1404-412``), which states allow which actions, which fields may
change: those are the API's rules and live in the operations, never here.

:class:`~.memory.MemoryStore` and :class:`~.sqlite.SqliteStore` are sibling implementations
(as httpx's transports are); neither inherits from the other.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, Protocol, Self, TypeVar

from ..model import Tenant

__all__ = [
    "Decoder",
    "IssuedToken",
    "Predicate",
    "Record",
    "StaleEtag",
    "Store",
]


class Record(Protocol):
    """What a store needs of a record: identity, tenant, etag, order, and a JSON form."""

    @property
    def id(self) -> str: ...

    @property
    def tenant(self) -> Tenant: ...

    @property
    def etag(self) -> str: ...

    @property
    def seq(self) -> int: ...

    def with_seq(self, seq: int) -> Self:
        """A copy carrying the store's creation sequence number."""
        ...

    def to_state(self) -> dict[str, Any]:
        """The record as a JSON object (secrets included: it is the user's own state)."""
        ...


R = TypeVar("R", bound=Record)
#: Turns a stored JSON object back into its record: ``decode(seq, state)``.
Decoder = Callable[[int, dict[str, Any]], Record]
Predicate = Callable[[Any], bool]


class StaleEtag(Exception):
    """The record carries another etag than the one a compare-and-set expected."""

    def __init__(self, expected: str, current: str) -> None:
        super().__init__("etag mismatch")
        self.expected = expected
        self.current = current


@dataclass(frozen=True)
class IssuedToken:
    """An access token the mock's IMS endpoint issued."""

    client_id: str
    expires_at: float


class Store(Protocol):
    """All state of one mock app, safe to share between request threads."""

    def reset(self) -> None:
        """Forget everything: the store is as construction left it."""
        ...

    def add(self, kind: str, record: R) -> R:
        """Store a record under the next sequence number (it replaces one with its id)."""
        ...

    def get(self, kind: str, tenant: Tenant, record_id: str) -> Any:
        """The record of that id in the tenant, or None."""
        ...

    def compare_and_set(
        self,
        kind: str,
        tenant: Tenant,
        record_id: str,
        expected_etag: str,
        change: Callable[[Any], Record],
    ) -> Any:
        """Apply ``change`` if the record still carries ``expected_etag``, atomically.

        Returns the new record, or None when the id is unknown; raises :class:`StaleEtag`
        when the etag moved on. ``change`` runs inside the atomic step and may raise, in which
        case nothing is written.
        """
        ...

    def delete(self, kind: str, tenant: Tenant, record_id: str) -> bool:
        """Remove a record; False when there was none."""
        ...

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
        """Up to ``limit`` accepted records in creation order, strictly after ``after``."""
        ...

    def records(self, kind: str, tenant: Tenant) -> list[Any]:
        """Every record of a kind in a tenant, in creation order."""
        ...

    def everything(self, kind: str) -> list[Any]:
        """Every record of a kind in every tenant, in creation order (export, control API)."""
        ...

    def load(self, kind: str, records: Iterable[Record]) -> int:
        """Add records keeping their ids, all in one step; returns how many."""
        ...

    def issue_token(self, client_id: str, ttl_seconds: int) -> str:
        """A new access token for an IMS client."""
        ...

    def token(self, token: str) -> IssuedToken | None:
        """What the mock knows of a token it issued."""
        ...

    def close(self) -> None:
        """Release files and connections (a store reopens them on next use)."""
        ...
