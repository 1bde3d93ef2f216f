"""Checks of the generated pipeline catalog (flow specs, target connection specs) and its loader.

``mock_flowservice/data/flow_specs.json`` and ``target_connection_specs.json`` come from
``tools/build_flow_specs.py``; the loader is ``mock_flowservice.flow_catalog``.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft7Validator

from mock_flowservice.catalog import Catalog
from mock_flowservice.flow_catalog import (
    FlowSpecCatalog,
    SchemaIssue,
    coerce_to_schema,
    load_flow_specs,
    target_specs,
)

REPO_ROOT = Path(__file__).resolve().parents[1]
DATA = REPO_ROOT / "mock_flowservice" / "data"
FLOW_PATH = DATA / "flow_specs.json"
TARGET_PATH = DATA / "target_connection_specs.json"
CATALOG_PATH = DATA / "connection_specs.json"
BUILD_SCRIPT = REPO_ROOT / "tools" / "build_flow_specs.py"

CRM_ID = "14518937-270c-4525-bdec-c2ba7cce3860"
CLOUD_ID = "9753525b-82c7-4dce-8a9b-5ccfce2b9876"
HTTP_FLOW_ID = "c1a19761-d2c7-4702-b9fa-fe91f0613e81"
MARKETO_ID = "15f8402c-ba66-4626-b54c-9f8e54244d61"
DATA_LAKE_ID = "c604ff05-7f1a-43c0-8e18-33bf874cb11c"
BATCH_PROVIDER_ID = "0ed90a81-07f4-4586-8190-b40eccef1c5a"
DYNAMICS_ID = "38ad80fe-8b06-4938-94f4-d4ee80266b07"
SALESFORCE_ID = "cfc0fee1-7dc0-40ef-b73e-d8b134c436f5"
S3_ID = "ecadc60c-7455-4d87-84dc-2a0e293d997b"
HTTP_API_ID = "bc7b00d6-623a-4dfc-9fdb-f1240aeadaeb"

#: Published CRMToAEP source ids that our connection spec catalog does not hold, and why.
CRM_IDS_NOT_IN_CATALOG = {
    "6a8d82bc-1caf-45d1-908d-cadabc9d63a6",  # Apache Spark on Azure HDInsights, no auth specs
    "a8b6a1a4-5735-42b4-952c-85dce0ac38b5",  # unidentified in the research
    "a8f4d393-1a6b-43f3-931f-91a16ed857f4",  # unidentified in the research
    "fcad62f3-09b0-41d3-be11-449d5a621b69",  # unidentified in the research
}

Json = dict[str, Any]


def read(path: Path) -> list[Json]:
    document = json.loads(path.read_text(encoding="utf-8"))
    assert set(document) == {"specs"}
    specs: list[Json] = document["specs"]
    return specs


FLOW_SPECS = read(FLOW_PATH)
TARGET_SPECS = read(TARGET_PATH)
FLOWS = {spec["id"]: spec for spec in FLOW_SPECS}
CATALOG_IDS = {spec["id"] for spec in read(CATALOG_PATH)}


def embedded_schemas(spec: Json) -> Iterator[tuple[str, Json]]:
    for item in spec.get("transformationSpecs", []):
        yield f"transformationSpecs[{item['name']}]", item["spec"]
    for key in ("scheduleSpec", "optionSpec", "runSpec", "targetSpec"):
        if key in spec:
            yield key, spec[key]["spec"]


SCHEMA_CASES = [
    pytest.param(schema, id=f"{spec['name']}:{where}")
    for spec in FLOW_SPECS + TARGET_SPECS
    for where, schema in embedded_schemas(spec)
]


def schedule_validator() -> Draft7Validator:
    return Draft7Validator(FLOWS[CRM_ID]["scheduleSpec"]["spec"])


# --- the generated files -----------------------------------------------------------------------


def test_regeneration_is_byte_identical(tmp_path: Path) -> None:
    flows, targets = tmp_path / "flows.json", tmp_path / "targets.json"
    result = subprocess.run(
        [sys.executable, str(BUILD_SCRIPT), "--catalog", str(CATALOG_PATH),
         "--flow-output", str(flows), "--target-output", str(targets)],
        capture_output=True, text=True, check=False, cwd=tmp_path,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert flows.read_bytes() == FLOW_PATH.read_bytes()
    assert targets.read_bytes() == TARGET_PATH.read_bytes()


def test_flow_spec_ids_and_names() -> None:
    assert [s["id"] for s in FLOW_SPECS] == [CRM_ID, CLOUD_ID, HTTP_FLOW_ID, MARKETO_ID]
    names = [s["name"] for s in FLOW_SPECS]
    assert names[:2] == ["CRMToAEP", "CloudStorageToAEP"]
    assert len(set(names)) == len(names)


def test_crm_to_aep_is_as_documented() -> None:
    crm = FLOWS[CRM_ID]
    assert crm["name"] == "CRMToAEP"
    assert crm["providerId"] == BATCH_PROVIDER_ID
    assert crm["version"] == "1.0"
    ids = crm["sourceConnectionSpecIds"]
    assert len(ids) == 31
    assert len(set(ids)) == 31
    assert ids[:2] == ["3416976c-a9ca-4bba-901a-1f08f66978ff", DYNAMICS_ID]
    assert ids[-1] == "e9d7ec6b-0873-4e57-ad21-b3a7c65e310b"
    assert SALESFORCE_ID in ids
    assert crm["targetConnectionSpecIds"] == [DATA_LAKE_ID]
    assert crm["attributes"] == {
        "recordTypeEnabled": True,
        "defaultRecordType": "profile",
        "isSourceFlow": True,
        "flacValidationSupported": True,
        "isDraftModeSupported": True,
        "frequency": "batch",
        "notification": {"category": "sources", "flowRun": {"enabled": True}},
    }
    assert crm["permissionsInfo"] == {
        "manage": [{"@type": "lowLevel", "name": "EnterpriseSource", "permissions": ["write"]}],
        "view": [{"@type": "lowLevel", "name": "EnterpriseSource", "permissions": ["read"]}],
    }
    assert [t["name"] for t in crm["transformationSpecs"]] == ["Copy", "Mapping"]
    assert crm["scheduleSpec"]["name"] == "PeriodicSchedule"
    assert crm["scheduleSpec"]["type"] == "Periodic"
    assert crm["runSpec"]["name"] == "ProviderParams"
    assert set(crm["optionSpec"]["spec"]["properties"]) == {
        "errorDiagnosticsEnabled",
        "partialIngestionPercent",
    }
    assert crm["runSpec"]["spec"]["required"] == [
        "startTime", "windowStartTime", "windowEndTime", "deltaColumn",
    ]  # fmt: skip


def test_field_names_follow_the_oas_flow_spec_item() -> None:
    """Top-level keys are FlowSpecItemDTO's (plus scheduleSpec/runSpec of the create DTO)."""
    allowed = {
        "id", "name", "providerId", "version", "sourceConnectionSpecIds",
        "targetConnectionSpecIds", "optionSpec", "transformationSpecs", "scheduleSpec",
        "attributes", "permissionsInfo", "runSpec", "_provenance",
    }  # fmt: skip
    for spec in FLOW_SPECS:
        assert set(spec) <= allowed, spec["name"]
        assert {"id", "name", "providerId", "version", "targetConnectionSpecIds"} <= set(spec)


@pytest.mark.parametrize("schema", SCHEMA_CASES)
def test_every_embedded_schema_is_valid_draft7(schema: Json) -> None:
    assert schema["$schema"] == "http://json-schema.org/draft-07/schema#"
    Draft7Validator.check_schema(schema)


def test_schedule_schema_rules() -> None:
    validator = schedule_validator()
    assert validator.is_valid({"startTime": 1, "frequency": "once"})
    assert not validator.is_valid({"startTime": 1, "frequency": "once", "interval": 15})
    assert not validator.is_valid({"startTime": 1, "frequency": "once", "backfill": True})
    assert not validator.is_valid({"startTime": 1, "frequency": "minute", "interval": 14})
    assert validator.is_valid({"startTime": 1, "frequency": "minute", "interval": 15})
    assert not validator.is_valid({"startTime": 1, "frequency": "hour"})
    assert validator.is_valid({"startTime": 1, "frequency": "hour", "interval": 1})
    assert not validator.is_valid({"startTime": 1, "frequency": "day", "interval": 0})
    assert not validator.is_valid({"startTime": 1, "frequency": "month", "interval": 1})
    assert not validator.is_valid({"frequency": "once"})


def test_copy_requires_delta_column_name() -> None:
    copy_spec = next(t for t in FLOWS[CRM_ID]["transformationSpecs"] if t["name"] == "Copy")
    validator = Draft7Validator(copy_spec["spec"])
    assert not validator.is_valid({})
    assert not validator.is_valid({"deltaColumn": {"dateFormat": "YYYY-MM-DD"}})
    assert validator.is_valid({"deltaColumn": {"name": "modifiedon"}})


def test_option_spec_partial_ingestion_is_exclusive_minimum() -> None:
    validator = Draft7Validator(FLOWS[CRM_ID]["optionSpec"]["spec"])
    assert not validator.is_valid({"partialIngestionPercent": 0})
    assert validator.is_valid({"partialIngestionPercent": 5, "errorDiagnosticsEnabled": True})


def test_source_spec_ids_exist_in_the_catalog_except_listed_ones() -> None:
    missing = {
        (spec["name"], i)
        for spec in FLOW_SPECS
        for i in spec["sourceConnectionSpecIds"]
        if i not in CATALOG_IDS
    }
    assert missing == {("CRMToAEP", i) for i in CRM_IDS_NOT_IN_CATALOG}
    recorded = FLOWS[CRM_ID]["_provenance"]["sourceSpecIdsNotInCatalog"]
    assert set(recorded) == CRM_IDS_NOT_IN_CATALOG
    assert all(reason for reason in recorded.values())


def test_cloud_storage_admits_the_batch_file_sources_of_the_catalog() -> None:
    catalog = read(CATALOG_PATH)
    file_ids = [
        s["id"] for s in catalog
        if s.get("exploreSpec", {}).get("type") == "FileSystem"
        and s["providerId"] == BATCH_PROVIDER_ID
    ]  # fmt: skip
    cloud = FLOWS[CLOUD_ID]
    assert cloud["name"] == "CloudStorageToAEP"
    assert cloud["sourceConnectionSpecIds"] == file_ids
    assert S3_ID in file_ids
    assert not set(file_ids) & set(FLOWS[CRM_ID]["sourceConnectionSpecIds"])
    assert [t["name"] for t in cloud["transformationSpecs"]] == ["Mapping"]


def test_other_flow_specs() -> None:
    assert FLOWS[HTTP_FLOW_ID]["sourceConnectionSpecIds"] == [HTTP_API_ID]
    assert "scheduleSpec" not in FLOWS[HTTP_FLOW_ID]
    assert FLOWS[MARKETO_ID]["sourceConnectionSpecIds"] == []
    for spec in FLOW_SPECS:
        assert spec["targetConnectionSpecIds"] == [DATA_LAKE_ID]


def test_provenance_says_documented_and_inferred() -> None:
    for spec in FLOW_SPECS + TARGET_SPECS:
        prov = spec["_provenance"]
        assert prov["documented"], spec["name"]
        assert prov["docs"], spec["name"]
        assert isinstance(prov["inferred"], list)
    assert any(i.startswith("name") for i in FLOWS[HTTP_FLOW_ID]["_provenance"]["inferred"])
    assert "name" in FLOWS[CRM_ID]["_provenance"]["documented"]


# --- target connection specs -------------------------------------------------------------------


def test_data_lake_target_spec_shape() -> None:
    assert [s["id"] for s in TARGET_SPECS] == [DATA_LAKE_ID]
    lake = TARGET_SPECS[0]
    assert lake["name"] == "datalake"
    assert lake["version"] == "1.0"
    assert lake["attributes"]["isSource"] is False
    assert lake["attributes"]["isDestination"] is False
    assert lake["authSpec"] == []
    # Shaped like a connection spec: the connection-spec keys it has are the same kinds.
    sample = next(s for s in read(CATALOG_PATH) if s["id"] == DYNAMICS_ID)
    assert {"id", "name", "providerId", "version", "authSpec", "attributes",
            "permissionsInfo"} <= set(lake) & set(sample)  # fmt: skip
    assert lake["permissionsInfo"] == sample["permissionsInfo"]


def test_data_lake_target_spec_schema() -> None:
    validator = Draft7Validator(TARGET_SPECS[0]["targetSpec"]["spec"])
    schema = {
        "id": "https://ns.adobe.com/{TENANT_ID}/schemas/52b59140414aa6a370ef5e21155fd7a686744b8739ecc168",
        "version": "application/vnd.adobe.xed-full+json;version=1",
    }  # fmt: skip
    good = {"data": {"schema": schema}, "params": {"dataSetId": "6889f4f89b982b2b90bc1207"}}
    assert validator.is_valid(good)
    assert validator.is_valid({**good, "data": {"format": "parquet_xdm", "schema": schema}})
    assert validator.is_valid({**good, "data": {"format": "anything", "schema": schema}})
    assert not validator.is_valid({**good, "params": {}})
    assert not validator.is_valid({**good, "params": {"dataSetId": "6889f4f89b982b2b90bc120"}})
    assert not validator.is_valid({**good, "params": {"dataSetId": "6889f4f89b982b2b90bc120z"}})
    assert not validator.is_valid({**good, "data": {"schema": {"id": schema["id"]}}})
    assert not validator.is_valid({"params": good["params"]})


def test_catalog_loader_serves_target_specs_unchanged() -> None:
    """The connection-spec model of ``catalog.py`` accepts a target spec entry as it is."""
    catalog = Catalog.from_json({"specs": TARGET_SPECS})
    served = catalog.get(DATA_LAKE_ID)
    assert served is not None
    assert served.as_json() == {k: v for k, v in TARGET_SPECS[0].items() if k != "_provenance"}


# --- loader ------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def flows() -> FlowSpecCatalog:
    return load_flow_specs()


def test_loader_get_all_by_name(flows: FlowSpecCatalog) -> None:
    assert load_flow_specs() is flows
    assert len(flows) == len(FLOW_SPECS)
    crm = flows.get(CRM_ID)
    assert crm is not None
    assert "_provenance" not in crm
    assert crm == {k: v for k, v in FLOWS[CRM_ID].items() if k != "_provenance"}
    assert flows.get("nope") is None
    assert [s["id"] for s in flows.all()] == [s["id"] for s in FLOW_SPECS]
    assert flows.by_name("CRMToAEP") == crm
    assert flows.by_name("crmtoaep") is None
    crm["name"] = "mutated"
    assert flows.by_name("CRMToAEP") is not None
    assert flows.get(CRM_ID) == flows.by_name("CRMToAEP")


def test_loader_admits(flows: FlowSpecCatalog) -> None:
    assert flows.admits_source(CRM_ID, DYNAMICS_ID)
    assert not flows.admits_source(CRM_ID, S3_ID)
    assert flows.admits_source(CLOUD_ID, S3_ID)
    assert not flows.admits_source("nope", DYNAMICS_ID)
    assert flows.admits_target(CRM_ID, DATA_LAKE_ID)
    assert not flows.admits_target(CRM_ID, DYNAMICS_ID)
    assert not flows.admits_target("nope", DATA_LAKE_ID)
    assert flows.for_source(DYNAMICS_ID) == [CRM_ID]
    assert flows.for_source(HTTP_API_ID) == [HTTP_FLOW_ID]


def issues_of(found: list[SchemaIssue]) -> set[tuple[str, str]]:
    return {(i.path, i.keyword) for i in found}


def test_loader_schedule_validation(flows: FlowSpecCatalog) -> None:
    assert flows.validate_schedule(CRM_ID, {"startTime": 1, "frequency": "once"}) == []
    found = flows.validate_schedule(
        CRM_ID, {"startTime": 1, "frequency": "once", "interval": 15, "backfill": True}
    )
    assert issues_of(found) == {("/interval", "not"), ("/backfill", "not")}
    found = flows.validate_schedule(CRM_ID, {"startTime": 1, "frequency": "minute", "interval": 14})
    assert found == [SchemaIssue("/interval", "minimum", "must be >= 15")]
    assert flows.validate_schedule(
        CRM_ID, {"startTime": 1, "frequency": "minute", "interval": 15}
    ) == []  # fmt: skip
    found = flows.validate_schedule(CRM_ID, {"frequency": "yearly"})
    assert ("/startTime", "required") in issues_of(found)
    assert ("/frequency", "enum") in issues_of(found)
    assert issues_of(flows.validate_schedule(CRM_ID, "daily")) == {("", "type")}


def test_loader_accepts_the_documented_string_forms(flows: FlowSpecCatalog) -> None:
    documented = {"startTime": "1612310466", "frequency": "minute", "interval": "15",
                  "backfill": "true"}  # fmt: skip
    assert flows.validate_schedule(CRM_ID, documented) == []
    assert flows.validate_schedule(CRM_ID, documented, coerce=False) != []
    assert issues_of(flows.validate_schedule(CRM_ID, {**documented, "interval": "14"})) == {
        ("/interval", "minimum")
    }
    assert issues_of(flows.validate_schedule(CRM_ID, {**documented, "interval": "x"})) == {
        ("/interval", "type")
    }
    mapping = {"mappingId": "93ddfa69c4864d978832b1e5ef6ec3b9", "mappingVersion": 0}
    assert flows.validate_transformation(CRM_ID, "Mapping", mapping) == []
    run = {"startTime": "1663735590", "windowStartTime": "1651584991",
           "windowEndTime": "16515859567", "deltaColumn": {"name": "DOB"}}  # fmt: skip
    assert flows.validate_run_params(CRM_ID, run) == []
    assert documented["interval"] == "15"  # the caller's value is not touched


def test_loader_issues_never_echo_values(flows: FlowSpecCatalog) -> None:
    secret = "s3cr3t-value-1234"
    found = flows.validate_schedule(
        CRM_ID, {"startTime": secret, "frequency": secret, "interval": secret, "backfill": secret}
    )
    assert found
    for issue in found:
        assert secret not in issue.message
        assert secret not in issue.path
        assert set(issue.as_json()) == {"path", "keyword", "message"}
    lake = target_specs().validate(DATA_LAKE_ID, {"data": {"schema": {}},
                                                  "params": {"dataSetId": secret}})  # fmt: skip
    assert ("/params/dataSetId", "pattern") in issues_of(lake)
    assert all(secret not in i.message for i in lake)


def test_loader_transformations_options_and_runs(flows: FlowSpecCatalog) -> None:
    assert issues_of(flows.validate_transformation(CRM_ID, "Copy", {})) == {
        ("/deltaColumn", "required")
    }
    assert issues_of(flows.validate_transformation(CRM_ID, "Copy", {"deltaColumn": {}})) == {
        ("/deltaColumn/name", "required")
    }
    assert flows.validate_transformation(CRM_ID, "Copy", {"deltaColumn": {"name": "x"}}) == []
    with pytest.raises(KeyError):
        flows.validate_transformation(CLOUD_ID, "Copy", {})
    with pytest.raises(KeyError):
        flows.validate_schedule("nope", {})
    assert issues_of(flows.validate_options(CRM_ID, {"partialIngestionPercent": "0"})) == {
        ("/partialIngestionPercent", "exclusiveMinimum")
    }
    assert issues_of(flows.validate_run_params(CRM_ID, {"startTime": 1})) == {
        ("/windowStartTime", "required"), ("/windowEndTime", "required"),
        ("/deltaColumn", "required"),
    }  # fmt: skip
    spec = flows.spec(HTTP_FLOW_ID)
    assert spec is not None
    assert spec.transformation_names == ("Mapping",)
    with pytest.raises(LookupError):
        spec.validate_schedule({"startTime": 1, "frequency": "once"})
    with pytest.raises(LookupError):
        flows.validate_run_params(CLOUD_ID, {})


def test_coerce_to_schema() -> None:
    schema = {"type": "object", "properties": {
        "n": {"type": "integer"}, "f": {"type": "number"}, "b": {"type": "boolean"},
        "s": {"type": "string"}, "o": {"type": "object", "properties": {"i": {"type": "integer"}}},
    }}  # fmt: skip
    value = {"n": "15", "f": "0.5", "b": "TRUE", "s": 0, "o": {"i": "-3"}, "x": "7"}
    assert coerce_to_schema(value, schema) == {
        "n": 15, "f": 0.5, "b": True, "s": "0", "o": {"i": -3}, "x": "7",
    }  # fmt: skip
    assert coerce_to_schema({"n": "1.5", "b": "yes", "s": True}, schema) == {
        "n": "1.5", "b": "yes", "s": True,
    }  # fmt: skip
    assert value["n"] == "15"


def test_target_specs_loader() -> None:
    lakes = target_specs()
    assert target_specs() is lakes
    assert len(lakes) == 1
    assert lakes.ids() == (DATA_LAKE_ID,)
    lake = lakes.get(DATA_LAKE_ID)
    assert lake is not None
    assert "_provenance" not in lake
    assert lakes.by_name("datalake") == lake
    assert lakes.get("nope") is None
    assert lakes.all() == [lake]
    good = {"data": {"format": "parquet_xdm", "schema": {"id": "x", "version": "1"}},
            "params": {"dataSetId": "5c8c3c555033b814b69f947f"}}  # fmt: skip
    assert lakes.validate(DATA_LAKE_ID, good) == []
    assert issues_of(lakes.validate(DATA_LAKE_ID, {"data": good["data"], "params": {}})) == {
        ("/params/dataSetId", "required")
    }
    with pytest.raises(KeyError):
        lakes.validate("nope", good)


def test_loader_compiles_every_part_of_every_packaged_spec_when_used() -> None:
    """Validators compile on first use, not at load: here each one is used once."""
    catalog = FlowSpecCatalog.from_json({"specs": FLOW_SPECS})
    parts = 0
    for spec in catalog:
        assert "transformations" not in vars(spec)  # nothing compiled by loading
        validators = [*spec.transformations.values(), spec.schedule, spec.options, spec.run_params]
        for validator in filter(None, validators):
            assert isinstance(validator, Draft7Validator)
            parts += 1
        assert spec.transformations is spec.transformations  # compiled once
    assert parts >= len(FLOW_SPECS)
    lakes = target_specs()
    assert isinstance(lakes.validator(DATA_LAKE_ID), Draft7Validator)
    assert lakes.validator(DATA_LAKE_ID) is lakes.validator(DATA_LAKE_ID)


def test_loader_module_imports_no_flask_or_other_mock_modules() -> None:
    source = (REPO_ROOT / "mock_flowservice" / "flow_catalog.py").read_text(encoding="utf-8")
    lines = [line.strip() for line in source.splitlines()]  # jsonschema: imported on first use
    imports = [line for line in lines if line.startswith(("import ", "from "))]
    assert any("jsonschema" in line for line in imports)
    assert not [line for line in imports if "flask" in line or "mock_flowservice" in line]
