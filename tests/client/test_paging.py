"""Filter encoding and next-link resolution, including properties checked by hypothesis."""

from __future__ import annotations

from urllib.parse import urlencode

import pytest
from flowservice_client import DecodingError
from flowservice_client._paging import next_href, path_id, property_params, resolve_next
from hypothesis import given
from hypothesis import strategies as st

BASE = "https://platform.adobe.io/data/foundation/flowservice"
TEXT = st.text(st.characters(codec="utf-8", exclude_categories=["Cs"]), min_size=1, max_size=30)


def test_property_params_shapes() -> None:
    assert property_params("state==enabled") == ["state==enabled"]
    assert property_params(["a==1", "b>2"]) == ["a==1", "b>2"]
    assert property_params({"x": 3, "y": False, "id": ("a", "b")}) == [
        "x==3",
        "y==false",
        "id==a,b",
    ]
    assert property_params(()) == []


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ({"items": [], "_links": {}}, None),
        ({"items": []}, None),
        ({"_links": {"next": {"href": ""}}}, None),
        (
            {"_links": {"next": {"href": "/connections?continuationToken=a"}}},
            "/connections?continuationToken=a",
        ),
    ],
)
def test_next_href(body, expected) -> None:
    assert next_href(body) == expected


def test_path_id_rejects_empty() -> None:
    with pytest.raises(ValueError, match="non-empty"):
        path_id("")


@given(token=TEXT, limit=st.integers(1, 1000), prop=TEXT)
def test_link_query_wins_and_missing_params_are_kept(token: str, limit: int, prop: str) -> None:
    href = "/connections?" + urlencode({"continuationToken": token, "limit": str(limit)})
    path, params = resolve_next(href, BASE, {"limit": "5", "property": [prop]})
    assert path == "/connections"
    assert params == {"continuationToken": [token], "limit": [str(limit)], "property": [prop]}


@given(resource_id=TEXT)
def test_path_id_never_leaves_the_segment(resource_id: str) -> None:
    encoded = path_id(resource_id)
    assert "/" not in encoded
    assert "?" not in encoded
    assert "#" not in encoded


@pytest.mark.parametrize(
    "href",
    [
        "/connections?continuationToken=t",
        "/data/foundation/flowservice/connections?continuationToken=t",
        "https://platform.adobe.io/data/foundation/flowservice/connections?continuationToken=t",
    ],
)
def test_link_forms_resolve_to_the_same_path(href: str) -> None:
    assert resolve_next(href, BASE, {}) == ("/connections", {"continuationToken": ["t"]})


def test_link_to_another_origin_is_refused() -> None:
    with pytest.raises(DecodingError):
        resolve_next("http://platform.adobe.io/connections", BASE, {})


def test_follow_pages_reads_every_page_and_stops_a_loop() -> None:
    from dataclasses import dataclass

    from flowservice_client._errors import DecodingError
    from flowservice_client._paging import follow_pages

    @dataclass
    class Page:
        items: tuple[int, ...]
        next_href: str | None

    pages = {"/p2": Page((3,), "/p3"), "/p3": Page((4, 5), None)}
    assert list(follow_pages(Page((1, 2), "/p2"), pages.__getitem__)) == [1, 2, 3, 4, 5]
    looping = {"/p2": Page((3,), "/p2")}
    with pytest.raises(DecodingError, match="pagination loop"):
        list(follow_pages(Page((1,), "/p2"), looping.__getitem__))
