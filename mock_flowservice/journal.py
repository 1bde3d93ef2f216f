"""The request journal: the last ``config.journal_size`` Flow Service and IMS requests.

Each entry is a JSON-ready dict::

    {"time": "2024-05-01T12:00:00.123Z", "requestId": "...", "method": "POST",
     "path": "/data/foundation/flowservice/connections", "query": {"mode": ["draft"]},
     "status": 201, "durationMs": 1.8, "headers": {"Authorization": "Bearer ***", ...},
     "body": {...} | null, "bodySize": 312, "fault": "<rule id>"  # only when a rule fired
    }

Secrets never enter it (:mod:`.redaction`); form bodies (the IMS token request) and bodies that
are not valid JSON are not recorded at all, only their size. ``status`` is null for a request
whose connection a fault rule dropped. Clearing the journal (:meth:`Journal.clear`) is apart
from resetting data (``Store.reset``), as in respx.
"""

from __future__ import annotations

import re
import threading
import time
from collections import deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from flask import g, request

from .catalog import AuthSpec
from .errors import MockError, invalid_request
from .faults import compile_path_pattern
from .redaction import redact_body, redact_create, redact_headers, redact_patch, redact_query
from .validation import parse_json

if TYPE_CHECKING:
    from .context import MockContext

__all__ = ["Journal", "JournalQuery", "exchange_entry"]

Entry = dict[str, Any]
IMS_PATH = "/ims/token/v3"
_PATCH_PATH = re.compile(r"^/connections/([^/]+)/?$")
_STATUS = re.compile(r"^[1-5](\d\d|xx)$")


class Journal:
    """A bounded, thread-safe record of requests, oldest dropped first."""

    def __init__(self, size: int = 1000) -> None:
        self._lock = threading.Lock()
        self._entries: deque[Entry] = deque(maxlen=max(size, 0))

    def record(self, entry: Entry) -> None:
        with self._lock:
            self._entries.append(entry)

    def entries(self, query: JournalQuery | None = None) -> list[Entry]:
        """Entries oldest first, filtered by ``query`` (its ``limit`` keeps the newest)."""
        with self._lock:
            found = list(self._entries)
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
        return count

    def __len__(self) -> int:
        with self._lock:
            return len(self._entries)


@dataclass(frozen=True)
class JournalQuery:
    """Filters of ``GET /__mock__/journal``: method, path (glob or ``^regex``), status, limit."""

    method: str | None = None
    path: Callable[[str], bool] | None = None
    status: str | None = None
    limit: int | None = None

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
        )

    def accepts(self, entry: Entry) -> bool:
        if self.method not in (None, "*", entry["method"]):
            return False
        if self.path is not None and not self.path(entry["path"]):
            return False
        return self.status is None or _status_matches(self.status, entry["status"])


def _status_matches(wanted: str, status: int | None) -> bool:
    if status is None:
        return False
    return str(status) == wanted or (wanted.endswith("xx") and str(status)[0] == wanted[0])


# -- building an entry from the current request ------------------------------------------------


def exchange_entry(
    ctx: MockContext, *, status: int | None, request_id: str, duration_ms: float
) -> Entry:
    """The journal entry of the request being answered (call from ``after_request``)."""
    mask = ctx.config.secret_mask
    started = datetime.fromtimestamp(time.time() - duration_ms / 1000, UTC)
    entry: Entry = {
        "time": started.isoformat(timespec="milliseconds").replace("+00:00", "Z"),
        "requestId": request_id,
        "method": request.method,
        "path": request.path,
        "query": redact_query(request.args.items(multi=True), ctx.catalog, mask),
        "status": status,
        "durationMs": round(duration_ms, 3),
        "headers": redact_headers(request.headers.items()),
        "body": None,
        "bodySize": request.content_length or 0,
    }
    data = _raw_body(ctx)
    if data is not None:
        entry["bodySize"] = len(data) or entry["bodySize"]  # a parsed form leaves no data
        entry["body"] = _recorded_body(ctx, data)
    fault = g.get("fault_rule")
    if fault:
        entry["fault"] = fault
    return entry


def _raw_body(ctx: MockContext) -> bytes | None:
    length = request.content_length
    if length is not None and length > ctx.config.max_body_bytes:
        return None
    if not length and "Transfer-Encoding" not in request.headers:
        return None  # no body (most GETs): nothing to read or record
    try:
        return request.get_data(cache=True)
    except Exception:  # a stream over the size limit, a client that went away
        return None


def _recorded_body(ctx: MockContext, data: bytes) -> Any:
    """The body as parsed JSON with secrets masked; None for forms, IMS and non-JSON."""
    if not data or request.path.rstrip("/") == IMS_PATH or request.mimetype in _FORM_TYPES:
        return None
    body = g.get("json_body", _UNPARSED)
    if body is _UNPARSED:
        try:
            body = parse_json(data, ctx.config.max_json_depth)
        except MockError:
            return None
    catalog, mask = ctx.catalog, ctx.config.secret_mask
    relative = _relative_path(ctx.config.base_path)
    if relative is None:
        return redact_body(body, catalog, mask)
    if request.method == "POST" and relative.rstrip("/") == "/connections":
        return redact_create(body, catalog, mask)
    match = _PATCH_PATH.match(relative)
    if request.method == "PATCH" and match:
        return redact_patch(body, _stored_auth_spec(ctx, match.group(1)), catalog, mask)
    return redact_body(body, catalog, mask)


_UNPARSED = object()
_FORM_TYPES = frozenset({"application/x-www-form-urlencoded", "multipart/form-data"})


def _relative_path(base_path: str) -> str | None:
    path = request.path
    return path[len(base_path) :] if path.startswith(base_path + "/") else None


def _stored_auth_spec(ctx: MockContext, connection_id: str) -> AuthSpec | None:
    """The auth spec of a stored connection of the caller's tenant, if both are known."""
    tenant = g.get("tenant")
    connection = ctx.store.get(tenant, connection_id) if tenant is not None else None
    spec = ctx.catalog.get(connection.spec_id) if connection else None
    return spec.auth_specs.get(connection.auth_spec) if spec and connection else None
