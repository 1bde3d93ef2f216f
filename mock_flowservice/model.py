"""Records as the store keeps them, and how they read back as JSON (FACTS C.1).

Records are immutable: an update builds a new record with :func:`dataclasses.replace`, so the
store can hand out references without copying. Each has a JSON form for a state file
(:meth:`Connection.to_state` / :meth:`Connection.from_state`). Secret params stay in the record
(a mock must keep what it was given) and are masked on every way out (:meth:`Connection.to_json`).
"""

from __future__ import annotations

import dataclasses
import secrets
import time
import uuid
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, NamedTuple, Self

__all__ = [
    "Caller",
    "Connection",
    "Document",
    "Tenant",
    "audit_fields",
    "etag_value",
    "new_etag",
    "now_ms",
    "sandbox_id",
]

_SANDBOX_NAMESPACE = uuid.UUID("6b36e130-c5d7-11e9-949c-0da8d50fcac1")


class Tenant(NamedTuple):
    """What isolates connections: the IMS org and the sandbox."""

    org: str
    sandbox: str


class Caller(NamedTuple):
    """Who made a request, as the audit fields record it."""

    user: str
    client: str


def now_ms() -> int:
    """Epoch milliseconds, the unit of ``createdAt``/``updatedAt``."""
    return time.time_ns() // 1_000_000


def etag_value(etag: str) -> str:
    """An etag compared without its surrounding quotes (GAPS C2): ``"abc"`` is ``abc``."""
    etag = etag.strip()
    if len(etag) >= 2 and etag[0] == etag[-1] == '"':
        return etag[1:-1]
    return etag


def new_etag(previous: str | None = None) -> str:
    """A quoted Cosmos-style etag ``"xxxxxxxx-0000-0200-0000-tttttttt0000"`` (FACTS C.1).

    The last group carries the hex Unix time; the first is random and never repeats
    ``previous``, so every change yields a new etag even within one second.
    """
    stamp = f"{int(time.time()):08x}"
    while True:
        etag = f'"{secrets.token_hex(4)}-0000-0200-0000-{stamp}0000"'
        if etag != previous:
            return etag


@lru_cache(maxsize=4096)
def sandbox_id(tenant: Tenant) -> str:
    """A stable id for a sandbox name within an org (cached: every read renders it)."""
    return str(uuid.uuid5(_SANDBOX_NAMESPACE, f"{tenant.org}/{tenant.sandbox}"))


@dataclass(frozen=True)
class Connection:
    """One base connection as the store keeps it."""

    id: str
    tenant: Tenant
    name: str
    spec_id: str
    spec_version: str
    auth_spec: str
    params: dict[str, Any]
    secret_keys: frozenset[str]
    created_at: int
    updated_at: int
    created_by: Caller
    updated_by: Caller
    etag: str
    description: str | None = None
    state: str = "enabled"
    last_operation: str = "create"
    #: What ``GET /connections/{id}/test`` answers (the control API can make it fail).
    test_result: bool = True
    #: Order of creation within the store (the default listing order).
    seq: int = field(default=0, compare=False)

    def with_seq(self, seq: int) -> Self:
        return dataclasses.replace(self, seq=seq)

    def touched(self, caller: Caller, **changes: Any) -> Self:
        """A copy with new audit fields and etag, plus ``changes``."""
        return dataclasses.replace(
            self, updated_at=now_ms(), updated_by=caller, etag=new_etag(self.etag), **changes
        )

    def to_state(self) -> dict[str, Any]:
        """The record's fields as JSON (``seq`` is the store's, not stored)."""
        state = {name: getattr(self, name) for name in _CONNECTION_FIELDS if name != "seq"}
        state["secret_keys"] = sorted(self.secret_keys)
        return state  # NamedTuples (tenant, callers) become JSON arrays

    @classmethod
    def from_state(cls, seq: int, state: dict[str, Any]) -> Connection:
        """A record from :meth:`to_state`'s JSON (fields a newer release added default)."""
        values = {name: value for name, value in state.items() if name in _CONNECTION_FIELDS}
        values.pop("seq", None)
        values["tenant"] = Tenant(*values["tenant"])
        values["created_by"] = Caller(*values["created_by"])
        values["updated_by"] = Caller(*values["updated_by"])
        values["secret_keys"] = frozenset(values["secret_keys"])
        return cls(**values, seq=seq)

    def to_json(self, secret_mask: str) -> dict[str, Any]:
        """The connection object as Flow Service returns it, secrets masked."""
        params = {
            key: (secret_mask if key in self.secret_keys else value)
            for key, value in self.params.items()
        }
        body: dict[str, Any] = {
            **audit_fields(self),
            "name": self.name,
            "connectionSpec": {"id": self.spec_id, "version": self.spec_version},
            "state": self.state,
            "auth": {"specName": self.auth_spec, "params": params},
            "version": self.etag,
            "etag": self.etag,
            "lastOperation": {
                "started": 0,
                "updated": 0,
                "operation": self.last_operation,
            },
        }
        if self.description is not None:
            body["description"] = self.description
        if self.state == "initializing":  # no version or etag until it is enabled (FACTS C.1)
            del body["version"], body["etag"]
        return body


_CONNECTION_FIELDS = frozenset(f.name for f in dataclasses.fields(Connection))


def audit_fields(record: Connection | Document) -> dict[str, Any]:
    """The identity, audit and scope fields every Flow Service object starts with."""
    return {
        "id": record.id,
        "createdAt": record.created_at,
        "updatedAt": record.updated_at,
        "createdBy": record.created_by.user,
        "updatedBy": record.updated_by.user,
        "createdClient": record.created_by.client,
        "updatedClient": record.updated_by.client,
        "sandboxId": sandbox_id(record.tenant),
        "sandboxName": record.tenant.sandbox,
        "imsOrgId": record.tenant.org,
    }


@dataclass(frozen=True)
class Document:
    """A pipeline object (source or target connection, flow, run, authored spec).

    ``fields`` holds the resource's own members as a JSON object, served as they are after the
    audit block; the engine's state and the last operation are kept apart. Unlike base
    connections these objects carry no auth params, so nothing in them is masked on read
    (the journal still masks secret-sounding names).
    """

    id: str
    tenant: Tenant
    created_at: int
    updated_at: int
    created_by: Caller
    updated_by: Caller
    etag: str
    fields: dict[str, Any]
    state: str = "enabled"
    last_operation: str = "create"
    #: When the last operation started (epoch ms); 0 for a record never changed.
    operation_started: int = 0
    seq: int = field(default=0, compare=False)

    def with_seq(self, seq: int) -> Self:
        return dataclasses.replace(self, seq=seq)

    def touched(self, caller: Caller, **changes: Any) -> Self:
        """A copy with new audit fields and etag, plus ``changes``."""
        stamp = now_ms()
        return dataclasses.replace(
            self,
            updated_at=stamp,
            updated_by=caller,
            etag=new_etag(self.etag),
            operation_started=stamp,
            **changes,
        )

    def to_state(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in _DOCUMENT_FIELDS if name != "seq"}

    @classmethod
    def from_state(cls, seq: int, state: dict[str, Any]) -> Document:
        values = {name: value for name, value in state.items() if name in _DOCUMENT_FIELDS}
        values.pop("seq", None)
        values["tenant"] = Tenant(*values["tenant"])
        values["created_by"] = Caller(*values["created_by"])
        values["updated_by"] = Caller(*values["updated_by"])
        return cls(**values, seq=seq)

    def to_json(self, secret_mask: str = "", *, with_state: bool = True) -> dict[str, Any]:
        """The object as Flow Service returns it: audit block, own fields, version and etag."""
        body: dict[str, Any] = {**audit_fields(self), **self.fields}
        if with_state:
            body["state"] = self.state
        body["version"] = self.etag
        body["etag"] = self.etag
        body["lastOperation"] = {
            "started": self.operation_started or self.created_at,
            "updated": 0 if self.updated_at == self.created_at else self.updated_at,
            "operation": self.last_operation,
        }
        return body


_DOCUMENT_FIELDS = frozenset(f.name for f in dataclasses.fields(Document))
