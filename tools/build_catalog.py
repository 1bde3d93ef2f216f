"""Build the mock's connection spec catalog from the shared research file.

Reads ``../shared/flowservice/connection_specs.json`` (relative to the repo root;
pass another path as the first argument) and writes
``mock_flowservice/data/connection_specs.json`` (or the path given with ``--output``).
The output is committed; the app loads only that file.

Every element of ``specs`` is a connection spec object as ``GET /connectionSpecs``
serves it, plus one ``_provenance`` key that the loader strips. Ids, names, specNames
and param names are copied exactly. Descriptions are our own words. Anything the docs
do not state is synthesized here and listed in ``_provenance.inferred``.

Standard library only, so it runs without the project's virtualenv.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parents[1]
DEFAULT_SOURCE = Path("..") / "shared" / "flowservice" / "connection_specs.json"
DEFAULT_OUTPUT = Path("mock_flowservice") / "data" / "connection_specs.json"

JSON_SCHEMA_DRAFT7 = "http://json-schema.org/draft-07/schema#"
BATCH_PROVIDER_ID = "0ed90a81-07f4-4586-8190-b40eccef1c5a"
STREAMING_PROVIDER_ID = "521eee4d-8cbe-4906-bb48-fb6bd4450033"
SPEC_VERSION = "1.0"

JsonObject = dict[str, Any]

PERMISSIONS_INFO: JsonObject = {
    "manage": [{"@type": "lowLevel", "name": "EnterpriseSource", "permissions": ["write"]}],
    "view": [{"@type": "lowLevel", "name": "EnterpriseSource", "permissions": ["read"]}],
}

# Facts found in published Adobe docs (GET /connectionSpecs samples) that the shared
# file does not carry. Keyed by connection spec id.
#   name:       internal connection spec name shown in a response sample or name filter
#   providerId: the providerId a response sample (or a create request) shows for this spec
#   authTypes:  auth spec ``type`` values shown in a response sample, or sent as
#               ``auth.type`` next to that ``auth.specName`` in a create request
#   required:   a published ``spec.required`` list that replaces an inferred one
#   alsoRequired: params appended to that list because later docs require them (noted in
#               ``_provenance.inferred``; see DECISIONS.md, auth spec ``required`` lists)
#   secrets:    params a published spec JSON marks with ``"format": "password"``
#   doc:        where it was seen (appended to ``_provenance.docs``)
DOCUMENTED: dict[str, JsonObject] = {
    "cfc0fee1-7dc0-40ef-b73e-d8b134c436f5": {
        "name": "salesforce",
        "providerId": BATCH_PROVIDER_ID,
        "authTypes": {"Basic Authentication": "Basic_Authentication"},
        "required": {"Basic Authentication": ["username", "password", "securityToken"]},
        "alsoRequired": {"Basic Authentication": ["environmentUrl"]},
        "secrets": {"Basic Authentication": ["password", "securityToken"]},
        "doc": (
            "AdobeDocs/experience-platform.en older CRM tutorial (and translations): "
            'GET /connectionSpecs?property=name=="salesforce" response sample with the '
            "Basic Authentication spec JSON"
        ),
    },
    "ecadc60c-7455-4d87-84dc-2a0e293d997b": {
        "name": "amazon-s3",
        "providerId": BATCH_PROVIDER_ID,
        "authTypes": {"Access Key": "Access Key Auth"},
        "secrets": {"Access Key": ["s3SecretKey"]},
        "doc": (
            "AdobeDocs/experience-platform.en older cloud storage tutorial: "
            'GET /connectionSpecs?property=name=="amazon-s3" response sample'
        ),
    },
    "4c10e202-c428-4796-9208-5f1f5732b1cf": {
        "name": "azure-blob",
        "providerId": BATCH_PROVIDER_ID,
        "authTypes": {"ConnectionString": "ConnectionString"},
        "secrets": {"ConnectionString": ["connectionString"]},
        "doc": (
            "AdobeDocs/experience-platform.en blob tutorial (older version, "
            "translations): GET /connectionSpecs response sample with name azure-blob"
        ),
    },
    "3c9b37f8-13a6-43d8-bad3-b863b941fedd": {
        "name": "google-big-query",
        "providerId": BATCH_PROVIDER_ID,
        # FACTS A.3: the create request sends auth.type "OAuth2.0" with this specName.
        "authTypes": {"Basic Authentication": "OAuth2.0"},
        "secrets": {"Basic Authentication": ["clientSecret", "refreshToken"]},
        "doc": (
            "AdobeDocs/experience-platform.en bigquery tutorial (older version): "
            'GET /connectionSpecs?property=name=="google-big-query" response sample; '
            'POST /connections request with auth.type "OAuth2.0" (FACTS A.3)'
        ),
    },
    "74a1c565-4e59-48d7-9d67-7c03b8a13137": {
        "name": "postgre-sql",
        "providerId": BATCH_PROVIDER_ID,
        "doc": (
            "AdobeDocs/experience-platform.en postgres tutorial (older version, zh): "
            'GET /connectionSpecs?property=name=="postgre-sql" response sample'
        ),
    },
    "eb13cb25-47ab-407f-ba89-c0125281c563": {
        "name": "service-now",
        "providerId": BATCH_PROVIDER_ID,
        "doc": (
            "AdobeDocs/experience-platform.en servicenow tutorial (translations): "
            'GET /connectionSpecs?property=name=="service-now" response sample'
        ),
    },
    "cb66ab34-8619-49cb-96d1-39b37ede86ea": {
        "name": "salesforce-service-cloud",
        "providerId": BATCH_PROVIDER_ID,
        "doc": (
            "AdobeDocs/experience-platform.en salesforce-service-cloud tutorial "
            "(translations): GET /connectionSpecs?property="
            'name=="salesforce-service-cloud" response sample'
        ),
    },
    "86043421-563b-46ec-8e6c-e23184711bf6": {
        # FACTS A.3 and the shared file's note: the create request carries this providerId.
        "providerId": STREAMING_PROVIDER_ID,
        "doc": (
            "AdobeDocs/experience-platform.en Kinesis tutorial: POST /connections request "
            "with top-level providerId (FACTS A.3)"
        ),
    },
    "26d738e0-8963-47ea-aadf-c60de735468a": {
        "name": "mysql",
        "doc": (
            "AdobeDocs/experience-platform.en mysql tutorial (ko translation): "
            'GET /connectionSpecs?property=name=="mysql" request example'
        ),
    },
    "1f372ff9-38a4-4492-96f5-b9a4e4bd00ec": {
        "name": "sql-server",
        "doc": (
            "AdobeDocs/experience-platform.en sql-server tutorial (ja translation): "
            'GET /connectionSpecs?property=name=="sql-server" request example'
        ),
    },
}

# Explore style per source (our judgement where the docs are silent).
TABULAR = "Tabular"
FILE_SYSTEM = "FileSystem"
RESOURCE = "Resource"
# REST/SDK-style sources: explored with objectType=rest (FACTS F.4) or built on the
# Sources SDK (auth specs with authorizationTestUrl / OAuth2 Refresh Code).
RESOURCE_SOURCES = frozenset(
    {"Zendesk", "Mailchimp Campaign", "Square", "Stripe", "Generic REST API"}
)
# File-based cloud storage sources.
FILE_SYSTEM_SOURCES = frozenset(
    {
        "Amazon S3",
        "Azure Blob Storage",
        "Azure Data Lake Storage Gen2",
        "Azure File Storage",
        "Google Cloud Storage",
        "SFTP",
        "FTP",
        "Data Landing Zone",
    }
)
# The only source whose draft-mode flag is published (draft.md sample).
DOCUMENTED_DRAFT_MODE = frozenset({"be5ec48c-5b78-49d5-b8fa-7c89ec4569b8"})
# Published explore type (older Salesforce GET /connectionSpecs sample).
DOCUMENTED_EXPLORE = {"cfc0fee1-7dc0-40ef-b73e-d8b134c436f5": TABULAR}
DYNAMICS_ID = "38ad80fe-8b06-4938-94f4-d4ee80266b07"
GCS_ID = "32e8f412-cdf7-464c-9885-78184cb113fd"
# Published sourceSpec UI attributes (OAS connection spec examples built on Dynamics,
# FACTS-2 section 7). Values only; key order as in the example.
DOCUMENTED_UI: dict[str, JsonObject] = {
    DYNAMICS_ID: {
        "documentationLink": "http://www.adobe.com/go/sources-dynamics-en",
        "isSource": True,
        "category": {"key": "crm"},
        "icon": {"key": "msDynamics"},
        "description": {"key": "microsoftDynamicsDescription"},
        "label": {"key": "microsoftDynamicsLabel"},
    },
}
# Published top-level attributes.documentationLink (same OAS example).
DOCUMENTED_SPEC_LINK = {
    DYNAMICS_ID: "http://www.adobe.com/go/data-connector-Microsoft-Dynamics-en",
}
# Published tableName/columns sourceSpec.spec (OAS Dynamics, old Salesforce sample).
DOCUMENTED_TABLE_SPEC = frozenset({DYNAMICS_ID, "cfc0fee1-7dc0-40ef-b73e-d8b134c436f5"})
# The OAS field examples of ConnectionSpecItemDTO, SourceSpecDTO, AuthenticationSpecDTO and
# ExploreSpecDTO describe Google Cloud Storage (spec id, specName and params match). Their
# values are used for that spec (the documentationLink and sourceSpec name/type examples
# also follow from the rules below); the pairing itself is ours, so they stay in
# ``inferred``, as the shared file keeps the KeyBased auth type.
GCS_EXAMPLE_ICON = "google"
# Source category -> sourceSpec.attributes.uiAttributes.category key, where the OAS list of
# category keys spells it other than camelCase would.
CATEGORY_KEYS = {"eCommerce": "ecommerce"}
DOC_LINK = "http://www.adobe.com/go/sources-{slug}-en"

# Synthesized auth spec ``type`` when the docs show none: first specName keyword wins.
AUTH_TYPE_RULES: tuple[tuple[str, str], ...] = (
    ("connectionstring", "ConnectionString"),
    ("connection string", "ConnectionString"),
    ("oauth2refreshcode", "OAuth2RefreshCode"),
    ("oauth2 refresh code", "OAuth2RefreshCode"),
    ("oauth2 client credential", "OAuth2ClientCredential"),
    ("oauth2 jwt", "OAuth2JWTToken"),
    ("service principal", "ServicePrincipalKeyBased"),
    ("sas uri", "SASUriAuthentication"),
    ("iamrole", "IAMRoleBased"),
    ("access key", "AccessKey"),
    ("access token", "AccessToken"),
    ("keypair", "KeyPairAuthentication"),
    ("ssh publickey", "SSHPublicKeyAuthentication"),
    ("client-id-secret", "ClientIdSecret"),
    ("anonymous", "Anonymous"),
    ("streaming", "StreamingConnection"),
    ("kinesis", "KeyBased"),
    ("eventhub", "KeyBased"),
    ("project based", "ServiceAccountKey"),
    ("topic & subscription", "ServiceAccountKey"),
    ("service authentication", "ServiceAccountKey"),
    ("basic", "BasicAuthentication"),
)

ACRONYMS = {
    "api": "API",
    "id": "ID",
    "sas": "SAS",
    "ssl": "SSL",
    "uri": "URI",
    "url": "URL",
}

# Short own-words descriptions for params whose humanized name reads poorly.
PARAM_DESCRIPTIONS = {
    "connectionString": "Connection string with host and credentials.",
    "serviceUri": "Base URL of the instance.",
    "password": "Account password.",
    "username": "Account login name.",
    "userName": "Account login name.",
    "userId": "Account login name.",
}


def json_type(param_type: str) -> str:
    """Map the shared file's param type onto a JSON Schema type."""
    if param_type in {"string", "integer", "number", "boolean", "object", "array"}:
        return param_type
    msg = f"unsupported param type {param_type!r}"
    raise ValueError(msg)


def split_words(text: str) -> list[str]:
    """Split a camelCase name: ``clientCustomerID`` -> client, Customer, ID."""
    return re.findall(r"[A-Z]+(?![a-z])|[A-Z]?[a-z]+|\d+", text)


def humanize(param: str) -> str:
    """Short phrase for a param name: ``s3AccessKey`` -> ``S3 access key``."""
    words = []
    for word in split_words(param):
        lower = word.lower()
        words.append(ACRONYMS.get(lower, word if word.isupper() else lower))
    if not words:
        return param
    first = words[0]
    words[0] = first[:1].upper() + first[1:]
    return " ".join(words)


def describe_param(param: str) -> str:
    """Our own short description of an auth param."""
    return PARAM_DESCRIPTIONS.get(param, f"{humanize(param)}.")


def camel_key(text: str) -> str:
    """UI key style: ``Microsoft Dynamics`` -> ``microsoftDynamics``; CRM -> crm."""
    parts = [p for p in re.split(r"[^0-9A-Za-z]+", text) if p]
    if not parts:
        return ""
    head = parts[0].lower() if parts[0].isupper() else parts[0][:1].lower() + parts[0][1:]
    return head + "".join(p[:1].upper() + p[1:] for p in parts[1:])


def slug(text: str) -> str:
    """Lower-case hyphenated name, e.g. ``Amazon S3`` -> ``amazon-s3``."""
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def synthesize_auth_type(spec_name: str) -> str:
    """Pick an auth ``type`` from specName keywords (only when none is documented)."""
    lowered = spec_name.lower()
    for keyword, auth_type in AUTH_TYPE_RULES:
        if keyword in lowered:
            return auth_type
    msg = f"no auth type rule matches specName {spec_name!r}"
    raise ValueError(msg)


def is_streaming(source: JsonObject) -> bool:
    return "streaming" in str(source["category"]).lower()


def clean_category(category: str) -> str:
    """Drop the shared file's annotation, as in ``Cloud Storage (streaming)``."""
    return re.sub(r"\s*\(.*\)\s*$", "", category)


def explore_type(source: JsonObject) -> str | None:
    if is_streaming(source):
        return None
    name = str(source["name"])
    if name in FILE_SYSTEM_SOURCES:
        return FILE_SYSTEM
    if name in RESOURCE_SOURCES:
        return RESOURCE
    return TABULAR


def resolve_required(
    spec_required: Sequence[str], param_names: Sequence[str], spec_label: str
) -> tuple[list[str], list[str]]:
    """Map a published ``required`` list onto the documented request param names.

    Returns the resolved list and notes about names that only matched ignoring case.
    """
    resolved: list[str] = []
    notes: list[str] = []
    by_lower = {p.lower(): p for p in param_names}
    for name in spec_required:
        if name in param_names:
            resolved.append(name)
            continue
        match = by_lower.get(name.lower())
        if match is None:
            msg = f"{spec_label}: required name {name!r} matches no documented param"
            raise ValueError(msg)
        resolved.append(match)
        notes.append(
            f"{spec_label}.spec.required (published spec JSON lists {name!r}; "
            f"the documented request param is {match!r})"
        )
    return resolved, notes


def build_auth_spec(
    source: JsonObject, auth: JsonObject, documented: JsonObject, inferred: list[str]
) -> JsonObject:
    spec_name = str(auth["specName"])
    label = f"authSpec[{spec_name}]"
    params: list[JsonObject] = list(auth["params"])
    param_names = [str(p["name"]) for p in params]

    documented_types: dict[str, str] = documented.get("authTypes", {})
    auth_type = auth.get("type")
    if spec_name in documented_types:
        auth_type = documented_types[spec_name]
    elif auth_type is None:
        auth_type = synthesize_auth_type(spec_name)
        inferred.append(f"{label}.type")
    elif auth.get("inferredType"):
        inferred.append(f"{label}.type")

    published_secrets: list[str] = documented.get("secrets", {}).get(spec_name, [])
    properties: JsonObject = {}
    for param in params:
        name = str(param["name"])
        prop: JsonObject = {
            "type": json_type(str(param["type"])),
            "description": describe_param(name),
        }
        if param["secret"]:
            prop["format"] = "password"
        if name in published_secrets and not param["secret"]:
            msg = f"{label}: {name!r} is a published secret; the shared file disagrees"
            raise ValueError(msg)
        if "secret" in param.get("inferredFields", []) and name not in published_secrets:
            inferred.append(f"{label}.spec.properties.{name}.format")
        properties[name] = prop

    documented_required: dict[str, list[str]] = documented.get("required", {})
    if spec_name in documented_required:
        required, notes = resolve_required(documented_required[spec_name], param_names, label)
        inferred.extend(notes)
        for extra in documented.get("alsoRequired", {}).get(spec_name, []):
            if extra not in param_names or extra in required:
                msg = f"{label}: cannot add {extra!r} to the published required list"
                raise ValueError(msg)
            required.append(extra)
            inferred.append(
                f"{label}.spec.required ({extra!r} added to the published list; "
                "the shared catalog and later request samples carry it)"
            )
    elif "specRequired" in auth:
        required, notes = resolve_required(auth["specRequired"], param_names, label)
        inferred.extend(notes)
    else:
        required = [str(p["name"]) for p in params if p["required"]]
        if any("required" in p.get("inferredFields", []) for p in params):
            inferred.append(f"{label}.spec.required")

    spec: JsonObject = {
        "$schema": JSON_SCHEMA_DRAFT7,
        "type": "object",
        "description": f"Credentials for a {source['name']} account ({spec_name}).",
        "properties": properties,
        "required": required,
    }
    entry: JsonObject = {"name": spec_name, "type": auth_type}
    if "settings" in auth:
        entry["settings"] = auth["settings"]
    entry["spec"] = spec
    return entry


def tabular_source_spec(source_name: str) -> JsonObject:
    """Minimal sourceSpec.spec for table-style sources: which table, which columns."""
    return {
        "$schema": JSON_SCHEMA_DRAFT7,
        "type": "object",
        "description": f"Source connection params when reading a {source_name} table.",
        "properties": {
            "tableName": {
                "type": "string",
                "description": "Path of the table to read.",
            },
            "columns": {
                "type": "array",
                "description": "Columns to read from the table.",
                "items": {
                    "type": "object",
                    "properties": {
                        "name": {"type": "string"},
                        "type": {"type": "string"},
                        "meta": {
                            "type": "object",
                            "description": "Column details from the source system.",
                            "properties": {"originalType": {"type": "string"}},
                        },
                    },
                    "required": ["name", "type", "meta"],
                },
            },
        },
        "required": ["tableName", "columns"],
    }


def file_source_spec(source_name: str) -> JsonObject:
    """sourceSpec.spec for file sources: the ``path``/``recursive`` pair of the OAS example."""
    return {
        "$schema": JSON_SCHEMA_DRAFT7,
        "type": "object",
        "description": f"Source connection params when reading files from {source_name}.",
        "properties": {
            "path": {
                "type": "string",
                "description": "File, folder or wildcard pattern to read.",
            },
            "recursive": {
                "type": "boolean",
                "default": False,
                "description": "Whether a folder path includes its sub-folders.",
            },
        },
        "required": ["path"],
    }


def open_source_spec(source_name: str, streaming: bool) -> JsonObject:
    """sourceSpec.spec where the docs name no source connection params (REST, streaming)."""
    what = "stream" if streaming else "resource"
    return {
        "$schema": JSON_SCHEMA_DRAFT7,
        "type": "object",
        "description": f"Source connection params when reading a {source_name} {what}.",
        "properties": {},
    }


def source_spec_schema(source: JsonObject, explore: str | None) -> JsonObject:
    source_name = str(source["name"])
    if explore == TABULAR:
        return tabular_source_spec(source_name)
    if explore == FILE_SYSTEM:
        return file_source_spec(source_name)
    return open_source_spec(source_name, streaming=explore is None)


def ui_attributes_for(spec_id: str, source_name: str, category: str) -> JsonObject:
    """sourceSpec.attributes.uiAttributes: published values, else keys in the same style."""
    if spec_id in DOCUMENTED_UI:
        documented: JsonObject = json.loads(json.dumps(DOCUMENTED_UI[spec_id]))
        return documented
    camel = camel_key(source_name)
    icon = GCS_EXAMPLE_ICON if spec_id == GCS_ID else camel
    return {
        "documentationLink": DOC_LINK.format(slug=slug(source_name)),
        "isSource": True,
        "category": {"key": CATEGORY_KEYS.get(category, camel_key(category))},
        "icon": {"key": icon},
        "description": {"key": f"{camel}Description"},
        "label": {"key": f"{camel}Label"},
    }


EXPLORE_ENTRY_TYPES = {
    TABULAR: ["table", "view"],
    FILE_SYSTEM: ["folder", "file"],
    RESOURCE: ["rest"],
}


def listing_schema(entry_types: Sequence[str]) -> JsonObject:
    """Explore answer for ``root`` and ``folder``: a bare array of entries (FACTS F.4)."""
    return {
        "$schema": JSON_SCHEMA_DRAFT7,
        "type": "array",
        "items": {
            "type": "object",
            "properties": {
                "type": {"type": "string", "enum": list(entry_types)},
                "name": {"type": "string"},
                "path": {"type": "string"},
                "canPreview": {"type": "boolean"},
                "canFetchSchema": {"type": "boolean"},
            },
            "required": ["type", "name", "path", "canPreview", "canFetchSchema"],
        },
    }


def flat_schema(*, file_properties: bool) -> JsonObject:
    """Explore answer for a table, view or file: ``format``, ``schema.columns``, ``data``."""
    properties: JsonObject = {
        "format": {"type": "string", "enum": ["flat"]},
        "schema": {
            "type": "object",
            "properties": {
                "columns": {
                    "type": "array",
                    "items": {
                        "type": "object",
                        "properties": {"name": {"type": "string"}, "type": {"type": "string"}},
                        "required": ["name", "type"],
                    },
                },
            },
            "required": ["columns"],
        },
        "data": {"type": "array", "items": {"type": "object"}},
    }
    if file_properties:
        properties["properties"] = {
            "type": "object",
            "properties": {
                "fileType": {"type": "string"},
                "compressionType": {"type": "string"},
                "columnDelimiter": {"type": "string"},
            },
        }
    return {
        "$schema": JSON_SCHEMA_DRAFT7,
        "type": "object",
        "properties": properties,
        "required": ["format", "schema"],
    }


def hierarchical_schema() -> JsonObject:
    """Explore answer for ``objectType=rest``: a JSON schema and sample records."""
    return {
        "$schema": JSON_SCHEMA_DRAFT7,
        "type": "object",
        "properties": {
            "format": {"type": "string", "enum": ["hierarchical"]},
            "schema": {"type": "object"},
            "data": {"type": "array"},
        },
        "required": ["format", "schema"],
    }


def explore_spec(explore: str) -> JsonObject:
    """exploreSpec: name and type, the request shape (OAS example) and one answer per objectType.

    ``responseSpec`` is keyed by objectType, as in the OAS example (``root``, ``folder``,
    ``file`` for FileSystem), with the objectTypes the mock's explore answers.
    """
    entries = EXPLORE_ENTRY_TYPES[explore]
    responses: JsonObject = {"root": listing_schema(entries)}
    if explore == TABULAR:
        responses["table"] = flat_schema(file_properties=False)
        responses["view"] = flat_schema(file_properties=False)
    elif explore == FILE_SYSTEM:
        responses["folder"] = listing_schema(entries)
        responses["file"] = flat_schema(file_properties=True)
    else:
        responses["rest"] = hierarchical_schema()
    return {
        "name": explore,
        "type": explore,
        "requestSpec": {"$schema": JSON_SCHEMA_DRAFT7, "type": "object"},
        "responseSpec": responses,
    }


def doc_list(source: JsonObject, documented: JsonObject) -> list[str]:
    docs = [str(d) for d in source.get("source", [])]
    for auth in source.get("authSpecs", []):
        auth_doc = auth.get("source")
        if auth_doc and not any(d.startswith(str(auth_doc)) for d in docs):
            docs.append(str(auth_doc))
    if "doc" in documented:
        docs.append(str(documented["doc"]))
    return docs


def spec_name_for(source: JsonObject, documented: JsonObject) -> str | None:
    """Return the documented internal connection spec name, or None if unknown."""
    if source.get("connectionSpecName"):
        return str(source["connectionSpecName"])
    if "name" in documented:
        return str(documented["name"])
    return None


def build_spec(source: JsonObject) -> JsonObject:
    spec_id = str(source["id"])
    source_name = str(source["name"])
    documented: JsonObject = DOCUMENTED.get(spec_id, {})
    inferred: list[str] = []

    name = spec_name_for(source, documented)
    name_inferred = name is None
    if name is None:
        name = slug(source_name)
        inferred.append("name")

    provider_id = source.get("providerId") or documented.get("providerId")
    if not provider_id:
        provider_id = STREAMING_PROVIDER_ID if is_streaming(source) else BATCH_PROVIDER_ID
        inferred.append("providerId")

    auth_specs = [build_auth_spec(source, a, documented, inferred) for a in source["authSpecs"]]

    category = clean_category(str(source["category"]))
    if category != source["category"]:
        inferred.append(f"attributes.category (shared file says {source['category']!r})")

    ui_attributes = ui_attributes_for(spec_id, source_name, category)
    if spec_id not in DOCUMENTED_UI:
        inferred.append("sourceSpec.attributes.uiAttributes")
    # OAS SourceSpecDTO: the type is the source's category (example CloudStorage).
    source_type = category.replace(" ", "")
    inferred.extend(["sourceSpec.name", "sourceSpec.type"])
    explore = explore_type(source)
    source_spec: JsonObject = {
        "name": source_type,
        "type": source_type,
        "spec": source_spec_schema(source, explore),
        "attributes": {"uiAttributes": ui_attributes},
    }
    if explore != TABULAR or spec_id not in DOCUMENTED_TABLE_SPEC:
        inferred.append("sourceSpec.spec")

    result: JsonObject = {
        "id": spec_id,
        "name": name,
        "providerId": str(provider_id),
        "version": str(source.get("version") or SPEC_VERSION),
        "authSpec": auth_specs,
        "sourceSpec": source_spec,
    }
    if explore is not None:
        result["exploreSpec"] = explore_spec(explore)
        if DOCUMENTED_EXPLORE.get(spec_id) != explore:
            inferred.append("exploreSpec")
        else:
            inferred.extend(["exploreSpec.requestSpec", "exploreSpec.responseSpec"])

    attributes: JsonObject = {
        "category": category,
        # OAS: the name the UI catalog shows; the docs' title for the source.
        "connectorName": source_name,
        "isSource": True,
        "isDraftModeSupported": spec_id in DOCUMENTED_DRAFT_MODE or explore == FILE_SYSTEM,
    }
    inferred.append("attributes.connectorName")
    if spec_id in DOCUMENTED_SPEC_LINK:
        attributes["documentationLink"] = DOCUMENTED_SPEC_LINK[spec_id]
    attributes["uiAttributes"] = {"apiFeatures": {"explorePaginationSupported": False}}
    result["attributes"] = attributes
    if spec_id not in DOCUMENTED_DRAFT_MODE:
        inferred.append("attributes.isDraftModeSupported")
    result["permissionsInfo"] = json.loads(json.dumps(PERMISSIONS_INFO))
    result["_provenance"] = {
        "sourceName": source_name,
        "nameInferred": name_inferred,
        "inferred": inferred,
        "docs": doc_list(source, documented),
    }
    return result


def build_catalog(shared: JsonObject) -> JsonObject:
    specs = [build_spec(source) for source in shared["sources"]]
    ids = [s["id"] for s in specs]
    names = [s["name"] for s in specs]
    if len(set(ids)) != len(ids):
        msg = "duplicate connection spec ids"
        raise ValueError(msg)
    if len(set(names)) != len(names):
        msg = "duplicate connection spec names"
        raise ValueError(msg)
    return {"specs": specs}


def render(catalog: JsonObject) -> str:
    return json.dumps(catalog, indent=2, ensure_ascii=False) + "\n"


def parse_args(argv: Sequence[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "source",
        nargs="?",
        type=Path,
        default=DEFAULT_SOURCE,
        help="shared connection_specs.json (relative paths start at the repo root)",
    )
    parser.add_argument(
        "--output",
        type=Path,
        default=DEFAULT_OUTPUT,
        help="where to write the catalog (relative paths are taken from the repo root)",
    )
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(sys.argv[1:] if argv is None else argv)
    source_path: Path = REPO_ROOT / args.source
    output_path: Path = REPO_ROOT / args.output
    shared = json.loads(source_path.read_text(encoding="utf-8"))
    catalog = build_catalog(shared)
    output_path.parent.mkdir(parents=True, exist_ok=True)
    output_path.write_text(render(catalog), encoding="utf-8")
    print(f"wrote {len(catalog['specs'])} connection specs to {output_path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
