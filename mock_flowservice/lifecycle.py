"""Sources whose connections the service completes itself (FACTS C.1): one table, as data.

* **HTTP API streaming** (``bc7b00d6-…``, ``Streaming Connection``): the connection reads back
  with ``inletId`` and ``inletUrl`` (``https://dcs.adobedc.net/collection/{inletId}``), the
  address data is streamed to, and ``authenticationRequired`` (false unless sent).
* **Salesforce, JWT** (``cfc0fee1-…``, ``OAuth2 JWT Token Credential``, the AWS-hosted
  connection): it starts ``initializing`` with no ``version``/``etag`` yet, gains the Salesforce
  ``orgId`` the service looks up, and becomes ``enabled`` once ``initializing_seconds`` of the
  mock's clock have passed (materialised when connections are read).

No other documented source shows server-set params or a lifecycle beyond draft → enabled; the
streaming sources (Kinesis, Event Hubs, Pub/Sub) return their connections as sent. Server-set
params are the service's: a create or PATCH that sets them is refused like any undeclared
param, and a PATCH keeps them as they are.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

__all__ = [
    "HTTP_API_SPEC_ID",
    "INITIALIZING",
    "SALESFORCE_SPEC_ID",
    "Lifecycle",
    "lifecycle_of",
    "server_set_params",
]

HTTP_API_SPEC_ID = "bc7b00d6-623a-4dfc-9fdb-f1240aeadaeb"
SALESFORCE_SPEC_ID = "cfc0fee1-7dc0-40ef-b73e-d8b134c436f5"
INITIALIZING = "initializing"
#: Where streaming data is sent (the host of the documented inlet URLs).
INLET_BASE = "https://dcs.adobedc.net/collection/"


def _digest(connection_id: str, purpose: str) -> str:
    return hashlib.sha256(f"{purpose}/{connection_id}".encode()).hexdigest()


def _inlet(connection_id: str, params: Mapping[str, Any]) -> dict[str, Any]:
    inlet = _digest(connection_id, "inlet")[:64]
    added: dict[str, Any] = {"inletId": inlet, "inletUrl": INLET_BASE + inlet}
    if "authenticationRequired" not in params:
        added["authenticationRequired"] = False
    return added


def _salesforce_org(connection_id: str, params: Mapping[str, Any]) -> dict[str, Any]:
    """A Salesforce org id: ``00D`` and 15 characters, stable for the connection."""
    return {"orgId": "00D" + _digest(connection_id, "sfdc-org")[:15].upper()}


@dataclass(frozen=True)
class Lifecycle:
    """What the service adds to a new connection, and whether it starts initializing."""

    #: Params the service adds, from the connection id and the params sent.
    adds: Callable[[str, Mapping[str, Any]], dict[str, Any]]
    #: The names ``adds`` may set (kept on PATCH, refused when a client sends them).
    names: frozenset[str]
    starts_initializing: bool = False


_LIFECYCLES: dict[tuple[str, str], Lifecycle] = {
    (HTTP_API_SPEC_ID, "Streaming Connection"): Lifecycle(
        _inlet, frozenset({"inletId", "inletUrl"})
    ),
    (SALESFORCE_SPEC_ID, "OAuth2 JWT Token Credential"): Lifecycle(
        _salesforce_org, frozenset({"orgId"}), starts_initializing=True
    ),
}


def lifecycle_of(spec_id: str, auth_spec: str) -> Lifecycle | None:
    """The lifecycle of connections of that spec and auth spec, if the service completes them."""
    return _LIFECYCLES.get((spec_id.lower(), auth_spec))


def server_set_params(spec_id: str, auth_spec: str) -> frozenset[str]:
    """Param names the service sets on such connections (empty for most sources)."""
    found = lifecycle_of(spec_id, auth_spec)
    return found.names if found else frozenset()
