"""JSON Patch bodies (RFC 6902) as Flow Service takes them, for every resource type.

:func:`parse_patch` checks the shape of a ``PATCH`` body and returns its instructions; what a
path may touch is each resource's own rule. Decisions (DECISIONS.md, FACTS E.1):

* the body is a non-empty JSON array of ``{op, path, value?}`` objects; an empty array is
  ``1405-400``, anything else malformed ``1100-400`` naming the instruction;
* ``op`` is case-insensitive (GAPS C1); only ``add``, ``replace`` and ``remove`` exist, the
  others (``move``, ``copy``, ``test``) are ``1434-400``;
* paths are JSON Pointers (RFC 6901: ``~1`` is ``/``, ``~0`` is ``~``), case-sensitive.

:func:`decode_pointer` is the one pointer decoder (redaction uses it too).
"""

from __future__ import annotations

import re
from typing import Any, NamedTuple

from ..errors import FlowError, invalid_request

__all__ = ["SUPPORTED_OPS", "Instruction", "decode_pointer", "parse_patch"]

SUPPORTED_OPS = frozenset({"add", "replace", "remove"})
_BAD_ESCAPE = re.compile(r"~(?![01])")


class Instruction(NamedTuple):
    """One patch operation: lower-case ``op``, decoded ``path`` tokens, ``value``."""

    op: str
    path: list[str]
    value: Any


def decode_pointer(path: str) -> list[str] | None:
    """The reference tokens of a JSON Pointer, or None when it is not one."""
    if not path.startswith("/") or _BAD_ESCAPE.search(path):
        return None
    return [token.replace("~1", "/").replace("~0", "~") for token in path[1:].split("/")]


def parse_patch(ops: Any) -> list[Instruction]:
    """Every instruction of a PATCH body, or the FLOW error of the first bad one."""
    if not isinstance(ops, list):
        raise invalid_request("The request body must be a JSON array of patch instructions.")
    if not ops:
        raise FlowError("1405-400")
    return [_parse(index, raw) for index, raw in enumerate(ops)]


def _parse(index: int, raw: Any) -> Instruction:
    if not isinstance(raw, dict):
        raise invalid_request(f"Patch instruction {index} must be a JSON object.")
    op = raw.get("op")
    if not isinstance(op, str):
        raise invalid_request(f"Patch instruction {index} needs an 'op' string.")
    if op.lower() not in SUPPORTED_OPS:
        raise FlowError("1434-400", op=op)
    path = raw.get("path")
    if not isinstance(path, str):
        raise invalid_request(f"Patch instruction {index} needs a 'path' string.")
    if op.lower() != "remove" and "value" not in raw:
        raise invalid_request(f"Patch instruction {index} ({op} {path}) needs a 'value'.")
    tokens = decode_pointer(path)
    if tokens is None:
        raise invalid_request(f"Patch instruction {index} has an invalid JSON Pointer path.")
    return Instruction(op.lower(), tokens, raw.get("value"))
