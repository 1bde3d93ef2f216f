"""The ``flowservice`` command through click's ``CliRunner`` with stubbed HTTP."""

from __future__ import annotations

import json
from collections.abc import Iterator
from importlib.metadata import version

import pytest
import responses
from click.testing import CliRunner
from flowservice_client import DYNAMICS_BASIC_AUTH, DYNAMICS_SERVICE_PRINCIPAL_AUTH
from flowservice_client._cli import cli, main
from responses import matchers

BASE = "https://platform.adobe.io/data/foundation/flowservice"
ENV = {
    "FLOWSERVICE_API_KEY": "client-id",
    "FLOWSERVICE_ORG_ID": "ORG@AdobeOrg",
    "FLOWSERVICE_ACCESS_TOKEN": "cli-token",
    "FLOWSERVICE_BASE_URL": None,
    "FLOWSERVICE_SANDBOX": None,
    "FLOWSERVICE_CLIENT_SECRET": None,
    "FLOWSERVICE_DYNAMICS_PASSWORD": None,
    "FLOWSERVICE_DYNAMICS_SERVICE_PRINCIPAL_KEY": None,
}
NOT_FOUND = {
    "type": "https://ns.adobe.com/aep/errors/FLOW-1439-404",
    "title": "Resource not found",
    "status": 404,
    "report": {"detailed-message": "The requested connections resource c9 is not found."},
    "errorMessage": "The requested connections resource c9 is not found.",
}


@pytest.fixture
def rsps() -> Iterator[responses.RequestsMock]:
    with responses.RequestsMock() as mock:
        yield mock


def run(*args: str, env: dict[str, str | None] | None = None, stdin: str | None = None):
    runner = CliRunner()
    return runner.invoke(cli, list(args), env={**ENV, **(env or {})}, input=stdin)


def conn(n: int) -> dict[str, object]:
    return {"id": f"c{n}", "name": f"n{n}", "state": "enabled"}


def test_connections_list_prints_all_pages_as_json(rsps) -> None:
    rsps.get(
        f"{BASE}/connections",
        json={"items": [conn(1)], "_links": {"next": {"href": "/connections?continuationToken=t"}}},
        match=[matchers.query_param_matcher({"property": "state==enabled", "limit": "1"})],
    )
    rsps.get(f"{BASE}/connections", json={"items": [conn(2)], "_links": {}})
    result = run("connections", "list", "--filter", "state==enabled", "--limit", "1")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == [conn(1), conn(2)]
    assert rsps.calls[0].request.headers["Authorization"] == "Bearer cli-token"


def test_connections_get(rsps) -> None:
    rsps.get(f"{BASE}/connections/c1", json={"items": [conn(1)]})
    result = run("connections", "get", "c1")
    assert result.exit_code == 0
    assert json.loads(result.stdout) == conn(1)


def test_connections_delete_and_test(rsps) -> None:
    rsps.delete(f"{BASE}/connections/c1", status=204)
    rsps.get(f"{BASE}/connections/c1/test", json={"result": False})
    assert json.loads(run("connections", "delete", "c1").stdout) == {"id": "c1", "deleted": True}
    assert json.loads(run("connections", "test", "c1").stdout) == {"id": "c1", "result": False}


def test_api_error_goes_to_stderr_with_exit_1(rsps) -> None:
    rsps.get(f"{BASE}/connections/c9", status=404, json=NOT_FOUND)
    result = run("connections", "get", "c9")
    assert result.exit_code == 1
    assert result.stdout == ""
    assert "FLOW-1439-404" in result.stderr
    assert "cli-token" not in result.stderr


def test_missing_settings_exit_1() -> None:
    result = run("specs", "list", env={"FLOWSERVICE_ORG_ID": None})
    assert result.exit_code == 1
    assert "FLOWSERVICE_ORG_ID" in result.stderr


def test_every_missing_setting_is_named_at_once() -> None:
    missing = {"FLOWSERVICE_API_KEY": None, "FLOWSERVICE_ORG_ID": None}
    result = run("specs", "list", env={**missing, "FLOWSERVICE_ACCESS_TOKEN": None})
    assert result.exit_code == 1
    assert result.stdout == ""
    for name in (*missing, "FLOWSERVICE_ACCESS_TOKEN", "FLOWSERVICE_CLIENT_SECRET"):
        assert name in result.stderr


def test_version_is_the_package_version() -> None:
    import flowservice_client

    result = run("--version")
    assert result.exit_code == 0
    assert result.stdout == f"flowservice {version('mock-flowservice')}\n"
    assert flowservice_client.__version__ == version("mock-flowservice")


def test_help_says_how_to_reach_a_local_mock() -> None:
    result = run("--help")
    assert result.exit_code == 0
    for name in ("FLOWSERVICE_BASE_URL", "FLOWSERVICE_IMS_URL", "FLOWSERVICE_API_KEY"):
        assert name in result.stdout
    assert "http://127.0.0.1:8080/data/foundation/flowservice" in result.stdout


def test_create_dynamics_basic_prompts_for_the_password(rsps) -> None:
    rsps.post(f"{BASE}/connections", status=201, json={"id": "c1", "etag": '"e"'})
    result = run(
        "connections", "create-dynamics", "--name", "crm",
        "--service-uri", "https://o.crm.dynamics.com", "--username", "u",
        stdin="typed-secret\n",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("Password: ")
    assert json.loads(result.stdout[result.stdout.index("{") :]) == {"id": "c1", "etag": '"e"'}
    body = json.loads(rsps.calls[0].request.body)
    assert body["auth"]["specName"] == DYNAMICS_BASIC_AUTH
    assert body["auth"]["params"]["password"] == "typed-secret"
    assert "typed-secret" not in result.output


def test_create_dynamics_service_principal_key_from_env(rsps) -> None:
    rsps.post(f"{BASE}/connections", status=201, json={"id": "c2", "etag": '"e"'})
    result = run(
        "connections", "create-dynamics", "--name", "crm",
        "--service-uri", "https://o.crm.dynamics.com", "--service-principal-id", "sp",
        env={"FLOWSERVICE_DYNAMICS_SERVICE_PRINCIPAL_KEY": "env-key",
             "FLOWSERVICE_DYNAMICS_PASSWORD": "ignored"},
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == {"id": "c2", "etag": '"e"'}
    params = json.loads(rsps.calls[0].request.body)["auth"]["params"]
    assert json.loads(rsps.calls[0].request.body)["auth"]["specName"] == (
        DYNAMICS_SERVICE_PRINCIPAL_AUTH
    )
    assert params == {
        "serviceUri": "https://o.crm.dynamics.com",
        "servicePrincipalId": "sp",
        "servicePrincipalKey": "env-key",
    }


@pytest.mark.parametrize(
    "auth", [[], ["--username", "u", "--service-principal-id", "sp", "--password", "p"]]
)
def test_create_dynamics_needs_exactly_one_style(auth) -> None:
    result = run("connections", "create-dynamics", "--name", "n", "--service-uri", "s", *auth)
    assert result.exit_code == 2
    assert "exactly one" in result.stderr


def test_specs_list_and_get(rsps) -> None:
    spec = {"id": "s1", "name": "dynamics-online", "authSpec": []}
    rsps.get(
        f"{BASE}/connectionSpecs",
        json={"items": [spec]},
        match=[matchers.query_param_matcher({"property": 'name=="dynamics-online"'})],
    )
    rsps.get(f"{BASE}/connectionSpecs/s1", json={"items": [spec]})
    listed = run("specs", "list", "--filter", 'name=="dynamics-online"')
    assert json.loads(listed.stdout) == [spec]
    assert json.loads(run("specs", "get", "s1").stdout) == spec


def test_global_options_override_env(rsps) -> None:
    rsps.get("http://127.0.0.1:1/api/connections/c1/test", json={"result": True})
    result = run(
        "--base-url", "http://127.0.0.1:1/api", "--sandbox", "dev", "connections", "test", "c1"
    )
    assert result.exit_code == 0, result.output
    assert rsps.calls[0].request.headers["x-sandbox-name"] == "dev"


def test_main_is_the_console_entry_point(rsps, monkeypatch, capsys) -> None:
    for name, value in ENV.items():
        if value is None:
            monkeypatch.delenv(name, raising=False)
        else:
            monkeypatch.setenv(name, value)
    rsps.get(f"{BASE}/connections/c1/test", json={"result": True})
    with pytest.raises(SystemExit) as info:
        main(["connections", "test", "c1"])
    assert info.value.code == 0
    assert json.loads(capsys.readouterr().out) == {"id": "c1", "result": True}


def test_create_dynamics_prompts_for_the_service_principal_key(rsps) -> None:
    rsps.post(f"{BASE}/connections", status=201, json={"id": "c3", "etag": '"e"'})
    result = run(
        "connections", "create-dynamics", "--name", "crm", "--service-uri", "https://o",
        "--service-principal-id", "sp", stdin="typed-key\n",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert json.loads(rsps.calls[0].request.body)["auth"]["params"]["servicePrincipalKey"] == (
        "typed-key"
    )
    assert "typed-key" not in result.output


def test_a_ready_client_can_be_injected(rsps) -> None:
    from flowservice_client import FlowServiceClient

    injected = FlowServiceClient("http://injected/api", access_token="t", api_key="k", org_id="o")
    rsps.get("http://injected/api/connections/c1/test", json={"result": True})
    result = CliRunner().invoke(cli, ["connections", "test", "c1"], obj=injected, env=ENV)
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == {"id": "c1", "result": True}
