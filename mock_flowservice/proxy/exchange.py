"""One proxied exchange, and the redacted form every output (report, recording, log) uses.

Redaction is the control plane's (:mod:`mock_flowservice.control.recorder` and
:mod:`~mock_flowservice.control.redaction`): a request body is masked as the journal masks it
(create bodies judged by their auth spec, PATCH bodies by the connection's, everything else by
member name), an answer body like a create body per object (so public auth params stay
readable), the query string by name. Headers that carry credentials (``Authorization``,
cookies, anything named like a token or secret) are removed, not masked.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl

from ..control.recorder import Exchange, Redactor, recorded_body
from ..control.redaction import redact_create, redact_headers, redact_query
from ..errors import MockError
from ..validation import parse_json
from .forward import Answer, decoded_body, end_to_end

__all__ = ["ProxiedExchange", "json_of", "public_headers", "redacted_answer"]


def public_headers(headers: Sequence[tuple[str, str]]) -> dict[str, str]:
    """The headers that carry no credential (the others dropped, not masked)."""
    masked = redact_headers(headers)
    return {name: value for name, value in headers if masked.get(name) == value}


def json_of(data: bytes, media: str, max_depth: int) -> Any:
    """A JSON body decoded (None when it is empty, not JSON or too deep)."""
    if not data or "json" not in media:
        return None
    try:
        return parse_json(data, max_depth)
    except MockError:
        return None


def redacted_answer(body: Any, redactor: Redactor) -> Any:
    """An answer's JSON with secrets masked: each object (and each of ``items``) judged as a
    create body is, by the auth spec it names."""
    catalog, mask = redactor.catalog, redactor.mask
    if isinstance(body, dict) and isinstance(body.get("items"), list):
        rest = redact_create({k: v for k, v in body.items() if k != "items"}, catalog, mask)
        return {**rest, "items": [redact_create(item, catalog, mask) for item in body["items"]]}
    return redact_create(body, catalog, mask)


@dataclass(frozen=True)
class ProxiedExchange:
    """What the proxy saw of one request and the upstream's answer."""

    method: str
    path: str
    query: str
    headers: tuple[tuple[str, str], ...]
    body: bytes
    answer: Answer
    duration_ms: float

    @property
    def media(self) -> str:
        found = next((v for k, v in self.headers if k.lower() == "content-type"), "")
        return found.partition(";")[0].strip().lower()

    @property
    def query_pairs(self) -> list[tuple[str, str]]:
        return parse_qsl(self.query, keep_blank_values=True)

    def request_json(self, max_depth: int) -> Any:
        return json_of(self.body, self.media, max_depth)

    def answer_json(self, max_depth: int) -> Any:
        media = (self.answer.header("content-type") or "").partition(";")[0].strip().lower()
        return json_of(decoded_body(self.answer), media, max_depth)

    def redacted_request(self, redactor: Redactor, base_path: str) -> dict[str, Any]:
        """The request as outputs keep it: method, path, query, headers, body; no secret."""
        below = self.path.startswith(base_path + "/")
        view = Exchange(
            method=self.method,
            path=self.path,
            api_path=self.path[len(base_path) :] if below else None,
            query=self.query_pairs,
            headers=self.headers,
            body=self.body,
            mimetype=self.media,
            request_id="",
            status=self.answer.status,
            duration_ms=self.duration_ms,
        )
        return {
            "method": self.method,
            "path": self.path,
            "query": redact_query(self.query_pairs, redactor.catalog, redactor.mask),
            "headers": public_headers(end_to_end(self.headers)),
            "body": recorded_body(view, redactor),
            "bodySize": len(self.body),
        }

    def redacted_response(self, redactor: Redactor) -> dict[str, Any]:
        """The answer as outputs keep it: status, public headers, JSON body masked."""
        return {
            "status": self.answer.status,
            "headers": public_headers(end_to_end(self.answer.headers)),
            "body": redacted_answer(self.answer_json(redactor.max_depth), redactor),
            "bodySize": len(self.answer.body),
        }
