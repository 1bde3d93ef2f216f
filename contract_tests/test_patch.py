"""PATCH with ``If-Match`` on a Dynamics connection: the etag moves on, a stale one is 412.

A plain example beside the stateful machine, so every run (the live profile has very few
generated examples) exercises the documented update path (FACTS E.1).
"""

from __future__ import annotations

import pytest
from flowservice_client import FlowServiceClient, HTTPError

from .support import Cleanup, Names

SERVICE_URI = "https://contoso.crm.dynamics.com"


def test_patch_renames_and_a_stale_etag_is_refused(
    contract_client: FlowServiceClient, cleanup: Cleanup, contract_names: Names
) -> None:
    created = contract_client.create_dynamics_connection(
        contract_names.next(), service_uri=SERVICE_URI, username="contract-user", password="pw"
    )
    connection_id = cleanup.track(created.id)
    renamed = contract_names.next()
    ops = [{"op": "replace", "path": "/name", "value": renamed}]
    updated = contract_client.patch_connection(connection_id, ops, if_match=created.etag)
    assert updated.id == connection_id
    assert updated.etag
    assert updated.etag != created.etag
    assert contract_client.retrieve_connection(connection_id).name == renamed
    with pytest.raises(HTTPError) as stale:
        contract_client.patch_connection(connection_id, ops, if_match=created.etag)
    assert (stale.value.status, stale.value.code) == (412, "FLOW-1404-412")
