"""JSON Patch applied to a pipeline object's fields, within the paths its resource allows.

:func:`patch_fields` applies parsed instructions (:mod:`.jsonpatch`) to a deep copy of a
:class:`~mock_flowservice.model.Document`'s ``fields``, all or nothing, the way RFC 6902 does
for objects and arrays (``-`` appends). Which paths a resource may change is its own rule,
given as top-level names: a path under any other member is refused with ``1455-400``
(``Missing field``) like connections' unknown paths, and ``frozen`` names (the spec
references) with ``1414-400``.
"""

from __future__ import annotations

import copy
from collections.abc import Collection
from typing import Any

from ..errors import FlowError
from .jsonpatch import Instruction

__all__ = ["missing_member", "patch_fields"]


def missing_member(name: str) -> FlowError:
    """``1455-400`` ``Missing field "x".`` for a path that names nothing patchable."""
    return FlowError("1455-400", message=f'Missing field "{name}".')


def patch_fields(
    fields: dict[str, Any],
    instructions: list[Instruction],
    *,
    patchable: Collection[str],
    frozen: Collection[str] = (),
) -> dict[str, Any]:
    """A copy of ``fields`` with every instruction applied; the original never changes."""
    work = copy.deepcopy(fields)
    for instruction in instructions:
        head = instruction.path[0]
        if head in frozen:
            raise FlowError("1414-400")
        if head not in patchable:
            raise missing_member(instruction.path[-1] or head)
        _apply(work, instruction)
    return work


def _apply(work: dict[str, Any], ins: Instruction) -> None:
    parent: Any = work
    for token in ins.path[:-1]:
        parent = _child(parent, token)
    last = ins.path[-1]
    if isinstance(parent, dict):
        if ins.op != "add" and last not in parent:
            raise missing_member(last)
        if ins.op == "remove":
            del parent[last]
        else:
            parent[last] = copy.deepcopy(ins.value)
    elif isinstance(parent, list):
        _apply_to_list(parent, ins, last)
    else:
        raise missing_member(last)


def _apply_to_list(items: list[Any], ins: Instruction, token: str) -> None:
    if token == "-" and ins.op == "add":
        items.append(copy.deepcopy(ins.value))
        return
    index = _index(items, token, allow_end=ins.op == "add")
    if ins.op == "add":
        items.insert(index, copy.deepcopy(ins.value))
    elif ins.op == "remove":
        del items[index]
    else:
        items[index] = copy.deepcopy(ins.value)


def _index(items: list[Any], token: str, *, allow_end: bool) -> int:
    limit = len(items) + (1 if allow_end else 0)
    if not token.isdecimal() or len(token) > 9 or int(token) >= limit:
        raise missing_member(token)
    return int(token)


def _child(parent: Any, token: str) -> Any:
    if isinstance(parent, dict) and token in parent:
        return parent[token]
    if isinstance(parent, list):
        return parent[_index(parent, token, allow_end=False)]
    raise missing_member(token)
