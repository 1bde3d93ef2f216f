"""``serve --replay DIR``: recorded requests answered from the recording.

:class:`Replay` wraps a mock app's WSGI callable (``app.wsgi_app``, Flask's middleware hook).
A request is looked up by method, path, query and body, each redacted exactly as the
recording redacted it, so a request sent again matches its recording whatever its secrets. The
same request recorded several times (a connection read before and after a PATCH) is answered
in recorded order, the last answer repeated. A request not in the recording is answered by
the mock (``miss="mock"``) or with the gateway's 404 body (``miss="404"``); both carry
``x-mock-replay: hit`` or ``miss``. Paths outside the Flow Service base path and ``/ims/``
(health, the control API) always go to the mock.
"""

from __future__ import annotations

import io
import json
import threading
from collections import deque
from collections.abc import Callable, Iterable
from http import HTTPStatus
from typing import Any, Literal

from flask import Flask

from ..context import of_app
from ..control.recorder import Redactor
from ..errors import GatewayError
from .exchange import ProxiedExchange
from .forward import IMS_PREFIX, Answer
from .recording import Recorded

__all__ = ["Replay", "install_replay"]

Miss = Literal["mock", "404"]
StartResponse = Callable[..., Any]
WsgiApp = Callable[[dict[str, Any], StartResponse], Iterable[bytes]]
_HEADER_PREFIX = "HTTP_"


def _key(request: dict[str, Any]) -> str:
    body = request.get("body")
    parts = [request.get("method"), request.get("path"), request.get("query") or {}, body]
    return json.dumps(parts, sort_keys=True, separators=(",", ":"))


def _headers(environ: dict[str, Any]) -> tuple[tuple[str, str], ...]:
    pairs = [
        (name[len(_HEADER_PREFIX) :].replace("_", "-").title(), str(value))
        for name, value in environ.items()
        if name.startswith(_HEADER_PREFIX)
    ]
    if environ.get("CONTENT_TYPE"):
        pairs.append(("Content-Type", str(environ["CONTENT_TYPE"])))
    return tuple(pairs)


class Replay:
    """The WSGI middleware answering recorded requests (thread-safe)."""

    def __init__(
        self, app: WsgiApp, recorded: list[Recorded], redactor: Redactor, base_path: str,
        *, miss: Miss = "mock",
    ) -> None:  # fmt: skip
        self.app, self.redactor, self.base_path, self.miss = app, redactor, base_path, miss
        self._answers: dict[str, deque[dict[str, Any]]] = {}
        for item in recorded:
            self._answers.setdefault(_key(item.request), deque()).append(item.response)
        self._lock = threading.Lock()

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        path = str(environ.get("PATH_INFO", ""))
        if not (path.startswith(self.base_path + "/") or path.startswith(IMS_PREFIX)):
            return self.app(environ, start_response)  # health and control: the mock's own
        length = int(environ.get("CONTENT_LENGTH") or 0)
        body = environ["wsgi.input"].read(length) if length > 0 else b""
        environ["wsgi.input"] = io.BytesIO(body)
        seen = ProxiedExchange(
            method=str(environ.get("REQUEST_METHOD", "GET")).upper(),
            path=path,
            query=str(environ.get("QUERY_STRING", "")),
            headers=_headers(environ),
            body=body,
            answer=Answer(0, (), b""),
            duration_ms=0.0,
        )
        answer = self._next(_key(seen.redacted_request(self.redactor, self.base_path)))
        if answer is not None:
            return self._answer(answer, start_response)
        if self.miss == "404":
            error = GatewayError("404000")
            data = json.dumps(error.body("")).encode()
            start_response(
                "404 Not Found",
                [
                    ("Content-Type", "application/json"),
                    ("Content-Length", str(len(data))),
                    ("x-mock-replay", "miss"),
                ],
            )
            return [data]

        def marked(status: str, headers: list[tuple[str, str]], *rest: Any) -> Any:
            return start_response(status, [*headers, ("x-mock-replay", "miss")], *rest)

        return self.app(environ, marked)

    def _next(self, key: str) -> dict[str, Any] | None:
        with self._lock:
            queue = self._answers.get(key)
            if not queue:
                return None
            return queue.popleft() if len(queue) > 1 else queue[0]

    def _answer(self, answer: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        body = answer.get("body")
        data = b"" if body is None else json.dumps(body, ensure_ascii=False).encode()
        skip = {"content-length", "content-encoding"}
        headers = [
            (k, str(v)) for k, v in (answer.get("headers") or {}).items() if k.lower() not in skip
        ]
        if data:
            headers.append(("Content-Length", str(len(data))))
        headers.append(("x-mock-replay", "hit"))
        status = int(answer.get("status") or 500)
        start_response(f"{status} {_reason(status)}", headers)
        return [data]


def _reason(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Recorded"


def install_replay(app: Flask, recorded: list[Recorded], *, miss: Miss = "mock") -> Replay:
    """Put a :class:`Replay` of ``recorded`` in front of a mock app (its ``wsgi_app``)."""
    ctx = of_app(app)
    redactor = Redactor(
        ctx.catalog,
        ctx.config.secret_mask,
        lambda _: None,
        ctx.config.max_json_depth,
        ctx.config.journal_body_bytes,
    )
    replay = Replay(app.wsgi_app, recorded, redactor, ctx.config.base_path, miss=miss)
    app.wsgi_app = replay  # type: ignore[method-assign]
    return replay
