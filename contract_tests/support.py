"""Shared pieces of the contract suite: unique names, cleanup, the fetched catalog, assertions.

Nothing here imports the mock: the catalog comes from ``list_connection_specs()`` and every
request goes through :class:`flowservice_client.FlowServiceClient` or its session.
"""

from __future__ import annotations

import contextlib
import itertools
import uuid
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

import pytest
import requests
from flowservice_client import (
    AuthSpec,
    Connection,
    ConnectionSpec,
    CreatedRef,
    FlowServiceClient,
    HTTPError,
    NotFoundError,
)

from .report import Recorder

__all__ = [
    "DELETERS",
    "NAME_PREFIX",
    "AuthChoice",
    "Catalog",
    "Cleanup",
    "Lake",
    "Names",
    "RawRequester",
    "assert_read_back",
    "create_from_body",
    "error_code_of",
    "expect_http_error",
]

NAME_PREFIX = "mfs-contract-"


@dataclass(frozen=True)
class Lake:
    """The Data Lake dataset and XDM schema that pipeline tests' target connections name."""

    dataset_id: str
    schema_id: str


class Names:
    """Unique resource names ``mfs-contract-<run uuid8>-<n>``; one instance per run."""

    def __init__(self) -> None:
        self.run = uuid.uuid4().hex[:8]
        self.prefix = f"{NAME_PREFIX}{self.run}"
        self._counter = itertools.count(1)

    def next(self, tag: str = "c") -> str:
        return f"{self.prefix}-{tag}{next(self._counter):05d}"


#: How :class:`Cleanup` deletes each kind of object it tracks.
DELETERS = {
    "connections": FlowServiceClient.delete_connection,
    "sourceConnections": FlowServiceClient.delete_source_connection,
    "targetConnections": FlowServiceClient.delete_target_connection,
    "flows": FlowServiceClient.delete_flow,
}


@dataclass
class Cleanup:
    """Every object a test created; :meth:`delete_all` removes them, newest first, so flows go
    before the connections they use (404 is fine)."""

    client: FlowServiceClient
    recorder: Recorder | None = None
    ids: list[str] = field(default_factory=list)
    kinds: dict[str, str] = field(default_factory=dict)

    def track(self, record_id: str, kind: str = "connections") -> str:
        self.ids.append(record_id)
        self.kinds[record_id] = kind
        if self.recorder is not None:
            self.recorder.created.append(record_id)
        return record_id

    def forget(self, record_id: str) -> None:
        """The test deleted it itself."""
        if record_id in self.ids:
            self.ids.remove(record_id)
            if self.recorder is not None:
                self.recorder.deleted += 1

    def delete_all(self) -> None:
        guard = self.recorder.cleaning_up() if self.recorder else contextlib.nullcontext()
        with guard:
            while self.ids:
                record_id = self.ids.pop()
                self._delete(record_id, self.kinds.pop(record_id, "connections"))

    def _delete(self, record_id: str, kind: str) -> None:
        try:
            DELETERS[kind](self.client, record_id)
        except NotFoundError:
            pass
        except Exception as exc:  # keep deleting the others; the report lists the leak
            if self.recorder is not None:
                self.recorder.leaked.append({"id": record_id, "kind": kind, "error": repr(exc)})
            return
        if self.recorder is not None:
            self.recorder.deleted += 1

    @contextlib.contextmanager
    def scope(self) -> Iterator[Cleanup]:
        """A nested registry for one hypothesis example, emptied when the example ends."""
        inner = Cleanup(self.client, self.recorder)
        try:
            yield inner
        finally:
            inner.delete_all()


@dataclass(frozen=True)
class AuthChoice:
    """One (connection spec, auth spec) pair a connection can be created with."""

    spec: ConnectionSpec
    auth: AuthSpec

    def __repr__(self) -> str:
        return f"AuthChoice({self.label!r})"

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:
        """Hypothesis prints dataclasses field by field; the spec's raw JSON is too large."""
        printer.text(repr(self))

    @property
    def properties(self) -> Mapping[str, Any]:
        schema = self.auth.raw.get("spec")
        props = schema.get("properties") if isinstance(schema, Mapping) else None
        return props if isinstance(props, Mapping) else {}

    @property
    def label(self) -> str:
        return f"{self.spec.name} / {self.auth.name}"


@dataclass(frozen=True)
class Catalog:
    """The connection specs as the target serves them (fetched once per session)."""

    specs: tuple[ConnectionSpec, ...]

    def __repr__(self) -> str:
        return f"Catalog(<{len(self.specs)} specs, {len(self.choices)} auth specs>)"

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:
        """Short: hypothesis prints the fixtures of every falsifying example."""
        printer.text(repr(self))

    @property
    def choices(self) -> tuple[AuthChoice, ...]:
        return tuple(AuthChoice(s, a) for s in self.specs for a in s.auth_specs)

    @property
    def spec_ids(self) -> frozenset[str]:
        return frozenset(s.id.lower() for s in self.specs)

    @property
    def secret_params(self) -> frozenset[str]:
        return frozenset(p for c in self.choices for p in c.auth.secret_params)


def assert_read_back(conn: Connection, body: Mapping[str, Any], choice: AuthChoice) -> None:
    """The create ``body`` comes back; secret keys are present and never the sent value.

    Keys the service adds to ``auth.params`` (``inletUrl`` for streaming) are allowed.
    """
    assert conn.name == body["name"]
    assert conn.description == body.get("description")
    assert conn.connection_spec is not None
    assert conn.connection_spec.id.lower() == choice.spec.id.lower()
    assert conn.auth is not None
    assert conn.auth.spec_name == choice.auth.name
    params = dict(conn.auth.params)
    for key, value in body["auth"]["params"].items():
        assert key in params, f"param {key} missing on read"
        if key in choice.auth.secret_params:
            assert params[key] != value, f"secret param {key} is readable"
        else:
            assert params[key] == value, f"param {key} changed on read"


def expect_http_error(
    exc: pytest.ExceptionInfo[HTTPError], status: int, code: str | None = None
) -> None:
    """The typed error has the documented status and, when given, the documented code."""
    error = exc.value
    assert error.status == status, f"expected HTTP {status}, got {error.status} ({error.code})"
    if code is not None:
        assert error.code == code, f"expected {code}, got {error.code}"


@dataclass
class RawRequester:
    """Requests the client cannot send (bad JSON, missing headers) on the client's session."""

    client: FlowServiceClient
    headers: Mapping[str, str]

    def send(
        self,
        method: str,
        path: str,
        *,
        data: bytes | None = None,
        drop: tuple[str, ...] = (),
        params: Mapping[str, str] | None = None,
    ) -> requests.Response:
        headers = {k: v for k, v in self.headers.items() if k.lower() not in _lower(drop)}
        return self.client.session.request(
            method,
            self.client.base_url + path,
            data=data,
            headers=headers,
            params=params,
            timeout=30,
        )


def _lower(names: tuple[str, ...]) -> set[str]:
    return {name.lower() for name in names}


def create_from_body(client: FlowServiceClient, body: Mapping[str, Any]) -> CreatedRef:
    """``POST /connections`` of a request body, via ``FlowServiceClient.create_connection``."""
    spec = body["connectionSpec"]
    auth = body["auth"]
    return client.create_connection(
        body["name"],
        spec["id"],
        auth["specName"],
        auth["params"],
        description=body.get("description"),
        version=spec.get("version") or "1.0",
    )


def error_code_of(response: requests.Response) -> str | None:
    """The API's error code of a raw error response (the client's rule, FACTS B.2/B.3)."""
    try:
        body = response.json()
    except ValueError:
        return None
    if not isinstance(body, dict):
        return None
    kind = body.get("type")
    if isinstance(kind, str) and "/FLOW-" in kind:
        return kind.rsplit("/", 1)[-1]
    code = body.get("error_code")
    return None if code is None else str(code)
