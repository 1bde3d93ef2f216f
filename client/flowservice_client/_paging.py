"""Query helpers shared by the listing calls: ``property`` filters and ``_links.next`` pages.

A filter is either a ready expression (``'state==enabled'``, ``'name=="dynamics-online"'``) or
a mapping ``{"state": "enabled", "id": ["a", "b"]}`` that becomes ``state==enabled`` and
``id==a,b`` (a comma list matches any value, as Adobe's filtering guide says). Each expression
is its own ``property`` parameter; the API combines them with AND.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any, Protocol, TypeVar
from urllib.parse import parse_qs, quote, urlsplit

from ._errors import DecodingError
from ._http import origin

__all__ = ["Filters", "follow_pages", "next_href", "path_id", "property_params", "resolve_next"]

T = TypeVar("T", covariant=True)


class _Page(Protocol[T]):
    @property
    def items(self) -> Sequence[T]: ...

    @property
    def next_href(self) -> str | None: ...


FilterValue = str | int | bool | Sequence[str]
Filters = Sequence[str] | Mapping[str, FilterValue]


def property_params(filters: Filters) -> list[str]:
    """The ``property`` query values for ``filters``."""
    if isinstance(filters, str):
        return [filters]
    if isinstance(filters, Mapping):
        return [f"{key}=={query_value(value)}" for key, value in filters.items()]
    return [str(expression) for expression in filters]


def query_value(value: FilterValue) -> str:
    """How a Python value is written in a query string (booleans in lower case)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (str, int)):
        return str(value)
    return ",".join(str(item) for item in value)


def path_id(resource_id: str) -> str:
    """A resource id made safe to put in a URL path."""
    if not resource_id:
        raise ValueError("resource id must be a non-empty string")
    return quote(resource_id, safe="")


def next_href(body: Mapping[str, Any]) -> str | None:
    """``_links.next.href`` of a listing body, or ``None`` on the last page."""
    links = body.get("_links")
    if not isinstance(links, Mapping):
        return None
    nxt = links.get("next")
    href = nxt.get("href") if isinstance(nxt, Mapping) else None
    return href if isinstance(href, str) and href else None


def resolve_next(
    href: str, base_url: str, params: Mapping[str, str | list[str]]
) -> tuple[str, dict[str, str | list[str]]]:
    """Turn a next link into ``(path, params)`` relative to ``base_url``.

    The link is normally relative to the base path (``/connections?continuationToken=...``);
    a link that repeats the base path, or an absolute URL on the same origin, works too. A
    link to another origin is refused (it would carry the bearer token elsewhere). Query
    parameters of the link win; the original ones it lacks (filters, limit) are kept.
    """
    parts = urlsplit(href)
    if (parts.scheme or parts.netloc) and origin(href) != origin(base_url):
        raise DecodingError("next link points to another host; refusing to follow it")
    path = parts.path or "/"
    base_path = urlsplit(base_url).path.rstrip("/")
    if base_path and path.startswith(base_path + "/"):
        path = path[len(base_path) :]
    query: dict[str, str | list[str]] = dict(parse_qs(parts.query, keep_blank_values=True))
    merged = {key: value for key, value in params.items() if key not in query}
    merged.update(query)
    return path, merged


def follow_pages(first: _Page[T], fetch: Callable[[str], _Page[T]]) -> Iterator[T]:
    """Every item of a listing, page by page through ``_links.next.href`` (``fetch(href)``
    reads the next page); a next link that comes back twice is a loop and raises."""
    page, seen = first, set()
    while True:
        yield from page.items
        if page.next_href is None:
            return
        if page.next_href in seen:
            raise DecodingError("pagination loop: the same next link came back twice")
        seen.add(page.next_href)
        page = fetch(page.next_href)
