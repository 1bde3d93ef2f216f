"""What the journal may keep of a request: secrets replaced by the mask, forms dropped.

The rule is "keep only what is known not to be secret":

* auth params of a create body are kept only when the auth spec (found from
  ``connectionSpec.id`` and ``auth.specName``) declares them and does not mark them
  ``"format": "password"``; params the spec does not know, and all params when the spec cannot
  be found, are masked;
* a PATCH op on ``/auth``, ``/auth/params`` or ``/auth/params/<key>`` is judged against the
  auth spec of the stored connection the same way (everything masked when it is unknown);
* anywhere else in a JSON body, and in the query string, a value under a secret-sounding name
  (``client_secret``, ``password``, any catalog secret param name, ...) is masked;
* ``Authorization`` reads ``Bearer ***``; cookies and secret-sounding headers read ``***``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from functools import cache, lru_cache
from typing import Any

from ..catalog import AuthSpec, Catalog
from ..engine.jsonpatch import decode_pointer

__all__ = [
    "header_kind",
    "is_secret_name",
    "masked_header",
    "redact_auth",
    "redact_body",
    "redact_headers",
    "redact_patch",
    "redact_query",
]

_SECRET_NAMES = frozenset(
    {"clientsecret", "password", "accesstoken", "refreshtoken", "idtoken", "token", "code",
     "apikey", "jwttoken", "assertion", "clientassertion", "secret", "signature", "sig"}
)  # fmt: skip
_SECRET_PART = re.compile(r"secret|passw|passphrase|privatekey|credential", re.IGNORECASE)
_SECRET_HEADERS = re.compile(r"authorization|cookie|secret|password|token", re.IGNORECASE)


@cache
def _catalog_secret_names(catalog: Catalog) -> frozenset[str]:
    return frozenset(
        _normal(name) for spec in catalog for auth in spec.auth_specs.values()
        for name in auth.secret_params
    )  # fmt: skip


def _normal(name: str) -> str:
    return name.replace("_", "").replace("-", "").lower()


@lru_cache(maxsize=4096)
def is_secret_name(name: str, catalog: Catalog) -> bool:
    """Whether a field or query parameter name sounds like it holds a secret (cached)."""
    normal = _normal(name)
    return (
        normal in _SECRET_NAMES
        or normal in _catalog_secret_names(catalog)
        or _SECRET_PART.search(name) is not None
    )


def redact_query(args: Iterable[tuple[str, str]], catalog: Catalog, mask: str) -> dict[str, Any]:
    """Query parameters as ``{name: [values]}``, secret-sounding ones masked."""
    query: dict[str, list[str]] = {}
    for name, value in args:
        query.setdefault(name, []).append(mask if is_secret_name(name, catalog) else value)
    return query


def redact_headers(headers: Iterable[tuple[str, str]]) -> dict[str, str]:
    """Request headers by name, credentials replaced."""
    return {name: masked_header(header_kind(name), value) for name, value in headers}


def masked_header(kind: str, value: str) -> str:
    """A header's value as a journal keeps it, by its :func:`header_kind`."""
    if kind == "plain":
        return value
    if kind == "authorization":
        scheme = value.strip().partition(" ")[0]
        return "Bearer ***" if scheme.lower() == "bearer" else "***"
    return "***"


@lru_cache(maxsize=1024)
def header_kind(name: str) -> str:
    """ "authorization", "secret" or "plain" (cached: the same few names come every time)."""
    if name.lower() == "authorization":
        return "authorization"
    return "secret" if _SECRET_HEADERS.search(name) else "plain"


def redact_body(value: Any, catalog: Catalog, mask: str) -> Any:
    """A JSON value with every secret-sounding member masked; ``auth.params`` fully masked."""
    if isinstance(value, list):
        return [redact_body(item, catalog, mask) for item in value]
    if not isinstance(value, dict):
        return value
    out: dict[str, Any] = {}
    for key, item in value.items():
        if key == "auth":
            out[key] = redact_auth(item, None, catalog, mask)
        elif is_secret_name(key, catalog):
            out[key] = mask
        else:
            out[key] = redact_body(item, catalog, mask)
    return out


def redact_auth(auth: Any, spec: AuthSpec | None, catalog: Catalog, mask: str) -> Any:
    """An ``auth`` object: params judged by ``spec``, other members by name."""
    if not isinstance(auth, dict):
        return mask
    out = {key: redact_body(item, catalog, mask) for key, item in auth.items() if key != "params"}
    if "params" in auth:
        out["params"] = _redact_params(auth["params"], spec, catalog, mask)
    return out


def _redact_params(params: Any, spec: AuthSpec | None, catalog: Catalog, mask: str) -> Any:
    if not isinstance(params, dict):
        return mask
    return {
        key: redact_body(item, catalog, mask) if _public(spec, key) else mask
        for key, item in params.items()
    }


def _public(spec: AuthSpec | None, key: str) -> bool:
    return spec is not None and key in spec.param_names and key not in spec.secret_params


def create_auth_spec(body: Mapping[str, Any], catalog: Catalog) -> AuthSpec | None:
    """The auth spec a create body names, if it exists."""
    ref, auth = body.get("connectionSpec"), body.get("auth")
    if not isinstance(ref, dict) or not isinstance(auth, dict):
        return None
    return catalog.auth_spec(ref.get("id"), auth.get("specName"))


def redact_create(body: Any, catalog: Catalog, mask: str) -> Any:
    """A ``POST /connections`` body: auth params judged by the auth spec it names."""
    if not isinstance(body, dict):
        return redact_body(body, catalog, mask)
    out = redact_body({k: v for k, v in body.items() if k != "auth"}, catalog, mask)
    if "auth" in body:
        out["auth"] = redact_auth(body["auth"], create_auth_spec(body, catalog), catalog, mask)
    return out


def redact_patch(ops: Any, spec: AuthSpec | None, catalog: Catalog, mask: str) -> Any:
    """A JSON Patch body: values written under ``/auth`` judged by the connection's spec."""
    if not isinstance(ops, list):
        return redact_body(ops, catalog, mask)
    return [_redact_op(op, spec, catalog, mask) for op in ops]


def _redact_op(op: Any, spec: AuthSpec | None, catalog: Catalog, mask: str) -> Any:
    if not isinstance(op, dict):
        return redact_body(op, catalog, mask)
    out = redact_body({k: v for k, v in op.items() if k != "value"}, catalog, mask)
    if "value" in op:
        out["value"] = _redact_value(op.get("path"), op["value"], spec, catalog, mask)
    return out


def _redact_value(path: Any, value: Any, spec: AuthSpec | None, catalog: Catalog, mask: str) -> Any:
    if not isinstance(path, str):
        return mask
    tokens = decode_pointer(path)
    if tokens is None:
        return mask
    lowered = [token.lower() for token in tokens[:2]]
    if not lowered or lowered[0] != "auth":
        return redact_body(value, catalog, mask)
    if len(tokens) == 1:
        return redact_auth(value, spec, catalog, mask)
    if lowered[1] == "specname" and len(tokens) == 2:
        return redact_body(value, catalog, mask)
    if lowered[1] != "params":
        return mask
    if len(tokens) == 2:
        return _redact_params(value, spec, catalog, mask)
    if len(tokens) == 3 and _public(spec, tokens[2]):
        return redact_body(value, catalog, mask)
    return mask
