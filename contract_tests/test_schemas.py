"""Schema-driven tests: schemathesis against the mock's own OpenAPI document and Adobe's file.

Both run over HTTP against the target's base URL (the ``inprocess`` target runs them on the
plugin's ``flowservice_server``), with the standard response checks. Requests go through the
client's session, so they are counted and reported like the rest of the suite. Safety rules:

* operations that write outside the suite's own connections are never called (Sources SDK
  ``POST``/``PUT /connectionSpecs``, ``POST /connections/{id}/action``); against ``live``
  neither are ``PATCH`` and ``DELETE`` (their ids would be random anyway);
* every ``POST /connections`` gets a unique ``mfs-contract-...`` name, and whatever it creates
  is deleted by the test's cleanup.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import schemathesis
from flowservice_client import FlowServiceClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis import checks as st_checks

from .deviations import OFFICIAL_SPEC_DEVIATIONS, Deviation, covered
from .report import BudgetExceeded, Recorder
from .strategies import minimal_body
from .support import Catalog, Cleanup, Names, create_from_body

pytestmark = pytest.mark.contract_http

OFFICIAL_SPEC = (
    Path(__file__).resolve().parents[1].parent / "shared/flowservice/official-flow-service.yaml"
)
STANDARD_CHECKS = (
    "not_a_server_error",
    "status_code_conformance",
    "content_type_conformance",
    "response_headers_conformance",
    "response_schema_conformance",
)
AUTH_HEADERS = ("Authorization", "x-api-key", "x-gw-ims-org-id", "x-sandbox-name")
IN_SCOPE = re.compile(r"/(connections|connectionSpecs)(/|$)")
NEVER = (
    ("POST", re.compile(r"/connectionSpecs/?$")),
    ("PUT", re.compile(r"/connectionSpecs/[^/]+/?$")),
    ("POST", re.compile(r"/action/?$")),
)
LIVE_NEVER = ("PATCH", "DELETE")
CREATE = re.compile(r"/connections/?$")


@dataclass
class SchemaRun:
    """Runs every in-scope operation of one schema and collects unexplained failures."""

    client: FlowServiceClient
    headers: dict[str, str]
    cleanup: Cleanup
    names: Names
    live: bool
    connection_id: str
    spec_id: str
    body: dict[str, Any] = field(repr=False)

    @property
    def examples(self) -> int:
        return max(2, settings().max_examples // 2)

    def operations(self, schema: Any) -> list[Any]:
        selected = []
        for result in schema.get_all_operations():
            op = result.ok()
            method = op.method.upper()
            if not IN_SCOPE.search(op.path) or any(
                method == m and p.search(op.path) for m, p in NEVER
            ):
                continue
            if self.live and method in LIVE_NEVER:
                continue
            selected.append(op)
        return selected

    def run(self, schema: Any, base_url: str, deviations: tuple[Deviation, ...]) -> list[str]:
        checks = [getattr(st_checks, name) for name in STANDARD_CHECKS]
        problems: list[str] = []
        for op in self.operations(schema):
            try:
                self._fuzz(op, base_url, checks, deviations)
            except BudgetExceeded:
                raise
            except Exception as exc:
                problems.append(f"{op.label}: {exc}")
        return problems

    def _strategy(self, op: Any) -> st.SearchStrategy[Any]:
        variants = [op.as_strategy(headers=self.headers)]
        names = re.findall(r"{([^}]+)}", op.path)
        if names and op.method.upper() not in LIVE_NEVER:
            fixed = {n: self.spec_id if "spec" in n.lower() else self.connection_id for n in names}
            variants.append(op.as_strategy(headers=self.headers, path_parameters=fixed))
        if op.method.upper() == "POST" and CREATE.search(op.path):
            variants.append(op.as_strategy(headers=self.headers, body=self.body))
        return st.one_of(variants)

    def _fuzz(
        self, op: Any, base_url: str, checks: list[Any], deviations: tuple[Deviation, ...]
    ) -> None:
        operation_id = str(op.definition.raw.get("operationId") or op.label)

        @settings(
            parent=settings.default,
            max_examples=self.examples,
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        @given(case=self._strategy(op))
        def fuzz(case: Any) -> None:
            creating = case.method.upper() == "POST" and CREATE.search(case.path)
            if creating and isinstance(case.body, dict):
                case.body = {**case.body, "name": self.names.next("st")}
            response = case.call(
                base_url=base_url, session=self.client.session, headers=self.headers
            )
            if creating and response.status_code == 201:
                self.cleanup.track(response.json()["id"])
            try:
                case.validate_response(response, checks=checks, headers=self.headers)
            except BaseExceptionGroup as group:
                status = response.status_code
                left = [
                    f for f in group.exceptions if not covered(deviations, operation_id, f, status)
                ]
                if left:
                    raise AssertionError(_describe(left, status)) from None

        fuzz()


def _describe(failures: list[BaseException], status: int) -> str:
    parts = [f"{type(f).__name__}: {getattr(f, 'title', '')}" for f in failures]
    messages = [str(getattr(f, "message", f)).splitlines()[:6] for f in failures]
    return f"HTTP {status}: " + "; ".join(parts) + "\n" + "\n".join("\n".join(m) for m in messages)


@pytest.fixture
def schema_run(
    contract_client: FlowServiceClient,
    contract_headers: dict[str, str],
    contract_recorder: Recorder,
    catalog: Catalog,
    cleanup: Cleanup,
    contract_names: Names,
    flowservice_target: str,
) -> SchemaRun:
    """A connection to aim fixed ids at, and the runner for schemathesis cases."""
    choice = min(catalog.choices, key=lambda c: (len(c.auth.required), c.label))
    register: Callable[[str], None] = contract_recorder.redactor.add_value
    body = minimal_body(choice, contract_names.next("f"), register)
    ref = create_from_body(contract_client, body)
    cleanup.track(ref.id)
    return SchemaRun(
        client=contract_client,
        headers={k: contract_headers[k] for k in AUTH_HEADERS},
        cleanup=cleanup,
        names=contract_names,
        live=flowservice_target == "live",
        connection_id=ref.id,
        spec_id=choice.spec.id,
        body=minimal_body(choice, contract_names.next("f"), register),
    )


def _base_url_for(schema: Any, base_url: str) -> str:
    """The URL the schema's paths hang from: the base URL, or its origin when paths repeat it."""
    base_path = urlsplit(base_url).path
    paths = [op.ok().path for op in schema.get_all_operations()]
    if base_path and paths and all(p.startswith(base_path) for p in paths):
        parts = urlsplit(base_url)
        return f"{parts.scheme}://{parts.netloc}"
    return base_url


def test_mock_openapi_document(schema_run: SchemaRun, contract_headers: dict[str, str]) -> None:
    """The target's own ``/openapi.json`` (the mock serves one; the real service does not)."""
    url = schema_run.client.base_url + "/openapi.json"
    response = schema_run.client.session.get(url, headers=contract_headers, timeout=30)
    if response.status_code == 404:
        pytest.skip("the target serves no /openapi.json")
    assert response.status_code == 200, f"GET /openapi.json answered {response.status_code}"
    schema = schemathesis.openapi.from_dict(response.json())
    problems = schema_run.run(schema, _base_url_for(schema, schema_run.client.base_url), ())
    assert not problems, "\n\n".join(problems)


def test_official_spec(schema_run: SchemaRun) -> None:
    """Adobe's ``flow-service.yaml``, Connections and Connection specs operations."""
    if not OFFICIAL_SPEC.exists():
        pytest.skip(f"{OFFICIAL_SPEC} is not there")
    schema = schemathesis.openapi.from_path(str(OFFICIAL_SPEC))
    problems = schema_run.run(schema, schema_run.client.base_url, OFFICIAL_SPEC_DEVIATIONS)
    assert not problems, "\n\n".join(problems)
