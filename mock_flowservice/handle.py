"""What a test holds of a running mock, in-process or over a socket: state, journal, faults.

:class:`MockHandle` is the one implementation of the test-facing calls that
:class:`~mock_flowservice.intercept.Intercept` (``requests`` served in-process) and the socket
server of ``flowservice_fixtures`` (``MockServer``) share, so a test reads the same whichever
target it runs on:

* :meth:`MockHandle.reset` forgets everything: data, issued tokens, the clock, queued run
  outcomes and connection test results (all in the store), the journal and the fault rules.
  The narrower calls stay: :meth:`~MockHandle.reset_state` (the store only),
  :meth:`~MockHandle.clear_journal`, :meth:`~MockHandle.clear_faults`.
* :attr:`~MockHandle.journal`, :meth:`~MockHandle.calls`, :meth:`~MockHandle.assert_called`,
  :meth:`~MockHandle.assert_not_called` read recorded requests as :class:`Call` objects, with
  no secret in them.
* :meth:`~MockHandle.add_fault`, :attr:`~MockHandle.faults`, :meth:`~MockHandle.remove_fault`
  drive the fault rules, with the fields the control API takes; :meth:`~MockHandle.add_override`
  adds a rule that answers a given status, body and headers instead of the mock.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cache, cached_property
from types import TracebackType
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from flask import Flask

from .catalog import Catalog
from .context import MockContext, of_app
from .control.faults import FaultRule
from .control.journal import Entry
from .control.plane import ControlPlane, control_of
from .control.redaction import redact_body
from .model import Caller, Connection, Tenant
from .operations.connections import CONNECTIONS, create_connection
from .storage import Store

if TYPE_CHECKING:
    from urllib3 import HTTPHeaderDict

__all__ = ["Call", "MockHandle", "call_from_entry", "decode_json", "header_dict"]


def decode_json(data: bytes) -> Any:
    """A JSON document, or None when empty or not JSON."""
    if not data:
        return None
    try:
        return json.loads(data.decode("utf-8", "replace"))
    except ValueError:
        return None


@dataclass(frozen=True)
class Call:
    """One recorded request and its answer, secrets masked."""

    method: str
    url: str
    #: The URL path as requested (``/data/foundation/flowservice/connections``).
    path: str
    #: None when a fault rule dropped the connection.
    status: int | None
    #: Request headers, credentials replaced (``Authorization: Bearer ***``); names are
    #: looked up in any case (httpx sends them in lower case).
    headers: Mapping[str, str]
    #: Request body: JSON or form fields, secrets masked; None when empty or neither.
    body: Any
    #: The answer's bytes as the mock sent them (Flow Service routes only: the mock masks
    #: secrets in every answer); decoded on first use of :attr:`response`.
    answer: bytes = field(default=b"", repr=False)
    #: Response body decoded eagerly (IMS answers, whose tokens are masked here; a server's
    #: journal entry's ``response``).
    decoded: Any = field(default=None, repr=False)
    catalog: Catalog | None = field(default=None, repr=False, compare=False)
    mask: str = field(default="********", repr=False)

    @cached_property
    def response(self) -> Any:
        """Response body when JSON (secret-sounding members such as ``access_token`` masked);
        for calls recorded by a server, the journal's ``response`` (None for an answer over
        ``journal_body_bytes``)."""
        if self.catalog is None or not self.answer:
            return self.decoded
        return redact_body(decode_json(self.answer), self.catalog, self.mask)


def header_dict(items: Mapping[str, str] | Iterable[tuple[str, str]]) -> HTTPHeaderDict:
    """Headers as urllib3 holds them, names looked up in any case (urllib3 is imported on
    first use: ``import mock_flowservice`` loads neither it nor ``requests``)."""
    return _header_dict_type()(items)


@cache
def _header_dict_type() -> type[HTTPHeaderDict]:
    from urllib3 import HTTPHeaderDict

    return HTTPHeaderDict


def call_from_entry(origin: str, entry: Entry) -> Call:
    """A :class:`Call` from an entry of an app's journal (already redacted)."""
    query = urlencode(entry.get("query") or {}, doseq=True)
    url = origin + entry["path"] + (f"?{query}" if query else "")
    headers = header_dict(entry["headers"])  # names looked up in any case
    return Call(
        entry["method"],
        url,
        entry["path"],
        entry["status"],
        headers,
        entry["body"],
        decoded=entry.get("response"),
    )


class MockHandle:
    """The test-facing calls on one mock app (subclasses give :attr:`app` and the journal)."""

    app: Flask

    def stop(self) -> None:
        """Stop serving (the end of a ``with`` block calls it)."""
        raise NotImplementedError

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    # -- state ---------------------------------------------------------------------------

    @property
    def context(self) -> MockContext:
        return of_app(self.app)

    @property
    def store(self) -> Store:
        return self.context.store

    @property
    def control(self) -> ControlPlane:
        """The app's journal and fault rules."""
        return control_of(self.app)

    def reset(self) -> None:
        """Forget everything: data, tokens, clock, run outcomes, the journal and fault rules."""
        self.reset_state()
        self.clear_journal()
        self.clear_faults()

    def reset_state(self) -> None:
        """Forget data, issued tokens, the clock and queued run outcomes (journal and faults
        are kept)."""
        self.store.reset()

    def connections(self) -> list[Connection]:
        """Every stored connection of every tenant, in creation order."""
        return list(self.store.everything(CONNECTIONS.kind))

    def create_connection(
        self, body: Mapping[str, Any], *, org_id: str, sandbox: str | None = None
    ) -> Connection:
        """Seed a connection as ``POST /connections`` would create it (validated, no call)."""
        ctx = self.context
        tenant = Tenant(org_id, sandbox or ctx.config.default_sandbox)
        caller = Caller("mock-seed@AdobeID", "mock-seed")
        return create_connection(ctx.store, ctx.catalog, ctx.config, tenant, caller, dict(body))

    # -- faults --------------------------------------------------------------------------

    def add_fault(self, **rule: Any) -> FaultRule:
        """Add a fault rule, fields as the control API takes them (``path="*/connections"``,
        ``status=503``, ``retryAfter=2``, ``drop=True``, ...)."""
        return self.control.faults.add(FaultRule.from_json(rule))

    def add_override(
        self,
        method: str = "*",
        path: str = "*",
        *,
        status: int = 200,
        body: Any = None,
        headers: Mapping[str, str] | None = None,
        query: Mapping[str, str] | None = None,
        json: Any = None,
        times: int | None = None,
    ) -> FaultRule:
        """Answer matching requests with ``status``, ``body`` (JSON) and ``headers`` instead of
        the mock, ``times`` times (None: until removed). ``query`` and ``json`` narrow the match
        to requests with those query values and a JSON body holding that subset."""
        rule: dict[str, Any] = {"method": method, "path": path}
        answer: dict[str, Any] = {"status": status, "headers": dict(headers or {})}
        if body is not None:
            answer["body"] = body
        rule["respond"] = answer
        for key, value in (("query", query), ("json", json), ("count", times)):
            if value is not None:
                rule[key] = value
        return self.add_fault(**rule)

    @property
    def faults(self) -> list[FaultRule]:
        """The fault rules in force, oldest first."""
        return self.control.faults.all()

    def remove_fault(self, rule: FaultRule | str) -> bool:
        """Remove one rule (or its id); False when it was not there (any more)."""
        return self.control.faults.remove(rule.id if isinstance(rule, FaultRule) else rule)

    def clear_faults(self) -> None:
        """Remove every fault rule (state and journal are kept)."""
        self.control.faults.clear()

    # -- journal -------------------------------------------------------------------------

    @property
    def journal(self) -> list[Call]:
        """Every recorded call, oldest first (at most ``config.journal_size``)."""
        raise NotImplementedError

    def clear_journal(self) -> None:
        """Forget the recorded calls (state and faults are kept)."""
        self.control.journal.clear()

    def calls(self, method: str | None = None, path: str | None = None) -> list[Call]:
        """Recorded calls with this method and a path ``re.search``-matching ``path``."""
        return [
            call
            for call in self.journal
            if (method is None or call.method == method.upper())
            and (path is None or re.search(path, call.path))
        ]

    def assert_called(self, method: str, path: str, times: int | None = None) -> list[Call]:
        """Assert a matching call was made (exactly ``times`` times when given)."""
        found = self.calls(method, path)
        if (times is None and not found) or (times is not None and len(found) != times):
            expected = "at least once" if times is None else f"{times} time(s)"
            self._fail(f"expected {method.upper()} {path!r} {expected}, got {len(found)}")
        return found

    def assert_not_called(self, method: str, path: str) -> None:
        """Assert no matching call was made."""
        found = self.calls(method, path)
        if found:
            self._fail(f"expected no {method.upper()} {path!r}, got {len(found)}")

    def _fail(self, message: str) -> None:
        seen = "\n".join(f"  {c.method} {c.path} -> {c.status}" for c in self.journal)
        raise AssertionError(f"{message}; journal:\n{seen or '  (empty)'}")
