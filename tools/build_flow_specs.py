"""Build ``mock_flowservice/data/flow_specs.json``, the flow specs ``/flowSpecs`` serves.

Run ``python tools/build_flow_specs.py`` from the repository root; the output is determined by
this file and ``mock_flowservice/data/connection_specs.json`` (running it twice writes the same
bytes). ``CRMToAEP`` is as FACTS-2 §4 gives it (the current crm.md): ids, attributes,
permissions and the JSON Schemas of its Copy and Mapping transformations, its periodic
schedule, its options and its run params. The other flow specs FACTS-2 names by id get the same
schedule and what their kind of source needs; ``_provenance`` lists what is inferred.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "mock_flowservice" / "data" / "flow_specs.json"
CATALOG = ROOT / "mock_flowservice" / "data" / "connection_specs.json"
DRAFT_07 = "http://json-schema.org/draft-07/schema#"
PROVIDER = "0ed90a81-07f4-4586-8190-b40eccef1c5a"
DATALAKE = "c604ff05-7f1a-43c0-8e18-33bf874cb11c"

#: The 31 source spec ids of the current CRMToAEP (FACTS-2 §4, crm.md@new), in that order.
CRM_SOURCES = [
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
]

DELTA_COLUMN = {
    "type": "object",
    "properties": {
        "name": {"type": "string"},
        "dateFormat": {"type": "string"},
        "timezone": {"type": "string"},
    },
    "required": ["name"],
}

COPY = {
    "name": "Copy",
    "spec": {
        "$schema": DRAFT_07,
        "type": "object",
        "properties": {"deltaColumn": DELTA_COLUMN},
        "required": ["deltaColumn"],
    },
}

MAPPING = {
    "name": "Mapping",
    "spec": {
        "$schema": DRAFT_07,
        "type": "object",
        "properties": {"mappingId": {"type": "string"}, "mappingVersion": {"type": "string"}},
    },
}

#: ``once`` takes neither interval nor backfill; other frequencies need an interval, at least
#: 15 for ``minute`` and 1 otherwise (FACTS-2 §4, W3).
SCHEDULE = {
    "name": "PeriodicSchedule",
    "type": "Periodic",
    "spec": {
        "$schema": DRAFT_07,
        "type": "object",
        "properties": {
            "startTime": {"description": "epoch time", "type": "integer"},
            "frequency": {"type": "string", "enum": ["once", "minute", "hour", "day", "week"]},
            "interval": {"type": "integer"},
            "backfill": {"type": "boolean", "default": True},
        },
        "required": ["startTime", "frequency"],
        "if": {"properties": {"frequency": {"const": "once"}}},
        "then": {
            "allOf": [{"not": {"required": ["interval"]}}, {"not": {"required": ["backfill"]}}]
        },
        "else": {
            "required": ["interval"],
            "if": {"properties": {"frequency": {"const": "minute"}}},
            "then": {"properties": {"interval": {"minimum": 15}}},
            "else": {"properties": {"interval": {"minimum": 1}}},
        },
    },
}

OPTIONS = {
    "name": "OptionSpec",
    "spec": {
        "$schema": DRAFT_07,
        "type": "object",
        "properties": {
            "errorDiagnosticsEnabled": {"type": "boolean", "default": False},
            "partialIngestionPercent": {"type": "number", "exclusiveMinimum": 0},
        },
    },
}

RUN_PARAMS = {
    "name": "ProviderParams",
    "spec": {
        "$schema": DRAFT_07,
        "type": "object",
        "properties": {
            "startTime": {"type": "integer", "description": "Unix epoch"},
            "windowStartTime": {"type": "integer", "description": "Unix epoch"},
            "windowEndTime": {"type": "integer", "description": "Unix epoch"},
            "deltaColumn": DELTA_COLUMN,
        },
        "required": ["startTime", "windowStartTime", "windowEndTime", "deltaColumn"],
    },
}

PERMISSIONS = {
    "manage": [{"@type": "lowLevel", "name": "EnterpriseSource", "permissions": ["write"]}],
    "view": [{"@type": "lowLevel", "name": "EnterpriseSource", "permissions": ["read"]}],
}


def _attributes(frequency: str) -> dict[str, Any]:
    return {
        "recordTypeEnabled": True,
        "defaultRecordType": "profile",
        "isSourceFlow": True,
        "flacValidationSupported": True,
        "isDraftModeSupported": True,
        "frequency": frequency,
        "notification": {"category": "sources", "flowRun": {"enabled": True}},
    }


def _sources_of(explore_type: str | None) -> list[str]:
    catalog = json.loads(CATALOG.read_text("utf-8"))
    return [
        spec["id"]
        for spec in catalog["specs"]
        if (spec.get("exploreSpec") or {}).get("type") == explore_type
    ]


def _spec(
    spec_id: str,
    name: str,
    sources: list[str],
    transformations: list[dict[str, Any]],
    *,
    frequency: str = "batch",
    run_spec: bool = False,
    inferred: list[str],
    docs: str,
) -> dict[str, Any]:
    spec: dict[str, Any] = {
        "id": spec_id,
        "name": name,
        "providerId": PROVIDER,
        "version": "1.0",
        "attributes": _attributes(frequency),
        "sourceConnectionSpecIds": sources,
        "targetConnectionSpecIds": [DATALAKE],
        "permissionsInfo": PERMISSIONS,
        "transformationSpecs": transformations,
        "scheduleSpec": SCHEDULE,
        "optionSpec": OPTIONS,
    }
    if run_spec:
        spec["runSpec"] = RUN_PARAMS
    spec["_provenance"] = {"docs": [docs], "inferred": inferred}
    return spec


def build() -> dict[str, Any]:
    return {
        "generator": "tools/build_flow_specs.py",
        "specs": [
            _spec(
                "14518937-270c-4525-bdec-c2ba7cce3860",
                "CRMToAEP",
                CRM_SOURCES,
                [COPY, MAPPING],
                run_spec=True,
                inferred=["optionSpec.name"],
                docs="FACTS-2 §4 (collect/crm.md@new): every field",
            ),
            _spec(
                "9753525b-82c7-4dce-8a9b-5ccfce2b9876",
                "CloudStorageToAEP",
                _sources_of("FileSystem"),
                [MAPPING],
                inferred=[
                    "sourceConnectionSpecIds",
                    "transformationSpecs",
                    "attributes",
                    "permissionsInfo",
                ],
                docs="FACTS-2 §4: id and name (OAS example); the rest as CRMToAEP",
            ),
            _spec(
                "c1a19761-d2c7-4702-b9fa-fe91f0613e81",
                "HttpApiToAEP",
                ["bc7b00d6-623a-4dfc-9fdb-f1240aeadaeb"],
                [MAPPING],
                frequency="streaming",
                inferred=["name", "sourceConnectionSpecIds", "transformationSpecs", "attributes"],
                docs="FACTS-2 §4: id (draft.md, HTTP API streaming)",
            ),
            _spec(
                "15f8402c-ba66-4626-b54c-9f8e54244d61",
                "MarketoToAEP",
                [],
                [COPY, MAPPING],
                run_spec=True,
                inferred=["name", "sourceConnectionSpecIds", "transformationSpecs", "attributes"],
                docs="FACTS-2 §4: id (filter.md, a Marketo flow); Marketo is not in the catalog",
            ),
        ],
    }


def render() -> str:
    return json.dumps(build(), indent=1) + "\n"


def main() -> int:
    OUT.write_text(render(), "utf-8")
    print(f"wrote {OUT.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
