"""Row-level filters in PQL JSON (FACTS-2 §1.9): parsed once, evaluated against sample rows.

A filter is ``{"type": "PQL", "format": "pql/json", "value": <node>}``; a node is
``{"nodeType": "fnApply", "fnName": ..., "params": [...]}``, ``{"nodeType": "fieldLookup",
"fieldName": ...}`` or ``{"nodeType": "literal", "value": ...}``. The functions are the
documented ones, ``=``, ``!=``, ``<``, ``<=``, ``>``, ``>=``, ``like``, ``in``, ``and``,
``isNull`` and ``NOT``, plus ``or`` (the mock's choice: the docs combine conditions with ``and``
only, a refused ``or`` would stop a valid script). Names compare case-insensitively.

The explore query carries the filter as base64 of that JSON (:func:`decode_base64`, errors
``1389-400``); a source connection's ``params.filters`` carries the object itself. Any other
problem (shape, unknown function, a field that is not a column) is ``1335-400`` naming it,
never repeating a literal. Nesting is bounded by :data:`MAX_DEPTH`; ``like`` is matched by a
linear-space dynamic programme, never by a regular expression.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from typing import Any

from .errors import FlowError
from .validation import JsonRefused, decode_base64_json

__all__ = ["MAX_DEPTH", "Filter", "decode_base64", "parse_filter"]

#: Deepest nesting of function applications a filter may have.
MAX_DEPTH = 16
#: Deepest JSON nesting of a filter document: a function application nests two levels
#: (``params`` and its items), so a filter too deep is refused by :data:`MAX_DEPTH` (1335)
#: before its JSON is (1389).
MAX_JSON_DEPTH = 4 * MAX_DEPTH
#: Largest base64 text accepted for an explore filter (characters).
MAX_ENCODED = 16_384

Row = Mapping[str, Any]
Predicate = Callable[[Row], bool]


def _refuse(why: str) -> FlowError:
    return FlowError("1335-400", reason=why)


@dataclass(frozen=True)
class Filter:
    """A parsed filter: the columns it reads and a predicate over rows keyed by column."""

    fields: frozenset[str]
    matches: Predicate

    def check_columns(self, columns: Collection[str]) -> None:
        """``1335-400`` naming the first field that is not one of ``columns``."""
        for name in sorted(self.fields):
            if name not in columns:
                raise _refuse(f"the field '{name[:64]}' is not a column of this table")


def decode_base64(text: str) -> Any:
    """The JSON inside base64 text (standard or URL-safe, padding optional), by the one bounded
    decoder of query JSON (:func:`~.validation.decode_base64_json`); else 1389-400."""
    if len(text.strip()) > MAX_ENCODED:
        raise FlowError("1389-400")
    try:
        return decode_base64_json(text, max_depth=MAX_JSON_DEPTH, max_bytes=MAX_ENCODED)
    except JsonRefused:
        raise FlowError("1389-400") from None


def parse_filter(document: Any) -> Filter:
    """A :class:`Filter` from the PQL JSON object, or ``1335-400`` saying what is wrong."""
    if not isinstance(document, Mapping):
        raise _refuse("the filter must be a JSON object")
    if str(document.get("type", "")).lower() != "pql":
        raise _refuse("the filter type must be PQL")
    if str(document.get("format", "")).lower() != "pql/json":
        raise _refuse("the filter format must be pql/json")
    fields: set[str] = set()
    matches = _predicate(document.get("value"), fields, 1)
    return Filter(frozenset(fields), matches)


# -- parsing ------------------------------------------------------------------------------------


def _node_type(node: Any) -> str:
    if not isinstance(node, Mapping) or not isinstance(node.get("nodeType"), str):
        raise _refuse("every node needs a nodeType")
    return str(node["nodeType"]).lower()


def _params(node: Mapping[str, Any], name: str, count: int | None = None) -> list[Any]:
    params = node.get("params")
    if not isinstance(params, list) or not params or (count is not None and len(params) != count):
        wanted = f"{count} params" if count is not None else "params"
        raise _refuse(f"the function '{name}' needs {wanted}")
    return params


def _field(node: Any, fields: set[str]) -> str:
    if _node_type(node) != "fieldlookup" or not isinstance(node.get("fieldName"), str):
        raise _refuse("a comparison needs a fieldLookup with a fieldName first")
    name = str(node["fieldName"])
    fields.add(name)
    return name


def _literal(node: Any) -> Any:
    if _node_type(node) != "literal" or "value" not in node:
        raise _refuse("a comparison needs a literal value")
    value = node["value"]
    if isinstance(value, dict):
        raise _refuse("a literal is a string, a number, a boolean or a list of them")
    return value


def _predicate(node: Any, fields: set[str], depth: int) -> Predicate:
    if depth > MAX_DEPTH:
        raise _refuse(f"the filter nests deeper than {MAX_DEPTH} functions")
    if _node_type(node) != "fnapply" or not isinstance(node.get("fnName"), str):
        raise _refuse("a filter value must be an fnApply node with an fnName")
    name = str(node["fnName"]).lower()
    if name in ("and", "or"):
        parts = [_predicate(p, fields, depth + 1) for p in _params(node, name)]
        combine = all if name == "and" else any
        return lambda row: combine(part(row) for part in parts)
    if name == "not":
        (inner,) = [_predicate(p, fields, depth + 1) for p in _params(node, name, 1)]
        return lambda row: not inner(row)
    if name == "isnull":
        column = _field(_params(node, name, 1)[0], fields)
        return lambda row: row.get(column) is None
    if name == "in":
        params = _params(node, name)
        column = _field(params[0], fields)
        values = [_literal(p) for p in params[1:]]
        flat = [v for value in values for v in (value if isinstance(value, list) else [value])]
        return lambda row: any(_equal(row.get(column), v) for v in flat)
    compare = _COMPARISONS.get(name)
    if compare is None:
        raise _refuse(f"the function '{name[:32]}' is not supported")
    left, right = _params(node, name, 2)
    column, value = _field(left, fields), _literal(right)
    if name == "like" and not isinstance(value, str):
        raise _refuse("like needs a string pattern")
    return lambda row: compare(row.get(column), value)


# -- evaluation ---------------------------------------------------------------------------------


def _comparable(a: Any, b: Any) -> bool:
    numbers = (int, float)
    if isinstance(a, bool) or isinstance(b, bool):
        return isinstance(a, bool) and isinstance(b, bool)
    return (isinstance(a, numbers) and isinstance(b, numbers)) or (
        isinstance(a, str) and isinstance(b, str)
    )


def _equal(a: Any, b: Any) -> bool:
    return _comparable(a, b) and a == b


def _ordered(test: Callable[[Any, Any], bool]) -> Callable[[Any, Any], bool]:
    return lambda a, b: _comparable(a, b) and not isinstance(a, bool) and test(a, b)


def like(value: Any, pattern: str) -> bool:
    """SQL ``LIKE``: ``%`` any run, ``_`` one character, case-sensitive, in O(len × len)."""
    if not isinstance(value, str):
        return False
    # reachable[j]: the first i characters of value match the first j of the pattern.
    reachable = [True] + [False] * len(pattern)
    for j, p in enumerate(pattern, 1):
        reachable[j] = reachable[j - 1] and p == "%"
    for char in value:
        row = [False] * (len(pattern) + 1)
        for j, p in enumerate(pattern, 1):
            if p == "%":
                row[j] = row[j - 1] or reachable[j]
            else:
                row[j] = reachable[j - 1] and (p == "_" or p == char)
        reachable = row
    return reachable[-1]


_COMPARISONS: dict[str, Callable[[Any, Any], bool]] = {
    "=": _equal,
    "!=": lambda a, b: a is not None and not _equal(a, b),
    "<": _ordered(lambda a, b: a < b),
    "<=": _ordered(lambda a, b: a <= b),
    ">": _ordered(lambda a, b: a > b),
    ">=": _ordered(lambda a, b: a >= b),
    "like": like,
}
