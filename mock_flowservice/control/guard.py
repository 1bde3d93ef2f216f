"""The control API obeys no web page: Host, Origin and Content-Type checks of ``/__mock__``.

A browser lets any web page send requests to ``http://127.0.0.1:8080`` (simple requests need
no CORS preflight: GET, and POST with a form or ``text/plain`` body) and, through DNS
rebinding, even read the answers (a name of the attacker's resolves first to their server,
then to 127.0.0.1: the page's requests stay "same origin" but carry ``Host: evil.example``).
So every control route (not ``health``/``ready``, which reveal nothing) refuses, with
``FLOW-1100-400``:

* a ``Host`` that is not a loopback name or address (``localhost``, ``127.0.0.1``, ``[::1]``,
  any port) or a name of ``config.control_hosts`` (what ``serve --host`` listens on is added);
* an ``Origin`` that is present and foreign: neither the origin of the ``Host`` itself nor
  one of ``config.control_origins``;
* a body on POST/PUT/PATCH/DELETE that is not ``application/json`` (the types a page can send
  without a preflight are form and text types).

The rules are pure functions of header values; :func:`check` applies them to the request.
:func:`authorise` then wants ``Authorization: Bearer <control_token>`` when one is set (else
gateway ``401013``).
"""

from __future__ import annotations

import hmac
from collections.abc import Iterable

from flask import request

from ..config import MockConfig
from ..context import current
from ..errors import GatewayError, invalid_request

__all__ = ["LOOPBACK_HOSTS", "authorise", "check", "host_allowed", "host_name", "origin_allowed"]

LOOPBACK_HOSTS = frozenset({"localhost", "127.0.0.1", "[::1]"})
_BODY_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


def host_name(host: str) -> str:
    """The name of a ``Host`` value without its port, lower case (``[::1]`` keeps brackets);
    "" when the value is malformed."""
    host = host.strip().lower()
    if host.startswith("["):
        end = host.find("]") + 1
        name, port = host[:end], host[end:]
    else:
        name, colon, port = host.partition(":")
        port = colon + port
    if port and not (port.startswith(":") and port[1:].isdigit()):
        return ""
    return name


def _names(hosts: Iterable[str]) -> frozenset[str]:
    """Configured names as :func:`host_name` reads them (an IPv6 address gains brackets)."""
    names = set()
    for host in hosts:
        host = host.strip().lower()
        names.add(f"[{host}]" if ":" in host and not host.startswith("[") else host)
    return frozenset(names)


def host_allowed(host: str | None, allowed: Iterable[str] = ()) -> bool:
    """Whether a ``Host`` header names the mock: loopback or an allowed name, any port."""
    if not host:
        return False
    name = host_name(host)
    return bool(name) and (name in LOOPBACK_HOSTS or name in _names(allowed))


def origin_allowed(
    origin: str | None, host: str, allowed: Iterable[str] = (), scheme: str = "http"
) -> bool:
    """Whether an ``Origin`` header is absent, the origin the request was sent to, or allowed."""
    if origin is None:
        return True
    origin = origin.strip().lower().rstrip("/")
    if origin in {item.strip().lower().rstrip("/") for item in allowed}:
        return True
    return origin == f"{scheme}://{host.strip().lower()}"


def check() -> None:
    """Refuse a control request a web page could have sent (``before_request``)."""
    config: MockConfig = current().config
    host = request.headers.get("Host")
    if not host_allowed(host, config.control_hosts):
        raise invalid_request(
            "The control API answers requests to its own address only: this Host is not "
            "a loopback address or one of control_hosts."
        )
    assert host is not None
    origin = request.headers.get("Origin")
    if not origin_allowed(origin, host, config.control_origins, request.scheme):
        raise invalid_request(
            "The control API answers no web page: this Origin is not the mock's own "
            "or one of control_origins."
        )
    if request.method in _BODY_METHODS and _has_body() and request.mimetype != "application/json":
        raise invalid_request("A control API request body must be application/json.")


def _has_body() -> bool:
    return bool(request.content_length) or "Transfer-Encoding" in request.headers


def authorise() -> None:
    """Want the control token, when one is configured (``before_request``, after :func:`check`)."""
    token = current().config.control_token
    if token is None:
        return
    scheme, _, sent = request.headers.get("Authorization", "").strip().partition(" ")
    if scheme.lower() != "bearer" or not hmac.compare_digest(sent.strip().encode(), token.encode()):
        raise GatewayError("401013")
