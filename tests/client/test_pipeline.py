"""The client's source-connection calls against a mock over a loopback socket."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import requests
from flowservice_client import (
    DYNAMICS_SPEC_ID,
    BadRequestError,
    FlowServiceClient,
    NotFoundError,
    PreconditionFailedError,
    SourceConnection,
)

pytestmark = pytest.mark.server

ORG = "5C1328435BF324E90A49402A@AdobeOrg"


@pytest.fixture
def fs(mock_server: Any) -> Iterator[FlowServiceClient]:
    client = FlowServiceClient(
        mock_server.url + "/data/foundation/flowservice",
        access_token="test-token",
        api_key="test-client",
        org_id=ORG,
        sandbox="prod",
        retries=0,
    )
    with client:
        yield client
    mock_server.reset()


def _base(fs: FlowServiceClient) -> str:
    return fs.create_dynamics_connection(
        "Dynamics", service_uri="https://contoso.crm.dynamics.com", username="u", password="p"
    ).id


def test_source_connection_lifecycle(fs: FlowServiceClient) -> None:
    base_id = _base(fs)
    created = [
        fs.create_source_connection(f"src-{table}", base_id, DYNAMICS_SPEC_ID, {"tableName": table})
        for table in ("contact", "lead", "account")
    ]
    source = fs.retrieve_source_connection(created[0].id)
    assert isinstance(source, SourceConnection)
    assert (source.base_connection_id, source.params["tableName"]) == (base_id, "contact")
    assert source.connection_spec_id == DYNAMICS_SPEC_ID
    listed = list(fs.list_source_connections(limit=2))  # follows the next link
    assert [s.id for s in listed] == [c.id for c in created]
    assert fs.count_source_connections({"params.tableName": "lead"}) == 1
    assert [s.name for s in fs.search_source_connections("params.tableName==account").items] == [
        "src-account"
    ]
    updated = fs.patch_source_connection(
        source.id, [{"op": "replace", "path": "/name", "value": "renamed"}]
    )
    assert updated.etag != source.etag
    with pytest.raises(PreconditionFailedError):
        fs.patch_source_connection(
            source.id, [{"op": "replace", "path": "/name", "value": "x"}], if_match=source.etag
        )
    fs.delete_source_connection(source.id)
    with pytest.raises(NotFoundError) as gone:
        fs.retrieve_source_connection(source.id)
    assert gone.value.code == "FLOW-1439-404"


def test_source_connection_draft_and_refusal(fs: FlowServiceClient) -> None:
    base_id = _base(fs)
    draft = fs.create_source_connection(
        "draft", base_id, DYNAMICS_SPEC_ID, {"tableName": "lead"}, draft=True
    )
    assert fs.retrieve_source_connection(draft.id).state == "draft"
    fs.publish_source_connection(draft.id)
    assert fs.retrieve_source_connection(draft.id).state == "enabled"
    with pytest.raises(BadRequestError) as refused:
        fs.create_source_connection("bad", base_id, DYNAMICS_SPEC_ID, {}, data_format="xml")
    assert refused.value.code == "FLOW-1327-400"


def test_the_tutorial_chain_through_the_client(fs: FlowServiceClient) -> None:
    """Base connection → source → Data Lake target → CRMToAEP → flow → disable/enable."""
    base_id = _base(fs)
    source = fs.create_source_connection(
        "contacts", base_id, DYNAMICS_SPEC_ID, {"tableName": "contact"}
    )
    target = fs.create_target_connection(
        "lake", "6889f4f89b982b2b90bc1207", "https://ns.adobe.com/acme/schemas/contact"
    )
    assert fs.retrieve_target_connection(target.id).dataset_id == "6889f4f89b982b2b90bc1207"
    spec = fs.find_flow_spec("CRMToAEP")
    assert DYNAMICS_SPEC_ID in spec.source_connection_spec_ids
    assert fs.retrieve_flow_spec(spec.id) == spec
    created = fs.create_flow(
        {
            "name": "contacts to the lake",
            "flowSpec": {"id": spec.id, "version": "1.0"},
            "sourceConnectionIds": [source.id],
            "targetConnectionIds": [target.id],
            "transformations": [
                {"name": "Copy", "params": {"deltaColumn": {"name": "modifiedon"}}},
                {"name": "Mapping", "params": {"mappingId": "93ddfa69c4864d978832b1e5ef6ec3b9"}},
            ],
            "scheduleParams": {"startTime": 1700000000, "frequency": "hour", "interval": 1},
        }
    )
    flow = fs.retrieve_flow(created.id)
    assert (flow.state, flow.flow_spec_id, flow.source_connection_ids) == (
        "enabled",
        spec.id,
        (source.id,),
    )
    fs.disable_flow(flow.id)
    assert fs.retrieve_flow(flow.id).state == "disabled"
    with pytest.raises(BadRequestError) as refused:
        fs.disable_flow(flow.id)
    assert refused.value.code == "FLOW-1422-400"
    fs.enable_flow(flow.id)
    fs.patch_flow(flow.id, [{"op": "replace", "path": "/scheduleParams/interval", "value": 2}])
    assert fs.retrieve_flow(flow.id).schedule["interval"] == 2
    assert [f.id for f in fs.list_flows({"state": "enabled"})] == [flow.id]
    assert fs.count_flows() == 1
    assert [f.id for f in fs.search_flows("state==enabled").items] == [flow.id]
    with pytest.raises(BadRequestError) as in_use:
        fs.delete_source_connection(source.id)
    assert in_use.value.code == "FLOW-1447-400"
    fs.delete_flow(flow.id)
    fs.delete_source_connection(source.id)
    fs.delete_target_connection(target.id)
    with pytest.raises(NotFoundError):
        fs.retrieve_flow(flow.id)


def test_the_pipeline_from_the_command_line(
    fs: FlowServiceClient, mock_server: Any, tmp_path: Any
) -> None:
    import json

    from click.testing import CliRunner
    from flowservice_client._cli import cli

    env = {
        "FLOWSERVICE_BASE_URL": mock_server.url + "/data/foundation/flowservice",
        "FLOWSERVICE_ACCESS_TOKEN": "test-token",
        "FLOWSERVICE_API_KEY": "test-client",
        "FLOWSERVICE_ORG_ID": ORG,
    }
    runner = CliRunner()

    def flowservice(*args: str) -> Any:
        result = runner.invoke(cli, list(args), env=env)
        assert result.exit_code == 0, (result.output, repr(result.exception))
        return json.loads(result.stdout)

    base_id = _base(fs)
    body = tmp_path / "source.json"
    body.write_text(
        json.dumps(
            {
                "name": "contacts",
                "baseConnectionId": base_id,
                "data": {"format": "tabular"},
                "params": {"tableName": "contact"},
                "connectionSpec": {"id": DYNAMICS_SPEC_ID, "version": "1.0"},
            }
        )
    )
    source = flowservice("sources", "create", str(body))
    assert [s["id"] for s in flowservice("sources", "list")] == [source["id"]]
    target = fs.create_target_connection(
        "lake", "6889f4f89b982b2b90bc1207", "https://ns.adobe.com/acme/schemas/contact"
    )
    assert flowservice("targets", "get", target.id)["params"]["dataSetId"] == (
        "6889f4f89b982b2b90bc1207"
    )
    flow_body = tmp_path / "flow.json"
    flow_body.write_text(
        json.dumps(
            {
                "name": "contacts to the lake",
                "flowSpec": {"id": fs.find_flow_spec("CRMToAEP").id, "version": "1.0"},
                "sourceConnectionIds": [source["id"]],
                "targetConnectionIds": [target.id],
                "transformations": [
                    {"name": "Copy", "params": {"deltaColumn": {"name": "modifiedon"}}}
                ],
                "scheduleParams": {"startTime": 1767225600, "frequency": "hour", "interval": 1},
            }
        )
    )
    flow = flowservice("flows", "create", str(flow_body))
    requests.post(
        mock_server.url + "/__mock__/clock",
        json={"freeze": True, "set": 1767225600000 + 61_000},
        timeout=10,
    )
    assert flowservice("flows", "disable", flow["id"])["id"] == flow["id"]
    assert flowservice("flows", "get", flow["id"])["state"] == "disabled"
    flowservice("flows", "enable", flow["id"])
    (run,) = flowservice("runs", "list", "--flow", flow["id"])
    assert run["state"] == "success"
    waited = flowservice("runs", "wait", run["id"], "--timeout", "5", "--interval", "0.1")
    assert waited["metrics"]["recordSummary"]["inputRecordCount"] == 24
    refused = runner.invoke(cli, ["sources", "delete", source["id"]], env=env)
    assert refused.exit_code == 1
    assert "FLOW-1447-400" in refused.stderr
    assert flowservice("flows", "delete", flow["id"])["deleted"] is True
    bad = tmp_path / "bad.json"
    bad.write_text("{not json")
    assert runner.invoke(cli, ["sources", "create", str(bad)], env=env).exit_code == 2


def test_sources_sdk_authoring_through_the_client(fs: FlowServiceClient) -> None:
    """Author a connection spec and a flow spec, replace both, and find them by name."""
    provider = "0ed90a81-07f4-4586-8190-b40eccef1c5a"
    auth = {
        "name": "Basic Authentication",
        "type": "BasicAuthentication",
        "spec": {"type": "object", "properties": {"password": {"type": "string"}}},
    }
    spec = fs.create_connection_spec(
        {"name": "acme-client", "providerId": provider, "authSpec": [auth]}
    )
    assert [a.name for a in spec.auth_specs] == ["Basic Authentication"]
    assert fs.find_connection_spec("acme-client").id == spec.id
    renamed = fs.update_connection_spec(spec.id, {**spec.raw, "name": "acme-client-v2"})
    assert (renamed.id, renamed.name) == (spec.id, "acme-client-v2")
    flow_spec = fs.create_flow_spec(
        {
            "name": "AcmeClientToAEP",
            "providerId": provider,
            "sourceConnectionSpecIds": [spec.id],
            "targetConnectionSpecIds": ["c604ff05-7f1a-43c0-8e18-33bf874cb11c"],
        }
    )
    assert flow_spec.source_connection_spec_ids == (spec.id,)
    assert fs.find_flow_spec("AcmeClientToAEP").id == flow_spec.id
    updated = fs.update_flow_spec(flow_spec.id, {**flow_spec.raw, "targetConnectionSpecIds": []})
    assert updated.target_connection_spec_ids == ()
    with pytest.raises(BadRequestError):
        fs.update_connection_spec(DYNAMICS_SPEC_ID, {"name": "x", "providerId": provider})
    with pytest.raises(PreconditionFailedError):
        fs.update_flow_spec(flow_spec.id, flow_spec.raw, etag='"stale"')
    with pytest.raises(BadRequestError):
        fs.create_flow_spec({"name": "NoSuchSource", "providerId": provider,
                             "sourceConnectionSpecIds": ["nope"]})  # fmt: skip


def test_explore_with_a_row_filter_through_the_client(fs: FlowServiceClient) -> None:
    base = _base(fs)
    everyone = fs.explore_connection(base, "table", "contact", preview=True, preview_count=100)
    city = everyone["data"][0]["address1_city"]
    equal = {
        "nodeType": "fnApply",
        "fnName": "=",
        "params": [
            {"nodeType": "fieldLookup", "fieldName": "address1_city"},
            {"nodeType": "literal", "value": city},
        ],
    }
    kept = fs.explore_connection(
        base, "table", "contact", preview=True, preview_count=100,
        filters={"type": "PQL", "format": "pql/json", "value": equal},
    )  # fmt: skip
    assert kept["data"] == [row for row in everyone["data"] if row["address1_city"] == city]
    with pytest.raises(BadRequestError) as refused:
        fs.explore_connection(base, "table", "contact", preview=True, filters={"type": "SQL"})
    assert refused.value.code == "FLOW-1335-400"
