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
from dataclasses import replace
from typing import Any

from flask import Response, request

from ..context import MockContext, current
from ..request_state import RequestState, state
from ..server.dropped import dropping_body
from ..validation import JsonRefused, decode_json
from .faults import RequestView
from .journal import Deferred, Entry
from .plane import current_control
from .recorder import Exchange, Redactor, bounded, estimate, journal_entry
from .redaction import is_secret_name, redact_headers

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
        exchange = _exchange(ctx, now, status, elapsed_ms)
        if response is not None and status is not None:
            exchange = replace(
                exchange, answer=_answer_bytes(response, ctx.config.journal_body_bytes)
            )
        redactor = Redactor.for_tenant(ctx, now.tenant)
        journal = current_control().journal
        if exchange.method == "PATCH":
            journal.record(journal_entry(exchange, redactor))
            return
        exchange = bounded(exchange, redactor.max_body_bytes)
    except Exception as exc:  # the journal must never break an answer
        _no_entry(state().request_id, exc)
        return
    journal.record(Deferred(functools.partial(_entry, exchange, redactor), estimate(exchange)))


def _entry(exchange: Exchange, redactor: Redactor) -> Entry | None:
    try:
        return journal_entry(exchange, redactor)
    except Exception as exc:  # a journal read answers the entries it can make
        _no_entry(exchange.request_id, exc)
        return None


def _answer_bytes(response: Response, limit: int) -> bytes | None:
    """The answer's bytes when it is JSON held in memory and at most ``limit`` long."""
    if response.mimetype != "application/json" or response.is_streamed:
        return None
    if response.direct_passthrough or (response.content_length or 0) > limit:
        return None
    data = response.get_data()
    return data if len(data) <= limit else None


def _no_entry(request_id: str, exc: Exception) -> None:
    log.warning("no journal entry for request %s (%s)", request_id, type(exc).__name__)


def _exchange(
    ctx: MockContext, now: RequestState, status: int | None, elapsed_ms: float
) -> Exchange:
    base = ctx.config.base_path
    path = request.path
    environ = request.environ
    return Exchange(
        method=request.method,
        path=path,
        api_path=path[len(base) :] if path.startswith(base + "/") else None,
        query=_masked_query(ctx) if environ.get("QUERY_STRING") else (),
        headers=_masked_headers(environ),
        body=_raw_body(ctx.config.max_body_bytes),
        mimetype=request.mimetype,
        request_id=now.request_id,
        status=status,
        duration_ms=elapsed_ms,
        decoded=now.body,
        fault=now.fault_rule,
        declared_size=request.content_length or 0,
        finished_at=time.time(),
    )


def _masked_query(ctx: MockContext) -> list[tuple[str, str]]:
    mask, catalog = ctx.config.secret_mask, ctx.catalog
    return [
        (name, mask if is_secret_name(name, catalog) else value)
        for name, value in request.args.items(multi=True)
    ]


def _masked_headers(environ: dict[str, Any]) -> list[tuple[str, str]]:
    """The request's headers as ``request.headers`` lists them, credentials masked."""
    return list(redact_headers(_header_items(environ)).items())


def _header_items(environ: dict[str, Any]) -> list[tuple[str, str]]:
    items = []
    for key, value in environ.items():
        name = _header_name(key)
        if name is not None and (value or not key.startswith("CONTENT_")):
            items.append((name, value))
    return items


@functools.lru_cache(maxsize=1024)
def _header_name(key: str) -> str | None:
    """The header name of a WSGI environ key, as werkzeug's ``EnvironHeaders`` writes it."""
    if key.startswith("HTTP_"):
        return None if key in _HTTP_CONTENT_KEYS else key[5:].replace("_", "-").title()
    return key.replace("_", "-").title() if key in _CONTENT_KEYS else None


_CONTENT_KEYS = frozenset({"CONTENT_TYPE", "CONTENT_LENGTH"})
_HTTP_CONTENT_KEYS = frozenset({"HTTP_CONTENT_TYPE", "HTTP_CONTENT_LENGTH"})


def _raw_body(limit: int) -> bytes | None:
    length = request.content_length
    if length is not None and length > limit:
        return None
    if not length and "HTTP_TRANSFER_ENCODING" not in request.environ:
        return None  # no body (most GETs): nothing to read or record
    try:
        return request.get_data(cache=True)
    except Exception:  # a stream over the size limit, a client that went away
        return None
