"""What the Adobe I/O gateway checks before Flow Service sees a request (FACTS B.1, B.2).

:func:`check_request` runs before every Flow Service route. It refuses a request with the
gateway's own error, or answers who is calling: the tenant and the caller.
"""

from __future__ import annotations

import re
import time

from flask import request

from .config import MockConfig
from .errors import ContentTypeError, FlowError, GatewayError
from .model import Caller, Tenant
from .storage import Store

__all__ = ["check_request", "request_id_from_headers"]

_SAFE_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:\-]{1,128}$")
#: The documented form of an IMS org id: letters and digits, then ``@AdobeOrg``; under the
#: strict profile exactly the form real org ids have, 24 upper-case hex digits.
_ORG_ID = re.compile(r"^[A-Za-z0-9]{1,64}@AdobeOrg$")
_STRICT_ORG_ID = re.compile(r"^[0-9A-F]{24}@AdobeOrg$")
_BODY_METHODS = frozenset({"POST", "PUT", "PATCH"})


def request_id_from_headers() -> str | None:
    """The caller's ``x-request-id`` when it is a plain token, else None (one is made)."""
    value = request.headers.get("x-request-id", "")
    return value if _SAFE_REQUEST_ID.match(value) else None


def _bearer_token() -> str:
    header = request.headers.get("Authorization")
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


def _api_key(config: MockConfig) -> str:
    api_key = request.headers.get("x-api-key", "").strip()
    if not api_key:
        raise GatewayError("403000")
    if config.api_keys is not None and api_key not in config.api_keys:
        raise GatewayError("403003")
    return api_key


def _check_content_type() -> None:
    if request.method not in _BODY_METHODS or (not request.content_length and not _has_body()):
        return
    mimetype = request.mimetype
    if mimetype != "application/json" and not mimetype.endswith("+json"):
        raise ContentTypeError()


def _has_body() -> bool:
    return bool(request.headers.get("Transfer-Encoding"))


def _tenant(org: str, config: MockConfig) -> Tenant:
    sandbox = request.headers.get("x-sandbox-name", "").strip()
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
    token = _bearer_token()
    api_key = _api_key(config)
    caller = _caller(token, api_key, store, config)
    org = request.headers.get("x-gw-ims-org-id", "").strip()
    if not org:
        raise GatewayError("400003")
    form = _STRICT_ORG_ID if config.strict else _ORG_ID
    if not form.match(org):  # a malformed org id (the gateway's "User region is missing")
        raise GatewayError("403027")
    _check_content_type()
    return _tenant(org, config), caller
