"""``/connections`` operations, one method per operationId of Adobe's API reference."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from ._errors import DecodingError, NoResultError
from ._http import Transport
from ._models import Connection, ConnectionPage, CreatedRef
from ._paging import (
    Filters,
    follow_pages,
    next_href,
    path_id,
    property_params,
    query_value,
    resolve_next,
)

__all__ = ["ConnectionsMixin", "single_item"]

PatchOp = Mapping[str, Any]


def single_item(body: Any, what: str) -> Any:
    """The one object of a wrapped ``{"items": [obj]}`` body (a bare object is accepted)."""
    if isinstance(body, Mapping) and "items" in body:
        items = body["items"]
        if not isinstance(items, list):
            raise DecodingError(f"{what}: 'items' is not a list")
        if not items:
            raise NoResultError(f"{what}: the response has no items")
        return items[0]
    if isinstance(body, Mapping):
        return body
    raise DecodingError(f"{what}: expected a JSON object")


def listing(body: Any, what: str) -> tuple[list[Any], str | None]:
    """``(items, next_href)`` of a listing body."""
    if not isinstance(body, Mapping) or not isinstance(body.get("items"), list):
        raise DecodingError(f"{what}: expected an object with an 'items' list")
    return body["items"], next_href(body)


class ConnectionsMixin:
    """Base-connection calls. The client class provides ``_transport``."""

    _transport: Transport

    def list_connections(
        self, filters: Filters = (), *, orderby: str | None = None, limit: int | None = None
    ) -> Iterator[Connection]:
        """Every matching connection, following ``_links.next.href`` page by page.

        ``limit`` is the page size, not a cap on the total.
        """
        first = self.list_connections_page(filters, orderby=orderby, limit=limit)
        yield from follow_pages(
            first,
            lambda href: self.list_connections_page(
                filters, orderby=orderby, limit=limit, next_href=href
            ),
        )

    def list_connections_page(
        self,
        filters: Filters = (),
        *,
        orderby: str | None = None,
        limit: int | None = None,
        next_href: str | None = None,
    ) -> ConnectionPage:
        """One page of ``GET /connections``; pass ``next_href`` to fetch the following one."""
        params = _list_params(filters, orderby=orderby, limit=limit)
        path = "/connections"
        if next_href is not None:
            path, params = resolve_next(next_href, self._transport.base_url, params)
        body = self._transport.request("GET", path, params=params)
        items, href = listing(body, "list_connections")
        return ConnectionPage(tuple(Connection.from_dict(i) for i in items), href, body)

    def count_connections(self, filters: Filters = ()) -> int:
        """``GET /connections?count=true``: how many connections match."""
        params = _list_params(filters)
        params["count"] = "true"
        body = self._transport.request("GET", "/connections", params=params)
        count = body.get("count") if isinstance(body, Mapping) else None
        if not isinstance(count, int) or isinstance(count, bool):
            raise DecodingError("count_connections: expected {'count': <int>}")
        return count

    def create_connection(
        self,
        name: str,
        connection_spec_id: str,
        spec_name: str,
        params: Mapping[str, Any],
        *,
        description: str | None = None,
        version: str = "1.0",
        draft: bool = False,
    ) -> CreatedRef:
        """``POST /connections`` (``?mode=draft`` when ``draft``); 201 ``{"id", "etag"}``."""
        body: dict[str, Any] = {"name": name}
        if description is not None:
            body["description"] = description
        body["auth"] = {"specName": spec_name, "params": dict(params)}
        body["connectionSpec"] = {"id": connection_spec_id, "version": version}
        query = {"mode": "draft"} if draft else None
        result = self._transport.request("POST", "/connections", params=query, body=body)
        return CreatedRef.from_dict(result)

    def retrieve_connection(self, connection_id: str) -> Connection:
        """``GET /connections/{id}`` (the body is wrapped in ``items``)."""
        body = self._transport.request("GET", f"/connections/{path_id(connection_id)}")
        return Connection.from_dict(single_item(body, "retrieve_connection"))

    def patch_connection(
        self,
        connection_id: str,
        ops: Sequence[PatchOp],
        *,
        if_match: str | None = None,
        fetch_etag: bool = False,
    ) -> CreatedRef:
        """``PATCH /connections/{id}`` with a JSON Patch array; returns the new etag.

        ``If-Match`` is ``if_match``, or with ``fetch_etag`` the etag of a GET made first.
        With neither, no ``If-Match`` is sent and the API answers ``FLOW-1403-400``.
        """
        if if_match is None and fetch_etag:
            if_match = self.retrieve_connection(connection_id).etag
        headers = {"If-Match": if_match} if if_match is not None else None
        path = f"/connections/{path_id(connection_id)}"
        body = [dict(op) for op in ops]
        result = self._transport.request("PATCH", path, body=body, headers=headers)
        return CreatedRef.from_dict(result)

    def delete_connection(self, connection_id: str) -> None:
        """``DELETE /connections/{id}``; 204 No Content."""
        self._transport.request("DELETE", f"/connections/{path_id(connection_id)}")

    def test_connection(self, connection_id: str) -> bool:
        """``GET /connections/{id}/test``: whether the stored credentials work."""
        body = self._transport.request("GET", f"/connections/{path_id(connection_id)}/test")
        result = body.get("result") if isinstance(body, Mapping) else None
        if not isinstance(result, bool):
            raise DecodingError("test_connection: expected {'result': <bool>}")
        return result

    def explore_connection(
        self,
        connection_id: str,
        object_type: str = "root",
        object: str | None = None,
        *,
        preview: bool = False,
        preview_count: int | None = None,
        primary_key: str | None = None,
        filters: Mapping[str, Any] | None = None,
        **extra: str | int | bool,
    ) -> Any:
        """``GET /connections/{id}/explore``; the JSON as returned (Adobe's explore shapes).

        ``filters`` is a row-level PQL JSON filter (``{"type": "PQL", "format": "pql/json",
        "value": ...}``), sent base64-encoded. ``extra`` keyword arguments are sent as query
        parameters under their own names (``fileType="json"``, ``determineProperties=True``).
        """
        params: dict[str, str | list[str]] = {"objectType": object_type}
        if object is not None:
            params["object"] = object
        if preview:
            params["preview"] = "true"
        if preview_count is not None:
            params["previewCount"] = str(preview_count)
        if primary_key is not None:
            params["primaryKey"] = primary_key
        if filters is not None:
            encoded = base64.b64encode(json.dumps(filters).encode("utf-8"))
            params["filters"] = encoded.decode("ascii")
        params.update({key: query_value(value) for key, value in extra.items()})
        path = f"/connections/{path_id(connection_id)}/explore"
        return self._transport.request("GET", path, params=params)

    def search_connections(
        self,
        query_string: str,
        *,
        limit: int | None = None,
        orderby: str | None = None,
        continuation_token: str | None = None,
    ) -> ConnectionPage:
        """``POST /connections/search`` (one page)."""
        body: dict[str, Any] = {"queryString": query_string}
        if limit is not None:
            body["limit"] = limit
        if orderby is not None:
            body["orderby"] = orderby
        params = {"continuationToken": continuation_token} if continuation_token else None
        result = self._transport.request("POST", "/connections/search", params=params, body=body)
        items, href = listing(result, "search_connections")
        return ConnectionPage(tuple(Connection.from_dict(i) for i in items), href, result)

    def publish_connection(self, connection_id: str) -> CreatedRef:
        """``POST /connections/{id}/action?op=publish``: turn a draft into a live connection."""
        path = f"/connections/{path_id(connection_id)}/action"
        result = self._transport.request("POST", path, params={"op": "publish"})
        return CreatedRef.from_dict(result)


def _list_params(
    filters: Filters, *, orderby: str | None = None, limit: int | None = None
) -> dict[str, str | list[str]]:
    params: dict[str, str | list[str]] = {}
    expressions = property_params(filters)
    if expressions:
        params["property"] = expressions
    if orderby is not None:
        params["orderby"] = orderby
    if limit is not None:
        params["limit"] = str(limit)
    return params
