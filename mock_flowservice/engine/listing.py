"""Listing and search of every collection: filters, order, pages, counts (FACTS D).

Decisions (GAPS 4, 5; DECISIONS.md): a page holds ``limit`` items, ``config.default_page_size``
when ``limit`` is absent, never more than ``config.max_page_size`` (a larger ``limit`` is capped).
The default order is creation order. The continuation token is opaque (base64url JSON) and
points *after* the last item served by its sort key and creation sequence, so paging neither
skips nor repeats a connection that exists throughout, whatever is created or deleted
meanwhile. ``count=true`` answers ``{"count": N}`` alone.
"""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from ..config import MockConfig
from ..errors import FlowError, bad_value, invalid_request, unknown_param
from ..model import Tenant
from ..storage import Store
from ..validation import decode_base64_json
from .filters import Filter, compile_filters, matches_all, value_at
from .resource import ResourceType

__all__ = [
    "ListQuery",
    "QueryArgs",
    "filter_documents",
    "list_page",
    "parse_query",
    "search_args",
]

_QUERY_PARAMS = frozenset({"property", "limit", "orderby", "continuationToken", "count"})


class QueryArgs:
    """Query parameters in order, as the views hand them over (no web framework types)."""

    def __init__(self, pairs: Sequence[tuple[str, str]] = ()) -> None:
        self.pairs = list(pairs)

    def __contains__(self, name: object) -> bool:
        return any(key == name for key, _ in self.pairs)

    def names(self) -> set[str]:
        return {key for key, _ in self.pairs}

    def get(self, name: str, default: str | None = None) -> str | None:
        return next((value for key, value in self.pairs if key == name), default)

    def getlist(self, name: str) -> list[str]:
        return [value for key, value in self.pairs if key == name]

    def add(self, name: str, value: str) -> None:
        self.pairs.append((name, value))


@dataclass(frozen=True)
class ListQuery:
    """A parsed listing request."""

    filters: list[Filter]
    limit: int
    order_path: tuple[str, ...] | None
    descending: bool
    after: tuple[Any, int] | None
    count: bool


def _bool_param(args: QueryArgs, name: str) -> bool:
    raw = args.get(name)
    value = ("false" if raw is None else raw).strip().lower()
    if value not in {"true", "false"}:
        raise bad_value(raw or "", name)
    return value == "true"


def _limit(args: QueryArgs, config: MockConfig) -> int:
    text = args.get("limit")
    if text is None:
        return config.default_page_size
    digits = text.strip()
    # At most a signed 64-bit integer, as the service's own parser reads it.
    if not digits.isdecimal() or len(digits) > 19 or not 1 <= int(digits) <= _INT64_MAX:
        raise bad_value(text, "limit")
    return min(int(digits), config.max_page_size)


_SORT_FIELD = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$")


def _order(args: QueryArgs, fields: frozenset[str]) -> tuple[tuple[str, ...] | None, bool]:
    text = args.get("orderby")
    if text is None or not text.strip():
        return None, False
    # A literal "+" in a query string decodes to a space: treat it as the "+" it was.
    text = "+" + text[1:] if text.startswith(" ") else text
    sign, name = (text[0], text[1:]) if text[0] in "+-" else ("+", text)
    if not name or name[0] in "+-":  # no field after the sign, or a second sign
        raise FlowError("1432-400")
    if not _SORT_FIELD.match(name) or name.split(".")[0] not in fields:
        raise FlowError("1433-400", field=name[:128])  # e.g. "#id", or a field not sortable
    return tuple(name.split(".")), sign == "-"


def decode_token(token: str, config: MockConfig) -> tuple[Any, int]:
    """The position a continuation token stands for; a bad token answers 1453.

    A token is ``[key, seq]``: ``key`` null (creation order) or the ``[rank, value]`` sort key
    :func:`_sort_key` made, ``seq`` a creation sequence (a signed 64-bit integer, as stores
    keep it). Anything else, and anything the bounded decoder refuses, is a bad token.
    """
    try:
        decoded = decode_base64_json(
            token, max_depth=config.max_json_depth, max_bytes=config.max_query_json_bytes
        )
        key, seq = decoded
        if not _is_seq(seq) or not (key is None or _is_sort_key(key)):
            raise ValueError
        return key, seq
    except (ValueError, TypeError):  # JsonRefused is a ValueError
        raise FlowError("1453-400", query=f"continuationToken={token}") from None


_INT64_MAX = 2**63 - 1


def _is_seq(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= _INT64_MAX


def _is_sort_key(key: Any) -> bool:
    """``[rank, value]`` as :func:`_sort_key` ranks them: 0 absent, 1 number, 2 text."""
    if not isinstance(key, list) or len(key) != 2 or isinstance(key[0], bool):
        return False
    kinds: dict[Any, type | tuple[type, ...]] = {0: int, 1: (int, float), 2: str}
    rank, value = key
    return rank in kinds and isinstance(value, kinds[rank])


def encode_token(key: Any, seq: int) -> str:
    raw = json.dumps([key, seq], separators=(",", ":")).encode("utf-8")
    return base64.urlsafe_b64encode(raw).decode("ascii").rstrip("=")


def parse_query(args: QueryArgs, config: MockConfig, fields: frozenset[str]) -> ListQuery:
    """Check every listing parameter and turn them into a :class:`ListQuery`."""
    unknown = sorted(args.names() - _QUERY_PARAMS)
    if unknown:
        raise unknown_param(unknown[0])
    count = _bool_param(args, "count")
    if count and "limit" in args:
        raise FlowError("1401-400")
    filters = compile_filters(_split_properties(args.getlist("property")), fields)
    order_path, descending = _order(args, fields)
    token = args.get("continuationToken")
    after = decode_token(token, config) if token else None
    if after is not None and order_path is not None and after[0] is None:
        raise FlowError("1453-400", query=f"continuationToken={token}")
    return ListQuery(filters, _limit(args, config), order_path, descending, after, count)


def _split_properties(values: list[str]) -> list[str]:
    """``property`` is declared style=form, explode=false, but a comma also lists values.

    Each parameter is one condition, so only repeated parameters combine; a comma inside one
    parameter belongs to its value list (``id==a,b``).
    """
    return [value for value in values if value.strip()]


Render = Callable[[Any], dict[str, Any]]


def list_page(
    store: Store,
    rtype: ResourceType[Any],
    tenant: Tenant,
    args: QueryArgs,
    config: MockConfig,
) -> dict[str, Any]:
    """The body of ``GET /{collection}`` for one tenant: a page, or ``{"count": N}``."""
    query = parse_query(args, config, rtype.fields)
    mask = config.secret_mask

    def render(record: Any) -> dict[str, Any]:
        return rtype.render(record, mask)

    accept = _acceptor(query, render)
    if query.count:
        return {"count": len(store.scan(rtype.kind, tenant, accept=accept, limit=2**62))}
    if query.order_path is None:
        after = query.after[1] if query.after else None
        page = store.scan(
            rtype.kind,
            tenant,
            accept=accept,
            limit=query.limit + 1,
            after=after,
            descending=query.descending,
        )
        return _page_body(rtype.kind, page, query, args, lambda r: None, render)
    everything = store.records(rtype.kind, tenant)
    return _ordered_page(rtype.kind, everything, query, args, accept, render)


def _acceptor(query: ListQuery, render: Render) -> Callable[[Any], bool]:
    if not query.filters:
        return lambda connection: True
    return lambda connection: matches_all(query.filters, render(connection))


def _sort_key(render: Render, path: tuple[str, ...]) -> Callable[[Any], Any]:
    def key(connection: Any) -> tuple[Any, ...]:
        found = value_at(render(connection), path)
        value = found[0] if found else None
        # Absent values first, then numbers, then text; ties broken by creation order.
        rank = 0 if value is None else 1 if isinstance(value, int | float) else 2
        return (rank, value if rank else 0, connection.seq)

    return key


def _ordered_page(
    kind: str,
    everything: list[Any],
    query: ListQuery,
    args: QueryArgs,
    accept: Callable[[Any], bool],
    render: Render,
) -> dict[str, Any]:
    assert query.order_path is not None
    key = _sort_key(render, query.order_path)
    ranked = sorted(((key(c), c) for c in everything if accept(c)), key=lambda p: p[0])
    if query.descending:
        ranked.reverse()
    if query.after is not None:
        mark = (tuple(query.after[0]), query.after[1])
        ranked = [p for p in ranked if _beyond(p[0], mark, query.descending)]
    page = [c for _, c in ranked[: query.limit + 1]]
    return _page_body(kind, page, query, args, lambda c: list(key(c)[:2]), render)


def _beyond(key: tuple[Any, ...], mark: tuple[Any, int], descending: bool) -> bool:
    here = (key[:2], key[2])
    there = (tuple(mark[0]), mark[1])
    try:
        return here < there if descending else here > there
    except TypeError:
        return False


def _page_body(
    kind: str,
    page: list[Any],
    query: ListQuery,
    args: QueryArgs,
    token_key: Callable[[Any], Any],
    render: Render,
) -> dict[str, Any]:
    items = page[: query.limit]
    links: dict[str, Any] = {}
    if len(page) > query.limit:
        last = items[-1]
        token = encode_token(token_key(last), last.seq)
        links["next"] = {"href": _next_href(kind, args, token)}
    return {"items": [render(c) for c in items], "_links": links}


def _next_href(kind: str, args: QueryArgs, token: str) -> str:
    kept = [(k, v) for k, v in args.pairs if k != "continuationToken"]
    return f"/{kind}?" + urlencode([*kept, ("continuationToken", token)])


def search_args(body: Any, continuation: str | None) -> QueryArgs:
    """``POST /connections/search`` body as listing parameters (GAPS 11, DECISIONS.md).

    ``queryString`` holds ``property`` conditions joined by ``&`` (``state==enabled&name==x``);
    ``limit`` (at most 1000), ``orderby`` and ``count`` mean what they mean on the listing.
    """
    if not isinstance(body, dict):
        raise invalid_request("The request body must be a JSON object.")
    args = QueryArgs()
    query = body.get("queryString")
    query = "" if query is None else query
    if not isinstance(query, str):
        raise invalid_request("The field queryString must be a string.")
    for condition in query.split("&"):
        if condition.strip():
            args.add("property", condition.strip())
    for name in ("limit", "orderby", "count"):
        value = body.get(name)
        if value is not None:
            args.add(name, _search_value(name, value))
    if continuation:
        args.add("continuationToken", continuation)
    return args


def _search_value(name: str, value: Any) -> str:
    expected = {"limit": int, "orderby": str, "count": bool}[name]
    if not isinstance(value, expected) or (expected is int and isinstance(value, bool)):
        raise bad_value(json.dumps(value), name)
    if name == "limit" and isinstance(value, int) and not 1 <= value <= 1000:
        raise bad_value(str(value), name)
    return str(value).lower() if isinstance(value, bool) else str(value)


def filter_documents(
    documents: Sequence[Mapping[str, Any]],
    args: QueryArgs,
    fields: frozenset[str],
    unknown_field: str = "1449-400",
) -> list[Mapping[str, Any]]:
    """``property`` filtering of a small fixed list (connection specs); other params refused;
    a field outside ``fields`` is the FLOW code ``unknown_field``."""
    unknown = sorted(args.names() - {"property"})
    if unknown:
        raise unknown_param(unknown[0])
    expressions = _split_properties(args.getlist("property"))
    filters = compile_filters(expressions, fields, unknown_field)
    return [d for d in documents if matches_all(filters, d)]
