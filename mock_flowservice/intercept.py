"""In-process interception: ``requests`` calls to Flow Service and IMS served by a mock app.

>>> with intercept() as mock:                                   # doctest: +SKIP
...     requests.post("https://platform.adobe.io/data/foundation/flowservice/connections", ...)
...     mock.assert_called("POST", r"/connections$", times=1)

Built on ``responses``: while active, every ``requests`` call to a base URL (the real gateway
by default; several may be given) or to the IMS token URL is handed to the app's WSGI callable
in this process (:mod:`.wsgi_call`), with method, path, query, headers and body carried
over. Any other URL is refused with ``requests.ConnectionError`` unless ``passthrough=True``
or :meth:`Intercept.add_passthru`.
``httpx`` clients (sync and async) are served the same way through httpx's own transports
(:mod:`.httpx_transport`; httpx stays optional), with the same journal.

:meth:`Intercept.reset` forgets everything (data, tokens, clock, run outcomes, journal, fault
rules); :meth:`~Intercept.reset_state`, :meth:`~Intercept.clear_journal` and
:meth:`~Intercept.clear_faults` forget one of them (see :mod:`.handle`). Journal entries
(:class:`Call`) hold no secret, by the rules of :mod:`.redaction`: ``Authorization`` reads
``Bearer ***``; create bodies and PATCH ops keep only the auth params their auth spec declares
and does not mark ``format: password``; the IMS ``client_secret`` and the issued
``access_token`` are masked.
A fault rule that drops the connection surfaces as ``requests.ConnectionError``.
"""

from __future__ import annotations

import functools
import re
import threading
import time
import weakref
from collections import deque
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ParamSpec, TypeVar
from urllib.parse import urlsplit

from flask import Flask

from . import httpx_transport, wsgi_call
from .app import create_app
from .config import MockConfig
from .control.recorder import Exchange, Redactor, recorded_body
from .control.redaction import redact_body, redact_headers
from .handle import Call, MockHandle, decode_json, header_dict
from .model import Tenant

if TYPE_CHECKING:
    import httpx
    import responses
    from requests import PreparedRequest
    from urllib3 import HTTPHeaderDict

    Reply = tuple[int, HTTPHeaderDict, bytes]

__all__ = ["DEFAULT_BASE_URL", "DEFAULT_IMS_URL", "Call", "Intercept", "intercept"]

DEFAULT_BASE_URL = "https://platform.adobe.io/data/foundation/flowservice"
DEFAULT_IMS_URL = "https://ims-na1.adobelogin.com/ims/token/v3"
IMS_PATH = "/ims/token/v3"
METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS")

P = ParamSpec("P")
R = TypeVar("R")


@dataclass(frozen=True)
class _Route:
    pattern: re.Pattern[str]
    app_prefix: str
    flowservice: bool


def _route(url: str, app_prefix: str, *, flowservice: bool) -> _Route:
    parts = urlsplit(url.rstrip("/"))
    if parts.scheme not in ("http", "https") or not parts.netloc or parts.query:
        raise ValueError(f"not a base URL: {url!r}")
    prefix = f"{parts.scheme.lower()}://{parts.netloc.lower()}{parts.path}"
    pattern = re.compile(re.escape(prefix) + r"(?P<rest>(?:[/?#].*)?)$", re.DOTALL)
    return _Route(pattern, app_prefix, flowservice)


def _as_list(urls: str | Sequence[str]) -> list[str]:
    return [urls] if isinstance(urls, str) else list(urls)


class Intercept(MockHandle):
    """A mock app serving ``requests`` (and ``httpx``) calls in-process; a context manager and
    a decorator."""

    def __init__(
        self,
        config: MockConfig | Mapping[str, Any] | None = None,
        *,
        base_url: str | Sequence[str] = DEFAULT_BASE_URL,
        ims_url: str | Sequence[str] = DEFAULT_IMS_URL,
        passthrough: bool = False,
        app: Flask | None = None,
    ) -> None:
        if app is not None and config is not None:
            raise ValueError("give either config or app, not both")
        self.app = app if app is not None else create_app(config)
        self.base_urls = [url.rstrip("/") for url in _as_list(base_url)]
        self.ims_urls = _as_list(ims_url)
        base_path = self.context.config.base_path
        self._routes = [_route(url, base_path, flowservice=True) for url in self.base_urls]
        self._routes += [_route(url, IMS_PATH, flowservice=False) for url in self.ims_urls]
        self._passthru: list[str | re.Pattern[str]] = [re.compile(".*")] if passthrough else []
        self._journal: deque[Call] = deque(maxlen=self.context.config.journal_size)
        self._lock = threading.Lock()
        self._mock: responses.RequestsMock | None = None
        #: ``Retry-After`` seconds of the last answer to a request, waited for on its retry.
        self._retry_waits: weakref.WeakKeyDictionary[PreparedRequest, float] = (
            weakref.WeakKeyDictionary()
        )

    @property
    def base_url(self) -> str:
        """The first intercepted base URL."""
        return self.base_urls[0]

    # -- activation ----------------------------------------------------------------------

    @property
    def active(self) -> bool:
        return self._mock is not None

    def start(self) -> None:
        if self._mock is not None:
            raise RuntimeError("this intercept is already active")
        import responses  # imported on first use, not with the package

        mock = responses.RequestsMock(assert_all_requests_are_fired=False)
        for route in self._routes:
            for method in METHODS:
                serve = functools.partial(self._serve, route)
                mock.add_callback(method, route.pattern, serve, content_type=None)
        for prefix in self._passthru:
            mock.add_passthru(prefix)
        mock.start()
        self._mock = mock
        httpx_transport.activate(self)

    def stop(self) -> None:
        if self._mock is not None:
            httpx_transport.deactivate(self)
            self._mock.stop(allow_assert=False)
            self._mock = None

    def add_passthru(self, prefix: str | re.Pattern[str]) -> None:
        """Let requests to URLs starting with ``prefix`` (or matching a regex) go out."""
        self._passthru.append(prefix)
        if self._mock is not None:
            self._mock.add_passthru(prefix)

    def __enter__(self) -> Intercept:
        self.start()
        return self

    def __call__(self, func: Callable[P, R]) -> Callable[P, R]:
        """Use as a decorator: the intercept is active while ``func`` runs."""

        @functools.wraps(func)
        def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
            with self:
                return func(*args, **kwargs)

        return wrapper

    # -- serving -------------------------------------------------------------------------

    def _serve(self, route: _Route, request: PreparedRequest) -> Reply | Exception:
        """A ``requests`` call (the ``responses`` callback of one route).

        ``responses`` retries a request (with the client's urllib3 ``Retry``) by calling the
        callback again with the same request, without waiting: an answer's ``Retry-After`` is
        kept for that request and waited for before its retry, as urllib3 waits on a socket.
        """
        url, method = str(request.url), str(request.method).upper()
        wait = self._retry_waits.pop(request, None)
        if wait:
            time.sleep(wait)
        try:
            status, headers, data = self._exchange(
                route, method, url, request.headers.items(), _body_bytes(request.body)
            )
        except _Dropped as exc:
            import requests  # the caller has it loaded; the package does not load it

            return requests.ConnectionError(f"{method} {url}: {exc}", request=request)
        answer = header_dict(headers)
        retry_after = _seconds(answer.get("Retry-After"))
        if retry_after:
            self._retry_waits[request] = retry_after
        return status, answer, data

    def _exchange(
        self,
        route: _Route,
        method: str,
        url: str,
        header_items: Iterable[tuple[str, str]],
        body: bytes,
    ) -> tuple[int, list[tuple[str, str]], bytes]:
        """Serve one request of ``route`` through the app and record it (any client)."""
        match = route.pattern.match(url)
        assert match is not None  # the caller matched the same pattern
        rest = match["rest"].split("#", 1)[0]
        items = list(header_items)
        parts = urlsplit(url)
        recorded = self._recorded(route, method, rest, body, items)
        redacted = header_dict(redact_headers(items))  # names looked up in any case
        call = functools.partial(Call, method, url, parts.path, headers=redacted)
        try:
            target = route.app_prefix + rest
            environ = wsgi_call.environ(method, parts.scheme, parts.netloc, target, items, body)
            status, answer_headers, data = wsgi_call.call(self.app, environ)
        except ConnectionResetError as exc:  # a fault rule dropped the connection
            self._record(call(status=None, body=recorded))
            raise _Dropped(str(exc)) from None
        self._record(call(status=status, body=recorded, **self._answer(route, data)))
        return status, answer_headers, data

    # -- httpx ---------------------------------------------------------------------------

    def serve_httpx(self, request: httpx.Request) -> httpx.Response | None:
        """An httpx request to one of the intercepted URLs, served; None for other URLs."""
        url = str(request.url)
        route = next((r for r in self._routes if r.pattern.match(url)), None)
        if route is None:
            return None
        module = httpx_transport.httpx_module()
        try:
            status, headers, data = self._exchange(
                route, request.method.upper(), url, request.headers.multi_items(), request.read()
            )
        except _Dropped:
            raise module.RemoteProtocolError(
                "Server disconnected without sending a response.", request=request
            ) from None
        response: httpx.Response = module.Response(
            status, headers=headers, content=data, request=request
        )
        return response

    def passes(self, url: str) -> bool:
        """Whether a URL this intercept does not serve may go out (``add_passthru``)."""
        return any(
            url.startswith(p) if isinstance(p, str) else p.match(url) is not None
            for p in self._passthru
        )

    def httpx_transport(self) -> httpx.MockTransport:
        """An ``httpx.MockTransport`` for ``httpx.Client(transport=...)`` or ``AsyncClient``:
        this intercept's URLs served (active or not), others refused."""
        return httpx_transport.mock_transport(self)

    def _answer(self, route: _Route, data: bytes) -> dict[str, Any]:
        """How a call keeps its answer: Flow Service bytes as sent, IMS answers masked now."""
        catalog, mask = self.context.catalog, self.context.config.secret_mask
        if route.flowservice:
            return {"answer": data, "catalog": catalog, "mask": mask}
        return {"decoded": redact_body(decode_json(data), catalog, mask)}

    def _recorded(
        self, route: _Route, method: str, rest: str, body: bytes, items: list[tuple[str, str]]
    ) -> Any:
        """The request body as the journal keeps it, by the one recorder's rules (which keep
        nothing of an empty body: most GETs skip the work)."""
        if not body:
            return None
        headers = header_dict(items)
        ctx = self.context
        org = headers.get("x-gw-ims-org-id", "").strip()
        sandbox = headers.get("x-sandbox-name", "").strip() or ctx.config.default_sandbox
        redactor = Redactor.for_tenant(ctx, Tenant(org, sandbox))
        content_type = headers.get("Content-Type", "")
        exchange = Exchange(
            method=method,
            path=rest,
            api_path=rest.split("?", 1)[0] if route.flowservice else None,
            query=(),
            headers=(),
            body=body,
            mimetype=content_type.split(";", 1)[0].strip().lower(),
            request_id="",
            status=None,
            duration_ms=0.0,
        )
        return recorded_body(exchange, redactor)

    # -- journal -------------------------------------------------------------------------

    def _record(self, call: Call) -> None:
        with self._lock:
            self._journal.append(call)

    @property
    def journal(self) -> list[Call]:
        """Every intercepted call so far, oldest first (at most ``config.journal_size``)."""
        with self._lock:
            return list(self._journal)

    def clear_journal(self) -> None:
        """Forget the recorded calls, here and in the app's journal (state is kept)."""
        with self._lock:
            self._journal.clear()
        super().clear_journal()


class _Dropped(Exception):
    """A fault rule dropped the connection (each client raises its own error for it)."""


def _body_bytes(body: Any) -> bytes:
    if body is None:
        return b""
    if isinstance(body, bytes):
        return body
    if isinstance(body, str):
        return body.encode("utf-8")
    chunks: Iterable[Any] = body
    return b"".join(c.encode("utf-8") if isinstance(c, str) else bytes(c) for c in chunks)


def intercept(
    config: MockConfig | Mapping[str, Any] | None = None,
    *,
    base_url: str | Sequence[str] = DEFAULT_BASE_URL,
    ims_url: str | Sequence[str] = DEFAULT_IMS_URL,
    passthrough: bool = False,
    app: Flask | None = None,
) -> Intercept:
    """An :class:`Intercept`: ``with intercept() as mock: ...`` or ``@intercept()``."""
    return Intercept(config, base_url=base_url, ims_url=ims_url, passthrough=passthrough, app=app)


def _seconds(value: str | None) -> float:
    """``Retry-After`` as delay-seconds (the form the mock sends); 0 for anything else."""
    if value is None or not value.strip().isdigit() or len(value.strip()) > 6:
        return 0.0
    return float(value.strip())
