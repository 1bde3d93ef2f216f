"""Fidelity of the connection spec objects (FACTS F.1-F.3, FACTS-2 section 7; issue 14).

Checks the generated catalog as data and as ``GET /connectionSpecs`` serves it: every spec has
``attributes.connectorName``, a complete ``sourceSpec`` (name, type, spec and the UI attributes
as ``{"key": ...}`` objects) and, where it can be explored, an ``exploreSpec`` with request and
response specs that the mock's own explore answers satisfy.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from flask.testing import FlaskClient
from jsonschema import Draft7Validator

from mock_flowservice.explore import browse

from .support import BASE_PATH, HEADERS

REPO_ROOT = Path(__file__).resolve().parents[1]
CATALOG_PATH = REPO_ROOT / "mock_flowservice" / "data" / "connection_specs.json"
SPECS_URL = BASE_PATH + "/connectionSpecs"

DRAFT7 = "http://json-schema.org/draft-07/schema#"
DYNAMICS_ID = "38ad80fe-8b06-4938-94f4-d4ee80266b07"
SALESFORCE_ID = "cfc0fee1-7dc0-40ef-b73e-d8b134c436f5"
GCS_ID = "32e8f412-cdf7-464c-9885-78184cb113fd"
SHOPIFY_ID = "4f63aa36-bd48-4e33-bb83-49fbcd11c708"
KINESIS_ID = "86043421-563b-46ec-8e6c-e23184711bf6"
BIGQUERY_ID = "3c9b37f8-13a6-43d8-bad3-b863b941fedd"
#: Kinesis, Event Hubs, Pub/Sub and HTTP API: streaming, nothing to explore.
STREAMING_IDS = frozenset(
    {
        KINESIS_ID,
        "bf9f5905-92b7-48bf-bf20-455bc6b60a4e",
        "70116022-a743-464a-bbfe-e226a7f8210c",
        "bc7b00d6-623a-4dfc-9fdb-f1240aeadaeb",
    }
)
#: The category keys the OAS ``SourceSpecDTO`` lists for uiAttributes.category.
OAS_CATEGORY_KEYS = frozenset(
    {
        "advertising",
        "cloudStorage",
        "crm",
        "customerSuccess",
        "database",
        "ecommerce",
        "marketingAutomation",
        "payments",
        "protocols",
        "streaming",
    }
)
UI_KEYS = ["documentationLink", "isSource", "category", "icon", "description", "label"]
RESPONSE_KEYS = {
    "Tabular": ["root", "table", "view"],
    "FileSystem": ["root", "folder", "file"],
    "Resource": ["root", "rest"],
}

JsonObject = dict[str, Any]


def load_specs() -> list[JsonObject]:
    specs: list[JsonObject] = json.loads(CATALOG_PATH.read_text(encoding="utf-8"))["specs"]
    return specs


SPECS = load_specs()
BY_ID = {spec["id"]: spec for spec in SPECS}
IDS = [spec["name"] for spec in SPECS]
EXPLORABLE = [spec for spec in SPECS if "exploreSpec" in spec]


def served(spec: JsonObject) -> JsonObject:
    """The spec as the app serves it (the loader drops ``_``-keys)."""
    return {k: v for k, v in spec.items() if not k.startswith("_")}


# --- attributes ---------------------------------------------------------------------------------


@pytest.mark.parametrize("spec", SPECS, ids=IDS)
def test_connector_name_is_the_display_name(spec: JsonObject) -> None:
    attributes = spec["attributes"]
    assert attributes["connectorName"] == spec["_provenance"]["sourceName"]
    assert "attributes.connectorName" in spec["_provenance"]["inferred"]


def test_dynamics_attributes_as_published() -> None:
    attributes = BY_ID[DYNAMICS_ID]["attributes"]
    assert attributes["category"] == "CRM"
    assert attributes["isSource"] is True
    assert attributes["documentationLink"] == (
        "http://www.adobe.com/go/data-connector-Microsoft-Dynamics-en"
    )
    assert attributes["uiAttributes"] == {"apiFeatures": {"explorePaginationSupported": False}}


def test_only_dynamics_has_a_published_top_level_documentation_link() -> None:
    assert [s["id"] for s in SPECS if "documentationLink" in s["attributes"]] == [DYNAMICS_ID]


# --- sourceSpec ---------------------------------------------------------------------------------


@pytest.mark.parametrize("spec", SPECS, ids=IDS)
def test_source_spec_is_complete(spec: JsonObject) -> None:
    source_spec = spec["sourceSpec"]
    assert list(source_spec) == ["name", "type", "spec", "attributes"]
    category = spec["attributes"]["category"]
    assert source_spec["type"] == category.replace(" ", "")
    assert source_spec["name"] == source_spec["type"]
    schema = source_spec["spec"]
    Draft7Validator.check_schema(schema)
    assert schema["$schema"] == DRAFT7
    assert schema["type"] == "object"
    assert schema["description"]
    assert set(schema.get("required", [])) <= set(schema["properties"])


@pytest.mark.parametrize("spec", SPECS, ids=IDS)
def test_ui_attributes_are_key_objects(spec: JsonObject) -> None:
    ui = spec["sourceSpec"]["attributes"]["uiAttributes"]
    assert list(ui) == UI_KEYS
    assert ui["documentationLink"].startswith("http://www.adobe.com/go/")
    assert ui["isSource"] is True
    for name in ("category", "icon", "description", "label"):
        assert list(ui[name]) == ["key"], name
        assert isinstance(ui[name]["key"], str)
        assert ui[name]["key"]
    assert ui["category"]["key"] in OAS_CATEGORY_KEYS
    assert ui["description"]["key"].endswith("Description")
    assert ui["label"]["key"].endswith("Label")


def test_shopify_category_key_is_spelled_as_the_oas_lists_it() -> None:
    ui = BY_ID[SHOPIFY_ID]["sourceSpec"]["attributes"]["uiAttributes"]
    assert ui["category"] == {"key": "ecommerce"}


def test_dynamics_source_spec_as_published() -> None:
    dynamics = BY_ID[DYNAMICS_ID]
    ui = dynamics["sourceSpec"]["attributes"]["uiAttributes"]
    assert ui == {
        "documentationLink": "http://www.adobe.com/go/sources-dynamics-en",
        "isSource": True,
        "category": {"key": "crm"},
        "icon": {"key": "msDynamics"},
        "description": {"key": "microsoftDynamicsDescription"},
        "label": {"key": "microsoftDynamicsLabel"},
    }
    spec = dynamics["sourceSpec"]["spec"]
    assert spec["required"] == ["tableName", "columns"]
    assert spec["properties"]["columns"]["items"]["required"] == ["name", "type", "meta"]
    inferred = dynamics["_provenance"]["inferred"]
    assert "sourceSpec.attributes.uiAttributes" not in inferred
    assert "sourceSpec.spec" not in inferred


def test_google_cloud_storage_uses_the_oas_field_examples() -> None:
    gcs = BY_ID[GCS_ID]
    assert gcs["attributes"]["connectorName"] == "Google Cloud Storage"
    assert gcs["sourceSpec"]["name"] == "CloudStorage"
    assert gcs["sourceSpec"]["type"] == "CloudStorage"
    ui = gcs["sourceSpec"]["attributes"]["uiAttributes"]
    assert ui["documentationLink"] == "http://www.adobe.com/go/sources-google-cloud-storage-en"
    assert ui["icon"] == {"key": "google"}
    assert ui["category"] == {"key": "cloudStorage"}
    assert gcs["exploreSpec"]["type"] == "FileSystem"


@pytest.mark.parametrize("spec", EXPLORABLE, ids=[s["name"] for s in EXPLORABLE])
def test_source_spec_fits_the_explore_type(spec: JsonObject) -> None:
    properties = spec["sourceSpec"]["spec"]["properties"]
    kind = spec["exploreSpec"]["type"]
    if kind == "Tabular":
        assert set(properties) == {"tableName", "columns"}
    elif kind == "FileSystem":
        assert set(properties) == {"path", "recursive"}
        assert properties["recursive"] == {
            "type": "boolean",
            "default": False,
            "description": properties["recursive"]["description"],
        }
    else:
        assert properties == {}


# --- exploreSpec --------------------------------------------------------------------------------


def test_streaming_sources_alone_have_no_explore_spec() -> None:
    assert {s["id"] for s in SPECS if "exploreSpec" not in s} == STREAMING_IDS


@pytest.mark.parametrize("spec", EXPLORABLE, ids=[s["name"] for s in EXPLORABLE])
def test_explore_spec_has_request_and_response_specs(spec: JsonObject) -> None:
    explore = spec["exploreSpec"]
    assert list(explore) == ["name", "type", "requestSpec", "responseSpec"]
    assert explore["requestSpec"] == {"$schema": DRAFT7, "type": "object"}
    responses = explore["responseSpec"]
    assert list(responses) == RESPONSE_KEYS[explore["type"]]
    for schema in responses.values():
        Draft7Validator.check_schema(schema)
        assert schema["$schema"] == DRAFT7
    inferred = spec["_provenance"]["inferred"]
    if spec["id"] == SALESFORCE_ID:
        # The type is published; the request and response specs are not.
        assert "exploreSpec" not in inferred
        assert {"exploreSpec.requestSpec", "exploreSpec.responseSpec"} <= set(inferred)
    else:
        assert "exploreSpec" in inferred


def explore_queries(spec: JsonObject) -> list[tuple[str, dict[str, str]]]:
    """One query per objectType of the spec's responseSpec, on an object the mock has."""
    root = browse(served(spec), {"objectType": "root"})
    queries: list[tuple[str, dict[str, str]]] = [("root", {"objectType": "root"})]
    kind = spec["exploreSpec"]["type"]
    if kind == "Tabular":
        for object_type in ("table", "view"):
            entry = next(e for e in root if e["type"] == object_type)
            query = {"objectType": object_type, "object": entry["path"], "preview": "true"}
            queries.append((object_type, query))
    elif kind == "FileSystem":
        folder = next(e for e in root if e["type"] == "folder")
        queries.append(("folder", {"objectType": "folder", "object": folder["path"]}))
        path = folder["path"]
        while True:
            entries = browse(served(spec), {"objectType": "folder", "object": path})
            file_entry = next((e for e in entries if e["type"] == "file"), None)
            if file_entry is not None:
                break
            path = next(e for e in entries if e["type"] == "folder")["path"]
        query = {
            "objectType": "file",
            "object": file_entry["path"],
            "preview": "true",
            "determineProperties": "true",
        }
        queries.append(("file", query))
    else:
        queries.append(("rest", {"objectType": "rest", "object": "json", "preview": "true"}))
    return queries


@pytest.mark.parametrize("spec", EXPLORABLE, ids=[s["name"] for s in EXPLORABLE])
def test_explore_answers_match_the_response_spec(spec: JsonObject) -> None:
    responses = spec["exploreSpec"]["responseSpec"]
    queries = explore_queries(spec)
    assert [name for name, _ in queries] == list(responses)
    for object_type, query in queries:
        body = browse(served(spec), query)
        errors = [e.message for e in Draft7Validator(responses[object_type]).iter_errors(body)]
        assert errors == [], (object_type, query)


# --- served over HTTP ---------------------------------------------------------------------------


@pytest.mark.parametrize("spec_id", [DYNAMICS_ID, GCS_ID, KINESIS_ID, BIGQUERY_ID])
def test_retrieve_serves_the_complete_spec(client: FlaskClient, spec_id: str) -> None:
    response = client.get(f"{SPECS_URL}/{spec_id}", headers=HEADERS)
    assert response.status_code == 200
    (item,) = response.json["items"]
    assert item == served(BY_ID[spec_id])
    assert item["attributes"]["connectorName"]
    assert set(item["sourceSpec"]) == {"name", "type", "spec", "attributes"}
    assert ("exploreSpec" in item) == (spec_id not in STREAMING_IDS)


def test_list_serves_the_new_fields_for_every_spec(client: FlaskClient) -> None:
    served = client.get(SPECS_URL, headers=HEADERS).json["items"]
    items = [item for item in served if "sourceSpec" in item]  # the targets come after
    assert [item["id"] for item in items] == [spec["id"] for spec in SPECS]
    assert [item["name"] for item in served if "sourceSpec" not in item] == ["datalake"]
    for item in items:
        assert item["attributes"]["connectorName"]
        ui = item["sourceSpec"]["attributes"]["uiAttributes"]
        assert {"documentationLink", "icon", "description"} <= set(ui)
        if "exploreSpec" in item:
            assert {"requestSpec", "responseSpec"} <= set(item["exploreSpec"])


def test_filter_by_connector_name(client: FlaskClient) -> None:
    query = 'property=attributes.connectorName=="Microsoft Dynamics"'
    items = client.get(f"{SPECS_URL}?{query}", headers=HEADERS).json["items"]
    assert [item["id"] for item in items] == [DYNAMICS_ID]


# --- auth spec required lists (FACTS F.5; DECISIONS.md) -----------------------------------------


def auth_spec(spec_id: str, name: str) -> JsonObject:
    (auth,) = [a for a in BY_ID[spec_id]["authSpec"] if a["name"] == name]
    return auth


def salesforce_basic_body() -> JsonObject:
    """The update.md sample's Basic Authentication params (FACTS C.3), placeholder values."""
    return {
        "name": "Salesforce connection",
        "auth": {
            "specName": "Basic Authentication",
            "params": {
                "environmentUrl": "login.salesforce.com",
                "username": "my-salesforce-account",
                "password": "sf-password",
                "securityToken": "sf-security-token",
            },
        },
        "connectionSpec": {"id": SALESFORCE_ID, "version": "1.0"},
    }


def test_salesforce_basic_authentication_requires_environment_url() -> None:
    auth = auth_spec(SALESFORCE_ID, "Basic Authentication")
    assert auth["spec"]["required"] == ["username", "password", "securityToken", "environmentUrl"]
    inferred = BY_ID[SALESFORCE_ID]["_provenance"]["inferred"]
    assert any(
        item.startswith("authSpec[Basic Authentication].spec.required ('environmentUrl'")
        for item in inferred
    )


def test_salesforce_create_without_environment_url_is_1304(client: FlaskClient) -> None:
    url = BASE_PATH + "/connections"
    body = salesforce_basic_body()
    assert client.post(url, json=body, headers=HEADERS).status_code == 201
    del body["auth"]["params"]["environmentUrl"]
    refused = client.post(url, json=body, headers=HEADERS)
    assert refused.status_code == 400
    assert refused.json["type"].endswith("FLOW-1304-400")
    assert "auth.params.environmentUrl" in refused.json["errorMessage"]


# --- inferred values (issue 14, item 5) ---------------------------------------------------------


def count_inferred(predicate: Callable[[str], bool]) -> int:
    return sum(1 for spec in SPECS for item in spec["_provenance"]["inferred"] if predicate(item))


def test_kinesis_provider_id_is_the_one_its_create_request_sends() -> None:
    kinesis = BY_ID[KINESIS_ID]
    assert kinesis["providerId"] == "521eee4d-8cbe-4906-bb48-fb6bd4450033"
    assert "providerId" not in kinesis["_provenance"]["inferred"]
    assert any("providerId" in doc for doc in kinesis["_provenance"]["docs"])


def test_bigquery_basic_authentication_type_is_the_documented_one() -> None:
    auth = auth_spec(BIGQUERY_ID, "Basic Authentication")
    assert auth["type"] == "OAuth2.0"
    inferred = BY_ID[BIGQUERY_ID]["_provenance"]["inferred"]
    assert "authSpec[Basic Authentication].type" not in inferred
    assert "authSpec[Service Authentication].type" in inferred


def test_remaining_inferred_counts() -> None:
    """What no source states (before issue 14: providerId 37, auth type 52)."""
    assert count_inferred(lambda item: item == "name") == 35
    assert count_inferred(lambda item: item == "providerId") == 36
    assert count_inferred(lambda item: item.endswith("].type")) == 51
    assert count_inferred(lambda item: item.endswith(".format")) == 61
    assert count_inferred(lambda item: item == "exploreSpec") == 41
