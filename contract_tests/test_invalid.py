"""Invalid requests are refused with their documented status and code.

Codes are asserted where Flow Service documents them (FACTS B.2, B.4); for the rest only the
status is (the docs give no code for a missing, extra or mistyped auth param).
"""

from __future__ import annotations

import json

import pytest
from flowservice_client import FlowServiceClient, HTTPError
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from .report import Recorder
from .strategies import INVALID_KINDS, create_cases, invalid_cases
from .support import Catalog, Cleanup, Names, RawRequester, create_from_body, error_code_of

FIXTURES_OK = [HealthCheck.function_scoped_fixture]

#: kind -> (status, code or None when the docs give none)
EXPECTED: dict[str, tuple[int, str | None]] = {
    "unknown_spec_id": (400, "FLOW-1413-400"),
    "unknown_spec_name": (400, "FLOW-1415-400"),
    "missing_required_param": (400, None),
    "extra_param": (400, None),
    "wrong_type_param": (400, None),
}

#: header left out -> (status, gateway error_code) (FACTS B.2; status = first three digits)
MISSING_HEADERS = [
    ("Authorization", 403, "403010"),
    ("x-api-key", 403, "403000"),
    ("x-gw-ims-org-id", 400, "400003"),
]


@pytest.mark.parametrize("kind", INVALID_KINDS)
@settings(suppress_health_check=FIXTURES_OK)
@given(data=st.data())
def test_invalid_create_is_refused(
    kind: str,
    data: st.DataObject,
    contract_client: FlowServiceClient,
    contract_recorder: Recorder,
    catalog: Catalog,
    cleanup: Cleanup,
    contract_names: Names,
) -> None:
    case = data.draw(invalid_cases(catalog, kind, contract_recorder.redactor.add_value))
    status, code = EXPECTED[kind]
    error: HTTPError | None = None
    with cleanup.scope() as scope:
        try:
            ref = create_from_body(contract_client, case.body_named(contract_names.next("x")))
        except HTTPError as exc:
            error = exc
        else:
            scope.track(ref.id)
    assert error is not None, f"{kind} ({case.detail}) was accepted; expected HTTP {status}"
    assert error.status == status, f"{kind} ({case.detail}): got HTTP {error.status}"
    if code is not None:
        assert error.code == code, f"{kind} ({case.detail}): got {error.code}"


@settings(suppress_health_check=FIXTURES_OK)
@given(data=st.data())
def test_malformed_json_is_refused(
    data: st.DataObject,
    raw: RawRequester,
    contract_recorder: Recorder,
    catalog: Catalog,
    contract_names: Names,
) -> None:
    """Every strict prefix of a valid create body is malformed JSON: 400, nothing created."""
    case = data.draw(create_cases(catalog, contract_recorder.redactor.add_value))
    text = json.dumps(case.body(contract_names.next("x"))).encode()
    cut = data.draw(st.integers(min_value=1, max_value=len(text) - 1), label="cut")
    response = raw.send("POST", "/connections", data=text[:cut])
    assert response.status_code == 400, f"malformed JSON answered {response.status_code}"


@pytest.mark.parametrize(("header", "status", "code"), MISSING_HEADERS)
def test_missing_header_is_refused(
    header: str, status: int, code: str, raw: RawRequester, contract_names: Names
) -> None:
    params = {"property": f"name=={contract_names.next('h')}"}
    response = raw.send("GET", "/connections", drop=(header,), params=params)
    assert (response.status_code, error_code_of(response)) == (status, code)
