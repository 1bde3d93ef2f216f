"""What the Adobe I/O gateway checks before Flow Service sees a request (FACTS B.1, B.2).

:func:`check_request` runs before every Flow Service route. It refuses a request with the
gateway's own error, or answers who is calling: the tenant and the caller.
"""

from __future__ import annotations

import re
import time
from typing import Any

from flask import request

from .config import MockConfig
from .errors import ContentTypeError, FlowError, GatewayError
from .model import Caller, Tenant
from .storage import Store
from .wsgi_call import content_length, mimetype

__all__ = ["check_request", "request_id_from_headers"]

_SAFE_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:\-]{1,128}$")
#: The documented form of an IMS org id: letters and digits, then ``@AdobeOrg``; under the
#: strict profile exactly the form real org ids have, 24 upper-case hex digits.
_ORG_ID = re.compile(r"^[A-Za-z0-9]{1,64}@AdobeOrg$")
_STRICT_ORG_ID = re.compile(r"^[0-9A-F]{24}@AdobeOrg$")
_BODY_METHODS = frozenset({"POST", "PUT", "PATCH"})


def request_id_from_headers() -> str | None:
    """The caller's ``x-request-id`` when it is a plain token, else None (one is made)."""
    value: str = request.environ.get("HTTP_X_REQUEST_ID", "")
    return value if _SAFE_REQUEST_ID.match(value) else None


# The checks read headers straight from the WSGI environ (``HTTP_X_API_KEY`` is what
# ``request.headers["x-api-key"]`` looks up): the same values, without a lookup object each.
Environ = dict[str, Any]


def _bearer_token(environ: Environ) -> str:
    header: str | None = environ.get("HTTP_AUTHORIZATION")
    if header is None or not header.strip():
        raise GatewayError("403010")
    scheme, _, token = header.strip().partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise GatewayError("401013")
    return token.strip()


def _caller(token: str, api_key: str, store: Store, config: MockConfig) -> Caller:
    issued = store.token(token)
    if issued is None:
        if config.issued_tokens_only:
            raise GatewayError("401013")
        return Caller(f"{api_key}@AdobeID", api_key)
    if issued.expires_at <= time.time():
        raise GatewayError("401013")
    if config.strict and issued.client_id != api_key:  # the key of another integration
        raise GatewayError("403003")
    return Caller(f"{issued.client_id}@techacct.adobe.com", issued.client_id)


def _api_key(environ: Environ, config: MockConfig) -> str:
    api_key: str = environ.get("HTTP_X_API_KEY", "").strip()
    if not api_key:
        raise GatewayError("403000")
    if config.api_keys is not None and api_key not in config.api_keys:
        raise GatewayError("403003")
    return api_key


def _check_content_type(environ: Environ) -> None:
    """Read from the environ, as ``request.method``, ``content_length`` and ``mimetype`` would
    give them."""
    if environ["REQUEST_METHOD"].upper() not in _BODY_METHODS:
        return
    if not content_length(environ) and not _has_body(environ):
        return
    media_type = mimetype(environ)
    if media_type != "application/json" and not media_type.endswith("+json"):
        raise ContentTypeError()


def _has_body(environ: Environ) -> bool:
    return bool(environ.get("HTTP_TRANSFER_ENCODING"))


def _tenant(environ: Environ, org: str, config: MockConfig) -> Tenant:
    sandbox: str = environ.get("HTTP_X_SANDBOX_NAME", "").strip()
    if not sandbox:
        if config.missing_sandbox == "require":
            raise FlowError("2105-400")
        sandbox = config.default_sandbox
    allowed = config.allowed_sandboxes
    if allowed is not None and sandbox not in allowed:
        raise FlowError("2100-404", sandbox=sandbox)
    return Tenant(org, sandbox)


def check_request(config: MockConfig, store: Store) -> tuple[Tenant, Caller]:
    """Apply the gateway's checks in its order; the request's tenant and caller."""
    environ = request.environ
    token = _bearer_token(environ)
    api_key = _api_key(environ, config)
    caller = _caller(token, api_key, store, config)
    org: str = environ.get("HTTP_X_GW_IMS_ORG_ID", "").strip()
    if not org:
        raise GatewayError("400003")
    form = _STRICT_ORG_ID if config.strict else _ORG_ID
    if not form.match(org):  # a malformed org id (the gateway's "User region is missing")
        raise GatewayError("403027")
    _check_content_type(environ)
    return _tenant(environ, org, config), caller
