"""What every pipeline resource does the same way on top of the engine.

Source and target connections, flows and runs are :class:`~mock_flowservice.model.Document`
records: their create bodies share the checks of ``name`` and ``description``, their PATCH
bodies are JSON Patch applied within the paths each resource allows, and their reads and
references are of the caller's tenant only.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Mapping
from typing import Any

from .. import engine
from ..clock import now_ms
from ..config import MockConfig
from ..engine import Action, QueryArgs, ResourceType
from ..engine.documents import patch_fields
from ..engine.jsonpatch import parse_patch
from ..errors import invalid_request, missing_field
from ..model import Caller, Document, Tenant
from ..storage import Store
from ..validation import body_field
from .usage import refuse_if_used

__all__ = [
    "CHANGEABLE_STATES",
    "COMMON_FIELDS",
    "DRAFT_STATE",
    "PUBLISH",
    "delete_document",
    "described",
    "document_action",
    "document_type",
    "list_documents",
    "new_document",
    "patch_document",
    "require_object",
    "retrieve_document",
    "search_documents",
]

DRAFT_STATE = "draft"

#: Members every pipeline object serves: identity, audit, scope, state and version.
COMMON_FIELDS = frozenset(
    {"id", "createdAt", "updatedAt", "createdBy", "updatedBy", "createdClient", "updatedClient",
     "sandboxId", "sandboxName", "imsOrgId", "state", "version", "etag", "lastOperation"}
)  # fmt: skip
#: The one action of source and target connections: a draft is published (1409 otherwise).
PUBLISH = {"publish": Action("publish", from_states=frozenset({DRAFT_STATE}), to_state="enabled")}


#: States in which a connection (base, source, target) may be patched (FACTS B.4 ``1416``).
CHANGEABLE_STATES = frozenset({"enabled", "disabled", "initializing"})


def document_type(
    kind: str,
    own_fields: Iterable[str],
    actions: Mapping[str, Action] | None = None,
    patch_states: frozenset[str] | None = CHANGEABLE_STATES,
) -> ResourceType[Document]:
    """The description of a pipeline collection: its members beside the common ones."""
    return ResourceType(
        kind=kind,
        fields=COMMON_FIELDS | frozenset(own_fields),
        render=lambda record, mask: record.to_json(mask),
        decode=Document.from_state,
        actions=dict(actions or {}),
        patch_states=patch_states,
    )


def require_object(body: Any) -> dict[str, Any]:
    if not isinstance(body, dict):
        raise invalid_request("The request body must be a JSON object.")
    return body


def described(body: dict[str, Any]) -> dict[str, Any]:
    """``name`` (required, non-empty) and ``description`` (optional) of a create body."""
    name = body_field(body, "name", "name", str, required=True)
    if not name.strip():
        raise missing_field("name")
    fields: dict[str, Any] = {"name": name}
    description = body_field(body, "description", "description", str, required=False)
    if description is not None:
        fields["description"] = description
    return fields


def new_document(
    store: Store, tenant: Tenant, caller: Caller, fields: dict[str, Any], *, draft: bool = False
) -> Document:
    """A new record: server-set identity and audit fields (by the mock's clock), the given
    fields, its state."""
    identity = engine.new_identity(tenant, caller, now_ms(store))
    return Document(
        **identity,
        fields=fields,
        state=DRAFT_STATE if draft else "enabled",
        last_operation="draft_create" if draft else "create",
    )


def patch_document(
    store: Store,
    rtype: ResourceType[Document],
    tenant: Tenant,
    caller: Caller,
    record_id: str,
    ops: Any,
    if_match: str | None,
    *,
    patchable: Collection[str],
    frozen: Collection[str] = (),
    check: Callable[[Document, dict[str, Any]], dict[str, Any]] | None = None,
) -> Document:
    """PATCH of a pipeline object: 404, then 1403 without ``If-Match``, then the ops (1455,
    1414), then the resource's ``check`` of the new fields, atomically with the etag."""
    engine.retrieve(store, rtype, tenant, record_id)
    expected = engine.require_if_match(if_match)
    instructions = parse_patch(ops)

    def change(current: Document) -> Document:
        fields = patch_fields(current.fields, instructions, patchable=patchable, frozen=frozen)
        if check is not None:
            fields = check(current, fields)
        return current.touched(caller, fields=fields, last_operation="update")

    return engine.patch(store, rtype, tenant, record_id, expected, change)


# -- the operations every pipeline collection shares -----------------------------------------


def list_documents(
    store: Store, config: MockConfig, rtype: ResourceType[Document], tenant: Tenant, args: QueryArgs
) -> dict[str, Any]:
    """``GET /{collection}``: a page of the tenant's records (or their count)."""
    return engine.list_page(store, rtype, tenant, args, config)


def search_documents(
    store: Store,
    config: MockConfig,
    rtype: ResourceType[Document],
    tenant: Tenant,
    body: Any,
    continuation: str | None,
) -> dict[str, Any]:
    """``POST /{collection}/search``: the listing with its parameters in a body."""
    return engine.list_page(store, rtype, tenant, engine.search_args(body, continuation), config)


def retrieve_document(
    store: Store, rtype: ResourceType[Document], tenant: Tenant, record_id: str
) -> Document:
    return engine.retrieve(store, rtype, tenant, record_id)


def delete_document(
    store: Store,
    config: MockConfig,
    rtype: ResourceType[Document],
    tenant: Tenant,
    record_id: str,
) -> None:
    """``DELETE /{collection}/{id}``; a connection a flow still uses is refused (1447)."""
    engine.retrieve(store, rtype, tenant, record_id)
    refuse_if_used(store, config, tenant, record_id, base=False)
    engine.delete(store, rtype, tenant, record_id)


def document_action(
    store: Store,
    rtype: ResourceType[Document],
    tenant: Tenant,
    caller: Caller,
    record_id: str,
    op: str,
    check: Callable[[Document], None] | None = None,
) -> Document:
    """``POST /{collection}/{id}/action?op=...`` with the ops the description lists; ``check``
    adds the resource's own refusals."""
    return engine.apply_action(store, rtype, tenant, caller, record_id, op, check)
