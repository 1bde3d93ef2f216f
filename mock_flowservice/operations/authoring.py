"""Specs authored with the Sources SDK: ``POST``/``PUT`` on ``/connectionSpecs`` and ``/flowSpecs``.

An authored spec belongs to the IMS org that made it (DECISIONS.md "Authored specs"): every
sandbox of that org lists it after the built-in catalog and can create connections, source and
target connections and flows with it; other orgs never see it. It is stored under the org's
:data:`ORG_SCOPE` tenant, and its ``sandboxId``/``sandboxName`` record the sandbox it was made
in. A create answers 201 and a replacement 200 with the bare spec object (not wrapped in
``items``), audit fields first, as Adobe's examples show.

Bodies are checked before anything is stored: an object with ``name`` and ``providerId``
(``1304-400`` when absent), known members only, JSON Schemas that compile (draft-07) wherever
a spec carries one, and a flow spec's connection spec ids naming specs the org can use; each
refusal is ``1100-400`` naming the member. Members the server sets (``id``, the audit fields)
are ignored in a body, so a read object can be sent back as a ``PUT``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from .. import engine
from ..catalog import Catalog, ConnectionSpec
from ..clock import now_ms
from ..engine import ResourceType
from ..errors import FlowError, invalid_request, missing_field, not_found
from ..flow_catalog import FlowSpec, FlowSpecCatalog
from ..model import Caller, Document, Tenant, audit_fields, etag_value, sandbox_id
from ..storage import Store
from ..validation import body_field
from .common import COMMON_FIELDS

__all__ = [
    "AUTHORED_CONNECTION_SPECS",
    "AUTHORED_FLOW_SPECS",
    "CONNECTION_SPECS",
    "FLOW_SPECS",
    "ORG_SCOPE",
    "Authored",
    "OrgSpecs",
    "create_spec",
    "org_specs",
    "replace_spec",
]

#: The sandbox part of the tenant that holds an org's authored specs (no sandbox has this name).
ORG_SCOPE = "*"

#: Members of a spec body the server sets: ignored when a client sends them.
_SERVER_SET = COMMON_FIELDS - {"state", "version", "lastOperation"}
_CONNECTION_SPEC_MEMBERS: Mapping[str, type] = {
    "name": str, "providerId": str, "version": str, "type": str, "settings": dict,
    "attributes": dict, "authSpec": list, "encryptionSpecs": list, "sourceSpec": dict,
    "targetSpec": dict, "exploreSpec": dict, "permissionsInfo": dict, "entitlementInfo": list,
    "policy": dict,
}  # fmt: skip
_FLOW_SPEC_MEMBERS: Mapping[str, type] = {
    "name": str, "providerId": str, "version": str, "type": str, "attributes": dict,
    "transformationSpecs": list, "optionSpec": dict, "scheduleSpec": dict, "runSpec": dict,
    "permissionsInfo": dict, "entitlementInfo": list, "policy": dict,
    "sourceConnectionSpecIds": list, "targetConnectionSpecIds": list,
}  # fmt: skip
#: Adobe's file names the transformations of a create request ``transformationSpecDTOS``; a spec
#: reads back with ``transformationSpecs``. Both are accepted, stored as the second.
_ALIASES = {"transformationSpecDTOS": "transformationSpecs"}


def _render(record: Document, _mask: str = "") -> dict[str, Any]:
    """The spec as served: audit fields (sandbox of the create), then the spec's members."""
    return {**audit_fields(record), **record.fields}


CONNECTION_SPECS: ResourceType[Document] = ResourceType(
    kind="connectionSpecs",
    fields=frozenset(_SERVER_SET | set(_CONNECTION_SPEC_MEMBERS)),
    render=_render,
    decode=Document.from_state,
)
FLOW_SPECS: ResourceType[Document] = ResourceType(
    kind="flowSpecs",
    fields=frozenset(_SERVER_SET | set(_FLOW_SPEC_MEMBERS)),
    render=_render,
    decode=Document.from_state,
)


@dataclass(frozen=True)
class OrgSpecs:
    """What one org can use: the built-in catalogs with its authored specs after them."""

    connection_specs: Catalog
    flow_specs: FlowSpecCatalog


def _scope(tenant: Tenant) -> Tenant:
    return Tenant(tenant.org, ORG_SCOPE)


#: Compiled specs by ``(kind, id, etag)``: an authored spec is compiled once per version.
_COMPILED: dict[tuple[str, str, str], Any] = {}
_COMPILED_MAX = 512


def _compiled(record: Document, kind: str, build: Callable[[dict[str, Any]], Any]) -> Any:
    key = (kind, record.id, record.etag)
    found = _COMPILED.get(key)
    if found is None:
        if len(_COMPILED) >= _COMPILED_MAX:
            _COMPILED.clear()
        found = _COMPILED[key] = build(_render(record))
    return found


def org_specs(store: Store, catalog: Catalog, flow_specs: FlowSpecCatalog, org: str) -> OrgSpecs:
    """The connection and flow specs ``org`` can use (the built-in ones when it authored none)."""
    scope = Tenant(org, ORG_SCOPE)
    connection_specs = [
        _compiled(record, CONNECTION_SPECS.kind, ConnectionSpec.from_entry)
        for record in store.records(CONNECTION_SPECS.kind, scope)
    ]
    flows = [
        _compiled(record, FLOW_SPECS.kind, FlowSpec.from_entry)
        for record in store.records(FLOW_SPECS.kind, scope)
    ]
    return OrgSpecs(catalog.extended(connection_specs), flow_specs.extended(flows))


# -- operations -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Authored:
    """One kind of authored spec: its collection, its body check, its built-in lookup."""

    rtype: ResourceType[Document]
    check: Callable[[Any, OrgSpecs], dict[str, Any]]
    builtin: Callable[[OrgSpecs, str], object]


def create_spec(
    store: Store, kind: Authored, specs: OrgSpecs, tenant: Tenant, caller: Caller, body: Any
) -> Document:
    """``POST /connectionSpecs`` or ``/flowSpecs``: a checked spec, held for the caller's org."""
    return _create(store, kind.rtype, tenant, caller, kind.check(body, specs))


def replace_spec(
    store: Store,
    kind: Authored,
    specs: OrgSpecs,
    tenant: Tenant,
    caller: Caller,
    spec_id: str,
    body: Any,
    if_match: str | None,
) -> Document:
    """``PUT /{kind}/{id}``: the whole spec replaced (built-in specs are Adobe's)."""
    builtin = kind.builtin(specs, spec_id.lower())
    fields = kind.check(body, specs)
    return _replace(store, kind.rtype, tenant, caller, spec_id, fields, if_match, builtin)


def _create(
    store: Store, rtype: ResourceType[Document], tenant: Tenant, caller: Caller, fields: Any
) -> Document:
    identity = engine.new_identity(_scope(tenant), caller, now_ms(store))
    made_in = {"sandboxId": sandbox_id(tenant), "sandboxName": tenant.sandbox}
    record = Document(**identity, fields={**made_in, **fields})
    return engine.create(store, rtype, record)


def _replace(
    store: Store,
    rtype: ResourceType[Document],
    tenant: Tenant,
    caller: Caller,
    spec_id: str,
    fields: dict[str, Any],
    if_match: str | None,
    builtin: object,
) -> Document:
    scope = _scope(tenant)
    current = store.get(rtype.kind, scope, spec_id)
    if current is None:
        if builtin is not None:
            raise invalid_request(f"The spec {spec_id} is provided by Adobe and cannot be updated.")
        raise not_found(spec_id, rtype.report_type)
    expected = current.etag if if_match is None else etag_value(if_match)

    def change(record: Document) -> Document:
        made_in = {key: record.fields[key] for key in ("sandboxId", "sandboxName")}
        return record.touched(caller, fields={**made_in, **fields}, last_operation="update")

    return engine.update(store, rtype, scope, spec_id, expected, change)


# -- checks -----------------------------------------------------------------------------------


def _members(body: Any, allowed: Mapping[str, type], what: str) -> dict[str, Any]:
    """The spec's own members of a body: known, of their JSON type, server-set ones dropped."""
    if not isinstance(body, dict):
        raise invalid_request(f"The {what} must be a JSON object.")
    fields: dict[str, Any] = {}
    for key, value in body.items():
        name = str(_ALIASES.get(key, key) if allowed is _FLOW_SPEC_MEMBERS else key)
        if name in _SERVER_SET:
            continue
        if name not in allowed:
            raise invalid_request(f"Unknown field '{key[:64]}' in the {what}.")
        if value is not None:
            fields[name] = body_field(body, key, key, allowed[name], required=False)
    for key in ("name", "providerId"):
        if not str(fields.get(key, "")).strip():
            raise missing_field(key)
    fields.setdefault("version", "1.0")
    return fields


def _schema(value: Any, where: str) -> None:
    """Refuse a JSON Schema that draft-07 cannot compile (``where`` names the member)."""
    if not isinstance(value, dict):
        raise invalid_request(f"The field {where} must be a JSON Schema object.")
    from jsonschema import Draft7Validator, SchemaError  # on first use, not with the package

    try:
        Draft7Validator.check_schema(value)
    except SchemaError as error:
        keyword = ".".join(str(p) for p in error.path) or "the schema"
        raise invalid_request(
            f"The field {where} is not a valid JSON Schema ({keyword})."
        ) from None


def _named_specs(items: list[Any], where: str) -> None:
    """``[{"name": ..., "spec": {schema}}, ...]`` with distinct names."""
    seen: set[str] = set()
    for index, item in enumerate(items):
        at = f"{where}[{index}]"
        if not isinstance(item, dict):
            raise invalid_request(f"The field {at} must be a JSON object.")
        name = body_field(item, "name", f"{at}.name", str, required=True)
        if name in seen:
            raise invalid_request(f"The field {at}.name repeats the name of another entry.")
        seen.add(name)
        _schema(item.get("spec"), f"{at}.spec")


def _connection_spec_fields(body: Any, _specs: OrgSpecs) -> dict[str, Any]:
    fields = _members(body, _CONNECTION_SPEC_MEMBERS, "connection spec")
    _named_specs(fields.get("authSpec", []), "authSpec")
    for part in ("sourceSpec", "targetSpec"):
        if part in fields and "spec" in fields[part]:
            _schema(fields[part]["spec"], f"{part}.spec")
    return fields


def _flow_spec_fields(body: Any, specs: OrgSpecs) -> dict[str, Any]:
    fields = _members(body, _FLOW_SPEC_MEMBERS, "flow spec")
    _named_specs(fields.get("transformationSpecs", []), "transformationSpecs")
    for part in ("scheduleSpec", "optionSpec", "runSpec"):
        if part in fields:
            _schema(fields[part].get("spec"), f"{part}.spec")
    for member in ("sourceConnectionSpecIds", "targetConnectionSpecIds"):
        for index, spec_id in enumerate(fields.get(member, [])):
            at = f"{member}[{index}]"
            if not isinstance(spec_id, str):
                raise invalid_request(f"The field {at} must be a string.")
            if specs.connection_specs.get(spec_id.lower()) is None:
                raise FlowError("1413-400", id=spec_id[:64]).with_report(field=at)
    return fields


AUTHORED_CONNECTION_SPECS = Authored(
    CONNECTION_SPECS,
    _connection_spec_fields,
    lambda specs, spec_id: specs.connection_specs.get(spec_id),
)
AUTHORED_FLOW_SPECS = Authored(
    FLOW_SPECS, _flow_spec_fields, lambda specs, spec_id: specs.flow_specs.spec(spec_id)
)
