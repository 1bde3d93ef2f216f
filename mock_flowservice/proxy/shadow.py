"""The shadow: an in-process mock the proxy replays every exchange on, kept in step.

The shadow is ``create_app`` with the proxy's settings (any bearer token accepted, the control
API off) and a Flask test client. For each exchange the upstream answered:

1. objects the upstream returned that the shadow does not hold (a read or a search of
   ``connections``, ``sourceConnections``, ``targetConnections`` or ``flows``) are adopted into
   its store first, with the upstream's ids, etags and audit fields: base connections as
   ``POST /__mock__/seed`` loads them (:func:`~.seeding.connection_from_object`),
   pipeline objects as their documents;
2. the request is replayed on the shadow with the caller's headers and body;
3. what the upstream created is re-keyed: the shadow's new object takes the upstream's id and
   etag, and an object both changed takes the upstream's new etag, so the caller's later
   requests (which name the upstream's ids and send its etags in ``If-Match``) find it.

A request on one object the shadow could not adopt (a PATCH of an object created before the
proxy ran) is not compared: :meth:`Shadow.replay` answers None with the reason.
"""

from __future__ import annotations

import dataclasses
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ..app import create_app
from ..config import MockConfig
from ..context import MockContext, of_app
from ..control.seeding import connection_from_object
from ..errors import MockError
from ..model import Caller, Document, Tenant
from ..validation import parse_json
from .exchange import ProxiedExchange
from .forward import end_to_end
from .operations import Operation

__all__ = ["Shadow", "ShadowAnswer"]

ADOPTED_KINDS = frozenset({"connections", "sourceConnections", "targetConnections", "flows"})
_AUDIT = frozenset(
    {"id", "createdAt", "updatedAt", "createdBy", "updatedBy", "createdClient", "updatedClient",
     "sandboxId", "sandboxName", "imsOrgId", "version", "etag", "lastOperation", "state"}
)  # fmt: skip


@dataclass(frozen=True)
class ShadowAnswer:
    """The shadow's answer (status and decoded JSON), or why there is none."""

    status: int
    body: Any
    skipped: str | None = None


class Shadow:
    """An in-process mock kept in step with the upstream (one exchange at a time)."""

    def __init__(self, settings: Mapping[str, Any] | MockConfig | None = None) -> None:
        config = dataclasses.replace(
            MockConfig.from_mapping(settings),
            token_policy="any",
            strict=False,
            ims_clients=None,
            api_keys=None,
            control_api="off",
            state_path=None,
            known_sandboxes=None,
        )
        self.app = create_app(config)
        self.context: MockContext = of_app(self.app)
        self._client = self.app.test_client()
        self._lock = threading.Lock()

    @property
    def base_path(self) -> str:
        return self.context.config.base_path

    def replay(
        self, exchange: ProxiedExchange, op: Operation | None, upstream: Any
    ) -> ShadowAnswer:
        """Adopt, replay, re-key; the shadow's answer to the same request."""
        with self._lock:
            return self._replay(exchange, op, upstream)

    def _replay(
        self, exchange: ProxiedExchange, op: Operation | None, upstream: Any
    ) -> ShadowAnswer:
        tenant = self._tenant(exchange.headers)
        kind, object_id = self._target(exchange.path)
        ok = 200 <= exchange.answer.status < 300
        if ok and kind in ADOPTED_KINDS and isinstance(upstream, dict) and tenant is not None:
            for item in upstream.get("items") or []:
                self._adopt(kind, tenant, item)
        store = self.context.store
        if (
            ok
            and object_id
            and kind in ADOPTED_KINDS
            and tenant is not None
            and store.get(kind, tenant, object_id) is None
            and exchange.method != "GET"
        ):
            return ShadowAnswer(0, None, f"the shadow never saw {kind}/{object_id}")
        response = self._client.open(
            exchange.path,
            method=exchange.method,
            query_string=exchange.query,
            headers=[(k, v) for k, v in end_to_end(exchange.headers)],
            data=exchange.body,
        )
        body = _json(response.get_data(), self.context.config.max_json_depth)
        if ok and 200 <= response.status_code < 300 and tenant is not None and kind:
            self._rekey(kind, tenant, object_id, exchange, upstream, body)
        return ShadowAnswer(response.status_code, body)

    def _tenant(self, headers: tuple[tuple[str, str], ...]) -> Tenant | None:
        named = {k.lower(): v for k, v in headers}
        org = named.get("x-gw-ims-org-id")
        sandbox = named.get("x-sandbox-name") or self.context.config.default_sandbox
        return Tenant(org, sandbox) if org else None

    def _target(self, path: str) -> tuple[str, str | None]:
        if not path.startswith(self.base_path + "/"):
            return "", None
        parts = path[len(self.base_path) + 1 :].strip("/").split("/")
        object_id = parts[1] if len(parts) > 1 and parts[1] != "search" else None
        return parts[0], object_id

    def _adopt(self, kind: str, tenant: Tenant, item: Any) -> None:
        store = self.context.store
        if not isinstance(item, dict) or not isinstance(item.get("id"), str):
            return
        if store.get(kind, tenant, item["id"]) is not None:
            return
        try:
            record = self._record(kind, tenant, item)
        except (MockError, TypeError, ValueError):
            return  # not adoptable: the exchange is still compared, the object is missing
        store.load(kind, [record])

    def _record(self, kind: str, tenant: Tenant, item: dict[str, Any]) -> Any:
        if kind == "connections":
            seeded = {**item, "imsOrgId": tenant.org, "sandboxName": tenant.sandbox}
            return connection_from_object(seeded, self.context.catalog, self.context.config)
        created, updated = int(item.get("createdAt") or 0), int(item.get("updatedAt") or 0)
        last = item.get("lastOperation")
        operation: dict[str, Any] = last if isinstance(last, dict) else {}
        return Document(
            id=item["id"],
            tenant=tenant,
            created_at=created,
            updated_at=updated or created,
            created_by=Caller(str(item.get("createdBy", "")), str(item.get("createdClient", ""))),
            updated_by=Caller(str(item.get("updatedBy", "")), str(item.get("updatedClient", ""))),
            etag=str(item.get("etag") or ""),
            fields={k: v for k, v in item.items() if k not in _AUDIT},
            state=str(item.get("state") or "enabled"),
            last_operation=str(operation.get("operation") or "create"),
        )

    def _rekey(
        self,
        kind: str,
        tenant: Tenant,
        object_id: str | None,
        exchange: ProxiedExchange,
        upstream: Any,
        mine: Any,
    ) -> None:
        store = self.context.store
        etag = _etag(upstream) or exchange.answer.header("etag")
        if object_id is None and exchange.method == "POST":
            theirs, ours = _id(upstream), _id(mine)
            if not theirs or not ours or theirs == ours:
                return
            record = store.get(kind, tenant, ours)
            if record is None:
                return
            changes: dict[str, Any] = {"id": theirs, "etag": etag or record.etag}
            if isinstance(getattr(record, "fields", None), dict):  # links such as a flow's runs
                changes["fields"] = _renamed(record.fields, ours, theirs)
            store.delete(kind, tenant, ours)
            store.load(kind, [dataclasses.replace(record, **changes)])
        elif object_id is not None and etag and exchange.method != "DELETE":
            record = store.get(kind, tenant, object_id)
            if record is not None and record.etag != etag:
                store.compare_and_set(
                    kind,
                    tenant,
                    object_id,
                    record.etag,
                    lambda r: dataclasses.replace(r, etag=etag),
                )


def _renamed(value: Any, old: str, new: str) -> Any:
    """A JSON value with ``old`` (an id) replaced by ``new`` in every string."""
    if isinstance(value, str):
        return value.replace(old, new)
    if isinstance(value, list):
        return [_renamed(item, old, new) for item in value]
    if isinstance(value, dict):
        return {key: _renamed(item, old, new) for key, item in value.items()}
    return value


def _json(data: bytes, max_depth: int) -> Any:
    try:
        return parse_json(data, max_depth) if data else None
    except MockError:
        return None


def _id(body: Any) -> str | None:
    value = body.get("id") if isinstance(body, dict) else None
    return value if isinstance(value, str) else None


def _etag(body: Any) -> str | None:
    value = body.get("etag") if isinstance(body, dict) else None
    return value if isinstance(value, str) else None
