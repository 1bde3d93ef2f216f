r"""The control plane's request hooks: fault injection before a request, the journal after.

:func:`inject_fault` runs before the gateway on Flow Service and IMS routes (a rule that
``respond``\ s answers instead of the mock: an override); :func:`record`
describes the answered request as an :class:`~.recorder.Exchange` for the one recorder.
"""

from __future__ import annotations

import functools
import json
import logging
import time
from collections.abc import Mapping
from typing import Any

from flask import Response, request

from ..context import MockContext, current
from ..model import Tenant
from ..request_state import RequestState, state
from ..server.dropped import dropping_body
from ..validation import JsonRefused, decode_json
from ..wsgi_call import content_length, mimetype
from .faults import RequestView
from .journal import Deferred, Entry
from .plane import current_control
from .recorder import Exchange, Redactor, bounded, estimate, journal_entry
from .redaction import header_kind, is_secret_name, masked_header

__all__ = ["CONTROL_PREFIX", "inject_fault", "record"]

log = logging.getLogger("mock_flowservice")

CONTROL_PREFIX = "/__mock__/"


def inject_fault() -> Response | None:
    """Apply the first fault rule that fires: wait, then answer an error or drop."""
    faults = current_control().faults
    if not faults or request.path.startswith(CONTROL_PREFIX):
        return None  # most requests: no rule installed, nothing to look at
    view = RequestView(
        request.method, request.path, request.args.to_dict(flat=False), _json_of_request
    )
    injection = faults.draw(view)
    if injection is None:
        return None
    now = state()
    now.fault_rule = injection.rule_id
    if injection.latency_s:
        time.sleep(injection.latency_s)
    if injection.drop:
        now.dropped = True
        return Response(dropping_body())
    error = injection.error()
    if error is not None:
        raise error
    if injection.respond is not None:
        return _answer(injection.respond)
    return None


def _json_of_request() -> Any:
    """The request's JSON body under the configured bounds, or None (then ``json`` never
    matches)."""
    config = current().config
    try:
        return decode_json(
            request.get_data(cache=True), max_depth=config.max_json_depth,
            max_bytes=config.max_body_bytes,
        )  # fmt: skip
    except JsonRefused:  # not JSON, too deep, too large: the rule does not match
        return None


def _answer(respond: Mapping[str, Any]) -> Response:
    """An override's answer, exactly as the rule gives it (a JSON body when it has one)."""
    data = json.dumps(respond["body"]) if "body" in respond else ""
    mimetype = "application/json" if "body" in respond else None
    response = Response(data, status=respond["status"], mimetype=mimetype)
    for name, value in respond["headers"].items():
        response.headers[name] = value
    return response


def record(status: int | None, elapsed_ms: float, response: Response | None = None) -> None:
    """Add the answered request to the journal (never breaking the answer).

    The request is captured now with its credential headers and secret-sounding query
    parameters already masked; the entry (body secrets masked) is made when the journal is
    read. A PATCH is made into its entry now: it is judged by the connection as it is now.
    """
    try:
        ctx, now = current(), state()
        exchange = _exchange(ctx, now, status, elapsed_ms, response)
        journal = current_control().journal
        if exchange.method == "PATCH":
            journal.record(journal_entry(exchange, Redactor.for_tenant(ctx, now.tenant)))
            return
        exchange = bounded(exchange, ctx.config.journal_body_bytes)
    except Exception as exc:  # the journal must never break an answer
        _no_entry(state().request_id, exc)
        return
    make = functools.partial(_entry, exchange, ctx, now.tenant)
    journal.record(Deferred(make, estimate(exchange)))


def _entry(exchange: Exchange, ctx: MockContext, tenant: Tenant | None) -> Entry | None:
    try:
        return journal_entry(exchange, Redactor.for_tenant(ctx, tenant))
    except Exception as exc:  # a journal read answers the entries it can make
        _no_entry(exchange.request_id, exc)
        return None


def _answer_bytes(response: Response, limit: int) -> bytes | None:
    """The answer's bytes when it is JSON held in memory and at most ``limit`` long."""
    chunks = response.response
    if response.direct_passthrough or not isinstance(chunks, list | tuple):
        return None  # streamed: not read here
    media_type = response.headers.get("Content-Type", "").partition(";")[0].strip().lower()
    if media_type != "application/json":
        return None
    one = len(chunks) == 1 and isinstance(chunks[0], bytes)
    data: bytes = chunks[0] if one else response.get_data()
    return data if len(data) <= limit else None


def _no_entry(request_id: str, exc: Exception) -> None:
    log.warning("no journal entry for request %s (%s)", request_id, type(exc).__name__)


def _exchange(
    ctx: MockContext,
    now: RequestState,
    status: int | None,
    elapsed_ms: float,
    response: Response | None,
) -> Exchange:
    """The request as the environ has it (read once, not through ``request``'s properties)."""
    config = ctx.config
    base, path, environ = config.base_path, request.path, request.environ
    declared = content_length(environ)
    return Exchange(
        method=environ["REQUEST_METHOD"].upper(),
        path=path,
        api_path=path[len(base) :] if path.startswith(base + "/") else None,
        query=_masked_query(ctx) if environ.get("QUERY_STRING") else (),
        headers=_masked_headers(environ),
        body=_raw_body(environ, declared, config.max_body_bytes),
        mimetype=mimetype(environ),
        request_id=now.request_id,
        status=status,
        duration_ms=elapsed_ms,
        decoded=now.body,
        fault=now.fault_rule,
        declared_size=declared or 0,
        finished_at=time.time(),
        answer=(
            _answer_bytes(response, config.journal_body_bytes)
            if response is not None and status is not None
            else None
        ),
    )


def _masked_query(ctx: MockContext) -> list[tuple[str, str]]:
    mask, catalog = ctx.config.secret_mask, ctx.catalog
    return [
        (name, mask if is_secret_name(name, catalog) else value)
        for name, value in request.args.items(multi=True)
    ]


def _masked_headers(environ: dict[str, Any]) -> list[tuple[str, str]]:
    """The request's headers as ``request.headers`` lists them, credentials masked."""
    items = []
    for key, value in environ.items():
        header = _HEADERS.get(key, _UNSEEN)
        if header is _UNSEEN:
            header = _header(key)
        if header is not None and (value or not key.startswith("CONTENT_")):
            name, kind = header
            items.append((name, value if kind == "plain" else masked_header(kind, value)))
    return items


def _header(key: str) -> tuple[str, str] | None:
    """The header name of a WSGI environ key, as werkzeug's ``EnvironHeaders`` writes it, and
    its kind for masking (:func:`.redaction.header_kind`); None for other keys. Remembered
    for the first 1,024 keys (the same few come with every request)."""
    header: tuple[str, str] | None = None
    if key.startswith("HTTP_") and key not in _HTTP_CONTENT_KEYS:
        name = key[5:].replace("_", "-").title()
        header = name, header_kind(name)
    elif key in _CONTENT_KEYS:
        name = key.replace("_", "-").title()
        header = name, header_kind(name)
    if len(_HEADERS) < 1024:
        _HEADERS[key] = header
    return header


_HEADERS: dict[str, tuple[str, str] | None] = {}
_UNSEEN: Any = object()
_CONTENT_KEYS = frozenset({"CONTENT_TYPE", "CONTENT_LENGTH"})
_HTTP_CONTENT_KEYS = frozenset({"HTTP_CONTENT_TYPE", "HTTP_CONTENT_LENGTH"})


def _raw_body(environ: dict[str, Any], length: int | None, limit: int) -> bytes | None:
    if length is not None and length > limit:
        return None
    if not length and "HTTP_TRANSFER_ENCODING" not in environ:
        return None  # no body (most GETs): nothing to read or record
    try:
        return request.get_data(cache=True)
    except Exception:  # a stream over the size limit, a client that went away
        return None
