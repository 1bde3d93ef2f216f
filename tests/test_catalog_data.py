"""Checks of the generated catalog ``mock_flowservice/data/connection_specs.json``.

Tests that compare against the shared research file skip when it is not checked out
next to the repo (``../shared/flowservice/connection_specs.json``).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft7Validator

REPO_ROOT = Path(__file__).resolve().parents[1]
CATALOG_PATH = REPO_ROOT / "mock_flowservice" / "data" / "connection_specs.json"
BUILD_SCRIPT = REPO_ROOT / "tools" / "build_catalog.py"
SHARED_PATH = (
    Path(__file__).resolve().parents[1].parent / "shared" / "flowservice" / "connection_specs.json"
)

EXPECTED_SPEC_COUNT = 46
DYNAMICS_ID = "38ad80fe-8b06-4938-94f4-d4ee80266b07"
AFS_ID = "be5ec48c-5b78-49d5-b8fa-7c89ec4569b8"
DLZ_ID = "26f526f2-58f4-4712-961d-e41bf1ccc0e8"
BATCH_PROVIDER_ID = "0ed90a81-07f4-4586-8190-b40eccef1c5a"
STREAMING_PROVIDER_ID = "521eee4d-8cbe-4906-bb48-fb6bd4450033"
SAMPLE_VALUES: dict[str, Any] = {
    "string": "x",
    "integer": 1,
    "boolean": True,
    "object": {},
}
PROVENANCE_KEYS = {"sourceName", "nameInferred", "inferred", "docs"}

JsonObject = dict[str, Any]


def load_catalog() -> list[JsonObject]:
    document = json.loads(CATALOG_PATH.read_text(encoding="utf-8"))
    assert set(document) == {"specs"}
    specs: list[JsonObject] = document["specs"]
    return specs


def load_shared() -> JsonObject:
    if not SHARED_PATH.is_file():
        pytest.skip(f"shared reference file not present: {SHARED_PATH}")
    shared: JsonObject = json.loads(SHARED_PATH.read_text(encoding="utf-8"))
    return shared


def by_id(specs: list[JsonObject]) -> dict[str, JsonObject]:
    return {spec["id"]: spec for spec in specs}


def auth_by_name(spec: JsonObject) -> dict[str, JsonObject]:
    return {auth["name"]: auth for auth in spec["authSpec"]}


SPECS = load_catalog()
SPEC_IDS = [spec["id"] for spec in SPECS]
AUTH_CASES = [
    pytest.param(spec, auth, id=f"{spec['name']}:{auth['name']}")
    for spec in SPECS
    for auth in spec["authSpec"]
]


def test_catalog_has_46_specs_with_unique_ids_and_names() -> None:
    assert len(SPECS) == EXPECTED_SPEC_COUNT
    assert len(set(SPEC_IDS)) == len(SPEC_IDS)
    names = [spec["name"] for spec in SPECS]
    assert len(set(names)) == len(names)


@pytest.mark.parametrize("spec", SPECS, ids=SPEC_IDS)
def test_spec_object_shape(spec: JsonObject) -> None:
    assert spec["version"] == "1.0"
    assert spec["providerId"] in {BATCH_PROVIDER_ID, STREAMING_PROVIDER_ID}
    assert spec["name"] == spec["name"].lower()
    assert " " not in spec["name"]
    assert isinstance(spec["authSpec"], list)
    attributes = spec["attributes"]
    assert attributes["isSource"] is True
    assert isinstance(attributes["isDraftModeSupported"], bool)
    assert attributes["uiAttributes"] == {"apiFeatures": {"explorePaginationSupported": False}}
    ui = spec["sourceSpec"]["attributes"]["uiAttributes"]
    assert ui["isSource"] is True
    assert ui["category"]["key"]
    assert ui["label"]["key"]
    Draft7Validator.check_schema(spec["sourceSpec"]["spec"])
    if "exploreSpec" in spec:
        explore = spec["exploreSpec"]
        assert explore["type"] in {"Tabular", "FileSystem", "Resource"}
        assert explore["name"] == explore["type"]
        tabular = "tableName" in spec["sourceSpec"]["spec"]["properties"]
        assert tabular == (explore["type"] == "Tabular")
        assert attributes["isDraftModeSupported"] == (explore["type"] == "FileSystem")
    else:
        assert spec["providerId"] == STREAMING_PROVIDER_ID
    assert spec["permissionsInfo"] == {
        "manage": [{"@type": "lowLevel", "name": "EnterpriseSource", "permissions": ["write"]}],
        "view": [{"@type": "lowLevel", "name": "EnterpriseSource", "permissions": ["read"]}],
    }


@pytest.mark.parametrize("spec", SPECS, ids=SPEC_IDS)
def test_provenance(spec: JsonObject) -> None:
    provenance = spec["_provenance"]
    assert set(provenance) == PROVENANCE_KEYS
    assert isinstance(provenance["sourceName"], str)
    assert provenance["sourceName"]
    assert isinstance(provenance["nameInferred"], bool)
    assert provenance["nameInferred"] == ("name" in provenance["inferred"])
    assert all(isinstance(item, str) for item in provenance["inferred"])
    assert provenance["docs"]
    assert all(isinstance(item, str) for item in provenance["docs"])
    assert [key for key in spec if key.startswith("_")] == ["_provenance"]


@pytest.mark.parametrize(("spec", "auth"), AUTH_CASES)
def test_auth_spec_schema_is_valid_draft7(spec: JsonObject, auth: JsonObject) -> None:
    del spec
    assert set(auth) <= {"name", "type", "settings", "spec"}
    assert isinstance(auth["type"], str)
    assert auth["type"]
    schema = auth["spec"]
    Draft7Validator.check_schema(schema)
    assert schema["$schema"] == "http://json-schema.org/draft-07/schema#"
    assert schema["type"] == "object"
    assert isinstance(schema["description"], str)
    assert schema["description"]
    assert set(schema["required"]) <= set(schema["properties"])
    assert len(set(schema["required"])) == len(schema["required"])
    for prop in schema["properties"].values():
        assert prop["type"] in {"string", "integer", "boolean", "object"}
        assert prop["description"]
        assert prop.get("format", "password") == "password"


def test_every_spec_has_auth_specs_except_data_landing_zone() -> None:
    for spec in SPECS:
        if spec["id"] == DLZ_ID:
            assert spec["authSpec"] == []
        else:
            assert spec["authSpec"], spec["name"]


def test_dynamics_is_exactly_as_documented() -> None:
    dynamics = by_id(SPECS)[DYNAMICS_ID]
    assert dynamics["name"] == "dynamics-online"
    assert dynamics["providerId"] == BATCH_PROVIDER_ID
    assert dynamics["version"] == "1.0"
    assert dynamics["_provenance"]["nameInferred"] is False
    assert [a["name"] for a in dynamics["authSpec"]] == [
        "Basic Authentication for Dynamics-Online",
        "Service Principal Key Based Authentication",
    ]
    basic, principal = dynamics["authSpec"]
    assert basic["type"] == "BasicAuthentication"
    assert basic["settings"] == {
        "authenticationType": "Office365",
        "deploymentType": "Online",
    }
    props = basic["spec"]["properties"]
    assert list(props) == ["serviceUri", "username", "password"]
    assert props["password"]["format"] == "password"
    assert "format" not in props["serviceUri"]
    assert "format" not in props["username"]
    assert basic["spec"]["required"] == ["username", "password", "serviceUri"]

    assert "settings" not in principal
    props = principal["spec"]["properties"]
    assert list(props) == ["serviceUri", "servicePrincipalId", "servicePrincipalKey"]
    assert props["servicePrincipalKey"]["format"] == "password"
    assert "format" not in props["serviceUri"]
    assert "format" not in props["servicePrincipalId"]
    assert principal["spec"]["required"] == [
        "serviceUri",
        "servicePrincipalId",
        "servicePrincipalKey",
    ]
    inferred = dynamics["_provenance"]["inferred"]
    assert "authSpec[Service Principal Key Based Authentication].type" in inferred
    assert "authSpec[Service Principal Key Based Authentication].spec.required" in inferred


def test_azure_file_storage_required_uses_documented_param_names() -> None:
    afs = by_id(SPECS)[AFS_ID]
    assert afs["name"] == "azure-file-storage"
    assert afs["attributes"]["isDraftModeSupported"] is True
    (auth,) = afs["authSpec"]
    assert auth["type"] == "basicAuthentication"
    assert auth["spec"]["required"] == ["host", "userId", "password"]
    assert any("userid" in item for item in afs["_provenance"]["inferred"])
    body = {"host": "h", "userId": "u", "password": "p"}
    assert not list(Draft7Validator(auth["spec"]).iter_errors(body))


def test_catalog_matches_shared_sources() -> None:
    shared = load_shared()
    sources = shared["sources"]
    assert [s["id"] for s in sources] == SPEC_IDS
    for source, spec in zip(sources, SPECS, strict=True):
        provenance = spec["_provenance"]
        assert provenance["sourceName"] == source["name"]
        assert provenance["docs"][: len(source["source"])] == source["source"]
        if source.get("connectionSpecName"):
            assert spec["name"] == source["connectionSpecName"]
            assert provenance["nameInferred"] is False
        if source.get("providerId"):
            assert spec["providerId"] == source["providerId"]
        assert [a["name"] for a in spec["authSpec"]] == [a["specName"] for a in source["authSpecs"]]
        for auth_source, auth in zip(source["authSpecs"], spec["authSpec"], strict=True):
            if auth_source.get("type"):
                assert auth["type"] == auth_source["type"]
            if "settings" in auth_source:
                assert auth["settings"] == auth_source["settings"]
            else:
                assert "settings" not in auth


def shared_auth_cases() -> list[Any]:
    if not SHARED_PATH.is_file():
        return [pytest.param(None, None, None, id="shared-missing")]
    shared = json.loads(SHARED_PATH.read_text(encoding="utf-8"))
    catalog = by_id(SPECS)
    return [
        pytest.param(
            source["name"],
            auth_source,
            auth_by_name(catalog[source["id"]])[auth_source["specName"]],
            id=f"{source['name']}:{auth_source['specName']}",
        )
        for source in shared["sources"]
        for auth_source in source["authSpecs"]
    ]


@pytest.mark.parametrize(("source_name", "auth_source", "auth"), shared_auth_cases())
def test_params_match_shared_file(
    source_name: str | None, auth_source: JsonObject | None, auth: JsonObject | None
) -> None:
    load_shared()
    assert source_name is not None
    assert auth_source is not None
    assert auth is not None
    properties = auth["spec"]["properties"]
    params = auth_source["params"]
    assert list(properties) == [p["name"] for p in params]
    for param in params:
        prop = properties[param["name"]]
        assert prop["type"] == param["type"]
        if param["secret"]:
            assert prop.get("format") == "password", param["name"]
        else:
            assert "format" not in prop, param["name"]
    required = auth["spec"]["required"]
    if "specRequired" not in auth_source:
        # Only a published required list may drop a flagged param (Salesforce Basic).
        flagged = {p["name"] for p in params if p["required"]}
        assert set(required) <= flagged
    sample = {p["name"]: SAMPLE_VALUES[p["type"]] for p in params}
    errors = [e.message for e in Draft7Validator(auth["spec"]).iter_errors(sample)]
    assert errors == []
    strict = {**auth["spec"], "additionalProperties": False}
    assert not list(Draft7Validator(strict).iter_errors(sample))


def test_build_script_reproduces_committed_file(tmp_path: Path) -> None:
    load_shared()
    output = tmp_path / "connection_specs.json"
    result = subprocess.run(
        [sys.executable, str(BUILD_SCRIPT), str(SHARED_PATH), "--output", str(output)],
        capture_output=True,
        text=True,
        check=False,
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr
    assert output.read_text(encoding="utf-8") == CATALOG_PATH.read_text(encoding="utf-8")
