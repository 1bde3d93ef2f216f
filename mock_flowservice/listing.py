"""``GET /connections`` and ``GET /connectionSpecs`` listing: filters, order, pages (FACTS D).

Decisions (GAPS 4, 5; DECISIONS.md): a page holds ``limit`` items, ``config.default_page_size``
when ``limit`` is absent, never more than ``config.max_page_size`` (a larger ``limit`` is capped).
The default order is creation order. The continuation token is opaque (base64url JSON) and
points *after* the last item served by its sort key and creation sequence, so paging neither
skips nor repeats a connection that exists throughout, whatever is created or deleted
meanwhile. ``count=true`` answers ``{"count": N}`` alone.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from werkzeug.datastructures import MultiDict

from .config import MockConfig
from .errors import FlowError
from .filters import Filter, compile_filters, matches_all, value_at
from .model import Connection, Tenant
from .store import Store

__all__ = [
    "CONNECTION_FIELDS",
    "ListQuery",
    "filter_documents",
    "list_connections",
    "parse_query",
    "search_args",
]

CONNECTION_FIELDS = frozenset(
    {
        "id", "name", "description", "state", "connectionSpec", "auth", "createdAt",
        "updatedAt", "createdBy", "updatedBy", "createdClient", "updatedClient", "sandboxId",
        "sandboxName", "imsOrgId", "version", "etag", "lastOperation",
    }
)  # fmt: skip
_QUERY_PARAMS = frozenset({"property", "limit", "orderby", "continuationToken", "count"})


@dataclass(frozen=True)
class ListQuery:
    """A parsed listing request."""

    filters: list[Filter]
    limit: int
    order_path: tuple[str, ...] | None
    descending: bool
    after: tuple[Any, int] | None
    count: bool


def _bool_param(args: MultiDict[str, str], name: str) -> bool:
    value = args.get(name, "false").strip().lower()
    if value not in {"true", "false"}:
        raise FlowError("1452-400", value=args.get(name, ""), field=name)
    return value == "true"


def _limit(args: MultiDict[str, str], config: MockConfig) -> int:
    text = args.get("limit")
    if text is None:
        return config.default_page_size
    if not text.strip().isdecimal() or int(text) < 1:
        raise FlowError("1452-400", value=text, field="limit")
    return min(int(text), config.max_page_size)


def _order(
    args: MultiDict[str, str], fields: frozenset[str]
) -> tuple[tuple[str, ...] | None, bool]:
    text = args.get("orderby")
    if text is None or not text.strip():
        return None, False
    # A literal "+" in a query string decodes to a space: treat it as the "+" it was.
    text = "+" + text[1:] if text.startswith(" ") else text
    sign, name = (text[0], text[1:]) if text[0] in "+-" else ("+", text)
    if not name or not (name[0].isalpha() or name[0] == "_"):
        raise FlowError("1432-400")
    if name.split(".")[0] not in fields:
        raise FlowError("1433-400", field=name)
    return tuple(name.split(".")), sign == "-"


def decode_token(token: str) -> tuple[Any, int]:
    """The position a continuation token stands for; a bad token answers 1453."""
    try:
        padded = token + "=" * (-len(token) % 4)
        key, seq = json.loads(base64.urlsafe_b64decode(padded.encode("ascii")))
        if not isinstance(seq, int):
            raise ValueError
        return key, seq
    except (ValueError, TypeError, binascii.Error, UnicodeEncodeError):
        raise FlowError("1453-400", query=f"continuationToken={token}") from None


def encode_token(key: Any, seq: int) -> str:
    raw = json.dumps([key, seq], separators=(",", ":")).encode("utf-8")
    return base64.urlsafe_b64encode(raw).decode("ascii").rstrip("=")


def parse_query(
    args: MultiDict[str, str], config: MockConfig, fields: frozenset[str] = CONNECTION_FIELDS
) -> ListQuery:
    """Check every listing parameter and turn them into a :class:`ListQuery`."""
    unknown = sorted(set(args) - _QUERY_PARAMS)
    if unknown:
        raise FlowError("1451-400", param=unknown[0])
    count = _bool_param(args, "count")
    if count and "limit" in args:
        raise FlowError("1401-400")
    filters = compile_filters(_split_properties(args.getlist("property")), fields)
    order_path, descending = _order(args, fields)
    token = args.get("continuationToken")
    after = decode_token(token) if token else None
    return ListQuery(filters, _limit(args, config), order_path, descending, after, count)


def _split_properties(values: list[str]) -> list[str]:
    """``property`` is declared style=form, explode=false, but a comma also lists values.

    Each parameter is one condition, so only repeated parameters combine; a comma inside one
    parameter belongs to its value list (``id==a,b``).
    """
    return [value for value in values if value.strip()]


Render = Callable[[Connection], dict[str, Any]]


def list_connections(
    store: Store, tenant: Tenant, args: MultiDict[str, str], config: MockConfig, render: Render
) -> dict[str, Any]:
    """The body of ``GET /connections`` for one tenant."""
    query = parse_query(args, config)
    accept = _acceptor(query, render)
    if query.count:
        return {"count": len(store.scan(tenant, accept=accept, limit=2**62))}
    if query.order_path is None:
        after = query.after[1] if query.after else None
        page = store.scan(
            tenant, accept=accept, limit=query.limit + 1, after=after, descending=query.descending
        )
        return _page_body(page, query, args, lambda c: None, render)
    return _ordered_page(store.connections(tenant), query, args, accept, render)


def _acceptor(query: ListQuery, render: Render) -> Callable[[Connection], bool]:
    if not query.filters:
        return lambda connection: True
    return lambda connection: matches_all(query.filters, render(connection))


def _sort_key(render: Render, path: tuple[str, ...]) -> Callable[[Connection], Any]:
    def key(connection: Connection) -> tuple[Any, ...]:
        found = value_at(render(connection), path)
        value = found[0] if found else None
        # Absent values first, then numbers, then text; ties broken by creation order.
        rank = 0 if value is None else 1 if isinstance(value, int | float) else 2
        return (rank, value if rank else 0, connection.seq)

    return key


def _ordered_page(
    everything: list[Connection],
    query: ListQuery,
    args: MultiDict[str, str],
    accept: Callable[[Connection], bool],
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
    return _page_body(page, query, args, lambda c: list(key(c)[:2]), render)


def _beyond(key: tuple[Any, ...], mark: tuple[Any, int], descending: bool) -> bool:
    here = (key[:2], key[2])
    there = (tuple(mark[0]), mark[1])
    try:
        return here < there if descending else here > there
    except TypeError:
        return False


def _page_body(
    page: list[Connection],
    query: ListQuery,
    args: MultiDict[str, str],
    token_key: Callable[[Connection], Any],
    render: Render,
) -> dict[str, Any]:
    items = page[: query.limit]
    links: dict[str, Any] = {}
    if len(page) > query.limit:
        last = items[-1]
        links["next"] = {"href": _next_href(args, encode_token(token_key(last), last.seq))}
    return {"items": [render(c) for c in items], "_links": links}


def _next_href(args: MultiDict[str, str], token: str) -> str:
    kept = [(k, v) for k, values in args.lists() if k != "continuationToken" for v in values]
    return "/connections?" + urlencode([*kept, ("continuationToken", token)])


def search_args(body: Any, continuation: str | None, config: MockConfig) -> MultiDict[str, str]:
    """``POST /connections/search`` body as listing parameters (GAPS 11, DECISIONS.md).

    ``queryString`` holds ``property`` conditions joined by ``&`` (``state==enabled&name==x``);
    ``limit`` (at most 1000), ``orderby`` and ``count`` mean what they mean on the listing.
    """
    if not isinstance(body, dict):
        raise FlowError("1100-400", message="The request body must be a JSON object.")
    args: MultiDict[str, str] = MultiDict()
    query = body.get("queryString")
    query = "" if query is None else query
    if not isinstance(query, str):
        raise FlowError("1100-400", message="The field queryString must be a string.")
    for condition in query.split("&"):
        if condition.strip():
            args.add("property", condition.strip())
    for name in ("limit", "orderby", "count"):
        value = body.get(name)
        if value is not None:
            args.add(name, _search_value(name, value, config))
    if continuation:
        args.add("continuationToken", continuation)
    return args


def _search_value(name: str, value: Any, config: MockConfig) -> str:
    expected = {"limit": int, "orderby": str, "count": bool}[name]
    if not isinstance(value, expected) or (expected is int and isinstance(value, bool)):
        raise FlowError("1452-400", value=json.dumps(value), field=name)
    if name == "limit" and isinstance(value, int) and not 1 <= value <= 1000:
        raise FlowError("1452-400", value=str(value), field=name)
    return str(value).lower() if isinstance(value, bool) else str(value)


def filter_documents(
    documents: Sequence[Mapping[str, Any]], args: MultiDict[str, str], fields: frozenset[str]
) -> list[Mapping[str, Any]]:
    """``property`` filtering of a small fixed list (connection specs); other params refused."""
    unknown = sorted(set(args) - {"property"})
    if unknown:
        raise FlowError("1451-400", param=unknown[0])
    filters = compile_filters(_split_properties(args.getlist("property")), fields)
    return [d for d in documents if matches_all(filters, d)]
