"""``httpx`` served by an active :func:`~mock_flowservice.intercept` (httpx stays optional).

Two ways, both through httpx's own transport API:

* **Automatically**, as ``requests`` is: while an intercept is active, httpx's network
  transports (``httpx.HTTPTransport.handle_request`` and
  ``httpx.AsyncHTTPTransport.handle_async_request``, what every ``httpx.Client`` and
  ``httpx.AsyncClient`` uses by default) first ask the active intercepts, newest first, as
  respx does. An intercepted URL is served in-process; any other URL is refused with
  ``httpx.ConnectError`` unless an intercept lets it pass (``passthrough=True``,
  ``add_passthru``). Clients built with a transport of their own are not touched.
* **Explicitly**: ``httpx.Client(transport=mock.httpx_transport())`` (or ``AsyncClient``), an
  ``httpx.MockTransport`` serving that intercept's URLs, active or not.

A fault rule that drops the connection is ``httpx.RemoteProtocolError`` ("Server disconnected
without sending a response"), as from a real server. Nothing here imports httpx until an
intercept starts and httpx is installed.
"""

from __future__ import annotations

import importlib
import threading
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    import httpx

__all__ = ["Served", "activate", "deactivate", "httpx_module", "mock_transport"]


class Served(Protocol):
    """What an intercept offers httpx: serve a request of its URLs, say which URLs pass."""

    def serve_httpx(self, request: httpx.Request) -> httpx.Response | None:
        """The answer, or None when the URL is not one of this intercept's."""

    def passes(self, url: str) -> bool:
        """Whether a URL it does not serve may reach the network."""


_lock = threading.Lock()
_active: list[Served] = []
_originals: dict[str, Any] = {}


def httpx_module() -> Any:
    """httpx when it is installed, else None (imported on first use only)."""
    try:
        return importlib.import_module("httpx")
    except ImportError:  # pragma: no cover - the test environment has httpx
        return None


def _dispatch(request: httpx.Request) -> httpx.Response | None:
    """The answer of the newest active intercept serving the URL; None: let it go out."""
    with _lock:
        active = list(reversed(_active))
    for served in active:
        response = served.serve_httpx(request)
        if response is not None:
            return response
    url = str(request.url)
    if any(served.passes(url) for served in active):
        return None
    raise httpx_module().ConnectError(
        f"{request.method} {url}: not mocked by intercept() (add_passthru lets it out)",
        request=request,
    )


def _patch(module: Any) -> None:
    sync_handle = module.HTTPTransport.handle_request
    async_handle = module.AsyncHTTPTransport.handle_async_request
    _originals.update(sync=sync_handle, async_=async_handle)

    def handle_request(transport: Any, request: httpx.Request) -> httpx.Response:
        request.read()
        response = _dispatch(request)
        return response if response is not None else sync_handle(transport, request)

    async def handle_async_request(transport: Any, request: httpx.Request) -> httpx.Response:
        await request.aread()
        response = _dispatch(request)
        return response if response is not None else await async_handle(transport, request)

    module.HTTPTransport.handle_request = handle_request
    module.AsyncHTTPTransport.handle_async_request = handle_async_request


def activate(served: Served) -> None:
    """Route httpx through ``served`` (patching httpx when the first intercept starts)."""
    module = httpx_module()
    if module is None:  # pragma: no cover - the test environment has httpx
        return
    with _lock:
        if not _active:
            _patch(module)
        _active.append(served)


def deactivate(served: Served) -> None:
    """Stop routing httpx through ``served`` (unpatching when the last one stops)."""
    with _lock:
        if served not in _active:
            return
        _active.remove(served)
        if not _active and _originals:
            module = httpx_module()
            module.HTTPTransport.handle_request = _originals.pop("sync")
            module.AsyncHTTPTransport.handle_async_request = _originals.pop("async_")


def mock_transport(served: Served) -> httpx.MockTransport:
    """An ``httpx.MockTransport`` serving ``served``'s URLs and refusing others."""
    module = httpx_module()
    if module is None:  # pragma: no cover - the test environment has httpx
        raise RuntimeError("httpx_transport() needs httpx: pip install httpx")

    def handler(request: httpx.Request) -> httpx.Response:
        response = served.serve_httpx(request)
        if response is None:
            message = f"{request.method} {request.url}: not mocked by this intercept"
            raise module.ConnectError(message, request=request)
        return response

    transport: httpx.MockTransport = module.MockTransport(handler)
    return transport
