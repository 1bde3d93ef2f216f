"""The one recorder: an HTTP exchange in, a redacted journal entry out.

The app's ``after_request`` hook and :func:`~mock_flowservice.intercept.intercept` both
describe what they saw as an :class:`Exchange` and call :func:`journal_entry`, so an entry
reads the same whichever way the request came, and its secrets are masked by the same rules
(:mod:`.redaction`):

* a create body (``POST /connections``) keeps the auth params its auth spec declares public;
* a PATCH of a stored connection is judged against that connection's auth spec, found through
  the ``auth_spec_of(connection_id)`` lookup the caller passes (None: everything masked);
* every other JSON body, form body and query string is masked by member name;
* a body that is neither JSON nor a form is kept as its size only;
* a body longer than ``journal_body_bytes`` is kept as its size and sha256 digest only;
* the answer's JSON body (``response``) is kept up to ``journal_body_bytes``, masked by member
  name like any body (the API masked its secrets already; IMS tokens are masked here).
"""

from __future__ import annotations

import hashlib
import re
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qsl

from ..catalog import AuthSpec, Catalog
from ..context import MockContext
from ..errors import MockError
from ..model import Tenant
from ..operations.connections import auth_spec_of
from ..request_state import UNPARSED
from ..validation import parse_json
from .journal import Entry
from .redaction import redact_body, redact_create, redact_headers, redact_patch, redact_query

__all__ = [
    "UNPARSED",
    "Exchange",
    "Redactor",
    "bounded",
    "estimate",
    "journal_entry",
    "recorded_body",
]

_CREATE = re.compile(r"^/connections/?$")
_PATCH = re.compile(r"^/connections/(?P<id>[^/?]+)/?$")
_FORM_TYPES = frozenset({"application/x-www-form-urlencoded", "multipart/form-data"})

AuthSpecLookup = Callable[[str], AuthSpec | None]


@dataclass(frozen=True)
class Redactor:
    """What masking needs: the catalog, the mask, and the stored connections' auth specs."""

    catalog: Catalog
    mask: str
    auth_spec_of: AuthSpecLookup
    #: Bodies nested deeper are not decoded (kept as their size, like non-JSON).
    max_depth: int = 32
    #: Bodies longer are not kept (only their size and sha256 digest).
    max_body_bytes: int = 64 * 1024

    @classmethod
    def for_tenant(cls, ctx: MockContext, tenant: Tenant | None) -> Redactor:
        """Masking for a request of ``tenant``: PATCHes judged by its stored connections."""
        return cls(
            ctx.catalog,
            ctx.config.secret_mask,
            lambda connection_id: auth_spec_of(ctx.store, ctx.catalog, tenant, connection_id),
            ctx.config.max_json_depth,
            ctx.config.journal_body_bytes,
        )


@dataclass(frozen=True)
class Exchange:
    """One request and its answer, as any entry point saw it."""

    method: str
    #: The URL path as requested.
    path: str
    #: The path below the Flow Service base path (``/connections/x``); None for other routes.
    api_path: str | None
    query: Sequence[tuple[str, str]]
    headers: Sequence[tuple[str, str]]
    #: The body's bytes (None when none was read) and its media type.
    body: bytes | None
    mimetype: str
    request_id: str
    #: None when a fault rule dropped the connection.
    status: int | None
    duration_ms: float
    #: The body as the view already decoded it, or :data:`UNPARSED`.
    decoded: Any = UNPARSED
    fault: str | None = None
    declared_size: int = 0
    #: When the answer was sent (``time.time()``); None: now.
    finished_at: float | None = None
    #: A body too long to keep, already digested (:func:`bounded`): its size and sha256.
    digest: tuple[int, str] | None = None
    #: The answer's JSON bytes when kept (at most ``journal_body_bytes``); None otherwise.
    answer: bytes | None = None


def bounded(exchange: Exchange, max_body_bytes: int) -> Exchange:
    """The exchange as a deferred journal entry may keep it: a body longer than
    ``max_body_bytes`` replaced by its size and digest (the entry would keep no more)."""
    body = exchange.body
    if body is None or len(body) <= max_body_bytes:
        return exchange
    digest = (len(body) or exchange.declared_size, hashlib.sha256(body).hexdigest())
    return replace(exchange, body=None, decoded=UNPARSED, digest=digest)


def estimate(exchange: Exchange) -> int:
    """About the size of the exchange's journal entry as JSON text (exact once it is made)."""
    pairs = (*exchange.headers, *exchange.query)
    return (
        200
        + 2 * len(exchange.path)
        + sum(len(name) + len(value) + 6 for name, value in pairs)
        + (len(exchange.body) if exchange.body is not None else 0)
        + (80 if exchange.digest is not None else 0)
        + len(exchange.fault or "")
        + (len(exchange.answer) if exchange.answer is not None else 0)
    )


def journal_entry(exchange: Exchange, redactor: Redactor) -> Entry:
    """The journal entry of an exchange, every secret masked."""
    finished = time.time() if exchange.finished_at is None else exchange.finished_at
    started = datetime.fromtimestamp(finished - exchange.duration_ms / 1000, UTC)
    entry: Entry = {
        "time": started.isoformat(timespec="milliseconds").replace("+00:00", "Z"),
        "requestId": exchange.request_id,
        "method": exchange.method,
        "path": exchange.path,
        "query": redact_query(exchange.query, redactor.catalog, redactor.mask),
        "status": exchange.status,
        "durationMs": round(exchange.duration_ms, 3),
        "headers": redact_headers(exchange.headers),
        "body": None,
        "bodySize": exchange.declared_size,
    }
    if exchange.digest is not None:
        entry["bodySize"], entry["bodySha256"] = exchange.digest
    if exchange.body is not None:
        entry["bodySize"] = len(exchange.body) or exchange.declared_size
        entry["body"] = recorded_body(exchange, redactor)
        if len(exchange.body) > redactor.max_body_bytes:
            entry["bodySha256"] = hashlib.sha256(exchange.body).hexdigest()
    if exchange.fault:
        entry["fault"] = exchange.fault
    entry["response"] = recorded_answer(exchange, redactor)
    return entry


def recorded_answer(exchange: Exchange, redactor: Redactor) -> Any:
    """The answer's JSON body as a journal keeps it (secret-sounding members masked), or None
    when it was not kept or is not JSON."""
    if not exchange.answer:
        return None
    try:
        body = parse_json(exchange.answer, redactor.max_depth)
    except MockError:
        return None
    return redact_body(body, redactor.catalog, redactor.mask)


def recorded_body(exchange: Exchange, redactor: Redactor) -> Any:
    """The request body as a journal keeps it: JSON or form fields, secrets masked; None for
    a body longer than ``redactor.max_body_bytes`` (the entry keeps its size and digest)."""
    if exchange.body is not None and len(exchange.body) > redactor.max_body_bytes:
        return None
    body = _decoded(exchange, redactor.max_depth)
    if body is None:
        return None
    catalog, mask, path = redactor.catalog, redactor.mask, exchange.api_path
    if path is not None and exchange.method == "POST" and _CREATE.match(path):
        return redact_create(body, catalog, mask)
    patched = _PATCH.match(path) if path is not None else None
    if patched and exchange.method == "PATCH":
        return redact_patch(body, redactor.auth_spec_of(patched["id"]), catalog, mask)
    return redact_body(body, catalog, mask)


def _decoded(exchange: Exchange, max_depth: int) -> Any:
    if exchange.decoded is not UNPARSED:
        return exchange.decoded
    data = exchange.body
    if not data:
        return None
    if exchange.mimetype in _FORM_TYPES:
        return dict(parse_qsl(data.decode("utf-8", "replace"), keep_blank_values=True))
    try:
        return parse_json(data, max_depth)
    except MockError:
        return None
