"""``property=`` filters of Flow Service listings (FACTS D; GAPS 6).

A filter is ``<field path><operator><value>``: ``state==enabled``, ``name=="dynamics-online"``,
``createdAt>=1670880253121``, ``connectionSpec.id==a,b`` (a comma list after ``==`` or ``!=``
means any of / none of). Operators: ``==``, ``!=``, ``<``, ``>``, ``<=``, ``>=``. ``~`` answers
``FLOW-1440-400`` ("not implemented"); anything else ``FLOW-1450-400``. Field paths are dotted and
may cross arrays with ``[]`` (``items[].name``). Filters apply to the object as it is served
(secrets masked), so a filter cannot probe a secret.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from ..errors import FlowError, bad_value

__all__ = ["Filter", "compile_filters", "matches_all", "value_at"]

_FIELD = re.compile(r"^[A-Za-z_@][A-Za-z0-9_@\-]*(\[\])?(\.[A-Za-z_@][A-Za-z0-9_@\-]*(\[\])?)*")
_OPERATORS = ("==", "!=", "<=", ">=", "<", ">")
_MULTI_OK = frozenset({"==", "!="})
_RANGE_FORBIDDEN_FIELDS = frozenset({"id"})
_NUMERIC_FIELDS = frozenset({"createdAt", "updatedAt"})


@dataclass(frozen=True)
class Filter:
    """One parsed ``property`` condition."""

    path: tuple[str, ...]
    op: str
    values: tuple[str, ...]

    def matches(self, document: Mapping[str, Any]) -> bool:
        found = value_at(document, self.path)
        if not found:
            return self.op == "!="
        hit = any(_compare(actual, self.op, value) for actual in found for value in self.values)
        if self.op == "!=":
            return all(_compare(a, "!=", v) for a in found for v in self.values)
        return hit


def _unquote(value: str) -> str:
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
        return value[1:-1]
    return value


def _operator(expression: str, rest: str) -> str:
    for op in _OPERATORS:
        if rest.startswith(op):
            return op
    if rest.startswith("~"):
        raise FlowError("1440-400", op="~")
    symbol = re.match(r"^[^A-Za-z0-9\"']*", rest)
    if not symbol or not symbol.group(0):
        raise FlowError("1453-400", query=expression)
    raise FlowError("1450-400", op=symbol.group(0))


def parse_filter(
    expression: str, fields: Collection[str], unknown_field: str = "1449-400"
) -> Filter:
    """Parse one ``property`` value; ``fields`` are the top-level names that may be filtered,
    any other is the FLOW code ``unknown_field`` (its template takes ``field``)."""
    match = _FIELD.match(expression)
    if not match:
        raise FlowError("1453-400", query=expression)
    path_text = match.group(0)
    path = tuple(path_text.split("."))
    if path[0].removesuffix("[]") not in fields:
        raise FlowError(unknown_field, field=path_text[:128])
    op = _operator(expression, expression[len(path_text) :])
    raw = expression[len(path_text) + len(op) :]
    values = tuple(_unquote(v.strip()) for v in raw.split(","))
    if not raw.strip() or any(v == "" for v in values):
        raise FlowError("1453-400", query=expression)
    if path_text in _NUMERIC_FIELDS and not all(v.lstrip("-").isdigit() for v in values):
        raise bad_value(raw, path_text)
    if len(values) > 1 and op not in _MULTI_OK:
        if path_text in _NUMERIC_FIELDS:  # the catalog's example: createdAt with two values
            raise bad_value(raw.strip()[:128], path_text)
        raise FlowError("1443-400", op=op)
    if op not in _MULTI_OK and path_text in _RANGE_FORBIDDEN_FIELDS:
        raise FlowError("1448-400", op=op, field=path_text)
    return Filter(path, op, values)


def compile_filters(
    expressions: Iterable[str], fields: Collection[str], unknown_field: str = "1449-400"
) -> list[Filter]:
    """Parse every ``property`` parameter: one condition each, all combined with AND."""
    return [parse_filter(e, fields, unknown_field) for e in expressions if e]


def matches_all(filters: Iterable[Filter], document: Mapping[str, Any]) -> bool:
    return all(f.matches(document) for f in filters)


def value_at(document: Any, path: tuple[str, ...]) -> list[Any]:
    """Every value at a dotted path (``[]`` fans out over an array); [] when absent."""
    current: list[Any] = [document]
    for segment in path:
        name, fan_out = segment.removesuffix("[]"), segment.endswith("[]")
        step: list[Any] = []
        for item in current:
            if isinstance(item, Mapping) and name in item:
                value = item[name]
                if fan_out and isinstance(value, list):
                    step.extend(value)
                else:
                    step.append(value)
        current = step
    return [v for v in current if v is not None and not isinstance(v, dict | list)]


def _compare(actual: Any, op: str, text: str) -> bool:
    expected = _coerce(actual, text)
    if op == "==":
        return bool(actual == expected)
    if op == "!=":
        return bool(actual != expected)
    try:
        return bool(_ORDERED[op](actual, expected))
    except TypeError:
        return False


_ORDERED = {
    "<": lambda a, b: a < b,
    ">": lambda a, b: a > b,
    "<=": lambda a, b: a <= b,
    ">=": lambda a, b: a >= b,
}


def _coerce(actual: Any, text: str) -> Any:
    """The filter value in the type of the stored value (numbers compare as numbers)."""
    if isinstance(actual, bool):
        return text.lower() == "true"
    if isinstance(actual, int | float):
        try:
            return float(text) if "." in text else int(text)
        except ValueError:
            return text
    return text
