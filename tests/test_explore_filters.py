"""Row-level PQL filters: explore previews (base64), source connections (raw) and their runs."""

from __future__ import annotations

import base64
import fnmatch
import json
from typing import Any

from flask.testing import FlaskClient
from hypothesis import given
from hypothesis import strategies as st

from mock_flowservice.pql import MAX_DEPTH, like

from .support import BASE_PATH, DYNAMICS_SPEC_ID, HEADERS, dynamics_basic_body
from .test_flows import _post, flow_body
from .test_runs import _advance, _freeze, _runs
from .test_target_connections import target_body

S3_SPEC_ID = "ecadc60c-7455-4d87-84dc-2a0e293d997b"


def field(name: str) -> dict[str, Any]:
    return {"nodeType": "fieldLookup", "fieldName": name}


def literal(value: Any) -> dict[str, Any]:
    return {"nodeType": "literal", "value": value}


def fn(name: str, *params: dict[str, Any]) -> dict[str, Any]:
    return {"nodeType": "fnApply", "fnName": name, "params": list(params)}


def pql(value: dict[str, Any]) -> dict[str, Any]:
    return {"type": "PQL", "format": "pql/json", "value": value}


def encoded(document: Any) -> str:
    return base64.b64encode(json.dumps(document).encode()).decode()


def _explore(client: FlaskClient, query: str, spec_id: str = DYNAMICS_SPEC_ID) -> Any:
    return client.get(f"{BASE_PATH}/connectionSpecs/{spec_id}/explore?{query}", headers=HEADERS)


def _contacts(client: FlaskClient, filters: str | None = None) -> list[dict[str, Any]]:
    query = "objectType=table&object=contact&preview=true&previewCount=1000"
    response = _explore(client, query + (f"&filters={filters}" if filters else ""))
    assert response.status_code == 200, response.json
    return list(response.json["data"])


def _code(response: Any) -> str:
    assert response.status_code == 400, response.json
    return str(response.json["type"]).rsplit("FLOW-", 1)[1]


def test_the_documented_equality_filter_keeps_matching_rows_only(client: FlaskClient) -> None:
    everyone = _contacts(client)
    city = everyone[0]["address1_city"]
    kept = _contacts(client, encoded(pql(fn("=", field("address1_city"), literal(city)))))
    assert kept == [row for row in everyone if row["address1_city"] == city]
    assert 0 < len(kept) < len(everyone)


def test_combined_filters_match_what_python_computes(client: FlaskClient) -> None:
    everyone = _contacts(client)
    pivot = sorted(row["address1_latitude"] for row in everyone)[len(everyone) // 2]
    names = [everyone[0]["firstname"], everyone[1]["firstname"]]
    cases = [
        (fn(">=", field("address1_latitude"), literal(pivot)),
         lambda r: r["address1_latitude"] >= pivot),
        (fn("in", field("firstname"), literal(names)), lambda r: r["firstname"] in names),
        (fn("like", field("firstname"), literal("J%")), lambda r: r["firstname"].startswith("J")),
        (fn("NOT", fn("isNull", field("middlename"))), lambda r: r["middlename"] is not None),
        (fn("and", fn("!=", field("address1_city"), literal(everyone[0]["address1_city"])),
            fn("<", field("address1_latitude"), literal(pivot))),
         lambda r: r["address1_city"] != everyone[0]["address1_city"]
         and r["address1_latitude"] < pivot),
        (fn("or", fn("=", field("firstname"), literal(names[0])),
            fn("=", field("firstname"), literal(names[1]))),
         lambda r: r["firstname"] in names),
    ]  # fmt: skip
    for node, expected in cases:
        kept = _contacts(client, encoded(pql(node)))
        assert kept == [row for row in everyone if expected(row)], node


def test_filter_errors_have_their_codes(client: FlaskClient) -> None:
    table = "objectType=table&object=contact&preview=true&filters="
    assert _code(_explore(client, table + "%%%not-base64")) == "1389-400"
    not_json = base64.b64encode(b"{not json").decode()
    assert _code(_explore(client, table + not_json)) == "1389-400"
    deep = fn("=", field("firstname"), literal("x"))
    for _ in range(MAX_DEPTH):
        deep = fn("NOT", deep)
    refused = [
        {"type": "SQL", "format": "pql/json", "value": deep},
        pql(fn("between", field("firstname"), literal("a"))),
        pql(fn("=", field("no_such_column"), literal("a"))),
        pql(fn("=", literal("a"), field("firstname"))),
        pql(fn("like", field("firstname"), literal(5))),
        pql(deep),
        [1, 2],
    ]
    for document in refused:
        response = _explore(client, table + encoded(document))
        assert _code(response) == "1335-400", document
    unknown = _explore(client, "objectType=table&object=no_such_table")
    assert _code(unknown) == "1330-400"
    assert "no_such_table" in unknown.json["report"]["detailed-message"]
    on_a_file = _explore(
        client,
        "objectType=file&object=acme/customers.csv&filters="
        + encoded(pql(fn("=", field("id"), literal(1)))),
        S3_SPEC_ID,
    )
    assert _code(on_a_file) == "1100-400"


def test_a_filter_never_echoes_its_literals(client: FlaskClient) -> None:
    document = pql(fn("between", field("firstname"), literal("canary-literal-99")))
    response = _explore(client, "objectType=table&object=contact&filters=" + encoded(document))
    assert _code(response) == "1335-400"
    assert "canary-literal-99" not in response.get_data(as_text=True)


def test_a_filtered_source_connection_runs_with_the_matching_rows(client: FlaskClient) -> None:
    everyone = _contacts(client)
    city = everyone[0]["address1_city"]
    base = _post(client, "/connections", dynamics_basic_body())["id"]
    source_body = {
        "name": "contacts of one city",
        "baseConnectionId": base,
        "data": {"format": "tabular"},
        "params": {
            "tableName": "contact",
            "filters": pql(fn("=", field("address1_city"), literal(city))),
        },
        "connectionSpec": {"id": DYNAMICS_SPEC_ID, "version": "1.0"},
    }
    bad = {**source_body, "params": {"tableName": "contact", "filters": pql(fn("=", field("x")))}}
    refused = client.post(BASE_PATH + "/sourceConnections", json=bad, headers=HEADERS)
    assert _code(refused) == "1335-400"
    source = _post(client, "/sourceConnections", source_body)["id"]
    target = _post(client, "/targetConnections", target_body())["id"]
    _freeze(client)
    schedule = {"startTime": "1767225600", "frequency": "hour", "interval": "1"}
    flow = _post(client, "/flows", flow_body(source, target, scheduleParams=schedule))["id"]
    _advance(client, 61_000)
    (run,) = _runs(client, flow)
    summary = run["metrics"]["recordSummary"]
    expected = sum(1 for row in everyone if row["address1_city"] == city)
    assert summary["inputRecordCount"] == expected < len(everyone)


@given(
    value=st.text(alphabet="ab", max_size=8),
    pattern=st.text(alphabet="ab%_", max_size=6),
)
def test_like_agrees_with_glob_matching(value: str, pattern: str) -> None:
    glob = pattern.replace("%", "*").replace("_", "?")
    assert like(value, pattern) is fnmatch.fnmatchcase(value, glob)


def test_like_on_long_pathological_input_is_linear() -> None:
    """A pattern that makes backtracking engines explode is one quick table walk here."""
    assert like("a" * 2000, "%a" * 200 + "b") is False
    assert like("a" * 2000 + "b", "%a" * 200 + "b") is True
