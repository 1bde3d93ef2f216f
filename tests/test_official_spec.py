"""The mock against Adobe's own OpenAPI file, with a short, explained list of disagreements.

Adobe's ``flow-service.yaml`` (a copy lives in ``shared/flowservice`` beside this repository) is
loaded as published and restricted to the connection and connection-spec operations the mock
implements (the Sources SDK's ``POST``/``PUT /connectionSpecs`` included). schemathesis runs its
standard checks against a fresh in-process mock for every operation, and a scripted scenario
replays the file's operations on connections that exist. A failure is tolerated only when
:data:`KNOWN_DEVIATIONS` lists its operation and check, and only for the statuses, body paths or
requests the entry names. ``docs/known-deviations.md`` explains each entry; anything else fails.

Harness adaptations that are not deviations: ``servers`` points at the mock's base path instead
of ``platform.adobe.io``, and every request carries working credentials (the file declares the
gateway headers as plain strings, so generated values would be refused before reaching the mock).
"""

from __future__ import annotations

import copy
import functools
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import schemathesis
import yaml
from flask import Flask
from hypothesis import HealthCheck, settings
from schemathesis.core import NOT_SET
from schemathesis.core.failures import Failure, FailureGroup

from mock_flowservice import create_app

from .budget import examples
from .support import BASE_PATH, ORG, dynamics_basic_body

OFFICIAL_FILE = (
    Path(__file__).resolve().parents[1].parent
    / "shared"
    / "flowservice"
    / "official-flow-service.yaml"
)

if not OFFICIAL_FILE.is_file():
    pytest.skip(f"{OFFICIAL_FILE} is not available", allow_module_level=True)

#: Operations of those tags the mock does not implement (none: the Sources SDK ones are served).
NOT_IMPLEMENTED: set[str] = set()
TAGS = {
    "Connections",
    "Connection specs",
    "Source connections",
    "Target connections",
    "Flow specs",
    "Flows",
    "Runs",
}
CREDENTIALS = {
    "Authorization": "Bearer official-spec-run",
    "x-api-key": "official-spec-run",
    "x-gw-ims-org-id": ORG,
}

Predicate = Callable[[schemathesis.Case], bool]


@dataclass(frozen=True)
class Deviation:
    """A disagreement between Adobe's file and the mock that the mock keeps on purpose."""

    #: Which side the mock follows and why (the long form is in docs/known-deviations.md).
    reason: str
    #: Response statuses it covers (None: any).
    statuses: frozenset[int] | None = None
    #: For response-schema violations: the body location it covers (regex on ``a/0/b``).
    where: str | None = None
    #: Only for requests like this.
    when: Predicate | None = None

    def covers(self, case: schemathesis.Case, status: int, failure: Failure) -> bool:
        if self.statuses is not None and status not in self.statuses:
            return False
        if self.when is not None and not self.when(case):
            return False
        if self.where is None:
            return True
        path = "/".join(str(part) for part in getattr(failure, "instance_path", None) or ())
        return re.fullmatch(self.where, path) is not None


def _has_null(value: Any) -> bool:
    if isinstance(value, dict):
        return any(_has_null(v) for v in value.values())
    if isinstance(value, list):
        return any(_has_null(v) for v in value)
    return value is None


def _create_leaves_out_optional(case: schemathesis.Case) -> bool:
    """A create body with a null field, or a ``connectionSpec`` without ``version``."""
    body = case.body
    spec = body.get("connectionSpec") if isinstance(body, dict) else None
    return _has_null(body) or (isinstance(spec, dict) and "version" not in spec)


def _search_leaves_out_optional(case: schemathesis.Case) -> bool:
    """A search body with a null field (null means absent)."""
    body = case.body
    return isinstance(body, dict) and _has_null(body)


def _violates_only_permissions(case: schemathesis.Case) -> bool:
    """A negative body whose every mutation lies inside ``permissionsInfo``."""
    data = case.meta.phase.data if case.meta is not None else None
    mutations = getattr(data, "mutations", ())
    return bool(mutations) and all(
        "/properties/permissionsInfo/" in mutation.schema_pointer for mutation in mutations
    )


UI_KEYS = r"items/\d+/sourceSpec/attributes/uiAttributes/(category|label|icon|description)"
BOTH_SPELLINGS = "GET, PATCH and DELETE are served on /connections/{id} and /connections/{id}/"
CONFIGS = "FACTS A.2: configs answer {configParams: ...}; the file repeats a column list"
SHADOWED = "/connections/search is also /connections/{id} with id 'search' (404, not 405)"
SHADOWED_PIPELINE = "/flows/search and /flowSpecs/search are also /{collection}/{id}"
PERMISSIONS = "FACTS F.1, FACTS-2 §4: permissionsInfo is {manage: [...], view: [...]}, not nested"
TRANSFORMATIONS = "FACTS-2 §4: transformationSpecs is an array of {name, spec}, not one object"

#: (operationId as in Adobe's file, schemathesis check) -> Deviation.
KNOWN_DEVIATIONS: dict[tuple[str, str], Deviation] = {
    ("*", "status_code_conformance"): Deviation(
        "FACTS B.2-B.4: gateway and FLOW errors the file does not list per operation",
        frozenset({400, 401, 403, 404, 412}),
    ),
    ("*", "positive_data_acceptance"): Deviation(
        "FACTS B.4/D/F.4: filters, tokens, catalog and explore rules refuse with FLOW 400s",
        frozenset({400}),
    ),
    ("*", "missing_required_header"): Deviation(
        "FACTS B.2 (and the file's own 403 text): no Authorization is 403 403010, not 401",
        frozenset({403}),
    ),
    ("listConnectionSpecs", "response_schema_conformance"): Deviation(
        "FACTS F.1: uiAttributes category/label/icon/description are {key} objects",
        where=UI_KEYS,
    ),
    ("retrieveConnectionSpec", "response_schema_conformance"): Deviation(
        "FACTS F.1: uiAttributes category/label/icon/description are {key} objects",
        where=UI_KEYS,
    ),
    ("createConnection", "negative_data_rejection"): Deviation(
        "FACTS A.3 (the file's prose): connectionSpec.version is optional; null means absent",
        frozenset({201}),
        when=_create_leaves_out_optional,
    ),
    **{
        (operation, "negative_data_rejection"): Deviation(
            "null means absent, as in create",
            frozenset({200}),
            when=_search_leaves_out_optional,
        )
        for operation in ("getConnectionsByFilters", "getFlowsByFilters", "searchFlowSpecs")
    },
    ("getByConnectionId", "response_schema_conformance"): Deviation(
        "FACTS F.4: a table/view/file answers {format, schema, data}; the file has only the "
        "root listing array",
        frozenset({200}),
        where="",
    ),
    ("configByConnectionSpecId", "response_schema_conformance"): Deviation(
        CONFIGS, frozenset({200}), where=""
    ),
    ("exploreConfigByConnectionId", "response_schema_conformance"): Deviation(
        CONFIGS, frozenset({200}), where=""
    ),
    ("retrieveConnection", "unsupported_method"): Deviation(BOTH_SPELLINGS),
    ("retrieveConnection", "allow_header_conformance"): Deviation(BOTH_SPELLINGS),
    ("deleteConnection", "allow_header_conformance"): Deviation(BOTH_SPELLINGS),
    ("getConnectionsByFilters", "unsupported_method"): Deviation(SHADOWED),
    ("getConnectionsByFilters", "allow_header_conformance"): Deviation(SHADOWED),
    **{
        (operation, check): Deviation(SHADOWED_PIPELINE)
        for operation in ("getFlowsByFilters", "searchFlowSpecs")
        for check in ("unsupported_method", "allow_header_conformance")
    },
    **{
        (operation, "negative_data_rejection"): Deviation(
            "null means absent, as in createConnection",
            frozenset({201}),
            when=_create_leaves_out_optional,
        )
        for operation in ("createSourceConnection", "createTargetConnection")
    },
    **{
        (operation, "negative_data_rejection"): Deviation(
            PERMISSIONS, frozenset({200, 201}), when=_violates_only_permissions
        )
        for operation in (
            "createConnectionSpec",
            "updateConnectionSpec",
            "createFlowSpec",
            "updateFlowSpec",
        )
    },
    **{
        (operation, "response_schema_conformance"): Deviation(TRANSFORMATIONS, where=where)
        for operation, where in (
            ("listFlowSpecs", r"items/\d+/transformationSpecs"),
            ("retrieveFlowSpec", r"items/\d+/transformationSpecs"),
            ("searchFlowSpecs", r"items/\d+/transformationSpecs"),
            ("createFlowSpec", "transformationSpecs"),
            ("updateFlowSpec", "transformationSpecs"),
        )
    },
}


@functools.cache
def _read_official() -> dict[str, Any]:
    """Adobe's file, parsed once per process (libyaml's loader where PyYAML has it: 0.16 s
    instead of 0.9 s); callers copy what they change."""
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    document: dict[str, Any] = yaml.load(OFFICIAL_FILE.read_text("utf-8"), Loader=loader)
    return document


def _load_official() -> dict[str, Any]:
    document = copy.deepcopy(_read_official())
    kept: dict[str, Any] = {}
    for path, item in document["paths"].items():
        operations = {
            method: operation
            for method, operation in item.items()
            if isinstance(operation, dict)
            and TAGS.intersection(operation.get("tags", ()))
            and operation.get("operationId") not in NOT_IMPLEMENTED
        }
        if operations:
            kept[path] = operations
    document["paths"] = kept
    document["servers"] = [{"url": BASE_PATH}]
    return document


schema = schemathesis.openapi.from_dict(_load_official())


def _operation_id(case: schemathesis.Case) -> str:
    return str(case.operation.definition.raw.get("operationId"))


def _explained(case: schemathesis.Case, status: int, failure: Failure) -> bool:
    """Whether a listed deviation covers the failure (it may name several possible checks)."""
    for check in failure.checks:
        for key in ((_operation_id(case), check), ("*", check)):
            deviation = KNOWN_DEVIATIONS.get(key)
            if deviation is not None and deviation.covers(case, status, failure):
                return True
    return False


def _call_and_check(case: schemathesis.Case, app: Flask) -> Any:
    """Send the case to the app; fail on any check failure no deviation explains."""
    response = case.call(app=app, headers=CREDENTIALS)
    try:
        case.validate_response(
            response,
            headers=CREDENTIALS,
            transport_kwargs={"app": app, "headers": CREDENTIALS},
        )
    except FailureGroup as group:
        if not all(_explained(case, response.status_code, f) for f in group.exceptions):
            raise
    return response


def test_deviations_name_operations_of_the_file() -> None:
    known = {
        str(operation.ok().definition.raw["operationId"])
        for operation in schema.get_all_operations()
    }
    assert {op for op, _ in KNOWN_DEVIATIONS} - {"*"} <= known


@pytest.fixture
def mock_app() -> Flask:
    """A fresh mock for each operation (its generated examples share it)."""
    return create_app()


@schema.parametrize()
@settings(
    max_examples=examples(6),
    deadline=None,
    derandomize=True,
    database=None,
    # One app per operation on purpose: its examples share state like a client session would.
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_mock_against_official_spec(case: schemathesis.Case, mock_app: Flask) -> None:
    _call_and_check(case, mock_app)


def test_official_operations_on_existing_connections() -> None:
    """The file's operations on a connection that exists, so success bodies are checked too."""
    app = create_app()
    client = app.test_client()
    created = client.post(
        BASE_PATH + "/connections",
        json=dynamics_basic_body(),
        headers={**CREDENTIALS, "x-sandbox-name": "prod"},
    ).get_json()
    cid = {"BASE_CONNECTION_ID": created["id"]}
    spec = {"CONNECTION_SPEC_ID": "38ad80fe-8b06-4938-94f4-d4ee80266b07"}

    def run(operation_id: str, status: int, **case_args: Any) -> Any:
        operation = schema.find_operation_by_id(operation_id)
        headers = {**CREDENTIALS, "x-sandbox-name": "prod", **case_args.pop("headers", {})}
        case = operation.Case(headers=headers, **case_args)
        response = _call_and_check(case, app)
        assert response.status_code == status, response.text
        return response

    run("listConnections", 200)
    run("listConnections", 200, query={"property": ["state==enabled"], "limit": 1})
    run("retrieveConnection", 200, path_parameters=cid)
    run("testConnection", 200, path_parameters=cid)
    run("getByConnectionId", 200, path_parameters=cid, query={"objectType": "ROOT"})
    table = {"objectType": "TABLE", "object": "account"}
    run("getByConnectionId", 200, path_parameters=cid, query=table)
    run("exploreConfigByConnectionId", 200, path_parameters=cid)
    run("getConnectionsByFilters", 200, body={"queryString": "state==enabled", "limit": 5})
    one = {"op": "REPLACE", "path": "/name", "value": "Renamed"}
    etag = {"if-match": created["etag"]}
    run("patchConnection", 400, path_parameters=cid, headers=etag, body=one)
    patched = run("patchConnection", 200, path_parameters=cid, headers=etag, body=[one]).json()
    run("performAction", 200, path_parameters=cid, query={"op": "FINALIZE"}, body=NOT_SET)
    run("listConnectionSpecs", 200)
    run("retrieveConnectionSpec", 200, path_parameters=spec)
    run("exploreByConnectionSpecId", 200, path_parameters=spec)
    run("configByConnectionSpecId", 200, path_parameters=spec)
    authored = {"name": "acme-sdk", "providerId": "0ed90a81-07f4-4586-8190-b40eccef1c5a"}
    made = run("createConnectionSpec", 201, body=authored).json()
    mine = {"CONNECTION_SPEC_ID": made["id"]}
    run("updateConnectionSpec", 200, path_parameters=mine, body={**authored, "name": "acme-v2"})
    run("updateConnectionSpec", 400, path_parameters=spec, body=authored)  # Adobe's own spec
    assert patched["id"] == created["id"]
    run("deleteConnection", 204, path_parameters=cid)
    run("retrieveConnection", 404, path_parameters=cid)


def _official_operations() -> list[tuple[str, str, str]]:
    document = _read_official()
    return [
        (method.upper(), path, str(operation.get("operationId")))
        for path, item in document["paths"].items()
        for method, operation in item.items()
        if method in {"get", "post", "put", "patch", "delete"}
    ]


def test_every_operation_of_the_file_has_a_route() -> None:
    """All 45 operations of Adobe's file reach a view of the mock (none is a routing 404/405)."""
    operations = _official_operations()
    assert len(operations) == 45
    adapter = create_app().url_map.bind("localhost")
    unrouted = []
    for method, path, operation_id in operations:
        concrete = BASE_PATH + re.sub(r"\{[^}]+\}", "an-id", path)
        try:
            adapter.match(concrete, method=method)
        except Exception:  # werkzeug's NotFound or MethodNotAllowed
            unrouted.append(f"{operation_id} {method} {path}")
    assert unrouted == []


def test_official_pipeline_operations_on_existing_objects() -> None:
    """The file's pipeline operations on objects that exist, so success bodies are checked."""
    app = create_app()
    client = app.test_client()
    headers = {**CREDENTIALS, "x-sandbox-name": "prod"}

    def made(path: str, body: dict[str, Any]) -> str:
        response = client.post(BASE_PATH + path, json=body, headers=headers)
        assert response.status_code == 201, response.get_json()
        return str(response.get_json()["id"])

    base = made("/connections", dynamics_basic_body())
    spec = {"id": "38ad80fe-8b06-4938-94f4-d4ee80266b07", "version": "1.0"}
    source = made(
        "/sourceConnections",
        {"name": "contacts", "baseConnectionId": base, "data": {"format": "tabular"},
         "params": {"tableName": "contact"}, "connectionSpec": spec},
    )  # fmt: skip
    target = made(
        "/targetConnections",
        {"name": "lake", "params": {"dataSetId": "6889f4f89b982b2b90bc1207"},
         "data": {"schema": {"id": "https://ns.adobe.com/acme/schemas/x", "version": "1"}},
         "connectionSpec": {"id": "c604ff05-7f1a-43c0-8e18-33bf874cb11c", "version": "1.0"}},
    )  # fmt: skip
    crm = "14518937-270c-4525-bdec-c2ba7cce3860"
    once = {"startTime": 1767225600, "frequency": "once"}  # the file types it as an integer
    flow = made(
        "/flows",
        {"name": "contacts flow", "flowSpec": {"id": crm, "version": "1.0"},
         "sourceConnectionIds": [source], "targetConnectionIds": [target],
         "transformations": [{"name": "Copy", "params": {}}], "scheduleParams": once},
    )  # fmt: skip

    def run(operation_id: str, status: int, **case_args: Any) -> Any:
        operation = schema.find_operation_by_id(operation_id)
        case = operation.Case(headers={**headers, **case_args.pop("headers", {})}, **case_args)
        response = _call_and_check(case, app)
        assert response.status_code == status, response.text
        return response

    run("listFlowSpecs", 200, query={"property": ['name=="CRMToAEP"']})
    run("retrieveFlowSpec", 200, path_parameters={"FLOW_SPEC_ID": crm})
    run("getSourceConnections", 200)
    run("retrieveSourceConnection", 200, path_parameters={"SOURCE_CONNECTION_ID": source})
    run("getTargetConnections", 200)
    run("retrieveTargetConnection", 200, path_parameters={"TARGET_CONNECTION_ID": target})
    run("listFlows", 200, query={"property": ["state==enabled"]})
    run("retrieveFlow", 200, path_parameters={"FLOW_ID": flow})
    runs = run("listFlowRuns", 200, query={"property": [f"flowId=={flow}"]}).json()["items"]
    assert len(runs) == 1  # a once flow whose start has passed ran once
    run("retrieveFlowRun", 200, path_parameters={"RUN_ID": runs[0]["id"]})
    run("postStateTransition", 200, path_parameters={"FLOW_ID": flow}, query={"op": "disable"})
    run("deleteByFlow", 204, path_parameters={"FLOW_ID": flow})
    run("deleteSourceConnection", 204, path_parameters={"SOURCE_CONNECTION_ID": source})
    run("deleteTargetConnection", 204, path_parameters={"TARGET_CONNECTION_ID": target})
    run("retrieveFlow", 404, path_parameters={"FLOW_ID": flow})
