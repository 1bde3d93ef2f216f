"""Comparing the upstream's answer with the shadow mock's: what is meant to agree.

Compared: the status, the error code (``FLOW-...`` from ``type``, the gateway's
``error_code``, IMS's ``error``), every member's name and JSON type, and every value except
those two services can never share (:data:`DIFFERENT_BY_NATURE`: ids, etags and versions, times,
the audit fields, request ids, paging links, issued tokens) and the prose of error bodies
(:data:`ERROR_TEXT`, which follows from the code). Lists of objects with an ``id`` are matched by
id (an object only one side holds is not compared: the shadow only knows what it saw); other
lists item by item, their lengths compared. Both answers are compared after redaction, so a
difference never quotes a secret.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from .checks import error_code

__all__ = ["DIFFERENT_BY_NATURE", "ERROR_TEXT", "Difference", "differences"]

DIFFERENT_BY_NATURE = frozenset(
    {"id", "etag", "version", "createdAt", "updatedAt", "createdBy", "updatedBy", "createdClient",
     "updatedClient", "request-id", "requestId", "_links", "access_token", "expires_in", "started",
     "updated"}
)  # fmt: skip
ERROR_TEXT = frozenset(
    {"type", "title", "message", "errorMessage", "errorDetails", "detailed-message",
     "error_description"}
)  # fmt: skip


@dataclass(frozen=True)
class Difference:
    """Where the two answers disagree: kind, JSON path, and each side's (redacted) value."""

    kind: str
    where: str
    upstream: Any
    mock: Any

    def as_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "where": self.where,
            "upstream": self.upstream,
            "mock": self.mock,
        }


def _type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, str):
        return "string"
    return "array" if isinstance(value, list) else "object"


def differences(
    status: tuple[int, int], bodies: tuple[Any, Any], *, error: bool
) -> list[Difference]:
    """Every difference between (upstream, mock) statuses and redacted bodies."""
    found: list[Difference] = []
    if status[0] != status[1]:
        found.append(Difference("status", "status", status[0], status[1]))
    codes = error_code(bodies[0]), error_code(bodies[1])
    if codes[0] != codes[1]:
        found.append(Difference("error-code", "code", codes[0], codes[1]))
    skip = DIFFERENT_BY_NATURE | (ERROR_TEXT if error else frozenset())
    found.extend(_walk(bodies[0], bodies[1], "$", skip))
    return found


def _walk(up: Any, mock: Any, where: str, skip: frozenset[str]) -> Iterator[Difference]:
    if _type(up) != _type(mock):
        yield Difference("type", where, _type(up), _type(mock))
    elif isinstance(up, dict):
        for key in up.keys() - mock.keys():
            yield Difference("field", f"{where}.{key}", "present", "absent")
        for key in mock.keys() - up.keys():
            yield Difference("field", f"{where}.{key}", "absent", "present")
        for key in [k for k in up if k in mock]:
            if key in skip:
                if _type(up[key]) != _type(mock[key]):
                    yield Difference("type", f"{where}.{key}", _type(up[key]), _type(mock[key]))
                continue
            yield from _walk(up[key], mock[key], f"{where}.{key}", skip)
    elif isinstance(up, list):
        yield from _lists(up, mock, where, skip)
    elif up != mock:
        yield Difference("value", where, up, mock)


def _ids(items: list[Any]) -> dict[str, Any] | None:
    if not items or not all(isinstance(i, dict) and isinstance(i.get("id"), str) for i in items):
        return None
    return {item["id"]: item for item in items}


def _lists(
    up: list[Any], mock: list[Any], where: str, skip: frozenset[str]
) -> Iterator[Difference]:
    by_id, mine = _ids(up), _ids(mock)
    if by_id is not None and mine is not None:
        for key in [k for k in by_id if k in mine]:
            yield from _walk(by_id[key], mine[key], f"{where}[id={key}]", skip)
        return
    if len(up) != len(mock):
        yield Difference("length", where, len(up), len(mock))
    for index, (left, right) in enumerate(zip(up, mock, strict=False)):
        yield from _walk(left, right, f"{where}[{index}]", skip)
