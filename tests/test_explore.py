"""Unit tests of the pure explore layer (``mock_flowservice.explore``)."""

from __future__ import annotations

import base64
import json
import subprocess
import sys
from datetime import datetime
from importlib.resources import files
from pathlib import Path
from typing import Any

import pytest

from mock_flowservice.errors import FlowError
from mock_flowservice.explore import (
    DEFAULT_PREVIEW_COUNT,
    browse,
    load_samples,
)

DYNAMICS_ID = "38ad80fe-8b06-4938-94f4-d4ee80266b07"
DYNAMICS: dict[str, Any] = {
    "id": DYNAMICS_ID,
    "name": "dynamics-online",
    "exploreSpec": {"name": "Tabular", "type": "Tabular"},
    "attributes": {"category": "CRM"},
}
POSTGRES: dict[str, Any] = {
    "id": "74a1c565-4e59-48d7-9d67-7c03b8a13137",
    "name": "postgre-sql",
    "exploreSpec": {"name": "Tabular", "type": "Tabular"},
}
STORAGE: dict[str, Any] = {
    "id": "be5ec48c-5b78-49d5-b8fa-7c89ec4569b8",
    "exploreSpec": {"type": "FileSystem"},
}
REST: dict[str, Any] = {
    "id": "0a27232b-2c6e-4396-b8c6-c9fc24e37ba4",
    "exploreSpec": {"type": "Resource"},
}
STREAMING: dict[str, Any] = {"id": "bc7b00d6-623a-4dfc-9fdb-f1240aeadaeb", "name": "http-api"}

ITEM_KEYS = {"type", "name", "path", "canPreview", "canFetchSchema"}
DYNAMICS_PATHS = {
    "account", "contact", "lead", "opportunity", "systemuser", "systemuserlicenses",
    "workflowdependency", "msdyn_solutioncomponentsummary", "msdyn_quoteinvoicingproduct",
    "customeropportunityrole", "accountView1", "Inactive_ACC_custom",
    "connection", "campaign", "list", "listmember", "Contacts with name TIM",
}  # fmt: skip


def explore(spec: dict[str, Any], **query: str) -> Any:
    return browse(spec, query)


def rows(table: str, spec: dict[str, Any] = DYNAMICS, **query: str) -> list[dict[str, Any]]:
    body = explore(spec, objectType="table", object=table, preview="true", previewCount="999",
                   **query)  # fmt: skip
    data: list[dict[str, Any]] = body["data"]
    return data


def error_code(spec: dict[str, Any], **query: str) -> str:
    with pytest.raises(FlowError) as info:
        explore(spec, **query)
    return info.value.code


# --- root listings ---------------------------------------------------------------------------


def test_dynamics_root_is_bare_array_of_tables_and_views() -> None:
    body = explore(DYNAMICS, objectType="root")
    assert isinstance(body, list)
    assert all(set(item) == ITEM_KEYS for item in body)
    assert {item["path"] for item in body} == DYNAMICS_PATHS
    by_path = {item["path"]: item for item in body}
    assert by_path["workflowdependency"] == {
        "type": "table",
        "name": "Process Dependency",
        "path": "workflowdependency",
        "canPreview": True,
        "canFetchSchema": True,
    }
    assert by_path["systemuser"]["name"] == "User"
    assert by_path["customeropportunityrole"]["name"] == "Opportunity Relationship"
    assert {i["path"] for i in body if i["type"] == "view"} == {
        "accountView1",
        "Inactive_ACC_custom",
        "Contacts with name TIM",
    }


def test_object_type_is_case_insensitive_and_defaults_to_root() -> None:
    root = explore(DYNAMICS, objectType="root")
    assert explore(DYNAMICS, objectType="ROOT") == root
    assert explore(DYNAMICS) == root


def test_other_tabular_sources_get_generic_sample() -> None:
    paths = {item["path"] for item in explore(POSTGRES, objectType="root")}
    assert {"customers", "orders"} <= paths
    assert not paths & DYNAMICS_PATHS


def test_filesystem_root_and_folders() -> None:
    root = explore(STORAGE, objectType="root")
    assert all(set(item) == ITEM_KEYS for item in root)
    folder = next(i for i in root if i["type"] == "folder")
    assert folder["path"].endswith("/")
    assert folder["canPreview"] is False
    assert folder["canFetchSchema"] is False
    assert any(i["type"] == "file" and i["canPreview"] for i in root)
    children = explore(STORAGE, objectType="folder", object=folder["path"])
    assert children
    assert all(c["path"].startswith(folder["path"]) for c in children)
    stripped = folder["path"].strip("/")
    assert explore(STORAGE, objectType="FOLDER", object=f"/{stripped}") == children


def test_resource_root_lists_json_object() -> None:
    assert explore(REST, objectType="root") == [
        {"type": "rest", "name": "json", "path": "json", "canPreview": True, "canFetchSchema": True}
    ]


# --- schemas and previews --------------------------------------------------------------------


def test_table_schema_shape() -> None:
    body = explore(DYNAMICS, objectType="table", object="account")
    assert body["format"] == "flat"
    assert "data" not in body
    columns = {c["name"]: c for c in body["schema"]["columns"]}
    assert columns["accountid"]["meta"] == {"originalType": "Guid"}
    assert columns["name"] == {"name": "name", "type": "string", "meta": {"originalType": "String"}}
    assert columns["numberofemployees"]["type"] == "integer"
    assert columns["numberofemployees"]["xdm"] == {
        "type": "integer",
        "minimum": -2147483648,
        "maximum": 2147483647,
    }
    assert columns["revenue"]["type"] == "double"
    assert columns["revenue"]["meta"]["originalType"] == "Money"
    assert columns["createdon"]["xdm"] == {"type": "string", "format": "date-time"}


def test_view_schema_and_preview() -> None:
    body = explore(DYNAMICS, objectType="view", object="Inactive_ACC_custom", preview="true")
    assert next(c["name"] for c in body["schema"]["columns"]) == "accountid"
    assert body["data"]
    assert all(row["statecode"] == 1 for row in body["data"])


def test_preview_default_count_and_cap() -> None:
    body = explore(DYNAMICS, objectType="table", object="contact", preview="true")
    assert len(body["data"]) == DEFAULT_PREVIEW_COUNT
    assert len(explore(DYNAMICS, objectType="table", object="contact", preview="TRUE",
                       previewCount="3")["data"]) == 3  # fmt: skip
    assert len(rows("contact")) == 24
    assert len(rows("systemuserlicenses")) == 3
    off = explore(DYNAMICS, objectType="table", object="contact", preview="false")
    assert "data" not in off


def test_preview_rows_match_schema_and_are_fake() -> None:
    body = explore(DYNAMICS, objectType="table", object="contact", preview="true")
    names = [c["name"] for c in body["schema"]["columns"]]
    for row in body["data"]:
        assert list(row) == names
        assert row["emailaddress1"].split("@")[1].startswith("example.")


def test_main_tables_have_10_to_25_rows() -> None:
    for table in ("account", "contact", "lead", "opportunity", "systemuser"):
        assert 10 <= len(rows(table)) <= 25, table


def test_foreign_keys_are_consistent() -> None:
    accounts = {r["accountid"] for r in rows("account")}
    users = {r["systemuserid"] for r in rows("systemuser")}
    contacts = {r["contactid"]: r for r in rows("contact")}
    assert all(c["parentcustomerid"] in accounts for c in contacts.values())
    assert all(r["ownerid"] in users for r in rows("lead"))
    for opp in rows("opportunity"):
        assert opp["parentaccountid"] in accounts
        if opp["parentcontactid"] is not None:
            assert contacts[opp["parentcontactid"]]["parentcustomerid"] == opp["parentaccountid"]
    assert all(a["primarycontactid"] in contacts for a in rows("account"))
    opps = {r["opportunityid"] for r in rows("opportunity")}
    assert all(r["opportunityid"] in opps for r in rows("customeropportunityrole"))


def test_generic_sample_foreign_keys() -> None:
    customers = {r["customer_id"] for r in rows("customers", POSTGRES)}
    assert all(o["customer_id"] in customers for o in rows("orders", POSTGRES))


def test_deterministic_and_independent_copies() -> None:
    first = explore(DYNAMICS, objectType="table", object="account", preview="true")
    first["schema"]["columns"][0]["name"] = "mutated"
    first["data"][0]["name"] = "mutated"
    second = explore(DYNAMICS, objectType="table", object="account", preview="true")
    assert second["schema"]["columns"][0]["name"] == "accountid"
    assert second["data"][0]["name"] != "mutated"
    assert second == explore(DYNAMICS, objectType="table", object="account", preview="true")


def test_primary_key_orders_preview_rows() -> None:
    ordered = rows("lead", primaryKey="leadid")
    ids = [r["leadid"] for r in ordered]
    assert ids == sorted(ids)
    by_name = [r["fullname"] for r in rows("lead", primaryKey="fullname")]
    assert by_name == sorted(by_name)
    top = explore(DYNAMICS, objectType="table", object="lead", preview="true",
                  previewCount="2", primaryKey="leadid")["data"]  # fmt: skip
    assert [r["leadid"] for r in top] == ids[:2]


@pytest.mark.parametrize("key", ["nope", "ownerid"])
def test_primary_key_must_be_a_non_lookup_column(key: str) -> None:
    assert error_code(DYNAMICS, objectType="table", object="lead", primaryKey=key) == "1100-400"


def test_file_schema_preview_and_properties() -> None:
    body = explore(STORAGE, objectType="file", object="acme/customers.csv", fileType="delimited",
                   preview="true", previewCount="2", determineProperties="true")  # fmt: skip
    assert body["format"] == "flat"
    assert {c["name"] for c in body["schema"]["columns"]} >= {"customer_id", "email"}
    assert len(body["data"]) == 2
    assert body["properties"] == {
        "fileType": "delimited",
        "compressionType": "none",
        "columnDelimiter": ",",
    }
    plain = explore(STORAGE, objectType="file", object="acme/customers.csv")
    assert "properties" not in plain
    assert "data" not in plain


def test_file_type_spellings_and_other_formats() -> None:
    body = explore(STORAGE, objectType="file", object="acme/orders.json", FileType="JSON",
                   determineProperties="true")  # fmt: skip
    assert body["properties"] == {"fileType": "json", "compressionType": "none"}
    parquet = explore(STORAGE, objectType="file", object="acme/archive/events.parquet",
                      fileType="parquet", preview="true")  # fmt: skip
    assert parquet["data"]


def test_rest_is_hierarchical() -> None:
    params = base64.b64encode(json.dumps({"start_time": "2024-01-01"}).encode()).decode()
    body = explore(REST, objectType="rest", object="json", fileType="json", preview="true",
                   previewCount="2", sourceParams=params)  # fmt: skip
    assert body["format"] == "hierarchical"
    assert body["schema"]["type"] == "object"
    assert "properties" in body["schema"]
    assert len(body["data"]) == 2
    assert "data" not in explore(REST, objectType="REST", object="json")


# --- errors ----------------------------------------------------------------------------------


def test_streaming_source_is_not_explorable() -> None:
    with pytest.raises(FlowError) as info:
        explore(STREAMING, objectType="root")
    assert info.value.code == "1336-400"
    assert STREAMING["id"] in info.value.message
    assert info.value.status == 400


@pytest.mark.parametrize(
    ("spec", "object_type"),
    [
        (DYNAMICS, "file"),
        (DYNAMICS, "folder"),
        (DYNAMICS, "rest"),
        (DYNAMICS, "bogus"),
        (STORAGE, "table"),
        (STORAGE, "view"),
        (REST, "table"),
        (REST, "file"),
    ],
)
def test_object_type_invalid_for_source_type(spec: dict[str, Any], object_type: str) -> None:
    assert error_code(spec, objectType=object_type, object="x") == "1358-400"


@pytest.mark.parametrize(
    ("spec", "object_type"),
    [(DYNAMICS, "table"), (DYNAMICS, "View"), (STORAGE, "file"), (STORAGE, "folder"),
     (REST, "rest")],
)  # fmt: skip
def test_missing_object(spec: dict[str, Any], object_type: str) -> None:
    with pytest.raises(FlowError) as info:
        explore(spec, objectType=object_type)
    assert info.value.code == "1337-400"
    assert info.value.message == f"The object cannot be empty for objectType={object_type}."
    assert error_code(spec, objectType=object_type, object="  ") == "1337-400"


@pytest.mark.parametrize(
    ("spec", "object_type", "name", "word"),
    [
        (STORAGE, "file", "acme/missing.csv", "file"),
        (STORAGE, "file", "acme/", "file"),
        (STORAGE, "folder", "nowhere/", "folder"),
        (STORAGE, "folder", "acme/customers.csv", "folder"),
    ],
)
def test_unknown_object_is_not_found(
    spec: dict[str, Any], object_type: str, name: str, word: str
) -> None:
    with pytest.raises(FlowError) as info:
        explore(spec, objectType=object_type, object=name)
    assert info.value.code == "1439-404"
    assert info.value.status == 404
    assert info.value.report == {"id": name, "type": word}


@pytest.mark.parametrize(
    ("spec", "object_type", "name"),
    [
        (DYNAMICS, "table", "nosuchtable"),
        (DYNAMICS, "view", "nosuchview"),
        (POSTGRES, "table", "account"),
    ],
)
def test_unknown_table_has_no_columns(spec: dict[str, Any], object_type: str, name: str) -> None:
    """``1330-400`` "No columns were found for table ..." (the closest documented code)."""
    with pytest.raises(FlowError) as info:
        explore(spec, objectType=object_type, object=name)
    assert (info.value.code, info.value.status) == ("1330-400", 400)
    assert f"table {name}." in info.value.message


@pytest.mark.parametrize("count", ["0", "-1", "abc", "1.5", ""])
def test_bad_preview_count(count: str) -> None:
    code = error_code(DYNAMICS, objectType="table", object="account", preview="true",
                      previewCount=count)  # fmt: skip
    assert code == "1100-400"


@pytest.mark.parametrize(
    "query",
    [
        {"preview": "yes"},
        {"determineProperties": "1"},
        {"fileType": "xml"},
        {"fileType": "json"},  # customers.csv is delimited
    ],
)
def test_bad_file_flags(query: dict[str, str]) -> None:
    code = error_code(STORAGE, objectType="file", object="acme/customers.csv", **query)
    assert code == "1100-400"


@pytest.mark.parametrize(
    "params",
    [
        "not base64!",
        base64.b64encode(b"not json").decode(),
        base64.b64encode(b"[1, 2]").decode(),
    ],
)
def test_bad_source_params(params: str) -> None:
    code = error_code(REST, objectType="rest", object="json", sourceParams=params)
    assert code == "1100-400"


def test_source_params_accepts_unpadded_urlsafe() -> None:
    raw = base64.urlsafe_b64encode(json.dumps({"q": "??>>"}).encode()).decode().rstrip("=")
    assert explore(REST, objectType="rest", object="json", sourceParams=raw)["format"]


# --- data file and catalog -------------------------------------------------------------------


def test_sample_rows_align_with_columns() -> None:
    samples = load_samples()
    objects = [o for s in samples["tabular"]["samples"].values() for o in s["objects"]]
    files_ = [e for e in samples["fileSystem"]["entries"] if e["type"] == "file"]
    for obj in objects + files_:
        assert all(len(row) == len(obj["columns"]) for row in obj["rows"]), obj["path"]


def _catalog_specs() -> list[dict[str, Any]]:
    path = files("mock_flowservice") / "data" / "connection_specs.json"
    if not path.is_file():
        return []
    specs: list[dict[str, Any]] = json.loads(path.read_text(encoding="utf-8"))["specs"]
    return specs


CATALOG = _catalog_specs()


@pytest.mark.skipif(not CATALOG, reason="catalog not generated yet")
@pytest.mark.parametrize("spec", CATALOG, ids=[str(s.get("name")) for s in CATALOG])
def test_every_catalog_spec_explores_at_root_or_refuses(spec: dict[str, Any]) -> None:
    if not spec.get("exploreSpec"):
        assert error_code(spec, objectType="root") == "1336-400"
        return
    body = browse(spec, {"objectType": "root"})
    assert body
    assert all(set(item) == ITEM_KEYS for item in body)


# --- the Dynamics tables of the pipeline (FACTS-2 §7) ------------------------------------------

ROW_COUNTS = {
    "account": 12, "contact": 24, "lead": 15, "opportunity": 18, "systemuser": 10,
    "connection": 40, "campaign": 25, "list": 25, "listmember": 150,
}  # fmt: skip
ADDRESS = [
    "address1_addressid", "address1_city", "address1_country", "address1_county",
    "address1_latitude", "address1_longitude", "address1_line1", "address1_line2",
    "address1_line3", "address1_postalcode", "address1_postofficebox",
    "address1_stateorprovince",
]  # fmt: skip
CONTACT_STYLE = [
    "firstname", "middlename", "fullname", "suffix", "salutation", "emailaddress1",
    "emailaddress2", "jobtitle", "mobilephone", "telephone1", *ADDRESS, "createdon", "modifiedon",
]  # fmt: skip
DOCUMENTED_COLUMNS = {
    "contact": [*CONTACT_STYLE, "contactid", "birthdate", "department", "assistantname",
                "assistantphone", "parentcustomerid", "gendercode"],
    "lead": [*CONTACT_STYLE, "leadid", "lastname", "fax"],
    "account": ["accountid", "accountnumber", "accountratingcode", "name", "description", "fax",
                "numberofemployees", "revenue", "sic", "telephone1", "tickersymbol",
                "websiteurl", "address1_name"],
    "opportunity": ["opportunityid", "name", "parentaccountid", "campaignid", "actualclosedate",
                    "actualvalue", "closeprobability", "estimatedclosedate", "estimatedvalue",
                    "salesstage", "stepname"],
    "connection": ["connectionid", "record1id", "record2id", "connectionrole1.name"],
    "campaign": ["campaignid", "name", "budgetedcost", "totalactualcost", "expectedrevenue",
                 "actualstart", "actualend", "expectedresponse", "utcconversiontimezonecode",
                 "createdby", "modifiedby"],
    "list": ["listid", "listname"],
    "listmember": ["listmemberid", "entityid", "listid"],
}  # fmt: skip
DELTA_FORMAT = "%Y-%m-%dT%H:%M:%SZ"  # yyyy-MM-ddTHH:mm:ssZ, the documented Dynamics format


def schema_columns(name: str, object_type: str = "table") -> dict[str, dict[str, Any]]:
    body = explore(DYNAMICS, objectType=object_type, object=name)
    return {c["name"]: c for c in body["schema"]["columns"]}


def view_rows(name: str) -> list[dict[str, Any]]:
    body = explore(DYNAMICS, objectType="view", object=name, preview="true", previewCount="999")
    data: list[dict[str, Any]] = body["data"]
    return data


@pytest.mark.parametrize(("table", "count"), ROW_COUNTS.items())
def test_dynamics_row_counts_are_stable(table: str, count: int) -> None:
    assert len(rows(table)) == count


@pytest.mark.parametrize(("table", "names"), DOCUMENTED_COLUMNS.items())
def test_dynamics_tables_have_the_documented_columns(table: str, names: list[str]) -> None:
    columns = schema_columns(table)
    assert set(names) <= set(columns), set(names) - set(columns)
    assert next(iter(columns)) == f"{table}id"
    assert columns[f"{table}id"]["meta"]["originalType"] == "Guid"


@pytest.mark.parametrize("table", ROW_COUNTS)
def test_dynamics_tables_have_delta_columns(table: str) -> None:
    columns = schema_columns(table)
    for name in ("createdon", "modifiedon") if table != "systemuser" else ("createdon",):
        assert columns[name]["xdm"] == {"type": "string", "format": "date-time"}
        assert columns[name]["meta:xdmType"] == "date-time"
    for row in rows(table):
        created = datetime.strptime(row["createdon"], DELTA_FORMAT)
        if "modifiedon" in row:
            assert datetime.strptime(row["modifiedon"], DELTA_FORMAT) >= created


def test_dynamics_ids_are_unique_and_emails_fake() -> None:
    for table in ROW_COUNTS:
        data = rows(table)
        ids = [r[f"{table}id"] for r in data]
        assert len(set(ids)) == len(ids), table
        for row in data:
            for value in row.values():
                if isinstance(value, str) and "@" in value:
                    domain = value.rsplit("@", 1)[1]
                    assert domain.split(".")[-2:] in (["example", "com"], ["example", "org"],
                                                      ["example", "net"]), value  # fmt: skip


def test_new_dynamics_tables_reference_existing_rows() -> None:
    campaigns = {r["campaignid"] for r in rows("campaign")}
    users = {r["systemuserid"] for r in rows("systemuser")}
    contacts = {r["contactid"]: r for r in rows("contact")}
    opps = {r["opportunityid"]: r for r in rows("opportunity")}
    assert all(o["campaignid"] in campaigns for o in opps.values() if o["campaignid"])
    assert any(o["campaignid"] for o in opps.values())
    assert all(c["createdby"] in users and c["modifiedby"] in users for c in rows("campaign"))
    for link in rows("connection"):
        opp = opps[link["record1id"]]
        assert contacts[link["record2id"]]["parentcustomerid"] == opp["parentaccountid"]
        assert link["connectionrole1.name"]
    population = {
        1: {r["accountid"] for r in rows("account")},
        2: set(contacts),
        4: {r["leadid"] for r in rows("lead")},
    }
    lists = {r["listid"]: r for r in rows("list")}
    members = rows("listmember")
    assert len({(m["listid"], m["entityid"]) for m in members}) == len(members)
    for member in members:
        assert member["entityid"] in population[lists[member["listid"]]["createdfromcode"]]
    for list_id, entry in lists.items():
        assert entry["membercount"] == sum(m["listid"] == list_id for m in members)


def test_documented_views() -> None:
    tim = schema_columns("Contacts with name TIM", "view")
    assert list(tim)[:4] == ["name", "fetchxml", "querytype", "userqueryid"]
    assert tim["querytype"]["type"] == "integer"
    assert tim["querytype"]["meta"] == {"originalType": "int"}
    assert tim["querytype"]["xdm"] == {"type": "integer", "minimum": -2147483648,
                                       "maximum": 2147483647}  # fmt: skip
    assert tim["userqueryid"]["meta"] == {"originalType": "guid"}
    assert tim["name"]["xdm"] == {"type": "string"}
    queries = view_rows("Contacts with name TIM")
    assert "Contacts with name TIM" in {q["name"] for q in queries}
    assert all(q["fetchxml"].startswith("<fetch") for q in queries)
    account_view = schema_columns("accountView1", "view")
    assert {"contactid", "fullname", "emailaddress1"} <= set(account_view)
    contacts = {r["contactid"] for r in rows("contact")}
    assert all(r["contactid"] in contacts for r in view_rows("accountView1"))


def test_build_script_reproduces_explore_samples(tmp_path: Path) -> None:
    output = tmp_path / "samples.json"
    script = Path(__file__).resolve().parents[1] / "tools" / "build_explore_samples.py"
    result = subprocess.run([sys.executable, str(script), "--output", str(output)],
                            capture_output=True, text=True, check=False)  # fmt: skip
    assert result.returncode == 0, result.stderr
    committed = files("mock_flowservice") / "data" / "explore_samples.json"
    assert output.read_bytes() == committed.read_bytes()
