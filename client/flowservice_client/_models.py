"""Typed, immutable views of the API's JSON bodies.

Each result keeps the whole body it was built from on ``.raw`` (left out of ``repr`` and
equality), so a field the dataclass does not name is still reachable. Auth params are shown in
``repr`` by key only: a base connection carries credentials.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from ._errors import DecodingError

__all__ = [
    "AuthInfo",
    "AuthSpec",
    "Connection",
    "ConnectionPage",
    "ConnectionSpec",
    "ConnectionSpecRef",
    "CreatedRef",
]

JSONObject = Mapping[str, Any]


def _str(data: JSONObject, key: str) -> str | None:
    value = data.get(key)
    return value if isinstance(value, str) else None


def _int(data: JSONObject, key: str) -> int | None:
    value = data.get(key)
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _obj(data: JSONObject, key: str) -> JSONObject:
    value = data.get(key)
    return value if isinstance(value, Mapping) else {}


def _is_secret(schema: Any) -> bool:
    return isinstance(schema, Mapping) and schema.get("format") == "password"


def _require_id(data: Any, what: str) -> str:
    if not isinstance(data, Mapping) or not isinstance(data.get("id"), str):
        raise DecodingError(f"expected a {what} object with a string 'id'")
    return str(data["id"])


@dataclass(frozen=True)
class CreatedRef:
    """``{"id", "etag"}`` as returned by create, patch and action calls."""

    id: str
    etag: str | None
    raw: JSONObject = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def from_dict(cls, data: Any) -> CreatedRef:
        return cls(id=_require_id(data, "created"), etag=_str(data, "etag"), raw=data)


@dataclass(frozen=True)
class ConnectionSpecRef:
    """The ``connectionSpec`` member of a connection: ``{"id", "version"}``."""

    id: str
    version: str | None = None


@dataclass(frozen=True)
class AuthInfo:
    """The ``auth`` member of a connection. ``repr`` lists param names, never values."""

    spec_name: str | None
    params: JSONObject = field(default_factory=dict, compare=False)

    def __repr__(self) -> str:
        return f"AuthInfo(spec_name={self.spec_name!r}, params=<{', '.join(sorted(self.params))}>)"


@dataclass(frozen=True)
class Connection:
    """A base connection, as ``GET /connections/{id}`` returns it."""

    id: str
    name: str | None
    description: str | None
    state: str | None
    connection_spec: ConnectionSpecRef | None
    auth: AuthInfo | None
    etag: str | None
    created_at: int | None
    updated_at: int | None
    sandbox_name: str | None
    raw: JSONObject = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def from_dict(cls, data: Any) -> Connection:
        conn_id = _require_id(data, "connection")
        spec = _obj(data, "connectionSpec")
        auth = data.get("auth")
        return cls(
            id=conn_id,
            name=_str(data, "name"),
            description=_str(data, "description"),
            state=_str(data, "state"),
            connection_spec=ConnectionSpecRef(spec["id"], _str(spec, "version"))
            if isinstance(spec.get("id"), str)
            else None,
            auth=AuthInfo(_str(auth, "specName"), _obj(auth, "params"))
            if isinstance(auth, Mapping)
            else None,
            etag=_str(data, "etag") or _str(data, "version"),
            created_at=_int(data, "createdAt"),
            updated_at=_int(data, "updatedAt"),
            sandbox_name=_str(data, "sandboxName"),
            raw=data,
        )


@dataclass(frozen=True)
class ConnectionPage:
    """One page of a listing, with the raw ``_links.next.href`` when more pages exist."""

    items: tuple[Connection, ...]
    next_href: str | None
    raw: JSONObject = field(default_factory=dict, repr=False, compare=False)


@dataclass(frozen=True)
class AuthSpec:
    """One ``authSpec`` entry of a connection spec."""

    name: str
    type: str | None
    required: tuple[str, ...]
    secret_params: tuple[str, ...]
    raw: JSONObject = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def from_dict(cls, data: JSONObject) -> AuthSpec:
        schema = _obj(data, "spec")
        props = _obj(schema, "properties")
        required = schema.get("required")
        return cls(
            name=str(data.get("name", "")),
            type=_str(data, "type"),
            required=tuple(str(r) for r in required) if isinstance(required, list) else (),
            secret_params=tuple(k for k, v in props.items() if _is_secret(v)),
            raw=data,
        )


@dataclass(frozen=True)
class ConnectionSpec:
    """A connection spec, as ``GET /connectionSpecs/{id}`` returns it."""

    id: str
    name: str | None
    provider_id: str | None
    version: str | None
    auth_specs: tuple[AuthSpec, ...]
    attributes: JSONObject = field(default_factory=dict, repr=False, compare=False)
    raw: JSONObject = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def from_dict(cls, data: Any) -> ConnectionSpec:
        spec_id = _require_id(data, "connection spec")
        auth = data.get("authSpec")
        entries: Sequence[Any] = auth if isinstance(auth, list) else []
        return cls(
            id=spec_id,
            name=_str(data, "name"),
            provider_id=_str(data, "providerId"),
            version=_str(data, "version"),
            auth_specs=tuple(AuthSpec.from_dict(a) for a in entries if isinstance(a, Mapping)),
            attributes=_obj(data, "attributes"),
            raw=data,
        )

    def auth_spec(self, name: str) -> AuthSpec:
        """The auth spec called ``name``; ``KeyError`` when the spec has none by that name."""
        for spec in self.auth_specs:
            if spec.name == name:
                return spec
        raise KeyError(name)
