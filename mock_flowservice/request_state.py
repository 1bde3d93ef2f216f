"""What one request carries from hook to hook, owned by this module alone.

One typed :class:`RequestState` lives on ``flask.g`` for each request (as flaskr's ``db.py``
owns its ``g`` attribute): the app's first hook :func:`begin`\\ s it, the gateway sets the
tenant and the caller, the JSON decoder keeps the decoded body, the fault hook notes the rule
that fired. Every other module reads it through :func:`state`.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

from flask import g

from .model import Caller, Tenant

__all__ = ["UNPARSED", "RequestState", "begin", "request_id", "state"]

_KEY = "flowservice_request"
#: The body was not decoded by a view (``None`` is a decoded JSON ``null``).
UNPARSED: Any = object()


@dataclass
class RequestState:
    """The request's id, its clock, who is asking and what happened to it so far."""

    request_id: str
    started: float = field(default_factory=time.perf_counter)
    tenant: Tenant | None = None
    caller: Caller | None = None
    body: Any = UNPARSED
    fault_rule: str | None = None
    dropped: bool = False

    @property
    def who(self) -> tuple[Tenant, Caller]:
        """Tenant and caller, which the gateway set before any Flow Service view runs."""
        assert self.tenant is not None, "gateway did not run"
        assert self.caller is not None, "gateway did not run"
        return self.tenant, self.caller


def begin(request_id: str) -> RequestState:
    """Start the state of the current request."""
    current = RequestState(request_id)
    setattr(g, _KEY, current)
    return current


def request_id() -> str:
    """The current request's id, or "" before :func:`begin` (errors and logs use it)."""
    current: RequestState | None = g.get(_KEY)
    return current.request_id if current is not None else ""


def state() -> RequestState:
    """The current request's state (a request that skipped :func:`begin` gets a blank one)."""
    current: RequestState | None = g.get(_KEY)
    return current if current is not None else begin("")
