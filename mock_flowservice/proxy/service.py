"""The proxy as a WSGI app: forward, then check, shadow, record and report each exchange.

``create_proxy_app(ProxySettings(...))`` answers:

* every request below the Flow Service base path, and ``/ims/...``, with the upstream's
  answer (:class:`~.forward.Upstream`); an unreachable upstream is a 502 ``FLOW-1102`` body;
* ``GET /__proxy__/report``: the drift report so far, as JSON (the contract kit reads it);
* ``GET /__proxy__/health``: ``{"status": "ok"}``;
* anything else: the gateway's 404 ``404000``, sent nowhere.

Checking, shadowing and recording happen after the upstream answered and before the answer is
returned; a failure in them is logged (its type only) and never changes the answer. One log
line per exchange names method, path and status (never the query, a header or a body).
"""

from __future__ import annotations

import dataclasses
import logging
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from flask import Flask, Response, request

from ..catalog import load_catalog
from ..config import MockConfig
from ..control.recorder import Redactor
from ..errors import FlowError, GatewayError, MockError
from ..flow_catalog import load_flow_specs
from ..handlers import register_error_handlers, render
from ..web import json_response
from .checks import Checker, Message
from .compare import differences
from .exchange import ProxiedExchange, redacted_answer
from .forward import IMS_PREFIX, Upstream, UpstreamError
from .operations import load_index
from .recording import RecordingWriter
from .report import UNKNOWN, DriftReport, Observation
from .shadow import Shadow

__all__ = ["ProxySettings", "ProxyState", "create_proxy_app", "proxy_state"]

log = logging.getLogger("mock_flowservice.proxy")
EXTENSION_KEY = "flowservice_proxy"
MAX_BODY_BYTES = 16 * 1024 * 1024


@dataclass(frozen=True)
class ProxySettings:
    """What a proxy is: where it forwards, and what it does with each exchange."""

    upstream: str
    ims_upstream: str | None = None
    record: Path | None = None
    shadow: bool = False
    #: The mock settings the checks and the shadow use (base path, mask, limits...).
    mock_settings: Mapping[str, Any] = field(default_factory=dict)
    timeout_s: float = 60.0


class _RawResponse(Response):
    default_mimetype = None  # an answer without Content-Type stays without one


class ProxyState:
    """Everything one proxy app holds: upstream, checks, shadow, recording, report."""

    def __init__(self, settings: ProxySettings) -> None:
        self.settings = settings
        self.config = MockConfig.from_mapping(settings.mock_settings)
        self.upstream = Upstream(
            settings.upstream, settings.ims_upstream, timeout_s=settings.timeout_s
        )
        catalog = load_catalog()
        self.checker = Checker(
            load_index(),
            catalog,
            load_flow_specs(),
            base_path=self.config.base_path,
            mask=self.config.secret_mask,
        )
        # PATCH bodies are masked as for an unknown connection (every /auth value): the same
        # rule at record and replay time, whatever the proxy saw before.
        self.redactor = Redactor(
            catalog,
            self.config.secret_mask,
            lambda _: None,
            self.config.max_json_depth,
            MAX_BODY_BYTES,
        )
        self.shadow = Shadow(self.config) if settings.shadow else None
        self.recording = (
            RecordingWriter(settings.record, upstream=self.upstream.origin,
                            base_path=self.config.base_path)
            if settings.record is not None else None
        )  # fmt: skip
        self.report = DriftReport(upstream=self.upstream.origin, shadow=settings.shadow)

    def observe(self, exchange: ProxiedExchange) -> Observation:
        """Check (and shadow, and record) one exchange; its observation is in the report."""
        op = self.checker.operation(exchange.method, exchange.path)
        depth = self.config.max_json_depth
        sent, answered = exchange.request_json(depth), exchange.answer_json(depth)
        findings = self.checker.check(
            op,
            {k: [v] for k, v in exchange.query_pairs},
            Message(sent, exchange.media, dict(exchange.headers)),
            exchange.answer.status,
            Message(answered, exchange.media, dict(exchange.answer.headers)),
        )
        upstream_side = exchange.redacted_response(self.redactor)
        observation = Observation(
            operation=op.key if op else UNKNOWN,
            operation_id=op.operation_id if op else None,
            request=exchange.redacted_request(self.redactor, self.config.base_path),
            upstream={"status": upstream_side["status"], "body": upstream_side["body"]},
            findings=tuple(findings),
        )
        if self.shadow is not None and op is not None:
            observation = self._compare(observation, exchange, op, answered)
        if self.recording is not None:
            self.recording.add(
                exchange, observation.operation, self.redactor, self.config.base_path
            )
        self.report.add(observation)
        return observation

    def _compare(
        self, observation: Observation, exchange: ProxiedExchange, op: Any, answered: Any
    ) -> Observation:
        assert self.shadow is not None
        mine = self.shadow.replay(exchange, op, answered)
        if mine.skipped:
            return dataclasses.replace(observation, skipped=mine.skipped)
        bodies = (observation.upstream["body"], redacted_answer(mine.body, self.redactor))
        found = differences(
            (exchange.answer.status, mine.status), bodies,
            error=exchange.answer.status >= 400 or mine.status >= 400,
        )  # fmt: skip
        return dataclasses.replace(
            observation,
            differences=tuple(found),
            mock={"status": mine.status, "body": bodies[1]},
        )

    def close(self) -> None:
        self.upstream.close()


def proxy_state(app: Flask) -> ProxyState:
    """The state of a proxy app."""
    state: ProxyState = app.extensions[EXTENSION_KEY]
    return state


def create_proxy_app(settings: ProxySettings) -> Flask:
    """A new proxy app forwarding to ``settings.upstream``."""
    state = ProxyState(settings)
    app = Flask("mock_flowservice.proxy")
    app.config["MAX_CONTENT_LENGTH"] = MAX_BODY_BYTES
    app.url_map.merge_slashes = False
    app.extensions[EXTENSION_KEY] = state
    register_error_handlers(app)
    base = state.config.base_path

    @app.get("/__proxy__/health")
    def health() -> Response:
        return Response('{"status": "ok"}', mimetype="application/json")

    @app.get("/__proxy__/report")
    def report() -> Response:
        return json_response(state.report.as_json())

    @app.route("/", defaults={"path": ""}, methods=_METHODS)
    @app.route("/<path:path>", methods=_METHODS)
    def forward(path: str) -> Response:
        full = request.path
        if not (full.startswith(base + "/") or full == base or full.startswith(IMS_PREFIX)):
            raise GatewayError("404000")
        return _forward(state, full)

    return app


_METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"]


def _forward(state: ProxyState, path: str) -> Response:
    body = request.get_data(cache=False)
    headers = tuple(request.headers.items())
    query = request.query_string.decode("latin-1")
    started = time.perf_counter()
    try:
        answer = state.upstream.send(request.method, path, query, headers, body)
    except UpstreamError as exc:
        log.warning("proxy %s %s: upstream unreachable (%s)", request.method, path, exc)
        return render(FlowError("1102-500", status=502))
    exchange = ProxiedExchange(
        request.method, path, query, headers, body, answer, (time.perf_counter() - started) * 1000
    )
    try:
        observation = state.observe(exchange)
        log.info(
            "proxy %s %s -> %s (%d findings, %d differences)",
            request.method,
            path,
            answer.status,
            len(observation.findings),
            len(observation.differences),
        )
    except (MockError, OSError, ValueError, TypeError, KeyError) as exc:
        log.error(
            "proxy %s %s -> %s: not observed (%s)",
            request.method,
            path,
            answer.status,
            type(exc).__name__,
        )
    response = _RawResponse(answer.body, status=answer.status)
    for name, value in answer.headers:
        response.headers.add(name, value)
    return response
