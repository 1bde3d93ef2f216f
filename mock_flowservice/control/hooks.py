r"""The control plane's request hooks: fault injection before a request, the journal after.

:func:`inject_fault` runs before the gateway on Flow Service and IMS routes (a rule that
``respond``\ s answers instead of the mock: an override); :func:`record`
describes the answered request as an :class:`~.recorder.Exchange` for the one recorder.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Mapping
from typing import Any

from flask import Response, request

from ..context import current
from ..request_state import state
from ..server.dropped import dropping_body
from ..validation import JsonRefused, decode_json
from .faults import RequestView
from .plane import current_control
from .recorder import Exchange, Redactor, journal_entry

__all__ = ["CONTROL_PREFIX", "inject_fault", "record"]

log = logging.getLogger("mock_flowservice")

CONTROL_PREFIX = "/__mock__/"


def inject_fault() -> Response | None:
    """Apply the first fault rule that fires: wait, then answer an error or drop."""
    if request.path.startswith(CONTROL_PREFIX):
        return None
    view = RequestView(
        request.method, request.path, request.args.to_dict(flat=False), _json_of_request
    )
    injection = current_control().faults.draw(view)
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


def record(status: int | None, elapsed_ms: float) -> None:
    """Add the answered request to the journal (never breaking the answer)."""
    try:
        entry = journal_entry(
            _exchange(status, elapsed_ms), Redactor.for_tenant(current(), state().tenant)
        )
    except Exception as exc:  # the journal must never break an answer
        log.warning("no journal entry for request %s (%s)", state().request_id, type(exc).__name__)
        return
    current_control().journal.record(entry)


def _exchange(status: int | None, elapsed_ms: float) -> Exchange:
    ctx, now = current(), state()
    base = ctx.config.base_path
    path = request.path
    return Exchange(
        method=request.method,
        path=path,
        api_path=path[len(base) :] if path.startswith(base + "/") else None,
        query=list(request.args.items(multi=True)),
        headers=list(request.headers.items()),
        body=_raw_body(ctx.config.max_body_bytes),
        mimetype=request.mimetype,
        request_id=now.request_id,
        status=status,
        duration_ms=elapsed_ms,
        decoded=now.body,
        fault=now.fault_rule,
        declared_size=request.content_length or 0,
    )


def _raw_body(limit: int) -> bytes | None:
    length = request.content_length
    if length is not None and length > limit:
        return None
    if not length and "Transfer-Encoding" not in request.headers:
        return None  # no body (most GETs): nothing to read or record
    try:
        return request.get_data(cache=True)
    except Exception:  # a stream over the size limit, a client that went away
        return None
