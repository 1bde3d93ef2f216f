"""The resource engine: one implementation of the Flow Service semantics for every collection.

A collection is described once (:class:`ResourceType`); :mod:`.crud` gets, creates, patches,
deletes and applies actions, :mod:`.listing` lists and searches (filters, order, pages,
counts), :mod:`.jsonpatch` parses PATCH bodies. Nothing here knows about HTTP or Flask.
"""

from __future__ import annotations

from .crud import (
    apply_action,
    create,
    delete,
    new_identity,
    patch,
    require_if_match,
    retrieve,
    update,
)
from .listing import QueryArgs, filter_documents, list_page, search_args
from .resource import Action, Resource, ResourceType

__all__ = [
    "Action",
    "QueryArgs",
    "Resource",
    "ResourceType",
    "apply_action",
    "create",
    "delete",
    "filter_documents",
    "list_page",
    "new_identity",
    "patch",
    "require_if_match",
    "retrieve",
    "search_args",
    "update",
]
