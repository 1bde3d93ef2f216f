"""Build the pipeline catalog: flow specs and target connection specs.

Writes ``mock_flowservice/data/flow_specs.json`` (flow spec objects as ``GET /flowSpecs``
serves them) and ``mock_flowservice/data/target_connection_specs.json`` (target connection
spec objects, shaped like the entries of ``connection_specs.json`` so ``/connectionSpecs``
can serve them unchanged). Both files are committed; the app loads only them.

Inputs: the facts collected in FACTS-2 (sections 3 and 4, ids and field names copied
exactly) and our own connection spec catalog ``mock_flowservice/data/connection_specs.json``
(run ``tools/build_catalog.py`` first when it changes), from which the source spec ids of
the flow specs whose lists are not published are derived.

Every spec carries one ``_provenance`` key that the loader strips: ``documented`` lists the
top-level fields (or dotted sub-fields) whose values a published sample shows, ``inferred``
the ones synthesized here, ``docs`` where the facts were seen and, where it applies,
``sourceSpecIdsNotInCatalog`` the listed source spec ids our catalog does not hold (with the
reason) and ``omittedSourceSpecIds`` published ids left out of a derived list for that reason.
Descriptions inside the JSON Schemas are our own words.

The output depends on nothing but the inputs: running the tool twice writes the same bytes.
Standard library only, so it runs without the project's virtualenv.
"""

from __future__ import annotations

import argparse
import copy
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parents[1]
DATA_DIR = Path("mock_flowservice") / "data"
DEFAULT_CATALOG = DATA_DIR / "connection_specs.json"
DEFAULT_FLOW_OUTPUT = DATA_DIR / "flow_specs.json"
DEFAULT_TARGET_OUTPUT = DATA_DIR / "target_connection_specs.json"

JsonObject = dict[str, Any]

DRAFT7 = "http://json-schema.org/draft-07/schema#"
BATCH_PROVIDER_ID = "0ed90a81-07f4-4586-8190-b40eccef1c5a"
STREAMING_PROVIDER_ID = "521eee4d-8cbe-4906-bb48-fb6bd4450033"
DATA_LAKE_ID = "c604ff05-7f1a-43c0-8e18-33bf874cb11c"
VERSION = "1.0"

CRM_TO_AEP_ID = "14518937-270c-4525-bdec-c2ba7cce3860"
CLOUD_STORAGE_TO_AEP_ID = "9753525b-82c7-4dce-8a9b-5ccfce2b9876"
HTTP_STREAMING_ID = "c1a19761-d2c7-4702-b9fa-fe91f0613e81"
MARKETO_ID = "15f8402c-ba66-4626-b54c-9f8e54244d61"
HTTP_API_SOURCE_ID = "bc7b00d6-623a-4dfc-9fdb-f1240aeadaeb"

CRM_DOC = "AdobeDocs/experience-platform.en help/sources/tutorials/api/collect/crm.md (current)"
OAS_DOC = "official-flow-service.yaml FlowSpecItemDTO and POST /flowSpecs 201 example"

#: The current CRMToAEP ``sourceConnectionSpecIds``, in the published order (FACTS-2 §4).
CRM_SOURCE_IDS: tuple[str, ...] = (
    "3416976c-a9ca-4bba-901a-1f08f66978ff",
    "38ad80fe-8b06-4938-94f4-d4ee80266b07",
    "d771e9c1-4f26-40dc-8617-ce58c4b53702",
    "3c9b37f8-13a6-43d8-bad3-b863b941fedd",
    "cc6a4487-9e91-433e-a3a3-9cf6626c1806",
    "3000eb99-cd47-43f3-827c-43caf170f015",
    "26d738e0-8963-47ea-aadf-c60de735468a",
    "74a1c565-4e59-48d7-9d67-7c03b8a13137",
    "cfc0fee1-7dc0-40ef-b73e-d8b134c436f5",
    "4f63aa36-bd48-4e33-bb83-49fbcd11c708",
    "cb66ab34-8619-49cb-96d1-39b37ede86ea",
    "eb13cb25-47ab-407f-ba89-c0125281c563",
    "1f372ff9-38a4-4492-96f5-b9a4e4bd00ec",
    "37b6bf40-d318-4655-90be-5cd6f65d334b",
    "a49bcc7d-8038-43af-b1e4-5a7a089a7d79",
    "a8b6a1a4-5735-42b4-952c-85dce0ac38b5",
    "6a8d82bc-1caf-45d1-908d-cadabc9d63a6",
    "aac9bbd4-6c01-46ce-b47e-51c6f0f6db3f",
    "8e6b41a8-d998-4545-ad7d-c6a9fff406c3",
    "ecde33f2-c56f-46cc-bdea-ad151c16cd69",
    "09182899-b429-40c9-a15a-bf3ddbc8ced7",
    "0479cc14-7651-4354-b233-7480606c2ac3",
    "d6b52d86-f0f8-475f-89d4-ce54c8527328",
    "a8f4d393-1a6b-43f3-931f-91a16ed857f4",
    "fcad62f3-09b0-41d3-be11-449d5a621b69",
    "ea1c2a08-b722-11eb-8529-0242ac130003",
    "35d6c4d8-c9a9-11eb-b8bc-0242ac130003",
    "b2e08744-4f1a-40ce-af30-7abac3e23cf3",
    "2acf109f-9b66-4d5e-bc18-ebb2adcff8d5",
    "2fa8af9c-2d1a-43ea-a253-f00a00c74412",
    "e9d7ec6b-0873-4e57-ad21-b3a7c65e310b",
)

#: Why a published source spec id is absent from our catalog (keyed by id).
NOT_IN_CATALOG_REASONS: dict[str, str] = {
    "6a8d82bc-1caf-45d1-908d-cadabc9d63a6": (
        "Apache Spark on Azure HDInsights: id known (database-nosql.md appendix), "
        "auth specs not gathered, so build_catalog.py has no entry"
    ),
    "a8b6a1a4-5735-42b4-952c-85dce0ac38b5": "unidentified: no source page names this id",
    "a8f4d393-1a6b-43f3-931f-91a16ed857f4": "unidentified: no source page names this id",
    "fcad62f3-09b0-41d3-be11-449d5a621b69": "unidentified: no source page names this id",
    "b7829c2f-2eb0-4f49-a6ee-55e33008b629": "unidentified: no source page names this id",
    "998b8ae3-cec0-43b7-8abe-40b1eb4ee069": "unidentified: no source page names this id",
    "54e221aa-d342-4707-bcff-7a4bceef0001": "unidentified: no source page names this id",
    "c85f9425-fb21-426c-ad0b-405e9bd8a46c": "unidentified: no source page names this id",
}

#: The CloudStorageToAEP ``sourceConnectionSpecIds`` of the OAS example (an older snapshot).
OAS_CLOUD_STORAGE_IDS: tuple[str, ...] = (
    "b3ba5556-48be-44b7-8b85-ff2b69b46dc4",
    "ecadc60c-7455-4d87-84dc-2a0e293d997b",
    "b7829c2f-2eb0-4f49-a6ee-55e33008b629",
    "4c10e202-c428-4796-9208-5f1f5732b1cf",
    "fb2e94c9-c031-467d-8103-6bd6e0a432f2",
    "32e8f412-cdf7-464c-9885-78184cb113fd",
    "b7bf2577-4520-42c9-bae9-cad01560f7bc",
    "998b8ae3-cec0-43b7-8abe-40b1eb4ee069",
    "be5ec48c-5b78-49d5-b8fa-7c89ec4569b8",
    "54e221aa-d342-4707-bcff-7a4bceef0001",
    "c85f9425-fb21-426c-ad0b-405e9bd8a46c",
)

PERMISSIONS_INFO: JsonObject = {
    "manage": [{"@type": "lowLevel", "name": "EnterpriseSource", "permissions": ["write"]}],
    "view": [{"@type": "lowLevel", "name": "EnterpriseSource", "permissions": ["read"]}],
}

NOTIFICATION: JsonObject = {"category": "sources", "flowRun": {"enabled": True}}


# --- JSON Schemas (draft-07) ---------------------------------------------------------------


def delta_column_schema() -> JsonObject:
    return {
        "type": "object",
        "description": "The column that tells new or changed records apart.",
        "properties": {
            "name": {"type": "string", "description": "Column name in the source object."},
            "dateFormat": {"type": "string", "description": "Pattern of the column's values."},
            "timezone": {"type": "string", "description": "Time zone of the column's values."},
        },
        "required": ["name"],
    }


def copy_spec() -> JsonObject:
    return {
        "name": "Copy",
        "spec": {
            "$schema": DRAFT7,
            "type": "object",
            "description": "Params of the incremental copy from the source object.",
            "properties": {"deltaColumn": delta_column_schema()},
            "required": ["deltaColumn"],
        },
    }


def mapping_spec() -> JsonObject:
    return {
        "name": "Mapping",
        "spec": {
            "$schema": DRAFT7,
            "type": "object",
            "description": "Which Data Prep mapping set turns source records into XDM.",
            "properties": {
                "mappingId": {"type": "string"},
                "mappingVersion": {"type": "string"},
            },
        },
    }


def schedule_spec() -> JsonObject:
    return {
        "name": "PeriodicSchedule",
        "type": "Periodic",
        "spec": {
            "$schema": DRAFT7,
            "type": "object",
            "properties": {
                "startTime": {"description": "epoch time", "type": "integer"},
                "frequency": {
                    "type": "string",
                    "enum": ["once", "minute", "hour", "day", "week"],
                },
                "interval": {"type": "integer"},
                "backfill": {"type": "boolean", "default": True},
            },
            "required": ["startTime", "frequency"],
            "if": {"properties": {"frequency": {"const": "once"}}},
            "then": {
                "allOf": [
                    {"not": {"required": ["interval"]}},
                    {"not": {"required": ["backfill"]}},
                ]
            },
            "else": {
                "required": ["interval"],
                "if": {"properties": {"frequency": {"const": "minute"}}},
                "then": {"properties": {"interval": {"minimum": 15}}},
                "else": {"properties": {"interval": {"minimum": 1}}},
            },
        },
    }


def option_spec() -> JsonObject:
    return {
        "name": "OptionSpec",
        "spec": {
            "$schema": DRAFT7,
            "type": "object",
            "properties": {
                "errorDiagnosticsEnabled": {
                    "title": "Error diagnostics",
                    "description": "Keep detailed row errors and error samples of each run.",
                    "type": "boolean",
                    "default": False,
                },
                "partialIngestionPercent": {
                    "title": "Partial ingestion threshold",
                    "description": "Share of failed records above which a run fails.",
                    "type": "number",
                    "exclusiveMinimum": 0,
                },
            },
        },
    }


def run_spec() -> JsonObject:
    epoch = {"type": "integer", "description": "Unix epoch time."}
    return {
        "name": "ProviderParams",
        "spec": {
            "$schema": DRAFT7,
            "type": "object",
            "description": "Params of an on-demand run of a table-based source.",
            "properties": {
                "startTime": dict(epoch),
                "windowStartTime": dict(epoch),
                "windowEndTime": dict(epoch),
                "deltaColumn": delta_column_schema(),
            },
            "required": ["startTime", "windowStartTime", "windowEndTime", "deltaColumn"],
        },
    }


# --- flow specs ----------------------------------------------------------------------------


def provenance(
    documented: Sequence[str],
    inferred: Sequence[str],
    docs: Sequence[str],
    source_ids: Sequence[str],
    catalog_ids: frozenset[str],
) -> JsonObject:
    missing = {i: NOT_IN_CATALOG_REASONS[i] for i in source_ids if i not in catalog_ids}
    result: JsonObject = {
        "documented": list(documented),
        "inferred": list(inferred),
        "docs": list(docs),
    }
    if missing:
        result["sourceSpecIdsNotInCatalog"] = missing
    return result


def crm_to_aep(catalog_ids: frozenset[str]) -> JsonObject:
    spec: JsonObject = {
        "id": CRM_TO_AEP_ID,
        "name": "CRMToAEP",
        "providerId": BATCH_PROVIDER_ID,
        "version": VERSION,
        "attributes": {
            "recordTypeEnabled": True,
            "defaultRecordType": "profile",
            "isSourceFlow": True,
            "flacValidationSupported": True,
            "isDraftModeSupported": True,
            "frequency": "batch",
            "notification": copy.deepcopy(NOTIFICATION),
        },
        "sourceConnectionSpecIds": list(CRM_SOURCE_IDS),
        "targetConnectionSpecIds": [DATA_LAKE_ID],
        "permissionsInfo": copy.deepcopy(PERMISSIONS_INFO),
        "transformationSpecs": [copy_spec(), mapping_spec()],
        "scheduleSpec": schedule_spec(),
        "optionSpec": option_spec(),
        "runSpec": run_spec(),
    }
    spec["_provenance"] = provenance(
        documented=[
            "id",
            "name",
            "providerId",
            "version",
            "attributes",
            "sourceConnectionSpecIds",
            "targetConnectionSpecIds",
            "permissionsInfo",
            "transformationSpecs (key spelling "
            "of crm.md@new and the OAS item schema; older samples say transformationSpec)",
            "transformationSpecs[].spec properties, types and required",
            "scheduleSpec (name, type, properties, required, if/then/else rules)",
            "optionSpec.spec properties",
            "runSpec (name, properties, required)",
        ],
        inferred=[
            "optionSpec.name (seen in the OAS CloudStorageToAEP example only)",
            "description and title texts inside the schemas (our words)",
            "order of top-level keys",
        ],
        docs=[CRM_DOC, OAS_DOC],
        source_ids=CRM_SOURCE_IDS,
        catalog_ids=catalog_ids,
    )
    return spec


def file_source_ids(catalog: Sequence[JsonObject]) -> list[str]:
    """Batch file-based sources of our catalog (exploreSpec FileSystem), in catalog order."""
    return [
        str(s["id"])
        for s in catalog
        if (s.get("exploreSpec") or {}).get("type") == "FileSystem"
        and s.get("providerId") == BATCH_PROVIDER_ID
    ]


def cloud_storage_to_aep(catalog: Sequence[JsonObject]) -> JsonObject:
    catalog_ids = frozenset(str(s["id"]) for s in catalog)
    source_ids = file_source_ids(catalog)
    spec: JsonObject = {
        "id": CLOUD_STORAGE_TO_AEP_ID,
        "name": "CloudStorageToAEP",
        "providerId": BATCH_PROVIDER_ID,
        "version": VERSION,
        "attributes": {
            "isSourceFlow": True,
            "flacValidationSupported": True,
            "isDraftModeSupported": True,
            "frequency": "batch",
            "notification": copy.deepcopy(NOTIFICATION),
        },
        "sourceConnectionSpecIds": source_ids,
        "targetConnectionSpecIds": [DATA_LAKE_ID],
        "permissionsInfo": copy.deepcopy(PERMISSIONS_INFO),
        "transformationSpecs": [mapping_spec()],
        "scheduleSpec": schedule_spec(),
        "optionSpec": option_spec(),
    }
    in_oas = [i for i in source_ids if i in OAS_CLOUD_STORAGE_IDS]
    not_in_oas = [i for i in source_ids if i not in OAS_CLOUD_STORAGE_IDS]
    prov = provenance(
        documented=[
            "id",
            "name",
            "providerId",
            "version",
            "attributes.notification",
            "targetConnectionSpecIds",
            "permissionsInfo",
            "transformationSpecs (Mapping)",
            "scheduleSpec",
            "optionSpec",
            f"sourceConnectionSpecIds: {len(in_oas)} of the ids are in the OAS example",
        ],
        inferred=[
            "attributes.isSourceFlow, attributes.flacValidationSupported, "
            "attributes.isDraftModeSupported, attributes.frequency (as for CRMToAEP)",
            "sourceConnectionSpecIds: the batch FileSystem sources of our catalog; "
            f"not in the OAS example: {', '.join(not_in_oas) or 'none'}",
            "transformationSpecs key spelling (the OAS example says transformationSpec)",
            "no Copy transformation and no runSpec (none published for file sources)",
        ],
        docs=[OAS_DOC, CRM_DOC + " (names CloudStorageToAEP as the file-based flow spec)"],
        source_ids=[],
        catalog_ids=catalog_ids,
    )
    unknown = {i: NOT_IN_CATALOG_REASONS[i] for i in OAS_CLOUD_STORAGE_IDS if i not in catalog_ids}
    prov["omittedSourceSpecIds"] = unknown
    spec["_provenance"] = prov
    return spec


def http_streaming(catalog_ids: frozenset[str]) -> JsonObject:
    source_ids = [HTTP_API_SOURCE_ID]
    spec: JsonObject = {
        "id": HTTP_STREAMING_ID,
        "name": "HTTPAPIStreamingToAEP",
        "providerId": STREAMING_PROVIDER_ID,
        "version": VERSION,
        "attributes": {
            "isSourceFlow": True,
            "isDraftModeSupported": True,
            "frequency": "streaming",
            "notification": copy.deepcopy(NOTIFICATION),
        },
        "sourceConnectionSpecIds": source_ids,
        "targetConnectionSpecIds": [DATA_LAKE_ID],
        "permissionsInfo": copy.deepcopy(PERMISSIONS_INFO),
        "transformationSpecs": [mapping_spec()],
    }
    spec["_provenance"] = provenance(
        documented=[
            "id (draft.md creates an HTTP API streaming draft flow with it)",
            "attributes.isDraftModeSupported (draft.md)",
        ],
        inferred=[
            "name (not published)",
            "providerId (the streaming providerId of the HTTP API connection spec)",
            "version",
            "attributes except isDraftModeSupported",
            "sourceConnectionSpecIds (the HTTP API source only)",
            "targetConnectionSpecIds",
            "permissionsInfo",
            "transformationSpecs (Mapping only)",
            "no scheduleSpec, optionSpec or runSpec (streaming flows are not scheduled)",
        ],
        docs=["AdobeDocs/experience-platform.en help/sources/tutorials/api/draft.md"],
        source_ids=source_ids,
        catalog_ids=catalog_ids,
    )
    return spec


def marketo(catalog_ids: frozenset[str]) -> JsonObject:
    spec: JsonObject = {
        "id": MARKETO_ID,
        "name": "MarketoToAEP",
        "providerId": BATCH_PROVIDER_ID,
        "version": VERSION,
        "attributes": {
            "isSourceFlow": True,
            "frequency": "batch",
            "notification": copy.deepcopy(NOTIFICATION),
        },
        "sourceConnectionSpecIds": [],
        "targetConnectionSpecIds": [DATA_LAKE_ID],
        "permissionsInfo": copy.deepcopy(PERMISSIONS_INFO),
        "transformationSpecs": [copy_spec(), mapping_spec()],
        "scheduleSpec": schedule_spec(),
        "optionSpec": option_spec(),
    }
    spec["_provenance"] = provenance(
        documented=["id (filter.md uses it for a Marketo dataflow)"],
        inferred=[
            "name (not published)",
            "providerId",
            "version",
            "attributes",
            "sourceConnectionSpecIds: empty, because the Marketo Engage connection spec id "
            "is not in our catalog (no source page of the research gives it)",
            "targetConnectionSpecIds",
            "permissionsInfo",
            "transformationSpecs, scheduleSpec, optionSpec (copied from CRMToAEP)",
        ],
        docs=["AdobeDocs/experience-platform.en help/sources/tutorials/api/filter.md"],
        source_ids=[],
        catalog_ids=catalog_ids,
    )
    return spec


def build_flow_specs(catalog: Sequence[JsonObject]) -> JsonObject:
    catalog_ids = frozenset(str(s["id"]) for s in catalog)
    specs = [
        crm_to_aep(catalog_ids),
        cloud_storage_to_aep(catalog),
        http_streaming(catalog_ids),
        marketo(catalog_ids),
    ]
    check_unique(specs)
    return {"specs": specs}


# --- target connection specs ---------------------------------------------------------------


def data_lake_target_spec() -> JsonObject:
    spec: JsonObject = {
        "$schema": DRAFT7,
        "type": "object",
        "description": "The data and params blocks of a target connection to the data lake.",
        "properties": {
            "data": {
                "type": "object",
                "properties": {
                    "format": {
                        "type": "string",
                        "description": "Format of the written data, e.g. parquet_xdm.",
                    },
                    "schema": {
                        "type": "object",
                        "description": "The XDM schema of the target dataset.",
                        "properties": {
                            "id": {"type": "string", "description": "The schema's $id."},
                            "version": {"type": "string"},
                        },
                        "required": ["id", "version"],
                    },
                },
                "required": ["schema"],
            },
            "params": {
                "type": "object",
                "properties": {
                    "dataSetId": {
                        "type": "string",
                        "description": "Catalog id of the target dataset.",
                        "pattern": "^[0-9a-fA-F]{24}$",
                    }
                },
                "required": ["dataSetId"],
            },
        },
        "required": ["data", "params"],
    }
    entry: JsonObject = {
        "id": DATA_LAKE_ID,
        "name": "datalake",
        "providerId": BATCH_PROVIDER_ID,
        "version": VERSION,
        "authSpec": [],
        "targetSpec": {
            "name": "DataLake",
            "type": "DataLake",
            "spec": spec,
            "attributes": {"uiAttributes": {"isDestination": False}},
        },
        "attributes": {
            "category": "Data Lake",
            "isSource": False,
            "isDestination": False,
        },
        "permissionsInfo": copy.deepcopy(PERMISSIONS_INFO),
    }
    entry["_provenance"] = {
        "documented": [
            "id",
            "version",
            "targetSpec.spec: params.dataSetId (24 hex characters), "
            "data.schema.id and data.schema.version, data.format a free string",
        ],
        "inferred": [
            "name (aepp looks the spec up by the name datalake)",
            "providerId",
            "authSpec: empty, a data lake target connection has no base connection",
            "targetSpec.name, targetSpec.type, targetSpec.attributes",
            "targetSpec.spec validates the data and params blocks together; "
            "data.format is optional (a mock default of parquet_xdm is suggested)",
            "attributes (neither a source nor an activation destination)",
            "permissionsInfo (as for the source specs)",
        ],
        "docs": [
            CRM_DOC + " (POST /targetConnections body)",
            "official-flow-service.yaml TargetSpecDTO and TargetConnectionDataDTO",
            "adobe/aepp flowservice.py createTargetConnectionDataLake",
        ],
        "errors": {
            "1307-400": "target connection spec id other than the data lake's",
            "1325-400": "params.dataSetId null or empty",
        },
    }
    return entry


def build_target_specs() -> JsonObject:
    specs = [data_lake_target_spec()]
    check_unique(specs)
    return {"specs": specs}


# --- output --------------------------------------------------------------------------------


def check_unique(specs: Sequence[JsonObject]) -> None:
    for key in ("id", "name"):
        values = [s[key] for s in specs]
        if len(set(values)) != len(values):
            msg = f"duplicate spec {key}s"
            raise ValueError(msg)


def render(document: JsonObject) -> str:
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def parse_args(argv: Sequence[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--catalog", type=Path, default=DEFAULT_CATALOG)
    parser.add_argument("--flow-output", type=Path, default=DEFAULT_FLOW_OUTPUT)
    parser.add_argument("--target-output", type=Path, default=DEFAULT_TARGET_OUTPUT)
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(sys.argv[1:] if argv is None else argv)
    catalog_path: Path = REPO_ROOT / args.catalog
    catalog = json.loads(catalog_path.read_text(encoding="utf-8"))["specs"]
    outputs = (
        (REPO_ROOT / args.flow_output, build_flow_specs(catalog)),
        (REPO_ROOT / args.target_output, build_target_specs()),
    )
    for path, document in outputs:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(render(document), encoding="utf-8")
        print(f"wrote {len(document['specs'])} specs to {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
