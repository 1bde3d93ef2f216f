"""Tests of :mod:`mock_flowservice.operations.patching` (FACTS E.1, GAPS 17 and C1).

The catalog is built here with one Dynamics entry, so these tests do not depend on the
generated ``data/connection_specs.json``.
"""

from __future__ import annotations

import copy
from typing import Any

import pytest

from mock_flowservice.catalog import Catalog
from mock_flowservice.config import MockConfig
from mock_flowservice.context import MockContext
from mock_flowservice.errors import FlowError
from mock_flowservice.model import Caller, Connection, Tenant, new_etag
from mock_flowservice.operations.patching import PatchPlan, plan_patch
from mock_flowservice.storage import MemoryStore

DYNAMICS_ID = "38ad80fe-8b06-4938-94f4-d4ee80266b07"
BASIC = "Basic Authentication for Dynamics-Online"
PASSWORD = "s3cret-Pa55"
MASK = "********"

DYNAMICS_SPEC: dict[str, Any] = {
    "id": DYNAMICS_ID,
    "name": "dynamics-online",
    "version": "1.0",
    "authSpec": [
        {
            "name": BASIC,
            "type": "BasicAuthentication",
            "spec": {
                "$schema": "http://json-schema.org/draft-07/schema#",
                "type": "object",
                "properties": {
                    "serviceUri": {"type": "string"},
                    "username": {"type": "string"},
                    "password": {"type": "string", "format": "password"},
                },
                "required": ["username", "password", "serviceUri"],
            },
        }
    ],
}

PARAMS: dict[str, Any] = {
    "serviceUri": "https://example.crm.dynamics.com",
    "username": "ana@example.com",
    "password": PASSWORD,
}


def make_context(**config: Any) -> MockContext:
    catalog = Catalog.from_json({"specs": [copy.deepcopy(DYNAMICS_SPEC)]})
    return MockContext(config=MockConfig(**config), store=MemoryStore(), catalog=catalog)


def make_connection(**changes: Any) -> Connection:
    fields: dict[str, Any] = {
        "id": "c0ffee00-0000-4000-8000-000000000001",
        "tenant": Tenant("ORG@AdobeOrg", "prod"),
        "name": "Dynamics",
        "description": "CRM",
        "spec_id": DYNAMICS_ID,
        "spec_version": "1.0",
        "auth_spec": BASIC,
        "params": dict(PARAMS),
        "secret_keys": frozenset({"password"}),
        "created_at": 1,
        "updated_at": 1,
        "created_by": Caller("user", "client"),
        "updated_by": Caller("user", "client"),
        "etag": new_etag(),
    }
    fields.update(changes)
    return Connection(**fields)


@pytest.fixture
def ctx() -> MockContext:
    return make_context()


@pytest.fixture
def conn() -> Connection:
    return make_connection()


def plan(conn: Connection, ctx: MockContext, *ops: dict[str, Any]) -> PatchPlan:
    return plan_patch(conn, list(ops), ctx.catalog, ctx.config)


def refused(conn: Connection, ctx: MockContext, ops: Any) -> FlowError:
    with pytest.raises(FlowError) as info:
        plan_patch(conn, ops, ctx.catalog, ctx.config)
    return info.value


# -- body shape ---------------------------------------------------------------------------------


@pytest.mark.parametrize("body", [None, {}, {"op": "add"}, "ops", 3, True])
def test_body_must_be_an_array(conn: Connection, ctx: MockContext, body: Any) -> None:
    error = refused(conn, ctx, body)
    assert error.code == "1100-400"
    assert "JSON array" in error.message


def test_empty_array_is_1405(conn: Connection, ctx: MockContext) -> None:
    assert refused(conn, ctx, []).code == "1405-400"


@pytest.mark.parametrize("item", [None, "add", ["add", "/name"], 7])
def test_instruction_must_be_an_object(conn: Connection, ctx: MockContext, item: Any) -> None:
    error = refused(conn, ctx, [item])
    assert error.code == "1100-400"
    assert "instruction 0 must be a JSON object" in error.message


@pytest.mark.parametrize("op", [None, 1, ["add"]])
def test_op_must_be_a_string(conn: Connection, ctx: MockContext, op: Any) -> None:
    ops: list[Any] = [{"path": "/name", "value": "x"}]
    if op is not None:
        ops[0]["op"] = op
    error = refused(conn, ctx, ops)
    assert error.code == "1100-400"
    assert "'op'" in error.message


@pytest.mark.parametrize(
    "op", ["move", "MOVE", "Copy", "copy", "test", "TEST", "merge", "", "adds"]
)
def test_unsupported_op_is_1434_with_op_as_sent(
    conn: Connection, ctx: MockContext, op: str
) -> None:
    error = refused(conn, ctx, [{"op": op, "path": "/name", "from": "/description"}])
    assert error.code == "1434-400"
    assert f"'{op}'" in error.message


@pytest.mark.parametrize("path", [None, 5, ["name"], {"p": "/name"}])
def test_path_must_be_a_string(conn: Connection, ctx: MockContext, path: Any) -> None:
    ops: list[Any] = [{"op": "replace", "value": "x"}]
    if path is not None:
        ops[0]["path"] = path
    error = refused(conn, ctx, ops)
    assert error.code == "1100-400"
    assert "'path'" in error.message


@pytest.mark.parametrize("path", ["name", "", "/auth/params/a~2b", "/auth/params/trail~"])
def test_path_must_be_a_valid_pointer(conn: Connection, ctx: MockContext, path: str) -> None:
    error = refused(conn, ctx, [{"op": "add", "path": path, "value": "x"}])
    assert error.code == "1100-400"
    assert "JSON Pointer" in error.message


@pytest.mark.parametrize("op", ["add", "replace", "ADD", "Replace"])
def test_add_and_replace_need_a_value(conn: Connection, ctx: MockContext, op: str) -> None:
    error = refused(conn, ctx, [{"op": op, "path": "/name"}])
    assert error.code == "1100-400"
    assert "'value'" in error.message


def test_error_names_the_failing_instruction(conn: Connection, ctx: MockContext) -> None:
    ops = [{"op": "replace", "path": "/name", "value": "ok"}, {"op": "add", "path": "/name"}]
    assert "instruction 1" in refused(conn, ctx, ops).message


# -- op casing (GAPS C1) ------------------------------------------------------------------------


@pytest.mark.parametrize("op", ["add", "ADD", "Add", "replace", "REPLACE", "Replace", "rEpLaCe"])
def test_op_is_case_insensitive(conn: Connection, ctx: MockContext, op: str) -> None:
    result = plan(conn, ctx, {"op": op, "path": "/name", "value": "Renamed"})
    assert result.name == "Renamed"


@pytest.mark.parametrize("op", ["remove", "REMOVE", "Remove"])
def test_remove_is_case_insensitive(conn: Connection, ctx: MockContext, op: str) -> None:
    assert plan(conn, ctx, {"op": op, "path": "/description"}).description is None


# -- /name and /description ---------------------------------------------------------------------


def test_documented_example_applies_in_order(conn: Connection, ctx: MockContext) -> None:
    new_params = {"serviceUri": "https://other.crm", "username": "bo", "password": "new-pw"}
    result = plan(
        conn,
        ctx,
        {"op": "replace", "path": "/auth/params", "value": new_params},
        {"op": "replace", "path": "/name", "value": "Test dynamics connection"},
        {"op": "add", "path": "/description", "value": "A test dynamics connection"},
    )
    assert result == PatchPlan("Test dynamics connection", "A test dynamics connection", new_params)


def test_later_ops_see_earlier_ones(conn: Connection, ctx: MockContext) -> None:
    result = plan(
        conn,
        ctx,
        {"op": "replace", "path": "/name", "value": "first"},
        {"op": "replace", "path": "/name", "value": "second"},
        {"op": "remove", "path": "/description"},
        {"op": "add", "path": "/description", "value": "again"},
    )
    assert (result.name, result.description) == ("second", "again")


@pytest.mark.parametrize("value", ["", "   ", None, 5, ["x"], {"n": "x"}, True])
def test_name_needs_a_non_empty_string(conn: Connection, ctx: MockContext, value: Any) -> None:
    error = refused(conn, ctx, [{"op": "replace", "path": "/name", "value": value}])
    assert error.code == "1100-400"
    assert "name must be a non-empty string" in error.message


def test_name_cannot_be_removed(conn: Connection, ctx: MockContext) -> None:
    error = refused(conn, ctx, [{"op": "remove", "path": "/name"}])
    assert error.code == "1100-400"
    assert "cannot be removed" in error.message


def test_description_add_when_absent(ctx: MockContext) -> None:
    conn = make_connection(description=None)
    assert plan(conn, ctx, {"op": "add", "path": "/description", "value": "d"}).description == "d"
    assert (
        plan(conn, ctx, {"op": "replace", "path": "/description", "value": "r"}).description == "r"
    )


def test_description_remove_when_absent_is_1455(ctx: MockContext) -> None:
    error = refused(
        make_connection(description=None), ctx, [{"op": "remove", "path": "/description"}]
    )
    assert error.code == "1455-400"
    assert error.message.endswith('Missing field "description".')


@pytest.mark.parametrize("value", [None, 1, {"a": "b"}, ["d"], False])
def test_description_must_be_a_string(conn: Connection, ctx: MockContext, value: Any) -> None:
    error = refused(conn, ctx, [{"op": "add", "path": "/description", "value": value}])
    assert error.code == "1100-400"
    assert "description must be a string" in error.message


def test_unchanged_fields_are_kept(conn: Connection, ctx: MockContext) -> None:
    result = plan(conn, ctx, {"op": "replace", "path": "/name", "value": "Only name"})
    assert result.description == "CRM"
    assert result.params == PARAMS


# -- /auth/params -------------------------------------------------------------------------------


def test_replace_whole_params(conn: Connection, ctx: MockContext) -> None:
    value = {"serviceUri": "https://b", "username": "b", "password": "b-pw"}
    result = plan(conn, ctx, {"op": "add", "path": "/auth/params", "value": value})
    assert result.params == value
    assert result.params is not value


@pytest.mark.parametrize("value", [None, "x", ["serviceUri"], 3])
def test_whole_params_must_be_an_object(conn: Connection, ctx: MockContext, value: Any) -> None:
    error = refused(conn, ctx, [{"op": "replace", "path": "/auth/params", "value": value}])
    assert error.code == "1100-400"
    assert "auth.params must be a JSON object" in error.message


def test_whole_params_cannot_be_removed(conn: Connection, ctx: MockContext) -> None:
    error = refused(conn, ctx, [{"op": "remove", "path": "/auth/params"}])
    assert error.code == "1100-400"
    assert "auth.params" in error.message


def test_replace_one_param(conn: Connection, ctx: MockContext) -> None:
    result = plan(conn, ctx, {"op": "replace", "path": "/auth/params/username", "value": "bo"})
    assert result.params == {**PARAMS, "username": "bo"}


def test_add_one_param_over_existing(conn: Connection, ctx: MockContext) -> None:
    result = plan(conn, ctx, {"op": "add", "path": "/auth/params/password", "value": "new"})
    assert result.params["password"] == "new"


def test_add_missing_param_then_valid(ctx: MockContext) -> None:
    conn = make_connection(params={"serviceUri": "https://a", "username": "a"})
    result = plan(conn, ctx, {"op": "add", "path": "/auth/params/password", "value": "pw"})
    assert result.params == {"serviceUri": "https://a", "username": "a", "password": "pw"}


@pytest.mark.parametrize("op", ["replace", "remove", "REMOVE"])
def test_replace_or_remove_absent_param_is_1455(ctx: MockContext, op: str) -> None:
    conn = make_connection(params={"serviceUri": "https://a", "username": "a"})
    ops = [{"op": op, "path": "/auth/params/password", "value": "pw"}]
    error = refused(conn, ctx, ops)
    assert error.code == "1455-400"
    assert error.message.endswith('Missing field "password".')
    assert "pw" not in error.message


def test_removing_a_required_param_is_1304(conn: Connection, ctx: MockContext) -> None:
    error = refused(conn, ctx, [{"op": "remove", "path": "/auth/params/username"}])
    assert error.code == "1304-400"
    assert "auth.params.username" in error.message


def test_remove_then_add_back(conn: Connection, ctx: MockContext) -> None:
    result = plan(
        conn,
        ctx,
        {"op": "remove", "path": "/auth/params/username"},
        {"op": "add", "path": "/auth/params/username", "value": "back"},
    )
    assert result.params["username"] == "back"


def test_whole_params_missing_required_is_1304(conn: Connection, ctx: MockContext) -> None:
    value = {"serviceUri": "https://a", "username": "a"}
    error = refused(conn, ctx, [{"op": "replace", "path": "/auth/params", "value": value}])
    assert error.code == "1304-400"
    assert "auth.params.password" in error.message


def test_wrong_param_type_is_1100_without_the_value(conn: Connection, ctx: MockContext) -> None:
    ops = [{"op": "replace", "path": "/auth/params/password", "value": 918273645}]
    error = refused(conn, ctx, ops)
    assert error.code == "1100-400"
    assert "auth.params.password" in error.message
    assert "918273645" not in error.message


def test_unknown_param_is_1100(conn: Connection, ctx: MockContext) -> None:
    ops = [{"op": "add", "path": "/auth/params/securityToken", "value": "tok-123"}]
    error = refused(conn, ctx, ops)
    assert error.code == "1100-400"
    assert "auth.params.securityToken" in error.message
    assert "tok-123" not in error.message


def test_unknown_param_allowed_when_config_says_so(conn: Connection) -> None:
    ctx = make_context(reject_unknown_params=False)
    ops = {"op": "add", "path": "/auth/params/extra", "value": "x"}
    assert plan(conn, ctx, ops).params["extra"] == "x"


def test_pointer_escapes_are_decoded(conn: Connection) -> None:
    ctx = make_context(reject_unknown_params=False)
    result = plan(
        conn,
        ctx,
        {"op": "add", "path": "/auth/params/a~1b", "value": "slash"},
        {"op": "add", "path": "/auth/params/c~0d", "value": "tilde"},
        {"op": "add", "path": "/auth/params/e~01f", "value": "order"},
    )
    assert result.params["a/b"] == "slash"
    assert result.params["c~d"] == "tilde"
    assert result.params["e~1f"] == "order"


def test_escaped_key_missing_is_reported_decoded(conn: Connection, ctx: MockContext) -> None:
    error = refused(conn, ctx, [{"op": "remove", "path": "/auth/params/x~1y"}])
    assert error.code == "1455-400"
    assert error.message.endswith('Missing field "x/y".')


def test_escaped_existing_key_can_be_removed() -> None:
    conn = make_connection(params={**PARAMS, "a/b~": "v"})
    ctx = make_context(reject_unknown_params=False)
    result = plan(conn, ctx, {"op": "remove", "path": "/auth/params/a~1b~0"})
    assert "a/b~" not in result.params


# -- secrets and the mask -----------------------------------------------------------------------


def test_read_edit_write_back_keeps_the_password(conn: Connection, ctx: MockContext) -> None:
    read_back = conn.to_json(ctx.config.secret_mask)["auth"]["params"]
    assert read_back["password"] == MASK
    edited = {**read_back, "username": "new-user"}
    result = plan(conn, ctx, {"op": "replace", "path": "/auth/params", "value": edited})
    assert result.params == {**PARAMS, "username": "new-user"}


def test_mask_on_a_single_secret_key_keeps_it(conn: Connection, ctx: MockContext) -> None:
    result = plan(conn, ctx, {"op": "replace", "path": "/auth/params/password", "value": MASK})
    assert result.params["password"] == PASSWORD


def test_custom_mask(conn: Connection) -> None:
    ctx = make_context(secret_mask="<hidden>")
    value = {**PARAMS, "password": "<hidden>"}
    result = plan(conn, ctx, {"op": "replace", "path": "/auth/params", "value": value})
    assert result.params["password"] == PASSWORD


def test_mask_on_a_non_secret_key_is_literal(conn: Connection, ctx: MockContext) -> None:
    result = plan(conn, ctx, {"op": "replace", "path": "/auth/params/username", "value": MASK})
    assert result.params["username"] == MASK


def test_mask_without_a_stored_secret_is_literal(ctx: MockContext) -> None:
    conn = make_connection(params={"serviceUri": "https://a", "username": "a"})
    result = plan(conn, ctx, {"op": "add", "path": "/auth/params/password", "value": MASK})
    assert result.params["password"] == MASK


def test_a_new_password_replaces_the_old(conn: Connection, ctx: MockContext) -> None:
    value = {**PARAMS, "password": "brand-new"}
    result = plan(conn, ctx, {"op": "replace", "path": "/auth/params", "value": value})
    assert result.params["password"] == "brand-new"


def test_original_record_is_untouched(ctx: MockContext) -> None:
    nested = {"serviceUri": "https://a", "username": "a", "password": "p", "x": {"deep": [1]}}
    conn = make_connection(params=nested)
    before = copy.deepcopy(conn.params)
    lax = make_context(reject_unknown_params=False)
    result = plan(
        conn,
        lax,
        {"op": "replace", "path": "/auth/params/username", "value": "changed"},
        {"op": "remove", "path": "/auth/params/serviceUri"},
        {"op": "add", "path": "/auth/params/serviceUri", "value": "https://b"},
        {"op": "replace", "path": "/name", "value": "n2"},
    )
    result.params["x"]["deep"].append(2)
    assert conn.params == before
    assert conn.name == "Dynamics"
    assert result.params is not conn.params


def test_failed_patch_leaves_record_untouched(conn: Connection, ctx: MockContext) -> None:
    ops = [
        {"op": "remove", "path": "/auth/params/password"},
        {"op": "replace", "path": "/name", "value": "n2"},
    ]
    assert refused(conn, ctx, ops).code == "1304-400"
    assert conn.params == PARAMS
    assert conn.name == "Dynamics"


# -- immutable and unknown paths ----------------------------------------------------------------


@pytest.mark.parametrize("op", ["add", "replace", "remove", "REPLACE"])
@pytest.mark.parametrize(
    "path", ["/connectionSpec", "/connectionSpec/id", "/connectionSpec/version"]
)
def test_connection_spec_is_1414(conn: Connection, ctx: MockContext, op: str, path: str) -> None:
    ops = [{"op": op, "path": path, "value": {"id": DYNAMICS_ID, "version": "1.0"}}]
    assert refused(conn, ctx, ops).code == "1414-400"


@pytest.mark.parametrize("op", ["add", "replace", "remove"])
@pytest.mark.parametrize("path", ["/auth", "/auth/specName"])
def test_auth_spec_cannot_change(conn: Connection, ctx: MockContext, op: str, path: str) -> None:
    value: Any = "Service Principal Key Based Authentication"
    if path == "/auth":
        value = {"specName": value, "params": {}}
    error = refused(conn, ctx, [{"op": op, "path": path, "value": value}])
    assert error.code == "1100-400"
    assert "The auth spec of a connection cannot be changed." in error.message


@pytest.mark.parametrize(
    ("path", "field"),
    [
        ("/id", "id"),
        ("/state", "state"),
        ("/Name", "Name"),
        ("/auth/type", "type"),
        ("/auth/params/password/inner", "inner"),
        ("/name/first", "first"),
        ("/", ""),
    ],
)
def test_other_paths_are_1455(conn: Connection, ctx: MockContext, path: str, field: str) -> None:
    error = refused(conn, ctx, [{"op": "replace", "path": path, "value": "x"}])
    assert error.code == "1455-400"
    assert error.message == (
        f'An error has occurred while validating patch instructions: Missing field "{field}".'
    )


def test_unsupported_op_wins_before_later_ops_apply(conn: Connection, ctx: MockContext) -> None:
    ops = [{"op": "replace", "path": "/name", "value": "x"}, {"op": "move", "path": "/name"}]
    assert refused(conn, ctx, ops).code == "1434-400"


def test_unknown_auth_spec_is_1415(ctx: MockContext) -> None:
    conn = make_connection(auth_spec="Gone")
    error = refused(conn, ctx, [{"op": "replace", "path": "/name", "value": "x"}])
    assert error.code == "1415-400"


def test_packaged_catalog_agrees_when_present(conn: Connection) -> None:
    from mock_flowservice.catalog import load_catalog

    try:
        catalog = load_catalog()
    except FileNotFoundError:
        pytest.skip("data/connection_specs.json not generated yet")
    ctx = MockContext(config=MockConfig(), store=MemoryStore(), catalog=catalog)
    error = refused(conn, ctx, [{"op": "remove", "path": "/auth/params/serviceUri"}])
    assert error.code == "1304-400"
