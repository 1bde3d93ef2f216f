"""Build ``mock_flowservice/data/openapi.json``, the mock's own OpenAPI 3 document.

Run ``python tools/build_openapi.py`` from the repository root (``--check`` only compares and
exits 1 when the committed file is stale). The output is deterministic, so the committed JSON can
be regenerated and diffed; the app only ever serves the JSON.

The document describes what *this mock* does, operation by operation, including every error body
it can answer with. It is written from the mock's code and FACTS.md, not from Adobe's file. Error
codes, titles and gateway messages are read from :mod:`mock_flowservice.errors`, so the enums in
the document cannot drift from what the mock renders.

Conventions:

* Every path is relative to the configured base path (``servers[0]``); the served copy rewrites
  ``servers`` to the running app's ``base_path``. The IMS token endpoint overrides ``servers``
  with ``/`` because it lives outside the Flow Service prefix.
* The mock also answers each ``{id}`` path with a trailing slash (Adobe's file spells PATCH and
  DELETE that way). Those paths carry ``x-mock-trailing-slash: true`` instead of being listed
  twice.
* Regular expressions in ``pattern`` are exact: a value matches if and only if the mock accepts
  it, because the contract tests send values that do not match and expect a 4xx.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "mock_flowservice" / "data" / "openapi.json"

sys.path.insert(0, str(ROOT))

from mock_flowservice import __version__  # noqa: E402
from mock_flowservice.config import DEFAULT_BASE_PATH  # noqa: E402
from mock_flowservice.errors import FLOW_ERRORS, FLOW_TYPE_PREFIX, GATEWAY_ERRORS  # noqa: E402
from mock_flowservice.operations.connections import CONNECTION_FIELDS  # noqa: E402

Json = dict[str, Any]

DYNAMICS_SPEC_ID = "38ad80fe-8b06-4938-94f4-d4ee80266b07"
EXAMPLE_CONNECTION_ID = "4cb0c374-d3bb-4557-b139-5712880adc55"
EXAMPLE_ETAG = '"9e0052a2-0000-0200-0000-5e35fb330000"'


def ref(kind: str, name: str) -> Json:
    return {"$ref": f"#/components/{kind}/{name}"}


def schema_ref(name: str) -> Json:
    return ref("schemas", name)


def ci(word: str) -> str:
    """A case-insensitive regex for ``word`` (ECMA regexes in JSON Schema have no flags)."""
    return "".join(f"[{c.lower()}{c.upper()}]" if c.isalpha() else c for c in word)


def one_of_words(*words: str) -> str:
    return "(?:" + "|".join(ci(w) for w in words) + ")"


def flow_codes(status: int) -> list[str]:
    return sorted(code for code in FLOW_ERRORS if code.endswith(f"-{status}"))


def gateway_codes(status: int) -> list[str]:
    return sorted(code for code in GATEWAY_ERRORS if code.startswith(str(status)))


# --- schemas -----------------------------------------------------------------------------------


def error_schemas() -> Json:
    schemas: Json = {
        "GatewayError": {
            "type": "object",
            "description": (
                "Refusal by the API gateway in front of Flow Service (the request never reaches "
                "the service). The HTTP status is the first three digits of `error_code`.\n\n"
                + "\n".join(f"* `{code}`: {msg}" for code, msg in GATEWAY_ERRORS.items())
            ),
            "required": ["error_code", "message"],
            "additionalProperties": False,
            "properties": {
                "error_code": {"type": "string", "enum": sorted(GATEWAY_ERRORS)},
                "message": {"type": "string", "enum": sorted(set(GATEWAY_ERRORS.values()))},
            },
            "example": {"error_code": "403010", "message": GATEWAY_ERRORS["403010"]},
        },
        "ContentTypeError": {
            "type": "object",
            "description": (
                "Gateway refusal of a POST or PATCH body sent without a JSON media type "
                "(`application/json` or any `*+json`)."
            ),
            "required": ["type", "status", "title", "detail"],
            "additionalProperties": False,
            "properties": {
                "type": {"type": "string", "enum": ["/placeholder/type/uri"]},
                "status": {"type": "integer", "enum": [400]},
                "title": {"type": "string", "enum": ["BadRequestError"]},
                "detail": {"type": "string", "enum": ["A valid content-type must be specified"]},
            },
        },
        "FlowErrorReport": {
            "type": "object",
            "required": ["detailed-message", "request-id"],
            "properties": {
                "detailed-message": {"type": "string"},
                "request-id": {
                    "type": "string",
                    "description": "Same value as the `x-request-id` response header.",
                },
                "id": {
                    "type": "string",
                    "description": "The resource that was not found (1439 only).",
                },
                "type": {
                    "type": "string",
                    "description": (
                        "The kind of resource that was not found (1439 only): `connections`, "
                        "`connectionSpecs`, or an explore object type such as `table`, `file`."
                    ),
                },
            },
            "additionalProperties": False,
        },
        "FlowError": {
            "type": "object",
            "description": (
                "Error answered by Flow Service itself. `type` ends in `FLOW-<code>-<status>`; "
                "`errorMessage` and `errorDetails` repeat `report.detailed-message`.\n\n"
                + "\n".join(f"* `{code}` {title}" for code, (title, _) in FLOW_ERRORS.items())
            ),
            "required": ["type", "title", "status", "report", "errorMessage", "errorDetails"],
            "additionalProperties": False,
            "properties": {
                "type": {
                    "type": "string",
                    "enum": [FLOW_TYPE_PREFIX + code for code in FLOW_ERRORS],
                },
                "title": {
                    "type": "string",
                    "enum": sorted({title for title, _ in FLOW_ERRORS.values()}),
                },
                "status": {"type": "integer"},
                "report": schema_ref("FlowErrorReport"),
                "errorMessage": {"type": "string"},
                "errorDetails": {"type": "string"},
            },
            "example": {
                "type": FLOW_TYPE_PREFIX + "1439-404",
                "title": "Resource not found",
                "status": 404,
                "report": {
                    "detailed-message": (
                        f"The requested connections resource {EXAMPLE_CONNECTION_ID} is not "
                        "found. Verify the resource ID before trying again."
                    ),
                    "id": EXAMPLE_CONNECTION_ID,
                    "type": "connections",
                    "request-id": "5b1b5c1e-7c8e-4f62-9d0a-5d1f0c9b8a77",
                },
                "errorMessage": "(same as report.detailed-message)",
                "errorDetails": "(same as report.detailed-message)",
            },
        },
    }
    for status in sorted({int(code.rsplit("-", 1)[1]) for code in FLOW_ERRORS}):
        codes = flow_codes(status)
        schemas[f"FlowError{status}"] = {
            "allOf": [
                schema_ref("FlowError"),
                {
                    "type": "object",
                    "properties": {
                        "type": {"enum": [FLOW_TYPE_PREFIX + c for c in codes]},
                        "status": {"enum": [status]},
                    },
                },
            ],
        }
    for status in sorted({int(code[:3]) for code in GATEWAY_ERRORS}):
        codes = gateway_codes(status)
        schemas[f"GatewayError{status}"] = {
            "allOf": [
                schema_ref("GatewayError"),
                {
                    "type": "object",
                    "properties": {
                        "error_code": {"enum": codes},
                        "message": {"enum": sorted({GATEWAY_ERRORS[c] for c in codes})},
                    },
                },
            ],
        }
    return schemas


def connection_schemas() -> Json:
    audit = {
        "createdAt": {"type": "integer", "format": "int64", "description": "Epoch milliseconds."},
        "updatedAt": {"type": "integer", "format": "int64", "description": "Epoch milliseconds."},
        "createdBy": {
            "type": "string",
            "description": (
                "`<client>@techacct.adobe.com` for a token from the mock's IMS endpoint, "
                "otherwise `<x-api-key>@AdobeID`."
            ),
        },
        "updatedBy": {"type": "string"},
        "createdClient": {"type": "string", "description": "The caller's client id (API key)."},
        "updatedClient": {"type": "string"},
    }
    return {
        "ConnectionSpecRef": {
            "type": "object",
            "required": ["id"],
            "properties": {
                "id": {"type": "string", "example": DYNAMICS_SPEC_ID},
                "version": {
                    "type": "string",
                    "nullable": True,
                    "description": "Must equal the spec's version when given; absent means latest.",
                    "example": "1.0",
                },
            },
        },
        "Auth": {
            "type": "object",
            "required": ["specName", "params"],
            "properties": {
                "specName": {
                    "type": "string",
                    "description": "The exact `name` of one of the connection spec's `authSpec`.",
                },
                "params": {
                    "type": "object",
                    "additionalProperties": True,
                    "description": (
                        "Validated against that auth spec's JSON Schema; params it does not "
                        "declare are refused unless the mock runs with "
                        "`reject_unknown_params=False`."
                    ),
                },
            },
        },
        "Connection": {
            "type": "object",
            "description": (
                "A base connection as the mock serves it. Params whose auth-spec property has "
                '`"format": "password"` read back as the configured mask (`********` by default).'
            ),
            "required": [
                "id",
                "createdAt",
                "updatedAt",
                "createdBy",
                "updatedBy",
                "createdClient",
                "updatedClient",
                "sandboxId",
                "sandboxName",
                "imsOrgId",
                "name",
                "connectionSpec",
                "state",
                "auth",
                "lastOperation",
            ],
            "additionalProperties": False,
            "properties": {
                "id": {"type": "string", "example": EXAMPLE_CONNECTION_ID},
                **audit,
                "sandboxId": {
                    "type": "string",
                    "description": "Stable UUID derived from the org and the sandbox name.",
                },
                "sandboxName": {"type": "string", "example": "prod"},
                "imsOrgId": {"type": "string", "example": "5C1328435BF324E90A49402A@AdobeOrg"},
                "name": {"type": "string"},
                "description": {"type": "string", "description": "Omitted when not set."},
                "connectionSpec": {
                    "type": "object",
                    "required": ["id", "version"],
                    "additionalProperties": False,
                    "properties": {"id": {"type": "string"}, "version": {"type": "string"}},
                },
                "state": {
                    "type": "string",
                    "description": (
                        "`enabled` after a normal create, `draft` after `?mode=draft` until "
                        "published. Seeded connections may carry other states."
                    ),
                    "example": "enabled",
                },
                "auth": {
                    "type": "object",
                    "required": ["specName", "params"],
                    "additionalProperties": False,
                    "properties": {
                        "specName": {"type": "string"},
                        "params": {"type": "object", "additionalProperties": True},
                    },
                },
                "version": {
                    "type": "string",
                    "description": "Same value as `etag`; absent while `state` is `initializing`.",
                    "example": EXAMPLE_ETAG,
                },
                "etag": {
                    "type": "string",
                    "description": (
                        "Quoted opaque version; changes on every successful update. Absent "
                        "while `state` is `initializing`."
                    ),
                    "example": EXAMPLE_ETAG,
                },
                "lastOperation": {
                    "type": "object",
                    "required": ["started", "updated", "operation"],
                    "additionalProperties": False,
                    "properties": {
                        "started": {"type": "integer", "format": "int64"},
                        "updated": {"type": "integer", "format": "int64"},
                        "operation": {
                            "type": "string",
                            "description": "`create`, `update`, or the last action's `op`.",
                        },
                    },
                },
            },
        },
        "ConnectionReference": {
            "type": "object",
            "description": "The id and the new etag of a connection that was written.",
            "required": ["id", "etag"],
            "additionalProperties": False,
            "properties": {
                "id": {"type": "string", "example": EXAMPLE_CONNECTION_ID},
                "etag": {"type": "string", "example": EXAMPLE_ETAG},
            },
        },
        "ConnectionPage": {
            "type": "object",
            "required": ["items", "_links"],
            "additionalProperties": False,
            "properties": {
                "items": {"type": "array", "items": schema_ref("Connection")},
                "_links": {
                    "type": "object",
                    "description": "Empty on the last page.",
                    "additionalProperties": False,
                    "properties": {
                        "next": {
                            "type": "object",
                            "required": ["href"],
                            "additionalProperties": False,
                            "properties": {
                                "href": {
                                    "type": "string",
                                    "description": (
                                        "Relative to the base path: `/connections?` plus the "
                                        "request's own query and a new `continuationToken`."
                                    ),
                                    "pattern": "^/connections\\?",
                                }
                            },
                        }
                    },
                },
            },
        },
        "ConnectionCount": {
            "type": "object",
            "description": "The answer to `count=true`: the number of matches, no items.",
            "required": ["count"],
            "additionalProperties": False,
            "properties": {"count": {"type": "integer", "minimum": 0}},
        },
        "ConnectionListing": {
            "oneOf": [schema_ref("ConnectionPage"), schema_ref("ConnectionCount")],
        },
        "SingleConnection": {
            "type": "object",
            "description": "A single connection, wrapped in a one-element `items` array.",
            "required": ["items"],
            "additionalProperties": False,
            "properties": {
                "items": {
                    "type": "array",
                    "minItems": 1,
                    "maxItems": 1,
                    "items": schema_ref("Connection"),
                }
            },
        },
        "CreateConnectionRequest": {
            "type": "object",
            "description": (
                "Unknown top-level fields (e.g. `providerId`) are accepted and ignored. "
                "A null optional field counts as absent."
            ),
            "required": ["name", "auth", "connectionSpec"],
            "properties": {
                "name": {
                    "type": "string",
                    "pattern": "\\S",
                    "description": "Must contain a non-blank character.",
                },
                "description": {"type": "string", "nullable": True},
                "auth": schema_ref("Auth"),
                "connectionSpec": schema_ref("ConnectionSpecRef"),
            },
            "example": {
                "name": "Dynamics connection",
                "description": "Dynamics connection with basic auth",
                "auth": {
                    "specName": "Basic Authentication for Dynamics-Online",
                    "params": {
                        "serviceUri": "https://contoso.crm.dynamics.com",
                        "username": "ops@contoso.example",
                        "password": "{PASSWORD}",
                    },
                },
                "connectionSpec": {"id": DYNAMICS_SPEC_ID, "version": "1.0"},
            },
        },
        "PatchOperation": {
            "type": "object",
            "description": (
                "One JSON Patch instruction. Patchable paths: `/name`, `/description`, "
                "`/auth/params` and `/auth/params/<key>`. `value` is required unless `op` is "
                "`remove`. A secret sent back as the mask keeps its stored value."
            ),
            "required": ["op", "path"],
            "properties": {
                "op": {
                    "type": "string",
                    "pattern": "^" + one_of_words("add", "replace", "remove") + "$",
                    "description": "`add`, `replace` or `remove`, in any letter case.",
                    "example": "replace",
                },
                "path": {
                    "type": "string",
                    "description": "A JSON Pointer (RFC 6901).",
                    "example": "/name",
                },
                "value": {"description": "Any JSON value."},
            },
        },
        "PatchDocument": {
            "type": "array",
            "minItems": 1,
            "items": schema_ref("PatchOperation"),
            "example": [
                {"op": "replace", "path": "/name", "value": "Renamed connection"},
                {"op": "add", "path": "/description", "value": "Updated by the client"},
            ],
        },
        "SearchRequest": {
            "type": "object",
            "description": (
                "Unknown fields are ignored; a null field counts as absent. `limit` and "
                "`count: true` cannot be combined."
            ),
            "properties": {
                "queryString": {
                    "type": "string",
                    "nullable": True,
                    "description": (
                        "`property` conditions joined by `&`, e.g. "
                        "`state==enabled&connectionSpec.id==" + DYNAMICS_SPEC_ID + "`."
                    ),
                },
                "limit": {"type": "integer", "minimum": 1, "maximum": 1000, "nullable": True},
                "orderby": {"type": "string", "nullable": True, "example": "-createdAt"},
                "count": {"type": "boolean", "nullable": True},
            },
            "example": {"queryString": "state==enabled", "limit": 10, "orderby": "-createdAt"},
        },
        "ActionRequest": {
            "type": "object",
            "description": "Optional state details; the mock accepts and ignores the body.",
            "additionalProperties": True,
        },
        "TestResult": {
            "type": "object",
            "required": ["result"],
            "additionalProperties": False,
            "properties": {"result": {"type": "boolean"}},
        },
        "ConnectionConfigs": {
            "type": "object",
            "required": ["configParams", "connectionSpec"],
            "additionalProperties": False,
            "properties": {
                "configParams": {"type": "object", "additionalProperties": False},
                "connectionSpec": {
                    "type": "object",
                    "required": ["id"],
                    "additionalProperties": False,
                    "properties": {"id": {"type": "string"}},
                },
            },
        },
    }


AUDIT_PROPERTIES: Json = {
    **{name: {"type": "integer"} for name in ("createdAt", "updatedAt")},
    **{
        name: {"type": "string"}
        for name in ("createdBy", "updatedBy", "createdClient", "updatedClient", "sandboxId",
                     "sandboxName", "imsOrgId")
    },
}  # fmt: skip


def authored_request(members: dict[str, str], description: str) -> Json:
    """The body of a Sources SDK create or replacement: ``name`` and ``providerId`` required."""
    types = {"str": {"type": "string"}, "obj": {"type": "object"}, "list": {"type": "array"}}
    return {
        "type": "object",
        "description": description,
        "required": ["name", "providerId"],
        "properties": {name: types[kind] for name, kind in members.items()},
    }


def spec_schemas() -> Json:
    obj = {"type": "object"}
    common = {"name": "str", "providerId": "str", "version": "str", "type": "str",
              "attributes": "obj", "permissionsInfo": "obj", "entitlementInfo": "list",
              "policy": "obj"}  # fmt: skip
    return {
        "ConnectionSpecRequest": authored_request(
            {
                **common,
                "settings": "obj",
                "authSpec": "list",
                "encryptionSpecs": "list",
                "sourceSpec": "obj",
                "targetSpec": "obj",
                "exploreSpec": "obj",
            },
            "A connection spec to author. Every `spec` must be a draft-07 JSON Schema; "
            "members the server sets (`id`, audit fields) are ignored, other unknown "
            "members are FLOW-1100.",
        ),
        "FlowSpecRequest": authored_request(
            {
                **common,
                "transformationSpecs": "list",
                "transformationSpecDTOS": "list",
                "optionSpec": "obj",
                "scheduleSpec": "obj",
                "runSpec": "obj",
                "sourceConnectionSpecIds": "list",
                "targetConnectionSpecIds": "list",
            },
            "A flow spec to author; its connection spec ids must name specs the org can use "
            "(FLOW-1413). `transformationSpecDTOS` is read as `transformationSpecs`.",
        ),
        "AuthoredSpec": {
            "type": "object",
            "description": "An authored connection or flow spec, bare (not wrapped in `items`).",
            "required": ["id", "name", "providerId", "version", "imsOrgId", "createdAt"],
            "properties": {
                **AUDIT_PROPERTIES,
                "id": {"type": "string"},
                "name": {"type": "string"},
                "providerId": {"type": "string"},
                "version": {"type": "string"},
            },
        },
        "AuthSpec": {
            "type": "object",
            "required": ["name", "type", "spec"],
            "properties": {
                "name": {"type": "string"},
                "type": {"type": "string"},
                "settings": obj,
                "spec": {
                    "type": "object",
                    "description": (
                        "Draft-07 JSON Schema of `auth.params`; secrets are marked "
                        '`"format": "password"`.'
                    ),
                },
            },
        },
        "ConnectionSpec": {
            "type": "object",
            "description": (
                "A connection spec: from the mock's catalog, a source (with `sourceSpec`) or a "
                "target such as the Data Lake (with `targetSpec`); or authored by the caller's "
                "org with the Sources SDK, then with audit fields."
            ),
            "required": ["id", "name", "providerId", "version"],
            "additionalProperties": False,
            "properties": {
                **AUDIT_PROPERTIES,
                "settings": obj,
                "encryptionSpecs": {"type": "array"},
                "entitlementInfo": {"type": "array"},
                "policy": obj,
                "id": {"type": "string", "example": DYNAMICS_SPEC_ID},
                "name": {"type": "string", "example": "dynamics-online"},
                "providerId": {"type": "string"},
                "version": {"type": "string", "example": "1.0"},
                "type": {"type": "string"},
                "authSpec": {"type": "array", "items": schema_ref("AuthSpec")},
                "sourceSpec": obj,
                "targetSpec": obj,
                "exploreSpec": {
                    "type": "object",
                    "description": "Absent for sources that cannot be explored (streaming).",
                    "properties": {
                        "type": {"type": "string", "enum": ["Tabular", "FileSystem", "Resource"]}
                    },
                },
                "attributes": obj,
                "permissionsInfo": obj,
            },
        },
        "ConnectionSpecList": {
            "type": "object",
            "description": "Connection specs in catalog order (the single-spec read has one).",
            "required": ["items"],
            "additionalProperties": False,
            "properties": {"items": {"type": "array", "items": schema_ref("ConnectionSpec")}},
        },
        "ConnectionSpecConfigs": {
            "type": "object",
            "required": ["configParams"],
            "additionalProperties": False,
            "properties": {
                "configParams": {
                    "type": "object",
                    "additionalProperties": False,
                    "properties": {"IAMRole": {"type": "string"}},
                    "description": (
                        "`IAMRole` for a spec with an IAM auth spec (Amazon S3) when `authType` "
                        "starts with `iam`; empty otherwise."
                    ),
                }
            },
        },
    }


def explore_schemas() -> Json:
    return {
        "ExploreItem": {
            "type": "object",
            "required": ["type", "name", "path", "canPreview", "canFetchSchema"],
            "additionalProperties": False,
            "properties": {
                "type": {
                    "type": "string",
                    "enum": ["table", "view", "folder", "file", "rest"],
                },
                "name": {"type": "string"},
                "path": {"type": "string"},
                "canPreview": {"type": "boolean", "description": "False for folders."},
                "canFetchSchema": {"type": "boolean", "description": "False for folders."},
            },
        },
        "ExploreListing": {
            "type": "array",
            "description": "`objectType=root`, or a `folder`: the objects one level down.",
            "items": schema_ref("ExploreItem"),
        },
        "ExploreColumn": {
            "type": "object",
            "required": ["name", "type"],
            "additionalProperties": False,
            "properties": {
                "name": {"type": "string"},
                "type": {"type": "string", "enum": ["string", "integer", "double", "boolean"]},
                "meta": {
                    "type": "object",
                    "additionalProperties": False,
                    "properties": {"originalType": {"type": "string"}},
                },
                "meta:xdmType": {"type": "string"},
                "xdm": {"type": "object"},
            },
        },
        "ExploreFlat": {
            "type": "object",
            "description": (
                "A table, view or file: its columns; `data` rows with `preview=true`; "
                "`properties` for a file with `determineProperties=true`."
            ),
            "required": ["format", "schema"],
            "additionalProperties": False,
            "properties": {
                "format": {"type": "string", "enum": ["flat"]},
                "schema": {
                    "type": "object",
                    "required": ["columns"],
                    "additionalProperties": False,
                    "properties": {
                        "columns": {"type": "array", "items": schema_ref("ExploreColumn")}
                    },
                },
                "data": {"type": "array", "items": {"type": "object"}},
                "properties": {
                    "type": "object",
                    "required": ["fileType", "compressionType"],
                    "additionalProperties": False,
                    "properties": {
                        "fileType": {"type": "string", "enum": ["delimited", "json", "parquet"]},
                        "compressionType": {"type": "string"},
                        "columnDelimiter": {"type": "string"},
                    },
                },
            },
        },
        "ExploreHierarchical": {
            "type": "object",
            "description": "A REST source's object: a JSON Schema, plus `data` with preview.",
            "required": ["format", "schema"],
            "additionalProperties": False,
            "properties": {
                "format": {"type": "string", "enum": ["hierarchical"]},
                "schema": {"type": "object"},
                "data": {"type": "array", "items": {"type": "object"}},
            },
        },
        "ExploreResult": {
            "oneOf": [
                schema_ref("ExploreListing"),
                schema_ref("ExploreFlat"),
                schema_ref("ExploreHierarchical"),
            ]
        },
    }


def ims_schemas() -> Json:
    nonempty = {"type": "string", "minLength": 1}
    return {
        "TokenRequest": {
            "type": "object",
            "required": ["grant_type", "client_id", "client_secret", "scope"],
            "properties": {
                "grant_type": {"type": "string", "enum": ["client_credentials"]},
                "client_id": {**nonempty, "example": "test-client"},
                "client_secret": {**nonempty, "example": "test-secret"},
                "scope": {
                    **nonempty,
                    "example": "openid,AdobeID,read_organizations",
                },
            },
        },
        "Token": {
            "type": "object",
            "required": ["access_token", "token_type", "expires_in"],
            "additionalProperties": False,
            "properties": {
                "access_token": {"type": "string"},
                "token_type": {"type": "string", "enum": ["bearer"]},
                "expires_in": {"type": "integer", "description": "Seconds (86399 by default)."},
            },
        },
        "ImsError": {
            "type": "object",
            "required": ["error", "error_description"],
            "additionalProperties": False,
            "properties": {
                "error": {
                    "type": "string",
                    "enum": ["invalid_request", "unsupported_grant_type", "invalid_client"],
                },
                "error_description": {"type": "string"},
            },
        },
    }


# --- parameters, headers, responses -------------------------------------------------------------


def parameters() -> Json:
    orderable = "|".join(sorted(CONNECTION_FIELDS))
    return {
        "OrgId": {
            "name": "x-gw-ims-org-id",
            "in": "header",
            "required": True,
            "description": (
                "The IMS organization. Connections are isolated per org and sandbox. Missing or "
                "blank: gateway `400003`."
            ),
            "schema": {"type": "string", "minLength": 1},
            "example": "5C1328435BF324E90A49402A@AdobeOrg",
        },
        "SandboxName": {
            "name": "x-sandbox-name",
            "in": "header",
            "required": False,
            "description": (
                "The sandbox. Absent or blank means `prod` (configurable); with "
                "`missing_sandbox=require` it is `FLOW-2105-400` instead. With "
                "`known_sandboxes` set, any other name is `FLOW-2100-404`."
            ),
            "schema": {"type": "string"},
            "example": "prod",
        },
        "ConnectionId": {
            "name": "connectionId",
            "in": "path",
            "required": True,
            "description": "A base connection id (case-sensitive).",
            "schema": {"type": "string", "minLength": 1},
            "example": EXAMPLE_CONNECTION_ID,
        },
        "ConnectionSpecId": {
            "name": "connectionSpecId",
            "in": "path",
            "required": True,
            "description": "A connection spec id (matched case-insensitively).",
            "schema": {"type": "string", "minLength": 1},
            "example": DYNAMICS_SPEC_ID,
        },
        "Property": {
            "name": "property",
            "in": "query",
            "required": False,
            "style": "form",
            "explode": True,
            "description": (
                "A filter `<field path><op><value>`, repeated for several (all must hold). "
                "Operators `==`, `!=`, `<`, `>`, `<=`, `>=`; after `==`/`!=` a comma list means "
                "any of / none of. Paths are dotted (`connectionSpec.id`); `[]` fans out over an "
                "array. Values may be double-quoted. `~` is FLOW-1440; other operators 1450; an "
                "unknown field 1449; `<`,`>`,`<=`,`>=` on `id` 1448; a list with them 1443; "
                "non-numeric `createdAt`/`updatedAt` 1452; a malformed condition 1453. Blank "
                "values are ignored."
            ),
            "schema": {"type": "array", "items": {"type": "string"}},
            "example": ["state==enabled"],
        },
        "Limit": {
            "name": "limit",
            "in": "query",
            "required": False,
            "description": (
                "Page size (default 20, larger values are capped at 1000). Not with `count`."
            ),
            "schema": {"type": "integer", "minimum": 1},
            "example": 10,
        },
        "OrderBy": {
            "name": "orderby",
            "in": "query",
            "required": False,
            "description": (
                "Sort field with an optional `+` (ascending, default) or `-` prefix; dotted "
                f"paths allowed. Top-level fields: {orderable.replace('|', ', ')}. A bad sign or "
                "name is FLOW-1432, an unknown field 1433. Without it: creation order."
            ),
            "schema": {"type": "string"},
            "example": "-createdAt",
        },
        "ContinuationToken": {
            "name": "continuationToken",
            "in": "query",
            "required": False,
            "description": (
                "Opaque token from `_links.next.href`. A token the mock did not make is FLOW-1453."
            ),
            "schema": {"type": "string"},
        },
        "Count": {
            "name": "count",
            "in": "query",
            "required": False,
            "description": '`true` answers `{"count": N}` only. Not with `limit` (FLOW-1401).',
            "schema": {"type": "boolean", "default": False},
        },
        "IfMatch": {
            "name": "If-Match",
            "in": "header",
            "required": True,
            "description": (
                "The connection's current etag, quoted or not. Missing (and no `if-match` "
                "query parameter): FLOW-1403-400. Stale: FLOW-1404-412."
            ),
            "schema": {"type": "string"},
            "example": EXAMPLE_ETAG,
        },
        "IfMatchOptional": {
            "name": "If-Match",
            "in": "header",
            "required": False,
            "description": "The spec's current etag; when sent and stale: FLOW-1404-412.",
            "schema": {"type": "string"},
        },
        "IfMatchQuery": {
            "name": "if-match",
            "in": "query",
            "required": False,
            "description": "Fallback for the `If-Match` header (as Adobe's Postman samples send).",
            "schema": {"type": "string"},
        },
        "ObjectType": {
            "name": "objectType",
            "in": "query",
            "required": False,
            "description": (
                "What to explore, in any letter case; absent or empty means `root`. Tabular "
                "sources take `root`, `table`, `view`; file sources `root`, `folder`, `file`; "
                "REST sources `root`, `rest`. Others are FLOW-1358."
            ),
            "schema": {
                "type": "string",
                "pattern": "^(?:\\s*"
                + one_of_words("root", "table", "view", "folder", "file", "rest")
                + "\\s*)?$",
            },
            "example": "table",
        },
        "Object": {
            "name": "object",
            "in": "query",
            "required": False,
            "description": (
                "The table/view name, folder or file path, or REST object. Required (non-blank) "
                "for every `objectType` but `root` (FLOW-1337). Unknown: FLOW-1439-404."
            ),
            "schema": {"type": "string"},
            "example": "account",
        },
        "FileTypeLower": file_type_param("fileType"),
        "FileTypeUpper": file_type_param("FileType"),
        "CompressionType": {
            "name": "CompressionType",
            "in": "query",
            "required": False,
            "description": "Accepted and ignored.",
            "schema": {"type": "string"},
        },
        "Preview": bool_param("preview", "Add up to `previewCount` sample rows as `data`."),
        "PreviewCount": {
            "name": "previewCount",
            "in": "query",
            "required": False,
            "description": "Rows to preview (default 10, at most the sample size).",
            "schema": {"type": "integer", "minimum": 1},
            "example": 5,
        },
        "PrimaryKey": {
            "name": "primaryKey",
            "in": "query",
            "required": False,
            "description": (
                "Order preview rows by this column; it must exist and not be a lookup "
                "(FLOW-1100). Ignored for REST objects."
            ),
            "schema": {"type": "string"},
        },
        "SourceParams": {
            "name": "sourceParams",
            "in": "query",
            "required": False,
            "description": "Base64 (standard or URL-safe) of a JSON object, else FLOW-1100.",
            "schema": {"type": "string"},
            "example": "e30=",
        },
        "Filters": {
            "name": "filters",
            "in": "query",
            "required": False,
            "description": (
                "Tables and views: base64 of a PQL JSON row filter (`=`, `!=`, `<`, `<=`, `>`, "
                "`>=`, `like`, `in`, `and`, `or`, `isNull`, `NOT`); the preview keeps matching "
                "rows. Bad base64 or JSON: FLOW-1389; a filter that cannot apply: FLOW-1335."
            ),
            "schema": {"type": "string"},
        },
        "DetermineProperties": bool_param(
            "determineProperties", "For a file, add `properties` (file type, compression)."
        ),
    }


def file_type_param(name: str) -> Json:
    return {
        "name": name,
        "in": "query",
        "required": False,
        "description": (
            "`delimited`, `json` or `parquet` in any letter case; it must be the file's own "
            "type (FLOW-1100). `fileType` wins over `FileType`."
        ),
        "schema": {
            "type": "string",
            "pattern": "^" + one_of_words("delimited", "json", "parquet") + "?$",
        },
    }


def bool_param(name: str, description: str) -> Json:
    return {
        "name": name,
        "in": "query",
        "required": False,
        "description": description + " `true`/`false` in any letter case, else FLOW-1100.",
        "schema": {"type": "boolean", "default": False},
    }


def headers() -> Json:
    return {
        "RequestId": {
            "description": (
                "Correlation id: the caller's own `x-request-id` when it is a plain token "
                "(letters, digits, `._:-`, up to 128), otherwise a new UUID. FLOW error bodies "
                "repeat it in `report.request-id`."
            ),
            "required": True,
            "schema": {"type": "string", "minLength": 1},
        },
        "Location": {
            "description": "Path of the new connection: `<base path>/connections/<id>`.",
            "required": True,
            "schema": {"type": "string", "pattern": "/connections/[^/]+$"},
        },
    }


def json_content(schema: Json) -> Json:
    return {"application/json": {"schema": schema}}


def error_response(description: str, *names: str) -> Json:
    schemas = [schema_ref(n) for n in names]
    schema = schemas[0] if len(schemas) == 1 else {"anyOf": schemas}
    return {
        "description": description,
        "headers": {"x-request-id": ref("headers", "RequestId")},
        "content": json_content(schema),
    }


def responses() -> Json:
    return {
        "BadRequest": error_response(
            "Missing org header (gateway `400003`) or a FLOW 400 error (see the operation).",
            "GatewayError400",
            "FlowError400",
        ),
        "BadRequestWithBody": error_response(
            "Missing org header (gateway `400003`), a body without a JSON media type, or a "
            "FLOW 400 error (see the operation).",
            "GatewayError400",
            "ContentTypeError",
            "FlowError400",
        ),
        "Unauthorized": error_response(
            "Token not accepted (gateway `401013`): not a `Bearer` token, or, with "
            "`token_policy=issued`, not issued by the mock's IMS endpoint or expired.",
            "GatewayError401",
        ),
        "Forbidden": error_response(
            "No `Authorization` (gateway `403010`), no `x-api-key` (`403000`), or, with "
            "`api_keys` configured, an unknown key (`403003`).",
            "GatewayError403",
        ),
        "NotFound": error_response(
            "FLOW-1439-404 for an unknown id or explore object, FLOW-2100-404 for an unknown "
            "sandbox (only with `known_sandboxes`), or gateway `404000` when the path does not "
            "route (e.g. an id containing `/`).",
            "FlowError404",
            "GatewayError404",
        ),
        "SandboxNotFound": error_response(
            "FLOW-2100-404: unknown sandbox (only with `known_sandboxes` configured).",
            "FlowError404",
        ),
        "PreconditionFailed": error_response(
            "FLOW-1404-412: `If-Match` is not the connection's current etag.",
            "FlowError412",
        ),
        "PayloadTooLarge": error_response(
            "Gateway `413000`: the body exceeds `max_body_bytes` (1 MiB by default).",
            "GatewayError413",
        ),
        "TooManyRequests": fault_response(
            "Gateway `429000`, only from an injected fault rule.", "GatewayError429"
        ),
        "InternalError": fault_response(
            "FLOW-1102-500: an injected fault rule (or a bug in the mock).", "FlowError500"
        ),
        "ServiceUnavailable": fault_response(
            "FLOW-1103-503, only from an injected fault rule.", "FlowError503"
        ),
        "GatewayTimeout": fault_response(
            "FLOW-1104-504, only from an injected fault rule.", "FlowError504"
        ),
    }


def fault_response(description: str, name: str) -> Json:
    response = error_response(description, name)
    response["headers"]["Retry-After"] = {
        "description": "Seconds, when the fault rule sets `retryAfter`.",
        "required": False,
        "schema": {"type": "integer", "minimum": 0},
    }
    return response


FAULT_RESPONSES = {
    "429": ref("responses", "TooManyRequests"),
    "500": ref("responses", "InternalError"),
    "503": ref("responses", "ServiceUnavailable"),
    "504": ref("responses", "GatewayTimeout"),
}


# --- operations --------------------------------------------------------------------------------


def common_parameters() -> list[Json]:
    return [ref("parameters", "OrgId"), ref("parameters", "SandboxName")]


def ok(description: str, schema: Json, status_headers: Json | None = None) -> Json:
    return {
        "description": description,
        "headers": {"x-request-id": ref("headers", "RequestId"), **(status_headers or {})},
        "content": json_content(schema),
    }


def errors(*, body: bool = False, by_id: bool = False, extra: Json | None = None) -> Json:
    out: Json = {
        "400": ref("responses", "BadRequestWithBody" if body else "BadRequest"),
        "401": ref("responses", "Unauthorized"),
        "403": ref("responses", "Forbidden"),
        "404": ref("responses", "NotFound" if by_id else "SandboxNotFound"),
    }
    if body:
        out["413"] = ref("responses", "PayloadTooLarge")
    out.update(extra or {})
    out.update(FAULT_RESPONSES)
    return dict(sorted(out.items()))


def codes_note(*codes: str) -> str:
    return "FLOW errors: " + ", ".join(f"`{c}`" for c in codes) + "."


LISTING_CODES = ("1401-400", "1432-400", "1433-400", "1440-400", "1443-400", "1448-400",
                 "1449-400", "1450-400", "1451-400", "1452-400", "1453-400")  # fmt: skip
EXPLORE_CODES = ("1100-400", "1330-400", "1335-400", "1336-400", "1337-400", "1358-400",
                 "1389-400", "1439-404")  # fmt: skip
EXPLORE_PARAMS = [
    "ObjectType", "Object", "FileTypeLower", "FileTypeUpper", "CompressionType", "Preview",
    "PreviewCount", "PrimaryKey", "SourceParams", "Filters", "DetermineProperties",
]  # fmt: skip


def operation(op_id: str, tag: str, summary: str, description: str, **rest: Any) -> Json:
    extra_params = rest.pop("parameters", [])
    return {
        "operationId": op_id,
        "tags": [tag],
        "summary": summary,
        "description": description,
        "parameters": [*common_parameters(), *extra_params],
        **rest,
    }


def connection_paths() -> Json:
    cid = ref("parameters", "ConnectionId")
    listing = [ref("parameters", n) for n in ("Property", "Limit", "OrderBy")]
    listing += [ref("parameters", n) for n in ("ContinuationToken", "Count")]
    return {
        "/connections": {
            "get": operation(
                "listConnections",
                "Connections",
                "List base connections",
                "Connections of the caller's org and sandbox, a page at a time. "
                "Unknown query parameters are FLOW-1451. " + codes_note(*LISTING_CODES),
                parameters=listing,
                responses={
                    "200": ok(
                        "A page of connections, or the count.", schema_ref("ConnectionListing")
                    ),
                    **errors(),
                },
            ),
            "post": operation(
                "createConnection",
                "Connections",
                "Create a base connection",
                "Validates the body against the catalog: the spec id (and version) must exist "
                "(1413), `auth.specName` must be one of its auth specs (1415) and `auth.params` "
                "must satisfy that auth spec's schema (1304 for a missing param, 1100 otherwise). "
                "An empty body is 1405, other malformed input 1100. "
                + codes_note("1100-400", "1304-400", "1405-400", "1413-400", "1415-400"),
                parameters=[
                    {
                        "name": "mode",
                        "in": "query",
                        "required": False,
                        "description": (
                            "`draft` (any letter case) creates the connection in state `draft`; "
                            "any other value is ignored."
                        ),
                        "schema": {"type": "string"},
                        "example": "draft",
                    }
                ],
                requestBody={
                    "required": True,
                    "content": json_content(schema_ref("CreateConnectionRequest")),
                },
                responses={
                    "201": ok(
                        "Created.",
                        schema_ref("ConnectionReference"),
                        {"Location": ref("headers", "Location")},
                    ),
                    **errors(body=True),
                },
            ),
        },
        "/connections/search": {
            "post": operation(
                "searchConnections",
                "Connections",
                "Search base connections with a body",
                "The listing, with its parameters in a JSON body. A body that is not a JSON "
                "object, or a `queryString` that is not a string, is 1100; a wrongly typed "
                "`limit`/`orderby`/`count` or a `limit` outside 1..1000 is 1452. "
                + codes_note("1100-400", "1405-400", *LISTING_CODES),
                parameters=[ref("parameters", "ContinuationToken")],
                requestBody={
                    "required": True,
                    "content": json_content(schema_ref("SearchRequest")),
                },
                responses={
                    "200": ok(
                        "A page of connections, or the count.", schema_ref("ConnectionListing")
                    ),
                    **errors(body=True),
                },
            ),
        },
        "/connections/{connectionId}": {
            "x-mock-trailing-slash": True,
            "parameters": [cid],
            "get": operation(
                "retrieveConnection",
                "Connections",
                "Read one base connection",
                "The connection wrapped in `items`. " + codes_note("1439-404"),
                responses={
                    "200": ok("The connection.", schema_ref("SingleConnection")),
                    **errors(by_id=True),
                },
            ),
            "patch": operation(
                "patchConnection",
                "Connections",
                "Update a base connection with JSON Patch",
                "Checks, in order: the body is JSON (1405 empty, 1100 malformed), the connection "
                "exists (1439), `If-Match` is present (1403), the instructions are valid (1100 "
                "shape, 1434 op, 1414 connection spec, 1455 missing field or unpatchable path; "
                "the auth spec cannot change), the resulting params satisfy the auth spec (1304, "
                "1100) and `If-Match` is current (1404-412). All instructions apply or none. "
                + codes_note(
                    "1100-400",
                    "1304-400",
                    "1403-400",
                    "1405-400",
                    "1414-400",
                    "1434-400",
                    "1455-400",
                    "1439-404",
                    "1404-412",
                ),
                parameters=[ref("parameters", "IfMatch"), ref("parameters", "IfMatchQuery")],
                requestBody={
                    "required": True,
                    "content": json_content(schema_ref("PatchDocument")),
                },
                responses={
                    "200": ok(
                        "Updated; the body carries the new etag.", schema_ref("ConnectionReference")
                    ),
                    **errors(
                        body=True,
                        by_id=True,
                        extra={"412": ref("responses", "PreconditionFailed")},
                    ),
                },
            ),
            "delete": operation(
                "deleteConnection",
                "Connections",
                "Delete a base connection",
                "Removes the connection at once; reading it afterwards is 404. "
                + codes_note("1439-404"),
                responses={
                    "204": {
                        "description": "Deleted; no body.",
                        "headers": {"x-request-id": ref("headers", "RequestId")},
                    },
                    **errors(by_id=True),
                },
            ),
        },
        "/connections/{connectionId}/test": {
            "x-mock-trailing-slash": True,
            "parameters": [cid],
            "get": operation(
                "testConnection",
                "Connections",
                "Test a base connection",
                "`result` is true unless the connection was made to fail through the control "
                "API. " + codes_note("1439-404"),
                responses={
                    "200": ok("The outcome.", schema_ref("TestResult")),
                    **errors(by_id=True),
                },
            ),
        },
        "/connections/{connectionId}/explore": {
            "x-mock-trailing-slash": True,
            "parameters": [cid],
            "get": operation(
                "exploreConnection",
                "Connections",
                "Browse the source behind a base connection",
                "Served from built-in sample data for the connection's spec (see "
                "`exploreConnectionSpec`). " + codes_note(*EXPLORE_CODES),
                parameters=[ref("parameters", n) for n in EXPLORE_PARAMS],
                responses={
                    "200": ok(
                        "Listing, flat schema or hierarchical schema.", schema_ref("ExploreResult")
                    ),
                    **errors(by_id=True),
                },
            ),
        },
        "/connections/{connectionId}/configs": {
            "x-mock-trailing-slash": True,
            "parameters": [cid],
            "get": operation(
                "exploreConnectionConfigs",
                "Connections",
                "Configuration of a base connection",
                "Always an empty `configParams` and the connection's spec id. "
                + codes_note("1439-404"),
                responses={
                    "200": ok("The configuration.", schema_ref("ConnectionConfigs")),
                    **errors(by_id=True),
                },
            ),
        },
        "/connections/{connectionId}/action": {
            "x-mock-trailing-slash": True,
            "parameters": [cid],
            "post": operation(
                "performAction",
                "Connections",
                "Apply a lifecycle action to a base connection",
                "`publish` turns a `draft` into `enabled` (1409 in any other state); `finalize` "
                "and `finalize_update` only record the operation. Each success writes a new "
                "etag. The connection is looked up first (1439), then `op` is checked (1451). "
                + codes_note("1409-400", "1451-400", "1439-404"),
                parameters=[
                    {
                        "name": "op",
                        "in": "query",
                        "required": True,
                        "description": "`publish`, `finalize` or `finalize_update` (any case).",
                        "schema": {
                            "type": "string",
                            "pattern": "^"
                            + one_of_words("publish", "finalize_update", "finalize")
                            + "$",
                        },
                        "example": "publish",
                    },
                    {
                        "name": "subOp",
                        "in": "query",
                        "required": False,
                        "description": "Accepted and ignored.",
                        "style": "form",
                        "explode": True,
                        "schema": {"type": "array", "items": {"type": "string"}},
                    },
                ],
                requestBody={
                    "required": False,
                    "content": json_content(schema_ref("ActionRequest")),
                },
                responses={
                    "200": ok(
                        "Done; the body carries the new etag.", schema_ref("ConnectionReference")
                    ),
                    **errors(body=True, by_id=True),
                },
            ),
        },
    }


#: Pipeline collections served by the engine: (path segment, tag, singular operationId part,
#: object description, create codes, action ops).
COLLECTIONS = (
    (
        "sourceConnections",
        "Source connections",
        "SourceConnection",
        "A source connection: a base connection's table or files, with its data format.",
        ("1100-400", "1304-400", "1327-400", "1405-400", "1413-400"),
        ("publish",),
    ),
    (
        "targetConnections",
        "Target connections",
        "TargetConnection",
        "A target connection: the Data Lake dataset and XDM schema data lands in.",
        ("1100-400", "1304-400", "1307-400", "1325-400", "1405-400", "1413-400"),
        ("publish",),
    ),
    (
        "flows",
        "Flows",
        "Flow",
        "A dataflow: source and target connections joined under a flow spec, on a schedule.",
        ("1100-400", "1304-400", "1317-400", "1338-400", "1360-400", "1361-400", "1362-400",
         "1364-400", "1367-400", "1368-400", "1369-400", "1397-400", "1410-400", "1412-400",
         "1413-400"),
        ("enable", "disable", "publish"),
    ),
)  # fmt: skip


def collection_schemas() -> Json:
    """Objects, pages and references of the pipeline collections (open objects: the engine
    serves each resource's own fields after the common audit block)."""
    out: Json = {}
    for kind, _tag, name, description, _codes, _actions in COLLECTIONS:
        out[name] = {
            "type": "object",
            "description": description,
            "required": ["id", "createdAt", "updatedAt", "etag", "version", "lastOperation"],
            "properties": {
                "id": {"type": "string"},
                "createdAt": {"type": "integer"},
                "updatedAt": {"type": "integer"},
                "imsOrgId": {"type": "string"},
                "sandboxName": {"type": "string"},
                "name": {"type": "string"},
                "state": {"type": "string", "enum": ["enabled", "disabled", "draft"]},
                "etag": {"type": "string"},
                "version": {"type": "string"},
                "connectionSpec": schema_ref("SpecReference"),
                "lastOperation": {"type": "object"},
            },
        }
        out[name + "Page"] = {
            "type": "object",
            "required": ["items", "_links"],
            "properties": {
                "items": {"type": "array", "items": schema_ref(name)},
                "_links": {
                    "type": "object",
                    "properties": {
                        "next": {
                            "type": "object",
                            "required": ["href"],
                            "properties": {"href": {"type": "string", "pattern": f"^/{kind}\\?"}},
                        }
                    },
                },
            },
        }
        out[name + "Listing"] = {
            "oneOf": [schema_ref(name + "Page"), schema_ref("ConnectionCount")],
        }
        out["Single" + name] = {
            "type": "object",
            "required": ["items"],
            "additionalProperties": False,
            "properties": {
                "items": {"type": "array", "minItems": 1, "maxItems": 1, "items": schema_ref(name)}
            },
        }
    out["SpecReference"] = {
        "type": "object",
        "required": ["id"],
        "properties": {"id": {"type": "string"}, "version": {"type": "string"}},
    }
    out["PipelineCreateRequest"] = {
        "type": "object",
        "description": "The resource's own fields; see each operation for what is required.",
    }
    return out


def collection_paths() -> Json:
    """The seven operations every pipeline collection has, from one description each."""
    paths: Json = {}
    listing = [ref("parameters", n) for n in ("Property", "Limit", "OrderBy")]
    listing += [ref("parameters", n) for n in ("ContinuationToken", "Count")]
    for kind, tag, name, _description, create_codes, actions in COLLECTIONS:
        record_id = {
            "name": "id",
            "in": "path",
            "required": True,
            "description": f"The id of a {tag.lower()[:-1]} (case-sensitive).",
            "schema": {"type": "string", "minLength": 1},
        }
        reference = schema_ref("ConnectionReference")
        plural = name + "s"
        paths[f"/{kind}"] = {
            "get": operation(
                "list" + plural,
                tag,
                f"List {tag.lower()}",
                "The caller's org and sandbox, a page at a time. " + codes_note(*LISTING_CODES),
                parameters=listing,
                responses={
                    "200": ok("A page, or the count.", schema_ref(name + "Listing")),
                    **errors(),
                },
            ),
            "post": operation(
                "create" + name,
                tag,
                f"Create a {tag.lower()[:-1]}",
                "Validated against the catalog and the caller's other objects. "
                + codes_note(*create_codes),
                parameters=[
                    {
                        "name": "mode",
                        "in": "query",
                        "required": False,
                        "description": "`draft` creates it in state `draft`.",
                        "schema": {"type": "string"},
                    }
                ],
                requestBody={
                    "required": True,
                    "content": json_content(schema_ref("PipelineCreateRequest")),
                },
                responses={
                    "201": ok("Created.", reference, {"Location": ref("headers", "Location")}),
                    **errors(body=True),
                },
            ),
        }
        paths[f"/{kind}/search"] = {
            "post": operation(
                "search" + plural,
                tag,
                f"Search {tag.lower()} with a body",
                "The listing, with its parameters in a JSON body. "
                + codes_note("1100-400", "1405-400", *LISTING_CODES),
                parameters=[ref("parameters", "ContinuationToken")],
                requestBody={
                    "required": True,
                    "content": json_content(schema_ref("SearchRequest")),
                },
                responses={
                    "200": ok("A page, or the count.", schema_ref(name + "Listing")),
                    **errors(body=True),
                },
            ),
        }
        paths[f"/{kind}/{{id}}"] = {
            "x-mock-trailing-slash": True,
            "parameters": [record_id],
            "get": operation(
                "retrieve" + name,
                tag,
                f"Read one {tag.lower()[:-1]}",
                "Wrapped in `items`. " + codes_note("1439-404"),
                responses={
                    "200": ok("The object.", schema_ref("Single" + name)),
                    **errors(by_id=True),
                },
            ),
            "patch": operation(
                "patch" + name,
                tag,
                f"Update a {tag.lower()[:-1]} with JSON Patch",
                "`If-Match` required (1403; stale 1404-412). Paths under `name`, `description`, "
                "`data` and `params` may change (1414 for `connectionSpec`, 1455 otherwise); the "
                "result is validated like a create. "
                + codes_note("1403-400", "1405-400", "1414-400", "1434-400", "1455-400"),
                parameters=[ref("parameters", "IfMatch"), ref("parameters", "IfMatchQuery")],
                requestBody={
                    "required": True,
                    "content": json_content(schema_ref("PatchDocument")),
                },
                responses={
                    "200": ok("Updated; the body carries the new etag.", reference),
                    **errors(
                        body=True,
                        by_id=True,
                        extra={"412": ref("responses", "PreconditionFailed")},
                    ),
                },
            ),
            "delete": operation(
                "delete" + name,
                tag,
                f"Delete a {tag.lower()[:-1]}",
                "Removed at once; reading it afterwards is 404. " + codes_note("1439-404"),
                responses={
                    "204": {
                        "description": "Deleted; no body.",
                        "headers": {"x-request-id": ref("headers", "RequestId")},
                    },
                    **errors(by_id=True),
                },
            ),
        }
        paths[f"/{kind}/{{id}}/action"] = {
            "x-mock-trailing-slash": True,
            "parameters": [record_id],
            "post": operation(
                "perform" + name + "Action",
                tag,
                f"Apply a lifecycle action to a {tag.lower()[:-1]}",
                "`publish` turns a `draft` into `enabled`; on flows `enable` and `disable` switch "
                "between `enabled` and `disabled`. Another state is 1409 (1422 on flows). "
                + codes_note("1409-400", "1422-400", "1451-400", "1439-404"),
                parameters=[
                    {
                        "name": "op",
                        "in": "query",
                        "required": True,
                        "schema": {
                            "type": "string",
                            "pattern": "^" + one_of_words(*actions) + "$",
                        },
                    }
                ],
                responses={
                    "200": ok("Done; the body carries the new etag.", reference),
                    **errors(body=True, by_id=True),
                },
            ),
        }
    return paths


def run_paths() -> Json:
    listing = [ref("parameters", n) for n in ("Property", "Limit", "OrderBy")]
    listing += [ref("parameters", n) for n in ("ContinuationToken", "Count")]
    run = {
        "type": "object",
        "required": ["id", "flowId", "state", "metrics", "activities", "etag"],
        "properties": {
            "id": {"type": "string"},
            "flowId": {"type": "string"},
            "state": {"type": "string", "enum": ["inProgress", "success", "failed"]},
            "metrics": {"type": "object"},
            "activities": {"type": "array", "items": {"type": "object"}},
            "etag": {"type": "string"},
        },
    }
    page = {
        "type": "object",
        "required": ["items", "_links"],
        "properties": {"items": {"type": "array", "items": run}, "_links": {"type": "object"}},
    }
    put_run = operation(
        "updateRun",
        "Runs",
        "Replace a run's metrics and activities (provider side)",
        "`If-Match` required (1403; stale 1404-412); only `metrics`, `activities` and "
        "`providerRefId` may be sent (1100 otherwise). "
        + codes_note("1100-400", "1403-400", "1405-400", "1439-404", "1404-412"),
        parameters=[ref("parameters", "IfMatch"), ref("parameters", "IfMatchQuery")],
        requestBody={
            "required": True,
            "content": json_content(schema_ref("PipelineCreateRequest")),
        },
        responses={
            "200": ok("Updated; the body carries the new etag.", schema_ref("ConnectionReference")),
            **errors(body=True, by_id=True, extra={"412": ref("responses", "PreconditionFailed")}),
        },
    )
    return {
        "/runs": {
            "get": operation(
                "listRuns",
                "Runs",
                "List flow runs",
                "Runs of the caller's flows (`property=flowId==...`, `state==success`), after the "
                "runs that came due by the mock's clock are materialised. "
                + codes_note(*LISTING_CODES),
                parameters=listing,
                responses={
                    "200": ok(
                        "A page of runs, or the count.",
                        {"oneOf": [page, schema_ref("ConnectionCount")]},
                    ),
                    **errors(),
                },
            ),
            "post": operation(
                "createRun",
                "Runs",
                "Start an on-demand run",
                "Only for a flow scheduled `once` (1386); `flowId` is required (1446) and must be "
                "a flow of the caller (1430); `windowEndTime` before `windowStartTime` is 1381. "
                "Answers 201 `{id, etag}` (the OAS form). "
                + codes_note("1100-400", "1381-400", "1386-400", "1430-400", "1446-400"),
                requestBody={
                    "required": True,
                    "content": json_content(schema_ref("PipelineCreateRequest")),
                },
                responses={
                    "201": ok(
                        "Started.",
                        schema_ref("ConnectionReference"),
                        {"Location": ref("headers", "Location")},
                    ),
                    **errors(body=True),
                },
            ),
        },
        "/runs/{runId}/action": {
            "x-mock-trailing-slash": True,
            "parameters": [
                {
                    "name": "runId",
                    "in": "path",
                    "required": True,
                    "schema": {"type": "string", "minLength": 1},
                }
            ],
            "post": operation(
                "performRunAction",
                "Runs",
                "Re-trigger a failed run",
                "`op=re-trigger`: only a failed run (1387) of an enabled flow (1388). "
                + codes_note("1387-400", "1388-400", "1451-400", "1439-404"),
                parameters=[
                    {
                        "name": "op",
                        "in": "query",
                        "required": True,
                        "schema": {
                            "type": "string",
                            "pattern": "^[Rr][Ee][-_][Tt][Rr][Ii][Gg][Gg][Ee][Rr]$",
                        },
                    }
                ],
                responses={
                    "200": ok("Started again.", schema_ref("ConnectionReference")),
                    **errors(body=True, by_id=True),
                },
            ),
        },
        "/runs/{runId}": {
            "x-mock-trailing-slash": True,
            "parameters": [
                {
                    "name": "runId",
                    "in": "path",
                    "required": True,
                    "schema": {"type": "string", "minLength": 1},
                }
            ],
            "put": put_run,
            "get": operation(
                "retrieveRun",
                "Runs",
                "Read one flow run",
                "Wrapped in `items`. " + codes_note("1439-404"),
                responses={
                    "200": ok(
                        "The run.",
                        {
                            "type": "object",
                            "required": ["items"],
                            "properties": {"items": {"type": "array", "items": run}},
                        },
                    ),
                    **errors(by_id=True),
                },
            ),
        },
    }


def authoring_operation(op_id: str, tag: str, request: str, *, put: bool = False) -> Json:
    """``POST`` (201) or ``PUT`` (200) of a Sources SDK spec, held for the caller's org."""
    if put:
        summary = "Replace a spec the caller's org authored"
        description = (
            "Sources SDK: the whole spec is replaced (identity and the sandbox it was made in "
            "are kept). `If-Match` is optional. A built-in spec is FLOW-1100, another org's "
            "or an unknown id FLOW-1439. "
        )
        codes = ("1100-400", "1304-400", "1404-412", "1413-400", "1439-404")
        answer = {"200": ok("The replaced spec, bare.", schema_ref("AuthoredSpec"))}
        extra = {"412": ref("responses", "PreconditionFailed")}
    else:
        summary = "Author a spec for the caller's org"
        description = (
            "Sources SDK: the spec is held for the caller's IMS org, listed after the "
            "built-in catalog in each of its sandboxes and usable like a built-in one. "
        )
        codes = ("1100-400", "1304-400", "1413-400")
        answer = {"201": ok("The new spec, bare (not wrapped).", schema_ref("AuthoredSpec"))}
        extra = {}
    return operation(
        op_id,
        tag,
        summary,
        description + codes_note(*codes),
        parameters=[ref("parameters", "IfMatchOptional")] if put else [],
        requestBody={"required": True, "content": json_content(schema_ref(request))},
        responses={**answer, **errors(body=True, by_id=put, extra=extra)},
    )


def flow_spec_paths() -> Json:
    spec_id = {
        "name": "flowSpecId",
        "in": "path",
        "required": True,
        "schema": {"type": "string", "minLength": 1},
        "example": "14518937-270c-4525-bdec-c2ba7cce3860",
    }
    listing = {
        "type": "object",
        "required": ["items"],
        "properties": {"items": {"type": "array", "items": {"type": "object"}}},
    }
    return {
        "/flowSpecs": {
            "get": operation(
                "listFlowSpecs",
                "Flow specs",
                "List flow specs",
                'The packaged flow specs; `property=name=="CRMToAEP"` finds one. '
                + codes_note("1449-400", "1450-400", "1451-400", "1453-400"),
                parameters=[ref("parameters", "Property")],
                responses={"200": ok("The flow specs.", listing), **errors()},
            ),
            "post": authoring_operation("createFlowSpec", "Flow specs", "FlowSpecRequest"),
        },
        "/flowSpecs/search": {
            "post": operation(
                "searchFlowSpecs",
                "Flow specs",
                "Search flow specs with a body",
                "`queryString` conditions as on the listing. " + codes_note("1100-400", "1451-400"),
                requestBody={
                    "required": True,
                    "content": json_content(schema_ref("SearchRequest")),
                },
                responses={"200": ok("The flow specs.", listing), **errors(body=True)},
            )
        },
        "/flowSpecs/{flowSpecId}": {
            "x-mock-trailing-slash": True,
            "parameters": [spec_id],
            "get": operation(
                "retrieveFlowSpec",
                "Flow specs",
                "Read one flow spec",
                "Wrapped in `items`. " + codes_note("1439-404"),
                responses={"200": ok("The flow spec.", listing), **errors(by_id=True)},
            ),
            "put": authoring_operation("updateFlowSpec", "Flow specs", "FlowSpecRequest", put=True),
        },
    }


def spec_paths() -> Json:
    sid = ref("parameters", "ConnectionSpecId")
    return {
        "/connectionSpecs": {
            "get": operation(
                "listConnectionSpecs",
                "Connection specs",
                "List connection specs",
                "The whole catalog, optionally filtered with `property` (fields: `id`, `name`, "
                "`providerId`, `version`, `type`, `attributes`, `authSpec`, `sourceSpec`, "
                "`exploreSpec`, `permissionsInfo`). There is no paging; any other query "
                "parameter is FLOW-1451. "
                + codes_note(
                    "1423-400",
                    "1440-400",
                    "1443-400",
                    "1448-400",
                    "1450-400",
                    "1451-400",
                    "1452-400",
                    "1453-400",
                ),
                parameters=[ref("parameters", "Property")],
                responses={
                    "200": ok("Matching connection specs.", schema_ref("ConnectionSpecList")),
                    **errors(),
                },
            ),
            "post": authoring_operation(
                "createConnectionSpec", "Connection specs", "ConnectionSpecRequest"
            ),
        },
        "/connectionSpecs/{connectionSpecId}": {
            "x-mock-trailing-slash": True,
            "parameters": [sid],
            "get": operation(
                "retrieveConnectionSpec",
                "Connection specs",
                "Read one connection spec",
                "The spec wrapped in `items`. " + codes_note("1439-404"),
                responses={
                    "200": ok("The connection spec.", schema_ref("ConnectionSpecList")),
                    **errors(by_id=True),
                },
            ),
            "put": authoring_operation(
                "updateConnectionSpec", "Connection specs", "ConnectionSpecRequest", put=True
            ),
        },
        "/connectionSpecs/{connectionSpecId}/explore": {
            "x-mock-trailing-slash": True,
            "parameters": [sid],
            "get": operation(
                "exploreConnectionSpec",
                "Connection specs",
                "Browse a source by its connection spec",
                "Sample data by the spec's `exploreSpec.type`: Tabular sources list tables and "
                "views (Dynamics has its own CRM sample), FileSystem sources a folder tree, "
                "Resource (REST) sources one `json` object. Specs without `exploreSpec` are "
                "1336. " + codes_note(*EXPLORE_CODES),
                parameters=[ref("parameters", n) for n in EXPLORE_PARAMS],
                responses={
                    "200": ok(
                        "Listing, flat schema or hierarchical schema.", schema_ref("ExploreResult")
                    ),
                    **errors(by_id=True),
                },
            ),
        },
        "/connectionSpecs/{connectionSpecId}/configs": {
            "x-mock-trailing-slash": True,
            "parameters": [sid],
            "get": operation(
                "connectionSpecConfigs",
                "Connection specs",
                "Auth-type configuration of a connection spec",
                "Other query parameters are ignored. " + codes_note("1439-404"),
                parameters=[
                    {
                        "name": "authType",
                        "in": "query",
                        "required": False,
                        "description": "e.g. `IamBasedAuthentication` for Amazon S3.",
                        "schema": {"type": "string"},
                        "example": "IamBasedAuthentication",
                    }
                ],
                responses={
                    "200": ok("The configuration.", schema_ref("ConnectionSpecConfigs")),
                    **errors(by_id=True),
                },
            ),
        },
    }


def other_paths() -> Json:
    request_id = {"x-request-id": ref("headers", "RequestId")}
    return {
        "/openapi.json": {
            "get": {
                "operationId": "getOpenApiDocument",
                "tags": ["Mock"],
                "summary": "This document",
                "description": (
                    "Served without gateway checks; `servers` names the app's base path."
                ),
                "security": [],
                "responses": {
                    "200": {
                        "description": "The OpenAPI document.",
                        "headers": request_id,
                        "content": json_content(
                            {"type": "object", "required": ["openapi", "info", "paths"]}
                        ),
                    },
                    **FAULT_RESPONSES,
                },
            }
        },
        "/ims/token/v3": {
            "servers": [{"url": "/", "description": "Outside the Flow Service base path."}],
            "post": {
                "operationId": "issueAccessToken",
                "tags": ["IMS"],
                "summary": "Get an access token (OAuth server-to-server)",
                "description": (
                    "An offline stand-in for Adobe IMS. The four fields may also be sent in the "
                    "query string. By default any non-empty client id and secret are accepted; "
                    "with `ims_clients` configured only those pairs are. No gateway checks."
                ),
                "security": [],
                "requestBody": {
                    "required": True,
                    "content": {
                        "application/x-www-form-urlencoded": {"schema": schema_ref("TokenRequest")}
                    },
                },
                "responses": {
                    "200": ok("A bearer token.", schema_ref("Token")),
                    "400": {
                        "description": (
                            "`invalid_request` (a field missing or empty) or "
                            "`unsupported_grant_type`."
                        ),
                        "headers": request_id,
                        "content": json_content(schema_ref("ImsError")),
                    },
                    "401": {
                        "description": "`invalid_client`: unknown client id or wrong secret.",
                        "headers": request_id,
                        "content": json_content(schema_ref("ImsError")),
                    },
                    "413": ref("responses", "PayloadTooLarge"),
                    **FAULT_RESPONSES,
                },
            },
        },
    }


DESCRIPTION = """\
An offline mock of Adobe Experience Platform's Flow Service API: base connections and connection
specs, behind a stand-in of the Adobe I/O gateway, plus a stand-in IMS token endpoint.

This document describes what the mock does, not Adobe's service; `docs/known-deviations.md`
lists where the two published descriptions disagree and which side the mock follows.

**Gateway.** Every Flow Service operation first passes the gateway checks, in this order:
`Authorization: Bearer <token>` (missing: `403010`, not a bearer token or not accepted:
`401013`), `x-api-key` (missing: `403000`, unknown when `api_keys` is configured: `403003`),
`x-gw-ims-org-id` (missing: `400003`), a JSON `Content-Type` on a POST/PATCH body
(`BadRequestError`), then the sandbox. In the default configuration any non-empty token and key
are accepted; `token_policy=issued` accepts only tokens from `POST /ims/token/v3`.

**Errors.** Three body shapes: the gateway's `GatewayError`, the gateway's `ContentTypeError`,
and Flow Service's `FlowError` (code catalog in its schema). A path that does not route is
`404000` and a method a path does not have is `405000` with an `Allow` header, in the gateway
shape. A request whose declared `Content-Length` exceeds `max_body_bytes` is `413000` on any
route. Every response carries `x-request-id`.

**Injected faults.** Rules posted to the control API can make any Flow Service, IMS or
document request wait, drop the connection, or answer an error: `429` in the gateway shape, or
a FLOW body (`1103-503`, `1104-504`, else `1102-500` with the injected status). Responses
`429`, `500`, `503` and `504` are listed on every operation for that reason; the mock never
answers them on its own.

**Paths.** Every `{id}` path is also answered with a trailing slash (`x-mock-trailing-slash`).
The mock's own control routes under `/__mock__` are not part of this document.
"""


def build_document() -> Json:
    schemas: Json = {
        **error_schemas(),
        **connection_schemas(),
        **spec_schemas(),
        **explore_schemas(),
        **ims_schemas(),
        **collection_schemas(),
    }
    return {
        "openapi": "3.0.3",
        "info": {
            "title": "mock-flowservice: Flow Service API (offline mock)",
            "version": __version__,
            "description": DESCRIPTION,
            "license": {
                "name": "Apache-2.0",
                "url": "https://www.apache.org/licenses/LICENSE-2.0",
            },
        },
        "servers": [{"url": DEFAULT_BASE_PATH, "description": "The mock's configured base path."}],
        "tags": [
            {"name": "Connections", "description": "Base connections (per org and sandbox)."},
            {"name": "Source connections", "description": "A source's data behind a base."},
            {"name": "Target connections", "description": "Where a dataflow's data lands."},
            {"name": "Flows", "description": "Dataflows and their schedules."},
            {"name": "Flow specs", "description": "The read-only flow-spec catalog."},
            {"name": "Runs", "description": "Flow runs, by the mock's clock."},
            {"name": "Connection specs", "description": "The read-only source catalog."},
            {"name": "IMS", "description": "Token endpoint, outside the Flow Service prefix."},
            {"name": "Mock", "description": "About the mock itself."},
        ],
        "security": [{"bearerAuth": [], "apiKey": []}],
        "paths": {
            **connection_paths(),
            **collection_paths(),
            **flow_spec_paths(),
            **run_paths(),
            **spec_paths(),
            **other_paths(),
        },
        "components": {
            "securitySchemes": {
                "bearerAuth": {
                    "type": "http",
                    "scheme": "bearer",
                    "description": "`Authorization: Bearer <access token>`.",
                },
                "apiKey": {
                    "type": "apiKey",
                    "in": "header",
                    "name": "x-api-key",
                    "description": "The client id of the integration.",
                },
            },
            "parameters": parameters(),
            "headers": headers(),
            "responses": responses(),
            "schemas": dict(sorted(schemas.items())),
        },
    }


def render() -> str:
    return json.dumps(build_document(), indent=1, ensure_ascii=False) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only compare with the file")
    args = parser.parse_args(argv)
    text = render()
    if args.check:
        current = OUT.read_text("utf-8") if OUT.exists() else ""
        if current != text:
            print(f"{OUT.relative_to(ROOT)} is stale; run tools/build_openapi.py", file=sys.stderr)
            return 1
        return 0
    OUT.write_text(text, "utf-8")
    print(f"wrote {OUT.relative_to(ROOT)} ({len(text)} bytes)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
