"""``/connectionSpecs`` calls and the Microsoft Dynamics shortcut (Adobe's Dynamics tutorial)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from ._connections import ConnectionsMixin, listing, single_item
from ._errors import DecodingError, NoResultError
from ._models import ConnectionSpec, CreatedRef
from ._paging import Filters, path_id, property_params, resolve_next

__all__ = [
    "DYNAMICS_BASIC_AUTH",
    "DYNAMICS_SERVICE_PRINCIPAL_AUTH",
    "DYNAMICS_SPEC_ID",
    "SpecsMixin",
    "dynamics_auth",
]

DYNAMICS_SPEC_ID = "38ad80fe-8b06-4938-94f4-d4ee80266b07"
DYNAMICS_BASIC_AUTH = "Basic Authentication for Dynamics-Online"
DYNAMICS_SERVICE_PRINCIPAL_AUTH = "Service Principal Key Based Authentication"


class SpecsMixin(ConnectionsMixin):
    """Connection-spec calls plus :meth:`create_dynamics_connection`."""

    def list_connection_specs(self, filters: Filters = ()) -> list[ConnectionSpec]:
        """``GET /connectionSpecs`` (every page), e.g. ``filters={"name": '"dynamics-online"'}``."""
        params: dict[str, str | list[str]] = {}
        expressions = property_params(filters)
        if expressions:
            params["property"] = expressions
        specs: list[ConnectionSpec] = []
        path, seen = "/connectionSpecs", set()
        while True:
            body = self._transport.request("GET", path, params=params)
            items, href = listing(body, "list_connection_specs")
            specs.extend(ConnectionSpec.from_dict(item) for item in items)
            if href is None:
                return specs
            if href in seen:
                raise DecodingError("pagination loop: the same next link came back twice")
            seen.add(href)
            path, params = resolve_next(href, self._transport.base_url, params)

    def retrieve_connection_spec(self, spec_id: str) -> ConnectionSpec:
        """``GET /connectionSpecs/{id}`` (the body is wrapped in ``items``)."""
        body = self._transport.request("GET", f"/connectionSpecs/{path_id(spec_id)}")
        return ConnectionSpec.from_dict(single_item(body, "retrieve_connection_spec"))

    def create_connection_spec(self, spec: Mapping[str, Any]) -> ConnectionSpec:
        """``POST /connectionSpecs`` (Sources SDK): author a spec for your org.

        ``spec`` needs ``name`` and ``providerId``; the answer is the new spec (not wrapped).
        """
        body = self._transport.request("POST", "/connectionSpecs", body=dict(spec))
        return ConnectionSpec.from_dict(body)

    def update_connection_spec(
        self, spec_id: str, spec: Mapping[str, Any], *, etag: str | None = None
    ) -> ConnectionSpec:
        """``PUT /connectionSpecs/{id}`` (Sources SDK): replace a spec your org authored."""
        headers = {"If-Match": etag} if etag else None
        path = f"/connectionSpecs/{path_id(spec_id)}"
        body = self._transport.request("PUT", path, body=dict(spec), headers=headers)
        return ConnectionSpec.from_dict(body)

    def find_connection_spec(self, name: str) -> ConnectionSpec:
        """The spec whose ``name`` is ``name`` (``property=name=="<name>"``).

        Raises :class:`~flowservice_client.NoResultError` when there is none.
        """
        specs = self.list_connection_specs([f"name=={json.dumps(name)}"])
        for spec in specs:
            if spec.name == name:
                return spec
        raise NoResultError(f"no connection spec named {name!r}")

    def create_dynamics_connection(
        self,
        name: str,
        *,
        service_uri: str,
        username: str | None = None,
        password: str | None = None,
        service_principal_id: str | None = None,
        service_principal_key: str | None = None,
        description: str | None = None,
    ) -> CreatedRef:
        """Create a Microsoft Dynamics base connection with exactly one auth style.

        ``username`` + ``password`` selects ``Basic Authentication for Dynamics-Online``;
        ``service_principal_id`` + ``service_principal_key`` selects ``Service Principal Key
        Based Authentication``. Anything else is a ``ValueError``.
        """
        spec_name, params = dynamics_auth(
            service_uri,
            username=username,
            password=password,
            service_principal_id=service_principal_id,
            service_principal_key=service_principal_key,
        )
        return self.create_connection(
            name, DYNAMICS_SPEC_ID, spec_name, params, description=description
        )


def dynamics_auth(
    service_uri: str,
    *,
    username: str | None = None,
    password: str | None = None,
    service_principal_id: str | None = None,
    service_principal_key: str | None = None,
) -> tuple[str, dict[str, Any]]:
    """``(specName, params)`` for the one Dynamics auth style the arguments describe."""
    basic = (username, password)
    principal = (service_principal_id, service_principal_key)
    uses_basic = any(v is not None for v in basic)
    uses_principal = any(v is not None for v in principal)
    if uses_basic == uses_principal:
        raise ValueError(
            "give either username and password, or service_principal_id and "
            "service_principal_key (exactly one auth style)"
        )
    if not service_uri:
        raise ValueError("service_uri is required")
    if uses_basic:
        if not all(basic):
            raise ValueError("basic authentication needs both username and password")
        return DYNAMICS_BASIC_AUTH, {
            "serviceUri": service_uri,
            "username": username,
            "password": password,
        }
    if not all(principal):
        raise ValueError("service principal authentication needs both id and key")
    return DYNAMICS_SERVICE_PRINCIPAL_AUTH, {
        "serviceUri": service_uri,
        "servicePrincipalId": service_principal_id,
        "servicePrincipalKey": service_principal_key,
    }
