"""The IMS token endpoint, served offline (FACTS G): ``POST /ims/token/v3``.

A ``client_credentials`` grant with ``client_id``, ``client_secret`` and ``scope`` in the form
body (or the query string) returns ``{"access_token", "token_type": "bearer", "expires_in"}``.
With ``config.ims_clients`` set only those pairs are honoured; otherwise any non-empty pair is.
"""

from __future__ import annotations

import hmac

from flask import Blueprint, Response, request

from ..context import current
from ..web import json_response

__all__ = ["bp"]

bp = Blueprint("ims", __name__)

_FIELDS = ("grant_type", "client_id", "client_secret", "scope")


def _ims_error(error: str, description: str, status: int = 400) -> Response:
    return json_response({"error": error, "error_description": description}, status)


def _credentials_ok(client_id: str, client_secret: str) -> bool:
    clients = current().config.ims_clients
    if clients is None:
        return True
    expected = clients.get(client_id)
    # bytes: compare_digest refuses non-ASCII str, and a client may send any character
    return expected is not None and hmac.compare_digest(expected.encode(), client_secret.encode())


@bp.post("/ims/token/v3")
def issue_token() -> Response:
    values = {name: request.form.get(name) or request.args.get(name) or "" for name in _FIELDS}
    missing = [name for name in _FIELDS if not values[name]]
    if missing:
        return _ims_error("invalid_request", f"{missing[0]} is required")
    if values["grant_type"] != "client_credentials":
        return _ims_error("unsupported_grant_type", "only client_credentials is supported")
    if not _credentials_ok(values["client_id"], values["client_secret"]):
        return _ims_error("invalid_client", "invalid client credentials", 401)
    ctx = current()
    ttl = ctx.config.token_ttl_seconds
    token = ctx.store.issue_token(values["client_id"], ttl)
    return json_response({"access_token": token, "token_type": "bearer", "expires_in": ttl})
