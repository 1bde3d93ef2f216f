"""The request journal: a ring buffer of the last ``config.journal_size`` entries (and at most
``config.journal_max_bytes`` of them).

Entries are made by :mod:`.recorder` (the one place that turns an exchange into an entry);
each is a JSON-ready dict::

    {"time": "2024-05-01T12:00:00.123Z", "requestId": "...", "method": "POST",
     "path": "/data/foundation/flowservice/connections", "query": {"mode": ["draft"]},
     "status": 201, "durationMs": 1.8, "headers": {"Authorization": "Bearer ***", ...},
     "body": {...} | null, "bodySize": 312,
     "bodySha256": "<hex>",  # only for a body longer than config.journal_body_bytes
     "fault": "<rule id>"  # only when a rule fired
    }

Secrets never enter it (:mod:`.redaction`). ``status`` is null for a request whose
connection a fault rule dropped. Clearing the journal (:meth:`Journal.clear`) is apart from
resetting data (``Store.reset``), as in respx.
"""

from __future__ import annotations

import json
import re
import threading
from collections import deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from ..errors import invalid_request
from .globs import compile_path_pattern

__all__ = ["Deferred", "Entry", "Journal", "JournalQuery"]

Entry = dict[str, Any]
_STATUS = re.compile(r"^[1-5](\d\d|xx)$")


class Deferred:
    """An entry made when the journal is first read (recording stays cheap on every request).

    What it is made from must already be safe to keep (credentials in headers masked) and
    bounded (a long body kept as its digest). ``estimate`` is its size as JSON text until it
    is made (the journal then counts the exact size). It is made once, under the journal's
    lock, and then only the entry is kept; a maker that answers None (it could not make the
    entry) leaves no entry.
    """

    __slots__ = ("_entry", "_make", "estimate")

    def __init__(self, make: Callable[[], Entry | None], estimate: int) -> None:
        self._make: Callable[[], Entry | None] | None = make
        self._entry: Entry | None = None
        self.estimate = estimate

    def resolve(self) -> Entry | None:
        if self._make is not None:
            self._entry, self._make = self._make(), None
        return self._entry


def _cost(entry: Entry) -> int:
    return len(json.dumps(entry, separators=(",", ":"), default=str))


class Journal:
    """A bounded, thread-safe record of requests, oldest dropped first.

    Bounded twice: at most ``size`` entries, and at most ``max_bytes`` of entries measured as
    their JSON text (the oldest go first; the newest entry always stays). Bodies are bounded
    before they get here (:mod:`.recorder` keeps a long one as its size and digest). A
    :class:`Deferred` entry counts its estimate until a read makes it; the read then counts
    its exact size and drops the oldest again if the budget is passed.
    """

    def __init__(self, size: int = 1000, max_bytes: int | None = None) -> None:
        self._lock = threading.Lock()
        #: [entry or deferred entry, its size as JSON text (an estimate until made)]
        self._entries: deque[list[Any]] = deque()
        self._size = max(size, 0)
        self._max_bytes = max_bytes
        self._bytes = 0

    def record(self, entry: Entry | Deferred) -> None:
        if not self._size:
            return
        cost = entry.estimate if isinstance(entry, Deferred) else _cost(entry)
        with self._lock:
            self._entries.append([entry, cost])
            self._bytes += cost
            self._trim()

    def _trim(self) -> None:
        while len(self._entries) > self._size or (
            self._max_bytes is not None and self._bytes > self._max_bytes and len(self._entries) > 1
        ):
            self._bytes -= self._entries.popleft()[1]

    def _made(self) -> list[Entry]:
        """Make every deferred entry (lock held), count exact sizes, trim; the entries."""
        for slot in self._entries:
            if isinstance(slot[0], Deferred):
                entry = slot[0].resolve()
                slot[0] = entry
                exact = 0 if entry is None else _cost(entry)
                self._bytes += exact - slot[1]
                slot[1] = exact
        if any(slot[0] is None for slot in self._entries):
            self._entries = deque(slot for slot in self._entries if slot[0] is not None)
        self._trim()
        return [slot[0] for slot in self._entries]

    @property
    def retained_bytes(self) -> int:
        """The entries' size as JSON text, what ``max_bytes`` bounds."""
        with self._lock:
            return self._bytes

    def entries(self, query: JournalQuery | None = None) -> list[Entry]:
        """Entries oldest first, filtered by ``query`` (its ``limit`` keeps the newest)."""
        with self._lock:
            found = self._made()
        if query is None:
            return found
        found = [entry for entry in found if query.accepts(entry)]
        if query.limit is None:
            return found
        return found[len(found) - query.limit :] if query.limit else []

    def clear(self) -> int:
        """Forget every entry; returns how many there were."""
        with self._lock:
            count = len(self._entries)
            self._entries.clear()
            self._bytes = 0
        return count

    def __len__(self) -> int:
        with self._lock:
            return len(self._entries)


@dataclass(frozen=True)
class JournalQuery:
    """Filters of ``GET /__mock__/journal``: method, path (a glob, :mod:`.globs`), status,
    request id (exact), limit."""

    method: str | None = None
    path: Callable[[str], bool] | None = None
    status: str | None = None
    limit: int | None = None
    request_id: str | None = None

    @classmethod
    def from_args(cls, args: Mapping[str, str]) -> JournalQuery:
        status, limit = args.get("status") or None, args.get("limit") or None
        if status is not None and not _STATUS.match(status.lower()):
            raise invalid_request("The journal filter status must look like 503 or 5xx.")
        if limit is not None and not (limit.isdigit() and len(limit) < 10):
            raise invalid_request("The journal filter limit must be a non-negative integer.")
        path = args.get("path") or None
        return cls(
            method=(args.get("method") or "").upper() or None,
            path=compile_path_pattern(path) if path else None,
            status=status.lower() if status else None,
            limit=int(limit) if limit is not None else None,
            request_id=(args.get("requestId") or "").strip() or None,
        )

    def accepts(self, entry: Entry) -> bool:
        if self.method not in (None, "*", entry["method"]):
            return False
        if self.path is not None and not self.path(entry["path"]):
            return False
        if self.request_id is not None and entry["requestId"] != self.request_id:
            return False
        return self.status is None or _status_matches(self.status, entry["status"])


def _status_matches(wanted: str, status: int | None) -> bool:
    if status is None:
        return False
    return str(status) == wanted or (wanted.endswith("xx") and str(status)[0] == wanted[0])
